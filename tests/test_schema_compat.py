"""Schema evolution as a tested contract (schemas/CHANGELOG.md).

For every record type and every released revision (schemas/history/): data the current
schema writes is read by the older schema, and data the older schema wrote is read by the
current one, as Avro container files and as Pub/Sub messages (schemaless body plus the
``schema`` / ``schema_fingerprint`` attributes, through the decode functions the stream
and the output-topic readers use). A newer writer that adds an enum symbol and a field
reads here as the enum's default, without the field.
"""
import copy
import datetime
import io
import json
import os
import shutil

import fastavro
import pytest
from apache_beam.io.gcp.pubsub import PubsubMessage

from wirewatch import schemas
from wirewatch.pipeline import pubsub
from wirewatch.transforms.deadletter import DEAD_LETTER_TAG
from wirewatch.pipeline import poller
from wirewatch.transforms.ingest.sources import _DecodeMessageFn, decode_feed_item
from wirewatch.transforms.sinks import to_pubsub_message

UTC = datetime.timezone.utc
PUBLISHED = datetime.datetime(2023, 3, 14, 6, 45, tzinfo=UTC)
FETCHED = datetime.datetime(2023, 3, 14, 7, 2, 30, tzinfo=UTC)

# The fingerprints released so far, per record type, oldest first: a released revision's
# fingerprint never changes, and none is ever dropped (messages carrying it must decode).
RELEASED_FINGERPRINTS = {
    'FeedItem': ['564c90f9517bbd91', 'fdc812419e49490c'],
    'Story': ['59877e3cbdad7ffc', '84832f546097b630'],
    'Event': ['ec0b6308c9c82acf', 'ac1c21b72e7a620b'],
    'CountrySummary': ['d47945421b5bfedf'],
    'DeadLetter': ['a1ef2a2f9046765b'],
}

# One realistic record per type with every current field set (invented outlets and people).
RECORDS = {
    'FeedItem': {
        'item_id': '9f2c4e1a7b', 'guid': 'harbourtimes-20230314-port', 'url': 'https://harbourtimes.example/port-strike',
        'title': 'Dockworkers strike closes Mombasa port', 'summary': '<p>Dockworkers walked out on Tuesday.</p>',
        'content': None, 'published_raw': 'Tue, 14 Mar 2023 09:45:00 +0300', 'published_at': PUBLISHED,
        'authors': ['Mara Tellen'], 'feed_url': 'https://harbourtimes.example/rss', 'source_name': 'Harbour Times',
        'feed_language': 'en', 'fetched_at': FETCHED, 'feed_title': 'Harbour Times: Africa',
        'item_source': 'Coast Wire', 'item_source_url': 'https://coastwire.example/feed',
        'feed_updated_at': datetime.datetime(2023, 3, 14, 6, 50, tzinfo=UTC),
        'captured_at': datetime.datetime(2023, 3, 14, 7, 0, tzinfo=UTC), 'backfill': True,
    },
    'Story': {
        'story_id': 's-41d9', 'cluster_id': 's-0a17', 'duplicate_of': 's-0a17',
        'url': 'https://harbourtimes.example/port-strike', 'canonical_url': 'https://harbourtimes.example/port-strike',
        'source_name': 'Coast Wire', 'feed_url': 'https://harbourtimes.example/rss',
        'title': 'Dockworkers strike closes Mombasa port',
        'text': 'MOMBASA, March 14 (Coast Wire) - Hundreds of dockworkers walked out on Tuesday, closing the port.',
        'language': 'en', 'published_at': PUBLISHED, 'ingested_at': FETCHED, 'dateline_place': 'MOMBASA',
        'authors': ['Mara Tellen'], 'item_id': '9f2c4e1a7b', 'dateline_date': 'March 14', 'wire': 'Coast Wire',
        'date_flag': None, 'similarity': 0.87, 'feed_title': 'Harbour Times: Africa',
    },
    'Event': {
        'event_id': 'e-77b0', 'story_id': 's-0a17', 'cluster_id': 's-0a17', 'event_type': 'PROTEST',
        'mode': 'strike', 'quad_class': 3, 'cameo_root': '14',
        'actor1': {'name': 'dockworkers', 'sector': 'LAB', 'country': 'KEN'},
        'actor2': {'name': 'Kenya Ports Authority', 'sector': 'GOV', 'country': 'KEN'},
        'country': 'KEN',
        'location': {'name': 'Mombasa', 'country': 'KEN', 'admin1': 'Mombasa County', 'lat': -4.05,
                     'lon': 39.67, 'precision': 'CITY'},
        'event_date': datetime.date(2023, 3, 14), 'date_precision': 'DAY',
        'killed': None, 'injured': 3, 'arrested': 12, 'crowd_size': 400,
        'sentence': 'Hundreds of dockworkers walked out on Tuesday, closing the port.', 'trigger': 'walked out',
        'confidence': 0.82, 'published_at': PUBLISHED, 'source_url': 'https://harbourtimes.example/port-strike',
        'source_name': 'Coast Wire', 'cameo_code': '143', 'toll_scope': 'INCIDENT',
    },
    'CountrySummary': {
        'country': 'KEN', 'country_name': 'Kenya',
        'window_start': datetime.datetime(2023, 3, 14, tzinfo=UTC),
        'window_end': datetime.datetime(2023, 3, 15, tzinfo=UTC),
        'pane': 'ON_TIME', 'is_final': True, 'events': 4, 'stories': 2, 'articles': 7, 'sources': 5,
        'events_by_type': {'PROTEST': 3, 'ASSAULT': 1}, 'killed': 0, 'injured': 3, 'arrested': 12,
        'intensity': 5.25, 'alert_level': 'WARNING', 'top_actors': ['dockworkers', 'Kenya Ports Authority'],
        'top_locations': ['Mombasa'],
        'headlines': [{'title': 'Dockworkers strike closes Mombasa port',
                       'url': 'https://harbourtimes.example/port-strike', 'sources': 5}],
        'crowd_size': 400,
    },
    'DeadLetter': {
        'stage': 'decode', 'error': 'UNDECODABLE_MESSAGE', 'detail': 'not an Avro FeedItem (EOFError)',
        'payload': b'\x02\xffhalf a record', 'source': 'projects/wirewatch-local/subscriptions/wirewatch-items-sub',
        'received_at': FETCHED,
    },
}

