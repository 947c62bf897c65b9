"""Comparisons between any two topics the knowledge base knows."""

from __future__ import annotations

import pytest

from bot.core.compare import Comparer
from bot.core.loader import load_knowledge
from bot.core.replies import comparison_reply
from bot.core.router import Outcome, Router


@pytest.fixture
def comparer(sample_kb, sample_router) -> Comparer:
    return Comparer(sample_kb, sample_router)


@pytest.mark.parametrize(
    "text",
    [
        "prompt flow vs azure ai speech",
        "<at>ArchBot</at> Prompt flow versus Azure AI Speech?",
        "what's the difference between promptflow and azure ai speech",
        "should we use prompt flow or azure ai speech for our app",
        "compare prompt flow with azure ai speech",
        "how does prompt flow compare with azure ai speech?",
        "how does prompt flow stack up against azure ai speech",
    ],
)
def test_two_named_topics_are_compared(comparer: Comparer, text: str):
    comparison = comparer.find(text)
    assert comparison is not None
    assert {comparison.first.id, comparison.second.id} == {"prompt-flow", "speech-service"}
    assert comparison.written is None


def test_the_side_by_side_answer_covers_both(comparer: Comparer):
    reply = comparison_reply(comparer.find("prompt flow vs azure ai speech"))
    assert reply.text.startswith("**Prompt flow vs Azure AI Speech**")
    assert "**Prompt flow**: A visual tool" in reply.text
    assert "- Pick it when: You chain prompts" in reply.text
    assert reply.text.count("https://") == 2


@pytest.mark.parametrize(
    "text",
    ["prompt flow vs the weather", "cats or dogs", "prompt flow or promptflow", "prompt flow"],
)
def test_no_comparison_without_two_different_known_topics(comparer: Comparer, text: str):
    assert comparer.find(text) is None


def test_a_comparison_overrides_a_single_topic_answer(comparer: Comparer, sample_router: Router):
    decision = comparer.apply(sample_router.route("prompt flow vs azure ai speech"))
    assert decision.outcome is Outcome.ANSWER
    assert decision.comparison is not None


def test_the_kbs_written_comparison_is_preferred():
    kb = load_knowledge()
    router = Router(kb)
    decision = Comparer(kb, router).apply(router.route("onelake or adls gen2?"))
    written = decision.comparison.written if decision.comparison else decision.top.intent.topic
    assert written.id == "onelake-vs-data-lake-storage-gen2"


async def test_or_before_a_question_of_its_own_compares_nothing(convo):
    turn = await convo.say("can fabric be used for rag stuff or is it just analytics?")
    assert " vs " not in turn.text.split("\n")[0]
    assert "Fabric" in turn.text


@pytest.mark.parametrize(
    ("message", "compared"),
    [
        # a clause after the second side, or a short one leading in to the first, is no side
        (
            "hyperparameters vs parameters - which ones do we set?",
            "Hyperparameter tuning vs Model parameters (weights)",
        ),
        (
            "for our field support bot - copilot studio or foundry?",
            "Microsoft Copilot Studio vs Azure AI Foundry",
        ),
        ("raw telemetry: onelake or adls gen2?", "OneLake vs Azure Data Lake Storage Gen2"),
        (
            "phi vs gpt-4o — which way for a cheap summarizer?",
            "Phi open models (Phi-3) vs GPT models",
        ),
    ],
)
async def test_each_side_of_a_comparison_is_read_within_its_clause(convo, message, compared):
    turn = await convo.say(message)
    assert compared in turn.text


async def test_a_clause_leading_in_that_names_a_topic_is_no_lead_in(convo):
    # "docintel:" names the service; "custom" alone is no name of Model training
    turn = await convo.say("docintel: prebuilt or custom, which do we try first?")
    assert "Model training" not in turn.text
    assert "Document Intelligence" in turn.text
