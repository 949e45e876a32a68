"""The local streaming runner's fixes (pipeline/direct_runner.py)."""
import typing

import apache_beam as beam
from apache_beam.coders import VarIntCoder
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.direct import transform_evaluator as te
from apache_beam.runners.direct.evaluation_context import DirectUnmergedState
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import userstate
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.trigger import _ReadModifyWriteStateTag
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.transforms.window import FixedWindows, GlobalWindow, TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from wirewatch.pipeline import direct_runner
from wirewatch.transforms.cluster import _KeepFirstSeenFn


ALL_FIXES = ['dofn_specs_cache', 'forget_empty_state', 'large_pulls', 'shallow_state_copy', 'short_pull',
             'skip_empty_bundles', 'timer_index']


def test_fixes_apply_once_on_beam_2_77():
    assert direct_runner.apply() == ALL_FIXES
    assert direct_runner.apply() == ALL_FIXES


def test_cached_specs_are_the_specs_of_the_class():
    direct_runner.apply()
    first, second = _KeepFirstSeenFn(60), _KeepFirstSeenFn(120)
    state, timers = userstate.get_dofn_specs(first)
    assert {s.name for s in state} == {'seen'} and {t.name for t in timers} == {'ts-expiry'}
    assert userstate.get_dofn_specs(second) is userstate.get_dofn_specs(first)
    assert te.get_dofn_specs is userstate.get_dofn_specs
    # beam.Map wrappers are keyed by the wrapped function's code: two lambdas, two entries
    a = beam.Map(lambda x: x + 1).dofn
    b = beam.Map(lambda x: x * 2).dofn
    assert userstate.get_dofn_specs(a) == (set(), set()) == userstate.get_dofn_specs(b)


def test_pull_deadline_is_short():
    calls = []

    class Client:
        def pull(self, *args, **kwargs):
            calls.append(kwargs)
            return 'response'

        def close(self):
            return 'closed'

    short = direct_runner._ShortPull(Client(), 2)
    assert short.pull(subscription='s', max_messages=10, timeout=30) == 'response'
    assert calls == [{'subscription': 's', 'max_messages': 10, 'timeout': 2}]
    assert short.close() == 'closed'


def test_a_pull_that_finds_the_subscription_missing_returns_nothing_instead_of_failing(monkeypatch):
    from google.api_core import exceptions
    from wirewatch.pipeline import direct_runner

    class Missing:
        calls = 0

        def pull(self, **kwargs):
            Missing.calls += 1
            raise exceptions.NotFound('Subscription does not exist')

    monkeypatch.setattr(direct_runner, 'PULL_RETRY_SECONDS', 0)
    response = direct_runner._ShortPull(Missing(), deadline=2).pull(subscription='s', max_messages=5)
    assert Missing.calls == 1 and list(response.received_messages) == []


def test_pulls_ask_for_more_messages_and_keep_the_deadline():
    calls = []

    class Client:
        def pull(self, *args, **kwargs):
            calls.append(kwargs)
            return 'response'

    both = direct_runner._ShortPull(direct_runner._ShortPull(Client(), deadline=2), max_messages=100)
    assert both.pull(subscription='s', max_messages=10, timeout=30) == 'response'
    assert calls == [{'subscription': 's', 'max_messages': 100, 'timeout': 2}]


# ---------------------------------------------------------------- keyed state and timers

WINDOW = GlobalWindow()
SEEN = _ReadModifyWriteStateTag('seen')
TTL = ('user/expiry', TimeDomain.WATERMARK, '')
FLUSH = ('user/flush', TimeDomain.REAL_TIME, '')


def _state(value=None, timers=(), global_value=None):
    state = DirectUnmergedState()
    if value is not None:
        state.add_state(WINDOW, SEEN, value)
    for (name, domain, tag), at in timers:
        state.set_timer(WINDOW, name, domain, Timestamp(at), dynamic_timer_tag=tag)
    if global_value is not None:
        state.set_global_state(SEEN, global_value)
    return state


def test_state_holds_nothing_once_cleared_or_only_read():
    assert direct_runner.holds_nothing(DirectUnmergedState())
    read_only = DirectUnmergedState()
    assert read_only.get_state(WINDOW, SEEN) == []   # a read leaves an empty list behind
    assert direct_runner.holds_nothing(read_only)
    cleared = _state(value=[b'\x01'], timers=[(TTL, 100)])
    cleared.clear_state(WINDOW, SEEN)
    cleared.clear_timer(WINDOW, *TTL[:2], dynamic_timer_tag=TTL[2])
    assert direct_runner.holds_nothing(cleared)
    assert not direct_runner.holds_nothing(_state(value=[b'\x01']))
    assert not direct_runner.holds_nothing(_state(timers=[(TTL, 100)]))
    assert not direct_runner.holds_nothing(_state(global_value=1))


def test_a_keyed_state_copy_equals_the_state_and_changes_apart_from_it():
    from apache_beam.transforms.trigger import InMemoryUnmergedState
    state = _state(value=[b'\x01'], timers=[(TTL, 100)], global_value=1)
    ours, theirs = direct_runner.copy_keyed_state(state), InMemoryUnmergedState.copy(state)
    assert type(ours) is type(state)
    for attribute in ('timers', 'global_state', 'state'):
        assert getattr(ours, attribute) == getattr(theirs, attribute) == getattr(state, attribute)
    ours.set_timer(WINDOW, TTL[0], TTL[1], Timestamp(micros=200), dynamic_timer_tag=TTL[2])
    ours.add_state(WINDOW, SEEN, [b'\x02'])
    ours.set_timer(GlobalWindow(), 'other', TTL[1], Timestamp(micros=5))
    assert state.timers == theirs.timers and state.get_state(WINDOW, SEEN) == [b'\x01']
    assert GlobalWindow() not in state.timers or not state.timers[GlobalWindow()].get(('other', TTL[1], ''))


