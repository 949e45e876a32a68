"""ReadItems sources: feed files (bounded) and Pub/Sub (unbounded) yield the same FeedItem dicts.

Each source's expand returns ``(items, dead_letters)``; everything after it is shared.

Pub/Sub is read with Python's ``beam.io.ReadFromPubSub`` by default: Dataflow and the
Python DirectRunner implement it natively, portable runners (Flink, Spark) do not. There
``expansion_service`` switches to Beam's cross-language reader (Java's PubsubIO,
``apache_beam.io.external.gcp.pubsub.ReadFromPubSub``), expanded by a Java expansion
service when the graph is built; both readers hand the same PubsubMessages to the decode
step. See deploy/flink/README.md.
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


# Beam's own expansion service for its Java GCP I/O (Pub/Sub among them), as a Gradle target
# that Beam resolves to beam-sdks-java-io-google-cloud-platform-expansion-service-<beam>.jar
GCP_IO_EXPANSION_SERVICE_TARGET = 'sdks:java:io:google-cloud-platform:expansion-service:shadowJar'


def expansion_service(spec):
    """The ``expansion_service`` argument of Beam's cross-language transforms for ``spec``:

    - ``auto``: Beam's GCP I/O expansion service jar of the installed Beam version, fetched
      from Maven Central on first use (cached in ~/.apache_beam/cache/jars) and run with
      the local ``java`` while the graph is built;
    - a path ending in ``.jar``: that expansion service jar, run the same way;
    - anything else: the address (``host:port``) of an expansion service already running.
    """
    from apache_beam.transforms.external import BeamJarExpansionService, JavaJarExpansionService
    spec = (spec or '').strip()
    if not spec:
        raise ValueError('an expansion service is "auto", a .jar path or host:port')
    if spec == 'auto':
        return BeamJarExpansionService(GCP_IO_EXPANSION_SERVICE_TARGET)
    if spec.endswith('.jar'):
        return JavaJarExpansionService(spec)
    return spec


class ReadFromPubSubItems(beam.PTransform):
    """FeedItems from a Pub/Sub subscription; event time from the ``published_at`` attribute.

    ``expansion_service`` (see ``expansion_service()``): read through Beam's cross-language
    Java reader instead of the Python one, for portable runners such as Flink.
    """

    def __init__(self, subscription, timestamp_attribute='published_at', id_label=None,
                 expansion_service=None):
        super().__init__()
        self.subscription = subscription
        self.timestamp_attribute = timestamp_attribute
        self.id_label = id_label
        self.expansion_service = expansion_service

    def reader(self):
        """The Pub/Sub read itself: PubsubMessages (with attributes), timestamped by event time."""
        if self.expansion_service:
            from apache_beam.io.external.gcp.pubsub import ReadFromPubSub as CrossLanguageRead
            return CrossLanguageRead(
                subscription=self.subscription, id_label=self.id_label, with_attributes=True,
                timestamp_attribute=self.timestamp_attribute,
                expansion_service=expansion_service(self.expansion_service))
        extra = {'id_label': self.id_label} if self.id_label else {}
        return beam.io.ReadFromPubSub(subscription=self.subscription, with_attributes=True,
                                      timestamp_attribute=self.timestamp_attribute, **extra)

    def expand(self, pbegin):
        result = (pbegin
                  | 'ReadPubSub' >> self.reader()
                  | 'DecodeFeedItem' >> beam.ParDo(
                      _DecodeMessageFn(self.subscription)).with_outputs(DEAD_LETTER_TAG, main='items'))
        return result.items, result[DEAD_LETTER_TAG]
