"""Feed reading: FeedItem fields, broken and hostile feeds, inputs expansion."""
import datetime
import hashlib
import os
import tracemalloc

import pytest

from wirewatch import schemas
from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.ingest import feeds

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'feeds')
FETCHED = datetime.datetime(2024, 3, 2, 12, 0, tzinfo=datetime.timezone.utc)


def fixture(name):
    return os.path.join(FIXTURES, name)


def read(name, **kwargs):
    out = list(feeds.read_feed_file(fixture(name), fetched_at=FETCHED, **kwargs))
    for kind, record in out:
        schemas.check('FeedItem' if kind == 'item' else 'DeadLetter', record)
    items = [r for k, r in out if k == 'item']
    dead = [r for k, r in out if k == 'deadletter']
    return items, dead


def test_rss_items_have_feeditem_fields():
    items, dead = read('wire_rss20.xml')
    assert dead == []
    assert [i['title'] for i in items] == [
        'Flooding forces thousands from homes in river valley - Example Wire',
        'Talks resume on border crossing', 'Markets steady after rate decision']
    first = items[0]
    assert first['guid'] == 'ew-0001'
    assert first['feed_url'] == 'https://wire.example.com/feeds/world.xml'  # the feed's self link
    assert first['item_id'] == hashlib.sha1(b'https://wire.example.com/feeds/world.xml\new-0001').hexdigest()
    assert first['published_at'] == datetime.datetime(2024, 3, 2, 8, 15, tzinfo=datetime.timezone.utc)
    assert first['published_raw'] == 'Sat, 02 Mar 2024 09:15:00 +0100'
    assert first['authors'] == ['Ana Lima']
    assert first['source_name'] == 'Example Wire World'
    assert first['feed_language'] == 'en-gb'
    assert first['fetched_at'] == FETCHED
    assert '<p>LISBON, March 2 (Reuters)' in first['summary']  # HTML kept as given


def test_item_id_falls_back_to_link_then_title_and_summary():
    items, _ = read('wire_rss20.xml')
    feed_url = 'https://wire.example.com/feeds/world.xml'
    no_guid, no_link = items[1], items[2]
    assert no_guid['guid'] is None
    assert no_guid['item_id'] == feeds.make_item_id(feed_url, link='https://wire.example.com/world/border-talks')
    assert no_link['item_id'] == hashlib.sha1(
        (feed_url + '\nMarkets steady after rate decisionShares were little changed.').encode()).hexdigest()


def test_unparseable_date_keeps_raw_and_leaves_published_at_empty():
    items, _ = read('wire_rss20.xml')
    assert items[1]['published_raw'] == 'not a date at all'
    assert items[1]['published_at'] is None


def test_atom_authors_language_and_utc_date():
    items, dead = read('outlet_atom.xml')
    assert dead == []
    (item,) = items
    assert item['authors'] == ['Claire Martin', 'Paul Durand']
    assert item['published_at'] == datetime.datetime(2024, 3, 2, 13, 30, tzinfo=datetime.timezone.utc)
    assert item['content'] == '<p>Le Premier ministre a présenté sa nouvelle équipe.</p>'
    assert item['feed_url'] == 'https://journal.example.fr/'
    assert item['feed_language'] == 'fr'


def test_gzip_file_reads_like_plain_file():
    plain, _ = read('wire_rss20.xml')
    zipped, dead = read('wire_rss20.xml.gz')
    assert dead == [] and zipped == plain


def test_explicit_feed_url_overrides_declared_one():
    items, _ = read('wire_rss20.xml', feed_url='https://mirror.example.net/world.rss')
    assert {i['feed_url'] for i in items} == {'https://mirror.example.net/world.rss'}


@pytest.mark.parametrize('name, error', [
    ('empty_0B.xml', 'EMPTY_FEED'),
    ('cdn_403_error_page.xml', 'NOT_A_FEED'),
    ('no_entries_bad_xml.xml', 'MALFORMED_FEED'),
    ('billion_laughs.xml', 'XML_ENTITY_FORBIDDEN'),
])
def test_unparseable_feed_is_one_dead_letter_naming_the_file(name, error):
    items, dead = read(name)
    assert items == []
    assert [d['error'] for d in dead] == [error]
    assert dead[0]['stage'] == 'read'
    assert dead[0]['source'] == fixture(name)
    assert fixture(name) in dead[0]['detail']


