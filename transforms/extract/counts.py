"""Casualty, arrest and crowd counts tied to human nouns in a sentence.

"164 people were killed" -> killed 164; "6,044 people were also arrested" -> arrested
6044; "a rally of 5,000 people" -> crowd_size 5000. Vague quantities ("thousands of
people") and numbers of things ("15 of its 68 stores") are not counts. Word lists:
data/counts.json.
"""
import dataclasses
import functools
import re

from wirewatch.transforms.extract.clauses import first_conjunct, told_to_death
from wirewatch.transforms.extract.lexicon import load_data

CATEGORIES = ('killed', 'injured', 'arrested', 'crowd_size')
HARMS = ('killed', 'injured', 'arrested')
MAX_AVRO_INT = 2 ** 31 - 1
_NOT_COUNT_ENTITIES = frozenset({'DATE', 'TIME', 'MONEY', 'PERCENT', 'ORDINAL', 'QUANTITY'})
_WORD = re.compile(r'\d[\d,]*(?:\.\d+)?|[a-z]+|-')


@dataclasses.dataclass(frozen=True)
class CountMention:
    """``value`` people in ``category``; ``cue`` is the index of the word that says what happened."""
    category: str
    value: int
    cue: int


@functools.lru_cache(maxsize=1)
def human_nouns():
    """The nouns of people (data/counts.json human_nouns): who can be killed, arrested,
    counted in a crowd, or be a party ('officials', 'protesters', 'judges')."""
    return frozenset(load_data('counts')['human_nouns'])


@functools.lru_cache(maxsize=1)
def _lexicon():
    data = load_data('counts')
    cues = {}
    for category in CATEGORIES:
        for word in data['cues'][category]:
            cues.setdefault(word, category)
    return {
        'human': human_nouns(),
        'cues': cues,
        'units': data['units'],
        'scales': data['scales'],
        'vague': frozenset(data['vague']),
        'vague_values': data['vague_values'],
        'fatal_modifiers': frozenset(data['fatal_modifiers']),
        'zero': frozenset(data['zero_words']),
        'bodies': frozenset(data['body_nouns']),
        'range': frozenset(data['range_words']),
        'means': frozenset(data['means_cues']),
        'collectives': frozenset(data['person_collectives']),
        'headline': {w: c for c, words in data['headline_cues'].items() for w in words},
        'unknown_plural': frozenset(data['unknown_plural']),
        'unknown_number': frozenset(data['unknown_number']),
        'unknown_plural_deaths': data['unknown_plural_deaths'],
        'general_victims': frozenset(data['general_victims']),
    }


def parse_number(text):
    """An integer from a number phrase ('6,044', 'at least 12', 'two dozen', '1.5 million'), or None.

    None for vague quantities ('thousands', 'dozens of') and for text without a number;
    a vague word next to a figure is a qualifier ('some 300' -> 300).
    """
    lex = _lexicon()
    lowered = (text or '').lower()
    words = _WORD.findall(lowered.replace('-', ' - '))
    if words and words[0] in lex['zero']:
        return 0  # 'no one was killed'
    ranged = _range_floor(words, lex)
    if ranged is not None:
        return ranged  # 'two to three militants', '10-15 people': the lower bound
    words = [w for w in words if w != '-']
    has_figure = any(w[0].isdigit() or w in lex['units'] for w in words if w not in ('a', 'an'))
    if not has_figure:
        floors = [lex['vague_values'][w] for w in words if w in lex['vague_values']]
        if floors:
            return min(floors)  # 'dozens' is 12, 'hundreds' is 100
    if not has_figure and any(w in lex['vague'] for w in words):
        return None  # 'several people'; but 'some 300' is 300
    total, current, seen = 0, None, False
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else None
        if word[0].isdigit():
            current = (current or 0) + float(word.replace(',', ''))
            seen = True
        elif word in ('a', 'an'):
            if following in lex['scales']:
                current = (current or 0) + 1
        elif word in lex['units']:
            current = (current or 0) + lex['units'][word]
            seen = True
        elif word in lex['scales']:
            current = (current if current is not None else 1) * lex['scales'][word]
            seen = True
            if lex['scales'][word] >= 1000:
                total, current = total + current, None
    if not seen:
        return None
    return min(int(round(total + (current or 0))), MAX_AVRO_INT)


