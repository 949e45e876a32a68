"""Sharded file sinks: N writers per output folder, in batch and on a stream.

The rules without Beam first (a record's shard, file names, the runner's shard
count), then ``WriteAvroFiles`` on TestPipeline and TestStream, then a whole
batch run with ``--num_shards``."""
import datetime as dt
import json
import os
import re

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.transforms.window import TimestampedValue

from conftest import FIXTURES, TEST_RUNNER
from factories import make_story
from wirewatch import schemas
from wirewatch.transforms import sinks
from wirewatch.transforms.deadletter import make_dead_letter
from wirewatch.transforms.sinks import (DEFAULT_SHARDS, OUTPUT_FOLDERS, WriteAvroFiles,
                                        batch_file_name, runner_shards, shard_key, shard_of,
                                        stream_file_name)
from wirewatch.transforms.sinks.idempotent import ids_in_folder

UTC = dt.timezone.utc
T0 = dt.datetime(2031, 5, 6, 8, 0, tzinfo=UTC)
BATCH_NAME = re.compile(r'^(?P<folder>[a-z]+)-(?P<shard>\d{5})-of-(?P<n>\d{5})\.avro$')
STREAM_NAME = re.compile(r'^(?P<folder>[a-z]+)-\d{8}T\d{6}Z-(?P<shard>\d{5})-of-(?P<n>\d{5})'
                         r'-(?P<pane>\d{5})-[0-9a-f]{8}\.avro$')


def stories(n, prefix='s'):
    return [make_story(f'{prefix}{i:03d}', f'Harbour notice {i}',
                       published=T0 + dt.timedelta(minutes=i)) for i in range(n)]


def summary(country, day, pane='ON_TIME', events=1):
    start = T0.replace(hour=0) + dt.timedelta(days=day)
    return schemas.check('CountrySummary', {
        'country': country, 'country_name': country, 'window_start': start,
        'window_end': start + dt.timedelta(days=1), 'pane': pane, 'is_final': pane != 'EARLY',
        'events': events, 'stories': 1, 'articles': 1, 'sources': 1,
        'events_by_type': {'PROTEST': events}, 'killed': None, 'injured': None, 'arrested': None,
        'intensity': 1.0, 'alert_level': 'NONE', 'top_actors': [], 'top_locations': [],
        'headlines': [], 'crowd_size': None})


def files_of(folder_path):
    """{file name: records} of the Avro files in a folder (no hidden part file allowed)."""
    names = sorted(os.listdir(folder_path))
    assert not [n for n in names if n.startswith('.')], names
    return {n: schemas.read_container(os.path.join(folder_path, n)) for n in names}


# ------------------------------------------------------------------------- rules

def test_a_record_shard_depends_on_its_identity_only():
    story = make_story('s-harbour', 'Harbour notice')
    moved = dict(story, title='Harbour notice, updated', published_at=T0)
    assert shard_key('Story', story) == shard_key('Story', moved) == b's-harbour'
    assert shard_of(b's-harbour', 7) == shard_of(b's-harbour', 7) < 7
    # every pane of a country's window lands in the same shard; another window may not
    panes = [summary('QVA', 0, pane) for pane in ('EARLY', 'ON_TIME', 'LATE')]
    assert len({shard_of(shard_key('CountrySummary', s), 5) for s in panes}) == 1
    assert shard_key('CountrySummary', summary('QVA', 1)) != shard_key('CountrySummary', panes[0])
    letters = [make_dead_letter('read', 'EMPTY_FEED', 'nothing in it', payload=b'<rss/>'),
               make_dead_letter('read', 'EMPTY_FEED', 'nothing in it', payload=b'<rss></rss>')]
    assert shard_key('DeadLetter', letters[0]) != shard_key('DeadLetter', letters[1])


def test_keys_spread_over_every_shard():
    counts = [0] * 4
    for story in stories(200):
        counts[shard_of(shard_key('Story', story), 4)] += 1
    assert sum(counts) == 200 and min(counts) >= 30, counts


