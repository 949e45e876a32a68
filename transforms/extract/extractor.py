"""EventExtractor: Story dicts in, PLOVER Event dicts out (pure Python, no Beam).

The title and the text are parsed as one doc. spaCy components (nlp.py) find trigger
candidates and read each one's sense, factuality and time. Here, per sentence, the
triggers that name a current event that happened are coded (actors, place, date,
tolls), same-sentence twins are merged (:func:`merge_events`), and then mentions of
one event across the story are merged, title and lead first (:func:`salient_events`).
"""
import calendar
import collections
import datetime
import functools
import hashlib
import re
import urllib.parse

from wirewatch.transforms.extract.actors import ActorCoder, mission_countries, named_country, sector_for_words
from wirewatch.transforms.extract.clauses import first_conjunct, has_time, infinitive_clauses, is_imperative, is_infinitive
from wirewatch.transforms.extract.counts import CATEGORIES, find_counts, human_nouns
from wirewatch.transforms.extract.dates import MONTH, find_date_mentions, reference_date, resolve_event_date
from wirewatch.transforms.extract.factuality import factuality_cues
from wirewatch.gazetteer import Gazetteer
from wirewatch.transforms.extract.headlines import sentence_case
from wirewatch.transforms.extract.lexicon import load_data
from wirewatch.transforms.extract.sense import CONFIRMED, sense_rules
from wirewatch.transforms.extract.temporal import time_cues
from wirewatch.transforms.extract.nlp import PLACE_KIND_NOUNS, WEAK_PLACES
from wirewatch.transforms.extract.triggers import VERBAL_QUADS, TriggerLexicon, find_arguments, grammar

PLACE_LABELS = ('GPE', 'LOC', 'FAC')
MAX_TEXT_CHARS = 100_000
# Paragraphs starting after this many characters of text are not parsed (see _leading_paragraphs).
PARSED_TEXT_CHARS = 5_000
MAX_SENTENCE_CHARS = 2_000
ACTOR_BONUS = 0.05
COUNT_BONUS = 0.05
MAX_CONFIDENCE = 0.99


TITLE, LEAD, BODY, TEASER, CAPTION = 'title', 'lead', 'body', 'teaser', 'caption'
# A photo credit closing a caption: '(Danny Lawson/PA)', '(AP Photo/Jo Doe)', '(Getty Images)'.
# A caption tells what a picture shows, often a file picture of another day: no event of its own.
_AGENCIES = r"(?:AP|AAP|AFP|Reuters|Getty(?: Images)?|EPA|PA|Xinhua|Bloomberg|Anadolu|ANI|PTI|IANS|Shutterstock|Supplied|File)"
_PHOTO_CREDIT = re.compile(r"\((?:(?:[A-Z][\w.'’-]*\s){1,3}[A-Z][\w.'’-]*\s?/\s?[A-Z][\w.'’ -]*"  # (Danny Lawson/PA)
                           r"|" + _AGENCIES + r"(?: [Pp]hoto| [Ii]mages?| [Pp]icture)?(?:\s?/\s?[A-Z][\w.'’ -]*)?"  # (AP Photo/Jo Doe)
                           r"|[A-Z][\w.'’ -]*/\s?" + _AGENCIES + r")\)\s*(?=\n\n|$)")  # a credit ends its paragraph
# Salience: title and lead mentions state the story's main events; a later sentence adds
# an event only when it is distinct from them, current, and carries evidence (an actor or
# a count) with at least this confidence.
BODY_MIN_CONFIDENCE = 0.7
# Below this an event is not coded at all: the triggers with lower priors are the vague or
# ambiguous nouns ('violence', 'vigil', 'disorder') that need more than one cue.
MIN_CONFIDENCE = 0.7
# Places found in the event's own sentence; the others are the story's defaults.
STRONG_PLACE_SOURCES = frozenset({'clause', 'target', 'attached', 'actor'})
# Places guessed from the story as a whole, not read from the event's own words.
GUESSED_PLACE_SOURCES = frozenset({'story', 'main', 'dateline'})
# Place sources of an event deliberately placed in no country: at sea, or said by an
# international body; no fallback to a party's country follows them.
AT_SEA, NO_COUNTRY = 'sea', 'international body'
LEAD_BONUS = 0.05
# An ambiguous trigger ('struck', 'clash') whose required context word is in the sentence.
SENSE_BONUS = 0.15
# A mention dated this many days after the story's reference date is not something that happened.
FUTURE_TOLERANCE_DAYS = 1
# A month named as an event's date ('in July') is the story's own month, or the one just ended
# this many days before: later, it is a recap or a monthly figure ('deaths jumped in July').
MONTH_GRACE_DAYS = 3
# Two mentions of one event may carry dates this far apart ('on Saturday' vs the headline's day).
MERGE_DATE_DAYS = 2
# A toll told this many sentences after its event, in a sentence with no event of its own, is its toll.
FOLLOW_UP_SENTENCES = 2
# The rejection of a trigger whose ambiguous sense needs context its sentence lacks ('killed').
MISSING_CONTEXT = 'sense:unknown'
# Acts a state does at home when no place is said: 'France bans Israeli officials'.
STATE_ACTS = ('COERCE', 'SANCTION')
# Places an event takes from the story, not from its own words: the attacker's country there
# gives way to the other side the sentence names.
FALLBACK_SOURCES = ('main', 'story', 'attached', 'doer')
# Events that go somewhere: 'sends troops to the West Bank' and 'sends ammunition to Ukraine' happen at the
# destination (not an evacuation: 'evacuates villagers to the city' happens where they were).
MOVEMENT_TYPES = ('MOBILIZE',)
SENDING_LEMMAS = frozenset({'send', 'give'})
DESTINATION = frozenset({'to', 'into'})
# A meeting held where its object is: 'visited Hanoi' (not 'telephoned Tehran').
VISIT_LEMMAS = frozenset({'visit', 'tour'})
# Where an attack lands: the airspace it was over, the place it was aimed at.
AIMED = frozenset({'over', 'towards', 'toward'})
# Next to a country is outside it.
BESIDE = frozenset({'near', 'outside', 'around'})
# A state acts through its government, army and police: 'Moscow sent troops' and 'the
# deployment of Russian troops' are one MOBILIZE.
STATE_SECTORS = frozenset({'GOV', 'MIL', 'COP'})
# ... and people are people: 'four protesters' and 'four students' can be the same group.
PEOPLE_SECTORS = frozenset({'CVL', 'EDU', 'LAB', 'OPP', 'JRN', 'MED', 'REL', 'BUS'})
TOLL_CATEGORIES = ('killed', 'injured', 'arrested')
# Harms whose participle after a count is a toll: '16 killed and 20 wounded'.
TOLL_PARTICIPLES = frozenset({'kill', 'wound', 'injure'})
PRECISION_RANK = {'COUNTRY': 0, 'ADMIN1': 1, 'CITY': 2}
# Evidence for a story's main country: a place named counts 1, a demonym half ('Ethiopian
# farmers' may live anywhere), and a country whose forces, drones or border are named a
# quarter of its kind (forces fight abroad; a border has two sides).
DEMONYM_WEIGHT = 0.5
PROMINENT_POPULATION = 100_000
ABROAD_WEIGHT = 0.25
ABROAD_NOUNS = frozenset({'force', 'forces', 'troop', 'soldier', 'army', 'military', 'drone', 'jet', 'warplane',
                          'aircraft', 'peacekeeper', 'convoy', 'base', 'border', 'frontier', 'navy', 'contingent',
                          'mercenary', 'battalion', 'brigade', 'airstrike', 'strike', 'missile', 'artillery'})
# People named after where they come from: 'a Jos native', 'Syrian refugees'.
ORIGIN_NOUNS = frozenset({'native', 'natives', 'indigene', 'indigenes', 'migrant', 'migrants', 'refugee', 'refugees',
                          'expatriate', 'expatriates', 'diaspora'})
# A nationality's police, courts and officials work at home: 'Kenyan police' says where as
# much as a place named (twice a demonym's weight).
DOMESTIC_NOUNS = frozenset({'police', 'policeman', 'policemen', 'authority', 'authorities', 'official', 'officials',
                            'court', 'ministry', 'minister', 'parliament', 'lawmaker', 'lawmakers', 'governor',
                            'mayor', 'prosecutor', 'prosecutors', 'gendarme', 'gendarmes', 'gendarmerie'})
DOMESTIC_WEIGHT = 2.0
# Groups named after a place: 'Abala militia', 'Zintan brigades', 'Jos youths'.
GROUP_NOUNS = frozenset({'militia', 'militias', 'militiaman', 'militiamen', 'brigade', 'brigades', 'fighter',
                         'fighters', 'rebel', 'rebels', 'gunman', 'gunmen', 'herder', 'herders', 'herdsman',
                         'herdsmen', 'tribesman', 'tribesmen', 'youth', 'youths', 'vigilante', 'vigilantes',
                         'gang', 'gangs', 'faction', 'factions', 'clan', 'clans'})
# Keys of the gazetteer's small places (cities1000 towns and districts).
SMALL_PLACE_KEYS = ('place:', 'district:')
# Entities the recogniser may give a place's name: a province or town read as an
# organisation or a product ('Mudug', 'a Masvingo bank branch'), or naming one.
NAME_LABELS = ('ORG', 'PRODUCT', 'FAC')
# Words that end an institution's name after its town ('the Gampola Hospital') ...
INSTITUTION_WORDS = frozenset({'hospital', 'club', 'university', 'college', 'school', 'airport', 'station', 'market',
                               'bazaar', 'jail', 'prison', 'court', 'mosque', 'temple', 'church', 'stadium', 'camp',
                               'council', 'corporation', 'municipality', 'assembly', 'chamber', 'bar'})
# Words that open or make up the names of bodies everywhere, whatever towns share them
# ('the Central and State governments', 'the Federal High Court', 'the Bar Association').
GENERIC_NAME_WORDS = frozenset({'central', 'state', 'national', 'union', 'federal', 'supreme', 'high', 'general', 'city',
                                'capital', 'district', 'provincial', 'regional', 'municipal', 'sub', 'north', 'south',
                                'east', 'west', 'northern', 'southern', 'eastern', 'western', 'upper', 'lower', 'new',
                                'old', 'great', 'grand', 'royal', 'republic', 'people', 'democratic', 'united',
                                'independent', 'free', 'bar', 'press', 'county', 'metropolitan', 'civil', 'public'})
# Words an institution's name may carry beside its town ('the Ratnapura General Hospital').
INSTITUTION_DESCRIPTORS = frozenset({'teaching', 'medical', 'memorial', 'police', 'welfare', 'population', 'education',
                                     'health', 'sugar', 'mills', 'workers', 'women', 'children', 'government', 'local'})
# A sports club's town says nothing of where its news happens.
SPORT_NAME_WORDS = frozenset({'football', 'fc', 'cricket', 'rugby', 'hockey', 'basketball', 'united', 'city', 'athletic',
                              'sporting', 'rovers', 'wanderers'})
# ... and bodies that may be named before their town ('Municipal Committee Mirpurkhas').
INSTITUTION_HEADS = frozenset({'committee', 'department', 'office', 'directorate', 'board', 'authority',
                               'administration', 'commission', 'police'})
# An institution's own words, wherever they stand in its name.
INSTITUTION_NAME_WORDS = INSTITUTION_WORDS | INSTITUTION_HEADS
_BULLETS = ('*', '•', '-', '–', '·')


class ArticleContext:
    """What the whole article says about places: mention counts, main country, dateline,
    the headline's place, the outlet's country, and which sentences are title, lead,
    teaser or body."""

    def __init__(self, doc, story, gazetteer, title_chars=0):
        self.gazetteer = gazetteer
        # 'Daily Nation (Kenya)', '.ng': a hint for names several countries share, and the
        # last resort for a story that names no place at all (local wires rarely name their country)
        self.outlet_country = gazetteer.outlet_country(story.get('source_name'), story.get('url'))
        hint = (self.outlet_country,) if self.outlet_country else ()
        self._within = _contained_places(doc, gazetteer, hint)
        counts, named, small, shared, groups = collections.Counter(), collections.Counter(), [], [], set()
        placed = collections.Counter()  # evidence from places and place-named bodies only
        # a story that names a country or a nationality anywhere says where it is: the outlet
        # then settles nothing ('Police in Pakistan ... in Haripur' from an Indian outlet)
        names_a_country = any(ent.label_ == 'NORP' or (ent.label_ in PLACE_LABELS and gazetteer.country_named(ent.text))
                              for ent in doc.ents)
        read_from_position = doc.user_data.get(WEAK_PLACES) or set()
        self._rejected_weak = set()
        weak = []
        for ent in doc.ents:
            weight = _evidence_weight(ent)
            if not weight:
                continue
            if (ent.start, ent.end) in read_from_position:
                weak.append(ent)  # read from where the name stands: counted once the rest is known
                continue
            if ent.label_ == 'NORP':
                iso3 = gazetteer.demonym_country(ent.text)
                if iso3:  # ('a Greek-owned tanker': whose, as a place's 'US-linked' below)
                    counts[iso3] += weight * (ABROAD_WEIGHT if _names_an_affiliation(ent) else DEMONYM_WEIGHT)
                continue
            place = self._within.get((ent.start, ent.end))
            if place is None and ent.label_ in PLACE_LABELS:
                place = gazetteer.resolve(ent.text)
                if place is not None and hint and not names_a_country and place.iso3 not in hint \
                        and not _prominent(place):
                    # 'Ilam' from a Nepali outlet is Nepal's Ilam, not Iran's province
                    local = gazetteer.resolve_within(ent.text, gazetteer.country(hint[0]))
                    if local is not None:
                        place = self._within[(ent.start, ent.end)] = local
                if place is not None and place.key.startswith(SMALL_PLACE_KEYS):
                    small.append(ent)  # a town of a few thousand: read once the bigger places are known
                    continue
                if place is not None and place.precision == 'CITY' and (ent.start, ent.end) not in self._within \
                        and not _names_a_group(ent) and gazetteer.context_may_change(ent.text):
                    shared.append(ent)  # 'Hyderabad': India's or Pakistan's, as the rest of the story says
                    continue
            if place is not None:
                if _names_a_group(ent):  # 'Abala militia': a group's name, perhaps from far away
                    counts[place.iso3] += ABROAD_WEIGHT
                elif _names_an_affiliation(ent):  # 'US-linked targets', 'Peshawar-based group': whose, not where
                    counts[place.iso3] += ABROAD_WEIGHT
                else:
                    counts[place.iso3] += weight if place.precision == 'COUNTRY' else 1.0
                    if weight >= 1.0:
                        placed[place.iso3] += 1.0
            elif ent.label_ not in PLACE_LABELS and (group_country := named_country(ent.text, places_only=True)):
                named[group_country] += 1
                if not ent.text.isupper():  # 'RSF', 'ADF': acronyms other bodies share
                    groups.add(group_country)
            elif ent.label_ in NAME_LABELS and (found := _place_in_a_name(ent, gazetteer)) is not None:
                counts[found[0].iso3] += found[1]  # 'the Gampola Hospital', 'Sindh Sugar Mills Workers Federation'
                placed[found[0].iso3] += found[1]
        # a shared city name goes with the places the story names, not with a nationality
        # ('the arrest of a Pakistani poet' leaves Hyderabad in India), else the outlet's country
        others = tuple(placed) or (() if names_a_country else hint)  # (a story that names a country: not the outlet's)
        for ent in shared:
            place = gazetteer.resolve(ent.text, others)
            self._within[(ent.start, ent.end)] = place
            counts[place.iso3] += 1.0
        known = tuple(counts) or hint
        for ent in small:  # in a country the article names (or its outlet's), else only when unambiguous
            place = gazetteer.resolve(ent.text, known)
            if place is not None:
                counts[place.iso3] += 1
        # A name read as a place from where it stands ('In Pabna, ...', 'in Shopian town') counts
        # when the story says nothing else about where it is, or when it lies in a country the
        # story names: not 'in Central' (Louisiana) in a story of Kenyan police.
        # (only a country named as a place or through its police or officials counts here: not
        # a nationality alone, 'English' or 'Libyan traders', nor foreign forces or a border)
        agreeing = {iso3 for iso3, weight in counts.items() if weight >= 1.0}
        for ent in weak:
            place = self._within.get((ent.start, ent.end))
            if place is None and hint and not agreeing and not names_a_country:  # 'Ilam' from a Nepali outlet, as above
                place = gazetteer.resolve_within(ent.text, gazetteer.country(hint[0]))
            if place is None:  # (a nationality the story names beats the outlet: 'Greek police ... in Athens')
                place = gazetteer.resolve(ent.text, tuple(agreeing) or tuple(counts) or hint)
            if place is None or (agreeing and place.iso3 not in agreeing):
                self._rejected_weak.add((ent.start, ent.end))
                continue
            counts[place.iso3] += ABROAD_WEIGHT if _names_a_group(ent) else 1.0
        # a peacekeeping mission counts as a place where it serves ('a Senegalese MINUSCA
        # peacekeeper was killed' is in the Central African Republic), once per mission
        for served in mission_countries(doc.text):
            counts[served] += 1.0
        # an armed group whose country is known counts once as a nationality does: 'al-Shabaab
        # fighters fired at an Ethiopian base in Halgan' is Somalia; a place named still wins
        for iso3 in groups:
            counts[iso3] += DEMONYM_WEIGHT
        if not counts:  # no place or demonym at all: 'ADF fighters attacked a base' is Congo
            counts = named
        if not counts:  # only people named: a head of state or minister says whose story it is
            # ('Trump threatens to send in the army || Protests continue for a seventh night')
            people = [ent.text for ent in doc.ents if ent.label_ == 'PERSON']
            people += [t.text for t in doc if t.is_title and not t.ent_type_]  # a name the NER missed
            counts = collections.Counter(iso3 for name in people for iso3 in [named_country(name)] if iso3)
        if not counts and self.outlet_country:  # nothing at all: where the outlet is
            counts[self.outlet_country] += 1
        self.countries = tuple(counts)
        self.dateline_place = None
        dateline = (story.get('dateline_place') or '').split('/')[0].strip()
        if dateline:
            self.dateline_place = gazetteer.resolve(dateline, self.countries)
        if self.dateline_place:
            counts[self.dateline_place.iso3] += 1  # breaks ties towards the dateline
        self.main_country = counts.most_common(1)[0][0] if counts else None
        self.title_chars = title_chars
        headline_places = []
        for ent in doc.ents:
            if ent.start_char >= title_chars:
                break
            if ent.label_ in PLACE_LABELS and not _names_an_affiliation(ent):  # (not 'US-linked base')
                place = self.resolve(ent)
                if place is not None:
                    root = ent.root
                    located = root.dep_ == 'pobj' and root.head.lower_ in HEADLINE_LOCATIVES
                    named_event = root.dep_ == 'compound' and root.head.pos_ == 'NOUN'
                    headline_places.append((PRECISION_RANK[place.precision], located, named_event, place))
        # The headline's most precise place: 'Ecuador police ... in Guayaquil' -> Guayaquil; of
        # two as precise, the one in a place phrase ('Turkey launches strikes in northern Iraq'),
        # else one that names where a thing is ('Israel flattens tower amid Gaza bombardment')
        self.headline_place = max(headline_places, key=lambda item: item[:3], default=(None,) * 4)[3]
        self.main_place = self._main_place(doc)
        self.sentences = list(doc.sents)
        self.roles = _sentence_roles(doc.text, self.sentences, title_chars)

    def _main_place(self, doc):
        """The story's one place below its main country: the town or province every place it
        names in that country is ('Gunmen attacked farmers in Um Arda. ...'), else the province
        they all lie in; None when it names two towns of different provinces, or none."""
        if self.main_country is None:
            return None
        places = {}
        for ent in doc.ents:
            if ent.label_ not in PLACE_LABELS or not _evidence_weight(ent) or _names_a_group(ent) \
                    or _names_an_origin(ent):
                continue
            place = self.resolve(ent)
            if place is None or place.precision == 'COUNTRY':
                continue
            if place.iso3 != self.main_country:
                continue
            places[place.key] = place
        if len(places) == 1:
            return next(iter(places.values()))
        admin1s = {(p.admin1 or '').lower() for p in places.values()}
        if len(admin1s) == 1 and '' not in admin1s:
            one = next(iter(places.values()))
            return self.gazetteer.admin1_place(one.iso3, one.admin1)
        return None

    def resolve(self, ent):
        """The place a place entity names, read with the article: the place inside the one
        named after it ('Rafah, North Sinai'), else the name among the article's countries
        (None for a name read from where it stands that the rest of the story contradicts)."""
        if (ent.start, ent.end) in self._rejected_weak:
            return None
        within = self._within.get((ent.start, ent.end))
        if within is not None:
            return within
        return self.gazetteer.resolve(ent.text, self.countries)

    def agreeing_dateline(self):
        """The dateline place when it lies in the story's main country (a reaction datelined
        Geneva does not move a Gaza event to Switzerland)."""
        place = self.dateline_place
        if place is not None and (self.main_country is None or place.iso3 == self.main_country):
            return place
        return None


