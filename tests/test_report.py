"""The crisis report (``wirewatch report``): series, baselines, zero handling, pane status,
escaping, no network loads, traceability to events, and the page as a browser draws it.

Every country, person and place here is invented (user-assigned ISO codes Q..).
"""
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirewatch import schemas
from wirewatch.pipeline import report
from wirewatch.pipeline.report import (ALERT_COLOURS, BAND_COLOUR, TOLL_COLOURS, TYPE_COLOURS,
                                       alert_thresholds, axis_ticks, bar_height, baseline_history,
                                       country_timelines, events_by_window, intensity_chart,
                                       pane_status, render_report, safe_url)
from wirewatch.transforms.summarise.core import ALERT_LEVELS, alert_level, apply_baselines

UTC = dt.timezone.utc
DAY = 86400
T0 = dt.datetime(2031, 5, 1, tzinfo=UTC)
NAMES = {'QVA': 'Veloria', 'QOS': 'Ostrana', 'QCA': 'Calvendia', 'QBE': 'Belmarra'}


def summary(country, day, events_by_type=None, intensity=None, alert='NONE', pane='ON_TIME',
            is_final=True, killed=None, injured=None, arrested=None, articles=None, **extra):
    """A valid CountrySummary for ``country`` and the window ``day`` days after T0."""
    by_type = dict(events_by_type or {})
    start = T0 + dt.timedelta(days=day)
    n = sum(by_type.values())
    rec = {
        'country': country, 'country_name': NAMES.get(country, country),
        'window_start': start, 'window_end': start + dt.timedelta(days=1),
        'pane': pane, 'is_final': is_final, 'events': n, 'stories': 1 if n else 0,
        'articles': articles if articles is not None else n, 'sources': 1 if n else 0,
        'events_by_type': by_type, 'killed': killed, 'injured': injured, 'arrested': arrested,
        'intensity': float(intensity if intensity is not None else 4.0 * n),
        'alert_level': alert, 'top_actors': [], 'top_locations': [], 'headlines': [],
        'crowd_size': None,
    }
    rec.update(extra)
    return schemas.check('CountrySummary', rec)


def event(eid, country, day, hour=9, event_type='ASSAULT', cluster='c1', sentence=None,
          actor1='Harbour Guard', actor2='dock workers', place='Port Selm', killed=None,
          source_url=None, source_name='Invented Wire'):
    published = T0 + dt.timedelta(days=day, hours=hour)
    rec = {
        'event_id': eid, 'story_id': cluster, 'cluster_id': cluster, 'event_type': event_type,
        'mode': None, 'quad_class': 4, 'cameo_root': '18',
        'actor1': {'name': actor1, 'sector': 'COP', 'country': country} if actor1 else None,
        'actor2': {'name': actor2, 'sector': 'CVL', 'country': country} if actor2 else None,
        'country': country,
        'location': {'name': place, 'country': country, 'admin1': 'North Reach', 'lat': None,
                     'lon': None, 'precision': 'CITY'},
        'event_date': published.date(), 'date_precision': 'DAY',
        'killed': killed, 'injured': None, 'arrested': None, 'crowd_size': None,
        'sentence': sentence or f'The {actor1} clashed with {actor2} in {place}.',
        'trigger': 'clashed', 'confidence': 0.9, 'published_at': published,
        'source_url': source_url or f'https://wire.example.test/{cluster}',
        'source_name': source_name, 'cameo_code': '180', 'toll_scope': None,
    }
    return schemas.check('Event', rec)


def story(sid, cluster, day, source, url, title='Clashes at the harbour of Port Selm', dup=True):
    published = T0 + dt.timedelta(days=day, hours=9)
    return {'story_id': sid, 'cluster_id': cluster, 'duplicate_of': cluster if dup else None,
            'url': url, 'canonical_url': url, 'source_name': source, 'feed_url': None,
            'title': title, 'text': 'text', 'language': 'en', 'published_at': published,
            'ingested_at': published, 'dateline_place': None, 'authors': [], 'item_id': None,
            'dateline_date': None, 'wire': None, 'date_flag': None, 'similarity': None}


def rects(svg, fill):
    """(width, height) of the <rect>s filled with ``fill`` in an SVG string."""
    out = []
    for tag in re.findall(r'<rect [^>]*>', svg):
        if f'fill="{fill}"' in tag:
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
            out.append((float(attrs['width']), float(attrs['height'])))
    return out


