"""Word sense of a trigger: 'strike' can be military, a labour strike or an earthquake;
'attack' armed, verbal or a heart attack; 'fire' gunfire, a wildfire or a sacking;
'clash' a battle or a football match; 'rally' a protest, a campaign event or a market
move; 'fight' armed or against corruption. Killing by disease, disaster or accident
is not ASSAULT.

The rules are data (data/senses.json): word classes (hazard, medical, accident,
sports, market, labour, ...) and, per trigger lemma, rules that look for a class in
the trigger's arguments (its dependents, subject, object and governor) or anywhere in
its sentence. A fired rule either drops the trigger (not an event in that sense) or
re-codes it as another lexicon entry (a verbal attack is ACCUSE, 'struck a deal' is
AGREE, 'fired two officials' is a dismissal). ``require`` names a class that must be
present for an ambiguous violent reading to stand at all (a bare 'strike' needs a
military word nearby).

Loaded by the registered spaCy component ``wirewatch_sense``, which sets
``match.sense`` on each trigger of ``doc._.triggers`` and re-codes or drops it.
"""
import functools

from spacy.language import Language

from wirewatch.transforms.extract.clauses import (agent_tokens, argument_tokens, lemma_set, next_sentence,
                                                   object_tokens, subject_tokens, told_dead, told_to_death)
from wirewatch.transforms.extract.counts import human_nouns
from wirewatch.transforms.extract.factuality import factuality_cues
from wirewatch.transforms.extract.lexicon import load_data
from wirewatch.transforms.extract.triggers import TriggerLexicon

VIOLENT = 'violent'   # the default sense of a conflict trigger
CONFIRMED = 'confirmed'  # an ambiguous trigger whose required context is present
DEFAULT = 'default'


@functools.lru_cache(maxsize=1)
def sense_rules():
    data = load_data('senses')
    classes = {name: frozenset(words) for name, words in data['classes'].items()}
    group_of = {lemma: name for name, lemmas in data.get('groups', {}).items() for lemma in lemmas}
    return {'classes': classes, 'rules': data['rules'], 'require': data['require'], 'version': data['version'],
            'group_of': group_of, 'noun_only': frozenset(data.get('noun_only', ())),
            'by_people': frozenset(data.get('by_people', ())),
            'of_people': frozenset(data.get('of_people', ())),
            'to_death': frozenset(data.get('to_death', ())),
            'people': frozenset(data.get('people', ())),
            'not_passive': frozenset(data.get('not_passive', ())),
            'source_verbs': frozenset(data['source_verbs']),
            'require_with_entries': frozenset(data.get('require_with_entries', ())),
            'not_passive_subjects': frozenset(data['classes'].get(data.get('not_passive_subjects', ''), ())),
            'victims': human_nouns()}


# Names whose words say what the name is, not what the sentence is about: 'clashes between
# Awami League and BNP activists' are no sports match ('World Cup', an EVENT, still is).
NAME_LABELS = frozenset({'ORG', 'PERSON', 'FAC', 'GPE', 'LOC', 'WORK_OF_ART', 'LAW', 'PRODUCT'})


def _context(tokens, noun_only, names=True):
    """Lemmas and words of ``tokens``; a verb of ``noun_only`` ('stormed a village',
    'flooded the streets') is not the noun it shares a lemma with. Without ``names``, a
    word of a multi-word name is left out: it may confirm a sense ('Myanmar Armed Forces
    clashed') but never take one away."""
    return lemma_set(t for t in tokens if not (t.pos_ in ('VERB', 'AUX') and t.lemma_.lower() in noun_only)
                     and (names or not _in_a_name(t)) and not _an_age(t) and not _the_heart_of(t))


def _the_heart_of(token):
    """'in the heart of the capital': a place's centre, no organ (no heart attack)."""
    doc, i = token.doc, token.i
    return token.lower_ == 'heart' and i + 1 < len(doc) and doc[i + 1].lower_ == 'of' \
        and i > 0 and doc[i - 1].lower_ == 'the'


