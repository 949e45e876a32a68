"""The feed poller: fetcher (conditional GET, limits, retries, schemes), state, polling logic,
and one integration test against the real Pub/Sub emulator (marker ``emulator``).

No internet: feeds are served by a local ``http.server`` on 127.0.0.1.
"""
import concurrent.futures
import datetime
import gzip
import http.server
import json
import os
import signal
import threading
import time

import pytest

from wirewatch import schemas
from wirewatch.pipeline import emulator, pubsub
from wirewatch.pipeline import poller
from wirewatch.transforms.ingest import feeds
from wirewatch.pipeline.poller import FeedFetcher, FetchError, PollerError, PollState

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'poller')
RSS_LAST_MODIFIED = 'Sun, 09 Jan 2022 15:00:00 GMT'
RSS_ETAG = '"wire-v1"'


def fixture_bytes(name):
    with open(os.path.join(FIXTURES, name), 'rb') as f:
        return f.read()


# ---------------------------------------------------------------- a local feed server

class FeedServer(http.server.ThreadingHTTPServer):
    """Serves fixture feeds with ETag/Last-Modified/304, and a few misbehaving routes."""
    daemon_threads = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), FeedHandler)
        self.requests = []        # (path, headers dict) in arrival order
        self.flaky_failures = 2   # /flaky.xml answers 503 this many times, then the feed
        self.rss_name = 'wire_rss.xml'
        self.rss_etag = RSS_ETAG
        self.lock = threading.Lock()

    @property
    def base(self):
        return f'http://127.0.0.1:{self.server_address[1]}'

    def hits(self, path):
        return [headers for p, headers in self.requests if p == path]


class FeedHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        with server.lock:
            server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = {
            '/feed.xml': self.conditional_feed,
            '/atom.xml': lambda: self.send_body(fixture_bytes('wire_atom.xml'), 'application/atom+xml'),
            '/empty-entry.xml': lambda: self.send_body(fixture_bytes('empty_entry.xml')),
            '/error-page': lambda: self.send_body(fixture_bytes('error_page.html'), 'text/html'),
            '/flaky.xml': self.flaky,
            '/always-503': lambda: self.send_status(503),
            '/not-found': lambda: self.send_status(404),
            '/gzip.xml': self.gzip_encoded,
            '/gzip-file.xml.gz': lambda: self.send_body(gzip.compress(fixture_bytes('wire_rss.xml')),
                                                        'application/gzip'),
            '/gzip-bomb.xml': self.gzip_bomb,
            '/endless': self.endless,
            '/huge-declared': self.huge_declared,
            '/redirect': lambda: self.redirect('/feed.xml'),
            '/redirect-to-file': lambda: self.redirect('file:///etc/passwd'),
            '/slow': self.slow,
        }.get(self.path)
        if route is None:
            self.send_status(404)
        else:
            route()

    def send_body(self, body, content_type='application/rss+xml; charset=utf-8', extra=None):
        self.send_response(200)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def send_status(self, code):
        self.send_response(code)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def conditional_feed(self):
        server = self.server
        if_none_match = self.headers.get('If-None-Match')
        if_modified_since = self.headers.get('If-Modified-Since')
        if (if_none_match == server.rss_etag
                or (if_none_match is None and if_modified_since == RSS_LAST_MODIFIED)):
            self.send_response(304)
            self.send_header('ETag', server.rss_etag)
            self.end_headers()
            return
        self.send_body(fixture_bytes(server.rss_name),
                       extra={'ETag': server.rss_etag, 'Last-Modified': RSS_LAST_MODIFIED})

    def flaky(self):
        with self.server.lock:
            fail = self.server.flaky_failures > 0
            self.server.flaky_failures -= 1
        if fail:
            self.send_status(503)
        else:
            self.send_body(fixture_bytes('wire_rss.xml'))

    def gzip_encoded(self):
        self.send_body(gzip.compress(fixture_bytes('wire_rss.xml')), extra={'Content-Encoding': 'gzip'})

    def gzip_bomb(self):
        self.send_body(gzip.compress(b' ' * (4 * 1024 * 1024)), extra={'Content-Encoding': 'gzip'})

    def endless(self):
        """A body with no Content-Length that never ends (until the client hangs up)."""
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Connection', 'close')
        self.end_headers()
        chunk = b'<!-- padding -->' * 4096
        try:
            for _ in range(10_000):  # 640 MiB at most
                self.wfile.write(chunk)
        except OSError:
            pass
        self.close_connection = True

    def huge_declared(self):
        self.send_response(200)
        self.send_header('Content-Length', str(10 ** 12))
        self.end_headers()
        self.close_connection = True

    def redirect(self, location):
        self.send_response(302)
        self.send_header('Location', location)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def slow(self):
        time.sleep(1.5)
        self.send_body(fixture_bytes('wire_rss.xml'))


