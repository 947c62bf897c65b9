"""The conversations subscribed to notices: one stored item per subscription.

Each subscription is its own item in the storage that holds the bot's state, so subscribing
writes one small item whatever the number of subscribers, two conversations subscribing at once
never touch the same item (no e-tag race, no retry), and a broadcast reads them page by page:

* SQLite (:class:`SqliteSubscriptions`): a table ``notice_subscriptions`` in the state's file,
  ``INSERT … ON CONFLICT DO NOTHING`` to add, pages by key;
* Azure Blob (:class:`bot.state.subscriptions_blob.BlobSubscriptions`): one blob per
  subscription under ``notice-subscriptions/``, created with ``If-None-Match: *``, pages by the
  service's listing;
* memory (:class:`MemorySubscriptions`): one entry per subscription in the memory backend's dict.

Versions before kept every subscription in one item (:data:`LEGACY_KEY`); :meth:`ensure` (run at
start-up, and before the first use) moves its subscriptions into the new layout and deletes it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from typing import Any

from botbuilder.core import Storage

from bot.state.storage import SqliteStorage, _decode, _encode
from bot.state.storage_memory import InMemoryStorage

__all__ = [
    "LEGACY_KEY",
    "PAGE_SIZE",
    "MemorySubscriptions",
    "SqliteSubscriptions",
    "SubscriptionStore",
    "subscription_store",
]

log = logging.getLogger(__name__)

LEGACY_KEY = "archbot/notices/subscriptions"
PAGE_SIZE = 200
MIGRATION_BATCH = 50

Reference = dict[str, Any]
Page = list[tuple[str, Reference]]


class SubscriptionStore(ABC):
    """Subscriptions keyed by conversation (``channel/conversation id``), each its own item."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._ready = False

    async def ensure(self) -> None:
        """Prepare the store (the SQLite table) and move a legacy single-item list into it."""
        if self._ready:
            return
        await self._prepare()
        legacy = (await self.storage.read([LEGACY_KEY])).get(LEGACY_KEY)
        if legacy is not None:
            moved = list((legacy.get("conversations") or {}).items())
            for start in range(0, len(moved), MIGRATION_BATCH):
                batch = moved[start : start + MIGRATION_BATCH]
                await asyncio.gather(*(self._add(key, reference) for key, reference in batch))
            await self.storage.delete([LEGACY_KEY])
            log.info("moved %d notice subscriptions to one item each", len(moved))
        self._ready = True

    async def add(self, key: str, reference: Reference) -> bool:
        """Subscribe; False when the conversation already was."""
        await self.ensure()
        return await self._add(key, reference)

    async def remove(self, *keys: str) -> bool:
        """Unsubscribe; False when none of them was subscribed."""
        await self.ensure()
        return await self._remove(list(dict.fromkeys(keys)))

    async def pages(self, size: int = PAGE_SIZE) -> AsyncIterator[Page]:
        """Every subscription, ``size`` at a time (``(key, reference)``, never all at once)."""
        await self.ensure()
        async for page in self._pages(size):
            if page:
                yield page

    @abstractmethod
    async def _prepare(self) -> None: ...

    @abstractmethod
    async def _add(self, key: str, reference: Reference) -> bool: ...

    @abstractmethod
    async def _remove(self, keys: list[str]) -> bool: ...

    @abstractmethod
    def _pages(self, size: int) -> AsyncIterator[Page]: ...


class SqliteSubscriptions(SubscriptionStore):
    """A table in the state's SQLite file: ``key`` (primary key) and the reference as JSON."""

    storage: SqliteStorage

    async def _prepare(self) -> None:
        await self.storage.execute(
            lambda db: db.execute(
                "CREATE TABLE IF NOT EXISTS notice_subscriptions "
                "(key TEXT PRIMARY KEY, reference TEXT NOT NULL)"
            )
        )

    async def _add(self, key: str, reference: Reference) -> bool:
        row = (key, json.dumps(reference, separators=(",", ":")))
        added = await self.storage.execute(
            lambda db: (
                db.execute(
                    "INSERT INTO notice_subscriptions (key, reference) VALUES (?, ?) "
                    "ON CONFLICT(key) DO NOTHING",
                    row,
                ).rowcount
            )
        )
        return added == 1

    async def _remove(self, keys: list[str]) -> bool:
        removed = await self.storage.execute(
            lambda db: (
                db.executemany(
                    "DELETE FROM notice_subscriptions WHERE key = ?", [(k,) for k in keys]
                ).rowcount
            )
        )
        return removed > 0

    async def _pages(self, size: int) -> AsyncIterator[Page]:
        after = ""
        while True:
            rows = await self.storage.select(
                "SELECT key, reference FROM notice_subscriptions WHERE key > ? "
                "ORDER BY key LIMIT ?",
                (after, size),
            )
            yield [(key, json.loads(reference)) for key, reference in rows]
            if len(rows) < size:
                return
            after = rows[-1][0]


class MemorySubscriptions(SubscriptionStore):
    """Entries ``notice-subscriptions/<key>`` in the memory backend's dict (shared like it)."""

    PREFIX = "notice-subscriptions/"
    storage: InMemoryStorage

    async def _prepare(self) -> None:
        """Nothing to create."""

    async def _add(self, key: str, reference: Reference) -> bool:
        name = self.PREFIX + key
        if name in self.storage.memory:
            return False
        self.storage.memory[name] = (uuid.uuid4().hex, _encode(name, reference))
        return True

    async def _remove(self, keys: list[str]) -> bool:
        found = [self.storage.memory.pop(self.PREFIX + k, None) for k in keys]
        return any(row is not None for row in found)

    async def _pages(self, size: int) -> AsyncIterator[Page]:
        after = self.PREFIX
        while True:
            memory = self.storage.memory
            names = sorted(n for n in memory if n > after and n.startswith(self.PREFIX))
            page = []
            for name in names[:size]:
                e_tag, value = memory[name]
                reference = _decode(value, e_tag)
                reference.pop("e_tag", None)
                page.append((name[len(self.PREFIX) :], reference))
            yield page
            if len(names) <= size:
                return
            after = names[size - 1]


def subscription_store(storage: Storage) -> SubscriptionStore:
    """The subscriptions that live in ``storage`` (SQLite, memory or Azure Blob)."""
    if isinstance(storage, SqliteStorage):
        return SqliteSubscriptions(storage)
    if isinstance(storage, InMemoryStorage):
        return MemorySubscriptions(storage)
    from bot.state.storage_blob import BlobStateStorage
    from bot.state.subscriptions_blob import BlobSubscriptions  # the Azure SDK only when used

    if isinstance(storage, BlobStateStorage):
        return BlobSubscriptions(storage)
    raise TypeError(f"no subscription store for {type(storage).__name__}")