RELEASES = [(name, w.revision) for name in schemas.RECORD_TYPES for w in schemas.released(name)]
RELEASE_IDS = [f'{name}-r{revision}' for name, revision in RELEASES]


def release(name, revision):
    return next(w for w in schemas.released(name) if w.revision == revision)


def fields_of(schema):
    return {f['name']: f for f in schema['fields']}


def as_read_by(record, writer, reader):
    """What resolving ``record`` (as ``writer`` wrote it) into ``reader`` gives: the
    reader's fields, with the reader's default where the writer had no such field."""
    written = fields_of(writer)
    return {name: record[name] if name in written else field['default']
            for name, field in fields_of(reader).items()}


def written_by(record, writer):
    """The part of ``record`` a ``writer`` schema holds."""
    return {name: record[name] for name in fields_of(writer)}


def schemaless(schema, record):
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, schema, record)
    return buf.getvalue()


def decode_as_the_stream_does(name, data, attributes):
    """FeedItems through the stream's source decoder, output types through the topic reader's."""
    if name == 'FeedItem':
        return decode_feed_item(data, attributes)
    return pubsub.decode_message(data, attributes)


# --- the registry --------------------------------------------------------------------------

def test_every_released_fingerprint_is_kept_in_order():
    assert {name: [w.fingerprint for w in schemas.released(name)] for name in schemas.RECORD_TYPES} \
        == RELEASED_FINGERPRINTS
    for name in schemas.RECORD_TYPES:
        assert [w.revision for w in schemas.released(name)] == list(range(1, len(RELEASED_FINGERPRINTS[name]) + 1))


def test_the_current_schema_is_the_latest_release():
    """Changing a .avsc without adding it to schemas/history/ fails here (CHANGELOG.md, rules)."""
    for name in schemas.RECORD_TYPES:
        assert schemas.fingerprint(name) == schemas.released(name)[-1].fingerprint, name


def test_every_enum_has_a_default_among_its_symbols():
    enums = []

    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if node.get('type') == 'enum':
                enums.append(node)
            for value in node.values():
                walk(value)

    for name in schemas.RECORD_TYPES:
        with open(os.path.join(schemas.SCHEMA_DIR, f'{name}.avsc'), encoding='utf-8') as f:
            walk(json.load(f))
    assert {e['name']: e['default'] for e in enums} == {
        'PloverEventType': 'CONSULT', 'LocationPrecision': 'COUNTRY', 'DatePrecision': 'UNKNOWN',
        'TollScope': 'INCIDENT', 'PaneTiming': 'ON_TIME', 'AlertLevel': 'WATCH'}
    assert all(e['default'] in e['symbols'] for e in enums)


