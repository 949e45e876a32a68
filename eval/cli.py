"""``wirewatch eval events`` and ``wirewatch eval plover``: figures printed as a table
(and as JSON with ``--json FILE``)."""
import argparse
import json
import os
import time

DEFAULT_CORPUS = os.path.join('..', 'shared', 'corpus')
GSR_PATH = os.path.join('labels', 'plover-gsr', 'PLOVER_GSR_CAMEO.txt')


def cmd_eval(argv):
    parser = argparse.ArgumentParser(prog='wirewatch eval', description=__doc__)
    sub = parser.add_subparsers(dest='what', required=True)
    ev = sub.add_parser('events', help='coded events against the labelled leads')
    ev.add_argument('--corpus', default=DEFAULT_CORPUS, help='the shared corpus root (default ../shared/corpus)')
    ev.add_argument('--split', choices=('dev', 'test', 'all'), default='dev',
                    help='dev: the labels rules may be written from; test: held out (default dev)')
    ev.add_argument('--labels', nargs='*', help='label files (default: the split\'s files in eval/labels)')
    ev.add_argument('--errors', action='store_true', help='print each lead with a false or missed event')
    ev.add_argument('--json', help='write the figures to this file')
    ac = sub.add_parser('acled', help="places, types and tolls against ACLED's coded notes (labels/acled-dev)")
    ac.add_argument('--corpus', default=DEFAULT_CORPUS)
    ac.add_argument('--limit', type=int, default=500, help='rows per file (default 500: a stable sample)')
    ac.add_argument('--json')
    pl = sub.add_parser('plover', help='coded events against the PLOVER gold-standard sentences')
    pl.add_argument('--corpus', default=DEFAULT_CORPUS)
    pl.add_argument('--json')
    args = parser.parse_args(argv)
    if args.what == 'events':
        return eval_events(args)
    if args.what == 'acled':
        return eval_acled(args)
    return eval_plover(args)


def eval_acled(args):
    from wirewatch.eval.acled import code_rows, read_rows, score_rows
    from wirewatch.transforms.extract import EventExtractor
    rows = read_rows(args.corpus, args.limit)
    extractor = EventExtractor()
    figures = score_rows(rows, code_rows(extractor, rows), extractor.gazetteer)
    print(format_acled(figures))
    _write_json(args.json, figures)
    return 0


def format_acled(figures):
    n = figures['counts']
    return '\n'.join([
        f"ACLED notes (labels/acled-dev, evaluation only): {n['rows']} rows, {n['with_event']} with a coded event",
        f"  country            {_pct(figures['country'])} % of rows (the top event's country, else the note's main country); "
        f"{_pct(figures['country_when_given'])} % of the {n['country_given']} rows given a country",
        f"  admin1             {_pct(figures['admin1'])} % of {n['admin1_given']} events that give one "
        f"({_pct(figures['admin1_coverage'])} % of events give one)",
        f"  within 50 km       {_pct(figures['within_50km'])} % of {n['located']} events with coordinates",
        f"  event type         {_pct(figures['event_type'])} % of {n['typed']} protest and violence rows coded with ACLED's type",
        f"  deaths exact       {_pct(figures['deaths_exact'])} % of {n['deaths_stated']} rows with deaths "
        f"({_pct(figures['deaths_exact_when_coded'])} % of the {n['deaths_coded']} where a toll was coded)",
        f"  false deaths       {_pct(figures['deaths_false'])} % of {n['deathless']} rows without deaths "
        f"given a death toll",
    ])


