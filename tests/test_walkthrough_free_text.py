"""Free text in the walkthrough, as a user meets it: a paragraph answers every question it covers,
the bot reads back what it understood, corrections replace an answer, and an answer it cannot read
gets the options again without the same sentence twice. The whole bot on botbuilder's TestAdapter.
"""

from __future__ import annotations

import pytest

from dialogs.walkthrough_dialog import ASIDE, LEAVE_LABEL, MISSED, SKIP_LABEL, TRACE_NAME

from .conversation import Conversation, Turn, shown

RECOMMENDATION = "**My recommendation:"


@pytest.fixture
def convo(real_runtime, request) -> Conversation:
    return Conversation(real_runtime.handler, conversation=f"free-{request.node.name}")


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


@pytest.mark.parametrize(
    ("paragraph", "read"),
    [
        (
            "Our insurer keeps years of chat logs with customers. Compliance wants personal data "
            "redacted and analysts want named entities like policy numbers found.",
            "text analytics",
        ),
        (
            "We log telemetry from pumps, a few petabytes soon, and want to store everything as is "
            "in hierarchical folders with cold tiers before anyone models it.",
            "data pipelines",
        ),
        (  # one product team describing itself is no hub shared by many teams
            "We're a product team of web developers with no data scientists. Customers send us "
            "long emails and we want the key points summarized for agents.",
            "generative ai",
        ),
        (
            "finance analysts who know power bi but don't code. data is tabular, already in "
            "fabric. they want to create reports and visualizations by describing what they want.",
            "let people ask our data questions in plain english",
        ),
        (
            "two data engineers plus analysts who prefer low code. data sits across oracle, sql "
            "server and a real-time stream. the job is ingesting, cleaning and transforming it so "
            "the ML team can train on it",
            "data pipelines",
        ),
        (  # the data science team that trains later is who the pipelines are for
            "Analytics engineers who prefer low-code tools. Data comes from dozens of databases "
            "and SaaS apps. We need to ingest, clean and transform it on schedules before the "
            "data science team trains models.",
            "data pipelines",
        ),
        (  # a pair of languages is translation; "an api call" is no phone call
            "marketing site, ~500 pages, english to spanish, french, german. nothing domain "
            "specific. web devs only, want an api call.",
            "translation between languages",
        ),
        (  # what is translated (reviews) is no text analytics
            "mobile app, 3 devs, translate user reviews into english. no special terminology, "
            "we just want an api",
            "translation between languages",
        ),
        (  # hosted beside the app, explainable: a small model
            "bank, strict data policy. devs want the model hosted on the same compute as the app. "
            "short text classification and summaries. compliance cares about explainability.",
            "a small language model",
        ),
        (  # no connectivity and modest hardware: a small model, whatever else it answers from
            "Field service company. Technicians use rugged tablets on rigs with no connectivity. "
            "Want a small text assistant that answers from equipment manuals. 3 devs. Hardware is "
            "modest, no big GPUs.",
            "a small language model",
        ),
        (
            "retail kiosks w/ a small local box each, flaky wifi. want a chat assistant that runs "
            "on the box itself, short product Q&A only. 2 devs.",
            "a small language model",
        ),
    ],
)
async def test_a_paragraph_in_the_domains_words_is_read_as_its_kind(convo, paragraph, read):
    await convo.say("help me pick an architecture")
    turn = await convo.say(paragraph)
    assert read in turn.shown.lower()  # "I read: …" or "Got it: …"


async def test_a_need_for_later_does_not_weigh_as_much_as_the_need_now(convo):
    await convo.say("help me pick an architecture")
    turn = await convo.say(
        "Mid-size retailer, heavy Power BI users. Data sits in several SQL databases plus a lot "
        "of Excel. Small data team (3 people). We want a lakehouse, ingestion with little code, "
        "reporting, and later some data science, ideally all in one place."
    )
    assert "data pipelines" in turn.shown.lower()
    assert "machine learning to predict" not in turn.shown.lower()  # no "which one is closer?"


