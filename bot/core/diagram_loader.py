"""Reads and checks the `diagram` section of knowledge/walkthrough.yaml: the stages, each
recommended topic's component and the first and last boxes by answer.

Every topic a rule or an addition recommends must have a component, so a new rule is drawn
without code; problems are reported as `file:line: message`.
"""

from __future__ import annotations

from bot.core.kb import DiagramComponent, DiagramData, Walkthrough, WalkthroughQuestion
from bot.core.yaml_reader import Reader, YamlMap

DIAGRAM_KEYS = {"source", "user", "stages", "components", "ends"}
_COMPONENT_KEYS = {"stage", "beside", "label"}
_END_KEYS = {"source", "user"}
_WHAT = "walkthrough 'diagram'"


def read_diagram(
    reader: Reader,
    data: YamlMap,
    questions: dict[str, WalkthroughQuestion],
    topic_ids: set[str],
) -> DiagramData | None:
    """The `diagram` section (None when absent or unreadable)."""
    if "diagram" not in data:
        return None
    section = reader.mapping(data["diagram"], data.key_lines["diagram"], _WHAT)
    if section is None:
        return None
    reader.keys(section, DIAGRAM_KEYS, {"stages", "components"}, _WHAT)
    stages = tuple(s for s, _ in reader.texts(section, "stages", _WHAT))
    if len(set(stages)) != len(stages):
        reader.problem(section.key_lines.get("stages", section.line), f"{_WHAT}: a stage twice")
    components = _components(reader, section, set(stages), topic_ids)
    return DiagramData(
        stages=stages,
        components=components,
        ends=_ends(reader, section, questions),
        source=reader.text(section, "source", _WHAT) or "Your data",
        user=reader.text(section, "user", _WHAT) or "Users",
    )


def _components(
    reader: Reader, section: YamlMap, stages: set[str], topic_ids: set[str]
) -> dict[str, DiagramComponent]:
    value = section.get("components")
    entries = reader.mapping(value, section.key_lines.get("components", section.line), _WHAT)
    if entries is None:
        return {}
    found: dict[str, DiagramComponent] = {}
    for topic_id, entry_value in entries.items():
        line = entries.key_lines[topic_id]
        what = f"{_WHAT} component {topic_id!r}"
        if topic_id not in topic_ids:
            reader.problem(line, f"{_WHAT}: 'components' names unknown topic {topic_id!r}")
            continue
        entry = reader.mapping(entry_value, line, what)
        if entry is None:
            continue
        reader.keys(entry, _COMPONENT_KEYS, {"stage"}, what)
        stage = reader.text(entry, "stage", what)
        if stage and stage not in stages:
            reader.problem(
                entry.key_lines["stage"],
                f"{what}: unknown stage {stage!r} (stages: {', '.join(sorted(stages))})",
            )
            continue
        beside = []
        for other, other_line in reader.texts(entry, "beside", what):
            if other not in topic_ids:
                reader.problem(other_line, f"{what}: 'beside' names unknown topic {other!r}")
            else:
                beside.append(other)
        if stage:
            label = reader.text(entry, "label", what)
            found[topic_id] = DiagramComponent(topic_id, stage, tuple(beside), label)
    return found


def _ends(
    reader: Reader, section: YamlMap, questions: dict[str, WalkthroughQuestion]
) -> dict[tuple[str, str], tuple[str, str]]:
    value = section.get("ends")
    if value is None:
        return {}
    ends = reader.mapping(value, section.key_lines["ends"], f"{_WHAT} 'ends'")
    if ends is None:
        return {}
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for question_id, choices_value in ends.items():
        line = ends.key_lines[question_id]
        question = questions.get(question_id)
        if question is None:
            reader.problem(line, f"{_WHAT}: 'ends' names unknown question {question_id!r}")
            continue
        choices = reader.mapping(choices_value, line, f"{_WHAT} 'ends' {question_id!r}")
        if choices is None:
            continue
        known = {c.id for c in question.choices}
        for choice_id, end_value in choices.items():
            what = f"{_WHAT} 'ends' {question_id!r} {choice_id!r}"
            if choice_id not in known:
                reader.problem(
                    choices.key_lines[choice_id],
                    f"{_WHAT}: 'ends' names unknown choice {choice_id!r} of question "
                    f"{question_id!r} (choices: {', '.join(sorted(known))})",
                )
                continue
            end = reader.mapping(end_value, choices.key_lines[choice_id], what)
            if end is None:
                continue
            reader.keys(end, _END_KEYS, set(), what)
            found[(question_id, str(choice_id))] = (
                reader.text(end, "source", what),
                reader.text(end, "user", what),
            )
    return found


def check_drawn(reader: Reader, data: YamlMap, walkthrough: Walkthrough) -> None:
    """Every topic a rule or an addition recommends needs a component (`file:line`)."""
    diagram = walkthrough.diagram
    if diagram is None:
        return
    line = data.key_lines.get("diagram", 1)
    missing: dict[str, str] = {}
    for rule in walkthrough.rules:
        for topic in rule.recommend:
            missing.setdefault(topic, f"rule {rule.id!r}")
    for addition in walkthrough.additions:
        for topic in addition.recommend:
            missing.setdefault(topic, f"addition {addition.id!r}")
    for topic, where in missing.items():
        if topic not in diagram.components:
            reader.problem(
                line,
                f"{_WHAT}: {where} recommends {topic!r}, which has no entry in 'components' "
                "(its stage in the diagram)",
            )
