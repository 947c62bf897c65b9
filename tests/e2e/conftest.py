"""End-to-end fixtures: a real `archbot serve` process, a loopback connector, activity factories.

Tests read like conversations::

    async def test_answers(bot):
        replies = await bot.ask("how do I transcribe audio recordings")
        assert "Speech" in replies.text

What is here:

* ``free_port()`` and ``ArchBotServer``: `python -m bot.operations.cli serve` as a subprocess on a
  free port, with its own SQLite state file; ``start()``/``stop()``/``restart()`` (a new process
  over the same file). Its combined stdout/stderr go to a log file that is attached to the report
  of a failing test (section "archbot server log").
* ``archbot`` (module-scoped, anonymous, the small fixture KB) and ``archbot_factory`` (start your
  own: app id, storage file, knowledge directory).
* ``connector``: a Bot Framework connector stand-in on loopback that records the replies the bot
  POSTs to ``{serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]`` (normal delivery);
  ``await connector.next_replies(n)`` waits for them.
* ``activities``: builds Activity JSON (``message``, ``conversation_update``).
* ``ask(client, base, text, **kw)``: an ``expectReplies`` turn; returns the activities of the
  response body (a ``Replies`` list with ``.messages``, ``.trace``, ``.text``, ``.shown``,
  ``.buttons`` helpers); ``shown(activity)`` / ``buttons(activity)`` read one message, whether
  it came as text with suggested actions or as an Adaptive Card.
* ``bot``: ``ask``/``send``/``post`` bound to the module's server and an HTTP session;
  ``talk_to(server)`` gives the same for a server a test started itself.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import aiohttp
import pytest
from aiohttp import web

from ..conversation import card_paragraphs, say_buttons, say_clicks

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_KNOWLEDGE = REPO_ROOT / "tests" / "fixtures" / "knowledge"
REAL_KNOWLEDGE = REPO_ROOT / "knowledge"

BOT = {"id": "archbot", "name": "ArchBot"}
USER = {"id": "user-1", "name": "Ada"}
# Discard port on loopback: a serviceUrl nothing listens on. expectReplies turns never call it.
NO_CONNECTOR = "http://127.0.0.1:9"

STARTUP_TIMEOUT = 20.0
REPLY_TIMEOUT = 10.0
_BOT_ENV = ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId")


# -- ports ------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the archbot server process ---------------------------------------------------------------


class ArchBotServer:
    """`archbot serve` as a real process: start, stop and restart over the same SQLite file."""

    def __init__(
        self,
        workdir: Path,
        *,
        db_path: Path | None = None,
        knowledge: Path | None = FIXTURE_KNOWLEDGE,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.db_path = db_path or workdir / "state.sqlite3"
        self.knowledge = knowledge
        self.extra_env = dict(env or {})
        self.port: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "archbot.log"
        self._log_file: Any = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        assert self.port is not None, "the server was never started"
        return f"http://127.0.0.1:{self.port}"

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/api/messages"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _BOT_ENV}
        env.pop("ARCHBOT_KNOWLEDGE", None)
        env.update(
            ARCHBOT_STORAGE=f"sqlite:///{self.db_path}",
            PYTHONUNBUFFERED="1",
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        )
        if self.knowledge is not None:
            env["ARCHBOT_KNOWLEDGE"] = str(self.knowledge)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = STARTUP_TIMEOUT) -> ArchBotServer:
        """Start a new process on a fresh port and wait until GET /healthz answers 200."""
        assert not self.running, "already running"
        self.port = free_port()
        self.starts += 1
        self._log_file = self.log_path.open("ab")
        self._log_file.write(f"\n===== start #{self.starts} on port {self.port} =====\n".encode())
        self._log_file.flush()
        command = [sys.executable, "-m", "bot.operations.cli", "serve"]
        self.proc = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO_ROOT,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.stop()
                pytest.fail(f"archbot serve exited with {code}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"archbot serve did not answer /healthz within {timeout:.0f} s:\n{self.log()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        """Terminate (SIGTERM, then SIGKILL) and return the exit code; safe to call twice."""
        proc, self.proc = self.proc, None
        code = None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=timeout)
            code = proc.returncode
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return code

    def restart(self) -> ArchBotServer:
        """Stop this process and start a new one over the same state file."""
        self.stop()
        return self.start()

    def log(self, tail: int = 20_000) -> str:
        """The process's output so far (the last ``tail`` characters)."""
        if self._log_file is not None:
            self._log_file.flush()
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except FileNotFoundError:
            return "(no output)"


