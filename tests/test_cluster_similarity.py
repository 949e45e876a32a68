"""The near-duplicate decision, on pairs written for the purpose (no corpus text)."""
import pickle

import pytest

from wirewatch.transforms.cluster.index import BandIndex, Vote, decide_cluster
from wirewatch.transforms.cluster.similarity import (ALL_BANDS, band_keys, band_probability,
                                                     contradicts, fingerprint, for_index,
                                                     headline_facts, similarity_decision,
                                                     title_numbers, title_similarity)

LEAD = ('Security forces fired tear gas at thousands of protesters who marched on the '
        'parliament in the capital on Tuesday, demanding the resignation of the interior '
        'minister after a week of fuel shortages, witnesses and police said. At least 12 '
        'people were injured and 40 were detained, according to a police statement.')
BANK = ('The central bank raised its benchmark rate by 50 basis points on Thursday, the '
        'third increase this year, as inflation stayed above its target for a ninth month.')
BOILERPLATE = (' Join our morning team for a fresh perspective on the day ahead, with news, '
               'sport, weather and interviews, every weekday from six on channel one and '
               'streaming on demand.')

# (title, text) pairs that are one story.
SAME_STORY = [
    # syndicated verbatim under another headline
    (('Police fire tear gas at parliament protest', LEAD),
     ('Tear gas fired as protesters march on parliament', LEAD)),
    # lead edited: a clause cut and a word changed
    (('Police fire tear gas at parliament protest', LEAD),
     ('Police fire tear gas at parliament protest',
      LEAD.replace(' after a week of fuel shortages,', ',').replace('witnesses', 'onlookers'))),
    # titles only, re-worded: synonyms, number words, demonyms, abbreviations
    (('Earthquake of magnitude 7.1 kills 30 in central Mexico', ''),
     ('Magnitude 7.1 quake kills 30 in Mexico', '')),
    (("Kenya's president signs new tax law amid protests", ''),
     ('Kenyan President signs tax law despite protests', '')),
    (('U.S. Senate passes $1.2 trillion infrastructure bill', ''),
     ('US Senate approves 1.2 trillion dollar infrastructure bill', '')),
    (('Two soldiers killed in roadside bomb blast in Mali', ''),
     ('2 soldiers dead after roadside bomb in Mali', '')),
    (('Flooding forces thousands to flee homes in Bangladesh', ''),
     ('Thousands flee homes as flooding hits Bangladesh', '')),
    # a title-only feed and a full-text feed carrying the same story
    (('Police fire tear gas at parliament protest', ''),
     ('Police fire tear gas at protest outside parliament', LEAD)),
]

# (title, text) pairs that are different stories, most sharing a headline template.
DIFFERENT_STORY = [
    (('Suicide bomber kills 12 in Nigeria church', 'Suicide bomber kills 12 in Nigeria church'),
     ('Suicide bomber kills 21 in NW Pakistan', 'Suicide bomber kills 21 in NW Pakistan')),
    (('Suicide bomber kills 12 in Nigeria church', ''),
     ('Suicide bomber kills 21 in NW Pakistan', '')),
    (('Earthquake of magnitude 6.1 strikes off Japan', ''),
     ('Earthquake of magnitude 6.1 strikes off Chile', '')),
    (('Flooding kills 15 in Sydney suburbs', ''),
     ('Flooding kills 15 in Melbourne suburbs', '')),
    (('Storm death toll rises to 40', ''), ('Storm death toll rises to 52', '')),
    (('Regional stocks close higher on Monday', ''), ('Regional stocks close lower on Monday', '')),
    (('Regional stocks open higher on Tuesday', ''), ('Regional stocks open higher on Thursday', '')),
    (('Police fire tear gas at parliament protest', LEAD),
     ('Central bank raises interest rates by half a point', BANK)),
    # different short items from one outlet sharing a long boilerplate tail
    (('Artist turns health chief into fashion earrings',
      'A jewellery maker says her earrings are flying off the shelf.' + BOILERPLATE),
     ('Would the far south make a good holiday spot?',
      'A presenter travelled to the icy continent for a science series.' + BOILERPLATE)),
]


