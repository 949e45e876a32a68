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