def _foreign_envoy(tokens):
    """An envoy named by a country: 'the Russian ambassador', "Iran's envoy", 'the ambassador of Chad'."""
    for envoy in tokens:
        if any(c.dep_ in ('amod', 'compound', 'poss') and c.ent_type_ in ('NORP', 'GPE') for c in envoy.children):
            return True
        if any(c.dep_ == 'prep' and c.lower_ in ('of', 'from') and any(g.ent_type_ == 'GPE' for g in c.children)
               for c in envoy.children):
            return True
    return False


def _alleged(token):
    """The trigger verb (or its head verb, for a noun) is hedged by an adverb of factuality.json's
    claim_modifiers ('allegedly', 'purportedly'), which factuality let stand for a harm done to
    people (factuality._harm_told): the harm is told, who did it is not."""
    verb = token if token.pos_ == 'VERB' else token.head
    return any(c.dep_ == 'advmod' and c.lower_ in factuality_cues()['claim_modifiers'] for c in verb.children)


# Entities that are parties of their own in a list ('Lebanon, Israel'; not 'the prime minister, Jane Mbeki').
PARTY_LABELS = frozenset({'GPE', 'NORP', 'ORG'})


def _several(token):
    """The phrase names more than one party: a plural ('ministers', 'leaders'), a
    coordination ('Putin and Xi') or a list ('Lebanon, Israel')."""
    if token is None:
        return False
    return token.tag_ in ('NNS', 'NNPS') or any(c.dep_ == 'conj' for c in token.children) \
        or any(c.dep_ in ('npadvmod', 'appos') and c.pos_ == 'PROPN' for c in token.head.children if c.i < token.i) \
        or (token.ent_type_ in PARTY_LABELS and any(c.dep_ == 'appos' and c.ent_type_ in PARTY_LABELS
                                                   for c in token.children)) \
        or (token.dep_ == 'nsubj' and any(c.dep_ == 'nsubj' and c.i != token.i and c.pos_ == 'PROPN'
                                          for c in token.head.children))  # 'Lebanon, Israel conclude talks'


def _meeting_parties(tokens):
    """Two parties named around a meeting's words: 'US-Iran talks', 'Franco-German talks',
    'holds calls with Israel' (the partner on either word), 'talks between ...'."""
    for trigger in tokens:
        before = [t for t in trigger.subtree if t.i < trigger.i]
        names = [t for t in before if t.pos_ == 'PROPN' or t.ent_type_ in ('GPE', 'NORP', 'ORG')]
        if len(names) >= 2 and any(t.text in ('-', '/', 'and', '&') for t in before):
            return True
        for word in (trigger, trigger.head):
            if any(c.dep_ == 'prep' and c.lower_ in ('with', 'between') for c in word.children):
                return True
    return False


# 'He later died of his injuries', 'she died in hospital', 'one of them succumbed the next day'.
_DEATH_VERBS = frozenset({'die', 'succumb'})
_WOUNDS = frozenset({'injury', 'injuries', 'wound', 'wounds', 'hospital'})
_ONE_VICTIM = frozenset({'he', 'she', 'one', 'victim', 'man', 'woman', 'boy', 'girl', 'child', 'teenager'})
_NOT_DEAD = frozenset({'not', "n't", 'never', 'may', 'might', 'could', 'would', 'will', 'nearly', 'almost'})


def _died_of_wounds(sent, events):
    """True (and the deaths moved from injured to killed) when a sentence with no event of
    its own says that a victim of the attack just told later died: 'Gunmen shot a man on
    Sunday. He later died of his injuries.' The victim is one person ('he', 'the man', 'one
    of them'), and the sentence says when or of what ('later', 'of his wounds', 'in hospital',
    'the next day', 'succumbed')."""
    assaults = [e for e in events if e['event_type'] == 'ASSAULT']
    if not assaults:
        return False
    for verb in sent:
        if verb.pos_ != 'VERB' or verb.lemma_.lower() not in _DEATH_VERBS:
            continue
        subjects = [c for c in verb.children if c.dep_ == 'nsubj']
        if len(subjects) != 1 or subjects[0].lemma_.lower() not in _ONE_VICTIM and subjects[0].lower_ not in _ONE_VICTIM:
            continue
        if any(c.dep_ in ('neg', 'aux', 'advmod') and c.lower_ in _NOT_DEAD for c in verb.children) \
                or any(c.dep_ == 'det' and c.lower_ == 'no' for c in subjects[0].children):
            continue  # 'no one died of the wounds', 'he did not die', 'he may die', 'he nearly died'
        told = verb.lemma_.lower() == 'succumb' or any(
            t.lower_ in ('later', 'subsequently') or t.lower_ in _WOUNDS or (t.lower_ == 'day' and t.i > verb.i)
            for t in verb.subtree)
        if not told:
            continue
        # one victim, one event: the one that counted the wounded, else the first
        event = next((e for e in assaults if e['injured']), assaults[0])
        event['killed'] = (event['killed'] or 0) + 1
        if event['injured']:
            event['injured'] = event['injured'] - 1 or None  # the one hurt is now the one killed
        return True
    return False


def _tells_its_own_story(sent, stops):
    """A sentence with a place, a date, a cause of death by disease or accident, or a word
    such as 'separately' is no follow-up of the sentence before."""
    if any(ent.label_ in PLACE_LABELS + ('DATE', 'TIME') for ent in sent.ents):
        return True
    return any(t.lemma_.lower() in stops or t.lower_ in stops for t in sent)


# Targets a national adjective places: kinds of place ('a Lebanese city') and these ('Ukrainian ports').
TARGET_PLACE_NOUNS = PLACE_KIND_NOUNS | frozenset({'capital', 'port', 'territory', 'soil', 'coast', 'island', 'countryside', 'settlement',
                                                   'border', 'airspace', 'waters',
                                                   # installations that stay where they are built ('Iranian nuclear
                                                   # sites', 'a Russian chemical plant'); not bases or embassies abroad
                                                   'site', 'plant', 'refinery', 'facility', 'depot', 'infrastructure',
                                                   'airport', 'airfield', 'grid', 'oilfield', 'pipeline'})

# Prepositions of a headline place that say where ('in', 'near'), not who ('Turkey launches').
# ('over' is left out: a headline's 'rally over India' is about India, not in it)
HEADLINE_LOCATIVES = frozenset({'in', 'at', 'near', 'outside', 'inside', 'across', 'into', 'around', 'throughout'})

# Victims whose nationality says where they were attacked when nothing else in the story does
# ('Russian troops kill Syrian villagers'); not soldiers, fighters, workers or fishermen, who are
# often abroad.
VICTIMS_AT_HOME = frozenset({'civilian', 'villager', 'resident', 'farmer', 'herder', 'inhabitant'})


def _sentence_roles(text, sentences, title_chars):
    """Role of each sentence (by index): title, teaser (bullets before the lead), caption
    (a paragraph's sentences up to a photo credit), lead (the first paragraph of text), body."""
    roles, lead_paragraph = [], None
    captions = [(text.rfind('\n\n', 0, m.start()), m.end()) for m in _PHOTO_CREDIT.finditer(text, title_chars)]
    for sent in sentences:
        start = sent.start_char
        if start < title_chars:
            roles.append(TITLE)
            continue
        paragraph = text.rfind('\n\n', 0, start + 1)
        if any(opening == paragraph and start < end for opening, end in captions):
            roles.append(CAPTION)
            continue
        stripped = text[start:sent.end_char].lstrip()
        if not stripped:
            roles.append(BODY)  # a paragraph break on its own
            continue
        # a teaser bullet paragraph, even when the parser splits the '*' off
        opening = paragraph + 2 if paragraph >= 0 else 0
        if lead_paragraph is None and text[opening:opening + 8].lstrip().startswith(_BULLETS):
            roles.append(TEASER)
            continue
        if lead_paragraph is None:
            lead_paragraph = paragraph
        roles.append(LEAD if paragraph == lead_paragraph else BODY)
    return roles


# 'in Deder, East Harerge', 'Hyderabad, Sindh', 'a village in Hodan district': a place, then the
# place that contains it, joined by a comma, 'in' or 'of' (and maybe a kind word).
_CONTAINMENT = re.compile(r"^(?:(?:village|town|city|area|district|locality|county|province|region|state|"
                          r"upazila|sub-district|municipality|camp|neighbou?rhood|suburb|township)s?\s*)?(?:,|in|of)$")
# 'the U.S. embassy', 'Turkey's consulate': the country owns the building, which stands elsewhere.
_MISSION_NOUNS = frozenset({'embassy', 'embassies', 'consulate', 'consulates', 'mission', 'ambassador', 'envoy'})


def _contained_places(doc, gazetteer, hint=()):
    """{(start, end) of a place entity: Place} for places named with the place that contains
    them: the inner one is looked for inside the outer one only ('Rafah, North Sinai' is
    Egypt's Rafah), and when that country has no such name the outer place stands for it
    ('Highfields, Harare' is in Harare, not Australia). Read right to left, so that a chain
    ('Sahapur village in Faridganj in Chandpur district') nests."""
    ents = [e for e in doc.ents if e.label_ in PLACE_LABELS]
    within = {}
    for inner, outer in reversed(list(zip(ents, ents[1:]))):
        between = doc[inner.end:outer.start].text.strip().lower()
        if not _CONTAINMENT.match(between) or inner.sent.start != outer.sent.start:
            continue
        if between == ',' and (_listed_after(outer) or _listed_before(inner)):
            continue  # 'in Paris, London and Berlin': a list, not a place in its container
        container = within.get((outer.start, outer.end)) or gazetteer.resolve(outer.text, hint)
        if container is None:
            continue
        place = gazetteer.resolve_within(inner.text, container)
        if place is None and container.precision != 'COUNTRY':
            place = container
        if place is not None:
            within[(inner.start, inner.end)] = place
    return within


def _prominent(place):
    """A country, a capital or a city of 100,000+: known beyond its country ('Paris' from a
    Texan outlet is still Paris, France)."""
    return place.precision == 'COUNTRY' or place.is_capital or place.population >= PROMINENT_POPULATION


def _evidence_weight(ent):
    """How much a country word says about where the story is: a place 1, a country or
    nationality that owns forces, drones or a border named there a quarter ('Kenyan forces',
    'US drones hit ...', 'near the Afghan border', 'near Mali'; a town's 'Gaza airstrike' or
    'near Kabul' counts whole, see the caller), an embassy's country nothing ('at the U.S. embassy')."""
    if _names_an_embassy(ent):
        return 0.0
    head = ent.root.head
    if ent.root.dep_ in ('compound', 'amod', 'poss', 'nmod') and head.lemma_.lower() in ABROAD_NOUNS:
        return ABROAD_WEIGHT
    if ent.root.dep_ == 'pobj' and head.lower_ in BESIDE:
        return ABROAD_WEIGHT  # 'an attack near Mali': a country next to which it happened (a town counts whole)
    if ent.label_ == 'NORP' and ent.root.dep_ in ('compound', 'amod', 'nmod') and head.lemma_.lower() in DOMESTIC_NOUNS:
        return DOMESTIC_WEIGHT  # 'Kenyan police said': police work at home, as much as a place named
    return 1.0


ORIGIN_PARTICIPLES = frozenset({'based', 'born', 'bred', 'linked', 'backed', 'owned', 'flagged', 'allied', 'led', 'made',
                                'funded', 'affiliated', 'aligned', 'sponsored', 'supported', 'registered', 'operated'})


def _names_an_origin(ent):
    """Where people come from or are based, not where anything happened: 'a trader from
    Quetta', 'the Peshawar-based group', 'a Jos native'."""
    root = ent.root
    if root.dep_ == 'pobj' and root.head.lower_ == 'from':
        return True
    if _names_an_affiliation(ent):
        return True
    return root.dep_ in ('compound', 'amod', 'nmod') and root.head.lemma_.lower() in ORIGIN_NOUNS


def _names_an_affiliation(ent):
    """A name joined by a hyphen to a participle of origin or side: 'the Peshawar-based group',
    'US-linked targets', 'Iran-backed militias', 'a Greek-owned tanker'."""
    following = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    return following is not None and following.text == '-' and ent.end + 1 < len(ent.doc) \
        and ent.doc[ent.end + 1].lower_ in ORIGIN_PARTICIPLES


