"""Scores the router on the shared development set, in-process (fast feedback while tuning).

Usage: python bench/dev_eval.py [path/to/dev.yaml] [--verbose]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from bot.core.loader import load_knowledge
from bot.core.replies import Replies
from bot.core.router import Outcome, Router

DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev.yaml"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    verbose = "--verbose" in sys.argv
    cases = yaml.safe_load(Path(args[0] if args else DEV_SET).read_text())["cases"]
    kb = load_knowledge()
    router, replies = Router(kb), Replies(kb)
    passed = {True: 0, False: 0}
    totals = {True: 0, False: 0}
    for case in cases:
        in_scope = case["kind"] != "out_of_scope"
        decision = router.route(case["say"])
        text = replies.for_decision(decision).text.lower()
        answered = decision.outcome is Outcome.ANSWER
        ok = (
            (answered and any(e.lower() in text for e in case["expect_any"]))
            if in_scope
            else (not answered)
        )
        totals[in_scope] += 1
        passed[in_scope] += ok
        if verbose or not ok:
            top = decision.matches[:3]
            ranked = ", ".join(f"{m.intent.id}={m.score:.2f}" for m in top)
            print(f"{'ok ' if ok else 'BAD'} {case['id']:38} {decision.outcome.value:9} {ranked}")
    print(f"in-scope {passed[True]}/{totals[True]}  out-of-scope {passed[False]}/{totals[False]}")


if __name__ == "__main__":
    main()
