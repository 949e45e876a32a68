"""The seed article (../shared/seed-article.txt) syndicated through one aggregator feed: four
outlets carry it verbatim and a fifth an edited copy, each named by the item's RSS <source>.
`wirewatch run` (the Beam batch path) must count one story, five articles and five outlets,
and the tolls once. Skipped when the shared folder is absent (a user's fresh clone)."""
import html
import json
import os
import subprocess
import sys

import pytest

from wirewatch.pipeline.outputs import read_records

SEED = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'seed-article.txt')
pytestmark = pytest.mark.skipif(not os.path.exists(SEED), reason='../shared/seed-article.txt not present')

OUTLETS = [  # (outlet, link, minutes after 15:00 UTC)
    ('Steppe Herald', 'https://www.steppeherald.example/world/kazakh-purges', 0),
    ('Caspian Times', 'https://caspiantimes.example/asia/2022/01/09/kazakh-president-purges', 5),
    ('Northern Ledger', 'https://news.northernledger.example/kazakhstan-purges', 10),
    ('Harbour Gazette', 'https://harbourgazette.example/international/kazakh-intelligence', 15),
]
EDITED = ('Daily Planet', 'https://www.dailyplanet.example/news/kazakh-purges-edited', 40)
DROPPED = 'Supermarket chain Magnum said 15 of its 68 Almaty stores had been looted.'
REWORDED = [('sacked two other national security officials on Sunday',   # in the lead: not identical
             'dismissed two more national security officials on Sunday'),
            ('Thousands of people have since been arrested, while public buildings have been set on fire',
             'Thousands have been detained since then, and public buildings were torched')]


def seed():
    with open(SEED, encoding='utf-8') as f:
        title, body = f.read().strip().split('\n', 1)
    return title.strip(), body


def edited(body):
    """A lightly edited copy: one sentence dropped, two phrases reworded (one in the lead)."""
    assert DROPPED in body and all(old in body for old, _ in REWORDED)
    body = body.replace(DROPPED, '')
    for old, new in REWORDED:
        body = body.replace(old, new)
    return body


def as_html(body):
    return ''.join(f'<p>{html.escape(p.strip())}</p>\n' for p in body.split('\n') if p.strip())


def aggregator_feed(title, body):
    items = []
    for n, (outlet, link, minutes) in enumerate(OUTLETS + [EDITED]):
        text = edited(body) if (outlet, link, minutes) == EDITED else body
        items.append(f'''  <item>
    <title>{html.escape(title)}</title>
    <link>{link}</link>
    <guid isPermaLink="false">roundup-{n}</guid>
    <pubDate>Sun, 09 Jan 2022 15:{minutes:02d}:00 GMT</pubDate>
    <source url="{link.rsplit('/', 1)[0]}/rss">{outlet}</source>
    <description><![CDATA[{as_html(text)}]]></description>
  </item>''')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
            '  <title>Central Asia Roundup</title>\n  <link>https://roundup.example/</link>\n'
            '  <language>en</language>\n' + '\n'.join(items) + '\n</channel></rss>\n')


@pytest.fixture(scope='module')
def run_output(tmp_path_factory):
    base = tmp_path_factory.mktemp('syndicated')
    feed = base / 'feeds' / 'central-asia-roundup.xml'
    feed.parent.mkdir()
    feed.write_text(aggregator_feed(*seed()), encoding='utf-8')
    out = base / 'out'
    proc = subprocess.run(
        [sys.executable, '-m', 'wirewatch.pipeline.cli', 'run', '--quiet', '--input', str(feed.parent),
         '--output', str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out / '_MANIFEST.json') as f:
        manifest = json.load(f)
    return manifest, read_records([str(out / 'stories')]), read_records([str(out / 'summaries')])


def test_every_copy_is_a_story_of_its_own_outlet(run_output):
    manifest, stories, _ = run_output
    assert (manifest['items_read'], manifest['stories'], manifest['dead_letters'], manifest['accounted']) == (
        5, 5, 0, True)
    assert sorted(s['source_name'] for s in stories) == sorted(o for o, _, _ in OUTLETS + [EDITED])
    assert {s['feed_title'] for s in stories} == {'Central Asia Roundup'}
    assert len({s['cluster_id'] for s in stories}) == 1
    edited_copy = next(s for s in stories if s['source_name'] == EDITED[0])
    assert edited_copy['duplicate_of'] and edited_copy['similarity'] < 1.0   # a near-duplicate, not a copy


def test_kaz_summary_counts_one_story_five_articles_five_outlets(run_output):
    _, _, summaries = run_output
    (kaz,) = [s for s in summaries if s['country'] == 'KAZ']
    assert kaz['killed'] == 164
    assert kaz['arrested'] == 6044
    assert kaz['stories'] == 1
    assert kaz['articles'] == 5
    assert kaz['sources'] == 5
