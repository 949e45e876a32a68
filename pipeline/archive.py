"""The poller's raw archive, and ``wirewatch replay``.

The streaming DirectRunner acknowledges Pub/Sub messages before it processes
them, so a stream killed with ``kill -9`` loses what it held in flight. The
poller therefore keeps every FeedItem it published, with the message's
attributes, in an append-only Avro container per UTC day
(``<archive>/items-YYYY-MM-DD.avro``, schema ``schemas/ArchivedItem.avsc``).
``wirewatch replay`` publishes the items archived in an interval again, with
their original attributes; the stream's deduplication and its idempotent sinks
(``transforms.sinks.idempotent``) keep the outputs free of doubles.

Writes are whole Avro blocks, flushed and fsynced before the poller remembers
the items as published; a crash in the middle of a block leaves a torn tail,
which the next writer cuts off (those items were not yet remembered, so the
poller publishes and archives them again).
"""
import argparse
import datetime
import functools
import glob
import json
import logging
import os
import re
import sys

import fastavro

from wirewatch import schemas
from wirewatch.pipeline import pubsub

log = logging.getLogger(__name__)

FILE_PATTERN = 'items-????-??-??.avro'
_FILE_DAY = re.compile(r'items-(\d{4}-\d{2}-\d{2})\.avro$')
DEFAULT_RETENTION_DAYS = 30
# attributes describing the encoding of the message body: replay writes the body with the
# current FeedItem schema, so it sets these afresh instead of copying the archived ones
ENCODING_ATTRIBUTES = ('schema', 'schema_fingerprint')


@functools.lru_cache(maxsize=None)
def archived_item_schema():
    """ArchivedItem with the current FeedItem inlined where it names it, parsed (so that
    archive files carry their whole writer schema and read back with any later FeedItem)."""
    wrapper = _load('ArchivedItem')
    for field in wrapper['fields']:
        if field['type'] == 'wirewatch.v1.FeedItem':
            field['type'] = _load('FeedItem')
    return fastavro.parse_schema(wrapper)


def _load(name):
    with open(os.path.join(schemas.SCHEMA_DIR, f'{name}.avsc'), encoding='utf-8') as f:
        return json.load(f)


def default_archive_dir(state_path):
    """``archive/`` beside the poller's state file."""
    return os.path.join(os.path.dirname(os.path.abspath(os.fspath(state_path))), 'archive')


def day_file(archive_dir, moment):
    return os.path.join(archive_dir, f'items-{moment.astimezone(datetime.timezone.utc):%Y-%m-%d}.avro')


def repair(path):
    """Cut a torn last block off an archive file (a crash mid-write); returns bytes cut.

    A file whose header itself is torn is removed (it held no complete block)."""
    size = os.path.getsize(path)
    good = 0
    try:
        with open(path, 'rb') as f:
            for _ in fastavro.block_reader(f):
                good = f.tell()
            good = f.tell() if good == 0 else good
    except Exception:  # a torn header or block: keep what precedes it
        pass
    if good == 0:
        os.remove(path)
        log.warning('archive %s had no complete block; removed', path)
        return size
    if good < size:
        with open(path, 'r+b') as f:
            f.truncate(good)
        log.warning('archive %s: cut a torn tail of %d bytes', path, size - good)
    return size - good


class ItemArchive:
    """Appends published FeedItems to the day's file; one block per :meth:`append` call."""

    def __init__(self, directory, retention_days=DEFAULT_RETENTION_DAYS):
        self.directory = os.fspath(directory)
        self.retention_days = retention_days
        self._checked = set()
        os.makedirs(self.directory, exist_ok=True)

    def append(self, entries, archived_at=None):
        """Archive ``entries``: ``(item, attributes, topic, message_id)`` tuples; returns the count."""
        archived_at = archived_at or datetime.datetime.now(datetime.timezone.utc)
        records = [{'archived_at': archived_at, 'topic': topic, 'message_id': message_id,
                    'attributes': {k: str(v) for k, v in (attributes or {}).items()}, 'item': item}
                   for item, attributes, topic, message_id in entries]
        if not records:
            return 0
        path = day_file(self.directory, archived_at)
        if path not in self._checked:
            if os.path.exists(path):
                repair(path)
            self._checked.add(path)
        with open(path, 'a+b') as f:
            fastavro.writer(f, archived_item_schema(), records, codec='deflate')
            f.flush()
            os.fsync(f.fileno())
        return len(records)

    def prune(self, now=None):
        """Remove day files older than the retention; returns their names."""
        if not self.retention_days:
            return []
        now = now or datetime.datetime.now(datetime.timezone.utc)
        horizon = (now - datetime.timedelta(days=self.retention_days)).date()
        removed = []
        for path, day in archive_files(self.directory):
            if day < horizon:
                os.remove(path)
                removed.append(os.path.basename(path))
        return removed


def archive_files(directory):
    """``[(path, date)]`` of the archive's day files, oldest first."""
    found = []
    for path in glob.glob(os.path.join(os.fspath(directory), FILE_PATTERN)):
        match = _FILE_DAY.search(path)
        if match:
            found.append((path, datetime.date.fromisoformat(match.group(1))))
    return sorted(found, key=lambda pair: pair[1])


