"""The activity handler: one path for every channel's messages, welcomes and state."""

from __future__ import annotations

from http import HTTPStatus

from botbuilder.core import ActivityHandler, ConversationState, TurnContext, UserState
from botbuilder.dialogs import Dialog, DialogExtensions
from botbuilder.schema import AdaptiveCardInvokeResponse, ChannelAccount

from bot.core.replies import Replies
from bot.messages import to_activity


class ArchBotHandler(ActivityHandler):
    """Runs the root dialog for every message and saves conversation and user state each turn."""

    def __init__(
        self,
        conversation_state: ConversationState,
        user_state: UserState,
        dialog: Dialog,
        replies: Replies,
    ) -> None:
        self.conversation_state = conversation_state
        self.user_state = user_state
        self.dialog = dialog
        self.replies = replies
        self.dialog_state = conversation_state.create_property("DialogState")

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Handle the turn, then save state (skipped when the turn failed: nothing is lost)."""
        await super().on_turn(turn_context)
        await self.conversation_state.save_changes(turn_context)
        await self.user_state.save_changes(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Every message, typed or clicked, goes through the root dialog."""
        await DialogExtensions.run_dialog(self.dialog, turn_context, self.dialog_state)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Welcome each person who joins, but not the bot itself."""
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        for member in members_added:
            if member.id != bot_id:
                await turn_context.send_activity(to_activity(self.replies.welcome()))

    def _create_adaptive_card_invoke_error_response(
        self, status_code: HTTPStatus, code: str, message: str
    ) -> AdaptiveCardInvokeResponse:
        """The error body for a malformed card action.

        botbuilder 4.17.1 puts an `Exception` in it, which cannot be serialized, so the request
        failed with 500; this returns the protocol's error object (code, message) instead.
        """
        return AdaptiveCardInvokeResponse(
            status_code=status_code,
            type="application/vnd.microsoft.error",
            value={"code": code, "message": message},
        )
