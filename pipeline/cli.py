"""The ``wirewatch`` command: run, stream, poll, emulator, read, report, demo.

Each subcommand parses its own flags with ``parse_known_args``; whatever is
left goes to Beam's PipelineOptions (e.g. ``--runner DataflowRunner ...``).
"""
import argparse
import base64
import csv
import datetime
import glob
import json
import os
import shutil
import sys

from wirewatch import schemas
from wirewatch.transforms.sinks import OUTPUT_FOLDERS

SAMPLE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sample')


class UsageError(Exception):
    """A run that cannot proceed; the CLI prints a one-line reason and exits 2."""


# ----------------------------------------------------------------------- run

def prepare_output_dir(path, clear=True):
    """Create DIR (local paths) and, with ``clear``, remove wirewatch's own outputs of an
    earlier run in it (a batch run replaces them; a stream continues them)."""
    if '://' in path:
        return path
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, '.wirewatch-write-test')
        with open(probe, 'w') as f:
            f.write('ok')
        os.remove(probe)
    except OSError as exc:
        raise UsageError(f'output directory {path!r} is not writable: {exc.strerror or exc}')
    if not clear:
        return os.path.abspath(path)
    for folder in OUTPUT_FOLDERS.values():
        shutil.rmtree(os.path.join(path, folder), ignore_errors=True)
    for name in ('_MANIFEST.json',):
        if os.path.exists(os.path.join(path, name)):
            os.remove(os.path.join(path, name))
    return os.path.abspath(path)


def run_batch(inputs, output, beam_args=(), capture_time=None, capture_time_from_filename=False):
    """Run the whole pipeline over feed files; returns the manifest dict. ``capture_time`` (UTC
    datetime) and ``capture_time_from_filename`` date items that carry no date (see ReadFeedFiles)."""
    from wirewatch.pipeline.build import build_pipeline
    from wirewatch.pipeline.runners import pipeline_options
    from wirewatch.transforms.ingest import ReadFeedFiles

    output = prepare_output_dir(output)
    options = pipeline_options(list(beam_args) + ['--output', output], streaming=False)
    started = datetime.datetime.now(datetime.timezone.utc)
    source = ReadFeedFiles(list(inputs), capture_time=capture_time,
                           capture_time_from_filename=capture_time_from_filename)
    pipeline = build_pipeline(options, source, started_at=started)
    pipeline.run().wait_until_finish()
    from apache_beam.io.filesystems import FileSystems
    with FileSystems.open(FileSystems.join(output, '_MANIFEST.json')) as f:
        return json.loads(f.read().decode('utf-8'))


def read_records(paths):
    """All records of the Avro files at ``paths`` (files, directories, globs), in path order."""
    files = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(glob.glob(os.path.join(path, '**', '*.avro'), recursive=True))
        elif any(ch in path for ch in '*?['):
            files.extend(glob.glob(path, recursive=True))
        elif os.path.exists(path):
            files.append(path)
        else:
            raise UsageError(f'no such file or directory: {path}')
    records = []
    for path in sorted(set(files)):
        records.extend(schemas.read_container(path))
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


def cmd_run(argv):
    parser = argparse.ArgumentParser(prog='wirewatch run', description=(
        'Batch/backfill: read feed files (RSS/Atom, .gz, directories, globs), run the whole '
        'pipeline on a local Beam runner, write Avro outputs and _MANIFEST.json to DIR. '
        'Unknown flags go to Beam (e.g. --runner DataflowRunner --project ...).'))
    parser.add_argument('--input', nargs='+', default=None,
                        help='feed files, directories or globs (default: the bundled sample)')
    parser.add_argument('--output', required=True, help='output directory')
    parser.add_argument('--quiet', action='store_true', help='print only the manifest path')
    parser.add_argument('--capture-time', default=None, metavar='T',
                        help='RFC 3339 time the input files were captured (e.g. 2020-05-24T09:49:19Z): '
                             'the date of items that carry none when their feed gives no date either')
    parser.add_argument('--capture-time-from-filename', action='store_true',
                        help='read each file\'s capture time from its name (20200524T094919Z_2e54f80c.xml); '
                             'files named otherwise fall back to --capture-time')
    args, beam_args = parser.parse_known_args(argv)
    inputs = args.input or [SAMPLE_DIR]
    capture_time = None
    if args.capture_time is not None:
        from wirewatch.transforms.ingest.feeds import parse_capture_time
        try:
            capture_time = parse_capture_time(args.capture_time)
        except ValueError as exc:
            raise UsageError(f'--capture-time: {exc}')
    manifest = run_batch(inputs, args.output, beam_args, capture_time=capture_time,
                         capture_time_from_filename=args.capture_time_from_filename)
    output = args.output if '://' in args.output else os.path.abspath(args.output)
    if args.quiet or '://' in output:
        print(os.path.join(output, '_MANIFEST.json'))
    else:
        print_run_report(output, manifest)
    return 0


