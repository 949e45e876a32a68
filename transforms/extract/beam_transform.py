"""ExtractEvents: the Beam wrapper around :class:`EventExtractor`."""
import json

import apache_beam as beam
from apache_beam.metrics import Metrics

from wirewatch import schemas
from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, make_dead_letter

STAGE = 'extract'
DEFAULT_BATCH_SIZE = 16


class ExtractEventsFn(beam.DoFn):
    """Extracts events from a batch of stories; a story that fails becomes a DeadLetter.

    The spaCy model is loaded once per worker in ``setup``. Events carry their
    story's publication time as event timestamp.
    """

    def __init__(self, extractor_factory=None):
        self._extractor_factory = extractor_factory
        self._extractor = None
        self.stories_extracted = Metrics.counter(self.__class__, 'stories_extracted')
        self.events_extracted = Metrics.counter(self.__class__, 'events_extracted')
        self.extract_failures = Metrics.counter(self.__class__, 'extract_failures')

    def setup(self):
        if self._extractor_factory is not None:
            self._extractor = self._extractor_factory()
        else:
            from wirewatch.transforms.extract.extractor import EventExtractor
            self._extractor = EventExtractor()

    def process(self, stories):
        try:
            results = list(zip(stories, self._extract_checked(stories)))
        except Exception:  # one bad story must not lose the batch: retry one by one
            results = []
            for story in stories:
                try:
                    results.append((story, self._extract_checked([story])[0]))
                except Exception as error:  # noqa: BLE001 -- every failure is dead-lettered
                    self.extract_failures.inc()
                    dead_letter = _dead_letter(story, error)
                    yield beam.pvalue.TaggedOutput(
                        DEAD_LETTER_TAG, beam.window.TimestampedValue(dead_letter, _event_time(story, dead_letter)))
        for story, events in results:
            self.stories_extracted.inc()
            self.events_extracted.inc(len(events))
            for event in events:
                yield beam.window.TimestampedValue(event, event['published_at'].timestamp())

    def _extract_checked(self, stories):
        batches = list(self._extractor.extract(stories))
        for events in batches:
            for event in events:
                schemas.check('Event', event)
        return batches


def _event_time(story, dead_letter):
    """Seconds since the epoch: the story's publication time, else when it was dead-lettered."""
    published = story.get('published_at') if isinstance(story, dict) else None
    return (published if hasattr(published, 'timestamp') else dead_letter['received_at']).timestamp()


def _dead_letter(story, error):
    source = story.get('url') or story.get('story_id') if isinstance(story, dict) else None
    try:
        payload = schemas.encode('Story', story)
    except Exception:  # noqa: BLE001 -- an unencodable story is still reported
        payload = json.dumps(story, default=str)[:65536] if isinstance(story, dict) else repr(story)
    return make_dead_letter(STAGE, type(error).__name__, f'{error}', payload=payload, source=source)


class ExtractEvents(beam.PTransform):
    """Story dicts (cluster representatives, English) -> (Event dicts, DeadLetter dicts)."""

    def __init__(self, batch_size=DEFAULT_BATCH_SIZE, extractor_factory=None, label=None):
        super().__init__(label)
        self.batch_size = batch_size
        self.extractor_factory = extractor_factory

    def expand(self, stories):
        results = (
            stories
            | 'BatchStories' >> beam.BatchElements(min_batch_size=1, max_batch_size=self.batch_size)
            | 'ExtractEvents' >> beam.ParDo(ExtractEventsFn(self.extractor_factory)).with_outputs(
                DEAD_LETTER_TAG, main='events'))
        return results.events, results[DEAD_LETTER_TAG]
