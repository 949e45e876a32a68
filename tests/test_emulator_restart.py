"""Fault test: the Pub/Sub emulator stops and restarts under a running poller and stream.

The emulator keeps no messages across a restart (``wirewatch emulator start`` creates the
topics and subscriptions again), so what was published but not yet delivered is gone from
the subscription. The poller keeps passing (publishing what failed again), the stream's
client reconnects, and ``wirewatch replay`` over the outage brings back what the emulator
dropped; the stream writes each story once.
"""
import datetime as dt
import shutil
import tempfile
import threading
import time

import pytest

from factories import emulator_available
from stream_harness import rss, start_stream, stop_stream, story_ids, wait_for

from wirewatch.pipeline import archive, emulator, pubsub
from wirewatch.pipeline.poller import poll_feeds

pytestmark = pytest.mark.emulator

PROJECT = pubsub.DEFAULT_PROJECT
STORIES = [
    ('er-1', 'Bus drivers protest in Manila over routes',
     'Hundreds of bus drivers protested in Manila on {weekday} against new route rules.'),
    ('er-2', 'Police detain activists in Dhaka',
     'Police detained 12 activists at a sit-in in Dhaka on {weekday}, a rights group said.'),
    ('er-3', 'Miners march in Lusaka',
     'Thousands of miners marched in Lusaka on {weekday} to demand back pay.'),
    ('er-4', 'Clashes at a Quito protest injure 4',
     'Four people were injured when protesters clashed with police in Quito on {weekday}.'),
    ('er-5', 'Vendors protest evictions in Harare',
     'Street vendors protested in Harare on {weekday} against evictions by the city council.'),
    ('er-6', 'Police arrest 9 at a Tunis rally',
     'Police arrested 9 people at an opposition rally in Tunis on {weekday}.'),
    ('er-7', 'Nurses strike and rally in Asuncion',
     'Nurses rallied outside the health ministry in Asuncion on {weekday} over unpaid wages.'),
]


@pytest.mark.skipif(not emulator_available(), reason='Java or the Pub/Sub emulator is absent')
def test_poller_and_stream_resume_after_an_emulator_restart_and_replay_fills_the_gap(tmp_path):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    feed, state, out = tmp_path / 'wire.xml', tmp_path / 'poller' / 'state.json', tmp_path / 'out'
    feed.write_text(rss(STORIES[:3], now), encoding='utf-8')
    data_dir = tempfile.mkdtemp(prefix='wirewatch-emulator-')
    port = emulator.free_port()
    messages, stop_polling, stream = [], threading.Event(), None
    poller = None
    try:
        host = emulator.start(host='localhost', port=port, project=PROJECT, data_dir=data_dir,
                              say=lambda m: None).address
        stream = start_stream(pubsub.subscription_path(PROJECT, pubsub.ITEMS_SUBSCRIPTION), out, host,
                              tmp_path / 'stream.log')
        poller = threading.Thread(target=poll_feeds, args=([str(feed)],), kwargs=dict(
            project=PROJECT, state_path=str(state), once=False, interval=1.0, emulator_host=host,
            stop_event=stop_polling, say=messages.append), daemon=True)
        poller.start()
        assert wait_for(lambda: len(story_ids(out)) == 3, 180), 'no stories before the outage'

        feed.write_text(rss(STORIES[:5], now), encoding='utf-8')   # published, maybe not delivered
        time.sleep(0.5)
        outage_from = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
        emulator.stop(data_dir, say=lambda m: None)
        feed.write_text(rss(STORIES, now), encoding='utf-8')       # appear while Pub/Sub is down
        time.sleep(8)
        assert stream.poll() is None, 'the stream died with the emulator'
        emulator.start(host='localhost', port=port, project=PROJECT, data_dir=data_dir, say=lambda m: None)

        archive_dir = archive.default_archive_dir(state)
        archived = lambda: {r['item']['item_id'] for r in archive.read_archive(archive_dir)}  # noqa: E731
        assert wait_for(lambda: len(archived()) == len(STORIES), 150), messages[-5:]
        published, failed = archive.replay(archive_dir, pubsub.topic_path(PROJECT, pubsub.ITEMS_TOPIC),
                                           start=outage_from, emulator_host=host)
        assert failed == 0 and published >= 2
        assert wait_for(lambda: set(story_ids(out)) == archived(), 180), (
            (tmp_path / 'stream.log').read_text()[-2000:])
        assert poller.is_alive() and stream.poll() is None   # both kept going through the outage
    finally:
        stop_polling.set()
        if poller is not None:
            poller.join(90)
        if stream is not None:
            stop_stream(stream)
        emulator.stop(data_dir, say=lambda m: None)
        shutil.rmtree(data_dir, ignore_errors=True)
    written = story_ids(out)
    assert len(written) == len(STORIES) and all(n == 1 for n in written.values()), written
