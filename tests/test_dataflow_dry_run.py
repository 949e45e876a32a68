"""`wirewatch run` and `wirewatch stream` with `--runner DataflowRunner --dry_run true`: the
whole graph is built and checked offline through the real CLI entry, with the network,
credentials, subprocesses (gcloud, pip), Pub/Sub clients and every filesystem call blocked.

The graph is asserted on the portable pipeline proto the dry run checked (what a runner
receives) and on the built pipeline: the stages, the Pub/Sub read (event time from
``published_at``, Pub/Sub's ``id_label`` on Dataflow), the Pub/Sub writes, and the
sharded Avro file sinks. A remote runner's output folder is never created or cleared by
the CLI, in a dry run or not.
"""
import os
import socket
import subprocess

import apache_beam as beam
import pytest
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import (GoogleCloudOptions, SetupOptions, StandardOptions,
                                                  WorkerOptions)
from apache_beam.portability import common_urns
from apache_beam.portability.api import beam_runner_api_pb2

from wirewatch.pipeline import runners
from wirewatch.pipeline.cli import main
from wirewatch.transforms.ingest import ReadFeedFiles
from wirewatch.transforms.sinks import WriteAvroFiles

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT, REGION, BUCKET = 'wirewatch-test-project', 'europe-west1', 'gs://wirewatch-test-bucket'
SUBSCRIPTION = f'projects/{PROJECT}/subscriptions/wirewatch-items-sub'
IMAGE = f'{REGION}-docker.pkg.dev/{PROJECT}/wirewatch/wirewatch:t1'
DATAFLOW = ['--runner', 'DataflowRunner', '--dry_run', 'true', '--project', PROJECT,
            '--region', REGION, '--temp_location', f'{BUCKET}/tmp']
STAGES = {'ReadItems', 'Normalise', 'Cluster', 'ExtractEvents', 'SummariseByCountry',
          'WriteStoryFiles', 'WriteEventFiles', 'WriteCountrySummaryFiles', 'WriteDeadLetterFiles'}
FOLDERS = {'Story': 'stories', 'Event': 'events', 'CountrySummary': 'summaries', 'DeadLetter': 'deadletter'}


class Offline:
    """Blocks (and records) every way out of this process a dry run must not take."""

    FILESYSTEM_CALLS = ('match', 'exists', 'mkdirs', 'create', 'open', 'delete', 'rename', 'copy',
                        'last_updated', 'checksum')

    def __init__(self, monkeypatch):
        self.touched = []
        self.checked = []
        monkeypatch.delenv('GOOGLE_APPLICATION_CREDENTIALS', raising=False)
        monkeypatch.delenv('PUBSUB_EMULATOR_HOST', raising=False)
        monkeypatch.delenv('CLOUDSDK_COMPUTE_REGION', raising=False)
        monkeypatch.setattr(socket.socket, 'connect', self._refuse('socket.connect'))
        monkeypatch.setattr(socket.socket, 'connect_ex', self._refuse('socket.connect_ex'))
        monkeypatch.setattr(socket, 'getaddrinfo', self._refuse('getaddrinfo'))
        monkeypatch.setattr(subprocess.Popen, '__init__', self._refuse('subprocess'))
        import google.auth
        monkeypatch.setattr(google.auth, 'default', self._refuse('google.auth.default'))
        from google.cloud import pubsub_v1
        monkeypatch.setattr(pubsub_v1, 'PublisherClient', self._refuse('PublisherClient'))
        monkeypatch.setattr(pubsub_v1, 'SubscriberClient', self._refuse('SubscriberClient'))
        for name in self.FILESYSTEM_CALLS:
            monkeypatch.setattr(FileSystems, name, staticmethod(self._refuse(f'FileSystems.{name}')))
        monkeypatch.setattr(beam.Pipeline, 'run', self._refuse('Pipeline.run'))
        real_dry_run = runners.dry_run

        def recording_dry_run(*args, **kwargs):
            result = real_dry_run(*args, **kwargs)
            self.checked.append(result)
            return result
        monkeypatch.setattr(runners, 'dry_run', recording_dry_run)

    def _refuse(self, what):
        def refuse(*args, **kwargs):
            self.touched.append((what, args[:2]))
            raise OSError(f'offline test: {what} is blocked')
        return refuse


@pytest.fixture
def offline(monkeypatch):
    return Offline(monkeypatch)


def transforms(proto, urn=None):
    return [t for t in proto.components.transforms.values() if urn is None or t.spec.urn == urn]


def display_data(transform):
    items = {}
    for item in transform.display_data:
        payload = beam_runner_api_pb2.LabelledPayload.FromString(item.payload)
        items[payload.key] = payload.string_value or payload.bool_value or payload.int_value
    return items


