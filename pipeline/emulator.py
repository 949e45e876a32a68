"""Start, stop and inspect a local Google Cloud Pub/Sub emulator (loopback only).

The emulator runs in its own process group; its pid, address and project are
kept in ``STATE_DIR/emulator.json`` and its output in ``STATE_DIR/emulator.log``
(``STATE_DIR`` defaults to ``$WIREWATCH_STATE_DIR/emulator`` or
``~/.cache/wirewatch/emulator``). ``stop`` only ever signals the process group
recorded there.

CLI: ``python -m wirewatch.pipeline.emulator start|stop|status`` (also wired as
``wirewatch emulator ...``). ``start`` prints ``export PUBSUB_EMULATOR_HOST=...``
on stdout and everything else on stderr, so ``eval "$(... start)"`` works.
"""
import argparse
import contextlib
import dataclasses
import datetime
import http.client
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from wirewatch.pipeline import pubsub

EMULATOR_ENV = 'WIREWATCH_PUBSUB_EMULATOR'
STATE_DIR_ENV = 'WIREWATCH_STATE_DIR'
EMULATOR_RELATIVE_PATH = os.path.join('platform', 'pubsub-emulator', 'bin', 'cloud-pubsub-emulator')
COMMON_SDK_ROOTS = (
    '/usr/lib/google-cloud-sdk',
    '/usr/share/google-cloud-sdk',
    '/opt/google-cloud-sdk',
    '/usr/local/google-cloud-sdk',
    '/snap/google-cloud-cli/current',
    '/snap/google-cloud-sdk/current',
    '~/google-cloud-sdk',
)
MIN_JAVA_MAJOR = 8  # what gcloud itself checks before starting this emulator
STATE_FILE = 'emulator.json'
LOG_FILE = 'emulator.log'
STOP_GRACE_SECONDS = 10


class EmulatorError(Exception):
    """The emulator cannot be found, started or reached; the message is one line for people."""


@dataclasses.dataclass
class EmulatorState:
    """What ``start`` recorded: enough to reach and to stop the emulator."""
    pid: int
    pgid: int
    host: str
    port: int
    project: str
    log_path: str
    started_at: str
    command: list

    @property
    def address(self):
        """``host:port``, the value for PUBSUB_EMULATOR_HOST."""
        return f'{self.host}:{self.port}'


def default_state_dir():
    root = os.environ.get(STATE_DIR_ENV)
    if root:
        return os.path.join(os.path.expanduser(root), 'emulator')
    cache = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(cache, 'wirewatch', 'emulator')


# ---------------------------------------------------------------- finding things

def find_emulator():
    """Path of the ``cloud-pubsub-emulator`` launcher script.

    Looks at $WIREWATCH_PUBSUB_EMULATOR (the script, its ``bin`` dir, the
    ``pubsub-emulator`` dir or an SDK root), then ``gcloud info``'s SDK root,
    then common install paths. Raises EmulatorError when none has it.
    """
    override = os.environ.get(EMULATOR_ENV)
    if override:
        found = _launcher_under(os.path.expanduser(override))
        if not found:
            raise EmulatorError(f'{EMULATOR_ENV}={override} does not point at the cloud-pubsub-emulator script')
        return found
    for root in [_gcloud_sdk_root()] + [os.path.expanduser(p) for p in COMMON_SDK_ROOTS]:
        found = root and _launcher_under(root)
        if found:
            return found
    raise EmulatorError('Pub/Sub emulator not found: install google-cloud-cli-pubsub-emulator '
                        f'(or `gcloud components install pubsub-emulator`), or set {EMULATOR_ENV}')


def _launcher_under(path):
    candidates = [path,
                  os.path.join(path, 'cloud-pubsub-emulator'),
                  os.path.join(path, 'bin', 'cloud-pubsub-emulator'),
                  os.path.join(path, EMULATOR_RELATIVE_PATH)]
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    return None


