"""FeedItem messages are schemaless Avro decoded by ``decode_feed_item``: ones a poller wrote
with the first released FeedItem (before the outlet and date fields) still decode, with or
without a ``schema_fingerprint`` attribute (the new fields take their defaults); new ones
round-trip; an unknown fingerprint or garbage is a decode dead letter naming why."""
import datetime
import io

import fastavro
import pytest

from wirewatch import schemas
from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.ingest.sources import decode_feed_item

UTC = datetime.timezone.utc
ITEM = {'item_id': 'id-1', 'title': 'Harbour closes', 'feed_url': 'https://news.example.com/rss',
        'source_name': 'Example News', 'fetched_at': datetime.datetime(2022, 1, 9, 10, 0, tzinfo=UTC)}


def first_release():
    return schemas.released('FeedItem')[0]


def first_release_bytes(record):
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, first_release().schema, record)
    return buf.getvalue()


def test_the_first_release_lacks_the_outlet_and_date_fields():
    first = {f['name'] for f in first_release().schema['fields']}
    added = set(schemas.field_names('FeedItem')) - first
    assert added == {'feed_title', 'item_source', 'item_source_url', 'feed_updated_at', 'captured_at',
                     'backfill'}


@pytest.mark.parametrize('attributes', [{'schema': 'FeedItem'}, None], ids=['schema-only', 'no-attributes'])
def test_message_from_a_poller_older_than_fingerprints_decodes_with_defaults(attributes):
    item = decode_feed_item(first_release_bytes(ITEM), attributes)
    assert (item['item_id'], item['source_name'], item['fetched_at']) == ('id-1', 'Example News', ITEM['fetched_at'])
    assert (item['feed_title'], item['item_source'], item['feed_updated_at'], item['captured_at'],
            item['backfill']) == (None, None, None, None, False)


def test_message_naming_the_first_release_by_fingerprint_decodes_with_defaults():
    attributes = {'schema': 'FeedItem', 'schema_fingerprint': first_release().fingerprint}
    item = decode_feed_item(first_release_bytes(ITEM), attributes)
    assert item['title'] == 'Harbour closes' and item['backfill'] is False


def test_message_with_the_new_fields_round_trips():
    record = dict(ITEM, feed_title='World Roundup', item_source='Island Post',
                  item_source_url='https://islandpost.example/rss',
                  feed_updated_at=datetime.datetime(2022, 1, 9, 9, 0, tzinfo=UTC), backfill=True)
    for attributes in (schemas.message_attributes('FeedItem'), None):
        item = decode_feed_item(schemas.encode('FeedItem', record), attributes)
        assert {k: item[k] for k in record} == record and item['captured_at'] is None


def test_unknown_fingerprint_is_rejected_naming_it():
    attributes = {'schema': 'FeedItem', 'schema_fingerprint': '0123456789abcdef'}
    with pytest.raises(Rejected) as info:
        decode_feed_item(schemas.encode('FeedItem', ITEM), attributes)
    assert info.value.error == 'UNKNOWN_SCHEMA_FINGERPRINT'
    assert '0123456789abcdef' in info.value.detail


def test_another_types_fingerprint_is_rejected_saying_whose_it_is():
    with pytest.raises(Rejected) as info:
        decode_feed_item(schemas.encode('FeedItem', ITEM), {'schema_fingerprint': schemas.fingerprint('Story')})
    assert info.value.error == 'UNKNOWN_SCHEMA_FINGERPRINT'
    assert 'it is a Story schema' in info.value.detail


def test_garbage_is_still_undecodable():
    with pytest.raises(Rejected) as info:
        decode_feed_item(b'\x02not avro at all' * 3)
    assert info.value.error == 'UNDECODABLE_MESSAGE'
    with pytest.raises(Rejected) as info:
        decode_feed_item(b'\x02not avro at all' * 3, schemas.message_attributes('FeedItem'))
    assert info.value.error == 'UNDECODABLE_MESSAGE'
    assert schemas.fingerprint('FeedItem') in info.value.detail
