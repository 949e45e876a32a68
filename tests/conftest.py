"""Shared pytest setup: markers, and the Beam runner tests use (never the Prism-downloading default)."""
import os

import pytest

TEST_RUNNER = 'BundleBasedDirectRunner'
# Batch runs in tests stay in one process (a worker per core would load spaCy once per
# worker for a handful of stories); tests/test_runners.py runs the multi-process default.
os.environ.setdefault('WIREWATCH_WORKERS', '1')
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')


def pytest_configure(config):
    config.addinivalue_line('markers', 'emulator: needs the real Pub/Sub emulator (Java); skipped when absent')
    config.addinivalue_line('markers', 'slow: long-running (corpus runs, soaks); run with -m slow')


@pytest.fixture
def fixtures_dir():
    return FIXTURES


@pytest.fixture(scope='session')
def extractor():
    """One EventExtractor (spaCy model and gazetteer loaded once) for the extract tests."""
    from wirewatch.transforms.extract import EventExtractor
    return EventExtractor()
