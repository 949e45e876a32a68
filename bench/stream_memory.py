"""Memory over a long generated stream: RSS of one ``wirewatch stream`` at 10k, 50k and 200k items.

Usage: python bench/stream_memory.py [--checkpoints 10000,50000,200000] [--rate 50]
                                     [--time-scale 360] [--max-lag-seconds 60]
                                     [--sample-seconds 10] [--max-minutes 240]
                                     [--section stream-memory] [--json OUT] [--keep DIR] [--no-write]
       (exits 0 with a message when Java or the emulator is absent)

One private emulator on a free loopback port and one ``wirewatch stream`` (the shipped command,
with its local-runner fixes), fed the generated wire of ``bench/stream_throughput.py`` (same
items, same poller code, same counting of the stories files) at ``--rate`` items/s until the
last checkpoint. At each checkpoint, once the stream has written the stories of that many items,
the RSS of the stream process and its children (psutil) is recorded, with the peak so far, the
stream's CPU seconds and the lag. Reported: those figures per checkpoint and the growth from the
second checkpoint to the last (goal: <= 10 % from 50k to 200k).

Event time. The DirectRunner's Pub/Sub watermark is the wall clock, ``RouteTooLate`` judges
lateness against the wall clock and the normaliser replaces publication times more than a day
in the future, so event time cannot run ahead of the clock on this runner: an item published
now is an item of now. So that windows close and TTL state expires within the run as it does
over days on a real feed, the pipeline's own time options are scaled by ``1/--time-scale``
(default 1/360: ``--window_seconds 240 --allowed_lateness_seconds 480 --dedup_ttl_seconds
720`` instead of 1, 2 and 3 days). At 50 items/s, 10,000 items then span 200 s of event time,
0.83 of a (scaled) window: what 20 hours of a feed of 12,000 items a day are to the shipped
one-day windows (the density of ``bench/cluster_scale.py``'s generated stream). State keyed
with the 3-day TTL holds about 36,000 items' worth once 720 s have passed (about 36,000 items),
so from then on memory should stay flat. Early panes and file flushes keep their defaults (5 s
of processing time).

Publishing holds back while the stream lags more than ``--max-lag-seconds`` behind it (so
that no item waits in Pub/Sub long enough to become too late for its scaled window); the
achieved rate is reported. Progress (the checkpoints reached) is also written to ``--json``
after each checkpoint, and a run stopped by a signal or ``--max-minutes`` writes the
checkpoints it reached (marked partial). Loopback only; the stream and the emulator are
stopped on exit, errors and signals. Writes its section of BENCHMARKS.md unless ``--no-write``.
"""
import argparse
import collections
import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from extract_throughput import write_benchmarks_section  # noqa: E402
from stream_throughput import (Harness, command_line, emulator_missing,  # noqa: E402
                               interrupt_on_signals, invented_names, mix_line, process_tree, say)

SECTION = 'stream-memory'
COMMAND = 'python bench/stream_memory.py'
GOAL_GROWTH = 0.10
MISSING_TOLERANCE = 0.002   # a checkpoint is reached with 99.8 % of its stories written
DAY = 86400

Checkpoint = collections.namedtuple('Checkpoint', 'items t elapsed rss_mb peak_mb cpu_s lag_s '
                                                  'published stories_out load')


def scaled_flags(scale):
    """The pipeline's time options (window 1 day, lateness 2 days, TTL 3 days) divided by ``scale``."""
    window, lateness, ttl = (max(1, round(days * DAY / scale)) for days in (1, 2, 3))
    return ['--window_seconds', str(window), '--allowed_lateness_seconds', str(lateness),
            '--dedup_ttl_seconds', str(ttl)]


