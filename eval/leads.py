"""Labelled leads: load the label files and find each labelled item in the corpus.

A label points at a feed file (relative to the corpus root) and an item link. The lead
is what the label judged: the item's title and the first paragraph of its normalised
text (see labels/GUIDELINES.md), run through the same ingest and normalise code as
``wirewatch run``.
"""
import dataclasses
import functools
import glob
import html
import json
import os

LABELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'labels')
DEV_GLOB = 'dev-*.jsonl'
TEST_GLOB = 'test-*.jsonl'
_BULLETS = ('*', '•', '-', '–', '·')


@dataclasses.dataclass
class LabelledLead:
    label: dict
    story: dict      # a Story dict whose text is the lead paragraph

    @property
    def gold(self):
        return self.label.get('events') or []

    @property
    def category(self):
        return self.label.get('category')


def label_files(split='dev', labels_dir=LABELS_DIR):
    """The label files of a split ('dev', 'test' or 'all')."""
    patterns = {'dev': [DEV_GLOB], 'test': [TEST_GLOB], 'all': [DEV_GLOB, TEST_GLOB]}[split]
    return sorted(p for pattern in patterns for p in glob.glob(os.path.join(labels_dir, pattern)))


def read_labels(paths):
    labels = []
    for path in paths:
        with open(path, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                if line.strip():
                    label = json.loads(line)
                    label['_origin'] = f'{os.path.basename(path)}:{number}'
                    labels.append(label)
    return labels


def load_leads(labels, corpus_root):
    """LabelledLead for each label whose item is found; raises when an item is missing."""
    leads, missing = [], []
    for label in labels:
        items = _items_by_link(os.path.join(corpus_root, label['file']))
        item = items.get(_link_key(label['link']))
        if item is None:
            missing.append(label['_origin'])
            continue
        leads.append(LabelledLead(label, lead_story(item)))
    if missing:
        raise LookupError(f'{len(missing)} labelled items not found in {corpus_root}: {", ".join(missing[:5])}')
    return leads


@functools.lru_cache(maxsize=64)
def _items_by_link(path):
    from wirewatch.transforms.ingest.feeds import parse_feed_bytes, read_feed_file
    if path.endswith('_entries.json'):  # feeds/parsed-entries-2023-10: entries already parsed, as JSON
        records = parse_feed_bytes(entries_as_rss(path), None, _entries_fetched_at(path), source=path, backfill=True)
    else:
        records = read_feed_file(path)
    out = {}
    for kind, record in records:
        if kind == 'item':
            for key in ('url', 'guid'):
                if record.get(key):
                    out.setdefault(_link_key(record[key]), record)
    return out


def entries_as_rss(path):
    """RSS 2.0 bytes for a JSON list of already-parsed feed entries (title, description,
    link, date_published, language, and the outlet as 'album'), so that they go through the
    same ingest and normalise code as any feed."""
    from email.utils import format_datetime
    from datetime import datetime
    from xml.sax.saxutils import escape
    with open(path, encoding='utf-8') as f:
        entries = json.load(f)
    outlet = next((e.get('album') or e.get('artist') for e in entries if e.get('album') or e.get('artist')), '')
    language = next((e.get('language') for e in entries if e.get('language')), 'en')
    items = []
    for entry in entries:
        parts = [f'<title>{escape(entry.get("title") or "")}</title>', f'<link>{escape(entry.get("link") or "")}</link>',
                 f'<description>{escape(entry.get("description") or "")}</description>']
        if entry.get('date_published'):
            try:
                moment = datetime.fromisoformat(entry['date_published'].replace('Z', '+00:00'))
                parts.append(f'<pubDate>{format_datetime(moment)}</pubDate>')
            except ValueError:
                pass
        items.append('<item>' + ''.join(parts) + '</item>')
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f'<title>{escape(outlet)}</title><link>{escape(entries[0].get("source") or "") if entries else ""}</link>'
            f'<language>{escape(language)}</language>' + ''.join(items) + '</channel></rss>').encode('utf-8')


def _entries_fetched_at(path):
    """A day folder's end ('.../2023-10-07/...') as the capture time, else the file's mtime."""
    from datetime import datetime, timezone
    day = os.path.basename(os.path.dirname(path))
    try:
        return datetime.strptime(day, '%Y-%m-%d').replace(hour=23, minute=59, tzinfo=timezone.utc)
    except ValueError:
        return datetime.fromtimestamp(os.path.getmtime(path), timezone.utc)


def _link_key(link):
    """A link with HTML escapes undone (feeds double-escape '&' in query strings)."""
    link = link.strip()
    for _ in range(3):
        unescaped = html.unescape(link)
        if unescaped == link:
            break
        link = unescaped
    return link


def lead_story(item):
    """The Story for an item, with its text cut to the lead paragraph (bullets skipped)."""
    from wirewatch.transforms.normalise.core import normalise_item
    story = normalise_item(item, now=item.get('fetched_at'))
    story['text'] = lead_paragraph(story.get('text') or '')
    return story


def lead_paragraph(text):
    """The first paragraph of a text that is not a teaser bullet."""
    for paragraph in text.split('\n\n'):
        paragraph = paragraph.strip()
        if paragraph and not paragraph.startswith(_BULLETS):
            return paragraph
    return ''
