"""Helpers for fault tests that run ``wirewatch stream`` as a separate process on the emulator."""
import collections
import datetime as dt
import email.utils
import glob
import os
import signal
import subprocess
import sys
import time

from wirewatch import schemas


def rss(entries, now, site='https://faults.example.net', channel='Fault Test Wire'):
    """An RSS document of ``entries`` [(guid, title, lead with {weekday})], one a minute apart
    ending half an hour before ``now``."""
    items = []
    for n, (guid, title, lead) in enumerate(entries):
        published = now - dt.timedelta(minutes=30 - n)
        items.append(
            f'<item><title>{title}</title><link>{site}/{guid}</link>'
            f'<guid isPermaLink="false">{guid}</guid>'
            f'<pubDate>{email.utils.format_datetime(published, usegmt=True)}</pubDate>'
            f'<description>{lead.format(weekday=f"{published:%A}")}</description></item>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f'<title>{channel}</title><link>{site}/</link>' + ''.join(items) + '</channel></rss>')


def start_stream(subscription, output, host, log_path, *extra):
    """``wirewatch stream`` in its own process group, outputs to files only, early panes every 2 s."""
    env = dict(os.environ, PUBSUB_EMULATOR_HOST=host)
    with open(log_path, 'ab') as log:
        return subprocess.Popen(
            [sys.executable, '-m', 'wirewatch.pipeline.cli', 'stream', '--subscription', subscription,
             '--output', str(output), '--events-topic', 'none', '--summaries-topic', 'none',
             '--deadletter-topic', 'none', '--early_firing_seconds', '2', '--file_flush_seconds', '2',
             *extra],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_stream(process, seconds=90):
    """SIGINT (the stream writes what its sinks hold), then SIGKILL after ``seconds``."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def records(output, folder):
    """Every record of the Avro files in ``output/folder``, in the order the files were written."""
    paths = sorted(glob.glob(os.path.join(str(output), folder, '*.avro')),
                   key=lambda p: (os.stat(p).st_mtime_ns, p))
    return [r for p in paths for r in schemas.read_container(p)]


def story_ids(output):
    return collections.Counter(r['story_id'] for r in records(output, 'stories'))


def wait_for(condition, seconds, step=0.5):
    """Poll ``condition`` until it holds or ``seconds`` pass; returns its last value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
