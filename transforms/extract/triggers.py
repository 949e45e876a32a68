"""Trigger matching and argument finding on a dependency parse.

A trigger is a verb or noun whose lemma is in data/triggers.json, optionally with a
required dependent ('send' + 'troops', 'open' + 'fire', 'set' on 'fire'). Arguments
come from the parse: subject and object of an active verb, the agent (or the other
side of 'clashes with ...') and the subject of a passive one, of/by/with-phrases and
possessives of a noun, and the subject of a light verb ('protesters staged a rally').
Grammar cue words live in data/grammar.json.
"""
import dataclasses
import functools

from spacy.language import Language
from spacy.tokens import Doc

from wirewatch.transforms.extract.actors import UNKNOWN_SECTOR, resolve_reflexive, sector_for_words
from wirewatch.transforms.extract.clauses import in_title, infinitive_clauses, is_infinitive
from wirewatch.transforms.extract.counts import human_nouns
from wirewatch.transforms.extract.lexicon import load_data

if not Doc.has_extension('triggers'):
    Doc.set_extension('triggers', default=None)

# Dependents that can complete a multiword trigger ('open fire', 'crack down', 'hunger strike').
WITH_DEPS = ('dobj', 'nsubjpass', 'attr', 'compound', 'amod', 'prt', 'oprd', 'dative', 'nmod',
             'npadvmod', 'acomp', 'advmod', 'nsubj', 'pobj')
VERB_POS = ('VERB',)
# Words that are a phrasal verb's particle after it ('called out'), never before it.
PARTICLES = frozenset({'out', 'up', 'down', 'off', 'on', 'in', 'over', 'back', 'away'})
NOUN_POS = ('NOUN', 'PROPN')
TRIGGER_POS = frozenset(VERB_POS + NOUN_POS)
# PLOVER quad classes of what is said (verbal cooperation, verbal conflict): only someone says it.
VERBAL_QUADS = (1, 3)
# Event nouns that also name a body that speaks: 'the Russian mission to the UN rejected ...'.
SPEAKING_EVENT_NOUNS = frozenset({'mission'})


@dataclasses.dataclass
class TriggerMatch:
    """One trigger in a sentence: its head ``token``, lexicon ``entry`` and all its tokens,
    and what the sense, factuality and time components read of it."""
    token: object
    entry: dict
    tokens: list
    sense: str = 'default'
    sense_keeps: bool = True
    factuality: str = 'ASSERTED'
    factuality_cue: str | None = None
    time_status: str = 'CURRENT'
    time_cue: str | None = None
    headline_verb: bool = False  # a title's verb the small model tagged as a noun ('US sanctions ICC judges')

    @property
    def rejection(self):
        """Why this trigger codes no event ('sense:hazard', 'factuality:FUTURE:will',
        'time:BACKGROUND:since'), or None when it is a current, asserted event."""
        if not self.sense_keeps:
            return f'sense:{self.sense}'
        if self.factuality != 'ASSERTED':
            return f'factuality:{self.factuality}:{self.factuality_cue}'
        if self.time_status != 'CURRENT':
            return f'time:{self.time_status}:{self.time_cue}'
        return None

    @property
    def text(self):
        return ' '.join(t.text for t in sorted(self.tokens, key=lambda t: t.i))

    @property
    def is_noun(self):
        return self.token.pos_ in NOUN_POS and not self.headline_verb


@functools.lru_cache(maxsize=1)
@functools.lru_cache(maxsize=1)
def grammar():
    """data/grammar.json with its lists as frozensets (built once; shared, do not mutate)."""
    data = load_data('grammar')
    return {key: (frozenset(value) if isinstance(value, list) else value) for key, value in data.items()
            if not key.startswith('_')}


