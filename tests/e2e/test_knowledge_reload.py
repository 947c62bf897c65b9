"""Knowledge edits under a running `archbot serve`: a good edit is served without a restart
while a walkthrough goes on, a broken one is reported as `file:line: message` (log and
/healthz) and the last good knowledge base stays; broken files stop `archbot serve` and
`archbot kb check` with those lines, never a traceback."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import REAL_KNOWLEDGE, REPO_ROOT, buttons, free_port, new_conversation_id

pytestmark = pytest.mark.e2e

RELOAD_TIMEOUT = 20.0
NEW_TOPIC = """\
topics:
  - id: reload-probe
    title: Reload Probe Service
    kind: service
    summary: A topic added while the bot was running.
    links:
      - title: Probe docs
        url: https://learn.microsoft.com/azure/
    phrases:
      - frobnicate the quantum widget
"""
PROBE = "how do I frobnicate the quantum widget"


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A copy of the real knowledge base to edit."""
    root = tmp_path / "kb" / "knowledge"
    shutil.copytree(REAL_KNOWLEDGE, root)
    return root


async def health(http, server) -> dict[str, Any]:
    async with http.get(f"{server.base_url}/healthz") as response:
        assert response.status == 200
        return await response.json()


async def knowledge_state(http, server, until) -> dict[str, Any]:
    """/healthz's `knowledge` once `until(it)` holds (the watcher polls once a second)."""
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while True:
        state = (await health(http, server))["knowledge"]
        if until(state):
            return state
        assert time.monotonic() < deadline, f"no reload within {RELOAD_TIMEOUT} s: {state}"
        await asyncio.sleep(0.2)


async def test_edits_reload_and_broken_edits_keep_the_last_good_knowledge(
    archbot_factory, talk_to, http, knowledge
):
    server = archbot_factory(knowledge=knowledge)
    bot = talk_to(server)
    first = (await health(http, server))["knowledge"]
    assert (first["version"], first["reload"], first["errors"]) == (1, "ok", [])
    unknown = (await bot.ask(PROBE)).text

    walk = new_conversation_id("walk")
    question = await bot.ask("help me pick an architecture", conversation=walk)
    choices = buttons(question.messages[-1])
    assert choices, question.text

    (knowledge / "topics" / "reload-probe.yaml").write_text(NEW_TOPIC)
    state = await knowledge_state(http, server, lambda s: s["version"] == 2)
    assert state["reload"] == "ok" and state["loadedAt"] >= first["loadedAt"]
    assert "Reload Probe Service" in (await bot.ask(PROBE)).shown

    # the walkthrough begun before the reload goes on: the answer leads to its next question
    after = await bot.ask(choices[0], conversation=walk)
    next_choices = buttons(after.messages[-1])
    assert next_choices and next_choices != choices, after.text

    broken = {
        "Latin-1": lambda: (knowledge / "topics" / "reload-probe.yaml").write_bytes(
            NEW_TOPIC.replace("running.", "running, café.").encode("latin-1")
        ),
        "a directory": lambda: (knowledge / "topics" / "drafts.yaml").mkdir(),
        "no walkthrough": lambda: (knowledge / "walkthrough.yaml").rename(
            knowledge / "walkthrough.yaml.off"
        ),
    }
    expected = [
        "knowledge/topics/reload-probe.yaml:5: not UTF-8 (byte 0xe9): save the file as UTF-8",
        "knowledge/topics/drafts.yaml:0: is a directory, not a file",
        "knowledge/walkthrough.yaml:0: missing: the guided walkthrough needs this file",
    ]
    for number, (what, breaks) in enumerate(broken.items(), 1):
        breaks()
        state = await knowledge_state(http, server, lambda s, n=number: len(s["errors"]) == n)
        assert state["reload"] == "failed" and state["version"] == 2, what
        assert state["errors"] == sorted(expected[:number]), what
        assert "Reload Probe Service" in (await bot.ask(PROBE)).shown, what  # still served
    log = server.log()
    assert all(f"ERROR bot.hosting.reload: {line}" in log for line in expected), log
    assert "Traceback" not in log

    (knowledge / "walkthrough.yaml.off").rename(knowledge / "walkthrough.yaml")
    (knowledge / "topics" / "drafts.yaml").rmdir()
    (knowledge / "topics" / "reload-probe.yaml").unlink()
    state = await knowledge_state(http, server, lambda s: s["version"] == 3)
    assert (state["reload"], state["errors"]) == ("ok", [])
    assert (await bot.ask(PROBE)).text == unknown


# -- broken files at start-up and in `archbot kb check` -------------------------------------


def _break_latin1(root: Path) -> str:
    path = root / "topics" / "concepts.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.index("summary:")
    path.write_bytes((text[:line] + "summary: café " + text[line + 9 :]).encode("latin-1"))
    number = text[:line].count("\n") + 1
    return f"knowledge/topics/concepts.yaml:{number}: not UTF-8 (byte 0xe9)"


def _break_directory(root: Path) -> str:
    (root / "topics" / "something.yaml").mkdir()
    return "knowledge/topics/something.yaml:0: is a directory, not a file"


def _break_walkthrough(root: Path) -> str:
    (root / "walkthrough.yaml").unlink()
    return "knowledge/walkthrough.yaml:0: missing: the guided walkthrough needs this file"


BREAKAGES = [_break_latin1, _break_directory, _break_walkthrough]


def _archbot(knowledge: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(ARCHBOT_KNOWLEDGE=str(knowledge), ARCHBOT_STORAGE="memory://")
    return subprocess.run(
        [sys.executable, "-m", "bot.operations.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("breaks", BREAKAGES, ids=["latin-1", "directory", "no-walkthrough"])
def test_kb_check_reports_a_broken_file_as_file_line_message(knowledge, breaks):
    line = breaks(knowledge)
    done = _archbot(knowledge, "kb", "check")
    assert done.returncode != 0
    assert f"  {line}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize("breaks", BREAKAGES, ids=["latin-1", "directory", "no-walkthrough"])
def test_serve_refuses_to_start_on_a_broken_file(knowledge, breaks):
    line = breaks(knowledge)
    done = _archbot(knowledge, "serve", "--port", str(free_port()))
    assert done.returncode != 0
    assert f"  {line}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
