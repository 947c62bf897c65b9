"""Teams behaviour, offline (TestAdapter): @mentions, card clicks, 👍 / 👎, unanswered questions,
the install welcome, the search message extension and de-duplication of retried messages."""

from __future__ import annotations

import asyncio

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    Entity,
    Mention,
)
from botframework.connector import Channels

from bot.channels.cards import feedback_data
from bot.channels.teams import (
    clicked_text,
    feedback_click,
    message_text,
    strip_bot_mention,
)
from bot.channels.teams_ai import answered_topic
from bot.hosting.runtime import MEMORY_URL, build_runtime
from bot.operations.config import Settings
from bot.state.dedup import DedupMiddleware
from bot.state.feedback import FeedbackStore

from .conversation import Conversation

TEAMS_BOT = ChannelAccount(id="28:bot-app-id", name="ArchBot")


def teams_message(text: str | None, *, mentions=(), value=None, **fields) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        text=text,
        value=value,
        entities=list(mentions) or None,
        recipient=TEAMS_BOT,
        **fields,
    )


def mention(account: ChannelAccount, markup: str | None = None) -> Entity:
    """A mention entity as Teams sends it (deserialized: extra fields in additional_properties)."""
    raw = {
        "type": "mention",
        "text": markup or f"<at>{account.name}</at>",
        "mentioned": {"id": account.id, "name": account.name},
    }
    return Entity().deserialize(raw)


# -- mentions --------------------------------------------------------------------------------


def test_only_the_bots_own_mention_markup_is_removed():
    activity = teams_message(
        "<at>ArchBot</at> which ArchBot service transcribes audio?",
        mentions=[mention(TEAMS_BOT)],
    )
    assert strip_bot_mention(activity) == "which ArchBot service transcribes audio?"


def test_the_mention_may_be_anywhere_and_other_people_keep_their_names():
    dana = ChannelAccount(id="29:dana", name="Dana Smith")
    activity = teams_message(
        "hey <at>Dana Smith</at>, ask\u00a0<at>ArchBot</at> &amp; see   what ArchBot says",
        mentions=[mention(dana), mention(TEAMS_BOT)],
    )
    assert strip_bot_mention(activity) == "hey Dana Smith, ask & see what ArchBot says"


def test_a_mention_entity_built_in_process_works_too():
    entity = Mention(mentioned=TEAMS_BOT, text="<at>ArchBot</at>", type="mention")
    activity = teams_message("<at>ArchBot</at> what is RAG", mentions=[entity])
    assert strip_bot_mention(activity) == "what is RAG"


def test_the_bots_markup_without_an_entity_is_removed_by_name():
    assert strip_bot_mention(teams_message("<at>archbot</at>  what is RAG")) == "what is RAG"


def test_a_renamed_bot_mention_is_removed_by_its_entity():
    activity = teams_message(
        "<at>Arch Bot (dev)</at> what is RAG",
        mentions=[mention(TEAMS_BOT, "<at>Arch Bot (dev)</at>")],
    )
    assert strip_bot_mention(activity) == "what is RAG"


def test_botbuilder_itself_gets_it_wrong():
    """Why we do it ourselves (botbuilder 4.17.1): a leading space, and the name is gone."""
    activity = teams_message(
        "<at>ArchBot</at> which ArchBot service", mentions=[mention(TEAMS_BOT)]
    )
    assert strip_bot_mention(activity) == "which ArchBot service"
    assert TurnContext.remove_recipient_mention(activity) == " which  service"


# -- card clicks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"archbot": "say", "text": " Azure AI Speech "}, "Azure AI Speech"),
        ({"msteams": {"type": "imBack", "value": "Custom Speech"}}, "Custom Speech"),
        ({"msteams": {"type": "messageBack", "text": "help"}}, "help"),
        ({"archbot": "feedback", "topic": "rag", "vote": "up"}, ""),
        ({"someInput": "x"}, ""),
        ("plain string", "plain string"),
        (None, ""),
        (42, ""),
    ],
)
def test_a_click_stands_for_the_text_of_its_button(value, expected):
    assert clicked_text(value) == expected