async def test_a_short_answer_to_a_later_question_is_kept_not_a_miss(convo):
    await convo.say("help me choose an architecture")
    await convo.say("a chatbot")
    turn = await convo.say("answer questions from our policy docs")
    assert question_of(turn) == "**Which data platform are you on, or moving to?**"
    turn = await convo.say("we're mostly .net devs")  # who builds it, said early
    assert "didn't catch" not in turn.text
    assert "developers who write code" in turn.text  # read back
    turn = await convo.say("not decided yet")
    assert "Who will build and run it?" not in turn.text  # not asked again


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
    assert asked == {"goal", "ai-kind", "ai-output", "customization"}  # forms: what's in them


async def test_the_opener_is_read_the_same_way(convo):
    turn = await convo.say(
        "help me pick an architecture: we want to forecast demand from our sales tables "
        "and nobody on the team writes code"
    )
    assert "I read: machine learning to predict or classify; tables; makers and analysts" in (
        turn.shown
    )
    assert "Azure Machine Learning with AutoML" in turn.text


async def test_deep_learning_on_spark_clusters_is_trained_where_the_data_lives(convo):
    await convo.say("need a rec for distributed deep learning")
    turn = await convo.say(
        "we're a research-y data science team training image models on ~30 million satellite "
        "tiles. we want spark clusters with tensorflow, pytorch, keras and horovod ready to go "
        "for distributed training, without managing library installs ourselves. the data is "
        "already in a data lake."
    )
    while RECOMMENDATION not in turn.shown:  # the remaining questions: the first choice
        turn = await convo.say(turn.clicks[turn.buttons[0]])
    assert "Databricks" in turn.text  # not Azure Machine Learning on GPU clusters


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


async def test_a_short_description_that_answers_other_questions_is_told_so(convo):
    await convo.say("start the walkthrough")
    turn = await convo.say("devs only. ~50k survey answers, free text. prebuilt api pls")
    assert MISSED[2] in turn.shown  # it names a builder and customization, not what is built
    assert MISSED[0] not in turn.shown
    assert question_of(turn) == "**What are you building?**"


async def test_a_second_unreadable_answer_takes_the_questions_default(convo):
    await convo.say("help me pick an architecture")
    await convo.say("Analyze documents, speech, text or images")
    await convo.say("Documents and forms (invoices, receipts, scanned PDFs)")
    await convo.say("Pull out what's in it (fields, text, transcripts, captions, tags)")
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


async def test_a_request_declined_mid_walkthrough_is_declined_and_the_walkthrough_kept(convo):
    await convo.say("help me choose an architecture")
    await convo.say("Machine learning")
    turn = await convo.say("can you book a meeting room for 3pm tmrw")
    assert "I can't do that" in turn.shown  # the decline given outside the walkthrough
    assert MISSED[0] not in turn.shown
    assert turn.trace("RecognizerResult")["topIntent"] == "None"
    assert ASIDE.format(ask="What will the model learn from?") in shown(turn.messages[-1])
    assert not turn.messages[-1].attachments  # a reminder: the options are on the question above
    answered = await convo.say("tables")
    assert "Tables (predict a number or a category)" in answered.shown


async def test_a_question_declined_mid_walkthrough_is_declined_not_missed(convo):
    await convo.say("help me choose an architecture")
    turn = await convo.say("what's the capital of chile?")
    assert MISSED[0] not in turn.shown  # not "didn't catch that": a question it cannot answer
    assert turn.trace("RecognizerResult")["topIntent"] == "None"
    assert ASIDE.format(ask="What are you building?") in shown(turn.messages[-1])


async def test_a_question_mid_walkthrough_is_read_in_the_conversations_focus(convo):
    await convo.say("what is azure machine learning?")
    await convo.say("help me choose an architecture")
    await convo.say("Machine learning")
    turn = await convo.say("so what data do i need before starting")
    assert "Model training and validation" in turn.shown
    assert question_of(turn) == "**What will the model learn from?**"  # not taken as an answer
    assert MISSED[0] not in turn.shown


