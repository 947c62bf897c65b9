"""A hostile web client against a real server: rates per client address and per Direct Line
token (429 with Retry-After), the built-in Direct Line in production, and the work one message
may cost (its size, and the text routing reads).

Client addresses: loopback is all of 127.0.0.0/8 on Linux, so a second client binds 127.0.0.2.
"""

from __future__ import annotations

import asyncio
import json
import random
import string
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from .test_directline_api import LOCAL_ENV, SPEECH_QUESTION, DirectLineClient, bot_messages

pytestmark = pytest.mark.e2e

OTHER_ADDRESS = "127.0.0.2"
GENEROUS = {"ARCHBOT_RATE_TOKENS": "off", "ARCHBOT_RATE_TURNS": "off"}


@pytest.fixture
async def other_http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client on another address than the default 127.0.0.1."""
    connector = aiohttp.TCPConnector(local_addr=(OTHER_ADDRESS, 0))
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        yield session


def assert_throttled(status: int, body: object, headers: dict[str, str] | None = None) -> None:
    assert status == 429, body
    assert isinstance(body, dict) and body["error"]["code"] == "TooManyRequests", body
    if headers is not None:
        assert int(headers["Retry-After"]) >= 1


async def post_page_token(http: aiohttp.ClientSession, base: str) -> tuple[int, dict, dict]:
    async with http.post(f"{base}/api/directline/token") as resp:
        return resp.status, await resp.json(), dict(resp.headers)


# -- rates --------------------------------------------------------------------------------------


async def test_tokens_are_rate_limited_per_client_address(http, other_http, archbot_factory):
    server = archbot_factory(env={**LOCAL_ENV, "ARCHBOT_RATE_TOKENS": "3/60"})
    dl = DirectLineClient(http, server)
    grant = await dl.generate()  # 1: generate
    status, _, _ = await post_page_token(http, server.base_url)  # 2: the page's token
    assert status == 200
    status, _ = await dl.request("POST", "/tokens/refresh", grant["token"])  # 3: refresh
    assert status == 200

    for minting in (
        post_page_token(http, server.base_url),
        dl.request("POST", "/tokens/generate"),
        dl.request("POST", "/tokens/refresh", grant["token"]),
    ):
        status, body, *headers = await minting
        assert_throttled(status, body, *headers)
    async with http.post(f"{server.base_url}/api/directline/token") as resp:
        assert resp.status == 429
        assert 1 <= int(resp.headers["Retry-After"]) <= 20  # 60 s / 3: one back every 20 s
        assert resp.headers["Access-Control-Allow-Origin"]  # readable by the page

    status, _, _ = await post_page_token(other_http, server.base_url)
    assert status == 200  # another client is not held back


async def test_messages_are_rate_limited_per_token(http, archbot_factory):
    server = archbot_factory(env={**LOCAL_ENV, **GENEROUS, "ARCHBOT_RATE_MESSAGES": "3/60"})
    dl = DirectLineClient(http, server)
    conversation, token, _ = await dl.start()
    for n in range(3):
        status, _ = await dl.post(conversation, token, f"hello {n}", client_id=f"c-{n}")
        assert status == 200
    status, body = await dl.post(conversation, token, "one too many", client_id="c-3")
    assert_throttled(status, body)
    status, _ = await dl.request(  # typing starts no turn: not counted
        "POST",
        f"/conversations/{conversation}/activities",
        token,
        json={"type": "typing", "from": {"id": "x"}},
    )
    assert status == 200

    other, other_token, _ = await dl.start()  # the same client, another conversation
    status, _ = await dl.post(other, other_token, SPEECH_QUESTION)
    assert status == 200
    activities, _ = await dl.wait_for(other, other_token, lambda a: len(bot_messages(a)) >= 2)
    assert "Speech" in json.dumps(bot_messages(activities)[-1])


async def test_turns_are_rate_limited_per_client_address(http, other_http, archbot_factory):
    """Many tokens from one address do not multiply its turns: new conversations (their
    welcome) and messages count together."""
    server = archbot_factory(env={**LOCAL_ENV, "ARCHBOT_RATE_TURNS": "4/60"})
    dl = DirectLineClient(http, server)
    first, first_token, _ = await dl.start()  # 1
    second, second_token, _ = await dl.start()  # 2
    assert (await dl.post(first, first_token, "hi"))[0] == 200  # 3
    assert (await dl.post(second, second_token, "hi"))[0] == 200  # 4
    status, body = await dl.post(first, first_token, "and again")
    assert_throttled(status, body)
    grant = await dl.generate()
    status, body = await dl.request("POST", "/conversations", grant["token"])
    assert_throttled(status, body)

    elsewhere = DirectLineClient(other_http, server)
    conversation, token, _ = await elsewhere.start()
    assert (await elsewhere.post(conversation, token, SPEECH_QUESTION))[0] == 200


# -- production ---------------------------------------------------------------------------------


async def test_with_an_app_id_the_builtin_direct_line_is_off(http, archbot_factory):
    server = archbot_factory(env={"MicrosoftAppId": "app-id", "MicrosoftAppPassword": "x"})
    dl = DirectLineClient(http, server)
    for method, path in (
        ("POST", "/tokens/generate"),
        ("POST", "/conversations"),
        ("GET", "/conversations/abc/activities"),
    ):
        status, body = await dl.request(method, path)
        assert status == 404, (path, body)
        assert "ARCHBOT_DIRECTLINE_SECRET" in body["error"]["message"]
    status, body, _ = await post_page_token(http, server.base_url)
    assert status == 404
    assert body["error"]["code"] == "NotConfigured"


async def test_with_its_own_secret_the_builtin_direct_line_mints_for_the_page_only(
    http, archbot_factory
):
    secret = "own-direct-line-secret"
    server = archbot_factory(
        env={
            "MicrosoftAppId": "app-id",
            "MicrosoftAppPassword": "x",
            "ARCHBOT_DIRECTLINE_SECRET": secret,
        }
    )
    dl = DirectLineClient(http, server)
    status, _ = await dl.request("POST", "/tokens/generate")
    assert status == 401
    status, _ = await dl.request("POST", "/tokens/generate", "a-guess")
    assert status == 403
    status, grant = await dl.request("POST", "/tokens/generate", secret)
    assert status == 200 and grant["token"]

    status, page_grant, _ = await post_page_token(http, server.base_url)  # holds the secret
    assert status == 200 and page_grant["mode"] == "local"
    assert secret not in json.dumps(page_grant)
    status, started = await dl.request("POST", "/conversations", page_grant["token"])
    assert status == 201
    conversation = started["conversationId"]
    status, _ = await dl.post(conversation, page_grant["token"], SPEECH_QUESTION)
    assert status == 200
    activities, _ = await dl.wait_for(
        conversation, page_grant["token"], lambda a: len(bot_messages(a)) >= 2
    )
    assert "Speech" in json.dumps(bot_messages(activities)[-1])


# -- the work one message may cost ------------------------------------------------------------


def gibberish(size: int, seed: int = 14) -> str:
    """Random words: every one is a typo to correct, the worst text for the router."""
    rng = random.Random(seed)
    words, length = [], 0
    while length < size:
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


async def test_a_huge_message_does_not_hold_up_other_conversations(http, archbot_factory):
    """200 KB of random words took ~8 s of routing on the event loop before the text a turn
    reads was bounded (ARCHBOT_MAX_ROUTED_CHARS); another user waited as long."""
    server = archbot_factory(env={**LOCAL_ENV, **GENEROUS})
    dl = DirectLineClient(http, server)
    big_conversation, big_token, _ = await dl.start()
    conversation, token, _ = await dl.start()
    status, _ = await dl.post(big_conversation, big_token, gibberish(200_000))
    assert status == 200
    started = time.monotonic()
    status, _ = await dl.post(conversation, token, SPEECH_QUESTION, client_id="normal")
    assert status == 200
    await dl.wait_for(conversation, token, lambda a: len(bot_messages(a)) >= 2)
    assert time.monotonic() - started < 2.5
    activities, _ = await dl.wait_for(
        big_conversation, big_token, lambda a: len(bot_messages(a)) >= 2
    )
    assert bot_messages(activities)[-1]  # the huge one was answered too


async def test_bodies_over_the_limit_are_413_everywhere(http, archbot_factory):
    server = archbot_factory(env={**LOCAL_ENV, **GENEROUS, "ARCHBOT_MAX_BODY_BYTES": "4096"})
    dl = DirectLineClient(http, server)
    conversation, token, _ = await dl.start()
    status, body = await dl.post(conversation, token, "x" * 5000)
    assert status == 413, body
    assert body["error"]["code"] == "MessageSizeTooBig"
    status, _ = await dl.post(conversation, token, "just right")
    assert status == 200
    async with http.post(
        f"{server.base_url}/api/messages",
        data=b"{" + b" " * 5000 + b"}",
        headers={"Content-Type": "application/json"},
    ) as resp:
        assert resp.status == 413


async def test_a_burst_of_posts_from_one_client_is_refused_quickly(http, archbot_factory):
    """Under a flood the refusals are cheap: the limiter answers before any turn runs."""
    server = archbot_factory(env={**LOCAL_ENV, "ARCHBOT_RATE_MESSAGES": "5/60"})
    dl = DirectLineClient(http, server)
    conversation, token, _ = await dl.start()
    statuses = await asyncio.gather(
        *(dl.post(conversation, token, f"flood {n}", client_id=f"f-{n}") for n in range(40))
    )
    codes = sorted(status for status, _ in statuses)
    assert codes.count(200) == 5 and codes.count(429) == 35
