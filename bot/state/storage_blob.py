"""Bot state in Azure Blob Storage, shared by every instance: ``ARCHBOT_STORAGE=blob://<container>``.

A subclass of botbuilder-azure's ``BlobStorage`` (its settings checks and its create-the-container-
once; one JSON blob per state key, the blob's ETag as the item's e-tag) whose read, write and delete
are redone for what a scaled-out bot needs and 4.17.1 lacks:

* **Stale e-tags are conflicts.** A write whose ``If-Match`` e-tag is stale comes back from the
  service as HTTP 412, which this SDK version raises as ``ResourceExistsError`` (an
  ``HttpResponseError`` with ``status_code == 412``, not ``ResourceModifiedError``). It becomes
  :class:`bot.state.storage.ETagConflictError`, exactly what ``SqliteStorage`` raises, and the
  turn is retried from fresh state (concurrency.py). A conditional write of an item no longer
  stored creates it, as the other backends do (and conflicts if someone else creates it first).
* **Errors are errors.** Stock ``read`` drops *every* ``HttpResponseError`` silently (a 500 or a
  403 looks like "no state yet", and the next write would overwrite the real state); here only a
  404 means "not stored".
* **The written item learns its new e-tag**, so a second save in the same turn is not a conflict
  with itself; items are serialized like the other backends (``e_tag`` not in the body).
* **Keys are encoded** into flat blob names: the service turns ``\\`` into ``/`` (two keys, one
  blob) and a ``..`` segment breaks the request signature; ``quote`` plus an escaped ``.`` makes
  every key its own blob, whatever characters a channel puts in a conversation id.
* **Its HTTP session is closed** by :meth:`BlobStateStorage.aclose` (the app's shutdown does it);
  stock ``BlobStorage`` keeps its client private and never closes it.
* Short retries and timeouts: a turn should fail in seconds, not after the SDK's default minute.

Connection strings: the service's own (``DefaultEndpointsProtocol=https;AccountName=…;
AccountKey=…;EndpointSuffix=core.windows.net``) or Azurite's, spelled out (azure-storage-blob
12.7.0 does not understand ``UseDevelopmentStorage=true``; :func:`connection_string` expands it).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob.aio import BlobClient, ContainerClient, LinearRetry
from botbuilder.azure import BlobStorage, BlobStorageSettings

from bot.state.storage import ETagConflictError, _decode, _encode, _get_etag, _set_etag

__all__ = [
    "AZURITE_ACCOUNT",
    "AZURITE_KEY",
    "BlobStateStorage",
    "BlobStorageClosedError",
    "BlobStorageConfigError",
    "azurite_connection_string",
    "connection_string",
]

AZURITE_ACCOUNT = "devstoreaccount1"
# Azurite's well-known development key (public, the same on every machine; not a secret)
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
DEVELOPMENT_STORAGE = "usedevelopmentstorage=true"
PRECONDITION_FAILED = 412
MAX_BLOB_NAME = 1024
CONNECTION_TIMEOUT_S = 5
READ_TIMEOUT_S = 15
RETRY = {"backoff": 0.5, "retry_total": 2, "random_jitter_range": 0.2}

_CONTAINER = re.compile(r"^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")


class BlobStorageConfigError(ValueError):
    """The blob storage settings cannot work (no connection string, bad container name)."""


class BlobStorageClosedError(RuntimeError):
    """The storage was closed (the app is shutting down)."""


def azurite_connection_string(port: int = 10000, host: str = "127.0.0.1") -> str:
    """The explicit connection string of a local Azurite blob service."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint=http://{host}:{port}/{AZURITE_ACCOUNT};"
    )


def connection_string(value: str) -> str:
    """``value`` as this SDK needs it: ``UseDevelopmentStorage=true`` spelled out for Azurite."""
    value = value.strip()
    if not value:
        raise BlobStorageConfigError(
            "blob storage needs a connection string: set ARCHBOT_BLOB_CONNECTION_STRING"
        )
    if value.rstrip(";").replace(" ", "").lower() == DEVELOPMENT_STORAGE:
        return azurite_connection_string()
    return value


def check_container_name(name: str) -> str:
    """Azure's rule: 3–63 characters, lowercase letters, digits and single hyphens."""
    if not _CONTAINER.match(name):
        raise BlobStorageConfigError(
            f"invalid blob container name {name!r}: use 3-63 lowercase letters, digits and "
            "single hyphens, starting and ending with a letter or digit"
        )
    return name


def blob_name(key: str) -> str:
    """The blob that holds ``key``: percent-encoded, dots included, so names never alias."""
    if not key:
        raise ValueError("a storage key must not be empty")
    name = quote(key, safe="").replace(".", "%2E")
    if len(name) > MAX_BLOB_NAME:
        raise ValueError(f"storage key too long for a blob name ({len(name)} > {MAX_BLOB_NAME})")
    return name


