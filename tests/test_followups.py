"""Follow-ups in a conversation, on the real knowledge base: send this, expect that — through
the whole bot (handler, dialogs, recognizer, conversation state). Each test is a short dialogue
in other words than the tuning sets use, for one rule of bot/core/context/ or one fact the
knowledge gained."""

from __future__ import annotations

import pytest

from .conversation import Conversation


def decided(turn) -> tuple[str, str]:
    result = turn.trace("RecognizerResult")
    return result["topIntent"], result["outcome"]


async def test_the_former_and_the_latter_count_to_a_side_of_the_comparison(convo):
    await convo.say("copilot vs azure openai?")
    turn = await convo.say("can the former be extended by other developers?")
    assert decided(turn)[0] == "microsoft-copilot/copilot-plugins"
    turn = await convo.say("which jobs can the latter be adapted to?")
    assert decided(turn)[0] == "azure-openai/tasks"
    assert turn.trace("RecognizerResult")["context"] == "refers"


async def test_the_second_one_is_read_after_the_side_was_asked_about(convo):
    await convo.say("what's the difference between Copilot and Azure OpenAI?")
    await convo.say("can partners build plug-ins for the first one?")
    turn = await convo.say("and which tasks can the second one take on?")
    assert decided(turn)[0].split("/")[0] in {"azure-openai", "gpt-models"}  # not Copilot's


async def test_a_word_of_a_sides_name_picks_that_side_of_the_comparison(convo):
    await convo.say("how is deep learning different from classic machine learning?")
    turn = await convo.say("and when is the deep one worth it?")
    assert decided(turn)[0] == "deep-learning"
    assert turn.trace("RecognizerResult")["context"] == "followup"
    assert "exploratory" in turn.text


async def test_a_side_picked_by_word_keeps_the_answer_the_message_names(convo):
    await convo.say("microsoft copilot or azure openai, what's the difference?")
    turn = await convo.say("what models does the azure one offer?")
    assert decided(turn)[0].startswith("azure-openai")


async def test_a_topic_named_by_its_short_form_before_this_is_that_topic(convo):
    await convo.say("what is deep learning?")
    turn = await convo.say("and where would genai fit in all of this?")
    assert decided(turn)[0] == "generative-ai"


async def test_which_one_for_a_team_after_a_comparison_compares_again(convo):
    await convo.say("how does copilot studio compare with ai foundry?")
    turn = await convo.say("which one for a business team that can't code?")
    assert turn.trace("RecognizerResult")["context"] == "compare"
    assert "Copilot Studio" in turn.text and "AI Foundry" in turn.text


async def test_instead_points_back_at_the_topic_in_focus(convo):
    await convo.say("how do I transform data for machine learning inside Fabric?")
    turn = await convo.say("what if I'd rather orchestrate the steps visually instead?")
    assert decided(turn)[0].startswith("data-factory")
    assert "pipeline" in turn.text.lower()


async def test_building_one_points_back_at_the_kind_of_thing_in_focus(convo):
    await convo.say("what are copilots in general?")
    turn = await convo.say("how would we build one for our warehouse pickers' app?")
    assert decided(turn)[0] in {"copilots", "copilot-studio", "ai-foundry"}
    assert turn.trace("RecognizerResult")["context"] == "refers"


async def test_even_for_is_a_follow_up_answered_by_the_focus_topics_question(convo):
    await convo.say("will our MLflow tracking keep working on Azure Machine Learning?")
    turn = await convo.say("even for jobs that don't run in Azure?")
    assert decided(turn)[0].startswith("mlflow")  # not declined
    turn = await convo.say("even for runs on a laptop outside Azure?")
    assert decided(turn)[0] == "mlflow/track-from-anywhere"
    assert "whether or not" in turn.text
    declined = await convo.say("even for the weather in Lisbon?")
    assert decided(declined)[0] == "None"  # nothing of MLflow's: still declined


async def test_an_ellipsis_the_focus_family_says_nothing_of_asks_more_of_the_last_part(convo):
    await convo.say("how many parameters do the Phi-3 models have?")
    turn = await convo.say("and the biggest?")
    assert decided(turn)[0] == "phi-models/phi3-sizes"
    assert "14 billion" in turn.text


@pytest.mark.parametrize(
    ("first", "then", "not_taken_by"),
    [
        # Phi's name is not said by "graphics" (Python and R's text): the reference stays near Phi
        ("what sizes is phi-3 available in?", "and the biggest?", "python-and-r"),
        # Azure AI Language's text says "with no model training": it does not name Model
        # training, so it does not take over a question about what the focus is written in
        ("how is a model trained?", "what languages do people write it in?", "ai-language"),
    ],
)
async def test_a_name_an_answer_does_not_really_say_takes_no_follow_up(
    convo, first, then, not_taken_by
):
    await convo.say(first)
    turn = await convo.say(then)
    assert not decided(turn)[0].startswith(not_taken_by)


async def test_facts_follow_ups_ask_for_are_in_the_answers(convo):
    await convo.say("where do we keep raw files if we don't use Fabric?")
    turn = await convo.say("how well does it scale?")
    assert "petabytes" in turn.text and "throughput" in turn.text
    await convo.say("what does azure speech recognition run on by default?")
    turn = await convo.say("trained on what?")
    assert "Microsoft-owned data" in turn.text
    await convo.say("what's a hyperparameter?")
    turn = await convo.say("why tune them at all?")
    assert "performance" in turn.text


async def test_after_a_customer_story_they_are_that_customer(convo):
    await convo.say("what is custom translator?")
    story = await convo.say("who uses it?")
    assert "Volkswagen" in story.text
    turn = await convo.say("how many languages does their system speak?")
    assert decided(turn)[0] == "story-volkswagen"
    assert "40 languages" in turn.text
    turn = await convo.say("back to custom translator: can it learn from a glossary alone?")
    assert decided(turn)[0].startswith("custom-translator")


async def test_back_to_a_topic_never_discussed_reads_the_question_on_its_own(convo):
    await convo.say("we're on databricks already, can the embeddings store for our rag live there?")
    await convo.say("what else are embeddings useful for")
    turn = await convo.say(
        "back to the rag bit — does the retrieval side have to be a vector store at all?"
    )
    assert decided(turn)[0] == "rag/rag-vector-only"  # RAG was named, not the vector stores


async def test_they_after_a_story_is_the_customer_not_a_service_its_story_relates_to(convo):
    await convo.say("tell me about the legrand story")
    turn = await convo.say("so what did they actually do")
    assert decided(turn)[0].startswith("story-legrand")


async def test_a_reference_design_after_rag_names_the_baseline_chat_architecture(convo):
    await convo.say("we want a bot that answers staff from our handbook pdfs")
    turn = await convo.say("is there a reference design we could copy?")
    assert "baseline OpenAI end-to-end chat" in turn.text


async def test_a_story_asked_for_by_its_industry_is_that_customers_not_the_focus_topics(convo):
    await convo.say("can gpt-4o read photos of cracked screens and say what's broken?")
    turn = await convo.say("is there a customer story in logistics?")
    assert decided(turn)[0].startswith("story-ch-robinson")  # not Kry, GPT's own story
    turn = await convo.say("what is custom translator")
    turn = await convo.say("is there a customer story?")
    assert "Volkswagen" in turn.text  # the focus topic's own, with nothing else said


async def test_it_as_the_subject_is_the_topic_answered_last_not_one_it_relates_to(convo):
    await convo.say("any low-code ML options for our analysts?")
    await convo.say("could they use that without knowing any algorithms")  # AutoML
    turn = await convo.say("what does it optimize for?")
    assert decided(turn)[0].startswith("automl")  # not hyperparameter tuning
    assert "target metric" in turn.text
    turn = await convo.say("which service is that part of")
    assert decided(turn)[0] == "azure-machine-learning"  # AutoML's, answered within it


async def test_a_correction_after_a_topics_part_may_mean_the_topic_itself(convo):
    await convo.say("what is copilot studio?")
    turn = await convo.say("and if our developers want full code control?")
    assert decided(turn)[0] == "copilot-studio/pro-code"
    turn = await convo.say(
        "no wait, the assistant will be kept up by the claims team themselves, not devs"
    )
    assert decided(turn)[0] == "copilot-studio"
    assert turn.trace("RecognizerResult")["context"] == "correction"


async def test_back_to_the_users_own_words_returns_to_the_topic_they_were_said_about(convo):
    await convo.say("our help-center articles need translating, keeping our product terms")
    await convo.say("no sorry i meant the speech one - translating live support calls")
    turn = await convo.say(
        "ok back to the help-center articles. which languages does the custom text "
        "translation support?"
    )
    assert decided(turn)[0].startswith("custom-translator")  # not the speech service again
    assert turn.trace("RecognizerResult")["context"] == "return"


async def test_which_service_after_a_tool_or_concept_is_the_service_it_runs_in(convo):
    await convo.say("what is automl")
    turn = await convo.say("where does that live, like which service?")
    assert decided(turn)[0] == "azure-machine-learning"
    await convo.say("what's mlops")
    turn = await convo.say("which service is that part of")
    assert decided(turn)[0] == "azure-machine-learning"
    assert "Which service did they use?" not in turn.buttons  # a story's button only


async def test_a_follow_up_naming_a_related_topic_before_that_is_about_that_topic(convo):
    await convo.say("when do we actually need machine learning instead of plain rules?")
    turn = await convo.say("and deep learning - when is that worth it")
    assert decided(turn)[0] == "deep-learning"  # not machine learning's when-to-use again
    assert turn.trace("RecognizerResult")["context"] == "followup"


async def test_their_after_a_story_points_back_at_the_customer(convo):
    await convo.say("any asset managers in the customer stories?")
    turn = await convo.say("what was their angle?")
    assert decided(turn)[0].startswith("story-pimco")
    turn = await convo.say("and how's their stock doing this year?")
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-general"


async def test_they_after_a_story_stay_its_customer_whatever_another_story_says(convo):
    await convo.say("is there a logistics story with azure ai?")
    turn = await convo.say("which tooling did they use?")  # not Legrand's "AI-driven tools"
    assert decided(turn)[0].startswith("story-ch-robinson")
    turn = await convo.say("hmm actually they pivoted, it's a healthcare exec now")
    assert decided(turn)[0].startswith("story-kry")  # another story, said likely


async def test_the_other_one_is_a_sibling_of_what_was_just_picked_out(convo):
    await convo.say("what is azure openai?")
    picked = await convo.say("which customer used it in healthcare?")
    assert decided(picked)[0] == "story-kry"
    turn = await convo.say("what about the other customer?")
    other = decided(turn)[0]
    assert other.startswith("story-") and other != "story-kry"
    assert turn.trace("RecognizerResult")["context"] == "refers"


async def test_and_x_is_the_focus_topics_own_question_about_x_when_it_has_one(convo):
    await convo.say("what is azure machine learning studio?")
    turn = await convo.say("and what about LLMs?")
    assert decided(turn)[0] == "azure-machine-learning/llm-flows"
    assert "prompt flow" in turn.text.lower()
    await convo.say("tell me about hdinsight spark")
    turn = await convo.say("and databricks?")  # HDInsight has nothing of its own on it
    assert decided(turn)[0] == "azure-databricks"


async def test_a_follow_up_naming_a_side_of_the_focus_is_about_that_side(convo):
    await convo.say("how is deep learning different from classic ML?")
    turn = await convo.say("show me an example where plain machine learning does the job")
    assert decided(turn)[0] == "machine-learning"
    assert "assembly" in turn.text or "warranty" in turn.text
    turn = await convo.say("when should I not use deep learning?")
    assert decided(turn)[0] == "deep-learning"
    assert "When not to use Deep learning" in turn.text


async def test_the_focus_breaks_a_near_tie_between_readings(convo, real_runtime):
    alone = await Conversation(real_runtime.handler, conversation="alone-embeddings").say(
        "what are embeddings good for?"
    )
    assert decided(alone)[0] == "azure-openai/embeddings"  # on its own: Azure OpenAI's models
    await convo.say("what is Mosaic AI Vector Search for?")
    turn = await convo.say("what are embeddings good for?")
    assert decided(turn)[0] == "embeddings-vector-search"  # near Mosaic: the concept
    turn = await convo.say("what is Azure Data Lake Storage Gen2?")  # named: a switch
    assert decided(turn)[0] == "data-lake-storage-gen2"


