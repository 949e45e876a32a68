"""The poller's raw archive and ``wirewatch replay``, without Pub/Sub (a recording publisher)."""
import concurrent.futures
import datetime as dt
import os

import fastavro
import pytest

from factories import one_item_feed

from wirewatch import schemas
from wirewatch.pipeline import archive, cli, pubsub
from wirewatch.pipeline.poller import poll_feeds

UTC = dt.timezone.utc
TOPIC = 'projects/p/topics/items'


class RecordingPublisher:
    """PublisherClient stand-in: keeps (topic, data, attributes); fails items whose title says so."""

    def __init__(self, fail_titles=()):
        self.messages = []
        self.fail_titles = set(fail_titles)
        self.count = 0

    def publish(self, topic, data, **attributes):
        future = concurrent.futures.Future()
        item = schemas.decode('FeedItem', data)
        if item['title'] in self.fail_titles:
            future.set_exception(RuntimeError('publish refused'))
        else:
            self.count += 1
            self.messages.append((topic, data, attributes))
            future.set_result(f'm{self.count}')
        return future


def _item(item_id, title, published):
    return {'item_id': item_id, 'guid': item_id, 'url': f'https://wire.example.org/{item_id}',
            'title': title, 'summary': f'{title}.', 'content': None, 'published_raw': None,
            'published_at': published, 'authors': [], 'feed_url': 'https://wire.example.org/rss',
            'source_name': 'Example Wire', 'feed_language': 'en', 'fetched_at': published}


def _feed_file(tmp_path, name, entries):
    """A small RSS file with ``entries`` [(guid, title, published)]."""
    items = ''.join(
        f'<item><title>{title}</title><link>https://wire.example.org/{guid}</link><guid>{guid}</guid>'
        f'<pubDate>{published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>'
        f'<description>{title}, officials in Vellmar said.</description></item>'
        for guid, title, published in entries)
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title>'
                    f'<link>https://wire.example.org</link>{items}</channel></rss>', encoding='utf-8')
    return str(path)


def test_append_then_read_back_by_interval(tmp_path):
    arch = archive.ItemArchive(tmp_path / 'a')
    t1 = dt.datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
    t2 = dt.datetime(2026, 3, 2, 0, 1, tzinfo=UTC)
    arch.append([(_item('a', 'Dam breach', t1), {'item_id': 'a', 'schema': 'FeedItem'}, TOPIC, 'm1')],
                archived_at=t1)
    arch.append([(_item('b', 'Port reopens', t2), {'item_id': 'b'}, TOPIC, 'm2'),
                 (_item('c', 'Bridge shut', t2), {'item_id': 'c'}, TOPIC, 'm3')], archived_at=t2)
    names = sorted(os.listdir(tmp_path / 'a'))
    assert names == ['items-2026-03-01.avro', 'items-2026-03-02.avro']   # rotated by UTC day
    everything = list(archive.read_archive(tmp_path / 'a'))
    assert [r['item']['item_id'] for r in everything] == ['a', 'b', 'c']
    assert everything[0]['attributes'] == {'item_id': 'a', 'schema': 'FeedItem'}
    assert everything[0]['message_id'] == 'm1' and everything[0]['topic'] == TOPIC
    later = list(archive.read_archive(tmp_path / 'a', start=dt.datetime(2026, 3, 2, tzinfo=UTC)))
    assert [r['item']['item_id'] for r in later] == ['b', 'c']
    earlier = list(archive.read_archive(tmp_path / 'a', end=dt.datetime(2026, 3, 2, tzinfo=UTC)))
    assert [r['item']['item_id'] for r in earlier] == ['a']


