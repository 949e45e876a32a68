"""``wirewatch report DIR --html FILE``: the crisis report, one self-contained HTML page.

What the page shows:

- An overview of every country, worst alert first, then peak intensity: worst
  alert, peak intensity, a sparkline of intensity across the charted windows,
  the latest window and its status, events, the highest one-window tolls and
  articles. Clicking a column heading sorts the table. This uses a few lines
  of inline script; without script the page reads the same, in the default
  order.
- Per country, three charts over the same windows (x: window start, UTC):
  events per window, stacked by PLOVER type; tolls per window (killed, injured,
  arrested); and intensity per window, coloured by alert level and drawn
  against the country's own baseline band (the median of its earlier windows, up
  to the WATCH threshold the summarise stage grades with). Zero draws as zero.
  A figure that was not reported draws nothing, and the tooltip says so.
- Per country and window, the figures in a table, and a ``<details>`` list of
  the events behind them, grouped by story. Each event gives its type, date,
  actors, place, tolls, sentence and a link to its source article. Each story
  also lists its cluster's other articles.

Status of a window. A window that is over is never called "open".

- ``final``: the window's last summary. Every batch summary is final; on a
  stream, the closing LATE pane is.
- ``provisional``: the window has ended (judged against the report time or the
  newest data, whichever is later) but no final summary has been seen yet.
  Late data may still change it, or the stream stopped before closing it.
- ``open``: the window has not ended yet, so its counts are the counts so far.

Nothing is loaded from the network: the CSS, the SVG and the one script are
inline. The only addresses on the page are links to source articles, and only
http(s) ones are linked. Only the newest pane of each (country, window) is used.

The figures come from plain functions (``country_timelines``,
``baseline_history``, ``alert_thresholds``, ``events_by_window``,
``axis_ticks``, ``bar_height``), tested without a browser. The ``render_*`` and
``*_chart`` functions only format.
"""
import collections
import dataclasses
import datetime
import functools
import html
import math
import statistics
import urllib.parse

from wirewatch.transforms.summarise import BASELINE_RING, DAY_SECONDS
from wirewatch.transforms.summarise.core import (ALERT_LEVELS, BASELINE_MIN_WINDOWS, alert_level,
                                                 latest_panes)

UTC = datetime.timezone.utc
CHART_WINDOWS = 60  # a chart shows at most this many windows: the latest ones
TOLLS = ('killed', 'injured', 'arrested')
OTHER_ARTICLES_SHOWN = 12

ALERT_COLOURS = {'NONE': '#9aa5b1', 'WATCH': '#e8b500', 'WARNING': '#e8590c', 'CRISIS': '#c92a2a'}
# Event types, most severe first (as in core.EVENT_WEIGHTS), one fixed colour each.
TYPE_COLOURS = {
    'ASSAULT': '#b2182b', 'COERCE': '#ef8a62', 'MOBILIZE': '#762a83', 'PROTEST': '#e6ab02',
    'SANCTION': '#8c510a', 'THREATEN': '#d01c8b', 'REJECT': '#f1b6da', 'ACCUSE': '#c2a5cf',
    'REQUEST': '#92c5de', 'RETREAT': '#80cdc1', 'CONCEDE': '#35978f', 'AID': '#1b7837',
    'COOPERATE': '#5aae61', 'SUPPORT': '#a6dba0', 'CONSULT': '#4393c3', 'AGREE': '#2166ac',
}
OTHER_TYPE_COLOUR = '#888888'
TOLL_COLOURS = {'killed': '#7f0000', 'injured': '#fc8d59', 'arrested': '#4575b4'}
BAND_COLOUR = '#cfe3f5'
MEDIAN_COLOUR = '#4a6f9c'
STATUS_TEXT = {
    'final': 'the window\'s last summary: its figures will not change',
    'provisional': 'the window is over but its final summary has not been seen: '
                   'late data may still change it',
    'open': 'the window has not ended: counts so far',
    'quiet': 'no events in this country in this window',
}


# --------------------------------------------------------------------- time

