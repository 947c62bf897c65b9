"""The operator's screens (`archbot kb gaps`, `archbot kb feedback`) over what users sent a real
server: no escape sequence reaches the terminal, and a forged 👍 / 👎 is not counted."""

from __future__ import annotations

import sqlite3

import pytest

from bot.channels.cards.builders import VOTE_UP, feedback_data
from bot.state.feedback import feedback_path

from .test_teams import cards, cli, message, only_reply

pytestmark = pytest.mark.e2e

# clear the screen, retitle the window (OSC 0 … BEL), go red, return to column 0 and overwrite
HOSTILE = "\x1b[2J\x1b]0;owned\x07does ArchBot know the \x1b[31mweather\x1b[0m in Oslo\r\x9b1A?"
CONTROLS = ("\x1b", "\x07", "\x9b", "\r")


def _votes(db) -> list[str]:
    with sqlite3.connect(feedback_path(f"sqlite:///{db}", {})) as store:
        return [row[0] for row in store.execute("SELECT topic FROM votes")]


async def test_kb_gaps_prints_what_users_typed_without_control_characters(bot, archbot, connector):
    reply = await only_reply(bot, connector, message(connector.service_url, HOSTILE))
    assert "I don't know that one" in cards(reply.activity)[0]["body"][0]["text"]

    screen = cli("kb", "gaps", db=archbot.db_path)

    assert not any(c in screen for c in CONTROLS), repr(screen)
    (line,) = [line for line in screen.splitlines() if "Oslo" in line]
    assert "does ArchBot know the [31mweather[0m in Oslo 1A?" in line  # visible, inert


async def test_a_forged_feedback_click_is_thanked_but_not_counted(bot, archbot, connector):
    answer = await only_reply(bot, connector, message(connector.service_url, "prompt flow"))
    # Teams rates answers with its own feedback loop now, so the card has no 👍 to copy: a
    # client can still send the card-click shape the other channels use
    up = feedback_data("prompt-flow", VOTE_UP)
    forged = [
        {**up, "topic": "no-such-topic"},
        {**up, "topic": "\x1b]0;owned\x07prompt-flow"},
        {**up, "topic": "prompt-flow/no-such-question"},
        {**up, "topic": "walkthrough/no-such-rule"},
        {**up, "topic": "speech-service+prompt-flow"},  # a real pair, in an order never sent
    ]
    for number, value in enumerate([*forged, up]):
        click = message(
            connector.service_url,
            None,
            value=value,
            replyToId=f"1:answer-{number}",
            conversation_id=answer.conversation_id,
        )
        reply = await only_reply(bot, connector, click)
        assert "Thanks for the feedback" in reply.activity["text"]

    assert _votes(archbot.db_path) == ["prompt-flow"]
    assert "Traceback" not in archbot.log()


async def test_kb_feedback_drops_control_characters_from_stored_topics(archbot):
    """Votes stored before topics were checked may hold anything."""
    with sqlite3.connect(feedback_path(f"sqlite:///{archbot.db_path}", {})) as store:
        store.execute(
            "INSERT INTO votes (key, topic, vote, channel, at) VALUES (?, ?, -1, 'msteams', ?)",
            ("old-forged", "\x1b]0;owned\x07\x1b[8mhidden", "2026-01-01T00:00:00+00:00"),
        )

    screen = cli("kb", "feedback", db=archbot.db_path)

    assert not any(c in screen for c in CONTROLS), repr(screen)
    assert "]0;owned[8mhidden" in screen