def _gcloud_sdk_root():
    gcloud = shutil.which('gcloud')
    if not gcloud:
        return None
    try:
        out = subprocess.run([gcloud, 'info', '--format=value(installation.sdk_root)'],
                             capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def find_java():
    """Path of a usable ``java`` ($JAVA_HOME/bin/java, else PATH); raises EmulatorError."""
    java_home = os.environ.get('JAVA_HOME')
    java = os.path.join(java_home, 'bin', 'java') if java_home else shutil.which('java')
    if not java or not os.access(java, os.X_OK):
        where = f'JAVA_HOME={java_home}' if java_home else 'PATH'
        raise EmulatorError(f'Java not found on {where}: the Pub/Sub emulator needs a Java '
                            f'{MIN_JAVA_MAJOR}+ runtime (e.g. apt-get install openjdk-17-jre-headless)')
    try:
        out = subprocess.run([java, '-version'], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EmulatorError(f'cannot run {java}: {error}') from error
    major = java_major_version(out.stderr + out.stdout)
    if major is not None and major < MIN_JAVA_MAJOR:
        raise EmulatorError(f'{java} is Java {major}; the Pub/Sub emulator needs Java {MIN_JAVA_MAJOR}+')
    return java


def java_major_version(version_text):
    """Major version from ``java -version`` output ('1.8.0_x' -> 8, '17.0.15' -> 17), or None."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_text)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def check_loopback(host):
    """Refuse a host that is not loopback: the emulator has no authentication."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise EmulatorError(f'cannot resolve emulator host {host!r}: {error}') from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split('%')[0])
        if not address.is_loopback:
            raise EmulatorError(f'refusing to bind the emulator to {host!r} ({address}): '
                                'use a loopback host such as localhost')


def free_port(host='127.0.0.1'):
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- state and liveness

def _state_path(state_dir):
    return os.path.join(state_dir, STATE_FILE)


def read_state(state_dir=None):
    """The recorded EmulatorState, or None when there is none (or it is unreadable)."""
    path = _state_path(state_dir or default_state_dir())
    try:
        with open(path, encoding='utf-8') as f:
            return EmulatorState(**json.load(f))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        return None


def _write_state(state_dir, state):
    fd, tmp = tempfile.mkstemp(prefix='.emulator.', dir=state_dir)
    with os.fdopen(fd, 'w', encoding='utf-8') as f:
        json.dump(dataclasses.asdict(state), f, indent=2)
    os.replace(tmp, _state_path(state_dir))


def _remove_state(state_dir):
    with contextlib.suppress(FileNotFoundError):
        os.remove(_state_path(state_dir))


def is_alive(pid):
    """True while ``pid`` runs (reaping it first if it is our exited child)."""
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid):
    try:
        with open(f'/proc/{pid}/stat', encoding='ascii') as f:
            return f.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except (OSError, IndexError):
        return False


def _is_our_emulator(state):
    """The recorded pid is alive, leads the recorded group and still runs the emulator."""
    if not is_alive(state.pid):
        return False
    try:
        if os.getpgid(state.pid) != state.pgid:
            return False
    except ProcessLookupError:
        return False
    try:
        with open(f'/proc/{state.pid}/cmdline', 'rb') as f:
            cmdline = f.read().decode('utf-8', 'replace')
    except OSError:
        return True  # no /proc: trust pid + pgid
    return 'pubsub-emulator' in cmdline


def answers(host, port, timeout=2.0):
    """True when an HTTP GET on the emulator's port succeeds (it serves 'Ok' on /). While it
    starts, its gRPC listener may answer first, in HTTP/2 ('Unexpected HTTP/1.x request'):
    not yet."""
    url_host = f'[{host}]' if ':' in host else host
    try:
        with _NO_PROXY_OPENER.open(f'http://{url_host}:{port}/', timeout=timeout) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError, ValueError, http.client.HTTPException):
        return False


_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _log_tail(log_path, lines=1):
    try:
        with open(log_path, encoding='utf-8', errors='replace') as f:
            content = [line.strip() for line in f if line.strip()]
    except OSError:
        return ''
    interesting = [line for line in content if re.search(r'(?i)error|exception|address', line)]
    return ' | '.join((interesting or content)[-lines:])


# ---------------------------------------------------------------- start / stop / status

