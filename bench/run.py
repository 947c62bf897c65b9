"""ArchBot's benchmarks, in one command: `make bench` (or `python bench/run.py`).

1. End-to-end load, in one run, against four servers on loopback: an echo bot hosted the way
   Microsoft's samples host one (bench/echo_samples.py), a raw aiohttp handler doing the same
   exchange (bench/raw_aiohttp.py), the same echo bot behind ArchBot's hosting
   (bench/echo_archbot_hosting.py), and `archbot serve` with its default SQLite state store.
   bench/load.py plays concurrent conversations; each row reports turns/s, latency percentiles,
   the server process's own CPU time per turn, and errors.
2. Cold start (process start to `GET /healthz` answering 200) and resident memory after load.
3. Router scaling: time per message on the real knowledge base and on copies grown 10x and 100x,
   with the development set's accuracy (bench/router_scaling.py).

It prints a table and writes everything as JSON to bench/results/ (git-ignored). Nothing here
asserts a timing: the figures that matter are ratios to the baselines measured in the same run.
The server runs pinned to one core and the load generator to the other (on a 2-core machine),
so a turn's cost shows as the server's CPU time and throughput is one core's worth.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

import load  # noqa: E402
import router_scaling  # noqa: E402

TARGETS = {
    "samples echo": [sys.executable, str(BENCH / "echo_samples.py")],
    "raw aiohttp": [sys.executable, str(BENCH / "raw_aiohttp.py")],
    "echo, ArchBot hosting": [sys.executable, str(BENCH / "echo_archbot_hosting.py")],
    "ArchBot": [sys.executable, "-m", "bot.operations.cli", "serve", "--host", "127.0.0.1"],
}
_BOT_ENV = ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId")
SERVER_CORE = 0
LOADER_CORE = 1
STARTUP_TIMEOUT = 30.0


@dataclass
class Row:
    """One load run."""

    target: str
    script: str
    conversations: int
    turns: int
    seconds: float
    turns_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    cpu_ms_per_turn: float
    loader_cpu_ms_per_turn: float
    errors: int
    error_samples: list[str] = field(default_factory=list)
    spread: list[float] = field(default_factory=list)


# -- servers ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pinned() -> bool:
    return hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2


class Server:
    """One server process on a free loopback port, with its own state file and log."""

    def __init__(self, target: str, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.target = target
        self.workdir = workdir
        self.extra_env = dict(env or {})
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / f"{target.replace(' ', '-')}-{self.port}.log"
        self.started_at = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {k: v for k, v in os.environ.items() if k not in _BOT_ENV}
        env.update(
            ARCHBOT_STORAGE=f"sqlite:///{self.workdir / f'state-{self.port}.sqlite3'}",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        )
        env.pop("ARCHBOT_KNOWLEDGE", None)
        env.update(self.extra_env)
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            [*TARGETS[self.target], "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        if _pinned():
            with contextlib.suppress(OSError):
                os.sched_setaffinity(self.proc.pid, {SERVER_CORE})
        return self

    def wait_ready(self, path: str = "/healthz") -> float:
        """Poll until the server answers; seconds since `start`."""
        assert self.proc is not None
        deadline = self.started_at + STARTUP_TIMEOUT
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.target} exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - self.started_at
            except urllib.error.HTTPError:
                return time.perf_counter() - self.started_at  # it answers: it is up
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{self.target} did not start in {STARTUP_TIMEOUT:.0f} s:\n{self.log()}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except FileNotFoundError:
            return ""


@contextlib.contextmanager
def serving(target: str, workdir: Path) -> Iterator[Server]:
    server = Server(target, workdir).start()
    try:
        server.wait_ready("/healthz" if target != "samples echo" else "/api/messages")
        yield server
    finally:
        server.stop()


# -- measurements -------------------------------------------------------------------------------


async def _load_row(
    server: Server,
    script: str,
    conversations: int,
    *,
    warmup_seconds: float,
    seconds: float,
    max_turns: int,
) -> Row:
    assert server.proc is not None
    scripts = load.question_scripts() if script == "questions" else load.conversation_scripts()
    connector = await load.Connector().start()
    url = server.url + "/api/messages"
    try:
        await load.drive(
            url,
            connector,
            scripts,
            conversations=conversations,
            max_turns=max_turns,
            max_seconds=warmup_seconds,
        )
        cpu_before = load.cpu_seconds(server.proc.pid)
        own_before = time.process_time()
        stats = await load.drive(
            url,
            connector,
            scripts,
            conversations=conversations,
            max_turns=max_turns,
            max_seconds=seconds,
        )
        cpu = load.cpu_seconds(server.proc.pid) - cpu_before
        own = time.process_time() - own_before
    finally:
        await connector.stop()
    turns = max(stats.turns, 1)
    return Row(
        target=server.target,
        script=script,
        conversations=conversations,
        turns=stats.turns,
        seconds=stats.seconds,
        turns_per_second=stats.turns_per_second,
        p50_ms=stats.percentile(0.5),
        p90_ms=stats.percentile(0.9),
        p99_ms=stats.percentile(0.99),
        cpu_ms_per_turn=cpu / turns * 1000,
        loader_cpu_ms_per_turn=own / turns * 1000,
        errors=stats.errors,
        error_samples=stats.error_samples,
    )


def cold_starts(workdir: Path, runs: int) -> list[float]:
    """Seconds from process start to /healthz answering, for `runs` fresh ArchBot processes."""
    times = []
    for _ in range(runs):
        server = Server("ArchBot", workdir).start()
        try:
            times.append(server.wait_ready())
        finally:
            server.stop()
    return times


PLAN = [
    ("samples echo", "questions", 1),
    ("samples echo", "questions", 8),
    ("raw aiohttp", "questions", 1),
    ("raw aiohttp", "questions", 8),
    ("echo, ArchBot hosting", "questions", 8),
    ("ArchBot", "questions", 1),
    ("ArchBot", "questions", 8),
    ("ArchBot", "conversations", 8),
]


def end_to_end(workdir: Path, quick: bool, rounds: int) -> tuple[list[Row], float]:
    """The load rows, and ArchBot's resident memory (MiB) after its load runs.

    All servers run at once; each round measures every row once, in turn, so slow
    moments of a shared machine fall on all targets alike. A row's figures come from its
    median-throughput round; `spread` keeps every round's throughput."""
    seconds, warmup, max_turns = (2.0, 0.5, 2000) if quick else (4.0, 1.0, 4000)
    rounds_of: dict[tuple[str, str, int], list[Row]] = {key: [] for key in PLAN}
    with contextlib.ExitStack() as stack:
        servers = {target: stack.enter_context(serving(target, workdir)) for target in TARGETS}
        for number in range(1, rounds + 1):
            print(f"-- round {number}/{rounds}\n{_HEADER}", flush=True)
            for key in PLAN:
                target, script, conversations = key
                row = asyncio.run(
                    _load_row(
                        servers[target],
                        script,
                        conversations,
                        warmup_seconds=warmup,
                        seconds=seconds,
                        max_turns=max_turns,
                    )
                )
                rounds_of[key].append(row)
                print(_format_row(row), flush=True)
                if row.errors:
                    log = servers[target].log(1500)
                    print(f"    errors, e.g. {row.error_samples[:3]}\n{log}")
        archbot = servers["ArchBot"]
        rss = load.rss_mb(archbot.proc.pid) if archbot.proc is not None else float("nan")
    rows = []
    for runs in rounds_of.values():
        ordered = sorted(runs, key=lambda r: r.turns_per_second)
        median = ordered[len(ordered) // 2]
        median.spread = [round(r.turns_per_second, 1) for r in runs]
        median.errors = sum(r.errors for r in runs)
        rows.append(median)
    return rows, rss


# -- the report ---------------------------------------------------------------------------------

_HEADER = (
    f"{'target':<22}{'messages':<15}{'conv':>4}{'turns/s':>9}{'p50 ms':>8}{'p90 ms':>8}"
    f"{'p99 ms':>8}{'CPU ms/turn':>12}{'errors':>7}  turns/s by round"
)


def _format_row(row: Row) -> str:
    return (
        f"{row.target:<22}{row.script:<15}{row.conversations:>4}{row.turns_per_second:>9.0f}"
        f"{row.p50_ms:>8.1f}{row.p90_ms:>8.1f}{row.p99_ms:>8.1f}{row.cpu_ms_per_turn:>12.2f}"
        f"{row.errors:>7}  {' / '.join(f'{t:.0f}' for t in row.spread)}"
    )


def _find(rows: Sequence[Row], target: str, script: str, conversations: int) -> Row | None:
    return next(
        (
            r
            for r in rows
            if r.target == target and r.script == script and r.conversations == conversations
        ),
        None,
    )


def summary(rows: Sequence[Row], starts: list[float], rss: float, routing: list[dict]) -> dict:
    """The figures the targets are about, as ratios to the same run's baselines."""
    out: dict[str, Any] = {}
    for conversations in (1, 8):
        bot = _find(rows, "ArchBot", "questions", conversations)
        echo = _find(rows, "samples echo", "questions", conversations)
        raw = _find(rows, "raw aiohttp", "questions", conversations)
        if bot and echo and echo.turns_per_second:
            out[f"archbot_vs_echo_{conversations}"] = bot.turns_per_second / echo.turns_per_second
        if bot and raw and raw.turns_per_second:
            out[f"archbot_vs_raw_{conversations}"] = bot.turns_per_second / raw.turns_per_second
    bot8 = _find(rows, "ArchBot", "questions", 8)
    out["cpu_ms_per_routed_question"] = bot8.cpu_ms_per_turn if bot8 else None
    out["cold_start_s"] = statistics.median(starts) if starts else None
    out["rss_mb_after_load"] = rss
    for row in routing:
        out[f"routing_us_{row['factor']}x"] = row["us_per_message"]
        out[f"recognizer_us_{row['factor']}x"] = row["recognizer_us_p50"]
    return out


def _verdict(value: float | None, target: float, better: str) -> str:
    if value is None:
        return "not measured"
    met = value >= target if better == "higher" else value <= target
    return "met" if met else "NOT met"


def print_report(rows: list[Row], starts: list[float], rss: float, routing: list[dict]) -> dict:
    figures = summary(rows, starts, rss, routing)
    print("\n== End to end (loopback; server pinned to one core, load generator to the other)")
    print(_HEADER)
    for row in rows:
        print(_format_row(row))
    print("\n== Targets (ratios from this run)")
    lines = [
        (
            "ArchBot / samples echo, 8 conversations",
            figures.get("archbot_vs_echo_8"),
            "x",
            8.0,
            "higher",
        ),
        ("ArchBot / samples echo, 1 conversation", figures.get("archbot_vs_echo_1"), "x", None, ""),
        ("ArchBot / raw aiohttp, 8 conversations", figures.get("archbot_vs_raw_8"), "x", None, ""),
        ("ArchBot / raw aiohttp, 1 conversation", figures.get("archbot_vs_raw_1"), "x", None, ""),
        (
            "CPU per routed question (ms)",
            figures.get("cpu_ms_per_routed_question"),
            "",
            1.5,
            "lower",
        ),
        ("Cold start, median (s)", figures.get("cold_start_s"), "", 2.0, "lower"),
        ("RSS after load (MB)", figures.get("rss_mb_after_load"), "", 250.0, "lower"),
    ]
    for row in routing:  # what the bot routes with: the fused recognizer (issue 12's bars)
        target = {1: 400.0, 100: 4000.0}.get(row["factor"])
        lines.append(
            (
                f"Recognizer, {row['factor']}x KB (µs/message p50)",
                row["recognizer_us_p50"],
                "",
                target,
                "lower",
            )
        )
    for name, value, unit, target, better in lines:
        shown = "n/a" if value is None else f"{value:.2f}{unit}"
        if target is None:
            print(f"  {name:<44}{shown:>10}")
        else:
            bound = f"{'≥' if better == 'higher' else '≤'} {target:g}{unit}"
            print(f"  {name:<44}{shown:>10}   target {bound:<9} {_verdict(value, target, better)}")
    print("\n== Router scaling (development set)")
    for row in routing:
        print("  " + router_scaling.format_row(row))
    return figures


def _environment() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "pinned": _pinned(),
        "commit": commit,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter load runs (a smoke test)")
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--cold-starts", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5, help="load rounds (median reported)")
    parser.add_argument("--json", type=Path, help="where to write the results")
    args = parser.parse_args(argv)
    if _pinned():
        os.sched_setaffinity(0, {LOADER_CORE})
    workdir = Path(tempfile.mkdtemp(prefix="archbot-bench-"))
    started = time.perf_counter()
    try:
        print("== Cold start")
        starts = cold_starts(workdir, args.cold_starts)
        print("  " + ", ".join(f"{s:.2f} s" for s in starts))
        print("\n== Load runs")
        rows, rss = end_to_end(workdir, args.quick, args.rounds)
        print("\n== Router scaling")
        routing = router_scaling.run(args.factors)
        print("\n== Instructions per routed turn (callgrind)")
        counted = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "instructions.py"), "--turns", "20"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        print("  " + counted)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures = print_report(rows, starts, rss, routing)
    result = {
        "environment": _environment(),
        "seconds": time.perf_counter() - started,
        "summary": figures,
        "load": [asdict(r) for r in rows],
        "cold_starts_s": starts,
        "rss_mb_after_load": rss,
        "routing": routing,
        "instructions": counted,
    }
    path = args.json or RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"took {result['seconds']:.0f} s")
    return 1 if any(r.errors for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
