"""Session 21's rules, each with fixtures on both sides: what did not happen as news (a
caption, a tally over months, an act in general, a talk show, an admission, an instruction
inside one body, words restated as an 'attack') is not coded; the act next to it still is."""
import pytest

from factories import extract_events, trigger_reading


def coded(extractor, text, title=''):
    return sorted((e['event_type'], e['country']) for e in extract_events(extractor, text, title))


# --- factuality -------------------------------------------------------------------------

@pytest.mark.parametrize('sentence, word, status, cue', [
    # the subject of 'is due/set/likely to' + infinitive is planned ...
    ('The annual meetings of the two banks are due to take place in Brel next month.', 'meetings', 'FUTURE', 'due'),
    ('Talks between Kovia and Vessa are set to resume in Brel.', 'Talks', 'FUTURE', 'set'),
    # ... not one that goes on with what already happens
    ('Protests in Brel are likely to continue, police said.', 'Protests', 'ASSERTED', None),
    # a bare gerund subject of 'be' names the act in general
    ('Protesting is not terrorism, the defence minister said.', 'Protesting', 'MENTIONED', None),
    ('Students protesting the fees were arrested in Brel on Monday.', 'arrested', 'ASSERTED', None),
    # an event word that opens a hyphenated modifier names a kind
    ('Officials warned of a protest-related rise in infections in Brel.', 'protest', 'MENTIONED', None),
    # a gerund listed with nouns is one of them: the matter of 'accountable for'
    ('Leaders should be held accountable for riots and looting in Brel, the mayor said.', 'looting', 'MENTIONED', None),
    # an imperative that someone urges is asked, not done
    ('Release the prisoners, the union urged the Kovian government.', 'Release', 'ORDERED', 'urge'),
])
def test_factuality(sentence, word, status, cue):
    match = trigger_reading(sentence, word)
    assert (match.factuality, match.factuality_cue if status != 'MENTIONED' else None) == (status, cue)


# --- time ---------------------------------------------------------------------------------

@pytest.mark.parametrize('sentence, word, cue', [
    ('Eighty women were arrested between January and September in Brel, police said.', 'arrested', 'january-september'),
    ('Police in Brel arrested 80 women Jan-Sept for soliciting.', 'arrested', 'jan-sept'),
    ('The militia held six meetings with the group during more than a year of talks.', 'held meetings', 'during more than a year'),
    ('In the fall of 1988, a girl was murdered in Brel.', 'murdered', '1988'),
    ('The family of Dana Orlo, 31, had appealed for more donors.', 'appealed', 'had'),
    ('The neck hold has a troubled history, killing and injuring some people.', 'killing', 'history'),
])
def test_background(sentence, word, cue):
    match = trigger_reading(sentence, word)
    assert (match.time_status, match.time_cue) == ('BACKGROUND', cue)


@pytest.mark.parametrize('sentence, word', [
    ('Police arrested 12 men between Sunday and Monday in Brel.', 'arrested'),  # days, not months
    ('Police arrested 12 men in Brel in March.', 'arrested'),  # one month
    ('Kovia and Vessa held their first talks in three years in Brel on Monday.', 'held talks'),  # 'in three years': a first
    ('Police said they had arrested 12 men in Brel.', 'arrested'),  # a report's backshift
    ('Gunmen had killed two guards in Brel by Sunday evening.', 'killed'),  # dated
])
def test_current(sentence, word):
    assert trigger_reading(sentence, word).time_status == 'CURRENT'


# --- sense --------------------------------------------------------------------------------

@pytest.mark.parametrize('text, title, expected', [
    # 'attack' modifying a craft, a dog or an ad names equipment
    ('Vessa has awarded Orlan Yards a contract to build six attack submarines.', '', []),
    ('The party pulled its attack ads on Monday.', '', []),
    ('Rebels attacked a navy submarine base near Brel on Monday, killing two guards.', '', [('ASSAULT', None)]),
    # an epidemic threatens nothing as a party does
    ('', 'Coronavirus threatens Kovia\'s road and port loans', []),
    ('The Kovian president threatened Vessa with sanctions on Monday.', '', [('THREATEN', None)]),
    # tips rounded up are a summary; people rounded up are arrested
    ("We've rounded up some of the top secrets from chefs across the country.", '', []),
    ('Police rounded up 40 suspected smugglers in Brel on Monday.', '', [('COERCE', None)]),
    # detained for years is a prison term
    ('A man who plotted to kill the king has been detained for nine years under the treason law.', '', []),
    ('Police detained 12 protesters for two days in Brel on Sunday.', '', [('COERCE', None)]),
])
def test_sense(extractor, text, title, expected):
    assert coded(extractor, text, title) == expected


