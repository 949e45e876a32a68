"""Actor coding: the noun phrase, its sector (data/actors.json) and its country.

Country comes from a demonym, country, capital or other place inside the phrase or
its of/for-phrase ('Russian troops' -> RUS, 'Moscow' -> RUS, 'the president of
Kazakhstan' -> KAZ), from a named actor (Kremlin -> RUS), or, for clearly domestic
actors (police, authorities, protesters), from the article's main country.
"""
import functools
import re

from wirewatch.transforms.extract.counts import human_nouns
from wirewatch.transforms.extract.lexicon import load_data

UNKNOWN_SECTOR = 'UNK'
ENTITY_ACTOR_LABELS = ('PERSON', 'ORG', 'GPE', 'NORP')
# Dependents that belong to an actor's name ('the Kazakh President Tokaev', 'riot police').
NAME_DEPS = ('det', 'compound', 'amod', 'nummod', 'poss', 'nmod', 'quantmod', 'case', 'punct', 'advmod', 'npadvmod')
FOLLOWED_PREPS = ('of', 'for')
REFLEXIVES = frozenset({'himself', 'herself', 'themselves', 'itself'})
# Where a domestic actor is ('police in New York'): its country, never the story's main one.
PLACE_PREPS = ('in', 'at', 'from')


@functools.lru_cache(maxsize=1)
def _lexicon():
    data = load_data('actors')
    return {
        'phrases': {tuple(k.split()): v for k, v in data['phrases'].items()},
        'words': data['words'],
        'named': {**{k.lower(): v for k, v in data['named'].items()},
                  **{name.lower(): ['GOV', iso3] for iso3, names in data['leaders'].items() for name in names}},
        'leaders': frozenset(name.lower() for names in data['leaders'].values() for name in names),
        'domestic': frozenset(data['domestic']),
        'partitive': frozenset(data['partitive']),
        'government_places': data['government_places'],
        'missions': {k.lower(): v for k, v in data.get('missions', {}).items()},
        'no_actor': frozenset(load_data('grammar')['no_actor_pronouns']),
        'human': human_nouns(),
    }


def _full_name(span, head):
    """A name of two or more capitalised proper nouns the NER missed ('Elon Musk', 'Drew
    Brees'): a person or an organisation, of unknown sector."""
    names = [t for t in span if t.tag_ == 'NNP' and t.text[:1].isupper() and t.is_alpha]
    return head.tag_ == 'NNP' and len(names) >= 2 and all(t.tag_ in ('NNP', 'HYPH') or t.is_punct for t in span
                                                        if t.dep_ in ('compound', 'flat') or t.i == head.i)


def _heads(window, span):
    """A leader's name names the actor only as the phrase's head, written as a name
    ('President Xi', 'the Trump administration'), not as a modifier or possessor ('Trump
    supporters', 'Imran Khan's supporters') nor a numeral ('Pius XI')."""
    if not window.text[:1].isupper() or window.text.isupper():
        return False
    root = span.root
    return root.i in range(window.start, window.end) or root.lemma_.lower() in GOVERNMENT_HEADS


def _named_as(text, window, span, lex):
    """The named actor ``text`` (the words of ``window`` in ``span``) names, or None: a
    leader only as the phrase's head (see :func:`_heads`)."""
    key = text.lower()
    hit = lex['named'].get(key)
    return hit if hit and (key not in lex['leaders'] or _heads(window, span)) else None


# Heads whose leader modifier is still the government ('the Trump administration').
GOVERNMENT_HEADS = frozenset({'administration', 'government', 'cabinet'})


def named_country(text, places_only=False):
    """ISO-3 of a named actor with a stable country ('Boko Haram' -> NGA), else None. With
    ``places_only``, not for a head of state or minister ('Putin' speaks about everywhere:
    his name says who acts, not where the story is)."""
    lex = _lexicon()
    words = text.lower().removeprefix('the ').split()
    for start in range(min(2, len(words))):  # 'Suspected al-Shabaab', as the small model tags it
        key = ' '.join(words[start:])
        hit = lex['named'].get(key)
        if hit:
            return None if places_only and key in lex['leaders'] else hit[1]
    return None