def crisis_data():
    """Veloria: a calm week, then a bad day; Ostrana: one quiet-ish window; Calvendia: protests."""
    summaries = [summary('QVA', d, {'PROTEST': 1}, intensity=v)
                 for d, v in ((0, 4.0), (1, 6.0), (2, 5.0), (4, 4.5))]
    summaries.append(summary('QVA', 5, {'ASSAULT': 3, 'PROTEST': 1}, intensity=95.0, alert='CRISIS',
                             killed=12, injured=30, arrested=0, articles=7))
    summaries.append(summary('QOS', 5, {'CONSULT': 1}, intensity=0.4))
    summaries.append(summary('QCA', 4, {'PROTEST': 2}, intensity=12.0, alert='WATCH'))
    events = [event(f'v{d}', 'QVA', d, event_type='PROTEST', cluster=f'cv{d}')
              for d in (0, 1, 2, 4)]
    events += [event('v5a', 'QVA', 5, cluster='c5', killed=12),
               event('v5b', 'QVA', 5, cluster='c5'),
               event('v5c', 'QVA', 5, cluster='c5'),
               event('v5d', 'QVA', 5, hour=23, event_type='PROTEST', cluster='c6')]
    events += [event('o5', 'QOS', 5, event_type='CONSULT', cluster='co5', actor1='Trade Council',
                     actor2=None, place='Ostra')]
    events += [event(f'c4{i}', 'QCA', 4, event_type='PROTEST', cluster='cc4', place='Lune')
               for i in range(2)]
    stories = [story('c5', 'c5', 5, 'Invented Wire', 'https://wire.example.test/c5', dup=False),
               story('s2', 'c5', 5, 'Harbour Herald', 'https://herald.example.test/port-selm')]
    return summaries, events, stories


# ------------------------------------------------------------------ axes and zero

def test_axis_ticks_round_up_and_keep_small_values_small():
    assert axis_ticks(0.4, minimum=10) == [0, 2, 4, 6, 8, 10]
    assert axis_ticks(37, minimum=10)[-1] == 40
    assert axis_ticks(0, minimum=5, integer=True) == [0, 1, 2, 3, 4, 5]
    assert axis_ticks(120, minimum=5, integer=True) == [0, 50, 100, 150]
    assert all(isinstance(t, int) for t in axis_ticks(7, minimum=5, integer=True))


def test_zero_is_zero_pixels_and_no_bar_outgrows_its_axis():
    assert bar_height(0, 10, 100) == 0 and bar_height(None, 10, 100) == 0
    assert bar_height(0.4, 10, 100) == pytest.approx(4.0)
    assert bar_height(25, 10, 100) == 100
    assert bar_height(3, 0, 100) == 0


def test_an_intensity_of_zero_draws_no_bar_and_a_small_one_a_short_bar():
    # The Belmarra (ex-"Belgium") bar: drawn full height for an intensity of 0.
    zero = country_timelines([summary('QBE', 0, {}, intensity=0.0)])[0]
    svg = intensity_chart(zero.charted)
    assert rects(svg, ALERT_COLOURS['NONE']) == []
    assert 'intensity 0 in every window' in svg
    small = country_timelines([summary('QBE', 0, {'CONSULT': 1}, intensity=0.4)])[0]
    [(_, height)] = rects(intensity_chart(small.charted), ALERT_COLOURS['NONE'])
    assert 0 < height < 0.05 * 150  # a 0.4 on an axis to 10, not the whole plot


def test_all_zero_series_draw_empty_charts_with_a_note():
    quiet = [summary('QBE', d, {}, intensity=0.0, killed=0) for d in range(3)]
    [t] = country_timelines(quiet)
    html = report.events_chart(t.charted) + report.tolls_chart(t.charted)
    assert not any(rects(html, c) for c in TYPE_COLOURS.values())
    assert not any(rects(html, c) for c in TOLL_COLOURS.values())
    assert 'no events in these windows' in html
    assert 'no one reported killed, injured or arrested' in html
    assert 'killed 0' in html and 'injured not reported' in html  # 0 and null stay distinct


# ------------------------------------------------------------------- pane status

def test_pane_status_is_never_open_for_a_window_that_is_over():
    late = summary('QVA', 0, {'PROTEST': 1}, pane='LATE', is_final=False)
    day_after = T0 + dt.timedelta(days=1, hours=3)
    assert pane_status(late, day_after) == 'provisional'
    assert pane_status(late, T0 + dt.timedelta(hours=20)) == 'open'
    assert pane_status(dict(late, is_final=True), T0 + dt.timedelta(hours=20)) == 'final'