def test_error_page_detail_quotes_its_title():
    _, dead = read('cdn_403_error_page.xml')
    assert 'Access denied by the edge cache' in dead[0]['detail']


def test_truncated_feed_keeps_complete_entries_and_reports_the_loss():
    items, dead = read('truncated_mid_item.xml')
    assert [i['title'] for i in items] == [
        'Flooding forces thousands from homes in river valley - Example Wire', 'Talks resume on border crossing']
    assert [d['error'] for d in dead] == ['TRUNCATED_FEED']
    assert 'dropped 1 incomplete' in dead[0]['detail']


def test_feed_too_large_is_dead_lettered_before_parsing():
    items, dead = read('wire_rss20.xml', max_feed_bytes=100)
    assert items == [] and [d['error'] for d in dead] == ['FEED_TOO_LARGE']
    items, dead = read('wire_rss20.xml.gz', max_feed_bytes=800)  # the gzip is smaller, its content is not
    assert items == [] and [d['error'] for d in dead] == ['FEED_TOO_LARGE']


def test_corrupt_gzip_and_missing_file_are_unreadable(tmp_path):
    bad = tmp_path / 'bad.xml.gz'
    bad.write_bytes(b'\x1f\x8b\x08\x00garbage-not-deflate')
    for path in (bad, tmp_path / 'missing.xml'):
        out = list(feeds.read_feed_file(path, fetched_at=FETCHED))
        assert [(k, r['error']) for k, r in out] == [('deadletter', 'UNREADABLE_FEED')]


def test_billion_laughs_does_not_expand(tmp_path):
    data = open(fixture('billion_laughs.xml'), 'rb').read()
    tracemalloc.start()
    out = list(feeds.parse_feed_bytes(data, 'https://laughs.example.com/feed', FETCHED))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [(k, r['error']) for k, r in out] == [('deadletter', 'XML_ENTITY_FORBIDDEN')]
    assert peak < 20 * 1024 * 1024
    assert 'lollollol' not in repr(out)


@pytest.mark.parametrize('codec', ['utf-8', 'utf-16', 'utf-32'])
def test_external_entity_never_reads_local_file(tmp_path, codec):
    secret = tmp_path / 'secret.txt'
    secret.write_text('TOP-SECRET-LOCAL-CONTENT-93817')
    doc = (f'<?xml version="1.0" encoding="{codec}"?>\n'
           f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
           '<rss version="2.0"><channel><title>t</title>'
           '<item><title>a &xxe; b</title><description>&xxe;</description></item></channel></rss>')
    out = list(feeds.parse_feed_bytes(doc.encode(codec), 'https://evil.example.com/feed', FETCHED))
    assert [(k, r['error']) for k, r in out] == [('deadletter', 'XML_ENTITY_FORBIDDEN')]
    assert 'external entity' in out[0][1]['detail']
    assert 'TOP-SECRET-LOCAL-CONTENT' not in repr(out)


def test_script_in_description_is_kept_as_given_for_the_normaliser():
    items, dead = read('script_and_pixel_item.xml')
    assert dead == [] and '<script>' in items[0]['summary']


def test_html_content_type_header_marks_error_page():
    out = list(feeds.parse_feed_bytes(b'<p>Service unavailable</p>', 'https://x.example.com/rss', FETCHED,
                                      headers={'Content-Type': 'text/html; charset=utf-8'}))
    assert [r['error'] for _, r in out] == ['NOT_A_FEED']


def test_wellformed_feed_without_entries_yields_nothing():
    doc = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert list(feeds.parse_feed_bytes(doc, 'https://quiet.example.com/rss', FETCHED)) == []


