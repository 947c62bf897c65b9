"""Routes a message to an intent: normalize → candidates → fuzzy score → decide.

The index is built once per knowledge base. A message's terms are matched to the index's vocabulary
exactly or, for typos, with rapidfuzz; an inverted index narrows the phrases to those sharing
a term; only those few are scored, and two thresholds (absolute and margin) decide.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.core.kb import Intent, Kind, KnowledgeBase
from bot.core.text import Normalizer

if TYPE_CHECKING:
    from bot.core.compare import Comparison


class Outcome(StrEnum):
    """What the router decided."""

    ANSWER = "answer"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True)
class Match:
    """An intent and how well a message matched it (0–1)."""

    intent: Intent
    score: float


@dataclass(frozen=True)
class Decision:
    """The router's verdict on one message."""

    text: str
    outcome: Outcome
    matches: tuple[Match, ...]
    """The best-scoring intents, best first, one per topic family at most a few."""
    comparison: Comparison | None = None
    """Set when the message compares two known topics (see bot.core.compare)."""

    @property
    def top(self) -> Match | None:
        """The best match, if any intent scored at all."""
        return self.matches[0] if self.matches else None


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds on the 0–1 score."""

    answer: float = 0.45
    """A top score at or above this is confident enough to answer…"""
    margin: float = 0.03
    """…unless the runner-up from another topic is closer than this: then ask "did you mean"."""
    suggest: float = 0.36
    """Below `answer`, scores at or above this are offered as suggestions."""
    certain: float = 0.9
    """A top score at or above this is answered whatever the runner-up scored."""


@dataclass(frozen=True)
class _Phrase:
    intent: int
    terms: frozenset[str]
    text: str
    weight: float
    is_name: bool


_TYPO_MIN_LENGTH = 4
_TYPO_CUTOFF = 80.0
_CANDIDATE_LIMIT = 40
_MAX_MATCHES = 5
_BETA = 1.0
_SMALLTALK_BETA = 2.0
"""Small talk must be most of the message: "hello" inside a real question is not a greeting."""
_CLOSENESS_WEIGHT = 0.1
_NAME_BONUS = 0.1
"""Added when the message names the topic in full: naming a service is asking about it."""


class Router:
    """Routes messages to the knowledge base's intents."""

    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.normalizer = Normalizer(kb.vocabulary)
        self.intents = kb.intents()
        self._phrases: list[_Phrase] = []
        intent_terms: list[set[str]] = [set() for _ in self.intents]
        raw: list[tuple[int, frozenset[str], str, bool]] = []
        for index, intent in enumerate(self.intents):
            for phrase in intent.phrases:
                normalized = self.normalizer.normalize(phrase)
                terms = frozenset(normalized.terms)
                if terms:
                    is_name = phrase in intent.names
                    raw.append((index, terms, " ".join(normalized.terms), is_name))
                    intent_terms[index] |= terms
        document_frequency: dict[str, int] = defaultdict(int)
        for terms in intent_terms:
            for term in terms:
                document_frequency[term] += 1
        count = max(len(self.intents), 1)
        self._idf = {t: math.log(1 + count / df) for t, df in document_frequency.items()}
        self._unknown_idf = math.log(1 + count)
        self._postings: dict[str, list[int]] = defaultdict(list)
        for index, terms, text, is_name in raw:
            position = len(self._phrases)
            weight = sum(self._idf[t] for t in terms)
            self._phrases.append(_Phrase(index, terms, text, weight, is_name))
            for term in terms:
                self._postings[term].append(position)
        self._intent_terms = [frozenset(t) for t in intent_terms]
        self._vocabulary = sorted(self._idf)
        self._correct = lru_cache(maxsize=16384)(self._closest_term)

    @property
    def phrase_count(self) -> int:
        """How many phrases the index holds."""
        return len(self._phrases)

    def _closest_term(self, term: str) -> tuple[str, float] | None:
        """The vocabulary term a misspelled term most likely meant, with its similarity (0–1)."""
        if len(term) < _TYPO_MIN_LENGTH or term.isdigit():
            return None
        found = process.extractOne(
            term, self._vocabulary, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF
        )
        if found is None:
            return None
        return found[0], found[1] / 100

    def _map_terms(self, terms: tuple[str, ...]) -> list[tuple[str | None, float, float]]:
        """Each distinct query term as (index term or None, similarity, weight)."""
        mapped = []
        for term in dict.fromkeys(terms):
            if term in self._idf:
                mapped.append((term, 1.0, self._idf[term]))
                continue
            corrected = self._correct(term)
            if corrected is None:
                mapped.append((None, 0.0, self._unknown_idf))
            else:
                mapped.append((corrected[0], corrected[1], self._idf[corrected[0]]))
        return mapped

    def rank(self, text: str, limit: int = _MAX_MATCHES) -> tuple[Match, ...]:
        """The best intents for a text, best first, scored 0–1."""
        normalized = self.normalizer.normalize(text)
        mapped = self._map_terms(normalized.terms)
        query_weight = sum(weight for _, _, weight in mapped)
        similarity: dict[str, float] = {}
        for term, sim, _ in mapped:
            if term is not None and sim > similarity.get(term, 0.0):
                similarity[term] = sim
        if not similarity:
            return ()
        overlap: dict[int, float] = defaultdict(float)
        for term, sim in similarity.items():
            gain = self._idf[term] * sim
            for position in self._postings[term]:
                overlap[position] += gain
        candidates = heapq.nlargest(
            _CANDIDATE_LIMIT,
            overlap.items(),
            key=lambda item: item[1] / self._phrases[item[0]].weight + item[1] / query_weight,
        )
        query_text = " ".join(t for t, _, _ in mapped if t is not None)
        best: dict[int, tuple[float, float]] = {}
        named: set[int] = set()
        for position, matched in candidates:
            phrase = self._phrases[position]
            coverage = matched / phrase.weight
            if phrase.is_name and coverage >= 1.0 - 1e-9:
                named.add(phrase.intent)
            closeness = fuzz.token_sort_ratio(query_text, phrase.text) / 100
            if (coverage, closeness) > best.get(phrase.intent, (0.0, 0.0)):
                best[phrase.intent] = (coverage, closeness)
        scored = [
            (
                index,
                min(
                    1.0,
                    self._score(index, coverage, closeness, mapped, query_weight)
                    + (_NAME_BONUS if index in named else 0.0),
                ),
            )
            for index, (coverage, closeness) in best.items()
        ]
        scored.sort(key=lambda item: item[1], reverse=True)
        return tuple(Match(self.intents[i], round(s, 4)) for i, s in scored[:limit])

    def _score(
        self,
        intent: int,
        phrase_coverage: float,
        closeness: float,
        mapped: list[tuple[str | None, float, float]],
        query_weight: float,
    ) -> float:
        """Blend how much of the best phrase the message covers with how much of the message
        the intent's whole vocabulary explains (an F-measure), nudged by string closeness."""
        bag = self._intent_terms[intent]
        explained = sum(w * s for t, s, w in mapped if t is not None and t in bag)
        query_coverage = explained / query_weight
        if not phrase_coverage or not query_coverage:
            return 0.0
        beta = _SMALLTALK_BETA if self.intents[intent].topic.kind is Kind.SMALLTALK else _BETA
        beta2 = beta * beta
        f_measure = (
            (1 + beta2)
            * phrase_coverage
            * query_coverage
            / (beta2 * phrase_coverage + query_coverage)
        )
        return (1 - _CLOSENESS_WEIGHT) * f_measure + _CLOSENESS_WEIGHT * closeness

    def route(self, text: str) -> Decision:
        """Rank the intents for a message and decide: answer, ask which one, or say not known."""
        matches = self.rank(text)
        limits = self.thresholds
        if not matches or matches[0].score < limits.suggest:
            return Decision(text, Outcome.NONE, matches)
        top = matches[0]
        rivals = [m for m in matches[1:] if m.intent.topic.id != top.intent.topic.id]
        if top.score >= limits.answer:
            close_call = rivals and top.score - rivals[0].score < limits.margin
            if close_call and top.score < limits.certain:
                return Decision(text, Outcome.AMBIGUOUS, (top, rivals[0]))
            return Decision(text, Outcome.ANSWER, matches)
        suggestions = (top, *[m for m in rivals if m.score >= limits.suggest][:2])
        return Decision(text, Outcome.AMBIGUOUS, suggestions)
