"""Conversation transcripts as `.transcript` files that the Bot Framework Emulator opens.

Off by default; ``ARCHBOT_TRANSCRIPTS=<folder>`` turns on botbuilder's
``TranscriptLoggerMiddleware`` with :class:`FileTranscriptStore`: one file per conversation,
``<folder>/<channel>/<conversation>.transcript``, holding a JSON array of activities (the format of
the Emulator's File → Open Transcript and of the C# ``FileTranscriptLogger``). An activity is
appended in place (the closing ``]`` is overwritten), under an exclusive file lock, so the file is
valid JSON after every write and several processes on one machine may share the folder.

What is never written (:func:`sanitize`): values under keys that name a token, secret, password,
key, signature or authorization, anywhere in the activity (channel data, values, attachments,
entities); in every string, the secrets bot/state/redact.py recognises (JWTs, URL user-info and
token-like query parameters such as SAS ``sig``, ``password: …``, known API-key shapes), and in
what was typed (``text``, and the recognizer trace's quote of it) a key pasted on its own too;
the user-info, query and fragment of ``serviceUrl``; and the whole value of sign-in/token
exchange activities (``signin/*``, ``tokens/*``), which carry magic codes.

For the Emulator, each logged activity gets ``from.role``/``recipient.role`` (``user`` for what
came in, ``bot`` for what went out) and a timestamp when it has none.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import logging
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botbuilder.core.transcript_logger import PagedResult, TranscriptInfo, TranscriptStore
from botbuilder.schema import Activity

from bot.state.redact import REDACTED, redact, redact_message, service_url

__all__ = ["REDACTED", "FileTranscriptStore", "sanitize", "transcript_file_name"]

log = logging.getLogger(__name__)

SUFFIX = ".transcript"
PAGE_SIZE = 20
MAX_NAME = 100

_SECRET_KEY = re.compile(
    r"token|secret|passw|pwd|authori[sz]ation|credential|api_?key|access_?key|account_?key|"
    r"connection_?string|signature|cookie|^sig$|^key$",
    re.IGNORECASE,
)
_SIGNIN_NAMES = re.compile(r"^(signin/|tokens/)", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_TYPED = frozenset({"text", "alteredText", "speak", "summary"})
"""Keys whose strings hold what someone typed (the message, or the recognizer's trace quoting
it): a key pasted on its own is removed there too; ids elsewhere are left readable."""


def _clean(value: Any, key: object = None) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else _clean(v, k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_clean(v, key) for v in value]
    if isinstance(value, str):
        return redact_message(value) if key in _TYPED else redact(value)
    return value


def sanitize(activity: dict[str, Any]) -> dict[str, Any]:
    """A copy of a serialized activity without tokens and secrets (see the module)."""
    name = activity.get("name") or ""
    clean = _clean(activity)
    if _SIGNIN_NAMES.match(name) and "value" in clean:
        clean["value"] = REDACTED
    if isinstance(activity.get("serviceUrl"), str):
        clean["serviceUrl"] = service_url(activity["serviceUrl"])
    return clean


def _for_emulator(activity: dict[str, Any]) -> dict[str, Any]:
    sender = activity.get("from") or {}
    recipient = activity.get("recipient") or {}
    if not sender.get("role"):  # the middleware marks what came in as "user"
        sender["role"] = "bot"
    if not recipient.get("role"):
        recipient["role"] = "bot" if sender["role"] == "user" else "user"
    activity["from"], activity["recipient"] = sender, recipient
    if not activity.get("timestamp"):
        activity["timestamp"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return activity


def _safe_name(value: str) -> str:
    """A file name for an id: readable, no path tricks, distinct ids never share one."""
    name = _UNSAFE_NAME.sub("_", value)[:MAX_NAME]
    if name != value or name.startswith(".") or not name:
        name = f"{name.lstrip('.')}-{hashlib.sha256(value.encode()).hexdigest()[:12]}"
    return name


def transcript_file_name(conversation_id: str) -> str:
    """The file that holds a conversation's transcript (within its channel's folder)."""
    return _safe_name(conversation_id) + SUFFIX


def _page(items: list[Any], continuation_token: str | None) -> PagedResult:
    """The page of `items` a continuation token (an offset) points at, with the next token."""
    start = int(continuation_token or 0)
    page = PagedResult()
    page.items = items[start : start + PAGE_SIZE]
    more = start + PAGE_SIZE < len(items)
    page.continuation_token = str(start + PAGE_SIZE) if more else None
    return page


class FileTranscriptStore(TranscriptStore):
    """``TranscriptStore`` over a folder of Emulator-compatible `.transcript` files."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._locks: dict[Path, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def path(self, channel_id: str, conversation_id: str) -> Path:
        return (
            self.folder
            / _safe_name(channel_id or "unknown")
            / transcript_file_name(conversation_id or "unknown")
        )

    # -- TranscriptLogger -----------------------------------------------------------------------

    async def log_activity(self, activity: Activity) -> None:
        """Append one activity (sanitized) to its conversation's file. A transcript that cannot
        be written is logged, never a failed turn: the user already has the answer."""
        if activity is None:
            raise TypeError("Activity is required")
        conversation = activity.conversation.id if activity.conversation else ""
        path = self.path(activity.channel_id or "", conversation)
        try:
            data = _for_emulator(sanitize(activity.serialize()))
            await asyncio.to_thread(self._append, path, json.dumps(data, ensure_ascii=False))
        except Exception:
            log.exception("could not write the transcript %s", path)

    def _lock(self, path: Path) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(path, threading.Lock())

    def _append(self, path: Path, entry: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock(path):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
            with os.fdopen(fd, "r+b") as file:
                fcntl.flock(file, fcntl.LOCK_EX)  # other processes sharing the folder
                size = file.seek(0, os.SEEK_END)
                if size == 0:
                    file.write(f"[\n{entry}\n]".encode())
                else:
                    file.seek(size - 2)
                    if file.read(2) != b"\n]":
                        raise ValueError(f"{path} is not a transcript this store wrote")
                    file.seek(size - 2)
                    file.write(f",\n{entry}\n]".encode())
                file.flush()

    # -- TranscriptStore ------------------------------------------------------------------------

    def _read(self, path: Path) -> list[dict[str, Any]]:
        try:
            with self._lock(path):
                return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []

    async def get_transcript_activities(
        self,
        channel_id: str,
        conversation_id: str,
        continuation_token: str | None = None,
        start_date: datetime | None = None,
    ) -> PagedResult:
        """A page of the conversation's activities (oldest first), from ``start_date`` on."""
        raw = await asyncio.to_thread(self._read, self.path(channel_id, conversation_id))
        activities = [Activity().deserialize(a) for a in raw]
        if start_date is not None:
            activities = [a for a in activities if a.timestamp and a.timestamp >= start_date]
        return _page(activities, continuation_token)

    async def list_transcripts(
        self, channel_id: str, continuation_token: str | None = None
    ) -> PagedResult:
        """The conversations of a channel that have a transcript (by file creation time)."""

        def scan() -> list[TranscriptInfo]:
            found = []
            for path in sorted((self.folder / _safe_name(channel_id)).glob(f"*{SUFFIX}")):
                activities = self._read(path)
                conversation = (
                    (activities[0].get("conversation") or {}).get("id") if activities else None
                )
                created = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                found.append(TranscriptInfo(channel_id, created, conversation or path.stem))
            return found

        transcripts = await asyncio.to_thread(scan)
        return _page(transcripts, continuation_token)

    async def delete_transcript(self, channel_id: str, conversation_id: str) -> None:
        """Delete a conversation's transcript file (no error when there is none)."""
        path = self.path(channel_id, conversation_id)
        await asyncio.to_thread(path.unlink, missing_ok=True)
