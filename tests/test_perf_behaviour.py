"""The performance work keeps behaviour (see bench/README.md for what it bought).

* The router's candidate pruning and caches: the same ranked lists and decisions as scoring
  every candidate phrase, on the development and held-out sets, on the real knowledge base and
  on one grown tenfold (bench/router_scaling.py), with caches cold and warm.
* bot/hosting/schema_codec.py: the same activities in and the same JSON out as msrest, and the same
  deep and shallow copies as Python's generic ones.
* bot/hosting/connectors.py: replies still reach the channel, signed as before, from clients kept
  across turns; failed connections retry as msrest's policy says; state is saved every turn.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import datetime as dt
import importlib.util
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    Entity,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.exceptions import ClientRequestError, DeserializationError, SerializationError
from msrest.pipeline import Request
from msrest.serialization import Deserializer, Serializer
from msrest.universal_http import ClientRequest

from bot.channels.teams_ai import MessageEntity
from bot.core.loader import load_knowledge
from bot.core.router import Decision, Outcome, Router
from bot.core.text import stem
from bot.hosting.patches import apply_patches
from bot.hosting.schema_codec import FastDeserializer, FastSerializer

from .paths import DEV_SET, REPO_ROOT

HELDOUT = REPO_ROOT / "tests" / "fixtures" / "heldout.yaml"
EXTRA = [
    "azure",
    "model",
    "what is a language model",
    "machine learning model training data on azure",
    "hello",
    "thanks!",
    "help",
    "spark fabric databricks",
    "asdf qwer zxcv",
    "",
    "<at>ArchBot</at>",
    "is azure openai or azure ai foundry better for a chat app",
]


def _says() -> list[str]:
    says = list(EXTRA)
    for path in (DEV_SET, HELDOUT):
        if path.exists():
            says += [case["say"] for case in yaml.safe_load(path.read_text())["cases"]]
    return says


def _ranked(decision: Decision) -> tuple[Any, ...]:
    return (decision.outcome, tuple((m.intent.id, m.score) for m in decision.matches))


def _decided(decision: Decision) -> tuple[Any, ...]:
    """What the user is told: the outcome and the intent answered or the intents offered."""
    if decision.outcome is Outcome.NONE:
        return (decision.outcome,)
    shown = decision.matches[:1] if decision.outcome is Outcome.ANSWER else decision.matches
    return (decision.outcome, tuple((m.intent.id, m.score) for m in shown))


@pytest.fixture(scope="module")
def real_kb():
    return load_knowledge()


def _grow(kb, factor: int):
    spec = importlib.util.spec_from_file_location(
        "router_scaling", REPO_ROOT / "bench" / "router_scaling.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("router_scaling", module)
    spec.loader.exec_module(module)
    return module.grow(kb, factor)


# -- the router ---------------------------------------------------------------------------------


def test_pruned_routing_equals_scoring_every_candidate(real_kb):
    fast, every = Router(real_kb), Router(real_kb, prune=False)
    for say in _says():
        assert _ranked(fast.route(say)) == _ranked(every.route(say)), say
        assert fast.rank(say, limit=8) == every.rank(say, limit=8), say


def test_answers_do_not_depend_on_warm_caches(real_kb):
    says = _says()
    cold = Router(real_kb)
    stem.cache_clear()
    first = [_ranked(cold.route(s)) for s in says]
    assert [_ranked(cold.route(s)) for s in says] == first  # typo and stem caches now warm
    stem.cache_clear()
    assert [_ranked(Router(real_kb).route(s)) for s in says] == first


def test_on_a_tenfold_knowledge_base_decisions_equal_scoring_every_candidate(real_kb):
    grown = _grow(real_kb, 10)
    assert len(grown.topics) == 10 * len(real_kb.topics)
    fast, every = Router(grown), Router(grown, prune=False)
    says = _says()
    for say in says:
        expected = every.route(say)
        assert _decided(fast.route(say)) == _decided(expected), say
    for say in says[:60]:  # rank() itself stays exact at any size
        assert fast.rank(say) == every.rank(say), say


def test_a_grown_knowledge_base_keeps_the_development_answers(real_kb):
    grown = _grow(real_kb, 10)
    base, bigger = Router(real_kb), Router(grown)
    for say in _says():
        before, after = base.route(say), bigger.route(say)
        if before.outcome is Outcome.ANSWER and before.top.score >= 0.6:
            # a near tie (within 0.05) may turn either way as the corpus' term weights move
            tied = {m.intent.id for m in before.matches if m.score >= before.top.score - 0.05}
            assert after.top.intent.id in tied, say


# -- reading and writing activities -------------------------------------------------------------


def _inbound() -> list[dict[str, Any]]:
    base = {
        "type": "message",
        "id": "1",
        "timestamp": "2026-11-27T08:00:00.1234567Z",
        "localTimestamp": "2026-11-27T09:00:00.123+01:00",
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "from": {"id": "29:u", "name": "Ada", "aadObjectId": "a-1", "role": "user", "x": 1},
        "recipient": {"id": "28:bot", "name": "ArchBot"},
        "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t"},
        "text": "<at>ArchBot</at> what is RAG?",
        "textFormat": "plain",
        "entities": [
            {"type": "mention", "mentioned": {"id": "28:bot"}, "text": "<at>ArchBot</at>"},
            {"type": "clientInfo", "locale": "en-US", "platform": "Web"},
            None,
        ],
        "channelData": {"tenant": {"id": "t"}, "nested": [1, 2.5, True, None, {"a": "b"}]},
        "attachments": [{"contentType": "text/html", "content": "<p>hi</p>"}],
        "unknownTopLevel": {"kept": ["in", "additional_properties"]},
    }
    invoke = {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": "2",
        "channelId": "msteams",
        "serviceUrl": "http://127.0.0.1:9",
        "from": {"id": "29:u"},
        "conversation": {"id": "a:1"},
        "value": {"action": {"type": "Action.Execute", "verb": "feedback", "data": {"x": 1}}},
    }
    update = {
        "type": "conversationUpdate",
        "membersAdded": [{"id": "29:u"}, {"id": "28:bot"}],
        "conversation": {"id": "a:1", "isGroup": "true"},
        "suggestedActions": {"to": ["a"], "actions": [{"type": "imBack", "title": "t"}]},
    }
    odd = [
        {"type": 5, "text": 12, "replyToId": None},
        {"type": "message", "timestamp": "not a date"},
        {"type": "message", "from": "not an account"},
        {"type": "message", "entities": "not a list"},
        {"type": "message", "membersAdded": [None, {"id": "x"}]},
        {},
    ]
    return [base, invoke, update, *odd]


def _msrest_result(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as error:
        return ("error", type(error))


@pytest.mark.parametrize("body", _inbound())
def test_activities_are_read_as_msrest_reads_them(body):
    fast = FastDeserializer()
    expected = _msrest_result(lambda: _msrest_deserialize(Activity, body))
    got = _msrest_result(lambda: fast.deserialize(Activity, body))
    if expected[0] == "error":
        assert got[0] == "error"
        assert expected[1] is DeserializationError
        return
    if got[0] == "error":  # the fast path declined: the patch hands it to msrest
        return
    assert got[1].serialize() == expected[1].serialize()
    assert got[1].additional_properties == expected[1].additional_properties
    for name in ("from_property", "recipient", "conversation"):
        a, b = getattr(got[1], name), getattr(expected[1], name)
        assert (a and a.additional_properties) == (b and b.additional_properties)
    assert [e and e.additional_properties for e in got[1].entities or []] == [
        e and e.additional_properties for e in expected[1].entities or []
    ]


def _msrest_deserialize(cls: type, data: Any) -> Any:
    """msrest's own `Model.deserialize` (what the patch replaces)."""
    return Deserializer(cls._infer_class_models())(cls.__name__, data)


