"""Smoke test of bench/stage_costs.py on a tiny fixture corpus (tests/fixtures/bench/corpus).

The fixture: a wire's three snapshots (the second re-ingests two items and adds one, the
third re-ingests one of them again, under the same item id), and an outlet that carries a
near-copy of one wire story plus a story of its own.
"""
import collections
import importlib.util
import json
import os

import pytest

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench', 'stage_costs.py')
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'bench', 'corpus')


@pytest.fixture(scope='module')
def stage_costs():
    spec = importlib.util.spec_from_file_location('stage_costs', BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def report(stage_costs, tmp_path_factory):
    out = tmp_path_factory.mktemp('bench') / 'stage_costs.json'
    assert stage_costs.main(['--corpus', CORPUS, '--outlet-days', '20200531', '20200531',
                             '--json', str(out)]) == 0
    return json.loads(out.read_text(encoding='utf-8'))


def test_counts_follow_the_pipeline(report):
    counts = report['counts']
    assert counts['feed_items'] == 9
    assert counts['stories_after_exact_dedup'] == 6   # three re-ingests of wire items dropped
    assert counts['clusters'] == 5                    # the outlet's Nairobi copy joins the wire story
    assert counts['representatives_english'] == counts['representatives_extracted'] == 5
    assert counts['events'] > 0 and counts['summaries'] > 0


def test_stage_shares_are_ratios_of_one_run(report):
    stages = report['stages']
    assert [r['stage'] for r in stages] == ['read+parse', 'normalise', 'cluster', 'extract', 'summarise']
    assert sum(r['cpu_share_pct'] for r in stages) == pytest.approx(100, abs=0.5)
    assert sum(r['wall_share_pct'] for r in stages) == pytest.approx(100, abs=0.5)
    assert min(r['items_per_s_vs_slowest'] for r in stages) == 1.0
    assert not report['extract_row_scaled_from_sample']
    assert 'seconds' not in json.dumps(report['stages'])


def test_clustering_saving_is_measured_on_disjoint_sets(report):
    saves = report['clustering_saves']
    assert not saves['sampled']
    assert {k: v['stories'] for k, v in saves['sets'].items()} == {
        'representatives': 5, 'near_duplicates': 1, 'exact_reingests': 3}
    assert saves['stories_all_over_representatives'] == 1.8
    assert saves['extract_cpu_all_over_representatives'] > 1.0
    assert set(saves['per_folder']) == {'feeds/wires-2026', 'feeds/outlets-2020-05'}
    assert saves['per_folder']['feeds/wires-2026']['sets']['exact_reingests']['stories'] == 3


def test_a_small_budget_samples_whole_clusters(stage_costs, tmp_path):
    out = tmp_path / 'sampled.json'
    assert stage_costs.main(['--corpus', CORPUS, '--outlet-days', '20200531', '20200531',
                             '--extract-budget', '3', '--json', str(out)]) == 0
    report = json.loads(out.read_text(encoding='utf-8'))
    saves = report['clustering_saves']
    assert saves['sampled'] and report['extract_row_scaled_from_sample']
    assert saves['all_english_stories'] <= 3
    assert report['counts']['representatives_extracted'] == saves['sets']['representatives']['stories']


def test_limit_reads_whole_files_oldest_first(stage_costs):
    files = stage_costs.feed_files(CORPUS, ('20200531', '20200531'))
    clock, dead = stage_costs.StageClock(), collections.Counter()
    items, read = stage_costs.read_items(files['feeds/wires-2026'], 2, clock, dead)
    assert read == 1 and len(items) == 3
    assert {i['guid'] for i in items} == {'wire-1001', 'wire-1002', 'wire-1003'}


def test_absent_corpus_exits_cleanly(stage_costs, tmp_path, capsys):
    assert stage_costs.main(['--corpus', str(tmp_path / 'nowhere')]) == 0
    assert 'nothing to do' in capsys.readouterr().out
