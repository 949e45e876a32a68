"""Runner selection: local batch uses every core by default; explicit flags win."""
from apache_beam.options.pipeline_options import DirectOptions, StandardOptions

from wirewatch.pipeline.runners import LOCAL_BATCH_RUNNER, LOCAL_STREAMING_RUNNER, pipeline_options


def _direct(options):
    d = options.view_as(DirectOptions)
    return options.view_as(StandardOptions).runner, d.direct_num_workers, d.direct_running_mode


def test_local_batch_uses_every_core_by_default(monkeypatch):
    monkeypatch.delenv('WIREWATCH_WORKERS', raising=False)
    monkeypatch.setattr('wirewatch.pipeline.runners.local_workers', lambda: 2)
    assert _direct(pipeline_options([])) == (LOCAL_BATCH_RUNNER, 2, 'multi_processing')


def test_explicit_worker_flags_win(monkeypatch):
    monkeypatch.setattr('wirewatch.pipeline.runners.local_workers', lambda: 2)
    assert _direct(pipeline_options(['--direct_num_workers', '1']))[1:] == (1, 'in_memory')
    assert _direct(pipeline_options(['--direct_running_mode', 'multi_threading']))[1:] == (
        2, 'multi_threading')


def test_one_worker_keeps_the_run_in_process(monkeypatch):
    monkeypatch.setenv('WIREWATCH_WORKERS', '1')
    assert _direct(pipeline_options([]))[1:] == (1, 'in_memory')


def test_streaming_and_remote_runners_are_left_alone(monkeypatch):
    monkeypatch.setattr('wirewatch.pipeline.runners.local_workers', lambda: 2)
    assert _direct(pipeline_options([], streaming=True))[0] == LOCAL_STREAMING_RUNNER
    assert _direct(pipeline_options([], streaming=True))[1] in (None, 1)
    runner, workers, _ = _direct(pipeline_options(['--runner', 'DataflowRunner']))
    assert (runner, workers) == ('DataflowRunner', 1)


def test_a_two_worker_batch_run_accounts_for_every_item(tmp_path, monkeypatch):
    """The default a user gets on a 2-core machine, end to end on the bundled sample."""
    from wirewatch.pipeline.cli import main
    monkeypatch.setenv('WIREWATCH_WORKERS', '2')
    assert main(['run', '--output', str(tmp_path / 'out')]) == 0
    import json
    manifest = json.loads((tmp_path / 'out' / '_MANIFEST.json').read_text())
    assert manifest['accounted'] and manifest['events'] > 0 and manifest['summaries'] > 0
