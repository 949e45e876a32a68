"""Cluster stage: drop exact re-ingests, group near-duplicates into story clusters.

Two execution paths share the pure code in ``exact``/``index``/``similarity``:
- bounded input (``streaming=False``): GroupByKey and a deterministic order
  (earliest publication first), so a backfill gives the same clusters every run;
- unbounded input (``streaming=True``): stateful DoFns in the global window with
  event-time TTL timers, so state stays bounded on a never-ending stream.
Either way state is keyed by item identity or by LSH band, never by one global key.
"""
import typing

import apache_beam as beam
from apache_beam.coders import BooleanCoder, PickleCoder, VarIntCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import (BagStateSpec, ReadModifyWriteStateSpec,
                                              TimerSpec, on_timer)
from apache_beam.utils.timestamp import Duration, Timestamp

from wirewatch.transforms.cluster.exact import item_identity, split_first_seen, url_identity
from wirewatch.transforms.cluster.index import (BandIndex, Vote, cluster_event_time, decide_cluster,
                                                entries_to_rows, index_row, rows_to_entries)
from wirewatch.transforms.cluster.resolve import MAX_ROUNDS, Head, head_of, lift
from wirewatch.transforms.cluster.similarity import (ALL_BANDS, DEFAULT_THRESHOLD, band_keys,
                                                     fingerprint, for_index)

DUPLICATE_TAG = 'duplicate'
DEFAULT_TTL_SECONDS = 3 * 86400


def _event_seconds(story):
    return story['published_at'].timestamp()


def _at_event_time(story):
    """Re-stamp a story with its publication time: a GroupByKey output carries the window's end."""
    return beam.window.TimestampedValue(story, _event_seconds(story))


# ---------------------------------------------------------------- exact duplicates

class _KeepFirstOfGroupFn(beam.DoFn):
    """Bounded path: of all stories with one identity, keep the earliest."""

    def __init__(self):
        self.duplicates = Metrics.counter(self.__class__, 'duplicates_exact')

    def process(self, keyed):
        _, stories = keyed
        first, rest = split_first_seen(stories)
        yield _at_event_time(first)
        for dup in rest:
            self.duplicates.inc()
            yield beam.pvalue.TaggedOutput(DUPLICATE_TAG, _at_event_time(dup))


@beam.typehints.with_input_types(typing.Tuple[str, typing.Any])
class _KeepFirstSeenFn(beam.DoFn):
    """Unbounded path: the first story seen under an identity passes; the key forgets after the TTL."""
    SEEN = ReadModifyWriteStateSpec('seen', BooleanCoder())
    EXPIRY = TimerSpec('expiry', TimeDomain.WATERMARK)

    def __init__(self, ttl_seconds):
        self.ttl = ttl_seconds
        self.duplicates = Metrics.counter(self.__class__, 'duplicates_exact')

    def process(self, keyed, ts=beam.DoFn.TimestampParam,
                seen=beam.DoFn.StateParam(SEEN), expiry=beam.DoFn.TimerParam(EXPIRY)):
        _, story = keyed
        if seen.read():
            self.duplicates.inc()
            yield beam.pvalue.TaggedOutput(DUPLICATE_TAG, story)
            return
        seen.write(True)
        expiry.set(ts + Duration(seconds=self.ttl))
        yield story

    @on_timer(EXPIRY)
    def forget(self, seen=beam.DoFn.StateParam(SEEN)):
        seen.clear()


class DropExactDuplicates(beam.PTransform):
    """Stories keyed by one identity (item id, then canonical URL); later sightings are duplicates.

    expand returns ``(stories, duplicates)``.
    """

    def __init__(self, identity, streaming=False, ttl_seconds=DEFAULT_TTL_SECONDS):
        super().__init__()
        self.identity = identity
        self.streaming = streaming
        self.ttl = ttl_seconds

    def expand(self, stories):
        keyed = stories | 'KeyByIdentity' >> beam.Map(
            lambda s, f=self.identity: (f(s), s)).with_output_types(
                typing.Tuple[str, typing.Dict[str, typing.Any]])
        if self.streaming:
            result = keyed | 'KeepFirstSeen' >> beam.ParDo(
                _KeepFirstSeenFn(self.ttl)).with_outputs(DUPLICATE_TAG, main='stories')
        else:
            result = (keyed
                      | 'GroupByIdentity' >> beam.GroupByKey()
                      | 'KeepEarliest' >> beam.ParDo(
                          _KeepFirstOfGroupFn()).with_outputs(DUPLICATE_TAG, main='stories'))
        return result.stories, result[DUPLICATE_TAG]


# ---------------------------------------------------------------- near duplicates

