"""The evaluation harness: scores ArchBot on the shared evaluation sets the way a user meets it.

Every message goes through the whole bot, in-process: the runtime `archbot chat` builds
(`bot/hosting/runtime.py`: handler, root dialog, walkthrough, recognizer, state), on the
in-process adapter (`bot/hosting/inprocess.py`), with state in memory (`memory://`). Conversations
are on the `emulator` channel, as in tests/e2e/test_dev_set.py: replies are Adaptive Cards, as in
Teams and Web Chat, and the walkthrough sends its `Recommendation` trace. Each conversation
starts as a chat window does (a conversationUpdate: the welcome, not scored), with its own user.

Usage:
    python bench/eval.py [SET ...] [--verbose] [--json OUT] [--knowledge DIR] [--fusion FILE]

SET is a YAML file (or a folder of them); default: ../shared/eval/{dev,dev2,calibration}.yaml.
`--verbose` lists every failure with the first 200 characters of the reply; `--json OUT` writes
every result and figure (`-`: standard output).

What is scored (what the user sees = each message's text and its cards' TextBlocks / TextRuns):

- cases (`id`, `say`, `kind`, `expect_any`), each in a fresh conversation. In scope (every kind
  but `out_of_scope`): passes when the bot answered (did not decline) and one of `expect_any`
  appears, case-insensitively, in what the user sees. `out_of_scope`: passes when it declines.
  `choice` cases are reported as "situations".
- dialogues (`id`, `turns` of `say` + `expect_any`): all turns in one conversation, each scored
  like a case; a turn with `expect_decline: true` or `kind: out_of_scope` must be declined, a turn
  with neither `expect_any` nor a decline expected (a walkthrough opener) must not be. A dialogue
  is fully right when every turn passes.
- walkthroughs (`id`, `opener`, `profile`, `prefer`, `expect_any`), each in a fresh
  conversation: the opener must start the walkthrough (a question with choices). The profile
  paragraph is then typed as the first answer; every further question is answered by clicking the
  choice whose label best fits the `prefer` words (a card click: a message with the button's data
  as `value` and no text). When no choice fits any word, the profile is typed once more for that
  question, then the best (first) choice is clicked. Passes when a recommendation arrives within
  15 messages and names one of `expect_any`.

A decline is read from the turn's RecognizerResult, which the recognizer keeps in the turn state
(`bot.recognizer.RESULT_KEY`, set by `recognize_once` when a message arrives with no dialog in
progress, and by the walkthrough when it gives the recognizer's own reply to a message on the
way: a question's answer, or a decline followed by a reminder of its question): the message was
declined when the decision it carries is not a confident answer (the reply is "I don't know" or
"Did you mean …?": the recognizer's top intent "None") and the message did not start the
walkthrough. A message the walkthrough takes (an answer, a command, a question asked
mid-walkthrough, which it asks its question again after) is never a decline. The decision's
outcome is used rather than `get_top_scoring_intent()`, because a confident answer scored below
0.5 has its "None" score (1 - score) above its own; the report counts such turns.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.conversation: what the user reads in a card

from botbuilder.core import RecognizerResult, TurnContext  # noqa: E402
from botbuilder.schema import ActionTypes, Activity, ActivityTypes  # noqa: E402
from botframework.connector import Channels  # noqa: E402

from bot.channels.teams import clicked_text  # noqa: E402
from bot.core.hybrid import FusionModel  # noqa: E402
from bot.core.kb import Walkthrough, WalkthroughQuestion  # noqa: E402
from bot.core.loader import KnowledgeError  # noqa: E402
from bot.core.router import Outcome  # noqa: E402
from bot.hosting.inprocess import InProcessAdapter  # noqa: E402
from bot.hosting.runtime import MEMORY_URL, Runtime, build_runtime  # noqa: E402
from bot.operations.config import Settings  # noqa: E402
from bot.recognizer import (  # noqa: E402
    DECISION_PROPERTY,
    NONE_INTENT,
    RESULT_KEY,
    UNDERSTOOD_PROPERTY,
)
from dialogs.walkthrough_dialog import TRACE_NAME as RECOMMENDATION_TRACE  # noqa: E402
from tests.conversation import card_elements, cards  # noqa: E402

SHARED_EVAL = Path(os.environ.get("ARCHBOT_EVAL_DIR", ROOT.parent / "shared" / "eval"))
"""The shared development sets (ARCHBOT_EVAL_DIR: elsewhere, as from a worktree outside /work)."""
DEFAULT_SETS = tuple(SHARED_EVAL / f"{name}.yaml" for name in ("dev", "dev2", "calibration"))
CHANNEL = Channels.emulator.value
MAX_WALKTHROUGH_TURNS = 15
OUT_OF_SCOPE = "out_of_scope"
SITUATIONS = "choice"
KINDS = ("definition", SITUATIONS, "compare", "howto", "reference", "story", "smalltalk")
KIND_LABELS = {SITUATIONS: "situations (choice)"}
REPLY_CHARS = 200


# -- one message and what the bot did with it ------------------------------------------------


@dataclass(frozen=True)
class Button:
    """A button that sends a message: a card's Action.Submit (its data arrives as `value`) or a
    suggested action (its value arrives as typed text)."""

    title: str
    value: Any
    card: bool

    @property
    def says(self) -> str:
        return clicked_text(self.value) if self.card else str(self.value or "")


@dataclass
class Exchange:
    """One user message (typed or clicked) and the bot's reply to it."""

    conversation: str
    sent: str
    clicked: bool
    shown: str
    declined: bool
    top_intent: str | None
    """The RecognizerResult's top intent, when the message was routed with no dialog running."""
    outcome: str | None
    """The router's outcome (answer / ambiguous / none), likewise."""
    asked: str | None = None
    """Id of the walkthrough question the reply ends with."""
    choices: list[Button] = field(default_factory=list)
    recommendation: dict[str, Any] | None = None
    """The walkthrough's `Recommendation` trace, when the reply is its memo."""
    error: str | None = None
    context: str | None = None
    """How the conversation's focus shaped the reading (the RecognizerResult's `context`)."""

    @property
    def in_walkthrough(self) -> bool:
        return self.asked is not None or self.recommendation is not None

    @property
    def answered_as_none(self) -> bool:
        """A confident answer whose RecognizerResult still has "None" on top."""
        return self.outcome == Outcome.ANSWER.value and self.top_intent == NONE_INTENT

    @property
    def declined_by_top_intent(self) -> bool:
        """The decline as tests/e2e/test_dev_set.py reads it: the top intent alone."""
        if self.top_intent is None or self.in_walkthrough:
            return self.declined
        return self.top_intent == NONE_INTENT

    def to_json(self) -> dict[str, Any]:
        return {
            "conversation": self.conversation,
            "sent": self.sent,
            "clicked": self.clicked,
            "reply": self.shown,
            "declined": self.declined,
            "top_intent": self.top_intent,
            "outcome": self.outcome,
            "asked": self.asked,
            "choices": [b.title for b in self.choices],
            "recommendation": self.recommendation,
            "error": self.error,
            "context": self.context,
        }


