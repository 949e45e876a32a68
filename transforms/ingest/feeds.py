"""Reading RSS/Atom feeds (bytes, files, gzip) into FeedItem dicts, safely.

Pure Python, no Beam: ``parse_feed_bytes`` is shared by the batch reader
(``ReadFeedFiles``) and the poller. It yields ``('item', FeedItem)`` and
``('deadletter', DeadLetter)`` pairs; it never raises on bad input.

Feed-level reason codes (DeadLetter.error, stage 'read'):

- ``EMPTY_FEED``            0 bytes or only whitespace (feedparser reports no error for it).
- ``FEED_TOO_LARGE``        more than ``max_feed_bytes`` (after gunzip).
- ``XML_ENTITY_FORBIDDEN``  the document declares XML entities (billion laughs, or
                            SYSTEM/PUBLIC entities that could read local files or URLs);
                            refused before feedparser sees it (:func:`find_xml_hazard`).
- ``NOT_A_FEED``            no entries and the document is HTML (an error page) or not a
                            recognised feed format.
- ``MALFORMED_FEED``        broken XML that yields no entries, or bytes that make feedparser fail.
- ``TRUNCATED_FEED``        the document ends early but some entries were recovered; the
                            entries are kept, an incomplete last entry is dropped and this
                            dead letter makes the loss visible.
- ``MALFORMED_FEED_PARTIAL`` broken XML (other than truncation) with entries recovered.
- ``UNREADABLE_FEED``       the file cannot be opened or is a corrupt gzip.
- ``INPUT_NOT_FOUND``       a path or glob given on the command line matched no file.
- ``EMPTY_ENTRY``           an entry with no guid, link, title, summary or content.

A well-formed feed with zero entries is not an error and yields nothing.

Outlets: ``source_name`` is the item's own ``<source>`` when the feed names one (aggregators:
RSS ``<source url=...>Outlet</source>``, Atom ``<source><title>``), else the feed title, else
the feed host; ``feed_title``, ``item_source`` and ``item_source_url`` keep the parts apart for
normalise, which makes the story's outlet (:mod:`wirewatch.transforms.normalise.outlets`).

Times: ``fetched_at`` is when the document was fetched (the poller) or the file's mtime;
``feed_updated_at`` is the feed's own date when plausible (:func:`feed_date`); ``captured_at``
is a capture time the operator or the file name gives (:func:`capture_time_from_filename`);
``backfill`` marks items read from stored files, whose fetch time is not evidence of anything.
"""
import calendar
import datetime
import glob
import gzip
import hashlib
import io
import os
import re
import urllib.parse
import zlib

import feedparser
from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from feedparser.encodings import convert_to_utf8

from wirewatch.transforms.deadletter import Rejected, make_dead_letter

STAGE = 'read'
DEFAULT_MAX_FEED_BYTES = 32 * 1024 * 1024
ALLOWED_FEED_SCHEMES = ('http', 'https', 'file')
FEED_FILE_SUFFIXES = ('.xml', '.rss', '.atom', '.rdf', '.gz', '.feed')

# Expat messages meaning "the document stops before it is complete".
_TRUNCATION_MESSAGES = ('no element found', 'unclosed token', 'unclosed cdata section')
_ENTITY_DECLARATION = re.compile(r'<!\s*ENTITY\b(?P<body>[^>]{0,2000})', re.IGNORECASE)
# Where the prolog ends for feedparser's own DOCTYPE handling: the first '<' and word character.
_FIRST_ELEMENT = re.compile(r'<[A-Za-z0-9_]')
_FIRST_ELEMENT_BYTES = re.compile(rb'<[A-Za-z0-9_]')
# Which of the first four bytes are NUL -> the wide encoding (XML 1.0, appendix F).
_WIDE_NUL_PATTERNS = {(False, True, True, True): 'utf-32-le', (True, True, True, False): 'utf-32-be',
                      (False, True, False, True): 'utf-16-le', (True, False, True, False): 'utf-16-be'}
