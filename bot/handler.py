"""The activity handler: one path for every channel's messages, welcomes and state."""

from __future__ import annotations

import logging
from http import HTTPStatus

from botbuilder.core import ConversationState, TurnContext, UserState
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import DialogExtensions, DialogState
from botbuilder.schema import AdaptiveCardInvokeResponse, ChannelAccount
from botframework.connector import Channels

from bot.channels.messages import UNANSWERED_KEY, Presenter, to_activity
from bot.channels.teams import (
    FeedbackClick,
    KnowledgeSearch,
    feedback_click,
    message_text,
    query_response,
    select_item_response,
    strip_bot_mention,
)
from bot.core.replies import Replies
from bot.operations.notify import Notices
from bot.state.concurrency import TurnGuard
from bot.state.feedback import FeedbackStore
from dialogs.main_dialog import MainDialog
from dialogs.stack_check import unknown_dialog

log = logging.getLogger(__name__)


class ArchBotHandler(TeamsActivityHandler):
    """Answers every message through the root dialog and saves conversation and user state each
    turn: a question with no dialog in progress is answered in one step (`MainDialog.answer`),
    anything else runs the dialog stack.

    Teams (bot/channels/teams.py): the bot's @mention is removed and a card click is read as the
    text it stands for before routing; 👍 / 👎 clicks and unanswered questions go to the feedback
    store; the search message extension queries the knowledge base.
    """

    def __init__(
        self,
        conversation_state: ConversationState,
        user_state: UserState,
        dialog: MainDialog,
        replies: Replies,
        *,
        feedback: FeedbackStore | None = None,
        presenter: Presenter | None = None,
        search: KnowledgeSearch | None = None,
        notices: Notices | None = None,
    ) -> None:
        self.conversation_state = conversation_state
        self.user_state = user_state
        self.dialog = dialog
        self.replies = replies
        self.feedback = feedback
        self.presenter = presenter or Presenter()
        self.search = search
        self.dialog_state = conversation_state.create_property("DialogState")
        self.notices = notices  # subscribe / unsubscribe (bot/operations/notify.py)
        self.turns = TurnGuard([conversation_state, user_state])  # stale e-tags: concurrency.py

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Handle the turn, then save state (skipped when the turn failed: nothing is lost)."""
        self.presenter.attach(turn_context)  # replies become cards or text for the channel
        # the turn, then its state saved; replies held until then; a stale e-tag reruns it once
        await self.turns.run(turn_context, super().on_turn)
        if turn_context.turn_state.get(UNANSWERED_KEY) and self.feedback is not None:
            await self.feedback.gap(turn_context.activity.text or "")

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Every message, typed or clicked, goes to the root dialog (a 👍 / 👎 excepted)."""
        activity = turn_context.activity
        click = None if strip_bot_mention(activity) else feedback_click(activity.value)
        if click is not None:
            await self._on_feedback(turn_context, click)
            return
        activity.text = message_text(activity)  # no @mention; a card click's text; never None
        if self.notices is not None and await self.notices.on_message(turn_context):
            return  # "subscribe" / "unsubscribe"
        state = await self.dialog_state.get(turn_context, DialogState)
        self._drop_unknown_dialogs(turn_context, state)
        if not state.dialog_stack and await self.dialog.answer(turn_context):
            return  # a question, with no dialog in progress: one turn, no dialog stack
        await DialogExtensions.run_dialog(self.dialog, turn_context, self.dialog_state)

    def _drop_unknown_dialogs(self, turn_context: TurnContext, state: DialogState) -> None:
        """A stack saved by a version of the bot with other dialogs would fail every turn of
        its conversation (dialogs/stack_check.py): start that conversation over instead."""
        missing = unknown_dialog(state.dialog_stack, {self.dialog.id: self.dialog}.get)
        if missing is not None:
            conversation = turn_context.activity.conversation
            log.warning(
                "conversation %s was in dialog %r, which this version does not have: "
                "starting it over",
                conversation.id if conversation else "?",
                missing,
            )
            state.dialog_stack.clear()

    async def _on_feedback(self, turn_context: TurnContext, click: FeedbackClick) -> None:
        """Store a rating (one per person per answer: a second click replaces the first)."""
        activity = turn_context.activity
        if self.feedback is not None:
            key = self.feedback.vote_key(
                activity.conversation.id if activity.conversation else None,
                activity.reply_to_id,
                activity.from_property.id if activity.from_property else None,
                click.topic,
            )
            await self.feedback.vote(click.topic, click.helpful, activity.channel_id or "", key)
        reply = self.replies.feedback_thanks(click.helpful)
        await turn_context.send_activity(to_activity(reply, turn_context))

    async def on_conversation_update_activity(self, turn_context: TurnContext):
        """botbuilder's Teams dispatch fails on a conversationUpdate without channelData."""
        if turn_context.activity.channel_data is None:
            turn_context.activity.channel_data = {}
        return await super().on_conversation_update_activity(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Welcome each person who joins, but not the bot itself. In Teams: welcome once, when
        the app is installed (the bot is added), not every member who joins a team."""
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if turn_context.activity.channel_id == Channels.ms_teams:
            if any(member.id == bot_id for member in members_added):
                await turn_context.send_activity(
                    to_activity(self._install_welcome(turn_context), turn_context)
                )
            return
        for member in members_added:
            if member.id != bot_id:
                await turn_context.send_activity(to_activity(self.replies.welcome(), turn_context))

    def _install_welcome(self, turn_context: TurnContext):
        conversation = turn_context.activity.conversation
        if conversation is None or conversation.conversation_type in (None, "personal"):
            return self.replies.welcome()
        recipient = turn_context.activity.recipient
        name = "".join(c for c in (recipient.name if recipient else "") or "" if c.isalnum())
        return self.replies.team_welcome(name or "ArchBot")

    async def on_teams_members_added_dispatch(self, members_added, team_info, turn_context):
        """Skip botbuilder's member lookup (a connector call per member): ids are enough."""
        return await self.on_members_added_activity(members_added, turn_context)

    async def on_teams_messaging_extension_query(self, turn_context: TurnContext, query):
        """The search message extension: knowledge base topics as cards to insert."""
        if self.search is None:
            return await super().on_teams_messaging_extension_query(turn_context, query)
        return query_response(self.search, query)

    async def on_teams_messaging_extension_select_item(self, turn_context: TurnContext, query):
        """A search result was picked: the topic's card."""
        if self.search is None:
            return await super().on_teams_messaging_extension_select_item(turn_context, query)
        return select_item_response(self.search, query)

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
