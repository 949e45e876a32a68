"""Summarise on a stream (TestStream): early, on-time, late and closing panes,
data later than the allowed lateness, dedup across windows, baselines."""
import datetime as dt
import threading

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from conftest import TEST_RUNNER
from factories import make_story
from wirewatch import schemas
from wirewatch.transforms.summarise import SummariseByCountry, grade_against_history
from wirewatch.transforms.summarise.core import alert_level

UTC = dt.timezone.utc
DAY = 86400
EARLY_SECONDS = 60
LATENESS = DAY
D0 = dt.datetime(2022, 1, 9, tzinfo=UTC)
# Margin: TestStream emits its next event without waiting for the pipeline to
# quiesce. On the single-worker DirectRunner each watermark move has reached both
# GroupByKeys before the next elements (the tests pass with 0 steps); a few tiny
# watermark steps keep it so if scheduling changes.
SETTLE_STEPS = 3

EVENT_CODES = {'ASSAULT': (4, '18'), 'COERCE': (4, '17'), 'MOBILIZE': (4, '15'),
               'PROTEST': (3, '14'), 'ACCUSE': (3, '11'), 'AGREE': (1, '03')}


def make_event(eid, cluster_id, published, country='KAZ', event_type='ASSAULT',
               place=None, precision='COUNTRY', **fields):
    """A valid Event (schemas/Event.avsc) of ``cluster_id``'s representative."""
    quad, cameo = EVENT_CODES[event_type]
    event = {
        'event_id': eid, 'story_id': cluster_id, 'cluster_id': cluster_id,
        'event_type': event_type, 'mode': None, 'quad_class': quad, 'cameo_root': cameo,
        'actor1': {'name': 'police', 'sector': 'COP', 'country': country}, 'actor2': None,
        'country': country,
        'location': {'name': place or country, 'country': country, 'admin1': None,
                     'lat': None, 'lon': None, 'precision': precision},
        'event_date': published.date(), 'date_precision': 'DAY',
        'killed': None, 'injured': None, 'arrested': None, 'crowd_size': None,
        'sentence': f'sentence of {eid}', 'trigger': 'clashed', 'confidence': 0.9,
        'published_at': published, 'source_url': f'https://outlet.example/{cluster_id}',
        'source_name': 'Outlet', 'cameo_code': None,
    }
    event.update(fields)
    return schemas.check('Event', event)


def item(story_id, published, event_type='ASSAULT', country='KAZ', source='Reuters', **tolls):
    """A cluster representative and its one event."""
    return [make_story(story_id, f'headline {story_id}', source=source, published=published),
            make_event(f'{story_id}-1', story_id, published, country, event_type, **tolls)]


def copy_of(story, story_id, source, published=None):
    """A near-duplicate of ``story`` (same cluster), optionally published at another time."""
    return make_story(story_id, story['title'], source=source,
                      published=published or story['published_at'],
                      cluster_id=story['cluster_id'], duplicate_of=story['story_id'])


class Script:
    """A TestStream of Event and Story records, stamped with their publication time."""

    def __init__(self, start):
        self.watermark_ms = round(start.timestamp() * 1000)
        self.stream = TestStream().advance_watermark_to(self._watermark())

    def add(self, *records):
        self.stream.add_elements([
            TimestampedValue(('events' if 'event_id' in r else 'stories', r),
                             r['published_at'].timestamp()) for r in records])
        return self

    def _watermark(self):
        return Timestamp(micros=self.watermark_ms * 1000)  # TestStream wants whole millis

    def wait(self, seconds):
        """Advance processing time, then let the pipeline catch up."""
        self.stream.advance_processing_time(seconds)
        return self.watermark_to(None)

    def watermark_to(self, when):
        """Advance the watermark to ``when`` (or by a hair), then let the pipeline catch up."""
        target_ms = round(when.timestamp() * 1000) if when else self.watermark_ms
        for _ in range(SETTLE_STEPS):
            self.watermark_ms = max(target_ms, self.watermark_ms + 1)
            self.stream.advance_watermark_to(self._watermark())
        return self

    def build(self):
        return self.stream.advance_watermark_to_infinity()


_EMITTED = []
_LOCK = threading.Lock()


def _record(summary):
    with _LOCK:
        _EMITTED.append(summary)


