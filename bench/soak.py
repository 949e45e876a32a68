"""Soak: ``poll`` plus ``stream`` over the real corpus for half an hour, replayed in a loop,
with one ``kill -9`` of the stream and a restart plus ``wirewatch replay`` in the middle.

Usage: python bench/soak.py [--minutes 30] [--rate 8] [--kill-at 0.5] [--corpus DIR]
                            [--window-seconds 300] [--lateness-seconds 300] [--ttl-seconds 600]
                            [--keep DIR] [--json OUT] [--no-write]
       (exits 0 with a message when Java, the emulator or the corpus is absent)

The items are the corpus's own (default ``../shared/corpus/feeds/outlets-2020-05``, each
distinct item once per loop, in snapshot order). Every second the script writes the next
``--rate`` of them into a small RSS file, stamped with the current time, and polls it with
the poller's own code (``poll_feeds``: state file, archive, Pub/Sub publish), so the stream
sees a live feed. Loop ``n`` gives every item a new guid and a ``soak=n`` query on its link,
so each loop is new items, and the text repeats as syndication does (near-duplicates of the
previous loop when they fall within the TTL). Windows, allowed lateness and duplicate TTLs
are scaled down (5, 5 and 10 minutes of event time by default) so that windows close and
keyed state expires many times within the soak, as it would over weeks on the defaults.

At ``--kill-at`` of the duration the stream gets SIGKILL, is started again on the same
output folder, and the archive is replayed from the start of the oldest window still open
then (``pipeline.streaming.replay_from``). At the end publishing stops, the stream gets
until its story files stop changing, and is stopped with SIGTERM. Then:

- **reconciled**: every item published (distinct ids in the archive) is a story written
  exactly once, an exact duplicate of a written story (same canonical URL: the corpus
  repeats some links under new guids), or an item-level dead letter; no story or event id is
  written twice (the replay re-sent what the killed stream had already written);
- **RSS** of the stream (process tree) sampled every 10 s: reported at points of each half,
  and its growth over the second half of each run (before the kill, after the restart).

Writes its section of BENCHMARKS.md unless ``--no-write``. Loopback only.
"""
import argparse
import collections
import contextlib
import datetime as dt
import email.utils
import glob
import html
import json
import os
import shutil
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from extract_throughput import write_benchmarks_section  # noqa: E402

SECTION = 'soak'
COMMAND = 'python bench/soak.py'
DEFAULT_CORPUS = os.path.join(REPO, '..', 'shared', 'corpus', 'feeds', 'outlets-2020-05')
ITEM_STAGES = ('read', 'decode', 'normalise', 'window')
SAMPLE_SECONDS = 10.0
SETTLE_LIMIT = 600.0


def load_items(corpus):
    """Distinct corpus items (by item id) in snapshot order: dicts with title, link, guid, text."""
    from wirewatch.transforms.ingest.feeds import expand_inputs, read_feed_file
    items, seen = [], set()
    for path in sorted(expand_inputs([corpus])):
        for kind, record in read_feed_file(path):
            if kind != 'item' or record['item_id'] in seen or not record.get('url'):
                continue
            seen.add(record['item_id'])
            items.append({'title': record.get('title') or '', 'link': record['url'],
                          'guid': record.get('guid') or record['url'],
                          'text': record.get('summary') or record.get('content') or '',
                          'source': record.get('item_source') or record.get('source_name') or ''})
    return items


def soak_item(item, loop):
    """The corpus item as loop ``loop`` publishes it: a new guid, ``soak=loop`` on the link."""
    separator = '&' if '?' in item['link'] else '?'
    return dict(item, guid=f"{item['guid']}#soak{loop}", link=f"{item['link']}{separator}soak={loop}")


def rss(items, when):
    """One RSS document of ``items``, each published at ``when``."""
    date = email.utils.format_datetime(when, usegmt=True)
    entries = ''.join(
        f'<item><title>{html.escape(i["title"])}</title><link>{html.escape(i["link"])}</link>'
        f'<guid isPermaLink="false">{html.escape(i["guid"])}</guid><pubDate>{date}</pubDate>'
        + (f'<source url="{html.escape(i["link"])}">{html.escape(i["source"])}</source>' if i['source'] else '')
        + f'<description>{html.escape(i["text"])}</description></item>' for i in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Soak</title>'
            f'<link>https://soak.example.org/</link>{entries}</channel></rss>')


