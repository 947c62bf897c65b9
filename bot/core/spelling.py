"""Misspelt words put right against the knowledge base's own words ("databriks", "hyyperparameters",
"custom speeh"), before a message is read.

Only a word that is neither a knowledge word nor an English word (pyspellchecker's English
frequency list, 160,000 words: "commute" is not a misspelt "compute") is touched, only when it is
long enough to tell (five letters or more), and only towards one knowledge word that starts with
the same letter and is one edit away (two for words of nine letters or more; a swap of two
neighbours is one edit). A tie between two knowledge words leaves the word as it is.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Container, Iterable
from functools import cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.text import stem

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
"""A word, with its apostrophes ("doesn't" is one word, and not a misspelt "does")."""
_SHORTEST = 5
"""Shorter words are left alone: one edit turns too many short words into others."""
_LONG = 9
"""From this length on, two edits are allowed."""


_COMMON = 20_000
"""A word this frequent in pyspellchecker's English list is an everyday word ("twice",
"easiest"), never a name or a term the knowledge could lack ("klingon", "julia", "rust")."""


@cache
def _english() -> tuple[dict[str, None], frozenset[str]]:
    """pyspellchecker's English list, read once (~0.1 s): its words of five letters or more,
    and the stems of its everyday words (`_COMMON`, some 3,200), as routing compares words."""
    path = resources.files("spellchecker") / "resources" / "en.json.gz"
    counts: dict[str, int] = json.loads(gzip.decompress(path.read_bytes()))
    words = dict.fromkeys(w for w in counts if len(w) >= _SHORTEST)
    return words, frozenset(stem(w) for w, count in counts.items() if count >= _COMMON)


def english_words() -> Container[str]:
    """pyspellchecker's English words of five letters or more (read when a message first has a
    word the knowledge does not use). Kept as the keys of a dict: a dict of strings is never
    tracked by the garbage collector, while a set of 155,000 words would be walked by every
    collection that reaches its generation (~6 ms each)."""
    return _english()[0]


_BRITISH = (("our", "or"), ("ise", "ize"), ("yse", "yze"), ("tre", "ter"))
"""British spellings and their American forms, as pyspellchecker's list spells them."""
_NEGATED = ("nt", "n")
"""A negated auxiliary's ending once its apostrophe is gone ("shouldnt", "wouldn")."""


def everyday(word: str) -> bool:
    """Whether a word (or stem) is everyday English: among the everyday stems, a negated
    auxiliary ("shouldnt"), or a British spelling of an English word ("flavour")."""
    english, stems = _english()
    if word in stems:
        return True
    if any(word.endswith(end) and word.removesuffix(end) in stems for end in _NEGATED):
        return True
    return any(
        british in word and word.replace(british, american) in english
        for british, american in _BRITISH
    )


class Speller:
    """Corrects a message's words towards a known vocabulary."""

    def __init__(self, words: Iterable[str], english: Container[str] | None = None) -> None:
        self._given_english = english
        """English words to leave alone; None: pyspellchecker's (read when first needed)."""
        self._known = frozenset(w.lower() for w in words)
        self._by_start: dict[tuple[str, int], list[str]] = {}
        """Knowledge words by first letter and length."""
        for word in sorted(self._known):
            if len(word) >= _SHORTEST - 1:
                self._by_start.setdefault((word[0], len(word)), []).append(word)
        self._fixed: dict[str, str] = {}

    def correct(self, text: str) -> str:
        """The text with each misspelt word replaced by the knowledge word it was meant as."""
        return _WORD.sub(self._replace, text)

    def _replace(self, found: re.Match[str]) -> str:
        word = found.group(0)
        lower = word.lower()
        if len(lower) < _SHORTEST or not lower.isalpha() or lower in self._known:
            return word
        fixed = self._fixed.get(lower)
        if fixed is None:
            # the English words are consulted only for a word close to a knowledge word: most
            # messages never need them read
            nearest = self._nearest(lower)
            english = self._given_english or english_words() if nearest else frozenset()
            fixed = nearest if nearest and lower not in english else lower
            if len(self._fixed) >= 4096:  # messages bring endless new words: keep it bounded
                self._fixed.clear()
            self._fixed[lower] = fixed
        return word if fixed == lower else fixed

    def _nearest(self, word: str) -> str | None:
        """The one knowledge word nearest the word, within the edits allowed (None for none or
        a tie): candidates of a length within reach, compared in one rapidfuzz call."""
        allowed = 2 if len(word) >= _LONG else 1
        size = len(word)
        candidates = [
            candidate
            for length in range(size - allowed, size + allowed + 1)
            for candidate in self._by_start.get((word[0], length), ())
        ]
        found = process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=allowed, limit=None
        )
        if not found or (len(found) > 1 and found[1][1] == found[0][1]):
            return None
        return found[0][0]