async def test_what_is_x_asks_for_x_as_an_aside_from_the_topic_in_focus(convo):
    await convo.say("explain machine learning briefly")
    turn = await convo.say("what's training?")
    assert decided(turn)[0] == "model-training"  # not machine learning's passage on retraining
    assert "known data" in turn.text and "performance metrics" in turn.text
    turn = await convo.say("who should use it?")
    assert decided(turn)[0] == "machine-learning"  # the aside left the focus where it was
    turn = await convo.say("what's model training?")
    assert decided(turn)[0] == "model-training"


async def test_a_correction_can_mean_another_part_of_the_same_topic(convo):
    await convo.say("show me the baseline OpenAI chat reference architecture")
    turn = await convo.say("no, I meant the landing zone variant of it")
    assert turn.trace("RecognizerResult")["context"] == "correction"
    assert decided(turn)[0] == "ml-reference-architectures/landing-zone"
    await convo.say("what is custom speech?")
    turn = await convo.say("no, I meant the translation one")  # another topic, as before
    assert decided(turn)[0].startswith(("ai-translator", "custom-translator"))


async def test_a_short_correction_saying_a_word_of_the_last_answer_means_it_in_that_topic(convo):
    await convo.say("phi-3 small is how many params")
    turn = await convo.say("no, mini")  # "mini" as the last answer said it, not GPT-4o mini
    assert turn.trace("RecognizerResult")["context"] == "correction"
    assert "3.8 billion" in turn.text


async def test_what_happens_once_a_flow_is_deployed(convo):
    await convo.say("what's prompt flow?")
    turn = await convo.say("what happens when one gets deployed?")
    assert "an API" in turn.text


async def test_the_focus_settles_a_did_you_mean(convo, real_runtime):
    question = "how far can it scale?"
    alone = await Conversation(real_runtime.handler, conversation="alone-scale").say(question)
    assert decided(alone) == ("None", "ambiguous")  # on its own: "did you mean …?"
    await convo.say("what is azure data lake storage gen2?")
    turn = await convo.say(question)
    assert decided(turn) == ("data-lake-storage-gen2/scale", "answer")
    assert "petabytes" in turn.text


async def test_a_reference_stays_with_the_focus_topics_own_question(convo):
    await convo.say("what's Custom Translator?")
    turn = await convo.say("how would our applications reach it after training?")
    assert decided(turn)[0] == "custom-translator/access"  # not Azure AI services at large
    assert "Text API" in turn.text


async def test_what_is_x_next_in_a_sequence_is_x(convo):
    await convo.say("how does model training work?")
    turn = await convo.say("what's scoring after that?")
    assert decided(turn)[0].startswith("model-scoring")
    assert "predict" in turn.text.lower()


async def test_and_for_another_workload_asks_for_its_copilot(convo):
    await convo.say("is there a copilot for power bi?")
    turn = await convo.say("and for data factory?")
    assert decided(turn)[0] == "fabric-copilots/data-factory"
    assert "Copilot for Data Factory" in turn.text


async def test_x_there_too_asks_the_platform_in_focus_about_x(convo):
    await convo.say("tell me about azure databricks")
    turn = await convo.say("could we build RAG there as well?")
    assert decided(turn)[0] == "mosaic-ai-vector-search"  # Databricks' piece for RAG
    turn = await convo.say("and for images?")
    assert "image recognition" in turn.text
    await convo.say("tell me about hdinsight spark")
    turn = await convo.say("and the same for databricks: is there a ml runtime?")
    assert decided(turn)[0].startswith("azure-databricks")  # "is there" points at no place


async def test_a_specific_question_is_not_the_follow_up_phrase_it_resembles(convo):
    await convo.say("what is hdinsight spark?")
    turn = await convo.say("what storage does it work with?")  # not "how does it work?"
    assert decided(turn)[0] == "hdinsight-spark/storage-compat"
    assert "Data Lake Storage" in turn.text


async def test_a_guess_off_the_focus_gives_way_to_the_focus_topic(convo):
    await convo.say("which copilots are built into fabric?")
    turn = await convo.say("can we build our own instead?")
    assert decided(turn)[0].startswith("fabric-copilots")  # not Fabric at large
    assert "build your own" in turn.text


async def test_distributed_training_names_the_spark_option_too(convo):
    turn = await convo.say("can we do distributed deep learning training across GPU nodes?")
    assert decided(turn)[0] == "model-training/distributed"
    assert "Databricks" in turn.text and "Horovod" in turn.text
    turn = await convo.say("which libs come with it?")
    assert "PyTorch" in turn.text


async def test_a_reference_saying_only_the_focus_name_is_about_the_focus(convo):
    await convo.say("what are hyperparameters?")
    turn = await convo.say("why would we bother tuning them?")
    assert decided(turn)[0].startswith("hyperparameter-tuning")  # not declined
    assert "performance" in turn.text
    declined = await convo.say("who won the league this year?")
    assert decided(declined)[0] == "None"


async def test_another_vendors_product_in_the_middle_is_declined_and_the_focus_kept(convo):
    await convo.say("what is custom translator?")
    turn = await convo.say("how long can a Google Translate glossary be?")
    assert decided(turn)[0] == "None"
    turn = await convo.say("ok, how do our apps call the custom model?")
    assert decided(turn)[0] == "custom-translator/access"


async def test_a_question_naming_nothing_stays_with_the_focus_not_what_mentions_it(convo):
    await convo.say("how does databricks handle feature engineering?")
    turn = await convo.say("so what happens at inference time then?")
    assert decided(turn)[0].startswith("azure-databricks")  # not scoring in general
    assert "feature metadata" in turn.text


async def test_an_off_topic_did_you_mean_is_not_settled_by_the_focus(convo):
    await convo.say("what is microsoft fabric?")
    turn = await convo.say("spark plug replacement on a 2012 honda civic, what gap and torque?")
    assert decided(turn)[0] == "None"  # only "spark" is said of the focus's family


async def test_a_long_question_with_its_own_subject_is_a_topic_switch(convo):
    await convo.say("what is microsoft fabric?")
    turn = await convo.say(
        "is there an open source microsoft ML library for spark that I could use?"
    )
    assert decided(turn)[0] in {"hdinsight-spark/ml-library", "synapseml"}  # not Fabric's Spark
    assert "SynapseML" in turn.text
    await convo.say("what is custom speech?")
    turn = await convo.say("what do we need to feed it for training?")  # short: a follow-up
    assert decided(turn)[0].startswith("custom-speech")


async def test_x_vs_y_and_a_descriptions_back_to_are_not_about_the_focus(convo):
    await convo.say("what is microsoft fabric?")
    turn = await convo.say("onelake vs adls gen2, which one do we actually need?")
    assert "OneLake" in turn.text and "Data Lake Storage" in turn.text
    assert turn.trace("RecognizerResult")["context"] is None  # the pair named, not Fabric's
    turn = await convo.say(
        "we want cameras to flag assembly mistakes and have warranty claims to link back to"
    )
    assert turn.trace("RecognizerResult")["context"] != "return"
    await convo.say("what is azure openai?")
    turn = await convo.say("how does it stack up against copilot studio?")
    assert turn.trace("RecognizerResult")["context"] == "compare"  # still compared


async def test_a_follow_up_phrase_about_a_topic_named_first_is_about_that_topic(convo):
    await convo.say("what is microsoft fabric?")
    turn = await convo.say("copilot studio, what is it for?")
    assert decided(turn)[0].startswith("copilot-studio")  # not Fabric's use cases
    turn = await convo.say("RAG: what is it and why would I use it?")
    assert decided(turn)[0].startswith("rag")
    await convo.say("what is custom translator?")
    turn = await convo.say("who used machine translation like that?")  # its own family
    assert "Volkswagen" in turn.text


async def test_a_shorter_question_surely_elsewhere_is_a_switch_too(convo):
    await convo.say("what is microsoft fabric?")
    turn = await convo.say("what is retraining and why do models need it")
    assert decided(turn)[0] == "machine-learning/retraining"


async def test_a_question_naming_both_sides_of_a_written_comparison_is_that_comparison(convo):
    await convo.say("what is microsoft fabric?")
    turn = await convo.say("is copilot basically the same thing as azure openai?")
    assert decided(turn)[0] == "copilot-vs-azure-openai"


async def test_that_can_mean_the_topic_the_last_answer_named(convo):
    await convo.say("tell me about microsoft fabric")
    turn = await convo.say("where is its data stored?")
    assert "OneLake" in turn.text
    turn = await convo.say("what's that one built on top of?")
    assert decided(turn)[0] == "onelake/built-on"
    assert "Data Lake Storage" in turn.text


async def test_a_former_name_is_asked_of_the_library_the_last_answer_named(convo):
    await convo.say("is spark on hdinsight a sensible place for machine learning?")
    turn = await convo.say("what ML library would we install for that?")
    assert "SynapseML" in turn.text
    turn = await convo.say("was it called something else before?")
    assert decided(turn)[0] == "synapseml/former-name"


async def test_a_message_naming_a_topic_is_not_read_against_the_last_answer(convo):
    await convo.say("tell me about microsoft fabric")
    await convo.say("where is its data stored?")
    turn = await convo.say("how does it compare with Databricks?")
    assert not decided(turn)[0].startswith("onelake")


async def test_that_one_after_a_list_of_customer_stories_is_the_last_named(convo):
    turn = await convo.say("do you have customer examples for azure ai?")
    assert "Robinson" in turn.text
    turn = await convo.say("and how did that one do it?")
    assert decided(turn)[0].startswith("story-ch-robinson")


async def test_other_benefits_of_that_are_the_focus_topics_own(convo):
    await convo.say("every request carries dozens of worked examples and the token bill is huge")
    turn = await convo.say("and what other benefits does that give?")
    assert decided(turn)[0] == "azure-openai-fine-tuning/fine-tuning-benefits"


async def test_a_part_of_the_focus_topic_beats_an_unrelated_reading_when_referring_back(convo):
    await convo.say("is there spark inside microsoft fabric?")
    turn = await convo.say("which languages can we write in with it?")
    assert decided(turn)[0] == "spark-in-fabric/languages"


@pytest.mark.parametrize(
    "question",
    ["what makes it different from plain ML anyway", "what's the difference from normal ML then?"],
)
async def test_different_from_compares_the_focus_with_what_it_names(convo, question):
    await convo.say("what is deep learning?")
    turn = await convo.say(question)
    assert turn.trace("RecognizerResult")["topIntent"] == "machine-learning-vs-deep-learning"


async def test_after_a_customer_story_a_sector_names_its_sibling_story(convo):
    await convo.say("any healthcare customer using azure openai?")
    turn = await convo.say("what about financial services?")
    assert "PIMCO" in turn.text
    turn = await convo.say("what did they build?")  # the sibling story is the focus now
    assert "PIMCO" in turn.text


async def test_after_a_customer_story_another_of_a_kind_is_another_story(convo):
    await convo.say("what did pimco build")
    turn = await convo.say("is there a healthcare one for another team?")
    assert turn.trace("RecognizerResult")["topIntent"] == "story-kry"


async def test_a_storys_own_question_for_another_customer_is_answered_by_it(convo):
    await convo.say("legrand customer story, what was that")
    turn = await convo.say("which other customer used the same service")
    assert "Kry" in turn.text


async def test_a_named_thing_needed_for_the_focus_is_the_focus_topics_own_question(convo):
    await convo.say("explain retrieval augmented generation quickly")
    turn = await convo.say("do we need a vector database for it?")
    assert turn.trace("RecognizerResult")["topIntent"] == "rag/rag-vector-only"


async def test_a_customer_story_does_not_offer_who_uses_it(convo):
    turn = await convo.say("any healthcare customer using azure openai?")
    assert "Kry" in turn.text
    assert "Who uses it?" not in turn.buttons


