"""Violence as field reports name it, and killings by people against crashes and disasters."""
import pytest

from factories import extract_events


@pytest.mark.parametrize('text', [
    'An unknown armed group killed a man in the market on Tuesday.',   # a group did it
    'Fulani herdsmen killed 12 farmers in the village on Sunday.',
    'Troops of the two countries exchanged heavy fire across the border on Monday.',
    'Militants hurled petrol bombs at a passenger train on Saturday night.',
    'Gunmen beat and raped displaced women near the camp on Friday.',
    'Six police officers were taken hostage by armed men in the suburb on Thursday.',
    'A deputy was seen on video repeatedly punching a woman in the head.',   # punch, kick: a person hit
    'Police officers kicked a protester lying on the ground in Nairobi on Monday.',
])
def test_violence_forms(extractor, text):
    assert 'ASSAULT' in [e['event_type'] for e in extract_events(extractor, text)]


@pytest.mark.parametrize('text', [
    'A drunk driver killed three pedestrians on Monday.',   # one person at the wheel: a crash
    'Farmers killed 200 cattle infected with anthrax on Sunday.',   # no people killed
    'Floods killed 12 people in the north on Monday.',
    'A bus crash killed five people on the highway.',
    'The earthquake killed 40 people.',
])
def test_killed_by_no_one(extractor, text):
    assert extract_events(extractor, text) == []


def test_a_raid_by_an_armed_group_is_an_attack_one_by_police_a_coercion(extractor):
    assert [e['event_type'] for e in extract_events(
        extractor, 'Unidentified militiamen raided a village on Monday, burning houses.')] == ['ASSAULT']
    assert [e['event_type'] for e in extract_events(
        extractor, 'Police raided the offices of an opposition newspaper on Monday.')] == ['COERCE']


def test_a_member_is_one_person(extractor):
    [event] = extract_events(extractor, '', title='Suspected party cadres kill opposition member in Chogwe')
    assert event['killed'] == 1


@pytest.mark.parametrize('text', [
    'The striker kicked the ball into the net in the final minute.',
    'He punched the air in celebration after the vote.',
])
def test_punching_or_kicking_no_person_is_no_attack(extractor, text):
    assert extract_events(extractor, text) == []
