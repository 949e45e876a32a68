"""Undated items take the best time the input offers: the feed's own date, then a capture
time (the operator's or the file name's), then the fetch time; date_flag says which. In a
backfill an item whose only time is the fetch time is a dead letter, not a 'today' story."""
import datetime
import json

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from conftest import TEST_RUNNER
from wirewatch import schemas
from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.ingest import ReadFeedFiles, feeds
from wirewatch.transforms.normalise import NormaliseItemFn, dates
from wirewatch.transforms.normalise.core import normalise_item

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)          # the run
FETCHED = datetime.datetime(2026, 11, 27, 16, 0, tzinfo=UTC)      # a copied file's mtime
FEED_DATE = datetime.datetime(2020, 5, 24, 9, 34, 42, tzinfo=UTC)
CAPTURED = datetime.datetime(2020, 5, 24, 9, 49, 19, tzinfo=UTC)


def rss(items, channel_extra=''):
    body = ''.join(f'<item><title>{t}</title><link>https://news.example.com/{n}</link>'
                   f'<description>{t}: the harbour closed.</description>{extra}</item>'
                   for n, (t, extra) in enumerate(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title>'
            f'<link>https://news.example.com/</link>{channel_extra}{body}</channel></rss>').encode()


UNDATED = rss([('Harbour closes', '')], '<lastBuildDate>Sun, 24 May 2020 09:34:42 +0000</lastBuildDate>')


def parsed(data, **kwargs):
    out = list(feeds.parse_feed_bytes(data, None, FETCHED, source='feed.xml', **kwargs))
    for kind, record in out:
        schemas.check('FeedItem' if kind == 'item' else 'DeadLetter', record)
    return [r for k, r in out if k == 'item']


# --- ingest: the feed's own date ------------------------------------------------------------

def test_rss_last_build_date_is_the_feed_date():
    (item,) = parsed(UNDATED, backfill=True)
    assert item['published_at'] is None and item['feed_updated_at'] == FEED_DATE
    assert (item['captured_at'], item['backfill']) == (None, True)
    # fetched live, long after the feed was built: a stale header, not the feed's date
    (live,) = parsed(UNDATED)
    assert (live['feed_updated_at'], live['backfill']) == (None, False)


def test_atom_feed_updated_and_rss_channel_pubdate():
    atom = b'''<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>a</id>
      <updated>2020-05-24T09:34:42Z</updated><entry><id>e</id><title>Harbour closes</title>
      <summary>The harbour closed.</summary></entry></feed>'''
    assert parsed(atom, captured_at=CAPTURED)[0]['feed_updated_at'] == FEED_DATE
    pub = rss([('Harbour closes', '')], '<pubDate>Sun, 24 May 2020 09:34:42 GMT</pubDate>')
    assert parsed(pub, captured_at=CAPTURED)[0]['feed_updated_at'] == FEED_DATE


def test_stale_feed_date_is_dropped():
    # a header nobody updates: 2011 in a feed whose items are from 2020
    stale = rss([('Harbour closes', ''), ('Port reopens', '<pubDate>Sun, 24 May 2020 08:45:01 GMT</pubDate>')],
                '<lastBuildDate>Tue, 04 Oct 2011 04:42:08 +0000</lastBuildDate>')
    assert [i['feed_updated_at'] for i in parsed(stale)] == [None, None]
    # more than 7 days before the capture
    old = rss([('Harbour closes', '')], '<lastBuildDate>Tue, 04 Oct 2011 04:42:08 +0000</lastBuildDate>')
    assert parsed(old, captured_at=CAPTURED)[0]['feed_updated_at'] is None
    # without any trustworthy reference (a backfill without capture time) it is kept
    assert parsed(old, backfill=True)[0]['feed_updated_at'] == datetime.datetime(2011, 10, 4, 4, 42, 8, tzinfo=UTC)


def test_feed_without_a_date():
    assert parsed(rss([('Harbour closes', '')]))[0]['feed_updated_at'] is None


# --- ingest: capture times ------------------------------------------------------------------

@pytest.mark.parametrize('path, expected', [
    ('20200524T094919Z_2e54f80c.xml', CAPTURED),
    ('/archive/bbc/20200524T094919Z_2e54f80c.xml.gz', CAPTURED),
    ('gs://bucket/feeds/cnn/20200524T094919Z.rss', CAPTURED),
    ('feed-20200524T094919Z.xml', CAPTURED),
    ('/archive/20200524T094919Z/feed.xml', None),     # the base name only
    ('20200524T094919_2e54f80c.xml', None),           # no Z: the zone is unknown
    ('120200524T094919Z.xml', None),
    ('20201345T094919Z.xml', None),                   # month 13
    ('feed.xml', None),
])
def test_capture_time_from_filename(path, expected):
    assert feeds.capture_time_from_filename(path) == expected


@pytest.mark.parametrize('text, expected', [
    ('2020-05-24T09:49:19Z', CAPTURED),
    ('2020-05-24T11:49:19+02:00', CAPTURED),
    ('2020-05-24t09:49:19.000z', CAPTURED),
])
def test_operator_capture_time_is_rfc3339(text, expected):
    assert feeds.parse_capture_time(text) == expected


@pytest.mark.parametrize('text', ['2020-05-24', '2020-05-24T09:49:19', 'yesterday', '', '24/05/2020 09:49Z'])
def test_operator_capture_time_needs_a_time_and_an_offset(text):
    with pytest.raises(ValueError):
        feeds.parse_capture_time(text)


def test_read_feed_files_passes_capture_times_and_marks_the_backfill(tmp_path):
    undated = rss([('Harbour closes', '')])
    (tmp_path / '20200524T094919Z_2e54f80c.xml').write_bytes(undated)
    (tmp_path / 'plain.xml').write_bytes(undated.replace(b'Harbour closes', b'Port reopens'))
    operator = datetime.datetime(2020, 5, 25, tzinfo=UTC)
    with TestPipeline(runner=TEST_RUNNER) as p:
        items, _ = p | ReadFeedFiles([str(tmp_path)], capture_time=operator, capture_time_from_filename=True)
        assert_that(items | beam.Map(lambda i: (i['title'], i['captured_at'], i['backfill'])), equal_to([
            ('Harbour closes', CAPTURED, True),   # the file name's time wins
            ('Port reopens', operator, True),     # the operator's time for names without one
        ]))


def test_read_feed_files_without_capture_options(tmp_path):
    (tmp_path / '20200524T094919Z_2e54f80c.xml').write_bytes(rss([('Harbour closes', '')]))
    with TestPipeline(runner=TEST_RUNNER) as p:
        items, _ = p | ReadFeedFiles([str(tmp_path)])
        assert_that(items | beam.Map(lambda i: (i['captured_at'], i['backfill'])), equal_to([(None, True)]))


# --- normalise: which time, and the flag ----------------------------------------------------

@pytest.mark.parametrize('published_at, raw, feed_date, captured_at, expected', [
    # the item's own date
    (CAPTURED, None, FEED_DATE, CAPTURED, (CAPTURED, None)),
    # the feed's date first
    (None, None, FEED_DATE, CAPTURED, (FEED_DATE, 'MISSING_DATE_USED_FEED_DATE')),
    (None, 'not a date', FEED_DATE, None, (FEED_DATE, 'UNPARSEABLE_DATE_USED_FEED_DATE')),
    (datetime.datetime(1970, 1, 1, tzinfo=UTC), None, FEED_DATE, None, (FEED_DATE, 'ABSURD_DATE_USED_FEED_DATE')),
    # then the capture time
    (None, None, None, CAPTURED, (CAPTURED, 'MISSING_DATE_USED_CAPTURE_TIME')),
    # an item dated after its own capture is absurd
    (datetime.datetime(2020, 6, 2, tzinfo=UTC), None, None, CAPTURED, (CAPTURED, 'ABSURD_DATE_USED_CAPTURE_TIME')),
    # an absurd feed date is skipped
    (None, None, datetime.datetime(2031, 1, 1, tzinfo=UTC), CAPTURED, (CAPTURED, 'MISSING_DATE_USED_CAPTURE_TIME')),
    (None, None, datetime.datetime(2020, 6, 1, tzinfo=UTC), CAPTURED, (CAPTURED, 'MISSING_DATE_USED_CAPTURE_TIME')),
    # then the fetch time, with the flags wirewatch always gave it
    (None, None, None, None, (FETCHED, 'MISSING_DATE')),
    (None, 'not a date', None, None, (FETCHED, 'UNPARSEABLE_DATE')),
])
def test_best_time_the_input_offers(published_at, raw, feed_date, captured_at, expected):
    assert dates.resolve_published_at(published_at, raw, FETCHED, NOW, feed_date=feed_date,
                                      captured_at=captured_at) == expected


@pytest.mark.parametrize('flag, source', [
    (None, 'ITEM_DATE'), ('MISSING_DATE_USED_FEED_DATE', 'FEED_DATE'),
    ('UNPARSEABLE_DATE_USED_CAPTURE_TIME', 'CAPTURE_TIME'), ('MISSING_DATE', 'FETCH_TIME'),
    ('ABSURD_DATE', 'FETCH_TIME'),
])
def test_date_source_of_a_flag(flag, source):
    assert dates.date_source(flag) == source


def test_feed_date_dates_an_undated_item():
    (item,) = parsed(UNDATED, backfill=True)
    story = normalise_item(item, now=NOW)
    assert (story['published_at'], story['date_flag'], story['ingested_at']) == (
        FEED_DATE, 'MISSING_DATE_USED_FEED_DATE', FETCHED)
    schemas.check('Story', story)


def test_capture_time_from_the_file_name_dates_an_undated_item(tmp_path):
    path = tmp_path / '20200524T094919Z_2e54f80c.xml'
    path.write_bytes(rss([('Harbour closes', '')]))
    (kind, item), = feeds.read_feed_file(str(path), fetched_at=FETCHED,
                                         captured_at=feeds.capture_time_from_filename(str(path)))
    assert item['backfill'] is True   # a stored file
    story = normalise_item(item, now=NOW)
    assert (story['published_at'], story['date_flag']) == (CAPTURED, 'MISSING_DATE_USED_CAPTURE_TIME')


def test_operator_capture_time_dates_an_undated_item():
    (item,) = parsed(rss([('Harbour closes', '')]), backfill=True,
                     captured_at=feeds.parse_capture_time('2020-05-24T11:49:19+02:00'))
    story = normalise_item(item, now=NOW)
    assert (story['published_at'], story['date_flag']) == (CAPTURED, 'MISSING_DATE_USED_CAPTURE_TIME')


def test_fetch_time_dates_a_live_item():
    # the poller: fetched_at is when the item was seen, within one poll of its publication
    (item,) = parsed(rss([('Harbour closes', '')]))
    story = normalise_item(item, now=NOW)
    assert (story['published_at'], story['date_flag']) == (FETCHED, 'MISSING_DATE')


def test_in_a_backfill_the_fetch_time_alone_is_refused():
    (item,) = parsed(rss([('Harbour closes', '<pubDate>whenever</pubDate>')]), backfill=True)
    with pytest.raises(Rejected) as info:
        normalise_item(item, now=NOW)
    assert info.value.error == 'UNDATED_IN_BACKFILL'
    assert 'UNPARSEABLE_DATE' in info.value.detail and '--capture-time' in info.value.detail


def test_in_a_backfill_no_text_is_still_no_text():
    (item,) = parsed(rss([('', '')]).replace(b'<description>: the harbour closed.</description>', b''),
                     backfill=True)
    with pytest.raises(Rejected) as info:
        normalise_item(dict(item, title=None), now=NOW)
    assert info.value.error == 'NO_TEXT'


def test_undated_backfill_item_becomes_a_counted_dead_letter():
    (item,) = parsed(rss([('Harbour closes', '')]), backfill=True)
    fn = NormaliseItemFn(now=NOW)
    (output,) = list(fn.process(item))
    assert output.tag == 'deadletter'
    dead = output.value
    schemas.check('DeadLetter', dead)
    assert (dead['stage'], dead['error']) == ('normalise', 'UNDATED_IN_BACKFILL')
    assert json.loads(dead['payload'])['title'] == 'Harbour closes'   # the whole item, to replay it
