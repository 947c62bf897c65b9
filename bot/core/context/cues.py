"""The words of knowledge/conversation.yaml that point back at the focus: `refers` ("it", "that
one", "there") and `ellipses` ("and …?", "what about …?"). Matched on a message's words, as
`WORD` splits them from its lowercased text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.kb import ConversationCues

WORD = re.compile(r"[a-z0-9']+")
"""A word of a message, a cue or a name, lowercased first."""
ELLIPSIS_MAX_WORDS = 6
"""An elliptical follow-up ("and latency?", "what about images?") is this short at most."""
SWITCH_OPENS_BY = 2
"""A cue announcing a new subject starts within this many words of the message's start ("ok
thx. unrelated, …")."""
_EXISTENTIAL = frozenset({"is", "are", "was", "were", "be", "any"})
"""Words before an existential "there" ("is there a runtime?"), which points at no place."""


class Cues:
    """Where a message's words refer back to the topic in focus."""

    def __init__(self, cues: ConversationCues) -> None:
        self.refers = [tuple(r.split()) for r in cues.refers]
        self.refer_starts: dict[str, list[tuple[str, ...]]] = {}
        """The cues referring back, by their first word."""
        for refer in self.refers:
            self.refer_starts.setdefault(refer[0], []).append(refer)
        self.dummies = [tuple(WORD.findall(d)) for d in cues.refers_not]
        """Phrases whose referring word points at nothing ("does it mean", "is it true")."""
        self.ellipses = [tuple(WORD.findall(e)) for e in cues.ellipses]
        self.switches = [tuple(WORD.findall(s)) for s in cues.switches]

    def announces_switch(self, words: Sequence[str]) -> bool:
        """Whether the message opens by announcing a subject of its own ("separate thing: …",
        "ok, unrelated — …")."""
        return any(
            tuple(words[i : i + len(s)]) == s
            for i in range(min(SWITCH_OPENS_BY, len(words)) + 1)
            for s in self.switches
        )

    def elliptical(self, words: Sequence[str]) -> bool:
        """Whether the message is an elliptical follow-up ("and latency?", "what about
        images?"): short, and starting with an ellipsis cue."""
        return self.ellipsis_cue(words) is not None

    def ellipsis_cue(self, words: Sequence[str]) -> int | None:
        """How many words the ellipsis cue opening an elliptical follow-up takes ("and in
        Fabric?": 1); None when the message is none."""
        if len(words) > ELLIPSIS_MAX_WORDS:
            return None
        return next((len(e) for e in self.ellipses if tuple(words[: len(e)]) == e), None)

    def refers_back(self, words: Sequence[str]) -> bool:
        """True when the message uses a word that points at the topic in focus, or is an
        elliptical follow-up ("and latency?", "what about images?")."""
        if self.elliptical(words):
            return True
        return self.first_reference(words) is not None

    def refer_positions(self, words: Sequence[str]) -> list[int]:
        """Where the message's words refer back, in order (a position once for each cue
        found there)."""
        found = [
            i for i in range(len(words)) for r in self.refers if tuple(words[i : i + len(r)]) == r
        ]
        if not found:
            return found
        idle = self._pointing_nowhere(words)
        return [i for i in found if i not in idle]

    def first_reference(self, words: Sequence[str]) -> tuple[int, int] | None:
        """The first words referring back: their position and how many they are."""
        idle: set[int] | None = None  # read only once a referring word is found
        for i, word in enumerate(words):
            for r in self.refer_starts.get(word, ()):
                if tuple(words[i : i + len(r)]) != r:
                    continue
                if idle is None:
                    idle = self._pointing_nowhere(words)
                if i not in idle:
                    return i, len(r)
        return None

    def _pointing_nowhere(self, words: Sequence[str]) -> set[int]:
        """The positions of the words inside a phrase of `refers_not` ("what does it mean that
        AML is MLflow compatible": that "it" refers to nothing)."""
        idle: set[int] = set()
        for dummy in self.dummies:
            for i in range(len(words) - len(dummy) + 1):
                if tuple(words[i : i + len(dummy)]) == dummy:
                    idle.update(range(i, i + len(dummy)))
        return idle


def existential(words: Sequence[str], at: int) -> bool:
    """Whether the word at `at` is an existential "there" ("is there a runtime?"), which points
    at no place."""
    return words[at] == "there" and at > 0 and words[at - 1] in _EXISTENTIAL


def first_cue(words: Sequence[str], cues: Sequence[tuple[str, ...]]) -> tuple[int, int] | None:
    """Where the first of the cues stands in the words, and its length (None: none does)."""
    return next(
        (
            (i, len(cue))
            for i in range(len(words))
            for cue in cues
            if tuple(words[i : i + len(cue)]) == cue
        ),
        None,
    )
