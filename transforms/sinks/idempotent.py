"""Idempotent stream outputs: a Story or Event is written (to files and topics) once.

After a crash, ``wirewatch replay`` publishes items again that the stream may
already have processed, and Pub/Sub itself delivers at least once. The stream
processes such items in full (so summaries are recomputed from everything the
window holds), but its Story and Event outputs drop a record whose id was
already written:

- ids written by this stream are kept in keyed state (``story_id`` or
  ``event_id``), expired ``ttl_seconds`` of event time after the record;
- ids written by an earlier process into the same output folder (files changed
  within the TTL) are read once per worker process when the first record
  arrives, since the local runner's state does not survive a restart
  (``scan_folder``; off on Dataflow, whose keyed state survives worker failures
  and updates: a *new* Dataflow job does not consult earlier jobs' files).

Files hold each id once. The output topics are at-least-once around a crash (a
record published but not yet flushed to a file is published again after a
replay); their messages carry the id as the ``record_id`` attribute for
consumers to deduplicate on.

Summaries are not filtered: each pane supersedes the one before it for its
(country, window), so a consumer keeps the latest pane.
"""
import logging
import threading
import time
import typing
import uuid

import apache_beam as beam
import fastavro
from apache_beam.coders import BooleanCoder
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Duration

from wirewatch.transforms.sinks import OUTPUT_FOLDERS

log = logging.getLogger(__name__)

ID_FIELDS = {'Story': 'story_id', 'Event': 'event_id'}

_WRITTEN_LOCK = threading.Lock()
_WRITTEN = {}   # (run token, folder path) -> ids found there when this process first looked


def ids_in_folder(folder_path, record_type, max_age_seconds=None, now=None):
    """The ids (``story_id``, ``event_id``) of the ``record_type`` Avro files in ``folder_path``
    (any Beam filesystem) changed within ``max_age_seconds`` (all when None); unreadable files
    are skipped. Only the id field is decoded."""
    now = time.time() if now is None else now
    id_field = ID_FIELDS[record_type]
    projection = {'type': 'record', 'name': record_type, 'namespace': 'wirewatch.v1',
                  'fields': [{'name': id_field, 'type': 'string'}]}
    # no folder yet is an empty match; a listing error is raised (the bundle is retried),
    # never taken for "nothing written", which would let a replay write everything again
    matches = FileSystems.match([FileSystems.join(folder_path, '*.avro')])[0].metadata_list
    ids = set()
    for metadata in matches:
        updated = getattr(metadata, 'last_updated_in_seconds', None)
        if max_age_seconds is not None and updated and now - updated > max_age_seconds:
            continue
        try:
            with FileSystems.open(metadata.path, compression_type='uncompressed') as f:
                for record in fastavro.reader(f, reader_schema=projection):
                    value = record.get(id_field)
                    if value is not None:
                        ids.add(value)
        except Exception as error:  # a file being written or damaged: its records stay writable
            log.warning('cannot read ids from %s: %s', metadata.path, error)
    return frozenset(ids)


def written_before(run_token, folder_path, record_type, max_age_seconds):
    """Ids found in ``folder_path`` the first time this process asks during the pipeline run
    ``run_token`` (cached per run and folder: what this run writes itself is in keyed state)."""
    key = (run_token, folder_path)
    with _WRITTEN_LOCK:
        if key not in _WRITTEN:
            ids = ids_in_folder(folder_path, record_type, max_age_seconds)  # raises: not cached
            for old in [k for k in _WRITTEN if k[1] == folder_path]:  # an earlier run's snapshot
                del _WRITTEN[old]
            _WRITTEN[key] = ids
        return _WRITTEN[key]


class _SkipWrittenFn(beam.DoFn):
    """Keyed by record id: passes the first record of each id not already in the folder."""

    WRITTEN = ReadModifyWriteStateSpec('written', BooleanCoder())
    EXPIRY = TimerSpec('expiry', TimeDomain.WATERMARK)

    def __init__(self, run_token, folder_path, record_type, ttl_seconds, scan_folder=True):
        self.run_token = run_token
        self.folder_path = folder_path
        self.record_type = record_type
        self.scan_folder = scan_folder
        self.ttl = ttl_seconds
        self.skipped = Metrics.counter(self.__class__, 'already_written')

    def process(self, keyed, ts=beam.DoFn.TimestampParam,
                written=beam.DoFn.StateParam(WRITTEN), expiry=beam.DoFn.TimerParam(EXPIRY)):
        record_id, record = keyed
        if written.read() or (self.scan_folder and record_id in written_before(
                self.run_token, self.folder_path, self.record_type, self.ttl)):
            self.skipped.inc()
            return
        written.write(True)
        expiry.set(ts + Duration(seconds=self.ttl))
        yield record

    @on_timer(EXPIRY)
    def expire(self, written=beam.DoFn.StateParam(WRITTEN)):
        written.clear()


class SkipWritten(beam.PTransform):
    """Stories or Events whose id was not yet written under ``output_dir`` (streaming)."""

    def __init__(self, output_dir, record_type, ttl_seconds, scan_folder=True):
        super().__init__()
        self.scan_folder = scan_folder
        self.folder_path = FileSystems.join(output_dir, OUTPUT_FOLDERS[record_type])
        self.record_type = record_type
        self.ttl = ttl_seconds
        self.run_token = uuid.uuid4().hex

    def expand(self, records):
        id_field = ID_FIELDS[self.record_type]
        return (records
                | 'KeyById' >> beam.Map(lambda r: (r[id_field], r)).with_output_types(
                    typing.Tuple[str, typing.Any])
                | 'DropWritten' >> beam.ParDo(_SkipWrittenFn(
                    self.run_token, self.folder_path, self.record_type, self.ttl, self.scan_folder)))
