"""Fault test for the poller (issue 12, reliability): one loopback feed server that
misbehaves in every way listed below, polled next to healthy feeds.

Each bad feed must be reported with its reason and counted, retries must follow the
backoff (sleeps are recorded, not slept), every feed must end within its deadline so
the pass does, a feed that failed must be left alone for a growing interval across
passes, and one that recovers must publish its items once. The server ends every
handler when a test ends, and a dripping handler stops by itself after DRIP_SECONDS,
so a regression fails the time bound instead of hanging the suite.
"""
import collections
import concurrent.futures
import gzip
import http.server
import threading
import time

import pytest

from wirewatch import schemas
from wirewatch.pipeline import poller
from wirewatch.pipeline.poller import FeedFetcher, FeedPoller, PollState

TIMEOUT = 0.4       # seconds per attempt
DEADLINE = 2.0      # seconds per feed and pass, attempts and (virtual) waits included
RETRIES = 2
BACKOFF = 0.25      # so the waits are 0.25 s, then 0.5 s
MAX_BYTES = 64 * 1024
DRIP_SECONDS = 10   # a drip or a stall ends by itself after this long
# Three feeds can take up to their deadline (the stall and the two drips); the rest answer at once.
PASS_BOUND_SECONDS = 3 * DEADLINE + 4
ITEMS, DEAD = 'projects/p/topics/items', 'projects/p/topics/dead'
NOW = 1_700_000_000.0  # the poller's wall clock at the first pass (unix seconds)


def rss(desk, count=2):
    """A small RSS 2.0 feed of an invented desk, with guids of its own."""
    items = ''.join(
        f'<item><title>{desk} bulletin {i}</title><link>http://{desk}.example.org/{i}</link>'
        f'<guid isPermaLink="false">{desk}-{i}</guid><pubDate>Sun, 09 Jan 2022 1{i}:00:00 GMT</pubDate>'
        f'<description>Bulletin {i} of the {desk} desk.</description></item>' for i in range(count))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{desk}</title>'
            f'<link>http://{desk}.example.org/</link>{items}</channel></rss>').encode()


TRUNCATED_GZIP = gzip.compress(rss('truncated'))[:150]

# path -> the FetchError code it is reported with (fetch errors, counted as errors)
FETCH_FAILURES = {
    '/always-500': 'HTTP_ERROR',
    '/500-then-200': 'HTTP_ERROR',       # fails the whole first pass, then recovers
    '/503-retry-after': 'HTTP_ERROR',    # Retry-After: 1
    '/503-retry-later': 'HTTP_ERROR',    # Retry-After: 3600
    '/stall': 'FETCH_TIMEOUT',           # answers nothing past the timeout
    '/drip': 'FETCH_TIMEOUT',            # a body byte every 50 ms, for ever
    '/drip-headers': 'FETCH_TIMEOUT',    # a header byte every 50 ms, for ever
    '/redirect-loop': 'REDIRECT_LOOP',
    '/redirect-to-ftp': 'UNSUPPORTED_SCHEME',
    '/redirect-malformed': 'BAD_REDIRECT',
}
# path -> the dead letter it becomes (read, but unusable)
DEAD_LETTERS = {
    '/endless': 'FEED_TOO_LARGE',            # no Content-Length, never ends
    '/endless-declared': 'FEED_TOO_LARGE',   # Content-Length past the limit, never ends
    '/truncated-gzip': 'UNREADABLE_FEED',
}
HEALTHY = ['/healthy', '/500-once']  # '/500-once' recovers within the pass
PATHS = HEALTHY + list(FETCH_FAILURES) + list(DEAD_LETTERS)


class FaultyServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), FaultyHandler)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.hits = collections.Counter()
        self.failures_left = {'/500-once': 1, '/500-then-200': RETRIES + 1}

    def url(self, path):
        return f'http://127.0.0.1:{self.server_address[1]}{path}'


class FaultyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        with self.server.lock:
            self.server.hits[self.path] += 1
        try:
            {
                '/healthy': lambda: self.send_feed(rss('healthy')),
                '/500-once': self.fail_then_serve,
                '/500-then-200': self.fail_then_serve,
                '/always-500': lambda: self.send_status(500),
                '/503-retry-after': lambda: self.send_status(503, {'Retry-After': '1'}),
                '/503-retry-later': lambda: self.send_status(503, {'Retry-After': '3600'}),
                '/stall': self.stall,
                '/drip': self.drip_body,
                '/drip-headers': self.drip_headers,
                '/redirect-loop': lambda: self.redirect('/redirect-loop-2'),
                '/redirect-loop-2': lambda: self.redirect('/redirect-loop'),
                '/redirect-to-ftp': lambda: self.redirect('ftp://files.example.org/feed.xml'),
                '/redirect-malformed': lambda: self.redirect('http://[::1/feed.xml'),
                '/endless': lambda: self.endless(None),
                '/endless-declared': lambda: self.endless(10 ** 9),
                '/truncated-gzip': lambda: self.send_feed(TRUNCATED_GZIP, {'Content-Encoding': 'gzip'}),
            }.get(self.path, lambda: self.send_status(404))()
        except OSError:  # the poller hung up (a cut-off drip, a body past the limit)
            self.close_connection = True

    def send_feed(self, body, extra=None):
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Content-Length', str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def send_status(self, code, extra=None):
        self.send_response(code)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def fail_then_serve(self):
        with self.server.lock:
            fail = self.server.failures_left[self.path] > 0
            self.server.failures_left[self.path] -= 1
        if fail:
            self.send_status(500)
        else:
            self.send_feed(rss(self.path.strip('/')))

    def stall(self):
        if not self.server.stopping.wait(DRIP_SECONDS):
            self.send_feed(rss('stall'))

    def drip(self, data):
        """Send ``data`` one byte every 50 ms, over and over, until stopped."""
        ends = time.monotonic() + DRIP_SECONDS
        while time.monotonic() < ends:
            for byte in data:
                self.wfile.write(bytes([byte]))
                if self.server.stopping.wait(0.05) or time.monotonic() >= ends:
                    break
        self.close_connection = True

    def drip_body(self):
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Connection', 'close')
        self.end_headers()
        self.drip(rss('drip'))

    def drip_headers(self):
        self.wfile.write(b'HTTP/1.1 200 OK\r\nX-Padding: ')
        self.drip(b'pad')

    def endless(self, declared_length):
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        if declared_length is not None:
            self.send_header('Content-Length', str(declared_length))
        self.send_header('Connection', 'close')
        self.end_headers()
        chunk = b'<!-- endless -->' * 1024
        for _ in range(4096):  # 64 MiB at most
            if self.server.stopping.is_set():
                break
            self.wfile.write(chunk)
        self.close_connection = True

    def redirect(self, location):
        self.send_response(302)
        self.send_header('Location', location)
        self.send_header('Content-Length', '0')
        self.end_headers()


