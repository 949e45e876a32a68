"""Sustained streaming throughput on the local Pub/Sub emulator: generated wire items published
by ``poll`` at a fixed offered rate, read by one ``wirewatch stream``, counted as they reach the
stream's stories output.

Usage: python bench/stream_throughput.py [--items 10000] [--rates 50,100]
                                         [--compare before,+pulls,+timers,defaults]
                                         [--compare-items 1500] [--profile-seconds 0]
                                         [--sample-seconds 5] [--max-minutes 90] [--json OUT]
                                         [--keep DIR] [--no-write]
       (exits 0 with a message when Java or the emulator is absent)

Runs, one after the other, each with a fresh private emulator on a free loopback port and one
stream: first the tries of ``--compare`` (``--compare-items`` items each, at the first rate),
which run ``wirewatch stream`` with only some of the local-runner fixes of
``wirewatch.pipeline.direct_runner`` (this script's ``--stream-child``), to measure them; then
``wirewatch stream`` as shipped (the command a user types; it also publishes events and
summaries to output topics of its own) with ``--items`` items at each offered rate of
``--rates`` (items/s). After a warm-up item has reached the stream's stories files (spaCy and
the gazetteer are loaded by then), the items are published through the poller's own code:
every ``--poll-seconds`` the items due by then are written into a dozen local RSS files (six
invented outlets, two section feeds each, each file also listing its last few older items, as
a real feed does) and one ``FeedPoller.poll_once`` pass over all of them publishes the new
entries, as a long-running ``wirewatch poll`` does between its passes.

The generated feed (``WireFeed``, seeded): a title and a 1-3 sentence lead (13 to 55
words) on ten kinds of news (protests, talks, disasters, attacks, central banks, courts,
outbreaks, elections, sport, power cuts), in invented towns (checked absent from the gazetteer)
of 30 real countries, with invented people and organisations. Mix by item, about 60 % unique
stories, 25 % syndicated copies (another outlet's item with the same lead, often trimmed or
with its own dateline, under a reworded or suffixed title, published a little later) and 15 %
re-ingests (the same article, same link, listed again in its outlet's other section feed: an
exact duplicate by canonical URL, which the stream drops without writing anything). Each
item's publication time is the wall-clock time it was generated (the DirectRunner's Pub/Sub
watermark is the wall clock: see ``bench/stream_memory.py``).

Measured every ``--sample-seconds``: items published, stories written (files under the
stream's ``stories/`` folder, read as they appear; re-ingests are expected to write none), the
backlog (stories published but not yet written) and the lag (seconds since the story the stream
has reached, in publication order, was published), the stream's RSS and CPU seconds.
Reported per run: the offered and achieved publishing rates, the stream's sustained rate over
the second half of publishing (stories written per second over the share of items that are
stories, in items/s), the end-to-end rate (all items over first publish to last story
written), the backlog's and the lag's slopes over the second half (least squares; the backlog
grows when its slope exceeds 2 % of the offered rate), the stream's CPU milliseconds per item
processed and the rate that gives on one core (the DirectRunner works on one thread), its share
of a core over the run (below 1 with a backlog: other processes had the core), and the load
average at start and end. ``--profile-seconds N`` also records a py-spy profile of the stream
for N s from the middle of the first ``--rates`` run and prints its top entries.

Loopback only; the stream and the emulator run in their own process groups and are stopped on
exit, errors and signals. Writes its section of BENCHMARKS.md unless ``--no-write``.
"""
import argparse
import collections
import contextlib
import datetime as dt
import email.utils
import heapq
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from extract_throughput import write_benchmarks_section  # noqa: E402
from stream_latency import CODAS, HOST, MIDDLES, ONSETS, Stream, new_avro_files, say  # noqa: E402

SECTION = 'stream-throughput'
COMMAND = 'python bench/stream_throughput.py'
ITEMS_TOPIC = 'wirewatch-items'
ITEMS_SUBSCRIPTION = 'bench-items'
STREAM_NAME = 'sustained'
GOAL_RATE = 50.0
GROWTH_TOLERANCE = 0.02      # backlog slope above 2 % of the offered rate: it grows
FEED_HISTORY = 5             # older items each feed file keeps listing, as real feeds do
WARMUP_LIMIT = 300.0
SCAN_SECONDS = 1.0
DRAIN_IDLE_SECONDS = 120.0   # stop waiting for the tail when nothing new came out this long
POLLER_MAX_IDS = 5000        # ids the poller's state keeps (it prunes the oldest beyond)

# ------------------------------------------------------------------ the generated wire

COUNTRIES = ['Chile', 'Peru', 'Kenya', 'Nigeria', 'Ghana', 'Bolivia', 'Ecuador', 'Colombia',
             'the Philippines', 'Indonesia', 'Uganda', 'Zambia', 'Malawi', 'Senegal', 'Mali',
             'Niger', 'Pakistan', 'Bangladesh', 'Nepal', 'Sri Lanka', 'Mongolia', 'Georgia',
             'Moldova', 'Paraguay', 'Honduras', 'Guatemala', 'Tunisia', 'Jordan', 'Cambodia',
             'Madagascar']
OUTLETS = [('Kestrel Wire', 'kestrelwire.example'), ('Harbour Courier', 'harbourcourier.example'),
           ('Northgate Times', 'northgate-times.example'), ('Meridian Daily', 'meridiandaily.example'),
           ('Lantern Post', 'lanternpost.example'), ('Tidewater Herald', 'tidewaterherald.example')]
SECTIONS = ('world', 'latest')
FIRST_NAMES = ['Amara', 'Teodor', 'Liesl', 'Joran', 'Nadira', 'Ivo', 'Selin', 'Bram', 'Oksana',
               'Halvard', 'Rutendo', 'Cael', 'Mireva', 'Tomasz', 'Yael', 'Osric', 'Ilka', 'Dario',
               'Femi', 'Katrin', 'Emeka', 'Lucila', 'Rashid', 'Sunniva']
SURNAME_HEADS = ['Vand', 'Okon', 'Marr', 'Tesh', 'Belk', 'Korv', 'Lind', 'Abed', 'Sarn', 'Hult',
                 'Ndum', 'Ferr', 'Galv', 'Quist', 'Rhos', 'Tamb']
SURNAME_TAILS = ['eveld', 'isk', 'ova', 'uri', 'ande', 'enko', 'ami', 'strom', 'owe', 'ane',
                 'ick', 'ello']
ROLES = ['Prime Minister', 'Foreign Minister', 'Finance Minister', 'Interior Minister',
         'President', 'opposition leader', 'Defence Minister']
GROUPS = ['farmers', 'teachers', 'students', 'miners', 'nurses', 'taxi drivers', 'dock workers',
          'market traders', 'factory workers', 'fishermen', 'bus drivers', 'residents']
