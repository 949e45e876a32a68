"""Walking a trigger's clause on the dependency parse: the shared helper of the
factuality, time and sense components.

``governors(token)`` climbs from a trigger through the relations that embed one
predicate in another ('planned *to attack*', 'the threat *of an attack*', 'the order
given to the police *to shoot*') and stops at the sentence root. Each component reads
its own cue words on that chain.
"""
# Relations through which a trigger is embedded in a governing word.
EMBEDDING_DEPS = frozenset({
    'xcomp', 'ccomp', 'acl', 'advcl', 'pobj', 'prep', 'dobj', 'conj', 'compound', 'amod',
    'pcomp', 'nsubjpass', 'nsubj', 'attr', 'oprd', 'appos', 'csubj', 'nmod', 'agent', 'dative',
})
MAX_DEPTH = 6


def governors(token, max_depth=MAX_DEPTH):
    """The chain of (governor, relation) above ``token``, nearest first; relation is the
    dependency label of the child through which the governor was reached."""
    node, chain = token, []
    for _ in range(max_depth):
        if node.head.i == node.i or node.dep_ not in EMBEDDING_DEPS:
            break
        chain.append((node.head, node.dep_))
        node = node.head
    return chain


def clause_nodes(token, max_depth=MAX_DEPTH):
    """The trigger and its governors: the nodes whose own dependents (aux, neg, mark,
    modifiers) set the mood and time of the trigger's clause."""
    return [token] + [g for g, _ in governors(token, max_depth)]


def argument_tokens(token):
    """Lemmas around a trigger that decide its sense: its dependents and their
    compounds/modifiers/objects, the word that governs it and that word's subject and object."""
    seen = []
    for child in token.children:
        seen.append(child)
        for grand in child.children:
            if grand.dep_ in ('compound', 'amod', 'pobj', 'nmod', 'poss', 'dobj'):
                seen.append(grand)
                seen.extend(g for g in grand.children if g.dep_ in ('compound', 'amod'))
    head = token.head
    if head.i != token.i:
        seen.append(head)
        for sibling in head.children:
            if sibling.i != token.i and sibling.dep_ in ('nsubj', 'nsubjpass', 'dobj', 'compound', 'amod', 'agent', 'prep', 'poss'):
                seen.append(sibling)
                seen.extend(g for g in sibling.children if g.dep_ in ('compound', 'amod', 'pobj'))
        if head.dep_ == 'prep':  # 'killed in the crash': the trigger's own prep object is above
            seen.append(head.head)
    return seen


def lemma_set(tokens):
    """Lower-cased lemmas and words of ``tokens``."""
    out = set()
    for t in tokens:
        out.add(t.lemma_.lower())
        out.add(t.lower_)
    return out


def first_conjunct(token):
    """The first of the conjuncts ``token`` belongs to, whose role in the clause they share
    ('protests, closed testing sites worry officials': 'protests'); the token itself if none."""
    node = token
    while node.dep_ == 'conj' and node.head.i != node.i:
        node = node.head
    return node


# Heads of an object that is a part of what its of-phrase names.
PARTITIVE_HEADS = frozenset({'some', 'many', 'most', 'all', 'part', 'rest', 'much', 'lot', 'bit', 'bits'})


def object_tokens(token, modifiers=True):
    """What a trigger acts on, with compounds and modifiers (unless ``modifiers`` is False):
    its object, its passive subject, its on/against/at phrase ('attacked the plan', 'an
    attack on the policy'), and through a partitive head its of-phrase ('some of the reaction')."""
    found = []
    for child in token.children:
        if child.dep_ in ('dobj', 'nsubjpass'):
            found.append(child)
            if child.pos_ in ('PRON', 'DET', 'NUM') or child.lower_ in PARTITIVE_HEADS:  # 'some of the reaction'
                found.extend(g for p in child.children if p.dep_ == 'prep' and p.lower_ == 'of'
                             for g in p.children if g.dep_ == 'pobj')
        elif child.dep_ == 'prep' and child.lower_ in ('on', 'against', 'at', 'over'):
            found.extend(g for g in child.children if g.dep_ == 'pobj')
    if not modifiers:
        return found
    out = []
    for t in found:
        out.append(t)
        out.extend(c for c in t.children if c.dep_ in ('compound', 'amod'))
    return out


