"""Time status: background and historical mentions are not current events (data/temporal.json)."""
import datetime as dt

import pytest

from factories import extract_events, trigger_reading


@pytest.mark.parametrize('sentence, word, cue', [
    ('Since the war began, rebels have attacked dozens of villages.', 'attacked', 'since'),
    ('No group has spoken for the protesters since the start of the protests.', 'protests', 'since'),
    ('Survivors gathered on the anniversary of the bombing.', 'bombing', 'anniversary'),
    ('A man was jailed for the attack on the mosque.', 'attack', 'jail'),
    ('Police arrested two men in 2019 over the riot.', 'arrested', '2019'),
    ('The 2011 bombing destroyed the government offices.', 'bombing', '2011'),
    ('Crowds stormed the parliament building years ago.', 'stormed', 'years ago'),
    ('Women are being murdered in the province at an alarming rate, activists say.', 'murdered', 'at an alarming rate'),
    ('Rebels attacked the town last year.', 'attacked', 'last year'),
    ('The attack, which took place last year, killed four guards.', 'attack', 'last year'),  # its own clause
    ('The attack, which took place last year, killed four guards.', 'killed', 'last year'),  # an event noun's clause
    ('He had previously been arrested for sedition.', 'arrested', 'previously'),
    ('Attacks on clinics have been reported since the outbreak began.', 'Attacks', 'since'),
    ('Remains of a WWII sailor killed in the attack on the harbour were identified.', 'attack', 'wwii'),
    ('The town was bombed during the Second World War, and its church was rebuilt.', 'bombed', 'second world war'),
    # habitual_adverbs on a perfect or simple present with no date of its own
    ('The mayor has repeatedly threatened to close the market.', 'threatened', 'repeatedly'),
    ('Party leaders have often accused the broadcaster of bias, and had ignored it until this week.', 'accused', 'often'),
    ('The union has long called for shorter shifts.', 'called', 'long'),
    ('Mr Orvel often accuses the council of waste.', 'accuses', 'often'),
    ('As governments increasingly expel foreign envoys, travellers face more risk.', 'expel', 'increasingly'),
    ('Kovian forces are increasingly attacking depots in Norland, analysts say.', 'attacking', 'increasingly'),
    # recap_phrases added with them
    ('The militia has attacked convoys on the road for years.', 'attacked', 'for years'),
    ('The two sides held talks twice in recent weeks.', 'held talks', 'in recent weeks'),
    # a participle clause shares the time of its clause; a year on the object of 'during'
    ('The army routed the rebels during a campaign in 2019, killing their commander.', 'killing', '2019'),
    # a year the parser hangs on the place of the event's own phrase
    ('The editor was shot dead on a busy avenue in 1994.', 'shot', '1994'),
    # court_nouns / court_verbs: the crime a court hears is the one it tries
    ('Tomas Varga was stabbed after a row over money, a jury was told.', 'stabbed', 'told'),
    ('A court heard that the defendant attacked his neighbour with a knife.', 'attacked', 'heard'),
])
def test_background_cue(sentence, word, cue):
    match = trigger_reading(sentence, word)
    assert (match.time_status, match.time_cue) == ('BACKGROUND', cue)


@pytest.mark.parametrize('sentence, word', [
    ('Rebels attacked the town on Sunday.', 'attacked'),
    ('Police arrested 40 protesters in the capital.', 'arrested'),
    ('Thousands of people have since been arrested.', 'arrested'),  # a running count of this crisis
    ('Gunmen repeatedly stabbed a shopkeeper in Tarvo on Sunday.', 'stabbed'),  # one act, told in the past
    ('Police have repeatedly fired tear gas at the crowd this week.', 'fired'),  # the clause is dated
    # a trend binds its own verb, not a participle or a subject under it
    ('Kovia has increasingly targeted power stations, hitting two plants in Arvan overnight.', 'hitting'),
    ('Police arrested 20 people in Arvan as protests increasingly turned violent.', 'protests'),
    ('Norland has often accused Velmaria of spying, and on Monday it expelled two diplomats.', 'expelled'),  # a new act after a habit
    ('Troops stormed the depot at dawn, killing two guards.', 'killing'),  # the clause it hangs on is current
    ('Police told reporters that gunmen attacked a bus near Ostrel.', 'attacked'),  # police are no court
    ('A judge told reporters that police arrested two men in Ostrel.', 'arrested'),  # a judge talking is no hearing
    # a recap phrase in a nested clause, or one that says how long in a clause with its own day
    ('Police in Ostrel on Monday arrested a man who had been on the run for years.', 'arrested'),
    ('Rebels attacked Ostrel on Monday in the heaviest fighting in recent weeks.', 'attacked'),
    # a recap phrase in a clause that describes the subject, before the trigger, is the subject's
    ("A rebel commander, wanted over last year's massacre in Tarvo, was killed in a clash with troops.", 'killed'),
])
def test_current_events(sentence, word):
    assert trigger_reading(sentence, word).time_status == 'CURRENT'


