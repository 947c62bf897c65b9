"""The knowledge model: topics, their questions and the routing vocabulary, as plain data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.yaml_reader import Problem

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"


class KnowledgeError(Exception):
    """The knowledge base is invalid; `problems` says where and why (bot/core/loader.py)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"invalid knowledge base ({len(self.problems)} problem(s)):\n{lines}")


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
    DECLINE = "decline"
    """Something ArchBot recognizes and says no to (another cloud, an action it cannot take)."""


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
    short: str = ""
    """A shorter title for buttons (bot/core/labels.py), when the title is too long for one."""

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

    @property
    def answer(self) -> str:
        """What answering the intent says: its question's answer, or its topic's summary."""
        return self.question.answer if self.question is not None else self.topic.summary


FOLLOWUP_PARTS = (
    "when_to_use",
    "when_not_to_use",
    "detail",
    "story",
    "compare",
    "link",
    "service",
)
"""The parts of a topic a follow-up can be answered from (`FollowUp.answer`)."""


@dataclass(frozen=True)
class FollowUp:
    """A question about the topic in focus ("when should I not use it?")."""

    id: str
    label: str
    """The button offered under an answer whose topic has the part that answers it."""
    phrases: tuple[str, ...]
    answer: str = ""
    """The topic part that answers it (one of FOLLOWUP_PARTS); empty: routed with the focus."""


