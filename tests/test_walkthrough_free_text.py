"""Free text in the walkthrough, as a user meets it: a paragraph answers every question it covers,
the bot reads back what it understood, corrections replace an answer, and an answer it cannot read
gets the options again without the same sentence twice. The whole bot on botbuilder's TestAdapter.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import Settings
from bot.core.kb import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.runtime import MEMORY_URL, build_runtime
from dialogs.walkthrough_dialog import LEAVE_LABEL, MISSED, SKIP_LABEL, TRACE_NAME

from .conversation import Conversation, Turn, shown
from .paths import REPO_ROOT

RECOMMENDATION = "**My recommendation:"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(REPO_ROOT / "knowledge")


@pytest.fixture(scope="module")
def runtime(kb):
    settings = dataclasses.replace(Settings(), storage=MEMORY_URL)
    return build_runtime(settings, kb)


@pytest.fixture
def convo(runtime, request) -> Conversation:
    return Conversation(runtime.handler, conversation=f"free-{request.node.name}")


def question_of(turn: Turn) -> str:
    """The question the turn ends with (its last bold paragraph)."""
    return [p for p in shown(turn.messages[-1]).split("\n\n") if p.startswith("**")][-1]


def answers_of(turn: Turn) -> dict[str, str]:
    return {a["question"]: a["answer"] for a in turn.trace(TRACE_NAME)["answers"]}


async def test_a_paragraph_answers_every_question_it_covers_and_says_what_it_read(convo):
    await convo.say("start the walkthrough")
    turn = await convo.say(
        "We're four web developers at a travel agency. Every day hundreds of guest reviews come "
        "in and we'd like each one tagged with sentiment and its key phrases. Nobody here is a "
        "data scientist, we just want to call an API."
    )
    assert "I read: analyze documents, speech, text or images; text analytics — right?" in (
        turn.shown
    )
    assert RECOMMENDATION in turn.text  # nothing left to ask: text analytics is decided
    assert "Azure AI Language" in turn.text
    assert answers_of(turn) == {"goal": "ai-services", "ai-kind": "text"}


async def test_what_a_paragraph_answers_is_not_asked_again(convo):
    await convo.say("help me pick an architecture")
    turn = await convo.say(
        "Our claims department scans paper forms every day and wants the policy number and "
        "amounts pulled out into our system."
    )
    assert "I read: analyze documents, speech, text or images; documents and forms" in turn.shown
    assert (
        question_of(turn)
        == "**Is your content standard, or full of your own formats and terminology?**"
    )
    turn = await convo.say("Standard content, prebuilt models are fine")
    assert "Azure AI Document Intelligence prebuilt models" in turn.text
    asked = {a["question"] for a in turn.trace(TRACE_NAME)["answers"]}
    assert asked == {"goal", "ai-kind", "customization"}


async def test_the_opener_is_read_the_same_way(convo):
    turn = await convo.say(
        "help me pick an architecture: we want to forecast demand from our sales tables "
        "and nobody on the team writes code"
    )
    assert "I read: machine learning to predict or classify; tables; makers and analysts" in (
        turn.shown
    )
    assert "Azure Machine Learning with AutoML" in turn.text


async def test_a_correction_replaces_the_answer_it_names(convo):
    await convo.say("start the walkthrough")
    turn = await convo.say(
        "we're building a chatbot that answers from our company documents, and we have no data "
        "scientists"
    )
    assert "makers and analysts" in turn.shown
    assert question_of(turn) == "**Which data platform are you on, or moving to?**"
    turn = await convo.say("no, we do have data scientists")
    assert "changed: **data scientists** (not makers and analysts)" in turn.shown
    assert question_of(turn) == "**Which data platform are you on, or moving to?**"
    turn = await convo.say("Azure Storage accounts (Blob, ADLS)")
    turn = await convo.say("Nothing special")
    assert answers_of(turn)["builder"] == "data-scientists"


async def test_said_before_its_question_applies_is_kept_for_later(convo):
    await convo.say("start the walkthrough")
    turn = await convo.say("by the way, the people building it are data scientists")
    assert "Noted for later: data scientists." in turn.shown
    assert question_of(turn) == "**What are you building?**"
    turn = await convo.say("Machine learning to predict or classify (train custom models)")
    turn = await convo.say("Tables (predict a number or a category)")
    assert RECOMMENDATION in turn.text  # "who builds it" was not asked again
    assert answers_of(turn)["builder"] == "data-scientists"


async def test_yes_confirms_the_read_back_and_no_asks_what_is_wrong(convo):
    await convo.say("start the walkthrough")
    await convo.say("we have hours of call recordings that need transcribing")
    turn = await convo.say("yes")
    assert turn.shown.startswith("Good.")
    await convo.say("start over")
    await convo.say("we need to translate our manuals into German and Japanese")
    turn = await convo.say("no")
    assert "Which part did I get wrong?" in turn.shown


async def test_an_unreadable_answer_gets_the_options_again_with_a_way_out(convo):
    await convo.say("start the walkthrough")
    first = await convo.say("banana bread")
    assert MISSED[0] in first.shown
    assert LEAVE_LABEL in first.buttons
    assert SKIP_LABEL not in first.buttons  # the goal has no default to skip to
    second = await convo.say("more banana bread")
    assert MISSED[0] not in second.shown  # never the same sentence twice in a row
    assert MISSED[1] in second.shown
    third = await convo.say("even more banana bread")
    assert MISSED[0] in third.shown
    assert question_of(third) == "**What are you building?**"
    left = await convo.say(LEAVE_LABEL)
    assert "stopped the walkthrough" in left.shown


async def test_a_second_unreadable_answer_takes_the_questions_default(convo):
    await convo.say("help me pick an architecture")
    await convo.say("Analyze documents, speech, text or images")
    await convo.say("Documents and forms (invoices, receipts, scanned PDFs)")
    first = await convo.say("purple")
    assert MISSED[0] in first.shown
    assert SKIP_LABEL in first.buttons and LEAVE_LABEL in first.buttons
    second = await convo.say("purple again")
    assert MISSED[0] not in second.shown
    assert "so I'll assume **Standard content, prebuilt models are fine**" in second.shown
    assert RECOMMENDATION in second.text


async def test_questions_asked_mid_walkthrough_are_still_answered(convo):
    await convo.say("start the walkthrough")
    turn = await convo.say("what is RAG?")
    assert "Retrieval Augmented Generation" in turn.text
    assert question_of(turn) == "**What are you building?**"
