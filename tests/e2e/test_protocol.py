"""The Bot Framework protocol over HTTP against a real `archbot serve` (anonymous, fixture KB)."""

from __future__ import annotations

import asyncio
import json

import pytest

from .conftest import BOT, USER, new_conversation_id, shown

pytestmark = pytest.mark.e2e

SPEECH_QUESTION = "how do I transcribe audio recordings"  # fixture KB topic: Azure AI Speech


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- health -----------------------------------------------------------------------------------


async def test_healthz_reports_version_and_topics(http, archbot):
    async with http.get(f"{archbot.base_url}/healthz") as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        health = await resp.json()
    assert isinstance(health.get("version"), str) and health["version"]
    assert isinstance(health.get("topics"), int) and health["topics"] > 0


# -- normal delivery: replies are POSTed to the serviceUrl ------------------------------------


async def test_message_reply_is_posted_to_the_connector(bot, activities, connector):
    conversation = new_conversation_id()
    message = activities.message(
        SPEECH_QUESTION, conversation=conversation, service_url=connector.service_url
    )

    status, body = await bot.send(message)

    assert status in (200, 201), body
    assert body == ""
    # emulator channel: the answer plus trace activities (RecognizerResult; the SDK's BotState)
    replies = await connector.turn_replies()
    for reply in replies:
        assert reply.conversation_id == conversation
        assert reply.activity["conversation"]["id"] == conversation
        assert reply.activity["replyToId"] == message["id"]
        assert reply.reply_to_id in (None, message["id"])
        assert reply.activity["from"]["id"] == BOT["id"]
    assert {r.activity["type"] for r in replies} == {"message", "trace"}
    (answer,) = [r.activity for r in replies if r.activity["type"] == "message"]
    assert answer["recipient"]["id"] == USER["id"]
    assert "Speech" in shown(answer)
    traces = {r.activity["name"]: r.activity for r in replies if r.activity["type"] == "trace"}
    assert "RecognizerResult" in traces
    assert traces["RecognizerResult"]["value"]["topIntent"] not in (None, "None")
    assert connector.unexpected == []


async def test_no_trace_is_posted_outside_the_emulator(bot, activities, connector):
    message = activities.message(
        SPEECH_QUESTION,
        channel="webchat",
        conversation=new_conversation_id(),
        service_url=connector.service_url,
    )

    status, _ = await bot.send(message)

    assert status in (200, 201)
    (answer,) = await connector.turn_replies()  # the message alone: traces are emulator-only
    assert answer.activity["type"] == "message"
    assert "Speech" in shown(answer.activity)


async def test_user_joining_gets_a_welcome(bot, activities, connector):
    conversation = new_conversation_id()
    update = activities.conversation_update(
        [USER, BOT], conversation=conversation, service_url=connector.service_url
    )

    status, _ = await bot.send(update)

    assert status in (200, 201)
    (welcome,) = await connector.turn_replies()  # one welcome: the bot itself is not greeted
    assert welcome.conversation_id == conversation
    assert welcome.activity["type"] == "message"
    assert shown(welcome.activity).strip()


async def test_no_welcome_when_only_the_bot_joins(bot, activities, connector):
    update = activities.conversation_update(
        [BOT], conversation=new_conversation_id(), service_url=connector.service_url
    )

    status, _ = await bot.send(update)

    assert status in (200, 201)
    assert await connector.no_more_replies(within=1.0) == []


async def test_welcome_with_expect_replies(bot, activities):
    joined = activities.conversation_update(
        [USER], conversation=new_conversation_id(), delivery_mode="expectReplies"
    )
    bot_only = activities.conversation_update(
        [BOT], conversation=new_conversation_id(), delivery_mode="expectReplies"
    )

    status, body = await bot.send(joined)
    assert status == 200, body
    assert [a["type"] for a in json.loads(body)["activities"]] == ["message"]

    status, body = await bot.send(bot_only)
    assert status == 200, body
    assert json.loads(body)["activities"] == []


# -- expectReplies: the replies come back in the response body --------------------------------


async def test_expect_replies_returns_the_answer(bot):
    replies = await bot.ask(SPEECH_QUESTION, conversation=new_conversation_id())

    assert len(replies.messages) >= 1
    assert "Speech" in replies.text


async def test_emulator_gets_a_recognizer_result_trace(bot):
    replies = await bot.ask(SPEECH_QUESTION, conversation=new_conversation_id())

    trace = replies.trace
    assert trace is not None, f"no RecognizerResult trace in {replies}"
    assert trace["text"] == SPEECH_QUESTION
    assert trace["intents"], "the trace has no intents"
    for name, intent in trace["intents"].items():
        assert _is_number(intent.get("score")), f"intent {name} has no numeric score: {intent}"
        assert 0.0 <= intent["score"] <= 1.0
    assert trace["topIntent"] not in (None, "None")
    assert trace["topIntent"] in trace["intents"]
    (activity,) = [a for a in replies.traces if a.get("name") == "RecognizerResult"]
    assert activity["valueType"] == "https://www.botframework.com/schemas/recognizerResult"