class TriggerLexicon:
    """The trigger lexicon, indexed by lemma (entries with a required dependent first)."""

    def __init__(self, entries=None):
        entries = entries if entries is not None else load_data('triggers')['triggers']
        self.by_lemma = {}
        for entry in entries:
            self.by_lemma.setdefault(entry['lemma'], []).append(entry)
        for options in self.by_lemma.values():
            options.sort(key=lambda e: 'with' not in e)
        self.noun_lemmas = frozenset(e['lemma'] for e in entries if set(e['pos']) & set(NOUN_POS))

    @classmethod
    @functools.lru_cache(maxsize=1)
    def load(cls):
        return cls()

    def entry_for(self, lemma):
        """The plain (no required dependent) entry of ``lemma``, for re-coding a trigger."""
        options = [e for e in self.by_lemma.get(lemma, ()) if 'with' not in e]
        return options[0] if options else None

    def find_in_doc(self, doc):
        """All trigger matches of a parsed doc, sentence by sentence."""
        found = []
        for sent in doc.sents:
            found.extend(self.find(sent))
        return found

    def find(self, sent):
        """All :class:`TriggerMatch` in a sentence, in order; a required dependent is consumed."""
        found, consumed = {}, set()
        for specific in (True, False):
            for token in sent:
                if token.i in found or token.i in consumed:
                    continue
                match = self._match(token, specific)
                if match:
                    found[token.i] = match
                    if match.headline_verb:  # no part of the noun phrase the parser hung it in
                        token.doc.user_data.setdefault('headline_verbs', set()).add(token.i)
                    consumed.update(t.i for t in match.tokens if t.i != token.i)
        return [found[i] for i in sorted(found) if i not in consumed]

    def _match(self, token, specific):
        if token.pos_ not in TRIGGER_POS:
            return None
        options = self.by_lemma.get(token.lemma_.lower()) or self.by_lemma.get(token.lower_)
        headline_verb = None
        for entry in options or ():
            as_verb = False
            if token.pos_ not in _pos_names(entry['pos']):
                if 'VERB' not in entry['pos']:
                    continue
                if headline_verb is None:
                    headline_verb = _headline_verb(token)
                if not headline_verb:
                    continue
                as_verb = True  # 'Israel, Lebanon sign framework peace deal': 'sign' is the verb
            if ('with' in entry) != specific:
                continue
            if entry.get('lowercase') and not token.text.islower():
                continue
            if 'NOUN' not in entry['pos'] and token.dep_ in NOUN_ROLES and not as_verb:
                continue  # a verb-only trigger the tagger calls a verb in a noun's place: 'on corruption charges'
            dependents = list(_object_words(token) if entry.get('with_object') else _dependents(token))
            if as_verb:
                if 'with' not in entry and not _names_a_party(token.doc[token.i + 1]):
                    continue  # 'US sanctions ICC judges', not 'US sanctions tracker', 'Ukraine shells shortage'
                dependents += _headline_verb_object(token)
            if any(d.lemma_.lower() in entry.get('unless', ()) for d in dependents):
                continue
            if token.pos_ in NOUN_POS and token.dep_ in ('compound', 'nmod') and not specific and not as_verb:
                if headline_verb is None:
                    headline_verb = _headline_verb(token)
                if not headline_verb or not _names_a_party(token.doc[token.i + 1], known=True):
                    continue  # 'protest leaders' is about leaders, a 'murder hornet' is an insect
                as_verb = True  # '... after Houthis attack Saudi Arabia'
            if entry.get('no_object') and any(c.dep_ in ('dobj', 'oprd', 'ccomp') for c in token.children):
                continue  # 'called Democrats freaks for ...' is no call for something
            if entry.get('no_clause') and any(c.dep_ == 'ccomp' for c in token.children):
                continue  # 'protested that he could not breathe' says something, it is no protest
            if entry.get('as_object') and token.dep_ not in ('dobj', 'attr', 'conj'):
                continue  # 'declared a ceasefire' is one; 'hopes the ceasefire holds' is not
            if entry.get('object_in_with') and any(c.dep_ == 'dobj' and c.lemma_.lower() not in entry['with']
                                                   for c in token.children):
                continue  # 'police withdraw fines': what is withdrawn is no force
            if entry.get('someone_to') and not _someone_to(token):
                continue  # 'told Canada to remove diplomats' asks; 'told reporters about it' does not
            if specific:
                hit = next((d for d in dependents if (d.lemma_.lower() in entry['with'] or d.lower_ in entry['with'])
                            and not (d.lower_ in PARTICLES and d.i < token.i)  # 'Out in force, workers called for': no particle
                            and ('with_prep' not in entry or (d.dep_ == 'pobj' and d.head.lower_ in entry['with_prep']))),
                           None)
                if hit is None:
                    continue
                if entry.get('with_state') and not _of_a_state(hit):
                    continue  # 'hosted the club president', 'hosted league leaders Ipswich'
                if entry.get('mode') == 'dismiss' and hit.dep_ == 'nsubj' and (
                        not in_title(token) or any(c.dep_ == 'dobj' for c in token.children)):
                    continue  # 'a police officer fired, killing the suspect' shot ('Police chief fired' is a headline's
                    # passive; 'Judge dismisses charges', with its object, is active)
                return TriggerMatch(token, entry, [token, hit], headline_verb=as_verb)
            return TriggerMatch(token, entry, [token], headline_verb=as_verb)
        return None


