"""Small builders of valid records for tests (each validates against its schema)."""
import datetime as dt
import hashlib

from wirewatch import schemas

UTC = dt.timezone.utc


def make_story(sid, title, text='', source='Outlet', url=None, published=None, **extra):
    published = published or dt.datetime(2022, 1, 9, 8, 0, tzinfo=UTC)
    story = {
        'story_id': sid, 'cluster_id': sid, 'duplicate_of': None,
        'url': url or f'https://{source.lower()}.example/{sid}',
        'canonical_url': url or f'https://{source.lower()}.example/{sid}',
        'source_name': source, 'feed_url': f'https://{source.lower()}.example/feed',
        'title': title, 'text': text, 'language': 'en',
        'published_at': published, 'ingested_at': published + dt.timedelta(minutes=5),
        'dateline_place': None, 'authors': [],
        'item_id': hashlib.sha1(sid.encode()).hexdigest(),
        'dateline_date': None, 'wire': None, 'date_flag': None, 'similarity': None,
    }
    story.update(extra)
    return schemas.check('Story', story)


EXTRACT_PUBLISHED = dt.datetime(2024, 3, 10, 15, 0, tzinfo=UTC)  # a Sunday


def extract_story(text, title='', story_id='s1', published=None, **extra):
    """A Story dict for the extractor: ``title`` and ``text`` as a feed would give them."""
    story = {'story_id': story_id, 'cluster_id': story_id, 'title': title, 'text': text,
             'published_at': published or EXTRACT_PUBLISHED, 'dateline_place': None, 'dateline_date': None,
             'url': f'https://example.test/{story_id}', 'source_name': 'Example', 'language': 'en'}
    story.update(extra)
    return story


def extract_events(extractor, text, title='', **extra):
    """The events an extractor codes for one story."""
    [events] = list(extractor.extract([extract_story(text, title, **extra)]))
    return events


def trigger_reading(text, word, reference_year=EXTRACT_PUBLISHED.year):
    """The trigger match for ``word`` in ``text`` after wirewatch's spaCy components ran."""
    from wirewatch.transforms.extract.nlp import load_nlp
    nlp = load_nlp()
    doc = nlp.make_doc(text)
    doc.user_data['reference_year'] = reference_year
    doc = nlp(doc)
    matches = [m for m in doc._.triggers if m.token.text == word or m.text == word]
    assert matches, (word, [m.text for m in doc._.triggers])
    return matches[0]


def emulator_available():
    """True when Java and the Pub/Sub emulator are installed (emulator tests skip otherwise)."""
    from wirewatch.pipeline import emulator
    try:
        emulator.find_java()
        emulator.find_emulator()
        return True
    except emulator.EmulatorError:
        return False


def one_item_feed(published, channel, site, title, slug, guid, body):
    """An RSS 2.0 document with one item, published at ``published`` (UTC datetime)."""
    import email.utils
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{channel}</title><link>{site}/</link>
<item><title>{title}</title>
<link>{site}/{slug}</link><guid isPermaLink="false">{guid}</guid>
<pubDate>{email.utils.format_datetime(published, usegmt=True)}</pubDate>
<description>{body}</description></item>
</channel></rss>'''
