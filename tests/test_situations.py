"""Situations described without naming a service land on the service that answers them. Send
this, expect that — through the whole bot on the real knowledge base."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "message",
    [
        "how do we keep our assistant from saying offensive things",
        "the bot for our school pupils must never answer with anything toxic or inappropriate",
    ],
)
async def test_unsafe_output_lands_on_foundry_filters(convo, message):
    turn = await convo.say(message)
    assert turn.trace("RecognizerResult")["topIntent"].startswith("ai-foundry")
    assert "filters" in turn.text


@pytest.mark.parametrize(
    "message",
    [
        "our product data sits in Cosmos DB, can an LLM answer questions grounded on it?",
        "we host our GPT chat app on App Service and need private endpoints everywhere; is there a "
        "proven architecture?",
    ],
)
async def test_an_azure_service_named_as_the_setting_does_not_decline_the_question(convo, message):
    turn = await convo.say(message)
    assert turn.trace("RecognizerResult")["topIntent"] != "None"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("generate listing text for our catalogue from the product attributes", "Azure OpenAI"),
        ("the transcript spells out serial numbers instead of writing the digits", "Custom Speech"),
        ("rescore our whole customer base every night with the trained model", "batch"),
    ],
)
async def test_everyday_needs_land_on_their_service(convo, message, expected):
    turn = await convo.say(message)
    assert expected in turn.text


async def test_a_guess_whose_rivals_are_its_own_relatives_is_answered(convo):
    # Custom Speech, a little unsure, with only Azure AI Speech (its relative) beside it: the
    # answer, not "did you mean"
    turn = await convo.say("the child should never see a bad word in the transcript")
    assert turn.trace("RecognizerResult")["topIntent"] == "custom-speech"
    assert "Did you mean" not in turn.text


@pytest.mark.parametrize(
    "message",
    [
        "we need a staff helpdesk bot, low code, answering from our policy pdfs",
        "we're a databricks shop, what do we get there for ml?",
    ],
)
async def test_a_short_clause_left_out_never_turns_the_question_to_another_subject(convo, message):
    # "low code" alone is Fabric Data Factory's; "what do we get for ml" alone is ML in general
    turn = await convo.say(message)
    topic = turn.trace("RecognizerResult")["topIntent"].split("/")[0]
    assert topic in {"copilot-studio", "rag", "azure-databricks"}


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("any recommended pattern for a q&a bot over our manuals?", "rag"),  # question answering
        ("do you have a story from a carmaker?", "story-volkswagen"),  # a car maker
    ],
)
async def test_a_word_written_another_way_reads_as_the_vocabulary_word(convo, message, topic):
    turn = await convo.say(message)
    assert turn.trace("RecognizerResult")["topIntent"] == topic


async def test_release_notes_to_generate_are_content_not_a_changelog_to_look_up(convo):
    turn = await convo.say(
        "marketing wants generated first drafts of release notes and launch blog posts"
    )
    assert turn.trace("RecognizerResult")["topIntent"] == "azure-openai"
    turn = await convo.say("what do the latest release notes for prompt flow say?")
    assert turn.trace("RecognizerResult")["topIntent"] == "None"  # versions change: declined