def test_the_patched_deserialize_gives_msrest_results_and_errors():
    apply_patches()
    for body in _inbound():
        expected = _msrest_result(lambda b=body: _msrest_deserialize(Activity, b))
        got = _msrest_result(lambda b=body: Activity().deserialize(b))
        assert got[0] == expected[0], body
        if got[0] == "ok":
            assert got[1].serialize() == expected[1].serialize()
        else:
            assert got[1] is expected[1]


def _outbound() -> list[Activity]:
    card = CardFactory.adaptive_card(
        {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": "Azure AI Speech — ünïcode ✓", "wrap": True}],
            "actions": [{"type": "Action.Submit", "title": "Yes", "data": {"helpful": True}}],
        }
    )
    reply = MessageFactory.suggested_actions(
        [CardAction(type="imBack", title="A", value="A"), CardAction(type="imBack", title="B")],
        "**Azure AI Speech**: speech to text",
    )
    reply.attachments = [card, Attachment(content_type="text/plain", content="x")]
    reply.entities = [Entity(type="x"), None]
    reply.channel_data = {"notification": {"alert": True}, "n": 1.5}
    reply.timestamp = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    reply.type = ActivityTypes.message  # an Enum member where a str is declared
    reference = TurnContext.get_conversation_reference(
        Activity(
            id="1",
            channel_id="msteams",
            service_url="http://127.0.0.1:9",
            from_property=ChannelAccount(id="29:u", name="Ada"),
            recipient=ChannelAccount(id="28:bot", name="ArchBot"),
            conversation=ConversationAccount(id="a:1", conversation_type="personal"),
        )
    )
    reply = TurnContext.apply_conversation_reference(reply, reference)
    trace = Activity.create_trace_activity("n", value={"a": [1, {"b": None}]}, label="l")
    dict_in_model_slot = MessageFactory.text("hi")
    dict_in_model_slot.from_property = {"id": "x", "name": "y"}  # msrest turns it into a model
    odd_object = MessageFactory.text("hi")
    odd_object.value = {1: "int key", "set": {1, 2}}
    model_in_object = MessageFactory.text("hi")
    model_in_object.value = ChannelAccount(id="inside")
    bad_int = MessageFactory.text("hi")
    bad_int.attachment_layout = "list"
    bad_int.value = [dt.date(2026, 1, 1)]
    teams_answer = MessageFactory.text("**Azure AI Speech** … Source: [1]")
    teams_answer.entities = [  # an Entity subclass with its own attribute map (Teams citations)
        MessageEntity(
            citation=[{"@type": "Claim", "position": 1, "appearance": {"name": "Docs"}}],
            topic="ai-speech",
        )
    ]
    return [
        reply,
        trace,
        dict_in_model_slot,
        odd_object,
        model_in_object,
        bad_int,
        teams_answer,
        Activity(),
    ]


