"""A load generator for Bot Framework endpoints, on loopback only and bounded in turns and time.

It plays many concurrent conversations the way a channel does: each conversation starts with a
`conversationUpdate` (the user joins), then sends messages one at a time — questions with typos,
Teams @mentions and chatty phrasing, small talk, walkthrough turns — each message waiting for the
previous answer, as a person in a chat would. After a script ends the worker starts a new
conversation, so new conversation state is created all along the run.

Replies travel as they do in production: the bot answers the POST with 201 and sends its messages
by POSTing to the activity's `serviceUrl`. A connector stand-in on loopback (in this process)
receives them; a turn counts as an error unless its POST got 2xx *and* at least one reply to that
activity reached the connector by the time the POST returned.

Used by bench/run.py; on its own: `python bench/load.py URL [--conversations 8] [--seconds 5]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

LOOPBACK = ("127.0.0.1", "localhost", "::1")
BOT = {"id": "28:archbot-bench", "name": "ArchBot"}
TENANT = {"id": "bench-tenant"}

# -- what the simulated users say ---------------------------------------------------------------

QUESTIONS: tuple[str, ...] = (
    "how do I transcribe audio recordings",
    "we need to pull totals out of scanned invoices",
    "what is RAG",
    "<at>ArchBot</at> what is retrieval augmented generation",
    "whats onelake",
    "what is promt flow",
    "what are hyperparamters",
    "which service gives us access to GPT models",
    "how do I fine tune a gpt model in azure",
    "need an internal HR chatbot that answers only from our policy pdfs",
    "we want to predict churn from CRM history but we have no data scientists",
    "what is automl",
    "explain embeddings to me",
    "is there a managed spark service in azure",
    "what is azure databricks good for",
    "translate our product catalog with our own terminology",
    "detect faces and objects in photos",
    "what's the difference between fabric and databricks",
    "azure machine learning vs ai foundry",
    "how do I track experiments with mlflow",
    "<at>ArchBot</at> sentiment analysis on product reviews",
    "what does fine-tuning mean in AOAI",
    "what are azure ai services exactly",
    "where should every department put its analytics data in fabric",
    "how do I score 50 million records every night with spark",
    "what's a vector index",
    "what's the weather in Oslo tomorrow",
    "what is deep learnign",
    "can I run pytorch on a spark cluster",
    "what are model weights",
)
SMALL_TALK: tuple[str, ...] = ("hi", "thanks!", "help", "hello there", "thank you, that helps")
WALKTHROUGH: tuple[tuple[str, ...], ...] = (
    (
        "help me choose an architecture",
        "Generative AI app or chatbot (retrieval, copilots)",
        "not sure",
        "cancel",
    ),
    ("which service should I use for my project", "documents", "start over", "cancel"),
)


def conversation_scripts(seed: int = 7, count: int = 64, turns: int = 10) -> list[list[str]]:
    """Deterministic conversations: mostly questions, some small talk, now and then a walkthrough
    (started, answered, cancelled) in the middle."""
    rng = random.Random(seed)
    scripts = []
    for index in range(count):
        script = [rng.choice(SMALL_TALK)] if rng.random() < 0.5 else []
        while len(script) < turns:
            if index % 4 == 3 and len(script) == 3:
                script.extend(WALKTHROUGH[index // 4 % len(WALKTHROUGH)])
            elif rng.random() < 0.12:
                script.append(rng.choice(SMALL_TALK))
            else:
                script.append(rng.choice(QUESTIONS))
        scripts.append(script[:turns])
    return scripts


def question_scripts(seed: int = 11, count: int = 64, turns: int = 10) -> list[list[str]]:
    """Conversations of routed questions only (the figure "CPU per routed question")."""
    rng = random.Random(seed)
    return [[rng.choice(QUESTIONS) for _ in range(turns)] for _ in range(count)]


# -- the connector stand-in ---------------------------------------------------------------------


class Connector:
    """Receives the replies bots POST to `{serviceUrl}/v3/conversations/{id}/activities[/{id}]`."""

    def __init__(self) -> None:
        self.replied: set[str] = set()
        self.replies = 0
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _reply(self, request: web.Request) -> web.Response:
        await request.read()
        # a reply to an activity names it in the URL; a conversation-level send (the welcome on
        # conversationUpdate) names only the conversation
        info = request.match_info
        self.replied.add(info.get("reply_to") or info["conversation"])
        self.replies += 1
        return web.json_response({"id": uuid.uuid4().hex})

    async def start(self) -> Connector:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._reply)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._reply)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


# -- activities ---------------------------------------------------------------------------------


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


class Channel:
    """Builds the activities a Teams personal chat sends a bot."""

    def __init__(self, service_url: str, channel_id: str = "msteams") -> None:
        self.service_url = service_url
        self.channel_id = channel_id

    def _base(self, kind: str, conversation: str, user: dict[str, str]) -> dict[str, Any]:
        return {
            "type": kind,
            "id": uuid.uuid4().hex,
            "timestamp": _now(),
            "channelId": self.channel_id,
            "serviceUrl": self.service_url,
            "from": user,
            "recipient": BOT,
            "conversation": {"id": conversation, "conversationType": "personal", "tenantId": "t"},
            "channelData": {"tenant": TENANT},
            "locale": "en-US",
        }

    def join(self, conversation: str, user: dict[str, str]) -> dict[str, Any]:
        activity = self._base("conversationUpdate", conversation, user)
        activity["membersAdded"] = [user, BOT]
        return activity

    def message(self, conversation: str, user: dict[str, str], text: str) -> dict[str, Any]:
        activity = self._base("message", conversation, user)
        activity.update(text=text, textFormat="plain")
        if text.startswith("<at>"):
            activity["entities"] = [
                {"type": "mention", "mentioned": BOT, "text": "<at>ArchBot</at>"}
            ]
        return activity


# -- driving the load ---------------------------------------------------------------------------


@dataclass
class LoadStats:
    """What one bounded run measured."""

    turns: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """The q-quantile (0–1) of the turn latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    def error(self, message: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(message)


def check_loopback(url: str) -> None:
    """Refuse any target that is not on this machine's loopback."""
    host = URL(url).host
    if host not in LOOPBACK and not (host or "").startswith("127."):
        raise SystemExit(f"bench/load.py only sends load to loopback addresses, not {host!r}")


async def drive(
    url: str,
    connector: Connector,
    scripts: Sequence[Sequence[str]],
    *,
    conversations: int,
    max_turns: int,
    max_seconds: float,
    check_replies: bool = True,
    session: aiohttp.ClientSession | None = None,
) -> LoadStats:
    """Play `conversations` concurrent conversations against `url` until `max_turns` turns were
    sent or `max_seconds` passed, whichever comes first."""
    check_loopback(url)
    stats = LoadStats()
    channel = Channel(connector.service_url)
    script_cycle: Iterator[Sequence[str]] = itertools.cycle(scripts)
    budget = itertools.count()
    own_session = session is None
    if session is None:
        connector_limit = aiohttp.TCPConnector(limit=conversations + 4)
        session = aiohttp.ClientSession(connector=connector_limit)
    started = time.perf_counter()
    deadline = started + max_seconds

    async def turn(activity: dict[str, Any]) -> bool:
        if next(budget) >= max_turns or time.perf_counter() >= deadline:
            return False
        body = json.dumps(activity).encode()
        sent = time.perf_counter()
        try:
            async with session.post(
                url, data=body, headers={"Content-Type": "application/json"}
            ) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, OSError) as exc:
            stats.turns += 1
            stats.error(f"{type(exc).__name__}: {exc}")
            return True
        stats.latencies.append(time.perf_counter() - sent)
        stats.turns += 1
        stats.statuses[status] = stats.statuses.get(status, 0) + 1
        if status >= 300:
            stats.error(f"HTTP {status} for {activity['type']} {activity.get('text', '')!r}")
        key = activity["id"] if activity["type"] == "message" else activity["conversation"]["id"]
        if status < 300 and check_replies and key not in connector.replied:
            stats.error(f"no reply to {activity['type']} {activity.get('text', '')!r}")
        connector.replied.discard(key)
        return True

    async def worker(number: int) -> None:
        while True:
            conversation = f"a:bench-{number}-{uuid.uuid4().hex[:12]}"
            user = {"id": f"29:user-{number}", "name": f"User {number}", "aadObjectId": "x"}
            if not await turn(channel.join(conversation, user)):
                return
            for text in next(script_cycle):
                if not await turn(channel.message(conversation, user, text)):
                    return

    try:
        await asyncio.gather(*(worker(n) for n in range(conversations)))
    finally:
        stats.seconds = time.perf_counter() - started
        if own_session:
            await session.close()
    return stats


# -- process figures (from /proc: Linux) --------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process (all its threads) has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_mb(pid: int) -> float:
    """A process's resident memory, in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- command line -------------------------------------------------------------------------------


async def _main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the bot's /api/messages URL (loopback only)")
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--questions-only", action="store_true")
    args = parser.parse_args(argv)
    connector = await Connector().start()
    scripts = question_scripts() if args.questions_only else conversation_scripts()
    try:
        stats = await drive(
            args.url,
            connector,
            scripts,
            conversations=args.conversations,
            max_turns=args.turns,
            max_seconds=args.seconds,
        )
    finally:
        await connector.stop()
    print(
        f"{stats.turns} turns in {stats.seconds:.2f} s = {stats.turns_per_second:.0f} turns/s; "
        f"p50 {stats.percentile(0.5):.1f} ms, p90 {stats.percentile(0.9):.1f} ms, "
        f"p99 {stats.percentile(0.99):.1f} ms; errors {stats.errors} {stats.error_samples}"
    )


if __name__ == "__main__":
    asyncio.run(_main())