_PROBE_CHUNK_BYTES = 64 * 1024
# A numeric character reference as feedparser's lenient parser reads it.
_CHARREF = re.compile(rb'&#([0-9]+|[xX][0-9a-fA-F]+);')
_XML_DECLARATION = re.compile(rb'^\s*<\?xml[^>]*>')
_HTML_START = re.compile(r'^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html\b)',
                         re.IGNORECASE | re.DOTALL)
_GZIP_MAGIC = b'\x1f\x8b'
# A capture time in a file name: basic ISO 8601 in UTC, as in 20200524T094919Z_2e54f80c.xml.
_FILENAME_TIME = re.compile(r'(?<![0-9])(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?![0-9A-Za-z])')
# A feed's date is stale when older than its newest dated entry by more than this, or older
# than the capture (or a live fetch) by more than FEED_DATE_MAX_AGE: a header never updated.
FEED_DATE_TOLERANCE = datetime.timedelta(days=1)
FEED_DATE_MAX_AGE = datetime.timedelta(days=7)


def check_feed_url_scheme(url):
    """Return ``url`` if its scheme is http, https or file; raise Rejected('UNSUPPORTED_SCHEME') otherwise."""
    scheme = urllib.parse.urlsplit(url or '').scheme.lower()
    if scheme not in ALLOWED_FEED_SCHEMES:
        raise Rejected('UNSUPPORTED_SCHEME',
                       f'feed URL scheme {scheme or "(none)"!r} refused; allowed: {", ".join(ALLOWED_FEED_SCHEMES)}: {url!r}')
    return url


def make_item_id(feed_url, guid=None, link=None, title=None, summary=None):
    """sha1 hex of feed_url + newline + (guid, else link, else title + summary)."""
    identity = guid or link or f'{title or ""}{summary or ""}'
    return hashlib.sha1(f'{feed_url}\n{identity}'.encode('utf-8', 'surrogatepass')).hexdigest()


def expand_inputs(paths):
    """Sorted, de-duplicated files named by ``paths``: files, directories (recursively) and globs."""
    found = set()
    for path in paths:
        found.update(expand_input(path))
    return sorted(found)


def _is_remote(path):
    """gs://, s3:// ... paths go through Beam's FileSystems (Dataflow reads from buckets)."""
    return '://' in path and not path.startswith('file://')


def _expand_remote(path):
    from apache_beam.io.filesystems import FileSystems
    pattern = path if glob.has_magic(path) else path.rstrip('/') + '/**' if not \
        os.path.splitext(path)[1] else path
    try:
        results = FileSystems.match([pattern])
    except Exception:  # a missing bucket or object: nothing matches, reported by the caller
        return []
    return sorted(m.path for r in results for m in r.metadata_list)


def expand_input(path):
    """Sorted files for one path, directory or glob (empty when nothing matches).

    Local paths are walked directly; remote ones (gs://...) are matched with
    Beam's FileSystems: a pattern, a file, or (no extension) a folder prefix.
    """
    path = os.fspath(path)
    if _is_remote(path):
        return _expand_remote(path)
    if glob.has_magic(path):
        candidates = glob.glob(path, recursive=True)
    else:
        candidates = [path] if os.path.exists(path) else []
    files = set()
    for candidate in candidates:
        if os.path.isdir(candidate):
            for root, dirs, names in os.walk(candidate):
                dirs[:] = [d for d in dirs if not d.startswith('.')]
                files.update(os.path.join(root, n) for n in names if not n.startswith('.'))
        elif os.path.isfile(candidate):
            files.add(candidate)
    return sorted(files)


def capture_time_from_filename(path):
    """The UTC capture time a file name carries (``20200524T094919Z_2e54f80c.xml`` ->
    2020-05-24 09:49:19 UTC), or None. Only the base name is read; only basic ISO 8601 with Z."""
    name = re.split(r'[/\\]', os.fspath(path))[-1]
    match = _FILENAME_TIME.search(name)
    if not match:
        return None
    try:
        return datetime.datetime(*map(int, match.groups()), tzinfo=datetime.timezone.utc)
    except ValueError:  # 20201345T... is no time
        return None


