"""Runner selection, in one place: the builder never names a runner.

Locally, batch runs on Beam's FnApiRunner and streaming on the
BundleBasedDirectRunner: plain ``DirectRunner`` in Beam 2.77 first tries to
download the Prism runner, which fails without internet. Anything else
(DataflowRunner, FlinkRunner, PortableRunner...) passes through untouched.
"""
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

LOCAL_BATCH_RUNNER = 'FnApiRunner'
LOCAL_STREAMING_RUNNER = 'BundleBasedDirectRunner'
_PRISM_PRONE = {None, '', 'DirectRunner', 'SwitchingDirectRunner', 'PrismRunner'}


def local_runner(streaming):
    return LOCAL_STREAMING_RUNNER if streaming else LOCAL_BATCH_RUNNER


def pipeline_options(beam_args, streaming=False):
    """PipelineOptions from leftover command-line flags, with a Prism-free local runner."""
    options = PipelineOptions(beam_args)
    std = options.view_as(StandardOptions)
    std.streaming = bool(streaming or std.streaming)
    if std.runner in _PRISM_PRONE:
        std.runner = local_runner(std.streaming)
    return options
