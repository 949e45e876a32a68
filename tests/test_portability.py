"""The pipeline as a portable runner (Flink) receives it: every transform portable, or named.

The batch graph (``ReadFeedFiles``, as ``wirewatch run``) and the streaming graph
(``ReadFromPubSubItems``, as ``wirewatch stream``) are built with FlinkRunner options and
translated with ``PortableRunner.get_proto_pipeline``: the proto the FlinkRunner submits,
after its own pre-optimisation (lifted combiners in batch). Offline: no job server, no
Flink, no Docker, no expansion service.

A leaf transform (one without parts) is portable when
- the runner executes it itself: Impulse, GroupByKey, Flatten, Reshuffle, assign windows
  (the primitives Flink's portable translators know), or
- the Python SDK harness executes it: ParDo, WindowInto, the lifted combine steps, the
  splittable-DoFn steps (standard URNs the harness implements), or
- it belongs to another SDK's environment: a cross-language transform, expanded by that
  SDK's expansion service and executed by its harness.
Anything else is not portable and must be listed in ``NOT_PORTABLE`` with the reason, so a
new one fails here. Stateful steps are portable but need a runner with state and timers
(Flink has both); they are listed in ``STATEFUL`` so that a new one is noticed, too (and
documented in deploy/flink/README.md).

The cross-language Pub/Sub reader (``--pubsub_expansion_service``) cannot be expanded
here (expansion runs Java's expansion service); the tests check that it is chosen with
the right settings and that the decode step after it is unchanged, not its expansion.
"""
import datetime
import os
import shlex
import subprocess

import apache_beam as beam
import pytest
from apache_beam.io.gcp.pubsub import PubsubMessage
from apache_beam.portability import common_urns
from apache_beam.portability.api import beam_runner_api_pb2
from apache_beam.runners.portability.portable_runner import PortableRunner
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.version import __version__ as BEAM_VERSION

from wirewatch import schemas
from wirewatch.pipeline.build import build_pipeline
from wirewatch.pipeline.options import feed_files_source, pubsub_source
from wirewatch.pipeline.runners import pipeline_options
from wirewatch.transforms.ingest import sources
from wirewatch.transforms.ingest.sources import ReadFromPubSubItems

UTC = datetime.timezone.utc
SUBSCRIPTION = 'projects/wirewatch-test/subscriptions/wirewatch-items-sub'
TOPICS = ['--events_topic', 'projects/wirewatch-test/topics/wirewatch-events',
          '--summaries_topic', 'projects/wirewatch-test/topics/wirewatch-summaries',
          '--deadletter_topic', 'projects/wirewatch-test/topics/wirewatch-deadletter']
FLINK = ['--runner', 'FlinkRunner', '--flink_master', 'flink-jobmanager:8081',
         '--environment_type', 'DOCKER', '--environment_config', 'wirewatch-sdk:test',
         '--parallelism', '4']

RUNNER_URNS = {common_urns.primitives.IMPULSE.urn, common_urns.primitives.GROUP_BY_KEY.urn,
               common_urns.primitives.FLATTEN.urn, common_urns.primitives.ASSIGN_WINDOWS.urn,
               common_urns.composites.RESHUFFLE.urn}
SDK_HARNESS_URNS = ({common_urns.primitives.PAR_DO.urn, common_urns.primitives.ASSIGN_WINDOWS.urn,
                     common_urns.primitives.FLATTEN.urn}
                    | {u.urn for u in vars(common_urns.combine_components).values() if hasattr(u, 'urn')}
                    | {u.urn for u in vars(common_urns.sdf_components).values() if hasattr(u, 'urn')})
PYTHON_SDK_CAPABILITY = 'beam:version:sdk_base:apache/beam_python'

# Leaf transforms a portable runner cannot run, and why. A new entry needs a plan (see
# deploy/flink/README.md), not just a line here.
NOT_PORTABLE = {
    'ReadItems/ReadPubSub/Read': (
        common_urns.composites.PUBSUB_READ.urn,
        "Python's ReadFromPubSub: a runner-native read with no expansion; Dataflow and the "
        'Python DirectRunner substitute their own, Flink has none. On Flink read with '
        '--pubsub_expansion_service (the cross-language Java reader)'),
}