def eval_events(args):
    from wirewatch.eval import leads as leads_mod
    from wirewatch.eval.scoring import match_events, score
    from wirewatch.transforms.extract import EventExtractor
    paths = args.labels or leads_mod.label_files(args.split)
    labels = leads_mod.read_labels(paths)
    leads = leads_mod.load_leads(labels, args.corpus)
    extractor = EventExtractor()
    started = time.perf_counter()
    predicted = list(extractor.extract([lead.story for lead in leads]))
    seconds = time.perf_counter() - started
    results = [(lead.label, events) for lead, events in zip(leads, predicted)]
    figures = {'split': args.split, 'label_files': [os.path.basename(p) for p in paths],
               'type': score(results), 'type_and_country': score(results, strict_place=True),
               'leads_per_second': len(leads) / seconds if seconds else None}
    print(format_events(figures))
    if args.errors:
        for lead, events in zip(leads, predicted):
            mp, mg = match_events(events, lead.gold)
            if len(mp) < len(events) or len(mg) < len(lead.gold):
                print(f"\n[{lead.category}] {lead.label['_origin']} {lead.label['link']}")
                print('  lead :', lead.story['title'], '||', lead.story['text'][:300])
                print('  gold :', [(g['type'], g.get('country')) for g in lead.gold])
                print('  coded:', [(e['event_type'], e['country'], e['trigger']) for e in events])
    _write_json(args.json, figures)
    return 0


def eval_plover(args):
    from wirewatch.eval.plover import gsr_story, read_gsr, score_gsr
    from wirewatch.transforms.extract import EventExtractor
    records = read_gsr(os.path.join(args.corpus, GSR_PATH))
    extractor = EventExtractor()
    stories = [gsr_story(rid, text, date) for rid, text, _, date in records]
    predicted = list(extractor.extract(stories))
    figures = score_gsr([(gold, events) for (_, _, gold, _), events in zip(records, predicted)])
    print(format_plover(figures))
    _write_json(args.json, figures)
    return 0


def _pct(value):
    return '   -' if value is None else f'{100 * value:5.1f}'


def format_events(figures):
    lines = [f"labelled leads ({figures['split']}: {', '.join(figures['label_files'])})"]
    for key, title in (('type', 'event type'), ('type_and_country', 'event type and country')):
        s = figures[key]
        lines.append(f"  {title:<24} precision {_pct(s['precision'])} %  recall {_pct(s['recall'])} %"
                     f"  (tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")
    s = figures['type']
    lines.append(f"  leads {s['leads']}, events coded {s['events']}, events per lead {s['events_per_lead']:.2f}")
    lines.append(f"  disaster/accident leads given a false conflict event: {_pct(s['disaster_accident_false_conflict_rate'])} %")
    lines.append('  per type                 P       R      F1   tp  fp  fn')
    for t, v in s['per_type'].items():
        lines.append(f"    {t:<20} {_pct(v['precision'])}   {_pct(v['recall'])}   {_pct(v['f1'])}  {v['tp']:3} {v['fp']:3} {v['fn']:3}")
    lines.append('  false conflict events by category (leads with one / leads)')
    for c, v in s['false_conflict_by_category'].items():
        lines.append(f"    {c:<20} {v['with_false_conflict']:3} / {v['leads']}")
    return '\n'.join(lines)


def format_plover(figures):
    m = figures['micro']
    lines = ['PLOVER gold-standard sentences',
             f"  sentences {figures['sentences']}, coded {figures['sentences_coded']}",
             f"  top-type accuracy {_pct(figures['top_type_accuracy'])} % of all, "
             f"{_pct(figures['top_type_accuracy_when_coded'])} % of coded",
             f"  micro precision {_pct(m['precision'])} %  recall {_pct(m['recall'])} %  F1 {_pct(m['f1'])} %",
             '  per type                 P       R      F1   tp  fp  fn']
    for t, v in figures['per_type'].items():
        lines.append(f"    {t:<20} {_pct(v['precision'])}   {_pct(v['recall'])}   {_pct(v['f1'])}  {v['tp']:3} {v['fp']:3} {v['fn']:3}")
    return '\n'.join(lines)


def _write_json(path, figures):
    if path:
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(figures, f, indent=2, sort_keys=True)
