"""A real browser chats with ArchBot through its own page: Web Chat over the bot's Direct Line.

Headless Debian Chromium driven by playwright-core (`tests/browser/webchat.cjs`, run with node)
against a real `archbot serve` on the real knowledge base, on a 375 px phone polling and on a
desktop over WebSockets: the welcome, a typed question and its answer with readable 👍 / 👎
(this machine has no emoji font), "help" and a click on a button (a suggested action or, where
Web Chat gets Adaptive Cards, a card's button), the guided walkthrough clicked through to its
recommendation — each click shown as the user's own message, no button label cut with "…" —
its architecture diagram loaded as an image that fits the screen, "Export decision record"
giving a link that downloads the markdown record, screenshots into `test-artifacts/`
(scripts/webchat_screenshots.sh copies them to docs/screenshots/), and the page's explanation
when the Web Chat bundle is missing.

What to type and what each answer must contain come from the same knowledge base, run
in-process, so the test follows the knowledge base as it changes.

Needs node, /usr/bin/chromium, playwright-core in .tools/browser and web/vendor/webchat.js
(`make setup` installs them). When one is missing the test is skipped, or fails if CI is set.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import Activity, ActivityTypes

from bot.hosting.inprocess import InProcessAdapter
from bot.hosting.runtime import MEMORY_URL, build_runtime
from bot.operations.config import Settings
from dialogs.walkthrough_dialog import EXPORT_LABEL

from ..e2e.conftest import REAL_KNOWLEDGE, REPO_ROOT, ArchBotFactory, ArchBotServer
from .tools import require_tools, run_script

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("webchat.cjs")
ARTIFACTS = Path(os.environ.get("ARCHBOT_BROWSER_ARTIFACTS", REPO_ROOT / "test-artifacts"))
BUNDLE = REPO_ROOT / "web" / "vendor" / "webchat.js"
RUN_TIMEOUT_SECONDS = 60

QUESTION = "how do I transcribe audio recordings"
WALKTHROUGH_OPENER = "help me pick an architecture"
ADVICE = "the speech to text gets our product names wrong every time, what do you suggest?"
"""Advice on a need the knowledge answers: the answer, then the walkthrough's first question."""
WALKTHROUGH_TRACE = "Recommendation"
MAX_WALKTHROUGH_CLICKS = 12


@pytest.fixture(scope="module")
def browser_tools() -> None:
    require_tools("the browser test", {BUNDLE: "scripts/setup/20-webchat.sh"})


# -- the plan: what to do in the browser, and what each answer must show ----------------------


def fragment(markdown: str) -> str:
    """A plain run of words from a markdown reply, as the rendered page shows it."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*_`#>]", "", text)
    runs = re.findall(r"[A-Za-z0-9][A-Za-z0-9 ,]{11,}", text)
    assert runs, f"no plain text to look for in {markdown!r}"
    run = max(runs[:3], key=len)[:40]
    return run.rsplit(" ", 1)[0] if len(run) == 40 and " " in run else run.strip()


def _card_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for key, value in node.items() if key != "text" for t in _card_texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _card_texts(item)]
    return []


def shown_text(activity: Activity) -> str:
    """The message's text, or the text blocks of its cards when it has none."""
    if activity.text:
        return activity.text
    return "\n".join(t for a in activity.attachments or [] for t in _card_texts(a.content))


def has_votes(activity: Activity) -> bool:
    """True when the message offers 👍 / 👎 card buttons."""
    found = json.dumps([a.content for a in activity.attachments or []])
    return '"archbot": "feedback"' in found


def _card_buttons(node: Any) -> list[dict[str, str]]:
    if isinstance(node, dict):
        data = node.get("data")
        own = []
        if isinstance(data, dict) and data.get("archbot") == "say":
            own = [{"card": node["title"], "said": data["text"]}]
        return own + [b for value in node.values() for b in _card_buttons(value)]
    if isinstance(node, list):
        return [b for item in node for b in _card_buttons(item)]
    return []


def suggestions(activity: Activity) -> list[dict[str, str]]:
    """Each button that sends a message: a suggested action as {"click": title, "said": value},
    a card's button as {"card": title, "said": the text it stands for} (the page posts a card
    click with that text, so it shows as the user's message)."""
    actions = activity.suggested_actions.actions if activity.suggested_actions else []
    found = [{"click": a.title, "said": str(a.value)} for a in actions]
    return found + [b for a in activity.attachments or [] for b in _card_buttons(a.content)]


