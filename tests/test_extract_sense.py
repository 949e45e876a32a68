"""Word sense: positive and negative fixtures for each ambiguous trigger (data/senses.json)."""
import json
import os

import pytest

from factories import extract_events, trigger_reading

DATA = os.path.join(os.path.dirname(__file__), '..', 'transforms', 'extract', 'data', 'senses.json')


def types(extractor, text, title=''):
    return sorted(e['event_type'] for e in extract_events(extractor, text, title))


@pytest.mark.parametrize('sentence, expected', [
    # strike: military, labour, hazard, sport, a deal
    ('Israeli air strikes hit targets in southern Lebanon on Sunday.', ['ASSAULT']),
    ('The army said its drones struck a rebel base near the border.', ['ASSAULT']),
    ('Dock workers went on strike over pay at the port on Monday.', []),
    ('A magnitude 6.1 earthquake struck the coast on Sunday.', []),
    ('The striker struck twice as the team won the cup final.', []),
    ('The two companies struck a deal on Monday.', ['AGREE']),
    ('The league strikes a deal with Kestrel Media for its broadcast rights.', []),  # business (corporate_deal)
    # a deal is struck with a verb: the noun strikes near a ceasefire are attacks
    ('Varnian air strikes killed 30 people in Orlan on Saturday, the highest toll since the ceasefire.', ['ASSAULT']),
    ('Verlo and Manta Foods held talks on a merger on Monday.', []),
    ('Russia and Ukraine held talks in Istanbul on Monday, the state broadcaster said.', ['CONSULT']),
    # an appeal in court is no REQUEST between parties (class legal_matter); urging a court still is
    ('The Norland government urged the Supreme Court to rule on the ballots on Monday.', ['REQUEST']),
    ('Convicted killer Mara Velt begins appeal against her sentence', []),
    ('The state of Arvale is appealing a landmark climate ruling', []),
    ('Kenya asked the UN to send peacekeepers to the border on Monday.', ['REQUEST']),
    ('The president appealed for calm after the clashes in Nairobi.', ['REQUEST']),
    ('The opposition leader appealed for calm after the verdict in Nairobi.', ['REQUEST']),
    # firing up a plant starts it; services mobilised for a disaster bring relief
    ('The government is firing up diesel power plants to avert blackouts in the drought.', []),
    ('The state declared a disaster, and emergency services were mobilised in the flooded areas.', []),
    ('Russia mobilised 300,000 reservists on Wednesday.', ['MOBILIZE']),
    ('Russia mobilised 300,000 reservists amid a storm of criticism on Wednesday.', ['MOBILIZE']),
    ('Soldiers fired up the hill at rebel positions near Goma on Monday.', ['ASSAULT']),
    ('Prisoners went on a hunger strike on Monday.', ['PROTEST']),
    # attack: armed, verbal, medical
    ('Gunmen attacked a police post in the north, killing three officers.', ['ASSAULT']),
    ('The opposition leader attacked the budget plan in a speech to parliament.', ['ACCUSE']),
    ('The singer died of a heart attack at his home on Friday.', []),
    ('The opposition leader launched a scathing attack on Kenya\'s health minister.', ['ACCUSE']),
    ('The sheriff said militants had launched a furious attack on the army post, killing four.', ['ASSAULT']),
    ('The exchange said it was hit with a crypto attack on Monday.', []),
    # fire: gunfire, wildfire, a sacking
    ('Soldiers opened fire on the crowd in the square.', ['ASSAULT']),
    ('Police fired tear gas at demonstrators in the capital.', ['COERCE']),
    ('A wildfire killed two people in the hills on Saturday.', []),
    ('The president fired the interior minister on Monday.', ['COERCE']),
    ('Shots were fired at a police officer in the car park on Monday.', ['ASSAULT']),
    ('The navy fired on a fishing trawler near the strait, port officials said.', ['ASSAULT']),
    ('The club fired its coach at a board meeting on Friday.', ['COERCE']),  # aimed, but with an object
    ('A police officer was fired at by gunmen on Monday.', ['ASSAULT']),  # a passive strands the aim
    ('A late hat-trick from Jon Vaska fired Orlen into the cup final on Sunday.', []),  # sport
    ('Gunmen fired into a crowd of fans at a football match in Kovia on Sunday, killing two.', ['ASSAULT']),
    ('Someone fired at the team bus after the derby in Kovia on Sunday, shattering its windows.', ['ASSAULT']),
    # a device made safe is no bombing; 'the heart of' a city is no heart attack
    ('Army sappers safely detonated a bomb found near the school on Monday.', []),
    ('Police cordoned off a street in the heart of the capital on Sunday, while a second assailant was killed in a '
     'shootout with officers.', ['ASSAULT']),
    # clash: armed, sport, verbal
    ('Troops clashed with rebels near the border, killing five fighters.', ['ASSAULT']),
    ('The two sides clash in the cup final at the stadium on Saturday.', []),
    ('The ministers clashed over the budget at the cabinet meeting.', []),
    # rally: protest, market, campaign
    ('Thousands of protesters rallied against the new tax in the capital.', ['PROTEST']),
    ('Stocks rallied as investors cheered the rate cut.', []),
    ('The candidate held a campaign rally for his supporters in Ohio.', []),
    # fight: armed, against corruption, a fire
    ('Government troops fought rebels near the town for a third day.', ['ASSAULT']),
    ('The new agency will fight corruption in the ports.', []),
    ('Firefighters fought the blaze through the night.', []),
    # killed by disease, disaster or accident
    ('Floods killed 14 people in the north on Sunday.', []),
    ('Two people were killed when a tram derailed in the city centre.', []),
    ('Five people died after a blast at a fireworks factory.', []),
    ('Gunmen killed 12 villagers in an attack on the village.', ['ASSAULT']),
    ('Five soldiers were killed while defusing an unexploded shell.', []),
    # a labour strike told by its strikers, even beside a country's name
    ('More than 9,000 nurses are striking at clinics across the U.S. over staffing.', []),
    ('Thousands of railway workers strike over pensions in France.', []),
    ('Israeli pilots struck Hezbollah targets in southern Lebanon on Sunday.', ['ASSAULT']),  # pilots fly strikes
    ('A train struck a military truck at a level crossing near the town.', []),
    ('Gunmen threatened the lives of election officials in the north.', ['THREATEN']),
    # agreeing to a settlement or a plea is a legal matter
    ('Velda Corp agrees to a $40 million privacy settlement with regulators.', []),
    ('Judge dismisses lawsuit against the ministry over the school closures', []),
    ('The two governments agreed a trade deal in Doha on Monday.', ['AGREE']),
    # a vehicle's strike is an accident, an armed one names targets or forces
    ('Israeli jets struck targets in southern Lebanon on Sunday.', ['ASSAULT']),
    ('A truck struck a bus on the highway, killing four passengers.', []),
    # a danger to hopes, jobs or aid is no threat by anyone
    ('The bond selloff threatens hopes of a soft landing.', []),
    ('The budget stalemate is threatening aid to farmers, the senator said.', []),
    ('The militia threatened the village elders with death on Monday.', ['THREATEN']),
    # a bowling attack is cricket
    ('The pace bowling attack of the national team is the best in the world.', []),
    # striking a tone, a balance or a pose is no deal
    ('Senator Alda Voss struck a conciliatory tone on trade with Velmark on Monday.', []),
    ('The finance minister struck a careful balance between growth and debt.', []),
    ('Israeli strikes on Gaza struck fear into residents on Monday.', ['ASSAULT']),
    ('Jihadists struck a gold mine in the north, killing twelve workers.', ['ASSAULT']),
    # agreeing to a bout or a tour is sport; agreeing with another government is not
    ('The two heavyweight champions agreed in principle to two fights next year.', []),
    ('The cricket board agreed to a Test tour of Orlan in July.', []),
    ('The two governments agreed on Monday to reopen their border crossing.', ['AGREE']),
    # welcoming visitors back is hospitality, welcoming a decision is support
    ('After two months of lockdown, the city zoo is welcoming the public back.', []),
    ('The opposition leader welcomed the court ruling on Monday.', ['SUPPORT']),
    ('The president welcomed a public inquiry into the shooting.', ['SUPPORT']),
    # visiting a shrine or a factory meets no one; visiting a country does
    ('The defence minister visited a contentious war shrine on Tuesday.', []),
    ('Premier Tomas Brel visited a car factory in the north on Monday.', []),
    ('Premier Tomas Brel visited Pakistan for talks with its prime minister on Monday.', ['CONSULT']),
    ('The president visited Kenya to show support for the peace deal.', ['CONSULT']),
    # tourists, patients and citizens who visit a place meet no one either
    ('A tourism report counted more Orlan citizens visiting Varnel than last year.', []),
    ('Health officials named two more shopping malls visited by infectious patients.', []),
    # a government welcoming rescuers or refugees receives them; meeting a test or being met
    # by police is no meeting
    ('Varnel welcomed 200 foreign rescuers after the earthquake.', []),
    ('The judge ruled that the state had met the legal test for the extradition.', []),
    ('Hundreds of protesters marched to the palace and were met by riot police.', ['PROTEST']),
    ('The visiting premier was met by the foreign minister at the airport on Monday.', ['CONSULT']),
    # a meeting of private people is no political consultation
    ('A television reporter met nurses and hospital staff on the ward.', []),
    ('The bishops met with lay people in the cathedral on Sunday.', []),
    # a dismissal by a private employer is no coercion; by a head of state it is
    ('The broadcaster Channel Nine sacked two presenters on Monday.', []),
    ('The prime minister of Norland sacked the health minister on Friday.', ['COERCE']),
    ('Protesters ousted the governor of Kherson on Friday.', ['COERCE']),
    ('The president met church leaders at the palace on Sunday.', ['CONSULT']),
    # a court striking down a law rules; a soldier struck down by sniper fire is hit
    ('The supreme court struck down the state handgun limits on Monday.', []),
    ('Two soldiers were struck down by sniper fire near the border on Sunday.', ['ASSAULT']),
    # a premier is a head of government, not the Premier League
    ('The premier met the opposition leader in Hobart on Monday.', ['CONSULT']),
    # looting is rioting only where there is unrest
    ('Thieves looted a jewellery shop in the old town overnight, police said.', []),
    ('Protesters looted shops in the capital as demonstrations against the curfew turned violent.', ['PROTEST']),
])
def test_sense_decides_the_event(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('sentence, word, sense', [
    ('A magnitude 6.1 earthquake struck the coast.', 'struck', 'hazard'),
    ('Dock workers went on strike over pay.', 'strike', 'labour'),
    ('The singer suffered a heart attack.', 'attack', 'medical'),
    ('Stocks rallied on the rate cut.', 'rallied', 'market'),
    ('The agency will fight corruption.', 'fight', 'struggle'),
    ('The two companies struck a deal.', 'struck', 'deal'),
    ('Hospital workers strike over pay.', 'strike', 'labour'),
    ('A lorry struck a minibus near the bridge.', 'struck', 'accident'),
    ('The selloff threatens hopes of growth.', 'threatens', 'endanger'),
])
def test_sense_is_recorded_on_the_trigger(sentence, word, sense):
    assert trigger_reading(sentence, word).sense == sense


def test_sense_rules_refer_to_known_classes_and_entries():
    with open(DATA, encoding='utf-8') as f:
        data = json.load(f)
    classes = set(data['classes'])
    for key, rules in data['rules'].items():
        for rule in rules:
            unless = rule.get('unless', rule['class'])
            assert rule['class'] in classes and set([unless] if isinstance(unless, str) else unless) <= classes, (key, rule)
            assert rule['in'] in ('args', 'object', 'object_head', 'subject', 'doer', 'sentence', 'anaphor', 'own', 'head'), (key, rule)
            assert rule.get('unless_with', rule['class']) in classes, (key, rule)
            assert rule.get('also', rule)['class'] in classes, (key, rule)
    required = {c for value in data['require'].values() for c in ([value] if isinstance(value, str) else value)}
    assert required <= classes
    from wirewatch.transforms.extract.triggers import TriggerLexicon
    lexicon = TriggerLexicon.load()
    for rules in data['rules'].values():
        for rule in rules:
            if rule.get('as'):
                assert lexicon.entry_for(rule['as']) is not None, rule


def test_a_headline_is_read_with_its_lead_which_may_only_take_a_sense_away(extractor):
    from factories import extract_events
    # the headline says 'jailed'; its lead says it was a court's sentence
    events = extract_events(extractor, 'Two cousins from Perth have been handed extra jail time by a district court.',
                            title='Perth cousins linked to suitcase of cash jailed')
    assert [e['event_type'] for e in events] == []
    events = extract_events(extractor, 'They were held overnight and released on bail, officers said.',
                            title='Police detain 40 protesters in Tamba')
    assert [e['event_type'] for e in events] == ['COERCE']
    # ... but a lead does not confirm an ambiguous headline word: police at a fire are no attack
    events = extract_events(extractor, 'Police officers stand outside after adjoining nightclubs caught fire.',
                            title='Nightclub Fire Kills at Least 13 in Tamba')
    assert [e['event_type'] for e in events] == []



def test_a_clash_with_casualties_is_violent_a_match_is_not(extractor):
    from factories import extract_events
    events = extract_events(extractor, 'Two protesters died during a clash at the market in Bhardaha on Saturday night.')
    assert 'ASSAULT' in [e['event_type'] for e in events]



@pytest.mark.parametrize('sentence, expected', [
    # a word of a party's name is not the sentence's topic: a 'League' is no sports league here
    ('Clashes between Awami League and BNP activists left 15 people injured in Pabna on Tuesday.', ['ASSAULT']),
    ('Supporters of the Unity League for Progress clashed with police in Gulu, injuring eight people.',
     ['ASSAULT']),
    # ... while a name may still confirm a violent sense, and a real match is still a match
    ('Rebels and the Myanmar Armed Forces clashed near a village in Muse township.', ['ASSAULT']),
    ('Rival fans clashed after the cup final at the stadium, leaving six people injured.', []),
])
def test_a_name_s_words_take_no_sense_away(extractor, sentence, expected):
    assert sorted(set(types(extractor, sentence))) == expected


@pytest.mark.parametrize('sentence, expected', [
    # a killing done by a group is violence even near an accident word ...
    ('An unknown group on motorcycles killed a trader in the market on Sunday.', ['ASSAULT']),
    # ... a crash is still a crash
    ('A trader on a motorcycle was killed when a truck hit him on Sunday.', []),
])
def test_a_group_s_killing_is_no_accident(extractor, sentence, expected):
    assert sorted(set(types(extractor, sentence))) == expected


@pytest.mark.parametrize('sentence, expected', [
    # 'to death' makes a beating violent, whatever else the sentence says ('set' a car alight is no tennis set)
    ('A trader accused of theft was beaten to death and his car set alight by a mob on Sunday.', ['ASSAULT']),
    ('Two farmers were stabbed to death in their field on Tuesday night.', ['ASSAULT']),
    # ... while a sports beating stays a sports result
    ('The champions beat their rivals 3-1 in the cup final on Saturday.', []),
    # an incursion is armed context for the killing it caused
    ('A militia incursion into a farming village on Monday, killing three people.', ['ASSAULT']),
])
def test_a_killing_told_with_its_manner_or_its_raid(extractor, sentence, expected):
    assert sorted(set(types(extractor, sentence))) == expected


@pytest.mark.parametrize('sentence, expected', [
    # a club's discipline and a team's threat are sport, not politics
    ('The club expelled one member and suspended two players after a brawl in the pavilion during the match.', []),
    ('Coach Tom Okafor threatened to quit the club after the cup final defeat on Saturday.', []),
    ('The Ravens threatened to rally late in the game, but the Hawks held on to win the title.', []),
    # ... a state's ban and a militia's threat are not
    ('The government banned the opposition party on Monday.', ['COERCE']),
    ('The militia commander threatened to attack the town if troops did not withdraw.', ['THREATEN']),
])
def test_sport_takes_a_ban_or_a_threat_away(extractor, sentence, expected):
    assert sorted(set(types(extractor, sentence))) == expected


def test_an_event_noun_that_modifies_a_noun_names_no_event(extractor):
    assert types(extractor, "Beekeepers spotted a giant 'murder hornet' near the orchard on Monday.") == []
    assert types(extractor, '', title="The Giant 'Murder Hornet' Resurfaces in Oregon and Idaho") == []  # nmod


@pytest.mark.parametrize('sentence, expected', [
    # an accidental killing is an accident, whatever else the sentence names
    ('A hunter pleaded guilty to accidentally shooting his cousin near Varnel.', []),
    ('A farmer inadvertently killed a neighbour while clearing brush with a rifle.', []),
    ('A policeman accidentally shot a colleague at the station on Sunday.', []),
    ('An army drone strike inadvertently killed 12 civilians at a wedding near Ovdala on Sunday.', ['ASSAULT']),
    ('Gunmen shot dead a trader in the market of Ovdala on Sunday.', ['ASSAULT']),
    # 'slam': criticism, unless it is a body thrown to the ground
    ('Police slammed a man to the ground in the town square.', []),
    ('The president slammed the head of the central bank over inflation on Monday.', ['ACCUSE']),
    ('Senator Ilse Varga slammed the ministry over the delays on Monday.', ['ACCUSE']),
    # 'round up': people, not the week's news
    ('In this newsletter we round up the latest developments in energy.', []),
    ('Police rounded up 40 suspects in the port city on Sunday.', ['COERCE']),
    ('Police rounded up the top leaders of the opposition party on Sunday.', ['COERCE']),
    # 'raid': police, not the treasury
    ("The finance minister's tax raid on savers angered his party.", []),
    ('Police raided the offices of an opposition newspaper on Tuesday.', ['COERCE']),
    # 'met by': a crowd met by troops is no meeting
    ('Marchers in the capital were met by soldiers and riot police on Friday.', []),
    ('The foreign minister met her Kenyan counterpart in Geneva on Monday.', ['CONSULT']),
    ('The Orlan prime minister was met by President Ana Holt in Varnel on Monday.', ['CONSULT']),
    # 'riot police' is no riot, but rioting officers are
    ('Inmates rioted in the main block of the prison on Sunday.', ['PROTEST']),
])
def test_accidents_bodies_summaries_budgets_and_confrontations(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('sentence, expected', [
    # an attack by hackers or on a website is no armed attack
    ('The Orlan Red Cross was hit by 900 cyber attacks on its donation website.', []),
    ('Gunmen attacked a police post near the border on Sunday.', ['ASSAULT']),
    # a rise in a ranking
    ('Three Varnese universities shot up in the annual world ranking.', []),
    ('Carvale has shot up the list of favourite holiday spots, a survey shows.', []),
    # a sanction that approves, or a sports body's sanction, is no SANCTION between parties
    ('The council sanctioned the construction of a new bridge on Monday.', []),
    ('The league sanctioned the club over crowd trouble at the cup final.', []),
    ('Norland sanctioned three Velmarian officials on Monday.', ['SANCTION']),
    ('A man shot his neighbour dead in a dispute over land prices on Sunday.', ['ASSAULT']),
    ('A criminal network attacked a police post near the border on Sunday.', ['ASSAULT']),
    # a company's sale is no agreement between parties
    ('Norvik Energy agrees to sell its wind unit to Polder Power.', []),
    # a company and a union negotiating pay is a labour matter
    ('Kario Motors and its union held talks over bonus pay on Monday.', []),
    ('The two presidents met in the port city of Ovdala on Monday.', ['CONSULT']),
    ('Orlan agreed to supply Varnel with air defence systems, the defence minister said on Monday.', ['AGREE']),
    # a killing told with an accident is one, even of soldiers
    ('Two soldiers were killed when their truck was involved in an accident on a training range.', []),
    ('Gunmen killed two soldiers at a checkpoint, the army said.', ['ASSAULT']),
    ('Gunmen ambushed an army convoy, killing six soldiers, after a road crash slowed the vehicles.', ['ASSAULT']),
    # a bear's attack, whichever of two verbs carries the agent
    ('A hiker was attacked and badly injured by a bear in the national park on Saturday.', []),
])
def test_cyber_rankings_sales_pay_talks_accidents_and_animals(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('sentence, expected', [
    # who reports takes no part: police who say are no sign of violence (source_verbs)
    ('A gas explosion at a bakery in Ostrel kills two, police say.', []),
    ('A blast at a fireworks depot killed four workers, security officials said.', []),
    # ... but police who act still are, and so is a bomb
    ('A bomb explosion at a bus stop in Ostrel killed two, police said.', ['ASSAULT']),
    ('Police fired on the crowd after the explosion, killing two, witnesses said.', ['ASSAULT']),
])
def test_a_report_s_source_is_no_participant(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('sentence, expected', [
    # a danger that 'threatens' is no threatener (class dangers, as the subject)
    ('The drought threatens exports from the Varnel river valley.', []),
    # (and the attacks are the cause of a market story, no new attack: extractor._harm_as_cause)
    ('Attacks on the port threaten grain exports, the trade lobby said.', []),
    # ... and attacks that rise or fall are a trend, not an event
    ('Deadly attacks on aid workers surged in the Varnel valley this year, the agency said.', []),
    ('Attacks on the Orlan power grid killed three people on Monday.', ['ASSAULT']),
    ('The Orlan government threatened to expel the Varnese ambassador on Monday.', ['THREATEN']),
    ('Orlan rebels on Monday threatened shipping off the Varnel coast.', ['THREATEN']),
    # an emergency over a disaster or an accident is no coercion
    ('The governor declared a state of emergency over the fuel spill in the bay.', []),
    ('The governor declared an emergency as floods swept through the valley.', []),
    ('The army declared a state of emergency in the north as rebels advanced on two towns.', ['COERCE']),
])
def test_dangers_and_emergencies(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('sentence, expected', [
    ('The health ministry eased restrictions on gatherings as new infections fell.', []),
    ('The military government relaxed restrictions on opposition parties on Monday.', ['CONCEDE']),
    # a resignation concedes only to what it names: protests, pressure, demands (demand_context)
    ('The Orlan finance minister resigned on Monday after weeks of protests.', ['CONCEDE']),
    ('The Orlan finance minister resigned on Monday over a corruption case.', []),
    ('Head of the state arms maker steps down after a warehouse blast', []),
    ('Health minister steps down amid calls for his resignation over the vaccine scandal', ['CONCEDE']),
])
def test_easing_rules_in_an_epidemic_is_no_concession(extractor, sentence, expected):
    assert types(extractor, sentence) == expected



@pytest.mark.parametrize('sentence, expected', [
    # meet: people meet; calls, deadlines and criticism are met only in an idiom (class met_things)
    ('The Orlan foreign minister met his Varnese counterpart in Geneva on Monday.', ['CONSULT']),
    ("The premier's defence of his aide meets mounting calls for his dismissal.", []),
    ('Valdoro met the deadline for its debt payment on Friday.', []),
    # hijack: a bus is hijacked, a protest or a debate only figuratively (class gatherings)
    ('Gunmen hijacked a bus carrying 30 passengers near Tarsk on Monday.', ['ASSAULT']),
    ('Critics said a fringe group had hijacked the peaceful protests in Merrow.', []),
    # attack on liberties is no armed attack (class liberties)
    ('The government intensified its attacks on political dissent ahead of the vote.', []),
    # a state that kills people did violence; a dispute is violent context for a killing
    ('Valdoro kills four people in a border town, including a child, medics say.', ['ASSAULT']),
    ('Six members of two families were killed over a land dispute in Tarsk district on Monday.', ['ASSAULT']),
])
def test_idioms_figures_and_the_violent_reading_of_a_killing(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('sentence, expected', [
    # 'take to the streets' is no 'taking advantage of quiet streets'; a market talk is no talks
    ('Residents have been taking advantage of quiet streets to walk their dogs.', []),
    ('Thousands of farmers took to the streets of Merrow on Sunday.', ['PROTEST']),
    ('Carmakers and more in the latest Market Talks from the sector.', []),
    # a nomination withdrawn is no troop withdrawal
    ('The army withdrew the nomination of a senior officer on Friday.', []),
    ('The army withdrew its troops from the border town on Friday.', ['RETREAT']),
])
def test_phrases_that_only_look_like_triggers(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('title, expected', [
    # a bare 'strikes' beside military words is an armed strike (rule strike:PROTEST), beside labour words a walkout
    ('Fewer ships cross the strait as Varnese and Orlan jets continue strikes', ['ASSAULT']),
    ('Car workers continue strikes at three Orlan plants over pay', []),
    ('Student activists attacked rival leaders as the strike spread on Tuesday', ['ASSAULT', 'PROTEST']),
    ('Iranian truckers continue strikes over fuel prices', []),
    # summoning an envoy is a formal protest (ACCUSE); its purpose 'to protest' is no demonstration
    ('Chile summons Peruvian ambassador after border incident', ['ACCUSE']),
    ('Senate committee summons former ambassador to testify on arms deal', []),
    ('Court issues summons to former ambassador in fraud case', []),
    # slamming a body, a door or the brakes is no verbal attack
    ('Video shows an officer body slamming a woman outside a bar in Merrow', []),
    # a meeting's parties may be a headline's list of subjects
    ('Chile, Peru conclude talks on fishing zones in Geneva', ['CONSULT']),
])
def test_headline_strikes_summons_and_listed_parties(extractor, title, expected):
    assert types(extractor, '', title) == expected


def test_summoned_to_protest_is_a_formal_protest(extractor):
    text = 'The Chilean foreign ministry summoned the Peruvian ambassador on Monday to protest against the border shooting.'
    assert types(extractor, text) == ['ACCUSE']
    # ... but stopping work to protest is a protest
    assert types(extractor, 'Traders in Kano suspended business on Tuesday to protest a new market tax.') == ['PROTEST']


@pytest.mark.parametrize('sentence, expected', [
    # a dispute or a quarrel is violent context for a killing only, never for a clash of words
    ('Lawmakers clashed in a heated argument over the budget in Nairobi on Tuesday.', []),
    ('Valdoro attacked the new tariffs in a trade dispute with its neighbour.', ['ACCUSE']),
    # a title and its holder are one party, not a meeting
    ('The prime minister, Jane Mbeki, was discussing the new fuel restrictions on Tuesday.', []),
])
def test_disputes_and_a_title_with_its_holder(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('title, text, expected', [
    # a headline's terse word is read with its twin in the lead, which may tell its manner
    ('Premier Ostrova launches attack on Kovia',
     'Premier Lena Ostrova launched a blistering attack on Kovia on Friday, naming misdeeds from espionage to piracy.',
     ['ACCUSE']),
    ('Rebels attack army post in Tamba',
     'Rebels attacked an army post in Tamba on Friday, killing four soldiers, officials said.', ['ASSAULT']),
    # a twin only about the same thing: not a deal struck days before
    ('Drones strike Darva refinery',
     'Kovian drones struck a refinery in Darva on Monday, days after Kovia struck a gas deal with Varia.', ['ASSAULT']),
])
def test_a_title_word_reads_its_lead_twin(extractor, title, text, expected):
    assert types(extractor, text, title) == expected


@pytest.mark.parametrize('sentence, expected', [
    # a newspaper or a reporter that asks makes an interview, not a request between parties
    ('The Kestrel Herald asked Jan Brodsky, an entomologist in Varo, to answer readers\' questions.', []),
    ('Reporters asked the minister to explain the delay on Monday.', []),
    ('The union asked the minister to explain the delay on Monday.', ['REQUEST']),
    # a falling rock from space is a hazard
    ('The asteroid that killed the dinosaurs struck Earth at the deadliest angle, a study says.', []),
    # workers, money or a movement's supporters set to work are no military mobilisation
    ('Employers must let the ministry deploy foreign workers on new sites.', []),
    ('The protests have mobilized many students who had never marched before.', []),
    ('Kovia deployed troops to the northern border on Monday.', ['MOBILIZE']),
    # a strike by a warring state's forces or with its weapons is armed; a strike by truckers is not
    ('Israeli strikes continued for a third day on Sunday.', ['ASSAULT']),
    ('Kovian drones hit a fuel depot in overnight strikes.', ['ASSAULT']),
    ('Iranian truckers continued strikes for a third day.', []),
    # a state that kills a number of people kills people
    ('Kovia kills six in border village raid on Sunday.', ['ASSAULT']),
    ('Farmers killed 200 cattle to stop the outbreak.', []),
    # sanctions dealt with 'hit', a newspaper's leadership fired
    ('Kovia hits Varian shipping firms with fresh sanctions.', ['SANCTION']),
    ('Hit by Varian tariffs, Kovia loses appetite for a trade pact.', []),
    ('Sanctions hit Kovia\'s economy harder than expected.', []),
    # a market that rallies moves, whatever unrest the sentence names
    ('Wall Street rallied broadly on Wednesday as investors looked beyond the social unrest.', []),
    ('Protesters rallied outside parliament in Varo on Wednesday despite the unrest.', ['PROTEST']),
    # teams that meet over trade are delegations; teams that meet in a final play
    ('Canada and the US met in Geneva on Monday as their trade teams set a new deadline.', ['CONSULT']),
    ('The two teams meet in the cup final on Saturday.', []),
    # ... and what they reach too far for, as an independent review found
    ('Journalists demand the release of their jailed colleague Ivo Marn.', ['REQUEST']),
    ('Kovia deploys air defence systems along the Varian border.', ['MOBILIZE']),
    ('Rebel movement mobilises fighters in Tamba.', ['MOBILIZE']),
    ('Air traffic controllers in Varia begin a three-day strike.', []),
    ('Gunmen kill three at Meteor nightclub in Darva.', ['ASSAULT']),
    ('Parliament killed two of the amendments on Monday.', []),
    ('A police officer fired, killing the fleeing suspect, witnesses said.', ['ASSAULT']),
    ('The defence ministry fires the army newspaper\'s leadership.', ['COERCE']),
])
def test_interviews_hazards_civilian_means_armed_strikes_and_dismissals(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('title, expected', [
    # a headline's verb the small model tags as a noun is still the verb
    ('Norway sanctions Iranian central bank chief, two lawyers', ['SANCTION']),
    ('Chile, Peru sign border peace deal after talks', ['SUPPORT']),  # CAMEO 057, one event of the two
    ('Pentagon fires newspaper leadership', ['COERCE']),
    # ... but not a noun in a headline with its own verb, nor after an article or a preposition
    ('Norway sanctions bill passes parliament', []),
    ('The US sanctions on Iran remain in force', []),
    # ... nor a verb without a party after it (an independent review's probes)
    ('US sanctions tracker: who has been hit', []),
    ('Ukraine shells shortage worsens', []),
    ('Iran sanctions relief', []),
    ('US sanctions Q&A', []),
    ('Azerbaijan shells Armenian border villages', ['ASSAULT']),
])
def test_a_headline_verb_tagged_as_a_noun(extractor, title, expected):
    assert types(extractor, '', title) == expected


def test_a_headline_verb_and_its_subject_are_no_part_of_its_target(extractor):
    [event] = extract_events(extractor, '', title='UK sanctions army chief Ali Tavan')
    assert event['actor1']['name'] == 'UK' and event['actor2']['name'] == 'army chief Ali Tavan'


@pytest.mark.parametrize('title, expected', [
    # a base form after a plural the parser hangs on it, and a second clause's headline verb
    ('Varnian police charge man over spying offences', ['COERCE']),
    ('Rioters storm police station in Ostrel', []),  # 'police' is the object's: no troops stationed
    # an event noun counted by a series takes the series' phrases and clause
    ('Norland says it has completed its latest wave of strikes on Varnia', ['ASSAULT']),
    # shot dead is violent whatever the victim did for a living
    ('Former boxing champion Tavi Orlo shot dead outside his home', ['ASSAULT']),
    ('Golfer shoots a 65 to lead the Ostrel Open', []),
    # a killing of people is a homicide; the killing told as a cause is not news of its own
    ('Protests sparked by the killing of Dara Velin continue in Ostrel', ['PROTEST']),
    # a ship seized by pirates is hijacked; by customs, confiscated
    ('Suspected pirates seize tanker off Ostrel coast', ['ASSAULT']),
    ('Customs officers seize tanker carrying smuggled fuel in Ostrel', ['COERCE']),
    # hosting a state's leader is a meeting; a club's or a league's is not
    ('Norland premier hosts Varnian president in Ostrel', ['CONSULT']),
    ('Ostrel Rovers hosted league leaders Tarvo United on Saturday', []),
    # an independent review's probes: a series told as a possibility, fiction, the verb 'bomb'
    ('A wave of strikes on Varnia could push oil prices higher', []),
    ('Actor Tavi Orlo shot dead in the final episode of the drama', []),
    ('Norland jets bomb drug lab in Ostrel', ['ASSAULT']),
])
def test_session17_headline_readings(extractor, title, expected):
    assert types(extractor, '', title) == expected


@pytest.mark.parametrize('sentence, expected', [
    ('Fighting for equality is more important than ever, says a former commissioner.', []),
    ('Eleven people have died since September in a spate of shootings and bombings.', []),
    ('Missionary kidnapped in Varnia said to be released, newspaper reports.', []),
    ('The killing of a popular rapper in Ostrel has sent the opposition underground.', ['ASSAULT']),
    # a document does not speak: its author does, and with no author named no one does
    ('A confidential report for the ministers has urged the government to lock in funding for schools.', []),
    ('A report by Amnesty International accused Varnian police of torture on Monday.', ['ACCUSE']),
])
def test_session17_sentences(extractor, sentence, expected):
    assert types(extractor, sentence) == expected


@pytest.mark.parametrize('sentence, title, expected', [
    ('Unable to rule out a coup, the opposition in Ostrel called for an early election.', '', ['REQUEST']),
    ('', 'Blow for Ostrel Rovers as Tavi Orlo ruled out of derby clash', []),
    ('Varnia ruled out talks with the rebels on Monday.', '', ['REJECT']),
    ('Police were unable to say how many people were killed in the bombing in Ostrel on Monday.', '', ['ASSAULT']),
    ('The raid on a house in Ostrel uncovered firearms, two pipe bombs and ammunition.', '', ['COERCE']),
])
def test_session17_senses_of_ruled_out_and_listed_bombs(extractor, sentence, title, expected):
    assert types(extractor, sentence, title) == expected


@pytest.mark.parametrize('title, text, expected', [
    # a request or a deal told among clubs, leagues and boxers is sport
    ('Halden United ask league for VAR audio from disallowed goal',
     "Halden United made a formal request to the league for VAR audio from Saturday's 2-1 defeat by Carvale.", []),
    ('Boxers Reyl and Marl agree in principle to two fights - promoter',
     'World heavyweight champions Tomas Reyl and Ivo Marl have agreed to a two-fight deal, says promoter Ana Voss.', []),
    # ... but a sport word elsewhere in a sentence of politics takes nothing away
    ('', "Officials in France's Var region asked the European Union on Monday for emergency aid after the floods.",
     ['REQUEST']),
    ('', "Kovia's opposition asked supporters on Monday to gather at the national stadium on Saturday.", ['REQUEST']),
    ('Kovia and Norland agree prisoner swap',
     'Kovia and Norland agreed on Monday to swap prisoners, freeing a Norlandic football coach held for two years.',
     ['AGREE']),
    # ... unless it is about a cause beyond the game
    ('Tomas Reyl and Ivo Marl among NFL players calling on league to condemn racism',
     'NFL stars including Tomas Reyl and Ivo Marl have called on the league to condemn racism and the oppression '
     'of black people.', ['REQUEST']),
    # a sector's strike is a labour strike, even beside a country that also flies strikes
    ('The Biggest U.S. Transit Strike in Decades Just Began',
     'More than 20,000 drivers and other employees stopped work on Monday in a dispute over wages.', []),
    ('U.S. strike hits Kovian port', 'A U.S. missile struck the port of Arvan on Monday, the army said.', ['ASSAULT']),
])
def test_sport_requests_and_deals_and_sector_strikes(extractor, title, text, expected):
    assert types(extractor, text, title) == expected
