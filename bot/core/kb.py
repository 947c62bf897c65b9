"""The knowledge model: topics, their questions and the routing vocabulary, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What a topic is about; decides how a reply to it is shaped."""

    CONCEPT = "concept"
    SERVICE = "service"
    MODEL = "model"
    PLATFORM = "platform"
    TOOL = "tool"
    LANGUAGE = "language"
    COMPARISON = "comparison"
    REFERENCE_ARCHITECTURE = "reference-architecture"
    CUSTOMER_STORY = "customer-story"
    SMALLTALK = "smalltalk"
    ACTION = "action"


@dataclass(frozen=True)
class Link:
    """A place to go deeper."""

    title: str
    url: str


@dataclass(frozen=True)
class Question:
    """A specific fact inside a topic, answered on its own."""

    id: str
    ask: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Topic:
    """One thing ArchBot can talk about."""

    id: str
    title: str
    kind: Kind
    summary: str
    links: tuple[Link, ...]
    phrases: tuple[str, ...]
    when_to_use: tuple[str, ...] = ()
    when_not_to_use: tuple[str, ...] = ()
    detail: str = ""
    related: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    compares: tuple[str, ...] = ()

    @property
    def link(self) -> Link:
        """The topic's main link."""
        return self.links[0]


@dataclass(frozen=True)
class Vocabulary:
    """Words the router treats specially: expansions, synonyms and stopwords."""

    abbreviations: dict[str, str] = field(default_factory=dict)
    synonyms: dict[str, str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()


QUESTION_SEPARATOR = "/"


@dataclass(frozen=True)
class Intent:
    """Something a message can be routed to: a topic, or one question of a topic."""

    id: str
    topic: Topic
    question: Question | None = None

    @property
    def phrases(self) -> tuple[str, ...]:
        """The texts that identify this intent: its asks, or the topic's names and phrases."""
        if self.question is not None:
            return self.question.ask
        return (*self.names, *self.topic.phrases)

    @property
    def names(self) -> tuple[str, ...]:
        """What the intent is called: the topic's title and aliases (a question has none)."""
        if self.question is not None:
            return ()
        return (self.topic.title, *self.topic.aliases)


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole knowledge base, validated."""

    topics: dict[str, Topic]
    vocabulary: Vocabulary

    def intents(self) -> list[Intent]:
        """Every routable intent: each topic, then each of its questions."""
        found: list[Intent] = []
        for topic in self.topics.values():
            found.append(Intent(topic.id, topic))
            found.extend(
                Intent(f"{topic.id}{QUESTION_SEPARATOR}{q.id}", topic, q) for q in topic.questions
            )
        return found

    def by_kind(self, kind: Kind) -> list[Topic]:
        """Topics of one kind, in file order."""
        return [t for t in self.topics.values() if t.kind is kind]
