"""Direct Line conversations in memory: each one's transcript, watermark and listeners.

The transcript is what Direct Line's ``GET …/activities?watermark=`` and the WebSocket stream
deliver: the user's own messages (the echo Web Chat waits for) and the bot's replies, in order.
The watermark is the count of activities ever appended, so it only grows, even when old ones
are dropped.

Memory is bounded three ways: a conversation idle for ``idle_seconds`` is evicted (one with an
open WebSocket counts as active), at most ``max_conversations`` are kept and all transcripts
together stay under ``max_bytes`` (the least recently used go first), and each transcript keeps
at most ``max_history_bytes`` (the oldest activities go first). The bot's own state lives in the
bot's storage, not here: an evicted conversation only loses its transcript.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_IDLE_SECONDS = 1800.0
DEFAULT_MAX_CONVERSATIONS = 1000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_HISTORY_BYTES = 512 * 1024
DEFAULT_MAX_PENDING_TURNS = 16

_ONE_MS = timedelta(milliseconds=1)


def _size(activity: dict[str, Any]) -> int:
    return len(json.dumps(activity, ensure_ascii=False, separators=(",", ":"), default=str))


class Conversation:
    """One conversation's transcript and the streams waiting for it to grow."""

    def __init__(self, conversation_id: str, user_id: str, now: float) -> None:
        self.id = conversation_id
        self.user_id = user_id
        self.created = now
        self.last_active = now
        self.closed = False
        self.turn_lock = asyncio.Lock()
        self.pending_turns = 0
        self._history: list[tuple[dict[str, Any], int]] = []
        self._dropped = 0  # activities removed from the front (their watermarks stay counted)
        self._bytes = 0
        self._sequence = 0
        self._last_timestamp: datetime | None = None
        self._listeners: set[asyncio.Event] = set()

    @property
    def watermark(self) -> int:
        """How many activities were ever appended: the watermark after the newest."""
        return self._dropped + len(self._history)

    @property
    def size(self) -> int:
        """Approximate bytes held by the transcript."""
        return self._bytes

    @property
    def streams(self) -> int:
        """Open WebSocket streams on this conversation."""
        return len(self._listeners)

    def next_id(self) -> str:
        """A new activity id in Direct Line's shape: ``{conversationId}|{sequence}``."""
        self._sequence += 1
        return f"{self.id}|{self._sequence:07d}"

    def _timestamp(self) -> str:
        """Now, strictly later than the previous activity's (Web Chat orders by timestamp)."""
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what the wire shows
        if self._last_timestamp is not None and now <= self._last_timestamp:
            now = self._last_timestamp + _ONE_MS
        self._last_timestamp = now
        return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def append(self, activity: dict[str, Any], max_history_bytes: int) -> dict[str, Any]:
        """Stamp ``activity`` (id unless it has one, timestamp), add it and wake the streams."""
        activity.setdefault("id", self.next_id())
        activity["timestamp"] = self._timestamp()
        size = _size(activity)
        self._history.append((activity, size))
        self._bytes += size
        while self._bytes > max_history_bytes and len(self._history) > 1:
            _, dropped = self._history.pop(0)
            self._bytes -= dropped
            self._dropped += 1
        self._notify()
        return activity

    def since(self, watermark: int) -> tuple[list[dict[str, Any]], int]:
        """The activities after ``watermark`` that are still held, and the new watermark."""
        start = max(watermark, self._dropped) - self._dropped
        return [a for a, _ in self._history[start:]], self.watermark

    def close(self) -> None:
        """Mark evicted: streams end, further appends are not delivered."""
        self.closed = True
        self._notify()

    def _notify(self) -> None:
        for event in self._listeners:
            event.set()

    @contextmanager
    def listen(self) -> Iterator[asyncio.Event]:
        """An event set whenever the transcript grows or the conversation closes."""
        event = asyncio.Event()
        self._listeners.add(event)
        try:
            yield event
        finally:
            self._listeners.discard(event)


class ConversationStore:
    """The live conversations, least recently used first, within the memory bounds."""

    def __init__(
        self,
        *,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_history_bytes: int = DEFAULT_MAX_HISTORY_BYTES,
        max_pending_turns: int = DEFAULT_MAX_PENDING_TURNS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_conversations < 1:
            raise ValueError("max_conversations must be at least 1")
        self.idle_seconds = idle_seconds
        self.max_conversations = max_conversations
        self.max_bytes = max_bytes
        self.max_history_bytes = max_history_bytes
        self.max_pending_turns = max_pending_turns
        self.clock = clock
        self.evicted = 0
        self._conversations: OrderedDict[str, Conversation] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._conversations)

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._conversations

    @property
    def total_bytes(self) -> int:
        """Approximate bytes held by every live transcript."""
        return self._bytes

    def get(self, conversation_id: str) -> Conversation | None:
        """The live conversation (marked as used now), or None if unknown or evicted."""
        self.sweep()
        conversation = self._conversations.get(conversation_id)
        if conversation is not None:
            self.touch(conversation)
        return conversation

    def create(self, conversation_id: str, user_id: str) -> Conversation:
        """Start a conversation, evicting the least recently used ones if it would not fit."""
        self.sweep()
        existing = self._conversations.get(conversation_id)
        if existing is not None:
            self.touch(existing)
            return existing
        while len(self._conversations) >= self.max_conversations:
            self._evict_oldest("the conversation limit")
        conversation = Conversation(conversation_id, user_id, self.clock())
        self._conversations[conversation_id] = conversation
        return conversation

    def touch(self, conversation: Conversation) -> None:
        """Mark a conversation as used now."""
        conversation.last_active = self.clock()
        if self._conversations.get(conversation.id) is conversation:
            self._conversations.move_to_end(conversation.id)

    def append(self, conversation: Conversation, activity: dict[str, Any]) -> dict[str, Any]:
        """Add an activity to a transcript, then keep the store within its byte budget."""
        before = conversation.size
        appended = conversation.append(activity, self.max_history_bytes)
        if self._conversations.get(conversation.id) is conversation:
            self._bytes += conversation.size - before
            self.touch(conversation)
            while self.total_bytes > self.max_bytes and len(self._conversations) > 1:
                self._evict_oldest("the memory limit")
        return appended

    def sweep(self) -> int:
        """Evict conversations idle for longer than ``idle_seconds``; return how many."""
        now = self.clock()
        evicted = 0
        for conversation in list(self._conversations.values()):
            if now - conversation.last_active < self.idle_seconds:
                break  # ordered by last use: the rest are more recent
            if conversation.streams:
                self.touch(conversation)  # someone is connected: not idle
                continue
            self._evict(conversation, "idleness")
            evicted += 1
        return evicted

    def close_all(self) -> None:
        """End every conversation (server shutdown): streams close."""
        for conversation in list(self._conversations.values()):
            self._evict(conversation, "shutdown")

    def _evict_oldest(self, reason: str) -> None:
        oldest = next(iter(self._conversations.values()))
        self._evict(oldest, reason)

    def _evict(self, conversation: Conversation, reason: str) -> None:
        if self._conversations.get(conversation.id) is conversation:
            del self._conversations[conversation.id]
            self._bytes -= conversation.size
        conversation.close()
        self.evicted += 1
        log.info("direct line conversation %s evicted (%s)", conversation.id, reason)
