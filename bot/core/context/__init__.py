"""Conversational context: a message read against what was just discussed.

The focus is what the conversation is about: the last topic answered, the last pair compared,
and the alternatives the last answer beat. A message is read on its own first
(bot/core/reading.py: spelling, requests to act, filler clauses); then, when a focus exists:

- a **correction** ("no, I meant the translation one") is routed again, read together with the
  topic it replaces, among the other topics and the other parts of that topic;
- **"the first one" / "the latter"** after a comparison counts to one side of it; **"the other
  company"** after one topic was picked out of the focus's related ones is a sibling of it;
- a **follow-up** ("when should I not use it?") is answered from the focus topic's own part
  (knowledge/conversation.yaml says which), or routed again with the focus topic's name added;
- **"compare it with X"** compares the focus topic with X;
- a short question naming nothing ("how many languages?") is answered from the part of the
  focus topic whose passage says its words (bot/core/passages.py);
- a message that refers back and names no topic may mean a topic **the last answer named**:
  "what's that built on?" after "In OneLake, …" is OneLake's question (one the first sentence of
  the last answer named, when the message is clearly one of its questions and reads less well
  as the focus topic's own); "what did that one use?" after an answer naming several customer
  stories is the story named last; and when the message alone is no answer or lands far from
  the focus ("what other benefits does that give us?"), the focus topic's own part that reads
  clearly first answers it;
- a message that **refers back** ("does it work for batch jobs?") or that does not stand on its
  own is read against the focus topic, its related topics and the topic before it ("and LLM
  stuff?": the focus topic's own question about LLMs; "can I do RAG there too?": the part of the
  platform in focus that does RAG; "and the biggest?": the part just answered, again);
- a message that stands on its own is still settled by the focus when it is a near tie or a
  "did you mean …?" between readings one of which is near the focus topic.

After a customer story ("who uses it?"), the story is the focus: "they" is that customer.

A decline or a greeting leaves the focus as it was: an out-of-scope turn loses nothing.
Everything here is plain Python; the dialog layer keeps the focus in conversation state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.core.compare import Comparer
from bot.core.context.against_focus import SAID_MIN, FocusReader
from bot.core.context.corrections import Corrections
from bot.core.context.cues import WORD, Cues
from bot.core.context.ellipses import Ellipses
from bot.core.context.focus import FOCUS_KINDS, Focus, Understood, next_focus
from bot.core.context.followups import FollowUps
from bot.core.context.last_answer import LastAnswer
from bot.core.context.names import TopicNames
from bot.core.context.ordinals import Ordinals
from bot.core.context.parts import (
    compared_with,
    has_part,
    service_of,
    stories_for,
)
from bot.core.context.returns import Returns
from bot.core.guidance import GuidanceReader, declined_by_name, is_walkthrough
from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.passages import TopicPassages
from bot.core.reading import MessageReader
from bot.core.router import Decision, Match, Outcome
from bot.core.text import stem, strip_mentions

__all__ = [
    "Conversation",
    "Focus",
    "Understood",
    "compared_with",
    "has_part",
    "next_focus",
    "service_of",
    "stories_for",
]

_COMPARE_SIDE = 0.5
_IMPLICIT_MAX_WORDS = 8
_LEANING = 0.12
"""An unsure reading leaning to the focus at least this much is a follow-up on it."""
"""A question this short that names no topic may be about the topic in focus."""
_OWN_QUESTION_MOVED = 0.9
"""A message referring back whose reading among the focus's family moves to a related topic it
does not name stays with the focus topic when, read with its name, it is one of its questions
this likely."""
_FOCUS_PREPOSITIONS = frozenset({"for", "with", "to", "on", "in", "into", "from", "by"})
_FOCUS_OBJECTS = frozenset({"it", "that", "this", "them"})
""""for it", "with that": the topic in focus as the purpose of what the message names."""
_EXISTENTIAL = frozenset({"is", "are", "was", "were", "be", "any"})
"""Words before an existential "there" ("is there a runtime?"), which points at no place."""
_ASPECT_LEAST = 0.15
_ASPECT_OVER = 2.0
"""A message referring back that is no answer alone is the focus topic's own question when, read
without any name among the topic's parts, that question is this likely and this many times as
likely as the next part."""
_SWITCH_WORDS = 10
_SWITCH_SURE = 0.5
_SWITCH_SHARE = 0.5
"""A message of at least `_SWITCH_WORDS` words that refers back is a topic switch when it is
answered on its own far from the focus at least `_SWITCH_SURE` likely and the focus's reading
is less than `_SWITCH_SHARE` of that."""
_COMPARE_LEAD = 3
"""Words a comparison cue without a reference may follow ("and how about vs Synapse?"); a
longer lead names its own things ("benchmark lots of models against each other")."""
_SWITCH_WORDS_SHORT = 8
_SWITCH_SURE_SHORT = 0.95
_SWITCH_SHARE_SHORT = 0.25
"""The same for a message of `_SWITCH_WORDS_SHORT` words or more, more strictly."""
_CHOOSE_MAX_WORDS = 12
"""A question choosing between the two compared is this short at most ("which one for a team
that can't code?")."""
_TIE_SHARE = 0.85
"""A reading of the focus's family this close to a message's best reading elsewhere wins."""
_DEFINES = (("what", "is"), ("what's",), ("whats",), ("what", "are"), ("define",))
_SEQUENCE = frozenset({"after", "then", "next", "afterwards", "that", "this", "step", "stage"})
"""Words placing what is asked in a sequence ("what's scoring after that?"), not part of it."""
_DEFINED = 0.8
_DEFINED_WORDS = 3
"""A question asking what something is ("what's training?") whose few words are all of the name
of the topic it is answered with (at least this likely) on its own is about that topic, not a
part of the focus topic that happens to say the word."""
_AMBIGUOUS_NEAR = 0.4
"""An option of a "did you mean" near the focus is taken when at least this likely."""


class Conversation:
    """Reads messages in the context of the conversation's focus."""

    def __init__(self, kb: KnowledgeBase, router: HybridRouter, comparer: Comparer) -> None:
        self.kb = kb
        self.router = router
        self.comparer = comparer
        cues = kb.conversation
        self._cues = Cues(cues)
        self._names = TopicNames(kb, router)
        self._compare = [tuple(WORD.findall(c)) for c in cues.compare]
        self.reader = MessageReader(kb, router, comparer)
        self._passages = TopicPassages(
            kb, router.intents, router.normalizer, router.terms.idf, router.topic_name_terms
        )
        self.guidance = GuidanceReader(kb, router, self.reader)
        self._against = FocusReader(
            kb, router, self.reader, self._passages, self._cues, self._names
        )
        self._choose = [tuple(WORD.findall(c)) for c in cues.choose]
        self._followups = FollowUps(kb, router, comparer, self._cues, self._against)
        self._ellipses = Ellipses(kb, router, self.reader, self._cues, self._against)
        self._last_answer = LastAnswer(router, self._cues, self._names, self._against)
        self._returns = Returns(kb, router, self._against)
        self._corrections = Corrections(kb, router, self._names, self._last_answer, self._against)
        self._ordinals = Ordinals(kb, router, self._followups, self._last_answer, self._against)

    def route(self, text: str) -> Decision:
        """A message on its own (bot/core/reading.py)."""
        return self.reader.route(text)

    def understand(self, text: str, focus: Focus) -> Understood:
        """The decision for a message given the conversation's focus."""
        understood = self._understand(text, focus)
        if understood.context is None:
            understood = self._ellipses.end_of_last_question(text, focus) or understood
        if is_walkthrough(understood.decision) and self.guidance.off_subject(text):
            # "can you recommend an architecture firm to redo our kitchen?": declined, not the
            # walkthrough's introduction
            return Understood(dataclasses.replace(understood.decision, outcome=Outcome.NONE))
        top = understood.decision.top
        if (
            understood.context is None
            and understood.decision.outcome is Outcome.ANSWER
            and top is not None
            and top.intent.topic.kind is Kind.COMPARISON
        ):
            sides = self.router.named_topics(text) & set(top.intent.topic.compares)
            # "… without fine-tuning"
            sides -= self._names.named_negated(WORD.findall(text.lower()))
            if len(sides) == 1:
                return dataclasses.replace(understood, side=next(iter(sides)))
        return understood

    def _understand(self, text: str, focus: Focus) -> Understood:
        text = self.reader.correct(text)
        plain = self.route(text)
        topic = self.kb.topics.get(focus.topic) if focus.topic else None
        reader = self.reader
        declined = (reader.asks_to_act, reader.asks_for_figures, reader.asks_about_me)
        if topic is None or any(asks(text) for asks in declined):
            # "great, now deploy it for us", "sorry, I meant: what does it cost per TB?", "and
            # who built you?" after what OneLake is built on: declined, focus kept
            return Understood(plain)
        words = WORD.findall(strip_mentions(text).lower())
        returned = self._returns.read(text, words, focus)
        if returned is not None:
            return returned
        corrected = self._corrections.read(words, topic, focus, self._understand)
        if corrected is not None:
            return corrected
        ordinal = self._ordinals.read(text, words, topic, focus, plain)
        if ordinal is not None:
            return ordinal
        named = (
            self._last_answer.that_one(text, words, focus)
            or self._last_answer.named_in_answer(text, words, topic, focus, plain)
            or self._own_aspect(text, words, topic, plain)
        )
        if named is not None:
            return named
        followed = self._followups.read(text, words, topic, plain, focus)
        if followed is not None:
            return followed
        compared = self._compare_with(text, words, topic)
        if compared is not None:
            return compared
        if self._chooses(words) and (focus.compared or len(focus.recent) >= 2):
            return self._compared_again(text, focus) or Understood(plain)
        if plain.comparison is not None or self._declined_by_name(plain):
            return Understood(plain)
        if self._defines_answered(words, topic, plain):
            # "what's training?" after machine learning: training, an aside when the focus
            # topic relates to it (the focus stays: "when should I use it?" is still about ML)
            answered = plain.top.intent.topic.id if plain.top else None
            if answered in topic.related:
                return Understood(plain, topic=topic, context="refers")
            return Understood(plain)
        said = self._said_of_focus(text, words, topic)
        if said is not None:
            return said
        if not self._cues.refers_back(words):
            return (
                self._implicit(text, words, topic, plain, focus)
                or self._leaning_to_focus(text, words, topic, plain, focus)
                or self._near_tie(plain, topic)
                or self._disambiguated(plain, topic)
                or Understood(plain)
            )
        placed = self._focus_in_named(text, words, topic)
        if placed is not None:
            return placed
        if plain.outcome is Outcome.ANSWER and self._against.names_another(
            text, words, topic, plain
        ):
            # "and Databricks?": the topic it names, on its own — unless the focus topic has
            # a question of its own about it ("and LLM stuff?" about Azure Machine Learning:
            # its LLM flows)
            return self._own_about(text, topic, plain) or Understood(plain)
        answered = plain.top.intent.topic if plain.top is not None else None
        if (
            plain.outcome is Outcome.ANSWER
            and answered is not None
            and answered.id != topic.id
            and self._named_first(words, answered, last=True)
        ):
            # "and the same for Spark: why is it quick?": Spark's — but "can I do RAG there
            # too?" about Databricks asks the place in focus about what it names
            if _asks_of_place(words):
                return self._family_about(text, topic, answered) or Understood(plain)
            if _for_the_focus(words):
                # "do I need a vector database for it?" about RAG: RAG's own question about it
                return self._own_about(text, topic, plain) or Understood(plain)
            return Understood(plain)
        if (
            plain.outcome is Outcome.NONE
            and not self._against.says_of_family(text, topic, focus)
            and not self._names_focus_only(text, topic)
        ):
            # "who won the league this year?": "this" refers to nothing — unless, read with the
            # focus topic's name, the message is one of its questions ("even for runs that don't
            # execute in Azure?" about MLflow: tracking from anywhere)
            return self._against.own_question(text, topic) or Understood(plain)
        understood = self._against.among_focus(text, topic, focus) or self._against.with_focus(
            text, topic, plain
        )
        if understood is None or self._switches(words, topic, plain, understood):
            return Understood(plain)
        same = self._ellipses.same_part(text, words, understood, topic, focus)
        if same is not None:
            understood = same
        elif self._against.moved_off(text, understood, topic):
            # "how do our apps call it once it's trained?" about Custom Translator: its own
            # question on access, not Azure AI services in general
            understood = (
                self._against.own_question(text, topic, _OWN_QUESTION_MOVED)
                or self._against.own_topic(text, topic, understood)
                or understood
            )
        top = understood.decision.top
        if top is not None and self._named_first(words, top.intent.topic):
            # "does AutoML do that for me?": answered with the focus in mind, but the
            # conversation moves to what the message named before referring back ("does it
            # support MLflow?" stays with the focus: "it" comes first)
            return dataclasses.replace(understood, topic=None)
        return understood

    # -- the kinds of context ------------------------------------------------------------------

    def _compare_with(self, text: str, words: list[str], topic: Topic) -> Understood | None:
        """ "How does it stack up against Synapse?": the focus topic and the one named."""
        joined = f" {' '.join(words)} "
        cue = next((c for c in self._compare if f" {' '.join(c)} " in joined), None)
        if cue is None:
            return None
        before, other_text = (part.strip() for part in joined.split(f" {' '.join(cue)} ", 1))
        if not other_text:
            return None
        if self.router.named_topics(before) - {topic.id}:
            return None  # "OneLake vs ADLS Gen2?" after Fabric: a comparison of its own
        lead = before.split()
        if len(lead) > _COMPARE_LEAD and not self._cues.refers_back(lead + list(cue)):
            return None  # "where can we benchmark lots of models against each other": no "it"
        other = next(
            (
                m
                for m in self.comparer.router.rank(other_text)
                if m.intent.question is None and m.intent.topic.id != topic.id
            ),
            None,
        )
        if other is None or other.score < _COMPARE_SIDE:
            return None
        comparison = self.comparer.pair(topic, other.intent.topic, other.score)
        if comparison is None:
            return None
        decision = Decision(text, Outcome.ANSWER, (other,), comparison=comparison)
        return Understood(decision, context="compare")

    def _near_tie(self, plain: Decision, topic: Topic) -> Understood | None:
        """A message answered on its own, whose reading next to the best is of the focus's
        family and nearly as likely: the conversation breaks the tie ("why do embeddings
        matter?" after Mosaic AI Vector Search: embeddings and vector search, not Azure
        OpenAI's embedding models)."""
        top = plain.top
        if plain.outcome is not Outcome.ANSWER or top is None or self._against.near(top, topic):
            return None
        if top.intent.topic.id in self.router.named_topics(plain.text):
            return None  # what the message names is what it asks
        close = next(
            (
                m
                for m in plain.matches[1:3]
                if m.score >= top.score * _TIE_SHARE
                and m.intent.topic.id in {topic.id, *topic.related}
                and m.intent.topic.kind in FOCUS_KINDS
            ),
            None,
        )
        if close is None:
            return None
        others = tuple(m for m in plain.matches if m is not close)
        decision = dataclasses.replace(plain, matches=(Match(close.intent, top.score), *others))
        return Understood(decision)

    def _disambiguated(self, plain: Decision, topic: Topic) -> Understood | None:
        """A message that would get "did you mean …?" on its own, one of whose options is the
        focus topic or near it: the likeliest of those ("what about outside Fabric, what
        connector options exist?" after Fabric Data Factory: data connectors)."""
        if plain.outcome is not Outcome.AMBIGUOUS:
            return None
        near = [
            m
            for m in plain.matches
            if self._against.near(m, topic) and m.intent.topic.kind in FOCUS_KINDS
        ]
        if not near:
            return None
        best = max(near, key=lambda m: m.score)
        if (
            best.score < _AMBIGUOUS_NEAR
            or self._against.share(plain.text, best.intent) < SAID_MIN / 2
        ):
            return None  # "spark plug gap and torque?" after Fabric: only "spark" is said
        others = tuple(m for m in plain.matches if m is not best)
        decision = dataclasses.replace(plain, outcome=Outcome.ANSWER, matches=(best, *others))
        return Understood(decision)

    def _family_about(self, text: str, topic: Topic, named: Topic) -> Understood | None:
        """The likeliest intent of the focus topic or a related one whose text names the
        topic the message names."""
        family = (topic.id, *topic.related)
        ranked = [
            m
            for m in self.router.rank_among(text, family)
            if m.intent.topic.id in family
            and m.intent.topic.id != named.id
            and m.intent.topic.kind in FOCUS_KINDS
            and self._names.mentions(m.intent, named)
        ]
        if not ranked:
            return None
        decision = Decision(text, Outcome.ANSWER, (ranked[0], *ranked[1:4]))
        return Understood(decision, topic=topic, context="refers")

    def _own_about(self, text: str, topic: Topic, plain: Decision) -> Understood | None:
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
            and any(self._names.mentions(i, other) for other in named)
        }
        if not own:
            return None
        ranked = [m for m in self.router.rank_among(text, (topic.id,)) if m.intent.id in own]
        if not ranked:
            return None
        decision = Decision(text, Outcome.ANSWER, (ranked[0], *plain.matches[:3]))
        return Understood(decision, topic=topic, context="refers")

    def _switches(
        self, words: list[str], topic: Topic, plain: Decision, understood: Understood
    ) -> bool:
        """Whether a message that says "it" or "this" is a question of its own on another
        topic: long enough to carry its own subject ("what is retraining and why do models
        need it?" after Fabric), confidently answered on its own far from the focus, and the
        focus's reading of it far less likely."""
        top, mine = plain.top, understood.decision.top
        if plain.outcome is not Outcome.ANSWER or top is None or mine is None:
            return False
        if self._against.near(top, topic):
            return False
        compared = top.intent.topic.compares if top.intent.topic.kind is Kind.COMPARISON else ()
        if compared and set(compared) <= self.router.named_topics(" ".join(words)):
            return True  # "is Copilot the same thing as Azure OpenAI?": both named, compared
        if len(words) >= _SWITCH_WORDS:
            return top.score >= _SWITCH_SURE and mine.score < top.score * _SWITCH_SHARE
        # a shorter one only when it is near surely elsewhere and the focus's reading a guess
        # ("what is retraining and why do models need it?")
        return (
            len(words) >= _SWITCH_WORDS_SHORT
            and top.score >= _SWITCH_SURE_SHORT
            and mine.score < top.score * _SWITCH_SHARE_SHORT
        )

    def _defines_answered(self, words: list[str], topic: Topic, plain: Decision) -> bool:
        """Whether the message asks what something is ("what's training?") and the words asked
        about are all of the name of the topic it is confidently answered with on its own
        (another topic than the focus one)."""
        cue = next((c for c in _DEFINES if tuple(words[: len(c)]) == c), None)
        top = plain.top
        if cue is None or plain.outcome is not Outcome.ANSWER or top is None:
            return False
        if top.intent.topic.id == topic.id or top.score < _DEFINED:
            return False
        rest = " ".join(w for w in words[len(cue) :] if w not in _SEQUENCE)
        asked = [t for t in self.router.normalizer.normalize(rest).terms if t not in _SEQUENCE]
        names = self.router.topic_name_terms(top.intent.topic.id)
        return 0 < len(asked) <= _DEFINED_WORDS and all(w in names for w in asked)

    def _said_of_focus(self, text: str, words: list[str], topic: Topic) -> Understood | None:
        """A short question that names no other topic and whose words a passage of the focus
        topic says ("how many languages?" about Custom Translator, "trained on what?" about
        Azure AI Speech) is answered from that part of the focus topic (on a tie, the part the
        recognizer finds likelier)."""
        if len(words) > _IMPLICIT_MAX_WORDS or self.router.named_topics(text) - {topic.id}:
            return None
        evidence = self._passages.evidence(text, topic.id)
        if not evidence or evidence[0].share < SAID_MIN:
            return None
        probability = {m.intent.id: m.score for m in self.router.rank_among(text, (topic.id,))}
        tied = [e for e in evidence if e.share == evidence[0].share]
        best = max(tied, key=lambda e: probability.get(e.intent, 0.0))
        match = Match(self.router.intent(best.intent), probability.get(best.intent, best.share))
        decision = Decision(text, Outcome.ANSWER, (match,))
        return Understood(decision, topic=topic, context="refers")

    def _names_focus_only(self, text: str, topic: Topic) -> bool:
        """Whether the message says a word of the focus topic's name and no other word the
        knowledge uses ("why bother tuning them?" about hyperparameter tuning)."""
        normalize = self.router.normalizer.normalize
        referring = set(normalize(" ".join(" ".join(r) for r in self._cues.refers)).terms)
        terms = set(normalize(text).terms) - referring
        names = self.router.topic_name_terms(topic.id)
        idf = self.router.terms.idf
        return bool(terms & names) and all(idf(t) <= 0 for t in terms - names)

    def _chooses(self, words: list[str]) -> bool:
        """ "Which is better for us?" — a short question choosing between what was compared."""
        joined = f" {' '.join(words)} "
        return len(words) <= _CHOOSE_MAX_WORDS and any(
            f" {' '.join(c)} " in joined for c in self._choose
        )

    def _compared_again(self, text: str, focus: Focus) -> Understood | None:
        """The last comparison again (else the last two topics side by side): each side says
        when to pick it."""
        pair = focus.compared[:2] or focus.recent[:2]
        first, second = (self.kb.topics.get(t) for t in pair)
        if first is None or second is None:
            return None
        comparison = self.comparer.pair(first, second, 1.0)
        if comparison is None:
            return None
        match = Match(self.router.intent(first.id), 1.0)
        decision = Decision(text, Outcome.ANSWER, (match,), comparison=comparison)
        return Understood(decision, context="compare")

    # -- helpers -------------------------------------------------------------------------------

    def _implicit(
        self, text: str, words: list[str], topic: Topic, plain: Decision, focus: Focus
    ) -> Understood | None:
        """A short question that names no topic ("how would we improve accuracy?") is about
        the focus when reading it with the focus topic's name lands on that topic at least as
        confidently; it is then answered by the best reading among the focus's family ("how
        fast is serving?" about Mosaic AI Vector Search: Databricks' serving latency)."""
        if plain.outcome is Outcome.NONE:  # a decline stays one: off-topic turns lose nothing
            return None
        if len(words) > _IMPLICIT_MAX_WORDS or self.router.named_topics(text):
            return None
        if not self._against.says_of_family(text, topic, focus):
            return None  # "hyperparameters explained" after embeddings: nothing of theirs
        understood = self._against.with_focus(text, topic, plain)
        if understood is None or understood.decision.top is None:
            return None
        if understood.decision.top.intent.topic.id != topic.id:
            return None  # only the focus topic itself: nothing names it
        mine = understood.decision.top.score
        if plain.outcome is Outcome.ANSWER and plain.top and plain.top.score > mine:
            return None
        among = self._against.among_focus(text, topic, focus)
        # an intent outside the family that only names the focus topic is for a message that
        # names something ("can we use it from Fabric?"); this one names nothing ("what
        # happens at inference time?" about Databricks: Databricks' own part)
        if (
            among is not None
            and among.decision.top is not None
            and among.decision.top.intent.topic.id in {topic.id, *topic.related}
        ):
            return among
        return understood

    def _leaning_to_focus(
        self, text: str, words: list[str], topic: Topic, plain: Decision, focus: Focus
    ) -> Understood | None:
        """An unsure reading whose best guess is the focus topic itself ("we don't have any
        parallel documents, just a glossary" about Custom Translator): a follow-up on it that
        names nothing, answered by the best reading among the focus's family."""
        top = plain.top
        if (
            plain.outcome is not Outcome.NONE
            or top is None
            or top.score < _LEANING
            or top.intent.topic.id not in {topic.id, *topic.related}
        ):
            return None
        if self.router.named_topics(text) - {topic.id}:
            return None
        understood = self._against.among_focus(text, topic, focus) or self._against.with_focus(
            text, topic, plain
        )
        if understood is None or understood.decision.top is None:
            return None
        # one of the family's own questions, not the topic again ("can you fix my python
        # KeyError?" about Python and R leans to it, and is still off-topic)
        return understood if understood.decision.top.intent.question is not None else None

    def _focus_in_named(self, text: str, words: list[str], topic: Topic) -> Understood | None:
        """ "Is that in Fabric too?" after Azure OpenAI: the message with the focus topic's name
        for the word referring back, when that reading is answered by an intent about both (the
        topic it names, calling Azure OpenAI; or the two compared)."""
        named = self._names.named_topics(text, {topic.id})
        if not named:
            return None
        at = self._cues.first_reference(words)
        if at is None:
            return None
        start, length = at
        places = {n.id for n in named}
        # after a comparison, "it" is one of its sides ("is it in Fabric too?" after RAG vs
        # fine-tuning: RAG on Fabric)
        sides = [self.kb.topics[t] for t in topic.compares if t in self.kb.topics]
        for meant in (topic, *sides):
            said = " ".join((*words[:start], meant.title.lower(), *words[start + length :]))
            decision = self.route(said)
            top = decision.top
            if decision.outcome is not Outcome.ANSWER or top is None:
                continue
            about = top.intent.topic
            of_both = (about.id in places and self._names.mentions(top.intent, meant)) or (
                meant.id in about.compares and not places.isdisjoint(about.compares)
            )
            if of_both:
                return Understood(dataclasses.replace(decision, text=text), context="refers")
        return None

    def _named_first(self, words: list[str], topic: Topic, *, last: bool = False) -> bool:
        """Whether the message names the topic before its first word referring back (or
        before its last: "the same for Spark: why is it quick?")."""
        names = self.router.topic_name_terms(topic.id)
        normalize = self.router.normalizer.normalize
        named = next(  # by its own stem or its expansion ("genai": generative AI)
            (
                i
                for i, w in enumerate(words)
                if stem(w) in names or not names.isdisjoint(normalize(w).terms)
            ),
            None,
        )
        if named is None or topic.id not in self.router.named_topics(" ".join(words)):
            return False
        refers = self._cues.refer_positions(words)
        if not refers:
            return True
        return named < (refers[-1] if last else refers[0])

    def _own_aspect(
        self, text: str, words: list[str], topic: Topic, plain: Decision
    ) -> Understood | None:
        """ "What other benefits does that give us?" after fine-tuning: a message referring back
        that alone is no answer (several topics have benefits) and names no topic, answered by
        the focus topic's own question on it when that reads clearly first among its parts."""
        if (
            not self._cues.refers_back(words)
            or self._followups.find(words)[0] is not None  # "any customer using it?": its story
            or self._names.named_topics(text, set())
            or (
                plain.outcome is Outcome.ANSWER
                and plain.top is not None
                and self._against.near(plain.top, topic)
            )
        ):
            return None
        bare = self._against.own_best(text, topic, named=False)
        if not bare or bare[0].intent.question is None or bare[0].score < _ASPECT_LEAST:
            return None
        if len(bare) > 1 and bare[0].score < _ASPECT_OVER * bare[1].score:
            return None
        return Understood(Decision(text, Outcome.ANSWER, bare[:4]), topic=topic, context="refers")

    def _declined_by_name(self, decision: Decision) -> bool:
        return declined_by_name(self.router, decision)


def _asks_of_place(words: Sequence[str]) -> bool:
    """Whether the message asks the topic in focus for more ("can I do RAG there too?"): "too",
    or "there" as a place (not "is there a …?")."""
    return "too" in words or any(
        w == "there" and (i == 0 or words[i - 1] not in _EXISTENTIAL) for i, w in enumerate(words)
    )


def _for_the_focus(words: Sequence[str]) -> bool:
    """Whether the message points back with a preposition ("… for it?", "… with that"): what
    it names serves the topic in focus."""
    return any(
        w in _FOCUS_OBJECTS and i and words[i - 1] in _FOCUS_PREPOSITIONS
        for i, w in enumerate(words)
    )
