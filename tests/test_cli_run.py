"""End to end: `wirewatch run` over fixture feeds, outputs read back, accounting checked."""
import html
import json
import os
import subprocess
import sys

import pytest

from wirewatch import schemas
from wirewatch.pipeline.outputs import read_records

HERE = os.path.dirname(os.path.abspath(__file__))
FEEDS = os.path.join(HERE, 'fixtures', 'cli')


@pytest.fixture(scope='module')
def run_output(tmp_path_factory):
    out = tmp_path_factory.mktemp('run') / 'out'
    proc = subprocess.run(
        [sys.executable, '-m', 'wirewatch.pipeline.cli', 'run', '--input', FEEDS, '--output', str(out)],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc.stdout


def _records(out, folder):
    return read_records([os.path.join(out, folder)])


def test_manifest_accounts_for_every_item(run_output):
    out, stdout = run_output
    with open(out / '_MANIFEST.json') as f:
        m = json.load(f)
    for key in ('items_read', 'stories', 'duplicates_exact', 'duplicates_near', 'dead_letters',
                'events', 'summaries', 'started_at', 'finished_at'):
        assert key in m
    # 2 + 2 items, plus one empty capture that is a dead letter as a whole
    assert m['items_read'] == 5
    assert (m['stories'], m['duplicates_exact'], m['dead_letters']) == (2, 1, 2)
    assert m['items_read'] == m['stories'] + m['duplicates_exact'] + m['dead_letters']
    assert m['accounted'] is True
    assert m['duplicates_near'] == 1
    assert m['dead_letters_by_reason'] == {'read:EMPTY_FEED': 1, 'normalise:NO_TEXT': 1}
    assert m['events'] == len(_records(out, 'events'))
    assert m['summaries'] == len(_records(out, 'summaries'))
    assert 'ECU' in stdout and 'outputs in' in stdout


def test_every_output_record_validates_against_its_schema(run_output):
    out, _ = run_output
    for record_type, folder in (('Story', 'stories'), ('Event', 'events'),
                                ('CountrySummary', 'summaries'), ('DeadLetter', 'deadletter')):
        records = _records(out, folder)
        assert records, folder
        for r in records:
            schemas.check(record_type, r)
            assert set(schemas.field_names(record_type)) == set(r)


def test_syndicated_copy_is_clustered_not_dropped(run_output):
    out, _ = run_output
    stories = _records(out, 'stories')
    assert len(stories) == 2
    rep = next(s for s in stories if s['duplicate_of'] is None)
    copy = next(s for s in stories if s['duplicate_of'] is not None)
    assert copy['duplicate_of'] == rep['story_id'] == copy['cluster_id'] == rep['cluster_id']
    assert rep['title'] == "Deadly clashes as Ecuador police clear miners' blockade"
    assert rep['dateline_place'] == 'Quito'
    assert rep['authors'] == ['Lucia Ferreyra', 'Daniel Moss']
    assert 'Source link' not in rep['text'] and 'utm_source' not in rep['canonical_url']


def test_unrest_story_facts_become_events(run_output):
    out, _ = run_output
    events = _records(out, 'events')
    assert {e['story_id'] for e in events} == {e['cluster_id'] for e in events}  # representatives only
    by_type = {}
    for e in events:
        by_type.setdefault(e['event_type'], []).append(e)
    assert any(e['country'] == 'ECU' for e in by_type.get('PROTEST', []))
    assert any(e['killed'] == 14 and e['country'] == 'ECU' for e in by_type.get('ASSAULT', []))
    assert any(e['arrested'] == 260 and e['country'] == 'ECU' for e in by_type.get('COERCE', []))
    # the foreign actor: Colombia sending medical supplies
    assert any((e['actor1'] or {}).get('country') == 'COL' for e in by_type.get('AID', []))


def test_country_summary_reconciles_tolls_across_copies(run_output):
    out, _ = run_output
    summaries = [s for s in _records(out, 'summaries') if s['country'] == 'ECU']
    assert len(summaries) == 1
    ecu = summaries[0]
    assert (ecu['killed'], ecu['arrested']) == (14, 260)
    assert (ecu['stories'], ecu['articles'], ecu['sources']) == (1, 2, 2)
    assert ecu['country_name'] == 'Ecuador'
    assert ecu['pane'] == 'ON_TIME' and ecu['is_final'] is True
    # 14 killed raises the level to at least WARNING; CRISIS needs 100 killed or a high intensity
    assert ecu['alert_level'] in ('WARNING', 'CRISIS')
    assert ecu['headlines'][0]['sources'] == 2


def test_read_command_filters_and_formats(run_output, capsys):
    from wirewatch.pipeline.cli import main
    out, _ = run_output
    assert main(['read', str(out / 'summaries'), '--where', 'country=ECU']) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])['killed'] == 14
    assert main(['read', str(out / 'deadletter'), '--format', 'csv']) == 0
    csv_out = capsys.readouterr().out
    assert csv_out.splitlines()[0].startswith('stage,error,detail')
    assert 'EMPTY_FEED' in csv_out


def test_unwritable_output_exits_nonzero_with_one_line(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('not a directory')
    proc = subprocess.run(
        [sys.executable, '-m', 'wirewatch.pipeline.cli', 'run', '--input', FEEDS,
         '--output', str(blocker / 'out')], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and 'not writable' in proc.stderr


def test_report_writes_self_contained_html(run_output, tmp_path):
    from wirewatch.pipeline.cli import main
    out, _ = run_output
    page = tmp_path / 'report.html'
    assert main(['report', str(out), '--html', str(page)]) == 0
    text = page.read_text()
    ecu = next(s for s in _records(out, 'summaries') if s['country'] == 'ECU')
    assert 'Ecuador (ECU)' in text and '<svg' in text and ecu['alert_level'] in text
    # self-contained: one inline script (table sorting), nothing loaded
    assert text.count('<script') == 1 and '<script>' in text and 'src=' not in text
    assert 'http-equiv' not in text and '<link' not in text
    # the figures are traceable: the events behind Ecuador's window, with their sources
    ecu_events = [e for e in _records(out, 'events') if e['country'] == 'ECU']
    assert ecu_events and all(html.escape(e['sentence']) in text for e in ecu_events)
    assert f'<a href="{html.escape(ecu_events[0]["source_url"])}"' in text
