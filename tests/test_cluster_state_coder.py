"""The band index's state coder: entries round-trip as plain tuples, equal to what went in."""
from factories import make_story

from wirewatch.transforms.cluster import BandEntriesCoder
from wirewatch.transforms.cluster.index import BandIndex, entries_to_rows, rows_to_entries
from wirewatch.transforms.cluster.similarity import fingerprint


def _entries():
    index = BandIndex(ttl=3600)
    stories = [make_story('s1', 'Flood waters rise in Varna Bay', 'Hundreds were evacuated on Monday.'),
               make_story('s2', 'Flood waters rise in Varna Bay, officials say', 'Hundreds were evacuated.'),
               make_story('s3', 'Port strike ends in Oldmere', 'Dock workers returned on Tuesday.')]
    for n, story in enumerate(stories):
        index.offer(story['story_id'], 1.0e9 + n, fingerprint(story['title'], story['text']))
    return index.entries


def test_rows_are_plain_tuples_and_round_trip():
    entries = _entries()
    rows = entries_to_rows(entries)
    assert all(type(row) is tuple and type(row[3]) is tuple for row in rows)
    assert rows_to_entries(rows) == entries


def test_the_state_coder_round_trips_and_keeps_cluster_decisions():
    entries = _entries()
    coder = BandEntriesCoder()
    decoded = coder.decode(coder.encode(entries))
    assert decoded == entries
    assert [e.cluster_id for e in decoded] == [e.cluster_id for e in entries]
    assert coder.decode(coder.encode([])) == []


def test_fingerprints_come_back_lazy_and_equal():
    """Headline sets are unpickled only when a comparison needs them, and re-encoding an
    untouched entry reuses its blob."""
    from wirewatch.transforms.cluster.index import LazyFingerprint
    entries = _entries()
    coder = BandEntriesCoder()
    decoded = coder.decode(coder.encode(entries))
    fp = decoded[0].fp
    assert isinstance(fp, LazyFingerprint) and fp._sets is None
    assert fp.signature == entries[0].fp.signature and fp._sets is None   # signatures need no sets
    assert fp.terms == entries[0].fp.terms and fp._sets is not None
    assert fp == entries[0].fp and entries[0].fp == fp
    untouched = decoded[1].fp
    assert entries_to_rows([decoded[1]])[0][3][3] is untouched._blob


def test_most_comparisons_stop_at_the_signatures():
    """A full-text pair below the threshold is decided on the MinHash signatures, without the sets."""
    from wirewatch.transforms.cluster.similarity import similarity_decision
    flood = ('Flood waters rise in Varna Bay', 'Hundreds of families were evacuated from low-lying streets on Monday '
             'as the river burst its banks after three days of rain, and the mayor opened two school halls as shelters.')
    strike = ('Port strike ends in Oldmere', 'Dock workers returned to the quays on Tuesday after a nine-day stoppage '
              'over night-shift pay, and the first container ship in a week was unloaded by the afternoon crew.')
    index = BandIndex(ttl=3600)
    index.offer('f1', 1.0e9, fingerprint(*flood))
    coder = BandEntriesCoder()
    stored = coder.decode(coder.encode(index.entries))[0].fp
    new = fingerprint(*strike)
    assert not new.title_only and not stored.title_only
    same, _ = similarity_decision(new, stored)
    assert not same and stored._sets is None
