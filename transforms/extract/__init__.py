"""Extract stage: spaCy parse -> PLOVER events (see extractor.py for the pure core).

``ExtractEvents`` is the Beam composite; ``EventExtractor`` is the plain-Python core;
``Gazetteer`` the one gazetteer; ``resolve_event_date`` the date rules.
"""
from wirewatch.transforms.extract.beam_transform import ExtractEvents, ExtractEventsFn
from wirewatch.transforms.extract.dates import resolve_event_date
from wirewatch.transforms.extract.extractor import EventExtractor
from wirewatch.transforms.extract.gazetteer import Gazetteer

__all__ = ['ExtractEvents', 'ExtractEventsFn', 'EventExtractor', 'Gazetteer', 'resolve_event_date']