def test_file_names_say_shard_and_count():
    assert batch_file_name('stories', 2, 4) == 'stories-00002-of-00004.avro'
    assert batch_file_name('stories') == 'stories-00000-of-00001.avro'
    name = stream_file_name('events', dt.datetime(2031, 5, 6, 12, 0, 5, tzinfo=UTC), 3, 1, 4)
    assert STREAM_NAME.match(name).groupdict() == {'folder': 'events', 'shard': '00001',
                                                   'n': '00004', 'pane': '00003'}
    assert name.startswith('events-20310506T120005Z-00001-of-00004-00003-')


@pytest.mark.parametrize('flags, expected', [
    (['--runner', 'FnApiRunner', '--direct_num_workers', '3'], 3),
    (['--runner', 'BundleBasedDirectRunner'], 1),   # the local stream: one process
    ([], 1),                                          # Beam's default runner is local too
    (['--runner', 'DataflowRunner'], DEFAULT_SHARDS),
    (['--runner', 'DataflowRunner', '--num_workers', '2'], DEFAULT_SHARDS),
    (['--runner', 'DataflowRunner', '--num_workers', '2', '--max_num_workers', '20'], 20),
    (['--runner', 'FlinkRunner', '--parallelism', '12'], 12),
], ids=['local-workers', 'local-stream', 'default', 'dataflow-autoscaled', 'dataflow-small',
        'dataflow-max', 'flink'])
def test_runner_chosen_shard_count(flags, expected):
    assert runner_shards(PipelineOptions(flags)) == expected


def test_num_shards_must_be_positive():
    with pytest.raises(ValueError):
        WriteAvroFiles('/nowhere', 'Story', num_shards=0)


# ------------------------------------------------------------------------- batch

@pytest.mark.parametrize('record_type, records', [
    ('Story', stories(30)),
    ('CountrySummary', [summary(c, d) for c in ('QVA', 'QOS', 'QCA') for d in range(5)]),
    ('DeadLetter', [make_dead_letter('read', 'EMPTY_FEED', f'capture {i}') for i in range(12)]),
], ids=['stories', 'summaries', 'deadletter'])
def test_batch_writes_at_most_one_file_per_shard_with_every_record_once(tmp_path, record_type,
                                                                         records):
    folder = OUTPUT_FOLDERS[record_type]
    with TestPipeline(runner=TEST_RUNNER) as p:
        _ = p | beam.Create(records) | WriteAvroFiles(str(tmp_path), record_type, num_shards=4)
    files = files_of(tmp_path / folder)
    assert 1 < len(files) <= 4
    written = []
    for name, rows in files.items():
        parts = BATCH_NAME.match(name).groupdict()
        assert (parts['folder'], parts['n']) == (folder, '00004') and rows
        assert {shard_of(shard_key(record_type, r), 4) for r in rows} == {int(parts['shard'])}
        written += rows
    key = lambda r: shard_key(record_type, r)  # noqa: E731
    assert sorted(map(key, written)) == sorted(map(key, records))


def test_restarted_stream_finds_the_ids_of_sharded_files(tmp_path):
    with TestPipeline(runner=TEST_RUNNER) as p:
        _ = p | beam.Create(stories(12)) | WriteAvroFiles(str(tmp_path), 'Story', num_shards=3)
    assert len(os.listdir(tmp_path / 'stories')) == 3
    assert ids_in_folder(str(tmp_path / 'stories'), 'Story') == {s['story_id'] for s in stories(12)}


# ------------------------------------------------------------------------- stream

def _stamped(records):
    return [TimestampedValue(r, r['published_at'].timestamp()) for r in records]