def _names_a_group(ent):
    """'Abala militia', 'Zintan brigades': a place that names an armed group or a band of
    people, who may act far from it."""
    return ent.root.dep_ in ('compound', 'amod', 'nmod') and ent.root.head.lemma_.lower() in GROUP_NOUNS


def _listed_after(ent):
    """A comma, 'and' or 'or' and another place follow: 'Paris, London and Berlin'."""
    doc = ent.doc
    nxt = ent.end
    return nxt < len(doc) - 1 and doc[nxt].lower_ in (',', 'and', 'or') and doc[nxt + 1].ent_type_ in PLACE_LABELS


def _listed_before(ent):
    """A place and a comma come before: the middle of 'Nairobi, Kampala and Dar es Salaam'."""
    doc = ent.doc
    return ent.start >= 2 and doc[ent.start - 1].lower_ == ',' and doc[ent.start - 2].ent_type_ in PLACE_LABELS \
        and any(t.lower_ in ('and', 'or') for t in doc[ent.end:min(ent.end + 8, ent.sent.end)])


def _a_persons_name(ent):
    """A place name right after a noun of a person is that person's name ('former world
    boxing champion Tete shot dead': not Tete in Mozambique)."""
    return ent.start > 0 and ent.doc[ent.start - 1].lemma_.lower() in human_nouns() \
        and ent.doc[ent.start - 1].pos_ == 'NOUN'


def _names_an_embassy(ent):
    """'protesters at the U.S. embassy': the entity modifies an embassy, consulate or envoy."""
    head = ent.root.head
    return ent.root.dep_ in ('compound', 'poss', 'amod', 'nmod') and head.lower_ in _MISSION_NOUNS


