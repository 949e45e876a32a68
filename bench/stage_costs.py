"""Where wirewatch's time goes: each stage's share of one run, as ratios (no Beam).

Usage: python bench/stage_costs.py [--corpus PATH] [--limit N] [--extract-budget N]
                                   [--outlet-days FIRST LAST] [--json OUT.json]
       (default corpus ../shared/corpus; exits 0 with a message when it is absent)

Input: every snapshot of ``feeds/wires-2026`` and a slice of ``feeds/outlets-2020-05``
(the snapshots captured on ``--outlet-days``, file names start with the capture
time). Each folder's files are read whole, oldest first, until ``--limit`` feed
items are reached (the last file may go past it).

Each stage runs the pipeline's own pure code, one after the other in this process,
timed in CPU seconds of this process (robust to other processes on the machine) and
in wall seconds:

1. read+parse: ``read_feed_file`` per file;
2. normalise: ``normalise_item`` per item;
3. cluster: a replay of the batch ``Cluster()`` (exact dedup by item id then canonical
   URL with ``split_first_seen``; ``fingerprint``/``band_keys`` per story; each band's
   stories in publication order through a ``BandIndex``; ``decide_cluster``);
4. extract: ``EventExtractor().extract`` (``nlp.pipe`` batches of ``--batch-size``) on
   the English cluster representatives, as ``needs_extraction`` selects them;
5. summarise: events and story briefs joined per cluster and day,
   ``cluster_contributions``, then ``summarise_country`` per country and day and
   ``apply_baselines`` per country.

What clustering saves: every English story is extracted exactly once, in disjoint
measured sets per corpus folder: the representatives (what the pipeline extracts),
the near-duplicates and the exact re-ingests (what clustering keeps from the
extractor). "All English stories" is the sum of the three measured sets; the key
ratio is that over the representatives' time, on the same clusters in the same run.
When the English stories exceed ``--extract-budget``, whole clusters are sampled
(by hash of cluster id) up to the budget: the key ratio is then measured on the
sample, and the stage table's extract row is the sampled representatives' time
scaled by their count (the report says so). The default budget covers the default
input, so by default nothing is scaled.

Only ratios are reported (project rule): CPU shares (this process, robust to other
processes on the machine), wall shares, items/s relative to the slowest stage.
"""
import argparse
import collections
import datetime
import hashlib
import json
import os
import sys
import time

from wirewatch.pipeline.build import ENGLISH, needs_extraction
from wirewatch.transforms.cluster.exact import item_identity, split_first_seen, url_identity
from wirewatch.transforms.cluster.index import BandIndex, decide_cluster, index_row
from wirewatch.transforms.cluster.similarity import (DEFAULT_THRESHOLD, band_keys, fingerprint,
                                                     for_index)
from wirewatch.transforms.cluster import DEFAULT_TTL_SECONDS
from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.ingest.feeds import expand_inputs, read_feed_file
from wirewatch.transforms.normalise.core import normalise_item
from wirewatch.transforms.summarise import DAY_SECONDS, BASELINE_RING, country_name, story_brief
from wirewatch.transforms.summarise.core import (apply_baselines, cluster_contributions,
                                                 summarise_country)

DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'corpus')
WIRES_DIR = 'feeds/wires-2026'
OUTLETS_DIR = 'feeds/outlets-2020-05'
DEFAULT_OUTLET_DAYS = ('20200530', '20200601')  # the protest peak: the same stories across outlets
DEFAULT_LIMIT = None
DEFAULT_EXTRACT_BUDGET = 9000  # the default input's 8.9k English stories: nothing scaled
WARM_UP_STORIES = 4
DEFAULT_BATCH_SIZE = 32  # the pipeline's --extract_batch_size default
STAGES = ('read+parse', 'normalise', 'cluster', 'extract', 'summarise')


class StageClock:
    """Accumulates CPU seconds (this process) and wall seconds per named stage."""

    def __init__(self):
        self.cpu = collections.Counter()
        self.wall = collections.Counter()

    def timed(self, name):
        return _Timing(self, name)


