"""Time status: is a trigger a current event or a background mention?

BACKGROUND when a cue governs the trigger or sits in its clause (see data/temporal.json):
a 'since' phrase or clause ('since the war began', 'since the start of the protests'),
an anniversary, memorial or court case about it ('on the anniversary of the attack',
'jailed for the bombing'), a recap phrase ('years ago', 'last year'), or a year before
the story's ('in 2023', 'the 2011 bombing'). CURRENT otherwise. The extractor adds one
rule that needs the story's date: a resolved event date more than ``max_age_days``
before the reference date is BACKGROUND too.

BACKGROUND triggers are not coded: an Event record is always a current event, so no
summary, count or alert can include a recap (README, 'What an event is').

Loaded by the registered spaCy component ``wirewatch_time``, which sets
``match.time_status`` and ``match.time_cue`` on every trigger of ``doc._.triggers``.
The year test needs the story's year: ``doc.user_data['reference_year']``, which the
extractor sets; without it the year test is skipped.
"""
import calendar
import functools
import re

from spacy.language import Language

from wirewatch.transforms.extract.clauses import clause_head, clause_nodes, governors, has_time, verb_form
from wirewatch.transforms.extract.factuality import factuality_cues
from wirewatch.transforms.extract.lexicon import load_data

CURRENT, BACKGROUND = 'CURRENT', 'BACKGROUND'
_YEAR = re.compile(r'^(1[89]\d\d|20\d\d)s?$')


@functools.lru_cache(maxsize=1)
def time_cues():
    data = load_data('temporal')
    cues = {k: frozenset(v) for k, v in data.items() if isinstance(v, list)}
    cues['recap_patterns'] = [re.compile(r'\b' + re.escape(p) + r'\b') for p in data['recap_phrases']]
    cues['era_patterns'] = [re.compile(r'\b' + re.escape(p) + r'\b') for p in data['era_phrases']]
    cues['recap_titles'] = [re.compile(p) for p in data['recap_titles']]
    cues['duration_pattern'] = re.compile(data['duration_pattern'])
    cues['max_age_days'] = data['max_age_days']
    cues['version'] = data['version']
    return cues


