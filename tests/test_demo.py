"""`wirewatch demo`: the live sample is fresh at any time of day, the demo waits for every
country and window it has events for, and (on the real emulator) prints them all."""
import calendar
import collections
import datetime as dt
import os
import re

import pytest

from factories import emulator_available

from wirewatch.pipeline import demo
from wirewatch.pipeline.demo import (FRESHNESS, days_to_shift, sample_dates, uncovered_windows,
                                     window_start, write_live_sample)
from wirewatch.pipeline.options import DAY
from wirewatch.transforms.summarise import too_late

UTC = dt.timezone.utc
LATENESS = 2 * DAY  # the stream's default --allowed_lateness_seconds
# times of day around the sample's newest item (09:30 UTC) and the day's edges
NOWS = [dt.datetime(2026, 3, 1, h, m, tzinfo=UTC) for h, m in
        ((0, 5), (7, 30), (9, 39), (9, 41), (12, 0), (23, 55))] + [
    dt.datetime(2027, 1, 1, 0, 5, tzinfo=UTC)]  # across a year end

_ITEM = re.compile(r'<(item|entry)>(.*?)</\1>', re.S)
_DATELINE = re.compile(r'\b(' + '|'.join(calendar.month_name[1:]) + r') (\d{1,2})\b')
_WEEKDAY = re.compile(r'\bon (' + '|'.join(calendar.day_name) + r')\b')


def _live_sample(tmp_path, now):
    out = tmp_path / f'{now:%Y%m%dT%H%M}'
    out.mkdir()
    names = write_live_sample(str(out), now=now)
    return {name: (out / name).read_text(encoding='utf-8') for name in names}


def _items(text):
    """(publication time, dateline date or None, weekday named or None) per item."""
    for _, body in _ITEM.findall(text):
        dates = sample_dates(body)
        if not dates:
            continue
        published = dates[0]
        dateline = _DATELINE.search(body)
        day = None
        if dateline:
            month = list(calendar.month_name).index(dateline.group(1))
            year = published.year - (1 if month == 12 and published.month == 1 else 0)
            day = dt.date(year, month, int(dateline.group(2)))
        weekday = _WEEKDAY.search(body)
        yield published, day, weekday.group(1) if weekday else None


@pytest.mark.parametrize('now', NOWS, ids=lambda n: f'{n:%Y-%m-%dT%H:%M}Z')
def test_live_sample_is_fresh_and_within_lateness_at_any_time_of_day(tmp_path, now):
    texts = _live_sample(tmp_path, now)
    dates = [d for t in texts.values() for d in sample_dates(t)]
    newest = max(dates)
    # the newest item is a few minutes to a day old, never in the future
    assert now - FRESHNESS - dt.timedelta(days=1) < newest <= now - FRESHNESS
    assert all(d <= now for d in dates)
    # no item is too late for its window: the local stream's Pub/Sub watermark is the
    # wall clock, so the stream would dead-letter it (no summary)
    assert not [d for d in dates if too_late(d, now, DAY, LATENESS)]
    # the newest item's window is today's (still open) exactly when its time of day has passed
    today = window_start(now, DAY)
    assert window_start(newest, DAY) == (today if newest >= today else today - dt.timedelta(days=1))


@pytest.mark.parametrize('now', NOWS, ids=lambda n: f'{n:%Y-%m-%dT%H:%M}Z')
def test_live_sample_keeps_datelines_and_weekdays_with_their_dates(tmp_path, now):
    original = {name: open(os.path.join(demo.SAMPLE_DIR, name), encoding='utf-8').read()
                for name in demo.LIVE_FEEDS}
    shifted = _live_sample(tmp_path, now)
    for name in demo.LIVE_FEEDS:
        before, after = list(_items(original[name])), list(_items(shifted[name]))
        assert len(before) == len(after)
        for (pub0, day0, wd0), (pub1, day1, wd1) in zip(before, after):
            assert (pub1 - pub0) % dt.timedelta(days=1) == dt.timedelta(0)  # whole days
            if day0:
                assert day1 - pub1.date() == day0 - pub0.date()
            if wd0:  # "on Monday" keeps its distance to the publication's weekday
                days = list(calendar.day_name)
                assert (days.index(wd1) - pub1.weekday()) % 7 == (days.index(wd0) - pub0.weekday()) % 7


def test_days_to_shift_never_moves_the_sample_back():
    newest = dt.datetime(2022, 3, 7, 9, 30, tzinfo=UTC)
    assert days_to_shift(newest, newest) == 0
    assert days_to_shift(newest, newest + FRESHNESS + dt.timedelta(days=3)) == 3


def _event(country, published, n=0):
    return {'country': country, 'published_at': published, 'event_id': f'{country}-{n}'}


def _summary(country, start, events, pane='EARLY', articles=1):
    return {'country': country, 'window_start': start, 'events': events, 'pane': pane,
            'is_final': False, 'articles': articles}