@beam.typehints.with_output_types(typing.Tuple[str, typing.Any])
class _FingerprintFn(beam.DoFn):
    """Fan a story out to its LSH bands, and pass the story itself to the decision step."""

    def process(self, story):
        fp = fingerprint(story['title'], story['text'])
        sid = story['story_id']
        yield beam.pvalue.TaggedOutput('story', (sid, story))
        member = (sid, _event_seconds(story), index_row(for_index(fp)))  # its sets pickled once, not per band
        for key in band_keys(fp):
            yield key, member


class _VoteInBandFn(beam.DoFn):
    """Bounded path: replay a band's stories in publication order through a BandIndex."""

    def __init__(self, ttl, threshold):
        self.ttl = ttl
        self.threshold = threshold

    def process(self, keyed):
        _, members = keyed
        index = BandIndex(ttl=self.ttl, threshold=self.threshold)
        for sid, ts, fp in sorted(members, key=lambda m: (m[1], m[0])):
            yield sid, index.offer(sid, ts, fp)


class BandEntriesCoder(PickleCoder):
    """A band index's entries in state, pickled as plain tuples (see ``entries_to_rows``)."""

    def encode(self, entries):
        return super().encode(entries_to_rows(entries))

    def decode(self, encoded):
        return rows_to_entries(super().decode(encoded))

    def as_deterministic_coder(self, step_label, error_message=None):
        return self


@beam.typehints.with_input_types(typing.Tuple[str, typing.Any])
class _VoteInBandStatefulFn(beam.DoFn):
    """Unbounded path: the band's index lives in state; each entry expires a TTL after its event time.

    The watermark timer is kept at the oldest entry + TTL; when it fires, expired
    entries are dropped and the timer moves to the next oldest (or the key is cleared).
    """
    INDEX = ReadModifyWriteStateSpec('index', BandEntriesCoder())
    EXPIRY = TimerSpec('expiry', TimeDomain.WATERMARK)

    def __init__(self, ttl, threshold):
        self.ttl = ttl
        self.threshold = threshold
        self.expired = Metrics.counter(self.__class__, 'band_entries_expired')

    def process(self, keyed, state=beam.DoFn.StateParam(INDEX),
                expiry=beam.DoFn.TimerParam(EXPIRY)):
        _, (sid, seconds, fp) = keyed
        index = BandIndex(state.read() or (), ttl=self.ttl, threshold=self.threshold)
        vote = index.offer(sid, seconds, fp)
        state.write(index.entries)
        expiry.set(self._expiry_time(index))
        yield sid, vote

    @on_timer(EXPIRY)
    def expire(self, fire=beam.DoFn.TimestampParam, state=beam.DoFn.StateParam(INDEX),
               expiry=beam.DoFn.TimerParam(EXPIRY)):
        index = BandIndex(state.read() or (), ttl=self.ttl)
        self.expired.inc(index.expire(float(fire.micros) / 1e6))
        if index.entries:
            state.write(index.entries)
            expiry.set(self._expiry_time(index))
        else:
            state.clear()

    def _expiry_time(self, index):
        return Timestamp(index.oldest_ts()) + Duration(seconds=self.ttl)


def _apply_decision(story, votes):
    """The story with its cluster decision, stamped at its cluster's event time."""
    cluster_id, duplicate_of, sim = decide_cluster(story['story_id'], votes)
    out = dict(story)
    out['cluster_id'] = cluster_id
    out['duplicate_of'] = duplicate_of
    out['similarity'] = sim
    return beam.window.TimestampedValue(out, cluster_event_time(_event_seconds(story), votes))


class _DecideFromGroupFn(beam.DoFn):
    def __init__(self):
        self.near = Metrics.counter(self.__class__, 'duplicates_near')

    def process(self, keyed):
        _, grouped = keyed
        for story in grouped['story']:
            out = _apply_decision(story, list(grouped['votes']))
            if out.value['duplicate_of']:
                self.near.inc()
            yield out


@beam.typehints.with_input_types(typing.Tuple[str, typing.Any])
class _DecideStatefulFn(beam.DoFn):
    """Unbounded path: wait for the story and all of its band votes, then decide."""
    STORY = ReadModifyWriteStateSpec('story', PickleCoder())
    VOTES = BagStateSpec('votes', PickleCoder())
    COUNT = ReadModifyWriteStateSpec('count', VarIntCoder())

    def __init__(self):
        self.near = Metrics.counter(self.__class__, 'duplicates_near')

    def process(self, keyed, story_state=beam.DoFn.StateParam(STORY),
                votes=beam.DoFn.StateParam(VOTES), count=beam.DoFn.StateParam(COUNT)):
        _, value = keyed
        if isinstance(value, Vote):
            votes.add(value)
            count.write((count.read() or 0) + 1)
        else:
            story_state.write(value)
        story = story_state.read()
        if story is None or (count.read() or 0) < ALL_BANDS:
            return
        out = _apply_decision(story, list(votes.read()))
        story_state.clear()
        votes.clear()
        count.clear()
        if out.value['duplicate_of']:
            self.near.inc()
        yield out


