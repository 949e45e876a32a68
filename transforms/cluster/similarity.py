"""Near-duplicate decision for stories: fingerprints, LSH band keys, verification.

Pure Python, no Beam. A story is reduced to a ``Fingerprint``:
- a MinHash signature over word shingles of its title and lead (the text test);
- the headline's *terms*: content words, stemmed, with country names and
  demonyms folded to ISO-3 codes ("Syrian" and "Syria's" are both ``SYR``) and
  major cities to a gazetteer key plus their country,
  number words to digits and a few newsroom synonyms to one word, and a small
  MinHash over those terms (the headline test, and its own LSH bands);
- the headline's facts: numbers, weekdays, countries, capitalised names and
  polarity words ("higher"/"lower").

Two stories are near-duplicates when they are similar enough *and* their
headlines do not contradict each other: "Suicide bomber kills 12 in Nigeria
church" is not "Suicide bomber kills 21 in NW Pakistan", however similar the
template. Full-text pairs are compared on the text signature; a pair where
either side has only a title is compared on headline terms.

Language knowledge lives in ``data/title_terms.json``; country names,
demonyms and cities come from the extract stage's gazetteer (one gazetteer).
"""
import dataclasses
import functools
import hashlib
import json
import os
import re
import unicodedata

import numpy as np
import snowballstemmer
from datasketch import MinHash

# Text signature: 64 permutations in 16 bands of 4 rows: pairs with Jaccard 0.5
# share a band with probability 0.65, at 0.7 with 0.98.
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE_SIZE = 2
LEAD_WORDS = 60
DEFAULT_THRESHOLD = 0.5

# Headline signature: 2 rows per band, so that paraphrased headlines at the
# threshold still meet in a band (Jaccard 0.4: probability 0.97; 0.6: 0.9999).
TITLE_BANDS = 20
TITLE_ROWS = 2
TITLE_NUM_PERM = TITLE_BANDS * TITLE_ROWS
TITLE_THRESHOLD = 0.4

# MinHash values are kept to their low 16 bits (b-bit MinHash): two different
# values agree by chance once in 65,536, a negligible bias on the Jaccard
# estimate, and every band entry in state is half the size.
SIGNATURE_DTYPE = np.uint16
SIGNATURE_MASK = 0xFFFF

# Every story is offered to this many band keys (the streaming join counts them).
ALL_BANDS = BANDS + TITLE_BANDS

# A headline with fewer content words than this in its text has no usable text.
MIN_TEXT_WORDS = 8
# A headline is in Title Case when this share of its words is capitalised;
# capitalisation then says nothing about names.
TITLE_CASE_SHARE = 0.6
# Cities the headline guard knows by name (gazetteer, inhabitants).
MIN_CITY_POPULATION = 100000
# Full-text copies must share a headline term unless their texts are this similar.
HEADLINE_FREE_TEXT_SIMILARITY = 0.8

DATA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'title_terms.json')

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)
_DOTTED_ACRONYM = re.compile(r'\b[A-Za-z](?:\.[A-Za-z])+\b\.?')
_SCALE = r'(?:%|(?:thousand|k|million|mn|m|billion|bn|b|trillion|tn)\b)'
_NUMBER = re.compile(r'(?<![\w.])\d+(?:[.,:]\d+)*(?:\s?' + _SCALE + r'|(?![\w]))', re.IGNORECASE)
_DIGIT_ORDINAL = re.compile(r'^(\d+)(?:st|nd|rd|th)$', re.IGNORECASE)
_NUMBER_PARTS = re.compile(r'(\d+(?:[.,:]\d+)*)\s?(' + _SCALE + ')?', re.IGNORECASE)
_MAX_PHRASE = 4
_STEM = snowballstemmer.stemmer('english')