class _Timing:
    def __init__(self, clock, name):
        self.clock, self.name = clock, name

    def __enter__(self):
        self.cpu0, self.wall0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.clock.cpu[self.name] += time.process_time() - self.cpu0
        self.clock.wall[self.name] += time.perf_counter() - self.wall0
        return False


# ------------------------------------------------------------------ input

def capture_name(path):
    """Sort key: the capture time the corpus puts at the start of each file name."""
    return (os.path.basename(path), path)


def feed_files(corpus, outlet_days):
    """{folder: [files oldest first]}: all of wires-2026, outlets-2020-05 captured on ``outlet_days``."""
    chosen = {}
    wires = os.path.join(corpus, WIRES_DIR)
    if os.path.isdir(wires):
        chosen[WIRES_DIR] = sorted(expand_inputs([wires]), key=capture_name)
    outlets = os.path.join(corpus, OUTLETS_DIR)
    if os.path.isdir(outlets):
        first, last = outlet_days
        chosen[OUTLETS_DIR] = sorted((f for f in expand_inputs([outlets])
                                      if first <= os.path.basename(f)[:8] <= last), key=capture_name)
    return {k: v for k, v in chosen.items() if v}


def read_items(files, limit, clock, dead):
    """(feed items, files read): whole ``files`` in order until ``limit`` items (the read stage)."""
    items, read = [], 0
    with clock.timed('read+parse'):
        for path in files:
            if limit is not None and len(items) >= limit:
                break
            read += 1
            for kind, record in read_feed_file(path):
                if kind == 'deadletter':
                    dead['read:' + record['error']] += 1
                else:
                    items.append(record)
    return items, read


def normalise_all(items, clock, dead, now):
    stories = []
    with clock.timed('normalise'):
        for item in items:
            try:
                stories.append(normalise_item(item, now=now))
            except Rejected as rejected:
                dead['normalise:' + rejected.error] += 1
    return stories


# ------------------------------------------------------------------ cluster (batch replay)

def drop_exact(stories, identity):
    """(kept, [(duplicate story, kept story_id)]) as the batch ``DropExactDuplicates`` does.

    A re-ingested item keeps its story_id, so duplicates are returned as stories, not ids.
    """
    groups = collections.defaultdict(list)
    for story in stories:
        groups[identity(story)].append(story)
    kept, duplicates = [], []
    for members in groups.values():
        first, rest = split_first_seen(members)
        kept.append(first)
        duplicates.extend((dup, first['story_id']) for dup in rest)
    return kept, duplicates


def cluster_near(stories, ttl=DEFAULT_TTL_SECONDS, threshold=DEFAULT_THRESHOLD, clock=None):
    """Stories with cluster_id/duplicate_of/similarity, as the batch ``ClusterNearDuplicates``."""
    bands = collections.defaultdict(list)
    with clock.timed('cluster:fingerprint+bands'):
        for story in stories:
            fp = fingerprint(story['title'], story['text'])
            member = (story['story_id'], story['published_at'].timestamp(), index_row(for_index(fp)))
            for key in band_keys(fp):
                bands[key].append(member)
    votes = collections.defaultdict(list)
    out = []
    with clock.timed('cluster:band votes+decide'):
        for members in bands.values():
            index = BandIndex(ttl=ttl, threshold=threshold)
            for sid, ts, fp in sorted(members, key=lambda m: (m[1], m[0])):
                votes[sid].append(index.offer(sid, ts, fp))
        for story in stories:
            cluster_id, duplicate_of, similarity = decide_cluster(story['story_id'], votes[story['story_id']])
            out.append(dict(story, cluster_id=cluster_id, duplicate_of=duplicate_of, similarity=similarity))
    return out


