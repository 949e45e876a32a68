"""Factuality: did the event a trigger names happen, as the sentence tells it?

Each trigger is read in its clause and up its chain of governors (see clauses.py):
NEGATED ('did not attack', 'no clashes', 'without warning', 'failed to storm'),
DENIED ('denied attacking'), CLAIMED ('accused them of attacking', 'an alleged
attack'), HYPOTHETICAL ('could attack', headline questions), CONDITIONAL ('if they
attack'), FUTURE ('will attack', 'plans to attack', 'threat of an attack', 'a planned
protest'), ORDERED ('authorised the police to open fire', 'the order to shoot'), else
ASSERTED. Only ASSERTED triggers become events; the verbs that carry a threat, a
demand or an accusation are triggers of their own (THREATEN, REQUEST, ACCUSE).

Cue words: data/factuality.json (versioned), loaded by the registered spaCy component
``wirewatch_factuality``, which sets ``match.factuality`` and ``match.factuality_cue``
on every trigger of ``doc._.triggers``.
"""
import functools

from spacy.language import Language

from wirewatch.transforms.extract.clauses import (first_conjunct, governors, has_time, in_title, is_imperative,
                                                  is_infinitive, verb_form)
from wirewatch.transforms.extract.counts import human_nouns
from wirewatch.transforms.extract.lexicon import load_data
from wirewatch.transforms.extract.triggers import series_of

ASSERTED, NEGATED, DENIED, CLAIMED = 'ASSERTED', 'NEGATED', 'DENIED', 'CLAIMED'
HYPOTHETICAL, CONDITIONAL, FUTURE, ORDERED = 'HYPOTHETICAL', 'CONDITIONAL', 'FUTURE', 'ORDERED'
MENTIONED = 'MENTIONED'
STATUSES = (ASSERTED, NEGATED, DENIED, CLAIMED, HYPOTHETICAL, CONDITIONAL, FUTURE, ORDERED, MENTIONED)
# Where an event noun stands asserted: subject of a verb ('protests erupted'), object of a
# light verb ('held talks'), a setting ('killed in clashes', 'after strikes on Iran'), or a
# headline's head noun. Elsewhere it is only mentioned.
SETTING_PREPOSITIONS = frozenset({'in', 'during', 'with', 'by', 'at'})
# Subordinate clauses that tell what came before or after the news, not the news.
SEQUENCE_MARKS = frozenset({'after', 'before', 'until'})
# The way up from a protest to the clause it is the setting of: 'during protests' (pobj,
# prep), 'wracked by looting' (agent), 'before protesting' (pcomp), 'as he protested' (advcl).
_SETTING_CLIMB = frozenset({'pobj', 'prep', 'agent', 'pcomp', 'advcl', 'conj'})
# Event nouns that a death or an act is told after or during as its circumstance, not its
# cause: 'died after his arrest', 'kneeling on him during his arrest'.
CIRCUMSTANCE_NOUNS = frozenset({'arrest', 'detention'})
# Long-running conflicts whose running toll a relative clause tells ('a war that has killed ...').
LONG_CONFLICTS = frozenset({'war', 'conflict', 'violence', 'insurgency', 'fighting', 'unrest', 'crisis', 'uprising',
                            'rebellion', 'campaign', 'bloodshed'})
# Words of a time span of days, not months or years ('since Sunday', 'this week', 'in two days').
RECENT_SPAN = frozenset({'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'week', 'weekend',
                         'day', 'days', 'hour', 'hours', 'overnight', 'yesterday'})
# A verb's own adjectival governor that makes it future: 'is set/due/poised/likely to attack'.
_FUTURE_ADJECTIVES = ('set', 'due', 'poised', 'ready', 'about', 'likely', 'expected', 'scheduled')


@functools.lru_cache(maxsize=1)
def factuality_cues():
    """The cue lists of data/factuality.json as frozensets."""
    data = load_data('factuality')
    cues = {k: frozenset(v) for k, v in data.items() if isinstance(v, list)}
    cues['future_governors'] = frozenset(w.split()[-1] for w in data['future_governors'])
    cues['version'] = data['version']
    grammar = load_data('grammar')
    for key in ('light_verbs', 'protesters', 'crowd_nouns', 'relative_pronouns', 'participation_verbs', 'place_nouns'):
        cues[key] = frozenset(grammar[key])
    cues['security_forces'] = frozenset(load_data('senses')['classes']['security_forces'])
    counts = load_data('counts')
    cues['person_nouns'] = human_nouns()
    cues['casualty_words'] = frozenset(counts['cues']['killed'] + counts['cues']['injured'])
    triggers = load_data('triggers')['triggers']
    cues['protest_words'] = frozenset(e['lemma'] for e in triggers if e['event_type'] == 'PROTEST')
    cues['event_nouns'] = frozenset(e['lemma'] for e in triggers if 'NOUN' in e['pos'])
    cues['harm_verbs'] = frozenset(e['lemma'] for e in triggers if e['event_type'] == 'ASSAULT' and 'VERB' in e['pos'])
    # protest words that are protests on their own ('protesting', not 'taking' as in 'take to the streets')
    cues['protest_acts'] = frozenset(e['lemma'] for e in triggers if e['event_type'] == 'PROTEST' and not e.get('with'))
    return cues


# Particles of a physical move ('police moved in to disperse the crowd'), as tagged or as adverbs.
MOTION_PARTICLES = frozenset({'in', 'out', 'up', 'down', 'forward', 'back', 'on', 'off', 'over'})

# Marks of a side clause of time or cause, which keeps its own mood: what governs its verb
# (an order, a plan) does not reach into it.
SIDE_CLAUSE_MARKS = frozenset({'as', 'while', 'because', 'although', 'though', 'whereas'})