def _utc(moment):
    """A datetime in UTC (a naive one is taken to be UTC already)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _seconds(moment):
    return int(_utc(moment).timestamp())


def window_seconds_of(summaries):
    """The window length (seconds) of these summaries: the most common one."""
    lengths = collections.Counter(
        int((s['window_end'] - s['window_start']).total_seconds()) for s in summaries)
    return lengths.most_common(1)[0][0] if lengths else DAY_SECONDS


def window_start_of(moment, window_seconds=DAY_SECONDS):
    """Start (UTC) of the fixed window containing ``moment``: windows are aligned to the epoch."""
    seconds = _seconds(moment)
    return datetime.datetime.fromtimestamp(seconds - seconds % window_seconds, tz=UTC)


def newest_data_time(summaries, events=(), stories=()):
    """The latest moment the data speaks of: its newest publication time or window start."""
    moments = [_utc(s['window_start']) for s in summaries]
    moments += [_utc(r['published_at']) for r in list(events) + list(stories)
                if r.get('published_at')]
    return max(moments, default=None)


def pane_status(summary, as_of):
    """'final', 'provisional' or 'open': what a reader may conclude from this summary.

    ``as_of`` is when the report is made, or the newest data if that is later.
    A window whose end is not after ``as_of`` is over, so it is never 'open'.
    """
    if summary['is_final']:
        return 'final'
    if _utc(summary['window_end']) <= _utc(as_of):
        return 'provisional'
    return 'open'


# ---------------------------------------------------------------- baselines

def baseline_history(earlier, window_start, window_seconds=DAY_SECONDS, ring=BASELINE_RING):
    """The intensities a window starting at ``window_start`` is graded against.

    ``earlier`` holds (window_start, intensity) pairs of the same country's
    earlier windows. As in ``core.apply_baselines``, the quiet windows between
    them, and those between the last of them and this window, count as 0. Only
    the last ``ring`` values are kept.
    """
    history = collections.deque(maxlen=ring)
    last = None
    window_start = _utc(window_start)
    for start, intensity in sorted((_utc(st), v) for st, v in earlier if _utc(st) < window_start):
        if last is not None:
            gap = int((start - last).total_seconds() // window_seconds) - 1
            history.extend([0.0] * max(0, min(gap, ring)))
        history.append(float(intensity))
        last = start
    if last is not None:
        gap = int((window_start - last).total_seconds() // window_seconds) - 1
        history.extend([0.0] * max(0, min(gap, ring)))
    return tuple(history)


def _lowest_intensity_at(level, history):
    """The smallest intensity that ``core.alert_level`` grades ``level`` or worse (tolls aside)."""
    rank = ALERT_LEVELS.index(level)

    def reaches(intensity):
        return ALERT_LEVELS.index(alert_level(intensity, None, history)) >= rank

    low, high = 0.0, 1.0
    while not reaches(high):
        low, high = high, high * 2
        if high > 1e12:
            return math.inf
    for _ in range(48):
        mid = (low + high) / 2
        if reaches(mid):
            high = mid
        else:
            low = mid
    return high


def alert_thresholds(history):
    """Where each alert level starts for a window graded against ``history``.

    Returns {'baseline': bool, 'windows': n, 'median', 'WATCH', 'WARNING',
    'CRISIS'} (intensities). 'median' is the country's usual window, the
    centre of the relative test. With fewer than BASELINE_MIN_WINDOWS earlier
    windows there is no baseline: median is None and only the absolute
    thresholds apply. The thresholds are found by bisection on
    ``core.alert_level`` itself, so the band drawn is the one graded with.
    Tolls can raise a level on their own; they are not part of these
    thresholds.
    """
    history = [h for h in history if h is not None]
    out = {'baseline': len(history) >= BASELINE_MIN_WINDOWS, 'windows': len(history),
           'median': statistics.median(history) if history else None}
    if not out['baseline']:
        out['median'] = None
    for level in ALERT_LEVELS[1:]:
        out[level] = _lowest_intensity_at(level, history)
    return out


# ------------------------------------------------------------ series per country

@dataclasses.dataclass
class WindowPoint:
    """One country's window: its latest summary (None for a quiet window), its status,
    the events behind it, and the earlier intensities it is graded against."""
    start: datetime.datetime
    end: datetime.datetime
    summary: dict = None
    status: str = 'quiet'
    events: list = dataclasses.field(default_factory=list)
    history: tuple = None  # baseline_history: None for a quiet window (nothing graded)

    @functools.cached_property
    def thresholds(self):
        """alert_thresholds of this window's history (None for a quiet window)."""
        return None if self.history is None else alert_thresholds(self.history)

    @property
    def intensity(self):
        return float(self.summary['intensity']) if self.summary else 0.0

    @property
    def alert(self):
        return self.summary['alert_level'] if self.summary else 'NONE'

    @property
    def event_count(self):
        return self.summary['events'] if self.summary else 0

    @property
    def events_by_type(self):
        return dict(self.summary['events_by_type']) if self.summary else {}

    def toll(self, field):
        """The reconciled figure, or None when nothing was reported (0 means reported as 0)."""
        return self.summary[field] if self.summary else None

    @property
    def key(self):
        return _seconds(self.start)


@dataclasses.dataclass
class CountryTimeline:
    """A country's windows: ``windows`` those with a summary, ``charted`` every charted
    window (quiet ones included), both oldest first."""
    country: str
    name: str
    windows: list
    charted: list

    @property
    def worst(self):
        """The window with the worst alert, then the highest intensity."""
        return max(self.windows, key=lambda p: (ALERT_LEVELS.index(p.alert), p.intensity,
                                                 p.start))

    @property
    def worst_alert(self):
        return self.worst.alert

    @property
    def peak_intensity(self):
        return max(p.intensity for p in self.windows)

    @property
    def latest(self):
        return self.windows[-1]

    def toll_total(self, field):
        """The country's figure over all its windows (None when no window reported one).

        Window figures are already net of what earlier windows counted (a running total
        restated the next day adds only its increase), so they add up."""
        figures = [p.toll(field) for p in self.windows if p.toll(field) is not None]
        return sum(figures) if figures else None

    def total(self, field):
        return sum(p.summary[field] for p in self.windows)


def events_by_window(events, window_seconds=DAY_SECONDS):
    """{(country, window start in epoch seconds): [events]}.

    An event belongs to the window of its publication time, as in the
    summarise stage. Events with no country count nowhere.
    """
    out = collections.defaultdict(list)
    for ev in events:
        if ev.get('country') and ev.get('published_at'):
            start = window_start_of(ev['published_at'], window_seconds)
            out[(ev['country'], _seconds(start))].append(ev)
    for evs in out.values():
        evs.sort(key=lambda e: (_utc(e['published_at']), e.get('cluster_id') or '', e['event_id']))
    return dict(out)


def articles_by_cluster(stories):
    """{cluster_id: [stories]}, representative first, then by publication time."""
    out = collections.defaultdict(list)
    for s in stories:
        out[s.get('cluster_id') or s['story_id']].append(s)
    for members in out.values():
        members.sort(key=lambda s: (s.get('duplicate_of') is not None, _utc(s['published_at']),
                                    s['story_id']))
    return dict(out)


def charted_window_starts(summaries, window_seconds=DAY_SECONDS, limit=CHART_WINDOWS):
    """Every window start from the first summary's to the last one's (UTC), the latest ``limit``."""
    if not summaries:
        return []
    first = min(_seconds(s['window_start']) for s in summaries)
    last = max(_seconds(s['window_start']) for s in summaries)
    first = max(first, last - (limit - 1) * window_seconds)
    return [datetime.datetime.fromtimestamp(t, tz=UTC)
            for t in range(first, last + 1, window_seconds)]


