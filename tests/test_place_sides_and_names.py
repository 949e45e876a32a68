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
