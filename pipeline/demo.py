"""``wirewatch demo``: the live demo on the bundled sample, with everything started for you.

1. start a private Pub/Sub emulator (loopback, free port);
2. serve a *live copy* of the bundled sample feeds over local HTTP: the sample's
   dates are moved forward by whole days so that its newest item is a few
   minutes old (a stream judges lateness against the clock; two-year-old items
   would be too late for any window). Datelines ("March 6") and weekday names
   ("on Sunday") in the text move with them, so the stories stay consistent;
3. ``poll`` the feeds once into the items topic;
4. run ``stream`` until the sample's summaries have arrived on the summaries
   topic and gone quiet, then print them;
5. stop the stream, the HTTP server and the emulator.
"""
import calendar
import contextlib
import datetime
import email.utils
import functools
import http.server
import os
import re
import shutil
import tempfile
import threading
import time

SAMPLE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sample')
LIVE_FEEDS = ('wire-desk.xml', 'daily-herald.xml', 'wire-desk-next-snapshot.xml',
              'broken-capture.xml')
FRESHNESS = datetime.timedelta(minutes=10)

_MONTHS = '|'.join(calendar.month_name[1:])
_WEEKDAYS = list(calendar.day_name)
_RFC822 = re.compile(r'<pubDate>([^<]+)</pubDate>')
_RFC3339 = re.compile(r'(<(?:published|updated)>)(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)(</)')
_MONTH_DAY = re.compile(rf'\b({_MONTHS}) (\d{{1,2}})\b')
_WEEKDAY = re.compile(r'\b(' + '|'.join(_WEEKDAYS) + r')\b')


