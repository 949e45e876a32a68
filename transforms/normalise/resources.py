"""Loading the stage's language data files (``data/``): patterns and lists, one entry a line."""
import functools
import os
import re

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')


@functools.lru_cache(maxsize=None)
def data_lines(name):
    """Non-blank, non-comment lines of ``data/<name>``, stripped of trailing newlines."""
    with open(os.path.join(DATA_DIR, name), encoding='utf-8') as f:
        return tuple(line.rstrip('\r\n') for line in f if line.strip() and not line.startswith('#'))


@functools.lru_cache(maxsize=None)
def data_table(name):
    """Tab-separated ``data/<name>`` as a tuple of column tuples."""
    return tuple(tuple(line.split('\t')) for line in data_lines(name))


@functools.lru_cache(maxsize=None)
def data_patterns(name, flags=re.IGNORECASE):
    """Each line of ``data/<name>`` compiled as a regular expression."""
    return tuple(re.compile(line.strip(), flags) for line in data_lines(name))
