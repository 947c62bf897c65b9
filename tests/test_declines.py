"""Requests ArchBot cannot carry out are declined as such, in the middle of a conversation too.
Send this, expect that — through the whole bot on the real knowledge base."""

from __future__ import annotations

import pytest


async def test_a_request_to_act_after_a_question_is_declined_as_an_action(convo):
    await convo.say("how do we copy data in from our on-prem SAP system?")
    turn = await convo.say("cool, then go copy the tables for me from our SAP box")
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-actions"
    turn = await convo.say("which connectors does it have?")  # the focus is kept
    assert turn.trace("RecognizerResult")["topIntent"] != "None"


@pytest.mark.parametrize(
    "message",
    [
        "classify the sentiment of these two reviews for me: 'love it', 'never again'",
        "draw me an architecture diagram of our support bot",
    ],
)
async def test_a_request_to_do_the_work_is_declined_as_an_action(convo, message):
    turn = await convo.say(message)
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-actions"


async def test_quoted_words_to_work_on_are_an_action_even_mid_conversation(convo):
    await convo.say("can I train a translation model on our own terminology?")
    turn = await convo.say("translate 'the build is broken again' into german")
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-actions"
    turn = await convo.say("which languages does it cover?")  # the focus is kept
    assert "Custom Translator" in turn.text