class ArchBotFactory:
    """Starts ArchBot servers for one test (or module) and stops them all at teardown."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: list[ArchBotServer] = []
        self._names = itertools.count(1)

    def __call__(
        self,
        *,
        db_path: Path | None = None,
        knowledge: Path | None = FIXTURE_KNOWLEDGE,
        env: dict[str, str] | None = None,
        start: bool = True,
    ) -> ArchBotServer:
        workdir = self.workdir / f"server-{next(self._names)}"
        workdir.mkdir(parents=True, exist_ok=True)
        server = ArchBotServer(workdir, db_path=db_path, knowledge=knowledge, env=env)
        self.servers.append(server)
        return server.start() if start else server

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def archbot_factory(tmp_path: Path) -> Iterator[ArchBotFactory]:
    """``archbot_factory(env=..., db_path=..., knowledge=...)`` starts a server for this test."""
    factory = ArchBotFactory(tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def archbot_module_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchBotFactory]:
    factory = ArchBotFactory(tmp_path_factory.mktemp("archbot"))
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def archbot(archbot_module_factory: ArchBotFactory) -> ArchBotServer:
    """One anonymous (Emulator-mode) server on the fixture KB, shared by a test module."""
    return archbot_module_factory()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the output of every archbot server a failing test used to its report."""
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {}) or {}
        servers: dict[int, ArchBotServer] = {}
        for value in funcargs.values():
            if isinstance(value, BotClient):
                value = value.server
            found = value.servers if isinstance(value, ArchBotFactory) else [value]
            for server in found:
                if isinstance(server, ArchBotServer):
                    servers[id(server)] = server
        for server in servers.values():
            title = f"archbot server log ({server.workdir.name})"
            report.sections.append((title, server.log() or "(empty)"))
    return report


# -- activities -------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def new_conversation_id(prefix: str = "conv") -> str:
    """A conversation id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class ActivityFactory:
    """Bot Framework Activity JSON, as a channel sends it to the bot."""

    def __init__(self, service_url: str = NO_CONNECTOR) -> None:
        self.service_url = service_url

    def base(
        self,
        type_: str,
        *,
        channel: str = "emulator",
        conversation: str = "conv-1",
        service_url: str | None = None,
        delivery_mode: str | None = None,
        user: dict[str, str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": type_,
            "id": _new_id(),
            "timestamp": _now(),
            "channelId": channel,
            "serviceUrl": service_url or self.service_url,
            "from": dict(user or USER),
            "recipient": dict(BOT),
            "conversation": {"id": conversation},
            "locale": "en-US",
        }
        if delivery_mode:
            activity["deliveryMode"] = delivery_mode
        activity.update(fields)
        return activity

    def message(
        self,
        text: str,
        channel: str = "emulator",
        conversation: str = "conv-1",
        delivery_mode: str | None = None,
        service_url: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A message from the user."""
        return self.base(
            "message",
            channel=channel,
            conversation=conversation,
            delivery_mode=delivery_mode,
            service_url=service_url,
            text=text,
            textFormat="plain",
            **fields,
        )

    def conversation_update(
        self,
        members_added: list[dict[str, str]],
        channel: str = "emulator",
        conversation: str = "conv-1",
        delivery_mode: str | None = None,
        service_url: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Members joined the conversation (the Emulator sends the user and the bot)."""
        return self.base(
            "conversationUpdate",
            channel=channel,
            conversation=conversation,
            delivery_mode=delivery_mode,
            service_url=service_url,
            membersAdded=members_added,
            **fields,
        )


@pytest.fixture
def activities() -> ActivityFactory:
    """``activities.message("hi", conversation=...)``, ``activities.conversation_update([...])``."""
    return ActivityFactory()


# -- talking to the bot -----------------------------------------------------------------------


class Replies(list):
    """The activities the bot answered a turn with (a list of Activity JSON dicts)."""

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [a for a in self if a.get("type") == "message"]

    @property
    def traces(self) -> list[dict[str, Any]]:
        return [a for a in self if a.get("type") == "trace"]

    @property
    def trace(self) -> dict[str, Any] | None:
        """The value of the `RecognizerResult` trace, or None when there is none."""
        for activity in self.traces:
            if activity.get("name") == "RecognizerResult":
                return activity.get("value")
        return None

    @property
    def top_intent(self) -> str | None:
        trace = self.trace
        return trace.get("topIntent") if trace else None

    @property
    def text(self) -> str:
        """Every message's text plus its attachments' content as JSON (cards), one string."""
        return "\n".join(message_content(m) for m in self.messages)

    @property
    def shown(self) -> str:
        """What the user reads: each message's text or its cards' paragraphs (no buttons)."""
        return "\n\n".join(p for p in (shown(m) for m in self.messages) if p)

    @property
    def buttons(self) -> list[str]:
        """Titles of the suggested actions and card buttons that send a message."""
        return [title for m in self.messages for title in buttons(m)]


def message_content(activity: dict[str, Any]) -> str:
    """What a user sees of a message: its text and its attachments (cards) serialized."""
    parts = [activity.get("text") or ""]
    for attachment in activity.get("attachments") or []:
        content = attachment.get("content")
        if content is not None:
            parts.append(json.dumps(content, ensure_ascii=False))
    return "\n".join(p for p in parts if p)


def _cards(activity: dict[str, Any]) -> list[Any]:
    return [
        a.get("content")
        for a in activity.get("attachments") or []
        if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


def shown(activity: dict[str, Any]) -> str:
    """What the user reads of a message: its text, or its Adaptive Cards' paragraphs (text
    blocks, a heading in markdown bold), without buttons or the cards' fallbackText."""
    parts = [activity["text"]] if activity.get("text") else []
    parts.extend(p for card in _cards(activity) for p in card_paragraphs(card))
    return "\n\n".join(parts)