def read_factuality(token, cues=None):
    """(status, cue word) of the event named by trigger ``token``; ('ASSERTED', None) by default."""
    cues = cues or factuality_cues()
    own = _own_clause(token, cues, is_trigger=True) or _headline_verb_cue(token, cues) or _how_to(token, cues) \
        or _gerund_naming_a_threat(token, cues) or _urged_imperative(token, cues)
    if own:
        return own
    previous = token
    for governor, relation in governors(token):
        if relation in ('nsubj', 'nsubjpass') and (negating := _negating(governor, cues)) \
                and (governor.tag_ == 'VBN' or any(c.dep_ == 'mark' and c.lower_ == 'with' for c in governor.children)
                     or (' ' in negating and not any(c.dep_ == 'dobj' for c in governor.children))):
            # 'with the annual vigil canceled', 'protest called off' (not 'clashes halted traffic',
            # 'bombing puts off investors')
            return NEGATED, negating
        if relation in ('nsubj', 'nsubjpass') and governor.lemma_.lower() in cues['occurrence_verbs']:
            found = _own_clause(governor, cues)  # 'talks will resume', 'protests could erupt'
            if found:
                return found
        if relation in ('nsubj', 'nsubjpass') and (adjective := _future_complement(governor, cues)):
            return FUTURE, adjective  # 'the meetings are due to take place', 'talks are set to resume'
        if relation == 'nsubj':  # 'hopes the ceasefire can hold': climb on, the verb is no cue
            previous = governor
            continue
        if relation == 'conj':
            # a coordinated verb shares the first one's modals and negation ('did not arrest or
            # detain') and what governs it, not its meaning ('stopped a bus and killed two policemen')
            found = _own_clause(governor, cues)
            if found:
                return found
            previous = governor
            continue
        if relation == 'advcl' and not is_infinitive(previous) \
                and any(c.dep_ == 'mark' and c.lower_ in SIDE_CLAUSE_MARKS for c in previous.children):
            break  # 'orders the military to stand by as protests spread': the as-clause tells what happens
        found = _as_governor(governor, relation, previous, cues, token)
        if found is None and _inherits_mood(governor, relation, cues):
            found = _own_clause(governor, cues)
        if found:
            return found
        previous = governor
    if _purpose_infinitive(token, cues):
        return FUTURE, 'to'  # 'a plot to kidnap', 'a gathering to discuss': a purpose, not a deed
    if token.sent.text.rstrip().endswith(tuple(cues['question_marks'])):
        return HYPOTHETICAL, '?'
    mention = _only_mentioned(token, cues)
    if mention:
        return MENTIONED, mention
    return ASSERTED, None


# Verbs whose infinitive after 'is due/set/expected to' goes on with what already happens
# ('protests are expected to continue'): the protests are under way, not planned.
_GOING_ON = frozenset({'continue', 'persist', 'last', 'remain', 'go'})


def _future_complement(verb, cues):
    """'due' of 'are due to take place': a copula whose adjective ('set', 'due', 'likely', ...)
    takes an infinitive of occurrence ('take place', 'resume', 'begin'), for the subject of that
    copula (not 'the bombing, which killed 12, is likely to deepen the crisis': its effect)."""
    if verb.lemma_ == 'be':
        words = [c for c in verb.children if c.dep_ == 'acomp']
    else:  # 'talks are set to resume', parsed as a passive verb
        words = [verb] if verb.tag_ == 'VBN' and any(c.dep_ == 'auxpass' for c in verb.children) else []
    for word in words:
        if word.lower_ in _FUTURE_ADJECTIVES and any(
                c.dep_ == 'xcomp' and is_infinitive(c) and c.lemma_.lower() in cues['occurrence_verbs']
                and c.lemma_.lower() not in _GOING_ON for c in word.children):
            return word.lemma_.lower()
    return None


def _urged_imperative(token, cues):
    """'Release the prisoners, UN urges Kovia': an imperative opening a sentence in which
    someone asks it (a verb of asking later on) is what is asked, not done."""
    if token.i != token.sent.start or not is_imperative(token):
        return None
    asker = next((t for t in token.sent if t.i > token.i and t.lemma_.lower() in cues['order_governors']
                  and t.pos_ == 'VERB'), None)
    return (ORDERED, asker.lemma_.lower()) if asker is not None else None


def _how_to(token, cues):
    """'how to protest safely', 'whether to strike': an infinitive after a question word."""
    if not is_infinitive(token):
        return None
    word = next((c for c in token.children if c.dep_ in ('advmod', 'mark') and c.lower_ in cues['question_infinitives']),
                None)
    return (HYPOTHETICAL, word.lower_) if word is not None else None


def _gerund_naming_a_threat(token, cues):
    """A gerund the parser reads as a verb whose bare object is a noun of what may come
    ("Mayor backpedals after 'shooting' threat"): the gerund names the threat's content, as
    a compound would ('a bomb threat')."""
    if token.tag_ != 'VBG' or token.lemma_.lower() not in cues['harm_verbs']:
        return None  # ('Rejecting ultimatum, Kovia vows to fight on' rejects one)
    for child in token.children:
        if child.dep_ == 'dobj' and child.lemma_.lower() in cues['future_nouns'] \
                and not any(g.dep_ in ('det', 'poss', 'nummod') for g in child.children) \
                and all(t.is_punct for t in token.doc[token.i + 1:child.i]):
            return FUTURE, child.lemma_.lower()
    return None


def _headline_verb_cue(token, cues):
    """A headline verb the small model tags as a noun modifying the trigger: 'Trump cancels
    attack on Iran', 'army plans offensive', 'minister orders strike'; or one it tags as a
    noun that a gerund trigger describes ('Turkey eyes lifting sanctions')."""
    words = [c for c in token.children if c.dep_ == 'compound' and c.i < token.i and c.pos_ in ('NOUN', 'PROPN')]
    if token.tag_ == 'VBG' and in_title(token) and not any(c.dep_ in ('aux', 'auxpass') for c in token.children):
        if token.dep_ == 'acl' and token.head.pos_ == 'NOUN' and token.head.i < token.i:
            words.append(token.head)
        # ('Norland/compound eyes/nsubj lifting/ROOT sanctions'): the subject's last word is the verb
        words += [c for c in token.children if c.dep_ == 'nsubj' and c.tag_ == 'NNS'
                  and any(g.dep_ == 'compound' and g.pos_ == 'PROPN' for g in c.children)]
    for child in words:
        word = child.lower_
        forms = {word, word[:-1] if word.endswith('s') else word, word[:-2] if word.endswith('ed') else word,
                 word[:-1] if word.endswith('d') else word}
        for cue_list, status in (('negation_governors', NEGATED), ('future_object_governors', FUTURE),
                                 ('order_governors', ORDERED)):
            if status == ORDERED and token.lemma_.lower() in cues['ordered_is_done']:
                continue  # 'cities order curfews': ordering a curfew imposes it
            hit = forms & cues[cue_list]
            if hit:
                return status, hit.pop()
    return None


