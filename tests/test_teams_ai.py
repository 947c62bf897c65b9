"""Teams' own AI features on answers (bot/channels/teams_ai.py): the feedback loop, citations and
the "AI generated" label, checked on the wire form of the activities (what the connector posts)
against the shapes and limits Microsoft documents for Teams (and the Agents Playground enforces:
tests/browser/test_playground.py), and the `message/submitAction` invoke through the handler."""

from __future__ import annotations

import copy
import json
import re
import sqlite3
from typing import Any

import pytest
from botbuilder.schema import Activity, ActivityTypes, Entity
from botframework.connector import Channels

from bot.channels.teams_ai import (
    FEEDBACK_INVOKE,
    MAX_CITATION_ABSTRACT,
    MAX_CITATION_NAME,
    feedback_loop_vote,
)
from bot.hosting.inprocess import InProcessAdapter
from bot.hosting.runtime import MEMORY_URL, build_runtime
from bot.hosting.schema_codec import FastSerializer
from bot.operations.config import Settings
from bot.state.feedback import FeedbackStore, feedback_report

from .conversation import Conversation

MESSAGE_ENTITY = "https://schema.org/Message"


def wire(activity: Activity) -> dict[str, Any]:
    """The JSON the connector posts (msrest's serializer, as bot/hosting/connectors.py uses)."""
    return activity.serialize()


def message_entities(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in body.get("entities") or [] if e.get("type") == MESSAGE_ENTITY]


def check_teams_ai_message(body: dict[str, Any]) -> list[str]:
    """What Teams' documentation requires of an AI message with citations."""
    problems = []
    entities = message_entities(body)
    if len(entities) != 1:
        return [f"{len(entities)} root Message entities (Teams answers 400 unless exactly one)"]
    (entity,) = entities
    expected = {"@type": "Message", "@context": "https://schema.org", "@id": ""}
    problems += [f"{k} is {entity.get(k)!r}" for k, v in expected.items() if entity.get(k) != v]
    if entity.get("additionalType") != ["AIGeneratedContent"]:
        problems.append(f"additionalType is {entity.get('additionalType')!r}")
    citations = entity.get("citation") or []
    if not 1 <= len(citations) <= 10:
        problems.append(f"{len(citations)} citations")
    for n, citation in enumerate(citations, 1):
        appearance = citation.get("appearance") or {}
        if citation.get("@type") != "Claim" or citation.get("position") != n:
            problems.append(f"citation {n}: {citation.get('@type')} at {citation.get('position')}")
        if appearance.get("@type") != "DigitalDocument":
            problems.append(f"citation {n}: appearance type {appearance.get('@type')!r}")
        if not 0 < len(appearance.get("name", "")) <= MAX_CITATION_NAME:
            problems.append(f"citation {n}: name {appearance.get('name')!r}")
        if not 0 < len(appearance.get("abstract", "")) <= MAX_CITATION_ABSTRACT:
            problems.append(f"citation {n}: abstract of {len(appearance.get('abstract', ''))}")
        if not str(appearance.get("url", "")).startswith("https://"):
            problems.append(f"citation {n}: url {appearance.get('url')!r}")
        if f"[{n}]" not in (body.get("text") or ""):
            problems.append(f"citation {n}: no [{n}] in the text")
    if body.get("channelData", {}).get("feedbackLoopEnabled") is not True:
        problems.append("no channelData.feedbackLoopEnabled")
    return problems


@pytest.fixture
def runtime(kb):
    return build_runtime(Settings(storage=MEMORY_URL), kb)


class TeamsChat:
    """A Teams conversation in-process: sent activities get ids, as the channel gives them."""

    def __init__(self, runtime, conversation_type: str = "personal") -> None:
        self.runtime = runtime
        self.adapter = InProcessAdapter(channel_id=Channels.ms_teams)
        self.conversation = self.adapter.new_conversation()
        self.conversation.conversation_type = conversation_type

    async def send(self, activity: Activity) -> list[Activity]:
        return await self.adapter.process(activity, self.runtime.handler.on_turn)

    async def say(self, text: str) -> Activity:
        sent = await self.send(self.adapter.message(self.conversation, text))
        (message,) = [a for a in sent if a.type == ActivityTypes.message]
        return message

    async def rate(self, value: Any, reply_to_id: str | None) -> tuple[int, Any]:
        invoke = self.adapter.message(self.conversation, "")
        invoke.type, invoke.text = ActivityTypes.invoke, None
        invoke.name, invoke.value, invoke.reply_to_id = FEEDBACK_INVOKE, value, reply_to_id
        sent = await self.send(invoke)
        (response,) = [a for a in sent if a.type == ActivityTypes.invoke_response]
        return response.value.status, response.value.body


