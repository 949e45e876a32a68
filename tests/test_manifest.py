"""The run manifest accounts for every item read, on unhappy paths too.

Pure tests of :func:`accounting` first, then batch runs of the real pipeline (FnApiRunner, in
this process) over small synthetic feeds: a file that cannot be read, a truncated feed, an item
the normaliser refuses, an extraction failure, a record the sink refuses and an exact duplicate,
each alone and all in one run. The two failures no input can provoke are injected: the
extractor raises for one title, and normalise hands the sink a Story that breaks its schema.
"""
import json

import pytest

from wirewatch.pipeline.cli import run_batch
from wirewatch.pipeline.outputs import print_run_report, read_records
from wirewatch.pipeline.manifest import accounting, manifest_block
from wirewatch.transforms import normalise as normalise_module
from wirewatch.transforms.extract import extractor as extractor_module

# Synthetic feeds: invented outlets, places and people; not real reporting.
ITEM = '''  <item>
    <title>{title}</title>
    <link>https://{host}/{slug}</link>
    <guid isPermaLink="false">{slug}</guid>
    <pubDate>{date}</pubDate>
    <description><![CDATA[{text}]]></description>
  </item>
'''
END = '</channel>\n</rss>\n'

GRANARY = dict(title='Dock workers strike at the Velmora granary port', slug='granary-strike',
               date='Mon, 02 Mar 2020 09:00:00 GMT',
               text='<p>VELMORA, March 2 - Dock workers walked out at the granary port on Monday over '
                    'unpaid wages, a union spokeswoman, Irma Szelak, said.</p>')
FERRY = dict(title='Ferry crossings to the Ostrand islands suspended', slug='ferry-suspended',
             date='Mon, 02 Mar 2020 10:00:00 GMT',
             text='<p>The island ferry operator suspended all crossings for a week to repair its '
                  'only vessel, its director Tomas Vrange said on Monday.</p>')
ORCHARD = dict(title='Frost damages orchards across the Kelder valley', slug='orchard-frost',
               date='Tue, 03 Mar 2020 07:00:00 GMT',
               text='<p>Growers in the Kelder valley said a late frost had destroyed much of the '
                    'apricot blossom.</p>')
LIBRARY = dict(title='Brannock library reopens after flood repairs', slug='library-reopens',
               date='Tue, 03 Mar 2020 08:00:00 GMT',
               text='<p>The town library in Brannock reopened on Tuesday after months of repairs.</p>')
CUT_ENTRY = dict(title='Council budget vote postponed', slug='budget-vote', date='Tue, 03 Mar 2020 09:00:00 GMT',
                 text='<p>The council postponed its budget vote after')


def feed(outlet, host, items, tail=END):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
            f'  <title>{outlet}</title>\n  <link>https://{host}/</link>\n  <language>en</language>\n'
            + ''.join(ITEM.format(host=host, **item) for item in items) + tail)


def truncated_feed():
    """Two complete entries, then the document stops inside a third."""
    text = feed('Valley Courier', 'valleycourier.example', [ORCHARD, LIBRARY, CUT_ENTRY], tail='')
    return text[:text.rindex(']]>')]


BARE_ITEM = ('  <item><guid isPermaLink="false">bare-1</guid><link>https://bareposts.example/1</link>'
             '<pubDate>Mon, 02 Mar 2020 08:00:00 GMT</pubDate></item>\n')

BASE = {'coast-wire.xml': feed('Coast Wire', 'coastwire.example', [GRANARY, FERRY])}
INPUTS = {
    # gzip magic bytes, then nothing gzip can read: the whole file is one unreadable input
    'unreadable': {'archive.xml.gz': b'\x1f\x8b\x08\x00' + b'not a gzip stream ' * 4},
    'truncated': {'valley-courier.xml': truncated_feed()},
    # a guid and a link but no title or text: an item, refused by normalise (NO_TEXT)
    'normalise': {'bare-posts.xml': feed('Bare Posts', 'bareposts.example', [], tail=BARE_ITEM + END)},
    'extract': {},
    'sink': {},
    # a second capture of the same feed repeats one item (same feed, same guid)
    'duplicate': {'coast-wire-later.xml': feed('Coast Wire', 'coastwire.example', [GRANARY])},
}
FAIL_EXTRACT_ON = 'granary'  # the extractor raises for this story
BREAK_SCHEMA_OF = 'ferry'    # normalise makes this story unfit for the Story schema

