"""Limits and the entity guard hold in every encoding a feed arrives in: UTF-8, UTF-16 and
UTF-32 in both byte orders with and without a BOM, Latin-1, Windows-1252, a charset given
only by the HTTP header, and gzip-wrapped files (batch reader and poller)."""
import codecs
import datetime
import gzip

import pytest

from wirewatch import schemas
from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.ingest import feeds
from wirewatch.pipeline.poller import FeedFetcher, FetchError
from wirewatch.transforms.normalise.core import MAX_ITEM_BYTES, item_size_bytes, normalise_item

UTC = datetime.timezone.utc
FETCHED = datetime.datetime(2024, 3, 2, 12, 0, tzinfo=UTC)
NOW = datetime.datetime(2024, 3, 3, 12, 0, tzinfo=UTC)
FEED_URL = 'https://wire.example.org/world.rss'

# name -> (Python codec, byte order mark, label declared in the XML declaration or None)
ENCODINGS = {
    'utf-8': ('utf-8', b'', 'UTF-8'),
    'utf-8 undeclared': ('utf-8', b'', None),
    'utf-8 bom': ('utf-8', codecs.BOM_UTF8, 'UTF-8'),
    'utf-16-le bom': ('utf-16-le', codecs.BOM_UTF16_LE, 'UTF-16'),
    'utf-16-be bom': ('utf-16-be', codecs.BOM_UTF16_BE, 'UTF-16'),
    'utf-16-le': ('utf-16-le', b'', 'UTF-16LE'),
    'utf-16-be': ('utf-16-be', b'', 'UTF-16BE'),
    'utf-32-le bom': ('utf-32-le', codecs.BOM_UTF32_LE, 'UTF-32'),
    'utf-32-be bom': ('utf-32-be', codecs.BOM_UTF32_BE, 'UTF-32'),
    'utf-32-le': ('utf-32-le', b'', 'UTF-32LE'),
    'utf-32-be': ('utf-32-be', b'', 'UTF-32BE'),
    'latin-1': ('latin-1', b'', 'ISO-8859-1'),
    'windows-1252': ('cp1252', b'', 'windows-1252'),
}
# Encodings whose undeclared, BOM-less form a parser can still recognise from the NUL bytes.
WIDE_UNDECLARED = ['utf-16-le', 'utf-16-be', 'utf-32-le', 'utf-32-be']

TITLES = ['Crue de la rivière à Éléa', 'Les négociations reprennent à la frontière']
BILLION_LAUGHS_DTD = ('<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
                      + ''.join(f'<!ENTITY lol{n} "{("&lol%s;" % (n - 1 if n > 1 else "")) * 10}">\n'
                                for n in range(1, 10))
                      + ']>\n')


def feed_text(titles=TITLES, summaries=None, prolog='', entity_refs=''):
    """An RSS 2.0 document (str) without its XML declaration."""
    summaries = summaries or ['Les habitants ont été évacués.'] * len(titles)
    items = ''.join(
        f'<item><title>{title}{entity_refs}</title><link>https://wire.example.org/{n}</link>'
        f'<guid>ew-{n}</guid><pubDate>Sat, 02 Mar 2024 09:15:00 +0100</pubDate>'
        f'<description>{summary}</description></item>\n'
        for n, (title, summary) in enumerate(zip(titles, summaries)))
    return (f'{prolog}<rss version="2.0"><channel><title>Fil Exemple</title><link>https://wire.example.org/</link>\n'
            f'{items}</channel></rss>\n')


def encode(text, name):
    codec, bom, label = ENCODINGS[name]
    declaration = f'<?xml version="1.0" encoding="{label}"?>\n' if label else ''
    return bom + (declaration + text).encode(codec)


def parse(data, headers=None, max_feed_bytes=feeds.DEFAULT_MAX_FEED_BYTES):
    out = list(feeds.parse_feed_bytes(data, FEED_URL, FETCHED, headers=headers, max_feed_bytes=max_feed_bytes))
    for kind, record in out:
        schemas.check('FeedItem' if kind == 'item' else 'DeadLetter', record)
    return [r for k, r in out if k == 'item'], [r for k, r in out if k == 'deadletter']


