"""Flex Template entry point: parse the source flag, build the one wirewatch pipeline, submit it.

Batch reads feed files (``--input``); streaming reads Pub/Sub (``--subscription``).
Every other flag (``--output``, the WirewatchOptions, ``--runner``, ``--project``...)
goes untouched to Beam's PipelineOptions, so the runner is whatever the options say.
Dataflow's launcher waits for this program to exit, so by default it does not wait for
the job; ``--wait`` is for runners whose workers live in this process (Flink LOOPBACK).
"""
import argparse
import logging
import sys

from apache_beam.options.pipeline_options import GoogleCloudOptions

from wirewatch.pipeline import runners
from wirewatch.pipeline.build import build_pipeline
from wirewatch.pipeline.options import feed_files_source, pubsub_source
from wirewatch.pipeline.pubsub import subscription_path
from wirewatch.pipeline.runners import pipeline_options


def make_parser():
    parser = argparse.ArgumentParser(
        prog='launcher.py', allow_abbrev=False,  # never swallow a Beam flag by its prefix
        description='Build the wirewatch pipeline and submit it to the runner named by '
                    'the options. Unknown flags go to Beam.')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--input', nargs='+',
                        help='Batch: feed files, directories or globs.')
    source.add_argument('--subscription',
                        help='Streaming: Pub/Sub subscription of FeedItem messages '
                             '(projects/P/subscriptions/S, or S with --project).')
    parser.add_argument('--wait', action='store_true',
                        help='Block until the job ends (needed with --environment_type LOOPBACK; '
                             'never with a Flex Template).')
    return parser


def _parse(argv):
    """(launcher arguments, the PipelineOptions, a function building the pipeline from them)."""
    parser = make_parser()
    args, beam_args = parser.parse_known_args(argv)
    streaming = args.subscription is not None
    options = pipeline_options(beam_args, streaming=streaming)
    if not streaming:
        return args, options, lambda opts: build_pipeline(opts, feed_files_source(args.input, opts))
    project = options.view_as(GoogleCloudOptions).project
    if not args.subscription.startswith('projects/') and not project:
        parser.error('--subscription needs the form projects/P/subscriptions/S, or --project')
    subscription = subscription_path(project, args.subscription)
    return args, options, lambda opts: build_pipeline(opts, pubsub_source(subscription, opts))


def build(argv):
    """The wirewatch ``beam.Pipeline`` (not run) for launcher arguments."""
    _, options, build_from = _parse(argv)
    return build_from(options)


def main(argv=None):
    """Build and submit; returns the runner's PipelineResult (after the job ends with --wait).
    With ``--dry_run true`` nothing is submitted: the graph is built and checked offline
    (``runners.dry_run``), what would run is logged, and None is returned."""
    argv = sys.argv[1:] if argv is None else argv
    logging.getLogger().setLevel(logging.INFO)
    args, options, build_from = _parse(argv)
    if runners.dry_run_requested(options):
        checked = runners.dry_run(options, build_from, inputs=args.input or ())
        for line in runners.describe_dry_run(checked):
            logging.info('wirewatch dry run: %s', line)
        return None
    wait = args.wait
    result = build(argv).run()
    logging.info('wirewatch: pipeline submitted (state %s)', result.state)
    if wait:
        result.wait_until_finish()
    return result


if __name__ == '__main__':
    main()
