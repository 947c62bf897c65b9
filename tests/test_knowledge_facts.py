"""What the knowledge base says, checked the way a user meets it: a question goes through the
router (and the comparer) and the reply is read.

One test per point fixed for issue 13 (wrong answers, links that did not fit, missing answers)
and per known hole of issue 12 (what makes a model small, hubs, prompts, Foundry's frameworks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from bot.core.compare import Comparer
from bot.core.kb import Intent, KnowledgeBase, Topic
from bot.core.replies import Replies, intent_reply
from bot.core.router import Outcome, Router

from .paths import REPO_ROOT

GUIDE = REPO_ROOT.parent / "shared" / "seed" / "ai-architecture-design.md"


@dataclass(frozen=True)
class Answer:
    intent: str
    """The id of what was answered: a topic, `topic/question`, or the written comparison."""
    text: str


class Bot:
    """Routes a message the way the bot's core does and returns what it would say."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.router = Router(kb)
        self.replies = Replies(kb)
        self.comparer = Comparer(kb, self.router)

    def ask(self, text: str) -> Answer:
        decision = self.comparer.apply(self.router.route(text))
        assert decision.outcome is Outcome.ANSWER, (text, decision.outcome, decision.matches[:3])
        if decision.comparison is not None and decision.comparison.written is not None:
            intent = decision.comparison.written.id
        else:
            intent = decision.top.intent.id
        return Answer(intent, self.replies.for_decision(decision).text)


@pytest.fixture(scope="module")
def bot(kb: KnowledgeBase) -> Bot:
    return Bot(kb)


def _texts(topic: Topic) -> list[str]:
    """Everything a topic can say."""
    return [
        topic.summary,
        topic.detail,
        *topic.when_to_use,
        *topic.when_not_to_use,
        *(q.answer for q in topic.questions),
    ]


# -- wrong answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "where should we start with AI",
        "should we use an LLM to predict churn from our tabular data",
    ],
)
def test_where_to_start_puts_classic_ml_before_language_models(bot: Bot, question: str):
    answer = bot.ask(question)
    assert answer.intent == "ai-overview/where-to-start"
    text = answer.text.lower()
    assert text.index("prebuilt") < text.index("classic machine learning")
    assert text.index("classic machine learning") < text.index("pretrained language model")
    assert text.index("pretrained language model") < text.index("deep learning")


def test_llm_or_classic_ml_for_tabular_prediction_says_classic_ml(bot: Bot):
    answer = bot.ask("LLM or classic machine learning for a tabular prediction problem?")
    assert answer.intent == "language-models-vs-machine-learning"
    assert "For a tabular prediction problem, start with classic machine learning" in answer.text


def test_the_other_where_to_start_answers_agree(bot: Bot, kb: KnowledgeBase):
    overview = kb.topics["ai-overview"].detail.lower()
    assert overview.index("prebuilt") < overview.index("classic machine learning")
    assert overview.index("classic machine learning") < overview.index("pretrained language model")
    assert "last" in overview.split("deep learning", 1)[1]
    avoid_deep_learning = " ".join(kb.topics["deep-learning"].when_not_to_use).lower()
    assert avoid_deep_learning.index("prebuilt") < avoid_deep_learning.index("classic ml")


@pytest.mark.parametrize(
    "question", ["adf", "what is ADF?", "Azure Data Factory", "synapse pipelines"]
)
def test_adf_is_azure_data_factory_not_fabric(bot: Bot, question: str):
    answer = bot.ask(question)
    assert answer.intent == "azure-data-factory"
    assert answer.text.startswith("**Azure Data Factory**")
    assert "connectors" in answer.text
    assert "Synapse" in answer.text
    assert "Dataflow Gen2" not in answer.text


def test_fabric_data_factory_is_its_own_answer(bot: Bot, kb: KnowledgeBase):
    answer = bot.ask("fabric data factory")
    assert answer.intent == "data-factory"
    assert answer.text.startswith("**Fabric Data Factory**")
    fabric_names = {n.lower() for n in kb.topics["data-factory"].aliases}
    assert not fabric_names & {"azure data factory", "adf"}
    assert kb.vocabulary.abbreviations["adf"] == "azure data factory"


@pytest.mark.parametrize(
    "question",
    ["azure data factory vs fabric data factory", "is Fabric Data Factory the same as ADF?"],
)
def test_azure_vs_fabric_data_factory_compares_two_products(bot: Bot, kb: KnowledgeBase, question):
    answer = bot.ask(question)
    assert answer.intent == "azure-data-factory-vs-fabric-data-factory"
    assert set(kb.topics[answer.intent].compares) == {"azure-data-factory", "data-factory"}
    assert "Two products" in answer.text


