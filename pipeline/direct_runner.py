"""Seven fixes for Beam 2.77's local streaming runner (BundleBasedDirectRunner), applied by
``wirewatch stream`` in its own process only, never on Dataflow or Flink.

Measured in ``bench/stream_latency.py`` (BENCHMARKS.md, *stream-latency*) for 1 and 2:
with both, the p95 from ``poll`` to the first summary pane fell from about 93 s to about 12 s.

1. **DoFn specs remembered.** The DirectRunner runs everything on one executor thread and
   calls ``userstate.get_dofn_specs`` (``inspect.signature`` of every DoFn method) for each
   bundle, twice, on a fresh unpickled copy of the DoFn: 71 % of that thread's time in a
   profile, so items queue and leave in batches. The specs (state and timer declarations)
   are properties of the DoFn's class (for ``beam.Map`` wrappers, of the wrapped function's
   code); they are computed once per class.
2. **A short Pub/Sub pull.** The runner pulls with a 30 s deadline; on an empty subscription
   the emulator holds the call 29 s, during which that same thread fires no
   processing-time timer (early panes, file flushes). The pull deadline becomes
   ``PULL_SECONDS``. A pull that finds Pub/Sub or the subscription missing (the emulator
   restarting) returns nothing after ``PULL_RETRY_SECONDS`` instead of failing, which
   would make the runner give up after four tries and stop the stream.
3. **Larger Pub/Sub pulls.** The runner pulls at most 10 messages at a time, and every
   pull becomes a bundle that crosses each of the pipeline's transforms, each crossing
   paying the runner's per-bundle cost (an unpickled copy of the DoFn, its set-up, a
   watermark update and a timer scan). A pull takes up to ``PULL_MESSAGES``.
4. **Empty keyed state forgotten.** The runner keeps a state object for every key a
   stateful step or a GroupByKey ever saw, also after its state was cleared and its
   timers fired, and scans all of them for due timers between bundles. A key whose state
   holds nothing when its bundle is committed (no value, no timer) is dropped; the next
   element for it starts from an empty state, which is what it held.
5. **Due timers from an index.** Between bundles the runner looks for due timers by asking
   every key of every stateful step and GroupByKey (every key ever seen, each with its
   TTL timer here) for its timers: 77 % of the stream's time in a profile, growing with
   the keys. The timers a bundle commits go into a heap per step and time domain; the
   monitor pops the due ones. (The runner's own scan still answers its "is the pipeline
   finished?" check, which runs only when nothing else does.)
6. **Empty bundles not passed on.** A ParDo's bundle commits one output bundle per output
   tag, empty or not, and each is handed to every consumer, whose (empty) outputs are
   handed on in turn: 84,000 bundles ran for 1,000 items (145,000 elements), 25,000 of
   them on the dead-letter path, which received no element. Empty output bundles are
   dropped when committed; they hold no watermark, and timers fire through bundles of
   their own.
7. **Keyed state copied, not deep-copied.** Before a bundle touches a key, the runner
   copies that key's state so that a failed bundle leaves nothing behind; the copy
   deep-copies the key's timers (``copy.deepcopy`` of a dict of windows, timer names and
   timestamps, all immutable), 5-7 % of a stream's time with a TTL timer per band key.
   The timers are copied one level per window instead: the same state, and a bundle's
   changes still go to the copy only. (Values and the global state are copied as before.)

Measured in ``bench/stream_throughput.py`` (BENCHMARKS.md, *stream-throughput*; 1,500
items at 50/s, one after the other): the stream's CPU per item was 829 ms with 1 and 2,
177 ms with 3, 35 ms with 4 and 5, and 16 ms with all six.

Each fix checks that the Beam internals it relies on are there, and does nothing
otherwise (``apply`` says which were applied).
"""
import collections
import copy
import functools
import heapq
import inspect
import itertools
import logging
import time
import types

PULL_SECONDS = 2
PULL_RETRY_SECONDS = 2   # pause after a pull that found Pub/Sub or the subscription missing
_log = logging.getLogger(__name__)
_UNAVAILABLE_LOGGED = []
PULL_MESSAGES = 100  # the DirectRunner asks for 10
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


def _log_unavailable(error):
    """Warn once a minute while Pub/Sub or the subscription is missing."""
    now = time.monotonic()
    if not _UNAVAILABLE_LOGGED or now - _UNAVAILABLE_LOGGED[-1] >= 60:
        _UNAVAILABLE_LOGGED.append(now)
        _log.warning('Pub/Sub pull failed (%s: %s); retrying every %d s', type(error).__name__,
                     str(error).splitlines()[0] if str(error) else '', PULL_RETRY_SECONDS)


