"""Every Adaptive Card ArchBot can send is a valid 1.5 card, and channels without cards get text.

The catalogue below builds each kind of card from the real knowledge base: every topic's
answer, every question's answer, every written and some built comparisons, every walkthrough
question, the recommendation for every way through the walkthrough, "did you mean", welcome
(personal and team), help, "I don't know", a walkthrough reply with buttons, and the message
extension's search result for every topic. Each is checked by `bot.channels.cards.check_card`
(version, known element and action types, required properties, size) and by the official Adaptive
Cards JS SDK (npm adaptivecards@3.0.6, scripts/setup/40-teams-schema.sh) when Node has it; with the
CI variable set, a missing Node or SDK fails the test instead of skipping it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from itertools import islice, pairwise
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector import Channels

from bot.channels.cards import (
    CARD_VERSION,
    CONTENT_TYPE,
    build_card,
    check_card,
    plain_text,
    search_result_card,
)
from bot.channels.cards.builders import escape_markdown
from bot.core.advisor import Advisor, new_state
from bot.core.artifacts import Artifacts
from bot.core.compare import Comparison
from bot.core.hybrid import FusionModel
from bot.core.kb import Intent, Kind, KnowledgeBase
from bot.core.replies import (
    Replies,
    Reply,
    ReplyKind,
    comparison_reply,
    intent_reply,
    topic_reply,
)
from bot.core.router import Decision, Match, Outcome
from bot.hosting.runtime import MEMORY_URL, build_runtime
from bot.operations.config import Settings
from dialogs.walkthrough_dialog import RESTART_LABEL, recommendation_memo

from .conversation import Conversation
from .paths import REPO_ROOT

REAL_KB = REPO_ROOT / "knowledge"
AC_SDK = REPO_ROOT / ".tools/teams/node_modules/adaptivecards/dist/adaptivecards.js"
VALIDATOR = Path(__file__).parent / "js" / "validate_cards.js"


def every_card(kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    """Every card the bot can send, by a descriptive name."""
    replies = Replies(kb)
    cards: dict[str, dict[str, Any]] = {}
    for topic in kb.topics.values():
        if topic.kind is not Kind.SMALLTALK:
            cards[f"answer:{topic.id}"] = build_card(topic_reply(topic, kb))
            cards[f"search:{topic.id}"] = search_result_card(topic)
        for question in topic.questions:
            intent = Intent(f"{topic.id}/{question.id}", topic, question)
            cards[f"answer:{intent.id}"] = build_card(intent_reply(intent, kb))
    comparable = [t for t in kb.topics.values() if t.kind is Kind.SERVICE]
    for first, second in islice(pairwise(comparable), 10):
        comparison = Comparison(first, second, None, 0.9)
        cards[f"compare:{first.id}+{second.id}"] = build_card(comparison_reply(comparison, kb))
    for topic in kb.by_kind(Kind.COMPARISON):
        first, second = (kb.topics[t] for t in topic.compares)
        cards[f"compare:{topic.id}"] = build_card(
            comparison_reply(Comparison(first, second, topic, 0.9), kb)
        )
    matches = tuple(Match(Intent(t.id, t), 0.4) for t in comparable[:3])
    cards["did-you-mean"] = build_card(
        replies.for_decision(Decision("x", Outcome.AMBIGUOUS, matches))
    )
    cards["welcome"] = build_card(replies.welcome())
    cards["team-welcome"] = build_card(replies.team_welcome("ArchBot"))
    cards["help"] = build_card(replies.help())
    cards["unknown"] = build_card(replies.unknown())
    cards["walkthrough-cancelled"] = build_card(Reply("OK, I've stopped.", (RESTART_LABEL,)))
    advisor = Advisor(kb)
    for question in kb.walkthrough.questions:
        notes = ("Got it: **Documents and forms**.", "From what you said, I've noted:\n- x")
        labels = tuple(c.label for c in question.choices)
        reply = Reply("…", labels, ReplyKind.QUESTION, title=question.ask, notes=notes)
        cards[f"question:{question.id}"] = build_card(reply)
    inline = artifacts_of(kb)  # the diagram inline: the largest card a recommendation makes
    for index, answers in enumerate(kb.walkthrough.completions({})):
        state = {**new_state(), "answers": dict(answers), "history": list(answers)}
        cards[f"recommendation:{index}"] = build_card(
            recommendation_memo(advisor.recommendation(state), inline)
        )
    served = Artifacts(advisor, "https://archbot.example.com", public=True)
    cards["recommendation-public-diagram"] = build_card(
        recommendation_memo(advisor.recommendation(state), served)
    )
    return cards


_ARTIFACTS: dict[int, Artifacts] = {}


def artifacts_of(kb: KnowledgeBase) -> Artifacts:
    """One per knowledge base: each diagram is drawn once for the whole module."""
    if id(kb) not in _ARTIFACTS:
        _ARTIFACTS[id(kb)] = Artifacts(Advisor(kb), "http://127.0.0.1:3978", public=False)
    return _ARTIFACTS[id(kb)]


def test_the_catalogue_covers_every_kind_of_card(kb):
    kinds = {name.split(":")[0] for name in every_card(kb)}
    assert kinds >= {
        "answer",
        "search",
        "compare",
        "did-you-mean",
        "welcome",
        "team-welcome",
        "help",
        "unknown",
        "question",
        "recommendation",
    }


def test_every_card_passes_the_structural_check(kb):
    problems = {name: check_card(card) for name, card in every_card(kb).items()}
    assert {name: p for name, p in problems.items() if p} == {}
    assert {card["version"] for card in every_card(kb).values()} == {CARD_VERSION}


def _node_validator() -> tuple[str, Path] | None:
    node = shutil.which("node")
    if node is None or not AC_SDK.is_file():
        missing = "node" if node is None else f"the adaptivecards SDK ({AC_SDK})"
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is missing: run scripts/setup/40-teams-schema.sh")
        pytest.skip(f"{missing} is missing: run scripts/setup/40-teams-schema.sh")
    return node, AC_SDK


def run_official_validator(cards: dict[str, dict[str, Any]], tmp_path: Path) -> dict[str, list]:
    node, sdk = _node_validator()
    path = tmp_path / "cards.json"
    path.write_text(json.dumps(cards), encoding="utf-8")
    done = subprocess.run(
        [node, str(VALIDATOR), str(sdk), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_card_passes_the_official_adaptive_cards_sdk(kb, tmp_path):
    results = run_official_validator(every_card(kb), tmp_path)
    assert len(results) == len(every_card(kb))
    assert {name: p for name, p in results.items() if p} == {}


def test_the_official_sdk_and_the_check_both_reject_broken_cards(tmp_path):
    broken = {
        "unknown-element": {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Nope"}]},
        "too-new": {"type": "AdaptiveCard", "version": "1.6", "body": []},
        "duplicate-ids": {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "Input.Text", "id": "a"}, {"type": "Input.Text", "id": "a"}],
        },
    }
    results = run_official_validator(broken, tmp_path)
    assert all(results[name] for name in broken), results
    assert all(check_card(card) for card in broken.values())


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ({"type": "AdaptiveCard", "version": "1.6", "body": []}, "must be '1.5'"),
        ({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Carousel"}]}, "Carousel"),
        ({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]}, "'text'"),
        (
            {
                "type": "AdaptiveCard",
                "version": "1.5",
                "body": [],
                "actions": [{"type": "Action.OpenUrl", "title": "x", "url": "javascript:x"}],
            },
            "absolute 'url'",
        ),
        (
            {
                "type": "AdaptiveCard",
                "version": "1.5",
                "body": [{"type": "Container", "items": [], "selectAction": {"type": "X"}}],
            },
            "unknown action type 'X'",
        ),
        ({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Input.Text"}]}, "'id'"),
    ],
)
def test_the_check_names_what_is_wrong(card, expected):
    problems = check_card(card)
    assert any(expected in p for p in problems), problems


def test_a_card_over_teams_size_limit_is_reported():
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "x"}]}
    card["body"][0]["text"] = "x" * 40_000
    assert any("bytes" in p for p in check_card(card))


# -- what goes into a card -------------------------------------------------------------------


HOSTILE = '**bold** [click](javascript:alert(1)) <at>Boss</at> _x_ \x07 "quotes" \\ {braces}'


def test_user_text_is_shown_verbatim_never_as_markdown():
    block = plain_text(HOSTILE)
    assert block["type"] == "RichTextBlock"
    (run,) = block["inlines"]
    assert run["type"] == "TextRun"  # TextRun never interprets markdown
    assert run["text"] == " ".join(HOSTILE.replace("\x07", "").split())
    assert "\x07" not in json.dumps(block)
    assert plain_text("x" * 2000)["inlines"][0]["text"].endswith("…")


def test_markdown_escaping_makes_every_markdown_character_literal():
    escaped = escape_markdown(HOSTILE)
    assert "\\*\\*bold\\*\\*" in escaped
    assert "\\[click\\]\\(javascript:alert\\(1\\)\\)" in escaped
    assert "\\<at\\>" in escaped


def test_kb_text_with_json_special_characters_survives_the_round_trip(kb):
    reply = Reply('A "quoted" \\ back\\slash\nnew line', kind=ReplyKind.ANSWER, title='T "1"')
    card = json.loads(json.dumps(build_card(reply)))
    assert card["body"][0]["text"] == 'T "1"'
    assert card["fallbackText"] == reply.text


def test_an_answer_card_has_its_parts(kb):
    topic = kb.topics["document-intelligence"]
    card = build_card(topic_reply(topic, kb))
    texts = [e.get("text") for e in card["body"] if e["type"] == "TextBlock"]
    assert texts[0] == topic.title
    assert topic.summary in texts
    assert "Use it when" in texts and "Look elsewhere when" in texts
    buttons = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    opens = [i for i, a in enumerate(buttons) if a["type"] == "Action.OpenUrl"]
    rates = [i for i, a in enumerate(buttons) if a.get("data", {}).get("archbot") == "feedback"]
    assert [buttons[i] for i in opens] == [
        {"type": "Action.OpenUrl", "title": topic.link.title, "url": topic.link.url}
    ]
    assert max(opens) < min(rates)  # the page to read comes before "Was this helpful?"
    assert "actions" not in card
    submits = [a for a in buttons if a["type"] == "Action.Submit"]  # related, then 👍 / 👎
    related = [a["data"]["text"] for a in submits if a["data"]["archbot"] == "say"]
    assert related == [kb.topics[r].title for r in topic.related][:3]
    votes = [(a["title"], a["data"]) for a in submits if a["data"]["archbot"] == "feedback"]
    assert votes == [
        ("👍 Helpful", {"archbot": "feedback", "topic": topic.id, "vote": "up"}),
        ("👎 Not helpful", {"archbot": "feedback", "topic": topic.id, "vote": "down"}),
    ]


def test_a_questions_answer_offers_more_on_its_topic_not_related_to_itself(kb):
    intent = next(i for i in kb.intents() if i.id == "ai-speech/batch-transcription")
    card = build_card(intent_reply(intent, kb))
    texts = [e.get("text") for e in card["body"] if e["type"] == "TextBlock"]
    assert "Related" not in texts  # the answered topic is no relation of itself
    more = [a for a in _actions(card["body"]) if a["title"] == "More on Azure AI Speech"]
    assert more and more[0]["data"]["text"] == "Azure AI Speech"  # a click asks for the topic


def _actions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if str(node.get("type", "")).startswith("Action.") else []
        return own + [a for value in node.values() for a in _actions(value)]
    if isinstance(node, list):
        return [a for item in node for a in _actions(item)]
    return []


def test_no_button_carries_teams_only_data(kb):
    """The Agents Playground (0.2.28) throws on any Action.Submit whose data has `msteams`
    (messageBack or imBack), so such a button sends nothing there; Teams and Web Chat post
    plain object data as the message's value."""
    submits = [
        (name, action)
        for name, card in every_card(kb).items()
        for action in _actions(card)
        if action["type"] == "Action.Submit"
    ]
    assert submits
    assert [(n, a["data"]) for n, a in submits if "msteams" in a["data"]] == []
    assert {a["data"]["archbot"] for _, a in submits} == {"say", "feedback"}