@dataclasses.dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the near-duplicate index keeps per story (small and picklable)."""
    signature: bytes            # NUM_PERM 16-bit MinHash values over title + lead shingles
    title_signature: bytes      # TITLE_NUM_PERM 16-bit MinHash values over headline terms
    terms: frozenset            # headline terms (stems, ISO-3 codes, '#' numbers)
    numbers: frozenset          # numbers in the headline, canonical strings ('1200', '4.1bn')
    weekdays: frozenset         # weekdays named in the headline
    places: frozenset           # countries (ISO-3) and cities ('city:<geonameid>') in the headline
    names: frozenset            # terms of capitalised headline words (not in Title Case headlines)
    polarity: frozenset         # polarity stems ('higher', 'lower'); see data 'antonyms'
    title_only: bool            # no body text beyond the title


# ------------------------------------------------------------------ language data

@dataclasses.dataclass(frozen=True)
class _Lexicon:
    stopwords: frozenset
    number_words: dict
    number_scales: dict
    ordinals: dict
    weekdays: frozenset
    phrases: dict               # tuple of lower-cased words -> replacement term(s)
    cities: dict                # tuple of lower-cased words -> (place key, ISO-3), capitalised only
    acronym_phrases: dict       # all-caps acronym as written -> ISO-3 ('US', 'UK', 'DRC')
    synonyms: dict              # stem -> canonical stem
    antonyms: dict              # stem -> set of opposing stems


@functools.lru_cache(maxsize=200000)
def stem(word):
    """Snowball (Porter 2) stem of a lower-cased word, memoised."""
    return _STEM.stemWord(word)


def _fold(text):
    text = text or ''
    if text.isascii():
        return text
    text = unicodedata.normalize('NFKD', text)
    text = ''.join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace('’', "'").replace('‘', "'")


def _raw_words(text):
    """Words as written, dotted acronyms closed up ('U.S.' -> 'US'), possessives cut."""
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace('.', ''), _fold(text))
    out = []
    for w in _WORD.findall(text):
        if w.lower().endswith("'s"):
            w = w[:-2]
        out.extend(p for p in w.split("'") if p)
    return out


@functools.lru_cache(maxsize=1)
def lexicon():
    """The headline lexicon (built once per process, ~1 s with the gazetteer)."""
    from wirewatch.gazetteer import Gazetteer
    with open(DATA_PATH, encoding='utf-8') as f:
        data = json.load(f)
    phrases, acronyms = {}, {}
    gazetteer = Gazetteer.load()
    for table in (gazetteer.country_names(), gazetteer.demonyms()):
        for name, iso3 in table.items():
            words = _raw_words(name)
            if len(words) == 1 and words[0].isupper() and len(words[0]) <= 4:
                acronyms[words[0]] = iso3
            elif 0 < len(words) <= _MAX_PHRASE:
                phrases[tuple(w.lower() for w in words)] = iso3
    cities = {}
    for place in gazetteer.major_cities(MIN_CITY_POPULATION):
        words = _raw_words(place.name)
        if 0 < len(words) <= _MAX_PHRASE:
            key = tuple(w.lower() for w in words)
            if key not in phrases and key not in cities:
                cities[key] = (place.key, place.iso3)
    for phrase, term in data['phrases'].items():
        phrases[tuple(w.lower() for w in _raw_words(phrase))] = term
    synonyms = {}
    for group in data['synonyms']:
        canonical = stem(group[0])
        for word in group:
            synonyms[stem(word)] = canonical
    antonyms = {}
    for a, b in data['antonyms']:
        antonyms.setdefault(stem(a), set()).add(stem(b))
        antonyms.setdefault(stem(b), set()).add(stem(a))
    return _Lexicon(
        stopwords=frozenset(data['stopwords']), number_words=data['number_words'],
        number_scales=data['number_scales'], ordinals=data['ordinals'],
        weekdays=frozenset(data['weekdays']), phrases=phrases, cities=cities,
        acronym_phrases=acronyms,
        synonyms=synonyms, antonyms=antonyms)


# ------------------------------------------------------------------ headline facts

def title_numbers(title):
    """Numbers in a headline as canonical strings: '1,200' -> '1200', '$4.1 billion' -> '4.1'.

    Scale words are dropped ('$250 million' and '$250-M' agree), except that
    'thousand' multiplies.
    """
    lex = lexicon()
    found = set()
    for raw in _NUMBER.findall(_fold(title or '')):
        digits, unit = _NUMBER_PARTS.match(raw).groups()
        digits = digits.rstrip('.,:')
        if re.fullmatch(r'\d{1,3}(,\d{3})+', digits):
            digits = digits.replace(',', '')
        if re.fullmatch(r'\d+\.\d+', digits):
            digits = digits.rstrip('0').rstrip('.')
        if lex.number_scales.get((unit or '').lower()) == '000':
            digits += '000'
        found.add(digits)
    for w in _raw_words(title):
        if w.lower() in lex.number_words:
            found.add(lex.number_words[w.lower()])
    return frozenset(found)


def _is_title_case(words):
    alpha = [w for w in words if w[:1].isalpha()]
    if len(alpha) < 3:
        return False
    capitalised = sum(1 for w in alpha if w[:1].isupper())
    return capitalised / len(alpha) >= TITLE_CASE_SHARE


def _match_phrase(words, i, lex):
    """(replacements, length) of the longest phrase starting at words[i], else ((), 0).

    Countries and aliases match in any case; cities only as capitalised words
    and stand for the city and its country ('Glasgow' -> city key, 'GBR').
    """
    if words[i] in lex.acronym_phrases:
        return (lex.acronym_phrases[words[i]],), 1
    lowered = [w.lower() for w in words[i:i + _MAX_PHRASE]]
    for n in range(len(lowered), 0, -1):
        key = tuple(lowered[:n])
        if key in lex.phrases:
            return (lex.phrases[key],), n
        if key in lex.cities and all(w[:1].isupper() for w in words[i:i + n]):
            return lex.cities[key], n
    return (), 0


def _is_place(term):
    """ISO-3 codes and gazetteer keys ('city:2648579') are places."""
    return term.isupper() or term.startswith('city:')


@dataclasses.dataclass(frozen=True)
class HeadlineFacts:
    terms: frozenset
    numbers: frozenset
    weekdays: frozenset
    places: frozenset
    names: frozenset
    polarity: frozenset


def headline_facts(title):
    """Terms and facts of one headline (see ``Fingerprint``)."""
    lex = lexicon()
    numbers = title_numbers(title)
    words = _raw_words(_NUMBER.sub(' ', _fold(title or '')))
    title_case = _is_title_case(words)
    terms, places, names, weekdays, polarity = set(), set(), set(), set(), set()
    i = 0
    while i < len(words):
        replacements, n = _match_phrase(words, i, lex)
        written = words[i:i + max(n, 1)]
        capitalised = i > 0 and not title_case and written[0][:1].isupper()
        if replacements:
            i += n
            for replacement in replacements:
                if _is_place(replacement):
                    terms.add(replacement)
                    places.add(replacement)
                else:
                    terms.update(_canonical(stem(w), lex) for w in replacement.split())
            continue
        i += 1
        word = written[0]
        low = word.lower()
        if low in lex.weekdays:
            weekdays.add(low)
            terms.add(low)
            continue
        base = stem(low)
        if base in lex.antonyms:
            polarity.add(base)
        if low in lex.number_words:
            continue                        # a number: counted in numbers and terms below
        if low in lex.ordinals or _DIGIT_ORDINAL.match(low):
            terms.add('#' + lex.ordinals.get(low, low))
            continue
        if low in lex.stopwords or word.isdigit():
            continue
        term = _canonical(base, lex)
        terms.add(term)
        if capitalised or (word.isupper() and len(word) >= 2 and i > 1 and not title_case):
            names.add(term)
    terms.update('#' + n for n in numbers)
    return HeadlineFacts(frozenset(terms), numbers, frozenset(weekdays), frozenset(places),
                         frozenset(names), frozenset(polarity))


def _canonical(term, lex):
    return lex.synonyms.get(term, term)


# ------------------------------------------------------------------ fingerprints

def words(text):
    """Lower-cased word tokens without accents or punctuation."""
    return [w.lower() for w in _raw_words(text)]


def _content_words(text):
    stop = lexicon().stopwords
    return [w for w in words(text) if w not in stop]


def shingles(title, text, size=SHINGLE_SIZE, lead_words=LEAD_WORDS):
    """Word n-gram shingles over the title and the first ``lead_words`` words of the text.

    Title words also count as single shingles, so that re-headlined copies of a
    story still share most of the lead and different stories with a shared
    headline template share little beyond it.
    """
    return _shingles(_content_words(title), _content_words(text)[:lead_words], size)


def _shingles(title_words, lead, size=SHINGLE_SIZE):
    out = set(title_words)
    for seq in (title_words, lead):
        if len(seq) < size:
            out.update(seq)
        for i in range(len(seq) - size + 1):
            out.add(' '.join(seq[i:i + size]))
    return out


@functools.lru_cache(maxsize=None)
def _permutations(num_perm):
    template = MinHash(num_perm=num_perm, seed=1)
    return template.permutations, template.scheme


def _minhash(tokens, num_perm):
    permutations, scheme = _permutations(num_perm)
    mh = MinHash(num_perm=num_perm, seed=1, permutations=permutations, scheme=scheme)
    if tokens:
        mh.update_batch([t.encode('utf-8') for t in sorted(tokens)])
    return (mh.hashvalues & SIGNATURE_MASK).astype(SIGNATURE_DTYPE).tobytes()


def _lead(text):
    """The start of the text, enough for LEAD_WORDS words (long bodies are not tokenised whole)."""
    return (text or '')[:LEAD_WORDS * 20].strip()


def _title_only(title, body, body_words):
    return len(body_words) < MIN_TEXT_WORDS or body == (title or '').strip()


def is_title_only(title, text):
    """True when the text adds nothing usable beyond the title."""
    body = _lead(text)
    return _title_only(title, body, _content_words(body))


def fingerprint(title, text, num_perm=NUM_PERM):
    """The story's Fingerprint (deterministic across processes and machines)."""
    title = title or ''
    body = _lead(text)
    lead = _content_words(body)
    title_only = _title_only(title, body, lead)
    facts = headline_facts(title)
    text_shingles = _shingles(_content_words(title), [] if title_only else lead[:LEAD_WORDS])
    return Fingerprint(
        signature=_minhash(text_shingles, num_perm),
        title_signature=_minhash(facts.terms, TITLE_NUM_PERM),
        terms=facts.terms, numbers=facts.numbers, weekdays=facts.weekdays,
        places=facts.places, names=facts.names, polarity=facts.polarity,
        title_only=title_only,
    )


