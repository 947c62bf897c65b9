"""Scale-out: two `archbot serve` processes share one Azure Blob container (on a real Azurite).

What a load balancer in front of several instances does to a conversation, over real HTTP:

* the turns of the guided walkthrough alternate between the two instances, and the walkthrough
  goes exactly as it goes on one instance (same questions, same recommendation);
* several messages of one conversation arrive at both instances at once: every turn the bot
  answered normally was applied, in some serial order, and none was lost (turns that lost the
  race twice are answered "please send it again" and applied nowhere);
* one instance is killed with SIGKILL mid-walkthrough and the other carries on;
* SIGTERM ends an instance cleanly (exit 0) with its blob HTTP session closed.

The expected replies come from the same messages sent to a single instance (a reference run),
so these tests do not depend on the walkthrough's wording.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections import Counter
from typing import Any

import pytest

from bot.state.concurrency import CONFLICT_MESSAGE
from bot.state.storage_blob import BlobStateStorage

from ..azurite import shared_azurite
from .conftest import (
    REAL_KNOWLEDGE,
    ArchBotFactory,
    ArchBotServer,
    BotClient,
    buttons,
    new_conversation_id,
)

pytestmark = pytest.mark.e2e

START = "help me pick an architecture"
ANSWERED_QUESTIONS = 4  # answers given before the concurrent "back"s (the walk has 5 questions)
CONCURRENT = 4
MAX_ROUNDS = 3
MAX_WALK = 12
RETRY_LOG = "retrying the turn from fresh state"

Shown = tuple[str, tuple[str, ...], str]


def shown(replies: list[dict[str, Any]]) -> list[Shown]:
    """What the user sees of a turn: each message's text, buttons and cards."""
    seen = []
    for message in replies:
        if message.get("type") != "message":
            continue
        actions = (message.get("suggestedActions") or {}).get("actions") or []
        cards = json.dumps([a.get("content") for a in message.get("attachments") or []])
        seen.append((message.get("text") or "", tuple(a.get("title") for a in actions), cards))
    return seen


def first_button(replies: list[dict[str, Any]]) -> str:
    for message in replies:
        if message.get("type") == "message" and buttons(message):
            return buttons(message)[0]
    raise AssertionError(f"no button to click in {shown(replies)}")


def recommends(replies) -> bool:
    return any(t.get("name") == "Recommendation" for t in replies.traces)


def blob_env(container: str) -> dict[str, str]:
    return {
        "ARCHBOT_STORAGE": f"blob://{container}",
        "ARCHBOT_BLOB_CONNECTION_STRING": shared_azurite().connection_string,
    }


def start_pair(factory: ArchBotFactory, container: str) -> tuple[ArchBotServer, ArchBotServer]:
    servers = []
    for name in ("a", "b"):
        env = blob_env(container)
        env["ARCHBOT_FEEDBACK_DB"] = str(factory.workdir / f"feedback-{name}.sqlite3")
        servers.append(factory(knowledge=REAL_KNOWLEDGE, env=env))
    return servers[0], servers[1]


async def walk(clients: list[BotClient], conversation: str, *, until: int = MAX_WALK):
    """Start the walkthrough and click the first button each turn, cycling through ``clients``,
    until a recommendation (or ``until`` turns); returns what each turn showed."""
    turns, text = [], START
    for turn in range(until):
        replies = await clients[turn % len(clients)].ask(text, conversation=conversation)
        turns.append(shown(replies))
        if recommends(replies):
            return turns
        text = first_button(replies)
    return turns


@pytest.fixture(scope="module")
def container() -> str:
    return shared_azurite().new_container("scaleout")


@pytest.fixture(scope="module")
def pair(archbot_module_factory: ArchBotFactory, container: str):
    return start_pair(archbot_module_factory, container)


@pytest.fixture
def clients(pair, talk_to) -> list[BotClient]:
    return [talk_to(server) for server in pair]


async def stored_state(container: str, conversation: str) -> dict[str, Any] | None:
    storage = BlobStateStorage(container, shared_azurite().connection_string)
    try:
        key = f"emulator/conversations/{conversation}"
        return (await storage.read([key])).get(key)
    finally:
        await storage.aclose()