def parse_capture_time(text):
    """An RFC 3339 date-time with its offset ('2020-05-24T09:49:19Z', '...+02:00') as UTC.
    Raises ValueError naming the problem otherwise."""
    value = (text or '').strip().upper()  # RFC 3339 allows 't' and 'z'
    try:  # Python 3.10's fromisoformat does not read 'Z'
        moment = datetime.datetime.fromisoformat(value[:-1] + '+00:00' if value.endswith('Z') else value)
    except ValueError:
        raise ValueError(f'not an RFC 3339 date-time: {text!r} (e.g. 2020-05-24T09:49:19Z)') from None
    if 'T' not in value or moment.tzinfo is None:
        raise ValueError(f'an RFC 3339 date-time needs a time and an offset (Z or +hh:mm): {text!r}')
    return moment.astimezone(datetime.timezone.utc)


def read_feed_file(path, fetched_at=None, feed_url=None, max_feed_bytes=DEFAULT_MAX_FEED_BYTES,
                   captured_at=None, backfill=True):
    """Parse one feed file (plain or gzip, detected by magic bytes) into item / dead-letter pairs.

    ``fetched_at`` defaults to the file's modification time (UTC), so re-reading a file gives
    the same records. ``feed_url`` defaults to the URL the feed declares for itself (atom
    self link, else channel link), so snapshots of one feed share item ids; else ``file://`` path.
    ``captured_at`` and ``backfill`` are passed to every item (see the module docstring); a
    stored file is a backfill's unless the caller says otherwise.
    """
    source = os.fspath(path)
    try:
        if fetched_at is None:
            fetched_at = _modified_at(source)
        data = _read_limited(source, max_feed_bytes)
    except _TooLarge as exc:
        yield 'deadletter', _dead('FEED_TOO_LARGE', f'{source}: {exc}', None, source)
        return
    except (OSError, EOFError, zlib.error) as exc:
        yield 'deadletter', _dead('UNREADABLE_FEED', f'{source}: {exc.__class__.__name__}: {exc}', None, source)
        return
    yield from parse_feed_bytes(data, feed_url, fetched_at, max_feed_bytes=max_feed_bytes, source=source,
                                captured_at=captured_at, backfill=backfill)


def parse_feed_bytes(data, feed_url, fetched_at, headers=None, max_feed_bytes=DEFAULT_MAX_FEED_BYTES,
                     source=None, captured_at=None, backfill=False):
    """Yield ('item', FeedItem dict) and ('deadletter', DeadLetter dict) for one feed document.

    ``feed_url`` may be None (files): the feed's own declared URL is used, else ``source``.
    ``source`` (file path or URL) names the input in dead letters; defaults to ``feed_url``.
    ``headers`` are HTTP response headers (content-type drives encoding detection).
    ``captured_at`` (UTC) is when the document was captured, if known; ``backfill`` says the
    document is a stored file whose ``fetched_at`` is not evidence of when items appeared.
    """
    source = source or feed_url
    fetched_at = _as_utc(fetched_at) or datetime.datetime.now(datetime.timezone.utc)
    data = bytes(data or b'')
    if len(data) > max_feed_bytes:
        yield 'deadletter', _dead('FEED_TOO_LARGE', f'{len(data)} bytes > limit {max_feed_bytes}: {source}', data, source)
        return
    if not data.strip():
        yield 'deadletter', _dead('EMPTY_FEED', f'{len(data)} bytes, no content: {source}', data, source)
        return
    hazard = find_xml_hazard(data, headers)
    if hazard:
        yield 'deadletter', _dead('XML_ENTITY_FORBIDDEN', f'{hazard}; refused before parsing: {source}', data, source)
        return

    try:
        parsed, document = _feedparser_parse(data, headers)
    except Exception as exc:  # a parser bug on hostile bytes must not stop a run or the poller: recorded
        yield 'deadletter', _dead('MALFORMED_FEED', f'feedparser failed: {exc.__class__.__name__}: {exc}: {source}',
                                  data, source)
        return
    feed_url = feed_url or declared_feed_url(parsed.feed) or _file_url(source)
    text = _decoded(document, parsed.get('encoding'))
    problem = _bozo_problem(parsed)
    entries = list(parsed.entries)

    if not entries:
        if _looks_like_html(text, headers):
            yield 'deadletter', _dead('NOT_A_FEED', f'HTML page instead of a feed ({_html_title(text)}): {source}',
                                      data, source)
        elif problem and _has_markup(text):
            yield 'deadletter', _dead('MALFORMED_FEED', f'no entries; {problem}: {source}', data, source)
        elif not parsed.get('version'):
            yield 'deadletter', _dead('NOT_A_FEED', f'not a recognised RSS/Atom document: {source}', data, source)
        return

    dropped = 0
    if problem and _is_truncation(parsed):
        complete = _count_closed_entries(text)
        if 0 <= complete < len(entries):
            dropped = len(entries) - complete
            entries = entries[:complete]
        yield 'deadletter', _dead(
            'TRUNCATED_FEED',
            f'{problem}; kept {len(entries)} complete entries, dropped {dropped} incomplete: {source}',
            data[-4096:], source)
    elif problem:
        yield 'deadletter', _dead('MALFORMED_FEED_PARTIAL',
                                  f'{problem}; recovered {len(entries)} entries, some may be lost: {source}',
                                  data, source)

    captured_at = _as_utc(captured_at)
    observed_at = captured_at or (None if backfill else fetched_at)
    context = _FeedContext(feed_url, source_name(parsed.feed, feed_url), _language(parsed.feed, headers), fetched_at,
                           feed_title=_clean_name(parsed.feed.get('title')),
                           feed_updated_at=feed_date(parsed.feed, entries, observed_at),
                           captured_at=captured_at, backfill=bool(backfill))
    for entry in entries:
        item = entry_to_item(entry, context)
        if item is None:
            yield 'deadletter', _dead('EMPTY_ENTRY', f'entry without guid, link, title or text: {source}',
                                      repr(dict(entry)), source)
        else:
            yield 'item', item


