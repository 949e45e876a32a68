"""Streaming latency on the local Pub/Sub emulator: from ``poll`` publishing an item to its
first appearance on the output topics and in the stream's output files.

Usage: python bench/stream_latency.py [--items 50] [--interval 4] [--tries NAME,...]
                                      [--max-minutes 10] [--fill-interval 2] [--json OUT]
                                      [--keep DIR] [--no-write]
       (exits 0 with a message when Java or the emulator is absent)

One private emulator on a free loopback port; several ``wirewatch stream`` processes
("tries", each with its own input subscription, output topics and output folder) run side
by side and read the same items, so their figures are comparable within one run. After a
warm-up item has reached every try's events topic (spaCy and the gazetteer are loaded by
then), ``--items`` generated RSS items are polled, one every ``--interval`` seconds, with
the poller's own code (``poll_feeds`` on a local feed file; the time an item is published
is when the poll that published it returned, i.e. when the emulator acknowledged it). Each
item is a short invented protest/clash story in a distinct invented town (checked absent
from the gazetteer), the countries rotating over ten, so that each gives events in one
country. For every item and try the script records, on its own subscriptions and by
watching the output folder every 0.5 s:

- events topic / events files: the first Event whose ``source_url`` is the item's link;
- summaries topic / summaries files: the first CountrySummary of the item's country and day
  whose ``articles`` reach the item (the n-th item of a country-day is counted once a pane
  of that country-day has ``articles >= n``; items reach the stream in publication order).

Reported: p50 and p95 (nearest rank) in seconds per try and output; an item not seen by
the end counts as later than everything (so p95 reads "> T" when more than 5 % are
missing). Also each stream's CPU seconds while the items were measured: the tries share
the machine's cores, so a busy try slows the others a little (compare within one run).
Tries (``--tries``; default ``defaults,early5,early5-fill,early5-patched``):

- ``defaults``: ``wirewatch stream`` as shipped (``--early_firing_seconds 60``,
  ``--file_flush_seconds 10``).
- ``early5``: ``--early_firing_seconds 5 --file_flush_seconds 5``.
- ``early5-fill``: as ``early5``, and its input also gets a filler message every
  ``--fill-interval`` s (a message of another schema, which the stream dead-letters at
  decode), so that the runner's Pub/Sub pull never waits long on an empty subscription:
  what "publishing continuously" buys. The runner cannot keep up with that many messages
  (see BENCHMARKS.md), so this stream runs at nice 10, to slow the other tries less.
- ``early5-pull2s``, ``early5-specs``, ``early5-patched`` (both): as ``early5`` with Beam
  patched in the stream's own process, to measure code changes; not options of Beam or
  wirewatch, and no pipeline code is changed. ``pull2s``: the DirectRunner's Pub/Sub pull
  deadline cut from 30 s to 2 s (the emulator then holds an empty pull 1 s instead of 29 s,
  and the runner's only executor thread with it). ``specs``: ``userstate.get_dofn_specs``
  remembered per DoFn class (the DirectRunner recomputes it with ``inspect.signature``
  several times per bundle). See ``wirewatch.pipeline.direct_runner`` (``short_pull``, ``cache_dofn_specs``), which ``wirewatch stream`` now applies by default; the bench's tries choose them explicitly.

The whole run is bounded by ``--max-minutes`` (the tail wait is cut to fit); the streams and
the emulator run in their own process groups and are stopped on exit, errors and signals.
Loopback only. Writes its section of BENCHMARKS.md unless ``--no-write``.
"""
import argparse
import collections
import contextlib
import datetime as dt
import email.utils
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SECTION = 'stream-latency'
COMMAND = 'python bench/stream_latency.py'
HOST = '127.0.0.1'
ITEMS_TOPIC = 'wirewatch-items'
FILL_TOPIC = 'bench-fill-items'
GOAL_P95 = 60.0
SCAN_SECONDS = 0.5
FILL_NICE = 10              # a filled try cannot keep up; at nice 10 it slows the others less
SHUTDOWN_RESERVE = 45.0     # seconds kept at the end of the budget for stopping everything
WARMUP_LIMIT = 240.0        # at most this long for the warm-up item to reach every try
OUTPUTS = ('events topic', 'summaries topic', 'events files', 'summaries files')

