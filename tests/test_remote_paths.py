"""gs:// everywhere a path is taken: ``read``, ``report``, output clearing and the file sinks
go through Beam's FileSystems, checked here on ``memfs://``, a filesystem of this test.

``MemoryFileSystem`` behaves as an object store does (gs://, s3://): no directories,
only names; listing a prefix lists every name under it; a rename is a copy and a delete.
Names under ``memfs://locked/`` cannot be written."""
import datetime as dt
import io
import json
import threading
import time

import apache_beam as beam
import pytest
from apache_beam.io.filesystem import BeamIOError, FileMetadata, FileSystem
from apache_beam.testing.test_pipeline import TestPipeline

from conftest import TEST_RUNNER
from factories import make_story
from wirewatch import schemas
from wirewatch.pipeline.cli import main
from wirewatch.pipeline.outputs import UsageError, prepare_output_dir, read_records
from wirewatch.transforms.deadletter import make_dead_letter
from wirewatch.transforms.sinks import WriteAvroFiles, write_avro_file
from wirewatch.transforms.sinks.idempotent import ids_in_folder

UTC = dt.timezone.utc
T0 = dt.datetime(2031, 5, 6, tzinfo=UTC)
ROOT = 'memfs://'
_FILES = {}       # full path -> (bytes, last updated): FileSystems makes a new instance per call
_LOCK = threading.Lock()


class _Upload(io.BytesIO):
    """What ``create`` returns: the object appears, whole, when closed."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def close(self):
        if not self.closed:
            with _LOCK:
                _FILES[self.path] = (self.getvalue(), time.time())
        super().close()


class MemoryFileSystem(FileSystem):
    """An in-memory object store under ``memfs://`` (registered by being defined)."""

    @classmethod
    def scheme(cls):
        return 'memfs'

    def join(self, basepath, *paths):
        path = basepath
        for part in paths:
            path = path + part if path.endswith('/') else f'{path}/{part}'
        return path

    def split(self, path):
        head, _, tail = path[len(ROOT):].rstrip('/').rpartition('/')
        return ROOT + head, tail

    def mkdirs(self, path):
        pass

    def has_dirs(self):
        return False

    def _list(self, dir_or_prefix):
        with _LOCK:
            found = [(p, len(data), at) for p, (data, at) in _FILES.items()
                     if p.startswith(dir_or_prefix)]
        for path, size, at in found:
            yield FileMetadata(path, size, at)

    def create(self, path, mime_type='application/octet-stream', compression_type=None):
        if path.startswith(ROOT + 'locked/'):
            raise IOError(f'permission denied: {path}')
        return _Upload(path)

    def open(self, path, mime_type='application/octet-stream', compression_type=None):
        with _LOCK:
            if path not in _FILES:
                raise BeamIOError('Open failed', {path: IOError(f'not found: {path}')})
            return io.BytesIO(_FILES[path][0])

    def copy(self, source_file_names, destination_file_names):
        with _LOCK:
            for source, destination in zip(source_file_names, destination_file_names):
                _FILES[destination] = _FILES[source]

    def rename(self, source_file_names, destination_file_names):
        with _LOCK:
            for source, destination in zip(source_file_names, destination_file_names):
                _FILES[destination] = _FILES.pop(source)

    def exists(self, path):
        with _LOCK:
            return path in _FILES

    def size(self, path):
        return len(_FILES[path][0])

    def last_updated(self, path):
        return _FILES[path][1]

    def checksum(self, path):
        return str(hash(_FILES[path][0]))

    def metadata(self, path):
        return FileMetadata(path, self.size(path), self.last_updated(path))

    def delete(self, paths):
        with _LOCK:
            missing = {p: IOError(f'not found: {p}') for p in paths if p not in _FILES}
            for path in paths:
                _FILES.pop(path, None)
        if missing:
            raise BeamIOError('Delete operation failed', missing)


@pytest.fixture
def bucket():
    """A fresh ``memfs://`` bucket name; the store is emptied after the test."""
    yield ROOT + 'bucket'
    with _LOCK:
        _FILES.clear()


def names(prefix):
    with _LOCK:
        return sorted(p[len(prefix):] for p in _FILES if p.startswith(prefix))


def summary(country, day, alert='NONE', pane='ON_TIME'):
    start = T0 + dt.timedelta(days=day)
    return schemas.check('CountrySummary', {
        'country': country, 'country_name': {'QVA': 'Veloria', 'QOS': 'Ostrana'}[country],
        'window_start': start, 'window_end': start + dt.timedelta(days=1), 'pane': pane,
        'is_final': True, 'events': 1, 'stories': 1, 'articles': 1, 'sources': 1,
        'events_by_type': {'PROTEST': 1}, 'killed': None, 'injured': None, 'arrested': None,
        'intensity': 4.0, 'alert_level': alert, 'top_actors': [], 'top_locations': [],
        'headlines': [], 'crowd_size': None})


def event(eid, country, day):
    published = T0 + dt.timedelta(days=day, hours=9)
    return schemas.check('Event', {
        'event_id': eid, 'story_id': 'c1', 'cluster_id': 'c1', 'event_type': 'PROTEST',
        'mode': None, 'quad_class': 3, 'cameo_root': '14',
        'actor1': {'name': 'dock workers', 'sector': 'CVL', 'country': country}, 'actor2': None,
        'country': country,
        'location': {'name': 'Port Selm', 'country': country, 'admin1': None, 'lat': None,
                     'lon': None, 'precision': 'CITY'},
        'event_date': published.date(), 'date_precision': 'DAY',
        'killed': None, 'injured': None, 'arrested': None, 'crowd_size': None,
        'sentence': 'Dock workers marched through Port Selm on Tuesday.', 'trigger': 'marched',
        'confidence': 0.9, 'published_at': published,
        'source_url': 'https://herald.example.test/port-selm', 'source_name': 'Harbour Herald'})


