"""Session-18 place rules: an attack whose only place is its attacker's country happened on
the other side its sentence names; a place name right after a person noun is a name; the
usual spellings of front-line towns resolve. Invented people throughout."""
import pytest

from factories import extract_events


def countries(extractor, text, title=''):
    return sorted((e['event_type'], e['country']) for e in extract_events(extractor, text, title))


@pytest.mark.parametrize('title, expected', [
    # the other side the sentence names
    ('Iranians face new uncertainty as US steps up attacks', [('ASSAULT', 'IRN')]),
    # no other side named: the attacker's country stays (nothing better is known)
    ('Nigerian troops killed 20 militants on Monday', [('ASSAULT', 'NGA')]),
    # two other countries named: no guess
    ('Germans and Poles worry as Russia steps up attacks', [('ASSAULT', 'RUS')]),
])
def test_an_attack_is_not_placed_in_the_attackers_country(extractor, title, expected):
    assert countries(extractor, '', title) == expected


@pytest.mark.parametrize('text, expected', [
    # at sea, with no other side named: no country, not the attacker's
    ('The US Navy shot down a drone over the Red Sea on Monday, the Pentagon said.', [('ASSAULT', None)]),
    ('US forces struck a drug boat in international waters on Monday, killing three.', [('ASSAULT', None)]),
    ('Russian jets struck targets in Syria on Monday.', [('ASSAULT', 'SYR')]),
])
def test_an_attack_at_sea_is_in_no_country(extractor, text, expected):
    assert countries(extractor, text) == expected


def test_a_country_that_opens_a_force_s_name_is_its_country(extractor):
    [event] = extract_events(extractor, 'The U.S. Navy shot down a drone on Monday.')
    assert event['actor1']['country'] == 'USA'


def test_a_place_name_after_a_person_noun_is_a_name(extractor):
    # Tete is a town in Mozambique, and here a boxer's name
    events = extract_events(extractor, '', "South Africa's former boxing champion Tete shot dead outside his home")
    assert [(e['event_type'], e['country']) for e in events] == [('ASSAULT', 'ZAF')]


@pytest.mark.parametrize('name, expected', [
    ('Zaporizhzhia', 'UKR'), ('Zaporozhye', 'UKR'), ('Mykolaiv', 'UKR'), ('Nikolaev', 'UKR'), ('Avdiivka', 'UKR'),
])
def test_front_line_spellings_resolve(name, expected):
    from wirewatch.gazetteer import Gazetteer
    place = Gazetteer.load().resolve(name)
    assert place is not None and place.iso3 == expected and place.precision == 'CITY'
