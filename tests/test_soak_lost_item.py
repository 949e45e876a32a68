"""The soak's one lost item (bench/soak.py, 30 minutes, TTL 600 s): a copy held in
``ResolveChains`` until the stream stopped.

The item (NYT 'Live Updates on George Floyd Protests', published 22:23:45) matched
'The latest on the George Floyd case' (CNN, published 22:17:14) in bands where that
story was a cluster of its own, so it claimed it and counted at 22:17:14. That story was
itself a copy of a story published 22:11:04, so its head marker counted at 22:11:04, and
``_LiftStatefulFn`` kept it only until 22:11:04 + TTL = 22:21:04 (of a watermark that
follows the clock). The copy arrived at 22:23:45, found no head, and waited for it until
22:17:14 + TTL = 22:27:14; the stream was stopped at 22:25:56, and the copy was never
written (had the stream run on, it would have been written late and under a cluster
that is not a representative).

A band keeps a story's entry, so copies can claim it, until a TTL after the story's
*own* publication; the head must be kept as long. And every element at a claimed
cluster's key waits until the same deadline (a TTL after that cluster's publication,
which is the ``seconds`` a member carries), so that no copy waits for a head that is
already gone: round 2 gets the copy with the event timestamp of its round-1 claim.
"""
import datetime as dt

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.pvalue import TaggedOutput
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.utils.timestamp import Timestamp

from factories import make_story
from fake_state import FakeBag, FakeTimer, FakeValue
from test_cluster_chains import EDITED, FIRST, REWRITTEN, TITLE
from wirewatch.transforms.cluster import Cluster, _LiftStatefulFn
from wirewatch.transforms.cluster.resolve import head_of

RUNNER = 'BundleBasedDirectRunner'
TTL = 600
T0 = dt.datetime(2026, 11, 27, 22, 11, 4, tzinfo=dt.timezone.utc)   # the representative
S0 = T0.timestamp()


# ---------------------------------------------------------------- the lift step alone

class _Timer(FakeTimer):
    def set(self, timestamp):
        super().set(Timestamp.of(timestamp))


class _LiftRunner:
    """``_LiftStatefulFn`` with per-key state and watermark timers, as a runner drives it:
    a timer fires once the watermark reaches it (also one set in the past)."""

    def __init__(self, ttl=TTL):
        self.fn = _LiftStatefulFn(ttl)
        self.keys = {}
        self.watermark = Timestamp.of(0)
        self.out = []

    def _state(self, key):
        return self.keys.setdefault(key, {'head_state': FakeValue(), 'pending': FakeBag(),
                                           'until': FakeValue(), 'expiry': _Timer()})

    def send(self, key, value, seconds):
        state = self._state(key)
        self._collect(self.fn.process((key, value), ts=Timestamp.of(seconds), **state))
        self._fire()

    def advance(self, seconds):
        self.watermark = Timestamp.of(seconds)
        self._fire()

    def _fire(self):
        for key, state in list(self.keys.items()):
            if state['expiry'].at is not None and state['expiry'].at <= self.watermark:
                state['expiry'].at = None
                self._collect(self.fn.expire(head_state=state['head_state'], pending=state['pending'],
                                             until=state['until']))

    def _collect(self, outputs):
        for out in outputs or ():
            tag, (story, seconds) = (out.tag, out.value) if isinstance(out, TaggedOutput) else ('lifted', out)
            self.out.append((tag, story['story_id'], story['cluster_id'], seconds))


def _decided(sid, claim, published):
    """A decided story: a copy of ``claim`` (None: a representative)."""
    return {'story_id': sid, 'cluster_id': claim or sid, 'duplicate_of': claim,
            'published_at': published}


