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
import statistics

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


TOLL_FIELDS = ('killed', 'injured', 'arrested')
NATIONAL = 'COUNTRY'


def _location_key(event):
    loc = event.get('location') or {}
    if loc.get('precision') in ('CITY', 'ADMIN1'):
        return loc.get('name') or NATIONAL
    return NATIONAL


def _day(value):
    return value.date() if hasattr(value, 'date') else value


def incident_key(event, window_day):
    """What one toll figure is a figure *of*.

    An incident is a type of event at a place on a day: ('INCIDENT', type, place,
    day). A running total ("the toll rose to 164", "so far") is keyed without the
    day, ('CUMULATIVE', type, place), so that a total restated on later days is
    the same total. Places are the event's city or admin1, else the country.
    """
    place = _location_key(event)
    if event.get('toll_scope') == 'CUMULATIVE':
        return ('CUMULATIVE', event['event_type'], place)
    return ('INCIDENT', event['event_type'], place, _day(event.get('event_date')) or window_day)


def toll_reports(contributions, field, window_day):
    """{incident key: figure} for one window: the largest figure any story gave each incident
    (one figure carried by fifty outlets is one cluster; two stories of one incident are one key)."""
    reports = {}
    for c in contributions:
        for ev in c.events:
            if ev.get(field) is not None:
                key = incident_key(ev, window_day)
                reports[key] = max(reports.get(key, 0), int(ev[field]))
    return reports


def _country_figure(figures):
    """{(place, day-or-None): figure} to one figure: on each day the places add up, unless
    a country-wide figure is larger (then it is the total that includes them)."""
    per_day = collections.defaultdict(lambda: [0, 0])  # day -> [national, sum of places]
    for (place, day), value in figures.items():
        if place == NATIONAL:
            per_day[day][0] = max(per_day[day][0], value)
        else:
            per_day[day][1] += value
    return sum(max(national, local) for national, local in per_day.values())


def reconcile_toll(reports, counted=None):
    """One figure for a country's window from its incident reports (see ``incident_key``).

    - Distinct incidents add up, even when their figures are equal.
    - On one day, incidents in different places add up; a country-wide figure
      larger than their sum replaces it (it is the day's total).
    - Running totals: the places' totals add up unless a country-wide total is larger.
    - ``counted``: figures already counted in earlier windows, per key (see
      ``counted_figures``). Only the increase over them counts, so a figure restated
      the next day adds nothing, and a running total's increase does not count
      again the incidents already counted since its last statement.
    - Incidents and running totals describe the same dead: the larger wins.

    Returns None when nothing was reported, 0 when only old figures were restated.
    """
    if not reports:
        return None
    counted = counted or {}
    incidents, totals = {}, {}
    for key, value in reports.items():
        new = max(0, int(value) - counted.get(key, 0))
        if key[0] == 'CUMULATIVE':
            if key in counted:  # incidents counted since its last statement are in its increase
                new = max(0, new - counted.get(('SINCE',) + key[1:], 0))
            totals[(key[2], None)] = totals.get((key[2], None), 0) + new
        else:
            place_day = (key[2], key[3])
            incidents[place_day] = incidents.get(place_day, 0) + new
    return max(_country_figure(incidents), _country_figure(totals))


def _covers(total_key, incident):
    """Does a running total (type, place) include this incident? Same type, and a
    country-wide total includes every place."""
    return total_key[1] == incident[1] and total_key[2] in (NATIONAL, incident[2])


def count_window(counted, reports):
    """Fold one window's reports ({field: {key: figure}}) into ``counted`` (in place): per
    key the largest figure; per running total also ('SINCE', type, place), the incident
    deaths counted beyond it since its last statement (its next increase includes them).
    Windows are folded in window order."""
    for field, figures in (reports or {}).items():
        mine = counted.setdefault(field, {})
        rises = {k: max(0, v - mine.get(k, 0)) for k, v in figures.items() if k[0] == 'INCIDENT'}
        for total in [k for k in mine if k[0] == 'CUMULATIVE'] + [
                k for k in figures if k[0] == 'CUMULATIVE' and k not in mine]:
            since = ('SINCE',) + total[1:]
            covered = sum(v for k, v in rises.items() if _covers(total, k))
            if total in figures:  # restated: its own increase counted, or the incidents
                increase = figures[total] - mine.get(total, 0) - mine.get(since, 0)
                mine[since] = max(0, covered - max(0, increase))
            else:
                mine[since] = mine.get(since, 0) + covered
        for key, value in figures.items():
            mine[key] = max(mine.get(key, 0), value)
    return counted


def counted_figures(earlier_reports):
    """What earlier windows counted, from their reports in window order (see ``count_window``)."""
    counted = {f: {} for f in TOLL_FIELDS}
    for reports in earlier_reports:
        count_window(counted, reports)
    return counted


def event_weight(event, window_start):
    """How much one event adds to a window's intensity: its confidence, discounted when the
    event itself is older than the window (a late report of a week-old clash weighs half)."""
    weight = float(event.get('confidence') if event.get('confidence') is not None else 1.0)
    when = _day(event.get('event_date'))
    if when is not None and window_start is not None:
        age = (_day(window_start) - when).days
        if age > 7:
            weight *= 0.25
        elif age > 1:
            weight *= 0.5
    return weight


def intensity_score(event_score, killed, injured, arrested, articles):
    """A severity score: confidence-weighted event counts (``event_score``), log-damped
    tolls, log-damped coverage."""
    score = event_score
    score += 8.0 * math.log1p(killed or 0) + 3.0 * math.log1p(injured or 0)
    score += 2.0 * math.log1p(arrested or 0)
    score *= 1.0 + 0.25 * math.log1p(max(articles - 1, 0))
    return round(score, 3)