# ---------------------------------------------------------------- chains to representatives

def _seconds(ts):
    return ts.micros / 1e6


class _SplitClaimsFn(beam.DoFn):
    """A decided story's head marker under its own id; a copy also as a member under its claim.

    Outputs: main ``members`` ((claim, (story, seconds))), ``heads`` ((id, Head)) and
    ``final`` (representatives, which no chain can move).
    """

    def __init__(self, timestamped_input):
        self.timestamped_input = timestamped_input

    def process(self, element, ts=beam.DoFn.TimestampParam):
        story, seconds = element if not self.timestamped_input else (element, _seconds(ts))
        yield beam.pvalue.TaggedOutput('heads', (story['story_id'], head_of(story, seconds)))
        if story.get('duplicate_of'):
            yield story['cluster_id'], (story, seconds)
        else:
            yield beam.pvalue.TaggedOutput('final', (story, seconds))


def _lift_output(story, seconds, head, lifted_counter):
    """A member under its claimed cluster's head: settled ('final') when the head leaves
    it where it is, else lifted one link up its chain (main output: another round)."""
    out = lift(story, seconds, head)
    if out[0] is story:
        return beam.pvalue.TaggedOutput('final', out)
    lifted_counter.inc()
    return out


class _LiftFromGroupFn(beam.DoFn):
    """Bounded path: one claimed cluster's head and its members; lifted members go round again."""

    def __init__(self):
        self.lifted = Metrics.counter(self.__class__, 'cluster_chain_links_lifted')

    def process(self, keyed):
        _, grouped = keyed
        heads = list(grouped['head'])
        head = heads[0] if heads else None
        for story, seconds in grouped['member']:
            yield _lift_output(story, seconds, head, self.lifted)


@beam.typehints.with_input_types(typing.Tuple[str, typing.Any])
class _LiftStatefulFn(beam.DoFn):
    """Unbounded path: members wait at their claimed cluster's key for its head marker.

    A key expires a TTL of event time after its cluster's own publication: the bands
    keep the cluster's entry, so later copies may claim it, that long. The head marker
    gives that time (``Head.published``; its event timestamp is the time it *counts* at,
    earlier when it is itself a copy), and so does every member (its ``seconds`` are its
    claimed cluster's time; its event timestamp is its previous claim's after a lift).
    One deadline per key: a member never waits for a head that has already expired.
    Members whose head never comes are released unchanged when the key expires (at
    once when the deadline has passed).
    """
    HEAD = ReadModifyWriteStateSpec('head', PickleCoder())
    PENDING = BagStateSpec('pending', PickleCoder())
    UNTIL = ReadModifyWriteStateSpec('until', PickleCoder())
    EXPIRY = TimerSpec('expiry', TimeDomain.WATERMARK)

    def __init__(self, ttl_seconds):
        self.ttl = ttl_seconds
        self.lifted = Metrics.counter(self.__class__, 'cluster_chain_links_lifted')

    def process(self, keyed, ts=beam.DoFn.TimestampParam, head_state=beam.DoFn.StateParam(HEAD),
                pending=beam.DoFn.StateParam(PENDING), until=beam.DoFn.StateParam(UNTIL),
                expiry=beam.DoFn.TimerParam(EXPIRY)):
        _, value = keyed
        if isinstance(value, Head):
            head_state.write(value)
            for story, seconds in pending.read():
                yield _lift_output(story, seconds, value, self.lifted)
            pending.clear()
            claimable_from = _seconds(ts) if value.published is None else max(_seconds(ts), value.published)
        else:
            head = head_state.read()
            if head is None:
                pending.add(value)
            else:
                yield _lift_output(*value, head, self.lifted)
            claimable_from = value[1]
        deadline = max(until.read() or 0.0, claimable_from + self.ttl)
        until.write(deadline)
        expiry.set(Timestamp(deadline))

    @on_timer(EXPIRY)
    def expire(self, head_state=beam.DoFn.StateParam(HEAD), pending=beam.DoFn.StateParam(PENDING),
               until=beam.DoFn.StateParam(UNTIL)):
        for story, seconds in pending.read():
            yield beam.pvalue.TaggedOutput('final', (story, seconds))
        pending.clear()
        head_state.clear()
        until.clear()


