"""Comparisons: "X vs Y", "difference between X and Y", "should I use X or Y for …".

Finds the two things a message compares, resolves each to a topic with the router, and prefers a
hand-written comparison topic for that pair when the KB has one; otherwise the reply is built
side by side from the two topics.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Outcome, Router
from bot.core.text import strip_mentions

_COMPARABLE = {
    Kind.SERVICE,
    Kind.MODEL,
    Kind.PLATFORM,
    Kind.TOOL,
    Kind.LANGUAGE,
    Kind.CONCEPT,
    Kind.REFERENCE_ARCHITECTURE,
}
_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?P<a>.+?)\s+(?:vs\.?|versus|compared (?:to|with)|or)\s+(?P<b>.+)$",
        r"(?:differen\w*|diff)\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$",
        r"compare\s+(?P<a>.+?)\s+(?:and|with|to|vs\.?|versus)\s+(?P<b>.+)$",
        r"^(?:how\s+(?:does|do|would|will)\s+)?(?P<a>.+?)\s+(?:compare|compares|stack up|stacks up)"
        r"\s+(?:to|with|against)\s+(?P<b>.+)$",
    )
]
_SIDES_APART = _PATTERNS[0]
"""The pattern whose sides stand apart from the rest of the message ("X vs Y", "X or Y")."""
_CUES = re.compile(r"\b(?:vs|versus|or|between|compare|stacks? up)", re.IGNORECASE)
"""A word every pattern needs: a message without one is not a comparison (checked first, as
most messages are not)."""
_LEAD_IN = re.compile(
    r"^(?:.*?\b(?:should|would|do|can)\s+(?:i|we|you)\s+(?:just\s+)?"
    r"(?:use|pick|choose|go with|start with)"
    r"|.*?\b(?:which is better|what(?:'s| is) better|which one)[,:]?)\s+",
    re.IGNORECASE,
)
_SIDE_CONFIDENCE = 0.7
"""Each side of a comparison must clearly name a topic: "X vs Y" is about names."""
_CLAUSE_SIDE = re.compile(
    r"(?:is|are|does|do|can|could|should|would|will)\s+(?:it|that|this|they|we|i|you)\b", re.I
)
"""A second side that is a question of its own ("… or is it just analytics?"), not a name."""
_TAIL = re.compile(r"\s+(?:for|when|to|in|on|if|as)\s+.*$|[?!.]+$", re.IGNORECASE)
_LEAD_IN_CLAUSE = re.compile(r"^(?P<lead>.*?)(?:[,;:]|\s[—–-])\s*")
_LEAD_IN_WORDS = 6
"""A short clause leading in to a comparison's first side ("docintel:", "for our service bot
-"), asking nothing itself, is no part of the side."""
_AFTER_CLAUSE = re.compile(r"\s*(?:[,;:]|\s[—–-]\s).*$")
"""What follows the clause a comparison's second side ends ("…, our execs think …")."""


@dataclass(frozen=True)
class Comparison:
    """Two topics to put side by side, and the KB's own comparison of them if it has one."""

    first: Topic
    second: Topic
    written: Topic | None
    score: float


