"""``wirewatch stream``: the same pipeline, reading Pub/Sub, on the streaming DirectRunner.

The local streaming runner cannot be drained. On SIGINT/SIGTERM (or when
``max_seconds`` or an external stop condition is reached) the stream first
writes what it holds for its files: it keeps running until every record that
reached a file sink is in a complete file (``settle_seconds`` at most; a second
signal skips the wait), then it is cancelled. Files are only ever written whole
(see ``transforms.sinks``), so a stopped stream leaves no temporary file.
Records still upstream of the sinks (being clustered, extracted, summarised)
are lost, and since the DirectRunner acks Pub/Sub messages before processing
them, an operator who needs at-least-once delivery runs the same pipeline on
Dataflow.
"""
import datetime
import signal
import threading
import time

from apache_beam.options.pipeline_options import StandardOptions

from wirewatch.pipeline.build import build_pipeline
from wirewatch.pipeline.runners import LOCAL_STREAMING_RUNNER, pipeline_options
from wirewatch.transforms.ingest.sources import ReadFromPubSubItems
from wirewatch.transforms.sinks import pending_records, reset_progress

# long enough for a file flush even when the runner is blocked in an empty
# Pub/Sub pull (up to 30 s on the DirectRunner)
SETTLE_SECONDS = 60


class StopSignal:
    """Turns SIGINT/SIGTERM into a flag while installed (main thread only); counts them."""

    def __init__(self):
        self.event = threading.Event()
        self.count = 0
        self._previous = {}

    def _handle(self, *_):
        self.count += 1
        self.event.set()

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def settle_files(output, stop, settle_seconds, poll_seconds=1.0, log=print):
    """Keep a stopping stream running until its file sinks under ``output`` hold no
    pending record at two checks in a row, ``settle_seconds`` pass, or another
    signal arrives. Returns the records left unwritten (0 when all were written)."""
    signals = stop.count
    stop.event.clear()
    deadline = time.monotonic() + settle_seconds
    pending = pending_records(output)
    told = clear_before = False
    while time.monotonic() < deadline and stop.count == signals:
        if pending and not told:
            log(f'wirewatch stream: writing {pending} buffered records to files '
                f'(up to {settle_seconds:.0f} s; signal again to stop now)')
            told = True
        if not pending and clear_before:
            break
        clear_before = not pending
        stop.event.wait(poll_seconds)
        pending = pending_records(output)
    return pending


def run_stream(subscription, output, beam_args=(), max_seconds=None, until=None,
               poll_seconds=1.0, settle_seconds=SETTLE_SECONDS, log=print):
    """Run the streaming pipeline until a signal, ``max_seconds``, or ``until()`` returns True,
    then write out what the file sinks hold (``settle_files``) and cancel it.

    Returns the reason it stopped ('signal', 'timeout', 'condition').
    """
    options = pipeline_options(list(beam_args) + ['--output', output], streaming=True)
    if options.view_as(StandardOptions).runner == LOCAL_STREAMING_RUNNER:
        from wirewatch.pipeline import direct_runner
        direct_runner.apply()  # local latency fixes (see pipeline/direct_runner.py)
    from wirewatch.pipeline.options import WirewatchOptions
    id_label = options.view_as(WirewatchOptions).pubsub_id_label
    pipeline = build_pipeline(options, ReadFromPubSubItems(subscription, id_label=id_label))
    reset_progress(output)
    started = time.monotonic()
    with StopSignal() as stop:
        result = pipeline.run()
        log(f'wirewatch stream: reading {subscription}, writing {output} '
            f'(started {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M:%S} UTC); '
            f'Ctrl-C stops')
        reason = None
        while reason is None:
            if stop.event.wait(poll_seconds):
                reason = 'signal'
            elif max_seconds is not None and time.monotonic() - started >= max_seconds:
                reason = 'timeout'
            elif until is not None and until():
                reason = 'condition'
        unwritten = settle_files(output, stop, settle_seconds, poll_seconds, log)
        result.cancel()
    if unwritten:
        log(f'wirewatch stream: stopped ({reason}); {unwritten} records were not written')
    else:
        log(f'wirewatch stream: stopped ({reason})')
    return reason
