"""Notices (bot/operations/notify.py): which messages opt in or out; subscriptions lose nothing."""

from __future__ import annotations

import asyncio

import pytest

from bot.operations.notify import Command, Subscriptions, notice_command
from bot.state.storage import ETagConflictError
from bot.state.storage_memory import InMemoryStorage


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


class Interleaving(InMemoryStorage):
    """Lets other tasks run between a read and the write that follows it; counts conflicts."""

    conflicts = 0

    async def read(self, keys):
        items = await super().read(keys)
        await asyncio.sleep(0)
        return items

    async def write(self, changes):
        try:
            await super().write(changes)
        except ETagConflictError:
            Interleaving.conflicts += 1
            raise


async def test_concurrent_subscriptions_from_two_instances_are_all_kept() -> None:
    shared: dict = {}
    instances = [Subscriptions(Interleaving(shared)), Subscriptions(Interleaving(shared))]
    await instances[0].ensure()

    async def subscribe(n: int) -> bool:
        await asyncio.sleep(0)
        return await instances[n % 2].add(f"test/c-{n}", {"conversation": {"id": f"c-{n}"}})

    assert all(await asyncio.gather(*(subscribe(n) for n in range(30))))
    assert set(await instances[1].all()) == {f"test/c-{n}" for n in range(30)}
    assert Interleaving.conflicts > 0  # the e-tag check really was exercised

    assert await instances[1].remove("test/c-3", "test/never")
    assert not await instances[0].remove("test/c-3")
    assert not await instances[0].add("test/c-4", {})  # already there
    assert len(await instances[0].all()) == 29