def test_a_clock_time_is_no_year(extractor):
    # '1900 GMT' is a time of day, not the year 1900
    events = extract_events(extractor, 'Clashes broke out at 1900 GMT in Khartoum on Sunday, killing three people.')
    assert 'ASSAULT' in [e['event_type'] for e in events]


def test_year_test_uses_the_story_year(extractor):
    # published 2024: a 2024 attack is current, a 2023 one is background
    assert extract_events(extractor, 'Rebels attacked the town in March 2024.')
    assert not extract_events(extractor, 'Rebels attacked the town in October 2023.')


def test_recap_dated_weeks_before_the_story_is_not_coded(extractor):
    """published 2024-03-10: 'on January 5' resolves to two months earlier."""
    assert not extract_events(extractor, 'Gunmen attacked a bus on January 5, killing three.')
    [event] = extract_events(extractor, 'Gunmen attacked a bus on March 8, killing three.')
    assert event['event_date'] == dt.date(2024, 3, 8) and event['killed'] == 3


def test_background_keeps_the_current_event_in_the_same_story(extractor):
    text = ('Police detained 30 people in Dakar on Saturday after clashes with students. '
            'The city last saw such clashes in 2021, when five people were killed.')
    events = extract_events(extractor, text)
    assert [(e['event_type'], e['killed']) for e in events if e['event_type'] == 'COERCE'] == [('COERCE', None)]
    assert not any(e['killed'] == 5 for e in events)


@pytest.mark.parametrize('sentence, word', [
    ('Russian missiles struck Kyiv on Sunday in the heaviest bombardment since World War Two.', 'struck'),
    ('Police arrested six men who glorified World War II crimes in Dresden on Monday.', 'arrested'),
])
def test_a_world_war_that_only_measures_or_describes_is_no_recap(sentence, word):
    assert trigger_reading(sentence, word).time_status == 'CURRENT'


@pytest.mark.parametrize('sentence, word, cue', [
    # an 'after' measured in weeks or longer dates its event that long before the news
    ('Two tankers left Varnia a month after the deployment upset Ostrel.', 'deployment', 'month after'),
    ('Families returned to Tarvo two years after the massacre.', 'massacre', 'years after'),
    # a 'before' so measured dates the clause it hangs on
    ('Four years before the riots, a student was shot dead in Ostrel.', 'shot', 'years before'),
    # a headline's 'jury told' drops its auxiliary
    ('Dara Velin shot dead after a row at a festival, jury told.', 'shot', 'told'),
])
def test_session17_background(sentence, word, cue):
    match = trigger_reading(sentence, word)
    assert (match.time_status, match.time_cue) == ('BACKGROUND', cue)


@pytest.mark.parametrize('sentence, word', [
    ('Protesters returned a week after the crackdown in Ostrel.', 'crackdown'),  # a week is recent
    ('Weeks before the vote, police arrested 40 activists in Ostrel.', 'arrested'),  # weeks before a coming vote
    ('Troops withdrew from Ostrel months after the invasion.', 'withdrew'),  # the clause that measures is news
    ('A man was charged over vandalism of the World War Two memorial in Ostrel.', 'charged'),  # a memorial of today
])
def test_session17_current(sentence, word):
    assert trigger_reading(sentence, word).time_status == 'CURRENT'