class EventExtractor:
    """Extracts PLOVER events from stories with one spaCy pipeline (loaded once per process).

    The pipeline's components find trigger candidates and read their sense, factuality
    and time (``doc._.triggers``); this class codes the ones that name a current event
    that happened, finds actors, place, date and tolls, and merges the mentions of one
    event across the story (see README, 'What an event is')."""

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
        self._max_age_days = load_data('temporal')['max_age_days']
        self._cumulative = [re.compile(r'\b' + re.escape(c) + r'\b') for c in counts['cumulative_cues']]
        senses = load_data('senses')['classes']
        self._follow_up_stops = frozenset(counts['follow_up_stops']) | frozenset(senses['hazard']) \
            | frozenset(senses['medical']) | frozenset(senses['accident'])
        self._vessels = frozenset(senses['vessels'])

    def extract(self, stories):
        """One list of Event dicts per story, in input order (stories parsed in batches)."""
        pairs = (self.make_doc(story) for story in stories)
        docs = ((doc, (story, title_chars)) for doc, story, title_chars in pairs)
        for doc, (story, title_chars) in self.nlp.pipe(docs, as_tuples=True, batch_size=self.batch_size):
            yield self.events_from_doc(story, doc, title_chars)

    def make_doc(self, story):
        """(unparsed Doc, story, title length in chars): the title and the text, with a
        sentence boundary after the title and the story's year for the time component."""
        title, text = _story_parts(story)
        title = sentence_case(title)
        text = _leading_paragraphs(text, PARSED_TEXT_CHARS)
        joined = f'{title}\n\n{text}' if title and text else (title or text)
        doc = self.nlp.make_doc(joined[:MAX_TEXT_CHARS])
        title_chars = len(title) if title and text else 0
        for token in doc:
            # A paragraph break (and so the title's end) always ends a sentence. The
            # boundary goes on the whitespace token: set on the next word instead, the
            # small model's parser splits that word off on its own.
            if token.is_space and '\n' in token.text and token.i > 0:
                token.is_sent_start = True
        published = as_utc_datetime(story['published_at'])
        doc.user_data['reference_year'] = published.year
        doc.user_data['title_chars'] = title_chars  # the sense component reads a headline with its lead
        doc.user_data['headline_chars'] = len(title)  # a title-only story's doc is its headline
        return doc, story, title_chars

    def events_from_doc(self, story, doc, title_chars=0, context=None):
        """Events of one parsed story (``title_chars``: length of the title at the doc's start;
        ``context``: its :class:`ArticleContext` when the caller already built it)."""
        story = dict(story, published_at=as_utc_datetime(story['published_at']))
        if _recap_title(story.get('title')) or _opinion_link(story.get('url')):
            return []  # 'This Day in History: June 9' recalls, 'Column: ...' argues: they report nothing new
        context = context or ArticleContext(doc, story, self.gazetteer, title_chars)
        reference = reference_date(story['published_at'], story.get('dateline_date'))
        matches = doc._.triggers
        if matches is None:  # an nlp without wirewatch's components: find triggers here
            matches = self.triggers.find_in_doc(doc)
        by_sentence = collections.defaultdict(list)
        for match in matches:
            by_sentence[match.token.sent.start].append(match)
        mentions, previous, verbal_attacks = [], None, set()
        for sentence_index, sent in enumerate(context.sentences):
            role = context.roles[sentence_index] if sentence_index < len(context.roles) else BODY
            sentence_matches = by_sentence.get(sent.start, ())
            if role in (TEASER, CAPTION):
                continue
            follows = role != TITLE and previous is not None and sentence_index - previous[0] <= FOLLOW_UP_SENTENCES
            if follows and not sentence_matches and _died_of_wounds(sent, previous[1]):
                continue  # 'Gunmen shot a man on Sunday. He later died of his injuries.'
            if follows and all(m.rejection == MISSING_CONTEXT for m in sentence_matches):
                # 'Gunmen attacked a village on Sunday. At least 12 people were killed.': a toll in
                # a sentence with no event of its own (or only a 'killed' that needed the violence
                # its sentence does not name) belongs to the attack just told, unless the sentence
                # names its own place, date or cause, or says it is another matter
                if _tells_its_own_story(sent, self._follow_up_stops):
                    continue
                self._assign_counts(sent, [e for e in previous[1] if e['event_type'] == 'ASSAULT'], fill_only=True)
                continue
            if not sentence_matches:
                continue
            candidates, rejected = [], set()
            for match in sentence_matches:
                rejected_here = match.rejection or (role == TITLE and _in_topic_tag(match.token, sent)) \
                    or ((role == TITLE or (sentence_index == 0 and not title_chars)) and _in_a_quoted_clause(match.token, sent)) \
                    or (role == BODY and _standing_present(match.token)) or _quoted_words_named(match.token, sent)
                event = None if rejected_here else self._code(story, sent, sentence_index, match, context, role)
                if event is not None and not self._is_current(event, reference):
                    event = None
                if event is None:
                    if not _toll_participle(match):
                        rejected.update(t.i for t in match.tokens)
                else:
                    candidates.append(event)
                    candidates.extend(self._conjoined_actors(event, context))
                    candidates.extend(self._conjoined_places(event, context))
            harms = {doc[c['_token']].head.i for c in candidates
                     if c['event_type'] == 'ASSAULT' and doc[c['_token']].dep_ in ('advcl', 'xcomp')}
            # 'police used batons on protesters, killing two': one attack, not crowd control and an attack
            candidates = [c for c in candidates if not (c['event_type'] == 'COERCE' and c['cameo_code'] == CROWD_CONTROL
                                                        and c['_token'] in harms)]
            agreed = {t.i for c in candidates if c['event_type'] == 'AGREE' for t in _agreed_content(doc[c['_token']])}
            # 'Kovia and Vessa agreed a ceasefire': one agreement; the truce is what they agreed
            candidates = [c for c in candidates if not (c['event_type'] == 'RETREAT' and c['_token'] in agreed)]
            accusations = [c for c in candidates if c['event_type'] == 'ACCUSE']
            # 'lashed out at its critics, launching a fresh attack on a minister': the attack is the words
            verbal = [c for c in candidates if accusations and _verbal_attack_restated(c, accusations, doc)]
            verbal_attacks |= {doc[c['_token']].lemma_.lower() for c in verbal}
            candidates = [c for c in candidates if not any(c is v for v in verbal)]
            protests = [c for c in candidates if c['event_type'] == 'PROTEST']
            if protests:  # 'protested against attacks that killed nine': the attacks are what it is about
                candidates = [c for c in candidates if c['event_type'] == 'PROTEST' or not any(
                    _told_as_cause(doc[c['_token']], doc[p['_token']], True, earlier=False) for p in protests)]
            if candidates:
                self._assign_counts(sent, candidates, rejected)
                scope = toll_scope(sent.text, self._cumulative)
                for event in candidates:
                    if any(event[c] is not None for c in TOLL_CATEGORIES):
                        event['toll_scope'] = scope
                merged = merge_events(candidates)
                mentions.extend(merged)
                previous = (sentence_index, merged)
        # the headline's 'attack' that its lead tells as words ('... stoush with Dutton attack')
        mentions = [m for m in mentions if not (m['_role'] == TITLE and m['event_type'] == 'ASSAULT' and m['actor1'] is None
                                                and doc[m['_token']].lemma_.lower() in verbal_attacks)]
        background = {m.entry['lemma'] for m in matches if m.time_status != 'CURRENT'}
        mentions = [m for m in mentions if not _echoes_background(m, background)]
        only_named = _only_named_in_lead(matches, context)
        mentions = [m for m in mentions if not (m['_role'] == TITLE and doc[m['_token']].lemma_.lower() in only_named)]
        if title_chars:
            title_types = {m.entry['event_type'] for m in matches if m.token.sent.start_char < title_chars}
            # a headline's court reading carries to its word in the text ('Orchard workers jailed for
            # abduction || Two orchard workers ... have been jailed'): the same sentencing
            sentenced = {m.token.lemma_.lower() for m in matches if m.rejection == COURT_SENSE
                         and m.entry['event_type'] == 'COERCE' and m.token.sent.start_char < title_chars}
            mentions = [m for m in mentions if m['_role'] == TITLE or m['actor1'] is not None
                        or doc[m['_token']].lemma_.lower() not in sentenced]  # (not 'police jailed three others')
            # a headline's denial carries to its lead ('Authorities deny arresting activist's mother ||
            # Rights group says security forces arrested the mother'): a claim against a denial
            denied = {(m.token.lemma_.lower(), m.entry['event_type']) for m in matches
                      if m.factuality == 'DENIED' and m.token.sent.start_char < title_chars}
            mentions = [m for m in mentions if m['_role'] == TITLE
                        or (doc[m['_token']].lemma_.lower(), m['event_type']) not in denied]
            mentions = [m for m in mentions if not _protest_in_passing(m, doc, title_types)]
        mentions = [m for m in mentions if not _protest_as_setting(m, doc) and not _protest_as_topic(m, doc)
                    and not _harm_as_cause(m, doc)]
        mentions = [m for m in mentions if not _cause_of_a_market_move(doc[m['_token']])]
        acts = {m.token.i: m.entry['event_type'] for m in matches if m.entry['event_type'] != 'PROTEST'}
        mentions = [m for m in mentions if not _protest_as_anothers_setting(m, doc, acts)]
        if any(m['event_type'] == 'PROTEST' for m in mentions):
            # 'protests erupted ..., with violent clashes': the clashes are the protest's
            mentions = [m for m in mentions if not _protest_scuffle(m)]
        return [_public(e) for e in salient_events(mentions)]

    def _is_current(self, event, reference):
        """False for a mention dated well before the story (a recap) or after it (a plan)."""
        date = event['event_date']
        if date is None:
            return True
        age = (reference - date).days
        if event.get('date_precision') == MONTH:  # 'in February': current in February (and just after)
            month_end = date.replace(day=calendar.monthrange(date.year, date.month)[1])
            return age >= -FUTURE_TOLERANCE_DAYS and (reference - month_end).days <= MONTH_GRACE_DAYS
        return -FUTURE_TOLERANCE_DAYS <= age <= self._max_age_days

    # --- one trigger -------------------------------------------------------------
    def _code(self, story, sent, sentence_index, match, context, role=BODY):
        entry = match.entry
        if role != TITLE and self._describes_its_noun(match.token):
            return None  # 'a move that was welcomed by ...': a relative clause describes its noun
        actor1_token, actor2_token = find_arguments(match, self.triggers)
        if actor1_token is not None and self._a_town_before(actor1_token, actor1_token.head):
            actor1_token = None  # 'Brisbane rally', 'Ankara blast', 'West Bank violence kills three': where, not who
        entry = self._as_protest(entry, match.token, actor1_token)
        if entry is None:
            return None
        if entry['event_type'] == 'ASSAULT' and self._missile_show(match, actor1_token, sent):
            entry = self.triggers.entry_for('deploy') or entry  # 'North Korea fires two ballistic missiles'
        if entry['event_type'] == 'ASSAULT' and (caused_by_hazard(match.token, actor1_token)
                                                 or _animal_victim(actor2_token, actor1_token)):
            return None
        if entry.get('mode') == 'summon' and not _foreign_envoy(match.tokens[1:]):
            return None  # a committee summoning a former ambassador to testify is no diplomatic protest
        if actor1_token is not None and entry['event_type'] == 'ASSAULT' and _alleged(match.token):
            actor1_token = None  # 'soldiers allegedly killed five civilians': who did it is only alleged
        actor1 = self._actor(actor1_token, context)
        actor2 = self._actor(actor2_token, context)
        if _accused_of(match.token):
            return None  # 'Doctor accused of rape cleared of charges': who is accused, by nobody named
        if entry['event_type'] == 'REQUEST' and _to_the_public(match.token, (actor1 or {}).get('country'), self.gazetteer):
            return None  # 'officials urge residents to stay indoors': an advisory, not a request between parties
        if entry['event_type'] == 'REQUEST' and _to_its_own_ranks(match.token):
            return None  # 'police called on all units to offer rides': an instruction inside one body
        if entry['event_type'] == 'REQUEST' and _a_bare_demand(match.token):
            return None  # 'China's demand dwarfs the rest': demand for goods, or a demand not said
        if entry['quad_class'] in VERBAL_QUADS and actor1 is None:
            return None  # a statement, demand or threat is only an event when we know who made it
        if actor1 and actor2 and actor1['name'] == actor2['name']:
            actor2 = None
        if entry['event_type'] == 'CONSULT' and actor2 is None and not _several(actor1_token) \
                and not _meeting_parties(match.tokens):
            return None  # a meeting takes two: 'the prime minister was discussing the restrictions' is none
        if entry['event_type'] == 'CONSULT' and match.token.lemma_.lower() == 'discuss' and match.token.pos_ == 'VERB' \
                and not any(c.dep_ in ('dobj', 'prep', 'ccomp', 'nsubjpass') for c in match.token.children):
            return None  # 'two presenters discuss.': a talk show's caption, nothing discussed between parties
        if entry['event_type'] == 'CONCEDE' and match.token.lemma_.lower() in ('concede', 'admit') \
                and any(c.dep_ == 'ccomp' for c in match.token.children):
            return None  # 'conceded it cannot host the tournament': an admission, nothing yielded
        if entry['event_type'] == 'CONSULT' and _private_meeting(actor1, actor2):
            return None  # 'a reporter meets hospital staff', 'bishops meet lay people'
        if entry.get('mode') == 'dismiss' and _private_employer(actor1, actor2):
            return None  # 'the broadcaster sacked two presenters' (not 'protesters oust governor')
        actor_tokens = {t.i for tok in (actor1_token, actor2_token) if tok is not None
                        for t in tok.subtree}
        if entry['event_type'] == 'PROTEST' and actor1_token is not None and actor1_token.dep_ == 'compound' \
                and actor1_token.head.i == match.token.i and actor1_token.ent_type_ == 'GPE':
            actor_tokens -= {t.i for t in actor1_token.subtree}  # 'Hong Kong vigil': who, and where too
        target_place = victim_place = None
        # the target: the acted-on, or the object the trigger took as its required word ('hits plant')
        target_token = actor2_token if actor2_token is not None else next(
            (t for t in match.tokens[1:] if t.dep_ in ('dobj', 'nsubjpass')), None)
        if target_token is None and match.token.dep_ == 'dobj' and match.token.head.lemma_.lower() in grammar()['light_verbs']:
            # 'launches new strikes on Gaza', parsed with the on-phrase on the verb
            target_token = next((g for c in match.token.head.children if c.dep_ == 'prep' and c.lower_ in ('on', 'against')
                                 for g in c.children if g.dep_ == 'pobj'), None)
        if entry['event_type'] == 'ASSAULT' and target_token is not None:
            target_place = self._target_place(target_token, context)
            if target_token.lemma_.lower() in VICTIMS_AT_HOME:
                victim_place = self._national_modifier(target_token)
        doer_country = actor1['country'] if actor1 and (entry['quad_class'] in VERBAL_QUADS
                                                        or entry['event_type'] in STATE_ACTS) else None
        place, place_source, place_entity = self._place(sent, match, actor_tokens, context, target_place, role,
                                                        doer_country, entry['event_type'] in STATE_ACTS,
                                                        protest=entry['event_type'] == 'PROTEST', victim_place=victim_place)
        if entry['event_type'] == 'ASSAULT' and place is not None and place_source in FALLBACK_SOURCES \
                and actor1 and actor1['country'] == place.iso3:
            other = self._victim_side(sent, actor1['country'], actor_tokens)
            if other is not None:  # 'Iranians suffer ... as US steps up attacks': not in the attacker's country
                place, place_source, place_entity = other, 'victim side', None
        if entry['event_type'] == 'ASSAULT' and place is not None and place_source in FALLBACK_SOURCES and _at_sea(sent) \
                and ((actor1 and actor1['country'] == place.iso3) or any(t.lemma_.lower() in self._vessels for t in sent)):
            # at sea, not in the attacker's country nor the story's: 'the US Navy shot down a drone
            # over the Red Sea', 'its tanker came under attack while transiting Hormuz'
            place, place_source, place_entity = None, AT_SEA, None
        if entry['quad_class'] in VERBAL_QUADS and actor1 and actor1.get('sector') == 'IGO' \
                and place_source in FALLBACK_SOURCES:
            # 'EU accuses China': an international body speaks from no country, not the one it names
            place, place_source, place_entity = None, NO_COUNTRY, None
        if entry['event_type'] == 'PROTEST' and place_source in ('main', 'story') and actor1 and actor1['country'] \
                and actor1_token is not None and actor1_token.head.i == match.token.i \
                and actor1_token.dep_ in ('amod', 'compound') and actor1_token.ent_type_ == 'NORP':
            # 'Serbian protest urges boycott over Israel's participation': where its people are
            place, place_source, place_entity = self.gazetteer.country(actor1['country']), 'doer', None
        if place is None and place_source not in (AT_SEA, NO_COUNTRY):
            # no place in the story at all: a verbal act happens where its doer is (or, when the
            # doer's country is unknown, where the one it addresses is: 'Sunak urged by MPs')
            order = (actor1, actor2) if entry['quad_class'] in VERBAL_QUADS else (actor2,)
            doer = next((a for a in order if a and a['country']), None)
            place = self.gazetteer.country(doer['country']) if doer else None
            place_source = 'doer'
        mentions = find_date_mentions(sent.text)
        event_date, precision = resolve_event_date(sent, story['published_at'], story.get('dateline_date'),
                                                   anchor=match.token, mentions=mentions)
        confidence = entry['confidence'] + (ACTOR_BONUS if actor1 else 0.0) + (LEAD_BONUS if role != BODY else 0.0) \
            + (SENSE_BONUS if match.sense == CONFIRMED else 0.0)
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
            'killed': None, 'injured': None, 'arrested': None, 'crowd_size': None, 'toll_scope': None,
            'sentence': sent.text.strip()[:MAX_SENTENCE_CHARS],
            'trigger': match.text,
            'confidence': confidence,
            'published_at': story['published_at'],
            'source_url': story.get('url'),
            'source_name': story.get('source_name'),
            '_token': match.token.i,
            '_tokens': {t.i for t in match.tokens},
            '_role': role,
            '_dated': any(m.kind != 'month_of' for m in mentions),  # 'the March attack' dates its noun
            '_mentions': 1,
            '_lemma': entry['lemma'],
            '_place_source': place_source,
            '_place_entity': place_entity,
            '_actor1_token': actor1_token,
            '_setting': _setting_word(match.token),
            '_told_as_its_own': entry['event_type'] == 'PROTEST' and _told_as_its_own(match.token),
        }

    def _describes_its_noun(self, token):
        """A trigger in a relative clause, opened by a relative pronoun, on a decision, a
        piece of writing, a law or a war ('a move that was welcomed by', 'an op-ed in which
        the senator called on ...', 'the war, which has killed ...'): what is told of that
        noun, not news of its own. Not a clause of time ('one dead when an ambulance hit a
        mine'), nor one on people ('gunmen, who killed three villagers, fled') or on an
        incident ('an attack that killed 12 soldiers': the clause is the attack's toll)."""
        if token.dep_ != 'relcl' or not any(t.lower_ in grammar()['relative_pronouns']
                                            for t in token.subtree if t.i < token.i):
            return False
        head = token.head
        noun = head.lemma_.lower()
        if head.i >= 2 and head.nbor(-1).text == '-':
            noun = f'{head.nbor(-2).lower_}-{noun}'  # 'op-ed' is three tokens
        return noun in SPEECH_NOUNS or noun in DESCRIBED_NOUNS or noun in factuality_cues()['decision_nouns']

    def _as_protest(self, entry, token, doer):
        """What protesters demand, decry or reject is their protest ('protesters decry the
        law', 'hundreds gathered, demanding ...'), and protesters who set fire to a building
        riot: the protest's entry (demo or riot) for such a trigger, else ``entry``."""
        g = grammar()
        if entry['event_type'] == 'PROTEST' and is_infinitive(token) and token.dep_ in ('advcl', 'xcomp') \
                and (token.head.lemma_.lower() in g['formal_protest_governors']
                     or any(c.dep_ == 'dobj' and c.lemma_.lower() in g['formal_protest_objects'] for c in token.head.children)):
            return None  # 'summoned the ambassador to protest the shooting': a formal protest, no demonstration
        doers = set()
        if doer is not None:  # 'a group of protesters'
            doers = {doer.lower_} | {o.lower_ for p in doer.children if p.dep_ == 'prep' and p.lower_ == 'of'
                                     for o in p.children if o.dep_ == 'pobj'}
        if entry['event_type'] in PROTESTERS_SAY:
            gathering = _gathering(token)
            if gathering == 'strike':
                return None  # 'workers began a strike, demanding higher pay': a labour dispute
            if doers & g['protesters'] or gathering:
                return self.triggers.entry_for('protest') or entry
        if entry['event_type'] == 'PROTEST' and self._formal_protest(token, doer):
            return self.triggers.entry_for('complain') or entry  # 'Japan protests to China over ...'
        if doers & g['protesters'] and ((entry['event_type'] == 'ASSAULT' and (entry['mode'] == 'seize' or entry['lemma'] in SCUFFLE_LEMMAS))
                                        or (entry['cameo_code'] == CROWD_CONTROL and doer.head.i == token.i)):
            # (crowd control by protesters who are its own subject: not 'protesters were chanting when a
            # driver pepper-sprayed them', whose clause borrows the protesters)
            return self.triggers.entry_for('riot') or entry  # 'protesters clashed with police', '... set fire to', '... used pepper spray'
        return entry

    def _formal_protest(self, token, doer):
        """A state's protest: the verb 'protest' said by a country or a government body
        ('Japan protests to China over ...', 'the foreign ministry protested the envoy's
        remarks'): an official complaint (ACCUSE), not a demonstration. Not a noun misread
        as a verb ('US protests over the death ... have dwindled')."""
        if token.pos_ != 'VERB' or token.lemma_.lower() != 'protest' or token.dep_ not in ('ROOT', 'conj', 'ccomp') \
                or doer is None:
            return False
        if any(c.dep_ == 'prep' and c.lower_ in grammar()['locative_prepositions'] for c in token.children):
            return False  # 'union members protested outside the director's office', 'leaders protested in the capital'
        if not any(c.dep_ == 'dobj' or (c.dep_ == 'prep' and c.lower_ in ('to', 'over', 'against')) for c in token.children) \
                or any(c.dep_ == 'prep' and c.lower_ == 'for' for c in token.children):
            return False  # a complaint has an addressee or a matter ('to China', 'over the raid'); not 'for a third day'
        if doer.ent_type_ == 'GPE':
            return self._country_named_by(doer) is not None
        return doer.lemma_.lower() in STATE_BODIES

    def _missile_show(self, match, doer, sent):
        """A state's missile launch told as a test or into the sea, with no target ('North
        Korea fires two ballistic missiles into the sea', '... in a test off its coast'): a
        show of force (MOBILIZE, CAMEO 150), not an attack. Not one fired at, on or towards
        anything, nor one told with its damage or victims; a launch told with neither ('Iran
        fired 180 missiles on Tuesday night') stays an attack."""
        if doer is None or not any(t.lemma_.lower() in MISSILE_WORDS for t in match.tokens[1:]):
            return False
        if self._country_named_by(doer) is None:
            return False
        for node in (match.token, *match.tokens[1:]):
            for prep in (c for c in node.children if c.dep_ == 'prep'):
                if prep.lower_ in AIMED_PREPOSITIONS and not any(
                        g.lemma_.lower() in OPEN_WATERS or g.ent_type_ in ('DATE', 'TIME') for g in prep.children if g.dep_ == 'pobj'):
                    return False  # 'fired missiles at Kyiv' (not 'into the sea')
        if any(t.lemma_.lower() in HARM_WORDS for t in sent):
            return False
        return any(t.lemma_.lower() in SHOW_WORDS for t in sent)  # 'into the sea', 'a test', 'off its coast'

    def _victim_side(self, sent, attacker, actor_tokens):
        """The one other country the attack's sentence names (a country, or a people named as
        such: 'Iranians'; not the attacker's, nor who reports it: 'US says ...'), or None when it names none or
        several: an attack whose only place is its attacker's country happened on the other side."""
        found = set()
        for ent in sent.ents:
            if any(t.i in actor_tokens for t in ent) or ent.label_ not in ('GPE', 'NORP'):
                continue
            if ent.root.dep_ == 'nsubj' and ent.root.head.lemma_.lower() in factuality_cues()['say_verbs']:
                continue
            if ent.label_ == 'NORP' and ent.root.dep_ in ('amod', 'compound'):
                continue  # 'fired at an Ethiopian military base': a foreign base, not the other side's land
            iso3 = self.gazetteer.demonym_country(ent.text) if ent.label_ == 'NORP' else self.gazetteer.country_named(ent.text)
            if iso3 and iso3 != attacker:
                found.add(iso3)
        return self.gazetteer.country(found.pop()) if len(found) == 1 else None

    def _country_named_by(self, token):
        """ISO-3 of the country a place entity names ('Japan', 'North Korea'), None for any
        other token (a town, a person, a word outside an entity)."""
        entity = _entity_of(token)
        if entity is None or entity.label_ != 'GPE':
            return None
        return self.gazetteer.country_named(entity.text)

    def _a_town_before(self, token, noun):
        """A place name other than a country's (or a country's part: 'West Bank')
        compounded before a noun (the event noun, or the event noun that is the doer)."""
        if not (noun.pos_ in ('NOUN', 'PROPN') and token.dep_ == 'compound' and token.head.i == noun.i
                and token.ent_type_ in ('GPE', 'LOC')):
            return False
        entity = _entity_of(token)
        if entity is None:
            return False
        if self.gazetteer.names_a_part(entity.text):
            return True  # 'West Bank violence', 'Crimea attack': a territory, not a state
        return self.gazetteer.country_named(entity.text) is None and self.gazetteer.demonym_country(entity.text) is None

    def _conjoined_actors(self, event, context):
        """'The United States and Israel launched strikes': one event per doer of another
        country, as coders of PLOVER and ACLED record them; but two that meet or agree are
        each other's partners in one event ('Trump and Putin discuss ...')."""
        token = event.pop('_actor1_token', None)
        if token is None or event['actor1'] is None:
            return []
        mutual = event['event_type'] in MUTUAL_TYPES or event['cameo_code'] in MUTUAL_CODES
        if event['actor1']['country'] is None and not mutual:
            return []  # 'joint elements of police and the national drug agency arrested': one arrest,
            # not one per doer whose country only one of them names
        copies, seen = [], {event['actor1']['country']}
        for conj in token.conjuncts:
            actor = self._actor(conj, context)
            if actor is None or actor['country'] in seen or actor['country'] is None:
                continue
            seen.add(actor['country'])
            trigger = token.doc[event['_token']]
            if mutual and not _has_partner_phrase(trigger) \
                    and (event['actor2'] is None or trigger.lemma_.lower() in TOPIC_OBJECT_VERBS):
                event['actor2'] = actor  # 'Trump and Putin discuss ...': one meeting of the two
                continue
            copy = dict(event, actor1=actor, event_id=_event_id(event['event_id'], 'conj', conj.i))
            copies.append(copy)
        return copies

    def _conjoined_places(self, event, context):
        """'Protesters took to the streets in London and Berlin': one event per country
        named in the event's own place phrase."""
        entity = event.pop('_place_entity', None)
        if entity is None:
            return []
        copies, seen = [], {event['country']}
        for conj in entity.root.conjuncts:
            ent = next((e for e in conj.sent.ents if e.start <= conj.i < e.end and e.label_ in PLACE_LABELS), None)
            place = context.resolve(ent) if ent is not None else None
            if place is None or place.iso3 in seen:
                continue
            seen.add(place.iso3)
            copies.append(dict(event, country=place.iso3, location=place.as_location(), _conjoined=True,
                               event_id=_event_id(event['event_id'], 'place', conj.i)))
        return copies

    def _actor(self, token, context):
        if token is None:
            return None
        return self.actors.code(token, context.main_country, context.countries)

    def _target_place(self, token, context):
        """The place attacked: a place named as the target ('strikes on Iran') or a
        target with a national adjective ('a Lebanese city')."""
        if token.ent_type_ in PLACE_LABELS:
            entity = _entity_of(token)
            if entity is not None:
                return context.resolve(entity)
        if token.lemma_.lower() not in TARGET_PLACE_NOUNS:
            return None  # a 'Turkish drone' shot down over Syria is Turkey's, not in Turkey
        return self._national_modifier(token)

    def _national_modifier(self, token):
        """The country of a noun's national adjective ('a Russian chemical plant'), or of a
        country's name that owns or modifies it ("Russia's oil refinery", 'Mali civilians'), else None."""
        for child in token.children:
            if child.dep_ in ('amod', 'compound') and child.ent_type_ == 'NORP':
                iso3 = self.gazetteer.demonym_country(child.text)
            elif child.dep_ in ('poss', 'compound') and child.ent_type_ == 'GPE':
                entity = _entity_of(child)
                name = entity.text if entity is not None else child.text
                iso3 = self.gazetteer.country_named(name)
            else:
                continue
            if iso3:
                return self.gazetteer.country(iso3)
        return None

    def _place(self, sent, match, actor_tokens, context, target_place=None, role=BODY, doer_country=None,
               state_act=False, protest=False, victim_place=None):
        """In-clause place ('in Kazakhstan' first), else an attacked place ('strikes on
        Iran'), else a place modifying the trigger, else where the doer is ('forces in
        Mali'), else, for a statement, the country of who made it, else the headline's place, else the dateline when it agrees with the
        story's main country, else the main country."""
        located, attached, with_actor, elsewhere, visited = [], [], [], [], []
        in_a_place_phrase = False  # an 'elsewhere' place in a phrase of place ('a hotel in Mogadishu')
        spine = _clause_spine(match.token)
        for ent in sent.ents:
            if ent.label_ not in PLACE_LABELS:
                continue
            place = context.resolve(ent)
            if place is None or _names_an_embassy(ent) or _a_persons_name(ent):
                continue
            root = _phrase_head(ent.root)  # 'at Gaza seaport cafe': Gaza names the cafe's place
            if root.i == match.token.i:
                root = ent.root  # 'West Bank violence': the place modifies the trigger itself
            if root.dep_ == 'appos' and root.head.dep_ == 'pobj':
                root = root.head  # 'in Mashkay, Awaran': the district restates the town's phrase
            if _in_cause_phrase(root, match.token):
                continue  # 'strikes ... in response to an attack in Lamu': the other event's place
            if match.entry['quad_class'] in VERBAL_QUADS and _in_what_is_said(root, match.token):
                continue  # 'accuses UQ of bending the knee to Beijing': what is said, not where
            if match.entry['quad_class'] in VERBAL_QUADS and root.i == ent.root.i and root.dep_ == 'pobj' \
                    and root.head.lower_ == 'at' and root.head.head.i == match.token.i:
                continue  # 'hits out at Beijing', 'lashed out at Washington': whom it is aimed at
            if protest and _in_grievance(root, match.token):
                continue  # 'assembled in Srinagar to protest killings in Nigeria': what it is against
            distance = abs(root.i - match.token.i)
            moves = match.entry['event_type'] in MOVEMENT_TYPES or match.entry['lemma'] in SENDING_LEMMAS
            locative = self._locative | DESTINATION if moves else self._locative
            if match.entry['event_type'] == 'ASSAULT':
                locative = locative | AIMED  # 'shot down over Syria', 'rockets fired towards Israel'
            is_locative = root.dep_ == 'pobj' and root.head.lower_ in locative \
                and not (root.i != ent.root.i and root.lemma_.lower() in grammar()['topic_nouns'])
            # (not 'arrests suspect in London real-estate scandal': the place names the matter)
            if is_locative and root.head.lower_ in AIMED and not _on_the_act(root.head, match.token):
                is_locative = False  # 'a dispute over Cameroon's policy', 'migrants heading towards Poland'
            if root.dep_ == 'dobj' and root.i == ent.root.i and root.head.i == match.token.i \
                    and match.entry['lemma'] in VISIT_LEMMAS:
                visited.append((distance, place, ent))  # a visit is where it goes: 'visited Hanoi'
                continue
            if is_locative and root.head.lower_ in BESIDE and place.precision == 'COUNTRY' and root.i == ent.root.i:
                is_locative = False  # 'an attack near Mali' was in Mali's neighbour, not in Mali
            if any(t.i in actor_tokens for t in ent):
                if is_locative and _places_its_actor(root.head, actor_tokens):
                    with_actor.append((distance, place))  # 'forces deployed in Mali killed ...': where the doer is
                continue
            if is_locative and _attaches_to(root.head, spine, locative):
                located.append((distance, place, ent))
            elif is_locative:  # 'a rally over the war in Gaza': a place of another phrase
                elsewhere.append((distance, place))
                in_a_place_phrase = True
            elif place.precision != 'COUNTRY':  # 'blocked the road between Sbikha and Kairouan'
                elsewhere.append((distance + len(sent), place))
            elif root.head.i == match.token.i and root.dep_ in ('compound', 'amod', 'nmod', 'poss'):
                attached.append((distance, place))
        if located or visited:  # the entity too: 'in London and Berlin' gives one event per conjoined place
            _, place, entity = min(located or visited, key=lambda item: item[0])
            return place, 'clause', entity
        if target_place is not None:  # before 'Israel strikes': a modifier may be the attacker
            return target_place, 'target', None
        for options, source in ((attached, 'attached'), (with_actor, 'actor')):
            if options:
                return min(options, key=lambda pair: pair[0])[1], source, None
        headline = context.headline_place if role != TITLE else None
        if elsewhere and headline is not None and not doer_country and not in_a_place_phrase \
                and all(pair[1].iso3 != headline.iso3 for pair in elsewhere):
            elsewhere = []  # 'BLM rally : Melbourne || ... in solidarity with Minneapolis': the headline's place
            # (not 'Kenya: security tightened || Gunmen stormed a hotel in Mogadishu')
        if elsewhere and not doer_country:
            return min(elsewhere, key=lambda pair: pair[0])[1], 'sentence', None
        if elsewhere and doer_country and state_act:  # 'police arrested students from a college in Kabale'
            in_country = [pair for pair in elsewhere if pair[1].iso3 == doer_country]
            if in_country:
                return min(in_country, key=lambda pair: pair[0])[1], 'sentence', None
        if doer_country and not (state_act and doer_country == context.main_country):
            # a statement is made where its maker is, not where the story is datelined
            return self.gazetteer.country(doer_country), 'doer', None
        if context.headline_place is not None and role != TITLE \
                and (not doer_country or context.headline_place.iso3 == doer_country):
            return context.headline_place, 'headline', None  # a state acts at home: not 'after Kabul blast'
        dateline = context.agreeing_dateline()
        if dateline is not None:
            return dateline, 'dateline', None
        if context.main_place is not None and not (state_act and doer_country and context.main_place.iso3 != doer_country):
            return context.main_place, 'story', None  # Vatican police arrest at home, not in the story's London
        if victim_place is not None:  # nothing else says where: 'Russian troops kill Syrian villagers'
            return victim_place, 'victims', None
        if context.main_country:
            return self.gazetteer.country(context.main_country), 'main', None
        return None, None, None

    # --- counts ----------------------------------------------------------------------
    def _assign_counts(self, sent, events, rejected=frozenset(), fill_only=False):
        """Give the sentence's counts to its events (``fill_only``: to events of an earlier
        sentence, and only where they have no figure of that kind yet)."""
        is_demonym = lambda t: t.ent_type_ == 'NORP' and t.tag_ in ('NNS', 'NNPS')  # noqa: E731
        for mention in find_counts(sent, is_demonym):
            if mention.cue in rejected:
                continue  # '12 killed' by a storm: the figure belongs to no event here
            target = next((e for e in events if mention.cue in e['_tokens']), None)
            if target is None:
                target = self._nearest_event(events, mention)
            if target is None or (fill_only and target[mention.category] is not None):
                continue
            if mention.category in TOLL_CATEGORIES and _told_as_cause(sent.doc[mention.cue], sent.doc[target['_token']],
                                                                     target['event_type'] == 'PROTEST'):
                continue  # 'protested against the killing of nine', 'after a laborer died': deaths before
            if fill_only and mention.category in TOLL_CATEGORIES:
                target['toll_scope'] = toll_scope(sent.text, self._cumulative)
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


