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

Data later than the allowed lateness: on a stream ``RouteTooLate`` turns such
stories into DeadLetters (stage ``window``, error ``TOO_LATE``) before
clustering, judging lateness against the wall clock (the DirectRunner's
Pub/Sub watermark). Anything that still reaches the window after the watermark
passed end + allowed lateness is dropped by Beam's GroupByKey; the Python
DirectRunner counts no metric for it (runners with a dropped-due-to-lateness
counter, such as Dataflow, count it there).

Baselines: a window's alert level is graded against the country's earlier
windows (``core.apply_baselines``; quiet days count as zero). In batch these
are all earlier windows; on a stream, every earlier window the watermark has
passed, at its latest known intensity.
"""
import datetime
import json
import typing

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms import trigger, window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
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


def too_late(published_at, now, window_seconds, lateness_seconds):
    """True when a story's window closed more than the allowed lateness ago.

    The streaming DirectRunner holds Pub/Sub's watermark at the wall clock, so
    "now" is the watermark there; on Dataflow the watermark trails the clock and
    this test is, if anything, lenient. Such stories would be dropped silently
    by windowing, so they become dead letters instead.
    """
    start = published_at.timestamp() // window_seconds * window_seconds
    return start + window_seconds + lateness_seconds < now.timestamp()


class _RouteTooLateFn(beam.DoFn):
    def __init__(self, window_seconds, lateness_seconds):
        self.window_seconds = window_seconds
        self.lateness_seconds = lateness_seconds
        self.late = Metrics.counter(self.__class__, 'stories_too_late')

    def process(self, story):
        now = datetime.datetime.now(datetime.timezone.utc)
        if too_late(story['published_at'], now, self.window_seconds, self.lateness_seconds):
            self.late.inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTER_TAG, make_dead_letter(
                'window', 'TOO_LATE',
                f"published {story['published_at'].isoformat()}: its window closed more than "
                f"{self.lateness_seconds} s (the allowed lateness) ago",
                payload=json.dumps({k: story.get(k) for k in ('story_id', 'url', 'title')}),
                source=story.get('feed_url')))
            return
        yield story


class RouteTooLate(beam.PTransform):
    """Stream only: stories too late for any window become dead letters. Returns (stories, dead)."""

    def __init__(self, window_seconds, lateness_seconds):
        super().__init__()
        self.window_seconds = window_seconds
        self.lateness_seconds = lateness_seconds

    def expand(self, stories):
        result = stories | beam.ParDo(_RouteTooLateFn(
            self.window_seconds, self.lateness_seconds)).with_outputs(DEAD_LETTER_TAG, main='ok')
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
