"""ExtractEvents on a TestPipeline: events out, bad stories dead-lettered, DoFn usable directly."""
import datetime as dt
import json
import os

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from wirewatch import schemas
from wirewatch.transforms.extract import ExtractEvents, ExtractEventsFn

FIXTURE = os.path.join(os.path.dirname(__file__), 'fixtures', 'extract', 'stories.json')


def fixture_story():
    with open(FIXTURE, encoding='utf-8') as f:
        story = json.load(f)['stories']['guayaquil']
    return dict(story, cluster_id=story['story_id'], url='https://example.test/guayaquil', source_name='Example',
                language='en', published_at=dt.datetime.fromisoformat(story['published_at']))


def small_story(story_id, text):
    return {'story_id': story_id, 'cluster_id': story_id, 'title': 't', 'text': text,
            'published_at': dt.datetime(2023, 10, 14, 9, 0, tzinfo=dt.timezone.utc),
            'ingested_at': dt.datetime(2023, 10, 14, 9, 1, tzinfo=dt.timezone.utc),
            'dateline_place': 'NAIROBI', 'dateline_date': 'October 14', 'url': f'https://example.test/{story_id}',
            'source_name': 'Example', 'language': 'en', 'authors': []}


def test_extract_events_pipeline_with_dead_letter():
    broken = small_story('broken', 'Police arrested 12 students.')
    del broken['published_at']  # cannot be dated: must be dead-lettered, not crash the run
    stories = [fixture_story(), small_story('nairobi', 'Police arrested 12 students in Nairobi.'), broken]
    p = TestPipeline(runner='BundleBasedDirectRunner')
    events, dead = p | beam.Create(stories) | ExtractEvents(batch_size=8)
    summary = (events
               | 'Check' >> beam.Map(lambda e: schemas.check('Event', e))
               | 'Key' >> beam.Map(lambda e: (e['story_id'], e['event_type'], e['killed'], e['arrested'])))
    selected = summary | beam.Filter(lambda k: k[2] is not None or k[3] is not None)
    assert_that(selected, equal_to([('fx-guayaquil', 'ASSAULT', 9, None),
                                    ('fx-guayaquil', 'COERCE', None, 86),
                                    ('nairobi', 'COERCE', None, 12)]), label='CountedEvents')
    assert_that(dead | beam.Map(lambda d: (d['stage'], d['error'], d['source'])),
                equal_to([('extract', 'KeyError', 'https://example.test/broken')]), label='DeadLetters')
    result = p.run()
    result.wait_until_finish()
    counters = {c.key.metric.name: c.committed for c in result.metrics().query(MetricsFilter())['counters']}
    assert counters['stories_extracted'] == 2
    assert counters['extract_failures'] == 1
    assert counters['events_extracted'] == 5  # four from the fixture story, one from Nairobi


def test_dofn_directly_sets_event_timestamps():
    fn = ExtractEventsFn()
    fn.setup()
    outputs = list(fn.process([small_story('kenya', 'Police arrested 12 students in Nairobi.')]))
    assert len(outputs) == 1
    assert outputs[0].value['location']['name'] == 'Nairobi'
    assert outputs[0].timestamp.micros == int(dt.datetime(2023, 10, 14, 9, 0, tzinfo=dt.timezone.utc).timestamp() * 1e6)