def read_time(token, reference_year=None, cues=None):
    """(status, cue) of trigger ``token``: ('BACKGROUND', cue) or ('CURRENT', None)."""
    cues = cues or time_cues()
    chain = governors(token)
    for governor, relation in chain:
        lemma = governor.lemma_.lower()
        if relation == 'ccomp' and _told_in_court(governor, cues):
            return BACKGROUND, governor.lower_
        if lemma in cues['since_words']:
            return BACKGROUND, 'since'
        if governor.pos_ in ('NOUN', 'PROPN') and relation != 'acl' \
                and (lemma in cues['anniversary_nouns'] or governor.lower_ in cues['anniversary_nouns']):
            # (a participle the parser hangs on the noun is no part of it: 'Suspect in Nord Stream case arrested')
            return BACKGROUND, governor.lower_
        if governor.pos_ == 'VERB' and lemma in cues['anniversary_verbs'] and relation in ('dobj', 'prep', 'pobj', 'pcomp', 'nsubjpass'):
            return BACKGROUND, lemma
    nodes = clause_nodes(token)
    shared = _shared_time_clause(nodes[-1])
    # a habit binds its own clause, not a clause coordinated with it ('has often accused X,
    # and on Monday imposed sanctions'): the governors up to the first conjunction
    habit_nodes = [token]
    for governor, relation in chain:
        if relation == 'conj':
            break
        habit_nodes.append(governor)
    for node in nodes + shared:
        if node is not token and node.pos_ in ('VERB', 'AUX') and (history := next(
                (c.lower_ for c in node.children if c.dep_ == 'dobj' and c.lemma_.lower() in cues['history_objects']), None)):
            return BACKGROUND, history  # 'the hold has a troubled history, killing and injuring some people'
        if node.lower_ in cues['elapsed_marks'] and (elapsed := _elapsed(node, cues)):
            return BACKGROUND, elapsed  # 'two years after the attack'
        if node.pos_ in ('VERB', 'AUX') and node in habit_nodes and _habitual(node, cues):
            return BACKGROUND, next(c.lower_ for c in node.children if c.lower_ in cues['habitual_adverbs'])
        if node is token and _trend(token, cues):
            return BACKGROUND, next(c.lower_ for c in token.children if c.lower_ in cues['trend_adverbs'])
        for child in node.children:
            if child.dep_ == 'mark' and child.lower_ in cues['since_words']:
                return BACKGROUND, 'since'
            if child.dep_ == 'mark' and child.lower_ in cues['elapsed_marks'] and (elapsed := _elapsed(child, cues)):
                return BACKGROUND, elapsed  # 'a month after their deployment upset Iran'
            if (elapsed := _elapsed_before(child, cues)):
                return BACKGROUND, elapsed  # 'Four years before X's death made headlines, a man was shot'
            if child.dep_ == 'advmod' and child.lower_ in cues['recap_adverbs']:
                return BACKGROUND, child.lower_
            if child.dep_ == 'advcl' and any(m.dep_ == 'mark' and m.lower_ in cues['since_words'] for m in child.children):
                return BACKGROUND, 'since'  # 'have been reported since the pandemic began': a running total
            if child.dep_ == 'prep' and child.lower_ in cues['since_words'] and node.pos_ != 'VERB':
                return BACKGROUND, 'since'
        year = _old_year(node, reference_year) if reference_year else None
        if year:
            return BACKGROUND, year
    if token.dep_ in ('relcl', 'advcl', 'acl') and reference_year and _YEAR.match(token.head.text) \
            and int(token.head.text[:4]) < reference_year:
        return BACKGROUND, token.head.text  # 'in 2021, when five people were killed'
    # the trigger's own clause, less the clauses before it that describe its other words ('a
    # commander, wanted in last year's massacre case, was killed': last year is when he was
    # wanted), but not an event noun's ('the attack, which took place last year, killed four');
    # a time at the end of the sentence may be the parser's misplaced attachment
    clause = ' '.join([_clause_text(token, before=True)] + [_clause_text(node) for node in shared[:1]])
    for pattern in cues['recap_patterns']:
        found = pattern.search(clause)
        if found and found.group(0) in cues['undated_recaps']:
            # how long, not when: only in the trigger's own clause, and not when it names its day
            found = None if _dated_clause(token) else pattern.search(
                ' '.join([_clause_text(token, own=True)] + [_clause_text(node, own=True) for node in shared[:1]]))
        if found:
            return BACKGROUND, found.group(0)
    own_text = ' '.join([_clause_text(token, own=True)] + [_clause_text(node, own=True) for node in shared[:1]])
    span = _month_span(own_text) or (None if _names_its_day(token) else _duration(own_text, cues))
    if span:
        return BACKGROUND, span  # 'arrested between January and September', 'during more than a year of talks'
    described = _described_text(token)
    for pattern in cues['era_patterns']:
        for found in pattern.finditer(described):
            after = described[found.end():].split()
            if after and after[0] in cues['era_named_nouns']:
                continue  # 'the World War Two memorial', 'a WWII veteran': of today
            if not described[:found.start()].rstrip().endswith(('since', 'after', 'before', 'post -', 'pre -', 'post-', 'pre-')):
                return BACKGROUND, found.group(0)  # not 'the heaviest bombardment since World War Two'
    if _past_perfect_main_clause(token):
        return BACKGROUND, 'had'  # 'The family had appealed for donors': what came before the news
    return CURRENT, None


_MONTHS = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')
_MONTH = r'(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?'
_MONTH_SPAN = re.compile(r'\b(?:between|from) ' + _MONTH + r'(?: \d{4})? (?:and|to|until|through|-) ' + _MONTH + r'\b'
                         r'|\b' + _MONTH + r' ?[-–] ?' + _MONTH + r'\b')


def _month_span(text):
    """'between january and september', 'jan-sept': a tally over two months or more, as
    'january-september'; else None."""
    for found in _MONTH_SPAN.finditer(text):
        first, last = [g for g in found.groups() if g]
        if (_MONTHS.index(last[:3]) - _MONTHS.index(first[:3])) % 12 >= 2:
            return f'{first}-{last}'
    return None


def _duration(text, cues):
    """'during more than a year of talks', 'over two months': a span of months or years that
    the clause's events are told over (a tally, not one event); the phrase, else None."""
    found = cues['duration_pattern'].search(text)
    return found.group(0) if found else None


# Words that order a past perfect within the news ('had fired tear gas before the rally ended').
_ORDERING_MARKS = frozenset({'before', 'after', 'when', 'until', 'by', 'as', 'while', 'once'})