def reaction(kind: str, feedback: str = "") -> dict[str, Any]:
    return {"actionName": "feedback", "actionValue": {"reaction": kind, "feedback": feedback}}


# -- what an answer looks like in Teams --------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["what is RAG", "Fabric or Databricks for our data platform?", "custom speech languages"],
)
async def test_a_teams_answer_is_an_ai_message_with_citations(runtime, question):
    message = await TeamsChat(runtime).say(question)
    body = wire(message)
    assert check_teams_ai_message(body) == []
    (card,) = [a["content"] for a in body["attachments"]]
    assert "feedback" not in json.dumps(card)  # Teams' own buttons, not the card's
    links = {a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"}
    cited = {c["appearance"]["url"] for c in message_entities(body)[0]["citation"]}
    assert cited == links  # each citation is a page the answer links to


def test_botbuilders_entity_would_drop_the_fields():
    """Why MessageEntity has its own attribute map: a plain Entity serializes `type` only."""
    plain = Entity(type=MESSAGE_ENTITY)
    plain.citation = [{"position": 1}]
    assert Activity(type="message", entities=[plain]).serialize()["entities"] == [
        {"type": MESSAGE_ENTITY}
    ]


async def test_the_walkthroughs_recommendation_is_rated_in_teams_too(runtime):
    chat = TeamsChat(runtime)
    reply = await chat.say("help me pick an architecture")
    for _ in range(12):
        if message_entities(wire(reply)):
            break
        card = reply.attachments[0].content
        choice = next(
            a["data"]["text"]
            for e in card["body"]
            if e["type"] == "ActionSet"
            for a in e["actions"]
            if a["data"].get("archbot") == "say"
        )
        reply = await chat.say(choice)
    assert check_teams_ai_message(wire(reply)) == []


@pytest.mark.parametrize("channel", [Channels.emulator, Channels.webchat, Channels.direct_line])
async def test_other_channels_keep_the_card_buttons_and_no_teams_entity(runtime, channel):
    turn = await Conversation(runtime.handler, channel).say("what is RAG")
    (message,) = turn.messages
    assert not message.entities and not message.channel_data and message.text is None
    assert '"archbot": "feedback"' in turn.text


async def test_small_talk_and_declines_are_not_ai_answers(runtime):
    chat = TeamsChat(runtime)
    for said in ("hello", "what's the weather on mars"):
        body = wire(await chat.say(said))
        assert message_entities(body) == [] and "channelData" not in body


# -- the feedback invoke -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (reaction("like", '{"feedbackText": "clear and short"}'), (True, "clear and short")),
        (
            reaction("dislike", "the link is outdated"),
            (False, "the link is outdated"),
        ),  # Playground
        (reaction("like"), (True, "")),
        (reaction("dislike", '{"feedbackText": 3}'), (False, "")),
    ],
)
def test_the_feedback_invoke_is_read_as_teams_and_the_playground_send_it(value, expected):
    vote = feedback_loop_vote(value)
    assert vote is not None and (vote.helpful, vote.comment) == expected


@pytest.mark.parametrize(
    "value",
    [None, "like", {}, {"actionName": "feedback"}, reaction("meh"), {"actionName": "x"}],
)
def test_a_malformed_feedback_invoke_is_no_vote(value):
    assert feedback_loop_vote(value) is None


async def test_a_rating_is_stored_for_the_rated_message_with_its_comment(runtime):
    chat = TeamsChat(runtime)
    rag = await chat.say("what is RAG")
    speech = await chat.say("what is azure ai speech")
    assert rag.id and speech.id and rag.id != speech.id

    assert await chat.rate(reaction("dislike", '{"feedbackText": "needs a diagram"}'), rag.id) == (
        200,
        None,
    )
    assert await chat.rate(reaction("like"), speech.id) == (200, None)
    tally = {t.topic: (t.up, t.down) for t in runtime.feedback.tally()}
    assert tally == {"rag": (0, 1), "ai-speech": (1, 0)}
    (comment,) = runtime.feedback.comments()
    assert (comment.topic, comment.helpful, comment.text) == ("rag", False, "needs a diagram")

    await chat.rate(reaction("like", '{"feedbackText": "fine now"}'), rag.id)  # changed mind
    tally = {t.topic: (t.up, t.down) for t in runtime.feedback.tally()}
    assert tally == {"rag": (1, 0), "ai-speech": (1, 0)}
    assert [c.text for c in runtime.feedback.comments()] == ["fine now"]
    assert "fine now" in feedback_report(runtime.feedback)


