"""The botbuilder face of the router: a Recognizer that returns a RecognizerResult."""

from __future__ import annotations

from typing import Any

from botbuilder.core import IntentScore, Recognizer, RecognizerResult, TurnContext

from bot.core.compare import Comparer
from bot.core.router import Decision, Outcome, Router
from bot.core.text import strip_mentions

NONE_INTENT = "None"
COMPARE_INTENT = "Compare"
TRACE_NAME = "RecognizerResult"
TRACE_LABEL = "ArchBot recognizer"
TRACE_VALUE_TYPE = "https://www.botframework.com/schemas/recognizerResult"
DECISION_PROPERTY = "decision"
RESULT_KEY = "archbot.recognizer_result"
"""Turn-state key of the turn's RecognizerResult (`recognize_once`)."""


def to_recognizer_result(decision: Decision) -> RecognizerResult:
    """A RecognizerResult for a decision: its top intent is "None" unless confident."""
    intents = {m.intent.id: IntentScore(score=m.score) for m in decision.matches}
    entities: dict[str, object] = {}
    top_score = decision.top.score if decision.top else 0.0
    if decision.comparison is not None:
        comparison = decision.comparison
        name = comparison.written.id if comparison.written else COMPARE_INTENT
        top_score = comparison.score
        intents = {name: IntentScore(score=top_score), **intents}
        entities["topics"] = [comparison.first.id, comparison.second.id]
    confident = decision.outcome is Outcome.ANSWER
    intents[NONE_INTENT] = IntentScore(score=round(1.0 - top_score, 4) if confident else 1.0)
    return RecognizerResult(
        text=decision.text,
        altered_text=strip_mentions(decision.text),
        intents=intents,
        entities=entities,
        properties={DECISION_PROPERTY: decision},
    )


def serialize_result(result: RecognizerResult) -> dict[str, Any]:
    """The JSON form of a RecognizerResult, as the Emulator's inspector shows it."""
    decision: Decision | None = result.properties.get(DECISION_PROPERTY)
    top_intent, top_score = result.get_top_scoring_intent()
    return {
        "text": result.text,
        "alteredText": result.altered_text,
        "intents": {name: {"score": s.score} for name, s in result.intents.items()},
        "entities": result.entities or {},
        "topIntent": top_intent,
        "topScore": top_score,
        "outcome": decision.outcome.value if decision else None,
    }


class KnowledgeRecognizer(Recognizer):
    """Recognizes a message's intent with the fuzzy router and traces the result to the Emulator."""

    def __init__(self, router: Router, comparer: Comparer) -> None:
        self.router = router
        self.comparer = comparer

    async def recognize(self, turn_context: TurnContext) -> RecognizerResult:
        """Route the turn's text; send a `RecognizerResult` trace (shown only by the Emulator)."""
        decision = self.comparer.apply(self.router.route(turn_context.activity.text or ""))
        result = to_recognizer_result(decision)
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
    """The router's decision carried inside a RecognizerResult."""
    return result.properties[DECISION_PROPERTY]