@pytest.fixture
def server():
    faulty = FaultyServer()
    thread = threading.Thread(target=faulty.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield faulty
    faulty.stopping.set()
    faulty.shutdown()
    faulty.server_close()


class VirtualTime:
    """Backoff waits are recorded per feed, not slept; the fetcher's clock runs on by the
    time they would have taken, so the deadline still counts them."""

    def __init__(self):
        self.slept = 0.0
        self.sleeps = collections.defaultdict(list)  # source -> [seconds, ...]
        self.source = None

    def sleep(self, seconds):
        self.sleeps[self.source].append(seconds)
        self.slept += seconds

    def clock(self):
        return time.monotonic() + self.slept


class RecordingFetcher(FeedFetcher):
    """A FeedFetcher on virtual time that knows which feed each wait is for."""

    def __init__(self, virtual, **kwargs):
        super().__init__(timeout=TIMEOUT, deadline=DEADLINE, retries=RETRIES, backoff=BACKOFF,
                         max_bytes=MAX_BYTES, proxies={}, sleep=virtual.sleep, clock=virtual.clock, **kwargs)
        self.virtual = virtual

    def fetch(self, source, etag=None, last_modified=None):
        self.virtual.source = source
        return super().fetch(source, etag, last_modified)


class FakePublisher:
    """Records messages like PublisherClient.publish; every future succeeds."""

    def __init__(self):
        self.messages = []

    def publish(self, topic, data, **attributes):
        self.messages.append((topic, data, attributes))
        future = concurrent.futures.Future()
        future.set_result(str(len(self.messages)))
        return future

    def records(self, topic):
        return [schemas.decode(attrs['schema'], data) for t, data, attrs in self.messages if t == topic]


def said_about(said, url):
    return [line for line in said if line.startswith(f'poll: {url}: ')]


def test_misbehaving_feeds_are_reported_backed_off_and_do_not_stop_the_others(server, tmp_path):
    now = [NOW]
    virtual, publisher, said = VirtualTime(), FakePublisher(), []
    state = PollState(tmp_path / 'state.json')
    feed_poller = FeedPoller(state, ITEMS, DEAD, publisher=publisher, fetcher=RecordingFetcher(virtual),
                             say=said.append, clock=lambda: now[0])
    url = server.url
    sources = [url(path) for path in PATHS]

    started = time.monotonic()
    first = feed_poller.poll_once(sources)
    assert time.monotonic() - started < PASS_BOUND_SECONDS  # no feed holds the pass (a drip did, forever)

    # The healthy feeds' items are published; each bad feed is counted once, by kind.
    assert sorted(r['title'] for r in publisher.records(ITEMS)) == [
        '500-once bulletin 0', '500-once bulletin 1', 'healthy bulletin 0', 'healthy bulletin 1']
    assert (first.feeds, first.fetched, first.fetch_errors, first.published, first.backed_off) == (
        len(PATHS), len(HEALTHY) + len(DEAD_LETTERS), len(FETCH_FAILURES), 4, 0)
    assert (first.dead_letters, first.dead_letters_published) == (3, 3)
    dead = publisher.records(DEAD)
    assert sorted((d['source'], d['error']) for d in dead) == sorted(
        (url(path), error) for path, error in DEAD_LETTERS.items())
    assert [d['payload'] for d in dead if d['error'] == 'UNREADABLE_FEED'] == [TRUNCATED_GZIP]

    # Each bad feed is reported once, with its reason and when it will be tried again.
    for path, error in {**FETCH_FAILURES, **DEAD_LETTERS}.items():
        lines = said_about(said, url(path))
        assert len(lines) == 1 and lines[0].startswith(f'poll: {url(path)}: {error}: '), (path, said)
    assert said_about(said, url('/healthy')) == said_about(said, url('/500-once')) == []
    assert 'Retry-After 3600 s' in said_about(said, url('/503-retry-later'))[0]
    assert said_about(said, url('/503-retry-later'))[0].endswith('failed 1 pass(es) in a row, next try in 3600 s')
    assert said_about(said, url('/always-500'))[0].endswith(
        '(3 attempts); failed 1 pass(es) in a row, next try in 60 s')

    # Retries follow the backoff: 0.25 s, then 0.5 s; a longer Retry-After wins, and no
    # wait is made that would pass 60 s or the feed's deadline; errors that cannot
    # improve (redirects, limits, corrupt bodies) are not retried.
    sleeps = virtual.sleeps
    assert sleeps[url('/always-500')] == sleeps[url('/500-then-200')] == [0.25, 0.5]
    assert server.hits['/always-500'] == server.hits['/500-then-200'] == 3
    assert sleeps[url('/500-once')] == [0.25] and server.hits['/500-once'] == 2
    assert sleeps[url('/503-retry-after')] == [1.0] and server.hits['/503-retry-after'] == 2
    assert sleeps[url('/503-retry-later')] == [] and server.hits['/503-retry-later'] == 1
    for path in ('/stall', '/drip', '/drip-headers'):  # as many waits as fit in the deadline
        assert sleeps[url(path)] in ([0.25], [0.25, 0.5]), path
    for path in ['/healthy', '/redirect-loop', '/redirect-to-ftp', '/redirect-malformed', *DEAD_LETTERS]:
        assert sleeps[url(path)] == [], path
    assert server.hits['/redirect-loop'] + server.hits['/redirect-loop-2'] <= 12

    # Every failed feed is held back: 60 s after a first failure, or what Retry-After asked.
    for path in [*FETCH_FAILURES, *DEAD_LETTERS]:
        key = url(path)
        expected_hold = 3600 if path == '/503-retry-later' else 60
        assert (state.failures(key), state.backoff_until(key)) == (1, NOW + expected_hold), path
    assert state.failures(url('/healthy')) == 0 and state.backoff_until(url('/healthy')) is None

    # A minute later: the feed that asked for an hour is left alone, the others are tried
    # again; the one that recovered publishes its items, the rest fail a second time.
    now[0] = NOW + 61
    hits_before = server.hits.copy()
    said.clear()
    second = feed_poller.poll_once(sources)
    assert second.backed_off == 1 and server.hits['/503-retry-later'] == hits_before['/503-retry-later']
    assert server.hits['/always-500'] == hits_before['/always-500'] + 3
    assert [r['title'] for r in publisher.records(ITEMS)[4:]] == ['500-then-200 bulletin 0',
                                                                  '500-then-200 bulletin 1']
    assert (second.published, second.already_seen, second.dead_letters_published) == (2, 4, 0)
    assert second.fetch_errors == len(FETCH_FAILURES) - 2
    assert state.failures(url('/500-then-200')) == 0 and state.backoff_until(url('/500-then-200')) is None
    assert (state.failures(url('/always-500')), state.backoff_until(url('/always-500'))) == (2, NOW + 61 + 120)
    assert said_about(said, url('/always-500'))[0].endswith('failed 2 pass(es) in a row, next try in 120 s')

    # Another minute: the feeds that failed twice wait 120 s now, so only the three good
    # ones are fetched, and nothing is published twice.
    now[0] = NOW + 122
    hits_before = server.hits.copy()
    third = feed_poller.poll_once(sources)
    assert (third.fetched, third.fetch_errors, third.backed_off) == (3, 0, len(PATHS) - 3)
    assert (third.published, third.already_seen) == (0, 6)
    assert server.hits - hits_before == collections.Counter({'/healthy': 1, '/500-once': 1, '/500-then-200': 1})

    # The backoff is in the state file, for the next poller.
    reloaded = PollState.load(tmp_path / 'state.json')
    assert reloaded.failures(url('/always-500')) == 2
    assert reloaded.backoff_until(url('/503-retry-later')) == NOW + 3600


def test_a_restarted_poller_leaves_failing_feeds_alone_and_keeps_polling_the_others(server, tmp_path):
    """``wirewatch poll --once`` from cron: the backoff survives in the state file."""
    sources = [server.url(path) for path in ('/drip', '/always-500', '/redirect-loop', '/healthy')]
    state_path = tmp_path / 'state.json'

    def poll(said):
        return poller.poll_feeds(sources, topic='items', project='p', state_path=str(state_path),
                                 publisher=publisher, fetcher=RecordingFetcher(VirtualTime()),
                                 say=said.append)

    publisher, said = FakePublisher(), []
    started = time.monotonic()
    first = poll(said)
    assert time.monotonic() - started < DEADLINE + 4
    assert (first.fetched, first.fetch_errors, first.published) == (1, 3, 2)
    assert sorted(line.split(': ')[2] for line in said if line.startswith('poll: http')) == [
        'FETCH_TIMEOUT', 'HTTP_ERROR', 'REDIRECT_LOOP']
    assert any(line.startswith('poll: feeds 4: fetched 1, not modified 0, errors 3, backed off 0;')
               for line in said)

    hits_before = server.hits.copy()
    second = poll([])
    assert (second.fetched, second.fetch_errors, second.backed_off, second.published) == (1, 0, 3, 0)
    assert server.hits - hits_before == collections.Counter({'/healthy': 1})


def test_an_unforeseen_error_on_one_feed_does_not_stop_the_pass(server, tmp_path):
    class BrokenForOneFeed(RecordingFetcher):
        def fetch(self, source, etag=None, last_modified=None):
            if source.endswith('/always-500'):
                raise RuntimeError('parser exploded')
            return super().fetch(source, etag, last_modified)

    publisher, said = FakePublisher(), []
    state = PollState(tmp_path / 'state.json')
    feed_poller = FeedPoller(state, ITEMS, publisher=publisher, fetcher=BrokenForOneFeed(VirtualTime()),
                             say=said.append, clock=lambda: NOW)
    summary = feed_poller.poll_once([server.url('/always-500'), server.url('/healthy')])
    assert (summary.fetch_errors, summary.published) == (1, 2)
    assert said_about(said, server.url('/always-500'))[0].startswith(
        f'poll: {server.url("/always-500")}: FETCH_FAILED: unexpected RuntimeError: parser exploded')
    assert state.failures(server.url('/always-500')) == 1
