"""Normalise: FeedItem dicts -> Story dicts (clean text, dateline, authors, canonical URL,
date, language, outlet). The logic is in :mod:`wirewatch.transforms.normalise.core`; this is
the Beam wrapper. Nothing raises out of it: refused items (among them undated items of a
backfill, UNDATED_IN_BACKFILL) and crashes become DeadLetters.
"""
import json

import apache_beam as beam
from apache_beam.metrics import Metrics

from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, Rejected, make_dead_letter
from wirewatch.transforms.normalise.core import UNDATED_IN_BACKFILL, normalise_item

STAGE = 'normalise'
STORIES_TAG = 'stories'


def item_payload(item):
    """The item as JSON bytes for a dead letter (datetimes as ISO strings)."""
    return json.dumps(item, default=str, ensure_ascii=False, sort_keys=True).encode('utf-8', 'replace')


class NormaliseItemFn(beam.DoFn):
    """FeedItem -> Story (main output) or DeadLetter (tagged); counts both."""

    def __init__(self, now=None):
        self.now = now
        self.stories_normalised = Metrics.counter(self.__class__, 'stories_normalised')
        self.items_dead_lettered = Metrics.counter(self.__class__, 'items_dead_lettered')
        self.normalise_crashes = Metrics.counter(self.__class__, 'normalise_crashes')
        self.dates_flagged = Metrics.counter(self.__class__, 'dates_flagged')
        self.undated_in_backfill = Metrics.counter(self.__class__, 'undated_in_backfill')

    def process(self, item):
        source = item.get('feed_url') if isinstance(item, dict) else None
        try:
            story = normalise_item(item, now=self.now)
        except Rejected as rejected:
            self.items_dead_lettered.inc()
            if rejected.error == UNDATED_IN_BACKFILL:
                self.undated_in_backfill.inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTER_TAG, make_dead_letter(
                STAGE, rejected.error, rejected.detail, payload=item_payload(item), source=source))
            return
        except Exception as exc:  # never crash the pipeline on one item; the crash is recorded
            self.items_dead_lettered.inc()
            self.normalise_crashes.inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTER_TAG, make_dead_letter(
                STAGE, 'NORMALISE_CRASH', f'{exc.__class__.__name__}: {exc}', payload=item_payload(item),
                source=source))
            return
        if story['date_flag']:
            self.dates_flagged.inc()
        self.stories_normalised.inc()
        yield story


class Normalise(beam.PTransform):
    """FeedItem dicts -> (Story dicts, DeadLetter dicts). ``now`` fixes the clock (tests)."""

    def __init__(self, now=None, label=None):
        super().__init__(label)
        self.now = now

    def expand(self, items):
        results = items | 'NormaliseItems' >> beam.ParDo(NormaliseItemFn(self.now)).with_outputs(
            DEAD_LETTER_TAG, main=STORIES_TAG)
        return results[STORIES_TAG], results[DEAD_LETTER_TAG]
