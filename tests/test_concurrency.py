"""A stale e-tag during a turn (bot/state/concurrency.py): rerun once from fresh state, else say so.

A storage wrapper plays "the other instance": right before the turn's own save it saves the same
conversation itself, so the turn's e-tag is stale exactly when the test wants it to be.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from botbuilder.core import (
    ConversationState,
    MemoryTranscriptStore,
    Storage,
    TranscriptLoggerMiddleware,
    TurnContext,
    UserState,
)
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from bot.hosting.runtime import MEMORY_URL, build_runtime
from bot.operations.config import Settings
from bot.state.concurrency import CONFLICT_MESSAGE, PARTIAL_MESSAGE, TurnGuard
from bot.state.dedup import MAX_PROCESSED_IDS, PROCESSED_PROPERTY
from bot.state.storage_memory import InMemoryStorage

CONVERSATION_KEY = "test/conversations/c-1"
USER_KEY = "test/users/user-1"


class OtherInstance(Storage):
    """Delegates to ``inner``; before each of the next ``times`` writes of a key whose name
    contains ``marker``, another writer saves that item first (``change`` applied)."""

    def __init__(self, inner: Storage, marker: str, times: int, change=None) -> None:
        self.inner = inner
        self.marker = marker
        self.times = times
        self.change = change or (lambda item: None)
        self.interfered = 0

    async def read(self, keys):
        return await self.inner.read(keys)

    async def delete(self, keys):
        await self.inner.delete(keys)

    async def write(self, changes: dict[str, Any]) -> None:
        for key in changes:
            if self.marker in key and self.interfered < self.times:
                self.interfered += 1
                theirs = (await self.inner.read([key]))[key]
                self.change(theirs)
                await self.inner.write({key: theirs})
        await self.inner.write(changes)


def counting_bot(storage: Storage, *, user_counts: bool = False):
    """Each message adds 1 to a counter in conversation state and answers with its value."""
    conversation_state, user_state = ConversationState(storage), UserState(storage)
    guard = TurnGuard([conversation_state, user_state])
    runs: list[str] = []

    async def logic(context: TurnContext) -> None:
        runs.append(context.activity.text)
        context.activity.text = "edited by the turn"  # a retry must see the original again
        counter = await conversation_state.create_property("counter").get(context, dict)
        counter["n"] = counter.get("n", 0) + 1
        if user_counts:
            mine = await user_state.create_property("mine").get(context, dict)
            mine["n"] = mine.get("n", 0) + 1
        await context.send_activity(f"count={counter['n']}")
        await context.send_activity(f"second reply of turn {counter['n']}")

    async def on_turn(context: TurnContext) -> None:
        await guard.run(context, logic)

    return on_turn, runs


def adapter_for(on_turn) -> TestAdapter:
    template = Activity(
        channel_id="test",
        service_url="https://connector.invalid",
        from_property=ChannelAccount(id="user-1"),
        recipient=ChannelAccount(id="bot"),
        conversation=ConversationAccount(id="c-1"),
    )
    return TestAdapter(on_turn, template)


async def say(adapter: TestAdapter, text: str) -> list[str]:
    adapter.activity_buffer.clear()
    await adapter.receive_activity(text)
    return [a.text for a in adapter.activity_buffer]


def bump(item: dict[str, Any]) -> None:
    item["counter"]["n"] += 10  # the other instance's turn


async def stored_count(storage: Storage) -> int:
    return (await storage.read([CONVERSATION_KEY]))[CONVERSATION_KEY]["counter"]["n"]


async def test_no_conflict_replies_once_in_order() -> None:
    storage = InMemoryStorage()
    on_turn, runs = counting_bot(storage)
    adapter = adapter_for(on_turn)
    assert await say(adapter, "a") == ["count=1", "second reply of turn 1"]
    assert await say(adapter, "b") == ["count=2", "second reply of turn 2"]
    assert runs == ["a", "b"]


async def test_a_stale_etag_reruns_the_turn_from_fresh_state(caplog) -> None:
    inner = InMemoryStorage()
    storage = OtherInstance(inner, "conversations", times=0, change=bump)
    on_turn, runs = counting_bot(storage)
    adapter = adapter_for(on_turn)
    await say(adapter, "first")  # count 1 (the conversation's state now has an e-tag)

    storage.times = 1  # the other instance saves once while our next turn runs
    with caplog.at_level(logging.INFO, logger="bot.state.concurrency"):
        replies = await say(adapter, "second")

    # what the user sees: the turn computed after the other one (1 + 10 + 1), once
    assert replies == ["count=12", "second reply of turn 12"]
    assert await stored_count(inner) == 12  # neither update lost
    assert runs == ["first", "second", "second"]  # rerun with the original text
    assert "retrying the turn from fresh state" in caplog.text


async def test_a_second_conflict_tells_the_user_and_applies_nothing() -> None:
    inner = InMemoryStorage()
    storage = OtherInstance(inner, "conversations", times=0, change=bump)
    on_turn, runs = counting_bot(storage)
    adapter = adapter_for(on_turn)
    await say(adapter, "first")

    storage.times = 2  # the other instance wins both attempts
    replies = await say(adapter, "second")

    assert replies == [CONFLICT_MESSAGE]  # no answer of a turn that did not happen
    assert await stored_count(inner) == 1 + 10 + 10  # only the other instance's updates
    assert runs == ["first", "second", "second"]


async def test_conflict_on_user_state_after_conversation_saved_is_not_rerun() -> None:
    inner = InMemoryStorage()
    storage = OtherInstance(inner, "users", times=0, change=lambda item: None)
    on_turn, runs = counting_bot(storage, user_counts=True)
    adapter = adapter_for(on_turn)
    await say(adapter, "first")

    storage.times = 1
    replies = await say(adapter, "second")

    # the conversation moved on (its state was saved): its replies, plus what was not saved
    assert replies == ["count=2", "second reply of turn 2", PARTIAL_MESSAGE]
    assert runs == ["first", "second"]  # not applied twice
    assert await stored_count(inner) == 2
    assert (await inner.read([USER_KEY]))[USER_KEY]["mine"]["n"] == 1


async def test_a_failing_turn_sends_none_of_its_replies() -> None:
    storage = InMemoryStorage()
    guard = TurnGuard([ConversationState(storage)])

    async def logic(context: TurnContext) -> None:
        await context.send_activity("half an answer")
        raise RuntimeError("boom")

    errors: list[BaseException] = []

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        errors.append(error)
        await context.send_activity("sorry")

    adapter = adapter_for(lambda context: guard.run(context, logic))
    adapter.on_turn_error = on_turn_error
    assert await say(adapter, "hi") == ["sorry"]
    assert [str(e) for e in errors] == ["boom"]


async def test_the_transcript_holds_only_what_the_user_saw() -> None:
    inner = InMemoryStorage()
    storage = OtherInstance(inner, "conversations", times=0, change=bump)
    on_turn, _ = counting_bot(storage)
    adapter = adapter_for(on_turn)
    transcripts = MemoryTranscriptStore()
    adapter.use(TranscriptLoggerMiddleware(transcripts))
    await say(adapter, "first")
    storage.times = 1
    await say(adapter, "second")

    page = await transcripts.get_transcript_activities("test", "c-1")
    logged = [(a.from_property.role, a.text) for a in page.items]
    assert logged == [
        ("user", "first"),
        (None, "count=1"),
        (None, "second reply of turn 1"),
        ("user", "second"),
        (None, "count=12"),
        (None, "second reply of turn 12"),
    ]


# -- the whole bot ----------------------------------------------------------------------------


async def test_the_bot_reruns_a_turn_whose_state_went_stale(caplog) -> None:
    """ArchBotHandler runs every turn through the guard: a walkthrough step whose save went
    stale is answered exactly as it would have been without the other writer."""

    async def walk(interfere: bool) -> list[list[dict[str, Any]]]:
        runtime = build_runtime(Settings(storage=MEMORY_URL))
        storage = OtherInstance(runtime.storage, "conversations", times=0)
        runtime.handler.conversation_state._storage = storage
        template = Activity(
            channel_id="emulator",
            service_url="https://connector.invalid",
            from_property=ChannelAccount(id="user-1"),
            recipient=ChannelAccount(id="bot"),
            conversation=ConversationAccount(id="c-9"),
        )
        adapter = TestAdapter(runtime.handler.on_turn, template)
        seen = []
        for text in ("help me pick an architecture", "a generative AI chatbot"):
            storage.times = 1 if interfere and seen else 0  # the second turn's save goes stale
            adapter.activity_buffer.clear()
            await adapter.receive_activity(Activity(type=ActivityTypes.message, text=text))
            seen.append(
                [
                    {k: v for k, v in a.serialize().items() if k in ("text", "attachments")}
                    for a in adapter.activity_buffer
                    if a.type == ActivityTypes.message
                ]
            )
        assert storage.interfered == (1 if interfere else 0)
        return seen

    expected = await walk(interfere=False)
    with caplog.at_level(logging.INFO, logger="bot.state.concurrency"):
        assert await walk(interfere=True) == expected
    assert "retrying the turn from fresh state" in caplog.text


async def test_the_guard_reraises_other_storage_errors() -> None:
    class Broken(InMemoryStorage):
        async def write(self, changes):
            raise OSError("disk on fire")

    state = ConversationState(Broken())
    guard = TurnGuard([state])

    async def logic(context: TurnContext) -> None:
        (await state.create_property("x").get(context, dict))["v"] = 1
        await context.send_activity("answer")

    adapter = adapter_for(lambda context: guard.run(context, logic))
    with pytest.raises(OSError, match="disk on fire"):
        await say(adapter, "hi")
    assert adapter.activity_buffer == []


# -- a turn is applied once -------------------------------------------------------------------


async def test_a_turn_the_stored_state_lists_is_skipped_on_any_instance() -> None:
    """A retry of a saved turn (same activity id) reaching a second instance, or this one after
    a restart, is skipped; other ids still run; a failed turn's retry runs."""
    shared: dict[str, tuple[str, str]] = {}
    first, first_runs = counting_bot(InMemoryStorage(shared))
    second, second_runs = counting_bot(InMemoryStorage(shared))  # another process, same store
    await say(adapter_for(first), "hi")  # activity id "0"

    retry = adapter_for(second)  # a TestAdapter's ids start at "0": its first is the retry
    assert await say(retry, "hi (retry)") == []
    assert await say(retry, "next") == ["count=2", "second reply of turn 2"]
    assert (first_runs, second_runs) == (["hi"], ["next"])


async def test_only_the_last_ids_are_kept() -> None:
    storage = InMemoryStorage()
    on_turn, _ = counting_bot(storage)
    adapter = adapter_for(on_turn)
    for n in range(MAX_PROCESSED_IDS + 1):
        await say(adapter, f"m{n}")
    ids = (await storage.read([CONVERSATION_KEY]))[CONVERSATION_KEY][PROCESSED_PROPERTY]
    assert len(ids) == MAX_PROCESSED_IDS and "0" not in ids  # the first one's id went
