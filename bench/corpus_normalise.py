"""Read and normalise real feeds from the shared corpus with the pure functions (no Beam).

Usage: python bench/corpus_normalise.py [CORPUS_DIR]   (default ../shared/corpus)
Prints items, stories and dead letters by reason per corpus folder, plus timing; exits 0
with a message when the corpus is absent.
"""
import collections
import datetime
import os
import sys
import time

from wirewatch import schemas
from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.ingest.feeds import expand_inputs, read_feed_file
from wirewatch.transforms.normalise.core import normalise_item

FOLDERS = ('feeds/outlets-2020-05', 'feeds/broken-captures', 'feeds/wires-2026',
           'fixtures/feedparser/illformed', 'fixtures/feedparser/encoding')


def run_folder(path, now):
    counts = collections.Counter()
    reasons = collections.Counter()
    flags = collections.Counter()
    for feed_file in expand_inputs([path]):
        counts['feeds'] += 1
        for kind, record in read_feed_file(feed_file):
            if kind == 'deadletter':
                schemas.check('DeadLetter', record)
                reasons[f"read:{record['error']}"] += 1
                continue
            schemas.check('FeedItem', record)
            counts['items'] += 1
            try:
                story = normalise_item(record, now=now)
            except Rejected as rejected:
                reasons[f'normalise:{rejected.error}'] += 1
                continue
            schemas.check('Story', story)
            counts['stories'] += 1
            counts['with_dateline'] += story['dateline_place'] is not None or story['dateline_date'] is not None
            counts['with_wire'] += story['wire'] is not None
            counts['with_authors'] += bool(story['authors'])
            flags[story['date_flag'] or 'date ok'] += 1
            flags[f"lang:{story['language']}"] += 1
    return counts, reasons, flags


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    corpus = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'corpus')
    if not os.path.isdir(corpus):
        print(f'corpus not found at {corpus}; nothing to do')
        return 0
    now = datetime.datetime.now(datetime.timezone.utc)
    for folder in FOLDERS:
        path = os.path.join(corpus, folder)
        if not os.path.isdir(path):
            print(f'{folder}: absent, skipped')
            continue
        started = time.perf_counter()
        counts, reasons, flags = run_folder(path, now)
        seconds = time.perf_counter() - started
        print(f'== {folder}: {counts["feeds"]} feeds, {counts["items"]} items, {counts["stories"]} stories, '
              f'{sum(reasons.values())} dead letters, {seconds:.1f} s '
              f'({counts["items"] / seconds if seconds else 0:.0f} items/s)')
        print(f'   with dateline {counts["with_dateline"]}, wire {counts["with_wire"]}, '
              f'authors {counts["with_authors"]}')
        print('   dead letters:', dict(sorted(reasons.items())) or '-')
        top_flags = dict(sorted(flags.items(), key=lambda kv: -kv[1])[:12])
        print('   dates/languages:', top_flags)
    return 0


if __name__ == '__main__':
    sys.exit(main())
