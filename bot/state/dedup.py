"""Drops a message the channel delivers again: Teams retries an activity when the bot has not
answered within about 15 seconds, with the same activity id, and would get two answers.

Two layers, one per way a retry can arrive:

* **In the conversation's stored state** (:class:`ProcessedIds`): the ids of the last
  :data:`MAX_PROCESSED_IDS` messages (and conversationUpdates) applied to a conversation are kept
  in its conversation state, so they are saved in the same write as the turn's own changes, in
  whichever storage holds the state (SQLite, Blob, memory). A turn whose id is already there was
  applied: it is skipped, on any instance and after any restart, even when the first delivery
  was saved but never answered (the process died, or the channel refused the reply). The check
  runs inside :class:`bot.state.concurrency.TurnGuard`, so a retry racing its original on
  another instance loses the e-tag race, reruns from fresh state, finds its id and is skipped.
  A turn that fails saves nothing, so its retry is answered.
* **In this process** (:class:`DedupMiddleware`): a retry that arrives while its original is still
  running here is dropped at once (the original answers it) instead of running the turn a second
  time (for a brand-new conversation, whose first save carries no e-tag, the e-tag race would not
  catch it). Once the original is done, a retry goes on to the stored state.

Invokes are never dropped: they wait for their own response.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import ConversationState, Middleware, TurnContext
from botbuilder.schema import ActivityTypes

log = logging.getLogger(__name__)

DEDUPLICATED_TYPES = frozenset({ActivityTypes.message, ActivityTypes.conversation_update})
PROCESSED_PROPERTY = "ProcessedActivityIds"
MAX_PROCESSED_IDS = 32
"""Per conversation: far more than can arrive between a message and the channel's retry."""


class ProcessedIds:
    """The ids of the last activities applied to a conversation, kept in its conversation state."""

    def __init__(
        self, conversation_state: ConversationState, keep: int = MAX_PROCESSED_IDS
    ) -> None:
        self.ids = conversation_state.create_property(PROCESSED_PROPERTY)
        self.keep = keep

    async def first_time(self, context: TurnContext) -> bool:
        """False when the activity was already applied; otherwise True, and its id is added to
        the state (saved with the turn's changes, or not at all)."""
        activity = context.activity
        if activity.type not in DEDUPLICATED_TYPES or not activity.id:
            return True
        ids: list[str] = await self.ids.get(context, list)
        if activity.id in ids:
            return False
        ids.append(activity.id)
        del ids[: -self.keep]
        return True


class DedupMiddleware(Middleware):
    """Drops a message (or conversationUpdate) whose activity id is still being handled here."""

    def __init__(self) -> None:
        self.running: set[str] = set()
        self.dropped = 0

    @staticmethod
    def key(context: TurnContext) -> str | None:
        activity = context.activity
        if activity.type not in DEDUPLICATED_TYPES or not activity.id:
            return None
        conversation = activity.conversation.id if activity.conversation else ""
        return f"{activity.channel_id}\x1f{conversation}\x1f{activity.id}"

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable[None]]) -> None:
        key = self.key(context)
        if key is None:
            await logic()
            return
        if key in self.running:
            self.dropped += 1
            log.info("dropped a repeated %s (id %s)", context.activity.type, context.activity.id)
            return
        self.running.add(key)
        try:
            await logic()
        finally:
            self.running.discard(key)
