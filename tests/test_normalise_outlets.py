"""A story's outlet (source_name) in aggregator and plain feeds: the item's own <source>, else
the title's outlet suffix, else the link's registered domain, else the feed title."""
import datetime

import pytest

from wirewatch import schemas
from wirewatch.transforms.ingest import feeds
from wirewatch.transforms.normalise.core import normalise_item
from wirewatch.transforms.normalise.outlets import story_source_name
from wirewatch.transforms.normalise.titles import clean_title, split_title
from wirewatch.transforms.normalise.urls import is_outletless_host, link_domain, registered_domain

UTC = datetime.timezone.utc
NOW = datetime.datetime(2022, 1, 10, tzinfo=UTC)
FETCHED = datetime.datetime(2022, 1, 9, 16, 0, tzinfo=UTC)

AGGREGATOR_RSS = b'''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>World Roundup</title>
  <link>https://roundup.example.org/</link>
  <item>
    <title>Storm closes ports - Harbour Times</title>
    <link>https://www.harbourtimes.co.uk/news/storm-closes-ports</link>
    <guid isPermaLink="false">r-1</guid>
    <pubDate>Sun, 09 Jan 2022 10:00:00 GMT</pubDate>
    <description>Ports closed as a storm hit the coast.</description>
    <source url="https://www.harbourtimes.co.uk/rss">Harbour Times</source>
  </item>
  <item>
    <title>Storm closes ports</title>
    <link>https://news.islandpost.com.au/storm</link>
    <guid isPermaLink="false">r-2</guid>
    <pubDate>Sun, 09 Jan 2022 10:05:00 GMT</pubDate>
    <description>Ports closed as a storm hit the coast.</description>
    <source url="https://islandpost.com.au/feed">  Island
      Post </source>
  </item>
  <item>
    <title>Storm closes ports</title>
    <link>https://valley.example.net/storm</link>
    <guid isPermaLink="false">r-3</guid>
    <pubDate>Sun, 09 Jan 2022 10:10:00 GMT</pubDate>
    <description>Ports closed as a storm hit the coast.</description>
    <source url="https://www.valleygazette.org/rss.xml"/>
  </item>
  <item>
    <title>Storm closes ports - The Guardian</title>
    <link>https://feedproxy.google.com/~r/planet/~3/abc/</link>
    <guid isPermaLink="false">r-4</guid>
    <pubDate>Sun, 09 Jan 2022 10:15:00 GMT</pubDate>
    <description>Ports closed as a storm hit the coast.</description>
  </item>
</channel></rss>'''

AGGREGATOR_ATOM = b'''<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Planet Harbours</title>
  <id>tag:planet.example,2022:harbours</id>
  <updated>2022-01-09T12:00:00Z</updated>
  <entry>
    <title>Harbour reopens</title>
    <id>tag:planet.example,2022:1</id>
    <link href="https://coastwatch.example.com/harbour-reopens"/>
    <updated>2022-01-09T11:00:00Z</updated>
    <summary>The harbour reopened on Sunday.</summary>
    <source>
      <id>tag:coastwatch.example.com,2022:feed</id>
      <title>Coast Watch</title>
      <link href="https://coastwatch.example.com/"/>
      <updated>2022-01-09T11:30:00Z</updated>
    </source>
  </entry>
</feed>'''


def items_of(data, **kwargs):
    out = list(feeds.parse_feed_bytes(data, None, FETCHED, source='test.xml', **kwargs))
    assert [k for k, _ in out] == ['item'] * len(out)
    for _, item in out:
        schemas.check('FeedItem', item)
    return [item for _, item in out]


def stories_of(data, **kwargs):
    stories = [normalise_item(item, now=NOW) for item in items_of(data, **kwargs)]
    for story in stories:
        schemas.check('Story', story)
    return stories


# --- ingest: what the feed says ----------------------------------------------------------

def test_rss_source_element_is_the_items_outlet_in_the_feed_item():
    items = items_of(AGGREGATOR_RSS)
    assert [i['item_source'] for i in items] == ['Harbour Times', 'Island Post', None, None]
    assert items[3]['title'] == 'Storm closes ports - The Guardian'
    assert [i['item_source_url'] for i in items] == [
        'https://www.harbourtimes.co.uk/rss', 'https://islandpost.com.au/feed',
        'https://www.valleygazette.org/rss.xml', None]
    assert {i['feed_title'] for i in items} == {'World Roundup'}
    # FeedItem.source_name is the best name the feed states: the <source>, else its own title
    assert [i['source_name'] for i in items] == ['Harbour Times', 'Island Post', 'World Roundup', 'World Roundup']


