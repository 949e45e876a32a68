"""Lateness on a stream: Beam's watermark and allowed lateness decide what is too late.

Pure rules first (window of a timestamp, deadline, what a shard knows), then
TestStream runs of ``RouteTooLate`` followed, where it matters, by a GroupByKey
with the summaries' own windowing (``event_windowing``)."""
import datetime as dt
import json
import threading

import apache_beam as beam
from apache_beam.metrics.execution import MetricsContainer, MetricsEnvironment
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.runners.worker import statesampler
from apache_beam.transforms import window
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.counters import CounterFactory
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import PaneInfoTiming

from conftest import TEST_RUNNER
from factories import make_story
from fake_state import FakeTimer, FakeValue
from wirewatch import schemas
from wirewatch.transforms.summarise import (KEPT, LATENESS_SHARDS, TOO_LATE, UNKNOWN,
                                            LatenessLedger, RouteTooLate, _RouteTooLateFn,
                                            admit, close_through,
                                            event_windowing, lateness_deadline, lateness_shard,
                                            too_late, too_late_detail, window_bounds)

UTC = dt.timezone.utc
DAY = 86400
LATENESS = DAY
D0 = dt.datetime(2022, 1, 9, tzinfo=UTC)
D0_CLOSES = D0 + dt.timedelta(days=1, seconds=LATENESS)  # end of D0's window + lateness
# TestStream emits its next event without waiting for the pipeline to quiesce: a
# few tiny watermark steps after each move let timers fire before the next elements.
SETTLE_STEPS = 3


# --- the rules, without Beam -------------------------------------------------------------

def test_window_bounds_are_beams_fixed_windows():
    fixed = window.FixedWindows(DAY)
    for when in (D0, D0 + dt.timedelta(hours=23, minutes=59, seconds=59, microseconds=999999),
                 D0 + dt.timedelta(days=1), dt.datetime(1969, 12, 31, 12, tzinfo=UTC)):
        [beam_window] = fixed.assign(window.WindowFn.AssignContext(Timestamp.of(when.timestamp())))
        assert window_bounds(when.timestamp(), DAY) == (beam_window.start, beam_window.end)


def test_deadline_is_window_end_plus_lateness_for_the_whole_window():
    for hours in (0, 8, 23):
        assert lateness_deadline((D0 + dt.timedelta(hours=hours)).timestamp(), DAY,
                                 LATENESS) == D0_CLOSES.timestamp()
    assert lateness_deadline((D0 + dt.timedelta(days=1)).timestamp(), DAY,
                             LATENESS) == D0_CLOSES.timestamp() + DAY


def test_too_late_once_the_watermark_reaches_the_deadline():
    published = D0 + dt.timedelta(hours=8)
    assert not too_late(published, D0 + dt.timedelta(hours=9), DAY, LATENESS)
    assert not too_late(published, D0_CLOSES - dt.timedelta(microseconds=1), DAY, LATENESS)
    assert too_late(published, D0_CLOSES, DAY, LATENESS)
    # the whole window shares one deadline, however early in it the story was published
    assert too_late(D0, D0_CLOSES, DAY, LATENESS)
    assert not too_late(D0 + dt.timedelta(days=1), D0_CLOSES, DAY, LATENESS)


def test_ledger_keeps_what_an_open_window_vouches_for_and_refuses_what_is_closed():
    d0, d1, d2 = (D0_CLOSES.timestamp() + n * DAY for n in range(3))
    verdict, ledger = admit(LatenessLedger(), d1)
    assert (verdict, ledger) == (UNKNOWN, LatenessLedger(open=(d1,)))  # nothing known yet
    assert admit(ledger, d1) == (KEPT, ledger)
    assert admit(ledger, d2) == (KEPT, LatenessLedger(open=(d1, d2)))
    # an earlier window than any open one: no pending timer holds the watermark for it
    assert admit(ledger, d0) == (UNKNOWN, LatenessLedger(open=(d0, d1)))
    ledger = close_through(LatenessLedger(open=(d1, d2)), d1)
    assert ledger == LatenessLedger(closed_through=d1, open=(d2,))
    # closed windows, and any older one never seen, are too late; state stays small
    assert admit(ledger, d1) == (TOO_LATE, ledger)
    assert admit(ledger, d0 - 400 * DAY) == (TOO_LATE, ledger)
    assert admit(ledger, d2)[0] == KEPT
    assert close_through(ledger, d2 + 5 * DAY) == LatenessLedger(closed_through=d2 + 5 * DAY)