def start(host=pubsub.DEFAULT_EMULATOR_HOST.split(':')[0],
          port=int(pubsub.DEFAULT_EMULATOR_HOST.split(':')[1]),
          project=pubsub.DEFAULT_PROJECT, data_dir=None, timeout=60,
          topics=pubsub.DEFAULT_TOPICS, subscriptions=None, say=None):
    """Start the emulator (or reuse the running one) and create topics and subscriptions.

    ``data_dir`` is the state dir (pid/state file and log). ``timeout`` is seconds to
    wait for the emulator to answer. ``say(message)`` receives progress lines
    (default: stderr). Returns the EmulatorState. Raises EmulatorError with a
    one-line reason when Java or the emulator is missing or it does not come up.
    """
    say = say or _say
    state_dir = data_dir or default_state_dir()
    port = int(port)
    check_loopback(host)
    existing = read_state(state_dir)
    if existing and _is_our_emulator(existing):
        if (existing.host, existing.port) != (host, port):
            raise EmulatorError(f'an emulator started from {state_dir} already runs on '
                                f'{existing.address}; stop it first or use another state dir')
        if not answers(existing.host, existing.port):
            raise EmulatorError(f'emulator pid {existing.pid} runs but does not answer on '
                                f'{existing.address}; see {existing.log_path} or stop it')
        say(f'Pub/Sub emulator already running (pid {existing.pid}) on {existing.address}; reusing it')
        _ensure_contract_topics(existing.address, project, topics, subscriptions, say)
        return existing
    if existing:
        say(f'removing stale emulator state (pid {existing.pid} is gone)')
        _remove_state(state_dir)
    if answers(host, port):
        raise EmulatorError(f'something not started by wirewatch already answers on {host}:{port}; '
                            'stop it or choose another --port')
    if not _port_is_free(host, port):
        raise EmulatorError(f'port {port} on {host} is already in use; choose another --port')

    launcher = find_emulator()
    java = find_java()
    os.makedirs(state_dir, exist_ok=True)
    log_path = os.path.join(state_dir, LOG_FILE)
    command = [launcher, f'--host={host}', f'--port={port}']
    env = dict(os.environ)
    env.setdefault('JAVA_HOME', os.path.dirname(os.path.dirname(os.path.realpath(java))))
    with open(log_path, 'ab') as log_file:
        log_file.write(f'\n--- {_now()} starting: {" ".join(command)}\n'.encode())
        log_file.flush()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   cwd=state_dir, env=env)
    _CHILDREN[process.pid] = process
    state = EmulatorState(pid=process.pid, pgid=process.pid, host=host, port=port,
                          project=project, log_path=log_path, started_at=_now(),
                          command=command)
    _write_state(state_dir, state)
    say(f'starting Pub/Sub emulator (pid {process.pid}) on {state.address}; log: {log_path}')
    try:
        _wait_until_answering(state, process, timeout)
        _ensure_contract_topics(state.address, project, topics, subscriptions, say)
    except BaseException:
        stop(state_dir, say=lambda _message: None)
        raise
    return state


def _ensure_contract_topics(address, project, topics, subscriptions, say):
    try:
        created_topics, created_subscriptions = pubsub.ensure_topics(
            project, topics, subscriptions, emulator_host=address)
    except Exception as error:
        raise EmulatorError(f'emulator on {address} did not accept topic creation: '
                            f'{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ""}') from error
    say(f'project {project}: created {len(created_topics)} topic(s), '
        f'{len(created_subscriptions)} subscription(s) (existing ones kept)')


