"""Two fixes for Beam 2.77's local streaming runner (BundleBasedDirectRunner), applied by
``wirewatch stream`` in its own process only, never on Dataflow or Flink.

Measured in ``bench/stream_latency.py`` (BENCHMARKS.md, *stream-latency*): with both, the
p95 from ``poll`` to the first summary pane fell from about 93 s to about 12 s.

1. **DoFn specs remembered.** The DirectRunner runs everything on one executor thread and
   calls ``userstate.get_dofn_specs`` (``inspect.signature`` of every DoFn method) for each
   bundle, twice, on a fresh unpickled copy of the DoFn: 71 % of that thread's time in a
   profile, so items queue and leave in batches. The specs (state and timer declarations)
   are properties of the DoFn's class (for ``beam.Map`` wrappers, of the wrapped function's
   code); they are computed once per class.
2. **A short Pub/Sub pull.** The runner pulls with a 30 s deadline; on an empty subscription
   the emulator holds the call 29 s, during which that same thread fires no
   processing-time timer (early panes, file flushes). The pull deadline becomes
   ``PULL_SECONDS``.

Each fix checks that the Beam internals it relies on are there, and does nothing
otherwise (``apply`` says which were applied).
"""
import types

PULL_SECONDS = 2
_APPLIED = set()
_DISABLED = []


def cache_dofn_specs():
    from apache_beam.runners.direct import transform_evaluator as te
    from apache_beam.transforms import core, userstate
    if not hasattr(te, 'get_dofn_specs') or not hasattr(userstate, 'get_dofn_specs'):
        return False
    original = userstate.get_dofn_specs
    cache = {}

    def key_of(dofn):
        if any(isinstance(v, types.MethodType) for v in getattr(dofn, '__dict__', {}).values()):
            return None  # methods bound on the instance: not a property of the class
        if isinstance(dofn, core.CallableWrapperDoFn):
            code = getattr(getattr(dofn, '_fn', None), '__code__', None)
            return (type(dofn), code) if code is not None else None
        return type(dofn)

    def cached_dofn_specs(dofn):
        key = key_of(dofn)
        if key is None:
            return original(dofn)
        if key not in cache:
            cache[key] = original(dofn)
        return cache[key]

    userstate.get_dofn_specs = cached_dofn_specs
    te.get_dofn_specs = cached_dofn_specs
    return True


class _ShortPull:
    """A subscriber client whose ``pull`` waits at most ``deadline`` seconds."""

    def __init__(self, client, deadline):
        self._client = client
        self._deadline = deadline

    def pull(self, *args, **kwargs):
        kwargs['timeout'] = self._deadline
        return self._client.pull(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


def short_pull(deadline):
    from apache_beam.runners.direct import transform_evaluator as te
    evaluator = getattr(te, '_PubSubReadEvaluator', None)
    method = getattr(evaluator, '_get_subscriber_client', None)
    if method is None or not hasattr(method, '__func__'):
        return False
    original = method.__func__
    evaluator._get_subscriber_client = classmethod(
        lambda cls, transform: _ShortPull(original(cls, transform), deadline))
    return True


def disable():
    """Keep ``apply`` from changing anything in this process (benchmarks compare with and
    without the fixes, applying ``cache_dofn_specs``/``short_pull`` themselves)."""
    _DISABLED.append(True)


def apply(pull_seconds=PULL_SECONDS):
    """Apply both fixes once per process; returns the names of those in effect."""
    if _DISABLED:
        return sorted(_APPLIED)
    for name, fix in (('dofn_specs_cache', cache_dofn_specs),
                      ('short_pull', lambda: short_pull(pull_seconds))):
        if name not in _APPLIED and fix():
            _APPLIED.add(name)
    return sorted(_APPLIED)