def _feedparser_parse(data, headers):
    """(feedparser's result, the bytes it read) for one document.

    feedparser gets a stream, never the bytes themselves: it opens bytes that name a file (a
    body of b'/etc/hostname' or b'/dev/zero' would be read from the local disk). Its lenient
    parser raises on a character reference to a lone surrogate or past U+10FFFF ('&#55296;');
    the document is then read again as UTF-8 with such references replaced by U+FFFD.
    """
    options = {'sanitize_html': False, 'resolve_relative_uris': False}
    try:
        return feedparser.parse(io.BytesIO(data), response_headers=_lower_keys(headers), **options), data
    except ValueError:
        pass
    document = _replace_unencodable_charrefs(_as_feedparser_decodes(data, headers))
    lowered = dict(_lower_keys(headers) or {}, **{'content-type': 'application/xml; charset=utf-8'})
    return feedparser.parse(io.BytesIO(document), response_headers=lowered, **options), document


def _as_feedparser_decodes(data, headers):
    """``data`` in UTF-8, decoded as feedparser decodes it (BOM, HTTP charset, XML declaration,
    its fallbacks), with its XML declaration saying UTF-8. An encoding label feedparser raises
    on (b'\\x80UTF-8') is read as if the declaration were absent; the raw bytes when even that fails."""
    lowered = dict(_lower_keys(headers) or {})
    data = bytes(data)
    for document in (data, _XML_DECLARATION.sub(b'', data, count=1)):
        try:
            return convert_to_utf8(dict(lowered), document, {})
        except ValueError:
            continue
    return data


def _replace_unencodable_charrefs(utf8):
    """UTF-8 ``utf8`` with character references to no encodable character replaced by U+FFFD's."""
    def replace(match):
        ref = match.group(1)
        hexadecimal = ref[:1] in (b'x', b'X')
        digits = (ref[1:] if hexadecimal else ref).lstrip(b'0') or b'0'
        value = int(digits, 16 if hexadecimal else 10) if len(digits) <= 8 else None
        if value is None or value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            return b'&#xFFFD;'
        return match.group()
    return _CHARREF.sub(replace, utf8)


