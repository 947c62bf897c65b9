"""The recognizer's decision: three signals fused into one calibrated score per intent.

1. **Lexical** (bot/core/router.py): the message's words against each intent's phrases, with
   typo correction and abbreviations (rapidfuzz).
2. **Terms** (bot/core/retrieval.py): BM25 over each intent's whole text.
3. **Meaning** (bot/core/embedding.py): cosine of static embeddings, message vs the mean of an
   intent's phrases.

The best few intents of each signal are the candidates. Each candidate's features go through a
logistic model (weights and thresholds in bot/core/data/fusion.json, fitted by
bench/fit_fusion.py on the development sets) whose output is the probability that answering
with it is right. One decision follows: answer, "did you mean" (2–3 options), or decline — and
a decline topic (kind `decline`) that wins is a decline with its own words.
"""

from __future__ import annotations

import heapq
import json
import math
import operator
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

import simsimd

from bot.core.embedding import EXACT_LIMIT, Search, StaticEmbedding, VectorIndex
from bot.core.kb import Intent, Kind, KnowledgeBase
from bot.core.retrieval import TermIndex, intent_text
from bot.core.router import Decision, Match, Outcome, Router
from bot.core.text import NormalizedText, stem

FUSION = Path(__file__).parent / "data" / "fusion.json"
_PER_SIGNAL = 4
_LEXICAL = 6
"""Candidates taken from the lexical ranking."""
"""Candidates taken from each signal's ranking."""

_PRODUCT_WORDS = 3
"""A decline question's ask this short is a product's name."""
_NAME_SHARE = 0.7
"""A message whose words (IDF-weighted) are at least this much a topic's name asks about the
topic itself, not one of its questions."""
_SHORT_WORD = 4
"""A name's stem shorter than this is said only by a word at most this long."""
_HEAP_FROM = 2000
"""Past this many scores, the best few are found with a heap rather than a sort."""
_RIVAL_FLOOR = 0.1
_RIVAL_SHARE = 0.5
"""A rival offered beside the best guess in a "did you mean" is at least this likely, and at
least this share as likely as the best guess."""

FEATURES = (
    "lexical",
    "terms",
    "meaning",
    "lexical_lead",
    "terms_lead",
    "meaning_lead",
    "lexical_rank",
    "terms_rank",
    "meaning_rank",
    "described",
    "described_lead",
    "agreement",
    "question",
    "smalltalk",
    "known_words",
    "named",
)
"""A candidate's features also carry `exact_name` (the message says one of its names or
phrases, no more, no less: a typed title or a clicked suggestion), which is not weighed:
`decide` answers with such a candidate; `name_share` (how much of the message's known words
are its topic's name), with which `decide` prefers a topic to its own question; and `coverage`
(the IDF-weighted share of the message its whole text uses), which only the gate weighs."""


GATE_FEATURES = (
    "top",
    "gap",
    "top_lexical",
    "top_terms",
    "top_meaning",
    "top_described",
    "top_coverage",
    "unknown_words",
    "decline_lexical",
    "decline_meaning",
    "known_words",
)
"""What the answer gate sees of a message's best candidate: is answering with it right?"""


class _Reading(NamedTuple):
    """What each signal makes of one message."""

    normalized: NormalizedText
    lexical: dict[int, float]
    corrected: list[str]
    terms: dict[int, float]
    best_terms: list[int]
    meaning: Search
    describing: Search


