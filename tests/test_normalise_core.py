"""normalise_item and its helpers: URLs, dates, language, size limits, hostile content."""
import datetime
import os

import pytest

from wirewatch import schemas
from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.ingest import feeds
from wirewatch.transforms.normalise import dates, language, urls
from wirewatch.transforms.normalise.core import MAX_ITEM_BYTES, normalise_item

UTC = datetime.timezone.utc
NOW = datetime.datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
FETCHED = datetime.datetime(2024, 3, 4, 18, 0, tzinfo=UTC)
FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')


def make_item(**overrides):
    item = {'item_id': 'id-1', 'guid': 'g-1', 'url': 'https://news.example.com/a/story-1/?utm_source=rss',
            'title': 'Harbour strike spreads to second port - Reuters', 'summary': None, 'content': None,
            'published_raw': 'Mon, 04 Mar 2024 10:00:00 GMT',
            'published_at': datetime.datetime(2024, 3, 4, 10, 0, tzinfo=UTC), 'authors': [],
            'feed_url': 'https://news.example.com/rss', 'source_name': 'Example News', 'feed_language': 'en',
            'fetched_at': FETCHED}
    item.update(overrides)
    schemas.check('FeedItem', item)
    return item


def quirky_text():
    with open(os.path.join(FIXTURES, 'normalise', 'wire_story_quirks.txt'), encoding='utf-8') as f:
        return f.read()


# --- canonical URLs -----------------------------------------------------------------------

@pytest.mark.parametrize('url, canonical', [
    ('HTTPS://News.Example.COM:443/World/Story?b=2&a=1#comments', 'https://news.example.com/World/Story?a=1&b=2'),
    ('http://example.com:80/x/', 'http://example.com/x'),
    ('http://example.com:8080/x', 'http://example.com:8080/x'),
    ('https://example.com/a?utm_source=rss&utm_medium=feed&fbclid=X&gclid=Y&ocid=Z&cmpid=W&id=7',
     'https://example.com/a?id=7'),
    ('https://www.smh.com.au/national/story-20200524-p54vwj.html?ref=rss&utm_medium=rss&utm_source=rss_feed',
     'https://www.smh.com.au/national/story-20200524-p54vwj.html'),
    ('https://example.com/news/story/amp/', 'https://example.com/news/story'),
    ('https://example.com/amp/news/story', 'https://example.com/news/story'),
    ('https://example.com/news/story.amp', 'https://example.com/news/story'),
    ('https://example.com/news/story.amp.html', 'https://example.com/news/story.html'),
    ('https://example.com/news/story?amp', 'https://example.com/news/story'),
    ('https://example.com/news/story?amp=1&outputType=amp', 'https://example.com/news/story'),
    ('https://amp.example.com/news/story', 'https://example.com/news/story'),
    ('https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story', 'https://www.example.com/news/story'),
    ('https://example.com', 'https://example.com/'),
    ('https://example.com/', 'https://example.com/'),
    ('https://example.com/news/ampersand-story', 'https://example.com/news/ampersand-story'),
])
def test_canonical_url(url, canonical):
    assert urls.canonical_url(url) == canonical
    assert urls.canonical_url(canonical) == canonical


@pytest.mark.parametrize('url', [None, '', 'not a url', '/relative/path', 'javascript:alert(1)',
                                 'ftp://example.com/x', 'http://example.com:99999/x', 'mailto:a@example.com'])
def test_non_http_urls_have_no_canonical_form(url):
    assert urls.canonical_url(url) is None


# --- dates --------------------------------------------------------------------------------

def test_feed_date_is_used_as_is():
    when = datetime.datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    assert dates.resolve_published_at(when, 'x', FETCHED, NOW) == (when, None)


def test_raw_date_is_parsed_when_feedparser_could_not():
    got, flag = dates.resolve_published_at(None, '4 March 2024 10:30 +0200', FETCHED, NOW)
    assert (got, flag) == (datetime.datetime(2024, 3, 4, 8, 30, tzinfo=UTC), None)


@pytest.mark.parametrize('published_at, raw, flag', [
    (None, None, 'MISSING_DATE'),
    (None, '   ', 'MISSING_DATE'),
    (None, 'not a date at all', 'UNPARSEABLE_DATE'),
    (None, 'sometime 99', 'UNPARSEABLE_DATE'),
    (datetime.datetime(2031, 1, 1, tzinfo=UTC), None, 'ABSURD_DATE'),
    (datetime.datetime(1970, 1, 1, tzinfo=UTC), None, 'ABSURD_DATE'),
    (None, '1 January 1899', 'ABSURD_DATE'),
])
def test_bad_dates_fall_back_to_ingest_time_with_a_flag(published_at, raw, flag):
    assert dates.resolve_published_at(published_at, raw, FETCHED, NOW) == (FETCHED, flag)


