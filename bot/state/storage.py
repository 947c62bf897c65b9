"""SQLite-backed implementation of botbuilder's ``Storage`` interface.

Items are serialized the way botbuilder's Azure ``BlobStorage`` does it: with jsonpickle, so that
objects BotState keeps in its state dict (e.g. ``DialogState`` from botbuilder-dialogs) survive a
restart. The e-tag lives in its own column and is put back on the item (``item["e_tag"]`` for dicts,
``item.e_tag`` for objects) when it is read.

E-tag semantics follow ``MemoryStorage``: a write whose item carries an e-tag other than ``"*"``
fails with :class:`ETagConflictError` (a ``KeyError``, the type ``MemoryStorage`` raises) if the
stored item has a different e-tag; no e-tag or ``"*"`` writes unconditionally; an empty e-tag is an
error. Unlike ``MemoryStorage``, every write assigns a fresh e-tag (as Blob/Cosmos storage do), so
``BotState`` gets real optimistic concurrency; the new e-tag is also set on the written item.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from botbuilder.core import Storage
from botbuilder.dialogs import DialogState
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from bot.state.flatten import Flattener, NotFlat

__all__ = ["ETagConflictError", "SqliteStorage", "SqliteStorageError"]

_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bot_storage (
    key   TEXT PRIMARY KEY,
    e_tag TEXT NOT NULL,
    value TEXT NOT NULL
)
"""


class SqliteStorageError(Exception):
    """The database file cannot be used (not a database, unreadable) or the storage is closed."""


class ETagConflictError(KeyError):
    """A write carried an e-tag that no longer matches the stored item."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _get_etag(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def _set_etag(item: Any, e_tag: str) -> None:
    if isinstance(item, dict):
        item["e_tag"] = e_tag
    else:
        # __slots__ or read-only attribute: only the stored copy gets the new e-tag
        with contextlib.suppress(AttributeError):
            item.e_tag = e_tag


_DIALOG_STATE = "botbuilder.dialogs.dialog_state.DialogState"
_EMPTY_DIALOG_STATE = {"py/object": _DIALOG_STATE, "_dialog_stack": []}
"""jsonpickle's flattening of a `DialogState` with no dialog on its stack."""


class _NotPlain(Exception):
    """A stored value the fast path of `_decode` leaves to jsonpickle."""


def _flatten(item: Any) -> Any:
    """`jsonpickle.Pickler().flatten(item)`: plain JSON data, empty or running dialogs (plain
    objects, containers, enums) by `Flattener`, ~8x faster than jsonpickle's generic machinery;
    anything else by jsonpickle. Either way a new value: the caller's item is left as it is."""
    try:
        return Flattener().flatten(item)
    except NotFlat:
        return Pickler().flatten(item)


def _encode(key: str, item: Any) -> str:
    flat = _flatten(item)
    if not isinstance(flat, dict):
        raise TypeError(f"SqliteStorage: item {key!r} must be a dict or an object, got {item!r}")
    flat.pop("e_tag", None)
    return json.dumps(flat, separators=(",", ":"))


def _busy(error: sqlite3.OperationalError) -> bool:
    """True for SQLITE_BUSY / SQLITE_LOCKED: another connection holds a lock for now."""
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _revived(value: Any) -> Any:
    """`Unpickler().restore(value)` for state with no dialog running — JSON data with no
    jsonpickle tag but empty dialog states — ~10x faster: the parsed value itself, with each
    empty dialog state a new `DialogState` (the containers holding one copied, the parsed value
    left as it is). Raises `_NotPlain` for anything else."""
    kind = type(value)
    if kind is dict:
        copy = None
        for key, item in value.items():
            if key.startswith("py/"):
                if value == _EMPTY_DIALOG_STATE:
                    return DialogState([])
                raise _NotPlain
            if type(item) is dict or type(item) is list:
                revived = _revived(item)
                if revived is not item:
                    copy = copy or dict(value)
                    copy[key] = revived
        return value if copy is None else copy
    if kind is list:
        listed = None
        for index, item in enumerate(value):
            if type(item) is dict or type(item) is list:
                revived = _revived(item)
                if revived is not item:
                    listed = listed or list(value)
                    listed[index] = revived
        return value if listed is None else listed
    return value


def _decode(value: str, e_tag: str) -> Any:
    flat = json.loads(value)
    flat["e_tag"] = e_tag
    try:
        return _revived(flat)
    except _NotPlain:  # a dialog in progress, or an object: jsonpickle's own work
        return Unpickler().restore(flat)


