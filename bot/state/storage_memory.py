"""In-memory ``Storage`` with the same semantics as the SQLite and Blob backends (``memory://``).

botbuilder's ``MemoryStorage`` is no stand-in for a real store: it never assigns an e-tag to an
item first written without one (so ``BotState`` gets no optimistic concurrency from it), raises a
bare ``KeyError`` on a conflict and hands out its stored objects themselves, so a caller's later
changes leak into "storage" without a write. This one behaves like ``SqliteStorage`` and
``BlobStateStorage`` (the contract in tests/test_storage_contract.py):

* items are serialized on write (jsonpickle, as the other backends do) and rebuilt on read, so
  what cannot be stored fails here too, and callers never share objects with the store;
* every write assigns a fresh e-tag, set on the written item as well;
* a write whose e-tag is stale raises :class:`bot.state.storage.ETagConflictError`; ``"*"`` or no
  e-tag writes unconditionally; an empty e-tag is an error; a multi-key write is all or nothing.

Several instances may share one ``dictionary`` (tests use that to play two processes).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from botbuilder.core import Storage

from bot.state.storage import ETagConflictError, _decode, _encode, _get_etag, _set_etag

__all__ = ["InMemoryStorage"]


class InMemoryStorage(Storage):
    """Bot state in a dict of this process: key -> (e-tag, serialized item)."""

    def __init__(self, dictionary: dict[str, tuple[str, str]] | None = None) -> None:
        self.memory: dict[str, tuple[str, str]] = {} if dictionary is None else dictionary

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        """Return the stored items for ``keys``; keys that are not stored are omitted."""
        found = {}
        for key in keys or ():
            row = self.memory.get(key)
            if row is not None:
                found[key] = _decode(row[1], row[0])
        return found

    async def write(self, changes: dict[str, Any]) -> None:
        """Store all ``changes`` (all or nothing), checking e-tags."""
        if changes is None:
            raise Exception("Changes are required when writing")  # as MemoryStorage
        rows: dict[str, tuple[str, str]] = {}
        for key, item in changes.items():  # check everything before changing anything
            e_tag = _get_etag(item)
            if e_tag == "":
                raise Exception("memory_storage.write(): etag missing")
            stored = self.memory.get(key)
            if e_tag not in (None, "*") and stored is not None and stored[0] != e_tag:
                raise ETagConflictError(
                    f"Etag conflict.\nOriginal: {e_tag}\r\nCurrent: {stored[0]}"
                )
            rows[key] = (uuid.uuid4().hex, _encode(key, item))
        self.memory.update(rows)
        for key, item in changes.items():
            _set_etag(item, rows[key][0])

    async def delete(self, keys: Iterable[str]) -> None:
        """Delete ``keys``; keys that are not stored are ignored."""
        for key in keys or ():
            self.memory.pop(key, None)
