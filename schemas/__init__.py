"""The one place that knows the Avro contract (namespace ``wirewatch.v1``).

Schemas are parsed once per process. Records cross stage boundaries as plain
dicts: timestamp-millis fields hold timezone-aware UTC ``datetime`` objects and
the ``date`` field holds a ``datetime.date``; fastavro converts both ways.

Versions: every schema released so far is kept under
``history/<RecordType>/<revision>-<fingerprint>.avsc`` (CHANGELOG.md says what
each revision added). A writer schema is known by its fingerprint: the
CRC-64-AVRO (Rabin) fingerprint of its Parsing Canonical Form, as 16 hex
digits (the 8 bytes in the little-endian order of Avro's single-object
encoding). Docs and defaults are not part of that form, so they never change a
fingerprint. Pub/Sub messages carry it in the attribute ``schema_fingerprint``
next to ``schema`` (:func:`message_attributes`); readers resolve the writer's
schema to the current one (:func:`decode`, :func:`read_container`), so new
fields take their defaults and enum symbols unknown here take the enum's
default.
"""
import collections
import functools
import io
import json
import os
import re

import fastavro
from fastavro.schema import fingerprint as _fingerprint, to_parsing_canonical_form
from fastavro.validation import validate

SCHEMA_DIR = os.path.dirname(os.path.abspath(__file__))
HISTORY_DIR = os.path.join(SCHEMA_DIR, 'history')
NAMESPACE = 'wirewatch.v1'
RECORD_TYPES = ('FeedItem', 'Story', 'Event', 'CountrySummary', 'DeadLetter')
# Pub/Sub message attributes describing the body's encoding
SCHEMA_ATTRIBUTE = 'schema'
FINGERPRINT_ATTRIBUTE = 'schema_fingerprint'
FINGERPRINT_ALGORITHM = 'CRC-64-AVRO'
_HISTORY_FILE = re.compile(r'^(\d+)-([0-9a-f]{16})\.avsc$')

WriterSchema = collections.namedtuple('WriterSchema', 'revision fingerprint schema')
WriterSchema.__doc__ = 'A released schema of a record type: revision (1, 2 ...), fingerprint (hex), parsed schema.'


class UnknownWriterSchema(ValueError):
    """A message names a writer schema fingerprint this reader has no schema for."""

    def __init__(self, name, fingerprint):
        self.name = name
        self.fingerprint = fingerprint
        known = ', '.join(w.fingerprint for w in released(name))
        other = record_type_of(fingerprint)
        also = f'; it is a {other} schema' if other and other != name else ''
        super().__init__(f'schema fingerprint {fingerprint} is no known {name} writer schema '
                         f'(known: {known}){also}')


@functools.lru_cache(maxsize=None)
def schema(name):
    """The parsed fastavro schema for record type ``name`` (e.g. 'Story')."""
    if name not in RECORD_TYPES:
        raise KeyError(f'unknown record type {name!r}; known: {", ".join(RECORD_TYPES)}')
    with open(os.path.join(SCHEMA_DIR, f'{name}.avsc'), encoding='utf-8') as f:
        return fastavro.parse_schema(json.load(f))


def schema_fingerprint(parsed_or_json):
    """The CRC-64-AVRO fingerprint (16 hex digits) of any Avro schema's Parsing Canonical Form."""
    return _fingerprint(to_parsing_canonical_form(parsed_or_json), FINGERPRINT_ALGORITHM)


@functools.lru_cache(maxsize=None)
def fingerprint(name):
    """The fingerprint of the current ``name`` schema: what this code writes."""
    return schema_fingerprint(schema(name))


def message_attributes(name):
    """The attributes every Pub/Sub message of record type ``name`` carries:
    ``schema`` (the type) and ``schema_fingerprint`` (the writer schema)."""
    return {SCHEMA_ATTRIBUTE: name, FINGERPRINT_ATTRIBUTE: fingerprint(name)}


