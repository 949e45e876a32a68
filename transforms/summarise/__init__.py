"""Summarise stage: events and stories into per-country, per-window CountrySummary records.

Windows are event time (publication time, UTC), fixed length (daily by default).
On a stream they fire early on processing time, on time at the watermark, and
late for each late arrival within the allowed lateness; each summary records
its pane. Summaries of a country are then graded against that country's own
baseline of past windows.
"""
import datetime
import json

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms import trigger, window
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.utils.windowed_value import PaneInfoTiming

from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, make_dead_letter
from wirewatch.transforms.summarise.core import (alert_level, apply_baselines,
                                                 cluster_contributions, summarise_country)

DAY_SECONDS = 86400
BASELINE_RING = 28


def country_name(iso3):
    """English short name of an ISO 3166-1 alpha-3 code (the code itself if unknown)."""
    from wirewatch.transforms.extract.gazetteer import Gazetteer
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
    def __init__(self):
        self.summaries = Metrics.counter(self.__class__, 'summaries')

    def process(self, keyed, win=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam):
        country, contributions = keyed
        self.summaries.inc()
        yield summarise_country(
            country, country_name(country), list(contributions),
            _utc(win.start), _utc(win.end),
            pane=_PANE_NAMES.get(pane.timing, 'ON_TIME'), is_final=bool(pane.is_last))


class _GradeAllWindowsFn(beam.DoFn):
    """Bounded path: a country's windows in order, each graded against those before it."""

    def __init__(self, window_seconds):
        self.window_seconds = window_seconds

    def process(self, keyed):
        _, summaries = keyed
        yield from apply_baselines(list(summaries), self.window_seconds, BASELINE_RING)


class _GradeAgainstBaselineFn(beam.DoFn):
    """Unbounded path: per country, a bounded ring of past final intensities in state."""
    HISTORY = ReadModifyWriteStateSpec('history', PickleCoder())

    def process(self, keyed, history=beam.DoFn.StateParam(HISTORY)):
        _, summary = keyed
        past = history.read() or []
        graded = dict(summary)
        graded['alert_level'] = alert_level(summary['intensity'], summary['killed'],
                                            [p for _, p in past])
        if summary['is_final']:
            past = sorted(past + [(summary['window_start'], summary['intensity'])])
            history.write(past[-BASELINE_RING:])
        yield graded


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
        keyed_events = (events
                        | 'WindowEvents' >> self._windowing()
                        | 'KeyEventsByCluster' >> beam.Map(lambda e: (e['cluster_id'], e)))
        keyed_stories = (stories
                         | 'WindowStories' >> self._windowing()
                         | 'KeyStoriesByCluster' >> beam.Map(
                             lambda s: (s['cluster_id'], story_brief(s))))
        summaries = ({'events': keyed_events, 'stories': keyed_stories}
                     | 'GroupByCluster' >> beam.CoGroupByKey()
                     | 'ContributionsByCountry' >> beam.ParDo(_ContributeFn())
                     | 'GroupByCountry' >> beam.GroupByKey()
                     | 'SummariseWindow' >> beam.ParDo(_SummariseWindowFn()))
        by_country = (summaries
                      | 'ToGlobalWindow' >> beam.WindowInto(window.GlobalWindows())
                      | 'KeyByCountry' >> beam.Map(lambda s: (s['country'], s)))
        if self.streaming:
            return by_country | 'GradeAgainstBaseline' >> beam.ParDo(_GradeAgainstBaselineFn())
        return (by_country
                | 'GroupCountryHistory' >> beam.GroupByKey()
                | 'GradeAgainstBaseline' >> beam.ParDo(_GradeAllWindowsFn(self.window_seconds)))
