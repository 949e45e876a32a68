"""Legal action by the state: charging someone is COERCE (CAMEO 173, PLOVER's 'arrest,
detain or charge'); other senses of 'charge' are not."""
import pytest

from factories import extract_events


@pytest.mark.parametrize('text, title, expected', [
    ('Police charged three men with murder on Friday.', '', [('COERCE', 'arrest')]),
    ('A 29-year-old man has been charged with fraud, police said on Monday.', '', [('COERCE', 'arrest')]),
    ('', 'Boy, 10, charged with theft after police chase in Bunbury', [('COERCE', 'arrest')]),
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
