"""`wirewatch stream` flags: topic names become full paths, 'none' disables a topic."""
import argparse

from wirewatch.pipeline.cli import add_stream_arguments, stream_beam_args


def _parse(argv):
    parser = argparse.ArgumentParser()
    add_stream_arguments(parser)
    return parser.parse_known_args(argv)


def test_default_output_topics_are_the_contracts():
    args, beam_args = _parse(['--output', 'out', '--direct_num_workers', '2'])
    assert args.subscription == 'wirewatch-items-sub'
    assert beam_args == ['--direct_num_workers', '2']
    assert stream_beam_args(args) == [
        '--events_topic', 'projects/wirewatch-local/topics/wirewatch-events',
        '--summaries_topic', 'projects/wirewatch-local/topics/wirewatch-summaries',
        '--deadletter_topic', 'projects/wirewatch-local/topics/wirewatch-deadletter']


def test_topics_can_be_renamed_given_in_full_or_disabled():
    args, _ = _parse(['--output', 'out', '--project', 'p1', '--events-topic', 'none',
                      '--summaries-topic', 'projects/other/topics/sums',
                      '--deadletter-topic', 'dead'])
    assert stream_beam_args(args) == ['--summaries_topic', 'projects/other/topics/sums',
                                      '--deadletter_topic', 'projects/p1/topics/dead']
