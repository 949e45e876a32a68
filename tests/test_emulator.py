"""The Pub/Sub emulator manager and the Pub/Sub helpers.

Tests marked ``emulator`` start the real emulator (Java) on a free port and always stop it;
they are skipped when Java or the emulator is absent.
"""
import datetime
import functools
import os
import socket
import stat
import subprocess
import sys

import pytest

from wirewatch.pipeline import emulator, pubsub
from wirewatch.pipeline.emulator import EmulatorError


def write_script(path, body):
    path.write_text('#!/bin/sh\n' + body + '\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


# ---------------------------------------------------------------- finding Java and the emulator

@pytest.mark.parametrize('text, major', [
    ('openjdk version "17.0.15" 2025-04-15', 17),
    ('java version "1.8.0_392"', 8),
    ('openjdk version "21" 2023-09-19', 21),
    ('no version here', None),
])
def test_java_major_version(text, major):
    assert emulator.java_major_version(text) == major


def test_find_emulator_honours_the_environment_override(tmp_path, monkeypatch):
    script = write_script(tmp_path / 'cloud-pubsub-emulator', 'exit 0')
    monkeypatch.setenv(emulator.EMULATOR_ENV, str(script))
    assert emulator.find_emulator() == str(script)
    monkeypatch.setenv(emulator.EMULATOR_ENV, str(tmp_path))  # the directory holding it
    assert emulator.find_emulator() == str(script)


def test_find_emulator_finds_it_under_an_sdk_root(tmp_path, monkeypatch):
    launcher = tmp_path / emulator.EMULATOR_RELATIVE_PATH
    launcher.parent.mkdir(parents=True)
    write_script(launcher, 'exit 0')
    monkeypatch.delenv(emulator.EMULATOR_ENV, raising=False)
    monkeypatch.setattr(emulator, '_gcloud_sdk_root', lambda: str(tmp_path))
    assert emulator.find_emulator() == str(launcher)


def test_find_emulator_explains_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv(emulator.EMULATOR_ENV, str(tmp_path / 'nowhere'))
    with pytest.raises(EmulatorError, match=emulator.EMULATOR_ENV):
        emulator.find_emulator()
    monkeypatch.delenv(emulator.EMULATOR_ENV)
    monkeypatch.setattr(emulator, '_gcloud_sdk_root', lambda: None)
    monkeypatch.setattr(emulator, 'COMMON_SDK_ROOTS', ())
    with pytest.raises(EmulatorError, match='google-cloud-cli-pubsub-emulator'):
        emulator.find_emulator()


def test_find_java_reports_missing_and_old_java(tmp_path, monkeypatch):
    monkeypatch.setenv('JAVA_HOME', str(tmp_path))
    with pytest.raises(EmulatorError, match='Java not found'):
        emulator.find_java()
    (tmp_path / 'bin').mkdir()
    write_script(tmp_path / 'bin' / 'java', 'echo \'java version "1.7.0_80"\' >&2')
    with pytest.raises(EmulatorError, match='Java 7'):
        emulator.find_java()
    write_script(tmp_path / 'bin' / 'java', 'echo \'openjdk version "17.0.15"\' >&2')
    assert emulator.find_java() == str(tmp_path / 'bin' / 'java')


@pytest.mark.parametrize('host', ['localhost', '127.0.0.1', '::1'])
def test_loopback_hosts_are_accepted(host):
    emulator.check_loopback(host)


@pytest.mark.parametrize('host', ['0.0.0.0', '10.1.2.3', '8.8.8.8'])
def test_other_hosts_are_refused(host):
    with pytest.raises(EmulatorError, match='loopback'):
        emulator.check_loopback(host)


# ---------------------------------------------------------------- CLI and state, no Java needed

def test_start_without_java_fails_in_one_line(tmp_path, monkeypatch, capsys):
    write_script(tmp_path / 'cloud-pubsub-emulator', 'exit 1')
    monkeypatch.setenv(emulator.EMULATOR_ENV, str(tmp_path / 'cloud-pubsub-emulator'))
    monkeypatch.setenv('JAVA_HOME', str(tmp_path / 'no-jdk'))
    argv = ['start', '--port', str(emulator.free_port()), '--state-dir', str(tmp_path / 'state')]
    assert emulator.emulator_main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ''  # no export line on failure
    assert captured.err.startswith('wirewatch emulator start: Java not found')
    assert captured.err.count('\n') == 1


def test_start_refuses_a_non_loopback_host(tmp_path, capsys):
    assert emulator.emulator_main(['start', '--host', '0.0.0.0', '--state-dir', str(tmp_path)]) == 2
    assert 'loopback' in capsys.readouterr().err


def test_status_without_an_emulator(tmp_path, capsys):
    assert emulator.emulator_main(['status', '--state-dir', str(tmp_path)]) == 3
    assert capsys.readouterr().out.startswith('not running')


def test_stop_never_signals_a_process_it_did_not_start(tmp_path):
    """A state file naming some other live process (pid reuse) must not get it killed."""
    bystander = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],
                                 start_new_session=True)
    try:
        emulator._write_state(str(tmp_path), emulator.EmulatorState(
            pid=bystander.pid, pgid=bystander.pid, host='localhost', port=1, project='p',
            log_path='x', started_at='t', command=[]))
        assert emulator.stop(str(tmp_path), say=lambda _m: None) is False
        assert bystander.poll() is None  # still running
        assert emulator.read_state(str(tmp_path)) is None  # stale state removed
    finally:
        bystander.kill()
        bystander.wait()


