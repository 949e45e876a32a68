"""Small Pub/Sub helpers shared by the emulator manager, the poller and tests.

Messages are schemaless Avro (see ``wirewatch.schemas``) with the attributes
``schema`` naming the record type and ``schema_fingerprint`` naming the writer
schema (``schemas.message_attributes``). The clients talk to the emulator when
``PUBSUB_EMULATOR_HOST`` is set (or ``emulator_host=`` is given), otherwise to
Google Cloud Pub/Sub with the ambient credentials.
"""
import collections
import logging
import time

from wirewatch import schemas

log = logging.getLogger(__name__)

# Local defaults from the operator contract (/work/shared/CONTRACT.md).
DEFAULT_PROJECT = 'wirewatch-local'
DEFAULT_EMULATOR_HOST = 'localhost:8085'
ITEMS_TOPIC = 'wirewatch-items'
ITEMS_SUBSCRIPTION = 'wirewatch-items-sub'
EVENTS_TOPIC = 'wirewatch-events'
SUMMARIES_TOPIC = 'wirewatch-summaries'
DEADLETTER_TOPIC = 'wirewatch-deadletter'
OUTPUT_TOPICS = (EVENTS_TOPIC, SUMMARIES_TOPIC, DEADLETTER_TOPIC)
DEFAULT_TOPICS = (ITEMS_TOPIC,) + OUTPUT_TOPICS
# subscription -> topic; one reader subscription per output topic, for people and tests.
DEFAULT_SUBSCRIPTIONS = {
    ITEMS_SUBSCRIPTION: ITEMS_TOPIC,
    **{f'{topic}-sub': topic for topic in OUTPUT_TOPICS},
}
SCHEMA_ATTRIBUTE = schemas.SCHEMA_ATTRIBUTE

Published = collections.namedtuple('Published', 'record message_id error')
Published.__doc__ = 'Outcome of publishing one record: ``message_id`` on success, else ``error``.'

Undecodable = collections.namedtuple('Undecodable', 'data attributes error')
Undecodable.__doc__ = 'A pulled message that could not be decoded (it is acknowledged anyway).'


def topic_path(project, topic):
    """``projects/P/topics/T``; a full path is returned unchanged."""
    return topic if topic.startswith('projects/') else f'projects/{project}/topics/{topic}'


def subscription_path(project, subscription):
    """``projects/P/subscriptions/S``; a full path is returned unchanged."""
    if subscription.startswith('projects/'):
        return subscription
    return f'projects/{project}/subscriptions/{subscription}'


def publisher_client(emulator_host=None):
    """A ``PublisherClient``; ``emulator_host`` ('host:port') overrides PUBSUB_EMULATOR_HOST."""
    from google.cloud import pubsub_v1
    if not emulator_host:
        return pubsub_v1.PublisherClient()
    import grpc
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
    return pubsub_v1.PublisherClient(
        transport=PublisherGrpcTransport(channel=grpc.insecure_channel(emulator_host)))


def subscriber_client(emulator_host=None):
    """A ``SubscriberClient``; ``emulator_host`` ('host:port') overrides PUBSUB_EMULATOR_HOST."""
    from google.cloud import pubsub_v1
    if not emulator_host:
        return pubsub_v1.SubscriberClient()
    import grpc
    from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport
    return pubsub_v1.SubscriberClient(
        transport=SubscriberGrpcTransport(channel=grpc.insecure_channel(emulator_host)))


def ensure_topics(project, topics=DEFAULT_TOPICS, subscriptions=None, emulator_host=None,
                  timeout=30):
    """Create the topics and ``{subscription: topic}`` subscriptions that are missing.

    Idempotent. Returns ``(created_topics, created_subscriptions)`` as lists of names.
    ``timeout`` is seconds per call.
    """
    from google.api_core import exceptions
    subscriptions = DEFAULT_SUBSCRIPTIONS if subscriptions is None else subscriptions
    created_topics, created_subscriptions = [], []
    publisher = publisher_client(emulator_host)
    try:
        for topic in dict.fromkeys(list(topics) + list(subscriptions.values())):
            try:
                publisher.create_topic(request={'name': topic_path(project, topic)},
                                       timeout=timeout)
                created_topics.append(topic)
            except exceptions.AlreadyExists:
                pass
    finally:
        close_publisher(publisher)
    subscriber = subscriber_client(emulator_host)
    try:
        for subscription, topic in subscriptions.items():
            try:
                subscriber.create_subscription(
                    request={'name': subscription_path(project, subscription),
                             'topic': topic_path(project, topic)},
                    timeout=timeout)
                created_subscriptions.append(subscription)
            except exceptions.AlreadyExists:
                pass
    finally:
        subscriber.close()
    return created_topics, created_subscriptions


def list_topics(project, emulator_host=None, timeout=10):
    """Names (short) of the project's topics; a cheap liveness probe for the emulator."""
    publisher = publisher_client(emulator_host)
    try:
        return [t.name.rsplit('/', 1)[-1] for t in publisher.list_topics(
            request={'project': f'projects/{project}'}, timeout=timeout)]
    finally:
        close_publisher(publisher)