def test_atom_source_title_is_the_items_outlet():
    (item,) = items_of(AGGREGATOR_ATOM)
    assert (item['item_source'], item['item_source_url']) == ('Coast Watch', 'https://coastwatch.example.com/')
    assert item['feed_title'] == 'Planet Harbours'
    # the source's own <updated> is not the entry's date
    assert item['published_at'] == datetime.datetime(2022, 1, 9, 11, 0, tzinfo=UTC)


def test_plain_feed_items_have_no_item_source():
    items = items_of(b'''<rss version="2.0"><channel><title>Harbour Times</title>
        <item><title>A</title><link>https://www.harbourtimes.co.uk/a</link></item></channel></rss>''')
    assert (items[0]['item_source'], items[0]['feed_title'], items[0]['source_name']) == (
        None, 'Harbour Times', 'Harbour Times')


# --- normalise: the story's outlet ---------------------------------------------------------

def test_aggregator_rss_each_story_names_its_own_outlet():
    stories = stories_of(AGGREGATOR_RSS)
    assert [s['source_name'] for s in stories] == [
        'Harbour Times',       # <source>
        'Island Post',         # <source>, whitespace tidied
        'valleygazette.org',   # <source url> without a name: its registered domain
        'The Guardian',        # no <source>: the title's outlet suffix (the link is a feed proxy)
    ]
    assert {s['feed_title'] for s in stories} == {'World Roundup'}
    assert stories[0]['title'] == 'Storm closes ports'   # the outlet's suffix is removed
    assert len({s['source_name'] for s in stories}) == 4


def test_aggregator_atom_story_names_the_source_title():
    (story,) = stories_of(AGGREGATOR_ATOM)
    assert (story['source_name'], story['feed_title']) == ('Coast Watch', 'Planet Harbours')


def item(**fields):
    base = {'item_id': 'i', 'title': 'Harbour reopens', 'summary': 'The harbour reopened.', 'content': None,
            'url': None, 'guid': None, 'published_at': FETCHED, 'published_raw': None, 'authors': [],
            'feed_url': 'https://feeds.example.org/rss', 'source_name': None, 'feed_language': 'en',
            'fetched_at': FETCHED}
    base.update(fields)
    return base


def test_title_suffix_names_the_outlet_when_the_feed_does_not():
    story = normalise_item(item(title='Harbour reopens - Daily Planet', feed_title='Daily Planet',
                                source_name='Daily Planet', url='https://cdn.syndicate.example.com/x'), now=NOW)
    assert (story['title'], story['source_name']) == ('Harbour reopens', 'Daily Planet')
    # a known outlet or wire suffix, in an aggregator whose title is something else
    story = normalise_item(item(title='Harbour reopens - Thomson Reuters', feed_title='World Roundup',
                                url='https://www.reuters.com/world/x'), now=NOW)
    assert (story['title'], story['source_name'], story['wire']) == ('Harbour reopens', 'Reuters', 'Reuters')


def test_link_domain_names_the_outlet_when_neither_feed_nor_title_does():
    story = normalise_item(item(url='https://www.bbc.co.uk/news/world-1', feed_title='World Roundup',
                                source_name='World Roundup'), now=NOW)
    assert (story['source_name'], story['feed_title']) == ('bbc.co.uk', 'World Roundup')


def test_an_unknown_suffix_is_no_outlet():
    # only known outlets and wires, and the feed's and item's own names, end a title
    story = normalise_item(item(title='Brexit - what happens next', feed_title='World Roundup',
                                url='https://www.bbc.co.uk/news/x'), now=NOW)
    assert (story['title'], story['source_name']) == ('Brexit - what happens next', 'bbc.co.uk')


def test_feed_title_is_the_last_resort():
    story = normalise_item(item(url='https://feedproxy.google.com/~r/x/1', feed_title='World Roundup',
                                source_name='World Roundup'), now=NOW)
    assert story['source_name'] == 'World Roundup'
    assert normalise_item(item(feed_title='World Roundup'), now=NOW)['source_name'] == 'World Roundup'


def test_feed_item_written_before_feed_title_existed_keeps_its_source_name():
    # an archived FeedItem: source_name held the feed title, no feed_title / item_source
    story = normalise_item(item(source_name='Example News'), now=NOW)
    assert (story['source_name'], story['feed_title']) == ('Example News', None)