def cmd_demo(argv):
    parser = argparse.ArgumentParser(prog='wirewatch demo', description=(
        'The main job on the bundled sample feeds (pipeline/sample/). Live by default: starts '
        'the Pub/Sub emulator, polls the sample over local HTTP, streams until every country '
        'and day with events has its summary (today\'s still-open window included), stops '
        'everything and prints them. --batch runs `wirewatch run` instead.'))
    parser.add_argument('--output', default='wirewatch-out', help='output directory')
    parser.add_argument('--batch', action='store_true', help='batch run over the sample files')
    parser.add_argument('--max-seconds', type=float, default=300,
                        help='live demo: stop the stream after this long at the latest')
    args, beam_args = parser.parse_known_args(argv)
    if not args.batch:
        from wirewatch.pipeline import demo, emulator
        try:
            emulator.find_java()
            emulator.find_emulator()
        except emulator.EmulatorError as exc:
            print(f'wirewatch demo: live demo unavailable ({exc}); running the batch demo instead',
                  file=sys.stderr)
        else:
            demo.run_demo(args.output, max_seconds=args.max_seconds)
            return 0
    return cmd_run(['--input', SAMPLE_DIR, '--output', args.output] + beam_args)


# ----------------------------------------------------------------------- read

def _plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode('ascii')
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _lookup(record, dotted):
    value = record
    for part in dotted.split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def matches(record, conditions):
    """True when every ``field=value`` (dotted paths allowed) holds, compared as text."""
    for cond in conditions:
        field, _, want = cond.partition('=')
        got = _plain(_lookup(record, field))
        if isinstance(got, bool):
            got = str(got).lower()
        if got is None or str(got) != want:
            return False
    return True


def cmd_read(argv):
    parser = argparse.ArgumentParser(prog='wirewatch read',
                                     description='Print Avro records as JSON lines or CSV.')
    parser.add_argument('paths', nargs='+', help='Avro files, directories or globs')
    parser.add_argument('--format', choices=('jsonl', 'csv'), default='jsonl')
    parser.add_argument('--where', action='append', default=[], metavar='FIELD=VALUE',
                        help='keep records whose field equals value (repeatable; dotted paths)')
    parser.add_argument('--limit', type=int, default=None)
    args = parser.parse_args(argv)
    for cond in args.where:
        if '=' not in cond:
            raise UsageError(f'--where takes FIELD=VALUE, got {cond!r}')
    records = [r for r in read_records(args.paths) if matches(r, args.where)]
    if args.limit is not None:
        records = records[:args.limit]
    if args.format == 'jsonl':
        for r in records:
            sys.stdout.write(json.dumps(_plain(r), ensure_ascii=False, sort_keys=False) + '\n')
    else:
        fields = list(records[0].keys()) if records else []
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction='ignore')
        writer.writeheader()
        for r in records:
            writer.writerow({k: (json.dumps(_plain(v), ensure_ascii=False)
                                 if isinstance(v, (dict, list)) else _plain(v))
                             for k, v in r.items()})
    return 0


def cmd_eval(argv):
    """``wirewatch eval events|plover``: see wirewatch/eval/cli.py."""
    from wirewatch.eval.cli import cmd_eval as run_eval
    return run_eval(argv)


def cmd_report(argv):
    from wirewatch.pipeline.report import render_report
    parser = argparse.ArgumentParser(prog='wirewatch report', description=(
        'A self-contained HTML report of the per-country crisis summaries in DIR.'))
    parser.add_argument('dir', help='an output directory of run/stream (or its summaries/)')
    parser.add_argument('--html', required=True, help='the HTML file to write')
    parser.add_argument('--title', default='wirewatch crisis report')
    args = parser.parse_args(argv)
    folder = os.path.join(args.dir, 'summaries')
    summaries = read_records([folder if os.path.isdir(folder) else args.dir])
    # the events and stories behind the figures, next to summaries/ when there
    base = args.dir if os.path.isdir(folder) else os.path.dirname(os.path.normpath(args.dir))
    events, stories = (read_records([os.path.join(base, name)])
                       if os.path.isdir(os.path.join(base, name)) else []
                       for name in ('events', 'stories'))
    page = render_report(summaries, args.title, events=events, stories=stories,
                         as_of=datetime.datetime.now(datetime.timezone.utc))
    try:
        with open(args.html, 'w', encoding='utf-8') as f:
            f.write(page)
    except OSError as exc:
        raise UsageError(f'cannot write {args.html}: {exc.strerror or exc}')
    print(f'wirewatch report: {len(summaries)} summaries, {len(events)} events -> {args.html}')
    return 0


# ----------------------------------------------------------------------- pub/sub

def cmd_emulator(argv):
    from wirewatch.pipeline import emulator
    return emulator.emulator_main(argv)


def cmd_poll(argv):
    from wirewatch.transforms.ingest import poller
    return poller.poll_main(argv)


def cmd_replay(argv):
    from wirewatch.pipeline import archive
    return archive.replay_main(argv)


def stream_beam_args(args):
    """Beam flags for the output topics named on the stream command line."""
    from wirewatch.pipeline import pubsub
    flags = []
    for flag, name in (('--events_topic', args.events_topic),
                       ('--summaries_topic', args.summaries_topic),
                       ('--deadletter_topic', args.deadletter_topic)):
        if name and name.lower() != 'none':
            flags += [flag, pubsub.topic_path(args.project, name)]
    return flags


