"""Ingest: feed files (bounded) and the poller/Pub/Sub (unbounded) produce FeedItem dicts.

``ReadFeedFiles`` is the batch source: paths, directories and globs in, ``(items,
dead_letters)`` out. The parsing itself lives in :mod:`wirewatch.transforms.ingest.feeds`.

Its items are a backfill's (``backfill`` true): a stored file's time (its mtime, often the day
it was copied) says nothing about when an item appeared. A capture time can be given for all
files (``capture_time``) or read from each file's name (``capture_time_from_filename``,
``20200524T094919Z_2e54f80c.xml``); the name's time wins where both are given, the
operator's applies to files whose names carry none.
"""
import apache_beam as beam
from apache_beam.metrics import Metrics

from wirewatch.transforms.deadletter import DEAD_LETTER_TAG, make_dead_letter
from wirewatch.transforms.ingest import feeds

ITEMS_TAG = 'items'


class ExpandInputFn(beam.DoFn):
    """One path, directory or glob -> the files it names; a pattern matching nothing is dead-lettered."""

    def __init__(self):
        self.inputs_not_found = Metrics.counter(self.__class__, 'inputs_not_found')

    def process(self, pattern):
        files = feeds.expand_input(pattern)
        if not files:
            self.inputs_not_found.inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTER_TAG, make_dead_letter(
                feeds.STAGE, 'INPUT_NOT_FOUND', f'no file matches {pattern!r}', source=str(pattern)))
        yield from files


class ReadFeedFileFn(beam.DoFn):
    """One feed file -> FeedItem dicts (main output) and DeadLetter dicts (tagged)."""

    def __init__(self, max_feed_bytes=feeds.DEFAULT_MAX_FEED_BYTES, capture_time=None,
                 capture_time_from_filename=False):
        self.max_feed_bytes = max_feed_bytes
        self.capture_time = capture_time
        self.capture_time_from_filename = capture_time_from_filename
        self.feeds_read = Metrics.counter(self.__class__, 'feeds_read')
        self.items_read = Metrics.counter(self.__class__, 'items_read')
        self.feeds_dead_lettered = Metrics.counter(self.__class__, 'feeds_dead_lettered')
        self.names_without_time = Metrics.counter(self.__class__, 'file_names_without_capture_time')

    def process(self, path):
        self.feeds_read.inc()
        dead_lettered = False
        named = feeds.capture_time_from_filename(path) if self.capture_time_from_filename else None
        if self.capture_time_from_filename and named is None:
            self.names_without_time.inc()
        captured_at = named or self.capture_time  # the file's own time first, else the operator's
        for kind, record in feeds.read_feed_file(path, max_feed_bytes=self.max_feed_bytes,
                                                 captured_at=captured_at, backfill=True):
            if kind == 'item':
                self.items_read.inc()
                yield record
            else:
                dead_lettered = True
                yield beam.pvalue.TaggedOutput(DEAD_LETTER_TAG, record)
        if dead_lettered:
            self.feeds_dead_lettered.inc()


class ReadFeedFiles(beam.PTransform):
    """Feed files (RSS/Atom, plain or gzip; paths, directories, globs) -> (items, dead_letters).

    ``capture_time`` (an aware datetime) and ``capture_time_from_filename`` date undated items
    when their feed gives no date of its own (see the module docstring)."""

    def __init__(self, paths, max_feed_bytes=feeds.DEFAULT_MAX_FEED_BYTES, label=None, capture_time=None,
                 capture_time_from_filename=False):
        super().__init__(label)
        self.paths = [str(p) for p in ([paths] if isinstance(paths, str) else paths)]
        self.max_feed_bytes = max_feed_bytes
        self.capture_time = capture_time
        self.capture_time_from_filename = bool(capture_time_from_filename)

    def expand(self, pbegin):
        files = (pbegin
                 | 'ListInputs' >> beam.Create(self.paths)
                 | 'ExpandPathsAndGlobs' >> beam.ParDo(ExpandInputFn()).with_outputs(DEAD_LETTER_TAG, main='files'))
        parsed = (files.files
                  | 'DistinctFiles' >> beam.Distinct()
                  | 'SpreadFiles' >> beam.Reshuffle()
                  | 'ParseFeeds' >> beam.ParDo(ReadFeedFileFn(
                      self.max_feed_bytes, self.capture_time, self.capture_time_from_filename)).with_outputs(
                      DEAD_LETTER_TAG, main=ITEMS_TAG))
        dead_letters = ((files[DEAD_LETTER_TAG], parsed[DEAD_LETTER_TAG])
                        | 'MergeReadDeadLetters' >> beam.Flatten())
        return parsed[ITEMS_TAG], dead_letters
