"""Chains of near-duplicates: A matches B, B matches C, A does not match C.

LSH bands decide locally, so C may name B as its cluster although B joined A.
The invariant tested here: ``cluster_id`` always names a representative (a
story with no ``duplicate_of``), in batch and in streaming, also when the
chain's last link arrives a day later (state across windows)."""
import datetime as dt

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.utils.timestamp import Timestamp

from factories import make_story
from wirewatch.transforms.cluster import Cluster
from wirewatch.transforms.cluster.resolve import Head, head_of, lift, resolve_chains
from wirewatch.transforms.cluster.similarity import fingerprint, similarity_decision

RUNNER = 'BundleBasedDirectRunner'
T0 = dt.datetime(2023, 4, 2, 6, 0, tzinfo=dt.timezone.utc)
DAY = 86400
TITLE = 'Floods force thousands from homes in river valley'
P1 = ('Flood waters rose across the northern river valley on Monday forcing thousands of '
      'families from low lying villages while rescue teams in small boats searched flooded '
      'farms for residents trapped on rooftops')
P2 = ('officials said the regional governor asked the army for helicopters and promised '
      'emergency food supplies to shelters set up in schools and churches along the main highway')
P3 = ('meteorologists warned that more heavy rain was expected through the weekend and that '
      'two dams upstream were being watched closely by engineers who feared further overflow '
      'downstream')
FIRST = P1 + ' ' + P2                      # the wire's first version
EDITED = P1 + ' ' + P3                     # its second half rewritten
REWRITTEN = ('Volunteers handed out blankets at a stadium ' + ' '.join(P1.split()[14:])
             + ' ' + P3)                   # the edit, re-edited: nothing left of the first


def _chain(ids=('b', 'a', 'c'), gap=dt.timedelta(minutes=10)):
    """Three versions of one story, published ``gap`` apart. With ids b, a, c the
    bands alone name the edit 'a' as the re-edit's cluster (it is not a representative)."""
    return [make_story(sid, TITLE, text, source=f'Outlet{k}', published=T0 + k * gap)
            for k, (sid, text) in enumerate(zip(ids, (FIRST, EDITED, REWRITTEN)))]


def test_the_fixture_is_a_chain():
    first, edited, rewritten = (fingerprint(TITLE, t) for t in (FIRST, EDITED, REWRITTEN))
    assert similarity_decision(first, edited)[0]
    assert similarity_decision(edited, rewritten)[0]
    assert not similarity_decision(first, rewritten)[0]


# ---------------------------------------------------------------- pure rules

def _s(sid, cluster, dup=True):
    return {'story_id': sid, 'cluster_id': cluster, 'duplicate_of': cluster if dup else None}


def test_lift_moves_a_member_of_a_copy_to_the_copys_cluster_and_time():
    member = _s('c', 'b')
    story, seconds = lift(member, 300.0, Head('b', claim='a', seconds=100.0))
    assert (story['cluster_id'], story['duplicate_of'], seconds) == ('a', 'a', 100.0)
    assert member['cluster_id'] == 'b'  # the input is not mutated


@pytest.mark.parametrize('head', [None, Head('b', claim=None, seconds=100.0)])
def test_lift_leaves_members_of_a_representative_or_unknown_head(head):
    member = _s('c', 'b')
    assert lift(member, 300.0, head) == (member, 300.0)


def test_head_of_a_representative_claims_nothing():
    assert head_of(_s('a', 'a', dup=False), 5.0) == Head('a', None, 5.0)
    assert head_of(_s('b', 'a'), 6.0) == Head('b', 'a', 6.0)


def test_reference_resolution_follows_a_long_chain():
    stories = [(_s('a', 'a', dup=False), 1.0), (_s('b', 'a'), 1.0), (_s('c', 'b'), 2.0),
               (_s('d', 'c'), 3.0), (_s('e', 'd'), 4.0)]
    resolved = {s['story_id']: (s['cluster_id'], t) for s, t in resolve_chains(stories)}
    assert resolved == {'a': ('a', 1.0), 'b': ('a', 1.0), 'c': ('a', 1.0), 'd': ('a', 1.0),
                        'e': ('a', 1.0)}


# ---------------------------------------------------------------- Beam, batch and stream

def _view(s):
    return s['story_id'], s['cluster_id'], s['duplicate_of']


def _timestamped(story):
    return beam.window.TimestampedValue(story, story['published_at'].timestamp())


@pytest.mark.parametrize('ids', [('b', 'a', 'c'), ('c', 'b', 'a'), ('a', 'b', 'c')])
def test_batch_chain_joins_the_first_representative(ids):
    first, edited, rewritten = ids
    with TestPipeline(runner=RUNNER) as p:
        clustered, _ = p | beam.Create(_chain(ids)) | beam.Map(_timestamped) | Cluster()
        assert_that(clustered | beam.Map(_view),
                    equal_to([(first, first, None), (edited, first, first),
                              (rewritten, first, first)]))


def _stream_options():
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    return options


def test_streaming_chain_across_windows_counts_in_the_representatives_window():
    """The re-edit arrives the next day: it still names the first version and is
    stamped at its time, so its article and outlet count in that day's window."""
    stories = _chain(('b', 'a', 'c'), gap=dt.timedelta(hours=20))
    stream = TestStream()
    for story in stories:
        stream.add_elements([_timestamped(story)])
        stream.advance_watermark_to(Timestamp(story['published_at'].timestamp() + 60))
    stream.advance_watermark_to_infinity()
    with TestPipeline(runner=RUNNER, options=_stream_options()) as p:
        clustered, _ = p | stream | Cluster(streaming=True, ttl_seconds=3 * DAY)
        per_day = (clustered
                   | 'Daily' >> beam.WindowInto(beam.window.FixedWindows(DAY))
                   | 'WithWindow' >> beam.Map(
                       lambda s, w=beam.DoFn.WindowParam: (int(w.start), _view(s))))
        day0 = int(T0.timestamp()) // DAY * DAY
        assert_that(per_day, equal_to([(day0, ('b', 'b', None)), (day0, ('a', 'b', 'b')),
                                       (day0, ('c', 'b', 'b'))]))
