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
