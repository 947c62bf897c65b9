"""The terminal: replies rendered for a terminal (bold, bullets, wrapped lines, links) or plain text
(a pipe, `--json`), and `archbot ask` / `archbot chat` run as real processes on the real knowledge
base, their unanswered questions reaching `archbot kb gaps`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.operations.terminal import PLAIN, Style, choices, render, visible_length

from .paths import REPO_ROOT

MARKDOWN = (
    "**Azure AI Speech**: turns speech into text, see [the docs](https://learn.microsoft.com/x).\n"
    "\n"
    "**Use it when**\n"
    "- Captions, call-centre or meeting transcription, voice interfaces and *spoken* output.\n"
    "- Recorded calls.\n"
)
ESCAPE = re.compile(r"\x1b")
RAW_MARKDOWN = re.compile(r"\*\*|\]\(|^\s*[-*] ", re.MULTILINE)
UNKNOWN = "qwzx plorb frindle"


def test_a_terminal_gets_bold_bullets_links_and_lines_that_fit() -> None:
    shown = render(MARKDOWN, Style(ansi=True, width=40))
    assert "\x1b[1mAzure AI Speech\x1b[22m" in shown and "\x1b[1mUse it when\x1b[22m" in shown
    assert "\x1b[3mspoken\x1b[23m" in shown
    assert "\x1b]8;;https://learn.microsoft.com/x\x1b\\" in shown  # a clickable link
    assert "(https://learn.microsoft.com/x)" in shown  # and its address, for other terminals
    assert "  • Captions" in shown
    lines = shown.splitlines()
    long_words = [line for line in lines if " " not in line.strip()]
    assert all(visible_length(line) <= 40 for line in lines if line not in long_words)
    bullet = lines.index(next(line for line in lines if "Captions" in line))
    assert lines[bullet + 1].startswith("    ") and not lines[bullet + 1].startswith("    •")
    assert not RAW_MARKDOWN.search(ESCAPE.sub("", shown).replace("•", ""))


def test_plain_output_has_no_escape_codes_no_markers_and_no_wrapping() -> None:
    shown = render(MARKDOWN, PLAIN)
    assert not ESCAPE.search(shown)
    assert "**" not in shown and "](" not in shown and "*spoken*" not in shown
    assert (
        "Azure AI Speech: turns speech into text, see the docs (https://learn.microsoft.com/x)."
        in (shown)
    )
    assert (
        "  • Captions, call-centre or meeting transcription, voice interfaces and spoken output."
        in (shown)
    )
    assert choices(["Yes", "No"], PLAIN, numbered=True) == "  1) Yes\n  2) No"


def test_style_follows_the_stream(tmp_path: Path) -> None:
    with open(tmp_path / "out.txt", "w") as file:
        assert Style.for_stream(file) == PLAIN


def archbot(*args: str, env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot.operations.cli", *args],
        cwd=REPO_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=True,
    )
    return done.stdout


def test_ask_prints_plain_text_to_a_pipe_and_json_with_the_decision(tmp_path: Path) -> None:
    env = {"ARCHBOT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    answer = archbot("ask", "how do I transcribe audio recordings", env=env)
    assert "Azure AI Speech" in answer
    assert not ESCAPE.search(answer) and not RAW_MARKDOWN.search(answer), answer
    report = json.loads(archbot("ask", "--json", "how do I transcribe audio recordings", env=env))
    assert report["outcome"] and report["topic"]
    assert "](" in report["markdown"] and "](" not in report["reply"]  # links: markdown / plain


def test_ask_routes_only_as_much_text_as_the_setting_allows(tmp_path: Path) -> None:
    env = {"ARCHBOT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    said = "hello! what is prompt flow?"
    assert json.loads(archbot("ask", "--json", said, env=env))["topic"].startswith("prompt-flow")
    bounded = {**env, "ARCHBOT_MAX_ROUTED_CHARS": "6"}  # "hello!" is all that is read
    assert json.loads(archbot("ask", "--json", said, env=bounded))["topic"] == "greeting"


def test_the_terminals_unanswered_questions_reach_kb_gaps(tmp_path: Path) -> None:
    """State as the server keeps it (SQLite), feedback beside it: `ask` writes the gap there."""
    env = {"ARCHBOT_STORAGE": f"sqlite:///{tmp_path / 'state.sqlite3'}"}
    clean = {k: v for k, v in os.environ.items() if k != "ARCHBOT_FEEDBACK_DB"}
    report = json.loads(archbot("ask", "--json", UNKNOWN, env={**clean, **env}))
    assert report["outcome"] == "none", report
    gaps = archbot("kb", "gaps", env={**clean, **env})
    assert UNKNOWN in gaps
    assert (tmp_path / "state-feedback.sqlite3").is_file()
    assert not (tmp_path / "state.sqlite3").exists()  # the terminal's own state stays in memory


def test_chat_answers_and_a_number_clicks_that_button(tmp_path: Path) -> None:
    env = {"ARCHBOT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    shown = archbot("chat", env=env, stdin="help\n1\n/quit\n")
    assert not ESCAPE.search(shown) and "**" not in shown
    first = re.search(r"^  1\) (.+)$", shown, re.MULTILINE)
    assert first, shown
    after = shown.split("you> ")[-2]  # what the bot said to "1"
    assert "1)" in shown and after.strip() and "I don't know" not in after, after


def test_chat_ends_on_a_bare_quit_without_answering_it(tmp_path: Path) -> None:
    env = {"ARCHBOT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    shown = archbot("chat", env=env, stdin="quit\nwhat is rag?\n")
    assert shown.count("you> ") == 1  # the welcome, then "quit" ends it: no answer to either
    assert "I don't know" not in shown and "retrieval step" not in shown