@pytest.mark.parametrize('name', ENCODINGS)
def test_every_encoding_reads_the_same_items(name):
    items, dead = parse(encode(feed_text(), name))
    assert dead == []
    assert [i['title'] for i in items] == TITLES
    assert {i['summary'] for i in items} == {'Les habitants ont été évacués.'}


@pytest.mark.parametrize('name', ENCODINGS)
def test_billion_laughs_is_refused_in_every_encoding(name):
    items, dead = parse(encode(feed_text(prolog=BILLION_LAUGHS_DTD, entity_refs='&lol9;'), name))
    assert items == [] and [d['error'] for d in dead] == ['XML_ENTITY_FORBIDDEN']
    assert 'internal entity' in dead[0]['detail']


@pytest.mark.parametrize('name', ENCODINGS)
def test_external_entity_is_refused_in_every_encoding(tmp_path, name):
    secret = tmp_path / 'secret.txt'
    secret.write_text('LOCAL-SECRET-51733')
    doc = feed_text(prolog=f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n', entity_refs='&xxe;')
    items, dead = parse(encode(doc, name))
    assert items == [] and [d['error'] for d in dead] == ['XML_ENTITY_FORBIDDEN']
    assert 'external entity' in dead[0]['detail'] and 'LOCAL-SECRET' not in repr(dead)


@pytest.mark.parametrize('name', WIDE_UNDECLARED)
def test_entity_guard_holds_for_wide_encodings_without_bom_or_declaration(name):
    codec = ENCODINGS[name][0]
    doc = feed_text(prolog='<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://dtd.example.net/x.dtd"> %remote;]>\n')
    items, dead = parse(doc.encode(codec))
    assert items == [] and [d['error'] for d in dead] == ['XML_ENTITY_FORBIDDEN']


def utf7_hiding_markup_declarations(text):
    """UTF-7 in which '<!' is written '+ADwAIQ-': '<!ENTITY' appears in no byte reading."""
    return text.encode('utf-7').replace(b'<!', b'+ADwAIQ-')


@pytest.mark.parametrize('charset, encoder', [
    ('utf-16le', lambda text: text.encode('utf-16-le')),
    ('utf-32be', lambda text: text.encode('utf-32-be')),
    ('windows-1252', lambda text: text.encode('cp1252')),
    ('cp500', lambda text: text.encode('cp500')),  # EBCDIC
    ('utf-7', utf7_hiding_markup_declarations),
])
def test_entity_guard_decodes_as_the_http_charset_says(charset, encoder):
    # No BOM, no declaration: only the Content-Type names the encoding, and feedparser
    # decodes with it; so does the guard.
    headers = {'Content-Type': f'application/rss+xml; charset={charset}'}
    items, dead = parse(encoder(feed_text(prolog=BILLION_LAUGHS_DTD, entity_refs='&lol9;')), headers=headers)
    assert items == [] and [d['error'] for d in dead] == ['XML_ENTITY_FORBIDDEN']
    plain, dead = parse(encoder(feed_text()), headers=headers)
    assert dead == [] and [i['title'] for i in plain] == TITLES


@pytest.mark.parametrize('name', ENCODINGS)
def test_feed_size_limit_counts_the_bytes_received_in_every_encoding(tmp_path, name):
    data = encode(feed_text(), name)
    items, dead = parse(data, max_feed_bytes=len(data) - 1)
    assert items == [] and [d['error'] for d in dead] == ['FEED_TOO_LARGE']
    items, dead = parse(data, max_feed_bytes=len(data))
    assert dead == [] and len(items) == 2
    path = tmp_path / 'feed.xml'
    path.write_bytes(data)
    out = list(feeds.read_feed_file(path, fetched_at=FETCHED, max_feed_bytes=len(data) - 1))
    assert [(k, r['error']) for k, r in out] == [('deadletter', 'FEED_TOO_LARGE')]


@pytest.mark.parametrize('name', ['utf-8', 'utf-16-le bom', 'utf-32-be', 'windows-1252'])
def test_gzip_limit_applies_after_gunzip_in_batch_reader_and_poller(tmp_path, name):
    data = encode(feed_text(), name)
    path = tmp_path / 'feed.xml.gz'
    path.write_bytes(gzip.compress(data))
    assert len(path.read_bytes()) < len(data)
    out = list(feeds.read_feed_file(path, fetched_at=FETCHED, max_feed_bytes=len(data) - 1))
    assert [(k, r['error']) for k, r in out] == [('deadletter', 'FEED_TOO_LARGE')]
    out = list(feeds.read_feed_file(path, fetched_at=FETCHED, max_feed_bytes=len(data)))
    assert [r['title'] for k, r in out if k == 'item'] == TITLES
    with pytest.raises(FetchError) as info:
        FeedFetcher(max_bytes=len(data) - 1).fetch(str(path))
    assert info.value.error == 'FEED_TOO_LARGE'
    assert FeedFetcher(max_bytes=len(data)).fetch(str(path)).data == data


@pytest.mark.parametrize('name', ['utf-8', 'utf-16-be', 'utf-32-le bom', 'latin-1'])
def test_entity_guard_holds_inside_gzip(tmp_path, name):
    path = tmp_path / 'laughs.xml.gz'
    path.write_bytes(gzip.compress(encode(feed_text(prolog=BILLION_LAUGHS_DTD, entity_refs='&lol9;'), name)))
    out = list(feeds.read_feed_file(path, fetched_at=FETCHED))
    assert [(k, r['error']) for k, r in out] == [('deadletter', 'XML_ENTITY_FORBIDDEN')]
    fetched = FeedFetcher().fetch(str(path)).data  # the poller gunzips, then parses the same way
    assert [d['error'] for d in parse(fetched)[1]] == ['XML_ENTITY_FORBIDDEN']


def test_gzip_bomb_stops_at_the_limit(tmp_path):
    path = tmp_path / 'bomb.xml.gz'
    with gzip.open(path, 'wb', compresslevel=9) as f:
        f.write(b'<rss version="2.0"><channel>')
        for _ in range(64):
            f.write(b' ' * (1024 * 1024))
    assert path.stat().st_size < 1024 * 1024  # 64 MiB of spaces in well under 1 MiB
    out = list(feeds.read_feed_file(path, fetched_at=FETCHED, max_feed_bytes=8 * 1024 * 1024))
    assert [(k, r['error']) for k, r in out] == [('deadletter', 'FEED_TOO_LARGE')]
    with pytest.raises(FetchError) as info:
        FeedFetcher(max_bytes=8 * 1024 * 1024).fetch(str(path))
    assert info.value.error == 'FEED_TOO_LARGE'


@pytest.mark.parametrize('name', ENCODINGS)
def test_item_size_limit_counts_utf8_bytes_whatever_the_feed_encoding(name):
    # 'é' is 1 byte in Latin-1, 2 in UTF-8 and UTF-16, 4 in UTF-32: the limit is on the
    # item's text (UTF-8), so the same item is kept or refused in every encoding.
    title = 'Crue'
    at_limit = 'é' * ((MAX_ITEM_BYTES - len(title)) // 2)
    over_limit = at_limit + 'e'
    assert len((title + at_limit).encode('utf-8')) == MAX_ITEM_BYTES
    items, dead = parse(encode(feed_text(titles=[title, title], summaries=[at_limit, over_limit]), name))
    assert dead == [] and [item_size_bytes(i) for i in items] == [MAX_ITEM_BYTES, MAX_ITEM_BYTES + 1]
    with pytest.raises(Rejected) as info:
        normalise_item(items[1], now=NOW)
    assert info.value.error == 'ITEM_TOO_LARGE'


@pytest.mark.parametrize('name', ['utf-16-le', 'latin-1'])
def test_item_at_the_size_limit_becomes_a_story(name):
    title = 'Crue'
    at_limit = 'é' * ((MAX_ITEM_BYTES - len(title)) // 2)
    (item,), _ = parse(encode(feed_text(titles=[title], summaries=[at_limit]), name))
    story = normalise_item(item, now=NOW)
    schemas.check('Story', story)
    assert story['title'] == title and set(story['text']) == {'é'}
