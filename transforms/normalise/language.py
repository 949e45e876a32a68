"""Language of a story (ISO 639-1) with py3langid, restricted to ``data/languages.txt``;
short or uncertain texts defer to the feed's declared language."""
import functools

from wirewatch.transforms.normalise.resources import data_lines

MIN_CHARS_FOR_DETECTION = 20   # UTF-8 bytes of title + text (fair to CJK); below this, trust the feed
MIN_CONFIDENCE = 0.5           # normalised probability; below it, trust the feed if it says


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code.strip() for code in data_lines('languages.txt')])
    return identifier


def declared_language(feed_language):
    """'en-GB' -> 'en'; None when absent or not a 2-3 letter code."""
    if not feed_language:
        return None
    code = feed_language.strip().replace('_', '-').split('-')[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def detect_language(text, feed_language=None):
    """ISO 639-1 code of ``text``; the feed's declared language for short or uncertain text."""
    declared = declared_language(feed_language)
    sample = (text or '').strip()
    if len(sample.encode("utf-8")) < MIN_CHARS_FOR_DETECTION:
        return declared
    code, confidence = _identifier().classify(sample[:5000])
    if confidence < MIN_CONFIDENCE and declared:
        return declared
    return code
