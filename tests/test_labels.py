"""Button labels: short enough for one line in Teams, while a click sends the whole request."""

from __future__ import annotations

from pathlib import Path

import pytest
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector import Channels

from bot.channels.cards import build_card
from bot.channels.messages import label_limit
from bot.core.kb import KnowledgeBase, KnowledgeError, Link
from bot.core.labels import (
    LABEL_LIMIT,
    button_label,
    derived_label,
    other_label,
    question_label,
    short_problem,
    topic_label,
)
from bot.core.lint import lint_knowledge
from bot.core.loader import load_knowledge
from bot.core.replies import Reply, ReplyKind

from .conversation import Conversation, card_elements, cards
from .paths import FIXTURE_KB

SPARK = "Apache Spark in Microsoft Fabric (Fabric Runtime)"
REFERENCE = "Reference architecture: RAG solution design and evaluation guide"


# -- the rule ----------------------------------------------------------------------------------


def test_a_label_that_fits_is_the_text_itself():
    assert button_label("Go deeper") == "Go deeper"
    assert button_label("Retrieval Augmented Generation (RAG)") == (
        "Retrieval Augmented Generation (RAG)"
    )


def test_the_defects_labels_get_whole_short_forms():
    assert derived_label(SPARK) == "Apache Spark in Microsoft Fabric"
    assert derived_label(REFERENCE) == "Reference architecture"
    assert button_label("Our analysts and engineers, while building reports and notebooks") == (
        "Our analysts and engineers"
    )


def test_a_question_keeps_its_mark_and_a_last_resort_ends_in_an_ellipsis():
    label = derived_label("Can azure ml do distributed training across gpus?")
    assert label == "Can azure ml do distributed training?"
    cut = button_label("word " * 20)
    assert cut.endswith("…") and len(cut) <= LABEL_LIMIT


def test_a_knowledge_short_must_fit_and_be_shorter():
    assert short_problem("Spark in Fabric", SPARK) is None
    assert "characters" in (short_problem("x" * 50, "y" * 60) or "")
    assert "not shorter" in (short_problem("Go deeper", "Go deeper") or "")


def test_every_button_the_knowledge_makes_fits(kb: KnowledgeBase):
    for topic in kb.topics.values():
        assert len(topic_label(topic, kb.topics)) <= LABEL_LIMIT, topic.title
        for question in topic.questions:
            assert len(question_label(topic, question)) <= LABEL_LIMIT, question.id
    assert kb.walkthrough is not None
    for walk_question in kb.walkthrough.questions:
        for choice in walk_question.choices:
            assert len(button_label(choice.label, choice.short)) <= LABEL_LIMIT


def test_comparisons_are_labelled_with_their_two_sides(kb: KnowledgeBase):
    titled = {t.title: t for t in kb.topics.values()}
    topic = titled["Microsoft Copilot vs building your own in Copilot Studio"]
    assert topic_label(topic, kb.topics) == "Microsoft Copilot vs Copilot Studio"


def test_the_terminal_shows_whole_labels_and_every_other_channel_short_ones():
    assert label_limit("terminal") is None
    for channel in (Channels.ms_teams, Channels.emulator, Channels.webchat, "directline"):
        assert label_limit(channel) == LABEL_LIMIT


def test_a_long_link_button_says_where_it_goes_in_a_few_words():
    reply = Reply("memo", kind=ReplyKind.RECOMMENDATION, links=(Link(REFERENCE, "https://x.test"),))
    (action,) = build_card(reply)["actions"]
    assert action == {
        "type": "Action.OpenUrl",
        "title": "Reference architecture",
        "url": "https://x.test",
    }
    (whole,) = build_card(reply, label_limit=None)["actions"]
    assert whole["title"] == REFERENCE


# -- the knowledge's `short` ------------------------------------------------------------------


def _copy_knowledge(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    for path in FIXTURE_KB.rglob("*"):
        target = root / path.relative_to(FIXTURE_KB)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    return root


def _add_short(root: Path, short: str) -> tuple[Path, int]:
    """Give the first topic of the first topics file a `short`; its file and line."""
    path = sorted((root / "topics").glob("*.yaml"))[0]
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("title:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, f"{indent}short: {short}")
    path.write_text("\n".join(lines) + "\n")
    return path, at + 2


def test_a_short_title_is_read_and_a_bad_one_is_reported_at_its_line(tmp_path: Path):
    root = _copy_knowledge(tmp_path)
    path, line = _add_short(root, "x" * 60)
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)
    where = f"{path.relative_to(root.parent)}:{line}:"
    assert any(str(p).startswith(where) and "'short'" in str(p) for p in raised.value.problems)


def test_kb_check_warns_where_a_button_would_be_cut(kb: KnowledgeBase):
    warnings = [w for w in lint_knowledge(vocabulary=kb.vocabulary, kb=kb) if "button" in str(w)]
    for warning in warnings:  # each names a file and line to add a `short` or an ask at
        assert warning.file.startswith("knowledge/") and warning.line > 0
    assert not warnings  # the knowledge has a short form for every long button


def test_a_short_name_serves_a_follow_up_naming_the_topic(kb: KnowledgeBase):
    other = kb.topics["document-intelligence-custom-models"]
    assert other_label("Compare it with {other}", other) == "Compare it with Custom document models"


# -- in a conversation ------------------------------------------------------------------------


@pytest.fixture
def teams(real_runtime, request) -> Conversation:
    return Conversation(real_runtime.handler, Channels.ms_teams, f"teams-{request.node.name}")


async def test_teams_buttons_fit_and_a_click_routes_like_the_full_title(teams, real_runtime):
    turn = await teams.say("what is apache spark")
    titles = [e["title"] for c in turn.cards for e in card_elements(c) if "title" in e]
    assert all(len(t) <= LABEL_LIMIT for t in titles if t), titles
    assert turn.clicks["Apache Spark in Microsoft Fabric"] == SPARK
    value = {"archbot": "say", "text": turn.clicks["Apache Spark in Microsoft Fabric"]}
    clicked = await teams.send(Activity(type=ActivityTypes.message, value=value))
    typing = Conversation(real_runtime.handler, Channels.ms_teams, "teams-typed-spark")
    typed = await typing.say(SPARK)
    assert "Apache Spark in Microsoft Fabric" in clicked.shown
    assert clicked.shown == typed.shown


async def test_a_walkthrough_choice_click_answers_with_the_whole_choice(teams):
    turn = await teams.say("help me choose an architecture")
    short = "Generative AI app or chatbot"
    assert turn.clicks[short] == "Generative AI app or chatbot (retrieval, copilots)"
    value = {"archbot": "say", "text": turn.clicks[short]}
    turn = await teams.send(Activity(type=ActivityTypes.message, value=value))
    assert "What should the generative AI do?" in turn.shown  # goal=genai, as typed in full


async def test_the_terminal_lists_whole_texts(real_runtime):
    terminal = Conversation(real_runtime.handler, "terminal", "terminal-spark")
    turn = await terminal.say("what is apache spark")
    assert not cards(turn.messages[0])
    compare = f"Compare it with {SPARK}"
    assert turn.clicks[compare] == compare  # in Teams: "Compare it with Apache Spark in Fabric"