def test_uncovered_windows_lists_events_no_summary_counts_yet():
    today = dt.datetime(2026, 3, 1, tzinfo=UTC)
    yesterday = today - dt.timedelta(days=1)
    events = [_event('ZMB', today + dt.timedelta(hours=9), 1),
              _event('ZMB', today + dt.timedelta(hours=10), 2),
              _event('PER', yesterday + dt.timedelta(hours=16), 3),
              _event(None, today, 4)]  # an event without a country is in no summary
    assert uncovered_windows(events, [], DAY) == [('PER', yesterday), ('ZMB', today)]
    # yesterday's window closed: its LATE pane comes at once; today's early pane counts 1 of 2
    summaries = [_summary('PER', yesterday, 1, pane='LATE'), _summary('ZMB', today, 1)]
    assert uncovered_windows(events, summaries, DAY) == [('ZMB', today)]
    # panes accumulate: the latest pane of the window is the one that must count them all
    summaries.append(_summary('ZMB', today, 2, articles=2))
    assert uncovered_windows(events, summaries, DAY) == []


def test_watcher_is_done_only_when_covered_and_quiet(monkeypatch):
    today = dt.datetime(2026, 3, 1, tzinfo=UTC)
    queue = {'Event': [[_event('ZMB', today + dt.timedelta(hours=9))], []],
             'CountrySummary': [[], [_summary('ZMB', today, 1)]]}

    def pull_records(subscription, record_type, **_):
        batch = queue[record_type].pop(0) if queue[record_type] else []
        return [(r, {}) for r in batch]

    clock = [100.0]
    monkeypatch.setattr('wirewatch.pipeline.pubsub.pull_records', pull_records)
    monkeypatch.setattr(demo.time, 'monotonic', lambda: clock[0])
    watcher = demo.OutputWatcher('events-sub', 'summaries-sub', 'localhost:1', DAY, quiet_seconds=10)
    assert not watcher()          # an event, no summary yet
    assert not watcher()          # its summary: covered, but not yet quiet
    clock[0] += 9
    assert not watcher()
    clock[0] += 1
    assert watcher()              # covered and quiet for 10 s


def _avro_files(folder):
    return [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith('.avro')]


@pytest.mark.emulator
@pytest.mark.skipif(not emulator_available(), reason='Java or the Pub/Sub emulator is absent')
def test_demo_prints_every_country_and_window_of_the_sample(tmp_path, capsys):
    """The live demo against a batch run of the same sample: every (country, day) the batch
    finds is printed, today's still-open window included, and every output file is final."""
    from wirewatch.pipeline.cli import main, run_batch
    from wirewatch.schemas import read_container
    from wirewatch.transforms.sinks import OUTPUT_FOLDERS

    newest = max(d for name in demo.LIVE_FEEDS
                 for d in sample_dates(open(os.path.join(demo.SAMPLE_DIR, name)).read()))
    shifts = {days_to_shift(newest, dt.datetime.now(UTC))}
    out = tmp_path / 'demo-out'
    lines = []
    latest = demo.run_demo(str(out), max_seconds=240, log=lines.append)
    shifts.add(days_to_shift(newest, dt.datetime.now(UTC)))

    run_batch([demo.SAMPLE_DIR], str(tmp_path / 'batch-out'))
    batch = [read_container(f) for f in _avro_files(str(tmp_path / 'batch-out' / 'summaries'))]
    printed = {(s['country'], s['window_start']) for s in latest}
    assert any(printed == {(s['country'], s['window_start'] + dt.timedelta(days=shift))
                           for records in batch for s in records}
               for shift in shifts), (printed, lines)
    assert 'stream stopped: condition' in '\n'.join(lines)
    # the newest item's window: today's (open, an EARLY pane) or yesterday's
    newest_day = window_start(newest, DAY)
    assert any(start - dt.timedelta(days=shift) == newest_day
               for _, start in printed for shift in shifts)

    # every file final and readable; all four folders there
    for folder in OUTPUT_FOLDERS.values():
        assert (out / folder).is_dir()
    leftovers = [os.path.join(d, n) for d, dirs, names in os.walk(out) for n in names + dirs
                 if n.startswith('.') or not (n.endswith('.avro') or n == '_MANIFEST.json'
                                              or n in OUTPUT_FOLDERS.values())]
    assert leftovers == []
    capsys.readouterr()
    assert main(['read', str(out / 'events')]) == 0
    assert capsys.readouterr().out.strip()
    # every event written is counted by a printed summary, and nothing else is
    events = [e for f in _avro_files(str(out / 'events')) for e in read_container(f)]
    per_window = collections.Counter((e['country'], window_start(e['published_at'], DAY))
                                     for e in events if e.get('country'))
    assert per_window == {(s['country'], s['window_start']): s['events'] for s in latest}
