"""Evaluate near-duplicate clustering on the shared corpus (no Beam needed).

Usage: python bench/eval_clustering.py [--corpus PATH] [--json OUT.json] [--top 10]
       (default corpus ../shared/corpus; exits 0 with a message when it is absent)

1. Headline pairs (labels/headline-pairs, STS-B headlines, train and dev): pairs
   scored >= 4 are "same story", <= 1 "different", the middle is ignored. Each pair
   goes through the pipeline's own decision on titles only,
   ``similarity_decision(fingerprint(a, ''), fingerprint(b, ''))``, and through
   the LSH banding (a pair is only compared in the pipeline when the two share a
   band key). Reported per split: precision, recall and false-merge rate of the
   verification alone and end to end (shares a band AND verified), the share of
   pairs that meet in a band and the banding's theoretical probability, and a
   threshold sweep on train (the threshold was tuned there).
2. Outlets (feeds/outlets-2020-05): every snapshot read with ``read_feed_file``,
   normalised with ``normalise_item``, then clustered by replaying the batch
   pipeline's pure functions: exact dedup by item id then canonical URL (earliest
   first), then each band's stories in publication order through a ``BandIndex``
   and ``decide_cluster`` over the band votes (what ``Cluster()`` does with
   GroupByKey). Reports items, exact duplicates, stories, clusters,
   near-duplicates and the largest clusters with their titles and outlets.
"""
import argparse
import collections
import datetime
import functools
import json
import os
import sys
import time

from wirewatch.transforms.cluster.exact import item_identity, split_first_seen, url_identity
from wirewatch.transforms.cluster.index import BandIndex, decide_cluster
from wirewatch.transforms.cluster import similarity as sim
from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.ingest.feeds import expand_inputs, read_feed_file
from wirewatch.transforms.normalise.core import normalise_item

DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'corpus')
PAIRS_DIR = 'labels/headline-pairs'
OUTLETS_DIR = 'feeds/outlets-2020-05'
SAME_STORY_MIN = 4.0
DIFFERENT_MAX = 1.0
SWEEP = (0.3, 0.33, 0.35, 0.38, 0.4, 0.42, 0.45, 0.5)
TTL_SECONDS = 3 * 86400


# ------------------------------------------------------------------ headline pairs

def read_pairs(path):
    """(same_story_pairs, different_pairs) from an STS-B tsv: score in column 5, titles in 6 and 7."""
    same, different = [], []
    with open(path, encoding='utf-8') as f:
        for line in f:
            fields = line.rstrip('\n').split('\t')
            if len(fields) < 7:
                continue
            score, a, b = float(fields[4]), fields[5], fields[6]
            if score >= SAME_STORY_MIN:
                same.append((a, b))
            elif score <= DIFFERENT_MAX:
                different.append((a, b))
    return same, different


@functools.lru_cache(maxsize=None)
def title_fingerprint(title):
    return sim.fingerprint(title, '')


@functools.lru_cache(maxsize=None)
def title_band_keys(title):
    return frozenset(sim.band_keys(title_fingerprint(title)))


def band_probability(fa, fb):
    """Probability that the pair shares a band, from the exact Jaccard of what each signature hashes."""
    p_title = sim.band_probability(sim.title_similarity(fa, fb), sim.TITLE_BANDS, sim.TITLE_ROWS)
    p_text = sim.band_probability(sim.estimated_jaccard(fa.signature, fb.signature), sim.BANDS, sim.ROWS)
    return 1 - (1 - p_title) * (1 - p_text)


def _rates(merged_same, n_same, merged_different, n_different):
    merged = merged_same + merged_different
    return {
        'precision': round(merged_same / merged, 4) if merged else None,
        'recall': round(merged_same / n_same, 4) if n_same else None,
        'false_merge_rate': round(merged_different / n_different, 4) if n_different else None,
        'merged_same': merged_same, 'merged_different': merged_different,
    }