def test_a_date_just_ahead_of_now_is_tolerated():
    soon = NOW + datetime.timedelta(hours=20)
    assert dates.resolve_published_at(soon, None, FETCHED, NOW) == (soon, None)


# --- language -----------------------------------------------------------------------------

def test_language_detected_from_text():
    assert language.detect_language('Le gouvernement a présenté sa nouvelle équipe ce matin à Paris.', 'en') == 'fr'


def test_short_text_defers_to_feed_language():
    assert language.detect_language('Gaza', 'de-DE') == 'de'
    assert language.detect_language('Gaza', None) is None


# --- normalise_item -----------------------------------------------------------------------

def test_wire_story_with_quirks():
    story = normalise_item(make_item(content=quirky_text().replace('\n', '<br>'),
                                     authors=['Lucia Ferrer']), now=NOW)
    schemas.check('Story', story)
    assert story['story_id'] == story['cluster_id'] == story['item_id'] == 'id-1'
    assert story['duplicate_of'] is None
    assert story['title'] == 'Harbour strike spreads to second port'
    assert story['wire'] == 'Reuters'
    assert (story['dateline_place'], story['dateline_date']) == ('Valparaiso', 'March 4')
    assert story['authors'] == ['Lucia Ferrer', 'Tomas Quiroga', 'Ana Beltran Marco Diaz']
    assert story['text'].startswith('* Dock workers walk out in Valparaíso\n\n* Talks set for Thursday')
    assert '\n\nDock workers at Chile\'s second-largest port joined a strike' in story['text']
    for gone in ('Source link', '-88', '(Reuters)', 'by Lucia', 'edited by', 'Harbour strike spreads'):
        assert gone not in story['text']
    assert story['canonical_url'] == 'https://news.example.com/a/story-1'
    assert story['language'] == 'en'
    assert story['published_at'] == datetime.datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    assert story['ingested_at'] == FETCHED
    assert story['date_flag'] is None


def test_outlet_names_are_not_authors():
    story = normalise_item(make_item(summary='Body.', authors=['Example News', 'Reuters', 'Ana Lima']), now=NOW)
    assert story['authors'] == ['Ana Lima']


def test_longer_of_summary_and_content_is_the_text():
    story = normalise_item(make_item(summary='<p>Short caption.</p>',
                                     content='<p>The full lead paragraph of the story, much longer.</p>'), now=NOW)
    assert story['text'] == 'The full lead paragraph of the story, much longer.'


def test_title_only_item_uses_title_as_text_and_drops_title_echo():
    story = normalise_item(make_item(summary='Harbour strike spreads to second port  Reuters'), now=NOW)
    assert story['text'] == story['title'] == 'Harbour strike spreads to second port'


def test_text_without_title_gets_a_derived_title():
    story = normalise_item(make_item(title=None, summary='Rain fell. ' * 40), now=NOW)
    assert story['title'].startswith('Rain fell. Rain fell.') and story['title'].endswith('…')
    assert len(story['title']) <= 161


def test_missing_date_is_flagged_not_rejected():
    story = normalise_item(make_item(published_at=None, published_raw=None, summary='Text here.'), now=NOW)
    assert (story['published_at'], story['date_flag']) == (FETCHED, 'MISSING_DATE')
    schemas.check('Story', story)


@pytest.mark.parametrize('fields', [
    {'title': None, 'summary': None, 'content': None},
    {'title': '  ', 'summary': '<script>only()</script><p>Source link</p>', 'content': '<img src="x.gif">'},
])
def test_no_text_is_rejected(fields):
    with pytest.raises(Rejected) as info:
        normalise_item(make_item(**fields), now=NOW)
    assert info.value.error == 'NO_TEXT'


def test_huge_item_is_rejected():
    with pytest.raises(Rejected) as info:
        normalise_item(make_item(content='<p>' + 'x' * MAX_ITEM_BYTES + '</p>'), now=NOW)
    assert info.value.error == 'ITEM_TOO_LARGE'


def test_guid_permalink_is_the_url_when_there_is_no_link():
    story = normalise_item(make_item(url=None, guid='https://news.example.com/b#x', summary='Body text.'), now=NOW)
    assert (story['url'], story['canonical_url']) == ('https://news.example.com/b#x', 'https://news.example.com/b')
    story = normalise_item(make_item(url='javascript:alert(1)', guid='tag:x', summary='Body text.'), now=NOW)
    assert story['url'] is None and story['canonical_url'] is None


def test_hostile_feed_item_end_to_end():
    path = os.path.join(FIXTURES, 'feeds', 'script_and_pixel_item.xml')
    (kind, item), = list(feeds.read_feed_file(path, fetched_at=FETCHED))
    story = normalise_item(item, now=NOW)
    schemas.check('Story', story)
    assert story['text'] == 'The council approved the budget on Monday.'
    assert story['canonical_url'] == 'https://tracker.example.com/news/budget'
    assert 'STOLEN' not in repr(story) and 'pixel' not in repr(story)