@pytest.fixture
def feed_server():
    server = FeedServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def make_fetcher(**kwargs):
    sleeps = []
    kwargs.setdefault('timeout', 5)
    fetcher = FeedFetcher(proxies={}, sleep=sleeps.append, **kwargs)
    fetcher.sleeps = sleeps
    return fetcher


# ---------------------------------------------------------------- fetcher: HTTP

def test_fetch_sends_user_agent_and_returns_validators(feed_server):
    fetcher = make_fetcher(user_agent='wirewatch-test/1.0')
    result = fetcher.fetch(feed_server.base + '/feed.xml')
    assert not result.not_modified
    assert result.data == fixture_bytes('wire_rss.xml')
    assert result.etag == RSS_ETAG
    assert result.last_modified == RSS_LAST_MODIFIED
    assert result.headers['content-type'].startswith('application/rss+xml')
    assert feed_server.hits('/feed.xml')[0]['user-agent'] == 'wirewatch-test/1.0'


def test_fetch_with_matching_etag_is_not_modified(feed_server):
    result = make_fetcher().fetch(feed_server.base + '/feed.xml', etag=RSS_ETAG)
    assert result.not_modified and result.data == b'' and result.http_status == 304
    assert feed_server.hits('/feed.xml')[0]['if-none-match'] == RSS_ETAG


def test_fetch_with_matching_last_modified_is_not_modified(feed_server):
    result = make_fetcher().fetch(feed_server.base + '/feed.xml', last_modified=RSS_LAST_MODIFIED)
    assert result.not_modified
    assert feed_server.hits('/feed.xml')[0]['if-modified-since'] == RSS_LAST_MODIFIED


def test_fetch_with_stale_etag_gets_the_new_body(feed_server):
    result = make_fetcher().fetch(feed_server.base + '/feed.xml', etag='"old"')
    assert not result.not_modified and result.data == fixture_bytes('wire_rss.xml')


def test_fetch_retries_5xx_with_exponential_backoff(feed_server):
    fetcher = make_fetcher(retries=3, backoff=0.5)
    result = fetcher.fetch(feed_server.base + '/flaky.xml')
    assert result.data == fixture_bytes('wire_rss.xml')
    assert len(feed_server.hits('/flaky.xml')) == 3
    assert fetcher.sleeps == [0.5, 1.0]


def test_fetch_gives_up_after_the_retries(feed_server):
    fetcher = make_fetcher(retries=2, backoff=1)
    with pytest.raises(FetchError) as raised:
        fetcher.fetch(feed_server.base + '/always-503')
    assert raised.value.error == 'HTTP_ERROR' and raised.value.http_status == 503
    assert len(feed_server.hits('/always-503')) == 3
    assert fetcher.sleeps == [1, 2]


def test_fetch_does_not_retry_4xx(feed_server):
    fetcher = make_fetcher(retries=3)
    with pytest.raises(FetchError) as raised:
        fetcher.fetch(feed_server.base + '/not-found')
    assert raised.value.http_status == 404 and not raised.value.retryable
    assert len(feed_server.hits('/not-found')) == 1
    assert fetcher.sleeps == []