class Publisher(threading.Thread):
    """Every second, the next ``rate`` items as a new feed file, polled with ``poll_feeds``."""

    def __init__(self, items, rate, feeds_dir, state_path, host, stop):
        super().__init__(daemon=True)
        self.items, self.rate, self.feeds_dir = items, rate, feeds_dir
        self.state_path, self.host, self.stop = state_path, host, stop
        self.published = self.failed = self.polls = 0
        self.loop = 0
        self.error = None

    def run(self):
        from wirewatch.pipeline.poller import poll_feeds
        position, tick = 0, time.monotonic()
        try:
            while not self.stop.is_set():
                batch = []
                while len(batch) < self.rate:
                    if position == len(self.items):
                        position, self.loop = 0, self.loop + 1
                    batch.append(soak_item(self.items[position], self.loop))
                    position += 1
                path = os.path.join(self.feeds_dir, f'batch-{self.polls:06d}.xml')
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(rss(batch, dt.datetime.now(dt.timezone.utc)))
                summary = poll_feeds([path], state_path=self.state_path, emulator_host=self.host,
                                     say=lambda m: None)
                os.remove(path)
                self.published += summary.published
                self.failed += summary.publish_errors
                self.polls += 1
                tick += 1.0
                self.stop.wait(max(0.0, tick - time.monotonic()))
        except Exception as error:  # reported at the end; the soak stops publishing
            self.error = f'{type(error).__name__}: {error}'


def story_ids(output):
    from wirewatch import schemas
    counts = collections.Counter()
    for path in glob.glob(os.path.join(output, 'stories', '*.avro')):
        with contextlib.suppress(Exception):
            counts.update(r['story_id'] for r in schemas.read_container(path))
    return counts


def folder_records(output, folder):
    from wirewatch import schemas
    records = []
    for path in glob.glob(os.path.join(output, folder, '*.avro')):
        with contextlib.suppress(Exception):
            records.extend(schemas.read_container(path))
    return records


def reconcile(archive_dir, output):
    """The soak's accounting: published items against stories, duplicates and dead letters."""
    from wirewatch.pipeline import archive
    from wirewatch.transforms.normalise.core import normalise_item
    published = {}
    for record in archive.read_archive(archive_dir):
        published.setdefault(record['item']['item_id'], record['item'])
    stories = folder_records(output, 'stories')
    counts = collections.Counter(s['story_id'] for s in stories)
    written_urls = {s['canonical_url'] for s in stories if s.get('canonical_url')}
    events = collections.Counter(e['event_id'] for e in folder_records(output, 'events'))
    dead_ids, replay_dead = set(), 0
    for d in folder_records(output, 'deadletter'):
        if d['stage'] not in ITEM_STAGES:
            continue
        story_id = _payload_story_id(d)
        if story_id is not None and story_id in counts:
            replay_dead += 1   # a replayed copy of an item already written (e.g. its window closed since)
        else:
            dead_ids.add(story_id or id(d))
    url_duplicates = unexplained = 0
    for item_id, item in published.items():
        if item_id in counts or item_id in dead_ids:
            continue
        try:
            url = normalise_item(item).get('canonical_url')
        except Exception:
            url = None
        if url and url in written_urls:
            url_duplicates += 1
        else:
            unexplained += 1
    figures = {
        'items_published': len(published),
        'stories': len(counts),
        'stories_not_published': len(set(counts) - set(published)),
        'stories_written_twice': sum(1 for n in counts.values() if n > 1),
        'exact_duplicates': url_duplicates,
        'item_dead_letters': len(dead_ids),
        'replayed_item_dead_letters': replay_dead,
        'unexplained': unexplained,
        'events': len(events),
        'events_written_twice': sum(1 for n in events.values() if n > 1),
        'summaries': len(folder_records(output, 'summaries')),
    }
    figures['reconciled'] = (figures['stories'] + figures['exact_duplicates'] + figures['item_dead_letters']
                             == figures['items_published'] and figures['stories_written_twice'] == 0
                             and figures['events_written_twice'] == 0
                             and figures['stories_not_published'] == 0)
    return figures


def _payload_story_id(dead_letter):
    """The story id a dead letter's JSON payload names (window/normalise dead letters), else None."""
    try:
        return json.loads(dead_letter.get('payload') or b'{}').get('story_id')
    except (ValueError, AttributeError):
        return None


