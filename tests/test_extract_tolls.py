"""Toll rules (ACLED-style, conservative), one fixture per rule, through the extractor."""
import pytest

from factories import extract_events


def tolls(extractor, text):
    return [(e['event_type'], e['killed'], e['injured'], e['arrested']) for e in extract_events(extractor, text)
            if e['killed'] is not None or e['injured'] is not None or e['arrested'] is not None]


@pytest.mark.parametrize('sentence, expected', [
    # a number or a number word; 'a man' / 'a woman' / 'a child' is 1
    ('Gunmen shot dead a man in the market on Sunday.', [('ASSAULT', 1, None, None)]),
    ('A child was killed when soldiers opened fire on the village.', [('ASSAULT', 1, None, None)]),
    ('A woman was stabbed to death by a mob in the town.', [('ASSAULT', 1, None, None)]),
    ('Three people were shot dead by police during the protest.', [('ASSAULT', 3, None, None)]),
    ('A party leader was hacked to death by unidentified assailants on Saturday.', [('ASSAULT', 1, None, None)]),
    ('Six militants were gunned down in a shootout with the police.', [('ASSAULT', 6, None, None)]),
    ('Two men were killed by villagers on Wednesday.', [('ASSAULT', 2, None, None)]),
    # ... also when the small model calls the person noun an adjective
    ('Troops killed a Tanzim al-Harir militant in a raid on his hideout on Monday.', [('ASSAULT', 1, None, None)]),
    ('Six people were killed and scores injured when gunmen fired on a bus.', [('ASSAULT', 6, None, None)]),
    ('Five dead, two injured after a blast at a fireworks factory.', []),
    # a range takes its lower bound; 'at least N' is N
    ('Two to three militants were killed in the army raid on their camp.', [('ASSAULT', 2, None, None)]),
    ('At least 12 people were killed in the attack.', [('ASSAULT', 12, None, None)]),
    ('Between two and four soldiers were killed in the ambush on Sunday.', [('ASSAULT', 2, None, None)]),
    # a mine planted by a group is an attack, an old landmine an accident
    ('Four people were killed when their vehicle hit a landmine planted by militants near Tarsk.',
     [('ASSAULT', 4, None, None)]),
    ('Two children were killed when an old landmine exploded in a field near Tarsk.', []),
    ('A village council leader was axed to death inside his office in Tarsk district.', [('ASSAULT', 1, None, None)]),
    ('Two people were killed in the violence in Tarsk, police said.', [('ASSAULT', 2, None, None)]),
    # a part counted out of a whole is the part; the people named after 'including' are among them
    ('Three of the five soldiers were killed in the ambush on Sunday.', [('ASSAULT', 3, None, None)]),
    ('Gunmen killed four villagers, including a child, in Tarsk on Monday.', [('ASSAULT', 4, None, None)]),
    ('Six members of two families were shot dead by gunmen in Tarsk on Monday.', [('ASSAULT', 6, None, None)]),
    # groups counted one after another add up, also in a verbless toll
    ('At least 4 soldiers and 39 civilians killed during fighting in Tarsk.', [('ASSAULT', 43, None, None)]),
    # the doers of a second verb are no victims; those killed 'along with' a victim are victims
    ('Four gunmen stormed the house in Tarsk on Sunday and killed a guard.', [('ASSAULT', 1, None, None)]),
    ('A rebel commander, along with three other fighters, was gunned down in Tarsk on Sunday.',
     [('ASSAULT', 4, None, None)]),
    # 'dozens' is 12, 'hundreds' is 100
    ('Dozens of protesters were arrested by police.', [('COERCE', None, None, 12)]),
    ('Hundreds of people were detained after the rally.', [('COERCE', None, None, 100)]),
    # 'killed and wounded' with a single number gives no death toll
    ('Gunmen killed and wounded 15 people in the attack.', []),
    # 'no one was killed' is 0 (null means not reported)
    ('No one was killed in the attack on the convoy.', [('ASSAULT', 0, None, None)]),
    # 'the toll rose to 45 from 30' is 45
    ('The death toll from the bombing rose to 45 from 30.', [('ASSAULT', 45, None, None)]),
    # killed, injured and arrested are each kept apart
    ('Militants killed 4 soldiers and wounded 7 in the ambush.', [('ASSAULT', 4, 7, None)]),
    ('Police arrested 20 protesters and 5 were injured in the clashes.',
     [('COERCE', None, None, 20), ('ASSAULT', None, 5, None)]),
    # deaths told after the event: feared dead after it, or a victim who later died
    ('At least eight people are feared dead following a clash between herders and farmers in Koh.',
     [('ASSAULT', 8, None, None)]),
    ('Gunmen shot a trader in the market of Ostrel on Sunday. He later died of his injuries.',
     [('ASSAULT', 1, None, None)]),
    ('Bandits wounded three villagers near Tarvo on Monday. One of them died in hospital.',
     [('ASSAULT', 1, 2, None)]),
    ('Gunmen shot a trader in the market of Ostrel on Sunday. She died in 2010.', [('ASSAULT', None, 1, None)]),
    ('Gunmen shot a trader in the market of Ostrel on Sunday. No one died of the wounds.', [('ASSAULT', 0, 1, None)]),
    ('Gunmen shot a trader in the market of Ostrel on Sunday. He nearly died of his injuries.', [('ASSAULT', None, 1, None)]),
    ('Rebels shelled Ostrel on Sunday, wounding five soldiers. One later died in hospital.', [('ASSAULT', 1, 4, None)]),
])
def test_toll_rule(extractor, sentence, expected):
    assert sorted(tolls(extractor, sentence), key=str) == sorted(expected, key=str)


