"""Messages that do not point back at the focus but are still read in it: a short question naming
nothing ("how many languages?", "how would we improve accuracy?") is about the focus topic when
one of its passages says its words, or when read with the focus topic's name it lands there as
surely; an unsure reading whose best guess is the focus topic ("we don't have parallel
documents, just a glossary") is a follow-up on it; a near tie or a "did you mean" between
readings one of which is near the focus is settled by the focus. A question asking what another
topic is ("what's training?") keeps its own answer."""

from __future__ import annotations

import dataclasses

from bot.core.context.against_focus import SAID_MIN, FocusReader
from bot.core.context.focus import FOCUS_KINDS, Focus, Understood, answers_a_question
from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.passages import TopicPassages
from bot.core.router import Decision, Match, Outcome

_IMPLICIT_MAX_WORDS = 8
"""A question this short that names no topic may be about the topic in focus."""
_LEANING = 0.12
"""An unsure reading leaning to the focus at least this much is a follow-up on it."""
_TIE_SHARE = 0.85
"""A reading of the focus's family this close to a message's best reading elsewhere wins."""
_DEFINES = (("what", "is"), ("what's",), ("whats",), ("what", "are"), ("define",))
_OPENERS = frozenset({"and", "so", "ok", "okay", "then", "also", "but", "now"})
"""Words that may open a question asking what something is ("and what is AI Foundry?")."""
_SEQUENCE = frozenset({"after", "then", "next", "afterwards", "that", "this", "step", "stage"})
"""Words placing what is asked in a sequence ("what's scoring after that?"), not part of it."""
_DEFINED = 0.8
_DEFINED_WORDS = 3
"""A question asking what something is ("what's training?") whose few words are all of the name
of the topic it is answered with (at least this likely) on its own is about that topic, not a
part of the focus topic that happens to say the word."""
_KIN_LIKELY = 0.5
"""An unsure message leaning to a topic related to the focus is a follow-up answered by that
topic when, read with the focus topic's name, it lands there at least this likely."""
_AMBIGUOUS_NEAR = 0.4
"""An option of a "did you mean" near the focus is taken when at least this likely."""
_SAID_NEAR = 0.1
"""Passages of the focus topic saying nearly as much of a short question as the one saying most
are tied: the part the recognizer finds likelier answers ("does it keep up at scale?" about Data
Lake Storage: its scale, not its comparison with Blob Storage that says "scale" too)."""
_SAID_LIKELY = 0.8
_SAID_LIKELY_OVER_TOPIC = 0.5
_SAID_LIKELIER = 2.0
"""A part of the focus topic that says fewer of a short question's words than the part saying
most answers it when the recognizer finds it this likely and this many times as likely ("how
big can it scale?" about Data Lake Storage: its scale, not its comparison that says "big-data
scale"); over the topic's own text, which says most things, likely is enough at the lower floor
("can it run in-process with our app?" about Phi: where it runs)."""
_SURE_ELSEWHERE = 0.95
"""A fragment read this surely on its own as another topic's question is not answered by the
focus topic's own text because that text says its words."""
_FRAGMENT_KIN_WORDS = 3
"""A question this short that the focus topic's passages say too little of may be said by a
related topic's question ("which languages?" about Fabric: the Fabric Runtime's)."""