def alert_order(timeline):
    """Sort key of the overview: worst alert first, then peak intensity, then country code."""
    return (-ALERT_LEVELS.index(timeline.worst_alert), -timeline.peak_intensity, timeline.country)


def country_timelines(summaries, events=(), as_of=None, window_seconds=None,
                      ring=BASELINE_RING, chart_windows=CHART_WINDOWS):
    """The CountryTimeline of every country in ``summaries``, in overview order.

    Only the newest pane of each (country, window) counts. ``as_of`` (default:
    the newest data) decides whether an unfinished window is open or provisional.
    """
    rows = latest_panes(summaries)
    if not rows:
        return []
    window_seconds = window_seconds or window_seconds_of(rows)
    as_of = max(filter(None, (as_of, newest_data_time(rows, events))), key=_utc)
    by_window = events_by_window(events, window_seconds)
    starts = charted_window_starts(rows, window_seconds, chart_windows)
    by_country = collections.defaultdict(list)
    for s in rows:
        by_country[s['country']].append(s)
    timelines = []
    for country, ss in by_country.items():
        ss.sort(key=lambda s: _utc(s['window_start']))
        windows, earlier = [], []
        for s in ss:
            start = _utc(s['window_start'])
            # only the last ``ring`` earlier windows can reach a ring of ``ring`` values
            history = baseline_history(earlier[-ring:], start, window_seconds, ring)
            windows.append(WindowPoint(
                start, _utc(s['window_end']), s, pane_status(s, as_of),
                by_window.get((country, _seconds(start)), []), history))
            earlier.append((start, s['intensity']))
        known = {p.key: p for p in windows}
        charted = [known.get(_seconds(st)) or
                   WindowPoint(st, st + datetime.timedelta(seconds=window_seconds))
                   for st in starts]
        name = ss[-1]['country_name'] or country
        timelines.append(CountryTimeline(country, name, windows, charted))
    return sorted(timelines, key=alert_order)


# -------------------------------------------------------------------- axes

def axis_ticks(top, minimum=1.0, integer=False, most=5):
    """Tick values from 0 up to a round number at or above max(top, minimum).

    ``minimum`` keeps a small value small: an intensity of 0.4 on an axis to 10
    is a short bar, not a full-height one.
    """
    top = max(float(top or 0.0), float(minimum), 1e-9)
    step = 10.0 ** math.floor(math.log10(top / most))
    for factor in (1, 2, 5, 10):
        if top / (factor * step) <= most + 1e-9:
            step *= factor
            break
    if integer:
        step = max(1, int(round(step)))
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def bar_height(value, axis_top, pixels):
    """Pixels for ``value`` on an axis from 0 to ``axis_top``. Zero (or None) is 0 pixels,
    and a bar is never taller than the axis."""
    if not value or value <= 0 or not axis_top or axis_top <= 0:
        return 0.0
    return min(float(pixels), pixels * float(value) / axis_top)


# ------------------------------------------------------------------ formatting

def _esc(value):
    return html.escape('' if value is None else str(value), quote=True)


def safe_url(url):
    """``url`` if it is an absolute http(s) address, else None (never a javascript: link)."""
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ('http', 'https') and parts.netloc:
        return url.strip()
    return None


def _link(url, text):
    href = safe_url(url)
    if href is None:
        return _esc(text)
    return f'<a href="{_esc(href)}" rel="noopener noreferrer">{_esc(text)}</a>'


def _num(value, digits=0):
    if value is None:
        return '–'
    return f'{value:,.{digits}f}' if digits else f'{value:,}'


def _tick(value):
    return f'{value:g}'


def _plural(n, word, plural=None):
    return f'{n} {word if n == 1 else (plural or word + "s")}'


def _day(moment, window_seconds=DAY_SECONDS):
    """A window's label: '06 Mar 2022', with the time for windows shorter than a day."""
    moment = _utc(moment)
    return f'{moment:%d %b %Y}' if window_seconds % DAY_SECONDS == 0 else f'{moment:%d %b %Y %H:%M}'


def _short_day(moment, window_seconds=DAY_SECONDS):
    moment = _utc(moment)
    return f'{moment:%d %b}' if window_seconds % DAY_SECONDS == 0 else f'{moment:%d %H:%M}'


def _window_length(window_seconds):
    if window_seconds % 3600 == 0:
        return f'{window_seconds // 3600} h'
    return f'{window_seconds} s'


def _alert_badge(level):
    return (f'<span class="alert" style="background:{ALERT_COLOURS.get(level, "#888")}">'
            f'{_esc(level)}</span>')


def _status_badge(status, pane=None):
    why = STATUS_TEXT.get(status, '')
    if pane:
        why = f'{pane} pane: {why}'
    return f'<span class="status {_esc(status)}" title="{_esc(why)}">{_esc(status)}</span>'


# --------------------------------------------------------------------- charts

class _Frame:
    """Geometry of one chart: ``n`` window slots on x, 0..``top`` on y (pixels)."""

    def __init__(self, n, top, width=360, height=216, left=48, right=8, upper=20, lower=46):
        self.n, self.top = max(1, n), top
        self.width, self.height, self.left, self.upper = width, height, left, upper
        self.plot_w = width - left - right
        self.plot_h = height - upper - lower
        self.base = upper + self.plot_h

    @property
    def slot(self):
        return self.plot_w / self.n

    def x(self, i):
        return self.left + i * self.slot

    def y(self, value):
        return self.base - bar_height(value, self.top, self.plot_h)


def _svg_open(frame, label):
    return (f'<svg class="chart" width="{frame.width}" height="{frame.height}" '
            f'viewBox="0 0 {frame.width} {frame.height}" role="img" aria-label="{_esc(label)}">')


