"""The floor: what aiohttp itself costs for the same protocol, with no Bot Framework SDK.

`POST /api/messages` reads the activity JSON, POSTs an echo reply to
`{serviceUrl}/v3/conversations/{id}/activities/{replyToId}` over one keep-alive client session
(as a channel expects), and answers 201 — the same exchange the bots do, minus everything else.
Run: `python bench/raw_aiohttp.py --port 3980`.
"""

from __future__ import annotations

import argparse
import uuid

import aiohttp
from aiohttp import web

SESSION = web.AppKey("session", aiohttp.ClientSession)


async def messages(request: web.Request) -> web.Response:
    activity = await request.json()
    text = activity.get("text")
    reply = {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": activity["channelId"],
        "serviceUrl": activity["serviceUrl"],
        "conversation": activity["conversation"],
        "from": activity["recipient"],
        "recipient": activity["from"],
        "replyToId": activity["id"],
        "text": f"Echo: {text}" if text is not None else "Hello and welcome!",
    }
    url = f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/{activity['conversation']['id']}"
    # a reply names the activity it answers; the welcome goes to the conversation (as the SDK does)
    url += f"/activities/{activity['id']}" if activity["type"] == "message" else "/activities"
    async with request.app[SESSION].post(url, json=reply) as response:
        await response.read()
    return web.Response(status=201)


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)

    async def session(app: web.Application):
        app[SESSION] = aiohttp.ClientSession()
        yield
        await app[SESSION].close()

    app.cleanup_ctx.append(session)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=3980)
    args = parser.parse_args()
    web.run_app(create_app(), host="127.0.0.1", port=args.port, print=None, access_log=None)
