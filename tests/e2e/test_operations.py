"""Running ArchBot: graceful shutdown on SIGTERM, and transcripts written by a real server."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import time

import aiohttp
import pytest
from aiohttp import web

from .conftest import LoopbackServer, new_conversation_id, shown

pytestmark = pytest.mark.e2e

QUESTION = "how do I transcribe audio recordings"


class SlowConnector(LoopbackServer):
    """A connector that holds each reply for ``delay`` seconds before accepting it."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.arrived = asyncio.Event()
        self.accepted: list[dict] = []

    async def _reply(self, request: web.Request) -> web.Response:
        activity = await request.json()
        self.arrived.set()
        await asyncio.sleep(self.delay)
        self.accepted.append(activity)
        return web.json_response({"id": f"sent-{len(self.accepted)}"})

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v3/conversations/{conversation}/activities", self._reply)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._reply)


async def test_sigterm_finishes_the_turn_in_flight_then_exits_0(
    archbot_factory, talk_to, activities, tmp_path
):
    db_path = tmp_path / "state.sqlite3"
    server = archbot_factory(db_path=db_path)
    conversation = new_conversation_id("sigterm")
    async with SlowConnector(delay=0.8) as connector:
        activity = activities.message(
            QUESTION, conversation=conversation, service_url=connector.service_url
        )
        turn = asyncio.create_task(talk_to(server).send(activity))
        await asyncio.wait_for(connector.arrived.wait(), 10)  # the turn is in flight

        server.proc.send_signal(signal.SIGTERM)
        refused, deadline = False, time.monotonic() + 1.5
        while not refused and time.monotonic() < deadline:
            try:
                async with aiohttp.ClientSession() as other:
                    await other.get(f"{server.base_url}/healthz")
                await asyncio.sleep(0.05)
            except aiohttp.ClientConnectionError:
                refused = True
        assert refused and not turn.done()  # no new connections while the turn still runs

        status, _ = await asyncio.wait_for(turn, 10)  # ...but the one in flight completes
        exit_code = await asyncio.to_thread(server.proc.wait, 15)

    assert status == 201
    assert any(a["type"] == "message" and shown(a) for a in connector.accepted)
    assert exit_code == 0, server.log()
    with sqlite3.connect(db_path) as db:  # its state was saved before the process ended
        keys = [row[0] for row in db.execute("SELECT key FROM bot_storage")]
    assert f"emulator/conversations/{conversation}" in keys
    assert "Traceback" not in server.log()


async def test_a_server_writes_transcripts_when_asked(archbot_factory, talk_to, tmp_path):
    folder = tmp_path / "transcripts"
    server = archbot_factory(env={"ARCHBOT_TRANSCRIPTS": str(folder)})
    conversation = new_conversation_id("transcript")
    client = talk_to(server)

    await client.ask(QUESTION, conversation=conversation)
    await client.ask("hello", conversation=conversation)

    path = folder / "emulator" / f"{conversation}.transcript"
    deadline = time.monotonic() + 5
    while not path.exists() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    activities = json.loads(path.read_text())  # valid JSON while the server runs
    said = [(a["from"]["role"], a["type"]) for a in activities if a["type"] == "message"]
    assert said == [("user", "message"), ("bot", "message")] * 2
    assert activities[0]["text"] == QUESTION
    assert all(a["recipient"]["role"] in ("user", "bot") for a in activities)


async def test_no_transcripts_by_default(bot, tmp_path):
    await bot.ask("hello", conversation=new_conversation_id())
    assert "transcript" not in bot.server.log().lower()
    assert not list(bot.server.workdir.rglob("*.transcript"))


async def test_http_requests_are_logged_only_when_asked(archbot_factory, talk_to):
    quiet = talk_to(archbot_factory())
    logged = talk_to(archbot_factory(env={"ARCHBOT_ACCESS_LOG": "1"}))
    for client in (quiet, logged):
        await client.ask("hello", conversation=new_conversation_id("access-log"))
    line = '"POST /api/messages HTTP/1.1" 200'
    deadline = time.monotonic() + 5  # the line is written once the response has gone out
    while line not in logged.server.log() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert line in logged.server.log()
    assert "POST /api/messages" not in quiet.server.log()
