"""The architecture stays visible: stages under transforms/ never import the processes and
assembly under pipeline/, and pipeline modules do not import each other in a cycle."""
import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _imports(path):
    """Every module a file imports, at any depth (function-level imports included)."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f'{node.module}.{alias.name}' for alias in node.names)
    return found


def _python_files(folder):
    for root, _dirs, files in os.walk(os.path.join(ROOT, folder)):
        for name in files:
            if name.endswith('.py'):
                yield os.path.join(root, name)


def test_nothing_under_transforms_imports_pipeline():
    offenders = {os.path.relpath(path, ROOT): sorted(m for m in _imports(path)
                                                     if m.startswith('wirewatch.pipeline'))
                 for path in _python_files('transforms')}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_poller_lives_beside_the_emulator_manager():
    assert os.path.exists(os.path.join(ROOT, 'pipeline', 'poller.py'))
    assert not os.path.exists(os.path.join(ROOT, 'transforms', 'ingest', 'poller.py'))


def test_pipeline_modules_import_no_cycle():
    graph = {}
    for path in _python_files('pipeline'):
        name = 'wirewatch.pipeline.' + os.path.splitext(os.path.basename(path))[0]
        graph[name] = {m for m in _imports(path) if m in
                       {'wirewatch.pipeline.' + os.path.splitext(f)[0]
                        for f in os.listdir(os.path.join(ROOT, 'pipeline')) if f.endswith('.py')}}
        graph[name].discard(name)

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, seen + (n,)))
                   for n in graph.get(start, ()))
    cycles = sorted(a for a in graph for b in graph[a] if reaches(b, a))
    assert cycles == []
