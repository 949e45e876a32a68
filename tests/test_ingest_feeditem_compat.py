"""FeedItem messages are schemaless Avro: ones a poller wrote before the outlet and date
fields were added still decode (the new fields take their defaults); new ones round-trip."""
import datetime
import io

import fastavro
import pytest

from wirewatch import schemas
from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.ingest.sources import FEED_ITEM_FIELDS_ADDED, decode_feed_item

UTC = datetime.timezone.utc
ITEM = {'item_id': 'id-1', 'title': 'Harbour closes', 'feed_url': 'https://news.example.com/rss',
        'source_name': 'Example News', 'fetched_at': datetime.datetime(2022, 1, 9, 10, 0, tzinfo=UTC)}


def earlier_layout_bytes(record):
    schema = fastavro.parse_schema({
        'type': 'record', 'name': 'FeedItem', 'namespace': 'wirewatch.v1',
        'fields': [f for f in schemas.schema('FeedItem')['fields'] if f['name'] not in FEED_ITEM_FIELDS_ADDED]})
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, schema, record)
    return buf.getvalue()


def test_message_from_an_earlier_poller_decodes_with_defaults():
    item = decode_feed_item(earlier_layout_bytes(ITEM), {'schema': 'FeedItem'})
    assert (item['item_id'], item['source_name'], item['fetched_at']) == ('id-1', 'Example News', ITEM['fetched_at'])
    assert (item['feed_title'], item['item_source'], item['feed_updated_at'], item['captured_at'],
            item['backfill']) == (None, None, None, None, False)


def test_message_with_the_new_fields_round_trips():
    record = dict(ITEM, feed_title='World Roundup', item_source='Island Post',
                  item_source_url='https://islandpost.example/rss',
                  feed_updated_at=datetime.datetime(2022, 1, 9, 9, 0, tzinfo=UTC), backfill=True)
    item = decode_feed_item(schemas.encode('FeedItem', record))
    assert {k: item[k] for k in record} == record and item['captured_at'] is None


def test_garbage_is_still_undecodable():
    with pytest.raises(Rejected) as info:
        decode_feed_item(b'\x02not avro at all' * 3)
    assert info.value.error == 'UNDECODABLE_MESSAGE'