def buttons(activity: dict[str, Any]) -> list[str]:
    """Titles of a message's suggested actions, or of its cards' buttons that send a message."""
    suggested = (activity.get("suggestedActions") or {}).get("actions") or []
    return [a["title"] for a in suggested] + [
        title for card in _cards(activity) for title in say_buttons(card)
    ]


def clicks(activity: dict[str, Any]) -> list[str]:
    """What clicking each button of a message that sends one says (its value / data text)."""
    suggested = (activity.get("suggestedActions") or {}).get("actions") or []
    return [str(a.get("value") or a["title"]) for a in suggested] + [
        text for card in _cards(activity) for text in say_clicks(card).values()
    ]


async def post(
    client: aiohttp.ClientSession,
    base: str,
    body: Any = None,
    *,
    data: bytes | str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    """POST to /api/messages: ``body`` as JSON, or raw ``data``; returns (status, response text)."""
    url = f"{base}/api/messages"
    if data is None:
        data = json.dumps(body)
        headers = {"Content-Type": "application/json", **(headers or {})}
    headers = dict(headers or {})
    # raw data without a Content-Type really goes without one (aiohttp would add its own)
    skip = () if "Content-Type" in headers else ("Content-Type",)
    async with client.post(url, data=data, headers=headers, skip_auto_headers=skip) as resp:
        return resp.status, await resp.text()


async def ask(client: aiohttp.ClientSession, base: str, text: str, **kw: Any) -> Replies:
    """Send ``text`` with deliveryMode expectReplies; return the activities of the response."""
    headers = kw.pop("headers", None)
    activity = ActivityFactory().message(text, delivery_mode="expectReplies", **kw)
    status, body = await post(client, base, activity, headers=headers)
    assert status == 200, f"expectReplies turn answered {status}: {body[:500]}"
    payload = json.loads(body)
    assert isinstance(payload, dict), f"expected {{'activities': [...]}}, got {body[:500]}"
    assert isinstance(payload.get("activities"), list), f"no 'activities' list: {body[:500]}"
    return Replies(payload["activities"])


@dataclass
class BotClient:
    """An HTTP client for one server: ``ask`` (expectReplies), ``send`` (normal), ``post`` (raw)."""

    http: aiohttp.ClientSession
    server: ArchBotServer

    @property
    def base(self) -> str:
        return self.server.base_url

    async def ask(self, text: str, **kw: Any) -> Replies:
        return await ask(self.http, self.base, text, **kw)

    async def send(self, activity: dict[str, Any], **kw: Any) -> tuple[int, str]:
        return await post(self.http, self.base, activity, **kw)

    async def post(self, body: Any = None, **kw: Any) -> tuple[int, str]:
        return await post(self.http, self.base, body, **kw)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


@pytest.fixture(name="ask")
def ask_fixture() -> Callable[..., Any]:
    """``await ask(client, base, text, conversation=..., channel=...)`` → Replies."""
    return ask


@pytest.fixture
def bot(http: aiohttp.ClientSession, archbot: ArchBotServer) -> BotClient:
    """The module's anonymous server, over HTTP."""
    return BotClient(http, archbot)


@pytest.fixture
def talk_to(http: aiohttp.ClientSession) -> Callable[[ArchBotServer], BotClient]:
    """``talk_to(server)``: a BotClient for a server the test started."""
    return lambda server: BotClient(http, server)


# -- the connector (where replies go in normal delivery) --------------------------------------


@dataclass
class ReceivedReply:
    conversation_id: str
    reply_to_id: str | None
    path: str
    activity: dict[str, Any]


class LoopbackServer:
    """A test's stand-in server on 127.0.0.1 (`async with`); subclasses add their routes."""

    def __init__(self) -> None:
        self.port = free_port()
        self._runner: web.AppRunner | None = None

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class ConnectorServer(LoopbackServer):
    """Loopback stand-in for a channel's connector: records the activities the bot POSTs."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[ReceivedReply] = []
        self.unexpected: list[str] = []
        self._read = 0
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._on_activity)
        app.router.add_post(
            "/v3/conversations/{conversation_id}/activities/{activity_id}", self._on_activity
        )
        app.router.add_route("*", "/{tail:.*}", self._on_other)

    async def _on_activity(self, request: web.Request) -> web.Response:
        activity = await request.json()
        reply = ReceivedReply(
            conversation_id=request.match_info["conversation_id"],
            reply_to_id=request.match_info.get("activity_id"),
            path=request.path,
            activity=activity,
        )
        async with self._changed:
            self.received.append(reply)
            self._changed.notify_all()
        return web.json_response({"id": f"sent-{next(self._ids)}"})

    async def _on_other(self, request: web.Request) -> web.Response:
        self.unexpected.append(f"{request.method} {request.path}")
        return web.json_response({"error": "not a connector route"}, status=404)

    async def next_replies(self, n: int = 1, timeout: float = REPLY_TIMEOUT) -> list[ReceivedReply]:
        """Wait for the next ``n`` activities the bot POSTs (those not returned before)."""

        async def arrived() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.received) - self._read >= n)

        try:
            await asyncio.wait_for(arrived(), timeout)
        except TimeoutError:
            got = [r.activity for r in self.received[self._read :]]
            pytest.fail(
                f"expected {n} replies at the connector within {timeout} s, got {len(got)}: "
                f"{got}; unexpected requests: {self.unexpected}"
            )
        replies = self.received[self._read : self._read + n]
        self._read += n
        return replies

    async def turn_replies(
        self, timeout: float = REPLY_TIMEOUT, settle: float = 0.2
    ) -> list[ReceivedReply]:
        """All unread replies of a turn: waits for a message, then ``settle`` s for stragglers.

        (CloudAdapter POSTs a turn's replies before it answers the turn's own request, so they
        have normally all arrived when ``send`` returns; the wait is only a safety margin.)
        """

        def has_message() -> bool:
            return any(r.activity.get("type") == "message" for r in self.received[self._read :])

        async def arrived() -> None:
            async with self._changed:
                await self._changed.wait_for(has_message)

        try:
            await asyncio.wait_for(arrived(), timeout)
        except TimeoutError:
            got = [r.activity for r in self.received[self._read :]]
            pytest.fail(
                f"no message reached the connector within {timeout} s; got {got}; "
                f"unexpected requests: {self.unexpected}"
            )
        return await self.no_more_replies(within=settle)

    async def no_more_replies(self, within: float = 1.0) -> list[ReceivedReply]:
        """Wait ``within`` seconds; return whatever arrived that was not yet read."""
        await asyncio.sleep(within)
        extra = self.received[self._read :]
        self._read = len(self.received)
        return extra


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorServer]:
    """A connector on loopback; put ``connector.service_url`` in the activity's serviceUrl."""
    async with ConnectorServer() as server:
        yield server
