"""The feed poller: fetch feeds, publish each new entry once to Pub/Sub as an Avro FeedItem.

One pass: for each feed, a conditional GET (ETag / Last-Modified; for files the
modification time and size), parse with :func:`feed_reader.parse_feed_bytes`, publish
the entries whose ``item_id`` was never published before, and remember them in a
JSON state file (atomic writes, ids kept ``retention_days``). Ids and validators
are recorded only after the publish futures resolve, so a crash or a failed
publish means "publish again next pass", never "lost".

Message attributes: ``schema`` ('FeedItem' or 'DeadLetter'), ``item_id`` and
``published_at`` (RFC 3339 UTC; the fetch time when the entry has no date) for
the streaming pipeline's event time.

Fetch failures (HTTP errors, refused connections, missing files) are reported
and counted; they are not dead letters, because no input was read. Feeds that
were read but are unusable (too large, corrupt gzip, not a feed, bad entries)
become DeadLetter messages, each published once.

Misbehaving servers: each attempt is cut off after ``timeout`` seconds from connect
to last byte (a server dripping its answer included), bodies stop at ``max_bytes``,
5xx/429/network errors and timeouts are retried with exponential backoff (longer
when Retry-After asks) within a per-feed ``deadline``, and redirect loops and
redirects to other schemes are refused. A feed that fails a pass is skipped for a
growing interval (60 s doubling per failed pass, at most an hour, or its
Retry-After), remembered in the state file; the other feeds go on as usual.
"""
import argparse
import contextlib
import dataclasses
import datetime
import email.utils
import fcntl
import hashlib
import http.client
import json
import logging
import os
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

from wirewatch.pipeline import archive as archive_mod
from wirewatch.pipeline import pubsub
from wirewatch.transforms.deadletter import Rejected, make_dead_letter
from wirewatch.transforms.ingest import feeds as feed_reader

log = logging.getLogger(__name__)

USER_AGENT = 'wirewatch-poller/0.1 (news wire monitor; +https://github.com/wirewatch)'
DEFAULT_TIMEOUT_SECONDS = 30
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 60.0
# A feed's total time for one pass (attempts and waits), when not given: this many timeouts.
DEADLINE_TIMEOUTS = 3
# A feed that failed a pass is not fetched again for FEED_BACKOFF_SECONDS, doubling with each
# failed pass in a row up to MAX_FEED_BACKOFF_SECONDS (or longer when its Retry-After asks,
# up to MAX_RETRY_AFTER_SECONDS).
FEED_BACKOFF_SECONDS = 60.0
MAX_FEED_BACKOFF_SECONDS = 3600.0
MAX_RETRY_AFTER_SECONDS = 86400.0
RETRY_AFTER_STATUSES = (429, 503)
DEFAULT_INTERVAL_SECONDS = 300
DEFAULT_RETENTION_DAYS = 30
MAX_REMEMBERED_IDS = 500_000
STATE_VERSION = 1
CHUNK_BYTES = 64 * 1024
HTTP_SCHEMES = ('http', 'https')
_GZIP_MAGIC = b'\x1f\x8b'
# Fetch errors that mean "the feed was read but is unusable": these become dead letters.
INPUT_ERRORS = ('FEED_TOO_LARGE', 'UNREADABLE_FEED')


class FetchError(Rejected):
    """A feed could not be fetched. ``retryable``: a later attempt may succeed (5xx, 429,
    network, timeout). ``retry_after``: seconds the server asked us to wait (Retry-After),
    or None. ``attempts``: how many requests were made before giving up."""

    def __init__(self, error, detail, retryable=False, http_status=None, payload=None, retry_after=None):
        super().__init__(error, detail)
        self.retryable = retryable
        self.http_status = http_status
        self.payload = payload
        self.retry_after = retry_after
        self.attempts = 1


class PollerError(Exception):
    """The poller cannot run at all (bad state file, state locked); one line for people."""


@dataclasses.dataclass
class FetchResult:
    """One fetch. ``not_modified``: the validators matched and ``data`` is empty."""
    source: str
    not_modified: bool
    data: bytes = b''
    headers: dict = dataclasses.field(default_factory=dict)
    etag: str = None
    last_modified: str = None
    http_status: int = None


# ---------------------------------------------------------------- fetching

class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): a feed must not redirect us to file:// or ftp://."""

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get('location') or headers.get('uri')
        if location:
            try:
                target = urllib.parse.urljoin(req.full_url, location)
                scheme = urllib.parse.urlsplit(target).scheme.lower()
            except ValueError as error:  # e.g. 'http://[::1' (an unclosed IPv6 address)
                fp.close()
                raise FetchError('BAD_REDIRECT', f'redirect from {req.full_url} to {location!r} '
                                                 f'refused: {error}') from None
            if scheme not in HTTP_SCHEMES:
                fp.close()
                raise FetchError('UNSUPPORTED_SCHEME', f'redirect from {req.full_url} to {target!r} refused')
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class _Watchdog:
    """Cuts one attempt's connections when its time is up.

    A socket timeout bounds each read, not the transfer: a server that drips a byte every
    fraction of a second (in its headers or its body) never trips it. At the deadline the
    watchdog shuts the sockets down, which ends any read blocked on them.
    """

    def __init__(self, seconds):
        self.expired = False
        self._sockets = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()

    def watch(self, sock):
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut_down(sock)

    def _expire(self):
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut_down(sock)


