"""Runner selection, in one place: the builder never names a runner.

Locally, batch runs on Beam's FnApiRunner and streaming on the
BundleBasedDirectRunner: plain ``DirectRunner`` in Beam 2.77 first tries to
download the Prism runner, which fails without internet. Anything else
(DataflowRunner, FlinkRunner, PortableRunner...) passes through untouched.
"""
import os

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

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
    explicitly win.
    """
    options = PipelineOptions(beam_args)
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