# -- the tests --------------------------------------------------------------------------------


async def test_a_walkthrough_alternating_between_two_instances(clients, container):
    expected = await walk(clients[:1], new_conversation_id("one-instance"))
    assert len(expected) >= 3, f"the walkthrough is too short to alternate: {expected}"

    conversation = new_conversation_id("alternating")
    alternating = await walk(clients, conversation)

    assert alternating == expected
    state = await stored_state(container, conversation)  # the state really is in the blob
    assert state is not None and "DialogState" in state


async def test_concurrent_turns_of_one_conversation_lose_no_update(clients, pair):
    answers = []  # the buttons that lead to the last question, then "back" as often as needed
    probe = new_conversation_id("path")
    text = START
    for _ in range(ANSWERED_QUESTIONS + 1):
        replies = await clients[0].ask(text, conversation=probe)
        text = first_button(replies)
        answers.append(text)
    path = [START, *answers[:ANSWERED_QUESTIONS]]
    backs = ["back"] * (CONCURRENT + 1)
    serial = new_conversation_id("serial")  # the reference: the same messages, one at a time
    expected = [shown(await clients[0].ask(m, conversation=serial)) for m in path + backs]
    expected = expected[len(path) :]
    assert len(set(map(json.dumps, expected[:CONCURRENT]))) == CONCURRENT, (
        f"successive 'back's must show different questions for this test to see lost updates: "
        f"{expected}"
    )

    conflicts = 0
    for _round in range(MAX_ROUNDS):
        conversation = new_conversation_id("concurrent")
        for turn, text in enumerate(path):  # to the last question, alternating instances
            await clients[turn % 2].ask(text, conversation=conversation)
        logs_before = sum(server.log(tail=10**7).count(RETRY_LOG) for server in pair)

        results = await asyncio.gather(
            *(clients[i % 2].ask("back", conversation=conversation) for i in range(CONCURRENT))
        )

        applied = [shown(r) for r in results if CONFLICT_MESSAGE not in r.text]
        told = len(results) - len(applied)
        assert applied, "at least the first turn to save wins"
        # serializable: the applied turns show the first len(applied) steps of a serial run
        assert Counter(map(json.dumps, applied)) == Counter(
            map(json.dumps, expected[: len(applied)])
        )
        # and the stored state holds exactly those turns: the next one continues from there
        follow_up = await clients[0].ask("back", conversation=conversation)
        assert shown(follow_up) == expected[len(applied)]
        retried = sum(server.log(tail=10**7).count(RETRY_LOG) for server in pair) - logs_before
        conflicts += retried + told
        print(f"round {_round}: {len(applied)} applied, {told} told to resend, {retried} reruns")
        if conflicts:
            break
    assert conflicts, f"no stale e-tag in {MAX_ROUNDS} rounds: the race was never exercised"


async def test_an_instance_killed_mid_walkthrough(archbot_factory, talk_to):
    a, b = start_pair(archbot_factory, shared_azurite().new_container("killed"))
    client_a, client_b = talk_to(a), talk_to(b)
    expected = await walk([client_b], new_conversation_id("one-instance"))

    conversation = new_conversation_id("killed")
    turns, text = [], START
    for client in (client_a, client_b, client_a):  # three turns, alternating
        replies = await client.ask(text, conversation=conversation)
        turns.append(shown(replies))
        text = first_button(replies)
    os.kill(a.proc.pid, signal.SIGKILL)  # mid-walkthrough, no chance to clean up
    assert await asyncio.to_thread(a.proc.wait, 10) == -signal.SIGKILL

    while not recommends(replies) and len(turns) < MAX_WALK:  # the survivor carries on
        replies = await client_b.ask(first_button(replies), conversation=conversation)
        turns.append(shown(replies))
    assert turns == expected


async def test_sigterm_closes_the_blob_session_and_exits_0(archbot_factory, talk_to):
    server = start_pair(archbot_factory, shared_azurite().new_container("sigterm"))[0]
    replies = await talk_to(server).ask(START, conversation=new_conversation_id())
    assert replies.messages

    exit_code = await asyncio.to_thread(server.stop)

    log = server.log()
    assert exit_code == 0, log
    assert "Unclosed client session" not in log and "Unclosed connector" not in log, log
