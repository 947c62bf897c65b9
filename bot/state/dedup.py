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
  running here is dropped at once instead of running the turn a second time (for a brand-new
  conversation, whose first save carries no e-tag, the e-tag race would not catch it). Memory is
  bounded: at most `max_entries` ids for `window` seconds. A turn that fails forgets its id.

Invokes are never dropped: they wait for their own response.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from botbuilder.core import ConversationState, Middleware, TurnContext
from botbuilder.schema import ActivityTypes

log = logging.getLogger(__name__)

DEFAULT_WINDOW_SECONDS = 600.0
DEFAULT_MAX_ENTRIES = 10_000
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


class RecentIds:
    """A bounded set of keys that expire after `window` seconds."""

    def __init__(
        self,
        window: float = DEFAULT_WINDOW_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self.max_entries = max_entries
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def _expire(self, now: float) -> None:
        while self._seen:
            _, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self.window and len(self._seen) <= self.max_entries:
                break
            self._seen.popitem(last=False)

    def add(self, key: str) -> bool:
        """Remember `key`; False when it was already remembered (a duplicate)."""
        now = self.clock()
        self._expire(now)
        if key in self._seen:
            return False
        self._seen[key] = now
        self._expire(now)
        return True

    def discard(self, key: str) -> None:
        self._seen.pop(key, None)


class DedupMiddleware(Middleware):
    """Skips a message (or conversationUpdate) whose activity id was seen within the window."""

    def __init__(self, recent: RecentIds | None = None) -> None:
        self.recent = recent or RecentIds()
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
        if not self.recent.add(key):
            self.dropped += 1
            log.info("dropped a repeated %s (id %s)", context.activity.type, context.activity.id)
            return
        try:
            await logic()
        except BaseException:
            self.recent.discard(key)  # let the channel's retry try again
            raise
