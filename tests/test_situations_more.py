"""General routing fixes (vocabulary, knowledge text in users' words, rare words that pulled
messages to the wrong topic): send this, expect that — through the whole bot on the real
knowledge base. The messages are our own wordings of each class, not evaluation messages."""

from __future__ import annotations

import pytest


def top_intent(turn) -> str:
    return turn.trace("RecognizerResult")["topIntent"]


@pytest.mark.parametrize(
    "message",
    [
        "what models can we get access to through azure openai?",
        "does azure openai give access to the o1 models",
    ],
)
async def test_access_to_models_is_not_a_customer_story(convo, message):
    # a customer story once said "widening access to healthcare": "access" pulled model
    # questions to it
    turn = await convo.say(message)
    assert not top_intent(turn).startswith("story-")
    assert "GPT-4o" in turn.text


async def test_within_is_no_evidence_for_a_story_that_says_it(convo):
    # Kry's story brings care "within reach": "within" pulled Fabric questions to it
    turn = await convo.say("how do we reach azure openai from within fabric")
    assert top_intent(turn) == "microsoft-fabric/azure-openai-from-fabric"


@pytest.mark.parametrize(
    "message",
    [
        "how do we pull the fields out of our scanned application forms",
        "pulling totals and dates out of supplier invoices automatically",
    ],
)
async def test_pulling_fields_out_of_documents_is_extraction(convo, message):
    # "pull … out of" is extraction, not a Data Factory pipeline
    turn = await convo.say(message)
    assert top_intent(turn).startswith("document-intelligence")


async def test_starting_with_deep_learning_gets_the_caution(convo):
    turn = await convo.say("should a small team start with deep learning?")
    assert top_intent(turn) == "deep-learning"
    assert "investment" in turn.text


async def test_end_to_end_is_still_found_as_one_word(convo):
    # "end to end" is one word (vocabulary), so "end" alone no longer pulls to the tutorial
    tutorial = await convo.say("is there an end-to-end walkthrough for Fabric Data Factory?")
    assert top_intent(tutorial) == "data-factory/tutorial"


async def test_one_model_id_for_several_form_variants_is_a_composed_model(convo):
    turn = await convo.say(
        "we trained a model per version of our claim form; the app should call a single model id"
    )
    assert "composed" in turn.text


@pytest.mark.parametrize(
    "message",
    [
        "regex to grab phone numbers out of log lines?",
        "a regular expression that pulls dates out of a string",
    ],
)
async def test_regular_expressions_are_declined(convo, message):
    turn = await convo.say(message)
    assert top_intent(turn) == "None"


@pytest.mark.parametrize(
    "message",
    [
        "customers send screenshots of the error they get, can a model understand them?",
        "which model can explain what is wrong in a photo of a machine?",
        "thousands of catalogue pictures have no alt text, can a model write it for us?",
    ],
)
async def test_explaining_an_image_is_gpt_4o_with_vision(convo, message):
    turn = await convo.say(message)
    assert top_intent(turn) == "gpt-models/vision"


@pytest.mark.parametrize(
    "message",
    [
        "our dictation software keeps misspelling the drug names doctors say",
        "the voice bot garbles our product names when callers say them",
        "transcription butchers the surnames of our customers",
    ],
)
async def test_recognition_that_mangles_words_is_custom_speech(convo, message):
    # misspell, garble, butcher, mishear, misrecognize: one word (vocabulary)
    turn = await convo.say(message)
    assert top_intent(turn) == "custom-speech"


@pytest.mark.parametrize(
    "message",
    [
        "managers want each incident report boiled down to a paragraph automatically",
        "we'd like an automatic recap of every long customer email in our own app",
    ],
)
async def test_summary_recap_and_boil_down_are_summarizing(convo, message):
    # summary, recap, synopsis, boil down, sum up -> summarize (vocabulary)
    turn = await convo.say(message)
    assert top_intent(turn) == "azure-openai"


async def test_asking_the_bot_to_summarise_a_file_is_still_declined(convo):
    turn = await convo.say("summarise this pdf please")
    assert top_intent(turn) == "None"
    assert "can't do that" in turn.text


