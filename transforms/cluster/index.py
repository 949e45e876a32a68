"""The per-band candidate index and the per-story cluster decision (pure Python).

State lives per LSH band key, never under one global key: each band keeps the
stories it has seen within the TTL (event time, seconds). A story offered to a
band is compared with the band's earlier stories; the best verified match (if
any) is the band's vote. The story's decision combines its bands' votes.
"""
import dataclasses
import pickle
import typing

import numpy as np

from wirewatch.transforms.cluster.similarity import (DEFAULT_THRESHOLD, SIGNATURE_DTYPE, Fingerprint,
                                                     similarity_decision)


class Entry(typing.NamedTuple):
    """A story as a band remembers it. Entries read back from state are the plain tuples
    they were stored as, in this field order (a band key's whole entry list is read for
    every story, and building objects from it was a measurable share of a stream's time);
    so :class:`BandIndex` reads entries by position."""
    story_id: str
    cluster_id: str      # the cluster this story joined when the band saw it
    ts: float            # event time, seconds since the epoch (UTC)
    fp: object           # similarity.Fingerprint, or its state row until a comparison needs more
    cluster_ts: float = None  # event time of the cluster's representative


@dataclasses.dataclass(frozen=True, slots=True)
class Vote:
    """A band's answer for one story: the best earlier match, or no match."""
    story_id: str
    match_story_id: str = None
    match_cluster_id: str = None
    match_ts: float = None
    similarity: float = 0.0
    match_cluster_ts: float = None


def entries_to_rows(entries):
    """Entries as nested tuples of plain values, for state: pickling a frozen slotted
    dataclass goes through ``__reduce__`` and a per-object ``setstate`` that lists its
    fields, which made the band index's state coding a fifth of a stream's time; plain
    tuples code about 2.4 times faster (BENCHMARKS.md, *stream-throughput*). A
    fingerprint's headline sets travel as one pickled blob (see :class:`LazyFingerprint`)."""
    return [e if type(e) is tuple and type(e[3]) is tuple  # read from state, untouched: as it came
            else (e[0], e[1], e[2], index_row(e[3]), e[4]) for e in entries]


def rows_to_entries(rows):
    """Inverse of :func:`entries_to_rows`. A fingerprint stays the row it was stored as
    (signatures and a pickled blob) until :meth:`BandIndex.offer` needs more than its
    signature: most entries of a band are only ever compared on that. The rows themselves
    are the entries (see :class:`Entry`)."""
    return rows if isinstance(rows, list) else list(rows)


_SET_FIELDS = ('terms', 'numbers', 'weekdays', 'places', 'names', 'polarity')


class LazyFingerprint:
    """A Fingerprint read back from state whose headline sets are unpickled only when a
    comparison needs them. Most band comparisons stop at the MinHash signatures (bytes),
    so a band key's entries decode without building thousands of frozensets per story:
    the local runner reads and writes a key's whole entry list for every story."""
    __slots__ = ('signature', 'title_signature', 'title_only', '_blob', '_sets')

    def __init__(self, signature, title_signature, title_only, blob):
        self.signature, self.title_signature, self.title_only = signature, title_signature, title_only
        self._blob, self._sets = blob, None

    def _set(self, index):
        if self._sets is None:
            self._sets = pickle.loads(self._blob)
        return self._sets[index]

    terms = property(lambda self: self._set(0))
    numbers = property(lambda self: self._set(1))
    weekdays = property(lambda self: self._set(2))
    places = property(lambda self: self._set(3))
    names = property(lambda self: self._set(4))
    polarity = property(lambda self: self._set(5))

    def materialise(self):
        return Fingerprint(self.signature, self.title_signature, *(self._set(i) for i in range(len(_SET_FIELDS))),
                           self.title_only)

    def __eq__(self, other):
        if isinstance(other, LazyFingerprint):
            other = other.materialise()
        return self.materialise() == other if isinstance(other, Fingerprint) else NotImplemented

    def __hash__(self):
        return hash(self.materialise())


def index_row(fp):
    """A story's fingerprint as every band stores it (see :func:`entries_to_rows`): its
    signatures and its headline sets pickled once, as one blob."""
    if isinstance(fp, LazyFingerprint):
        return (fp.signature, fp.title_signature, fp.title_only, fp._blob)  # unchanged: no re-pickling
    if isinstance(fp, Fingerprint):
        blob = pickle.dumps(tuple(getattr(fp, name) for name in _SET_FIELDS), protocol=pickle.HIGHEST_PROTOCOL)
        return (fp.signature, fp.title_signature, fp.title_only, blob)
    return fp


def _fingerprint_of(row):
    if isinstance(row, (Fingerprint, LazyFingerprint)):
        return row
    if isinstance(row, tuple) and len(row) == 4:
        return LazyFingerprint(*row)
    return Fingerprint(*row) if isinstance(row, tuple) else row  # rows written before the blob


def _signature(fp):
    """The MinHash signature of a fingerprint or of its state row, and whether it is title-only."""
    if isinstance(fp, (Fingerprint, LazyFingerprint)):
        return fp.signature, fp.title_only
    if len(fp) == 4:
        return fp[0], fp[2]
    return fp[0], fp[-1]  # a Fingerprint row written before the blob


# A band key shared by very many stories (a frequent headline word hashed low in
# both rows of a band) is a hot key: it keeps only its newest entries, so that
# state and comparisons per key stay bounded. Copies still meet in other bands.
MAX_BAND_ENTRIES = 200


