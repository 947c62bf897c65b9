"""Facts of the Azure AI architecture guide that the knowledge once got wrong, or that are easy to
get wrong: send this, expect that (through the whole bot on the real knowledge base), and a few
checks on the knowledge itself where the wording must not drift from the guide."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("message", "says", "never"),
    [
        # An algorithm is step-by-step instructions; AutoML is for data scientists, analysts and
        # developers alike.
        ("what's an algorithm, in plain ml terms?", ["step-by-step instructions"], []),
        ("who is automated ml meant for?", ["data scientists, analysts and developers"], []),
        # Lakehouses and warehouses are items in OneLake, their tables Delta-Parquet.
        ("what's a lakehouse in fabric, in a nutshell?", ["OneLake", "Delta-Parquet"], []),
        # Language models: the 10-billion line and the Phi-3 sizes.
        ("what sizes does Phi-3 come in", ["3.8 billion", "7 billion", "14 billion"], []),
        ("how many parameters make a model large", ["10 billion"], []),
        # Azure AI Foundry: over 1,600 models, and the frameworks it works with.
        ("how many models are in the foundry catalog", ["1,600"], []),
        (
            "which frameworks does ai foundry support",
            ["LangChain", "Semantic Kernel", "AutoGen"],
            [],
        ),
        # Fabric Data Factory: hundreds of sources, over 300 transformations; no invented limits.
        ("how many data sources does fabric data factory connect to", ["hundreds", "300"], []),
        ("can fabric data factory handle petabytes", ["petabyte"], ["usual limit"]),
        # Fabric reaches Azure OpenAI through its REST API (the guide's path).
        ("can fabric call azure openai", ["REST API"], ["SynapseML"]),
        # Custom Translator: to or from English; no unsourced workaround.
        (
            "can Custom Translator translate between two non English languages",
            ["English"],
            ["chain"],
        ),
        # Custom Speech is not only for vocabulary and audio conditions.
        (
            "is the base speech model good enough",
            ["Universal Language Model", "pronunciations"],
            [],
        ),
        # Prompt flow: flow iterations are saved as assets; a deployed flow is an API.
        ("what is a flow in ai foundry", ["assets", "API"], []),
        # Customer stories say only what the guide states.
        ("what was the pimco platform for", ["search platform", "Azure AI"], ["faster"]),
        ("which service did volkswagen use", ["40 languages", "Translator"], []),
    ],
)
async def test_the_answer_states_the_guides_fact(convo, message, says, never):
    turn = await convo.say(message)
    for fact in says:
        assert fact in turn.text, (message, fact, turn.text)
    for wrong in never:
        assert wrong not in turn.text, (message, wrong, turn.text)


@pytest.mark.parametrize(
    ("topic", "url"),
    [
        ("machine-learning", "cloud-computing-dictionary/what-is-machine-learning-platform"),
        ("deep-learning", "cloud-computing-dictionary/what-is-deep-learning"),
        ("machine-learning-vs-deep-learning", "artificial-intelligence-vs-machine-learning"),
    ],
)
def test_a_concept_leads_with_the_guides_own_link(kb, topic, url):
    assert url in kb.topics[topic].link.url


def test_spark_is_not_claimed_to_be_behind_most_big_data(kb):
    assert "behind most" not in kb.topics["apache-spark"].summary


def test_c_h_robinson_is_not_tied_to_azure_openai(kb):
    # The guide says "using Azure AI"; its story link is an Azure AI Studio (now Foundry) story.
    assert "azure-openai" not in kb.topics["story-ch-robinson"].related