def _range_floor(words, lex):
    """The lower bound of 'two to three', '10 - 15', 'two or three', 'between 1 and 4', else None."""
    if words and words[0] == 'between' and 'and' in words:
        i = words.index('and')
        words = words[1:i] + ['to'] + words[i + 1:]
    for i, word in enumerate(words):
        if word in lex['range'] and 0 < i < len(words) - 1:
            left, right = parse_number(' '.join(words[:i])), parse_number(' '.join(words[i + 1:]))
            if left is not None and right is not None and left < right:
                return left
    return None


# Nouns that may count everyone, so that the groups beside them are among them.
TOTAL_NOUNS = frozenset({'people', 'person', 'persons', 'individual', 'individuals'})


def find_counts(sent, is_demonym=lambda token: False):
    """The :class:`CountMention` list of a spaCy sentence (Span or Doc).

    ``is_demonym(token)`` lets plural demonyms count as people ('12 Palestinians').
    Figures for conjoined nouns under one cue are added up ('5 soldiers and 3 civilians').
    """
    lex = _lexicon()
    totals, vague, conjoined = {}, set(), {}
    headline = list(_headline_tolls(sent, lex))
    headline_cue = {i: cue for _, _, cue, used in headline for i in used}  # each word a headline toll read: its cue
    cues = {cue for _, _, cue, _ in headline}
    for token in sent:
        if token.i in headline_cue or _is_doer(token, lex):
            continue
        unknown_plural = False
        if _is_human(token, lex, is_demonym):
            value = _number_of(token, lex)
            if value is None and _unknown_plural(token, lex):
                value, unknown_plural = lex['unknown_plural_deaths'], True
        elif _is_bare_number(token, lex):
            value = parse_number(_phrase(token))  # ('no one': the det is in the phrase, 0)
        else:
            continue
        if value is None:
            continue
        found = _cue_of(token, lex)
        if found is None:
            continue
        category, cue = found
        if unknown_plural and category != 'killed':
            continue  # 'several people were arrested': no figure
        if _ambiguous_cue(cue, category, lex) or _superseded(token):
            continue
        key = (category, cue.i)
        if unknown_plural:
            vague.add(key)
        elif (key in vague or key in totals) and _included(token):
            continue  # 'several officers were killed, including a colonel': one of the several
            # ('four people were killed, including a child' is four)
        if cue.i not in cues:
            totals[key] = min(totals.get(key, 0) + value, MAX_AVRO_INT)
        elif any(headline_cue.get(c.i) == cue.i for c in token.conjuncts) \
                and not any(t.lemma_.lower() in TOTAL_NOUNS for t in (token, *token.conjuncts)):
            # '4 soldiers and 39 civilians killed' is 43 (not '20 people, 5 children and 3 women killed')
            conjoined[key] = conjoined.get(key, 0) + value
    for category, value, cue, _ in headline:
        totals[(category, cue)] = min(value + conjoined.get((category, cue), 0), MAX_AVRO_INT)
    return [CountMention(category, value, cue) for (category, cue), value in totals.items()]


def _included(token):
    """A person named after 'including': part of a group already counted."""
    node = first_conjunct(token)
    return node.dep_ == 'pobj' and node.head.lower_ == 'including'


def _unknown_plural(noun, lex):
    """People told without a number: 'several people', 'many fighters', 'an unknown number
    of villagers' (a plural noun; 'several' is no count of one)."""
    if noun.tag_ not in ('NNS', 'NNPS'):
        return False
    quantifiers = [c for c in noun.children if c.dep_ in ('amod', 'det', 'nummod') and c.lower_ in lex['unknown_plural']]
    if any(not any(g.lower_ in ('how', 'so', 'too') for g in q.children) for q in quantifiers):
        return True  # (but 'how many people were killed' asks)
    head = noun.head
    return noun.dep_ == 'pobj' and head.lower_ == 'of' and head.head.lower_ == 'number' \
        and any(c.dep_ == 'amod' and c.lower_ in lex['unknown_number'] for c in head.head.children)


def _is_doer(token, lex):
    """Who did it, not who suffered: 'killed by a sniper', 'a gunman killed five people'
    (but '5,000 people joined the march' are the crowd)."""
    if token.dep_ == 'pobj' and token.head.dep_ == 'agent':
        return True
    if any(c.dep_ == 'acl' and _cue_category(c, lex) and any(d.dep_ == 'dobj' for d in c.children)
           for c in token.children):
        return True  # 'a militant stabbed to death a colonel' (parsed as a reduced relative)
    head = token.head
    return token.dep_ == 'nsubj' and head.pos_ == 'VERB' and head.tag_ != 'VBN' \
        and _cue_category(head, lex) in HARMS and any(c.dep_ == 'dobj' for c in head.children)