def test_page_shows_provisional_for_a_finished_unclosed_day():
    late = summary('QVA', 0, {'PROTEST': 1}, pane='LATE', is_final=False)
    page = render_report([late], events=[event('e1', 'QVA', 0, event_type='PROTEST'),
                                         event('e2', 'QCA', 1, event_type='PROTEST')])
    # no as_of: the newest data (a day later) already says the window is over
    assert '(open)' not in page and 'class="status open"' not in page
    assert page.count('class="status provisional"') == 4  # overview, lede, table, event list
    page = render_report([late], as_of=T0 + dt.timedelta(hours=12))
    assert 'class="status open"' in page


# ---------------------------------------------------------------------- baselines

@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 70), st.floats(0, 200),
                          st.one_of(st.none(), st.integers(0, 150))),
                min_size=1, max_size=40, unique_by=lambda t: t[0]))
def test_baseline_history_grades_as_apply_baselines_does(windows):
    summaries = [summary('QVA', d, {'PROTEST': 1}, intensity=round(v, 3), killed=k)
                 for d, v, k in windows]
    graded = {s['window_start']: s['alert_level'] for s in apply_baselines(summaries, DAY, 28)}
    earlier = []
    for s in sorted(summaries, key=lambda s: s['window_start']):
        history = baseline_history(earlier, s['window_start'], DAY, 28)
        assert alert_level(s['intensity'], s['killed'], history) == graded[s['window_start']]
        earlier.append((s['window_start'], s['intensity']))
    [timeline] = country_timelines(summaries)
    for p in timeline.windows:
        assert alert_level(p.intensity, p.toll('killed'), p.history) == graded[p.start]


def test_quiet_windows_enter_the_baseline_as_zero():
    earlier = [(T0, 5.0), (T0 + dt.timedelta(days=1), 7.0)]
    assert baseline_history(earlier, T0 + dt.timedelta(days=4)) == (5.0, 7.0, 0.0, 0.0)
    assert baseline_history(earlier, T0 + dt.timedelta(days=1)) == (5.0,)
    assert baseline_history([], T0) == ()


@pytest.mark.parametrize('history', [(), (5.0, 7.0), (5.0, 7.0, 6.0, 0.0, 8.0), (40.0,) * 10,
                                     (0.0, 0.0, 0.0)])
def test_thresholds_are_where_alert_level_changes(history):
    th = alert_thresholds(history)
    assert th['baseline'] == (len(history) >= 3)
    for rank, level in enumerate(ALERT_LEVELS[1:], start=1):
        at, below = th[level], th[level] * (1 - 1e-9) - 1e-9
        assert ALERT_LEVELS.index(alert_level(at, None, history)) >= rank
        assert ALERT_LEVELS.index(alert_level(below, None, history)) < rank
    if th['baseline']:
        assert th['median'] == pytest.approx(statistics.median(history))
        assert th['median'] <= th['WATCH'] <= th['WARNING'] <= th['CRISIS']
    else:
        assert th['median'] is None


def test_band_is_drawn_from_the_country_earlier_windows():
    summaries, events, _ = crisis_data()
    veloria = next(t for t in country_timelines(summaries, events) if t.country == 'QVA')
    bad = veloria.windows[-1]
    assert bad.history == (4.0, 6.0, 5.0, 0.0, 4.5)  # day 3 was quiet
    assert bad.thresholds['baseline'] and bad.thresholds['median'] == pytest.approx(4.5)
    assert not veloria.windows[1].thresholds['baseline']  # one earlier window: absolute thresholds
    svg = intensity_chart(veloria.charted)
    assert len(rects(svg, BAND_COLOUR)) == 2  # days 4 and 5 have 3+ earlier windows
    [(_, crisis_bar)] = rects(svg, ALERT_COLOURS['CRISIS'])
    [(_, band)] = [r for r in rects(svg, BAND_COLOUR)][-1:]
    assert crisis_bar > band > 0


# --------------------------------------------------------------- series per country

def test_countries_are_ordered_by_worst_alert_then_intensity():
    summaries, events, _ = crisis_data()
    order = [t.country for t in country_timelines(summaries, events)]
    assert order == ['QVA', 'QCA', 'QOS']
    tie = [summary('QOS', 0, {'PROTEST': 1}, intensity=3.0),
           summary('QBE', 0, {'PROTEST': 1}, intensity=8.0)]
    assert [t.country for t in country_timelines(tie)] == ['QBE', 'QOS']


