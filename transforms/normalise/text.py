"""Feed HTML to clean plain text: paragraphs separated by one blank line.

``html_to_text`` drops scripts, styles, images (tracking pixels) and embeds and decodes
entities; ``clean_text`` repairs mojibake (ftfy, which also straightens curly quotes), normalises whitespace and drops
boilerplate paragraphs listed in ``data/boilerplate_lines.txt`` and fragments listed in
``data/boilerplate_inline.txt``. ``clean_text`` is idempotent. Characters lost before the
feed was written (e.g. "Rpublique" for "République") cannot be recovered and are kept.
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

_HTML_HINT = re.compile(r'<\s*/?\s*[a-zA-Z][^>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]{2,8});')
_SPACES = re.compile(r'[^\S\n]+')
_PARAGRAPH_BREAK = re.compile(r'\s*\n\s*')
# Control and format characters other than newline (zero-width spaces, BOMs, soft hyphens...).
_INVISIBLE_CATEGORIES = ('Cc', 'Cf', 'Cs', 'Co', 'Cn')


def html_to_text(html):
    """Visible text of an HTML fragment (str or bytes), one paragraph per line. Never raises."""
    if html is None:
        return ''
    if isinstance(html, bytes):
        html = html.decode('utf-8', 'replace')
    if not _HTML_HINT.search(html):
        return html
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        soup = bs4.BeautifulSoup(html, 'html.parser')
    for tag in soup.find_all(DROPPED_TAGS):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, (bs4.Comment, bs4.Doctype, bs4.CData,
                                                                  bs4.ProcessingInstruction))):
        if isinstance(comment, bs4.CData):
            comment.replace_with(html_to_text(str(comment)))
        else:
            comment.extract()
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before('\n')
        tag.insert_after('\n')
    return soup.get_text()


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
    paragraphs = (_SPACES.sub(' ', p).strip() for p in _PARAGRAPH_BREAK.split(text))
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