@pytest.mark.parametrize("index", range(len(_outbound())))
def test_activities_are_written_as_msrest_writes_them(index):
    client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url="http://127.0.0.1:9")
    fast = FastSerializer(client._serialize.dependencies)
    expected = _msrest_result(client._serialize.body, _outbound()[index], "Activity")
    got = _msrest_result(fast.body, _outbound()[index], "Activity")
    assert got[0] == expected[0]
    if got[0] == "ok":
        assert json.dumps(got[1], sort_keys=True) == json.dumps(expected[1], sort_keys=True)
    else:
        assert got[1] is expected[1] or issubclass(got[1], SerializationError)


def test_a_teams_answer_with_citations_stays_on_the_fast_path(monkeypatch):
    """An Entity subclass with its own map is written by its own plan, not by falling back to
    msrest for the whole activity (~1 ms per reply)."""
    client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url="http://127.0.0.1:9")
    fast = FastSerializer(client._serialize.dependencies)
    expected = client._serialize.body(_outbound()[-2], "Activity")

    def no_fallback(*_args, **_kwargs):
        raise AssertionError("fell back to msrest")

    monkeypatch.setattr(Serializer, "body", no_fallback)
    assert fast.body(_outbound()[-2], "Activity") == expected


def test_copies_of_activities_are_the_generic_copies():
    apply_patches()
    original = _outbound()[0]
    original.__dict__["extra"] = {"kept": [1, 2]}  # bots hang things on activities
    shared = {"same": "object"}
    original.channel_data = {"a": shared, "b": shared}
    copied = copy.deepcopy(original)
    assert copied.serialize() == original.serialize()
    assert copied.__dict__.keys() == original.__dict__.keys()
    assert copied.channel_data["a"] is copied.channel_data["b"]  # sharing kept, as deepcopy does
    assert copied.channel_data["a"] is not shared
    assert copied.attachments[0].content is not original.attachments[0].content
    copied.attachments[0].content["body"][0]["text"] = "changed"
    assert original.attachments[0].content["body"][0]["text"] != "changed"
    shallow = copy.copy(original)
    assert shallow.attachments is original.attachments and shallow is not original

    class Sub(ChannelAccount):
        __slots__ = ("extra_slot",)

    sub = Sub(id="s")
    sub.extra_slot = 1
    assert copy.deepcopy(sub).extra_slot == 1  # subclasses keep the generic copy

    from bot.channels.teams_ai import MessageEntity

    entity = MessageEntity(citation=[{"position": 1, "appearance": {"name": "a"}}], topic="t")
    fast = copy.deepcopy(entity)  # a subclass with no copy hooks: copied as its base is
    generic = copy._reconstruct(entity, {}, *entity.__reduce_ex__(4))
    assert type(fast) is MessageEntity and fast.__dict__ == generic.__dict__
    assert fast.citation[0] is not entity.citation[0]