class _FeedContext:
    """What every item of one feed document shares."""
    __slots__ = ('feed_url', 'source_name', 'feed_language', 'fetched_at', 'feed_title', 'feed_updated_at',
                 'captured_at', 'backfill')

    def __init__(self, feed_url, source_name_, feed_language, fetched_at, feed_title=None, feed_updated_at=None,
                 captured_at=None, backfill=False):
        self.feed_url = feed_url
        self.source_name = source_name_      # the feed's name: its title, else its host
        self.feed_language = feed_language
        self.fetched_at = fetched_at
        self.feed_title = feed_title
        self.feed_updated_at = feed_updated_at
        self.captured_at = captured_at
        self.backfill = backfill


def entry_to_item(entry, context):
    """One feedparser entry as a FeedItem dict, or None when it carries nothing identifiable."""
    guid = _clean(entry.get('id'))
    link = _clean(entry.get('link'))
    title = _clean(entry.get('title'))
    summary = _clean(entry.get('summary'))
    content = _content_html(entry)
    if not (guid or link or title or summary or content):
        return None
    published_raw = _clean(_first(entry, 'published', 'updated', 'created'))
    published_at = _struct_to_utc(_first(entry, 'published_parsed', 'updated_parsed', 'created_parsed'))
    outlet, outlet_url = item_source(entry)
    return {
        'item_id': make_item_id(context.feed_url, guid, link, title, summary),
        'guid': guid,
        'url': link,
        'title': title,
        'summary': summary,
        'content': content,
        'published_raw': published_raw,
        'published_at': published_at,
        'authors': entry_authors(entry),
        'feed_url': context.feed_url,
        'source_name': outlet or context.source_name,
        'feed_language': context.feed_language,
        'fetched_at': context.fetched_at,
        'feed_title': context.feed_title,
        'item_source': outlet,
        'item_source_url': outlet_url,
        'feed_updated_at': context.feed_updated_at,
        'captured_at': context.captured_at,
        'backfill': context.backfill,
    }


def entry_authors(entry):
    """Author names of an entry, in order, without duplicates or e-mail addresses."""
    names = []
    for author in entry.get('authors') or []:
        names.append((author or {}).get('name') or '')
    if not names and entry.get('author'):
        names.append(entry.get('author'))
    result = []
    for name in names:
        name = re.sub(r'\S+@\S+', '', name or '').strip(' ()\t\r\n,;')
        name = re.sub(r'\s+', ' ', name)
        if name and name not in result:
            result.append(name)
    return result


def declared_feed_url(feed):
    """The URL a feed declares for itself: atom:link rel=self, else the channel link."""
    for link in feed.get('links') or []:
        if link.get('rel') == 'self' and link.get('href'):
            return link['href'].strip()
    link = (feed.get('link') or '').strip()
    return link or None


def source_name(feed, feed_url):
    """The feed's own name: its title, else the host of the feed URL. An item's outlet may
    differ (aggregators): see :func:`item_source`."""
    title = _clean_name(feed.get('title'))
    if title:
        return title
    host = urllib.parse.urlsplit(feed_url or '').hostname
    return host or None


def item_source(entry):
    """(outlet name or None, its URL or None) the feed gives for one entry: RSS
    ``<source url="...">Outlet</source>``, Atom ``<source><title>`` and ``<link>``."""
    source = entry.get('source') or {}
    if not isinstance(source, dict):
        return None, None
    url = _clean(source.get('href')) or _clean(source.get('link'))
    if not url:
        url = next((_clean(link.get('href')) for link in source.get('links') or []
                    if isinstance(link, dict) and link.get('href')), None)
    return _clean_name(source.get('title')), url


def feed_date(feed, entries=(), observed_at=None):
    """The feed's own date (UTC): lastBuildDate / Atom updated, else pubDate / published;
    None when absent or stale. Stale: older than the newest dated entry of the same document
    by more than FEED_DATE_TOLERANCE (a header nobody updates), or older than ``observed_at``
    (the capture time, or a live fetch) by more than FEED_DATE_MAX_AGE."""
    newest = max((d for d in (_struct_to_utc(_first(e, 'published_parsed', 'updated_parsed', 'created_parsed'))
                              for e in entries) if d), default=None)
    for key in ('updated_parsed', 'published_parsed'):
        moment = _struct_to_utc(dict.get(feed, key))
        if moment is None:
            continue
        if newest is not None and moment < newest - FEED_DATE_TOLERANCE:
            continue
        if observed_at is not None and moment < observed_at - FEED_DATE_MAX_AGE:
            continue
        return moment
    return None