def _only_mentioned(token, cues):
    """The reason a trigger is named without being asserted, or None (see module doc)."""
    if token.tag_ == 'VBG' and token.dep_ in ('nsubj', 'csubj') and token.head.lemma_ == 'be' \
            and not any(c.dep_ in ('nsubj', 'poss') for c in token.children):
        return 'the act in general'  # 'Protesting is not terrorism', 'Bombing civilians is a war crime'
    if _names_a_kind(token):
        return 'modifier'  # 'a protest-related spike', 'war-linked deaths': a kind of thing, not the act
    if token.lemma_.lower() in cues['protest_words'] and _describes_another(token, cues):
        return 'setting of a description'
    if token.lemma_.lower() in cues['protest_acts'] and _describes_its_people(token, cues):
        return 'description of people'
    if token.dep_ == 'relcl' and token.head.lemma_.lower() in LONG_CONFLICTS \
            and any(c.dep_ == 'aux' and c.lower_ in ('has', 'have') for c in token.children) \
            and not any(t.ent_type_ in ('DATE', 'TIME') and t.lower_ in RECENT_SPAN for t in token.subtree):
        # 'a war that has killed 12,000': its running toll, told as background (not 'violence
        # that has killed ten people since Sunday', a flare-up told as news)
        return 'toll of a conflict'
    if token.pos_ in ('NOUN', 'PROPN') and token.dep_ in ('nsubj', 'nsubjpass', 'dobj') and token.head.dep_ == 'relcl' \
            and _named_person(token.head.head, cues) \
            and not any(c.lower_ in ('where', 'when') for c in token.head.children):
        return 'relative clause'  # 'Floyd, whose death ignited protests': who he is, not news
    verb = token
    if token.dep_ in ('dobj', 'attr') and token.head.lemma_.lower() in cues['light_verbs']:
        verb = token.head  # 'a journalist who staged an anti-war protest'
    if verb.dep_ == 'relcl':
        head = verb.head
        if _a_person(head, cues):
            return 'relative clause'  # 'a man who shot ...', 'a chief whom Paris blamed ...'
        if head.pos_ == 'NOUN' and head.dep_ == 'pobj' and _only_mentioned(head, cues):
            return 'relative clause'  # 'fury over a strike that killed scores': told as the other's cause
        if verb is token:
            return None
    clause = verb  # a light verb's clause is its object's: 'after the army launched strikes'
    while clause.dep_ in ('conj', 'xcomp') and clause.head.i != clause.i:
        clause = clause.head  # 'a policeman who tried to arrest him': the relative clause's
    if clause.dep_ == 'relcl' and clause is not token:
        return _only_mentioned(clause, cues)  # 'a man who shot and wounded ...'
    if token.dep_ == 'acl' and token.tag_ == 'VBN' and token.head.dep_ != 'ROOT' and not has_time(token) \
            and _has_finite_verb(token.sent, cues) \
            and not any(c.dep_ == 'dobj' for c in token.children):
        # (a participle with an object is a misparsed finite verb: 'a militant stabbed to death a colonel')
        # 'French forces deployed in Mali killed ...': a description ('Suspect arrested',
        # a headline's passive, hangs from the root and is asserted)
        return 'participle'
    if token.dep_ == 'advcl' and token.tag_ == 'VBN' and not has_time(token) \
            and not any(c.dep_ in ('nsubj', 'nsubjpass', 'aux', 'auxpass', 'mark') for c in token.children) \
            and (_after_a_persons_name(token, cues) or (token.i == token.sent.start and not in_title(token) and (
                token.lemma_.lower() in cues['claim_governors'] or token.lemma_.lower() in cues['reason_governors']))):
        # 'seeking justice for Breonna Taylor, killed by police': who she is; 'Charged with
        # fraud, Bankman-Fried faces ...': what is known of him (not 'Attacked by gunmen, the
        # convoy turned back', nor 'Arrested on Monday, ...')
        return 'participle'
    if clause.dep_ == 'advcl' and any(c.dep_ == 'mark' and c.lower_ in SEQUENCE_MARKS for c in clause.children):
        return 'context clause'  # '... after the premier ruled out a deal': what came before the news
    if token.dep_ in ('pcomp', 'pobj') and token.head.lower_ in ('like', 'unlike') and token.head.dep_ in ('prep', 'acomp', 'attr'):
        return 'comparison'  # 'throwing a rock is like shooting a gun'
    if _a_habits_means(token):
        return 'means of a habit'  # 'By ceding ground before striking back, forces are using a longstanding method'
    if clause.dep_ == 'pcomp' and clause.head.lower_ in SEQUENCE_MARKS and clause.tag_ == 'VBN' \
            and any(c.dep_ == 'auxpass' for c in clause.children):
        return 'context clause'  # 'After being raided, firm says ...' (but 'fled after killing five' did it)
    if token.dep_ == 'amod' and (token.tag_ in ('VBN', 'VBD', 'JJ') or (token.tag_ == 'VBG' and token.lemma_.lower() not in cues['protest_words'])):
        return 'modifier'  # 'the jailed leader', 'invading troops': a description ('protesting farmers' protest;
        # a past tense tagged as a modifier is a participle: 'Varek, accused bank robber, due in court')
    if _participle_before_its_noun(token, cues):
        return 'modifier'  # 'Junta says detained former leader Aung San met envoy', parsed as a verb
    if token.pos_ not in ('NOUN', 'PROPN') and not (token.tag_ == 'VBG' and token.dep_ == 'conj'
                                                    and token.head.pos_ in ('NOUN', 'PROPN')):
        return None  # (a gerund listed with nouns is one of them: 'accountable for riots and looting')
    node = first_conjunct(token)
    if (series := series_of(node)) is not None and series.dep_ not in ('pobj', 'pcomp') \
            and not (series.dep_ in ('nsubj', 'nsubjpass') and any(c.dep_ == 'aux' and c.tag_ == 'MD'
                                                                    for c in series.head.children)):
        node = series  # 'completed its latest wave of strikes': the wave's clause is the strikes'
        # (not 'died in a spate of shootings': a setting, as any event noun in a phrase)
    dep, head = node.dep_, node.head
    if dep == 'dep' and (before := _word_before(node)) is not None and before.dep_ == 'pobj':
        # a noun the parser left hanging after a preposition's object continues that phrase:
        # 'learned about pain, protests', 'the narrative of the White House protests'
        node, dep, head = before, 'pobj', before.head
    if dep in ('ROOT', 'nsubj', 'nsubjpass', 'appos', 'npadvmod', 'dep') or head.i == node.i:
        return None
    if dep in ('dobj', 'attr', 'oprd'):
        lemma = head.lemma_.lower()
        if lemma in cues['light_verbs'] or lemma in cues['factive_object_verbs'] or lemma in cues['causal_verbs'] \
                or head.pos_ not in ('VERB', 'AUX') or any(
                    c.dep_ == 'prt' and f'{lemma} {c.lower_}' in cues['factive_object_verbs'] for c in head.children):
            return None  # 'held talks', 'repelled the attack', 'ignites protests'
        if any(c.dep_ in ('relcl', 'acl') and _casualty_clause(c, cues) for c in node.subtree):
            return None  # 'condemned the attack that left one person dead': its toll is news
        return f'object of {lemma}'
    if dep in ('pobj', 'pcomp'):  # (a noun the parser hangs as a pcomp is a preposition's object too)
        prep = head.lower_
        if prep == 'on' and head.head.lemma_.lower() in ('go', 'be', 'stay', 'remain'):
            return None  # 'went on hunger strike'
        if prep == 'under' and not any(c.dep_ in ('det', 'poss', 'amod') for c in token.children):
            return None  # 'Kyiv under attack by Russian missiles', 'a convoy came under fire': it is happening
        if prep == 'from' and head.head.lemma_.lower() in ('toll', 'death', 'casualty', 'fatality'):
            return None  # 'the death toll from the bombing'
        if prep in ('after', 'following', 'in') and _casualty_clause(head.head, cues) \
                and token.lemma_.lower() not in CIRCUMSTANCE_NOUNS:
            return None  # 'eight people are feared dead after a clash', 'three dead in mall shooting':
            # the deaths are its own
            # (not 'a man died after his arrest': the arrest is the death's circumstance)
        if prep in ('during', 'after', 'before') and token.lemma_.lower() in CIRCUMSTANCE_NOUNS \
                and (any(c.dep_ == 'poss' for c in token.children) or _in_a_persons_relative_clause(head, cues)):
            # 'kneeling on him during his arrest', 'Floyd, whose death after an officer pressed a
            # knee on his neck during an arrest ...': the arrest is the setting
            return f'{prep} phrase'
        if prep in ('during', 'in', 'at') and head.head.dep_ == 'acl' and head.head.tag_ == 'VBN' \
                and _only_mentioned(head.head, cues) == 'participle':
            return 'setting of a description'  # 'the remains of a sailor killed during the attack on Pearl Harbor'
        if prep in SETTING_PREPOSITIONS and head.head.pos_ in ('VERB', 'AUX', 'NOUN', 'PROPN') \
                and (head.head.pos_ in ('VERB', 'AUX') or prep != 'in'):
            return None
        return f'{prep} phrase'
    return None