# -- the adapter: replies, signing, kept clients, retries, state --------------------------------


class _Channel:
    """A connector stand-in that records what bots post to it."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any], dict[str, str]]] = []

    async def reply(self, request: web.Request) -> web.Response:
        self.posts.append((request.path, await request.json(), dict(request.headers)))
        return web.json_response({"id": f"r{len(self.posts)}"})


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}"


async def test_replies_reach_the_channel_from_kept_clients_and_state_is_saved(tmp_path):
    from bot.hosting.app import ADAPTER_KEY, create_app
    from bot.hosting.runtime import build_runtime
    from bot.operations.config import Settings
    from bot.state.storage import SqliteStorage

    channel = _Channel()
    connector = web.Application()
    connector.router.add_post("/v3/conversations/{c}/activities", channel.reply)
    connector.router.add_post("/v3/conversations/{c}/activities/{a}", channel.reply)
    connector_runner, service_url = await _serve(connector)
    db = tmp_path / "state.sqlite3"
    settings = dataclasses.replace(Settings(), storage=f"sqlite:///{db}")
    app = create_app(build_runtime(settings))
    bot_runner, bot_url = await _serve(app)
    try:
        async with aiohttp.ClientSession() as session:
            for turn, (channel_id, text) in enumerate(
                [("msteams", "what is RAG"), ("msteams", "hi"), ("emulator", "what is RAG")]
            ):
                activity = {
                    "type": "message",
                    "id": f"m{turn}",
                    "channelId": channel_id,
                    "serviceUrl": service_url,
                    "from": {"id": "u1", "name": "Ada"},
                    "recipient": {"id": "bot", "name": "ArchBot"},
                    "conversation": {"id": f"conv-{turn}"},
                    "text": text,
                }
                async with session.post(bot_url + "/api/messages", json=activity) as response:
                    assert response.status in (200, 201), await response.text()
                storage = SqliteStorage(db)
                try:
                    stored = await storage.read([f"{channel_id}/conversations/conv-{turn}"])
                finally:
                    storage.close()
                assert stored, f"no conversation state saved after turn {turn}"
        sent = [(path, body) for path, body, _ in channel.posts]
        assert any(b["type"] == "message" and p.endswith("/m0") for p, b in sent)
        assert not any(b["type"] == "trace" for p, b in sent if "conv-0" in p)
        assert any(b["type"] == "trace" for p, b in sent if "conv-2" in p)  # Emulator only
        assert all("Authorization" not in headers for _, _, headers in channel.posts)
        assert all("BotBuilder" in headers["User-Agent"] for _, _, headers in channel.posts)
        assert len(app[ADAPTER_KEY]._connector_clients) == 1  # one serviceUrl, one client
    finally:
        await bot_runner.cleanup()
        await connector_runner.cleanup()


async def test_activities_are_posted_as_the_connector_operations_post_them():
    from botframework.connector.models import ErrorResponseException

    from bot.hosting.connectors import post_activity

    posted: list[tuple[str, str, dict[str, str]]] = []
    answer: dict[str, Any] = {}

    async def channel(request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k not in ("Host", "Date")}
        posted.append((request.raw_path, await request.text(), headers))
        return web.json_response(answer["body"], status=answer["status"])

    app = web.Application()
    app.router.add_post("/{tail:.*}", channel)
    runner, url = await _serve(app)
    client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url=url + "/amer/")

    async def stock(activity: Activity) -> Any:
        conversations, conversation_id = client.conversations, activity.conversation.id
        if activity.reply_to_id:
            return await conversations.reply_to_activity(
                conversation_id, activity.reply_to_id, activity
            )
        return await conversations.send_to_conversation(conversation_id, activity)

    async def outcome(send: Callable[[Activity], Awaitable[Any]], activity: Activity) -> Any:
        try:
            return (await send(copy.deepcopy(activity))).serialize()
        except ErrorResponseException as error:
            return type(error), str(error), error.error.serialize()

    try:
        for conversation, reply_to in [("a:b/c d?", "1234|5"), ("19:x@thread.v2", None)]:
            activity = MessageFactory.attachment(CardFactory.adaptive_card({"type": "x"}))
            activity.text, activity.reply_to_id = "é ✓", reply_to
            activity.conversation = ConversationAccount(id=conversation)
            for status, body in [(201, {"id": "r1"}), (400, {"error": {"code": "Bad"}})]:
                answer.update(status=status, body=body)
                ours = await outcome(lambda a: post_activity(client, a), activity)
                assert ours == await outcome(stock, activity)
                assert posted[-2] == posted[-1]  # path, body and headers
        assert posted[0][0] == "/amer/v3/conversations/a%3Ab%2Fc%20d%3F/activities/1234%7C5"
    finally:
        await client._client.__aexit__(None, None, None)
        await runner.cleanup()


async def test_connection_failures_retry_with_msrest_backoff(monkeypatch):
    from bot.hosting.connectors import AiohttpSender

    waits: list[float] = []

    async def no_sleep(delay: float) -> None:
        waits.append(delay)

    monkeypatch.setattr(asyncio, "sleep", no_sleep)
    sender = AiohttpSender()
    request = ClientRequest("POST", "http://127.0.0.1:9/v3/conversations/c/activities")
    request.data = "{}"
    with pytest.raises(ClientRequestError):
        await sender.send(Request(request))
    assert waits == [0, 1.6, 3.2]  # urllib3 Retry(total=3, backoff_factor=0.8), as msrest's


async def test_a_post_that_reached_the_server_is_not_sent_again():
    from bot.hosting.connectors import AiohttpSender

    hits = 0

    async def failing(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        return web.Response(status=503)

    app = web.Application()
    app.router.add_post("/x", failing)
    runner, url = await _serve(app)
    try:
        request = ClientRequest("POST", url + "/x")
        response = await AiohttpSender().send(Request(request))
        assert response.http_response.status_code == 503
        assert hits == 1  # POST is not in urllib3's retryable methods: msrest did not retry it
    finally:
        await runner.cleanup()


def test_requests_are_signed_by_the_credentials_as_before():
    from botframework.connector.auth import AppCredentials

    from bot.hosting.connectors import BearerPolicy

    class Signed(AppCredentials):
        def get_access_token(self, force_refresh: bool = False) -> str:
            return "token-1"

    signed = Request(ClientRequest("POST", "http://127.0.0.1:9/x"))
    BearerPolicy(Signed(app_id="app")).on_request(signed)
    assert signed.http_request.headers["Authorization"] == "Bearer token-1"
    anonymous = Request(ClientRequest("POST", "http://127.0.0.1:9/x", {"Authorization": "stale"}))
    BearerPolicy(MicrosoftAppCredentials("", "")).on_request(anonymous)
    assert "Authorization" not in anonymous.http_request.headers


# -- BotState's change detection (bot/hosting/patches.py: _fast_state_fingerprint) ----------------


async def test_state_changes_are_still_detected_and_saved(tmp_path):
    from botbuilder.core import ConversationState
    from botbuilder.core.adapters import TestAdapter
    from botbuilder.dialogs import DialogInstance, DialogState

    from bot.hosting.patches import apply_patches
    from bot.state.storage import SqliteStorage

    apply_patches()
    storage = SqliteStorage(tmp_path / "state.sqlite3")
    state = ConversationState(storage)
    stacks = state.create_property("DialogState")
    seen: list[bool] = []
    keys: list[str] = []

    async def turn(context: TurnContext) -> None:
        keys.append(state.get_storage_key(context))
        stack = await stacks.get(context, DialogState)
        seen.append(state.get_cached_state(context).is_changed)
        if context.activity.text == "push":
            stack.dialog_stack.append(DialogInstance(id="walkthrough", state={"step": 0}))
        elif context.activity.text == "step":
            stack.dialog_stack[0].state["step"] += 1  # a change deep inside the stack
        elif context.activity.text == "unpicklable":
            stack.dialog_stack[0].state["note"] = lambda: None  # jsonpickle only
        seen.append(state.get_cached_state(context).is_changed)
        await state.save_changes(context)
        seen.append(state.get_cached_state(context).is_changed)

    adapter = TestAdapter(turn)
    try:
        for text in ("push", "look", "step", "look", "unpicklable", "look"):
            seen.clear()
            await adapter.receive_activity(text)
            changed = text != "look"
            first_turn = text == "push"  # the DialogState property itself is new
            assert seen == [first_turn, changed, False], text
        key = keys[0]
        stack = (await storage.read([key]))[key]["DialogState"].dialog_stack
        assert stack[0].id == "walkthrough" and stack[0].state["step"] == 1
    finally:
        storage.close()


def test_the_server_runs_on_uvloop_where_it_is_installed():
    from bot.operations.cli import _event_loop

    loop = _event_loop()
    try:
        expected = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
        assert type(loop).__module__.split(".")[0] == expected
    finally:
        loop.close()


@pytest.mark.parametrize(
    "item",
    [
        {"focus": {"topic": "prompt-flow", "pair": ["a", "b"]}, "n": 3, "x": None, "ok": True},
        {
            "DialogState": {
                "py/object": "botbuilder.dialogs.dialog_state.DialogState",
                "_dialog_stack": [],
            },
            "kept": [{"id": "1", "replies": "[]"}],
        },
        {"weird": {"py/tuple": [1, 2]}, "list": [[{"a": 1.5}]]},
        {  # an empty dialog state, then a tag only jsonpickle reads
            "DialogState": {
                "py/object": "botbuilder.dialogs.dialog_state.DialogState",
                "_dialog_stack": [],
            },
            "later": {"py/tuple": [1, 2]},
        },
    ],
)
def test_stored_state_is_read_back_as_jsonpickle_reads_it(item):
    """The plain-JSON fast path of `_decode` gives what jsonpickle's Unpickler gives."""
    import json

    from jsonpickle.unpickler import Unpickler

    from bot.state.storage import _decode

    value = json.dumps(item)
    expected = Unpickler().restore({**json.loads(value), "e_tag": "t"})
    read = _decode(value, "t")
    assert type(read) is type(expected) and read.keys() == expected.keys()
    for key, found in read.items():
        wanted = expected[key]
        assert type(found) is type(wanted)
        assert getattr(found, "__dict__", found) == getattr(wanted, "__dict__", wanted)