ISSUES = ['fuel prices', 'unpaid wages', 'a hospital closure', 'a new land law', 'water shortages',
          'the arrest of a union leader', 'school fees', 'power cuts', 'a mine expansion',
          'a tax on small traders', 'road tolls', 'evictions']
PLACES = ['the town hall', "the regional governor's office", 'the main market', 'a police station',
          'the central square', 'the railway station', 'the courthouse', 'the port gates']
SUBJECTS = ['border trade', 'fishing rights', 'a new rail link', 'water sharing', 'debt relief',
            'energy supplies', 'visa rules', 'a security pact']
DISEASES = ['cholera', 'measles', 'dengue fever', 'typhoid']
CRIMES = ['embezzling public funds', 'taking bribes', 'abuse of office', 'money laundering']
REASONS = ['slowing growth', 'a weaker currency', 'high food prices', 'uncertain export demand']
ORG_KINDS = ["Workers' Union", 'Civic Alliance', 'Relief Society', 'Traders Association',
             'Farmers Federation', 'Red Crescent chapter']
CLUB_KINDS = ['United', 'Rovers', 'City', 'Athletic', 'Wanderers']
WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
          'October', 'November', 'December']

# kind -> ([(first sentence, its titles)], [second sentences], [third sentences])
KINDS = {
    'protest': (
        [('{Crowd} {group} marched through {town}, {country}, on {weekday} to protest against {issue}.',
          ['{Group} protest over {issue} in {town}', 'Thousands march in {town} against {issue}']),
         ('Angry {group} blocked roads in the {country} town of {town} on {weekday} in a protest over {issue}.',
          ['{Country} {group} block roads over {issue}', 'Police fire tear gas at {group} in {town}'])],
        ['Police said {arrested} people were detained and {injured} hurt after clashes near {place}.',
         'Riot police fired tear gas to disperse the crowd outside {place}, witnesses said.'],
        ['Organisers from the {Town} {org} said more demonstrations were planned for next week.',
         'The regional government said it would meet union representatives on {weekday2}.']),
    'talks': (
        [('{Role} {person} of {country} met a delegation from {country2} in {town} on {weekday} '
          'to discuss {subject}.',
          ['{Role} {person} meets {country2} envoy in {town}', '{Country}, {country2} hold talks on {subject}']),
         ('Officials from {country} and {country2} met in {town} on {weekday} and agreed to resume '
          'negotiations on {subject}.',
          ['{Country} and {country2} agree to resume talks on {subject}'])],
        ['The two sides agreed to hold a further round of talks in {month}, a spokesperson for the '
         'foreign ministry said.',
         '{Last} described the meeting as frank and constructive.'],
        ['No agreement was reached on the disputed points, according to a joint statement.']),
    'disaster': (
        [('At least {killed} people were killed and {injured} injured after heavy rain triggered floods '
          'in {town}, {country}, officials said on {weekday}.',
          ['Floods kill {killed} in {country}', "Heavy rain leaves {killed} dead in {country}'s {town} district"]),
         ('A landslide buried more than {houses} homes near the town of {town} in {country} early on '
          '{weekday}, killing {killed} people, the disaster agency said.',
          ['Landslide buries homes near {town}, {killed} dead', '{Country} landslide kills {killed}'])],
        ['Rescue teams were searching for {missing} people still unaccounted for.',
         'The {Town} {org} said about {displaced} residents had been moved to temporary shelters.'],
        ['Forecasters warned that more rain was expected over the weekend.']),
    'attack': (
        [('Gunmen attacked a village near {town} in {country} late on {weekday}, killing {killed} '
          'people, a local official said.',
          ['Gunmen kill {killed} in attack on village near {town}', '{Killed} killed in {country} village attack']),
         ('Armed men opened fire at a busy market in {town}, {country}, on {weekday}, killing {killed} '
          'people and wounding {injured}, police said.',
          ["Attack on market in {country}'s {town} kills {killed}", 'Gunmen open fire on {town} market'])],
        ['The army said troops had been deployed to the area and {arrested} suspects were detained.',
         'No group has claimed responsibility for the attack.'],
        ['{Role} {person} condemned the killings and promised an investigation.']),
    'bank': (
        [('The central bank of {country} kept its benchmark interest rate at {rate} percent on {weekday}, '
          'citing {reason}.',
          ['{Country} central bank holds key rate at {rate} percent', '{Country} keeps rates on hold']),
         ('Annual inflation in {country} eased to {pct} percent in {month} from a year earlier, the '
          'statistics office said on {weekday}.',
          ['{Country} inflation eases to {pct} percent'])],
        ['Governor {person} said price pressures were expected to ease in the second half of the year.',
         'Analysts polled by the {Town} {org} had expected no change.'],
        []),
    'court': (
        [('A court in {town} sentenced former minister {person} to {years} years in prison on '
          '{weekday} for {crime}.',
          ['Court jails former minister {person} for {years} years',
           '{Country} ex-minister {person} jailed for {crime_short}']),
         ('A {country} court on {weekday} convicted the former mayor of {town}, {person}, of {crime}.',
          ['Former {Town} mayor convicted of {crime_short}'])],
        ["{Last}'s lawyer said the defence would appeal.",
         'Prosecutors said {amount} million had been diverted from public works contracts.'],
        []),
    'outbreak': (
        [('Health authorities in {country} reported {cases} new cases of {disease} in the {town} district '
          'on {weekday}, bringing the total this year to {total}.',
          ['{Country} reports {cases} new {disease} cases']),
         ('An outbreak of {disease} has spread to three villages around {town}, {country}, the health '
          'ministry said on {weekday}.',
          ['{Disease} outbreak spreads in {town} district', 'Health officials race to contain {disease} in {town}'])],
        ['The ministry said vaccination teams had been sent to the area.',
         '{dead} deaths have been recorded since the start of the outbreak.'],
        ['Residents were urged to boil drinking water.']),
    'election': (
        [('Voters in {country} cast ballots on {weekday} in regional elections seen as a test for '
          '{Role} {person}.',
          ['Voters in {country} head to polls in regional elections', 'Turnout low in {country} local elections']),
         ('The opposition in {country} said on {weekday} it was leading the count in {town}, with '
          '{counted} percent of ballots counted.',
          ['{Country} opposition claims lead in {town} vote count'])],
        ['The electoral commission put turnout at {turnout} percent.',
         'Observers from the {Town} {org} reported minor irregularities.'],
        ['Final results are expected on {weekday2}.']),
    'sport': (
        [('{Town} {club} beat {Town2} {club2} {a}-{b} on {weekday} to reach the final of the {country} '
          'cup.',
          ['{Town} {club} beat {Town2} {club2} {a}-{b} to reach cup final',
           'Late goal gives {Town} {club} win over {Town2} {club2}']),
         ('{Town} {club} dismissed their coach on {weekday} after a {b}-{a} home defeat by {Town2} '
          '{club2} left them bottom of the {country} league.',
          ['{Town} {club} sack coach after {b}-{a} defeat'])],
        ['Striker {person} scored twice in the second half.'],
        []),
    'power': (
        [('Large parts of {town}, {country}, were without electricity for {hours} hours on {weekday} '
          'after a fault at a power station.',
          ['Power cuts hit {town} as heat strains grid', 'Blackout leaves {town} without electricity for {hours} hours']),
         ('Authorities in {country} ordered rolling blackouts on {weekday} after two generating units '
          'failed during a heatwave.',
          ['{Country} orders rolling blackouts after plant failure'])],
        ['The state utility said supply would be restored by {weekday2}.',
         'Hospitals in {town} switched to backup generators, officials said.'],
        ['Businesses said the cuts had cost them {amount} million in lost trade.']),
}
KIND_WEIGHTS = {'protest': 14, 'talks': 10, 'disaster': 10, 'attack': 10, 'bank': 8, 'court': 8,
                'outbreak': 8, 'election': 10, 'sport': 12, 'power': 10}