def _axes(frame, ticks, y_title, points, window_seconds):
    """Grid, y ticks and title, x labels (the latest window always labelled) and x title."""
    out = []
    for t in ticks:
        y = frame.y(t)
        out.append(f'<line class="grid" x1="{frame.left}" x2="{frame.left + frame.plot_w}" '
                   f'y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick" x="{frame.left - 4}" y="{y + 3:.1f}" '
                   f'text-anchor="end">{_tick(t)}</text>')
    out.append(f'<line class="axis" x1="{frame.left}" x2="{frame.left + frame.plot_w}" '
               f'y1="{frame.base}" y2="{frame.base}"/>')
    out.append(f'<line class="axis" x1="{frame.left}" x2="{frame.left}" y1="{frame.upper}" '
               f'y2="{frame.base}"/>')
    middle = frame.upper + frame.plot_h / 2
    out.append(f'<text class="axis-title" transform="translate(12,{middle:.1f}) rotate(-90)" '
               f'text-anchor="middle">{_esc(y_title)}</text>')
    every = max(1, math.ceil(frame.n / max(1, frame.plot_w // 44)))
    for i, p in enumerate(points):
        if (len(points) - 1 - i) % every == 0:
            out.append(f'<text class="tick" x="{frame.x(i) + frame.slot / 2:.1f}" '
                       f'y="{frame.base + 13}" text-anchor="middle">'
                       f'{_esc(_short_day(p.start, window_seconds))}</text>')
    first, last = _utc(points[0].start), _utc(points[-1].start)
    years = f'{first:%Y}' if first.year == last.year else f'{first:%Y}–{last:%Y}'
    out.append(f'<text class="axis-title" x="{frame.left + frame.plot_w / 2:.1f}" '
               f'y="{frame.height - 6}" text-anchor="middle">window start, UTC ({years}; '
               f'{_window_length(window_seconds)} windows)</text>')
    return out


def _slot_tooltip(frame, i, text):
    """An invisible rectangle over a window's slot carrying its figures as a tooltip."""
    return (f'<rect class="hover" x="{frame.x(i):.1f}" y="{frame.upper}" '
            f'width="{frame.slot:.1f}" height="{frame.plot_h}"><title>{_esc(text)}</title></rect>')


def _empty_note(frame, text):
    return (f'<text class="empty" x="{frame.left + frame.plot_w / 2:.1f}" '
            f'y="{frame.upper + frame.plot_h / 2:.1f}" text-anchor="middle">{_esc(text)}</text>')


def _value_label(frame, x, y, text):
    return (f'<text class="value" x="{x:.1f}" y="{max(10.0, y - 3):.1f}" '
            f'text-anchor="middle">{_esc(text)}</text>')


def event_types_present(points):
    """Event types in these windows, most severe first (the stacking and legend order)."""
    present = {t for p in points for t, n in p.events_by_type.items() if n}
    known = [t for t in TYPE_COLOURS if t in present]
    return known + sorted(present - set(known))


def events_chart(points, window_seconds=DAY_SECONDS):
    """Stacked bars: events per window by PLOVER type."""
    totals = [sum(p.events_by_type.values()) for p in points]
    ticks = axis_ticks(max(totals, default=0), minimum=5, integer=True)
    frame = _Frame(len(points), ticks[-1])
    types = event_types_present(points)
    out = [_svg_open(frame, 'events per window by type')]
    out += _axes(frame, ticks, 'events per window', points, window_seconds)
    width = max(1.0, frame.slot * 0.7)
    for i, p in enumerate(points):
        x = frame.x(i) + (frame.slot - width) / 2
        below = 0
        for t in types:
            n = p.events_by_type.get(t, 0)
            if n:
                top, bottom = frame.y(below + n), frame.y(below)
                out.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" '
                           f'height="{bottom - top:.1f}" fill="{_type_colour(t)}"/>')
                below += n
        if totals[i] and len(points) <= 20:
            out.append(_value_label(frame, x + width / 2, frame.y(totals[i]), totals[i]))
    if not any(totals):
        out.append(_empty_note(frame, 'no events in these windows'))
    for i, p in enumerate(points):
        kinds = _type_counts(p.events_by_type)
        out.append(_slot_tooltip(frame, i, f'{_day(p.start, window_seconds)}: {totals[i]} events'
                                           + (f' ({kinds})' if kinds else '')))
    out.append('</svg>')
    return _figure(''.join(out), 'Events per window, by type (count)',
                   _legend((_type_colour(t), t) for t in types))


def tolls_chart(points, window_seconds=DAY_SECONDS):
    """Grouped bars: killed, injured, arrested per window (reconciled figures)."""
    values = [[p.toll(f) for f in TOLLS] for p in points]
    top = max((v for row in values for v in row if v is not None), default=0)
    ticks = axis_ticks(top, minimum=5, integer=True)
    frame = _Frame(len(points), ticks[-1])
    out = [_svg_open(frame, 'people killed, injured and arrested per window')]
    out += _axes(frame, ticks, 'people per window', points, window_seconds)
    width = max(1.0, frame.slot * 0.8 / len(TOLLS))
    for i, row in enumerate(values):
        x0 = frame.x(i) + frame.slot * 0.1
        for j, (field, v) in enumerate(zip(TOLLS, row)):
            x = x0 + j * width
            h = bar_height(v, frame.top, frame.plot_h)
            if h > 0:
                out.append(f'<rect x="{x:.1f}" y="{frame.base - h:.1f}" width="{width:.1f}" '
                           f'height="{h:.1f}" fill="{TOLL_COLOURS[field]}"/>')
            if v is not None and len(points) <= 12:
                out.append(_value_label(frame, x + width / 2, frame.base - h, v))
    if not any(v for row in values for v in row):
        out.append(_empty_note(frame, 'no one reported killed, injured or arrested'))
    for i, (p, row) in enumerate(zip(points, values)):
        figures = ', '.join(f'{f} {"not reported" if v is None else v}' for f, v in zip(TOLLS, row))
        out.append(_slot_tooltip(frame, i, f'{_day(p.start, window_seconds)}: {figures}'))
    out.append('</svg>')
    caption = ('Tolls per window (people; reconciled: a figure carried by many outlets counts '
               'once). ' + ('A number over a bar is a reported figure; no number means not '
                            'reported.' if len(points) <= 12 else
                            'A window\'s tooltip tells 0 from not reported.'))
    return _figure(''.join(out), caption, _legend((TOLL_COLOURS[f], f) for f in TOLLS))


def intensity_chart(points, window_seconds=DAY_SECONDS):
    """Bars of intensity per window, coloured by alert level, over the baseline band."""
    graded = [p for p in points if p.thresholds]
    reach = [p.intensity for p in points]
    reach += [p.thresholds['WATCH'] for p in graded if p.thresholds['baseline']]
    ticks = axis_ticks(max(reach, default=0), minimum=10)
    frame = _Frame(len(points), ticks[-1])
    out = [_svg_open(frame, 'intensity per window against the baseline band')]
    out += _axes(frame, ticks, 'intensity (score)', points, window_seconds)
    for i, p in enumerate(points):
        th = p.thresholds
        if not th:
            continue
        x0, x1 = frame.x(i), frame.x(i) + frame.slot
        if th['baseline']:
            low, high = frame.y(th['median']), frame.y(th['WATCH'])
            out.append(f'<rect class="band" x="{x0:.1f}" y="{high:.1f}" width="{frame.slot:.1f}" '
                       f'height="{max(0.0, low - high):.1f}" fill="{BAND_COLOUR}"/>')
            out.append(f'<line class="median" x1="{x0:.1f}" x2="{x1:.1f}" y1="{low:.1f}" '
                       f'y2="{low:.1f}" stroke="{MEDIAN_COLOUR}"/>')
        else:
            y = frame.y(th['WATCH'])
            out.append(f'<line class="absolute" x1="{x0:.1f}" x2="{x1:.1f}" y1="{y:.1f}" '
                       f'y2="{y:.1f}" stroke="{ALERT_COLOURS["WATCH"]}"/>')
    width = max(1.0, frame.slot * 0.6)
    for i, p in enumerate(points):
        x = frame.x(i) + (frame.slot - width) / 2
        h = bar_height(p.intensity, frame.top, frame.plot_h)
        if h > 0:
            out.append(f'<rect x="{x:.1f}" y="{frame.base - h:.1f}" width="{width:.1f}" '
                       f'height="{h:.1f}" fill="{ALERT_COLOURS.get(p.alert, "#888")}"/>')
        if p.summary and len(points) <= 20:
            out.append(_value_label(frame, x + width / 2, frame.base - h, f'{p.intensity:.1f}'))
    if not any(p.intensity for p in points):
        out.append(_empty_note(frame, 'intensity 0 in every window'))
    for i, p in enumerate(points):
        out.append(_slot_tooltip(frame, i, f'{_day(p.start, window_seconds)}: '
                                           + _grading_text(p)))
    out.append('</svg>')
    legend = _legend([(BAND_COLOUR, 'normal range: from the usual window (median of earlier '
                                    'windows, dashed) up to where WATCH starts'),
                      (ALERT_COLOURS['WATCH'], 'WATCH threshold without a baseline (fewer than '
                                               f'{BASELINE_MIN_WINDOWS} earlier windows)', 'line')]
                     + [(ALERT_COLOURS[a], a) for a in ALERT_LEVELS])
    return _figure(''.join(out), 'Intensity per window (score), coloured by alert level, against '
                                 'the country\'s own baseline', legend)


def _grading_text(point):
    """How a window was graded, in words."""
    if not point.summary:
        return 'no events (intensity 0)'
    th = point.thresholds
    text = f'intensity {point.intensity:.1f}, alert {point.alert}'
    if th['baseline']:
        text += (f'; baseline of {th["windows"]} earlier windows: median {th["median"]:.1f}; '
                 f'WATCH from {th["WATCH"]:.1f}, WARNING from {th["WARNING"]:.1f}, '
                 f'CRISIS from {th["CRISIS"]:.1f}')
    else:
        text += (f'; no baseline ({th["windows"]} earlier windows): WATCH from {th["WATCH"]:.0f}, '
                 f'WARNING from {th["WARNING"]:.0f}, CRISIS from {th["CRISIS"]:.0f}')
    by_intensity = alert_level(point.intensity, None, point.history)
    if ALERT_LEVELS.index(point.alert) > ALERT_LEVELS.index(by_intensity):
        text += ' (raised by the toll)'
    return text


def _figure(svg, caption, legend):
    return f'<figure>{svg}<figcaption>{_esc(caption)}{legend}</figcaption></figure>'


def _legend(entries):
    """A legend list of (colour, label[, swatch class]) entries ('' when there are none)."""
    items = [f'<li><span class="swatch {cls[0] if cls else ""}" style="background:{colour}"></span>'
             f'{_esc(label)}</li>' for colour, label, *cls in entries]
    return f'<ul class="legend">{"".join(items)}</ul>' if items else ''


def _type_colour(event_type):
    return TYPE_COLOURS.get(event_type, OTHER_TYPE_COLOUR)


def _type_counts(events_by_type):
    """'ASSAULT 3, PROTEST 1': most frequent first."""
    ranked = sorted(events_by_type.items(), key=lambda kv: (-kv[1], kv[0]))
    return ', '.join(f'{t} {n}' for t, n in ranked)


def sparkline(points, window_seconds=DAY_SECONDS, width=130, height=32):
    """A small line of intensity across the charted windows, a dot per window with a summary."""
    top = axis_ticks(max((p.intensity for p in points), default=0), minimum=10)[-1]
    n = len(points)
    step = (width - 8) / max(1, n - 1)

    def xy(i, p):
        return 4 + i * step, height - 4 - bar_height(p.intensity, top, height - 8)

    coords = [xy(i, p) for i, p in enumerate(points)]
    out = [f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="intensity per window">',
           f'<line class="axis" x1="4" x2="{width - 4}" y1="{height - 4}" y2="{height - 4}"/>']
    if n > 1:
        out.append('<polyline class="trend" points="'
                   + ' '.join(f'{x:.1f},{y:.1f}' for x, y in coords) + '"/>')
    for (x, y), p in zip(coords, points):
        if p.summary:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" '
                       f'fill="{ALERT_COLOURS.get(p.alert, "#888")}"/>')
    values = ', '.join(f'{p.intensity:.1f}' for p in points)
    span = f'{_day(points[0].start, window_seconds)} to {_day(points[-1].start, window_seconds)}'
    out.append(f'<title>intensity per window, {span} (axis 0 to {_tick(top)}): '
               f'{_esc(values)}</title></svg>')
    return ''.join(out)


# ------------------------------------------------------------------------ page

CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em auto;max-width:82em;
 padding:0 1em;color:#1d2329;background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{margin:1.6em 0 .3em;font-size:1.3em}h3{font-size:1.05em}
.meta,.note{color:#505a64}
table{border-collapse:collapse;margin:.5em 0}
td,th{padding:3px 8px;border-bottom:1px solid #dde1e5;text-align:right;vertical-align:middle}
td.l,th.l{text-align:left}th{background:#f3f5f7;font-weight:600}
th[data-type]{cursor:pointer}th[aria-sort=ascending]::after{content:' \\25B2'}
th[aria-sort=descending]::after{content:' \\25BC'}
.alert{color:#fff;padding:1px 6px;border-radius:3px;font-size:.85em;font-weight:600}
.status{padding:0 5px;border-radius:3px;font-size:.85em;border:1px solid}
.status.final{border-color:#5c6670;color:#1d2329}
.status.provisional{border-color:#e8b500;color:#7a5c00}
.status.open{border-color:#3b7dd8;color:#1c4f94}
.charts{display:flex;flex-wrap:wrap;gap:10px}
figure{margin:0;width:360px}figcaption{font-size:.82em;color:#505a64}
.legend{list-style:none;padding:0;margin:.2em 0;display:flex;flex-wrap:wrap;gap:2px 10px}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
.swatch.line{height:3px;vertical-align:2px}
svg text{font:10px system-ui,sans-serif;fill:#33393f}svg .axis-title{font-size:10.5px;fill:#505a64}
svg .grid{stroke:#e6e9ec}svg .axis{stroke:#8a939b}svg .median{stroke-dasharray:4 2}
svg .absolute{stroke-dasharray:2 2;stroke-width:1.5}svg .hover{fill:none;pointer-events:all}
svg .hover:hover{fill:#000;fill-opacity:.05}svg .empty{fill:#8a939b;font-size:11px}
svg .value{font-size:9px}svg rect{shape-rendering:crispEdges}
.spark .trend{fill:none;stroke:#8a939b;stroke-width:1.2}
details{margin:.3em 0;border-left:3px solid #dde1e5;padding-left:.6em}
summary{cursor:pointer}ol.stories{padding-left:1.4em}ol.stories>li{margin:.5em 0}
ul.events{padding-left:1em}ul.events li{margin:.35em 0}
.etype{font-weight:600;border-left:6px solid;padding-left:4px}
blockquote{margin:.2em 0 .2em 1em;color:#33393f;font-style:italic}
section.country{border-top:1px solid #dde1e5}
"""

SORT_SCRIPT = """
(function () {
  var table = document.getElementById('overview');
  if (!table || !table.tHead) { return; }
  var heads = table.tHead.rows[0].cells, body = table.tBodies[0];
  function key(row, i, numeric) {
    var cell = row.cells[i], v = cell.getAttribute('data-sort');
    if (v === null) { v = cell.textContent; }
    return numeric ? parseFloat(v) : v.toLowerCase();
  }
  function sortBy(i) {
    var th = heads[i], numeric = th.getAttribute('data-type') === 'num';
    var was = th.getAttribute('aria-sort');
    var dir = was ? (was === 'descending' ? 'ascending' : 'descending')
                  : (numeric ? 'descending' : 'ascending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, i, numeric), y = key(b, i, numeric);
      var c = x < y ? -1 : (x > y ? 1 : 0);
      return dir === 'ascending' ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var j = 0; j < heads.length; j++) { heads[j].removeAttribute('aria-sort'); }
    th.setAttribute('aria-sort', dir);
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    if (!th.hasAttribute('data-type')) { return; }
    th.tabIndex = 0;
    th.title = 'sort by this column';
    th.addEventListener('click', function () { sortBy(i); });
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(i); }
    });
  });
  var hint = document.getElementById('sort-hint');
  if (hint) { hint.hidden = false; }
})();
"""


def render_overview(timelines, window_seconds):
    """The overview table: one row per country, in ``alert_order``."""
    heads = [('Country', 'text', 'l'), ('Worst alert', 'num', 'l'), ('Peak intensity', 'num', ''),
             ('Trend (intensity per window)', None, 'l'), ('Latest window', 'num', 'l'),
             ('Status', 'text', 'l'), ('Events', 'num', ''), ('Killed*', 'num', ''),
             ('Injured*', 'num', ''), ('Arrested*', 'num', ''), ('Articles', 'num', '')]
    sortable = ''.join(f'<th class="{cls}"' + (f' data-type="{kind}"' if kind else '')
                       + f'>{_esc(name)}</th>' for name, kind, cls in heads)
    out = ['<p id="sort-hint" class="note" hidden>Click a column heading to sort.</p>',
           f'<table id="overview"><thead><tr>{sortable}</tr></thead><tbody>']
    for t in timelines:
        worst, latest = t.worst, t.latest
        worst_key = ALERT_LEVELS.index(worst.alert) * 1e6 + worst.intensity
        cells = [
            f'<td class="l" data-sort="{_esc(t.name)}"><a href="#c-{_esc(t.country)}">'
            f'{_esc(t.name)} ({_esc(t.country)})</a></td>',
            f'<td class="l" data-sort="{worst_key:.3f}">{_alert_badge(worst.alert)} '
            f'<span class="meta">{_esc(_day(worst.start, window_seconds))}</span></td>',
            f'<td>{t.peak_intensity:.1f}</td>',
            f'<td class="l">{sparkline(t.charted, window_seconds)}</td>',
            f'<td class="l" data-sort="{latest.key}">'
            f'{_esc(_day(latest.start, window_seconds))}</td>',
            f'<td class="l">{_status_badge(latest.status, latest.summary["pane"])}</td>',
            f'<td>{t.total("events")}</td>',
        ]
        for field in TOLLS:
            v = t.toll_total(field)
            cells.append(f'<td data-sort="{-1 if v is None else v}">{_num(v)}</td>')
        cells.append(f'<td>{t.total("articles")}</td>')
        out.append(f'<tr id="row-{_esc(t.country)}">' + ''.join(cells) + '</tr>')
    out.append('</tbody></table>')
    out.append('<p class="note">* Tolls: the sum of the windows\' figures, each net of what '
               'earlier windows already counted (a running total restated the next day adds only '
               'its increase); each window\'s figures are in the country\'s table below. '
               '– means not reported.</p>')
    return '\n'.join(out)


def _actor(actor):
    if not actor or not actor.get('name'):
        return None
    detail = ', '.join(x for x in (actor.get('sector'), actor.get('country')) if x)
    return f'{actor["name"]} ({detail})' if detail else actor['name']


def _place(event):
    loc = event.get('location') or {}
    parts = [loc.get('name'), loc.get('admin1') if loc.get('admin1') != loc.get('name') else None,
             event.get('country')]
    return ', '.join(p for p in parts if p)


def render_event(event):
    """One event: type, date, actors, place, tolls, the sentence and its source article."""
    colour = _type_colour(event['event_type'])
    date = event.get('event_date')
    actors = ' → '.join(filter(None, (_actor(event.get('actor1')), _actor(event.get('actor2')))))
    tolls = ', '.join(f'{f} {event[f]}' for f in TOLLS if event.get(f) is not None)
    if tolls and event.get('toll_scope') == 'CUMULATIVE':
        tolls += ' (running total)'
    bits = [f'<span class="etype" style="border-color:{colour}">{_esc(event["event_type"])}</span>',
            _esc(date.isoformat() if hasattr(date, 'isoformat') else (date or 'date unknown'))]
    bits += [_esc(x) for x in (actors, _place(event), tolls) if x]
    source = event.get('source_name') or 'source article'
    return (f'<li>{" · ".join(bits)}<blockquote>{_esc(event.get("sentence"))}</blockquote>'
            f'Source: {_link(event.get("source_url"), source)}</li>')


def render_story_events(cluster_id, events, articles):
    """A cluster's events in one window, with the cluster's articles."""
    members = articles.get(cluster_id, [])
    out = ['<li>']
    if members:
        rep = members[0]
        others = members[1:]
        out.append(f'<p><b>{_esc(rep.get("title") or "(untitled)")}</b>: '
                   f'{_link(rep.get("url"), rep.get("source_name") or "source article")}')
        if others:
            shown = ', '.join(_link(s.get('url'), s.get('source_name') or 'source article')
                              for s in others[:OTHER_ARTICLES_SHOWN])
            more = len(others) - OTHER_ARTICLES_SHOWN
            out.append(f'; also carried by {shown}' + (f' and {more} more' if more > 0 else ''))
        out.append('</p>')
    out.append('<ul class="events">' + ''.join(render_event(e) for e in events) + '</ul></li>')
    return ''.join(out)


def render_window_events(timeline, point, articles, window_seconds, is_open=False):
    """The <details> list of the events behind one country-window."""
    s = point.summary
    by_cluster = collections.OrderedDict()
    for ev in point.events:
        by_cluster.setdefault(ev.get('cluster_id') or ev['event_id'], []).append(ev)
    head = (f'{_esc(_day(point.start, window_seconds))}: {_plural(s["events"], "event")} in '
            f'{_plural(s["stories"], "story", "stories")}, {_plural(s["articles"], "article")} · '
            f'{_alert_badge(point.alert)} · {_status_badge(point.status, s["pane"])}')
    out = [f'<details id="ev-{_esc(timeline.country)}-{point.key}"{" open" if is_open else ""}>'
           f'<summary>{head}</summary>']
    if s['top_actors'] or s['top_locations']:
        actors, places = ', '.join(s['top_actors']) or '–', ', '.join(s['top_locations']) or '–'
        out.append(f'<p class="meta">Most-reported actors: {_esc(actors)}. '
                   f'Places: {_esc(places)}.</p>')
    if len(point.events) != s['events']:
        out.append(f'<p class="note">The summary counts {s["events"]} events; the events files '
                   f'hold {len(point.events)} for this country and window'
                   + (' (events were not given to the report).' if not point.events else '.')
                   + '</p>')
    if by_cluster:
        out.append('<ol class="stories">' + ''.join(
            render_story_events(cid, evs, articles) for cid, evs in by_cluster.items()) + '</ol>')
    out.append('</details>')
    return ''.join(out)


def render_window_table(timeline, window_seconds):
    """A country's windows, newest first: status, alert, grading, counts and tolls."""
    heads = ''.join(f'<th class="l">{h}</th>' for h in ('Window (UTC)', 'Status', 'Alert'))
    heads += ('<th>Intensity</th><th class="l">Graded against</th><th>Events</th>'
              '<th class="l">By type</th>')
    heads += ''.join(f'<th>{h}</th>' for h in ('Killed', 'Injured', 'Arrested', 'Stories',
                                                'Articles', 'Outlets'))
    out = [f'<table class="windows"><thead><tr>{heads}</tr></thead><tbody>']
    for p in reversed(timeline.windows):
        s, th = p.summary, p.thresholds
        if th['baseline']:
            graded = (f'median {th["median"]:.1f} of {th["windows"]} earlier windows; '
                      f'WATCH from {th["WATCH"]:.1f}')
        else:
            graded = f'no baseline yet; absolute: WATCH from {th["WATCH"]:.0f}'
        types = _type_counts(s['events_by_type'])
        out.append(
            f'<tr><td class="l">{_esc(_day(p.start, window_seconds))}</td>'
            f'<td class="l">{_status_badge(p.status, s["pane"])}</td>'
            f'<td class="l">{_alert_badge(p.alert)}</td><td>{p.intensity:.1f}</td>'
            f'<td class="l" title="{_esc(_grading_text(p))}">{_esc(graded)}</td>'
            f'<td><a href="#ev-{_esc(timeline.country)}-{p.key}">{s["events"]}</a></td>'
            f'<td class="l">{_esc(types)}</td>'
            + ''.join(f'<td>{_num(s[f])}</td>' for f in TOLLS)
            + f'<td>{s["stories"]}</td><td>{s["articles"]}</td><td>{s["sources"]}</td></tr>')
    out.append('</tbody></table>')
    return ''.join(out)


def render_country(timeline, articles, window_seconds, charted_note=''):
    """A country's section: headline figures, the three charts, the windows and their events."""
    t = timeline
    worst = t.worst
    tolls = ''.join(f', {worst.toll(f)} {f}' for f in TOLLS if worst.toll(f) is not None)
    lede = (f'Worst window {_esc(_day(worst.start, window_seconds))}: intensity '
            f'{worst.intensity:.1f} ({_esc(worst.alert)}), '
            f'{_plural(worst.event_count, "event")}{_esc(tolls)}. '
            f'Latest window {_esc(_day(t.latest.start, window_seconds))}: '
            + _status_badge(t.latest.status, t.latest.summary['pane']) + '.')
    out = [f'<section class="country" id="c-{_esc(t.country)}">',
           f'<h2>{_esc(t.name)} ({_esc(t.country)}) {_alert_badge(t.worst_alert)}</h2>',
           f'<p>{lede}</p>']
    uncharted = [p for p in t.windows if _seconds(p.start) < t.charted[0].key]
    if uncharted:
        out.append(f'<p class="note">{_plural(len(uncharted), "earlier window")} of this country '
                   f'not charted ({_esc(charted_note)}); the table lists them.</p>')
    out.append('<div class="charts">' + events_chart(t.charted, window_seconds)
               + tolls_chart(t.charted, window_seconds)
               + intensity_chart(t.charted, window_seconds) + '</div>')
    out.append(render_window_table(t, window_seconds))
    out.append('<h3>Events behind the figures</h3>')
    for p in reversed(t.windows):
        out.append(render_window_events(t, p, articles, window_seconds,
                                        is_open=p is worst and 0 < len(p.events) <= 12))
    out.append('</section>')
    return '\n'.join(out)


def render_report(summaries, title='wirewatch crisis report', events=(), stories=(),
                  as_of=None):
    """The HTML page (a string) for these CountrySummary records, with the Event and
    Story records behind them (optional). ``as_of`` (UTC; default: the newest data)
    is when the report is made: windows that ended before it are not open."""
    events, stories = list(events), list(stories)
    rows = latest_panes(summaries)
    newest = newest_data_time(rows, events, stories)
    as_of = max(filter(None, (as_of, newest)), key=_utc, default=None)
    window_seconds = window_seconds_of(rows)
    timelines = country_timelines(rows, events, as_of, window_seconds)
    articles = articles_by_cluster(stories)
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<title>{_esc(title)}</title><style>{CSS}</style></head><body>',
           f'<h1>{_esc(title)}</h1>']
    if not timelines:
        out.append('<p>No country summaries in these outputs.</p></body></html>')
        return '\n'.join(out)
    starts = charted_window_starts(rows, window_seconds, CHART_WINDOWS)
    first = min(_utc(s['window_start']) for s in rows)
    last = max(_utc(s['window_start']) for s in rows)
    charted_note = (f'charts show the latest {len(starts)} windows, from '
                    f'{_day(starts[0], window_seconds)}')
    out.append(
        f'<p class="meta">{len(timelines)} countries, {len(rows)} country-windows '
        f'({_window_length(window_seconds)} windows, UTC) from {_esc(_day(first, window_seconds))} '
        f'to {_esc(_day(last, window_seconds))}; {len(events)} events, {len(stories)} articles. '
        f'Newest data {newest:%Y-%m-%d %H:%M} UTC; window status judged as of '
        f'{_utc(as_of):%Y-%m-%d %H:%M} UTC.</p>')
    if _seconds(first) < _seconds(starts[0]):
        out.append(f'<p class="note">The {_esc(charted_note)}.</p>')
    out.append('<p class="note">Status of a window: <b>final</b>: ' + STATUS_TEXT['final']
               + '; <b>provisional</b>: ' + STATUS_TEXT['provisional'] + '; <b>open</b>: '
               + STATUS_TEXT['open'] + '. Intensity weighs event types, tolls and coverage. '
               'The alert level compares it with absolute floors and, once a country has '
               f'{BASELINE_MIN_WINDOWS} earlier windows, with its own usual window too (quiet '
               'windows count as 0); tolls can raise it. The intensity charts draw the '
               'thresholds each window was graded with.</p>')
    out.append('<h2>Overview</h2>')
    out.append(render_overview(timelines, window_seconds))
    for t in timelines:
        out.append(render_country(t, articles, window_seconds, charted_note))
    out.append(f'<script>{SORT_SCRIPT}</script></body></html>')
    return '\n'.join(out)