def test_a_torn_tail_is_cut_before_the_next_append_and_skipped_when_read(tmp_path):
    arch = archive.ItemArchive(tmp_path)
    now = dt.datetime(2026, 4, 5, 8, tzinfo=UTC)
    arch.append([(_item('a', 'Ferry sinks', now), {}, TOPIC, 'm1')], archived_at=now)
    path = archive.day_file(str(tmp_path), now)
    good_size = os.path.getsize(path)
    with open(path, 'ab') as f:   # a crash in the middle of writing the next block
        f.write(b'\x04\x9c\x01partial-block')
    assert [r['item']['item_id'] for r in archive.read_archive(tmp_path)] == ['a']
    fresh = archive.ItemArchive(tmp_path)   # the next poller process
    fresh.append([(_item('b', 'Mine collapses', now), {}, TOPIC, 'm2')], archived_at=now)
    assert os.path.getsize(path) > good_size
    with open(path, 'rb') as f:
        assert [r['item']['item_id'] for r in fastavro.reader(f)] == ['a', 'b']


def test_a_file_without_a_complete_header_is_removed(tmp_path):
    path = tmp_path / 'items-2026-04-05.avro'
    path.write_bytes(b'Obj\x01\x04')
    archive.repair(str(path))
    assert not path.exists()


def test_prune_removes_day_files_past_the_retention(tmp_path):
    arch = archive.ItemArchive(tmp_path, retention_days=10)
    for day in (1, 20, 28):
        moment = dt.datetime(2026, 2, day, tzinfo=UTC)
        arch.append([(_item(f'i{day}', 'Strike ends', moment), {}, TOPIC, None)], archived_at=moment)
    removed = arch.prune(now=dt.datetime(2026, 3, 1, tzinfo=UTC))
    assert removed == ['items-2026-02-01.avro']
    assert [d.day for _, d in archive.archive_files(tmp_path)] == [20, 28]


@pytest.mark.parametrize('text, upper, expected', [
    ('2026-03-02', False, dt.datetime(2026, 3, 2, tzinfo=UTC)),
    ('2026-03-02', True, dt.datetime(2026, 3, 3, tzinfo=UTC)),
    ('2026-03-02T10:15:00Z', False, dt.datetime(2026, 3, 2, 10, 15, tzinfo=UTC)),
    ('2026-03-02T12:15:00+02:00', True, dt.datetime(2026, 3, 2, 10, 15, tzinfo=UTC)),
])
def test_parse_bound(text, upper, expected):
    assert archive.parse_bound(text, upper) == expected


@pytest.mark.parametrize('text', ['yesterday', '2026-03-02T10:15:00', '02/03/2026'])
def test_parse_bound_refuses_vague_times(text):
    with pytest.raises(ValueError):
        archive.parse_bound(text)


def test_poller_archives_what_it_published_and_nothing_it_failed_to_publish(tmp_path):
    now = dt.datetime.now(UTC).replace(microsecond=0)
    feed = _feed_file(tmp_path, 'wire.xml', [('g1', 'Levee fails near Orvand', now),
                                             ('g2', 'Refused title', now),
                                             ('g3', 'Curfew lifted in Tessin Vale', now)])
    publisher = RecordingPublisher(fail_titles={'Refused title'})
    state = tmp_path / 'state' / 'poller-state.json'
    summary = poll_feeds([feed], topic='items', project='p', state_path=str(state), publisher=publisher,
                         say=lambda m: None)
    assert summary.published == 2 and summary.publish_errors == 1
    records = list(archive.read_archive(archive.default_archive_dir(state)))
    assert sorted(r['item']['title'] for r in records) == ['Curfew lifted in Tessin Vale',
                                                          'Levee fails near Orvand']
    sent = {attrs['item_id']: attrs for _, _, attrs in publisher.messages}
    for record in records:   # the archive holds the attributes exactly as published
        assert record['attributes'] == sent[record['item']['item_id']]
        assert record['topic'] == 'projects/p/topics/items'
    # the refused item is published and archived on the next pass, once
    publisher.fail_titles.clear()
    poll_feeds([feed], topic='items', project='p', state_path=str(state), publisher=publisher,
               say=lambda m: None)
    titles = [r['item']['title'] for r in archive.read_archive(archive.default_archive_dir(state))]
    assert sorted(titles) == ['Curfew lifted in Tessin Vale', 'Levee fails near Orvand', 'Refused title']


