"""The ``wirewatch`` command: run, stream, poll, emulator, read, report, demo.

Each subcommand parses its own flags with ``parse_known_args``; whatever is
left goes to Beam's PipelineOptions (e.g. ``--runner DataflowRunner ...``).
"""
import argparse
import base64
import csv
import datetime
import json
import os
import sys

from apache_beam.io.filesystem import BeamIOError, CompressionTypes
from apache_beam.io.filesystems import FileSystems

from wirewatch.pipeline import demo
from wirewatch.pipeline.outputs import (UsageError, error_reason, is_folder, prepare_output_dir,
                                        print_run_report, read_records)

SAMPLE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sample')


def run_batch(inputs, output, beam_args=(), capture_time=None, capture_time_from_filename=False):
    """Run the whole pipeline over feed files and wait for it; returns the manifest dict, or
    None when a remote job's manifest cannot be read from here. ``capture_time`` (UTC
    datetime) and ``capture_time_from_filename`` date items that carry no date (see
    ReadFeedFiles; Beam's ``--capture_time`` and ``--capture_time_from_filename`` in
    ``beam_args`` do the same). On a local runner DIR is created and the outputs of an
    earlier run in it are replaced; on a remote runner the job creates its folders and the
    CLI neither creates nor clears anything."""
    from wirewatch.pipeline import runners
    from wirewatch.pipeline.build import build_pipeline
    from wirewatch.pipeline.options import feed_files_source

    beam_args = list(beam_args)
    if capture_time is not None:
        beam_args += ['--capture_time', capture_time.isoformat()]
    if capture_time_from_filename:
        beam_args += ['--capture_time_from_filename']
    local = runners.is_local_runner(runners.pipeline_options(beam_args))
    if local:
        output = prepare_output_dir(output)
    options = runners.pipeline_options(beam_args + ['--output', output], streaming=False)
    problems = runners.remote_path_problems(options, inputs)
    if problems:
        raise UsageError('; '.join(problems))
    started = datetime.datetime.now(datetime.timezone.utc)
    pipeline = build_pipeline(options, feed_files_source(inputs, options), started_at=started)
    pipeline.run().wait_until_finish()
    manifest = FileSystems.join(output, '_MANIFEST.json')
    if not local and not FileSystems.exists(manifest):  # e.g. on a Flink cluster's own disks
        return None
    with FileSystems.open(manifest) as f:
        return json.loads(f.read().decode('utf-8'))


def print_dry_run(command, options, build, inputs=()):
    """``--dry_run true``: build the pipeline with ``build(options)``, check it offline as its
    runner would receive it (``runners.dry_run``), print what would run; nothing runs."""
    from wirewatch.pipeline import runners
    try:
        checked = runners.dry_run(options, build, inputs)
    except ValueError as exc:  # options the runner refuses (Beam's checks and ours)
        raise UsageError('dry run: ' + ' '.join(str(exc).split()))
    print(f'wirewatch {command}: dry run, nothing was run, submitted, created or cleared')
    for line in runners.describe_dry_run(checked):
        print('  ' + line)
    return 0