def test_stale_state_is_reported(tmp_path):
    gone = subprocess.Popen(['true'])
    gone.wait()
    emulator._write_state(str(tmp_path), emulator.EmulatorState(
        pid=gone.pid, pgid=gone.pid, host='localhost', port=1, project='p', log_path='x',
        started_at='t', command=[]))
    state, line, running = emulator.status(str(tmp_path))
    assert not running and 'stale' in line


# ---------------------------------------------------------------- with the real emulator

@functools.lru_cache(maxsize=1)
def emulator_missing():
    try:
        emulator.find_emulator()
        emulator.find_java()
    except EmulatorError as error:
        return str(error)
    return None


def require_emulator():
    if emulator_missing():
        pytest.skip(f'Pub/Sub emulator unavailable: {emulator_missing()}')


def process_group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.emulator
def test_start_status_reuse_stop(tmp_path, capsys):
    require_emulator()
    state_dir = str(tmp_path / 'state')
    port = emulator.free_port()
    argv = ['--port', str(port), '--state-dir', state_dir]
    try:
        assert emulator.emulator_main(['start'] + argv) == 0
        out = capsys.readouterr().out
        assert out == f'export PUBSUB_EMULATOR_HOST=localhost:{port}\n'
        state = emulator.read_state(state_dir)
        assert state.pgid == os.getpgid(state.pid) != os.getpgid(0)  # its own process group
        assert os.path.getsize(state.log_path) > 0
        assert sorted(pubsub.list_topics(pubsub.DEFAULT_PROJECT, emulator_host=state.address)) == sorted(
            pubsub.DEFAULT_TOPICS)

        assert emulator.emulator_main(['status'] + argv) == 0
        assert capsys.readouterr().out.startswith(f'running: pid {state.pid}')

        assert emulator.emulator_main(['start'] + argv) == 0  # reuses it
        assert 'already running' in capsys.readouterr().err
        assert emulator.read_state(state_dir).pid == state.pid
    finally:
        assert emulator.emulator_main(['stop'] + argv) == 0
    assert not emulator.is_alive(state.pid)
    assert not process_group_alive(state.pgid)
    assert emulator.read_state(state_dir) is None
    assert not emulator.answers('localhost', port)
    assert emulator.emulator_main(['status'] + argv) == 3


@pytest.mark.emulator
def test_start_refuses_a_port_in_use(tmp_path):
    require_emulator()
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))  # bound, not listening: nothing answers, yet the port is taken
        with pytest.raises(EmulatorError, match='in use'):
            emulator.start(port=busy.getsockname()[1], data_dir=str(tmp_path), say=lambda _m: None)


@pytest.mark.emulator
def test_running_emulator_always_stops_it():
    require_emulator()
    with pytest.raises(RuntimeError):
        with emulator.running_emulator() as host:
            address, port = host.rsplit(':', 1)
            assert emulator.answers(address, int(port))
            raise RuntimeError('the test body failed')
    assert not emulator.answers(address, int(port))
    assert not any('pubsub-emulator' in _cmdline(pid) and f'--port={port}' in _cmdline(pid)
                   for pid in _pids())


def _pids():
    return [int(name) for name in os.listdir('/proc') if name.isdigit()]