class _ShortPull:
    """A subscriber client whose ``pull`` waits at most ``deadline`` seconds (when given)
    and asks for up to ``max_messages`` messages (when given)."""

    def __init__(self, client, deadline=None, max_messages=None):
        self._client = client
        self._deadline = deadline
        self._max_messages = max_messages

    def pull(self, *args, **kwargs):
        if self._deadline is not None:
            kwargs['timeout'] = self._deadline
        if self._max_messages is not None:
            kwargs['max_messages'] = self._max_messages
        from google.api_core import exceptions
        try:
            return self._client.pull(*args, **kwargs)
        except (exceptions.NotFound, exceptions.ServiceUnavailable, exceptions.RetryError) as error:
            # Pub/Sub (the emulator) restarting, or the subscription not created again yet: an
            # empty pull after a pause, instead of the runner giving up and the stream failing
            _log_unavailable(error)
            time.sleep(PULL_RETRY_SECONDS)
            from google.pubsub_v1 import types
            return types.PullResponse()

    def __getattr__(self, name):
        return getattr(self._client, name)


def _wrap_subscriber_client(**settings):
    from apache_beam.runners.direct import transform_evaluator as te
    evaluator = getattr(te, '_PubSubReadEvaluator', None)
    method = getattr(evaluator, '_get_subscriber_client', None)
    if method is None or not hasattr(method, '__func__'):
        return False
    original = method.__func__
    evaluator._get_subscriber_client = classmethod(
        lambda cls, transform: _ShortPull(original(cls, transform), **settings))
    return True


def short_pull(deadline):
    return _wrap_subscriber_client(deadline=deadline)


def large_pulls(max_messages):
    return _wrap_subscriber_client(max_messages=max_messages)


def holds_nothing(state):
    """True when a runner's keyed state (``InMemoryUnmergedState``) has no value, no timer
    and no global value: reads of never-written state leave empty lists behind, which count
    as nothing."""
    return (not state.global_state
            and not any(state.timers.values())
            and not any(values for tags in state.state.values() for values in tags.values()))


def forget_empty(keyed_states, committed):
    """Drop from ``keyed_states`` (key -> state) the keys of ``committed`` (the states a bundle
    just committed) whose state holds nothing; the global state (key None) stays. Returns how
    many were dropped."""
    dropped = 0
    for key, state in committed.items():
        if key is not None and keyed_states.get(key) is state and holds_nothing(state):
            del keyed_states[key]
            dropped += 1
    return dropped


def forget_empty_state():
    from apache_beam.runners.direct import evaluation_context as ec
    context = getattr(ec, 'EvaluationContext', None)
    handle = getattr(context, 'handle_result', None)
    code = getattr(inspect.unwrap(handle), '__code__', None) if handle else None
    fresh = ec.DirectUnmergedState() if hasattr(ec, 'DirectUnmergedState') else None
    if (code is None or fresh is None
            or not {'_transform_keyed_states', 'partial_keyed_state'} <= set(code.co_names)
            or not all(hasattr(fresh, a) for a in ('global_state', 'timers', 'state'))):
        return False

    @functools.wraps(handle)
    def handle_result(self, completed_bundle, completed_timers, result):
        committed = handle(self, completed_bundle, completed_timers, result)
        keyed = self._transform_keyed_states.get(result.transform)
        if keyed is not None:
            with self._lock:
                forget_empty(keyed, getattr(result, 'partial_keyed_state', None) or {})
        return committed

    context.handle_result = handle_result
    return True


class TimerIndex:
    """The timers of one transform's keyed states, by due time: one heap per time domain of
    ``(micros, order, key, window, (name, domain, tag), timestamp)``. An entry whose timer has
    since moved or gone is skipped when it comes up (the key's state is the truth)."""

    def __init__(self):
        self.heaps = {}
        self.order = itertools.count()

    def add(self, key, state, previous=None):
        """Index the timers of ``state`` (committed for ``key``) that ``previous`` lacked."""
        from apache_beam.utils.timestamp import Timestamp
        for window, timers in state.timers.items():
            before = previous.timers.get(window, {}) if previous is not None else {}
            for spec, timestamp in timers.items():
                if before.get(spec) != timestamp:
                    heapq.heappush(self.heaps.setdefault(spec[1], []),
                                   (Timestamp.of(timestamp).micros, next(self.order), key, window,
                                    spec, timestamp))

    def pop_due(self, keyed_states, markers):
        """``[(key, window, (name, domain, tag), timestamp)]`` of the timers due by ``markers``
        (time domain -> micros), each once, in due order per domain."""
        due = []
        for domain, heap in self.heaps.items():
            marker = markers.get(domain)
            while heap and marker is not None and heap[0][0] <= marker:
                _, _, key, window, spec, timestamp = heapq.heappop(heap)
                state = keyed_states.get(key)
                if state is not None and state.timers.get(window, {}).get(spec) == timestamp:
                    due.append((key, window, spec, timestamp))
        return due


def _timer_index(watermarks):
    """The TimerIndex of a transform's ``_TransformWatermarks``, built from its states once."""
    index = getattr(watermarks, '_wirewatch_timer_index', None)
    if index is None:
        index = watermarks._wirewatch_timer_index = TimerIndex()
        for key, state in list(watermarks._keyed_states.items()):
            index.add(key, state)
    return index


