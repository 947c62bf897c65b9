"""Loads and validates the YAML knowledge base, reporting every problem with its file and line."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.kb import (
    QUESTION_SEPARATOR,
    Addition,
    Choice,
    Condition,
    Kind,
    KnowledgeBase,
    Link,
    Question,
    Rule,
    Topic,
    Vocabulary,
    Walkthrough,
    WalkthroughQuestion,
)
from bot.core.text import Normalizer

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"
TOPICS_GLOB = "topics/*.yaml"
VOCABULARY_FILE = "vocabulary.yaml"
WALKTHROUGH_FILE = "walkthrough.yaml"
WALKTHROUGH_COMMANDS = ("help", "cancel", "restart", "back", "skip")
_MAX_WALKTHROUGH_PATHS = 100_000

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the knowledge base."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base is invalid; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"invalid knowledge base ({len(self.problems)} problem(s)):\n{lines}")


class _Map(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _Seq(list):
    """A YAML sequence that remembers the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records line numbers and reports duplicate keys."""

    duplicates: list[tuple[int, str]]


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in data.key_lines:
            loader.duplicates.append((line, f"duplicate key {key!r}"))
        data.key_lines[key] = line
        data[key] = loader.construct_object(value_node, deep=True)


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[_Seq]:
    data = _Seq()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


class _Reader:
    """Collects problems while reading one file's parsed YAML."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def parse(self, path: Path) -> Any:
        loader = _LineLoader(path.read_text(encoding="utf-8"))
        loader.duplicates = []
        try:
            return loader.get_single_data()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = f"YAML syntax error: {exc.problem}"
            if exc.context and exc.context_mark and exc.context_mark.line != mark.line:
                message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
            self.problem(mark.line + 1 if mark else 1, message)
            return None
        finally:
            for line, message in loader.duplicates:
                self.problem(line, message)
            loader.dispose()

    def mapping(self, value: Any, line: int, what: str) -> _Map | None:
        if isinstance(value, _Map):
            return value
        self.problem(line, f"{what} must be a mapping")
        return None

    def keys(self, data: _Map, allowed: set[str], required: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(data.key_lines[key], f"unknown key {key!r} in {what}")
        for key in sorted(required - data.keys()):
            self.problem(data.line, f"{what} is missing required key {key!r}")

    def text(self, data: _Map, key: str, what: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(data.key_lines[key], f"{what}: {key!r} must be non-empty text")
            return ""
        return " ".join(value.split())

    def texts(self, data: _Map, key: str, what: str) -> tuple[tuple[str, int], ...]:
        """A list of non-empty strings, each with its line."""
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, _Seq):
            self.problem(data.key_lines[key], f"{what}: {key!r} must be a list")
            return ()
        found = []
        for item, line in zip(value, value.item_lines, strict=True):
            if (
                isinstance(item, str | int | float)
                and not isinstance(item, bool)
                and str(item).strip()
            ):
                found.append((" ".join(str(item).split()), line))
            elif isinstance(item, dict):
                self.problem(
                    line,
                    f"{what}: an item of {key!r} reads as a mapping: quote it "
                    "(a colon followed by a space starts a YAML mapping)",
                )
            else:
                self.problem(line, f"{what}: every item of {key!r} must be non-empty text")
        return tuple(found)


_TOPIC_REQUIRED = {"id", "title", "kind", "summary", "links", "phrases"}
_TOPIC_OPTIONAL = {
    "when_to_use",
    "when_not_to_use",
    "detail",
    "related",
    "aliases",
    "questions",
    "compares",
}
_QUESTION_KEYS = {"id", "ask", "answer"}
_LINK_KEYS = {"title", "url"}


@dataclass
class _TopicDraft:
    topic: Topic
    file: str
    line: int
    related_lines: dict[str, int]
    phrase_lines: dict[str, tuple[str, int]]
    """Each phrase: the intent it identifies and its line."""


def _read_vocabulary(path: Path, root: Path, problems: list[Problem]) -> Vocabulary:
    reader = _Reader(str(path.relative_to(root.parent)), problems)
    if not path.exists():
        return Vocabulary()
    data = reader.mapping(reader.parse(path), 1, "the vocabulary file")
    if data is None:
        return Vocabulary()
    reader.keys(data, {"abbreviations", "synonyms", "stopwords"}, set(), "the vocabulary")
    pairs: dict[str, dict[str, str]] = {}
    for key in ("abbreviations", "synonyms"):
        section = data.get(key) or _Map()
        if not isinstance(section, _Map):
            reader.problem(data.key_lines[key], f"{key!r} must be a mapping")
            section = _Map()
        pairs[key] = {}
        for short, long in section.items():
            line = section.key_lines[short]
            if not isinstance(long, str) or not str(short).strip() or not long.strip():
                reader.problem(line, f"{key}: {short!r} must map to non-empty text")
            elif key == "synonyms" and len(str(long).split()) != 1:
                reader.problem(line, f"synonyms: {short!r} must map to a single word")
            else:
                pairs[key][str(short).lower()] = long.lower()
    stopwords = frozenset(w.lower() for w, _ in reader.texts(data, "stopwords", "the vocabulary"))
    return Vocabulary(pairs["abbreviations"], pairs["synonyms"], stopwords)


def _read_topic(reader: _Reader, data: _Map) -> _TopicDraft | None:
    what = f"topic {data.get('id', '?')!r}"
    reader.keys(data, _TOPIC_REQUIRED | _TOPIC_OPTIONAL, _TOPIC_REQUIRED, what)
    topic_id = data.get("id")
    if not isinstance(topic_id, str) or not _ID.match(topic_id):
        reader.problem(
            data.key_lines.get("id", data.line), f"{what}: id must be lowercase-kebab-case"
        )
        return None
    try:
        kind = Kind(data.get("kind"))
    except ValueError:
        allowed = ", ".join(k.value for k in Kind)
        reader.problem(
            data.key_lines.get("kind", data.line), f"{what}: kind must be one of {allowed}"
        )
        return None
    links = _read_links(reader, data, what)
    phrases = reader.texts(data, "phrases", what)
    if "phrases" in data and not phrases:
        reader.problem(data.key_lines["phrases"], f"{what}: needs at least one phrase")
    related = reader.texts(data, "related", what)
    compares = reader.texts(data, "compares", what)
    if kind is Kind.COMPARISON and len(compares) != 2:
        reader.problem(
            data.line, f"{what}: a comparison needs 'compares' with exactly two topic ids"
        )
    aliases = reader.texts(data, "aliases", what)
    questions, ask_lines = _read_questions(reader, data, what)
    topic = Topic(
        id=topic_id,
        title=reader.text(data, "title", what),
        kind=kind,
        summary=reader.text(data, "summary", what),
        links=links,
        phrases=tuple(p for p, _ in phrases),
        when_to_use=tuple(t for t, _ in reader.texts(data, "when_to_use", what)),
        when_not_to_use=tuple(t for t, _ in reader.texts(data, "when_not_to_use", what)),
        detail=reader.text(data, "detail", what),
        related=tuple(r for r, _ in related),
        aliases=tuple(a for a, _ in aliases),
        questions=questions,
        compares=tuple(c for c, _ in compares),
    )
    phrase_lines = {p: (topic_id, line) for p, line in (*aliases, *phrases)}
    for phrase, (question_id, line) in ask_lines.items():
        phrase_lines[phrase] = (f"{topic_id}{QUESTION_SEPARATOR}{question_id}", line)
    return _TopicDraft(topic, reader.file, data.line, dict(related) | dict(compares), phrase_lines)


def _read_links(reader: _Reader, data: _Map, what: str) -> tuple[Link, ...]:
    value = data.get("links")
    if value is None:
        return ()
    if not isinstance(value, _Seq) or not value:
        reader.problem(data.key_lines["links"], f"{what}: 'links' must be a non-empty list")
        return ()
    links = []
    for item, line in zip(value, value.item_lines, strict=True):
        entry = reader.mapping(item, line, f"{what}: a link")
        if entry is not None:
            links.append(_read_link(reader, entry, f"{what}: link"))
    return tuple(links)


def _read_link(reader: _Reader, entry: _Map, what: str) -> Link:
    """One `{title, url}` mapping; the url must be https."""
    reader.keys(entry, _LINK_KEYS, _LINK_KEYS, what)
    url = reader.text(entry, "url", what)
    if url and not url.startswith("https://"):
        reader.problem(entry.key_lines["url"], f"{what}: url must start with https://")
    return Link(reader.text(entry, "title", what), url)


def _read_questions(
    reader: _Reader, data: _Map, what: str
) -> tuple[tuple[Question, ...], dict[str, tuple[str, int]]]:
    """The topic's questions, and the question id and line of each of their 'ask' phrases."""
    value = data.get("questions")
    if value is None:
        return (), {}
    if not isinstance(value, _Seq):
        reader.problem(data.key_lines["questions"], f"{what}: 'questions' must be a list")
        return (), {}
    questions: list[Question] = []
    ask_lines: dict[str, tuple[str, int]] = {}
    seen: set[str] = set()
    for item, line in zip(value, value.item_lines, strict=True):
        entry = reader.mapping(item, line, f"{what}: a question")
        if entry is None:
            continue
        q_what = f"{what} question {entry.get('id', '?')!r}"
        reader.keys(entry, _QUESTION_KEYS, _QUESTION_KEYS, q_what)
        q_id = entry.get("id")
        if not isinstance(q_id, str) or not _ID.match(q_id):
            reader.problem(
                entry.key_lines.get("id", line), f"{q_what}: id must be lowercase-kebab-case"
            )
            continue
        if q_id in seen:
            reader.problem(entry.key_lines["id"], f"{q_what}: duplicate question id in this topic")
        seen.add(q_id)
        asks = reader.texts(entry, "ask", q_what)
        if "ask" in entry and not asks:
            reader.problem(entry.key_lines["ask"], f"{q_what}: needs at least one 'ask' phrase")
        ask_lines |= {ask: (q_id, ask_line) for ask, ask_line in asks}
        questions.append(
            Question(q_id, tuple(a for a, _ in asks), reader.text(entry, "answer", q_what))
        )
    return tuple(questions), ask_lines


def _read_topic_file(path: Path, root: Path, problems: list[Problem]) -> list[_TopicDraft]:
    reader = _Reader(str(path.relative_to(root.parent)), problems)
    data = reader.parse(path)
    if data is None:
        return []
    data = reader.mapping(data, 1, "a topic file")
    if data is None:
        return []
    reader.keys(data, {"topics"}, {"topics"}, "a topic file")
    topics = data.get("topics")
    if not isinstance(topics, _Seq):
        reader.problem(data.key_lines.get("topics", 1), "'topics' must be a list")
        return []
    drafts = []
    for item, line in zip(topics, topics.item_lines, strict=True):
        entry = reader.mapping(item, line, "a topic")
        if entry is not None and (draft := _read_topic(reader, entry)) is not None:
            drafts.append(draft)
    return drafts


def _check_references(drafts: list[_TopicDraft], problems: list[Problem]) -> None:
    first: dict[str, _TopicDraft] = {}
    for draft in drafts:
        if (other := first.get(draft.topic.id)) is not None:
            problems.append(
                Problem(
                    draft.file,
                    draft.line,
                    f"duplicate topic id {draft.topic.id!r} "
                    f"(first defined at {other.file}:{other.line})",
                )
            )
        else:
            first[draft.topic.id] = draft
    for draft in drafts:
        for ref, line in draft.related_lines.items():
            if ref not in first:
                problems.append(
                    Problem(
                        draft.file,
                        line,
                        f"topic {draft.topic.id!r} refers to unknown topic {ref!r}",
                    )
                )


def _check_phrases(
    drafts: list[_TopicDraft], normalize: Callable[[str], str], problems: list[Problem]
) -> None:
    """Report phrases with nothing to match, and phrases shared by two different intents."""
    seen: dict[str, tuple[str, _TopicDraft, int]] = {}
    for draft in drafts:
        for phrase, (intent_id, line) in draft.phrase_lines.items():
            key = normalize(phrase)
            if not key:
                problems.append(
                    Problem(draft.file, line, f"phrase {phrase!r} has no words that can be matched")
                )
                continue
            other = seen.setdefault(key, (intent_id, draft, line))
            if other[0] != intent_id:
                problems.append(
                    Problem(
                        draft.file,
                        line,
                        f"phrase {phrase!r} of {intent_id!r} matches the same words as a phrase "
                        f"of {other[0]!r} at {other[1].file}:{other[2]}",
                    )
                )


def load_knowledge(root: Path = DEFAULT_KNOWLEDGE_DIR) -> KnowledgeBase:
    """Load every file of the knowledge folder; raise KnowledgeError listing all problems."""
    problems: list[Problem] = []
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), 0, "knowledge folder not found")])
    vocabulary = _read_vocabulary(root / VOCABULARY_FILE, root, problems)
    drafts: list[_TopicDraft] = []
    files = sorted(root.glob(TOPICS_GLOB))
    if not files:
        problems.append(Problem(str(root / TOPICS_GLOB), 0, "no topic files found"))
    for path in files:
        drafts.extend(_read_topic_file(path, root, problems))
    _check_references(drafts, problems)
    normalizer = Normalizer(vocabulary)
    _check_phrases(drafts, lambda p: " ".join(normalizer.normalize(p).terms), problems)
    walkthrough = None
    if (root / WALKTHROUGH_FILE).exists():
        walkthrough = read_walkthrough(
            root / WALKTHROUGH_FILE,
            root,
            {d.topic.id for d in drafts},
            lambda p: " ".join(normalizer.normalize(p).terms),
            problems,
        )
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase({d.topic.id: d.topic for d in drafts}, vocabulary, walkthrough)


