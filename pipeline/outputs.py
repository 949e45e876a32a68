"""A run's output folder, local or on any Beam filesystem (gs://...): create and clear it,
read its Avro records, and print what a run wrote. Used by the CLI and the demo.
"""
import glob
import os
import shutil
import sys
import tempfile

from apache_beam.io.filesystem import BeamIOError, CompressionTypes
from apache_beam.io.filesystems import FileSystems

from wirewatch import schemas
from wirewatch.transforms.sinks import OUTPUT_FOLDERS, make_folder


class UsageError(Exception):
    """A run that cannot proceed; the CLI prints a one-line reason and exits 2."""


# ----------------------------------------------------------------------- paths
# DIR, read and report paths: local, gs:// or any other Beam filesystem (FileSystems).

def is_local(path):
    """A path of this machine's filesystem (no ``scheme://``)."""
    return FileSystems.get_scheme(path) is None


def error_reason(exc):
    """The words of the error underneath, however Beam wrapped it."""
    details = getattr(exc, 'exception_details', None)
    if details:
        exc = next(iter(details.values()))
    while isinstance(exc, OSError) and not exc.strerror and exc.args \
            and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]
    return getattr(exc, 'strerror', None) or str(exc)


def files_under(path, limit=None):
    """The files below ``path`` at any depth: a directory's, or an object store's names
    under the prefix ``path/`` (which has no directories)."""
    pattern = FileSystems.join(path, '**')
    return [m.path for m in FileSystems.match([pattern], [limit])[0].metadata_list]


def is_folder(path):
    """A directory, or (object stores) a prefix with something under it."""
    return os.path.isdir(path) if is_local(path) else bool(files_under(path, limit=1))


def _hidden(path, below=''):
    """True when a name in ``path`` after ``below`` starts with a dot (``.x.avro.part``)."""
    rest = path[len(below):] if below and path.startswith(below) else FileSystems.split(path)[1]
    return any(part.startswith('.') for part in rest.replace('\\', '/').split('/'))


def avro_files(path):
    """The Avro files at ``path``: a file, every ``*.avro`` at any depth under a directory
    (or prefix), or what a glob matches. Hidden files are left out. Local globs are the
    shell's (``glob``); other schemes use Beam's glob, where ``**`` spans folders."""
    if any(ch in path for ch in '*?['):
        if is_local(path):
            return glob.glob(path, recursive=True)
        return [m.path for m in FileSystems.match([path])[0].metadata_list if not _hidden(m.path)]
    if is_folder(path):
        return [f for f in files_under(path)
                if f.endswith('.avro') and not _hidden(f, below=FileSystems.join(path, ''))]
    if FileSystems.exists(path):
        return [path]
    raise UsageError(f'no such file or directory: {path}')


def read_avro_file(path):
    """The records of one Avro container file (see ``schemas.read_container``), any scheme."""
    if is_local(path):
        return schemas.read_container(path)
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as source, \
            tempfile.NamedTemporaryFile(suffix='.avro') as copy:
        shutil.copyfileobj(source, copy)
        copy.flush()
        return schemas.read_container(copy.name)


def clear_outputs(path):
    """Remove wirewatch's own outputs of an earlier run in DIR: its four folders, whatever
    they hold, and ``_MANIFEST.json``."""
    for folder in OUTPUT_FOLDERS.values():
        folder_path = FileSystems.join(path, folder)
        if FileSystems.exists(folder_path):  # a directory: removed whole
            FileSystems.delete([folder_path])
        leftover = files_under(folder_path)  # object stores: the names under the prefix
        if leftover:
            FileSystems.delete(leftover)
    manifest = FileSystems.join(path, '_MANIFEST.json')
    if FileSystems.exists(manifest):
        FileSystems.delete([manifest])