def test_shards_are_stable_and_all_used():
    ids = [f'story-{n}' for n in range(200)]
    shards = [lateness_shard({'story_id': i}) for i in ids]
    assert shards == [lateness_shard({'story_id': i}) for i in ids]
    assert set(shards) == set(range(LATENESS_SHARDS))


def test_too_late_detail_names_window_event_time_and_lateness():
    detail = too_late_detail((D0 + dt.timedelta(hours=9)).timestamp(), DAY, LATENESS)
    assert detail == ('event time 2022-01-09T09:00:00+00:00, window '
                      '[2022-01-09T00:00:00+00:00, 2022-01-10T00:00:00+00:00): the watermark had '
                      'reached its end + 86400 s allowed lateness (2022-01-11T00:00:00+00:00), '
                      'so the story was at least 140400 s behind it')


# --- the DoFn, driven by hand (state, timer and counters without a runner) ----------------

class _Counting:
    """Runs code under a metrics container, as a runner's bundle does."""

    def __enter__(self):
        self.sampler = statesampler.StateSampler('', CounterFactory())
        statesampler.set_current_tracker(self.sampler)
        self.scope = self.sampler.scoped_state('JudgeLateness', 'process',
                                               metrics_container=MetricsContainer('JudgeLateness'))
        self.sampler.start()
        self.scope.__enter__()
        return self

    def count(self, name):
        counters = MetricsEnvironment.current_container().get_cumulative().counters
        return sum(value for key, value in counters.items() if key.metric.name == name)

    def __exit__(self, *exc):
        self.scope.__exit__(*exc)
        self.sampler.stop()
        statesampler.set_current_tracker(None)


def test_dofn_counts_dead_letters_and_closes_windows_on_its_timer():
    fn = _RouteTooLateFn(DAY, LATENESS)
    ledger, close = FakeValue(), FakeTimer()

    def process(sid, published):
        return list(fn.process((0, story(sid, published)), Timestamp.of(published.timestamp()),
                               ledger, close))

    with _Counting() as metrics:
        [kept] = process('a', D0 + dt.timedelta(hours=8))
        assert kept['story_id'] == 'a' and close.at == Timestamp.of(D0_CLOSES.timestamp())
        assert [s['story_id'] for s in process('b', D0 + dt.timedelta(days=1, hours=2))] == ['b']
        assert close.at == Timestamp.of(D0_CLOSES.timestamp())  # still the earliest deadline
        fn.close_windows(close.at, ledger, close)                # the watermark reached it
        assert close.at == Timestamp.of(D0_CLOSES.timestamp() + DAY)
        [dead] = process('late', D0 + dt.timedelta(hours=9))
        assert dead.tag == 'deadletter' and dead.value['error'] == 'TOO_LATE'
        assert (metrics.count('stories_too_late'), metrics.count('stories_lateness_unknown')) == (1, 1)


# --- on a stream -------------------------------------------------------------------------

class Script:
    """A TestStream of stories stamped with their publication time."""

    def __init__(self, watermark):
        self.watermark_ms = round(watermark.timestamp() * 1000)
        self.stream = TestStream().advance_watermark_to(self._watermark())

    def _watermark(self):
        return Timestamp(micros=self.watermark_ms * 1000)  # TestStream wants whole millis

    def add(self, *stories):
        self.stream.add_elements([TimestampedValue(s, s['published_at'].timestamp())
                                  for s in stories])
        return self

    def watermark_to(self, when):
        target_ms = round(when.timestamp() * 1000)
        for _ in range(SETTLE_STEPS):
            self.watermark_ms = max(target_ms, self.watermark_ms + 1)
            self.stream.advance_watermark_to(self._watermark())
        return self


