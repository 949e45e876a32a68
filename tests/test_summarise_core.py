"""Per-country summaries: toll reconciliation, idempotent merging, alert levels, baselines."""
import datetime as dt

from wirewatch import schemas
from wirewatch.transforms.summarise.core import (Contribution, alert_level, apply_baselines,
                                                 cluster_contributions, event_weight,
                                                 incident_key, public, reconcile_toll,
                                                 summarise_country, toll_reports)

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


D0 = DAY.date()


def inc(place, figure, day=D0, etype='ASSAULT'):
    return ('INCIDENT', etype, place, day), figure


def total(place, figure, etype='ASSAULT'):
    return ('CUMULATIVE', etype, place), figure


def test_one_incident_reported_by_many_stories_counts_once():
    c = Contribution
    a = c('a', 3, frozenset({'X'}), 't', 'u', (event('e1', 'ASSAULT', place='Almaty', precision='CITY',
                                                      killed=12, event_date=D0),))
    b = c('b', 1, frozenset({'Y'}), 't', 'u', (event('e2', 'ASSAULT', place='Almaty', precision='CITY',
                                                      killed=10, event_date=D0),))
    reports = toll_reports([a, b], 'killed', D0)
    assert reports == {('INCIDENT', 'ASSAULT', 'Almaty', D0): 12}  # the larger figure of one incident
    assert reconcile_toll(reports) == 12


def test_distinct_incidents_add_up_even_with_equal_figures():
    day2 = D0 + dt.timedelta(days=1)
    assert reconcile_toll(dict([inc('Almaty', 2), inc('Aktobe', 2)])) == 4       # two places
    assert reconcile_toll(dict([inc('COUNTRY', 2), inc('COUNTRY', 2, day2)])) == 4  # two days
    assert reconcile_toll(dict([inc('Almaty', 2), inc('Almaty', 2, etype='PROTEST')])) == 4


def test_a_country_wide_figure_larger_than_the_places_is_the_days_total():
    assert reconcile_toll(dict([inc('Almaty', 100), inc('Aktobe', 20), inc('COUNTRY', 164)])) == 164
    assert reconcile_toll(dict([inc('Almaty', 100), inc('Aktobe', 20), inc('COUNTRY', 50)])) == 120
    assert reconcile_toll({}) is None


def test_running_totals_and_incidents_describe_the_same_dead():
    assert reconcile_toll(dict([total('COUNTRY', 164), inc('Almaty', 8)])) == 164


def test_restated_figures_count_only_their_increase():
    counted = {('CUMULATIVE', 'ASSAULT', 'COUNTRY'): 164, ('INCIDENT', 'ASSAULT', 'Almaty', D0): 8}
    assert reconcile_toll(dict([total('COUNTRY', 164)]), counted) == 0        # restated: nothing new
    assert reconcile_toll(dict([total('COUNTRY', 170)]), counted) == 6        # the toll rose
    assert reconcile_toll(dict([inc('Almaty', 8)]), counted) == 0             # yesterday's attack again
    assert reconcile_toll(dict([inc('Almaty', 8, D0 + dt.timedelta(days=1))]), counted) == 8  # a new one


def test_incident_key_uses_scope_place_and_day():
    ev = event('e', 'ASSAULT', place='Almaty', precision='CITY', killed=3)
    assert incident_key(ev, D0) == ('INCIDENT', 'ASSAULT', 'Almaty', D0)
    assert incident_key(dict(ev, event_date=D0 - dt.timedelta(days=1)), D0)[3] == D0 - dt.timedelta(days=1)
    assert incident_key(dict(ev, toll_scope='CUMULATIVE'), D0) == ('CUMULATIVE', 'ASSAULT', 'Almaty')
    assert incident_key(dict(ev, location=None), D0)[2] == 'COUNTRY'


def test_event_weight_is_confidence_discounted_by_age():
    ev = event('e', 'PROTEST', confidence=0.8, event_date=D0)
    assert event_weight(ev, DAY) == 0.8
    assert event_weight(dict(ev, event_date=D0 - dt.timedelta(days=3)), DAY) == 0.4
    assert event_weight(dict(ev, event_date=D0 - dt.timedelta(days=10)), DAY) == 0.2
    assert event_weight(dict(ev, confidence=None, event_date=None), DAY) == 1.0


