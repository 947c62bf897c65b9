"""Transcripts (bot/state/transcripts.py): `.transcript` files the Emulator opens, no secrets."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

from botbuilder.core import MessageFactory, TranscriptLoggerMiddleware, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
)

from bot.hosting.adapter import create_adapter
from bot.operations.config import Settings
from bot.state.transcripts import REDACTED, FileTranscriptStore, sanitize, transcript_file_name

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"
SAS = "https://files.blob.core.windows.net/c/chart.png?sv=2020-08-04&se=2030&sig=SAS-SECRET"
SERVICE_URL = "https://bot:hunter2@smba.trafficmanager.net/amer/?code=MAGIC-CODE#frag"


def emulator_can_open(activities: list[dict[str, Any]]) -> None:
    """What the Emulator's File → Open Transcript needs (its `feedActivities`): a JSON array of
    activities with types, timestamps and from/recipient roles that identify the bot and user."""
    assert isinstance(activities, list) and activities
    bot_ids, user_ids = set(), set()
    for activity in activities:
        assert activity["type"] and activity["timestamp"] and activity["conversation"]["id"]
        sender, recipient = activity["from"], activity["recipient"]
        assert {sender["role"], recipient["role"]} == {"user", "bot"}, activity
        (bot_ids if recipient["role"] == "bot" else user_ids).add(recipient["id"])
    assert bot_ids and user_ids  # the Emulator maps the original bot and user ids to its own


async def echo_with_secrets(context: TurnContext) -> None:
    if context.activity.type != ActivityTypes.message:
        return
    reply = MessageFactory.text(f"you said {context.activity.text}")
    reply.attachments = [Attachment(content_type="image/png", content_url=SAS, name="chart")]
    reply.channel_data = {"accessToken": JWT, "notification": {"alert": True}}
    await context.send_activity(reply)


def adapter_logging_to(folder: Path, conversation: str = "c-1") -> TestAdapter:
    template = Activity(
        channel_id="msteams",
        service_url=SERVICE_URL,
        from_property=ChannelAccount(id="29:user", name="Dana"),
        recipient=ChannelAccount(id="28:bot", name="ArchBot"),
        conversation=ConversationAccount(id=conversation),
    )
    adapter = TestAdapter(echo_with_secrets, template)
    adapter.use(TranscriptLoggerMiddleware(FileTranscriptStore(folder)))
    return adapter


async def test_a_conversation_becomes_an_emulator_transcript(tmp_path: Path) -> None:
    adapter = adapter_logging_to(tmp_path)
    await adapter.receive_activity("hello")
    await adapter.receive_activity(
        Activity(
            type=ActivityTypes.message,
            text="with my token " + JWT,
            channel_data={"tenant": {"id": "t-1"}, "clientSecret": "s3cr3t"},
        )
    )

    path = tmp_path / "msteams" / "c-1.transcript"
    activities = json.loads(path.read_text())
    emulator_can_open(activities)
    assert [(a["from"]["role"], a.get("text")) for a in activities] == [
        ("user", "hello"),
        ("bot", "you said hello"),
        ("user", f"with my token {REDACTED}"),
        ("bot", f"you said with my token {REDACTED}"),
    ]
    assert activities[2]["channelData"] == {"tenant": {"id": "t-1"}, "clientSecret": REDACTED}
    raw = path.read_text()
    for secret in ("hunter2", "MAGIC-CODE", "SAS-SECRET", JWT, "s3cr3t", "#frag"):
        assert secret not in raw
    assert {a["serviceUrl"] for a in activities} == {"https://smba.trafficmanager.net/amer/"}
    attachment = activities[1]["attachments"][0]["contentUrl"]
    assert attachment.startswith("https://files.blob.core.windows.net/c/chart.png?sv=2020-08-04")


async def test_the_store_reads_lists_and_deletes(tmp_path: Path) -> None:
    adapter = adapter_logging_to(tmp_path, "c-2")
    for i in range(12):  # 24 activities: two pages
        await adapter.receive_activity(f"message {i}")
    store = FileTranscriptStore(tmp_path)

    first = await store.get_transcript_activities("msteams", "c-2")
    second = await store.get_transcript_activities("msteams", "c-2", first.continuation_token)

    texts = [a.text for a in first.items + second.items]
    assert texts[:3] == ["message 0", "you said message 0", "message 1"] and len(texts) == 24
    assert second.continuation_token is None
    listed = await store.list_transcripts("msteams")
    assert [t.id for t in listed.items] == ["c-2"]
    await store.delete_transcript("msteams", "c-2")
    assert (await store.get_transcript_activities("msteams", "c-2")).items == []


async def test_sign_in_values_are_never_written(tmp_path: Path) -> None:
    store = FileTranscriptStore(tmp_path)
    for name, value in (
        ("tokens/response", {"connectionName": "aad", "token": JWT}),
        ("signin/verifyState", {"state": "123456"}),
    ):
        await store.log_activity(
            Activity(
                type=ActivityTypes.invoke,
                name=name,
                value=value,
                channel_id="msteams",
                conversation=ConversationAccount(id="c-3"),
                from_property=ChannelAccount(id="u", role="user"),
                recipient=ChannelAccount(id="b"),
            )
        )
    logged = json.loads((tmp_path / "msteams" / "c-3.transcript").read_text())
    assert [a["value"] for a in logged] == [REDACTED, REDACTED]


def test_sanitize_keeps_what_is_not_secret() -> None:
    activity = {
        "type": "message",
        "text": "see https://learn.microsoft.com/azure/?view=azure&tabs=python",
        "value": {"topic": "rag", "helpful": True, "apiKey": "k", "nested": [{"password": "p"}]},
    }
    clean = sanitize(activity)
    assert clean["text"] == activity["text"]
    assert clean["value"] == {
        "topic": "rag",
        "helpful": True,
        "apiKey": REDACTED,
        "nested": [{"password": REDACTED}],
    }
    assert activity["value"]["apiKey"] == "k"  # the activity itself is untouched


def test_file_names_are_safe_and_distinct() -> None:
    ids = ["19:abc@thread.tacv2;messageid=1", "19_abc_thread.tacv2_messageid_1", "../../etc", ".."]
    names = [transcript_file_name(i) for i in ids]
    assert len(set(names)) == len(ids)
    for name in names:
        assert "/" not in name and not name.startswith(".") and name.endswith(".transcript")
    assert transcript_file_name("plain-id_1.2") == "plain-id_1.2.transcript"


def test_appends_from_several_writers_keep_the_file_valid(tmp_path: Path) -> None:
    """Separate stores (as separate processes would be) append to one file under its lock."""

    def writer(n: int) -> None:
        store = FileTranscriptStore(tmp_path)

        async def write_all() -> None:
            for i in range(25):
                await store.log_activity(
                    Activity(
                        type=ActivityTypes.message,
                        text=f"{n}-{i}",
                        channel_id="test",
                        conversation=ConversationAccount(id="shared"),
                        from_property=ChannelAccount(id="u", role="user"),
                        recipient=ChannelAccount(id="b"),
                    )
                )

        asyncio.run(write_all())

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logged = json.loads((tmp_path / "test" / "shared.transcript").read_text())
    assert sorted(a["text"] for a in logged) == sorted(
        f"{n}-{i}" for n in range(4) for i in range(25)
    )


def test_transcripts_are_off_unless_configured(tmp_path: Path) -> None:
    def logs_transcripts(settings: Settings) -> bool:
        adapter = create_adapter(settings)
        return any(
            isinstance(m, TranscriptLoggerMiddleware) for m in adapter._middleware._middleware
        )

    assert Settings.from_env({}).transcripts_dir is None
    assert not logs_transcripts(Settings.from_env({}))
    settings = Settings.from_env({"ARCHBOT_TRANSCRIPTS": str(tmp_path)})
    assert settings.transcripts_dir == tmp_path
    assert logs_transcripts(settings)


async def test_a_transcript_that_cannot_be_written_does_not_fail_the_turn(tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    store = FileTranscriptStore(blocked)
    await store.log_activity(
        Activity(
            type=ActivityTypes.message,
            text="hi",
            channel_id="test",
            conversation=ConversationAccount(id="c"),
        )
    )
    assert "could not write the transcript" in caplog.text