async def test_it_after_a_comparison_that_answered_one_side_is_that_side(convo):
    turn = await convo.say("is azure machine learning studio just for classic ML?")
    assert turn.trace("RecognizerResult")["topIntent"] == "ai-foundry-vs-azure-machine-learning"
    turn = await convo.say("and how would we deploy models from it")
    assert turn.trace("RecognizerResult")["topIntent"].startswith("azure-machine-learning")


async def test_a_term_list_is_a_dictionary_to_custom_translator(convo):
    await convo.say("can machine translation learn our company's own terminology?")
    turn = await convo.say("and if all we have is a term list, no translated files?")
    assert "dictionary" in turn.text.lower()


async def test_an_unsure_reading_leaning_to_the_focus_is_a_follow_up_on_it(convo):
    # names nothing and refers to nothing, but on its own it leans to the topic in focus
    await convo.say("what's custom translator for?")
    turn = await convo.say("we lack the side-by-side docs alas. there's a glossary in excel")
    assert decided(turn) == ("custom-translator/dictionary-only", "answer")
    assert turn.trace("RecognizerResult")["context"] == "refers"


async def test_a_mixed_upload_after_custom_document_models_asks_for_classification(convo):
    await convo.say("explain document intelligence custom models")
    turn = await convo.say("and if one upload mixes receipts, payslips and contracts?")
    assert "classification" in turn.text


async def test_an_off_topic_message_leaning_nowhere_stays_declined(convo):
    await convo.say("is python or r better supported in azure ml?")
    turn = await convo.say("different thing: can you fix my python KeyError quickly?")
    assert decided(turn)[0] == "None"


async def test_when_is_it_overkill_asks_when_not_to_use_the_focus(convo):
    await convo.say("what is custom speech?")
    turn = await convo.say("when is it overkill?")
    assert "base model already works well" in turn.text


async def test_when_it_would_not_be_the_right_call_asks_when_not_to_use_the_focus(convo):
    await convo.say("sales wants a chatbot for the public site and nobody can code")
    turn = await convo.say("when would that NOT be the right call")
    assert "When not to use Microsoft Copilot Studio" in turn.text


async def test_bringing_framework_code_into_the_focus_asks_what_it_works_with(convo):
    await convo.say("where should we build genai apps, what does ai foundry offer")
    turn = await convo.say("can we bring our langchain / semantic kernel code into it")
    assert "Semantic Kernel" in turn.text


async def test_is_anybody_doing_this_at_scale_asks_for_the_customer_story(convo):
    await convo.say("tell me about custom translator")
    turn = await convo.say("is anybody doing this at scale?")
    assert "Volkswagen" in turn.text


async def test_the_cost_of_the_data_lake_at_scale(convo):
    await convo.say("why land raw files in data lake storage?")
    turn = await convo.say("is it pricey at scale?")
    assert "low-cost" in turn.text


async def test_copilot_studio_serves_external_users_too(convo):
    await convo.say("what's copilot studio?")
    turn = await convo.say("could customers outside the company use it too?")
    assert "external" in turn.text


async def test_error_analysis_after_the_responsible_ai_dashboard(convo):
    await convo.say("does azure ml have anything to check a model for bias?")
    turn = await convo.say("what about error analysis")
    assert "error analysis" in turn.text


async def test_is_that_in_fabric_too_asks_for_the_focus_in_the_place_named(convo):
    await convo.say("which models does azure openai offer?")
    turn = await convo.say("is that available in fabric as well?")
    assert decided(turn)[0] == "microsoft-fabric/azure-openai-from-fabric"
    assert turn.trace("RecognizerResult")["context"] == "refers"


async def test_the_focus_in_a_place_it_is_compared_with_gets_the_comparison(convo):
    await convo.say("what is azure databricks good for?")
    turn = await convo.say("hmm, is that stuff in fabric too?")
    assert decided(turn)[0] == "fabric-vs-databricks"


async def test_after_a_customer_story_doing_the_same_asks_for_its_service(convo):
    await convo.say("tell me the volkswagen customer story")
    turn = await convo.say("what would we use to do something similar for our own manuals?")
    assert decided(turn)[0] == "custom-translator"
    assert turn.trace("RecognizerResult")["context"] == "followup"


async def test_a_customer_story_offers_which_service_they_used(convo):
    turn = await convo.say("tell me the volkswagen customer story")
    assert "Which service did they use?" in turn.buttons


async def test_how_an_ai_skill_answers_after_the_ai_skill(convo):
    await convo.say("can fabric let our managers ask the warehouse questions in plain english?")
    turn = await convo.say("where do its answers come from, does it make them up?")
    assert "queries" in turn.text


async def test_prompt_flow_is_a_feature_of_the_portals_not_a_product(convo):
    turn = await convo.say("is prompt flow a product of its own, or part of ai foundry?")
    assert "AI Foundry" in turn.text


async def test_actually_no_corrects_the_last_answer(convo):
    await convo.say("which azure ai services can be customized?")
    await convo.say("tell me more about the document one")
    turn = await convo.say("actually no, the speech one")
    assert turn.trace("RecognizerResult")["context"] == "correction"
    assert decided(turn)[0].startswith(("ai-speech", "custom-speech"))


async def test_what_do_we_feed_it_asks_for_the_training_data(convo):
    await convo.say("what is custom translator?")
    turn = await convo.say("what do we feed it?")
    assert decided(turn)[0] == "custom-translator/training-data"


async def test_moving_to_fabric_keeps_spark(convo):
    await convo.say("we're a power bi shop, should our analytics all live in microsoft fabric?")
    turn = await convo.say("and would we lose apache spark if we go that way?")
    assert "Fabric Runtime" in turn.text


async def test_compare_those_two_puts_the_last_two_topics_side_by_side(convo):
    await convo.say("what is copilot studio?")
    await convo.say("and what is azure ai foundry?")
    turn = await convo.say("ok compare those two")
    assert turn.trace("RecognizerResult")["context"] == "compare"
    assert "Copilot Studio" in turn.text and "AI Foundry" in turn.text


async def test_where_to_run_automl_is_azure_machine_learning(convo):
    await convo.say("can automl handle feature scaling for our analysts?")
    turn = await convo.say("and where do we actually run it?")
    assert "Azure Machine Learning" in turn.text


async def test_where_are_the_docs_for_it_gives_the_focus_topics_link(convo):
    await convo.say("what is microsoft fabric?")
    turn = await convo.say("where are the docs for it?")
    assert turn.trace("RecognizerResult")["context"] == "followup"
    assert "learn.microsoft.com/fabric" in turn.text


async def test_a_doc_comparing_the_two_is_the_comparisons_page(convo):
    await convo.say("foundry or aml studio for a RAG app?")
    await convo.say("and for a tabular regression model?")  # "it" is now one side
    turn = await convo.say("is there a doc comparing the two?")
    assert decided(turn)[0] == "ai-foundry-vs-azure-machine-learning"
    assert "page to start from" in turn.text
    # named in the text, not only on the link's button
    assert "AI Foundry portal vs. Azure Machine Learning studio" in turn.shown


async def test_a_correction_naming_the_topic_it_means_and_not_another_reads_that_topic(convo):
    await convo.say("where do we keep raw files for later machine learning?")
    turn = await convo.say(
        "sorry, I meant data lake storage, not onelake - do we need a schema up front?"
    )
    assert decided(turn)[0].startswith("data-lake-storage-gen2")  # not OneLake
    assert turn.trace("RecognizerResult")["context"] == "correction"


async def test_help_as_a_verb_about_the_focus_is_not_a_request_for_help(convo):
    await convo.say("what is feature engineering?")
    turn = await convo.say("and how could databricks help with that?")
    assert decided(turn)[0] != "help"
    assert "Databricks" in turn.text


async def test_how_the_two_relate_after_two_topics_puts_them_side_by_side(convo):
    await convo.say("what is onelake?")
    await convo.say("ok, and what is azure data lake storage gen2?")
    turn = await convo.say("so how are they related?")
    assert turn.trace("RecognizerResult")["context"] == "compare"
    assert "OneLake" in turn.text and "Gen2" in turn.text


async def test_in_plain_words_asks_for_the_topic_not_one_of_its_details(convo):
    turn = await convo.say("RAG in plain terms, please")
    assert decided(turn)[0] == "rag"
    turn = await convo.say("explain fine-tuning like im five")
    assert decided(turn)[0].startswith("azure-openai-fine-tuning")


async def test_i_meant_with_a_question_about_it_asks_the_focus_again(convo):
    await convo.say("what is custom translator?")
    await convo.say("what data does it need?")
    turn = await convo.say("sorry I meant where do we use it once it's trained")
    assert decided(turn)[0].startswith("custom-translator")  # not Custom Speech's


async def test_i_meant_the_one_that_still_picks_another_topic(convo):
    await convo.say("what is microsoft copilot good for?")
    turn = await convo.say("no I meant the one where we make our own assistant")
    assert decided(turn)[0].startswith("copilot-studio")


async def test_a_side_named_after_without_is_not_the_side_asked_about(convo):
    await convo.say("what's retrieval augmented generation?")
    await convo.say("so how do we answer from our own docs without fine-tuning?")
    turn = await convo.say("can we do that in fabric too?")
    assert decided(turn)[0] == "microsoft-fabric/rag-on-fabric"


async def test_an_ellipsis_naming_a_platform_asks_the_focus_there(convo):
    await convo.say("what's retrieval augmented generation?")
    turn = await convo.say("and in fabric?")
    assert decided(turn)[0] == "microsoft-fabric/rag-on-fabric"
    await convo.say("when should we actually use deep learning?")
    turn = await convo.say("and what's plain ml good for")  # the other side, not the two compared
    assert decided(turn)[0] == "machine-learning/good-for"


async def test_is_it_in_fabric_too_after_a_comparison_asks_of_one_of_its_sides(convo):
    await convo.say("microsoft copilot vs azure openai: what's the difference?")
    turn = await convo.say("and is it in fabric too?")
    assert decided(turn)[0].startswith("microsoft-fabric")


async def test_whether_more_parameters_are_better_is_answered_with_the_cost(convo):
    await convo.say("what do the billions of parameters in a model actually mean?")
    turn = await convo.say("so is a bigger one always the better one?")
    assert decided(turn)[0] == "model-parameters/more-is-better"
    assert "computationally expensive" in turn.text
    turn = await convo.say("where's the cutoff between a small and a large one?")
    assert "10 billion" in turn.text


async def test_which_frameworks_deep_learning_uses_is_answered_of_the_focus(convo):
    await convo.say("when is deep learning worth the investment?")
    turn = await convo.say("and which frameworks do people build it with?")
    assert decided(turn)[0] == "deep-learning/frameworks"
    assert "PyTorch" in turn.text


async def test_where_the_data_sits_after_fabrics_workloads_is_onelake(convo):
    await convo.say("which workloads does microsoft fabric bundle?")
    turn = await convo.say("and where does the data sit in it?")
    assert "OneLake" in turn.text


async def test_whether_every_flow_is_a_prompt_flow_is_answered_first(convo):
    await convo.say("what's prompt flow for?")
    turn = await convo.say("so what's the difference between a flow and prompt flow?")
    assert "not all flows" in turn.text


async def test_could_we_do_the_same_after_a_story_names_its_service(convo):
    await convo.say("tell me about the volkswagen customer story")
    turn = await convo.say("could we do the same for our support articles?")
    assert "Translator" in turn.text
    assert turn.trace("RecognizerResult")["context"] == "followup"


async def test_a_correction_prefers_the_topic_the_last_answer_listed(convo):
    await convo.say("which azure ai services can we customize?")
    turn = await convo.say("no, I meant the translation one")
    assert decided(turn)[0] == "custom-translator"  # the one the answer listed


async def test_what_if_we_pivot_after_a_comparison_puts_its_sides_again(convo):
    await convo.say("azure machine learning or ai foundry for our forecasting work?")
    turn = await convo.say("what if we switch to building a chat assistant next year?")
    assert turn.trace("RecognizerResult")["context"] == "compare"
    assert "AI Foundry" in turn.text