def test_every_button_label_has_words(kb):
    """Readable where no emoji font is installed: no label is only emoji (👍 / 👎 say it too)."""
    labels = {a["title"] for card in every_card(kb).values() for a in _actions(card)}
    assert "👍 Helpful" in labels and "👎 Not helpful" in labels
    assert [label for label in labels if not any(c.isalnum() for c in label)] == []


def test_a_comparison_card_is_side_by_side(kb):
    first, second = kb.topics["ai-speech"], kb.topics["ai-translator"]
    card = build_card(comparison_reply(Comparison(first, second, None, 0.9), kb))
    (columns,) = [e for e in card["body"] if e["type"] == "ColumnSet"]
    assert [c["items"][0]["text"] for c in columns["columns"]] == [first.title, second.title]
    opens = [a["url"] for a in _actions(card["body"]) if a["type"] == "Action.OpenUrl"]
    assert opens == [first.link.url, second.link.url]
    assert card["msteams"] == {"width": "Full"}
    votes = json.dumps(card)
    assert '"topic": "ai-speech+ai-translator"' in votes


def test_a_search_result_card_talks_back_to_no_one(kb):
    card = search_result_card(kb.topics["ai-speech"])
    assert '"Action.Submit"' not in json.dumps(card)
    assert card["actions"][0]["type"] == "Action.OpenUrl"


