"""Instructions per routed turn: a figure the machine's noise cannot move.

Runs routed questions (the development sets' messages, each in a fresh conversation) through the
whole bot in-process — handler, recognizer, dialogs, conversation state in memory — under
`valgrind --tool=callgrind`, twice: with N and with 2N turns, each after the same warm-up (the
calibration set's messages). The difference divided by N is the cost of one turn without
start-up. `--baseline REV` measures another commit the same way in a temporary git worktree, in
the same run, and prints the ratio.

HTTP and the connector are not in it (bench/load.py measures those); it is the bot's own turn,
with the third-party patches `archbot serve` applies (bot/hosting/patches.py), and without the
build cache (ARCHBOT_CACHE_DIR=off), so a fresh checkout counts the same as a warm one.

Usage: python bench/instructions.py [--turns 100] [--baseline REV]
Needs valgrind (apt-get install valgrind); without it, says so and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("ARCHBOT_EVAL_DIR", ROOT.parent / "shared" / "eval"))
"""The development sets (a `--baseline` worktree, made in a temporary folder, is told where they
are: it has no ../shared of its own)."""
_TOTALS = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


MEASURED = ("dev.yaml", "dev2.yaml")
"""The sets whose messages are the measured turns (cycled when more are asked for)."""
WARM_UP = ("calibration.yaml",)
"""Played once before the measured turns in both runs, so a path's first use (a lazy import, a
cache filled once, the first walkthrough started) counts as start-up, not as a turn."""


def messages(names: tuple[str, ...]) -> list[str]:
    """Every in-scope and out-of-scope message of these development sets, in order."""
    import yaml

    says: list[str] = []
    for name in names:
        path = EVAL / name
        if path.is_file():
            says += [c["say"] for c in yaml.safe_load(path.read_text())["cases"]]
    if not says:
        raise SystemExit(f"no development sets in {EVAL} (set ARCHBOT_EVAL_DIR)")
    return says


def questions(count: int) -> list[str]:
    """The first `count` messages of the measured sets."""
    says = messages(MEASURED)
    return (says * (count // len(says) + 1))[:count]


def play(turns: int) -> None:
    """Run `turns` routed questions through the bot (the measured program)."""
    sys.path.insert(0, os.getcwd())
    try:
        from bot.hosting.inprocess import InProcessAdapter
        from bot.hosting.patches import apply_patches
        from bot.hosting.runtime import MEMORY_URL, build_runtime
        from bot.operations.config import Settings
    except ImportError:  # a baseline from before bot/ was grouped by concern
        from bot.config import Settings  # type: ignore[no-redef]
        from bot.inprocess import InProcessAdapter  # type: ignore[no-redef]
        from bot.patches import apply_patches  # type: ignore[no-redef]
        from bot.runtime import MEMORY_URL, build_runtime  # type: ignore[no-redef]

    apply_patches()  # as `archbot serve` runs

    runtime = build_runtime(dataclasses.replace(Settings.from_env(), storage=MEMORY_URL))
    adapter = InProcessAdapter()

    async def run() -> None:
        for say in [*messages(WARM_UP), *questions(turns)]:
            conversation = adapter.new_conversation()
            await adapter.process(adapter.message(conversation, say), runtime.handler.on_turn)

    asyncio.run(run())


def instructions(checkout: Path, turns: int) -> int:
    """Instructions callgrind counts for a program playing `turns` turns in `checkout`."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                str(Path(__file__).resolve()),
                "--play",
                str(turns),
            ],
            cwd=checkout,
            check=True,
            capture_output=True,
            # no build cache: with one, the first of the two runs could build it (a fresh
            # checkout) and the second read it, and the build would count as turns
            env={
                **os.environ,
                "PYTHONHASHSEED": "0",
                "ARCHBOT_EVAL_DIR": str(EVAL),
                "ARCHBOT_CACHE_DIR": "off",
            },
        )
        found = _TOTALS.search(out.read_text(errors="replace"))
        if found is None:
            raise RuntimeError(f"no instruction total in {out}")
        return int(found.group(1))


def per_turn(checkout: Path, turns: int) -> float:
    """Instructions of one turn: the difference between 2N and N turns, over N."""
    return (instructions(checkout, 2 * turns) - instructions(checkout, turns)) / turns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--baseline", help="a git revision to measure the same way")
    parser.add_argument("--play", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.play is not None:
        play(args.play)
        return 0
    if shutil.which("valgrind") is None:
        print("instructions per turn: skipped (no valgrind; apt-get install valgrind)")
        return 0
    current = per_turn(ROOT, args.turns)
    print(f"instructions per routed turn: {current / 1e6:.2f} M (this checkout)")
    if args.baseline:
        with tempfile.TemporaryDirectory() as scratch:
            tree = Path(scratch) / "baseline"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(tree), args.baseline],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            try:
                shutil.copy(Path(__file__), tree / "bench" / "instructions.py")
                before = per_turn(tree, args.turns)
            finally:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False
                )
        print(
            f"instructions per routed turn: {before / 1e6:.2f} M at {args.baseline}; "
            f"ratio {current / before:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