def test_fingerprint_is_the_crc64_avro_of_the_canonical_form():
    # Avro's own test vector: CRC-64-AVRO of "int" is 0x7275d51a3f395c8f, written (as in the
    # single-object encoding header) as its little-endian bytes
    assert schemas.schema_fingerprint('int') == '8f5c393f1ad57572'
    assert schemas.record_type_of(schemas.fingerprint('Event')) == 'Event'
    assert schemas.record_type_of(RELEASED_FINGERPRINTS['Story'][0]) == 'Story'
    assert schemas.record_type_of('0123456789abcdef') is None


def test_every_message_built_carries_schema_and_fingerprint():
    expected = {'schema': 'Event', 'schema_fingerprint': schemas.fingerprint('Event')}
    assert schemas.message_attributes('Event') == expected
    message = to_pubsub_message('Event', RECORDS['Event'])
    assert message.attributes == dict(expected, record_id=RECORDS['Event']['event_id'])
    assert pubsub.decode_message(message.data, message.attributes) == RECORDS['Event']
    assert pubsub.message_attributes('DeadLetter', {'error': 'EMPTY_ENTRY'}) == {
        'schema': 'DeadLetter', 'schema_fingerprint': schemas.fingerprint('DeadLetter'), 'error': 'EMPTY_ENTRY'}
    assert poller.item_attributes(RECORDS['FeedItem']) == {
        'schema': 'FeedItem', 'schema_fingerprint': schemas.fingerprint('FeedItem'),
        'item_id': '9f2c4e1a7b', 'published_at': '2023-03-14T06:45:00Z'}


# --- files (Avro containers carry their writer schema) -------------------------------------

@pytest.mark.parametrize('name,revision', RELEASES, ids=RELEASE_IDS)
def test_file_written_now_is_read_by_a_released_schema(name, revision, tmp_path):
    old = release(name, revision).schema
    path = tmp_path / f'{name}.avro'
    schemas.write_container(str(path), name, [RECORDS[name]])
    with open(path, 'rb') as f:
        read = list(fastavro.reader(f, reader_schema=old))
    assert read == [as_read_by(RECORDS[name], schemas.schema(name), old)]


@pytest.mark.parametrize('name,revision', RELEASES, ids=RELEASE_IDS)
def test_file_written_by_a_released_schema_is_read_now(name, revision, tmp_path):
    old = release(name, revision).schema
    path = tmp_path / f'{name}.avro'
    with open(path, 'wb') as f:
        fastavro.writer(f, old, [written_by(RECORDS[name], old)], codec='deflate')
    expected = as_read_by(RECORDS[name], old, schemas.schema(name))
    assert schemas.read_container(str(path)) == [expected]
    assert schemas.is_valid(name, expected)


def test_a_file_of_another_schema_is_read_as_written(tmp_path):
    foreign = fastavro.parse_schema({'type': 'record', 'name': 'Tally', 'namespace': 'elsewhere',
                                     'fields': [{'name': 'n', 'type': 'int'}]})
    path = tmp_path / 'tally.avro'
    with open(path, 'wb') as f:
        fastavro.writer(f, foreign, [{'n': 3}])
    assert schemas.read_container(str(path)) == [{'n': 3}]


# --- messages (schemaless body, writer named by the fingerprint attribute) ------------------

@pytest.mark.parametrize('name,revision', RELEASES, ids=RELEASE_IDS)
def test_message_written_now_is_read_by_a_released_schema(name, revision):
    old = release(name, revision).schema
    attributes = schemas.message_attributes(name)
    data = schemas.encode(name, RECORDS[name])
    read = schemas.decode(name, data, attributes['schema_fingerprint'], reader_schema=old)
    assert read == as_read_by(RECORDS[name], schemas.schema(name), old)


@pytest.mark.parametrize('with_fingerprint', [True, False], ids=['fingerprint', 'older-producer'])
@pytest.mark.parametrize('name,revision', RELEASES, ids=RELEASE_IDS)
def test_message_written_by_a_released_schema_is_read_now(name, revision, with_fingerprint):
    old = release(name, revision)
    data = schemaless(old.schema, written_by(RECORDS[name], old.schema))
    attributes = {'schema': name}
    if with_fingerprint:
        attributes['schema_fingerprint'] = old.fingerprint
    assert decode_as_the_stream_does(name, data, attributes) == as_read_by(RECORDS[name], old.schema,
                                                                          schemas.schema(name))