def find_xml_hazard(data, headers=None):
    """Why ``data`` must not reach an XML parser, or None: the first XML entity declaration
    (internal: billion laughs and other expansion; external SYSTEM/PUBLIC: local files, URLs;
    parameter) or external entity reference, in any encoding.

    The document is decoded as feedparser will decode it (BOM, HTTP charset, XML declaration,
    its fallbacks), then its prolog is read by defusedxml's expat parser with entity
    declarations and external references forbidden; the read stops at the root element,
    after which no declaration can come. Feedparser's lenient fallback parser (used when the
    XML is broken) takes declarations from the text before the first element, so that text
    is searched for ``<!ENTITY`` too, in the decoded document and in the UTF-16/UTF-32
    readings of the raw bytes. A DOCTYPE without entities (RSS 0.91's Netscape DTD) is
    allowed: feedparser never loads an external DTD.
    """
    utf8 = _as_feedparser_decodes(data, headers)
    hazard = _defused_prolog_hazard(utf8)
    if hazard:
        return hazard
    for prolog in _prolog_readings(utf8, data):
        match = _ENTITY_DECLARATION.search(prolog)
        if match:
            body = match.group('body')
            kind = ('external entity (SYSTEM/PUBLIC)' if re.search(r'\b(SYSTEM|PUBLIC)\b', body, re.IGNORECASE)
                    else 'parameter entity' if body.lstrip().startswith('%')
                    else 'internal entity (expansion risk)')
            return f'document declares an XML {kind} before its first element'
    return None


class _RootReached(Exception):
    """Raised at the root element's start tag: the prolog, where declarations live, is read."""


class _PrologProbe:
    """An ElementTree parser target that stops the parse at the root element."""

    def start(self, tag, attrib):
        raise _RootReached(tag)

    def close(self):
        return None


def _defused_prolog_hazard(utf8):
    """defusedxml's verdict on the prolog of a UTF-8 document, or None (also when expat
    cannot read the prolog: broken XML goes to feedparser's lenient parser, see above)."""
    parser = DefusedXMLParser(target=_PrologProbe(), forbid_dtd=False, forbid_entities=True,
                              forbid_external=True)
    try:
        for offset in range(0, len(utf8), _PROBE_CHUNK_BYTES):
            parser.feed(utf8[offset:offset + _PROBE_CHUNK_BYTES])
        parser.close()
    except _RootReached:
        return None
    except EntitiesForbidden as forbidden:
        if forbidden.sysid or forbidden.pubid:
            return (f'document declares an XML external entity (SYSTEM/PUBLIC) {forbidden.name!r} '
                    f'-> {_short(forbidden.sysid or forbidden.pubid)}')
        return f'document declares an XML internal entity (expansion risk) {forbidden.name!r}'
    except ExternalReferenceForbidden as forbidden:
        return f'document refers to an XML external entity (SYSTEM/PUBLIC) {_short(forbidden.sysid)}'
    except DefusedXmlException as forbidden:
        return f'document uses a forbidden XML construct: {forbidden}'
    except ParseError:
        return None
    return None


def _prolog_readings(utf8, data):
    """The prologs feedparser's lenient parser could read: the decoded document's, and the raw
    bytes' read as UTF-16/UTF-32 when their first bytes say so (feedparser may decode a wide
    encoding without a BOM or declaration as UTF-8)."""
    match = _FIRST_ELEMENT_BYTES.search(utf8)
    yield (utf8[:match.start()] if match else utf8).decode('utf-8', 'replace')
    codec = _wide_codec(data)
    if codec:
        yield _prolog(data.decode(codec, 'replace'))


def _wide_codec(data):
    """UTF-16 or UTF-32 (and byte order) from a BOM or the NUL bytes of the first character
    (XML 1.0, appendix F), else None."""
    head = bytes(data[:4])
    for bom, codec in ((b'\xff\xfe\x00\x00', 'utf-32-le'), (b'\x00\x00\xfe\xff', 'utf-32-be'),
                       (b'\xff\xfe', 'utf-16-le'), (b'\xfe\xff', 'utf-16-be')):
        if head.startswith(bom):
            return codec
    return _WIDE_NUL_PATTERNS.get(tuple(byte == 0 for byte in head))


