"""The root dialog: routes each message and answers it, or starts a longer conversation."""

from __future__ import annotations

import dataclasses

from botbuilder.core import TurnContext
from botbuilder.dialogs import ComponentDialog, DialogContext, DialogTurnResult, DialogTurnStatus

from bot.channels.messages import to_activity
from bot.core.guidance import Request
from bot.core.replies import Replies, Reply
from bot.recognizer import FOCUS_PROPERTY, KnowledgeRecognizer, understood_of
from dialogs.walkthrough_dialog import WalkthroughDialog

WALKTHROUGH_OFFER = "Help me choose an architecture"
"""The button offered beside an answer to a request for advice: clicking it starts the
walkthrough (the walkthrough topic's own phrase)."""
ANSWERED_FIRST = "archbot.answered_first"
"""Turn state: the message was answered, and the walkthrough starts after that answer."""


def with_walkthrough_offer(reply: Reply) -> Reply:
    """The reply with the walkthrough offered as its last suggested action (of three at most)."""
    kept = tuple(s for s in reply.suggestions if s != WALKTHROUGH_OFFER)[:2]
    return dataclasses.replace(reply, suggestions=(*kept, WALKTHROUGH_OFFER))


class MainDialog(ComponentDialog):
    """Answers knowledge questions through the recognizer; one turn per question. A message that
    asks for guidance (the `walkthrough` action topic) starts the guided walkthrough, the one
    dialog this component holds; the component ends when the walkthrough does.

    A request for advice on a need the knowledge answers ("we get 4k invoices a month … what
    would you use?") gets that answer first, then the walkthrough, introduced as fitting the
    answer to the team.

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
        if walkthrough is not None:
            self.add_dialog(walkthrough)

    async def answer(self, context: TurnContext) -> bool:
        """Answer the message unless it asks for the walkthrough; True when the turn is done
        (False: the walkthrough starts, after the answer when the request was answered)."""
        if self.walkthrough is not None and await self.walkthrough.follow_up(context):
            return True  # "why not X?" / "what if …?" about the last recommendation
        result = await self.recognizer.recognize_once(context)
        understood = understood_of(result)
        text = context.activity.text or ""
        conversation = self.recognizer.conversation
        in_context = understood.context is not None
        focus = (result.properties or {}).get(FOCUS_PROPERTY)
        talked = focus is not None and focus.topic is not None
        request = conversation.guidance.request(
            text,
            understood.decision,
            in_context=in_context,
            talked=talked,
            referring=understood.context == "refers",
        )
        if self.walkthrough is not None and request is Request.WALKTHROUGH:
            # the walkthrough is about what the opener named: a question on the way is read so
            await self.recognizer.remember(context, result)
            return False
        reply = self.replies.for_understood(understood)
        if self.walkthrough is not None and request is Request.ANSWERED:
            reply = with_walkthrough_offer(reply)
        await context.send_activity(to_activity(reply, context))
        await self.recognizer.remember(context, result)
        if self.walkthrough is not None and request is Request.ANSWER_FIRST:
            context.turn_state[ANSWERED_FIRST] = True
            return False
        return True

    async def on_begin_dialog(self, inner_dc: DialogContext, options: object) -> DialogTurnResult:
        """Answer the message, or start the walkthrough it asks for."""
        context = inner_dc.context
        answered = bool(context.turn_state.get(ANSWERED_FIRST))
        if not answered and await self.answer(context):
            return DialogTurnResult(DialogTurnStatus.Complete)
        options = {"opener": context.activity.text or "", "answered": answered}
        return await inner_dc.begin_dialog(self.walkthrough.id, options)
