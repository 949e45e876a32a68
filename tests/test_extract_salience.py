"""Salience: the title and lead state the story's events, mentions of one event merge,
later sentences add only distinct current events, actors keep their roles."""
import datetime as dt

import pytest

from factories import extract_events
from wirewatch.transforms.extract.extractor import actors_compatible, same_event, same_news


def test_title_and_lead_mentions_merge_into_one_event(extractor):
    events = extract_events(
        extractor,
        'Rebels killed 11 soldiers in an ambush near the town of Kidal on Friday, the army said.',
        title='Rebels kill 11 soldiers in northern Mali ambush')
    assaults = [e for e in events if e['event_type'] == 'ASSAULT']
    assert len(assaults) == 1
    [ambush] = assaults
    assert ambush['killed'] == 11 and ambush['country'] == 'MLI'
    assert ambush['event_date'] == dt.date(2024, 3, 8)  # the lead's 'on Friday' beats the headline's default


def test_later_sentence_adds_only_a_distinct_event(extractor):
    text = ('Police arrested 25 protesters in Nairobi on Saturday.\n\n'
            'Officers said the protesters were arrested for blocking a highway.\n\n'
            'Separately, gunmen attacked a police post in Garissa, killing two officers.')
    events = extract_events(extractor, text, title='Kenyan police arrest 25 protesters')
    kinds = sorted((e['event_type'], e['country']) for e in events)
    assert kinds.count(('COERCE', 'KEN')) == 1  # three mentions of one arrest
    assert ('ASSAULT', 'KEN') in kinds          # distinct, current, with a doer and a toll


def test_body_mention_without_evidence_is_not_an_event(extractor):
    text = 'Lawmakers met on Monday to discuss the budget.\n\nThere has been violence in the region.'
    types = {e['event_type'] for e in extract_events(extractor, text, title='Lawmakers discuss budget')}
    assert 'ASSAULT' not in types


def test_body_sentence_in_the_simple_present_tells_a_position_not_news(extractor):
    text = ('Border guards of Valdia and Norrin exchanged fire on Saturday, killing two soldiers.\n\n'
            'Valdia accuses Norrin of sheltering smugglers, a charge its neighbour rejects.\n\n'
            'On Sunday the Norrin foreign ministry accused Valdia of shelling a village.')
    events = extract_events(extractor, text, title='Valdia and Norrin border guards trade fire')
    accusations = [e for e in events if e['event_type'] == 'ACCUSE']
    assert [e['trigger'] for e in accusations] == ['accused']  # the past-tense one only


def test_a_present_told_as_it_happens_still_counts(extractor):
    text = ('Fighting spread to the outskirts of Tarvo on Sunday, residents said.\n\n'
            'Witnesses say Varnese troops shell the northern districts.')
    events = extract_events(extractor, text, title='Fighting reaches Tarvo')
    # the shelling is kept, and merges into the fighting it tells more of (its doer comes with it)
    assert [(e['event_type'], (e['actor1'] or {}).get('name')) for e in events] == [('ASSAULT', 'Varnese troops')]


def test_typical_wire_lead_gives_one_to_three_events(extractor):
    text = ('Security forces fired tear gas at thousands of demonstrators in Conakry on Thursday, '
            'and police said 42 people were detained.')
    events = extract_events(extractor, text, title='Guinea police fire tear gas at protesters, dozens held')
    assert 1 <= len(events) <= 3
    # tear gas at a crowd and the detentions are both coercion (GUIDELINES.md)
    assert 'COERCE' in {e['event_type'] for e in events}
    assert any(e['arrested'] == 42 for e in events)


def test_conjoined_doers_give_one_event_each(extractor):
    events = extract_events(extractor, 'The United States and Israel launched strikes on Iran on Saturday.')
    doers = sorted(e['actor1']['country'] for e in events if e['event_type'] == 'ASSAULT')
    assert doers == ['ISR', 'USA']
    assert all(e['country'] == 'IRN' for e in events)


def test_two_doers_who_meet_are_each_other_s_partners(extractor):
    [talks] = extract_events(extractor, 'Kenya and Uganda held talks on the border dispute on Monday.')
    assert talks['event_type'] == 'CONSULT'
    assert (talks['actor1']['country'], talks['actor2']['country']) == ('KEN', 'UGA')


