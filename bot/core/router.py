"""Routes a message to an intent: normalize → candidates → fuzzy score → decide.

The index is built once per knowledge base. A message's terms are matched to the index's vocabulary
exactly or, for typos, with rapidfuzz; an inverted index narrows the phrases to those sharing
a term; only those are scored, and two thresholds (absolute and margin) decide.

A ranking is defined by scoring every phrase that shares a term with the message
(`Router(kb, prune=False)` does exactly that). The default router computes the same ranking while
skipping work that bounds prove useless: string closeness only for intents that can still make
the list and, on large knowledge bases, no walk through common words' long postings when their
intents cannot matter. `rank` is exact at any size; `route` is exact for every intent that can
change its decision (tests/test_perf_behaviour.py, bench/router_scaling.py).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Collection, Iterable
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


_SCORE_ROUNDING = 1e-3
"""More than a score's rounding (4 decimals): a bound this far below a bar cannot reach it."""
_FULL = 1.0 - 1e-9
"""A phrase covered this much is covered in full (names earn the bonus)."""
_ACCUMULATE_LIMIT = 1000
"""Postings followed in full for a message; past this, common terms are bounded (large KBs)."""
_EXACT_FIRST_LIMIT = 4000
"""Past `_ACCUMULATE_LIMIT` and up to this many postings, the exact list is found first and kept
when the large path would surely have scored all of its intents (`Router._top`)."""
_RARE_LIMIT = 500
"""On a large KB, postings followed in full before the rest are bounded instead."""
_SEED = 32
"""On a large KB, the lightest phrases of each common term scored first, to set the bar."""
_TYPO_MIN_LENGTH = 4
_TYPO_CUTOFF = 80.0
_TYPO_PREPARED = 32
"""Typo corrections' candidates are prepared for terms up to this long."""
_MAX_MATCHES = 5
_BETA = 1.0
_SMALLTALK_BETA = 2.0
"""Small talk must be most of the message: "hello" inside a real question is not a greeting."""
_CLOSENESS_WEIGHT = 0.1
_NAME_BONUS = 0.1
"""Added when the message names the topic in full: naming a service is asking about it."""
_COVERAGE_DIGITS = 9
"""Decimals a phrase's coverage is rounded to (`_coverage`)."""
_COVERAGE_SCALE = 1e9
_SCORE_DIGITS = 4
_SCORE_SCALE = 1e4
"""Decimals a score is rounded to (`round_score`); each scale is 10 to its decimals."""
_FAST_BELOW = 1000.0
_NOT_HALF = 0.4999
"""`round_score` and `_rounded` round a positive value below this without decimal digits when
its scaled float lies this close to an integer (that float is off the exact product by less
than 1e-4, so the exact one rounds to the same integer)."""
_ROUNDING = 2e-9
"""More than rounding moves a share, and more than the gap between two shares it makes equal:
a share further than this below a bar cannot round up to it."""
_BOUND_SLACK = 1e-8
"""Added to score bounds computed from unrounded shares: rounding a share moves the F-measure
by at most 1 + β² times as much."""
_REACH_SLACK = 1e-9
"""Added to a bound on an intent's score from its reach (`Router._select_reached`): far more
than the floats of that sum can fall short of the phrase share it bounds."""


def _coverage(matched: float, weight: float) -> float:
    """The share of a phrase's weight matched, rounded so that equal shares compare equal
    whatever order their floats were summed in (ties then break the same way every run)."""
    return _rounded(matched / weight)


def _rounded(share: float) -> float:
    """A share rounded as `_coverage` rounds it. Rounding is monotonic: an intent's best
    rounded share is its best share, rounded. `round(share, 9)`, the same float, mostly
    without its decimal digits (`round_score`)."""
    scaled = share * _COVERAGE_SCALE
    whole = (scaled + 0.5) // 1.0
    if -_NOT_HALF < scaled - whole < _NOT_HALF and 0.0 < share < _FAST_BELOW:
        return whole / _COVERAGE_SCALE
    return round(share, _COVERAGE_DIGITS)


def round_score(score: float) -> float:
    """`round(score, 4)`, the same float. `round` with digits goes through decimal digits
    (~2,000 instructions); a value of (0, 1000) whose scaled float lies near an integer rounds
    to the integer its exact scaled value rounds to, and that integer over the scale is the
    float nearest the rounded decimal, which `round` returns."""
    scaled = score * _SCORE_SCALE
    whole = (scaled + 0.5) // 1.0
    if -_NOT_HALF < scaled - whole < _NOT_HALF and 0.0 < score < _FAST_BELOW:
        return whole / _SCORE_SCALE
    return round(score, _SCORE_DIGITS)


def _f_measure(beta2: float, phrase_coverage: float, query_coverage: float) -> float:
    """Phrase and message coverage combined; β² weighs the message's."""
    return (
        (1 + beta2) * phrase_coverage * query_coverage / (beta2 * phrase_coverage + query_coverage)
    )