async def build_plan(knowledge: Path) -> dict[str, Any]:
    """Run the conversation in-process (emulator channel, to see the walkthrough's trace)."""
    settings = dataclasses.replace(Settings(), storage=MEMORY_URL, knowledge_dir=knowledge)
    runtime = build_runtime(settings)
    adapter = InProcessAdapter(channel_id="emulator")
    conversation = adapter.new_conversation()
    unknown = runtime.handler.replies.unknown().text

    async def turn(activity: Activity) -> tuple[Activity, list[Activity]]:
        sent = await adapter.process(activity, runtime.handler.on_turn)
        messages = [a for a in sent if a.type == ActivityTypes.message]
        assert messages, f"no reply to {activity.text!r}"
        return messages[-1], sent

    try:
        welcome, _ = await turn(adapter.join(conversation))
        steps: list[dict[str, Any]] = []

        answer, _ = await turn(adapter.message(conversation, QUESTION))
        assert answer.text != unknown, f"the knowledge base does not answer {QUESTION!r}"
        steps.append(
            {
                "send": QUESTION,
                "expect": fragment(shown_text(answer)),
                "label": "question",
                "votes": has_votes(answer),
            }
        )

        if getattr(runtime.handler.dialog, "walkthrough", None) is not None:
            advice, _ = await turn(adapter.message(conversation, ADVICE))
            steps.append(
                {"send": ADVICE, "expect": fragment(shown_text(advice)), "label": "advice"}
            )
            assert suggestions(advice), f"no walkthrough question after {ADVICE!r}"
            cancelled, _ = await turn(adapter.message(conversation, "cancel"))
            steps.append(
                {"send": "cancel", "expect": fragment(shown_text(cancelled)), "label": "cancel"}
            )

        help_reply, _ = await turn(adapter.message(conversation, "help"))
        if suggestions(help_reply):  # example topics as buttons, when the KB names some
            steps.append(
                {"send": "help", "expect": fragment(shown_text(help_reply)), "label": "help"}
            )
            button = suggestions(help_reply)[0]
            clicked, _ = await turn(adapter.message(conversation, button["said"]))
            steps.append(
                {
                    **button,
                    "expect": fragment(shown_text(clicked)),
                    "label": "button",
                }
            )

        walkthrough = getattr(runtime.handler.dialog, "walkthrough", None) is not None
        diagram = None
        if walkthrough:
            reply, sent = await turn(adapter.message(conversation, WALKTHROUGH_OPENER))
            steps.append(
                {
                    "send": WALKTHROUGH_OPENER,
                    "expect": fragment(shown_text(reply)),
                    "label": "walkthrough start",
                }
            )
            for n in range(1, MAX_WALKTHROUGH_CLICKS + 1):
                assert suggestions(reply), f"the walkthrough offers no buttons: {reply.text!r}"
                button = suggestions(reply)[0]
                reply, sent = await turn(adapter.message(conversation, button["said"]))
                steps.append(
                    {
                        **button,
                        "expect": fragment(shown_text(reply)),
                        "label": f"walkthrough answer {n}",
                    }
                )
                traces = [a for a in sent if a.type == ActivityTypes.trace]
                recommended = [a.value for a in traces if a.name == WALKTHROUGH_TRACE]
                if recommended:
                    diagram = {"title": recommended[0]["title"], "export": EXPORT_LABEL}
                    break
            else:
                pytest.fail(f"no recommendation after {MAX_WALKTHROUGH_CLICKS} clicks")
        assert any("click" in step or "card" in step for step in steps), (
            "nothing to click: neither help nor a walkthrough offers buttons"
        )
        return {
            "welcome": fragment(shown_text(welcome)),
            "steps": steps,
            "walkthrough": walkthrough,
            "diagram": diagram,
        }
    finally:
        runtime.close()


# -- the test ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan(browser_tools: None) -> dict[str, Any]:
    return asyncio.run(build_plan(REAL_KNOWLEDGE))


@pytest.fixture(scope="module")
def web_server(browser_tools: None, archbot_module_factory: ArchBotFactory) -> ArchBotServer:
    return archbot_module_factory(knowledge=REAL_KNOWLEDGE, env={"DirectLineSecret": ""})


@pytest.mark.parametrize(
    ("transport", "viewport"), [("polling", "phone"), ("websocket", "desktop")]
)
def test_a_browser_chats_through_the_page(
    transport: str, viewport: str, plan: dict[str, Any], web_server: ArchBotServer, tmp_path: Path
) -> None:
    output = run_script(
        SCRIPT,
        {
            **plan,
            "baseUrl": web_server.base_url,
            "transport": transport,
            "viewport": viewport,
            "artifacts": str(ARTIFACTS),
        },
        tmp_path,
        RUN_TIMEOUT_SECONDS,
    )
    assert (ARTIFACTS / f"webchat-{viewport}-chat.png").is_file()
    print(output)