def index_timers():
    from apache_beam.runners.direct import evaluation_context as ec
    from apache_beam.runners.direct import watermark_manager as wm
    from apache_beam.runners.direct.util import TimerFiring
    from apache_beam.transforms.timeutil import TimeDomain
    from apache_beam.utils.timestamp import Timestamp
    context = getattr(ec, 'EvaluationContext', None)
    handle = getattr(context, 'handle_result', None)
    code = getattr(getattr(wm, '_TransformWatermarks', None), 'extract_transform_timers', None)
    if (handle is None or not hasattr(context, 'extract_all_timers') or code is None
            or not {'_keyed_states', '_input_watermark', '_clock', '_fired_timers'}
            <= set(code.__code__.co_names)):
        return False

    @functools.wraps(handle)
    def handle_result(self, completed_bundle, completed_timers, result):
        keyed = self._transform_keyed_states.get(result.transform, {})
        partial = getattr(result, 'partial_keyed_state', None) or {}
        previous = {key: keyed.get(key) for key in partial}
        committed = handle(self, completed_bundle, completed_timers, result)
        index = _timer_index(self._watermark_manager.get_watermarks(result.transform))
        fired = {timer.encoded_key for timer in completed_timers or ()}
        for key, state in partial.items():
            if keyed.get(key) is state:
                # a key whose timer just fired: a timer set again at the same time is due again
                index.add(key, state, None if key in fired else previous.get(key))
        return committed

    def extract_all_timers(self):
        """Due timers of every transform, from the indexes (what the monitor fires)."""
        all_timers = []
        for applied_ptransform, watermarks in self._watermark_manager._transform_to_watermarks.items():
            with watermarks._lock:
                index = _timer_index(watermarks)
                markers = {TimeDomain.WATERMARK: watermarks._input_watermark.micros,
                           TimeDomain.REAL_TIME: Timestamp.of(watermarks._clock.time()).micros}
                fired = [TimerFiring(key, window, name, domain, timestamp, dynamic_timer_tag=tag)
                         for key, window, (name, domain, tag), timestamp
                         in index.pop_due(watermarks._keyed_states, markers)]
                watermarks._fired_timers.update(fired)
            if fired:
                fired.sort(key=lambda timer: timer.timestamp)
                all_timers.append((applied_ptransform, fired))
        return all_timers, False

    context.handle_result = handle_result
    context.extract_all_timers = extract_all_timers
    return True


def skip_empty_bundles():
    from apache_beam.runners.direct import bundle_factory, evaluation_context as ec
    context = getattr(ec, 'EvaluationContext', None)
    handle = getattr(context, 'handle_result', None)
    code = getattr(inspect.unwrap(handle), '__code__', None) if handle else None
    if (code is None or 'uncommitted_output_bundles' not in code.co_names
            or not hasattr(getattr(bundle_factory, '_Bundle', None), 'has_elements')):
        return False

    @functools.wraps(handle)
    def handle_result(self, completed_bundle, completed_timers, result):
        bundles = getattr(result, 'uncommitted_output_bundles', None)
        if bundles:
            result.uncommitted_output_bundles = [b for b in bundles if b.has_elements()]
        return handle(self, completed_bundle, completed_timers, result)

    context.handle_result = handle_result
    return True


def copy_keyed_state(state):
    """A copy of a runner's keyed state (``InMemoryUnmergedState``) that a bundle may change
    without touching ``state``: as the runner's own ``copy``, but the timers (immutable
    windows, names and timestamps) are copied a level per window rather than deep-copied."""
    cloned = type(state)()
    cloned.timers = collections.defaultdict(dict, {window: dict(timers) for window, timers in state.timers.items()})
    cloned.global_state = copy.deepcopy(state.global_state) if state.global_state else {}
    for window, tags in state.state.items():
        for tag, values in tags.items():
            cloned.state[window][tag] = copy.copy(values)
    return cloned


def shallow_state_copy():
    from apache_beam.runners.direct import evaluation_context as ec
    from apache_beam.transforms import trigger
    unmerged = getattr(ec, 'DirectUnmergedState', None)
    original = getattr(getattr(trigger, 'InMemoryUnmergedState', None), 'copy', None)
    code = getattr(original, '__code__', None)
    if unmerged is None or code is None or 'deepcopy' not in code.co_names \
            or not {'timers', 'global_state', 'state'} <= set(code.co_names) \
            or unmerged.copy is not original:
        return False
    unmerged.copy = copy_keyed_state
    return True


FIXES = {
    'dofn_specs_cache': cache_dofn_specs,
    'short_pull': lambda: short_pull(PULL_SECONDS),
    'large_pulls': lambda: large_pulls(PULL_MESSAGES),
    'forget_empty_state': forget_empty_state,
    'timer_index': index_timers,
    'skip_empty_bundles': skip_empty_bundles,
    'shallow_state_copy': shallow_state_copy,
}


def disable():
    """Keep ``apply`` from changing anything in this process (benchmarks compare with and
    without the fixes, applying the ones they measure themselves)."""
    _DISABLED.append(True)


def apply(names=None):
    """Apply the fixes (``names``, default all of ``FIXES``) once per process; returns the
    names of those in effect."""
    if _DISABLED:
        return sorted(_APPLIED)
    for name in (FIXES if names is None else names):
        if name not in _APPLIED and FIXES[name]():
            _APPLIED.add(name)
    return sorted(_APPLIED)
