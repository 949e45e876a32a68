"""Feed HTML to clean plain text: paragraphs separated by one blank line.

``html_to_text`` drops scripts, styles, images (tracking pixels) and embeds and decodes
entities, in time linear in its input whatever the markup (see :func:`defuse_markup`);
``clean_text`` repairs mojibake (ftfy, which also straightens curly quotes), normalises
whitespace and drops boilerplate paragraphs listed in ``data/boilerplate_lines.txt`` and
fragments listed in ``data/boilerplate_inline.txt``. ``clean_text`` is idempotent.
Characters lost before the feed was written (e.g. "Rpublique" for "République") cannot be
recovered and are kept.
"""
import re
import unicodedata
import warnings

import bs4
import ftfy

from wirewatch.transforms.normalise.resources import data_patterns

# Elements whose content is never article text.
DROPPED_TAGS = ('script', 'style', 'noscript', 'iframe', 'object', 'embed', 'svg', 'canvas', 'img',
                'picture', 'video', 'audio', 'source', 'figcaption', 'form', 'button', 'input',
                'select', 'textarea', 'head', 'template', 'map', 'link', 'meta')
# Elements that start a new paragraph.
BLOCK_TAGS = ('p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote',
              'tr', 'table', 'section', 'article', 'header', 'footer', 'aside', 'figure', 'pre',
              'dd', 'dt', 'dl', 'hr', 'address', 'main', 'nav')
MAX_BOILERPLATE_PARAGRAPH = 200  # characters; longer paragraphs are prose, never boilerplate

# Markup worth parsing: a tag opener with a '>' somewhere after it, or an entity.
_TAG_OPENER = re.compile(r'<\s*/?\s*[a-zA-Z]')
_ENTITY = re.compile(r'&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]{2,8});')
_SPACES = re.compile(r'[^\S\n]+')
# Control and format characters other than newline (zero-width spaces, BOMs, soft hyphens...).
_INVISIBLE_CATEGORIES = ('Cc', 'Cf', 'Cs', 'Co', 'Cn')
# What closes the constructs html.parser searches ahead for (its own patterns, Python 3.11).
_COMMENT_CLOSE = re.compile(r'--\s*>')
_SECTION_CLOSE = re.compile(r']\s*]\s*>')
_OFFICE_SECTION_CLOSE = re.compile(r']\s*>')
_OPENERS = re.compile(r'<!--|<!\[(?P<section>[a-zA-Z][-_.a-zA-Z0-9]*)?')
# Marked sections html.parser knows; any other ('<![foo[') makes it raise.
_SECTION_CLOSERS = {'temp': _SECTION_CLOSE, 'cdata': _SECTION_CLOSE, 'ignore': _SECTION_CLOSE,
                    'include': _SECTION_CLOSE, 'rcdata': _SECTION_CLOSE,
                    'if': _OFFICE_SECTION_CLOSE, 'else': _OFFICE_SECTION_CLOSE, 'endif': _OFFICE_SECTION_CLOSE}
_BLOCK_END = object()


def html_to_text(html):
    """Visible text of an HTML fragment (str or bytes), one paragraph per line. Never raises."""
    if html is None:
        return ''
    if isinstance(html, bytes):
        html = html.decode('utf-8', 'replace')
    if not has_markup(html):
        return html
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        soup = bs4.BeautifulSoup(defuse_markup(html), 'html.parser')
    for tag in soup.find_all(DROPPED_TAGS):
        if not tag.decomposed:  # not inside one already dropped
            tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, (bs4.Comment, bs4.Doctype, bs4.CData,
                                                                  bs4.ProcessingInstruction))):
        if isinstance(comment, bs4.CData):
            comment.replace_with(html_to_text(str(comment)))
        else:
            comment.extract()
    return _block_text(soup)


def has_markup(text):
    """True when ``text`` holds a tag (an opener and, after it, a '>') or an entity.

    Only the first opener is tried: when no '>' follows it none follows a later one (the
    one-pattern form, r'<[a-zA-Z][^>]*>', scans to the end from every '<': quadratic).
    """
    opener = _TAG_OPENER.search(text)
    return bool(opener and text.find('>', opener.end()) >= 0) or bool(_ENTITY.search(text))


