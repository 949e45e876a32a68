"""Cluster as a Beam transform: exact re-ingests dropped, copies clustered (batch and stream)."""
import datetime as dt

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.utils.timestamp import Timestamp

from factories import make_story
from fake_state import FakeTimer, FakeValue
from wirewatch.transforms.cluster import Cluster, _VoteInBandStatefulFn
from wirewatch.transforms.cluster.similarity import fingerprint

RUNNER = 'BundleBasedDirectRunner'
LEAD = ('Security forces fired tear gas at thousands of protesters who marched on the '
        'parliament in the capital on Tuesday, demanding the resignation of the interior '
        'minister after a week of fuel shortages, witnesses and police said. At least 12 '
        'people were injured and 40 were detained, according to a police statement.')
OTHER = ('The central bank raised its benchmark rate by 50 basis points on Thursday, the '
         'third increase this year, as inflation stayed above its target for a ninth month.')
T0 = dt.datetime(2022, 1, 9, 8, 0, tzinfo=dt.timezone.utc)


def stories():
    original = make_story('a', 'Police fire tear gas at parliament protest', LEAD,
                          source='WireOne', published=T0)
    # the next snapshot of the same feed: same item id -> exact duplicate
    reingest = dict(original, story_id='a2', ingested_at=T0 + dt.timedelta(hours=1))
    # another outlet, same canonical URL (aggregator) -> exact duplicate
    same_url = make_story('a3', 'Police fire tear gas', LEAD, source='Aggregator',
                          url=original['canonical_url'], published=T0 + dt.timedelta(minutes=3))
    syndicated = make_story('b', 'Tear gas fired as protesters march on parliament', LEAD,
                            source='PaperTwo', published=T0 + dt.timedelta(minutes=30))
    unrelated = make_story('c', 'Central bank raises interest rates', OTHER, source='WireOne',
                           published=T0 + dt.timedelta(minutes=40))
    return [original, reingest, same_url, syndicated, unrelated]


def _summary(s):
    return (s['story_id'], s['cluster_id'], s['duplicate_of'])


def test_batch_cluster_drops_reingests_and_clusters_copies():
    with TestPipeline(runner=RUNNER) as p:
        clustered, dups = (p | beam.Create(stories())
                           | beam.Map(lambda s: beam.window.TimestampedValue(
                               s, s['published_at'].timestamp()))
                           | Cluster())
        assert_that(clustered | 'S' >> beam.Map(_summary),
                    equal_to([('a', 'a', None), ('b', 'a', 'a'), ('c', 'c', None)]),
                    label='clusters')
        assert_that(dups | 'D' >> beam.Map(lambda s: s['story_id']), equal_to(['a2', 'a3']),
                    label='exact')


def _stream_options():
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    return options


# About two minutes of the streaming DirectRunner's CPU for seven stories: run with `make slow`.
# The TTL itself is covered in CI by test_band_state_is_emptied_when_its_watermark_timers_fire,
# the streaming graph by test_streaming_copy_in_a_later_window_joins_the_cluster_within_the_ttl.
@pytest.mark.slow
def test_streaming_cluster_matches_batch_and_forgets_after_ttl():
    ttl = 3600
    s = stories()
    late_copy = make_story('d', 'Protesters march on parliament, tear gas fired', LEAD,
                           source='PaperThree', published=T0 + dt.timedelta(hours=5))
    stream = TestStream()
    for story in s:
        stream.add_elements([beam.window.TimestampedValue(story, story['published_at'].timestamp())])
    # two hours later (beyond the 1 h TTL) the band state has expired: 'd' starts a new cluster
    stream.advance_watermark_to(Timestamp(T0.timestamp() + 3 * 3600))
    stream.add_elements([beam.window.TimestampedValue(late_copy, late_copy['published_at'].timestamp())])
    # a re-ingest of 'c' after the exact-duplicate TTL expired is read as a new item
    late_reingest = dict(s[4], story_id='c2', published_at=T0 + dt.timedelta(hours=3, minutes=30))
    stream.add_elements([beam.window.TimestampedValue(late_reingest, late_reingest['published_at'].timestamp())])
    stream.advance_watermark_to_infinity()
    with TestPipeline(runner=RUNNER, options=_stream_options()) as p:
        clustered, dups = p | stream | Cluster(streaming=True, ttl_seconds=ttl)
        assert_that(clustered | 'S' >> beam.Map(_summary),
                    equal_to([('a', 'a', None), ('b', 'a', 'a'), ('c', 'c', None),
                              ('d', 'd', None), ('c2', 'c2', None)]), label='clusters')
        assert_that(dups | 'D' >> beam.Map(lambda s: s['story_id']), equal_to(['a2', 'a3']),
                    label='exact')


