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
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

import simsimd

from bot.core.embedding import EXACT_LIMIT, Search, StaticEmbedding, VectorIndex
from bot.core.kb import Intent, Kind, KnowledgeBase
from bot.core.retrieval import TermIndex, intent_text
from bot.core.router import Decision, Match, Outcome, Router, round_score
from bot.core.text import NormalizedText, stem

FUSION = Path(__file__).parent / "data" / "fusion.json"
_PER_SIGNAL = 4
"""Candidates taken from each signal's ranking."""
_LEXICAL = 6
"""Candidates taken from the lexical ranking."""
_DECIDED_CACHE = 32
"""Decisions kept (`HybridRouter.route`)."""

_PRODUCT_WORDS = 3
_PLATFORM_NAMES = "azure microsoft"
"""Words a message may add to a topic's name and still say just the name ("custom speech in
Azure")."""
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

    def confidence_of(self, gate: Sequence[float]) -> float:
        """`confidence` of the gate's values, in `GATE_FEATURES` order."""
        return _logistic(self.gate_bias + sum(map(operator.mul, self._gate, gate)))

    @cached_property
    def weights_and_bias(self) -> tuple[list[float], float]:
        """The weights in `FEATURES` order, and the bias."""
        return self._weights, self.bias

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
    """What the lazily computed features of one message's candidates share (made when one
    is first read: most decisions read none)."""

    __slots__ = ("corrected", "known_total", "known_weights", "router", "weights")

    def __init__(self, router: HybridRouter, corrected: Sequence[str]) -> None:
        self.router = router
        self.corrected = corrected
        self.weights: tuple[tuple[tuple[str, float], ...], float] | None = None

    def _weigh(self) -> tuple[tuple[tuple[str, float], ...], float]:
        router = self.router
        self.weights = weights = router.terms.weights(self.corrected)
        # words the knowledge base uses ("great, what is RAG?" is all name)
        idf = router.terms.idf
        self.known_weights = [(t, w) for t, w in weights[0] if idf(t) > 0]
        self.known_total = sum(w for _, w in self.known_weights) or 1.0
        return weights

    def name_share(self, index: int) -> float:
        """How much of the message's known words are the intent's topic's name."""
        if self.weights is None:
            self._weigh()
        names = self.router.topic_name_terms(self.router.intents[index].topic.id)
        return sum(w for t, w in self.known_weights if t in names) / self.known_total

    def coverage(self, index: int) -> float:
        """The IDF-weighted share of the message the intent's whole text uses."""
        weights = self.weights if self.weights is not None else self._weigh()
        return self.router.terms.coverage(weights, index)


class _Candidate(NamedTuple):
    """One candidate intent of a message: its features' values (in `FEATURES` order), whether
    the message says it exactly, the probability the model gives it, and where its lazily
    computed features come from (`coverage`, `name_share`: the message's reading, or a
    mapping that holds them)."""

    intent: Intent
    values: tuple[float, ...]
    exact_name: float
    probability: float
    index: int
    source: _Message | Mapping[str, float]

    def lazy(self, key: str) -> float:
        """`coverage` or `name_share`."""
        source = self.source
        if isinstance(source, _Message):
            return (
                source.coverage(self.index) if key == "coverage" else source.name_share(self.index)
            )
        return source[key]