def _of_a_state(noun):
    """A leader or envoy of a state: a nationality, a country or its possessive before the
    noun ('Norland's president', 'the Varnian envoy'), or 'of' a country after it."""
    before = [c for c in noun.children if c.dep_ in ('amod', 'compound', 'poss', 'nmod') and c.i < noun.i]
    after = [g for c in noun.children if c.dep_ == 'prep' and c.lower_ == 'of' for g in c.children if g.dep_ == 'pobj']
    return any(t.ent_type_ in ('GPE', 'NORP') for w in before + after for t in w.subtree)


# Nouns that a word before them qualifies as a compound, never as its verb's object ('appeals court').
COMPOUND_HEADS = frozenset({'court', 'courts', 'station', 'stations', 'judge', 'tribunal', 'panel', 'process', 'hearing'})


def _headline_verb(token):
    """A title's word the small model tagged as a noun that is the title's verb: it follows
    the opening subject (names, a demonym and a noun, a list of them: 'US sanctions ICC
    judges', 'Israeli military cracks down on village', 'Israel, Lebanon sign peace deal'),
    nothing before it is a verb, article or preposition, no verb governs it, a word follows
    it, and its form agrees with the subject (a third-person -s, or a base form after a list)."""
    sent = token.sent
    if not in_title(token) or token.pos_ not in NOUN_POS or token.i == sent.start \
            or token.i + 1 >= sent.end or token.doc[token.i + 1].is_punct \
            or token.doc[token.i + 1].lower_ in COMPOUND_HEADS:
        return False  # (not 'French appeals court lowers charges', 'Precinct police station set on fire')
    start = _headline_clause_start(token)
    if any(a.pos_ in ('VERB', 'AUX') and a.i >= start for a in token.ancestors):
        return False  # (a verb before a second clause's mark governs that clause, not its verb)
    subject = token.doc[start:token.i]
    # (a possessive only before a person's name: 'Russia's Putin hosts Myanmar leader', not
    # 'Russia's sanctions relief')
    if not len(subject) or any(t.pos_ in ('VERB', 'AUX', 'DET', 'ADP', 'PRON', 'NUM') or t.lower_ == 'of'
                               or (t.lower_ == "'s" and subject[-1].ent_type_ != 'PERSON') for t in subject) \
            or subject[-1].is_punct:
        return False
    if not any(t.pos_ == 'PROPN' or t.ent_type_ in ('GPE', 'NORP', 'ORG', 'PERSON') for t in subject):
        return False
    word = token.lower_
    if word.endswith('s') and not word.endswith('ss'):
        return True
    # a base form agrees with a list, or with a plural the parser hangs on it ('Israel, Lebanon
    # sign', 'UK police charge man'; not 'rioters storm police station', where 'police' is the object's)
    return word == token.lemma_.lower() and (any(t.lower_ in (',', 'and') for t in subject)
                                             or (_plural(subject[-1]) and _hangs_on(subject, token)))


def _hangs_on(subject, token):
    """The parser hangs the words before ``token`` on it as one noun phrase ('UK police
    charge man'), not as a clause of their own ('rioters storm police station')."""
    return subject[-1].head.i == token.i and all(
        t.dep_ != 'ROOT' and (t.head.i == token.i or subject.start <= t.head.i < subject.end) for t in subject)