@pytest.mark.parametrize("channel", ["webchat", "msteams"])
async def test_no_trace_outside_the_emulator(bot, channel):
    replies = await bot.ask(SPEECH_QUESTION, channel=channel, conversation=new_conversation_id())

    assert replies.traces == []
    assert "Speech" in replies.text


async def test_out_of_scope_falls_back_with_top_intent_none(bot):
    replies = await bot.ask("what's the weather", conversation=new_conversation_id())

    assert replies.top_intent == "None"
    assert replies.messages, "the bot should still say something (a fallback)"
    assert "Speech" not in replies.shown


async def test_concurrent_turns_in_one_conversation_are_all_answered(bot):
    """A user double-sending (or a channel retrying) must not break the conversation's state."""
    conversation = new_conversation_id()
    questions = ["hello", SPEECH_QUESTION, "help", "what's the weather"] * 2

    turns = await asyncio.gather(*(bot.ask(q, conversation=conversation) for q in questions))

    for question, replies in zip(questions, turns, strict=True):
        assert replies.messages, f"no answer to {question!r}"
        assert "something went wrong" not in replies.text.lower(), (question, replies.text)


# -- bad requests: a clear 4xx, never a 5xx ---------------------------------------------------


def _drop(activity: dict, *path: str) -> dict:
    target = activity
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return activity


BAD_JSON_REQUESTS = {
    "missing type": (lambda a: _drop(a, "type"), 400),
    "missing conversation": (lambda a: _drop(a, "conversation"), 400),
    "missing conversation id": (lambda a: _drop(a, "conversation", "id"), 400),
    "serviceUrl not a URL": (lambda a: {**a, "serviceUrl": "not a url"}, 400),
    "serviceUrl without host": (lambda a: {**a, "serviceUrl": "http://"}, 400),
}


@pytest.mark.parametrize("case", BAD_JSON_REQUESTS, ids=list(BAD_JSON_REQUESTS))
async def test_invalid_activity_is_400(bot, activities, case):
    mutate, expected = BAD_JSON_REQUESTS[case]
    activity = mutate(activities.message("hello", conversation=new_conversation_id()))

    status, body = await bot.post(activity)

    assert status == expected, body
    assert "Traceback" not in body


RAW_REQUESTS = {
    "not JSON": ({"Content-Type": "application/json"}, b"{this is not json", 400),
    "JSON array": ({"Content-Type": "application/json"}, b'[{"type": "message"}]', 400),
    "JSON string": ({"Content-Type": "application/json"}, b'"message"', 400),
    "invalid UTF-8": ({"Content-Type": "application/json"}, b'{"type": "\xff\xfe"}', 400),
    "deeply nested JSON": ({"Content-Type": "application/json"}, b"[" * 5000 + b"]" * 5000, 400),
    "text/plain": ({"Content-Type": "text/plain"}, b'{"type": "message"}', 415),
    "no Content-Type": ({}, b'{"type": "message"}', 415),
}


@pytest.mark.parametrize("case", RAW_REQUESTS, ids=list(RAW_REQUESTS))
async def test_malformed_body_is_4xx(bot, case):
    headers, data, expected = RAW_REQUESTS[case]

    status, body = await bot.post(data=data, headers=headers)

    assert status == expected, body
    assert "Traceback" not in body


async def test_deeply_nested_value_in_an_activity_is_400(bot, activities):
    activity = activities.message("hello", conversation=new_conversation_id())
    data = json.dumps(activity)[:-1] + ', "value": ' + "[" * 5000 + "]" * 5000 + "}"

    status, body = await bot.post(data=data, headers={"Content-Type": "application/json"})

    assert status == 400, body


async def test_card_action_invoke_without_action_is_4xx(bot, activities):
    """A malformed Action.Execute (no `action` in the value): the SDK means 400 "BadRequest"."""
    invoke = activities.base(
        "invoke", conversation=new_conversation_id(), name="adaptiveCard/action", value={"x": 1}
    )

    status, body = await bot.post(invoke)

    assert 400 <= status < 500, f"{status}: {body[:300]}"


async def test_body_over_256_kib_is_413(bot, activities):
    activity = activities.message("x" * (256 * 1024 + 1), conversation=new_conversation_id())

    status, body = await bot.post(activity)

    assert status == 413, body


async def test_body_just_under_the_limit_is_accepted(bot, activities):
    activity = activities.message(
        "", conversation=new_conversation_id(), delivery_mode="expectReplies"
    )
    size = len(json.dumps(activity))
    activity["text"] = "x" * (200 * 1024 - size)

    status, body = await bot.post(activity)

    assert status == 200, body[:300]


async def test_unknown_activity_type_is_ignored(bot, activities):
    conversation = new_conversation_id()
    strange = activities.base("fooBar", conversation=conversation, delivery_mode="expectReplies")

    status, body = await bot.post(strange)

    assert status in (200, 201), body
    replies = await bot.ask(SPEECH_QUESTION, conversation=conversation)
    assert "Speech" in replies.text


async def test_server_survives_the_bad_requests(bot):
    replies = await bot.ask(SPEECH_QUESTION, conversation=new_conversation_id())

    assert "Speech" in replies.text
