"""Conversational context over the real protocol: the focus lives in conversation state in the
SQLite file, so follow-ups work across turns, through a decline, and across a server restart."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import REAL_KNOWLEDGE, new_conversation_id

pytestmark = pytest.mark.e2e


async def test_a_follow_up_survives_a_decline_and_a_restart(archbot_factory, talk_to, tmp_path):
    server = archbot_factory(db_path=tmp_path / "state.sqlite3", knowledge=REAL_KNOWLEDGE)
    conversation = new_conversation_id()
    bot = talk_to(server)

    replies = await bot.ask("what is custom translator?", conversation=conversation)
    assert "Custom Translator" in replies.text

    declined = await bot.ask("what's the capital of Peru?", conversation=conversation)
    assert "Custom Translator" not in declined.text

    await asyncio.to_thread(server.restart)  # a new process over the same file
    bot = talk_to(server)
    replies = await bot.ask("who uses it?", conversation=conversation)
    assert "Volkswagen" in replies.text, replies.text

    replies = await bot.ask("no, I meant the speech one", conversation=conversation)
    assert "Custom Speech" in replies.text, replies.text
