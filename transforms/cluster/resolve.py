"""Chains of near-duplicates resolved to their representative (pure Python).

LSH bands decide locally: a band remembers each story under the cluster it
joined *in that band*. If A matches B and B matches C, but A does not match C,
C may meet B in a band where A never was; there B is a cluster of its own, so C
would name B as its cluster although B itself joined A. The invariant is that
``cluster_id`` always names a representative (a story that is nobody's copy),
so every article and outlet of a cluster counts where its events are.

Resolution is a short series of keyed rounds, never one global key:

- every story sends a small *head* marker under its own id: the cluster it
  claims (None for a representative) and the event time it counts at;
- every copy is sent under the cluster it claims, as a *member*;
- at key K, a member whose head K is itself a copy moves to K's cluster and
  counts at K's time; any other member stays.

Each round lifts a member one link up its chain, so ``MAX_ROUNDS`` rounds
resolve chains of up to ``MAX_ROUNDS + 1`` links (longer ones are not seen on
real feeds: every link must be a verified near-duplicate of the next).
"""
import dataclasses

MAX_ROUNDS = 3


@dataclasses.dataclass(frozen=True, slots=True)
class Head:
    """What a story says about itself: the cluster it claims and when it counts."""
    story_id: str
    claim: str = None    # cluster_id of a copy; None for a representative
    seconds: float = None
    # its own publication time (seconds): the bands keep it, so copies can claim it, until a
    # TTL after this, which is later than ``seconds`` when the story is itself a copy
    published: float = None


def head_of(story, seconds):
    """The head marker of a decided story (``seconds``: its event time in windows)."""
    dup = story.get('duplicate_of')
    published = story.get('published_at')
    if published is not None and not isinstance(published, (int, float)):
        published = published.timestamp()
    return Head(story['story_id'], story['cluster_id'] if dup else None, seconds, published)


def lift(member, seconds, head):
    """(story, seconds) for a copy whose claimed cluster's head is ``head`` (None if unknown).

    When the claimed cluster is itself a copy of another, the member joins that
    one and counts at its time; otherwise it is unchanged.
    """
    if head is None or head.claim is None or head.claim == member['cluster_id']:
        return member, seconds
    lifted = dict(member)
    lifted['cluster_id'] = head.claim
    lifted['duplicate_of'] = head.claim
    return lifted, head.seconds if head.seconds is not None else seconds


def resolve_chains(stories):
    """Reference resolution over a whole set of (story, seconds): every copy names a
    representative. Used to check the keyed rounds; also handy for small batches."""
    by_id = {s['story_id']: (s, t) for s, t in stories}
    out = []
    for story, seconds in stories:
        seen = {story['story_id']}
        while story.get('duplicate_of') and story['cluster_id'] in by_id:
            head_story, head_seconds = by_id[story['cluster_id']]
            if story['cluster_id'] in seen:
                break
            seen.add(story['cluster_id'])
            story, seconds = lift(story, seconds, head_of(head_story, head_seconds))
            if head_story.get('duplicate_of') is None:
                break
        out.append((story, seconds))
    return out
