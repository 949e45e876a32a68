"""SummariseByCountry in batch (TestPipeline): per country and day, copies counted as
articles and outlets, tolls reconciled across clusters, every summary final and valid."""
import datetime as dt

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from conftest import TEST_RUNNER
from factories import make_story
from test_summarise_windows import copy_of, make_event
from wirewatch import schemas
from wirewatch.transforms.summarise import DAY_SECONDS, SummariseByCountry

UTC = dt.timezone.utc
D0 = dt.datetime(2022, 1, 5, tzinfo=UTC)
D1 = D0 + dt.timedelta(days=1)


def stamped(records):
    return [TimestampedValue(r, r['published_at'].timestamp()) for r in records]


def two_countries_two_days():
    """(events, stories): KAZ and RUS on D0 and D1."""
    t0, t1 = D0 + dt.timedelta(hours=9), D1 + dt.timedelta(hours=15)
    almaty = make_story('almaty', 'Clashes in Almaty', source='Reuters', published=t0)
    stories = [
        almaty,
        copy_of(almaty, 'almaty-ap', 'AP'),                # a copy from another outlet
        copy_of(almaty, 'almaty-reuters-2', 'Reuters'),    # a second copy, same outlet
        make_story('toll', '164 killed in Kazakhstan', source='BBC', published=t0),
        make_story('rally', 'Rally in Aktobe', source='DW', published=t1),
        make_story('moscow', 'Troops move', source='TASS', published=t0),
        make_story('arrests', 'Arrests in Moscow', source='TASS', published=t1),
    ]
    events = [
        make_event('almaty-1', 'almaty', t0, 'KAZ', 'ASSAULT', killed=164),
        make_event('almaty-2', 'almaty', t0, 'RUS', 'MOBILIZE'),  # one cluster, two countries
        make_event('toll-1', 'toll', t0, 'KAZ', 'ASSAULT', killed=164, injured=30),
        make_event('rally-1', 'rally', t1, 'KAZ', 'PROTEST', place='Aktobe', precision='CITY'),
        make_event('moscow-1', 'moscow', t0, 'RUS', 'MOBILIZE'),
        make_event('arrests-1', 'arrests', t1, 'RUS', 'COERCE', arrested=12),
    ]
    return events, stories


def counts(summary):
    schemas.check('CountrySummary', summary)
    return (summary['country'], summary['country_name'], summary['window_start'],
            summary['window_end'] - summary['window_start'], summary['pane'], summary['is_final'],
            summary['events'], summary['stories'], summary['articles'], summary['sources'],
            summary['killed'], summary['injured'], summary['arrested'], summary['events_by_type'])


def test_batch_summaries_per_country_and_day():
    events, stories = two_countries_two_days()
    day = dt.timedelta(seconds=DAY_SECONDS)
    with TestPipeline(runner=TEST_RUNNER) as p:
        summaries = ((p | 'Events' >> beam.Create(stamped(events)),
                      p | 'Stories' >> beam.Create(stamped(stories)))
                     | SummariseByCountry())
        assert_that(summaries | beam.Map(counts), equal_to([
            # 'almaty' (3 articles: Reuters twice, AP) and 'toll' (BBC) report the same
            # 164 killed: it counts once
            ('KAZ', 'Kazakhstan', D0, day, 'ON_TIME', True, 2, 2, 4, 3, 164, 30, None,
             {'ASSAULT': 2}),
            ('KAZ', 'Kazakhstan', D1, day, 'ON_TIME', True, 1, 1, 1, 1, None, None, None,
             {'PROTEST': 1}),
            # the Almaty cluster also reports a mobilisation in Russia: its 3 articles count there
            ('RUS', 'Russia', D0, day, 'ON_TIME', True, 2, 2, 4, 3, None, None, None,
             {'MOBILIZE': 2}),
            ('RUS', 'Russia', D1, day, 'ON_TIME', True, 1, 1, 1, 1, None, None, 12,
             {'COERCE': 1}),
        ]))


def test_batch_alert_levels_and_headlines():
    events, stories = two_countries_two_days()
    with TestPipeline(runner=TEST_RUNNER) as p:
        summaries = ((p | 'Events' >> beam.Create(stamped(events)),
                      p | 'Stories' >> beam.Create(stamped(stories)))
                     | SummariseByCountry())
        assert_that(summaries | beam.Map(lambda s: (
            s['country'], s['window_start'], s['alert_level'], s['headlines'][0])), equal_to([
                ('KAZ', D0, 'CRISIS', {'title': 'Clashes in Almaty',
                                       'url': 'https://reuters.example/almaty', 'sources': 2}),
                ('KAZ', D1, 'NONE', {'title': 'Rally in Aktobe',
                                     'url': 'https://dw.example/rally', 'sources': 1}),
                ('RUS', D0, 'WATCH', {'title': 'Clashes in Almaty',
                                      'url': 'https://reuters.example/almaty', 'sources': 2}),
                ('RUS', D1, 'WATCH', {'title': 'Arrests in Moscow',
                                      'url': 'https://tass.example/arrests', 'sources': 1}),
            ]))


def test_batch_grades_each_day_against_the_days_before():
    """KAZ: three calm days, then three protests in a day. RUS: three protests every day.
    The same busy day is an alert in KAZ and a usual day in RUS (its own baseline)."""
    days = [D0 + dt.timedelta(days=n) for n in range(4)]
    stories, events = [], []

    def protest(sid, when, country, source='Outlet'):
        stories.append(make_story(sid, f'headline {sid}', source=source, published=when))
        events.append(make_event(f'{sid}-1', sid, when, country=country, event_type='PROTEST'))

    for n, day in enumerate(days[:3]):  # calm days: one protest each (intensity 3.6)
        protest(f'calm{n}', day + dt.timedelta(hours=12), 'KAZ')
    for n, day in enumerate(days):
        for k in range(3):              # busy days: three protests from three outlets (~14)
            if n == 3:
                protest(f'kbusy{k}', day + dt.timedelta(hours=6 + k), 'KAZ', f'Outlet{k}')
            protest(f'rbusy{n}{k}', day + dt.timedelta(hours=6 + k), 'RUS', f'Outlet{k}')
    with TestPipeline(runner=TEST_RUNNER) as p:
        summaries = ((p | 'Events' >> beam.Create(stamped(events)),
                      p | 'Stories' >> beam.Create(stamped(stories)))
                     | SummariseByCountry())
        # day 3 reaches the absolute floor of a WATCH; RUS has had such days before
        assert_that(summaries | beam.Map(lambda s: (s['country'], s['window_start'], s['alert_level'])),
                    equal_to([('KAZ', days[0], 'NONE'), ('KAZ', days[1], 'NONE'),
                              ('KAZ', days[2], 'NONE'), ('KAZ', days[3], 'WATCH'),
                              ('RUS', days[0], 'WATCH'), ('RUS', days[1], 'WATCH'),
                              ('RUS', days[2], 'WATCH'), ('RUS', days[3], 'NONE')]))