class Comparer:
    """Recognizes comparison questions between any two topics the knowledge base knows."""

    def __init__(self, kb: KnowledgeBase, router: Router) -> None:
        self.router = router
        self._topics = kb.topics
        normalize = router.normalizer.normalize
        self._titles = {t.id: frozenset(normalize(t.title).terms) for t in kb.topics.values()}
        self._names = {
            t.id: {frozenset(normalize(name).terms) for name in (t.title, *t.aliases)}
            for t in kb.topics.values()
        }
        """Each topic's names (title and aliases), as sets of terms."""
        self._written = {
            frozenset(t.compares): t for t in kb.topics.values() if t.kind is Kind.COMPARISON
        }

    def _after_lead_in(self, side: str) -> str:
        """A comparison's first side without the short clause leading in to it ("docintel:
        prebuilt", "for our service bot - copilot studio"); a clause naming a topic of its own
        lists a third side ("ai foundry, ml studio or databricks"), and a question asks
        something of its own: the side stays whole."""
        found = _LEAD_IN_CLAUSE.match(side)
        if found is None or "?" in side or len(found.group("lead").split()) > _LEAD_IN_WORDS:
            return side
        return side if self._resolve(found.group("lead")) else side[found.end() :]

    def _resolve(self, side: str) -> tuple[Topic, float] | None:
        """The topic a side names: as said ("spark in fabric", "spark on hdinsight"), else
        without its tail ("azure databricks for a team already in power bi")."""
        whole = side.strip(" ,;:?!.")
        short = _TAIL.sub("", side).strip(" ,;:")
        for said in dict.fromkeys((whole, short)):
            if said:
                found = self._named_side(said)
                if found is not None:
                    return found
        return None

    def _named_side(self, side: str) -> tuple[Topic, float] | None:
        """The topic the words name: the best reading of a whole topic, sure and mostly its
        name (None when the best reading is a question, or not sure, or says more)."""
        for match in self.router.rank(side):
            topic = match.intent.topic
            if match.intent.question is None and topic.kind in _COMPARABLE:
                if match.score >= _SIDE_CONFIDENCE and self._names_it(side, topic):
                    return topic, match.score
                return None
        return None

    def _names_it(self, side: str, topic: Topic) -> bool:
        """Whether the side is mostly the topic's name: more of its words are in the topic's
        title or aliases than not, and at most one is not ("prompt engineering" is not Prompt
        flow; "fabric data factory pipelines" is Fabric Data Factory); a word alone, a whole name
        or a word of the title ("agents", not "custom" of Model training's alias "custom
        training")."""
        said = set(self.router.normalizer.normalize(side).terms)
        if len(said) == 1:  # a word alone: a whole name ("phi") or a word of the title
            return said in self._names[topic.id] or said <= self._titles[topic.id]
        outside = len(said - self.router.topic_name_terms(topic.id))
        return outside <= 1 and outside < len(said) - outside

    def _answers_the_pair(self, written: Topic, comparison: Comparison) -> bool:
        """Whether a written comparison answers the pair a message names: the same two topics,
        or one of them and a topic related to the other ("a language model, big or small?":
        large vs small; "spark in fabric vs databricks": Fabric vs Databricks) — not another
        pair that shares a side ("ai foundry vs copilot studio" is not Copilot vs Copilot
        Studio), nor one whose side is a shorter name of the side named."""
        named = {comparison.first.id, comparison.second.id}
        odd_named = named - set(written.compares)
        odd_written = set(written.compares) - named
        if not odd_named:
            return True
        if len(odd_named) != 1 or len(odd_written) != 1:
            return False
        said, kept = self._topics[odd_named.pop()], self._topics.get(odd_written.pop())
        if kept is None or self._titles[kept.id] < self._titles[said.id]:
            return False  # "copilot studio or azure openai?": a longer name holding Copilot's
        return kept.id in said.related or said.id in kept.related

    def pair(self, first: Topic, second: Topic, score: float) -> Comparison | None:
        """Two topics as a comparison (None when they cannot be compared)."""
        if first.id == second.id or first.kind not in _COMPARABLE or second.kind not in _COMPARABLE:
            return None
        return Comparison(first, second, self.written(first.id, second.id), score)

    def written(self, first: str, second: str) -> Topic | None:
        """The knowledge's written comparison of two topics, when it has one."""
        return self._written.get(frozenset((first, second)))

    def find(self, text: str) -> Comparison | None:
        """The comparison a message asks for, if it names two different known topics."""
        if _CUES.search(text) is None:
            return None
        body = _LEAD_IN.sub("", " ".join(strip_mentions(text).lower().split()))
        for pattern in _PATTERNS:
            found = pattern.search(body)
            if found is None:
                continue
            first_side, second_side = found.group("a"), found.group("b")
            if _CLAUSE_SIDE.match(second_side):
                continue  # "can fabric do rag or is it just analytics?" asks about one thing
            if pattern is _SIDES_APART:
                # each side within its clause ("docintel: prebuilt or custom, what's the
                # difference?" names neither; "copilot vs copilot studio, our execs think …"
                # both)
                first_side = self._after_lead_in(first_side)
                second_side = _AFTER_CLAUSE.sub("", second_side)
            first = self._resolve(first_side)
            second = self._resolve(second_side) if first else None  # no pair without a side
            if first and second:
                comparison = self.pair(first[0], second[0], min(first[1], second[1]))
                if comparison is not None:
                    return comparison
        return None

    def apply(self, decision: Decision) -> Decision:
        """The router's decision, turned into a comparison answer when the message asks for one."""
        top = decision.top
        written = top is not None and top.intent.topic.kind is Kind.COMPARISON
        comparison = self.find(decision.text)
        # a written comparison answers, unless the message names other sides ("copilot studio
        # or azure openai?" is not Microsoft Copilot vs Azure OpenAI, "ai foundry vs copilot
        # studio" not Foundry vs ML studio): the sides named
        if (
            written
            and decision.outcome is Outcome.ANSWER
            and (comparison is None or self._answers_the_pair(top.intent.topic, comparison))
        ):
            return decision
        if comparison is None:
            return decision
        return dataclasses.replace(decision, outcome=Outcome.ANSWER, comparison=comparison)
