"""The one place that knows the Avro contract (namespace ``wirewatch.v1``).

Schemas are parsed once per process. Records cross stage boundaries as plain
dicts: timestamp-millis fields hold timezone-aware UTC ``datetime`` objects and
the ``date`` field holds a ``datetime.date``; fastavro converts both ways.
"""
import functools
import io
import json
import os

import fastavro
from fastavro.validation import validate

SCHEMA_DIR = os.path.dirname(os.path.abspath(__file__))
RECORD_TYPES = ('FeedItem', 'Story', 'Event', 'CountrySummary', 'DeadLetter')


@functools.lru_cache(maxsize=None)
def schema(name):
    """The parsed fastavro schema for record type ``name`` (e.g. 'Story')."""
    if name not in RECORD_TYPES:
        raise KeyError(f'unknown record type {name!r}; known: {", ".join(RECORD_TYPES)}')
    with open(os.path.join(SCHEMA_DIR, f'{name}.avsc'), encoding='utf-8') as f:
        return fastavro.parse_schema(json.load(f))


def field_names(name):
    return [f['name'] for f in schema(name)['fields']]


def is_valid(name, record):
    """True when ``record`` validates against the named schema (no exception)."""
    return validate(record, schema(name), raise_errors=False)


def check(name, record):
    """Raise ``fastavro.validation.ValidationError`` naming the bad field."""
    validate(record, schema(name), raise_errors=True)
    return record


def encode(name, record):
    """Schemaless Avro binary of one record (the Pub/Sub message body)."""
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, schema(name), record)
    return buf.getvalue()


def decode(name, data):
    """Inverse of :func:`encode`; raises on truncated or foreign bytes."""
    buf = io.BytesIO(data)
    record = fastavro.schemaless_reader(buf, schema(name), None)
    if buf.tell() != len(data):
        raise ValueError(f'{len(data) - buf.tell()} trailing bytes after a {name} record')
    return record


def write_container(path_or_file, name, records, codec='deflate'):
    """Write records to an Avro object container file."""
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, 'wb') as f:
            fastavro.writer(f, schema(name), records, codec=codec)
    else:
        fastavro.writer(path_or_file, schema(name), records, codec=codec)


def read_container(path):
    """All records of an Avro container file (any wirewatch schema)."""
    with open(path, 'rb') as f:
        return list(fastavro.reader(f))