async def test_a_question_the_recognizer_can_only_guess_at_gets_its_guesses(convo):
    await convo.say("help me choose an architecture")
    await convo.say("Machine learning")
    turn = await convo.say("what data should we collect first")
    assert "Did you mean one of these?" in turn.shown
    assert question_of(turn) == "**What will the model learn from?**"
    assert MISSED[0] not in turn.shown


async def test_a_paragraph_is_read_as_a_description_never_declined(convo):
    await convo.say("help me choose an architecture")
    await convo.say("Machine learning")
    # alone, the recognizer declines it as a request about ArchBot's own instructions
    turn = await convo.say(
        "We're a small team building an internal assistant for HR; it must never reveal its "
        "system prompt or instructions to users, and admins change its rules per department"
    )
    assert "I can't change my rules" not in turn.shown
    assert MISSED[2] in turn.shown  # a description that doesn't tell this question's answer


# -- after the recommendation ---------------------------------------------------------------------


async def finish_automl(convo: Conversation) -> Turn:
    await convo.say("start the walkthrough")
    turn = await convo.say(
        "We're three analysts with two years of customer records in a table and want to predict "
        "churn; none of us is a data scientist"
    )
    assert "Azure Machine Learning with AutoML" in turn.text
    return turn


async def test_why_not_explains_which_answer_ruled_a_service_out(convo):
    await finish_automl(convo)
    turn = await convo.say("why not Databricks?")
    assert turn.shown.startswith("I'd recommend **")
    assert "if your training data is big data that lives on Spark" in turn.shown
    assert "You told me you're predicting from tabular data" in turn.shown
    turn = await convo.say("What if: Big data on Spark (distributed training)?")  # its button
    assert "With **big data on Spark** instead of tables, I'd recommend" in turn.shown


async def test_why_not_a_service_that_is_recommended_or_that_no_rule_recommends(convo):
    await finish_automl(convo)
    turn = await convo.say("why not AutoML?")
    assert "**Automated machine learning (AutoML)** is part of my recommendation" in turn.shown
    turn = await convo.say("why didn't you recommend MLflow?")
    assert "MLflow" in turn.shown
    assert "the people building it prefer low-code or no-code tools" in turn.shown


async def test_what_if_changes_one_answer_and_shows_what_changed(convo):
    await finish_automl(convo)
    turn = await convo.say("what if we had a data science team?")
    assert "With **data scientists** instead of makers and analysts, I'd recommend" in turn.shown
    assert "it drops Automated machine learning (AutoML)" in turn.shown
    assert "**My recommendation: Azure Machine Learning with custom training" in turn.text
    answers = answers_of(turn)
    assert answers == {"goal": "ml", "ml-kind": "tabular", "builder": "data-scientists"}
    # the next what-if starts from there, on a later turn
    turn = await convo.say("and if the data were images?")
    assert "**My recommendation: Azure Machine Learning on GPU clusters" in turn.text
    assert answers_of(turn)["ml-kind"] == "deep"


async def test_what_if_that_changes_nothing_says_so(convo):
    await finish_automl(convo)
    turn = await convo.say("what if our data was in Fabric?")
    assert "That wouldn't change my recommendation" in turn.shown
    assert RECOMMENDATION not in turn.text
    turn = await convo.say("what if the team were makers and analysts?")
    assert "That's what you told me already" in turn.shown


async def test_what_if_during_the_walkthrough_answers_the_question(convo):
    await convo.say("help me pick an architecture")
    await convo.say("Machine learning to predict or classify (train custom models)")
    turn = await convo.say("Tables (predict a number or a category)")
    assert question_of(turn) == "**Who will build and run it?**"
    turn = await convo.say("what if we had a data science team?")
    assert "**My recommendation: Azure Machine Learning with custom training" in turn.text


async def test_why_not_and_what_if_without_a_walkthrough_are_ordinary_questions(convo):
    turn = await convo.say("why not Databricks?")
    assert "I'd recommend" not in turn.shown
    assert "Databricks" in turn.shown