def check_topic(topic_path, publisher=None, emulator_host=None, timeout=10):
    """Raise ``LookupError`` with a one-line reason when the topic is missing or Pub/Sub is unreachable."""
    from google.api_core import exceptions
    own_publisher = publisher is None
    publisher = publisher or publisher_client(emulator_host)
    try:
        publisher.get_topic(request={'topic': topic_path}, retry=None, timeout=timeout)
    except exceptions.NotFound:
        raise LookupError(f'topic {topic_path} does not exist (for the emulator: wirewatch emulator start)') from None
    except exceptions.GoogleAPICallError as error:
        raise LookupError(f'cannot reach Pub/Sub for {topic_path}: {type(error).__name__}: '
                          f'{error.message or error}'.splitlines()[0]) from None
    except exceptions.RetryError as error:
        raise LookupError(f'cannot reach Pub/Sub for {topic_path}: {error}'.splitlines()[0]) from None
    finally:
        if own_publisher:
            close_publisher(publisher)


def message_attributes(record_type, extra=None):
    """Attributes for one message: ``schema`` and ``schema_fingerprint``
    (``schemas.message_attributes``) plus ``extra`` (values made strings)."""
    attributes = schemas.message_attributes(record_type)
    for key, value in (extra or {}).items():
        if value is not None:
            attributes[key] = str(value)
    return attributes


def publish_records(topic_path, record_type, records, attributes_fn=None, publisher=None,
                    timeout=60, emulator_host=None):
    """Publish each record as schemaless Avro and wait for every publish future.

    ``attributes_fn(record) -> dict`` adds attributes to :func:`message_attributes`.
    Returns one :class:`Published` per record, in order; a failed publish is
    reported in ``error`` (never raised) so callers can remember only successes.
    Records that do not encode are reported the same way. ``timeout``: seconds
    to wait for all the futures together.
    """
    own_publisher = publisher is None
    publisher = publisher or publisher_client(emulator_host)
    pending = []
    try:
        for record in records:
            try:
                data = schemas.encode(record_type, record)
                attributes = message_attributes(
                    record_type, attributes_fn(record) if attributes_fn else None)
                pending.append((record, publisher.publish(topic_path, data, **attributes)))
            except Exception as error:  # encode or enqueue failure: report, keep going
                pending.append((record, error))
        outcomes = []
        deadline = time.monotonic() + timeout
        for record, future in pending:
            if isinstance(future, Exception):
                outcomes.append(Published(record, None, f'{type(future).__name__}: {future}'))
                continue
            try:
                remaining = max(0.0, deadline - time.monotonic())
                outcomes.append(Published(record, future.result(timeout=remaining), None))
            except Exception as error:
                outcomes.append(Published(record, None, f'{type(error).__name__}: {error}'))
        return outcomes
    finally:
        if own_publisher:
            close_publisher(publisher)


def decode_message(data, attributes, record_type=None):
    """Decode one message body into the current schema of its record type.

    ``record_type=None`` trusts the ``schema`` attribute (else the type whose schema
    has the ``schema_fingerprint``). The writer schema is the one the fingerprint names
    (resolved to the current one, ``schemas.decode``); without a fingerprint (an older
    producer) the current and then the released schemas are tried. Raises
    ``ValueError`` when the attribute names another type, the fingerprint is unknown
    (``schemas.UnknownWriterSchema``) or the bytes do not decode.
    """
    named = attributes.get(SCHEMA_ATTRIBUTE)
    fingerprint = attributes.get(schemas.FINGERPRINT_ATTRIBUTE)
    record_type = record_type or named or schemas.record_type_of(fingerprint)
    if not record_type:
        raise ValueError('message has no schema attribute and no record type was given')
    if named and named != record_type:
        raise ValueError(f'message schema attribute is {named!r}, expected {record_type!r}')
    try:
        return schemas.decode(record_type, data, fingerprint)
    except schemas.UnknownWriterSchema:
        raise
    except Exception as error:
        raise ValueError(f'not a {record_type} Avro record: {type(error).__name__}: {error}') from error


def pull_records(subscription_path, record_type=None, max_messages=100, timeout=10,
                 subscriber=None, emulator_host=None, undecodable=None):
    """Pull up to ``max_messages`` and return ``[(record, attributes)]``, acknowledging all.

    Keeps pulling until ``max_messages`` arrived or ``timeout`` seconds passed.
    Messages that do not decode are logged, appended as :class:`Undecodable` to
    the ``undecodable`` list when given, and acknowledged (so they do not loop).
    """
    from google.api_core import exceptions
    own_subscriber = subscriber is None
    subscriber = subscriber or subscriber_client(emulator_host)
    results = []
    deadline = time.monotonic() + timeout
    try:
        while len(results) < max_messages:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                response = subscriber.pull(
                    request={'subscription': subscription_path,
                             'max_messages': max_messages - len(results)},
                    timeout=max(0.5, min(remaining, 5.0)))
            except (exceptions.DeadlineExceeded, exceptions.RetryError):
                continue
            if not response.received_messages:
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
                continue
            ack_ids = []
            for received in response.received_messages:
                ack_ids.append(received.ack_id)
                message = received.message
                attributes = dict(message.attributes)
                try:
                    results.append((decode_message(message.data, attributes, record_type),
                                    attributes))
                except ValueError as error:
                    log.warning('undecodable message %s on %s: %s',
                                message.message_id, subscription_path, error)
                    if undecodable is not None:
                        undecodable.append(Undecodable(bytes(message.data), attributes, str(error)))
            subscriber.acknowledge(request={'subscription': subscription_path, 'ack_ids': ack_ids})
        return results
    finally:
        if own_subscriber:
            subscriber.close()


def close_publisher(publisher):
    """Flush and stop a publisher we created, and close its channel."""
    try:
        publisher.stop()
    except Exception:  # already stopped
        pass
    try:
        publisher.transport.close()
    except Exception:
        pass