def _headline_tolls(sent, lex):
    """Tolls written without a verb, a number right before its cue: 'Eight dead due to
    clashes', 'One dead and three injured', 'resulting in 3 killed and 10 wounded',
    'Twenty-three dead, 12 wounded'. Not 'killed 3' (read above), not '15 killed and
    wounded' (one number, two kinds of harm), not a year or a number of things."""
    tokens = list(sent)
    for i, token in enumerate(tokens[:-1]):
        if not token.like_num and token.lower_ not in lex['units']:
            continue
        if i + 1 < len(tokens) and (tokens[i + 1].like_num or tokens[i + 1].text == '-'):
            continue  # inside a number phrase: read at its last word
        j = i + 1
        while j < len(tokens) - 1 and j - i <= 3 and tokens[j].tag_ == 'NNP':
            j += 1  # 'Two al Shabaab dead': a named group's members
        if j < len(tokens) - 1 and _is_human(tokens[j], lex, lambda t: False) \
                and (tokens[j].tag_ in ('NNS', 'NNPS') or token.lower_ in ('1', 'one')):
            j += 1  # 'Eight people dead', 'At least 1 civilian killed'
        cue = tokens[j]
        category = lex['headline'].get(cue.lower_)
        if category is None or looks_like_year(token):
            continue
        if any(c.dep_ == 'dobj' for c in cue.children):
            continue  # 'Three gunmen killed five people': the number before is the doers
        after = tokens[j + 1:j + 3]
        if len(after) == 2 and after[0].lower_ in ('and', 'or', '&') and lex['headline'].get(after[1].lower_) not in (None, category):
            continue  # '15 killed and wounded'
        start = i
        while start > 0 and (tokens[start - 1].like_num or tokens[start - 1].text == '-'
                             or tokens[start - 1].lower_ in ('least', 'at', 'some', 'about', 'nearly', 'over')):
            start -= 1
        if start > 0 and tokens[start - 1].lower_ in lex['zero']:
            start -= 1  # 'no one died': 0
        value = parse_number(' '.join(t.text for t in tokens[start:i + 1]))
        if value is not None:
            yield category, value, cue.i, {t.i for t in tokens[start:j]}


# Roles a noun plays; the small model tags some person nouns as adjectives there ('killed a
# Lashkar-e-Taiba militant').
NOUN_ROLES = frozenset({'dobj', 'nsubj', 'nsubjpass', 'pobj', 'conj'})


def _is_human(token, lex, is_demonym):
    if token.pos_ == 'ADJ' and token.dep_ in NOUN_ROLES and token.lower_ in lex['human']:
        return True
    if token.pos_ not in ('NOUN', 'PROPN', 'PRON'):
        return False
    return token.lemma_.lower() in lex['human'] or token.lower_ in lex['human'] or is_demonym(token) \
        or _names_a_person(token)


def _names_a_person(token):
    """The last word of a person's name ('killed Ali Musa')."""
    return token.ent_type_ == 'PERSON' and token.ent_iob_ in ('B', 'I') and \
        (token.i + 1 >= len(token.doc) or token.doc[token.i + 1].ent_iob_ != 'I')


def looks_like_year(token):
    """'2019', '1990s' (four digits, no comma, 1800-2100) or a number spaCy tags as a date."""
    if token.ent_type_ in _NOT_COUNT_ENTITIES:
        return True
    text = token.text.rstrip('s')
    return len(text) == 4 and text.isdigit() and 1800 <= int(text) <= 2100


def _is_bare_number(token, lex):
    """'killed 12', 'at least 12 were killed' -- but not '15 of its 68 stores', nor 'killed in 2019'."""
    if not (token.like_num or token.lower_ in lex['units']) or token.dep_ not in ('nsubj', 'nsubjpass', 'dobj', 'pobj'):
        return False
    if looks_like_year(token):
        return False
    of_objects = [g for c in token.children if c.lower_ == 'of' for g in c.children if g.dep_ == 'pobj']
    return not of_objects