@pytest.mark.parametrize(
    "message",
    [
        "we must stop our assistant from showing violent or sexual text to users",
        "how do we block harmful answers from the model in our public app?",
    ],
)
async def test_blocking_harmful_output_is_foundry_content_filters(convo, message):
    turn = await convo.say(message)
    assert top_intent(turn).startswith("ai-foundry")
    assert "content filters" in turn.text


async def test_analysts_without_coders_predicting_from_a_table_get_automl(convo):
    # the machine learning concept no longer holds situations that name a team and its data:
    # those are a service's (AutoML, Azure Machine Learning)
    turn = await convo.say(
        "three analysts, no coders, a table of past orders with a returned yes/no column; we "
        "want to predict returns"
    )
    assert top_intent(turn) == "automl"


async def test_custom_document_models_say_what_they_return(convo):
    await convo.say("every supplier sends a different invoice layout and prebuilt misses fields")
    turn = await convo.say("what does it return?")
    assert "JSON" in turn.text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("what's onelake supposed to be?", "onelake"),
        ("what's automl supposed to do for us?", "automl"),
        # "again" asks once more, about nothing ("remind me what the project part is")
        ("remind me what hyperparameters are again?", "hyperparameter-tuning/vs-parameters"),
    ],
)
async def test_words_framing_a_definition_are_no_evidence(convo, message, expected):
    turn = await convo.say(message)
    assert top_intent(turn) == expected


async def test_fine_tuning_without_managing_infra_is_foundrys_hosted_fine_tuning(convo):
    # "infra" is "infrastructure" (vocabulary); the answer says "without managing … GPUs or
    # other infrastructure" as users ask it
    turn = await convo.say(
        "in foundry can we fine-tune a model without managing any infra ourselves?"
    )
    assert top_intent(turn) == "ai-foundry/hosted-fine-tuning"
    assert "serverless" in turn.text


@pytest.mark.parametrize(
    "message",
    [
        "how do I schedule a snowpark python stored procedure?",
        "dataiku recipe keeps failing on the join step",
    ],
)
async def test_other_vendors_ml_platforms_are_declined(convo, message):
    turn = await convo.say(message)
    assert top_intent(turn) == "None"


@pytest.mark.parametrize("message", ["what is fabric good for?", "is databricks any good for ML?"])
async def test_good_for_asks_about_the_topic_not_small_talk(convo, message):
    # "good" is small talk's word ("good morning"): "good for" is what a topic is useful for
    turn = await convo.say(message)
    assert top_intent(turn).split("/")[0] in {"microsoft-fabric", "azure-databricks"}


@pytest.mark.parametrize(
    ("message", "topic"),
    [("what's custom speech in azure?", "custom-speech"), ("microsoft onelake?", "onelake")],
)
async def test_a_name_said_with_the_platform_is_still_just_the_name(convo, message, topic):
    turn = await convo.say(message)
    assert top_intent(turn) == topic


def test_nightly_is_not_good_night(real_runtime):
    reader = real_runtime.handler.knowledge.dialog.recognizer.conversation.reader
    decision = reader.route("and for the big nightly jobs?")
    assert decision.top is not None and decision.top.intent.id != "goodbye"


async def test_teams_repeating_workspace_setup_get_hubs(convo):
    turn = await convo.say(
        "each squad spins up its own ml workspace and we rebuild the network isolation every time"
    )
    assert "hub" in turn.text.lower()


async def test_where_a_custom_speech_model_can_be_used(convo):
    turn = await convo.say("in what scenarios would we use a custom speech model?")
    assert top_intent(turn) == "custom-speech/where-usable"


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("the data science team has 30 python models and deploying them is chaos", "mlops"),
        ("we must gather data from oracle, salesforce and csv drops in one place", "data-factory"),
        ("our product manuals need to go out in 15 languages", "ai-translator"),
        ("ops team wants a bot that files IT requests automatically", "copilot-studio"),
    ],
)
async def test_situations_named_by_their_pain(convo, message, topic):
    turn = await convo.say(message)
    assert top_intent(turn) == topic


async def test_reports_described_in_words_are_copilot_for_power_bi(convo):
    turn = await convo.say("our controllers want to describe a chart in words and get the visual")
    assert top_intent(turn) == "fabric-copilots/power-bi"