def _prolog(text):
    """The text before the first element, as feedparser's DOCTYPE handling splits it."""
    match = _FIRST_ELEMENT.search(text)
    return text[:match.start()] if match else text


def _short(value, limit=200):
    value = repr(value)
    return value if len(value) <= limit else value[:limit] + '...'


class _TooLarge(Exception):
    pass


def _modified_at(path):
    if _is_remote(path):
        from apache_beam.io.filesystems import FileSystems
        seconds = FileSystems.match([path])[0].metadata_list[0].last_updated_in_seconds
    else:
        seconds = os.path.getmtime(path)
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def _open_binary(path):
    if _is_remote(path):
        from apache_beam.io.filesystems import FileSystems
        return FileSystems.open(path, compression_type='uncompressed')
    return open(path, 'rb')


def _read_limited(path, limit):
    with _open_binary(path) as raw:
        magic = raw.read(2)
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw) if magic == _GZIP_MAGIC else raw
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise _TooLarge(f'more than {limit} bytes{" after gunzip" if magic == _GZIP_MAGIC else ""}')
    return data


def _bozo_problem(parsed):
    """Text of a parse error that loses data, or None (encoding overrides lose nothing)."""
    if not parsed.get('bozo'):
        return None
    exc = parsed.get('bozo_exception')
    if isinstance(exc, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)):
        return None
    return f'{exc.__class__.__name__}: {exc}'


def _is_truncation(parsed):
    message = str(parsed.get('bozo_exception') or '').lower()
    return any(m in message for m in _TRUNCATION_MESSAGES)


def _count_closed_entries(text):
    """Number of closed <item>/<entry> elements; -1 when the text cannot tell."""
    if text is None:
        return -1
    return len(re.findall(r'</(?:\w+:)?(?:item|entry)\s*>', text, re.IGNORECASE))


def _decoded(data, encoding):
    try:
        return data.decode(encoding or 'utf-8', 'replace')
    except LookupError:
        return data.decode('utf-8', 'replace')


def _looks_like_html(text, headers):
    content_type = (_lower_keys(headers) or {}).get('content-type', '')
    return bool(_HTML_START.search(text[:4096])) or 'text/html' in content_type.lower()


def _has_markup(text):
    return text.lstrip('\ufeff \t\r\n').startswith('<')


def _first(entry, *keys):
    """First present key, read from the plain dict (feedparser's key aliasing warns)."""
    for key in keys:
        value = dict.get(entry, key)
        if value:
            return value
    return None


def _html_title(text):
    match = re.search(r'<title[^>]*>(.*?)</title>', text[:8192], re.IGNORECASE | re.DOTALL)
    return re.sub(r'\s+', ' ', match.group(1)).strip()[:200] if match else 'no title'


def _content_html(entry):
    parts = [c.get('value') for c in entry.get('content') or [] if c.get('value')]
    return '\n'.join(parts) if parts else None


def _language(feed, headers):
    language = _clean(feed.get('language')) or (_lower_keys(headers) or {}).get('content-language')
    return language.strip() if language else None


def _struct_to_utc(struct):
    if not struct:
        return None
    try:
        return datetime.datetime.fromtimestamp(calendar.timegm(struct), datetime.timezone.utc)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def _as_utc(moment):
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def _clean(value):
    if value is None:
        return None
    value = str(value).replace('\x00', '').strip()
    return value or None


def _clean_name(value):
    value = _clean(value)
    return re.sub(r'\s+', ' ', value) if value else None


def _lower_keys(headers):
    if not headers:
        return None
    return {str(k).lower(): (v.decode('latin-1') if isinstance(v, bytes) else str(v)) for k, v in headers.items()}


def _file_url(source):
    if not source:
        return 'unknown:'
    if '://' in source:
        return source
    return 'file://' + os.path.abspath(source)


def _dead(error, detail, payload, source):
    return make_dead_letter(STAGE, error, detail, payload=payload, source=source)
