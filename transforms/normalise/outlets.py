"""Which outlet published an item: a story's ``source_name``.

Aggregator feeds (Google News, a planet, a wire roundup) carry many outlets in one feed,
so the feed's title does not name the item's outlet. In order, the first that gives a name:

1. the item's own ``<source>`` as the feed states it (RSS ``<source url=...>Outlet</source>``,
   Atom ``<source><title>``), else the registered domain of that source's URL;
2. the outlet or wire suffix the title carried ("... - Daily Planet", "... | Reuters"), as
   removed by :func:`titles.split_title` (known outlets, wires, and the feed's own name);
3. the registered domain of the item's link (``www.bbc.co.uk`` -> ``bbc.co.uk``), unless the
   link goes through a feed proxy, a shortener or a video platform (:func:`urls.link_domain`);
4. the feed's title, else whatever the FeedItem named (FeedItems written before
   ``feed_title`` existed carry the feed title or host there).

A wire is named the same way whichever step found it (``data/wires.tsv``): 'Thomson
Reuters', 'reuters.com' and 'Reuters' are all 'Reuters', so a wire's own feed and its copies
elsewhere count as one outlet.

Summaries count distinct ``source_name`` values as a story's ``sources``, so four outlets
carrying one wire story in one aggregator feed count four, and the feed itself none.
"""
import re

from wirewatch.transforms.normalise.dateline import canonical_wire
from wirewatch.transforms.normalise.urls import link_domain


def _tidy(name):
    name = re.sub(r'\s+', ' ', name or '').strip()
    return name or None


def names_for_titles(item):
    """Outlet names a title of this item may end with: its own outlet and the feed's."""
    return tuple(n for n in (_tidy(item.get('item_source')), _tidy(item.get('feed_title')),
                             _tidy(item.get('source_name'))) if n)


def story_source_name(item, title_outlet=None, url=None):
    """The item's outlet (see the module docstring); ``title_outlet`` is the suffix
    :func:`titles.split_title` removed, ``url`` the story's link. None when nothing names one."""
    name = (_tidy(item.get('item_source'))
            or link_domain(item.get('item_source_url'))
            or _tidy(title_outlet)
            or link_domain(url if url is not None else item.get('url'))
            or _tidy(item.get('feed_title'))
            or _tidy(item.get('source_name')))
    return canonical_wire(name) or name