_LEXICAL_AT, _TERMS_AT, _MEANING_AT = 0, 1, 2
_DESCRIBED_AT, _KNOWN_AT, _NAMED_AT = 9, 14, 15
"""Where `_Candidate.values` holds the features the decision reads."""


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
        self._answering_terms = frozenset().union(
            *(
                self.terms.vocabulary(index)
                for index, intent in enumerate(self.intents)
                if intent.topic.kind is not Kind.DECLINE
            )
        )
        """The terms of every text that answers (a decline topic's own phrases left out)."""
        self._topic_vocabulary: dict[str, frozenset[str]] = {}
        self._names = [
            [tuple(dict.fromkeys(self.normalizer.normalize(n).terms)) for n in _names(intent)]
            for intent in self.intents
        ]
        # each name under one of its terms (the one fewest names share): a message can only
        # say the names filed under its own terms
        spread = Counter(t for names in self._names for name in names for t in name)
        self._names_by_term: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for index, names in enumerate(self._names):
            for name in names:
                if name:
                    key = min(name, key=lambda t: (spread[t], t))
                    self._names_by_term.setdefault(key, []).append((index, name))
        # a turn asks several times (context, decisions): computed once per message's words
        self._said = lru_cache(maxsize=256)(self._said_names)
        self._read = lru_cache(maxsize=16)(self._reading)
        self._decided: dict[str, Decision] = {}
        self._exact: dict[frozenset[str], set[int]] = {}
        self._platform = frozenset(self.normalizer.normalize(_PLATFORM_NAMES).terms)
        for index, intent in enumerate(self.intents):  # a name or phrase said as it is
            for phrase in (*_names(intent), *intent.phrases):
                key = frozenset(self.normalizer.normalize(phrase).terms)
                if key:
                    self._exact.setdefault(key, set()).add(index)
        self.embedding = embedding
        self._word_sums = embedding.sums(
            w
            for intent in self.intents
            for text in (*intent.phrases, *_description(intent))
            for w in self.normalizer.normalize(text).words
        )
        """The knowledge's words' token sums: kept by the embedding, and stored with the router
        in the build cache, so that a router read from it embeds no word of its own again."""
        embedding.keep(self._word_sums)
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

    def __setstate__(self, state: dict[str, object]) -> None:
        """Read from the build cache: the live embedding keeps the knowledge's words' sums."""
        self.__dict__.update(state)
        self.embedding.keep(self._word_sums)

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
        found = []
        for candidate in self._candidates(text, also):
            features = dict(zip(FEATURES, candidate.values, strict=True))
            features["exact_name"] = candidate.exact_name
            features["coverage"] = candidate.lazy("coverage")
            features["name_share"] = candidate.lazy("name_share")
            found.append((candidate.intent, features))
        return found

    def _candidates(self, text: str, also: Sequence[int] = ()) -> list[_Candidate]:
        """Each candidate intent with its features and its probability."""
        normalized, lexical, corrected, terms, best_terms_list, meaning, describing = self._read(
            text
        )
        nearest, described_near = meaning.nearest, describing.nearest
        candidates: dict[int, None] = dict.fromkeys(lexical)
        candidates.update(dict.fromkeys(best_terms_list[:_PER_SIGNAL]))
        candidates.update(dict.fromkeys(i for i, _ in nearest[:_PER_SIGNAL]))
        candidates.update(dict.fromkeys(i for i, _ in described_near))
        if also:
            candidates.update(dict.fromkeys(also))
        if not candidates:
            return []
        order = list(candidates)
        cosines = meaning.of(order)
        described = describing.of(order)
        # the lexical ranking comes best first (scores rounded from sorted ones)
        lexical_rank = {index: 1.0 / (1 + rank) for rank, index in enumerate(lexical)}
        terms_rank = {index: 1.0 / (1 + rank) for rank, index in enumerate(best_terms_list)}
        meaning_rank = {index: 1.0 / (1 + rank) for rank, (index, _) in enumerate(nearest)}
        best_lexical = max(lexical.values(), default=0.0)
        best_terms = max(terms.values(), default=0.0)
        best_meaning = max([c for _, c in nearest[:1]] + cosines)
        best_described = max([c for _, c in described_near[:1]] + described)
        known = self._known_share(normalized.terms)
        said = frozenset(normalized.terms)
        # "what's custom speech in azure?" says Custom Speech's name: the platform is implied
        exact = self._exact.get(said) or self._exact.get(said - self._platform, ())
        said_names = self._said(normalized.terms, _short_stems(normalized.words))
        message = _Message(self, corrected)
        weights, bias = self.model.weights_and_bias
        question, smalltalk, intents = self._question, self._smalltalk, self.intents
        new = tuple.__new__  # a `_Candidate` without its Python-level constructor
        lexical_get, terms_get = lexical.get, terms.get
        found = []
        for index, cosine, description in zip(order, cosines, described, strict=True):
            lex = lexical_get(index, 0.0)
            term = terms_get(index, 0.0)
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
                description,
                description - best_described,
                ((lexical_lead >= -1e-9) + (terms_lead >= -1e-9) + (meaning_lead >= -1e-9))
                / 3.0,  # agreement
                question[index],
                smalltalk[index],
                known,
                # small talk is named only by a message that is nothing else ("hi", not
                # "hi, what is RAG?")
                float(said if smalltalk[index] else index in said_names),
            )
            z = bias + sum(map(operator.mul, weights, values))  # `_logistic`, inlined
            probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            found.append(
                new(_Candidate, (intents[index], values, float(said), probability, index, message))
            )
        return found

    def _reading(self, text: str) -> _Reading:
        """What each signal makes of a message, before any candidate is scored (cached: a
        follow-up is read again against the topics in focus)."""
        normalized = self.normalizer.normalize(text)
        lexical = dict(self.lexical.scored_terms(normalized.terms, _LEXICAL, decisive=True))
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

    def topic_vocabulary(self, topic: str) -> frozenset[str]:
        """Every term the topic's texts use (names, phrases, summary, detail, its questions and
        their answers)."""
        found = self._topic_vocabulary.get(topic)
        if found is None:
            found = frozenset().union(*map(self.terms.vocabulary, self._of_topic.get(topic, ())))
            self._topic_vocabulary[topic] = found
        return found

    def topic_name_terms(self, topic: str) -> frozenset[str]:
        """The stems of a topic's title and aliases."""
        return self.lexical.topic_name_terms(topic)

    def named_topics(self, text: str) -> frozenset[str]:
        """The topics whose name (title or alias) the text says in full."""
        normalized = self.normalizer.normalize(text)
        said = self._said(normalized.terms, _short_stems(normalized.words))
        return frozenset(self.intents[index].topic.id for index in said)

    def _said_names(self, terms: tuple[str, ...], short: frozenset[str]) -> frozenset[int]:
        """The intents (by position) one of whose names the terms say."""
        asked = frozenset(terms)
        said = set()
        for term in asked:
            for index, name in self._names_by_term.get(term, ()):
                if index not in said and _says(name, terms, asked, short):
                    said.add(index)
        return frozenset(said)

    def has_intent(self, intent_id: str) -> bool:
        """Whether an intent of this id is known (a focus kept across a knowledge reload may
        name one no longer there)."""
        return intent_id in self._position

    def intent(self, intent_id: str) -> Intent:
        """The intent with this id (a topic's id is its own intent's)."""
        return self.intents[self._position[intent_id]]

    def meaning_margin(self, text: str, intent_id: str, among: frozenset[Kind]) -> float:
        """How much closer in meaning the message is to the intent (the mean of its phrases'
        vectors) than to the nearest intent of another topic of the given kinds among those the
        reading found nearest: above 0 when the intent is the nearest. Read from the message's
        cached reading."""
        meaning = self._read(text).meaning
        position = self._position[intent_id]
        own = self.intents[position].topic.id
        nearest = max(
            (
                cosine
                for index, cosine in meaning.nearest
                if self.intents[index].topic.kind in among and self.intents[index].topic.id != own
            ),
            default=0.0,
        )
        return meaning.of([position])[0] - nearest

    def unknown_words(self, text: str) -> tuple[str, ...]:
        """The message's words (as stems, spelling corrected) that no answering text of the
        knowledge base uses: "klingon" in "does custom translator support klingon?" (a decline
        topic's own example, "is klingon on the list", answers nothing); numbers and stems
        shorter than three letters left out."""
        corrected = self._read(text).corrected
        answering = self._answering_terms
        return tuple(t for t in corrected if len(t) > 2 and t.isalpha() and t not in answering)

    def _known_share(self, terms: Sequence[str]) -> float:
        """The share of the message's content words that the knowledge base uses at all."""
        if not terms:
            return 0.0
        return sum(1 for t in terms if self.terms.idf(t) > 0) / len(terms)

    def rank(self, text: str, limit: int = 5) -> tuple[Match, ...]:
        """The best answering intents for a text (declines left out), best first, with their
        probabilities."""
        scored = [
            Match(c.intent, round_score(c.probability))
            for c in self._candidates(text)
            if c.intent.topic.kind is not Kind.DECLINE
        ]
        scored.sort(key=lambda m: m.score, reverse=True)
        return tuple(scored[:limit])

    def rank_among(self, text: str, topics: Sequence[str]) -> tuple[Match, ...]:
        """Every answering candidate for a text, the given topics' intents always among them,
        best first, with their probabilities (a follow-up read against the topics in focus)."""
        also = [i for topic in topics for i in self._of_topic.get(topic, ())]
        scored = [
            Match(c.intent, round_score(c.probability))
            for c in self._candidates(text, also)
            if c.intent.topic.kind is not Kind.DECLINE
        ]
        scored.sort(key=lambda m: m.score, reverse=True)
        return tuple(scored)

    def route(self, text: str) -> Decision:
        """Rank and decide: answer, ask which one, or decline. The last decisions are kept (a
        decision depends on the text alone): a turn may route the same text twice (a clause
        read on its own, then as what is left of the message)."""
        decision = self._decided.get(text)
        if decision is None:
            decision = _decide(text, self._candidates(text), self.model)
            if len(self._decided) >= _DECIDED_CACHE:
                self._decided.pop(next(iter(self._decided)))
            self._decided[text] = decision
        return decision


