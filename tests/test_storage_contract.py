"""One contract for every state backend: memory, SQLite and Azure Blob (on a real Azurite).

Each test runs three times. ``backend.open()`` gives a new storage object over the same data, as
a second process (or a second `archbot serve` instance) would see it. What the three must share:
jsonpickle round trips (dicts, StoreItems, DialogState), a fresh e-tag per write that the written
item learns, ``ETagConflictError`` (a ``KeyError``) for a stale e-tag, ``"*"``/no e-tag overwrite,
missing keys omitted or ignored, keys that never alias, and no lost update under contention.
Backend-specific behaviour (SQLite's atomic multi-key write, WAL) stays in test_storage.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from botbuilder.core import ConversationState, MessageFactory, Storage, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import DialogSet, DialogTurnStatus, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt

from bot.hosting.runtime import StorageConfigError, open_storage
from bot.state.storage import ETagConflictError
from bot.state.storage_blob import (
    AZURITE_KEY,
    BlobStateStorage,
    BlobStorageClosedError,
    BlobStorageConfigError,
    azurite_connection_string,
    connection_string,
)
from bot.state.storage_memory import InMemoryStorage

from .azurite import shared_azurite

BACKENDS = ["memory", "sqlite", "blob"]


@dataclass
class Backend:
    """Opens storage objects over one shared set of data; closes them all at the end."""

    name: str
    _open: Callable[[], Storage]
    opened: list[Storage] = field(default_factory=list)

    def open(self) -> Storage:
        store = self._open()
        self.opened.append(store)
        return store

    async def close(self) -> None:
        for store in self.opened:
            if hasattr(store, "aclose"):
                await store.aclose()
            elif hasattr(store, "close"):
                store.close()


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        shared: dict[str, tuple[str, str]] = {}
        made = Backend("memory", lambda: InMemoryStorage(shared))
    elif request.param == "sqlite":
        made = Backend("sqlite", lambda: open_storage(f"sqlite:///{tmp_path / 'state.sqlite3'}"))
    else:
        azurite = shared_azurite()
        container = azurite.new_container("contract")
        made = Backend("blob", lambda: BlobStateStorage(container, azurite.connection_string))
    yield made
    await made.close()


@pytest.fixture
def storage(backend: Backend) -> Storage:
    return backend.open()


def without_etag(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "e_tag"}


# -- round trips ------------------------------------------------------------------------------


async def test_round_trip_dicts(storage: Storage) -> None:
    item = {
        "name": "Ada ✓",
        "n": 3,
        "tags": ["a", "b"],
        "nested": {"x": 1.5, "ok": True, "no": None},
    }
    await storage.write({"k1": item, "k2": {"other": "value"}})

    got = await storage.read(["k1", "k2"])

    assert without_etag(got["k1"]) == without_etag(item)
    assert got["k2"]["other"] == "value"


async def test_store_item_objects_round_trip(storage: Storage) -> None:
    await storage.write({"obj": StoreItem(name="Ada", count=2)})

    got = (await storage.read(["obj"]))["obj"]

    assert isinstance(got, StoreItem)
    assert (got.name, got.count) == ("Ada", 2)
    assert got.e_tag


async def test_reads_are_copies(storage: Storage) -> None:
    item = {"v": [1]}
    await storage.write({"k": item})
    item["v"].append(2)  # changing what was written changes nothing stored
    first = (await storage.read(["k"]))["k"]
    first["v"].append(3)  # nor does changing what was read
    assert (await storage.read(["k"]))["k"]["v"] == [1]


async def test_read_unknown_keys_are_omitted(storage: Storage) -> None:
    await storage.write({"known": {"v": 1}})
    assert set(await storage.read(["known", "unknown"])) == {"known"}
    assert await storage.read(["unknown"]) == {}
    assert await storage.read([]) == {}


async def test_delete(storage: Storage) -> None:
    await storage.write({"a": {"v": 1}, "b": {"v": 2}})
    await storage.delete(["a", "never-stored"])  # missing keys are no error
    await storage.delete({"also-missing"})  # BotState.delete passes a set
    assert set(await storage.read(["a", "b"])) == {"b"}


async def test_awkward_keys_never_alias(storage: Storage) -> None:
    """Conversation ids carry whatever a channel puts in them; each key is its own item."""
    keys = [
        "msteams/conversations/19:abc@thread.tacv2;messageid=1616161616161",
        "msteams/conversations/a:1Fxyz_-Q==",
        "emulator/users/émoji 🙂",
        "x?y#z%20&q=1",
        "back\\slash",
        "back/slash",
        "dots/../up",
        "dots/up",
        "trailing.",
        "trailing",
        "..",
        "sp ace/",
    ]
    await storage.write({key: {"key": key} for key in keys})
    got = await storage.read(keys)
    assert {key: item["key"] for key, item in got.items()} == {key: key for key in keys}


async def test_an_item_must_be_a_dict_or_an_object(storage: Storage) -> None:
    with pytest.raises(TypeError):
        await storage.write({"k": "just a string"})
    assert await storage.read(["k"]) == {}


# -- e-tags -----------------------------------------------------------------------------------


async def test_write_sets_new_etag_each_time(storage: Storage) -> None:
    item = {"v": 1}
    await storage.write({"k": item})
    first = (await storage.read(["k"]))["k"]["e_tag"]
    assert first and item["e_tag"] == first  # the written item learns its new e-tag

    again = {"v": 2, "e_tag": first}
    await storage.write({"k": again})
    second = (await storage.read(["k"]))["k"]["e_tag"]
    assert second and second != first and again["e_tag"] == second

    await storage.write({"k": again})  # a second save with the learned e-tag is no conflict
    assert (await storage.read(["k"]))["k"]["v"] == 2


async def test_stale_etag_raises_and_keeps_stored_value(storage: Storage) -> None:
    await storage.write({"k": {"v": 1}})
    stale = (await storage.read(["k"]))["k"]["e_tag"]
    await storage.write({"k": {"v": 2, "e_tag": stale}})

    with pytest.raises(ETagConflictError, match="Etag conflict") as caught:
        await storage.write({"k": {"v": 3, "e_tag": stale}})

    assert isinstance(caught.value, KeyError)  # the type botbuilder's MemoryStorage raises
    assert (await storage.read(["k"]))["k"]["v"] == 2


async def test_star_or_missing_etag_overwrites(storage: Storage) -> None:
    await storage.write({"k": {"v": 1}})
    await storage.write({"k": {"v": 2}})
    await storage.write({"k": {"v": 3, "e_tag": "*"}})
    assert (await storage.read(["k"]))["k"]["v"] == 3


async def test_empty_etag_is_an_error(storage: Storage) -> None:
    with pytest.raises(Exception, match="etag missing"):
        await storage.write({"k": {"v": 1, "e_tag": ""}})
    assert await storage.read(["k"]) == {}


async def test_conditional_write_of_a_deleted_item_recreates_it(storage: Storage) -> None:
    await storage.write({"k": {"v": 1}})
    seen = (await storage.read(["k"]))["k"]
    await storage.delete(["k"])

    seen["v"] = 2
    await storage.write({"k": seen})

    assert (await storage.read(["k"]))["k"]["v"] == 2


# -- two instances over the same data ---------------------------------------------------------


async def test_what_one_instance_writes_the_other_reads(backend: Backend) -> None:
    first, second = backend.open(), backend.open()
    await first.write({"k": {"v": "from the first"}})
    got = (await second.read(["k"]))["k"]
    assert got["v"] == "from the first"
    got["v"] = "from the second"
    await second.write({"k": got})
    assert (await first.read(["k"]))["k"]["v"] == "from the second"


async def test_two_instances_same_etag_only_one_wins(backend: Backend) -> None:
    a, b = backend.open(), backend.open()
    await a.write({"k": {"v": 0}})
    seen_a, seen_b = (await a.read(["k"]))["k"], (await b.read(["k"]))["k"]
    assert seen_a["e_tag"] == seen_b["e_tag"]
    seen_a["v"], seen_b["v"] = "from-a", "from-b"

    results = await asyncio.gather(
        a.write({"k": seen_a}), b.write({"k": seen_b}), return_exceptions=True
    )

    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1 and isinstance(failures[0], ETagConflictError), results
    winner = "from-a" if results[0] is None else "from-b"
    assert (await a.read(["k"]))["k"]["v"] == winner
    assert (await b.read(["k"]))["k"]["v"] == winner


async def test_no_lost_updates_under_contention(backend: Backend) -> None:
    stores = [backend.open(), backend.open()]
    await stores[0].write({"counter": {"n": 0}})
    conflicts = 0

    async def increment(store: Storage, times: int) -> None:
        nonlocal conflicts
        for _ in range(times):
            while True:
                item = (await store.read(["counter"]))["counter"]
                await asyncio.sleep(0)  # let the others read the same version
                item["n"] += 1
                try:
                    await store.write({"counter": item})
                    break
                except ETagConflictError:
                    conflicts += 1

    await asyncio.gather(*(increment(s, 5) for s in stores for _ in range(3)))

    assert (await stores[1].read(["counter"]))["counter"]["n"] == 2 * 3 * 5
    assert conflicts > 0  # the e-tag check was really exercised


async def test_bot_state_save_with_a_stale_etag_is_a_conflict(backend: Backend) -> None:
    """Two instances run a turn of the same conversation at once: the second save fails."""
    states = [ConversationState(backend.open()), ConversationState(backend.open())]
    contexts: list[TurnContext] = []

    async def keep_context(ctx: TurnContext) -> None:
        contexts.append(ctx)

    adapter = TestAdapter(keep_context)
    for text in ("zero", "first", "second"):  # three turns of one conversation
        await adapter.receive_activity(text)
    start = ConversationState(backend.open())  # the conversation's state exists (has an e-tag)
    await start.load(contexts[0])
    await start.create_property("notes").set(contexts[0], [])
    await start.save_changes(contexts[0])
    for state, ctx in zip(states, contexts[1:], strict=True):
        await state.load(ctx)
        (await state.create_property("notes").get(ctx, list)).append(ctx.activity.text)

    await states[0].save_changes(contexts[1])
    with pytest.raises(ETagConflictError):
        await states[1].save_changes(contexts[2])

    fresh = ConversationState(backend.open())
    await fresh.load(contexts[2], force=True)
    assert await fresh.create_property("notes").get(contexts[2]) == ["first"]


async def test_dialog_state_moves_between_instances(backend: Backend) -> None:
    """BotState keeps DialogState *objects*; a dialog started on one instance ends on another."""

    async def ask(step: WaterfallStepContext):
        prompt = PromptOptions(prompt=MessageFactory.text("What is your name?"))
        return await step.prompt("name", prompt)

    async def greet(step: WaterfallStepContext):
        await step.context.send_activity(f"Hello {step.result}")
        return await step.end_dialog()

    async def turn(text: str) -> list[str]:
        state = ConversationState(backend.open())  # a different instance every turn
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
        await adapter.receive_activity(text)
        return [a.text for a in adapter.activity_buffer]

    assert await turn("hi") == ["What is your name?"]
    assert await turn("Ada") == ["Hello Ada"]


# -- the blob backend's own edges -------------------------------------------------------------


def test_storage_urls() -> None:
    with pytest.raises(StorageConfigError, match="blob://<container>"):
        open_storage("cosmos://whatever")
    with pytest.raises(BlobStorageConfigError, match="ARCHBOT_BLOB_CONNECTION_STRING"):
        open_storage("blob://state")
    with pytest.raises(BlobStorageConfigError, match="invalid blob container name"):
        open_storage("blob://Bad_Name", "UseDevelopmentStorage=true")
    assert connection_string("UseDevelopmentStorage=true;") == azurite_connection_string(10000)
    assert isinstance(open_storage("memory://"), InMemoryStorage)


async def test_blob_errors_are_not_taken_for_missing_state() -> None:
    """Stock BlobStorage.read answers {} for *any* HTTP error; a wrong key must not look like
    "no state yet" (the next write would overwrite the real state)."""
    azurite = shared_azurite()
    good = BlobStateStorage(azurite.new_container("keys"), azurite.connection_string)
    bad_key = azurite.connection_string.replace(AZURITE_KEY, "d3Jvbmcta2V5" * 8)
    bad = BlobStateStorage(good.container, bad_key)
    try:
        await good.write({"k": {"v": 1}})
        with pytest.raises(HttpResponseError) as caught:
            await bad.read(["k"])
        assert caught.value.status_code == 403
    finally:
        await good.aclose()
        await bad.aclose()


async def test_a_closed_blob_storage_says_so() -> None:
    azurite = shared_azurite()
    storage = BlobStateStorage(azurite.new_container("closed"), azurite.connection_string)
    await storage.write({"k": {"v": 1}})
    await storage.aclose()
    await storage.aclose()  # idempotent
    with pytest.raises(BlobStorageClosedError):
        await storage.read(["k"])
