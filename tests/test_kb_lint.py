"""`archbot kb check` warnings (bot.core.lint): aliases naming another product, links that do not
fit their topic. A copy of the fixture knowledge base gets a few topics with and without such
mistakes; the real knowledge base must have none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.lint import LintWarning, lint_knowledge
from bot.core.loader import load_knowledge

from .paths import FIXTURE_KB

LINT_TOPICS = """\
topics:
  - id: fabric-data-factory
    title: Fabric Data Factory
    kind: service
    summary: Fabric's data processing workload, with dataflows and data pipelines.
    links:
      - title: What is Data Factory in Microsoft Fabric?
        url: https://learn.microsoft.com/fabric/data-factory/data-factory-overview
    aliases: [fabric data factory, dataflow gen2, azure data factory, adf]
    phrases: [low code data preparation]
  - id: azure-data-factory
    title: Azure Data Factory
    kind: service
    summary: The Azure service that moves data with pipelines and connectors.
    links:
      - title: Azure Data Factory and Azure Synapse Analytics connector overview
        url: https://learn.microsoft.com/azure/data-factory/connector-overview
    aliases: [azure synapse pipelines, synapse pipelines]
    phrases: [copy data between stores]
  - id: lake
    title: OneLake
    kind: service
    summary: OneLake is Fabric's single data lake. Databricks can read it too.
    links:
      - title: OneLake, the OneDrive for data
        url: https://learn.microsoft.com/fabric/onelake/onelake-overview
    aliases: [fabric onelake, databricks lake]
    phrases: [one lake for the whole tenant]
  - id: spark
    title: Apache Spark for AI
    kind: concept
    summary: Spark processes big data in memory across a cluster.
    links:
      - title: Apache Spark runtimes in Fabric
        url: https://learn.microsoft.com/fabric/data-engineering/runtime
      - title: Deploy models for scoring in batch endpoints
        url: https://learn.microsoft.com/azure/machine-learning/how-to-use-batch-model-deployments
    aliases: [pyspark]
    phrases: [in memory cluster computing]
  - id: thanks
    title: Thanks
    kind: smalltalk
    summary: You're welcome!
    links:
      - title: Deploy models for scoring in batch endpoints
        url: https://learn.microsoft.com/azure/machine-learning/how-to-use-batch-model-deployments
    phrases: [thank you]
"""


def _line(path: Path, text: str) -> int:
    """The line of the first line of `path` containing `text`."""
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


@pytest.fixture
def lint_kb(tmp_path: Path) -> Path:
    """The fixture KB plus the topics above, with 'adf' read as Azure Data Factory."""
    root = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, root)
    vocabulary = root / "vocabulary.yaml"
    text = vocabulary.read_text()
    assert "  adf: data factory\n" in text
    vocabulary.write_text(text.replace("  adf: data factory\n", "  adf: azure data factory\n"))
    (root / "topics" / "lint.yaml").write_text(LINT_TOPICS)
    return root


def _warnings(root: Path) -> list[LintWarning]:
    return lint_knowledge(root, load_knowledge(root).vocabulary)


def _archbot(*args: str) -> int:
    """`archbot …` in-process (imported here: the CLI pulls in the whole bot)."""
    from bot.operations.cli import main

    return main(list(args))


def test_an_alias_naming_another_product_is_flagged_on_its_line(lint_kb: Path):
    topics = lint_kb / "topics" / "lint.yaml"
    aliases_line = _line(topics, "aliases: [fabric data factory")
    flagged = [w for w in _warnings(lint_kb) if "fabric-data-factory" in w.message]
    assert len(flagged) == 2  # "azure data factory" and "adf", read as it
    assert {w.line for w in flagged} == {aliases_line}
    assert all(w.file == "knowledge/topics/lint.yaml" for w in flagged)
    azure, adf = sorted(flagged, key=lambda w: "'adf'" in w.message)
    assert "alias 'azure data factory'" in azure.message
    assert "names Azure, but the topic is about Fabric ('Fabric Data Factory')" in azure.message
    assert "alias 'adf' (read as 'azure data factory')" in adf.message


def test_a_product_paired_with_the_topics_own_is_fine(lint_kb: Path):
    """'azure synapse pipelines' ties Synapse to Azure Data Factory, so 'synapse pipelines' is
    fine there; neither is flagged."""
    assert not [w for w in _warnings(lint_kb) if "'azure-data-factory'" in w.message]


def test_without_a_product_in_the_title_the_summary_says_what_the_topic_is_about(lint_kb: Path):
    flagged = [w for w in _warnings(lint_kb) if "'lake'" in w.message]
    assert len(flagged) == 1
    assert "alias 'databricks lake'" in flagged[0].message
    assert "the topic is about Fabric" in flagged[0].message


def test_a_link_sharing_no_word_with_its_topic_is_flagged(lint_kb: Path):
    topics = lint_kb / "topics" / "lint.yaml"
    flagged = [w for w in _warnings(lint_kb) if w.message.startswith("link ")]
    assert len(flagged) == 1  # Spark's second link; the small-talk topic shows no link
    (warning,) = flagged
    assert warning.line == _line(topics, "- title: Deploy models for scoring")
    assert "'Deploy models for scoring in batch endpoints' of topic 'spark'" in warning.message
    assert str(warning) == f"knowledge/topics/lint.yaml:{warning.line}: warning: {warning.message}"


def test_the_fixture_knowledge_base_has_no_warnings():
    assert _warnings(FIXTURE_KB) == []


def test_kb_check_prints_warnings_and_still_passes(lint_kb: Path, monkeypatch, capsys):
    monkeypatch.setenv("ARCHBOT_KNOWLEDGE", str(lint_kb))
    assert _archbot("kb", "check") == 0
    out, err = capsys.readouterr()
    assert out.startswith("knowledge base OK:")
    assert "4 warning(s)" in out
    lines = err.splitlines()
    assert len(lines) == 4
    assert all(": warning: " in line for line in lines)
    assert all(line.startswith("knowledge/topics/lint.yaml:") for line in lines)


def test_kb_check_still_fails_on_errors(lint_kb: Path, monkeypatch, capsys):
    topics = lint_kb / "topics" / "lint.yaml"
    topics.write_text(LINT_TOPICS.replace("kind: concept", "kind: nonsense"))
    monkeypatch.setenv("ARCHBOT_KNOWLEDGE", str(lint_kb))
    assert _archbot("kb", "check") == 1
    assert "kind must be one of" in capsys.readouterr().err


def test_the_real_knowledge_base_has_no_warnings():
    kb = load_knowledge()
    assert lint_knowledge(vocabulary=kb.vocabulary) == []
