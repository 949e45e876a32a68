"""Near-duplicate decision for stories: MinHash signatures, LSH bands, verification.

Pure Python, no Beam. A story is reduced to a ``Fingerprint``: a MinHash
signature over word shingles of its title and lead, plus the numbers and
capitalised names in its title. Two stories are near-duplicates when their
estimated Jaccard similarity reaches the threshold *and* their titles do not
contradict each other on numbers or names ("kills 12 in Nigeria" is not
"kills 21 in Pakistan", however similar the template).
"""
import dataclasses
import hashlib
import re
import unicodedata

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE_SIZE = 2
LEAD_WORDS = 60
DEFAULT_THRESHOLD = 0.5

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_NUMBER = re.compile(r'\d[\d,.]*')
_STOPWORDS = frozenset(
    'a an and are as at be by for from has have he her his in into is it its of on or '
    'that the their they this to was were will with after over says said say new'.split())
_NUMBER_WORDS = {
    'one': '1', 'two': '2', 'three': '3', 'four': '4', 'five': '5', 'six': '6',
    'seven': '7', 'eight': '8', 'nine': '9', 'ten': '10', 'eleven': '11', 'twelve': '12',
    'dozen': '12', 'hundred': '100', 'thousand': '1000', 'million': '1000000',
}


@dataclasses.dataclass(frozen=True)
class Fingerprint:
    """What the near-duplicate index keeps per story (small and picklable)."""
    signature: tuple            # NUM_PERM uint32 MinHash values
    numbers: frozenset          # numbers in the title, canonical strings
    names: frozenset            # capitalised title words (places, people), lower-cased
    title_only: bool            # no body text beyond the title


def _fold(text):
    text = unicodedata.normalize('NFKD', text or '')
    return ''.join(ch for ch in text if not unicodedata.combining(ch))


def words(text):
    """Lower-cased word tokens without accents or punctuation."""
    return [w.lower().replace('’', "'") for w in _WORD.findall(_fold(text))]


def _content_words(text):
    return [w for w in words(text) if w not in _STOPWORDS]


def shingles(title, text, size=SHINGLE_SIZE, lead_words=LEAD_WORDS):
    """Word n-gram shingles over the title and the first ``lead_words`` words of the text.

    Title words also count as single shingles, so that re-headlined copies of a
    story still share most of the lead and different stories with a shared
    headline template share little beyond it.
    """
    title_words = _content_words(title)
    lead = _content_words(text)[:lead_words]
    out = set(title_words)
    for seq in (title_words, lead):
        if len(seq) < size:
            out.update(seq)
        for i in range(len(seq) - size + 1):
            out.add(' '.join(seq[i:i + size]))
    return out


def title_numbers(title):
    found = set()
    for raw in _NUMBER.findall(title or ''):
        digits = raw.rstrip('.,').replace(',', '')
        if digits:
            found.add(digits)
    for w in words(title):
        if w in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[w])
    return frozenset(found)


def title_names(title):
    """Capitalised words after the first one: mostly places, people and organisations."""
    tokens = _WORD.findall(_fold(title or ''))
    names = set()
    for i, tok in enumerate(tokens):
        if i > 0 and tok[:1].isupper() and not tok.isupper() and tok.lower() not in _STOPWORDS:
            names.add(tok.lower())
        elif i > 0 and tok.isupper() and len(tok) >= 2 and tok.isalpha():
            names.add(tok.lower())
    return frozenset(names)


def fingerprint(title, text, num_perm=NUM_PERM):
    """The story's Fingerprint (deterministic across processes and machines)."""
    title = title or ''
    body = text or ''
    title_only = len(_content_words(body)) < 8 or body.strip() == title.strip()
    sh = shingles(title, '' if title_only else body)
    mh = MinHash(num_perm=num_perm, seed=1)
    if sh:
        mh.update_batch([s.encode('utf-8') for s in sorted(sh)])
    return Fingerprint(
        signature=tuple(int(v) for v in mh.hashvalues),
        numbers=title_numbers(title),
        names=title_names(title),
        title_only=title_only,
    )


def band_keys(signature, bands=BANDS):
    """One key per LSH band: stories sharing any key are candidates."""
    rows = len(signature) // bands
    keys = []
    for b in range(bands):
        chunk = ','.join(str(v) for v in signature[b * rows:(b + 1) * rows])
        keys.append(f'{b}:' + hashlib.blake2b(chunk.encode(), digest_size=8).hexdigest())
    return keys


def estimated_jaccard(sig_a, sig_b):
    """Fraction of equal MinHash values: an unbiased Jaccard estimate."""
    a = np.asarray(sig_a, dtype=np.uint64)
    b = np.asarray(sig_b, dtype=np.uint64)
    return float(np.count_nonzero(a == b)) / len(a)


def contradicts(a, b):
    """True when two titles disagree on facts that make them different stories.

    Both titles carry numbers and share none, or both name places/people and
    share none: the same template about a different event.
    """
    if a.numbers and b.numbers and not (a.numbers & b.numbers):
        return True
    if a.names and b.names and not (a.names & b.names):
        return True
    return False


def similarity_decision(a, b, threshold=DEFAULT_THRESHOLD):
    """(is_near_duplicate, estimated_similarity) for two Fingerprints.

    Title-only items need a higher similarity: a title is short, so a shared
    template is a large share of its shingles.
    """
    sim = estimated_jaccard(a.signature, b.signature)
    needed = threshold
    if a.title_only or b.title_only:
        needed = max(threshold, 0.6)
    if sim < needed:
        return False, sim
    if contradicts(a, b):
        return False, sim
    return True, sim
