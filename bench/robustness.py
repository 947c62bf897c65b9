"""Robustness of understanding: how many decisions change when a question gets chat filler or a
typo that a person would not notice.

    .venv/bin/python bench/robustness.py [SET ...]

(default: ../shared/eval/dev.yaml and calibration.yaml)

Every in-scope case of the sets is read on its own (`Conversation.route`: spelling, filler
clauses, the recognizer), then again (1) with each of a dozen chat fillers added after it, and (2)
with one typo in one word of five letters or more (a swap, a dropped, doubled or changed letter,
fixed seed). A decision "changes" when its outcome (answer / did you mean / decline) or its
topic does. Prints the counts; asserts nothing (bench/README.md, "Understanding").
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.compare import Comparer  # noqa: E402
from bot.core.context import Conversation  # noqa: E402
from bot.core.embedding import StaticEmbedding  # noqa: E402
from bot.core.hybrid import FusionModel, HybridRouter  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.core.router import Decision  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
DEFAULT_SETS = (EVAL / "dev.yaml", EVAL / "calibration.yaml")
FILLERS = (
    "thanks in advance",
    "asking for a friend",
    "for my manager",
    "real quick",
    "if that makes sense",
    "cheers",
    "sorry if this is a dumb question",
    "for a slide deck",
    "we're on azure",
    "any pointers appreciated",
    "in plain terms",
    "from a high level",
)


def questions(paths: list[Path]) -> list[str]:
    """The in-scope cases' messages."""
    said = []
    for path in paths:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")).get("cases", []):
            if case.get("kind") != "out_of_scope":
                said.append(str(case["say"]))
    return said


def with_typo(text: str, rnd: random.Random) -> str:
    """The text with one typo in one of its longer words (unchanged when it has none)."""
    words = text.split()
    longer = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not longer:
        return text
    index = rnd.choice(longer)
    word, at = words[index], rnd.randrange(1, len(words[index]) - 1)
    kind = rnd.choice(("swap", "drop", "double", "change"))
    if kind == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind == "drop":
        word = word[:at] + word[at + 1 :]
    elif kind == "double":
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[:at] + rnd.choice("aeiourstn") + word[at + 1 :]
    words[index] = word
    return " ".join(words)


def reading(decision: Decision) -> tuple[str, str | None]:
    """What a user would notice of a decision: its outcome and the topic it lands on."""
    top = decision.top
    return decision.outcome.value, top.intent.topic.id if top is not None else None


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or list(DEFAULT_SETS)
    kb = load_knowledge()
    router = HybridRouter(kb, StaticEmbedding.load(), FusionModel.load())
    conversation = Conversation(kb, router, Comparer(kb, router.lexical))
    said = questions(paths)
    plain = {text: reading(conversation.route(text)) for text in said}
    print(f"{len(said)} in-scope questions ({', '.join(p.name for p in paths)})")
    print("decisions changed by a filler added after the question:")
    for filler in FILLERS:
        changed = sum(reading(conversation.route(f"{t}, {filler}")) != plain[t] for t in said)
        print(f"  {filler!r:40} {changed:4d}")
    rnd = random.Random(7)
    changed = sum(reading(conversation.route(with_typo(t, rnd))) != plain[t] for t in said)
    print(f"decisions changed by one typo: {changed}")


if __name__ == "__main__":
    main()