def run_stream(script, **params):
    """Summaries of ``script`` on a streaming pipeline, in emission order."""
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    params = {'window_seconds': DAY, 'streaming': True, 'early_seconds': EARLY_SECONDS,
              'lateness_seconds': LATENESS, **params}
    del _EMITTED[:]
    with TestPipeline(runner=TEST_RUNNER, options=options) as p:
        tagged = p | script.build()
        events = (tagged | 'OnlyEvents' >> beam.Filter(lambda kv: kv[0] == 'events')
                  | 'Event' >> beam.Values())
        stories = (tagged | 'OnlyStories' >> beam.Filter(lambda kv: kv[0] == 'stories')
                   | 'Story' >> beam.Values())
        (events, stories) | SummariseByCountry(**params) | beam.Map(_record)
    emitted = list(_EMITTED)
    for summary in emitted:
        schemas.check('CountrySummary', summary)
    return emitted


def panes(summaries, country='KAZ', window_start=D0):
    """(pane, is_final, events, stories, articles, sources) of one window, in emission order."""
    return [(s['pane'], s['is_final'], s['events'], s['stories'], s['articles'], s['sources'])
            for s in summaries
            if s['country'] == country and s['window_start'] == window_start]


def without_repeats(rows):
    """Consecutive identical panes collapsed: the country grouping may fire an extra
    EARLY pane (the counts the ON_TIME pane then repeats) as the cluster join's
    ON_TIME pane reaches it ahead of the watermark."""
    return [r for i, r in enumerate(rows) if i == 0 or r != rows[i - 1]]


def test_panes_early_on_time_late_then_closing_accumulate():
    a_story, a_event = item('a', D0 + dt.timedelta(hours=8), killed=5)
    a_copy = copy_of(a_story, 'a2', 'AP')
    b_story, b_event = item('b', D0 + dt.timedelta(hours=9), 'PROTEST', source='BBC')
    c_story, c_event = item('c', D0 + dt.timedelta(hours=10), 'COERCE', source='DW')
    window_end = D0 + dt.timedelta(days=1)
    script = (Script(D0)
              .add(a_story, a_event)
              .wait(EARLY_SECONDS / 2)           # too soon: no pane without the copy
              .add(a_copy)
              .wait(EARLY_SECONDS / 2 + 1)       # early_seconds after 'a': EARLY
              .add(b_story, b_event)
              .wait(EARLY_SECONDS + 1)           # EARLY again, accumulated
              .watermark_to(window_end)          # ON_TIME
              .add(c_story, c_event)             # behind the watermark, within lateness: LATE
              .wait(1)
              .watermark_to(window_end + dt.timedelta(seconds=LATENESS + 1)))  # closes
    summaries = run_stream(script)
    rows = without_repeats(panes(summaries))
    assert rows == [
        ('EARLY', False, 1, 1, 2, 2),
        ('EARLY', False, 2, 2, 3, 3),
        ('ON_TIME', False, 2, 2, 3, 3),
        ('LATE', False, 3, 3, 4, 4),
        ('LATE', True, 3, 3, 4, 4),
    ]
    assert [r for r in panes(summaries) if r[0] == 'ON_TIME'] == [rows[2]]
    assert [r[1] for r in panes(summaries)][-1] is True
    assert sum(r[1] for r in panes(summaries)) == 1
    final = summaries[-1]
    assert (final['window_start'], final['window_end']) == (D0, window_end)
    assert final['killed'] == 5
    assert final['events_by_type'] == {'ASSAULT': 1, 'COERCE': 1, 'PROTEST': 1}


def test_data_later_than_allowed_lateness_is_dropped_by_the_window():
    a_story, a_event = item('a', D0 + dt.timedelta(hours=8))
    late_story, late_event = item('late', D0 + dt.timedelta(hours=9), 'PROTEST', source='BBC')
    next_story, next_event = item('next', D0 + dt.timedelta(days=3, hours=1), 'PROTEST')
    closed = D0 + dt.timedelta(days=1, seconds=LATENESS + 60)
    script = (Script(D0)
              .add(a_story, a_event)
              .watermark_to(closed)                       # D0's window has expired
              .add(late_story, late_event, next_story, next_event)
              .wait(1))
    summaries = run_stream(script)
    day0 = [row for row in panes(summaries) if row[0] != 'EARLY']
    # the expired window never sees 'late': no pane after the closing one, no count of it
    assert day0 == [('ON_TIME', False, 1, 1, 1, 1), ('LATE', True, 1, 1, 1, 1)]
    assert all('headline late' not in [h['title'] for h in s['headlines']] for s in summaries)
    # while a story added at the same moment for a window still open counts
    day3 = panes(summaries, window_start=D0 + dt.timedelta(days=3))
    assert day3 and day3[-1][:3] == ('LATE', True, 1)


