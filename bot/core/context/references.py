"""Messages that refer back ("does it do batch too?", "what's that for?", "and LLM stuff?"): read
against the focus topic, its related topics and the topic before it — unless the message is a
question of its own on another topic, names another topic before referring back ("does AutoML do
that for me?": the conversation moves to AutoML), or asks what it names of the place in focus
("is that in Fabric too?", "can I do RAG there too?"). The words referring back are
knowledge/conversation.yaml's `refers` and `ellipses` (bot/core/context/cues.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.core.context.against_focus import FocusReader
from bot.core.context.cues import Cues, existential
from bot.core.context.ellipses import Ellipses
from bot.core.context.focus import FOCUS_KINDS, Focus, Understood
from bot.core.context.followups import FollowUps
from bot.core.context.names import TopicNames
from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Match, Outcome

_OWN_QUESTION_MOVED = 0.9
_SELF_CONTAINED = 0.9
"""A message that names a topic before referring back and that reads, on its own, this surely
as a customer story refers within itself: its own reading."""
"""A message referring back whose reading among the focus's family moves to a related topic it
does not name stays with the focus topic when, read with its name, it is one of its questions
this likely."""
_OWN_ABOUT_SHARE = 0.3
"""The focus topic's question naming what an elliptical follow-up names answers it only when it
is at least this share as likely as the message's own reading."""
_OWN_ABOUT_LIKELY = 0.5
"""The focus topic's question about what a follow-up for it names ("is there a copilot in it?"
about Data Factory) answers it when at least this likely, before any related topic named so."""
_SUBJECT_AUXILIARIES = frozenset(
    {"does", "do", "is", "can", "will", "would", "did", "was", "could", "should", "has"}
)
"""Words before "it" when it is the question's subject ("what does it optimize for?")."""
_FOCUS_PREPOSITIONS = frozenset(
    {"for", "with", "to", "on", "in", "into", "from", "by", "inside", "within"}
)
_FOCUS_OBJECTS = frozenset({"it", "that", "this", "them"})
""""for it", "with that": the topic in focus as the purpose of what the message names."""
_ASPECT_LEAST = 0.15
_ASPECT_OVER = 2.0
"""A message referring back that is no answer alone is the focus topic's own question when, read
without any name among the topic's parts, that question is this likely and this many times as
likely as the next part."""
_PLACE_WORDS = 8
_PLACE_WORDS_SAID = frozenset({"in", "on", "inside", "within", "into", "too", "have", "has"})
_PLACE_OTHER_TERMS = 1
"""A message of at most `_PLACE_WORDS` words asking whether the focus topic is part of a
platform says one of `_PLACE_WORDS_SAID` ("is it in Fabric too?", "does Databricks have it?")
and at most `_PLACE_OTHER_TERMS` other words the recognizer weighs ("can we run it on
Databricks?")."""
_KIN_NAME_IDF = 1.5
"""A word naming a topic names a related topic's part ("the spark inside it" about Fabric) only
when it is this specific (an inverse document frequency: "spark" is, "ai" is not)."""
_OWN_KNOWN_WORDS = 0.95
"""A message referring back that nothing answers, in words the knowledge all uses, asks the topic
answered last (or the focus topic) when, read with its name, it lands there this likely."""
_SWITCH_WORDS = 10
_SWITCH_SURE = 0.5
_SWITCH_SHARE = 0.5
"""A message of at least `_SWITCH_WORDS` words that refers back is a topic switch when it is
answered on its own far from the focus at least `_SWITCH_SURE` likely and the focus's reading
is less than `_SWITCH_SHARE` of that."""
_SWITCH_SAID = 0.5
"""A long message naming nothing that a passage of the focus topic says this share of is no
switch unless it is near surely elsewhere (`_SWITCH_SURE_SHORT`)."""
_SWITCH_WORDS_SHORT = 8
_SWITCH_SURE_SHORT = 0.95
_SWITCH_SHARE_SHORT = 0.25
"""The same for a message of `_SWITCH_WORDS_SHORT` words or more, more strictly."""