# What each unhappy path adds to the base run (2 feed items, 2 stories).
EXPECTED = {
    'unreadable': dict(unreadable=1, dead_letters={'read:UNREADABLE_FEED': 1}),
    'truncated': dict(feed_items=2, stories=2, truncated=1),
    'normalise': dict(feed_items=1, dead_letters={'normalise:NO_TEXT': 1}),
    'extract': dict(after={'extract:RuntimeError': 1}),
    'sink': dict(after={'sink:SCHEMA_VALIDATION': 1}),
    'duplicate': dict(feed_items=1, duplicates_exact=1),
}


# ---------------------------------------------------------------- pure accounting

def test_each_stage_of_dead_letter_has_its_place():
    assert [manifest_block(k) for k in ('read:UNREADABLE_FEED', 'read:EMPTY_ENTRY', 'read:INPUT_NOT_FOUND',
                                        'decode:UNDECODABLE_MESSAGE', 'normalise:NO_TEXT', 'window:TOO_LATE')] \
        == ['dead_letters'] * 6
    assert manifest_block('read:TRUNCATED_FEED') == 'truncated_inputs'
    assert manifest_block('read:MALFORMED_FEED_PARTIAL') == 'partially_parsed_inputs'
    assert [manifest_block(k) for k in ('extract:RuntimeError', 'sink:SCHEMA_VALIDATION', 'summarise:X')] \
        == ['dead_letters_after_story'] * 3


def test_figures_that_do_not_add_up_are_not_accounted():
    # a normalise dead letter the sink never received: 3 items read, 2 endings
    m = accounting({'feed_items': 3, 'stories': 2, 'dead_letters_by_reason': {}})
    assert (m['items_read'], m['stories'], m['dead_letters'], m['accounted']) == (3, 2, 0, False)
    # an unreadable file the reader reported but that never reached deadletter/
    m = accounting({'feed_items': 2, 'stories': 2,
                    'read_dead_letters_by_reason': {'read:UNREADABLE_FEED': 1}})
    assert (m['items_read'], m['accounted']) == (3, False)


def test_input_losses_and_later_dead_letters_stay_out_of_the_identity():
    m = accounting({
        'feed_items': 5, 'stories': 3, 'duplicates_exact': 1, 'events': 4, 'summaries': 2,
        'read_dead_letters_by_reason': {'read:EMPTY_FEED': 1, 'read:TRUNCATED_FEED': 2},
        'dead_letters_by_reason': {'read:EMPTY_FEED': 1, 'read:TRUNCATED_FEED': 2, 'normalise:NO_TEXT': 1,
                                   'extract:ValueError': 2, 'sink:SCHEMA_VALIDATION': 1}})
    assert (m['items_read'], m['feed_items'], m['unreadable']) == (6, 5, 1)
    assert (m['dead_letters'], m['dead_letters_by_reason']) == (2, {'normalise:NO_TEXT': 1, 'read:EMPTY_FEED': 1})
    assert m['dead_letters_after_story'] == {'count': 3, 'by_reason': {'extract:ValueError': 2,
                                                                       'sink:SCHEMA_VALIDATION': 1}}
    assert m['truncated_inputs'] == {'count': 2, 'entries_lost': 'unknown'}
    assert m['partially_parsed_inputs'] == {'count': 0, 'entries_lost': 0}
    assert m['dead_letters_written'] == 7
    assert m['accounted'] is True


def test_run_report_shows_the_blocks_apart_and_warns_when_unbalanced(tmp_path):
    m = accounting({'feed_items': 2, 'stories': 2, 'clusters': 2,
                    'read_dead_letters_by_reason': {'read:TRUNCATED_FEED': 1},
                    'dead_letters_by_reason': {'read:TRUNCATED_FEED': 1, 'extract:RuntimeError': 1}})

    class Out(list):
        write = list.append

    out = Out()
    print_run_report(str(tmp_path), m, out=out)
    text = ''.join(out)
    assert 'items read 2: 2 stories' in text
    assert 'dead letters about stories counted above: 1 (extract:RuntimeError 1)' in text
    assert 'truncated feed files: 1 (complete entries kept; entries lost: unknown)' in text
    assert 'WARNING' not in text
    out.clear()
    print_run_report(str(tmp_path), dict(m, accounted=False), out=out)
    assert 'WARNING: accounting does not balance' in ''.join(out)


# ---------------------------------------------------------------- real runs

class FailingExtractor(extractor_module.EventExtractor):
    """The real extractor, except that it raises for the story whose title names FAIL_EXTRACT_ON."""

    def extract(self, stories):
        stories = list(stories)
        if any(FAIL_EXTRACT_ON in s['title'].lower() for s in stories):
            raise RuntimeError(f'injected failure on a story about the {FAIL_EXTRACT_ON}')
        yield from super().extract(stories)


