"""Trigger coding, actor coding and the EventExtractor on a fixture wire story."""
import datetime as dt
import json
import os
import re

import pytest

from wirewatch import schemas
from wirewatch.transforms.extract.actors import ActorCoder, sector_for_words
from wirewatch.transforms.extract.extractor import EventExtractor, merge_events
from wirewatch.transforms.extract.gazetteer import Gazetteer
from wirewatch.transforms.extract.lexicon import load_data

FIXTURE = os.path.join(os.path.dirname(__file__), 'fixtures', 'extract', 'bishkek_unrest.json')
CAMEO2PLOVER = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'corpus', 'labels',
                            'plover-gsr', 'CAMEO2PLOVER-2021.txt')
PUBLISHED = dt.datetime(2022, 3, 6, 15, 0, tzinfo=dt.timezone.utc)  # a Sunday


@pytest.fixture(scope='module')
def extractor():
    return EventExtractor()


@pytest.fixture(scope='module')
def fixture_events(extractor):
    story = load_fixture_story()
    [events] = list(extractor.extract([story]))
    return events


def load_fixture_story():
    with open(FIXTURE, encoding='utf-8') as f:
        story = json.load(f)['story']
    for key in ('published_at', 'ingested_at'):
        story[key] = dt.datetime.fromisoformat(story[key])
    return story


def story_of(text, story_id='s1', **extra):
    story = {'story_id': story_id, 'cluster_id': story_id, 'title': 'A title', 'text': text,
             'published_at': PUBLISHED, 'dateline_place': None, 'dateline_date': None,
             'url': 'https://example.test/a', 'source_name': 'Example', 'language': 'en'}
    story.update(extra)
    return story


def events_of(extractor, text, **extra):
    [events] = list(extractor.extract([story_of(text, **extra)]))
    return events


# --- triggers ----------------------------------------------------------------------

@pytest.mark.parametrize('sentence, event_type, cameo_code', [
    ('Thousands of students protested against the new tax in Nairobi.', 'PROTEST', '141'),
    ('Rioters looted shops in the city centre.', 'PROTEST', '145'),
    ('Workers went on strike at the port.', 'PROTEST', '143'),
    ('Police arrested 40 demonstrators in Lima.', 'COERCE', '173'),
    ('The government imposed a curfew in the capital.', 'COERCE', '1723'),
    ('Soldiers opened fire on the crowd.', 'ASSAULT', '193'),
    ('Protesters set fire to the town hall.', 'ASSAULT', '1712'),
    ('Russia sent troops to the border.', 'MOBILIZE', '154'),
    ('The army deployed tanks in the streets.', 'MOBILIZE', '154'),
    ('Japan will send aid to the flood victims.', 'AID', '070'),
    ('The opposition accused the president of treason.', 'ACCUSE', '1125'),
    ('France condemned the coup.', 'ACCUSE', '111'),
    ('The two foreign ministers met in Geneva.', 'CONSULT', '040'),
    ('The leaders held talks in Cairo.', 'CONSULT', '040'),
    ('The rebels threatened to attack the city.', 'THREATEN', '130'),
    ('The junta released 20 political prisoners.', 'RETREAT', '0841'),
    ('Both sides agreed a ceasefire.', 'RETREAT', '0871'),
    ('Air strikes hit the town overnight.', 'ASSAULT', '195'),
    ('Israel launched strikes on Iran.', 'ASSAULT', '190'),
])
def test_trigger_codes_event(extractor, sentence, event_type, cameo_code):
    events = events_of(extractor, sentence)
    matching = [e for e in events if e['event_type'] == event_type]
    assert matching, [e['event_type'] for e in events]
    assert matching[0]['cameo_code'] == cameo_code
    assert matching[0]['cameo_root'] == cameo_code[:2]


@pytest.mark.parametrize('sentence, absent', [
    ('The protesters did not attack the parliament building.', 'ASSAULT'),
    ('Police never arrested anyone.', 'COERCE'),
    ('The minister gave a press conference on the budget.', 'CONSULT'),
    ('Police were told to open fire without warning.', 'THREATEN'),
    ('Protest leaders said the economy was weak.', 'PROTEST'),
    ('The company reported strong quarterly profits.', None),
    ('He fired his campaign manager.', 'ASSAULT'),
    ('Flights resume in March, the airline said.', 'PROTEST'),
])
def test_trigger_negatives(extractor, sentence, absent):
    types = {e['event_type'] for e in events_of(extractor, sentence)}
    if absent is None:
        assert types == set()
    else:
        assert absent not in types


def test_modality_lowers_confidence(extractor):
    certain = events_of(extractor, 'Troops attacked the village.')
    possible = events_of(extractor, 'Troops could attack the village.')
    assert certain and possible
    assert possible[0]['confidence'] < certain[0]['confidence']


