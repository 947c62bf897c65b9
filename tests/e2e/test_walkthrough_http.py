"""The guided walkthrough over real HTTP: the dev set's walkthrough profiles, and restart-resume.

A simulated user opens with the profile's `opener`, then answers each question by clicking the
offered button that best fits the profile's `prefer` words (or types the whole profile when no
button fits). Every profile must end in a recommendation naming one of its `expect_any` services
within 10 turns.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REAL_KNOWLEDGE, Replies, new_conversation_id
from .conftest import buttons as message_buttons
from .conftest import clicks as message_clicks

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_SET = REPO_ROOT.parent / "shared" / "eval" / "dev.yaml"
MAX_TURNS = 10
RECOMMENDATION = "My recommendation:"
TRACE_NAME = "Recommendation"


def load_profiles() -> list[dict[str, Any]]:
    if not DEV_SET.is_file():
        pytest.skip(f"no development set at {DEV_SET} (shared/ must sit beside the repository)")
    profiles = yaml.safe_load(DEV_SET.read_text(encoding="utf-8")).get("walkthroughs") or []
    assert profiles, f"{DEV_SET} has no walkthroughs"
    return profiles


def buttons(replies: Replies) -> list[str]:
    """What the buttons (suggested actions or card buttons) of the turn's last message that
    offers any send when clicked (the full text; a title may be shorter)."""
    for message in reversed(replies.messages):
        if message_buttons(message):
            return message_clicks(message)
    return []


def best_fit(choices: list[str], prefer: list[str]) -> str | None:
    """The choice naming the most `prefer` words (first on a tie), None when none names any."""
    scored = [(sum(p.lower() in c.lower() for p in prefer), -i, c) for i, c in enumerate(choices)]
    best = max(scored, default=(0, 0, None))
    return best[2] if best[0] > 0 else None


async def play(bot, profile: dict[str, Any]) -> tuple[bool, list[str]]:
    """Play one profile; return (passed, transcript)."""
    conversation = new_conversation_id(profile["id"])
    transcript: list[str] = []
    text = profile["opener"]
    for _ in range(MAX_TURNS):
        replies = await bot.ask(text, conversation=conversation)
        transcript.append(f"user: {text}\nbot: {replies.text[:400]}")
        if RECOMMENDATION in replies.text:
            traces = [t for t in replies.traces if t.get("name") == TRACE_NAME]
            assert traces, "the emulator gets a Recommendation trace with the memo"
            services = " ".join(traces[0]["value"]["services"])
            named = [e for e in profile["expect_any"] if e.lower() in replies.text.lower()]
            assert all(s in replies.text for s in traces[0]["value"]["services"]), services
            return bool(named), transcript
        text = best_fit(buttons(replies), profile["prefer"]) or profile["profile"]
    return False, transcript


async def test_dev_walkthrough_profiles_end_in_the_expected_recommendation(
    archbot_factory, talk_to
):
    profiles = load_profiles()
    server = archbot_factory(knowledge=REAL_KNOWLEDGE)
    bot = talk_to(server)
    results = await asyncio.gather(*(play(bot, p) for p in profiles))
    failures = [
        f"FAIL {p['id']} expect_any={p['expect_any']}\n" + "\n".join(t)
        for p, (passed, t) in zip(profiles, results, strict=True)
        if not passed
    ]
    assert not failures, "\n\n".join(failures)


async def test_a_walkthrough_continues_after_a_server_restart(archbot_factory, talk_to, tmp_path):
    server = archbot_factory(knowledge=REAL_KNOWLEDGE, db_path=tmp_path / "state.sqlite3")
    conversation = new_conversation_id("resume")
    replies = await talk_to(server).ask("help me pick an architecture", conversation=conversation)
    assert "**What are you building?**" in replies.text
    replies = await talk_to(server).ask("machine learning", conversation=conversation)
    assert "**What will the model learn from?**" in replies.text

    await asyncio.to_thread(server.restart)  # a new process over the same SQLite file

    replies = await talk_to(server).ask("tabels", conversation=conversation)
    assert "**Who will build and run it?**" in replies.text, replies.text
    replies = await talk_to(server).ask("no data scientists here", conversation=conversation)
    assert RECOMMENDATION in replies.text
    assert "AutoML" in replies.text
    trace = next(t["value"] for t in replies.traces if t.get("name") == TRACE_NAME)
    assert [a["answer"] for a in trace["answers"]] == ["ml", "tabular", "low-code"]