async def test_a_paragraph_that_ends_in_a_question_is_read_as_an_answer(convo):
    await convo.say("start the walkthrough")
    turn = await convo.say(
        "Our support line records every call and the transcripts keep mangling our product "
        "names and the medical terms the agents use. Which service should we use?"
    )
    assert "I read: analyze documents, speech, text or images; speech and audio" in turn.shown
    assert "Back to the walkthrough" not in turn.shown


async def test_a_correction_after_the_recommendation_replaces_that_answer(convo):
    await finish_automl(convo)  # the read-back line came with the memo
    turn = await convo.say("no, we do have data scientists")
    assert "With **data scientists** instead of makers and analysts" in turn.shown
    assert answers_of(turn)["builder"] == "data-scientists"


async def test_no_i_meant_is_left_to_the_knowledge_base(convo):
    await finish_automl(convo)
    turn = await convo.say("no, I meant the translation one")
    assert "instead of" not in turn.shown
    assert "Translator" in turn.shown


# -- descriptions that lead to the right design ---------------------------------------------------


async def described(convo: Conversation, opener: str, paragraph: str, *clicks: str) -> Turn:
    """The opener, then the paragraph typed as the first answer, then buttons clicked in turn;
    the turn with the recommendation."""
    turn = await convo.say(opener)
    for text in (paragraph, *clicks):
        if RECOMMENDATION in turn.text:
            break
        turn = await convo.say(text)
    assert RECOMMENDATION in turn.text, turn.shown
    return turn


async def test_spark_clusters_kept_for_machine_learning_lead_to_synapseml(convo):
    turn = await described(
        convo,
        "we run Spark on HDInsight and are staying there. sensible way to add ML to it?",
        "Our telemetry pipelines run on Apache Spark clusters in Azure HDInsight. We want to add "
        "anomaly detection and some deep learning into those same Spark jobs, without migrating.",
        "Developers who write code",
    )
    assert "Spark machine learning on your HDInsight clusters, with SynapseML" in turn.text
    assert answers_of(turn)["ml-kind"] == "spark-ml"


async def test_photos_to_be_described_in_writing_lead_to_gpt_4o_image_understanding(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We need reports written from photos of damaged goods. Staff upload two or three photos "
        "per item and we want a paragraph describing the damage for the case file. We have no "
        "labeled images and no ML people, just web developers.",
        "Images and video",
    )
    assert "GPT-4o in Azure OpenAI to understand the images and write the text" in turn.text
    assert answers_of(turn)["ai-output"] == "generate"


async def test_photos_to_be_tagged_still_lead_to_azure_ai_vision(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We have thousands of product photos and want tags and detected objects for each one.",
        "Standard content, prebuilt models are fine",
    )
    assert "**My recommendation: Azure AI Vision**" in turn.text


async def test_meeting_transcripts_to_minutes_lead_to_speech_and_azure_openai(convo):
    turn = await described(
        convo,
        "help me pick an architecture for auto-minutes of our board meetings",
        "Board meetings are recorded; we want structured minutes with decisions and action items "
        "plus a short summary for absent members. Three .NET developers, no ML people.",
    )
    assert "Azure AI Speech to transcribe, Azure OpenAI to write the summaries" in turn.text


async def test_contracts_to_be_summarized_lead_to_azure_openai_not_extraction(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Our legal team gets long supplier contracts as PDFs. Two developers help them. We want a "
        "plain language summary of each contract written automatically, no model training.",
    )
    assert "new text written from it" in turn.shown  # read back: a summary is new text
    assert "Azure OpenAI to write the summaries from your documents" in turn.text


async def test_live_captions_with_jargon_lead_to_custom_speech(convo):
    turn = await described(
        convo,
        "We run conferences and want live translated captions on screen. how'd you architect it?",
        "Talks are in English. Captions should show in five languages within seconds. Speakers "
        "use a lot of industry jargon and acronyms. Two developers will integrate the SDK.",
        "Speech and audio (transcription, voice)",
    )
    assert "Custom Speech" in turn.text


