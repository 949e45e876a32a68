"""ReadItems sources: feed files (bounded) and Pub/Sub (unbounded) yield the same FeedItem dicts.

Each source's expand returns ``(items, dead_letters)``; everything after it is shared.
"""
import functools
import io
import json
import os

import apache_beam as beam
import fastavro
from apache_beam.metrics import Metrics

from wirewatch import schemas
from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, Rejected, make_dead_letter


# FeedItem fields added after wirewatch.v1's first release. Messages are schemaless Avro, so a
# message a poller wrote before they existed lacks them: it is read with the older layout
# and the new fields take their defaults.
FEED_ITEM_FIELDS_ADDED = ('feed_title', 'item_source', 'item_source_url', 'feed_updated_at', 'captured_at',
                          'backfill')


@functools.lru_cache(maxsize=None)
def _earlier_feed_item_schema():
    with open(os.path.join(schemas.SCHEMA_DIR, 'FeedItem.avsc'), encoding='utf-8') as f:
        schema = json.load(f)
    schema['fields'] = [f for f in schema['fields'] if f['name'] not in FEED_ITEM_FIELDS_ADDED]
    return fastavro.parse_schema(schema)


def _decode_earlier_feed_item(data):
    """A FeedItem written before FEED_ITEM_FIELDS_ADDED, or None when ``data`` is not one."""
    buf = io.BytesIO(data)
    try:
        record = fastavro.schemaless_reader(buf, _earlier_feed_item_schema(), schemas.schema('FeedItem'))
    except Exception:  # not that layout either
        return None
    return record if buf.tell() == len(data) else None


def decode_feed_item(data, attributes=None):
    """A FeedItem dict from a Pub/Sub message body (schemaless Avro, this or the earlier
    FeedItem layout); Rejected if it is not one."""
    attributes = attributes or {}
    declared = attributes.get('schema')
    if declared not in (None, 'FeedItem'):
        raise Rejected('WRONG_SCHEMA', f'message declares schema {declared!r}, expected FeedItem')
    if not data:
        raise Rejected('EMPTY_MESSAGE', 'message body is empty')
    try:
        return schemas.decode('FeedItem', data)
    except Exception as exc:  # fastavro raises EOFError, ValueError, UnicodeDecodeError...
        earlier = _decode_earlier_feed_item(data)
        if earlier is not None:
            return earlier
        raise Rejected('UNDECODABLE_MESSAGE',
                       f'not an Avro FeedItem ({type(exc).__name__}: {exc})') from exc


class _DecodeMessageFn(beam.DoFn):
    def __init__(self, subscription):
        self.subscription = subscription
        self.decoded = Metrics.counter(self.__class__, 'items_read')
        self.undecodable = Metrics.counter(self.__class__, 'messages_dead_lettered')

    def process(self, message):
        try:
            item = decode_feed_item(message.data, message.attributes)
        except Rejected as rej:
            self.undecodable.inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTER_TAG, make_dead_letter(
                'decode', rej.error, rej.detail, payload=message.data, source=self.subscription))
            return
        self.decoded.inc()
        yield item


class ReadFromPubSubItems(beam.PTransform):
    """FeedItems from a Pub/Sub subscription; event time from the ``published_at`` attribute."""

    def __init__(self, subscription, timestamp_attribute='published_at', id_label=None):
        super().__init__()
        self.subscription = subscription
        self.timestamp_attribute = timestamp_attribute
        self.id_label = id_label

    def expand(self, pbegin):
        extra = {'id_label': self.id_label} if self.id_label else {}
        result = (pbegin
                  | 'ReadPubSub' >> beam.io.ReadFromPubSub(
                      subscription=self.subscription, with_attributes=True,
                      timestamp_attribute=self.timestamp_attribute, **extra)
                  | 'DecodeFeedItem' >> beam.ParDo(
                      _DecodeMessageFn(self.subscription)).with_outputs(DEAD_LETTER_TAG, main='items'))
        return result.items, result[DEAD_LETTER_TAG]