# What a protest is about: 'protested against / over / about the killing of ...', 'protest the death of ...'
PROTEST_TOPIC = frozenset({'against', 'over', 'about', 'for'})
# What came before: 'rioted after a laborer died', 'following the death of a prisoner'.
EARLIER = frozenset({'after', 'following'})


def _accused_of(verb):
    """'accused of ...' with no object and no agent: a passive the tagger may read as active
    ('Doctor accused of raping patient cleared of charges'): its subject is the accused, and no
    accuser is named."""
    if verb.lemma_.lower() != 'accuse' or verb.pos_ != 'VERB':
        return False
    deps = {(c.dep_, c.lower_) for c in verb.children}
    return ('prep', 'of') in deps and not any(d in ('dobj', 'agent', 'dative') for d, _ in deps)


def _a_bare_demand(token):
    """A noun 'demand' that says nothing of what is demanded (no for/on phrase, no clause):
    demand for goods ('China's demand dwarfs the rest') or one named, not made."""
    return token.pos_ == 'NOUN' and token.lemma_.lower() == 'demand' \
        and not any(c.dep_ in ('prep', 'acl', 'ccomp', 'relcl', 'advcl') for c in token.children)


def _to_the_public(verb, requester_country=None, gazetteer=None):
    """The request is an advisory: its object, passive subject or for/on/upon phrase names
    residents, anyone, people, a public-health measure (testing, distancing) or the
    requester's own people by their demonym ('urges Victorians to ...'; not 'the United States
    urged Israelis to ...'), and what they are asked to do, if said, is an advisory verb ('to
    stay indoors'; not 'to resist', nor 'to take to the streets')."""
    g = grammar()
    public = g['public_addressees']
    words = _addressees(verb)
    if not words and _urges_an_advisory(verb, g['advisory_verbs']):
        return True  # 'Stay vigilant, PM Lee urges'
    if not any(w.lemma_.lower() in public or w.lower_ in public or _own_people(w, requester_country, gazetteer)
               for w in words):
        return False
    # what they are asked to do: an advisory's verb ('to stay indoors'), not a side to take ('to resist')
    asked = infinitive_clauses(verb) + [
        c for w in words for c in w.children if c.dep_ in ('acl', 'relcl') and is_infinitive(c)]
    sides = g['side_taking_objects']
    return not asked or any(c.lemma_.lower() in g['advisory_verbs'] and not any(
        w.lemma_.lower() in sides for o in c.children for w in [o] + [p for p in o.children if p.dep_ == 'pobj'])
        for c in asked)  # ('to take care' advises; 'to take to the streets', 'to take up arms' take a side)


def _addressees(verb):
    """Whom a verb of asking addresses: its object, dative or passive subject, or the object
    of its for/on/upon ('urges residents', 'calls on the units', 'residents were urged')."""
    return [c for c in verb.children if c.dep_ in ('dobj', 'dative', 'nsubjpass')] + [
        w for c in verb.children if c.dep_ in ('prep', 'prt') and c.lower_ in ('for', 'on', 'upon')
        for w in c.children if w.dep_ == 'pobj']


def _urges_an_advisory(verb, advisory_verbs):
    """The verb of asking follows an imperative with an advisory verb: 'Stay vigilant, PM
    urges' (however the parser joins the two; the imperative's own reading is factuality's
    _urged_imperative)."""
    said = [verb.head] if verb.dep_ in ('conj', 'parataxis') and verb.head.i < verb.i else []
    said += [c for c in verb.children if c.dep_ in ('ccomp', 'parataxis') and c.i < verb.i]
    return any(is_imperative(v) and v.lemma_.lower() in advisory_verbs for v in said)


def _to_its_own_ranks(verb):
    """The request addresses the asker's own ranks: units, staff, personnel (grammar own_ranks),
    named bare, by a possessive pronoun or by a word of the asker's own name ('the national
    police called on all police units'; not 'urged army units to defect', 'UN staff to leave')."""
    ranks = grammar()['own_ranks']
    asker = {t.lemma_.lower() for c in verb.children if c.dep_ in ('nsubj', 'agent') for t in c.subtree}
    for word in _addressees(verb):
        if word.head.lower_ == 'for' or (word.lemma_.lower() not in ranks and word.lower_ not in ranks):
            continue  # (what is called for is no addressee: 'calls for a new unit')
        modifiers = [c for c in word.children if c.dep_ in ('compound', 'amod', 'poss', 'nmod')] + [
            o for p in word.children if p.dep_ == 'prep' and p.lower_ == 'of' for o in p.children if o.dep_ == 'pobj']
        if all(m.lower_ in OWN_PRONOUNS or m.lemma_.lower() in asker for m in modifiers):
            return True
    return False


OWN_PRONOUNS = frozenset({'its', 'their', 'his', 'her', 'our', 'own'})


def _own_people(word, requester_country, gazetteer):
    """A people named by its demonym ('Canadians') that is the requester's own, or a people
    the gazetteer knows no country of ('Victorians') addressed by a requester of unknown
    country (a state premier); alone, not one of several peoples ('Israelis and Palestinians'),
    and not a continent's people addressed by a state ('the Kremlin urged Europeans')."""
    if word.ent_type_ != 'NORP' or word.tag_ not in ('NNPS', 'NNS') or word.conjuncts:
        return False
    country = gazetteer.demonym_country(word.text) if gazetteer is not None else None
    return country == requester_country


def _toll_participle(match):
    """'resulted in 16 killed', 'left a soldier and a militiaman killed': a participle that
    says what happened to the people it describes is the toll of the sentence's event,
    not an event of its own (its count goes to that event)."""
    if match.rejection != 'factuality:MENTIONED:participle' or match.entry['lemma'] not in TOLL_PARTICIPLES:
        return False
    head = match.token.head
    return head.like_num or any(c.dep_ in ('nummod', 'det') for c in head.children) \
        or any(c.dep_ in ('nummod', 'det') for conj in head.conjuncts for c in conj.children)


def _told_as_cause(token, trigger, is_protest, earlier=True):
    """True when ``token`` (a toll's cue or a trigger) lies in what came before ``trigger``
    ('following the death of a prisoner, residents burned ...', 'rioted after a laborer
    died') or, for a protest, in what it is about ('protested against attacks that killed
    nine', 'in protest against the death of a boy')."""
    node = token
    for _ in range(12):
        parent = node.head
        if parent.i == node.i or node.i == trigger.i:
            return False
        if earlier and node.dep_ == 'pobj' and parent.lower_ in EARLIER:
            return True
        if earlier and node.dep_ == 'advcl' and any(c.dep_ == 'mark' and c.lower_ in EARLIER for c in node.children):
            return True
        topic = node.dep_ == 'dobj' or node.dep_ == 'prep' and node.lower_ in PROTEST_TOPIC
        told_of = parent.i == trigger.i or (trigger.dep_ == 'nsubj' and parent.i == trigger.head.i)
        if topic and (parent.lemma_ == 'protest' or is_protest and told_of):
            return True  # 'protests erupted over the death of a man': the verb of the protest noun
        if parent.i == trigger.i:
            return False
        node = parent
    return False


def toll_scope(sentence_text, cues):
    """CUMULATIVE when the sentence gives a running total ('the toll rose to 45', 'so far'),
    else INCIDENT."""
    lowered = sentence_text.lower()
    return 'CUMULATIVE' if any(c.search(lowered) for c in cues) else 'INCIDENT'


def _in_a_quoted_clause(token, sent):
    """A headline's word inside a quoted clause of four words or more ("'People I hang
    around with kill people for that': How gangs changed", "'When the looting starts, the
    shooting starts'"): someone's words, not the story's report; a quoted word or name
    ('Russia says 'terrorist attack' ...') is not such a clause."""
    quotes = _quote_marks(sent)
    opening = [i for i in quotes if i < token.i]
    closing = [i for i in quotes if i > token.i]
    if not opening or not closing or len(opening) % 2 == 0:
        return False
    start, end = opening[-1], closing[0]
    return end - start - 1 >= 4 and any(t.pos_ in ('VERB', 'AUX') for t in sent[start - sent.start + 1:end - sent.start])


def _quote_marks(sent):
    """Indices of the sentence's quotation marks: not the apostrophe of "Philippines' drag
    artist", unless a quotation is open ("'shoot the looters' remark")."""
    marks = []
    for t in sent:
        if not t.is_quote:
            continue
        possessive = t.text == "'" and t.i > sent.start and not t.doc[t.i - 1].whitespace_ \
            and t.doc[t.i - 1].lower_.endswith('s')
        if possessive and not (marks and len(marks) % 2 == 1 and t.doc[marks[-1]].text == "'"):
            continue
        marks.append(t.i)
    return marks


def _quoted_words_named(token, sent):
    """A word inside quotation marks that name someone's words, the noun for them right after
    the closing mark ("Trump's 'looting, shooting' remark", "the 'kill the boer' chant"): the
    words said, not an event told."""
    quotes = _quote_marks(sent)
    closing = next((i for i in quotes if i > token.i), None)
    if closing is None or not any(i < token.i for i in quotes) or closing + 1 >= sent.end:
        return False
    return token.doc[closing + 1].lemma_.lower() in QUOTED_WORDS_NOUNS


def _in_topic_tag(token, sent):
    """'George Floyd unrest: soldiers sent home ...': a headline's topic tag before a colon
    (no verb in it) names a running story, not this story's event."""
    colon = next((t for t in sent if t.text == ':'), None)
    if colon is None or token.i > colon.i:
        return False
    before = [t for t in sent if t.i < token.i]
    if token.i == colon.i - 1 and token.lower_.endswith('s') and before and all(t.pos_ == 'PROPN' for t in before):
        return True  # 'George Floyd protests: ...', read by the small model as a name and its verb
    return not any(t.pos_ in ('VERB', 'AUX') for t in sent if t.i < colon.i)


def _echoes_background(mention, background_lemmas):
    """A headline's bare mention ('Tiananmen massacre vigil') of what the text tells as
    background ('to commemorate the 1989 massacre'): no doer, no target, no toll."""
    if mention['_role'] != TITLE or mention['_lemma'] not in background_lemmas:
        return False
    return not (mention['actor1'] or mention['actor2'] or any(mention[c] is not None for c in CATEGORIES))


COURT_SENSE = 'sense:court'
CROWD_CONTROL = '175'  # CAMEO 175, violent repression: tear gas, water cannon, batons (a COERCE here)
TOPIC_REJECTIONS = frozenset({'factuality:MENTIONED:on phrase', 'factuality:MENTIONED:about phrase'})
# Nouns of speech and comment whose on/about phrase is a topic ('remarks on the protests'; a
# 'crackdown on protests' is another matter).
SPEECH_NOUNS = frozenset({'remark', 'comment', 'statement', 'view', 'speech', 'question', 'debate', 'report',
                          'article', 'book', 'film', 'documentary', 'podcast', 'interview', 'post', 'tweet', 'stance',
                          'position', 'silence', 'opinion', 'column', 'essay', 'lecture', 'talk', 'advice', 'guide'})
# Nouns for words said, after a quotation (_quoted_words_named; not a 'report', which may confirm).
QUOTED_WORDS_NOUNS = frozenset({'remark', 'comment', 'tweet', 'post', 'slogan', 'chant', 'phrase', 'line', 'quip',
                                'jibe', 'message', 'word', 'joke', 'rhetoric', 'refrain', 'mantra'})
