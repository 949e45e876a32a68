"""``wirewatch demo``: the live demo on the bundled sample, with everything started for you.

1. start a private Pub/Sub emulator (loopback, free port);
2. serve a *live copy* of the bundled sample feeds over local HTTP: the sample's
   dates are moved forward by whole days so that its newest item is between
   ``FRESHNESS`` and a day plus ``FRESHNESS`` old (a stream judges lateness
   against the clock; two-year-old items would be too late for any window).
   Datelines ("March 6") and weekday names ("on Sunday") in the text move with
   them, so the stories stay consistent. Depending on the time of day the
   newest item lands in today's window, still open, or in yesterday's;
3. ``poll`` the feeds once into the items topic;
4. run ``stream`` until every country and window it has coded events for has a
   summary counting them all, and nothing new has come for a while. A closed
   window's summary comes at once (a LATE pane, or EARLY while the watermark
   catches up); an open window's only when its early trigger fires, up to half
   a minute after ``early_seconds`` on the DirectRunner (its processing-time
   timers wait for the Pub/Sub pull), so the demo waits for it rather than for
   a fixed quiet spell. Then the stream writes out its files and stops;
5. print the latest summary of each country and window, and what was written;
   stop the HTTP server and the emulator.
"""
import calendar
import collections
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

from wirewatch.pipeline.outputs import prepare_output_dir, read_records, summary_table

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


def window_start(moment, window_seconds):
    """Start (UTC) of the fixed event-time window holding ``moment``."""
    seconds = int(moment.timestamp()) // window_seconds * window_seconds
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


def uncovered_windows(events, summaries, window_seconds):
    """(country, window start) pairs with events but no summary counting them all yet.

    An event counts in its country's window of its publication time (events come
    from cluster representatives, whose event time is their own)."""
    from wirewatch.transforms.summarise.core import latest_panes
    want = collections.Counter(
        (e['country'], window_start(e['published_at'], window_seconds))
        for e in events if e.get('country'))
    have = {(s['country'], window_start(s['window_start'], window_seconds)): s['events']
            for s in latest_panes(summaries)}
    return sorted(key for key, n in want.items() if have.get(key, 0) < n)


class OutputWatcher:
    """Collects the stream's Event and CountrySummary messages; done when every country
    and window with events has a summary counting them all (``uncovered_windows``) and
    no new message has come for ``quiet_seconds``."""

    def __init__(self, events_subscription, summaries_subscription, emulator_host,
                 window_seconds, quiet_seconds):
        self.subscriptions = {'Event': events_subscription,
                              'CountrySummary': summaries_subscription}
        self.emulator_host = emulator_host
        self.window_seconds = window_seconds
        self.quiet_seconds = quiet_seconds
        self.received = {'Event': [], 'CountrySummary': []}
        self._last_new = None

    @property
    def events(self):
        return self.received['Event']

    @property
    def summaries(self):
        return self.received['CountrySummary']

    def __call__(self):
        from wirewatch.pipeline import pubsub
        for record_type, subscription in self.subscriptions.items():
            pulled = pubsub.pull_records(subscription, record_type, max_messages=100,
                                         timeout=1, emulator_host=self.emulator_host)
            if pulled:
                self.received[record_type].extend(record for record, _ in pulled)
                self._last_new = time.monotonic()
        return (bool(self.summaries)
                and not uncovered_windows(self.events, self.summaries, self.window_seconds)
                and time.monotonic() - self._last_new >= self.quiet_seconds)


def count_records(output):
    """{folder: records} of every output folder under ``output`` (a local directory)."""
    from wirewatch.transforms.sinks import OUTPUT_FOLDERS
    folders = {folder: os.path.join(output, folder) for folder in OUTPUT_FOLDERS.values()}
    return {folder: len(read_records([path])) if os.path.isdir(path) else 0
            for folder, path in folders.items()}


def run_demo(output, max_seconds=300, early_seconds=5, quiet_seconds=15, log=print):
    """The whole live demo; returns the latest summary per country and window."""
    from wirewatch.pipeline import emulator, pubsub
    from wirewatch.pipeline.options import DAY
    from wirewatch.pipeline.streaming import run_stream
    from wirewatch.transforms.summarise.core import latest_panes
    from wirewatch.pipeline.poller import poll_feeds

    shown = output.rstrip('/') or output
    output = prepare_output_dir(output)
    workdir = tempfile.mkdtemp(prefix='wirewatch-demo-')
    previous_host = os.environ.get('PUBSUB_EMULATOR_HOST')
    project = pubsub.DEFAULT_PROJECT
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
                poll_feeds(urls, project=project,
                           state_path=os.path.join(workdir, 'poller-state.json'),
                           once=True, deadletter_topic=pubsub.DEADLETTER_TOPIC,
                           emulator_host=host, say=lambda m: log('  ' + m))
            watcher = OutputWatcher(
                pubsub.subscription_path(project, f'{pubsub.EVENTS_TOPIC}-sub'),
                pubsub.subscription_path(project, f'{pubsub.SUMMARIES_TOPIC}-sub'),
                host, DAY, quiet_seconds)
            beam_args = ['--window_seconds', str(DAY),
                         '--early_firing_seconds', str(early_seconds),
                         '--file_flush_seconds', str(early_seconds),
                         '--events_topic', pubsub.topic_path(project, pubsub.EVENTS_TOPIC),
                         '--summaries_topic', pubsub.topic_path(project, pubsub.SUMMARIES_TOPIC),
                         '--deadletter_topic', pubsub.topic_path(project, pubsub.DEADLETTER_TOPIC)]
            reason = run_stream(
                pubsub.subscription_path(project, pubsub.ITEMS_SUBSCRIPTION),
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
    missing = uncovered_windows(watcher.events, watcher.summaries, DAY)
    written = ', '.join(f'{folder} {n}' for folder, n in count_records(output).items())
    log(f'\nwirewatch demo: {len(watcher.events)} events and {len(watcher.summaries)} summaries '
        f'received on {pubsub.EVENTS_TOPIC} and {pubsub.SUMMARIES_TOPIC} (stream stopped: {reason})')
    log(f'records in {shown}/: {written} (e.g. `wirewatch read {shown}/events`)')
    if missing:
        log('no summary yet for: ' + ', '.join(f'{c} {d:%Y-%m-%d}' for c, d in missing))
    log(summary_table(latest))
    return latest
