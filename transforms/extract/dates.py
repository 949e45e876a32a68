"""Event dates from a sentence, relative to the story's dateline or publication date.

The reference date is the dateline date ('January 9', year from ``published_at``,
rolling over the new year) or else ``published_at``'s UTC date. In the sentence:
explicit dates ('January 7', 'Jan. 7', '7 January 2022'), relative phrases
('yesterday', 'last week': data/dates.json) and weekdays ('on Saturday': the most
recent such day on or before the reference for past tense, the next one on or after
it for future tense). Without any, the reference date with DAY precision.
"""
import calendar
import dataclasses
import datetime
import re

from wirewatch.transforms.extract.lexicon import load_data

DAY, WEEK, MONTH = 'DAY', 'WEEK', 'MONTH'

_MONTHS = {}
for _i in range(1, 13):
    _MONTHS[calendar.month_name[_i].lower()] = _i
    _MONTHS[calendar.month_abbr[_i].lower()] = _i
_MONTHS['sept'] = 9
_MONTH_RE = '|'.join(sorted(_MONTHS, key=len, reverse=True))
_DAY_RE = r'(\d{1,2})(?:st|nd|rd|th)?'
_YEAR_RE = r'(?:,?\s+(\d{4}))?'
_MONTH_DAY = re.compile(rf'\b({_MONTH_RE})\.?\s+{_DAY_RE}\b{_YEAR_RE}', re.IGNORECASE)
_DAY_MONTH = re.compile(rf'\b{_DAY_RE}\s+({_MONTH_RE})\b\.?{_YEAR_RE}', re.IGNORECASE)
_ISO_DATE = re.compile(r'\b(\d{4})-(\d{2})-(\d{2})\b')
_WEEKDAYS = [calendar.day_name[i].lower() for i in range(7)]
_WEEKDAY_RE = re.compile(r'\b(' + '|'.join(_WEEKDAYS) + r')\b', re.IGNORECASE)
_MONTH_ONLY = re.compile(rf'\b(?:in|since|during|throughout|early|late|mid-?)\s+({_MONTH_RE})\b(?!\.?\s+\d)', re.IGNORECASE)
# A month naming an event: 'the March attack', 'the October protests' (a capitalised month
# between 'the' and a lower-case word).
_THE_MONTH = re.compile('\\b[Tt]he\\s+(' + '|'.join(calendar.month_name[1:]) + ')\\s+(?=[a-z])')


@dataclasses.dataclass(frozen=True)
class DateMention:
    """A date phrase found in a sentence; ``start`` is its character offset."""
    start: int
    text: str
    kind: str          # 'explicit', 'relative', 'weekday', 'month'
    value: object      # date, dict (relative), weekday index, or month number
    year: int | None = None


def reference_date(published_at, dateline_date=None):
    """The date the story speaks from: the dateline date, else published_at's UTC date."""
    published = _utc_date(published_at)
    if dateline_date:
        found = _explicit_dates(dateline_date)
        if found:
            mention = found[0]
            return _complete_year(mention.value, mention.year, published)
    return published


def resolve_event_date(sentence, published_at, dateline_date=None, anchor=None, mentions=None):
    """(datetime.date, precision) for the event told in ``sentence``.

    ``sentence`` is a spaCy Span/Doc or plain text. With a Span, a weekday's tense is
    read from the verb that governs it; ``anchor`` (a token, e.g. the trigger) picks
    the date phrase nearest to it when there are several. ``mentions``: the sentence's
    :func:`find_date_mentions`, when the caller has them already.
    """
    ref = reference_date(published_at, dateline_date)
    if mentions is None:
        mentions = find_date_mentions(sentence if isinstance(sentence, str) else sentence.text)
    mentions = [m for m in mentions if m.kind != 'month_of' or _names_month_of(m, sentence, anchor)]
    if not mentions:
        return ref, DAY
    mention = _nearest(mentions, sentence, anchor)
    if mention is None:
        return ref, DAY
    if mention.kind == 'explicit':
        return _complete_year(mention.value, mention.year, ref), DAY
    if mention.kind == 'relative':
        return _shift(ref, mention.value)
    if mention.kind in ('month', 'month_of'):
        month_date = _complete_year(datetime.date(2000, mention.value, 1), None, ref)
        return month_date.replace(day=1), MONTH
    future = _is_future(sentence, mention)
    delta = (mention.value - ref.weekday()) % 7
    if future:
        return ref + datetime.timedelta(days=delta), DAY
    return ref - datetime.timedelta(days=(ref.weekday() - mention.value) % 7), DAY


def _names_month_of(mention, sentence, anchor):
    """A month before a noun ('the March attack') dates that noun only: True when the
    anchor is that noun or the verb it is the subject of (or in plain text, where nothing
    else can be told)."""
    if anchor is None or isinstance(sentence, str):
        return True
    base = sentence[0].idx if len(sentence) else 0
    month = next((t for t in sentence if t.idx - base == mention.start), None)
    if month is None:
        return False
    noun = month.head  # 'the March attack killed four': the killing is the attack's
    return noun.i == anchor.i or (noun.dep_ in ('nsubj', 'nsubjpass') and noun.head.i == anchor.i)