def evaluate_pairs(same, different, title_threshold=sim.TITLE_THRESHOLD):
    """Verification-only and end-to-end (band AND verified) figures for one split."""
    counts = collections.Counter()
    prob = {'same': 0.0, 'different': 0.0}
    for label, pairs in (('same', same), ('different', different)):
        for a, b in pairs:
            fa, fb = title_fingerprint(a), title_fingerprint(b)
            verified, _ = sim.similarity_decision(fa, fb, title_threshold=title_threshold)
            banded = bool(title_band_keys(a) & title_band_keys(b))
            counts[label, 'verified'] += verified
            counts[label, 'banded'] += banded
            counts[label, 'end_to_end'] += verified and banded
            prob[label] += band_probability(fa, fb)
    n_same, n_diff = len(same), len(different)
    return {
        'same_story_pairs': n_same, 'different_pairs': n_diff,
        'title_threshold': title_threshold,
        'verification_only': _rates(counts['same', 'verified'], n_same,
                                    counts['different', 'verified'], n_diff),
        'end_to_end': _rates(counts['same', 'end_to_end'], n_same,
                             counts['different', 'end_to_end'], n_diff),
        'share_a_band': {'same': round(counts['same', 'banded'] / n_same, 4),
                         'different': round(counts['different', 'banded'] / n_diff, 4)},
        'band_probability_mean': {'same': round(prob['same'] / n_same, 4),
                                  'different': round(prob['different'] / n_diff, 4)},
    }


def headline_report(corpus):
    out = {'splits': {}, 'train_sweep': []}
    for split in ('train', 'dev'):
        path = os.path.join(corpus, PAIRS_DIR, f'stsb_headlines_{split}.tsv')
        if not os.path.exists(path):
            continue
        same, different = read_pairs(path)
        out['splits'][split] = evaluate_pairs(same, different)
        if split == 'train':
            for threshold in SWEEP:
                r = evaluate_pairs(same, different, threshold)['end_to_end']
                out['train_sweep'].append({'title_threshold': threshold, **r})
    return out


# ------------------------------------------------------------------ outlets

def read_stories(folder):
    """Normalised stories of every feed file under ``folder`` (dead letters counted, not kept)."""
    stories, dead = [], collections.Counter()
    now = datetime.datetime.now(datetime.timezone.utc)
    items = 0
    for path in expand_inputs([folder]):
        for kind, record in read_feed_file(path):
            if kind == 'deadletter':
                dead['read:' + record['error']] += 1
                continue
            items += 1
            try:
                stories.append(normalise_item(record, now=now))
            except Rejected as rejected:
                dead['normalise:' + rejected.error] += 1
    return items, stories, dead


def drop_exact(stories, identity):
    """(kept, duplicates): the earliest story per identity, as ``DropExactDuplicates`` does in batch."""
    groups = collections.defaultdict(list)
    for story in stories:
        groups[identity(story)].append(story)
    kept, dups = [], []
    for members in groups.values():
        first, rest = split_first_seen(members)
        kept.append(first)
        dups.extend(rest)
    return kept, dups


def cluster_batch(stories, ttl=TTL_SECONDS, threshold=sim.DEFAULT_THRESHOLD):
    """Replay of the batch ``ClusterNearDuplicates``: story_id -> (cluster_id, duplicate_of)."""
    bands = collections.defaultdict(list)
    for story in stories:
        fp = sim.fingerprint(story['title'], story['text'])
        member = (story['story_id'], story['published_at'].timestamp(), sim.for_index(fp))
        for key in sim.band_keys(fp):
            bands[key].append(member)
    votes = collections.defaultdict(list)
    comparisons = 0
    for members in bands.values():
        index = BandIndex(ttl=ttl, threshold=threshold)
        for sid, ts, fp in sorted(members, key=lambda m: (m[1], m[0])):
            comparisons += len(index.entries)
            votes[sid].append(index.offer(sid, ts, fp))
    decided = {s['story_id']: decide_cluster(s['story_id'], votes[s['story_id']])[:2] for s in stories}
    return decided, {'band_keys': len(bands), 'comparisons': comparisons,
                     'largest_band': max((len(m) for m in bands.values()), default=0)}


