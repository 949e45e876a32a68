"""Per-country crisis summaries (pure Python): contributions, toll reconciliation,
intensity and alert levels.

A *contribution* is what one story cluster adds to one country in one window:
its events there, how many articles and which outlets carried it, and its
headline. Contributions are merged idempotently by cluster id, so a cluster
re-emitted by an early and then an on-time pane is counted once.
"""
import collections
import dataclasses
import math

EVENT_WEIGHTS = {
    # CAMEO quad class 4 (material conflict) weighs most; verbal cooperation least.
    'ASSAULT': 10.0, 'COERCE': 6.0, 'MOBILIZE': 5.0, 'PROTEST': 4.0, 'SANCTION': 3.0,
    'THREATEN': 3.0, 'REJECT': 1.5, 'ACCUSE': 1.5, 'REQUEST': 1.0, 'RETREAT': 1.0,
    'CONCEDE': 0.5, 'AID': 1.0, 'COOPERATE': 0.5, 'SUPPORT': 0.5, 'CONSULT': 0.5, 'AGREE': 0.5,
}
ALERT_LEVELS = ('NONE', 'WATCH', 'WARNING', 'CRISIS')
TOP_N = 5
BASELINE_MIN_WINDOWS = 3


@dataclasses.dataclass
class Contribution:
    """One cluster's share of one country's window."""
    cluster_id: str
    articles: int
    sources: frozenset
    title: str
    url: str
    events: tuple  # Event dicts located in this country

    def weight(self):
        """A larger (more articles, more events) re-emission of the same cluster supersedes."""
        return (self.articles, len(self.sources), len(self.events))


def cluster_stats(stories):
    """(articles, outlets, representative title, url) of one cluster's stories."""
    stories = list(stories)
    sources = frozenset(s.get('source_name') or s.get('feed_url') or '?' for s in stories)
    rep = next((s for s in stories if not s.get('duplicate_of')), None)
    if rep is None and stories:
        rep = min(stories, key=lambda s: (s['published_at'], s['story_id']))
    return len(stories), sources, (rep or {}).get('title', ''), (rep or {}).get('url')


def cluster_contributions(cluster_id, events, stories):
    """[(country, Contribution)] for one cluster: one per country its events happened in."""
    by_country = collections.defaultdict(list)
    for ev in events:
        if ev.get('country'):
            by_country[ev['country']].append(ev)
    if not by_country:
        return []
    articles, sources, title, url = cluster_stats(stories)
    if articles == 0:  # events without their stories (another window): count the representative
        first = min(by_country.values(), key=len)[0]
        articles, sources = 1, frozenset([first.get('source_name') or '?'])
        title, url = first.get('sentence', '')[:200], first.get('source_url')
    return [(country, Contribution(cluster_id, articles, sources, title, url,
                                   tuple(sorted(evs, key=lambda e: e['event_id']))))
            for country, evs in sorted(by_country.items())]


def merge_contributions(contributions):
    """One contribution per cluster: the largest re-emission wins (idempotent)."""
    best = {}
    for c in contributions:
        if c.cluster_id not in best or c.weight() > best[c.cluster_id].weight():
            best[c.cluster_id] = c
    return [best[k] for k in sorted(best)]


def _location_key(event):
    loc = event.get('location') or {}
    if loc.get('precision') in ('CITY', 'ADMIN1'):
        return loc.get('name') or 'COUNTRY'
    return 'COUNTRY'


def reconcile_toll(reports):
    """One figure for a country from many reports of it.

    ``reports`` are (location_key, figure) pairs, one per cluster that reported
    a figure (copies of a story are already one cluster). The same figure
    reported by several stories counts once. Figures are read as running
    totals: per place the largest counts; sub-national places add up (each
    distinct figure once); a country-wide figure caps nothing but replaces the
    sum when it is larger. Returns None when nothing was reported.
    """
    reports = [(k, int(v)) for k, v in reports if v is not None]
    if not reports:
        return None
    per_place = collections.defaultdict(int)
    for key, value in reports:
        per_place[key] = max(per_place[key], value)
    national = per_place.pop('COUNTRY', 0)
    local = sum(set(per_place.values()))
    return max(national, local)


def event_toll_reports(contributions, field):
    """(location_key, figure) per cluster and place: within a cluster a place counts its largest figure."""
    reports = []
    for c in contributions:
        per_place = {}
        for ev in c.events:
            if ev.get(field) is not None:
                key = _location_key(ev)
                per_place[key] = max(per_place.get(key, 0), ev[field])
        reports.extend(per_place.items())
    return reports


def intensity_score(events_by_type, killed, injured, arrested, articles):
    """A severity score: weighted event counts, log-damped tolls, log-damped coverage."""
    score = sum(EVENT_WEIGHTS.get(t, 1.0) * n for t, n in events_by_type.items())
    score += 8.0 * math.log1p(killed or 0) + 3.0 * math.log1p(injured or 0)
    score += 2.0 * math.log1p(arrested or 0)
    score *= 1.0 + 0.25 * math.log1p(max(articles - 1, 0))
    return round(score, 3)


