"""Static word embeddings on CPU, offline: a text's meaning as one vector, compared by cosine.

The table (bot/core/data/wordllama-l2-256.bin, made by scripts/embeddings/distill_wordllama.py)
holds WordLlama's 32,000 token vectors (256 dimensions, int8 with a scale per row) and the exact
tokenization of ~64,000 words; a word it does not list is cut into its longest known pieces. A
text's vector is the mean of its tokens' vectors, as WordLlama pools them. Sums and cosines are
computed by SimSIMD (its `out=` argument is not used: in 6.5.16 it corrupts reference counts);
nothing is downloaded, ever.
"""

from __future__ import annotations

import gzip
import heapq
import json
import math
import struct
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import simsimd

TABLE = Path(__file__).parent / "data" / "wordllama-l2-256.bin"
_MAGIC = b"ARCHBOT-STATIC-EMBEDDINGS-1\n"
_WORD_START = "\u2581"  # SentencePiece's mark of a word's first piece
_LONGEST_PIECE = 16
EXACT_LIMIT = 4096
"""Up to this many vectors, `VectorIndex.search` compares the query with every one."""
_PROBES = 6
"""Groups of vectors compared with a query past `EXACT_LIMIT`."""
_BATCH = 1024
_ONE = 1.0
_FEW = 3
"""Up to this many nearest vectors are found by looking their distances up, not by a pass."""
"""`_ONE.__sub__` maps a cosine distance d to the similarity 1.0 - d without a Python loop."""


class EmbeddingTableError(ValueError):
    """The embedding table is missing or not in the expected format."""


class StaticEmbedding:
    """Token vectors and a word tokenizer: `vector(words)` is the words' mean-pooled vector."""

    def __init__(
        self,
        dims: int,
        scales: array,
        rows: memoryview,
        pieces: Sequence[str],
        words: dict[str, list[int]],
    ) -> None:
        self.dims = dims
        self._scales = scales
        self._rows = rows
        self._piece_ids = {piece: i for i, piece in enumerate(pieces)}
        self._words = words
        self._word_sum = lru_cache(maxsize=32768)(self._sum_of)
        self._kept: dict[str, tuple[array | None, int]] = {}
        """Word sums kept for good (`keep`), looked up before the bounded cache."""
        identity = bytearray(dims * dims)
        identity[:: dims + 1] = b"\x01" * dims
        self._identity = memoryview(bytes(identity)).cast("b", shape=[dims, dims])
        """int8 rows times the identity (SimSIMD's int8 dot products, float32 out): the rows
        as floats, ~5x cheaper than converting them element by element in Python."""

    @classmethod
    def load(cls, path: Path = TABLE) -> StaticEmbedding:
        """Read a table written by scripts/embeddings/distill_wordllama.py."""
        try:
            data = path.read_bytes()
        except OSError as error:
            message = f"{path}: cannot read the embedding table: {error}"
            raise EmbeddingTableError(message) from error
        if not data.startswith(_MAGIC):
            raise EmbeddingTableError(f"{path}: not an ArchBot embedding table")
        offset = len(_MAGIC)
        (meta_size,) = struct.unpack_from("<I", data, offset)
        offset += 4
        meta = json.loads(gzip.decompress(data[offset : offset + meta_size]))
        offset += meta_size
        rows, dims = meta["rows"], meta["dims"]
        scales = array("f")
        scales.frombytes(data[offset : offset + 4 * rows])
        offset += 4 * rows
        matrix = memoryview(data)[offset : offset + rows * dims].cast("b")
        if len(matrix) != rows * dims or len(scales) != rows:
            raise EmbeddingTableError(f"{path}: truncated embedding table")
        return cls(dims, scales, matrix, meta["pieces"], meta["words"])

    def pieces(self, word: str) -> list[int]:
        """The token ids of one lowercase word."""
        known = self._words.get(word)
        if known is not None:
            return known
        text, ids, start = _WORD_START + word, [], 0
        while start < len(text):
            for end in range(min(len(text), start + _LONGEST_PIECE), start, -1):
                piece = self._piece_ids.get(text[start:end])
                if piece is not None:
                    ids.append(piece)
                    start = end
                    break
            else:
                start += 1  # a character no piece has: skipped
        return ids

    def _sum_of(self, word: str) -> tuple[array | None, int]:
        """The sum of a word's token vectors, and how many tokens it has."""
        ids = self.pieces(word)
        if not ids:
            return None, 0
        dims, rows = self.dims, self._rows
        stacked = b"".join([rows[token * dims : (token + 1) * dims] for token in ids])
        matrix = memoryview(stacked).cast("b", shape=[len(ids), dims])
        floats = memoryview(simsimd.cdist(matrix, self._identity, "dot", out_dtype="float32"))
        floats = floats.cast("B").cast("f")  # the tokens' rows as float32, exactly
        total: Any = array("f", bytes(4 * dims))
        for k, token in enumerate(ids):
            row = floats[k * dims : (k + 1) * dims]
            total = simsimd.wsum(total, row, alpha=1.0, beta=float(self._scales[token]))
        return _floats(total), len(ids)

    def sums(self, words: Iterable[str]) -> dict[str, tuple[array | None, int]]:
        """Each word's token sum and token count (`vector`'s parts), to `keep`."""
        return {word: self._kept.get(word) or self._word_sum(word) for word in words}

    def keep(self, sums: dict[str, tuple[array | None, int]]) -> None:
        """Keep these words' sums (from `sums`, on this table) for good: a knowledge base's
        words, made once when it is built and carried with it through the build cache."""
        self._kept.update(sums)

    def vector(self, words: Iterable[str]) -> array | None:
        """The mean of the words' token vectors (None when no word has a token)."""
        total: Any = None
        count = 0
        kept, word_sum = self._kept.get, self._word_sum
        for word in words:
            vector, tokens = kept(word) or word_sum(word)
            if vector is None:
                continue
            total = vector if total is None else simsimd.wsum(total, vector)
            count += tokens
        if total is None:
            return None
        return _floats(simsimd.wsum(total, total, alpha=1.0 / count, beta=0.0))