def defuse_markup(html):
    """``html`` with each '<' that opens no complete construct escaped as '&lt;'.

    Python 3.11's html.parser searches the rest of the document again for every construct
    left open: a '<' with no '>' after it, a comment or marked section never closed. That
    is quadratic (minutes for a few hundred KiB of '<a '), and a marked section it does
    not know ('<![foo[') makes it raise. To the parser such a '<' is text anyway, so
    escaping it keeps the visible text and leaves one linear parse.
    """
    if '<' not in html:
        return html
    last_gt = html.rfind('>')
    last_close = {}

    def closed_after(pattern, position):
        if pattern not in last_close:
            last_close[pattern] = max((m.start() for m in pattern.finditer(html)), default=-1)
        return last_close[pattern] >= position

    escaped = []
    for opener in _OPENERS.finditer(html):
        start = opener.start()
        if start > last_gt:
            break  # the tail is escaped below
        if opener.group() == '<!--':
            keep = closed_after(_COMMENT_CLOSE, start + 4)
        else:
            closer = _SECTION_CLOSERS.get((opener.group('section') or '').lower())
            keep = closer is not None and closed_after(closer, start + 3)
        if not keep:
            escaped.append(start)
    pieces, done = [], 0
    for start in escaped:
        pieces.append(html[done:start])
        pieces.append('&lt;')
        done = start + 1
    pieces.append(html[done:last_gt + 1] if last_gt >= done else '')
    pieces.append(html[max(done, last_gt + 1):].replace('<', '&lt;'))
    return ''.join(pieces)


def _block_text(soup):
    """The soup's text with a line break around every block element, in one walk of the tree
    (inserting line-break strings around each block tag walks its subtree: quadratic when
    tags nest deeply)."""
    wanted = soup.interesting_string_types
    pieces = []
    stack = [soup]
    while stack:
        node = stack.pop()
        if node is _BLOCK_END:
            pieces.append('\n')
        elif isinstance(node, bs4.NavigableString):
            if type(node) in wanted:
                pieces.append(str(node))
        else:
            if node.name in BLOCK_TAGS:
                pieces.append('\n')
                stack.append(_BLOCK_END)
            stack.extend(reversed(node.contents))
    return ''.join(pieces)


def normalise_whitespace(text):
    """Fold runs of spaces, drop invisible characters, one blank line between paragraphs."""
    text = unicodedata.normalize('NFC', text.replace('\r\n', '\n').replace('\r', '\n'))
    # classify each distinct character once, then translate in C (a per-character loop
    # over the whole text was a tenth of the normalise stage's time)
    invisible = {ord(ch): (' ' if ch in '\r\x0b\x0c\x85' else None) for ch in set(text)
                 if ch not in '\n\t' and unicodedata.category(ch) in _INVISIBLE_CATEGORIES}
    if invisible:
        text = text.translate(invisible)
    text = text.replace('\u2028', '\n').replace('\u2029', '\n')
    # Line by line: splitting on a pattern like r'\s*\n\s*' backtracks over every run of
    # spaces without a newline, quadratic (minutes for 100,000 spaces).
    paragraphs = (_SPACES.sub(' ', line).strip() for line in text.split('\n'))
    return '\n\n'.join(p for p in paragraphs if p)


def fix_mojibake(text):
    """ftfy repair of double-decoded UTF-8 and cp1252 damage; entities are left alone."""
    try:
        return ftfy.fix_text(text, unescape_html=False, normalization='NFC', fix_line_breaks=True)
    except Exception:  # ftfy has no documented exceptions; a bad repair must not lose the text
        return text


def paragraphs(text):
    """Paragraphs of cleaned text."""
    return [p for p in text.split('\n\n') if p]


def is_boilerplate(paragraph):
    """True when a short paragraph is entirely a boilerplate line (data/boilerplate_lines.txt)."""
    if len(paragraph) > MAX_BOILERPLATE_PARAGRAPH:
        return False
    stripped = paragraph.strip(' \t|»>•·-–—')
    return any(p.fullmatch(stripped) for p in data_patterns('boilerplate_lines.txt'))


def remove_boilerplate(text):
    """Drop boilerplate paragraphs and inline fragments from cleaned text."""
    kept = []
    for paragraph in paragraphs(text):
        for pattern in data_patterns('boilerplate_inline.txt'):
            paragraph = pattern.sub('', paragraph).strip()
        if paragraph and not is_boilerplate(paragraph):
            kept.append(paragraph)
    return '\n\n'.join(kept)


def clean_text(text):
    """Plain text -> repaired, whitespace-normalised text without boilerplate. Idempotent."""
    if not text:
        return ''
    if isinstance(text, bytes):
        text = text.decode('utf-8', 'replace')
    previous = None
    # Each step can expose work for another (a fix joins a line that is then boilerplate);
    # repeat until stable so that clean_text(clean_text(x)) == clean_text(x).
    for _ in range(5):
        if text == previous:
            break
        previous = text
        text = remove_boilerplate(normalise_whitespace(fix_mojibake(text)))
    return text


def html_to_clean_text(html):
    """Feed HTML (or plain text) -> clean text with blank-line-separated paragraphs."""
    return clean_text(html_to_text(html))
