"""walkthrough.yaml is validated with the rest of the KB: every problem with its file and line."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from bot.core.loader import KnowledgeError, load_knowledge

from .paths import FIXTURE_KB

VALID = """\
questions:
  - id: input
    ask: What is the input?
    choices:
      - {id: audio, label: Audio, because: you have audio}
      - {id: prompts, label: Prompts, because: you have prompts, means: [llm workflow]}
  - id: jargon
    ask: Any jargon?
    when: {input: audio}
    default: plain
    choices:
      - {id: plain, label: Plain speech, because: the speech is plain}
      - {id: jargon, label: Lots of jargon, because: it is full of jargon}
rules:
  - id: custom
    when: {input: audio, jargon: jargon}
    title: Custom Speech
    recommend: [custom-speech]
    why: Jargon needs a custom model.
  - id: speech
    when: {input: audio}
    title: Speech
    recommend: [speech-service]
    why: Plain speech works out of the box.
  - id: flow
    title: Prompt flow
    recommend: [prompt-flow]
    why: Flows of prompts.
    reference: {title: Prompt flow, url: "https://learn.microsoft.com/azure/ai-studio/"}
"""


def kb_with_walkthrough(tmp_path: Path, text: str) -> Path:
    root = tmp_path / f"kb-{len(list(tmp_path.iterdir()))}" / "knowledge"
    shutil.copytree(FIXTURE_KB, root)
    (root / "walkthrough.yaml").write_text(textwrap.dedent(text))
    return root


def problems_of(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return [str(p) for p in caught.value.problems]


def test_a_valid_walkthrough_loads(tmp_path):
    kb = load_knowledge(kb_with_walkthrough(tmp_path, VALID))
    walkthrough = kb.walkthrough
    assert [q.id for q in walkthrough.questions] == ["input", "jargon"]
    assert walkthrough.question("jargon").default == "plain"
    assert walkthrough.rule_for({"input": "audio", "jargon": "jargon"}).id == "custom"
    assert walkthrough.rule_for({"input": "prompts", "jargon": "jargon"}).id == "flow"


def test_the_fixture_kb_has_no_walkthrough():
    assert load_knowledge(FIXTURE_KB).walkthrough is None


def test_unknown_topics_questions_choices_and_keys_are_errors_with_lines(tmp_path):
    broken = (
        VALID.replace("recommend: [custom-speech]", "recommend: [custom-speach]")
        .replace("when: {input: audio}\n    default", "when: {inptu: audio}\n    default")
        .replace("when: {input: audio, jargon: jargon}", "when: {input: audio, jargon: slang}")
        .replace("    why: Flows of prompts.", "    why: Flows of prompts.\n    colour: blue")
    )
    problems = problems_of(kb_with_walkthrough(tmp_path, broken))
    assert any(
        p.startswith("knowledge/walkthrough.yaml:9:") and "unknown question 'inptu'" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("knowledge/walkthrough.yaml:16:") and "unknown choice 'slang'" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("knowledge/walkthrough.yaml:18:") and "unknown topic 'custom-speach'" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("knowledge/walkthrough.yaml:29:") and "unknown key 'colour'" in p
        for p in problems
    ), problems


def test_missing_fields_and_bad_defaults_are_errors(tmp_path):
    broken = VALID.replace("    title: Speech\n", "").replace("default: plain", "default: loud")
    problems = problems_of(kb_with_walkthrough(tmp_path, broken))
    assert any("missing required key 'title'" in p for p in problems), problems
    assert any(":10:" in p and "default 'loud' is not one of its choices" in p for p in problems)


def test_a_path_no_rule_matches_and_a_rule_no_path_reaches_are_errors(tmp_path):
    no_fallback = VALID[: VALID.index("  - id: flow")]
    problems = problems_of(kb_with_walkthrough(tmp_path, no_fallback))
    assert any("no walkthrough rule matches the answers input=prompts" in p for p in problems)
    shadowed = VALID.replace("when: {input: audio}\n    title: Speech", "title: Speech")
    problems = problems_of(kb_with_walkthrough(tmp_path, shadowed))
    assert any(":24:" in p and "rule 'flow' is never chosen" in p for p in problems), problems


def test_two_choices_claiming_the_same_words_are_an_error(tmp_path):
    broken = VALID.replace("means: [llm workflow]", "means: [audio]")
    problems = problems_of(kb_with_walkthrough(tmp_path, broken))
    assert any("matches the same words as a phrase of choice 'audio'" in p for p in problems)