def _restamp(element):
    story, seconds = element
    return beam.window.TimestampedValue(story, seconds)


class ResolveChains(beam.PTransform):
    """Every copy's ``cluster_id`` names a representative (see ``resolve``), in rounds."""

    def __init__(self, streaming=False, ttl_seconds=DEFAULT_TTL_SECONDS, rounds=MAX_ROUNDS):
        super().__init__()
        self.streaming = streaming
        self.ttl = ttl_seconds
        self.rounds = rounds

    def expand(self, decided):
        settled = []        # (story, seconds) no later round can move
        settled_heads = []  # their head markers: the same in every later round
        pending = decided
        for r in range(1, self.rounds + 1):
            split = pending | f'SplitClaims{r}' >> beam.ParDo(
                _SplitClaimsFn(timestamped_input=(r == 1))).with_outputs('heads', 'final',
                                                                          main='members')
            heads = (settled_heads + [split.heads]) | f'Heads{r}' >> beam.Flatten()
            if self.streaming:
                lifted = ((heads, split.members)
                          | f'JoinClaims{r}' >> beam.Flatten().with_output_types(
                              typing.Tuple[str, typing.Any])
                          | f'Lift{r}' >> beam.ParDo(_LiftStatefulFn(self.ttl)).with_outputs(
                              'final', main='lifted'))
            else:
                lifted = ({'head': heads, 'member': split.members}
                          | f'GroupClaims{r}' >> beam.CoGroupByKey()
                          | f'Lift{r}' >> beam.ParDo(_LiftFromGroupFn()).with_outputs(
                              'final', main='lifted'))
            for name, done in (('Split', split.final), ('Lift', lifted.final)):
                settled.append(done)
                settled_heads.append(done | f'HeadOf{name}{r}' >> beam.Map(
                    lambda e: (e[0]['story_id'], head_of(*e))))
            pending = lifted.lifted
        return ((settled + [pending]) | 'AllResolved' >> beam.Flatten()
                | 'AtClusterTime' >> beam.Map(_restamp))


class ClusterNearDuplicates(beam.PTransform):
    """Give each story a ``cluster_id``; near-duplicates also get ``duplicate_of``."""

    def __init__(self, streaming=False, ttl_seconds=DEFAULT_TTL_SECONDS,
                 threshold=DEFAULT_THRESHOLD):
        super().__init__()
        self.streaming = streaming
        self.ttl = ttl_seconds
        self.threshold = threshold

    def expand(self, stories):
        fanned = stories | 'FingerprintAndBand' >> beam.ParDo(
            _FingerprintFn()).with_outputs('story', main='bands')
        if self.streaming:
            votes = fanned.bands | 'VoteInBand' >> beam.ParDo(
                _VoteInBandStatefulFn(self.ttl, self.threshold))
            return ((fanned.story, votes)
                    | 'JoinVotes' >> beam.Flatten().with_output_types(typing.Tuple[str, typing.Any])
                    | 'DecideCluster' >> beam.ParDo(_DecideStatefulFn()))
        votes = (fanned.bands
                 | 'GroupByBand' >> beam.GroupByKey()
                 | 'VoteInBand' >> beam.ParDo(_VoteInBandFn(self.ttl, self.threshold)))
        return ({'story': fanned.story, 'votes': votes}
                | 'GroupVotesByStory' >> beam.CoGroupByKey()
                | 'DecideCluster' >> beam.ParDo(_DecideFromGroupFn()))


class Cluster(beam.PTransform):
    """Exact re-ingests dropped (by item id, then canonical URL), then near-duplicates clustered.

    expand returns ``(stories, exact_duplicates)``; every story has a cluster_id.
    """

    def __init__(self, streaming=False, ttl_seconds=DEFAULT_TTL_SECONDS,
                 threshold=DEFAULT_THRESHOLD):
        super().__init__()
        self.streaming = streaming
        self.ttl = ttl_seconds
        self.threshold = threshold

    def expand(self, stories):
        by_item, dup_item = stories | 'DropSameItem' >> DropExactDuplicates(
            item_identity, self.streaming, self.ttl)
        by_url, dup_url = by_item | 'DropSameUrl' >> DropExactDuplicates(
            url_identity, self.streaming, self.ttl)
        clustered = (by_url
                     | 'ClusterNearDuplicates' >> ClusterNearDuplicates(
                         self.streaming, self.ttl, self.threshold)
                     | 'ResolveChains' >> ResolveChains(self.streaming, self.ttl))
        duplicates = (dup_item, dup_url) | 'AllExactDuplicates' >> beam.Flatten()
        return clustered, duplicates
