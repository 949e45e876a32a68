"""deploy/: the Flex Template (metadata, image, launcher, script) and the Flink runner script.

Nothing here talks to GCP or Flink: the launcher only *builds* the pipeline graph,
and the shell scripts run with ``--dry-run``.
"""
import argparse
import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import StandardOptions
from apache_beam.pipeline import PipelineVisitor

from wirewatch.pipeline.options import WirewatchOptions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATAFLOW = os.path.join(ROOT, 'deploy', 'dataflow')
FLINK = os.path.join(ROOT, 'deploy', 'flink')
FEED = os.path.join(ROOT, 'tests', 'fixtures', 'feeds', 'wire_rss20.xml')
RUNNER = 'BundleBasedDirectRunner'  # builds only; never the Prism-downloading default
SUBSCRIPTION = 'projects/wirewatch-test/subscriptions/wirewatch-items-sub'
TOPICS = 'projects/wirewatch-test/topics/'

# Template parameters that are Beam's own options rather than wirewatch's.
BEAM_PARAMETERS = {'sdk_container_image'}
# WirewatchOptions a Dataflow template has no use for, and why.
NOT_FOR_DATAFLOW = {
    'pubsub_expansion_service': 'Dataflow reads Pub/Sub natively; the cross-language reader is for Flink',
}


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def load_launcher():
    """deploy/dataflow/launcher.py as a module (deploy/ is not a package: the image copies the file)."""
    spec = importlib.util.spec_from_file_location(
        'wirewatch_flex_launcher', os.path.join(DATAFLOW, 'launcher.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def launcher():
    return load_launcher()


@pytest.fixture(scope='module')
def metadata():
    with open(os.path.join(DATAFLOW, 'metadata.json'), encoding='utf-8') as f:
        return json.load(f)


def option_dests(add_arguments):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return {a.dest for a in parser._actions if a.dest != 'help'}


def wirewatch_option_names():
    return option_dests(WirewatchOptions._add_argparse_args)


def setup_constant(name):
    """A module-level constant of setup.py, read without running setup()."""
    tree = ast.parse(read(os.path.join(ROOT, 'setup.py')))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f'setup.py defines no {name}')


# ------------------------------------------------------------------ metadata.json

def test_every_parameter_has_name_label_help_and_compiling_regexes(metadata):
    names = [p['name'] for p in metadata['parameters']]
    assert len(names) == len(set(names)), 'duplicate parameter names'
    for param in metadata['parameters']:
        assert param.get('label') and param.get('helpText'), param['name']
        assert param.get('regexes'), f"{param['name']} has no regex"
        for regex in param['regexes']:
            re.compile(regex)


def test_parameter_names_are_real_options(metadata, launcher):
    launcher_options = {a.dest for a in launcher.make_parser()._actions if a.dest != 'help'}
    known = wirewatch_option_names() | launcher_options
    unknown = {p['name'] for p in metadata['parameters']} - known
    assert not unknown, f'metadata.json declares options nobody parses: {unknown}'


def test_every_wirewatch_option_and_source_is_a_template_parameter(metadata):
    declared = {p['name'] for p in metadata['parameters']}
    missing = (wirewatch_option_names() | {'input', 'subscription'}) - declared - set(NOT_FOR_DATAFLOW)
    assert not missing, f'options the template cannot set: {missing}'
    assert not set(NOT_FOR_DATAFLOW) & declared


def test_only_output_is_required(metadata):
    required = {p['name'] for p in metadata['parameters'] if not p.get('isOptional')}
    assert required == {'output'}


def test_defaults_and_help_examples_pass_their_regexes(metadata):
    defaults = WirewatchOptions([]).get_all_options()
    for param in metadata['parameters']:
        samples = re.findall(r'Example: (\S+)', param['helpText'])
        if defaults.get(param['name']) is not None:
            samples.append(str(defaults[param['name']]))
        assert samples, f"{param['name']}: no example or default to check the regex with"
        for sample in samples:
            assert any(re.fullmatch(r, sample) for r in param['regexes']), (param['name'], sample)


@pytest.mark.parametrize('name, bad', [
    ('output', '/tmp/out'),
    ('output', 'gs://bucket/out\nmore'),
    ('subscription', 'wirewatch-items-sub'),
    ('subscription', 'projects/p/subscriptions/s'),
    ('events_topic', 'projects/wirewatch-test/subscriptions/wirewatch-events'),
    ('window_seconds', '0'),
    ('window_seconds', '1.5'),
    ('near_duplicate_threshold', '1.2'),
    ('extract_batch_size', '-1'),
    ('capture_time', '2020-05-24'),
    ('capture_time', '2020-05-24T09:49:19'),
    ('capture_time_from_filename', 'maybe'),
    ('num_shards', '-1'),
])
def test_regexes_refuse_wrong_values(metadata, name, bad):
    param = next(p for p in metadata['parameters'] if p['name'] == name)
    assert not any(re.fullmatch(r, bad) for r in param['regexes'])


@pytest.mark.parametrize('value', ['2020-05-24T09:49:19Z', '2020-05-24t11:49:19.250+02:00'])
def test_a_capture_time_the_template_accepts_is_one_the_pipeline_reads(metadata, value):
    from wirewatch.transforms.ingest.feeds import parse_capture_time
    param = next(p for p in metadata['parameters'] if p['name'] == 'capture_time')
    assert any(re.fullmatch(r, value) for r in param['regexes'])
    assert parse_capture_time(value).tzinfo is not None


@pytest.mark.parametrize('value, expected', [('true', True), ('false', False), ('True', True)])
def test_capture_time_from_filename_takes_the_values_its_regex_allows(metadata, value, expected):
    param = next(p for p in metadata['parameters'] if p['name'] == 'capture_time_from_filename')
    assert any(re.fullmatch(r, value) for r in param['regexes'])
    options = WirewatchOptions([f'--capture_time_from_filename={value}'])
    assert options.capture_time_from_filename is expected


@pytest.mark.skipif(shutil.which('gcloud') is None, reason='gcloud is not installed')
def test_gcloud_reads_metadata_into_the_template_spec(metadata, tmp_path):
    """gcloud's own reading of metadata.json (--print-only: nothing is uploaded)."""
    env = dict(os.environ, CLOUDSDK_CONFIG=str(tmp_path / 'gcloud'), CLOUDSDK_CORE_DISABLE_PROMPTS='1',
               CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK='1')
    out = subprocess.run(
        ['gcloud', 'dataflow', 'flex-template', 'build', 'gs://my-bucket/templates/wirewatch.json',
         '--image', 'europe-west1-docker.pkg.dev/my-project/wirewatch/wirewatch:t',
         '--sdk-language', 'PYTHON', '--metadata-file', os.path.join(DATAFLOW, 'metadata.json'),
         '--print-only', '--project', 'my-project'],
        capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    spec = json.loads(out.stdout[out.stdout.index('{'):])
    assert spec['sdkInfo']['language'] == 'PYTHON'
    assert spec['metadata']['parameters'] == metadata['parameters']


# ------------------------------------------------------------------ the image

def test_dockerfile_beam_version_is_setup_py_beam_version():
    dockerfile = read(os.path.join(DATAFLOW, 'Dockerfile'))
    declared = re.search(r'^ARG BEAM_VERSION=(\S+)$', dockerfile, re.M).group(1)
    assert declared == setup_constant('BEAM_VERSION') == beam.__version__
    sdk_images = re.findall(r'^FROM apache/beam_python(\d\.\d+)_sdk:(\S+)', dockerfile, re.M)
    assert sdk_images == [('3.11', '${BEAM_VERSION}')]


def test_dockerfile_launcher_base_is_for_the_sdk_images_python():
    dockerfile = read(os.path.join(DATAFLOW, 'Dockerfile'))
    sdk_python = re.search(r'^FROM apache/beam_python(\d)\.(\d+)_sdk', dockerfile, re.M).groups()
    launcher_base = re.search(r'dataflow-templates-base/python(\d+)-template-launcher-base',
                              dockerfile).group(1)
    assert launcher_base == ''.join(sdk_python)


def test_dockerfile_installs_the_package_and_points_the_template_at_the_launcher():
    dockerfile = read(os.path.join(DATAFLOW, 'Dockerfile'))
    assert re.search(r'^RUN pip install --no-cache-dir \$\{WORKDIR\}/src', dockerfile, re.M)
    assert 'deploy/dataflow/launcher.py ${WORKDIR}/launcher.py' in dockerfile
    assert re.search(r'^ENV FLEX_TEMPLATE_PYTHON_PY_FILE="\$\{WORKDIR\}/launcher.py"$', dockerfile, re.M)
    assert 'ENTRYPOINT ["/opt/apache/beam/boot"]' in dockerfile  # doubles as the SDK container


def test_every_python_package_in_the_tree_is_in_setup_packages():
    """The image does a regular (not editable) install: a package missing from PACKAGES
    works in the venv and is absent on workers."""
    packages = set(setup_constant('PACKAGES'))
    skip = {'tests', 'deploy', 'bench', 'eval', 'build', 'dist'}
    found = set()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = os.path.relpath(dirpath, ROOT)
        dirnames[:] = [d for d in dirnames if not d.startswith('.') and d not in skip
                       and not d.endswith('.egg-info') and d != '__pycache__']
        if '__init__.py' in filenames:
            found.add('wirewatch' if rel == '.' else 'wirewatch.' + rel.replace(os.sep, '.'))
    assert found - packages == set(), 'add these to PACKAGES in setup.py'


def test_cloudbuild_builds_the_dockerfile_from_the_repository_root():
    config = read(os.path.join(DATAFLOW, 'cloudbuild.yaml'))
    assert "'-f', 'deploy/dataflow/Dockerfile'" in config and "'.']" in config


# ------------------------------------------------------------------ the launcher

def labels(pipeline):
    """Full labels of every transform in the graph."""
    proto = pipeline.to_runner_api()
    return {t.unique_name for t in proto.components.transforms.values()}


STAGES = {'ReadItems', 'Normalise', 'Cluster', 'ExtractEvents', 'SummariseByCountry',
          'WriteStoryFiles', 'WriteEventFiles', 'WriteCountrySummaryFiles', 'WriteDeadLetterFiles'}


def test_launcher_builds_the_batch_pipeline(launcher, tmp_path):
    pipeline = launcher.build(['--input', FEED, '--output', str(tmp_path), '--runner', RUNNER])
    names = labels(pipeline)
    assert STAGES | {'WriteManifest'} <= names
    assert not {'RouteTooLate', 'PublishEvent'} & names
    assert not pipeline._options.view_as(StandardOptions).streaming
    assert os.listdir(tmp_path) == []  # built, not run


def test_launcher_builds_the_streaming_pipeline(launcher, tmp_path):
    pipeline = launcher.build([
        '--subscription', SUBSCRIPTION, '--output', str(tmp_path), '--runner', RUNNER,
        '--events_topic', TOPICS + 'wirewatch-events',
        '--summaries_topic', TOPICS + 'wirewatch-summaries',
        '--deadletter_topic', TOPICS + 'wirewatch-deadletter'])
    names = labels(pipeline)
    assert STAGES | {'RouteTooLate', 'ReadItems/ReadPubSub', 'PublishEvent',
                     'PublishCountrySummary', 'PublishDeadLetter'} <= names
    assert 'WriteManifest' not in names
    assert pipeline._options.view_as(StandardOptions).streaming


def test_launcher_builds_the_same_graph_as_the_pipeline_builder(launcher, tmp_path):
    """The launcher adds nothing of its own: same labels as build_pipeline over the same source."""
    from wirewatch.pipeline.build import build_pipeline
    from wirewatch.pipeline.runners import pipeline_options
    from wirewatch.transforms.ingest import ReadFeedFiles

    args = ['--output', str(tmp_path), '--runner', RUNNER, '--window_seconds', '3600']
    direct = build_pipeline(pipeline_options(args), ReadFeedFiles([FEED]))
    launched = launcher.build(['--input', FEED] + args)
    assert labels(launched) == labels(direct)
    assert launched._options.view_as(WirewatchOptions).window_seconds == 3600


class _FindSource(PipelineVisitor):
    def __init__(self):
        self.source = None

    def enter_composite_transform(self, node):
        if node.full_label == 'ReadItems':
            self.source = node.transform


def test_launcher_passes_the_capture_time_options_to_the_feed_source(launcher, tmp_path):
    """What the template's capture_time parameters reach: the batch source's own settings."""
    pipeline = launcher.build(['--input', FEED, '--output', str(tmp_path), '--runner', RUNNER,
                               '--capture_time=2020-05-24T11:49:19+02:00',
                               '--capture_time_from_filename=true'])
    finder = _FindSource()
    pipeline.visit(finder)
    assert finder.source.capture_time.isoformat() == '2020-05-24T09:49:19+00:00'
    assert finder.source.capture_time_from_filename is True
    plain = _FindSource()
    launcher.build(['--input', FEED, '--output', str(tmp_path), '--runner', RUNNER]).visit(plain)
    assert (plain.source.capture_time, plain.source.capture_time_from_filename) == (None, False)


def test_launcher_refuses_a_capture_time_without_an_offset(launcher, tmp_path):
    with pytest.raises(ValueError, match='--capture_time'):
        launcher.build(['--input', FEED, '--output', str(tmp_path), '--runner', RUNNER,
                        '--capture_time=2020-05-24T09:49:19'])


def test_launcher_dry_run_checks_the_dataflow_graph_and_submits_nothing(launcher, monkeypatch, caplog):
    """--dry_run true: built and checked offline (see tests/test_dataflow_dry_run.py), not run."""
    import apache_beam
    monkeypatch.setattr(apache_beam.Pipeline, 'run', lambda self, *a, **k: pytest.fail('ran the pipeline'))
    caplog.set_level('INFO')
    assert launcher.main(['--subscription', SUBSCRIPTION, '--output', 'gs://my-bucket/out',
                          '--runner', 'DataflowRunner', '--project', 'my-project',
                          '--region', 'europe-west1', '--temp_location', 'gs://my-bucket/tmp',
                          '--pubsub_id_label', 'item_id', '--dry_run', 'true']) is None
    assert f'Pub/Sub {SUBSCRIPTION}' in caplog.text and 'DataflowRunner (streaming)' in caplog.text


def test_launcher_completes_a_short_subscription_name_with_the_project(launcher, tmp_path):
    pipeline = launcher.build(['--subscription', 'wirewatch-items-sub', '--project', 'wirewatch-test',
                               '--output', str(tmp_path), '--runner', RUNNER])
    finder = _FindSource()
    pipeline.visit(finder)
    assert finder.source.subscription == SUBSCRIPTION


@pytest.mark.parametrize('argv', [
    ['--output', 'out'],                                                  # no source
    ['--input', FEED, '--subscription', SUBSCRIPTION, '--output', 'out'],  # two sources
    ['--subscription', 'wirewatch-items-sub', '--output', 'out'],         # short name, no project
])
def test_launcher_refuses_bad_source_arguments(launcher, argv):
    with pytest.raises(SystemExit):
        launcher.build(argv + ['--runner', RUNNER])


def test_launcher_main_submits_without_waiting(launcher, monkeypatch):
    """Dataflow's launcher waits for this program to exit: it must not wait for the job."""
    class Result:
        state = 'RUNNING'

        def wait_until_finish(self, duration=None):
            raise AssertionError('the launcher waited for the job')

    class Pipeline:
        def run(self):
            return Result()

    monkeypatch.setattr(launcher, 'build', lambda argv: Pipeline())
    assert launcher.main(['--subscription', SUBSCRIPTION]).state == 'RUNNING'


def test_launcher_waits_only_when_asked(launcher, monkeypatch):
    waited = []

    class Result:
        state = 'RUNNING'

        def wait_until_finish(self, duration=None):
            waited.append(True)

    class Pipeline:
        def run(self):
            return Result()

    monkeypatch.setattr(launcher, 'build', lambda argv: Pipeline())
    launcher.main(['--input', FEED, '--wait'])
    assert waited == [True]


def test_launcher_builds_with_flink_runner_options(launcher, tmp_path):
    """FlinkRunner options parse and the graph builds; nothing contacts a Flink master."""
    pipeline = launcher.build(['--input', FEED, '--output', str(tmp_path), '--runner', 'FlinkRunner',
                               '--flink_master', 'localhost:8081', '--environment_type', 'LOOPBACK',
                               '--parallelism', '2'])
    assert STAGES <= labels(pipeline)


# ------------------------------------------------------------------ the scripts

def dry_run(script, *args, **env):
    """Run a deploy script with --dry-run and no gcloud/flink on PATH."""
    clean = {'PATH': os.path.dirname(shutil.which('bash')), 'HOME': os.environ.get('HOME', '/tmp')}
    clean.update(env)
    return subprocess.run(['bash', script, '--dry-run', *args], capture_output=True, text=True,
                          env=clean, timeout=60)


def test_build_and_run_dry_run_prints_the_build(metadata):
    out = dry_run(os.path.join(DATAFLOW, 'build_and_run.sh'), 'build',
                  PROJECT='my-project', REGION='europe-west1', BUCKET='my-bucket', TAG='t1')
    assert out.returncode == 0, out.stderr
    image = 'europe-west1-docker.pkg.dev/my-project/wirewatch/wirewatch:t1'
    assert f'gcloud builds submit {ROOT} --project my-project' in out.stdout
    assert (f'gcloud dataflow flex-template build gs://my-bucket/templates/wirewatch-t1.json '
            f'--project my-project --image {image} --sdk-language PYTHON '
            f'--metadata-file {DATAFLOW}/metadata.json') in out.stdout


@pytest.mark.parametrize('step', ['stream', 'batch'])
def test_build_and_run_dry_run_passes_only_declared_parameters(metadata, step):
    out = dry_run(os.path.join(DATAFLOW, 'build_and_run.sh'), step, TAG='t1')
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith('gcloud dataflow flex-template run wirewatch-' + step)
    passed = set(re.findall(r'--parameters (\w+)=', out.stdout))
    declared = {p['name'] for p in metadata['parameters']}
    assert passed - declared == BEAM_PARAMETERS
    assert ('subscription' in passed) == (step == 'stream') and ('input' in passed) == (step == 'batch')
    assert 'sdk_container_image=REGION-docker.pkg.dev/PROJECT/wirewatch/wirewatch:t1' in out.stdout


def test_build_and_run_refuses_to_run_without_a_project():
    out = subprocess.run(['bash', os.path.join(DATAFLOW, 'build_and_run.sh'), 'stream'],
                         capture_output=True, text=True, timeout=60,
                         env={'PATH': os.path.dirname(shutil.which('bash'))})
    assert out.returncode != 0 and 'PROJECT' in out.stderr


def test_run_flink_dry_run_prints_the_launcher_with_flink_options(launcher):
    out = dry_run(os.path.join(FLINK, 'run_flink.sh'), 'batch',
                  FLINK_MASTER='flink-jm:8081', ENVIRONMENT_TYPE='DOCKER', INPUT='/data/feeds',
                  OUTPUT='/data/out')
    assert out.returncode == 0, out.stderr
    assert 'deploy/dataflow/launcher.py --input /data/feeds --output /data/out' in out.stdout
    assert '--runner FlinkRunner --flink_master flink-jm:8081 --environment_type DOCKER' in out.stdout