def reads(message: Activity) -> str:
    """What the user reads in a message: its text, or its cards' TextBlocks (a heading in
    markdown bold) and TextRuns, in order. Not the cards' buttons, not their fallbackText, and not
    their subtle chrome, the same on every card ("Was this helpful?", "Pick one, or type your
    answer."), which would match words like "help" whatever the answer."""
    parts = [message.text] if message.text else []
    for card in cards(message):
        for element in card_elements(card):
            if element.get("type") == "TextBlock" and not element.get("isSubtle"):
                text = str(element.get("text") or "")
                parts.append(f"**{text}**" if element.get("style") == "heading" else text)
            elif element.get("type") == "TextRun":
                parts.append(str(element.get("text") or ""))
    return "\n\n".join(p for p in parts if p)


def buttons_of(message: Activity) -> list[Button]:
    """The buttons of a message that send something (not 👍 / 👎, not links)."""
    found = []
    for card in cards(message):
        for element in card_elements(card):
            data = element.get("data")
            if element.get("type") == "Action.Submit" and clicked_text(data):
                found.append(Button(str(element.get("title") or ""), data, card=True))
    actions = message.suggested_actions.actions if message.suggested_actions else None
    for action in actions or []:
        if action.type == ActionTypes.im_back:
            found.append(Button(action.title or "", action.value, card=False))
    return found