# Second halves of a hyphenated modifier made of an event word: 'protest-related', 'war-linked'.
_KIND_PARTICIPLES = frozenset({'related', 'relate', 'linked', 'link', 'induced', 'induce', 'driven', 'drive', 'fuelled',
                               'fueled', 'fuel', 'hit', 'torn', 'ravaged', 'weary', 'prone', 'affected', 'affect'})


def _names_a_kind(token):
    """A trigger that opens a hyphenated modifier ('protest-related', 'war-torn')."""
    doc = token.doc
    return token.i + 2 < len(doc) and doc[token.i + 1].text == '-' and not doc[token.i + 1].whitespace_ \
        and not token.whitespace_ and doc[token.i + 2].lower_ in _KIND_PARTICIPLES


def _in_a_persons_relative_clause(word, cues):
    """Whether a word stands in a relative clause that tells who a person is ('Floyd, whose
    death after an officer pressed a knee on his neck ...')."""
    node = word
    while node.head.i != node.i:
        if node.dep_ == 'relcl':  # (the tagger may take a name for a firm's: 'who' or 'whose' tells)
            return _named_person(node.head, cues) or any(t.lower_ in ('who', 'whose', 'whom') for t in node.subtree)
        node = node.head
    return False


def _after_a_persons_name(token, cues):
    """A word right after a comma that follows a name a campaign is for ('seeking justice for
    Breonna Taylor, killed by ...'), not one a funeral or a crowd mourns now."""
    doc = token.doc
    if token.i < 2 or doc[token.i - 1].text != ',':
        return False
    name = doc[token.i - 2]
    if name.pos_ != 'PROPN' or name.dep_ != 'pobj':
        return False
    holder = name.head.head  # 'justice for X', or the verb of 'seek justice for X'
    return any(w.lemma_.lower() in cues['campaign_nouns'] for w in [holder] + [c for c in holder.children if c.dep_ == 'dobj'])