def _past_perfect_main_clause(verb):
    """A main-clause verb in the past perfect with no time of its own ('had appealed for
    donors'): told as what came before (not 'police said they had arrested 12', a report's
    backshift, nor 'had arrested 12 by Sunday', 'had fired tear gas before the rally ended')."""
    return verb.pos_ == 'VERB' and verb.tag_ == 'VBN' and verb.dep_ == 'ROOT' \
        and any(c.dep_ == 'aux' and c.lower_ == 'had' for c in verb.children) \
        and not any(c.lower_ in _ORDERING_MARKS for c in verb.subtree) \
        and not any(t.ent_type_ in ('DATE', 'TIME') for c in verb.children if c.dep_ not in ('nsubj', 'nsubjpass')
                    for t in c.subtree)  # (a subject's age, 'Paul, 31,', is no time of the verb)


def _elapsed(mark, cues, units='elapsed_units'):
    """'a month after', 'two years after': the measure of time before an 'after' (or
    'following') of weeks or longer (of ``units``), as 'month after'; else None."""
    unit = next((c.lower_ for c in mark.children if c.dep_ == 'npadvmod' and c.lower_ in cues[units]), None)
    return f'{unit} {mark.lower_}' if unit else None


def _elapsed_before(child, cues):
    """A clause's phrase or clause of 'before' measured in years or decades ('four years
    before the protests', 'four years before his death made headlines'): the clause tells
    of that long ago; its measure as 'years before', else None."""
    if child.dep_ == 'prep' and child.lower_ in cues['elapsed_before_marks']:
        return _elapsed(child, cues, 'elapsed_before_units')
    if child.dep_ == 'advcl':
        return next((e for m in child.children if m.dep_ == 'mark' and m.lower_ in cues['elapsed_before_marks']
                     and (e := _elapsed(m, cues, 'elapsed_before_units'))), None)
    return None


def _told_in_court(verb, cues):
    """True for 'a court heard', 'the jury was told': a court's hearing of what it tries
    (not 'a judge told reporters': the court hears, or is told)."""
    lemma = verb.lemma_.lower()
    if lemma not in cues['court_verbs']:
        return False
    roles = ('nsubjpass',) if lemma == 'tell' else ('nsubj',)
    if lemma == 'tell' and not any(c.dep_ in ('dobj', 'dative') for c in verb.children):
        roles = ('nsubjpass', 'nsubj')  # a headline's 'jury told', its auxiliary dropped
    return any(c.dep_ in roles and c.lemma_.lower() in cues['court_nouns'] for c in verb.children)


def _shared_time_clause(node):
    """The clause a participle clause hangs on, when it has no subject, marker or date of
    its own ('dealt heavy blows during a war in 2024, killing its leader'): [its head's
    clause nodes], else []."""
    if node.dep_ != 'advcl' or node.tag_ != 'VBG' or node.head.i == node.i:
        return []
    if any(c.dep_ in ('nsubj', 'nsubjpass', 'mark') or c.ent_type_ in ('DATE', 'TIME') for c in node.children):
        return []
    return clause_nodes(node.head)


def _trend(verb, cues):
    """A trigger verb in the present (simple, perfect or progressive) told with a trend adverb
    and no date of its own: 'as governments increasingly call out spies', 'forces are
    increasingly attacking depots' (a trend, not one event; a noun or a participle under such a
    verb keeps its own reading: 'as protests increasingly turn violent')."""
    if verb.pos_ not in ('VERB', 'AUX') or not any(c.dep_ == 'advmod' and c.lower_ in cues['trend_adverbs']
                                                    for c in verb.children):
        return False
    return verb_form(verb) is not None and not has_time(verb)


def _habitual(verb, cues):
    """True when a verb in the perfect or the simple present carries a habitual adverb and
    its clause names no date of its own ('has repeatedly threatened', 'has long called for')."""
    if not any(c.dep_ == 'advmod' and c.lower_ in cues['habitual_adverbs'] for c in verb.children):
        return False
    if verb_form(verb) not in ('simple', 'perfect'):
        return False
    # its own clause's time, not a coordinated or subordinate clause's ('have often accused
    # X, and had resisted acting until this week')
    own = [c for c in verb.children if c.dep_ not in ('conj', 'advcl', 'relcl', 'ccomp')]
    return not any(has_time(c) for c in own) and verb.ent_type_ not in ('DATE', 'TIME')