def _shut_down(sock):
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedHTTPConnection(http.client.HTTPConnection):
    """An HTTPConnection that hands its socket to a :class:`_Watchdog` once connected."""

    def __init__(self, *args, watchdog, **kwargs):
        super().__init__(*args, **kwargs)
        self.watchdog = watchdog

    def connect(self):
        super().connect()
        self.watchdog.watch(self.sock)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, http.client.HTTPSConnection):
    pass


class _WatchedHTTPHandler(urllib.request.AbstractHTTPHandler):
    """urllib's http and https handlers, for one attempt watched by ``watchdog``."""

    def __init__(self, watchdog):
        super().__init__()
        self.watchdog = watchdog

    def http_open(self, req):
        return self.do_open(_WatchedHTTPConnection, req, watchdog=self.watchdog)

    def https_open(self, req):
        return self.do_open(_WatchedHTTPSConnection, req, watchdog=self.watchdog)

    http_request = https_request = urllib.request.AbstractHTTPHandler.do_request_


class FeedFetcher:
    """Fetches feeds over HTTP(S) (conditional GET, size limit, retries) or from local files.

    ``timeout``: seconds for one attempt, from connecting to the body's last byte (a
    server that drips its answer is cut off then, not only one that goes silent).
    ``deadline``: seconds for one feed in total, every attempt and wait included
    (default: ``DEADLINE_TIMEOUTS`` timeouts). ``max_bytes``: limit on the (decompressed)
    body. ``retries``: extra attempts on 5xx, 429, network errors and timeouts, waiting
    ``backoff * 2**n`` seconds (at most 60), or longer when a 429/503 asks for it with
    Retry-After; no retry when the wait would pass 60 s or the deadline (the FetchError
    then carries the server's ``retry_after`` for the poller). ``proxies``: urllib proxy
    map (None: from the environment). ``sleep`` and ``clock`` (monotonic seconds) are
    injectable for tests.
    """

    def __init__(self, timeout=DEFAULT_TIMEOUT_SECONDS, max_bytes=feed_reader.DEFAULT_MAX_FEED_BYTES,
                 retries=DEFAULT_RETRIES, backoff=DEFAULT_BACKOFF_SECONDS, user_agent=USER_AGENT,
                 proxies=None, sleep=time.sleep, deadline=None, clock=time.monotonic):
        self.timeout = timeout
        self.deadline = DEADLINE_TIMEOUTS * timeout if deadline is None else deadline
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.user_agent = user_agent
        self.proxies = proxies
        self.sleep = sleep
        self.clock = clock

    def fetch(self, source, etag=None, last_modified=None):
        """Fetch ``source`` (http(s) URL, file:// URL or path); raises FetchError.

        Over HTTP, every attempt and wait together end within ``deadline`` seconds."""
        kind, location = classify_source(source)
        if kind == 'file':
            return self._fetch_file(source, location, etag)
        started = self.clock()
        attempt = 0
        while True:
            left = self.deadline - (self.clock() - started)
            try:
                return self._fetch_http_once(location, etag, last_modified, max(0.01, min(self.timeout, left)))
            except FetchError as error:
                error.attempts = attempt + 1
                if not error.retryable or attempt >= self.retries:
                    raise
                delay = self.retry_delay(attempt, error.retry_after)
                left = self.deadline - (self.clock() - started)
                if delay > MAX_BACKOFF_SECONDS or delay >= left:
                    log.info('no retry for %s in this pass: the next would be in %.1f s, with %.1f s left '
                             'of its %g s deadline: %s', location, delay, max(0.0, left), self.deadline, error)
                    raise
                attempt += 1
                log.info('retry %d/%d for %s in %.1f s: %s', attempt, self.retries, location, delay, error)
                self.sleep(delay)

    def retry_delay(self, attempt, retry_after=None):
        """Seconds before retry ``attempt + 1``: the backoff, or the server's Retry-After when longer."""
        delay = min(MAX_BACKOFF_SECONDS, self.backoff * 2 ** attempt)
        return delay if retry_after is None else max(delay, retry_after)

    def _opener(self, watchdog):
        opener = urllib.request.OpenerDirector()
        for handler in (urllib.request.ProxyHandler(self.proxies), _WatchedHTTPHandler(watchdog),
                        _HttpOnlyRedirects(), urllib.request.HTTPDefaultErrorHandler(),
                        urllib.request.HTTPErrorProcessor()):
            opener.add_handler(handler)
        return opener

    def _fetch_http_once(self, url, etag, last_modified, seconds):
        """One request, cut off after ``seconds`` (connect, headers and body together)."""
        request = urllib.request.Request(url, headers=self._request_headers(etag, last_modified))
        with _Watchdog(seconds) as watchdog:
            try:
                return self._exchange(request, url, etag, last_modified, seconds, watchdog)
            except FetchError as error:
                # The watchdog's shutdown surfaces as a closed connection or a short read.
                if watchdog.expired and error.error == 'FETCH_FAILED':
                    raise FetchError('FETCH_TIMEOUT', f'no complete answer within {seconds:g} s: {url}',
                                     retryable=True) from error
                raise

    def _exchange(self, request, url, etag, last_modified, seconds, watchdog):
        try:
            response = self._opener(watchdog).open(request, timeout=seconds)
        except FetchError:
            raise
        except urllib.error.HTTPError as error:
            with contextlib.closing(error):
                if error.code == 304:
                    return FetchResult(url, True, headers=_header_dict(error.headers),
                                       etag=error.headers.get('ETag') or etag,
                                       last_modified=error.headers.get('Last-Modified') or last_modified,
                                       http_status=304)
                if str(error.msg).startswith(urllib.request.HTTPRedirectHandler.inf_msg):
                    raise FetchError('REDIRECT_LOOP', f'redirect loop or more than '
                                     f'{_HttpOnlyRedirects.max_redirections} redirects, the last from '
                                     f'{error.filename}: {url}', http_status=error.code) from error
                retry_after = None
                if error.code in RETRY_AFTER_STATUSES and error.headers is not None:
                    retry_after = parse_retry_after(error.headers.get('Retry-After'))
                asked = '' if retry_after is None else f' (Retry-After {retry_after:g} s)'
                raise FetchError('HTTP_ERROR', f'HTTP {error.code} {error.reason}{asked}: {url}',
                                 retryable=error.code >= 500 or error.code == 429, http_status=error.code,
                                 retry_after=retry_after) from error
        except urllib.error.URLError as error:
            raise _network_error(error.reason, url, seconds) from error
        except (OSError, http.client.HTTPException) as error:
            raise _network_error(error, url, seconds) from error
        except ValueError as error:  # a request http.client refuses, e.g. a control character in a URL
            raise FetchError('FETCH_FAILED', f'{type(error).__name__}: {error}: {url}') from error
        with contextlib.closing(response):
            headers = _header_dict(response.headers)
            declared = headers.get('content-length', '')
            encoded = headers.get('content-encoding', '').lower() in ('gzip', 'x-gzip')
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError('FEED_TOO_LARGE', f'Content-Length {declared} > limit {self.max_bytes} bytes: {url}')
            data = self._read_body(response, url, seconds, watchdog)
            data = self._maybe_gunzip(data, url, encoded)
            for hop_header in ('content-encoding', 'content-length', 'transfer-encoding'):
                headers.pop(hop_header, None)
            return FetchResult(url, False, data, headers, etag=headers.get('etag'),
                               last_modified=headers.get('last-modified'), http_status=response.status)

    def _request_headers(self, etag, last_modified):
        headers = {'User-Agent': self.user_agent,
                   'Accept': 'application/rss+xml, application/atom+xml, application/rdf+xml, '
                             'application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
                   'Accept-Encoding': 'gzip'}
        if etag:
            headers['If-None-Match'] = etag
        if last_modified:
            headers['If-Modified-Since'] = last_modified
        return headers

    def _read_body(self, response, url, seconds, watchdog):
        """Stream the body, stopping as soon as it passes ``max_bytes``; ``watchdog`` bounds the time."""
        chunks, size = [], 0
        try:
            while True:
                chunk = response.read1(CHUNK_BYTES)  # what has arrived, not a full chunk: no drip holds it
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError('FEED_TOO_LARGE', f'body passed the limit of {self.max_bytes} bytes: {url}')
                chunks.append(chunk)
        except (OSError, http.client.HTTPException) as error:
            raise _network_error(error, url, seconds, ' while reading') from error
        if watchdog.expired:  # its shutdown reads as the end of a body without Content-Length
            raise FetchError('FETCH_TIMEOUT', f'body not complete within {seconds:g} s: {url}', retryable=True)
        return b''.join(chunks)

    def _maybe_gunzip(self, data, source, declared_gzip=False):
        if not (declared_gzip or data[:2] == _GZIP_MAGIC):
            return data
        try:
            return gunzip_limited(data, self.max_bytes)
        except zlib.error as error:
            raise FetchError('UNREADABLE_FEED', f'corrupt gzip: {error}: {source}', payload=data) from error
        except OverflowError:
            raise FetchError('FEED_TOO_LARGE', f'more than {self.max_bytes} bytes after gunzip: {source}')

    def _fetch_file(self, source, path, validator):
        """Read a local feed; ``validator`` ('file:<mtime_ns>:<size>') stands in for an ETag."""
        try:
            stat = os.stat(path)
        except OSError as error:
            raise FetchError('FETCH_FAILED', f'{type(error).__name__}: {error.strerror}: {path}') from error
        current = f'file:{stat.st_mtime_ns}:{stat.st_size}'
        if validator == current:
            return FetchResult(source, True, etag=current)
        if stat.st_size > self.max_bytes:
            raise FetchError('FEED_TOO_LARGE', f'{stat.st_size} bytes > limit {self.max_bytes}: {path}')
        try:
            with open(path, 'rb') as f:
                data = f.read(self.max_bytes + 1)
        except OSError as error:
            raise FetchError('FETCH_FAILED', f'{type(error).__name__}: {error.strerror}: {path}') from error
        if len(data) > self.max_bytes:
            raise FetchError('FEED_TOO_LARGE', f'more than {self.max_bytes} bytes: {path}')
        return FetchResult(source, False, self._maybe_gunzip(data, path), etag=current)