def _a_habits_means(token):
    """A trigger inside a sentence-opening 'by' + gerund phrase that tells how something is done
    in the present, with no date: 'By ceding ground before striking back, Moscow's forces are using a
    longstanding method', headline 'By firing rubber bullets at protesters, police risk ...'
    (not 'Protesters blocked the road on Monday by setting fire to tyres': one past act; nor
    'Rebels are punishing villagers by burning their homes': what they are doing now)."""
    node = token
    for _ in range(4):
        if node.dep_ == 'pcomp' and node.head.lower_ == 'by' and node.tag_ == 'VBG' and node.head.i == node.sent.start:
            verb = node.head.head
            form = verb_form(verb)
            present = form == 'simple' or (form == 'progressive' and not any(c.lower_ in ('was', 'were') for c in verb.children)) \
                or (verb.dep_ == 'ROOT' and verb.pos_ == 'NOUN')  # (a headline the parser took for a noun phrase)
            return present and not has_time(verb)
        if node.head.i == node.i:
            break
        node = node.head
    return False


def _word_before(token):
    """The nearest word before the token that is no punctuation, in its sentence."""
    return next((t for t in reversed(token.doc[token.sent.start:token.i]) if not t.is_punct), None)


def _casualty_clause(word, cues):
    """'killed', 'dead', 'were injured', 'are feared dead': a word that tells people killed or hurt."""
    return word.lemma_.lower() in cues['casualty_words'] or any(
        c.dep_ in ('oprd', 'acomp', 'amod') and c.lemma_.lower() in cues['casualty_words'] for c in word.children)


def _possibly(governor, clause, cues):
    """'it was possible (that) she was abducted', 'it is unclear whether troops fired': the
    clause under a word of possibility. Not a question of detail, which takes the event as
    given ('unclear why soldiers opened fire', 'how many were killed')."""
    adjective = governor if governor.lower_ in cues['possibility_adjectives'] else next(
        (c for c in governor.children if c.dep_ == 'acomp' and c.lower_ in cues['possibility_adjectives']), None)
    if adjective is None:
        return False
    opening = [t for t in clause.subtree if t.i < clause.i]
    if any(t.tag_ in ('WDT', 'WP', 'WRB', 'WP$') for t in opening):
        return False
    marks = {c.lower_ for c in clause.children if c.dep_ == 'mark'}
    return adjective.lower_ != 'unclear' or bool(marks & {'whether', 'if'})


def _a_person(token, cues):
    """A person, or any proper noun or pronoun that may name one."""
    return token.pos_ in ('PROPN', 'PRON') or _named_person(token, cues)


def _named_person(token, cues):
    """A person's name or a person noun, not a place's or a group's name."""
    return token.ent_type_ == 'PERSON' or token.lemma_.lower() in cues['person_nouns']


def _describes_another(token, cues):
    """A protest told inside a clause that describes someone or something else: 'officers
    injured during protests', 'a man arrested at a protest', 'Floyd, who worked for years
    before protesting ...', 'anger which culminated in protests'. The clause is about its
    noun; the protest is its setting (the protest itself is news only where it is told as
    such). Not a clause on the protesters themselves ('people protesting the death ...') or
    on another event ('a blockade coupled with a hartal'), nor one with a doer of its own."""
    node = token
    while node.dep_ in _SETTING_CLIMB and node.head.i != node.i and not is_infinitive(node):
        node = node.head  # (an infinitive is a purpose: 'a shutdown called to protest the project')
    if node is token or node.dep_ not in ('acl', 'relcl') or node.head.pos_ not in ('NOUN', 'PROPN', 'PRON'):
        return False
    if any(c.dep_ in ('nsubj', 'nsubjpass') and c.lower_ not in cues['relative_pronouns'] for c in node.children):
        return False  # a relative clause with a doer of its own tells what it did: 'a feast during which they ...'
    if node.lemma_.lower() in cues['participation_verbs']:
        return False  # 'teachers taking part in a protest'
    described = node.head
    lemma = described.lemma_.lower()
    return lemma not in cues['event_nouns'] and described.lower_ not in cues['protesters'] \
        and lemma not in cues['crowd_nouns'] and lemma not in cues['place_nouns'] and not _a_place_name(described)


def _describes_its_people(token, cues):
    """A participle that tells who the people are whom a clause says something of: 'a warning
    to people protesting the death', 'solidarity with Americans protesting', 'those
    protesting have been treated harshly', 'a fine on a student protesting against it'
    (PEOPLE_DESCRIBED_BY). Not people who act ('thousands of farmers protesting new taxes
    drove tractors into Paris'), nor a crowd acted on for it ('police arrested dozens of
    people protesting outside parliament'): there the protest is part of the news."""
    if token.dep_ != 'acl' or token.tag_ != 'VBG':
        return False
    people = token.head
    if people.pos_ not in ('NOUN', 'PROPN', 'PRON') or people.lower_ in cues['protesters'] \
            or people.lemma_.lower() in cues['event_nouns'] or _a_place_name(people):
        return False
    node = people
    while node.dep_ == 'pobj' and node.head.lower_ == 'of' and node.head.head.i != node.head.i:
        node = node.head.head  # 'dozens of people protesting', 'thousands of others protesting'
    if node.dep_ == 'pobj':
        preposition = node.head
        governor = preposition.head
        if preposition.lower_ == 'with' and governor.lower_ == 'along':
            governor = governor.head  # 'attended rallies along with thousands of others protesting'
    elif node.dep_ in ('nsubj', 'nsubjpass'):
        governor = node.head
    else:
        return False
    return governor.lemma_.lower() in PEOPLE_DESCRIBED_BY


# What a clause says of people a protest participle describes: a message or a stance
# towards them, how they are treated or what they are.
PEOPLE_DESCRIBED_BY = frozenset({'warning', 'message', 'solidarity', 'sympathy', 'support', 'fine', 'letter', 'appeal',
                                 'advice', 'praise', 'criticism', 'threat', 'attend', 'be', 'treat', 'seem', 'feel',
                                 'describe', 'call', 'urge', 'tell', 'thank', 'warn', 'express', 'impose', 'send'})