@dataclass(frozen=True)
class FusionModel:
    """Logistic weights over `FEATURES` (which candidate), a second logistic over
    `GATE_FEATURES` (whether to answer with the best one), and the decision thresholds."""

    weights: dict[str, float]
    bias: float
    answer: float
    """A top probability at or above this is answered…"""
    margin: float
    """…unless a runner-up of another topic is within this of it (then: did you mean)."""
    suggest: float
    """Below `answer`, candidates at or above this are offered as suggestions."""
    decline: float
    """A decline topic matched lexically at least this well declines the message…"""
    certain: float
    """…unless the best answer's probability reaches this."""
    gate: dict[str, float] = field(default_factory=dict)
    gate_bias: float = 0.0

    @classmethod
    def load(cls, path: Path = FUSION) -> FusionModel:
        """Read the fitted model (bench/fit_fusion.py writes it)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            weights={name: float(data["weights"].get(name, 0.0)) for name in FEATURES},
            bias=float(data["bias"]),
            answer=float(data["answer"]),
            margin=float(data["margin"]),
            suggest=float(data["suggest"]),
            decline=float(data["decline"]),
            certain=float(data["certain"]),
            gate={name: float(data.get("gate", {}).get(name, 0.0)) for name in GATE_FEATURES},
            gate_bias=float(data.get("gate_bias", 0.0)),
        )

    def probability(self, features: Mapping[str, float]) -> float:
        """The probability that this candidate is the right one."""
        return self.probability_of(map(features.__getitem__, FEATURES))

    def probability_of(self, values: Iterable[float]) -> float:
        """`probability` of a candidate's feature values, in `FEATURES` order."""
        return _logistic(self.bias + sum(map(operator.mul, self._weights, values)))

    def confidence(self, gate: dict[str, float]) -> float:
        """The probability that answering with the best candidate is right."""
        values = map(gate.__getitem__, GATE_FEATURES)
        return _logistic(self.gate_bias + sum(map(operator.mul, self._gate, values)))

    @cached_property
    def _weights(self) -> list[float]:
        return [self.weights[n] for n in FEATURES]

    @cached_property
    def _gate(self) -> list[float]:
        return [self.gate.get(n, 0.0) for n in GATE_FEATURES]


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _unit(vector: array) -> array:
    norm = math.sqrt(simsimd.dot(vector, vector)) or 1.0
    return array("f", memoryview(simsimd.wsum(vector, vector, alpha=1.0 / norm, beta=0.0)))


def _mean(vectors: Sequence[array]) -> array | None:
    if not vectors:
        return None
    total = vectors[0]
    for vector in vectors[1:]:
        total = array("f", memoryview(simsimd.wsum(total, vector, alpha=1.0, beta=1.0)))
    return array("f", memoryview(simsimd.wsum(total, total, alpha=1.0 / len(vectors), beta=0.0)))


class _Message:
    """What the lazily computed features of one message's candidates share."""

    __slots__ = ("known_total", "known_weights", "router", "weights")

    def __init__(self, router: HybridRouter, corrected: Sequence[str]) -> None:
        self.router = router
        self.weights = router.terms.weights(corrected)
        # words the knowledge base uses ("great, what is RAG?" is all name)
        idf = router.terms.idf
        self.known_weights = [(t, w) for t, w in self.weights[0] if idf(t) > 0]
        self.known_total = sum(w for _, w in self.known_weights) or 1.0

    def name_share(self, index: int) -> float:
        """How much of the message's known words are the intent's topic's name."""
        names = self.router.topic_name_terms(self.router.intents[index].topic.id)
        return sum(w for t, w in self.known_weights if t in names) / self.known_total

    def coverage(self, index: int) -> float:
        """The IDF-weighted share of the message the intent's whole text uses."""
        return self.router.terms.coverage(self.weights, index)


class _Features(dict[str, float]):
    """A candidate's features. `coverage` and `name_share`, which only the gate reads (of
    the best candidates), are computed when first read."""

    __slots__ = ("index", "message")
    _LAZY = ("coverage", "name_share")

    message: _Message
    index: int

    def __missing__(self, key: str) -> float:
        if key == "coverage":
            value = self.message.coverage(self.index)
        elif key == "name_share":
            value = self.message.name_share(self.index)
        else:
            raise KeyError(key)
        self[key] = value
        return value

    def complete(self) -> None:
        """Compute every lazy feature now."""
        for key in self._LAZY:
            self[key]  # computed and stored by __missing__


