"""Integration against the real Pub/Sub emulator: poll a feed served over local HTTP, stream,
then read the summaries back from the summaries topic and from the windowed Avro files."""
import datetime as dt
import glob
import time

import pytest

from factories import emulator_available, one_item_feed

from wirewatch import schemas
from wirewatch.pipeline import emulator, pubsub
from wirewatch.pipeline.demo import serve_directory
from wirewatch.pipeline.streaming import run_stream
from wirewatch.pipeline.poller import poll_feeds

pytestmark = pytest.mark.emulator

STORY = ('SANTIAGO, {day} – Thousands of people protested in Santiago on {weekday} against a rise '
         'in metro fares. Police said 23 people were arrested and 5 protesters were injured in '
         'clashes with riot police near the presidential palace.')


def _feed(now):
    published = now - dt.timedelta(minutes=5)
    body = STORY.format(day=f'{published:%B} {published.day}', weekday=f'{published:%A}')
    return one_item_feed(published, 'Stream Test Wire', 'https://stream.example.net', 'Chile fare protest turns violent', 'chile-fares', 'st-1', body)


@pytest.mark.skipif(not emulator_available(), reason='Java or the Pub/Sub emulator is absent')
def test_polled_item_reaches_summary_topic_and_files_within_two_minutes(tmp_path, monkeypatch):
    now = dt.datetime.now(dt.timezone.utc)
    feeds = tmp_path / 'feeds'
    feeds.mkdir()
    (feeds / 'wire.xml').write_text(_feed(now), encoding='utf-8')
    out = tmp_path / 'out'
    project = pubsub.DEFAULT_PROJECT
    with emulator.running_emulator() as host:
        monkeypatch.setenv('PUBSUB_EMULATOR_HOST', host)
        with serve_directory(str(feeds)) as base:
            summary = poll_feeds([f'{base}/wire.xml'], project=project,
                                 state_path=str(tmp_path / 'poll-state.json'), once=True,
                                 emulator_host=host, say=lambda m: None)
        assert summary.published == 1
        # a message that is not an Avro FeedItem must become a dead letter, not a crash
        from google.cloud import pubsub_v1
        publisher = pubsub_v1.PublisherClient()
        publisher.publish(pubsub.topic_path(project, pubsub.ITEMS_TOPIC), b'\xff\x00garbage',
                          schema='FeedItem').result(timeout=30)

        received = []

        def summaries_out():
            received.extend(r for r, _ in pubsub.pull_records(
                pubsub.subscription_path(project, f'{pubsub.SUMMARIES_TOPIC}-sub'),
                'CountrySummary', max_messages=50, timeout=1, emulator_host=host))
            return bool(received) and bool(glob.glob(str(out / 'summaries' / '*.avro'))) \
                and bool(glob.glob(str(out / 'deadletter' / '*.avro')))

        started = time.monotonic()
        reason = run_stream(
            pubsub.subscription_path(project, pubsub.ITEMS_SUBSCRIPTION), str(out),
            ['--early_firing_seconds', '5', '--file_flush_seconds', '5',
             '--summaries_topic', pubsub.topic_path(project, pubsub.SUMMARIES_TOPIC),
             '--events_topic', pubsub.topic_path(project, pubsub.EVENTS_TOPIC),
             '--deadletter_topic', pubsub.topic_path(project, pubsub.DEADLETTER_TOPIC)],
            max_seconds=170, until=summaries_out, log=lambda m: None)
        elapsed = time.monotonic() - started
        events = pubsub.pull_records(pubsub.subscription_path(project, f'{pubsub.EVENTS_TOPIC}-sub'),
                                     'Event', max_messages=50, timeout=5, emulator_host=host)
    assert reason == 'condition', f'no summary within {elapsed:.0f} s'
    assert elapsed < 120
    chl = [s for s in received if s['country'] == 'CHL']
    assert chl and chl[-1]['arrested'] == 23 and chl[-1]['injured'] == 5
    assert chl[0]['pane'] in ('EARLY', 'ON_TIME')
    files = [r for f in glob.glob(str(out / 'summaries' / '*.avro')) for r in schemas.read_container(f)]
    assert any(s['country'] == 'CHL' for s in files)
    dead = [r for f in glob.glob(str(out / 'deadletter' / '*.avro')) for r in schemas.read_container(f)]
    assert any(d['stage'] == 'decode' and d['error'] == 'UNDECODABLE_MESSAGE' for d in dead)
    assert any(r['event_type'] == 'PROTEST' and r['country'] == 'CHL' for r, _ in events)
