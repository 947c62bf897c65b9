"""Cold `archbot ask`: wall time of fresh processes, and how much of it is the recognizer.

    .venv/bin/python bench/ask_cold.py [--runs 7] ["question"]

Prints the fastest and the median of `runs` fresh `archbot ask` processes (output to /dev/null),
after one untimed run (which writes the build cache, bot/core/build_cache.py, if the knowledge
or the code changed since it was written); the same with the cache off (ARCHBOT_CACHE_DIR=off:
what the first run after such a change costs); then the split, each part the fastest of `runs`
fresh processes:
  * interpreter: `python -c pass`;
  * recognizer: what bot/core does before it can answer — its imports, the 8.9 MB embedding file
    read, the knowledge base, its indexes, the conversation reader and the walkthrough's advisor
    read from the build cache (built from the YAML, as with the cache off: "built");
  * the rest (botbuilder, aiohttp, msrest, the handler, the turn, printing): ask − the two above.
The machine is shared: compare fastest with fastest. Asserts nothing (tests never time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHBOT = Path(sys.executable).with_name("archbot")
QUESTION = "how do I transcribe audio recordings"
RECOGNIZER = """
import gc
gc.disable()  # as in `archbot ask` (bot/operations/cli.py)
from bot.core.build_cache import load_recognizer
from bot.core.embedding import StaticEmbedding
from bot.core.hybrid import FusionModel
from bot.core.kb import DEFAULT_KNOWLEDGE_DIR
CACHE = None if {off} else DEFAULT_KNOWLEDGE_DIR.parent / "var" / "cache"  # as archbot's default
load_recognizer(DEFAULT_KNOWLEDGE_DIR, StaticEmbedding.load(), FusionModel.load(), CACHE)
import os
os._exit(0)  # as `archbot ask` leaves (bot/operations/cli.py: run)
"""
CACHE_OFF = {"ARCHBOT_CACHE_DIR": "off"}


def timed(command: list[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall seconds of `runs` fresh processes running `command` (with `env` added)."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            check=True,
            env={**os.environ, **(env or {})},
        )
        seconds.append(time.perf_counter() - start)
    return seconds


def _times(seconds: list[float]) -> str:
    fastest, median = min(seconds) * 1000, statistics.median(seconds) * 1000
    return f"fastest {fastest:6.0f} ms   median {median:6.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question", nargs="?", default=QUESTION)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    command = [str(ARCHBOT), "ask", args.question]
    timed(command, 1)  # writes the build cache if it is stale
    ask = timed(command, args.runs)
    uncached = timed(command, args.runs, CACHE_OFF)
    interpreter = min(timed([sys.executable, "-c", "pass"], args.runs))
    recognizer = min(timed([sys.executable, "-c", RECOGNIZER.format(off=False)], args.runs))
    built = min(timed([sys.executable, "-c", RECOGNIZER.format(off=True)], args.runs))
    recognizer, built = recognizer - interpreter, built - interpreter
    fastest = min(ask)
    print(f"archbot ask {args.question!r}, {args.runs} cold runs")
    print(f"  {_times(ask)}")
    print(f"  cache off: {_times(uncached)}")
    print(f"  interpreter start       {interpreter * 1000:6.0f} ms")
    print(f"  recognizer (bot/core)   {recognizer * 1000:6.0f} ms   (built: {built * 1000:.0f} ms)")
    print(f"  the rest                {(fastest - interpreter - recognizer) * 1000:6.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
