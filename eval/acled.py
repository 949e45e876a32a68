"""Places, types and tolls against ACLED's coded events (``labels/acled-dev``).

Evaluation only: the notes are read from the corpus at run time, scored and
forgotten; nothing from them is kept, shipped or learned from.

Each ACLED row's ``notes`` (a reporter's summary of one event) is coded as a story
published on the event's date. Scores, per row:
- country: the most confident event's country, else the note's main country
  (the article-level fallback), against ACLED's country (ISO-3 via the gazetteer);
- admin1: the same event's admin1 name against ACLED's admin1 (accents, case,
  bracketed codes and kind words such as 'Region' set aside; only rows where wirewatch
  gives an admin1);
- location within 50 km: the event's coordinates against ACLED's;
- event type: ACLED's type mapped to PLOVER (Riots/Protests -> PROTEST; battles,
  remote violence and violence against civilians -> ASSAULT; strategic developments
  are skipped) against the types coded;
- deaths exact: the largest killed figure among the events against ACLED's
  fatalities, over rows whose note states deaths (fatalities > 0);
- false deaths: rows where ACLED records no fatality but an event carries a death toll
  (a toll's precision: a recalled killing or a protest's cause counted as new deaths).
"""
import csv
import datetime
import hashlib
import math
import os
import re

ACLED_DIR = os.path.join('labels', 'acled-dev')
FILES = ('acled_africa_2016-07_sample.csv', 'acled_asia_2015.csv')
TYPE_MAP = {'riots/protests': 'PROTEST', 'remote violence': 'ASSAULT', 'violence against civilians': 'ASSAULT'}
NEAR_KM = 50.0


def acled_type(value):
    value = (value or '').strip().lower()
    if value.startswith('battle'):
        return 'ASSAULT'
    return TYPE_MAP.get(value)


def read_rows(corpus, limit_per_file=500):
    """Rows of both files as dicts with lower-case keys; the larger file is sampled by a
    stable hash of its event id so that every run reads the same rows."""
    rows = []
    for name in FILES:
        path = os.path.join(corpus, ACLED_DIR, name)
        with open(path, encoding='utf-8', errors='replace') as f:
            found = [{k.lower(): v for k, v in row.items() if k} for row in csv.DictReader(f)]
        found.sort(key=lambda r: hashlib.sha1((r.get('event_id_cnty') or '').encode()).hexdigest())
        rows.extend(found[:limit_per_file])
    return rows


def _date(value):
    for fmt in ('%Y-%m-%d', '%d-%B-%Y'):
        try:
            return datetime.datetime.strptime(value.strip(), fmt).replace(hour=12, tzinfo=datetime.timezone.utc)
        except (ValueError, AttributeError):
            continue
    return datetime.datetime(2016, 1, 1, tzinfo=datetime.timezone.utc)


def row_story(row, index):
    return {'story_id': f'acled-{index}', 'cluster_id': f'acled-{index}', 'title': '',
            'text': ' '.join((row.get('notes') or '').split()), 'published_at': _date(row.get('event_date', '')),
            'dateline_place': None, 'dateline_date': None, 'url': None, 'source_name': row.get('source'),
            'language': 'en'}


_ADMIN_WORDS = re.compile(r'\((.*?)\)|\b(region|province|state|governorate|division|district|county|'
                          r'prefecture|department|oblast|territory|qalasy|city)\b')


def same_admin1(ours, theirs):
    """Admin1 names agree once case, accents, bracketed codes and kind words are set
    aside ('Eastern Visayas (Region VIII)' = 'Eastern Visayas', 'Almaty Qalasy' = 'Almaty'),
    or when they are two transliterations of one name: the same consonants in the same
    order ('Madanin' = 'Medenine', 'Oromiya' = 'Oromia', 'Bahr al Ghazal' = 'Bahr el Ghazal').
    A translated name ('Lower Shabeelle' / 'Shabeellaha Hoose') or another division
    ('NCT' / 'Delhi') still counts as wrong."""
    from wirewatch.gazetteer import fold
    a, b = (' '.join(_ADMIN_WORDS.sub(' ', fold(x)).split()) for x in (ours, theirs or ''))
    if not a or not b:
        return False
    if a == b or a in b or b in a:
        return True
    sa, sb = _skeleton(a), _skeleton(b)
    return len(sa) >= 2 and sa == sb


