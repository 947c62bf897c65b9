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
from bot.state.dedup import (
    KEPT_PROPERTY,
    MAX_KEPT_CHARS,
    MAX_KEPT_TURNS,
    MAX_PROCESSED_IDS,
    PROCESSED_PROPERTY,
)
from bot.state.storage_memory import InMemoryStorage

from .conversation import Conversation, Turn

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


async def say_again(adapter: TestAdapter, activity_id: str, text: str) -> list[Activity]:
    """The channel's retry: the same activity id delivered again."""
    adapter.activity_buffer.clear()
    await adapter.receive_activity(Activity(type=ActivityTypes.message, id=activity_id, text=text))
    return list(adapter.activity_buffer)


async def test_a_retry_of_a_saved_turn_gets_its_replies_again_on_any_instance() -> None:
    """A retry of a saved turn (same activity id) reaching a second instance, or this one after
    a restart, is answered with what the turn said, without running it again."""
    shared: dict[str, tuple[str, str]] = {}
    first, first_runs = counting_bot(InMemoryStorage(shared))
    second, second_runs = counting_bot(InMemoryStorage(shared))  # another process, same store
    await say_again(adapter_for(first), "m-1", "hi")

    retry = adapter_for(second)
    replies = await say_again(retry, "m-1", "hi")
    assert [a.text for a in replies] == ["count=1", "second reply of turn 1"]
    assert {a.reply_to_id for a in replies} == {"m-1"}
    assert await say(retry, "next") == ["count=2", "second reply of turn 2"]
    assert (first_runs, second_runs) == (["hi"], ["next"])  # the retry ran nothing


class LosesReplies(TestAdapter):
    """A channel whose connector fails the next ``failures`` sends (after the state was
    saved: the guard sends a turn's replies once its state is saved)."""

    failures = 0

    async def send_activities(self, context, activities):
        if self.failures and activities:  # a held turn sends empty lists meanwhile
            self.failures -= 1
            raise ConnectionError("connector unreachable")
        return await super().send_activities(context, activities)


async def test_a_retry_whose_replies_never_got_out_gets_them() -> None:
    storage = InMemoryStorage()
    on_turn, runs = counting_bot(storage)
    adapter = LosesReplies(adapter_for(on_turn).logic, adapter_for(on_turn).template)
    await say(adapter, "a")
    adapter.failures = 1
    with pytest.raises(ConnectionError):
        await say_again(adapter, "m-2", "b")  # saved, but the user saw nothing
    assert await stored_count(storage) == 2

    replies = await say_again(adapter, "m-2", "b")  # Teams resends it

    assert [a.text for a in replies] == ["count=2", "second reply of turn 2"]
    assert runs == ["a", "b"] and await stored_count(storage) == 2  # applied once


async def test_a_retry_in_state_kept_before_replies_were_is_skipped() -> None:
    """State saved by an ArchBot that kept only ids: its retries are skipped, as they were."""
    storage = InMemoryStorage()
    await storage.write({CONVERSATION_KEY: {PROCESSED_PROPERTY: ["m-1"], "counter": {"n": 1}}})
    on_turn, runs = counting_bot(storage)
    adapter = adapter_for(on_turn)
    assert await say_again(adapter, "m-1", "hi") == []
    assert await say(adapter, "next") == ["count=2", "second reply of turn 2"]
    assert runs == ["next"]


async def test_only_the_last_turns_keep_their_replies() -> None:
    storage = InMemoryStorage()
    on_turn, runs = counting_bot(storage)
    adapter = adapter_for(on_turn)
    for n in range(MAX_KEPT_TURNS + 1):
        await say_again(adapter, f"m-{n}", f"message {n}")

    assert await say_again(adapter, "m-0", "message 0") == []  # too old: skipped, not run
    last = await say_again(adapter, f"m-{MAX_KEPT_TURNS}", "again")
    assert last[0].text == f"count={MAX_KEPT_TURNS + 1}"
    assert len(runs) == MAX_KEPT_TURNS + 1
    kept = (await storage.read([CONVERSATION_KEY]))[CONVERSATION_KEY][KEPT_PROPERTY]
    assert [turn["id"] for turn in kept] == [f"m-{n}" for n in range(1, MAX_KEPT_TURNS + 1)]