def test_typed_text_wins_over_a_clicks_value():
    activity = teams_message("what is RAG", value={"archbot": "say", "text": "help"})
    assert message_text(activity) == "what is RAG"
    assert message_text(teams_message(None, value={"archbot": "say", "text": "help"})) == "help"
    assert message_text(teams_message(None)) == ""


@pytest.mark.parametrize(
    "value",
    [
        {"archbot": "feedback", "topic": "rag", "vote": "sideways"},
        {"archbot": "feedback", "topic": "", "vote": "up"},
        {"archbot": "feedback", "vote": "up"},
        {"archbot": "say", "text": "x"},
        "feedback",
    ],
)
def test_malformed_feedback_is_not_feedback(value):
    assert feedback_click(value) is None


# -- the bot in Teams ----------------------------------------------------------------------------


@pytest.fixture
def runtime(sample_kb):
    return build_runtime(Settings(storage=MEMORY_URL), sample_kb)


@pytest.fixture
def fresh_runtime(kb):
    """A bot over the real knowledge base with state of its own (these tests reuse ids)."""
    return build_runtime(Settings(storage=MEMORY_URL), kb)


def teams_convo(runtime, conversation: str = "a:personal-1", kind: str = "personal"):
    convo = Conversation(runtime.handler, Channels.ms_teams, conversation)
    convo.adapter.template.conversation = ConversationAccount(
        id=conversation, conversation_type=kind, tenant_id="tenant-1"
    )
    convo.adapter.template.recipient = TEAMS_BOT
    return convo


async def test_a_channel_message_with_a_mention_is_answered(runtime):
    convo = teams_convo(runtime, "19:general@thread.tacv2;messageid=1", "channel")
    turn = await convo.send(
        teams_message("<at>ArchBot</at> what is prompt flow", mentions=[mention(TEAMS_BOT)])
    )
    (card,) = turn.cards
    assert card["body"][0]["text"] == "Prompt flow"


async def test_an_action_submit_with_no_text_is_routed_like_typing(runtime):
    convo = teams_convo(runtime)
    turn = await convo.send(teams_message(None, value={"archbot": "say", "text": "prompt flow"}))
    assert turn.cards[0]["body"][0]["text"] == "Prompt flow"


async def test_an_empty_message_does_not_crash(runtime):
    convo = teams_convo(runtime)
    turn = await convo.send(teams_message(None, value={"unrelated": True}))
    assert "I don't know that one" in turn.text
    turn = await convo.send(teams_message(None))
    assert len(turn.messages) == 1


async def test_the_walkthrough_runs_on_card_clicks(fresh_runtime):
    convo = teams_convo(fresh_runtime)
    turn = await convo.say("help me pick an architecture")
    (card,) = turn.cards
    assert any(b.get("text") == "What are you building?" for b in card["body"])
    # the button shows a label that fits Teams; clicking it sends the whole choice
    full = "Machine learning to predict or classify (train custom models)"
    assert turn.clicks["Machine learning to predict or classify"] == full
    click = {
        "archbot": "say",
        "text": "Machine learning to predict or classify (train custom models)",
    }
    turn = await convo.send(teams_message(None, value=click))
    assert "What will the model learn from?" in turn.text
    turn = await convo.say("tabels")  # typed answers still work, typos too
    assert "Who will build and run it?" in turn.text
    turn = await convo.send(
        teams_message(
            None, value={"archbot": "say", "text": "Makers and analysts (low-code, no-code)"}
        )
    )
    (card,) = turn.cards
    assert card["body"][0]["text"].startswith("My recommendation:")
    (memo,) = turn.messages  # the memo can be rated, with Teams' own feedback buttons
    assert memo.channel_data["feedbackLoopEnabled"] is True
    assert answered_topic(memo).startswith("walkthrough/")