def _headline_clause_start(token):
    """Where the title's clause of ``token`` begins: after the last mark of a second clause
    before it ('Pakistan worries ... after Houthis attack Saudi Arabia'), else the sentence's start."""
    marks = grammar()['headline_clause_marks']
    sent = token.sent
    return next((t.i + 1 for t in reversed(token.doc[sent.start:token.i]) if t.lower_ in marks), sent.start)


def _plural(noun):
    """A plural noun or people's plural name: 'police', 'rebels', 'Houthis', 'Israelis'."""
    return noun.tag_ in ('NNS', 'NNPS') or noun.lower_ == 'police' \
        or (noun.ent_type_ == 'NORP' and noun.lower_.endswith('s') and not noun.lower_.endswith('ss'))


def _names_a_party(token, known=False):
    """The word opens a party's or a target's name: a proper noun, a named entity or
    nationality, or a noun of people or of a body ('officials', 'army', 'judges'). With
    ``known``, a proper noun counts only as a named entity ('George Floyd protests LIVE
    updates': 'LIVE' is no party)."""
    if not token.is_alpha:
        return False  # 'US sanctions Q&A'
    return (token.pos_ == 'PROPN' and not known) or token.ent_type_ in ('GPE', 'NORP', 'ORG', 'PERSON') \
        or token.lemma_.lower() in human_nouns() or sector_for_words([token.lemma_]) != UNKNOWN_SECTOR


def _headline_verb_object(token):
    """A headline verb's object as the small model parsed it: the noun it modifies ('sign
    framework peace deal': deal) and that noun's other modifiers."""
    if token.dep_ not in ('compound', 'nmod', 'amod') or token.head.i <= token.i:
        return []
    head = token.head
    return [head] + [c for c in head.children if c.dep_ in ('compound', 'amod') and c.i > token.i]


def _headline_verb_arguments(token):
    """(subject, object) of a headline verb tagged as a noun: the opening noun phrase's last
    noun, and the noun it modifies or its own object or on/against phrase."""
    g = grammar()
    subject = token.doc[token.i - 1]
    while subject.head.i < token.i and subject.head.i != subject.i and subject.dep_ in ('compound', 'amod', 'nmod', 'conj'):
        subject = subject.head
    obj = _headline_verb_object(token)
    target = obj[0] if obj else (_child(token, 'dobj') or _pobj(token, g['target_prepositions'])
                                 or _pobj(token, g['partner_prepositions']))
    return subject, target


def _someone_to(verb):
    """The verb has an addressee and an infinitive of what the addressee is to do: an object
    (or the object of its on/upon) between the verb and the infinitive ('tells Canada to
    remove ...', 'called on voters to reject ...'), or the infinitive's own subject, as the
    parser reads 'asks that city to ...'."""
    clauses = infinitive_clauses(verb)
    addressees = [c for c in verb.children if c.dep_ in ('dobj', 'dative')] + [
        g for c in verb.children if c.dep_ in ('prep', 'prt') and c.lower_ in ('on', 'upon') for g in c.children if g.dep_ == 'pobj']
    return any(verb.i < a.i < clause.i for a in addressees for clause in clauses) \
        or any(g.dep_ == 'nsubj' for clause in clauses for g in clause.children)


# Roles only a noun plays.
NOUN_ROLES = frozenset({'pobj', 'nsubj', 'nsubjpass', 'dobj', 'compound', 'poss'})


def _pos_names(pos):
    return set(pos) | ({'PROPN'} if 'NOUN' in pos else set())


def _object_words(token):
    """The object of a verb (or its passive subject) and the object's compounds: 'hit a
    fuel depot' has its target; 'hits top gear in a town' has none."""
    for child in token.children:
        if child.dep_ in ('dobj', 'nsubjpass'):
            yield child
            yield from (c for c in child.children if c.dep_ in ('compound', 'amod'))


