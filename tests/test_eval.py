"""wirewatch eval: scoring, label files and the corpus look-up, on fixtures written here."""
import json
import os

from wirewatch.eval import leads as leads_mod
from wirewatch.eval.plover import read_gsr, score_gsr
from wirewatch.eval.scoring import match_events, score

FEED = '''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Eval Wire</title><link>https://evalwire.example/</link>
<item><title>Police detain 30 students in Lima</title>
<link>https://evalwire.example/a?x=1&amp;amp;ref=rss</link>
<pubDate>Sun, 10 Mar 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;* Teaser bullet&lt;/p&gt;&lt;p&gt;LIMA, March 10 - Police detained 30 students in Lima on Sunday.&lt;/p&gt;&lt;p&gt;A second paragraph.&lt;/p&gt;</description></item>
<item><title>Stocks rally on rate hopes</title><link>https://evalwire.example/b</link>
<pubDate>Sun, 10 Mar 2024 11:00:00 GMT</pubDate><description>Shares rose.</description></item>
</channel></rss>'''


def event(event_type, country, quad=4):
    return {'event_type': event_type, 'country': country, 'quad_class': quad}


def test_match_is_one_to_one_and_strict_place_is_optional():
    gold = [{'type': 'ASSAULT', 'country': 'IRN'}, {'type': 'ASSAULT', 'country': 'IRN'}]
    predicted = [event('ASSAULT', 'ISR'), event('ASSAULT', 'IRN'), event('ASSAULT', 'IRN'), event('ASSAULT', 'IRN')]
    assert match_events(predicted, gold) == ({0, 1}, {0, 1})
    assert match_events(predicted, gold, strict_place=True) == ({1, 2}, {0, 1})


def test_score_precision_recall_and_false_conflict_rate():
    results = [
        ({'category': 'conflict', 'events': [{'type': 'ASSAULT', 'country': 'MLI'}]}, [event('ASSAULT', 'MLI')]),
        ({'category': 'protest', 'events': [{'type': 'PROTEST', 'country': 'FRA'}]}, []),
        ({'category': 'disaster', 'events': []}, [event('ASSAULT', 'BGD')]),
        ({'category': 'accident', 'events': []}, [event('ACCUSE', 'USA', quad=3)]),
    ]
    figures = score(results)
    assert (figures['tp'], figures['fp'], figures['fn']) == (1, 2, 1)
    assert figures['precision'] == 1 / 3 and figures['recall'] == 0.5
    assert figures['disaster_accident_false_conflict_rate'] == 0.5
    assert figures['per_type']['ASSAULT']['precision'] == 0.5
    assert figures['events_per_lead'] == 0.75


def test_labels_point_into_the_corpus_and_the_lead_is_title_and_first_paragraph(tmp_path):
    corpus = tmp_path / 'corpus'
    (corpus / 'feeds').mkdir(parents=True)
    (corpus / 'feeds' / 'wire.xml').write_text(FEED, encoding='utf-8')
    label_file = tmp_path / 'dev-x.jsonl'
    labels = [{'file': 'feeds/wire.xml', 'link': 'https://evalwire.example/a?x=1&amp;ref=rss', 'category': 'crime',
               'events': [{'type': 'COERCE', 'country': 'PER'}]},
              {'file': 'feeds/wire.xml', 'link': 'https://evalwire.example/b', 'category': 'market', 'events': []}]
    label_file.write_text('\n'.join(json.dumps(x) for x in labels), encoding='utf-8')
    leads = leads_mod.load_leads(leads_mod.read_labels([str(label_file)]), str(corpus))
    assert [lead.category for lead in leads] == ['crime', 'market']
    assert leads[0].story['title'] == 'Police detain 30 students in Lima'
    assert leads[0].story['text'] == 'Police detained 30 students in Lima on Sunday.'


def test_missing_items_are_reported(tmp_path):
    corpus = tmp_path / 'corpus'
    (corpus / 'feeds').mkdir(parents=True)
    (corpus / 'feeds' / 'wire.xml').write_text(FEED, encoding='utf-8')
    label = {'file': 'feeds/wire.xml', 'link': 'https://evalwire.example/gone', 'category': 'other', 'events': [],
             '_origin': 'x:1'}
    try:
        leads_mod.load_leads([label], str(corpus))
    except LookupError as error:
        assert 'x:1' in str(error)
    else:
        raise AssertionError('a missing item must fail the evaluation')


def test_bundled_label_files_are_pointers_only():
    """Every label names a corpus file and link, and carries no corpus text."""
    allowed = {'file', 'link', 'category', 'events', 'labeller'}
    files = leads_mod.label_files('all')
    assert any('dev-' in f for f in files) and any('test-' in f for f in files)
    total = 0
    for label in leads_mod.read_labels(files):
        total += 1
        assert set(label) - {'_origin'} == allowed, label['_origin']
        assert label['file'].startswith('feeds/') and label['link'].startswith('http')
        for e in label['events']:
            assert set(e) <= {'type', 'country', 'actor1_country', 'actor2_country'}
    assert total >= 120


