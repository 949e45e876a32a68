"""Runner selection, in one place: the builder never names a runner.

Locally, batch runs on Beam's FnApiRunner and streaming on the
BundleBasedDirectRunner: plain ``DirectRunner`` in Beam 2.77 first tries to
download the Prism runner, which fails without internet. Anything else
(DataflowRunner, FlinkRunner, PortableRunner...) passes through untouched.

A dry run (``--dry_run true``, Beam's own flag) builds the pipeline for the runner
the options name and checks it as that runner would receive it, here and offline:
Beam's option checks for the runner, the portable pipeline proto (every DoFn
pickled, as Beam already read each back when it was applied; GroupByKey keys with
deterministic coders; Beam's graph checks), and the inputs and outputs it names. It never calls the runner: Beam
2.77's DataflowRunner dry run does return before it submits, but on the way it
may create a default bucket (no ``--temp_location``), ask gcloud for a region,
and stage dependencies (``pip freeze``, an sdist of ``--setup_file`` written into
the source tree, ``pip download`` of ``--requirements_file``); the Flink and
Portable runners have no dry run at all and start a job service.
"""
import collections
import os

from apache_beam.options.pipeline_options import (DirectOptions, GoogleCloudOptions, PipelineOptions,
                                                  SetupOptions, StandardOptions, TestOptions,
                                                  TypeOptions, WorkerOptions)
from apache_beam.pipeline import PipelineVisitor

from wirewatch.pipeline.options import WirewatchOptions, parse_flag

LOCAL_BATCH_RUNNER = 'FnApiRunner'
LOCAL_STREAMING_RUNNER = 'BundleBasedDirectRunner'
_PRISM_PRONE = {None, '', 'DirectRunner', 'SwitchingDirectRunner', 'PrismRunner'}


def local_runner(streaming):
    return LOCAL_STREAMING_RUNNER if streaming else LOCAL_BATCH_RUNNER


def local_workers():
    """Worker processes for a local batch run: every core, unless WIREWATCH_WORKERS says
    otherwise (1 keeps everything in this process, as tests of internals may want)."""
    value = os.environ.get('WIREWATCH_WORKERS')
    if value:
        return max(1, int(value))
    return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else (os.cpu_count() or 1)


def pipeline_options(beam_args, streaming=False):
    """PipelineOptions from leftover command-line flags, with a Prism-free local runner.

    A local batch run uses every core by default: Beam's FnApiRunner with one worker
    process per core (``--direct_num_workers``, ``--direct_running_mode
    multi_processing``). Each worker loads the spaCy model and the gazetteer once and
    extracts its share of the cluster representatives; the profile in BENCHMARKS.md
    shows why (spaCy is 85 % of a run and is single-threaded per process). Flags given
    explicitly win. ``--dry_run`` is stored as a bool (see ``parse_flag``).
    """
    options = PipelineOptions(beam_args)
    test = options.view_as(TestOptions)  # Beam reads any non-empty --dry_run as true
    try:
        test.dry_run = parse_flag(test.dry_run)
    except ValueError as exc:
        raise ValueError(f'--dry_run: {exc}') from None
    std = options.view_as(StandardOptions)
    std.streaming = bool(streaming or std.streaming)
    if std.runner in _PRISM_PRONE:
        std.runner = local_runner(std.streaming)
    direct = options.view_as(DirectOptions)
    flags = ' '.join(beam_args or ())
    if std.runner == LOCAL_BATCH_RUNNER and '--direct_num_workers' not in flags:
        workers = local_workers()
        if workers > 1:
            direct.direct_num_workers = workers
            if '--direct_running_mode' not in flags:
                direct.direct_running_mode = 'multi_processing'
    return options


# ------------------------------------------------------------------ local or remote

def runner_name(options):
    """The runner the options name, as Beam's class name ('dataflow' -> 'DataflowRunner')."""
    name = (options.view_as(StandardOptions).runner or '').split('.')[-1]
    if name and not name.lower().endswith('runner'):
        name += 'Runner'
    known = {n.lower(): n for n in StandardOptions.KNOWN_RUNNER_NAMES + [LOCAL_BATCH_RUNNER]}
    return known.get(name.lower(), name)