def _floats(vector: Any) -> array:
    """A float32 buffer (SimSIMD's result tensors included) as an array."""
    floats = array("f")
    floats.frombytes(memoryview(vector).cast("B"))
    return floats


@dataclass(frozen=True)
class Search:
    """A query's nearest vectors (index, cosine), best first, and `of(indexes)`: the cosines
    of the query with any vectors."""

    nearest: list[tuple[int, float]]
    of: Callable[[Sequence[int]], list[float]]


_NO_SEARCH = Search([], lambda indexes: [0.0] * len(indexes))
"""What a text without a single known word finds."""


def _exact_search(distances: list[float], count: int) -> Search:
    """A search over the cosine distances of every vector."""
    return Search(
        _nearest(distances, count), lambda indexes: [_ONE - distances[i] for i in indexes]
    )


def _nearest(distances: list[float], count: int) -> list[tuple[int, float]]:
    """The `count` vectors of highest cosine (1 - distance), best first, equal cosines in index
    order — as sorting every vector's cosine would rank them, with cosines computed for the
    nearest only."""
    if count <= 0 or not distances:
        return []
    ordered = sorted(distances)  # in C; 1 - d never rises as d rises
    if count < len(ordered):
        cut = _ONE - ordered[count - 1]
        end = count
        while end < len(ordered) and _ONE - ordered[end] >= cut:  # ties at the cut: all
            end += 1
        if end <= _FEW:  # the kept distances' vectors, looked up in C
            found = []
            previous = None
            for distance in ordered[:end]:
                start = found[-1] + 1 if distance == previous else 0  # the next one equal
                found.append(distances.index(distance, start))
                previous = distance
            found.sort()
        else:
            farthest = ordered[end - 1]  # every vector at most as far, in index order
            found = [i for i, distance in enumerate(distances) if distance <= farthest]
    else:
        found = list(range(len(distances)))
    nearest = [(i, _ONE - distances[i]) for i in found]
    nearest.sort(key=_second, reverse=True)  # stable: equal cosines keep index order
    return nearest[:count]


def _second(item: tuple[int, float]) -> float:
    return item[1]