# per unique story: syndicated with probability 0.25 (1-3 copies, 5/3 on average) and re-ingested
# with probability 0.25: 1 : 0.42 : 0.25, i.e. about 60 % unique, 25 % copies, 15 % re-ingests
COPY_PROBABILITY = 0.25
COPY_COUNTS = (1, 2, 2)
REINGEST_PROBABILITY = 0.25
COPY_DELAY_ITEMS = (5, 400)      # a copy or a re-ingest comes this many items after the original


def invented_names(seed=11):
    """Town names made of invented syllables that the gazetteer does not know (about 1,000)."""
    from wirewatch.gazetteer import Gazetteer
    gazetteer = Gazetteer.load()
    names = [o + m + c for o in ONSETS for m in MIDDLES for c in CODAS]
    random.Random(seed).shuffle(names)
    return [t for t in names if gazetteer.resolve(t) is None]


Item = collections.namedtuple('Item', 'k kind origin outlet section guid link title body published')


class WireFeed:
    """Generated wire items in publication order (``next_item(when)``), seeded."""

    def __init__(self, seed=5, towns=None):
        self.rng = random.Random(seed)
        self.towns = towns or invented_names()
        self.people = [f'{f} {h}{t}' for f in FIRST_NAMES for h in SURNAME_HEADS for t in SURNAME_TAILS]
        self.k = 0
        self.stories = 0
        self.pending = []        # heap of (due k, tie, kind, original Item)
        self.kinds = list(KIND_WEIGHTS)
        self.weights = [KIND_WEIGHTS[k] for k in self.kinds]
        self.counts = collections.Counter()

    def next_item(self, when):
        """The next item, published at ``when`` (UTC datetime)."""
        k = self.k
        self.k += 1
        if self.pending and self.pending[0][0] <= k:
            _, _, kind, original = heapq.heappop(self.pending)
            item = self.copy_of(k, original, when) if kind == 'copy' else self.reingest_of(k, original)
        else:
            item = self.new_story(k, when)
            if self.rng.random() < COPY_PROBABILITY:
                for _ in range(self.rng.choice(COPY_COUNTS)):
                    self.schedule(k, 'copy', item)
            if self.rng.random() < REINGEST_PROBABILITY:
                self.schedule(k, 'reingest', item)
        self.counts[item.kind] += 1
        return item

    def schedule(self, k, kind, item):
        heapq.heappush(self.pending, (k + self.rng.randint(*COPY_DELAY_ITEMS), self.rng.random(),
                                      kind, item))

    def facts(self, when):
        rng = self.rng
        town, town2 = rng.sample(self.towns, 2)
        country, country2 = rng.sample(COUNTRIES, 2)
        person = rng.choice(self.people)
        group = rng.choice(GROUPS)
        crime = rng.choice(CRIMES)
        a, b = sorted(rng.sample(range(0, 6), 2), reverse=True)
        disease = rng.choice(DISEASES)
        values = dict(
            town=town, Town=town, town2=town2, Town2=town2, country=country,
            Country=country[:1].upper() + country[1:], country2=country2, person=person,
            Last=person.split()[-1], Role=rng.choice(ROLES), group=group,
            Group=group[:1].upper() + group[1:], issue=rng.choice(ISSUES), place=rng.choice(PLACES),
            Crowd=rng.choice(['Hundreds of', 'About 2,000', 'Several hundred', 'Dozens of', 'Thousands of']),
            subject=rng.choice(SUBJECTS), org=rng.choice(ORG_KINDS), club=rng.choice(CLUB_KINDS),
            club2=rng.choice(CLUB_KINDS), a=a, b=b, disease=disease, Disease=disease.capitalize(),
            crime=crime, crime_short=crime.split(' ', 1)[0].replace('taking', 'bribery')
            .replace('embezzling', 'embezzlement').replace('abuse', 'abuse of office')
            .replace('money', 'money laundering'),
            reason=rng.choice(REASONS), weekday=f'{when:%A}',
            weekday2=WEEKDAYS[(when.weekday() + rng.randint(1, 3)) % 7], month=rng.choice(MONTHS),
            killed=rng.randint(2, 60), counted=rng.randint(20, 90), injured=rng.randint(1, 80), arrested=rng.randint(2, 40),
            missing=rng.randint(2, 30), displaced=f'{rng.randint(2, 40) * 100:,}',
            houses=rng.randint(10, 90), rate=f'{rng.randint(20, 140) / 10:.1f}',
            pct=f'{rng.randint(15, 95) / 10:.1f}', years=rng.randint(3, 15),
            amount=rng.randint(2, 90), cases=rng.randint(12, 400), total=f'{rng.randint(500, 9000):,}',
            dead=rng.choice(['Twelve', 'Seven', 'Four', 'Nineteen', 'Thirty']),
            turnout=rng.randint(28, 71), hours=rng.randint(3, 20))
        values['Killed'] = values['killed']
        return values

    def new_story(self, k, when):
        rng = self.rng
        kind = rng.choices(self.kinds, self.weights)[0]
        firsts, seconds, thirds = KINDS[kind]
        f = self.facts(when)
        first, titles = rng.choice(firsts)
        sentences = [first.format(**f)]
        if seconds and rng.random() < 0.8:
            sentences.append(rng.choice(seconds).format(**f))
        if thirds and len(sentences) == 2 and rng.random() < 0.5:
            sentences.append(rng.choice(thirds).format(**f))
        outlet = rng.randrange(len(OUTLETS))
        section = rng.randrange(len(SECTIONS))
        title = rng.choice(titles).format(**f)
        self.stories += 1
        return self.item(k, 'story', k, outlet, section, title, ' '.join(sentences), when,
                         slug_of=title)

    def copy_of(self, k, original, when):
        """Another outlet's version of ``original``: same lead (often trimmed or with a dateline
        of its own), title suffixed, prefixed or kept; its own link and publication time."""
        rng = self.rng
        outlet = rng.choice([o for o in range(len(OUTLETS)) if o != original.outlet])
        name = OUTLETS[outlet][0]
        sentences = original.body.split('. ')
        body = original.body
        if len(sentences) > 1 and rng.random() < 0.4:
            body = '. '.join(sentences[:-1]) + '.'
        if rng.random() < 0.5:
            body = f'({name}) - {body}'
        title = rng.choice([original.title, f'{original.title} - {name}',
                            f'UPDATE 1-{original.title}', original.title.replace(' in ', ' in central ', 1)])
        return self.item(k, 'copy', original.origin, outlet, rng.randrange(len(SECTIONS)), title,
                         body, when, slug_of=original.title)

    def reingest_of(self, k, original):
        """The same article listed again in its outlet's other section feed (same guid and link)."""
        return original._replace(k=k, kind='reingest', section=1 - original.section)

    def item(self, k, kind, origin, outlet, section, title, body, when, slug_of):
        domain = OUTLETS[outlet][1]
        slug = '-'.join(w for w in ''.join(c if c.isalnum() else ' ' for c in slug_of.lower()).split()[:6])
        link = f'https://www.{domain}/news/{when:%Y/%m/%d}/{slug}-{k}'
        return Item(k, kind, origin, outlet, section, f'{domain.split(".")[0]}-{k}', link, title, body,
                    when)