def _a_place_name(token):
    """A place's name ('Kano, which was rocked by riots'), not a person's the recogniser took
    for one ('Mr Delcourt')."""
    return token.ent_type_ in ('GPE', 'LOC', 'FAC') and not any(c.lower_.rstrip('.') in _HONORIFICS for c in token.children)


_HONORIFICS = frozenset({'mr', 'ms', 'mrs', 'dr', 'sir', 'miss', 'madam'})


def _has_finite_verb(sent, cues):
    """False for headline-style sentences ('Drug suspect arrested for dangerous driving'),
    whose participles are the news, not descriptions; a headline's attribution does not
    count ('Czech citizen detained in China, foreign ministry says'), unless it says what
    happened to the participle's noun ('Missionary kidnapped in Niger said to be released')."""
    return any(t.tag_ in ('VBD', 'VBZ', 'VBP', 'MD') and (t.lemma_.lower() not in cues['say_verbs']
                                                         or any(c.dep_ == 'xcomp' for c in t.children)) for t in sent)


def _inherits_mood(governor, relation, cues):
    """True when the governor's modals and negation also bind the trigger: coordinated and
    complement verbs ('could attack and kill', 'tried to storm'), and the object of a light
    verb ('will hold talks'); not a noun's relative clause or a prepositional setting."""
    if relation in ('xcomp', 'conj', 'pcomp'):
        return True
    lemma = governor.lemma_.lower()
    if relation in ('dobj', 'prep') and lemma in cues['causal_verbs']:
        return True  # 'could presage strikes', 'may lead to protests'
    return relation in ('dobj', 'attr') and lemma in cues['light_verbs']


def _nobody(subject, cues):
    """The cue word of a subject that names no one ('neither', 'none', 'nobody', 'no one'), or None."""
    word = subject.lower_
    if word == 'one' and any(c.dep_ == 'det' and c.lower_ == 'no' for c in subject.children):
        word = 'no one'
    return word if word in cues['negation_subjects'] else None


def _negating(verb, cues):
    """The cue when ``verb`` undoes what it governs: a lemma of negation_governors ('cancel'),
    or one with its particle of negation_phrasals ('called off'); else None."""
    lemma = verb.lemma_.lower()
    if lemma in cues['negation_governors']:
        return lemma
    return next((f'{lemma} {c.lower_}' for c in verb.children
                 if c.dep_ == 'prt' and f'{lemma} {c.lower_}' in cues['negation_phrasals']), None)


def _own_clause(node, cues, is_trigger=False):
    """Cues among a node's own dependents: negation, modals, future auxiliaries, conditionals."""
    for child in node.children:
        word = child.lower_
        if child.dep_ in cues['negation_deps'] or (child.dep_ == 'advmod' and word in cues['negation_adverbs']):
            return NEGATED, word
        if child.dep_ == 'det' and word in cues['negation_determiners'] and node.pos_ in ('NOUN', 'PROPN'):
            return NEGATED, word
        if is_trigger and child.dep_ in ('nsubj', 'nsubjpass') and node.pos_ in ('VERB', 'AUX') \
                and (nobody := _nobody(child, cues)) and node.lemma_.lower() not in cues['casualty_words']:
            return NEGATED, nobody  # 'neither has been accused'; 'no one was killed' is a toll of 0
        if child.dep_ in ('amod', 'acl', 'advcl') and child.tag_ == 'VBN' and node.pos_ in ('NOUN', 'PROPN') \
                and (negating := _negating(child, cues)):
            return NEGATED, negating  # 'the cancelled vigil', 'with the vigil canceled', 'protest called off'
        if child.dep_ == 'acl' and is_infinitive(child) and node.pos_ in ('NOUN', 'PROPN') and node.dep_ == 'ROOT' \
                and child.lemma_.lower() in cues['occurrence_verbs'] and child.lemma_.lower() != 'continue' \
                and not any(c.dep_ in ('det', 'amod') and c.tag_ in ('DT', 'JJS') for c in node.children):
            return FUTURE, 'to'  # 'Venezuela talks to begin', 'strike to go ahead': a headline's future
            # (not 'the largest protest to take place in years drew 50,000')
        if child.dep_ == 'acl' and child.tag_ in ('VBN', 'VBD') and node.pos_ in ('NOUN', 'PROPN') \
                and child.lemma_.lower() in ('plan', 'schedule', 'propose') and not _planned_long_ago(child):
            return FUTURE, child.lemma_.lower()  # 'Protests planned for Newport Beach', 'a strike scheduled for Monday'
        if child.dep_ == 'aux' and child.tag_ == 'MD':
            if word in cues['future_auxiliaries']:
                return FUTURE, word
            if word in cues['hypothetical_modals']:
                return HYPOTHETICAL, word
        if child.dep_ == 'mark' and word in cues['conditional_marks']:
            return CONDITIONAL, word
        if child.dep_ in ('amod', 'advmod') and word in cues['claim_modifiers'] and not _harm_told(node, child, cues):
            return CLAIMED, word
        if child.dep_ == 'aux' and word == 'to' and node.tag_ == 'VBN' and in_title(node) \
                and any(c.dep_ == 'auxpass' and c.lower_ == 'be' for c in node.children):
            return FUTURE, 'to be'  # headline 'Man who killed mum to be deported', however it is parsed
        if child.dep_ in ('nsubjpass', 'csubj', 'csubjpass') and child.tag_ == 'VBG' and child.i < node.i \
                and child.lemma_.lower() in cues['claim_governors']:
            return CLAIMED, child.lemma_.lower()  # 'sue police, alleging a man was shot' (parsed as its subject)
        if child.dep_ == 'amod' and word in cues['future_modifiers'] and node.pos_ in ('NOUN', 'PROPN'):
            return FUTURE, word
        if child.dep_ == 'aux' and word == 'going' and any(g.lower_ == 'to' for g in node.children):
            return FUTURE, 'going to'
        if child.dep_ in ('compound', 'nmod') and (child.lemma_.lower() in cues['order_nouns'] or word in cues['order_nouns']) \
                and node.lemma_.lower() not in cues['ordered_is_done']:
            return ORDERED, word  # 'Moscow court orders arrest of ...', 'shoot-to-kill order'
        if child.dep_ == 'aux' and word == 'to' and (node.dep_ == 'ROOT' or (node.dep_ == 'acl' and node.head.pos_ == 'PROPN')
                                                     or (node.dep_ == 'ccomp' and _nsubj_before(node))
                                                     or (node.dep_ in ('acl', 'relcl') and node.head.dep_ == 'ROOT'
                                                         and in_title(node) and node.tag_ == 'VB')):
            return FUTURE, 'to'  # headline 'Rubio to host conference', 'Ukraine to conduct attacks, Zelenskiy says',
            # 'Conservative group behind state laws to face protest at gala' (parsed as a relative clause)
    if node.dep_ in ('pobj', 'pcomp') and node.head.lower_ in cues['negation_prepositions']:
        return NEGATED, node.head.lower_
    return None