@pytest.mark.parametrize('a,b', SAME_STORY)
def test_copies_of_one_story_are_near_duplicates(a, b):
    same, sim = similarity_decision(fingerprint(*a), fingerprint(*b))
    assert same, sim


@pytest.mark.parametrize('a,b', SAME_STORY)
def test_copies_of_one_story_share_a_band(a, b):
    assert set(band_keys(fingerprint(*a))) & set(band_keys(fingerprint(*b)))


@pytest.mark.parametrize('a,b', DIFFERENT_STORY)
def test_different_stories_are_not_merged(a, b):
    same, sim = similarity_decision(fingerprint(*a), fingerprint(*b))
    assert not same, sim


def test_decision_is_symmetric():
    for a, b in SAME_STORY + DIFFERENT_STORY:
        fa, fb = fingerprint(*a), fingerprint(*b)
        assert similarity_decision(fa, fb) == similarity_decision(fb, fa)


def test_template_titles_contradict_on_numbers_and_places():
    a = fingerprint('Suicide bomber kills 12 in Nigeria church', '')
    b = fingerprint('Suicide bomber kills 21 in NW Pakistan', '')
    assert contradicts(a, b)
    # detail added on one side only is not a contradiction
    c = fingerprint('Two NATO soldiers killed in Afghanistan', '')
    d = fingerprint('NATO soldier killed in Afghan attack', '')
    assert not contradicts(c, d)


def test_headline_facts_fold_names_numbers_and_synonyms():
    assert headline_facts("Syria's PM escapes attack").places == {'SYR'}
    assert headline_facts('Syrian prime minister escapes attack').places == {'SYR'}
    assert 'pm' in headline_facts('Syrian prime minister escapes attack').terms
    assert headline_facts('N. Korea fires missile').places == {'PRK'}
    assert headline_facts('Blast in Glasgow').places == {'GBR', 'city:2648579'}
    assert title_numbers('Blast kills 1,200 and twelve more') == {'1200', '12'}
    assert title_numbers('Firm pays $4.1 billion') == title_numbers('Firm pays $4.1bn') == {'4.1'}
    assert title_numbers('Prices up 2.50% at 2:30') == {'2.5', '2:30'}
    assert 'kill' in headline_facts('Gunmen murdered three').terms
    assert headline_facts('Quake hits').terms == headline_facts('Earthquake hits').terms


def test_title_similarity_is_jaccard_of_terms():
    a = fingerprint('Storm hits coastal town', '')
    b = fingerprint('Storm hits coastal city', '')
    assert title_similarity(a, b) == pytest.approx(3 / 5)


def test_fingerprint_is_deterministic_and_bands_cover_both_signatures():
    a = fingerprint('A title here', LEAD)
    b = fingerprint('A title here', LEAD)
    assert a == b
    keys = band_keys(a)
    assert len(keys) == ALL_BANDS and len(set(keys)) == ALL_BANDS
    assert {k[0] for k in keys} == {'t', 'h'}
    assert not a.title_only and fingerprint('A title here', 'A title here').title_only


def test_indexed_fingerprint_is_small_and_decides_the_same():
    a = fingerprint('Police fire tear gas at parliament protest', LEAD)
    b = fingerprint('Tear gas fired as protesters march on parliament', LEAD)
    assert similarity_decision(for_index(a), b) == similarity_decision(a, b)
    assert len(pickle.dumps(for_index(a))) < 600


def test_band_probability_rises_with_similarity():
    assert band_probability(0.4, 20, 2) == pytest.approx(1 - (1 - 0.16) ** 20)
    assert band_probability(0.2, 20, 2) < band_probability(0.4, 20, 2) < band_probability(0.8, 20, 2)


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


def test_hot_band_keeps_only_its_newest_entries():
    fp = fingerprint('A title here', '')
    index = BandIndex(ttl=10 ** 6, max_entries=3)
    for i in range(5):
        index.offer(f's{i}', 1000.0 + i, fp)
    assert [e.story_id for e in index.entries] == ['s2', 's3', 's4']
