"""Who acts in an event: a meeting takes two parties, and a verb's own subject is the one
before it when the small model gives it two."""
import pytest

from factories import extract_events


@pytest.mark.parametrize('text, title, expected', [
    # a meeting with a partner, a plural, a coordination or a hyphenated pair: CONSULT
    ('The foreign minister of Varsland met the Ostrian envoy in Geneva on Monday.', '', ['CONSULT']),
    ('Trade ministers met in Geneva on Monday to discuss tariffs.', '', ['CONSULT']),
    ('', 'Serbia-Kosovo talks end without a deal', ['CONSULT']),
    ('', 'Premier Alvik holds calls with Varsland and Ostria', ['CONSULT']),
    # one party talking about a topic is no meeting
    ('The prime minister was discussing the lifting of restrictions in a live interview on Monday.', '', []),
])
def test_a_meeting_takes_two(extractor, text, title, expected):
    assert [e['event_type'] for e in extract_events(extractor, text, title=title)] == expected


def test_the_subject_before_the_verb(extractor):
    """'Oil steadies after US threatens ...': the parser gives 'threatens' two subjects; the
    one before the verb is the doer. As the cause of a market move (session 21) the threat is
    told in its own story, so the doer is read from the trigger directly."""
    from wirewatch.transforms.extract.nlp import load_nlp
    from wirewatch.transforms.extract.triggers import find_arguments, TriggerLexicon
    doc = load_nlp()('Oil steadies after US threatens to blockade Iran indefinitely')
    [match] = [m for m in doc._.triggers if m.token.lower_ == 'threatens']
    doer, _ = find_arguments(match, TriggerLexicon.load())
    assert doer.text == 'US'
    assert extract_events(extractor, '', title='Oil steadies after US threatens to blockade Iran indefinitely') == []


@pytest.mark.parametrize('text, title, expected', [
    # a full name the NER misses is still a doer; a ruling party is the government
    ('', 'Elon Varga spars with German foreign ministry over migration', ('ACCUSE', 'Elon Varga')),
    ('The ruling party rebuffed the opposition demand for a recount on Monday.', '', ('REJECT', 'ruling party')),
    ('The minister lashed out at critics of the budget on Monday.', '', ('ACCUSE', 'minister')),
])
def test_verbal_events_and_their_doers(extractor, text, title, expected):
    events = extract_events(extractor, text, title=title)
    assert [(e['event_type'], e['actor1']['name']) for e in events] == [expected]



@pytest.mark.parametrize('text, name, sector, country', [
    ('Mr Orlov blamed the West for the war.', 'West', 'GOV', None),   # a bloc, not a West region
    ('Police blamed gangs for the surge in killings.', 'gangs', 'REB', None),
])
def test_parties_an_accusation_names(extractor, text, name, sector, country):
    [event] = extract_events(extractor, text)
    assert event['actor2'] == {'name': name, 'sector': sector, 'country': country}


@pytest.mark.parametrize('title, expected', [
    # a headline's past-tense verb of asking with an infinitive and no object is a passive: whoever
    # asked is not named, so there is no REQUEST by the one asked
    ('Varnel urged to open its ports to grain ships', []),
    ('Residents told to leave as river rises', []),
    ('Minister Ilse Varga urged the council to act on housing', ['REQUEST']),
])
def test_a_headline_passive_of_asking(extractor, title, expected):
    assert [e['event_type'] for e in extract_events(extractor, '', title=title)] == expected


def test_a_request_by_members_of_parliament_is_placed_where_its_addressee_is(extractor):
    [event] = extract_events(extractor, '', title='British finance minister Tom Rauk urged by MPs to extend aid')
    assert event['event_type'] == 'REQUEST' and event['actor1']['name'] == 'MPs'
    assert event['actor2']['country'] == 'GBR' and event['country'] == 'GBR'


@pytest.mark.parametrize('title, doer, victim', [
    # a headline's second verb shares the first one's voice: the named man is the victim
    ('Tomas Brelik, man known for exposing corrupt officials, shot and killed', None, 'Tomas Brelik'),
    # a verb coordinated with one that has an object is active: the police acted
    ('Band says Norland police detained, questioned them after concert', 'Norland police', None),
    # a capitalised determiner inside a name stays in the name
    ('US centrist group No Borders accuses Democrats of waging war against it', 'No Borders', 'Democrats'),
])
def test_roles_in_headline_grammar(extractor, title, doer, victim):
    [event] = extract_events(extractor, '', title=title)
    assert ((event['actor1'] or {}).get('name'), (event['actor2'] or {}).get('name')) == (doer, victim)
