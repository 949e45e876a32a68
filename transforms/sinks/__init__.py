"""Sinks: Avro container files per record type (per window and pane on a stream),
Avro messages on Pub/Sub, and the run manifest.

One Avro writer (fastavro through ``fileio.FileSink``) serves every record type.
Records are validated against their schema first; a record that does not fit
becomes a dead letter (stage ``sink``) instead of failing the write.
"""
import json

import apache_beam as beam
import fastavro
from apache_beam.io import fileio
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms import trigger, window

from wirewatch import schemas
from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, make_dead_letter

OUTPUT_FOLDERS = {'Story': 'stories', 'Event': 'events', 'CountrySummary': 'summaries',
                  'DeadLetter': 'deadletter'}


class AvroRecordSink(fileio.FileSink):
    """Writes dict records of one wirewatch schema into an Avro container file."""

    def __init__(self, record_type, codec='deflate'):
        self.record_type = record_type
        self.codec = codec
        self._writer = None

    def open(self, fh):
        self._writer = fastavro.write.Writer(fh, schemas.schema(self.record_type), codec=self.codec)

    def write(self, record):
        self._writer.write(record)

    def flush(self):
        self._writer.flush()


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


class WriteAvroFiles(beam.PTransform):
    """Records of one type into ``<output>/<folder>/*.avro``.

    On a stream, records are flushed into new files every ``flush_seconds`` of
    processing time, or as soon as ``flush_count`` records are waiting, so every
    pane (early ones included) reaches disk promptly. Summaries use a count of 1:
    each pane is written when it fires.
    """

    def __init__(self, output_dir, record_type, streaming=False, flush_seconds=10,
                 flush_count=None):
        super().__init__()
        self.output_dir = output_dir
        self.record_type = record_type
        self.streaming = streaming
        self.flush_seconds = flush_seconds
        self.flush_count = flush_count or (1 if record_type == 'CountrySummary' else 1000)

    def expand(self, records):
        folder = OUTPUT_FOLDERS[self.record_type]
        if self.streaming:
            records = records | 'FlushEvery' >> beam.WindowInto(
                window.GlobalWindows(),
                trigger=trigger.Repeatedly(trigger.AfterAny(
                    trigger.AfterCount(self.flush_count),
                    trigger.AfterProcessingTime(self.flush_seconds))),
                accumulation_mode=trigger.AccumulationMode.DISCARDING)
        record_type = self.record_type
        return records | 'WriteAvro' >> fileio.WriteToFiles(
            path=FileSystems.join(self.output_dir, folder),
            file_naming=fileio.default_file_naming(prefix=folder, suffix='.avro'),
            sink=lambda _dest: AvroRecordSink(record_type),
            shards=1)


def to_pubsub_message(record_type, record):
    """A PubsubMessage: schemaless Avro body, attribute ``schema`` names the record type."""
    from apache_beam.io.gcp.pubsub import PubsubMessage
    return PubsubMessage(schemas.encode(record_type, record), {'schema': record_type})


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
