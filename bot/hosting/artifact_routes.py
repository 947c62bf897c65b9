"""The stable addresses of what a recommendation leaves behind: `GET /diagrams/<id>.png|svg` and
`GET /adr/<rule id>.md?<question>=<choice>&…` (a decision record, as a file to download).

Both are computed from the knowledge base served now, so any instance answers any address. An
unknown diagram or rule is 404; answers that are unknown, do not go together, or do not lead to
that rule are 400 with what is wrong, never a 5xx.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from aiohttp import web

from bot.core.adr import ADR_PREFIX, answers_from_query
from bot.core.artifacts import DIAGRAM_PREFIX, Artifacts

_DIAGRAM = re.compile(r"^(?P<id>[a-z0-9][a-z0-9+-]{0,200})\.(?P<ext>png|svg)$")
_RECORD = re.compile(r"^(?P<rule>[a-z0-9][a-z0-9-]{0,100})\.md$")
_MAX_AGE = "public, max-age=300"
"""Short: a knowledge reload may redraw a diagram under the same id."""


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"code": status, "message": message}}, status=status)


def add_artifact_routes(app: web.Application, artifacts: Callable[[], Artifacts | None]) -> None:
    """Serve the diagrams and decision records of the knowledge base `artifacts()` returns."""

    async def diagram(request: web.Request) -> web.Response:
        found = _DIAGRAM.match(request.match_info["name"])
        served = artifacts()
        if found is None or served is None:
            return _error(404, "no such diagram: the address is /diagrams/<rule id>.png or .svg")
        identifier = found["id"]
        if found["ext"] == "svg":
            body = served.svg(identifier)
            if body is None:
                return _error(404, f"no diagram {identifier!r}")
            headers = {"Cache-Control": _MAX_AGE}
            return web.Response(text=body, content_type="image/svg+xml", headers=headers)
        image = await asyncio.to_thread(served.png, identifier)  # ~0.1 s to draw, once
        if image is None:
            return _error(404, f"no diagram {identifier!r}")
        headers = {"Cache-Control": _MAX_AGE}
        return web.Response(body=image, content_type="image/png", headers=headers)

    async def record(request: web.Request) -> web.Response:
        found = _RECORD.match(request.match_info["name"])
        served = artifacts()
        if found is None or served is None:
            return _error(404, "no such record: the address is /adr/<rule id>.md?<answers>")
        walkthrough = served.advisor.walkthrough
        rule_id = found["rule"]
        if not any(r.id == rule_id for r in walkthrough.rules):
            return _error(404, f"no recommendation {rule_id!r}")
        repeated = [k for k in request.query if len(request.query.getall(k)) > 1]
        if repeated:
            return _error(400, f"{repeated[0]!r} is given more than once")
        state = answers_from_query(walkthrough, dict(request.query))
        if isinstance(state, str):
            return _error(400, state)
        if served.advisor.next_question(state) is not None:
            return _error(400, "these answers do not decide a recommendation yet")
        leads_to = served.advisor.recommendation(state).rule.id
        if leads_to != rule_id:
            return _error(400, f"these answers lead to {leads_to!r}, not {rule_id!r}")
        headers = {"Content-Disposition": f'attachment; filename="adr-{rule_id}.md"'}
        return web.Response(
            text=served.record(state), content_type="text/markdown", headers=headers
        )

    app.router.add_get(DIAGRAM_PREFIX + "{name}", diagram)
    app.router.add_get(ADR_PREFIX + "{name}", record)