def walkthrough_question(
    walkthrough: Walkthrough | None, messages: list[Activity]
) -> tuple[WalkthroughQuestion | None, list[Button]]:
    """The walkthrough question the reply ends with, and its choices as offered (None when the
    last message asks none of the walkthrough's questions with buttons)."""
    if walkthrough is None or not messages:
        return None, []
    last = messages[-1]
    text = reads(last)
    asked = [q for q in walkthrough.questions if q.ask in text]
    if not asked:
        return None, []
    question = max(asked, key=lambda q: text.rfind(q.ask))
    buttons = buttons_of(last)
    labels = {c.label.casefold() for c in question.choices}
    choices = [b for b in buttons if b.says.casefold() in labels] or buttons  # a short title
    return (question, choices) if choices else (None, [])


def declined_by(result: RecognizerResult | None) -> tuple[bool, str | None, str | None]:
    """(declined, top intent, outcome) of a turn's top-level RecognizerResult."""
    if result is None:
        return False, None, None  # not routed at top level: the walkthrough took the message
    top_intent = result.get_top_scoring_intent().intent if result.intents else None
    decision = (result.properties or {}).get(DECISION_PROPERTY)
    outcome = getattr(decision, "outcome", None)
    if outcome is None:  # a result without the router's decision: its top intent decides
        return top_intent == NONE_INTENT, top_intent, None
    return outcome is not Outcome.ANSWER, top_intent, str(outcome.value)


class EvalBot:
    """The whole bot, in-process; `session()` opens a fresh conversation with a fresh user."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.walkthrough = runtime.kb.walkthrough
        self.messages = 0
        """User messages sent so far (welcomes not counted)."""
        self._sessions = 0

    def session(self) -> Session:
        self._sessions += 1
        return Session(self, f"eval-user-{self._sessions}")


class Session:
    """One conversation: every message goes through `ArchBotHandler.on_turn`."""

    def __init__(self, bot: EvalBot, user_id: str) -> None:
        self.bot = bot
        self.adapter = InProcessAdapter(channel_id=CHANNEL, user_id=user_id)
        self.conversation = self.adapter.new_conversation()
        self.joined = False

    @property
    def id(self) -> str:
        return self.conversation.id

    async def say(self, text: str) -> Exchange:
        """The user types `text`."""
        return await self._send(self.adapter.message(self.conversation, text), text, False)

    async def click(self, button: Button) -> Exchange:
        """The user clicks a button: a card's sends its data as `value` with no text."""
        activity = self.adapter.message(self.conversation, button.says)
        if button.card:
            activity.text = None
            activity.value = button.value
        return await self._send(activity, button.title, True)

    async def _send(self, activity: Activity, sent: str, clicked: bool) -> Exchange:
        handler = self.bot.runtime.handler
        if not self.joined:  # as a chat window opens: the welcome first
            self.joined = True
            await self.adapter.process(self.adapter.join(self.conversation), handler.on_turn)
        seen: dict[str, Any] = {}

        async def logic(context: TurnContext) -> None:
            try:
                await handler.on_turn(context)
            except Exception as error:
                seen["error"] = f"{type(error).__name__}: {error}"
                raise  # the adapter's on_turn_error logs it and tells the user
            finally:
                seen["result"] = context.turn_state.get(RESULT_KEY)

        activities = await self.adapter.process(activity, logic)
        self.bot.messages += 1
        messages = [a for a in activities if a.type == ActivityTypes.message]
        recommendation = next(
            (
                a.value
                for a in activities
                if a.type == ActivityTypes.trace and a.name == RECOMMENDATION_TRACE
            ),
            None,
        )
        question, choices = walkthrough_question(self.bot.walkthrough, messages)
        result = seen.get("result")
        declined, top_intent, outcome = declined_by(result)
        understood = (result.properties or {}).get(UNDERSTOOD_PROPERTY) if result else None
        started = question is not None or recommendation is not None
        return Exchange(
            conversation=self.id,
            sent=sent,
            clicked=clicked,
            shown="\n\n".join(p for p in (reads(m) for m in messages) if p),
            declined=declined and not started,
            top_intent=top_intent,
            outcome=outcome,
            asked=question.id if question else None,
            choices=choices,
            recommendation=recommendation,
            error=seen.get("error"),
            context=understood.context if understood is not None else None,
        )


