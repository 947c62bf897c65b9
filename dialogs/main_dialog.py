"""The root dialog: routes each message and answers it, or starts a longer conversation."""

from __future__ import annotations

from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)

from bot.core.replies import Replies
from bot.messages import to_activity
from bot.recognizer import KnowledgeRecognizer, decision_of


class MainDialog(ComponentDialog):
    """Answers knowledge questions through the recognizer; one turn per question."""

    def __init__(self, recognizer: KnowledgeRecognizer, replies: Replies) -> None:
        super().__init__(MainDialog.__name__)
        self.recognizer = recognizer
        self.replies = replies
        self.add_dialog(WaterfallDialog("MainWaterfall", [self._answer_step]))
        self.initial_dialog_id = "MainWaterfall"

    async def _answer_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        result = await self.recognizer.recognize(step.context)
        reply = self.replies.for_decision(decision_of(result))
        await step.context.send_activity(to_activity(reply))
        return await step.end_dialog()
