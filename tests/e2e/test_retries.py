"""A channel's retry of a turn that was saved but never answered gets the turn's answer, and is
not applied twice, after a restart (SQLite) or on another instance (Azure Blob on a real Azurite).

The first delivery of a walkthrough answer reaches an instance whose reply hangs at the channel
(the connector never answers it: the turn's state is saved, its reply is in flight). That
instance is killed with SIGKILL. The channel then sends the same activity (same id) again, to a
restarted process or to the other instance. It must get the answer the user never saw (kept with
the turn's state), without the turn running again, and the conversation must continue exactly as
a conversation that got the answer once.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import pytest
from aiohttp import web

from ..azurite import shared_azurite
from .conftest import (
    REAL_KNOWLEDGE,
    ActivityFactory,
    ArchBotServer,
    BotClient,
    ConnectorServer,
    new_conversation_id,
)
from .test_scale_out import START, Shown, first_button, shown, start_pair

pytestmark = pytest.mark.e2e

SKIPPED_LOG = "its state already has it"


class StuckOnceConnector(ConnectorServer):
    """A connector that never answers the first reply it gets (``stuck`` is set then); later
    replies are recorded as usual."""

    def __init__(self) -> None:
        super().__init__()
        self.stuck = asyncio.Event()
        self._released = asyncio.Event()

    async def _on_activity(self, request: web.Request) -> web.Response:
        if not self.stuck.is_set():
            self.stuck.set()
            await self._released.wait()  # until the test ends
            return web.json_response({"error": "too late"}, status=504)
        return await super()._on_activity(request)

    async def __aexit__(self, *exc: object) -> None:
        self._released.set()
        await super().__aexit__(*exc)


async def reference_run(client: BotClient) -> tuple[str, list[Shown], str, list[Shown]]:
    """The walkthrough's first answer and what it shows, the next answer and what that shows,
    in a conversation where every message is applied once."""
    conversation = new_conversation_id("reference")
    answer = first_button(await client.ask(START, conversation=conversation))
    answered = await client.ask(answer, conversation=conversation)
    follow_up = first_button(answered)
    expected = shown(await client.ask(follow_up, conversation=conversation))
    return answer, shown(answered), follow_up, expected


async def saved_but_not_answered(
    client: BotClient, server: ArchBotServer, channel: StuckOnceConnector, answer: str
) -> tuple[str, dict[str, Any]]:
    """A conversation whose walkthrough answer was saved by ``server``, which died before its
    reply got through; returns the conversation and that answer's activity."""
    conversation = new_conversation_id("retried")
    await client.ask(START, conversation=conversation)
    activity = ActivityFactory(channel.service_url).message(answer, conversation=conversation)
    delivery = asyncio.create_task(client.send(activity))
    await asyncio.wait_for(channel.stuck.wait(), 20)  # replies go out after the state is saved
    os.kill(server.proc.pid, signal.SIGKILL)
    assert await asyncio.to_thread(server.proc.wait, 10) == -signal.SIGKILL
    delivery.cancel()
    await asyncio.gather(delivery, return_exceptions=True)
    return conversation, activity


async def assert_answered_and_applied_once(
    retry_to: BotClient, channel: StuckOnceConnector, conversation: str, activity, reference
) -> None:
    _, answered, follow_up, expected = reference
    status, body = await retry_to.send(dict(activity))  # the channel's retry: same id

    assert status in (200, 201), body
    replies = await channel.turn_replies()  # the answer that never got out
    assert shown([r.activity for r in replies]) == answered
    assert {r.reply_to_id for r in replies} == {activity["id"]}
    assert await channel.no_more_replies(within=1.0) == []
    assert SKIPPED_LOG in retry_to.server.log()  # sent again, not run again
    assert shown(await retry_to.ask(follow_up, conversation=conversation)) == expected


async def test_a_retry_after_a_restart_is_answered_and_not_applied_twice(
    archbot_factory, talk_to, tmp_path
):
    server = archbot_factory(knowledge=REAL_KNOWLEDGE, db_path=tmp_path / "state.sqlite3")
    reference = await reference_run(talk_to(server))

    async with StuckOnceConnector() as channel:
        conversation, activity = await saved_but_not_answered(
            talk_to(server), server, channel, reference[0]
        )
        await asyncio.to_thread(server.restart)  # a new process over the same SQLite file

        await assert_answered_and_applied_once(
            talk_to(server), channel, conversation, activity, reference
        )


async def test_a_retry_on_another_instance_is_answered_and_not_applied_twice(
    archbot_factory, talk_to
):
    a, b = start_pair(archbot_factory, shared_azurite().new_container("retries"))
    reference = await reference_run(talk_to(b))

    async with StuckOnceConnector() as channel:
        conversation, activity = await saved_but_not_answered(talk_to(a), a, channel, reference[0])

        await assert_answered_and_applied_once(
            talk_to(b), channel, conversation, activity, reference
        )