def sample_dates(text):
    """Every publication time in a feed's text (RFC 822 and RFC 3339), as UTC datetimes."""
    dates = [email.utils.parsedate_to_datetime(m.group(1)) for m in _RFC822.finditer(text)]
    dates += [datetime.datetime.strptime(m.group(2), '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc) for m in _RFC3339.finditer(text)]
    return dates


def days_to_shift(newest, now):
    """Whole days that bring ``newest`` to at most ``FRESHNESS`` before ``now``."""
    days = (now - FRESHNESS - newest).days
    return max(days, 0)


def shift_feed_text(text, days, year):
    """The feed with its dates, dateline dates and weekday names moved ``days`` forward."""
    delta = datetime.timedelta(days=days)

    def rfc822(m):
        moved = email.utils.parsedate_to_datetime(m.group(1)) + delta
        return f'<pubDate>{email.utils.format_datetime(moved, usegmt=True)}</pubDate>'

    def rfc3339(m):
        moved = datetime.datetime.strptime(m.group(2), '%Y-%m-%dT%H:%M:%SZ') + delta
        return f'{m.group(1)}{moved:%Y-%m-%dT%H:%M:%SZ}{m.group(3)}'

    def month_day(m):
        moved = datetime.date(year, list(calendar.month_name).index(m.group(1)),
                              int(m.group(2))) + delta
        return f'{calendar.month_name[moved.month]} {moved.day}'

    def weekday(m):
        return _WEEKDAYS[(_WEEKDAYS.index(m.group(1)) + days) % 7]

    text = _RFC822.sub(rfc822, text)
    text = _RFC3339.sub(rfc3339, text)
    text = _MONTH_DAY.sub(month_day, text)
    return _WEEKDAY.sub(weekday, text)


def write_live_sample(target_dir, now=None):
    """Copy the sample feeds into ``target_dir`` with dates made fresh; returns the file names."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    texts = {}
    for name in LIVE_FEEDS:
        with open(os.path.join(SAMPLE_DIR, name), encoding='utf-8') as f:
            texts[name] = f.read()
    all_dates = [d for t in texts.values() for d in sample_dates(t)]
    newest = max(all_dates)
    days = days_to_shift(newest, now)
    for name, text in texts.items():
        with open(os.path.join(target_dir, name), 'w', encoding='utf-8') as f:
            f.write(shift_feed_text(text, days, newest.year))
    return list(texts)


@contextlib.contextmanager
def serve_directory(directory):
    """An HTTP server on 127.0.0.1 (free port) serving ``directory``; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}'
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class SummaryWatcher:
    """Collects CountrySummary messages from a subscription; done after a quiet spell."""

    def __init__(self, subscription, emulator_host, quiet_seconds):
        self.subscription = subscription
        self.emulator_host = emulator_host
        self.quiet_seconds = quiet_seconds
        self.summaries = []
        self._last_new = None

    def __call__(self):
        from wirewatch.pipeline import pubsub
        pulled = pubsub.pull_records(self.subscription, 'CountrySummary', max_messages=100,
                                     timeout=1, emulator_host=self.emulator_host)
        if pulled:
            self.summaries.extend(record for record, _ in pulled)
            self._last_new = time.monotonic()
        return (self._last_new is not None
                and time.monotonic() - self._last_new >= self.quiet_seconds)


def run_demo(output, max_seconds=300, early_seconds=5, quiet_seconds=25, log=print):
    """The whole live demo; returns the latest summary per country and window."""
    from wirewatch.pipeline import emulator, pubsub
    from wirewatch.pipeline.cli import prepare_output_dir, summary_table
    from wirewatch.pipeline.streaming import run_stream
    from wirewatch.transforms.summarise.core import latest_panes
    from wirewatch.transforms.ingest.poller import poll_feeds

    output = prepare_output_dir(output)
    workdir = tempfile.mkdtemp(prefix='wirewatch-demo-')
    previous_host = os.environ.get('PUBSUB_EMULATOR_HOST')
    try:
        log('wirewatch demo: starting the Pub/Sub emulator (loopback) ...')
        with emulator.running_emulator() as host:
            os.environ['PUBSUB_EMULATOR_HOST'] = host
            log(f'  emulator at {host}; topics and subscriptions created')
            feed_dir = os.path.join(workdir, 'feeds')
            os.makedirs(feed_dir)
            names = write_live_sample(feed_dir)
            with serve_directory(feed_dir) as base_url:
                urls = [f'{base_url}/{name}' for name in names]
                log(f'  serving {len(urls)} sample feeds (dates made fresh) at {base_url}/')
                poll_feeds(urls, project=pubsub.DEFAULT_PROJECT,
                           state_path=os.path.join(workdir, 'poller-state.json'),
                           once=True, deadletter_topic=pubsub.DEADLETTER_TOPIC,
                           emulator_host=host, say=lambda m: log('  ' + m))
            watcher = SummaryWatcher(
                pubsub.subscription_path(pubsub.DEFAULT_PROJECT, f'{pubsub.SUMMARIES_TOPIC}-sub'),
                host, quiet_seconds)
            beam_args = ['--early_firing_seconds', str(early_seconds),
                         '--file_flush_seconds', str(early_seconds),
                         '--events_topic', pubsub.topic_path(pubsub.DEFAULT_PROJECT, pubsub.EVENTS_TOPIC),
                         '--summaries_topic', pubsub.topic_path(pubsub.DEFAULT_PROJECT, pubsub.SUMMARIES_TOPIC),
                         '--deadletter_topic', pubsub.topic_path(pubsub.DEFAULT_PROJECT, pubsub.DEADLETTER_TOPIC)]
            reason = run_stream(
                pubsub.subscription_path(pubsub.DEFAULT_PROJECT, pubsub.ITEMS_SUBSCRIPTION),
                output, beam_args, max_seconds=max_seconds, until=watcher,
                log=lambda m: log('  ' + m))
        log('  emulator stopped')
    finally:
        if previous_host is None:
            os.environ.pop('PUBSUB_EMULATOR_HOST', None)
        else:
            os.environ['PUBSUB_EMULATOR_HOST'] = previous_host
        shutil.rmtree(workdir, ignore_errors=True)
    latest = latest_panes(watcher.summaries)
    log(f'\nwirewatch demo: {len(watcher.summaries)} summary messages received on '
        f'{pubsub.SUMMARIES_TOPIC} (stream stopped: {reason}); outputs in {output}/'
        '{stories,events,summaries,deadletter}/')
    log(summary_table(latest))
    return latest