def test_a_group_counted_under_another_verb_is_not_added():
    from wirewatch.transforms.extract.nlp import load_nlp
    from wirewatch.transforms.extract.counts import find_counts
    doc = load_nlp()('Five soldiers killed, 10 civilians and 2 police injured in attack on Tarsk post.')
    assert [m.value for m in find_counts(doc) if m.category == 'killed'] == [5]


def test_bodies_found_count_as_killed():
    from wirewatch.transforms.extract.counts import find_counts
    from wirewatch.transforms.extract.nlp import load_nlp
    doc = load_nlp()('The bodies of two civilians were found near the village.')
    assert [(m.category, m.value) for m in find_counts(doc)] == [('killed', 2)]


def test_the_speaker_is_no_toll(extractor):
    """'a hospital official said' is one speaker, not one more dead."""
    events = extract_events(extractor, 'At least 9 people were killed when protesters clashed with police near '
                                       'the market, a hospital official said.')
    assert [e['killed'] for e in events if e['killed'] is not None] == [9]


@pytest.mark.parametrize('sentence, scope', [
    ('Gunmen killed 12 people in an attack on the market on Sunday.', 'INCIDENT'),
    ('The death toll from the bombing rose to 45 on Monday.', 'CUMULATIVE'),
    ('Police have arrested 300 protesters so far this month.', 'CUMULATIVE'),
    ('Soldiers opened fire on the crowd in the square.', None),
])
def test_toll_scope(extractor, sentence, scope):
    [event] = extract_events(extractor, sentence)
    assert event['toll_scope'] == scope


@pytest.mark.parametrize('sentence, expected', [
    # a participle after the count is the toll of the sentence's event
    ('Clashes between herders and militiamen resulted in 16 killed and 20 wounded near the river.',
     [('ASSAULT', 16, 20, None)]),
    ('An attack by rebels on an army post resulted in a soldier and a rebel killed.', [('ASSAULT', 2, None, None)]),
    # ... a description of people arrested earlier is no arrest toll of another event
    ('Three men arrested over the riot were released on bail on Monday.', []),
])
def test_a_toll_told_as_a_participle(extractor, sentence, expected):
    assert sorted(tolls(extractor, sentence), key=str) == sorted(expected, key=str)


@pytest.mark.parametrize('text, expected', [
    # a clash whose casualties the next sentence tells is a violent clash, and they are its toll
    ('Rival gangs clashed in the market on Sunday. Two men were killed and five injured.',
     [('ASSAULT', 2, 5, None)]),
    # ... not when the next sentence's deaths are another matter, or the clash is a game
    ('The ministers clashed over the budget on Monday. Two people were killed in a road accident the same day.', []),
    ('Supporters of the two clubs clashed after the cup match on Saturday. Six fans were injured.', []),
])
def test_a_clash_and_its_casualties_in_the_next_sentence(extractor, text, expected):
    assert sorted(tolls(extractor, text), key=str) == sorted(expected, key=str)


def test_what_protests_erupt_over_is_no_toll_of_theirs(extractor):
    [event] = extract_events(extractor, 'Protests erupted in at least 30 cities over the death of a man in Velmar.')
    assert event['event_type'] == 'PROTEST' and event['killed'] is None


@pytest.mark.parametrize('sentence, expected', [
    # deaths told without a number count 10 (ACLED's figure); other harms get no figure
    ('Troops killed several militants in a raid on their camp on Sunday.', [('ASSAULT', 10, None, None)]),
    ('Many fighters were killed in clashes near the river crossing on Monday.', [('ASSAULT', 10, None, None)]),
    ('Police arrested several protesters outside the ministry.', []),
    # a list of victims in apposition adds up; an appositive that spells out 'people' does not
    ('Two police officers, one civil servant and one resident were killed when gunmen opened fire.',
     [('ASSAULT', 4, None, None)]),
    ('Two people, a man and his son, were killed when gunmen attacked the farm.', [('ASSAULT', 2, None, None)]),
    ('Two civilians, one man and one woman, were killed when gunmen attacked the farm.', [('ASSAULT', 2, None, None)]),
    ('Two policemen, one sergeant and one constable, were killed in an ambush on Sunday.', [('ASSAULT', 2, None, None)]),
    # 'how many' asks; a person 'including' is one of the several
    ('It is not known how many people were killed when gunmen attacked the village.', []),
    ('Several officers were killed, including a colonel, in the ambush near the border.', [('ASSAULT', 10, None, None)]),
])
def test_unknown_plural_deaths_and_lists_of_victims(extractor, sentence, expected):
    assert sorted(tolls(extractor, sentence), key=str) == sorted(expected, key=str)


def test_unknown_gunmen_are_unidentified_not_a_number(extractor):
    assert tolls(extractor, 'A farmer was shot dead in his field by unknown gunmen on Sunday.') == [('ASSAULT', 1, None, None)]
    assert tolls(extractor, 'Shelling killed an unknown number of herders near the river on Sunday.') == [
        ('ASSAULT', 10, None, None)]