async def test_feedback_is_stored_with_the_topic_and_acknowledged(runtime):
    """A 👍 / 👎 card button (other channels; in Teams on cards sent before its own feedback
    buttons replaced them: test_teams_ai.py)."""
    store = runtime.feedback
    convo = teams_convo(runtime)
    await convo.say("what is prompt flow")
    up, down = feedback_data("prompt-flow", "up"), feedback_data("prompt-flow", "down")
    turn = await convo.send(teams_message(None, value=up, reply_to_id="answer-1"))
    assert "Thanks for the feedback" in turn.text
    assert [(t.topic, t.up, t.down) for t in store.tally()] == [("prompt-flow", 1, 0)]
    await convo.send(teams_message(None, value=down, reply_to_id="answer-1"))  # changed mind
    assert [(t.topic, t.up, t.down) for t in store.tally()] == [("prompt-flow", 0, 1)]
    await convo.send(teams_message(None, value=up, reply_to_id="answer-2"))  # another answer
    assert [(t.topic, t.up, t.down) for t in store.tally()] == [("prompt-flow", 1, 1)]


async def test_a_feedback_click_does_not_disturb_a_walkthrough(fresh_runtime):
    convo = teams_convo(fresh_runtime)
    await convo.say("help me pick an architecture")
    turn = await convo.send(
        teams_message(None, value={"archbot": "feedback", "topic": "rag", "vote": "up"})
    )
    assert "Thanks" in turn.text
    turn = await convo.say("machine learning")
    assert "What will the model learn from?" in turn.text


async def test_unanswered_questions_are_logged_without_the_mention(runtime):
    convo = teams_convo(runtime, "19:general@thread.tacv2;messageid=7", "channel")
    await convo.send(
        teams_message(
            "<at>ArchBot</at> does ArchBot know the weather in Oslo?",
            mentions=[mention(TEAMS_BOT)],
        )
    )
    await convo.say("Does ArchBot know the weather in Oslo")
    await convo.say("what is prompt flow")  # answered: not a gap
    gaps = runtime.feedback.gaps()
    assert [(g.text, g.count) for g in gaps] == [("Does ArchBot know the weather in Oslo", 2)]


async def test_installing_in_personal_scope_welcomes_with_example_buttons(runtime):
    convo = teams_convo(runtime)
    turn = await convo.send(
        Activity(type=ActivityTypes.conversation_update, members_added=[TEAMS_BOT])
    )
    (card,) = turn.cards
    assert card["body"][0]["text"].startswith("Hi! I'm ArchBot.")
    assert turn.buttons == ["Prompt flow", "Azure AI Speech"]


async def test_installing_in_a_team_explains_the_mention(runtime):
    convo = teams_convo(runtime, "19:general@thread.tacv2", "channel")
    turn = await convo.send(
        Activity(
            type=ActivityTypes.conversation_update,
            members_added=[TEAMS_BOT],
            channel_data={"eventType": "teamMemberAdded", "team": {"id": "19:team"}},
        )
    )
    assert "Mention me (**@ArchBot**)" in turn.text


async def test_people_joining_a_team_are_not_greeted_one_by_one(runtime):
    convo = teams_convo(runtime, "19:general@thread.tacv2", "channel")
    dana = ChannelAccount(id="29:dana", name="Dana")
    turn = await convo.send(
        Activity(
            type=ActivityTypes.conversation_update,
            members_added=[dana],
            channel_data={"eventType": "teamMemberAdded", "team": {"id": "19:team"}},
        )
    )
    assert turn.messages == []


# -- the search message extension --------------------------------------------------------------


def invoke(name: str, value) -> Activity:
    return Activity(type=ActivityTypes.invoke, name=name, value=value)


def invoke_body(turn):
    (response,) = [a for a in turn.activities if a.type == ActivityTypes.invoke_response]
    return response.value.status, response.value.body


