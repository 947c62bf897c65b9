"""walkthrough.yaml is validated with the rest of the KB: every problem with its file and line."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from bot.core.loader import KnowledgeError, load_knowledge

from .paths import FIXTURE_KB
from .walkthroughs import SPEECH_WALKTHROUGH

VALID = SPEECH_WALKTHROUGH


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


def test_a_missing_walkthrough_is_an_error_not_a_walkthrough_turned_off(tmp_path):
    root = kb_with_walkthrough(tmp_path, VALID)
    (root / "walkthrough.yaml").unlink()
    assert problems_of(root) == [
        "knowledge/walkthrough.yaml:0: missing: the guided walkthrough needs this file"
    ]


def test_an_empty_walkthrough_is_an_error(tmp_path):
    problems = problems_of(kb_with_walkthrough(tmp_path, "# nothing yet\n"))
    assert problems == ["knowledge/walkthrough.yaml:1: the walkthrough file must be a mapping"]


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


# -- what a path's recommendation must honour -----------------------------------------------------

HONOURING = """\
questions:
  - id: input
    ask: What is the input?
    choices:
      - {id: audio, label: Audio, because: you have audio}
      - {id: prompts, label: Prompts, because: you have prompts}
  - id: team
    ask: Who builds it?
    when: {input: audio}
    default: coders
    choices:
      - {id: coders, label: Coders, because: your team codes, skills: [code-first, low-code]}
      - {id: makers, label: Makers, because: your team clicks, skills: [low-code]}
  - id: home
    ask: Where does it run?
    default: unsure
    choices:
      - {id: flows, label: In flows, because: it runs in flows, topics: [prompt-flow]}
      - {id: speech, label: In Speech, because: it runs in Speech, topics: [speech-service]}
      - {id: unsure, label: Not sure, because: you have not decided}
rules:
  - id: custom-code
    when: {input: audio, team: coders}
    title: Custom Speech in code
    design: code-first
    recommend: [custom-speech, speech-service]
    why: Code adapts the model.
    given:
      home:
        flows: A flow calls the custom model.
  - id: speech-low-code
    when: {input: audio}
    title: Speech
    design: low-code
    recommend: [speech-service]
    why: Plain speech works out of the box.
    given:
      home:
        flows: A flow calls the Speech service.
  - id: flow
    title: Prompt flow
    design: low-code
    recommend: [prompt-flow]
    why: Flows of prompts.
    given:
      home:
        speech: The flow calls Speech.
additions:
  - id: jargon
    when: {input: audio}
    applies_to: [speech-service]
    why: Check the jargon.
"""


def test_a_walkthrough_that_honours_its_answers_loads(tmp_path):
    walkthrough = load_knowledge(kb_with_walkthrough(tmp_path, HONOURING)).walkthrough
    team = walkthrough.question("team")
    assert team.choice("makers").skills == ("low-code",)
    assert walkthrough.question("home").choice("flows").topics == ("prompt-flow",)
    rule = walkthrough.rule_for({"input": "audio", "team": "coders", "home": "flows"})
    assert rule.design == "code-first"
    assert rule.said_for({"home": "flows"}) == ("A flow calls the custom model.",)
    assert rule.said_for({"home": "speech"}) == ()
    assert walkthrough.additions[0].applies_to == ("speech-service",)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # makers reach a code-first design
            "when: {input: audio, team: coders}",
            "when: {input: audio}",
            "rule 'custom-code' (code-first) is reached by team=makers, who cannot build it",
        ),
        (  # a code-first design on a path where the team is never asked
            "title: Prompt flow\n    design: low-code",
            "title: Prompt flow\n    design: code-first",
            "rule 'flow' (code-first) is reached without asking 'team'",
        ),
        (  # a platform answer neither honoured nor addressed
            "        flows: A flow calls the Speech service.\n",
            "        speech: Speech it is.\n",
            "rule 'speech-low-code' neither recommends one of home=flows's topics",
        ),
        (  # another platform's service, unexplained
            "recommend: [prompt-flow]",
            "recommend: [prompt-flow, speech-service]",
            "rule 'flow' recommends speech-service to home=flows without saying anything",
        ),
        (  # a note about services the rule does not recommend
            "applies_to: [speech-service]",
            "applies_to: [prompt-flow]",
            "addition 'jargon' lands on rule 'custom-code', which recommends none of the topics",
        ),
        (
            "title: Prompt flow\n    design: low-code\n",
            "title: Prompt flow\n",
            "rule 'flow' needs a design",
        ),
        ("design: code-first", "design: code-frist", "design must be one of"),
        ("skills: [low-code]}", "skills: [clicking]}", "names unknown design 'clicking'"),
        (
            "flows: A flow calls the custom",
            "flowz: A flow calls the custom",
            "unknown choice 'flowz'",
        ),
    ],
)
def test_a_path_that_does_not_honour_its_answers_is_an_error(tmp_path, old, new, expected):
    assert HONOURING.count(old) == 1, old
    problems = problems_of(kb_with_walkthrough(tmp_path, HONOURING.replace(old, new)))
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("knowledge/walkthrough.yaml:") for p in problems), problems


def test_outranking_a_choice_of_another_question_is_an_error(tmp_path):
    broken = VALID.replace("means: [llm workflow]}", "means: [llm workflow], outranks: [plain]}")
    problems = problems_of(kb_with_walkthrough(tmp_path, broken))
    assert any(
        "'outranks' names 'plain', not another choice of this question" in p for p in problems
    )
