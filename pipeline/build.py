"""The one pipeline builder: ReadItems -> Normalise -> Cluster -> Extract -> Summarise -> sinks.

``build_pipeline`` returns the ``beam.Pipeline`` without running it, so tests,
dry runs and every runner build the same graph. The builder never names a
runner; options do. Batch (feed files) and streaming (Pub/Sub) differ only in
the source, in how duplicate state is kept, and in triggers and sinks.
"""
import datetime

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions

from wirewatch.pipeline.manifest import ComputeManifest
from wirewatch.pipeline.options import WirewatchOptions
from wirewatch.pipeline.runners import LOCAL_STREAMING_RUNNER
from wirewatch.transforms.cluster import Cluster
from wirewatch.transforms.cluster.similarity import DEFAULT_THRESHOLD
from wirewatch.transforms.extract import ExtractEvents
from wirewatch.transforms.normalise import Normalise
from wirewatch.transforms.sinks import PublishAvro, ValidateRecords, WriteAvroFiles, runner_shards
from wirewatch.transforms.sinks.idempotent import SkipWritten
from wirewatch.transforms.summarise import RouteTooLate, SummariseByCountry

ENGLISH = ('en', None)


def with_event_time(story):
    """Event time of a story is its publication time (UTC)."""
    return beam.window.TimestampedValue(story, story['published_at'].timestamp())


def needs_extraction(story):
    """Only cluster representatives in English reach the (costly, English) extractor."""
    return not story.get('duplicate_of') and story.get('language') in ENGLISH


def build_pipeline(options, source, started_at=None):
    """A ``beam.Pipeline`` reading items with ``source`` (a PTransform returning
    ``(items, dead_letters)``) and writing the contract's outputs under ``--output``."""
    opts = options.view_as(WirewatchOptions)
    streaming = options.view_as(StandardOptions).streaming
    if not opts.output:
        raise ValueError('--output is required')
    threshold = opts.near_duplicate_threshold or DEFAULT_THRESHOLD

    p = beam.Pipeline(options=options)
    items, read_dead = p | 'ReadItems' >> source
    stories, normalise_dead = items | 'Normalise' >> Normalise()
    stories = stories | 'StampEventTime' >> beam.Map(with_event_time)
    late_dead = None
    if streaming:
        stories, late_dead = stories | 'RouteTooLate' >> RouteTooLate(
            opts.window_seconds, opts.allowed_lateness_seconds)
    clustered, exact_duplicates = stories | 'Cluster' >> Cluster(
        streaming=streaming, ttl_seconds=opts.dedup_ttl_seconds, threshold=threshold)
    events, extract_dead = (clustered
                            | 'RepresentativesInEnglish' >> beam.Filter(needs_extraction)
                            | 'ExtractEvents' >> ExtractEvents(batch_size=opts.extract_batch_size))
    summaries = (events, clustered) | 'SummariseByCountry' >> SummariseByCountry(
        window_seconds=opts.window_seconds, streaming=streaming,
        early_seconds=opts.early_firing_seconds, lateness_seconds=opts.allowed_lateness_seconds)

    outputs = {'Story': clustered, 'Event': events, 'CountrySummary': summaries}
    topics = {'Event': opts.events_topic, 'CountrySummary': opts.summaries_topic,
              'DeadLetter': opts.deadletter_topic}
    dead_sources = [d for d in (read_dead, normalise_dead, late_dead, extract_dead) if d is not None]
    valid = {}
    for record_type, pcoll in outputs.items():
        ok, invalid = pcoll | f'Validate{record_type}' >> ValidateRecords(record_type)
        valid[record_type] = ok
        dead_sources.append(invalid)
    valid['DeadLetter'] = tuple(dead_sources) | 'AllDeadLetters' >> beam.Flatten()
    if streaming:  # a replayed or redelivered item adds no second Story or Event
        for record_type in ('Story', 'Event'):
            valid[record_type] = valid[record_type] | f'SkipWritten{record_type}' >> SkipWritten(
                opts.output, record_type, opts.dedup_ttl_seconds,
                scan_folder=options.view_as(StandardOptions).runner == LOCAL_STREAMING_RUNNER)

    num_shards = opts.num_shards or runner_shards(options)
    for record_type, pcoll in valid.items():
        pcoll | f'Write{record_type}Files' >> WriteAvroFiles(
            opts.output, record_type, streaming=streaming, flush_seconds=opts.file_flush_seconds,
            num_shards=num_shards)
        if streaming and topics.get(record_type):
            pcoll | f'Publish{record_type}' >> PublishAvro(topics[record_type], record_type)

    if not streaming:
        started_at = started_at or datetime.datetime.now(datetime.timezone.utc)
        # Read counted at the source, endings at the end (see pipeline/manifest.py).
        ({'feed_items': items, 'read_dead_letters': read_dead, 'stories': clustered,
          'duplicates_exact': exact_duplicates, 'dead_letters': valid['DeadLetter'],
          'events': valid['Event'], 'summaries': valid['CountrySummary']}
         | 'WriteManifest' >> ComputeManifest(opts.output, started_at))
    return p
