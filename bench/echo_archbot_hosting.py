"""A diagnostic baseline: the samples' echo bot (bench/echo_samples.py's `EchoBot`) hosted the way
ArchBot hosts its bot — ArchBot's `/api/messages` handler, adapter (bot/hosting/adapter.py,
bot/hosting/connectors.py) and third-party patches (bot/hosting/patches.py), no state, no dialogs,
no routing.

Between this row and the samples' echo bot lies what ArchBot's hosting saves; between this row and
`archbot serve` lies what ArchBot's own work costs per turn (middleware, state, dialogs, routing,
cards). Run: `python bench/echo_archbot_hosting.py --port 3981`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import SimpleNamespace

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from echo_samples import EchoBot

from bot.hosting.adapter import create_adapter
from bot.hosting.app import ADAPTER_KEY, RUNTIME_KEY, messages
from bot.hosting.patches import apply_patches
from bot.operations.config import Settings


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    apply_patches()
    app = web.Application()
    app[ADAPTER_KEY] = create_adapter(Settings())
    app[RUNTIME_KEY] = SimpleNamespace(handler=EchoBot())  # type: ignore[assignment]
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=3981)
    args = parser.parse_args()
    web.run_app(create_app(), host="127.0.0.1", port=args.port, print=None)
