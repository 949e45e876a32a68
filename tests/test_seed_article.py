"""The seed article (../shared/seed-article.txt, a real wire story) through normalise and
extract: everything it states comes out right, nothing it does not state is coded.
Skipped when the shared folder is absent (a user's fresh clone)."""
import datetime as dt
import os

import pytest

SEED = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'seed-article.txt')
pytestmark = pytest.mark.skipif(not os.path.exists(SEED), reason='../shared/seed-article.txt not present')
PUBLISHED = dt.datetime(2022, 1, 9, 15, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope='module')
def seed_events(extractor):
    from wirewatch.transforms.normalise.core import normalise_item
    with open(SEED, encoding='utf-8') as f:
        title, body = f.read().strip().split('\n', 1)
    item = {'item_id': 'seed', 'title': title, 'summary': body.replace('\n', '<br/>\n'), 'content': None,
            'url': 'https://example.test/seed', 'guid': None, 'source_name': 'Reuters', 'published_at': PUBLISHED,
            'published_raw': None, 'fetched_at': PUBLISHED, 'feed_url': 'https://example.test/feed',
            'language': 'en', 'authors': []}
    story = normalise_item(item, now=PUBLISHED)
    [events] = list(extractor.extract([story]))
    return events


def _of(events, event_type):
    return [e for e in events if e['event_type'] == event_type]


def test_protests(seed_events):
    assert [e['country'] for e in _of(seed_events, 'PROTEST')] == ['KAZ']


def test_164_killed_and_6044_arrested(seed_events):
    assert [(e['killed'], e['country']) for e in _of(seed_events, 'ASSAULT')] == [(164, 'KAZ')]
    [arrests] = [e for e in _of(seed_events, 'COERCE') if e['arrested'] is not None]
    assert arrests['arrested'] == 6044 and 'Massimov' not in arrests['actor2']['name']


def test_massimov_arrested_on_saturday(seed_events):
    [arrest] = [e for e in _of(seed_events, 'COERCE') if e['actor2'] and e['actor2']['name'] == 'Karim Massimov'
                and e['mode'] == 'arrest']
    assert arrest['event_date'] == dt.date(2022, 1, 8)


def test_two_officials_sacked_on_sunday(seed_events):
    sackings = [e for e in _of(seed_events, 'COERCE') if e['mode'] == 'dismiss' and e['event_date'] == dt.date(2022, 1, 9)]
    assert len(sackings) == 1
    assert sackings[0]['actor1']['country'] == 'KAZ' and 'officials' in sackings[0]['actor2']['name']


def test_moscow_sends_troops_and_us_criticises(seed_events):
    assert [e['actor1']['country'] for e in _of(seed_events, 'MOBILIZE') if e['actor1']
            and e['actor1']['country'] != 'KAZ'] == ['RUS']
    assert [e['actor1']['country'] for e in _of(seed_events, 'ACCUSE')] == ['USA']


def test_nothing_that_did_not_happen(seed_events):
    assert not [e for e in seed_events if 'reshuffle' in e['sentence']]
    assert not [e for e in seed_events if 'shoot to kill' in e['sentence'] and e['event_type'] == 'ASSAULT']
    assert not [e for e in seed_events if e['country'] in ('ARM', 'BLR', 'KGZ', 'TJK')]
    assert not [e for e in seed_events if 'video conference' in e['sentence']]