# Stateful steps (state and event-time timers, keyed as in deploy/flink/README.md): portable,
# but only on runners with state and timers. Batch has none.
STATEFUL = {
    'RouteTooLate/JudgeLateness/ParDo(_RouteTooLateFn)': 'lateness shard (8 keys)',
    'Cluster/DropSameItem/KeepFirstSeen/ParDo(_KeepFirstSeenFn)': 'item id',
    'Cluster/DropSameUrl/KeepFirstSeen/ParDo(_KeepFirstSeenFn)': 'canonical URL',
    'Cluster/ClusterNearDuplicates/VoteInBand': 'LSH band key',
    'Cluster/ClusterNearDuplicates/DecideCluster': 'story id',
    'Cluster/ResolveChains/Lift1/ParDo(_LiftStatefulFn)': 'claimed cluster id',
    'Cluster/ResolveChains/Lift2/ParDo(_LiftStatefulFn)': 'claimed cluster id',
    'Cluster/ResolveChains/Lift3/ParDo(_LiftStatefulFn)': 'claimed cluster id',
    'SummariseByCountry/GradeAndCloseWindows': 'country',
    'SkipWrittenStory/DropWritten': 'story id',
    'SkipWrittenEvent/DropWritten': 'event id',
}


def leaf_transforms(proto):
    """{unique name: PTransform proto} of the transforms without parts, which a runner executes."""
    leaves = {}

    def visit(transform_id):
        transform = proto.components.transforms[transform_id]
        if transform.subtransforms:
            for part in transform.subtransforms:
                visit(part)
        else:
            leaves[transform.unique_name] = transform
    for root in proto.root_transform_ids:
        visit(root)
    return leaves


def is_python_environment(proto, environment_id):
    capabilities = proto.components.environments[environment_id].capabilities
    return any(c.startswith(PYTHON_SDK_CAPABILITY) for c in capabilities)


def portability(proto):
    """({name: urn} of the leaf transforms no portable runner can run, {name: state names} of
    the stateful ones)."""
    not_portable, stateful = {}, {}
    for name, transform in leaf_transforms(proto).items():
        urn, env = transform.spec.urn, transform.environment_id
        if env and not is_python_environment(proto, env):
            continue  # cross-language: another SDK's expansion, run by that SDK's harness
        if urn not in RUNNER_URNS and not (env and urn in SDK_HARNESS_URNS):
            not_portable[name] = urn
        if urn == common_urns.primitives.PAR_DO.urn:
            payload = beam_runner_api_pb2.ParDoPayload.FromString(transform.spec.payload)
            if payload.state_specs or payload.timer_family_specs:
                stateful[name] = sorted(payload.state_specs)
    return not_portable, stateful


def flink_proto(tmp_path, streaming, extra=()):
    options = pipeline_options(FLINK + list(extra) + ['--output', str(tmp_path / 'out')],
                               streaming=streaming)
    source = (pubsub_source(SUBSCRIPTION, options) if streaming
              else feed_files_source([str(tmp_path / 'feeds')], options))
    pipeline = build_pipeline(options, source)
    return PortableRunner.get_proto_pipeline(pipeline, options)


# ------------------------------------------------------------------ the checker itself

def _proto(build):
    options = pipeline_options(FLINK + ['--output', '/unused'], streaming=True)
    pipeline = beam.Pipeline(options=options)
    build(pipeline)
    return PortableRunner.get_proto_pipeline(pipeline, options)


def test_checker_names_a_runner_native_read_and_a_stateful_step():
    class Remember(beam.DoFn):
        SEEN = beam.transforms.userstate.ReadModifyWriteStateSpec('seen', beam.coders.BooleanCoder())

        def process(self, kv, seen=beam.DoFn.StateParam(SEEN)):
            seen.write(True)
            yield kv

    proto = _proto(lambda p: (p | 'Read' >> beam.io.ReadFromPubSub(subscription=SUBSCRIPTION)
                              | 'Key' >> beam.Map(lambda b: (b, b))
                              | 'Remember' >> beam.ParDo(Remember())))
    not_portable, stateful = portability(proto)
    assert not_portable == {'Read/Read': common_urns.composites.PUBSUB_READ.urn}
    assert stateful == {'Remember': ['seen']}


def test_checker_passes_plain_python_steps_and_other_sdks_transforms():
    proto = _proto(lambda p: p | beam.Create([1, 2]) | beam.Map(str) | beam.GroupBy(len))
    assert portability(proto) == ({}, {})
    # a transform in another SDK's environment (what an expansion service returns) is
    # that SDK's to run, whatever its URN
    java = proto.components.environments['java']
    java.urn = common_urns.environments.DOCKER.urn
    java.capabilities.append('beam:version:sdk_base:apache/beam_java17_sdk:' + BEAM_VERSION)
    proto.components.transforms['external-read'].CopyFrom(beam_runner_api_pb2.PTransform(
        unique_name='ExternalRead', environment_id='java',
        spec=beam_runner_api_pb2.FunctionSpec(urn='beam:transform:org.apache.beam:pubsub_read:v1')))
    proto.root_transform_ids.append('external-read')
    assert portability(proto) == ({}, {})


