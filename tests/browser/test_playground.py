"""ArchBot as Teams shows it: the Microsoft 365 Agents Playground, driven in a real browser.

A real `archbot serve` on the real knowledge base, the real Playground
(`agentsplayground -c msteams`, npm @microsoft/m365agentsplayground, scripts/setup/50-playground.sh)
pointed at it, and headless Debian Chromium driven by playwright-core (`playground.cjs`), once in
the personal chat and once in a team channel where the question @mentions the bot: the welcome, a
typed question and its answer card, a follow-up clicked on it, the guided walkthrough started by
clicking the welcome's button and clicked through to its recommendation, and Teams' own feedback
button with a comment, which `archbot kb feedback` then lists. Screenshots go to test-artifacts/.

What to type and click, and what each answer shows, come from the same knowledge base run
in-process on the Teams channel, so the test follows the knowledge base as it changes.

Needs node, /usr/bin/chromium, playwright-core in .tools/browser and the Playground in
.tools/playground (`make setup`); when one is missing the test is skipped, or fails if CI is set.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector import Channels

from bot.channels.teams_ai import answered_topic
from bot.hosting.inprocess import InProcessAdapter
from bot.hosting.runtime import MEMORY_URL, build_runtime
from bot.operations.config import Settings
from bot.state.feedback import feedback_path

from ..e2e.conftest import REAL_KNOWLEDGE, REPO_ROOT, ArchBotFactory, ArchBotServer, free_port
from .tools import require_tools, run_script

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("playground.cjs")
ARTIFACTS = REPO_ROOT / "test-artifacts"
PLAYGROUND = REPO_ROOT / ".tools" / "playground" / "node_modules" / ".bin" / "agentsplayground"
RUN_TIMEOUT_SECONDS = 180
START_TIMEOUT_SECONDS = 30

QUESTION = "how do I transcribe audio recordings"
WALKTHROUGH_BUTTON = "Guided architecture walkthrough"
MAX_WALKTHROUGH_CLICKS = 12
COMMENTS = {"personal": "the diagram is missing", "channel": "good for our team"}
REACTIONS = {"personal": "Dislike", "channel": "Like"}


@pytest.fixture(scope="module")
def browser_tools() -> None:
    require_tools("the Playground test", {PLAYGROUND: "scripts/setup/50-playground.sh"})


# -- the plan: what to do in the Playground, and what each answer card shows -------------------


def card_title(activity: Activity) -> str:
    """A run of plain words from the newest card's first text block (what the page shows)."""
    (card,) = [a.content for a in activity.attachments or []]
    first = next(e["text"] for e in card["body"] if e.get("type") == "TextBlock")
    text = re.sub(r"[*_`#>\[\]]", "", first).split("\n")[0].strip()
    return text[:40].rsplit(" ", 1)[0] if len(text) > 40 else text