def is_local_runner(options):
    """True when the job runs in this process (or its worker processes): the CLI may then
    create and clear its output folder and point Pub/Sub at the emulator. Dataflow, Flink,
    Spark and Portable runners are remote: their workers own the output."""
    name = runner_name(options)
    return not name or name in set(StandardOptions.LOCAL_RUNNERS) | {LOCAL_STREAMING_RUNNER}


def is_dataflow(options):
    return runner_name(options) in ('DataflowRunner', 'TestDataflowRunner')


# ------------------------------------------------------------------ dry run

class DryRunError(ValueError):
    """A dry run found options the job cannot run with (one line per problem)."""


def dry_run_requested(options):
    """True when the options ask for a dry run (``--dry_run true``)."""
    return parse_flag(options.view_as(TestOptions).dry_run)


def _remote_path(path):
    return '://' in str(path) and not str(path).startswith('file://')


def remote_path_problems(options, inputs=()):
    """Local paths a Dataflow job would read or write on its workers' own disks."""
    if not is_dataflow(options):
        return []
    problems = []
    output = getattr(options.view_as(WirewatchOptions), 'output', None)
    if output and not _remote_path(output):
        problems.append(f'--output {output} is a local path: Dataflow workers write gs://BUCKET/PATH')
    local = [p for p in inputs if not _remote_path(p)]
    if local:
        problems.append(f'--input {" ".join(map(str, local))}: Dataflow workers read gs://BUCKET/PATH inputs')
    return problems


def dry_run_problems(options, inputs=()):
    """What stops the job, found offline: on Dataflow, the options Beam would otherwise look
    up over the network (``--project``, ``--region`` from gcloud, ``--temp_location`` from a
    default bucket it creates) and local paths; a missing ``--setup_file`` or
    ``--requirements_file``; ``--pubsub_id_label`` on a local runner (it refuses it); the
    cross-language Pub/Sub reader, which only a Java expansion service can build."""
    from apache_beam.options.pipeline_options_validator import PipelineOptionsValidator
    problems = []
    if is_dataflow(options):
        cloud = options.view_as(GoogleCloudOptions)
        if not cloud.project:
            problems.append('--project is required on Dataflow')
        if not cloud.region and not os.environ.get('CLOUDSDK_COMPUTE_REGION'):
            problems.append('--region is required on Dataflow (a dry run asks gcloud for no default)')
        validator = PipelineOptionsValidator(options, None)
        errors = [validator.validate_gcs_path(cloud, name) for name in ('temp_location', 'staging_location')]
        if all(errors):  # Beam would create a default bucket
            problems.append('--temp_location gs://BUCKET/PATH is required on Dataflow (a dry run '
                            'creates no default bucket)' if cloud.temp_location is None
                            else errors[0][0].rstrip('.'))
        problems += remote_path_problems(options, inputs)
    setup = options.view_as(SetupOptions)
    if setup.setup_file and (not os.path.isfile(setup.setup_file) or
                             os.path.basename(setup.setup_file) not in ('setup.py', 'pyproject.toml')):
        problems.append(f'--setup_file {setup.setup_file} is not an existing setup.py or pyproject.toml')
    if setup.requirements_file and not os.path.isfile(setup.requirements_file):
        problems.append(f'--requirements_file {setup.requirements_file} does not exist')
    wirewatch = options.view_as(WirewatchOptions)
    if wirewatch.pubsub_id_label and is_local_runner(options):
        problems.append(f'--pubsub_id_label works on Dataflow only ({runner_name(options)} refuses it)')
    if wirewatch.pubsub_expansion_service:
        problems.append('--pubsub_expansion_service: a dry run starts and calls no expansion '
                        'service (leave it out to check the rest of the graph)')
    return problems


DryRun = collections.namedtuple('DryRun', 'runner streaming options stages transforms reads writes '
                                           'pipeline proto')
DryRun.__doc__ = ('What a dry run checked: the runner, its top-level ``stages`` (labels) and the '
                  'number of ``transforms`` in all, the ``reads`` and ``writes`` (one line each), '
                  'the built ``pipeline`` (never run) and the portable pipeline ``proto`` a runner '
                  'would receive.')