def test_charted_windows_are_contiguous_and_gaps_are_quiet():
    summaries, events, _ = crisis_data()
    veloria = next(t for t in country_timelines(summaries, events) if t.country == 'QVA')
    assert [p.start.day for p in veloria.charted] == [1, 2, 3, 4, 5, 6]  # 1 May .. 6 May
    gap = veloria.charted[3]
    assert gap.summary is None and gap.intensity == 0 and gap.toll('killed') is None
    ostrana = next(t for t in country_timelines(summaries, events) if t.country == 'QOS')
    assert len(ostrana.charted) == 6 and sum(p.summary is not None for p in ostrana.charted) == 1


def test_only_the_latest_pane_of_a_window_counts():
    early = summary('QVA', 0, {'PROTEST': 1}, intensity=4.0, pane='EARLY', is_final=False)
    on_time = summary('QVA', 0, {'PROTEST': 3}, intensity=12.0, alert='WATCH', is_final=False)
    [t] = country_timelines([early, on_time], as_of=T0 + dt.timedelta(days=2))
    assert [p.intensity for p in t.windows] == [12.0]
    assert t.windows[0].status == 'provisional'


def test_events_belong_to_the_window_of_their_publication_time_and_country():
    evs = [event('a', 'QVA', 0, hour=23), event('b', 'QVA', 1, hour=0), event('c', 'QOS', 0)]
    evs.append(dict(evs[0], event_id='d', country=None))
    by_window = events_by_window(evs, DAY)
    day0, day1 = int(T0.timestamp()), int(T0.timestamp()) + DAY
    assert [e['event_id'] for e in by_window[('QVA', day0)]] == ['a']
    assert [e['event_id'] for e in by_window[('QVA', day1)]] == ['b']
    assert [e['event_id'] for e in by_window[('QOS', day0)]] == ['c']
    assert sum(len(v) for v in by_window.values()) == 3


# ------------------------------------------------------------------------ the page

def test_each_window_lists_its_events_with_their_sources_and_the_cluster_articles():
    summaries, events, stories = crisis_data()
    page = render_report(summaries, events=events, stories=stories)
    key = int((T0 + dt.timedelta(days=5)).timestamp())
    block = re.search(rf'<details id="ev-QVA-{key}"[^>]*>(.*?)</details>', page, re.S).group(1)
    assert block.count('<li><span class="etype"') == 4
    assert 'ASSAULT' in block and '2031-05-06' in block
    assert 'Harbour Guard (COP, QVA) → dock workers (CVL, QVA)' in block
    assert 'Port Selm, North Reach, QVA' in block and 'killed 12' in block
    assert 'The Harbour Guard clashed with dock workers in Port Selm.' in block
    assert '<a href="https://wire.example.test/c5"' in block
    assert 'also carried by <a href="https://herald.example.test/port-selm"' in block
    assert 'Harbour Herald' in block
    # the window's events count links to that list
    assert f'href="#ev-QVA-{key}">4</a>' in page


def test_a_count_the_events_files_do_not_back_is_said_so():
    page = render_report([summary('QVA', 0, {'PROTEST': 2})], events=[event('e', 'QVA', 0)])
    assert 'The summary counts 2 events; the events files hold 1' in page


HOSTILE = '<script>alert("owned")</script>'


def test_hostile_text_is_escaped_and_hostile_links_are_not_links():
    s = summary('QVA', 0, {'PROTEST': 1}, country_name='<b onmouseover="x()">Veloria</b>',
                top_actors=[HOSTILE])
    ev = event('e1', 'QVA', 0, sentence=f'Crowds chanted {HOSTILE} in the square.',
               actor1='<img src=x onerror=alert(1)>', source_url='javascript:alert(1)',
               source_name='"><svg onload=alert(2)>', place='Selm "Old" Town')
    st_ = story('x', 'c1', 0, '<i>Herald</i>', 'javascript:alert(3)', title=HOSTILE)
    page = render_report([s], events=[ev], stories=[st_])
    assert page.count('<script') == 1 and page.rstrip().endswith('</script></body></html>')
    assert '&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;' in page
    for raw in ('<img', '<svg onload', '<b onmouseover', '<i>Herald', 'javascript:'):
        assert raw not in page
    assert 'Selm &quot;Old&quot; Town' in page