# name -> (stream flags, filler on its input, bench-only Beam patches for the child, label)
EARLY5 = ['--early_firing_seconds', '5', '--file_flush_seconds', '5']
TRIES = collections.OrderedDict([
    ('defaults', ([], False, [], 'stream defaults (early 60 s, flush 10 s)')),
    ('early5', (EARLY5, False, [], '--early_firing_seconds 5 --file_flush_seconds 5')),
    ('early5-fill', (EARLY5, True, [], 'early5 + filler message every {fill:g} s (nice 10)')),
    ('early5-pull2s', (EARLY5, False, ['--pull-timeout', '2'],
                       'early5 + Beam pull deadline 2 s (bench patch)')),
    ('early5-specs', (EARLY5, False, ['--cache-dofn-specs'],
                      'early5 + DoFn specs cached (bench patch)')),
    ('early5-patched', (EARLY5, False, ['--cache-dofn-specs', '--pull-timeout', '2'],
                        'early5 + specs cached + pull 2 s (bench patches)')),
])
DEFAULT_TRIES = ('defaults', 'early5', 'early5-fill', 'early5-patched')

# ------------------------------------------------------------------ invented stories

COUNTRIES = [('Chile', 'CHL'), ('Peru', 'PER'), ('Kenya', 'KEN'), ('Nigeria', 'NGA'),
             ('Ghana', 'GHA'), ('Bolivia', 'BOL'), ('Ecuador', 'ECU'), ('Colombia', 'COL'),
             ('Philippines', 'PHL'), ('Indonesia', 'IDN')]
WARMUP_COUNTRY = ('Uruguay', 'URY')
ONSETS = ['Bar', 'Vel', 'Quor', 'Tal', 'Mir', 'Dun', 'Sol', 'Kest', 'Or', 'Brem', 'Fal', 'Zan',
          'Hol', 'Per', 'Grav', 'Lun', 'Ost', 'Tor', 'Wend', 'Ys']
MIDDLES = ['', 'al', 'en', 'or']
CODAS = ['mora', 'dine', 'aston', 'ubar', 'wick', 'eno', 'ara', 'ridge', 'ova', 'imba', 'esh',
         'ollo', 'anth', 'ique']
GROUPS = ['farmers', 'teachers', 'students', 'miners', 'nurses', 'taxi drivers', 'dock workers',
          'market traders', 'factory workers', 'fishermen', 'bus drivers', 'residents']
ISSUES = ['a rise in fuel prices', 'unpaid wages', 'the closure of a local hospital',
          'a new land law', 'water shortages', 'the arrest of a union leader',
          'higher school fees', 'power cuts', 'a planned mine expansion',
          'a tax on small traders', 'road tolls', 'the eviction of street vendors']
PLACES = ['the town hall', "the regional governor's office", 'the main market',
          'a police station', 'the central square', 'the railway station', 'the courthouse',
          'the port gates']
CROWDS = ['Hundreds of', 'About 2,000', 'Several hundred', 'Dozens of']
LEADS = ['{crowd} {group} protested in {town} on {weekday} against {issue}.',
         'Thousands of {group} marched through {town} on {weekday}, demanding action over {issue}.',
         'Angry {group} blocked roads in {town} on {weekday} in a protest over {issue}.',
         'Hundreds of {group} rallied outside {place} in {town} on {weekday} to denounce {issue}.']
TOLLS = ['Police said {arrested} people were arrested and {injured} were injured in clashes '
         'near {place}.',
         'Riot police fired tear gas and detained {arrested} protesters; {injured} people were '
         'hurt near {place}.',
         'Local officials said {injured} people were injured when demonstrators clashed with '
         'police near {place}, and {arrested} were arrested.']
TITLES = ['Police clash with {group} in {town}',
          '{Group} protest over {issue_word} turns violent in {town}',
          'Clashes in {town} as {group} protest',
          'Protesters and police clash in {town} over {issue_word}']