def _values(signature):
    return np.frombuffer(signature, dtype=SIGNATURE_DTYPE)


def _band_hashes(prefix, values, bands):
    rows = len(values) // bands
    keys = []
    for b in range(bands):
        chunk = values[b * rows:(b + 1) * rows].tobytes()
        keys.append(f'{prefix}{b}:' + hashlib.blake2b(chunk, digest_size=8).hexdigest())
    return keys


def band_keys(fp):
    """The story's ALL_BANDS LSH keys: text bands ('t<b>:') then headline bands ('h<b>:').

    Stories sharing any key are candidates; the keys are the only state keys.
    """
    return (_band_hashes('t', _values(fp.signature), BANDS)
            + _band_hashes('h', _values(fp.title_signature), TITLE_BANDS))


def for_index(fp):
    """The fingerprint as a band remembers it: without the headline signature (only needed for keys)."""
    return dataclasses.replace(fp, title_signature=b'')


def band_probability(similarity, bands, rows):
    """Probability that two sets with Jaccard ``similarity`` share at least one band."""
    return 1.0 - (1.0 - similarity ** rows) ** bands


def estimated_jaccard(sig_a, sig_b):
    """Fraction of equal MinHash values: an unbiased Jaccard estimate."""
    a, b = _values(sig_a), _values(sig_b)
    return float(np.count_nonzero(a == b)) / len(a)