def _dependents(token):
    for child in token.children:
        if child.dep_ in WITH_DEPS or (child.dep_ == 'xcomp' and child.pos_ in NOUN_POS):
            yield child  # (a noun the parser hangs as a clause is an object: 'Hong Kong bans Tiananmen vigil')
        if child.dep_ == 'dobj':  # 'accused the president of treason'
            yield from (g for p in child.children if p.dep_ == 'prep' for g in p.children if g.dep_ == 'pobj')
        elif child.dep_ in ('nsubjpass', 'nsubj'):  # 'dozens of rockets were fired', a headline's 'dozens of rockets fired'
            yield from (g for p in child.children if p.dep_ == 'prep' and p.lower_ == 'of'
                        for g in p.children if g.dep_ == 'pobj')
        elif child.dep_ in ('advcl', 'ccomp') and is_infinitive(child):  # 'calls for the government to act'
            yield from (m for m in child.children if m.dep_ == 'mark' and m.lower_ == 'for')
        if child.dep_ in ('prep', 'agent', 'prt'):  # 'breaks off relations': a particle's object too
            if any(g.dep_ == 'pobj' and g.ent_type_ in ('DATE', 'TIME') for g in child.children):
                continue  # 'fired the minister on Monday' is no 'fire on'
            yield child
            for grandchild in child.children:
                if grandchild.dep_ == 'prep' and grandchild.lower_ == 'of' and child.lower_ == 'out':
                    yield grandchild  # 'out of' is one preposition: 'ruled out of the match'
                if grandchild.dep_ == 'pobj':
                    yield grandchild
                    yield from (g for g in grandchild.children if g.dep_ == 'compound')
    series = series_of(token)
    if series is not None:  # 'a wave of strikes on Iran': the series' phrases are its events'
        for child in series.children:
            if child.dep_ in ('prep', 'agent') and child.lower_ != 'of':
                yield child
                yield from (g for g in child.children if g.dep_ == 'pobj')


def series_of(noun):
    """The noun that counts or strings an event noun after its 'of' ('a wave of strikes on
    Iran', 'a series of attacks against police': wave, series), or None."""
    if noun.pos_ not in NOUN_POS or noun.dep_ != 'pobj' or noun.head.lower_ != 'of':
        return None
    head = noun.head.head
    return head if head.i != noun.head.i and head.lemma_.lower() in grammar()['series_nouns'] else None


# --- negation and modality --------------------------------------------------------

def polarity(match):
    """Confidence factor for the trigger's mood: None when negated ('did not attack'), else 0..1."""
    g = grammar()
    token = match.token
    verb = governing_verb(token)
    if any(c.dep_ == 'neg' for c in token.children):
        return None
    if match.is_noun and any(c.dep_ == 'det' and c.lower_ in g['negation_determiners'] for c in token.children):
        return None
    if token.dep_ in ('pobj', 'pcomp') and token.head.lower_ in g['negation_prepositions']:
        return None  # 'without warning'
    if verb is not None and verb.i != token.i and token.dep_ in ('dobj', 'nsubjpass', 'attr') \
            and any(c.dep_ == 'neg' for c in verb.children):
        return None
    factor = 1.0
    for node in [n for n in (token, verb) if n is not None][:2]:
        for child in node.children:
            if child.dep_ == 'aux' and child.tag_ == 'MD':
                factor *= g['modal_factors'].get(child.lower_, 0.7)
        infinitive = is_infinitive(node)
        if infinitive:
            factor *= g['infinitive_factor']
        if (node.dep_ == 'xcomp' or infinitive) and node.head.lemma_.lower() in g['hypothetical_governors']:
            factor *= g['hypothetical_factor']  # 'authorized the police to open fire'
        if any(c.dep_ == 'mark' and c.lower_ in g['conditional_marks'] for c in node.children):
            factor *= g['conditional_factor']
        if verb is None or verb.i == token.i:
            break
    return factor


def governing_verb(token):
    """The nearest verb at or above ``token`` (the token itself for a verb)."""
    node = token
    for _ in range(4):
        if node.pos_ in ('VERB', 'AUX'):
            return node
        if node.head.i == node.i:
            return None
        node = node.head
    return None


# --- arguments ---------------------------------------------------------------------