def test_fetch_retries_connection_errors():
    fetcher = make_fetcher(retries=2, backoff=0.1)
    port = emulator.free_port()
    with pytest.raises(FetchError) as raised:
        fetcher.fetch(f'http://127.0.0.1:{port}/feed.xml')
    assert raised.value.error == 'FETCH_FAILED' and raised.value.retryable
    assert fetcher.sleeps == [0.1, 0.2]


def test_fetch_times_out(feed_server):
    fetcher = make_fetcher(timeout=0.3, retries=0)
    started = time.monotonic()
    with pytest.raises(FetchError) as raised:
        fetcher.fetch(feed_server.base + '/slow')
    assert raised.value.error == 'FETCH_TIMEOUT' and raised.value.retryable
    assert time.monotonic() - started < 1.4


def test_retry_after_is_read_as_seconds_or_an_http_date():
    now = datetime.datetime(2022, 1, 9, 15, 0, tzinfo=datetime.timezone.utc)
    assert poller.parse_retry_after('120', now) == 120.0
    assert poller.parse_retry_after(' 0 ', now) == 0.0
    assert poller.parse_retry_after('Sun, 09 Jan 2022 15:02:30 GMT', now) == 150.0
    assert poller.parse_retry_after('Sun, 09 Jan 2022 14:00:00 GMT', now) == 0.0  # already past
    for unusable in (None, '', 'soon', '-5', '1.5'):
        assert poller.parse_retry_after(unusable, now) is None


