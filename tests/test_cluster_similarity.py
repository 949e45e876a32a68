"""The near-duplicate decision, on pairs written for the purpose."""
import pytest

from wirewatch.transforms.cluster.index import BandIndex, Vote, decide_cluster
from wirewatch.transforms.cluster.similarity import (band_keys, contradicts, fingerprint,
                                                     similarity_decision, title_numbers)

LEAD = ('Security forces fired tear gas at thousands of protesters who marched on the '
        'parliament in the capital on Tuesday, demanding the resignation of the interior '
        'minister after a week of fuel shortages, witnesses and police said. At least 12 '
        'people were injured and 40 were detained, according to a police statement.')

SAME_STORY = [
    # syndicated verbatim under another headline
    (('Police fire tear gas at parliament protest', LEAD),
     ('Tear gas fired as protesters march on parliament', LEAD)),
    # lead edited: a clause cut and a word changed
    (('Police fire tear gas at parliament protest', LEAD),
     ('Police fire tear gas at parliament protest',
      LEAD.replace(' after a week of fuel shortages,', ',').replace('witnesses', 'onlookers'))),
]

DIFFERENT_STORY = [
    (('Suicide bomber kills 12 in Nigeria church', 'Suicide bomber kills 12 in Nigeria church'),
     ('Suicide bomber kills 21 in NW Pakistan', 'Suicide bomber kills 21 in NW Pakistan')),
    (('Earthquake of magnitude 6.1 strikes off Japan', ''),
     ('Earthquake of magnitude 6.1 strikes off Chile', '')),
    (('Police fire tear gas at parliament protest', LEAD),
     ('Central bank raises interest rates by half a point',
      'The central bank raised its benchmark rate by 50 basis points on Thursday, the '
      'third increase this year, as inflation stayed above its target for a ninth month.')),
]


@pytest.mark.parametrize('a,b', SAME_STORY)
def test_copies_of_one_story_are_near_duplicates(a, b):
    same, sim = similarity_decision(fingerprint(*a), fingerprint(*b))
    assert same, sim


@pytest.mark.parametrize('a,b', DIFFERENT_STORY)
def test_different_stories_are_not_merged(a, b):
    same, sim = similarity_decision(fingerprint(*a), fingerprint(*b))
    assert not same, sim


def test_template_titles_contradict_on_numbers_and_places():
    a = fingerprint('Suicide bomber kills 12 in Nigeria church', '')
    b = fingerprint('Suicide bomber kills 21 in NW Pakistan', '')
    assert contradicts(a, b)
    assert title_numbers('Blast kills 1,200 and twelve more') == {'1200', '12'}


def test_fingerprint_is_deterministic_and_bands_cover_signature():
    a = fingerprint('A title here', LEAD)
    b = fingerprint('A title here', LEAD)
    assert a == b
    keys = band_keys(a.signature)
    assert len(keys) == 16 and len(set(keys)) == 16


def test_band_index_votes_for_earlier_match_and_expires():
    a = fingerprint('Police fire tear gas at parliament protest', LEAD)
    b = fingerprint('Tear gas fired as protesters march on parliament', LEAD)
    index = BandIndex(ttl=100)
    assert index.offer('a', 1000.0, a).match_story_id is None
    vote = index.offer('b', 1050.0, b)
    assert vote.match_story_id == 'a' and vote.match_cluster_id == 'a'
    assert index.expire(watermark=1120.0) == 1      # 'a' (t=1000) is older than 1120-100
    late = index.offer('c', 1200.0, b)              # 'b' is 150 s earlier: beyond the TTL
    assert late.match_story_id is None


def test_decision_prefers_highest_similarity_then_earliest():
    votes = [Vote('s'), Vote('s', 'x', 'cx', 10.0, 0.7), Vote('s', 'y', 'cy', 5.0, 0.9),
             Vote('s', 'z', 'cz', 1.0, 0.9)]
    assert decide_cluster('s', votes) == ('cz', 'cz', 0.9)
    assert decide_cluster('s', [Vote('s')]) == ('s', None, None)