# --- coding -------------------------------------------------------------------------------

def test_a_caption_with_a_photo_credit_codes_nothing(extractor):
    title = 'Troops sent to Brel after clashes'
    caption = 'Kovian soldiers detain a man in Brel on Monday. (Dana Orlo/Reuters)'
    assert [e['event_type'] for e in extract_events(extractor, caption, title)] == ['MOBILIZE']
    # the same sentence without its credit is a lead, and its arrest is coded
    without = [e['event_type'] for e in extract_events(extractor, caption.rsplit(' (', 1)[0], title)]
    assert sorted(without) == ['COERCE', 'MOBILIZE']


def test_a_caption_ends_at_its_credit_the_text_after_it_is_a_lead(extractor):
    text = ('Kovian president Ilan Orvo meets envoys in Brel, May 1, 2019. (AAP Image/Dana Orlo)\n\n'
            'Kovian police arrested 30 protesters in Brel on Monday.')
    assert [e['event_type'] for e in extract_events(extractor, text)] == ['COERCE']


def test_a_talk_show_discussion_is_no_consultation(extractor):
    assert coded(extractor, 'A graphic compared the stock market. Anchors Tom Vale and Ana Bird discuss.') == []
    assert [t for t, _ in coded(extractor, 'The foreign ministers of Kovia and Vessa discussed border security '
                                           'in Brel on Monday.')] == ['CONSULT']


def test_an_admission_is_no_concession(extractor):
    assert coded(extractor, 'Brazil has conceded it cannot host a major tournament this year.') == []
    assert [t for t, _ in coded(extractor, 'Rebels conceded the town of Brel to the army on Monday.')] == ['CONCEDE']


def test_an_instruction_inside_one_body_is_no_request(extractor):
    assert coded(extractor, 'The national police on Monday called on all police units to offer rides to the public.') == []
    assert coded(extractor, 'The chief executive asked staff to cut travel costs.') == []
    # what is called for is no addressee; a ministry urging another one still asks
    assert [t for t, _ in coded(extractor, 'The senator is calling for a dedicated disease control unit.')] == ['REQUEST']
    assert [t for t, _ in coded(extractor, 'The foreign secretary urged the health department to use free apps.')] == ['REQUEST']


def test_an_urged_imperative_is_an_advisory_or_a_request_not_a_deed(extractor):
    assert coded(extractor, '', 'Stay vigilant, PM Orvo urges as lockdown ends') == []
    assert [t for t, _ in coded(extractor, '', 'Release the prisoners, UN urges Kovia')] == ['REQUEST']
    assert coded(extractor, 'Officials in Brel urged quarantine after crowds gathered at the lake.') == []


def test_an_attack_that_restates_an_accusation_is_words(extractor):
    title = 'Kovia ups stakes in port deal row with attack on minister'
    text = ('The Kovian government has lashed out at Vessan critics of its port deal, '
            'launching a fresh attack on a senior Vessan minister.')
    assert [e['event_type'] for e in extract_events(extractor, text, title)] == ['ACCUSE']
    # an attack with a toll is no restatement
    text = 'Kovian rebels accused the army of treachery and launched an attack on its post, killing two soldiers.'
    assert 'ASSAULT' in [e['event_type'] for e in extract_events(extractor, text)]


def test_an_international_body_speaks_from_no_country(extractor):
    [event] = extract_events(extractor, 'It was the European Union\'s most forceful criticism yet.',
                             'EU accuses Kovia of waging disinformation campaign')
    assert (event['event_type'], event['country']) == ('ACCUSE', None)


def test_a_ship_attacked_in_transit_is_at_sea(extractor):
    [event] = extract_events(extractor, '', "Kovia's state oil firm says one of its tankers came under attack while transiting Hormuz")
    assert (event['event_type'], event['country']) == ('ASSAULT', None)


@pytest.mark.parametrize('text, title, expected', [
    ('Global airlines suspended flights across the region on Saturday after Kovia launched strikes on Vessa.',
     'Airlines suspend flights after Kovian strikes on Vessa', []),
    ('', 'Oil rises after hostilities flare again with strikes on energy targets', []),
    ('', 'Shares slip in Brel as Kovia threatens naval blockade of Vessa', []),
    # the act is the news when a market is not the subject of the sentence
    ('', 'Kovian troops attack Vessan border post as oil prices soar', [('ASSAULT', None)]),
    ('', 'Protesters rally in Brel as prices soar', [('PROTEST', None)]),
])
def test_the_cause_of_a_market_move_is_told_in_its_own_story(extractor, text, title, expected):
    assert coded(extractor, text, title) == expected


