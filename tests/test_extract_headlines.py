"""Headline case: Title Case headlines are given sentence case before parsing (headlines.py)."""
import pytest

from factories import extract_events
from wirewatch.transforms.extract.headlines import is_title_case, sentence_case


@pytest.mark.parametrize('title, expected', [
    # trigger words, role nouns and stop words are lower-cased; names and the first word stay
    ('Hong Kong Police Ban Tiananmen Vigil For The First Time',
     'Hong Kong police ban Tiananmen vigil for the first Time'),  # 'time' is no common word here
    # the verbs that frame a trigger too: a denial, a plan, a cause
    ('East Timor Denies Holding Military Talks With China',
     'East Timor denies holding military talks with China'),
    ('Protests Spark Fears Of Unrest In Northern Provinces',
     'Protests spark fears of unrest in Northern Provinces'),
    # a cue verb that is also a name stays ('Fine Gael', 'Hope')
    ('Fine Gael Leader Hope Mwangi Denies Plan To Resign', 'Fine Gael leader Hope Mwangi denies plan to resign'),
    # acronyms stay as they are
    ('NATO Plans New Patrols Over The Baltic Sea', 'NATO plans new patrols over the Baltic Sea'),
])
def test_title_case_headlines_get_sentence_case(title, expected):
    assert sentence_case(title) == expected
    assert len(sentence_case(title)) == len(title)


@pytest.mark.parametrize('title', [
    'Police ban a vigil in the old town',  # already sentence case
    'Talks end',  # too short to tell
])
def test_other_headlines_are_left_alone(title):
    assert not is_title_case(title) or len(title.split()) < 4
    assert sentence_case(title) == title


def test_a_capitalised_denial_still_denies(extractor):
    events = extract_events(extractor, '', 'East Timor Denies Holding Military Talks With China Despite Upgrading Ties')
    assert 'CONSULT' not in {e['event_type'] for e in events}


@pytest.mark.parametrize('title, expected', [
    # 'X to be deported': a headline's passive infinitive is to come, however the parser hangs it
    ('Man who attacked neighbours to be deported', []),
    # a past participle right after the headline's verb describes its object
    ('U.S. Sends Seized Iranian Rifles to Norland', []),
    ('Kovia Sends Seized Rifles to Norland', []),
    # a headline's own past tense after a verb of saying still tells the act
    ('Norland says troops detained 12 protesters in Arvan', ['COERCE']),
])
def test_headline_infinitives_and_participles(extractor, title, expected):
    assert sorted(e['event_type'] for e in extract_events(extractor, '', title)) == expected


@pytest.mark.parametrize('title', ['Norland eyes lifting sanctions on Varnia before the vote',
                                   'Varnia eyes striking deeper into Norland'])
def test_a_headline_that_eyes_an_act_plans_it(extractor, title):
    """'eyes' read by the small model as a noun (the subject's last word, or what the gerund
    describes) is the verb 'eye': a plan, no event."""
    assert extract_events(extractor, '', title) == []


@pytest.mark.parametrize('title, absent', [
    ('Norland appeals court lowers charges against officer', 'REQUEST'),    # a compound: the appeals court
    ('Ostel Third Precinct police station set on fire after rioters break in', 'MOBILIZE'),
])
def test_a_noun_before_its_compound_head_is_no_headline_verb(extractor, title, absent):
    assert absent not in [e['event_type'] for e in extract_events(extractor, '', title)]