def find_arguments(match, lexicon):
    """(actor1 token, actor2 token) of a trigger; either may be None."""
    if match.headline_verb:
        actor1, actor2 = _headline_verb_arguments(match.token)
    elif match.is_noun:
        actor1, actor2 = _noun_arguments(match.token, match.entry)
    else:
        actor1, actor2 = _verb_arguments(match.token)
    # the trigger's required words, but not people it requires ('hosts Norland's president',
    # 'summoned the ambassador', 'charged a man'): they are who is acted on
    skip = {t.i for t in match.tokens if t.i == match.token.i or t.lemma_.lower() not in human_nouns()}
    actor1 = resolve_reflexive(actor1) if actor1 is not None else None
    actor2 = resolve_reflexive(actor2) if actor2 is not None else None
    if not match.is_noun and match.entry.get('quad_class') in VERBAL_QUADS and _is_event_noun(actor1, lexicon) \
            and actor1.lemma_.lower() not in SPEAKING_EVENT_NOUNS:
        actor1 = None  # 'the deployment threatens to escalate the war': an act, not a speaker, threatens
    elif match.entry.get('quad_class') in VERBAL_QUADS and actor1 is not None \
            and actor1.lemma_.lower() in grammar()['document_nouns']:
        actor1 = _author(actor1)  # 'a UN report accuses ...': the UN; 'a confidential report urged': no one
    else:
        actor1 = _through_event_noun(actor1, lexicon, skip)
    actor2 = _through_event_noun(actor2, lexicon, skip)
    if actor1 is not None and actor2 is not None and actor1.i == actor2.i:
        actor2 = None
    return actor1, actor2


def _author(document):
    """Who wrote a document: its 'by' or 'from' phrase, its possessor, or a body or country
    naming it ('a UN report'); None when none is named."""
    return _owner(document, {'by', 'from'}, ('ORG', 'GPE', 'NORP', 'PERSON'))


def _owner(noun, prepositions, labels):
    """Whose a noun is: the object of one of its ``prepositions``, its possessor, else a
    modifier that names one of the entity ``labels`` ('Israeli strike', 'a UN report')."""
    owner = _pobj(noun, prepositions) or _child(noun, 'poss')
    if owner is None:
        owner = next((c for c in noun.children if c.dep_ in ('amod', 'compound', 'nmod') and c.ent_type_ in labels),
                     None)
    return owner


def _child(token, *deps):
    return next((c for c in token.children if c.dep_ in deps), None)


def _pobj(token, prepositions, dep=('prep', 'agent')):
    for child in token.children:
        if child.dep_ in dep and child.lower_ in prepositions:
            obj = _child(child, 'pobj')
            if obj is not None:
                return obj
    return None


def _subject(verb, depth=0):
    g = grammar()
    subjects = [c for c in verb.children if c.dep_ == 'nsubj']
    # two subjects is a misparse of a clause before ('Oil steadies after US threatens ...'):
    # the verb's own subject is the one nearest before it
    subj = max((c for c in subjects if c.i < verb.i), key=lambda c: c.i, default=None) if len(subjects) > 1 \
        else (subjects[0] if subjects else None)
    if subj is not None and subj.lower_ in g['relative_pronouns'] and verb.dep_ == 'relcl':
        return verb.head
    if subj is not None or depth > 3:
        return subj
    infinitive = is_infinitive(verb)
    if verb.dep_ == 'xcomp' or (verb.dep_ == 'advcl' and infinitive):
        controller = _child(verb.head, 'dobj')  # 'authorized the police to open fire'
        return controller if controller is not None else _subject(verb.head, depth + 1)
    if verb.dep_ in ('conj', 'advcl') and verb.head.pos_ in ('VERB', 'AUX'):
        return _subject(verb.head, depth + 1)
    if verb.dep_ == 'acl' and verb.tag_ == 'VBG':
        return verb.head  # 'police firing tear gas'
    return None


def _is_passive(verb):
    if any(c.dep_ in ('nsubjpass', 'auxpass') for c in verb.children):
        return True
    if verb.tag_ == 'VBD' and _headline_passive(verb):
        return True
    if verb.dep_ == 'conj' and verb.tag_ == 'VBD' and _is_passive(verb.head) \
            and not any(c.dep_ in ('nsubj', 'dobj', 'aux') for c in verb.children):
        return True  # 'Shakur, a known activist, shot and killed': the second verb shares the first's voice
    if verb.tag_ != 'VBN' or any(c.dep_ == 'aux' for c in verb.children):
        return False
    if verb.dep_ == 'ROOT' and not in_title(verb) and {'nsubj', 'dobj'} <= {c.dep_ for c in verb.children}:
        return False  # a sentence's past tense tagged as a participle: 'Police pepper-sprayed some protesters'
    # 'vehicles set on fire', headline-style 'Massimov arrested on Saturday' (also as a
    # title's second clause: 'Airline cuts jobs, former PM arrested')
    return verb.dep_ in ('acl', 'ROOT') or (verb.dep_ == 'conj' and _is_passive(verb.head)) \
        or (verb.dep_ == 'ccomp' and in_title(verb) and any(c.dep_ == 'nsubj' for c in verb.children))


