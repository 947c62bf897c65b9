"""The decision record of every development-set walkthrough profile: docs/examples/.

Each profile of ../shared/eval/dev.yaml and dev2.yaml (or ARCHBOT_EVAL_DIR's; `walkthroughs`) is
played through the whole bot the way bench/eval.py plays it (the opener, the profile typed,
then the buttons that best fit its `prefer` words); the recommendation it reaches is written as
the markdown ADR a user exports (`<profile id>.md`), with its diagram as SVG beside it
(`diagrams/<diagram id>.svg`, linked from the record) and an index (`README.md`).

    .venv/bin/python scripts/decision_records.py          # rewrite docs/examples/
    .venv/bin/python scripts/decision_records.py --check  # exit 1 when docs/examples/ is stale

tests/test_decision_records.py fails when the checked-in records are stale.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.eval import SHARED_EVAL, EvalBot, build_bot, run_walkthrough  # noqa: E402
from bot.core.adr import decision_record  # noqa: E402
from bot.core.advisor import Advisor  # noqa: E402
from bot.core.diagram import diagram_of, layout, svg  # noqa: E402

SETS = tuple(SHARED_EVAL / f"{name}.yaml" for name in ("dev", "dev2"))
OUTPUT = REPO_ROOT / "docs" / "examples"
DIAGRAMS = "diagrams"


def _state(trace: dict[str, Any]) -> dict[str, Any]:
    """The walkthrough state a `Recommendation` trace reports."""
    answers = trace["answers"]
    return {
        "answers": {a["question"]: a["answer"] for a in answers},
        "inferred": [a["question"] for a in answers if a["inferred"]],
        "skipped": [a["question"] for a in answers if a["assumed"]],
        "history": [a["question"] for a in answers],
        "heard": {},
        "said": trace.get("said", []),
    }


async def _records(bot: EvalBot, profiles: list[dict[str, Any]]) -> dict[str, str]:
    """{file name under docs/examples: its text} for every profile."""
    kb = bot.runtime.kb
    advisor = Advisor(kb)
    assert kb.walkthrough is not None
    files: dict[str, str] = {}
    index = ["# Decision records of the development-set profiles", ""]
    index += [
        "Each profile of the shared development sets, played through the bot as bench/eval.py "
        "plays it, and the decision record its recommendation exports. Regenerate with "
        "`.venv/bin/python scripts/decision_records.py`.",
        "",
    ]
    for profile in profiles:
        result = await run_walkthrough(bot, profile)
        last = result.exchanges[-1].recommendation if result.exchanges else None
        name = f"{profile['id']}.md"
        if last is None:
            index.append(f"- {profile['id']}: no recommendation ({result.reason})")
            continue
        state = _state(last)
        recommendation = advisor.recommendation(state)
        drawn = diagram_of(kb.walkthrough, kb.topics, recommendation.rule, recommendation.additions)
        url = ""
        if drawn is not None:
            url = f"{DIAGRAMS}/{drawn.id}.svg"
            files[url] = svg(layout(drawn))
        record = decision_record(recommendation, advisor.alternatives(state), drawn, url)
        files[name] = record
        index.append(f"- [{profile['id']}]({name}): {recommendation.rule.title}")
    files["README.md"] = "\n".join(index) + "\n"
    return files


def profiles() -> list[dict[str, Any]]:
    """The walkthrough profiles of the development sets, in file order."""
    found: list[dict[str, Any]] = []
    for path in SETS:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found.extend(data.get("walkthroughs") or [])
    return found


def generate(knowledge: Path | None = None) -> dict[str, str]:
    """Every file docs/examples/ should hold (from `knowledge`, by default the repository's)."""
    return asyncio.run(_records(build_bot(knowledge), profiles()))


def stale(files: dict[str, str]) -> list[str]:
    """The files under docs/examples/ that differ from `files`, are missing or left over."""
    present = {str(p.relative_to(OUTPUT)) for p in OUTPUT.rglob("*") if p.is_file()}
    wrong = [
        name
        for name, text in files.items()
        if not (OUTPUT / name).is_file() or (OUTPUT / name).read_text(encoding="utf-8") != text
    ]
    return sorted([*wrong, *(present - files.keys())])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the files are stale")
    parser.add_argument("--knowledge", type=Path, help="another knowledge folder")
    args = parser.parse_args()
    missing = [str(path) for path in SETS if not path.is_file()]
    if missing:
        print(f"no development set at {', '.join(missing)}", file=sys.stderr)
        return 2
    files = generate(args.knowledge)
    if args.check:
        different = stale(files)
        for name in different:
            print(f"stale: docs/examples/{name}", file=sys.stderr)
        return 1 if different else 0
    for old in OUTPUT.rglob("*"):
        if old.is_file() and str(old.relative_to(OUTPUT)) not in files:
            old.unlink()
    for name, text in files.items():
        (OUTPUT / name).parent.mkdir(parents=True, exist_ok=True)
        (OUTPUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {OUTPUT.relative_to(REPO_ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
