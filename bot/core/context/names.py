"""The topics a text names by title or alias (the focus topics only), and whether an intent's
own text names a topic: "In OneLake, …" names OneLake; "can Fabric call Azure OpenAI?" names
Azure OpenAI; "not OneLake" names what a correction does not mean."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.core.context.cues import WORD
from bot.core.context.focus import FOCUS_KINDS
from bot.core.hybrid import HybridRouter
from bot.core.kb import Intent, KnowledgeBase, Topic
from bot.core.retrieval import intent_text

_ALNUM = re.compile(r"[a-z0-9]+")
"""A run of the characters a name's bounds are checked against."""
_NOT_MEANT = frozenset({"not", "without", "except", "instead"})
"""Words before a name that say it is not what is meant."""
_NEGATING = frozenset({"no", "not", "without"})
"""Words before a name in an intent's text that say it is not involved ("with no model
training")."""
_NOT_NAMES = 3
"""Words after "not" in a correction that name what it does not mean ("not the OneLake one")."""


class TopicNames:
    """Finds the focus topics' names in texts."""

    def __init__(self, kb: KnowledgeBase, router: HybridRouter) -> None:
        self.kb = kb
        self.router = router
        self._names = [
            (topic.id, lowered)
            for topic in kb.topics.values()
            if topic.kind in FOCUS_KINDS
            for lowered in dict.fromkeys(name.lower() for name in (topic.title, *topic.aliases))
        ]
        """Each focus topic's names, lowercased."""
        self._by_first_word: dict[str, list[int]] = {}
        """The names (positions in `_names`) by their first word: a name said as words starts
        with a word of the text that is its first word."""
        for position, (_, name) in enumerate(self._names):
            first = _ALNUM.match(name)
            self._by_first_word.setdefault(first.group() if first else "", []).append(position)
        self._name_patterns: dict[str, re.Pattern[str]] = {}
        """The pattern that finds a name as words, compiled the first time the name is said."""
        self._text_of: dict[str, str] = {}

    def names_in(self, lowered: str) -> Iterator[tuple[int, int, str]]:
        """Where a lowercased text says a focus topic's title or alias: (start, end, topic)."""
        words = {"", *_ALNUM.findall(lowered)}
        by_first = self._by_first_word
        for position in sorted(p for w in words & by_first.keys() for p in by_first[w]):
            topic_id, name = self._names[position]
            if name not in lowered:
                continue  # the regex only where the name is said at all
            pattern = self._name_patterns.get(name)
            if pattern is None:
                pattern = re.compile(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])")
                self._name_patterns[name] = pattern
            for found in pattern.finditer(lowered):
                yield found.start(), found.end(), topic_id

    def outermost(self, lowered: str) -> dict[str, tuple[int, int]]:
        """Each topic a lowercased text names, with its longest name's span, leaving out a name
        said only inside another topic's ("Copilot Studio" names Copilot Studio, not also
        Microsoft Copilot inside it)."""
        spans = self._longest_spans(lowered)
        return {t: span for t, span in spans.items() if not _inside_another(span, spans)}

    def named_inside_others(self, lowered: str) -> set[str]:
        """The topics a lowercased text names only inside another topic's name (Microsoft
        Copilot in "copilot studio")."""
        spans = self._longest_spans(lowered)
        return {t for t, span in spans.items() if _inside_another(span, spans)}

    def _longest_spans(self, lowered: str) -> dict[str, tuple[int, int]]:
        """Each topic the text names, with the span of its longest name said."""
        spans: dict[str, tuple[int, int]] = {}
        for start, end, topic_id in self.names_in(lowered):
            known = spans.get(topic_id)
            if known is None or end - start > known[1] - known[0]:
                spans[topic_id] = (start, end)
        return spans

    def named_topics(self, said: str, skip: set[str]) -> list[Topic]:
        """The topics a text names by title or alias, the last named first."""
        where: dict[str, int] = {}
        for start, _, topic_id in self.names_in(said.lower()):
            if topic_id not in skip:
                where[topic_id] = max(where.get(topic_id, -1), start)
        return [self.kb.topics[t] for t in sorted(where, key=where.__getitem__, reverse=True)]

    def named_negated(self, words: Sequence[str]) -> set[str]:
        """The topics named just after a negation ("not OneLake", "without fine-tuning")."""
        return {
            t
            for i, word in enumerate(words)
            if word in _NOT_MEANT
            for t in self.router.named_topics(" ".join(words[i + 1 : i + 1 + _NOT_NAMES]))
        }

    def mentions(self, intent: Intent, topic: Topic) -> bool:
        """Whether an intent's own text names the topic ("can Fabric call Azure OpenAI?")."""
        said = self._text_of.get(intent.id)
        if said is None:  # an intent's whole text, lowercased once, padded for whole words
            words = WORD.findall(" ".join(intent_text(intent)).lower())
            said = self._text_of[intent.id] = f" {' '.join(words)} "
        # whole words only ("Phi" is not named by "graphics"), and not negated ("with no model
        # training" does not name Model training)
        return any(
            _said_plainly(said, f" {' '.join(WORD.findall(name.lower()))} ")
            for name in (topic.title, *topic.aliases)
        )


def _inside_another(span: tuple[int, int], spans: dict[str, tuple[int, int]]) -> bool:
    """Whether a name's span lies within another, longer one."""
    start, end = span
    return any(s <= start and end <= e and (s, e) != span for s, e in spans.values())


def _said_plainly(said: str, name: str) -> bool:
    """Whether a padded text says a padded name somewhere not right after a negation."""
    start = said.find(name)
    while start != -1:
        if said[said.rfind(" ", 0, start) + 1 : start] not in _NEGATING:
            return True
        start = said.find(name, start + 1)
    return False
