"""Proactive notices over real HTTP: opt in by message, post with the admin endpoint or the CLI.

Two `archbot serve` instances share one SQLite file (as they would share a blob container): a
conversation subscribes on one, the notice is posted through the other, and the loopback
connector receives it through `continue_conversation`.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from bot.operations.notify import (
    ALREADY_SUBSCRIBED,
    NOT_SUBSCRIBED,
    REFUSED,
    SUBSCRIBED,
    UNSUBSCRIBED,
)
from bot.state.storage import SqliteStorage
from bot.state.subscriptions import subscription_store

from .conftest import REPO_ROOT, LoopbackServer, new_conversation_id

pytestmark = pytest.mark.e2e

ADMIN_KEY = "test-admin-key-1234"
CROWD = 60


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("notify") / "shared.sqlite3"


@pytest.fixture(scope="module")
def servers(archbot_module_factory, shared_db):
    env = {"ARCHBOT_ADMIN_KEY": ADMIN_KEY}
    return [archbot_module_factory(db_path=shared_db, env=env) for _ in range(2)]


@pytest.fixture
async def pair(servers, shared_db):
    """The two servers, with no subscriptions left by an earlier test (whose connector is gone)."""
    storage = SqliteStorage(shared_db)
    try:
        subscriptions = subscription_store(storage)
        keys = [key async for page in subscriptions.pages() for key, _ in page]
        await subscriptions.remove(*keys)
    finally:
        storage.close()
    return servers


async def say(client, connector, activities, text: str, conversation: str, **kw) -> str:
    """A normal-delivery turn: the reply reaches the connector; returns its text."""
    activity = activities.message(
        text, conversation=conversation, service_url=kw.pop("service_url", connector.service_url)
    )
    status, body = await client.send(activity)
    assert status in (200, 201), body
    replies = await connector.turn_replies()
    return "\n".join(r.activity.get("text") or "" for r in replies)


async def notify(http, server, text: str, key: str | None = ADMIN_KEY) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    async with http.post(
        f"{server.base_url}/api/notify", json={"text": text}, headers=headers
    ) as r:
        return r.status, await r.json(content_type=None)


async def test_subscribe_notify_unsubscribe(pair, talk_to, http, connector, activities):
    a, b = pair
    first, second, leaver = (new_conversation_id(p) for p in ("first", "second", "leaver"))

    assert await say(talk_to(a), connector, activities, "subscribe", first) == SUBSCRIBED
    assert await say(talk_to(b), connector, activities, "Subscribe to updates!", second) == (
        SUBSCRIBED
    )
    assert await say(talk_to(a), connector, activities, "subscribe", second) == ALREADY_SUBSCRIBED
    assert await say(talk_to(b), connector, activities, "subscribe", leaver) == SUBSCRIBED
    assert await say(talk_to(a), connector, activities, "unsubscibe", leaver) == UNSUBSCRIBED
    assert await say(talk_to(a), connector, activities, "unsubscribe", leaver) == NOT_SUBSCRIBED

    status, result = await notify(http, b, "The knowledge base has new topics: Fabric IQ.")

    assert status == 200, result
    assert result == {"sent": 2, "failed": [], "removed": []}
    ours = await connector.next_replies(2)
    assert sorted(r.conversation_id for r in ours) == sorted([first, second])
    for reply in ours:
        assert reply.reply_to_id is None  # a new message in the conversation, not a reply
        assert reply.activity["text"] == "The knowledge base has new topics: Fabric IQ."
        assert reply.activity["conversation"]["id"] == reply.conversation_id
    assert await connector.no_more_replies(within=0.3) == []


async def test_concurrent_subscribes_on_two_instances_all_succeed(pair, talk_to, http, connector):
    """Each subscription is its own item: subscribing at once is never a conflict (no "busy")."""
    conversations = [new_conversation_id(f"crowd{n}") for n in range(CROWD)]

    replies = await asyncio.gather(
        *(
            talk_to(pair[n % 2]).ask("subscribe", conversation=c, service_url=connector.service_url)
            for n, c in enumerate(conversations)
        )
    )

    assert [r.text for r in replies] == [SUBSCRIBED] * CROWD
    status, result = await notify(http, pair[0], "to the crowd")
    assert status == 200 and result == {"sent": CROWD, "failed": [], "removed": []}, result
    received = await connector.next_replies(CROWD)
    assert sorted(r.conversation_id for r in received) == sorted(conversations)


async def test_the_cli_posts_through_the_endpoint(pair, talk_to, connector, activities):
    conversation = new_conversation_id("cli")
    assert await say(talk_to(pair[0]), connector, activities, "subscribe", conversation) == (
        SUBSCRIBED
    )
    env = {**os.environ, "ARCHBOT_ADMIN_KEY": ADMIN_KEY, "PYTHONPATH": str(REPO_ROOT)}

    done = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "bot.operations.cli",
            "notify",
            "Maintenance tonight",
            "--url",
            pair[1].base_url,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "notice sent to" in done.stdout
    received = [r for r in await connector.turn_replies() if r.conversation_id == conversation]
    assert [r.activity["text"] for r in received] == ["Maintenance tonight"]

    wrong = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.operations.cli", "notify", "x", "--url", pair[1].base_url],
        env={**env, "ARCHBOT_ADMIN_KEY": "wrong"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2
    assert "401" in wrong.stderr


async def test_a_conversation_the_bot_left_is_unsubscribed(pair, talk_to, http, activities):
    """The channel answers 403 for a conversation the bot was removed from."""
    posts: list[str] = []

    class RemovedFromConversation(LoopbackServer):
        def add_routes(self, app: web.Application) -> None:
            app.router.add_post("/v3/conversations/{conversation}/activities", forbidden)
            app.router.add_post("/v3/conversations/{conversation}/activities/{to}", forbidden)

    async def forbidden(request: web.Request) -> web.Response:
        posts.append(request.path)
        return web.json_response({"error": {"code": "BotNotInConversationRoster"}}, status=403)

    async with RemovedFromConversation() as channel:
        gone = new_conversation_id("gone")
        subscribe = activities.message(
            "subscribe", conversation=gone, delivery_mode="expectReplies"
        )
        subscribe["serviceUrl"] = channel.service_url
        status, body = await talk_to(pair[0]).send(subscribe)
        assert status == 200 and SUBSCRIBED in body

        status, result = await notify(http, pair[1], "hello")
        assert status == 200
        assert result["removed"] == [f"emulator/{gone}"]
        assert [f["conversation"] for f in result["failed"]] == [f"emulator/{gone}"]

        posts.clear()
        status, result = await notify(http, pair[1], "again")
        assert gone not in json.dumps(result) and posts == []


async def test_the_endpoint_refuses_without_the_admin_key(pair, http):
    assert (await notify(http, pair[0], "x", key=None))[0] == 401
    assert (await notify(http, pair[0], "x", key="not-the-key"))[0] == 401
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    async with http.post(
        f"{pair[0].base_url}/api/notify", json={"text": " "}, headers=headers
    ) as r:
        assert r.status == 400
    async with http.post(f"{pair[0].base_url}/api/notify", data="hi", headers=headers) as r:
        assert r.status == 415


async def test_no_admin_key_no_endpoint(bot, http):
    async with http.post(f"{bot.base}/api/notify", json={"text": "x"}) as response:
        assert response.status == 404


async def test_anonymous_mode_only_subscribes_local_channels(bot):
    replies = await bot.ask(
        "subscribe", conversation=new_conversation_id(), service_url="https://example.com/"
    )
    assert replies.text == REFUSED
