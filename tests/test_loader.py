"""The knowledge loader: a broken knowledge file gets a message naming the file and line."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from bot.core.kb import Kind
from bot.core.loader import KnowledgeError, load_knowledge

from .paths import FIXTURE_KB, REPO_ROOT

VALID_TOPIC = """\
topics:
  - id: mlflow
    title: MLflow
    kind: tool
    summary: Open-source experiment tracking.
    links:
      - title: MLflow docs
        url: https://learn.microsoft.com/azure/machine-learning/concept-mlflow
    phrases:
      - track my experiments
"""


BASE_TOPIC = """\
topics:
  - id: base
    title: Base
    kind: concept
    summary: What the walkthrough recommends.
    links:
      - title: Base docs
        url: https://learn.microsoft.com/azure/
    phrases:
      - the base of everything
"""
WALKTHROUGH = """\
questions:
  - id: only
    ask: Ready?
    choices:
      - {id: yes-ready, label: Ready, because: you are ready}
      - {id: not-ready, label: Not yet, because: you are not ready}
rules:
  - id: base
    title: Base
    recommend: [base]
    why: It is the base.
"""


def kb_with(tmp_path: Path, **files: str) -> Path:
    """A copy of the fixture KB's vocabulary, a minimal walkthrough over its own topic file
    (`topics/base.yaml`), plus the given topic files."""
    root = tmp_path / "knowledge"
    (root / "topics").mkdir(parents=True)
    shutil.copy(FIXTURE_KB / "vocabulary.yaml", root / "vocabulary.yaml")
    (root / "walkthrough.yaml").write_text(WALKTHROUGH)
    (root / "topics" / "base.yaml").write_text(BASE_TOPIC)
    for name, text in files.items():
        (root / "topics" / f"{name}.yaml").write_text(textwrap.dedent(text))
    return root


def problems_of(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return [str(p) for p in caught.value.problems]


def test_the_real_knowledge_base_is_valid():
    kb = load_knowledge(REPO_ROOT / "knowledge")
    assert len(kb.topics) >= 40
    assert {"greeting", "help", "thanks"} <= kb.topics.keys()


def test_a_valid_topic_loads_as_plain_data(tmp_path):
    kb = load_knowledge(kb_with(tmp_path, tools=VALID_TOPIC))
    topic = kb.topics["mlflow"]
    assert topic.kind is Kind.TOOL
    assert topic.link.url.startswith("https://")
    assert topic.phrases == ("track my experiments",)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    root = kb_with(tmp_path, broken="topics:\n  - id: x\n    title: [unclosed\n")
    (problem,) = problems_of(root)
    assert problem.startswith("knowledge/topics/broken.yaml:4: YAML syntax error")
    assert "started at line 3" in problem


def test_unknown_key_names_its_line(tmp_path):
    text = VALID_TOPIC.replace("    kind: tool\n", "    kind: tool\n    colour: blue\n")
    assert problems_of(kb_with(tmp_path, tools=text)) == [
        "knowledge/topics/tools.yaml:5: unknown key 'colour' in topic 'mlflow'"
    ]


def test_missing_required_field_names_the_topic_line(tmp_path):
    text = VALID_TOPIC.replace("    summary: Open-source experiment tracking.\n", "")
    assert problems_of(kb_with(tmp_path, tools=text)) == [
        "knowledge/topics/tools.yaml:2: topic 'mlflow' is missing required key 'summary'"
    ]


def test_duplicate_ids_across_files_point_at_the_first(tmp_path):
    root = kb_with(tmp_path, a=VALID_TOPIC, b=VALID_TOPIC.replace("track my", "log my"))
    assert problems_of(root) == [
        "knowledge/topics/b.yaml:2: duplicate topic id 'mlflow' "
        "(first defined at knowledge/topics/a.yaml:2)"
    ]


def test_the_same_phrase_for_two_topics_is_reported(tmp_path):
    other = VALID_TOPIC.replace("id: mlflow", "id: tracking").replace("title: MLflow", "title: T")
    problems = problems_of(kb_with(tmp_path, a=VALID_TOPIC, b=other))
    assert problems == [
        "knowledge/topics/b.yaml:10: phrase 'track my experiments' of 'tracking' matches the same "
        "words as a phrase of 'mlflow' at knowledge/topics/a.yaml:10"
    ]


def test_dangling_related_id_is_reported_on_its_line(tmp_path):
    text = VALID_TOPIC.replace("    kind: tool\n", "    kind: tool\n    related: [nowhere]\n")
    assert problems_of(kb_with(tmp_path, tools=text)) == [
        "knowledge/topics/tools.yaml:5: topic 'mlflow' refers to unknown topic 'nowhere'"
    ]


def test_unquoted_colon_in_a_bullet_gets_a_hint(tmp_path):
    text = VALID_TOPIC.replace(
        "    kind: tool\n", "    kind: tool\n    when_to_use:\n      - Tracking: always\n"
    )
    (problem,) = problems_of(kb_with(tmp_path, tools=text))
    assert problem.startswith("knowledge/topics/tools.yaml:6: ")
    assert "quote it" in problem


def test_bad_kind_and_duplicate_yaml_key_are_both_reported(tmp_path):
    text = VALID_TOPIC.replace("kind: tool", "kind: gadget").replace(
        "    title: MLflow\n", "    title: MLflow\n    title: Again\n"
    )
    problems = problems_of(kb_with(tmp_path, tools=text))
    assert "knowledge/topics/tools.yaml:4: duplicate key 'title'" in problems
    assert any(
        p.startswith("knowledge/topics/tools.yaml:5: topic 'mlflow': kind must be")
        for p in problems
    )


def test_every_problem_is_reported_at_once(tmp_path):
    text = VALID_TOPIC.replace("url: https://", "url: http://").replace("id: mlflow", "id: ML Flow")
    root = kb_with(tmp_path, tools=text, other="topics: 3\n")
    problems = problems_of(root)
    assert "knowledge/topics/other.yaml:1: 'topics' must be a list" in problems
    assert any("lowercase-kebab-case" in p for p in problems)


def test_a_link_must_be_https(tmp_path):
    text = VALID_TOPIC.replace("url: https://", "url: http://")
    assert problems_of(kb_with(tmp_path, tools=text)) == [
        "knowledge/topics/tools.yaml:8: topic 'mlflow': link: url must start with https://"
    ]


def test_missing_folder_is_a_clear_error(tmp_path):
    assert "knowledge folder not found" in problems_of(tmp_path / "nope")[0]


def test_a_yes_or_no_in_a_list_is_a_boolean_to_quote(tmp_path):
    phrases = "      - track my experiments\n"
    text = VALID_TOPIC.replace(phrases, phrases + "      - no\n")
    assert problems_of(kb_with(tmp_path, tools=text)) == [
        "knowledge/topics/tools.yaml:11: topic 'mlflow': an item of 'phrases' reads as false "
        "(YAML takes yes, no, on and off as booleans): quote it"
    ]


def test_a_broken_conversation_file_names_its_line(tmp_path):
    root = kb_with(tmp_path, tools=VALID_TOPIC)
    (root / "conversation.yaml").write_text(
        "followups:\n  - id: when-not\n    label: When not?\n    answer: price\n"
        "    phrases: [when not to use it]\n"
    )
    assert problems_of(root) == [
        "knowledge/conversation.yaml:4: follow-up 'when-not': answer must be one of "
        "when_to_use, when_not_to_use, detail, story, compare, link, service"
    ]


def test_words_declined_anywhere_name_a_topic_that_exists(tmp_path):
    root = kb_with(tmp_path, tools=VALID_TOPIC)
    (root / "conversation.yaml").write_text(
        "declined_anywhere:\n  mlflow: [per gb]\n  decline-prices: [sla]\n  mlflow2: []\n"
    )
    assert problems_of(root) == [
        "knowledge/conversation.yaml:3: declined_anywhere: 'decline-prices' is not a topic",
        "knowledge/conversation.yaml:4: declined_anywhere: 'mlflow2' is not a topic",
    ]


# -- broken files: each a `file:line: message`, never an exception ----------------------------


def test_a_latin1_file_names_the_line_of_its_first_bad_byte(tmp_path):
    root = kb_with(tmp_path, tools=VALID_TOPIC)
    text = VALID_TOPIC.replace("Open-source", "Open-source, caf\u00e9 style,")
    (root / "topics" / "tools.yaml").write_bytes(text.encode("latin-1"))
    assert problems_of(root) == [
        "knowledge/topics/tools.yaml:5: not UTF-8 (byte 0xe9): save the file as UTF-8"
    ]


def test_a_utf8_byte_order_mark_is_fine(tmp_path):
    root = kb_with(tmp_path)
    (root / "topics" / "tools.yaml").write_bytes(b"\xef\xbb\xbf" + VALID_TOPIC.encode())
    assert "mlflow" in load_knowledge(root).topics


def test_a_directory_named_like_a_topic_file_is_reported(tmp_path):
    root = kb_with(tmp_path, tools=VALID_TOPIC)
    (root / "topics" / "drafts.yaml").mkdir()
    (root / "vocabulary.yaml").unlink()
    (root / "vocabulary.yaml").mkdir()
    assert problems_of(root) == [
        "knowledge/topics/drafts.yaml:0: is a directory, not a file",
        "knowledge/vocabulary.yaml:0: is a directory, not a file",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("topics:\n  - id: x\x07\n", "2: YAML syntax error: character U+0007 is not allowed"),
        ("? [a, b]\n: c\n", "1: a mapping key must be text, not a list or a mapping"),
        ("topics: " + "[" * 5000 + "]" * 5000 + "\n", "1: YAML syntax error"),
        ("", "1: a topic file must be a mapping"),
        ("# to do\n", "1: a topic file must be a mapping"),
    ],
    ids=["control-character", "list-as-key", "nested-too-deep", "empty", "only-a-comment"],
)
def test_hostile_or_empty_yaml_is_a_problem_not_an_exception(tmp_path, text, problem):
    root = kb_with(tmp_path, tools=text)
    (found,) = problems_of(root)
    assert found.startswith(f"knowledge/topics/tools.yaml:{problem}"), found