_SEEN = {'kept': [], 'dead': [], 'panes': []}
_LOCK = threading.Lock()


def _record(name, value):
    with _LOCK:
        _SEEN[name].append(value)


class _PaneRows(beam.DoFn):
    def process(self, keyed, win=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam):
        yield (dt.datetime.fromtimestamp(float(win.start), UTC),
               PaneInfoTiming.to_string(pane.timing), tuple(sorted(keyed[1])))


def run(script, window_seconds=DAY, lateness_seconds=LATENESS, **route):
    """Kept story ids, dead letters and the downstream GroupByKey's panes
    ((window start, timing, story ids)). (The streaming DirectRunner loses user
    counters of some bundles, so counters are tested on the DoFn itself, below.)"""
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    for rows in _SEEN.values():
        del rows[:]
    p = TestPipeline(runner=TEST_RUNNER, options=options)
    kept, dead = (p | script.stream.advance_watermark_to_infinity()
                  | RouteTooLate(window_seconds, lateness_seconds, **route))
    kept | 'RecordKept' >> beam.Map(lambda s: _record('kept', s['story_id']))
    dead | 'RecordDead' >> beam.Map(lambda d: _record('dead', d))
    (kept
     | 'SummaryWindows' >> event_windowing(window_seconds, True, 60, lateness_seconds)
     | 'OneKey' >> beam.Map(lambda s: ('all', s['story_id']))
     | 'GroupLikeSummaries' >> beam.GroupByKey()
     | 'Panes' >> beam.ParDo(_PaneRows())
     | 'RecordPanes' >> beam.Map(lambda row: _record('panes', row)))
    p.run().wait_until_finish()
    with _LOCK:
        seen = {name: list(rows) for name, rows in _SEEN.items()}
    for letter in seen['dead']:
        schemas.check('DeadLetter', letter)
    return seen['kept'], seen['dead'], seen['panes']


def story(sid, published):
    return make_story(sid, f'headline {sid}', published=published)


def dead_ids(letters):
    return sorted(json.loads(d['payload'])['story_id'] for d in letters)


def test_on_time_stories_pass_and_reach_the_window():
    script = (Script(D0)
              .add(story('a', D0 + dt.timedelta(hours=8)), story('b', D0 + dt.timedelta(hours=9)))
              .watermark_to(D0 + dt.timedelta(hours=12))
              .add(story('c', D0 + dt.timedelta(hours=13)))
              .watermark_to(D0 + dt.timedelta(days=1, hours=1)))
    kept, dead, panes = run(script)
    assert sorted(kept) == ['a', 'b', 'c']
    assert dead == []
    assert panes == [(D0, 'ON_TIME', ('a', 'b', 'c'))]


def test_story_after_the_watermark_closed_its_window_is_a_counted_dead_letter():
    script = (Script(D0)
              .add(story('a', D0 + dt.timedelta(hours=8)))
              .watermark_to(D0_CLOSES + dt.timedelta(minutes=1))
              .add(story('late', D0 + dt.timedelta(hours=9)),          # its window has closed
                   story('ancient', D0 - dt.timedelta(days=400)),      # a window never seen
                   story('next', D0 + dt.timedelta(days=3, hours=1)))  # still open
              .watermark_to(D0 + dt.timedelta(days=3, hours=2)))
    kept, dead, panes = run(script, shards=1)
    assert sorted(kept) == ['a', 'next']
    assert dead_ids(dead) == ['ancient', 'late']
    assert {(d['stage'], d['error'], d['source']) for d in dead} == {
        ('window', 'TOO_LATE', 'https://outlet.example/feed')}
    [late] = [d for d in dead if b'"late"' in d['payload']]
    assert late['detail'] == too_late_detail((D0 + dt.timedelta(hours=9)).timestamp(), DAY, LATENESS)
    # the window saw only 'a': nothing was dropped there silently
    assert sorted({ids for start, _, ids in panes if start == D0}) == [('a',)]