def test_custom_translator_has_one_language_count(bot: Bot, kb: KnowledgeBase):
    answer = bot.ask("how many languages does Custom Translator support?")
    assert answer.intent == "custom-translator/audience-and-languages"
    assert "more than three dozen languages" in answer.text
    said = " ".join(_texts(kb.topics["custom-translator"]))
    assert "30+" not in said
    assert said.count("three dozen") >= 2


def test_phi3_medium_is_not_called_small_by_size(bot: Bot, kb: KnowledgeBase):
    sizes = bot.ask("what sizes does phi-3 come in")
    assert "medium" in sizes.text and "14 billion" in sizes.text
    small = kb.topics["small-language-models"].summary
    assert "Phi-3 mini" in small and "Phi-3 small" in small
    assert not re.search(r"such as Microsoft's Phi-3,", small)
    phi = kb.topics["phi-models"].summary
    assert "medium just above it" in phi


def test_foundation_model_is_not_an_llm_alias(bot: Bot, kb: KnowledgeBase):
    assert "foundation model" not in {a.lower() for a in kb.topics["large-language-models"].aliases}
    assert bot.ask("foundation model").intent != "large-language-models"


def test_python_and_r_are_two_of_the_most_popular(bot: Bot):
    answer = bot.ask("Python and R for AI")
    assert "two of the most popular" in answer.text
    assert "the two most popular" not in answer.text


def test_customer_stories_claim_nothing_beyond_what_is_known(kb: KnowledgeBase):
    said = " ".join(
        " ".join([*_texts(t), *t.phrases]) for t in kb.topics.values() if t.kind == "customer-story"
    ).lower()
    for claim in ("swedish", "manufacturer", "ai studio", "telehealth", "electrical equipment"):
        assert claim not in said, claim


def test_no_answer_mentions_the_guide(kb: KnowledgeBase):
    for topic in kb.topics.values():
        for text in _texts(topic):
            assert not re.search(r"\bthe guide\b", text, re.IGNORECASE), (topic.id, text)


# -- links ---------------------------------------------------------------------------------------

NLP_PAGE = "/data-guide/technology-choices/natural-language-processing"


@pytest.mark.parametrize(
    ("question", "topic", "wrong"),
    [
        ("Azure AI Speech", "ai-speech", "custom-speech-overview"),
        ("what is a language model", "language-models", NLP_PAGE),
        ("what is a small language model", "small-language-models", NLP_PAGE),
        ("LLM or SLM for our use case", "llm-vs-slm", NLP_PAGE),
        ("Phi-3", "phi-models", "what-is-ai-studio"),
        ("what does scoring a model mean", "model-scoring", "batch"),
        ("Apache Spark", "apache-spark", "hdinsight"),
        ("Python and R for AI", "python-and-r", "python/api/overview/azure/ml"),
    ],
)
def test_each_answers_link_is_the_page_its_reader_wants(
    bot: Bot, kb: KnowledgeBase, question: str, topic: str, wrong: str
):
    answer = bot.ask(question)
    assert answer.intent == topic
    link = kb.topics[topic].link
    assert wrong not in link.url
    assert f"Learn more: [{link.title}]({link.url})" in answer.text


@pytest.mark.parametrize(
    ("question", "page"),
    [
        ("batch-scoring-databricks", "batch-scoring-databricks"),
        ("mlops-python", "mlops-python"),
        ("landing-zone", "landing-zone"),
    ],
)
def test_a_questions_answer_links_the_page_it_is_about(kb: KnowledgeBase, question: str, page: str):
    topic = kb.topics["ml-reference-architectures"]
    asked = next(q for q in topic.questions if q.id == question)
    more = intent_reply(Intent(f"{topic.id}/{asked.id}", topic, asked)).text.rsplit("More on", 1)[
        -1
    ]
    assert page in more  # not the topic's main link, the chat baseline


def test_the_model_catalog_is_where_phi_and_language_models_point(kb: KnowledgeBase):
    for topic in ("phi-models", "language-models", "llm-vs-slm"):
        assert kb.topics[topic].link.url == "https://ai.azure.com/explore/models"