class Checkpoints:
    """Records the stream's RSS when it has written the stories of each checkpoint's items."""

    def __init__(self, harness, counts, started, on_reached=None):
        self.harness = harness
        self.pending = sorted(counts)
        self.reached = []
        self.started = started
        self.peak_mb = 0.0
        self.on_reached = on_reached
        self.lock = threading.Lock()

    def __call__(self, sample):
        with self.lock:
            self.peak_mb = max(self.peak_mb, sample.rss_mb)
            while self.pending:
                n = self.pending[0]
                stories = self.harness.ledger.stories_among_first(n + 1)  # + the warm-up item
                # a story or two lost on the way (dead-lettered) must not hold a checkpoint back
                if stories is None or sample.stories_out < stories * (1 - MISSING_TOLERANCE):
                    break
                self.pending.pop(0)
                point = Checkpoint(n, sample.t, sample.t - self.started, sample.rss_mb, self.peak_mb,
                                   sample.cpu_s, sample.lag_s, sample.published, sample.stories_out,
                                   os.getloadavg()[0])
                self.reached.append(point)
                say(f'stream memory: {n:,} items: RSS {point.rss_mb:.0f} MB (peak {point.peak_mb:.0f}), '
                    f'stream CPU {point.cpu_s:.0f} s, lag {point.lag_s:.0f} s, after {point.elapsed / 60:.1f} min')
                if self.on_reached:
                    self.on_reached(self.reached)


def goal_base(checkpoints):
    """The checkpoint growth is measured from: the second of three or more (50k of the
    issue's 10k/50k/200k), else the first."""
    return checkpoints[1] if len(checkpoints) > 2 else checkpoints[0]


def items_written(sample):
    """Items whose stories a sample had seen written (stories over the share of items that are
    stories; re-ingests write nothing)."""
    share = sample.stories_published / sample.published if sample.published else 1.0
    return sample.stories_out / share if share else 0


def report_lines(args, reached, partial, figures, samples=()):
    flags = ' '.join(scaled_flags(args.time_scale))
    lines = [f'RSS of one `wirewatch stream` (BundleBasedDirectRunner, Beam 2.77, its local-runner fixes, '
             f'{os.cpu_count()} cores)',
             'and its children, fed the generated wire of bench/stream_throughput.py by the poller\'s own code '
             f'at up to {args.rate:g} items/s,',
             f'time options scaled by 1/{args.time_scale:g} ({flags}) so that windows close',
             'and TTL state expires within the run (the runner\'s watermark is the wall clock; see the script).']
    if figures.get('counts'):
        lines.append('Items: ' + mix_line(figures['counts']) + '.')
    lines.append('  items      minutes  RSS MB   peak MB  stream CPU s  CPU ms/item*  lag s  load avg')
    previous = (0, samples[0].cpu_s) if samples else None
    for p in reached:
        per_item = (1000 * (p.cpu_s - previous[1]) / (p.items - previous[0])) if previous else float('nan')
        previous = (p.items, p.cpu_s)
        lines.append(f'  {p.items:<9,}  {p.elapsed / 60:<7.1f}  {p.rss_mb:<7.0f}  {p.peak_mb:<7.0f}  '
                     f'{p.cpu_s:<12.0f}  {per_item:<12.1f}  {p.lag_s:<5.0f}  {p.load:.1f}')
    lines.append('  * since the checkpoint before (the first: since the warm-up); stream CPU s counts from its start')
    if figures.get('achieved'):
        lines.append(f'  publishing: {figures["published"]:,} items at {figures["achieved"]:.1f} items/s achieved '
                     f'(held back {figures["held_seconds"]:.0f} s while '
                     f'{figures.get("hold_rule") or f"the stream lagged more than {args.max_lag_seconds:g} s"}); '
                     f'load average {figures["load_before"]:.1f} at start, '
                     f'{figures["load_after"]:.1f} at end; RSS after warm-up {figures["rss_start"]:.0f} MB.')
    if figures.get('stories_published'):
        lines.append(f'  at the end: {figures["stories_out"]:,} of {figures["stories_published"]:,} stories published '
                     f'were written; {figures.get("dead_letters", 0):,} dead letters.')
    base_items = goal_base(args.checkpoints)
    base = next((p for p in reached if p.items == base_items), None)
    if base and reached[-1] is not base:
        growth = reached[-1].rss_mb / base.rss_mb - 1
        lines.append(f'Growth from {base.items:,} to {reached[-1].items:,} items: {100 * growth:+.1f} % '
                     f'(goal <= {100 * GOAL_GROWTH:g} %: {"met" if growth <= GOAL_GROWTH else "NOT met"}).')
    if partial:
        missing = [n for n in args.checkpoints if n not in {p.items for p in reached}]
        lines.append(f'PARTIAL: stopped ({partial}) before {", ".join(f"{n:,}" for n in missing)} items.')
        since = [x for x in samples if base and x.t >= base.t]
        if since:
            end = since[-1]
            rss = sorted(x.rss_mb for x in since)
            lines.append(f'  By the end about {items_written(end):,.0f} items were written: RSS {end.rss_mb:.0f} MB, '
                         f'{100 * (end.rss_mb / base.rss_mb - 1):+.1f} % from {base.items:,} items; over the '
                         f'{len(since)} samples since, RSS {rss[0]:.0f} to {rss[-1]:.0f} MB (median '
                         f'{rss[len(rss) // 2]:.0f}).')
    return lines


