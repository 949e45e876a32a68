"""Killings and attacks that are not political violence, and the words that look like them.

Found on the outlets-2020-05 run: a pandemic, a lion and a shark coded as attackers;
'stormed' read as a storm, so a massacre was dropped as a weather story; a sanction
for detaining people coded as the detention itself; 'fatally shot' with no death."""
import pytest

from factories import extract_events


def _types(extractor, text, title=''):
    return [(e['event_type'], e['killed']) for e in extract_events(extractor, text, title)]


@pytest.mark.parametrize('text', [
    'Lion attack at a wildlife park leaves keeper badly injured',
    'A shark attack killed a surfer off the coast of Tamborine Bay on Sunday, officials said.',
    'Floods swept through the valley on Monday, killing 12 people, officials said.',
    'A pandemic that has ravaged the region has killed more than 9,000 people so far.',
    'Police say at least 13 people were killed when a building collapsed in the port city of Varna.',
    'Air quality monitoring hits top gear in a mountain town',
    'Park rangers later shot and killed the bear that attacked two hikers near Lake Orvik.',
    'Grizzly bear attack leaves 2 hikers dead in a national park. Rangers kill the bear',
    'Residents are weary. On top of a pandemic that has ravaged the country, killed more than 9,000 '
    'people so far and shut down much of the economy, there are now fuel queues in every town.',
])
def test_animals_and_hazards_are_not_attackers(extractor, text):
    assert [t for t, _ in _types(extractor, text)] == []


def test_a_village_stormed_by_gunmen_is_not_a_storm(extractor):
    text = 'Gunmen stormed a village in the north and shot dead 12 people, police said on Sunday.'
    assert ('ASSAULT', 12) in _types(extractor, text)


@pytest.mark.parametrize('text', [
    'Parliament passed a bill that would punish officials for detaining activists in secret camps.',
    'The court sentenced a former mayor, Arlo Venn, for ordering the killing of two reporters.',
])
def test_what_someone_is_punished_for_is_not_coded_as_news(extractor, text):
    assert [t for t, _ in _types(extractor, text) if t in ('COERCE', 'ASSAULT')] == []


def test_fatally_shot_is_killed(extractor):
    text = 'A police officer, Dana Orlov, was fatally shot on Friday in Port Varen, authorities said.'
    assert ('ASSAULT', 1) in _types(extractor, text)


def test_a_strike_that_hits_a_target_is_still_an_attack(extractor):
    text = 'Missiles hit a fuel depot in the port city of Odavia on Sunday, officials said.'
    assert 'ASSAULT' in [t for t, _ in _types(extractor, text)]


def test_gunmen_in_a_when_clause_are_no_hazard(extractor):
    text = 'Police say 4 people were killed when gunmen opened fire on a bus in the town of Kovan.'
    assert ('ASSAULT', 4) in _types(extractor, text)


def test_an_attack_someone_survived_is_their_story_not_the_days_news(extractor):
    text = ('Just days after a roofer cheated him of $8000, Tomas Reale survived the Harbourview '
            'market shootings.')
    assert _types(extractor, text) == []


def test_raiders_killing_cattle_is_still_an_attack(extractor):
    assert [t for t, _ in _types(extractor, 'Gunmen killed 200 cattle at a farm near Tumbo on Sunday.')] \
        == ['ASSAULT']


def test_an_arrest_warrant_is_no_arrest(extractor):
    assert _types(extractor, 'Judge issues arrest warrant against former minister Olek Darn') == []
