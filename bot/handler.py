"""The activity handler: one path for every channel's messages, welcomes and state."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

from botbuilder.core import ConversationState, InvokeResponse, TurnContext, UserState
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import DialogExtensions, DialogState
from botbuilder.schema import AdaptiveCardInvokeResponse, ChannelAccount
from botframework.connector import Channels

from bot.channels.messages import UNANSWERED_KEY, Presenter, to_activity
from bot.channels.teams import (
    clicked_text,
    feedback_click,
    query_response,
    select_item_response,
    strip_bot_mention,
)
from bot.channels.teams_ai import (
    FEEDBACK_INVOKE,
    FEEDBACK_VALUE_ERROR,
    SentAnswers,
    feedback_loop_vote,
    record_feedback,
)
from bot.core.replies import Replies
from bot.core.text import without_emphasis
from bot.operations.notify import Notices
from bot.state.concurrency import TurnGuard
from bot.state.feedback import FeedbackStore, known_rating
from dialogs.main_dialog import MainDialog
from dialogs.stack_check import unknown_dialog

if TYPE_CHECKING:
    from bot.hosting.runtime import Knowledge

log = logging.getLogger(__name__)

KNOWLEDGE_KEY = "ArchBot.knowledge"
"""turn_state: the knowledge a turn started with; a reload during the turn does not change it."""


@dataclass
class Turn:
    """A message on its way through the handler's steps."""

    context: TurnContext
    knowledge: Knowledge
    typed: str = ""
    """The text without the bot's @mention ("" for a card click)."""
    dialogs: DialogState | None = None
    """The conversation's dialog stack, once read."""


Step = Callable[["ArchBotHandler", Turn], Awaitable[bool]]
"""One check on a message: True when it handled the turn, False to pass it on."""


async def strip_mention(bot: ArchBotHandler, turn: Turn) -> bool:
    """Read the typed text without the bot's @mention (bot/channels/teams.py) and without
    Markdown emphasis ("when *would* it fit?")."""
    turn.typed = without_emphasis(strip_bot_mention(turn.context.activity))
    return False


async def rate_answer(bot: ArchBotHandler, turn: Turn) -> bool:
    """A 👍 / 👎 click (no typed text): store it if it rates something the knowledge base
    answers with (one vote per person per answer: a second click replaces the first), thank."""
    activity = turn.context.activity
    click = None if turn.typed else feedback_click(activity.value)
    if click is None:
        return False
    if bot.feedback is not None and known_rating(click.topic, turn.knowledge.kb):
        key = bot.feedback.vote_key(
            activity.conversation.id if activity.conversation else None,
            activity.reply_to_id,
            activity.from_property.id if activity.from_property else None,
            click.topic,
        )
        await bot.feedback.vote(click.topic, click.helpful, activity.channel_id or "", key)
    elif bot.feedback is not None:
        log.info("ignored a vote on %r, which the knowledge base does not have", click.topic)
    reply = turn.knowledge.replies.feedback_thanks(click.helpful)
    await turn.context.send_activity(to_activity(reply, turn.context))
    return True


async def read_click(bot: ArchBotHandler, turn: Turn) -> bool:
    """What the user said from here on: the typed text, else the clicked button's; never None."""
    turn.context.activity.text = turn.typed or clicked_text(turn.context.activity.value)
    return False


async def notice_command(bot: ArchBotHandler, turn: Turn) -> bool:
    """The notice commands, "subscribe" and "unsubscribe" (bot/operations/notify.py)."""
    return bot.notices is not None and await bot.notices.on_message(turn.context)


async def drop_unknown_dialogs(bot: ArchBotHandler, turn: Turn) -> bool:
    """A stack saved by a version of the bot with other dialogs would fail every turn of its
    conversation (dialogs/stack_check.py): start that conversation over instead."""
    turn.dialogs = await bot.dialog_state.get(turn.context, DialogState)
    dialog = turn.knowledge.dialog
    missing = unknown_dialog(turn.dialogs.dialog_stack, {dialog.id: dialog}.get)
    if missing is not None:
        conversation = turn.context.activity.conversation
        log.warning(
            "conversation %s was in dialog %r, which this version does not have: starting it over",
            conversation.id if conversation else "?",
            missing,
        )
        turn.dialogs.dialog_stack.clear()
    return False


async def answer_question(bot: ArchBotHandler, turn: Turn) -> bool:
    """A question with no dialog in progress: answered in one turn, no dialog stack."""
    in_dialog = turn.dialogs is not None and bool(turn.dialogs.dialog_stack)
    return not in_dialog and await turn.knowledge.dialog.answer(turn.context)


async def run_dialog(bot: ArchBotHandler, turn: Turn) -> bool:
    """Everything else: the dialog stack (the walkthrough) takes the message."""
    await DialogExtensions.run_dialog(turn.knowledge.dialog, turn.context, bot.dialog_state)
    return True