def released(name):
    """Every released schema of ``name``, oldest first (from ``history/``)."""
    if name not in RECORD_TYPES:
        raise KeyError(f'unknown record type {name!r}; known: {", ".join(RECORD_TYPES)}')
    return _history(name, HISTORY_DIR)


@functools.lru_cache(maxsize=None)
def _history(name, history_dir):
    folder = os.path.join(history_dir, name)
    found = []
    for entry in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
        match = _HISTORY_FILE.match(entry)
        if not match:
            continue
        with open(os.path.join(folder, entry), encoding='utf-8') as f:
            parsed = fastavro.parse_schema(json.load(f))
        actual = schema_fingerprint(parsed)
        if actual != match.group(2):
            raise ValueError(f'schema history file {name}/{entry} has fingerprint {actual}, '
                             'not the one its name says')
        found.append(WriterSchema(int(match.group(1)), actual, parsed))
    found.sort(key=lambda w: w.revision)
    if len({w.revision for w in found}) != len(found):
        raise ValueError(f'schema history of {name} numbers two files with the same revision')
    return tuple(found)


def writer_schema(name, fingerprint_hex):
    """The parsed ``name`` schema whose fingerprint is ``fingerprint_hex`` (the current
    schema or a released one); raises :class:`UnknownWriterSchema` when there is none."""
    fingerprint_hex = fingerprint_hex.strip().lower()
    if fingerprint_hex == fingerprint(name):
        return schema(name)
    for known in released(name):
        if known.fingerprint == fingerprint_hex:
            return known.schema
    raise UnknownWriterSchema(name, fingerprint_hex)


def record_type_of(fingerprint_hex):
    """The record type a fingerprint belongs to (current or released), or None."""
    fingerprint_hex = (fingerprint_hex or '').strip().lower()
    for name in RECORD_TYPES:
        if fingerprint_hex == fingerprint(name) or any(
                w.fingerprint == fingerprint_hex for w in released(name)):
            return name
    return None


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


def decode(name, data, fingerprint_hex=None, reader_schema=None):
    """Inverse of :func:`encode`, resolving the writer's schema to ``reader_schema``
    (default: the current ``name`` schema).

    ``fingerprint_hex`` (a message's ``schema_fingerprint``) names the writer schema;
    :class:`UnknownWriterSchema` when it is none this reader knows. Without it (a
    producer older than the attribute) the current schema is tried, then the
    released ones, newest first. Raises on truncated, foreign or trailing bytes.
    """
    reader = reader_schema or schema(name)
    if fingerprint_hex:
        return _decode_exactly(name, data, writer_schema(name, fingerprint_hex), reader)
    try:
        return _decode_exactly(name, data, schema(name), reader)
    except Exception as error:  # fastavro raises EOFError, ValueError, UnicodeDecodeError...
        for earlier in reversed(released(name)):
            if earlier.fingerprint == fingerprint(name):
                continue
            try:
                return _decode_exactly(name, data, earlier.schema, reader)
            except Exception:  # not that layout either
                continue
        raise error


def _decode_exactly(name, data, writer, reader):
    buf = io.BytesIO(data)
    record = fastavro.schemaless_reader(buf, writer, None if reader is writer else reader)
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


def container_record_type(writer):
    """The wirewatch record type a container's writer schema is (e.g. 'Story'), or None."""
    namespace, _, short = (writer.get('name', '') if isinstance(writer, dict) else '').rpartition('.')
    return short if namespace == NAMESPACE and short in RECORD_TYPES else None


def read_container(path):
    """All records of an Avro container file. A wirewatch record type, whichever
    schema revision wrote it (older or newer), is read into the current schema: missing
    fields take their defaults, unknown enum symbols the enum's default, fields this
    code does not know are left out. Any other Avro file is read as written."""
    with open(path, 'rb') as f:
        name = container_record_type(fastavro.reader(f).writer_schema)
        f.seek(0)
        return list(fastavro.reader(f, reader_schema=schema(name) if name else None))