def test_an_opinion_piece_reports_no_event_of_its_own(extractor):
    text = 'Police arrested 40 protesters in Brel on Monday, and the government must now listen to them.'
    assert extract_events(extractor, text, 'Column: Brel deserves better')== []
    assert extract_events(extractor, text, 'Brel deserves better', url='https://paper.example/opinion/2020/06/brel') == []
    # the same lead as news, and an 'opinion poll' in a news link, are coded
    assert [e['event_type'] for e in extract_events(extractor, text, 'Police arrest 40 in Brel',
                                                    url='https://paper.example/world/opinion-poll-brel')] == ['COERCE']


@pytest.mark.parametrize('text, title, expected', [
    # from the review: each rule's near misses stay events
    ('Fighters of the Kovian Front (KF/KLA) killed 12 soldiers near Brel on Sunday.', 'Army suffers heavy losses',
     [('ASSAULT', None)]),  # an acronym pair in brackets is no photo credit
    ("Monday's bombing of a market in Brel, which killed 12 people, is likely to deepen the crisis in Kovia.",
     'Bombing shakes Brel', [('ASSAULT', None)]),  # likely to deepen: the bombing's effect, not a plan
    ('Police had fired tear gas at the crowd before the rally ended.', 'Brel scene', [('COERCE', None)]),
    ('Kovian police detained 30 protesters in Brel on Monday for up to two months under emergency laws.', 'Emergency law',
     [('COERCE', None)]),  # months of police detention, no prison term
    ("Vessa's opposition called for the diplomatic isolation of Kovia over the border attack.",
     'Opposition calls for isolation of Kovia', [('REQUEST', None)]),
    ('Kovia on Monday urged UN peacekeeping units to leave its border with Vessa.', '', [('REQUEST', None)]),
    ('The Brel union urged employees of the state railway to strike on Monday.', '', [('REQUEST', None)]),
    ('Kovian rebels accused the army of treachery and launched an attack on its post on Monday.', 'Border raid',
     [('ACCUSE', None), ('ASSAULT', None), ('COERCE', None)]),
])
def test_the_new_rules_keep_their_near_misses(extractor, text, title, expected):
    assert coded(extractor, text, title) == expected


def test_a_span_of_months_with_no_day_is_a_tally(extractor):
    assert coded(extractor, 'Rebels killed 50 soldiers over the past two months in northern Kovia, the army said.') == []
    assert coded(extractor, 'The Kovian prime minister accused the opposition of lying, in a fierce attack on its leader.') \
        == [('ACCUSE', None)]


# --- from audit 12 ----------------------------------------------------------------------

@pytest.mark.parametrize('text, title, expected', [
    # an air raid is an air strike, once (not a police raid too)
    ('State media reported that two soldiers were injured in an air raid by Kovian forces on Monday.',
     'Kovian air attack on Vessa injures two soldiers', [('ASSAULT', None)]),
    ('Kovian police raided the homes of 12 journalists in Brel on Monday.', '', [('COERCE', None)]),
    # an arrest warrant is a court's step; output hit is an economic blow; fighting threats is a campaign
    ('A court issued an arrest warrant for the Kovian opposition leader.', '', []),
    ('', 'Low river levels hit power output in Kovia', []),
    ('Kovian drones hit a power plant in Brel on Monday, cutting electricity to thousands.', '', [('ASSAULT', None)]),
    ('', 'The army is turning to microgrids to fight global threats and global warming', []),
    # a vehicle that flips kills by accident, even soldiers
    ('Two soldiers were killed near Brel when their tactical vehicle flipped, officials said.', '', []),
    # a suggestion is a hypothesis
    ('', 'Kovian president suggests rival\'s plane was brought down by a grenade blast', []),
])
def test_audit12_senses_and_claims(extractor, text, title, expected):
    assert coded(extractor, text, title) == expected


def test_a_headline_denial_carries_to_its_lead(extractor):
    title = 'Kovian authorities deny arresting mother of injured student'
    text = 'A rights group says security forces arrested the mother of the student on Monday.'
    assert extract_events(extractor, text, title) == []
    # without the denial, the lead's arrest is coded
    assert [e['event_type'] for e in extract_events(extractor, text, 'Mother of injured student held')] == ['COERCE']


def test_a_generic_region_name_alone_is_no_place():
    from wirewatch.gazetteer import Gazetteer
    gazetteer = Gazetteer.load()
    assert gazetteer.resolve('Bay') is None  # 'Hawke's Bay's college': not Somalia's Bay region
    assert gazetteer.resolve('Bay region').iso3 == 'SOM'
    assert gazetteer.resolve('Bay', ('SOM',)).iso3 == 'SOM'
    assert gazetteer.resolve("Hawke's Bay").iso3 == 'NZL'


