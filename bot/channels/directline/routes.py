"""HTTP routes: the Direct Line 3.0 subset Web Chat uses, the token endpoint and the chat page.

Direct Line (under ``/v3/directline``, what Web Chat's ``createDirectLine({token, domain})``
calls):

* ``POST /tokens/generate``: a token for a new conversation (body ``{"user": {"id": …}}``
  optional); ``POST /tokens/refresh``: a fresh token for the bearer token's conversation.
* ``POST /conversations``: starts the token's conversation (201; 200 if it already runs) and
  sends the bot a ``conversationUpdate``, so the welcome is the first activity.
* ``POST /conversations/{id}/activities``: stores the user's activity (the echo Web Chat waits
  for: same ``channelData.clientActivityID``, a new ``id``), answers ``{"id"}`` at once and runs
  the turn in the background.
* ``GET /conversations/{id}/activities?watermark=``: ``{"activities", "watermark"}`` (a string).
* ``GET /conversations/{id}?watermark=``: reconnect, with a new ``streamUrl``.
* ``GET /conversations/{id}/stream?t=…&watermark=``: the WebSocket ``streamUrl``; pushes
  ``{"activities", "watermark"}`` sets as the transcript grows.

Errors use Direct Line's shape ``{"error": {"code", "message"}}``: 401 no token, 403 a bad,
expired or other conversation's token, 404 an unknown (or evicted) conversation.

``POST /api/directline/token`` is what the page calls: with no Direct Line secret configured it
issues a local token (``domain`` is this server's ``/v3/directline``); with ``DirectLineSecret``
set it exchanges the secret for a token at Azure's Direct Line (the standard pattern: the secret
never reaches the browser). ``GET /`` and ``GET /chat`` serve the chat page, ``/web/`` its files.

Who may use the built-in Direct Line (``Settings.builtin_directline``): in the local mode (no app
id) anyone who reaches the page; with an app id (production) it is off (404) unless it has its own
secret, ``ARCHBOT_DIRECTLINE_SECRET``. With that secret set, ``POST /tokens/generate`` wants
``Authorization: Bearer <secret>`` (as Azure's does), and the page's token endpoint, which holds
the secret, still gives the page its tokens.

Rates (bot/hosting/limits.py; 429 with ``Retry-After``): tokens minted (page token, generate,
refresh) and turns started (messages, new conversations) per client address, and messages per
conversation token.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes
from msrest.exceptions import DeserializationError

from bot.channels.directline.bridge import BOT_ACCOUNT, CHANNEL_ID, DirectLineBridge
from bot.channels.directline.store import (
    DEFAULT_IDLE_SECONDS,
    DEFAULT_MAX_CONVERSATIONS,
    Conversation,
    ConversationStore,
)
from bot.channels.directline.tokens import STREAM_SCOPE, Claims, TokenError, TokenIssuer
from bot.hosting.limits import (
    DEFAULT_MAX_ROUTED_CHARS,
    RateLimiter,
    TextBound,
    client_address,
    retry_after,
)

log = logging.getLogger(__name__)

PREFIX = "/v3/directline"
TOKEN_PATH = "/api/directline/token"
AZURE_DIRECTLINE = "https://directline.botframework.com/v3/directline"
WEB_DIR = Path(__file__).resolve().parents[3] / "web"
EXCHANGE_TIMEOUT_SECONDS = 10.0
MAX_USER_ID_CHARS = 64
CORS_PREFIXES = (PREFIX, TOKEN_PATH)
CORS_DEFAULT_HEADERS = "Authorization, Content-Type, Accept, x-ms-bot-agent"

Logic = Callable[[TurnContext], Awaitable[None]]


@dataclass
class Throttles:
    """The web side's rates (README, "Operations"): ``None`` rates allow everything."""

    tokens: RateLimiter = field(default_factory=lambda: RateLimiter(None))
    """Tokens minted per client address (page token, generate, refresh)."""
    turns: RateLimiter = field(default_factory=lambda: RateLimiter(None))
    """Turns started per client address (messages posted, conversations started)."""
    messages: RateLimiter = field(default_factory=lambda: RateLimiter(None))
    """Messages posted per conversation token."""
    forwarded_hops: int = 0
    """Trusted proxies in front of the bot (whose X-Forwarded-For names the client)."""