class SqliteStorage(Storage):
    """Bot state storage in one SQLite file (WAL mode, ``synchronous=NORMAL``).

    Writes and deletes run on a dedicated worker thread that owns the writing connection: they
    may wait for another process's write lock, and that wait must not block the event loop.
    Reads run on the caller's thread with a read-only connection: in WAL mode a reader never
    waits for a writer, and a read by primary key (~20 µs with decoding) costs less than the
    hop to a worker thread and back alone (~55 µs of CPU, measured). A read that finds the
    database busy anyway (WAL recovery after a crash) is retried on the worker, which waits.
    Several instances (or processes) may share one file; concurrency between them is handled
    by SQLite locking plus the e-tag check.

    ``synchronous=NORMAL`` is SQLite's recommended setting for WAL: a commit is durable when the
    process dies (kill -9 included); only an operating-system crash or power loss can roll back
    the last commits, never corrupt the file.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        """Open (creating if needed) the database at ``path``; its parent dir is created too.

        Blocks briefly while the file is opened. Raises :class:`SqliteStorageError` if ``path``
        exists but is not an SQLite database.
        """
        self.path = Path(path)
        self._timeout = timeout
        self._conn: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="sqlite-storage"
        )
        try:
            self._executor.submit(self._open).result()
            self._reader = self._connect(timeout=0.0)
            self._reader.execute("PRAGMA query_only=ON")
        except BaseException:
            self._executor.shutdown(wait=True)
            self._executor = None
            raise

    # -- Storage interface -------------------------------------------------------------------

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        """Return the stored items for ``keys``; keys that are not stored are omitted."""
        keys = list(keys or ())
        if not keys:
            return {}
        reader = self._reader
        if reader is None:
            raise SqliteStorageError(f"SqliteStorage({self.path}) is closed")
        try:
            return self._read(reader, keys)
        except sqlite3.OperationalError as err:
            if not _busy(err):
                raise
        return await self._run(lambda: self._read(self._db(), keys))

    async def write(self, changes: dict[str, Any]) -> None:
        """Store all ``changes`` in one transaction, checking e-tags (all or nothing)."""
        if changes is None:
            raise Exception("Changes are required when writing")  # same as MemoryStorage
        if not changes:
            return
        rows: list[tuple[str, str | None, str]] = []
        for key, item in changes.items():
            e_tag = _get_etag(item)
            if e_tag == "":
                raise Exception("sqlite_storage.write(): etag missing")
            rows.append((key, None if e_tag == "*" else e_tag, _encode(key, item)))
        new_etags = await self._run(self._write, rows)
        for key, item in changes.items():
            _set_etag(item, new_etags[key])

    async def delete(self, keys: Iterable[str]) -> None:
        """Delete ``keys``; keys that are not stored are ignored."""
        keys = list(keys or ())
        if keys:
            await self._run(self._delete, keys)

    async def execute(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``fn`` with the writing connection, in one transaction (all or nothing), on the
        worker thread: for tables the bot keeps beside its state (bot/state/subscriptions.py)."""
        return await self._run(self._transaction, fn)

    async def select(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a read-only statement, read like :meth:`read` reads items."""
        reader = self._reader
        if reader is None:
            raise SqliteStorageError(f"SqliteStorage({self.path}) is closed")
        try:
            return reader.execute(sql, params).fetchall()
        except sqlite3.OperationalError as err:
            if not _busy(err):
                raise
        return await self._run(lambda: self._db().execute(sql, params).fetchall())

    def close(self) -> None:
        """Close the connection and stop the worker thread. Safe to call more than once."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()
        try:
            executor.submit(self._close_conn).result()
        finally:
            executor.shutdown(wait=True)

    # -- worker-thread side --------------------------------------------------------------------

    async def _run(self, fn: Callable[..., _T], *args: Any) -> _T:
        if self._executor is None:
            raise SqliteStorageError(f"SqliteStorage({self.path}) is closed")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _connect(self, timeout: float) -> sqlite3.Connection:
        return sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect(self._timeout)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
        except sqlite3.DatabaseError as err:
            conn.close()
            raise SqliteStorageError(
                f"cannot use {self.path} as bot storage: {err} (is it an SQLite database?)"
            ) from err
        self._conn = conn

    def _close_conn(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _db(self) -> sqlite3.Connection:
        assert self._conn is not None
        return self._conn

    @staticmethod
    def _read(conn: sqlite3.Connection, keys: list[str]) -> dict[str, Any]:
        marks = ",".join("?" * len(keys))  # one statement: one snapshot for all keys
        rows = conn.execute(
            f"SELECT key, e_tag, value FROM bot_storage WHERE key IN ({marks})", keys
        ).fetchall()
        return {key: _decode(value, e_tag) for key, e_tag, value in rows}

    def _write(self, rows: list[tuple[str, str | None, str]]) -> dict[str, str]:
        conn = self._db()
        new_etags: dict[str, str] = {}
        conn.execute("BEGIN IMMEDIATE")  # take the write lock up front: no upgrade deadlocks
        try:
            for key, expected, value in rows:
                new_etag = uuid.uuid4().hex
                if expected is not None:
                    cur = conn.execute(
                        "UPDATE bot_storage SET e_tag = ?, value = ? WHERE key = ? AND e_tag = ?",
                        (new_etag, value, key, expected),
                    )
                    if cur.rowcount == 0:
                        current = conn.execute(
                            "SELECT e_tag FROM bot_storage WHERE key = ?", (key,)
                        ).fetchone()
                        if current is not None:
                            raise ETagConflictError(
                                f"Etag conflict.\nOriginal: {expected}\r\nCurrent: {current[0]}"
                            )
                    else:
                        new_etags[key] = new_etag
                        continue
                # unconditional write, or conditional write of an item that is not stored
                # (MemoryStorage writes it too)
                conn.execute(
                    "INSERT INTO bot_storage (key, e_tag, value) VALUES (?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET e_tag = excluded.e_tag, value = excluded.value",
                    (key, new_etag, value),
                )
                new_etags[key] = new_etag
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return new_etags

    def _delete(self, keys: list[str]) -> None:
        self._transaction(
            lambda conn: conn.executemany(
                "DELETE FROM bot_storage WHERE key = ?", [(k,) for k in keys]
            )
        )

    def _transaction(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        conn = self._db()
        conn.execute("BEGIN IMMEDIATE")  # take the write lock up front: no upgrade deadlocks
        try:
            result = fn(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result
