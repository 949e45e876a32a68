"""Session-18 precision rules: crowd control is coercion, advisories to the public are no
requests, a withdrawn thing is no force, a territory before an event noun says where,
'accused of' with no accuser is none, a headline's sentencing carries to its text, and a
negated belief denies what it governs. Invented names throughout."""
import pytest

from factories import extract_events


def coded(extractor, text, title=''):
    return sorted((e['event_type'], e['country']) for e in extract_events(extractor, text, title))


@pytest.mark.parametrize('sentence, expected', [
    # tear gas, water cannon and pepper spray at a crowd: COERCE (GUIDELINES.md), grenades stay an attack
    ('Police fired tear gas at students outside the parliament in Nairobi on Monday.', [('COERCE', 'KEN')]),
    ('Riot police used water cannon on demonstrators in Tbilisi on Sunday.', [('COERCE', 'GEO')]),
    ('Officers used pepper spray on the crowd in Lima on Friday.', [('COERCE', 'PER')]),
    ('Militants fired grenades at an army post near Goma on Monday.', [('ASSAULT', 'COD')]),
    # the verbs too: pepper-sprayed, teargassed (not a farmer's spraying)
    ('Officers pepper-sprayed a group of marchers in Santiago on Thursday.', [('COERCE', 'CHL')]),
    ('Riot police teargassed students outside the parliament in Nairobi on Monday.', [('COERCE', 'KEN')]),
    ('Farmers sprayed pesticide on the fields near Nakuru on Monday.', []),
    # crowd control told with the killing it caused is that one attack; protesters spraying riot
    ('Police used batons and live rounds on marchers in Lagos on Monday, killing two.', [('ASSAULT', 'NGA')]),
    ('Protesters used pepper spray against police officers in Portland on Saturday.', [('PROTEST', 'USA')]),
])
def test_crowd_control_is_coercion_grenades_are_an_attack(extractor, sentence, expected):
    assert coded(extractor, sentence) == expected


@pytest.mark.parametrize('sentence, expected', [
    ('Varnian troops withdrew from the border town of Ostel on Monday.', ['RETREAT']),
    ('Norland withdrew its troops from the disputed valley on Tuesday.', ['RETREAT']),
    # what is withdrawn is no force: fines, charges
    ('Police withdrew the fines handed to Kestrel Bay residents on Monday.', []),
    ('The army withdrew its statement on the border on Tuesday.', []),
])
def test_a_withdrawal_is_of_a_force(extractor, sentence, expected):
    assert sorted(e['event_type'] for e in extract_events(extractor, sentence)) == expected


def test_a_territory_before_an_event_noun_says_where_not_who(extractor):
    [event] = extract_events(extractor, 'Settlers attacked a village in the West Bank on Monday, killing three people.',
                             'West Bank violence kills three')
    assert event['country'] == 'PSE'
    assert (event['actor1'] or {}).get('name') != 'West Bank'


@pytest.mark.parametrize('title, text, expected', [
    ('Officials urge residents to stay indoors as wildfire nears Corvale', '', []),
    ('Harlow Bay residents urged to get tested after new cases', '', []),
    ('', 'Health officials in Corvale are calling for widespread testing after a cluster of cases.', []),
    ('', 'The county urged social distancing as cases rose on Sunday.', []),
    ('', 'Health director Ana Morel urged people to take care at gatherings on Sunday.', []),
    ('Premier urges Victorians to work from home', '', []),  # a people by its demonym
    ('', 'Opposition leader Ana Morel urged people to vote against the bill on Monday.', ['REQUEST']),
    ('', 'The opposition leader urged citizens to take to the streets against the election result.', ['REQUEST']),
    ('', 'President Lira Oban urged citizens to take up arms against the rebels.', ['REQUEST']),
    ('', 'The Norland government urged Varnians and Orlanders to exercise restraint on Monday.', ['REQUEST']),
    # a public appeal by officials stays a REQUEST, as the labellers code it
    ('Police seek help in finding missing Ashvale teen', '', ['REQUEST']),
    # a request between parties stays one, and so does a call on the public to take a side
    ('', 'Rights lawyers in Kestrel urged the public on Tuesday to reject the proposed security bill.', ['REQUEST']),
    ('Varnia urges Norland to withdraw its troops', '', ['REQUEST']),
    ('Norland urges residents of the occupied city to resist the Varnian forces', '', ['REQUEST']),
    ('', 'The opposition urged the government to release the detained journalists on Monday.', ['REQUEST']),
])
def test_an_advisory_to_the_public_is_no_request(extractor, title, text, expected):
    assert sorted(e['event_type'] for e in extract_events(extractor, text, title)) == expected