def _an_age(token):
    """A word of a person's age ('a 6-year-old boy', 'aged 49 years old'): no prison term
    ('jailed for six years')."""
    doc, i = token.doc, token.i
    if i + 1 < len(doc) and doc[i + 1].lower_ == 'old':
        return True
    return i + 2 < len(doc) and doc[i + 1].text == '-' and doc[i + 2].lower_ == 'old'


def _in_a_name(token):
    """A proper noun of a name of two words or more: it continues its entity, or the next word does."""
    if token.pos_ != 'PROPN' or token.ent_type_ not in NAME_LABELS:
        return False
    doc = token.doc
    return token.ent_iob_ == 'I' or (token.i + 1 < len(doc) and doc[token.i + 1].ent_iob_ == 'I')


def _report_sources(sent, source_verbs):
    """Indices of the words that name who reports ('police say', 'security officials
    said'): the subject of a verb of saying, which is no participant of what it reports, so
    it never vetoes another reading ('restaurant explosion kills three, police say')."""
    return {t.i for verb in sent if verb.lemma_.lower() in source_verbs
            for child in verb.children if child.dep_ == 'nsubj' for t in child.subtree}


def _aimed(verb):
    """A verb aimed with 'on', 'at' or 'upon': with no object ('fired on the crowd'), or with
    the preposition stranded by a passive ('an officer was fired at by gunmen')."""
    aims = [c for c in verb.children if c.dep_ in ('prep', 'prt') and c.lower_ in ('on', 'at', 'upon')]
    if any(not any(g.dep_ == 'pobj' for g in a.children) for a in aims):
        return True
    return bool(aims) and not any(c.dep_ in ('dobj', 'nsubjpass') for c in verb.children)


def _done_by_people(token, rules):
    """The verb's doer is an armed or organised group or a mob (its active subject or its
    'by' agent: 'gunmen', 'a mob', 'an unknown group', 'Al Shabaab', 'Fulani herdsmen') and
    its victims are people ('killed a man', not 'killed 200 cattle'). A state counts too:
    'Israel kills four people in Gaza'."""
    if token.pos_ != 'VERB':
        return False
    doers = [c for c in token.children if c.dep_ == 'nsubj']
    doers += [g for c in token.children if c.dep_ == 'agent' for g in c.children if g.dep_ == 'pobj']
    victims = [c for c in token.children if c.dep_ in ('dobj', 'nsubjpass')]
    # a bare number counts people ('Israel kills six in Gaza'), as a number word a noun of them does
    people = any(_people_word(v, rules)
                 or (v.like_num and v.ent_type_ in ('CARDINAL', '') and not any(c.dep_ == 'prep' and c.lower_ == 'of'
                                                                                 for c in v.children))
                 for v in victims)  # (not 'killed two of the amendments')
    return people and any(d.lemma_.lower() in rules['people'] or d.lower_ in rules['people']
                          or d.ent_type_ in ('ORG', 'NORP', 'GPE') for d in doers)


def _of_people(noun, rules):
    """The noun is told of people: its 'of' phrase names a person or people ('the killing
    of a rapper', 'of two students', 'of Tobin Varek'); not a cause of something else
    ('as the killing of X sparks a debate', 'protests sparked by the killing of X')."""
    causal = factuality_cues()['causal_verbs']
    if (noun.dep_ == 'nsubj' and noun.head.lemma_.lower() in causal) or (
            noun.dep_ == 'pobj' and noun.head.dep_ == 'agent' and noun.head.head.lemma_.lower() in causal):
        return False
    return (noun.pos_ in ('NOUN', 'PROPN') or noun.tag_ == 'VBG') and any(
        g.dep_ == 'pobj' and _people_word(g, rules)
        for c in noun.children if c.dep_ == 'prep' and c.lower_ == 'of' for g in c.children)