def title_similarity(a, b):
    """Jaccard similarity of two headlines' terms (exact, 0..1)."""
    if not a.terms or not b.terms:
        return 0.0
    return len(a.terms & b.terms) / len(a.terms | b.terms)


def _each_has_its_own(x, y, x_known=frozenset(), y_known=frozenset()):
    """Both sides carry a fact the other side does not mention anywhere."""
    return bool(x - y - y_known) and bool(y - x - x_known)


def contradicts(a, b):
    """True when two headlines disagree on facts that make them different stories.

    Each side has a number, a weekday, a country or a capitalised name that the
    other side lacks ("kills 12 in Nigeria" / "kills 21 in Pakistan"), or one
    says "higher" where the other says "lower": the same template about a
    different event. A fact only one side adds ("Two NATO soldiers killed" /
    "NATO soldier killed") is detail, not contradiction.
    """
    if (_each_has_its_own(a.numbers, b.numbers) or _each_has_its_own(a.weekdays, b.weekdays)
            or _each_has_its_own(a.places, b.places)
            or _each_has_its_own(a.names, b.names, a.terms, b.terms)):
        return True
    antonyms = lexicon().antonyms
    only_a, only_b = a.polarity - b.polarity, b.polarity - a.polarity
    return any(antonyms.get(p, set()) & only_b for p in only_a)


def similarity_decision(a, b, threshold=DEFAULT_THRESHOLD, title_threshold=TITLE_THRESHOLD):
    """(is_near_duplicate, similarity) for two Fingerprints.

    Full-text pairs: estimated Jaccard of title + lead shingles >= ``threshold``, and
    the headlines share a term unless the texts are near-identical.
    When either side has only a title: Jaccard of headline terms >= ``title_threshold``.
    Either way the headlines must not contradict each other.
    """
    if a.title_only or b.title_only:
        sim, needed = title_similarity(a, b), title_threshold
    else:
        sim, needed = estimated_jaccard(a.signature, b.signature), threshold
        if sim < needed:
            return False, sim           # most pairs end here, on the signatures alone
        if sim < HEADLINE_FREE_TEXT_SIMILARITY and not (a.terms & b.terms):
            return False, sim           # a shared boilerplate tail, not a shared story
    if sim < needed or contradicts(a, b):
        return False, sim
    return True, sim