def _cmdline(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            return f.read().replace(b'\0', b' ').decode('utf-8', 'replace')
    except OSError:
        return ''


@pytest.fixture(scope='module')
def emulator_host():
    require_emulator()
    with emulator.running_emulator() as host:
        yield host


def feed_item(n):
    return {'item_id': f'id-{n}', 'title': f'Item {n}', 'feed_url': 'http://example.org/feed',
            'fetched_at': datetime.datetime(2022, 1, 9, 10, n, tzinfo=datetime.timezone.utc)}


@pytest.mark.emulator
def test_ensure_topics_is_idempotent(emulator_host):
    wanted = {'first-sub': 'first-topic', 'second-sub': 'second-topic'}
    created = pubsub.ensure_topics('other-project', ['first-topic'], wanted, emulator_host=emulator_host)
    assert created == (['first-topic', 'second-topic'], ['first-sub', 'second-sub'])
    assert pubsub.ensure_topics('other-project', ['first-topic'], wanted, emulator_host=emulator_host) == ([], [])


@pytest.mark.emulator
def test_publish_and_pull_round_trip_with_undecodable_messages_reported(emulator_host):
    project = 'roundtrip'
    pubsub.ensure_topics(project, ['items'], {'items-sub': 'items'}, emulator_host=emulator_host)
    topic = pubsub.topic_path(project, 'items')
    outcomes = pubsub.publish_records(topic, 'FeedItem', [feed_item(1), feed_item(2)],
                                      lambda r: {'item_id': r['item_id']}, emulator_host=emulator_host)
    assert [o.error for o in outcomes] == [None, None] and all(o.message_id for o in outcomes)
    bad = pubsub.publish_records(topic, 'FeedItem', [{'title': 'no item_id'}], emulator_host=emulator_host)
    assert bad[0].error and bad[0].message_id is None  # does not encode: reported, not raised

    publisher = pubsub.publisher_client(emulator_host)
    try:
        publisher.publish(topic, b'\xff\xfe not avro', schema='FeedItem').result(timeout=30)
        publisher.publish(topic, b'\x00', schema='Story').result(timeout=30)
    finally:
        pubsub.close_publisher(publisher)

    undecodable = []
    pulled = pubsub.pull_records(pubsub.subscription_path(project, 'items-sub'), 'FeedItem',
                                 max_messages=10, timeout=5, emulator_host=emulator_host,
                                 undecodable=undecodable)
    assert sorted(r['item_id'] for r, _ in pulled) == ['id-1', 'id-2']
    assert all(a['schema'] == 'FeedItem' and a['item_id'] == r['item_id'] for r, a in pulled)
    assert pulled[0][0]['fetched_at'].tzinfo is not None
    assert len(undecodable) == 2
    assert any("'Story'" in u.error for u in undecodable)
    # everything was acknowledged: nothing comes back
    assert pubsub.pull_records(pubsub.subscription_path(project, 'items-sub'), 'FeedItem',
                               max_messages=10, timeout=2, emulator_host=emulator_host) == []


def test_decode_message_checks_the_schema_attribute():
    data = pubsub.schemas.encode('FeedItem', feed_item(3))
    assert pubsub.decode_message(data, {'schema': 'FeedItem'})['item_id'] == 'id-3'
    assert pubsub.decode_message(data, {}, 'FeedItem')['item_id'] == 'id-3'
    with pytest.raises(ValueError, match='expected'):
        pubsub.decode_message(data, {'schema': 'Story'}, 'FeedItem')
    with pytest.raises(ValueError, match='no schema attribute'):
        pubsub.decode_message(data, {})
    with pytest.raises(ValueError, match='not a FeedItem'):
        pubsub.decode_message(data + b'junk', {'schema': 'FeedItem'})


def test_paths():
    assert pubsub.topic_path('p', 't') == 'projects/p/topics/t'
    assert pubsub.topic_path('p', 'projects/q/topics/t') == 'projects/q/topics/t'
    assert pubsub.subscription_path('p', 's') == 'projects/p/subscriptions/s'
    assert pubsub.DEFAULT_SUBSCRIPTIONS == {
        'wirewatch-items-sub': 'wirewatch-items', 'wirewatch-events-sub': 'wirewatch-events',
        'wirewatch-summaries-sub': 'wirewatch-summaries', 'wirewatch-deadletter-sub': 'wirewatch-deadletter'}


def test_a_port_that_answers_in_another_protocol_is_not_the_emulator_yet():
    """While the emulator starts, its gRPC listener may answer an HTTP/1 GET with HTTP/2
    bytes ('Unexpected HTTP/1.x request'): not answering yet, no crash."""
    import threading
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(1)

    def reply_in_http2():
        connection, _ = server.accept()
        with connection:
            connection.recv(1024)
            connection.sendall(b'\x00\x00\x12\x04\x00\x00\x00\x00\x00Unexpected HTTP/1.x request: GET /\n')

    thread = threading.Thread(target=reply_in_http2, daemon=True)
    thread.start()
    try:
        assert emulator.answers('127.0.0.1', server.getsockname()[1], timeout=2.0) is False
    finally:
        thread.join(timeout=5)
        server.close()