class FeedFiles:
    """One RSS file per outlet and section; each lists its newest items (up to ``FEED_HISTORY``
    older ones besides those added since the last write)."""

    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.items = {(o, s): [] for o in range(len(OUTLETS)) for s in range(len(SECTIONS))}
        self.fresh = collections.Counter()
        self.paths = {key: os.path.join(folder, f'{OUTLETS[key[0]][1].split(".")[0]}-{SECTIONS[key[1]]}.xml')
                      for key in self.items}
        self.fresh.update(self.items.keys())  # every file exists (empty) from the first pass on
        self.write()

    def add(self, item):
        key = (item.outlet, item.section)
        self.items[key].append(item)
        self.fresh[key] += 1

    def write(self):
        """Rewrite the files that got new items (atomically); returns every file's path."""
        for key, count in self.fresh.items():
            kept = self.items[key][-(count + FEED_HISTORY):]
            self.items[key] = kept
            path = self.paths[key]
            with open(path + '.tmp', 'w', encoding='utf-8') as f:
                f.write(rss(OUTLETS[key[0]], SECTIONS[key[1]], kept))
            os.replace(path + '.tmp', path)
        self.fresh.clear()
        return sorted(self.paths.values())


def rss(outlet, section, items):
    name, domain = outlet
    entries = ''.join(
        f'<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>'
        f'<guid isPermaLink="false">{i.guid}</guid>'
        f'<pubDate>{email.utils.format_datetime(i.published, usegmt=True)}</pubDate>'
        f'<description>{escape(i.body)}</description></item>\n' for i in reversed(items))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            f'<title>{escape(name)}: {section}</title><link>https://www.{domain}/{section}/</link>'
            f'<atom:link rel="self" href="https://www.{domain}/{section}/rss.xml"/>\n'
            f'{entries}</channel></rss>\n')


# ------------------------------------------------------------------ watching the stream

class StoryWatch(threading.Thread):
    """Reads the stream's stories/ (and counts events/, deadletter/) files as they appear."""

    def __init__(self, output):
        super().__init__(daemon=True)
        self.folders = {name: os.path.join(output, name) for name in ('stories', 'events', 'deadletter')}
        self.lock = threading.Lock()
        self.urls = set()
        self.records = collections.Counter()
        self.near_duplicates = 0
        self.known = set()
        self.last_new = time.monotonic()
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(SCAN_SECONDS):
            self.scan()

    def scan(self):
        for name, folder in self.folders.items():
            for _, records in new_avro_files(folder, self.known):
                with self.lock:
                    self.records[name] += len(records)
                    if name == 'stories':
                        for record in records:
                            self.urls.add(record.get('url'))
                            self.near_duplicates += bool(record.get('duplicate_of'))
                    if records:
                        self.last_new = time.monotonic()

    def snapshot(self):
        with self.lock:
            return set(self.urls), dict(self.records), self.near_duplicates, self.last_new


def process_tree(pid):
    """RSS (bytes) and CPU seconds of ``pid`` and all its children (psutil), or (None, None)."""
    import psutil
    try:
        root = psutil.Process(pid)
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return None, None
    rss = cpu = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            rss += proc.memory_info().rss
            times = proc.cpu_times()
            cpu += times.user + times.system
    return rss, cpu


Sample = collections.namedtuple('Sample', 't published stories_published stories_out backlog lag_s '
                                          'rss_mb cpu_s')


class Ledger:
    """What was published when, and which published stories the stream has written."""

    def __init__(self):
        self.lock = threading.Lock()
        self.published = 0
        self.story_urls = []     # story links in publication order (re-ingests excluded)
        self.story_times = []    # their publication times (time.time())
        self.stories_by_items = []  # [n]: stories among the first n + 1 items

    def add(self, items, when):
        with self.lock:
            self.published += len(items)
            for item in items:
                if item.kind != 'reingest':
                    self.story_urls.append(item.link)
                    self.story_times.append(when)
                self.stories_by_items.append(len(self.story_urls))

    def stories_among_first(self, n):
        """Stories among the first ``n`` items published (None before they are)."""
        with self.lock:
            return self.stories_by_items[n - 1] if 0 < n <= len(self.stories_by_items) else None

    def measure(self, out_urls, now):
        """(published, stories published, stories out, backlog, lag seconds)."""
        with self.lock:
            published, urls, times = self.published, list(self.story_urls), list(self.story_times)
        out = sum(1 for u in urls if u in out_urls)
        backlog = len(urls) - out
        # the stream has reached the out-th story in publication order: how long ago was it published
        lag = now - times[out] if out < len(urls) else 0.0
        return published, len(urls), out, backlog, max(0.0, lag)


class Sampler(threading.Thread):
    def __init__(self, ledger, watch, pid, every):
        super().__init__(daemon=True)
        self.ledger, self.watch, self.pid, self.every = ledger, watch, pid, every
        self.samples = []
        self.stop = threading.Event()
        self.listeners = []

    def run(self):
        while True:
            self.take()
            if self.stop.wait(self.every):
                break

    def take(self):
        now = time.time()
        urls, _, _, _ = self.watch.snapshot()
        published, stories_published, out, backlog, lag = self.ledger.measure(urls, now)
        rss, cpu = process_tree(self.pid)
        sample = Sample(now, published, stories_published, out, backlog, lag,
                        (rss or 0) / 2 ** 20, cpu or 0.0)
        self.samples.append(sample)
        for listener in self.listeners:
            listener(sample)
        return sample


