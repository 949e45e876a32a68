"""Legal action by the state: charging someone is COERCE (CAMEO 173, PLOVER's 'arrest,
detain or charge'); other senses of 'charge' are not."""
import pytest

from factories import extract_events


@pytest.mark.parametrize('text, title, expected', [
    ('Police charged three men with murder on Friday.', '', [('COERCE', 'arrest')]),
    ('A 29-year-old man has been charged with fraud, police said on Monday.', '', [('COERCE', 'arrest')]),
    ('', 'Boy, 10, charged with theft after police chase in Bunbury', [('COERCE', 'arrest')]),
    ('Police have charged a second man after video footage emerged on Monday.', '', [('COERCE', 'arrest')]),
    ('Prosecutors charged two suspects on Friday after a long investigation.', '', [('COERCE', 'arrest')]),
    ('', 'New York judge issues limited gag order after post about court clerk', [('COERCE', 'restrict')]),
    # a charge at a crowd, a fee, a charge as a noun
    ('Riot police charged at the crowd with batons on Friday.', '', []),
    ('The company charged customers a fee for late payment.', '', []),
    ('The trial on corruption charges opened on Monday.', '', []),
    ('Riot police charged the crowd with batons on Saturday.', '', []),
    ('The committee charged with drafting the new constitution published its report.', '', []),
    ('He charged his phone with a solar panel.', '', []),
])
def test_charges(extractor, text, title, expected):
    events = extract_events(extractor, text, title=title)
    assert [(e['event_type'], e['mode']) for e in events] == expected


@pytest.mark.parametrize('text, expected', [
    # a judge or court that rejects a bid rules on a case; a party that rejects a proposal REJECTs
    ('A judge rejected the prosecutor\'s bid to drop the fraud case against the developer on Monday.', []),
    ('The appeals court rejected the mayor\'s request for a retrial on Friday.', []),
    ('The rebels rejected the government\'s ceasefire proposal on Sunday.', ['REJECT']),
    ('The convicted opposition leader rejected the government\'s offer of talks on Monday.', ['REJECT']),
])
def test_a_court_that_rejects_a_bid_rules(extractor, text, expected):
    assert [e['event_type'] for e in extract_events(extractor, text)] == expected


@pytest.mark.parametrize('title, text, expected', [
    # a judge who dismisses charges rules on a case (the headline's 'Judge dismisses' is active: no sacking)
    ('Judge dismisses murder, weapons charges against alleged killer Tom Varga',
     'A federal judge on Friday dismissed murder and weapons charges against alleged killer Tom Varga.', []),
    ('Norland dismisses Varnia\'s accusations as lies', '', ['REJECT']),
    ('Army chief fired', '', ['COERCE']),  # a headline's passive sacking
])
def test_a_judge_who_dismisses_charges_rules(extractor, title, text, expected):
    assert [e['event_type'] for e in extract_events(extractor, text, title)] == expected
