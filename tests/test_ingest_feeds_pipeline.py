"""ReadFeedFiles on a TestPipeline: items and dead letters from paths, directories and globs."""
import os

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from wirewatch.transforms.ingest import ReadFeedFiles

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'feeds')


def test_read_feed_files_splits_items_and_dead_letters():
    inputs = [os.path.join(FIXTURES, 'wire_rss20.xml'),
              os.path.join(FIXTURES, 'outlet_atom.xml'),
              os.path.join(FIXTURES, 'empty_0B.xml'),
              os.path.join(FIXTURES, 'truncated_*.xml'),
              os.path.join(FIXTURES, 'no-such-file.xml')]
    with TestPipeline(runner='BundleBasedDirectRunner') as p:
        items, dead_letters = p | ReadFeedFiles(inputs)
        assert_that(items | 'Titles' >> beam.Map(lambda i: i['title']), equal_to([
            'Flooding forces thousands from homes in river valley - Example Wire',
            'Talks resume on border crossing', 'Markets steady after rate decision',
            'Le gouvernement annonce un remaniement',
            'Flooding forces thousands from homes in river valley - Example Wire',
            'Talks resume on border crossing']), label='CheckItems')
        assert_that(dead_letters | 'Errors' >> beam.Map(lambda d: (d['stage'], d['error'])), equal_to([
            ('read', 'EMPTY_FEED'), ('read', 'TRUNCATED_FEED'), ('read', 'INPUT_NOT_FOUND')]),
            label='CheckDeadLetters')


def test_a_directory_is_read_once_even_when_also_named_by_a_glob():
    with TestPipeline(runner='BundleBasedDirectRunner') as p:
        items, _ = p | ReadFeedFiles([FIXTURES, os.path.join(FIXTURES, 'outlet_*.xml')])
        french = items | beam.Filter(lambda i: i['feed_language'] == 'fr') | beam.Map(lambda i: i['item_id'])
        assert_that(french | beam.combiners.Count.Globally(), equal_to([1]))
