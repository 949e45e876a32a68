"""All of wirewatch's pipeline options, declared once (one PipelineOptions subclass)."""
import argparse

from apache_beam.options.pipeline_options import PipelineOptions

DAY = 86400
TRUE_WORDS = ('true', 'yes', '1')
FALSE_WORDS = ('false', 'no', '0', '')


def parse_flag(value):
    """A boolean option's value: a bool, or true/false, yes/no, 1/0 in any case (a Flex
    Template passes ``--name=true``). Raises ValueError otherwise."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f'not true or false: {value!r}')


def _flag(value):
    try:
        return parse_flag(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class WirewatchOptions(PipelineOptions):
    """Options every wirewatch pipeline understands; runner options stay Beam's own."""

    @classmethod
    def _add_argparse_args(cls, parser):
        parser.add_argument('--output', help='Output directory (local path or gs://...).')
        parser.add_argument('--window_seconds', type=int, default=DAY,
                            help='Summary window length in seconds of event time (default: 1 day).')
        parser.add_argument('--early_firing_seconds', type=int, default=5,
                            help='Streaming: early summary panes every N seconds of processing time.')
        parser.add_argument('--allowed_lateness_seconds', type=int, default=2 * DAY,
                            help='Streaming: how late (event time) data may still update a window.')
        parser.add_argument('--dedup_ttl_seconds', type=int, default=3 * DAY,
                            help='Event-time TTL of exact and near-duplicate state.')
        parser.add_argument('--near_duplicate_threshold', type=float, default=None,
                            help='Estimated Jaccard similarity above which stories cluster.')
        parser.add_argument('--file_flush_seconds', type=int, default=5,
                            help='Streaming: write buffered records to new Avro files this often.')
        parser.add_argument('--num_shards', type=int, default=0,
                            help='Writers (and at most files per batch run or stream flush) per '
                                 'output folder; 0 (default): the runner\'s parallelism, see '
                                 'transforms/sinks runner_shards.')
        parser.add_argument('--events_topic', default=None,
                            help='Streaming: Pub/Sub topic for Event messages (projects/P/topics/T).')
        parser.add_argument('--summaries_topic', default=None,
                            help='Streaming: Pub/Sub topic for CountrySummary messages.')
        parser.add_argument('--deadletter_topic', default=None,
                            help='Streaming: Pub/Sub topic for DeadLetter messages.')
        parser.add_argument('--pubsub_id_label', default=None,
                            help='Dataflow only: message attribute Pub/Sub deduplicates on '
                                 '(e.g. item_id). The local runners refuse it; the pipeline '
                                 'deduplicates items itself either way.')
        parser.add_argument('--pubsub_expansion_service', default=None,
                            help='Portable runners (Flink): read Pub/Sub with Beam\'s cross-language '
                                 'Java reader, expanded by this Java expansion service: host:port, '
                                 'a .jar path, or auto (Beam\'s GCP I/O jar, needs java). Default: '
                                 'the Python reader (Dataflow, DirectRunner).')
        parser.add_argument('--extract_batch_size', type=int, default=32,
                            help='Stories per spaCy nlp.pipe batch.')
        parser.add_argument('--capture_time', default=None,
                            help='Batch: RFC 3339 time the feed files were captured (e.g. '
                                 '2020-05-24T09:49:19Z): the date of items that carry none when '
                                 'their feed gives none either.')
        parser.add_argument('--capture_time_from_filename', type=_flag, nargs='?', const=True,
                            default=False,
                            help='Batch: read each file\'s capture time from its name '
                                 '(20200524T094919Z_2e54f80c.xml); files named otherwise fall back '
                                 'to --capture_time. Alone or =true/false.')


def capture_time(options):
    """``--capture_time`` as an aware UTC datetime, or None; ValueError naming the option
    when it is not RFC 3339."""
    from wirewatch.transforms.ingest.feeds import parse_capture_time
    text = options.view_as(WirewatchOptions).capture_time
    try:
        return None if text is None else parse_capture_time(text)
    except ValueError as exc:
        raise ValueError(f'--capture_time: {exc}') from None


def feed_files_source(paths, options):
    """The batch source over feed files, dated as the capture-time options say."""
    from wirewatch.transforms.ingest import ReadFeedFiles
    opts = options.view_as(WirewatchOptions)
    return ReadFeedFiles(list(paths), capture_time=capture_time(options),
                         capture_time_from_filename=opts.capture_time_from_filename)


def pubsub_source(subscription, options):
    """The streaming source on ``subscription`` (projects/P/subscriptions/S), with the
    Pub/Sub options (``--pubsub_id_label``, ``--pubsub_expansion_service``)."""
    from wirewatch.transforms.ingest.sources import ReadFromPubSubItems
    opts = options.view_as(WirewatchOptions)
    return ReadFromPubSubItems(subscription, id_label=opts.pubsub_id_label,
                               expansion_service=opts.pubsub_expansion_service)