async def test_a_correction_asking_a_figure_is_declined_and_keeps_the_focus(convo):
    await convo.say("what is azure ai search?")
    turn = await convo.say("sorry, I meant: how is it priced?")
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-pricing"
    turn = await convo.say("does it do vector search?")
    assert decided(turn)[0].startswith(("ai-search", "embeddings-vector-search"))


async def test_a_follow_up_naming_another_vendors_product_is_declined(convo):
    await convo.say("what are gpt models?")
    turn = await convo.say("is gpt-4o less biased than claude?")
    assert turn.trace("RecognizerResult")["declinedAs"].startswith("decline-other-vendors")
    assert "Azure OpenAI" in turn.text  # the Azure counterpart
    turn = await convo.say("how would we replicate that ourselves")  # no product named
    assert turn.trace("RecognizerResult").get("declinedAs") is None


async def test_which_service_a_story_maps_to_is_its_service_follow_up(convo):
    await convo.say("what did volkswagen do with ai")
    turn = await convo.say("which service would that map to for us")
    assert "Custom Translator" in turn.text


async def test_the_equivalent_service_of_a_story_is_its_service(convo):
    await convo.say("tell me the kry story")
    turn = await convo.say("what would the equivalent service be for us?")
    assert turn.trace("RecognizerResult")["context"] == "followup"
    assert "Azure OpenAI" in turn.text


async def test_voicemails_to_read_instead_of_reviews_are_speech(convo):
    await convo.say("what's a good way to do sentiment on product reviews?")
    turn = await convo.say("actually scrap that, the reviews are audio voicemails")
    assert "Azure AI Speech" in turn.text


async def test_an_error_to_debug_mid_conversation_is_declined_and_keeps_the_focus(convo):
    await convo.say("what is model scoring in azure ml?")
    turn = await convo.say("how do i fix 'ModelNotFound' on my batch endpoint")
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-troubleshooting"
    turn = await convo.say("can it run in batch too?")
    assert decided(turn)[0].startswith("model-scoring")


async def test_a_fragment_naming_nothing_is_a_follow_up_on_the_focus(convo):
    await convo.say("mosaic ai vector search, what's it for")
    turn = await convo.say("what use cases")
    assert decided(turn)[0] == "mosaic-ai-vector-search"
    assert turn.trace("RecognizerResult")["context"] == "followup"


@pytest.mark.parametrize(
    ("before", "message", "topic"),
    [
        (["what is custom translator?"], "when shouldn't we bother with it?", "custom-translator"),
        (  # after one of the topic's questions too
            ["our ivr transcripts mangle every drug name, what can fix that?", "what data?"],
            "when would i NOT bother with it",
            "custom-speech",
        ),
    ],
)
async def test_when_not_to_bother_is_a_follow_up_not_an_apology(convo, before, message, topic):
    for said in before:
        await convo.say(said)
    turn = await convo.say(message)
    assert decided(turn)[0] == topic
    assert turn.trace("RecognizerResult")["context"] == "followup"


async def test_an_ordinal_picks_from_the_topics_the_last_answer_listed(convo):
    await convo.say("what's apache spark?")
    await convo.say("where can we run it on azure?")
    turn = await convo.say("ok tell me about the third one")
    assert decided(turn)[0].startswith("hdinsight-spark")


async def test_whether_a_preview_feature_is_ga_is_answered(convo):
    await convo.say("what's an AI skill in fabric?")
    turn = await convo.say("is it GA yet?")
    assert "preview" in turn.text


async def test_keeping_an_eye_on_token_usage_after_foundry_is_its_monitoring(convo):
    await convo.say("what can azure ai foundry do for us?")
    turn = await convo.say("can we keep an eye on token usage once it's live?")
    assert "token usage" in turn.text


async def test_ref_is_read_as_reference(convo):
    turn = await convo.say("list the ref architectures")
    assert decided(turn)[0].startswith("ml-reference-architectures")


async def test_a_follow_up_typed_without_its_apostrophe_is_still_one(convo):
    await convo.say("what is custom translator?")
    turn = await convo.say("when shouldnt we bother with it")
    assert turn.trace("RecognizerResult")["context"] == "followup"
    assert "Everyday content" in turn.text


@pytest.mark.parametrize("ellipsis", ["to and from which?", "from what into what?"])
async def test_a_bare_ellipsis_is_read_as_the_end_of_the_last_question(convo, ellipsis):
    await convo.say("which languages does custom translator cover?")
    turn = await convo.say(ellipsis)
    assert decided(turn)[0].startswith("custom-translator")
    assert "English" in turn.text
    assert turn.trace("RecognizerResult")["context"] == "followup"


async def test_an_aside_in_the_focus_topics_absence_is_not_read_with_the_last_question(convo):
    await convo.say("which languages does custom translator cover?")
    turn = await convo.say("btw who won the euros?")
    assert decided(turn)[0] == "None"


async def test_what_the_store_the_last_answer_named_is_built_underneath(convo):
    await convo.say("what is microsoft fabric?")
    turn = await convo.say("where does the data actually live in that setup?")
    assert "OneLake" in turn.text
    turn = await convo.say("and what's that built on underneath?")
    assert decided(turn)[0] == "onelake/built-on"  # "that" is OneLake, which the answer named


async def test_asking_what_it_is_built_on_is_not_asking_about_archbot(convo):
    turn = await convo.say("what's it built on?")
    assert turn.trace("RecognizerResult").get("declinedAs") != "decline-instructions"
    turn = await convo.say("who built you?")
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-instructions"


async def test_an_ordinal_counts_over_the_items_the_last_answer_listed(convo):
    await convo.say("which versions does the phi-3 family have?")
    turn = await convo.say("the second one?")
    assert "7 billion" in turn.text
    assert decided(turn)[0].startswith("phi-models")


@pytest.mark.parametrize("count", ["2nd one?", "more on the 2nd one", "second one pls"])
async def test_an_ordinal_in_digits_or_without_the_counts_over_the_list(convo, count):
    await convo.say("what sizes does phi-3 come in")
    turn = await convo.say(count)
    assert "7 billion" in turn.text
    assert decided(turn)[0].startswith("phi-models")


async def test_an_ordinal_counts_over_a_list_whose_last_item_holds_commas(convo):
    await convo.say("whats in the fabric spark runtime")
    turn = await convo.say("the 2nd?")
    assert decided(turn)[0] == "spark-in-fabric/delta-lake"


async def test_what_else_it_does_goes_deeper_into_the_focus(convo):
    await convo.say("what is azure machine learning")
    turn = await convo.say("what else does it do")
    assert decided(turn)[0] == "azure-machine-learning"
    assert "in more depth" in turn.text


async def test_after_an_ordinal_the_list_its_answer_shows_is_counted_next(convo):
    await convo.say("which versions does the phi-3 family have?")
    await convo.say("the second one?")
    turn = await convo.say("and the last one")
    assert "14 billion" in turn.text


async def test_consecutive_ordinals_count_over_the_same_list(convo):
    await convo.say("list the customer stories pls")
    turn = await convo.say("the third one?")
    assert decided(turn)[0].startswith("story-pimco")
    turn = await convo.say("and the last one")
    assert decided(turn)[0].startswith("story-ch-robinson")


async def test_an_ordinal_counts_over_the_users_own_list(convo):
    await convo.say(
        "pitching to logistics, automotive and asset management execs next week, "
        "which customer stories fit?"
    )
    turn = await convo.say("the first one, what's it about")
    assert decided(turn)[0].startswith("story-ch-robinson")


async def test_a_kind_of_thing_for_the_focus_is_the_related_topic_named_for_both(convo):
    await convo.say("does fabric have anything for real time stuff")
    turn = await convo.say("is there a copilot for it")
    assert decided(turn)[0].startswith("fabric-copilots")
    assert "Copilot for Real-Time Intelligence" in turn.text


async def test_a_thing_the_focus_topic_itself_answers_for_it_stays_its_own_question(convo):
    await convo.say("what is rag")
    turn = await convo.say("do I need a vector database for it?")
    assert decided(turn)[0] == "rag/rag-vector-only"


async def test_one_word_example_asks_for_an_example_of_the_focus(convo):
    await convo.say("what is deep learning?")
    turn = await convo.say("example?")
    family = {"deep-learning", "machine-learning", "machine-learning-vs-deep-learning"}
    assert decided(turn)[0].split("/")[0] in family  # not fine-tuning's "more examples"


async def test_a_topic_named_in_an_ellipsis_is_answered_when_the_focus_only_mentions_it(convo):
    await convo.say("ml vs deep learning?")
    await convo.say("when is deep learning actually worth it")
    turn = await convo.say("and what's plain ml good for")
    assert decided(turn)[0].startswith("machine-learning")  # not deep learning's frameworks


async def test_the_second_one_counts_over_the_users_list_when_it_names_more_than_the_pair(convo):
    # three platforms named, the answer compares two of them: the count is the user's
    await convo.say("we're evaluating fabric spark, hdinsight and databricks for ml, thoughts?")
    turn = await convo.say("the third one — which ml libraries come with it?")
    assert decided(turn)[0].startswith("azure-databricks")
    turn = await convo.say("and the first one's key components?")  # the user's list still
    assert decided(turn)[0] == "spark-in-fabric/components"


async def test_a_written_comparison_of_a_shorter_name_gives_way_to_the_sides_named(convo):
    # "copilot studio" holds "copilot": the written Copilot vs Azure OpenAI is not what was asked
    turn = await convo.say("copilot studio or azure openai for our assistant?")
    assert "Copilot Studio vs Azure OpenAI" in turn.text.split("\n")[0]
    turn = await convo.say("and for a team of python devs?")
    assert turn.trace("RecognizerResult")["context"] == "compare"


async def test_a_fragment_the_focus_does_not_say_is_read_in_a_related_topics_question(convo):
    await convo.say("can data scientists train models inside fabric?")
    turn = await convo.say("what languages?")
    assert decided(turn)[0] == "spark-in-fabric/languages"  # not language models


async def test_a_platform_the_focus_is_not_part_of_is_said_plainly_and_the_focus_kept(convo):
    await convo.say("what's automated machine learning?")
    turn = await convo.say("is that available in fabric too?")
    assert "I don't know Automated machine learning (AutoML) as part of Microsoft Fabric" in (
        turn.text
    )
    assert decided(turn)[0] == "microsoft-fabric"  # what the reply shows
    turn = await convo.say("ok, when would i not use it?")
    assert decided(turn)[0] == "automl"


async def test_a_platform_that_does_hold_the_focus_answers_how(convo):
    await convo.say("explain retrieval augmented generation")
    turn = await convo.say("can we do that in fabric too?")
    assert decided(turn)[0] == "microsoft-fabric/rag-on-fabric"


async def test_help_is_help_whatever_the_focus(convo):
    await convo.say("what does automl help with?")
    turn = await convo.say("help")
    assert decided(turn)[0] == "help"  # not the focus's part that says "help"


async def test_an_opening_acknowledgement_is_not_read_as_a_topic(convo):
    await convo.say("what does automl do for us?")
    turn = await convo.say("fine. what does it need from us to get going?")
    assert decided(turn)[0] == "automl/inputs"  # "fine" is no fine-tuning
    await convo.say("what does automl do for us?")
    turn = await convo.say("sure. what do we have to give it?")
    assert decided(turn)[0] == "automl/inputs"
    turn = await convo.say("unrelated, but what's onelake?")
    assert decided(turn)[0] == "onelake"  # "unrelated" is no "separate purchase"


async def test_thanks_and_goodbyes_after_an_answer_are_small_talk_not_about_that(convo):
    await convo.say("we're building an assistant that answers HR questions from our sharepoint")
    turn = await convo.say("thanks, that's useful")
    assert decided(turn)[0] in {"thanks", "goodbye"}  # "that" is the answer thanked
    turn = await convo.say("cool, makes sense")
    assert decided(turn)[0] == "acknowledgement"
    turn = await convo.say("nice, that's exactly what i needed")
    assert decided(turn)[0] in {"thanks", "goodbye"}
    turn = await convo.say("fine. what's it good for")  # asks: about the focus
    assert decided(turn)[0].startswith("rag")
    turn = await convo.say("we are fine with that")  # no fine-tuning
    assert decided(turn)[0] == "acknowledgement"
    turn = await convo.say("that's it for today")
    assert decided(turn)[0] == "goodbye"
    turn = await convo.say("actually one more: does it need a vector database")
    assert decided(turn)[0].startswith("rag")  # the focus outlived the small talk