def _from_mappings(
    candidates: Sequence[tuple[Intent, Mapping[str, float]]], probabilities: Sequence[float]
) -> list[_Candidate]:
    """Candidates given as (intent, features) with their probabilities (the fitting script's
    view), as the decision reads them."""
    return [
        _Candidate(
            intent,
            tuple(map(features.__getitem__, FEATURES)),
            features.get("exact_name", 0.0),
            probability,
            -1,
            features,
        )
        for (intent, features), probability in zip(candidates, probabilities, strict=True)
    ]


def gate_features(
    candidates: Sequence[tuple[Intent, Mapping[str, float]]], probabilities: Sequence[float]
) -> tuple[dict[str, float], list[Match], tuple[float, Match] | None]:
    """The answer gate's view of a message: its best answer, the answers ranked, and the
    decline topic it matches best (by lexical match)."""
    read = _read_gate(_from_mappings(candidates, probabilities))
    gate = dict(zip(GATE_FEATURES, read.gate, strict=True))
    ranked = [Match(c.intent, round_score(c.probability)) for c in read.answers]
    decline = None
    if read.decline is not None:
        lexical = read.decline.values[_LEXICAL_AT]
        decline = (lexical, Match(read.decline.intent, round_score(lexical)))
    return gate, ranked, decline