def test_what_two_doers_agree_to_is_no_partner(extractor):
    # the small model reads 'to' of 'agree to double' as a preposition: trade is no partner
    [deal] = extract_events(extractor, '', title='Ghana and Togo agree to nearly double trade to $5B by 2030')
    assert deal['event_type'] == 'AGREE'
    assert (deal['actor1']['country'], deal['actor2']['country']) == ('GHA', 'TGO')


def test_two_doers_who_talk_with_a_third_are_two_events(extractor):
    events = extract_events(extractor, 'France and Germany held talks with the junta in Niger on Monday.')
    assert sorted(e['actor1']['country'] for e in events) == ['DEU', 'FRA']
    events = extract_events(extractor, '', title='Mexico and Canada agree to talks with Washington over tariffs')
    assert sorted(e['actor1']['country'] for e in events) == ['CAN', 'MEX']


def test_a_truce_agreed_is_the_agreement_not_a_second_event(extractor):
    events = extract_events(extractor, '', title='Ghana and Togo have agreed a 10-day ceasefire, mediators say')
    assert [e['event_type'] for e in events] == ['AGREE']


def test_what_two_doers_discuss_is_their_topic_not_a_partner(extractor):
    [talks] = extract_events(extractor, "", title="Ghana and Togo discuss Benin's role in the border force")
    assert talks['event_type'] == 'CONSULT'
    assert (talks['actor1']['country'], talks['actor2']['country']) == ('GHA', 'TGO')


@pytest.mark.parametrize('title', ['Car bomb explodes in the heart of Mogadishu market',
                                   'Panic in Kelvar as gunman opens fire at bus station'])
def test_a_title_word_that_is_no_modifier_of_the_attack_gives_it_no_sense(extractor, title):
    events = extract_events(extractor, 'The attack killed ten people on Sunday, police said.', title=title)
    assert 'ASSAULT' in {e['event_type'] for e in events}


def test_the_attack_after_a_title_on_a_cyberattack_is_the_same_cyberattack(extractor):
    assert extract_events(extractor, 'The attack came amid a costly overhaul of its computer systems.',
                          title='Paint maker Verlo counts the cost of cyberattack') == []
    [attack] = extract_events(extractor, 'The attack came as villagers gathered for a wedding on Sunday.',
                              title='Gunmen kill five in attack on village in Zamfara')
    assert attack['event_type'] == 'ASSAULT'


@pytest.mark.parametrize('title', [
    'Rebel drone strikes push up Norland trucking costs, stoking inflation',
    'Grain lobby says rebel attacks threaten Black Sea exports',
    'Rebel attacks on the port delay peace diplomacy, Norland says',
])
def test_attacks_told_as_the_cause_of_an_economic_effect_are_no_new_attack(extractor, title):
    assert [e for e in extract_events(extractor, '', title=title) if e['event_type'] == 'ASSAULT'] == []


def test_attacks_that_kill_or_damage_are_still_attacks(extractor):
    for title in ('Rebel drone strikes kill 12 in Norland border town', 'Russian attacks damage power grid in Kharkiv',
                  'Rebel attacks push thousands to flee in eastern Congo',  # people driven out: no market effect
                  'Russian missile strike on Odesa port raises grain prices'):  # one strike is an event
        assert [e['event_type'] for e in extract_events(extractor, '', title=title)] == ['ASSAULT'], title


def test_a_country_named_alone_and_its_people_are_one_addressee(extractor):
    events = extract_events(extractor, 'UN Secretary-General Mara Velt urges Americans protesting police violence to do so '
                            'peacefully and calls on US leaders to listen to them, her spokesman said on Monday.',
                            title='UN chief urges peaceful US protests, calls on leaders to show restraint')
    assert [e['event_type'] for e in events] == ['REQUEST']


def test_weapons_named_with_a_nationality_act_for_its_forces(extractor):
    [attack] = extract_events(extractor, '', title='Ukrainian drones kill two in Russia, regional governor says')
    assert (attack['actor1']['sector'], attack['actor1']['country']) == ('MIL', 'UKR')
    [hijack] = extract_events(extractor, 'A Turkish jet carrying 120 tourists was hijacked over Cyprus on Monday.')
    assert hijack['actor2'] is None or hijack['actor2']['sector'] != 'MIL'  # an airliner is no warplane
    [suit] = extract_events(extractor, 'Nigerian villagers sued Dutch Shell over oil spills on Monday.')
    assert suit['actor2'] is None or suit['actor2']['sector'] != 'MIL'  # a company, no artillery shell