def _people_word(word, rules):
    """A noun of people ('villagers', 'a rapper'), a person's name or a nationality."""
    return word.lemma_.lower() in rules['victims'] or word.ent_type_ in ('PERSON', 'NORP')


def _passive_subjects(token):
    """The passive subject of a verb, or of the verb it is coordinated with when it is passive
    with none of its own ('protesters converge on the city, are met by police')."""
    own = [c for c in token.children if c.dep_ == 'nsubjpass']
    if own or token.dep_ != 'conj' or not any(c.dep_ == 'auxpass' for c in token.children):
        return own
    return [c for c in token.head.children if c.dep_ in ('nsubj', 'nsubjpass')]


def _agents(token):
    """Lemmas of a passive verb's 'by' agents."""
    return {g.lemma_.lower() for g in agent_tokens(token)}


def _doers_of(token):
    """The subjects of the verb whose object the trigger noun is ('Iran continues strikes': Iran),
    and their conjuncts; not the subject's modifiers ('Iranian truckers continued strikes': truckers)."""
    if token.dep_ != 'dobj':
        return []
    subjects = [_counted(c) for c in token.head.children if c.dep_ == 'nsubj']
    return [t for s in subjects for t in [s, *s.conjuncts]]


QUANTITY_NOUNS = frozenset({'tens', 'hundreds', 'thousands', 'dozens', 'scores', 'millions', 'number', 'group'})


def _counted(noun):
    """What a quantity counts: 'workers' of 'tens of thousands of US medical workers'."""
    while noun.lower_ in QUANTITY_NOUNS:
        inner = next((o for p in noun.children if p.dep_ == 'prep' and p.lower_ == 'of'
                      for o in p.children if o.dep_ == 'pobj'), None)
        if inner is None:
            break
        noun = inner
    return noun


# What makes the next sentence's deaths another matter: a disaster, an illness, an accident, a game.
NOT_THE_SAME_HARM = ('hazard', 'medical', 'accident', 'sports', 'fire_hazard')
# Senses whose word says nothing violent to the triggers after it ('a truck struck a bus,
# killing four'); a game's word still may ('fans clashed after the match, injuring six').
HARMLESS_SENSES = frozenset(NOT_THE_SAME_HARM) - {'sports'}


def _casualties_told_next(token, rules):
    """The sentence after the trigger's tells of people killed or hurt and of nothing that
    would make it another matter (a disaster, an illness, an accident, a game): 'Opposing
    groups clashed. One activist killed and a dozen injured.'"""
    following = next_sentence(token.sent)
    if following is None:
        return False
    words = _context(following, rules['noun_only'])
    classes = rules['classes']
    return bool(words & classes['casualty']) and not any(words & classes[name] for name in NOT_THE_SAME_HARM)


def _lead_after_title(token):
    """The sentence after the title, for a trigger in the title; None for any other trigger."""
    title_chars = token.doc.user_data.get('title_chars') or 0
    return next_sentence(token.sent) if token.sent.start_char < title_chars else None


def _headline_with_lead(token):
    """For a trigger in a headline, the headline and the sentence after it (a terse
    headline's sense is in its lead: '... jailed' over 'handed extra jail time'); None for
    any other trigger, which is read in its own sentence."""
    lead = _lead_after_title(token)
    return token.doc[token.sent.start:lead.end] if lead is not None else None


def _lead_twins(token, arguments):
    """For a trigger in the title (with its ``arguments``), the words of the same lemma in
    the sentence after it: a headline's terse word is told again, with its manner, in the
    lead ('Premier launches attack on Kovia. The premier launched a blistering attack on
    Kovia ...'); none for any other trigger."""
    lead = _lead_after_title(token)
    if lead is None:
        return []
    lemma = token.lemma_.lower()
    own = _noun_lemmas(arguments)
    # the same word about the same party or thing ('attack on Kovia'), not another matter
    # told with it ('drones strike refinery ... days after Kovia struck a gas deal')
    return [t for t in lead if t.lemma_.lower() == lemma and own & _noun_lemmas(_own_words(t))]


