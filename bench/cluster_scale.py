"""Streaming Cluster at scale: memory stays bounded because band and dedup state expire.

Usage:
  python bench/cluster_scale.py --items 200000 [--ttl-days 3] [--json OUT.json]
  python bench/cluster_scale.py --items 2000 --beam        # the real pipeline, cross-checked

A generated stream (deterministic seed): one new story per ~10 s of event time
(exponential gaps), headlines and leads drawn from a Zipf vocabulary of
pseudo-words, ~30% near-duplicate copies of a recent story (headline re-worded,
lead cut and edited, another outlet), ~8% exact re-ingests (same item id), ~10%
title-only items. So 200k items span ~3 weeks of event time and, with the
default 3-day TTL, state must expire.

Default mode is an in-process SIMULATION of ``Cluster(streaming=True)``: the
same pure functions and the same per-key state layout as the stateful DoFns
(exact dedup per item id, then per canonical URL, each key forgotten by a
watermark timer at first-seen + TTL; one pickled ``BandIndex`` entry list per
LSH band key, as ``PickleCoder`` stores it, re-pickled on every element, with a
watermark timer at the oldest entry + TTL that drops expired entries and moves on
to the next oldest), and watermark
timers fired in order as the watermark advances after every batch. It runs
twice in two child processes, with the TTL and with the TTL disabled (100
years; by default only the first 100k items, ``--compare-items``, to save time),
and reports RSS and live state at the checkpoints and the ratio.

``--beam`` runs the real ``Cluster(streaming=True)`` on a TestStream
(BundleBasedDirectRunner, watermark advanced after every batch) and compares
its clusters with the simulation's on the same items; the DirectRunner is far
too slow for 200k items (see bench/README.md).
"""
import argparse
import datetime as dt
import hashlib
import heapq
import json
import multiprocessing
import os
import pickle
import random
import resource
import sys
import time

import psutil

from wirewatch.transforms.cluster.exact import item_identity, url_identity
from wirewatch.transforms.cluster.index import BandIndex, decide_cluster
from wirewatch.transforms.cluster.similarity import band_keys, fingerprint, for_index, lexicon

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 3, 1, tzinfo=UTC)
SECONDS_PER_STORY = 10.0
COPY_SHARE = 0.30
REINGEST_SHARE = 0.08
TITLE_ONLY_SHARE = 0.10
RECENT_STORIES = 200          # copies are made of one of the last N new stories
VOCABULARY = 40000
ZIPF_EXPONENT = 0.9
BATCH = 200                   # items between watermark advances
NO_TTL_SECONDS = 100 * 365 * 86400
SYLLABLES = ('ka ri to mu sa ne lo vi da pe zu ho bi ta ro me ni gu fa le so '
             'ya we ki ru de no pa mi te lu go sa ve').split()


# ------------------------------------------------------------------ the stream