@dataclass
class DirectLine:
    """What the routes share: settings, the token issuer, the conversations and the bridge."""

    issuer: TokenIssuer
    store: ConversationStore
    bridge: DirectLineBridge
    secret: str = ""
    endpoint: str = AZURE_DIRECTLINE
    web_dir: Path = WEB_DIR
    enabled: bool = True
    """The built-in Direct Line answers (off in production without its own secret)."""
    local_secret: str = ""
    """The built-in Direct Line's secret: minting at /tokens/generate needs it when set."""
    throttles: Throttles = field(default_factory=Throttles)


DIRECTLINE_KEY = web.AppKey("directline", DirectLine)


# -- helpers ----------------------------------------------------------------------------------


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


class _Refused(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


def _state(request: web.Request) -> DirectLine:
    return request.app[DIRECTLINE_KEY]


def _public_origin(request: web.Request) -> tuple[str, str]:
    """(scheme, host) as the browser sees them (honours a proxy's X-Forwarded-Proto)."""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    scheme = forwarded if forwarded in ("http", "https") else request.scheme
    return scheme, request.host


def _domain(request: web.Request) -> str:
    scheme, host = _public_origin(request)
    return f"{scheme}://{host}{PREFIX}"


def _stream_url(request: web.Request, claims: Claims, watermark: int | None) -> str:
    scheme, host = _public_origin(request)
    ws_scheme = "wss" if scheme == "https" else "ws"
    token = _state(request).issuer.issue(claims.conversation_id, claims.user_id, STREAM_SCOPE)
    query = f"t={token}" if watermark is None else f"watermark={watermark}&t={token}"
    return f"{ws_scheme}://{host}{PREFIX}/conversations/{claims.conversation_id}/stream?{query}"


def _authorize(request: web.Request, conversation_id: str | None = None) -> Claims:
    """The bearer token's claims, for ``conversation_id`` when given; else 401/403."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _Refused(_error(401, "MissingToken", "an Authorization: Bearer token is required"))
    try:
        claims = _state(request).issuer.verify(token.strip())
    except TokenError as exc:
        raise _Refused(_error(403, "TokenInvalid", str(exc))) from exc
    if conversation_id is not None and claims.conversation_id != conversation_id:
        raise _Refused(_error(403, "TokenInvalid", "the token is for another conversation"))
    return claims


def _throttle(limiter: RateLimiter, key: str, what: str) -> None:
    """Spend one of ``key``'s ``what``; when none is left, 429 with Retry-After."""
    wait = limiter.take(key)
    if wait:
        after = retry_after(wait)
        response = _error(429, "TooManyRequests", f"too many {what}: try again in {after} s")
        response.headers["Retry-After"] = after
        raise _Refused(response)


def _client(request: web.Request) -> str:
    return client_address(request, _state(request).throttles.forwarded_hops)


def _check_local_secret(request: web.Request) -> None:
    """With ARCHBOT_DIRECTLINE_SECRET set, minting wants ``Authorization: Bearer <secret>``."""
    secret = _state(request).local_secret
    if not secret:
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise _Refused(_error(401, "MissingToken", "generating a token needs the secret"))
    if not hmac.compare_digest(given.strip().encode(), secret.encode()):
        raise _Refused(_error(403, "TokenInvalid", "the secret is not this Direct Line's"))


def _conversation(request: web.Request, claims: Claims) -> Conversation:
    conversation = _state(request).store.get(claims.conversation_id)
    if conversation is None:
        raise _Refused(_error(404, "BadArgument", "unknown or expired conversation"))
    return conversation


def _watermark(request: web.Request) -> int | None:
    raw = request.query.get("watermark", "").strip()
    if raw in ("", "-", "null", "undefined"):
        return None
    try:
        return max(0, int(raw))
    except ValueError as exc:
        raise _Refused(_error(400, "BadArgument", "the watermark must be a number")) from exc


async def _json_object(request: web.Request, *, required: bool) -> dict[str, Any]:
    if not request.body_exists:
        if required:
            raise _Refused(_error(400, "BadArgument", "a JSON body is required"))
        return {}
    if request.content_type not in ("application/json", "text/json"):
        raise _Refused(_error(415, "BadArgument", "Content-Type must be application/json"))
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge as exc:
        raise _Refused(_error(413, "MessageSizeTooBig", "the body is too large")) from exc
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _Refused(_error(400, "BadArgument", "the body is not valid JSON")) from exc
    if body is None and not required:
        return {}
    if not isinstance(body, dict):
        raise _Refused(_error(400, "BadArgument", "the body must be a JSON object"))
    return body


def _token_body(state: DirectLine, conversation_id: str, user_id: str) -> dict[str, Any]:
    return {
        "conversationId": conversation_id,
        "token": state.issuer.issue(conversation_id, user_id),
        "expires_in": state.issuer.lifetime,
    }


def _new_user_id() -> str:
    return f"dl_{secrets.token_hex(8)}"


def _new_conversation_id() -> str:
    return secrets.token_hex(12)


def _handler(
    func: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Turn a refusal raised anywhere in a route into its response."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await func(request)
        except _Refused as refused:
            return refused.response

    wrapped.__doc__ = func.__doc__
    return wrapped


# -- Direct Line ------------------------------------------------------------------------------


@_handler
async def generate_token(request: web.Request) -> web.Response:
    """A token for a new conversation; optional body ``{"user": {"id": "dl_…"}}``."""
    _throttle(_state(request).throttles.tokens, _client(request), "tokens")
    _check_local_secret(request)
    body = await _json_object(request, required=False)
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    user_id = user.get("id") if isinstance(user.get("id"), str) else ""
    if len(user_id) > MAX_USER_ID_CHARS:
        return _error(400, "BadArgument", f"user.id is longer than {MAX_USER_ID_CHARS}")
    return web.json_response(
        _token_body(_state(request), _new_conversation_id(), user_id or _new_user_id())
    )


@_handler
async def refresh_token(request: web.Request) -> web.Response:
    """A fresh token for the bearer token's conversation and user."""
    _throttle(_state(request).throttles.tokens, _client(request), "tokens")
    claims = _authorize(request)
    return web.json_response(_token_body(_state(request), claims.conversation_id, claims.user_id))


@_handler
async def start_conversation(request: web.Request) -> web.Response:
    """Start the token's conversation: 201 and a welcome turn; 200 if it is already running."""
    claims = _authorize(request)
    state = _state(request)
    await _json_object(request, required=False)  # {"user", "locale"} from Web Chat: not needed
    status = 200
    conversation = state.store.get(claims.conversation_id)
    if conversation is None:
        _throttle(state.throttles.turns, _client(request), "turns")  # the welcome's
        conversation = state.store.create(claims.conversation_id, claims.user_id)
        status = 201
        user = {"id": claims.user_id, "name": claims.user_id, "role": "user"}
        state.bridge.start_turn(
            conversation,
            {
                "type": ActivityTypes.conversation_update,
                "id": conversation.next_id(),
                "channelId": CHANNEL_ID,
                "serviceUrl": _domain(request),
                "conversation": {"id": conversation.id},
                "from": user,
                "recipient": dict(BOT_ACCOUNT),
                "membersAdded": [dict(BOT_ACCOUNT), user],
            },
        )
    token = request.headers["Authorization"].partition(" ")[2].strip()
    body = {
        "conversationId": conversation.id,
        "token": token,
        "expires_in": claims.seconds_left(state.issuer.clock()),
        "streamUrl": _stream_url(request, claims, None),
        "referenceGrammarId": "",
    }
    return web.json_response(body, status=status)


@_handler
async def reconnect(request: web.Request) -> web.Response:
    """Reconnect to a running conversation: a new streamUrl that resumes at ``watermark``."""
    claims = _authorize(request, request.match_info["conversation_id"])
    _conversation(request, claims)
    watermark = _watermark(request)
    token = request.headers["Authorization"].partition(" ")[2].strip()
    return web.json_response(
        {
            "conversationId": claims.conversation_id,
            "token": token,
            "expires_in": claims.seconds_left(_state(request).issuer.clock()),
            "streamUrl": _stream_url(request, claims, watermark),
        }
    )


def _user_activity(
    request: web.Request, body: dict[str, Any], claims: Claims, conversation: Conversation
) -> dict[str, Any]:
    """The posted activity as the bot and the transcript get it: our ids, the token's user."""
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        raise _Refused(_error(400, "BadArgument", "the activity has no 'type'"))
    sender = body.get("from") if isinstance(body.get("from"), dict) else {}
    name = sender.get("name") if isinstance(sender.get("name"), str) else None
    ignored = {"id", "timestamp", "serviceUrl", "channelId", "conversation", "recipient", "from"}
    activity = {k: v for k, v in body.items() if k not in ignored}
    activity.update(
        channelId=CHANNEL_ID,
        serviceUrl=_domain(request),
        conversation={"id": conversation.id},
        recipient=dict(BOT_ACCOUNT),
    )
    activity["from"] = {"id": claims.user_id, "name": name or claims.user_id, "role": "user"}
    try:
        Activity().deserialize(activity)
    except (DeserializationError, TypeError, ValueError, AttributeError) as exc:
        raise _Refused(_error(400, "BadArgument", f"not a valid activity: {exc}")) from exc
    return activity


@_handler
async def post_activity(request: web.Request) -> web.Response:
    """Take the user's activity: answer its id at once, echo it, run the turn in the background."""
    claims = _authorize(request, request.match_info["conversation_id"])
    conversation = _conversation(request, claims)
    state = _state(request)
    activity = _user_activity(
        request, await _json_object(request, required=True), claims, conversation
    )
    if activity["type"] == ActivityTypes.typing:
        return web.json_response({"id": conversation.next_id()})  # not echoed, no turn
    _throttle(state.throttles.turns, _client(request), "turns")
    _throttle(state.throttles.messages, conversation.id, "messages")
    if conversation.pending_turns >= state.store.max_pending_turns:
        return _error(429, "TooManyRequests", "too many messages waiting for an answer")
    state.store.append(conversation, activity)
    state.bridge.start_turn(conversation, dict(activity))
    return web.json_response({"id": activity["id"]})


@_handler
async def get_activities(request: web.Request) -> web.Response:
    """The activities after ``watermark`` and the new watermark (a string)."""
    claims = _authorize(request, request.match_info["conversation_id"])
    conversation = _conversation(request, claims)
    activities, watermark = conversation.since(_watermark(request) or 0)
    return web.json_response({"activities": activities, "watermark": str(watermark)})


@_handler
async def stream(request: web.Request) -> web.StreamResponse:
    """The WebSocket streamUrl: pushes every new activity set until either side closes."""
    conversation_id = request.match_info["conversation_id"]
    try:
        claims = _state(request).issuer.verify(request.query.get("t", ""), STREAM_SCOPE)
    except TokenError as exc:
        return _error(403, "TokenInvalid", str(exc))
    if claims.conversation_id != conversation_id:
        return _error(403, "TokenInvalid", "the token is for another conversation")
    conversation = _conversation(request, claims)
    watermark = _watermark(request) or 0
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=64 * 1024)
    if not ws.can_prepare(request).ok:
        return _error(400, "BadArgument", "expected a WebSocket upgrade")
    await ws.prepare(request)
    store = _state(request).store
    with conversation.listen() as changed:
        reader = asyncio.create_task(_drain(ws))
        try:
            while not ws.closed and not conversation.closed:
                changed.clear()
                activities, watermark = conversation.since(watermark)
                if activities:
                    await ws.send_json({"activities": activities, "watermark": str(watermark)})
                    store.touch(conversation)
                waiter = asyncio.create_task(changed.wait())
                await asyncio.wait({waiter, reader}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                if reader.done():
                    break
        except (ConnectionResetError, aiohttp.ClientConnectionResetError):
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            store.touch(conversation)
            await ws.close()
    return ws


async def _drain(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the client sends, Web Chat's empty keep-alives, until it closes."""
    async for _ in ws:
        pass


async def builtin_off(request: web.Request) -> web.Response:
    """Every built-in Direct Line route in production when it has no secret of its own."""
    return _error(
        404,
        "NotFound",
        "the built-in Direct Line is off: the bot runs with MicrosoftAppId and no "
        "ARCHBOT_DIRECTLINE_SECRET",
    )


# -- the page and its token -------------------------------------------------------------------


@_handler
async def page_token(request: web.Request) -> web.Response:
    """The chat page's token: local Direct Line, or Azure's when a secret is configured."""
    state = _state(request)
    _throttle(state.throttles.tokens, _client(request), "tokens")
    user_id = _new_user_id()
    if not state.secret and not state.enabled:
        return _error(
            404,
            "NotConfigured",
            "web chat is not set up: with MicrosoftAppId set, give the bot DirectLineSecret "
            "(Azure's Direct Line) or ARCHBOT_DIRECTLINE_SECRET (its own)",
        )
    if not state.secret:
        body = _token_body(state, _new_conversation_id(), user_id)
        return web.json_response(
            {**body, "userId": user_id, "domain": _domain(request), "mode": "local"}
        )
    url = f"{state.endpoint.rstrip('/')}/tokens/generate"
    timeout = aiohttp.ClientTimeout(total=EXCHANGE_TIMEOUT_SECONDS)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(
                url,
                json={"user": {"id": user_id}},
                headers={"Authorization": f"Bearer {state.secret}"},
            ) as resp,
        ):
            if resp.status != 200:
                log.warning("Direct Line token exchange answered %s", resp.status)
                return _error(
                    502, "TokenExchangeFailed", f"Direct Line answered HTTP {resp.status}"
                )
            exchanged = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError) as exc:
        log.warning("Direct Line token exchange failed: %r", exc)
        return _error(502, "TokenExchangeFailed", "Direct Line could not be reached")
    if not isinstance(exchanged, dict) or not isinstance(exchanged.get("token"), str):
        return _error(502, "TokenExchangeFailed", "Direct Line answered without a token")
    return web.json_response(
        {
            "conversationId": exchanged.get("conversationId"),
            "token": exchanged["token"],
            "expires_in": exchanged.get("expires_in"),
            "userId": user_id,
            "domain": state.endpoint.rstrip("/"),
            "mode": "directline",
        }
    )


async def chat_page(request: web.Request) -> web.StreamResponse:
    """The chat page (Web Chat, styled as ArchBot)."""
    page = _state(request).web_dir / "index.html"
    if not page.is_file():
        return web.Response(status=404, text="the chat page (web/index.html) is missing")
    return web.FileResponse(page, headers={"Cache-Control": "no-cache"})


# -- CORS -------------------------------------------------------------------------------------


@web.middleware
async def cors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Let pages on other origins use Direct Line and the token endpoint (bearer tokens, no
    cookies, so any origin may): preflights allow the method and headers the browser asks for."""
    if not request.path.startswith(CORS_PREFIXES):
        return await handler(request)
    origin = request.headers.get("Origin") or "*"
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        asked = request.headers.get("Access-Control-Request-Headers", "").strip()
        allowed = ", ".join(h.strip() for h in asked.split(",") if h.strip().isascii())
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": allowed or CORS_DEFAULT_HEADERS,
                "Access-Control-Max-Age": "600",
                "Vary": "Origin, Access-Control-Request-Headers",
            },
        )
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers["Access-Control-Allow-Origin"] = origin
        raise
    if not response.prepared:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


# -- wiring -----------------------------------------------------------------------------------


def setup_web_chat(
    app: web.Application,
    settings: Any,
    logic: Logic,
    *,
    store: ConversationStore | None = None,
    issuer: TokenIssuer | None = None,
    web_dir: Path = WEB_DIR,
) -> DirectLine:
    """Add the Direct Line endpoint, the token endpoint and the chat page to ``app``.

    ``settings`` supplies ``directline_secret``, ``directline_endpoint``, ``token_key``,
    ``directline_idle_seconds``, ``directline_max_conversations``, whether the built-in Direct
    Line is on (``builtin_directline``) and its own secret, and the limits (``*_per_address``,
    ``messages_per_token``, ``forwarded_hops``, ``max_routed_chars``; none when missing);
    ``logic`` is the bot's turn handler (``handler.on_turn``).
    """
    if store is None:
        store = ConversationStore(
            idle_seconds=getattr(settings, "directline_idle_seconds", DEFAULT_IDLE_SECONDS),
            max_conversations=getattr(
                settings, "directline_max_conversations", DEFAULT_MAX_CONVERSATIONS
            ),
        )
    if issuer is None:
        issuer = TokenIssuer(getattr(settings, "token_key", "") or secrets.token_urlsafe(32))
    bridge = DirectLineBridge(store, logic, getattr(settings, "transcripts_dir", None))
    bridge.adapter.use(TextBound(getattr(settings, "max_routed_chars", DEFAULT_MAX_ROUTED_CHARS)))
    state = DirectLine(
        issuer=issuer,
        store=store,
        bridge=bridge,
        secret=getattr(settings, "directline_secret", ""),
        endpoint=getattr(settings, "directline_endpoint", "") or AZURE_DIRECTLINE,
        web_dir=web_dir,
        enabled=getattr(settings, "builtin_directline", True),
        local_secret=getattr(settings, "directline_local_secret", ""),
        throttles=Throttles(
            tokens=RateLimiter(getattr(settings, "tokens_per_address", None)),
            turns=RateLimiter(getattr(settings, "turns_per_address", None)),
            messages=RateLimiter(getattr(settings, "messages_per_token", None)),
            forwarded_hops=getattr(settings, "forwarded_hops", 0),
        ),
    )
    app[DIRECTLINE_KEY] = state
    app.middlewares.insert(0, cors)  # outermost: refusals of the request guard are readable too

    routes = app.router
    if state.enabled:
        routes.add_post(f"{PREFIX}/tokens/generate", generate_token)
        routes.add_post(f"{PREFIX}/tokens/refresh", refresh_token)
        routes.add_post(f"{PREFIX}/conversations", start_conversation)
        routes.add_get(f"{PREFIX}/conversations/{{conversation_id}}", reconnect)
        routes.add_post(f"{PREFIX}/conversations/{{conversation_id}}/activities", post_activity)
        routes.add_get(f"{PREFIX}/conversations/{{conversation_id}}/activities", get_activities)
        routes.add_get(f"{PREFIX}/conversations/{{conversation_id}}/stream", stream)
    else:
        routes.add_route("*", f"{PREFIX}/{{tail:.*}}", builtin_off)
    routes.add_post(TOKEN_PATH, page_token)
    routes.add_get("/", chat_page)
    routes.add_get("/chat", chat_page)
    if web_dir.is_dir():
        routes.add_static("/web/", web_dir, show_index=False, follow_symlinks=False)

    sweeper: list[asyncio.Task[None]] = []

    async def sweep_forever() -> None:
        interval = min(60.0, max(0.5, store.idle_seconds / 4))
        while True:
            await asyncio.sleep(interval)
            store.sweep()

    async def on_startup(_: web.Application) -> None:
        sweeper.append(asyncio.get_running_loop().create_task(sweep_forever()))

    async def on_shutdown(_: web.Application) -> None:
        store.close_all()  # open streams end, so shutdown does not wait for them

    async def on_cleanup(_: web.Application) -> None:
        for task in sweeper:
            task.cancel()
        await state.bridge.close()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return state
