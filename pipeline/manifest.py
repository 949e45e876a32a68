"""The run manifest: an accounting of every item read.

``items_read`` counts feed items plus inputs that were unreadable as a whole
(dead letters of stage ``read``). The identity the manifest asserts is
``items_read == stories + duplicates_exact + dead_letters``.
"""
import collections
import datetime

import apache_beam as beam

from wirewatch.transforms.sinks import write_manifest

READ_STAGES = ('read', 'decode')


def accounting(counts):
    """The manifest's figures from raw per-category counts (pure)."""
    by_reason = dict(sorted(counts.get('dead_letters_by_reason', {}).items()))
    unreadable = sum(n for reason, n in by_reason.items() if reason.split(':')[0] in READ_STAGES)
    manifest = {
        'items_read': counts.get('items', 0) + unreadable,
        'feed_items': counts.get('items', 0),
        'stories': counts.get('stories', 0),
        'duplicates_exact': counts.get('duplicates_exact', 0),
        'duplicates_near': counts.get('duplicates_near', 0),
        'clusters': counts.get('clusters', 0),
        'dead_letters': counts.get('dead_letters', 0),
        'dead_letters_by_reason': by_reason,
        'events': counts.get('events', 0),
        'summaries': counts.get('summaries', 0),
    }
    manifest['accounted'] = (manifest['items_read'] == manifest['stories']
                             + manifest['duplicates_exact'] + manifest['dead_letters'])
    return manifest


def _merge(pairs):
    merged = collections.defaultdict(int)
    reasons = collections.Counter()
    for name, value in pairs:
        if name == 'dead_letters_by_reason':
            reasons.update(value)
        else:
            merged[name] += value
    merged['dead_letters_by_reason'] = dict(reasons)
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


class ComputeManifest(beam.PTransform):
    """Bounded runs: count each output and write ``_MANIFEST.json`` once at the end."""

    def __init__(self, output_dir, started_at):
        super().__init__()
        self.output_dir = output_dir
        self.started_at = started_at

    def expand(self, named):
        counted = [_count(name.title().replace('_', ''), pcoll, name)
                   for name, pcoll in sorted(named.items())]
        stories = named['stories']
        counted.append(_count('NearDuplicates', stories | 'NearDuplicatesOnly' >> beam.Filter(
            lambda s: bool(s.get('duplicate_of'))), 'duplicates_near'))
        counted.append(_count('Clusters', stories | 'RepresentativesOnly' >> beam.Filter(
            lambda s: not s.get('duplicate_of')), 'clusters'))
        reasons = (named['dead_letters']
                   | 'Reason' >> beam.Map(lambda d: f"{d['stage']}:{d['error']}")
                   | 'CountReasons' >> beam.combiners.Count.PerElement()
                   | 'ReasonPairs' >> beam.Map(lambda kv: ('dead_letters_by_reason', {kv[0]: kv[1]})))
        counted.append(reasons)
        return (tuple(counted)
                | 'AllCounts' >> beam.Flatten()
                | 'MergeCounts' >> beam.combiners.ToList()
                | 'Merge' >> beam.Map(_merge)
                | 'Write' >> beam.ParDo(_WriteManifestFn(self.output_dir, self.started_at)))
