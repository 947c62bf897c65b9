"""Analogues: "anything similar for genai safety?" after the responsible AI dashboard asks for
what plays the same part elsewhere. The message is read with the part just answered named in
place of the cue (knowledge/conversation.yaml's `analogues`): "responsible ai … for genai
safety" is AI Foundry's evaluation and safety. So is a short follow-up naming another topic
("and in azure ml / automl?" after Databricks' feature tables: AutoML's featurization), taken
when the part read there is that topic's. After a topic itself, a short message saying the
platform the user is on (`already_on`: "we're already on fabric tho" after Data Lake Storage) asks
for the topic related to both (OneLake)."""

from __future__ import annotations

import dataclasses

from bot.core.context.against_focus import FocusReader
from bot.core.context.cues import WORD, Cues, first_cue
from bot.core.context.focus import FOCUS_KINDS, Focus, Understood
from bot.core.context.names import TopicNames
from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Match, Outcome
from bot.core.text import ASKING_WORDS

_PLAIN_SHARE = 0.9
"""The counterpart's reading is taken when at least this share as likely as the message's own
(the cue says what the message asks: "… in foundry, is there an equivalent?" is no overview
of Foundry's tools)."""


_ALREADY_ON_WORDS = 8
"""A message saying the platform the user is on asks for the focus topic's counterpart there
when it is this short and asks nothing of its own."""


class Analogues:
    """Reads a message asking for the counterpart of the part of a topic just answered."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        cues: Cues,
        names: TopicNames,
        against: FocusReader,
    ) -> None:
        self.router = router
        self.cues = cues
        self.names = names
        self.against = against
        self._analogue_cues = [tuple(WORD.findall(a)) for a in kb.conversation.analogues]
        self._already_on = [tuple(WORD.findall(a)) for a in kb.conversation.already_on]
        self.kb = kb

    def read(self, words: list[str], focus: Focus, plain: Decision) -> Understood | None:
        """The counterpart asked for, elsewhere than the topic in focus; None when the message
        asks for none, or the part just answered reads as nothing else."""
        if focus.intent is None or not self.router.has_intent(focus.intent):
            return None
        part = self.router.intent(focus.intent).question
        if part is None:
            # a topic's own answer: the message names what it asks of it, or the platform the
            # user is already on
            return self.counterpart_on(words, focus, plain)
        found = first_cue(words, self._analogue_cues)
        named: frozenset[str] = frozenset()
        if found is None:
            length = self.cues.ellipsis_cue(words)  # "and in azure ml / automl?"
            named = self.router.named_topics(" ".join(words)) - {focus.topic}
            if length is None or not named:
                return None
            found = (0, length)
        at, length = found
        # the part's id names it in a few words ("responsible-ai", "batch-transcription")
        said = " ".join((*part.id.split("-"), *words[:at], *words[at + length :]))
        decision = self.against.route(said)
        top = decision.top
        if (
            decision.outcome is not Outcome.ANSWER
            or top is None
            or top.intent.topic.id == focus.topic
            or (named and not self._of_named(top, named, focus.topic))
        ):
            return None
        if (
            named
            and top.intent.question is None
            and top.intent.topic.id in named
            and self.cues.first_reference(words) is not None
        ):
            # "and can spark read it directly?" after where Fabric keeps its data: Spark as it
            # is in Fabric (Fabric Runtime), the topic standing between the two; not without a
            # word pointing back ("and feature engineering in general?")
            bridged = self._bridged(plain, focus, top.intent.topic)
            if bridged is not None:
                return bridged
        own = plain.top
        if (
            plain.outcome is Outcome.ANSWER
            and own is not None
            and top.score < own.score * _PLAIN_SHARE
        ):
            return None  # the message reads far better on its own
        return Understood(dataclasses.replace(decision, text=plain.text), context="refers")

    def _bridged(self, plain: Decision, focus: Focus, named: Topic) -> Understood | None:
        """The likeliest part of the one topic standing between the focus topic and a topic the
        message named (`_bridge`), read with the message; None when there is none."""
        topic = self.kb.topics.get(focus.topic or "")
        bridge = self._bridge(topic, named) if topic is not None else None
        if bridge is None:
            return None
        ranked = [
            m for m in self.router.rank_among(plain.text, (bridge.id,)) if m.intent.topic is bridge
        ]
        if not ranked:
            return None
        return Understood(dataclasses.replace(plain, matches=(ranked[0],)), context="refers")

    def _bridge(self, topic: Topic, on: Topic) -> Topic | None:
        """The one topic related to both (OneLake between Data Lake Storage and Fabric), or the
        one such whose name says `on`; None when no such topic stands out."""
        bridges = [
            t
            for t in self.kb.topics.values()
            if t.id not in (topic.id, on.id)
            and t.kind in FOCUS_KINDS
            and t.kind is not Kind.COMPARISON
            and _related(t, topic)
            and _related(t, on)
        ]
        naming = [t for t in bridges if on.id in self.router.named_topics(t.title)]
        chosen = naming if naming else bridges
        return chosen[0] if len(chosen) == 1 else None

    def _of_named(self, match: Match, named: frozenset[str], focus: str | None) -> bool:
        """Whether a reading is of a topic the message named, or a question of a topic kin to
        the focus or to the one named that names it in its own text ("and in aml?" after
        Databricks' feature tables: feature engineering's question on what Azure Machine
        Learning does for it)."""
        topic = match.intent.topic
        if topic.id in named:
            return True
        if match.intent.question is None:
            return False
        for other in (self.kb.topics[t] for t in named if t in self.kb.topics):
            kin = topic.id in other.related or not {other.id, focus}.isdisjoint(topic.related)
            if kin and self.names.mentions(match.intent, other):
                return True
        return False

    def counterpart_on(self, words: list[str], focus: Focus, plain: Decision) -> Understood | None:
        """ "We're already on Fabric" after Data Lake Storage: the one topic related to both the
        focus topic and the one named (OneLake), or the one such whose name says the named
        topic; None when the message says no platform it is on, or no such topic stands out."""
        topic = self.kb.topics.get(focus.topic or "")
        if (
            topic is None
            or len(words) > _ALREADY_ON_WORDS
            or not ASKING_WORDS.isdisjoint(words)
            or first_cue(words, self._already_on) is None
        ):
            return None  # "we're on gpt-4o mini, does fine-tuning still help?" asks its own
        named = [self.kb.topics[t] for t in self.router.named_topics(" ".join(words))]
        named = [n for n in named if n.id != topic.id]
        if len(named) != 1:
            return None
        bridge = self._bridge(topic, named[0])
        if bridge is None:
            return None
        decision = Decision(
            plain.text, Outcome.ANSWER, (Match(self.router.intent(bridge.id), 1.0),)
        )
        return Understood(decision, context="refers")


def _related(one: Topic, other: Topic) -> bool:
    """Whether either topic relates to the other."""
    return other.id in one.related or one.id in other.related
