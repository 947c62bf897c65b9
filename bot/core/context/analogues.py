"""Analogues: "anything similar for genai safety?" after the responsible AI dashboard asks for
what plays the same part elsewhere. The message is read with the part just answered named in
place of the cue (knowledge/conversation.yaml's `analogues`): "responsible ai … for genai
safety" is AI Foundry's evaluation and safety. So is a short follow-up naming another topic
("and in azure ml / automl?" after Databricks' feature tables: AutoML's featurization), taken
when the part read there is that topic's."""

from __future__ import annotations

import dataclasses

from bot.core.context.against_focus import FocusReader
from bot.core.context.cues import WORD, Cues
from bot.core.context.focus import Focus, Understood
from bot.core.hybrid import HybridRouter
from bot.core.kb import KnowledgeBase
from bot.core.router import Decision, Outcome

_PLAIN_SHARE = 0.9
"""The counterpart's reading is taken when at least this share as likely as the message's own
(the cue says what the message asks: "… in foundry, is there an equivalent?" is no overview
of Foundry's tools)."""


class Analogues:
    """Reads a message asking for the counterpart of the part of a topic just answered."""

    def __init__(
        self, kb: KnowledgeBase, router: HybridRouter, cues: Cues, against: FocusReader
    ) -> None:
        self.router = router
        self.cues = cues
        self.against = against
        self._analogue_cues = [tuple(WORD.findall(a)) for a in kb.conversation.analogues]

    def read(self, words: list[str], focus: Focus, plain: Decision) -> Understood | None:
        """The counterpart asked for, elsewhere than the topic in focus; None when the message
        asks for none, or the part just answered reads as nothing else."""
        if focus.intent is None or not self.router.has_intent(focus.intent):
            return None
        part = self.router.intent(focus.intent).question
        if part is None:
            return None  # a topic's own answer: the message names what it asks of it
        found = next(
            (
                (i, len(cue))
                for i in range(len(words))
                for cue in self._analogue_cues
                if tuple(words[i : i + len(cue)]) == cue
            ),
            None,
        )
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
            or (named and top.intent.topic.id not in named)
        ):
            return None
        own = plain.top
        if (
            plain.outcome is Outcome.ANSWER
            and own is not None
            and top.score < own.score * _PLAIN_SHARE
        ):
            return None  # the message reads far better on its own
        return Understood(dataclasses.replace(decision, text=plain.text), context="refers")