def invented_towns(count, seed=11):
    """``count`` distinct invented town names the gazetteer does not know."""
    from wirewatch.gazetteer import Gazetteer
    gazetteer = Gazetteer.load()
    names = [o + m + c for o in ONSETS for m in MIDDLES for c in CODAS]
    random.Random(seed).shuffle(names)
    towns = [t for t in names if gazetteer.resolve(t) is None][:count]
    if len(towns) < count:
        raise SystemExit(f'only {len(towns)} invented town names available; use fewer --items')
    return towns


def make_story(k, town, country, when, rng):
    """One RSS item (dict) about a protest with clashes in ``town``, ``country``."""
    group, issue, place = rng.choice(GROUPS), rng.choice(ISSUES), rng.choice(PLACES)
    fields = dict(crowd=rng.choice(CROWDS), group=group, Group=group[:1].upper() + group[1:],
                  town=town, weekday=f'{when:%A}', issue=issue, issue_word=issue.split()[-1],
                  place=place, arrested=rng.randint(2, 40), injured=rng.randint(1, 30))
    lead = rng.choice(LEADS).format(**fields)
    body = (f'{town.upper()}, {country[0]}, {when:%B} {when.day} (Bench Wire) – '
            f'{lead[:1].upper()}{lead[1:]} {rng.choice(TOLLS).format(**fields)}')
    return {'k': k, 'country': country[1], 'town': town, 'title': rng.choice(TITLES).format(**fields),
            'body': body, 'link': f'https://bench.example.net/wire/{k:04d}-{town.lower()}',
            'guid': f'bench-{k:04d}-{town.lower()}', 'published': when}


def rss(stories):
    entries = ''.join(
        f'<item><title>{s["title"]}</title><link>{s["link"]}</link>'
        f'<guid isPermaLink="false">{s["guid"]}</guid>'
        f'<pubDate>{email.utils.format_datetime(s["published"], usegmt=True)}</pubDate>'
        f'<description>{s["body"]}</description></item>\n' for s in stories)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            '<title>Bench Wire</title><link>https://bench.example.net/</link>\n'
            f'{entries}</channel></rss>\n')


# ------------------------------------------------------------------ the stream child

def stream_child(argv):
    """``--stream-child [--pull-timeout S] [--cache-dofn-specs] -- STREAM ARGS``: run
    ``wirewatch stream`` in this process, with the asked-for Beam patches installed first."""
    parser = argparse.ArgumentParser(prog='stream_latency.py --stream-child')
    parser.add_argument('--pull-timeout', type=float, default=None)
    parser.add_argument('--cache-dofn-specs', action='store_true')
    args, rest = parser.parse_known_args(argv)
    rest = rest[1:] if rest[:1] == ['--'] else rest
    from wirewatch.pipeline import direct_runner
    direct_runner.disable()  # each try says which fixes it runs with
    if args.pull_timeout:
        direct_runner.short_pull(args.pull_timeout)
    if args.cache_dofn_specs:
        direct_runner.cache_dofn_specs()
    from wirewatch.pipeline.cli import main
    return main(['stream'] + rest)


# ------------------------------------------------------------------ watching the outputs

class Seen:
    """First-seen times of output records, per try and output, thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = collections.defaultdict(list)   # (try, output) -> [(t, record)]

    def add(self, key, when, record):
        with self.lock:
            self.records[key].append((when, record))

    def get(self, key):
        with self.lock:
            return list(self.records[key])


class TopicWatch:
    """Streaming pulls on each try's events and summaries subscriptions."""

    def __init__(self, address, project, seen):
        from wirewatch.pipeline import pubsub
        self.pubsub = pubsub
        self.client = pubsub.subscriber_client(address)
        self.project = project
        self.seen = seen
        self.futures = []

    def watch(self, name, output, subscription, record_type):
        def received(message):
            when = time.time()
            try:
                record = self.pubsub.decode_message(message.data, dict(message.attributes),
                                                    record_type)
            except ValueError:
                record = None
            message.ack()
            if record is not None:
                self.seen.add((name, output), when, record)
        self.futures.append(self.client.subscribe(
            self.pubsub.subscription_path(self.project, subscription), received))

    def close(self):
        for future in self.futures:
            future.cancel()
        for future in self.futures:
            with contextlib.suppress(Exception):
                future.result(timeout=5)
        with contextlib.suppress(Exception):
            self.client.close()