async def test_replies_too_large_to_keep_are_not_sent_again() -> None:
    storage = InMemoryStorage()
    state = ConversationState(storage)
    guard = TurnGuard([state])

    async def logic(context: TurnContext) -> None:
        await context.send_activity(Activity(type=ActivityTypes.typing))  # not kept
        await context.send_activity("x" * (MAX_KEPT_CHARS + 1))

    adapter = adapter_for(lambda context: guard.run(context, logic))
    assert len(await say_again(adapter, "m-1", "hi")) == 2
    assert await say_again(adapter, "m-1", "hi") == []
    stored = (await storage.read([CONVERSATION_KEY]))[CONVERSATION_KEY]
    assert KEPT_PROPERTY not in stored and stored[PROCESSED_PROPERTY] == ["m-1"]


async def test_only_the_last_ids_are_kept() -> None:
    storage = InMemoryStorage()
    on_turn, _ = counting_bot(storage)
    adapter = adapter_for(on_turn)
    for n in range(MAX_PROCESSED_IDS + 1):
        await say(adapter, f"m{n}")
    ids = (await storage.read([CONVERSATION_KEY]))[CONVERSATION_KEY][PROCESSED_PROPERTY]
    assert len(ids) == MAX_PROCESSED_IDS and "0" not in ids  # the first one's id went


# -- a retry of the whole bot's turn ----------------------------------------------------------


def seen(turn: Turn) -> list[dict[str, Any]]:
    """What the user sees of each message of a turn."""
    shown = ("text", "attachments", "suggestedActions", "entities", "channelData")
    return [{k: v for k, v in m.serialize().items() if k in shown} for m in turn.messages]


def message(activity_id: str, text: str) -> Activity:
    return Activity(type=ActivityTypes.message, id=activity_id, text=text)


def first_click(turn: Turn) -> str:
    return turn.clicks[turn.buttons[0]]


async def test_a_retried_walkthrough_answer_is_shown_again_and_taken_once(kb, tmp_path) -> None:
    """The walkthrough's answer is saved, then the process restarts (same SQLite file) and the
    channel resends the answer: the user gets the same next question again, and the walkthrough
    goes on as if the answer had come once."""
    settings = Settings(storage=f"sqlite:///{tmp_path / 'state.sqlite3'}")
    reference = Conversation(build_runtime(Settings(storage=MEMORY_URL), kb).handler)
    asked = await reference.send(message("m-1", "help me pick an architecture"))
    answered = await reference.send(message("m-2", first_click(asked)))
    expected = await reference.send(message("m-3", first_click(answered)))

    before = build_runtime(settings, kb)
    convo = Conversation(before.handler)
    await convo.send(message("m-1", "help me pick an architecture"))
    first = await convo.send(message("m-2", first_click(asked)))
    before.close()
    after = build_runtime(settings, kb)  # a restart
    convo = Conversation(after.handler)

    retry = await convo.send(message("m-2", first_click(asked)))

    assert seen(retry) == seen(first) == seen(answered)
    assert {m.reply_to_id for m in retry.messages} == {"m-2"}
    assert seen(await convo.send(message("m-3", first_click(answered)))) == seen(expected)
    after.close()


async def test_a_retried_question_is_noted_unanswered_once(kb) -> None:
    runtime = build_runtime(Settings(storage=MEMORY_URL), kb)
    convo = Conversation(runtime.handler)
    first = await convo.send(message("m-1", "what is the capital of the moon base?"))
    retry = await convo.send(message("m-1", "what is the capital of the moon base?"))
    assert seen(retry) == seen(first) != []
    assert [gap.count for gap in runtime.feedback.gaps()] == [1]
