"""The run manifest (``_MANIFEST.json``): an accounting of every item read.

Two sides are counted from different places, so that the one identity the manifest
asserts is a check and not a restatement:

- What was read, counted at the source (``ReadItems``'s two outputs), whatever became of it:

  ``feed_items``   FeedItem records the source yielded (feed entries; decoded messages).
  ``unreadable``   dead letters the source emitted for something that yielded no FeedItem:
                   a whole input (a file that cannot be opened or parsed, a path that
                   matches nothing, an undecodable message) or one entry with nothing to
                   identify it (``read:EMPTY_ENTRY``). Each counts as one item read.
  ``items_read``   ``feed_items + unreadable``.

- How each item read ended, counted at the end of the pipeline:

  ``stories``           Story records the cluster stage put out (representatives and
                        near-duplicates), counted before the sinks validate them.
  ``duplicates_exact``  re-ingests of an item already seen (same item id or canonical
                        URL), dropped by the cluster stage; they are in no output file.
  ``dead_letters``      dead letters of the stages before a story is counted: ``read``
                        (taken from the dead letters written, not the source's),
                        ``decode``, ``normalise`` and ``window`` (``TOO_LATE`` drops a
                        story before the cluster stage; streams only);
                        ``dead_letters_by_reason`` (``stage:error``) sums to it.

  ``accounted`` is ``items_read == stories + duplicates_exact + dead_letters``: every
  item read ended as exactly one story, exact duplicate or dead letter. For ``unreadable``
  it checks that each reached ``deadletter/``; for ``feed_items``, that each became
  exactly one story, exact duplicate or normalise dead letter.

Apart, outside that identity:

  ``dead_letters_after_story``  ``{count, by_reason}``: dead letters about a story already
                        counted in ``stories``: ``extract`` (the extractor failed on a
                        story), ``sink`` (a Story, Event or CountrySummary that failed
                        schema validation and was not written), and any later stage.
                        A Story refused by the sink is therefore counted in ``stories``
                        and here, and is missing from ``stories/*.avro``.
  ``truncated_inputs``  ``{count, entries_lost}``: feed files that stop early
                        (``read:TRUNCATED_FEED``). Their complete entries are items
                        read; how many entries followed the cut is not knowable, so
                        ``entries_lost`` is ``"unknown"`` (0 when ``count`` is 0).
  ``partially_parsed_inputs``  the same for broken XML with entries recovered
                        (``read:MALFORMED_FEED_PARTIAL``).
  ``dead_letters_written``  every record in ``deadletter/``: ``dead_letters`` + both
                        input blocks' counts + ``dead_letters_after_story.count``.

Also: ``duplicates_near`` (stories with ``duplicate_of`` set, included in ``stories``),
``clusters`` (stories without it), ``events`` and ``summaries`` (records written),
``started_at`` and ``finished_at`` (ISO 8601, UTC). Bounded runs only: a stream writes no
manifest.
"""
import collections
import datetime

import apache_beam as beam

from wirewatch.transforms.sinks import write_manifest

# Stages whose dead letters end an item before it is counted as a story (or exact duplicate).
ITEM_STAGES = ('read', 'decode', 'normalise', 'window')
# Read-stage records that mark an input whose recovered entries were kept, not an item
# (see transforms/ingest/feeds.py): manifest block -> error code.
INPUT_LOSSES = {'truncated_inputs': 'TRUNCATED_FEED', 'partially_parsed_inputs': 'MALFORMED_FEED_PARTIAL'}
AFTER_STORY = 'dead_letters_after_story'
UNKNOWN = 'unknown'


def reason(dead_letter):
    """A dead letter's ``stage:error`` key."""
    return f"{dead_letter['stage']}:{dead_letter['error']}"


def manifest_block(reason_key):
    """Where a dead letter with this ``stage:error`` is counted: ``'dead_letters'`` (an item
    read ended there), one of ``INPUT_LOSSES``' blocks, or ``AFTER_STORY``. A stage not
    known to come before stories counts as after them, so an unknown item-level stage
    unbalances ``accounted`` rather than hiding in it."""
    stage, _, error = reason_key.partition(':')
    if stage == 'read':
        for block, code in INPUT_LOSSES.items():
            if error == code:
                return block
    return 'dead_letters' if stage in ITEM_STAGES else AFTER_STORY


def _input_losses(count):
    return {'count': count, 'entries_lost': UNKNOWN if count else 0}