def test_item_source_wins_over_title_suffix_and_link():
    story = normalise_item(item(title='Harbour reopens - Reuters', item_source='Island Post',
                                url='https://www.bbc.co.uk/news/x', feed_title='World Roundup'), now=NOW)
    assert (story['source_name'], story['title'], story['wire']) == ('Island Post', 'Harbour reopens', 'Reuters')


def test_outlet_names_are_not_authors_and_echoes_are_dropped():
    story = normalise_item(item(item_source='Island Post', authors=['Island Post', 'Ana Lima'],
                                summary='Harbour reopens  Island Post'), now=NOW)
    assert story['authors'] == ['Ana Lima'] and story['text'] == story['title']


def test_story_source_name_order():
    assert story_source_name({'item_source': ' A ', 'feed_title': 'F'}, 'T', 'https://b.example/x') == 'A'
    assert story_source_name({'item_source_url': 'https://www.b.co.nz/rss', 'feed_title': 'F'}, 'T') == 'b.co.nz'
    assert story_source_name({'feed_title': 'F'}, 'T', 'https://b.example/x') == 'T'
    assert story_source_name({'feed_title': 'F'}, None, 'https://b.example/x') == 'b.example'
    assert story_source_name({'feed_title': 'F', 'source_name': 'S'}, None, None) == 'F'
    assert story_source_name({'source_name': 'S'}, None, None) == 'S'
    assert story_source_name({}, None, None) is None


# --- titles and domains --------------------------------------------------------------------

def test_split_title_reports_the_outermost_suffix_as_outlet():
    assert split_title('Quake hits coast - Reuters | Yahoo News') == ('Quake hits coast', 'Reuters', 'Yahoo News')
    assert split_title('Quake hits coast - Associated Press') == ('Quake hits coast', 'AP', 'AP')
    assert split_title('Quake hits coast') == ('Quake hits coast', None, None)
    assert split_title('Quake - Island Post', ['World Roundup', 'Island Post']) == ('Quake', None, 'Island Post')
    assert clean_title('Quake - Island Post', ('Island Post',)) == ('Quake', None)


@pytest.mark.parametrize('host, domain', [
    ('www.bbc.co.uk', 'bbc.co.uk'),
    ('feeds.bbci.co.uk', 'bbci.co.uk'),
    ('edition.cnn.com', 'cnn.com'),
    ('www.smh.com.au', 'smh.com.au'),
    ('www.nzherald.co.nz', 'nzherald.co.nz'),
    ('www.rnz.govt.nz', 'rnz.govt.nz'),
    ('www.philstar.com', 'philstar.com'),
    ('www.lemonde.fr', 'lemonde.fr'),
    ('WWW.Reuters.COM.', 'reuters.com'),
    ('bbc.co.uk', 'bbc.co.uk'),
    ('localhost', 'localhost'),
    ('192.0.2.7', '192.0.2.7'),
    ('', None),
])
def test_registered_domain(host, domain):
    assert registered_domain(host) == domain


def test_link_domain_skips_redirectors_and_other_schemes():
    assert link_domain('https://www.bbc.co.uk/news/world-1?x=1') == 'bbc.co.uk'
    assert link_domain('https://www-bbc-co-uk.cdn.ampproject.org/c/s/www.bbc.co.uk/news/a') == 'bbc.co.uk'
    assert link_domain('http://feedproxy.google.com/~r/x/1') is None
    assert link_domain('https://news.google.com/rss/articles/CBMi?oc=5') is None
    assert link_domain('mailto:desk@example.com') is None and link_domain(None) is None
    assert link_domain('https://www.youtube.com/watch?v=abc') is None   # hosts many outlets' videos
    assert is_outletless_host('bit.ly') and not is_outletless_host('google.com')


def test_an_outlets_own_shortener_is_its_site():
    assert link_domain('https://cnn.it/3abcdef') == 'cnn.com'
    assert link_domain('https://nyti.ms/3xyz') == 'nytimes.com'


def test_a_wire_has_one_name_whichever_step_found_it():
    assert story_source_name({'item_source': 'Thomson Reuters'}) == 'Reuters'
    assert story_source_name({'feed_title': 'Reuters Feed'}, None, 'https://www.reuters.com/world/x') == 'Reuters'
    assert story_source_name({}, None, 'https://apnews.com/article/x') == 'AP'
    assert story_source_name({}, 'Associated Press') == 'AP'