def test_safe_url_keeps_only_absolute_http_addresses():
    assert safe_url('https://a.example/x?y=1') == 'https://a.example/x?y=1'
    assert safe_url('http://a.example') == 'http://a.example'
    for bad in ('javascript:alert(1)', 'data:text/html,x', '//a.example/x', '/local', '', None,
                'http://'):
        assert safe_url(bad) is None


def test_page_loads_nothing_from_the_network():
    summaries, events, stories = crisis_data()
    page = render_report(summaries, events=events, stories=stories)
    assert not re.search(r'\bsrc\s*=', page, re.I)
    for needle in ('<link', '@import', 'url(', '<iframe', '<object', '<embed', 'http-equiv',
                   'xlink:href', 'fetch(', 'XMLHttpRequest'):
        assert needle not in page
    addresses = [m.start() for m in re.finditer(r'(https?:)?//', page)]
    assert addresses
    for at in addresses:  # every address is an article link's href
        assert page[:at].endswith('<a href="'), page[at - 60:at + 40]
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert {h for h in hrefs if not h.startswith('#')} <= {
        'https://wire.example.test/c5', 'https://herald.example.test/port-selm'} | {
        f'https://wire.example.test/{c}' for c in ('cv0', 'cv1', 'cv2', 'cv4', 'c6', 'co5', 'cc4')}


def test_overview_is_a_sortable_table_in_alert_order_with_a_trend_per_country():
    summaries, events, stories = crisis_data()
    page = render_report(summaries, events=events, stories=stories)
    table = re.search(r'<table id="overview">(.*?)</table>', page, re.S).group(1)
    assert re.findall(r'<tr id="row-(\w+)"', table) == ['QVA', 'QCA', 'QOS']
    assert table.count('<svg class="spark"') == 3
    assert table.count('data-type=') >= 8
    for y_title in ('events per window', 'people per window', 'intensity (score)'):
        assert page.count(f'>{y_title}</text>') == 3  # one chart each per country
    assert page.count('>window start, UTC (2031; 24 h windows)</text>') == 9


def test_empty_outputs_make_a_page_that_says_so():
    page = render_report([])
    assert 'No country summaries' in page and page.endswith('</html>')


def test_cli_report_finds_events_and_stories_beside_the_summaries(tmp_path, capsys):
    from wirewatch.pipeline.cli import main
    summaries, events, stories = crisis_data()
    out = tmp_path / 'out'
    # a stream writes per-window subfolders: the report reads them all
    for folder, name, records in (('summaries/2031-05-06T00:00:00', 'CountrySummary', summaries),
                                  ('events', 'Event', events), ('stories', 'Story', stories)):
        os.makedirs(out / folder)
        schemas.write_container(str(out / folder / 'part-0.avro'), name, records)
    for target in (out, out / 'summaries'):
        page = tmp_path / 'report.html'
        assert main(['report', str(target), '--html', str(page)]) == 0
        text = page.read_text(encoding='utf-8')
        assert 'Veloria (QVA)' in text and 'Harbour Herald' in text
        assert 'The Harbour Guard clashed with dock workers in Port Selm.' in text
        assert f'{len(events)} events ->' in capsys.readouterr().out


# ------------------------------------------------------------------------- browser

CHROMIUM_TIMEOUT = 90


@pytest.fixture(scope='module')
def chromium():
    path = shutil.which('chromium') or shutil.which('chromium-browser')
    if not path:
        pytest.skip('no chromium binary on PATH (chromium or chromium-browser): '
                    'install it (apt-get install chromium) to run the browser test')
    try:
        subprocess.run([path, '--version'], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f'{path} does not run here: {exc}')
    return path


def _headless(chromium, tmp_path, *args):
    return [chromium, '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
            '--disable-extensions', '--hide-scrollbars', '--force-device-scale-factor=1',
            f'--user-data-dir={tmp_path / "profile"}', *args]


def _first_country_section(page):
    return re.search(r'<section class="country".*?</section>', page, re.S).group(0)


