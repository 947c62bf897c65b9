"""`archbot serve`'s HTTP server: aiohttp's, protected from slow and idle clients.

* **Headers and idle connections** (``ARCHBOT_HEADER_TIMEOUT``): a connection must send a
  complete request line and headers within that many seconds of opening, or of its previous
  answer; otherwise it is closed. This is aiohttp's keep-alive timer, which runs while a
  connection waits for a request and is not reset by bytes that do not complete one, so it
  covers both a client that trickles its headers and an idle keep-alive connection.
* **Bodies** (``ARCHBOT_BODY_TIMEOUT``): read up front by the request guard
  (bot/hosting/limits.py): 408 and the connection closed when the body takes longer.
* **Connections** (``ARCHBOT_MAX_CONNECTIONS``, default three quarters of the open-files
  limit): when a new connection would pass the limit, connections waiting for a request (idle
  keep-alive, or still sending headers) are closed, the longest idle first, to make room (a
  twentieth of the limit at once); if none waits, the new one is answered 503. So idle
  connections never keep a client out, and the process never runs out of file descriptors
  (which would stall every accept).
* **Logs**: the root logger's handlers get bot/state/redact.py's filter, the access log included.

Run as ``web.run_app`` would (uvloop, SIGINT/SIGTERM end it gracefully, in-flight requests get
``shutdown_timeout`` to finish), with our own listening site for the connection limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import resource
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.log import access_logger
from aiohttp.web_protocol import RequestHandler

from bot.operations.config import Settings
from bot.state.redact import protect_logs

log = logging.getLogger(__name__)

LINGER_SECONDS = 2.0
"""After an answer sent before its body was read (413, 408): how long the rest is drained."""
SHED_BATCH_FRACTION = 20
"""At the limit, up to 1/20 of it is closed at once (the longest idle first)."""
_FALLBACK_MAX_CONNECTIONS = 10_000
_BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
    b"Connection: close\r\n\r\n"
)


def default_max_connections() -> int:
    """Three quarters of the open-files limit: room is left for state files, transcripts and
    the connections the bot opens itself."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return _FALLBACK_MAX_CONNECTIONS
    return max(16, soft * 3 // 4)


class _Busy(asyncio.Protocol):
    """A connection over the limit with none to make room: 503, closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(_BUSY_RESPONSE)
        transport.close()


class ConnectionGuard:
    """Keeps the open connections within ``max_connections`` by closing idle ones first.

    A connection is busy while one of its requests is being handled (``track``, the outermost
    middleware: a WebSocket stream is busy for as long as it is open); otherwise it is waiting
    for a request, and the one waiting longest is closed first.
    """

    def __init__(self, max_connections: int) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self._busy: dict[RequestHandler, int] = {}
        self._idle_since: dict[RequestHandler, float] = {}  # (RequestHandler has no weakrefs)
        self._closing: set[RequestHandler] = set()

    @web.middleware
    async def track(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Middleware: the request's connection is busy until its handler returns."""
        connection = request.protocol
        self._busy[connection] = self._busy.get(connection, 0) + 1
        try:
            return await handler(request)
        finally:
            left = self._busy.pop(connection, 1) - 1
            if left:
                self._busy[connection] = left
            self._idle_since[connection] = asyncio.get_running_loop().time()

    def factory(self, server: web.Server) -> Callable[[], asyncio.Protocol]:
        """The protocol factory for the listening socket: ``server``'s, within the limit."""
        loop = asyncio.get_running_loop()

        def accept() -> asyncio.Protocol:
            connections = server.connections
            if len(self._idle_since) > 2 * len(connections) + 64:  # forget closed connections
                live = set(connections)
                self._idle_since = {c: t for c, t in self._idle_since.items() if c in live}
                self._closing &= live
            open_now = [c for c in connections if c not in self._closing]
            excess = len(open_now) + 1 - self.max_connections
            if excess > 0:
                # a batch, so that a flood of connections does not pay for a search each
                batch = max(excess, self.max_connections // SHED_BATCH_FRACTION)
                idle = heapq.nsmallest(
                    batch,
                    (c for c in open_now if c not in self._busy),
                    key=lambda c: self._idle_since.get(c, 0.0),
                )
                for connection in idle:
                    self._closing.add(connection)
                    connection.force_close()
                if len(idle) < excess:
                    return _Busy()
            handler = server()
            self._idle_since[handler] = loop.time()
            return handler

        return accept


class _GuardedSite(web.BaseSite):
    """A TCP site whose connections go through a :class:`ConnectionGuard`."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, guard: ConnectionGuard):
        super().__init__(runner)
        self._host = host
        self._port = port
        self._guard = guard

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            self._guard.factory(server), self._host, self._port, backlog=self._backlog
        )


def run(
    app: web.Application,
    settings: Settings,
    *,
    loop: asyncio.AbstractEventLoop,
    shutdown_timeout: float,
) -> None:
    """Serve ``app`` on ``settings.host:port`` until SIGINT/SIGTERM (as ``web.run_app``)."""
    protect_logs()
    guard = ConnectionGuard(settings.max_connections or default_max_connections())
    app.middlewares.insert(0, guard.track)
    runner = web.AppRunner(
        app,
        handle_signals=True,
        # a line per request costs ~3% of a turn; the hosting (App Service, ingress) logs HTTP
        access_log=access_logger if settings.access_log else None,
        keepalive_timeout=settings.header_timeout,
        lingering_time=min(LINGER_SECONDS, settings.body_timeout),
        shutdown_timeout=shutdown_timeout,
    )

    async def serve() -> None:
        await runner.setup()
        try:
            await _GuardedSite(runner, settings.host, settings.port, guard).start()
            await asyncio.Event().wait()  # until a signal raises GracefulExit
        finally:
            await runner.cleanup()

    asyncio.set_event_loop(loop)
    main = loop.create_task(serve())
    try:
        loop.run_until_complete(main)
    except (web.GracefulExit, KeyboardInterrupt):
        pass
    finally:
        main.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(main)
        rest = asyncio.all_tasks(loop)
        for task in rest:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*rest, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
