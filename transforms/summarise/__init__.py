"""Summarise stage: events and stories into per-country, per-window CountrySummary records.

Windows are event time (publication time, UTC), fixed length (daily by default).
Events and stories are joined per cluster, then grouped per country; each
summary is graded against that country's own baseline of earlier windows.

Panes on a stream (what ``pane`` and ``is_final`` mean):

- ``EARLY``: fired on processing time (``early_seconds`` after the first
  unfired data) while the watermark is still inside the window; counts so far.
  The cluster join's panes reach the country grouping a moment before its
  watermark does, so that grouping may fire an extra EARLY pane just before
  the ON_TIME pane, with the same counts.
- ``ON_TIME``: exactly one per window, when the watermark passes the window end.
- ``LATE``: one per late arrival within the allowed lateness (watermark past
  the window end, not past end + allowed lateness).
- Panes accumulate: every pane carries the window's full counts so far, so a
  consumer keeps the latest pane of a (country, window) and drops the others.
- ``is_final``: this is the window's last summary. In batch every summary is
  final (one ON_TIME pane). On a stream Beam never marks a pane last when late
  firings are allowed, so this stage closes each window itself: when the
  watermark passes window end + allowed lateness it emits the window's latest
  counts once more with ``pane = LATE`` and ``is_final = true``. Every other
  streaming summary has ``is_final = false``.

Data later than the allowed lateness: Beam's watermark decides. Once the
watermark reaches a window's end + allowed lateness, Beam's GroupByKey drops
whatever still arrives for it. On a stream ``RouteTooLate`` (before
clustering) turns such stories into DeadLetters (stage ``window``, error
``TOO_LATE``, counter ``stories_too_late``) instead. It keys stories by a hash
of their id over a few shards; each shard remembers the latest window deadline
its event-time timer has fired for (the watermark has reached it) and the
deadlines of the windows it has seen still open, with a timer at the earliest.
A story is too late when its deadline is at or before the one fired; it is
kept when an open window closes no later than it does, since that pending timer
holds this step's output watermark (on Dataflow and other portable runners;
the Python DirectRunner keeps no timer holds) so the window downstream cannot
expire before the story reaches it. A backlog behind the wall clock but not
behind the watermark (after an outage) therefore passes. A shard that has no
open window (at start, or after no story for longer than a window + the
lateness) cannot tell: it passes the story on, counts it
(``stories_lateness_unknown``), and if the watermark was in fact past its
deadline Beam drops it uncounted (the Python runners count no
dropped-due-to-lateness metric; Dataflow's does). Near-duplicates take their
representative's event time after this step (see ``cluster``): a copy of a
cluster whose window has closed is still a story, but its window drops it
uncounted.

Baselines: a window's alert level is graded against the country's earlier
windows (``core.apply_baselines``; quiet days count as zero). In batch these
are all earlier windows; on a stream, every earlier window the watermark has
passed, at its latest known intensity.
"""
import datetime
import json
import typing
import zlib

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms import trigger, window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import PaneInfoTiming

from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, make_dead_letter
from wirewatch.transforms.summarise.core import (apply_baselines, cluster_contributions,
                                                 pane_rank, summarise_country)

DAY_SECONDS = 86400
BASELINE_RING = 28


def country_name(iso3):
    """English short name of an ISO 3166-1 alpha-3 code (the code itself if unknown)."""
    from wirewatch.gazetteer import Gazetteer
    return Gazetteer.load().country_name(iso3) or iso3


def _utc(ts):
    return datetime.datetime.fromtimestamp(float(ts), tz=datetime.timezone.utc)


_PANE_NAMES = {PaneInfoTiming.EARLY: 'EARLY', PaneInfoTiming.ON_TIME: 'ON_TIME',
               PaneInfoTiming.LATE: 'LATE', PaneInfoTiming.UNKNOWN: 'ON_TIME'}