async def test_questions_answered_from_contracts_with_citations_lead_to_rag(convo):
    turn = await described(
        convo,
        "I need an architecture for letting our lawyers ask questions across 40k contracts.",
        "The contracts are PDFs in SharePoint. Lawyers want an answer that cites the clause and "
        "the document. We have three .NET developers and no data scientists.",
        "Developers who write code",
        "Private or regulated data",
    )
    assert "RAG on Azure OpenAI with Azure AI Search" in turn.text


async def test_teaching_microsoft_365_copilot_a_system_leads_to_copilot_studio(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "About 2,000 employees on Microsoft 365 with Copilot licenses. Our ticketing tool has a "
        "REST API, and people want to ask Copilot about their laptop request. We have a small "
        "Power Platform team.",
        "Makers and analysts (low-code, no-code)",
    )
    assert "Build the copilot in Microsoft Copilot Studio" in turn.text
    assert answers_of(turn)["genai-kind"] == "copilot"  # "small team" is no small model


async def test_code_written_from_plain_english_leads_to_azure_openai(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Finance staff describe what they need in plain English and get a SQL query or a short "
        "Python snippet back, which a developer reviews. Four .NET developers, and we want hosted "
        "GPT models rather than training our own.",
        "Developers who write code",
        "Nothing special",
    )
    assert "Azure OpenAI" in turn.text
    assert answers_of(turn)["goal"] == "genai"


async def test_ai_help_for_report_builders_on_fabric_leads_to_the_copilots_in_fabric(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We're a BI team on Microsoft Fabric and Power BI. Report builders want help creating "
        "visuals and writing measures, and our data engineers want AI help in notebooks. We'd "
        "prefer prebuilt assistants that come with the platform over building our own.",
    )
    assert "**My recommendation: Copilots in Fabric and Power BI**" in turn.text


@pytest.mark.parametrize(
    ("opener", "profile", "shown", "answered"),
    [
        (  # self-service BI with reports drafted from prompts is questions over data
            "which platform would you recommend for self-service BI with some genai sprinkled on "
            "top?",
            "bi team of 4, power bi everywhere, data scattered in sql dbs and excel. want reports "
            "drafted from prompts and a single lakehouse",
            "Microsoft Fabric",
            {"goal": "data-qa"},
        ),
        (  # calls already transcribed are text to analyze
            "which service for sentiment on customer calls?",
            "sorry, the calls are already transcribed — it's just text now",
            "Azure AI Language",
            {"ai-kind": "text"},
        ),
        (  # meetings in plain English are speech, not questions over data
            "hey, we need to pick something for meeting transcripts, where do we start?",
            "small internal tools team, 2 devs. recorded teams meetings in plain english, general "
            "business vocabulary. just need text out, no training anything, via an api.",
            "**My recommendation: Azure AI Speech**",
            {"customization": "prebuilt"},
        ),
        (  # a relative clause closing a description is no question ("…, which has a few
            # developers behind it")
            "trying to figure out the right translation setup for our docs, can you help me "
            "decide?",
            "We're a machinery manufacturer. Our tech writers produce manuals in English and we "
            "localize into 25 languages. Generic MT keeps getting our part names and engineering "
            "terms wrong. We have 10+ years of translation memory and a terminology glossary. "
            "Integration is via our CMS, which has a few developers behind it.",
            "**My recommendation: Custom Translator on Azure AI Translator**",
            {"customization": "custom"},
        ),
        (  # recordings kept in blob storage are audio to transcribe, not a data lake to build
            "what's the right azure setup to get text out of our recorded webinars?",
            "a couple of devs, plain english, the recordings are wav files in blob storage, "
            "nothing live, stock models are fine",
            "this points to **Azure AI Speech**",
            {},
        ),
        (  # a lightweight model on the same box, with patchy internet, is a small model
            "advice please: which model family for genai on our warehouse scanners?",
            "warehouses have patchy internet. we want a lightweight model on the same box as our "
            "WMS to draft pick summaries. devs only.",
            "**My recommendation: A Phi small language model",
            {"genai-kind": "small"},
        ),
        (  # an FAQ and policy documents are what an assistant answers from, not documents to
            # analyze
            "our finance team wants its own assistant for expense questions, what would you "
            "suggest?",
            "finance ops, no developers. content is an expenses faq and policy documents. they "
            "want to build and publish it themselves, low-code.",
            "Microsoft Copilot Studio",
            {},
        ),
        (  # a lead scoring model is machine learning
            "quick steer pls: lead scoring model, zero ML expertise in house",
            "marketing ops. CRM export, tabular. nobody really codes.",
            "**My recommendation: Azure Machine Learning with AutoML**",
            {},
        ),
    ],
)
async def test_a_profile_after_the_short_answer_is_read_in_the_domains_words(
    convo, opener, profile, shown, answered
):
    await convo.say(opener)
    turn = await convo.say(profile)
    assert shown in turn.text
    for question, choice in answered.items():
        assert answers_of(turn)[question] == choice