def prepare_output_dir(path, clear=True):
    """Create DIR and, with ``clear``, remove wirewatch's own outputs of an earlier run in it
    (a batch run replaces them; a stream continues them). Any Beam filesystem: a local path
    comes back absolute, gs://... as given. A probe file checks DIR is writable first."""
    given = path
    if is_local(path):
        path = os.path.abspath(path)
    try:
        make_folder(path)
        probe = FileSystems.join(path, '.wirewatch-write-test')
        with FileSystems.create(probe, compression_type=CompressionTypes.UNCOMPRESSED) as f:
            f.write(b'ok')
        FileSystems.delete([probe])
    except (OSError, BeamIOError) as exc:
        raise UsageError(f'output directory {given!r} is not writable: {error_reason(exc)}')
    if clear:
        try:
            clear_outputs(path)
        except (OSError, BeamIOError) as exc:
            raise UsageError(f'cannot remove the earlier outputs in {given!r}: {error_reason(exc)}')
    return path


def read_records(paths):
    """All records of the Avro files at ``paths`` (files, directories, globs; local, gs:// or
    any Beam filesystem), in path order."""
    files = []
    for path in paths:
        try:
            files.extend(avro_files(path))
        except BeamIOError as exc:
            raise UsageError(f'cannot list {path}: {error_reason(exc)}')
    records = []
    for path in sorted(set(files)):
        records.extend(read_avro_file(path))
    return records


def summary_table(summaries, limit=20):
    """A short fixed-width table of summaries, worst first."""
    rows = sorted(summaries, key=lambda s: (-s['intensity'], s['country'], s['window_start']))
    head = f"{'country':<8}{'day (UTC)':<12}{'pane':<9}{'alert':<9}{'events':>7}{'stories':>8}" \
           f"{'articles':>9}{'killed':>8}{'injured':>8}{'arrested':>9}"
    lines = [head, '-' * len(head)]
    for s in rows[:limit]:
        def n(v):
            return '-' if v is None else str(v)
        lines.append(f"{s['country']:<8}{s['window_start']:%Y-%m-%d}  {s['pane']:<9}"
                     f"{s['alert_level']:<9}{s['events']:>7}{s['stories']:>8}{s['articles']:>9}"
                     f"{n(s['killed']):>8}{n(s['injured']):>8}{n(s['arrested']):>9}")
    if len(rows) > limit:
        lines.append(f'... and {len(rows) - limit} more')
    return '\n'.join(lines)


def print_run_report(output, manifest, out=sys.stdout):
    out.write(f"wirewatch: outputs in {output}\n")
    for folder in ('stories', 'events', 'summaries', 'deadletter'):
        out.write(f"  {os.path.join(output, folder)}/\n")
    out.write(f"  {os.path.join(output, '_MANIFEST.json')}\n\n")
    out.write('items read {items_read}: {stories} stories ({duplicates_near} near-duplicates in '
              '{clusters} clusters), {duplicates_exact} exact duplicates, {dead_letters} dead '
              'letters; {events} events, {summaries} summaries\n'.format(**manifest))
    if manifest.get('dead_letters_by_reason'):
        reasons = ', '.join(f'{k} {v}' for k, v in manifest['dead_letters_by_reason'].items())
        out.write(f'dead letters by reason: {reasons}\n')
    after = manifest.get('dead_letters_after_story') or {}
    if after.get('count'):
        reasons = ', '.join(f'{k} {v}' for k, v in after['by_reason'].items())
        out.write(f"dead letters about stories counted above: {after['count']} ({reasons})\n")
    for block, kind in (('truncated_inputs', 'truncated'), ('partially_parsed_inputs', 'partly parsed')):
        lost = manifest.get(block) or {}
        if lost.get('count'):
            out.write(f"{kind} feed files: {lost['count']} (complete entries kept; "
                      f"entries lost: {lost['entries_lost']})\n")
    if not manifest.get('accounted'):
        out.write('WARNING: accounting does not balance (items_read != stories + '
                  'duplicates_exact + dead_letters)\n')
    summaries = read_records([os.path.join(output, 'summaries')]) \
        if os.path.isdir(os.path.join(output, 'summaries')) else []
    out.write('\n' + summary_table(summaries) + '\n')
