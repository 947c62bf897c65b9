"""Microsoft Teams over real HTTP: Teams-shaped activities posted to a running `archbot serve`.

The payloads are shaped as Teams sends them: `msteams` channel, `29:` user and `28:` bot ids,
`19:…@thread.tacv2;messageid=…` channel threads, a `mention` entity with `<at>ArchBot</at>` in
the text, `channelData` with the tenant (and team), invokes for the message extension. Replies
go to the loopback connector; invoke bodies come back in the HTTP response.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.state.feedback import feedback_path

from .conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT = {"id": "28:3f2504e0-4f89-11d3-9a0c-0305e82c3301", "name": "ArchBot"}
USER = {
    "id": "29:1a2b3c4d5e6f-user",
    "name": "Dana Smith",
    "aadObjectId": "6b9a1f4e-2a3b-4c5d-8e9f-0a1b2c3d4e5f",
}
CARD = "application/vnd.microsoft.card.adaptive"
MENTION = "<at>ArchBot</at>"


def _message_id() -> str:
    return str(1_700_000_000_000 + uuid.uuid4().int % 10**9)


def _channel_thread() -> tuple[str, str]:
    root = _message_id()
    channel = f"19:{uuid.uuid4().hex[:16]}@thread.tacv2"
    return channel, f"{channel};messageid={root}"


def teams_activity(
    type_: str,
    service_url: str,
    *,
    scope: str,
    conversation_id: str,
    channel: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """An activity as Teams posts it to the bot."""
    conversation: dict[str, Any] = {
        "conversationType": scope,
        "tenantId": TENANT,
        "id": conversation_id,
    }
    channel_data: dict[str, Any] = {"tenant": {"id": TENANT}}
    if scope != "personal":
        conversation["isGroup"] = True
    if scope == "channel":
        team = "19:" + uuid.uuid4().hex[:16] + "@thread.tacv2"
        channel_data.update(
            teamsChannelId=channel,
            teamsTeamId=team,
            channel={"id": channel},
            team={"id": team},
        )
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    activity = {
        "type": type_,
        "id": _message_id(),
        "timestamp": now,
        "localTimestamp": now,
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": dict(USER),
        "conversation": conversation,
        "recipient": dict(BOT),
        "locale": "en-US",
        "channelData": channel_data,
    }
    activity.update(fields)
    return activity


def message(service_url: str, text: str | None, *, scope: str = "personal", **fields: Any):
    """A user's message; in a channel or group chat it @mentions the bot, as Teams requires."""
    if scope == "channel":
        channel, conversation_id = _channel_thread()
    elif scope == "groupChat":
        channel, conversation_id = None, f"19:{uuid.uuid4().hex}@thread.v2"
    else:
        channel, conversation_id = None, f"a:1{uuid.uuid4().hex}"
    entities: list[dict[str, Any]] = [
        {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web"}
    ]
    if scope != "personal" and text is not None:
        text = f"{MENTION} {text}"
        entities.insert(0, {"type": "mention", "text": MENTION, "mentioned": dict(BOT)})
    body = {"textFormat": "plain", "entities": entities}
    if text is not None:
        body["text"] = text
    return teams_activity(
        "message",
        service_url,
        scope=scope,
        conversation_id=fields.pop("conversation_id", conversation_id),
        channel=channel,
        **body,
        **fields,
    )


def cards(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["content"] for a in activity.get("attachments") or [] if a["contentType"] == CARD]


def card_title(activity: dict[str, Any]) -> str:
    (card,) = cards(activity)
    return card["body"][0]["text"]


def submit_data(card: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        action["data"]
        for element in card["body"]
        if element["type"] == "ActionSet"
        for action in element["actions"]
        if action["data"].get("archbot") == kind
    ]


async def only_reply(bot, connector, activity: dict[str, Any]) -> dict[str, Any]:
    status, body = await bot.send(activity)
    assert status in (200, 201), body
    replies = await connector.turn_replies()
    assert [r.activity["type"] for r in replies] == ["message"], replies
    return replies[0]


def cli(*args: str, db) -> str:
    database = feedback_path(f"sqlite:///{db}", {})
    done = subprocess.run(
        [sys.executable, "-m", "bot.operations.cli", *args, "--db", database],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


# -- messages --------------------------------------------------------------------------------


async def test_a_channel_mention_is_answered_in_the_thread_with_a_card(bot, connector):
    activity = message(connector.service_url, "what is prompt flow", scope="channel")

    reply = await only_reply(bot, connector, activity)

    assert reply.conversation_id == activity["conversation"]["id"]  # the thread (;messageid=)
    assert ";messageid=" in reply.conversation_id
    assert reply.reply_to_id == activity["id"]
    assert reply.activity["from"]["id"] == BOT["id"]
    assert reply.activity["recipient"]["id"] == USER["id"]
    (card,) = cards(reply.activity)
    assert card["version"] == "1.5"
    assert card["body"][0]["text"] == "Prompt flow"
    assert reply.activity["text"] == "Source: Prompt flow docs [1]"  # Teams' citation marker
    assert reply.activity["channelData"] == {"feedbackLoopEnabled": True}
    (entity,) = [e for e in reply.activity["entities"] if e["@type"] == "Message"]
    assert entity["additionalType"] == ["AIGeneratedContent"]
    assert entity["citation"][0]["appearance"]["url"] == card["actions"][0]["url"]


async def test_the_mention_is_stripped_and_the_bots_name_elsewhere_kept(bot, archbot, connector):
    question = "does ArchBot sell pizza on Fridays?"
    reply = await only_reply(
        bot, connector, message(connector.service_url, question, scope="channel")
    )
    assert "I don't know that one" in cards(reply.activity)[0]["body"][0]["text"]
    # the unanswered question was logged exactly as asked, without the @mention
    assert question in cli("kb", "gaps", db=archbot.db_path)


async def test_a_group_chat_mention_is_answered(bot, connector):
    activity = message(connector.service_url, "custom speech", scope="groupChat")
    reply = await only_reply(bot, connector, activity)
    assert card_title(reply.activity) == "Custom Speech"


async def test_a_personal_chat_needs_no_mention(bot, connector):
    activity = message(connector.service_url, "what is prompt flow")
    assert activity["conversation"]["conversationType"] == "personal"
    reply = await only_reply(bot, connector, activity)
    assert card_title(reply.activity) == "Prompt flow"
    assert reply.conversation_id == activity["conversation"]["id"]


async def test_an_action_submit_with_a_value_and_no_text_is_routed_like_typing(bot, connector):
    answer = await only_reply(bot, connector, message(connector.service_url, "what is prompt flow"))
    (card,) = cards(answer.activity)
    # a related topic's button (not a follow-up: those ask or compare)
    choice = next(
        c
        for c in submit_data(card, "say")
        if not c["text"].endswith("?") and not c["text"].startswith("Compare")
    )
    click = message(
        connector.service_url,
        None,
        value=choice,
        replyToId=answer.activity.get("id") or "card-1",
        conversation_id=answer.conversation_id,
    )
    assert "text" not in click

    reply = await only_reply(bot, connector, click)

    assert card_title(reply.activity) == choice["text"]


async def test_a_retry_is_dropped_while_answered_and_answered_again_later(bot, connector):
    """Teams' retry arriving while the first delivery is being answered gets nothing more; one
    arriving after it was answered (that answer may have been lost) gets the same answer again,
    without the question being answered anew."""
    activity = message(connector.service_url, "what is prompt flow")

    statuses = await asyncio.gather(bot.send(activity), bot.send(dict(activity)))

    assert all(status in (200, 201) for status, _ in statuses), statuses
    (first,) = await connector.turn_replies()
    assert await connector.no_more_replies(within=1.0) == []
    status, _ = await bot.send(activity)  # a late retry
    assert status in (200, 201)
    (again,) = await connector.turn_replies()
    assert again.reply_to_id == activity["id"] == again.activity["replyToId"]
    assert again.activity == first.activity
    assert await connector.no_more_replies(within=0.5) == []
    assert "sent its 1 kept replies again" in bot.server.log()


def sent_id(connector, reply) -> str:
    """The id the loopback connector gave a reply (`sent-N`, in arrival order)."""
    return f"sent-{connector.received.index(reply) + 1}"


def feedback_invoke(service_url: str, conversation_id: str, reply_to_id: str, value: Any):
    return teams_activity(
        "invoke",
        service_url,
        scope="personal",
        conversation_id=conversation_id,
        name="message/submitAction",
        replyToId=reply_to_id,
        value=value,
    )


async def test_teams_feedback_buttons_store_the_vote_and_the_comment(bot, archbot, connector):
    answer = await only_reply(bot, connector, message(connector.service_url, "prompt flow"))
    assert answer.activity["channelData"]["feedbackLoopEnabled"] is True
    assert submit_data(cards(answer.activity)[0], "feedback") == []  # Teams' buttons, not ours
    rating = {
        "actionName": "feedback",
        "actionValue": {"reaction": "dislike", "feedback": '{"feedbackText": "add pricing"}'},
    }
    invoke = feedback_invoke(
        connector.service_url, answer.conversation_id, sent_id(connector, answer), rating
    )

    status, body = await bot.send(invoke)

    assert status == 200, body
    assert await connector.no_more_replies(within=0.3) == []  # Teams thanks the user itself
    report = cli("kb", "feedback", db=archbot.db_path)
    (row,) = [line.split() for line in report.splitlines() if line.startswith("prompt-flow")]
    assert row[1:3] == ["0", "1"]
    assert "👎  prompt-flow: add pricing" in report


async def test_a_malformed_feedback_invoke_is_a_400(bot, connector):
    invoke = feedback_invoke(
        connector.service_url, "a:1x", "sent-1", {"actionName": "feedback", "actionValue": 3}
    )
    status, body = await bot.send(invoke)
    assert status == 400
    assert "reaction" in json.loads(body)["message"]


async def test_a_thumbs_up_on_an_older_card_is_stored_with_the_topic(bot, archbot, connector):
    answer = await only_reply(bot, connector, message(connector.service_url, "prompt flow"))
    up = {"archbot": "feedback", "topic": "prompt-flow", "vote": "up"}  # cards sent before
    click = message(
        connector.service_url,
        None,
        value=up,
        replyToId="1:answer-card",
        conversation_id=answer.conversation_id,
    )

    reply = await only_reply(bot, connector, click)

    assert "Thanks for the feedback" in reply.activity["text"]
    tally = cli("kb", "feedback", db=archbot.db_path)
    (row,) = [line.split() for line in tally.splitlines() if line.startswith("prompt-flow")]
    assert row[1] == "1"  # one 👍 (the 👎 above is another test's)


# -- installation ----------------------------------------------------------------------------


async def test_installing_the_app_in_personal_scope_sends_a_welcome(bot, connector):
    update = teams_activity(
        "conversationUpdate",
        connector.service_url,
        scope="personal",
        conversation_id=f"a:1{uuid.uuid4().hex}",
        membersAdded=[{"id": BOT["id"]}],
    )

    reply = await only_reply(bot, connector, update)

    (card,) = cards(reply.activity)
    assert card["body"][0]["text"].startswith("Hi! I'm ArchBot.")
    assert [d["text"] for d in submit_data(card, "say")] == ["Prompt flow", "Azure AI Speech"]


async def test_adding_the_app_to_a_team_posts_one_welcome_in_the_channel(bot, connector):
    channel = f"19:{uuid.uuid4().hex[:16]}@thread.tacv2"
    update = teams_activity(
        "conversationUpdate",
        connector.service_url,
        scope="channel",
        conversation_id=channel,
        channel=channel,
        membersAdded=[{"id": BOT["id"]}],
    )
    update["channelData"]["eventType"] = "teamMemberAdded"

    reply = await only_reply(bot, connector, update)

    assert reply.conversation_id == channel
    assert "@ArchBot" in json.dumps(cards(reply.activity))
    member_joins = dict(update, id=_message_id(), membersAdded=[{"id": USER["id"]}])
    status, _ = await bot.send(member_joins)
    assert status in (200, 201)
    assert await connector.no_more_replies(within=0.5) == []  # no greeting per new member


# -- the search message extension ------------------------------------------------------------


def compose_invoke(service_url: str, name: str, value: dict[str, Any]) -> dict[str, Any]:
    return teams_activity(
        "invoke",
        service_url,
        scope="personal",
        conversation_id=f"a:1{uuid.uuid4().hex}",
        name=name,
        value=value,
    )


async def test_a_compose_extension_query_returns_knowledge_base_cards(bot, connector):
    query = {
        "commandId": "searchKnowledge",
        "parameters": [{"name": "query", "value": "speach"}],
        "queryOptions": {"skip": 0, "count": 10},
    }

    status, body = await bot.send(
        compose_invoke(connector.service_url, "composeExtension/query", query)
    )

    assert status == 200, body
    result = json.loads(body)["composeExtension"]
    assert result["type"] == "result" and result["attachmentLayout"] == "list"
    titles = [a["preview"]["content"]["title"] for a in result["attachments"]]
    assert "Azure AI Speech" in titles and "Prompt flow" not in titles
    speech = result["attachments"][titles.index("Azure AI Speech")]
    assert speech["contentType"] == CARD and speech["content"]["version"] == "1.5"
    assert connector.unexpected == []

    tap = speech["preview"]["content"]["tap"]["value"]
    status, body = await bot.send(
        compose_invoke(connector.service_url, "composeExtension/selectItem", tap)
    )
    assert status == 200, body
    (selected,) = json.loads(body)["composeExtension"]["attachments"]
    assert selected["content"]["body"][0]["text"] == "Azure AI Speech"


async def test_an_unknown_invoke_is_not_implemented(bot, connector):
    status, _ = await bot.send(compose_invoke(connector.service_url, "composeExtension/nope", {}))
    assert status == 501
