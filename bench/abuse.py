"""The attack figures (issue 14): what a hostile web client gets out of `archbot serve`, and a
normal user's latency meanwhile.

    .venv/bin/python bench/abuse.py [--seconds 30] [--users 8] [--workers 16]

Three runs of `archbot serve` as shipped (real knowledge base, SQLite state, loopback; the server
pinned to one core as in bench/run.py):

1. **no attack**: a normal user alone;
2. **attack, defaults**: the limits of README, "Operations";
3. **attack, no limits**: rates off and the whole message routed
   (``ARCHBOT_RATE_*=off``, ``ARCHBOT_MAX_ROUTED_CHARS=262144``): the bot before issue 14.

Normal users (``--users``, each on its own address 127.0.0.10, .11 …) talk as people in Web Chat
do: one Direct Line conversation, its WebSocket stream open, a question, the answer, three
seconds, the next question; latency is from the POST to the answer on the stream. The attacker
(127.0.0.2: another client address) runs ``--workers`` loops as fast as the server answers: a
token from the page's endpoint, a new conversation, and 200 KB of random words (every word a
typo to correct: the router's worst case) posted three times. Printed per run: the attacker's
requests, how many were held off (429) and how many turns it got run, the server's CPU, and the
users' latency, refusals and questions never answered (lost).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import string
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import load  # noqa: E402
from run import Server  # noqa: E402

ATTACKER = "127.0.0.2"
USER_PAUSE = 3.0
QUESTIONS = ("how do I transcribe audio recordings", "what is RAG", "whats onelake")
USER_TIMEOUT = 60.0
RUNS: dict[str, tuple[bool, dict[str, str]]] = {
    "no attack": (False, {}),
    "attack, defaults": (True, {}),
    "attack, no limits": (
        True,
        {
            "ARCHBOT_RATE_TOKENS": "off",
            "ARCHBOT_RATE_TURNS": "off",
            "ARCHBOT_RATE_MESSAGES": "off",
            "ARCHBOT_MAX_ROUTED_CHARS": str(256 * 1024),
        },
    ),
}


def gibberish(size: int) -> str:
    rng = random.Random(14)
    words: list[str] = []
    length = 0
    while length < size:
        words.append("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9))))
        length += len(words[-1]) + 1
    return " ".join(words)[:size]


@dataclass
class Figures:
    run: str
    attacker_requests: Counter[str] = field(default_factory=Counter)
    attacker_turns: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    user_refused: int = 0
    user_timeouts: int = 0
    cpu_seconds: float = 0.0
    seconds: float = 0.0

    def row(self) -> str:
        held = self.attacker_requests.get("429", 0)
        total = sum(self.attacker_requests.values())
        lat = sorted(self.latencies_ms) or [float("nan")]
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        return (
            f"{self.run:<20} {total:>8} {held:>8} {self.attacker_turns:>7}  "
            f"{self.cpu_seconds / self.seconds:>6.0%}  {len(self.latencies_ms):>6} "
            f"{statistics.median(lat):>8.0f} {p95:>8.0f} {lat[-1]:>8.0f} "
            f"{self.user_refused:>7} {self.user_timeouts:>5}"
        )


async def _json(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except (json.JSONDecodeError, aiohttp.ContentTypeError):
        return None


async def normal_user(
    base: str, address: str, figures: Figures, until: float, delay: float = 0.0
) -> None:
    """One conversation over the stream: question, answer, a pause, again. A question that gets
    no answer in USER_TIMEOUT (or whose conversation was evicted) is lost, and the user leaves."""
    await asyncio.sleep(delay)  # users come and go at their own times, not in step
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    timeout = aiohttp.ClientTimeout(total=USER_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        try:
            await _converse(http, base, figures, until)
        except (aiohttp.ClientError, TimeoutError, KeyError, TypeError):
            figures.user_timeouts += 1


async def _converse(http: aiohttp.ClientSession, base: str, figures: Figures, until: float) -> None:
    async with http.post(f"{base}/api/directline/token") as resp:
        grant = await resp.json()
    auth = {"Authorization": f"Bearer {grant['token']}"}
    api = f"{grant['domain']}/conversations"
    async with http.post(api, headers=auth) as resp:
        started = await resp.json()
    conversation = started["conversationId"]
    async with http.ws_connect(started["streamUrl"]) as ws:
        await ws.receive_json(timeout=USER_TIMEOUT)  # the welcome
        n = 0
        while time.monotonic() < until:
            text = QUESTIONS[n % len(QUESTIONS)]
            n += 1
            sent = time.monotonic()
            activity = {"type": "message", "text": text, "from": {"id": "user"}}
            async with http.post(
                f"{api}/{conversation}/activities", json=activity, headers=auth
            ) as resp:
                answer = await _json(resp)
            if resp.status != 200:
                figures.user_refused += 1
            else:
                await _answer(ws, answer["id"], sent + USER_TIMEOUT)
                figures.latencies_ms.append((time.monotonic() - sent) * 1000)
            await asyncio.sleep(USER_PAUSE)


async def _answer(ws: aiohttp.ClientWebSocketResponse, posted: str, deadline: float) -> None:
    while True:
        message = await ws.receive_json(timeout=max(0.01, deadline - time.monotonic()))
        for activity in message.get("activities", []):
            by_bot = activity.get("from", {}).get("role") == "bot"
            if by_bot and activity.get("type") == "message" and activity.get("replyToId") == posted:
                return


async def attacker(base: str, figures: Figures, until: float, big: str) -> None:
    """Token, conversation, three huge messages; again, as fast as the server answers."""
    connector = aiohttp.TCPConnector(local_addr=(ATTACKER, 0), limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        while time.monotonic() < until:
            try:
                async with http.post(f"{base}/api/directline/token") as resp:
                    figures.attacker_requests[str(resp.status)] += 1
                    grant = await _json(resp)
                if resp.status != 200:
                    await asyncio.sleep(0.01)
                    continue
                auth = {"Authorization": f"Bearer {grant['token']}"}
                api = f"{grant['domain']}/conversations"
                async with http.post(api, headers=auth) as resp:
                    figures.attacker_requests[str(resp.status)] += 1
                    figures.attacker_turns += resp.status == 201
                    started = await _json(resp)
                if resp.status != 201:
                    await asyncio.sleep(0.01)
                    continue
                url = f"{api}/{started['conversationId']}/activities"
                for _ in range(3):
                    activity = {"type": "message", "text": big, "from": {"id": "x"}}
                    async with http.post(url, json=activity, headers=auth) as resp:
                        figures.attacker_requests[str(resp.status)] += 1
                        figures.attacker_turns += resp.status == 200
            except (aiohttp.ClientError, TimeoutError):
                figures.attacker_requests["failed"] += 1


async def measure(
    name: str,
    attack: bool,
    env: dict[str, str],
    seconds: float,
    users: int,
    workers: int,
    workdir: Path,
) -> Figures:
    figures = Figures(name)
    big = gibberish(200_000)
    server = Server("ArchBot", workdir, env=env).start()
    try:
        server.wait_ready()
        assert server.proc is not None
        cpu_before, started = load.cpu_seconds(server.proc.pid), time.monotonic()
        until = started + seconds
        tasks = [
            asyncio.create_task(
                normal_user(server.url, f"127.0.0.{10 + n}", figures, until, n * USER_PAUSE / users)
            )
            for n in range(users)
        ]
        if attack:
            tasks += [
                asyncio.create_task(attacker(server.url, figures, until, big))
                for _ in range(workers)
            ]
        await asyncio.gather(*tasks)
        figures.seconds = time.monotonic() - started
        figures.cpu_seconds = load.cpu_seconds(server.proc.pid) - cpu_before
    finally:
        server.stop()
    return figures


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run")
    parser.add_argument("--users", type=int, default=8, help="normal users, each on its address")
    parser.add_argument("--workers", type=int, default=16, help="attacker's concurrent loops")
    args = parser.parse_args(argv)
    print(
        f"{'run':<20} {'attacker':>8} {'held':>8} {'turns':>7}  {'CPU':>6}  {'user':>6} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'refused':>7} {'lost':>5}"
    )
    print(f"{'':<20} {'requests':>8} {'(429)':>8} {'run':>7}  {'':>6}  {'turns':>6}")
    with tempfile.TemporaryDirectory(prefix="archbot-abuse-") as tmp:
        for name, (attack, env) in RUNS.items():
            figures = await measure(
                name, attack, env, args.seconds, args.users, args.workers, Path(tmp)
            )
            print(figures.row(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