class VectorIndex:
    """Many vectors in one block, compared with a query by cosine similarity.

    `search` is exact while the index is small. Past `EXACT_LIMIT` vectors it probes an
    inverted file: the vectors are grouped around `2·√n` of them (chosen evenly through the
    index) and only the groups whose centre is nearest the query are compared, which keeps a
    query's cost near `4·√n` comparisons instead of n (bench/router_scaling.py)."""

    def __init__(self, dims: int, vectors: Sequence[array | None]) -> None:
        self.dims = dims
        self.size = len(vectors)
        self._rows = [(array("f", bytes(4 * dims)) if v is None else v).tobytes() for v in vectors]
        self._matrix = self._stack(range(self.size))
        self._groups: list[list[int]] = []
        self._centres = None
        if self.size > EXACT_LIMIT:
            self._build_groups()

    def _stack(self, indexes: Iterable[int]) -> memoryview | None:
        """The given vectors as one (count × dims) float32 matrix."""
        block = b"".join(self._rows[i] for i in indexes)
        if not block:
            return None
        return memoryview(block).cast("f", shape=[len(block) // (4 * self.dims), self.dims])

    def _build_groups(self) -> None:
        count = max(1, int(2 * math.sqrt(self.size)))
        step = self.size / count
        centres = [int(i * step) for i in range(count)]
        self._centres = self._stack(centres)
        self._groups = [[] for _ in centres]
        for start in range(0, self.size, _BATCH):
            stop = min(self.size, start + _BATCH)
            distances = simsimd.cdist(self._stack(range(start, stop)), self._centres, "cosine")
            flat = memoryview(distances).cast("B").cast("d").tolist()
            for row in range(stop - start):
                span = flat[row * count : (row + 1) * count]
                self._groups[span.index(min(span))].append(start + row)

    def _single(self, query: array) -> memoryview:
        return memoryview(query).cast("B").cast("f", shape=[1, self.dims])

    def distances(self, query: array) -> list[float]:
        """The cosine distance (1 - cosine) of the query to every vector, in order (1 for an
        empty one)."""
        if self._matrix is None:
            return []
        distances = simsimd.cdist(self._single(query), self._matrix, metric="cosine")
        return memoryview(distances).cast("B").cast("d").tolist()

    def cosines(self, query: array) -> list[float]:
        """The cosine similarity of the query with every vector, in order (0 for an empty one)."""
        return list(map(_ONE.__sub__, self.distances(query)))

    def cosines_of(self, query: array, indexes: Sequence[int]) -> list[float]:
        """The cosine similarity of the query with the given vectors, in their order."""
        matrix = self._stack(indexes)
        if matrix is None:
            return []
        distances = simsimd.cdist(self._single(query), matrix, metric="cosine")
        return list(map(_ONE.__sub__, memoryview(distances).cast("B").cast("d")))

    def search_halves(self, query: array | None, counts: tuple[int, int]) -> tuple[Search, Search]:
        """For a small index that stacks two of the same size (first half, second half): both
        searches from one comparison with the whole."""
        if query is None:
            return _NO_SEARCH, _NO_SEARCH
        everything = self.distances(query)
        half = len(everything) // 2
        first, second = everything[:half], everything[half:]
        return _exact_search(first, counts[0]), _exact_search(second, counts[1])

    def search(self, query: array | None, count: int) -> Search:
        """The `count` nearest vectors, and a way to get the cosine of any other (computed
        once for the whole index when it is small enough to compare in full)."""
        if query is None:
            return _NO_SEARCH
        if self._centres is None:
            return _exact_search(self.distances(query), count)
        groups = self._groups_near(query)
        indexes = [i for group in groups for i in self._groups[group]]
        found = zip(indexes, self.cosines_of(query, indexes), strict=True)
        nearest = heapq.nlargest(count, found, key=lambda item: item[1])
        return Search(nearest, lambda others: self.cosines_of(query, others))

    def _groups_near(self, query: array) -> list[int]:
        distances = simsimd.cdist(self._single(query), self._centres, metric="cosine")
        near = list(memoryview(distances).cast("B").cast("d"))
        return heapq.nsmallest(_PROBES, range(len(near)), key=near.__getitem__)