def test_gsr_reader_renames_old_plover_types_and_scores(tmp_path):
    gsr = tmp_path / 'gsr.txt'
    gsr.write_text(json.dumps([
        {'id': 'd', 'event': 'DOCUMENT', 'text': 'doc'},
        {'id': '1', 'event': 'FIGHT', 'date': '2001-02-03', 'text': 'Troops shelled the town.'},
        {'id': '2', 'event': 'DEMAND', 'date': '2001-02-03', 'text': 'Strikers demanded higher pay.'},
        {'id': '3', 'event': 'INVESTIGATE', 'date': '2001-02-03', 'text': 'Police investigated.'},
    ]), encoding='utf-8')
    records = read_gsr(str(gsr))
    assert [(r[0], r[2]) for r in records] == [('1', 'ASSAULT'), ('2', 'REQUEST')]
    figures = score_gsr([('ASSAULT', [{'event_type': 'ASSAULT', 'confidence': 0.9}]), ('REQUEST', [])])
    assert figures['top_type_accuracy'] == 0.5 and figures['top_type_accuracy_when_coded'] == 1.0
    assert figures['per_type']['REQUEST']['recall'] == 0.0


def test_eval_command_on_fixture_labels(tmp_path, capsys):
    from wirewatch.pipeline.cli import main
    corpus = tmp_path / 'corpus'
    (corpus / 'feeds').mkdir(parents=True)
    (corpus / 'feeds' / 'wire.xml').write_text(FEED, encoding='utf-8')
    label_file = tmp_path / 'dev-x.jsonl'
    label_file.write_text(json.dumps({'file': 'feeds/wire.xml', 'link': 'https://evalwire.example/a?x=1&amp;ref=rss',
                                      'category': 'crime', 'events': [{'type': 'COERCE', 'country': 'PER'}]}),
                          encoding='utf-8')
    out = tmp_path / 'figures.json'
    assert main(['eval', 'events', '--corpus', str(corpus), '--labels', str(label_file), '--json', str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures['type']['tp'] == 1 and figures['type']['fp'] == 0
    assert 'precision 100.0 %' in capsys.readouterr().out


def test_acled_scoring_on_invented_rows():
    """Scoring only: the rows are written here (ACLED data is never part of the project)."""
    from wirewatch.eval.acled import acled_type, km, score_rows
    from wirewatch.gazetteer import Gazetteer
    rows = [
        {'country': 'Kenya', 'admin1': 'Nairobi', 'latitude': '-1.28', 'longitude': '36.82',
         'event_type': 'Riots/Protests', 'fatalities': '0'},
        {'country': 'Somalia', 'admin1': 'Bay', 'latitude': '3.11', 'longitude': '43.64',
         'event_type': 'Remote violence', 'fatalities': '2'},
        {'country': 'Mali', 'admin1': 'Kidal', 'latitude': '18.4', 'longitude': '1.4',
         'event_type': 'Strategic development', 'fatalities': '0'},
    ]
    protest = {'event_type': 'PROTEST', 'confidence': 0.9, 'country': 'KEN', 'killed': None,
               'location': {'admin1': 'Nairobi', 'lat': -1.29, 'lon': 36.82}}
    shelling = {'event_type': 'ASSAULT', 'confidence': 0.9, 'country': 'SOM', 'killed': 3,
                'location': {'admin1': 'Gedo', 'lat': 3.5, 'lon': 42.0}}
    figures = score_rows(rows, [([protest], None), ([shelling], None), ([], 'MLI')], Gazetteer.load())
    assert figures['country'] == 1.0
    assert figures['admin1'] == 0.5 and figures['within_50km'] == 0.5
    assert figures['event_type'] == 1.0 and figures['deaths_exact'] == 0.0
    assert acled_type('Battle-No change of territory') == 'ASSAULT' and acled_type('Strategic development') is None
    assert 340 < km(48.85, 2.35, 51.51, -0.13) < 350  # Paris to London


def test_admin1_names_compare_without_kind_words_and_codes():
    from wirewatch.eval.acled import same_admin1
    assert same_admin1('Eastern Visayas (Region VIII)', 'Eastern Visayas')
    assert same_admin1('Almaty Qalasy', 'Almaty') and same_admin1('Banaadir', 'banaadir')
    assert not same_admin1('Oromiya', 'Amhara') and not same_admin1('Lagos', '')
    # transliterations agree (the same consonants), translations and other divisions do not
    assert same_admin1('Madanin', 'Medenine') and same_admin1('Oromiya', 'Oromia')
    assert same_admin1('Western Bahr al Ghazal', 'Western Bahr el Ghazal')
    assert not same_admin1('Lower Shabeelle', 'Shabeellaha Hoose') and not same_admin1('NCT', 'Delhi')
    assert not same_admin1('Kano', 'Kogi')


def test_parsed_entries_json_is_read_as_a_feed(tmp_path):
    """feeds/parsed-entries-2023-10 holds entries already parsed, as JSON: labels can point at them."""
    import json as json_
    from wirewatch.eval.leads import _items_by_link, lead_story
    day = tmp_path / '2023-10-05'
    day.mkdir()
    path = day / 'https.example.testrss_entries.json'
    path.write_text(json_.dumps([
        {'title': 'Protesters & police clash in Tamba', 'link': 'https://example.test/a?x=1&y=2',
         'description': '<p>Hundreds marched on Thursday.</p><p>Second paragraph.</p>',
         'date_published': '2023-10-05T08:00:00+00:00', 'language': 'en-US', 'album': 'Example Daily'},
        {'title': 'No date here', 'link': 'https://example.test/b', 'description': 'Text.', 'language': 'en-US'},
    ]), encoding='utf-8')
    items = _items_by_link(str(path))
    assert set(items) == {'https://example.test/a?x=1&y=2', 'https://example.test/b'}
    story = lead_story(items['https://example.test/a?x=1&y=2'])
    assert story['title'] == 'Protesters & police clash in Tamba'
    assert story['text'] == 'Hundreds marched on Thursday.'
    assert story['published_at'].isoformat().startswith('2023-10-05T08:00')
