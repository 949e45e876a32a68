"""``wirewatch stream``: the same pipeline, reading Pub/Sub, on the streaming DirectRunner.

The local streaming runner cannot be drained: on SIGINT/SIGTERM (or when
``max_seconds`` or an external stop condition is reached) the pipeline is
cancelled. Summaries and files already written stay; work in flight is lost,
and since the DirectRunner acks Pub/Sub messages before processing them, an
operator who needs at-least-once delivery runs the same pipeline on Dataflow.
"""
import datetime
import signal
import threading
import time

from wirewatch.pipeline.build import build_pipeline
from wirewatch.pipeline.runners import pipeline_options
from wirewatch.transforms.ingest.sources import ReadFromPubSubItems


class StopSignal:
    """Turns SIGINT/SIGTERM into a flag while installed (main thread only)."""

    def __init__(self):
        self.event = threading.Event()
        self._previous = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, lambda *_: self.event.set())
        return self.event

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def run_stream(subscription, output, beam_args=(), max_seconds=None, until=None,
               poll_seconds=1.0, log=print):
    """Run the streaming pipeline until a signal, ``max_seconds``, or ``until()`` returns True.

    Returns the reason it stopped ('signal', 'timeout', 'condition').
    """
    options = pipeline_options(list(beam_args) + ['--output', output], streaming=True)
    from wirewatch.pipeline.options import WirewatchOptions
    id_label = options.view_as(WirewatchOptions).pubsub_id_label
    pipeline = build_pipeline(options, ReadFromPubSubItems(subscription, id_label=id_label))
    started = time.monotonic()
    with StopSignal() as stop:
        result = pipeline.run()
        log(f'wirewatch stream: reading {subscription}, writing {output} '
            f'(started {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M:%S} UTC); '
            f'Ctrl-C stops')
        reason = None
        while reason is None:
            if stop.wait(poll_seconds):
                reason = 'signal'
            elif max_seconds is not None and time.monotonic() - started >= max_seconds:
                reason = 'timeout'
            elif until is not None and until():
                reason = 'condition'
        result.cancel()
    log(f'wirewatch stream: stopped ({reason})')
    return reason