# -- scoring ---------------------------------------------------------------------------------


def names_any(expect_any: Iterable[Any], text: str) -> bool:
    """True when one of the expected strings appears in `text`, case-insensitively."""
    lowered = text.casefold()
    return any(str(expected).casefold() in lowered for expected in expect_any)


def expects_decline(item: dict[str, Any]) -> bool:
    """A case or turn that the bot must decline."""
    return item.get("kind") == OUT_OF_SCOPE or bool(item.get("expect_decline"))


def judge(item: dict[str, Any], exchange: Exchange, *, by_top_intent: bool = False) -> bool:
    """A case's or a dialogue turn's verdict (see the module's docstring); `by_top_intent`
    reads the decline from the RecognizerResult's top intent alone instead."""
    if exchange.error is not None:
        return False
    declined = exchange.declined_by_top_intent if by_top_intent else exchange.declined
    if expects_decline(item):
        return declined
    if declined:
        return False
    expected = item.get("expect_any") or []
    return not expected or names_any(expected, exchange.shown)


_WORDS = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.casefold())


def _same_word(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    if short == long:
        return True
    if len(short) >= 4:
        return long.startswith(short)  # train / training, model / models
    return len(short) == 3 and long == short + "s"  # gpu / gpus


def fit(prefer: Sequence[str], label: str) -> float:
    """How well a choice's label fits the preferred words: per preferred phrase, the share of
    its words the label has (a word matches its plural and longer forms)."""
    label_words = _words(label)
    score = 0.0
    for phrase in prefer:
        words = _words(str(phrase))
        if words:
            hits = sum(any(_same_word(w, lw) for lw in label_words) for w in words)
            score += hits / len(words)
    return score


def best_choice(choices: Sequence[Button], prefer: Sequence[str]) -> tuple[Button, float]:
    """The choice whose label (or the text it sends) best fits `prefer`; the first on a tie."""
    scored = [
        (max(fit(prefer, b.title), fit(prefer, b.says)), -i, b) for i, b in enumerate(choices)
    ]
    score, _, button = max(scored, key=lambda s: (s[0], s[1]))
    return button, score


@dataclass
class CaseResult:
    case: dict[str, Any]
    exchange: Exchange
    passed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.case.get("id"),
            "kind": self.case.get("kind"),
            "say": self.case.get("say"),
            "expect_any": self.case.get("expect_any"),
            "passed": self.passed,
            **self.exchange.to_json(),
        }


@dataclass
class DialogueResult:
    dialogue: dict[str, Any]
    turns: list[CaseResult]

    @property
    def fully_right(self) -> bool:
        return all(t.passed for t in self.turns)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.dialogue.get("id"),
            "fully_right": self.fully_right,
            "turns": [t.to_json() for t in self.turns],
        }


@dataclass
class WalkthroughResult:
    walkthrough: dict[str, Any]
    exchanges: list[Exchange]
    started: bool
    passed: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        last = self.exchanges[-1] if self.exchanges else None
        return {
            "id": self.walkthrough.get("id"),
            "expect_any": self.walkthrough.get("expect_any"),
            "started": self.started,
            "passed": self.passed,
            "reason": self.reason,
            "recommended": (last.recommendation or {}).get("services") if last else None,
            "exchanges": [e.to_json() for e in self.exchanges],
        }


async def run_case(bot: EvalBot, case: dict[str, Any]) -> CaseResult:
    exchange = await bot.session().say(str(case["say"]))
    return CaseResult(case, exchange, judge(case, exchange))


async def run_dialogue(bot: EvalBot, dialogue: dict[str, Any]) -> DialogueResult:
    session = bot.session()
    turns = []
    for turn in dialogue["turns"]:
        exchange = await session.say(str(turn["say"]))
        turns.append(CaseResult(turn, exchange, judge(turn, exchange)))
    return DialogueResult(dialogue, turns)


