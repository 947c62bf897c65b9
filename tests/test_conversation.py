"""Conversations with the whole bot (handler, dialog, recognizer): send this, expect that."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.hybrid import FusionModel
from bot.hosting.runtime import MEMORY_URL, build_runtime
from bot.operations.config import Settings

from .conversation import BOT, USER, Conversation
from .paths import FIXTURE_KB


@pytest.fixture
def convo(sample_kb) -> Conversation:
    settings = dataclasses.replace(Settings(), storage=MEMORY_URL, knowledge_dir=FIXTURE_KB)
    return Conversation(build_runtime(settings, sample_kb).handler)


async def test_a_question_gets_its_answer_and_one_link(convo):
    turn = await convo.say("what is promptflow")
    assert turn.shown.startswith("**Prompt flow**\n\nA visual tool")
    assert len(turn.links) == 1


async def test_the_emulator_sees_the_recognizer_result(convo):
    result = (await convo.say("Prompt flow")).trace("RecognizerResult")
    assert result["topIntent"] == "prompt-flow"
    assert 0.5 < result["intents"]["prompt-flow"]["score"] <= 1.0  # a calibrated probability
    assert result["intents"]["None"]["score"] < result["intents"]["prompt-flow"]["score"]
    assert result["outcome"] == "answer"
    assert result["text"] == "Prompt flow"


async def test_a_specific_question_gets_its_specific_answer(convo):
    turn = await convo.say("where can I find sample prompts?")
    assert turn.shown.startswith("**Prompt flow**\n\nThe library has predefined sample prompts")


async def test_unknown_questions_are_declined_honestly(convo):
    turn = await convo.say("will it rain tomorrow")
    assert turn.trace("RecognizerResult")["topIntent"] == "None"
    assert "I don't know that one" in turn.text
    assert turn.buttons == ["Prompt flow", "Azure AI Speech"]


@pytest.fixture
def unsure(sample_kb) -> Conversation:
    """A bot whose recognizer answers only when certain: every match is a close call."""
    settings = dataclasses.replace(Settings(), storage=MEMORY_URL, knowledge_dir=FIXTURE_KB)
    fusion = dataclasses.replace(FusionModel.load(), answer=0.999, suggest=0.05)
    return Conversation(build_runtime(settings, sample_kb, fusion).handler)


async def test_a_close_call_offers_buttons_that_route_back(unsure):
    convo = unsure
    turn = await convo.say("transcribe audio")
    assert turn.shown.startswith("I'm not sure which one you mean")
    assert turn.trace("RecognizerResult")["topIntent"] == "None"
    assert set(turn.buttons) == {"Azure AI Speech", "Custom Speech", "None of these"}
    assert turn.buttons[-1] == "None of these"
    assert (await convo.say("Custom Speech")).shown.startswith("**Custom Speech**")


async def test_help_says_what_it_covers_with_examples(convo):
    turn = await convo.say("what can you do?")
    assert "architecture" in turn.text
    assert turn.buttons == ["Prompt flow", "Azure AI Speech"]


async def test_a_teams_mention_is_ignored(convo):
    turn = await convo.say("<at>ArchBot</at> prompt flow")
    assert turn.shown.startswith("**Prompt flow**")


async def test_newcomers_are_welcomed_but_the_bot_itself_is_not(convo):
    turn = await convo.join(USER, BOT)
    assert len(turn.messages) == 1
    assert turn.shown.startswith("Hi! I'm ArchBot.")
    assert (await convo.join(BOT)).messages == []