def test_forget_empty_drops_only_committed_keys_that_hold_nothing():
    empty, kept, other = DirectUnmergedState(), _state(value=[b'\x01']), DirectUnmergedState()
    newer = DirectUnmergedState()
    keyed = {b'a': empty, b'b': kept, b'c': other, b'd': newer, None: DirectUnmergedState()}
    committed = {b'a': empty, b'b': kept, b'd': DirectUnmergedState(), None: keyed[None]}
    assert direct_runner.forget_empty(keyed, committed) == 1
    # b holds a value, c was not in this bundle, d was replaced since, None is the global state
    assert sorted(keyed, key=str) == sorted([b'b', b'c', b'd', None], key=str)


def test_timer_index_pops_due_timers_once_and_skips_moved_or_cleared_ones():
    index = direct_runner.TimerIndex()
    a = _state(timers=[(TTL, 100), (FLUSH, 5)])
    b = _state(timers=[(TTL, 300)])
    keyed = {b'a': a, b'b': b}
    index.add(b'a', a)
    index.add(b'b', b)
    markers = {TimeDomain.WATERMARK: Timestamp(200).micros, TimeDomain.REAL_TIME: Timestamp(1).micros}
    assert [(k, spec[0]) for k, _, spec, _ in index.pop_due(keyed, markers)] == [(b'a', 'user/expiry')]
    assert index.pop_due(keyed, markers) == []   # once
    # b's timer moves later, then earlier: only the live time fires, at that time
    later = _state(timers=[(TTL, 900)])
    keyed[b'b'] = later
    index.add(b'b', later, previous=b)
    earlier = _state(timers=[(TTL, 400)])
    keyed[b'b'] = earlier
    index.add(b'b', earlier, previous=later)
    markers[TimeDomain.WATERMARK] = Timestamp(500).micros
    assert [(k, t) for k, _, _, t in index.pop_due(keyed, markers)] == [(b'b', Timestamp(400))]
    # a's processing-time timer was cleared before it came due
    keyed[b'a'] = DirectUnmergedState()
    markers[TimeDomain.REAL_TIME] = Timestamp(10).micros
    markers[TimeDomain.WATERMARK] = Timestamp(1000).micros
    assert index.pop_due(keyed, markers) == []


def test_timer_index_indexes_only_new_timers_unless_told_the_old_one_fired():
    index = direct_runner.TimerIndex()
    first = _state(timers=[(TTL, 100)])
    index.add(b'a', first)
    same = _state(timers=[(TTL, 100)])
    index.add(b'a', same, previous=first)        # unchanged: not indexed twice
    keyed = {b'a': same}
    due = {TimeDomain.WATERMARK: Timestamp(100).micros}
    assert len(index.pop_due(keyed, due)) == 1
    index.add(b'a', same, previous=None)         # set again at the same time after firing
    assert len(index.pop_due(keyed, due)) == 1


@beam.typehints.with_input_types(typing.Tuple[str, int])
class _ExpireAfter(beam.DoFn):
    """Counts elements per key; an event-time timer TTL after the first forgets the count."""
    COUNT = ReadModifyWriteStateSpec('count', VarIntCoder())
    EXPIRY = TimerSpec('expiry', TimeDomain.WATERMARK)

    def process(self, kv, ts=beam.DoFn.TimestampParam, count=beam.DoFn.StateParam(COUNT),
                expiry=beam.DoFn.TimerParam(EXPIRY)):
        n = (count.read() or 0) + 1
        if n == 1:
            expiry.set(ts + 100)
        count.write(n)
        yield kv[0], n

    @on_timer(EXPIRY)
    def forget(self, key=beam.DoFn.KeyParam, count=beam.DoFn.StateParam(COUNT)):
        count.clear()
        yield key, 'expired'


class _EvensAside(beam.DoFn):
    """Odd numbers on the main output, even ones tagged: most bundles leave one output empty."""

    def process(self, n):
        yield n if n % 2 else beam.pvalue.TaggedOutput('even', n)


def test_a_stream_with_timers_windows_and_empty_outputs_is_unchanged_by_the_fixes():
    direct_runner.apply()
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    stream = (TestStream()
              .advance_watermark_to(0)
              .add_elements([TimestampedValue(('k', 1), 10), TimestampedValue(('j', 2), 20)])
              .add_elements([TimestampedValue(('k', 3), 50)])
              .advance_watermark_to(150)                       # k's and j's timers fire
              .add_elements([TimestampedValue(('k', 5), 160)])  # k starts again
              .advance_watermark_to(400)
              .advance_watermark_to_infinity())
    with TestPipeline(runner='BundleBasedDirectRunner', options=options) as p:
        keyed = p | stream
        counted = keyed | 'Count' >> beam.ParDo(_ExpireAfter())
        assert_that(counted, equal_to([('k', 1), ('j', 1), ('k', 2), ('k', 'expired'),
                                       ('j', 'expired'), ('k', 1), ('k', 'expired')]),
                    label='ttl')
        windowed = (keyed
                    | beam.WindowInto(FixedWindows(100))
                    | beam.GroupByKey()
                    | beam.MapTuple(lambda k, vs: (k, sorted(vs))))
        assert_that(windowed, equal_to([('k', [1, 3]), ('j', [2]), ('k', [5])]), label='windows')
        split = (keyed | beam.Map(lambda kv: kv[1])
                 | beam.ParDo(_EvensAside()).with_outputs('even', main='odd'))
        assert_that(split.odd, equal_to([1, 3, 5]), label='odd')
        assert_that(split.even, equal_to([2]), label='even')
