"""Sinks: Avro container files per record type, Avro messages on Pub/Sub, and the run manifest.

Files. Every output folder of the contract (``stories``, ``events``,
``summaries``, ``deadletter``) is created when the pipeline starts, so a run
with nothing to write in one of them still leaves it, empty, for consumers
that glob all four. One writer (``schemas.write_container``) writes records in
batches.

Shards. Each folder is written by N writers at once, not one: a record goes to
shard ``crc32(its key) mod N``, its key being what identifies it (``story_id``,
``event_id``, a summary's country and window, a dead letter's content), so a
rerun with the same N puts every record in the same shard, and all panes of one
country's window go through one writer. N is ``--num_shards``, or with 0 (the
default) the runner's parallelism as its options state it (``runner_shards``).
In batch, one file per non-empty shard (``stories-00002-of-00004.avro``); on a
stream, one per shard and flush (``flush_seconds`` of processing time after the
shard's first record waiting; summaries at once), named by the flush time in
UTC, the shard, the shard's flush number and a random tag
(``events-20260301T120000Z-00002-of-00004-00003-1a2b3c4d.avro``). Summaries are
sharded too: a consumer keeps the newest pane of each country and window (see
``idempotent``), which needs no firing to be one file; each summary record is one
such pane, whole in one file, and every pane of a window takes the same shard.
Each file is written under a hidden name (``.<name>.part``) and renamed when
complete, so a reader never sees a partial file and a stopped stream leaves
nothing to finalise.

What a stream's sinks hold for their next flush is what a stopping local
stream waits for: ``pending_records(output_dir)`` counts, in this process,
records taken in minus records written. (Beam's metrics cannot tell: on Beam
2.77 the streaming DirectRunner loses the counter updates of steps downstream
of some stateful DoFns.)

Records are validated against their schema first; a record that does not fit
becomes a dead letter (stage ``sink``) instead of failing the write.
"""
import collections
import datetime
import json
import os
import threading
import typing
import uuid
import zlib

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.options.pipeline_options import (DirectOptions, FlinkRunnerOptions,
                                                  StandardOptions, WorkerOptions)
from apache_beam.transforms import trigger, window

from wirewatch import schemas
from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, make_dead_letter

OUTPUT_FOLDERS = {'Story': 'stories', 'Event': 'events', 'CountrySummary': 'summaries',
                  'DeadLetter': 'deadletter'}
PART_SUFFIX = '.part'
# Shards per folder on a remote runner whose options state no worker count (an autoscaled
# job): enough that a folder is not one worker's to write once the job scales out, few
# enough that each stream flush (--file_flush_seconds) adds at most 4 small files a folder.
DEFAULT_SHARDS = 4
# Runners that run in this machine's processes; their parallelism is --direct_num_workers.
LOCAL_RUNNERS = frozenset({'directrunner', 'switchingdirectrunner', 'bundlebaseddirectrunner',
                           'fnapirunner', 'prismrunner'})

_progress_lock = threading.Lock()
_progress = collections.defaultdict(lambda: [0, 0])  # output dir -> [taken in, written]


def _count_progress(output_dir, taken=0, written=0):
    with _progress_lock:
        entry = _progress[output_dir]
        entry[0] += taken
        entry[1] += written


def pending_records(output_dir):
    """Records the file sinks writing under ``output_dir`` have taken in but not yet
    written, in this process (local runners; 0 where workers are elsewhere)."""
    with _progress_lock:
        taken, written = _progress.get(output_dir, (0, 0))
    return taken - written


def reset_progress(output_dir):
    """Forget the counts of an earlier pipeline writing under ``output_dir``."""
    with _progress_lock:
        _progress.pop(output_dir, None)


def make_folder(path):
    """Create ``path`` (any Beam filesystem; a no-op where folders are implicit, e.g. gs://)."""
    if not FileSystems.exists(path):
        try:
            FileSystems.mkdirs(path)
        except IOError:  # created meanwhile by another worker
            if not FileSystems.exists(path):
                raise
    return path


def shard_key(record_type, record):
    """What identifies a record for sharding (bytes): its id, a summary's country and window,
    a dead letter's content. Equal records always get the same key."""
    if record_type == 'Story':
        text = record['story_id']
    elif record_type == 'Event':
        text = record['event_id']
    elif record_type == 'CountrySummary':
        text = f"{record['country']}|{record['window_start']}"
    else:
        text = '|'.join(str(record.get(field)) for field in ('stage', 'error', 'source', 'detail'))
        return text.encode('utf-8') + (record.get('payload') or b'')
    return text.encode('utf-8')


