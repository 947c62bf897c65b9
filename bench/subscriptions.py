"""Subscriptions at scale: how subscribe's latency, and everyone else's, grows with subscribers.

Starts `archbot serve` as shipped (SQLite state in a temporary file, the checkout's knowledge)
and, on loopback only:

* subscribes new conversations, ``--concurrency`` at a time (each one a `subscribe` message with
  ``deliveryMode: expectReplies``), up to ``--max`` subscriptions or ``--seconds`` of wall time;
* meanwhile one user asks questions, one after another (the "other traffic");
* at the end posts one notice to everyone (``POST /api/notify``) through a connector stand-in.

Prints, per step of ``--step`` subscriptions: subscribe p50/p99 and the questions' p50/p99 while
the step ran, then the count reached at constant latency (subscribe p99 within 2x of the first
step's) and the broadcast's time. ``--repo`` runs another checkout's server (e.g. an older
commit, unpacked with ``git archive``) with this same client. Figures only; nothing is asserted.

    .venv/bin/python bench/subscriptions.py [--max 5000] [--step 500] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

REPO = Path(__file__).resolve().parents[1]
ADMIN_KEY = "bench-admin-key"
QUESTIONS = (
    "what is prompt flow",
    "how do I transcribe audio recordings",
    "compare rag and fine tuning",
)
CONSTANT = 2.0  # "constant latency": subscribe p99 within this factor of the first step's


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def activity(text: str, conversation: str, service_url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": "emulator",
        "serviceUrl": service_url,
        "from": {"id": "bench-user", "name": "Bench"},
        "recipient": {"id": "archbot", "name": "ArchBot"},
        "conversation": {"id": conversation},
        "text": text,
        "deliveryMode": "expectReplies",
    }


@dataclass
class Step:
    reached: int
    subscribe_ms: list[float] = field(default_factory=list)
    question_ms: list[float] = field(default_factory=list)
    refused: int = 0


class Connector:
    """Where the notices go: counts the POSTs."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received = 0

    async def __aenter__(self) -> Connector:
        app = web.Application()
        app.router.add_post("/v3/conversations/{tail:.*}", self._post)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        await request.read()
        self.received += 1
        return web.json_response({"id": f"n-{self.received}"})


def start_server(repo: Path, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "ARCHBOT_STORAGE": f"sqlite:///{workdir / 'state.sqlite3'}",
        "ARCHBOT_FEEDBACK_DB": str(workdir / "feedback.sqlite3"),
        "ARCHBOT_ADMIN_KEY": ADMIN_KEY,
        "PYTHONPATH": str(repo),
    }
    env.pop("ARCHBOT_KNOWLEDGE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.operations.cli", "serve", "--port", str(port)],
        cwd=repo,
        env=env,
        stdout=(workdir / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the server did not start:\n{(workdir / 'server.log').read_text()}")


async def run(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-subscriptions-"))
    proc, base = start_server(Path(args.repo).resolve(), workdir)
    timeout = aiohttp.ClientTimeout(total=120)
    try:
        async with Connector() as connector, aiohttp.ClientSession(timeout=timeout) as http:
            service_url = f"http://127.0.0.1:{connector.port}"

            async def post(text: str, conversation: str) -> tuple[float, str]:
                started = time.perf_counter()
                body = activity(text, conversation, service_url)
                async with http.post(f"{base}/api/messages", json=body) as response:
                    payload = await response.json(content_type=None)
                replies = payload.get("activities", []) if isinstance(payload, dict) else []
                said = " ".join(a.get("text") or "" for a in replies)
                return (time.perf_counter() - started) * 1000, said

            await post("hello", "warm-up")  # the first turn loads what is loaded lazily
            steps: list[Step] = []
            subscribed = 0
            stop = asyncio.Event()
            deadline = time.monotonic() + args.seconds

            async def other_traffic() -> None:
                conversation, n = f"user-{uuid.uuid4().hex[:8]}", 0
                while not stop.is_set():
                    elapsed, _ = await post(QUESTIONS[n % len(QUESTIONS)], conversation)
                    steps[-1].question_ms.append(elapsed)
                    n += 1
                    await asyncio.sleep(0.05)

            async def subscriber(step: Step, quota: list[int]) -> None:
                nonlocal subscribed
                while quota[0] > 0:
                    quota[0] -= 1
                    elapsed, said = await post("subscribe", f"sub-{uuid.uuid4().hex}")
                    step.subscribe_ms.append(elapsed)
                    if said.startswith("Subscribed"):
                        subscribed += 1
                    else:
                        step.refused += 1

            steps.append(Step(0))
            questions = asyncio.create_task(other_traffic())
            while subscribed < args.max and time.monotonic() < deadline:
                step = steps[-1]
                quota = [min(args.step, args.max - subscribed)]
                workers = [subscriber(step, quota) for _ in range(args.concurrency)]
                await asyncio.gather(*workers)
                step.reached = subscribed
                print(row(step), flush=True)
                steps.append(Step(subscribed))
            stop.set()
            await questions
            steps = [s for s in steps if s.subscribe_ms]

            started = time.perf_counter()
            async with http.post(
                f"{base}/api/notify",
                json={"text": "bench notice"},
                headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            ) as response:
                result = await response.json(content_type=None)
            broadcast_s = time.perf_counter() - started
            report(args, steps, result, broadcast_s, connector.received)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def row(step: Step) -> str:
    s, q = step.subscribe_ms, step.question_ms
    return (
        f"{step.reached:>8} | {percentile(s, 0.5):>9.1f} | {percentile(s, 0.99):>9.1f} | "
        f"{percentile(q, 0.5):>9.1f} | {percentile(q, 0.99):>9.1f} | {len(q):>5} | {step.refused}"
    )


def report(
    args: argparse.Namespace, steps: list[Step], result: Any, broadcast_s: float, received: int
) -> None:
    first = percentile(steps[0].subscribe_ms, 0.99)
    constant = [s.reached for s in steps if percentile(s.subscribe_ms, 0.99) <= CONSTANT * first]
    reached = steps[-1].reached
    last = steps[-1]
    print()
    print(f"subscriptions reached: {reached} (concurrency {args.concurrency})")
    print(
        f"constant latency (subscribe p99 within {CONSTANT:g}x of the first step's "
        f"{first:.1f} ms) up to: {max(constant, default=0)} subscriptions"
    )
    print(
        f"last step: subscribe p50 {statistics.median(last.subscribe_ms):.1f} ms, "
        f"p99 {percentile(last.subscribe_ms, 0.99):.1f} ms; other traffic "
        f"p50 {percentile(last.question_ms, 0.5):.1f} ms, "
        f"p99 {percentile(last.question_ms, 0.99):.1f} ms"
    )
    print(
        f"notice to everyone: {json.dumps(result)[:120]} in {broadcast_s:.1f} s "
        f"({received} posts reached the connector)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=5000, help="subscriptions to reach")
    parser.add_argument("--step", type=int, default=500, help="subscriptions per printed step")
    parser.add_argument("--concurrency", type=int, default=8, help="subscribes at once")
    parser.add_argument("--seconds", type=float, default=600, help="stop after this long")
    parser.add_argument("--repo", default=str(REPO), help="the checkout whose server to run")
    args = parser.parse_args()
    print(
        f"{'subs':>8} | {'sub p50':>9} | {'sub p99':>9} | {'other p50':>9} | "
        f"{'other p99':>9} | {'asks':>5} | refused (ms)"
    )
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
