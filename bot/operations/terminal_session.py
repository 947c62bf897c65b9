"""`archbot ask` and `archbot chat`: the bot in the terminal, through the same handler as every
channel (an in-process adapter instead of HTTP), its replies rendered by bot/operations/terminal.py.

Conversation state lives in memory (a terminal conversation ends with the process); unanswered
questions go to the same feedback database as the server's, so `archbot kb gaps` lists them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import sys
from typing import Any, TextIO

from botbuilder.schema import Activity, ActivityTypes

from bot.hosting.inprocess import InProcessAdapter
from bot.hosting.runtime import MEMORY_URL, Runtime, build_runtime
from bot.operations.config import Settings
from bot.operations.terminal import BOLD, NOT_BOLD, Style, choices, render
from bot.recognizer import TRACE_NAME
from bot.state.feedback import feedback_path

QUIT = {"/quit", "/exit", "quit", "exit"}
"""What leaves the terminal conversation (a bare "quit" too: what a terminal user types)."""


def terminal_runtime() -> Runtime:
    """The bot with state in memory and feedback where the server keeps it."""
    settings = Settings.from_env()
    return build_runtime(
        dataclasses.replace(settings, storage=MEMORY_URL),
        feedback_db=feedback_path(settings.storage),
    )


def _messages(replies: list[Activity]) -> list[Activity]:
    return [a for a in replies if a.type == ActivityTypes.message]


def _buttons(activity: Activity) -> list[tuple[str, str]]:
    """(title, what clicking it says) for each suggested action."""
    actions = activity.suggested_actions.actions if activity.suggested_actions else []
    return [(a.title, str(a.value if a.value is not None else a.title)) for a in actions]


def show(activity: Activity, style: Style, numbered: bool) -> str:
    """One message as the terminal shows it: its text, then its buttons."""
    parts = [render(activity.text or "", style)]
    titles = [title for title, _ in _buttons(activity)]
    if titles:
        parts.append(choices(titles, style, numbered))
    return "\n\n".join(part for part in parts if part)


async def ask(question: str, as_json: bool, out: TextIO = sys.stdout) -> int:
    """Answer one question and print the answer (or, with `as_json`, the decision and reply)."""
    runtime = terminal_runtime()
    try:
        adapter = InProcessAdapter(max_routed_chars=runtime.settings.max_routed_chars)
        conversation = adapter.new_conversation()
        replies = await adapter.process(
            adapter.message(conversation, question), runtime.handler.on_turn
        )
    finally:
        runtime.close()
    messages = _messages(replies)
    if as_json:
        trace: dict[str, Any] = next((a.value for a in replies if a.name == TRACE_NAME), {}) or {}
        report = {
            "topic": trace.get("topIntent"),
            "score": trace.get("topScore"),
            "outcome": trace.get("outcome"),
            "reply": "\n\n".join(show(a, Style(ansi=False, width=None), False) for a in messages),
            "markdown": "\n\n".join(a.text or "" for a in messages),
        }
        print(json.dumps(report, indent=2, ensure_ascii=False), file=out)
    else:
        style = Style.for_stream(out)
        print("\n\n".join(show(a, style, numbered=False) for a in messages), file=out)
    return 0


async def chat(stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """A conversation until end of input or /quit. A number answers with that button."""
    runtime = terminal_runtime()
    if not gc.isenabled():  # `archbot chat` starts with it off (cli.py): collect once, keep the
        gc.collect()  # knowledge base and indexes out of later collections, turn it back on
        gc.freeze()
        gc.enable()
    style = Style.for_stream(out)
    name = f"{BOLD}ArchBot{NOT_BOLD}" if style.ansi else "ArchBot"
    prompt = f"{BOLD}you>{NOT_BOLD} " if style.ansi else "you> "
    adapter = InProcessAdapter(max_routed_chars=runtime.settings.max_routed_chars)
    conversation = adapter.new_conversation()
    buttons: list[tuple[str, str]] = []

    async def turn(activity: Activity) -> None:
        nonlocal buttons
        buttons = []  # a number answers the newest buttons only
        for message in _messages(await adapter.process(activity, runtime.handler.on_turn)):
            print(f"{name}\n{show(message, style, numbered=True)}\n", file=out, flush=True)
            buttons = _buttons(message) or buttons

    def read() -> str:
        out.write(prompt)
        out.flush()
        line = stdin.readline()
        if not line:
            raise EOFError
        return line.strip()

    try:
        await turn(adapter.join(conversation))
        while True:
            try:
                line = await asyncio.to_thread(read)
            except (EOFError, KeyboardInterrupt):
                print(file=out)
                return 0
            if line.lower() in QUIT:
                return 0
            if line.isdigit() and 1 <= int(line) <= len(buttons):
                line = buttons[int(line) - 1][1]
            if line:
                await turn(adapter.message(conversation, line))
    finally:
        runtime.close()
