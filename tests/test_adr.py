"""The decision record (MADR): its parts from the answers, the alternatives from the rules that
did not fire, and an address that says every answer and reads back to the same record."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from bot.core.adr import answers_from_query, decision_record, first_person, record_path
from bot.core.advisor import Advisor, new_state
from bot.core.artifacts import Artifacts

RAG = {
    "goal": "genai",
    "genai-kind": "chat-docs",
    "platform": "other-stores",
    "builder": "pro-code",
    "constraint": "cost",
}


@pytest.fixture(scope="module")
def advisor(kb) -> Advisor:
    return Advisor(kb)


def state(answers, **marks) -> dict:
    return {**new_state(), "answers": dict(answers), "history": list(answers), **marks}


def test_answers_are_said_by_the_team():
    assert first_person("you're building with generative AI") == "We're building with generative AI"
    assert first_person("your team writes code") == "Our team writes code"
    assert first_person("you haven't chosen a data platform yet") == (
        "We haven't chosen a data platform yet"
    )


def test_a_record_has_every_madr_part_from_the_answers(advisor):
    walk = state(RAG, inferred=["goal"], skipped=["constraint"], said=["a chatbot over our wiki"])
    recommendation = advisor.recommendation(walk)
    record = decision_record(recommendation, advisor.alternatives(walk))
    headings = [line for line in record.splitlines() if line.startswith("#")]
    assert headings == [
        "# RAG on Azure OpenAI with Azure AI Search",
        "## Context and Problem Statement",
        "## Considered Options",
        "## Decision Outcome",
        "### Services",
        "### Consequences",
        "## Alternatives Considered",
        "### RAG inside Azure Databricks with Mosaic AI Vector Search",
        "### RAG fed from Fabric, with Azure AI Search and Azure OpenAI",
        "### A low-code copilot over your documents in Copilot Studio",
        "### A pro-code generative AI app in Azure AI Foundry with Prompt flow",
        "## Links",
    ]
    assert "> a chatbot over our wiki" in record
    assert (
        "Generative AI app or chatbot (retrieval, copilots): We're building with generative AI. "
        "*(read from our description)*" in record
    )
    assert "Cost, latency or on-device hosting matters. *(assumed: we did not say)*" in record
    assert "Our team writes code." in record
    # the decision and the services, consequences from their "look elsewhere when" facts
    assert 'Chosen option: "RAG on Azure OpenAI with Azure AI Search", because:' in record
    for topic in recommendation.services:
        assert f"**[{topic.title}]({topic.link.url})**" in record
        for fact in topic.when_not_to_use[:2]:
            assert f"- {topic.title}: {fact}" in record
    for step in recommendation.rule.next:
        assert f"- {step}" in record
    # alternatives: what each would need, against what we said
    assert (
        "It is the better fit if our data lives in Azure Databricks; but our data is in "
        "databases, SharePoint or file shares." in record
    )
    assert f"- [{recommendation.reference.title}]({recommendation.reference.url})" in record


def test_alternatives_are_the_rules_that_did_not_fire_nearest_first(advisor):
    walk = state({"goal": "data-qa", "platform": "fabric", "audience": "business"})
    assert advisor.recommendation(walk).rule.id == "fabric-ai-skill"
    alternatives = advisor.alternatives(walk)
    found = [
        (
            a.rule.id,
            [(q.id, [c.id for c in cs]) for q, cs, _ in a.needs],
            [q.id for q, *_ in a.first],
        )
        for a in alternatives
    ]
    assert found == [
        ("fabric-ai-skill-via-onelake", [], ["platform"]),  # fits too, comes later
        ("fabric-copilots-for-builders", [("audience", ["builders"])], []),
        ("fabric-copilots-via-onelake", [("audience", ["builders"])], []),
    ]
    record = decision_record(advisor.recommendation(walk), alternatives)
    assert (
        "It fits our answers too, but **A Fabric AI skill over your lakehouse and warehouse** "
        "comes first because our data is in Microsoft Fabric." in record
    )


def test_the_users_words_cannot_become_markdown(advisor):
    walk = state(RAG, said=["see [this](https://evil.example) <script>x</script> **now**"])
    record = decision_record(advisor.recommendation(walk), ())
    assert "> see \\[this\\](https://evil.example) \\<script\\>x\\</script\\> \\*\\*now\\*\\*" in (
        record
    )


def test_the_address_says_every_answer_and_reads_back(advisor):
    walk = state(RAG, inferred=["goal"], skipped=["constraint"], said=["one", "two"])
    recommendation = advisor.recommendation(walk)
    path = record_path(recommendation)
    assert path.startswith("/adr/rag-on-azure-openai.md?goal=genai&genai-kind=chat-docs")
    back = answers_from_query(advisor.walkthrough, dict(parse_qsl(urlsplit(path).query)))
    assert back["answers"] == RAG
    assert back["inferred"] == ["goal"] and back["skipped"] == ["constraint"]
    assert back["said"] == ["one", "two"]
    artifacts = Artifacts(advisor, "http://bot", public=False)
    assert artifacts.record(back) == artifacts.record(walk)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"goal": "genai", "colour": "blue"}, "unknown question 'colour'"),
        ({"goal": "cake"}, "unknown answer 'cake' to question 'goal'"),
        (
            {"goal": "ml", "genai-kind": "chat-docs"},
            "these answers do not go together (a question that does not apply is answered)",
        ),
    ],
)
def test_a_bad_address_says_what_is_wrong(advisor, query, problem):
    assert answers_from_query(advisor.walkthrough, query) == problem
