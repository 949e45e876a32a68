"""Factuality: each cue of data/factuality.json, read by the wirewatch_factuality component."""
import json
import os

import pytest

from factories import extract_events, trigger_reading
from wirewatch.transforms.extract.factuality import factuality_cues

DATA = os.path.join(os.path.dirname(__file__), '..', 'transforms', 'extract', 'data', 'factuality.json')

# (sentence, trigger word, status, cue word): one case per cue family and more for the common cues.
CASES = [
    # asserted
    ('Soldiers attacked the village on Sunday.', 'attacked', 'ASSERTED', None),
    # telling_verbs: a negation governor's verb of saying passes no negation on
    ('Officials were unable to confirm how many were killed in the attack.', 'killed', 'ASSERTED', None),
    ('Police were unable to arrest the gunman on Monday.', 'arrest', 'NEGATED', 'unable'),
    ('Police said gunmen attacked the convoy.', 'attacked', 'ASSERTED', None),
    # a coordinated verb shares the first one's negation, not the first verb's meaning
    ('Militants stopped a bus on the highway and killed two policemen.', 'killed', 'ASSERTED', None),
    ('Police thwarted an attack and killed a wanted fighter.', 'killed', 'ASSERTED', None),
    ('Police did not arrest or detain the organisers.', 'detain', 'NEGATED', 'not'),
    # 'under attack' is happening; a side clause of 'as' keeps its own mood under an order
    ("Norland's capital Ostel was under attack by Varnian drones on Monday.", 'attack', 'ASSERTED', None),
    ('The president ordered troops to stand by as protests spread to three cities.', 'protests', 'ASSERTED', None),
    ('The president ordered troops to disperse the protests in three cities.', 'protests', 'ORDERED', 'order'),
    # belief_verbs: a clause under a negated belief is denied; a believed one is not
    ('The mayor said he did not believe anyone had been killed by police.', 'killed', 'DENIED', 'believe'),
    ('The minister does not accept that soldiers shelled the town.', 'shelled', 'DENIED', 'accept'),
    ('The mayor said he believed the man had been killed by police.', 'killed', 'ASSERTED', None),
    ('Thousands of people protested in the capital.', 'protested', 'ASSERTED', None),
    # reason_governors / reason_prepositions / claim_nouns: what someone is held or sentenced for
    ('A sailor was arrested for assaulting a taxi driver in the port.', 'assaulting', 'CLAIMED', 'arrest'),
    ('Police arrested twelve activists for protesting outside the embassy.', 'protesting', 'ASSERTED', None),
    ('Police detained two men in connection with the ambush of a bus.', 'ambush', 'CLAIMED', 'connection'),
    ('Police arrested three men in the fatal shooting of a shopkeeper.', 'shooting', 'CLAIMED', 'arrest'),
    ('Police arrested twenty men in a raid on a warehouse in the port.', 'raid', 'ASSERTED', None),
    ('Police arrested three protesters in a clash with soldiers on Sunday.', 'clash', 'ASSERTED', None),
    ('A court sentenced the blogger over a protest outside the ministry.', 'protest', 'CLAIMED', 'sentence'),
    ('Police detained Ms Orla on suspicion of attacking a neighbour.', 'attacking', 'CLAIMED', 'suspicion'),
    # a crime named as the matter of charges or allegations is the case, not a new act
    ('No officers will face charges in the fatal shooting of Dario Venn, the prosecutor said.', 'shooting', 'CLAIMED', 'charges'),
    ('The panel heard allegations that the guard beat a prisoner after arresting him.', 'beat', 'CLAIMED', 'allegations'),
    # what describes a person: an opening participle, a participle after the name, a whose-clause's setting
    ('Charged with fraud, Tomas Ledo faces up to 20 years in prison.', 'Charged', 'MENTIONED', None),
    ('Arrested on Monday, Tomas Ledo appeared in court on Tuesday.', 'Arrested', 'ASSERTED', None),
    ('Hundreds marched on Sunday to demand justice for Ana Voss, killed by police.', 'killed', 'MENTIONED', None),
    ('Thousands attended the funeral of Ana Voss, shot dead by soldiers at a protest in Arvan.', 'shot', 'ASSERTED', None),
    ('Police in Arvan confirmed allegations that officers had beaten protesters.', 'beaten', 'ASSERTED', None),
    ('The mayor said the body of Ivo Maren, whose death after a police officer pressed a knee on his neck during an '
     'arrest has sparked protests, will be returned to Arvan.', 'arrest', 'MENTIONED', None),
    ('The remains of a sailor killed during the attack on the harbour were identified.', 'attack', 'MENTIONED', None),
    ('Video shows casualties caused by a missile attack on the village of Hroza.', 'attack', 'ASSERTED', None),
    # a comparison names an act, it reports none
    ('Throwing a rock is like shooting a gun, the governor said.', 'shooting', 'MENTIONED', None),
    ('Gunmen fired on the convoy like they did last week, killing two soldiers near Arvan.', 'fired', 'ASSERTED', None),
    # a sentence-opening 'by' phrase telling how something is done now is a method, not an act
    ('By ceding ground before striking back, Kovian forces are using an old method to slow the advance, analysts say.',
     'striking', 'MENTIONED', None),
    ('Protesters blocked the main road in Arvan on Monday by setting fire to tyres.', 'setting', 'ASSERTED', None),
    ('Rebels are punishing villagers by burning their homes, residents said.', 'burning', 'ASSERTED', None),
    ('The minister condemned the rebels for attacking the village.', 'attacking', 'ASSERTED', None),
    # occurrence_verbs: an event noun shares the mood of the verb that says it takes place
    ('Talks between the two delegations will resume in Geneva next week.', 'Talks', 'FUTURE', 'will'),
    ('Protests could erupt if the vote is delayed.', 'Protests', 'HYPOTHETICAL', 'could'),
    ('Protests erupted in the capital on Sunday.', 'Protests', 'ASSERTED', None),
    ('Deportations are expected to resume next month.', 'Deportations', 'FUTURE', 'expect'),
    # an infinitive modifying a noun is a purpose, unless the noun is ranked
    ('He described a scheme to bomb the bridge.', 'bomb', 'FUTURE', 'to'),
    ('Moscow announced a decision to expel ten diplomats.', 'expel', 'ASSERTED', None),  # decision_nouns
    ('She was the only minister to visit the island.', 'visit', 'MENTIONED', None),
    # a relative clause on a person through a light verb
    ('The court jailed a student who staged a protest at the embassy.', 'protest', 'MENTIONED', None),
    ('He bit a policeman who tried to arrest him.', 'arrest', 'MENTIONED', None),
    # negation_deps / negation_adverbs / determiners / prepositions / governors
    ('The protesters did not attack the parliament.', 'attack', 'NEGATED', 'not'),
    ('Police never arrested the organisers.', 'arrested', 'NEGATED', 'never'),
    ('There were no clashes in the capital.', 'clashes', 'NEGATED', 'no'),
    ('Police dispersed the crowd without arrests.', 'arrests', 'NEGATED', 'without'),
    ('The rebels failed to capture the town and did not attack it.', 'attack', 'NEGATED', 'not'),
    ('Security forces foiled an attack on the airport.', 'attack', 'NEGATED', 'foil'),
    ('Guards prevented a riot at the prison.', 'riot', 'NEGATED', 'prevent'),
    ('Mr Alder cancelled the attack on the port.', 'attack', 'NEGATED', 'cancel'),
    ('The protest was postponed after the storm.', 'protest', 'NEGATED', 'postpone'),
    # negation_subjects: nobody did it
    ('Neither of the brothers has been accused of the theft.', 'accused', 'NEGATED', 'neither'),
    ('No one was arrested after the derby in Valdoro.', 'arrested', 'NEGATED', 'no one'),
    ('Nobody attacked the convoy, the ministry said.', 'attacked', 'NEGATED', 'nobody'),
    ('Nobody was arrested, but police fired tear gas at the crowd.', 'fired', 'ASSERTED', None),  # its own subject
    # a purpose is no deed (future_governors: design)
    ('The drones were designed to strike radar sites.', 'strike', 'FUTURE', 'design'),
    # denial
    ('The army denied attacking the village.', 'attacking', 'DENIED', 'deny'),
    ('The ministry dismissed reports of an attack on the pipeline.', 'attack', 'DENIED', 'dismiss'),
    # claims
    ('The government accused rebels of attacking the convoy.', 'attacking', 'CLAIMED', 'accuse'),
    ('Police are investigating an alleged attack on a bus.', 'attack', 'CLAIMED', 'alleged'),
    ('The group claimed the troops had allegedly killed two farmers.', 'killed', 'CLAIMED', 'claim'),
    ('Militiamen allegedly torched the depot near Arvale.', 'torched', 'CLAIMED', 'allegedly'),
    # ... but 'allegedly' on a harm done to people hedges who did it, not that it was done
    ('A schoolgirl was allegedly abducted in Port Varen on Friday.', 'abducted', 'ASSERTED', None),
    ('A teenager allegedly stabbed two classmates outside a school in Merrow.', 'stabbed', 'ASSERTED', None),
    ('Actress Mara Quill sues a producer saying he assaulted her', 'assaulted', 'CLAIMED', 'sue'),  # a lawsuit's claim
    # a headline verb the small model tags as a noun before the trigger
    ('Oil tumbles as Trump cancels attack on Iran', 'attack', 'NEGATED', 'cancel'),
    # hypothetical modals and questions
    ('Troops could attack the town.', 'attack', 'HYPOTHETICAL', 'could'),
    ('The militia might storm the parliament.', 'storm', 'HYPOTHETICAL', 'might'),
    ('Officials said the strike would hit the port.', 'hit', 'HYPOTHETICAL', 'would'),
    ('Will the army crack down on the protesters?', 'crack', 'FUTURE', 'will'),
    ('Did police arrest the organisers?', 'arrest', 'HYPOTHETICAL', '?'),
    ("Here's how to protest safely during the pandemic, according to doctors", 'protest', 'HYPOTHETICAL', 'how'),
    # future
    ('Farmers will protest in the capital next week.', 'protest', 'FUTURE', 'will'),
    ('The opposition plans to march on Friday.', 'march', 'FUTURE', 'plan'),
    # initiative_verbs: a step toward an act, not the act ('moved in to disperse' is done)
    ('Norland moves to expel two Varnian diplomats.', 'expel', 'FUTURE', 'move'),
    ('The government of Kovia moved on Monday to ban the main opposition party.', 'ban', 'FUTURE', 'move'),
    ('Police in Vessa moved in to disperse the crowd on Sunday.', 'disperse', 'ASSERTED', None),
    ('Riot police moved to disperse the crowd with tear gas on Monday.', 'disperse', 'ASSERTED', None),
    ('The junta said it was prepared to impose a curfew in the capital.', 'impose curfew', 'FUTURE', 'prepared'),
    # impose, complete and conclude are light verbs: their object noun is the deed, in their mood
    ('The Varnese government imposed a ban on opposition rallies on Monday.', 'ban', 'ASSERTED', None),
    ('The air force said it completed its latest strikes on rebel depots.', 'strikes', 'ASSERTED', None),
    ('The two delegations concluded talks in Merrow on Tuesday.', 'talks', 'ASSERTED', None),
    ('The union is set to strike over pay.', 'strike', 'FUTURE', 'set'),
    ('The rebels threatened to attack the city.', 'attack', 'FUTURE', 'threaten'),
    ('Officials warned of protests over the new tax.', 'protests', 'FUTURE', 'warn'),
    ('Activists planned a protest outside the embassy.', 'protest', 'FUTURE', 'plan'),
    ('A planned rally against the tax drew police attention.', 'rally', 'FUTURE', 'planned'),
    ('The threat of an attack closed the airport.', 'attack', 'FUTURE', 'threat'),
    ('Protests are planned in three cities.', 'Protests', 'FUTURE', 'plan'),
    ('It is the latest salvo by the president to crack down on online platforms.', 'crack', 'FUTURE', 'salvo'),
    ('Mayor Ostrova backpedals after \'shooting\' threat to Varo rioters', 'shooting', 'FUTURE', 'threat'),
    ('A man was hired to kill the journalist.', 'kill', 'FUTURE', 'hire'),
    ('Mr Kovar is going to meet the envoy.', 'meet', 'FUTURE', 'going to'),
    ('Ministers to hold talks in Vienna', 'hold', 'FUTURE', 'to'),
    # conditionals
    ('If the talks fail, the rebels will attack.', 'attack', 'FUTURE', 'will'),
    ('The rebels said they would withdraw unless troops attacked them.', 'attacked', 'CONDITIONAL', 'unless'),
    ('The army will respond if protesters attack police.', 'attack', 'CONDITIONAL', 'if'),
    # orders and authorisations
    ('The president authorized the riot police to open fire.', 'open', 'ORDERED', 'authorize'),
    ('The prime minister is being pressured to launch a ground invasion.', 'invasion', 'ORDERED', 'pressure'),
    ('Protests planned for the harbour town after a tense standoff', 'Protests', 'FUTURE', 'plan'),
    ('Protests planned for weeks by students erupted in the capital on Saturday.', 'Protests', 'ASSERTED', None),
    ('Pressure mounting on reluctant president to impose sanctions on Varnel', 'impose', 'ORDERED', 'pressure'),
    ('The governor ordered troops to shoot looters.', 'shoot', 'ORDERED', 'order'),
    ('Mr Vale denounced the order given to the police to shoot to kill.', 'shoot', 'ORDERED', 'order'),
    ('A Moscow court orders arrest of the blogger', 'arrest', 'ORDERED', 'orders'),
    ('The minister urged supporters to block the roads.', 'block', 'ORDERED', 'urge'),
    ('The newspapers demanded he sack the aide.', 'sack', 'ORDERED', 'demand'),
    ('Police told reporters that officers arrested five men.', 'arrested', 'ASSERTED', None),
    ('Russia attacks port on Danube, Zelenskiy urges US to send Patriots', 'attacks', 'ASSERTED', None),
    ('Ukraine to conduct attacks on fuel depots, Zelenskiy says', 'attacks', 'FUTURE', 'to'),
    ('Crowds were furious over a rocket strike that killed scores.', 'killed', 'MENTIONED', None),
    # the running toll of a long conflict, told in a relative clause, is background
    ('Troops will head to Norland to combat gang violence that has killed thousands.', 'killed', 'MENTIONED', None),
    ('The army shelled Kelvar on Monday in a war that has killed 12,000 people.', 'killed', 'MENTIONED', None),
    ('Ethnic violence that has killed ten people since Sunday flared again in Jos.', 'killed', 'ASSERTED', None),
    ('With the annual vigil canceled, organisers fear for the future.', 'vigil', 'NEGATED', 'cancel'),
    # a headline's event noun with an infinitive of occurrence is to come
    ('Border talks to begin in Kelvar without the opposition', 'talks', 'FUTURE', 'to'),
    ('Dock workers\' march to go ahead in Varo on Monday', 'march', 'FUTURE', 'to'),
    ('The largest protest to take place in Serbia since 2000 drew 50,000 people.', 'protest', 'ASSERTED', None),
    # a verb with its particle (negation_phrasals), passive or active
    ('Second climate march in Dunmore called off', 'march', 'NEGATED', 'call off'),
    ('The union called off the strike at the Varo mine on Monday.', 'strike', 'NEGATED', 'call off'),
    ('Officials in Tessaly ruled out talks with the rebels.', 'talks', 'NEGATED', 'rule out'),
    # not the subject of one with an object of its own, and an assault held off happened
    ('Bombing in Dorvale puts off foreign investors', 'Bombing', 'ASSERTED', None),
    ('Deadly attack in Mogadishu rules out new talks, minister says', 'attack', 'ASSERTED', None),
    ('Militia fighters held off an army assault on the town of Kelvar on Tuesday.', 'assault', 'ASSERTED', None),
    ('The mayor ordered a curfew in the city.', 'curfew', 'ASSERTED', None),
    # causal verbs carry the governor's mood
    ('The dispute could lead to clashes at the border.', 'clashes', 'HYPOTHETICAL', 'could'),
    # mentioned, not asserted
    ('Ministers urged people to avoid protests.', 'protests', 'NEGATED', 'avoid'),
    ('Officials expressed concern about the protests.', 'protests', 'MENTIONED', None),
    # an arrest told as the circumstance of a death or of what happened during it
    ('Inquiry opened into death of Tarsk man after arrest', 'arrest', 'MENTIONED', None),
    ('Police to probe death of teenager in Tarsk after arrest', 'arrest', 'MENTIONED', None),  # parsed as a pcomp
    ('A video shows officers kneeling on a man during his arrest in Merrow.', 'arrest', 'MENTIONED', None),
    ('Five people died after a clash between herders and farmers in Tarsk.', 'clash', 'ASSERTED', None),
    # what a reaction condemns is the reaction's topic, coded from its own story, not news of this one
    ('Valdoro condemns the bombing of a market in Tarsk.', 'bombing', 'MENTIONED', None),
    ('The senator denounced the riots over the weekend.', 'riots', 'MENTIONED', None),
    ('The party condemned the attack on its office in Tarsk that left one guard dead.', 'attack', 'ASSERTED', None),
    ('Anger over the killing grew in the city.', 'killing', 'MENTIONED', None),
    ('A man who shot a gang leader was jailed for seven years.', 'shot', 'MENTIONED', None),
    ('French forces deployed in Mali killed a militant commander.', 'deployed', 'MENTIONED', None),
    ('Dutch citizen detained in Iran, foreign ministry says', 'detained', 'ASSERTED', None),  # a headline's attribution
    # a participle describing who acts ('invading troops'), unless they protest ('protesting farmers')
    ('The invading army shelled the town.', 'invading', 'MENTIONED', None),
    ('Protesting farmers blocked roads into the city.', 'Protesting', 'ASSERTED', None),
    ('A bomb attack killed five people in the market.', 'attack', 'ASSERTED', None),
    ('Air defence units repelled a missile attack on the capital.', 'attack', 'ASSERTED', None),
    ('Police used tear gas to quell the protests.', 'protests', 'ASSERTED', None),
    ('The leaders held talks in Cairo.', 'held', 'ASSERTED', None),
    ('Airlines cancelled flights after the army attacked the port.', 'attacked', 'MENTIONED', None),
    ('Airlines cancelled flights after the army launched strikes on the port.', 'strikes', 'MENTIONED', None),
    ('Bolsonaro threatened to quit the body, accusing it of bias.', 'accusing', 'ASSERTED', None),
    # a protest inside a clause about someone or something else is that clause's setting
    ('Two medics wounded during the street protests were treated at the clinic.', 'protests', 'MENTIONED', None),
    ('A cyclist detained at a rally near the port was released on Monday.', 'rally', 'MENTIONED', None),
    ('Mr Delcourt, who ran a bakery for a decade before protesting the fuel tax, was fined on Monday.', 'protesting',
     'MENTIONED', None),
    ('Hundreds of students marching against the fee rise gathered outside the ministry.', 'marching', 'ASSERTED', None),
    ('A road blockade coupled with a sit-in shut the border crossing on Friday.', 'sit-in', 'ASSERTED', None),
    ('Villagers held a feast during which they marched to the district office.', 'marched', 'ASSERTED', None),
    ('The shutdown organised today by the traders union here to protest the new levy passed off peacefully.', 'protest',
     'ASSERTED', None),
    # ... but not a clause on a place, or on people who take part in the protest
    ('The port town, shaken by rioting overnight, reopened its market on Monday.', 'rioting', 'ASSERTED', None),
    ('A curfew was imposed in the city, which was rocked by riots on Sunday night.', 'riots', 'ASSERTED', None),
    ('Police fired tear gas at teachers taking part in a protest outside the ministry.', 'protest', 'ASSERTED', None),
    ('The museum guards, shaken by the riots, locked the doors.', 'riots', 'MENTIONED', None),
    # a participle that tells who the people are whom the clause is about, not what they did now
    ('The governor sent a warning to people protesting the new tax.', 'protesting', 'MENTIONED', None),
    ('Neighbouring states expressed solidarity with students protesting the fee rise.', 'protesting', 'MENTIONED', None),
    ('Those picketing the depot have been treated harshly, the union says.', 'picketing', 'MENTIONED', None),
    # ... unless the crowd is acted on for it, or is the subject of its own protest
    ('Police fired tear gas at thousands protesting the vote count in Vellmar.', 'protesting', 'ASSERTED', None),
    ('Police detained 20 villagers demonstrating against the quarry.', 'demonstrating', 'ASSERTED', None),
    ('Police arrested dozens of people protesting outside the assembly.', 'protesting', 'ASSERTED', None),
    ('Thousands of farmers protesting the new tax drove tractors into the capital.', 'protesting', 'ASSERTED', None),
    ('Militants taking hostages were seen on the video.', 'taking', 'ASSERTED', None),
    # a claim verb the parser reads as the trigger's subject
    ('Relatives sued the prison service, alleging an inmate was shot by guards.', 'shot', 'CLAIMED', 'allege'),
    ('Alleging fraud in the count, opposition supporters protested outside the election office.', 'protested',
     'ASSERTED', None),  # a claim told beside the event, not governing it
    # a curfew broken or a ban defied is the setting; what is protested is the protest's cause
    ('Though the crowd was breaking the 8 p.m. curfew, police did not intervene.', 'curfew', 'MENTIONED', None),
    ('Dozens of shop owners violated the curfew in the old town.', 'curfew', 'MENTIONED', None),
    ('Students marched through Osogbo, protesting the killing of a classmate.', 'killing', 'MENTIONED', None),
    # an obligation is not yet a deed
    ('The country is now obliged to arrest the general if he visits.', 'arrest', 'FUTURE', 'oblige'),
    ('Police are required to arrest anyone who breaks the rule.', 'arrest', 'FUTURE', 'require'),
    # who took part in an event told before; what came before the news
    ('All the officers involved in the arrest of the driver were suspended.', 'arrest', 'MENTIONED', 'involve'),
    ('Detectives questioned the men implicated in the bombing of the depot.', 'bombing', 'MENTIONED', 'implicate'),
    ('After being raided by police, the newspaper said it would keep publishing.', 'raided', 'MENTIONED', None),
    # possibility: 'it was possible she was abducted'
    ('Police said it was possible the girl was abducted from the campsite.', 'abducted', 'HYPOTHETICAL', 'possible'),
    ('It is unclear whether troops fired on the crowd.', 'fired', 'CONDITIONAL', 'whether'),
    ('Officials said it was unclear why soldiers opened fire on the crowd.', 'opened fire', 'ASSERTED', None),
    # an active participle after 'after' is what the doers did
    ('Gunmen fled into the forest after killing five people at a market.', 'killing', 'ASSERTED', None),
    # breaking up a protest tells it; a main clause of involvement too; a place's relative clause is no person's
    ('Police broke up a protest by farmers outside parliament on Monday.', 'protest', 'ASSERTED', None),
    ('More than 2,000 people were involved in the protest in the capital on Sunday.', 'protest', 'ASSERTED', None),
    ('Police imposed a curfew in Ovdala, where clashes killed three people on Sunday.', 'clashes', 'ASSERTED', None),
    # an event noun in a relative clause on a person tells who the person is
    ('Mourners filed past the coffin of Tomas Reyl, whose death in custody ignited protests across the country.',
     'protests', 'MENTIONED', None),
    # a participle describing a person, also where the parser took it for a verb or a past tense
    ('Junta says detained former leader Aria Vell met Red Cross official', 'detained', 'MENTIONED', None),
    ('Tobin Varek, accused bank robber, due in court amid plea deal reports', 'accused', 'MENTIONED', None),
    # ... but a junta that says it detained her did ('says police detained five': the verb has its subject)
    ('Junta says police detained former leader Aria Vell on Monday', 'detained', 'ASSERTED', None),
    # an opening participle may be news of its own
    ('Attacked by gunmen, the convoy turned back on Monday.', 'Attacked', 'ASSERTED', None),
    # a gerund that is no harm keeps its object ('Rejecting ultimatum' rejects it)
    ('Rejecting ultimatum, Kovia vows to fight on', 'Rejecting', 'ASSERTED', None),
    # deaths told after a number are the event's own too ('Two dead in gun attack')
    ('Two dead in Tamba gun attack', 'attack', 'ASSERTED', None),
    # deaths told in a phrase of the event are its own toll
    ('Three dead in Varo shopping centre shooting', 'shooting', 'ASSERTED', None),
]


