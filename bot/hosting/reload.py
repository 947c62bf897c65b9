"""Reloads the knowledge folder while the bot runs: a changed file is validated and built off
the event loop, then swapped in whole; a broken edit keeps the last good knowledge base."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from bot.core.kb import KnowledgeBase, KnowledgeError

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
"""How often the knowledge folder's files are looked at (a stat of each, no reading)."""

Fingerprint = tuple[tuple[str, int, int, bool], ...]
T = TypeVar("T")


def fingerprint(root: Path) -> Fingerprint:
    """Every `*.yaml` entry under `root` with its modification time, size and whether it is a
    directory: a different fingerprint means something was edited, added or removed."""
    found = []
    for path in root.rglob("*.yaml"):
        try:
            stat = path.stat()
        except OSError:  # removed while we looked: the next poll sees the folder settled
            continue
        found.append((str(path.relative_to(root)), stat.st_mtime_ns, stat.st_size, path.is_dir()))
    return tuple(sorted(found))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class ReloadStatus:
    """What `/healthz` shows of the knowledge base: which version is served, since when, and
    why the last edit was not taken, if it was not."""

    version: int = 1
    loaded_at: str = ""
    errors: tuple[str, ...] = ()
    failed_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "loadedAt": self.loaded_at,
            "reload": "failed" if self.errors else "ok",
            "errors": list(self.errors),
            "failedAt": self.failed_at,
        }


class KnowledgeWatcher(Generic[T]):
    """Polls the knowledge folder; when its files changed and then stayed the same for one
    poll (an editor's save is over), loads and builds the new knowledge base in a worker thread
    and hands it to `swap` on the event loop. A load that fails is logged one problem per line
    as `file:line: message` and shown in `status`; the served knowledge base stays as it was,
    and the same broken files are not retried until they change again."""

    def __init__(
        self,
        root: Path,
        build: Callable[[KnowledgeBase], T],
        swap: Callable[[T], None],
        loaded: Fingerprint,
        interval: float = POLL_SECONDS,
    ) -> None:
        self.root = root
        self.build = build
        self.swap = swap
        self.interval = interval
        self.status = ReloadStatus(loaded_at=_now())
        self._seen = loaded  # the files the running knowledge base was loaded from
        self._last_poll = loaded
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start polling (on the running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="knowledge")

    async def stop(self) -> None:
        """Stop polling; a reload under way is abandoned (nothing was swapped yet)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.poll()

    async def poll(self) -> bool:
        """Look once; reload when the files changed and have settled. True when swapped."""
        now = await asyncio.to_thread(fingerprint, self.root)
        settled, self._last_poll = now == self._last_poll, now
        if now == self._seen or not settled:
            return False
        self._seen = now  # tried once, whatever comes of it
        try:
            built = await asyncio.to_thread(self._load_and_build)
        except KnowledgeError as error:
            self._failed(tuple(str(p) for p in error.problems))
            return False
        except Exception as error:  # a bug must not end reloading, nor the bot
            log.exception("knowledge reload failed")
            self._failed((f"{self.root.name}:0: reload failed: {error!r}",))
            return False
        self.swap(built)
        self.status = ReloadStatus(self.status.version + 1, _now())
        log.info("knowledge reloaded from %s: version %d", self.root, self.status.version)
        return True

    def _load_and_build(self) -> T:
        from bot.core.loader import load_knowledge  # imported when first reloading

        return self.build(load_knowledge(self.root))

    def _failed(self, errors: tuple[str, ...]) -> None:
        for error in errors:
            log.error("%s", error)
        log.error(
            "knowledge not reloaded (%d problem(s)): still serving version %d",
            len(errors),
            self.status.version,
        )
        self.status.errors, self.status.failed_at = errors, _now()