def _is_precondition_failed(error: HttpResponseError) -> bool:
    return error.status_code == PRECONDITION_FAILED


class BlobStateStorage(BlobStorage):
    """botbuilder-azure ``BlobStorage``: conflicts mapped, honest errors, a closable client."""

    def __init__(self, container: str, conn_str: str) -> None:
        check_container_name(container)
        conn_str = connection_string(conn_str)
        # validates the settings; its own service client is never used (nor opened)
        super().__init__(BlobStorageSettings(container_name=container, connection_string=conn_str))
        self.container = container
        self._client = ContainerClient.from_connection_string(
            conn_str,
            container,
            retry_policy=LinearRetry(**RETRY),
            connection_timeout=CONNECTION_TIMEOUT_S,
            read_timeout=READ_TIMEOUT_S,
        )
        # the base class's _initialize() (create the container once) uses its private client
        self._BlobStorage__container_client = self._client
        self._closed = False

    # -- Storage interface -------------------------------------------------------------------

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        """The stored items for ``keys``; keys that are not stored are omitted."""
        keys = list(dict.fromkeys(keys or ()))
        if not keys:
            return {}
        await self._ready()
        items = await asyncio.gather(*(self._read_one(key) for key in keys))
        return {key: item for key, item in zip(keys, items, strict=True) if item is not None}

    async def write(self, changes: dict[str, Any]) -> None:
        """Store ``changes``, one blob each, with ``If-Match`` when an item carries an e-tag.

        Raises :class:`ETagConflictError` when a stored item's e-tag differs. Unlike SQLite,
        several keys are not written atomically (BotState writes one key per call).
        """
        if changes is None:
            raise Exception("Changes are required when writing")  # as the other backends
        if not changes:
            return
        prepared = []
        for key, item in changes.items():  # every item is checked before anything is written
            e_tag = _get_etag(item)
            if e_tag == "":
                raise Exception("blob_storage.write(): etag missing")
            body = _encode(key, item)
            prepared.append((key, item, None if e_tag == "*" else e_tag, body))
        await self._ready()
        for key, item, e_tag, body in prepared:
            new_etag = await self._write_one(key, e_tag, body)
            _set_etag(item, new_etag)

    async def delete(self, keys: Iterable[str]) -> None:
        """Delete ``keys``; keys that are not stored are ignored."""
        keys = list(dict.fromkeys(keys or ()))
        if not keys:
            return
        await self._ready()
        await asyncio.gather(*(self._delete_one(key) for key in keys))

    async def container_client(self) -> ContainerClient:
        """The container's client, once the container exists: for blobs the bot keeps beside
        its state (bot/state/subscriptions_blob.py)."""
        await self._ready()
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP session. Safe to call more than once."""
        if not self._closed:
            self._closed = True
            await self._client.close()

    # -- one blob ------------------------------------------------------------------------------

    async def _ready(self) -> None:
        if self._closed:
            raise BlobStorageClosedError(f"blob storage {self.container!r} is closed")
        await self._initialize()

    def _blob(self, key: str) -> BlobClient:
        return self._client.get_blob_client(blob_name(key))

    async def _read_one(self, key: str) -> Any:
        try:
            download = await self._blob(key).download_blob()
        except ResourceNotFoundError:
            return None
        body = (await download.readall()).decode("utf-8")
        return _decode(body, download.properties.etag.strip('"'))

    async def _write_one(self, key: str, e_tag: str | None, body: str) -> str:
        blob = self._blob(key)
        if e_tag is None:
            result = await blob.upload_blob(body, overwrite=True)
            return result["etag"].strip('"')
        try:
            result = await blob.upload_blob(
                body, overwrite=True, etag=e_tag, match_condition=MatchConditions.IfNotModified
            )
        except HttpResponseError as error:
            if not _is_precondition_failed(error):
                raise
            # 412: the blob changed since it was read, or it is gone (the service says 412 for
            # both). Gone: create it, as the other backends do; someone else may win that race.
            if await blob.exists():
                raise self._conflict(key, e_tag) from error
            try:
                result = await blob.upload_blob(body, match_condition=MatchConditions.IfMissing)
            except ResourceExistsError as created_meanwhile:
                raise self._conflict(key, e_tag) from created_meanwhile
        return result["etag"].strip('"')

    async def _delete_one(self, key: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            await self._blob(key).delete_blob()

    def _conflict(self, key: str, e_tag: str) -> ETagConflictError:
        return ETagConflictError(
            f"Etag conflict.\nOriginal: {e_tag}\r\nCurrent: (changed in blob container "
            f"{self.container!r}, key {key!r})"
        )