@pytest.mark.parametrize('sentence, word, status, cue', CASES)
def test_factuality_cue(sentence, word, status, cue):
    match = trigger_reading(sentence, word)
    assert match.factuality == status, (match.factuality, match.factuality_cue)
    if cue is not None:
        assert match.factuality_cue == cue


@pytest.mark.parametrize('sentence, absent', [
    ('The protesters did not attack the parliament.', 'ASSAULT'),
    ('The president authorized the riot police to open fire.', 'ASSAULT'),
    ('Farmers will protest in the capital next week.', 'PROTEST'),
    ('The army denied attacking the village.', 'ASSAULT'),
    ('The premier could carry out a reshuffle and arrest rivals.', 'COERCE'),
])
def test_events_that_did_not_happen_are_not_coded(extractor, sentence, absent):
    assert absent not in {e['event_type'] for e in extract_events(extractor, sentence)}


def test_a_threat_is_a_threaten_by_the_threatener(extractor):
    events = extract_events(extractor, 'The rebel commander threatened to attack the city.')
    assert [e['event_type'] for e in events] == ['THREATEN']
    assert events[0]['actor1']['name'].endswith('commander')


def test_a_demand_is_a_request(extractor):
    events = extract_events(extractor, 'The opposition leader demanded the release of 40 detained students.')
    assert [e['event_type'] for e in events] == ['REQUEST']


