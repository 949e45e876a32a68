"""Loads the gazetteer's data files (``data/*``) once per process."""
import functools
import json
import os

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')


@functools.lru_cache(maxsize=None)
def load_data(name):
    """The parsed ``data/<name>.json`` (shared, do not mutate)."""
    with open(os.path.join(DATA_DIR, f'{name}.json'), encoding='utf-8') as f:
        return json.load(f)