def test_a_verbal_act_is_not_placed_in_what_it_says(extractor):
    [event] = extract_events(extractor, 'The Kovian foreign minister on Monday urged Vessa to withdraw its troops from Brel.',
                             'Kovia urges Vessa to withdraw from Brel')
    assert event['event_type'] == 'REQUEST' and (event['location'] or {}).get('name') != 'Brel'


def test_an_affiliation_modifier_names_no_place(extractor):
    # 'US-linked', 'Greek-owned': whose side or whose ship, not where it happened
    text = "Insurgents attacked a US-linked base on Monday, killing two guards, Iraq's defence ministry said."
    assert [(e['event_type'], e['country']) for e in extract_events(extractor, text, 'Insurgents attack US-linked base')] \
        == [('ASSAULT', 'IRQ')]
    text = 'Gunmen attacked a Greek-owned tanker off the coast of Yemen on Monday.'
    assert [(e['event_type'], e['country']) for e in extract_events(extractor, text, 'Gunmen attack Greek-owned tanker')] \
        == [('ASSAULT', 'YEM')]


def test_a_police_force_named_by_its_city_is_of_that_country(extractor):
    [event] = extract_events(extractor, 'The editor of a news site has been arrested by Delhi Police after raids on '
                             'approximately 100 locations over funding from abroad.')
    assert (event['event_type'], event['actor1']['country']) == ('COERCE', 'IND')
    # a city name several countries share is read with the story's places, as before
    [event] = extract_events(extractor, '', 'Victoria Police charge man over Melbourne attack')
    assert event['actor1']['country'] == 'AUS'


@pytest.mark.parametrize('text, title, expected', [
    # from audit 13: crowd-control weapons deployed or fired are crowd control, not a deployment or an armed attack
    ('Tear gas was deployed on protesters in Brel on Sunday, police said.', '', [('COERCE', None)]),
    ('Police shot protesters with rubber bullets in Brel on Sunday.', '', [('COERCE', None)]),
    ('Police shot dead three protesters with live rounds in Brel on Monday.', '', [('ASSAULT', None)]),
    ('The Kovian army deployed 500 troops to Brel on Monday.', '', [('MOBILIZE', None)]),
    # a booster shot is medicine; tens of thousands of workers who launch a strike strike for work
    ('', 'Kovian president hopes for his own booster shot from the rocket launch', []),
    ('Tens of thousands of Kovian nurses launched a strike over pay on Monday.', '', []),
    ('Kovian forces launched strikes on rebel targets near Brel on Monday.', '', [('ASSAULT', None)]),
])
def test_audit13_crowd_control_medicine_and_labour(extractor, text, title, expected):
    assert coded(extractor, text, title) == expected


def test_a_headline_and_its_lead_merge_when_the_headline_only_guessed_its_country(extractor):
    """'hits out at Beijing': whom it is aimed at, not where; the lead says who spoke, and the
    two mentions are one accusation, placed where its maker is."""
    events = extract_events(extractor, "Australia's first Chinese-born MP has accused Beijing of undermining Hong Kong's autonomy.",
                            'Dana Orlo hits out at Beijing over Hong Kong national security laws')
    assert [(e['event_type'], e['country']) for e in events] == [('ACCUSE', 'AUS')]


def test_a_lead_s_first_word_after_the_title_is_read_as_a_common_word(extractor):
    """The small model tags the capitalised first word after the title's paragraph break a
    proper noun ('Clashes' with no lemma): the attribute ruler tags a common word there a
    noun, so its event and toll are read."""
    [event] = extract_events(extractor, 'Clashes between two communities in Brel on Saturday left at least 7 people '
                             'dead and 12 injured.', 'Clashes in Kovia')
    assert (event['event_type'], event['killed'], event['injured']) == ('ASSAULT', 7, 12)
    # a title before a name keeps the name ('President Ilan Orvo ...')
    from wirewatch.transforms.extract.nlp import load_nlp
    doc = load_nlp()('Kovia talks\n\nPresident Ilan Orvo met the envoy on Monday.')
    assert doc[3].text == 'President' and doc[3].pos_ == 'PROPN'


def test_a_headline_to_is_a_plan_also_as_a_relative_clause(extractor):
    """'X to face protest at gala': the parser may hang 'to face' on the subject as a relative
    clause; in a headline it is still what will happen."""
    assert coded(extractor, 'Rights groups will hold a rally outside the event.',
                 'Kovian ruling party behind new state laws to face protest at Brel gala') == []
    assert [t for t, _ in coded(extractor, '', 'Kovian ruling party faces protest at Brel gala')] == ['PROTEST']
