"""Which countries alert on which days: the alert grid of a run's summaries.

    python bench/alert_grid.py OUT_DIR [--top N] [--markdown]

Reads OUT_DIR/summaries (the newest pane of each country and window) and prints one
row per country, most alerted first, one column per window: ``.`` NONE, ``w`` WATCH,
``W`` WARNING, ``C`` CRISIS, blank when the country had no summary that day. With
``--markdown`` it prints a Markdown table (the README's). The README's figures come from

    make alerts-2020-05

which runs the whole pipeline over ../shared/corpus/feeds/outlets-2020-05 (14 outlets,
2020-05-20 to 06-10) with capture times taken from the file names, then this script.
"""
import argparse
import collections
import glob
import os
import sys

from wirewatch.pipeline.outputs import read_records
from wirewatch.transforms.summarise.core import ALERT_LEVELS, latest_panes

MARKS = {'NONE': '.', 'WATCH': 'w', 'WARNING': 'W', 'CRISIS': 'C'}


def alert_grid(summaries):
    """(days, rows): rows are (country, {day: level}) with the most alerted countries first."""
    by_country = collections.defaultdict(dict)
    for s in latest_panes(summaries):
        by_country[s['country']][s['window_start'].date().isoformat()] = s['alert_level']
    days = sorted({d for levels in by_country.values() for d in levels})

    def weight(item):
        country, levels = item
        return (-sum(ALERT_LEVELS.index(v) for v in levels.values()), country)
    return days, sorted(by_country.items(), key=weight)


def level_counts(summaries):
    return collections.Counter(s['alert_level'] for s in latest_panes(summaries))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('output')
    parser.add_argument('--top', type=int, default=15)
    parser.add_argument('--markdown', action='store_true')
    args = parser.parse_args(argv)
    files = sorted(glob.glob(os.path.join(args.output, 'summaries', '**', '*.avro'), recursive=True))
    summaries = list(read_records(files))
    days, rows = alert_grid(summaries)
    counts = level_counts(summaries)
    print(f'{sum(counts.values())} country-day summaries: '
          + ', '.join(f'{level} {counts[level]}' for level in ALERT_LEVELS))
    rows = rows[:args.top]
    if args.markdown:
        print('| country | ' + ' | '.join(d[5:] for d in days) + ' |')
        print('| --- |' + ' :-: |' * len(days))
        for country, levels in rows:
            print(f'| {country} | ' + ' | '.join(MARKS.get(levels.get(d), ' ') for d in days) + ' |')
    else:
        print('      ' + ' '.join(d[5:] for d in days))
        for country, levels in rows:
            print(f'{country:5} ' + ' '.join(f'{MARKS.get(levels.get(d), " "):>5}' for d in days))
    return 0


if __name__ == '__main__':
    sys.exit(main())