# Writings, rules and long wars a relative clause describes ('an op-ed in which ...', 'a law that bans
# ...', 'the war, which has killed ...'); not an incident, whose relative clause is often the news
# itself ('an attack that killed 12 soldiers').
DESCRIBED_NOUNS = frozenset({'op-ed', 'editorial', 'letter', 'video', 'law', 'bill', 'policy', 'war', 'conflict'})


def _entity_of(token):
    """The named entity ``token`` is part of, or None."""
    return next((e for e in token.sent.ents if e.start <= token.i < e.end), None)


def _protest_in_passing(mention, doc, title_types):
    """A protest the text names in passing, in a story whose headline names no protest:
    a noun ('the protests', 'unrest') with no crowd counted and no protesters named as its
    doer ('Philonise Floyd, whose brother's killing led to global protests, urges reform';
    'an officer slammed a woman to the ground during protests'). A story of a protest says
    so in its headline; one about something else names the protests as its setting. A
    protest told by its scale or its cause ('large-scale anti-government protests') is
    told as an event of its own."""
    if mention['event_type'] != 'PROTEST' or mention['_role'] == TITLE or 'PROTEST' in title_types:
        return False
    token = doc[mention['_token']]
    if token.pos_ not in ('NOUN', 'PROPN') or mention['crowd_size'] is not None or mention['actor1'] is not None:
        return False
    return not mention['_told_as_its_own']


def _protest_as_setting(mention, doc):
    """A headline's bare protest noun in a setting phrase: 'Trump taken to underground bunker
    during protests', 'Minister tells off thousands who flouted rules at a protest'. The news is
    the rest of the headline, unless the protest has a place, or a scale or cause told before it ('At huge
    Hollywood protest, an officer takes a knee', 'slogan at US protests') or a crowd counted."""
    token = doc[mention['_token']]
    if mention['event_type'] != 'PROTEST' or token.idx >= (doc.user_data.get('headline_chars') or 0) \
            or mention['crowd_size'] is not None:
        return False
    if token.pos_ not in ('NOUN', 'PROPN') or token.dep_ != 'pobj' or token.head.lower_ not in HEADLINE_SETTING_PREPOSITIONS:
        return False
    if any(t.ent_type_ in ('GPE', 'LOC', 'FAC', 'NORP') for t in token.subtree):
        return False
    return not mention['_told_as_its_own']


def _protest_as_anothers_setting(mention, doc, acts):
    """A protest noun after 'during', 'amid' or 'at' on the word of another act, in a headline
    or a lead: the setting of that act ('officers were hit by gunfire during violent protests',
    'reporters attacked during London protests', 'condemned the use of violence at nationwide
    protests'). The news is that act, coded on its own when it happened; labellers code no
    protest for it. Not a protest with a crowd counted ('thousands gathered at protests'), nor
    one after a word that names no act ('clashes erupted during protests', 'an officer takes a
    knee at a protest'), nor one that police acted on or at ('police arrested dozens during
    protests', 'fired rubber bullets at a protest'), nor a toll told with no doer ('two people
    were killed during protests'), nor a protester's act on himself ('set himself on fire')."""
    token = doc[mention['_token']]
    if mention['event_type'] != 'PROTEST' or mention['crowd_size'] is not None \
            or token.pos_ not in ('NOUN', 'PROPN') or token.dep_ != 'pobj' \
            or token.head.lower_ not in ('during', 'amid', 'amidst', 'at'):
        return False
    setting, word = token.head, token.head.head
    # the word and its own phrases: its subject, object, agent ('hit by gunfire') and other
    # prepositions ('the use of violence'); not clauses of their own nor conjoined ones
    named = [word] + [t for c in word.children if c.i != setting.i and c.dep_ in OWN_PHRASES for t in c.subtree]
    return any(t.i in acts and _another_act(t, acts[t.i]) for t in named)


def _another_act(token, event_type):
    """See :func:`_protest_as_anothers_setting`: an act that makes a protest its setting."""
    if event_type == 'COERCE' or token.lemma_.lower() in SCUFFLE_LEMMAS - {'violence'}:
        return False  # (clashes during a protest are its own: _protest_scuffle; violence condemned is no scuffle)
    children = list(token.children)
    cues = factuality_cues()
    if any(c.dep_ in ('nsubj', 'agent') and any(w.lemma_.lower() in cues['security_forces'] for w in c.subtree)
           for c in children):
        return False  # police who fire at a protest act on it
    if any(c.dep_ == 'dobj' and c.lower_ in REFLEXIVES for c in children):
        return False
    return not (token.lower_ in cues['casualty_words']
                and not any(c.dep_ in ('agent', 'nsubj') for c in children))  # ('were killed', 'left dozens injured')


REFLEXIVES = frozenset({'himself', 'herself', 'themselves', 'itself'})
OWN_PHRASES = frozenset({'nsubj', 'nsubjpass', 'dobj', 'agent', 'prep', 'attr'})


def _protest_as_topic(mention, doc):
    """A protest noun that is the subject of what is said about it, not of its happening:
    'protests worry health officials', 'unrest has intensified the debate', 'players'
    protests should be allowed', 'why the protests are so powerful'. Protests that erupt,
    spread, rock a city, turn violent or try to defy a ban happen (PROTEST_ACTS); so does one
    with a place, a crowd, its protesters or its scale or cause told ('Protests across the UK ...',
    'mass protests denounce ...')."""
    token = doc[mention['_token']]
    if mention['event_type'] != 'PROTEST' or token.pos_ not in ('NOUN', 'PROPN') or mention['crowd_size'] is not None \
            or mention['actor1'] is not None or mention['_told_as_its_own']:
        return False
    node = first_conjunct(token)  # 'protests, closed testing sites worry officials'
    if node.dep_ not in ('nsubj', 'nsubjpass') or any(t.ent_type_ in ('GPE', 'LOC', 'FAC', 'NORP') and t.i != token.i
                                                      for t in token.subtree):
        return False  # (the recogniser may take a headline's first word for a name: 'Protests/NORP ...')
    verb = node.head
    lemma = verb.lemma_.lower()
    if lemma in PROTEST_ACTS:
        return False
    own = {t.i for t in node.subtree}
    if any(t.i not in own and (t.ent_type_ in ('GPE', 'LOC', 'FAC', 'CARDINAL') or t.dep_ == 'agent')
           for t in verb.subtree):
        return False  # told with its place, crowd or agent: 'the protest attracted thousands to central Nairobi'
    # not an occurrence verb ('protests worry officials'), or one with an object of its own
    # ('unrest has intensified the debate', 'demonstrations take a toll'; not 'took place')
    return lemma not in factuality_cues()['occurrence_verbs'] or any(
        c.dep_ == 'dobj' and c.lower_ != 'place' for c in verb.children)


def _harm_as_cause(mention, doc):
    """Attacks, plural and undated, that are the subject of what they did to markets, trade
    or diplomacy ('Ukrainian drone strikes push up trucking costs', 'attacks delay
    diplomacy', 'attacks threaten exports'): the news is the effect, told in a market or
    reaction story, and the attacks are a campaign told elsewhere. Likewise attacks that rise
    or fall ('deadly attacks on aid workers surge in South Sudan'): a trend, counted over time,
    not an event (arrests that 'surged into the thousands' under a curfew are this week's
    arrests, as labellers read them). Not attacks that kill, hit, drive people out or damage,
    nor one attack or one told with its toll or its day."""
    token = doc[mention['_token']]
    if mention['event_type'] != 'ASSAULT' or token.tag_ not in ('NNS', 'NNPS') or mention['_dated'] \
            or any(mention[c] is not None for c in TOLL_CATEGORIES):
        return False  # (one strike, or one dated, is an event: 'a missile strike on the port raises prices')
    node = first_conjunct(token)  # 'fuel crisis, attacks in Azov Sea tighten squeeze'
    if node.dep_ != 'nsubj':
        return False
    return node.head.lemma_.lower() in TREND_VERBS \
        or any(c.dep_ == 'dobj' and c.lemma_.lower() in EFFECT_OBJECTS for c in node.head.children)


# Verbs of a count that changes over time (_harm_as_cause: 'attacks on aid workers surge').
TREND_VERBS = frozenset({'surge', 'rise', 'increase', 'soar', 'spike', 'jump', 'climb', 'double', 'triple',
                         'fall', 'drop', 'decline', 'decrease', 'dwindle', 'grow'})
# What attacks do to markets, trade and diplomacy (_harm_as_cause).
EFFECT_OBJECTS = frozenset({'cost', 'price', 'export', 'import', 'inflation', 'market', 'stock', 'share', 'demand',
                            'supply', 'squeeze', 'diplomacy', 'talk', 'economy', 'growth', 'trade', 'shipping',
                            'insurance', 'rate', 'output', 'production', 'premium', 'revenue', 'profit', 'sale'})


def _at_sea(sent):
    """The sentence places something at sea: a locative phrase of a sea, waters, an ocean, a
    strait or a gulf ('over the Red Sea', 'in international waters', 'off the coast')."""
    return any(t.lemma_.lower() in SEA_WORDS and t.head.lower_ in SEA_PREPOSITIONS and t.dep_ == 'pobj'
               or (t.lower_ == 'coast' and t.head.lower_ == 'off') or t.lemma_.lower() in SAILING_VERBS for t in sent)


SEA_WORDS = frozenset({'sea', 'waters', 'water', 'ocean', 'strait', 'gulf', 'channel'})
SAILING_VERBS = frozenset({'transit', 'sail'})  # 'while transiting Hormuz', 'a tanker sailing off Yemen'
SEA_PREPOSITIONS = frozenset({'in', 'over', 'across', 'off', 'near', 'through', 'into', 'at'})


def _agreed_content(trigger):
    """What an agreement's word names as agreed: its object, its passive subject, the object of its
    'to' or 'on' ('agreed a ceasefire', 'agreed to a truce', 'a ceasefire was agreed') or its
    compound ('a ceasefire agreement')."""
    for child in trigger.children:
        if child.dep_ in ('dobj', 'nsubjpass', 'compound'):
            yield child
        elif child.dep_ == 'prep' and child.lower_ in ('to', 'on'):
            yield from (o for o in child.children if o.dep_ == 'pobj')


def _has_partner_phrase(trigger):
    """The act names its partner apart from its doers ('Britain and France held talks with
    Iran'), on the trigger or on the light verb it is the object of: a 'with' phrase, or a
    name or people after 'to' (not what they agree to: 'India and Korea agree to double
    trade', where the small model reads 'to' as a preposition)."""
    nodes = [trigger] + [c for c in trigger.children if c.dep_ == 'dobj'] + ([trigger.head] if trigger.dep_ == 'dobj' else [])
    return any(c.dep_ == 'prep' and (c.lower_ == 'with' or (c.lower_ == 'to' and any(
        o.dep_ == 'pobj' and _names_a_partner(o) for o in c.children)))
        for node in nodes for c in node.children)


def _names_a_partner(noun):
    """The object of an act's 'to' that is a party: a name, people, or a meeting with one
    ('agree to talks with Washington'); not what is agreed ('to double trade')."""
    return noun.pos_ == 'PROPN' or noun.ent_type_ in PARTY_LABELS or noun.lemma_.lower() in human_nouns() \
        or any(c.dep_ == 'prep' and c.lower_ == 'with' for c in noun.children)


def _private_meeting(*actors):
    """A meeting of people none of whom acts for a state, a party, an armed group or an
    international body, and one of whom is named by a private role (a reporter, hospital
    staff, clergy, a company): no political consultation."""
    sectors = {a['sector'] for a in actors if a}
    return bool(sectors & PRIVATE_SECTORS) and not sectors & POLITICAL_SECTORS


def _private_employer(dismisser, dismissed):
    """A dismissal by an employer of a private role (a broadcaster, a company, a university,
    a church) of someone who holds no public office: no coercion. People who oust an
    official (protesters, villagers) still coerce."""
    return dismisser is not None and dismisser['sector'] in PRIVATE_SECTORS - {'CVL'} \
        and not (dismissed is not None and dismissed['sector'] in POLITICAL_SECTORS)


# Sectors that make a meeting political, and private ones (_private_meeting).
POLITICAL_SECTORS = frozenset({'GOV', 'MIL', 'COP', 'OPP', 'REB', 'IGO', 'LAB'})
PRIVATE_SECTORS = frozenset({'CVL', 'JRN', 'MED', 'EDU', 'REL', 'BUS'})


# Acts two parties do together: conjoined doers are each other's partners.
MUTUAL_TYPES = frozenset({'CONSULT', 'AGREE'})
PARTY_LABELS = frozenset({'GPE', 'NORP', 'ORG', 'PERSON', 'LOC'})  # entities that can be a partner
MUTUAL_CODES = frozenset({'057'})  # signing a formal agreement (a SUPPORT in PLOVER) takes two parties too
# Their verbs whose object is a topic, not a partner ('Trump and Putin discuss Russia's attendance').
TOPIC_OBJECT_VERBS = frozenset({'discuss', 'debate', 'negotiate'})


# Government bodies whose 'protest' is an official complaint (_formal_protest).
STATE_BODIES = frozenset({'ministry', 'government', 'embassy', 'consulate', 'mission', 'cabinet', 'presidency',
                          'kremlin', 'office', 'department'})


# What a state's launch is of, where it may land without being aimed, and the words of harm
# that make it an attack after all (_missile_show).
MISSILE_WORDS = frozenset({'missile', 'missiles', 'rocket', 'rockets'})
AIMED_PREPOSITIONS = frozenset({'at', 'on', 'into', 'toward', 'towards', 'against', 'from'})
OPEN_WATERS = frozenset({'sea', 'ocean', 'water', 'waters'})
SHOW_WORDS = frozenset({'sea', 'ocean', 'waters', 'coast', 'test', 'test-fire', 'drill', 'exercise', 'launch'})
HARM_WORDS = frozenset({'kill', 'killed', 'injure', 'wound', 'attack', 'strike', 'target', 'hit', 'damage', 'destroy',
                        'dead', 'casualty', 'victim'})


# Verbs whose protest subject happens or acts (with the occurrence verbs of
# data/factuality.json: erupt, continue, spread ...): what protests do to a place, what a
# crowd does ('a rally tried to defy the ban', 'pickets exploded petrol bombs'), how they end.
# (What they hit, mark, force or draw is news only with its place, crowd or agent told:
# 'protests hit the capital', not 'protests hit tourism'.)
PROTEST_ACTS = frozenset({'rock', 'grip', 'sweep', 'engulf', 'roil', 'shake', 'rattle', 'paralyse', 'paralyze',
                          'disrupt', 'block', 'shut', 'halt', 'turn', 'end', 'die', 'subside', 'swell', 'grow', 'mount',
                          'spill', 'greet', 'denounce', 'demand', 'decry', 'target', 'pass', 'march',
                          'enter', 'topple', 'erupt', 'spread', 'tear', 'rip', 'try', 'attempt', 'defy',
                          'explode', 'throw', 'hurl', 'burn', 'set', 'attack', 'clash', 'storm', 'occupy', 'gather',
                          'chant', 'call', 'vow', 'move', 'head', 'reach', 'surround', 'besiege', 'damage', 'loot',
                          'vandalise', 'vandalize', 'stone', 'pelt', 'injure', 'kill', 'leave'})


def _told_as_its_own(token):
    """A protest noun told by its scale, violence or cause before it ('large-scale
    anti-government protests'): an event of its own, not a setting."""
    return bool(PROTEST_OWN_WORDS.search(' '.join(t.lower_ for t in token.doc[token.left_edge.i:token.i])))


# Prepositions that make a bare protest noun the setting of a headline's news.
HEADLINE_SETTING_PREPOSITIONS = frozenset({'during', 'amid', 'at', 'for', 'after', 'over'})
# Words before a protest noun that tell its scale, violence or cause ('anti-government', 'pro-democracy').
PROTEST_OWN_WORDS = re.compile(r'\b(?:anti|pro) ?-|\blarge ?- ?scale\b|\b(?:mass|massive|huge|violent|angry|unprecedented)\b')


