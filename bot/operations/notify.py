"""Proactive notices (chat-ops): conversations opt in, an admin posts one message to all of them.

* **Opt in / out**: a message ``subscribe`` (or "subscribe to updates", "subscribe this channel to
  notices" …) or ``unsubscribe``; typos are tolerated in the command word, the rest may only be
  filler words, so a question that merely mentions a subscription is never taken as a command.
  The handler checks this before the dialogs run (:meth:`Notices.on_message`).
* **Where they are kept**: the conversation reference of each subscribed conversation, one item
  per subscription in the storage that holds the bot's state (a table in the SQLite file, a blob
  in the Azure container: bot/state/subscriptions.py), so every instance sharing the storage sees
  them all. Subscribing writes one small item, whatever the number of subscribers; instances
  subscribing at once never conflict; a broadcast reads them page by page.
* **Sending**: ``POST /api/notify`` with ``Authorization: Bearer <ARCHBOT_ADMIN_KEY>`` and
  ``{"text": "…"}`` (disabled, 404, when no admin key is configured), or ``archbot notify "…"``,
  which calls it. Each conversation gets the message through ``continue_conversation``; a
  conversation whose channel answers 403/404 (the bot was removed) is unsubscribed.
* Without an app id (anonymous, Emulator mode) anyone can claim any ``serviceUrl``, so only
  loopback service URLs may subscribe there: the bot never posts to an address a stranger chose.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from botbuilder.core import BotAdapter, MessageFactory, Storage, TurnContext
from botbuilder.schema import ConversationReference
from rapidfuzz import fuzz

from bot.operations.config import Settings
from bot.state.subscriptions import subscription_store

log = logging.getLogger(__name__)

MAX_NOTICE_CHARS = 4000
PARALLEL_SENDS = 8
GONE_STATUSES = frozenset({403, 404})
COMMAND_TYPO_SCORE = 85

SUBSCRIBED = (
    "Subscribed: this conversation will get ArchBot's notices, for example when the knowledge "
    "base gets new topics. Say **unsubscribe** to stop them."
)
ALREADY_SUBSCRIBED = "This conversation is already subscribed to ArchBot's notices."
UNSUBSCRIBED = "Unsubscribed: this conversation will get no more notices from ArchBot."
NOT_SUBSCRIBED = "This conversation was not subscribed to ArchBot's notices."
REFUSED = (
    "I can't subscribe this conversation: without an app id I only post notices to a local "
    "channel (the Emulator)."
)

_FILLER = frozenset(
    re.findall(
        r"\w+",
        "to from for of about on me us our my the all any this that channel chat conversation team "
        "group here updates update notices notice notifications notification news announcements "
        "changes alerts knowledge base kb archbot bot please pls now",
    )
)


class Command(Enum):
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"


def notice_command(text: str | None) -> Command | None:
    """``subscribe``/``unsubscribe`` (+ only filler words), typos allowed; else None."""
    words = re.findall(r"[a-z]+", (text or "").lower())
    if not words or len(words) > 8 or not set(words[1:]) <= _FILLER:
        return None
    first = words[0]
    scores = {command: fuzz.ratio(first, command.value) for command in Command}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= COMMAND_TYPO_SCORE else None


def conversation_key(reference: ConversationReference) -> str:
    conversation = reference.conversation.id if reference.conversation else ""
    return f"{reference.channel_id}/{conversation}"


def _is_loopback(service_url: str | None) -> bool:
    host = urlparse(service_url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _stored_reference(context: TurnContext) -> dict[str, Any]:
    reference = TurnContext.get_conversation_reference(context.activity)
    reference.activity_id = None  # a notice is a new message, not a reply to the opt-in
    stored = reference.serialize()
    stored["subscribedAt"] = datetime.now(UTC).isoformat()
    return stored


def _status_of(error: BaseException | None) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return status if isinstance(status, int) else None


@dataclass
class BroadcastResult:
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "sent": len(self.sent),
            "failed": [{"conversation": k, "error": e} for k, e in self.failed.items()],
            "removed": self.removed,
        }


class Notices:
    """Opt-in handling for the handler, and the broadcast for the admin endpoint."""

    def __init__(self, storage: Storage, *, anonymous: bool) -> None:
        self.subscriptions = subscription_store(storage)
        self.anonymous = anonymous

    async def on_message(self, context: TurnContext) -> bool:
        """Handle a subscribe/unsubscribe message; False when the message is something else."""
        command = notice_command(context.activity.text)
        if command is None:
            return False
        reference = _stored_reference(context)
        key = conversation_key(TurnContext.get_conversation_reference(context.activity))
        if command is Command.UNSUBSCRIBE:
            removed = await self.subscriptions.remove(key)
            await context.send_activity(UNSUBSCRIBED if removed else NOT_SUBSCRIBED)
        elif self.anonymous and not _is_loopback(context.activity.service_url):
            await context.send_activity(REFUSED)
        else:
            added = await self.subscriptions.add(key, reference)
            log.info("conversation %s %s notices", key, "subscribed to" if added else "already had")
            await context.send_activity(SUBSCRIBED if added else ALREADY_SUBSCRIBED)
        return True

    async def broadcast(self, adapter: BotAdapter, app_id: str, text: str) -> BroadcastResult:
        """Post ``text`` to every subscribed conversation; drop the ones that are gone."""
        result = BroadcastResult()
        slots = asyncio.Semaphore(PARALLEL_SENDS)

        async def send_one(key: str, stored: dict[str, Any]) -> None:
            reference = ConversationReference.deserialize(stored)
            error: BaseException | None = None

            async def post(context: TurnContext) -> None:
                nonlocal error
                context.activity.id = None  # a new message, not a reply to the continuation
                try:
                    await context.send_activity(MessageFactory.text(text))
                except Exception as exc:  # recorded: the adapter would swallow it
                    error = exc

            async with slots:
                try:
                    await adapter.continue_conversation(reference, post, app_id)
                except Exception as exc:
                    error = error or exc
            if error is None:
                result.sent.append(key)
                return
            log.warning("notice to %s failed: %s", key, error)
            result.failed[key] = f"{type(error).__name__}: {error}"[:300]
            if _status_of(error) in GONE_STATUSES:
                result.removed.append(key)

        subscribed = 0
        async for page in self.subscriptions.pages():
            subscribed += len(page)
            await asyncio.gather(*(send_one(key, ref) for key, ref in page))
        if result.removed:
            await self.subscriptions.remove(*result.removed)
        log.info(
            "notice sent to %d of %d conversations (%d removed)",
            len(result.sent),
            subscribed,
            len(result.removed),
        )
        return result


# -- the admin endpoint -----------------------------------------------------------------------


def _authorized(request: web.Request, admin_key: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), admin_key.encode()
    )


def notify_handler(
    notices: Notices, adapter: BotAdapter, app_id: str, admin_key: str
) -> Callable[[web.Request], Any]:
    """``POST /api/notify``: {"text": "…"} → {"sent": n, "failed": [...], "removed": [...]}."""

    async def notify(request: web.Request) -> web.Response:
        if not admin_key:
            raise web.HTTPNotFound()  # no admin key configured: the endpoint does not exist
        if not _authorized(request, admin_key):
            return web.json_response({"error": "unauthorized"}, status=401)
        if request.content_type != "application/json":
            return web.json_response({"error": "Content-Type must be application/json"}, status=415)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "the body is not valid JSON"}, status=400)
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return web.json_response({"error": "'text' must be a non-empty string"}, status=400)
        if len(text) > MAX_NOTICE_CHARS:
            return web.json_response(
                {"error": f"'text' is longer than {MAX_NOTICE_CHARS} characters"}, status=400
            )
        result = await notices.broadcast(adapter, app_id, text.strip())
        return web.json_response(result.to_json())

    return notify


# -- the CLI: archbot notify "text" ----------------------------------------------------------


def post_notice(text: str, url: str | None, settings: Settings) -> int:
    """POST the notice to a running bot's admin endpoint; print what happened.

    Exit code 0 when every subscribed conversation got it (gone ones are unsubscribed, not
    failures), 1 when some could not be reached, 2 when the bot refused or was not there.
    """
    if not settings.admin_key:
        print("archbot notify: set ARCHBOT_ADMIN_KEY (the bot's admin key)", file=sys.stderr)
        return 2
    host = "127.0.0.1" if settings.host in ("", "0.0.0.0", "::") else settings.host
    base = (url or f"http://{host}:{settings.port}").rstrip("/")
    request = urllib.request.Request(
        f"{base}/api/notify",
        data=json.dumps({"text": text}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.admin_key}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            result = json.load(response)
    except urllib.error.HTTPError as error:
        reasons = {
            401: "the bot refused the admin key",
            404: "the bot has no notify endpoint (start it with ARCHBOT_ADMIN_KEY set)",
        }
        detail = reasons.get(error.code) or error.read().decode(errors="replace")[:300]
        print(f"archbot notify: {base} answered {error.code}: {detail}", file=sys.stderr)
        return 2
    except OSError as error:  # URLError, refused, timeout
        print(f"archbot notify: cannot reach {base}: {error}", file=sys.stderr)
        return 2
    print(f"notice sent to {result['sent']} conversation(s)")
    for key in result["removed"]:
        print(f"  unsubscribed {key}: the bot is no longer in that conversation")
    failed = [f for f in result["failed"] if f["conversation"] not in result["removed"]]
    for failure in failed:
        print(f"  failed {failure['conversation']}: {failure['error']}", file=sys.stderr)
    return 1 if failed else 0