def test_doers_who_meet_a_third_party_are_not_each_other_s_partners(extractor):
    events = extract_events(extractor, 'Britain and France held talks with Iran in Geneva on Monday.')
    assert sorted(e['actor1']['country'] for e in events) == ['FRA', 'GBR']


def test_demonym_of_the_attack_is_the_doer_and_target_is_the_place(extractor):
    [strike] = extract_events(extractor, '', title='Israeli strike kills four in southern Lebanon')
    assert strike['actor1']['country'] == 'ISR' and strike['country'] == 'LBN'


def test_domestic_actor_takes_the_country_of_its_place(extractor):
    text = 'Police in New York arrested 12 people after a rally over the war in Gaza.'
    [arrest] = [e for e in extract_events(extractor, text) if e['event_type'] == 'COERCE']
    assert arrest['actor1']['country'] == 'USA' and arrest['country'] == 'USA'


def test_actor_compatibility():
    people = {'name': '6,044 people', 'sector': 'CVL', 'country': 'KAZ'}
    thousands = {'name': 'Thousands of people', 'sector': 'CVL', 'country': 'KAZ'}
    minister = {'name': 'Karim Adler', 'sector': 'GOV', 'country': 'KAZ'}
    state = {'name': 'the United States', 'sector': 'GOV', 'country': 'USA'}
    secretary = {'name': 'Secretary of State Lee', 'sector': 'GOV', 'country': 'USA'}
    assert actors_compatible(people, thousands) and actors_compatible(state, secretary)
    assert not actors_compatible(people, minister) and actors_compatible(None, minister)


def test_same_event_needs_type_place_and_date():
    gao = {'name': 'Gao', 'country': 'MLI', 'admin1': 'Gao', 'precision': 'CITY'}
    base = {'event_type': 'ASSAULT', 'mode': None, 'country': 'MLI', 'event_date': dt.date(2024, 3, 8),
            'actor1': None, 'actor2': None, '_place_source': 'clause', 'location': gao, '_dated': True}
    assert same_event(base, dict(base, event_date=dt.date(2024, 3, 9)))
    assert not same_event(base, dict(base, event_date=dt.date(2024, 3, 1)))
    # a mention with no date of its own carries the story's date, which does not count against it
    assert same_event(base, dict(base, event_date=dt.date(2024, 3, 12), _dated=False))
    # two towns named in their own sentences are two events; a town and its country may be one
    assert not same_event(base, dict(base, location=dict(gao, name='Kidal', admin1='Kidal')))
    assert same_event(base, dict(base, location={'name': 'Mali', 'country': 'MLI', 'precision': 'COUNTRY'}))
    assert same_event(base, dict(base, location=dict(gao, name='Kidal'), _place_source='main'))
    assert not same_event(base, dict(base, country='NER'))
    assert same_event(base, dict(base, country='NER', _place_source='main'))  # a default place yields
    assert not same_event(dict(base, event_type='COERCE', mode='arrest'), dict(base, event_type='COERCE', mode='dismiss'))


def test_a_named_armed_group_gives_the_country_when_no_place_is_named(extractor):
    [attack] = [e for e in extract_events(extractor, 'Al Shabaab fighters attacked an army base, killing four soldiers.')
                if e['event_type'] == 'ASSAULT']
    assert attack['country'] == 'SOM' and attack['killed'] == 4
    # a named place still wins over the group's usual country
    [attack] = [e for e in extract_events(extractor, 'Boko Haram fighters attacked a village in northern Cameroon.')
                if e['event_type'] == 'ASSAULT']
    assert attack['country'] == 'CMR'


def test_only_the_leading_paragraphs_are_parsed():
    from wirewatch.transforms.extract.extractor import _leading_paragraphs
    text = '\n\n'.join(f'Paragraph {i} ' + 'x' * 990 for i in range(10))
    kept = _leading_paragraphs(text, 5000)
    assert kept.count('Paragraph') == 5 and kept.endswith('x')  # paragraph 4 crosses the limit and stays whole
    assert _leading_paragraphs('short text', 5000) == 'short text'