def _ambiguous_cue(cue, category, lex):
    """'killed and wounded 15 people': one figure under two kinds of harm gives no toll."""
    for other in list(cue.conjuncts):
        other_category = _cue_category(other, lex)
        if category == 'killed' and other.lemma_.lower() in lex['means']:
            continue  # 'was shot and killed': how, not a second harm
        if other_category and other_category != category:
            # its own victims: an object, or the subject of a passive ('... and scores injured')
            deps = ('dobj', 'nsubjpass', 'nsubj', 'npadvmod') if other.tag_ == 'VBN' else ('dobj', 'nsubjpass')
            own = [c for c in other.children if c.dep_ in deps]
            if not own:
                return True
    return False


def _superseded(token):
    """'the toll rose to 45 from 30': the earlier figure is not a toll."""
    return token.dep_ == 'pobj' and token.head.lower_ == 'from' \
        and any(c.dep_ == 'prep' and c.lower_ == 'to' for c in token.head.head.children)


def _number_of(noun, lex):
    partitive = _partitive(noun, lex)
    if partitive is not None:
        return partitive  # 'three of the five soldiers were killed' is three
    for child in noun.children:
        if child.dep_ == 'nummod':
            return None if looks_like_year(child) else parse_number(_phrase(child))
        if child.dep_ == 'det' and child.lower_ in lex['zero']:
            return 0  # 'no civilians were killed'
        if child.dep_ == 'det' and child.lower_ in ('a', 'an') and noun.tag_ in ('NN', 'NNP', 'JJ'):
            return 1  # 'a man was shot dead'
    if _one_person(noun, lex):
        return 1  # 'shot the driver dead', 'killed former leader Ali Musa', 'his son was killed'
    head = noun.head
    if noun.dep_ == 'pobj' and head.lower_ == 'of' and head.head.lemma_.lower() in lex['bodies']:
        return _number_of(head.head, lex)  # 'two bodies of civilians' (a nummod of the noun returned above)
    return None


def _partitive(noun, lex):
    """The figure of a quantity the noun is counted out of: '15 of the protesters', 'dozens of people'."""
    head = noun.head
    if noun.dep_ == 'pobj' and head.lower_ == 'of' and head.head.i != noun.i:
        quantity = head.head
        if quantity.like_num or quantity.lower_ in lex['units'] or quantity.lower_ in lex['vague'] \
                or quantity.lower_ in lex['vague_values']:
            return parse_number(' '.join(t.text for t in quantity.subtree if t.i < head.i))
    return None


def _one_person(noun, lex):
    """See _one_person_in_role; a conjunct is read in the role of the first conjunct."""
    first = first_conjunct(noun)  # 'killed the pastor and his wife': each conjunct in the first one's role
    if first is not noun:
        return _one_person_in_role(noun, first.dep_, first.head, lex)
    return _one_person_in_role(noun, noun.dep_, noun.head, lex)


def _one_person_in_role(noun, dep, head, lex):
    """A single person named as the victim: a singular person noun with 'the', 'this',
    'another' or a possessive, or a person's name, as object or passive subject (not 'the
    police', a collective, and not the doer in a 'by' phrase)."""
    if dep not in ('dobj', 'nsubjpass', 'nsubj') or any(c.dep_ == 'nummod' for c in noun.children):
        return False
    if dep == 'nsubj' and head.lower_ not in lex['headline']:
        return False  # 'the driver killed ...' is the doer; 'the driver dead' is not
    if _names_a_person(noun):  # 'killed Ali Musa', 'Ali Musa was shot': the name's own verb
        return dep != 'nsubj' and _cue_category(head, lex) is not None
    if noun.tag_ != 'NN' or noun.lemma_.lower() in lex['collectives']:
        return False
    if any((c.dep_ == 'det' and c.lower_ in ('the', 'this', 'that', 'another')) or c.dep_ == 'poss'
           for c in noun.children):
        return True
    # headline grammar drops the article: 'gunmen kill police officer', 'DRC soldier shot dead'
    return dep in ('dobj', 'nsubjpass') and _cue_category(head, lex) in HARMS \
        and not any(c.dep_ in ('det', 'cc', 'conj') for c in noun.children)


def _phrase(token):
    """The number phrase rooted at ``token`` ('at least 12', 'two dozen')."""
    return ' '.join(t.text for t in token.subtree if t.dep_ != 'prep' and not _under_prep(t, token))


def _under_prep(t, root):
    while t.i != root.i:
        if t.dep_ == 'prep':
            return True
        t = t.head
    return False