def cluster_all(stories, clock):
    """(clustered stories, [(exact duplicate story, cluster_id of its kept twin)])."""
    with clock.timed('cluster:exact dedup'):
        by_item, dup_item = drop_exact(stories, item_identity)
        by_url, dup_url = drop_exact(by_item, url_identity)
    clustered = cluster_near(by_url, clock=clock)
    # bookkeeping for the benchmark only (not timed): the cluster each re-ingest belongs to
    cluster_of = {s['story_id']: s['cluster_id'] for s in clustered}
    kept_of = {dup['story_id']: first for dup, first in dup_url}  # same-URL twins that were kept by id
    duplicates = [(dup, cluster_of[first]) for dup, first in dup_url]
    duplicates += [(dup, cluster_of[kept_of.get(first, first)]) for dup, first in dup_item]
    return clustered, duplicates


# ------------------------------------------------------------------ extract

def sample_rank(cluster_id):
    """Deterministic pseudo-random order of clusters (same sample every run)."""
    return hashlib.sha1(cluster_id.encode('utf-8')).hexdigest()


SETS = ('representatives', 'near_duplicates', 'exact_reingests')


class ExtractionPlan:
    """Disjoint sets of English stories, each to be extracted exactly once.

    ``sets[kind][folder]``: kind ``representatives`` is what the pipeline extracts
    (``needs_extraction``), ``near_duplicates`` and ``exact_reingests`` what clustering
    keeps from it; all restricted to the sampled clusters (every cluster with an English
    representative when they fit in ``budget`` stories, else whole clusters in hash order).
    """

    def __init__(self, clustered, exact_duplicates, folder_of, budget):
        reps = {s['cluster_id']: s for s in clustered if needs_extraction(s)}
        copies = collections.defaultdict(list)  # cluster_id -> [(kind, story)]
        for s in clustered:
            if s['duplicate_of'] and s.get('language') in ENGLISH:
                copies[s['cluster_id']].append(('near_duplicates', s))
        for story, cluster_id in exact_duplicates:
            if story.get('language') in ENGLISH:
                copies[cluster_id].append(('exact_reingests',
                                           dict(story, cluster_id=cluster_id, duplicate_of=cluster_id)))
        cost = {c: 1 + len(copies[c]) for c in reps}
        self.all_representatives = len(reps)
        self.sampled = sum(cost.values()) > budget
        chosen, used = [], 0
        for cluster_id in sorted(reps, key=sample_rank):
            if used + cost[cluster_id] <= budget:
                chosen.append(cluster_id)
                used += cost[cluster_id]
        self.clusters = len(chosen)
        self.sets = {kind: collections.defaultdict(list) for kind in SETS}
        for cluster_id in chosen:
            members = [('representatives', reps[cluster_id])] + copies[cluster_id]
            for kind, story in members:
                self.sets[kind][folder_of[story['story_id']]].append(story)
        self.representatives = sum(len(v) for v in self.sets['representatives'].values())

    def scale(self):
        """All English representatives per extracted one (1.0 when nothing was sampled)."""
        return self.all_representatives / self.representatives if self.representatives else 0.0

    def batches(self):
        """(kind, folder, stories) in a fixed order."""
        for kind in SETS:
            for folder in sorted(self.sets[kind]):
                yield kind, folder, self.sets[kind][folder]


def publication_order(stories):
    return sorted(stories, key=lambda s: (s['published_at'], s['story_id']))


def extract_set(extractor, stories, clock, name):
    """Events per story of one set, extracted in one ``extract`` call (batched ``nlp.pipe``)."""
    with clock.timed(name):
        return list(extractor.extract(publication_order(stories)))


# ------------------------------------------------------------------ summarise (batch replay)

def window_start(moment, window_seconds=DAY_SECONDS):
    seconds = moment.timestamp() // window_seconds * window_seconds
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


