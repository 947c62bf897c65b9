"""Asking what a named thing is, in the words people use: "X — what's its purpose?", "X, what
does it mean?". The words around the name ask for a definition; they are not evidence for
another topic. Send this, expect that — through the whole bot on the real knowledge base."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("onelake — what's its purpose?", "onelake"),
        ("synapseml, what does it mean?", "synapseml"),
        ("what problem does automl solve", "automl"),
        ("onelake in one line please", "onelake"),
        ("prompt flow, in a sentence or two?", "prompt-flow"),
        ("explain mlops in plain words", "mlops"),
        ("what is mlflow, real quick?", "mlflow"),
        ("from a high level, what is onelake?", "onelake"),
        ("what is onelake, sorry if this is a dumb question", "onelake"),
        ("what is azure ai foundry in one para", "ai-foundry"),
        ("what is a parameter in ml terms", "model-parameters"),
        # what the asker tells of themselves is no part of the question
        ("whats phi exactly, heard it mentioned in standup", "phi-models"),
        # nor is a preface before the question
        ("dumb q but what's feature engineering", "feature-engineering"),
        ("sorry noob q but what is a hyperparameter", "hyperparameter-tuning"),
        # the whole name and filler: the topic itself, not one of its questions
        ("wait what even is prompt flow", "prompt-flow"),
        ("can someone tl;dr AutoML for me", "automl"),
        ("wait what is automl exactly, is it just a fancy wizard?", "automl"),
        ("wait what is OneLake", "onelake"),
        ("what is RAG exactly? keeps coming up in design reviews", "rag"),
        # a part of a name, what is in something, or a question after the name: as asked
        ("what's in a prompt exactly, in prompt flow terms", "prompt-flow/prompt-parts"),
        ("what's actually in fabric, like which workloads/services", "microsoft-fabric/workloads"),
        ("what's synapseml? is it part of synapse analytics?", "synapseml/vs-azure-synapse"),
        ("what's the mlflow.pyfunc signature inference error about", "None"),
    ],
)
async def test_what_a_definition_asks_is_answered(convo, message, intent):
    turn = await convo.say(message)
    assert turn.trace("RecognizerResult")["topIntent"] == intent


async def test_phi_is_defined_by_its_kind(convo):
    turn = await convo.say("what is phi-3")
    assert "small language models (SLMs)" in turn.text


async def test_a_clause_saying_what_a_name_means_is_part_of_the_question(convo):
    turn = await convo.say("what is phi, the golden ratio?")  # not Phi-3: declined
    assert turn.trace("RecognizerResult")["topIntent"] == "None"


async def test_an_apology_alone_is_answered_kindly(convo):
    turn = await convo.say("sorry to bother you")
    assert "no question is too basic" in turn.text


async def test_customizable_is_not_customer(convo):
    # "customer" and "customizable" share a stem; the vocabulary keeps them apart
    turn = await convo.say("which customizable features are there in azure ai services?")
    assert "Custom Speech" in turn.text
    assert "Customer story" not in turn.text


@pytest.mark.parametrize("message", ["ok that makes it clear", "that clears it up, ta"])
async def test_thanks_in_other_words_is_small_talk(convo, message):
    turn = await convo.say(message)
    assert turn.trace("RecognizerResult")["topIntent"] == "thanks"


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("what's gen ai according to the arch guide", "generative-ai"),
        ("what r language models in the guide's terms", "language-models"),
        ("walk me through the training phase as the guide describes it", "model-training"),
    ],
)
async def test_a_question_quoting_the_guide_is_asked_of_its_subject(convo, message, topic):
    turn = await convo.say(message)
    assert turn.trace("RecognizerResult")["topIntent"] == topic


async def test_what_a_quoted_term_means_is_that_terms_topic(convo):
    turn = await convo.say("what do people mean when they say they're 'scoring' a model")
    assert "prediction" in turn.text
    assert turn.trace("RecognizerResult")["topIntent"].startswith("model-scoring")


async def test_what_a_quoted_term_means_mid_conversation_is_that_term_not_the_focus(convo):
    await convo.say("we want to categorize loan applications as high/low risk using history")
    turn = await convo.say("what does 'scoring' mean here")
    assert turn.trace("RecognizerResult")["topIntent"].startswith("model-scoring")


async def test_a_quoted_word_beginning_a_name_asks_what_the_whole_name_means(convo):
    turn = await convo.say("whats the definition of a 'small' language model, where's the cutoff")
    assert turn.trace("RecognizerResult")["topIntent"] == "small-language-models"
    assert "10 billion" in turn.text


async def test_a_quoted_word_in_a_question_of_size_asks_no_meaning(convo):
    await convo.say("which sizes does phi-3 come in?")
    turn = await convo.say("is the medium one even still 'small' by your definition?")
    assert "10 billion" in turn.text


async def test_a_question_asking_which_or_how_is_not_answered_yes_or_no(convo):
    turn = await convo.say("how do i point my mlflow code at an azure ml workspace")
    assert "MLflow" in turn.text
    assert "Yes." not in turn.text  # the answer's "Yes." is for "can we …?"
    turn = await convo.say("can existing mlflow code log to an azure ml workspace?")
    assert "Yes" in turn.text


def test_only_a_yes_or_no_opening_is_left_out_and_names_keep_their_case():
    from bot.core.replies import Reply, as_asked

    def reply(answer: str) -> Reply:
        return Reply(f"{answer}\n\nMore on X", summary=answer)

    assert as_asked(reply("Yes, it's costly."), "how costly is it?").summary == "It's costly."
    assert as_asked(reply("Yes: o1-mini is."), "which ones?").summary == "o1-mini is."
    assert as_asked(reply("Yes and no: it depends."), "what?").summary.startswith("Yes and")
    assert as_asked(reply("No. Any store works."), "is it vector only?").summary.startswith("No.")
    assert as_asked(reply("No. Any store works."), "what store?").text.startswith("Any store")
    assert as_asked(reply("Yes. Foundry."), "an open model, not gpt. where?").summary == "Foundry."
    assert as_asked(reply("Yes. Foundry."), "somewhere to fine-tune?").summary == "Yes. Foundry."


async def test_a_subject_before_the_question_is_no_preface(convo):
    turn = await convo.say("rlhf vs dpo - what's the actual difference in the training objective?")
    assert turn.trace("RecognizerResult")["topIntent"] == "None"
