"""Headline cleaning: entities, whitespace, mojibake, and the outlet suffix (" - Reuters").

Outlet names come from ``data/outlet_title_suffixes.txt``, wire names from ``data/wires.tsv``
(a removed wire suffix is reported as the story's wire), plus the feed's and the item's own
outlet names. The outermost suffix removed names the item's outlet when the feed does not.
"""
import html
import re

from wirewatch.transforms.normalise.dateline import canonical_wire
from wirewatch.transforms.normalise.resources import data_lines, data_table
from wirewatch.transforms.normalise.text import fix_mojibake, html_to_text

_SEPARATOR = r'\s+(?:-|\||–|—|::|:)\s+|\s*\|\s*'


def _names(source_names):
    """A tuple of outlet names from None, one name or an iterable of names."""
    if not source_names:
        return ()
    if isinstance(source_names, str):
        source_names = (source_names,)
    return tuple(n for n in source_names if n and n.strip())


def outlet_names(source_name=None):
    """Lower-cased outlet and wire names that may end a title; ``source_name`` is the feed's
    or item's own outlet name, or several of them."""
    names = {n.lower() for n in data_lines('outlet_title_suffixes.txt')}
    names.update(alias.lower() for alias, _ in data_table('wires.tsv'))
    names.update(n.strip().lower() for n in _names(source_name))
    return names


def _names_source(suffix, source_name):
    """True when a suffix is the feed's outlet named a little differently: one name starts
    the other on word boundaries ("Sample Wire" / "Sample Wire Desk", "The Daily Herald" /
    "The Daily Herald (sample)")."""
    a = re.sub(r'\W+', ' ', suffix.lower()).split()
    if len(a) < 2:
        return False
    for name in _names(source_name):
        b = re.sub(r'\W+', ' ', name.lower()).split()
        if len(b) >= 2 and (a[:len(b)] == b or b[:len(a)] == a):
            return True
    return False


def split_title(title, source_name=None):
    """(clean title, wire or None, outlet or None). Removes outlet suffixes repeatedly
    ("X - Reuters | Yahoo"). The outlet is the outermost suffix removed, the one that
    carried the headline ('Yahoo' there), with a wire's canonical name ('Thomson Reuters'
    -> 'Reuters'); the wire is the first wire among the suffixes."""
    if not title:
        return '', None, None
    text = html_to_text(html.unescape(title)) if '<' in title else html.unescape(title)
    for _ in range(3):  # a repair can expose another; stop when stable (idempotent)
        repaired = re.sub(r'\s+', ' ', ''.join(
            ch for ch in fix_mojibake(text) if ch.isprintable() or ch.isspace())).strip()
        if repaired == text:
            break
        text = repaired
    names = outlet_names(source_name)
    wire = outlet = None
    # One split, suffixes dropped from its end (splitting again after each removal is
    # quadratic: minutes for a title of 20,000 " - Reuters").
    parts = re.split(f'({_SEPARATOR})', text)
    while len(parts) >= 3:
        suffix = parts[-1].strip()
        if suffix.lower() not in names and not _names_source(suffix, source_name):
            break
        wire = wire or canonical_wire(suffix)
        outlet = outlet or canonical_wire(suffix) or suffix
        del parts[-2:]
    return ''.join(parts).strip(), wire, outlet


def clean_title(title, source_name=None):
    """(clean title, wire or None). Removes outlet suffixes repeatedly ("X - Reuters | Yahoo")."""
    text, wire, _ = split_title(title, source_name)
    return text, wire


def title_suffix_wire(title):
    """The wire named by a title suffix (' - Reuters' -> 'Reuters'), else None."""
    return clean_title(title)[1]
