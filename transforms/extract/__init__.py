"""Extract stage: spaCy parse -> PLOVER events (see extractor.py for the pure core).

What a consumer can rely on: every Event record is a current event that its story
asserts happened. The spaCy pipeline (nlp.py) adds five components after the model's
NER, each reading a versioned data file: ``wirewatch_gazetteer`` (places, demonyms),
``wirewatch_triggers`` (candidates, data/triggers.json), ``wirewatch_sense`` (word
sense, data/senses.json), ``wirewatch_factuality`` (asserted or negated, denied,
claimed, hypothetical, conditional, future, ordered, only mentioned;
data/factuality.json) and ``wirewatch_time`` (current or background;
data/temporal.json). Background mentions are dropped, not flagged: no summary can
count a recap. ``doc._.triggers`` keeps every candidate with the reason it was not
coded, for audit.

``ExtractEvents`` is the Beam composite; ``EventExtractor`` is the plain-Python core
(coding, actors, place, date, tolls, salience and merging across the story);
``Gazetteer`` the one gazetteer; ``resolve_event_date`` the date rules.
"""
from wirewatch.transforms.extract.beam_transform import ExtractEvents, ExtractEventsFn
from wirewatch.transforms.extract.dates import resolve_event_date
from wirewatch.transforms.extract.extractor import EventExtractor
from wirewatch.gazetteer import Gazetteer

__all__ = ['ExtractEvents', 'ExtractEventsFn', 'EventExtractor', 'Gazetteer', 'resolve_event_date']
