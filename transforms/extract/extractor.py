"""EventExtractor: Story dicts in, PLOVER Event dicts out (pure Python, no Beam).

Per sentence: find triggers, drop negated ones, find actors, counts, location and
date, then merge same-type events whose actors agree (see :func:`merge_events`).
"""
import collections
import datetime
import hashlib

from wirewatch.transforms.extract.actors import ActorCoder
from wirewatch.transforms.extract.counts import CATEGORIES, find_counts
from wirewatch.transforms.extract.dates import resolve_event_date
from wirewatch.transforms.extract.gazetteer import Gazetteer
from wirewatch.transforms.extract.lexicon import load_data
from wirewatch.transforms.extract.triggers import TriggerLexicon, find_arguments, grammar, polarity

PLACE_LABELS = ('GPE', 'LOC', 'FAC')
MAX_TEXT_CHARS = 100_000
MAX_SENTENCE_CHARS = 2_000
ACTOR_BONUS = 0.05
COUNT_BONUS = 0.05
MAX_CONFIDENCE = 0.99


class ArticleContext:
    """What the whole article says about places: mention counts, main country, dateline."""

    def __init__(self, doc, story, gazetteer):
        counts = collections.Counter()
        for ent in doc.ents:
            iso3 = _entity_country(ent, gazetteer)
            if iso3:
                counts[iso3] += 1
        self.countries = tuple(counts)
        self.dateline_place = None
        dateline = (story.get('dateline_place') or '').split('/')[0].strip()
        if dateline:
            self.dateline_place = gazetteer.resolve(dateline, self.countries)
        if self.dateline_place:
            counts[self.dateline_place.iso3] += 1  # breaks ties towards the dateline
        self.main_country = counts.most_common(1)[0][0] if counts else None


def _entity_country(ent, gazetteer, context=()):
    if ent.label_ == 'NORP':
        return gazetteer.demonym_country(ent.text)
    if ent.label_ in PLACE_LABELS:
        place = gazetteer.resolve(ent.text, context)
        return place.iso3 if place else None
    return None


class EventExtractor:
    """Extracts PLOVER events from stories with one spaCy pipeline (loaded once per process)."""

    def __init__(self, nlp=None, gazetteer=None, batch_size=16):
        if nlp is None:
            from wirewatch.transforms.extract.nlp import load_nlp
            nlp = load_nlp()
        self.nlp = nlp
        self.gazetteer = gazetteer or Gazetteer.load()
        self.triggers = TriggerLexicon.load()
        self.actors = ActorCoder(self.gazetteer)
        self.batch_size = batch_size
        counts = load_data('counts')
        self._preferred = counts['preferred_event_types']
        self._exclusive = counts['exclusive_event_types']
        self._locative = frozenset(load_data('grammar')['locative_prepositions'])

    def extract(self, stories):
        """One list of Event dicts per story, in input order (stories parsed in batches)."""
        pairs = ((_story_text(story), story) for story in stories)
        for doc, story in self.nlp.pipe(pairs, as_tuples=True, batch_size=self.batch_size):
            yield self.events_from_doc(story, doc)

    def events_from_doc(self, story, doc):
        """Events of one parsed story."""
        story = dict(story, published_at=as_utc_datetime(story['published_at']))
        context = ArticleContext(doc, story, self.gazetteer)
        events = []
        for sentence_index, sent in enumerate(doc.sents):
            candidates = []
            for match in self.triggers.find(sent):
                event = self._code(story, sent, sentence_index, match, context)
                if event is not None:
                    candidates.append(event)
            if candidates:
                self._assign_counts(sent, candidates)
                events.extend(merge_events(candidates))
        return [_public(e) for e in events]

    # --- one trigger -------------------------------------------------------------
    def _code(self, story, sent, sentence_index, match, context):
        factor = polarity(match)
        if factor is None:
            return None
        entry = match.entry
        actor1_token, actor2_token = find_arguments(match, self.triggers)
        if entry['event_type'] == 'ASSAULT' and caused_by_hazard(match.token, actor1_token):
            return None
        actor1 = self._actor(actor1_token, context)
        actor2 = self._actor(actor2_token, context)
        if actor1 and actor2 and actor1['name'] == actor2['name']:
            actor2 = None
        actor_tokens = {t.i for tok in (actor1_token, actor2_token) if tok is not None
                        for t in tok.subtree}
        target_place = None
        if entry['quad_class'] == 4 and actor2_token is not None and actor2_token.ent_type_ in PLACE_LABELS:
            entity = next((e for e in sent.ents if e.start <= actor2_token.i < e.end), None)
            target_place = self.gazetteer.resolve(entity.text, context.countries) if entity is not None else None
        place = self._place(sent, match, actor_tokens, context, target_place)
        event_date, precision = resolve_event_date(sent, story['published_at'], story.get('dateline_date'),
                                                   anchor=match.token)
        confidence = entry['confidence'] * factor + (ACTOR_BONUS if actor1 else 0.0)
        token_in_sentence = match.token.i - sent.start
        return {
            'event_id': _event_id(story['story_id'], sentence_index, token_in_sentence),
            'story_id': story['story_id'],
            'cluster_id': story.get('cluster_id') or story['story_id'],
            'event_type': entry['event_type'],
            'mode': entry.get('mode'),
            'quad_class': entry['quad_class'],
            'cameo_root': entry['cameo_root'],
            'cameo_code': entry['cameo_code'],
            'actor1': actor1,
            'actor2': actor2,
            'country': place.iso3 if place else None,
            'location': place.as_location() if place else None,
            'event_date': event_date,
            'date_precision': precision,
            'killed': None, 'injured': None, 'arrested': None, 'crowd_size': None,
            'sentence': sent.text.strip()[:MAX_SENTENCE_CHARS],
            'trigger': match.text,
            'confidence': confidence,
            'published_at': story['published_at'],
            'source_url': story.get('url'),
            'source_name': story.get('source_name'),
            '_token': match.token.i,
            '_tokens': {t.i for t in match.tokens},
        }

    def _actor(self, token, context):
        if token is None:
            return None
        return self.actors.code(token, context.main_country, context.countries)

    def _place(self, sent, match, actor_tokens, context, target_place=None):
        """In-sentence place ('in Kazakhstan' first), else an attacked place ('strikes on Iran'),
        else the dateline, else the main country."""
        located, attached = [], []
        for ent in sent.ents:
            if ent.label_ not in PLACE_LABELS or any(t.i in actor_tokens for t in ent):
                continue
            place = self.gazetteer.resolve(ent.text, context.countries)
            if place is None:
                continue
            root = ent.root
            distance = abs(root.i - match.token.i)
            if root.dep_ == 'pobj' and root.head.lower_ in self._locative:
                located.append((distance, place))
            elif root.head.i == match.token.i and root.dep_ in ('compound', 'amod', 'nmod', 'poss'):
                attached.append((distance, place))
        for options in (located, attached):
            if options:
                return min(options, key=lambda pair: pair[0])[1]
        if target_place is not None:
            return target_place
        if context.dateline_place:
            return context.dateline_place
        if context.main_country:
            return self.gazetteer.country(context.main_country)
        return None

    # --- counts ----------------------------------------------------------------------
    def _assign_counts(self, sent, events):
        is_demonym = lambda t: t.ent_type_ == 'NORP' and t.tag_ in ('NNS', 'NNPS')  # noqa: E731
        for mention in find_counts(sent, is_demonym):
            target = next((e for e in events if mention.cue in e['_tokens']), None)
            if target is None:
                target = self._nearest_event(events, mention)
            if target is None:
                continue
            previous = target[mention.category]
            target[mention.category] = mention.value if previous is None else previous + mention.value
            target['confidence'] += COUNT_BONUS if previous is None else 0.0

    def _nearest_event(self, events, mention):
        by_distance = sorted(events, key=lambda e: abs(e['_token'] - mention.cue))
        for event_type in self._preferred.get(mention.category, ()):
            for event in by_distance:
                if event['event_type'] == event_type:
                    return event
        if mention.category in self._exclusive:
            return None
        return by_distance[0] if by_distance else None