def cmd_run(argv):
    parser = argparse.ArgumentParser(prog='wirewatch run', allow_abbrev=False, description=(
        'Batch/backfill: read feed files (RSS/Atom, .gz, directories, globs), run the whole '
        'pipeline, write Avro outputs and _MANIFEST.json to DIR. It runs on a local Beam runner '
        'unless --runner names another; every flag not listed here goes to Beam unchanged, e.g. '
        '--runner DataflowRunner --project P --region R --temp_location gs://B/tmp '
        '--setup_file ./setup.py (or --sdk_container_image IMAGE). --dry_run true builds the '
        'whole graph for that runner and checks it offline (no credentials, no network), prints '
        'what would run and exits: nothing is run, submitted, created or cleared.'))
    parser.add_argument('--input', nargs='+', default=None,
                        help='feed files, directories or globs (default: the bundled sample)')
    parser.add_argument('--output', required=True, metavar='DIR', help=(
        'output directory: a path, or gs://... (any Beam filesystem). On a local runner the CLI '
        'creates DIR and replaces the outputs of an earlier run in it. On a remote runner '
        '(Dataflow, Flink, Spark, Portable) it neither creates nor clears DIR: the job creates '
        'its folders, so give each run a new DIR'))
    parser.add_argument('--quiet', action='store_true', help='print only the manifest path')
    parser.add_argument('--capture-time', default=None, metavar='T',
                        help='RFC 3339 time the input files were captured (e.g. 2020-05-24T09:49:19Z): '
                             'the date of items that carry none when their feed gives no date either '
                             '(Beam option --capture_time)')
    parser.add_argument('--capture-time-from-filename', action='store_true',
                        help='read each file\'s capture time from its name (20200524T094919Z_2e54f80c.xml); '
                             'files named otherwise fall back to --capture-time '
                             '(Beam option --capture_time_from_filename)')
    args, beam_args = parser.parse_known_args(argv)
    inputs = args.input or [SAMPLE_DIR]
    if args.capture_time is not None:
        from wirewatch.transforms.ingest.feeds import parse_capture_time
        try:
            parse_capture_time(args.capture_time)
        except ValueError as exc:
            raise UsageError(f'--capture-time: {exc}')
        beam_args += ['--capture_time', args.capture_time]
    if args.capture_time_from_filename:
        beam_args += ['--capture_time_from_filename']
    from wirewatch.pipeline import runners
    try:
        options = runners.pipeline_options(beam_args + ['--output', args.output], streaming=False)
        from wirewatch.pipeline.options import capture_time
        capture_time(options)
    except ValueError as exc:
        raise UsageError(str(exc))
    if runners.dry_run_requested(options):
        from wirewatch.pipeline.build import build_pipeline
        from wirewatch.pipeline.options import feed_files_source
        return print_dry_run('run', options, lambda opts: build_pipeline(
            opts, feed_files_source(inputs, opts)), inputs)
    manifest = run_batch(inputs, args.output, beam_args)
    output = args.output if '://' in args.output else os.path.abspath(args.output)
    if args.quiet or '://' in output or manifest is None:
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
        from wirewatch.pipeline import emulator
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
    folder = FileSystems.join(args.dir, 'summaries')
    beside = is_folder(folder)  # DIR is an output directory, else its summaries/ itself
    summaries = read_records([folder if beside else args.dir])
    # the events and stories behind the figures, next to summaries/ when there
    base = args.dir if beside else FileSystems.split(args.dir.rstrip('/\\'))[0]
    events, stories = (read_records([FileSystems.join(base, name)])
                       if is_folder(FileSystems.join(base, name)) else []
                       for name in ('events', 'stories'))
    page = render_report(summaries, args.title, events=events, stories=stories,
                         as_of=datetime.datetime.now(datetime.timezone.utc))
    try:
        with FileSystems.create(args.html, mime_type='text/html',
                                compression_type=CompressionTypes.UNCOMPRESSED) as f:
            f.write(page.encode('utf-8'))
    except (OSError, BeamIOError) as exc:
        raise UsageError(f'cannot write {args.html}: {error_reason(exc)}')
    print(f'wirewatch report: {len(summaries)} summaries, {len(events)} events -> {args.html}')
    return 0


# ----------------------------------------------------------------------- pub/sub

def cmd_emulator(argv):
    from wirewatch.pipeline import emulator
    return emulator.emulator_main(argv)


def cmd_poll(argv):
    from wirewatch.pipeline import poller
    return poller.poll_main(argv)


def cmd_replay(argv):
    from wirewatch.pipeline import archive
    return archive.replay_main(argv)


def pubsub_project(args, beam_args=()):
    """The project of short subscription and topic names: ``--pubsub-project``, else the
    project of a full ``--subscription`` path, else Beam's ``--project``, else the local
    emulator's ``wirewatch-local``."""
    from apache_beam.options.pipeline_options import GoogleCloudOptions, PipelineOptions
    from wirewatch.pipeline import pubsub
    if args.pubsub_project:
        return args.pubsub_project
    if args.subscription.startswith('projects/'):
        return args.subscription.split('/')[1]
    return PipelineOptions(list(beam_args)).view_as(GoogleCloudOptions).project or pubsub.DEFAULT_PROJECT


