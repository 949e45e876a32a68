"""FeedItem dict -> Story dict (schemas/Story.avsc), or ``Rejected``.

Dead-lettered (raise ``Rejected``):
- ``ITEM_TOO_LARGE``: title + summary + content over ``MAX_ITEM_BYTES`` (1 MiB, UTF-8).
- ``NO_TEXT``: neither a usable title nor any text after cleaning.

- ``UNDATED_IN_BACKFILL``: an item read from a stored feed file (``backfill``) whose only
  usable time is the file's fetch time: no date of its own, no feed date, no capture time.
  That time is the run's (a copied file's mtime), not the article's, so it would open a
  window of its own on the day of the run; given ``--capture-time`` or
  ``--capture-time-from-filename`` the item is kept.

Kept with a flag (see :mod:`.dates`): missing, unparseable and absurd dates get the best
time the input offers (the feed's date, the capture time, else the fetch time) as
``published_at`` and a ``date_flag`` saying why and which.

``source_name`` is the item's own outlet, not the aggregator's (see :mod:`.outlets`); the
feed's title is kept as ``feed_title``.

Text is the longer of the cleaned content and the cleaned summary (feeds often put a
caption in one and the lead in the other), with the dateline and bylines removed. An item
with a title but no text gets the title as its text; one with text but no title gets the
opening of its text as title.
"""
import datetime

from wirewatch.transforms.deadletter import Rejected
from wirewatch.transforms.normalise import dateline as datelines
from wirewatch.transforms.normalise.dates import FETCH_TIME, as_utc, date_source, resolve_published_at
from wirewatch.transforms.normalise.language import detect_language
from wirewatch.transforms.normalise.outlets import names_for_titles, story_source_name
from wirewatch.transforms.normalise.text import html_to_clean_text
from wirewatch.transforms.normalise.titles import outlet_names, split_title
from wirewatch.transforms.normalise.urls import canonical_url

MAX_ITEM_BYTES = 1024 * 1024
UNDATED_IN_BACKFILL = 'UNDATED_IN_BACKFILL'
MAX_DERIVED_TITLE_CHARS = 160


def item_size_bytes(item):
    """UTF-8 bytes of the item's title, summary and content."""
    return sum(len((item.get(k) or '').encode('utf-8', 'surrogatepass')) for k in ('title', 'summary', 'content'))


def story_text(item):
    """Cleaned article text: the longer of content and summary."""
    candidates = [html_to_clean_text(item.get(k)) for k in ('content', 'summary')]
    return max(candidates, key=len)


def derived_title(text):
    """The opening of the text, cut at a word boundary, for items without a title."""
    first = text.split('\n\n', 1)[0]
    if len(first) <= MAX_DERIVED_TITLE_CHARS:
        return first
    cut = first[:MAX_DERIVED_TITLE_CHARS].rsplit(' ', 1)[0]
    return cut + '…'


def story_url(item):
    """The item's link, else its guid when that is a permalink; only http(s) URLs."""
    for candidate in (item.get('url'), item.get('guid')):
        if candidate and canonical_url(candidate):
            return candidate.strip()
    return None


def is_title_echo(text, title, source_name=None):
    """True when the text only repeats the title, maybe plus an outlet ('Headline  Reuters')."""
    if not text or not title or '\n' in text or not text.startswith(title):
        return False
    rest = text[len(title):].strip(' -|–—:')
    return not rest or rest.lower() in outlet_names(source_name)


def without_leading_title(text, title):
    """Drop a first paragraph that repeats the headline."""
    first, _, rest = text.partition('\n\n')
    return rest if title and first.strip().lower() == title.lower() else text


def normalise_item(item, now=None):
    """One FeedItem dict -> one Story dict.
    Raises Rejected('ITEM_TOO_LARGE' | 'NO_TEXT' | 'UNDATED_IN_BACKFILL', detail)."""
    now = as_utc(now) if now else datetime.datetime.now(datetime.timezone.utc)
    size = item_size_bytes(item)
    if size > MAX_ITEM_BYTES:
        raise Rejected('ITEM_TOO_LARGE', f'{size} bytes of title/summary/content > {MAX_ITEM_BYTES}')

    title, title_wire, title_outlet = split_title(item.get('title'), names_for_titles(item))
    url = story_url(item)
    source_name = story_source_name(item, title_outlet, url)
    outlets = names_for_titles(item) + ((source_name,) if source_name else ())
    text = story_text(item)
    if is_title_echo(text, title, outlets):
        text = ''
    text = without_leading_title(text, title)
    dateline, text = datelines.split_dateline(text)
    byline_authors, text = datelines.extract_bylines(text)
    if not title and not text:
        raise Rejected('NO_TEXT', 'neither a title nor any text after cleaning')
    title = title or derived_title(text)
    text = text or title

    ingested_at = as_utc(item.get('fetched_at') or now)
    published_at, date_flag = resolve_published_at(
        item.get('published_at'), item.get('published_raw'), ingested_at, now,
        feed_date=item.get('feed_updated_at'), captured_at=item.get('captured_at'))
    if item.get('backfill') and date_source(date_flag) == FETCH_TIME:
        raise Rejected(UNDATED_IN_BACKFILL,
                       f'{date_flag}: no usable date of its own, no feed date and no capture time; the '
                       f'file time {ingested_at.isoformat()} is not a publication time in a backfill '
                       f'(give --capture-time or --capture-time-from-filename to keep it)')
    story_id = item['item_id']
    outlet_set = outlet_names(outlets)
    return {
        'story_id': story_id,
        'cluster_id': story_id,
        'duplicate_of': None,
        'url': url,
        'canonical_url': canonical_url(url),
        'source_name': source_name,
        'feed_url': item.get('feed_url'),
        'title': title,
        'text': text,
        'language': detect_language(f'{title}\n\n{text}' if text != title else title, item.get('feed_language')),
        'published_at': published_at,
        'ingested_at': ingested_at,
        'dateline_place': dateline.place if dateline else None,
        'authors': [a for a in datelines.merge_authors(item.get('authors'), byline_authors)
                    if a.lower() not in outlet_set],
        'item_id': item.get('item_id'),
        'dateline_date': dateline.date if dateline else None,
        'wire': (dateline.wire if dateline and dateline.wire else None) or title_wire,
        'date_flag': date_flag,
        'similarity': None,
        'feed_title': item.get('feed_title'),
    }