@pytest.mark.parametrize('title, expected', [
    ('Doctor accused of assaulting patient cleared of charges', []),
    ('Teacher accused of theft resigns from school board', []),
    ('Varnia accuses Norland of shelling border villages', ['ACCUSE']),
])
def test_accused_of_with_no_accuser_is_none(extractor, title, expected):
    assert [e['event_type'] for e in extract_events(extractor, '', title) if e['event_type'] == 'ACCUSE'] == expected


def test_a_headline_sentencing_carries_to_its_word_in_the_text(extractor):
    title = 'Farm workers jailed for abduction and assault'
    text = 'Two farm workers who abducted a woman near Ashvale have been jailed.'
    assert extract_events(extractor, text, title) == []
    # the same verb with a doer of its own is another event
    assert [e['event_type'] for e in extract_events(
        extractor, 'Police jailed three other protesters in Minsk on Monday.',
        'Activist Tova Renn jailed for eight years in Belarus')] == ['COERCE']
    # an arrest told in the text is no sentencing
    assert [e['event_type'] for e in extract_events(
        extractor, 'Police arrested two men in Ashvale on Monday after a woman was abducted.',
        'Two men arrested after abduction in Ashvale')] == ['COERCE']


def test_an_age_is_no_prison_term(extractor):
    """'a 6-year-old boy' in the lead gives the headline's killing no court reading."""
    title = 'Dozens killed in missile strike on village near Corvale, officials say'
    text = ('At least 31 people, including a 6-year-old boy, were killed on Thursday in a missile strike '
            'on a village near Corvale, officials said.')
    events = extract_events(extractor, text, title)
    assert [(e['event_type'], e['killed']) for e in events] == [('ASSAULT', 31)]


@pytest.mark.parametrize('text, has_year', [
    ('A 6-year-old boy was among the dead.', False),
    ('The driver, 49 years old, was arrested.', False),
    ('The man was jailed for six years.', True),
])
def test_an_age_says_nothing_of_a_court(text, has_year):
    from wirewatch.transforms.extract.nlp import load_nlp
    from wirewatch.transforms.extract.sense import _context
    doc = load_nlp()(text)
    assert ('year' in _context(doc, frozenset())) == has_year


def test_a_participle_hung_on_a_case_noun_is_no_recap(extractor):
    """The parser hangs a headline's 'arrested' on 'case': the arrest is today's news."""
    events = extract_events(extractor, '', 'Second suspect in Ostel pipeline case arrested in Croatia, prosecutors say')
    assert [(e['event_type'], e['country']) for e in events] == [('COERCE', 'HRV')]


def test_a_country_before_a_protest_noun_is_where_it_is(extractor):
    """'Hong Kong vigil': the crowd's place, even with another country named as its adversary."""
    events = extract_events(extractor, '', 'Thousands defy Beijing with Hong Kong vigil for Tiananmen victims')
    assert [(e['event_type'], e['country']) for e in events] == [('PROTEST', 'HKG')]


def test_a_demonym_on_a_protest_noun_is_where_it_is(extractor):
    """'Dutch protest': where its people are, not the country its grievance names."""
    events = extract_events(extractor, '', 'Dutch protest urges boycott of song contest over Israel\'s participation')
    assert [(e['event_type'], e['country']) for e in events] == [('PROTEST', 'NLD')]


@pytest.mark.parametrize('title, expected', [
    ("'Men I grew up with kill people for that': how the Ashvale gangs changed", []),
    ("Norland says 'terrorist attack' hit Ostel concert hall", ['ASSAULT']),
    # a possessive apostrophe opens no quote
    ("Philippines' drag artist Tova Renn arrested for 'offending religion'", ['COERCE']),
    # quoted words named as a remark, a slogan or a chant are words said
    ("Governor's 'looting, shooting' remark goes back to the 1960s", []),
    ("Governor's 'shoot the looters' remark draws fire", []),  # a closing mark after an s
    ("Police confirm 'terrorist attack' report", ['ASSAULT']),    # a report may confirm
])
def test_a_quoted_clause_in_a_headline_is_someones_words(extractor, title, expected):
    events = extract_events(extractor, 'The story continues.', title)
    assert sorted(e['event_type'] for e in events) == expected


def test_a_past_tense_tagged_as_a_participle_keeps_its_doer(extractor):
    [event] = extract_events(extractor, 'Police pepper-sprayed some students in Santiago on Thursday.')
    assert (event['event_type'], event['actor1']['name'], event['actor2']['name']) == ('COERCE', 'Police', 'students')
