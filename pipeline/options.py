"""All of wirewatch's pipeline options, declared once (one PipelineOptions subclass)."""
from apache_beam.options.pipeline_options import PipelineOptions

DAY = 86400


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
        parser.add_argument('--extract_batch_size', type=int, default=32,
                            help='Stories per spaCy nlp.pipe batch.')