def test_stream_writes_one_file_per_shard_and_flush_losing_and_doubling_nothing(tmp_path):
    out = str(tmp_path)
    first, second = stories(16, 'a'), stories(16, 'b')
    script = (TestStream()
              .advance_watermark_to(T0.timestamp())
              .add_elements(_stamped(first))
              .advance_processing_time(10)   # past flush_seconds: every shard writes
              .add_elements(_stamped(second))
              .advance_processing_time(10)
              .advance_watermark_to_infinity())
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    sinks.reset_progress(out)
    with TestPipeline(runner=TEST_RUNNER, options=options) as p:
        _ = p | script | WriteAvroFiles(out, 'Story', streaming=True, flush_seconds=5,
                                        num_shards=4)
    files = files_of(tmp_path / 'stories')
    written = [r['story_id'] for rows in files.values() for r in rows]
    assert sorted(written) == sorted(s['story_id'] for s in first + second)  # each once
    panes = {}
    for name, rows in files.items():
        parts = STREAM_NAME.match(name).groupdict()
        assert (parts['folder'], parts['n']) == ('stories', '00004') and rows
        shard = int(parts['shard'])
        assert {shard_of(shard_key('Story', r), 4) for r in rows} == {shard}
        panes.setdefault(shard, []).append(int(parts['pane']))
    # each shard numbers its own flushes, one file each; two flushes, so some shard wrote twice
    assert all(sorted(p) == list(range(len(p))) for p in panes.values()), panes
    assert max(len(p) for p in panes.values()) == 2 and len(files) <= 2 * 4
    # what a stopping stream waits for: everything taken in was written
    assert sinks.pending_records(out) == 0 and sinks._progress[out] == [32, 32]


def test_stream_summaries_are_written_as_soon_as_they_fire_in_their_shards(tmp_path):
    out = str(tmp_path)
    early = [summary(c, 0, 'EARLY') for c in ('QVA', 'QOS', 'QCA', 'QMA')]
    final = [summary(c, 0, 'ON_TIME', events=2) for c in ('QVA', 'QOS', 'QCA', 'QMA')]
    stamp = lambda rs: [TimestampedValue(r, r['window_start'].timestamp()) for r in rs]  # noqa: E731
    script = (TestStream().advance_watermark_to(T0.timestamp())
              .add_elements(stamp(early)).add_elements(stamp(final))
              .advance_watermark_to_infinity())
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    with TestPipeline(runner=TEST_RUNNER, options=options) as p:
        _ = p | script | WriteAvroFiles(out, 'CountrySummary', streaming=True, num_shards=3)
    files = files_of(tmp_path / 'summaries')
    written = sorted((r['country'], r['pane']) for rows in files.values() for r in rows)
    assert written == sorted((s['country'], s['pane']) for s in early + final)
    for name, rows in files.items():
        shard = int(STREAM_NAME.match(name).group('shard'))
        assert {shard_of(shard_key('CountrySummary', r), 3) for r in rows} == {shard}


# ------------------------------------------------------------------------- a whole run

def test_batch_run_with_num_shards_writes_every_record_once(tmp_path):
    from wirewatch.pipeline.cli import run_batch
    from wirewatch.pipeline.outputs import read_records

    out = tmp_path / 'out'
    manifest = run_batch([os.path.join(FIXTURES, 'cli')], str(out), ['--num_shards', '3'])
    for folder in OUTPUT_FOLDERS.values():
        names = os.listdir(out / folder)
        assert len(names) <= 3, names
        assert all(BATCH_NAME.match(n).group('folder', 'n') == (folder, '00003') for n in names)
    counts = {folder: len(read_records([str(out / folder)])) for folder in OUTPUT_FOLDERS.values()}
    assert counts == {'stories': manifest['stories'], 'events': manifest['events'],
                      'summaries': manifest['summaries'],
                      'deadletter': manifest['dead_letters_written']}
    story_ids = [r['story_id'] for r in read_records([str(out / 'stories')])]
    assert len(story_ids) == len(set(story_ids))
    with open(out / '_MANIFEST.json') as f:
        assert json.load(f)['accounted'] is True