class StreamGenerator:
    """Deterministic synthetic FeedItem-like stories (dicts with the fields Cluster reads)."""

    def __init__(self, seed=7):
        self.rng = random.Random(seed)
        words = set()
        while len(words) < VOCABULARY:
            words.add(''.join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4))))
        self.words = sorted(words)
        self.weights = [1.0 / (rank + 1) ** ZIPF_EXPONENT for rank in range(VOCABULARY)]
        self.cum = []
        total = 0.0
        for w in self.weights:
            total += w
            self.cum.append(total)
        self.recent = []
        self.emitted = []
        self.clock = T0.timestamp()

    def _words(self, n):
        return [self.words[i] for i in (self._draw() for _ in range(n))]

    def _draw(self):
        import bisect
        return bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])

    def _story(self, sid, title, text, source, origin):
        self.clock = round(self.clock, 3)
        published = dt.datetime.fromtimestamp(self.clock, UTC)
        url = f'https://{source}.example/{sid}'
        return {
            'story_id': sid, 'cluster_id': sid, 'duplicate_of': None, 'url': url,
            'canonical_url': url, 'source_name': source, 'feed_url': f'https://{source}.example/feed',
            'title': title, 'text': text, 'language': 'en', 'published_at': published,
            'ingested_at': published, 'dateline_place': None, 'authors': [],
            'item_id': hashlib.sha1(sid.encode()).hexdigest(), 'origin': origin,
        }

    def __iter__(self):
        n = 0
        while True:
            n += 1
            sid = f's{n:07d}'
            roll = self.rng.random()
            if roll < REINGEST_SHARE and self.emitted:
                self.clock += self.rng.expovariate(1 / 2.0)
                old = self.rng.choice(self.emitted[-500:])
                yield dict(old, story_id=sid, ingested_at=dt.datetime.fromtimestamp(self.clock, UTC))
                continue
            if roll < REINGEST_SHARE + COPY_SHARE and self.recent:
                self.clock += self.rng.expovariate(1 / 2.0)
                origin = self.rng.choice(self.recent)
                title = self._reword(origin['title'])
                text = '' if not origin['text'] else self._edit(origin['text'])
                story = self._story(sid, title, text, f'outlet{self.rng.randint(1, 300)}', origin['origin'])
            else:
                self.clock += self.rng.expovariate(1 / SECONDS_PER_STORY)
                title = ' '.join(self._words(self.rng.randint(6, 10))).capitalize()
                text = '' if self.rng.random() < TITLE_ONLY_SHARE else ' '.join(self._words(50)) + '.'
                story = self._story(sid, title, text, f'outlet{self.rng.randint(1, 300)}', sid)
                self.recent.append(story)
                self.recent = self.recent[-RECENT_STORIES:]
            self.emitted.append(story)
            self.emitted = self.emitted[-1000:]
            yield story

    def _reword(self, title):
        words = title.split()
        for _ in range(self.rng.randint(0, 1)):
            words[self.rng.randrange(len(words))] = self._words(1)[0]
        if self.rng.random() < 0.3:
            words.append(self._words(1)[0])
        return ' '.join(words)

    def _edit(self, text):
        words = text.rstrip('.').split()
        cut = self.rng.randint(0, 8)
        words = words[:len(words) - cut] if cut else words
        for _ in range(self.rng.randint(0, 4)):
            words[self.rng.randrange(len(words))] = self._words(1)[0]
        return ' '.join(words) + '.'


def generate(n, seed=7):
    out = []
    for story in StreamGenerator(seed):
        out.append(story)
        if len(out) == n:
            return out
    return out


# ------------------------------------------------------------------ the simulation

class _KeyedTimers:
    """Per-key watermark timers: setting a key's timer again replaces it (as in Beam)."""

    def __init__(self):
        self.heap, self.current = [], {}

    def set(self, key, when):
        self.current[key] = when
        heapq.heappush(self.heap, (when, key))

    def fire_until(self, watermark):
        while self.heap and self.heap[0][0] <= watermark:
            when, key = heapq.heappop(self.heap)
            if self.current.get(key) == when:
                del self.current[key]
                yield key, when