def test_a_copy_claiming_a_later_copy_finds_its_head_after_the_heads_cluster_ttl():
    """The soak's case in round 1: the head (a copy published at +370 s, counting at its
    cluster's 0 s) must still be there at +760 s, past 0 + TTL but within 370 + TTL."""
    lift = _LiftRunner()
    cnn = _decided('cnn', 'sydney', T0 + dt.timedelta(seconds=370))
    lift.send('cnn', head_of(cnn, S0), S0)            # head at its cluster's time
    lift.advance(S0 + 760)                              # the watermark when the copy comes
    nyt = _decided('nyt', 'cnn', T0 + dt.timedelta(seconds=761))
    lift.send('cnn', (nyt, S0 + 370), S0 + 370)        # the copy counts at its claim's time
    assert lift.out == [('lifted', 'nyt', 'sydney', S0)], 'the copy waited (held) or was not lifted'


def test_a_lifted_copy_whose_representatives_head_is_gone_is_released_at_once():
    """Round 2: the copy comes lifted to the representative with its round-1 timestamp
    (+370 s); the representative's head (0 s + TTL) is gone. The copy is settled now, not
    held until +370 + TTL = +970 s (the soak's stream was stopped at +892 s)."""
    lift = _LiftRunner()
    sydney = _decided('sydney', None, T0)
    lift.send('sydney', head_of(sydney, S0), S0)
    lift.advance(S0 + 760)                              # the head's key expired at +600
    nyt = dict(_decided('nyt', 'sydney', T0 + dt.timedelta(seconds=761)))
    lift.send('sydney', (nyt, S0), S0 + 370)            # seconds: the cluster's; timestamp: round 1's
    assert lift.out == [('final', 'nyt', 'sydney', S0)], 'the copy is held until its timestamp + TTL'


def test_a_head_still_waits_for_members_a_ttl_after_its_own_publication():
    """Members that come before their head still wait for it (it is decided soon after)."""
    lift = _LiftRunner()
    nyt = _decided('nyt', 'cnn', T0 + dt.timedelta(seconds=761))
    lift.send('cnn', (nyt, S0 + 370), S0 + 370)
    assert lift.out == []
    lift.advance(S0 + 500)
    cnn = _decided('cnn', 'sydney', T0 + dt.timedelta(seconds=370))
    lift.send('cnn', head_of(cnn, S0), S0)
    assert lift.out == [('lifted', 'nyt', 'sydney', S0)]


# ---------------------------------------------------------------- the whole Cluster stage

def _stream_options():
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    return options


def _timestamped(story):
    return beam.window.TimestampedValue(story, story['published_at'].timestamp())


def _view(s):
    return s['story_id'], s['cluster_id'], s['duplicate_of']


def test_streaming_copy_of_a_copy_arriving_after_its_clusters_ttl_names_the_representative():
    """b (0 s), its edit a (+400 s, a copy of b), a's re-edit c (+800 s): the bands name
    'a' as c's cluster (see test_cluster_chains), and c counts at a's +400 s. c comes when
    the watermark is at +790 s, past b's time + TTL (a's head counted at b's 0 s) but
    within a's own time + TTL: c must be lifted to b."""
    stories = [make_story(sid, TITLE, text, source=f'Outlet{k}', published=T0 + dt.timedelta(seconds=400 * k))
               for k, (sid, text) in enumerate((('b', FIRST), ('a', EDITED), ('c', REWRITTEN)))]
    stream = TestStream()
    stream.add_elements([_timestamped(stories[0])])
    stream.advance_watermark_to(Timestamp(S0 + 60))
    stream.add_elements([_timestamped(stories[1])])
    stream.advance_watermark_to(Timestamp(S0 + 460))
    stream.advance_watermark_to(Timestamp(S0 + 790))
    stream.add_elements([_timestamped(stories[2])])
    stream.advance_watermark_to(Timestamp(S0 + 800))
    stream.advance_watermark_to_infinity()
    with TestPipeline(runner=RUNNER, options=_stream_options()) as p:
        clustered, _ = p | stream | Cluster(streaming=True, ttl_seconds=TTL)
        assert_that(clustered | beam.Map(_view),
                    equal_to([('b', 'b', None), ('a', 'b', 'b'), ('c', 'b', 'b')]))