def _described_text(token):
    """Lower-cased text of the trigger's clause, or of the noun that clause describes
    ('the remains of a WWII seaman killed at Pearl Harbor')."""
    node = clause_head(token)
    if node.dep_ in ('acl', 'relcl'):
        node = node.head
    nested = {t.i for c in node.subtree if c.i != node.i and c.dep_ in ('relcl', 'acl', 'ccomp', 'advcl')
              and not c.is_ancestor(token) and c.i != token.i for t in c.subtree}
    return ' '.join(t.lower_ for t in node.subtree if t.i not in nested)  # not 'who glorified WWII crimes'


_PARTS_OF_A_YEAR = frozenset({'fall', 'autumn', 'spring', 'summer', 'winter', 'start', 'beginning', 'end', 'middle',
                              'half', 'course', 'months', 'early', 'late'})


def _old_year(node, reference_year):
    """A year before ``reference_year`` modifying the node: 'the 2011 bombing', 'in 2023', 'in October 2023'."""
    candidates = [c for c in node.children if c.dep_ in ('nummod', 'compound', 'amod', 'npadvmod', 'poss')]
    for prep in node.children:
        if prep.dep_ == 'prep' and prep.lower_ in ('in', 'during', 'of', 'on'):
            for obj in prep.children:
                if obj.dep_ == 'pobj':
                    candidates.append(obj)
                    candidates.extend(c for c in obj.children if c.dep_ in ('nummod', 'compound', 'npadvmod', 'appos'))
                    if prep.lower_ != 'of':  # 'during a war in 2024', 'shot dead on a busy road in 1986',
                        # 'in the fall of 1988', 'in the summer of 2019'
                        candidates.extend(y for p in obj.children if p.dep_ == 'prep' and (
                            p.lower_ == 'in' or (p.lower_ == 'of' and obj.lemma_.lower() in _PARTS_OF_A_YEAR))
                            for y in p.children if y.dep_ == 'pobj')
    for c in candidates:
        if _YEAR.match(c.text) and int(c.text[:4]) < reference_year:
            return c.text
    return None


def _clause_text(token, own=False, before=False):
    """Lower-cased text of the trigger's smallest verb clause; with ``own``, without the
    clauses and appositions nested in it that do not hold the trigger ('arrested a man who
    had been on the run for years': the years are the man's); with ``before``, without those
    nested clauses only when they end before the trigger."""
    head = clause_head(token)
    if not (own or before):
        return ' '.join(t.lower_ for t in head.subtree)
    nested = {t.i for c in head.subtree if c.i != head.i and c.dep_ in _NESTED and not c.is_ancestor(token)
              and c.i != token.i and (own or (c.head.i != token.i and c.right_edge.i < token.i
                                              and c.head.lemma_.lower() not in factuality_cues()['event_nouns']))
              for t in c.subtree}
    return ' '.join(t.lower_ for t in head.subtree if t.i not in nested)


_NESTED = ('relcl', 'acl', 'appos')


def _dated_clause(token):
    """True when the trigger's clause names a day of its own ('on Monday', 'on March 5')."""
    head = clause_head(token)
    return any(t.ent_type_ == 'DATE' and (t.lower_ in _DAY_WORDS or t.like_num) for t in head.subtree)


_DAY_WORDS = frozenset([d.lower() for d in calendar.day_name] + ['today', 'yesterday', 'overnight', 'tonight'])
_MONTH_NAMES = frozenset(m.lower() for m in calendar.month_name[1:] + calendar.month_abbr[1:])


def _names_its_day(token):
    """The trigger's clause names a day: a weekday, 'yesterday', or a date ('March 5'), not
    a count of months ('over the past two months')."""
    dates = [t for t in clause_head(token).subtree if t.ent_type_ == 'DATE']
    return any(t.lower_ in _DAY_WORDS or (t.like_num and any(
        abs(u.i - t.i) == 1 and u.lower_.rstrip('.') in _MONTH_NAMES for u in dates)) for t in dates)


@Language.factory('wirewatch_time')
def make_time_component(nlp, name):
    return TimeComponent(name)


class TimeComponent:
    """Sets ``time_status`` and ``time_cue`` on each trigger of ``doc._.triggers``."""

    def __init__(self, name='wirewatch_time'):
        self.name = name
        self.cues = time_cues()

    def __call__(self, doc):
        reference_year = doc.user_data.get('reference_year')
        for match in doc._.triggers or ():
            match.time_status, match.time_cue = read_time(match.token, reference_year, self.cues)
        return doc
