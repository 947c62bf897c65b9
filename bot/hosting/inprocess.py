"""An in-process adapter: runs turns through the same handler without HTTP (terminal, tests)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    ResourceResponse,
)

from bot.hosting.adapter import on_turn_error
from bot.hosting.limits import DEFAULT_MAX_ROUTED_CHARS, TextBound

_REPLIES_KEY = "archbot.inprocess.replies"
BOT_ACCOUNT = ChannelAccount(id="archbot", name="ArchBot")


class InProcessAdapter(BotAdapter):
    """Delivers a conversation's activities to the bot in-process and collects its replies."""

    def __init__(
        self,
        channel_id: str = "terminal",
        user_id: str = "user",
        max_routed_chars: int = DEFAULT_MAX_ROUTED_CHARS,
    ) -> None:
        super().__init__(on_turn_error)
        self.use(TextBound(max_routed_chars))  # reads a message as much as a channel's turn does
        self.channel_id = channel_id
        self.user = ChannelAccount(id=user_id, name=user_id)
        self._ids = itertools.count(1)

    def new_conversation(self) -> ConversationAccount:
        """A fresh conversation to send activities in."""
        return ConversationAccount(id=f"{self.channel_id}-{uuid.uuid4().hex[:12]}")

    def message(self, conversation: ConversationAccount, text: str) -> Activity:
        """A message activity from the user."""
        return self._activity(conversation, type=ActivityTypes.message, text=text)

    def join(self, conversation: ConversationAccount) -> Activity:
        """A conversationUpdate announcing that the user joined."""
        return self._activity(
            conversation, type=ActivityTypes.conversation_update, members_added=[self.user]
        )

    def _activity(self, conversation: ConversationAccount, **fields: object) -> Activity:
        return Activity(
            id=str(next(self._ids)),
            channel_id=self.channel_id,
            service_url="inprocess://",
            conversation=conversation,
            from_property=self.user,
            recipient=BOT_ACCOUNT,
            timestamp=datetime.now(UTC),
            **fields,
        )

    async def process(
        self, activity: Activity, logic: Callable[[TurnContext], Awaitable[None]]
    ) -> list[Activity]:
        """Run one turn and return every activity the bot sent during it, traces included."""
        context = TurnContext(self, activity)
        replies: list[Activity] = []
        context.turn_state[_REPLIES_KEY] = replies
        await self.run_pipeline(context, logic)
        return replies

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Collect the bot's replies for the turn that sent them."""
        replies: list[Activity] = context.turn_state[_REPLIES_KEY]
        responses = []
        for activity in activities:
            activity.id = activity.id or f"reply-{next(self._ids)}"
            replies.append(activity)
            responses.append(ResourceResponse(id=activity.id))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        """Replies cannot be edited once printed."""
        raise NotImplementedError("the in-process channel cannot update activities")

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        """Replies cannot be deleted once printed."""
        raise NotImplementedError("the in-process channel cannot delete activities")