async def test_a_neural_net_for_a_small_table_gets_ml_versus_deep_learning(convo):
    turn = await convo.say("is a deep neural network overkill for a few thousand sales rows?")
    assert top_intent(turn) == "machine-learning-vs-deep-learning"


async def test_what_the_ai_services_family_holds_is_its_coverage(convo):
    turn = await convo.say("roughly what is in the azure ai services family?")
    assert top_intent(turn) == "azure-ai-services/coverage"


async def test_a_language_model_without_internet_is_a_small_one(convo):
    turn = await convo.say("is there a language model we could run with no internet connection?")
    assert top_intent(turn).startswith(("small-language-models", "phi-models"))


async def test_summarization_in_our_own_app_is_azure_openai_not_microsoft_copilot(convo):
    turn = await convo.say("we want ai summarization in our app")
    assert top_intent(turn).startswith("azure-openai")


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("which model for reasoning heavy math problems", "gpt-models/reasoning-models"),
        ("handwriting recognition on delivery notes", "document-intelligence"),
    ],
)
async def test_needs_told_in_a_few_words_find_their_service(convo, message, topic):
    turn = await convo.say(message)
    assert top_intent(turn) == topic


async def test_sql_written_for_analysts_inside_our_own_app_is_azure_openai(convo):
    turn = await convo.say(
        "analysts keep asking if they can just type plain english and get the sql / python "
        "written for them inside our own app. what would we use?"
    )
    assert "Azure OpenAI" in turn.text


RETRAINING = ("machine-learning/retraining", "mlops")
"""Where a model that keeps getting worse is answered: why retrain, or the practice of it."""


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # people who cannot find documents need search
        (
            "our support advisors can't find docs fast enough while customers wait on the phone",
            "ai-search",
        ),
        ("the sales advisors want a search portal over our internal research notes", "ai-search"),
        # "genai" alone once pulled this to what generative AI is
        ("how do we keep our genai app from producing harmful content?", "ai-foundry/evaluation"),
        ("building an internal chat over our confluence exports with aoai", "rag"),
        # "sliding", "slipping", "got worse" are a model degrading: retraining, not a service
        (
            "our demand model's accuracy has been sliding for months, what's the process fix?",
            RETRAINING,
        ),
        (
            "our risk model has gotten worse every quarter, how do teams keep it accurate?",
            RETRAINING,
        ),
        (
            "pricing model accuracy keeps slipping as the market shifts, what do people do?",
            RETRAINING,
        ),
        (
            "we tag a few million short support messages a day. no need for the smartest model, "
            "just cheap and fast",
            "gpt-models/mini",
        ),
        ("what's mmlspark called now? old blog post references it", "synapseml"),
        (
            "our solver has to work through multi-step logic puzzles, correctness over speed",
            "azure-openai/o1-models",
        ),
        (
            "high-volume extraction with gpt-4o mini: we need lower latency and shorter prompts, "
            "what can we do?",
            "azure-openai-fine-tuning",
        ),
        (  # no public internet anywhere in the chat app: the baseline's private endpoints
            "infosec: our gpt chat app can't touch the public internet at all, every call has to "
            "stay private",
            "ml-reference-architectures",
        ),
    ],
)
async def test_a_need_in_the_users_words_reaches_its_topic(convo, message, expected):
    turn = await convo.say(message)
    assert top_intent(turn).startswith(expected)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("how do we keep our genai app from producing harmful content?", "and after launch?"),
        (
            "can foundry monitor token usage of our deployed chat app?",
            "does it also tell us if answers are getting worse",
        ),
    ],
)
async def test_quality_that_degrades_after_launch_is_foundrys_monitoring(convo, first, then):
    await convo.say(first)
    turn = await convo.say(then)
    assert top_intent(turn) == "ai-foundry/evaluation-safety"
    assert "monitor" in turn.text


async def test_data_in_many_places_under_power_bi_is_fabric(convo):
    turn = await convo.say("data in a bunch of places, power bi over it, it's a mess")
    assert top_intent(turn) == "microsoft-fabric"


async def test_the_chatgpt_app_is_another_vendors_product(convo):
    turn = await convo.say("does the chatgpt app keep history between chats?")
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-other-vendors"