# -- the walkthrough (knowledge/walkthrough.yaml) ----------------------------------------------

_WALKTHROUGH_KEYS = {"intro", "commands", "questions", "rules", "additions"}
_WALK_QUESTION_REQUIRED = {"id", "ask", "choices"}
_WALK_QUESTION_OPTIONAL = {"help", "when", "default"}
_CHOICE_REQUIRED = {"id", "label", "because"}
_CHOICE_OPTIONAL = {"means"}
_RULE_REQUIRED = {"id", "title", "recommend", "why"}
_RULE_OPTIONAL = {"when", "next", "related", "reference"}
_ADDITION_REQUIRED = {"id", "when", "why"}
_ADDITION_OPTIONAL = {"recommend"}


class _WalkthroughReader:
    """Reads walkthrough.yaml, checking every reference to a question, choice or topic."""

    def __init__(
        self,
        reader: _Reader,
        topic_ids: set[str],
        normalize: Callable[[str], str],
    ) -> None:
        self.reader = reader
        self.topic_ids = topic_ids
        self.normalize = normalize
        self.questions: dict[str, WalkthroughQuestion] = {}

    def items(self, data: _Map, key: str, what: str) -> list[tuple[_Map, int]]:
        """The mappings listed under `key`, each with its line."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, _Seq):
            self.reader.problem(data.key_lines[key], f"{what}: {key!r} must be a list")
            return []
        found = []
        for item, line in zip(value, value.item_lines, strict=True):
            entry = self.reader.mapping(item, line, f"{what}: an item of {key!r}")
            if entry is not None:
                found.append((entry, line))
        return found

    def ident(self, data: _Map, what: str, seen: set[str]) -> str | None:
        value = data.get("id")
        if not isinstance(value, str) or not _ID.match(value):
            self.reader.problem(
                data.key_lines.get("id", data.line), f"{what}: id must be lowercase-kebab-case"
            )
            return None
        if value in seen:
            self.reader.problem(data.key_lines["id"], f"{what}: duplicate id {value!r}")
        seen.add(value)
        return value

    def topics(self, data: _Map, key: str, what: str) -> tuple[str, ...]:
        found = []
        for topic_id, line in self.reader.texts(data, key, what):
            if topic_id not in self.topic_ids:
                self.reader.problem(line, f"{what}: {key!r} names unknown topic {topic_id!r}")
            else:
                found.append(topic_id)
        return tuple(found)

    def conditions(self, data: _Map, what: str) -> tuple[Condition, ...]:
        """`when`: one mapping {question: choice or [choices]}, or a list of them (any holds)."""
        value = data.get("when")
        if value is None:
            return ()
        line = data.key_lines["when"]
        if isinstance(value, _Map):
            entries = [(value, line)]
        elif isinstance(value, _Seq) and value:
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
                listed = choices if isinstance(choices, _Seq) else [choices]
                lines = choices.item_lines if isinstance(choices, _Seq) else [key_line]
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

    def choice(self, data: _Map, what: str, seen: set[str]) -> Choice | None:
        self.reader.keys(data, _CHOICE_REQUIRED | _CHOICE_OPTIONAL, _CHOICE_REQUIRED, what)
        choice_id = self.ident(data, what, seen)
        if choice_id is None:
            return None
        return Choice(
            id=choice_id,
            label=self.reader.text(data, "label", what),
            because=self.reader.text(data, "because", what),
            means=tuple(m for m, _ in self.reader.texts(data, "means", what)),
        )

    def question(self, data: _Map, seen: set[str]) -> WalkthroughQuestion | None:
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

    def rule(self, data: _Map, seen: set[str]) -> Rule | None:
        what = f"walkthrough rule {data.get('id', '?')!r}"
        self.reader.keys(data, _RULE_REQUIRED | _RULE_OPTIONAL, _RULE_REQUIRED, what)
        rule_id = self.ident(data, what, seen)
        if rule_id is None:
            return None
        recommend = self.topics(data, "recommend", what)
        if "recommend" in data and not recommend:
            self.reader.problem(data.key_lines["recommend"], f"{what}: recommends no topic")
        reference = None
        if "reference" in data:
            entry = self.reader.mapping(data["reference"], data.key_lines["reference"], what)
            if entry is not None:
                reference = _read_link(self.reader, entry, f"{what}: reference")
        return Rule(
            id=rule_id,
            title=self.reader.text(data, "title", what),
            recommend=recommend,
            why=self.reader.text(data, "why", what),
            when=self.conditions(data, what),
            next=tuple(t for t, _ in self.reader.texts(data, "next", what)),
            related=self.topics(data, "related", what),
            reference=reference,
        )

    def addition(self, data: _Map, seen: set[str]) -> Addition | None:
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
        )

    def commands(self, data: _Map) -> dict[str, tuple[str, ...]]:
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
    """Read and check walkthrough.yaml; problems go to `problems` with file and line."""
    reader = _Reader(str(path.relative_to(root.parent)), problems)
    before = len(problems)
    data = reader.parse(path)
    if data is None:
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
    )
    if len(problems) == before and walkthrough.questions and walkthrough.rules:
        _check_walkthrough_paths(walkthrough, reader, data)
    return walkthrough


def _check_walkthrough_paths(walkthrough: Walkthrough, reader: _Reader, data: _Map) -> None:
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
    for rule, line in zip(walkthrough.rules, rules.item_lines, strict=False):
        if rule.id not in chosen:
            reader.problem(
                line,
                f"walkthrough rule {rule.id!r} is never chosen: earlier rules match every path "
                "it matches",
            )