def test_unknown_fingerprint_is_a_decode_dead_letter_naming_it():
    attributes = dict(schemas.message_attributes('FeedItem'), schema_fingerprint='00000000deadbeef')
    message = PubsubMessage(schemas.encode('FeedItem', RECORDS['FeedItem']), attributes)
    fn = _DecodeMessageFn('projects/p/subscriptions/items')
    [out] = list(fn.process(message))
    assert out.tag == DEAD_LETTER_TAG
    dead = out.value
    assert (dead['stage'], dead['error']) == ('decode', 'UNKNOWN_SCHEMA_FINGERPRINT')
    assert '00000000deadbeef' in dead['detail'] and dead['payload'] == message.data
    assert schemas.is_valid('DeadLetter', dead)
    with pytest.raises(ValueError, match='00000000deadbeef'):
        pubsub.decode_message(schemas.encode('Event', RECORDS['Event']),
                              {'schema': 'Event', 'schema_fingerprint': '00000000deadbeef'})


# --- a newer writer: one more enum symbol and one more field ---------------------------------

FUTURE_SYMBOLS = [
    # (record type, enum, new symbol, where the record holds it, what this reader reads)
    ('Event', 'PloverEventType', 'EVACUATE', ('event_type',), 'CONSULT'),
    ('Event', 'LocationPrecision', 'NEIGHBOURHOOD', ('location', 'precision'), 'COUNTRY'),
    ('Event', 'DatePrecision', 'QUARTER', ('date_precision',), 'UNKNOWN'),
    ('Event', 'TollScope', 'ESTIMATED', ('toll_scope',), 'INCIDENT'),
    ('CountrySummary', 'PaneTiming', 'RETRACTED', ('pane',), 'ON_TIME'),
    ('CountrySummary', 'AlertLevel', 'EMERGENCY', ('alert_level',), 'WATCH'),
]
FUTURE_IDS = [f'{name}.{enum}' for name, enum, *_ in FUTURE_SYMBOLS]


def future_schema_json(name, enum, symbol):
    """The current ``name`` schema with ``symbol`` added to ``enum`` and a new optional field."""
    with open(os.path.join(schemas.SCHEMA_DIR, f'{name}.avsc'), encoding='utf-8') as f:
        future = json.load(f)
    found = []

    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if node.get('type') == 'enum' and node.get('name') == enum:
                node['symbols'].append(symbol)
                found.append(node)
            for value in node.values():
                walk(value)

    walk(future)
    assert len(found) == 1
    future['fields'].append({'name': 'review_note', 'type': ['null', 'string'], 'default': None})
    return future


def future_record(name, path, symbol):
    record = copy.deepcopy(RECORDS[name])
    holder = record
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = symbol
    record['review_note'] = 'added by a newer writer'
    return record


def expected_now(name, path, default):
    expected = copy.deepcopy(RECORDS[name])
    holder = expected
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = default
    return expected


@pytest.mark.parametrize('name,enum,symbol,path,default', FUTURE_SYMBOLS, ids=FUTURE_IDS)
def test_file_from_a_newer_writer_reads_its_new_symbol_as_the_default(name, enum, symbol, path, default,
                                                                        tmp_path):
    future = fastavro.parse_schema(future_schema_json(name, enum, symbol))
    path_ = tmp_path / 'future.avro'
    with open(path_, 'wb') as f:
        fastavro.writer(f, future, [future_record(name, path, symbol)])
    assert schemas.read_container(str(path_)) == [expected_now(name, path, default)]


@pytest.mark.parametrize('name,enum,symbol,path,default', FUTURE_SYMBOLS, ids=FUTURE_IDS)
def test_message_from_a_newer_writer_reads_its_new_symbol_as_the_default(name, enum, symbol, path, default,
                                                                           tmp_path, monkeypatch):
    future_json = future_schema_json(name, enum, symbol)
    future = fastavro.parse_schema(future_json)
    future_fingerprint = schemas.schema_fingerprint(future)
    assert future_fingerprint not in RELEASED_FINGERPRINTS[name]
    data = schemaless(future, future_record(name, path, symbol))
    attributes = {'schema': name, 'schema_fingerprint': future_fingerprint}

    # a reader whose history does not hold the newer schema says so, it does not guess
    with pytest.raises(schemas.UnknownWriterSchema, match=future_fingerprint):
        pubsub.decode_message(data, attributes)

    # shipping the newer schema's history file is all a reader needs
    history = tmp_path / 'history'
    shutil.copytree(schemas.HISTORY_DIR, history)
    revision = len(RELEASED_FINGERPRINTS[name]) + 1
    (history / name / f'{revision}-{future_fingerprint}.avsc').write_text(json.dumps(future_json))
    monkeypatch.setattr(schemas, 'HISTORY_DIR', str(history))
    assert pubsub.decode_message(data, attributes) == expected_now(name, path, default)