def dry_run(options, build, inputs=()):
    """Build the pipeline with ``build(options)`` and check it offline as its runner would
    receive it (see the module docstring); nothing is run, staged, created or contacted.
    Raises DryRunError (or Beam's ValueError for options its runner refuses)."""
    from apache_beam.runners.pipeline_utils import group_by_key_input_visitor, validate_pipeline_graph

    problems = dry_run_problems(options, inputs)
    if problems:
        raise DryRunError('; '.join(problems))
    pipeline = build(options)  # Beam checks the options for the runner here
    pipeline.visit(group_by_key_input_visitor(
        not options.view_as(TypeOptions).allow_non_deterministic_key_coders))
    proto = pipeline.to_runner_api()  # pickles every DoFn, asks GroupByKey keys for deterministic coders
    validate_pipeline_graph(proto)
    transforms = proto.components.transforms
    stages = []
    for root in proto.root_transform_ids:  # the pipeline's own root has no URN: its parts are the stages
        stages += ([transforms[t].unique_name for t in transforms[root].subtransforms]
                   if not transforms[root].spec.urn else [transforms[root].unique_name])
    io = _InputsAndOutputs()
    pipeline.visit(io)
    return DryRun(runner_name(options), bool(options.view_as(StandardOptions).streaming), options,
                  stages, len(transforms), io.reads, io.writes, pipeline, proto)


def describe_dry_run(result):
    """Lines telling a person what the dry run would have run."""
    cloud = result.options.view_as(GoogleCloudOptions)
    setup = result.options.view_as(SetupOptions)
    lines = [f"runner     {result.runner} ({'streaming' if result.streaming else 'batch'})"]
    for label, value in (('project', cloud.project), ('region', cloud.region),
                         ('temp', cloud.temp_location), ('staging', cloud.staging_location),
                         ('setup_file', setup.setup_file),
                         ('sdk image', result.options.view_as(WorkerOptions).sdk_container_image)):
        if value:
            lines.append(f'{label:<11}{value}')
    lines.append(f'stages     {len(result.stages)} ({", ".join(result.stages)}); '
                 f'{result.transforms} transforms in all')
    lines.append(f"checked    Beam's option checks for {result.runner}; the portable pipeline proto "
                 f'(every DoFn pickled, deterministic GroupByKey keys, Beam\'s graph checks)')
    lines += [f'reads      {r}' for r in result.reads]
    lines += [f'writes     {w}' for w in result.writes]
    return lines


class _InputsAndOutputs(PipelineVisitor):
    """The reads and writes a built wirewatch pipeline names, one line each."""

    def __init__(self):
        self.reads, self.writes = [], []

    def enter_composite_transform(self, node):
        self.visit_transform(node)

    def visit_transform(self, node):
        from apache_beam.io.gcp.pubsub import ReadFromPubSub, WriteToPubSub
        from wirewatch.pipeline.manifest import ComputeManifest
        from wirewatch.transforms.ingest import ReadFeedFiles
        from wirewatch.transforms.sinks import OUTPUT_FOLDERS, WriteAvroFiles

        t = node.transform
        if isinstance(t, ReadFeedFiles):
            self.reads.append('feed files ' + ' '.join(t.paths))
        elif isinstance(t, ReadFromPubSub):
            source = t._source
            extra = f'; Pub/Sub deduplicates on attribute {source.id_label}' if source.id_label else ''
            self.reads.append(f'Pub/Sub {source.full_subscription or source.full_topic} (event time '
                              f'from attribute {source.timestamp_attribute}{extra})')
        elif isinstance(t, WriteAvroFiles):
            shards = getattr(t, 'num_shards', None)
            self.writes.append(f'{t.record_type} Avro files {_under(t.output_dir, OUTPUT_FOLDERS[t.record_type])}/'
                               + (f' ({shards} shards)' if shards else ''))
        elif isinstance(t, WriteToPubSub):
            self.writes.append(f'Pub/Sub {t.full_topic} ({node.full_label})')
        elif isinstance(t, ComputeManifest):
            self.writes.append('manifest ' + _under(t.output_dir, '_MANIFEST.json'))


def _under(folder, name):
    return f"{str(folder).rstrip('/')}/{name}"
