"""What one client may cost the bot: rates, body size and read time, and the text a turn reads.

* :class:`RateLimiter`: token buckets per key (a client address, a Direct Line conversation);
  a refused request is answered 429 with ``Retry-After`` (bot/channels/directline/routes.py).
* :func:`client_address`: whom a request counts against: the peer address, or the address the
  trusted proxies in front of the bot saw (``ARCHBOT_FORWARDED_HOPS``); IPv6 clients by /64, which
  is what one subscriber gets.
* :func:`request_guard`: every request body is read up front, at most ``max_body_bytes`` (else
  413) within ``body_timeout`` seconds (else 408 and the connection is closed), so no handler
  waits on a client that trickles its body.
* :class:`TextBound`: the bot reads the first ``max_chars`` characters of what a user sent
  (the text and the strings of a card click's value): routing, context and dialogs cost about
  25 µs per character of random text, so a 250 KiB message would hold the event loop for
  seconds.

The settings and their defaults are in bot/operations/config.py; README, "Operations", has the
table.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from botbuilder.core import Middleware, TurnContext

DEFAULT_MAX_ROUTED_CHARS = 1000
MAX_KEYS = 100_000
"""Buckets kept per limiter at most (the least recently used are dropped: they were full)."""
_VALUE_DEPTH = 6
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*$")


@dataclass(frozen=True)
class Rate:
    """At most ``count`` at once, given back at ``count`` per ``seconds``: "30/60"."""

    count: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """``"N/S"`` (N per S seconds); ``"off"`` or ``"0"`` for no limit."""
        if text.strip().lower() in ("off", "0", "none", "unlimited"):
            return None
        match = _RATE.match(text)
        if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
            raise ValueError(f"{text!r} is not a rate: write N/S (N per S seconds), or off")
        return cls(int(match.group(1)), float(match.group(2)))

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds:g}"


class RateLimiter:
    """A token bucket per key: ``rate.count`` may be spent at once, and come back at
    ``rate.count / rate.seconds`` per second. ``rate=None`` allows everything."""

    def __init__(
        self,
        rate: Rate | None,
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """Spend one for ``key``: 0.0 when allowed, else the seconds until one is back."""
        rate = self.rate
        if rate is None:
            return 0.0
        now = self.clock()
        per_second = rate.count / rate.seconds
        tokens, at = self._buckets.pop(key, (float(rate.count), now))
        tokens = min(float(rate.count), tokens + (now - at) * per_second)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / per_second
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


def retry_after(seconds: float) -> str:
    """A ``Retry-After`` value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


def client_address(request: web.BaseRequest, forwarded_hops: int = 0) -> str:
    """Whom ``request`` counts against: with ``forwarded_hops`` trusted proxies in front, the
    address the outermost one saw (from ``X-Forwarded-For``, whose last entries they append);
    else the peer. An IPv6 address counts as its /64."""
    address = request.remote or ""
    if forwarded_hops > 0:
        seen = [
            hop.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for hop in header.split(",")
            if hop.strip()
        ]
        if len(seen) >= forwarded_hops:
            address = seen[-forwarded_hops]
    return _network(address)


def _network(address: str) -> str:
    host = address.strip()
    if host.startswith("["):  # [v6]:port
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:  # v4:port (as some proxies write it)
        host = host.partition(":")[0]
    try:
        parsed = ipaddress.ip_address(host)
    except ValueError:
        return host[:64] or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


# -- request bodies ---------------------------------------------------------------------------


def _refuse(status: int, code: str, message: str) -> web.Response:
    response = web.json_response({"error": {"code": code, "message": message}}, status=status)
    response.force_close()  # what is left of the body is not read: the connection ends
    return response


def request_guard(
    max_body_bytes: int, body_timeout: float
) -> Callable[[web.Request, Any], Awaitable[web.StreamResponse]]:
    """Middleware: read each request's body before its handler runs, within ``body_timeout``
    seconds (else 408) and ``max_body_bytes`` (else 413); the handler then reads it from memory."""

    @web.middleware
    async def guard(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.body_exists:
            too_large = f"the body is larger than {max_body_bytes} bytes"
            if (request.content_length or 0) > max_body_bytes:
                return _refuse(413, "MessageSizeTooBig", too_large)
            try:
                async with asyncio.timeout(body_timeout):
                    await request.read()
            except web.HTTPRequestEntityTooLarge:
                return _refuse(413, "MessageSizeTooBig", too_large)
            except TimeoutError:
                return _refuse(408, "RequestTimeout", f"the body took over {body_timeout:g} s")
        return await handler(request)

    return guard


# -- what a turn reads ------------------------------------------------------------------------


def _bounded(value: Any, max_chars: int, depth: int = 0) -> Any:
    if isinstance(value, str):
        return value[:max_chars]
    if depth >= _VALUE_DEPTH:
        return value
    if isinstance(value, dict):
        return {k: _bounded(v, max_chars, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_bounded(v, max_chars, depth + 1) for v in value]
    return value


class TextBound(Middleware):
    """Cuts what a user sent to its first ``max_chars`` characters before the bot reads it: the
    text, and the strings in the activity's value (a card click's words, a search query). Runs
    after the transcript middleware, so transcripts keep what was sent."""

    def __init__(self, max_chars: int = DEFAULT_MAX_ROUTED_CHARS) -> None:
        if max_chars < 1:
            raise ValueError("max_chars must be at least 1")
        self.max_chars = max_chars

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable[None]]) -> None:
        activity = context.activity
        if activity.text and len(activity.text) > self.max_chars:
            activity.text = activity.text[: self.max_chars]
        if activity.value is not None:
            activity.value = _bounded(activity.value, self.max_chars)
        await logic()
