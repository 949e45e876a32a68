"""Forms of protest as local wires name them: sit-ins, hunger strikes, dharnas, hartals,
bandhs, marches taken out, vandalism by a crowd."""
import pytest

from factories import extract_events


@pytest.mark.parametrize('text', [
    'Students staged a sit-in at the Faculty of Law on Tuesday.',
    'Members of the teachers union continued a hunger strike outside the education department over job security.',
    'Farmers marched to the district office to stage a dharna over water issues on Monday.',
    'Opposition parties enforced a dawn-to-dusk hartal in the district on Sunday.',
    'Traders observed a bandh in the town on Friday to protest against the new tax.',
    'Party members took out a protest march on Monday seeking land for the landless.',
    'Rioters vandalised a campaign vehicle in the market on Saturday.',
])
def test_protest_forms(extractor, text):
    assert 'PROTEST' in [e['event_type'] for e in extract_events(extractor, text)]


def test_a_demand_protesters_marched_to_make_is_their_protest(extractor):
    text = 'Salon owners and workers protested on Monday in Carvale to demand that the governor lift the rules.'
    assert [e['event_type'] for e in extract_events(extractor, text)] == ['PROTEST']


def test_a_labour_strike_is_still_no_protest(extractor):
    assert extract_events(extractor, 'Dock workers went on strike over pay on Monday.') == []


@pytest.mark.parametrize('text', [
    'The patient protested that the nurses had ignored him for hours.',   # speech, not a protest
    'The teacher held classes in the yard to demonstrate the value of reading.',  # to show
    'The Coastal State Patrol arrested two men at the marina on Monday.',  # a body's name
])
def test_words_of_protest_or_patrol_in_other_senses(extractor, text):
    assert not {'PROTEST', 'MOBILIZE'} & {e['event_type'] for e in extract_events(extractor, text)}


@pytest.mark.parametrize('title, coded', [
    ('Governor taken to a shelter during protests', False),               # the protest is the setting
    ('Minister tells off crowd who broke distancing rules at a protest', False),
    ('At huge Carvale protest, a police officer takes a knee', True),      # a protest with its own place and scale
])
def test_a_headline_protest_in_a_setting_phrase(extractor, title, coded):
    assert ('PROTEST' in [e['event_type'] for e in extract_events(extractor, '', title=title)]) == coded


@pytest.mark.parametrize('title, text, coded', [
    # during or amid protests, or at one on the word of another act: the act is the news
    ('', 'Four officers were hit by gunfire during violent protests in Harbin Falls on Monday.', False),
    ('Two reporters attacked during Carvale protests', '', False),
    ('Ex-governor condemns violence at protests',
     'Former governor Lena Ostrow on Monday condemned the use of violence at nationwide protests over fuel prices.', False),
    ('', 'Two people were killed during protests in Maputo on Thursday, witnesses said.', True),  # a toll, no doer
    ('', 'Police in Lagos arrested dozens during protests over fuel prices on Monday.', True),  # police acted on it
    # ... not a crowd counted at protests, nor a protest 'at' which no other act is told
    ('', 'Thousands of people gathered at protests across Vessa on Sunday.', True),
    ('', 'An officer took a knee at a protest in Kovia on Sunday.', True),
    ('', 'Clashes erupted during protests in Dhaka on Sunday, leaving dozens injured, police said.', True),
    ('', 'Farmers dumped manure outside government buildings during protests in Brussels on Monday.', True),
])
def test_a_protest_as_the_setting_of_another_act(extractor, title, text, coded):
    assert ('PROTEST' in [e['event_type'] for e in extract_events(extractor, text, title=title)]) == coded


@pytest.mark.parametrize('title, coded', [
    ('Virus cases rise; protests and closed clinics worry health officials', False),  # what is said of protests
    ('Unrest has sharpened the debate on police funding', False),
    ("League says players' protests during the anthem should be allowed", False),
    ('Why the protests are so powerful this time', False),
    ('Protests erupted overnight over the fuel price rise', True),                    # protests that happen
    ('Protests spread to three more towns', True),
    ('A protest organised by the teachers union took place on Monday', True),
    ('Protests and closed clinics worry health officials', False),
    ('The protests have forced a rethink of the budget', False),
    ('The protest attracted thousands of students to central Nairobi on Saturday', True),  # its day, place, crowd
    ('The protest was dispersed by police', True),
    ('Mass protests denounce the new tax', True),                                      # told by their scale
])
def test_a_protest_noun_as_the_topic_of_a_headline(extractor, title, coded):
    assert ('PROTEST' in [e['event_type'] for e in extract_events(extractor, '', title=title)]) == coded



@pytest.mark.parametrize('text', [
    'Peru protests to Chile over the detention of its fishermen.',
    'The foreign ministry protested the envoy\'s remarks on Tuesday.',
    'Norland lodged a protest with its neighbour over the border fence.',
])
def test_a_state_protest_is_an_official_complaint(extractor, text):
    assert [e['event_type'] for e in extract_events(extractor, text)] == ['ACCUSE']


@pytest.mark.parametrize('text', [
    'Dock workers protest the pension reform in the capital.',
    'Thousands protested in Vellmar over fuel prices on Monday.',
    'Opposition leaders protested in the state capital over the onion prices.',   # not a state's complaint
    'Members of the port authority workers union protested outside the director\'s office.',
    'Kenya protested for a third day on Tuesday against the finance bill.',       # a country's people
])
def test_people_protesting_still_protest(extractor, text):
    assert [e['event_type'] for e in extract_events(extractor, text)] == ['PROTEST']
