"""No secret is written anywhere: a real server with its access log and transcripts on, used the
way that used to leak — a Direct Line stream opened with its ``?t=`` token, a ``serviceUrl``
with credentials whose connector fails (the error log quotes the URL), and a password, a token
and a key pasted into questions the bot cannot answer (the unanswered-questions table) — then
every log line, every SQLite table and every transcript is searched for them."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from .conftest import ActivityFactory, post
from .test_directline_api import LOCAL_ENV, DirectLineClient, bot_messages

pytestmark = pytest.mark.e2e

PASSWORD = "Hunter2-Pass!"
GITHUB_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
AZURE_KEY = "3f2a9c8e1b7d4a6f9e0c2b5a8d7f1e3c"
URL_PASSWORD = "s3cr3t-url-pw"
SAS_SIGNATURE = "SIGsecret123"
PASTED = [
    f"xyzzy plugh: my password is {PASSWORD} and our token is {GITHUB_TOKEN}",
    f"frobnicate the quux with {AZURE_KEY} please",
]
# a connector that refuses connections (the discard port), reached with credentials
LEAKY_SERVICE_URL = f"http://alice:{URL_PASSWORD}@127.0.0.1:9/?sig={SAS_SIGNATURE}"


def stored_text(folder: Path) -> dict[str, str]:
    """For every file under ``folder``: its bytes as text, and a SQLite database's tables
    dumped as SQL too."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".sqlite3":
            with sqlite3.connect(path) as db:
                text += "\n".join(db.iterdump())
        found[str(path.relative_to(folder))] = text
    return found


async def test_no_secret_reaches_logs_tables_or_transcripts(http, archbot_factory, tmp_path):
    transcripts = tmp_path / "transcripts"
    server = archbot_factory(
        env={**LOCAL_ENV, "ARCHBOT_ACCESS_LOG": "1", "ARCHBOT_TRANSCRIPTS": str(transcripts)}
    )
    # the channel side: a failing connector behind credentials (normal delivery: ~10 s of
    # retries, so it runs alongside the rest)
    leaky = ActivityFactory().message(
        "how do I transcribe audio recordings", service_url=LEAKY_SERVICE_URL
    )
    failing_delivery = asyncio.create_task(post(http, server.base_url, leaky))
    for text in PASTED:
        activity = ActivityFactory().message(text, delivery_mode="expectReplies")
        status, _ = await post(http, server.base_url, activity)
        assert status == 200

    # the web side: a stream opened with its token in the URL, a pasted secret posted
    dl = DirectLineClient(http, server)
    conversation, token, started = await dl.start()
    stream_token = started["streamUrl"].rpartition("t=")[2]
    async with http.ws_connect(started["streamUrl"]) as ws:
        await ws.receive_json(timeout=10)
        status, _ = await dl.post(conversation, token, PASTED[0])
        assert status == 200
        await dl.wait_for(conversation, token, lambda a: len(bot_messages(a)) >= 2)

    status, _ = await failing_delivery
    assert status >= 200
    assert server.stop() == 0

    log = server.log(tail=10_000_000)
    assert "aiohttp.access" in log and "/stream?" in log  # the access log was on
    assert "turn failed" in log or "Error occurred in request" in log  # the URL was quoted
    stored = stored_text(tmp_path)  # the state and feedback databases, the transcripts
    assert any("[redacted]" in text for text in stored.values())  # gaps, transcripts written
    assert any(transcripts.rglob("*.transcript"))
    for secret in (
        PASSWORD,
        GITHUB_TOKEN,
        AZURE_KEY,
        URL_PASSWORD,
        SAS_SIGNATURE,
        stream_token,
        token,
    ):
        assert secret not in log, f"{secret!r} is in the server's log"
        for name, text in stored.items():
            assert secret not in text, f"{secret!r} is stored in {name}"