def stream_beam_args(args, beam_args=()):
    """Beam flags for the output topics named on the stream command line (short names are
    completed with ``pubsub_project``)."""
    from wirewatch.pipeline import pubsub
    project = pubsub_project(args, beam_args)
    flags = []
    for flag, name in (('--events_topic', args.events_topic),
                       ('--summaries_topic', args.summaries_topic),
                       ('--deadletter_topic', args.deadletter_topic)):
        if name and name.lower() != 'none':
            flags += [flag, pubsub.topic_path(project, name)]
    return flags


def add_stream_arguments(parser):
    """The stream command's own flags. Beam's (``--project``, ``--region``, ``--runner``...)
    are left to Beam."""
    from wirewatch.pipeline import pubsub
    parser.add_argument('--subscription', default=pubsub.ITEMS_SUBSCRIPTION,
                        help='input subscription (name or projects/P/subscriptions/S)')
    parser.add_argument('--output', required=True, metavar='DIR', help=(
        'output directory for windowed Avro files: a path, or gs://... On a remote runner '
        '(Dataflow, Flink, Spark, Portable) the CLI neither creates nor clears DIR: the job '
        'creates its folders'))
    parser.add_argument('--pubsub-project', dest='pubsub_project', default=None, metavar='P',
                        help='project of short subscription and topic names (default: the one in '
                             'a full --subscription path, else Beam\'s --project, else '
                             f'{pubsub.DEFAULT_PROJECT}, the local emulator\'s)')
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
                        help='local runners: remove the outputs of earlier streams in DIR first '
                             '(default: keep them; a restarted stream continues them and writes '
                             'no Story or Event twice)')


def use_emulator(emulator_host, local):
    """Point Pub/Sub clients at the emulator: the one named, else on a ``local`` runner
    $PUBSUB_EMULATOR_HOST or the contract's localhost:8085."""
    from wirewatch.pipeline import pubsub
    if emulator_host:
        os.environ['PUBSUB_EMULATOR_HOST'] = emulator_host
    elif local:
        os.environ.setdefault('PUBSUB_EMULATOR_HOST', pubsub.DEFAULT_EMULATOR_HOST)


def cmd_stream(argv):
    from wirewatch.pipeline import pubsub, runners
    from wirewatch.pipeline.streaming import run_stream, stream_options, stream_pipeline
    parser = argparse.ArgumentParser(prog='wirewatch stream', allow_abbrev=False, description=(
        'Streaming: the same pipeline reading Pub/Sub, writing windowed Avro files under DIR '
        'and Avro messages to the output topics. Locally it runs on the DirectRunner against '
        'the Pub/Sub emulator and stops on SIGINT/SIGTERM, after writing what its file sinks '
        'still hold (a second signal stops at once). Every flag not listed here goes to Beam '
        'unchanged, e.g. --runner DataflowRunner --project P --region R --temp_location '
        'gs://B/tmp --setup_file ./setup.py (or --sdk_container_image IMAGE) --pubsub_id_label '
        'item_id: the CLI then submits the job and stays attached (SIGINT, SIGTERM or '
        '--max-seconds cancel it). --dry_run true builds the whole graph for the runner and '
        'checks it offline (no credentials, no network), prints what would run and exits.'))
    add_stream_arguments(parser)
    args, beam_args = parser.parse_known_args(argv)
    subscription = pubsub.subscription_path(pubsub_project(args, beam_args), args.subscription)
    beam_args = beam_args + stream_beam_args(args, beam_args)
    try:
        options = stream_options(args.output, beam_args)
    except ValueError as exc:
        raise UsageError(str(exc))
    if runners.dry_run_requested(options):
        return print_dry_run('stream', options, lambda opts: stream_pipeline(subscription, opts))
    local = runners.is_local_runner(options)
    problems = runners.remote_path_problems(options)
    if args.fresh and not local:
        problems.append(f'--fresh clears DIR on a local runner only: give the '
                        f'{runners.runner_name(options)} job a new --output instead')
    if problems:
        raise UsageError('; '.join(problems))
    use_emulator(args.emulator_host, local)
    output = prepare_output_dir(args.output, clear=args.fresh) if local else args.output
    run_stream(subscription, output, beam_args, max_seconds=args.max_seconds)
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
    'replay': 'publish archived items again after a crash (no story/event twice)',
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
