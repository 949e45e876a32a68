"""Slow tests over the real corpus in ../shared/corpus (``make slow``; skipped when it is absent).

Not in the default run (pytest.ini deselects ``slow``): they read real feeds and run spaCy
over hundreds of leads. They guard what the README reports: every broken capture is a
dead letter naming its file, a real wire snapshot balances its manifest with few events per
story, and the event coder's dev-split precision and recall do not fall.
"""
import json
import os

import pytest

pytestmark = pytest.mark.slow

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '..', 'shared', 'corpus')
needs_corpus = pytest.mark.skipif(not os.path.isdir(CORPUS), reason='../shared/corpus is absent')


@needs_corpus
def test_every_broken_capture_is_a_dead_letter_naming_its_file(tmp_path):
    from wirewatch.pipeline.cli import run_batch
    from wirewatch.pipeline.outputs import read_records
    folder = os.path.join(CORPUS, 'feeds', 'broken-captures')
    manifest = run_batch([folder], str(tmp_path / 'out'))
    assert manifest['accounted']
    dead = read_records([str(tmp_path / 'out' / 'deadletter')])
    named = {os.path.basename(d['source'] or '') for d in dead if d['stage'] == 'read'}
    assert named == set(os.listdir(folder))
    assert manifest['truncated_inputs']['count'] == 4 and manifest['truncated_inputs']['entries_lost'] == 'unknown'
    assert manifest['stories'] > 0   # the complete entries of the truncated captures are kept


@needs_corpus
def test_a_real_wire_snapshot_balances_and_codes_few_events_per_story(tmp_path):
    from wirewatch.pipeline.cli import run_batch
    snapshot = os.path.join(CORPUS, 'feeds', 'wires-2026', 'reuters_scraped', '20260416T175056Z_2e54f80c.xml')
    manifest = run_batch([snapshot], str(tmp_path / 'out'))
    assert manifest['accounted'] and manifest['items_read'] == 500
    assert manifest['stories'] + manifest['duplicates_exact'] == 500
    assert 0 < manifest['events'] < manifest['stories']   # the issue saw 4.6 to 6 per story
    assert manifest['summaries'] > 0


@needs_corpus
def test_event_coder_dev_split_does_not_fall(tmp_path, capsys):
    from wirewatch.pipeline.cli import main
    out = tmp_path / 'dev.json'
    assert main(['eval', 'events', '--split', 'dev', '--corpus', CORPUS, '--json', str(out)]) == 0
    figures = json.loads(out.read_text())['type']
    # README (Event precision): dev precision 77.8 %, recall 49.6 % (2,448 leads, with the three
    # fresh sets of session 11); a floor a little below each
    assert figures['precision'] >= 0.76 and figures['recall'] >= 0.48, figures