def _only_named_in_lead(matches, context):
    """Trigger words that the lead names only as something else than its news: every lead
    mention is rejected (a topic, a plan, a recap, another sense) and none is kept. A
    headline says what its lead says in fewer words, and the small model parses a
    headline's grammar worse ('Lahren praises Wayne for remarks on Floyd protests', with
    'protests' read as a verb): the lead's full sentence is the better reading of the
    headline's word. Only two readings carry over: another sense ('tax raid') and a topic
    of speech ('remarks on the protests', SPEECH_NOUNS; not 'a crackdown on protests'). A lead that plans, recalls or reports its word in
    another clause ('warned that 3,000 people will be arrested', 'sets of air strikes')
    says nothing of the headline's. (Not the other way round: a headline's sense is read
    from fewer words, 'strike kills two in a car' is no road accident.)"""
    starts = {sent.start for i, sent in enumerate(context.sentences)
              if i < len(context.roles) and context.roles[i] == LEAD}
    verdicts = collections.defaultdict(set)
    for match in matches:
        if match.token.sent.start not in starts:
            continue
        rejection = match.rejection
        if rejection is None:
            verdicts[match.token.lemma_.lower()].add(True)
        elif (rejection.startswith('sense:') and rejection != MISSING_CONTEXT) \
                or (rejection in TOPIC_REJECTIONS and match.token.head.head.lemma_.lower() in SPEECH_NOUNS):
            verdicts[match.token.lemma_.lower()].add(False)
    return {lemma for lemma, kept in verdicts.items() if kept == {False}}


def _phrase_head(token):
    """The noun a place name modifies ('Gaza' in 'at Gaza seaport cafe' -> 'cafe')."""
    node = token
    for _ in range(3):
        if node.dep_ in ('compound', 'amod', 'nmod', 'poss') and node.head.i != node.i:
            node = node.head
        else:
            break
    return node


# Fights that a protest's own sentence tells as part of it ('protests ..., with violent clashes').
SCUFFLE_LEMMAS = frozenset({'clash', 'scuffle', 'brawl', 'skirmish', 'fight', 'fighting', 'violence'})


def _protest_scuffle(event):
    """A clash or scuffle, or property burnt or wrecked ('police cars set ablaze'), with no
    armed doer named (told in a story of a protest: the protest's riot, not another attack)."""
    if event['event_type'] != 'ASSAULT' or (event['_lemma'] not in SCUFFLE_LEMMAS and event['mode'] != 'seize'):
        return False
    return all(event[r] is None or event[r]['sector'] in ('CVL', 'COP', 'OPP', 'EDU', 'LAB') for r in ('actor1', 'actor2'))


def _recap_title(title):
    folded = (title or '').strip().lower()
    return any(pattern.search(folded) for pattern in time_cues()['recap_titles'])


def _opinion_link(url):
    """A link under an opinion section ('https://outlet.example/opinion/2020/...')."""
    path = urllib.parse.urlsplit(url or '').path.lower()
    return any(part in time_cues()['opinion_sections'] for part in path.split('/')[:-1])


def _gathering(token):
    """'strike' for a participle told of a strike ('workers began a strike, demanding ...'),
    'protest' for one told of a protest gathering ('hundreds gathered outside City Hall,
    demanding ...') or for the purpose of one ('protested in the town to demand ...'), else None."""
    head = token.head
    if token.dep_ not in ('conj', 'advcl'):
        return None
    if any(c.dep_ == 'nsubj' and sector_for_words([c.lemma_]) in STATE_SECTORS for c in head.children):
        return None  # 'foreign ministers gathered in Brussels, calling for a ceasefire'
    if token.dep_ == 'conj':
        # 'flocked to the city to protest police brutality and call for justice' (not 'rallied his
        # party and rejected ...', nor 'marched into the town and demanded ...')
        lemma = head.lemma_.lower()
        if head.pos_ == 'VERB' and lemma in PROTEST_VERBS and (lemma in ('protest', 'picket') or not any(
                c.dep_ == 'dobj' or (c.dep_ == 'prep' and c.lower_ in ('into', 'on')) for c in head.children)):
            return 'protest'
        return None
    if is_infinitive(token) and head.lemma_.lower() in GATHERING_WORDS:
        return 'protest'  # 'shop owners protested in the town to demand ...'
    if token.tag_ != 'VBG':
        return None
    words = {head.lemma_.lower()} | {c.lemma_.lower() for c in head.children if c.dep_ in ('dobj', 'prep', 'prt')}
    if words & STRIKE_WORDS:
        return 'strike'
    return 'protest' if words & GATHERING_WORDS else None


# Verbs and objects that tell of a protest gathering ('gathered', 'took to the streets') or a strike.
GATHERING_WORDS = frozenset({'gather', 'rally', 'march', 'protest', 'demonstrate', 'assemble', 'converge', 'picket',
                             'sit-in', 'chant', 'street', 'streets'})
PROTEST_VERBS = frozenset({'protest', 'demonstrate', 'rally', 'march', 'picket'})
# What protesters say as their protest: demands, accusations, refusals (not agreements or meetings).
PROTESTERS_SAY = frozenset({'REQUEST', 'ACCUSE', 'REJECT'})
STRIKE_WORDS = frozenset({'strike', 'walkout', 'stoppage'})


# Phrases that tell what an event answers or follows: their places are that other event's.
CAUSE_NOUNS = frozenset({'response', 'retaliation', 'revenge', 'reprisal', 'reaction', 'wake', 'aftermath'})
CAUSE_PREPOSITIONS = frozenset({'after', 'following', 'since'})


def _on_the_act(prep, trigger):
    """The preposition hangs on the trigger or on its object ('shot down a drone over Syria')."""
    head = prep.head
    return head.i == trigger.i or (head.dep_ in ('dobj', 'nsubjpass') and head.head.i == trigger.i)


def _place_in_a_name(ent, gazetteer):
    """(place, weight) that a name the entity recogniser did not call a place says the story
    is in, or None: a province it took for an organisation ('southern Mudug', 'the Madhya
    Pradesh chief minister') or a city it took for a product or facility ('a Masvingo bank
    branch'), a place's weight; a town that makes up the rest of an institution's name ('the
    Gampola Hospital', 'Bannu Press Club', 'Municipal Committee Mirpurkhas') or a province
    an organisation's name opens with ('Sindh Sugar Mills Workers Federation') or ends with
    after its 'of' ('the Newspaper Guild of Pittsburgh'), half: such names are also spelled
    like towns by chance ('Paramount Hospital'). A company named
    like a town ('Nokia') and a sports club ('Chelsea Football Club') name no place."""
    words = ent[1:] if ent[0].lower_ == 'the' else ent
    if not len(words) or any(w.lower_ in SPORT_NAME_WORDS for w in words):
        return None
    lemmas = [w.lemma_.lower() for w in words]
    national = _national_body(words, lemmas, gazetteer)
    if national is not None:
        return national
    of = [w.i for w in words if w.lower_ == 'of']
    after = [w for w in words if of and w.i > of[-1]]
    if after and all(w.pos_ == 'PROPN' for w in after) and len(after) <= 3:
        place = _big_place(' '.join(w.text for w in after), gazetteer)
        if place is not None:  # 'the Newspaper Guild of Pittsburgh', 'the University of Ibadan'
            return place, DEMONYM_WEIGHT
    if not set(lemmas) & INSTITUTION_NAME_WORDS:
        whole = _big_place(words.text, gazetteer)
        if whole is not None and (whole.precision == 'ADMIN1' or ent.label_ != 'ORG'):
            return whole, 1.0
        province = _leading_province(words, gazetteer) if ent.label_ == 'ORG' else None
        return (province, DEMONYM_WEIGHT) if province is not None else None
    # the institution's own words set aside, one name must remain: the town
    rest = [w for w in words if w.lemma_.lower() not in INSTITUTION_NAME_WORDS
            and w.lower_ not in GENERIC_NAME_WORDS and w.lower_ not in INSTITUTION_DESCRIPTORS]
    if rest and all(w.pos_ == 'PROPN' for w in rest) and rest[-1].i - rest[0].i == len(rest) - 1:
        town = _big_place(' '.join(w.text for w in rest), gazetteer)
        if town is not None:
            return town, DEMONYM_WEIGHT
    return None


# The last word of a national body's name: its forces (abroad) or its police and offices (at home).
NATIONAL_BODY_NOUNS = ABROAD_NOUNS | DOMESTIC_NOUNS


def _national_body(words, lemmas, gazetteer):
    """(country, weight) of a national body named by its country: 'Myanmar Armed Forces' and
    'Kenya Defence Forces' a quarter, as forces fight abroad; 'Nigeria Police Force' as much
    as a place, as police work at home. Else None."""
    if len(words) < 2 or lemmas[-1] not in NATIONAL_BODY_NOUNS:
        return None
    for size in (3, 2, 1):
        if size >= len(words):
            continue
        iso3 = gazetteer.country_named(words[:size].text)
        if iso3:
            weight = 1.0 if set(lemmas[size:]) & DOMESTIC_NOUNS else ABROAD_WEIGHT
            return gazetteer.country(iso3), weight
    return None


def _big_place(text, gazetteer):
    """A province or a city of 15,000 or more by that name, not a common word; else None."""
    if not text[:1].isupper() or text.isupper() or text.lower() in GENERIC_NAME_WORDS:
        return None  # not an acronym ('UN' is no Indian town 'Un'), nor 'the Union government'
    place = gazetteer.resolve(text)
    if place is None or place.precision == 'COUNTRY' or place.key.startswith(SMALL_PLACE_KEYS) \
            or gazetteer.is_common_word(text):
        return None
    return place


def _leading_province(ent, gazetteer):
    """The province an organisation's name opens with ('Sindh Sugar Mills Workers
    Federation'), or None: half a nationality's evidence."""
    first = ent[0] if len(ent) else None
    if len(ent) < 2 or first.pos_ != 'PROPN' or not first.is_title or first.lower_ in GENERIC_NAME_WORDS:
        return None
    place = gazetteer.resolve(first.text)  # a province only: 'Georgia Power', 'Jordan Brand' name no country
    return place if place is not None and place.precision == 'ADMIN1' else None


def _in_cause_phrase(token, trigger):
    """'in response to an attack in Lamu', 'after a bombing in Kabul': the token sits in a
    phrase about another, earlier event (below the trigger's own words)."""
    for node in token.ancestors:
        if node.i == trigger.i or node.is_ancestor(trigger):
            return False
        if node.lemma_.lower() in CAUSE_NOUNS or (node.dep_ == 'prep' and node.lower_ in CAUSE_PREPOSITIONS):
            return True
    return False


# A verbal act's complements that tell what is said, asked or agreed ('accuses X of ...', 'urged
# X to withdraw from Y', 'talks about Z'), as dependency labels and as prepositions.
WHAT_IS_SAID_DEPS = frozenset({'ccomp', 'xcomp'})
WHAT_IS_SAID_PREPS = frozenset({'of', 'about', 'over', 'for', 'on'})


def _in_what_is_said(token, trigger):
    """The token lies in what a verbal act says, asks or is about: under one of the trigger's
    clausal complements or its of/about/over/for/on phrase."""
    node = token
    while node.head.i != node.i and node.head.i != trigger.i:
        node = node.head
    if node.head.i != trigger.i:
        return False
    return node.dep_ in WHAT_IS_SAID_DEPS or (node.dep_ == 'prep' and node.lower_ in WHAT_IS_SAID_PREPS)


def _places_its_actor(prep, actor_tokens):
    """The place phrase says where an actor is: it hangs from the actor's noun ('forces in
    Mali') or a participle on it ('forces deployed in Mali'), not from a relative clause or
    apposition that tells more about the actor ('Torzi, a middleman who bought a building
    in London')."""
    head = prep.head
    if head.dep_ == 'acl' and head.tag_ == 'VBN':
        head = head.head
    return head.i in actor_tokens and head.dep_ not in ('relcl', 'appos') \
        and not any(a.dep_ in ('relcl', 'appos') for a in head.ancestors if a.i in actor_tokens)


def _in_grievance(token, trigger):
    """The token sits in what a protest is against: its object or its against/over phrase."""
    objects = [c for c in trigger.children if c.dep_ == 'dobj']
    objects += [g for c in trigger.children if c.dep_ == 'prep' and c.lower_ in ('against', 'over')
                for g in c.children if g.dep_ == 'pobj']
    return any(o.i == token.i or o.is_ancestor(token) for o in objects)


def _clause_spine(trigger):
    """The trigger, the verb that governs it and their direct arguments: where a place
    phrase must hang to say where this event happened. A purpose infinitive's place is its
    governor's ('gathered in Srinagar to protest ...')."""
    spine = {trigger.i}
    if trigger.dep_ in ('advcl', 'xcomp') and trigger.tag_ == 'VB' and is_infinitive(trigger):
        spine.add(trigger.head.i)
    node = trigger
    for _ in range(3):
        if node.pos_ in ('VERB', 'AUX') or node.head.i == node.i:
            break
        node = node.head
        spine.add(node.i)
    for verb in (trigger, node):
        spine.update(c.i for c in verb.children if c.dep_ in ('dobj', 'nsubj', 'nsubjpass', 'attr', 'npadvmod'))
    return spine


def _attaches_to(prep, spine, locative, depth=0):
    """True when a locative preposition hangs from the spine, directly or through another
    place phrase ('killed 12 at a mosque in Peshawar')."""
    head = prep.head
    if head.i in spine:
        return True
    if depth < 3 and head.dep_ == 'pobj' and head.head.lower_ in locative:
        return _attaches_to(head.head, spine, locative, depth + 1)
    return False


def salient_events(mentions):
    """The story's events: mentions merged across sentences, title and lead first.

    A mention joins an earlier event when they can be the same event (same type and
    COERCE mode, same country, compatible actors, dates at most two days apart); the
    merged event keeps the richest fields. An event told only in the body stands when it
    is confident and carries an actor or a count, or is a protest told by its scale or cause."""
    order = {TITLE: 0, LEAD: 1, BODY: 2}
    events = []
    for mention in sorted(mentions, key=lambda m: (order.get(m['_role'], 2), m['_token'])):
        twin = next((e for e in events if same_event(e, mention)), None) \
            or next((e for e in events if same_news(e, mention)), None)
        if twin is None:
            events.append(dict(mention))
        else:
            _fold(twin, mention)
    return [e for e in events if e['confidence'] >= MIN_CONFIDENCE and (e['_role'] != BODY or _body_event_stands(e))]


def _standing_present(token):
    """True for a trigger verb in the simple present with no date in its clause, in a body
    sentence: below the lead, a wire story tells its news in the past, and its present
    tense tells a standing position or a habit ('Islamabad accuses the Taliban of harbouring
    militants', 'both accuse Republicans of a partisan exercise'); a headline's or a lead's
    present still tells the news."""
    if token.tag_ not in ('VBZ', 'VBP') or any(c.dep_ == 'aux' for c in token.children):
        return False
    if token.dep_ in ('ccomp', 'parataxis') and token.head.lemma_.lower() in SAY_LEMMAS:
        return False  # 'witnesses say troops shell the outskirts': told as it happens
    return not has_time(token)


SAY_LEMMAS = frozenset({'say', 'tell', 'report', 'claim', 'add', 'confirm'})


def _body_event_stands(event):
    has_evidence = event['actor1'] or event['actor2'] or any(event[c] is not None for c in CATEGORIES) \
        or event['_mentions'] >= 2 or event.get('_told_as_its_own')  # 'large-scale anti-government protests'
    return bool(has_evidence) and event['confidence'] >= BODY_MIN_CONFIDENCE


def same_event(a, b):
    """True when two mentions can be one event (see :func:`salient_events`)."""
    if not _same_kind_and_time(a, b):
        return False
    if a['country'] and b['country'] and a['country'] != b['country'] \
            and a['_place_source'] in STRONG_PLACE_SOURCES and b['_place_source'] in STRONG_PLACE_SOURCES:
        return False  # a headline placed by default joins the lead's event placed in its sentence
    return actors_compatible(a['actor1'], b['actor1']) and actors_compatible(a['actor2'], b['actor2'])


def _same_kind_and_time(a, b):
    """Same type (and COERCE mode), not in two towns, not dated apart."""
    if a['event_type'] != b['event_type']:
        return False
    if a['event_type'] == 'COERCE' and a['mode'] and b['mode'] and a['mode'] != b['mode']:
        return False
    if _places_differ(a, b):
        return False  # 'in Gao' and 'in Kidal': two attacks, even in one country
    # a mention without a date of its own ('12 people were killed, police said') carries the
    # story's date by default, which says nothing against the lead's 'on Sunday'
    return not (a['event_date'] and b['event_date'] and a['_dated'] and b['_dated']
                and abs((a['event_date'] - b['event_date']).days) > MERGE_DATE_DAYS)


