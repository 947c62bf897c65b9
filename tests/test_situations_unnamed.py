"""Situations described without naming the service (and a few definitions that landed on a
neighbour): send this, expect that — through the whole bot on the real knowledge base. The
messages are our own wordings of each class, not evaluation messages."""

from __future__ import annotations

import pytest


def top_intent(turn) -> str:
    return turn.trace("RecognizerResult")["topIntent"]


async def test_spoken_codes_spelled_out_as_words_are_custom_speech(convo):
    turn = await convo.say(
        "callers dictate ticket references like QX-2291 and the transcript spells them out as "
        "words, we need the code format kept"
    )
    assert top_intent(turn).startswith("custom-speech")
    assert "Custom Speech" in turn.text


async def test_predicting_breakdowns_from_sensor_history_is_machine_learning(convo):
    turn = await convo.say(
        "plant sensors have logged temperatures and vibration for years next to our repair "
        "tickets; can we predict which motors will break down next?"
    )
    assert top_intent(turn) == "machine-learning"
    assert "Azure Machine Learning" in turn.text


async def test_novel_research_on_raw_signals_with_gpus_is_deep_learning(convo):
    turn = await convo.say(
        "our scientists want to invent a brand new model on raw accelerometer signals, we have "
        "GPUs and no existing service fits"
    )
    assert top_intent(turn) == "deep-learning"


async def test_content_edited_weekly_is_retrieval_not_retraining(convo):
    turn = await convo.say(
        "our handbook is edited every week and retraining a model each time is out of the "
        "question, how do we keep the bot's answers current"
    )
    assert top_intent(turn) in {"rag", "rag-vs-fine-tuning"}
    assert "retriev" in turn.text.lower()


async def test_checking_answers_before_each_release_is_foundry_evaluation(convo):
    turn = await convo.say(
        "we want to test our assistant's answers against a set of questions before each "
        "release rather than learn about problems from users"
    )
    assert top_intent(turn) == "ai-foundry/evaluation-safety"
    assert "evaluation flow" in turn.text


@pytest.mark.parametrize(
    "message",
    [
        "we want to run an open weights model and pay per call, without managing gpus",
        "serverless pay per call access to open models like llama, no infrastructure for us",
    ],
)
async def test_open_models_paid_per_call_are_serverless_apis(convo, message):
    turn = await convo.say(message)
    assert top_intent(turn) == "language-model-hosting"
    assert "serverless API" in turn.text


async def test_fine_tuning_llama_without_infrastructure_is_hosted_fine_tuning(convo):
    turn = await convo.say(
        "can we fine tune a llama model on our chat logs without running any training "
        "infrastructure?"
    )
    assert top_intent(turn) == "ai-foundry/hosted-fine-tuning"
    assert "hosted fine-tuning" in turn.text


@pytest.mark.parametrize(
    ("message", "expected", "says"),
    [
        (
            "our data engineers want an assistant for pyspark code in fabric notebooks",
            "fabric-copilots/notebooks",
            "Copilot for Data Science and Data Engineering",
        ),
        (
            "could fabric's data factory build a transformation from a description we write in "
            "english",
            "data-factory/copilot",
            "Copilot for Data Factory",
        ),
        (
            "is there a copilot that writes t-sql in a fabric warehouse",
            "fabric-copilots/data-warehouse",
            "Copilot for Data Warehouse",
        ),
        (
            "can our data scientists train models inside fabric without moving the data out",
            "microsoft-fabric/data-science",
            "Fabric Data Science",
        ),
    ],
)
async def test_fabric_help_is_the_copilot_or_workload_for_it(convo, message, expected, says):
    turn = await convo.say(message)
    assert top_intent(turn) == expected
    assert says in turn.text


async def test_a_source_behind_a_generic_driver_is_the_connectors_page(convo):
    turn = await convo.say(
        "an old on premises system only reachable through a generic odbc driver, which "
        "pipeline service connects to it?"
    )
    assert top_intent(turn) == "data-connectors"
    assert "ODBC" in turn.text


async def test_scoring_is_prediction_not_accuracy(convo):
    turn = await convo.say("in azure machine learning, is scoring the same as measuring accuracy?")
    assert top_intent(turn) == "model-scoring/scoring-meaning"
    assert "prediction" in turn.text


async def test_scoring_a_dataset_in_azure_ml_names_batch_endpoints(convo):
    turn = await convo.say("how do we score a whole dataset with a batch endpoint in azure ml")
    assert top_intent(turn).startswith(("model-scoring", "azure-machine-learning"))
    assert "batch endpoint" in turn.text.lower()


async def test_what_a_copilot_means_is_the_concept_not_the_m365_comparison(convo):
    turn = await convo.say("what is a copilot in microsoft terminology")
    assert top_intent(turn) == "copilots/meaning"
    assert "assistant" in turn.text


async def test_a_no_code_service_desk_assistant_is_copilot_studio(convo):
    turn = await convo.say(
        "the service desk wants a Teams assistant they can build without writing code"
    )
    assert top_intent(turn) == "copilot-studio"


async def test_a_chatbot_over_the_wiki_named_by_its_product_is_rag(convo):
    turn = await convo.say("we want an internal chatbot over our confluence pages")
    assert top_intent(turn) == "rag"  # Confluence is the team's wiki


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        (
            "we just want to pick the metric, like F1, and let azure try the algorithms for us",
            "automl",
        ),
        ("live captions on screen for our all-hands broadcast while people talk", "ai-speech"),
        (
            "drivers send photos of dented parcels and the app should say what's damaged",
            "gpt-models",
        ),
        (
            "short chat transcripts to summarize at huge volume, must be cheap",
            "small-language-models",
        ),
        (
            "we've got classic ml and genai projects starting, where do we build all of it?",
            "ai-foundry-vs-azure-machine-learning",
        ),
        (
            "is the gist of thousands of reviews positive or negative, no model building",
            "ai-language",
        ),
        (
            "lightweight genai on the same server as our app, no calls to a hosted api",
            "small-language-models",
        ),
    ],
)
async def test_a_need_told_in_passing_lands_on_its_service(convo, message, topic):
    turn = await convo.say(message)
    assert top_intent(turn).startswith(topic)


async def test_stream_analytics_windows_are_an_azure_service_outside_the_guide(convo):
    turn = await convo.say("sliding vs tumbling window in stream analytics for our iot feed?")
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-other-azure"


async def test_gpt_models_behind_a_saas_product_through_an_api_are_azure_openai(convo):
    turn = await convo.say(
        "we want GPT models behind our own SaaS product through an API, not some chat UI for staff"
    )
    assert turn.trace("RecognizerResult")["topIntent"] == "azure-openai"


async def test_one_governed_lake_that_comes_with_the_tenant_is_onelake(convo):
    turn = await convo.say(
        "we'd like a single governed lake for the entire company that comes with our tenant"
    )
    assert top_intent(turn) == "onelake"


async def test_showing_text_in_the_readers_language_is_translation(convo):
    turn = await convo.say("our site should show user reviews in the visitor's language")
    assert top_intent(turn) == "ai-translator"