# -- per channel: card or text ---------------------------------------------------------------


@pytest.fixture
def runtime(sample_kb):
    return build_runtime(Settings(storage=MEMORY_URL), sample_kb)


def _attachments(turn) -> list:
    return [a for m in turn.messages for a in m.attachments or []]


async def test_teams_gets_an_adaptive_card_and_no_markdown_text(runtime):
    turn = await Conversation(runtime.handler, Channels.ms_teams).say("what is prompt flow")
    (message,) = turn.messages
    assert message.text == "Source: Prompt flow docs [1]"  # the citation (test_teams_ai.py)
    assert message.suggested_actions is None
    (attachment,) = message.attachments
    assert attachment.content_type == CONTENT_TYPE
    assert attachment.content["version"] == "1.5"
    assert attachment.content["body"][0]["text"] == "Prompt flow"
    assert attachment.content["fallbackText"].startswith("**Prompt flow**: A visual tool")


@pytest.mark.parametrize("channel", ["test", "telegram", "terminal", "slack", "sms"])
async def test_a_channel_without_cards_gets_the_markdown_text_and_suggested_actions(
    runtime, channel
):
    convo = Conversation(runtime.handler, channel)
    turn = await convo.say("what is prompt flow")
    assert turn.text.startswith("**Prompt flow**: A visual tool")
    assert _attachments(turn) == []
    turn = await convo.say("what's the weather on mars")
    assert "I don't know that one" in turn.text
    assert turn.buttons == ["Prompt flow", "Azure AI Speech"]
    assert turn.messages[0].suggested_actions is not None
    assert _attachments(turn) == []