class _Gate(NamedTuple):
    """What the decision reads of a message's candidates."""

    gate: tuple[float, ...]
    """The answer gate's features, in `GATE_FEATURES` order."""
    answers: list[_Candidate]
    """The answering candidates, best first."""
    decline: _Candidate | None
    """The decline topic matched best (lexically)."""
    names_a_topic: bool
    named_declines: list[Intent]
    asked_for: bool


def _read_gate(candidates: Sequence[_Candidate]) -> _Gate:
    answers: list[_Candidate] = []
    decline: _Candidate | None = None
    decline_lexical = decline_meaning = 0.0
    names_a_topic = asked_for = False
    named_declines: list[Intent] = []
    for candidate in candidates:
        values = candidate.values
        if candidate.intent.topic.kind is Kind.DECLINE:
            decline_meaning = max(decline_meaning, values[_MEANING_AT])
            decline_lexical = max(decline_lexical, values[_LEXICAL_AT])
            named = bool(values[_NAMED_AT])
            if not named and _declines_by_name_only(candidate.intent):
                continue  # "transcription" is no "Amazon Transcribe" that the message names
            if decline is None or values[_LEXICAL_AT] > decline.values[_LEXICAL_AT]:
                decline = candidate
            if named:
                named_declines.append(candidate.intent)
        else:
            answers.append(candidate)
            names_a_topic = names_a_topic or bool(values[_NAMED_AT])
            asked_for = asked_for or bool(candidate.exact_name)
    # a message that is nothing but an intent's name ("what is Azure Databricks?") asks for it
    answers.sort(key=_exact_then_likely, reverse=True)
    if answers and answers[0].intent.question is not None:
        # mostly the topic's name ("ok so what is RAG exactly?"): the topic, not one of its facts
        topic = answers[0].intent.topic.id
        general = next(
            (
                a
                for a in answers
                if a.intent.question is None
                and a.intent.topic.id == topic
                and a.lazy("name_share") >= _NAME_SHARE
            ),
            None,
        )
        if general is not None and answers[0].lazy("name_share") >= _NAME_SHARE:
            answers.remove(general)
            answers.insert(0, general._replace(probability=answers[0].probability))
    gate = [0.0] * len(GATE_FEATURES)
    if answers:
        best = answers[0]
        values, topic = best.values, best.intent.topic.id
        rival = next((a.probability for a in answers[1:] if a.intent.topic.id != topic), 0.0)
        gate[:8] = (
            best.probability,
            best.probability - rival,
            values[_LEXICAL_AT],
            values[_TERMS_AT],
            values[_MEANING_AT],
            values[_DESCRIBED_AT],
            best.lazy("coverage"),
            1.0 - values[_KNOWN_AT],
        )
        gate[10] = values[_KNOWN_AT]
    gate[8] = decline_lexical
    gate[9] = decline_meaning
    return _Gate(tuple(gate), answers, decline, names_a_topic, named_declines, asked_for)