async def test_a_request_to_act_after_the_short_answer_is_declined_not_read_as_an_answer(convo):
    turn = await convo.say(
        "<at>ArchBot</at> what fabric piece do we use to ingest from postgres + kafka streams "
        "into the lakehouse?"
    )
    turn = await convo.say("translate 'pipeline failed' into japanese for our ops channel pls")
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-actions"
    assert "recommendation" not in turn.text.lower()


async def test_genai_apps_built_together_is_no_vendor_named_together_ai(convo):
    turn = await convo.say(
        "<at>ArchBot</at> help our team settle on a platform for building genai apps together"
    )
    assert "other vendors' tools" not in turn.text
    assert turn.buttons  # the walkthrough's first open question


async def test_ingestion_from_many_sources_leads_to_data_factory(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Before any AI we need to pull from Salesforce, SAP and forty SQL databases into a single "
        "place. Some sources need a nightly full copy, some need incremental loads.",
        "Ingestion pipelines from many sources",
        "Databases, SharePoint or file shares",
    )
    assert "Azure Data Factory" in turn.text
    assert answers_of(turn)["data-job"] == "ingest"


async def test_a_description_saying_data_work_outweighs_an_opener_read_as_ml(convo):
    turn = await convo.say(
        "our data sits in 15 places and the ML people keep asking for it all in one spot, "
        "what do we use to move it"
    )
    assert "What will the model learn from?" in turn.text  # the opener read as machine learning
    turn = await convo.say(
        "small data team, mostly sql people. structured data from databases, files and real time "
        "streams. we need to ingest, clean and transform it on a schedule so the ml team can "
        "train on it. low code preferred."
    )
    assert "OK, changed: **data pipelines**" in turn.text  # said several times over
    assert "Data Factory" in turn.text


async def test_customer_records_and_who_is_likely_to_leave_lead_to_automl(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We're three business analysts, comfortable with Excel but not with Python. We have "
        "customer records with a column saying whether each customer cancelled, and want a model "
        "that flags who is likely to leave, without writing code or hiring a data scientist.",
    )
    assert "Azure Machine Learning with AutoML" in turn.text
    assert "customization" not in answers_of(turn)  # "customer" is no custom content


async def test_callers_and_drug_names_recognized_wrong_lead_to_custom_speech(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We're a pharmacy chain. Callers say drug names and dosages, often from noisy places, and "
        "off-the-shelf recognition gets the drug names wrong. Our developers know Python.",
        "Speech and audio (transcription, voice)",
        "Pull out what's in it (fields, text, transcripts, captions, tags)",
    )
    assert "Custom Speech" in turn.text


async def test_a_question_feature_configured_once_over_fabric_kpis_leads_to_an_ai_skill(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Our logistics KPIs live in a Fabric warehouse. Operations managers ask the BI team ad-hoc "
        "questions every day. We'd like to configure a generative AI feature once that writes the "
        "queries for them and share it with the managers, who'd ask in simple language.",
        "Business users asking questions, no code (set up once, shared)",
    )
    assert "A Fabric AI skill over your lakehouse and warehouse" in turn.text