async def test_why_not_the_other_side_after_a_comparison_is_the_comparison(convo):
    await convo.say("what is rag")
    turn = await convo.say("why not fine-tuning?")  # a pair the knowledge compares
    assert decided(turn)[0] == "rag-vs-fine-tuning"
    await convo.say("foundry vs ml studio?")
    await convo.say("which one for us, we're 5 data scientists doing tabular stuff")
    turn = await convo.say("why not foundry?")  # once prompt flow's flows
    assert turn.trace("RecognizerResult")["context"] == "compare"
    assert "AI Foundry" in turn.text and "Machine Learning studio" in turn.text


async def test_a_question_tag_and_the_reason_for_asking_are_set_aside(convo):
    await convo.say("what is custom translator?")
    turn = await convo.say("give me a real company using it so i can drop it in the deck")
    assert decided(turn)[0] == "story-volkswagen"
    turn = await convo.say("when isn't it worth it?")  # no tag: "isn't it" asks here
    assert decided(turn)[0].startswith("custom-translator")
    turn = await convo.say("that's the one that needs parallel documents, right?")
    assert decided(turn)[0] != "acknowledgement"


async def test_an_announced_change_of_subject_and_a_reference_to_the_guide_are_set_aside(convo):
    await convo.say("what does custom speech do?")
    turn = await convo.say("let's switch topics: what's OneLake?")
    assert decided(turn)[0] == "onelake"
    turn = await convo.say("what are embeddings useful for, per the guide?")
    assert decided(turn)[0].startswith(("azure-openai/embeddings", "embeddings-vector-search"))


async def test_words_the_knowledge_never_uses_refer_back_to_nothing(convo):
    await convo.say("small model we could run on-device for a field app?")
    turn = await convo.say("who won the league this year?")
    assert turn.trace("RecognizerResult")["topIntent"] == "None"


async def test_taking_back_what_was_said_is_set_aside(convo):
    await convo.say("what is fine-tuning in azure openai?")
    turn = await convo.say("hm i misspoke, what i really care about is cost")
    assert decided(turn)[0].startswith("azure-openai-fine-tuning")


async def test_a_follow_up_question_with_context_after_it_is_read_against_the_focus(convo):
    await convo.say("we want to fine-tune gpt-4o mini")
    turn = await convo.say(
        "when is it a waste of effort? our bot just has to answer from the handbook"
    )
    result = turn.trace("RecognizerResult")
    assert result["topIntent"].startswith("azure-openai-fine-tuning")
    assert result["context"] is not None


async def test_those_two_are_the_two_topics_the_last_answer_named(convo):
    await convo.say("which generative ai products does microsoft offer?")
    turn = await convo.say("how do those two differ?")
    result = turn.trace("RecognizerResult")
    assert result["context"] == "compare"
    assert "Microsoft Copilot" in turn.text and "Azure OpenAI" in turn.text


@pytest.mark.parametrize(
    ("message", "topic", "heading"),
    [
        ("what are the drawbacks of onelake", "onelake", "When not to use OneLake"),
        ("when is databricks overkill?", "azure-databricks", "When not to use Azure Databricks"),
        ("what is prompt flow good for?", "prompt-flow", "Use it when"),
        # a name holding another ("AI" of AI concepts, "Foundry") names one topic
        ("what is azure ai foundry good for?", "ai-foundry", "Use it when"),
        ("who uses ai foundry?", "ai-foundry", "C.H. Robinson"),
        ("who's using ai search in production?", "ai-search", "PIMCO"),
        ("who's used azure openai?", "azure-openai", "Kry"),
    ],
)
async def test_a_follow_up_phrase_naming_its_topic_is_asked_of_that_topic(
    convo, message, topic, heading
):
    turn = await convo.say(message)
    assert decided(turn) == (topic, "answer")
    assert heading in turn.text


async def test_the_customer_a_named_topic_s_story_tells_is_they_next(convo):
    await convo.say("who uses ai foundry?")
    turn = await convo.say("which service did they use?")
    assert "Azure AI Foundry" in turn.text


async def test_a_named_topic_after_it_is_not_the_subject_of_the_follow_up(convo):
    await convo.say("what's the smallest phi-3 model?")
    turn = await convo.say("why would i choose it over gpt-4o?")
    assert not decided(turn)[0].startswith("gpt-models")


@pytest.mark.parametrize(
    ("question", "aside"),
    [
        ("what is azure openai fine-tuning?", "and if we'd rather not do that?"),
        ("what is copilot studio?", "what if we'd rather avoid it?"),
        ("what's document intelligence?", "any other way to do it?"),
    ],
)
async def test_asking_for_another_way_gets_when_not_to_use_the_focus(convo, question, aside):
    await convo.say(question)
    turn = await convo.say(aside)
    assert "When not to use" in turn.text  # where it doesn't fit, and what fits instead


async def test_a_correction_that_puts_the_question_again_stays_in_the_topic(convo):
    await convo.say("can custom translator go japanese → korean directly")
    turn = await convo.say("sorry typo, i meant japanese → english")
    assert decided(turn)[0] == "custom-translator/translation-direction"  # asked again
    await convo.say("in prompt flow is a 'flow' the same thing as a 'prompt'?")
    await convo.say("so what's actually inside a prompt")
    turn = await convo.say("no sorry i meant the system message part specifically")
    assert decided(turn)[0] == "prompt-flow/prompt-parts"
    turn = await convo.say("no, I meant the translation one")  # another topic: not asked again
    assert not decided(turn)[0].startswith("prompt-flow")


async def test_anyone_done_that_at_a_real_company_asks_for_the_focus_topics_story(convo):
    await convo.say("we want smarter search over our sharepoint research library")
    turn = await convo.say("anyone done that at a real company? asset management ideally")
    assert "PIMCO" in turn.text


async def test_back_to_a_topic_with_a_question_it_has_no_part_for_asks_that_question(convo):
    await convo.say("what is custom translator")
    await convo.say("tell me the volkswagen story")
    turn = await convo.say(
        "ok back to it, what if we don't have any parallel docs to train it with?"
    )
    assert decided(turn)[0] == "custom-translator/dictionary-only"


async def test_back_to_a_topic_with_a_need_another_topic_answers_gets_that_answer(convo):
    await convo.say(
        "our analysts want to forecast which members will lapse from a spreadsheet export, "
        "none of them code"
    )
    await convo.say("side q: what's onelake?")
    turn = await convo.say(
        "ok back to the lapse model — how do we push the scores to our member system every night?"
    )
    assert decided(turn)[0].startswith("model-scoring")  # not AutoML's summary once more
    assert turn.trace("RecognizerResult")["context"] == "return"


async def test_an_existential_there_points_at_nothing_so_a_named_topic_is_asked(convo):
    await convo.say("what are the generative ai development tools?")
    turn = await convo.say("is there a python sdk for azure ml")
    assert "Generative AI development tools" not in turn.text  # not read against the focus
    assert "Python" in turn.text


async def test_an_odd_word_in_a_follow_up_is_no_unknown_detail(convo):
    await convo.say("we need to pull fields from scanned delivery notes, which service?")
    turn = await convo.say("does it handle our own weird layouts tho")
    assert "doesn't go into that detail" not in turn.text
    assert "custom" in turn.text.lower()


async def test_remind_me_the_difference_asks_to_be_told_not_to_act(convo):
    await convo.say("need to ingest from ~15 sources into a lakehouse nightly")
    await convo.say("our analysts want to do the transforms w/o code")
    turn = await convo.say("remind me the diff between those two")
    assert "can't do that" not in turn.text
    assert "drag-and-drop" in turn.text


async def test_the_difference_asked_alone_puts_the_last_two_topics_side_by_side(convo):
    await convo.say("want to detect assembly mistakes from line cameras using our claim history")
    await convo.say("should we go full deep learning on it?")
    turn = await convo.say("whats the real difference anyway")
    assert "Machine learning vs deep learning" in turn.text


async def test_a_pair_of_its_own_is_compared_not_the_last_two_topics(convo):
    await convo.say("what exactly is a language model vs generic genai")
    turn = await convo.say("conventional vs pretrained, what's the diff")
    assert "Language models vs Generative AI" not in turn.text


async def test_a_message_leaning_to_a_related_topic_is_answered_by_it(convo):
    await convo.say("when does it make sense to use ml at all in a workload")
    await convo.say("give me an example")
    turn = await convo.say("which azure service do we look at for training then")
    assert "Azure Machine Learning" in turn.text  # a topic related to machine learning
    assert turn.trace("RecognizerResult")["context"] == "refers"


async def test_what_a_correction_says_it_does_not_mean_is_no_part_of_what_it_means(convo):
    await convo.say("custom speech — what's the base model it starts from")
    turn = await convo.say("sorry i meant what can the custom model be used for, not the base")
    assert decided(turn)[0] == "custom-speech/where-usable"


async def test_a_written_comparison_of_another_pair_does_not_answer_the_pair_named(convo):
    turn = await convo.say("hey whats the diff between AI Foundry and Copilot Studio")
    assert "Azure AI Foundry vs Microsoft Copilot Studio" in turn.text
    turn = await convo.say("ai foundry vs copilot studio")
    assert "Azure AI Foundry vs Microsoft Copilot Studio" in turn.text
    turn = await convo.say("we need a language model for our app, big or small?")
    assert decided(turn)[0] == "llm-vs-slm"  # a side named loosely, the written one answers


async def test_which_one_with_a_need_after_a_comparison_answers_the_side_that_fits(convo):
    await convo.say("dataflows vs data pipelines in fabric data factory, what's the diff")
    turn = await convo.say("which one for moving petabyte-size data")
    assert "petabyte" in turn.text
    turn = await convo.say("and which for pulling from tons of different sources")
    assert "hundreds" in turn.text  # the pair is still compared: dataflows' many sources
    await convo.say("ai skill vs copilot for power bi, which for self-service reporting?")
    turn = await convo.say("which one answers questions by writing queries")
    assert decided(turn)[0].startswith("fabric-ai-skills")


async def test_an_ordinal_keeps_counting_over_its_list_when_the_answer_lists_as_many(convo):
    await convo.say("which ml reference architectures does the guide list")
    await convo.say("the third one?")  # MLOps, whose answer lists four things of its own
    turn = await convo.say("and the last one")
    assert "Batch scoring" in turn.text


@pytest.mark.parametrize(
    "asked", ["any customer that did something like that?", "got a customer example of it?"]
)
async def test_asking_for_a_customer_who_did_the_same_tells_the_focus_topics_story(convo, asked):
    await convo.say("client service reps need smart search over internal docs with gpt answers")
    turn = await convo.say(asked)
    assert "PIMCO" in turn.text


async def test_what_is_put_in_the_place_in_focus_is_asked_of_that_place(convo):
    await convo.say("tell me about onelake")
    turn = await convo.say("could we drop pdfs and photos in there too, or is it tables only?")
    assert decided(turn)[0] == "onelake/table-format"
    assert turn.trace("RecognizerResult")["context"] == "refers"
    assert "unstructured" in turn.text


async def test_a_connective_opening_the_question_says_nothing_of_its_subject(convo):
    await convo.say("how are models trained and validated?")
    turn = await convo.say("then how do applications use the trained model?")
    assert decided(turn)[0] == "model-scoring"


async def test_a_difference_from_a_topic_outside_the_last_comparison_is_its_own(convo):
    await convo.say(
        "should we train a deep learning model from scratch or use the ready-made ai services?"
    )
    turn = await convo.say("what's the difference to plain ML then?")
    assert decided(turn)[0] == "machine-learning-vs-deep-learning"