def file_sinks(pipeline):
    found = {}

    class Visitor(beam.pipeline.PipelineVisitor):
        def enter_composite_transform(self, node):
            if isinstance(node.transform, (WriteAvroFiles, ReadFeedFiles)):
                found[node.full_label] = node.transform

    pipeline.visit(Visitor())
    return found


def assert_file_sinks(result, output, shards):
    names = {t.unique_name for t in transforms(result.proto)}
    sinks = file_sinks(result.pipeline)
    for record_type, folder in FOLDERS.items():
        label = f'Write{record_type}Files'
        assert {f'{label}/KeyByShard', f'{label}/Batch', f'{label}/WriteAvro'} <= names
        sink = sinks[label]
        assert (sink.output_dir, sink.record_type, sink.num_shards) == (output, record_type, shards)
        assert f'{record_type} Avro files {output}/{folder}/ ({shards} shards)' in result.writes


def test_stream_dry_run_on_dataflow_builds_the_whole_graph_offline(offline, capsys):
    output = f'{BUCKET}/wirewatch/stream'
    argv = ['stream'] + DATAFLOW + ['--subscription', SUBSCRIPTION, '--output', output,
                                    '--pubsub_id_label', 'item_id', '--sdk_container_image', IMAGE,
                                    '--num_shards', '8']
    assert main(argv) == 0
    assert offline.touched == []
    assert 'PUBSUB_EMULATOR_HOST' not in os.environ
    result, = offline.checked

    # Beam's own options reached Beam unchanged
    assert result.runner == 'DataflowRunner' and result.streaming
    cloud = result.options.view_as(GoogleCloudOptions)
    assert (cloud.project, cloud.region, cloud.temp_location) == (PROJECT, REGION, f'{BUCKET}/tmp')
    assert result.options.view_as(WorkerOptions).sdk_container_image == IMAGE

    assert STAGES | {'RouteTooLate', 'PublishEvent', 'PublishCountrySummary', 'PublishDeadLetter'} \
        <= set(result.stages)
    assert 'WriteManifest' not in result.stages

    read, = transforms(result.proto, common_urns.composites.PUBSUB_READ.urn)
    assert read.unique_name.startswith('ReadItems/')
    payload = beam_runner_api_pb2.PubSubReadPayload.FromString(read.spec.payload)
    assert (payload.subscription, payload.timestamp_attribute, payload.id_attribute,
            payload.with_attributes) == (SUBSCRIPTION, 'published_at', 'item_id', True)

    writes = {t.unique_name: display_data(t)['topic'] for t in transforms(result.proto)
              if t.unique_name.startswith('Publish') and t.unique_name.endswith('/Publish')}
    assert writes == {
        'PublishEvent/Publish': f'projects/{PROJECT}/topics/wirewatch-events',
        'PublishCountrySummary/Publish': f'projects/{PROJECT}/topics/wirewatch-summaries',
        'PublishDeadLetter/Publish': f'projects/{PROJECT}/topics/wirewatch-deadletter'}
    assert_file_sinks(result, output, shards=8)

    out = capsys.readouterr().out
    assert out.startswith('wirewatch stream: dry run, nothing was run')
    for expected in ('DataflowRunner (streaming)', PROJECT, REGION, f'stages     {len(result.stages)} (',
                     f'Pub/Sub {SUBSCRIPTION} (event time from attribute published_at; '
                     f'Pub/Sub deduplicates on attribute item_id)',
                     f'Pub/Sub projects/{PROJECT}/topics/wirewatch-events'):
        assert expected in out


def test_run_dry_run_on_dataflow_builds_the_whole_graph_offline(offline, capsys):
    output = f'{BUCKET}/wirewatch/batch-1'
    feeds = f'{BUCKET}/feeds/*.xml.gz'
    setup_file = os.path.join(ROOT, 'setup.py')
    argv = ['run'] + DATAFLOW + ['--input', feeds, '--output', output, '--setup_file', setup_file,
                                 '--max_num_workers', '6', '--capture-time', '2020-05-24T09:49:19Z',
                                 '--capture-time-from-filename']
    assert main(argv) == 0
    assert offline.touched == []
    result, = offline.checked

    assert result.runner == 'DataflowRunner' and not result.streaming
    assert result.options.view_as(SetupOptions).setup_file == setup_file
    assert result.options.view_as(GoogleCloudOptions).project == PROJECT
    assert STAGES | {'WriteManifest'} <= set(result.stages)
    assert not {'RouteTooLate', 'PublishEvent'} & set(result.stages)
    assert not transforms(result.proto, common_urns.composites.PUBSUB_READ.urn)

    source = file_sinks(result.pipeline)['ReadItems']
    assert source.paths == [feeds]
    assert source.capture_time.isoformat() == '2020-05-24T09:49:19+00:00'
    assert source.capture_time_from_filename is True
    assert result.reads == [f'feed files {feeds}']
    assert f'manifest {output}/_MANIFEST.json' in result.writes
    assert_file_sinks(result, output, shards=6)  # --num_shards 0: the job's max_num_workers

    out = capsys.readouterr().out
    assert 'DataflowRunner (batch)' in out and f'setup_file {setup_file}' in out