def _noun_lemmas(tokens):
    return {t.lemma_.lower() for t in tokens if t.pos_ in ('NOUN', 'PROPN')}


CLAUSE_DEPS = frozenset({'advcl', 'ccomp', 'xcomp', 'relcl', 'acl', 'conj', 'parataxis', 'npadvmod'})


def _own_words(token):
    """A trigger's own dependents and their modifiers and objects, not the clauses hung on
    it ('struck a refinery ..., days after Kovia struck a gas deal': not the deal)."""
    words = []
    for child in token.children:
        if child.dep_ in CLAUSE_DEPS:
            continue
        words.append(child)
        words.extend(g for g in child.children if g.dep_ in ('compound', 'amod', 'pobj'))
    return words


def _title_named_again(token):
    """The title's nouns of the same word and their modifiers, for a definite event noun
    after the title ('Firm counts cost of cyberattack. The attack came amid ...', 'dies after
    heart attack. The attack ...'): it names again what the title named; else none."""
    title_chars = token.doc.user_data.get('title_chars') or 0
    if token.pos_ not in ('NOUN', 'PROPN') or token.sent.start_char < title_chars or not title_chars \
            or not any(c.dep_ == 'det' and c.lower_ in ('the', 'this', 'that') for c in token.children):
        return []
    lemma = token.lemma_.lower()
    named = [t for t in token.doc if t.idx < title_chars and lemma in t.lower_]  # 'attack', 'cyberattack'
    return named + [c for t in named for c in t.children if c.dep_ in ('compound', 'amod')]  # 'heart attack'