MESSAGE_STEPS: tuple[Step, ...] = (
    strip_mention,
    rate_answer,
    read_click,
    notice_command,
    drop_unknown_dialogs,
    answer_question,
    run_dialog,
)
"""Every message, in this order, until a step handles it."""


class ArchBotHandler(TeamsActivityHandler):
    """Answers every message through the root dialog and saves conversation and user state each
    turn; a message goes through `MESSAGE_STEPS` until one handles it.

    Teams (bot/channels/teams.py): the bot's @mention is removed and a card click is read as the
    text it stands for before routing; 👍 / 👎 clicks and unanswered questions go to the feedback
    store; the search message extension queries the knowledge base.
    """

    def __init__(
        self,
        conversation_state: ConversationState,
        user_state: UserState,
        knowledge: Knowledge,
        *,
        feedback: FeedbackStore | None = None,
        presenter: Presenter | None = None,
        notices: Notices | None = None,
    ) -> None:
        self.conversation_state = conversation_state
        self.user_state = user_state
        self.knowledge = knowledge
        """What turns are answered from; a reload replaces it (bot/hosting/runtime.py)."""
        self.feedback = feedback
        self.presenter = presenter or Presenter()
        self.dialog_state = conversation_state.create_property("DialogState")
        self.notices = notices  # subscribe / unsubscribe (bot/operations/notify.py)
        self.turns = TurnGuard([conversation_state, user_state])  # stale e-tags: concurrency.py

    @property
    def dialog(self) -> MainDialog:
        """The root dialog over the knowledge served now."""
        return self.knowledge.dialog

    @property
    def replies(self) -> Replies:
        """The replies over the knowledge served now."""
        return self.knowledge.replies

    def _knowledge(self, turn_context: TurnContext) -> Knowledge:
        return turn_context.turn_state.get(KNOWLEDGE_KEY) or self.knowledge

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Handle the turn, then save state (skipped when the turn failed: nothing is lost)."""
        turn_context.turn_state[KNOWLEDGE_KEY] = self.knowledge  # the whole turn uses this one
        self.presenter.attach(turn_context)  # replies become cards or text for the channel
        answers = SentAnswers(turn_context)  # Teams rates answers by message id: teams_ai.py
        # the turn, then its state saved; replies held until then; a stale e-tag reruns it once
        await self.turns.run(turn_context, super().on_turn)
        if self.feedback is not None:
            await answers.record(self.feedback)
        if turn_context.turn_state.get(UNANSWERED_KEY) and self.feedback is not None:
            await self.feedback.gap(turn_context.activity.text or "")

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Every message, typed or clicked, through the steps in order (MESSAGE_STEPS)."""
        turn = Turn(turn_context, self._knowledge(turn_context))
        for step in MESSAGE_STEPS:
            if await step(self, turn):
                return

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Teams' own feedback buttons (`message/submitAction`, bot/channels/teams_ai.py):
        stored with the rated answer's topic and the comment, answered 200 (Teams thanks the
        user itself). Every other invoke as botbuilder dispatches it."""
        activity = turn_context.activity
        if activity.name != FEEDBACK_INVOKE:
            return await super().on_invoke_activity(turn_context)
        vote = feedback_loop_vote(activity.value)
        if vote is None:
            return InvokeResponse(status=int(HTTPStatus.BAD_REQUEST), body=FEEDBACK_VALUE_ERROR)
        kb = self._knowledge(turn_context).kb
        if self.feedback is None or not await record_feedback(activity, vote, self.feedback, kb):
            log.info("ignored a feedback invoke that rates no answer ArchBot sent")
        return InvokeResponse(status=int(HTTPStatus.OK))

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
                welcome = self._knowledge(turn_context).replies.welcome()
                await turn_context.send_activity(to_activity(welcome, turn_context))

    def _install_welcome(self, turn_context: TurnContext):
        replies = self._knowledge(turn_context).replies
        conversation = turn_context.activity.conversation
        if conversation is None or conversation.conversation_type in (None, "personal"):
            return replies.welcome()
        recipient = turn_context.activity.recipient
        name = "".join(c for c in (recipient.name if recipient else "") or "" if c.isalnum())
        return replies.team_welcome(name or "ArchBot")

    async def on_teams_members_added_dispatch(self, members_added, team_info, turn_context):
        """Skip botbuilder's member lookup (a connector call per member): ids are enough."""
        return await self.on_members_added_activity(members_added, turn_context)

    async def on_teams_messaging_extension_query(self, turn_context: TurnContext, query):
        """The search message extension: knowledge base topics as cards to insert."""
        return query_response(self._knowledge(turn_context).search, query)

    async def on_teams_messaging_extension_select_item(self, turn_context: TurnContext, query):
        """A search result was picked: the topic's card."""
        return select_item_response(self._knowledge(turn_context).search, query)

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
