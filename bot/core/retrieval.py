"""Term retrieval: BM25 over each intent's whole text (names, phrases, summary, when to use and
not, detail; a question's asks and answer), so a message that describes a situation in words no
phrase uses still finds the topics whose text talks about it."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from bot.core.kb import Intent
from bot.core.text import Normalizer

_K1 = 1.2
_B = 0.75


def intent_text(intent: Intent) -> list[str]:
    """Everything an intent says about itself, as the texts BM25 indexes."""
    if intent.question is not None:
        return [*intent.question.ask, intent.question.answer]
    topic = intent.topic
    return [
        *intent.names,
        *topic.phrases,
        topic.summary,
        *topic.when_to_use,
        *topic.when_not_to_use,
        topic.detail,
    ]


class TermIndex:
    """Okapi BM25 over one document per intent."""

    def __init__(self, normalizer: Normalizer, documents: Sequence[Sequence[str]]) -> None:
        self.normalizer = normalizer
        lengths: list[int] = []
        self._vocabulary: list[frozenset[str]] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, texts in enumerate(documents):
            counts: Counter[str] = Counter()
            for text in texts:
                counts.update(normalizer.normalize(text).terms)
            lengths.append(sum(counts.values()))
            self._vocabulary.append(frozenset(counts))
            for term, count in counts.items():
                self._postings[term].append((index, float(count)))
        self.size = len(lengths)
        average = (sum(lengths) / self.size) if self.size else 1.0
        self._norm = [_K1 * (1 - _B + _B * n / max(average, 1.0)) for n in lengths]
        self._idf = {
            term: math.log(1 + (self.size - len(found) + 0.5) / (len(found) + 0.5))
            for term, found in self._postings.items()
        }

    def idf(self, term: str) -> float:
        """A term's inverse document frequency (0 for a term no document has)."""
        return self._idf.get(term, 0.0)

    def coverage(self, terms: Sequence[str], index: int) -> float:
        """The IDF-weighted share of the terms that a document uses (a term no document uses
        weighs as much as the rarest term)."""
        unique = set(terms)
        if not unique:
            return 0.0
        rarest = math.log(1 + (self.size + 0.5) / 0.5)
        weights = {t: self._idf.get(t, rarest) for t in unique}
        vocabulary = self._vocabulary[index]
        return sum(w for t, w in weights.items() if t in vocabulary) / sum(weights.values())

    def scores(self, terms: Sequence[str]) -> dict[int, float]:
        """BM25 of every document sharing a term, divided by the best a document could reach
        for these terms (so 1.0 means every term, each as often as saturation allows)."""
        unique = list(dict.fromkeys(terms))
        ceiling = sum(self._idf.get(t, 0.0) for t in unique) * (_K1 + 1)
        if ceiling <= 0:
            return {}
        found: dict[int, float] = {}
        get = found.get
        norm = self._norm
        for term in unique:
            idf = self._idf.get(term)
            if idf is None:
                continue
            for index, count in self._postings[term]:
                found[index] = get(index, 0.0) + idf * count * (_K1 + 1) / (count + norm[index])
        return {i: s / ceiling for i, s in found.items()}