def alert_level(intensity, killed, baseline=()):
    """NONE/WATCH/WARNING/CRISIS for a window.

    With at least BASELINE_MIN_WINDOWS past windows of the same country, the
    level measures the window against that country's own history (ratio to the
    mean past intensity, plus standard deviations above it). Without a baseline
    absolute thresholds apply. Mass-casualty tolls raise the level regardless.
    """
    baseline = [b for b in baseline if b is not None]
    if len(baseline) >= BASELINE_MIN_WINDOWS:
        mean = sum(baseline) / len(baseline)
        sd = math.sqrt(sum((b - mean) ** 2 for b in baseline) / len(baseline))
        excess = (intensity - mean) / max(sd, 1.0)
        ratio = intensity / max(mean, 1.0)
        level = 0
        if ratio >= 1.5 and excess >= 1.0:
            level = 1
        if ratio >= 2.5 and excess >= 2.0:
            level = 2
        if ratio >= 4.0 and excess >= 3.0:
            level = 3
    else:
        level = 0
        if intensity >= 10:
            level = 1
        if intensity >= 30:
            level = 2
        if intensity >= 80:
            level = 3
    killed = killed or 0
    if killed >= 100:
        level = max(level, 3)
    elif killed >= 10:
        level = max(level, 2)
    elif killed >= 1:
        level = max(level, 1)
    return ALERT_LEVELS[level]


PANE_ORDER = {'EARLY': 0, 'ON_TIME': 1, 'LATE': 2}


def pane_rank(summary):
    """Orders the accumulating panes of one window: later timing, then more content."""
    return (PANE_ORDER[summary['pane']], summary['is_final'], summary['articles'],
            summary['events'])


def latest_panes(summaries):
    """The newest pane of each (country, window_start): what a reader of panes keeps."""
    best = {}
    for s in summaries:
        key = (s['country'], s['window_start'])
        if key not in best or pane_rank(s) >= pane_rank(best[key]):
            best[key] = s
    return list(best.values())


def _top(counter, n=TOP_N):
    return [name for name, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def summarise_country(country, country_name, contributions, window_start, window_end,
                      pane='ON_TIME', is_final=True, baseline=()):
    """The CountrySummary dict for one country, window and pane."""
    contributions = merge_contributions(contributions)
    events_by_type = collections.Counter()
    actors = collections.Counter()
    places = collections.Counter()
    sources = set()
    articles = 0
    crowd = []
    for c in contributions:
        articles += c.articles
        sources |= set(c.sources)
        for ev in c.events:
            events_by_type[ev['event_type']] += 1
            for role in ('actor1', 'actor2'):
                actor = ev.get(role)
                if actor and actor.get('name'):
                    actors[actor['name']] += c.articles
            loc = ev.get('location')
            if loc and loc.get('name'):
                places[loc['name']] += c.articles
            if ev.get('crowd_size') is not None:
                crowd.append(ev['crowd_size'])
    killed = reconcile_toll(event_toll_reports(contributions, 'killed'))
    injured = reconcile_toll(event_toll_reports(contributions, 'injured'))
    arrested = reconcile_toll(event_toll_reports(contributions, 'arrested'))
    intensity = intensity_score(events_by_type, killed, injured, arrested, articles)
    headlines = sorted(contributions, key=lambda c: (-len(c.sources), -c.articles, c.cluster_id))
    return {
        'country': country,
        'country_name': country_name,
        'window_start': window_start,
        'window_end': window_end,
        'pane': pane,
        'is_final': is_final,
        'events': sum(events_by_type.values()),
        'stories': len(contributions),
        'articles': articles,
        'sources': len(sources),
        'events_by_type': dict(sorted(events_by_type.items())),
        'killed': killed,
        'injured': injured,
        'arrested': arrested,
        'intensity': intensity,
        'alert_level': alert_level(intensity, killed, baseline),
        'top_actors': _top(actors),
        'top_locations': _top(places),
        'headlines': [{'title': c.title or '', 'url': c.url, 'sources': len(c.sources)}
                      for c in headlines[:TOP_N]],
        'crowd_size': max(crowd) if crowd else None,
    }


def apply_baselines(summaries, window_seconds=86400, ring=28):
    """Re-grade alert levels of one country's summaries in window order against its
    previous ``ring`` final windows (the bounded baseline kept per country).

    Windows with no summary between two that have one were quiet: they enter the
    baseline as intensity 0, so a country's first bad day after a calm month stands out.
    """
    history = collections.deque(maxlen=ring)
    last_final_start = None
    out = []
    for s in sorted(summaries, key=lambda s: (s['window_start'], s['pane'] != 'EARLY')):
        if last_final_start is not None:
            gap = int((s['window_start'] - last_final_start).total_seconds() // window_seconds) - 1
            history.extend([0.0] * max(0, min(gap, ring)))
            if gap >= 0:
                last_final_start = None
        graded = dict(s)
        graded['alert_level'] = alert_level(s['intensity'], s['killed'], list(history))
        out.append(graded)
        if s['is_final']:
            history.append(s['intensity'])
            last_final_start = s['window_start']
    return out
