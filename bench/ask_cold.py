"""Cold `archbot ask`: wall time of fresh processes, and how much of it is the recognizer.

    .venv/bin/python bench/ask_cold.py [--runs 7] ["question"]

Prints the fastest and the median of `runs` fresh `archbot ask` processes (output to /dev/null),
then the split, each part the fastest of `runs` fresh processes:
  * interpreter: `python -c pass`;
  * recognizer: what bot/core does before it can answer — its imports, the knowledge base's YAML
    loaded and checked, the 8.9 MB embedding file read, the indexes built;
  * the rest (botbuilder, aiohttp, msrest, the handler, the turn, printing): ask − the two above.
The machine is shared: compare fastest with fastest. Asserts nothing (tests never time).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHBOT = Path(sys.executable).with_name("archbot")
QUESTION = "how do I transcribe audio recordings"
RECOGNIZER = """
from bot.core.embedding import StaticEmbedding
from bot.core.hybrid import FusionModel, HybridRouter
from bot.core.loader import DEFAULT_KNOWLEDGE_DIR, load_knowledge
HybridRouter(load_knowledge(DEFAULT_KNOWLEDGE_DIR), StaticEmbedding.load(), FusionModel.load())
"""


def timed(command: list[str], runs: int) -> list[float]:
    """Wall seconds of `runs` fresh processes running `command`."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question", nargs="?", default=QUESTION)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    ask = timed([str(ARCHBOT), "ask", args.question], args.runs)
    interpreter = min(timed([sys.executable, "-c", "pass"], args.runs))
    recognizer = min(timed([sys.executable, "-c", RECOGNIZER], args.runs)) - interpreter
    fastest = min(ask)
    print(f"archbot ask {args.question!r}, {args.runs} cold runs")
    print(f"  fastest {fastest * 1000:6.0f} ms   median {statistics.median(ask) * 1000:6.0f} ms")
    print(f"  interpreter start       {interpreter * 1000:6.0f} ms")
    print(f"  recognizer (bot/core)   {recognizer * 1000:6.0f} ms")
    print(f"  the rest                {(fastest - interpreter - recognizer) * 1000:6.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