def _headline_passive(verb):
    """'Journalist shot dead in Manila', 'Protesters detained after march', 'Airline cuts
    jobs, former PM arrested', 'Student raped and killed, sister says': a title's verb
    of grammar's headline_passive_verbs, tagged past tense, with a subject before it and
    no object, auxiliary or clause after it, is a passive with its auxiliary dropped."""
    if not in_title(verb) or verb.dep_ not in ('ROOT', 'conj', 'ccomp'):
        return False
    # (a clause before the verb is another headline clause: 'Airline cuts jobs, ex-PM arrested')
    deps = {c.dep_ for c in verb.children if not (c.dep_ == 'ccomp' and c.i < verb.i)}
    lemma = verb.lemma_.lower()
    if lemma in grammar()['headline_passive_order_verbs']:  # 'US urged to see opportunity'
        return 'nsubj' in deps and 'xcomp' in deps and not deps & {'dobj', 'aux', 'dative'}
    if lemma not in grammar()['headline_passive_verbs']:
        return False
    return 'nsubj' in deps and not deps & {'dobj', 'aux', 'ccomp', 'xcomp', 'dative', 'attr'} \
        and not _shares_an_object(verb)


def _shares_an_object(verb):
    """A verb coordinated with the next one, which has an object ('police detained,
    questioned them'): both are active. The small model may hang the second on the first
    (conj) or beside it, after a comma or 'and'."""
    after = [c for c in verb.children if c.dep_ == 'conj'] + [
        t for t in verb.head.children if t.dep_ == verb.dep_ and 0 < t.i - verb.i <= 2 and t.tag_ == 'VBD']
    return any(c.dep_ == 'dobj' for t in after for c in t.children)


def _verb_arguments(verb):
    g = grammar()
    if _is_passive(verb):
        patient = _child(verb, 'nsubjpass', 'nsubj')
        if patient is not None and patient.lower_ in g['relative_pronouns'] and verb.dep_ == 'relcl':
            patient = verb.head
        if patient is None and verb.dep_ in ('acl', 'relcl'):
            patient = verb.head  # 'vehicles set on fire'
        agent = _pobj(verb, g['agent_prepositions']) or _partner_in_setting(verb)
        return agent, patient
    actor1 = _subject(verb)
    if actor1 is None and verb.dep_ == 'ROOT':
        actor1 = _headline_subject(verb)
    actor2 = _child(verb, 'dobj') or _shared_object(verb)
    if actor2 is None:
        actor2 = _pobj(verb, g['target_prepositions']) or _pobj(verb, g['partner_prepositions'])
    return actor1, actor2


def _shared_object(verb):
    """'shot and killed a man': the object of the verb coordinated after this one."""
    return next((_child(c, 'dobj') for c in verb.children if c.dep_ == 'conj' and c.pos_ == 'VERB'
                 and _child(c, 'dobj') is not None and _child(c, 'nsubj') is None), None)


def _headline_subject(verb):
    """The subject of a headline verb that the small model attaches as a modifier: in
    'Ramaswamy slams Zelenskyy' the name is an 'amod' of 'slams'. The capitalised word just
    before the verb, opening the sentence."""
    lefts = [c for c in verb.lefts if c.dep_ in ('amod', 'compound', 'npadvmod', 'nmod')]
    if not lefts:
        return None
    word = lefts[-1]
    opening = word.left_edge.i == verb.sent.start
    return word if opening and word.i == verb.i - 1 and word.text[:1].isupper() else None