def test_a_toll_told_in_the_next_sentence_joins_the_dated_attack(extractor):
    events = extract_events(extractor, 'Gunmen attacked a village in Zamfara on Sunday. At least 12 people were killed, '
                                       'police said.')
    [attack] = [e for e in events if e['event_type'] == 'ASSAULT']
    assert attack['killed'] == 12 and attack['country'] == 'NGA'
    assert attack['actor1']['name'] == 'Gunmen'


def test_attacks_in_two_towns_stay_two_events(extractor):
    events = extract_events(extractor, 'Gunmen killed four villagers in Gao on Sunday. In a separate attack, '
                                       'nine soldiers were killed in Kidal, the army said.')
    assaults = sorted((e['location']['name'], e['killed']) for e in events if e['event_type'] == 'ASSAULT')
    assert assaults == [('Gao', 4), ('Kidal', 9)]


def test_a_toll_in_the_next_sentence_needs_the_violence_just_told(extractor):
    # the sentence after an attack: its 'killed' needs no violence word of its own
    [beating] = [e for e in extract_events(extractor, 'Gunmen attacked traders at the Tamba market on Monday. '
                                                      'At least one civilian killed.') if e['event_type'] == 'ASSAULT']
    assert beating['killed'] == 1
    # ... but a count never joins an event of another kind, nor fills a figure already told
    [arrests] = [e for e in extract_events(extractor, 'Police arrested 14 protesters in Tamba on Monday. '
                                                      'Two people died.') if e['event_type'] == 'COERCE']
    assert arrests['killed'] is None and arrests['arrested'] == 14


def test_what_a_protest_is_about_is_not_an_event_at_it(extractor):
    events = extract_events(extractor, 'Students marched through Tamba on Friday to protest against a string of '
                                       'night-time attacks that killed nine people.')
    assert [(e['event_type'], e['killed']) for e in events] == [('PROTEST', None)]
    events = extract_events(extractor, 'Inmates protested the death of a prisoner at the central jail on Friday.')
    assert [(e['event_type'], e['killed']) for e in events] == [('PROTEST', None)]
    [riot] = [e for e in extract_events(extractor, 'Refinery workers rioted in Tamba on Friday after a laborer died.')
              if e['event_type'] == 'PROTEST']
    assert riot['killed'] is None


def test_headline_subjects_the_parser_attaches_as_modifiers(extractor):
    """Headline grammar: the small model reads the subject as a modifier of the verb."""
    events = extract_events(extractor, '', title='Varnek slams Osterlund for seeking funds for elections')
    assert [(e['event_type'], e['actor1']['name']) for e in events] == [('ACCUSE', 'Varnek')]
    events = extract_events(extractor, '', title='Hong Kong police ban Tiananmen vigil')
    assert [(e['event_type'], e['actor1']['name']) for e in events] == [('COERCE', 'Hong Kong police')]



@pytest.mark.parametrize('second', [
    'Twelve people died of cholera in the state last month.',       # a date and a disease of its own
    'Separately, 12 people died when a bus overturned.',            # another matter, an accident
    'Four people were killed in Gusau.',                            # a place of its own
])
def test_a_next_sentence_with_its_own_story_gives_no_toll(extractor, second):
    [attack] = [e for e in extract_events(extractor, 'Gunmen attacked a village in Zamfara on Sunday. ' + second)
                if e['event_type'] == 'ASSAULT']
    assert attack['killed'] is None


def test_a_protest_takes_no_toll_from_the_next_sentence(extractor):
    [protest] = [e for e in extract_events(extractor, 'Protesters marched through the city centre on Saturday. '
                                                      'Four people were killed, police said.')
                 if e['event_type'] == 'PROTEST']
    assert protest['killed'] is None


def test_a_headline_and_its_lead_name_one_doer_differently(extractor):
    """'Tarsel slams ...' and 'Deputy Premier Jorim Tarzel criticised ...': one accusation,
    although the headline spells the name another way and gives no title."""
    events = extract_events(
        extractor,
        'Deputy Premier Jorim Tarzel criticised Governor Ansa Velk on Tuesday for questioning his visits to the state.',
        title='Tarsel slams Velk over visits row')
    assert [e['event_type'] for e in events] == ['ACCUSE']


