"""Hostile input, fuzzed: the feed reader and the normaliser never crash or hang, and every
input is accounted for. A document is one dead letter, or each of its entries becomes an item
or an EMPTY_ENTRY dead letter (a lossy document adds one dead letter saying so); each item
becomes a Story or a normalise dead letter.

Inputs: random bytes, real feed skeletons with random byte damage, and structured near-feeds
(RSS 2.0, RSS 1.0, Atom) with hostile fields (huge titles, control characters, nested and
unclosed markup, bad dates, entity declarations) in every encoding, declared right or wrong.
Reproducible: derandomised, no example database; bounded: fixed example counts, a deadline
per example and an alarm per test.
"""
import codecs
import datetime
import io
import re
import signal
from xml.sax.saxutils import escape, quoteattr

import feedparser
import pytest
from apache_beam.pvalue import TaggedOutput
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wirewatch import schemas
from wirewatch.transforms.ingest import feeds
from wirewatch.transforms.normalise import NormaliseItemFn

UTC = datetime.timezone.utc
FETCHED = datetime.datetime(2024, 3, 2, 12, 0, tzinfo=UTC)
NOW = datetime.datetime(2024, 3, 3, 12, 0, tzinfo=UTC)
FEED_URL = 'https://fuzz.example.org/feed'
TEST_SECONDS = 120  # an alarm per test: a hang fails instead of blocking the suite


