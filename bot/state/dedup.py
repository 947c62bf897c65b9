"""Drops a message the channel delivers again: Teams retries an activity when the bot has not
answered within about 15 seconds, with the same activity id, and would get two answers.

`DedupMiddleware` remembers the ids of incoming messages (per channel and conversation) for a
time window and skips a turn whose id it has already seen. Memory is bounded: at most
`max_entries` ids, the oldest forgotten first. A turn that fails forgets its id, so the retry of a
failed message is answered. Invokes are never dropped: they wait for their own response.

The memory is per process; behind several instances a retry that reaches another one is not
caught (Teams sends retries to the same endpoint, and a sticky load balancer keeps them together).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import ActivityTypes

log = logging.getLogger(__name__)

DEFAULT_WINDOW_SECONDS = 600.0
DEFAULT_MAX_ENTRIES = 10_000
DEDUPLICATED_TYPES = frozenset({ActivityTypes.message, ActivityTypes.conversation_update})


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