def _partner_in_setting(verb):
    """'killed in clashes with security forces' -> security forces."""
    g = grammar()
    for child in verb.children:
        if child.dep_ == 'prep' and child.lower_ in g['setting_prepositions']:
            setting = _child(child, 'pobj')
            if setting is not None:
                partner = _pobj(setting, g['partner_prepositions'] | g['agent_prepositions'])
                if partner is not None:
                    return partner
    return None


def _noun_arguments(noun, entry):
    g = grammar()
    slots = {'actor1': None, 'actor2': None}

    def put(role, token):
        if token is not None and slots[role] is None:
            slots[role] = token

    put('actor1', _pobj(noun, g['agent_prepositions']))
    between = _pobj(noun, {'between'})
    if between is not None:
        put('actor1', between)
        put('actor2', _child(between, 'conj'))
    put(entry.get('poss', 'actor1'), _child(noun, 'poss'))
    put(entry.get('of', 'actor1'), _pobj(noun, {'of'}))
    put('actor2', _pobj(noun, g['target_prepositions']))
    put('actor2', _pobj(noun, g['partner_prepositions']))
    series = series_of(noun)
    if series is not None:  # 'its latest wave of strikes on Iran'
        put('actor1', _pobj(series, g['agent_prepositions']))
        put('actor1', _child(series, 'poss'))
        put('actor2', _pobj(series, g['target_prepositions']))
        put('actor2', _pobj(series, g['partner_prepositions']))
    for child in noun.children:
        if child.dep_ in ('amod', 'compound') and child.ent_type_ in ('NORP', 'GPE'):
            put('actor1', child)  # 'Russian deployment'
    if 'VERB' in entry.get('pos', ()):
        # a headline verb tagged as a noun after its subject: 'Trump requests delay'
        opening = [c for c in noun.lefts if c.dep_ == 'compound' and c.i == noun.i - 1 and c.left_edge.i == noun.sent.start
                   and c.ent_type_ in ('PERSON', 'ORG', 'GPE', 'NORP')
                   and not (c.ent_type_ == 'PERSON' and entry['event_type'] == 'PROTEST')]
        # (protests named after a person are about that person: 'George Floyd protests LIVE')
        if opening and noun.tag_ in ('NNS', 'VBZ'):
            put('actor1', opening[0])
    if noun.dep_ in ('dobj', 'attr') and noun.head.lemma_.lower() in g['light_verbs']:
        put('actor1', _subject(noun.head))  # 'protesters staged a rally'
    # headline grammar, where the small model tags the verb as a noun with a subject and an
    # object of its own: 'Hong Kong police ban Tiananmen vigil'
    put('actor1', _child(noun, 'nsubj'))
    put('actor2', _child(noun, 'dobj'))
    if noun.dep_ == 'pobj' and noun.head.head.pos_ == 'VERB' and noun.head.head.lemma_.lower() in ('take', 'join'):
        put('actor1', _subject(noun.head.head))  # 'took part in protests'
    return slots['actor1'], slots['actor2']


def _is_event_noun(token, lexicon):
    return token is not None and token.pos_ in NOUN_POS and token.lemma_.lower() in lexicon.noun_lemmas


def _through_event_noun(token, lexicon, skip):
    """'criticized the deployment of Russian troops': the actor is the troops, not the deployment."""
    if token is None:
        return None
    if token.i in skip:  # the trigger's own word: only a nationality acts ('Israeli strikes on Gaza')
        return token if token.ent_type_ in ('NORP', 'GPE') and token.dep_ in ('amod', 'compound') else None
    if _is_event_noun(token, lexicon):
        return _owner(token, {'of', 'by'}, ('NORP', 'GPE'))  # 'Israeli strike kills four': its nationality acts
    return token


@Language.factory('wirewatch_triggers')
def make_trigger_component(nlp, name):
    return TriggerComponent(name)


class TriggerComponent:
    """Finds trigger candidates (data/triggers.json) and stores them on ``doc._.triggers``;
    the sense, factuality and time components that follow read and annotate them."""

    def __init__(self, name='wirewatch_triggers'):
        self.name = name
        self.lexicon = TriggerLexicon.load()

    def __call__(self, doc):
        doc._.triggers = self.lexicon.find_in_doc(doc)
        return doc