def story_brief(story):
    """The few story fields a summary needs (keeps the shuffle small)."""
    return {k: story.get(k) for k in ('story_id', 'duplicate_of', 'source_name', 'feed_url',
                                      'title', 'url', 'published_at')}


def event_windowing(window_seconds, streaming, early_seconds, lateness_seconds):
    """WindowInto for summaries: fixed event-time windows; on a stream, early/on-time/late panes."""
    if not streaming:
        return beam.WindowInto(window.FixedWindows(window_seconds))
    return beam.WindowInto(
        window.FixedWindows(window_seconds),
        trigger=trigger.AfterWatermark(
            early=trigger.AfterProcessingTime(early_seconds),
            late=trigger.AfterCount(1)),
        accumulation_mode=trigger.AccumulationMode.ACCUMULATING,
        allowed_lateness=lateness_seconds)


def window_bounds(event_seconds, window_seconds):
    """(start, end) in epoch seconds (UTC) of the fixed window holding ``event_seconds``
    (Beam's ``FixedWindows(window_seconds)``: aligned to the epoch, end exclusive)."""
    start = event_seconds // window_seconds * window_seconds
    return start, start + window_seconds


def lateness_deadline(event_seconds, window_seconds, lateness_seconds):
    """Event time (epoch seconds) at which the window of ``event_seconds`` closes for good:
    its end plus the allowed lateness. Once the watermark is there, Beam's GroupByKey
    drops whatever still arrives for that window."""
    return window_bounds(event_seconds, window_seconds)[1] + lateness_seconds


def too_late(published_at, watermark, window_seconds, lateness_seconds):
    """True when a story published at ``published_at`` is dropped by its window if it
    arrives when the watermark is at ``watermark`` (both UTC datetimes): the watermark
    has reached its window's end + allowed lateness. (At that very instant runners
    differ by a tick; this stage counts it as closed.)"""
    return watermark.timestamp() >= lateness_deadline(
        published_at.timestamp(), window_seconds, lateness_seconds)


KEPT, TOO_LATE, UNKNOWN = 'KEPT', 'TOO_LATE', 'UNKNOWN'
LATENESS_SHARDS = 8


def lateness_shard(story, shards=LATENESS_SHARDS):
    """The key a story's lateness is judged under: a stable hash of its id, ``shards`` keys
    (few, so each key sees many windows; more than one, so no global key)."""
    ident = story.get('story_id') or story.get('url') or ''
    return zlib.crc32(ident.encode('utf-8')) % shards


class LatenessLedger(typing.NamedTuple):
    """What one key knows about the watermark, in epoch seconds.

    ``closed_through``: the latest deadline whose timer fired (the watermark has reached
    it). ``open``: sorted deadlines of windows seen and not yet closed; the earliest one
    has a pending event-time timer, which holds this step's output watermark at or
    before it. State stays bounded: closed windows collapse into one number.
    """
    closed_through: float = float('-inf')
    open: typing.Tuple[float, ...] = ()


def admit(ledger, deadline):
    """(verdict, ledger) for an element whose window closes at ``deadline``.

    ``TOO_LATE``: the watermark has reached ``deadline`` (a timer at or after it fired):
    Beam would drop it. ``KEPT``: an open window closes no later than ``deadline``, so its
    pending timer keeps the watermark from passing ``deadline`` until this element is
    downstream. ``UNKNOWN``: nothing on this key bounds the watermark (no story on it yet,
    or none for longer than a window + the lateness); passed on, and Beam drops it if
    the watermark is in fact past ``deadline``.
    """
    if deadline <= ledger.closed_through:
        return TOO_LATE, ledger
    verdict = KEPT if ledger.open and ledger.open[0] <= deadline else UNKNOWN
    if deadline not in ledger.open:
        ledger = ledger._replace(open=tuple(sorted(ledger.open + (deadline,))))
    return verdict, ledger