async def run_walkthrough(bot: EvalBot, walkthrough: dict[str, Any]) -> WalkthroughResult:
    session = bot.session()
    profile = str(walkthrough["profile"])
    prefer = [str(p) for p in walkthrough.get("prefer") or []]
    exchange = await session.say(str(walkthrough["opener"]))
    exchanges = [exchange]
    started = exchange.in_walkthrough
    if not started:
        return WalkthroughResult(walkthrough, exchanges, False, False, "did not start")
    typed_for: set[str] = set()
    while exchange.recommendation is None and exchange.asked is not None:
        if len(exchanges) >= MAX_WALKTHROUGH_TURNS:
            break
        if not typed_for:  # the first answer: the profile paragraph, typed
            typed_for.add(exchange.asked)
            exchange = await session.say(profile)
        else:
            button, score = best_choice(exchange.choices, prefer)
            if score == 0 and exchange.asked not in typed_for:
                typed_for.add(exchange.asked)
                exchange = await session.say(profile)
            else:
                exchange = await session.click(button)
        exchanges.append(exchange)
    if exchange.recommendation is None:
        reason = (
            f"no recommendation within {MAX_WALKTHROUGH_TURNS} messages"
            if exchange.asked is not None
            else "left the walkthrough without a recommendation"
        )
        return WalkthroughResult(walkthrough, exchanges, True, False, reason)
    if names_any(walkthrough.get("expect_any") or [], exchange.shown):
        return WalkthroughResult(walkthrough, exchanges, True, True, "recommended")
    return WalkthroughResult(walkthrough, exchanges, True, False, "recommended something else")


# -- a set -----------------------------------------------------------------------------------


@dataclass
class SetResult:
    name: str
    path: str
    cases: list[CaseResult]
    walkthroughs: list[WalkthroughResult]
    dialogues: list[DialogueResult]
    messages: int
    seconds: float

    def exchanges(self) -> Iterable[Exchange]:
        yield from (c.exchange for c in self.cases)
        yield from (t.exchange for d in self.dialogues for t in d.turns)
        yield from (e for w in self.walkthroughs for e in w.exchanges)

    def summary(self) -> dict[str, Any]:
        kinds = Counter(str(c.case.get("kind")) for c in self.cases)
        order = [k for k in KINDS if k in kinds] + sorted(
            k for k in kinds if k not in KINDS and k != OUT_OF_SCOPE
        )
        in_scope = [c for c in self.cases if not expects_decline(c.case)]
        out_of_scope = [c for c in self.cases if expects_decline(c.case)]
        turns = [t for d in self.dialogues for t in d.turns]
        exchanges = list(self.exchanges())
        return {
            "by_kind": {
                k: _tally([c.passed for c in self.cases if c.case.get("kind") == k]) for k in order
            },
            "situations": _tally(
                [c.passed for c in self.cases if c.case.get("kind") == SITUATIONS]
            ),
            "in_scope": _tally([c.passed for c in in_scope]),
            "out_of_scope_declined": _tally([c.passed for c in out_of_scope]),
            "walkthroughs": _tally([w.passed for w in self.walkthroughs]),
            "walkthroughs_started": sum(w.started for w in self.walkthroughs),
            "dialogues_fully_right": _tally([d.fully_right for d in self.dialogues]),
            "dialogue_turns": _tally([t.passed for t in turns]),
            "messages": self.messages,
            "seconds": round(self.seconds, 3),
            "errors": sum(e.error is not None for e in exchanges),
            "answered_with_top_intent_none": sum(e.answered_as_none for e in exchanges),
            "by_top_intent": {
                "in_scope": _tally(
                    [judge(c.case, c.exchange, by_top_intent=True) for c in in_scope]
                ),
                "out_of_scope_declined": _tally(
                    [judge(c.case, c.exchange, by_top_intent=True) for c in out_of_scope]
                ),
            },
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "summary": self.summary(),
            "cases": [c.to_json() for c in self.cases],
            "dialogues": [d.to_json() for d in self.dialogues],
            "walkthroughs": [w.to_json() for w in self.walkthroughs],
        }


def _tally(results: list[bool]) -> dict[str, Any]:
    passed, total = sum(results), len(results)
    return {"passed": passed, "total": total, "rate": round(passed / total, 4) if total else None}