_PROTECTING = frozenset({"protect", "prevent", "guard", "defend", "detect", "block", "mitigate"})
"""Words of a question about safeguards: a decline it names is what to guard against."""
_WORDS = re.compile(r"[a-z]+")
_exact_then_likely = operator.itemgetter(2, 3)
"""A candidate's (`exact_name`, `probability`)."""


def decide(
    text: str,
    candidates: Sequence[tuple[Intent, Mapping[str, float]]],
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
    return _decide(text, _from_mappings(candidates, probabilities), model)


def _decide(text: str, candidates: Sequence[_Candidate], model: FusionModel) -> Decision:
    """`decide` on candidates as `HybridRouter._candidates` finds them."""
    read = _read_gate(candidates)
    answers, decline = read.answers, read.decline

    def ranked(start: int, stop: int) -> tuple[Match, ...]:
        return tuple(Match(a.intent, round_score(a.probability)) for a in answers[start:stop])

    confidence = model.confidence_of(read.gate) if answers else 0.0
    # "how do we protect our bot against jailbreaks?" asks for safeguards, not to be jailbroken
    guarding = (decline is not None or bool(read.named_declines)) and not _PROTECTING.isdisjoint(
        _WORDS.findall(text.lower())
    )
    if (
        decline is not None
        and decline.values[_LEXICAL_AT] >= model.decline
        and confidence < model.certain
        and not read.names_a_topic  # "doc intel - quick summary?" is about Document Intelligence
        and not guarding
    ):
        declined = Match(decline.intent, round_score(decline.values[_LEXICAL_AT]))
        return Decision(text, Outcome.NONE, (declined, *ranked(0, 2)))
    # a message naming another vendor's product is about that product
    if read.named_declines and not read.asked_for and not guarding:
        return Decision(text, Outcome.NONE, (Match(read.named_declines[0], 1.0), *ranked(0, 2)))
    if not answers:
        return Decision(text, Outcome.NONE, ())
    best = answers[0]
    if best.exact_name:
        top = Match(best.intent, round_score(max(confidence, model.certain)))
        return Decision(text, Outcome.ANSWER, (top, *ranked(1, 5)))  # said exactly: asked for
    top = Match(best.intent, round_score(confidence))
    topic = best.intent.topic.id
    if confidence >= model.answer:
        if read.gate[1] < model.margin and confidence < model.certain:
            rivals = [a for a in answers[1:] if a.intent.topic.id != topic][:2]
            if rivals:
                close = tuple(Match(a.intent, round_score(a.probability)) for a in rivals)
                return Decision(text, Outcome.AMBIGUOUS, (top, *close))
        return Decision(text, Outcome.ANSWER, (top, *ranked(1, 5)))
    if confidence >= model.suggest:
        floor = max(_RIVAL_FLOOR, round_score(best.probability) * _RIVAL_SHARE)
        suggestions = [top]
        for a in answers[1:]:
            if len(suggestions) > 2:
                break
            if a.intent.topic.id != topic and round_score(a.probability) >= floor:
                suggestions.append(Match(a.intent, round_score(a.probability)))
        rivals = [m.intent.topic for m in suggestions[1:]]
        if rivals and all(r.id in best.intent.topic.related or topic in r.related for r in rivals):
            return Decision(text, Outcome.ANSWER, (top, *ranked(1, 5)))
        if rivals:
            return Decision(text, Outcome.AMBIGUOUS, tuple(suggestions))
        # one guess is no choice to offer: "did you mean this?" on a near miss is an unrelated
        # suggestion; it is declined honestly (below)
    if decline is not None and decline.values[_LEXICAL_AT] >= model.decline:
        # declined all the same: with what the decline topic says ("how much is gpt-4o per 1k
        # tokens?" names GPT-4o, and gets the pricing answer rather than "I don't know")
        declined = Match(decline.intent, round_score(decline.values[_LEXICAL_AT]))
        return Decision(text, Outcome.NONE, (declined, top, *ranked(1, 4)))
    return Decision(text, Outcome.NONE, (top, *ranked(1, 5)))


def _declines_by_name_only(intent: Intent) -> bool:
    """Whether a decline question asks only the product names it declines (`_names`: "Amazon
    Transcribe", "Redshift"): it declines a message that names one, not one sharing a word with
    a name."""
    return intent.question is not None and _names(intent) == intent.question.ask


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