def _planned_long_ago(participle):
    """'planned by students', 'planned for weeks': who planned it or how long, told of a
    protest that may since have happened ('Protests planned for weeks erupted on Saturday')."""
    return any(c.dep_ == 'agent' for c in participle.children) or any(
        g.lemma_.lower() in ('week', 'month', 'year', 'day') for c in participle.children
        if c.dep_ == 'prep' and c.lower_ == 'for' for g in c.children if g.dep_ == 'pobj')


def _harm_told(verb, modifier, cues):
    """'A girl was allegedly abducted', 'an 11-year-old allegedly shot two teens': the adverb
    hedges who did the harm, not that people were harmed, which the report tells as fact (a
    violent verb with people as its victims); 'allegedly attacked a convoy' stays a claim."""
    if modifier.dep_ != 'advmod' or verb.pos_ != 'VERB' or verb.lemma_.lower() not in cues['harm_verbs']:
        return False
    return any(c.dep_ in ('dobj', 'nsubjpass') and (
        c.lemma_.lower() in cues['person_nouns'] or c.like_num or c.ent_type_ in ('PERSON', 'NORP', 'CARDINAL')
        or c.lower_ in ('him', 'her', 'them', 'he', 'she', 'they') or any(g.dep_ == 'nummod' for g in c.children))
        for c in verb.children)


def _participle_before_its_noun(token, cues):
    """A participle the parser took for a verb: with no subject and no object of its own, right
    before the subject of the next clause ('says detained former leader Aung San met an envoy':
    'detained' describes the leader; 'says police detained five' has its subject), or between
    commas after a name ('Tobin Varek, accused bank robber, due in court')."""
    if token.tag_ not in ('VBN', 'VBD'):
        return False
    doc = token.doc
    subject = next((c for c in token.children if c.dep_ == 'nsubj'), None)
    obj = next((c for c in token.children if c.dep_ == 'dobj'), None)
    if subject is not None and obj is not None and token.i >= 2 and doc[token.i - 1].text == ',' \
            and subject.i == token.i - 2 and obj.i + 1 < len(doc) and doc[obj.i + 1].text == ',':
        return True  # an apposition between commas: 'Tobin Varek, accused bank robber, due in court'
    before = doc[token.i - 1] if token.i > token.sent.start else None
    if before is not None and before.tag_ in ('VBZ', 'VBP') and in_title(token) and obj is not None \
            and before.lemma_.lower() not in ('be', 'have') and before.lemma_.lower() not in cues['telling_verbs'] \
            and before.lemma_.lower() not in cues['claim_governors'] and (subject is None or subject.i < before.i):
        return True  # headline 'U.S. Sends Seized Iranian Ammunition to Ukraine': its verb, then its object's participle
    if any(c.dep_ in ('nsubj', 'nsubjpass', 'dobj', 'aux', 'auxpass', 'agent') for c in token.children):
        return False
    return any(c.dep_ in ('ccomp', 'dep') and c.pos_ in ('VERB', 'AUX') and any(
        g.dep_ in ('nsubj', 'nsubjpass') and g.left_edge.i == token.i + 1 for g in c.children)
        for c in token.children)


def _purpose_infinitive(token, cues):
    """An infinitive that modifies a noun ('a plot to kidnap'), not a ranked one ('the first
    leader to visit') nor a decision taken ('a decision to expel ten diplomats')."""
    return token.dep_ in ('acl', 'relcl') and token.head.pos_ == 'NOUN' and not _ranked(token.head) \
        and token.head.lemma_.lower() not in cues['decision_nouns'] and is_infinitive(token)


def _event_in_phrase(prep, cues):
    """An in-phrase whose object is a crime (crime_nouns): 'arrested in the fatal shooting of
    a mother' is arrested for it (not 'arrested in Kabul', 'in a raid' or 'in a clash')."""
    return any(c.dep_ == 'pobj' and c.pos_ == 'NOUN' and c.lemma_.lower() in cues['crime_nouns'] for c in prep.children)


def _nsubj_before(verb):
    """A headline clause 'Ukraine to conduct ...': the infinitive has its own subject before it."""
    return any(c.dep_ == 'nsubj' and c.i < verb.i for c in verb.children)


def _ranked(noun):
    """'the first leader to visit Kyiv', 'the latest country to join': a ranked noun's
    infinitive tells what was done."""
    return any(c.dep_ in ('amod', 'nummod') and (c.tag_ == 'JJS' or c.ent_type_ == 'ORDINAL' or c.lower_ in ('only', 'last', 'next'))
               for c in noun.children)