ABSOLUTE_FLOORS = (10.0, 30.0, 80.0)  # intensity a window needs for WATCH, WARNING, CRISIS
RELATIVE_STEPS = ((1.5, 1.0), (2.5, 2.0), (4.0, 3.0))  # (ratio to median, robust deviations)


def _absolute_level(intensity):
    return sum(intensity >= floor for floor in ABSOLUTE_FLOORS)


def _relative_level(intensity, baseline):
    """How far a window stands above the country's usual day: the median of its earlier
    windows (robust to the crisis days themselves entering the baseline) and a robust
    spread (scaled median absolute deviation, at least a quarter of the median)."""
    median = statistics.median(baseline)
    mad = statistics.median(abs(b - median) for b in baseline) * 1.4826
    spread = max(mad, 0.25 * median, 1.0)
    ratio = intensity / max(median, 1.0)
    excess = (intensity - median) / spread
    return sum(ratio >= r and excess >= e for r, e in RELATIVE_STEPS)


def alert_level(intensity, killed, baseline=()):
    """NONE/WATCH/WARNING/CRISIS for a window.

    Two tests, and the lower level wins:
    - absolute: the window's intensity reaches 10 (WATCH), 30 (WARNING) or 80
      (CRISIS), so that one event in a quiet country is never a crisis;
    - relative, with at least BASELINE_MIN_WINDOWS earlier windows of the same
      country: 1.5, 2.5 or 4 times its median window and 1, 2 or 3 robust
      deviations above it, so that a usual day of a busy country is no alert.
    Without a baseline only the absolute test applies. Tolls raise the level
    regardless: 1 killed WATCH, 10 WARNING, 100 CRISIS.
    """
    baseline = [b for b in baseline if b is not None]
    level = _absolute_level(intensity)
    if len(baseline) >= BASELINE_MIN_WINDOWS:
        level = min(level, _relative_level(intensity, baseline))
    killed = killed or 0
    level = max(level, (killed >= 1) + (killed >= 10) + (killed >= 100))
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
    event_score = 0.0
    for c in contributions:
        articles += c.articles
        sources |= set(c.sources)
        for ev in c.events:
            events_by_type[ev['event_type']] += 1
            event_score += EVENT_WEIGHTS.get(ev['event_type'], 1.0) * event_weight(ev, window_start)
            for role in ('actor1', 'actor2'):
                actor = ev.get(role)
                if actor and actor.get('name'):
                    actors[actor['name']] += c.articles
            loc = ev.get('location')
            if loc and loc.get('name'):
                places[loc['name']] += c.articles
            if ev.get('crowd_size') is not None:
                crowd.append(ev['crowd_size'])
    window_day = _day(window_start)
    reports = {f: toll_reports(contributions, f, window_day) for f in TOLL_FIELDS}
    tolls = {f: reconcile_toll(reports[f]) for f in TOLL_FIELDS}
    killed, injured, arrested = (tolls[f] for f in TOLL_FIELDS)
    intensity = intensity_score(event_score, killed, injured, arrested, articles)
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
        # carried to the grading step, which nets tolls of earlier windows, then dropped
        '_tolls': reports,
        '_event_score': event_score,
    }


def public(summary):
    """The CountrySummary record without the fields carried between steps."""
    return {k: v for k, v in summary.items() if not k.startswith('_')}


def net_of_earlier(summary, counted):
    """``summary`` with its tolls net of figures already counted in earlier windows
    (``counted``: {field: {incident key: figure}}) and its intensity recomputed."""
    if '_tolls' not in summary or '_event_score' not in summary:
        return dict(summary)  # already graded, or a past window known only by its figures
    out = dict(summary)
    for field in TOLL_FIELDS:
        out[field] = reconcile_toll(summary['_tolls'].get(field), counted.get(field))
    out['intensity'] = intensity_score(summary['_event_score'], out['killed'], out['injured'],
                                       out['arrested'], summary['articles'])
    return out


def apply_baselines(summaries, window_seconds=86400, ring=28):
    """Grade one country's summaries in window order: tolls net of what earlier windows
    already counted (a running total restated the next day adds only its increase), then
    the alert level against the previous ``ring`` final windows (the bounded baseline kept
    per country). Returns public records.

    Windows with no summary between two that have one were quiet: they enter the
    baseline as intensity 0, so a country's first bad day after a calm month stands out.
    """
    history = collections.deque(maxlen=ring)
    counted = counted_figures(())
    uncounted = {}  # window_start -> reports of final windows not yet folded into ``counted``
    last_final_start = None
    out = []
    for s in sorted(summaries, key=lambda s: (s['window_start'], s['pane'] != 'EARLY')):
        if last_final_start is not None:
            gap = int((s['window_start'] - last_final_start).total_seconds() // window_seconds) - 1
            history.extend([0.0] * max(0, min(gap, ring)))
            if gap >= 0:
                last_final_start = None
        for start in sorted(k for k in uncounted if k < s['window_start']):
            count_window(counted, uncounted.pop(start))  # earlier windows only, once each
        graded = net_of_earlier(s, counted)
        graded['alert_level'] = alert_level(graded['intensity'], graded['killed'], list(history))
        out.append(public(graded))
        if s['is_final']:
            history.append(graded['intensity'])
            last_final_start = s['window_start']
            if s.get('_tolls') is not None:
                uncounted[s['window_start']] = s['_tolls']
    return out