def _wait_until_answering(state, process, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmulatorError(f'emulator exited with status {process.returncode} before answering: '
                                f'{_log_tail(state.log_path) or "see " + state.log_path}')
        if answers(state.host, state.port, timeout=1.0):
            return
        time.sleep(0.25)
    raise EmulatorError(f'emulator did not answer on {state.address} within {timeout:g} s; '
                        f'see {state.log_path}')


def _port_is_free(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: connections in TIME_WAIT from a previous run do not count as "in use".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((socket.gethostbyname(host), port))
        except OSError:
            return False
    return True


def stop(data_dir=None, say=None):
    """Stop the emulator recorded in the state dir (its process group only). Returns True if one was stopped."""
    say = say or _say
    state_dir = data_dir or default_state_dir()
    state = read_state(state_dir)
    if state is None:
        say(f'no emulator recorded in {state_dir}')
        return False
    if not _is_our_emulator(state):
        say(f'emulator pid {state.pid} is not running; removing its state file')
        _remove_state(state_dir)
        _CHILDREN.pop(state.pid, None)
        return False
    _signal_group(state.pgid, signal.SIGTERM)
    if not _wait_gone(state.pid, STOP_GRACE_SECONDS):
        say(f'emulator pid {state.pid} ignored SIGTERM for {STOP_GRACE_SECONDS} s; killing it')
        _signal_group(state.pgid, signal.SIGKILL)
        _wait_gone(state.pid, STOP_GRACE_SECONDS)
    _remove_state(state_dir)
    say(f'stopped Pub/Sub emulator (pid {state.pid}) on {state.address}')
    return True


def _signal_group(pgid, signum):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _wait_gone(pid, timeout):
    process = _CHILDREN.get(pid)
    if process is not None:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        _CHILDREN.pop(pid, None)
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return True
        time.sleep(0.1)
    return not is_alive(pid)


def status(data_dir=None):
    """``(state_or_None, summary_line, running)`` for the emulator recorded in the state dir."""
    state_dir = data_dir or default_state_dir()
    state = read_state(state_dir)
    if state is None:
        return None, f'not running (no emulator recorded in {state_dir})', False
    if not _is_our_emulator(state):
        return state, f'not running (stale state: pid {state.pid} is gone)', False
    if not answers(state.host, state.port):
        return state, f'pid {state.pid} runs but does not answer on {state.address}', False
    return state, (f'running: pid {state.pid} on {state.address}, project {state.project}, '
                   f'since {state.started_at}, log {state.log_path}'), True


@contextlib.contextmanager
def running_emulator(port=None, project=pubsub.DEFAULT_PROJECT, host='localhost', timeout=90):
    """Start a private emulator (free port, temporary state dir), yield ``host:port``, always stop it.

    Does not touch os.environ; pass the address as ``emulator_host=`` or set
    PUBSUB_EMULATOR_HOST yourself (e.g. pytest's monkeypatch).
    """
    state_dir = tempfile.mkdtemp(prefix='wirewatch-emulator-')
    quiet = lambda _message: None  # noqa: E731
    try:
        state = start(host=host, port=port or free_port(), project=project,
                      data_dir=state_dir, timeout=timeout, say=quiet)
        yield state.address
    finally:
        stop(state_dir, say=quiet)
        shutil.rmtree(state_dir, ignore_errors=True)


_CHILDREN = {}  # pid -> Popen, so this process reaps the emulators it started


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _say(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- CLI

def add_arguments(parser):
    """Add ``start|stop|status`` and their options to an argparse parser."""
    parser.add_argument('action', choices=('start', 'stop', 'status'))
    parser.add_argument('--host', default=pubsub.DEFAULT_EMULATOR_HOST.split(':')[0],
                        help='loopback host to bind (default: %(default)s)')
    parser.add_argument('--port', type=int, default=int(pubsub.DEFAULT_EMULATOR_HOST.split(':')[1]),
                        help='port (default: %(default)s)')
    parser.add_argument('--project', default=pubsub.DEFAULT_PROJECT,
                        help='project for the topics and subscriptions (default: %(default)s)')
    parser.add_argument('--state-dir', default=None,
                        help='pid/state file and log directory (default: $WIREWATCH_STATE_DIR/emulator '
                             'or ~/.cache/wirewatch/emulator)')
    parser.add_argument('--timeout', type=float, default=60,
                        help='seconds to wait for the emulator to answer (default: %(default)s)')
    return parser


def run_from_args(args):
    """Run a parsed ``start|stop|status``; returns the process exit code."""
    try:
        if args.action == 'start':
            state = start(host=args.host, port=args.port, project=args.project,
                          data_dir=args.state_dir, timeout=args.timeout)
            print(f'export PUBSUB_EMULATOR_HOST={state.address}', flush=True)
            return 0
        if args.action == 'stop':
            stop(args.state_dir)
            return 0
        state, line, running = status(args.state_dir)
        print(line)
        if running:
            print(f'export PUBSUB_EMULATOR_HOST={state.address}')
        return 0 if running else 3
    except EmulatorError as error:
        print(f'wirewatch emulator {args.action}: {error}', file=sys.stderr)
        return 2


def emulator_main(argv=None):
    """Entry point: ``emulator_main(['start', '--port', '8085'])`` -> exit code."""
    parser = add_arguments(argparse.ArgumentParser(
        prog='wirewatch emulator', description='Manage a local Pub/Sub emulator (loopback only).'))
    return run_from_args(parser.parse_args(argv))


if __name__ == '__main__':
    sys.exit(emulator_main())