async def test_which_of_the_two_chooses_between_the_pair_whatever_else_it_names(convo):
    await convo.say("we want an assistant that answers from our hr policy pdfs, where do we begin")
    await convo.say("would fine-tuning be better than that?")
    turn = await convo.say("which of the two keeps our documents out of model training?")
    assert turn.trace("RecognizerResult")["context"] == "compare"
    assert decided(turn)[0] == "rag"


async def test_a_comparison_of_the_focus_topic_answers_a_follow_up_that_names_nothing(convo):
    await convo.say(
        "should our data scientists hand-code a pytorch model or start with automl for "
        "tabular forecasting"
    )
    turn = await convo.say("when would hand-coding make more sense")
    assert decided(turn)[0] == "automl-vs-custom-training/when-custom"
    assert turn.trace("RecognizerResult")["context"] == "refers"


async def test_that_service_after_a_model_answer_is_the_service_that_offers_it(convo):
    await convo.say("which gpt model can understand screenshots people send us?")
    turn = await convo.say("what other model families are in that service?")
    assert decided(turn)[0] == "azure-openai/model-list"
    assert "o1" in turn.text


async def test_what_a_word_means_in_this_context_asks_for_the_word_itself(convo):
    await convo.say("where's the line between small and large language models?")
    turn = await convo.say("and what's a parameter in that sense?")
    assert decided(turn)[0] == "model-parameters"
    assert "weights" in turn.text


async def test_how_does_this_compare_to_a_named_topic_compares_the_focus_with_it(convo):
    await convo.say("what is azure databricks?")
    turn = await convo.say("how does this compare to azure machine learning for training jobs?")
    assert turn.trace("RecognizerResult")["context"] == "compare"
    assert "Azure Databricks" in turn.text and "Azure Machine Learning" in turn.text


async def test_a_comparison_with_a_clause_asks_that_clause(convo):
    await convo.say("what is azure databricks?")
    turn = await convo.say("how does that compare with what automl does for features?")
    assert turn.trace("RecognizerResult")["context"] != "compare"


async def test_it_is_what_the_message_named_before_referring_back(convo):
    await convo.say("where should we store raw data for our ai projects?")
    turn = await convo.say("we already pay for fabric, so does that change it?")
    assert decided(turn)[0].startswith("onelake")
    turn = await convo.say("how is access controlled in it?")
    assert decided(turn)[0] == "onelake/access"  # not Data Lake Storage's file security


async def test_an_it_that_points_at_nothing_leaves_the_focus_alone(convo):
    await convo.say("we want to extract the fields of our bills of lading")
    turn = await convo.say("what does it mean that AML is 'mlflow compatible'")
    assert decided(turn)[0].startswith("mlflow")


async def test_a_question_answered_surely_on_its_own_is_no_end_of_the_last_one(convo):
    await convo.say("how many parameters make a language model large?")
    turn = await convo.say("so what's a parameter")
    assert decided(turn)[0] == "model-parameters"


async def test_what_is_asked_with_what_last_asks_what_it_is(convo):
    await convo.say("roughly how does model training work in azure ml?")
    await convo.say("and validation?")
    turn = await convo.say("ok and scoring is what")
    assert decided(turn)[0].startswith("model-scoring")


async def test_anything_on_a_service_after_a_story_is_the_other_story_about_it(convo):
    await convo.say("do you have a healthcare customer story?")
    turn = await convo.say("anything on machine translation?")
    assert decided(turn)[0] == "story-volkswagen"
    turn = await convo.say("and anything for search in client service?")
    assert decided(turn)[0] == "story-pimco"


async def test_point_and_click_is_read_as_drag_and_drop(convo):
    await convo.say("what is automl?")
    turn = await convo.say("our analysts don't code at all, is there something point and click?")
    assert decided(turn)[0] == "azure-machine-learning/low-code"


async def test_what_it_is_essentially_is_what_it_is(convo):
    await convo.say("why not train our own deep learning model?")
    turn = await convo.say("what is it essentially?")
    assert decided(turn)[0] == "deep-learning"
    assert "neural networks" in turn.text


async def test_no_two_follow_up_buttons_ask_the_same_thing(convo):
    turn = await convo.say("tell me the volkswagen customer story")
    openings = [tuple(title.lower().split()[:3]) for title in turn.buttons]
    assert "Which service did they use?" in turn.buttons
    assert len(openings) == len(set(openings)), turn.buttons


async def test_a_short_question_said_nearly_as_much_by_two_parts_gets_the_likelier(convo):
    await convo.say("what's the deal with ADLS gen2 for an ML data lake")
    turn = await convo.say("does it keep up at scale?")
    # its scale, not its comparison with Blob Storage, which says "scale" too
    assert turn.trace("RecognizerResult")["topIntent"] == "data-lake-storage-gen2/scale"


async def test_a_long_follow_up_the_focus_says_is_no_switch_to_what_it_guesses_elsewhere(convo):
    await convo.say("need transcripts for our support calls, what do we use")
    await convo.say("it keeps mishearing our product names tho")
    turn = await convo.say("what would we have to feed it to get better")
    # Custom Speech's training data, not why a small language model may be better
    assert turn.trace("RecognizerResult")["topIntent"].startswith("custom-speech")
    assert "text data" in turn.text


async def test_a_question_announced_as_the_last_one_counts_to_no_item(convo):
    await convo.say("what's inside microsoft fabric")  # lists Fabric's workloads
    turn = await convo.say("last one: what is mlflow?")
    assert turn.trace("RecognizerResult")["topIntent"] == "mlflow"


async def test_saying_the_platform_we_are_on_gets_the_focus_topics_counterpart_there(convo):
    await convo.say(
        "where do we land raw data for our ML projects? all formats, mostly unstructured"
    )
    turn = await convo.say("we're already on fabric tho")
    assert turn.trace("RecognizerResult")["topIntent"] == "onelake"  # Data Lake Storage's
    await convo.say("what is apache spark")
    turn = await convo.say("we're already on fabric")
    assert turn.trace("RecognizerResult")["topIntent"] == "spark-in-fabric"  # names Fabric


async def test_saying_the_platform_we_are_on_in_a_question_asks_that_question(convo):
    await convo.say(
        "our prompts for gpt are getting huge, is fine-tuning worth it on azure openai?"
    )
    turn = await convo.say("we're on gpt-4o mini, does fine-tuning still help?")
    assert turn.trace("RecognizerResult")["topIntent"].startswith("azure-openai-fine-tuning")


async def test_the_base_one_after_the_landing_zone_variant_is_the_baseline(convo):
    await convo.say("we have to deploy our gpt chat app inside the corporate landing zone")
    turn = await convo.say("what does the base one look like though")
    assert "App Service" in turn.text


async def test_where_flows_are_built_after_returning_to_prompt_flow(convo):
    await convo.say("what's prompt flow")
    await convo.say("is every flow a prompt flow then?")
    await convo.say("different topic - how do we store embeddings on databricks")
    turn = await convo.say("ok back to the flow stuff, where do we actually build those")
    assert "AI Foundry" in turn.text


async def test_training_our_own_classifier_after_photo_descriptions_is_vision_training(convo):
    await convo.say("adjusters upload car damage photos, want auto descriptions of the damage")
    turn = await convo.say("what about training our own damage classifier instead")
    assert "Azure Machine Learning" in turn.text


async def test_a_thing_named_then_asked_what_it_is_is_defined(convo):
    await convo.say("how do we serve our trained aml model — realtime and batch?")
    turn = await convo.say("and the scoring bit, what is that exactly")
    assert turn.trace("RecognizerResult")["topIntent"] == "model-scoring"


async def test_a_lighter_variant_of_the_reasoning_model_is_o1_mini(convo):
    turn = await convo.say("need something strong for multi-step logic in our rules engine")
    assert "o1" in turn.text
    turn = await convo.say("is there a lighter variant of that?")
    assert "o1-mini" in turn.text


async def test_outgrowing_automl_leads_to_own_training_code_in_azure_ml(convo):
    await convo.say("analyst team wants to forecast demand from sales tables, no data scientists")
    turn = await convo.say("and if a real ds joins later and wants full control with pytorch?")
    assert turn.trace("RecognizerResult")["topIntent"] == "automl/full-control"


async def test_the_authoring_side_of_copilot_studio_is_its_canvas(convo):
    await convo.say("we want to build a separate assistant for our customers in copilot studio")
    turn = await convo.say("what does the authoring side look like?")
    assert "canvas" in turn.text


@pytest.mark.parametrize(
    "then",
    ["and for the strong accents / bad mics?", "sorry, the bigger issue is line noise"],
)
async def test_audio_conditions_after_custom_speech_data_need_audio_and_transcripts(convo, then):
    await convo.say("what is custom speech")
    await convo.say("what data does it need?")
    turn = await convo.say(then)
    assert "reference transcriptions" in turn.text


async def test_going_all_in_on_a_platform_after_a_comparison_gets_its_side(convo):
    await convo.say("adls gen2 vs onelake, which one")
    turn = await convo.say("we're going all-in on fabric fwiw")
    assert turn.trace("RecognizerResult")["topIntent"] == "onelake"


async def test_the_llm_service_paired_with_rag_on_returning_to_it_is_azure_openai(convo):
    await convo.say("what is rag")
    await convo.say("what else are embeddings good for?")
    turn = await convo.say("ok back to the rag bit - which llm service pairs with it on azure?")
    assert turn.trace("RecognizerResult")["topIntent"] == "rag/generation-service"
    assert "Azure OpenAI" in turn.text


@pytest.mark.parametrize(
    ("first", "concern", "answered"),
    [
        (
            "our service desk wants transcripts of their phone calls",
            "it'll get our product names wrong tho, we invented most of them",
            "custom-speech",
        ),
        (
            "we need data from sap and sql server landed in the lake every night",
            "but most of the team can't write code though",
            "data-factory",
        ),
        (
            "what is azure ai translator",
            "problem is our terminology is super niche",  # weakly read, but only in the family
            "custom-translator",
        ),
    ],
)
async def test_a_concern_stated_after_a_topic_is_answered_by_its_family(
    convo, first, concern, answered
):
    await convo.say(first)
    turn = await convo.say(concern)
    assert decided(turn)[0].split("/")[0] == answered
    assert turn.trace("RecognizerResult")["context"] == "refers"


async def test_a_question_of_its_own_with_though_is_no_concern(convo):
    await convo.say("what is deep learning")
    turn = await convo.say("who invented it though")
    assert decided(turn)[0] == "None"


async def test_a_need_told_on_returning_is_answered_by_the_topic_it_surely_reads(convo):
    await convo.say("we want a bot that answers staff questions only from our travel policy pdfs")
    await convo.say("separate question: what is automl?")
    turn = await convo.say(
        "ok back to the policy bot - the travel team wants to build and change it themselves,"
        " no developers"
    )
    assert decided(turn)[0] == "copilot-studio"
    assert turn.trace("RecognizerResult")["context"] == "return"


async def test_a_concern_read_elsewhere_on_its_own_is_read_in_the_focus_family(convo):
    await convo.say("support tickets arrive in 12 languages, agents speak english")
    turn = await convo.say("our product terms get mangled though")  # Custom Speech on its own
    assert decided(turn)[0] == "custom-translator"
    await convo.say("our contact center wants every call transcribed for QA")
    turn = await convo.say("accuracy is meh on our product names tho, fix?")
    assert decided(turn)[0] == "custom-speech"  # Custom Translator on its own


async def test_a_concern_may_be_answered_by_an_intent_naming_the_focus_topic(convo):
    await convo.say("what is custom translator")
    turn = await convo.say("our docs are full of internal jargon tho, does that matter")
    assert "Custom Translator" in turn.text
    assert turn.trace("RecognizerResult")["context"] == "refers"


@pytest.mark.parametrize(
    "told",
    [
        "our team mostly builds gpt chat assistants with some retrieval, which one suits us",
        "we mostly build gpt chat assistants with a little retrieval",
    ],
)
async def test_a_need_told_after_a_comparison_picks_the_side_it_fits(convo, told):
    await convo.say("foundry or azure ml studio, what's the difference?")
    turn = await convo.say(told)
    assert decided(turn)[0].startswith("ai-foundry")
    assert turn.trace("RecognizerResult")["context"] == "compare"