def test_every_cue_family_has_a_case():
    """A cue list added to the data file without a case here fails this test."""
    with open(DATA, encoding='utf-8') as f:
        data = json.load(f)
    assert isinstance(data['version'], int)
    covered = {
        'negation_deps', 'negation_determiners', 'negation_prepositions', 'negation_adverbs', 'negation_governors',
        'negation_subjects', 'denial_governors', 'denial_nouns', 'claim_governors', 'claim_modifiers', 'hypothetical_modals',
        'future_auxiliaries', 'future_governors', 'future_object_governors', 'future_modifiers', 'future_nouns',
        'order_governors', 'order_nouns', 'conditional_marks', 'question_marks', 'question_infinitives', 'causal_verbs',
        'ordered_is_done', 'factive_object_verbs', 'reason_governors', 'reason_prepositions', 'claim_nouns',
        'occurrence_verbs', 'say_verbs', 'decision_nouns', 'arrest_governors', 'crime_nouns', 'involvement_governors', 'possibility_adjectives',
        'negation_phrasals', 'telling_verbs', 'belief_verbs', 'confirming_verbs', 'campaign_nouns', 'initiative_verbs',
    }
    lists = {k for k, v in data.items() if isinstance(v, list)}
    assert lists == covered, lists ^ covered
    cues = factuality_cues()
    statuses = {status for _, _, status, _ in CASES}
    assert {'ASSERTED', 'NEGATED', 'DENIED', 'CLAIMED', 'HYPOTHETICAL', 'CONDITIONAL', 'FUTURE', 'ORDERED',
            'MENTIONED'} <= statuses
    for _, _, _, cue in CASES:
        if cue and cue not in ('?', 'to', 'going to'):
            assert any(cue in cues[k] for k in covered if k in cues), cue


