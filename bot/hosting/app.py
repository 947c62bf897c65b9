"""The aiohttp application: `POST /api/messages` (Bot Framework protocol) and `GET /healthz`.

Every request's body is read first by the request guard (bot/hosting/limits.py): at most
``ARCHBOT_MAX_BODY_BYTES`` (413) within ``ARCHBOT_BODY_TIMEOUT`` seconds (408)."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from botbuilder.core import InvokeResponse
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector import Channels
from msrest.exceptions import DeserializationError

from bot import __version__
from bot.channels.directline import setup_web_chat
from bot.hosting.adapter import create_adapter
from bot.hosting.artifact_routes import add_artifact_routes
from bot.hosting.limits import request_guard
from bot.hosting.patches import apply_patches
from bot.hosting.runtime import Runtime
from bot.operations.notify import notify_handler

log = logging.getLogger(__name__)

RUNTIME_KEY = web.AppKey("runtime", Runtime)
ADAPTER_KEY = web.AppKey("adapter", CloudAdapter)


def _bad_request(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _activity_problem(activity: Activity) -> str | None:
    """Why an activity cannot be processed, or None when it can."""
    if not activity.type:
        return "the activity has no 'type'"
    if not activity.channel_id:
        return "the activity has no 'channelId'"
    if not activity.conversation or not activity.conversation.id:
        return "the activity has no 'conversation.id'"
    url = urlparse(activity.service_url or "")
    if url.scheme not in ("http", "https") or not url.netloc:
        return "the activity's 'serviceUrl' must be an http(s) URL"
    return None


async def _read_activity(request: web.Request) -> Activity | web.Response:
    if request.content_type != "application/json":
        return _bad_request(415, "Content-Type must be application/json")
    try:
        body = await request.json()  # already read, within its limits, by the request guard
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad_request(400, "the body is not valid JSON")
    except RecursionError:
        return _bad_request(400, "the body's JSON is nested too deeply")
    if not isinstance(body, dict):
        return _bad_request(400, "the body must be a JSON object (an Activity)")
    try:
        activity = Activity().deserialize(body)
    except (DeserializationError, TypeError, ValueError, AttributeError) as exc:
        return _bad_request(400, f"the body is not a valid Activity: {exc}")
    problem = _activity_problem(activity)
    return _bad_request(400, problem) if problem else activity


def _invoke_body(response: InvokeResponse, channel_id: str) -> Any:
    body = response.body
    if hasattr(body, "serialize"):
        body = body.serialize()
    if isinstance(body, dict) and channel_id != Channels.emulator and "activities" in body:
        body["activities"] = [a for a in body["activities"] if a.get("type") != ActivityTypes.trace]
    return body


async def messages(request: web.Request) -> web.Response:
    """Receive one activity, authenticate it, run the turn, answer as the protocol expects."""
    read = await _read_activity(request)
    if isinstance(read, web.Response):
        return read
    activity = read
    adapter = request.app[ADAPTER_KEY]
    handler = request.app[RUNTIME_KEY].handler
    try:
        auth = await adapter.bot_framework_authentication.authenticate_request(
            activity, request.headers.get("Authorization", "")
        )
    except Exception as exc:  # every authentication failure is a 401: fail closed
        log.info("rejected unauthenticated request: %s", exc)
        return _bad_request(401, "unauthorized")
    response = await adapter.process_activity(auth, activity, handler.on_turn)
    if response is None:
        return web.Response(status=201)
    body = _invoke_body(response, activity.channel_id)
    if body is None:
        return web.Response(status=int(response.status))
    return web.json_response(body, status=int(response.status))


async def healthz(request: web.Request) -> web.Response:
    """Liveness and what is loaded: the knowledge base's version (counting reloads), when it
    was loaded, and the problems of the last edit that was not taken (bot/hosting/reload.py)."""
    runtime = request.app[RUNTIME_KEY]
    return web.json_response(
        {
            "status": "ok",
            "version": __version__,
            "topics": len(runtime.kb.topics),
            "knowledge": runtime.watcher.status.as_json(),
        }
    )


def create_app(runtime: Runtime) -> web.Application:
    """The web application around a built runtime."""
    apply_patches()
    settings = runtime.settings
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[request_guard(settings.max_body_bytes, settings.body_timeout)],
    )
    app[RUNTIME_KEY] = runtime
    app[ADAPTER_KEY] = create_adapter(runtime.settings)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    setup_web_chat(app, runtime.settings, runtime.handler.on_turn)  # GET /, /chat, /v3/directline
    add_artifact_routes(app, lambda: runtime.handler.knowledge.artifacts)  # /diagrams, /adr
    if runtime.notices is not None:  # POST /api/notify (404 without ARCHBOT_ADMIN_KEY)
        app_id, admin_key = runtime.settings.APP_ID, runtime.settings.admin_key
        notify = notify_handler(runtime.notices, app[ADAPTER_KEY], app_id, admin_key)
        app.router.add_post("/api/notify", notify)

    async def open_runtime(_: web.Application) -> None:
        if runtime.notices is not None:  # also proves the storage answers before we listen
            await runtime.notices.subscriptions.ensure()

    async def close_runtime(_: web.Application) -> None:
        await runtime.aclose()  # after in-flight turns finished; closes Blob's HTTP session

    app.on_startup.append(open_runtime)
    app.on_cleanup.append(close_runtime)
    return app
