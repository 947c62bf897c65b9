"""The botbuilder face of the recognizer: a Recognizer that returns a RecognizerResult.

The message is read in the context of the conversation's focus (bot/core/context/), kept in
conversation state; the result's top intent is the decision taken — the answered intent, or
"None" for a decline or a "did you mean" — with calibrated scores in [0, 1].
"""

from __future__ import annotations

import dataclasses
from typing import Any

from botbuilder.core import (
    IntentScore,
    Recognizer,
    RecognizerResult,
    StatePropertyAccessor,
    TurnContext,
)

from bot.core.context import Conversation, Focus, Understood, next_focus
from bot.core.kb import Kind
from bot.core.router import Decision, Outcome
from bot.core.text import strip_mentions
from bot.state.redact import redact_message

NONE_INTENT = "None"
COMPARE_INTENT = "Compare"
TRACE_NAME = "RecognizerResult"
TRACE_LABEL = "ArchBot recognizer"
TRACE_VALUE_TYPE = "https://www.botframework.com/schemas/recognizerResult"
DECISION_PROPERTY = "decision"
UNDERSTOOD_PROPERTY = "understood"
FOCUS_PROPERTY = "focus"
RESULT_KEY = "archbot.recognizer_result"
"""Turn-state key of the turn's RecognizerResult (`recognize_once`)."""
_BELOW = 1e-4
TRACE_CHANNELS = frozenset({"emulator", "terminal"})
"""Channels shown the RecognizerResult trace: the Emulator's inspector, `archbot ask --json`."""


def to_recognizer_result(understood: Understood | Decision) -> RecognizerResult:
    """A RecognizerResult whose top-scoring intent is the decision taken."""
    if isinstance(understood, Decision):
        understood = Understood(understood)
    decision = understood.decision
    answered = decision.outcome is Outcome.ANSWER
    intents = {m.intent.id: IntentScore(score=m.score) for m in decision.matches}
    entities: dict[str, object] = {}
    top_name, top_score = (decision.top.intent.id, decision.top.score) if decision.top else ("", 0)
    if decision.comparison is not None:
        comparison = decision.comparison
        top_name = comparison.written.id if comparison.written else COMPARE_INTENT
        top_score = max(top_score, comparison.score)
        entities["topics"] = [comparison.first.id, comparison.second.id]
    if understood.followup is not None:
        entities["followup"] = understood.followup.id
    if answered:
        intents = {top_name: IntentScore(score=round(top_score, 4)), **intents}
        # None: the chance the answer is wrong, kept below the answer so the top is the decision
        none = round(min(1.0 - top_score, top_score - _BELOW), 4)
        intents[NONE_INTENT] = IntentScore(score=max(0.0, none))
        for name, score in intents.items():
            if name not in (top_name, NONE_INTENT) and score.score >= top_score:
                score.score = round(top_score - _BELOW, 4)
    else:  # declined or unsure: None is the top intent, every candidate stays below it
        best = next(
            (m.score for m in decision.matches if m.intent.topic.kind is not Kind.DECLINE), 0.0
        )
        named_decline = bool(decision.matches) and decision.matches[0].intent.topic.kind is (
            Kind.DECLINE
        )
        # None: the chance no answer is right (certain when another product was named)
        none = 1.0 if named_decline else round(max(1.0 - best, best + _BELOW), 4)
        for score in intents.values():
            score.score = round(min(score.score, none - _BELOW), 4)
        intents[NONE_INTENT] = IntentScore(score=min(1.0, none))
    return RecognizerResult(
        text=decision.text,
        altered_text=strip_mentions(decision.text),
        intents=intents,
        entities=entities,
        properties={DECISION_PROPERTY: decision, UNDERSTOOD_PROPERTY: understood},
    )


def serialize_result(result: RecognizerResult) -> dict[str, Any]:
    """The JSON form of a RecognizerResult, as the Emulator's inspector shows it."""
    decision: Decision | None = result.properties.get(DECISION_PROPERTY)
    understood: Understood | None = result.properties.get(UNDERSTOOD_PROPERTY)
    top_intent, top_score = result.get_top_scoring_intent()
    declined = decision is not None and decision.outcome is Outcome.NONE and decision.top
    return {
        "text": result.text,
        "alteredText": result.altered_text,
        "intents": {name: {"score": s.score} for name, s in result.intents.items()},
        "entities": result.entities or {},
        "topIntent": top_intent,
        "topScore": top_score,
        "outcome": decision.outcome.value if decision else None,
        "context": understood.context if understood else None,
        "declinedAs": decision.top.intent.id if declined else None,
    }


class KnowledgeRecognizer(Recognizer):
    """Recognizes a message's intent in the context of the conversation and traces the result
    to the Emulator."""

    def __init__(
        self, conversation: Conversation, focus: StatePropertyAccessor | None = None
    ) -> None:
        self.conversation = conversation
        self.focus = focus

    @property
    def router(self):
        """The recognizer's router (the hybrid one)."""
        return self.conversation.router

    async def current_focus(self, turn_context: TurnContext) -> Focus:
        """What the conversation is about, from conversation state."""
        if self.focus is None:
            return Focus()
        # no default: a default would be written into the state and save it on every first turn
        return Focus.from_state(await self.focus.get(turn_context))

    async def remember(self, turn_context: TurnContext, result: RecognizerResult) -> None:
        """Move the conversation's focus to what this turn answered (a decline keeps it)."""
        understood: Understood | None = result.properties.get(UNDERSTOOD_PROPERTY)
        before: Focus | None = result.properties.get(FOCUS_PROPERTY)
        if self.focus is None or understood is None or before is None:
            return
        # the user's words enter the focus (`said`, `told`) without the secrets a message may
        # carry (bot/state/redact.py): redacted once, as they come in
        typed = understood.decision
        redacted = dataclasses.replace(typed, text=redact_message(typed.text))
        after = next_focus(dataclasses.replace(understood, decision=redacted), before)
        if after != before:
            await self.focus.set(turn_context, after.to_state())

    async def recognize(self, turn_context: TurnContext) -> RecognizerResult:
        """Read the turn's text in context; send a `RecognizerResult` trace (to the Emulator and
        the terminal's `archbot ask --json`)."""
        focus = await self.current_focus(turn_context)
        understood = self.conversation.understand(turn_context.activity.text or "", focus)
        result = to_recognizer_result(understood)
        result.properties[FOCUS_PROPERTY] = focus  # what `remember` moves on from
        if turn_context.activity.channel_id in TRACE_CHANNELS:
            await turn_context.send_trace_activity(
                TRACE_NAME,
                value=serialize_result(result),
                value_type=TRACE_VALUE_TYPE,
                label=TRACE_LABEL,
            )
        return result

    async def recognize_once(self, turn_context: TurnContext) -> RecognizerResult:
        """`recognize`, once per turn and text: a second call returns the first one's result."""
        text = turn_context.activity.text or ""
        cached = turn_context.turn_state.get(RESULT_KEY)
        if cached is not None and cached.text == text:
            return cached
        result = await self.recognize(turn_context)
        turn_context.turn_state[RESULT_KEY] = result
        return result


def decision_of(result: RecognizerResult) -> Decision:
    """The decision carried inside a RecognizerResult."""
    return result.properties[DECISION_PROPERTY]


def understood_of(result: RecognizerResult) -> Understood:
    """The decision and the context that shaped it, carried inside a RecognizerResult."""
    return result.properties.get(UNDERSTOOD_PROPERTY) or Understood(decision_of(result))