def shard_of(key, num_shards):
    """The shard (0 .. num_shards - 1) of a ``shard_key``: stable across processes and runs
    (``hash()`` of a str is not)."""
    return zlib.crc32(key) % num_shards


def runner_shards(options):
    """Shards per folder when none is configured (``--num_shards 0``): the parallelism the
    options give the runner. A local runner: its worker processes (``--direct_num_workers``,
    every core for a local batch run, 1 for the local stream, whose one process gains nothing
    from more files). A remote runner: ``--max_num_workers``, else ``--num_workers``, else
    Flink's ``--parallelism``, but at least ``DEFAULT_SHARDS``."""
    runner = options.view_as(StandardOptions).runner
    name = runner if isinstance(runner, str) or runner is None else type(runner).__name__
    name = (name or 'DirectRunner').rsplit('.', 1)[-1].lower()
    if name in LOCAL_RUNNERS or f'{name}runner' in LOCAL_RUNNERS:
        workers = options.view_as(DirectOptions).direct_num_workers
        return workers if workers and workers > 0 else (os.cpu_count() or 1)
    workers = options.view_as(WorkerOptions)
    stated = (workers.max_num_workers or workers.num_workers
              or max(0, options.view_as(FlinkRunnerOptions).parallelism or 0))
    return max(DEFAULT_SHARDS, stated)


def batch_file_name(folder, shard=0, num_shards=1):
    """A batch run's file of one shard: ``stories-00002-of-00004.avro``."""
    return f'{folder}-{shard:05d}-of-{num_shards:05d}.avro'


def stream_file_name(folder, flushed_at, pane_index, shard=0, num_shards=1):
    """A name unique to one flush of one shard: UTC flush time, shard, the shard's flush
    (pane) number, and a random tag (a restarted job numbers its panes from 0 again)."""
    return (f'{folder}-{flushed_at:%Y%m%dT%H%M%S}Z-{shard:05d}-of-{num_shards:05d}'
            f'-{pane_index:05d}-{uuid.uuid4().hex[:8]}.avro')


def write_avro_file(folder_path, name, record_type, records):
    """Write ``records`` as the complete Avro file ``folder_path/name``: under a hidden
    ``.name.part`` first, renamed once written. Returns the final path."""
    final = FileSystems.join(folder_path, name)
    part = FileSystems.join(folder_path, f'.{name}{PART_SUFFIX}')
    try:
        with FileSystems.create(part) as f:
            schemas.write_container(f, record_type, records)
    except BaseException:
        if FileSystems.exists(part):
            FileSystems.delete([part])
        raise
    FileSystems.rename([part], [final])  # replaces a file of that name (a batch rerun)
    return final


class _ValidateFn(beam.DoFn):
    def __init__(self, record_type):
        self.record_type = record_type
        self.invalid = Metrics.counter(self.__class__, 'records_invalid')

    def process(self, record):
        try:
            schemas.check(self.record_type, record)
        except Exception as exc:  # fastavro raises several types; all mean "does not fit"
            self.invalid.inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTER_TAG, make_dead_letter(
                'sink', 'SCHEMA_VALIDATION', f'{self.record_type}: {exc}',
                payload=repr(record).encode('utf-8', 'replace')))
            return
        yield record


class ValidateRecords(beam.PTransform):
    """Split records into those that fit ``record_type``'s schema and dead letters."""

    def __init__(self, record_type):
        super().__init__()
        self.record_type = record_type

    def expand(self, records):
        result = records | beam.ParDo(_ValidateFn(self.record_type)).with_outputs(
            DEAD_LETTER_TAG, main='valid')
        return result.valid, result[DEAD_LETTER_TAG]


class _ToWriteFn(beam.DoFn):
    """Keys records by their shard for the flush, counting them in."""

    def __init__(self, output_dir, record_type, num_shards):
        self.output_dir = output_dir
        self.record_type = record_type
        self.num_shards = num_shards

    def process(self, record):
        _count_progress(self.output_dir, taken=1)
        yield shard_of(shard_key(self.record_type, record), self.num_shards), record


class _WriteAvroFileFn(beam.DoFn):
    """One batch of records (one folder, one shard, one flush) into one new Avro file."""

    def __init__(self, output_dir, folder_path, record_type, streaming, num_shards):
        self.output_dir = output_dir
        self.folder_path = folder_path
        self.folder = OUTPUT_FOLDERS[record_type]
        self.record_type = record_type
        self.streaming = streaming
        self.num_shards = num_shards
        self.written = Metrics.counter(self.__class__, 'records_written')
        self.files = Metrics.counter(self.__class__, 'files_written')

    def process(self, keyed, pane=beam.DoFn.PaneInfoParam):
        shard, records = keyed
        records = list(records)
        if not records:
            return
        if self.streaming:
            name = stream_file_name(self.folder, datetime.datetime.now(datetime.timezone.utc),
                                    pane.index, shard, self.num_shards)
        else:
            name = batch_file_name(self.folder, shard, self.num_shards)
        path = write_avro_file(self.folder_path, name, self.record_type, records)
        _count_progress(self.output_dir, written=len(records))
        self.written.inc(len(records))
        self.files.inc()
        yield path


