"""Fault test: ``kill -9`` of a stream mid-run, then restart and ``wirewatch replay``.

The streaming DirectRunner acknowledges Pub/Sub messages before processing them, so
what the killed stream held in flight is gone from the subscription. The poller's
archive and ``wirewatch replay`` bring it back; the restarted stream (same output
folder) writes no Story or Event twice, and its latest summaries equal those of a
stream that ran uninterrupted beside it on its own subscription of the same topic.
"""
import collections
import datetime as dt
import os
import signal
import time

import pytest

from factories import emulator_available
from stream_harness import records, rss, start_stream, stop_stream, story_ids, wait_for

from wirewatch.pipeline import archive, emulator, pubsub
from wirewatch.pipeline.poller import poll_feeds

pytestmark = pytest.mark.emulator

PROJECT = pubsub.DEFAULT_PROJECT
REFERENCE_SUBSCRIPTION = 'reference-items-sub'
# (guid, title, lead) -- invented people and events, real capitals for the place
STORIES = [
    ('cr-1', 'Traders protest market closure in Nairobi',
     'Hundreds of traders protested in Nairobi on {weekday} against the closure of a central market. '
     'Police said 14 people were arrested.'),
    ('cr-2', 'Teachers march in Lima over pay',
     'Thousands of teachers marched in Lima on {weekday} to demand higher pay. Police arrested 9 '
     'protesters after clashes near the Congress building.'),
    ('cr-3', 'Students clash with police in Kathmandu',
     'Students clashed with riot police in Kathmandu on {weekday}. Police said 6 students were '
     'injured and 11 were detained.'),
    ('cr-4', 'Drivers strike and protest fuel prices in Accra',
     'Hundreds of taxi drivers protested in Accra on {weekday} against a rise in fuel prices, '
     'the union leader Kofi Adzra said.'),
    ('cr-5', 'Police disperse second market protest in Nairobi',
     'Police fired tear gas to disperse traders protesting in Nairobi on {weekday}. Officers said '
     '8 more people were arrested.'),
    ('cr-6', 'Farmers block roads outside Lima',
     'Farmers protested on a highway outside Lima on {weekday} against import rules. Police said '
     '5 farmers were detained.'),
    ('cr-7', 'Opposition rally in Kathmandu ends in arrests',
     'Police arrested 17 opposition supporters at a rally in Kathmandu on {weekday}, the party '
     'spokesman Hari Dangol said.'),
    ('cr-8', 'Nurses demonstrate in Accra over unpaid wages',
     'Nurses demonstrated in Accra on {weekday} over months of unpaid wages. Police said the '
     'protest was peaceful.'),
]


def _latest_summaries(output):
    latest = {}
    for summary in records(output, 'summaries'):
        latest[(summary['country'], summary['window_start'])] = summary
    return latest


def _figures(summary):
    return {k: summary[k] for k in ('events', 'stories', 'articles', 'sources', 'killed',
                                    'injured', 'arrested', 'events_by_type', 'alert_level')}


@pytest.mark.skipif(not emulator_available(), reason='Java or the Pub/Sub emulator is absent')
def test_kill_9_then_restart_and_replay_loses_nothing_and_doubles_nothing(tmp_path):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    feed = tmp_path / 'wire.xml'
    state = tmp_path / 'poller' / 'state.json'
    crash_out, reference_out = tmp_path / 'crash', tmp_path / 'reference'
    items_subscription = pubsub.subscription_path(PROJECT, pubsub.ITEMS_SUBSCRIPTION)
    processes = []
    with emulator.running_emulator() as host:
        pubsub.ensure_topics(PROJECT, topics=[pubsub.ITEMS_TOPIC],
                             subscriptions={REFERENCE_SUBSCRIPTION: pubsub.ITEMS_TOPIC}, emulator_host=host)

        def poll():
            return poll_feeds([str(feed)], project=PROJECT, state_path=str(state), emulator_host=host,
                              say=lambda m: None)
        try:
            reference = start_stream(pubsub.subscription_path(PROJECT, REFERENCE_SUBSCRIPTION),
                                      reference_out, host, tmp_path / 'reference.log')
            crashing = start_stream(items_subscription, crash_out, host, tmp_path / 'crash-1.log')
            processes += [reference, crashing]
            feed.write_text(rss(STORIES[:4], now), encoding='utf-8')
            assert poll().published == 4
            assert wait_for(lambda: len(story_ids(crash_out)) >= 2, 180), 'the stream processed nothing'
            feed.write_text(rss(STORIES, now), encoding='utf-8')
            assert poll().published == 4
            time.sleep(1.0)
            os.killpg(crashing.pid, signal.SIGKILL)   # kill -9, mid-run
            crashing.wait(10)
            before_restart = set(story_ids(crash_out))

            restarted = start_stream(items_subscription, crash_out, host, tmp_path / 'crash-2.log')
            processes.append(restarted)
            published, failed = archive.replay(archive.default_archive_dir(state),
                                               pubsub.topic_path(PROJECT, pubsub.ITEMS_TOPIC),
                                               emulator_host=host)
            assert (published, failed) == (len(STORIES), 0)
            wanted = {guid for guid, *_ in STORIES}

            def settled():
                return (len(story_ids(crash_out)) == len(wanted)
                        and len(story_ids(reference_out)) == len(wanted)
                        and {c for c, _ in _latest_summaries(crash_out)}
                        == {c for c, _ in _latest_summaries(reference_out)}
                        and all(_figures(a) == _figures(_latest_summaries(reference_out).get(k, {}))
                                if _latest_summaries(reference_out).get(k) else False
                                for k, a in _latest_summaries(crash_out).items()))
            converged = wait_for(settled, 240, step=2)
        finally:
            for process in processes:
                stop_stream(process)

    crash_ids, reference_ids = story_ids(crash_out), story_ids(reference_out)
    print(f'stories written before the kill: {len(before_restart)} of {len(STORIES)}')
    assert len(crash_ids) == len(STORIES), (before_restart, crash_ids)
    assert all(n == 1 for n in crash_ids.values()), f'stories written twice: {crash_ids}'
    assert all(n == 1 for n in reference_ids.values()), f'replay doubled stories: {reference_ids}'
    assert set(crash_ids) == set(reference_ids)
    event_ids = collections.Counter(r['event_id'] for r in records(crash_out, 'events'))
    assert event_ids and all(n == 1 for n in event_ids.values()), f'events written twice: {event_ids}'
    crash_summaries, reference_summaries = _latest_summaries(crash_out), _latest_summaries(reference_out)
    assert {'KEN', 'PER', 'NPL', 'GHA'} <= {country for country, _ in reference_summaries}
    assert converged, (tmp_path / 'crash-2.log').read_text()[-3000:]
    for key, summary in reference_summaries.items():
        assert _figures(crash_summaries[key]) == _figures(summary), key