async def test_a_retried_question_gets_the_same_ai_message_which_can_be_rated(runtime):
    """Teams resends a question it saw no answer to: the answer is sent again, the same AI
    message (citations, feedback loop), and a rating of that message counts for its topic."""
    chat = TeamsChat(runtime)
    question = chat.adapter.message(chat.conversation, "what is RAG")
    (first,) = [a for a in await chat.send(question) if a.type == ActivityTypes.message]
    (again,) = [a for a in await chat.send(copy.copy(question)) if a.type == ActivityTypes.message]

    assert again.id != first.id and again.reply_to_id == question.id
    sent = FastSerializer(Activity._infer_class_models())  # as bot/hosting/connectors.py sends
    fresh = {"id", "timestamp"}
    assert {k: v for k, v in sent.body(again, "Activity").items() if k not in fresh} == {
        k: v for k, v in sent.body(first, "Activity").items() if k not in fresh
    }
    assert check_teams_ai_message(wire(again)) == []
    assert await chat.rate(reaction("like"), again.id) == (200, None)
    assert {t.topic: (t.up, t.down) for t in runtime.feedback.tally()} == {"rag": (1, 0)}


async def test_a_rating_without_a_message_id_rates_the_latest_answer(runtime):
    """The Agents Playground 0.2.28 sends no replyToId."""
    chat = TeamsChat(runtime)
    await chat.say("what is RAG")
    await chat.say("what is azure ai speech")
    await chat.rate(reaction("dislike", "too short"), None)
    assert [(t.topic, t.down) for t in runtime.feedback.tally()] == [("ai-speech", 1)]


async def test_in_a_channel_a_rating_naming_only_the_channel_rates_its_latest_answer(runtime):
    """The Playground's invoke in a channel names the channel, not the thread, and no message."""
    chat = TeamsChat(runtime, "channel")
    chat.conversation.id = "19:general@thread.tacv2;messageid=1700000000001"
    await chat.say("what is RAG")
    chat.conversation.id = "19:general@thread.tacv2"
    await chat.rate(reaction("like", "clear"), None)
    assert [(t.topic, t.up) for t in runtime.feedback.tally()] == [("rag", 1)]


async def test_a_rating_of_a_message_archbot_did_not_send_is_not_stored(runtime):
    chat = TeamsChat(runtime)
    await chat.say("what is RAG")
    assert (await chat.rate(reaction("like"), "someone-elses-message"))[0] == 200
    other = TeamsChat(runtime)  # a conversation with no answer yet
    assert (await other.rate(reaction("like"), None))[0] == 200
    assert runtime.feedback.tally() == []


async def test_a_malformed_feedback_invoke_gets_a_400_with_a_reason(runtime):
    chat = TeamsChat(runtime)
    status, body = await chat.rate({"actionName": "feedback", "actionValue": {}}, None)
    assert status == 400
    assert re.search(r"reaction 'like' or 'dislike'", body["message"])


# -- the store ---------------------------------------------------------------------------------


def test_a_feedback_database_from_before_comments_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE votes (key TEXT PRIMARY KEY, topic TEXT NOT NULL, vote INTEGER NOT NULL, "
        "channel TEXT NOT NULL, at TEXT NOT NULL);"
        "INSERT INTO votes VALUES ('k1', 'rag', 1, 'msteams', '2026-11-30T10:00:00+00:00');"
    )
    db.commit()
    db.close()
    store = FeedbackStore(path)
    store.record_vote("rag", False, "msteams", "k2", "out of date")
    assert [(t.topic, t.up, t.down) for t in store.tally()] == [("rag", 1, 1)]
    assert [c.text for c in store.comments()] == ["out of date"]
    store.close()
    assert FeedbackStore(path).tally()[0].total == 2  # opening it again changes nothing


def test_answers_are_remembered_per_conversation(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    store.record_answer("conv-1", "m-1", "rag")
    store.record_answer("conv-1", "", "ai-speech")  # no id from the channel: latest only
    store.record_answer("conv-2", "m-1", "prompt-flow")
    assert store.answer("conv-1", "m-1") == ("rag", "m-1")
    assert store.answer("conv-1", None) == ("ai-speech", "*")
    assert store.answer("conv-2", "m-1") == ("prompt-flow", "m-1")
    assert store.answer("conv-3", None) is None
    assert "m-1" not in json.dumps(
        [row[0] for row in store._db.execute("SELECT key FROM answers")]
    )  # keys are salted hashes