def summarise_all(events, clustered, clock, window_seconds=DAY_SECONDS):
    """CountrySummary dicts as the batch ``SummariseByCountry`` makes them (daily windows)."""
    with clock.timed('summarise'):
        joined = collections.defaultdict(lambda: ([], []))
        for ev in events:
            joined[(ev['cluster_id'], window_start(ev['published_at'], window_seconds))][0].append(ev)
        for story in clustered:
            key = (story['cluster_id'], window_start(story['published_at'], window_seconds))
            joined[key][1].append(story_brief(story))
        by_country_window = collections.defaultdict(list)
        for (cluster_id, start), (evs, briefs) in joined.items():
            for country, contribution in cluster_contributions(cluster_id, evs, briefs):
                by_country_window[(country, start)].append(contribution)
        per_country = collections.defaultdict(list)
        for (country, start), contributions in by_country_window.items():
            end = start + datetime.timedelta(seconds=window_seconds)
            per_country[country].append(summarise_country(
                country, country_name(country), contributions, start, end))
        summaries = []
        for country in sorted(per_country):
            summaries.extend(apply_baselines(per_country[country], window_seconds, BASELINE_RING))
    return summaries


# ------------------------------------------------------------------ report

def _share(part, total):
    return round(100.0 * part / total, 1) if total else None


def _ratio(a, b):
    return round(a / b, 2) if b else None


def stage_table(clock, counts, extract_keys, extract_scale=1.0):
    """Per stage: items in, CPU and wall share %, items/s as a multiple of the slowest stage.

    ``extract_scale``: all English representatives per extracted one; the extract row's
    time is the measured time times this (1.0 unless representatives were sampled).
    """
    def per_stage(measure):
        return {
            'read+parse': measure['read+parse'],
            'normalise': measure['normalise'],
            'cluster': sum(v for k, v in measure.items() if k.startswith('cluster:')),
            'extract': sum(measure[k] for k in extract_keys) * extract_scale,
            'summarise': measure['summarise'],
        }
    cpu, wall = per_stage(clock.cpu), per_stage(clock.wall)
    units = {'read+parse': ('feed items', counts['feed_items']),
             'normalise': ('feed items', counts['feed_items']),
             'cluster': ('stories', counts['stories_normalised']),
             'extract': ('representatives', counts['representatives_english']),
             'summarise': ('events', counts['events'])}
    rates = {s: (units[s][1] / cpu[s] if cpu[s] else None) for s in STAGES}
    slowest = min((r for r in rates.values() if r), default=None)
    total_cpu, total_wall = sum(cpu.values()), sum(wall.values())
    rows = [{'stage': s, 'items': units[s][1], 'unit': units[s][0],
             'cpu_share_pct': _share(cpu[s], total_cpu), 'wall_share_pct': _share(wall[s], total_wall),
             'items_per_s_vs_slowest': _ratio(rates[s], slowest) if rates[s] else None}
            for s in STAGES]
    parts = [{'part': k.split(':', 1)[1], 'share_of_cluster_pct': _share(v, cpu['cluster'])}
             for k, v in sorted(clock.cpu.items()) if k.startswith('cluster:')]
    return rows, parts


def saving_ratios(cpu, wall, stories, events):
    """Ratios for one group of sets; each argument is {kind: value}."""
    reps = stories['representatives']
    all_n = sum(stories.values())
    sets = {}
    for kind in SETS:
        n = stories[kind]
        sets[kind] = {'stories': n, 'events': events[kind],
                      'events_per_story': round(events[kind] / n, 3) if n else None,
                      'cpu_per_story_vs_representative': _ratio(cpu[kind] / n, cpu['representatives'] / reps)
                      if n and reps and cpu['representatives'] else None}
    return {
        'sets': sets,
        'all_english_stories': all_n,
        'events_per_story_all': round(sum(events.values()) / all_n, 3) if all_n else None,
        'stories_all_over_representatives': _ratio(all_n, reps),
        'extract_cpu_all_over_representatives': _ratio(sum(cpu.values()), cpu['representatives']),
        'extract_wall_all_over_representatives': _ratio(sum(wall.values()), wall['representatives']),
        'extract_cpu_exact_dedup_only_over_representatives': _ratio(
            cpu['representatives'] + cpu['near_duplicates'], cpu['representatives']),
    }


