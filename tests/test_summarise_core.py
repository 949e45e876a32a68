"""Per-country summaries: toll reconciliation, idempotent merging, alert levels, baselines."""
import datetime as dt

from wirewatch import schemas
from wirewatch.transforms.summarise.core import (Contribution, alert_level, apply_baselines,
                                                 cluster_contributions, reconcile_toll,
                                                 summarise_country)

UTC = dt.timezone.utc
DAY = dt.datetime(2022, 1, 9, tzinfo=UTC)


def event(eid, etype, country='KAZ', place=None, precision='COUNTRY', **tolls):
    ev = {'event_id': eid, 'event_type': etype, 'country': country, 'cluster_id': 'c',
          'actor1': {'name': 'police', 'sector': 'COP', 'country': country}, 'actor2': None,
          'location': {'name': place or country, 'country': country, 'admin1': None,
                       'lat': None, 'lon': None, 'precision': precision},
          'killed': None, 'injured': None, 'arrested': None, 'crowd_size': None,
          'sentence': 's', 'source_url': 'http://x', 'source_name': 'X'}
    ev.update(tolls)
    return ev


def story(sid, source, dup=None):
    return {'story_id': sid, 'duplicate_of': dup, 'source_name': source, 'title': f'title {sid}',
            'url': f'http://{source}/{sid}', 'published_at': DAY}


def test_one_figure_reported_by_many_stories_counts_once():
    assert reconcile_toll([('COUNTRY', 164), ('COUNTRY', 164), ('COUNTRY', 160)]) == 164
    # two different cities add up; the same figure in two places counts once
    assert reconcile_toll([('Almaty', 100), ('Aktobe', 20)]) == 120
    assert reconcile_toll([('Almaty', 164), ('Aktobe', 164)]) == 164
    # a national figure larger than the local sum replaces it
    assert reconcile_toll([('Almaty', 100), ('Aktobe', 20), ('COUNTRY', 164)]) == 164
    assert reconcile_toll([]) is None


def test_cluster_contributions_count_articles_and_outlets():
    events = [event('e1', 'ASSAULT', killed=164), event('e2', 'MOBILIZE', country='RUS')]
    stories = [story('a', 'Reuters'), story('b', 'Reuters', 'a'), story('c', 'Yahoo', 'a')]
    contribs = dict(cluster_contributions('a', events, stories))
    assert set(contribs) == {'KAZ', 'RUS'}
    assert contribs['KAZ'].articles == 3 and contribs['KAZ'].sources == {'Reuters', 'Yahoo'}
    assert contribs['KAZ'].title == 'title a'


def test_summary_is_valid_and_counts_a_re_emitted_cluster_once():
    early = Contribution('a', 2, frozenset({'Reuters'}), 't', 'u',
                         (event('e1', 'ASSAULT', killed=164),))
    late = Contribution('a', 5, frozenset({'Reuters', 'AP'}), 't', 'u',
                        (event('e1', 'ASSAULT', killed=164), event('e3', 'COERCE', arrested=6044)))
    other = Contribution('b', 1, frozenset({'AP'}), 't2', 'u2',
                         (event('e4', 'ASSAULT', killed=164), event('e5', 'PROTEST')))
    s = summarise_country('KAZ', 'Kazakhstan', [early, late, other], DAY,
                          DAY + dt.timedelta(days=1))
    schemas.check('CountrySummary', s)
    assert (s['stories'], s['articles'], s['sources']) == (2, 6, 2)
    assert s['events_by_type'] == {'ASSAULT': 2, 'COERCE': 1, 'PROTEST': 1}
    assert (s['killed'], s['arrested'], s['injured']) == (164, 6044, None)
    assert s['alert_level'] == 'CRISIS'
    assert s['headlines'][0] == {'title': 't', 'url': 'u', 'sources': 2}


def test_alert_level_against_own_baseline():
    calm = [5.0, 6.0, 4.0, 5.0]
    assert alert_level(5.5, 0, calm) == 'NONE'
    assert alert_level(30.0, 0, calm) == 'CRISIS'
    noisy = [40.0, 60.0, 50.0, 45.0]
    assert alert_level(55.0, 0, noisy) == 'NONE'      # a usual day for this country
    assert alert_level(55.0, 0, ()) == 'WARNING'      # without history: absolute scale


def test_baselines_count_quiet_days_as_zero():
    def summ(day, intensity):
        return {'window_start': DAY + dt.timedelta(days=day), 'pane': 'ON_TIME', 'is_final': True,
                'intensity': intensity, 'killed': None, 'alert_level': 'X'}
    graded = apply_baselines([summ(0, 4.0), summ(5, 20.0)])
    # days 1-4 were quiet: the baseline is [4, 0, 0, 0, 0], so 20 stands out
    assert graded[0]['alert_level'] == 'NONE'
    assert graded[1]['alert_level'] == 'CRISIS'


def test_latest_panes_keeps_the_newest_pane_per_country_and_window():
    from wirewatch.transforms.summarise.core import latest_panes

    def pane(country, day, name, final, articles):
        return {'country': country, 'window_start': DAY + dt.timedelta(days=day), 'pane': name,
                'is_final': final, 'articles': articles, 'events': 1}
    early, on_time = pane('KAZ', 0, 'EARLY', False, 2), pane('KAZ', 0, 'ON_TIME', False, 3)
    late, closing = pane('KAZ', 0, 'LATE', False, 4), pane('KAZ', 0, 'LATE', True, 4)
    other = pane('RUS', 0, 'EARLY', False, 1)
    kept = latest_panes([early, closing, on_time, late, other])
    assert sorted(kept, key=lambda s: s['country']) == [closing, other]