async def test_a_data_science_team_needing_tracking_and_endpoints_leads_to_azure_ml(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Twelve data scientists, mostly scikit-learn and a bit of PyTorch, some logging runs with "
        "MLflow. We need shared compute, experiment tracking, repeatable pipelines and a way to "
        "deploy models as REST endpoints.",
        "Tables (predict a number or a category)",
    )
    assert "Azure Machine Learning with custom training, MLflow tracking" in turn.text


async def test_a_small_model_on_a_tight_compute_budget_leads_to_phi(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We want each support ticket summarized in two lines. Calling a very large model per "
        "ticket is too costly for us; our ML engineer wants something small and cheap to run.",
    )
    assert "A Phi small language model instead of a large one" in turn.text


async def test_gpu_training_by_a_pytorch_group_that_calls_apis_no_use_leads_to_azure_ml(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Our radiology AI group has labeled CT and X-ray images and writes PyTorch. We need GPU "
        "clusters for training, experiment tracking and managed endpoints. Prebuilt vision APIs "
        "won't work for our clinical tasks.",
    )
    assert "Azure Machine Learning on GPU clusters" in turn.text
    assert answers_of(turn)["builder"] == "data-scientists"  # "vision APIs" is no developer team


async def test_prompts_stuffed_with_examples_that_plateaued_lead_to_fine_tuning(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Our chatbot on Azure OpenAI has a system prompt packed with examples to get the tone "
        "and answer format right, so every request is slow and costs a lot of tokens. Prompt "
        "engineering has plateaued; we have thousands of approved conversations, far more than "
        "fit in one prompt, and would move to a smaller model if quality holds.",
    )
    assert "Fine-tune a model in Azure OpenAI" in turn.text


async def test_one_platform_for_the_whole_analytics_chain_leads_to_fabric(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Our data is scattered across warehouses, SQL databases and event streams. We want "
        "ingestion, a single governed lake, real-time dashboards and Power BI reports in one SaaS "
        "platform rather than stitching lots of separate services together.",
        "Data pipelines (ingestion, transformation, storage)",
    )
    assert "Microsoft Fabric as the one analytics platform" in turn.text


async def test_many_teams_under_central_governance_lead_to_a_shared_hub(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Twelve project teams train models, each with their own compute and network setup. IT "
        "wants centralized governance, shared compute and quota, and one place for both classic "
        "ML and generative AI projects.",
    )
    assert "A hub that IT sets up once, with a project for each team" in turn.text
    assert "Azure Machine Learning" in turn.text and "AI Foundry" in turn.text


async def test_hub_networking_of_a_landing_zone_is_no_ai_hub(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Our platform team owns hub networking, DNS and policies. The new chat app is for "
        "employees and answers from our own documents; four developers build it.",
        "Not decided yet",
        "Developers who write code",
        "Private or regulated data",
    )
    assert "RAG on Azure OpenAI with Azure AI Search" in turn.text


async def test_a_summary_of_each_recorded_call_leads_to_speech_and_azure_openai(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We record all customer support calls and want a short summary of each call with the "
        "customer's issue, written into our CRM. Three C# developers.",
    )
    assert "Azure AI Speech to transcribe, Azure OpenAI to write the summaries" in turn.text


async def test_articles_to_translate_into_many_languages_lead_to_translator(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We need to translate our support articles into twelve languages; nothing special about "
        "the wording, and two web developers will call the service.",
        "Standard content, prebuilt models are fine",
    )
    assert "**My recommendation: Azure AI Translator**" in turn.text


async def test_a_copilot_built_by_makers_in_copilot_studio_is_read_as_low_code(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We want an internal helpdesk copilot, built by our makers in Copilot Studio with Power "
        "Automate actions.",
    )
    assert "Build the copilot in Microsoft Copilot Studio" in turn.text