def _typo_reach(length: int, other: int) -> bool:
    """Whether a term of one length can be `_TYPO_CUTOFF` close to one of another: fuzz.ratio
    is at most 200·min(a, b) / (a + b) for lengths a and b (less half a point, for rounding)."""
    return 200 * min(length, other) >= (_TYPO_CUTOFF - 0.5) * (length + other)


def _sorted_words(text: str) -> str:
    """The text's words in sorted order: `fuzz.ratio` of two such texts is their
    `fuzz.token_sort_ratio`, without sorting again on every comparison."""
    return " ".join(sorted(text.split()))


class _Query:
    """A normalized message as the scorer sees it."""

    __slots__ = ("asked", "gains", "mapped", "place", "sorted_text", "terms", "text", "weight")

    def __init__(
        self,
        mapped: tuple[tuple[str | None, float, float], ...],
        weight: float,
        similarity: dict[str, float],
        idf: dict[str, float],
    ) -> None:
        self.mapped = mapped
        self.weight = weight
        self.terms = list(similarity)
        self.gains = [idf[t] * similarity[t] for t in self.terms]
        self.asked = frozenset(self.terms)
        self.place = {t: j for j, t in enumerate(self.terms)}
        self.text = " ".join(t for t, _, _ in mapped if t is not None)
        self.sorted_text = _sorted_words(self.text)


class _Candidates:
    """Intents found for a message: best phrase share (unrounded), named intents, the
    matched weight of every phrase of theirs that the message shares a term with, and how much
    of the message each explains (filled in by `Router._top` or `Router._explain`)."""

    __slots__ = ("explained", "named", "overlap", "share_of")

    def __init__(
        self, share_of: dict[int, float], named: set[int], overlap: dict[int, float]
    ) -> None:
        self.share_of = share_of
        self.named = named
        self.overlap = overlap
        self.explained: dict[int, float] = {}