def find_date_mentions(text):
    """All date phrases in ``text``, in order of appearance."""
    mentions = _explicit_dates(text)
    taken = [(m.start, m.start + len(m.text)) for m in mentions]
    lowered = text.lower()
    for phrase, shift in sorted(load_data('dates')['relative'].items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(r'\b' + re.escape(phrase) + r'\b', lowered):
            if not _overlaps(m.start(), m.end(), taken):
                mentions.append(DateMention(m.start(), m.group(0), 'relative', shift))
                taken.append((m.start(), m.end()))
    for m in _WEEKDAY_RE.finditer(text):
        if not _overlaps(m.start(), m.end(), taken):
            mentions.append(DateMention(m.start(), m.group(0), 'weekday', _WEEKDAYS.index(m.group(1).lower())))
    for m in _MONTH_ONLY.finditer(text):
        if not _overlaps(m.start(1), m.end(1), taken) and m.group(1).lower() != 'may':
            mentions.append(DateMention(m.start(1), m.group(1), 'month', _MONTHS[m.group(1).lower()]))
            taken.append((m.start(1), m.end(1)))
    for m in _THE_MONTH.finditer(text):
        if not _overlaps(m.start(1), m.end(1), taken):
            mentions.append(DateMention(m.start(1), m.group(1), 'month_of', _MONTHS[m.group(1).lower()]))
    return sorted(mentions, key=lambda m: m.start)


def _explicit_dates(text):
    out = []
    for m in _MONTH_DAY.finditer(text):
        out.append(_make_explicit(m, _MONTHS[m.group(1).lower()], int(m.group(2)), m.group(3)))
    for m in _DAY_MONTH.finditer(text):
        out.append(_make_explicit(m, _MONTHS[m.group(2).lower()], int(m.group(1)), m.group(3)))
    for m in _ISO_DATE.finditer(text):
        out.append(_make_explicit(m, int(m.group(2)), int(m.group(3)), m.group(1)))
    out = [m for m in out if m is not None]
    return sorted(out, key=lambda m: m.start)


def _make_explicit(match, month, day, year):
    try:
        value = datetime.date(int(year) if year else 2000, month, day)
    except ValueError:
        return None
    return DateMention(match.start(), match.group(0), 'explicit', value, int(year) if year else None)


def _complete_year(value, year, ref):
    """The date with ``year`` or, without one, the year that puts it nearest ``ref``."""
    if year:
        return value
    candidates = []
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            candidates.append(value.replace(year=y))
        except ValueError:  # 29 February
            continue
    return min(candidates, key=lambda d: abs((d - ref).days))


def _shift(ref, shift):
    precision = shift['precision']
    if 'months' in shift:
        month_index = ref.year * 12 + ref.month - 1 + shift['months']
        return datetime.date(month_index // 12, month_index % 12 + 1, 1), precision
    days = shift.get('days', 0) + 7 * shift.get('weeks', 0)
    return ref + datetime.timedelta(days=days), precision


def _nearest(mentions, sentence, anchor):
    """The date phrase of the anchor's own clause ('condemned on Tuesday a strike that killed
    four on Monday': Monday for 'killed'), else the one nearest to it."""
    if anchor is None or isinstance(sentence, str):
        return mentions[0]
    base = sentence[0].idx if len(sentence) else 0
    offset = anchor.idx - base
    own = _own_clause_offsets(anchor, base)
    in_clause = [m for m in mentions if m.start in own]
    if not in_clause:
        complement = {t.idx - base for c in anchor.children if c.dep_ in ('xcomp', 'ccomp') for t in c.subtree}
        if all(m.start in complement for m in mentions):
            return None  # 'urges leaders to open borders in July': the date of what is asked, not of the asking
    return min(in_clause or mentions, key=lambda m: abs(m.start - offset))


_SUBCLAUSES = ('relcl', 'advcl', 'ccomp', 'xcomp', 'acl', 'csubj', 'parataxis')


def _own_clause_offsets(anchor, base):
    """Character offsets (from ``base``) of the words of the anchor's clause, without the
    clauses embedded in it."""
    verb = anchor
    for _ in range(4):
        if verb.pos_ in ('VERB', 'AUX') or verb.head.i == verb.i:
            break
        verb = verb.head
    excluded = set()
    for token in verb.subtree:
        if token.dep_ in _SUBCLAUSES and token.i != verb.i:
            inner = {t.i for t in token.subtree}
            if anchor.i not in inner:
                excluded.update(inner)
    return {t.idx - base for t in verb.subtree if t.i not in excluded}


def _is_future(sentence, mention):
    """Tense of the clause holding a weekday: from the parse when there is one."""
    markers = load_data('dates')['future_markers']
    if isinstance(sentence, str):
        before = sentence[:mention.start].lower()
        return any(re.search(r"(?<![\w'])" + re.escape(m) + r'\b', before) for m in markers)
    base = sentence[0].idx
    token = next((t for t in sentence if t.idx - base == mention.start), None)
    verb = token
    while verb is not None and verb.pos_ not in ('VERB', 'AUX') and verb.head.i != verb.i:
        verb = verb.head
    if verb is None or verb.pos_ not in ('VERB', 'AUX'):
        return False
    words = {c.lower_ for c in verb.children if c.dep_ in ('aux', 'auxpass')} | {verb.lower_}
    if verb.tag_ == 'VB' and any(c.lower_ == 'to' for c in verb.children) \
            and verb.head.lemma_ in load_data('dates')['future_governors']:
        return True  # 'is to hold', 'plans to meet'
    return any(w in markers for w in words) or any(c.lower_ in ('next', 'upcoming') for c in token.children)


def _overlaps(start, end, spans):
    return any(start < e and s < end for s, e in spans)


def _utc_date(published_at):
    if isinstance(published_at, datetime.datetime):
        if published_at.tzinfo is not None:
            published_at = published_at.astimezone(datetime.timezone.utc)
        return published_at.date()
    if isinstance(published_at, datetime.date):
        return published_at
    raise TypeError(f'published_at must be a datetime, not {type(published_at).__name__}')
