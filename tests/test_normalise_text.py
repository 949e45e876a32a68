"""Pure text functions of the normaliser: HTML, mojibake, boilerplate, datelines, bylines, titles."""
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirewatch.transforms.normalise import dateline, text, titles

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'normalise')


def fixture_text(name):
    with open(os.path.join(FIXTURES, name), encoding='utf-8') as f:
        return f.read()


# --- HTML and cleaning ---------------------------------------------------------------------

def test_html_drops_scripts_styles_pixels_and_captions_and_decodes_entities():
    cleaned = text.html_to_clean_text(fixture_text('mojibake_and_html.html'))
    assert cleaned == ('The mayor\'s office said the bridge would reopen on Friday.\n\n'
                       'Residents near the Place de la République were told to stay indoors & keep windows shut.')


def test_paragraphs_are_blank_line_separated():
    html = '<p>One.</p><p>Two<br>three.</p>\n<div>Four</div>'
    assert text.html_to_clean_text(html) == 'One.\n\nTwo\n\nthree.\n\nFour'


def test_plain_text_keeps_its_paragraphs_and_folds_spaces():
    assert text.clean_text('  First   line.\r\n\r\n\r\nSecond\tline.  \n') == 'First line.\n\nSecond line.'


def test_invisible_characters_are_removed():
    assert text.clean_text('Zero\u200bwidth\ufeff and\x00 nul') == 'Zerowidth and nul'
    assert text.clean_text('lone \ud800 surrogate') == 'lone \ufffd surrogate'  # encodable as UTF-8


def test_lost_character_is_kept_not_guessed():
    assert 'Plaza de la Rpublica' in text.clean_text(fixture_text('wire_story_quirks.txt'))


@pytest.mark.parametrize('line', [
    'Source link', 'Source link -88', 'Source Link - 12', 'Read more', 'Read more »', 'Click here to subscribe.',
    'Click here', 'Share this article', 'Share on Facebook', 'Subscribe to our newsletter',
    'Follow us on Twitter for updates', 'Photo: Jane Roe/Reuters', '(Photo: AP Photo/John Doe)',
    'ADVERTISEMENT', 'Story continues below advertisement', 'The post Bridge reopens appeared first on Example News.',
    '© 2024 Example Media Ltd. All rights reserved.',
    'Enjoying this column? Check out our weekly digest for more commentary on markets.',
    'And listen to the Evening Brief daily podcast on your phone. Subscribe to hear our reporters every day.',
])
def test_boilerplate_paragraphs_are_removed(line):
    assert text.clean_text(f'Real news paragraph.\n\n{line}\n\nAnother one.') == 'Real news paragraph.\n\nAnother one.'


@pytest.mark.parametrize('prose', [
    'Read more about the budget in the annex, the minister told parliament on Tuesday.',
    'Photographers were kept away from the scene by police.',
    'Share prices fell 3% on Monday.',
    'Related fighting killed three people near the border.',
    'Listen to the crowd, the mayor told councillors before the podcast studio opened on Monday.',
])
def test_prose_that_starts_like_boilerplate_is_kept(prose):
    assert text.clean_text(prose) == prose


def test_reuters_link_markers_and_correction_notes_are_removed():
    raw = ('(This March 4 story has been corrected to fix the day in paragraph 2)\n\n'
           'Voters backed the 2023 reform , opens new tab , in a referendum.')
    assert text.clean_text(raw) == 'Voters backed the 2023 reform, in a referendum.'


@pytest.mark.parametrize('html, visible', [
    ('<p>a</p><![foo[x]]> ok', 'a\n\n<![foo[x]]> ok'),           # a marked section html.parser does not know
    ('<p>a</p><![ 1', 'a\n\n<![ 1'),                              # a marked section without a name
    ('<p>a</p> 3 < 4 and <b', 'a\n\n3 < 4 and <b'),              # '<' with no '>' after it is text
    ('<p>a</p><!-- never closed <b>b</b>', 'a\n\n<!-- never closed b'),
    ('<p>a<![if !supportLists]>b<![endif]>c</p><!-- x --><![CDATA[<i>d</i>]]>', 'abc\n\nd'),
])
def test_broken_markup_keeps_its_text_and_never_raises(html, visible):
    assert text.html_to_clean_text(html) == visible


def test_defuse_markup_escapes_only_what_can_never_close():
    assert text.defuse_markup('<p>x</p><!-- c --><![CDATA[y]]>') == '<p>x</p><!-- c --><![CDATA[y]]>'
    assert text.defuse_markup('<a <a <a>') == '<a <a <a>'  # each has a '>' after it
    assert text.defuse_markup('<p>x</p><a <!--') == '<p>x</p>&lt;a &lt;!--'
    assert text.defuse_markup('<!-- a > b <![CDATA[ c >') == '&lt;!-- a > b &lt;![CDATA[ c >'
    assert text.defuse_markup('<![if x]> y <![foo[ z ]>') == '<![if x]> y &lt;![foo[ z ]>'


