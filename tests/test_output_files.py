"""Output files and folders: whole files only, the contract's four folders after every run,
a batch run on the sample free of Beam's non-deterministic key coder warnings, and the CLI's
one-line-per-command help."""
import logging
import os
import subprocess
import sys

import pytest

from wirewatch import schemas
from wirewatch.pipeline.cli import COMMANDS, main, run_batch, usage
from wirewatch.transforms.sinks import (OUTPUT_FOLDERS, batch_file_name, stream_file_name,
                                        write_avro_file)
from wirewatch.transforms.deadletter import make_dead_letter

CLI_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'cli')
NONDETERMINISTIC_KEY = 'may not be deterministic'


def _dead(n):
    return [make_dead_letter('test', 'E', f'detail {i}') for i in range(n)]


def test_write_avro_file_leaves_only_the_complete_file(tmp_path):
    path = write_avro_file(str(tmp_path), batch_file_name('deadletter'), 'DeadLetter', _dead(3))
    assert os.listdir(tmp_path) == ['deadletter-00000-of-00001.avro']
    assert [r['detail'] for r in schemas.read_container(path)] == [f'detail {i}' for i in range(3)]
    # a rerun replaces the file whole
    write_avro_file(str(tmp_path), batch_file_name('deadletter'), 'DeadLetter', _dead(1))
    assert os.listdir(tmp_path) == ['deadletter-00000-of-00001.avro']
    assert len(schemas.read_container(path)) == 1


def test_write_avro_file_never_exposes_a_partial_file(tmp_path, monkeypatch):
    def broken(f, record_type, records):
        f.write(b'Obj\x01 half a header')
        raise OSError('disk full')

    monkeypatch.setattr(schemas, 'write_container', broken)
    with pytest.raises(OSError):
        write_avro_file(str(tmp_path), 'events-x.avro', 'Event', [])
    assert os.listdir(tmp_path) == []  # neither the final name nor its .part


def test_stream_file_names_sort_by_time_and_never_collide():
    import datetime as dt
    at = dt.datetime(2026, 3, 1, 12, 0, 5, tzinfo=dt.timezone.utc)
    names = {stream_file_name('events', at, 3, 2, 4) for _ in range(100)}
    assert len(names) == 100
    assert all(n.startswith('events-20260301T120005Z-00002-of-00004-00003-') and n.endswith('.avro')
               for n in names)
    later = stream_file_name('events', at + dt.timedelta(seconds=1), 0, 0, 4)
    assert max(names) < later  # by flush time first, whatever the shard and pane


@pytest.mark.parametrize('inputs, empty', [
    # one story, its events and summary, and no dead letter
    ([os.path.join(CLI_FIXTURES, 'othernews.xml')], {'deadletter'}),
    # nothing readable at all: only a dead letter
    (['{tmp}/no-feeds-here'], {'stories', 'events', 'summaries'}),
], ids=['no-dead-letters', 'no-stories'])
def test_batch_run_leaves_every_contract_folder_even_empty(tmp_path, inputs, empty):
    (tmp_path / 'no-feeds-here').mkdir()
    out = tmp_path / 'out'
    run_batch([p.format(tmp=tmp_path) for p in inputs], str(out))
    assert sorted(os.listdir(out)) == sorted(list(OUTPUT_FOLDERS.values()) + ['_MANIFEST.json'])
    for folder in OUTPUT_FOLDERS.values():
        files = os.listdir(out / folder)
        if folder in empty:
            assert files == [], folder
        else:
            assert files == [batch_file_name(folder)], folder


def test_batch_run_on_the_sample_prints_no_key_coder_warning(tmp_path):
    """Beam warns when a stateful DoFn's key coder may not be deterministic: keys must be typed."""
    result = subprocess.run(
        [sys.executable, '-m', 'wirewatch.pipeline.cli', 'run', '--output', str(tmp_path / 'out')],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert NONDETERMINISTIC_KEY not in result.stderr
    assert 'All input pcollections must have the same window' not in result.stderr


def test_streaming_graph_has_deterministic_keys(tmp_path, caplog):
    from wirewatch.pipeline.build import build_pipeline
    from wirewatch.pipeline.runners import pipeline_options
    from wirewatch.transforms.ingest.sources import ReadFromPubSubItems

    options = pipeline_options(['--output', str(tmp_path)], streaming=True)
    with caplog.at_level(logging.WARNING, logger='apache_beam'):
        build_pipeline(options, ReadFromPubSubItems(
            'projects/wirewatch-local/subscriptions/wirewatch-items-sub'))
    assert [r.getMessage() for r in caplog.records if NONDETERMINISTIC_KEY in r.getMessage()] == []


def test_help_lists_every_command_on_one_line(capsys):
    assert main(['--help']) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in COMMANDS:
        mine = [line for line in lines if line.split()[:1] == [name]]
        assert len(mine) == 1, name
        assert len(mine[0].split()) > 2 and len(mine[0]) <= 80, mine[0]
    assert lines == usage().splitlines()


def test_no_command_prints_the_help_and_fails(capsys):
    assert main([]) == 2
    assert 'commands:' in capsys.readouterr().err