def outlets_report(corpus, top):
    folder = os.path.join(corpus, OUTLETS_DIR)
    if not os.path.isdir(folder):
        return None
    started = time.time()
    items, stories, dead = read_stories(folder)
    read_seconds = time.time() - started
    by_item, dup_item = drop_exact(stories, item_identity)
    by_url, dup_url = drop_exact(by_item, url_identity)
    started = time.time()
    decided, work = cluster_batch(by_url)
    cluster_seconds = time.time() - started
    clusters = collections.defaultdict(list)
    for story in by_url:
        clusters[decided[story['story_id']][0]].append(story)
    near = sum(1 for cid, dup in decided.values() if dup)
    title_only = sum(1 for s in by_url if sim.is_title_only(s['title'], s['text']))
    largest = sorted(clusters.values(), key=lambda m: (-len(m), m[0]['published_at']))[:top]
    return {
        'feed_items': items, 'dead_letters': dict(dead), 'stories_normalised': len(stories),
        'duplicates_exact': len(dup_item) + len(dup_url),
        'duplicates_exact_same_item': len(dup_item), 'duplicates_exact_same_url': len(dup_url),
        'stories': len(by_url), 'title_only_stories': title_only,
        'clusters': len(clusters), 'duplicates_near': near,
        'clusters_with_copies': sum(1 for m in clusters.values() if len(m) > 1),
        'multi_outlet_clusters': sum(1 for m in clusters.values()
                                     if len({s['source_name'] for s in m}) > 1),
        'work': work, 'seconds': {'read_normalise': round(read_seconds, 1),
                                  'cluster': round(cluster_seconds, 1)},
        'largest_clusters': [{
            'articles': len(m),
            'outlets': sorted({s['source_name'] for s in m}),
            'titles': sorted({s['title'] for s in m}),
        } for m in largest],
    }


# ------------------------------------------------------------------ report

def _fmt(r):
    def pct(x):
        return '  n/a' if x is None else f'{100 * x:5.1f}%'
    return (f"precision {pct(r['precision'])}  recall {pct(r['recall'])}  "
            f"false merges {pct(r['false_merge_rate'])} ({r['merged_different']})")


def print_report(report):
    pairs = report.get('headline_pairs')
    if pairs:
        print('== headline pairs (title only; same >= 4, different <= 1)')
        for split, r in pairs['splits'].items():
            print(f"{split}: {r['same_story_pairs']} same, {r['different_pairs']} different, "
                  f"title threshold {r['title_threshold']}")
            print(f"  verification only : {_fmt(r['verification_only'])}")
            print(f"  end to end (band) : {_fmt(r['end_to_end'])}")
            print(f"  share a band      : same {100 * r['share_a_band']['same']:.1f}%, "
                  f"different {100 * r['share_a_band']['different']:.1f}%; theoretical "
                  f"P(band) same {100 * r['band_probability_mean']['same']:.1f}%, "
                  f"different {100 * r['band_probability_mean']['different']:.1f}%")
        print('train sweep (end to end):')
        for row in pairs['train_sweep']:
            print(f"  {row['title_threshold']:.2f}: {_fmt(row)}")
    outlets = report.get('outlets')
    if outlets:
        print('== outlets-2020-05 (batch replay of Cluster())')
        for key in ('feed_items', 'stories_normalised', 'duplicates_exact', 'duplicates_exact_same_item',
                    'duplicates_exact_same_url', 'stories', 'title_only_stories', 'clusters',
                    'duplicates_near', 'clusters_with_copies', 'multi_outlet_clusters'):
            print(f'  {key}: {outlets[key]}')
        print(f"  dead letters: {outlets['dead_letters']}")
        print(f"  work: {outlets['work']}, seconds: {outlets['seconds']}")
        print('  largest clusters:')
        for i, c in enumerate(outlets['largest_clusters'], 1):
            print(f"  {i:2d}. {c['articles']} articles, {len(c['outlets'])} outlets: "
                  f"{', '.join(c['outlets'])}")
            for title in c['titles'][:8]:
                print(f'        - {title}')
            if len(c['titles']) > 8:
                print(f"        ... {len(c['titles']) - 8} more titles")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--corpus', default=DEFAULT_CORPUS)
    parser.add_argument('--json', help='write the report as JSON to this path')
    parser.add_argument('--top', type=int, default=10, help='largest clusters to list')
    args = parser.parse_args(argv)
    if not os.path.isdir(args.corpus):
        print(f'corpus not found at {args.corpus}; nothing to do')
        return 0
    report = {'headline_pairs': headline_report(args.corpus),
              'outlets': outlets_report(args.corpus, args.top)}
    print_report(report)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(report, f, indent=2, ensure_ascii=False)
    return 0


if __name__ == '__main__':
    sys.exit(main())
