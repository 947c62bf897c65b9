"""Notices (bot/operations/notify.py): which messages opt in or out; subscriptions
(bot/state/subscriptions.py), one item each, on every backend (Blob on a real Azurite)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import Storage

from bot.operations.notify import Command, notice_command
from bot.state.storage import SqliteStorage
from bot.state.storage_blob import BlobStateStorage
from bot.state.storage_memory import InMemoryStorage
from bot.state.subscriptions import LEGACY_KEY, SubscriptionStore, subscription_store

from .azurite import shared_azurite


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("subscribe", Command.SUBSCRIBE),
        ("Subscribe to updates!", Command.SUBSCRIBE),
        ("subscribe this channel to notices please", Command.SUBSCRIBE),
        ("subscibe", Command.SUBSCRIBE),
        ("unsubscribe", Command.UNSUBSCRIBE),
        ("unsubscribe from the updates", Command.UNSUBSCRIBE),
        ("unsubscirbe", Command.UNSUBSCRIBE),
        ("what is an azure subscription", None),
        ("subscribe to azure openai", None),
        ("how do I subscribe to the api", None),
        ("subscription", None),
        ("", None),
        (None, None),
    ],
)
def test_notice_commands(text: str | None, command: Command | None) -> None:
    assert notice_command(text) is command


@pytest.fixture(params=["memory", "sqlite", "blob"])
async def instances(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[[], Storage]]:
    """``instances()`` opens another storage object over one shared store (another process)."""
    opened: list[Storage] = []
    if request.param == "memory":
        shared: dict[str, tuple[str, str]] = {}
        open_one: Callable[[], Storage] = lambda: InMemoryStorage(shared)  # noqa: E731
    elif request.param == "sqlite":
        open_one = lambda: SqliteStorage(tmp_path / "state.sqlite3")  # noqa: E731
    else:
        azurite = shared_azurite()
        container = azurite.new_container("subscriptions")
        open_one = lambda: BlobStateStorage(container, azurite.connection_string)  # noqa: E731

    def instance() -> Storage:
        opened.append(open_one())
        return opened[-1]

    yield instance
    for storage in opened:
        if isinstance(storage, BlobStateStorage):
            await storage.aclose()
        elif isinstance(storage, SqliteStorage):
            storage.close()


async def everything(store: SubscriptionStore) -> dict[str, dict[str, Any]]:
    return {key: reference async for page in store.pages() for key, reference in page}


async def test_concurrent_subscriptions_from_two_instances_are_all_kept(instances) -> None:
    stores = [subscription_store(instances()), subscription_store(instances())]

    added = await asyncio.gather(
        *(stores[n % 2].add(f"test/c-{n}", {"conversation": {"id": f"c-{n}"}}) for n in range(40))
    )

    assert all(added)
    assert sorted(await everything(stores[1])) == sorted(f"test/c-{n}" for n in range(40))
    assert not await stores[0].add("test/c-4", {})  # already there: the first one stays
    assert await stores[1].remove("test/c-3", "test/never")
    assert not await stores[0].remove("test/c-3")
    assert len(await everything(stores[0])) == 39


async def test_a_broadcast_reads_them_page_by_page(instances) -> None:
    store = subscription_store(instances())
    for n in range(23):
        await store.add(f"test/c-{n:02d}", {"conversation": {"id": f"c-{n}"}, "n": n})

    pages = [page async for page in store.pages(size=5)]

    assert max(len(page) for page in pages) <= 5 and len(pages) >= 5
    keys = [key for page in pages for key, _ in page]
    assert sorted(keys) == [f"test/c-{n:02d}" for n in range(23)]  # each exactly once
    assert all(reference["n"] == int(key[-2:]) for page in pages for key, reference in page)


async def test_a_single_item_list_of_an_earlier_version_is_moved(instances) -> None:
    storage = instances()
    legacy = {f"test/c-{n}": {"conversation": {"id": f"c-{n}"}} for n in range(3)}
    await storage.write({LEGACY_KEY: {"conversations": legacy}})

    await subscription_store(storage).ensure()

    assert await storage.read([LEGACY_KEY]) == {}
    other = subscription_store(instances())  # another instance starting later
    assert await everything(other) == legacy