class EvalSetError(ValueError):
    """A set file that cannot be scored."""


def load_set(path: Path) -> dict[str, Any]:
    """A set's YAML, checked for what scoring needs."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise EvalSetError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise EvalSetError(f"{path}: not a mapping with cases / walkthroughs / dialogues")
    problems = []
    for section, needed in (
        ("cases", ("id", "say")),
        ("walkthroughs", ("id", "opener", "profile", "expect_any")),
        ("dialogues", ("id", "turns")),
    ):
        items = data.get(section) or []
        if not isinstance(items, list):
            problems.append(f"{section} is not a list")
            continue
        for number, item in enumerate(items, 1):
            missing = [k for k in needed if not isinstance(item, dict) or not item.get(k)]
            if missing:
                problems.append(f"{section}[{number}] has no {', '.join(missing)}")
            elif section == "dialogues" and not all(
                isinstance(t, dict) and t.get("say") for t in item["turns"]
            ):
                problems.append(f"dialogue {item['id']} has a turn with nothing to say")
    if problems:
        raise EvalSetError(f"{path}: " + "; ".join(problems))
    return data


async def run_set(bot: EvalBot, path: Path) -> SetResult:
    data = load_set(path)
    start, messages = time.perf_counter(), bot.messages
    cases = [await run_case(bot, c) for c in data.get("cases") or []]
    dialogues = [await run_dialogue(bot, d) for d in data.get("dialogues") or []]
    walkthroughs = [await run_walkthrough(bot, w) for w in data.get("walkthroughs") or []]
    return SetResult(
        path.name,
        str(path),
        cases,
        walkthroughs,
        dialogues,
        bot.messages - messages,
        time.perf_counter() - start,
    )


# -- the report ------------------------------------------------------------------------------


def _rate(tally: dict[str, Any]) -> str:
    if not tally["total"]:
        return "     -"
    return f"{tally['passed'] / tally['total']:6.1%}"


def _line(label: str, tally: dict[str, Any]) -> str:
    return f"  {label:26} {tally['passed']:>4}/{tally['total']:<4} {_rate(tally)}"


def _clip(text: str, limit: int = REPLY_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _verdict(exchange: Exchange) -> str:
    if exchange.error:
        return f"error ({exchange.error})"
    state = "declined" if exchange.declined else "answered"
    if exchange.in_walkthrough:
        state = "walkthrough"
    return f"{state}, top intent {exchange.top_intent!r}, outcome {exchange.outcome}"


def report(result: SetResult, verbose: bool = False) -> str:
    s = result.summary()
    lines = [
        f"== {result.name} ({result.path}): {len(result.cases)} cases, "
        f"{len(result.dialogues)} dialogues, {len(result.walkthroughs)} walkthroughs; "
        f"{s['messages']} messages in {s['seconds']:.1f} s"
    ]
    for kind, tally in s["by_kind"].items():
        lines.append(_line(KIND_LABELS.get(kind, kind), tally))
    if result.cases:
        lines.append(_line("in scope, all kinds", s["in_scope"]))
        lines.append(_line("out of scope declined", s["out_of_scope_declined"]))
    if result.walkthroughs:
        started = f"({s['walkthroughs_started']} started)"
        lines.append(f"{_line('walkthroughs', s['walkthroughs'])}  {started}")
    if result.dialogues:
        lines.append(_line("dialogues fully right", s["dialogues_fully_right"]))
        lines.append(_line("dialogue turns", s["dialogue_turns"]))
    if s["errors"]:
        lines.append(f"  ERRORS: {s['errors']} turns failed (logged above)")
    if s["answered_with_top_intent_none"]:
        alt = s["by_top_intent"]
        lines.append(
            f"  note: {s['answered_with_top_intent_none']} answered messages had RecognizerResult "
            'top intent "None" (a confident score under 0.5), scored as answers; read as '
            f"declines (tests/e2e/test_dev_set.py): in scope {alt['in_scope']['passed']}/"
            f"{alt['in_scope']['total']}, out of scope declined "
            f"{alt['out_of_scope_declined']['passed']}/{alt['out_of_scope_declined']['total']}"
        )
    if verbose:
        lines.extend(_failures(result))
    return "\n".join(lines)


def _failures(result: SetResult) -> list[str]:
    lines = []
    for c in result.cases:
        if not c.passed:
            lines.append(_failed_turn(f"case {c.case['id']} [{c.case.get('kind')}]", c))
    for d in result.dialogues:
        for number, t in enumerate(d.turns, 1):
            if not t.passed:
                label = f"dialogue {d.dialogue['id']} turn {number}/{len(d.turns)}"
                lines.append(_failed_turn(label, t))
    for w in result.walkthroughs:
        if w.passed:
            continue
        lines.append(
            f"  FAIL walkthrough {w.walkthrough['id']}: {w.reason}; "
            f"expect_any={w.walkthrough.get('expect_any')}"
        )
        for e in w.exchanges:
            sent = f"[click] {e.sent}" if e.clicked else _clip(e.sent, 60)
            then = (
                f"recommends {e.recommendation.get('services')}"
                if e.recommendation
                else f"asks {e.asked}"
                if e.asked
                else f"replies {_clip(e.shown, 80)!r}"
            )
            lines.append(f"       {sent!r} -> {then}")
        if w.exchanges:
            lines.append(f"       reply: {_clip(w.exchanges[-1].shown)!r}")
    return lines


def _failed_turn(label: str, result: CaseResult) -> str:
    item, exchange = result.case, result.exchange
    expected = (
        "expect a decline" if expects_decline(item) else f"expect_any={item.get('expect_any')}"
    )
    return (
        f"  FAIL {label}: {_verdict(exchange)}; {expected}\n"
        f"       say: {_clip(str(item.get('say')), 120)!r}\n"
        f"       reply: {_clip(exchange.shown)!r}"
    )


# -- the command -----------------------------------------------------------------------------


def set_paths(given: Sequence[str]) -> list[Path]:
    """The set files named (a folder stands for its *.yaml / *.yml files)."""
    paths = []
    for name in given or [str(p) for p in DEFAULT_SETS]:
        path = Path(name)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            paths.append(path)
    return paths


def build_bot(knowledge: Path | None = None, fusion: Path | None = None) -> EvalBot:
    """The bot as `archbot chat` builds it, with its state in memory (and another fitted
    recognizer model, when `fusion` names one)."""
    settings = dataclasses.replace(Settings.from_env(), storage=MEMORY_URL)
    if knowledge is not None:
        settings = dataclasses.replace(settings, knowledge_dir=knowledge)
    model = FusionModel.load(fusion) if fusion is not None else None
    return EvalBot(build_runtime(settings, fusion=model))


async def evaluate(bot: EvalBot, paths: Sequence[Path]) -> list[SetResult]:
    return [await run_set(bot, path) for path in paths]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/eval.py", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("sets", nargs="*", help="set files or folders (default: the shared sets)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every failure")
    parser.add_argument("--json", metavar="OUT", help="write every result as JSON ('-': stdout)")
    parser.add_argument("--knowledge", type=Path, help="knowledge folder (default: the bot's)")
    parser.add_argument(
        "--fusion", type=Path, help="fitted recognizer model (default: bot/core/data/fusion.json)"
    )
    args = parser.parse_args(argv)

    paths = set_paths(args.sets)
    try:
        for path in paths:
            load_set(path)
    except EvalSetError as error:
        print(error, file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        bot = build_bot(args.knowledge, args.fusion)
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        results = asyncio.run(evaluate(bot, paths))
    finally:
        bot.runtime.close()
    elapsed = time.perf_counter() - start

    text_out = sys.stderr if args.json == "-" else sys.stdout
    for result in results:
        print(report(result, args.verbose) + "\n", file=text_out)
    print(
        f"{bot.messages} messages in {elapsed:.1f} s (bot built and sets run), "
        f"channel {CHANNEL}, state {MEMORY_URL}",
        file=text_out,
    )
    if args.json:
        payload = {
            "channel": CHANNEL,
            "knowledge": str(bot.runtime.settings.knowledge_dir),
            "messages": bot.messages,
            "seconds": round(elapsed, 3),
            "sets": [r.to_json() for r in results],
        }
        encoded = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
        if args.json == "-":
            print(encoded)
        else:
            Path(args.json).write_text(encoded + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
