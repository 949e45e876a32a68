"""Publication time of a story (UTC), and why it is not the feed's own date when it is not.

Policy (absurd dates are kept, not dead-lettered): the feed's parsed date is used when
present; else the raw date string is parsed with dateparser. A missing, unparseable or
absurd date (more than one day after ``now``, or before 1990-01-01) is replaced by the
ingest time (the item's ``fetched_at``) and ``date_flag`` says why: 'MISSING_DATE',
'UNPARSEABLE_DATE' or 'ABSURD_DATE'. The story is kept.
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


def is_absurd(moment, now):
    return moment < EARLIEST_PLAUSIBLE or moment > now + FUTURE_TOLERANCE


def resolve_published_at(published_at, published_raw, ingested_at, now):
    """(published_at UTC, date_flag or None) for a story."""
    now = as_utc(now)
    ingested_at = as_utc(ingested_at)
    if published_at is not None:
        moment = as_utc(published_at)
    elif published_raw and published_raw.strip():
        moment = parse_raw_date(published_raw.strip())
        if moment is None:
            return ingested_at, UNPARSEABLE_DATE
    else:
        return ingested_at, MISSING_DATE
    if is_absurd(moment, now):
        return ingested_at, ABSURD_DATE
    return moment, None
