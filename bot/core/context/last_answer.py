"""The last answer: what it said and the topics it named, in order. A correction looks among
them ("no, the translation one" after an answer naming Custom Speech and Custom Translator), an
ordinal counts them ("the third one"), and a message referring back may mean one of them: "what's
that built on?" after "In OneLake, …" is OneLake's question; "what did that one use?" after an
answer naming several customer stories is the story named last."""

from __future__ import annotations

import re
from itertools import pairwise

from bot.core.context.against_focus import FocusReader
from bot.core.context.cues import Cues
from bot.core.context.focus import Focus, Understood
from bot.core.context.names import TopicNames
from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, Topic
from bot.core.router import Decision, Outcome

_ASIDE = re.compile(r"\([^)]*\)")
"""A parenthesized aside in an answer: another name for what was just listed."""
_NAMED_QUESTION = 0.5
_NAMED_BARE = 0.5
_NAMED_OVER = 3.0
_NAMED_FLOOR = 0.1
"""A message referring back ("what's that built on?") is about a topic the last answer's first
sentence named ("In OneLake, …") when, read with that topic's name, it is one of that topic's
questions at least `_NAMED_QUESTION` likely and, read without any name, still that question at
least `_NAMED_BARE` likely, or `_NAMED_OVER` times the focus topic's best reading (never below
`_NAMED_FLOOR`)."""
_THAT_ONE = (("that", "one"), ("the", "last", "one"), ("the", "latter"))
"""Words pointing at the last of several customer stories an answer named."""
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s")
"""Where an answer's first sentence (what it is about) ends."""
_POINTING = frozenset({"this", "that", "these", "those"})
_KIND_NOUNS = {
    Kind.MODEL: frozenset({"model", "models"}),
    Kind.SERVICE: frozenset({"service", "services"}),
    Kind.PLATFORM: frozenset({"platform", "platforms"}),
    Kind.TOOL: frozenset({"tool", "tools"}),
}
"""What a topic of each kind is called: "how big are those models?" after Phi points at Phi."""


class LastAnswer:
    """What the answer the focus keeps (`Focus.intent`) said, and messages pointing into it."""

    def __init__(
        self, router: HybridRouter, cues: Cues, names: TopicNames, against: FocusReader
    ) -> None:
        self.router = router
        self.cues = cues
        self.names = names
        self.against = against

    def said_last(self, focus: Focus) -> str:
        """The text of the last answer (its question's answer, or its topic's summary)."""
        try:
            intent = self.router.intent(focus.intent) if focus.intent else None
        except KeyError:
            return ""
        return "" if intent is None else intent.answer

    def listed(self, focus: Focus) -> tuple[str, ...]:
        """The topics the last answer named, in the order it named them."""
        said = _ASIDE.sub(" ", self.said_last(focus).lower())  # "(Fabric Runtime)" is an aside
        spans = [span for span in self.names.names_in(said) if span[2] != focus.topic]
        listed: list[str] = []
        end = -1
        # the longest name wins where names overlap ("Spark in Microsoft Fabric", not Fabric)
        for start, stop, topic_id in sorted(spans, key=lambda span: (span[0], -span[1])):
            if start >= end and topic_id not in listed:
                listed.append(topic_id)
            end = max(end, stop) if start < end else stop
        return tuple(listed)

    def that_one(self, text: str, words: list[str], focus: Focus) -> Understood | None:
        """ "What did that one use?" after an answer naming several customer stories: the
        story named last, which the conversation moves to."""
        if not focus.intent or not any(
            tuple(words[i : i + len(cue)]) == cue for cue in _THAT_ONE for i in range(len(words))
        ):
            return None
        try:
            intent = self.router.intent(focus.intent)
        except KeyError:
            return None
        said = intent.answer
        stories = [
            t
            for t in self.names.named_topics(said, {intent.topic.id})
            if t.kind is Kind.CUSTOMER_STORY
        ]
        if len(stories) < 2:
            return None
        own = self.against.own_best(text, stories[0])
        if not own:
            return None
        return Understood(Decision(text, Outcome.ANSWER, own[:4]), context="refers")

    def named_in_answer(
        self, text: str, words: list[str], topic: Topic, focus: Focus, plain: Decision
    ) -> Understood | None:
        """ "What's that built on?" after "In OneLake, …": a message referring back, naming no
        topic itself, that is one of the questions of a topic the last answer's first sentence
        named (the last named first) and reads less well as the focus topic's own (not after a
        customer story: "how many languages was that?" is the customer's)."""
        if not self.cues.refers_back(words) or not focus.intent:
            return None
        if (
            plain.outcome is Outcome.ANSWER
            and plain.top is not None
            and self.against.names_another(text, words, topic, plain)
        ):
            return None  # "and Databricks?": the topic it names
        if topic.kind is Kind.CUSTOMER_STORY or self.names.named_topics(text, set()):
            return None  # "how many languages was that?" is the customer's; "and Spark?" Spark
        if _points_at_its_kind(words, topic):
            return None  # "how big are those models?" after Phi: Phi's, not language models'
        try:
            intent = self.router.intent(focus.intent)
        except KeyError:
            return None
        said = intent.answer
        said = _FIRST_SENTENCE.split(said, maxsplit=1)[0]  # what the answer is about
        kept = self.against.own_best(text, topic, named=False)
        for named in self.names.named_topics(said, {topic.id, intent.topic.id}):
            own = self.against.own_best(text, named)
            if not own or own[0].intent.question is None or own[0].score < _NAMED_QUESTION:
                continue  # its name alone favours the topic itself: a question must beat it
            bare = self.against.own_best(text, named, named=False)
            if not bare or bare[0].intent.id != own[0].intent.id:
                continue
            least = min(_NAMED_BARE, _NAMED_OVER * (kept[0].score if kept else 0.0))
            if bare[0].score < max(least, _NAMED_FLOOR):
                continue
            if kept and kept[0].score >= bare[0].score:
                continue  # the focus topic reads the message as well without any name
            # answered from the topic named; the focus stays (its last intent is this one)
            return Understood(
                Decision(text, Outcome.ANSWER, own[:4]), topic=topic, context="refers"
            )
        return None


def _points_at_its_kind(words: list[str], topic: Topic) -> bool:
    """Whether the message points at a thing of the topic's kind ("those models" after a
    model, "that service" after a service)."""
    nouns = _KIND_NOUNS.get(topic.kind, frozenset())
    return any(a in _POINTING and b in nouns for a, b in pairwise(words))