class WriteAvroFiles(beam.PTransform):
    """Records of one type into ``<output>/<folder>/*.avro``, ``num_shards`` writers (and at
    most that many files per batch run or flush) per folder; returns the paths written.

    On a stream, records are flushed into a new file every ``flush_seconds`` of
    processing time after the first record waiting, so every pane (early ones
    included) reaches disk promptly; summaries (``flush_each``) are written as
    soon as each pane fires. (Not ``AfterAny(AfterCount, AfterProcessingTime)``:
    Beam's Python ``AfterAny`` re-checks its parts in the watermark domain when
    it fires, so a processing-time part is never reset and fires only once.)
    """

    def __init__(self, output_dir, record_type, streaming=False, flush_seconds=10,
                 flush_each=None, num_shards=1):
        super().__init__()
        if num_shards < 1:
            raise ValueError(f'num_shards must be at least 1, got {num_shards}')
        self.output_dir = output_dir
        self.record_type = record_type
        self.num_shards = num_shards
        self.streaming = streaming
        self.flush_seconds = flush_seconds
        self.flush_each = record_type == 'CountrySummary' if flush_each is None else flush_each

    def _flush_trigger(self):
        if self.flush_each:
            return trigger.Repeatedly(trigger.AfterCount(1))
        return trigger.Repeatedly(trigger.AfterProcessingTime(self.flush_seconds))

    def expand(self, records):
        folder = OUTPUT_FOLDERS[self.record_type]
        folder_path = FileSystems.join(self.output_dir, folder)
        _ = (records.pipeline
             | 'OnStart' >> beam.Impulse()
             | 'MakeFolder' >> beam.Map(lambda _, path=folder_path: make_folder(path)))
        keyed = records | 'KeyByShard' >> beam.ParDo(_ToWriteFn(
            self.output_dir, self.record_type, self.num_shards)).with_output_types(
                typing.Tuple[int, typing.Any])
        if self.streaming:
            keyed = keyed | 'FlushEvery' >> beam.WindowInto(
                window.GlobalWindows(), trigger=self._flush_trigger(),
                accumulation_mode=trigger.AccumulationMode.DISCARDING)
        return (keyed
                | 'Batch' >> beam.GroupByKey()
                | 'WriteAvro' >> beam.ParDo(_WriteAvroFileFn(
                    self.output_dir, folder_path, self.record_type, self.streaming,
                    self.num_shards)))


def record_id(record_type, record):
    """What a consumer deduplicates a message on: the ``event_id`` of an Event, ``COUNTRY/
    window start`` of a CountrySummary (its panes share it: keep the latest), else None."""
    if record_type == 'Event':
        return record['event_id']
    if record_type == 'CountrySummary':
        return f"{record['country']}/{record['window_start'].isoformat()}"
    return None


def to_pubsub_message(record_type, record):
    """A PubsubMessage: schemaless Avro body; attributes ``schema`` (the record type),
    ``schema_fingerprint`` (the writer schema, see ``schemas.message_attributes``) and, for
    Events and summaries, ``record_id`` (topics are at-least-once around a crash and replay:
    consumers deduplicate on it)."""
    from apache_beam.io.gcp.pubsub import PubsubMessage
    attributes = schemas.message_attributes(record_type)
    identity = record_id(record_type, record)
    if identity is not None:
        attributes['record_id'] = identity
    return PubsubMessage(schemas.encode(record_type, record), attributes)


class PublishAvro(beam.PTransform):
    """Records of one type as Avro messages on a Pub/Sub topic."""

    def __init__(self, topic, record_type):
        super().__init__()
        self.topic = topic
        self.record_type = record_type

    def expand(self, records):
        record_type = self.record_type
        return (records
                | 'ToPubsubMessage' >> beam.Map(lambda r: to_pubsub_message(record_type, r))
                | 'Publish' >> beam.io.WriteToPubSub(self.topic, with_attributes=True))


def write_manifest(output_dir, manifest):
    """Write ``_MANIFEST.json`` (any Beam filesystem: local, gs://...)."""
    path = FileSystems.join(output_dir, '_MANIFEST.json')
    with FileSystems.create(path) as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True, default=str).encode('utf-8'))
    return path
