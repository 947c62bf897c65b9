"""The Direct Line 3.0 subset (bot/channels/directline) over HTTP and WebSocket against a real
server.

Shapes, watermarks, the echo Web Chat waits for, tokens (scope, expiry, forgery), 401/403/404,
eviction, CORS, the chat page and the production token exchange with a stand-in Azure.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.channels.directline.tokens import STREAM_SCOPE, TokenIssuer

from .conftest import ArchBotFactory, ArchBotServer, LoopbackServer, buttons, shown

pytestmark = pytest.mark.e2e

KEY = "test-signing-key-for-direct-line"
SPEECH_QUESTION = "how do I transcribe audio recordings"  # fixture KB: Azure AI Speech
WAIT_SECONDS = 10.0
LOCAL_ENV = {"ARCHBOT_TOKEN_KEY": KEY, "DirectLineSecret": ""}


def claims_of(token: str) -> dict[str, Any]:
    """The (unverified) payload of a token, as Web Chat reads it."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class DirectLineClient:
    """Talks to one server's /v3/directline the way Web Chat does."""

    def __init__(self, http: aiohttp.ClientSession, server: ArchBotServer) -> None:
        self.http = http
        self.server = server
        self.api = f"{server.base_url}/v3/directline"

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def request(
        self, method: str, path: str, token: str | None = None, **kw: Any
    ) -> tuple[int, Any]:
        headers = {**(self.auth(token) if token else {}), **kw.pop("headers", {})}
        async with self.http.request(method, self.api + path, headers=headers, **kw) as resp:
            text = await resp.text()
            try:
                return resp.status, json.loads(text) if text else None
            except json.JSONDecodeError:
                return resp.status, text

    async def generate(self, **body: Any) -> dict[str, Any]:
        status, grant = await self.request("POST", "/tokens/generate", json=body or None)
        assert status == 200, grant
        return grant

    async def start(self) -> tuple[str, str, dict[str, Any]]:
        """A new conversation: (conversation id, token, POST /conversations body)."""
        grant = await self.generate()
        status, started = await self.request("POST", "/conversations", grant["token"])
        assert status == 201, started
        return grant["conversationId"], grant["token"], started

    async def post(
        self, conversation: str, token: str, text: str, client_id: str = "c-1", **fields: Any
    ) -> tuple[int, Any]:
        activity = {
            "type": "message",
            "text": text,
            "from": {"id": "someone-else", "name": "Ada", "role": "user"},
            "channelId": "webchat",
            "channelData": {"clientActivityID": client_id},
            **fields,
        }
        return await self.request(
            "POST", f"/conversations/{conversation}/activities", token, json=activity
        )

    async def activities(
        self, conversation: str, token: str, watermark: str | None = None
    ) -> tuple[int, Any]:
        query = "" if watermark is None else f"?watermark={watermark}"
        return await self.request("GET", f"/conversations/{conversation}/activities{query}", token)

    async def wait_for(
        self,
        conversation: str,
        token: str,
        done: Callable[[list[dict[str, Any]]], bool],
        watermark: str | None = None,
    ) -> tuple[list[dict[str, Any]], str]:
        """Poll until ``done(activities after watermark)``; return them and the watermark."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            status, body = await self.activities(conversation, token, watermark)
            assert status == 200, body
            if done(body["activities"]):
                return body["activities"], body["watermark"]
            if time.monotonic() > deadline:
                pytest.fail(f"gave up waiting; activities so far: {body['activities']}")
            await asyncio.sleep(0.05)


def bot_messages(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in activities if a["from"].get("role") == "bot" and a["type"] == "message"]


@pytest.fixture(scope="module")
def dl_server(archbot_module_factory: ArchBotFactory) -> ArchBotServer:
    """A local-mode server whose token key the tests know (to forge expired tokens)."""
    return archbot_module_factory(env=LOCAL_ENV)


@pytest.fixture
def dl(http: aiohttp.ClientSession, dl_server: ArchBotServer) -> DirectLineClient:
    return DirectLineClient(http, dl_server)


# -- tokens and starting a conversation -------------------------------------------------------


async def test_generate_gives_a_signed_token_for_a_new_conversation(dl):
    grant = await dl.generate()

    assert set(grant) == {"conversationId", "token", "expires_in"}
    assert isinstance(grant["expires_in"], int) and 60 <= grant["expires_in"] <= 3600
    claims = claims_of(grant["token"])
    assert claims["conv"] == grant["conversationId"]
    assert claims["user"].startswith("dl_")  # Web Chat takes its user id from this claim
    assert claims["exp"] - claims["iat"] == grant["expires_in"]
    other = await dl.generate()
    assert other["conversationId"] != grant["conversationId"]


async def test_generate_binds_the_requested_user(dl):
    grant = await dl.generate(user={"id": "dl_ada"})
    assert claims_of(grant["token"])["user"] == "dl_ada"


async def test_start_conversation_shapes_and_the_welcome_comes_first(dl):
    conversation, token, started = await dl.start()

    assert started["conversationId"] == conversation
    assert started["token"] == token
    assert 0 < started["expires_in"] <= 1800
    stream = started["streamUrl"]
    host = dl.server.base_url.removeprefix("http://")
    assert stream.startswith(f"ws://{host}/v3/directline/conversations/{conversation}/stream?")
    assert "t=" in stream

    activities, watermark = await dl.wait_for(conversation, token, lambda a: len(a) >= 1)
    assert watermark == "1" and isinstance(watermark, str)
    (welcome,) = activities
    assert welcome["type"] == "message"
    assert welcome["from"] == {"id": "archbot", "name": "ArchBot", "role": "bot"}
    assert welcome["channelId"] == "directline"
    assert welcome["conversation"] == {"id": conversation}
    assert welcome["id"].startswith(f"{conversation}|")
    assert welcome["timestamp"].endswith("Z")
    assert "ArchBot" in shown(welcome)
    assert buttons(welcome)

    again_status, again = await dl.request("POST", "/conversations", token)
    assert again_status == 200  # already running: no second welcome
    assert again["conversationId"] == conversation
    await asyncio.sleep(0.2)
    _, body = await dl.activities(conversation, token)
    assert len(body["activities"]) == 1


async def test_refresh_gives_a_new_token_for_the_same_conversation(dl):
    conversation, token, _ = await dl.start()
    await asyncio.sleep(1.05)  # a new iat, so a different token

    status, refreshed = await dl.request("POST", "/tokens/refresh", token)

    assert status == 200, refreshed
    assert refreshed["conversationId"] == conversation
    assert refreshed["token"] != token
    assert claims_of(refreshed["token"])["user"] == claims_of(token)["user"]
    status, _ = await dl.activities(conversation, refreshed["token"])
    assert status == 200


# -- messages, the echo and watermarks --------------------------------------------------------


async def test_a_message_is_acknowledged_echoed_then_answered(dl):
    conversation, token, _ = await dl.start()
    _, watermark = await dl.wait_for(conversation, token, lambda a: len(a) >= 1)
    user_id = claims_of(token)["user"]

    started = time.monotonic()
    status, ack = await dl.post(conversation, token, SPEECH_QUESTION, client_id="client-42")
    assert status == 200, ack
    assert time.monotonic() - started < 2.0
    assert set(ack) == {"id"} and ack["id"].startswith(f"{conversation}|")

    activities, watermark2 = await dl.wait_for(
        conversation, token, lambda a: bot_messages(a) != [], watermark
    )
    echo, answer = activities[0], activities[-1]
    # the echo Web Chat waits for: the acknowledged id and the same clientActivityID
    assert echo["id"] == ack["id"]
    assert echo["channelData"]["clientActivityID"] == "client-42"
    assert echo["text"] == SPEECH_QUESTION
    assert echo["from"]["id"] == user_id  # the token's user, whatever the client claimed
    assert echo["from"]["role"] == "user"
    assert echo["channelId"] == "directline"
    assert "Speech" in shown(answer)
    assert answer["recipient"]["id"] == user_id
    assert answer["timestamp"] > echo["timestamp"]
    assert int(watermark2) == int(watermark) + len(activities)
    assert all(a["type"] != "trace" for a in activities)


async def test_watermarks_return_only_what_is_new(dl):
    conversation, token, _ = await dl.start()
    await dl.wait_for(conversation, token, lambda a: len(a) >= 1)
    await dl.post(conversation, token, "hello", client_id="c-a")
    everything, last = await dl.wait_for(conversation, token, lambda a: len(bot_messages(a)) >= 2)

    _, from_one = await dl.activities(conversation, token, "1")
    assert [a["id"] for a in from_one["activities"]] == [a["id"] for a in everything[1:]]
    assert from_one["watermark"] == last
    for empty in (last, "999"):
        _, nothing = await dl.activities(conversation, token, empty)
        assert nothing["activities"] == []
        assert nothing["watermark"] == last
    _, absent = await dl.activities(conversation, token)
    assert len(absent["activities"]) == len(everything)
    status, _ = await dl.activities(conversation, token, "abc")
    assert status == 400


async def test_typing_is_acknowledged_but_not_echoed(dl):
    conversation, token, _ = await dl.start()
    await dl.wait_for(conversation, token, lambda a: len(a) >= 1)
    status, ack = await dl.request(
        "POST", f"/conversations/{conversation}/activities", token, json={"type": "typing"}
    )
    assert status == 200 and ack["id"]
    await asyncio.sleep(0.2)
    _, body = await dl.activities(conversation, token)
    assert [a["type"] for a in body["activities"]] == ["message"]


async def test_malformed_activities_are_4xx(dl):
    conversation, token, _ = await dl.start()
    path = f"/conversations/{conversation}/activities"
    status, _ = await dl.request(
        "POST", path, token, data="hi", headers={"Content-Type": "text/plain"}
    )
    assert status == 415
    bad_json = {"Content-Type": "application/json"}
    status, _ = await dl.request("POST", path, token, data="{nope", headers=bad_json)
    assert status == 400
    status, _ = await dl.request("POST", path, token, json={"text": "no type"})
    assert status == 400
    status, _ = await dl.request("POST", path, token, json=["not", "an", "object"])
    assert status == 400


# -- tokens: scope, expiry, forgery -----------------------------------------------------------


async def test_a_token_for_one_conversation_cannot_touch_another(dl):
    _, token_a, _ = await dl.start()
    conv_b, token_b, _ = await dl.start()

    status, error = await dl.activities(conv_b, token_a)
    assert status == 403
    assert error["error"]["code"]
    status, _ = await dl.post(conv_b, token_a, "sneaky")
    assert status == 403
    status, _ = await dl.request("GET", f"/conversations/{conv_b}", token_a)
    assert status == 403
    status, _ = await dl.activities(conv_b, token_b)
    assert status == 200


async def test_missing_forged_and_expired_tokens_are_refused(dl):
    conversation, token, _ = await dl.start()
    issuer = TokenIssuer(KEY)
    user = claims_of(token)["user"]
    now = int(time.time())
    expired = issuer.encode(
        {"conv": conversation, "user": user, "scope": "conversation", "iat": now - 60, "exp": now}
    )
    forged = TokenIssuer("another key").issue(conversation, user)
    header, _, signature = token.split(".")
    tampered_claims = {**claims_of(token), "conv": "someone-elses"}
    tampered_payload = base64.urlsafe_b64encode(json.dumps(tampered_claims).encode()).decode()
    tampered = f"{header}.{tampered_payload.rstrip('=')}.{signature}"
    stream_token = issuer.issue(conversation, user, STREAM_SCOPE)

    status, _ = await dl.activities(conversation, None)
    assert status == 401
    for bad in (expired, forged, tampered, stream_token, "not-a-token"):
        status, _ = await dl.activities(conversation, bad)
        assert status == 403, bad
    status, _ = await dl.post(conversation, expired, "hi")
    assert status == 403
    status, _ = await dl.request("POST", "/tokens/refresh", expired)
    assert status == 403
    status, _ = await dl.request("POST", "/conversations", expired)
    assert status == 403


async def test_unknown_conversations_are_404(dl):
    grant = await dl.generate()  # a valid token whose conversation was never started
    conversation, token = grant["conversationId"], grant["token"]

    status, error = await dl.activities(conversation, token)
    assert status == 404
    assert error["error"]["code"]
    status, _ = await dl.post(conversation, token, "hi")
    assert status == 404
    status, _ = await dl.request("GET", f"/conversations/{conversation}", token)
    assert status == 404


# -- reconnect and the WebSocket stream -------------------------------------------------------


async def test_reconnect_gives_a_stream_url_that_resumes_at_the_watermark(dl):
    conversation, token, _ = await dl.start()
    await dl.wait_for(conversation, token, lambda a: len(a) >= 1)

    status, body = await dl.request("GET", f"/conversations/{conversation}?watermark=1", token)

    assert status == 200, body
    assert body["conversationId"] == conversation and body["token"] == token
    assert "watermark=1" in body["streamUrl"]
    async with dl.http.ws_connect(body["streamUrl"]) as ws:
        await dl.post(conversation, token, SPEECH_QUESTION)
        first = await ws.receive_json(timeout=WAIT_SECONDS)
    assert first["activities"][0]["text"] == SPEECH_QUESTION  # not the welcome again
    assert int(first["watermark"]) >= 2


async def test_the_stream_pushes_activity_sets(dl):
    conversation, token, started = await dl.start()
    received: list[dict[str, Any]] = []
    async with dl.http.ws_connect(started["streamUrl"]) as ws:
        first = await ws.receive_json(timeout=WAIT_SECONDS)
        assert isinstance(first["watermark"], str)
        received += first["activities"]
        assert received[0]["from"]["role"] == "bot"  # the welcome

        await ws.send_str("")  # Web Chat's keep-alive: ignored
        status, ack = await dl.post(conversation, token, SPEECH_QUESTION, client_id="ws-1")
        assert status == 200
        while len(bot_messages(received)) < 2:
            activity_set = await ws.receive_json(timeout=WAIT_SECONDS)
            received += activity_set["activities"]
    echo = next(a for a in received if a["id"] == ack["id"])
    assert echo["channelData"]["clientActivityID"] == "ws-1"
    assert "Speech" in shown(bot_messages(received)[-1])
    assert all(a["type"] != "trace" for a in received)
    assert int(activity_set["watermark"]) == len(received)


async def test_the_stream_refuses_bad_tokens_and_plain_http(dl):
    conversation, token, started = await dl.start()
    other, _, _ = await dl.start()
    user = claims_of(token)["user"]
    wrong = TokenIssuer(KEY).issue(other, user, STREAM_SCOPE)
    base = f"{dl.api}/conversations/{conversation}/stream"

    for url in (f"{base}?t={wrong}", f"{base}?t={token}", base):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await dl.http.ws_connect(url)
        assert refused.value.status == 403
    stream_token = started["streamUrl"].split("t=")[1]
    async with dl.http.get(f"{base}?t={stream_token}") as resp:
        assert resp.status == 400  # not a WebSocket upgrade


# -- CORS, the page ---------------------------------------------------------------------------


async def test_cors_preflight_allows_what_the_browser_asks_for(dl):
    conversation, token, _ = await dl.start()
    asked = "authorization, content-type, x-ms-bot-agent"
    async with dl.http.options(
        f"{dl.api}/conversations/{conversation}/activities",
        headers={
            "Origin": "https://portal.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": asked,
        },
    ) as resp:
        assert resp.status in (200, 204)
        assert resp.headers["Access-Control-Allow-Origin"] in ("*", "https://portal.example.com")
        assert "POST" in resp.headers["Access-Control-Allow-Methods"]
        allowed = {
            h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")
        }
        assert {"authorization", "content-type", "x-ms-bot-agent"} <= allowed
    async with dl.http.get(
        f"{dl.api}/conversations/{conversation}/activities",
        headers={"Origin": "https://portal.example.com", **dl.auth(token)},
    ) as resp:
        assert resp.status == 200
        assert resp.headers["Access-Control-Allow-Origin"] in ("*", "https://portal.example.com")
    async with dl.http.get(
        f"{dl.api}/conversations/{conversation}/activities",
        headers={"Origin": "https://portal.example.com"},
    ) as resp:
        assert resp.status == 401  # errors are readable cross-origin too
        assert "Access-Control-Allow-Origin" in resp.headers


async def test_the_chat_page_and_its_files_are_served(http, dl_server):
    for path in ("/", "/chat"):
        async with http.get(dl_server.base_url + path) as resp:
            assert resp.status == 200
            assert resp.content_type == "text/html"
            page = await resp.text()
        assert "<title>ArchBot</title>" in page
        assert 'name="viewport"' in page
        assert "web/vendor/webchat.js" in page and "web/js/archbot.js" in page
    for path, kind in (
        ("/web/js/archbot.js", "javascript"),
        ("/web/css/archbot.css", "text/css"),
        ("/web/archbot.svg", "image/svg"),
    ):
        async with http.get(dl_server.base_url + path) as resp:
            assert resp.status == 200, path
            assert kind in resp.content_type
    async with http.get(dl_server.base_url + "/web/../bot/operations/config.py") as resp:
        assert resp.status in (403, 404)


async def test_the_page_token_is_local_without_a_secret(http, dl_server):
    async with http.post(f"{dl_server.base_url}/api/directline/token") as resp:
        assert resp.status == 200
        grant = await resp.json()
    assert grant["mode"] == "local"
    assert grant["domain"] == f"{dl_server.base_url}/v3/directline"
    assert claims_of(grant["token"])["user"] == grant["userId"]
    dl = DirectLineClient(http, dl_server)
    status, _ = await dl.request("POST", "/conversations", grant["token"])
    assert status == 201


# -- eviction ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_server(archbot_module_factory: ArchBotFactory) -> ArchBotServer:
    """At most 2 conversations, evicted after 1 s idle."""
    return archbot_module_factory(
        env={
            **LOCAL_ENV,
            "ARCHBOT_DIRECTLINE_MAX_CONVERSATIONS": "2",
            "ARCHBOT_DIRECTLINE_IDLE_SECONDS": "1.0",
        }
    )


async def test_idle_conversations_are_evicted_unless_a_stream_is_open(http, small_server):
    dl = DirectLineClient(http, small_server)
    idle, idle_token, _ = await dl.start()
    watched, watched_token, started = await dl.start()
    async with dl.http.ws_connect(started["streamUrl"]) as ws:
        await ws.receive_json(timeout=WAIT_SECONDS)
        await asyncio.sleep(1.5)
        status, _ = await dl.activities(idle, idle_token)
        assert status == 404
        status, _ = await dl.activities(watched, watched_token)
        assert status == 200


async def test_the_oldest_conversation_goes_when_the_limit_is_reached(http, small_server):
    dl = DirectLineClient(http, small_server)
    first, first_token, _ = await dl.start()
    await dl.wait_for(first, first_token, bool)  # the welcome, appended after the start, is a use
    second, second_token, _ = await dl.start()
    await dl.wait_for(second, second_token, bool)
    await dl.activities(first, first_token)  # first is now the most recently used
    third, third_token, _ = await dl.start()

    assert (await dl.activities(second, second_token))[0] == 404
    assert (await dl.activities(first, first_token))[0] == 200
    assert (await dl.activities(third, third_token))[0] == 200


# -- production: exchanging the Direct Line secret --------------------------------------------


class FakeAzureDirectLine(LoopbackServer):
    """Stands in for https://directline.botframework.com/v3/directline/tokens/generate."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.status = 200

    @property
    def endpoint(self) -> str:
        return f"{self.service_url}/v3/directline"

    async def _generate(self, request: web.Request) -> web.Response:
        self.requests.append((request.headers.get("Authorization", ""), await request.json()))
        if self.status != 200:
            return web.json_response({"error": {"code": "BadArgument"}}, status=self.status)
        return web.json_response(
            {"conversationId": "azure-conv-1", "token": "azure-token", "expires_in": 3600}
        )

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v3/directline/tokens/generate", self._generate)


@pytest.fixture
async def azure() -> AsyncIterator[FakeAzureDirectLine]:
    async with FakeAzureDirectLine() as fake:
        yield fake


async def test_with_a_secret_the_page_token_comes_from_direct_line(http, archbot_factory, azure):
    server = archbot_factory(
        env={"DirectLineSecret": "s3cret", "DirectLineEndpoint": azure.endpoint}
    )
    url = f"{server.base_url}/api/directline/token"

    async with http.post(url) as resp:
        assert resp.status == 200
        grant = await resp.json()
    assert grant == {
        "conversationId": "azure-conv-1",
        "token": "azure-token",
        "expires_in": 3600,
        "userId": grant["userId"],
        "domain": azure.endpoint,
        "mode": "directline",
    }
    ((authorization, body),) = azure.requests
    assert authorization == "Bearer s3cret"
    assert body == {"user": {"id": grant["userId"]}} and grant["userId"].startswith("dl_")

    azure.status = 403
    async with http.post(url) as resp:
        assert resp.status == 502
        error = await resp.json()
    assert "s3cret" not in json.dumps(error)
