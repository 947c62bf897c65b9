"""The in-process bridge: runs Direct Line activities through the bot and records its replies.

`DirectLineAdapter` is a small `BotAdapter`: whatever the bot sends during a turn is appended to
the conversation's transcript (no HTTP round trip to ourselves). Trace activities are dropped:
they are for the Emulator's inspector and must never reach Web Chat. A reply to a user's
activity carries its ``replyToId``, as Azure's Direct Line delivers it (botbuilder leaves it out
on the ``directline`` channel, whose connector does not need it); the welcome answers the
``conversationUpdate`` Web Chat never sees, so it has none (Web Chat would hold it back waiting
for the activity it replies to).

With ``ARCHBOT_TRANSCRIPTS`` set, these turns are recorded like every other channel's
(bot/state/transcripts.py): the same transcript middleware runs in this adapter's pipeline.

`DirectLineBridge` owns the turns: a posted activity is acknowledged at once and its turn runs
in the background, one turn at a time per conversation (so replies keep their order and the
bot's state is never written by two turns of one conversation at once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from botbuilder.core import BotAdapter, TranscriptLoggerMiddleware, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ConversationReference,
    ResourceResponse,
)

from bot.channels.directline.store import Conversation, ConversationStore
from bot.hosting.adapter import on_turn_error
from bot.state.transcripts import FileTranscriptStore

log = logging.getLogger(__name__)

CHANNEL_ID = "directline"
BOT_ACCOUNT = {"id": "archbot", "name": "ArchBot", "role": "bot"}
TURN_TIMEOUT_SECONDS = 60.0
MAX_DELAY_SECONDS = 5.0
_CONVERSATION_KEY = "archbot.directline.conversation"
_INVOKE_RESPONSE_KEY = "archbot.directline.invoke_response"
DELAY = "delay"  # botbuilder's pause between activities (not in its ActivityTypes enum)
_NOT_DELIVERED = {ActivityTypes.trace, ActivityTypes.invoke_response, DELAY}

Logic = Callable[[TurnContext], Awaitable[None]]


async def _reply_to(
    context: TurnContext, activities: list[Activity], next_send: Callable[[], Awaitable[Any]]
) -> Any:
    """Address the turn's replies to the user's activity (``replyToId``), as Direct Line does."""
    incoming = context.activity
    if incoming.id and incoming.type != ActivityTypes.conversation_update:
        for activity in activities:
            activity.reply_to_id = activity.reply_to_id or incoming.id
    return await next_send()


class DirectLineAdapter(BotAdapter):
    """Delivers activities to the bot in-process; what it sends goes into the transcript."""

    def __init__(self, store: ConversationStore) -> None:
        super().__init__(on_turn_error)
        self.store = store

    async def run_turn(self, conversation: Conversation, activity: Activity, logic: Logic) -> None:
        """Run one turn of ``conversation`` for ``activity``."""
        context = TurnContext(self, activity)
        context.turn_state[_CONVERSATION_KEY] = conversation
        context.on_send_activities(_reply_to)  # first: the transcript middleware sees it too
        await self.run_pipeline(context, logic)

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Append the bot's activities to the transcript; traces are never delivered."""
        conversation: Conversation = context.turn_state[_CONVERSATION_KEY]
        responses = []
        for activity in activities:
            if activity.type == DELAY:
                try:
                    seconds = float(activity.value or 1000) / 1000
                except (TypeError, ValueError):
                    seconds = 1.0
                await asyncio.sleep(min(max(seconds, 0.0), MAX_DELAY_SECONDS))
            elif activity.type == ActivityTypes.invoke_response:
                context.turn_state[_INVOKE_RESPONSE_KEY] = activity
            if activity.type in _NOT_DELIVERED:
                responses.append(ResourceResponse(id=""))
                continue
            body = activity.serialize()
            body.pop("id", None)
            body["from"] = dict(BOT_ACCOUNT)
            body["channelId"] = CHANNEL_ID
            body["conversation"] = {"id": conversation.id}
            delivered = self.store.append(conversation, body)
            responses.append(ResourceResponse(id=delivered["id"]))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        """Direct Line cannot edit a delivered activity."""
        raise NotImplementedError("the direct line bridge cannot update activities")

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        """Direct Line cannot delete a delivered activity."""
        raise NotImplementedError("the direct line bridge cannot delete activities")


class TooManyTurns(Exception):
    """The conversation already has as many turns waiting as it may."""


class DirectLineBridge:
    """Starts background turns and keeps track of them so shutdown can end them."""

    def __init__(
        self, store: ConversationStore, logic: Logic, transcripts_dir: Path | None = None
    ) -> None:
        self.store = store
        self.logic = logic
        self.adapter = DirectLineAdapter(store)
        if transcripts_dir is not None:  # ARCHBOT_TRANSCRIPTS, as for every other channel
            self.adapter.use(TranscriptLoggerMiddleware(FileTranscriptStore(transcripts_dir)))
        self._tasks: set[asyncio.Task[None]] = set()

    def start_turn(self, conversation: Conversation, activity: dict[str, Any]) -> None:
        """Queue ``activity`` (already in wire form) as a turn of ``conversation``."""
        if conversation.pending_turns >= self.store.max_pending_turns:
            raise TooManyTurns(conversation.id)
        conversation.pending_turns += 1
        task = asyncio.get_running_loop().create_task(self._turn(conversation, activity))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _turn(self, conversation: Conversation, body: dict[str, Any]) -> None:
        try:
            async with conversation.turn_lock:
                if conversation.closed:
                    return
                activity = Activity().deserialize(body)
                async with asyncio.timeout(TURN_TIMEOUT_SECONDS):
                    await self.adapter.run_turn(conversation, activity, self.logic)
        except Exception:  # a background task has no one to tell but the log
            log.exception("direct line turn failed in conversation %s", conversation.id)
        finally:
            conversation.pending_turns -= 1

    async def idle(self) -> None:
        """Wait until every turn started so far has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel the turns still running."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