# ------------------------------------------------------------------ the pipeline

def test_batch_graph_is_portable_and_keeps_no_user_state(tmp_path):
    proto = flink_proto(tmp_path, streaming=False)
    assert portability(proto) == ({}, {})
    assert list(proto.requirements) == []
    names = set(leaf_transforms(proto))
    # the stages and the manifest are there, with combiners lifted for the runner
    for stage in ('ReadItems/', 'Normalise/', 'Cluster/', 'ExtractEvents/', 'SummariseByCountry/',
                  'WriteStoryFiles/', 'WriteManifest/'):
        assert any(n.startswith(stage) for n in names), stage
    assert any(t.spec.urn == common_urns.combine_components.COMBINE_PER_KEY_PRECOMBINE.urn
               for t in leaf_transforms(proto).values())


def test_streaming_graph_is_portable_but_for_the_python_pubsub_read(tmp_path):
    proto = flink_proto(tmp_path, streaming=True, extra=TOPICS)
    not_portable, stateful = portability(proto)
    assert not_portable == {name: urn for name, (urn, _why) in NOT_PORTABLE.items()}
    assert set(stateful) == set(STATEFUL)
    assert list(proto.requirements) == [common_urns.requirements.REQUIRES_STATEFUL_PROCESSING.urn]
    # publishing runs in Python (a DoFn with the Pub/Sub client), portable as it stands
    publish = [n for n in leaf_transforms(proto) if n.startswith('Publish') and n.endswith('WriteDoFn)')]
    assert len(publish) == 3


def test_flink_options_change_the_environment_not_the_graph(tmp_path):
    """The FlinkRunner options reach the proto's environment, nothing else changes: the same
    stages as with the local runner."""
    proto = flink_proto(tmp_path, streaming=True, extra=TOPICS)
    (env,) = proto.components.environments.values()
    assert env.urn == common_urns.environments.DOCKER.urn
    assert beam_runner_api_pb2.DockerPayload.FromString(env.payload).container_image == 'wirewatch-sdk:test'
    local = pipeline_options(TOPICS + ['--output', str(tmp_path / 'out')], streaming=True)
    local_names = {t.unique_name for t in build_pipeline(local, ReadFromPubSubItems(SUBSCRIPTION))
                   .to_runner_api().components.transforms.values()}
    assert {t.unique_name for t in proto.components.transforms.values()} == local_names


# ------------------------------------------------------------------ the cross-language reader

def test_python_reader_by_default():
    reader = ReadFromPubSubItems(SUBSCRIPTION, id_label='item_id').reader()
    assert isinstance(reader, beam.io.ReadFromPubSub)
    assert reader.with_attributes and reader._source.id_label == 'item_id'
    assert reader._source.timestamp_attribute == 'published_at'


def test_expansion_service_selects_the_cross_language_reader():
    from apache_beam.io.external.gcp.pubsub import ReadFromPubSub as CrossLanguageRead
    reader = ReadFromPubSubItems(SUBSCRIPTION, id_label='item_id',
                                 expansion_service='localhost:8097').reader()
    assert isinstance(reader, CrossLanguageRead)
    assert reader.params._asdict() == {'topic': None, 'subscription': SUBSCRIPTION,
                                       'id_label': 'item_id', 'with_attributes': True,
                                       'timestamp_attribute': 'published_at'}
    assert reader.expansion_service == 'localhost:8097'


def test_expansion_service_specs():
    from apache_beam.transforms.external import BeamJarExpansionService, JavaJarExpansionService
    auto = sources.expansion_service('auto')
    assert isinstance(auto, BeamJarExpansionService)
    assert auto.gradle_target == sources.GCP_IO_EXPANSION_SERVICE_TARGET
    assert auto.path_to_jar.endswith(  # resolved, not fetched: fetching happens at expansion
        f'/beam-sdks-java-io-google-cloud-platform-expansion-service-{BEAM_VERSION}.jar')
    jar = sources.expansion_service('/opt/beam/gcp-expansion-service.jar')
    assert isinstance(jar, JavaJarExpansionService)
    assert jar.path_to_jar == '/opt/beam/gcp-expansion-service.jar'
    assert sources.expansion_service(' expansion:8097 ') == 'expansion:8097'
    with pytest.raises(ValueError):
        sources.expansion_service('  ')