class References:
    """Reads a message that refers back to the topic in focus."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        cues: Cues,
        names: TopicNames,
        followups: FollowUps,
        ellipses: Ellipses,
        against: FocusReader,
    ) -> None:
        self.kb = kb
        self.router = router
        self.cues = cues
        self.names = names
        self.followups = followups
        self.ellipses = ellipses
        self.against = against
        place_words = " ".join(_PLACE_WORDS_SAID)
        self._place_terms = frozenset(router.normalizer.normalize(place_words).terms)
        """`_PLACE_WORDS_SAID` as the recognizer weighs them ("too")."""

    def read(
        self, text: str, words: list[str], topic: Topic, plain: Decision, focus: Focus
    ) -> Understood:
        """A message that refers back, read against the focus unless it is about what it
        names."""
        placed = self.focus_in_named(text, words, topic)
        if placed is not None:
            return placed
        if plain.outcome is Outcome.ANSWER and self.against.names_another(
            text, words, topic, plain
        ):
            # "and Databricks?": the topic it names, on its own — unless the focus topic has
            # a question of its own about it ("and LLM stuff?" about Azure Machine Learning:
            # its LLM flows)
            return self.own_about(text, topic, plain) or Understood(plain)
        answered = plain.top.intent.topic if plain.top is not None else None
        if (
            plain.outcome is Outcome.ANSWER
            and answered is not None
            and answered.id != topic.id
            and self.against.named_first(words, answered, last=True)
        ):
            # "and the same for Spark: why is it quick?": Spark's — but "can I do RAG there
            # too?" about Databricks asks the place in focus about what it names
            if _asks_of_place(words):
                return self.family_about(text, topic, answered) or Understood(plain)
            if _for_the_focus(words):
                # "do I need a vector database for it?" about RAG: RAG's own question about it
                # (Data Factory's own copilot for "is there a copilot in it?"); "is there a
                # copilot for it?" about Fabric: the related topic named for both (Copilots in
                # Fabric), when the focus's own question is unlikely and that likelier
                own = self.own_about(text, topic, plain)
                if own is not None and own.decision.top.score >= _OWN_ABOUT_LIKELY:
                    return own
                found = [
                    u
                    for u in (own, self.kin_named(text, topic, answered))
                    if u is not None and u.decision.top is not None
                ]
                if not found:
                    return Understood(plain)
                return max(found, key=lambda u: u.decision.top.score)
            return Understood(plain)
        if (
            plain.outcome is Outcome.NONE
            and not self.against.says_of_family(text, topic, focus)
            and not self.names_focus_only(text, topic)
        ):
            # "who won the league this year?": "this" refers to nothing — unless, read with the
            # focus topic's name, the message is one of its questions ("even for runs that don't
            # execute in Azure?" about MLflow: tracking from anywhere), or it names what a topic
            # related to the focus is named for ("and the spark inside it?" about Fabric: Spark
            # in Fabric)
            return (
                self.against.own_question(text, topic)
                or self.kin_of_named(text, topic)
                or self.of_focus_in_known_words(text, topic, focus)
                or Understood(plain)
            )
        understood = self.against.among_focus(text, topic, focus) or self.against.with_focus(
            text, topic, plain
        )
        if understood is None or self.switches(words, topic, plain, understood):
            return self.placed_in_focus(text, words, topic, plain) or Understood(plain)
        same = self.ellipses.same_part(text, words, understood, topic, focus)
        # "what does it optimize for?" after AutoML was answered: AutoML's own question (its
        # target metric) when the message, read with its name, is one surely — not
        # hyperparameter tuning, a topic it relates to whose words the question says
        subject = (
            self.subject_question(text, topic, focus)
            if same is None and _focus_is_subject(words) and not _of_focus(understood, topic)
            else None
        )
        if same is not None:
            understood = same
        elif subject is not None:
            understood = subject
        elif self.against.moved_off(text, understood, topic):
            # "how do our apps call it once it's trained?" about Custom Translator: its own
            # question on access, not Azure AI services in general
            understood = (
                self.against.own_question(text, topic, _OWN_QUESTION_MOVED)
                or self.against.own_topic(text, topic, understood)
                or understood
            )
        top = understood.decision.top
        if top is not None and self.moves_to(text, words, topic, top.intent.topic):
            # "does AutoML do that for me?": answered with the focus in mind, but the
            # conversation moves to what the message named before referring back ("does it
            # support MLflow?" stays with the focus: "it" comes first)
            own = plain.top
            if (
                own is not None
                and plain.outcome is Outcome.ANSWER
                and own.score >= _SELF_CONTAINED
                and own.intent.topic.kind is Kind.CUSTOMER_STORY
                and own.intent.topic.id != top.intent.topic.id
            ):
                # "which manufacturer put azure openai into its products?": "its" is the
                # manufacturer the message asks for, surely read on its own (Legrand)
                return Understood(plain)
            return dataclasses.replace(understood, topic=None)
        return understood

    def of_focus_in_known_words(self, text: str, topic: Topic, focus: Focus) -> Understood | None:
        """ "And if we later need something more capable from the same family?" about Phi: a
        message referring back in words the knowledge all uses, which read with the name of
        the topic answered last, or else of the focus topic, is that topic near surely, asks
        it ("who won the league this year?" says words it never uses)."""
        if self.router.unknown_words(text):
            return None
        last = self.against.answered_last(focus)
        for asked in dict.fromkeys(t for t in (last, topic) if t is not None):
            decision = self.against.named_focus(text, asked)
            top = decision.top if decision is not None else None
            if top is not None and top.score >= _OWN_KNOWN_WORDS:
                read = dataclasses.replace(decision, text=text)
                return Understood(read, topic=asked, context="refers")
        return None

    def subject_question(self, text: str, topic: Topic, focus: Focus) -> Understood | None:
        """The question, surely one of the topic answered last or of the focus topic, that a
        message with "it" as its subject asks."""
        last = self.against.answered_last(focus)
        subjects = [t for t in (last, topic) if t is not None and t.kind in FOCUS_KINDS]
        return next(
            (u for t in dict.fromkeys(subjects) if (u := self.against.own_question(text, t))),
            None,
        )

    def moves_to(self, text: str, words: list[str], topic: Topic, answered: Topic) -> bool:
        """Whether the message names the answered topic, or one it relates to, before
        referring back ("we already pay for fabric, does that change the answer?" after Data
        Lake Storage, answered by OneLake: "it" is OneLake afterwards)."""
        if self.against.named_first(words, answered):
            return True
        if answered.kind is Kind.COMPARISON:
            return False  # "it" stays one thing, not a pair
        kin = {answered.id, *answered.related}
        return any(
            (named.id in kin or answered.id in named.related)
            and self.against.named_first(words, named)
            for named in self.names.named_topics(text, {topic.id})
        )

    def placed_in_focus(
        self, text: str, words: list[str], topic: Topic, plain: Decision
    ) -> Understood | None:
        """ "Can I put images and pdfs in there too?" after OneLake: what the message names is
        asked of the place in focus, not a switch to the topic that names it (Document
        Intelligence) — the focus topic's own reading with its name, when that is one of the
        focus topic's questions (its name alone brings back the topic itself)."""
        if not _asks_of_place(words):
            return None
        understood = self.against.with_focus(text, topic, plain)
        top = understood.decision.top if understood is not None else None
        if top is None or top.intent.topic.id != topic.id or top.intent.question is None:
            return None
        return understood

    def own_aspect(
        self, text: str, words: list[str], topic: Topic, plain: Decision
    ) -> Understood | None:
        """ "What other benefits does that give us?" after fine-tuning: a message referring back
        that alone is no answer (several topics have benefits) and names no topic, answered by
        the focus topic's own question on it when that reads clearly first among its parts."""
        if (
            not self.cues.refers_back(words)
            or self.followups.find(words)[0] is not None  # "any customer using it?": its story
            or self.names.named_topics(text, set())
            or (
                plain.outcome is Outcome.ANSWER
                and plain.top is not None
                and self.against.near(plain.top, topic)
            )
        ):
            return None
        bare = self.against.own_best(text, topic, named=False)
        if not bare or bare[0].intent.question is None or bare[0].score < _ASPECT_LEAST:
            return None
        if len(bare) > 1 and bare[0].score < _ASPECT_OVER * bare[1].score:
            return None
        return Understood(Decision(text, Outcome.ANSWER, bare[:4]), topic=topic, context="refers")

    def focus_in_named(self, text: str, words: list[str], topic: Topic) -> Understood | None:
        """ "Is that in Fabric too?" after Azure OpenAI: the message with the focus topic's name
        for the word referring back (or for the ellipsis cue: "and in Fabric?"), when that
        reading is answered by an intent about both (the topic it names, calling Azure OpenAI;
        or the two compared; after an ellipsis cue, the topic it names only: "and what's plain ML
        good for?" after deep learning asks no comparison)."""
        named = self.names.named_topics(text, {topic.id})
        if not named:
            return None
        at = self.cues.first_reference(words)
        elliptical = at is None
        if elliptical:
            cue = self.cues.ellipsis_cue(words)
            if cue is None:
                return None
            at = (0, cue)
        start, length = at
        if (
            not elliptical
            and "one" in words[start + length - 1 : start + length + 1]
            and all(self.against.named_first(words, n) for n in named)
        ):
            return None  # "GPT-4 Turbo with Vision, what's that one good for?": the one named
        places = {n.id for n in named}
        # after a comparison, "it" is one of its sides ("is it in Fabric too?" after RAG vs
        # fine-tuning: RAG on Fabric)
        sides = [self.kb.topics[t] for t in topic.compares if t in self.kb.topics]
        for meant in (topic, *sides):
            said = " ".join((*words[:start], meant.title.lower(), *words[start + length :]))
            decision = self.against.route(said)
            top = decision.top
            if decision.outcome is not Outcome.ANSWER or top is None:
                continue
            about = top.intent.topic
            of_both = (about.id in places and self.names.mentions(top.intent, meant)) or (
                not elliptical
                and meant.id in about.compares
                and not places.isdisjoint(about.compares)
            )
            if of_both:
                return Understood(dataclasses.replace(decision, text=text), context="refers")
        return self.not_placed(text, words, topic, named)

    def not_placed(
        self, text: str, words: list[str], topic: Topic, named: Sequence[Topic]
    ) -> Understood | None:
        """ "Is it in Fabric too?" after AutoML: a platform the message asks the focus topic
        to be in, which neither the focus's family nor the platform's own answers place it in
        (the reply says so, with what the platform offers)."""
        platforms = [t for t in named if t.kind is Kind.PLATFORM and t.id != topic.id]
        if len(platforms) != 1 or len(words) > _PLACE_WORDS or _PLACE_WORDS_SAID.isdisjoint(words):
            return None
        place = platforms[0]
        said = set(self.router.normalizer.normalize(text).terms) - self._place_terms
        if len(said - self.router.topic_name_terms(place.id)) > _PLACE_OTHER_TERMS:
            return None  # it asks something more ("any customer that built on Foundry?")
        if place.id in topic.related or topic.id in place.related:
            return None  # related: their own answers say how ("prompt flow in Foundry")
        if self.family_about(text, topic, place) is not None:
            return None
        match = Match(self.router.intent(place.id), 1.0)
        decision = Decision(text, Outcome.ANSWER, (match,))
        return Understood(decision, topic=topic, context="refers", unplaced=place)

    def own_about(self, text: str, topic: Topic, plain: Decision) -> Understood | None:
        """The focus topic's question whose text names the topic an elliptical follow-up
        names (the likeliest, if several)."""
        named = [
            self.kb.topics[t]
            for t in self.router.named_topics(text) - {topic.id}
            if t in self.kb.topics
        ]
        own = {
            i.id
            for i in self.router.intents
            if i.topic.id == topic.id
            and i.question is not None
            and any(self.names.mentions(i, other) for other in named)
        }
        if not own:
            return None
        ranked = [m for m in self.router.rank_among(text, (topic.id,)) if m.intent.id in own]
        # a concept asked of a product ("and for ml?" about Fabric) is the product's part for it
        of_product = topic.kind is not Kind.CONCEPT and all(t.kind is Kind.CONCEPT for t in named)
        share = 0.0 if of_product else _OWN_ABOUT_SHARE
        if not ranked or (plain.top and ranked[0].score < share * plain.top.score):
            # "and what's plain ML good for?" about deep learning: ML's own answer, not deep
            # learning's frameworks, which merely name machine learning
            return None
        decision = Decision(text, Outcome.ANSWER, (ranked[0], *plain.matches[:3]))
        return Understood(decision, topic=topic, context="refers")

    def kin_of_named(self, text: str, topic: Topic) -> Understood | None:
        """The topic related to the focus that is named for a topic the message names (see
        `kin_named`), when there is one."""
        normalize, idf = self.router.normalizer.normalize, self.router.terms.idf
        said = set(normalize(text).terms)
        for named in self.names.named_topics(text, {topic.id}):
            name = said & set(self.router.topic_name_terms(named.id))
            if all(idf(t) < _KIN_NAME_IDF for t in name):
                continue  # "AI transcripts": a word too common to name a kin ("Azure AI Speech")
            kin = self.kin_named(text, topic, named)
            if kin is not None:
                return kin
        return None

    def kin_named(self, text: str, topic: Topic, named: Topic) -> Understood | None:
        """The likeliest topic related to the focus whose name says what the message named of
        another topic ("a copilot for it" about Fabric: Copilots in Fabric, not Microsoft
        Copilot)."""
        normalize = self.router.normalizer.normalize
        said = set(normalize(text).terms) & set(self.router.topic_name_terms(named.id))
        if not said:
            return None
        kin = [
            t
            for t in topic.related
            if t in self.kb.topics and t != named.id and said <= self.router.topic_name_terms(t)
        ]
        ranked = [m for m in self.router.rank_among(text, kin) if m.intent.topic.id in kin]
        if not ranked:
            return None
        decision = Decision(text, Outcome.ANSWER, (ranked[0], *ranked[1:4]))
        return Understood(decision, topic=topic, context="refers")

    def family_about(self, text: str, topic: Topic, named: Topic) -> Understood | None:
        """The likeliest intent of the focus topic or a related one whose text names the
        topic the message names."""
        family = (topic.id, *topic.related)
        ranked = [
            m
            for m in self.router.rank_among(text, family)
            if m.intent.topic.id in family
            and m.intent.topic.id != named.id
            and m.intent.topic.kind in FOCUS_KINDS
            and self.names.mentions(m.intent, named)
        ]
        if not ranked:
            return None
        decision = Decision(text, Outcome.ANSWER, (ranked[0], *ranked[1:4]))
        return Understood(decision, topic=topic, context="refers")

    def names_focus_only(self, text: str, topic: Topic) -> bool:
        """Whether the message says a word of the focus topic's name and no other word the
        knowledge uses ("why bother tuning them?" about hyperparameter tuning)."""
        normalize = self.router.normalizer.normalize
        referring = set(normalize(" ".join(" ".join(r) for r in self.cues.refers)).terms)
        terms = set(normalize(text).terms) - referring
        names = self.router.topic_name_terms(topic.id)
        idf = self.router.terms.idf
        return bool(terms & names) and all(idf(t) <= 0 for t in terms - names)

    def switches(
        self, words: list[str], topic: Topic, plain: Decision, understood: Understood
    ) -> bool:
        """Whether a message that says "it" or "this" is a question of its own on another
        topic: long enough to carry its own subject ("what is retraining and why do models
        need it?" after Fabric) or announcing one ("separate thing: …"), confidently answered
        on its own far from the focus, and the focus's reading of it far less likely."""
        top, mine = plain.top, understood.decision.top
        if plain.outcome is not Outcome.ANSWER or top is None or mine is None:
            return False
        if self.against.near(top, topic):
            return False
        compared = top.intent.topic.compares if top.intent.topic.kind is Kind.COMPARISON else ()
        if compared and set(compared) <= self.router.named_topics(" ".join(words)):
            return True  # "is Copilot the same thing as Azure OpenAI?": both named, compared
        if self.cues.announces_switch(words) or (
            len(words) >= _SWITCH_WORDS and not self._said_of_focus(words, (topic, mine), top)
        ):
            # "separate thing: our sales calls, can those get transcribed?" as a long one
            return top.score >= _SWITCH_SURE and mine.score < top.score * _SWITCH_SHARE
        # a shorter one only when it is near surely elsewhere and the focus's reading a guess
        # ("what is retraining and why do models need it?")
        return (
            len(words) >= _SWITCH_WORDS_SHORT
            and top.score >= _SWITCH_SURE_SHORT
            and mine.score < top.score * _SWITCH_SHARE_SHORT
        )

    def _said_of_focus(self, words: list[str], focus: tuple[Topic, Match], top: Match) -> bool:
        """Whether a long message naming nothing, not near surely elsewhere, is said by a
        passage of the focus topic or of its reading in the focus ("what would we have to feed
        it to get better" about Custom Speech: its training data, not small models being
        better)."""
        text = " ".join(words)
        if top.score >= _SWITCH_SURE_SHORT or self.router.named_topics(text):
            return False
        topic, mine = focus
        return any(
            evidence and evidence[0].share >= _SWITCH_SAID
            for evidence in (
                self.against.passages.evidence(text, t)
                for t in dict.fromkeys((topic.id, mine.intent.topic.id))
            )
        )


def _asks_of_place(words: Sequence[str]) -> bool:
    """Whether the message asks the topic in focus for more ("can I do RAG there too?"): "too",
    or "there" as a place (not "is there a …?")."""
    return "too" in words or any(
        w == "there" and not existential(words, i) for i, w in enumerate(words)
    )


def _focus_is_subject(words: Sequence[str]) -> bool:
    """Whether the message asks about the topic in focus as its subject ("what does it optimize
    for?", "is it GA?", "it handles images?")."""
    return bool(words) and (
        words[0] == "it"
        or any(w == "it" and words[i - 1] in _SUBJECT_AUXILIARIES for i, w in enumerate(words) if i)
    )


def _of_focus(understood: Understood, topic: Topic) -> bool:
    """Whether the reading is the focus topic itself or one of its questions."""
    top = understood.decision.top
    return top is not None and top.intent.topic.id == topic.id


def _for_the_focus(words: Sequence[str]) -> bool:
    """Whether the message points back with a preposition ("… for it?", "… with that"): what
    it names serves the topic in focus."""
    return any(
        w in _FOCUS_OBJECTS and i and words[i - 1] in _FOCUS_PREPOSITIONS
        for i, w in enumerate(words)
    )
