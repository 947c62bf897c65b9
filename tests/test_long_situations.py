"""A situation told in several sentences: the sentence that carries it is answered when the
message as a whole is not, unless another sentence is off-topic. Send this, expect that, through
the whole bot on the real knowledge base (our own wordings, not evaluation messages)."""

from __future__ import annotations


def top_intent(turn) -> str:
    return turn.trace("RecognizerResult")["topIntent"]


async def test_the_sentence_telling_the_situation_is_answered(convo):
    turn = await convo.say(
        "morning all. our clinic hotline transcripts keep mangling drug names (lisinopril came "
        "out as 'lice in a pearl' lol). ordinary words are fine and the budget is tight. what "
        "do we use to fix that?"
    )
    assert top_intent(turn) == "custom-speech"
    assert "Custom Speech" in turn.text


async def test_an_off_topic_sentence_keeps_the_message_declined(convo):
    turn = await convo.say(
        "we're relocating the whole team next month. can you help plan the move and the desks?"
    )
    assert top_intent(turn) == "None"


async def test_version_numbers_are_not_sentence_breaks(convo):
    turn = await convo.say(
        "CUDA out of memory: tried to allocate 2.50 GiB while fine-tuning llama 13b with batch "
        "size 8 on one A10 card. what flags fix this?"
    )
    assert top_intent(turn) == "None"