class Implicit:
    """Reads a message that does not refer back, in the focus."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        passages: TopicPassages,
        against: FocusReader,
    ) -> None:
        self.kb = kb
        self.router = router
        self.passages = passages
        self.against = against

    def read(
        self, text: str, words: list[str], topic: Topic, plain: Decision, focus: Focus
    ) -> Understood:
        """A message that does not refer back: a follow-up on the focus when nothing else
        reads it surely, else its own reading (a near tie or a "did you mean" settled by the
        focus)."""
        return (
            self.implicit_followup(text, words, topic, plain, focus)
            or self.leaning_to_focus(text, words, topic, plain, focus)
            or self.near_tie(plain, topic)
            or self.disambiguated(plain, topic)
            or Understood(plain)
        )

    def definition(self, words: list[str], topic: Topic, plain: Decision) -> Understood | None:
        """ "What's training?" after machine learning: training, an aside when the focus topic
        relates to it (the focus stays: "when should I use it?" is still about ML); None when
        the message does not ask what another topic is."""
        if not self.defines_answered(words, topic, plain):
            return None
        answered = plain.top.intent.topic if plain.top else None
        if answered is not None and answered.id in topic.related and answered.kind is Kind.CONCEPT:
            return Understood(plain, topic=topic, context="refers")
        return Understood(plain)  # another product asked about ("and what is AI Foundry?")

    def implicit_followup(
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
        if not self.against.says_of_family(text, topic, focus):
            return None  # "hyperparameters explained" after embeddings: nothing of theirs
        understood = self.against.with_focus(text, topic, plain)
        if understood is None or understood.decision.top is None:
            return None
        read = understood.decision.top.intent.topic
        family = {topic.id, *topic.related}
        if (
            read.id != topic.id
            and topic.id not in read.compares
            and not (read.id in topic.related and self._strayed(plain, family))
        ):
            # only the focus topic itself (nothing names it), a comparison of it ("when would
            # hand-coding make more sense" about AutoML: AutoML vs custom training), or a topic
            # it relates to when the message alone strays far from the family ("do we need to
            # train anything?" about Document Intelligence: Azure AI services' prebuilt ones,
            # not MLflow)
            return None
        mine = understood.decision.top.score
        if plain.outcome is Outcome.ANSWER and plain.top and plain.top.score > mine:
            return None
        among = self.against.among_focus(text, topic, focus)
        # an intent outside the family that only names the focus topic is for a message that
        # names something ("can we use it from Fabric?"); this one names nothing ("what
        # happens at inference time?" about Databricks: Databricks' own part); the family is
        # the last answer's too ("and if our devs want a framework?" after Copilot Studio was
        # answered about copilots: AI Foundry's frameworks)
        answered = self.against.answered_last(focus)
        shown = {answered.id, *answered.related} if answered is not None else set()
        if (
            among is not None
            and among.decision.top is not None
            and among.decision.top.intent.topic.id in family | shown
        ):
            return among
        return understood

    def _strayed(self, plain: Decision, family: set[str]) -> bool:
        """Whether the message alone reads as neither the family nor a topic it relates to."""
        if plain.top is None:
            return True
        around = family.union(*(self.kb.topics[t].related for t in family if t in self.kb.topics))
        return plain.top.intent.topic.id not in around

    def leaning_to_focus(
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
        # one of the family's own questions ("can you fix my python KeyError?" about Python
        # and R leans to the topic itself, and is still off-topic)
        among = self.against.among_focus(text, topic, focus)
        if among is not None and _a_question(among):
            return among
        with_focus = self.against.with_focus(text, topic, plain)
        if with_focus is None:
            return None
        if among is None and _a_question(with_focus):
            return with_focus
        # or a related topic, read with the focus topic's name likely enough ("the layouts
        # differ per carrier" about Document Intelligence: its custom models)
        kin = with_focus.decision
        if (
            kin.outcome is Outcome.ANSWER
            and kin.top is not None
            and kin.top.intent.topic.id in topic.related
            and kin.top.intent.topic.kind is not Kind.COMPARISON  # a need, not a choice
            and kin.top.score >= _KIN_LIKELY
        ):
            return with_focus
        return None

    def near_tie(self, plain: Decision, topic: Topic) -> Understood | None:
        """A message answered on its own, whose reading next to the best is of the focus's
        family and nearly as likely: the conversation breaks the tie ("why do embeddings
        matter?" after Mosaic AI Vector Search: embeddings and vector search, not Azure
        OpenAI's embedding models)."""
        top = plain.top
        if plain.outcome is not Outcome.ANSWER or top is None or self.against.near(top, topic):
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

    def disambiguated(self, plain: Decision, topic: Topic) -> Understood | None:
        """A message that would get "did you mean …?" on its own, one of whose options is the
        focus topic or near it: the likeliest of those ("what about outside Fabric, what
        connector options exist?" after Fabric Data Factory: data connectors)."""
        if plain.outcome is not Outcome.AMBIGUOUS:
            return None
        near = [
            m
            for m in plain.matches
            if self.against.near(m, topic) and m.intent.topic.kind in FOCUS_KINDS
        ]
        if not near:
            return None
        best = max(near, key=lambda m: m.score)
        if (
            best.score < _AMBIGUOUS_NEAR
            or self.against.share(plain.text, best.intent) < SAID_MIN / 2
        ):
            return None  # "spark plug gap and torque?" after Fabric: only "spark" is said
        others = tuple(m for m in plain.matches if m is not best)
        decision = dataclasses.replace(plain, outcome=Outcome.ANSWER, matches=(best, *others))
        return Understood(decision)

    def said_of_focus(
        self, text: str, words: list[str], topic: Topic, plain: Decision
    ) -> Understood | None:
        """A short question that names no other topic and whose words a passage of the focus
        topic says ("how many languages?" about Custom Translator, "trained on what?" about
        Azure AI Speech) is answered from that part of the focus topic (on a near tie, the part
        the recognizer finds likelier) — not a fragment whose words the topic's own text merely
        says while another topic's question reads it surely ("and retraining?" about training)."""
        if len(words) > _IMPLICIT_MAX_WORDS or self.router.named_topics(text) - {topic.id}:
            return None
        about = topic
        evidence = self.passages.evidence(text, topic.id)
        if evidence and evidence[0].share < SAID_MIN and len(words) <= _FRAGMENT_KIN_WORDS:
            # a fragment ("which languages?" about Fabric) may be said by a related topic's
            # question (the Fabric Runtime's languages)
            kin = [
                (self.passages.evidence(text, t), self.kb.topics[t])
                for t in topic.related
                if t in self.kb.topics
            ]
            kin = [(e, t) for e, t in kin if e and self.router.intent(e[0].intent).question]
            if kin:
                evidence, about = max(kin, key=lambda k: k[0][0].share)
        if not evidence or evidence[0].share < SAID_MIN:
            return None
        probability = {m.intent.id: m.score for m in self.router.rank_among(text, (about.id,))}
        tied = [e for e in evidence if e.share >= max(SAID_MIN, evidence[0].share - _SAID_NEAR)]
        best = max(tied, key=lambda e: probability.get(e.intent, 0.0))
        likelier = max(evidence, key=lambda e: probability.get(e.intent, 0.0))
        # the topic's own text says most things: a question of it is taken more readily over it
        # ("do we have to host it ourselves?" about AI Foundry: its serverless models)
        floor = _SAID_LIKELY_OVER_TOPIC if best.intent == about.id else _SAID_LIKELY
        if probability.get(likelier.intent, 0.0) >= max(
            floor, probability.get(best.intent, 0.0) * _SAID_LIKELIER
        ):
            best = likelier  # "how big can it scale?" about Data Lake Storage: its scale
        fragment = len(words) <= _FRAGMENT_KIN_WORDS
        if fragment and best.intent == about.id and _sure_elsewhere(plain, about):
            return None
        match = Match(self.router.intent(best.intent), probability.get(best.intent, best.share))
        decision = Decision(text, Outcome.ANSWER, (match,))
        return Understood(decision, topic=topic, context="refers")

    def defines_answered(self, words: list[str], topic: Topic, plain: Decision) -> bool:
        """Whether the message asks what something is ("what's training?") and the words asked
        about are all of the name of the topic it is confidently answered with on its own
        (another topic than the focus one)."""
        while words and words[0] in _OPENERS:  # "and what is AI Foundry?"
            words = words[1:]
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


def _sure_elsewhere(plain: Decision, topic: Topic) -> bool:
    """Whether the message on its own is surely one of another topic's questions."""
    return answers_a_question(plain, _SURE_ELSEWHERE) and plain.top.intent.topic.id != topic.id


def _a_question(understood: Understood) -> bool:
    """Whether the reading answers one of a topic's questions (not a topic itself)."""
    top = understood.decision.top
    return top is not None and top.intent.question is not None