def test_deeply_nested_blocks_break_lines_like_flat_ones():
    nested = '<div>' * 3000 + 'inner' + '</div>' * 3000 + 'after<ul><li>one<li>two</ul>'
    assert text.html_to_clean_text(nested) == 'inner\n\nafter\n\none\n\ntwo'


def test_every_repeated_outlet_suffix_is_removed():
    assert titles.split_title('Harbour strike spreads' + ' - Reuters' * 500) == (
        'Harbour strike spreads', 'Reuters', 'Reuters')
    assert titles.split_title('Harbour strike spreads - Reuters - Sample Wire Desk', 'Sample Wire') == (
        'Harbour strike spreads', 'Reuters', 'Sample Wire Desk')


def test_credit_naming_many_reporters_keeps_each_once_in_order():
    names = [f'Ann{n:04d} Lee' for n in range(3000)]
    credit = '(Reporting by ' + ', '.join(names + names[:10]) + '; Editing by Bo Ek)'
    authors, rest = dateline.extract_bylines('Body text.\n\n' + credit)
    assert authors == names and rest == 'Body text.'


# --- properties ---------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_text_never_raises_and_is_idempotent(raw):
    once = text.clean_text(raw)
    assert text.clean_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.binary()))
def test_html_to_clean_text_never_raises_and_its_output_is_stable(raw):
    once = text.html_to_clean_text(raw)
    assert isinstance(once, str)
    assert text.clean_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('<>/&;#pbrdiv scripty=\'"\n ALMATY,(Reuters)–-byandSourcelink8')),
               max_size=120))
def test_html_like_noise_never_raises(raw):
    assert isinstance(text.html_to_clean_text(raw), str)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_dateline_and_byline_functions_never_raise_and_are_idempotent(raw):
    cleaned = text.clean_text(raw)
    _, once = dateline.extract_bylines(cleaned)
    assert dateline.extract_bylines(once)[1] == once
    title, _ = titles.clean_title(raw)
    assert titles.clean_title(title)[0] == title


# --- datelines ----------------------------------------------------------------------------

@pytest.mark.parametrize('lead, place, date, wire, rest', [
    ('ALMATY, January 9 (Reuters) – Kazakh officials said', 'Almaty', 'January 9', 'Reuters', 'Kazakh officials said'),
    ('MANILA, April 13 (Reuters) - The coast guard said', 'Manila', 'April 13', 'Reuters', 'The coast guard said'),
    ('WASHINGTON (AP) — The Senate voted', 'Washington', None, 'AP', 'The Senate voted'),
    ('UNITED NATIONS, Dec 17 (Reuters) - Aid groups warned', 'United Nations', 'Dec 17', 'Reuters', 'Aid groups warned'),
    ('Feb 28 (Reuters) - Israel said', None, 'Feb 28', 'Reuters', 'Israel said'),
    ('KYIV, Ukraine (AP) — Drones struck', 'Kyiv, Ukraine', None, 'AP', 'Drones struck'),
    ('NEW YORK/LONDON, May 2 (Reuters) - Oil rose', 'New York/London', 'May 2', 'Reuters', 'Oil rose'),
    ('PARIS (AFP) - Strikes hit rail', 'Paris', None, 'AFP', 'Strikes hit rail'),
    ('BEIJING, March 3 (Xinhua) -- China said', 'Beijing', 'March 3', 'Xinhua', 'China said'),
    ('LONDON — Britain said on Monday', 'London', None, None, 'Britain said on Monday'),
    ('Dubai, Feb 3 (Reuters) - Iran said', 'Dubai', 'Feb 3', 'Reuters', 'Iran said'),
    ('JERUSALEM, March 4, (Reuters) - Israel said', 'Jerusalem', 'March 4', 'Reuters', 'Israel said'),
    ('LAL PUR, Afghanistan/PESHAWAR, Pakistan, March 4 (Reuters) - People', 'Lal Pur, Afghanistan/Peshawar, Pakistan',
     'March 4', 'Reuters', 'People'),
])
def test_datelines_are_parsed_and_removed(lead, place, date, wire, rest):
    found, remaining = dateline.split_dateline(lead)
    assert found == dateline.Dateline(place, date, wire)
    assert remaining == rest