async def test_plain_english_over_tables_in_databases_is_questions_over_data_not_rag(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Regional managers want to ask questions in plain English over tables in our SQL "
        "databases, without waiting on analysts.",
    )
    assert "Bring the data within Fabric's reach and put a Fabric AI skill on it" in turn.text


HR_PROFILE = (
    "it's the hr ops team, we use power automate a bit but nobody writes code. the content is our "
    "hr policies and faq docs. we want employees to ask questions in teams and maybe kick off "
    "simple workflows like requesting leave. prebuilt/low-code is a must."
)


async def test_the_same_description_again_keeps_what_it_let_stand_and_says_it_tells_nothing_new(
    convo,
):
    await convo.say(
        "hr asked me (I'm not technical lol) if we can have a bot in teams that answers leave "
        "and benefits questions. can we do that ourselves?"
    )
    first = await convo.say(HR_PROFILE)  # answers what the generative AI should do
    again = await convo.say(HR_PROFILE)  # nothing of the question it is at now
    assert "OK, changed" not in again.shown  # the goal read back and let stand stays
    assert MISSED[2] in again.shown
    assert question_of(again) == question_of(first)
    turn = await convo.say(again.clicks[again.buttons[0]])
    assert "Copilot Studio" in turn.text


async def test_a_last_clause_asking_what_the_rest_is_is_a_question_not_an_answer(convo):
    turn = await convo.say("we're choosing between fabric and databricks as the main data platform")
    assert turn.buttons  # the comparison, then the walkthrough's first question
    turn = await convo.say("the unified storage thing, which one is that")
    # not the answer "store raw files at scale in a data lake"
    assert turn.trace("RecognizerResult")["topIntent"] == "onelake"


async def test_a_question_opening_with_hows_at_a_walkthrough_question_is_answered(convo):
    await convo.say("building an internal q&a bot over our engineering wiki. what's the approach?")
    await convo.say("does that have to use a vector db?")
    turn = await convo.say("how's that different from fine-tuning the model on the wiki?")
    assert turn.trace("RecognizerResult")["topIntent"] == "rag-vs-fine-tuning"
    assert "Noted for later" not in turn.text  # a question, not an answer to fill in


async def test_multi_step_rule_checks_lead_to_a_reasoning_model(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Two developers. Our pricing engine needs a model to walk through multi-step rule checks "
        "and calculations; general chat models miss steps. No training, we call it via API.",
    )
    assert "**My recommendation: An o1 reasoning model in Azure OpenAI**" in turn.text


async def test_translating_contracts_with_our_glossary_is_custom_translator(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "Three developers. We translate contracts between English and Dutch every day, we have "
        "years of translated contract pairs and a glossary, and generic translation gets our "
        "defined terms wrong.",
    )
    assert "**My recommendation: Custom Translator on Azure AI Translator**" in turn.text


async def test_distributed_deep_learning_on_spark_data_trains_where_it_lives(convo):
    turn = await described(
        convo,
        "help me pick an architecture",
        "We're ML engineers who live in Spark. Inspection images and tables sit in our lake as "
        "parquet; we want PyTorch models trained distributed across a cluster. Code is fine.",
        "Not decided yet",
    )
    assert "Azure Databricks" in turn.text


async def test_what_the_opener_said_counts_with_the_description_that_says_it_too(convo):
    await convo.say(
        "what's the right azure service to translate our app's UI strings and help articles?"
    )
    turn = await convo.say(
        "2 devs, text only, 12 languages, nothing special about our vocab, we just want an API"
    )
    assert "translation between languages" in turn.shown.lower()  # opener and profile agree
    assert "What do you need to understand?" not in turn.shown


async def test_the_openers_lean_breaks_no_tie_in_the_description(convo):
    await convo.say("what would you use for a 'describe it, get the code' tool for our analysts?")
    turn = await convo.say(
        "internal tools developers. analysts describe what they want in plain english and we "
        "want to generate python or sql snippets they can run. text in, code out. we'd use a "
        "prebuilt hosted model behind an api rather than train one."
    )
    assert "makers and analysts" not in turn.shown.lower()  # "for our analysts" is who uses it
