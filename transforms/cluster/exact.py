"""Exact re-ingests: the same item seen again (next snapshot, another poll) is one story.

Identity is the feed item id (feed URL + guid), then the canonical URL. The same
text under another URL or outlet is a syndicated copy, not an exact duplicate:
the near-duplicate step clusters it instead.
"""


def item_identity(story):
    return 'item:' + (story.get('item_id') or story['story_id'])


def url_identity(story):
    """The canonical URL, or the story's own id when it has none (never a duplicate then)."""
    url = story.get('canonical_url')
    return 'url:' + url if url else 'story:' + story['story_id']


def first_seen_order(story):
    """Sort key for a backfill: earliest publication, then the fuller text, then the earliest
    ingest, URL and id. Snapshot files carry no trustworthy fetch time (a copied or checked-out
    file's mtime is arbitrary), so among re-ingests of one item the most complete version wins;
    a stream keeps the first seen instead."""
    return (story['published_at'], -len(story.get('text') or ''), story['ingested_at'],
            story.get('canonical_url') or '', story['story_id'])


def split_first_seen(stories):
    """(first, rest) of stories sharing one identity."""
    ordered = sorted(stories, key=first_seen_order)
    return ordered[0], ordered[1:]
