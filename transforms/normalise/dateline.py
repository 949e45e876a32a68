"""Wire datelines ("ALMATY, January 9 (Reuters) - ", "WASHINGTON (AP) — ") and bylines.

``split_dateline`` finds the dateline at the start of the lead paragraph (one of the first
few paragraphs: teaser bullets and bylines may come first) and removes it.
``extract_bylines`` removes "By A and B" paragraphs and "(Reporting by A; Editing by B)"
credits and returns the reporters (editors are not authors).
"""
import collections
import re

from wirewatch.transforms.normalise.resources import data_lines, data_table

LEAD_PARAGRAPHS_SEARCHED = 8
MAX_BYLINE_CHARS = 160

Dateline = collections.namedtuple('Dateline', 'place date wire')

_MONTH = (r'(?i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|'
          r'Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?')
_WEEKDAY = r'(?i:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?'
_DATE = rf'(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)'
_UPPER_WORD = r"[A-Z][A-Z.'’\-]*"
_ANY_WORD = r"[A-Z][\w.'’\-]*"
_REGION = rf"{_ANY_WORD}(?: {_ANY_WORD}){{0,3}}"
# One or more places separated by '/', each upper case with an optional region in any case:
# "KYIV, Ukraine", "WASHINGTON/DUBAI", "CHONG CHOM, Thailand/ODDAR MEANCHEY, Cambodia".
_UPPER_PLACE = rf"{_UPPER_WORD}(?: {_UPPER_WORD})*(?:,\s*{_REGION})?"
_PLACE = rf"(?P<place>{_UPPER_PLACE}(?:\s*/\s*{_UPPER_PLACE})*)"
# Before a "(Wire)" credit a title-case place is safe too: "Dubai, Feb 3 (Reuters) -".
_WIRE_PLACE = rf"(?P<place>{_UPPER_PLACE}(?:\s*/\s*{_UPPER_PLACE})*|{_REGION}(?:,\s*{_REGION})?)"
_DASH = r'\s*(?:[-–—]+|:)\s*'


def _wire_alternatives():
    aliases = sorted((alias for alias, _ in data_table('wires.tsv')), key=len, reverse=True)
    return '|'.join(re.escape(a) for a in aliases)


def _dateline_patterns():
    wire = rf'\(\s*(?P<wire>{_wire_alternatives()})\s*\)'
    return (
        # PLACE, DATE (Wire) -   /  PLACE (Wire) -   /  DATE (Wire) -
        re.compile(rf'^(?:{_WIRE_PLACE}\s*,?\s*)?(?:(?P<date>{_DATE})\s*,?\s*)?{wire}{_DASH}'),
        # PLACE, DATE -  (no wire)
        re.compile(rf'^{_PLACE},\s*(?P<date>{_DATE}){_DASH}'),
        # PLACE — (no wire, em or en dash only: a hyphen is too common in prose)
        re.compile(rf'^{_PLACE}\s+[–—]\s+'),
    )


_PATTERNS = None
_NOT_PLACES = frozenset({'BREAKING', 'UPDATE', 'UPDATED', 'EXCLUSIVE', 'WATCH', 'LIVE', 'ANALYSIS',
                         'OPINION', 'EDITORIAL', 'FACTBOX', 'EXPLAINER', 'NOTE', 'CORRECTION', 'VIDEO',
                         'PHOTOS', 'REVIEW', 'INTERVIEW', 'COMMENT', 'FEATURE', 'SPECIAL REPORT', 'URGENT',
                         'FLASH', 'ALERT', 'NEW', 'TV', 'US', 'UK', 'EU', 'UN'})


def _patterns():
    global _PATTERNS
    if _PATTERNS is None:
        _PATTERNS = _dateline_patterns()
    return _PATTERNS


def canonical_wire(name):
    """Canonical wire name for an alias ('Associated Press' -> 'AP'), case-insensitive; else None."""
    if not name:
        return None
    lowered = name.strip().lower()
    for alias, canonical in data_table('wires.tsv'):
        if alias.lower() == lowered:
            return canonical
    return None


def place_name(raw):
    """'ALMATY' -> 'Almaty', 'UNITED NATIONS' -> 'United Nations', 'KYIV, Ukraine' -> 'Kyiv, Ukraine'."""
    return '/'.join(_one_place_name(part) for part in re.split(r'\s*/\s*', raw.strip()))


def _one_place_name(raw):
    head, _, region = raw.partition(',')
    head = head.strip()
    if head.isupper() or not any(ch.isupper() for ch in head[1:]):
        head = ''.join(w if w in ' -' else _title_word(w) for w in re.split(r'([ \-])', head))
    return f'{head}, {region.strip()}' if region.strip() else head


def _title_word(word):
    word = word.capitalize()
    word = re.sub(r"(['’])([a-z])", lambda m: m.group(1) + (m.group(2) if m.group(2) == 's' else m.group(2).upper()),
                  word)
    return re.sub(r'\.([a-z])', lambda m: '.' + m.group(1).upper(), word)


def match_dateline(paragraph):
    """(Dateline, rest of paragraph) when the paragraph opens with a dateline, else None."""
    for pattern in _patterns():
        match = pattern.match(paragraph)
        if not match:
            continue
        groups = match.groupdict()
        place = groups.get('place')
        if place and place.split(',')[0].strip().upper() in _NOT_PLACES:
            continue
        wire = groups.get('wire')
        date = groups.get('date')
        if not (place or wire):
            continue
        if place and len(place.split(',')[0].replace('.', '').strip()) < 2:
            continue
        return (Dateline(place_name(place) if place else None, date.strip() if date else None,
                         canonical_wire(wire) if wire else None),
                paragraph[match.end():].lstrip())
    return None