def test_one_shooting_told_twice_in_the_lead_is_one_event(extractor):
    events = extract_events(
        extractor,
        "Five people were injured in a shooting at Carden Hall college in Baltimore on Tuesday, police said.",
        title="Homecoming postponed after college shooting")
    assert [e['event_type'] for e in events] == ['ASSAULT']


def test_same_news_joins_a_headline_and_lead_unless_they_tell_two_events():
    gao = {'name': 'Gao', 'admin1': 'Gao', 'country': 'MLI', 'precision': 'CITY'}
    base = {'event_type': 'ASSAULT', 'mode': None, 'country': 'MLI', 'location': gao, '_place_source': 'clause',
            'event_date': dt.date(2024, 3, 8), '_dated': False, '_role': 'title', 'sentence': 'Gunmen kill 5 in Gao',
            'actor1': {'name': 'Gunmen', 'sector': 'REB', 'country': None}, 'actor2': None}
    lead = dict(base, _role='lead', sentence='Militants of the Sahel front killed five villagers near Gao.',
                actor1={'name': 'militants of the Sahel front', 'sector': 'REB', 'country': None})
    assert not same_event(base, lead) and same_news(base, lead)
    assert not same_news(base, dict(lead, _role='body'))
    assert not same_news(dict(base, _role='lead'), lead)  # two lead sentences: the title's event is not in question
    assert not same_news(base, dict(lead, country='NER'))
    assert not same_news(base, dict(lead, location={'name': 'Menaka', 'admin1': 'Menaka', 'country': 'MLI',
                                                    'precision': 'ADMIN1'}))
    assert not same_news(base, dict(lead, sentence='Separately, militants killed two traders near Gao.'))
    army = {'name': 'army', 'sector': 'MIL', 'country': 'MLI'}
    assert not same_news(dict(base, actor1=army), dict(lead, actor1={'name': 'French jets', 'sector': 'MIL', 'country': 'FRA'}))
    assert not same_news(base, dict(lead, actor1={'name': 'troops', 'sector': 'MIL', 'country': None}))  # two kinds
    assert not same_news(base, dict(lead, actor1=None, actor2={'name': 'five of the gunmen', 'sector': 'REB',
                                                               'country': None}))  # roles swapped


@pytest.mark.parametrize('title, patient', [
    ('Journalist shot dead in Manila', 'Journalist'),
    ('Protesters detained after march in Minsk', 'Protesters'),
    ('Student arrested in Kawasaki', 'Student'),
    ('Protesters dispersed with tear gas outside parliament', 'Protesters'),
    # a title's second clause, or one a source is said to tell
    ('Airline lays off hundreds of staff, former minister arrested', 'former minister'),
    ('Student raped in church hall, sister says', 'Student'),
])
def test_a_headline_drops_the_passive_auxiliary(extractor, title, patient):
    """In a headline, 'X shot dead', 'X detained' tell what was done to X: X is actor2."""
    [event] = extract_events(extractor, '', title=title)
    assert event['actor1'] is None and event['actor2']['name'] == patient


@pytest.mark.parametrize('title', ['Protesters stormed into parliament in Lima', 'Police raided at dawn in Lagos'])
def test_a_headline_verb_used_without_object_stays_active(extractor, title):
    events = extract_events(extractor, '', title=title)
    assert all(e['actor2'] is None for e in events)


def test_a_possessive_name_is_the_name(extractor):
    doc = extractor.nlp("Police named a suspect in the reporter's fatal shooting.")
    reporter = next(t for t in doc if t.lower_ == 'reporter')
    assert extractor.actors.code(reporter)['name'] == 'reporter'


def test_a_recap_title_has_no_current_events(extractor):
    text = 'Troops fired on marchers in the capital, killing 12. A new constitution was signed.'
    assert extract_events(extractor, text, title='This Day in History: March 8') == []
    assert extract_events(extractor, text, title='Troops fire on marchers in Velmar')  # the same text as news


@pytest.mark.parametrize('text, title, mode', [
    ('Hundreds of protesters gathered on the steps of City Hall in Portland on Monday, demanding the chief resign.',
     '', 'demo'),
    ('', 'Protesters decry new fees law in Lagos', None),
    ('A group of protesters set the police station on fire in Minneapolis on Thursday.', '', 'riot'),
])
def test_what_protesters_demand_or_burn_is_their_protest(extractor, text, title, mode):
    events = extract_events(extractor, text, title=title)
    assert [e['event_type'] for e in events] == ['PROTEST']
    assert mode is None or events[0]['mode'] == mode


