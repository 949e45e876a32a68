"""Event precision and recall of an earlier revision against today's, on the same labels.

Usage: python bench/eval_events_baseline.py [--corpus PATH] [--split dev|test|all] [--baseline REV]
       (default corpus ../shared/corpus; exits 0 with a message when it is absent)

The labelled leads are read with this checkout's ``wirewatch eval`` code; each revision's
extractor codes them in its own child process (the tree of ``--baseline`` unpacked with
``git archive``, see extract_throughput.py), and both are scored here by the same
scoring code. Prints both rows side by side.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from extract_throughput import DEFAULT_BASELINE, DEFAULT_CORPUS, REPO, import_root, unpack


def child(stories_path):
    """Runs inside a child process: code the stories with the importable ``wirewatch``."""
    import datetime
    from wirewatch.transforms.extract import EventExtractor
    with open(stories_path, encoding='utf-8') as f:
        stories = json.load(f)
    for story in stories:
        story['published_at'] = datetime.datetime.fromisoformat(story['published_at'])
    out = []
    for events in EventExtractor().extract(stories):
        out.append([{'event_type': e['event_type'], 'country': e['country'], 'quad_class': e['quad_class']}
                    for e in events])
    print(json.dumps(out))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--corpus', default=DEFAULT_CORPUS)
    parser.add_argument('--split', choices=('dev', 'test', 'all'), default='all')
    parser.add_argument('--baseline', default=DEFAULT_BASELINE)
    parser.add_argument('--child', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    if not os.path.isdir(args.corpus):
        print(f'eval_events_baseline: {args.corpus} not found; nothing measured')
        return 0
    from wirewatch.eval import leads as leads_mod
    from wirewatch.eval.scoring import score
    leads = leads_mod.load_leads(leads_mod.read_labels(leads_mod.label_files(args.split)), args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        stories_path = os.path.join(tmp, 'stories.json')
        with open(stories_path, 'w', encoding='utf-8') as f:
            json.dump([dict(lead.story, published_at=lead.story['published_at'].isoformat(),
                            ingested_at=None) for lead in leads], f, default=str)
        unpack(args.baseline, os.path.join(tmp, 'baseline-tree'))
        roots = {'baseline ' + args.baseline: import_root(os.path.join(tmp, 'baseline-tree'), tmp, 'baseline'),
                 'this checkout': import_root(REPO, tmp, 'candidate')}
        print(f'{len(leads)} labelled leads ({args.split}); event type / type and country')
        for name, root in roots.items():
            out = subprocess.run([sys.executable, os.path.abspath(__file__), '--child', stories_path],
                                 env=dict(os.environ, PYTHONPATH=root), check=True, capture_output=True, text=True,
                                 cwd=tempfile.gettempdir())
            predicted = json.loads(out.stdout.strip().splitlines()[-1])
            results = [(lead.label, events) for lead, events in zip(leads, predicted)]
            t, c = score(results), score(results, strict_place=True)
            print(f"  {name:<22} precision {100 * t['precision']:5.1f} % recall {100 * t['recall']:5.1f} %  |  "
                  f"precision {100 * c['precision']:5.1f} % recall {100 * c['recall']:5.1f} %  |  "
                  f"events per lead {t['events_per_lead']:.2f}, disaster/accident leads with a false conflict "
                  f"event {100 * t['disaster_accident_false_conflict_rate']:.0f} %")
    return 0


if __name__ == '__main__':
    sys.exit(main())
