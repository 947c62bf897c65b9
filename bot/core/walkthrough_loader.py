"""Reads and checks knowledge/walkthrough.yaml: questions, choices, rules and additions.

Every reference to a question, choice or topic is checked, and every path through the questions
must end in a rule (and every rule be reachable); problems are reported as `file:line: message`.

Every path is also checked against what the answers commit the recommendation to:

* a team's answer lists the designs it can build (`skills`): a rule whose `design` some team
  cannot build is only reached after the team question, by a team that can build it;
* an answer naming a data platform lists that platform's topics (`topics`): the rule reached
  after it recommends one of them and nothing of another platform, or says something `given`
  that answer (any answer to such a question but its default, which commits to nothing);
* an addition lists the topics it is about (`applies_to`): it only lands on rules that
  recommend one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.core.diagram_loader import check_drawn, read_diagram
from bot.core.kb import (
    Addition,
    Choice,
    Condition,
    Rule,
    Walkthrough,
    WalkthroughQuestion,
)
from bot.core.labels import short_problem
from bot.core.yaml_reader import ID_PATTERN, Problem, Reader, YamlMap, YamlSeq, read_link

WALKTHROUGH_FILE = "walkthrough.yaml"
WALKTHROUGH_COMMANDS = ("help", "cancel", "restart", "back", "skip")
_MAX_WALKTHROUGH_PATHS = 100_000

_WALKTHROUGH_KEYS = {
    "intro",
    "intro_after_answer",
    "recommend_after_answer",
    "commands",
    "questions",
    "rules",
    "additions",
    "diagram",
}
_WALK_QUESTION_REQUIRED = {"id", "ask", "choices"}
_WALK_QUESTION_OPTIONAL = {"help", "when", "default"}
_CHOICE_REQUIRED = {"id", "label", "because"}
_CHOICE_OPTIONAL = {"means", "topics", "skills", "short", "outranks"}
_RULE_REQUIRED = {"id", "title", "recommend", "why"}
_RULE_OPTIONAL = {"when", "next", "related", "reference", "design", "given"}
_ADDITION_REQUIRED = {"id", "when", "why"}
_ADDITION_OPTIONAL = {"recommend", "applies_to"}
DESIGNS = ("code-first", "deep-learning", "low-code", "ready-made")
"""What building a rule's recommendation takes (`design`), and what a team can build (`skills`)."""