def test_every_shard_judges_by_the_watermark():
    """With the default shards, on-time traffic on every shard: late stories are dead
    letters whichever shard they hash to."""
    on_time = [story(f'on-time-{n}', D0 + dt.timedelta(hours=8)) for n in range(40)]
    assert {lateness_shard(s) for s in on_time} == set(range(LATENESS_SHARDS))
    late = [story(f'late-{n}', D0 + dt.timedelta(hours=9)) for n in range(10)]
    script = (Script(D0).add(*on_time)
              .watermark_to(D0_CLOSES + dt.timedelta(minutes=1))
              .add(*late))
    kept, dead, _ = run(script)
    assert sorted(kept) == sorted(s['story_id'] for s in on_time)
    assert dead_ids(dead) == sorted(s['story_id'] for s in late)


def test_late_within_allowed_lateness_passes_and_makes_a_late_pane():
    window_end = D0 + dt.timedelta(days=1)
    script = (Script(D0)
              .add(story('a', D0 + dt.timedelta(hours=8)))
              .watermark_to(window_end + dt.timedelta(hours=1))         # ON_TIME for D0
              .add(story('b', D0 + dt.timedelta(hours=9)))              # late, within lateness
              .watermark_to(D0_CLOSES - dt.timedelta(seconds=1))        # still not closed
              .add(story('c', D0 + dt.timedelta(hours=10)))             # late, just in time
              .watermark_to(D0_CLOSES + dt.timedelta(minutes=1))        # closed
              .add(story('d', D0 + dt.timedelta(hours=11))))            # too late
    kept, dead, panes = run(script, shards=1)
    assert sorted(kept) == ['a', 'b', 'c']
    assert dead_ids(dead) == ['d']
    # what RouteTooLate passed, the summaries' windowing kept: a LATE pane for each
    assert panes == [
        (D0, 'ON_TIME', ('a',)), (D0, 'LATE', ('a', 'b')), (D0, 'LATE', ('a', 'b', 'c'))]


def test_backlog_behind_the_wall_clock_but_not_the_watermark_passes():
    """After an outage the watermark is held back by the backlog: stories hours behind
    the wall clock are on time for Beam, and are summarised, not dead-lettered."""
    hour = 3600
    now = dt.datetime.now(UTC).replace(microsecond=0)
    backlog = [story(f'backlog-{h}', now - dt.timedelta(hours=h, minutes=30)) for h in (6, 5, 4)]
    # the old wall-clock rule would have dead-lettered every one of them
    assert all(too_late(s['published_at'], now, hour, hour) for s in backlog)
    script = Script(now - dt.timedelta(hours=8))
    for s in backlog:
        script.add(s).watermark_to(s['published_at'] + dt.timedelta(minutes=31))
    kept, dead, panes = run(script, window_seconds=hour, lateness_seconds=hour)
    assert sorted(kept) == sorted(s['story_id'] for s in backlog)
    assert dead == []
    assert [(timing, ids) for _, timing, ids in panes] == [
        ('ON_TIME', (s['story_id'],)) for s in backlog]


def test_a_shard_with_no_open_window_cannot_tell_and_beam_drops_the_story():
    """The documented gap: a key with no window open has nothing that bounds the
    watermark, so a story too late for its window passes, counted as unknown, and the
    window downstream drops it."""
    script = (Script(D0_CLOSES + dt.timedelta(days=5))
              .add(story('stale', D0 + dt.timedelta(hours=9)))
              .watermark_to(D0_CLOSES + dt.timedelta(days=5, minutes=1))
              .add(story('stale-again', D0 + dt.timedelta(hours=10))))
    kept, dead, panes = run(script, shards=1)
    assert kept == ['stale']
    assert dead_ids(dead) == ['stale-again']  # by then the shard's timer had fired
    assert panes == []