def test_plain_text_is_not_a_feed():
    out = list(feeds.parse_feed_bytes(b'hello, this is not xml', 'https://x.example.com/rss', FETCHED))
    assert [r['error'] for _, r in out] == ['NOT_A_FEED']


@pytest.mark.parametrize('url', ['http://a.example.com/rss', 'HTTPS://a.example.com/rss', 'file:///tmp/f.xml'])
def test_allowed_schemes(url):
    assert feeds.check_feed_url_scheme(url) == url


@pytest.mark.parametrize('url', ['ftp://a.example.com/rss', 'gopher://x', 'javascript:alert(1)', '/tmp/f.xml', ''])
def test_other_schemes_are_refused(url):
    with pytest.raises(Rejected) as info:
        feeds.check_feed_url_scheme(url)
    assert info.value.error == 'UNSUPPORTED_SCHEME'


def test_expand_inputs_files_dirs_and_globs(tmp_path):
    (tmp_path / 'a').mkdir()
    (tmp_path / 'a' / 'deep').mkdir()
    for name in ('a/one.xml', 'a/deep/two.xml.gz', 'three.rss', 'a/.hidden'):
        (tmp_path / name).write_bytes(b'x')
    got = feeds.expand_inputs([str(tmp_path / 'a'), str(tmp_path / '*.rss'), str(tmp_path / 'a' / 'one.xml'),
                               str(tmp_path / 'nothing-*.xml')])
    assert got == sorted([str(tmp_path / 'a' / 'one.xml'), str(tmp_path / 'a' / 'deep' / 'two.xml.gz'),
                          str(tmp_path / 'three.rss')])
    assert feeds.expand_input(str(tmp_path / 'missing.xml')) == []


# --- the XML entity guard (defusedxml) and hostile bytes ------------------------------------

RSS_ITEM = ('<item><title>{title}</title><link>https://wire.example.com/1</link>'
            '<description>{summary}</description></item>')


def rss(title='Talks resume', summary='Delegates met.', prolog='<?xml version="1.0" encoding="utf-8"?>\n',
        before_channel=''):
    return (f'{prolog}<rss version="2.0">{before_channel}<channel><title>Example Wire</title>'
            + RSS_ITEM.format(title=title, summary=summary) + '</channel></rss>').encode('utf-8')


@pytest.mark.parametrize('doc, reason', [
    (rss(prolog='<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">]>'), "internal entity (expansion risk) 'a'"),
    (rss(prolog='<!DOCTYPE rss [<!ENTITY a SYSTEM "https://evil.example.net/x">]>'), 'external entity'),
    (rss(prolog='<!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///etc/hosts"> %p;]>'), 'external entity'),
    (rss(prolog='<!DOCTYPE rss [<!ENTITY img SYSTEM "pic.gif" NDATA gif>]>'), 'external entity'),
    # a comment holding '<a>' ends the prolog for a text scan, not for the XML parser
    (rss(prolog='<!-- <a> --><!DOCTYPE rss [<!ENTITY a "x">]>'), "internal entity (expansion risk) 'a'"),
    # leading junk: the XML parser stops at once; feedparser's lenient parser would read the DOCTYPE
    (rss(prolog='\n\n<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">]>'), 'before its first element'),
    # feedparser lifts declarations out of comments in the prolog into a DOCTYPE of its own
    (rss(prolog='<!DOCTYPE rss [<!-- \n<!ENTITY a "x"> -->]>'), 'before its first element'),
])
def test_entity_declarations_are_found_by_parser_and_prolog_scan(doc, reason):
    assert reason in feeds.find_xml_hazard(doc)
    out = list(feeds.parse_feed_bytes(doc, 'https://wire.example.com/rss', FETCHED))
    assert [(k, r['error']) for k, r in out] == [('deadletter', 'XML_ENTITY_FORBIDDEN')]