async def test_card_channels_are_configurable(sample_kb, monkeypatch):
    monkeypatch.setenv("ARCHBOT_CARD_CHANNELS", "emulator, webchat")
    runtime = build_runtime(Settings(storage=MEMORY_URL), sample_kb)
    assert _attachments(await Conversation(runtime.handler, "webchat").say("prompt flow"))
    assert not _attachments(await Conversation(runtime.handler, "msteams").say("prompt flow"))
    monkeypatch.setenv("ARCHBOT_CARD_CHANNELS", "none")
    runtime = build_runtime(Settings(storage=MEMORY_URL), sample_kb)
    assert not _attachments(await Conversation(runtime.handler, "msteams").say("prompt flow"))


async def test_small_talk_stays_a_plain_message_in_teams(runtime):
    turn = await Conversation(runtime.handler, Channels.ms_teams).say("hello")
    (message,) = turn.messages
    assert message.text and not message.attachments


async def test_a_did_you_mean_card_offers_buttons_that_route_back(sample_kb):
    unsure = dataclasses.replace(FusionModel.load(), answer=0.999, suggest=0.05)
    runtime = build_runtime(Settings(storage=MEMORY_URL), sample_kb, unsure)
    convo = Conversation(runtime.handler, Channels.ms_teams)
    turn = await convo.say("transcribe audio")
    assert set(turn.buttons) == {"Azure AI Speech", "Custom Speech", "None of these"}
    (card,) = turn.cards
    assert "Did you mean" in card["body"][0]["text"]
    assert card["body"][1]["actions"][0]["data"] == {"archbot": "say", "text": "Azure AI Speech"}
    custom = next(
        i for i, b in enumerate(card["body"][1:4], 1) if b["actions"][0]["title"] == "Custom Speech"
    )
    click = Activity(type=ActivityTypes.message, value=card["body"][custom]["actions"][0]["data"])
    turn = await convo.send(click)  # an Action.Submit: value, no text
    assert turn.cards[0]["body"][0]["text"] == "Custom Speech"


def test_a_recommendation_card_keeps_its_notes_behind_more_details(kb):
    recommendations = [c for n, c in every_card(kb).items() if n.startswith("recommendation:")]
    with_notes = [c for c in recommendations if any(e.get("id") == "details" for e in c["body"])]
    assert with_notes, "some recommendation has notes or next steps"
    for card in with_notes:
        ids = [e.get("id") for e in card["body"]]
        details = card["body"][ids.index("details")]
        assert details["isVisible"] is False
        toggle = card["body"][ids.index("details") - 1]["actions"][0]
        assert toggle == {
            "type": "Action.ToggleVisibility",
            "title": "More details",
            "targetElements": ["details"],
        }
        assert card["body"][1]["text"].startswith("**Why:**")  # the decision and the why first
        assert card["body"][2]["type"] == "Image"  # then the architecture