class FileWatch(threading.Thread):
    """Scans each try's events/ and summaries/ folders for new (complete) Avro files."""

    def __init__(self, folders, seen):
        super().__init__(daemon=True)
        self.folders = folders      # [(try, output, folder)]
        self.seen = seen
        self.known = set()
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(SCAN_SECONDS):
            for name, output, folder in self.folders:
                for when, records in new_avro_files(folder, self.known):
                    for record in records:
                        self.seen.add((name, output), when, record)


def new_avro_files(folder, known):
    """(time first seen, records) of each complete Avro file in ``folder`` not in ``known``
    (added to it once read); a file that cannot be read yet (still being written) is left
    for the next scan."""
    from wirewatch import schemas
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return
    for file_name in names:
        path = os.path.join(folder, file_name)
        if file_name.startswith('.') or not file_name.endswith('.avro') or path in known:
            continue
        when = time.time()
        try:
            records = schemas.read_container(path)
        except Exception:  # noqa: BLE001 -- read it at the next scan
            continue
        known.add(path)
        yield when, records


# ------------------------------------------------------------------ processes

class Stream:
    """One ``wirewatch stream`` child in its own process group."""

    def __init__(self, name, flags, patches, address, project, subscription, tmp, nice=0):
        self.name = name
        self.output = os.path.join(tmp, 'out', name)
        self.log_path = os.path.join(tmp, f'stream-{name}.log')
        stream_args = ['--subscription', subscription, '--output', self.output,
                       '--project', project, '--emulator-host', address,
                       '--events-topic', f'bench-{name}-events',
                       '--summaries-topic', f'bench-{name}-summaries',
                       '--deadletter-topic', 'none'] + list(flags)
        if patches:
            command = ([sys.executable, os.path.abspath(__file__), '--stream-child'] + list(patches)
                       + ['--'] + stream_args)
        else:
            command = [sys.executable, '-m', 'wirewatch.pipeline.cli', 'stream'] + stream_args
        if nice and shutil.which('nice'):
            command = [shutil.which('nice'), '-n', str(nice)] + command  # nice execs: same pid
        env = dict(os.environ, PUBSUB_EMULATOR_HOST=address, PYTHONUNBUFFERED='1')
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            cwd=tmp, env=env)

    def alive(self):
        return self.process.poll() is None

    def cpu_seconds(self):
        """User + system CPU of the stream process (Beam's DirectRunner runs in it)."""
        try:
            with open(f'/proc/{self.process.pid}/stat', encoding='ascii') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
        except (OSError, IndexError, ValueError):
            return None

    def log_tail(self, lines=8):
        try:
            with open(self.log_path, encoding='utf-8', errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return ''

    def request_stop(self):
        """SIGTERM (the stream writes what its file sinks hold, then stops); returns at once."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self):
        """SIGTERM twice (the second skips the stream's file settling), then SIGKILL."""
        if self.process.poll() is not None:
            return
        for signum, wait in ((signal.SIGTERM, 1.0), (signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)
            try:
                self.process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # the group may hold children of the stream: leave nothing behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


class FanOutPublisher:
    """The poller's publisher, copying every item to the filler try's topic as well."""

    def __init__(self, publisher, copy_topic):
        self.publisher = publisher
        self.copy_topic = copy_topic

    def publish(self, topic, data, **attributes):
        first = self.publisher.publish(topic, data, **attributes)
        if not self.copy_topic:
            return first
        second = self.publisher.publish(self.copy_topic, data, **attributes)
        return _BothFutures(first, second)


class _BothFutures:
    def __init__(self, first, second):
        self.first, self.second = first, second

    def result(self, timeout=None):
        started = time.monotonic()
        message_id = self.first.result(timeout=timeout)
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        self.second.result(timeout=left)
        return message_id


# ------------------------------------------------------------------ measuring

def nearest_rank(values, pct):
    """The ``pct`` percentile by nearest rank; ``math.inf`` stands for "not seen"."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def first_event_times(records, links):
    """{item k: first time an Event of its link was seen}."""
    by_link = {link: k for k, link in links.items()}
    first = {}
    for when, event in records:
        k = by_link.get(event.get('source_url'))
        if k is not None and (k not in first or when < first[k]):
            first[k] = when
    return first


def item_countries(seen, names, stories):
    """{k: ISO3 of its events}, from every event any try saw (the generated country otherwise)."""
    votes = collections.defaultdict(collections.Counter)
    by_link = {s['link']: s['k'] for s in stories}
    for name in names:
        for output in ('events topic', 'events files'):
            for _, event in seen.get((name, output)):
                k = by_link.get(event.get('source_url'))
                if k is not None and event.get('country'):
                    votes[k][event['country']] += 1
    return {s['k']: (votes[s['k']].most_common(1)[0][0] if votes[s['k']] else s['country'])
            for s in stories}


def first_summary_times(records, stories, countries):
    """{item k: first time a summary of its country-day had ``articles`` reaching it}."""
    rank, counter = {}, collections.Counter()
    for s in sorted(stories, key=lambda s: s['k']):
        key = (countries[s['k']], s['published'].date())
        counter[key] += 1
        rank[s['k']] = (key, counter[key])
    best = {}   # (country, day) -> [(time, articles)] in time order
    for when, summary in sorted(records, key=lambda r: r[0]):
        start = summary.get('window_start')
        day = start.astimezone(dt.timezone.utc).date() if hasattr(start, 'astimezone') else None
        best.setdefault((summary.get('country'), day), []).append((when, summary.get('articles') or 0))
    first = {}
    for k, (key, n) in rank.items():
        for when, articles in best.get(key, ()):
            if articles >= n:
                first[k] = when
                break
    return first


def latencies(seen, names, stories, published):
    """{try: {output: {k: seconds}}} for the measured items."""
    links = {s['k']: s['link'] for s in stories}
    countries = item_countries(seen, names, stories)
    result = {}
    for name in names:
        per_output = {}
        for output in OUTPUTS:
            records = seen.get((name, output))
            if output.startswith('events'):
                first = first_event_times(records, links)
            else:
                first = first_summary_times(records, stories, countries)
            per_output[output] = {k: first[k] - published[k] for k in published if k in first}
        result[name] = per_output
    return result, countries


def padded(values, total):
    """The latencies of ``values`` ({k: seconds}), one ``math.inf`` per item not seen."""
    return list(values.values()) + [math.inf] * (total - len(values))


def describe(values, total, waited):
    """'p50 / p95 (n)' for one try and output; unseen items count as later than ``waited``."""
    if not values:
        return 'none seen'
    every = padded(values, total)

    def show(v):
        return f'>{waited:.0f}' if v == math.inf else f'{v:.1f}'
    text = f'{show(nearest_rank(every, 50))} / {show(nearest_rank(every, 95))}'
    return text if len(values) == total else f'{text} ({len(values)}/{total})'


# ------------------------------------------------------------------ the run

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--items', type=int, default=50, help='measured items (default 50)')
    parser.add_argument('--interval', type=float, default=4.0,
                        help='seconds between two published items (default 4)')
    parser.add_argument('--tries', default=','.join(DEFAULT_TRIES),
                        help=f'comma-separated tries to run side by side, of {", ".join(TRIES)} '
                             f'(default: {",".join(DEFAULT_TRIES)})')
    parser.add_argument('--fill-interval', type=float, default=2.0,
                        help='seconds between filler messages of the *-fill tries (default 2)')
    parser.add_argument('--max-minutes', type=float, default=10.0,
                        help='bound on the whole run, in minutes (default 10)')
    parser.add_argument('--json', help='also write the per-item latencies to this JSON file')
    parser.add_argument('--keep', help='copy the streams\' logs and outputs to this folder')
    parser.add_argument('--no-write', action='store_true', help='do not touch BENCHMARKS.md')
    args = parser.parse_args(argv)
    args.tries = [t.strip() for t in args.tries.split(',') if t.strip()]
    unknown = [t for t in args.tries if t not in TRIES]
    if unknown or not args.tries:
        parser.error(f'unknown tries {unknown}; choose from {", ".join(TRIES)}')
    if args.items < 1 or args.interval <= 0:
        parser.error('--items and --interval must be positive')
    return args


def say(message):
    print(message, file=sys.stderr, flush=True)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ['--stream-child']:
        return stream_child(argv[1:])
    args = parse_args(argv)
    from wirewatch.pipeline import emulator
    try:
        emulator.find_java()
        emulator.find_emulator()
    except emulator.EmulatorError as error:
        print(f'stream latency: skipped: {error}')
        return 0
    started = time.monotonic()
    deadline = started + args.max_minutes * 60
    publishing = args.items * args.interval
    if publishing + 120 > args.max_minutes * 60 - SHUTDOWN_RESERVE:
        raise SystemExit(f'{args.items} items every {args.interval:g} s do not fit in '
                         f'--max-minutes {args.max_minutes:g} (start-up, warm-up and a tail wait '
                         'need a few minutes more)')

    # SIGTERM/SIGHUP on the bench itself: unwind through the finally blocks
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f'signal {signum}')
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)

    tmp = tempfile.mkdtemp(prefix='wirewatch-stream-latency-')
    state_dir = os.path.join(tmp, 'emulator')
    streams, filler_stop = [], threading.Event()
    try:
        return run(args, tmp, state_dir, deadline, streams, filler_stop)
    finally:
        filler_stop.set()
        for stream in streams:
            stream.stop()
        if args.keep:
            with contextlib.suppress(OSError):
                shutil.copytree(tmp, args.keep, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns('emulator'))
        with contextlib.suppress(Exception):
            emulator.stop(state_dir, say=lambda _m: None)
        shutil.rmtree(tmp, ignore_errors=True)
        say(f'stream latency: cleaned up after {time.monotonic() - started:.0f} s')


def run(args, tmp, state_dir, deadline, streams, filler_stop):
    from wirewatch.pipeline import emulator, pubsub
    from wirewatch.pipeline.poller import poll_feeds
    project = pubsub.DEFAULT_PROJECT
    names = args.tries
    fill_names = [n for n in names if TRIES[n][1]]
    topics = [ITEMS_TOPIC] + ([FILL_TOPIC] if fill_names else [])
    subscriptions = {}
    for name in names:
        topics += [f'bench-{name}-events', f'bench-{name}-summaries']
        subscriptions[f'bench-{name}-items'] = FILL_TOPIC if name in fill_names else ITEMS_TOPIC
        subscriptions[f'bench-{name}-events-sub'] = f'bench-{name}-events'
        subscriptions[f'bench-{name}-summaries-sub'] = f'bench-{name}-summaries'
    state = emulator.start(host=HOST, port=emulator.free_port(HOST), project=project,
                           data_dir=state_dir, timeout=90, topics=topics,
                           subscriptions=subscriptions, say=lambda _m: None)
    address = state.address
    say(f'stream latency: emulator on {address}; tries side by side: {", ".join(names)}')

    seen = Seen()
    topic_watch = TopicWatch(address, project, seen)
    folders = []
    resources = contextlib.ExitStack()
    with resources:
        resources.callback(topic_watch.close)
        for name in names:
            topic_watch.watch(name, 'events topic', f'bench-{name}-events-sub', 'Event')
            topic_watch.watch(name, 'summaries topic', f'bench-{name}-summaries-sub', 'CountrySummary')
        for name in names:
            flags, filled, patches, _ = TRIES[name]
            stream = Stream(name, flags, patches, address, project, f'bench-{name}-items', tmp,
                            nice=FILL_NICE if filled else 0)
            streams.append(stream)
            folders += [(name, 'events files', os.path.join(stream.output, 'events')),
                        (name, 'summaries files', os.path.join(stream.output, 'summaries'))]
        file_watch = FileWatch(folders, seen)
        file_watch.start()
        resources.callback(file_watch.stop.set)

        # publishing: the poller's own code on a local feed file, one new item per poll
        towns = invented_towns(args.items + 1)
        rng = random.Random(7)
        feed_path = os.path.join(tmp, 'feed', 'bench-wire.xml')
        os.makedirs(os.path.dirname(feed_path))
        poll_state = os.path.join(tmp, 'poll-state.json')
        raw_publisher = pubsub.publisher_client(address)
        resources.callback(pubsub.close_publisher, raw_publisher)
        publisher = FanOutPublisher(raw_publisher, pubsub.topic_path(project, FILL_TOPIC)
                                    if fill_names else None)

        def publish(story):
            with open(feed_path, 'w', encoding='utf-8') as f:
                f.write(rss([story]))
            summary = poll_feeds([feed_path], topic=ITEMS_TOPIC, project=project,
                                 state_path=poll_state, once=True, publisher=publisher,
                                 say=lambda _m: None)
            if summary.published != 1:
                raise RuntimeError(f'poll published {summary.published} items, expected 1 '
                                   f'({summary.line()})')
            return time.time()

        if fill_names:
            resources.callback(filler_stop.set)
            threading.Thread(target=fill, daemon=True, args=(
                raw_publisher, pubsub.topic_path(project, FILL_TOPIC), args.fill_interval,
                filler_stop)).start()

        # warm-up: one item in another country, until every try has its event on the topic
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        warm = make_story(9999, towns[-1], WARMUP_COUNTRY, now, rng)
        warm_published = publish(warm)
        warm_limit = min(deadline - SHUTDOWN_RESERVE - args.items * args.interval - 60,
                         time.monotonic() + WARMUP_LIMIT)
        say('stream latency: waiting for the warm-up item on every events topic')
        while True:
            check_streams(streams)
            ready = [n for n in names if first_event_times(seen.get((n, 'events topic')),
                                                           {0: warm['link']})]
            if len(ready) == len(names):
                break
            if time.monotonic() > warm_limit:
                raise RuntimeError(f'warm-up item not on the events topics of '
                                   f'{sorted(set(names) - set(ready))} after '
                                   f'{time.time() - warm_published:.0f} s')
            time.sleep(0.5)
        say(f'stream latency: warm-up seen by every try after {time.time() - warm_published:.0f} s; '
            f'publishing {args.items} items, one every {args.interval:g} s')
        cpu_before = {s.name: s.cpu_seconds() for s in streams}
        load_before = os.getloadavg()

        stories, published = [], {}
        first_at = time.monotonic()
        for k in range(args.items):
            delay = first_at + k * args.interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            check_streams(streams)
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
            story = make_story(k, towns[k], COUNTRIES[k % len(COUNTRIES)], now, rng)
            published[k] = publish(story)
            stories.append(story)
        last_published = time.monotonic()
        tail_end = deadline - SHUTDOWN_RESERVE
        say(f'stream latency: all published; waiting up to {tail_end - last_published:.0f} s '
            'for the last of them')
        cpu_after, done = {}, set()
        while time.monotonic() < tail_end and len(done) < len(names):
            check_streams([s for s in streams if s.name not in done])
            measured, _ = latencies(seen, names, stories, published)
            for stream in streams:
                if stream.name not in done and all(
                        len(measured[stream.name][o]) == len(stories) for o in OUTPUTS):
                    # every item is out: stop this try now, so it no longer competes for CPU
                    cpu_after[stream.name] = stream.cpu_seconds()
                    stream.request_stop()
                    done.add(stream.name)
            time.sleep(1.0)
        waited = time.time() - published[args.items - 1]
        for stream in streams:
            if stream.name not in cpu_after:
                cpu_after[stream.name] = stream.cpu_seconds()
        cpu = {n: (cpu_after[n] or 0) - (cpu_before[n] or 0) for n in names}
        load_after = os.getloadavg()

    measured, countries = latencies(seen, names, stories, published)
    lines = report_lines(args, names, measured, cpu, waited, load_before, load_after)
    print('\n'.join(lines))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump({'items': [{'k': s['k'], 'town': s['town'], 'country': countries[s['k']],
                                  'link': s['link'], 'published': published[s['k']]}
                                 for s in stories],
                       'latency_seconds': {n: {o: {str(k): v for k, v in measured[n][o].items()}
                                               for o in OUTPUTS} for n in names},
                       'cpu_seconds': cpu}, f, indent=2)
    if not args.no_write:
        sys.path.insert(0, HERE)
        from extract_throughput import write_benchmarks_section
        write_benchmarks_section(SECTION, lines, command_line(args))
    return 0


def fill(publisher, topic, interval, stop):
    """Filler messages: not FeedItems (schema attribute 'Heartbeat'), dead-lettered at decode."""
    n = 0
    while not stop.wait(interval):
        n += 1
        with contextlib.suppress(Exception):
            publisher.publish(topic, f'heartbeat {n}'.encode(), schema='Heartbeat')


def check_streams(streams):
    for stream in streams:
        if not stream.alive():
            raise RuntimeError(f'stream {stream.name} exited with status '
                               f'{stream.process.returncode}:\n{stream.log_tail()}')


def command_line(args):
    defaults = parse_args([])
    extra = [f'--{key.replace("_", "-")} {value:g}' if isinstance(value, float) else
             f'--{key.replace("_", "-")} {value}'
             for key, value in (('items', args.items), ('interval', args.interval),
                                ('max_minutes', args.max_minutes))
             if value != getattr(defaults, key)]
    if args.tries != defaults.tries:
        extra.append('--tries ' + ','.join(args.tries))
    return ' '.join([COMMAND] + extra)


def report_lines(args, names, measured, cpu, waited, load_before, load_after):
    total = args.items
    labels = {n: TRIES[n][3].format(fill=args.fill_interval) for n in names}
    width = max(len(label) for label in labels.values()) + 2
    lines = [f'Streaming latency on the local Pub/Sub emulator (BundleBasedDirectRunner, Beam 2.77): {total} items',
             f'polled one every {args.interval:g} s and read side by side by {len(names)} `wirewatch stream` '
             f'processes (the tries), on {os.cpu_count()} cores.',
             'Seconds from `poll` publishing an item to its first event / to the first summary pane counting it,',
             f'p50 / p95 (goal: p95 <= {GOAL_P95:g} s):',
             '  ' + 'try'.ljust(width) + ''.join(o.ljust(18) for o in OUTPUTS) + 'CPU s']
    met, missed = [], []
    for name in names:
        cells = ''.join(describe(measured[name][o], total, waited).ljust(18) for o in OUTPUTS)
        lines.append(f'  {labels[name].ljust(width)}{cells}{cpu[name]:.0f}')
        worst = max(nearest_rank(padded(measured[name][o], total), 95) for o in OUTPUTS)
        (met if worst <= GOAL_P95 else missed).append(name)
    lines.append(f'  (n/{total}: items seen by the end, {waited:.0f} s after the last was published; CPU s: '
                 'each stream\'s, from the first item')
    lines.append(f'  until it had shown every item, when it was stopped; load average {load_before[0]:.1f} -> '
                 f'{load_after[0]:.1f})')
    lines.append(f'Goal p95 <= {GOAL_P95:g} s on every output: met by {", ".join(met) or "none"}; '
                 f'not met by {", ".join(missed) or "none"}.')
    if any(TRIES[n][2] for n in names):
        lines += [
            'Bench patches (in the stream\'s own process, before `wirewatch stream` runs; not options):',
            '  specs cached: Beam\'s userstate.get_dofn_specs remembered per DoFn class. The DirectRunner',
            '    recomputes it (inspect.signature of every DoFn method) when it schedules a bundle and in each',
            '    ParDo bundle\'s start_bundle, on one executor thread; that thread pulls Pub/Sub only when no',
            '    bundle runs and no timer fired, so with this overhead items wait and come out in batches.',
            '  pull 2 s: the DirectRunner\'s Pub/Sub pull deadline cut from 30 s to 2 s; the emulator holds an',
            '    empty pull (deadline - 1) s, during which that one thread fires no processing-time timer',
            '    (early panes, file flushes): the last item before a quiet spell waits up to 29 s more.']
    return lines


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt as interrupt:
        say(f'stream latency: interrupted ({interrupt or "Ctrl-C"})')
        sys.exit(130)