def saving_report(clock, plan, events):
    """Extraction over all English stories vs over representatives only, on the same clusters,
    overall and per corpus folder. ``events[(kind, folder)]`` counts events per measured set."""
    folders = sorted({folder for kind in SETS for folder in plan.sets[kind]})

    def group(chosen):
        pick = {kind: [(kind, f) for f in chosen if f in plan.sets[kind]] for kind in SETS}
        return saving_ratios(
            {k: sum(clock.cpu['extract:%s:%s' % key] for key in pick[k]) for k in SETS},
            {k: sum(clock.wall['extract:%s:%s' % key] for key in pick[k]) for k in SETS},
            {k: sum(len(plan.sets[k][f]) for _, f in pick[k]) for k in SETS},
            {k: sum(events[key] for key in pick[k]) for k in SETS})
    out = {'measured_on': (f'a sample of {plan.clusters} of {plan.all_representatives} clusters '
                           '(whole clusters, by hash of cluster id)' if plan.sampled
                           else f'all {plan.clusters} clusters with an English representative'),
           'sampled': plan.sampled}
    out.update(group(folders))
    out['per_folder'] = {f: group([f]) for f in folders}
    return out


def print_report(report):
    c = report['counts']
    folders = ', '.join(f"{k} {v['files_read']}/{v['files']} files {v['items']} items"
                        for k, v in report['input']['folders'].items())
    print(f'== where the time goes: one process, pure code, no Beam ({folders})')
    print(f"feed items {c['feed_items']}, stories {c['stories_normalised']}, after exact dedup "
          f"{c['stories_after_exact_dedup']}, clusters {c['clusters']}, English representatives "
          f"{c['representatives_english']} ({c['representatives_extracted']} extracted), "
          f"events {c['events']}, summaries {c['summaries']}")
    print(f"{'stage':<11} {'items':>7} {'unit':<16} {'CPU %':>6} {'wall %':>6} {'items/s x slowest':>18}")
    for r in report['stages']:
        rate = '-' if r['items_per_s_vs_slowest'] is None else f"{r['items_per_s_vs_slowest']:.1f}"
        print(f"{r['stage']:<11} {r['items']:>7} {r['unit']:<16} {r['cpu_share_pct']:>6} "
              f"{r['wall_share_pct']:>6} {rate:>18}")
    if report['extract_row_scaled_from_sample']:
        print('  (extract row: measured on the sampled representatives, scaled by their count; '
              'summarise ran on the sampled representatives\' events)')
    print('cluster parts (% of cluster CPU): ' + ', '.join(
        f"{p['part']} {p['share_of_cluster_pct']}" for p in report['cluster_parts']))
    s = report['clustering_saves']
    print(f"== what clustering saves in extraction (measured on {s['measured_on']})")
    for name, v in s['sets'].items():
        print(f"  {name:<16} {v['stories']:>6} stories, CPU per story "
              f"x{v['cpu_per_story_vs_representative']} of a representative's, "
              f"{v['events_per_story']} events/story")
    print(f"  all English stories / representatives: stories x{s['stories_all_over_representatives']}, "
          f"extract CPU x{s['extract_cpu_all_over_representatives']} "
          f"(wall x{s['extract_wall_all_over_representatives']}); "
          f"with exact dedup only (no near-duplicate step): CPU x"
          f"{s['extract_cpu_exact_dedup_only_over_representatives']}")
    print(f"  events per story: representatives {s['sets']['representatives']['events_per_story']}, "
          f"all English stories {s['events_per_story_all']}")
    for folder, f in s['per_folder'].items():
        print(f"  {folder}: stories x{f['stories_all_over_representatives']}, "
              f"extract CPU x{f['extract_cpu_all_over_representatives']}, exact dedup only "
              f"x{f['extract_cpu_exact_dedup_only_over_representatives']} "
              f"({f['sets']['representatives']['stories']} representatives)")
    load = report['model_load_cpu_over_extracted_representatives_cpu']
    print(f"model load+warm-up (not in the table): x{load} of the extracted representatives' CPU; "
          f"run CPU/wall x{report['cpu_over_wall']}")


