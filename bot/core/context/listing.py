"""The items a text lists, in order: what "the second one" or "the last one" counts over.

An answer lists things in prose ("Phi-3 has three versions: mini with 3.8 billion parameters,
small with 7 billion and medium with 14 billion."; "Python and R are two of the most popular
today."); a user lists them too ("pitching to logistics, automotive and asset management:
which stories fit?"). The sentence that lists the most items gives them (the first of equals):
what follows a colon when there is one, split at its commas, up to the item "and" or "or" joins
on. What the sentence says around its items is left out: before the first ("options are use
Copilot, …") and after the last ("… and R are two of the most popular").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set

_ASIDE = re.compile(r"\s*\([^)]*\)")
"""A parenthesized aside: another name or a figure for the item before it."""
_SENTENCE = re.compile(r"(?<=[.!?;])(?<!\b[A-Z]\.)\s+")
"""Where a sentence ends (not after an initial: "C.H. Robinson")."""
_JOIN = re.compile(r"\s+(?:and|or)\s+")
"""Where the last item of a list is joined on."""
_LINKS = "are|is|was|were|have|has|had|that|which"
_PREDICATE = re.compile(rf"\s+(?:{_LINKS}|[—–-])\s")
"""Where the sentence goes on after its last item ("Python and R are two of the most …",
"… and HDInsight — quick take on each?")."""
_LEAD_IN = re.compile(
    rf"\s+(?:{_LINKS}|includes?|combines?|offers?|covers?|adds?|gets?|gives?|supports?"
    r"|comparing|considering|evaluating|weighing|between)\s"
)
"""Where the sentence's words before its first item end ("It combines Apache Spark, …")."""
_PAIR_WORDS = 3
"""Two items joined by "and" are a list when each is this short ("Python and R"), not a clause
("trains and deploys the models you build")."""
_ITEM_WORDS = 12
"""An item of a list is short: a longer piece between commas is a clause of prose ("Medium, at 14
billion, sits just over it, even though the family is pitched as small and efficient")."""
_CLAUSE_OPENERS = frozenset(
    {"so", "even", "though", "although", "because", "while", "but", "which"}
)
"""A piece opening with one of these is a clause, not an item."""
_USERS_OWN = 3
"""A user's message lists things when it names this many at least (two joined by "and" are
more often one thing: "data cleaning and feature engineering")."""


def enumeration(text: str) -> tuple[str, ...]:
    """The items of the longest list the text makes (empty when it makes none)."""
    best: tuple[str, ...] = ()
    for sentence in _SENTENCE.split(_ASIDE.sub("", text)):
        said = sentence.strip().rstrip(".!?;")
        _, colon, after = said.rpartition(":")
        items = _items(after if colon else said)
        if len(items) == 2 and any(len(i.split()) > _PAIR_WORDS for i in items):
            continue
        if any(
            len(i.split()) > _ITEM_WORDS or i.split()[0].lower() in _CLAUSE_OPENERS for i in items
        ):
            continue
        if len(items) >= 2 and len(items) > len(best):
            best = items
    return best


def users_list(text: str) -> tuple[str, ...]:
    """The items a user's message lists, when it lists several."""
    items = enumeration(text)
    return items if len(items) >= _USERS_OWN else ()


def lists_topics(items: tuple[str, ...], named: Callable[[str], Set[str]]) -> bool:
    """Whether every item of a list names a topic (`named`: the topics a text names), as a
    user's list of services does ("spark in fabric, databricks and hdinsight")."""
    return bool(items) and all(named(item) for item in items)


def _items(said: str) -> tuple[str, ...]:
    pieces = [p.strip() for p in said.split(",") if p.strip()]
    joined = [i for i, p in enumerate(pieces) if _JOIN.search(f" {p}")]
    if not joined:
        return ()
    opened = [i for i, p in enumerate(pieces) if p.startswith(("and ", "or "))]
    if opened:  # "A, B, and C": C is the last item, whatever commas it holds
        closing = opened[0]
        tail = [", ".join([pieces[closing].split(" ", 1)[1], *pieces[closing + 1 :]])]
    else:
        closing = joined[-1]
        piece = _PREDICATE.split(pieces[closing], maxsplit=1)[0]
        joins = list(_JOIN.finditer(piece))
        if closing > 0 and len(joins) > 1:  # "A, model and feature serving and C": C follows
            tail = [piece[: joins[-1].start()], piece[joins[-1].end() :]]  # the last "and"
        else:
            tail = _JOIN.split(pieces[closing], maxsplit=1)
    items = [*pieces[:closing], *tail]
    items[0] = _LEAD_IN.split(f" {items[0]}")[-1]
    items[-1] = _PREDICATE.split(items[-1], maxsplit=1)[0]
    return tuple(i.strip() for i in items if i.strip())