def close_through(ledger, fired_at):
    """The ledger once the watermark has reached ``fired_at`` (a deadline timer fired)."""
    return LatenessLedger(max(ledger.closed_through, fired_at),
                          tuple(d for d in ledger.open if d > fired_at))


def too_late_detail(event_seconds, window_seconds, lateness_seconds):
    """A TOO_LATE dead letter's detail: the element's event time, its window, the allowed
    lateness, and how far (at least) it was behind the watermark."""
    start, end = window_bounds(event_seconds, window_seconds)
    deadline = end + lateness_seconds
    return (f'event time {_utc(event_seconds).isoformat()}, window '
            f'[{_utc(start).isoformat()}, {_utc(end).isoformat()}): the watermark had reached '
            f'its end + {lateness_seconds} s allowed lateness ({_utc(deadline).isoformat()}), '
            f'so the story was at least {deadline - event_seconds:.0f} s behind it')


class _RouteTooLateFn(beam.DoFn):
    """Per shard key: passes stories on, or dead-letters those whose window the watermark
    has closed (``admit``); a timer at the earliest open deadline closes windows."""
    LEDGER = ReadModifyWriteStateSpec('lateness_ledger', PickleCoder())
    CLOSE = TimerSpec('close', TimeDomain.WATERMARK)

    def __init__(self, window_seconds, lateness_seconds):
        self.window_seconds = window_seconds
        self.lateness_seconds = lateness_seconds
        self.late = Metrics.counter(self.__class__, 'stories_too_late')
        self.unknown = Metrics.counter(self.__class__, 'stories_lateness_unknown')

    def process(self, keyed, timestamp=beam.DoFn.TimestampParam,
                ledger=beam.DoFn.StateParam(LEDGER), close=beam.DoFn.TimerParam(CLOSE)):
        _, story = keyed
        event_seconds = float(timestamp)
        known = ledger.read() or LatenessLedger()
        verdict, updated = admit(known, lateness_deadline(
            event_seconds, self.window_seconds, self.lateness_seconds))
        if verdict == TOO_LATE:
            self.late.inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTER_TAG, make_dead_letter(
                'window', 'TOO_LATE',
                too_late_detail(event_seconds, self.window_seconds, self.lateness_seconds),
                payload=json.dumps({k: story.get(k) for k in ('story_id', 'url', 'title')}),
                source=story.get('feed_url')))
            return
        if verdict == UNKNOWN:
            self.unknown.inc()
        if updated != known:
            ledger.write(updated)
            close.set(Timestamp.of(updated.open[0]))
        yield story

    @on_timer(CLOSE)
    def close_windows(self, fired_at=beam.DoFn.TimestampParam,
                      ledger=beam.DoFn.StateParam(LEDGER), close=beam.DoFn.TimerParam(CLOSE)):
        updated = close_through(ledger.read() or LatenessLedger(), float(fired_at))
        ledger.write(updated)
        if updated.open:
            close.set(Timestamp.of(updated.open[0]))


class RouteTooLate(beam.PTransform):
    """Stream only: stories whose window the watermark has closed (end + allowed lateness)
    become dead letters instead of being dropped by windowing. Returns (stories, dead).

    ``window_seconds`` and ``lateness_seconds`` must be those of the summaries' windowing.
    """

    def __init__(self, window_seconds, lateness_seconds, shards=LATENESS_SHARDS):
        super().__init__()
        self.window_seconds = window_seconds
        self.lateness_seconds = lateness_seconds
        self.shards = shards

    def expand(self, stories):
        shards = self.shards
        result = (stories
                  | 'InGlobalWindow' >> beam.WindowInto(window.GlobalWindows())
                  | 'KeyByShard' >> beam.Map(lambda s: (lateness_shard(s, shards), s))
                  .with_output_types(typing.Tuple[int, typing.Dict[str, typing.Any]])
                  | 'JudgeLateness' >> beam.ParDo(_RouteTooLateFn(
                      self.window_seconds, self.lateness_seconds))
                  .with_outputs(DEAD_LETTER_TAG, main='ok'))
        return result.ok, result[DEAD_LETTER_TAG]


