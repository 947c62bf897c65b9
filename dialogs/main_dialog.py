"""The root dialog: routes each message and answers it, or starts a longer conversation."""

from __future__ import annotations

import re

from botbuilder.core import TurnContext
from botbuilder.dialogs import ComponentDialog, DialogContext, DialogTurnResult, DialogTurnStatus

from bot.core.kb import Kind
from bot.core.replies import Replies
from bot.core.router import Decision, Outcome
from bot.messages import to_activity
from bot.recognizer import KnowledgeRecognizer, understood_of
from dialogs.walkthrough_dialog import WALKTHROUGH_TOPIC, WalkthroughDialog

_CLAUSES = re.compile(r"[.:;!?\n]+|\s[-–—]\s")


def _starts_walkthrough(decision: Decision) -> bool:
    """True when the router is confident the message asks for the guided walkthrough."""
    top = decision.top
    return (
        decision.comparison is None
        and decision.outcome is Outcome.ANSWER
        and top is not None
        and top.intent.question is None
        and top.intent.topic.kind is Kind.ACTION
        and top.intent.topic.id == WALKTHROUGH_TOPIC
    )


class MainDialog(ComponentDialog):
    """Answers knowledge questions through the recognizer; one turn per question. A message that
    asks for guidance (the `walkthrough` action topic) starts the guided walkthrough, the one
    dialog this component holds; the component ends when the walkthrough does.

    A question needs no dialog stack: when none is active, the handler calls `answer` first and
    runs the dialog only for a message that starts the walkthrough (botbuilder's dialog turn,
    its state manager and memory scopes, cost ~0.1 ms a turn; bench/README.md)."""

    def __init__(
        self,
        recognizer: KnowledgeRecognizer,
        replies: Replies,
        walkthrough: WalkthroughDialog | None = None,
    ) -> None:
        super().__init__(MainDialog.__name__)
        self.recognizer = recognizer
        self.replies = replies
        self.walkthrough = walkthrough
        self._walkthrough_terms: frozenset[str] | None = None
        if walkthrough is not None:
            self.add_dialog(walkthrough)

    async def answer(self, context: TurnContext) -> bool:
        """Answer the message unless it asks for the walkthrough; True when it was answered."""
        if self.walkthrough is not None and await self.walkthrough.follow_up(context):
            return True  # "why not X?" / "what if …?" about the last recommendation
        result = await self.recognizer.recognize_once(context)
        understood = understood_of(result)
        text = context.activity.text or ""
        if self.walkthrough is not None and (
            _starts_walkthrough(understood.decision)
            or self.recognizer.conversation.asks_for_guidance(text, understood.decision)
            or (understood.decision.comparison is None and self._clause_asks_for_walkthrough(text))
        ):
            return False
        reply = self.replies.for_understood(understood)
        await context.send_activity(to_activity(reply, context))
        await self.recognizer.remember(context, result)
        return True

    async def on_begin_dialog(self, inner_dc: DialogContext, options: object) -> DialogTurnResult:
        """Answer the message, or start the walkthrough it asks for."""
        if await self.answer(inner_dc.context):
            return DialogTurnResult(DialogTurnStatus.Complete)
        opener = inner_dc.context.activity.text or ""
        return await inner_dc.begin_dialog(self.walkthrough.id, {"opener": opener})

    def _clause_asks_for_walkthrough(self, text: str) -> bool:
        """A request for guidance with a scenario around it ("help me pick an architecture: we
        have scanned invoices and no data scientists") asks for the walkthrough in one clause.
        The clauses are matched by the lexical router alone: the walkthrough's phrases are what
        such a clause says, and the whole message was already read by the full recognizer."""
        clauses = [c for c in _CLAUSES.split(text) if c.strip()]
        if len(clauses) < 2:
            return False
        lexical = self.recognizer.router.lexical
        return any(
            _starts_walkthrough(lexical.route(c)) for c in clauses if self._may_ask_guidance(c)
        )

    def _may_ask_guidance(self, clause: str) -> bool:
        """Whether a clause shares enough words with the walkthrough's phrases to be worth
        routing (most clauses of a description share none)."""
        if self._walkthrough_terms is None:
            topic = self.recognizer.router.kb.topics.get(WALKTHROUGH_TOPIC)
            normalize = self.recognizer.router.normalizer.normalize
            phrases = (*topic.phrases, *topic.aliases) if topic else ()
            self._walkthrough_terms = frozenset(t for p in phrases for t in normalize(p).terms)
        terms = set(self.recognizer.router.normalizer.normalize(clause).terms)
        return len(terms & self._walkthrough_terms) >= min(2, len(terms))