def accounting(counts):
    """The manifest's figures (pure) from raw counts: ``feed_items``, ``stories``,
    ``duplicates_exact``, ``duplicates_near``, ``clusters``, ``events``, ``summaries``
    (ints), ``read_dead_letters_by_reason`` (the source's dead letters) and
    ``dead_letters_by_reason`` (every dead letter written), both ``{stage:error: n}``."""
    written = collections.defaultdict(dict)
    for key, n in sorted(counts.get('dead_letters_by_reason', {}).items()):
        written[manifest_block(key)][key] = n
    unreadable = sum(n for key, n in counts.get('read_dead_letters_by_reason', {}).items()
                     if manifest_block(key) not in INPUT_LOSSES)
    feed_items = counts.get('feed_items', 0)
    manifest = {
        'items_read': feed_items + unreadable,
        'feed_items': feed_items,
        'unreadable': unreadable,
        'stories': counts.get('stories', 0),
        'duplicates_exact': counts.get('duplicates_exact', 0),
        'duplicates_near': counts.get('duplicates_near', 0),
        'clusters': counts.get('clusters', 0),
        'dead_letters': sum(written['dead_letters'].values()),
        'dead_letters_by_reason': written['dead_letters'],
        AFTER_STORY: {'count': sum(written[AFTER_STORY].values()), 'by_reason': written[AFTER_STORY]},
        'dead_letters_written': sum(counts.get('dead_letters_by_reason', {}).values()),
        'events': counts.get('events', 0),
        'summaries': counts.get('summaries', 0),
    }
    for block in INPUT_LOSSES:
        manifest[block] = _input_losses(sum(written[block].values()))
    manifest['accounted'] = (manifest['items_read'] == manifest['stories']
                             + manifest['duplicates_exact'] + manifest['dead_letters'])
    return manifest


def _merge(pairs):
    merged = collections.defaultdict(int)
    by_reason = collections.defaultdict(collections.Counter)
    for name, value in pairs:
        if isinstance(value, dict):
            by_reason[name].update(value)
        else:
            merged[name] += value
    for name in ('read_dead_letters_by_reason', 'dead_letters_by_reason'):
        merged[name] = dict(by_reason[name])
    return dict(merged)


class _WriteManifestFn(beam.DoFn):
    def __init__(self, output_dir, started_at):
        self.output_dir = output_dir
        self.started_at = started_at

    def process(self, counts):
        manifest = accounting(counts)
        manifest['started_at'] = self.started_at.isoformat()
        manifest['finished_at'] = datetime.datetime.now(datetime.timezone.utc).isoformat()
        yield write_manifest(self.output_dir, manifest)


def _count(label, pcoll, name):
    return (pcoll
            | f'Count{label}' >> beam.combiners.Count.Globally()
            | f'Name{label}' >> beam.Map(lambda n, k=name: (k, n)))


def _count_reasons(label, dead_letters, name):
    return (dead_letters
            | f'{label}Reason' >> beam.Map(reason)
            | f'Count{label}Reasons' >> beam.combiners.Count.PerElement()
            | f'{label}ReasonPairs' >> beam.Map(lambda kv, k=name: (k, {kv[0]: kv[1]})))


class ComputeManifest(beam.PTransform):
    """Bounded runs: count each output and write ``_MANIFEST.json`` once at the end.

    Takes a dict of PCollections: ``feed_items`` and ``read_dead_letters`` (the source's
    outputs), ``stories`` (the cluster stage's), ``duplicates_exact``, ``dead_letters``
    (every dead letter written), ``events`` and ``summaries`` (records written)."""

    def __init__(self, output_dir, started_at):
        super().__init__()
        self.output_dir = output_dir
        self.started_at = started_at

    def expand(self, named):
        stories = named['stories']
        counted = [_count(name.title().replace('_', ''), named[name], name)
                   for name in ('feed_items', 'stories', 'duplicates_exact', 'events', 'summaries')]
        counted.append(_count('NearDuplicates', stories | 'NearDuplicatesOnly' >> beam.Filter(
            lambda s: bool(s.get('duplicate_of'))), 'duplicates_near'))
        counted.append(_count('Clusters', stories | 'RepresentativesOnly' >> beam.Filter(
            lambda s: not s.get('duplicate_of')), 'clusters'))
        counted.append(_count_reasons('Read', named['read_dead_letters'], 'read_dead_letters_by_reason'))
        counted.append(_count_reasons('Written', named['dead_letters'], 'dead_letters_by_reason'))
        return (tuple(counted)
                | 'AllCounts' >> beam.Flatten()
                | 'MergeCounts' >> beam.combiners.ToList()
                | 'Merge' >> beam.Map(_merge)
                | 'Write' >> beam.ParDo(_WriteManifestFn(self.output_dir, self.started_at)))