class _WalkthroughReader:
    """Reads walkthrough.yaml, checking every reference to a question, choice or topic."""

    def __init__(
        self,
        reader: Reader,
        topic_ids: set[str],
        normalize: Callable[[str], str],
    ) -> None:
        self.reader = reader
        self.topic_ids = topic_ids
        self.normalize = normalize
        self.questions: dict[str, WalkthroughQuestion] = {}

    def items(self, data: YamlMap, key: str, what: str) -> list[tuple[YamlMap, int]]:
        """The mappings listed under `key`, each with its line."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, YamlSeq):
            self.reader.problem(data.key_lines[key], f"{what}: {key!r} must be a list")
            return []
        found = []
        for item, line in zip(value, value.item_lines, strict=True):
            entry = self.reader.mapping(item, line, f"{what}: an item of {key!r}")
            if entry is not None:
                found.append((entry, line))
        return found

    def ident(self, data: YamlMap, what: str, seen: set[str]) -> str | None:
        value = data.get("id")
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.reader.problem(
                data.key_lines.get("id", data.line), f"{what}: id must be lowercase-kebab-case"
            )
            return None
        if value in seen:
            self.reader.problem(data.key_lines["id"], f"{what}: duplicate id {value!r}")
        seen.add(value)
        return value

    def topics(self, data: YamlMap, key: str, what: str) -> tuple[str, ...]:
        found = []
        for topic_id, line in self.reader.texts(data, key, what):
            if topic_id not in self.topic_ids:
                self.reader.problem(line, f"{what}: {key!r} names unknown topic {topic_id!r}")
            else:
                found.append(topic_id)
        return tuple(found)

    def designs(self, data: YamlMap, key: str, what: str) -> tuple[str, ...]:
        found = []
        for design, line in self.reader.texts(data, key, what):
            if design not in DESIGNS:
                self.reader.problem(
                    line, f"{what}: {key!r} names unknown design {design!r} ({', '.join(DESIGNS)})"
                )
            else:
                found.append(design)
        return tuple(found)

    def given(self, data: YamlMap, what: str) -> tuple[tuple[str, str, str], ...]:
        """`given`: {question id: {choice id: sentence}}, what the rule says after that answer."""
        value = data.get("given")
        if value is None:
            return ()
        section = self.reader.mapping(value, data.key_lines["given"], f"{what}: 'given'")
        if section is None:
            return ()
        found = []
        for question_id, choices in section.items():
            line = section.key_lines[question_id]
            question = self.questions.get(question_id)
            if question is None:
                self.reader.problem(line, f"{what}: 'given' names unknown question {question_id!r}")
                continue
            entry = self.reader.mapping(choices, line, f"{what}: 'given' {question_id!r}")
            if entry is None:
                continue
            known = {c.id for c in question.choices}
            for choice_id in entry:
                text = self.reader.text(entry, choice_id, f"{what}: 'given' {question_id!r}")
                if choice_id not in known:
                    self.reader.problem(
                        entry.key_lines[choice_id],
                        f"{what}: 'given' names unknown choice {choice_id!r} of question "
                        f"{question_id!r} (choices: {', '.join(sorted(known))})",
                    )
                elif text:
                    found.append((question_id, str(choice_id), text))
        return tuple(found)

    def conditions(self, data: YamlMap, what: str) -> tuple[Condition, ...]:
        """`when`: one mapping {question: choice or [choices]}, or a list of them (any holds)."""
        value = data.get("when")
        if value is None:
            return ()
        line = data.key_lines["when"]
        if isinstance(value, YamlMap):
            entries = [(value, line)]
        elif isinstance(value, YamlSeq) and value:
            entries = []
            for item, item_line in zip(value, value.item_lines, strict=True):
                entry = self.reader.mapping(item, item_line, f"{what}: an item of 'when'")
                if entry is not None:
                    entries.append((entry, item_line))
        else:
            self.reader.problem(
                line, f"{what}: 'when' must be a mapping of question ids to choice ids, or a list"
            )
            return ()
        conditions = []
        for entry, entry_line in entries:
            if not entry:
                self.reader.problem(entry_line, f"{what}: an empty 'when' condition")
                continue
            pairs = []
            for question_id, choices in entry.items():
                key_line = entry.key_lines[question_id]
                question = self.questions.get(question_id)
                if question is None:
                    self.reader.problem(
                        key_line,
                        f"{what}: 'when' names unknown question {question_id!r}"
                        " (a question can only depend on questions asked before it)",
                    )
                    continue
                listed = choices if isinstance(choices, YamlSeq) else [choices]
                lines = choices.item_lines if isinstance(choices, YamlSeq) else [key_line]
                if not listed:
                    self.reader.problem(key_line, f"{what}: 'when' lists no choices")
                known = {c.id for c in question.choices}
                for choice, choice_line in zip(listed, lines, strict=True):
                    if choice not in known:
                        self.reader.problem(
                            choice_line,
                            f"{what}: 'when' names unknown choice {choice!r} of question "
                            f"{question_id!r} (choices: {', '.join(sorted(known))})",
                        )
                pairs.append((question_id, frozenset(str(c) for c in listed)))
            conditions.append(tuple(pairs))
        return tuple(conditions)

    def choice(self, data: YamlMap, what: str, seen: set[str]) -> Choice | None:
        self.reader.keys(data, _CHOICE_REQUIRED | _CHOICE_OPTIONAL, _CHOICE_REQUIRED, what)
        choice_id = self.ident(data, what, seen)
        if choice_id is None:
            return None
        label = self.reader.text(data, "label", what)
        short = self.reader.text(data, "short", what)
        if short and (problem := short_problem(short, label)):
            self.reader.problem(data.key_lines["short"], f"{what}: {problem}")
        return Choice(
            id=choice_id,
            label=label,
            short=short,
            because=self.reader.text(data, "because", what),
            means=tuple(m for m, _ in self.reader.texts(data, "means", what)),
            topics=self.topics(data, "topics", what),
            skills=self.designs(data, "skills", what),
            outranks=tuple(o for o, _ in self.reader.texts(data, "outranks", what)),
        )

    def question(self, data: YamlMap, seen: set[str]) -> WalkthroughQuestion | None:
        what = f"walkthrough question {data.get('id', '?')!r}"
        self.reader.keys(
            data, _WALK_QUESTION_REQUIRED | _WALK_QUESTION_OPTIONAL, _WALK_QUESTION_REQUIRED, what
        )
        question_id = self.ident(data, what, seen)
        if question_id is None:
            return None
        when = self.conditions(data, what)
        choices: list[Choice] = []
        choice_ids: set[str] = set()
        phrases: dict[str, tuple[str, int]] = {}
        for entry, line in self.items(data, "choices", what):
            choice_what = f"{what} choice {entry.get('id', '?')!r}"
            choice = self.choice(entry, choice_what, choice_ids)
            if choice is None:
                continue
            choices.append(choice)
            for phrase in (choice.label, *choice.means):
                key = self.normalize(phrase)
                other = phrases.setdefault(key, (choice.id, line))
                if key and other[0] != choice.id:
                    self.reader.problem(
                        line,
                        f"{choice_what}: {phrase!r} matches the same words as a phrase of "
                        f"choice {other[0]!r} (line {other[1]})",
                    )
        for choice in choices:
            for other in choice.outranks:
                if other not in choice_ids or other == choice.id:
                    self.reader.problem(
                        data.key_lines["choices"],
                        f"{what} choice {choice.id!r}: 'outranks' names {other!r}, not another "
                        "choice of this question",
                    )
        if "choices" in data and len(choices) < 2:
            self.reader.problem(data.key_lines["choices"], f"{what}: needs at least two choices")
        default = data.get("default")
        if default is not None and default not in choice_ids:
            self.reader.problem(
                data.key_lines["default"], f"{what}: default {default!r} is not one of its choices"
            )
            default = None
        return WalkthroughQuestion(
            id=question_id,
            ask=self.reader.text(data, "ask", what),
            choices=tuple(choices),
            help=self.reader.text(data, "help", what),
            when=when,
            default=default,
        )

    def rule(self, data: YamlMap, seen: set[str]) -> Rule | None:
        what = f"walkthrough rule {data.get('id', '?')!r}"
        self.reader.keys(data, _RULE_REQUIRED | _RULE_OPTIONAL, _RULE_REQUIRED, what)
        rule_id = self.ident(data, what, seen)
        if rule_id is None:
            return None
        recommend = self.topics(data, "recommend", what)
        if "recommend" in data and not recommend:
            self.reader.problem(data.key_lines["recommend"], f"{what}: recommends no topic")
        design = data.get("design")
        if design is not None and design not in DESIGNS:
            self.reader.problem(
                data.key_lines["design"],
                f"{what}: design must be one of {', '.join(DESIGNS)}, not {design!r}",
            )
            design = None
        reference = None
        if "reference" in data:
            entry = self.reader.mapping(data["reference"], data.key_lines["reference"], what)
            if entry is not None:
                reference = read_link(self.reader, entry, f"{what}: reference")
        return Rule(
            id=rule_id,
            title=self.reader.text(data, "title", what),
            recommend=recommend,
            why=self.reader.text(data, "why", what),
            when=self.conditions(data, what),
            next=tuple(t for t, _ in self.reader.texts(data, "next", what)),
            related=self.topics(data, "related", what),
            reference=reference,
            design=str(design or ""),
            given=self.given(data, what),
        )

    def addition(self, data: YamlMap, seen: set[str]) -> Addition | None:
        what = f"walkthrough addition {data.get('id', '?')!r}"
        self.reader.keys(data, _ADDITION_REQUIRED | _ADDITION_OPTIONAL, _ADDITION_REQUIRED, what)
        addition_id = self.ident(data, what, seen)
        if addition_id is None:
            return None
        return Addition(
            id=addition_id,
            why=self.reader.text(data, "why", what),
            when=self.conditions(data, what),
            recommend=self.topics(data, "recommend", what),
            applies_to=self.topics(data, "applies_to", what),
        )

    def commands(self, data: YamlMap) -> dict[str, tuple[str, ...]]:
        value = data.get("commands")
        if value is None:
            return {}
        section = self.reader.mapping(value, data.key_lines["commands"], "walkthrough 'commands'")
        if section is None:
            return {}
        self.reader.keys(section, set(WALKTHROUGH_COMMANDS), set(), "walkthrough 'commands'")
        return {
            name: tuple(w for w, _ in self.reader.texts(section, name, f"command {name!r}"))
            for name in WALKTHROUGH_COMMANDS
            if name in section
        }


def read_walkthrough(
    path: Path,
    root: Path,
    topic_ids: set[str],
    normalize: Callable[[str], str],
    problems: list[Problem],
) -> Walkthrough | None:
    """Read and check walkthrough.yaml; problems go to `problems` with file and line. A missing
    file is a problem too: the walkthrough is never switched off by accident."""
    reader = Reader(str(path.relative_to(root.parent)), problems)
    if not path.exists():
        reader.problem(0, "missing: the guided walkthrough needs this file")
        return None
    before = len(problems)
    data = reader.parse(path)
    if reader.failed:
        return None
    data = reader.mapping(data, 1, "the walkthrough file")
    if data is None:
        return None
    reader.keys(data, _WALKTHROUGH_KEYS, {"questions", "rules"}, "the walkthrough")
    walk = _WalkthroughReader(reader, topic_ids, normalize)
    seen: set[str] = set()
    for entry, _ in walk.items(data, "questions", "the walkthrough"):
        question = walk.question(entry, seen)
        if question is not None:
            walk.questions[question.id] = question
    seen = set()
    rules = [
        r for e, _ in walk.items(data, "rules", "the walkthrough") if (r := walk.rule(e, seen))
    ]
    seen = set()
    additions = [
        a
        for e, _ in walk.items(data, "additions", "the walkthrough")
        if (a := walk.addition(e, seen))
    ]
    for key in ("questions", "rules"):
        if key in data and not walk.items(data, key, "the walkthrough"):
            reader.problem(
                data.key_lines[key], f"the walkthrough needs at least one item in {key!r}"
            )
    walkthrough = Walkthrough(
        questions=tuple(walk.questions.values()),
        rules=tuple(rules),
        additions=tuple(additions),
        commands=walk.commands(data),
        intro=reader.text(data, "intro", "the walkthrough"),
        intro_after_answer=reader.text(data, "intro_after_answer", "the walkthrough"),
        recommend_after_answer=reader.text(data, "recommend_after_answer", "the walkthrough"),
        diagram=read_diagram(reader, data, walk.questions, topic_ids),
    )
    check_drawn(reader, data, walkthrough)
    if len(problems) == before and walkthrough.questions and walkthrough.rules:
        _check_walkthrough_paths(walkthrough, reader, data)
    return walkthrough


def _check_walkthrough_paths(walkthrough: Walkthrough, reader: Reader, data: YamlMap) -> None:
    """Every way through the questions must reach a rule, and every rule must be reachable."""
    chosen: set[str] = set()
    missing: list[dict[str, str]] = []
    for count, answers in enumerate(walkthrough.completions({}), start=1):
        if count > _MAX_WALKTHROUGH_PATHS:
            reader.problem(
                data.key_lines["questions"],
                f"the walkthrough has more than {_MAX_WALKTHROUGH_PATHS} paths: split it up",
            )
            return
        rule = walkthrough.rule_for(answers)
        if rule is None:
            missing.append(answers)
        else:
            chosen.add(rule.id)
    for answers in missing[:5]:
        said = ", ".join(f"{q}={c}" for q, c in answers.items())
        reader.problem(data.key_lines["rules"], f"no walkthrough rule matches the answers {said}")
    if len(missing) > 5:
        reader.problem(data.key_lines["rules"], f"… and {len(missing) - 5} more unmatched paths")
    rules = data.get("rules")
    rule_lines = dict(zip((r.id for r in walkthrough.rules), rules.item_lines, strict=False))
    for rule in walkthrough.rules:
        if rule.id not in chosen:
            reader.problem(
                rule_lines[rule.id],
                f"walkthrough rule {rule.id!r} is never chosen: earlier rules match every path "
                "it matches",
            )
    if any(c.skills for q in walkthrough.questions for c in q.choices):
        for rule in walkthrough.rules:
            if not rule.design:
                reader.problem(
                    rule_lines[rule.id],
                    f"walkthrough rule {rule.id!r} needs a design ({', '.join(DESIGNS)}): "
                    "the team's answers say which designs they can build",
                )
    additions = data.get("additions")
    addition_lines = dict(
        zip(
            (a.id for a in walkthrough.additions),
            additions.item_lines if additions else (),
            strict=False,
        )
    )
    reported: set[tuple[str, ...]] = set()
    for answers in walkthrough.completions({}):
        rule = walkthrough.rule_for(answers)
        if rule is None:
            continue
        for kind, subject, message in path_problems(walkthrough, answers):
            if (kind, subject, rule.id) in reported:
                continue
            reported.add((kind, subject, rule.id))
            said = ", ".join(f"{q}={c}" for q, c in answers.items())
            line = addition_lines.get(subject) if kind == "addition" else None
            reader.problem(line or rule_lines[rule.id], f"{message} (answers {said})")


def path_problems(walkthrough: Walkthrough, answers: dict[str, str]) -> list[tuple[str, str, str]]:
    """What the recommendation for one finished path fails to honour, as (kind, subject, message):
    a design the team cannot build (or was never asked about), a platform answer neither honoured
    nor addressed, an addition about services the rule does not recommend."""
    answers = walkthrough.active(answers)
    rule = walkthrough.rule_for(answers)
    if rule is None:
        return []
    found: list[tuple[str, str, str]] = []
    recommended = set(rule.recommend)
    skill_questions = [q for q in walkthrough.questions if any(c.skills for c in q.choices)]
    for question in skill_questions if rule.design else ():
        if all(rule.design in c.skills for c in question.choices if c.skills):
            continue
        answer = answers.get(question.id)
        if answer is None:
            found.append(
                (
                    "design",
                    question.id,
                    f"walkthrough rule {rule.id!r} ({rule.design}) is reached "
                    f"without asking {question.id!r}",
                )
            )
        elif rule.design not in question.choice(answer).skills:
            found.append(
                (
                    "design",
                    question.id,
                    f"walkthrough rule {rule.id!r} ({rule.design}) is reached "
                    f"by {question.id}={answer}, who cannot build it",
                )
            )
    said = {(q, c) for q, c, _ in rule.given}
    for question in walkthrough.questions:
        answer = answers.get(question.id)
        if (
            answer is None
            or answer == question.default
            or (question.id, answer) in said
            or not any(c.topics for c in question.choices)
        ):
            continue
        choice = question.choice(answer)
        others = {t for c in question.choices if c.id != answer for t in c.topics}
        others -= set(choice.topics)
        if not recommended & set(choice.topics):
            found.append(
                (
                    "platform",
                    f"{question.id}={answer}",
                    f"walkthrough rule {rule.id!r} neither recommends one of {question.id}="
                    f"{answer}'s topics nor says anything 'given' it",
                )
            )
        elif recommended & others:
            found.append(
                (
                    "platform",
                    f"{question.id}={answer}",
                    f"walkthrough rule {rule.id!r} recommends "
                    f"{', '.join(sorted(recommended & others))} to {question.id}={answer} "
                    "without saying anything 'given' it",
                )
            )
    for addition in walkthrough.additions_for(answers):
        if not recommended & set(addition.applies_to):
            found.append(
                (
                    "addition",
                    addition.id,
                    f"walkthrough addition {addition.id!r} lands on rule {rule.id!r}, which "
                    f"recommends none of the topics it applies to "
                    f"({', '.join(addition.applies_to) or 'none listed'})",
                )
            )
    return found
