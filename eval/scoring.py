"""Scores for coded events (pure functions, no spaCy): precision, recall, per type.

A coded event matches a labelled one of the same PLOVER type; with ``strict_place`` it
must also name the same country when both say one. Each labelled event is matched once.
"""
import collections

CONFLICT_QUAD = 4
NEGATIVE_CATEGORIES = ('disaster', 'accident', 'court', 'threat_plan', 'background', 'sport', 'market')


def match_events(predicted, gold, strict_place=False):
    """(matched predicted indexes, matched gold indexes) by greedy one-to-one matching."""
    used_gold, matched_pred = set(), set()
    for i, event in enumerate(predicted):
        for j, label in enumerate(gold):
            if j in used_gold or label['type'] != event['event_type']:
                continue
            if strict_place and label.get('country') and event.get('country') != label['country']:
                continue
            used_gold.add(j)
            matched_pred.add(i)
            break
    return matched_pred, used_gold


def score(results, strict_place=False):
    """Figures over [(label dict, predicted events)] pairs."""
    tp = fp = fn = 0
    per_type = collections.defaultdict(lambda: [0, 0, 0])
    categories = collections.defaultdict(lambda: [0, 0])  # leads, leads with a false conflict event
    n_events = 0
    for label, predicted in results:
        gold = label.get('events') or []
        matched_pred, matched_gold = match_events(predicted, gold, strict_place)
        n_events += len(predicted)
        tp += len(matched_pred)
        fp += len(predicted) - len(matched_pred)
        fn += len(gold) - len(matched_gold)
        for i, event in enumerate(predicted):
            per_type[event['event_type']][0 if i in matched_pred else 1] += 1
        for j, event in enumerate(gold):
            if j not in matched_gold:
                per_type[event['type']][2] += 1
        false_conflict = any(e['quad_class'] == CONFLICT_QUAD for i, e in enumerate(predicted) if i not in matched_pred)
        cat = categories[label.get('category') or 'other']
        cat[0] += 1
        cat[1] += 1 if false_conflict else 0
    hazard = [categories[c] for c in ('disaster', 'accident')]
    hazard_leads = sum(c[0] for c in hazard)
    return {
        'leads': len(results),
        'events': n_events,
        'events_per_lead': n_events / len(results) if results else 0.0,
        'tp': tp, 'fp': fp, 'fn': fn,
        'precision': tp / (tp + fp) if tp + fp else 1.0,
        'recall': tp / (tp + fn) if tp + fn else 1.0,
        'per_type': {t: _prf(*v) for t, v in sorted(per_type.items())},
        'false_conflict_by_category': {c: {'leads': v[0], 'with_false_conflict': v[1]} for c, v in sorted(categories.items())},
        'disaster_accident_false_conflict_rate': (sum(c[1] for c in hazard) / hazard_leads) if hazard_leads else 0.0,
    }


def _prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f1 = 2 * p * r / (p + r) if p and r else None
    return {'tp': tp, 'fp': fp, 'fn': fn, 'precision': p, 'recall': r, 'f1': f1}
