"""Publication time of a story (UTC), and why it is not the item's own date when it is not.

Policy (absurd dates are kept, not dead-lettered): the item's parsed date is used when
present; else its raw date string is parsed with dateparser. A missing, unparseable or
absurd date (before 1990-01-01, or more than one day after ``now`` or after the capture
time) is replaced by the best time the input offers, in this order:

1. the feed's own date (``FeedItem.feed_updated_at``: lastBuildDate/updated, else
   pubDate/published; ingest drops a stale one), itself not absurd;
2. the capture time the operator or the file name gave (``FeedItem.captured_at``);
3. the fetch time (``FeedItem.fetched_at``: the poller's fetch, or a file's mtime).

``date_flag`` says why and which: the reason ('MISSING_DATE', 'UNPARSEABLE_DATE',
'ABSURD_DATE') alone means the fetch time was used (as it always has); with
'_USED_FEED_DATE' or '_USED_CAPTURE_TIME' appended, the feed's date or the capture time.
:func:`date_source` reads the source back from a flag. Whether a fetch time may stand in
for a publication time at all is the caller's decision (a backfill refuses it, see
:func:`wirewatch.transforms.normalise.core.normalise_item`).
"""
import datetime
import warnings

UTC = datetime.timezone.utc
EARLIEST_PLAUSIBLE = datetime.datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = datetime.timedelta(days=1)
MAX_RAW_DATE_CHARS = 120

MISSING_DATE = 'MISSING_DATE'
UNPARSEABLE_DATE = 'UNPARSEABLE_DATE'
ABSURD_DATE = 'ABSURD_DATE'

# Where published_at came from (date_source of a flag).
ITEM_DATE = 'ITEM_DATE'
FEED_DATE = 'FEED_DATE'
CAPTURE_TIME = 'CAPTURE_TIME'
FETCH_TIME = 'FETCH_TIME'
_USED = '_USED_'

_DATEPARSER_SETTINGS = {'TIMEZONE': 'UTC', 'TO_TIMEZONE': 'UTC', 'RETURN_AS_TIMEZONE_AWARE': True,
                        'PREFER_DATES_FROM': 'past', 'STRICT_PARSING': True}


def as_utc(moment):
    """A timezone-aware UTC datetime (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_raw_date(raw):
    """A UTC datetime from a free-form date string, or None. Never raises."""
    if not raw or len(raw) > MAX_RAW_DATE_CHARS or not any(ch.isdigit() for ch in raw):
        return None
    try:
        import dateparser
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            parsed = dateparser.parse(raw, settings=_DATEPARSER_SETTINGS)
    except Exception:  # dateparser raises assorted errors on odd input; unparseable is the answer
        return None
    return as_utc(parsed) if parsed else None


def is_absurd(moment, now, captured_at=None):
    """Before 1990, or more than a day after ``now`` or after the capture time (UTC)."""
    if moment < EARLIEST_PLAUSIBLE or moment > now + FUTURE_TOLERANCE:
        return True
    return captured_at is not None and moment > captured_at + FUTURE_TOLERANCE


def date_source(date_flag):
    """Where a story's published_at came from, given its date_flag: ITEM_DATE, FEED_DATE,
    CAPTURE_TIME or FETCH_TIME."""
    if not date_flag:
        return ITEM_DATE
    if _USED in date_flag:
        return date_flag.split(_USED, 1)[1]
    return FETCH_TIME


def _item_date(published_at, published_raw, now, captured_at):
    """(the item's own date, None) or (None, reason it has none usable)."""
    if published_at is not None:
        moment = as_utc(published_at)
    elif published_raw and published_raw.strip():
        moment = parse_raw_date(published_raw.strip())
        if moment is None:
            return None, UNPARSEABLE_DATE
    else:
        return None, MISSING_DATE
    if is_absurd(moment, now, captured_at):
        return None, ABSURD_DATE
    return moment, None


def resolve_published_at(published_at, published_raw, ingested_at, now, feed_date=None, captured_at=None):
    """(published_at UTC, date_flag or None) for a story; ``ingested_at`` is the fetch time."""
    now = as_utc(now)
    captured_at = as_utc(captured_at) if captured_at else None
    moment, reason = _item_date(published_at, published_raw, now, captured_at)
    if reason is None:
        return moment, None
    if feed_date is not None and not is_absurd(as_utc(feed_date), now, captured_at):
        return as_utc(feed_date), reason + _USED + FEED_DATE
    if captured_at is not None and not is_absurd(captured_at, now):
        return captured_at, reason + _USED + CAPTURE_TIME
    return as_utc(ingested_at), reason