def _summary_over(day, *events):
    start = DAY + dt.timedelta(days=day)
    contribs = [Contribution(f'c{day}{i}', 1, frozenset({'X'}), 't', 'u', (ev,))
                for i, ev in enumerate(events)]
    return summarise_country('KAZ', 'Kazakhstan', contribs, start, start + dt.timedelta(days=1))


def test_a_running_total_restated_the_next_day_counts_once_across_windows():
    """The worked example of the README: 164 killed since the protests began, restated
    the next day, then 170; and a new incident of 2 killed on day 2."""
    day1 = _summary_over(0, event('e1', 'ASSAULT', killed=164, toll_scope='CUMULATIVE'))
    day2 = _summary_over(1, event('e2', 'ASSAULT', killed=164, toll_scope='CUMULATIVE'),
                         event('e3', 'ASSAULT', place='Almaty', precision='CITY', killed=2,
                               toll_scope='INCIDENT', event_date=D0 + dt.timedelta(days=1)))
    day3 = _summary_over(2, event('e4', 'ASSAULT', killed=170, toll_scope='CUMULATIVE'))
    graded = apply_baselines([day3, day1, day2])
    # day 3: the total rose by 6, of which the 2 of day 2 were already counted
    assert [s['killed'] for s in graded] == [164, 2, 4]
    assert sum(s['killed'] for s in graded) == 170
    assert not any(k.startswith('_') for s in graded for k in s)
    for s in graded:
        schemas.check('CountrySummary', s)
    # the restatement adds no intensity from its figure: day 2 weighs less than day 1
    assert graded[1]['intensity'] < graded[0]['intensity']


def test_intensity_is_weighted_by_confidence():
    sure = _summary_over(0, event('e1', 'PROTEST', confidence=1.0))
    unsure = _summary_over(0, event('e1', 'PROTEST', confidence=0.7))
    assert unsure['intensity'] < sure['intensity']


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
    schemas.check('CountrySummary', public(s))
    assert (s['stories'], s['articles'], s['sources']) == (2, 6, 2)
    assert s['events_by_type'] == {'ASSAULT': 2, 'COERCE': 1, 'PROTEST': 1}
    assert (s['killed'], s['arrested'], s['injured']) == (164, 6044, None)
    assert s['alert_level'] == 'CRISIS'
    assert s['headlines'][0] == {'title': 't', 'url': 'u', 'sources': 2}


def test_alert_level_against_own_baseline():
    calm = [5.0, 6.0, 4.0, 5.0]
    assert alert_level(5.5, 0, calm) == 'NONE'
    assert alert_level(90.0, 0, calm) == 'CRISIS'
    noisy = [40.0, 60.0, 50.0, 45.0]
    assert alert_level(55.0, 0, noisy) == 'NONE'      # a usual day for this country
    assert alert_level(55.0, 0, ()) == 'WARNING'      # without history: absolute scale
    # a crisis entering the baseline does not hide the next crisis day (median, not mean)
    assert alert_level(400.0, 0, calm + [300.0, 350.0]) == 'CRISIS'


def test_one_event_in_a_quiet_country_is_no_crisis():
    assert alert_level(9.9, None, [0.0] * 10) == 'NONE'       # absolute floors cap the ratio
    assert alert_level(15.0, None, [0.0] * 10) == 'WATCH'
    assert alert_level(9.9, 1, [0.0] * 10) == 'WATCH'         # one killed is at least a WATCH
    assert alert_level(9.9, 120, [0.0] * 10) == 'CRISIS'


def test_baselines_count_quiet_days_as_zero():
    def summ(day, intensity):
        return {'window_start': DAY + dt.timedelta(days=day), 'pane': 'ON_TIME', 'is_final': True,
                'intensity': intensity, 'killed': None, 'alert_level': 'X'}
    graded = apply_baselines([summ(0, 4.0), summ(5, 90.0)])
    # days 1-4 were quiet: the baseline is [4, 0, 0, 0, 0], so 90 stands out
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