class BandIndex:
    """Stories seen in one band, oldest first, expiring after ``ttl`` seconds of event time."""

    def __init__(self, entries=(), ttl=3 * 86400, threshold=DEFAULT_THRESHOLD,
                 max_entries=MAX_BAND_ENTRIES):
        self.entries = list(entries)
        self.ttl = ttl
        self.threshold = threshold
        self.max_entries = max_entries

    def offer(self, story_id, ts, fp):
        """Vote for the new story, then remember it under the cluster it most likely joins.

        ``fp`` is a Fingerprint or, as the pipeline sends it, its state row
        (:func:`index_row`), pickled once per story rather than once per band."""
        best, present = self._best_match(story_id, ts, fp)
        if best is None:
            vote = Vote(story_id)
            cluster_id, cluster_ts = story_id, ts
        else:
            sim, e = best
            cluster_ts = e[2] if e[4] is None else e[4]
            vote = Vote(story_id, e[0], e[1], e[2], sim, cluster_ts)
            cluster_id = e[1]
        if not present:
            self.entries.append(Entry(story_id, cluster_id, ts, fp, cluster_ts))
            if len(self.entries) > self.max_entries:
                self.entries.sort(key=lambda e: e[2])
                del self.entries[:len(self.entries) - self.max_entries]
        return vote

    def _best_match(self, story_id, ts, fp):
        """((similarity, entry) of the best verified match or None, whether the story is
        already an entry).

        The same answer as checking every entry with ``similarity_decision`` and keeping the
        highest similarity (then the earliest, then the first): full-text pairs are first
        ranked on their MinHash signatures, all at once, and only the candidates at or above
        the threshold are checked further, best first, until one holds."""
        own_signature, own_title_only = _signature(fp)
        own_bytes = len(own_signature)
        size = own_bytes // np.dtype(SIGNATURE_DTYPE).itemsize  # MinHash values per signature
        full_text, title_only, present = [], [], False
        ttl = self.ttl
        for position, e in enumerate(self.entries):
            if e[0] == story_id:
                present = True
                continue
            if abs(ts - e[2]) > ttl:
                continue
            row = e[3]
            if type(row) is tuple and len(row) == 4:  # a state row: (signature, title signature, title_only, blob)
                signature, other_title_only = row[0], row[2]
            else:
                signature, other_title_only = _signature(row)
            if own_title_only or other_title_only or len(signature) != own_bytes:
                title_only.append((position, e))
            else:
                full_text.append((position, e, signature))
        ranked = []
        if full_text:
            values = np.frombuffer(b''.join(item[2] for item in full_text), dtype=SIGNATURE_DTYPE)
            own = np.frombuffer(own_signature, dtype=SIGNATURE_DTYPE)
            equal = np.count_nonzero(values.reshape(len(full_text), size) == own, axis=1)
            for index in np.flatnonzero(equal >= self.threshold * size - 1e-6).tolist():
                sim = float(equal[index]) / size
                if sim >= self.threshold:  # as estimated_jaccard and similarity_decision compute it
                    position, e, _ = full_text[index]
                    ranked.append((-sim, e[2], position, e))
        ranked.sort(key=lambda item: item[:3])
        if ranked or title_only:
            fp = _fingerprint_of(fp)  # the offered story's own row: its sets are read for verification only
        found = []
        for _, _, position, e in ranked:  # best first: the first that holds is the band's best
            match = self._verified(fp, position, e)
            if match is not None:
                found.append(match)
                break
        for position, e in title_only:
            match = self._verified(fp, position, e)
            if match is not None:
                found.append(match)
        if not found:
            return None, present
        sim, _, e = max(found, key=lambda m: (m[0], -m[2][2], -m[1]))
        return (sim, e), present

    def _verified(self, fp, position, e):
        """(similarity, position, entry) when the entry is a near-duplicate of ``fp`` (a
        Fingerprint or LazyFingerprint)."""
        e_fp = _fingerprint_of(e[3])
        if e_fp is not e[3]:
            e = self.entries[position] = Entry(e[0], e[1], e[2], e_fp, e[4])
        same, sim = similarity_decision(fp, e_fp, self.threshold)
        return (sim, position, e) if same else None

    def oldest_ts(self):
        """Event time of the oldest entry (seconds): the band's next expiry is a TTL later."""
        return min(e[2] for e in self.entries)

    def expire(self, watermark):
        """Forget entries at least ``ttl`` older than ``watermark``; returns how many were dropped.

        The band's timer fires at its oldest entry + ttl, so that entry goes first.
        """
        keep = [e for e in self.entries if e[2] > watermark - self.ttl]
        dropped = len(self.entries) - len(keep)
        self.entries = keep
        return dropped


def decide_cluster(story_id, votes):
    """(cluster_id, duplicate_of, similarity) from a story's band votes.

    The best match wins: highest similarity, then the earliest story, then the
    smallest id, so that the decision does not depend on vote order.
    """
    best = best_vote(votes)
    if best is None:
        return story_id, None, None
    return best.match_cluster_id, best.match_cluster_id, best.similarity


def best_vote(votes):
    """The winning match among a story's band votes (None when no band found one)."""
    matches = [v for v in votes if v.match_story_id]
    if not matches:
        return None
    return max(matches, key=lambda v: (v.similarity, -v.match_ts, _neg(v.match_cluster_id)))


def cluster_event_time(story_ts, votes):
    """Event time (seconds) a story counts at in windows: its own for a representative,
    its representative's for a near-duplicate, so that a copy published a day later
    still adds its article and outlet to the window where its cluster's events are."""
    best = best_vote(votes)
    if best is None:
        return story_ts
    return best.match_cluster_ts if best.match_cluster_ts is not None else best.match_ts


def _neg(s):
    return tuple(-ord(c) for c in s)
