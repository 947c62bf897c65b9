"""What is particular to SqliteStorage: atomic batches, WAL, restarts, errors, the event loop.

The behaviour every backend shares (e-tags, reads, deletes, two instances, dialog state moving
between instances, i.e. across restarts) is in tests/test_storage_contract.py, run over memory,
SQLite and blob storage.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from botbuilder.core import ConversationState, TurnContext
from botbuilder.core.adapters import TestAdapter

from bot.state.storage import ETagConflictError, SqliteStorage, SqliteStorageError


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "bot.sqlite3"


@pytest.fixture
def storage(db_path: Path) -> Iterator[SqliteStorage]:
    store = SqliteStorage(db_path)
    yield store
    store.close()


async def test_multi_key_write_is_atomic(storage: SqliteStorage) -> None:
    await storage.write({"a": {"v": 1}, "b": {"v": 1}})
    stale = (await storage.read(["b"]))["b"]["e_tag"]
    await storage.write({"b": {"v": 2}})

    with pytest.raises(ETagConflictError):
        await storage.write({"a": {"v": 9}, "new": {"v": 9}, "b": {"v": 9, "e_tag": stale}})

    got = await storage.read(["a", "b", "new"])
    assert set(got) == {"a", "b"}
    assert (got["a"]["v"], got["b"]["v"]) == (1, 2)


async def test_data_survives_restart(db_path: Path) -> None:
    first = SqliteStorage(db_path)
    await first.write({"k": {"v": "persisted"}})
    first.close()

    second = SqliteStorage(db_path)
    try:
        assert (await second.read(["k"]))["k"]["v"] == "persisted"
    finally:
        second.close()


async def test_file_is_wal_and_parent_dir_created(storage: SqliteStorage, db_path: Path) -> None:
    await storage.write({"k": {"v": 1}})
    assert db_path.is_file()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_not_a_database_gives_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("this is a text file, not a database\n" * 100)
    with pytest.raises(SqliteStorageError, match="not a database"):
        SqliteStorage(bogus)


async def test_closed_storage_raises(db_path: Path) -> None:
    store = SqliteStorage(db_path)
    store.close()
    store.close()  # idempotent
    with pytest.raises(SqliteStorageError, match="closed"):
        await store.read(["k"])


async def test_event_loop_not_blocked_while_db_is_locked(db_path: Path) -> None:
    store = SqliteStorage(db_path, timeout=10)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # hold the write lock
        write = asyncio.create_task(store.write({"k": {"v": 1}}))
        await asyncio.sleep(0.2)  # the loop keeps running while the worker waits on the lock
        assert not write.done()
        blocker.execute("COMMIT")
        await asyncio.wait_for(write, timeout=5)
        assert (await store.read(["k"]))["k"]["v"] == 1
    finally:
        blocker.close()
        store.close()


async def test_reads_do_not_wait_for_a_writer(db_path: Path) -> None:
    store = SqliteStorage(db_path, timeout=10)
    await store.write({"k": {"v": 1}})
    blocker = sqlite3.connect(db_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another process is writing
        blocker.execute("UPDATE bot_storage SET value = '{\"v\": 2}'")
        assert (await store.read(["k"]))["k"]["v"] == 1  # WAL: the last committed state
        blocker.execute("COMMIT")
        assert (await store.read(["k"]))["k"]["v"] == 2
    finally:
        blocker.close()
        store.close()


class _BusyReader:
    """A read connection that finds the file locked, as in WAL recovery after a crash (which a
    test cannot stage: every open connection keeps a shared lock on the file)."""

    def execute(self, *args: object) -> None:
        error = sqlite3.OperationalError("database is locked")
        error.sqlite_errorcode = sqlite3.SQLITE_BUSY
        raise error

    def close(self) -> None:
        pass


async def test_a_read_that_finds_the_file_locked_is_retried_on_the_worker(db_path: Path) -> None:
    store = SqliteStorage(db_path)
    try:
        await store.write({"k": {"v": 1}})
        store._reader = _BusyReader()  # type: ignore[assignment]
        assert (await store.read(["k"]))["k"]["v"] == 1
    finally:
        store.close()


async def test_conversation_state_survives_restart(db_path: Path) -> None:
    async def save_turn(ctx: TurnContext) -> None:
        state = ConversationState(storage)
        prop = state.create_property("profile")
        profile = await prop.get(ctx, dict)
        profile["name"] = "Ada"
        await state.save_changes(ctx)

    storage = SqliteStorage(db_path)
    await TestAdapter(save_turn).receive_activity("hi")
    storage.close()

    loaded: list[object] = []

    async def load_turn(ctx: TurnContext) -> None:
        state = ConversationState(storage)
        loaded.append(await state.create_property("profile").get(ctx))

    storage = SqliteStorage(db_path)
    try:
        await TestAdapter(load_turn).receive_activity("hello again")
    finally:
        storage.close()
    assert loaded == [{"name": "Ada"}]