def _cue_of(token, lex):
    """(category, cue token) for the word that says what happened to ``token``'s people."""
    node = token
    while (node.dep_ == 'conj' or (node.dep_ == 'appos' and _a_list_item(node, lex))) and node.head.i != node.i:
        node = node.head
    if node.dep_ == 'pobj' and node.head.lower_ == 'with' and node.head.head.lower_ in ('along', 'together') \
            and node.head.head.head.pos_ in ('NOUN', 'PROPN'):
        node = node.head.head.head  # 'the founder, along with three other militants, was gunned down'
    if node.dep_ == 'pobj' and node.head.lower_ == 'of' and node.head.head.lemma_.lower() in lex['bodies']:
        return 'killed', node.head.head  # 'the bodies of two civilians were found'
    candidates = [c for c in node.children if c.dep_ in ('amod', 'acl', 'relcl', 'oprd')]
    # 'a soldier and a militiaman killed': the participle after the last conjunct is everyone's
    candidates.extend(c for conj in node.conjuncts for c in conj.children if c.dep_ == 'acl' and c.i > conj.i)
    head = node.head
    if node.dep_ == 'pobj' and head.dep_ in ('prep', 'agent'):
        if head.lower_ == 'of' and head.head.pos_ in ('NOUN', 'PROPN') and head.head.lemma_.lower() in lex['human']:
            return None  # 'six members of two families were killed': the six, of whom the families are no more
        if head.lower_ == 'of' and _cue_category(head.head, lex) is None and head.head.dep_ in ('nsubj', 'nsubjpass', 'dobj'):
            head = head.head.head  # '15 of the protesters were arrested'
        else:
            head = head.head
    if head.i != node.i:
        candidates.append(head)
        # not ccomp: in 'a hospital official said 9 people were killed' the official is no toll
        candidates.extend(c for c in head.children if c.dep_ in ('acomp', 'oprd', 'attr', 'xcomp', 'advmod')
                          and c.i != node.i)
        candidates.extend(c for c in head.children if c.lower_ == 'dead' and c.dep_ in ('advcl', 'ccomp', 'dep'))
        if node.dep_ in ('nsubjpass', 'nsubj'):  # 'was shot and killed': the verbs of one subject (not of one object)
            # (an active verb with an object of its own has the subject as its doer: 'four
            # militants stormed the home and killed him' killed one)
            candidates.extend(c for c in head.conjuncts if c.pos_ == 'VERB' and not any(
                d.dep_ in ('nsubj', 'nsubjpass') for d in c.children)
                and not (node.dep_ == 'nsubj' and any(d.dep_ == 'dobj' for d in c.children)))
    found = []
    for candidate in candidates:
        if told_to_death(candidate):
            return 'killed', candidate  # 'stabbed to death', 'beaten to death'
        if any(c.dep_ == 'advmod' and c.lower_ in lex['fatal_modifiers'] for c in candidate.children):
            return 'killed', candidate  # 'fatally shot', 'mortally wounded'
        category = _cue_category(candidate, lex)
        if category:
            found.append((category, candidate))
    if found:  # 'shot dead': the death, not the shooting
        return next((f for f in found if f[0] == 'killed'), found[0])
    # 'the death toll rose to 45'
    for ancestor in list(token.ancestors)[:3]:
        if any(c.dep_ in ('nsubj', 'nsubjpass') and c.lemma_.lower() == 'toll' for c in ancestor.children):
            return 'killed', ancestor
    return None


def _a_list_item(appos, lex):
    """An appositive that continues a list of victims with a number of its own ('two police
    officers, one civil servant and one resident were killed'), not one that spells out its
    noun: a general noun ('two people, a man and his son') or an aside closed by a comma
    ('two policemen, one sergeant and one constable, were killed')."""
    head = appos.head
    if head.lemma_.lower() in lex['general_victims'] or head.lower_ in lex['general_victims']:
        return False
    if not (any(c.dep_ == 'nummod' for c in appos.children) and any(c.dep_ == 'nummod' for c in head.children)):
        return False
    end = max([appos.i] + [c.right_edge.i for c in appos.conjuncts])
    doc = appos.doc
    return not (end + 1 < len(doc) and doc[end + 1].text == ',')


def _cue_category(token, lex):
    return lex['cues'].get(token.lemma_.lower()) or lex['cues'].get(token.lower_)
