"""``wirewatch stream``: the same pipeline, reading Pub/Sub, on the streaming DirectRunner.

The local streaming runner cannot be drained. On SIGINT/SIGTERM (or when
``max_seconds`` or an external stop condition is reached) the stream first
writes what it holds for its files: it keeps running until every record that
reached a file sink is in a complete file (``settle_seconds`` at most; a second
signal skips the wait), then it is cancelled. Files are only ever written whole
(see ``transforms.sinks``), so a stopped stream leaves no temporary file.
Records still upstream of the sinks (being clustered, extracted, summarised)
are lost, and since the DirectRunner acks Pub/Sub messages before processing
them, so is what a killed stream held: ``wirewatch replay`` publishes the
poller's archived items again, and a stream started on the same output folder
writes no Story or Event twice (``transforms.sinks.idempotent``). A pipeline
that fails on its own is built and run again (same folder, same guarantee).
"""
import datetime
import signal
import threading
import time

from apache_beam.options.pipeline_options import StandardOptions

from wirewatch.pipeline.build import build_pipeline
from wirewatch.pipeline.options import pubsub_source
from wirewatch.pipeline.runners import LOCAL_STREAMING_RUNNER, pipeline_options
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


RESTART_BACKOFF_SECONDS = (5, 60)   # first and longest wait before restarting a failed pipeline


class _Running:
    """One run of the pipeline, watched: ``failed`` is set (with ``error``) if the runner stops
    on its own, which a stream never should."""

    def __init__(self, pipeline):
        self.result = pipeline.run()
        self.failed = threading.Event()
        self.error = None
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self):
        try:
            self.result.wait_until_finish()
            self.error = 'the runner finished'
        except Exception as error:  # the runner gave up: report it and let run_stream restart
            self.error = f'{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ""}'
        self.failed.set()

    def cancel(self):
        if not self.failed.is_set():
            self.result.cancel()


def run_stream(subscription, output, beam_args=(), max_seconds=None, until=None,
               poll_seconds=1.0, settle_seconds=SETTLE_SECONDS, log=print, restart_on_failure=None):
    """Run the streaming pipeline until a signal, ``max_seconds``, or ``until()`` returns True,
    then write out what the file sinks hold (``settle_files``) and cancel it.

    If the runner fails on its own (``restart_on_failure``; by default only on the local
    runner: a failed Dataflow job is not submitted again behind the operator's back), the
    pipeline is built and run again after a pause (5 s, doubling to 60 s): what it held in flight and in state is lost,
    and the log says which ``wirewatch replay`` interval restores it (the idempotent sinks
    keep the replay from writing doubles). Returns the reason it stopped ('signal',
    'timeout', 'condition', or 'failed' when not restarting).
    """
    options = stream_options(output, beam_args)
    local = options.view_as(StandardOptions).runner == LOCAL_STREAMING_RUNNER
    if restart_on_failure is None:
        restart_on_failure = local
    if local:
        from wirewatch.pipeline import direct_runner
        direct_runner.apply()  # local latency fixes (see pipeline/direct_runner.py)
    from wirewatch.pipeline.options import WirewatchOptions
    opts = options.view_as(WirewatchOptions)

    def start():
        reset_progress(output)
        return _Running(stream_pipeline(subscription, options))

    started = time.monotonic()
    backoff = RESTART_BACKOFF_SECONDS[0]
    with StopSignal() as stop:
        running = start()
        log(f'wirewatch stream: reading {subscription}, writing {output} '
            f'(started {_utc_now():%Y-%m-%d %H:%M:%S} UTC); Ctrl-C stops')
        reason = None
        while reason is None:
            if stop.event.wait(poll_seconds):
                reason = 'signal'
            elif max_seconds is not None and time.monotonic() - started >= max_seconds:
                reason = 'timeout'
            elif until is not None and until():
                reason = 'condition'
            elif running.failed.is_set():
                failed_at = _utc_now()
                if not restart_on_failure:
                    log(f'wirewatch stream: the pipeline failed ({running.error})')
                    reason = 'failed'
                    break
                log(f'wirewatch stream: the pipeline failed ({running.error}); restarting in '
                    f'{backoff:.0f} s. What it held is lost: to restore it, run wirewatch replay '
                    f'--from {replay_from(failed_at, opts.window_seconds, opts.allowed_lateness_seconds):%Y-%m-%dT%H:%M:%SZ} '
                    f'(the start of the oldest summary window then open)')
                if stop.event.wait(backoff):
                    reason = 'signal'
                    break
                backoff = min(backoff * 2, RESTART_BACKOFF_SECONDS[1])
                running = start()
        unwritten = settle_files(output, stop, settle_seconds, poll_seconds, log) \
            if not running.failed.is_set() else pending_records(output)
        running.cancel()
    if unwritten:
        log(f'wirewatch stream: stopped ({reason}); {unwritten} records were not written')
    else:
        log(f'wirewatch stream: stopped ({reason})')
    return reason


def stream_options(output, beam_args=()):
    """The streaming PipelineOptions writing under ``output`` (see runners.pipeline_options)."""
    return pipeline_options(list(beam_args) + ['--output', output], streaming=True)


def stream_pipeline(subscription, options):
    """The streaming ``beam.Pipeline`` (not run) reading ``subscription``."""
    return build_pipeline(options, pubsub_source(subscription, options))


def replay_from(moment, window_seconds, lateness_seconds=0):
    """The start of the oldest summary window still open at ``moment`` (taking data up to the
    allowed lateness): replaying the items published since then gives a restarted stream every
    item of the windows it lost, so its summaries are whole again."""
    seconds = int(moment.timestamp() - lateness_seconds) // window_seconds * window_seconds
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc)