def test_passive_voice_roles(extractor):
    events = events_of(extractor, '164 people were killed in clashes with security forces.')
    [assault] = [e for e in events if e['event_type'] == 'ASSAULT']  # 'killed' and 'clashes' merged
    assert assault['actor1']['name'] == 'security forces'
    assert assault['actor2']['name'] == '164 people'
    assert assault['killed'] == 164


def test_active_voice_roles_and_object_control(extractor):
    [event] = [e for e in events_of(extractor, 'The president authorized the riot police to open fire.')
               if e['event_type'] == 'ASSAULT']
    assert event['actor1']['sector'] == 'COP'
    assert event['confidence'] < 0.8  # authorized, not done


# --- actors ------------------------------------------------------------------------

@pytest.mark.parametrize('lemmas, sector', [
    (['police'], 'COP'), (['riot', 'police'], 'COP'), (['Russian', 'troop'], 'MIL'),
    (['security', 'force'], 'MIL'), (['Kazakh', 'President'], 'GOV'), (['authority'], 'GOV'),
    (['protester'], 'CVL'), (['rebel'], 'REB'), (['journalist'], 'JRN'), (['opposition', 'leader'], 'OPP'),
    (['government', 'office'], 'GOV'), (['banana'], 'UNK'),
])
def test_sector_for_words(lemmas, sector):
    assert sector_for_words(lemmas) == sector


def test_modifier_sector_needs_a_person_head():
    assert sector_for_words(['government', 'office'], head_is_name=False) == 'UNK'


@pytest.mark.parametrize('sentence, head, expected', [
    ('Russian troops entered the city.', 'troops', ('Russian troops', 'MIL', 'RUS')),
    ('Moscow sent troops.', 'Moscow', ('Moscow', 'GOV', 'RUS')),
    ('Kazakh President Tokaev spoke.', 'Tokaev', ('Kazakh President Tokaev', 'GOV', 'KAZ')),
    ('The president of Kazakhstan spoke.', 'president', ('president', 'GOV', 'KAZ')),
    ('The Kremlin said nothing.', 'Kremlin', ('Kremlin', 'GOV', 'RUS')),
    ('NATO said nothing.', 'NATO', ('NATO', 'IGO', None)),
    ('The police said nothing.', 'police', ('police', 'COP', 'KGZ')),
    ('The soldiers said nothing.', 'soldiers', ('soldiers', 'MIL', None)),
])
def test_actor_coding(sentence, head, expected):
    from wirewatch.transforms.extract.nlp import load_nlp
    doc = load_nlp()(sentence)
    token = next(t for t in doc if t.text == head)
    actor = ActorCoder(Gazetteer.load()).code(token, main_country='KGZ')
    assert (actor['name'], actor['sector'], actor['country']) == expected


def test_things_are_not_actors():
    from wirewatch.transforms.extract.nlp import load_nlp
    doc = load_nlp()('Public buildings burned.')
    assert ActorCoder(Gazetteer.load()).code(doc[1], main_country='KAZ') is None


# --- merging -----------------------------------------------------------------------

def _candidate(event_type, names, token, killed=None, confidence=0.5):
    actors = [{'name': n, 'sector': 'UNK', 'country': None} for n in names] + [None, None]
    return {'event_type': event_type, 'actor1': actors[0], 'actor2': actors[1], 'killed': killed,
            'injured': None, 'arrested': None, 'crowd_size': None, 'confidence': confidence, '_token': token}


def test_merge_folds_subset_actor_events_of_same_type():
    merged = merge_events([_candidate('ASSAULT', ['forces', 'people'], 3, killed=164),
                           _candidate('ASSAULT', ['forces'], 6, confidence=0.9),
                           _candidate('PROTEST', [], 8)])
    assert [(e['event_type'], e['killed'], e['confidence']) for e in merged] == [('ASSAULT', 164, 0.9), ('PROTEST', None, 0.5)]


def test_merge_keeps_different_actors():
    merged = merge_events([_candidate('ACCUSE', ['USA'], 1), _candidate('ACCUSE', ['France'], 5)])
    assert len(merged) == 2


# --- the fixture wire story -----------------------------------------------------------

def test_fixture_events_validate_against_schema(fixture_events):
    assert fixture_events
    for event in fixture_events:
        schemas.check('Event', event)
        assert 0 <= event['confidence'] <= 1


def test_fixture_protest_assault_coerce_in_kyrgyzstan(fixture_events):
    by_type = {}
    for e in fixture_events:
        by_type.setdefault(e['event_type'], []).append(e)
    assert by_type['PROTEST'] and all(e['country'] == 'KGZ' for e in by_type['PROTEST'])
    [killing] = [e for e in by_type['ASSAULT'] if e['killed'] is not None]
    assert (killing['killed'], killing['country']) == (37, 'KGZ')
    assert killing['location']['name'] == 'Bishkek' and killing['location']['precision'] == 'CITY'
    [arrests] = [e for e in by_type['COERCE'] if e['arrested'] is not None]
    assert (arrests['arrested'], arrests['country']) == (2318, 'KGZ')