def fuzz_settings(max_examples):
    return settings(max_examples=max_examples, deadline=datetime.timedelta(seconds=15), derandomize=True,
                    database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


@pytest.fixture(autouse=True)
def alarm():
    def stop(signum, frame):
        raise TimeoutError(f'still running after {TEST_SECONDS} s: a hang')
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(TEST_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- accounting ------------------------------------------------------------------------------

WHOLE_DOCUMENT = {'EMPTY_FEED', 'FEED_TOO_LARGE', 'XML_ENTITY_FORBIDDEN', 'NOT_A_FEED', 'MALFORMED_FEED'}
LOSSY_DOCUMENT = {'TRUNCATED_FEED', 'MALFORMED_FEED_PARTIAL'}
NORMALISE_REFUSALS = {'ITEM_TOO_LARGE', 'NO_TEXT', 'UNDATED_IN_BACKFILL'}


class Outcome:
    """What the reader made of one document, checked against the record schemas."""

    def __init__(self, data, headers=None, max_feed_bytes=feeds.DEFAULT_MAX_FEED_BYTES):
        out = list(feeds.parse_feed_bytes(data, FEED_URL, FETCHED, headers=headers, max_feed_bytes=max_feed_bytes))
        assert {kind for kind, _ in out} <= {'item', 'deadletter'}
        for kind, record in out:  # encodable, not only valid: Avro is what leaves the reader
            schemas.encode('FeedItem' if kind == 'item' else 'DeadLetter', record)
        self.items = [r for k, r in out if k == 'item']
        dead = [r for k, r in out if k == 'deadletter']
        self.errors = [d['error'] for d in dead]
        self.whole = [e for e in self.errors if e in WHOLE_DOCUMENT]
        self.lossy = [e for e in self.errors if e in LOSSY_DOCUMENT]
        self.empty_entries = self.errors.count('EMPTY_ENTRY')
        assert len(self.whole) + len(self.lossy) + self.empty_entries == len(self.errors), self.errors
        if self.whole:  # a refused document is one dead letter and nothing else
            assert self.errors == self.whole and self.items == []
        assert len(self.lossy) <= 1
        self.silent = not out

    @property
    def entries(self):
        return len(self.items) + self.empty_entries


def assert_never_silent(data, outcome):
    """Nothing out only for a recognised feed with no entries (nothing came in)."""
    if outcome.silent:
        parsed = feedparser.parse(io.BytesIO(data))
        assert parsed.get('version') and not parsed.entries


def assert_items_become_stories_or_dead_letters(items):
    """One output per item from the normaliser's DoFn: a Story, or a dead letter for a refusal
    (a crash of the pure function would be a NORMALISE_CRASH dead letter)."""
    fn = NormaliseItemFn(now=NOW)
    for item in items:
        (output,) = fn.process(item)
        if isinstance(output, TaggedOutput):
            assert output.value['error'] in NORMALISE_REFUSALS, output.value['detail']
            schemas.encode('DeadLetter', output.value)
        else:
            schemas.encode('Story', output)
            assert output['title'] and output['text']


# --- hostile text ----------------------------------------------------------------------------

MARKUP = ['<div>', '</div>', '<p>', '<p', '<a ', '<a href="', '<b>', '</b>', '<br/>', '<img src=x>', '<!--', '-->',
          '<![CDATA[', ']]>', '<![foo[', '<![if x]>', '<?x', '</', '<', '>', '&', '&amp;', '&nbsp;', '&#55296;',
          '&#x110000;', '&#0;', '<script>', '</script>', '<item>', '</item>', '<entry>', '<!ENTITY e "x">',
          'LONDON, March 2 (Reuters) - ', 'By Ana Lima and ', '(Reporting by X; Editing by Y)', ' - Reuters']
CONTROLS = [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + ['\x7f', '\x85', '\u200b', '\ufeff',
                                                                           '\ufffe', '\uffff', '\u2028']
BAD_DATES = ['', 'not a date', '31/02/2024', 'Mon, 99 Foo 20244 99:99:99 +9999', '0000-00-00T00:00:00Z',
             '9999-12-31T23:59:59Z', '2024-02-30T25:61:61+25:00', 'Sat, 02 Mar 2024 09:15:00 +0100', '-1', '1e309',
             'Tue, 31 Dec 1899 23:59:59 GMT', '2038-01-19T03:14:08Z', '1900-01-01T00:00:00-23:59',
             '2099-01-01T00:00:00Z', '1', 'Thu, 01 Jan 1970 00:00:00 GMT']
XML_ILLEGAL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]')

piece = st.one_of(st.text(max_size=40), st.sampled_from(MARKUP), st.sampled_from(CONTROLS))
hostile_text = st.one_of(
    st.text(max_size=120),
    st.lists(piece, max_size=25).map(''.join),
    # huge: a short hostile unit repeated, up to 200,000 characters
    st.tuples(st.lists(piece, min_size=1, max_size=3).map(''.join), st.integers(1, 20000))
      .map(lambda t: (t[0] * t[1])[:200_000]),
)
date_text = st.one_of(st.sampled_from(BAD_DATES), st.text(max_size=30))


def maybe(strategy):
    return st.one_of(st.none(), strategy)


# --- structured near-feeds ---------------------------------------------------------------------

# name -> (Python codec, byte order mark, XML declaration label)
ENCODINGS = {
    'utf-8': ('utf-8', b'', 'UTF-8'), 'utf-8 undeclared': ('utf-8', b'', None),
    'utf-8 bom': ('utf-8', codecs.BOM_UTF8, 'UTF-8'),
    'utf-16-le bom': ('utf-16-le', codecs.BOM_UTF16_LE, 'UTF-16'), 'utf-16-be': ('utf-16-be', b'', 'UTF-16BE'),
    'utf-32-le bom': ('utf-32-le', codecs.BOM_UTF32_LE, 'UTF-32'), 'utf-32-be': ('utf-32-be', b'', 'UTF-32BE'),
    'latin-1': ('latin-1', b'', 'ISO-8859-1'), 'windows-1252': ('cp1252', b'', 'windows-1252'),
}
WRONG_LABELS = ['UTF-8', 'UTF-16', 'UTF-32', 'ISO-8859-1', 'windows-1252', 'ascii', 'no-such-charset']
HAZARDS = {
    'internal': '<!DOCTYPE x [<!ENTITY e "EXPANDED4711">]>',
    'external': '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
    'parameter': '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://dtd.example.net/p.dtd"> %p;]>',
    'laughs': '<!DOCTYPE x [<!ENTITY l0 "EXPANDED4711">'
              + ''.join(f'<!ENTITY l{n} "{("&l%d;" % (n - 1)) * 10}">' for n in range(1, 8)) + ']>',
}
HAZARD_REFERENCE = {'internal': '&e;', 'external': '&e;', 'parameter': '', 'laughs': '&l7;'}

entry_fields = st.fixed_dictionaries({
    'title': maybe(hostile_text), 'link': maybe(st.one_of(st.sampled_from(
        ['https://fuzz.example.org/a/1', 'javascript:alert(1)', 'https://[::1', '//x', '']), st.text(max_size=30))),
    'guid': maybe(st.text(max_size=30)), 'summary': maybe(hostile_text), 'content': maybe(hostile_text),
    'date': maybe(date_text), 'author': maybe(st.text(max_size=40)),
})


@st.composite
def near_feeds(draw):
    fmt = draw(st.sampled_from(['rss2', 'rss1', 'atom']))
    mode = draw(st.sampled_from(['escaped', 'cdata', 'raw']))
    entries = draw(st.lists(entry_fields, max_size=4))
    hazard = draw(st.sampled_from([None, None, None, *HAZARDS]))
    encoding = draw(st.sampled_from(list(ENCODINGS)))
    codec, bom, label = ENCODINGS[encoding]
    wrong_label = draw(st.one_of(st.none(), st.sampled_from(WRONG_LABELS)))
    max_feed_bytes = draw(st.one_of(st.just(feeds.DEFAULT_MAX_FEED_BYTES), st.integers(0, 4096)))
    return dict(fmt=fmt, mode=mode, entries=entries, hazard=hazard, codec=codec, bom=bom,
                label=wrong_label or label, consistent=wrong_label in (None, label), max_feed_bytes=max_feed_bytes)


def field(value, mode):
    if mode == 'escaped':
        return escape(value)
    if mode == 'cdata':
        return '<![CDATA[' + value.replace(']]>', ']] >') + ']]>'
    return value


def attribute(value, mode):
    return quoteattr(value) if mode != 'raw' else f'"{value}"'


def entry_xml(fmt, fields, mode, reference):
    parts = []

    def text(tag, key):
        value = fields[key] + (reference if key == 'title' else '')
        parts.append(f'<{tag}>{field(value, mode)}</{tag.split()[0]}>')
    if fmt == 'atom':
        if fields['title'] is not None:
            text('title', 'title')
        if fields['link'] is not None:
            parts.append(f'<link href={attribute(fields["link"], mode)}/>')
        if fields['guid'] is not None:
            text('id', 'guid')
        if fields['summary'] is not None:
            text('summary type="html"', 'summary')
        if fields['content'] is not None:
            text('content type="html"', 'content')
        if fields['date'] is not None:
            text('updated', 'date')
        if fields['author'] is not None:
            parts.append(f'<author><name>{field(fields["author"], mode)}</name></author>')
        return '<entry>' + ''.join(parts) + '</entry>'
    for tag, key in (('title', 'title'), ('link', 'link'), ('guid', 'guid'), ('description', 'summary'),
                     ('content:encoded', 'content'), ('dc:date' if fmt == 'rss1' else 'pubDate', 'date'),
                     ('dc:creator' if fmt == 'rss1' else 'author', 'author')):
        if fields[key] is not None:
            text(tag, key)
    about = f' rdf:about={attribute(fields["link"] or "", mode)}' if fmt == 'rss1' else ''
    return f'<item{about}>' + ''.join(parts) + '</item>'


def document(spec):
    reference = HAZARD_REFERENCE[spec['hazard']] if spec['hazard'] else ''
    entries = ''.join(entry_xml(spec['fmt'], e, spec['mode'], reference) for e in spec['entries'])
    namespaces = ('xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/"')
    if spec['fmt'] == 'rss2':
        body = (f'<rss version="2.0" {namespaces}><channel><title>Fuzz Wire</title>'
                f'<link>https://fuzz.example.org/</link>{entries}</channel></rss>')
    elif spec['fmt'] == 'rss1':
        body = (f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
                f'{namespaces}><channel rdf:about="https://fuzz.example.org/"><title>Fuzz Wire</title>'
                f'<link>https://fuzz.example.org/</link></channel>{entries}</rdf:RDF>')
    else:
        body = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>Fuzz Wire</title><id>urn:fuzz</id>'
                f'<updated>2024-03-02T00:00:00Z</updated>{entries}</feed>')
    declaration = f'<?xml version="1.0" encoding="{spec["label"]}"?>\n' if spec['label'] else ''
    prolog = HAZARDS[spec['hazard']] + '\n' if spec['hazard'] else ''
    return spec['bom'] + (declaration + prolog + body).encode(spec['codec'], 'xmlcharrefreplace')


def is_well_formed(spec):
    """Escaped or CDATA fields with only XML characters, encoding declared right."""
    values = [v for e in spec['entries'] for v in e.values() if v is not None]
    return spec['mode'] != 'raw' and spec['consistent'] and not any(XML_ILLEGAL.search(v) for v in values)


@fuzz_settings(max_examples=120)
@given(near_feeds())
@example(dict(fmt='rss2', mode='escaped', hazard=None, codec='utf-16-le', bom=codecs.BOM_UTF16_LE, label='UTF-16',
              consistent=True, max_feed_bytes=feeds.DEFAULT_MAX_FEED_BYTES,
              entries=[dict(title='<a ' * 30000, link=None, guid='g', summary='<div>' * 20000,
                            content='<!--' * 20000, date='1e309', author=None)]))
def test_near_feeds_are_items_or_dead_letters(spec):
    data = document(spec)
    outcome = Outcome(data, max_feed_bytes=spec['max_feed_bytes'])
    assert_never_silent(data, outcome)
    if len(data) > spec['max_feed_bytes']:
        assert outcome.errors == ['FEED_TOO_LARGE']
        return
    if spec['hazard'] and spec['consistent']:
        assert outcome.errors == ['XML_ENTITY_FORBIDDEN']
    # whatever the encoding: an entity declaration is never acted upon
    assert 'EXPANDED4711' not in repr(outcome.items)
    if spec['hazard'] is None and is_well_formed(spec):
        assert outcome.errors.count('EMPTY_ENTRY') == len(outcome.errors)
        assert outcome.entries == len(spec['entries'])
    elif spec['mode'] != 'raw' and not outcome.whole:
        # broken only by characters or encoding: entries are kept or the loss is recorded
        assert outcome.entries == len(spec['entries']) or outcome.lossy
    assert_items_become_stories_or_dead_letters(outcome.items)


# --- random and damaged bytes ------------------------------------------------------------------

def skeleton(fmt):
    spec = dict(fmt=fmt, mode='escaped', hazard=None, codec='utf-8', bom=b'', label='UTF-8',
                entries=[dict(title=f'Title {n} - Reuters', link=f'https://fuzz.example.org/{n}', guid=f'g{n}',
                              summary=f'<p>LONDON, March 2 (Reuters) - Body {n}.</p>', content=None,
                              date='Sat, 02 Mar 2024 09:15:00 +0100', author='Ana Lima') for n in range(3)])
    return document(spec)


SKELETONS = [skeleton(fmt) for fmt in ('rss2', 'rss1', 'atom')]


@st.composite
def damaged_feeds(draw):
    data = bytearray(draw(st.sampled_from(SKELETONS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(['insert', 'delete', 'replace', 'truncate']))
        if operation == 'insert':
            data[at:at] = draw(st.one_of(st.binary(min_size=1, max_size=16),
                                         st.sampled_from([m.encode() for m in MARKUP])))
        elif operation == 'delete':
            del data[at:at + draw(st.integers(1, 64))]
        elif operation == 'replace' and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif operation == 'truncate':
            del data[at:]
    return bytes(data)


@fuzz_settings(max_examples=150)
@given(damaged_feeds())
def test_damaged_feeds_are_items_or_dead_letters(data):
    outcome = Outcome(data)
    assert_never_silent(data, outcome)
    assert_items_become_stories_or_dead_letters(outcome.items)


@fuzz_settings(max_examples=200)
@given(st.binary(max_size=2048), st.sampled_from([None, {'Content-Type': 'text/html'},
                                                  {'Content-Type': 'application/rss+xml; charset=utf-16'},
                                                  {'Content-Type': 'text/xml; charset=utf-7'}]))
@example(b'/etc/hostname', None)
@example(b'/dev/zero', None)
@example(b'\x00\x00\xfe\xff', None)
def test_random_bytes_are_items_or_dead_letters(data, headers):
    outcome = Outcome(data, headers=headers)
    assert_never_silent(data, outcome)
    assert_items_become_stories_or_dead_letters(outcome.items)


# --- the normaliser on hostile items -----------------------------------------------------------

moments = st.one_of(st.none(), st.datetimes(
    min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, datetime.timezone(datetime.timedelta(hours=-23))])))
feed_items = st.fixed_dictionaries({
    'item_id': st.text(min_size=1, max_size=40), 'guid': maybe(st.text(max_size=60)),
    'url': maybe(st.text(max_size=80)),
    'title': maybe(hostile_text), 'summary': maybe(hostile_text), 'content': maybe(hostile_text),
    'published_raw': maybe(date_text), 'published_at': moments, 'authors': st.lists(st.text(max_size=40), max_size=4),
    'feed_url': maybe(st.text(max_size=60)), 'source_name': maybe(st.text(max_size=40)),
    'feed_language': maybe(st.sampled_from(['en', 'fr', 'zh-CN', 'xx', '', 'en-gb;q=0.5'])),
    'fetched_at': st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2024, 3, 3),
                               timezones=st.just(UTC)),
}, optional={'feed_title': maybe(st.text(max_size=40)), 'item_source': maybe(st.text(max_size=40)),
             'item_source_url': maybe(st.text(max_size=60)), 'feed_updated_at': moments, 'captured_at': moments,
             'backfill': st.booleans()})


def plain_item(**fields):
    item = {'item_id': 'i', 'guid': None, 'url': 'https://fuzz.example.org/1', 'title': 'Headline', 'summary': None,
            'content': None, 'published_raw': None, 'published_at': None, 'authors': [], 'feed_url': FEED_URL,
            'source_name': 'Fuzz', 'feed_language': 'en', 'fetched_at': FETCHED}
    item.update(fields)
    return item


CREDIT_OF_MANY = '(Reporting by ' + ', '.join(f'Ann{n:05d} Lee' for n in range(50000)) + ')'


# Inputs that took minutes to hours before (quadratic parsing, splitting or de-duplication).
@fuzz_settings(max_examples=200)
@given(feed_items)
@example(plain_item(title='<div>' * 20000, summary='<a ' * 30000, content='<![CDATA[>' * 10000 + '<!--' * 20000))
@example(plain_item(title='Headline' + ' - Reuters' * 20000))
@example(plain_item(summary=' ' * 100000 + 'Body', content='\u00a0' * 100000 + 'Body'))
@example(plain_item(summary='Body text. ' + CREDIT_OF_MANY))
def test_hostile_items_become_stories_or_dead_letters(item):
    assert_items_become_stories_or_dead_letters([item])
