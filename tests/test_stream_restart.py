"""``run_stream`` builds and runs the pipeline again when the runner fails on its own."""
import datetime as dt
import threading

from wirewatch.pipeline import streaming


class _Result:
    def __init__(self, fail):
        self.fail = fail
        self.cancelled = threading.Event()

    def wait_until_finish(self):
        if self.fail:
            raise RuntimeError('404 Subscription does not exist\nmore detail')
        self.cancelled.wait(30)

    def cancel(self):
        self.cancelled.set()


class _Pipeline:
    def __init__(self, runs):
        self.runs = runs

    def run(self):
        result = _Result(fail=not self.runs)
        self.runs.append(result)
        return result


def test_a_failed_pipeline_is_restarted_and_the_log_names_the_replay_interval(tmp_path, monkeypatch):
    runs, lines = [], []
    monkeypatch.setattr(streaming, 'build_pipeline', lambda options, source: _Pipeline(runs))
    monkeypatch.setattr(streaming, 'RESTART_BACKOFF_SECONDS', (0.1, 0.2))
    reason = streaming.run_stream('projects/p/subscriptions/s', str(tmp_path), max_seconds=30,
                                  until=lambda: len(runs) == 2, poll_seconds=0.05, settle_seconds=0.2,
                                  log=lines.append)
    assert reason == 'condition' and len(runs) == 2
    assert runs[1].cancelled.is_set()
    failure = next(line for line in lines if 'the pipeline failed' in line)
    assert 'RuntimeError: 404 Subscription does not exist' in failure and 'wirewatch replay --from' in failure


def test_without_restarts_a_failed_pipeline_ends_the_stream(tmp_path, monkeypatch):
    runs = []
    monkeypatch.setattr(streaming, 'build_pipeline', lambda options, source: _Pipeline(runs))
    reason = streaming.run_stream('projects/p/subscriptions/s', str(tmp_path), max_seconds=30,
                                  poll_seconds=0.05, settle_seconds=0.2, log=lambda m: None,
                                  restart_on_failure=False)
    assert reason == 'failed' and len(runs) == 1


def test_replay_from_is_the_start_of_the_oldest_open_window():
    moment = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.timezone.utc)
    assert streaming.replay_from(moment, 86400) == dt.datetime(2026, 3, 4, tzinfo=dt.timezone.utc)
    assert streaming.replay_from(moment, 86400, 2 * 86400) == dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
    assert streaming.replay_from(moment, 3600) == dt.datetime(2026, 3, 4, 15, tzinfo=dt.timezone.utc)