def classify_source(source):
    """``('http', url)`` or ``('file', path)``; raises FetchError('UNSUPPORTED_SCHEME') otherwise."""
    source = os.fspath(source)
    parts = urllib.parse.urlsplit(source)
    scheme = parts.scheme.lower()
    if not scheme:
        return 'file', source
    try:
        feed_reader.check_feed_url_scheme(source)
    except Rejected as rejected:
        raise FetchError(rejected.error, rejected.detail) from None
    if scheme in HTTP_SCHEMES:
        return 'http', source
    if parts.netloc not in ('', 'localhost'):
        raise FetchError('UNSUPPORTED_SCHEME', f'file URL with a remote host refused: {source!r}')
    return 'file', urllib.request.url2pathname(parts.path)


def gunzip_limited(data, limit):
    """Decompress gzip ``data``; OverflowError when the result passes ``limit`` bytes."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = decompressor.decompress(data, limit + 1)
    if len(out) > limit or decompressor.unconsumed_tail:
        raise OverflowError(limit)
    out += decompressor.flush()
    if not decompressor.eof:
        raise zlib.error('gzip stream ends early')
    if len(out) > limit:
        raise OverflowError(limit)
    return out


def _header_dict(message):
    return {key.lower(): value for key, value in message.items()} if message is not None else {}


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delay seconds or an HTTP date); None when unusable."""
    value = (value or '').strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _network_error(reason, url, seconds, where=''):
    """The FetchError for a failed connection or read: FETCH_TIMEOUT when a read timed out."""
    if isinstance(reason, TimeoutError):
        return FetchError('FETCH_TIMEOUT', f'no data for {seconds:g} s{where}: {url}', retryable=True)
    name = type(reason).__name__ if isinstance(reason, BaseException) else 'URLError'
    return FetchError('FETCH_FAILED', f'{name}{where}: {reason}: {url}',
                      retryable=not isinstance(reason, ssl.SSLCertVerificationError))