def read_sense(match, rules=None, harmless=frozenset()):
    """(sense, re-code lemma or None, keep) for a trigger match.

    ``keep`` is False when the trigger names no event in the sense found. ``harmless``:
    indices of words already read as an accident, a disaster, an illness or a game, which
    say nothing violent ('a truck struck a bus, killing four')."""
    rules = rules or sense_rules()
    classes = rules['classes']
    token = match.token
    lemma = match.entry['lemma']
    event_type = match.entry['event_type']
    own = lemma_set(match.tokens)
    # a title's word reads its lead's twin too: its manner is often told only there
    arguments = argument_tokens(token)
    args = _context(arguments + [a for twin in _lead_twins(token, arguments) for a in _own_words(twin)],
                    rules['noun_only']) - own
    objects = _context(object_tokens(token), rules['noun_only']) - own
    object_heads = _context(object_tokens(token, modifiers=False), rules['noun_only']) - own
    subjects = _context(subject_tokens(token), rules['noun_only']) - own
    sources = _report_sources(token.sent, rules['source_verbs'])
    sentence = _context((t for t in token.sent if t.i not in harmless and t.i not in sources), rules['noun_only']) - own
    # a headline's lead may take a sense away ('... jailed' over 'handed extra jail time'),
    # never confirm an ambiguous one
    with_lead = _headline_with_lead(token)
    story_words = _context(token.sent if with_lead is None else with_lead, rules['noun_only'], names=False) - own
    if lemma in rules['not_passive'] and (
            any(c.lemma_.lower() in rules['not_passive_subjects'] for c in _passive_subjects(token))
            or (any(c.dep_ == 'auxpass' for c in token.children) and _agents(token) & classes['security_forces'])):
        return 'passive', None, False  # 'protesters were met by the National Guard', '... are met by police'
    if lemma in rules['to_death'] and (told_to_death(token) or told_dead(token)) \
            and not story_words & classes['fiction']:
        return CONFIRMED, None, True  # 'beaten to death', even beside 'set a car alight'; 'shot dead'
    group = rules['group_of'].get(lemma)
    applicable = rules['rules'].get(lemma, []) + rules['rules'].get(f'{lemma}:{event_type}', []) \
        + rules['rules'].get(f'*:{event_type}', []) \
        + (rules['rules'].get(f'group:{group}', []) if group else [])

    def words_in(where):
        if where == 'doer':
            return _context(_doers_of(token), rules['noun_only'])
        if where == 'head':  # the noun the trigger modifies: 'attack submarines', 'attack ads'
            return {token.head.lemma_.lower(), token.head.lower_} if token.dep_ in ('compound', 'amod', 'nmod', 'poss') else set()
        if where == 'anaphor':
            return _context(_title_named_again(token), rules['noun_only'], names=False)
        return {'args': args, 'object': objects, 'object_head': object_heads, 'subject': subjects,
                'own': own}.get(where, story_words)

    for rule in applicable:
        if match.entry.get('mode') in rule.get('except_modes', ()):
            continue  # 'a hunger strike over job security' is no labour strike
        if rule.get('pos') and token.pos_ not in rule['pos']:
            continue  # (a deal is struck with a verb, not by 'Israeli strikes')
        if rule.get('listed') and not (token.pos_ in ('NOUN', 'PROPN') and (
                token.dep_ == 'conj' or any(c.dep_ == 'conj' for c in token.children))):
            continue  # a noun in a list: 'uncovered firearms, two pipe bombs and ammunition'
        if not words_in(rule['in']) & classes[rule['class']]:
            continue
        also = rule.get('also')
        if also and not words_in(also['in']) & classes[also['class']]:
            continue  # 'reporters asked the minister to explain' (but 'journalists demand release of a colleague')
        unless = rule.get('unless')
        if unless and any(sentence & classes[name] for name in ([unless] if isinstance(unless, str) else unless)):
            continue  # (one class or several: 'US, Canadian trade teams meet' is no game)
        if rule.get('unless_with') and own & classes[rule['unless_with']]:
            continue  # 'shots fired at an officer' is gunfire, whoever it hit
        if rule.get('unless_aimed') and _aimed(token):
            continue  # 'fired on a cargo ship' (but 'fired the coach at a meeting' is a sacking)
        if rule.get('unless_by_people') and lemma in rules['by_people'] and _done_by_people(token, rules):
            continue  # 'an unknown group on motorcycles killed a man' is no road accident
        recode = rule.get('as')
        return rule['sense'], recode, recode is not None
    required = rules['require'].get(f'{lemma}:{event_type}')
    if required and lemma in rules['of_people'] and _of_people(token, rules):
        return CONFIRMED, None, True  # 'Killing of rapper sends opposition underground'
    if required and ('with' not in match.entry or lemma in rules['require_with_entries']):
        if lemma in rules['by_people'] and _done_by_people(token, rules):
            return CONFIRMED, None, True  # 'an unknown group on motorcycles killed a man'
        needed = [required] if isinstance(required, str) else required
        if not any(sentence & classes[name] for name in needed):
            if 'casualty' in needed and _casualties_told_next(token, rules):
                return CONFIRMED, None, True  # 'Rival groups clashed. One activist was killed.'
            return 'unknown', None, False
        return CONFIRMED, None, True
    return (VIOLENT if match.entry.get('quad_class') == 4 else DEFAULT), None, True


@Language.factory('wirewatch_sense')
def make_sense_component(nlp, name):
    return SenseComponent(name)


class SenseComponent:
    """Sets ``sense`` on each trigger of ``doc._.triggers``, re-codes it, or marks it as
    naming no event (``sense_keeps`` False: kept on the doc for audit, never coded)."""

    def __init__(self, name='wirewatch_sense'):
        self.name = name
        self.rules = sense_rules()
        self.lexicon = TriggerLexicon.load()

    def __call__(self, doc):
        harmless = set()
        for match in doc._.triggers or ():
            sense, recode, keep = read_sense(match, self.rules, harmless)
            if sense in HARMLESS_SENSES:
                harmless.update(t.i for t in match.tokens)
            match.sense = sense
            entry = self.lexicon.entry_for(recode) if recode else None
            if entry is not None:
                match.entry = entry
            match.sense_keeps = keep and (recode is None or entry is not None)
        return doc
