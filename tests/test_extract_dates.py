"""resolve_event_date: reference date, weekdays by tense, relative and explicit dates."""
import datetime as dt

import pytest

from wirewatch.transforms.extract.dates import find_date_mentions, reference_date, resolve_event_date

SUNDAY_NOON = dt.datetime(2022, 1, 9, 12, 0, tzinfo=dt.timezone.utc)


def test_reference_is_dateline_date_with_year_from_publication():
    assert reference_date(SUNDAY_NOON, 'January 9') == dt.date(2022, 1, 9)
    assert reference_date(SUNDAY_NOON, 'January 8') == dt.date(2022, 1, 8)


def test_reference_rolls_over_the_new_year():
    published = dt.datetime(2022, 1, 1, 3, 0, tzinfo=dt.timezone.utc)
    assert reference_date(published, 'December 31') == dt.date(2021, 12, 31)


def test_reference_without_dateline_is_utc_date():
    late_in_almaty = dt.datetime(2022, 1, 10, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=6)))
    assert reference_date(late_in_almaty) == dt.date(2022, 1, 9)


@pytest.mark.parametrize('sentence, expected, precision', [
    ('He was arrested on Saturday on suspicion of treason.', dt.date(2022, 1, 8), 'DAY'),
    ('Friday, the president authorized the police to open fire.', dt.date(2022, 1, 7), 'DAY'),
    ('Officials said on Sunday that the situation had stabilized.', dt.date(2022, 1, 9), 'DAY'),
    ('Leaders will hold a video conference on Monday to discuss the crisis.', dt.date(2022, 1, 10), 'DAY'),
    ('Police said yesterday that five people were killed.', dt.date(2022, 1, 8), 'DAY'),
    ('Protests spread last week.', dt.date(2022, 1, 2), 'WEEK'),
    ('The clashes on January 5 killed ten people.', dt.date(2022, 1, 5), 'DAY'),
    ('The clashes on Jan. 5 killed ten people.', dt.date(2022, 1, 5), 'DAY'),
    ('Unrest began on December 30.', dt.date(2021, 12, 30), 'DAY'),
    ('Thousands of people have been arrested.', dt.date(2022, 1, 9), 'DAY'),
])
def test_resolve_event_date_from_text(sentence, expected, precision):
    assert resolve_event_date(sentence, SUNDAY_NOON, 'January 9') == (expected, precision)


def test_weekday_tense_is_read_from_the_governing_verb():
    from wirewatch.transforms.extract.nlp import load_nlp
    doc = load_nlp()('The spokesman said the president could carry out a reshuffle on Tuesday.')
    assert resolve_event_date(doc, SUNDAY_NOON, 'January 9') == (dt.date(2022, 1, 11), 'DAY')
    past = load_nlp()('The president carried out a reshuffle on Tuesday.')
    assert resolve_event_date(past, SUNDAY_NOON, 'January 9') == (dt.date(2022, 1, 4), 'DAY')


def test_anchor_picks_the_nearest_date_phrase():
    from wirewatch.transforms.extract.nlp import load_nlp
    doc = load_nlp()('Massimov was sacked on Wednesday and arrested on Saturday.')
    arrested = next(t for t in doc if t.text == 'arrested')
    assert resolve_event_date(doc, SUNDAY_NOON, 'January 9', anchor=arrested)[0] == dt.date(2022, 1, 8)


def test_find_date_mentions_ignores_the_verb_may():
    assert [m.kind for m in find_date_mentions('Talks may resume in March.')] == ['month']
    assert [m.kind for m in find_date_mentions('Throughout January, the agency praised them.')] == ['month']


def test_published_at_must_be_a_datetime():
    with pytest.raises(TypeError):
        resolve_event_date('on Monday', '2022-01-09')


@pytest.mark.parametrize('phrase, expected, precision', [
    ('on Tuesday night', dt.date(2024, 3, 12), 'DAY'),
    ('overnight', dt.date(2024, 3, 12), 'DAY'),
    ('early on Sunday', dt.date(2024, 3, 10), 'DAY'),
    ('late on Monday', dt.date(2024, 3, 11), 'DAY'),
    ('last week', dt.date(2024, 3, 6), 'WEEK'),
    ('on March 5', dt.date(2024, 3, 5), 'DAY'),
    ('yesterday', dt.date(2024, 3, 12), 'DAY'),
    ('two days ago', dt.date(2024, 3, 11), 'DAY'),
    ('last month', dt.date(2024, 2, 1), 'MONTH'),
])
def test_date_phrases_from_a_wednesday_story(phrase, expected, precision):
    from wirewatch.transforms.extract.nlp import load_nlp
    doc = load_nlp()(f'Rebels attacked the town {phrase}.')
    anchor = next(t for t in doc if t.lemma_ == 'attack')
    published = dt.datetime(2024, 3, 13, 15, 0, tzinfo=dt.timezone.utc)  # a Wednesday
    assert resolve_event_date(doc[:], published, None, anchor=anchor) == (expected, precision)


def test_the_date_of_what_is_asked_is_not_the_date_of_the_asking():
    from wirewatch.transforms.extract.nlp import load_nlp
    doc = load_nlp()('The premier urged state leaders to open their borders in July.')
    urged = next(t for t in doc if t.text == 'urged')
    assert resolve_event_date(doc, SUNDAY_NOON, 'January 9', anchor=urged) == (dt.date(2022, 1, 9), 'DAY')
    opened = load_nlp()('The premier opened the border on Tuesday.')
    anchor = next(t for t in opened if t.text == 'opened')
    assert resolve_event_date(opened, SUNDAY_NOON, 'January 9', anchor=anchor)[0] == dt.date(2022, 1, 4)


@pytest.mark.parametrize('text, title, expected', [
    # a month before an event noun dates that noun (and the verb it is the subject of)
    ('The clinic was damaged in the January attack by armed men, its director said on Sunday.', '', []),
    ('The January attack killed four people in Ostrel, police said.', '', []),
    # ... not the other events of its sentence
    ('Police arrested 12 people on Sunday after the October protests in Ostrel.', '', ['COERCE']),
    # a month named as a date is current in that month, a recap or a monthly figure after it
    ('Riot police dispersed protesters in Ostrel in March, the ministry said.', '', ['COERCE']),
    ('Riot police dispersed protesters in Ostrel in January, the ministry said.', '', []),
    ('Throughout January, the agency praised the ministry for its quick response.', '', []),
])
def test_a_named_month_dates_its_event(extractor, text, title, expected):
    from factories import extract_events
    # the shared fixture's stories are published on 10 March 2024 (EXTRACT_PUBLISHED)
    assert sorted(e['event_type'] for e in extract_events(extractor, text, title)) == expected