def split_dateline(text):
    """(Dateline or None, text without the dateline). Searches the first few paragraphs."""
    paras = text.split('\n\n')
    for index, paragraph in enumerate(paras[:LEAD_PARAGRAPHS_SEARCHED]):
        found = match_dateline(paragraph)
        if found:
            dateline, rest = found
            paras[index] = rest
            return dateline, '\n\n'.join(p for p in paras if p)
    return None, text


# --- bylines -----------------------------------------------------------------------------

_NAME = r"[A-Z\u00C0-\u024F][\w'’.\-]*(?:\s+(?:(?:van|von|de|der|den|da|di|du|del|la|le|bin|al|el|ibn)\s+)*[A-Z\u00C0-\u024F][\w'’.\-]*){0,4}"
_NAME_LIST_SPLIT = re.compile(r'\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b)\s*')
_CREDIT_PARENTHESIS = re.compile(
    r'\(\s*(?:(?:additional\s+)?(?:reporting|report|writing|written|compiled|text)\b[^()]*)\)\s*$',
    re.IGNORECASE)
_CREDIT_PARAGRAPH = re.compile(
    r'^\(?\s*(?:additional\s+)?(?:reporting|writing)\s+by\b[^()]*\)?\.?$', re.IGNORECASE)
_AUTHOR_SEGMENT = re.compile(
    r'^(?:additional\s+)?(?:reporting|report|writing|written|compiled|text)(?:\s+by)?\s*:?\s*(?P<names>.+)$',
    re.IGNORECASE)
_NAME_SUFFIX = re.compile(r'\s+in\s+[A-Z][\w .\-]*$|\s*[,|]\s*(?:staff\s+(?:writer|reporter)|correspondent).*$',
                          re.IGNORECASE)


def _byline_regex():
    prefixes = '|'.join(re.escape(p) for p in sorted(data_lines('byline_prefixes.txt'), key=len, reverse=True))
    return re.compile(rf'^(?i:{prefixes})\s*:?\s+(?P<names>{_NAME}(?:\s*(?:,|&|\band\b|\bund\b|\bet\b)\s*{_NAME})*)'
                      rf'(?:\s*[,|/]\s*(?P<org>[^,|]{{1,60}}))?\s*\.?$')


_BYLINE = None


def split_names(names):
    """'A, B and C' -> ['A', 'B', 'C'], dropping 'in City' and job titles."""
    result = []
    for name in _NAME_LIST_SPLIT.split(names or ''):
        name = _NAME_SUFFIX.sub('', name.strip(' .()')).strip(' .')
        if name and any(ch.isalpha() for ch in name):
            result.append(name)
    return _add_new([], result)


def _add_new(names, more, seen=None):
    """``names`` extended with those of ``more`` it lacks, in order; ``seen``, the set of
    ``names``, is kept up to date when given (a set, not a list scan: a hostile text may
    name tens of thousands)."""
    seen = set(names) if seen is None else seen
    for name in more:
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def byline_authors(paragraph):
    """Authors when the whole paragraph is a byline ("by Ana Lima and Joe Doe"), else None."""
    global _BYLINE
    if _BYLINE is None:
        _BYLINE = _byline_regex()
    if len(paragraph) > MAX_BYLINE_CHARS:
        return None
    match = _BYLINE.match(paragraph.strip())
    if not match:
        return None
    names = split_names(match.group('names'))
    # Every name must start with a capital: "by Monday" style false positives have one word.
    if not names or not all(n[0].isupper() for n in names):
        return None
    if len(names) == 1 and ' ' not in names[0]:
        return None
    return names


def credit_authors(credit):
    """Reporters/writers named in a '(Reporting by A and B; Editing by C)' credit."""
    authors, seen = [], set()
    for segment in credit.strip(' ().').split(';'):
        match = _AUTHOR_SEGMENT.match(segment.strip())
        if match:
            names = re.split(r'\b(?:edit(?:ed|ing)|french version|translated)\b', match.group('names'),
                             flags=re.IGNORECASE)[0]
            _add_new(authors, (n for n in split_names(names) if n[0].isupper()), seen)
    return authors


def extract_bylines(text):
    """(authors, text without byline paragraphs and reporting credits)."""
    authors, seen = [], set()
    kept = []
    paras = text.split('\n\n')
    for index, paragraph in enumerate(paras):
        near_top = index < LEAD_PARAGRAPHS_SEARCHED
        names = byline_authors(paragraph) if near_top else None
        if names:
            _add_new(authors, names, seen)
            continue
        if _CREDIT_PARAGRAPH.match(paragraph):
            _add_new(authors, credit_authors(paragraph), seen)
            continue
        credit = _CREDIT_PARENTHESIS.search(paragraph)
        credited = credit_authors(credit.group(0)) if credit else []
        if credited:
            _add_new(authors, credited, seen)
            paragraph = paragraph[:credit.start()].rstrip()
        if paragraph:
            kept.append(paragraph)
    return authors, '\n\n'.join(kept)


def merge_authors(*author_lists):
    """Authors from several sources in order, without case-insensitive duplicates or 'By ' prefixes."""
    merged, seen = [], set()
    for authors in author_lists:
        for author in authors or []:
            author = re.sub(r'^by\s+', '', re.sub(r'\s+', ' ', str(author)).strip(), flags=re.IGNORECASE).strip()
            key = author.lower()
            if author and key not in seen:
                seen.add(key)
                merged.append(author)
    return merged