def _as_governor(governor, relation, child, cues, trigger=None):
    """Cues carried by the word that embeds the trigger ('plans to', 'denied', 'order to')."""
    if relation == 'advcl' and not is_infinitive(child):
        return None  # 'threatened to leave, accusing it of bias': a side clause, not the threat's content
    lemma = governor.lemma_.lower()
    if trigger is not None and trigger.lemma_.lower() in cues['ordered_is_done'] \
            and (lemma in cues['order_governors'] or lemma in cues['order_nouns']):
        return None  # ordering a curfew imposes it
    word = governor.lower_
    is_verb = governor.pos_ in ('VERB', 'AUX', 'ADJ')
    if relation == 'prep' and child.lower_ in cues['reason_prepositions'] and lemma in cues['reason_governors']:
        return CLAIMED, lemma  # 'jailed for assaulting a passerby': alleged, or long done
    if relation == 'prep' and (child.lower_ in cues['reason_prepositions'] or (child.lower_ == 'in' and _event_in_phrase(child, cues)))\
            and lemma in cues['arrest_governors'] and (trigger is None or trigger.lemma_.lower() not in cues['protest_words']):
        return CLAIMED, lemma  # 'arrested for assaulting a passerby' (but 'arrested for protesting': they did)
    if relation == 'prep' and child.lower_ == 'in' and lemma in cues['involvement_governors'] and governor.dep_ == 'acl':
        return MENTIONED, lemma  # 'the officers involved in the arrest': who they are, not what happened now
    if relation == 'prep' and (lemma in cues['claim_nouns'] or word in cues['claim_nouns']) and child.lower_ in ('of', 'with'):
        return CLAIMED, word  # 'on suspicion of assaulting', 'arrested in connection with the ambush'
    if relation in ('acl', 'ccomp') and governor.pos_ == 'NOUN' and (lemma in cues['claim_nouns'] or word in cues['claim_nouns']) \
            and any(c.dep_ == 'mark' and c.lower_ == 'that' for c in child.children) \
            and governor.head.lemma_.lower() not in cues['confirming_verbs']:
        return CLAIMED, word  # 'allegations that the man used an epithet after shooting him' (not 'confirmed allegations that ...')
    if relation == 'prep' and child.lower_ in ('in', 'over', 'for') and _event_in_phrase(child, cues) \
            and any(w.lemma_.lower() in cues['claim_nouns'] for w in [governor] + [c for c in governor.children if c.dep_ == 'dobj']):
        return CLAIMED, 'charges'  # 'won't face charges in the fatal shooting': the case, not a new act
    if relation == 'prep' and governor.pos_ in ('NOUN', 'PROPN', 'VERB') and child.lower_ not in ('of', 'for', 'to', 'against', 'on'):
        return None  # 'killed in clashes' is a setting, not a governing cue
    if relation == 'ccomp' and _possibly(governor, child, cues):
        return HYPOTHETICAL, 'possible'  # 'it was possible she was abducted'
    if is_verb and (negating := _negating(governor, cues)) \
            and not (child.i != governor.i and child.lemma_.lower() in cues['telling_verbs']):
        return NEGATED, negating  # (not 'unable to say how many were killed in the bombing')
    if lemma in cues['denial_governors'] or lemma in cues['denial_nouns']:
        return DENIED, lemma
    if is_verb and relation == 'ccomp' and lemma in cues['belief_verbs'] \
            and (_own_clause(governor, cues) or (None,))[0] == NEGATED:
        return DENIED, lemma  # 'did not believe anyone had been killed by police'
    if is_verb and lemma in cues['claim_governors'] and relation in ('xcomp', 'ccomp', 'prep', 'pcomp', 'pobj', 'dobj', 'advcl'):
        return CLAIMED, lemma
    if is_verb and lemma in cues['order_governors'] and relation in ('xcomp', 'dobj', 'advcl', 'prep', 'pobj', 'pcomp', 'oprd'):
        return ORDERED, lemma
    if is_verb and lemma in cues['order_governors'] and lemma not in cues['say_verbs'] and relation == 'ccomp' \
            and child.i > governor.i:
        # 'demanded he sack the aide' (but 'told reporters that police arrested five', and a
        # headline's first clause before it: 'Russia attacks port, Zelenskiy urges ...')
        return ORDERED, lemma
    if governor.pos_ in ('NOUN', 'PROPN') and (lemma in cues['order_nouns'] or word in cues['order_nouns']):
        return ORDERED, word
    if lemma == 'go' and governor.tag_ == 'VBG' and relation == 'xcomp':
        return FUTURE, 'going to'
    if is_verb and lemma in cues['initiative_verbs'] and relation in ('xcomp', 'advcl') \
            and not any(c.dep_ == 'prt' or (c.dep_ == 'advmod' and c.lower_ in MOTION_PARTICLES)
                        or (c.dep_ == 'nsubj' and c.lemma_.lower() in cues['security_forces']) for c in governor.children):
        # 'India moves to expel diplomats' (not 'police moved in to disperse the crowd', nor 'riot
        # police moved to disperse the crowd': forces that move act on the spot)
        return FUTURE, lemma
    if is_verb and (lemma in cues['future_governors'] or word in _FUTURE_ADJECTIVES) \
            and relation in ('xcomp', 'ccomp', 'advcl', 'prep', 'pobj', 'pcomp'):
        return FUTURE, lemma
    if is_verb and relation == 'nsubjpass' and lemma in cues['future_object_governors']:
        return FUTURE, lemma  # 'protests are planned'
    if is_verb and relation == 'dobj' and lemma in cues['future_object_governors']:
        return FUTURE, lemma  # 'planned an attack', but 'agreed a ceasefire' happened
    if governor.pos_ in ('NOUN', 'PROPN') and (lemma in cues['future_nouns'] or word in cues['future_nouns']):
        return FUTURE, word
    return None


@Language.factory('wirewatch_factuality')
def make_factuality_component(nlp, name):
    return FactualityComponent(name)


class FactualityComponent:
    """Sets ``factuality`` and ``factuality_cue`` on each trigger of ``doc._.triggers``."""

    def __init__(self, name='wirewatch_factuality'):
        self.name = name
        self.cues = factuality_cues()

    def __call__(self, doc):
        for match in doc._.triggers or ():
            match.factuality, match.factuality_cue = read_factuality(match.token, self.cues)
        return doc