class _ContributeFn(beam.DoFn):
    def process(self, keyed):
        cluster_id, grouped = keyed
        yield from cluster_contributions(cluster_id, grouped['events'], grouped['stories'])


class _SummariseWindowFn(beam.DoFn):
    """One summary per country, window and pane.

    A bounded input fires each window once (its watermark jumps to the end of
    time), so every batch summary is final; Beam does not mark that pane last
    (the default trigger never finishes). On a stream a pane is final only if
    Beam says so; windows are otherwise closed by ``_GradeAndCloseWindowsFn``.
    """

    def __init__(self, streaming):
        self.streaming = streaming
        self.summaries = Metrics.counter(self.__class__, 'summaries')

    def process(self, keyed, win=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam):
        country, contributions = keyed
        self.summaries.inc()
        yield summarise_country(
            country, country_name(country), list(contributions),
            _utc(win.start), _utc(win.end),
            pane=_PANE_NAMES.get(pane.timing, 'ON_TIME'),
            is_final=bool(pane.is_last) or not self.streaming)


class _GradeAllWindowsFn(beam.DoFn):
    """Bounded path: a country's windows in order, each graded against those before it."""

    def __init__(self, window_seconds):
        self.window_seconds = window_seconds

    def process(self, keyed):
        _, summaries = keyed
        yield from apply_baselines(list(summaries), self.window_seconds, BASELINE_RING)


def grade_against_history(summary, history, window_seconds=DAY_SECONDS, ring=BASELINE_RING):
    """``summary`` graded against ``history`` ({window_start: intensity, or (intensity,
    toll reports)} of the same country), using only windows that started before it:
    tolls net of what those windows counted, alert level against their intensities."""
    earlier = sorted((start, value if isinstance(value, tuple) else (value, None))
                     for start, value in history.items() if start < summary['window_start'])
    past = [{'window_start': start, 'intensity': value, 'killed': None, 'pane': 'ON_TIME',
             'is_final': True, '_tolls': tolls} for start, (value, tolls) in earlier]
    return apply_baselines(past + [summary], window_seconds, ring)[-1]


def closing_summary(summary):
    """The final copy of a window's latest summary, emitted when the window expires."""
    return dict(summary, pane='LATE', is_final=True)


