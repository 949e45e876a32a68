"""The band index's state coder: entries round-trip as plain tuples, equal to what went in."""
from factories import make_story

from wirewatch.transforms.cluster import BandEntriesCoder
from wirewatch.transforms.cluster.index import BandIndex, _fingerprint_of, entries_to_rows, index_row, rows_to_entries
from wirewatch.transforms.cluster.similarity import fingerprint, for_index


def _entries():
    index = BandIndex(ttl=3600)
    stories = [make_story('s1', 'Flood waters rise in Varna Bay', 'Hundreds were evacuated on Monday.'),
               make_story('s2', 'Flood waters rise in Varna Bay, officials say', 'Hundreds were evacuated.'),
               make_story('s3', 'Port strike ends in Oldmere', 'Dock workers returned on Tuesday.')]
    for n, story in enumerate(stories):
        index.offer(story['story_id'], 1.0e9 + n, fingerprint(story['title'], story['text']))
    return index.entries


def _plain(entries):
    """Entries with their fingerprints materialised, to compare what went in with what came back."""
    return [(e[0], e[1], e[2], _fingerprint_of(e[3]), e[4]) for e in entries]


def test_rows_are_plain_tuples_and_round_trip():
    entries = _entries()
    rows = entries_to_rows(entries)
    assert all(type(row) is tuple and type(row[3]) is tuple for row in rows)
    assert _plain(rows_to_entries(rows)) == _plain(entries)


def test_the_state_coder_round_trips_and_keeps_cluster_decisions():
    entries = _entries()
    coder = BandEntriesCoder()
    decoded = coder.decode(coder.encode(entries))
    assert _plain(decoded) == _plain(entries)
    assert [e[1] for e in decoded] == [e.cluster_id for e in entries]
    assert coder.decode(coder.encode([])) == []


def test_fingerprints_come_back_as_rows_and_load_only_when_compared():
    """An entry's fingerprint stays its state row until a comparison needs more than the
    signature; then its headline sets are unpickled, and an untouched entry is written back
    with the very blob it came with."""
    from wirewatch.transforms.cluster.index import LazyFingerprint
    entries = _entries()
    coder = BandEntriesCoder()
    decoded = coder.decode(coder.encode(entries))
    assert all(type(e) is tuple and type(e[3]) is tuple for e in decoded)   # state rows, as stored
    fp = _fingerprint_of(decoded[0][3])
    assert isinstance(fp, LazyFingerprint) and fp._sets is None
    assert fp.signature == entries[0].fp.signature and fp._sets is None   # signatures need no sets
    assert fp.terms == entries[0].fp.terms and fp._sets is not None
    assert fp == entries[0].fp and entries[0].fp == fp
    lead = ('Hundreds of families were evacuated from low-lying streets on Monday as the river burst its '
            'banks after three days of rain, and the mayor opened two school halls as shelters.')
    index = BandIndex(ttl=3600)
    for n, title in enumerate(('Flood waters rise in Varna Bay', 'Flood waters rise in Varna Bay, officials say',
                               'Port strike ends in Oldmere')):
        index.offer(f's{n}', 1.0e9 + n, fingerprint(title, lead if n < 2 else 'Dock workers returned to the quays '
                                                    'on Tuesday after a nine-day stoppage over night-shift pay.'))
    index = BandIndex(coder.decode(coder.encode(index.entries)), ttl=3600)
    vote = index.offer('s4', 1.0e9 + 10, fingerprint('Flood waters rise in Varna Bay', lead))
    assert vote.match_story_id == 's0'
    touched = [e[0] for e in index.entries if isinstance(e[3], LazyFingerprint)]
    assert touched == ['s0']  # the best candidate held: no other entry's sets were loaded
    untouched = next(e for e in index.entries if e[0] == 's2')
    assert entries_to_rows([untouched])[0] is untouched   # written back as it was read


def test_most_comparisons_stop_at_the_signatures():
    """A full-text pair below the threshold is decided on the MinHash signatures, without the sets."""
    flood = ('Flood waters rise in Varna Bay', 'Hundreds of families were evacuated from low-lying streets on Monday '
             'as the river burst its banks after three days of rain, and the mayor opened two school halls as shelters.')
    strike = ('Port strike ends in Oldmere', 'Dock workers returned to the quays on Tuesday after a nine-day stoppage '
              'over night-shift pay, and the first container ship in a week was unloaded by the afternoon crew.')
    index = BandIndex(ttl=3600)
    index.offer('f1', 1.0e9, fingerprint(*flood))
    coder = BandEntriesCoder()
    stored = BandIndex(coder.decode(coder.encode(index.entries)), ttl=3600)
    vote = stored.offer('s1', 1.0e9 + 5, fingerprint(*strike))
    assert vote.match_story_id is None and type(stored.entries[0][3]) is tuple


HEADLINES = [
    ('Flood waters rise in Varna Bay', 'Hundreds were evacuated on Monday as the river rose.'),
    ('Flood waters rise in Varna Bay, officials say', 'Hundreds were evacuated on Monday as the river rose.'),
    ('Flood waters rise in Varna Bay', 'Hundreds were evacuated on Monday as the river rose fast.'),
    ('Flood waters rise in Varna Bay', ''),
    ('Flood waters rise again in Varna Bay', ''),
    ('Port strike ends in Oldmere', 'Dock workers returned on Tuesday.'),
    ('Port strike ends in Oldmere after nine days', 'Dock workers returned on Tuesday.'),
    ('Flood waters fall in Varna Bay', 'Hundreds returned home on Thursday as the river fell.'),
]


def test_the_band_s_vote_is_the_one_every_pair_checked_would_give():
    """Ranking on signatures first and stopping at the first verified candidate picks the same
    match as checking every entry (highest similarity, then earliest, then first)."""
    from wirewatch.transforms.cluster.similarity import similarity_decision
    for order in range(len(HEADLINES)):
        stories = HEADLINES[order:] + HEADLINES[:order]
        index, as_rows = BandIndex(ttl=3600), BandIndex(ttl=3600)
        seen = []
        for n, (title, text) in enumerate(stories):
            fp, ts = fingerprint(title, text), 1.0e9 + (n % 3)
            best = None
            for sid, e_ts, e_fp in seen:
                same, sim = similarity_decision(fp, e_fp)
                if same and (best is None or (sim, -e_ts) > (best[0], -best[2])):
                    best = (sim, sid, e_ts)
            vote = index.offer(f's{n}', ts, fp)
            assert vote.match_story_id == (best[1] if best else None), (order, n)
            # the pipeline offers the row every band stores (index_row): the same vote
            assert as_rows.offer(f's{n}', ts, index_row(for_index(fp))) == vote
            seen.append((f's{n}', ts, fp))
