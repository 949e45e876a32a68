"""The stream's idempotent outputs: a Story or Event id already written (by this stream, or by
an earlier one into the same folder) is not written again."""
import datetime as dt

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from factories import make_story

from wirewatch import schemas
from wirewatch.transforms.sinks import idempotent, record_id
from wirewatch.transforms.sinks.idempotent import SkipWritten, ids_in_folder

T0 = dt.datetime(2026, 4, 1, 9, tzinfo=dt.timezone.utc)


def _story(sid):
    return make_story(sid, f'Flood defences hold in Varna Bay ({sid})', 'Water levels fell overnight.',
                      published=T0)


def _write(folder, name, stories):
    folder.mkdir(parents=True, exist_ok=True)
    schemas.write_container(str(folder / name), 'Story', stories)


def _streaming():
    options = PipelineOptions(runner='BundleBasedDirectRunner')
    options.view_as(StandardOptions).streaming = True
    return options


def test_ids_in_folder_reads_only_the_id_and_only_recent_files(tmp_path):
    folder = tmp_path / 'stories'
    _write(folder, 'stories-a.avro', [_story('s1'), _story('s2')])
    _write(folder, 'stories-b.avro', [_story('s3')])
    assert ids_in_folder(str(folder), 'Story') == {'s1', 's2', 's3'}
    assert ids_in_folder(str(folder), 'Story', max_age_seconds=60, now=10**10) == frozenset()
    assert ids_in_folder(str(tmp_path / 'nothing-yet'), 'Story') == frozenset()


def test_a_listing_error_is_raised_and_not_cached_as_nothing_written(tmp_path, monkeypatch):
    folder = tmp_path / 'stories'
    _write(folder, 'stories-a.avro', [_story('s1')])
    calls = []

    def flaky_match(patterns, limits=None):
        calls.append(patterns)
        raise OSError('503 Service Unavailable')
    with monkeypatch.context() as patch:
        patch.setattr(idempotent.FileSystems, 'match', flaky_match)
        with pytest.raises(OSError):
            idempotent.written_before('run-x', str(folder), 'Story', None)
    assert idempotent.written_before('run-x', str(folder), 'Story', None) == {'s1'}   # retried, read


def test_stream_drops_ids_in_the_folder_and_ids_it_already_passed(tmp_path):
    out = tmp_path / 'out'
    _write(out / 'stories', 'stories-earlier.avro', [_story('s1')])   # an earlier stream wrote s1
    stamped = [TimestampedValue(_story(sid), T0.timestamp()) for sid in ('s1', 's2', 's2', 's3')]
    events = (TestStream().add_elements(stamped[:2]).advance_watermark_to(T0.timestamp() + 60)
              .add_elements(stamped[2:]).advance_watermark_to_infinity())
    with beam.Pipeline(options=_streaming()) as p:
        kept = (p | events | SkipWritten(str(out), 'Story', ttl_seconds=3600)
                | beam.Map(lambda s: s['story_id']))
        assert_that(kept, equal_to(['s2', 's3']))


def test_an_id_is_passed_again_after_its_ttl_of_event_time(tmp_path):
    first = TimestampedValue(_story('s9'), T0.timestamp())
    much_later = TimestampedValue(dict(_story('s9'), title='Flood defences hold (later copy)'),
                                  T0.timestamp() + 7200)
    events = (TestStream().add_elements([first]).advance_watermark_to(T0.timestamp() + 3700)
              .add_elements([much_later]).advance_watermark_to_infinity())
    with beam.Pipeline(options=_streaming()) as p:
        kept = (p | events | SkipWritten(str(tmp_path / 'out'), 'Story', ttl_seconds=3600)
                | beam.Map(lambda s: s['title']))
        assert_that(kept, equal_to(['Flood defences hold in Varna Bay (s9)', 'Flood defences hold (later copy)']))


def test_output_messages_carry_the_id_consumers_deduplicate_on():
    summary = {'country': 'KEN', 'window_start': T0}
    assert record_id('Event', {'event_id': 'e1'}) == 'e1'
    assert record_id('CountrySummary', summary) == 'KEN/2026-04-01T09:00:00+00:00'
    assert record_id('DeadLetter', {}) is None