class _GradeAndCloseWindowsFn(beam.DoFn):
    """Unbounded path, per country: grade each pane against earlier windows and
    emit each window's closing (``is_final``) summary when it expires.

    State: the latest summary of each open window, and a bounded history of
    window intensities (windows the watermark has passed).
    """
    OPEN = ReadModifyWriteStateSpec('open_windows', PickleCoder())
    HISTORY = ReadModifyWriteStateSpec('history', PickleCoder())
    CLOSE = TimerSpec('close', TimeDomain.WATERMARK)

    def __init__(self, window_seconds, lateness_seconds):
        self.window_seconds = window_seconds
        self.lateness_seconds = lateness_seconds
        # earlier windows may still be open when a window is graded: keep them too
        self.history_size = BASELINE_RING + -(-lateness_seconds // window_seconds) + 2
        self.closed = Metrics.counter(self.__class__, 'windows_closed')

    def _expiry(self, summary):
        """Event time (s) after which the window takes no more data (1 ms past the lateness)."""
        return summary['window_end'].timestamp() + self.lateness_seconds + 0.001

    def _remember(self, history, summary, graded):
        """History keeps each window's graded intensity and its incident figures."""
        history = dict(history or {})
        history[summary['window_start']] = (graded['intensity'], summary.get('_tolls'))
        return dict(sorted(history.items())[-self.history_size:])

    def process(self, keyed, open_windows=beam.DoFn.StateParam(OPEN),
                history=beam.DoFn.StateParam(HISTORY), close=beam.DoFn.TimerParam(CLOSE)):
        _, summary = keyed
        start = summary['window_start']
        windows = open_windows.read() or {}
        past = history.read() or {}
        graded = grade_against_history(summary, past, self.window_seconds, BASELINE_RING)
        # panes accumulate: a pane overtaken in transit never replaces a later one
        if start not in windows or pane_rank(summary) >= pane_rank(windows[start]):
            if summary['pane'] != 'EARLY':  # the watermark has passed the window end
                past = self._remember(past, summary, graded)
                history.write(past)
            if summary['is_final']:
                windows.pop(start, None)
            else:
                windows[start] = summary
            open_windows.write(windows)
            if windows:
                close.set(min(self._expiry(s) for s in windows.values()))
        yield graded

    @on_timer(CLOSE)
    def close_expired_windows(self, fired_at=beam.DoFn.TimestampParam,
                              open_windows=beam.DoFn.StateParam(OPEN),
                              history=beam.DoFn.StateParam(HISTORY),
                              close=beam.DoFn.TimerParam(CLOSE)):
        windows = open_windows.read() or {}
        past = history.read() or {}
        for start in sorted(windows):
            if self._expiry(windows[start]) <= float(fired_at):
                final = closing_summary(windows.pop(start))
                graded = grade_against_history(final, past, self.window_seconds, BASELINE_RING)
                past = self._remember(past, final, graded)
                self.closed.inc()
                yield graded
        history.write(past)
        open_windows.write(windows)
        if windows:
            close.set(min(self._expiry(s) for s in windows.values()))


class SummariseByCountry(beam.PTransform):
    """(events, stories) -> CountrySummary per country, window and pane."""

    def __init__(self, window_seconds=DAY_SECONDS, streaming=False, early_seconds=60,
                 lateness_seconds=2 * DAY_SECONDS):
        super().__init__()
        self.window_seconds = window_seconds
        self.streaming = streaming
        self.early_seconds = early_seconds
        self.lateness_seconds = lateness_seconds

    def _windowing(self):
        return event_windowing(self.window_seconds, self.streaming, self.early_seconds,
                               self.lateness_seconds)

    def expand(self, inputs):
        events, stories = inputs
        # one WindowInto for both inputs: Beam compares triggers by identity
        # (AfterProcessingTime has no __eq__) when CoGroupByKey flattens them
        windowing = self._windowing()
        keyed_events = (events
                        | 'WindowEvents' >> windowing
                        | 'KeyEventsByCluster' >> beam.Map(lambda e: (e['cluster_id'], e)))
        keyed_stories = (stories
                         | 'WindowStories' >> windowing
                         | 'KeyStoriesByCluster' >> beam.Map(
                             lambda s: (s['cluster_id'], story_brief(s))))
        summaries = ({'events': keyed_events, 'stories': keyed_stories}
                     | 'GroupByCluster' >> beam.CoGroupByKey()
                     | 'ContributionsByCountry' >> beam.ParDo(_ContributeFn())
                     | 'GroupByCountry' >> beam.GroupByKey()
                     | 'SummariseWindow' >> beam.ParDo(_SummariseWindowFn(self.streaming)))
        by_country = (summaries
                      | 'ToGlobalWindow' >> beam.WindowInto(window.GlobalWindows())
                      | 'KeyByCountry' >> beam.Map(lambda s: (s['country'], s)).with_output_types(
                          typing.Tuple[str, typing.Dict[str, typing.Any]]))
        if self.streaming:
            return by_country | 'GradeAndCloseWindows' >> beam.ParDo(
                _GradeAndCloseWindowsFn(self.window_seconds, self.lateness_seconds))
        return (by_country
                | 'GroupCountryHistory' >> beam.GroupByKey()
                | 'GradeAgainstBaseline' >> beam.ParDo(_GradeAllWindowsFn(self.window_seconds)))