async def test_fairness_across_regions_is_responsible_ai_not_a_regions_question(convo):
    await convo.say("analysts want to predict churn with automl")
    turn = await convo.say(
        "legal wants proof the model isn't biased against customers in some regions"
    )
    assert decided(turn)[0] == "azure-machine-learning/responsible-ai"


async def test_a_figure_the_answer_in_context_lacks_is_read_where_it_is_stated(convo):
    await convo.say("we're building agents that call internal apis, where should we build them")
    await convo.say("what frameworks does that work with")
    turn = await convo.say("how many models could we choose from there")
    assert decided(turn)[0] == "ai-foundry/model-catalog"
    assert "1,600" in turn.text


async def test_a_named_part_inside_the_focus_is_its_related_topic_named_for_it(convo):
    await convo.say("what is fabric")
    turn = await convo.say("and the spark inside it, what's under the hood")
    assert decided(turn)[0].startswith("spark-in-fabric")
    await convo.say("what is custom speech")
    turn = await convo.say("is it legally admissible to use ai transcripts in court")
    assert decided(turn)[0] == "None"  # "ai" names no part of a related topic


async def test_asking_whether_a_need_calls_for_fine_tuning_gets_when_it_does_not(convo):
    await convo.say("want a chatbot over our hr policies")
    turn = await convo.say("do we need to fine-tune a model for that?")
    assert "RAG" in turn.text  # not Foundry's hosted fine-tuning
    await convo.say("ok then what is AI Foundry for")
    turn = await convo.say("can i fine tune in it")
    assert decided(turn)[0] == "ai-foundry/hosted-fine-tuning"


async def test_a_message_that_is_only_a_follow_up_is_about_the_focus_not_a_name_in_its_answer(
    convo,
):
    # Mosaic AI Vector Search's answer opens with "the Azure Databricks store …"
    await convo.say("what does mosaic ai vector search do")
    turn = await convo.say("what is it good for?")
    assert decided(turn)[0] == "mosaic-ai-vector-search"
    assert turn.trace("RecognizerResult")["context"] == "followup"


async def test_a_reference_arch_is_a_reference_architecture(convo):
    await convo.say("how do we bring devops practices to our ml models")
    turn = await convo.say("got a reference arch for it?")
    assert "Machine learning operations for Python models" in turn.text


async def test_and_for_another_purpose_after_a_choice_is_the_same_choice_for_it(convo):
    await convo.say("fabric or databricks, what's the difference?")
    await convo.say("which one suits analysts who live in power bi?")
    turn = await convo.say("and for heavy ml training?")
    assert turn.trace("RecognizerResult")["context"] == "compare"
    assert "Databricks" in turn.text


async def test_the_model_that_writes_the_answers_is_rags_generation_side(convo):
    await convo.say("we want a bot over our help center articles")
    turn = await convo.say("and which model writes the answers?")
    assert decided(turn)[0] == "rag/generation-service"


async def test_a_team_that_does_not_code_asks_for_the_no_code_side(convo):
    await convo.say("need to ingest from 40 sources into fabric for an ml project")
    turn = await convo.say("our etl folks don't code")
    assert "low-code" in turn.text  # the dataflows, not code-first feature engineering


async def test_i_meant_a_few_words_in_corrects_a_message_nothing_else_read(convo):
    await convo.say("how do we even pick an algorithm for a new ml problem")
    await convo.say("does azure ml help with that part?")
    turn = await convo.say(
        "sorry not the general service, i meant the automated option specifically"
    )
    assert "AutoML" in turn.text
    assert turn.trace("RecognizerResult")["context"] == "correction"


async def test_weighing_another_option_for_that_gets_the_written_comparison(convo):
    await convo.say("chatbot over our confluence export, should only answer from that content")
    turn = await convo.say("why not just fine-tune the model on the wiki instead?")
    assert turn.trace("RecognizerResult")["topIntent"] == "rag-vs-fine-tuning"
    turn = await convo.say("where would the vectors live?")  # still about RAG
    assert "vector" in turn.text.lower()
    assert turn.trace("RecognizerResult")["topIntent"] != "rag-vs-fine-tuning"


async def test_a_written_comparison_offers_each_side_as_a_follow_up(convo):
    turn = await convo.say("rag vs fine-tuning")
    assert {"Retrieval Augmented Generation (RAG)", "Fine-tuning in Azure OpenAI"} <= set(
        turn.buttons
    )
    turn = await convo.say(turn.clicks["Fine-tuning in Azure OpenAI"])
    assert turn.trace("RecognizerResult")["topIntent"] == "azure-openai-fine-tuning"


async def test_asking_to_be_sent_a_link_is_answered_with_it_not_declined_as_an_action(convo):
    await convo.say("what's synapseml?")
    turn = await convo.say("share the repo link pls")
    assert decided(turn)[0].startswith("synapseml")
    assert "github.com/microsoft/SynapseML" in turn.text
    turn = await convo.say("now send that link to my manager")
    assert "I can't do that for you" in turn.text  # sent to someone else: an action


async def test_their_story_is_the_customer_in_focus_not_one_whose_question_says_it(convo):
    await convo.say("who automated logistics work with azure ai?")
    turn = await convo.say("so what's the gist of their story")
    assert decided(turn)[0].startswith("story-ch-robinson")


async def test_a_totally_different_question_is_read_on_its_own(convo):
    await convo.say("what is mlops?")
    turn = await convo.say("totally different question - how do I begin with custom translator?")
    assert decided(turn)[0].startswith("custom-translator")
    assert "Let's find the right architecture" not in turn.text


async def test_a_topic_set_aside_at_the_end_is_not_what_the_follow_up_asks_about(convo):
    await convo.say("databricks vector search?")
    turn = await convo.say("what is it good for other than rag")
    assert decided(turn)[0] == "mosaic-ai-vector-search"
    assert turn.trace("RecognizerResult")["context"] == "followup"


async def test_the_focus_set_aside_at_the_end_is_not_what_the_message_asks_about(convo):
    await convo.say("what's an AI skill in fabric?")
    turn = await convo.say("which prebuilt copilots exist in fabric besides that?")
    assert decided(turn)[0] == "fabric-copilots/all-copilots"  # not AI skills vs copilots


async def test_a_part_the_recognizer_is_sure_of_beats_one_that_only_says_more_words(convo):
    await convo.say("can data lake storage gen2 restrict access per file?")
    turn = await convo.say("ok and how big can it scale")
    assert decided(turn)[0] == "data-lake-storage-gen2/scale"  # not "big-data scale" vs Blob
    assert "petabytes" in turn.text


async def test_an_item_of_the_list_picked_by_its_words_gets_its_own_part(convo):
    await convo.say("which copilots ship with fabric?")
    turn = await convo.say("and the real-time one?")
    assert decided(turn)[0] == "fabric-copilots/real-time"  # its copilot, not Fabric's RTI
    turn = await convo.say("the power bi one, what can it do")
    assert decided(turn)[0] == "fabric-copilots/power-bi"  # the list is still counted over


async def test_a_count_with_no_list_counts_over_the_stories_discussed(convo):
    await convo.say("is there an azure openai customer story from healthcare?")
    await convo.say("and something from financial services?")
    turn = await convo.say("so what did the second one make?")
    assert decided(turn)[0].startswith("story-pimco")  # Kry came up first, PIMCO second


async def test_markdown_emphasis_typed_around_a_word_reads_as_the_word(convo):
    await convo.say("should we use deep learning for our fraud model?")
    turn = await convo.say("when *would* it make sense then?")
    assert turn.shown.startswith("**When Deep learning is the right choice**")


async def test_a_choice_the_comparison_answers_itself_gets_its_answer(convo):
    await convo.say("what's the difference between copilot and azure openai?")
    turn = await convo.say("which one do we build on if we're making our own app?")
    assert decided(turn) == ("copilot-vs-azure-openai/which-for-own-app", "answer")
    assert "Azure OpenAI. It's the platform your developers build on" in turn.text


async def test_what_lies_underneath_the_data_lake_is_blob_storage(convo):
    await convo.say("we want to dump raw logs and csvs in one place without a schema first")
    turn = await convo.say("what's underneath it")
    assert "Blob Storage" in turn.text


async def test_all_in_on_a_platform_after_a_comparison_takes_its_side(convo):
    await convo.say("adls gen2 or onelake for our new data platform?")
    turn = await convo.say("we're already all in on fabric fwiw")
    assert decided(turn)[0] == "onelake"


async def test_sorry_meant_corrects_the_last_answer(convo):
    await convo.say("we need live captions during all-hands")
    turn = await convo.say("sorry, meant translated captions too, for the japan office")
    assert turn.trace("RecognizerResult")["context"] == "correction"
    assert "Translator" in turn.text


async def test_those_models_after_a_model_are_that_model_not_a_kind_its_answer_names(convo):
    # Phi's answer names "language models" first: "those models" are still Phi's
    await convo.say("need a model that runs on the tablets our inspectors carry, zero signal")
    turn = await convo.say("how big are those models?")
    assert decided(turn)[0] == "phi-models/phi3-sizes"


async def test_after_launch_asks_about_production(convo):
    await convo.say("launching a public chatbot soon. how do we stop it saying toxic stuff?")
    turn = await convo.say("and after launch?")
    assert decided(turn)[0] == "ai-foundry/evaluation-safety"
    assert "monitor" in turn.text.lower()


async def test_a_reference_the_focus_family_barely_reads_is_about_what_it_names(convo):
    await convo.say("we've got thousands of hours of meeting recordings and want them as text")
    turn = await convo.say("and summaries of those?")  # not Translator, Speech's weak kin
    assert decided(turn) == ("azure-openai/tasks", "answer")
    assert "summarization" in turn.text


async def test_the_two_after_a_written_comparison_are_its_sides(convo):
    await convo.say("should we be doing deep learning for our sales forecast? the new hire is keen")
    turn = await convo.say("what's the actual difference between the two")
    assert turn.trace("RecognizerResult")["context"] == "compare"
    assert "Machine learning vs deep learning" in turn.text  # not ML vs generative AI


async def test_another_fabric_copilot_after_data_factorys_is_that_copilot(convo):
    await convo.say("is there a copilot for building pipelines in fabric")
    turn = await convo.say("and for warehouse sql?")
    assert decided(turn) == ("fabric-copilots/data-warehouse", "answer")


async def test_a_pile_that_is_not_all_invoices_needs_classification_first(convo):
    await convo.say(
        "what's the service for pulling totals and vendor names out of scanned invoices?"
    )
    await convo.say("how much per page tho")  # declined; the focus stays
    turn = await convo.say("ok fair. and if half the pile isn't invoices at all?")
    assert "classification" in turn.text


async def test_vms_are_a_kind_of_compute_not_a_detail_to_decline(convo):
    await convo.say("what's the responsible ai dashboard in aml for?")
    turn = await convo.say("does it support spark compute or just VMs?")
    assert decided(turn) == ("azure-machine-learning/compute", "answer")


async def test_a_github_repo_asked_after_a_reference_architecture_is_the_samples_repo(convo):
    await convo.say("mlops reference arch for python?")
    await convo.say("and batch scoring for spark models")
    turn = await convo.say("is there a github repo with samples")
    assert decided(turn)[0] == "microsoft-ai-resources/github"


async def test_the_other_one_after_a_comparison_is_its_second_side(convo):
    await convo.say("AI Foundry or Azure ML studio for our genai team?")  # led with Foundry
    turn = await convo.say("and the other one is better for what then?")
    assert decided(turn)[0] == "azure-machine-learning"