def same_news(a, b):
    """True when a headline's mention and its lead's of one type are the story's one event
    told twice, although their actors are named differently ('Dhankar slams Gehlot' and
    'Vice-President Jagdeep Dhankhar criticized ...', 'Man shot dead' and 'police said a
    gunman killed ...'): one in the title and one in the lead, in one country (or one of
    them in none, or a statement's country only guessed from the story), in no two
    differently named places, not dated apart, the lead not saying it is another matter
    ('separately', 'another attack'), and their actors not at odds: of two countries, of
    two kinds (rebels and police), or with roles swapped (the troops who killed the
    gunmen are not the gunmen who killed twelve)."""
    if {a['_role'], b['_role']} != {TITLE, LEAD} or not _same_kind_and_time(a, b) \
            or (a['country'] and b['country'] and a['country'] != b['country']
                and not (a.get('quad_class') in VERBAL_QUADS and GUESSED_PLACE_SOURCES & {a['_place_source'], b['_place_source']})):
        # (one of no country, or a statement's only guessed from the story, may be the other's:
        # 'UN chief urges ...', 'Gladys Liu hits out at Beijing || Australia's first Chinese-born MP accused ...')
        return False
    one_toll = _same_toll(a, b)  # one toll told twice, whatever the headline took for a place or a party
    la, lb = a['location'] or {}, b['location'] or {}
    if 'COUNTRY' not in (la.get('precision'), lb.get('precision')) and la.get('name') and lb.get('name') \
            and la['name'] != lb['name'] and not one_toll:
        return False  # 'in Zamfara' and 'in Lagos', whatever their precision (but one toll told
        # twice is one event: '47 dead in strike against east Ukraine', '47 killed in Kharkiv region')
    lead = a if a['_role'] == LEAD else b
    if ANOTHER_MATTER.search(lead['sentence'] or ''):
        return False
    for role in ('actor1', 'actor2'):
        x, y = a[role], b[role]
        if x and y and not one_toll and ((x['country'] and y['country'] and x['country'] != y['country'])
                                         or not (_sectors_agree(x['sector'], y['sector'])
                                                 or _a_country_itself(x) or _a_country_itself(y))):
            return False  # (a country named alone stands for its state and its people: 'US' and 'Americans')
    return not (_share_a_word(a['actor1'], b['actor2']) or _share_a_word(a['actor2'], b['actor1']))


# A lead sentence that says it tells another event than the headline's ('another attack';
# not the pronoun of 'kidnapping another and leading police on a manhunt').
ANOTHER_MATTER = re.compile(r'\b(separate(ly)?|another(?=\s+(?!and\b|or\b)[a-z])|also|meanwhile|elsewhere)\b',
                            re.IGNORECASE)


# A toll this large, told in the title and the lead, is one event's ('two killed' may be two)
SAME_TOLL_MIN = 5


def _same_toll(a, b):
    """Both mentions tell the same number of dead, or of wounded, of at least SAME_TOLL_MIN."""
    return any(a.get(c) is not None and a.get(c) >= SAME_TOLL_MIN and a.get(c) == b.get(c)
               for c in ('killed', 'injured'))


def _a_country_itself(actor):
    """The actor is a country named alone ('US', 'Kenya'), not a party of it."""
    return actor['country'] is not None and Gazetteer.load().country_named(actor['name']) == actor['country']


def _sectors_agree(x, y):
    return 'UNK' in (x, y) or x == y or {x, y} <= STATE_SECTORS or {x, y} <= PEOPLE_SECTORS


def _share_a_word(x, y):
    return x is not None and y is not None and bool(_content_words(x) & _content_words(y))


def _content_words(actor):
    return {w for w in actor['name'].lower().split() if w not in _GENERIC_WORDS and not w[:1].isdigit()}


def _places_differ(a, b):
    """Both mentions are placed in their own sentence, in two different towns (or two
    different provinces)."""
    if a['_place_source'] not in STRONG_PLACE_SOURCES or b['_place_source'] not in STRONG_PLACE_SOURCES:
        return False
    la, lb = a['location'] or {}, b['location'] or {}
    if 'COUNTRY' in (la.get('precision'), lb.get('precision')) or not la.get('name') or not lb.get('name'):
        return False
    # a town and a province: admin1 names differ between sources (a Philippine province
    # belongs to its region), so containment is not judged
    return la['precision'] == lb['precision'] and la['name'] != lb['name']


_GENERIC_WORDS = frozenset({'the', 'a', 'an', 'of', 'and', 'other', 'two', 'three', 'several', 'some', 'many'})


def actors_compatible(a, b):
    """Two actor records can name the same party: one is missing, the names share a
    content word ('6,044 people', 'thousands of people'), or they have the same known
    sector and country ('the United States', 'Secretary of State Blinken')."""
    if a is None or b is None:
        return True
    if a['country'] and b['country'] and a['country'] != b['country']:
        return False
    words_a, words_b = _content_words(a), _content_words(b)
    if words_a & words_b:
        return True
    if a['country'] is None or a['country'] != b['country']:
        return False
    if any(x[:5] == y[:5] and len(x) >= 5 and len(y) >= 5 for x in words_a for y in words_b):
        return True  # 'Israel' and 'the Israeli (operation)': a demonym stands for its state
    if 'UNK' in (a['sector'], b['sector']):
        return False
    return a['sector'] == b['sector'] or {a['sector'], b['sector']} <= STATE_SECTORS \
        or {a['sector'], b['sector']} <= PEOPLE_SECTORS


def _more_specific(a, b):
    """True when actor ``a`` says more than ``b``: a country where ``b`` has none, else more
    proper names ('Kazakh President Kassim-Jomart Tokaev' over 'Kazakh president')."""
    if bool(a['country']) != bool(b['country']):
        return bool(a['country'])
    names = lambda actor: sum(1 for w in actor['name'].split()[1:] if w[:1].isupper())  # noqa: E731
    return names(a) > names(b)


def _richness(event):
    return (sum(1 for a in ('actor1', 'actor2') if event[a]) + sum(1 for c in CATEGORIES if event[c] is not None)
            + (1 if event['_dated'] else 0))


def _fold(kept, mention):
    """Fold a later mention into the kept event: missing fields filled, the higher toll,
    the more precise place in the same country, an explicit date over a default one."""
    richer = _richness(mention) > _richness(kept)
    kept['_told_as_its_own'] = kept.get('_told_as_its_own') or mention.get('_told_as_its_own')
    for role in ('actor1', 'actor2'):
        if mention[role] is not None and (kept[role] is None or _more_specific(mention[role], kept[role])):
            kept[role] = mention[role]
    for category in CATEGORIES:
        if mention[category] is not None and (kept[category] is None or mention[category] > kept[category]):
            kept[category] = mention[category]
            if category in TOLL_CATEGORIES:
                kept['toll_scope'] = mention['toll_scope']
    weak = kept['_place_source'] not in STRONG_PLACE_SOURCES
    if mention['country'] and (kept['country'] is None or (weak and mention['_place_source'] in STRONG_PLACE_SOURCES)
                               or (kept.get('quad_class') in VERBAL_QUADS and kept['_place_source'] in GUESSED_PLACE_SOURCES
                                   and mention['_place_source'] not in GUESSED_PLACE_SOURCES)):
        kept['country'], kept['location'] = mention['country'], mention['location']
        kept['_place_source'] = mention['_place_source']
    elif mention['location'] and kept['location'] and mention['country'] == kept['country'] \
            and PRECISION_RANK[mention['location']['precision']] > PRECISION_RANK[kept['location']['precision']]:
        kept['location'] = mention['location']
    if mention['_dated'] and not kept['_dated']:
        kept['event_date'], kept['date_precision'], kept['_dated'] = mention['event_date'], mention['date_precision'], True
    if richer:
        kept['sentence'], kept['trigger'] = mention['sentence'], mention['trigger']
    kept['confidence'] = max(kept['confidence'], mention['confidence']) + 0.02
    kept['_mentions'] += mention['_mentions']


def caused_by_hazard(trigger, agent):
    """True when a killing or attack is done by a pandemic, a disaster, an accident or an
    animal, not by people: "a pandemic that has killed 100,000", "floods killed 12",
    "100,000 killed in the pandemic", "lion attack leaves zookeeper injured"."""
    causes = _non_human_agents()
    candidates = [agent] if agent is not None else []
    # 'lion attack', 'shark attack': the noun's modifier is the doer
    candidates.extend(c for c in trigger.children if c.dep_ in ('compound', 'nmod') and c.i < trigger.i)
    candidates.extend(c for c in trigger.children if c.dep_ == 'nsubj')  # 'a shark attack killed'
    if trigger.dep_ == 'relcl':
        candidates.append(trigger.head)
    if trigger.dep_ in ('xcomp', 'oprd', 'acomp', 'ccomp', 'advcl'):  # 'lion attack leaves keeper injured'
        candidates.extend(c for c in trigger.head.children if c.dep_ == 'nsubj')
    for conj in trigger.conjuncts:  # 'attacked and injured by a grizzly bear'
        candidates.extend(g for c in conj.children if c.dep_ == 'agent' for g in c.children if g.dep_ == 'pobj')
    for child in trigger.children:
        if child.dep_ == 'advcl' and child.i > trigger.i:  # 'killed when a building collapsed'
            candidates.append(child)
            candidates.extend(c for c in child.children if c.dep_ in ('nsubj', 'nsubjpass'))
        if child.dep_ in ('prep', 'agent') and child.lower_ in ('in', 'by', 'from', 'during'):
            candidates.extend(c for c in child.children if c.dep_ == 'pobj')
    if agent is None and not any(c.dep_ in ('nsubj', 'nsubjpass') for c in trigger.children):
        # a verb with no subject in a series: 'a pandemic that has ravaged the country,
        # killed more than 100,000 people and shut down ...': the nearest noun before it
        start = max(trigger.sent.start, trigger.i - 12)
        nouns = [t for t in trigger.doc[start:trigger.i] if t.pos_ in ('NOUN', 'PROPN', 'PRON')]
        if nouns and any(n.lemma_.lower() in causes for n in nouns[-3:]) and not any(
                n.ent_type_ in ('PERSON', 'NORP', 'ORG') for n in nouns[-3:]):
            return True
    noun_only = sense_rules()['noun_only']
    for token in candidates:
        if token.pos_ in ('VERB', 'AUX') and token.lemma_.lower() in noun_only:
            continue  # 'after militants stormed his home': a verb, not a storm
        words = {token.lemma_.lower(), token.lower_}
        words.update(c.lower_ for c in token.children if c.dep_ in ('compound', 'nmod'))
        if words & causes:
            return True
    return False


@functools.lru_cache(maxsize=1)
def _non_human_agents():
    """Pandemics, disasters, accidents and animals (grammar.json), as one set."""
    return grammar()['non_violent_causes'] | grammar()['animals']


def _animal_victim(victim, doer):
    """'Rangers killed the bear': an animal killed or attacked, unless by armed raiders
    ('gunmen killed 200 cattle')."""
    if victim is None or victim.lemma_.lower() not in grammar()['animals'] and victim.lower_ not in grammar()['animals']:
        return False
    return doer is None or doer.lemma_.lower() not in sense_rules()['classes']['nonstate_armed']


def merge_events(events):
    """One event per type and doer within a sentence.

    An event whose actor names are a subset of another same-type event's actors, or
    that has the same doer, is the same event told twice ('killed in clashes with ...',
    'clashed with rebels, killing five'): counts and confidence are folded into the
    fuller one.
    """
    kept = []
    ordered = sorted(events, key=lambda e: (-len(_actor_names(e)), -e['confidence'], e['_token']))
    for event in ordered:
        names = _actor_names(event)
        twin = next((k for k in kept if k['event_type'] == event['event_type']
                     and (names <= _actor_names(k) or _same_doer(k, event) or _told_within(k, event))
                     and not ((k.get('_conjoined') or event.get('_conjoined')) and _elsewhere(k, event))), None)
        if twin is None:
            kept.append(dict(event))
            continue
        for category in CATEGORIES:
            if twin[category] is None and event[category] is not None:
                twin[category] = event[category]
                twin['toll_scope'] = twin.get('toll_scope') or event.get('toll_scope')
        twin['confidence'] = max(twin['confidence'], event['confidence'])
    return sorted(kept, key=lambda e: e['_token'])


def _setting_word(trigger):
    """The word of the trigger's in/during phrase ('injured in a shooting' -> shooting), or None."""
    return next((g.i for c in trigger.children if c.dep_ == 'prep' and c.lower_ in ('in', 'during')
                 for g in c.children if g.dep_ == 'pobj'), None)


def _told_within(a, b):
    """One mention is told inside the other's setting: 'five were injured in a shooting'."""
    return a.get('_setting') in b.get('_tokens', ()) or b.get('_setting') in a.get('_tokens', ())


def _elsewhere(a, b):
    """Two mentions placed in their own clause in different countries or towns: with one of
    them a copy for a conjoined place ('protested in London and Berlin'), two events,
    whatever their actors."""
    strong = a['_place_source'] in STRONG_PLACE_SOURCES and b['_place_source'] in STRONG_PLACE_SOURCES
    return strong and ((a['country'] and b['country'] and a['country'] != b['country']) or _places_differ(a, b))


def _same_doer(a, b):
    if a.get('country') and b.get('country') and a['country'] != b['country']:
        return False  # 'protests in London and Berlin': two events
    return a['actor1'] is not None and b['actor1'] is not None and actors_compatible(a['actor1'], b['actor1'])


def _cause_of_a_market_move(token):
    """The trigger comes after an after/as/amid/on/over that follows a verb whose subject is a
    market, a price or a trading party ('Oil rises after ... strikes on energy targets',
    'Indian shares slip as US threatens a blockade'; grammar market_movers, market_cause_marks).
    Read by word order, which holds where the small model misparses a headline."""
    g = grammar()
    movers, marks = g['market_movers'], g['market_cause_marks']
    for word in token.sent:
        if word.i >= token.i:
            return False
        # a verb with a mover as its subject (or a headline's 'Oil rises' parsed as one noun)
        moved = any(c.dep_ == 'nsubj' and c.lemma_.lower() in movers for c in word.children) if word.pos_ in ('VERB', 'AUX') \
            else word.tag_ == 'NNS' and any(c.dep_ == 'compound' and c.lemma_.lower() in movers for c in word.children)
        if moved and any(m.lower_ in marks and m.pos_ in ('ADP', 'SCONJ') and not _of_time(m)
                         for m in token.doc[word.i + 1:token.i]):
            return True
    return False


def _of_time(prep):
    """'on Tuesday', 'over the weekend': a preposition of a date, not of a cause."""
    return any(c.dep_ == 'pobj' and c.ent_type_ in ('DATE', 'TIME') for c in prep.children)


def _verbal_attack_restated(event, accusations, doc):
    """An ASSAULT named by the noun 'attack' on a person ('a fresh attack on a senior
    minister'), with no toll, told in the sentence of an accusation by the same doer or by
    no doer of its own: the accusation said again in other words (not 'launched an attack
    on its post')."""
    token = doc[event['_token']]
    if event['event_type'] != 'ASSAULT' or token.lemma_.lower() != 'attack' or token.pos_ != 'NOUN' \
            or any(event[c] is not None for c in TOLL_CATEGORIES):
        return False
    targets = [o for p in token.children if p.dep_ == 'prep' and p.lower_ in ('on', 'against')
               for o in p.children if o.dep_ == 'pobj']
    if not any(o.ent_type_ == 'PERSON' or o.lemma_.lower() in human_nouns() for o in targets):
        return False
    return event['actor1'] is None or any(_same_doer(event, a) for a in accusations)


def _actor_names(event):
    return {a['name'] for a in (event['actor1'], event['actor2']) if a}


def _public(event):
    out = {k: v for k, v in event.items() if not k.startswith('_')}
    out['confidence'] = round(min(max(out['confidence'], 0.0), MAX_CONFIDENCE), 3)
    return out


def _event_id(story_id, sentence_index, token_index):
    """Deterministic id: the same story, sentence and trigger give the same id on every run."""
    return hashlib.sha1(f'{story_id}|{sentence_index}|{token_index}'.encode('utf-8')).hexdigest()[:32]


def _leading_paragraphs(text, limit):
    """The paragraphs of ``text`` that start within its first ``limit`` characters: a wire
    story puts its facts first, and what comes after (reaction, background, boxes) adds
    no event that salience would keep, only parsing time."""
    end = text.find('\n\n', limit) if len(text) > limit else -1
    return text[:end] if end != -1 else text


def _story_parts(story):
    """(title, text) to parse: the text is dropped when it only repeats the title."""
    title = (story.get('title') or '').strip()
    text = (story.get('text') or '').strip()
    if text == title or (title and text.startswith(title) and len(text) <= len(title) + 40):
        text = ''
    return title, text


def as_utc_datetime(value):
    """published_at as an aware UTC datetime (accepts epoch milliseconds too)."""
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value / 1000.0, tz=datetime.timezone.utc)
    return value