def test_retry_waits_for_retry_after_when_it_is_longer_than_the_backoff():
    fetcher = make_fetcher(backoff=1)
    assert [fetcher.retry_delay(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert fetcher.retry_delay(0, retry_after=5) == 5
    assert fetcher.retry_delay(3, retry_after=5) == 8


def test_a_failing_feed_is_left_alone_for_a_growing_interval():
    assert [poller.feed_backoff_seconds(n, base=60) for n in range(1, 9)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert poller.feed_backoff_seconds(10_000, base=60) == 3600  # no overflow
    assert poller.feed_backoff_seconds(1, base=60, retry_after=7200) == 7200
    assert poller.feed_backoff_seconds(1, base=60, retry_after=10 ** 9) == poller.MAX_RETRY_AFTER_SECONDS
    assert poller.feed_backoff_seconds(3, base=60, retry_after=30) == 240


def test_fetch_stops_streaming_at_the_size_limit(feed_server):
    started = time.monotonic()
    with pytest.raises(FetchError) as raised:
        make_fetcher(max_bytes=256 * 1024).fetch(feed_server.base + '/endless')
    assert raised.value.error == 'FEED_TOO_LARGE' and not raised.value.retryable
    assert time.monotonic() - started < 5


def test_fetch_refuses_a_declared_length_over_the_limit(feed_server):
    with pytest.raises(FetchError) as raised:
        make_fetcher(max_bytes=1024).fetch(feed_server.base + '/huge-declared')
    assert raised.value.error == 'FEED_TOO_LARGE'


def test_fetch_accepts_a_body_exactly_at_the_limit(feed_server):
    size = len(fixture_bytes('wire_rss.xml'))
    assert make_fetcher(max_bytes=size).fetch(feed_server.base + '/feed.xml').data
    with pytest.raises(FetchError):
        make_fetcher(max_bytes=size - 1).fetch(feed_server.base + '/feed.xml')


def test_fetch_decodes_gzip_content_encoding(feed_server):
    result = make_fetcher().fetch(feed_server.base + '/gzip.xml')
    assert result.data == fixture_bytes('wire_rss.xml')
    assert 'content-encoding' not in result.headers
    assert feed_server.hits('/gzip.xml')[0]['accept-encoding'] == 'gzip'


def test_fetch_gunzips_a_gzip_file_served_as_is(feed_server):
    assert make_fetcher().fetch(feed_server.base + '/gzip-file.xml.gz').data == fixture_bytes('wire_rss.xml')


def test_fetch_limits_the_size_after_gunzip(feed_server):
    with pytest.raises(FetchError) as raised:
        make_fetcher(max_bytes=1024 * 1024).fetch(feed_server.base + '/gzip-bomb.xml')
    assert raised.value.error == 'FEED_TOO_LARGE'


def test_fetch_follows_http_redirects(feed_server):
    assert make_fetcher().fetch(feed_server.base + '/redirect').data == fixture_bytes('wire_rss.xml')


def test_fetch_refuses_a_redirect_to_a_file_url(feed_server):
    with pytest.raises(FetchError) as raised:
        make_fetcher().fetch(feed_server.base + '/redirect-to-file')
    assert raised.value.error == 'UNSUPPORTED_SCHEME'


@pytest.mark.parametrize('source', ['ftp://example.org/feed.xml', 'data:text/xml,<rss/>',
                                    'gopher://example.org/', 'file://remote.example.org/etc/feed.xml'])
def test_fetch_refuses_other_schemes(source):
    with pytest.raises(FetchError) as raised:
        make_fetcher().fetch(source)
    assert raised.value.error == 'UNSUPPORTED_SCHEME'


# ---------------------------------------------------------------- fetcher: files

def test_fetch_reads_paths_and_file_urls(tmp_path):
    path = tmp_path / 'feed.xml'
    path.write_bytes(fixture_bytes('wire_rss.xml'))
    fetcher = make_fetcher()
    by_path = fetcher.fetch(str(path))
    by_url = fetcher.fetch(path.as_uri())
    assert by_path.data == by_url.data == fixture_bytes('wire_rss.xml')
    assert by_path.etag == by_url.etag and by_path.etag.startswith('file:')


def test_fetch_file_is_not_modified_until_it_changes(tmp_path):
    path = tmp_path / 'feed.xml'
    path.write_bytes(fixture_bytes('wire_rss.xml'))
    fetcher = make_fetcher()
    first = fetcher.fetch(str(path))
    assert fetcher.fetch(str(path), etag=first.etag).not_modified
    path.write_bytes(fixture_bytes('wire_rss_updated.xml'))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10 ** 9))
    assert not fetcher.fetch(str(path), etag=first.etag).not_modified


def test_fetch_file_size_limit_and_gzip(tmp_path):
    path = tmp_path / 'feed.xml.gz'
    path.write_bytes(gzip.compress(fixture_bytes('wire_rss.xml')))
    assert make_fetcher().fetch(str(path)).data == fixture_bytes('wire_rss.xml')
    with pytest.raises(FetchError) as raised:
        make_fetcher(max_bytes=100).fetch(str(path))
    assert raised.value.error == 'FEED_TOO_LARGE'


def test_fetch_missing_file_is_a_fetch_error(tmp_path):
    with pytest.raises(FetchError) as raised:
        make_fetcher().fetch(str(tmp_path / 'missing.xml'))
    assert raised.value.error == 'FETCH_FAILED'


# ---------------------------------------------------------------- state

def test_state_round_trips_and_writes_atomically(tmp_path):
    path = tmp_path / 'sub' / 'state.json'
    state = PollState(path)
    state.mark_seen('id-1')
    state.remember_fetch('http://a/feed', 200, '"e1"', RSS_LAST_MODIFIED)
    state.save()
    assert sorted(os.listdir(path.parent)) == ['state.json']  # no temp file left behind
    loaded = PollState.load(path)
    assert loaded.is_seen('id-1') and not loaded.is_seen('id-2')
    assert loaded.validators('http://a/feed') == ('"e1"', RSS_LAST_MODIFIED)
    assert loaded.validators('http://b/feed') == (None, None)


def test_state_forgets_ids_after_the_retention(tmp_path):
    state = PollState(tmp_path / 'state.json', retention_days=30)
    now = time.time()
    state.mark_seen('old', now - 31 * 86400)
    state.mark_seen('recent', now - 29 * 86400)
    state.save()
    loaded = PollState.load(tmp_path / 'state.json')
    assert not loaded.is_seen('old') and loaded.is_seen('recent')


def test_state_keeps_the_newest_ids_beyond_the_cap(tmp_path):
    state = PollState(tmp_path / 'state.json', max_ids=2)
    now = time.time()
    for age, key in enumerate(['c', 'b', 'a']):
        state.mark_seen(key, now - age)
    state.prune(now)
    assert set(state.seen) == {'c', 'b'}


def test_state_refuses_a_corrupt_file(tmp_path):
    path = tmp_path / 'state.json'
    path.write_text('{"version": 1, "seen": {')
    with pytest.raises(PollerError, match='unreadable'):
        PollState.load(path)
    path.write_text(json.dumps({'version': 99}))
    with pytest.raises(PollerError, match='unknown format'):
        PollState.load(path)


def test_state_from_before_the_backoff_still_loads_and_the_backoff_round_trips(tmp_path):
    path = tmp_path / 'state.json'
    path.write_text(json.dumps({'version': 1, 'seen': {'id-1': time.time()}, 'feeds': {
        'http://a/feed': {'etag': '"e1"', 'last_modified': None, 'last_fetched_at': '2022-01-09T15:00:00Z',
                          'last_status': 200}}}))
    state = PollState.load(path)
    assert state.validators('http://a/feed') == ('"e1"', None)
    assert (state.failures('http://a/feed'), state.backoff_until('http://a/feed')) == (0, None)
    state.remember_failure('http://a/feed', 2, 1641741000.0)
    state.save()
    loaded = PollState.load(path)
    assert (loaded.failures('http://a/feed'), loaded.backoff_until('http://a/feed')) == (2, 1641741000.0)
    assert loaded.validators('http://a/feed') == ('"e1"', None) and loaded.is_seen('id-1')
    loaded.remember_success('http://a/feed')
    assert loaded.feeds['http://a/feed'] == {  # as an older poller wrote it
        'etag': '"e1"', 'last_modified': None, 'last_fetched_at': '2022-01-09T15:00:00Z', 'last_status': 200}


def test_state_lock_refuses_a_second_poller(tmp_path):
    path = tmp_path / 'state.json'
    with poller.state_lock(path):
        with pytest.raises(PollerError, match='another poller'):
            with poller.state_lock(path):
                pass
    with poller.state_lock(path):  # released
        pass


# ---------------------------------------------------------------- polling with a fake publisher

class FakePublisher:
    """Records messages like PublisherClient.publish; ``fail_item_ids`` fail their future."""

    def __init__(self, fail_item_ids=()):
        self.messages = []
        self.fail_item_ids = set(fail_item_ids)

    def publish(self, topic, data, **attributes):
        future = concurrent.futures.Future()
        if attributes.get('item_id') in self.fail_item_ids:
            future.set_exception(RuntimeError('publish refused'))
        else:
            self.messages.append((topic, data, attributes))
            future.set_result(str(len(self.messages)))
        return future

    def records(self, topic_suffix):
        return [(schemas.decode(attrs['schema'], data), attrs)
                for topic, data, attrs in self.messages if topic.endswith(topic_suffix)]


def run_poll(sources, state_path, publisher, **kwargs):
    kwargs.setdefault('fetcher', make_fetcher())
    return poller.poll_feeds(sources, topic='items', project='p', state_path=str(state_path),
                             publisher=publisher, say=lambda _line: None, **kwargs)


def test_poll_publishes_each_entry_once_with_attributes(feed_server, tmp_path):
    publisher = FakePublisher()
    summary = run_poll([feed_server.base + '/feed.xml'], tmp_path / 'state.json', publisher)
    assert (summary.fetched, summary.items_seen, summary.published, summary.already_seen) == (1, 3, 3, 0)
    records = publisher.records('/topics/items')
    assert [r['title'] for r, _ in records] == ['Protesters clash with police in Nairobi',
                                                'Talks resume in Geneva',
                                                'Flood warning issued for river delta']
    for record, attributes in records:
        assert attributes['schema'] == 'FeedItem'
        assert attributes['item_id'] == record['item_id']
        assert record['feed_url'] == feed_server.base + '/feed.xml'
    assert records[0][1]['published_at'] == '2022-01-09T10:00:00Z'
    assert records[1][1]['published_at'] == '2022-01-09T12:30:00Z'  # +0200 converted to UTC
    undated = records[2]
    assert undated[0]['published_at'] is None
    fetched_at = undated[0]['fetched_at']
    assert undated[1]['published_at'] == poller._rfc3339(fetched_at)
    assert undated[1]['published_at'].endswith('Z')


def test_second_poll_is_not_modified_and_publishes_nothing(feed_server, tmp_path):
    publisher = FakePublisher()
    run_poll([feed_server.base + '/feed.xml'], tmp_path / 'state.json', publisher)
    second = run_poll([feed_server.base + '/feed.xml'], tmp_path / 'state.json', publisher)
    assert (second.not_modified, second.published) == (1, 0)
    assert len(publisher.messages) == 3
    assert feed_server.hits('/feed.xml')[1]['if-none-match'] == RSS_ETAG


def test_changed_feed_publishes_only_the_new_entry(feed_server, tmp_path):
    publisher = FakePublisher()
    run_poll([feed_server.base + '/feed.xml'], tmp_path / 'state.json', publisher)
    feed_server.rss_name, feed_server.rss_etag = 'wire_rss_updated.xml', '"wire-v2"'
    second = run_poll([feed_server.base + '/feed.xml'], tmp_path / 'state.json', publisher)
    assert (second.fetched, second.items_seen, second.published, second.already_seen) == (1, 3, 1, 2)
    assert publisher.records('/topics/items')[-1][0]['title'] == 'Ceasefire announced in the north'


def test_feed_without_validators_is_deduplicated_by_item_id(feed_server, tmp_path):
    publisher = FakePublisher()
    run_poll([feed_server.base + '/atom.xml'], tmp_path / 'state.json', publisher)
    second = run_poll([feed_server.base + '/atom.xml'], tmp_path / 'state.json', publisher)
    assert (second.fetched, second.published, second.already_seen) == (1, 0, 2)
    assert len(publisher.messages) == 2


def test_failed_publish_is_not_remembered_and_is_retried(feed_server, tmp_path):
    url = feed_server.base + '/feed.xml'
    ids = [r['item_id'] for k, r in feeds.parse_feed_bytes(
        fixture_bytes('wire_rss.xml'), url, datetime.datetime.now(datetime.timezone.utc)) if k == 'item']
    failing = FakePublisher(fail_item_ids=[ids[1]])
    first = run_poll([url], tmp_path / 'state.json', failing)
    assert (first.published, first.publish_errors) == (2, 1)
    state = PollState.load(tmp_path / 'state.json')
    assert not state.is_seen(ids[1]) and state.is_seen(ids[0])
    assert state.validators(url) == (None, None)  # so the next pass fetches the body again
    healthy = FakePublisher()
    second = run_poll([url], tmp_path / 'state.json', healthy)
    assert (second.fetched, second.published, second.already_seen) == (1, 1, 2)
    assert [a['item_id'] for _, _, a in healthy.messages] == [ids[1]]


def test_dead_letters_go_to_the_deadletter_topic_once(feed_server, tmp_path):
    publisher = FakePublisher()
    sources = [feed_server.base + '/empty-entry.xml', feed_server.base + '/error-page']
    first = run_poll(sources, tmp_path / 'state.json', publisher, deadletter_topic='dead')
    assert (first.published, first.dead_letters, first.dead_letters_published) == (1, 2, 2)
    dead = publisher.records('/topics/dead')
    assert sorted(r['error'] for r, _ in dead) == ['EMPTY_ENTRY', 'NOT_A_FEED']
    assert all(a['schema'] == 'DeadLetter' for _, a in dead)
    second = run_poll(sources, tmp_path / 'state.json', publisher, deadletter_topic='dead')
    assert (second.dead_letters, second.dead_letters_published) == (2, 0)
    assert len(publisher.records('/topics/dead')) == 2


def test_oversized_feed_is_a_dead_letter_and_fetch_errors_are_counted(feed_server, tmp_path):
    publisher = FakePublisher()
    sources = [feed_server.base + '/endless', feed_server.base + '/not-found', feed_server.base + '/feed.xml']
    summary = run_poll(sources, tmp_path / 'state.json', publisher, deadletter_topic='dead',
                       fetcher=make_fetcher(max_bytes=64 * 1024))
    assert (summary.feeds, summary.fetched, summary.fetch_errors, summary.published) == (3, 2, 1, 3)
    assert [r['error'] for r, _ in publisher.records('/topics/dead')] == ['FEED_TOO_LARGE']


def test_local_file_feed_uses_the_same_item_ids_as_the_batch_reader(tmp_path):
    path = tmp_path / 'atom.xml'
    path.write_bytes(fixture_bytes('wire_atom.xml'))
    publisher = FakePublisher()
    run_poll([str(path)], tmp_path / 'state.json', publisher)
    batch_ids = [r['item_id'] for k, r in feeds.read_feed_file(str(path)) if k == 'item']
    assert [r['item_id'] for r, _ in publisher.records('/topics/items')] == batch_ids
    second = run_poll([path.as_uri()], tmp_path / 'state.json', publisher)
    assert second.not_modified == 1  # a path and its file:// URL share one state entry


def test_poll_refuses_unsupported_schemes_before_fetching(tmp_path):
    with pytest.raises(PollerError, match='UNSUPPORTED_SCHEME'):
        run_poll(['ftp://example.org/feed.xml'], tmp_path / 'state.json', FakePublisher())
    assert not (tmp_path / 'state.json').exists()


def test_poll_loop_stops_cleanly_on_sigterm(feed_server, tmp_path):
    publisher = FakePublisher()
    timer = threading.Timer(0.8, os.kill, (os.getpid(), signal.SIGTERM))
    previous = signal.getsignal(signal.SIGTERM)
    timer.start()
    started = time.monotonic()
    try:
        summary = run_poll([feed_server.base + '/feed.xml'], tmp_path / 'state.json', publisher,
                           once=False, interval=0.2)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10
    assert summary.passes >= 2 and summary.published == 3
    assert signal.getsignal(signal.SIGTERM) is previous
    assert PollState.load(tmp_path / 'state.json').seen


def test_poll_loop_stops_when_the_stop_event_is_set(feed_server, tmp_path):
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    summary = run_poll([feed_server.base + '/feed.xml'], tmp_path / 'state.json', FakePublisher(),
                       once=False, interval=60, stop_event=stop)
    assert summary.passes == 1


def test_rfc3339_formatting():
    utc = datetime.timezone.utc
    assert poller._rfc3339(datetime.datetime(2022, 1, 9, 10, 0, tzinfo=utc)) == '2022-01-09T10:00:00Z'
    assert poller._rfc3339(datetime.datetime(2022, 1, 9, 10, 0, 0, 123456, tzinfo=utc)) == '2022-01-09T10:00:00.123Z'
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    assert poller._rfc3339(datetime.datetime(2022, 1, 9, 12, 0, tzinfo=plus_two)) == '2022-01-09T10:00:00Z'


def test_poll_main_reports_a_bad_scheme_in_one_line(capsys, tmp_path):
    assert poller.poll_main(['--feed', 'ftp://x/feed', '--once', '--state', str(tmp_path / 's.json')]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith('wirewatch poll: UNSUPPORTED_SCHEME') and '\n' not in err


# ---------------------------------------------------------------- against the real emulator

@pytest.fixture(scope='module')
def emulator_host():
    try:
        emulator.find_emulator()
        emulator.find_java()
    except emulator.EmulatorError as error:
        pytest.skip(f'Pub/Sub emulator unavailable: {error}')
    with emulator.running_emulator() as host:
        yield host


@pytest.mark.emulator
def test_poll_to_the_emulator_and_pull_feed_items(feed_server, tmp_path, emulator_host):
    url = feed_server.base + '/feed.xml'
    subscription = pubsub.subscription_path(pubsub.DEFAULT_PROJECT, pubsub.ITEMS_SUBSCRIPTION)
    state_path = tmp_path / 'state.json'
    argv = ['--feed', url, feed_server.base + '/empty-entry.xml', '--once', '--state', str(state_path),
            '--emulator-host', emulator_host, '--deadletter-topic', pubsub.DEADLETTER_TOPIC]
    assert poller.poll_main(argv) == 0

    pulled = pubsub.pull_records(subscription, 'FeedItem', max_messages=4, timeout=20,
                                 emulator_host=emulator_host)
    by_title = {record['title']: (record, attributes) for record, attributes in pulled}
    assert sorted(by_title) == ['Flood warning issued for river delta', 'Protesters clash with police in Nairobi',
                                'Strike closes the port', 'Talks resume in Geneva']
    nairobi, attributes = by_title['Protesters clash with police in Nairobi']
    assert schemas.is_valid('FeedItem', nairobi)
    assert nairobi['published_at'] == datetime.datetime(2022, 1, 9, 10, 0, tzinfo=datetime.timezone.utc)
    assert attributes == {**schemas.message_attributes('FeedItem'), 'item_id': nairobi['item_id'],
                          'published_at': '2022-01-09T10:00:00Z'}
    assert attributes['schema'] == 'FeedItem'
    dead = pubsub.pull_records(pubsub.subscription_path(pubsub.DEFAULT_PROJECT, 'wirewatch-deadletter-sub'),
                               'DeadLetter', max_messages=1, timeout=20, emulator_host=emulator_host)
    assert [record['error'] for record, _ in dead] == ['EMPTY_ENTRY']

    # A restart with the same state publishes nothing new, even when the server ignores validators.
    feed_server.rss_etag = '"wire-v1-again"'
    assert poller.poll_main(argv) == 0
    assert pubsub.pull_records(subscription, 'FeedItem', max_messages=10, timeout=3,
                               emulator_host=emulator_host) == []  # nor anything left from the first poll
    assert len(feed_server.hits('/feed.xml')) == 2


@pytest.mark.emulator
def test_poll_main_fails_in_one_line_for_a_missing_topic(feed_server, tmp_path, emulator_host, capsys):
    argv = ['--feed', feed_server.base + '/feed.xml', '--once', '--state', str(tmp_path / 's.json'),
            '--emulator-host', emulator_host, '--topic', 'no-such-topic']
    assert poller.poll_main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert 'no-such-topic does not exist' in err and '\n' not in err


def test_state_is_saved_only_when_something_changed(feed_server, tmp_path, monkeypatch):
    publisher = FakePublisher()
    url = feed_server.base + '/feed.xml'
    run_poll([url], tmp_path / 'state.json', publisher)
    saves = []
    original_save = PollState.save
    monkeypatch.setattr(PollState, 'save', lambda self: (saves.append(self.dirty), original_save(self))[1])
    run_poll([url, feed_server.base + '/atom.xml'], tmp_path / 'state.json', publisher)
    # 304 feed: no save; atom feed published 2 items: one save; end of pass and exit: two more
    assert saves == [True, False, False]