def slope(points):
    """Least-squares slope of (x, y) points (0 when fewer than two distinct x)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in points) / sxx


# ------------------------------------------------------------------ the stream

# try -> (local-runner fixes of pipeline/direct_runner.py applied in the stream, or None for the
# plain `wirewatch stream` command, which applies all of them; label)
TRIES = collections.OrderedDict([
    ('defaults', (None, '`wirewatch stream` as shipped: all seven local-runner fixes')),
    ('before', (['dofn_specs_cache', 'short_pull'],
                'the two earlier fixes only (1 DoFn specs cached, 2 short pull)')),
    ('+pulls', (['dofn_specs_cache', 'short_pull', 'large_pulls'], 'before + 3 pulls of 100')),
    ('+timers', (['dofn_specs_cache', 'short_pull', 'large_pulls', 'forget_empty_state', 'timer_index'],
                 '+pulls + 4 empty keyed state forgotten + 5 due timers from an index')),
    ('six', (['dofn_specs_cache', 'short_pull', 'large_pulls', 'forget_empty_state', 'timer_index',
              'skip_empty_bundles'], 'fixes 1-6, without 7 (keyed state copied, not deep-copied)')),
])


def stream_child(argv):
    """``--stream-child --fixes A,B -- STREAM ARGS``: run ``wirewatch stream`` in this process
    with only the named fixes of ``wirewatch.pipeline.direct_runner``."""
    parser = argparse.ArgumentParser(prog='stream_throughput.py --stream-child')
    parser.add_argument('--fixes', default='')
    args, rest = parser.parse_known_args(argv)
    rest = rest[1:] if rest[:1] == ['--'] else rest
    from wirewatch.pipeline import direct_runner
    applied = direct_runner.apply([f for f in args.fixes.split(',') if f])
    direct_runner.disable()  # run_stream's own apply() changes nothing more
    print(f'stream child: local-runner fixes {",".join(applied) or "none"}', flush=True)
    from wirewatch.pipeline.cli import main as cli_main
    return cli_main(['stream'] + rest)


class TryStream(Stream):
    """``wirewatch stream`` (``fixes`` None) or this script's stream child with only ``fixes``;
    otherwise as ``stream_latency.Stream`` (own process group, log, CPU, stop)."""

    def __init__(self, name, fixes, address, project, subscription, tmp, flags=()):
        self.name = name
        self.output = os.path.join(tmp, 'out', name)
        self.log_path = os.path.join(tmp, f'stream-{name}.log')
        stream_args = ['--subscription', subscription, '--output', self.output,
                       '--project', project, '--emulator-host', address,
                       '--events-topic', f'bench-{name}-events',
                       '--summaries-topic', f'bench-{name}-summaries',
                       '--deadletter-topic', 'none'] + list(flags)
        if fixes is None:
            command = [sys.executable, '-m', 'wirewatch.pipeline.cli', 'stream'] + stream_args
        else:
            command = [sys.executable, os.path.abspath(__file__), '--stream-child',
                       '--fixes', ','.join(fixes), '--'] + stream_args
        env = dict(os.environ, PUBSUB_EMULATOR_HOST=address, PYTHONUNBUFFERED='1')
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            cwd=tmp, env=env)


# ------------------------------------------------------------------ one run

class Harness:
    """One private emulator, one ``wirewatch stream``, the poller over generated feed files."""

    def __init__(self, tmp, stream_flags=(), sample_seconds=5.0, name=STREAM_NAME, fixes=None):
        self.tmp = tmp
        self.name = name
        self.fixes = fixes
        self.stream_flags = list(stream_flags)
        self.sample_seconds = sample_seconds
        self.state_dir = os.path.join(tmp, 'emulator')
        self.stream = None
        self.sampler = None
        self.watch = None
        self.publisher = None
        self.ledger = Ledger()
        self.feed = None
        self.files = FeedFiles(os.path.join(tmp, 'feeds'))
        self.first_published = self.last_published = None
        self.bench_cpu = 0.0

    def start(self, towns=None):
        from wirewatch.pipeline import emulator, pubsub
        from wirewatch.pipeline.poller import FeedPoller, PollState
        self.project = pubsub.DEFAULT_PROJECT
        topics = [ITEMS_TOPIC, f'bench-{self.name}-events', f'bench-{self.name}-summaries']
        state = emulator.start(host=HOST, port=emulator.free_port(HOST), project=self.project,
                               data_dir=self.state_dir, timeout=90, topics=topics,
                               subscriptions={ITEMS_SUBSCRIPTION: ITEMS_TOPIC}, say=lambda _m: None)
        self.address = state.address
        self.emulator_pid = state.pid
        self.stream = TryStream(self.name, self.fixes, self.address, self.project,
                                ITEMS_SUBSCRIPTION, self.tmp, self.stream_flags)
        self.watch = StoryWatch(self.stream.output)
        self.watch.start()
        self.publisher = pubsub.publisher_client(self.address)
        self.poller = FeedPoller(PollState(os.path.join(self.tmp, 'poll-state.json'), max_ids=POLLER_MAX_IDS),
                                 pubsub.topic_path(self.project, ITEMS_TOPIC), publisher=self.publisher,
                                 say=lambda m: say(f'stream bench: {m}'))
        self.feed = WireFeed(towns=towns)
        return self

    def publish(self, items):
        """Write ``items`` into their feed files and run one poller pass over every file."""
        for item in items:
            self.files.add(item)
        paths = self.files.write()
        summary = self.poller.poll_once(paths)
        when = time.time()
        if summary.published != len(items) or summary.publish_errors or summary.fetch_errors:
            raise RuntimeError(f'poll published {summary.published} of {len(items)} new items '
                               f'({summary.line()})')
        self.ledger.add(items, when)
        return when

    def warm_up(self):
        """One item, until the stream has written its story (model and gazetteer loaded)."""
        item = self.feed.next_item(dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
        started = self.publish([item])
        deadline = time.monotonic() + WARMUP_LIMIT
        while True:
            self.check()
            if item.link in self.watch.snapshot()[0]:
                return time.time() - started
            if time.monotonic() > deadline:
                raise RuntimeError(f'warm-up item not in the stories files after {WARMUP_LIMIT:.0f} s:\n'
                                   f'{self.stream.log_tail()}')
            time.sleep(0.5)

    def check(self):
        if not self.stream.alive():
            raise RuntimeError(f'the stream exited with status {self.stream.process.returncode}:\n'
                               f'{self.stream.log_tail()}')

    def start_sampling(self):
        self.sampler = Sampler(self.ledger, self.watch, self.stream.process.pid, self.sample_seconds)
        self.sampler.start()

    def run_publishing(self, rate, count, poll_seconds, deadline, on_tick=None, hold=None):
        """Publish ``count`` items at ``rate`` items/s in passes every ``poll_seconds`` (the items
        due for the time since the last pass). While ``hold()`` is true no time is credited."""
        cpu_before = time.process_time()
        done = 0
        credit = 0.0
        self.first_published = time.time()
        last = first = time.monotonic()
        tick = 0
        while done < count:
            self.check()
            now_mono = time.monotonic()
            if now_mono > deadline:
                say(f'stream bench: time budget reached after {done} items')
                break
            if hold is None or not hold():
                credit += rate * (now_mono - last) if done else 1.0
            last = now_mono
            due = min(count - done, int(credit))
            if due > 0:
                credit -= due
                now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
                items = [self.feed.next_item(now) for _ in range(due)]
                self.last_published = self.publish(items)
                done += due
            if on_tick:
                on_tick(done)
            tick += 1
            delay = first + tick * poll_seconds - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self.bench_cpu = time.process_time() - cpu_before
        return done

    def drain(self, deadline):
        """Wait until every published story is written, or nothing new comes out for a while."""
        while time.monotonic() < deadline:
            self.check()
            sample = self.sampler.take()
            if sample.backlog == 0:
                return True
            if time.monotonic() - self.watch.snapshot()[3] > DRAIN_IDLE_SECONDS:
                return False
            time.sleep(self.sample_seconds)
        return False

    def close(self):
        from wirewatch.pipeline import emulator, pubsub
        if self.sampler:
            self.sampler.stop.set()
        if self.watch:
            self.watch.stop.set()
        if self.stream:
            self.stream.stop()
        if self.publisher:
            with contextlib.suppress(Exception):
                pubsub.close_publisher(self.publisher)
        with contextlib.suppress(Exception):
            emulator.stop(self.state_dir, say=lambda _m: None)


def profile_stream(pid, seconds, out_path):
    """py-spy record (raw, non-blocking) of ``pid`` for ``seconds`` in a background thread."""
    py_spy = shutil.which('py-spy') or os.path.join(os.path.dirname(sys.executable), 'py-spy')
    if not os.path.exists(py_spy):
        say('stream bench: py-spy not found; no profile')
        return None
    command = [py_spy, 'record', '--pid', str(pid), '--format', 'raw', '--duration', str(int(seconds)),
               '--rate', '50', '--nonblocking', '--output', out_path]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profile_lines(raw_path, top=14):
    """Top entries of a py-spy raw (collapsed stacks) profile: share of samples in which a
    function is on the stack (inclusive) and at the top of it (self)."""
    inclusive, own = collections.Counter(), collections.Counter()
    total = 0
    with open(raw_path, encoding='utf-8', errors='replace') as f:
        for line in f:
            stack, _, count = line.rstrip('\n').rpartition(' ')
            if not stack or not count.isdigit():
                continue
            n = int(count)
            frames = [short_frame(fr) for fr in stack.split(';')]
            frames = [fr for fr in frames if fr]
            if not frames:
                continue
            total += n
            for frame in set(frames):
                inclusive[frame] += n
            own[frames[-1]] += n
    if not total:
        return ['(no samples)']
    lines = [f'{total} samples; inclusive share (self share), functions of the stream process:']
    for frame, n in inclusive.most_common(top + 6)[:top + 6]:
        if frame.endswith('(threading.py)') or frame.startswith('<module>'):
            continue
        lines.append(f'  {100 * n / total:5.1f} % ({100 * own[frame] / total:4.1f} %)  {frame}')
        if len(lines) > top:
            break
    lines.append('  top self: ' + '; '.join(f'{frame} {100 * n / total:.1f} %'
                                           for frame, n in own.most_common(6)))
    return lines


def short_frame(frame):
    """'process (wirewatch/transforms/cluster/__init__.py:123)' -> 'process (cluster/__init__.py)'."""
    frame = frame.strip()
    if frame.startswith(('process ', 'thread ')) and '(' not in frame:
        return None
    name, _, where = frame.partition(' (')
    where = where.rstrip(')')
    path = where.rsplit(':', 1)[0]
    parts = path.split('/')
    short = '/'.join(parts[-2:]) if len(parts) > 1 else path
    return f'{name} ({short})' if where else name


def summarise_rate(rate, samples, published, first_published, last_published, last_out_time,
                   stories_out, stories_published, drained, cpu_used, feed_counts):
    """Figures of one run from its samples."""
    span = last_published - first_published if last_published and first_published else 0.0
    achieved = published / span if span > 0 else float('nan')
    during = [s for s in samples if first_published <= s.t <= last_published]
    half = [s for s in during if s.t >= first_published + span / 2]
    story_share = stories_published / published if published else 1.0
    sustained = float('nan')
    if len(half) >= 2 and half[-1].t > half[0].t:
        sustained = (half[-1].stories_out - half[0].stories_out) / (half[-1].t - half[0].t) / story_share
    backlog_slope = slope([(s.t, s.backlog / story_share) for s in half])
    lag_slope = slope([(s.t, s.lag_s) for s in half])
    end_to_end = published / (last_out_time - first_published) if drained and last_out_time else float('nan')
    processed = stories_out / story_share if story_share else 0
    wall = samples[-1].t - first_published if samples else float('nan')
    cpu_ms = 1000 * cpu_used / processed if processed else float('nan')
    return {
        'offered': rate, 'published': published, 'achieved': achieved, 'sustained': sustained,
        'end_to_end': end_to_end, 'backlog_slope': backlog_slope, 'lag_slope': lag_slope,
        'grows': backlog_slope > GROWTH_TOLERANCE * rate,
        'backlog_end': during[-1].backlog / story_share if during else float('nan'),
        'lag_end': during[-1].lag_s if during else float('nan'),
        'max_lag': max((s.lag_s for s in during), default=float('nan')),
        'drained': drained, 'drain_seconds': (last_out_time - last_published) if last_out_time else None,
        'stories_out': stories_out, 'stories_published': stories_published,
        'cpu_seconds': cpu_used, 'cpu_ms_per_item': cpu_ms,
        'cpu_share': cpu_used / wall if wall and wall > 0 else float('nan'),
        'capacity': 1000 / cpu_ms if cpu_ms and cpu_ms == cpu_ms else float('nan'),
        'rss_mb_end': samples[-1].rss_mb if samples else None, 'feed_counts': dict(feed_counts),
    }


def run_once(args, try_name, rate, items, towns, deadline, profile_path=None, progress_every=30.0):
    """One run: a fresh emulator and stream (``try_name``) fed ``items`` at ``rate`` items/s;
    returns (figures, samples, profile lines)."""
    tmp = tempfile.mkdtemp(prefix='wirewatch-stream-throughput-')
    harness = Harness(tmp, sample_seconds=args.sample_seconds, fixes=TRIES[try_name][0])
    profile = None
    label = f'{try_name} at {rate:g}/s'
    try:
        harness.start(towns)
        say(f'stream throughput: {label}: emulator on {harness.address}; waiting for the warm-up '
            'item in the stories files')
        warm = harness.warm_up()
        say(f'stream throughput: {label}: warm-up story written after {warm:.0f} s; publishing '
            f'{items} items')
        harness.start_sampling()
        load_before = os.getloadavg()
        _, cpu_before = process_tree(harness.stream.process.pid)
        next_report = [time.monotonic() + progress_every]

        def on_tick(done):
            nonlocal profile
            if profile_path and profile is None and done >= items // 2:
                profile = profile_stream(harness.stream.process.pid, args.profile_seconds, profile_path)
            if time.monotonic() >= next_report[0] and harness.sampler.samples:
                next_report[0] += progress_every
                s = harness.sampler.samples[-1]
                say(f'stream throughput: {label}: published {done}, stories out {s.stories_out}/'
                    f'{s.stories_published}, lag {s.lag_s:.0f} s, RSS {s.rss_mb:.0f} MB')

        run_deadline = min(deadline, time.monotonic() + args.run_minutes * 60)
        published = harness.run_publishing(rate, items, args.poll_seconds, run_deadline, on_tick)
        say(f'stream throughput: {label}: {published} items published in '
            f'{harness.last_published - harness.first_published:.0f} s; waiting for the tail')
        drained = harness.drain(min(deadline, time.monotonic() + args.tail_minutes * 60))
        _, cpu_after = process_tree(harness.stream.process.pid)
        load_after = os.getloadavg()
        harness.sampler.stop.set()
        harness.sampler.join(5)
        samples = harness.sampler.samples
        _, records, near, last_new = harness.watch.snapshot()
        last_out_time = time.time() - (time.monotonic() - last_new) if drained else None
        figures = summarise_rate(rate, samples, published, harness.first_published,
                                 harness.last_published, last_out_time, samples[-1].stories_out,
                                 samples[-1].stories_published, drained,
                                 (cpu_after or 0) - (cpu_before or 0), harness.feed.counts)
        figures.update(try_name=try_name, items=items, load_before=load_before,
                       load_after=load_after, records=records, near_duplicates=near,
                       bench_cpu=harness.bench_cpu, warm_up=warm)
        plines = []
        if profile is not None:
            profile.wait(timeout=args.profile_seconds + 60)
            if os.path.exists(profile_path):
                plines = profile_lines(profile_path)
        return figures, samples, plines
    finally:
        if profile is not None and profile.poll() is None:
            profile.terminate()
        harness.close()
        if args.keep:
            with contextlib.suppress(OSError):
                shutil.copytree(tmp, os.path.join(args.keep, f'{try_name}-{rate:g}'), dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns('emulator', 'feeds'))
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------ the report

def mix_line(counts):
    total = sum(counts.values()) or 1
    return (f'{counts.get("story", 0):,} unique stories ({100 * counts.get("story", 0) / total:.0f} %), '
            f'{counts.get("copy", 0):,} syndicated copies ({100 * counts.get("copy", 0) / total:.0f} %), '
            f'{counts.get("reingest", 0):,} re-ingests ({100 * counts.get("reingest", 0) / total:.0f} %)')


def fmt(value, spec='.1f'):
    return 'n/a' if value is None or value != value else format(value, spec)


def table_lines(results, with_try):
    pad = 10 if with_try else 0
    head = ('  ' + ('try'.ljust(pad) if with_try else '') + 'items   offered  published  sustained*  end-to-end**  '
            'backlog slope   lag slope  lag at end  CPU      one core***  CPU share  load avg')
    unit = ('  ' + ''.ljust(pad) + '        items/s  items/s    items/s     items/s       '
            'items/s         s/s        s           ms/item  items/s      of a core  start-end')
    lines = [head, unit]
    for r in results:
        grows = 'GROWS' if r['grows'] else 'flat'
        e2e = fmt(r['end_to_end']) if r['drained'] else 'not drained'
        lines.append(
            '  ' + (r['try_name'].ljust(pad) if with_try else '') +
            f'{r["items"]:<7,} {r["offered"]:<7g}  {fmt(r["achieved"]):<9}  {fmt(r["sustained"]):<10}  '
            f'{e2e:<12}  {r["backlog_slope"]:+7.2f} {grows:<5}   {r["lag_slope"]:+6.2f}     '
            f'{fmt(r["lag_end"], ".0f"):<10}  {fmt(r["cpu_ms_per_item"]):<7}  {fmt(r["capacity"], ".0f"):<11}  '
            f'{fmt(r["cpu_share"], ".2f"):<9}  {r["load_before"][0]:.1f}-{r["load_after"][0]:.1f}')
    return lines


def detail_line(r):
    return (f'  {r["try_name"]} at {r["offered"]:g}/s: {r["stories_out"]:,}/{r["stories_published"]:,} stories '
            f'written ({r["near_duplicates"]:,} marked near-duplicates), {r["records"].get("events", 0):,} events, '
            f'{r["records"].get("deadletter", 0):,} dead letters; tail '
            + (f'drained {r["drain_seconds"]:.0f} s after the last publish' if r['drained'] else 'NOT drained')
            + f'; max lag {r["max_lag"]:.0f} s; stream CPU {r["cpu_seconds"]:.0f} s, RSS at end '
            f'{fmt(r["rss_mb_end"], ".0f")} MB; bench (poller) CPU {r["bench_cpu"]:.0f} s')


def report_lines(args, compared, results, profile):
    lines = ['Sustained streaming throughput on the local Pub/Sub emulator (BundleBasedDirectRunner, Beam 2.77,',
             f'{os.cpu_count()} cores): generated items published by the poller\'s own code (FeedPoller.poll_once',
             f'every {args.poll_seconds:g} s over 12 local RSS files) at a fixed offered rate to one `wirewatch stream`,',
             'counted as they reach its stories files; a fresh emulator and stream per row.']
    first = (compared or results)[0] if (compared or results) else None
    if first:
        lines.append('Items: ' + mix_line(first['feed_counts']) + ' (first run);')
        lines.append('invented towns, people and outlets; a title and a 1-3 sentence lead (13-55 words).')
    if compared:
        lines.append(f'Local-runner fixes before/after (pipeline/direct_runner.py), {compared[0]["items"]:,} items '
                     f'each, one after the other:')
        for r in compared:
            lines.append(f'  {r["try_name"]}: {TRIES[r["try_name"]][1]}')
        lines += table_lines(compared, with_try=True)
    if results:
        lines.append(f'`wirewatch stream` as shipped, {args.items:,} items per offered rate:')
        lines += table_lines(results, with_try=False)
    lines += ['  * stories written per second over the second half of publishing, divided by the share of items',
              '    that are stories (re-ingests are dropped as exact duplicates and write nothing).',
              '  ** all items over the time from the first publish to the last story written (after the tail).',
              '  *** 1000 / (stream CPU ms per item processed): the rate the stream sustains with one core to itself',
              '  (the DirectRunner works on one thread); CPU share: its CPU seconds over the run\'s wall time.',
              '  backlog: stories published and not yet written, in items; it GROWS when its slope over the second',
              f'  half exceeds {100 * GROWTH_TOLERANCE:g} % of the offered rate. lag: seconds since the story the stream has '
              'reached was published.']
    lines += [detail_line(r) for r in compared + results]
    at_goal = [r for r in results if r['offered'] >= GOAL_RATE]
    if at_goal:
        r = min(at_goal, key=lambda r: r['offered'])
        met = (r['sustained'] >= (1 - GROWTH_TOLERANCE) * GOAL_RATE and not r['grows'])
        lines.append(f'Goal >= {GOAL_RATE:g} items/s with no growing backlog: {"met" if met else "NOT met"} '
                     f'(at {r["offered"]:g}/s offered: sustained {fmt(r["sustained"])} items/s, backlog '
                     f'{"grows" if r["grows"] else "flat"}).')
    growing = [r['sustained'] for r in results if r['grows']]
    if growing:
        lines.append(f'Ceiling (sustained rate where the backlog grows): about {max(growing):.0f} items/s.')
    if profile:
        lines += ['Profile of the stream (py-spy, from the middle of the first run of the table above):'] + \
                 ['  ' + p for p in profile]
    return lines


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--items', type=int, default=10000, help='items per offered rate (default 10000)')
    parser.add_argument('--rates', default='50,100',
                        help='offered rates in items/s, comma-separated, run in turn (default 50,100)')
    parser.add_argument('--compare', default='before,+pulls,+timers,defaults',
                        help=f'tries compared first, at the first rate, of {", ".join(TRIES)} '
                             '(default before,+pulls,+timers,defaults; "" to skip)')
    parser.add_argument('--compare-items', type=int, default=1500,
                        help='items per compared try (default 1500)')
    parser.add_argument('--poll-seconds', type=float, default=1.0,
                        help='seconds between two poller passes (default 1)')
    parser.add_argument('--sample-seconds', type=float, default=5.0,
                        help='seconds between two samples of counts, lag and RSS (default 5)')
    parser.add_argument('--profile-seconds', type=float, default=0.0,
                        help='record a py-spy profile of the stream this long, from the middle of the '
                             'first run at the first rate')
    parser.add_argument('--run-minutes', type=float, default=20.0,
                        help='bound on one run\'s publishing, in minutes (default 20)')
    parser.add_argument('--tail-minutes', type=float, default=10.0,
                        help='bound on the wait for one run\'s tail, in minutes (default 10)')
    parser.add_argument('--max-minutes', type=float, default=90.0,
                        help='bound on the whole run, in minutes (default 90)')
    parser.add_argument('--json', help='also write the figures and samples to this JSON file')
    parser.add_argument('--keep', help="copy the streams' logs and outputs to this folder")
    parser.add_argument('--no-write', action='store_true', help='do not touch BENCHMARKS.md')
    args = parser.parse_args(argv)
    try:
        args.rates = [float(r) for r in args.rates.split(',') if r.strip()]
    except ValueError:
        parser.error('--rates takes numbers, e.g. 50,100')
    args.compare = [t.strip() for t in args.compare.split(',') if t.strip()]
    unknown = [t for t in args.compare if t not in TRIES]
    if unknown:
        parser.error(f'unknown tries {unknown}; choose from {", ".join(TRIES)}')
    if args.items < 0 or not args.rates or min(args.rates) <= 0:
        parser.error('--items and --rates must be positive')
    return args


OUTPUT_ONLY = ('--json', '--keep', '--no-write')


def command_line(argv, command=COMMAND):
    """The command as BENCHMARKS.md shows it: without the options that only say where files go."""
    shown, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in OUTPUT_ONLY:
            skip = arg != '--no-write'
        elif not arg.startswith(tuple(o + '=' for o in OUTPUT_ONLY)):
            shown.append(arg)
    return ' '.join([command] + shown)


def emulator_missing():
    from wirewatch.pipeline import emulator
    try:
        emulator.find_java()
        emulator.find_emulator()
    except emulator.EmulatorError as error:
        return str(error)
    return None


def interrupt_on_signals():
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f'signal {signum}')
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ['--stream-child']:
        return stream_child(argv[1:])
    args = parse_args(argv)
    missing = emulator_missing()
    if missing:
        print(f'stream throughput: skipped: {missing}')
        return 0
    interrupt_on_signals()
    started = time.monotonic()
    deadline = started + args.max_minutes * 60
    towns = invented_names()
    runs = [('compare', t, args.rates[0], args.compare_items) for t in args.compare if args.compare_items]
    runs += [('rates', 'defaults', rate, args.items) for rate in args.rates if args.items]
    compared, results, samples, profile = [], [], {}, []
    profile_path = None
    if args.profile_seconds > 0:
        profile_path = os.path.join(args.keep or tempfile.gettempdir(),
                                    f'stream-throughput-profile-{os.getpid()}.txt')
        os.makedirs(os.path.dirname(profile_path), exist_ok=True)
    for group, try_name, rate, items in runs:
        if time.monotonic() > deadline:
            say(f'stream throughput: time budget spent; {try_name} at {rate:g}/s not run')
            continue
        profiled = profile_path if (group == 'rates' and not results and profile_path) else None
        figures, run_samples, plines = run_once(args, try_name, rate, items, towns, deadline, profiled)
        (compared if group == 'compare' else results).append(figures)
        samples[f'{group}:{try_name}:{rate:g}'] = run_samples
        profile = profile or plines
    lines = report_lines(args, compared, results, profile)
    print('\n'.join(lines))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump({'compared': compared, 'results': results,
                       'samples': {k: [s._asdict() for s in v] for k, v in samples.items()}},
                      f, indent=1, default=str)
    if not args.no_write:
        write_benchmarks_section(SECTION, lines, command_line(argv))
    say(f'stream throughput: done after {time.monotonic() - started:.0f} s')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt as interrupt:
        say(f'stream throughput: interrupted ({interrupt or "Ctrl-C"})')
        sys.exit(130)