def test_streaming_copy_in_a_later_window_joins_the_cluster_within_the_ttl():
    """State is per band key in the global window: a copy a day and a half later still clusters,
    and is stamped at its representative's event time, so it counts in the cluster's window."""
    day = 86400
    original = make_story('e', 'Police fire tear gas at parliament protest', LEAD,
                          source='WireOne', published=T0)
    copy = make_story('f', 'Tear gas fired as protesters march on parliament', LEAD,
                      source='PaperTwo', published=T0 + dt.timedelta(hours=36))
    other = make_story('g', 'Central bank raises interest rates', OTHER, source='WireOne',
                       published=T0 + dt.timedelta(hours=37))
    stream = (TestStream()
              .add_elements([beam.window.TimestampedValue(original, T0.timestamp())])
              .advance_watermark_to(Timestamp(T0.timestamp() + day))
              .add_elements([beam.window.TimestampedValue(s, s['published_at'].timestamp())
                             for s in (copy, other)])
              .advance_watermark_to_infinity())
    with TestPipeline(runner=RUNNER, options=_stream_options()) as p:
        clustered, _ = p | stream | Cluster(streaming=True, ttl_seconds=3 * day)
        per_day = (clustered
                   | 'Daily' >> beam.WindowInto(beam.window.FixedWindows(day))
                   | 'WithWindow' >> beam.Map(
                       lambda s, w=beam.DoFn.WindowParam: (int(w.start), _summary(s))))
        day0 = int(T0.timestamp()) // day * day
        assert_that(per_day, equal_to([(day0, ('e', 'e', None)), (day0, ('f', 'e', 'e')),
                                       (day0 + day, ('g', 'g', None))]))


def test_batch_near_duplicate_is_stamped_at_its_representatives_time():
    original = make_story('e', 'Police fire tear gas at parliament protest', LEAD,
                          source='WireOne', published=T0)
    copy = make_story('f', 'Tear gas fired as protesters march on parliament', LEAD,
                      source='PaperTwo', published=T0 + dt.timedelta(hours=30))
    with TestPipeline(runner=RUNNER) as p:
        clustered, _ = (p | beam.Create([original, copy])
                        | beam.Map(lambda s: beam.window.TimestampedValue(
                            s, s['published_at'].timestamp()))
                        | Cluster())
        stamped = clustered | beam.Map(lambda s, ts=beam.DoFn.TimestampParam: (
            s['story_id'], s['published_at'].isoformat(), float(ts)))
        assert_that(stamped, equal_to([('e', T0.isoformat(), T0.timestamp()),
                                       ('f', copy['published_at'].isoformat(), T0.timestamp())]))


def test_batch_title_only_feeds_merge_copies_but_not_templates():
    titles = [('n1', 'Suicide bomber kills 12 in Nigeria church', 0),
              ('p1', 'Suicide bomber kills 21 in NW Pakistan', 5),
              ('n2', 'Nigeria church suicide bombing kills 12', 9),
              ('q1', 'Earthquake of magnitude 6.1 strikes off Japan', 12),
              ('q2', 'Earthquake of magnitude 6.1 strikes off Chile', 20)]
    stories = [make_story(sid, title, '', source=f'Feed{i}',
                          published=T0 + dt.timedelta(minutes=minutes))
               for i, (sid, title, minutes) in enumerate(titles)]
    with TestPipeline(runner=RUNNER) as p:
        clustered, _ = p | beam.Create(stories) | Cluster()
        assert_that(clustered | beam.Map(_summary),
                    equal_to([('n1', 'n1', None), ('p1', 'p1', None), ('n2', 'n1', 'n1'),
                              ('q1', 'q1', None), ('q2', 'q2', None)]))


def test_band_state_is_emptied_when_its_watermark_timers_fire():
    """The stateful band DoFn: the timer follows the oldest entry + TTL; firing drops expired entries."""
    fn = _VoteInBandStatefulFn(ttl=3600, threshold=0.5)
    state, timer = FakeValue(), FakeTimer()
    first = fingerprint('Police fire tear gas at parliament protest', LEAD)
    copy = fingerprint('Tear gas fired as protesters march on parliament', LEAD)
    t = T0.timestamp()
    list(fn.process(('h0:k', ('a', t, first)), state=state, expiry=timer))
    votes = list(fn.process(('h0:k', ('b', t + 600, copy)), state=state, expiry=timer))
    assert votes[0][1].match_story_id == 'a'
    assert timer.at == Timestamp(t + 3600)
    fn.expire(fire=timer.at, state=state, expiry=timer)         # 'a' is a TTL old
    assert [e.story_id for e in state.read()] == ['b']
    assert timer.at == Timestamp(t + 600 + 3600)
    fn.expire(fire=timer.at, state=state, expiry=timer)
    assert state.read() is None


def test_batch_exact_reingests_keep_the_fuller_text_whatever_the_file_times():
    from wirewatch.transforms.cluster.exact import split_first_seen
    full = make_story('x', 'Title', LEAD, published=T0)
    short = dict(full, text=LEAD[:80])
    for order in ([full, short], [short, full]):
        first, rest = split_first_seen(order)
        assert first['text'] == LEAD and rest[0]['text'] == LEAD[:80]
    later = dict(full, ingested_at=full['ingested_at'] + dt.timedelta(hours=1))
    assert split_first_seen([short, later])[0] is later
    earlier_published = dict(short, published_at=T0 - dt.timedelta(hours=1))
    assert split_first_seen([full, earlier_published])[0] is earlier_published