def test_fixture_foreign_troops(fixture_events):
    troop_events = [e for e in fixture_events if e['event_type'] in ('MOBILIZE', 'AID')]
    countries = {a['country'] for e in troop_events for a in (e['actor1'], e['actor2']) if a}
    assert 'TUR' in countries
    sent = next(e for e in troop_events if e['trigger'] == 'sent troops')
    assert sent['actor1'] == {'name': 'Ankara', 'sector': 'GOV', 'country': 'TUR'}


def test_fixture_negated_attack_and_store_count(fixture_events):
    assert not any('did not attack' in e['sentence'] and e['event_type'] == 'ASSAULT' for e in fixture_events)
    looting = [e for e in fixture_events if 'shops had been looted' in e['sentence']]
    assert looting and all(e['killed'] is e['arrested'] is e['crowd_size'] is None for e in looting)


def test_fixture_dates(fixture_events):
    detained = next(e for e in fixture_events if 'detained on Thursday' in e['sentence'])
    assert detained['event_date'] == dt.date(2023, 10, 12)
    conference = next(e for e in fixture_events if e['event_type'] == 'CONSULT')
    assert conference['event_date'] == dt.date(2023, 10, 16)  # 'will hold ... on Monday'
    assert conference['actor1']['country'] == 'TUR'
    fire = next(e for e in fixture_events if e['trigger'] == 'open fire')
    assert fire['event_date'] == dt.date(2023, 10, 13)  # 'On Friday'


def test_fixture_location_in_sentence_beats_dateline(fixture_events):
    osh = [e for e in fixture_events if 'protests in Osh' in e['sentence']]
    assert osh and all(e['location']['name'] == 'Osh' for e in osh)


def test_one_event_per_type_sentence_and_actors(fixture_events):
    keys = [(e['sentence'], e['event_type'], str(e['actor1']), str(e['actor2'])) for e in fixture_events]
    assert len(keys) == len(set(keys))


def test_event_ids_are_deterministic(extractor, fixture_events):
    [again] = list(extractor.extract([load_fixture_story()]))
    assert [e['event_id'] for e in again] == [e['event_id'] for e in fixture_events]
    assert len({e['event_id'] for e in fixture_events}) == len(fixture_events)


def test_extract_keeps_story_order_and_empty_lists(extractor):
    stories = [story_of('Police arrested 12 students.', 'a'), story_of('The weather was mild.', 'b'),
               story_of('Rebels attacked a convoy.', 'c')]
    results = list(extractor.extract(stories))
    assert [[e['story_id'] for e in events] for events in results] == [['a'], [], ['c']]


def test_attacked_place_is_the_location(extractor):
    events = events_of(extractor, 'Israel launched strikes on Iran.', dateline_place='WASHINGTON')
    [strike] = [e for e in events if e['event_type'] == 'ASSAULT']
    assert strike['country'] == 'IRN'
    assert strike['actor1']['country'] == 'ISR'


def test_location_falls_back_to_main_country(extractor):
    events = events_of(extractor, 'Kenyan police arrested 12 students. Kenya has seen unrest for weeks.')
    assert events[0]['country'] == 'KEN'
    assert events[0]['location']['precision'] == 'COUNTRY'


# --- the lexicon as data -----------------------------------------------------------

def test_trigger_lexicon_fields_are_consistent():
    plover = set(schemas.schema('Event')['fields'][3]['type']['symbols'])
    for entry in load_data('triggers')['triggers']:
        assert entry['event_type'] in plover, entry
        assert entry['cameo_root'] == entry['cameo_code'][:2], entry
        root = int(entry['cameo_root'])
        assert entry['quad_class'] == (1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4), entry
        assert 0 < entry['confidence'] <= 1


@pytest.mark.skipif(not os.path.exists(CAMEO2PLOVER), reason='shared corpus not present')
def test_trigger_lexicon_follows_cameo2plover():
    mapping = {}
    with open(CAMEO2PLOVER, encoding='utf-8') as f:
        for line in f:
            m = re.match(r'^(\d{3,4}):\s*([A-Z]+)', line)
            if m:
                mapping.setdefault(m.group(1), set()).add(m.group(2))
    for entry in load_data('triggers')['triggers']:
        assert entry['event_type'] in mapping[entry['cameo_code']], entry


@pytest.mark.parametrize('sentence', [
    'Emotions were raw over a pandemic that has killed more than 100,000 people across the country.',
    'The toll passed 100,000 people killed in the pandemic.',
    'Floods and landslides killed 1,200 people on the island last year.',
    'A bus crash killed 14 people on the coastal highway.',
])
def test_deaths_from_disease_disasters_and_accidents_are_not_assaults(extractor, sentence):
    assert not [e for e in events_of(extractor, sentence) if e['event_type'] == 'ASSAULT']


def test_killings_by_people_are_still_assaults(extractor):
    events = events_of(extractor, 'Gunmen killed 12 villagers in an attack on the village.')
    assert any(e['event_type'] == 'ASSAULT' and e['killed'] == 12 for e in events)