def test_what_strikers_demand_is_a_labour_dispute(extractor):
    text = 'Hospital workers in Oakland began a three-day strike on Monday, demanding higher wages.'
    assert extract_events(extractor, text) == []


@pytest.mark.parametrize('title', ['Protesters rally on this day of national mourning in Kenya',
                                   'A look back at the week: Israeli strikes kill 30 in Gaza'])
def test_a_title_that_only_mentions_a_day_is_news(extractor, title):
    assert extract_events(extractor, '', title=title)


def test_officials_who_gather_and_call_for_something_are_no_protest(extractor):
    events = extract_events(extractor, 'Foreign ministers gathered in Brussels on Monday, calling for a ceasefire.')
    assert [e['event_type'] for e in events] == ['REQUEST']


def test_clashes_told_with_a_protest_are_the_protest(extractor):
    events = extract_events(extractor, 'Protests erupted in at least 20 cities on Sunday over the death of a teenager '
                                       'in police custody in Velmar, with violent clashes across the country.',
                            title='Protests erupt in 20 cities over death of teenager')
    assert [e['event_type'] for e in events] == ['PROTEST']


@pytest.mark.parametrize('title', ['How to protest safely in the heat', 'What to know about the clashes in Velmar',
                                   'A Timeline of the Velmar Protests', 'Explainer: why troops fired on marchers',
                                   'When the Velmar Marchers Met the Troops',
                                   'Velmar unrest: Why do some marches turn violent?',
                                   'How did the Velmar marcher die? A private autopsy says asphyxia',
                                   'Velmar: five pieces of context to understand the marches'])
def test_an_explainer_title_reports_no_current_event(extractor, title):
    text = 'Troops fired on marchers in the capital on Sunday, killing 12.'
    assert extract_events(extractor, text, title=title) == []


@pytest.mark.parametrize('title', ['Families try to understand why troops fired on marchers',
                                   'Leaders meet to understand crisis as troops fire on marchers'])
def test_a_title_that_only_contains_to_understand_is_news(extractor, title):
    assert extract_events(extractor, 'Troops fired on marchers in the capital on Sunday, killing 12.', title=title)


def test_a_title_that_only_contains_how_is_news(extractor):
    assert extract_events(extractor, 'Troops fired on marchers in the capital on Sunday, killing 12.',
                          title='Troops fire on marchers, how the day unfolded')
    assert extract_events(extractor, 'Troops fired on marchers in the capital on Sunday, killing 12.',
                          title='Troops fire on marchers, leaving many asking why')


def test_a_title_that_asks_when_or_says_when_in_a_main_clause_is_news(extractor):
    text = 'Troops fired on marchers in the capital on Sunday, killing 12.'
    assert extract_events(extractor, text, title='Troops fire on marchers when crowd nears palace')
    assert extract_events(extractor, 'Police arrested 12 men in the port on Sunday.',
                          title='When in Rome: Velmar police arrest 12')
    assert extract_events(extractor, text, title='When marchers reached the palace, troops fired')


def test_a_rally_in_the_headline_and_its_lead_is_one_protest(extractor):
    # the town before 'rally' is where it was, not who rallied; the call for justice is the protest's own
    events = extract_events(
        extractor,
        'Thousands of people marched through central Perth to protest deaths in custody and call for an inquiry.',
        title='Thousands demand justice at Perth rally')
    assert [(e['event_type'], e['country']) for e in events] == [('PROTEST', 'AUS')]


def test_a_headline_word_the_lead_tells_as_a_topic_is_no_event(extractor):
    # the small model reads the headline's 'protests' as a verb; the lead says they are a topic
    events = extract_events(
        extractor,
        'Radio host Dana Voss praised the rapper Lil Hale for his recent remarks on the Ovdala protests, even as he '
        'received blowback.',
        title='Host praises Lil Hale for his remarks on Ovdala protests')
    assert {e['event_type'] for e in events} == {'SUPPORT'}
    # a 'crackdown on protests' is no topic of speech: the headline's protest stands
    events = extract_events(
        extractor, 'Police in Ovdala arrested 40 people on Sunday during a crackdown on protests against the new tax.',
        title='Police arrest 40 at Ovdala protest')
    assert 'PROTEST' in {e['event_type'] for e in events}