def mission_countries(text):
    """ISO-3 of the countries the peacekeeping or political missions named in ``text`` serve
    in ('a MINUSCA peacekeeper' -> {'CAF'}), by their acronyms (one regular expression over
    the text: cheaper than looking at every token)."""
    return {_lexicon()['missions'][m.group(0).lower()] for m in _mission_pattern().finditer(text)}


@functools.lru_cache(maxsize=1)
def _mission_pattern():
    names = sorted(load_data('actors').get('missions', {}), key=len, reverse=True)
    return re.compile(r'\b(?:' + '|'.join(re.escape(n) for n in names) + r')\b')


def sector_for_words(lemmas, head_is_name=True):
    """The sector of a phrase given its lemmas ('riot police' -> COP), else UNK.

    Multiword phrases first, then the head (last word), then -- when the head is a
    name or a person ('Kazakh President Tokaev', 'police officers') -- the modifiers
    right to left; 'government offices' stays UNK.
    """
    lex = _lexicon()
    lemmas = [w.lower() for w in lemmas]
    for size in (3, 2):
        for i in range(len(lemmas) - size, -1, -1):
            phrase = lex['phrases'].get(tuple(lemmas[i:i + size]))
            if phrase:
                return phrase
    if lemmas and lemmas[-1] in lex['words']:
        return lex['words'][lemmas[-1]]
    if not head_is_name:
        return UNKNOWN_SECTOR
    for lemma in reversed(lemmas[:-1]):
        if lemma in lex['words']:
            return lex['words'][lemma]
    return UNKNOWN_SECTOR


# Weapons that stand for the forces of the country named with them ('Russian missiles', 'Israeli jets').
# (Not a jet, a helicopter, a tank or a shell, which may be an airliner, a think tank or Shell,
# nor a bomber, who may be a militant.)
WEAPON_NOUNS = frozenset({'drone', 'missile', 'rocket', 'warplane', 'warship', 'artillery', 'gunboat'})


