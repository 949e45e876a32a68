"""`wirewatch stream` flags: topic names become full paths, 'none' disables a topic, Beam's
own flags (--project, --region, --temp_location...) reach Beam unchanged."""
import argparse

import pytest

from wirewatch.pipeline.cli import add_stream_arguments, pubsub_project, stream_beam_args


def _parse(argv):
    parser = argparse.ArgumentParser(allow_abbrev=False)
    add_stream_arguments(parser)
    return parser.parse_known_args(argv)


def test_default_output_topics_are_the_contracts():
    args, beam_args = _parse(['--output', 'out', '--direct_num_workers', '2'])
    assert args.subscription == 'wirewatch-items-sub'
    assert beam_args == ['--direct_num_workers', '2']
    assert stream_beam_args(args, beam_args) == [
        '--events_topic', 'projects/wirewatch-local/topics/wirewatch-events',
        '--summaries_topic', 'projects/wirewatch-local/topics/wirewatch-summaries',
        '--deadletter_topic', 'projects/wirewatch-local/topics/wirewatch-deadletter']


def test_topics_can_be_renamed_given_in_full_or_disabled():
    args, beam_args = _parse(['--output', 'out', '--project', 'p1', '--events-topic', 'none',
                              '--summaries-topic', 'projects/other/topics/sums',
                              '--deadletter-topic', 'dead'])
    assert stream_beam_args(args, beam_args) == ['--summaries_topic', 'projects/other/topics/sums',
                                                 '--deadletter_topic', 'projects/p1/topics/dead']


def test_beams_own_flags_are_left_to_beam():
    argv = ['--runner', 'DataflowRunner', '--project', 'my-project', '--region', 'europe-west1',
            '--temp_location', 'gs://my-bucket/tmp', '--setup_file', './setup.py',
            '--sdk_container_image', 'europe-west1-docker.pkg.dev/my-project/wirewatch/wirewatch:t1',
            '--dry_run', 'true']
    args, beam_args = _parse(argv + ['--output', 'gs://my-bucket/out'])
    assert beam_args == argv
    assert args.output == 'gs://my-bucket/out'


@pytest.mark.parametrize('argv, project', [
    ([], 'wirewatch-local'),                                                    # the emulator's
    (['--project', 'my-project'], 'my-project'),                                # Beam's --project
    (['--subscription', 'projects/feeds-project/subscriptions/items', '--project', 'my-project'],
     'feeds-project'),                                                          # the full path's
    (['--pubsub-project', 'pubsub-project', '--project', 'my-project',
      '--subscription', 'projects/feeds-project/subscriptions/items'], 'pubsub-project'),  # named
])
def test_the_pubsub_project_of_short_names(argv, project):
    args, beam_args = _parse(['--output', 'out'] + argv)
    assert pubsub_project(args, beam_args) == project
    assert stream_beam_args(args, beam_args)[1] == f'projects/{project}/topics/wirewatch-events'
