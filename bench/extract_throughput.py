"""Extract throughput before and after a change, measured side by side in one run.

Usage: python bench/extract_throughput.py [--corpus PATH] [--feed REL] [--limit N]
                                         [--baseline REV] [--rounds N] [--json OUT]
       (default corpus ../shared/corpus; exits 0 with a message when it is absent)

The baseline is the tree of git revision ``--baseline`` (default: the commit before the
event-precision work of issue 8), unpacked with ``git archive``; the candidate is this
checkout. Each runs in its own child process with its tree importable as ``wirewatch``,
over the same stories: the feed items of ``--feed`` (default: the April 2026 Reuters
snapshot, 500 leads with full paragraphs), normalised by the tree's own code, the
first ``--limit`` of them. Children alternate (baseline, candidate, candidate,
baseline, ...) for ``--rounds`` rounds; the best round of each is kept. Reported:
stories per second of ``EventExtractor().extract`` (model load excluded, after a
warm-up batch), events per story, and the candidate/baseline ratio. Only ratios are
claimed (project rule); absolute figures depend on the machine.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_CORPUS = os.path.join(REPO, '..', 'shared', 'corpus')
DEFAULT_FEED = 'feeds/wires-2026/reuters_scraped/20260416T175056Z_2e54f80c.xml'
DEFAULT_BASELINE = 'a49771c'
WARM_UP = 8


def child(feed, limit):
    """Runs inside a child process: time the extractor of the importable ``wirewatch``."""
    from wirewatch.transforms.extract import EventExtractor
    from wirewatch.transforms.ingest.feeds import read_feed_file
    from wirewatch.transforms.normalise.core import normalise_item
    stories = []
    for kind, record in read_feed_file(feed):
        if kind == 'item':
            try:
                stories.append(normalise_item(record, now=record.get('fetched_at')))
            except Exception:  # noqa: BLE001 -- dead letters are not extracted
                continue
        if len(stories) >= limit:
            break
    extractor = EventExtractor()
    list(extractor.extract(stories[:WARM_UP]))
    cpu, wall = time.process_time(), time.perf_counter()
    results = list(extractor.extract(stories))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    events = sum(len(r) for r in results)
    print(json.dumps({'stories': len(stories), 'events': events, 'cpu_s': cpu, 'wall_s': wall}))


def unpack(revision, target):
    """The tree of ``revision`` in ``target`` (git archive, no work tree changes)."""
    os.makedirs(target)
    archive = subprocess.run(['git', '-C', REPO, 'archive', revision], check=True, capture_output=True).stdout
    subprocess.run(['tar', '-x', '-C', target], input=archive, check=True)


def import_root(tree, tmp, name):
    """A folder holding ``wirewatch`` -> tree, to put first on PYTHONPATH."""
    root = os.path.join(tmp, name)
    os.makedirs(root)
    os.symlink(os.path.abspath(tree), os.path.join(root, 'wirewatch'))
    return root


def run_child(root, feed, limit):
    env = dict(os.environ, PYTHONPATH=root)
    out = subprocess.run([sys.executable, os.path.abspath(__file__), '--child', feed, '--limit', str(limit)],
                         env=env, check=True, capture_output=True, text=True, cwd=tempfile.gettempdir())
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--corpus', default=DEFAULT_CORPUS)
    parser.add_argument('--feed', default=DEFAULT_FEED, help='feed file relative to the corpus')
    parser.add_argument('--limit', type=int, default=500)
    parser.add_argument('--baseline', default=DEFAULT_BASELINE)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--json')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.limit)
    feed = os.path.join(args.corpus, args.feed)
    if not os.path.exists(feed):
        print(f'extract_throughput: {feed} not found; nothing measured')
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        unpack(args.baseline, os.path.join(tmp, 'baseline-tree'))
        roots = {'baseline': import_root(os.path.join(tmp, 'baseline-tree'), tmp, 'baseline'),
                 'candidate': import_root(REPO, tmp, 'candidate')}
        runs = {'baseline': [], 'candidate': []}
        for round_index in range(args.rounds):
            order = ('baseline', 'candidate') if round_index % 2 == 0 else ('candidate', 'baseline')
            for name in order:
                runs[name].append(run_child(roots[name], feed, args.limit))
    best = {name: min(r, key=lambda x: x['wall_s']) for name, r in runs.items()}
    rate = {name: b['stories'] / b['wall_s'] for name, b in best.items()}
    figures = {
        'feed': args.feed, 'stories': best['candidate']['stories'], 'baseline': args.baseline, 'rounds': args.rounds,
        'events_per_story': {n: b['events'] / b['stories'] for n, b in best.items()},
        'stories_per_second_ratio': rate['candidate'] / rate['baseline'],
        'cpu_ratio': best['baseline']['cpu_s'] / best['candidate']['cpu_s'],
    }
    lines = [
        f"Extract throughput, {figures['stories']} stories of {args.feed}, best of {args.rounds} alternating rounds:",
        f"  candidate / baseline ({args.baseline}) stories per second: {figures['stories_per_second_ratio']:.2f} "
        f"(CPU-time ratio {figures['cpu_ratio']:.2f})",
        f"  events per story: baseline {figures['events_per_story']['baseline']:.2f}, "
        f"candidate {figures['events_per_story']['candidate']:.2f}",
    ]
    print('\n'.join(lines))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(figures, f, indent=2)
    write_benchmarks_section('extract-throughput', lines, 'python bench/extract_throughput.py')
    return 0


def write_benchmarks_section(key, lines, command):
    """Replace (or add) this benchmark's section of BENCHMARKS.md."""
    path = os.path.join(REPO, 'BENCHMARKS.md')
    text = open(path, encoding='utf-8').read() if os.path.exists(path) else '# Benchmarks\n\nRatios measured side by side in one run, on one machine.\n'
    start, end = f'<!-- {key} -->', f'<!-- /{key} -->'
    body = f'{start}\n## {key}\n\n`{command}`\n\n```\n' + '\n'.join(lines) + f'\n```\n{end}'
    if start in text:
        text = text[:text.index(start)] + body + text[text.index(end) + len(end):]
    else:
        text = text.rstrip('\n') + '\n\n' + body + '\n'
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


if __name__ == '__main__':
    sys.exit(main())