def agent_tokens(verb):
    """The objects of a passive verb's 'by' agent ('visited by patients': patients)."""
    return [g for c in verb.children if c.dep_ == 'agent' for g in c.children if g.dep_ == 'pobj']


def subject_tokens(token):
    """Who does a trigger, with compounds and modifiers: a verb's subject ('workers
    strike'), its passive agent ('sites visited by patients') or the noun its participle
    tells of ('tourists visiting the city'), a noun's compound, adjective and possessor
    ('a doctors' strike')."""
    deps = ('nsubj',) if token.pos_ in ('VERB', 'AUX') else ('compound', 'amod', 'poss', 'nmod')
    found = [c for c in token.children if c.dep_ in deps]
    if token.pos_ in ('VERB', 'AUX'):
        found += agent_tokens(token)
        if token.dep_ == 'acl' and token.tag_ == 'VBG':
            found.append(token.head)
    return found + [g for t in found for g in t.children if g.dep_ in ('compound', 'amod')]


def has_time(token):
    """True when a clause carries its own time ('himself arrested on Saturday')."""
    return any(t.ent_type_ in ('DATE', 'TIME') for t in token.subtree)


def is_infinitive(token):
    """'to attack', 'to discuss': the word has an infinitive 'to' of its own."""
    return any(c.dep_ == 'aux' and c.lower_ == 'to' for c in token.children)


def is_imperative(verb):
    """A verb in its base form with no subject or auxiliary of its own: 'Stay vigilant',
    'Release the prisoners'."""
    return verb.tag_ == 'VB' and not any(c.dep_ in ('nsubj', 'nsubjpass', 'aux') for c in verb.children)


def infinitive_clauses(verb):
    """The infinitive clauses a verb governs: what it asks, tells or urges someone to do
    ('urged residents to stay indoors', 'tells Canada to remove diplomats')."""
    return [c for c in verb.children if c.dep_ in ('xcomp', 'ccomp', 'advcl') and is_infinitive(c)]


def clause_head(token, max_steps=4):
    """The trigger's smallest verb clause: the first verb (or the root) at or above it."""
    node = token
    for _ in range(max_steps):
        if node.pos_ in ('VERB', 'AUX') or node.head.i == node.i:
            break
        node = node.head
    return node


def told_to_death(token):
    """'was beaten to death', 'stabbed him to death': the word has a 'to death' phrase."""
    return any(c.dep_ == 'prep' and c.lower_ == 'to' and any(g.lower_ == 'death' for g in c.children)
               for c in token.children)


def told_dead(token):
    """'shot dead', 'was found stabbed dead': the word has 'dead' as its complement."""
    return any(c.lower_ == 'dead' and c.dep_ in ('acomp', 'oprd', 'xcomp', 'advmod', 'ccomp', 'advcl', 'dep', 'amod')
               for c in token.children)


def next_sentence(sent):
    """The sentence after ``sent`` that holds more than whitespace (None at the doc's end)."""
    doc = sent.doc
    if sent.end >= len(doc):
        return None
    following = doc[sent.end].sent
    while not following.text.strip() and following.end < len(doc):
        following = doc[following.end].sent
    return following


def in_title(token):
    """The token's sentence is (part of) the story's title."""
    return token.sent.start_char < (token.doc.user_data.get('headline_chars') or 0)


def verb_form(verb):
    """'simple' (a present-tense verb: 'accuses', 'call'), 'perfect' (a participle with 'have':
    'has accused'), 'progressive' (a gerund with 'be': 'are attacking'), or None."""
    if verb.tag_ in ('VBZ', 'VBP'):
        return 'simple'
    auxiliaries = {c.lemma_ for c in verb.children if c.dep_ == 'aux'}
    if verb.tag_ == 'VBN' and 'have' in auxiliaries:
        return 'perfect'
    if verb.tag_ == 'VBG' and 'be' in auxiliaries:
        return 'progressive'
    return None
