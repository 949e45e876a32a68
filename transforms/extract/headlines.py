"""Headline case: 'Hong Kong Police Ban Tiananmen Massacre Vigil' parses as one long name.

Title Case headlines (most words capitalised) are given sentence case before parsing:
each capitalised word that is a common English word (spaCy's stop words, the trigger
lexicon's lemmas and their inflections, the actor lexicon's role nouns, the factuality
cues' verbs) is lower-cased;
names, acronyms and the first word are left alone. The text keeps its length, so
character offsets do not move.
"""
import functools
import re

from spacy.lang.en.stop_words import STOP_WORDS

from wirewatch.transforms.extract.lexicon import load_data

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
TITLE_CASE_SHARE = 0.6
MIN_WORDS = 4
# Cue verbs that are also names or parts of names ('Fine Gael', 'Hope Mwangi', 'Press TV'): left capitalised.
NAME_WORDS = frozenset({'hope', 'fine', 'hang', 'sue', 'press', 'film', 'eye', 'rage', 'kick', 'witness', 'mark', 'will'})
IRREGULAR = ('struck', 'shot', 'fought', 'sent', 'held', 'met', 'took', 'hit', 'led', 'fled', 'seized', 'freed',
             'says', 'said', 'slain', 'dead', 'dies', 'died', 'kills', 'killed', 'over', 'after', 'amid', 'new')


@functools.lru_cache(maxsize=1)
def common_words():
    words = set(STOP_WORDS) | set(IRREGULAR)
    lemmas = {e['lemma'] for e in load_data('triggers')['triggers']}
    for entry in load_data('triggers')['triggers']:
        lemmas.update(w for w in entry.get('with', ()) if w.isalpha())
    lemmas.update(k for k in load_data('actors')['words'] if ' ' not in k)
    # the verbs that frame a trigger ('denies', 'plans', 'vows', 'sparks'): a capitalised one
    # would be read as part of a name ('East Timor Denies Discussing ...')
    lemmas.update(w for key, words in load_data('factuality').items()
                  if key.endswith(('_governors', '_verbs')) for w in words if w.isalpha() and w not in NAME_WORDS)
    for lemma in lemmas:
        words.update(_inflections(lemma))
    return frozenset(words)


def _inflections(lemma):
    stem = lemma[:-1] if lemma.endswith('e') else lemma
    forms = {lemma, lemma + 's', lemma + 'es', lemma + 'd', lemma + 'ed', stem + 'ed', stem + 'ing', stem + 'er', stem + 'ers'}
    if lemma.endswith('y'):
        forms.update({lemma[:-1] + 'ies', lemma[:-1] + 'ied'})
    if len(lemma) > 2 and lemma[-1] not in 'aeiouwy' and lemma[-2] in 'aeiou':
        forms.update({lemma + lemma[-1] + 'ed', lemma + lemma[-1] + 'ing'})
    return forms


def is_title_case(title):
    words = [w for w in _WORD.findall(title) if len(w) > 3]
    if len(words) < MIN_WORDS:
        return False
    return sum(1 for w in words if w[0].isupper()) / len(words) >= TITLE_CASE_SHARE


def sentence_case(title):
    """``title`` with its common words lower-cased when it is in Title Case, else unchanged."""
    if not title or not is_title_case(title):
        return title
    common = common_words()
    out, first = [], True
    last = 0
    for m in _WORD.finditer(title):
        word = m.group(0)
        out.append(title[last:m.start()])
        if not first and word[0].isupper() and not word.isupper() and word.lower() in common:
            word = word.lower()
        out.append(word)
        last = m.end()
        first = False
    out.append(title[last:])
    return ''.join(out)
