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


def test_every_trigger_verb_ending_in_e_keeps_its_lemma():
    """Each -e trigger verb of the lexicon, in its -d and -ing forms, lemmatises back to itself."""
    import json
    import os
    from wirewatch.transforms.extract.nlp import load_nlp
    path = os.path.join(os.path.dirname(__file__), '..', 'transforms', 'extract', 'data', 'triggers.json')
    with open(path, encoding='utf-8') as f:
        verbs = sorted({e['lemma'] for e in json.load(f)['triggers']
                        if 'VERB' in e['pos'] and ' ' not in e['lemma'] and e['lemma'].endswith('e')})
    nlp = load_nlp()
    wrong = [(form, nlp(f'The men {form} the town.')[2].lemma_) for v in verbs for form in (v + 'd', v[:-1] + 'ing')
             if nlp(f'The men {form} the town.')[2].lemma_ != v]
    assert wrong == []