@pytest.mark.skipif(not GUIDE.exists(), reason="the source guide is not on this machine")
@pytest.mark.parametrize(
    "topic",
    ["ai-speech", "small-language-models", "phi-models", "model-scoring", "apache-spark"],
)
def test_the_new_links_come_from_the_guide(kb: KnowledgeBase, topic: str):
    url = urlsplit(kb.topics[topic].link.url)
    guide = GUIDE.read_text()
    if url.netloc == "learn.microsoft.com":
        path = url.path.removeprefix("/azure/architecture")
        assert path.rstrip("/") in guide, url
    else:
        assert kb.topics[topic].link.url.rstrip("/") in guide


# -- missing answers (issue 13) ------------------------------------------------------------------


def test_gpt_4o_mini_can_be_fine_tuned(bot: Bot):
    answer = bot.ask("can I fine-tune GPT-4o mini?")
    assert answer.intent == "azure-openai-fine-tuning/gpt-4o-mini"
    assert answer.text.startswith("Yes.")
    assert "tutorial" in answer.text


def test_the_universal_language_model_behind_custom_speech(bot: Bot):
    answer = bot.ask("what is the universal language model?")
    assert answer.intent == "ai-speech/universal-language-model"
    assert "base model" in answer.text and "Custom Speech" in answer.text
    custom = bot.ask("Custom Speech")
    assert "Universal Language Model" in custom.text


@pytest.mark.parametrize(
    "question", ["who is custom translator for", "who is Custom Translator built for?"]
)
def test_who_custom_translator_is_for(bot: Bot, question: str):
    answer = bot.ask(question)
    assert answer.intent.startswith("custom-translator")
    assert "enterprises, app developers and language service providers" in answer.text


def test_fabric_data_factory_supports_code_too(bot: Bot):
    answer = bot.ask("does fabric data factory support code or only low code?")
    assert answer.intent == "data-factory/code-support"
    assert "isn't only low-code" in answer.text


def test_what_hyperdrive_is(bot: Bot):
    answer = bot.ask("what is HyperDrive?")
    assert answer.intent == "hyperparameter-tuning/hyperdrive"
    assert "hyperparameter tuning" in answer.text
    assert "v2" in answer.text


def test_spark_on_hdinsight_how_to(bot: Bot):
    answer = bot.ask("spark on hdinsight tutorial")
    assert answer.intent == "hdinsight-spark/how-to"
    assert "tutorial" in answer.text and "best practices" in answer.text


def test_managed_vs_user_defined_private_endpoints(bot: Bot):
    answer = bot.ask("managed vs user-defined private endpoints in the baseline chat architecture")
    assert answer.intent == "ml-reference-architectures/private-endpoints"
    managed, user_defined = answer.text.split("user-defined private endpoints", 1)
    assert "managed private endpoints" in managed and "Container Registry" in managed
    assert "Azure OpenAI and AI Search are reached through" in managed + "user-defined"
    assert user_defined


# -- known holes (issue 12) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["what size stops a model being small", "is a 14 billion parameter model small?"]
)
def test_what_size_stops_a_model_being_small(bot: Bot, question: str):
    answer = bot.ask(question)
    assert answer.intent == "small-language-models/size-limit"
    assert "10 billion" in answer.text
    assert "medium (14 billion)" in answer.text
    assert "medium is already past it" in answer.text


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("what is a hub in AI Foundry", "ai-foundry/team-prototype-to-production"),
        ("what is a hub in azure machine learning studio", "azure-machine-learning/hubs"),
        ("what's a hub?", "azure-machine-learning/hubs"),
    ],
)
def test_what_a_hub_is(bot: Bot, question: str, intent: str):
    answer = bot.ask(question)
    assert answer.intent == intent
    assert "hub" in answer.text.lower()
    assert "Azure Machine Learning studio" in answer.text and "AI Foundry" in answer.text


@pytest.mark.parametrize("question", ["what is a prompt?", "what's a prompt in prompt flow terms"])
def test_what_a_prompt_is(bot: Bot, question: str):
    answer = bot.ask(question)
    assert answer.intent == "prompt-flow/prompt-parts"
    for part in ("user's input", "system message", "examples"):
        assert part in answer.text


def test_which_frameworks_ai_foundry_works_with(bot: Bot):
    answer = bot.ask("which development frameworks does AI Foundry work with?")
    assert answer.intent == "ai-foundry/frameworks"
    for framework in ("LangChain", "Semantic Kernel", "AutoGen", "GitHub", "Visual Studio Code"):
        assert framework in answer.text
