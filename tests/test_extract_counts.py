"""Count parsing: numbers tied to human nouns, vague quantities, things that are not people."""
import pytest

from wirewatch.transforms.extract.counts import find_counts, parse_number


@pytest.fixture(scope='module')
def nlp():
    from wirewatch.transforms.extract.nlp import load_nlp
    return load_nlp()


@pytest.mark.parametrize('text, value', [
    ('164', 164), ('6,044', 6044), ('at least 12', 12), ('more than 300', 300), ('some 300', 300),
    ('two dozen', 24), ('a dozen', 12), ('twenty-five', 25), ('one hundred and twenty', 120),
    ('1.5 million', 1500000), ('three', 3),
    ('thousands', 1000), ('dozens', 12), ('hundreds', 100), ('about', None), ('', None),
    ('two to three', 2), ('10-15', 10), ('no one', 0), ('several', None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def _counts(nlp, sentence):
    doc = nlp(sentence)
    return {(c.category, c.value) for c in find_counts(doc, lambda t: t.ent_type_ == 'NORP' and t.tag_ == 'NNPS')}


@pytest.mark.parametrize('sentence, expected', [
    ('According to local media, 164 people were killed in clashes with security forces.', {('killed', 164)}),
    ('According to the police, 6,044 people were also arrested.', {('arrested', 6044)}),
    ('At least 12 protesters were injured.', {('injured', 12)}),
    ('Police arrested two dozen demonstrators.', {('arrested', 24)}),
    ('Five soldiers and three civilians were killed in the attack.', {('killed', 8)}),
    ('The blast killed 12 and wounded 30.', {('killed', 12), ('injured', 30)}),
    ('About 2,000 protesters gathered outside parliament.', {('crowd_size', 2000)}),
    ('The clashes left 7 people dead.', {('killed', 7)}),
    ('15 of the protesters were detained.', {('arrested', 15)}),
])
def test_counts_tied_to_human_nouns(nlp, sentence, expected):
    assert _counts(nlp, sentence) == expected


@pytest.mark.parametrize('sentence', [
    'Supermarket chain Magnum said 15 of its 68 stores had been looted.',
    'Police seized 40 rifles and 3 trucks.',
    'The 2 men met in 2021 to discuss trade.',
    # years are not tolls (seen on real wire leads)
    'He was arrested in 2019 and released in 2024.',
    'The country has been at war since 2022, when thousands were killed.',
    'Nobody has been killed in the region since 1998.',
    'Police arrested 1990s activists again.',
])
def test_no_count(nlp, sentence):
    assert _counts(nlp, sentence) == set()


@pytest.mark.parametrize('sentence, expected', [
    # headline-style tolls, a number right before its cue
    ('Eight dead after clan fighting near the wells.', {('killed', 8)}),
    ('One dead and three injured when a minibus hit a mine.', {('killed', 1), ('injured', 3)}),
    ('Rebels clashed with militiamen near the river, resulting in 3 killed and 10 wounded.',
     {('killed', 3), ('injured', 10)}),
    ('Twenty-three dead, 12 wounded as herders clashed with farmers.', {('killed', 23), ('injured', 12)}),
    ('Fifteen killed and wounded in the shelling.', set()),  # one number, two kinds of harm
    # one person named as the victim
    ('Unknown gunmen shot a policeman dead outside his house.', {('killed', 1)}),
    ('Armed men stopped the bus and shot the driver dead.', {('killed', 1)}),
    ('A soldier was shot and killed as he slept.', {('killed', 1)}),  # how, then what
    ('Gunmen assassinated an army colonel near his home.', {('killed', 1)}),
    ('Assailants killed Tomas Verhaegen, a village chief, on Monday.', {('killed', 1)}),
    ('The attack left a soldier and a militiaman killed.', {('killed', 2)}),
    ('At least five combatants were killed on both sides.', {('killed', 5)}),
    # two harms, each with its own figure: never added together
    ('Gunmen attacked the camp, killing 4, injuring 7.', {('killed', 4), ('injured', 7)}),
    ('Fighters attacked soldiers, killing nine soldiers and wounding another 13.', {('killed', 9), ('injured', 13)}),
    ('Militants attacked a convoy, killing one and kidnapping three.', {('killed', 1)}),
    # the doer is not a victim
    ('A gunman killed five people at a market.', {('killed', 5)}),
    ('Three gunmen killed five people in the market.', {('killed', 5)}),   # the doers' number is no toll
    ('Gunmen stormed a church and killed the pastor and his wife.', {('killed', 2)}),
    ('About 300 held a sit-in outside parliament.', set()),                # 'held' is no arrest
    ('A conscript was shot dead by a sniper at a checkpoint.', {('killed', 1)}),
    ('A suspected militant stabbed to death a police colonel outside his home.', {('killed', 1)}),
    ('The police arrested a student near the campus.', {('arrested', 1)}),
])
def test_toll_phrasings(nlp, sentence, expected):
    assert _counts(nlp, sentence) == expected
