"""The development set (../shared/eval/dev.yaml) through the HTTP endpoint of a real server.

In-scope cases pass when the top intent is not "None" and one of `expect_any` appears
(case-insensitively) in the reply: message text or attachment (card) content. Out-of-scope cases
pass when the top intent is "None". Bars: in-scope >= 95 %, out-of-scope >= 90 %.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REAL_KNOWLEDGE, Replies, new_conversation_id

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_SET = REPO_ROOT.parent / "shared" / "eval" / "dev.yaml"
OUT_OF_SCOPE = "out_of_scope"
IN_SCOPE_BAR = 0.95
OUT_OF_SCOPE_BAR = 0.90
CONCURRENCY = 4


@dataclass
class Outcome:
    case: dict[str, Any]
    top_intent: str | None
    reply: str
    passed: bool

    @property
    def in_scope(self) -> bool:
        return self.case.get("kind") != OUT_OF_SCOPE

    def describe(self) -> str:
        expected = (
            f"expect_any={self.case.get('expect_any')}"
            if self.in_scope
            else "expected topIntent None"
        )
        reply = " ".join(self.reply.split())
        reply = reply if len(reply) <= 240 else reply[:237] + "..."
        return (
            f"FAIL {self.case['id']} [{self.case.get('kind')}] say={self.case['say'][:80]!r}\n"
            f"     topIntent={self.top_intent!r} {expected}\n"
            f"     reply={reply!r}"
        )


def load_cases() -> list[dict[str, Any]]:
    if not DEV_SET.is_file():
        pytest.skip(f"no development set at {DEV_SET} (shared/ must sit beside the repository)")
    cases = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))["cases"]
    assert cases, f"{DEV_SET} has no cases"
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids in the development set"
    for case in cases:
        assert case.get("say"), f"case {case.get('id')} has nothing to say"
        if case.get("kind") != OUT_OF_SCOPE:
            assert case.get("expect_any"), f"in-scope case {case['id']} has no expect_any"
    return cases


def judge(case: dict[str, Any], replies: Replies) -> Outcome:
    top = replies.top_intent
    reply = replies.text
    if case.get("kind") == OUT_OF_SCOPE:
        passed = top == "None"
    else:
        lowered = reply.lower()
        passed = top not in (None, "None") and any(
            str(expected).lower() in lowered for expected in case["expect_any"]
        )
    return Outcome(case, top, reply, passed)


def rate(outcomes: list[Outcome]) -> float:
    return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 1.0


async def test_dev_set_over_http(archbot_factory, talk_to, capsys):
    cases = load_cases()
    bot = talk_to(archbot_factory(knowledge=REAL_KNOWLEDGE))
    limit = asyncio.Semaphore(CONCURRENCY)

    async def run(case: dict[str, Any]) -> Outcome:
        async with limit:
            conversation = new_conversation_id(case["id"])
            replies = await bot.ask(case["say"], channel="emulator", conversation=conversation)
        assert replies.trace is not None, f"{case['id']}: no RecognizerResult trace: {replies}"
        return judge(case, replies)

    outcomes = await asyncio.gather(*(run(case) for case in cases))

    in_scope = [o for o in outcomes if o.in_scope]
    out_of_scope = [o for o in outcomes if not o.in_scope]
    failures = [o.describe() for o in outcomes if not o.passed]
    in_rate, out_rate = rate(in_scope), rate(out_of_scope)
    figures = (
        f"dev set: in-scope {in_rate:.1%} ({sum(o.passed for o in in_scope)}/{len(in_scope)}), "
        f"out-of-scope {out_rate:.1%} "
        f"({sum(o.passed for o in out_of_scope)}/{len(out_of_scope)}); "
        f"bars {IN_SCOPE_BAR:.0%} / {OUT_OF_SCOPE_BAR:.0%}"
    )
    with capsys.disabled():
        print("\n" + "\n".join([*failures, figures]))

    assert in_rate >= IN_SCOPE_BAR and out_rate >= OUT_OF_SCOPE_BAR, (
        figures + "\n" + "\n".join(failures)
    )