class HybridRouter:
    """Routes a message to an intent (or a decline) from the three fused signals."""

    def __init__(
        self,
        kb: KnowledgeBase,
        embedding: StaticEmbedding,
        model: FusionModel,
        lexical: Router | None = None,
    ) -> None:
        self.kb = kb
        self.model = model
        self.lexical = lexical or Router(kb)
        self.normalizer = self.lexical.normalizer
        self.intents = self.lexical.intents
        self._position = {intent.id: i for i, intent in enumerate(self.intents)}
        self._question = [float(i.question is not None) for i in self.intents]
        self._smalltalk = [float(i.topic.kind is Kind.SMALLTALK) for i in self.intents]
        self._of_topic: dict[str, list[int]] = {}
        for index, intent in enumerate(self.intents):
            self._of_topic.setdefault(intent.topic.id, []).append(index)
        self.terms = TermIndex(self.normalizer, [intent_text(i) for i in self.intents])
        self._names = [
            [tuple(dict.fromkeys(self.normalizer.normalize(n).terms)) for n in _names(intent)]
            for intent in self.intents
        ]
        self._topic_names = {
            topic.id: frozenset(
                t for n in (topic.title, *topic.aliases) for t in self.normalizer.normalize(n).terms
            )
            for topic in kb.topics.values()
        }
        # a turn asks several times (context, decisions): computed once per message's words
        self._named_by_terms = lru_cache(maxsize=256)(self._named_topics)
        self._read = lru_cache(maxsize=16)(self._reading)
        self._exact: dict[frozenset[str], set[int]] = {}
        for index, intent in enumerate(self.intents):  # a name or phrase said as it is
            for phrase in (*_names(intent), *intent.phrases):
                key = frozenset(self.normalizer.normalize(phrase).terms)
                if key:
                    self._exact.setdefault(key, set()).add(index)
        self.embedding = embedding
        phrased = [self._mean_vector(i.phrases) for i in self.intents]
        described = [self._mean_vector(_description(i)) for i in self.intents]
        # the phrases' and the descriptions' vectors: stacked on a small knowledge base (one
        # comparison serves both searches), else two indexes that each search their own groups
        self._both: VectorIndex | None = None
        self._halves: tuple[VectorIndex, VectorIndex] | None = None
        if len(phrased) + len(described) <= EXACT_LIMIT:
            self._both = VectorIndex(embedding.dims, phrased + described)
        else:
            self._halves = (
                VectorIndex(embedding.dims, phrased),
                VectorIndex(embedding.dims, described),
            )

    def _mean_vector(self, texts: Sequence[str]) -> array | None:
        """The mean of the texts' unit vectors."""
        vectors = []
        for text in texts:
            vector = self.embedding.vector(self.normalizer.normalize(text).words)
            if vector is not None:
                vectors.append(_unit(vector))
        return _mean(vectors)

    def features(
        self, text: str, also: Sequence[int] = ()
    ) -> list[tuple[Intent, dict[str, float]]]:
        """Each candidate intent with its features (the fitting script's view of a message);
        `also` adds intents (by position) to the candidates."""
        found = self._candidates(text, also)
        for _intent, features, _probability in found:
            features.complete()
        return [(intent, features) for intent, features, _probability in found]

    def _candidates(
        self, text: str, also: Sequence[int] = ()
    ) -> list[tuple[Intent, _Features, float]]:
        """Each candidate intent with its features (`coverage` and `name_share` computed when
        first read) and its probability."""
        normalized, lexical, corrected, terms, best_terms_list, meaning, describing = self._read(
            text
        )
        nearest, described_near = meaning.nearest, describing.nearest
        candidates: dict[int, None] = dict.fromkeys(lexical)
        candidates.update(dict.fromkeys(best_terms_list[:_PER_SIGNAL]))
        candidates.update(dict.fromkeys(i for i, _ in nearest[:_PER_SIGNAL]))
        candidates.update(dict.fromkeys(i for i, _ in described_near))
        candidates.update(dict.fromkeys(also))
        if not candidates:
            return []
        order = list(candidates)
        cosines = dict(zip(order, meaning.of(order), strict=True))
        described = dict(zip(order, describing.of(order), strict=True))
        lexical_rank = _ranks(lexical)
        terms_rank = {index: 1.0 / (1 + rank) for rank, index in enumerate(best_terms_list)}
        meaning_rank = {index: 1.0 / (1 + rank) for rank, (index, _) in enumerate(nearest)}
        best_lexical = max(lexical.values(), default=0.0)
        best_terms = max(terms.values(), default=0.0)
        best_meaning = max([c for _, c in nearest[:1]] + list(cosines.values()))
        best_described = max([c for _, c in described_near[:1]] + list(described.values()))
        known = self._known_share(normalized.terms)
        asked = frozenset(normalized.terms)
        exact = self._exact.get(asked, ())
        short = _short_stems(normalized.words)
        message = _Message(self, corrected)
        model = self.model
        found = []
        for index in candidates:
            lex = lexical.get(index, 0.0)
            term = terms.get(index, 0.0)
            cosine = cosines[index]
            lexical_lead, terms_lead = lex - best_lexical, term - best_terms
            meaning_lead = cosine - best_meaning
            said = index in exact
            values = (
                lex,
                term,
                cosine,
                lexical_lead,
                terms_lead,
                meaning_lead,
                lexical_rank.get(index, 0.0),
                terms_rank.get(index, 0.0),
                meaning_rank.get(index, 0.0),
                described[index],
                described[index] - best_described,
                ((lexical_lead >= -1e-9) + (terms_lead >= -1e-9) + (meaning_lead >= -1e-9))
                / 3.0,  # agreement
                self._question[index],
                self._smalltalk[index],
                known,
                # small talk is named only by a message that is nothing else ("hi", not
                # "hi, what is RAG?")
                float(
                    said
                    if self._smalltalk[index]
                    else any(_says(n, normalized.terms, asked, short) for n in self._names[index])
                ),
            )
            features = _Features(zip(FEATURES, values, strict=True))
            features["exact_name"] = float(said)
            features.message, features.index = message, index
            found.append((self.intents[index], features, model.probability_of(values)))
        return found

    def _reading(self, text: str) -> _Reading:
        """What each signal makes of a message, before any candidate is scored (cached: a
        follow-up is read again against the topics in focus)."""
        normalized = self.normalizer.normalize(text)
        ranked = self.lexical.rank_terms(normalized.terms, _LEXICAL, decisive=True)
        lexical = {self._position[m.intent.id]: m.score for m in ranked}
        corrected = self.lexical.corrected(normalized.terms)
        terms = self.terms.scores(corrected)
        best_terms_list = _best(terms, _PER_SIGNAL * 2)
        vector = self.embedding.vector(normalized.words)
        counts = (_PER_SIGNAL * 2, _PER_SIGNAL // 2)
        if self._both is not None:
            meaning, describing = self._both.search_halves(vector, counts)
        else:
            phrases, descriptions = self._halves
            meaning = phrases.search(vector, counts[0])
            describing = descriptions.search(vector, counts[1])
        return _Reading(normalized, lexical, corrected, terms, best_terms_list, meaning, describing)

    def topic_name_terms(self, topic: str) -> frozenset[str]:
        """The stems of a topic's title and aliases."""
        return self._topic_names.get(topic, frozenset())

    def named_topics(self, text: str) -> frozenset[str]:
        """The topics whose name (title or alias) the text says in full."""
        normalized = self.normalizer.normalize(text)
        return self._named_by_terms(normalized.terms, _short_stems(normalized.words))

    def _named_topics(self, terms: tuple[str, ...], short: frozenset[str]) -> frozenset[str]:
        asked = frozenset(terms)
        return frozenset(
            intent.topic.id
            for intent, names in zip(self.intents, self._names, strict=True)
            if any(_says(n, terms, asked, short) for n in names)
        )

    def intent(self, intent_id: str) -> Intent:
        """The intent with this id (a topic's id is its own intent's)."""
        return self.intents[self._position[intent_id]]

    def _known_share(self, terms: Sequence[str]) -> float:
        """The share of the message's content words that the knowledge base uses at all."""
        if not terms:
            return 0.0
        return sum(1 for t in terms if self.terms.idf(t) > 0) / len(terms)

    def rank(self, text: str, limit: int = 5) -> tuple[Match, ...]:
        """The best answering intents for a text (declines left out), best first, with their
        probabilities."""
        scored = [
            Match(intent, round(probability, 4))
            for intent, _features, probability in self._candidates(text)
            if intent.topic.kind is not Kind.DECLINE
        ]
        scored.sort(key=lambda m: m.score, reverse=True)
        return tuple(scored[:limit])

    def rank_among(self, text: str, topics: Sequence[str]) -> tuple[Match, ...]:
        """Every answering candidate for a text, the given topics' intents always among them,
        best first, with their probabilities (a follow-up read against the topics in focus)."""
        also = [i for topic in topics for i in self._of_topic.get(topic, ())]
        scored = [
            Match(intent, round(probability, 4))
            for intent, _features, probability in self._candidates(text, also)
            if intent.topic.kind is not Kind.DECLINE
        ]
        scored.sort(key=lambda m: m.score, reverse=True)
        return tuple(scored)

    def route(self, text: str) -> Decision:
        """Rank and decide: answer, ask which one, or decline."""
        found = self._candidates(text)
        candidates = [(intent, features) for intent, features, _p in found]
        return decide(text, candidates, [p for _i, _f, p in found], self.model)


def gate_features(
    candidates: Sequence[tuple[Intent, dict[str, float]]], probabilities: Sequence[float]
) -> tuple[dict[str, float], list[Match], tuple[float, Match] | None]:
    """The answer gate's view of a message: its best answer, the answers ranked, and the
    decline topic it matches best (by lexical match)."""
    answers: list[tuple[float, Intent, dict[str, float]]] = []
    decline: tuple[float, Match] | None = None
    decline_meaning = 0.0
    for (intent, features), probability in zip(candidates, probabilities, strict=True):
        if intent.topic.kind is Kind.DECLINE:
            decline_meaning = max(decline_meaning, features["meaning"])
            if decline is None or features["lexical"] > decline[0]:
                decline = (features["lexical"], Match(intent, round(features["lexical"], 4)))
        else:
            answers.append((probability, intent, features))
    # a message that is nothing but an intent's name ("what is Azure Databricks?") asks for it
    answers.sort(key=lambda a: (a[2].get("exact_name", 0.0), a[0]), reverse=True)
    if answers and answers[0][1].question is not None:
        # mostly the topic's name ("ok so what is RAG exactly?"): the topic, not one of its facts
        topic = answers[0][1].topic.id
        general = next(
            (
                a
                for a in answers
                if a[1].question is None
                and a[1].topic.id == topic
                and a[2]["name_share"] >= _NAME_SHARE
            ),
            None,
        )
        if general is not None and answers[0][2]["name_share"] >= _NAME_SHARE:
            answers.remove(general)
            answers.insert(0, (answers[0][0], general[1], general[2]))
    ranked = [Match(intent, round(p, 4)) for p, intent, _f in answers]
    gate = dict.fromkeys(GATE_FEATURES, 0.0)
    if answers:
        best, intent, features = answers[0]
        rival = next((p for p, other, _f in answers[1:] if other.topic.id != intent.topic.id), 0.0)
        gate.update(
            top=best,
            gap=best - rival,
            top_lexical=features["lexical"],
            top_terms=features["terms"],
            top_meaning=features["meaning"],
            top_described=features["described"],
            top_coverage=features["coverage"],
            unknown_words=1.0 - features["known_words"],
            known_words=features["known_words"],
        )
    gate["decline_lexical"] = decline[0] if decline else 0.0
    gate["decline_meaning"] = decline_meaning
    return gate, ranked, decline


def decide(
    text: str,
    candidates: Sequence[tuple[Intent, dict[str, float]]],
    probabilities: Sequence[float],
    model: FusionModel,
) -> Decision:
    """One decision from the scored candidates.

    A decline topic wins when the message phrases it (its lexical match reaches
    `model.decline`) unless the gate is certain of the best answer or the message names an
    answer's topic; or when it names another vendor's product (unless the message is exactly a
    topic's name). Otherwise the gate's
    confidence in the best answer decides: answer (or "did you mean" when a rival of another
    topic is within the margin), suggestions, or an honest "I don't know". The answer's score
    is that confidence; the other candidates keep their own probabilities.
    """
    gate, answers, decline = gate_features(candidates, probabilities)
    confidence = model.confidence(gate) if answers else 0.0
    names_a_topic = any(f["named"] for i, f in candidates if i.topic.kind is not Kind.DECLINE)
    if (
        decline is not None
        and decline[0] >= model.decline
        and confidence < model.certain
        and not names_a_topic  # "doc intel - quick summary?" is about Document Intelligence
    ):
        return Decision(text, Outcome.NONE, (decline[1], *answers[:2]))
    # a message naming another vendor's product is about that product
    named = [i for i, f in candidates if i.topic.kind is Kind.DECLINE and f["named"]]
    asked_for = any(f["exact_name"] for i, f in candidates if i.topic.kind is not Kind.DECLINE)
    if named and not asked_for:
        return Decision(text, Outcome.NONE, (Match(named[0], 1.0), *answers[:2]))
    if not answers:
        return Decision(text, Outcome.NONE, ())
    if any(f["exact_name"] for i, f in candidates if i.id == answers[0].intent.id):
        top = Match(answers[0].intent, round(max(confidence, model.certain), 4))
        return Decision(text, Outcome.ANSWER, (top, *answers[1:5]))  # said exactly: asked for
    top = Match(answers[0].intent, round(confidence, 4))
    rivals = [m for m in answers[1:] if m.intent.topic.id != top.intent.topic.id]
    if confidence >= model.answer:
        if rivals and gate["gap"] < model.margin and confidence < model.certain:
            return Decision(text, Outcome.AMBIGUOUS, (top, *rivals[:2]))
        return Decision(text, Outcome.ANSWER, (top, *answers[1:5]))
    if confidence >= model.suggest:
        floor = max(_RIVAL_FLOOR, answers[0].score * _RIVAL_SHARE)
        suggestions = (top, *[m for m in rivals if m.score >= floor][:2])
        return Decision(text, Outcome.AMBIGUOUS, suggestions)
    return Decision(text, Outcome.NONE, (top, *answers[1:5]))


def _names(intent: Intent) -> tuple[str, ...]:
    """What an intent is called: a topic's title and aliases; for a decline question, its short
    asks too (the product names it declines: "SageMaker", "Amazon Bedrock")."""
    if intent.question is not None and intent.topic.kind is Kind.DECLINE:
        return tuple(a for a in intent.question.ask if len(a.split()) <= _PRODUCT_WORDS)
    return intent.names


def _short_stems(words: Sequence[str]) -> frozenset[str]:
    """The stems of a message's short words: a short name's stem must come from one ("AWS" is
    not said by "awful", whose stem is also "aw")."""
    return frozenset(stem(w) for w in words if len(w) <= _SHORT_WORD)


def _says(
    name: tuple[str, ...], terms: Sequence[str], asked: frozenset[str], short: frozenset[str]
) -> bool:
    """Whether the message's terms say a name: its terms side by side, in any order ("app
    service" is not said by "the app team … which service"), a short stem from a short word."""
    if not name or not asked.issuperset(name):
        return False
    if any(len(t) < _SHORT_WORD and t not in short for t in name):
        return False
    size = len(name)
    if size == 1:
        return True
    wanted = set(name)
    return any(set(terms[i : i + size]) == wanted for i in range(len(terms) - size + 1))


def _description(intent: Intent) -> list[str]:
    """What an intent says it is for: a topic's summary and when to use it; a question's
    answer."""
    if intent.question is not None:
        return [intent.question.answer]
    return [intent.topic.summary, *intent.topic.when_to_use]


def _best(scores: dict[int, float], count: int) -> list[int]:
    if len(scores) > _HEAP_FROM:
        return heapq.nlargest(count, scores, key=scores.__getitem__)
    return [i for i, _ in sorted(scores.items(), key=operator.itemgetter(1), reverse=True)[:count]]


def _ranks(scores: dict[int, float], count: int = 16) -> dict[int, float]:
    """1 / (1 + rank) of the best `count` entries: 1 for the best, ½ for the next, …"""
    return {index: 1.0 / (1 + rank) for rank, index in enumerate(_best(scores, count))}