def test_the_fast_read_leaves_the_parsed_state_as_it_was():
    """`_revived` copies what it changes, so a state it gives up on goes to jsonpickle as
    parsed, not half revived (and is not parsed twice)."""
    import copy

    from bot.state.storage import _NotPlain, _revived

    empty = {"py/object": "botbuilder.dialogs.dialog_state.DialogState", "_dialog_stack": []}
    parsed = {"a": {"DialogState": empty}, "b": [empty], "c": {"py/tuple": [1]}}
    before = copy.deepcopy(parsed)
    with pytest.raises(_NotPlain):
        _revived(parsed)
    assert parsed == before


def test_the_walkthroughs_cached_walks_give_what_walking_every_completion_gives():
    """Whether a question may still be asked, and which rules the answers can still reach, come
    from caches; on every prefix of every way through the real walkthrough they are what a walk
    over the completions gives."""
    from bot.core.advisor import Advisor
    from bot.core.loader import load_knowledge

    advisor = Advisor(load_knowledge())
    walkthrough = advisor.walkthrough
    prefixes = {frozenset()}
    for completion in walkthrough.completions({}):
        items = list(completion.items())
        prefixes.update(frozenset(items[:n]) for n in range(1, len(items)))
    for prefix in prefixes:
        answers = dict(prefix)
        finishes = list(walkthrough.completions(answers))
        for question in walkthrough.questions:
            walked = any(advisor._applies(question, c) for c in [answers, *finishes])
            assert advisor._may_apply(question, answers) is walked
        rules = dict.fromkeys(r.id for c in finishes if (r := walkthrough.rule_for(c)))
        assert [r.id for r in advisor._finishes(answers).rules] == list(rules)