class StreamingClusterSimulation:
    """Cluster(streaming=True) replayed in process: same functions, same keyed state and timers.

    Band state is kept as Python lists (entries of one story share its
    fingerprint object), not re-pickled on every element as PickleCoder would:
    that keeps 200k items within minutes. ``pickled_state_bytes`` measures what
    a runner's state backend would hold, at the checkpoints.
    """

    def __init__(self, ttl):
        self.ttl = ttl
        self.seen = ({}, {})                    # exact dedup state per identity, two stages
        self.seen_timers = (_KeyedTimers(), _KeyedTimers())
        self.bands = {}                         # band key -> list of Entry (BandIndex.entries)
        self.band_timers = _KeyedTimers()
        self.live_entries = 0
        self.duplicates_exact = 0
        self.duplicates_near = 0
        self.decisions = {}

    def process(self, story):
        ts = story['published_at'].timestamp()
        for stage, identity in enumerate((item_identity, url_identity)):
            key = identity(story)
            if self.seen[stage].get(key):
                self.duplicates_exact += 1
                return
            self.seen[stage][key] = True
            self.seen_timers[stage].set(key, ts + self.ttl)
        fp = fingerprint(story['title'], story['text'])
        stored = for_index(fp)
        sid = story['story_id']
        votes = []
        for key in band_keys(fp):
            index = BandIndex(self.bands.get(key, ()), ttl=self.ttl)
            before = len(index.entries)
            votes.append(index.offer(sid, ts, stored))
            self.live_entries += len(index.entries) - before
            self.bands[key] = index.entries
            self.band_timers.set(key, index.oldest_ts() + self.ttl)
        cluster_id, duplicate_of, _ = decide_cluster(sid, votes)
        self.duplicates_near += duplicate_of is not None
        self.decisions[sid] = (cluster_id, duplicate_of)

    def advance_watermark(self, watermark):
        for stage in (0, 1):
            for key, _ in self.seen_timers[stage].fire_until(watermark):
                self.seen[stage].pop(key, None)
        for key, when in self.band_timers.fire_until(watermark):
            index = BandIndex(self.bands[key], ttl=self.ttl)
            self.live_entries -= index.expire(when)
            if index.entries:
                self.bands[key] = index.entries
                self.band_timers.set(key, index.oldest_ts() + self.ttl)
            else:
                del self.bands[key]

    def pickled_state_bytes(self):
        """Bytes of band state as PickleCoder would store it (one pickle per band key)."""
        return sum(len(pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
                   for entries in self.bands.values())


def _rss_mb():
    return psutil.Process().memory_info().rss / 2 ** 20


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_simulation(items, ttl, checkpoints, seed=7, keep_decisions=False):
    """Feed the generated stream through the simulation; measures at each checkpoint."""
    lexicon()
    sim = StreamingClusterSimulation(ttl)
    rows, started, n = [], time.time(), 0
    truth = {}
    batch_end = 0.0
    for story in StreamGenerator(seed):
        n += 1
        truth[story['story_id']] = story['origin']
        sim.process(story)
        batch_end = story['published_at'].timestamp()
        if n % BATCH == 0:
            sim.advance_watermark(batch_end)
        if n in checkpoints:
            rows.append({
                'items': n, 'event_days': round((batch_end - T0.timestamp()) / 86400, 2),
                'rss_mb': round(_rss_mb(), 1), 'peak_rss_mb': round(_peak_rss_mb(), 1),
                'live_band_keys': len(sim.bands), 'live_band_entries': sim.live_entries,
                'live_exact_keys': len(sim.seen[0]) + len(sim.seen[1]),
                'pickled_band_state_mb': round(sim.pickled_state_bytes() / 2 ** 20, 1),
                'duplicates_exact': sim.duplicates_exact, 'duplicates_near': sim.duplicates_near,
                'seconds': round(time.time() - started, 1),
            })
        if n >= items:
            break
    result = {'ttl_seconds': ttl, 'checkpoints': rows}
    result['quality'] = _quality(sim.decisions, truth)
    if keep_decisions:
        result['decisions'] = sim.decisions
    return result


def _quality(decisions, truth):
    """Pairwise agreement of clusters with the generator's story of origin (copies within the TTL)."""
    by_cluster, by_origin = {}, {}
    for sid, (cid, _) in decisions.items():
        by_cluster.setdefault(cid, set()).add(sid)
        by_origin.setdefault(truth[sid], set()).add(sid)

    def pairs(groups):
        return sum(len(g) * (len(g) - 1) // 2 for g in groups)

    together = 0
    for group in by_cluster.values():
        origins = {}
        for sid in group:
            origins[truth[sid]] = origins.get(truth[sid], 0) + 1
        together += sum(c * (c - 1) // 2 for c in origins.values())
    predicted, actual = pairs(by_cluster.values()), pairs(by_origin.values())
    return {'pair_precision': round(together / predicted, 4) if predicted else None,
            'pair_recall': round(together / actual, 4) if actual else None}


def _child(args, queue):
    queue.put(run_simulation(*args))


def run_both(items, compare_items, ttl, checkpoints, seed):
    """The simulation with the TTL and with the TTL disabled, each in its own process (own RSS)."""
    ctx = multiprocessing.get_context('spawn')
    queue = ctx.Queue()
    runs = ((items, ttl), (compare_items, NO_TTL_SECONDS))
    procs = [ctx.Process(target=_child, args=((n, t, checkpoints, seed), queue)) for n, t in runs]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    with_ttl = next(r for r in results if r['ttl_seconds'] == ttl)
    without = next(r for r in results if r['ttl_seconds'] == NO_TTL_SECONDS)
    return with_ttl, without


# ------------------------------------------------------------------ the real pipeline

def _append_decision(story, path):
    """The DirectRunner runs in this process: one JSON line per decided story."""
    with open(path, 'a', encoding='utf-8') as f:
        f.write(json.dumps([story['story_id'], story['cluster_id'], story['duplicate_of']]) + '\n')


def run_beam(items, ttl, seed):
    """Cluster(streaming=True) on a TestStream; returns (decisions, seconds)."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.test_stream import TestStream
    from apache_beam.utils.timestamp import Timestamp

    from wirewatch.transforms.cluster import Cluster

    stories = generate(items, seed)
    stream = TestStream()
    for start in range(0, len(stories), BATCH):
        batch = stories[start:start + BATCH]
        stream.add_elements([beam.window.TimestampedValue(s, s['published_at'].timestamp())
                             for s in batch])
        stream.advance_watermark_to(Timestamp(micros=int(batch[-1]['published_at'].timestamp() * 1000) * 1000))
    stream.advance_watermark_to_infinity()
    out_path = os.path.join('/tmp', f'cluster_scale_beam_{os.getpid()}.jsonl')
    options = PipelineOptions([])
    options.view_as(StandardOptions).streaming = True
    started = time.time()
    with TestPipeline(runner='BundleBasedDirectRunner', options=options) as p:
        clustered, _ = p | stream | Cluster(streaming=True, ttl_seconds=ttl)
        clustered | beam.Map(_append_decision, out_path)
    seconds = time.time() - started
    with open(out_path, encoding='utf-8') as f:
        rows = [json.loads(line) for line in f]
    os.remove(out_path)
    return {sid: (cid, dup) for sid, cid, dup in rows}, seconds


# ------------------------------------------------------------------ report

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--items', type=int, default=200000)
    parser.add_argument('--ttl-days', type=float, default=3.0)
    parser.add_argument('--seed', type=int, default=7)
    parser.add_argument('--compare-items', type=int, default=100000,
                        help='items for the run with the TTL disabled (it grows; capped to save time)')
    parser.add_argument('--beam', action='store_true',
                        help='run the real pipeline on the DirectRunner and compare with the simulation')
    parser.add_argument('--json', help='write the report as JSON to this path')
    args = parser.parse_args(argv)
    ttl = args.ttl_days * 86400
    report = {'items': args.items, 'ttl_days': args.ttl_days}
    if args.beam:
        beam_decisions, seconds = run_beam(args.items, ttl, args.seed)
        sim = run_simulation(args.items, ttl, {args.items}, args.seed, keep_decisions=True)
        same = sum(1 for sid, d in sim['decisions'].items() if beam_decisions.get(sid) == d)
        report['beam'] = {'stories': len(beam_decisions), 'seconds': round(seconds, 1),
                          'items_per_second': round(args.items / seconds, 1),
                          'simulation_stories': len(sim['decisions']),
                          'same_decision_as_simulation': same,
                          'duplicates_near': sum(1 for d in beam_decisions.values() if d[1])}
        print(f"beam: {args.items} items in {seconds:.0f} s ({args.items / seconds:.0f}/s); "
              f"{len(beam_decisions)} stories, {report['beam']['duplicates_near']} near-duplicates; "
              f"same (cluster_id, duplicate_of) as the simulation: {same}/{len(sim['decisions'])}")
    else:
        checkpoints = sorted({c for c in (10000, 50000, 100000, 150000, 200000, args.items)
                              if c <= args.items})
        compare_items = min(args.items, args.compare_items)
        with_ttl, without = run_both(args.items, compare_items, ttl, set(checkpoints), args.seed)
        report['simulation'] = {'with_ttl': with_ttl, 'ttl_disabled': without}
        print(f'SIMULATION of Cluster(streaming=True), {args.items} items, TTL {args.ttl_days} days '
              f'vs disabled (separate processes)')
        print(f"{'items':>7} {'days':>6} | {'RSS MB':>7} {'entries':>9} {'keys':>8} {'state MB':>8}"
              f" | {'RSS MB':>7} {'entries':>9} {'keys':>8} {'state MB':>8} | RSS ratio")
        disabled = {b['items']: b for b in without['checkpoints']}
        for a in with_ttl['checkpoints']:
            row = (f"{a['items']:>7} {a['event_days']:>6} | {a['rss_mb']:>7} {a['live_band_entries']:>9} "
                   f"{a['live_band_keys']:>8} {a['pickled_band_state_mb']:>8} |")
            b = disabled.get(a['items'])
            if b:
                row += (f" {b['rss_mb']:>7} {b['live_band_entries']:>9} {b['live_band_keys']:>8} "
                        f"{b['pickled_band_state_mb']:>8} | {b['rss_mb'] / a['rss_mb']:.2f}")
            print(row)
        last = with_ttl['checkpoints'][-1]
        print(f"with TTL: {last['duplicates_exact']} exact, {last['duplicates_near']} near duplicates, "
              f"{last['seconds']} s; peak RSS {last['peak_rss_mb']} MB; "
              f"cluster quality vs generator {with_ttl['quality']}")
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(report, f, indent=2, default=str)
    return 0


if __name__ == '__main__':
    sys.exit(main())