@pytest.mark.parametrize('lead', [
    'BREAKING — Markets fell sharply.', 'Markets in Asia (Reuters) - fell', 'The minister (Reuters reported) said - nothing.',
    'Protesters marched in Almaty, January 9, police said.', 'US - China talks resume.',
])
def test_non_datelines_are_left_alone(lead):
    assert dateline.split_dateline(lead) == (None, lead)


def test_dateline_found_after_bullets_and_byline():
    cleaned = text.clean_text(fixture_text('wire_story_quirks.txt'))
    found, remaining = dateline.split_dateline(cleaned)
    assert found == dateline.Dateline('Valparaiso', 'March 4', 'Reuters')
    assert '\n\nDock workers at Chile\'s second-largest port joined' in remaining
    assert '(Reuters)' not in remaining


# --- bylines ------------------------------------------------------------------------------

def test_bylines_and_report_credits_become_authors_and_leave_the_text():
    cleaned = text.clean_text(fixture_text('wire_story_quirks.txt'))
    authors, remaining = dateline.extract_bylines(cleaned)
    assert authors == ['Lucia Ferrer', 'Tomas Quiroga', 'Ana Beltran Marco Diaz']
    assert 'by Lucia' not in remaining and 'edited by' not in remaining and '(Report' not in remaining
    assert remaining.endswith('did not immediately respond to a request for comment.')
    assert remaining.startswith('Harbour strike spreads to second port\n\n* Dock workers walk out in Valparaíso')


@pytest.mark.parametrize('credit, authors', [
    ('(Reporting by Ana Lima and Joe Bloggs; Editing by Sam Ray)', ['Ana Lima', 'Joe Bloggs']),
    ('(Reporting by Ana Lima in Lisbon; Additional reporting by Li Wei in Beijing; Writing by Tom Fox; '
     'Editing by Sam Ray)', ['Ana Lima', 'Li Wei', 'Tom Fox']),
    ('(Report Ana Lima, Joe Bloggs; edited by Sam Ray)', ['Ana Lima', 'Joe Bloggs']),
])
def test_credit_lines(credit, authors):
    assert dateline.extract_bylines(f'The vote passed. {credit}') == (authors, 'The vote passed.')
    assert dateline.extract_bylines(f'The vote passed.\n\n{credit}') == (authors, 'The vote passed.')


@pytest.mark.parametrize('paragraph', [
    'By Monday, officials had counted the votes.', 'by the river', 'By then it was too late.',
    'The report (due next week) is awaited.',
])
def test_prose_is_not_a_byline(paragraph):
    assert dateline.extract_bylines(paragraph) == ([], paragraph)


def test_merge_authors_dedupes_and_strips_by():
    assert dateline.merge_authors(['By Ana Lima', 'joe bloggs'], ['Ana Lima', 'Joe Bloggs', 'Li Wei']) == [
        'Ana Lima', 'joe bloggs', 'Li Wei']


# --- titles -------------------------------------------------------------------------------

@pytest.mark.parametrize('raw, title, wire', [
    ('Israel says France bans officials from show - Reuters', 'Israel says France bans officials from show', 'Reuters'),
    ('Floods hit coast | BBC News', 'Floods hit coast', None),
    ('Senate passes bill - The New York Times', 'Senate passes bill', None),
    ('Quake strikes - Associated Press', 'Quake strikes', 'AP'),
    ('Storm &amp; floods  hit\n coast', 'Storm & floods hit coast', None),
    ('Bail for ex-minister - police', 'Bail for ex-minister - police', None),
    ('Rates held - reuters.com - Yahoo Finance', 'Rates held', 'Reuters'),
    ('Talks resume – DepEd', 'Talks resume – DepEd', None),
    ('<b>Bold</b> move', 'Bold move', None),
])
def test_clean_title(raw, title, wire):
    assert titles.clean_title(raw) == (title, wire)


def test_feed_source_name_suffix_is_removed():
    assert titles.clean_title('Council votes - Tracker Times', 'Tracker Times') == ('Council votes', None)


@pytest.mark.parametrize('raw,source,title', [
    ('Deadly fuel protests in the capital | The Daily Herald', 'The Daily Herald (sample)',
     'Deadly fuel protests in the capital'),
    ('Fuel price protests turn deadly - Sample Wire', 'Sample Wire Desk', 'Fuel price protests turn deadly'),
    # a one-word or unrelated suffix is part of the headline
    ('Markets fall - analysis', 'Sample Wire Desk', 'Markets fall - analysis'),
    ('Storm hits coast - Daily Mail', 'Daily Herald', 'Storm hits coast - Daily Mail'),
])
def test_outlet_suffix_named_a_little_differently_is_removed(raw, source, title):
    assert titles.clean_title(raw, source)[0] == title