def test_poller_without_archive_writes_none(tmp_path):
    feed = _feed_file(tmp_path, 'wire.xml', [('g1', 'Levee fails', dt.datetime.now(UTC))])
    state = tmp_path / 'poller-state.json'
    poll_feeds([feed], topic='items', project='p', state_path=str(state), publisher=RecordingPublisher(),
               say=lambda m: None, archive_dir=False)
    assert not (tmp_path / 'archive').exists()


def test_replay_publishes_the_interval_with_the_original_attributes(tmp_path):
    arch = archive.ItemArchive(tmp_path)
    moments = [dt.datetime(2026, 5, 1, h, tzinfo=UTC) for h in (6, 9, 12)]
    for n, moment in enumerate(moments):
        item = _item(f'i{n}', f'Story {n}', moment - dt.timedelta(hours=1))
        attributes = pubsub.message_attributes('FeedItem', {'item_id': item['item_id'],
                                                            'published_at': f'2026-05-01T0{n}:00:00Z'})
        arch.append([(item, attributes, TOPIC, f'm{n}')], archived_at=moment)
    publisher = RecordingPublisher()
    published, failed = archive.replay(str(tmp_path), 'projects/p/topics/again',
                                       start=dt.datetime(2026, 5, 1, 8, tzinfo=UTC),
                                       end=dt.datetime(2026, 5, 1, 12, tzinfo=UTC), publisher=publisher)
    assert (published, failed) == (1, 0)
    topic, data, attributes = publisher.messages[0]
    assert topic == 'projects/p/topics/again'
    assert schemas.decode('FeedItem', data)['item_id'] == 'i1'
    assert attributes['item_id'] == 'i1' and attributes['published_at'] == '2026-05-01T01:00:00Z'
    assert attributes['schema'] == 'FeedItem'


def test_replay_command_dry_run_counts_and_refuses_bad_bounds(tmp_path, capsys):
    arch = archive.ItemArchive(tmp_path)
    moment = dt.datetime(2026, 5, 1, 6, tzinfo=UTC)
    arch.append([(_item('x', 'Dam holds', moment), {}, TOPIC, None)] * 3, archived_at=moment)
    assert cli.main(['replay', '--archive', str(tmp_path), '--from', '2026-05-01', '--to', '2026-05-01',
                     '--dry-run']) == 0
    assert 'would publish 3 archived items' in capsys.readouterr().err
    assert cli.main(['replay', '--archive', str(tmp_path), '--from', 'last week', '--dry-run']) == 2
    assert cli.main(['replay', '--archive', str(tmp_path / 'none'), '--dry-run']) == 2


def test_an_archive_that_cannot_be_written_leaves_the_items_to_the_next_pass(tmp_path, monkeypatch):
    feed = _feed_file(tmp_path, 'wire.xml', [('g1', 'Levee fails near Orvand', dt.datetime.now(UTC))])
    state = tmp_path / 'state' / 'poller-state.json'
    publisher, said = RecordingPublisher(), []

    def disk_full(self, entries, archived_at=None):
        raise OSError(28, 'No space left on device')
    with monkeypatch.context() as patch:
        patch.setattr(archive.ItemArchive, 'append', disk_full)
        first = poll_feeds([feed], topic='items', project='p', state_path=str(state), publisher=publisher,
                           say=said.append)
    assert first.published == 0 and first.publish_errors == 1
    assert any('cannot archive 1 published items' in line for line in said)
    second = poll_feeds([feed], topic='items', project='p', state_path=str(state), publisher=publisher,
                        say=said.append)
    assert second.published == 1   # published again, and archived this time
    assert [r['item']['item_id'] for r in archive.read_archive(archive.default_archive_dir(state))] \
        == [schemas.decode('FeedItem', publisher.messages[-1][1])['item_id']]