class ActorCoder:
    """Codes the actor rooted at a token, given the article's context."""

    def __init__(self, gazetteer):
        self.gazetteer = gazetteer

    def code(self, token, main_country=None, context_countries=()):
        """The Event ``Actor`` record for the phrase headed by ``token``, or None if it is no actor."""
        lex = _lexicon()
        if token.lower_ in lex['no_actor'] or token.pos_ in ('PRON',) and token.lower_ not in ('we', 'they') \
                or token.ent_type_ in ('TIME', 'DATE'):
            return None  # (nor is a time: 'at 5 pm' names no prime minister)
        span = actor_span(token)
        name = _clean_name(span)
        if not name:
            return None
        named = self._named(span)
        lemmas = [t.lemma_ for t in span if not t.is_punct and t.dep_ != 'det' and t.i <= token.i]
        head_is_name = token.pos_ == 'PROPN' or token.ent_type_ in ENTITY_ACTOR_LABELS \
            or token.lemma_.lower() in lex['human']
        sector = named[0] if named else sector_for_words(lemmas, head_is_name)
        country = named[1] if named and named[1] else self._country_in(span, context_countries)
        followed = [c for p in span.root.children if p.dep_ == 'prep' and p.lower_ in FOLLOWED_PREPS
                    for c in p.children if c.dep_ == 'pobj']
        for obj in followed:
            inner = actor_span(obj)
            if sector == UNKNOWN_SECTOR:
                sector = sector_for_words([t.lemma_ for t in inner if not t.is_punct and t.i <= obj.i])
            if country is None:
                country = self._country_in(inner, context_countries)
        if country is None:
            country = self._country_in_apposition_or_place(span.root, context_countries)
        place_like = token.ent_type_ == 'GPE' or (token.ent_type_ == 'LOC' and (token.ent_id_ or token.lower_ in COMPASS_NAMES))
        if sector == UNKNOWN_SECTOR and place_like:
            sector = lex['government_places']  # 'Moscow sent troops', 'the United States said'
        if sector == UNKNOWN_SECTOR and token.ent_type_ == 'NORP':
            # 'Russians' are people; the 'Israeli' of 'Israeli strike' is a state of unknown sector
            sector = 'CVL' if token.tag_ in ('NNS', 'NNPS') else UNKNOWN_SECTOR
            if sector == UNKNOWN_SECTOR:
                return {'name': name, 'sector': sector, 'country': country}
        if sector == UNKNOWN_SECTOR and country and token.lemma_.lower() in WEAPON_NOUNS:
            sector = 'MIL'  # 'Ukrainian drones kill two': the forces of the country that sent them
        if sector == UNKNOWN_SECTOR and token.ent_type_ not in ENTITY_ACTOR_LABELS and not named \
                and not _full_name(span, token):
            return None  # 'the deployment', 'buildings': not an actor
        all_lemmas = [t.lemma_ for t in span if not t.is_punct and t.dep_ != 'det']
        if country is None and main_country and self._is_domestic(all_lemmas):
            country = main_country
        return {'name': name, 'sector': sector, 'country': country}

    def _country_in_apposition_or_place(self, root, context_countries):
        """'Massimov, the former head of the security committee of Kazakhstan' -> KAZ;
        'police in New York' -> USA."""
        for child in root.children:
            if child.dep_ == 'appos':
                for t in child.subtree:
                    if t.ent_type_ in ('GPE', 'NORP') and t.ent_id_ and len(t.ent_id_) == 3:
                        return t.ent_id_
            if child.dep_ == 'prep' and child.lower_ in PLACE_PREPS:
                for obj in child.children:
                    if obj.dep_ == 'pobj' and obj.ent_type_ in ('GPE', 'LOC'):
                        entity = next((e for e in obj.sent.ents if e.start <= obj.i < e.end), None)
                        place = self.gazetteer.resolve(entity.text, context_countries) if entity is not None else None
                        if place:
                            return place.iso3
        return None

    def _named(self, span):
        lex = _lexicon()
        for ent in span.ents:
            hit = _named_as(ent.text.removeprefix('the '), ent, span, lex)
            if hit:
                return hit
        for size in range(len(span), 0, -1):
            for i in range(0, len(span) - size + 1):
                window = span[i:i + size]
                hit = _named_as(window.text, window, span, lex)
                if hit:
                    return hit
        return None

    def _country_in(self, span, context_countries=()):
        for ent in span.ents:
            if ent.label_ == 'NORP':
                iso3 = self.gazetteer.demonym_country(ent.text)
                if iso3:
                    return iso3
            elif ent.label_ in ('GPE', 'LOC') and ent.text.lower().removeprefix('the ') not in COMPASS_NAMES:
                place = self.gazetteer.resolve(ent.text, context_countries)
                if place:
                    return place.iso3
        for t in span:
            iso3 = self.gazetteer.demonym_country(t.text) if t.text[:1].isupper() else None
            if iso3:
                return iso3
        for force in (t for t in span if t.lemma_.lower() in LOCAL_FORCE_HEADS):
            # 'Delhi Police's Special Cell', 'Lagos police': a force named by its city or state
            name = ' '.join(c.text for c in force.children if c.dep_ == 'compound' and c.pos_ == 'PROPN')
            place = self.gazetteer.resolve(name, context_countries) if name else None
            if place and not self.gazetteer.context_may_change(name):
                return place.iso3  # (not 'Victoria Police' alone: Seychelles' capital or Australia's state)
        if span.root.lemma_.lower() in STATE_FORCE_HEADS:  # 'US Navy', 'U.S. Army': a country's name in the force's name
            for t in span:
                iso3 = self.gazetteer.country_named(t.text) if t.i < span.root.i and t.text[:1].isupper() else None
                if iso3:
                    return iso3
        return None

    @staticmethod
    def _is_domestic(lemmas):
        lex = _lexicon()
        words = [w.lower() for w in lemmas]
        pairs = {' '.join(words[i:i + 2]) for i in range(len(words) - 1)}
        return bool(pairs & lex['domestic']) or (bool(words) and words[-1] in lex['domestic'])


