"""Tests for bot.storage.SqliteStorage."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from botbuilder.core import ConversationState, MessageFactory, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt

from bot.storage import ETagConflictError, SqliteStorage, SqliteStorageError


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "bot.sqlite3"


@pytest.fixture
def storage(db_path: Path) -> Iterator[SqliteStorage]:
    store = SqliteStorage(db_path)
    yield store
    store.close()


async def test_round_trip_dicts(storage: SqliteStorage) -> None:
    item = {
        "name": "Ada",
        "n": 3,
        "tags": ["a", "b"],
        "nested": {"x": 1.5, "ok": True, "none": None},
    }
    await storage.write({"k1": item, "k2": {"other": "value"}})

    got = await storage.read(["k1", "k2"])

    assert set(got) == {"k1", "k2"}
    assert {k: v for k, v in got["k1"].items() if k != "e_tag"} == {
        "name": "Ada",
        "n": 3,
        "tags": ["a", "b"],
        "nested": {"x": 1.5, "ok": True, "none": None},
    }
    assert got["k2"]["other"] == "value"


async def test_store_item_objects_round_trip(storage: SqliteStorage) -> None:
    await storage.write({"obj": StoreItem(name="Ada", count=2)})

    got = (await storage.read(["obj"]))["obj"]

    assert isinstance(got, StoreItem)
    assert (got.name, got.count) == ("Ada", 2)
    assert got.e_tag


async def test_write_sets_new_etag_each_time(storage: SqliteStorage) -> None:
    item = {"v": 1}
    await storage.write({"k": item})
    first = (await storage.read(["k"]))["k"]["e_tag"]
    assert first
    assert item["e_tag"] == first  # the written item learns its new e-tag

    await storage.write({"k": {"v": 2, "e_tag": first}})
    second = (await storage.read(["k"]))["k"]["e_tag"]
    assert second and second != first


async def test_stale_etag_raises_and_keeps_stored_value(storage: SqliteStorage) -> None:
    await storage.write({"k": {"v": 1}})
    stale = (await storage.read(["k"]))["k"]["e_tag"]
    await storage.write({"k": {"v": 2, "e_tag": stale}})

    with pytest.raises(ETagConflictError, match="Etag conflict") as exc_info:
        await storage.write({"k": {"v": 3, "e_tag": stale}})

    assert isinstance(exc_info.value, KeyError)  # the type MemoryStorage raises
    assert (await storage.read(["k"]))["k"]["v"] == 2


async def test_star_or_missing_etag_overwrites(storage: SqliteStorage) -> None:
    await storage.write({"k": {"v": 1}})
    await storage.write({"k": {"v": 2}})  # unconditional, item had an e-tag stored
    await storage.write({"k": {"v": 3, "e_tag": "*"}})
    assert (await storage.read(["k"]))["k"]["v"] == 3


async def test_empty_etag_is_an_error(storage: SqliteStorage) -> None:
    with pytest.raises(Exception, match="etag missing"):
        await storage.write({"k": {"v": 1, "e_tag": ""}})


async def test_multi_key_write_is_atomic(storage: SqliteStorage) -> None:
    await storage.write({"a": {"v": 1}, "b": {"v": 1}})
    stale = (await storage.read(["b"]))["b"]["e_tag"]
    await storage.write({"b": {"v": 2}})

    with pytest.raises(ETagConflictError):
        await storage.write({"a": {"v": 9}, "new": {"v": 9}, "b": {"v": 9, "e_tag": stale}})

    got = await storage.read(["a", "b", "new"])
    assert set(got) == {"a", "b"}
    assert (got["a"]["v"], got["b"]["v"]) == (1, 2)


async def test_read_unknown_keys_are_omitted(storage: SqliteStorage) -> None:
    await storage.write({"known": {"v": 1}})
    assert set(await storage.read(["known", "unknown"])) == {"known"}
    assert await storage.read(["unknown"]) == {}
    assert await storage.read([]) == {}


async def test_delete(storage: SqliteStorage) -> None:
    await storage.write({"a": {"v": 1}, "b": {"v": 2}})
    await storage.delete(["a", "never-stored"])  # missing keys are no error
    await storage.delete({"also-missing"})  # BotState.delete passes a set
    assert set(await storage.read(["a", "b"])) == {"b"}


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


async def test_two_instances_same_etag_only_one_wins(db_path: Path) -> None:
    a, b = SqliteStorage(db_path), SqliteStorage(db_path)
    try:
        await a.write({"k": {"v": 0}})
        seen_a = (await a.read(["k"]))["k"]
        seen_b = (await b.read(["k"]))["k"]
        assert seen_a["e_tag"] == seen_b["e_tag"]
        seen_a["v"], seen_b["v"] = "from-a", "from-b"

        results = await asyncio.gather(
            a.write({"k": seen_a}), b.write({"k": seen_b}), return_exceptions=True
        )

        failures = [r for r in results if isinstance(r, Exception)]
        assert len(failures) == 1 and isinstance(failures[0], ETagConflictError)
        winner = "from-a" if results[0] is None else "from-b"
        assert (await a.read(["k"]))["k"]["v"] == winner
        assert (await b.read(["k"]))["k"]["v"] == winner
    finally:
        a.close()
        b.close()


async def test_no_lost_updates_under_contention(db_path: Path) -> None:
    stores = [SqliteStorage(db_path), SqliteStorage(db_path)]
    await stores[0].write({"counter": {"n": 0}})
    conflicts = 0

    async def increment(store: SqliteStorage, times: int) -> None:
        nonlocal conflicts
        for _ in range(times):
            while True:
                item = (await store.read(["counter"]))["counter"]
                item["n"] += 1
                try:
                    await store.write({"counter": item})
                    break
                except ETagConflictError:
                    conflicts += 1

    try:
        await asyncio.gather(*(increment(s, 5) for s in stores for _ in range(8)))
        assert (await stores[1].read(["counter"]))["counter"]["n"] == 2 * 8 * 5
        assert conflicts > 0  # the test really exercised the e-tag check
    finally:
        for s in stores:
            s.close()


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


async def test_dialog_state_survives_restart(db_path: Path) -> None:
    """BotState keeps DialogState *objects* in its dict; they must round-trip through JSON."""

    async def ask(step: WaterfallStepContext):
        prompt = PromptOptions(prompt=MessageFactory.text("What is your name?"))
        return await step.prompt("name", prompt)

    async def greet(step: WaterfallStepContext):
        await step.context.send_activity(f"Hello {step.result}")
        return await step.end_dialog()

    async def turn(text: str) -> list[str]:
        storage = SqliteStorage(db_path)  # fresh storage each turn = process restart
        state = ConversationState(storage)
        dialogs = DialogSet(state.create_property("DialogState"))
        dialogs.add(TextPrompt("name"))
        dialogs.add(WaterfallDialog("main", [ask, greet]))

        async def logic(ctx: TurnContext) -> None:
            dc = await dialogs.create_context(ctx)
            result = await dc.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                await dc.begin_dialog("main")
            await state.save_changes(ctx)

        adapter = TestAdapter(logic)
        try:
            await adapter.receive_activity(text)
        finally:
            storage.close()
        return [a.text for a in adapter.activity_buffer]

    assert await turn("hi") == ["What is your name?"]
    assert await turn("Ada") == ["Hello Ada"]