def test_copy_published_in_the_next_window_counts_in_no_window():
    rep, event = item('a', D0 + dt.timedelta(hours=23), killed=3)
    same_day_copy = copy_of(rep, 'a2', 'AP')
    next_day_copy = copy_of(rep, 'a3', 'BBC', published=D0 + dt.timedelta(days=1, hours=1))
    script = (Script(D0)
              .add(rep, same_day_copy, event, next_day_copy)
              .watermark_to(D0 + dt.timedelta(days=5)))
    summaries = run_stream(script)
    # the cluster's events are in day 0: its copy from day 1 joins nothing there
    assert without_repeats(panes(summaries))[-1] == ('LATE', True, 1, 1, 2, 2)
    # and day 1 has no event of that cluster, so the copy shows up in no summary at all
    assert {s['window_start'] for s in summaries} == {D0}


def test_stream_grades_each_window_against_earlier_windows():
    days = [D0 + dt.timedelta(days=n) for n in range(4)]
    records = []
    for n, day in enumerate(days[:3]):  # three calm days: one protest each (4 x confidence 0.9)
        records += item(f'calm{n}', day + dt.timedelta(hours=12), 'PROTEST')
    for n in range(3):                  # then three protests in a day
        records += item(f'busy{n}', days[3] + dt.timedelta(hours=6 + n), 'PROTEST',
                        source=f'Outlet{n}')
    script = Script(D0)
    for record in records:             # in publication order, the watermark following
        script.watermark_to(record['published_at']).add(record)
    script.watermark_to(days[3] + dt.timedelta(days=1, seconds=LATENESS + 1))
    summaries = run_stream(script)
    finals = {s['window_start']: s for s in summaries if s['is_final']}
    assert sorted(finals) == days
    assert [finals[d]["intensity"] for d in days[:3]] == [3.6, 3.6, 3.6]
    # three protests (intensity ~14) against three days of 3.6: a WATCH (the absolute
    # floor caps it; against a busy baseline it would be none, see the batch test)
    assert [finals[d]['alert_level'] for d in days] == ['NONE', 'NONE', 'NONE', 'WATCH']
    assert alert_level(finals[days[3]]['intensity'], None, [14.0] * 3) == 'NONE'
    on_time = [s for s in summaries if s['window_start'] == days[3] and s['pane'] == 'ON_TIME']
    assert [s['alert_level'] for s in on_time] == ['WATCH']
    for day in days:  # is_final only on each window's last summary
        assert [r[1] for r in panes(summaries, window_start=day)][-1:] == [True]
        assert sum(r[1] for r in panes(summaries, window_start=day)) == 1


def test_grade_against_history_uses_earlier_windows_and_counts_quiet_days():
    def summary(day, intensity):
        return {'window_start': D0 + dt.timedelta(days=day), 'intensity': intensity,
                'killed': None, 'pane': 'ON_TIME', 'is_final': False, 'alert_level': 'NONE'}
    busy = {D0 + dt.timedelta(days=n): 40.0 for n in range(3)}
    assert grade_against_history(summary(3, 45.0), busy, DAY)['alert_level'] == 'NONE'
    assert grade_against_history(summary(1, 45.0), busy, DAY)['alert_level'] == 'WARNING'  # 1 earlier
    # later windows never raise the bar of an earlier one
    calm_later = {**busy, **{D0 + dt.timedelta(days=n): 1.0 for n in range(4, 8)}}
    assert grade_against_history(summary(3, 45.0), calm_later, DAY)['alert_level'] == 'NONE'
    # quiet days since the busy ones enter the baseline as zeros: median 0 after five of them
    assert grade_against_history(summary(8, 45.0), busy, DAY)['alert_level'] == 'WARNING'
    assert grade_against_history(summary(4, 45.0), busy, DAY)['alert_level'] == 'NONE'


def test_stream_counts_a_running_total_restated_the_next_day_once():
    """'164 killed since the protests began' on day 0, restated on day 1, 170 on day 2:
    the stream's closing summaries say 164, 0 and 6 (keyed state per country)."""
    days = [D0 + dt.timedelta(days=n, hours=10) for n in range(3)]
    script = Script(D0)
    for n, (day, killed) in enumerate(zip(days, (164, 164, 170))):
        script.watermark_to(day).add(*item(f'toll{n}', day, 'ASSAULT', killed=killed,
                                           toll_scope='CUMULATIVE'))
    script.watermark_to(days[2] + dt.timedelta(days=1, seconds=LATENESS + 1))
    finals = sorted((s for s in run_stream(script) if s['is_final']),
                    key=lambda s: s['window_start'])
    assert [s['killed'] for s in finals] == [164, 0, 6]
