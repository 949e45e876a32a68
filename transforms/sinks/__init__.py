"""Sinks: Avro container files per record type, Avro messages on Pub/Sub, and the run manifest.

Files. Every output folder of the contract (``stories``, ``events``,
``summaries``, ``deadletter``) is created when the pipeline starts, so a run
with nothing to write in one of them still leaves it, empty, for consumers
that glob all four. One writer (``schemas.write_container``) writes records in
batches: in batch one per folder (``stories-00000-of-00001.avro``); on a stream
one per flush (``flush_seconds`` of processing time after the first record
waiting; each summary pane at once), named by the flush time in UTC, the pane
number and a random tag (``events-20260301T120000Z-00003-1a2b3c4d.avro``).
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
import threading
import typing
import uuid

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms import trigger, window

from wirewatch import schemas
from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, make_dead_letter

OUTPUT_FOLDERS = {'Story': 'stories', 'Event': 'events', 'CountrySummary': 'summaries',
                  'DeadLetter': 'deadletter'}
PART_SUFFIX = '.part'

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


def batch_file_name(folder):
    return f'{folder}-00000-of-00001.avro'


def stream_file_name(folder, flushed_at, pane_index):
    """A name unique to one flush: UTC flush time, pane number, and a random tag
    (a restarted job numbers its panes from 0 again)."""
    return f'{folder}-{flushed_at:%Y%m%dT%H%M%S}Z-{pane_index:05d}-{uuid.uuid4().hex[:8]}.avro'


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
    """Keys records by their folder for the flush, counting them in."""

    def __init__(self, output_dir, folder):
        self.output_dir = output_dir
        self.folder = folder

    def process(self, record):
        _count_progress(self.output_dir, taken=1)
        yield self.folder, record


class _WriteAvroFileFn(beam.DoFn):
    """One batch of records (one folder, one flush) into one new Avro file."""

    def __init__(self, output_dir, folder_path, record_type, streaming):
        self.output_dir = output_dir
        self.folder_path = folder_path
        self.record_type = record_type
        self.streaming = streaming
        self.written = Metrics.counter(self.__class__, 'records_written')
        self.files = Metrics.counter(self.__class__, 'files_written')

    def process(self, keyed, pane=beam.DoFn.PaneInfoParam):
        folder, records = keyed
        records = list(records)
        if not records:
            return
        if self.streaming:
            name = stream_file_name(folder, datetime.datetime.now(datetime.timezone.utc),
                                    pane.index)
        else:
            name = batch_file_name(folder)
        path = write_avro_file(self.folder_path, name, self.record_type, records)
        _count_progress(self.output_dir, written=len(records))
        self.written.inc(len(records))
        self.files.inc()
        yield path


class WriteAvroFiles(beam.PTransform):
    """Records of one type into ``<output>/<folder>/*.avro``; returns the paths written.

    On a stream, records are flushed into a new file every ``flush_seconds`` of
    processing time after the first record waiting, so every pane (early ones
    included) reaches disk promptly; summaries (``flush_each``) are written as
    soon as each pane fires. (Not ``AfterAny(AfterCount, AfterProcessingTime)``:
    Beam's Python ``AfterAny`` re-checks its parts in the watermark domain when
    it fires, so a processing-time part is never reset and fires only once.)
    """

    def __init__(self, output_dir, record_type, streaming=False, flush_seconds=10,
                 flush_each=None):
        super().__init__()
        self.output_dir = output_dir
        self.record_type = record_type
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
        keyed = records | 'KeyByFolder' >> beam.ParDo(
            _ToWriteFn(self.output_dir, folder)).with_output_types(typing.Tuple[str, typing.Any])
        if self.streaming:
            keyed = keyed | 'FlushEvery' >> beam.WindowInto(
                window.GlobalWindows(), trigger=self._flush_trigger(),
                accumulation_mode=trigger.AccumulationMode.DISCARDING)
        return (keyed
                | 'Batch' >> beam.GroupByKey()
                | 'WriteAvro' >> beam.ParDo(_WriteAvroFileFn(
                    self.output_dir, folder_path, self.record_type, self.streaming)))


def to_pubsub_message(record_type, record):
    """A PubsubMessage: schemaless Avro body; attributes ``schema`` (the record type) and
    ``schema_fingerprint`` (the writer schema, see ``schemas.message_attributes``)."""
    from apache_beam.io.gcp.pubsub import PubsubMessage
    return PubsubMessage(schemas.encode(record_type, record), schemas.message_attributes(record_type))


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