async def test_a_search_returns_topic_cards_from_the_knowledge_base(runtime):
    query = {
        "commandId": "searchKnowledge",
        "parameters": [{"name": "query", "value": "transcibe audio"}],
        "queryOptions": {"skip": 0, "count": 5},
    }
    status, body = invoke_body(
        await teams_convo(runtime).send(invoke("composeExtension/query", query))
    )
    assert status == 200
    result = body["composeExtension"]
    assert result["type"] == "result" and result["attachmentLayout"] == "list"
    titles = [a["preview"]["content"]["title"] for a in result["attachments"]]
    assert titles[:2] in (
        ["Azure AI Speech", "Custom Speech"],
        ["Custom Speech", "Azure AI Speech"],
    )
    first = result["attachments"][0]
    assert first["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert first["content"]["version"] == "1.5"
    assert first["preview"]["content"]["tap"]["type"] == "invoke"


async def test_a_search_opens_with_featured_topics_and_pages(runtime):
    convo = teams_convo(runtime)
    initial = {
        "commandId": "searchKnowledge",
        "parameters": [{"name": "initialRun", "value": "true"}],
    }
    _, body = invoke_body(await convo.send(invoke("composeExtension/query", initial)))
    titles = [a["preview"]["content"]["title"] for a in body["composeExtension"]["attachments"]]
    assert titles[:2] == ["Prompt flow", "Azure AI Speech"]
    paged = {**initial, "queryOptions": {"skip": 1, "count": 1}}
    _, body = invoke_body(await convo.send(invoke("composeExtension/query", paged)))
    assert [a["preview"]["content"]["title"] for a in body["composeExtension"]["attachments"]] == [
        "Azure AI Speech"
    ]


async def test_a_search_with_no_match_says_so(runtime):
    query = {"commandId": "searchKnowledge", "parameters": [{"name": "query", "value": "zzqxv"}]}
    _, body = invoke_body(await teams_convo(runtime).send(invoke("composeExtension/query", query)))
    assert body["composeExtension"]["type"] == "message"
    assert runtime.feedback.gaps() == []  # keystrokes in a search box are not questions


async def test_selecting_a_result_returns_its_card(runtime):
    convo = teams_convo(runtime)
    _, body = invoke_body(
        await convo.send(invoke("composeExtension/selectItem", {"topic": "speech-service"}))
    )
    (attachment,) = body["composeExtension"]["attachments"]
    assert attachment["content"]["body"][0]["text"] == "Azure AI Speech"
    _, body = invoke_body(
        await convo.send(invoke("composeExtension/selectItem", {"topic": "nope"}))
    )
    assert body["composeExtension"]["type"] == "message"


# -- de-duplication --------------------------------------------------------------------------


async def test_a_retry_while_the_original_runs_is_dropped_at_once():
    """The original answers it; once the original is done, a retry goes on to the turn (where
    the conversation's stored state answers it: tests/test_concurrency.py)."""
    answered, release = [], asyncio.Event()

    async def logic(context: TurnContext) -> None:
        answered.append(context.activity.id)
        if context.activity.id == "m-1":
            await release.wait()
        await context.send_activity("ok")

    dedup = DedupMiddleware()
    adapter = TestAdapter(logic).use(dedup)

    def receive(activity_id: str):
        activity = Activity(type=ActivityTypes.message, id=activity_id, text="x")
        return adapter.receive_activity(activity)

    original = asyncio.create_task(receive("m-1"))
    await asyncio.sleep(0)
    await receive("m-1")  # returns at once: the original still runs
    await receive("m-2")
    assert (answered, dedup.dropped) == (["m-1", "m-2"], 1)
    release.set()
    await original
    await receive("m-1")
    assert answered == ["m-1", "m-2", "m-1"]
    assert not dedup.running


async def test_a_failed_turn_can_be_retried():
    calls = []

    async def logic(context: TurnContext) -> None:
        calls.append(context.activity.id)
        if len(calls) == 1:
            raise RuntimeError("boom")

    adapter = TestAdapter(logic).use(DedupMiddleware())
    with pytest.raises(RuntimeError):
        await adapter.receive_activity(Activity(type=ActivityTypes.message, id="m-1", text="x"))
    await adapter.receive_activity(Activity(type=ActivityTypes.message, id="m-1", text="x"))
    assert calls == ["m-1", "m-1"]


async def test_invokes_are_never_dropped():
    calls = []

    async def logic(context: TurnContext) -> None:
        calls.append(context.activity.type)

    adapter = TestAdapter(logic).use(DedupMiddleware())
    for _ in range(2):
        await adapter.receive_activity(Activity(type=ActivityTypes.invoke, id="i-1", name="x"))
    assert calls == ["invoke", "invoke"]


def test_the_store_used_offline_is_in_memory(runtime):
    assert isinstance(runtime.feedback, FeedbackStore)
    assert runtime.feedback.path == ":memory:"
