"""Normalise on a TestPipeline: stories out, refused and crashing items as dead letters."""
import datetime
import json

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from wirewatch.transforms.normalise import Normalise, NormaliseItemFn

UTC = datetime.timezone.utc
NOW = datetime.datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def item(item_id, **overrides):
    base = {'item_id': item_id, 'guid': None, 'url': f'https://news.example.com/{item_id}?fbclid=1',
            'title': f'Headline {item_id}', 'summary': '<p>MANILA, April 13 (Reuters) - Body text.</p>',
            'content': None, 'published_raw': None, 'published_at': None, 'authors': [],
            'feed_url': 'https://news.example.com/rss', 'source_name': 'Example', 'feed_language': 'en',
            'fetched_at': datetime.datetime(2024, 3, 4, tzinfo=UTC)}
    base.update(overrides)
    return base


def test_normalise_splits_stories_and_dead_letters():
    items = [item('a'), item('b', title=None, summary=None), {'title': 'no item_id: crashes'}]
    with TestPipeline(runner='BundleBasedDirectRunner') as p:
        stories, dead_letters = p | beam.Create(items) | Normalise(now=NOW)
        assert_that(stories | 'Keys' >> beam.Map(
            lambda s: (s['story_id'], s['canonical_url'], s['dateline_place'], s['wire'], s['text'], s['date_flag'])),
            equal_to([('a', 'https://news.example.com/a', 'Manila', 'Reuters', 'Body text.', 'MISSING_DATE')]),
            label='CheckStories')
        assert_that(dead_letters | 'Codes' >> beam.Map(lambda d: (d['stage'], d['error'], d['source'])),
                    equal_to([('normalise', 'NO_TEXT', 'https://news.example.com/rss'),
                              ('normalise', 'NORMALISE_CRASH', None)]), label='CheckDeadLetters')


def test_dead_letter_payload_is_the_item_as_json():
    fn = NormaliseItemFn(now=NOW)
    (output,) = list(fn.process(item('b', title=None, summary=None)))
    payload = json.loads(output.value['payload'])
    assert output.tag == 'deadletter'
    assert payload['item_id'] == 'b' and payload['fetched_at'].startswith('2024-03-04')
