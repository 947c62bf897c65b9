"""Unit tests of bot/channels/directline: tokens, the conversation store's bounds, the bridge."""

from __future__ import annotations

import base64
import json

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.channels.directline.bridge import DirectLineBridge
from bot.channels.directline.store import ConversationStore
from bot.channels.directline.tokens import CONVERSATION_SCOPE, STREAM_SCOPE, TokenError, TokenIssuer


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# -- tokens -----------------------------------------------------------------------------------


def test_a_token_verifies_until_it_expires():
    clock = Clock()
    issuer = TokenIssuer("k", lifetime=60, clock=clock)
    token = issuer.issue("conv-1", "dl_user")

    claims = issuer.verify(token)
    assert (claims.conversation_id, claims.user_id) == ("conv-1", "dl_user")
    assert claims.scope == CONVERSATION_SCOPE
    assert claims.seconds_left(clock.now) == 60
    clock.now += 59.9
    issuer.verify(token)
    clock.now += 0.1
    with pytest.raises(TokenError, match="expired"):
        issuer.verify(token)


def test_tokens_are_bound_to_their_key_scope_and_algorithm():
    issuer = TokenIssuer("k")
    token = issuer.issue("conv-1", "dl_user")
    stream = issuer.issue("conv-1", "dl_user", STREAM_SCOPE)
    header, payload, signature = token.split(".")

    with pytest.raises(TokenError):
        TokenIssuer("other").verify(token)
    with pytest.raises(TokenError, match="not a conversation token"):
        issuer.verify(stream)
    with pytest.raises(TokenError, match="not a stream token"):
        issuer.verify(token, STREAM_SCOPE)
    assert issuer.verify(stream, STREAM_SCOPE).scope == STREAM_SCOPE
    swapped = f"{header}.{b64({'conv': 'conv-2', 'user': 'x', 'scope': CONVERSATION_SCOPE})}"
    with pytest.raises(TokenError, match="signature"):
        issuer.verify(f"{swapped}.{signature}")
    none_alg = f"{b64({'alg': 'none'})}.{payload}."
    with pytest.raises(TokenError):
        issuer.verify(none_alg)
    for junk in ("", "a.b", "a.b.c", "x" * 5000, "..."):
        with pytest.raises(TokenError):
            issuer.verify(junk)


def test_signed_payloads_without_the_needed_claims_are_refused():
    issuer = TokenIssuer("k")
    for payload in (
        {"user": "u", "scope": "conversation", "iat": 1, "exp": 10**12},
        {"conv": "c", "scope": "conversation", "iat": 1, "exp": 10**12},
        {"conv": "c", "user": "u", "scope": "conversation"},
        ["not", "a", "dict"],
    ):
        with pytest.raises(TokenError):
            issuer.verify(issuer.encode(payload))  # type: ignore[arg-type]


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError):
        TokenIssuer("")


# -- the conversation store -------------------------------------------------------------------


def message(text: str) -> dict:
    return {"type": "message", "text": text}


def test_watermarks_count_every_activity_even_dropped_ones():
    store = ConversationStore(max_history_bytes=400)
    conversation = store.create("c", "u")
    for i in range(10):
        store.append(conversation, message(f"message number {i}"))

    assert conversation.watermark == 10
    held, watermark = conversation.since(0)
    assert watermark == 10
    assert 1 <= len(held) < 10  # the oldest were dropped to stay under 400 bytes
    assert held[-1]["text"] == "message number 9"
    assert conversation.since(8)[0] == held[-2:]
    assert conversation.since(10) == ([], 10)
    assert conversation.since(50) == ([], 10)
    ids = [a["id"] for a in held]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    stamps = [a["timestamp"] for a in held]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_idle_conversations_are_evicted_and_streams_keep_them():
    clock = Clock()
    store = ConversationStore(idle_seconds=10, clock=clock)
    idle = store.create("idle", "u")
    watched = store.create("watched", "u")
    with watched.listen():
        clock.now += 11
        assert store.sweep() == 1
        assert idle.closed and "idle" not in store
        assert store.get("watched") is watched
    clock.now += 11
    assert store.get("watched") is None
    assert watched.closed


def test_the_least_recently_used_go_first_at_the_conversation_limit():
    clock = Clock()
    store = ConversationStore(max_conversations=2, clock=clock)
    a, b = store.create("a", "u"), store.create("b", "u")
    clock.now += 1
    assert store.get("a") is a
    store.create("c", "u")
    assert "b" not in store and b.closed
    assert "a" in store and "c" in store
    assert store.evicted == 1


def test_the_memory_budget_evicts_the_least_recently_used():
    store = ConversationStore(max_bytes=2000, max_history_bytes=1500)
    first, second = store.create("first", "u"), store.create("second", "u")
    store.append(first, message("x" * 1200))
    assert "first" in store
    store.append(second, message("y" * 1200))
    assert "first" not in store and first.closed
    assert store.total_bytes <= 2000
    store.append(first, message("late"))  # a turn finishing after eviction: not counted
    assert store.total_bytes == second.size


def test_listeners_are_woken_by_appends_and_closing():
    store = ConversationStore()
    conversation = store.create("c", "u")
    with conversation.listen() as event:
        store.append(conversation, message("hi"))
        assert event.is_set()
        event.clear()
        store.close_all()
        assert event.is_set() and conversation.closed
    assert conversation.streams == 0


# -- the bridge -------------------------------------------------------------------------------


async def test_the_bridge_delivers_replies_but_never_traces():
    store = ConversationStore()
    conversation = store.create("conv", "dl_user")

    async def logic(context: TurnContext) -> None:
        await context.send_trace_activity("RecognizerResult", value={"topIntent": "x"})
        await context.send_activity(f"you said {context.activity.text}")

    bridge = DirectLineBridge(store, logic)
    incoming = {
        "type": "message",
        "id": "conv|0000001",
        "text": "hi",
        "channelId": "directline",
        "serviceUrl": "http://localhost/v3/directline",
        "conversation": {"id": "conv"},
        "from": {"id": "dl_user", "role": "user"},
        "recipient": {"id": "archbot", "name": "ArchBot"},
    }
    bridge.start_turn(conversation, incoming)
    await bridge.idle()

    (reply,) = conversation.since(0)[0]
    assert reply["text"] == "you said hi"
    assert reply["from"]["id"] == "archbot"
    assert reply["recipient"]["id"] == "dl_user"
    assert reply["conversation"] == {"id": "conv"}
    assert conversation.pending_turns == 0


async def test_a_failing_turn_apologises_and_frees_the_conversation():
    store = ConversationStore()
    conversation = store.create("conv", "dl_user")

    async def logic(context: TurnContext) -> None:
        raise RuntimeError("boom")

    bridge = DirectLineBridge(store, logic)
    activity = Activity(
        type="message",
        text="hi",
        channel_id="directline",
        service_url="http://localhost",
        conversation=ConversationAccount(id="conv"),
        from_property=ChannelAccount(id="dl_user"),
        recipient=ChannelAccount(id="archbot"),
    ).serialize()
    bridge.start_turn(conversation, activity)
    await bridge.idle()

    (apology,) = conversation.since(0)[0]
    assert "went wrong" in apology["text"]
    assert not conversation.turn_lock.locked()
    assert conversation.pending_turns == 0
