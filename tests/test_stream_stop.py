"""Stopping a stream finalises its outputs: what reached the file sinks is written into complete
Avro files before the runner is cancelled; nothing temporary is left; all four folders exist."""
import datetime as dt
import os
import signal
import threading
import time

import pytest

from factories import emulator_available, one_item_feed

from wirewatch.pipeline import emulator, pubsub
from wirewatch.pipeline.demo import serve_directory
from wirewatch.pipeline.streaming import StopSignal, run_stream, settle_files
from wirewatch.transforms import sinks

STORY = ('LIMA, {day} – Thousands of teachers marched in Lima on {weekday} to demand higher pay. '
         'Police said 12 protesters were arrested after clashes near the Congress building.')


# ------------------------------------------------------------------ settling, without Beam

class _Stop:
    """A StopSignal stand-in: ``signal()`` is a second Ctrl-C."""

    def __init__(self):
        self.event = threading.Event()
        self.count = 1

    def signal(self):
        self.count += 1
        self.event.set()


def test_settle_waits_until_the_sinks_have_written_what_they_took_in(tmp_path):
    out = str(tmp_path / 'settle')
    sinks.reset_progress(out)
    sinks._count_progress(out, taken=3)
    timer = threading.Timer(0.3, lambda: sinks._count_progress(out, written=3))
    timer.start()
    started = time.monotonic()
    logged = []
    assert settle_files(out, _Stop(), settle_seconds=10, poll_seconds=0.1, log=logged.append) == 0
    assert 0.3 <= time.monotonic() - started < 5
    assert logged and 'writing 3 buffered records' in logged[0]


def test_settle_gives_up_after_its_deadline_or_a_second_signal(tmp_path):
    out = str(tmp_path / 'stuck')
    sinks.reset_progress(out)
    sinks._count_progress(out, taken=2)
    assert settle_files(out, _Stop(), settle_seconds=0.3, poll_seconds=0.1, log=lambda m: None) == 2
    stop = _Stop()
    threading.Timer(0.2, stop.signal).start()
    started = time.monotonic()
    assert settle_files(out, stop, settle_seconds=30, poll_seconds=0.1, log=lambda m: None) == 2
    assert time.monotonic() - started < 5


def test_stop_signal_counts_signals_and_restores_handlers():
    before = signal.getsignal(signal.SIGTERM)
    with StopSignal() as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.event.wait(5) and stop.count == 1
    assert signal.getsignal(signal.SIGTERM) is before


# ------------------------------------------------------------------ on the emulator

def _feed(now):
    published = now - dt.timedelta(minutes=5)
    body = STORY.format(day=f'{published:%B} {published.day}', weekday=f'{published:%A}')
    return one_item_feed(published, 'Stop Test Wire', 'https://stop.example.net', 'Peru teachers march for higher pay', 'peru-teachers', 'stop-1', body)


@pytest.mark.emulator
@pytest.mark.skipif(not emulator_available(), reason='Java or the Pub/Sub emulator is absent')
def test_stream_stopped_by_a_signal_leaves_final_files_and_every_folder(tmp_path, monkeypatch,
                                                                       capsys):
    """SIGINT as soon as the event is on its topic: the event is then still waiting for its
    file flush (10 s later), so the stop must write it out before cancelling the runner."""
    from wirewatch.pipeline.cli import main
    from wirewatch.pipeline.poller import poll_feeds

    feeds = tmp_path / 'feeds'
    feeds.mkdir()
    (feeds / 'wire.xml').write_text(_feed(dt.datetime.now(dt.timezone.utc)), encoding='utf-8')
    out = tmp_path / 'out'
    project = pubsub.DEFAULT_PROJECT
    with emulator.running_emulator() as host:
        monkeypatch.setenv('PUBSUB_EMULATOR_HOST', host)
        with serve_directory(str(feeds)) as base:
            polled = poll_feeds([f'{base}/wire.xml'], project=project,
                                state_path=str(tmp_path / 'poll-state.json'), once=True,
                                emulator_host=host, say=lambda m: None)
        assert polled.published == 1
        events = []

        def interrupt_when_the_event_is_out():
            events.extend(pubsub.pull_records(
                pubsub.subscription_path(project, f'{pubsub.EVENTS_TOPIC}-sub'), 'Event',
                max_messages=50, timeout=1, emulator_host=host))
            if events:
                os.kill(os.getpid(), signal.SIGINT)
            return False

        started = time.monotonic()
        logged = []
        reason = run_stream(
            pubsub.subscription_path(project, pubsub.ITEMS_SUBSCRIPTION), str(out),
            ['--early_firing_seconds', '5', '--file_flush_seconds', '10',
             '--events_topic', pubsub.topic_path(project, pubsub.EVENTS_TOPIC)],
            max_seconds=150, until=interrupt_when_the_event_is_out, settle_seconds=90,
            log=logged.append)
    assert reason == 'signal', logged
    assert events, 'no event within 150 s'
    assert time.monotonic() - started < 280
    assert any('buffered records' in line for line in logged), logged  # it did wait
    assert not any('not written' in line for line in logged), logged

    # the contract's four folders, the dead letter one empty; only final .avro files
    assert sorted(os.listdir(out)) == sorted(sinks.OUTPUT_FOLDERS.values())
    assert os.listdir(out / 'deadletter') == []
    names = [n for folder in sinks.OUTPUT_FOLDERS.values() for n in os.listdir(out / folder)]
    assert names and all(n.endswith('.avro') and not n.startswith('.') for n in names), names
    # `wirewatch read DIR/events` finds the events that were published
    capsys.readouterr()
    assert main(['read', str(out / 'events'), '--where', 'country=PER']) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len([e for e, _ in events if e['country'] == 'PER']) >= 1
    assert main(['read', str(out / 'stories')]) == 0
    assert 'Peru teachers march' in capsys.readouterr().out