def write_outputs(out):
    """A small output directory: summaries in two shard files (one in a per-window
    subfolder, as streams once wrote), events, a story, a hidden part file."""
    write_avro_file(f'{out}/summaries', 'summaries-00000-of-00002.avro', 'CountrySummary',
                    [summary('QVA', 0), summary('QVA', 1, alert='WATCH')])
    write_avro_file(f'{out}/summaries/2031-05-06', 'summaries-00001-of-00002.avro',
                    'CountrySummary', [summary('QOS', 0)])
    write_avro_file(f'{out}/events', 'events-00000-of-00001.avro', 'Event',
                    [event('e1', 'QVA', 1), event('e2', 'QOS', 0)])
    write_avro_file(f'{out}/stories', 'stories-00000-of-00001.avro', 'Story',
                    [make_story('c1', 'Dock workers march', source='Harbour Herald')])
    with _LOCK:
        _FILES[f'{out}/summaries/.summaries-00002-of-00003.avro.part'] = (b'Obj\x01 half', 0.0)


# ------------------------------------------------------------------------- read

def test_read_takes_folders_files_and_globs_on_any_filesystem(bucket, capsys):
    out = f'{bucket}/out'
    write_outputs(out)
    countries = lambda records: sorted(r['country'] for r in records)  # noqa: E731
    assert countries(read_records([f'{out}/summaries'])) == ['QOS', 'QVA', 'QVA']  # all depths
    assert countries(read_records([f'{out}/summaries/'])) == ['QOS', 'QVA', 'QVA']
    assert countries(read_records([f'{out}/summaries/summaries-00000-of-00002.avro'])) == ['QVA', 'QVA']
    assert countries(read_records([f'{out}/sum*/*.avro'])) == ['QVA', 'QVA']  # * : one level
    assert countries(read_records([f'{out}/summaries/**.avro'])) == ['QOS', 'QVA', 'QVA']

    assert main(['read', f'{out}/summaries', '--where', 'alert_level=WATCH']) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])['window_start'].startswith('2031-05-07')
    assert main(['read', f'{out}/events', '--format', 'csv']) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith('event_id,story_id')


def test_read_of_a_missing_path_fails_with_one_line(bucket, capsys):
    assert main(['read', f'{bucket}/nothing-here']) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and 'no such file or directory' in err


# ------------------------------------------------------------------------- report

def test_report_reads_an_output_directory_and_writes_the_page_there(bucket, capsys):
    out = f'{bucket}/out'
    write_outputs(out)
    for target in (out, f'{out}/summaries'):
        page = f'{bucket}/reports/crisis.html'
        assert main(['report', target, '--html', page]) == 0
        assert '3 summaries, 2 events ->' in capsys.readouterr().out
        with _LOCK:
            text = _FILES[page][0].decode('utf-8')
        assert 'Veloria (QVA)' in text and 'Ostrana (QOS)' in text
        assert 'Dock workers marched through Port Selm on Tuesday.' in text  # events beside it


def test_report_that_cannot_be_written_fails_with_one_line(bucket, capsys):
    write_outputs(f'{bucket}/out')
    assert main(['report', f'{bucket}/out', '--html', f'{ROOT}locked/crisis.html']) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and 'cannot write' in err and 'permission denied' in err


# ------------------------------------------------------------------------- clearing

def test_clearing_removes_only_wirewatch_outputs(bucket):
    out = f'{bucket}/out'
    write_outputs(out)
    with _LOCK:
        for name in ('_MANIFEST.json', 'notes.txt', 'stories-archive/old.avro', 'deadletter/x.avro'):
            _FILES[f'{out}/{name}'] = (b'x', 0.0)
    before = names(out + '/')
    assert len(before) == 9
    assert prepare_output_dir(out, clear=False) == out
    assert names(out + '/') == before  # a stream continues: nothing removed (the probe neither)
    assert prepare_output_dir(out) == out
    assert names(out + '/') == ['notes.txt', 'stories-archive/old.avro']


def test_unwritable_output_is_a_usage_error(bucket):
    with pytest.raises(UsageError, match='is not writable: permission denied'):
        prepare_output_dir(f'{ROOT}locked/out')


# ------------------------------------------------------------------------- sinks

def test_sharded_sinks_write_whole_files_to_any_filesystem(bucket):
    out = f'{bucket}/out'
    stories = [make_story(f's{i:02d}', f'Harbour notice {i}') for i in range(20)]
    dead = [make_dead_letter('read', 'EMPTY_FEED', f'capture {i}') for i in range(5)]
    with TestPipeline(runner=TEST_RUNNER) as p:
        _ = p | 'Stories' >> beam.Create(stories) | 'WriteStories' >> WriteAvroFiles(
            out, 'Story', num_shards=3)
        _ = p | 'Dead' >> beam.Create(dead) | 'WriteDead' >> WriteAvroFiles(
            out, 'DeadLetter', num_shards=3)
    assert names(f'{out}/stories/') == [f'stories-0000{i}-of-00003.avro' for i in range(3)]
    assert sorted(r['story_id'] for r in read_records([f'{out}/stories'])) == \
        [s['story_id'] for s in stories]
    assert ids_in_folder(f'{out}/stories', 'Story') == {s['story_id'] for s in stories}
    assert len(read_records([f'{out}/deadletter'])) == 5