# Heads of a state's forces and offices whose name may open with the country's name ('US Navy').
STATE_FORCE_HEADS = frozenset({'navy', 'army', 'military', 'force', 'forces', 'guard', 'police', 'marines',
                               'government', 'ministry', 'embassy'})
# A police force named by its city or state ('Delhi Police', 'Lagos police'): that place's country.
LOCAL_FORCE_HEADS = frozenset({'police', 'constabulary', 'gendarmerie'})
# 'the West blamed Moscow': a bloc, not Cameroon's West region.
COMPASS_NAMES = frozenset({'west', 'east', 'north', 'south', 'western', 'eastern', 'northern', 'southern'})


def actor_span(token):
    """The name span of the phrase headed by ``token`` (with partitives: 'thousands of people')."""
    lex = _lexicon()
    left = [t.i for t in _name_dependents(token)]
    start = min(left + [token.i])
    end = max(left + [token.i]) + 1
    if token.lemma_.lower() in lex['partitive'] or token.like_num:
        for prep in token.children:
            if prep.dep_ == 'prep' and prep.lower_ == 'of':
                for obj in prep.children:
                    if obj.dep_ == 'pobj':
                        end = max(end, max(t.i for t in _name_dependents(obj)) + 1 if list(_name_dependents(obj)) else obj.i + 1, obj.i + 1)
    return token.doc[start:end]


def _name_dependents(token):
    verbs = token.doc.user_data.get('headline_verbs', ())
    for child in token.children:
        if child.dep_ == 'punct' and child.i > token.i:
            continue  # 'Massimov, sacked on Wednesday': the comma ends the name
        if any(child.i <= v < token.i for v in verbs):
            continue  # 'US sanctions ICC president': the headline's verb and its subject are no part of the name
        if child.dep_ in NAME_DEPS or (child.dep_ == 'appos' and child.ent_type_ == 'PERSON'):
            yield child
            yield from _name_dependents(child)


def resolve_reflexive(token):
    """'Massimov, the former head ..., himself arrested': a reflexive pronoun stands for the
    nearest person (or noun) named before it in the sentence; other tokens are returned as is."""
    if token.lower_ not in REFLEXIVES:
        return token
    for candidate in reversed(token.sent[:token.i - token.sent.start]):
        if candidate.ent_type_ == 'PERSON' and candidate.dep_ != 'compound':
            return candidate
    for candidate in reversed(token.sent[:token.i - token.sent.start]):
        if candidate.pos_ in ('PROPN', 'NOUN') and candidate.dep_ not in ('compound', 'pobj'):
            return candidate
    return token


def _part_of_a_name(token):
    """A capitalised determiner inside a proper name, not opening the sentence ('No Labels')."""
    return token.pos_ == 'PROPN' and token.text[:1].isupper() and token.i != token.sent.start \
        and token.head.pos_ == 'PROPN'


def _clean_name(span):
    tokens = list(span)
    while tokens and ((tokens[0].dep_ == 'det' and not _part_of_a_name(tokens[0])) or tokens[0].is_punct):
        tokens = tokens[1:]  # 'the police' (but 'No Labels', 'The Hague Group': a capital in a name)
    while tokens and (tokens[-1].is_punct or tokens[-1].tag_ == 'POS'):
        tokens = tokens[:-1]  # "the journalist's (shooting)" names the journalist
    if not tokens:
        return ''
    return span.doc[tokens[0].i:tokens[-1].i + 1].text
