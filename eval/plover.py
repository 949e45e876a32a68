"""The PLOVER gold-standard sentences (openeventdata/PLOVER, PLOVER_GSR_CAMEO.txt).

Each record is one sentence with one PLOVER event. The GSR predates the 2021 PLOVER
names, so FIGHT is read as ASSAULT, DEMAND as REQUEST and DISAPPROVE as ACCUSE;
INVESTIGATE (no longer a PLOVER type) and the DOCUMENT record are skipped.
"""
import datetime
import json

RENAMED = {'FIGHT': 'ASSAULT', 'DEMAND': 'REQUEST', 'DISAPPROVE': 'ACCUSE'}
SKIPPED = ('DOCUMENT', 'INVESTIGATE')


def read_gsr(path):
    """[(id, sentence, PLOVER type, date)] of the GSR file."""
    with open(path, encoding='utf-8') as f:
        records = json.load(f)
    out = []
    for record in records:
        event = record.get('event')
        if not event or event in SKIPPED or not record.get('text'):
            continue
        date = datetime.date.fromisoformat(record.get('date') or '2000-01-01')
        out.append((record['id'], record['text'], RENAMED.get(event, event), date))
    return out


def gsr_story(record_id, sentence, date):
    published = datetime.datetime(date.year, date.month, date.day, 12, tzinfo=datetime.timezone.utc)
    return {'story_id': record_id, 'cluster_id': record_id, 'title': '', 'text': sentence,
            'published_at': published, 'dateline_place': None, 'dateline_date': None, 'url': None,
            'source_name': 'PLOVER-GSR', 'language': 'en'}


def score_gsr(results):
    """Per-type P/R/F1 (a sentence's gold type against the set of coded types) and top-type
    accuracy (the most confident coded event's type), over [(gold type, events)]."""
    from wirewatch.eval.scoring import _prf
    counts = {}
    top_right = coded = 0
    for gold, events in results:
        types = {e['event_type'] for e in events}
        for t in types | {gold}:
            c = counts.setdefault(t, [0, 0, 0])
            if t in types and t == gold:
                c[0] += 1
            elif t in types:
                c[1] += 1
            else:
                c[2] += 1
        if events:
            coded += 1
            top = max(events, key=lambda e: e['confidence'])['event_type']
            top_right += top == gold
    tp = sum(c[0] for c in counts.values())
    fp = sum(c[1] for c in counts.values())
    fn = sum(c[2] for c in counts.values())
    return {
        'sentences': len(results),
        'sentences_coded': coded,
        'top_type_accuracy': top_right / len(results) if results else 0.0,
        'top_type_accuracy_when_coded': top_right / coded if coded else 0.0,
        'micro': _prf(tp, fp, fn),
        'per_type': {t: _prf(*c) for t, c in sorted(counts.items())},
    }
