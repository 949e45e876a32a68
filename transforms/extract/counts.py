"""Casualty, arrest and crowd counts tied to human nouns in a sentence.

"164 people were killed" -> killed 164; "6,044 people were also arrested" -> arrested
6044; "a rally of 5,000 people" -> crowd_size 5000. Vague quantities ("thousands of
people") and numbers of things ("15 of its 68 stores") are not counts. Word lists:
data/counts.json.
"""
import dataclasses
import functools
import re

from wirewatch.transforms.extract.lexicon import load_data

CATEGORIES = ('killed', 'injured', 'arrested', 'crowd_size')
MAX_AVRO_INT = 2 ** 31 - 1
_NOT_COUNT_ENTITIES = frozenset({'DATE', 'TIME', 'MONEY', 'PERCENT', 'ORDINAL', 'QUANTITY'})
_WORD = re.compile(r'\d[\d,]*(?:\.\d+)?|[a-z]+')


@dataclasses.dataclass(frozen=True)
class CountMention:
    """``value`` people in ``category``; ``cue`` is the index of the word that says what happened."""
    category: str
    value: int
    cue: int


@functools.lru_cache(maxsize=1)
def _lexicon():
    data = load_data('counts')
    cues = {}
    for category in CATEGORIES:
        for word in data['cues'][category]:
            cues.setdefault(word, category)
    return {
        'human': frozenset(data['human_nouns']),
        'cues': cues,
        'units': data['units'],
        'scales': data['scales'],
        'vague': frozenset(data['vague']),
    }


def parse_number(text):
    """An integer from a number phrase ('6,044', 'at least 12', 'two dozen', '1.5 million'), or None.

    None for vague quantities ('thousands', 'dozens of') and for text without a number;
    a vague word next to a figure is a qualifier ('some 300' -> 300).
    """
    lex = _lexicon()
    words = _WORD.findall((text or '').lower().replace('-', ' '))
    has_figure = any(w[0].isdigit() or w in lex['units'] for w in words if w not in ('a', 'an'))
    if not has_figure and any(w in lex['vague'] for w in words):
        return None  # 'thousands of people'; but 'some 300' is 300
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


def find_counts(sent, is_demonym=lambda token: False):
    """The :class:`CountMention` list of a spaCy sentence (Span or Doc).

    ``is_demonym(token)`` lets plural demonyms count as people ('12 Palestinians').
    Figures for conjoined nouns under one cue are added up ('5 soldiers and 3 civilians').
    """
    lex = _lexicon()
    totals = {}
    for token in sent:
        if _is_human(token, lex, is_demonym):
            value = _number_of(token, lex)
        elif _is_bare_number(token, lex):
            value = parse_number(_phrase(token))
        else:
            continue
        if value is None:
            continue
        found = _cue_of(token, lex)
        if found is None:
            continue
        category, cue = found
        key = (category, cue.i)
        totals[key] = min(totals.get(key, 0) + value, MAX_AVRO_INT)
    return [CountMention(category, value, cue) for (category, cue), value in totals.items()]


def _is_human(token, lex, is_demonym):
    if token.pos_ not in ('NOUN', 'PROPN', 'PRON'):
        return False
    return token.lemma_.lower() in lex['human'] or token.lower_ in lex['human'] or is_demonym(token)


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


def _number_of(noun, lex):
    for child in noun.children:
        if child.dep_ == 'nummod':
            return None if looks_like_year(child) else parse_number(_phrase(child))
    head = noun.head
    if noun.dep_ == 'pobj' and head.lower_ == 'of' and head.head.i != noun.i:
        quantity = head.head
        if quantity.like_num or quantity.lower_ in lex['units'] or quantity.lower_ in lex['vague']:
            return parse_number(' '.join(t.text for t in quantity.subtree if t.i < head.i))
    return None


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
    while node.dep_ == 'conj' and node.head.i != node.i:
        node = node.head
    candidates = [c for c in node.children if c.dep_ in ('amod', 'acl', 'relcl', 'oprd')]
    head = node.head
    if node.dep_ == 'pobj' and head.dep_ in ('prep', 'agent'):
        if head.lower_ == 'of' and _cue_category(head.head, lex) is None and head.head.dep_ in ('nsubj', 'nsubjpass', 'dobj'):
            head = head.head.head  # '15 of the protesters were arrested'
        else:
            head = head.head
    if head.i != node.i:
        candidates.append(head)
        candidates.extend(c for c in head.children if c.dep_ in ('acomp', 'oprd', 'attr', 'xcomp', 'ccomp') and c.i != node.i)
    for candidate in candidates:
        category = _cue_category(candidate, lex)
        if category:
            return category, candidate
    # 'the death toll rose to 45'
    for ancestor in list(token.ancestors)[:3]:
        if any(c.dep_ in ('nsubj', 'nsubjpass') and c.lemma_.lower() == 'toll' for c in ancestor.children):
            return 'killed', ancestor
    return None


def _cue_category(token, lex):
    return lex['cues'].get(token.lemma_.lower()) or lex['cues'].get(token.lower_)