def add_stream_arguments(parser):
    from wirewatch.pipeline import pubsub
    parser.add_argument('--subscription', default=pubsub.ITEMS_SUBSCRIPTION,
                        help='input subscription (name or projects/P/subscriptions/S)')
    parser.add_argument('--output', required=True, help='output directory for windowed Avro files')
    parser.add_argument('--project', default=pubsub.DEFAULT_PROJECT)
    parser.add_argument('--events-topic', dest='events_topic', default=pubsub.EVENTS_TOPIC,
                        help="topic for Event messages ('none' to disable)")
    parser.add_argument('--summaries-topic', dest='summaries_topic', default=pubsub.SUMMARIES_TOPIC)
    parser.add_argument('--deadletter-topic', dest='deadletter_topic', default=pubsub.DEADLETTER_TOPIC)
    parser.add_argument('--emulator-host', default=None,
                        help='Pub/Sub emulator host:port (default: $PUBSUB_EMULATOR_HOST, '
                             'else localhost:8085 on a local runner)')
    parser.add_argument('--max-seconds', type=float, default=None,
                        help='stop after this many seconds (default: run until SIGINT/SIGTERM)')
    parser.add_argument('--fresh', action='store_true',
                        help='remove the outputs of earlier streams in DIR first (default: keep '
                             'them; a restarted stream continues them and writes no Story or '
                             'Event twice)')


def use_emulator(emulator_host, beam_args):
    """Point Pub/Sub clients at the emulator when running locally (the contract's default)."""
    from wirewatch.pipeline import pubsub
    remote = any('DataflowRunner' in a for a in beam_args)
    if emulator_host:
        os.environ['PUBSUB_EMULATOR_HOST'] = emulator_host
    elif not remote:
        os.environ.setdefault('PUBSUB_EMULATOR_HOST', pubsub.DEFAULT_EMULATOR_HOST)


def cmd_stream(argv):
    from wirewatch.pipeline.streaming import run_stream
    parser = argparse.ArgumentParser(prog='wirewatch stream', description=(
        'Streaming: the same pipeline reading Pub/Sub on the DirectRunner, writing windowed '
        'Avro files under DIR and Avro messages to the output topics. Stops on SIGINT/SIGTERM, '
        'after writing what its file sinks still hold (a second signal stops at once).'))
    add_stream_arguments(parser)
    args, beam_args = parser.parse_known_args(argv)
    use_emulator(args.emulator_host, beam_args)
    output = prepare_output_dir(args.output, clear=args.fresh)
    from wirewatch.pipeline import pubsub
    run_stream(pubsub.subscription_path(args.project, args.subscription), output,
               beam_args + stream_beam_args(args), max_seconds=args.max_seconds)
    return 0


# ----------------------------------------------------------------------- main

COMMANDS = {
    'run': cmd_run,
    'demo': cmd_demo,
    'read': cmd_read,
    'emulator': cmd_emulator,
    'poll': cmd_poll,
    'replay': cmd_replay,
    'stream': cmd_stream,
    'report': cmd_report,
    'eval': cmd_eval,
}

# what `wirewatch --help` says of each command: one line each, in the order a newcomer meets them
SUMMARIES = {
    'demo': 'live demo on the bundled sample: emulator, poll, stream, summaries',
    'run': 'batch/backfill: feed files -> Avro outputs and _MANIFEST.json in DIR',
    'emulator': 'start, stop or check the local Pub/Sub emulator (loopback)',
    'poll': 'poll feeds (HTTP or files), publish each new entry once to Pub/Sub',
    'replay': 'publish archived items again after a crash (outputs get no doubles)',
    'stream': 'the pipeline on Pub/Sub until Ctrl-C: Avro files and output topics',
    'read': 'print Avro records as JSON lines or CSV (--where field=value)',
    'report': 'a self-contained HTML report of the crisis summaries in DIR',
    'eval': 'score the event coder against labelled data (events, acled, plover)',
}


def usage(commands=COMMANDS):
    """The top-level help: every command with one line."""
    width = max(len(name) for name in commands)
    names = [n for n in SUMMARIES if n in commands] + sorted(set(commands) - set(SUMMARIES))
    lines = ['usage: wirewatch COMMAND [options]', '', 'commands:']
    lines += [f'  {name:<{width}}  {SUMMARIES.get(name, "")}'.rstrip() for name in names]
    lines += ['', 'Run `wirewatch COMMAND --help` for one command\'s options.']
    return '\n'.join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = COMMANDS
    if not argv or argv[0] in ('-h', '--help', 'help'):
        print(usage(commands), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in commands:
        print(f'wirewatch: unknown command {name!r} (choose from {", ".join(sorted(commands))})',
              file=sys.stderr)
        return 2
    try:
        return commands[name](rest) or 0
    except UsageError as exc:
        print(f'wirewatch {name}: {exc}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f'wirewatch {name}: interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    sys.exit(main())