@pytest.mark.parametrize(
    ("said", "then", "intent", "shown"),
    [
        (  # automations asked of Copilot Studio are its workflows, not AutoML
            "quickest way to build a customer-facing FAQ bot for our website, low code?",
            "can it do automations too or just chat?",
            "copilot-studio/workflows",
            "workflows",
        ),
        (  # the services inside Fabric are its workloads
            "what is fabric, in one line?",
            "which services are inside it?",
            "microsoft-fabric/workloads",
            "Real-Time Intelligence",
        ),
        (  # "that one" right after a name is the one named, not the focus
            "does aoai have the o1 models?",
            "ok and GPT-4 Turbo with Vision, what's that one good for?",
            "gpt-models/vision",
            "images",
        ),
        (  # a team that is not technical gets Data Factory's low-code side
            "which tool should move data from our 20 source systems into the lakehouse",
            "team isn't very code heavy tbh",
            "data-factory/pipelines-vs-dataflows",
            "dataflows",
        ),
        (  # how a live genai app is watched is Foundry's monitoring
            "our aoai chatbot said something pretty offensive in testing 😬 what's the guardrail "
            "story in foundry?",
            "and after go-live how do we know it's still behaving?",
            "ai-foundry/evaluation-safety",
            "monitors",
        ),
        (  # the frameworks Foundry keeps, asked of it as "there"
            "do we need to fine-tune to answer from our sharepoint docs in foundry?",
            "and which dev frameworks can we keep using there",
            "ai-foundry/frameworks",
            "Semantic Kernel",
        ),
        (  # articles full of product jargon need Custom Translator
            "what should we use for translating our knowledge base articles?",
            "they're full of internal product jargon fwiw",
            "custom-translator",
            "Custom Translator",
        ),
        (  # the extraction half of a mailroom's models is named
            "for the mailroom project, which doc intelligence model sorts doc types?",
            "then what does the extraction?",
            "document-intelligence-custom-models/standalone-extraction",
            "custom extraction model",
        ),
        (  # what it is, fundamentally, is what the focus topic is: its definition
            "do we need deep learning for demand forecasting",
            "what is it fundamentally",
            "deep-learning",
            "neural networks",
        ),
        (  # what it is good for stays when to use it
            "what is onelake",
            "what is it good for",
            "onelake",
            "When OneLake is the right choice",
        ),
        (  # what it involves goes deeper into what was answered
            "does automl do feature engineering for me?",
            "what does that involve?",
            "automl",
            "in more depth",
        ),
        (  # nothing answers it alone, but the knowledge uses all its words: the focus, Phi
            ("small model we could run on-device for a field app?", "which size is the smallest?"),
            "and if we later need something more capable from the same family?",
            "phi-models",
            "medium",
        ),
        (  # the same, read first with the name of the topic answered last
            (
                "we need to pull line items out of vendor invoices, mostly PDFs",
                "what if some vendors use a layout it doesn't know?",
            ),
            "ok. can callers hit one endpoint for all those layouts?",
            "document-intelligence-custom-models",
            "composed",
        ),
        (  # a concept asked of a product is the product's part for it
            ("what is microsoft fabric?",),
            "what about the ml side?",
            "microsoft-fabric/data-science",
            "Data Science",
        ),
        (  # a topic named of what "it" points at: that topic as it is there
            ("where does fabric keep its data?",),
            "and can spark read it directly?",
            "spark-in-fabric",
            "Fabric Runtime",
        ),
        (  # a part far likelier than the topic's whole text, which says everything
            ("what is phi?",),
            "can it run in-process with our app?",
            "phi-models/phi-where-runs",
            "in-process",
        ),
        (
            ("what does automl do?",),
            "what does it actually automate for them?",
            "automl/what-it-automates",
            "featurization",
        ),
        (  # "the o-series": OpenAI's o1 reasoning models
            ("what llms can I get in azure openai?",),
            "the o-series ones, which exactly?",
            "azure-openai/o1-models",
            "o1-mini",
        ),
        (  # which template a file is: the classification model
            (
                "we want to pull the totals and vendor names out of supplier pdf invoices",
                "what if every supplier uses a different layout?",
            ),
            "how would we know which supplier's template it is?",
            "document-intelligence-custom-models/composed-vs-classification",
            "classification model",
        ),
        (
            (
                "any examples of companies using azure openai in healthcare?",
                "financial services?",
                "logistics?",
            ),
            "what did that last one build on",
            "story-ch-robinson",
            "C.H. Robinson",
        ),
        (  # after a return, what refers back reads a topic related to where it returns
            ("does fabric handle streaming events?", "and warehousing?"),
            "back to the streaming — is there a copilot for that?",
            "fabric-copilots",  # not Microsoft Copilot
            "Real-Time Intelligence",
        ),
        (  # an announced switch says nothing of the new subject
            ("which azure thing for real-time transcription of support calls?",),
            "switching gears — what's onelake?",
            "onelake",
            "OneLake",
        ),
        (  # "side q" announces a switch; "these days" points at no topic
            ("a heap of scanned forms to sort by type, then pull their fields",),
            "side q: which models does azure openai offer these days?",
            "azure-openai/model-list",
            "GPT-4o",
        ),
        (  # a correction naming Copilot Studio means it, not Microsoft Copilot inside its name
            ("what's copilot?",),
            "no, I meant copilot studio actually",
            "copilot-studio",
            "authoring canvas",
        ),
        (  # "that company" with no customer named yet: the focus topic's customer story
            ("our relationship managers can't find anything in sharepoint, we need better search",),
            "what did that company build?",
            "ai-search",
            "PIMCO",
        ),
        (  # one hub for both portals, said in the answer on hubs and projects
            ("what is ai foundry?",),
            "can the same hub be used from ml studio?",
            "ai-foundry/team-prototype-to-production",
            "both the AI Foundry portal and Azure Machine Learning studio",
        ),
        (  # an ellipsis pointing at nothing names its own subject, read surely elsewhere
            ("which low code options are there for building ml models?",),
            "and low code for data prep?",
            "data-factory",
            "Data Factory",
        ),
        (  # "an example" after a customer story asks for another one
            ("tell me about the kry story",),
            "nice. got an example from retail banking that used search?",
            "story-pimco",
            "PIMCO",
        ),
        (  # "besides" a kind of use, not the reasoning models "besides GPT"
            ("which gpt models does azure have?",),
            "ok and what can aoai do besides chat?",
            "azure-openai/tasks",
            "natural language to code",
        ),
        (
            ("can analysts use automl too?",),
            "so what does it actually do in practice?",
            "automl/what-it-automates",
            "model selection",
        ),
        (
            ("is machine learning right for forecasting late deliveries?",),
            "how does the training process work?",
            "model-training",
            "validation",
        ),
        (  # "vs" between two parts of the topic named, not the focus against it
            ("lots of teams, want shared compute/quota/networking for ml and genai work",),
            "and what's a project vs a hub in ai foundry",
            "ai-foundry/team-prototype-to-production",
            "invite others",
        ),
        (  # "anyone in …" after a customer story asks for another one
            ("tell me about the pimco story", "and the volkswagen one"),
            "anyone in logistics?",
            "story-ch-robinson",
            "C.H. Robinson",
        ),
        (  # an unsure reading whose likeliest is another story
            ("story about logistics automation on azure ai?", "what did they build it on?"),
            "anything in the electrical / building tech space?",
            "story-legrand/details",
            "Legrand",
        ),
        (  # the focus topic's own copilot, not the list of Fabric's
            ("need to ingest & transform from tons of sources low code",),
            "ok is there an ai assistant inside that ingestion tool",
            "data-factory/copilot",
            "Copilot for Data Factory",
        ),
        (
            ("need to ingest & transform from tons of sources low code",),
            "is there a copilot in it",
            "data-factory/copilot",
            "Copilot for Data Factory",
        ),
        (  # a part of the focus topic set against another of its parts: no comparison
            (
                "so we have 8 project teams doing genai stuff and the security team wants "
                "central control over compute + connections without blocking the teams",
            ),
            "is a project different from a hub",
            "ai-foundry/hub-who-benefits",
            "project",
        ),
        (  # Fabric notebooks run on the Fabric Runtime: their copilot is its kin
            (
                "trying to explain to my team what's under the hood for spark in fabric, help",
                "what languages can we use in notebooks there",
            ),
            "ok and is there a copilot for those notebooks?",
            "fabric-copilots/notebooks",
            "Copilot for Data Science and Data Engineering",
        ),
        (  # Azure Machine Learning was answered last about machine learning: its scoring
            (
                "we want to flag assembly defects in photos using our warranty claim history",
                "which platform would the ds team train that on",
            ),
            "ok and how do we serve the model to the line app",
            "model-scoring",
            "real-time",
        ),
        (  # a fragment read surely as another topic's question: not training's own text
            (
                "when does ml even make sense vs plain old rules",
                "how does training/validation work",
            ),
            "and retraining?",
            "machine-learning/retraining",
            "drifts",
        ),
        (  # "bolted on": integrated afterwards
            ("what all does fabric include",),
            "is ai bolted on or built in",
            "microsoft-fabric/azure-openai-from-fabric",
            "embedded",
        ),
        (  # alone it strays to MLflow ("… change anything?"); with the focus, its family
            ("claims reach us as scanned pdfs and we need the amounts out",),
            "do we need to train anything?",
            "azure-ai-services",
            "prebuilt",
        ),
        (  # the last answer's family: Copilot Studio relates to AI Foundry
            (
                "copilot vs agent, what's the difference really",
                "can business users build one without code",
            ),
            "and if our devs want a framework",
            "ai-foundry/frameworks",
            "Semantic Kernel",
        ),
    ],
)
async def test_a_follow_up_is_read_against_what_was_just_answered(convo, said, then, intent, shown):
    for message in (said,) if isinstance(said, str) else said:  # one message or several
        await convo.say(message)
    turn = await convo.say(then)
    assert decided(turn) == (intent, "answer")
    assert shown in turn.text


async def test_alternatives_and_where_to_train_after_deep_learning(convo):
    await convo.say("should we go deep learning for detecting defects in x-ray images?")
    turn = await convo.say("what alternatives should we look at first")
    assert turn.trace("RecognizerResult")["context"] == "followup"
    assert "prebuilt" in turn.text
    turn = await convo.say("ok which platform if we do go custom")
    assert decided(turn)[0] == "deep-learning/where-to-train"
    assert "Azure Machine Learning" in turn.text


async def test_asking_a_customer_story_for_its_customer_tells_the_story_itself(convo):
    await convo.say("we need enterprise search for our financial advisors")
    turn = await convo.say("what did that company build?")
    assert decided(turn) == ("story-pimco", "answer")
    assert "Who uses" not in turn.text  # not "Who uses Customer story: PIMCO: …"
    assert "AI-powered search platform" in turn.text


async def test_a_question_pointing_at_what_the_last_answer_said_gets_that_answer_again(convo):
    await convo.say("is the out of box speech recognition good enough for general meetings")
    turn = await convo.say("what's it trained on")  # the base model, not model training
    assert turn.trace("RecognizerResult")["context"] == "refers"
    assert "Microsoft-owned data" in turn.text


async def test_another_story_of_the_same_service_is_the_other_customer(convo):
    await convo.say("customer story w/ azure openai in healthcare?")
    turn = await convo.say("and any with azure openai outside healthcare?")
    assert decided(turn) == ("story-legrand", "answer")  # not Kry's story again


async def test_an_ellipsis_after_a_customer_story_asks_for_the_story_it_names(convo):
    await convo.say("which manufacturer put azure openai into its products?")
    turn = await convo.say("and for translation?")
    assert "Volkswagen" in turn.text


async def test_who_else_did_something_like_this_asks_for_the_customer_story(convo):
    await convo.say("we need our manuals translated with our own product terms kept")
    turn = await convo.say("ok, who else did something like this")
    assert turn.trace("RecognizerResult")["context"] == "followup"
    assert "Volkswagen" in turn.text


async def test_the_focus_on_a_platform_named_after_vector_stores_is_its_vector_store(convo):
    await convo.say("where do the embeddings live")
    turn = await convo.say("and if we're already on databricks?")
    assert decided(turn) == ("mosaic-ai-vector-search", "answer")


async def test_its_after_a_name_in_a_request_for_a_story_is_the_customer_asked_for(convo):
    await convo.say("what are azure ai services")
    turn = await convo.say("which manufacturer put azure openai into its products?")
    assert decided(turn)[0].startswith("story-legrand")