def test_entity_markup_quoted_in_article_text_is_not_a_declaration():
    # An article about XML: the regex scan refused the whole feed for it.
    for summary in ('<![CDATA[Attackers send <!ENTITY lol "lol"> declarations.]]>',
                    'Attackers send &lt;!ENTITY lol "lol"&gt; declarations.'):
        items, dead = [], []
        for kind, record in feeds.parse_feed_bytes(rss(summary=summary), 'https://wire.example.com/rss', FETCHED):
            (items if kind == 'item' else dead).append(record)
        assert dead == [] and items[0]['summary'] == 'Attackers send <!ENTITY lol "lol"> declarations.'


def test_netscape_rss091_doctype_is_allowed_and_its_dtd_never_fetched():
    doc = rss(prolog='<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                     '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n')
    assert feeds.find_xml_hazard(doc) is None
    out = list(feeds.parse_feed_bytes(doc, 'https://wire.example.com/rss', FETCHED))
    assert [(k, r['title']) for k, r in out] == [('item', 'Talks resume')]


@pytest.mark.parametrize('doc, problem', [
    (b'\n\n' + rss(), 'MALFORMED_FEED_PARTIAL'),                               # junk before the declaration
    (rss(title='Talks&nbsp;resume &amp; recess'), 'MALFORMED_FEED_PARTIAL'),   # an HTML entity XML lacks
    (rss(summary='Delegates met & talked.'), 'MALFORMED_FEED_PARTIAL'),        # a bare ampersand
    (rss(before_channel='<unclosed>'), 'MALFORMED_FEED_PARTIAL'),              # a tag never closed
])
def test_malformed_but_recoverable_feed_keeps_its_items(doc, problem):
    assert feeds.find_xml_hazard(doc) is None
    out = list(feeds.parse_feed_bytes(doc, 'https://wire.example.com/rss', FETCHED))
    assert [k for k, _ in out] == ['deadletter', 'item']
    assert out[0][1]['error'] == problem and out[1][1]['url'] == 'https://wire.example.com/1'


def test_bytes_naming_a_local_file_are_not_opened(tmp_path):
    local = tmp_path / 'local.xml'
    local.write_bytes(rss(title='LOCAL-FILE-ITEM'))
    out = list(feeds.parse_feed_bytes(os.fsencode(local), 'https://evil.example.com/rss', FETCHED))
    assert [(k, r['error']) for k, r in out] == [('deadletter', 'NOT_A_FEED')]
    assert 'LOCAL-FILE-ITEM' not in repr(out)


@pytest.mark.parametrize('ref', ['&#55296;', '&#xDFFF;', '&#x110000;', '&#' + '9' * 5000 + ';'])
def test_character_reference_to_no_character_does_not_crash_the_reader(ref):
    # Well-formed XML refuses these; feedparser's lenient parser (broken XML) raised on them.
    doc = rss(title=f'Talks {ref} resume', before_channel='<unclosed>')
    out = list(feeds.parse_feed_bytes(doc, 'https://wire.example.com/rss', FETCHED))
    assert [(k, r.get('error')) for k, r in out] == [('deadletter', 'MALFORMED_FEED_PARTIAL'), ('item', None)]
    item = out[1][1]
    assert item['title'] == 'Talks \ufffd resume'
    assert schemas.decode('FeedItem', schemas.encode('FeedItem', item))['title'] == item['title']


@pytest.mark.parametrize('label', [b'\x80UTF-8', b'\x00tf-8'])
def test_mangled_encoding_label_is_read_as_if_undeclared(label):
    # feedparser raised on these labels; the entity guard reads the same way as the parser.
    doc = b'<?xml version="1.0" encoding="' + label + b'"?>' + rss(prolog='')
    out = list(feeds.parse_feed_bytes(doc, 'https://wire.example.com/rss', FETCHED))
    assert [(k, r['title']) for k, r in out] == [('item', 'Talks resume')]
    hostile = b'<?xml version="1.0" encoding="' + label + b'"?>' + rss(prolog='<!DOCTYPE rss [<!ENTITY a "x">]>')
    out = list(feeds.parse_feed_bytes(hostile, 'https://wire.example.com/rss', FETCHED))
    assert [(k, r['error']) for k, r in out] == [('deadletter', 'XML_ENTITY_FORBIDDEN')]
