"""Direct Line conversations are recorded like every other channel's, and replies say what they
answer: a real server, Web Chat's calls over HTTP, the `.transcript` file read back from disk."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from bot.state.transcripts import transcript_file_name

from .test_directline_api import LOCAL_ENV, SPEECH_QUESTION, DirectLineClient, bot_messages

pytestmark = pytest.mark.e2e


async def logged_answer(path: Path, reply_to: str) -> list[dict[str, Any]]:
    """The transcript once it holds the bot's answer to ``reply_to`` (it is written as the turn
    ends, just after the answer is delivered); what it holds after 10 s otherwise."""
    deadline = time.monotonic() + 10.0
    while True:
        logged = json.loads(path.read_text()) if path.is_file() else []
        answered = any(
            a["from"]["role"] == "bot" and a.get("replyToId") == reply_to for a in logged
        )
        if answered or time.monotonic() > deadline:
            return logged
        await asyncio.sleep(0.05)


@pytest.fixture
def transcripts(tmp_path: Path) -> Path:
    return tmp_path / "transcripts"


@pytest.fixture
def dl(http, archbot_factory, transcripts) -> DirectLineClient:
    server = archbot_factory(env={**LOCAL_ENV, "ARCHBOT_TRANSCRIPTS": str(transcripts)})
    return DirectLineClient(http, server)


async def test_a_reply_names_the_message_it_answers(dl):
    conversation, token, _ = await dl.start()
    welcome, watermark = await dl.wait_for(conversation, token, lambda a: len(a) >= 1)
    status, ack = await dl.post(conversation, token, SPEECH_QUESTION)
    assert status == 200, ack

    activities, _ = await dl.wait_for(conversation, token, bot_messages, watermark)

    answers = bot_messages(activities)
    assert [a.get("replyToId") for a in answers] == [ack["id"]] * len(answers)
    assert "replyToId" not in welcome[0]  # it answers the conversationUpdate Web Chat never sees


async def test_a_direct_line_conversation_is_written_to_its_transcript(dl, transcripts):
    conversation, token, _ = await dl.start()
    _, watermark = await dl.wait_for(conversation, token, lambda a: len(a) >= 1)
    status, ack = await dl.post(conversation, token, SPEECH_QUESTION)
    assert status == 200, ack
    delivered, _ = await dl.wait_for(conversation, token, bot_messages, watermark)

    path = transcripts / "directline" / transcript_file_name(conversation)
    logged = await logged_answer(path, ack["id"])

    assert path.is_file(), f"no transcript; the folder holds {list(transcripts.rglob('*'))}"
    said = [(a["from"]["role"], a.get("replyToId"), a.get("text")) for a in logged]
    assert logged[0]["type"] == "conversationUpdate"
    assert said[1][:2] == ("bot", None)  # the welcome
    assert ("user", None, SPEECH_QUESTION) in said
    assert [a.get("text") for a in logged if a.get("replyToId") == ack["id"]] == [
        a.get("text") for a in bot_messages(delivered)
    ], said
    assert token not in path.read_text()
