"""Slow and idle clients against a real server process, over raw sockets: a body or headers
trickled byte by byte, idle keep-alive connections, and more idle connections than the process
can hold (bot/hosting/server.py, bot/hosting/limits.py)."""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import time

import aiohttp
import pytest

from .conftest import ArchBotFactory, ArchBotServer

pytestmark = pytest.mark.e2e

TIMEOUTS = {"ARCHBOT_HEADER_TIMEOUT": "1", "ARCHBOT_BODY_TIMEOUT": "1"}
TRICKLE_SECONDS = 0.25
GIVE_UP_SECONDS = 8.0  # the server's timeouts are 1 s (plus 1 s draining what is left)


@pytest.fixture(scope="module")
def strict(archbot_module_factory: ArchBotFactory) -> ArchBotServer:
    return archbot_module_factory(env=TIMEOUTS)


def connect(server: ArchBotServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=GIVE_UP_SECONDS)
    sock.settimeout(TRICKLE_SECONDS)
    return sock


def closed_by_server(sock: socket.socket, chunks: list[bytes]) -> tuple[bool, bytes]:
    """Send ``chunks`` one by one, ``TRICKLE_SECONDS`` apart, until the server closes the
    connection; (whether it did within GIVE_UP_SECONDS, what it answered)."""
    answered = b""
    deadline = time.monotonic() + GIVE_UP_SECONDS
    chunks = list(chunks)
    while time.monotonic() < deadline:
        if chunks:
            try:
                sock.sendall(chunks.pop(0))
            except (BrokenPipeError, ConnectionResetError):
                return True, answered
        try:
            data = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return True, answered
        if not data:
            return True, answered
        answered += data
    return False, answered


def head(path: str = "/api/messages", length: int = 2000) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_a_body_trickled_byte_by_byte_is_cut_off(strict):
    sock = connect(strict)
    started = time.monotonic()
    closed, answer = closed_by_server(sock, [head(), *[b" "] * 100])
    sock.close()
    assert closed, "the server kept a connection whose body never arrived"
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - started < 5.0


def test_headers_trickled_byte_by_byte_are_cut_off(strict):
    sock = connect(strict)
    started = time.monotonic()
    closed, _ = closed_by_server(sock, [bytes([b]) for b in head()[:-2]])  # never finishes
    sock.close()
    assert closed, "the server kept a connection whose headers never ended"
    assert time.monotonic() - started < 4.0


def test_an_idle_keep_alive_connection_is_closed(strict):
    sock = connect(strict)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    closed, answer = closed_by_server(sock, [])
    sock.close()
    assert answer.startswith(b"HTTP/1.1 200")
    assert closed, "an idle keep-alive connection stayed open"


def test_a_slow_but_steady_client_still_gets_through(strict):
    """The timeouts are for whole headers and bodies, not for each byte: a client well within
    them is served."""
    body = json.dumps({"type": "message"}).encode()  # 400: no channelId; but it was read
    sock = connect(strict)
    _, answer = closed_by_server(sock, [head(length=len(body)), body[:10], body[10:]])
    sock.close()
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


async def test_idle_connections_do_not_starve_a_new_client(http, archbot_factory):
    """More idle connections than the process has file descriptors for: before, accept()
    failed (EMFILE) and a new client could not get in; now the longest idle ones make room."""
    server = archbot_factory(env={"ARCHBOT_MAX_CONNECTIONS": "40"})
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert server.proc is not None
    resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE, (100, hard))
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(120)]
    try:
        await asyncio.sleep(0.5)
        async with asyncio.timeout(10):
            async with http.get(f"{server.base_url}/healthz") as resp:
                assert resp.status == 200
        for sock in idle:
            sock.settimeout(0.01)
        assert sum(_is_closed(sock) for sock in idle[:20]) == 20  # the oldest made room
    finally:
        for sock in idle:
            sock.close()
    async with (
        aiohttp.ClientSession() as fresh,
        fresh.get(f"{server.base_url}/healthz") as resp,
    ):
        assert resp.status == 200


def _is_closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