def test_browser_draws_the_charts(chromium, tmp_path):
    Image = pytest.importorskip('PIL.Image')  # Pillow comes with apache-beam
    summaries, events, stories = crisis_data()
    page = render_report(summaries, events=events, stories=stories)
    html_file = tmp_path / 'report.html'
    html_file.write_text(page, encoding='utf-8')
    png = tmp_path / 'report.png'
    proc = subprocess.run(_headless(chromium, tmp_path, '--window-size=1280,1600',
                                    f'--screenshot={png}', html_file.as_uri()),
                          capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT)
    assert png.exists(), proc.stderr[-2000:]
    image = Image.open(png).convert('RGB')
    assert image.size == (1280, 1600)
    colours = collections_counter(image)
    total = image.size[0] * image.size[1]
    white = colours.get((255, 255, 255), 0)
    assert total - white > 0.05 * total, 'the page rendered (almost) blank'
    # Veloria's charts, first on the page: each chart colour covers (most of) the area its
    # rectangles were given in the SVG, less what the rectangles drawn over them hide.
    section = _first_country_section(page)
    for fill in (TYPE_COLOURS['ASSAULT'], TYPE_COLOURS['PROTEST'], TOLL_COLOURS['killed'],
                 TOLL_COLOURS['injured'], BAND_COLOUR, ALERT_COLOURS['CRISIS']):
        expected = visible_area(section, fill)
        assert expected > 150, fill
        drawn = sum(n for rgb, n in colours.items() if _near(rgb, fill))
        assert drawn >= 0.7 * expected, (fill, drawn, expected)


def visible_area(svg, fill):
    """Pixels of the <rect>s filled with ``fill`` not covered by filled rects drawn after them
    in the same chart (each <svg> has its own coordinates)."""
    area = 0.0
    for chart in re.findall(r'<svg .*?</svg>', svg, re.S):
        boxes = []
        for tag in re.findall(r'<rect [^>]*>', chart):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
            if 'fill' in attrs:
                x, y, w, h = (float(attrs[k]) for k in ('x', 'y', 'width', 'height'))
                boxes.append((attrs['fill'], x, y, x + w, y + h))
        for i, (colour, x0, y0, x1, y1) in enumerate(boxes):
            if colour != fill:
                continue
            area += (x1 - x0) * (y1 - y0)
            for _, a0, b0, a1, b1 in boxes[i + 1:]:  # bars do not overlap each other
                area -= max(0.0, min(x1, a1) - max(x0, a0)) * max(0.0, min(y1, b1) - max(y0, b0))
    return area


def collections_counter(image):
    """{(r, g, b): pixels} of a Pillow image."""
    return {rgb: n for n, rgb in image.getcolors(maxcolors=image.size[0] * image.size[1])}


def _near(rgb, hex_colour, tolerance=3):
    want = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, want))


def test_browser_sorts_the_overview_by_a_clicked_column(chromium, tmp_path):
    summaries, events, stories = crisis_data()
    page = render_report(summaries, events=events, stories=stories)
    probe = ("<script>var h=document.querySelectorAll('#overview th');"
             "h[0].click();var a=[].map.call(document.querySelectorAll('#overview tbody tr'),"
             "function(r){return r.id}).join(',');h[2].click();"
             "var b=[].map.call(document.querySelectorAll('#overview tbody tr'),"
             "function(r){return r.id}).join(',');"
             "var d=document.body;d.setAttribute('data-by-name',a);"
             "d.setAttribute('data-by-peak',b);"
             "d.setAttribute('data-hint',String(document.getElementById('sort-hint').hidden));"
             "</script></body>")
    html_file = tmp_path / 'sort.html'
    html_file.write_text(page.replace('</body>', probe), encoding='utf-8')
    proc = subprocess.run(_headless(chromium, tmp_path, '--dump-dom', html_file.as_uri()),
                          capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT)
    body = re.search(r'<body([^>]*)>', proc.stdout)
    assert body, proc.stderr[-2000:]
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    # by name: Calvendia, Ostrana, Veloria; by peak intensity, highest first
    assert attrs['data-by-name'] == 'row-QCA,row-QOS,row-QVA'
    assert attrs['data-by-peak'] == 'row-QVA,row-QCA,row-QOS'
    assert attrs['data-hint'] == 'false'


def test_overview_tolls_add_up_the_windows_net_figures():
    """Window figures are net of earlier windows (summarise nets restatements), so the
    overview adds them: 164, then 0 for the restatement, then 6."""
    from wirewatch.pipeline.report import CountryTimeline

    class W:
        def __init__(self, killed):
            self.killed = killed

        def toll(self, field):
            return self.killed if field == 'killed' else None

    timeline = CountryTimeline('KAZ', 'Kazakhstan', [W(164), W(0), W(6)], [])
    assert timeline.toll_total('killed') == 170
    assert timeline.toll_total('injured') is None