def test_a_headline_word_the_lead_reports_elsewhere_keeps_its_event(extractor):
    # the lead's 'will be arrested' is a warning of more, not a reading of the headline's arrests
    events = extract_events(
        extractor,
        'The state police chief warned that more than 1,000 people will be arrested in the coming weeks.',
        title='Over 300 arrested in crackdown on smuggling rings in Kasai')
    assert [e['event_type'] for e in events] == ['COERCE']


def test_property_burnt_in_a_protest_is_the_protest_s_riot(extractor):
    events = extract_events(
        extractor,
        'Protests over the death of a student grew across Lusaka, with police cars set ablaze near the market.',
        title='Protesters clash with police in Lusaka')
    assert {e['event_type'] for e in events} == {'PROTEST'}


def test_protests_named_in_passing_are_the_setting_of_another_story(extractor):
    # the headline names no protest: the lead's bare 'protests' is where the story happens
    events = extract_events(
        extractor,
        'A guard was filmed pushing a reporter to the pavement during protests in Harlow on Friday.',
        title='Reporter pushed to the pavement by security guard')
    assert 'PROTEST' not in {e['event_type'] for e in events}
    # a headline of protests keeps them, and so does a lead that counts the crowd or names the protesters
    events = extract_events(extractor, 'Protests over fuel prices spread to five cities on Friday.',
                            title='Fuel protests spread across Zambia')
    assert [e['event_type'] for e in events] == ['PROTEST']
    events = extract_events(extractor, 'A rally of 3,000 people in Ndola on Friday demanded lower fuel prices.',
                            title='Zambia raises fuel prices again')
    assert 'PROTEST' in {e['event_type'] for e in events}
    # a protest told by its scale or its cause is an event of its own, whatever the headline
    events = extract_events(extractor, 'Offices were set on fire in large-scale anti-government protests in Ndola.',
                            title='President sacks security chiefs')
    assert 'PROTEST' in {e['event_type'] for e in events}


def test_a_town_before_a_rally_is_where_it_was_not_who_rallied(extractor):
    events = extract_events(extractor, 'Thousands of people rallied in Ovdala on Sunday.', title='Ovdala rally draws thousands')
    assert [e['event_type'] for e in events] == ['PROTEST']


@pytest.mark.parametrize('text, expected', [
    # a demand coordinated with a protest verb is the protest's, not with 'rallied his party' or troops marching
    ('The prime minister rallied his party and rejected calls for early elections on Monday.', ['REJECT']),
    ('Hundreds of students gathered in Ovdala to protest the fee rise and call for the dean to resign.', ['PROTEST']),
])
def test_what_protesters_demand_is_their_protest(extractor, text, expected):
    assert sorted(e['event_type'] for e in extract_events(extractor, text)) == expected


@pytest.mark.parametrize('title', [
    'Merrow unrest: the statues being defaced',          # a topic tag with no verb
    'Tomas Orvel protests: the statues being defaced',   # a name and a plural the small model reads as its verb
])
def test_a_headline_topic_tag_names_a_running_story_not_this_one(extractor, title):
    text = 'Across the region, a light is being shone on colonial history.'
    assert not [e for e in extract_events(extractor, text, title) if e['event_type'] == 'PROTEST']


def test_another_matter_is_said_of_an_event_not_by_a_pronoun():
    from wirewatch.transforms.extract.extractor import ANOTHER_MATTER
    assert ANOTHER_MATTER.search('Gunmen killed another three villagers in Kidal on Monday.')
    assert ANOTHER_MATTER.search('Separately, police arrested two men.')
    assert not ANOTHER_MATTER.search('The man accused of killing two people, kidnapping another and fleeing was arrested.')


def test_one_toll_in_title_and_lead_is_one_event(extractor):
    """The headline's '47 dead in missile strike against east Kovia' and the lead's '47 people
    were killed in the Darva region' tell one attack, although the headline took the region for
    a party and names another place."""
    events = extract_events(
        extractor,
        'At least 47 people were killed in a missile strike on the eastern Darva region on Thursday, '
        'Kovian President Ivo Marek said.',
        title='Marek Says 47 Dead in Missile Strike Against East Kovia')
    assert [(e['event_type'], e['killed']) for e in events] == [('ASSAULT', 47)]
