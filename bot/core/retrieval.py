"""Term retrieval: BM25 over each intent's whole text (names, phrases, summary, when to use and
not, detail; a question's asks and answer), so a message that describes a situation in words no
phrase uses still finds the topics whose text talks about it."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from bot.core.kb import Intent
from bot.core.text import Normalizer

_COMMON_POSTINGS = 1000
"""A term in more documents than this (or a twentieth of them) is common: its documents are not
walked, it only adds to documents the message's other terms found (large knowledge bases)."""
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
        """Each term's documents, with the term's count, then its BM25 contribution there."""
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
        # each posting carries its document's BM25 contribution for the term, computed once
        for term, found in self._postings.items():
            idf = self._idf[term]
            found[:] = [
                (index, idf * count * (_K1 + 1) / (count + self._norm[index]))
                for index, count in found
            ]
        self._columns = {
            term: (tuple(i for i, _ in found), tuple(c for _, c in found))
            for term, found in self._postings.items()
        }
        """Each term's postings as two columns: documents, contributions."""
        self._common_limit = max(_COMMON_POSTINGS, self.size // 20)
        self._common = {
            term: dict(found)
            for term, found in self._postings.items()
            if len(found) > self._common_limit
        }

    def idf(self, term: str) -> float:
        """A term's inverse document frequency (0 for a term no document has)."""
        return self._idf.get(term, 0.0)

    def weights(self, terms: Sequence[str]) -> tuple[tuple[tuple[str, float], ...], float]:
        """Each distinct term with its share of the terms' total IDF (a term no document uses
        weighs as much as the rarest), for `coverage`."""
        rarest = math.log(1 + (self.size + 0.5) / 0.5)
        idf = {t: self._idf.get(t, rarest) for t in terms}
        total = sum(idf.values()) or 1.0
        return tuple((t, w / total) for t, w in idf.items()), total

    def vocabulary(self, index: int) -> frozenset[str]:
        """The terms the document at this index uses."""
        return self._vocabulary[index]

    def coverage(self, weights: tuple[tuple[tuple[str, float], ...], float], index: int) -> float:
        """The share of the weighted terms (from `weights`) that a document uses."""
        vocabulary = self._vocabulary[index]
        return sum(w for t, w in weights[0] if t in vocabulary)

    def scores(self, terms: Sequence[str]) -> dict[int, float]:
        """BM25 of every document sharing a term, divided by the best a document could reach
        for these terms (so 1.0 means every term, each as often as saturation allows). On a
        large knowledge base, documents that share only common terms with the message are
        left out."""
        unique = list(dict.fromkeys(terms))
        ceiling = sum(self._idf.get(t, 0.0) for t in unique) * (_K1 + 1)
        if ceiling <= 0:
            return {}
        known = [t for t in unique if t in self._idf]
        walked = [t for t in known if t not in self._common]
        if not walked and known:  # only common words: walk the least common one
            walked = [min(known, key=lambda t: len(self._postings[t]))]
        found: dict[int, float] = {}
        scale = 1.0 / ceiling
        for term in walked:
            if not found:  # the first term's documents: 0.0 + contribution * scale, in C
                indexes, contributions = self._columns[term]
                found = dict(zip(indexes, map(scale.__mul__, contributions), strict=True))
                continue
            get = found.get
            for index, contribution in self._postings[term]:  # pairs: cheaper than a zip
                found[index] = get(index, 0.0) + contribution * scale
        for term in known:  # common words only add to documents found through the others
            if term in walked:
                continue
            contributions = self._common[term]
            for index in found:
                contribution = contributions.get(index)
                if contribution:
                    found[index] += contribution * scale
        return found
