"""ReadItems sources: feed files (bounded) and Pub/Sub (unbounded) yield the same FeedItem dicts.

Each source's expand returns ``(items, dead_letters)``; everything after it is shared.
"""
import apache_beam as beam
from apache_beam.metrics import Metrics

from wirewatch import schemas
from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, Rejected, make_dead_letter


def decode_feed_item(data, attributes=None):
    """A FeedItem dict from a Pub/Sub message body (schemaless Avro); Rejected if it is not one.

    The ``schema_fingerprint`` attribute names the writer's schema, which is resolved to the
    current FeedItem (``schemas.decode``); a message without it (a poller older than the
    attribute) is tried against the current and then every released FeedItem schema.
    """
    attributes = attributes or {}
    declared = attributes.get(schemas.SCHEMA_ATTRIBUTE)
    if declared not in (None, 'FeedItem'):
        raise Rejected('WRONG_SCHEMA', f'message declares schema {declared!r}, expected FeedItem')
    if not data:
        raise Rejected('EMPTY_MESSAGE', 'message body is empty')
    fingerprint = attributes.get(schemas.FINGERPRINT_ATTRIBUTE)
    try:
        return schemas.decode('FeedItem', data, fingerprint)
    except schemas.UnknownWriterSchema as exc:
        raise Rejected('UNKNOWN_SCHEMA_FINGERPRINT', str(exc)) from exc
    except Exception as exc:  # fastavro raises EOFError, ValueError, UnicodeDecodeError...
        written = f' written with schema fingerprint {fingerprint}' if fingerprint else ''
        raise Rejected('UNDECODABLE_MESSAGE',
                       f'not an Avro FeedItem{written} ({type(exc).__name__}: {exc})') from exc


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