def report_from_json(args, argv):
    """Report (and write the section of) a run saved with ``--json``."""
    from stream_throughput import Sample
    with open(args.from_json, encoding='utf-8') as f:
        saved = json.load(f)
    reached = [Checkpoint(**p) for p in saved['checkpoints']]
    samples = [Sample(**x) for x in saved['samples']]
    figures = saved['figures']
    done = {p.items for p in reached}
    partial = None if set(args.checkpoints) <= done else figures.get('partial', 'stopped')
    lines = report_lines(args, reached, partial, figures, samples)
    print('\n'.join(lines))
    if not args.no_write and reached:
        rest = [a for i, a in enumerate(argv) if a != '--from-json' and (i == 0 or argv[i - 1] != '--from-json')]
        write_benchmarks_section(args.section, lines, figures.get('command') or command_line(rest, COMMAND))
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--checkpoints', default='10000,50000,200000',
                        help='item counts at which RSS is recorded (default 10000,50000,200000)')
    parser.add_argument('--rate', type=float, default=50.0, help='offered items/s (default 50)')
    parser.add_argument('--time-scale', type=float, default=360.0,
                        help='divide the window, lateness and TTL options by this (default 360)')
    parser.add_argument('--max-lag-seconds', type=float, default=60.0,
                        help='hold publishing while the stream lags more than this (default 60)')
    parser.add_argument('--poll-seconds', type=float, default=1.0,
                        help='seconds between two poller passes (default 1)')
    parser.add_argument('--sample-seconds', type=float, default=10.0,
                        help='seconds between two samples (default 10)')
    parser.add_argument('--tail-minutes', type=float, default=10.0,
                        help='bound on the wait for the last items, in minutes (default 10)')
    parser.add_argument('--max-minutes', type=float, default=240.0,
                        help='bound on the whole run, in minutes (default 240)')
    parser.add_argument('--section', default=SECTION,
                        help=f'BENCHMARKS.md section to write (default {SECTION})')
    parser.add_argument('--json', help='write the checkpoints (as they are reached) and samples here')
    parser.add_argument('--keep', help="copy the stream's log to this folder")
    parser.add_argument('--no-write', action='store_true', help='do not touch BENCHMARKS.md')
    parser.add_argument('--from-json', help='report (and write the section of) a run saved with --json, '
                                            'given the same options')
    args = parser.parse_args(argv)
    try:
        args.checkpoints = sorted({int(c) for c in args.checkpoints.split(',') if c.strip()})
    except ValueError:
        parser.error('--checkpoints takes item counts, e.g. 10000,50000,200000')
    if not args.checkpoints or args.checkpoints[0] < 1 or args.rate <= 0 or args.time_scale <= 0:
        parser.error('--checkpoints, --rate and --time-scale must be positive')
    return args


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.from_json:
        return report_from_json(args, argv)
    missing = emulator_missing()
    if missing:
        print(f'stream memory: skipped: {missing}')
        return 0
    interrupt_on_signals()
    started = time.monotonic()
    deadline = started + args.max_minutes * 60
    tmp = tempfile.mkdtemp(prefix='wirewatch-stream-memory-')
    harness = Harness(tmp, stream_flags=scaled_flags(args.time_scale),
                      sample_seconds=args.sample_seconds, name='soak')
    checkpoints, partial = None, None
    figures = {'command': command_line(argv, COMMAND),
               'hold_rule': f'the stream lagged more than {args.max_lag_seconds:g} s'}

    def save_progress(reached):
        if args.json:
            with open(args.json, 'w', encoding='utf-8') as f:
                json.dump({'checkpoints': [p._asdict() for p in reached], 'figures': figures,
                           'samples': [s._asdict() for s in harness.sampler.samples]
                           if harness.sampler else []}, f, indent=1, default=str)

    try:
        harness.start(invented_names())
        say(f'stream memory: emulator on {harness.address}; stream flags {" ".join(harness.stream_flags)}; '
            'waiting for the warm-up item')
        warm = harness.warm_up()
        rss_start, _ = process_tree(harness.stream.process.pid)
        figures.update(rss_start=(rss_start or 0) / 2 ** 20, load_before=os.getloadavg()[0])
        say(f'stream memory: warm-up story written after {warm:.0f} s; RSS {figures["rss_start"]:.0f} MB; '
            f'publishing {args.checkpoints[-1]:,} items at {args.rate:g}/s')
        harness.start_sampling()
        checkpoints = Checkpoints(harness, args.checkpoints, time.time(), save_progress)
        harness.sampler.listeners.append(checkpoints)
        held = [0.0]

        def hold():
            samples = harness.sampler.samples
            if samples and samples[-1].lag_s > args.max_lag_seconds:
                held[0] += args.poll_seconds
                return True
            return False

        next_report = [time.monotonic() + 60]

        def on_tick(done):
            if time.monotonic() >= next_report[0] and harness.sampler.samples:
                next_report[0] += 60
                s = harness.sampler.samples[-1]
                say(f'stream memory: published {done:,}, stories out {s.stories_out:,}/{s.stories_published:,}, '
                    f'lag {s.lag_s:.0f} s, RSS {s.rss_mb:.0f} MB')

        published = harness.run_publishing(args.rate, args.checkpoints[-1], args.poll_seconds, deadline,
                                           on_tick, hold)
        span = (harness.last_published or time.time()) - harness.first_published
        figures.update(published=published, achieved=published / span if span > 0 else 0.0,
                       held_seconds=held[0], counts=dict(harness.feed.counts))
        if published < args.checkpoints[-1]:
            partial = 'time budget'
        else:
            say(f'stream memory: all {published:,} items published; waiting for the tail')
            harness.drain(min(deadline, time.monotonic() + args.tail_minutes * 60))
            if checkpoints.pending:
                partial = 'tail not written in time'
    except KeyboardInterrupt as interrupt:
        partial = f'interrupted: {interrupt or "Ctrl-C"}'
        say(f'stream memory: {partial}')
    finally:
        figures.update(load_after=os.getloadavg()[0], partial=partial)
        if harness.sampler:
            harness.sampler.stop.set()
            if harness.sampler.samples:
                last = harness.sampler.samples[-1]
                figures.update(stories_out=last.stories_out, stories_published=last.stories_published)
        if harness.watch:
            figures['dead_letters'] = harness.watch.snapshot()[1].get('deadletter', 0)
        reached = list(checkpoints.reached) if checkpoints else []
        with contextlib.suppress(Exception):
            save_progress(reached)
        harness.close()
        if args.keep and harness.stream:
            with contextlib.suppress(OSError):
                os.makedirs(args.keep, exist_ok=True)
                shutil.copy(harness.stream.log_path, args.keep)
        shutil.rmtree(tmp, ignore_errors=True)
    samples = harness.sampler.samples if harness.sampler else []
    lines = report_lines(args, reached, partial, figures, samples)
    print('\n'.join(lines))
    if not args.no_write and reached:
        write_benchmarks_section(args.section, lines, figures['command'])
    say(f'stream memory: done after {(time.monotonic() - started) / 60:.1f} min')
    return 0 if not partial else 1


if __name__ == '__main__':
    sys.exit(main())
