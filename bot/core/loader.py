"""Loads and validates the YAML knowledge base, reporting every problem with its file and line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.core.conversation_loader import read_conversation
from bot.core.kb import (
    DEFAULT_KNOWLEDGE_DIR,
    QUESTION_SEPARATOR,
    Kind,
    KnowledgeBase,
    KnowledgeError,
    Link,
    Question,
    Topic,
    Vocabulary,
)
from bot.core.labels import short_problem
from bot.core.text import Normalizer
from bot.core.walkthrough_loader import WALKTHROUGH_FILE, read_walkthrough
from bot.core.yaml_reader import ID_PATTERN, Problem, Reader, YamlMap, YamlSeq, read_link

TOPICS_GLOB = "topics/*.yaml"
VOCABULARY_FILE = "vocabulary.yaml"


_TOPIC_REQUIRED = {"id", "title", "kind", "summary", "links", "phrases"}
_TOPIC_OPTIONAL = {
    "when_to_use",
    "when_not_to_use",
    "detail",
    "related",
    "aliases",
    "questions",
    "compares",
    "short",
}
_QUESTION_KEYS = {"id", "ask", "answer"}


@dataclass
class _TopicDraft:
    topic: Topic
    file: str
    line: int
    related_lines: dict[str, int]
    phrase_lines: dict[str, tuple[str, int]]
    """Each phrase: the intent it identifies and its line."""


def _read_vocabulary(path: Path, root: Path, problems: list[Problem]) -> Vocabulary:
    reader = Reader(str(path.relative_to(root.parent)), problems)
    if not path.exists():
        return Vocabulary()
    data = reader.parse(path)
    if reader.failed:
        return Vocabulary()
    data = reader.mapping(data, 1, "the vocabulary file")
    if data is None:
        return Vocabulary()
    reader.keys(data, {"abbreviations", "synonyms", "stopwords"}, set(), "the vocabulary")
    pairs: dict[str, dict[str, str]] = {}
    for key in ("abbreviations", "synonyms"):
        section = data.get(key) or YamlMap()
        if not isinstance(section, YamlMap):
            reader.problem(data.key_lines[key], f"{key!r} must be a mapping")
            section = YamlMap()
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


def _read_topic(reader: Reader, data: YamlMap) -> _TopicDraft | None:
    what = f"topic {data.get('id', '?')!r}"
    reader.keys(data, _TOPIC_REQUIRED | _TOPIC_OPTIONAL, _TOPIC_REQUIRED, what)
    topic_id = data.get("id")
    if not isinstance(topic_id, str) or not ID_PATTERN.match(topic_id):
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
    title = reader.text(data, "title", what)
    short = reader.text(data, "short", what)
    if short and (problem := short_problem(short, title)):
        reader.problem(data.key_lines["short"], f"{what}: {problem}")
    topic = Topic(
        id=topic_id,
        title=title,
        short=short,
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


def _read_links(reader: Reader, data: YamlMap, what: str) -> tuple[Link, ...]:
    value = data.get("links")
    if value is None:
        return ()
    if not isinstance(value, YamlSeq) or not value:
        reader.problem(data.key_lines["links"], f"{what}: 'links' must be a non-empty list")
        return ()
    links = []
    for item, line in zip(value, value.item_lines, strict=True):
        entry = reader.mapping(item, line, f"{what}: a link")
        if entry is not None:
            links.append(read_link(reader, entry, f"{what}: link"))
    return tuple(links)


def _read_questions(
    reader: Reader, data: YamlMap, what: str
) -> tuple[tuple[Question, ...], dict[str, tuple[str, int]]]:
    """The topic's questions, and the question id and line of each of their 'ask' phrases."""
    value = data.get("questions")
    if value is None:
        return (), {}
    if not isinstance(value, YamlSeq):
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
        if not isinstance(q_id, str) or not ID_PATTERN.match(q_id):
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
    reader = Reader(str(path.relative_to(root.parent)), problems)
    data = reader.parse(path)
    if reader.failed:
        return []
    data = reader.mapping(data, 1, "a topic file")
    if data is None:
        return []
    reader.keys(data, {"topics"}, {"topics"}, "a topic file")
    topics = data.get("topics")
    if not isinstance(topics, YamlSeq):
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
    walkthrough = read_walkthrough(
        root / WALKTHROUGH_FILE,
        root,
        {d.topic.id for d in drafts},
        lambda p: " ".join(normalizer.normalize(p).terms),
        problems,
    )
    conversation = read_conversation(root, problems, {d.topic.id for d in drafts})
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(
        {d.topic.id: d.topic for d in drafts}, vocabulary, walkthrough, conversation
    )
