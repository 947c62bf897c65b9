"""Notice subscriptions in Azure Blob Storage: one blob per subscribed conversation.

Blobs ``notice-subscriptions/<key>`` (the key encoded as state keys are, so names never alias;
state blobs have no ``/`` in their names, so the two never meet) in the state's container. A
subscription is created with ``If-None-Match: *``: the service says whether it already existed,
so two instances subscribing at once never conflict. A broadcast lists them a page at a time
and downloads each page's blobs concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob.aio import BlobClient

from bot.state.storage_blob import BlobStateStorage, blob_name
from bot.state.subscriptions import Page, Reference, SubscriptionStore

__all__ = ["PREFIX", "BlobSubscriptions"]

PREFIX = "notice-subscriptions/"


class BlobSubscriptions(SubscriptionStore):
    """One blob per subscription: ``{"key": …, "reference": …}``."""

    storage: BlobStateStorage

    async def _prepare(self) -> None:
        await self.storage.container_client()  # creates the container if needed

    async def _blob(self, key: str) -> BlobClient:
        client = await self.storage.container_client()
        return client.get_blob_client(PREFIX + blob_name(key))

    async def _add(self, key: str, reference: Reference) -> bool:
        body = json.dumps({"key": key, "reference": reference}, separators=(",", ":"))
        blob = await self._blob(key)
        try:
            await blob.upload_blob(body, match_condition=MatchConditions.IfMissing)
        except ResourceExistsError:
            return False
        return True

    async def _remove(self, keys: list[str]) -> bool:
        async def delete(key: str) -> bool:
            try:
                await (await self._blob(key)).delete_blob()
            except ResourceNotFoundError:
                return False
            return True

        return any(await asyncio.gather(*(delete(key) for key in keys)))

    async def _pages(self, size: int) -> AsyncIterator[Page]:
        client = await self.storage.container_client()
        listing = client.list_blobs(name_starts_with=PREFIX, results_per_page=size).by_page()
        async for names in listing:
            blobs = [client.get_blob_client(blob.name) async for blob in names]
            bodies = await asyncio.gather(*(_download(blob) for blob in blobs))
            yield [(body["key"], body["reference"]) for body in bodies if body is not None]


async def _download(blob: BlobClient) -> dict | None:
    """A subscription's body; None when it was removed since it was listed."""
    with contextlib.suppress(ResourceNotFoundError):
        return json.loads(await (await blob.download_blob()).readall())
    return None