def caused_by_hazard(trigger, agent):
    """True when a killing is done by a pandemic, a disaster or an accident, not by people:
    "a pandemic that has killed 100,000", "floods killed 12", "100,000 killed in the pandemic"."""
    causes = grammar()["non_violent_causes"]
    candidates = [agent] if agent is not None else []
    if trigger.dep_ == 'relcl':
        candidates.append(trigger.head)
    for child in trigger.children:
        if child.dep_ in ('prep', 'agent') and child.lower_ in ('in', 'by', 'from', 'during'):
            candidates.extend(c for c in child.children if c.dep_ == 'pobj')
    for token in candidates:
        words = {token.lemma_.lower(), token.lower_}
        words.update(c.lower_ for c in token.children if c.dep_ == 'compound')
        if words & causes:
            return True
    return False


def merge_events(events):
    """One event per type and actor set within a sentence.

    An event whose actor names are a subset of another same-type event's actors is the
    same event told twice ('killed in clashes with ...'): counts and confidence are
    folded into the fuller one.
    """
    kept = []
    ordered = sorted(events, key=lambda e: (-len(_actor_names(e)), -e['confidence'], e['_token']))
    for event in ordered:
        names = _actor_names(event)
        twin = next((k for k in kept if k['event_type'] == event['event_type'] and names <= _actor_names(k)), None)
        if twin is None:
            kept.append(dict(event))
            continue
        for category in CATEGORIES:
            if twin[category] is None:
                twin[category] = event[category]
        twin['confidence'] = max(twin['confidence'], event['confidence'])
    return sorted(kept, key=lambda e: e['_token'])


def _actor_names(event):
    return {a['name'] for a in (event['actor1'], event['actor2']) if a}


def _public(event):
    out = {k: v for k, v in event.items() if not k.startswith('_')}
    out['confidence'] = round(min(max(out['confidence'], 0.0), MAX_CONFIDENCE), 3)
    return out


def _event_id(story_id, sentence_index, token_index):
    """Deterministic id: the same story, sentence and trigger give the same id on every run."""
    return hashlib.sha1(f'{story_id}|{sentence_index}|{token_index}'.encode('utf-8')).hexdigest()[:32]


def _story_text(story):
    text = (story.get('text') or '').strip() or (story.get('title') or '')
    return text[:MAX_TEXT_CHARS]


def as_utc_datetime(value):
    """published_at as an aware UTC datetime (accepts epoch milliseconds too)."""
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value / 1000.0, tz=datetime.timezone.utc)
    return value
