"""`wirewatch run` as a backfill over undated items: each takes the feed's date or a capture
time; an item whose only time would be the run's is a dead letter, opens no window of the
run's day, and the manifest still accounts for every item."""
import datetime
import json
import os
import subprocess
import sys

import pytest

from wirewatch.pipeline.outputs import read_records

UTC = datetime.timezone.utc

FEED = '''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>{outlet}</title>
  <link>https://{host}/</link>
  <language>en</language>
  {channel_date}
  <item>
    <title>{title}</title>
    <link>https://{host}/{slug}</link>
    <guid isPermaLink="false">{slug}</guid>
    <description><![CDATA[{text}]]></description>
  </item>
</channel></rss>
'''

# Synthetic stories (not real reporting); none carries a date of its own.
ECUADOR = ('<p>QUITO, August 16 – Riot police in Ecuador used tear gas on Sunday to clear miners '
           'protesting over unpaid wages from the main highway south of Quito.</p>'
           '<p>Hospital officials said 14 people were killed in the clashes.</p>'
           '<p>The interior ministry said 260 people were arrested.</p>')
CHILE = ('<p>SANTIAGO, August 17 – Thousands of students marched through central Santiago on Monday '
         'to protest against tuition fees.</p><p>Police said 40 protesters were arrested.</p>')
NIGERIA = ('<p>LAGOS, August 18 – Soldiers opened fire on protesters in Lagos on Tuesday.</p>'
           '<p>Hospital officials said 9 people were killed.</p>')


def write_feeds(folder):
    folder.mkdir()
    files = {
        # no item date; the feed's own lastBuildDate
        'ecuador-wire.xml': dict(outlet='Andes Wire', host='andeswire.example.com', slug='ecuador-miners',
                                 title='Police clear miners blockade in Ecuador', text=ECUADOR,
                                 channel_date='<lastBuildDate>Sun, 16 Aug 2020 12:00:00 GMT</lastBuildDate>'),
        # no date at all; the file name carries the capture time
        '20200817T080000Z_5135788d.xml': dict(outlet='Southern Post', host='southernpost.example.cl',
                                              slug='santiago-march', title='Students march in Santiago',
                                              text=CHILE, channel_date=''),
        # no date at all, and a name without one: only the run's time is left
        'lagos-desk.xml': dict(outlet='Lagos Desk', host='lagosdesk.example.ng', slug='lagos-shooting',
                               title='Soldiers fire on protesters in Lagos', text=NIGERIA, channel_date=''),
    }
    for name, fields in files.items():
        (folder / name).write_text(FEED.format(**fields), encoding='utf-8')
    return folder


def run(feeds, out, *flags):
    proc = subprocess.run(
        [sys.executable, '-m', 'wirewatch.pipeline.cli', 'run', '--quiet', '--input', str(feeds),
         '--output', str(out), *flags], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out / '_MANIFEST.json') as f:
        manifest = json.load(f)
    return manifest, {name: read_records([os.path.join(out, name)]) if os.path.isdir(out / name) else []
                      for name in ('stories', 'summaries', 'deadletter')}


@pytest.fixture(scope='module')
def from_filename(tmp_path_factory):
    base = tmp_path_factory.mktemp('backfill')
    started = datetime.datetime.now(UTC)
    manifest, records = run(write_feeds(base / 'feeds'), base / 'out', '--capture-time-from-filename')
    return manifest, records, started


def test_each_undated_item_takes_the_best_time_the_input_offers(from_filename):
    _, records, _ = from_filename
    stories = {s['feed_title']: s for s in records['stories']}
    assert set(stories) == {'Andes Wire', 'Southern Post'}
    andes, southern = stories['Andes Wire'], stories['Southern Post']
    assert (andes['published_at'], andes['date_flag']) == (
        datetime.datetime(2020, 8, 16, 12, 0, tzinfo=UTC), 'MISSING_DATE_USED_FEED_DATE')
    assert (southern['published_at'], southern['date_flag']) == (
        datetime.datetime(2020, 8, 17, 8, 0, tzinfo=UTC), 'MISSING_DATE_USED_CAPTURE_TIME')


def test_an_item_dated_only_by_the_run_is_a_dead_letter_and_accounted(from_filename):
    manifest, records, _ = from_filename
    assert (manifest['items_read'], manifest['stories'], manifest['duplicates_exact'],
            manifest['dead_letters']) == (3, 2, 0, 1)
    assert manifest['accounted'] is True
    assert manifest['dead_letters_by_reason'] == {'normalise:UNDATED_IN_BACKFILL': 1}
    (dead,) = records['deadletter']
    assert dead['source'] == 'https://lagosdesk.example.ng/'
    assert b'Soldiers fire on protesters in Lagos' in dead['payload']


def test_no_window_opens_on_the_day_of_the_run(from_filename):
    _, records, started = from_filename
    summaries = records['summaries']
    assert {s['window_start'].date() for s in summaries} <= {datetime.date(2020, 8, 16), datetime.date(2020, 8, 17)}
    assert started.date() not in {s['window_start'].date() for s in summaries}
    assert 'NGA' not in {s['country'] for s in summaries}
    ecu = [s for s in summaries if s['country'] == 'ECU']
    assert [(s['window_start'].date(), s['killed'], s['arrested']) for s in ecu] == [
        (datetime.date(2020, 8, 16), 14, 260)]


def test_operator_capture_time_keeps_the_rest(tmp_path):
    manifest, records = run(write_feeds(tmp_path / 'feeds'), tmp_path / 'out',
                            '--capture-time', '2020-08-18T09:00:00+01:00', '--capture-time-from-filename')
    assert (manifest['stories'], manifest['dead_letters'], manifest['accounted']) == (3, 0, True)
    when = {s['feed_title']: (s['published_at'], s['date_flag']) for s in records['stories']}
    assert when == {
        'Andes Wire': (datetime.datetime(2020, 8, 16, 12, 0, tzinfo=UTC), 'MISSING_DATE_USED_FEED_DATE'),
        'Southern Post': (datetime.datetime(2020, 8, 17, 8, 0, tzinfo=UTC), 'MISSING_DATE_USED_CAPTURE_TIME'),
        'Lagos Desk': (datetime.datetime(2020, 8, 18, 8, 0, tzinfo=UTC), 'MISSING_DATE_USED_CAPTURE_TIME'),
    }
    assert {s['window_start'].date() for s in records['summaries']} <= {
        datetime.date(2020, 8, 16), datetime.date(2020, 8, 17), datetime.date(2020, 8, 18)}


@pytest.mark.parametrize('value', ['2020-08-18', 'yesterday', '2020-08-18T09:00:00'])
def test_a_bad_capture_time_stops_the_run_with_one_line(tmp_path, value):
    proc = subprocess.run(
        [sys.executable, '-m', 'wirewatch.pipeline.cli', 'run', '--input', str(tmp_path),
         '--output', str(tmp_path / 'out'), '--capture-time', value], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and '--capture-time' in proc.stderr