class Router:
    """Routes messages to the knowledge base's intents."""

    def __init__(
        self, kb: KnowledgeBase, thresholds: Thresholds | None = None, *, prune: bool = True
    ) -> None:
        self.kb = kb
        self._prune = prune
        self.thresholds = thresholds or Thresholds()
        self.normalizer = Normalizer(kb.vocabulary)
        self.intents = kb.intents()
        self._topic_names = {
            topic.id: frozenset(
                t for n in (topic.title, *topic.aliases) for t in self.normalizer.normalize(n).terms
            )
            for topic in kb.topics.values()
        }
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
            weight = sum(self._idf[t] for t in sorted(terms))  # same float on every run
            self._phrases.append(_Phrase(index, terms, text, weight, is_name))
            for term in terms:
                self._postings[term].append(position)
        self._intent_terms = [frozenset(t) for t in intent_terms]
        self._vocabulary = sorted(self._idf)
        self._typo_choices: dict[int, list[str]] = {}
        """The vocabulary terms close enough in length to a term of each length to be its
        correction (in vocabulary order): made here for the usual lengths, else when met."""
        by_length: dict[int, list[int]] = defaultdict(list)
        for position, term in enumerate(self._vocabulary):
            by_length[len(term)].append(position)
        for length in range(_TYPO_MIN_LENGTH, _TYPO_PREPARED + 1):
            near = sorted(
                itertools.chain.from_iterable(
                    by_length.get(other, ()) for other in by_length if _typo_reach(length, other)
                )
            )
            self._typo_choices[length] = list(map(self._vocabulary.__getitem__, near))
        self._correct = lru_cache(maxsize=16384)(self._closest_term)
        self._mapped = lru_cache(maxsize=64)(self._map_terms)
        # flat views of the index for the scorer's inner loops
        self._phrase_intent = [p.intent for p in self._phrases]
        self._phrase_weight = [p.weight for p in self._phrases]
        self._phrase_terms = [p.terms for p in self._phrases]
        self._sorted_text = [_sorted_words(p.text) for p in self._phrases]
        # phrases are stored intent by intent: each intent's positions are one run
        self._intent_positions = [
            range(
                bisect.bisect_left(self._phrase_intent, index),
                bisect.bisect_left(self._phrase_intent, index + 1),
            )
            for index in range(len(self.intents))
        ]
        self._intent_position_sets = [frozenset(span) for span in self._intent_positions]
        self._intent_names: list[list[int]] = [[] for _ in self.intents]
        for position, phrase in enumerate(self._phrases):
            if phrase.is_name:
                self._intent_names[phrase.intent].append(position)
        self._beta2 = [
            (_SMALLTALK_BETA if i.topic.kind is Kind.SMALLTALK else _BETA) ** 2
            for i in self.intents
        ]
        self._one_plus_beta2 = [1 + b2 for b2 in self._beta2]
        self._bag_postings: dict[str, list[int]] = defaultdict(list)
        for index, terms in enumerate(self._intent_terms):
            for term in terms:
                self._bag_postings[term].append(index)
        # per term: each intent's phrases that hold it (lightest first), the weight of the
        # lightest, and the intents in that order (best share first for a message reaching
        # them by that term alone)
        self._phrases_of: dict[str, dict[int, list[int]]] = {}
        self._lightest: dict[str, dict[int, float]] = {}
        self._lightest_first: dict[str, tuple[list[int], list[float]]] = {}
        for term, positions in self._postings.items():
            held: dict[int, list[int]] = {}
            for position in sorted(positions, key=lambda p: (self._phrase_weight[p], p)):
                held.setdefault(self._phrase_intent[position], []).append(position)
            self._phrases_of[term] = held
            lightest = {i: self._phrase_weight[v[0]] for i, v in held.items()}
            self._lightest[term] = lightest
            order = sorted(lightest, key=lambda i: (lightest[i], i))
            self._lightest_first[term] = (order, [lightest[i] for i in order])
        self._bag_sets = {term: frozenset(intents) for term, intents in self._bag_postings.items()}
        self._plain = frozenset(i for i, b2 in enumerate(self._beta2) if b2 == _BETA**2)
        self._smalltalk_postings = {
            term: [i for i in intents if self._beta2[i] != _BETA**2]
            for term, intents in self._bag_postings.items()
        }
        self._by_weight: dict[str, tuple[list[float], list[int]]] = {}
        for term, positions in self._postings.items():
            ordered = sorted(positions, key=self._phrase_weight.__getitem__)
            self._by_weight[term] = ([self._phrase_weight[p] for p in ordered], ordered)
        self._names_by_rarest: dict[str, list[int]] = defaultdict(list)
        for position, phrase in enumerate(self._phrases):
            if phrase.is_name:
                rarest = min(phrase.terms, key=lambda t: (document_frequency[t], t))
                self._names_by_rarest[rarest].append(position)

    def topic_name_terms(self, topic: str) -> frozenset[str]:
        """The stems of a topic's title and aliases."""
        return self._topic_names.get(topic, frozenset())

    def terms_of(self, intent: int) -> frozenset[str]:
        """The normalized terms of every phrase of the intent at this index."""
        return self._intent_terms[intent]

    @property
    def phrase_count(self) -> int:
        """How many phrases the index holds."""
        return len(self._phrases)

    def _closest_term(self, term: str) -> tuple[str, float] | None:
        """The vocabulary term a misspelled term most likely meant, with its similarity (0–1)."""
        if len(term) < _TYPO_MIN_LENGTH or term.isdigit():
            return None
        length = len(term)
        choices = self._typo_choices.get(length)
        if choices is None:
            choices = [t for t in self._vocabulary if _typo_reach(length, len(t))]
            self._typo_choices[length] = choices
        found = process.extractOne(term, choices, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF)
        if found is None:
            return None
        return found[0], found[1] / 100

    def _map_terms(self, terms: tuple[str, ...]) -> tuple[tuple[str | None, float, float], ...]:
        """Each distinct query term as (index term or None, similarity, weight) (cached as
        `_mapped`: a message's terms are ranked, then corrected, in one reading)."""
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
        return tuple(mapped)

    def corrected(self, terms: tuple[str, ...]) -> list[str]:
        """The terms as the index knows them: misspellings corrected, unknown ones kept."""
        return [
            term if term is not None else original
            for (term, _, _), original in zip(
                self._mapped(terms), dict.fromkeys(terms), strict=True
            )
        ]

    def rank(
        self, text: str, limit: int = _MAX_MATCHES, *, decisive: bool = False
    ) -> tuple[Match, ...]:
        """The best intents for a text, best first, scored 0–1. `decisive`: on a large
        knowledge base, exact only for the intents that can change `route`'s decision (the rest
        are the best of those scored), which is much cheaper there."""
        return self._rank(text, limit, decisive)

    def rank_terms(
        self, terms: tuple[str, ...], limit: int = _MAX_MATCHES, *, decisive: bool = False
    ) -> tuple[Match, ...]:
        """`rank` of a text already normalized (its `NormalizedText.terms`)."""
        return self._rank_terms(terms, limit, decisive)

    def _rank(self, text: str, limit: int, decisive: bool = False) -> tuple[Match, ...]:
        return self._rank_terms(self.normalizer.normalize(text).terms, limit, decisive)

    def _rank_terms(
        self, terms: tuple[str, ...], limit: int, decisive: bool = False
    ) -> tuple[Match, ...]:
        return tuple(
            Match(self.intents[i], score) for i, score in self.scored_terms(terms, limit, decisive)
        )

    def scored_terms(
        self, terms: tuple[str, ...], limit: int = _MAX_MATCHES, decisive: bool = False
    ) -> list[tuple[int, float]]:
        """`rank_terms` as (intent position, score) pairs."""
        mapped = self._mapped(terms)
        query_weight = sum(weight for _, _, weight in mapped)
        similarity: dict[str, float] = {}
        for term, sim, _ in mapped:
            if term is not None and sim > similarity.get(term, 0.0):
                similarity[term] = sim
        if not similarity or limit <= 0:
            return []
        query = _Query(mapped, query_weight, similarity, self._idf)
        if not self._prune:
            top = self._top_unpruned(query, limit)
        else:
            top = self._top(query, limit, decisive)
        return [(i, round_score(s)) for i, s in top]

    def can_reach(self, terms: tuple[str, ...], intents: Collection[int], score: float) -> bool:
        """Whether one of `intents` (positions) may score `score` for a text normalized to
        `terms`; False only when `score_bound` rules it out beyond a score's rounding."""
        return self.score_bound(terms, intents) >= score - _SCORE_ROUNDING

    def score_bound(self, terms: tuple[str, ...], intents: Collection[int]) -> float:
        """A score no intent of `intents` (positions) reaches in `scored_terms(terms, …)` (nor
        `rank_terms`, nor `route` of a text normalized to `terms`): `_select`'s bound — the
        intent's F-measure from its best phrase share, a perfect string closeness, its name
        bonus — without ranking anything else. 0.0 when no phrase of theirs shares a term."""
        mapped = self._mapped(terms)
        similarity: dict[str, float] = {}
        for term, sim, _ in mapped:
            if term is not None and sim > similarity.get(term, 0.0):
                similarity[term] = sim
        if not similarity or not intents:
            return 0.0
        query_weight = sum(weight for _, _, weight in mapped)
        query = _Query(mapped, query_weight, similarity, self._idf)
        found = _Candidates({}, set(), {})
        self._exact(query, intents, found)
        if not found.share_of:
            return 0.0
        explained = self._explained(query, found.share_of.keys())
        beta2, one_plus = self._beta2, self._one_plus_beta2
        best = 0.0
        for i, share in found.share_of.items():
            covered = explained[i] / query_weight
            f_measure = one_plus[i] * share * covered / (beta2[i] * share + covered)
            bound = (1 - _CLOSENESS_WEIGHT) * f_measure + _CLOSENESS_WEIGHT + _BOUND_SLACK
            if i in found.named:
                bound += _NAME_BONUS
            best = max(best, bound)
        return min(1.0, best)

    # -- scoring every candidate: the definition ---------------------------------------------

    def _top_unpruned(self, query: _Query, limit: int) -> list[tuple[int, float]]:
        """Score every phrase that shares a term with the message; the best `limit` intents.

        This is what a ranking means; `_top` computes the same list without scoring most
        candidates (tests/test_perf_behaviour.py checks they agree)."""
        overlap: dict[int, float] = defaultdict(float)
        for term, gain in zip(query.terms, query.gains, strict=True):
            for position in self._postings[term]:
                overlap[position] += gain
        candidates = sorted(
            overlap.items(),
            key=lambda item: item[1] / self._phrases[item[0]].weight + item[1] / query.weight,
            reverse=True,
        )
        best: dict[int, tuple[float, float]] = {}
        named: set[int] = set()
        for position, matched in candidates:
            phrase = self._phrases[position]
            coverage = _coverage(matched, phrase.weight)
            if phrase.is_name and coverage >= _FULL:
                named.add(phrase.intent)
            closeness = fuzz.token_sort_ratio(query.text, phrase.text) / 100
            if (coverage, closeness) > best.get(phrase.intent, (0.0, 0.0)):
                best[phrase.intent] = (coverage, closeness)
        scored = [
            (
                index,
                min(
                    1.0,
                    self._score(index, coverage, closeness, query.mapped, query.weight)
                    + (_NAME_BONUS if index in named else 0.0),
                ),
            )
            for index, (coverage, closeness) in best.items()
        ]
        scored.sort(key=lambda item: item[1], reverse=True)
        return scored[:limit]

    # -- the same list, fast -----------------------------------------------------------------

    def _top(self, query: _Query, limit: int, decisive: bool = False) -> list[tuple[int, float]]:
        """`_top_unpruned`'s list, computing string closeness only for intents that can still
        make the list, and — on large knowledge bases — leaving out the long postings of
        common words when bounds prove no intent reached only through them can make it.

        `decisive` (for `route` on large knowledge bases): exact for every intent that can
        change the decision — all scores from `_decision_floor(top)` up, in order — while the
        rest of the list holds the best of the candidates scored."""
        costs = [len(self._postings[t]) for t in query.terms]
        total = sum(costs)
        if total <= _ACCUMULATE_LIMIT:
            return self._select_reached(query, limit)
        if total <= _EXACT_FIRST_LIMIT:
            # the large path's list is the best of its candidates: the exact list whenever they
            # hold all of its intents, which those it scores in any case often do
            exact = self._select_reached(query, limit)
            if self._surely_scored(query, costs).issuperset(i for i, _ in exact):
                return exact
        return self._select(query, self._large_candidates(query, costs, limit, decisive), limit)

    def _surely_scored(self, query: _Query, costs: list[int]) -> set[int]:
        """Intents `_large_candidates` finds whatever its bound: those its rare terms reach,
        small talk holding a common term, and the intents of each common term's lightest
        phrases."""
        rare = self._rare(costs)
        intent_of, surely = self._phrase_intent, set()
        for j, term in enumerate(query.terms):
            if j in rare:
                surely |= self._bag_sets[term]
            else:
                surely.update(self._smalltalk_postings.get(term, ()))
                surely.update(map(intent_of.__getitem__, self._by_weight[term][1][:_SEED]))
        return surely

    def _rare(self, costs: list[int]) -> list[int]:
        """The query terms (positions) whose postings are followed in full on the large path:
        the fewest postings first, up to `_RARE_LIMIT` in all."""
        rare: list[int] = []
        total = 0
        for j in sorted(range(len(costs)), key=costs.__getitem__):
            if total + costs[j] > _RARE_LIMIT:
                break
            rare.append(j)
            total += costs[j]
        return rare

    def _select_reached(self, query: _Query, limit: int) -> list[tuple[int, float]]:
        """`_select` over every intent that shares a term with the message, without reading
        most of them. An intent that holds one of the message's terms alone (and is neither
        small talk nor nameable by the message) shares exactly the term's gain over its
        lightest phrase holding it and explains exactly the term's contribution: each term
        offers those intents best bound first. The others are bounded by their reach (each
        term's gain over their lightest phrase holding it, summed) and read phrase by phrase
        only when that bound comes first. Intents are scored in `_select`'s order (best bound
        first), so the same ones are."""
        terms, gains, asked = query.terms, query.gains, query.asked
        bag_sets = self._bag_sets
        seen: set[int] = set()
        bounded: set[int] = set()  # intents holding two terms or more, then the others bounded
        for term in terms:
            bag = bag_sets[term]
            bounded |= bag & seen
            seen |= bag
        intent_of, phrase_terms = self._phrase_intent, self._phrase_terms
        for term in terms:  # names the message may cover in full (a bonus), and small talk
            for position in self._names_by_rarest.get(term, ()):
                if phrase_terms[position] <= asked:
                    bounded.add(intent_of[position])
        bounded |= seen - self._plain
        found = _Candidates({}, set(), {})
        explained, share_of, named = found.explained, found.share_of, found.named
        reach: dict[int, float] = {}
        contribution: dict[str, float] = {}  # each term's part of `_explained`, in its order
        get, reach_get = explained.get, reach.get
        for term, sim, weight in query.mapped:
            if term is None:
                continue
            part = weight * sim
            contribution[term] = contribution.get(term, 0) + part
            lightest = self._lightest[term]
            for intent in bag_sets[term] & bounded:
                explained[intent] = get(intent, 0) + part
                reach[intent] = reach_get(intent, 0.0) + part / lightest[intent]
        query_weight, beta2, one_plus = query.weight, self._beta2, self._one_plus_beta2
        scale = 1 - _CLOSENESS_WEIGHT
        upper_closeness = _CLOSENESS_WEIGHT + _BOUND_SLACK
        can_be_named = _FULL - _ROUNDING - _REACH_SLACK
        names = self._intent_names
        pending: list[tuple[float, int, int]] = []
        """(-bound, intent, source): source -2 a reach bound, -1 the intent read, else the
        term whose lone intents it heads."""
        for intent, reached in reach.items():
            share = min(1.0, reached)
            covered = explained[intent] / query_weight
            f_measure = one_plus[intent] * share * covered / (beta2[intent] * share + covered)
            bound = scale * f_measure + upper_closeness + _REACH_SLACK
            if reached >= can_be_named and names[intent]:
                bound += _NAME_BONUS
            pending.append((-bound, intent, -2))
        streams = [self._lightest_first[term] for term in terms]
        at = [0] * len(terms)

        def offer(j: int) -> tuple[float, int, int] | None:
            """The next intent the j-th term reaches alone, with its bound."""
            intents, lightest = streams[j]
            k = at[j]
            while k < len(intents) and intents[k] in bounded:
                k += 1
            at[j] = k + 1
            if k == len(intents):
                return None
            intent = intents[k]
            share = gains[j] / lightest[k]
            covered = contribution[terms[j]] / query_weight
            f_measure = one_plus[intent] * share * covered / (beta2[intent] * share + covered)
            return -(scale * f_measure + upper_closeness), intent, j

        pending += filter(None, map(offer, range(len(terms))))
        heapq.heapify(pending)
        read: dict[int, dict[int, float]] = {}  # the matched weight of read intents' phrases
        weight_of, sorted_text = self._phrase_weight, self._sorted_text
        kept: list[float] = []  # min-heap of the best `limit` scores so far
        scored: list[tuple[int, float]] = []
        while pending:
            negative, intent, source = pending[0]
            if len(kept) >= limit and -negative < kept[0]:
                break
            if source == -2:  # read it: its exact bound
                read[intent] = self._read_phrases(query, intent, found)
                share = share_of[intent]
                covered = explained[intent] / query_weight
                f_measure = one_plus[intent] * share * covered / (beta2[intent] * share + covered)
                bound = scale * f_measure + upper_closeness
                if intent in named:
                    bound += _NAME_BONUS
                heapq.heapreplace(pending, (-bound, intent, -1))
                continue
            if source >= 0:  # reached by that term alone: its phrases holding it, its share
                gain = gains[source]
                positions = self._phrases_of[terms[source]][intent]
                found.overlap.update(dict.fromkeys(positions, gain))
                best = share_of[intent] = gain / streams[source][1][at[source] - 1]
                explained[intent] = contribution[terms[source]]
                following = offer(source)
                if following is None:
                    heapq.heappop(pending)
                else:
                    heapq.heapreplace(pending, following)
                coverage = _rounded(best)
                closest, floor = 0.0, best - _ROUNDING
                for position in positions:  # lightest first: best share first
                    share = gain / weight_of[position]
                    if share < floor:
                        break
                    if share == best or _rounded(share) == coverage:
                        closest = max(closest, fuzz.ratio(query.sorted_text, sorted_text[position]))
                closeness = closest / 100
            else:
                heapq.heappop(pending)
                coverage = _rounded(share_of[intent])
                closeness = self._closest(query, read[intent], share_of[intent], coverage)
            covered = explained[intent] / query_weight
            self._keep(intent, coverage, closeness, covered, intent in named, kept, scored, limit)
        scored.sort(key=lambda item: item[1], reverse=True)
        return self._break_ties(query, found, scored, limit)[:limit]

    def _decision_floor(self, top: float) -> float:
        """The lowest score that can change a decision whose best score is `top`: reaching
        the suggestion threshold when `top` is below the answer threshold (an answer, a
        suggestion, or none), else coming within the margin of `top` (a close call)."""
        limits = self.thresholds
        if top < limits.answer:
            return limits.suggest
        return max(limits.suggest, top - limits.margin)

    def _overlap(self, query: _Query, term_indexes: Iterable[int]) -> dict[int, float]:
        """Each phrase's matched weight over the given query terms, summed in query order."""
        overlap: dict[int, float] = {}
        postings, gains, terms = self._postings, query.gains, query.terms
        for j in term_indexes:
            gain = gains[j]
            if not overlap:  # the first term's phrases: its gain alone (0.0 + gain == gain)
                overlap = dict.fromkeys(postings[terms[j]], gain)
                continue
            get = overlap.get
            for position in postings[terms[j]]:
                overlap[position] = get(position, 0.0) + gain
        return overlap

    def _read_phrases(self, query: _Query, intent: int, into: _Candidates) -> dict[int, float]:
        """Add the intent to the candidates with its best phrase share and the matched weight
        of each of its phrases that shares a term with the message (summed in query order, as
        `_overlap` sums), which it returns."""
        matched: dict[int, float] = {}
        get = matched.get
        phrases_of, place, gains = self._phrases_of, query.place, query.gains
        for j in sorted(map(place.__getitem__, self._intent_terms[intent] & query.asked)):
            gain = gains[j]
            for position in phrases_of[query.terms[j]][intent]:
                matched[position] = get(position, 0.0) + gain
        weight_of = self._phrase_weight
        best = -1.0
        for position, found in matched.items():
            share = found / weight_of[position]
            if share > best:
                best = share
        into.overlap.update(matched)
        into.share_of[intent] = best
        if best >= _FULL - _ROUNDING and self._named(intent, into.overlap):
            into.named.add(intent)
        return matched

    def _named(self, intent: int, overlap: dict[int, float]) -> bool:
        """Whether the message covers one of the intent's names in full."""
        weight_of = self._phrase_weight
        return any(
            position in overlap and _coverage(overlap[position], weight_of[position]) >= _FULL
            for position in self._intent_names[intent]
        )

    def _closeness(self, query: _Query, found: _Candidates, intent: int, coverage: float) -> float:
        """The string closeness of the intent's phrases whose coverage is its best (`coverage`,
        its best share rounded): the best of theirs."""
        overlap = found.overlap
        positions = overlap.keys() & self._intent_position_sets[intent]
        return self._closest(
            query, {p: overlap[p] for p in positions}, found.share_of[intent], coverage
        )

    def _closest(
        self, query: _Query, matched: dict[int, float], best: float, coverage: float
    ) -> float:
        """`_closeness` of an intent whose phrases' matched weights are given."""
        floor = best - _ROUNDING
        weight_of, sorted_text = self._phrase_weight, self._sorted_text
        closest = 0.0
        for position, found in matched.items():  # any order: max
            share = found / weight_of[position]
            if share == best or (share >= floor and _rounded(share) == coverage):
                closest = max(closest, fuzz.ratio(query.sorted_text, sorted_text[position]))
        return closest / 100

    def _exact(self, query: _Query, intents: Iterable[int], into: _Candidates) -> None:
        """Add intents to the candidates with every phrase of theirs scored (for intents first
        seen through some of the query's terms only)."""
        gains = [(self._phrases_of[t], g) for t, g in zip(query.terms, query.gains, strict=True)]
        weight_of, overlap, share_of = self._phrase_weight, into.overlap, into.share_of
        for intent in intents:
            if intent in share_of:
                continue
            matched_of: dict[int, float] = {}
            get = matched_of.get
            for phrases_of, gain in gains:  # summed in query order, as `_overlap` sums
                positions = phrases_of.get(intent)  # the intent's phrases holding the term
                if positions is not None:
                    for position in positions:
                        matched_of[position] = get(position, 0.0) + gain
            overlap.update(matched_of)
            best = 0.0
            for position, matched in matched_of.items():
                share = matched / weight_of[position]
                if share > best:
                    best = share
            if best:
                share_of[intent] = best
                if best >= _FULL - _ROUNDING and self._named(intent, overlap):
                    into.named.add(intent)

    def _explain(self, query: _Query, found: _Candidates) -> dict[int, float]:
        """`_explained` for every candidate, computed once per intent."""
        known = found.explained
        if len(known) < len(found.share_of):
            known.update(self._explained(query, found.share_of.keys() - known.keys()))
        return known

    def _explained(self, query: _Query, intents: Collection[int]) -> dict[int, float]:
        """How much of the message each of the given intents' vocabulary explains (in
        `_score`'s order)."""
        if len(intents) * len(query.mapped) < sum(
            len(self._bag_postings[t]) for t in query.terms
        ):  # few intents: look their vocabularies up instead
            bags = self._intent_terms
            return {
                i: sum(w * s for t, s, w in query.mapped if t is not None and t in bags[i])
                for i in intents
            }
        explained: dict[int, float] = {}
        get = explained.get
        for term, sim, weight in query.mapped:
            if term is None:
                continue
            contribution = weight * sim
            reached = self._bag_postings[term]
            for intent in filter(intents.__contains__, reached):
                explained[intent] = get(intent, 0) + contribution
        return explained

    def _select(self, query: _Query, found: _Candidates, limit: int) -> list[tuple[int, float]]:
        """The best `limit` intents: bound each by its score with a perfect string closeness
        (from its unrounded share, hence the slack), compute closeness best bound first, stop
        when no bound can reach the list."""
        share_of, named = found.share_of, found.named
        explained = self._explain(query, found)
        query_weight, beta2, one_plus = query.weight, self._beta2, self._one_plus_beta2
        upper_closeness = _CLOSENESS_WEIGHT + _BOUND_SLACK
        scale = 1 - _CLOSENESS_WEIGHT
        bounds = {}
        for i, share in share_of.items():
            covered = explained[i] / query_weight  # `_f_measure`, inlined
            f_measure = one_plus[i] * share * covered / (beta2[i] * share + covered)
            bounds[i] = scale * f_measure + upper_closeness
        for i in named:
            bounds[i] += _NAME_BONUS
        kept: list[float] = []  # min-heap of the best `limit` scores so far
        scored: list[tuple[int, float]] = []
        # equal bounds in any order: every intent scoring at least the last kept is scored
        for intent in sorted(bounds, key=bounds.__getitem__, reverse=True):
            if len(kept) >= limit and bounds[intent] < kept[0]:
                break
            coverage = _rounded(share_of[intent])
            closeness = self._closeness(query, found, intent, coverage)
            covered = explained[intent] / query_weight
            self._keep(intent, coverage, closeness, covered, intent in named, kept, scored, limit)
        scored.sort(key=lambda item: item[1], reverse=True)
        return self._break_ties(query, found, scored, limit)[:limit]

    def _break_ties(
        self, query: _Query, found: _Candidates, scored: list[tuple[int, float]], limit: int
    ) -> list[tuple[int, float]]:
        """Equal scores keep the unpruned order: that of each intent's first phrase when
        phrases are sorted by coverage of phrase plus message, then by first sighting."""
        if len(scored) > limit:  # only ties that reach into the list matter
            cut = scored[limit - 1][1]
            scored = [item for item in scored if item[1] >= cut]
        if all(a[1] != b[1] for a, b in itertools.pairwise(scored)):
            return scored
        terms = query.terms

        def first_sighting(intent: int) -> tuple[float, int, int]:
            keys = []
            for position in self._intent_positions[intent]:
                matched = found.overlap.get(position)
                if matched is None:
                    continue
                phrase_terms = self._phrases[position].terms
                first = next(j for j, t in enumerate(terms) if t in phrase_terms)
                key = matched / self._phrase_weight[position] + matched / query.weight
                keys.append((-key, first, position))
            return min(keys)

        return sorted(scored, key=lambda item: (-item[1], first_sighting(item[0])))

    def _score(
        self,
        intent: int,
        phrase_coverage: float,
        closeness: float,
        mapped: tuple[tuple[str | None, float, float], ...],
        query_weight: float,
    ) -> float:
        """Blend how much of the best phrase the message covers with how much of the message
        the intent's whole vocabulary explains (an F-measure), nudged by string closeness."""
        bag = self._intent_terms[intent]
        explained = sum(w * s for t, s, w in mapped if t is not None and t in bag)
        return self._blend(intent, phrase_coverage, closeness, explained, query_weight)

    def _keep(
        self,
        intent: int,
        coverage: float,
        closeness: float,
        covered: float,
        is_named: bool,
        kept: list[float],
        scored: list[tuple[int, float]],
        limit: int,
    ) -> None:
        """Score one intent of a ranking (`_blend` with the name bonus) into `scored`, and keep
        the best `limit` scores so far in the min-heap `kept`."""
        if coverage and covered:
            f_measure = (
                self._one_plus_beta2[intent]
                * coverage
                * covered
                / (self._beta2[intent] * coverage + covered)
            )
            score = (1 - _CLOSENESS_WEIGHT) * f_measure + _CLOSENESS_WEIGHT * closeness
        else:
            score = 0.0
        if is_named:
            score += _NAME_BONUS
        score = min(1.0, score)
        scored.append((intent, score))
        if len(kept) < limit:
            heapq.heappush(kept, score)
        elif score > kept[0]:
            heapq.heapreplace(kept, score)

    def _blend(
        self,
        intent: int,
        phrase_coverage: float,
        closeness: float,
        explained: float,
        query_weight: float,
    ) -> float:
        query_coverage = explained / query_weight
        if not phrase_coverage or not query_coverage:
            return 0.0
        f_measure = _f_measure(self._beta2[intent], phrase_coverage, query_coverage)
        return (1 - _CLOSENESS_WEIGHT) * f_measure + _CLOSENESS_WEIGHT * closeness

    def _large_candidates(
        self, query: _Query, costs: list[int], limit: int, decisive: bool = False
    ) -> _Candidates:
        """Candidates on a large knowledge base, where common words have long postings.

        The message's rarest terms are followed through the inverted index in full; every
        intent they reach is scored exactly. An intent reached only through the common terms
        explains at most their share `kappa` of the message, and its phrases cover at most
        (their gains) / (phrase weight) of themselves, so its score is bounded; only phrases
        light enough to beat the current `limit`-th best score are looked up, lightest first.
        """
        count = len(query.terms)
        rare = self._rare(costs)
        common = [j for j in range(count) if j not in rare]
        found = _Candidates({}, set(), {})
        reached = self._overlap(query, sorted(rare))
        intent_of = self._phrase_intent
        self._exact(query, dict.fromkeys(intent_of[p] for p in reached), found)
        common_terms = {query.terms[j] for j in common}
        smalltalk = {i for t in common_terms for i in self._smalltalk_postings.get(t, ())}
        self._exact(query, sorted(smalltalk), found)  # β = 2 escapes the bound below
        seeds: dict[int, None] = {}  # the lightest phrases of common terms: the likely best
        for j in common:
            for position in self._by_weight[query.terms[j]][1][:_SEED]:
                seeds[intent_of[position]] = None
        self._exact(query, seeds, found)
        common_gain = sum(query.gains[j] for j in common)
        common_share = (
            sum(w * s for t, s, w in query.mapped if t is not None and t in common_terms)
            / query.weight
            * (1 + 1e-9)
        )
        explained = self._explain(query, found)
        floors = sorted(
            (
                min(
                    1.0,
                    self._blend(i, _rounded(share), 0.0, explained[i], query.weight)
                    + (_NAME_BONUS if i in found.named else 0.0),
                )
                for i, share in found.share_of.items()
            ),
            reverse=True,
        )
        if decisive:
            threshold = self._decision_floor(floors[0]) if floors else 0.0
        else:
            threshold = floors[limit - 1] if len(floors) >= limit else 0.0
        f_max = (threshold - _CLOSENESS_WEIGHT) / (1 - _CLOSENESS_WEIGHT)
        if f_max <= 0:
            heaviest = math.inf  # no bound: every phrase of the common terms
        elif 2 * common_share <= f_max:
            heaviest = 0.0  # F(1, kappa) < f_max: no intent reached only through them counts
        else:
            coverage_max = f_max * common_share / (2 * common_share - f_max)
            heaviest = common_gain / coverage_max * (1 + 1e-9) if coverage_max <= 1 else 0.0
        more: dict[int, None] = {}
        for j in common:
            weights, positions = self._by_weight[query.terms[j]]
            for position in positions[: bisect.bisect_right(weights, heaviest)]:
                more[intent_of[position]] = None
        asked = query.asked
        for term in query.terms:  # names the message covers in full earn a bonus: score them
            for position in self._names_by_rarest.get(term, ()):
                if self._phrase_terms[position] <= asked:
                    more[intent_of[position]] = None
        self._exact(query, more, found)
        return found

    def route(self, text: str) -> Decision:
        """Rank the intents for a message and decide: answer, ask which one, or say not known."""
        matches = self._rank(text, _MAX_MATCHES, decisive=True)
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
        if len(suggestions) == 1:  # one guess is no choice to offer: not known
            return Decision(text, Outcome.NONE, matches)
        return Decision(text, Outcome.AMBIGUOUS, suggestions)