def _skeleton(name):
    """The consonants of a name, doubled letters once ('banghazi' -> 'bngz')."""
    letters = re.sub(r'[^a-z]|[aeiouyhw]', '', name)
    return re.sub(r'(.)\1+', r'\1', letters)


def km(lat1, lon1, lat2, lon2):
    p = math.pi / 180
    a = 0.5 - math.cos((lat2 - lat1) * p) / 2 + math.cos(lat1 * p) * math.cos(lat2 * p) * (1 - math.cos((lon2 - lon1) * p)) / 2
    return 12742 * math.asin(math.sqrt(a))


def score_rows(rows, coded, gazetteer):
    """Figures over rows and [(events, main country)] in the same order."""
    from wirewatch.gazetteer import fold
    n = {k: 0 for k in ('rows', 'country_right', 'country_given', 'with_event', 'admin1_given', 'admin1_right', 'located',
                        'near', 'typed', 'type_right', 'deaths_stated', 'deaths_exact', 'deaths_coded',
                        'deathless', 'deaths_false')}
    for row, (events, main_country) in zip(rows, coded):
        n['rows'] += 1
        place = gazetteer.resolve(row.get('country', ''))
        truth = place.iso3 if place else None
        top = max(events, key=lambda e: e['confidence']) if events else None
        predicted = top['country'] if top else main_country
        n['country_right'] += predicted is not None and predicted == truth
        n['country_given'] += predicted is not None
        if top is not None:
            n['with_event'] += 1
            location = top['location'] or {}
            if location.get('admin1'):
                n['admin1_given'] += 1
                n['admin1_right'] += same_admin1(location['admin1'], row.get('admin1', ''))
            if location.get('lat') is not None:
                n['located'] += 1
                try:
                    n['near'] += km(location['lat'], location['lon'], float(row['latitude']),
                                    float(row['longitude'])) <= NEAR_KM
                except (KeyError, ValueError):
                    pass
        kind = acled_type(row.get('event_type'))
        if kind:
            n['typed'] += 1
            n['type_right'] += any(e['event_type'] == kind for e in events)
        try:
            deaths = int(row.get('fatalities') or 0)
        except ValueError:
            deaths = 0
        if deaths == 0:
            n['deathless'] += 1
            n['deaths_false'] += any(e['killed'] for e in events)
        if deaths > 0:
            n['deaths_stated'] += 1
            killed = [e['killed'] for e in events if e['killed'] is not None]
            n['deaths_coded'] += bool(killed)
            n['deaths_exact'] += bool(killed) and max(killed) == deaths

    def share(a, b):
        return n[a] / n[b] if n[b] else None
    return {'counts': n, 'country': share('country_right', 'rows'),
            'country_when_given': share('country_right', 'country_given'),
            'admin1': share('admin1_right', 'admin1_given'), 'admin1_coverage': share('admin1_given', 'with_event'),
            'within_50km': share('near', 'located'), 'located_share': share('located', 'with_event'),
            'event_type': share('type_right', 'typed'), 'deaths_exact': share('deaths_exact', 'deaths_stated'),
            'deaths_exact_when_coded': share('deaths_exact', 'deaths_coded'),
            'deaths_false': share('deaths_false', 'deathless')}


def code_rows(extractor, rows):
    """[(events, main country)] for each row's note."""
    from wirewatch.transforms.extract.extractor import ArticleContext
    stories = [row_story(row, i) for i, row in enumerate(rows)]
    out = []
    made = (extractor.make_doc(s) for s in stories)
    for doc, (story, title_chars) in extractor.nlp.pipe(((d, (s, t)) for d, s, t in made), as_tuples=True,
                                                        batch_size=extractor.batch_size):
        context = ArticleContext(doc, story, extractor.gazetteer, title_chars)
        out.append((extractor.events_from_doc(story, doc, title_chars, context), context.main_country))
    return out