def say_buttons(activity: Activity) -> list[tuple[str, str]]:
    """(title, what clicking it sends) of each card button that sends a message: a title may
    be a shorter label of the text (bot/core/labels.py)."""

    def walk(node: Any) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            data = node.get("data")
            if node.get("type") == "Action.Submit" and data.get("archbot") == "say":
                yield node["title"], data["text"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    return list(walk([a.content for a in activity.attachments or []]))


async def build_plan(knowledge: Path, scope: str) -> dict[str, Any]:
    """Run the conversation in-process on the Teams channel: what to click and what shows."""
    settings = dataclasses.replace(Settings(), storage=MEMORY_URL, knowledge_dir=knowledge)
    runtime = build_runtime(settings)
    adapter = InProcessAdapter(channel_id=Channels.ms_teams)
    conversation = adapter.new_conversation()
    replies = runtime.handler.replies
    unknown = replies.unknown().text

    async def turn(text: str) -> Activity:
        sent = await adapter.process(adapter.message(conversation, text), runtime.handler.on_turn)
        (message,) = [a for a in sent if a.type == ActivityTypes.message]
        return message

    try:
        welcome = replies.welcome() if scope == "personal" else replies.team_welcome("TestBot")
        assert WALKTHROUGH_BUTTON in welcome.suggestions
        answer = await turn(QUESTION)
        assert unknown not in (answer.text or ""), f"no answer to {QUESTION!r}"
        steps: list[dict[str, Any]] = [
            {"send": QUESTION, "expect": card_title(answer), "label": "question"}
        ]
        if scope == "channel":
            steps[0]["mention"] = True
        followup, says = say_buttons(answer)[0]
        steps.append(
            {"click": followup, "expect": card_title(await turn(says)), "label": "follow-up"}
        )
        reply = await turn(WALKTHROUGH_BUTTON)
        steps.append(
            {"click": WALKTHROUGH_BUTTON, "expect": card_title(reply), "label": "walkthrough"}
        )
        for n in range(1, MAX_WALKTHROUGH_CLICKS + 1):
            choice, says = say_buttons(reply)[0]
            reply = await turn(says)
            steps.append(
                {"click": choice, "expect": card_title(reply), "label": f"walkthrough choice {n}"}
            )
            if (answered_topic(reply) or "").startswith("walkthrough/"):
                break
        else:
            pytest.fail(f"no recommendation after {MAX_WALKTHROUGH_CLICKS} clicks")
        greeting = re.sub(r"[*_`]", "", welcome.summary).split("\n")[0][:30]
        return {
            "welcome": greeting.rsplit(" ", 1)[0],
            "steps": steps,
            "rated": answered_topic(reply),
        }
    finally:
        runtime.close()


# -- the servers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bot(browser_tools: None, archbot_module_factory: ArchBotFactory) -> ArchBotServer:
    return archbot_module_factory(knowledge=REAL_KNOWLEDGE)


@pytest.fixture
def playground(bot: ArchBotServer, tmp_path: Path) -> Iterator[str]:
    """The Playground on a free port, talking to the bot as the Teams channel."""
    port = free_port()
    log = (tmp_path / "playground.log").open("w+")
    process = subprocess.Popen(
        [
            str(PLAYGROUND),
            "-e",
            f"{bot.base_url}/api/messages",
            "-c",
            "msteams",
            "-p",
            str(port),
            "--disable-telemetry",
        ],
        cwd=tmp_path,  # it writes devTools/ logs into its working directory
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        listening = None  # it takes another free port when this one was taken meanwhile
        for _ in range(START_TIMEOUT_SECONDS * 10):
            log.seek(0)
            output = log.read()
            listening = re.search(r"Listening on (\d+)", output)
            if listening or process.poll() is not None:
                break
            time.sleep(0.1)
        assert listening, f"the Playground did not start:\n{output}"
        yield f"http://127.0.0.1:{listening.group(1)}/"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def kb_feedback(bot: ArchBotServer) -> str:
    database = feedback_path(f"sqlite:///{bot.db_path}", {})
    return subprocess.run(
        [sys.executable, "-m", "bot.operations.cli", "kb", "feedback", "--db", database],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout


# -- the test ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["personal", "channel"])
def test_the_playground_shows_archbot_as_teams_does(
    scope: str, bot: ArchBotServer, playground: str, tmp_path: Path
) -> None:
    plan = asyncio.run(build_plan(REAL_KNOWLEDGE, scope))
    output = run_script(
        SCRIPT,
        {
            **plan,
            "url": playground,
            "scope": scope,
            "rate": {"reaction": REACTIONS[scope], "comment": COMMENTS[scope]},
            "artifacts": str(ARTIFACTS),
        },
        tmp_path,
        RUN_TIMEOUT_SECONDS,
    )
    print(output)

    report = kb_feedback(bot)  # Teams' feedback button: the vote and the comment, by topic
    mark = "👍" if REACTIONS[scope] == "Like" else "👎"
    assert f"{mark}  {plan['rated']}: {COMMENTS[scope]}" in report, report
