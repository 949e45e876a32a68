"""The local streaming runner's latency fixes (pipeline/direct_runner.py)."""
import apache_beam as beam
from apache_beam.runners.direct import transform_evaluator as te
from apache_beam.transforms import userstate

from wirewatch.pipeline import direct_runner
from wirewatch.transforms.cluster import _KeepFirstSeenFn


def test_fixes_apply_once_on_beam_2_77():
    assert direct_runner.apply() == ['dofn_specs_cache', 'short_pull']
    assert direct_runner.apply() == ['dofn_specs_cache', 'short_pull']


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