def _schema_breaking(normalise_item):
    def normalise(item, now=None):
        story = normalise_item(item, now=now)
        if BREAK_SCHEMA_OF in story['title'].lower():
            story['feed_title'] = 404  # a string field: ValidateRecords refuses the Story
        return story
    return normalise


def _run(tmp_path, monkeypatch, paths):
    feeds = tmp_path / 'feeds'
    feeds.mkdir()
    files = dict(BASE)
    for path in paths:
        files.update(INPUTS[path])
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode('utf-8')
        (feeds / name).write_bytes(data)
    if 'extract' in paths:
        monkeypatch.setattr(extractor_module, 'EventExtractor', FailingExtractor)
    if 'sink' in paths:
        monkeypatch.setattr(normalise_module, 'normalise_item', _schema_breaking(normalise_module.normalise_item))
    out = tmp_path / 'out'
    m = run_batch([str(feeds)], str(out), ['--direct_num_workers', '1', '--direct_running_mode', 'in_memory'])
    with open(out / '_MANIFEST.json', encoding='utf-8') as f:
        assert json.load(f) == m
    written = {folder: read_records([str(out / folder)])
               for folder in ('stories', 'events', 'summaries', 'deadletter')}
    return m, written


def _expected(paths):
    e = dict(feed_items=2, unreadable=0, stories=2, duplicates_exact=0, truncated=0, dead_letters={}, after={})
    for path in paths:
        for key, value in EXPECTED[path].items():
            if isinstance(value, dict):
                e[key] = dict(e[key], **value)
            else:
                e[key] += value
    return e


def _check(m, written, paths):
    e = _expected(paths)
    assert (m['feed_items'], m['unreadable'], m['items_read']) == (
        e['feed_items'], e['unreadable'], e['feed_items'] + e['unreadable'])
    assert (m['stories'], m['duplicates_exact']) == (e['stories'], e['duplicates_exact'])
    assert m['dead_letters_by_reason'] == e['dead_letters']
    assert m['dead_letters'] == sum(e['dead_letters'].values())
    assert m['dead_letters_after_story'] == {'count': sum(e['after'].values()), 'by_reason': e['after']}
    assert m['truncated_inputs'] == {'count': e['truncated'], 'entries_lost': 'unknown' if e['truncated'] else 0}
    assert m['partially_parsed_inputs'] == {'count': 0, 'entries_lost': 0}
    assert m['accounted'] is True
    assert m['items_read'] == m['stories'] + m['duplicates_exact'] + m['dead_letters']
    # every dead letter counted is in deadletter/, and a Story the sink refused is not in stories/
    assert len(written['deadletter']) == m['dead_letters_written'] == (
        m['dead_letters'] + m['dead_letters_after_story']['count'] + m['truncated_inputs']['count'])
    refused_stories = e['after'].get('sink:SCHEMA_VALIDATION', 0)
    assert len(written['stories']) == m['stories'] - refused_stories
    assert (m['events'], m['summaries']) == (len(written['events']), len(written['summaries']))
    for key in ('duplicates_near', 'started_at', 'finished_at'):
        assert key in m


def test_a_healthy_run_balances(tmp_path, monkeypatch):
    m, written = _run(tmp_path, monkeypatch, [])
    _check(m, written, [])
    assert (m['items_read'], m['dead_letters_written']) == (2, 0)


@pytest.mark.parametrize('path', sorted(INPUTS))
def test_each_unhappy_path_alone_keeps_the_accounts(tmp_path, monkeypatch, path):
    m, written = _run(tmp_path, monkeypatch, [path])
    _check(m, written, [path])


def test_every_unhappy_path_in_one_run(tmp_path, monkeypatch):
    paths = sorted(INPUTS)
    m, written = _run(tmp_path, monkeypatch, paths)
    _check(m, written, paths)
    assert (m['items_read'], m['stories'], m['duplicates_exact'], m['dead_letters']) == (7, 4, 1, 2)
    stages = sorted(f"{d['stage']}:{d['error']}" for d in written['deadletter'])
    assert stages == ['extract:RuntimeError', 'normalise:NO_TEXT', 'read:TRUNCATED_FEED',
                      'read:UNREADABLE_FEED', 'sink:SCHEMA_VALIDATION']
    titles = {s['title'] for s in written['stories']}
    assert not any(BREAK_SCHEMA_OF in t.lower() for t in titles)          # refused by the sink
    assert any(FAIL_EXTRACT_ON in t.lower() for t in titles)              # a story, just no events