def read_archive(directory, start=None, end=None):
    """Archived records with ``start <= archived_at < end`` (either bound may be None), in
    archive order. Items are read with the current FeedItem schema (older archives resolve
    to it). A torn tail is skipped with a warning, never raised."""
    reader_schema = archived_item_schema()
    for path, day in archive_files(directory):
        if start is not None and day < start.date() - datetime.timedelta(days=1):
            continue
        if end is not None and day > end.date() + datetime.timedelta(days=1):
            continue
        with open(path, 'rb') as f:
            try:
                for record in fastavro.reader(f, reader_schema=reader_schema):
                    moment = record['archived_at']
                    if (start is None or moment >= start) and (end is None or moment < end):
                        yield record
            except Exception as error:  # a torn tail: everything before it was read
                log.warning('archive %s: stopped at a damaged block (%s)', path, error)


def parse_bound(text, upper=False):
    """RFC 3339 time, or a date (``--from`` is its start; ``--to`` includes the whole day)."""
    text = text.strip()
    if re.fullmatch(r'\d{4}-\d{2}-\d{2}', text):
        day = datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc)
        return day + datetime.timedelta(days=1) if upper else day
    try:
        moment = datetime.datetime.fromisoformat(text.replace('Z', '+00:00').replace('z', '+00:00'))
    except ValueError:
        raise ValueError(f'not an RFC 3339 time or a date: {text!r}') from None
    if moment.tzinfo is None:
        raise ValueError(f'{text!r} has no time zone (add Z or an offset)')
    return moment.astimezone(datetime.timezone.utc)


def replay(directory, topic_path, start=None, end=None, publisher=None, emulator_host=None,
           batch_size=500, timeout=60, dry_run=False):
    """Publish the archived items of ``[start, end)`` to ``topic_path`` again, with their
    original attributes. Returns ``(published, failed)``."""
    published = failed = 0
    own_publisher = publisher is None and not dry_run
    if own_publisher:
        publisher = pubsub.publisher_client(emulator_host)
    try:
        batch = []
        for record in read_archive(directory, start, end):
            batch.append(record)
            if len(batch) >= batch_size:
                ok, bad = _publish(batch, topic_path, publisher, timeout, dry_run)
                published, failed = published + ok, failed + bad
                batch = []
        if batch:
            ok, bad = _publish(batch, topic_path, publisher, timeout, dry_run)
            published, failed = published + ok, failed + bad
    finally:
        if own_publisher:
            pubsub.close_publisher(publisher)
    return published, failed


def original_attributes(record):
    return {k: v for k, v in record['attributes'].items() if k not in ENCODING_ATTRIBUTES}


def _publish(records, topic_path, publisher, timeout, dry_run):
    if dry_run:
        return len(records), 0
    attributes = {id(r['item']): original_attributes(r) for r in records}
    outcomes = pubsub.publish_records(topic_path, 'FeedItem', [r['item'] for r in records],
                                      lambda item: attributes[id(item)], publisher=publisher,
                                      timeout=timeout)
    failed = [o for o in outcomes if o.error]
    for outcome in failed[:5]:
        log.warning('replay: publish failed for item %s: %s', outcome.record.get('item_id'), outcome.error)
    return len(outcomes) - len(failed), len(failed)


# ---------------------------------------------------------------- CLI

def replay_main(argv=None):
    """``wirewatch replay --archive DIR --from T --to T --topic T`` -> exit code."""
    parser = argparse.ArgumentParser(
        prog='wirewatch replay',
        description='Publish again the FeedItems the poller archived in an interval, with their '
                    'original attributes (recovery after a crash: the stream drops what it '
                    'already processed).')
    parser.add_argument('--archive', required=True, help='the poller\'s archive directory')
    parser.add_argument('--from', dest='start', default=None,
                        help='first publish time to replay: RFC 3339 (2026-11-27T10:00:00Z) or a '
                             'date (its start); default: the oldest archived')
    parser.add_argument('--to', dest='end', default=None,
                        help='publish time to stop before: RFC 3339, or a date (included whole); '
                             'default: now')
    parser.add_argument('--topic', default=pubsub.ITEMS_TOPIC,
                        help='topic name or full path (default: %(default)s)')
    parser.add_argument('--project', default=pubsub.DEFAULT_PROJECT, help='(default: %(default)s)')
    parser.add_argument('--emulator-host', default=None,
                        help='Pub/Sub emulator host:port (default: $PUBSUB_EMULATOR_HOST)')
    parser.add_argument('--dry-run', action='store_true', help='count what would be published')
    args = parser.parse_args(argv)
    try:
        start = parse_bound(args.start) if args.start else None
        end = parse_bound(args.end, upper=True) if args.end else None
    except ValueError as error:
        print(f'wirewatch replay: {error}', file=sys.stderr)
        return 2
    if not os.path.isdir(args.archive):
        print(f'wirewatch replay: no archive directory {args.archive}', file=sys.stderr)
        return 2
    topic_path = pubsub.topic_path(args.project, args.topic)
    if not args.dry_run:
        try:
            pubsub.check_topic(topic_path, emulator_host=args.emulator_host)
        except LookupError as error:
            print(f'wirewatch replay: {error}', file=sys.stderr)
            return 2
    published, failed = replay(args.archive, topic_path, start, end,
                               emulator_host=args.emulator_host, dry_run=args.dry_run)
    verb = 'would publish' if args.dry_run else 'published'
    print(f'replay: {verb} {published} archived items to {topic_path}'
          + (f'; {failed} failed (run replay again for the same interval)' if failed else ''),
          file=sys.stderr)
    return 1 if failed else 0