def run(corpus, limit, extract_budget, outlet_days, batch_size):
    clock = StageClock()
    dead = collections.Counter()
    now = datetime.datetime.now(datetime.timezone.utc)
    files = feed_files(corpus, outlet_days)
    items, inputs, folder_of = [], {}, {}
    for folder, paths in files.items():
        folder_items, read = read_items(paths, limit, clock, dead)
        items.extend(folder_items)
        folder_of.update((item['item_id'], folder) for item in folder_items)
        inputs[folder] = {'files_read': read, 'files': len(paths), 'items': len(folder_items)}
    stories = normalise_all(items, clock, dead, now)
    clustered, exact_duplicates = cluster_all(stories, clock)

    with clock.timed('model load+warm-up'):
        from wirewatch.transforms.extract import EventExtractor
        extractor = EventExtractor(batch_size=batch_size)
        list(extractor.extract(clustered[:WARM_UP_STORIES]))
    plan = ExtractionPlan(clustered, exact_duplicates, folder_of, extract_budget)
    events, rep_events, rep_keys = {}, [], []
    for kind, folder, chosen in plan.batches():
        key = f'extract:{kind}:{folder}'
        per_story = extract_set(extractor, chosen, clock, key)
        events[(kind, folder)] = sum(len(e) for e in per_story)
        if kind == 'representatives':
            rep_keys.append(key)
            rep_events.extend(ev for evs in per_story for ev in evs)
    summaries = summarise_all(rep_events, clustered, clock)

    counts = {
        'feed_items': len(items), 'stories_normalised': len(stories),
        'stories_after_exact_dedup': len(clustered),
        'clusters': len({s['cluster_id'] for s in clustered}),
        'representatives_english': plan.all_representatives,
        'representatives_extracted': plan.representatives, 'events': len(rep_events),
        'summaries': len(summaries), 'dead_letters': dict(dead),
        'languages': dict(collections.Counter(s['language'] for s in stories).most_common()),
    }
    stages, parts = stage_table(clock, counts, rep_keys, plan.scale())
    return {
        'input': {'folders': inputs, 'limit_per_folder': limit, 'outlet_days': list(outlet_days),
                  'extract_budget': extract_budget, 'batch_size': batch_size},
        'counts': counts,
        'stages': stages,
        'extract_row_scaled_from_sample': plan.sampled,
        'cluster_parts': parts,
        'clustering_saves': saving_report(clock, plan, events),
        'model_load_cpu_over_extracted_representatives_cpu': _ratio(
            clock.cpu['model load+warm-up'], sum(clock.cpu[k] for k in rep_keys)),
        'cpu_over_wall': _ratio(sum(clock.cpu.values()), sum(clock.wall.values())),
        'note': 'ratios only (project rule: no absolute times); CPU = this process',
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--corpus', default=DEFAULT_CORPUS)
    parser.add_argument('--limit', type=int, default=DEFAULT_LIMIT,
                        help='feed items per corpus folder (whole files, oldest first; default: all)')
    parser.add_argument('--extract-budget', type=int, default=DEFAULT_EXTRACT_BUDGET,
                        help='stories through spaCy at most; above it whole clusters are sampled '
                             '(default %(default)s)')
    parser.add_argument('--outlet-days', nargs=2, default=DEFAULT_OUTLET_DAYS, metavar=('FIRST', 'LAST'),
                        help='outlets-2020-05 capture days, YYYYMMDD inclusive (default %(default)s)')
    parser.add_argument('--batch-size', type=int, default=DEFAULT_BATCH_SIZE,
                        help='stories per nlp.pipe batch (default %(default)s, as the pipeline)')
    parser.add_argument('--json', help='write the report as JSON to this path')
    args = parser.parse_args(argv)
    if not os.path.isdir(args.corpus) or not feed_files(args.corpus, args.outlet_days):
        print(f'no feeds under {args.corpus} ({WIRES_DIR}, {OUTLETS_DIR}); nothing to do')
        return 0
    report = run(args.corpus, args.limit, args.extract_budget, tuple(args.outlet_days), args.batch_size)
    print_report(report)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(report, f, indent=2, ensure_ascii=False)
    return 0


if __name__ == '__main__':
    sys.exit(main())