def test_the_option_reaches_the_cli_source():
    """``--pubsub_expansion_service`` on the command line selects the reader of the source
    ``wirewatch stream`` and the launcher build (``pipeline.options.pubsub_source``)."""
    from apache_beam.io.external.gcp.pubsub import ReadFromPubSub as CrossLanguageRead
    flags = ['--pubsub_expansion_service', 'expansion:8097', '--pubsub_id_label', 'item_id']
    chosen = pubsub_source(SUBSCRIPTION, pipeline_options(FLINK + flags, streaming=True)).reader()
    assert isinstance(chosen, CrossLanguageRead)
    assert (chosen.expansion_service, chosen.params.id_label) == ('expansion:8097', 'item_id')
    default = pubsub_source(SUBSCRIPTION, pipeline_options([], streaming=True)).reader()
    assert isinstance(default, beam.io.ReadFromPubSub)


def test_decode_step_is_the_same_after_either_reader(monkeypatch):
    """What the cross-language reader yields (PubsubMessages with attributes) goes through
    the same decode step: a FeedItem comes out, a bad message becomes a dead letter."""
    item = {'item_id': 'id-1', 'title': 'Ferry service resumes', 'feed_url': 'https://wire.example.org/rss',
            'source_name': 'Example Wire', 'fetched_at': datetime.datetime(2022, 3, 1, 8, 0, tzinfo=UTC)}
    messages = [PubsubMessage(schemas.encode('FeedItem', item), schemas.message_attributes('FeedItem')),
                PubsubMessage(b'', {'schema': 'FeedItem'})]
    monkeypatch.setattr(ReadFromPubSubItems, 'reader', lambda self: beam.Create(messages))
    with TestPipeline(runner='BundleBasedDirectRunner') as p:
        items, dead = p | ReadFromPubSubItems(SUBSCRIPTION, expansion_service='localhost:8097')
        assert_that(items | beam.Map(lambda i: i['item_id']), equal_to(['id-1']), label='items')
        assert_that(dead | beam.Map(lambda d: (d['stage'], d['error'])),
                    equal_to([('decode', 'EMPTY_MESSAGE')]), label='dead')


# ------------------------------------------------------------------ deploy/flink/run_flink.sh

RUN_FLINK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         'deploy', 'flink', 'run_flink.sh')
# Options of Java's FlinkPipelineOptions, which the Python FlinkRunner learns from the job
# server when it submits; Python's own parsers do not declare them.
JAVA_FLINK_OPTIONS = {'checkpointing_interval'}


def run_flink_dry_run(mode, *flags, **env):
    return subprocess.run(['bash', RUN_FLINK, '--dry-run', mode, *flags], capture_output=True, text=True,
                          timeout=30, env={'PATH': os.environ['PATH'], **env})


def python_option_names():
    from apache_beam.options.pipeline_options import PipelineOptions
    launcher_flags = {'input', 'subscription', 'wait'}
    return set(PipelineOptions([]).get_all_options()) | launcher_flags


def test_run_flink_stream_reads_pubsub_through_the_cross_language_reader():
    out = run_flink_dry_run('stream', *TOPICS, SUBSCRIPTION=SUBSCRIPTION, OUTPUT='gs://wirewatch-test/out',
                            EXPANSION_SERVICE='localhost:8097', FLINK_MASTER='flink-jm:8081',
                            ENVIRONMENT_TYPE='DOCKER', ENVIRONMENT_CONFIG='wirewatch-sdk:test')
    assert out.returncode == 0, out.stderr
    argv = shlex.split(out.stdout)
    assert argv[argv.index('--pubsub_expansion_service') + 1] == 'localhost:8097'
    assert argv[argv.index('--runner') + 1] == 'FlinkRunner'
    assert '--checkpointing_interval' in argv and '--wait' not in argv
    assert argv[argv.index('--events_topic') + 1] == TOPICS[1]  # flags after the mode pass through
    flags = {a[2:] for a in argv if a.startswith('--')}
    assert flags - python_option_names() == JAVA_FLINK_OPTIONS


def test_run_flink_stream_refuses_to_start_without_an_expansion_service():
    out = run_flink_dry_run('stream', SUBSCRIPTION=SUBSCRIPTION, OUTPUT='gs://wirewatch-test/out')
    assert out.returncode != 0 and 'EXPANSION_SERVICE' in out.stderr
    assert out.stdout == ''


def test_run_flink_batch_flags_are_real_options():
    out = run_flink_dry_run('batch', INPUT='gs://wirewatch-test/feeds/*', OUTPUT='gs://wirewatch-test/out')
    assert out.returncode == 0, out.stderr
    flags = {a[2:] for a in shlex.split(out.stdout) if a.startswith('--')}
    assert flags <= python_option_names()
    assert '--wait' in out.stdout  # LOOPBACK (the default) runs the workers in the launcher
