"""The small model's known lemma errors are fixed before anything reads them (data/lemma_fixes.json)."""
import pytest

from factories import extract_events


def test_staged_is_a_form_of_stage():
    from wirewatch.transforms.extract.nlp import load_nlp
    doc = load_nlp()('Workers staged a sit-in while organisers were staging another one.')
    assert [t.lemma_ for t in doc if t.lower_ in ('staged', 'staging')] == ['stage', 'stage']


@pytest.mark.parametrize('text', [
    'Students staged a protest in Agartala on Monday demanding a new exam date.',
    'Farmers staged demonstrations against the new tax outside the district office on Friday.',
])
def test_a_staged_protest_is_a_protest(extractor, text):
    assert 'PROTEST' in [e['event_type'] for e in extract_events(extractor, text)]