def test_a_noun_left_hanging_after_a_prepositions_object_continues_its_phrase():
    """The small model may hang the last noun of a headline as a 'dep' of the verb ('...
    has learned about pain, protests'); it continues the about-phrase: a topic, no event.
    The parse is built by hand, as the model gives it on a real headline."""
    import spacy
    from spacy.tokens import Doc
    from wirewatch.transforms.extract.factuality import read_factuality
    words = ['His', 'brother', 'learned', 'about', 'pain', ',', 'protests']
    doc = Doc(spacy.blank('en').vocab, words=words, heads=[1, 2, 2, 2, 3, 2, 2],
              deps=['poss', 'nsubj', 'ROOT', 'prep', 'pobj', 'punct', 'dep'],
              pos=['PRON', 'NOUN', 'VERB', 'ADP', 'NOUN', 'PUNCT', 'NOUN'],
              tags=['PRP$', 'NN', 'VBD', 'IN', 'NN', ',', 'NNS'],
              lemmas=['his', 'brother', 'learn', 'about', 'pain', ',', 'protest'], sent_starts=[True] + [False] * 6)
    assert read_factuality(doc[6]) == ('MENTIONED', 'about phrase')
    doc = Doc(spacy.blank('en').vocab, words=words[:3] + ['and', 'protests'], heads=[1, 2, 2, 2, 2],
              deps=['poss', 'nsubj', 'ROOT', 'cc', 'dep'], pos=['PRON', 'NOUN', 'VERB', 'CCONJ', 'NOUN'],
              tags=['PRP$', 'NN', 'VBD', 'CC', 'NNS'], lemmas=['his', 'brother', 'learn', 'and', 'protest'],
              sent_starts=[True] + [False] * 4)
    assert read_factuality(doc[4])[0] == 'ASSERTED'  # no preposition's object before it: as before