def test_a_dry_run_without_the_options_dataflow_needs_names_them_in_one_line(offline, capsys):
    assert main(['stream', '--runner', 'DataflowRunner', '--dry_run', 'true',
                 '--output', f'{BUCKET}/out']) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert '--project' in err and '--region' in err and '--temp_location' in err
    assert offline.touched == [] and offline.checked == []  # no default bucket, no gcloud


def test_a_dataflow_dry_run_refuses_local_paths(offline, capsys, tmp_path):
    assert main(['run'] + DATAFLOW + ['--input', str(tmp_path), '--output', str(tmp_path / 'out')]) == 2
    err = capsys.readouterr().err
    assert 'Dataflow workers write gs://' in err and 'Dataflow workers read gs://' in err
    assert not (tmp_path / 'out').exists()


def test_local_stream_dry_run_reads_without_id_label_and_creates_nothing(offline, capsys, tmp_path):
    out = tmp_path / 'out'
    assert main(['stream', '--dry_run', 'true', '--output', str(out)]) == 0
    assert offline.touched == [] and not out.exists()
    result, = offline.checked
    assert result.runner == runners.LOCAL_STREAMING_RUNNER
    read, = transforms(result.proto, common_urns.composites.PUBSUB_READ.urn)
    payload = beam_runner_api_pb2.PubSubReadPayload.FromString(read.spec.payload)
    assert (payload.subscription, payload.timestamp_attribute, payload.id_attribute) == (
        'projects/wirewatch-local/subscriptions/wirewatch-items-sub', 'published_at', '')
    # the local runner refuses id_label: the dry run says so instead of building it
    assert main(['stream', '--dry_run', 'true', '--output', str(out), '--pubsub_id_label', 'item_id']) == 2
    assert '--pubsub_id_label works on Dataflow only' in capsys.readouterr().err


def test_beams_own_checks_for_the_runner_refuse_bad_options_offline(offline, capsys):
    """A project id Dataflow would refuse: refused here, by Beam's checks, without asking anyone."""
    assert main(['stream'] + DATAFLOW[:4] + ['--project', 'P', '--region', REGION,
                                             '--temp_location', f'{BUCKET}/tmp',
                                             '--subscription', SUBSCRIPTION,
                                             '--output', f'{BUCKET}/out']) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'Invalid Project ID (P)' in err
    assert offline.touched == [] and offline.checked == []


@pytest.mark.parametrize('value, expected', [('true', True), ('True', True), ('false', False),
                                             ('0', False), (None, False)])
def test_dry_run_values_are_read_as_booleans(value, expected):
    """Beam itself reads any non-empty --dry_run as true ('false' included)."""
    options = runners.pipeline_options(['--runner', 'DataflowRunner'] + (['--dry_run', value] if value else []))
    assert runners.dry_run_requested(options) is expected


def test_a_remote_run_neither_creates_nor_clears_its_output(monkeypatch, tmp_path, capsys):
    """Not a dry run: on a remote runner the job owns DIR (here FlinkRunner, run replaced)."""
    out = tmp_path / 'out'
    submitted = []

    class Result:
        def wait_until_finish(self, duration=None):
            return 'DONE'

    def run(pipeline, *args, **kwargs):
        submitted.append(pipeline.options.view_as(StandardOptions).runner)
        return Result()

    monkeypatch.setattr(beam.Pipeline, 'run', run)
    monkeypatch.setattr('wirewatch.pipeline.cli.prepare_output_dir',
                        lambda *a, **k: pytest.fail('the CLI prepared a remote output folder'))
    assert main(['run', '--runner', 'FlinkRunner', '--flink_master', 'flink-jm:8081',
                 '--input', str(tmp_path), '--output', str(out)]) == 0
    assert submitted == ['FlinkRunner'] and not out.exists()
    assert capsys.readouterr().out.strip() == str(out / '_MANIFEST.json')


@pytest.mark.parametrize('command', ['run', 'stream'])
def test_help_says_the_cli_leaves_a_remote_output_to_the_job(command, capsys):
    with pytest.raises(SystemExit):
        main([command, '--help'])
    text = ' '.join(capsys.readouterr().out.split())
    assert 'neither creates nor clears DIR' in text and '--dry_run true' in text
