"""Headline-only places: every event gets its country, and each country a summary
(a whole batch run over a feed written for this test)."""
import os

from wirewatch.pipeline.cli import run_batch
from wirewatch.pipeline.outputs import read_records

FEED = os.path.join(os.path.dirname(__file__), 'fixtures', 'places', 'headline-wire.xml')


def test_headline_places_give_events_and_summaries(tmp_path):
    out = tmp_path / 'out'
    manifest = run_batch([FEED], str(out))
    assert manifest['stories'] == 5
    events = read_records([str(out / 'events')])
    assert sorted((e['event_type'], e['country']) for e in events) == [
        ('COERCE', 'BGD'), ('COERCE', 'BLR'), ('COERCE', 'ECU'), ('COERCE', 'NGA'), ('COERCE', 'PER')]
    lima = next(e for e in events if e['country'] == 'PER')
    assert lima['location']['name'] == 'Lima' and lima['location']['precision'] == 'CITY'
    summaries = read_records([str(out / 'summaries')])
    assert sorted(s['country'] for s in summaries) == ['BGD', 'BLR', 'ECU', 'NGA', 'PER']