def growth(samples, start, end):
    """RSS growth (%) from the sample nearest ``start`` to the one nearest ``end`` (seconds)."""
    if not samples:
        return None
    first = min(samples, key=lambda s: abs(s[0] - start))
    last = min(samples, key=lambda s: abs(s[0] - end))
    return 100.0 * (last[1] - first[1]) / first[1] if first[1] else None


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--minutes', type=float, default=30.0)
    parser.add_argument('--rate', type=int, default=8, help='items published per second')
    parser.add_argument('--kill-at', type=float, default=0.5, help='fraction of the run')
    parser.add_argument('--corpus', default=DEFAULT_CORPUS)
    parser.add_argument('--window-seconds', type=int, default=300)
    parser.add_argument('--lateness-seconds', type=int, default=300)
    parser.add_argument('--ttl-seconds', type=int, default=600)
    parser.add_argument('--keep', default=None, help='keep the outputs in this folder')
    parser.add_argument('--json', default=None)
    parser.add_argument('--no-write', action='store_true')
    parser.add_argument('--report-from', default=None, metavar='DIR',
                        help='no run: reconcile the outputs kept in DIR (--keep of an earlier run) and '
                             'report with the figures of its --json')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.report_from:
        return report_again(args)
    from wirewatch.pipeline import archive, emulator, pubsub
    from wirewatch.pipeline.streaming import replay_from
    try:
        emulator.find_java()
        emulator.find_emulator()
    except emulator.EmulatorError as error:
        print(f'soak: skipped ({error})')
        return 0
    if not os.path.isdir(args.corpus):
        print(f'soak: skipped (no corpus at {args.corpus})')
        return 0
    from stream_latency import Stream  # noqa: E402  (bench helper: a stream child process)
    from stream_throughput import process_tree  # noqa: E402
    items = load_items(args.corpus)
    tmp = args.keep or tempfile.mkdtemp(prefix='wirewatch-soak-')
    os.makedirs(tmp, exist_ok=True)
    feeds_dir = os.path.join(tmp, 'feeds')
    os.makedirs(feeds_dir, exist_ok=True)
    state_path = os.path.join(tmp, 'poller', 'state.json')
    archive_dir = archive.default_archive_dir(state_path)
    flags = ['--window_seconds', str(args.window_seconds),
             '--allowed_lateness_seconds', str(args.lateness_seconds),
             '--dedup_ttl_seconds', str(args.ttl_seconds),
             '--events-topic', 'none', '--summaries-topic', 'none']   # files only
    load_before = os.getloadavg()
    duration = args.minutes * 60
    samples = []            # (seconds since start, rss MB, run number)
    stop = threading.Event()
    streams = []
    with emulator.running_emulator() as host:
        project = pubsub.DEFAULT_PROJECT
        subscription = pubsub.ITEMS_SUBSCRIPTION

        def launch():
            # the same name each time: the restarted stream writes the same output folder
            return Stream('soak', flags, (), host, project, subscription, tmp)

        stream = launch()
        streams.append(stream)
        publisher = Publisher(items, args.rate, feeds_dir, state_path, host, stop)
        started = time.monotonic()
        publisher.start()
        killed_at = replay_window = replayed = None
        run = 1
        try:
            while time.monotonic() - started < duration and publisher.error is None:
                elapsed = time.monotonic() - started
                rss_bytes, _ = process_tree(stream.process.pid)
                if rss_bytes:
                    samples.append((elapsed, rss_bytes / 2**20, run))
                if killed_at is None and elapsed >= args.kill_at * duration:
                    stream.process.kill()   # SIGKILL, like kill -9
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(stream.process.pid, 9)
                    stream.process.wait(30)
                    killed_at = elapsed
                    replay_window = replay_from(dt.datetime.now(dt.timezone.utc), args.window_seconds,
                                                args.lateness_seconds)
                    run = 2
                    stream = launch()
                    streams.append(stream)
                    replayed, failed = archive.replay(archive_dir, pubsub.topic_path(project, pubsub.ITEMS_TOPIC),
                                                      start=replay_window, emulator_host=host)
                    print(f'soak: killed the stream at {elapsed:.0f} s, restarted it, replayed {replayed} '
                          f'items from {replay_window:%H:%M:%S}' + (f' ({failed} failed)' if failed else ''))
                    continue
                time.sleep(SAMPLE_SECONDS)
            stop.set()
            publisher.join(60)
            published_by = time.monotonic() - started
            output = stream.output
            last, stable_since = None, time.monotonic()
            while time.monotonic() - stable_since < 45 and time.monotonic() - started - published_by < SETTLE_LIMIT:
                count = sum(story_ids(output).values())
                if count != last:
                    last, stable_since = count, time.monotonic()
                rss_bytes, _ = process_tree(stream.process.pid)
                if rss_bytes:
                    samples.append((time.monotonic() - started, rss_bytes / 2**20, run))
                time.sleep(5)
            drained_after = time.monotonic() - started - published_by
            stream.request_stop()
            with contextlib.suppress(Exception):
                stream.process.wait(120)
        finally:
            stop.set()
            for s in streams:
                s.stop()
    figures = reconcile(archive_dir, stream.output)
    first = [s for s in samples if s[2] == 1]
    second = [s for s in samples if s[2] == 2 and s[0] <= published_by]
    kill_s = killed_at or duration
    figures.update({
        'minutes': args.minutes, 'rate': args.rate, 'corpus_items': len(items), 'loops': publisher.loop + 1,
        'publish_errors': publisher.failed, 'publisher_error': publisher.error,
        'killed_at_s': killed_at, 'replayed': replayed, 'drained_after_s': round(drained_after),
        'rss_first_run_mb': [round(s[1]) for s in first[::max(1, len(first) // 6)]],
        'rss_second_run_mb': [round(s[1]) for s in second[::max(1, len(second) // 6)]],
        'rss_growth_first_run_second_half_pct': growth(first, kill_s / 2, kill_s),
        'rss_growth_second_run_second_half_pct': growth(second, kill_s + (published_by - kill_s) / 2, published_by),
        'load_before': [round(x, 1) for x in load_before], 'load_after': [round(x, 1) for x in os.getloadavg()],
    })
    lines = report(args, figures)
    print('\n'.join(lines))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(figures, f, indent=2, default=str)
    if not args.no_write:
        write_benchmarks_section(SECTION, lines, COMMAND)
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if figures['reconciled'] else 1


def report_again(args):
    """Reconcile a kept run's outputs again (e.g. after the accounting changed) and report."""
    from wirewatch.pipeline import archive
    with open(args.json, encoding='utf-8') as f:
        figures = json.load(f)
    state_path = os.path.join(args.report_from, 'poller', 'state.json')
    output = os.path.join(args.report_from, 'out', 'soak')
    figures.update(reconcile(archive.default_archive_dir(state_path), output))
    lines = report(args, figures)
    print('\n'.join(lines))
    with open(args.json, 'w', encoding='utf-8') as f:
        json.dump(figures, f, indent=2, default=str)
    if not args.no_write:
        write_benchmarks_section(SECTION, lines, COMMAND)
    return 0 if figures['reconciled'] else 1


def report(args, f):
    pct = lambda v: 'n/a' if v is None else f'{v:+.1f} %'  # noqa: E731
    return [
        f'Soak: {f["minutes"]:.0f} min of poll + stream on the local emulator (BundleBasedDirectRunner), '
        f'{f["rate"]} items/s from {f["corpus_items"]} distinct corpus items',
        f'({os.path.relpath(args.corpus, REPO)}), replayed in {f["loops"]} loop(s); windows {args.window_seconds} s, '
        f'lateness {args.lateness_seconds} s, duplicate TTL {args.ttl_seconds} s of event time.',
        f'kill -9 of the stream at {f["killed_at_s"]:.0f} s, restart on the same folder, replay of {f["replayed"]} '
        f'archived items from the oldest open window; drained {f["drained_after_s"]} s after the last publish.',
        f'Reconciled: {"yes" if f["reconciled"] else "NO"}: items published {f["items_published"]} = stories '
        f'{f["stories"]} + exact duplicates {f["exact_duplicates"]} + item dead letters {f["item_dead_letters"]}'
        f' (unexplained {f["unexplained"]}); dead letters for replayed copies of items already written '
        f'{f["replayed_item_dead_letters"]} (not deduplicated: a known gap); stories written twice {f["stories_written_twice"]}, '
        f'events {f["events"]} (written twice {f["events_written_twice"]}), summaries {f["summaries"]}, '
        f'publish errors {f["publish_errors"]}.',
        f'Stream RSS (process tree, MB), first run: {f["rss_first_run_mb"]}; after the restart: {f["rss_second_run_mb"]}.',
        f'RSS growth over the second half of each run: first {pct(f["rss_growth_first_run_second_half_pct"])}, '
        f'after the restart {pct(f["rss_growth_second_run_second_half_pct"])}.',
        f'Load average before {f["load_before"]}, after {f["load_after"]} (2 cores).',
    ]


if __name__ == '__main__':
    sys.exit(main())
