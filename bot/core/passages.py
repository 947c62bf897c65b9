"""Which part of a topic a short follow-up asks about: the topic's own text or one of its
questions, by the passages each says it in.

A follow-up about the topic in focus ("how far does it scale?", "what data does it need?")
rarely names anything: its few content words are what it asks. Each intent of a topic (the topic
itself, each of its questions) is split into passages — the topic's phrases, summary, when to
use and not, detail; a question's asks and answer, sentence by sentence — and a message's
evidence for an intent is the best share of its content words' weight (IDF) that one passage
says. The topic's own name is left out: every passage of the topic is about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.kb import Intent, KnowledgeBase
from bot.core.text import Normalizer

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")


@dataclass(frozen=True)
class Evidence:
    """How strongly a message points at one intent of the topic in focus."""

    intent: str
    share: float
    """The largest share of the message's content-word weight one passage of the intent says."""


class TopicPassages:
    """The passages of every topic's intents, as stemmed term sets."""

    def __init__(
        self,
        kb: KnowledgeBase,
        intents: Sequence[Intent],
        normalizer: Normalizer,
        idf: Callable[[str], float],
        name_terms: Callable[[str], frozenset[str]],
    ) -> None:
        self._normalizer = normalizer
        self._idf = idf
        self._name_terms = name_terms
        self._of_topic: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = {}
        for intent in intents:
            passages = tuple(
                terms
                for text in _passages(intent)
                if (terms := frozenset(normalizer.normalize(text).terms))
            )
            self._of_topic.setdefault(intent.topic.id, []).append((intent.id, passages))
        said = {t for parts in self._of_topic.values() for _, ps in parts for p in ps for t in p}
        self._rarest = max(map(idf, said), default=1.0)
        """The weight of a word no passage says ("league"): as much as the rarest one."""

    def evidence(self, text: str, topic: str) -> list[Evidence]:
        """The message's evidence for each intent of the topic, strongest first (empty when
        the message says nothing but the topic's name and stopwords)."""
        names = self._name_terms(topic)
        asked = [t for t in dict.fromkeys(self._normalizer.normalize(text).terms) if t not in names]
        weights = {t: self._idf(t) or self._rarest for t in asked}
        total = sum(weights.values())
        if total <= 0:
            return []
        found = [
            Evidence(
                intent,
                max(
                    (sum(w for t, w in weights.items() if t in p) / total for p in passages),
                    default=0.0,
                ),
            )
            for intent, passages in self._of_topic.get(topic, ())
        ]
        found.sort(key=lambda e: e.share, reverse=True)
        return found


def _passages(intent: Intent) -> list[str]:
    """An intent's texts, cut into sentences."""
    if intent.question is not None:
        texts = [*intent.question.ask, intent.question.answer]
    else:
        topic = intent.topic
        texts = [
            *topic.phrases,
            topic.summary,
            *topic.when_to_use,
            *topic.when_not_to_use,
            topic.detail,
        ]
    return [s for text in texts if text for s in _SENTENCE.split(text) if s.strip()]