@dataclass(frozen=True)
class ConversationCues:
    """How a message is read against what was just discussed (knowledge/conversation.yaml)."""

    refers: tuple[str, ...] = ()
    refers_not: tuple[str, ...] = ()
    """Phrases whose word of `refers` points at nothing ("what does it mean that …")."""
    corrections: tuple[str, ...] = ()
    compare: tuple[str, ...] = ()
    followups: tuple[FollowUp, ...] = ()
    guidance: tuple[str, ...] = ()
    """Phrases that ask for guidance: a message with one starts the walkthrough."""
    guidance_weak: tuple[str, ...] = ()
    """Phrases asking for advice without naming a design: they start the walkthrough unless the
    message states a need the knowledge answers surely."""
    guidance_asks: tuple[str, ...] = ()
    """Words asking for advice: with a word of `guidance_objects`, the message asks for
    guidance."""
    guidance_asks_not: tuple[str, ...] = ()
    """Words that share a stem with one of `guidance_asks` but name a thing ("recommender")."""
    guidance_objects: tuple[str, ...] = ()
    """Words for what is being built or chosen (services, tools, platform …)."""
    guidance_design: tuple[str, ...] = ()
    """Words for a design as a whole (architecture, stack, setup …): a request for one is
    guidance even after a need the knowledge answers; `{design}` in a cue stands for any."""
    guidance_designing: tuple[str, ...] = ()
    """Verbs for working out a design ("tackle", "structure"): `{designing}` in a cue."""
    guidance_defining: tuple[str, ...] = ()
    """Verbs asking to explain ("how would you explain RAG?"): with a cue, an answer surely
    found is given instead of the walkthrough."""
    guidance_design_not_after: tuple[str, ...] = ()
    """Words after which a design word is part of a name ("reference architecture")."""
    guidance_design_not_before: tuple[str, ...] = ()
    """Words before which a design word names a body of advice ("design guidance",
    "architecture patterns"), not a design asked for."""
    guidance_classes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Further word classes for cues (guidance.yaml's `classes`): `{name}` stands for any of
    its words ("{which} {modal} {actor} {choose}" matches "which service should we go with")."""
    guidance_choosing: tuple[str, ...] = ()
    """Words for choosing: with a word of `guidance_offerings`, in a message that states no
    need of its own, the message asks for the walkthrough."""
    guidance_offerings: tuple[str, ...] = ()
    """Words for what is chosen (a service, a product, an option)."""
    guidance_generic: tuple[str, ...] = ()
    """Words that state no need (Azure, AI, a new project): a choice asked with only these
    is an open one."""
    guidance_documents: tuple[str, ...] = ()
    """Words for a document to read (a guide, an article): a choice one is about ("is there a
    decision guide for choosing an AI services technology?") is its subject, not asked."""
    guidance_teams: tuple[str, ...] = ()
    """Words for the user's own people: after "my", "our" or "the" they read as "we" in the
    cues ("what should my team use …")."""
    guidance_needing: tuple[str, ...] = ()
    """Words by which a situation told states a need ("ops wants alerts", "we're trying to …"):
    told at length by the team, it asks for the walkthrough after its answer."""
    guidance_subjects: tuple[str, ...] = ()
    """Words that make a project an AI or data one ("invoices", "transcripts", "model"): a
    request for guidance whose words are mostly unknown to the knowledge needs one of them."""
    action_verbs: tuple[str, ...] = ()
    """Verbs that, first in a message that asks nothing, ask ArchBot to act ("deploy a GPT-4o
    model in Sweden Central"): declined as an action it cannot take."""
    action_directed: tuple[str, ...] = ()
    """Verbs that ask ArchBot to act only when said of the user's own things ("can you just
    train one on the forms in our sharepoint"): "can you train custom models?" asks."""
    action_always: tuple[str, ...] = ()
    """Verbs that ask ArchBot to produce something even without "me" or "our" ("write the
    terraform for …"): an action whatever follows them, unless the message asks a question."""
    action_courtesy: tuple[str, ...] = ()
    """Words that may come before such a verb ("please", "can you")."""
    action_sequence: tuple[str, ...] = ()
    """Courtesy words that tell the next step of the user's own design ("then pull the
    fields"): no action unless said to ArchBot."""
    declined_anywhere: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Per decline topic, words that ask what ArchBot never answers, anywhere in a message
    (its own instructions, a price per unit, an error to debug): the message is declined with
    that topic, in a conversation or at a walkthrough question too."""
    declined_not: tuple[str, ...] = ()
    """Wordings that hold a declined word but ask for a choice ("the cheapest way to …"): their
    words decline nothing."""
    ellipses: tuple[str, ...] = ()
    """How a short follow-up starts ("and …", "what about …"): read with the topic in focus."""
    returns: tuple[str, ...] = ()
    """How a return to an earlier topic starts ("back to …")."""
    switches: tuple[str, ...] = ()
    """How a message announces a new subject ("separate thing: …", "different question —"):
    words in it that refer back point at what it says itself unless the focus reads it well."""
    analogues: tuple[str, ...] = ()
    """How a message asks for the counterpart of the part just answered ("anything similar for
    genai?", "what's the equivalent for our chat app"): read with that part named instead."""
    objections: tuple[str, ...] = ()
    """How a message states a concern about the topic in focus ("half my team can't code
    though", "problem is our terminology is niche"): read among the focus's family."""
    already_on: tuple[str, ...] = ()
    """How a message says the user is on another platform ("we're already on fabric"): after a
    topic, the one topic relating to both is its counterpart there (OneLake for Data Lake
    Storage)."""
    figures: tuple[str, ...] = ()
    """How a short question asks for a figure ("how many …", "what's the dimension …"): when
    the answer found states no number, the message is declined as a figure never quoted."""
    supports: tuple[str, ...] = ()
    """How a short yes/no question asks whether something is supported ("does it support …",
    "is … available"): when it names a word the knowledge never uses, it is declined as a
    detail the guide doesn't give."""
    settings: tuple[str, ...] = ()
    """How a question asks for a setting's value ("what values should we use", "… settings for
    8 gpus"): when it names a word the knowledge never uses (hnsw, vacuum), it is declined as a
    detail the guide doesn't give."""
    choose: tuple[str, ...] = ()
    """How a choice between the two things just compared is asked ("which is better?")."""


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole knowledge base, validated."""

    topics: dict[str, Topic]
    vocabulary: Vocabulary
    walkthrough: Walkthrough | None = None
    """The guided architecture walkthrough, when the knowledge folder has one."""
    conversation: ConversationCues = field(default_factory=ConversationCues)
    """Follow-ups, corrections and references to the topic in focus."""

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


# -- the guided walkthrough (knowledge/walkthrough.yaml) ------------------------------------------

Condition = tuple[tuple[str, frozenset[str]], ...]
"""Answers that must all hold: (question id, the choice ids that satisfy it) pairs."""


def condition_holds(condition: Condition, answers: dict[str, str]) -> bool:
    """True when every question in the condition was answered with one of its choices."""
    return all(answers.get(question) in choices for question, choices in condition)


def any_holds(conditions: tuple[Condition, ...], answers: dict[str, str]) -> bool:
    """True when there are no conditions or at least one of them holds."""
    return not conditions or any(condition_holds(c, answers) for c in conditions)


@dataclass(frozen=True)
class Choice:
    """One answer to a walkthrough question."""

    id: str
    label: str
    """The button text."""
    because: str
    """The answer in the user's terms, for the recommendation's "why" ("you have scanned forms")."""
    means: tuple[str, ...] = ()
    """Other ways people say it; typed answers are matched against these and the label."""
    topics: tuple[str, ...] = ()
    """Topic ids that honour this answer (a data platform's own services): a recommendation
    after it names one of them, or its rule says something `given` this answer."""
    skills: tuple[str, ...] = ()
    """For an answer about the team: the rule designs (`Rule.design`) this team can build."""
    short: str = ""
    """A shorter label for its button (bot/core/labels.py), when `label` is too long for one."""
    outranks: tuple[str, ...] = ()
    """Other choices of the same question this one is meant over when a description says both,
    this one about as strongly ("deep learning on our Spark clusters" is big data on Spark, not
    deep learning on GPUs)."""


@dataclass(frozen=True)
class WalkthroughQuestion:
    """One question of the walkthrough, asked only when its `when` holds."""

    id: str
    ask: str
    choices: tuple[Choice, ...]
    help: str = ""
    when: tuple[Condition, ...] = ()
    """Asked when any of these holds (or always, when empty)."""
    default: str | None = None
    """The choice taken when the user skips or cannot say."""

    def choice(self, choice_id: str) -> Choice:
        """The choice with this id."""
        return next(c for c in self.choices if c.id == choice_id)


@dataclass(frozen=True)
class Rule:
    """Answers → a recommendation. The first rule whose `when` holds wins."""

    id: str
    title: str
    recommend: tuple[str, ...]
    """Topic ids of the recommended services, the main one first."""
    why: str
    when: tuple[Condition, ...] = ()
    next: tuple[str, ...] = ()
    """What to consider next: short bullets."""
    related: tuple[str, ...] = ()
    """Topic ids worth reading next."""
    reference: Link | None = None
    """The reference architecture; the main topic's link when not given."""
    design: str = ""
    """What building it takes: code-first, deep-learning, low-code or ready-made."""
    given: tuple[tuple[str, str, str], ...] = ()
    """(question id, choice id, sentence): what the rule says to a user who gave that answer."""

    def said_for(self, answers: dict[str, str]) -> tuple[str, ...]:
        """The `given` sentences for these answers, in file order."""
        return tuple(text for q, c, text in self.given if answers.get(q) == c)


@dataclass(frozen=True)
class Addition:
    """A note (and maybe services) added to any recommendation whose answers match its `when`."""

    id: str
    why: str
    when: tuple[Condition, ...] = ()
    recommend: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()
    """Topic ids the note is about: it may only land on a rule recommending one of them."""


@dataclass(frozen=True)
class DiagramComponent:
    """Where a recommended topic stands in the architecture diagram."""

    topic: str
    stage: str
    beside: tuple[str, ...] = ()
    """Drawn under the first of these topics the diagram has (joined by a dashed line)."""
    label: str = ""
    """A shorter name for the box (else the topic's title)."""


@dataclass(frozen=True)
class DiagramData:
    """How recommended services connect: stages left to right, each topic's component, and the
    first and last boxes by answer (the `diagram` section of walkthrough.yaml)."""

    stages: tuple[str, ...]
    components: dict[str, DiagramComponent]
    ends: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(question id, choice id) → (source label, user label); either may be empty."""
    source: str = "Your data"
    user: str = "Users"


@dataclass(frozen=True)
class Walkthrough:
    """The guided architecture selection, as data."""

    questions: tuple[WalkthroughQuestion, ...]
    rules: tuple[Rule, ...]
    additions: tuple[Addition, ...] = ()
    commands: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Interruptions (help, cancel, restart, back, skip) → the words that ask for them."""
    intro: str = ""
    intro_after_answer: str = ""
    """The intro when the walkthrough follows an answer to the request that started it."""
    recommend_after_answer: str = ""
    """Its intro instead when that request already answered every question: the recommendation
    follows at once."""
    diagram: DiagramData | None = None
    """How the recommended services connect (None: no diagrams)."""

    def question(self, question_id: str) -> WalkthroughQuestion:
        """The question with this id."""
        return next(q for q in self.questions if q.id == question_id)

    def active(self, answers: dict[str, str]) -> dict[str, str]:
        """The answers that still count: those to questions that apply given the earlier ones."""
        kept: dict[str, str] = {}
        for question in self.questions:
            answer = answers.get(question.id)
            if (
                answer is not None
                and any_holds(question.when, kept)
                and any(c.id == answer for c in question.choices)
            ):
                kept[question.id] = answer
        return kept

    def pending(self, answers: dict[str, str]) -> WalkthroughQuestion | None:
        """The first question that applies and is not answered yet."""
        kept = self.active(answers)
        for question in self.questions:
            if question.id not in kept and any_holds(question.when, kept):
                return question
        return None

    def rule_for(self, answers: dict[str, str]) -> Rule | None:
        """The first rule that holds for the answers that count."""
        kept = self.active(answers)
        return next((r for r in self.rules if any_holds(r.when, kept)), None)

    def additions_for(self, answers: dict[str, str]) -> tuple[Addition, ...]:
        """Every addition that holds for the answers that count."""
        kept = self.active(answers)
        return tuple(a for a in self.additions if a.when and any_holds(a.when, kept))

    def completions(self, answers: dict[str, str]) -> Iterator[dict[str, str]]:
        """Every way the walkthrough can be finished from these answers (active answers only)."""
        kept = self.active(answers)
        question = self.pending(kept)
        if question is None:
            yield kept
            return
        for choice in question.choices:
            yield from self.completions({**kept, question.id: choice.id})
