"""Conversation state lives in the SQLite file and survives a server restart."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from .conftest import new_conversation_id

pytestmark = pytest.mark.e2e

QUESTION = "how do I transcribe audio recordings"


def stored_rows(db_path: Path, conversation_id: str) -> dict[str, tuple[str, dict]]:
    """key -> (e_tag, value) of the stored items whose key names the conversation."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT key, e_tag, value FROM bot_storage WHERE instr(key, ?) > 0",
            (conversation_id,),
        ).fetchall()
    return {key: (e_tag, json.loads(value)) for key, e_tag, value in rows}


async def test_conversation_state_survives_a_restart(archbot_factory, talk_to, tmp_path):
    db_path = tmp_path / "state.sqlite3"
    server = archbot_factory(db_path=db_path)
    conversation = new_conversation_id()

    replies = await talk_to(server).ask(QUESTION, conversation=conversation)
    assert "Speech" in replies.text

    exit_code = await asyncio.to_thread(server.stop)
    assert exit_code == 0, f"SIGTERM should shut down cleanly, got {exit_code}:\n{server.log()}"

    before = stored_rows(db_path, conversation)
    state_key = f"emulator/conversations/{conversation}"
    assert state_key in before, f"no conversation state row for {conversation}: {list(before)}"
    etag_before, value_before = before[state_key]
    assert "DialogState" in value_before, value_before

    await asyncio.to_thread(server.start)  # a new process over the same file

    assert stored_rows(db_path, conversation)[state_key][0] == etag_before  # untouched by start
    replies = await talk_to(server).ask(QUESTION, conversation=conversation)
    assert "Speech" in replies.text
    assert "something went wrong" not in replies.text.lower()
    after = stored_rows(db_path, conversation)
    assert set(after) == set(before), "the same conversation's row is reused, not duplicated"
    assert "DialogState" in after[state_key][1]
    # (BotState writes only when the state changed; a one-turn dialog leaves it as it was, so
    # the e-tag may stay the same. A multi-turn dialog will make the state itself differ.)


async def test_a_second_conversation_does_not_touch_the_first(archbot_factory, talk_to, tmp_path):
    db_path = tmp_path / "state.sqlite3"
    server = archbot_factory(db_path=db_path)
    first, second = new_conversation_id(), new_conversation_id()

    await talk_to(server).ask(QUESTION, conversation=first)
    etag_first = stored_rows(db_path, first)[f"emulator/conversations/{first}"][0]
    await asyncio.to_thread(server.restart)
    await talk_to(server).ask(QUESTION, conversation=second)

    assert stored_rows(db_path, first)[f"emulator/conversations/{first}"][0] == etag_first
    assert f"emulator/conversations/{second}" in stored_rows(db_path, second)