# ---------------------------------------------------------------- state

def default_state_path():
    """``$WIREWATCH_STATE_DIR/poller-state.json`` or ``~/.cache/wirewatch/poller-state.json``."""
    root = os.environ.get('WIREWATCH_STATE_DIR')
    if root:
        return os.path.join(os.path.expanduser(root), 'poller-state.json')
    cache = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(cache, 'wirewatch', 'poller-state.json')


class PollState:
    """What the poller already published (ids, with the time they were published) and
    each feed's validators, kept in a JSON file that survives restarts.

    ``save()`` drops ids older than ``retention_days`` (and the oldest beyond
    ``max_ids``) and replaces the file atomically.
    """

    def __init__(self, path, retention_days=DEFAULT_RETENTION_DAYS, max_ids=MAX_REMEMBERED_IDS):
        self.path = os.fspath(path)
        self.retention_days = retention_days
        self.max_ids = max_ids
        # source -> {'etag', 'last_modified', 'last_fetched_at', 'last_status'}, and while it
        # keeps failing 'failures' (passes in a row) and 'backoff_until' (unix seconds)
        self.feeds = {}
        self.seen = {}    # item id or dead-letter fingerprint -> published at (unix seconds)
        self.dirty = False  # something was published or validators changed since the last save

    @classmethod
    def load(cls, path, **kwargs):
        """The state at ``path`` (empty when the file does not exist); PollerError when unreadable."""
        state = cls(path, **kwargs)
        try:
            with open(state.path, encoding='utf-8') as f:
                content = json.load(f)
        except FileNotFoundError:
            return state
        except (OSError, ValueError) as error:
            raise PollerError(f'poller state {state.path} is unreadable ({error}); move it away to '
                              'start afresh (everything still in the feeds will be published again)') from error
        if not isinstance(content, dict) or content.get('version') != STATE_VERSION:
            raise PollerError(f'poller state {state.path} has an unknown format; move it away to start afresh')
        state.feeds = dict(content.get('feeds') or {})
        state.seen = {str(k): float(v) for k, v in (content.get('seen') or {}).items()}
        return state

    def is_seen(self, key):
        return key in self.seen

    def mark_seen(self, key, when=None):
        if key not in self.seen:
            self.seen[key] = time.time() if when is None else when
            self.dirty = True

    def validators(self, source):
        """``(etag, last_modified)`` remembered for ``source`` (Nones when unknown)."""
        feed = self.feeds.get(source) or {}
        return feed.get('etag'), feed.get('last_modified')

    def remember_fetch(self, source, status, etag=None, last_modified=None, update_validators=True):
        feed = self.feeds.setdefault(source, {})
        feed['last_fetched_at'] = _rfc3339(datetime.datetime.now(datetime.timezone.utc))
        feed['last_status'] = status
        if update_validators and (feed.get('etag'), feed.get('last_modified')) != (etag, last_modified):
            feed['etag'] = etag
            feed['last_modified'] = last_modified
            self.dirty = True

    def failures(self, source):
        """Failed passes in a row for ``source`` (0 after a success; older state files have none)."""
        return int((self.feeds.get(source) or {}).get('failures') or 0)

    def backoff_until(self, source):
        """Unix seconds before which ``source`` is not fetched again, or None."""
        return (self.feeds.get(source) or {}).get('backoff_until')

    def remember_failure(self, source, failures, backoff_until):
        feed = self.feeds.setdefault(source, {})
        feed['failures'] = failures
        feed['backoff_until'] = backoff_until

    def remember_success(self, source):
        feed = self.feeds.get(source) or {}
        feed.pop('failures', None)
        feed.pop('backoff_until', None)

    def prune(self, now=None):
        """Forget ids older than the retention, then the oldest beyond ``max_ids``."""
        horizon = (time.time() if now is None else now) - self.retention_days * 86400
        kept = {k: t for k, t in self.seen.items() if t >= horizon}
        if len(kept) > self.max_ids:
            kept = dict(sorted(kept.items(), key=lambda kv: kv[1])[-self.max_ids:])
        self.seen = kept

    def save(self):
        """Prune, then write atomically (temp file + fsync + rename)."""
        self.prune()
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix='.poller-state.', suffix='.tmp', dir=directory)
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as f:
                json.dump({'version': STATE_VERSION, 'feeds': self.feeds, 'seen': self.seen}, f,
                          separators=(',', ':'), sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            self.dirty = False
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise


@contextlib.contextmanager
def state_lock(state_path):
    """Hold an exclusive lock next to the state file, so two pollers never share it."""
    lock_path = os.fspath(state_path) + '.lock'
    os.makedirs(os.path.dirname(os.path.abspath(lock_path)), exist_ok=True)
    with open(lock_path, 'w') as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PollerError(f'another poller is using {state_path}') from None
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


# ---------------------------------------------------------------- polling

@dataclasses.dataclass
class PollSummary:
    """Counts for one or more passes (feeds and entries)."""
    passes: int = 0
    feeds: int = 0
    fetched: int = 0
    not_modified: int = 0
    fetch_errors: int = 0
    backed_off: int = 0    # not fetched: still backing off after failures
    items_seen: int = 0
    published: int = 0
    already_seen: int = 0
    publish_errors: int = 0
    dead_letters: int = 0
    dead_letters_published: int = 0

    def add(self, other):
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self

    def line(self):
        return (f'feeds {self.feeds}: fetched {self.fetched}, not modified {self.not_modified}, '
                f'errors {self.fetch_errors}, backed off {self.backed_off}; '
                f'items seen {self.items_seen}, published {self.published}, '
                f'already seen {self.already_seen}, publish errors {self.publish_errors}; '
                f'dead letters {self.dead_letters} (published {self.dead_letters_published})')


def published_at_attribute(item):
    """RFC 3339 UTC event time for an item: its ``published_at``, else ``fetched_at``."""
    return _rfc3339(item.get('published_at') or item['fetched_at'])


def item_attributes(item):
    """A FeedItem message's attributes: ``schema`` and ``schema_fingerprint`` (the body's
    encoding, ``schemas.message_attributes``), ``item_id``, ``published_at`` (event time)."""
    return pubsub.message_attributes('FeedItem', {'item_id': item['item_id'],
                                                  'published_at': published_at_attribute(item)})


def dead_letter_fingerprint(dead_letter):
    """Identity of a dead letter across passes: source, reason and payload (not the wording)."""
    digest = hashlib.sha1()
    for part in (dead_letter.get('source') or '', dead_letter['error']):
        digest.update(part.encode('utf-8', 'surrogatepass') + b'\n')
    digest.update(dead_letter.get('payload') or b'')
    return 'deadletter:' + digest.hexdigest()


def feed_backoff_seconds(failures, base=FEED_BACKOFF_SECONDS, retry_after=None):
    """Seconds a feed is left alone after its ``failures``-th failed pass in a row: ``base``
    doubling per failure up to MAX_FEED_BACKOFF_SECONDS, or the server's Retry-After when
    longer (at most MAX_RETRY_AFTER_SECONDS)."""
    hold = min(MAX_FEED_BACKOFF_SECONDS, base * 2 ** min(failures - 1, 32))
    if retry_after is not None:
        hold = max(hold, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return hold


class FeedPoller:
    """One poller: a fetcher, a state and publishing targets. ``publisher`` may be any object
    with the PublisherClient ``publish(topic, data, **attrs) -> future`` method.

    A feed whose fetch fails is skipped by the next passes for ``feed_backoff`` seconds,
    doubling with each failed pass in a row (see :func:`feed_backoff_seconds`); ``clock``
    (unix seconds) is injectable for tests."""

    def __init__(self, state, topic_path, deadletter_topic_path=None, publisher=None, fetcher=None,
                 publish_timeout=60, say=None, archive=None, feed_backoff=FEED_BACKOFF_SECONDS,
                 clock=time.time):
        self.state = state
        self.archive = archive  # an ItemArchive, or None
        self.topic_path = topic_path
        self.deadletter_topic_path = deadletter_topic_path
        self.publisher = publisher
        self.fetcher = fetcher or FeedFetcher()
        self.publish_timeout = publish_timeout
        self.say = say or _say
        self.feed_backoff = feed_backoff
        self.clock = clock

    def poll_once(self, sources, stop_event=None):
        """One pass over ``sources``. Returns a PollSummary.

        The state is saved after each feed that published something or changed its
        validators (so a crash re-publishes at most one feed's entries), and at the end.
        """
        summary = PollSummary(passes=1)
        if self.archive is not None:
            self.archive.prune()   # day files past the retention, also in a poller left running
        for source in sources:
            if stop_event is not None and stop_event.is_set():
                break
            summary.feeds += 1
            self.poll_feed(source, summary)
            if self.state.dirty:
                self.state.save()
        self.state.save()
        return summary

    def poll_feed(self, source, summary):
        key = state_key(source)
        now = self.clock()
        backoff_until = self.state.backoff_until(key)
        if backoff_until is not None and now < backoff_until:
            summary.backed_off += 1
            log.info('poll: %s: backing off after %d failed passes, next try in %.0f s',
                     source, self.state.failures(key), backoff_until - now)
            return
        etag, last_modified = self.state.validators(key)
        try:
            result = self.fetcher.fetch(source, etag, last_modified)
        except FetchError as error:
            self._fetch_failed(source, key, error, now, summary)
            return
        except Exception as error:  # an answer no rule foresaw must not stop the other feeds
            log.exception('poll: %s: unexpected error while fetching', source)
            self._fetch_failed(source, key, FetchError('FETCH_FAILED', f'unexpected {type(error).__name__}: '
                                                                       f'{error}: {source}'), now, summary)
            return
        self.state.remember_success(key)
        if result.not_modified:
            summary.not_modified += 1
            self.state.remember_fetch(key, result.http_status or 'not modified', result.etag, result.last_modified)
            return
        summary.fetched += 1
        fetched_at = datetime.datetime.now(datetime.timezone.utc)
        kind, _ = classify_source(source)
        items, dead_letters = [], []
        # Files get feed_url=None so item ids match the batch reader's (the feed's own URL).
        parsed = feed_reader.parse_feed_bytes(result.data, source if kind == 'http' else None, fetched_at,
                                              headers=result.headers, max_feed_bytes=self.fetcher.max_bytes,
                                              source=source)
        for record_kind, record in parsed:
            (items if record_kind == 'item' else dead_letters).append(record)
        failures = self._publish_new_items(items, summary) + self._dead_letters(dead_letters, summary)
        # Keep the old validators after a failed publish, so the next pass fetches the feed again.
        self.state.remember_fetch(key, result.http_status or 'read', result.etag, result.last_modified,
                                  update_validators=failures == 0)

    def _fetch_failed(self, source, key, error, now, summary):
        """Report and count a failed fetch (a dead letter when the feed was read but is
        unusable), and back the feed off for a growing interval."""
        failures = self.state.failures(key) + 1
        hold = feed_backoff_seconds(failures, self.feed_backoff, error.retry_after)
        self.state.remember_failure(key, failures, now + hold)
        self.state.remember_fetch(key, error.http_status or error.error, update_validators=False)
        tries = f' ({error.attempts} attempts)' if error.attempts > 1 else ''
        self.say(f'poll: {source}: {error.error}: {error.detail}{tries}; '
                 f'failed {failures} pass(es) in a row, next try in {hold:g} s')
        if error.error in INPUT_ERRORS:
            summary.fetched += 1
            self._dead_letters([make_dead_letter(feed_reader.STAGE, error.error, error.detail,
                                                 payload=error.payload, source=source)], summary)
        else:
            summary.fetch_errors += 1

    def _publish_new_items(self, items, summary):
        summary.items_seen += len(items)
        new, queued = [], set()
        for item in items:
            if self.state.is_seen(item['item_id']) or item['item_id'] in queued:
                summary.already_seen += 1
            else:
                queued.add(item['item_id'])
                new.append(item)
        if not new:
            return 0
        failures, done = 0, []
        for outcome in pubsub.publish_records(self.topic_path, 'FeedItem', new, item_attributes,
                                              publisher=self.publisher, timeout=self.publish_timeout):
            if outcome.error:
                failures += 1
                self.say(f'poll: publish failed for item {outcome.record["item_id"]}: {outcome.error}')
            else:
                done.append(outcome)
        if self.archive is not None and done:
            # archived (fsynced) before the ids are remembered: a crash in between publishes
            # and archives them again next pass, never leaves a published item unarchived
            try:
                self.archive.append([(o.record, pubsub.message_attributes('FeedItem', item_attributes(o.record)),
                                      self.topic_path, o.message_id) for o in done])
            except OSError as error:  # disk full, I/O error: publish and archive them next pass
                self.say(f'poll: cannot archive {len(done)} published items ({error}); they are '
                         'published again next pass (the stream drops the copies)')
                failures += len(done)
                done = []
        for outcome in done:
            self.state.mark_seen(outcome.record['item_id'])
        summary.published += len(new) - failures
        summary.publish_errors += failures
        return failures

    def _dead_letters(self, dead_letters, summary):
        summary.dead_letters += len(dead_letters)
        for dead_letter in dead_letters:
            log.info('dead letter %s: %s', dead_letter['error'], dead_letter['detail'])
        if not self.deadletter_topic_path:
            return 0
        new = [d for d in dead_letters if not self.state.is_seen(dead_letter_fingerprint(d))]
        if not new:
            return 0
        failures = 0
        for outcome in pubsub.publish_records(self.deadletter_topic_path, 'DeadLetter', new,
                                              lambda d: {'error': d['error']}, publisher=self.publisher,
                                              timeout=self.publish_timeout):
            if outcome.error:
                failures += 1
                self.say(f'poll: publish failed for a dead letter: {outcome.error}')
            else:
                self.state.mark_seen(dead_letter_fingerprint(outcome.record))
                summary.dead_letters_published += 1
        summary.publish_errors += failures
        return failures


def state_key(source):
    """The key a feed's validators are stored under: the URL, or the absolute file path."""
    kind, location = classify_source(source)
    return source if kind == 'http' else os.path.abspath(location)


def poll_feeds(feeds, topic=pubsub.ITEMS_TOPIC, project=pubsub.DEFAULT_PROJECT, state_path=None,
               once=True, interval=DEFAULT_INTERVAL_SECONDS, deadletter_topic=None, fetcher=None,
               publisher=None, emulator_host=None, stop_event=None, retention_days=DEFAULT_RETENTION_DAYS,
               say=None, archive_dir=None, archive_retention_days=archive_mod.DEFAULT_RETENTION_DAYS):
    """Poll ``feeds`` (URLs or paths) and publish new entries to ``topic``.

    ``once``: a single pass; otherwise a pass every ``interval`` seconds until
    SIGINT/SIGTERM (or ``stop_event`` is set). ``deadletter_topic``: where parse
    dead letters go (not published when None). ``archive_dir``: the raw archive of
    every published item (default ``archive/`` beside the state file; False: none).
    Returns the total PollSummary.
    Raises PollerError for an unusable state file or one locked by another poller;
    sources with an unsupported scheme are refused before anything is fetched.
    """
    say = say or _say
    sources = [os.fspath(f) for f in feeds]
    for source in sources:
        try:
            classify_source(source)
        except FetchError as error:
            raise PollerError(f'{error.error}: {error.detail}') from None
    state_path = state_path or default_state_path()
    stop_event = stop_event or threading.Event()
    total = PollSummary()
    own_publisher = publisher is None
    with state_lock(state_path):
        state = PollState.load(state_path, retention_days=retention_days)
        topic_path = pubsub.topic_path(project, topic)
        deadletter_topic_path = pubsub.topic_path(project, deadletter_topic) if deadletter_topic else None
        if own_publisher:
            publisher = _connected_publisher(emulator_host, [topic_path, deadletter_topic_path])
        archive = None
        if archive_dir is not False:
            archive = archive_mod.ItemArchive(archive_dir or archive_mod.default_archive_dir(state_path),
                                              retention_days=archive_retention_days)
        poller = FeedPoller(state, topic_path, deadletter_topic_path, publisher=publisher,
                            fetcher=fetcher, say=say, archive=archive)
        try:
            with _stop_on_signals(stop_event, enabled=not once):
                while True:
                    summary = poller.poll_once(sources, stop_event)
                    total.add(summary)
                    say(f'poll: {summary.line()}')
                    if once or stop_event.wait(interval):
                        break
        finally:
            state.save()
            if own_publisher:
                pubsub.close_publisher(publisher)
    return total


def _connected_publisher(emulator_host, topic_paths):
    """A PublisherClient whose topics exist; PollerError (one line) when not."""
    try:
        publisher = pubsub.publisher_client(emulator_host)
    except Exception as error:  # e.g. no credentials and no emulator
        raise PollerError(f'cannot create a Pub/Sub publisher ({type(error).__name__}: '
                          f'{str(error).splitlines()[0] if str(error) else ""}); for the emulator set '
                          'PUBSUB_EMULATOR_HOST or --emulator-host') from None
    try:
        for path in filter(None, topic_paths):
            pubsub.check_topic(path, publisher=publisher)
    except LookupError as error:
        pubsub.close_publisher(publisher)
        raise PollerError(str(error)) from None
    return publisher


@contextlib.contextmanager
def _stop_on_signals(stop_event, enabled=True):
    """Set ``stop_event`` on SIGINT/SIGTERM while inside (main thread only); restore handlers after.

    The current feed is finished first; a second signal interrupts at once.
    """
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    def request_stop(_signum, _frame):
        if stop_event.is_set():  # a second signal: stop now
            raise KeyboardInterrupt
        # Set from another thread: Event.set() in a handler can deadlock on the Event's own lock.
        threading.Thread(target=stop_event.set, daemon=True).start()

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, request_stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _rfc3339(moment):
    """``2022-01-09T10:00:00Z`` (milliseconds only when non-zero); naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    moment = moment.astimezone(datetime.timezone.utc)
    text = moment.strftime('%Y-%m-%dT%H:%M:%S')
    millis = moment.microsecond // 1000
    return f'{text}.{millis:03d}Z' if millis else f'{text}Z'


def _say(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- CLI

def add_arguments(parser):
    """Add the ``poll`` options to an argparse parser."""
    parser.add_argument('--feed', dest='feeds', action='append', nargs='+', required=True,
                        metavar='URL_OR_PATH', help='feed URL (http, https, file) or path; repeatable')
    parser.add_argument('--topic', default=pubsub.ITEMS_TOPIC,
                        help='topic name or full path for FeedItems (default: %(default)s)')
    parser.add_argument('--project', default=pubsub.DEFAULT_PROJECT, help='(default: %(default)s)')
    parser.add_argument('--deadletter-topic', default=None,
                        help=f'topic for feeds/entries that cannot be read, e.g. {pubsub.DEADLETTER_TOPIC} '
                             '(default: not published, only counted)')
    parser.add_argument('--state', default=None,
                        help='state file (default: $WIREWATCH_STATE_DIR/poller-state.json or '
                             '~/.cache/wirewatch/poller-state.json)')
    parser.add_argument('--archive', default=None, metavar='DIR',
                        help='raw archive of every published item, one Avro file per day, for '
                             'wirewatch replay (default: archive/ beside the state file)')
    parser.add_argument('--no-archive', action='store_true', help='keep no archive')
    parser.add_argument('--archive-retention-days', type=float,
                        default=archive_mod.DEFAULT_RETENTION_DAYS,
                        help='days of archive kept (default: %(default)s; 0 keeps all)')
    parser.add_argument('--once', action='store_true', help='one pass, then exit')
    parser.add_argument('--interval', type=float, default=DEFAULT_INTERVAL_SECONDS,
                        help='seconds between passes (default: %(default)s)')
    parser.add_argument('--timeout', type=float, default=DEFAULT_TIMEOUT_SECONDS,
                        help='seconds per fetch attempt (default: %(default)s)')
    parser.add_argument('--feed-deadline', type=float, default=None, metavar='SECONDS',
                        help='at most this long for one feed, all attempts and waits included '
                             '(default: 3 x --timeout)')
    parser.add_argument('--max-bytes', type=int, default=feed_reader.DEFAULT_MAX_FEED_BYTES,
                        help='largest feed accepted, in bytes (default: %(default)s)')
    parser.add_argument('--retries', type=int, default=DEFAULT_RETRIES,
                        help='extra attempts on 5xx/network errors (default: %(default)s)')
    parser.add_argument('--user-agent', default=USER_AGENT)
    parser.add_argument('--retention-days', type=float, default=DEFAULT_RETENTION_DAYS,
                        help='how long published item ids are remembered (default: %(default)s)')
    parser.add_argument('--emulator-host', default=None,
                        help='Pub/Sub emulator host:port (default: $PUBSUB_EMULATOR_HOST; '
                             'unset means real Google Cloud Pub/Sub)')
    return parser


def run_from_args(args):
    """Run a parsed ``poll``; returns the exit code (0 also when some feeds failed)."""
    sources = [source for group in args.feeds for source in group]
    fetcher = FeedFetcher(timeout=args.timeout, max_bytes=args.max_bytes, retries=args.retries,
                          user_agent=args.user_agent, deadline=args.feed_deadline)
    try:
        total = poll_feeds(sources, topic=args.topic, project=args.project, state_path=args.state,
                           once=args.once, interval=args.interval, deadletter_topic=args.deadletter_topic,
                           fetcher=fetcher, emulator_host=args.emulator_host,
                           retention_days=args.retention_days,
                           archive_dir=False if args.no_archive else args.archive,
                           archive_retention_days=args.archive_retention_days)
    except PollerError as error:
        print(f'wirewatch poll: {error}', file=sys.stderr)
        return 2
    if total.passes > 1:
        print(f'poll: total over {total.passes} passes: {total.line()}', file=sys.stderr)
    return 0


def poll_main(argv=None):
    """Entry point: ``poll_main(['--feed', URL, '--once'])`` -> exit code."""
    parser = add_arguments(argparse.ArgumentParser(
        prog='wirewatch poll', description='Poll feeds and publish each new entry once to Pub/Sub.'))
    return run_from_args(parser.parse_args(argv))


if __name__ == '__main__':
    sys.exit(poll_main())
