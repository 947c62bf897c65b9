"""What the conversation is about, and what a message was understood as.

`Focus` is kept in conversation state between turns (the dialog layer stores `to_state()`);
`Understood` is one message's decision with the context that shaped it; `next_focus` moves the
focus after a turn. A decline or a greeting leaves the focus as it was: an out-of-scope turn
loses nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from bot.core.kb import FollowUp, Kind, Topic
from bot.core.router import Decision, Outcome
from bot.core.text import tells_own_situation

RECENT = 5
"""Topics remembered for "back to …"."""
SAID_WORDS = 40
"""The user's last words kept about each topic discussed."""
FOCUS_KINDS = frozenset(
    {
        Kind.CONCEPT,
        Kind.SERVICE,
        Kind.MODEL,
        Kind.PLATFORM,
        Kind.TOOL,
        Kind.LANGUAGE,
        Kind.COMPARISON,
        Kind.REFERENCE_ARCHITECTURE,
        Kind.CUSTOMER_STORY,
    }
)
"""The kinds of topic a conversation can be about (a decline or a greeting is none of them)."""


@dataclass
class Focus:
    """What the conversation is about (kept in conversation state between turns)."""

    topic: str | None = None
    """The topic answered last."""
    intent: str | None = None
    """The intent answered last (a topic, or one of its questions)."""
    compared: tuple[str, ...] = ()
    """The two topics compared last."""
    alternatives: tuple[str, ...] = ()
    """Topics the last answer beat: where a correction looks first."""
    recent: tuple[str, ...] = ()
    """The topics discussed before, latest first: where "back to …" looks."""
    listing: tuple[str, ...] = ()
    """The items the last list said, in order: what "the second one" counts over (the last
    answer's, or the user's own; kept while the turns after it count over it)."""
    said: tuple[tuple[str, str], ...] = ()
    """For each topic of `recent`, the user's last words about it (`SAID_WORDS` at most): what
    "back to the KB articles" may name it by."""
    told: str = ""
    """The user's own situation, told in the turns since the last answer without asking
    anything ("we're a retailer, our inbox gets 5k emails a day"; `SAID_WORDS` at most): what
    the next message nothing answers alone is read with ("we want to answer the easy ones")."""

    def said_about(self, topic: str) -> str:
        """The user's words about a topic discussed (empty when none are kept)."""
        return next((words for about, words in self.said if about == topic), "")

    def to_state(self) -> dict[str, Any]:
        """A JSON-safe form for conversation state."""
        return {
            "topic": self.topic,
            "intent": self.intent,
            "compared": list(self.compared),
            "alternatives": list(self.alternatives),
            "recent": list(self.recent),
            "listing": list(self.listing),
            "said": [list(pair) for pair in self.said],
            "told": self.told,
        }

    @classmethod
    def from_state(cls, data: dict[str, Any] | None) -> Focus:
        """The focus saved by `to_state` (an empty focus for anything else)."""
        if not isinstance(data, dict):
            return cls()
        return cls(
            topic=data.get("topic") if isinstance(data.get("topic"), str) else None,
            intent=data.get("intent") if isinstance(data.get("intent"), str) else None,
            compared=tuple(x for x in data.get("compared") or () if isinstance(x, str)),
            alternatives=tuple(x for x in data.get("alternatives") or () if isinstance(x, str)),
            recent=tuple(x for x in data.get("recent") or () if isinstance(x, str)),
            listing=tuple(x for x in data.get("listing") or () if isinstance(x, str)),
            said=tuple(
                (pair[0], pair[1])
                for pair in data.get("said") or ()
                if isinstance(pair, list)
                and len(pair) == 2
                and all(isinstance(x, str) for x in pair)
            ),
            told=data.get("told") if isinstance(data.get("told"), str) else "",
        )


@dataclass(frozen=True)
class Understood:
    """A message's decision, and the context that shaped it."""

    decision: Decision
    followup: FollowUp | None = None
    """Set when the answer is one part of the focus topic."""
    topic: Topic | None = None
    """The focus topic a follow-up is about."""
    context: str | None = None
    """How the focus was used: `followup`, `correction`, `compare`, `refers`, `told` (read with
    the situation the user told before; None: not used)."""
    alternatives: tuple[str, ...] = field(default_factory=tuple)
    shown: str | None = None
    """Another topic the answer shows (the customer story a "who uses it?" tells): the
    conversation moves to it ("how many languages did they cover?")."""
    side: str | None = None
    """The side of a written comparison the message asked about ("is ML studio only for
    classic ML?" answered by Foundry vs ML studio): "it" is that side afterwards."""
    listing: tuple[str, ...] = ()
    """The items of the list the turn said or counted over (`Focus.listing` after it)."""
    pair: tuple[str, ...] = ()
    """The pair still compared after one side was chosen ("which one for moving petabytes?"):
    "and which for many sources?" chooses between them again."""
    unplaced: Topic | None = None
    """The platform a follow-up asked the focus topic to be in ("is it in Fabric too?" after
    AutoML) that the knowledge does not place it in: the reply says so."""


def answers_a_question(decision: Decision, least: float) -> bool:
    """Whether a decision answers one of a topic's questions (not the topic itself), scoring
    `least` at least."""
    top = decision.top
    return (
        decision.outcome is Outcome.ANSWER
        and top is not None
        and top.intent.question is not None
        and top.score >= least
    )


def next_focus(understood: Understood, previous: Focus) -> Focus:
    """The focus after a turn: the topic answered, else the previous focus unchanged; the
    message's words are kept as the user's last about the focus topic."""
    after = _moved(understood, previous)
    if after is not previous and after.topic is not None:
        said = dict(previous.said)
        words = f"{said.get(after.topic, '')} {understood.decision.text}".split()
        said[after.topic] = " ".join(words[-SAID_WORDS:])
        kept = tuple((t, said[t]) for t in after.recent if t in said)
        after = dataclasses.replace(after, said=kept)
    return _with_told(understood.decision, after)


def _with_told(decision: Decision, after: Focus) -> Focus:
    """The situation told so far: forgotten once a turn is answered, longer by a message nothing
    answers that only tells of the user's own situation, else kept."""
    if decision.outcome is Outcome.ANSWER:
        return dataclasses.replace(after, told="") if after.told else after
    top = decision.top
    if (
        decision.outcome is not Outcome.NONE
        or (top is not None and top.intent.topic.kind is Kind.DECLINE)
        or not tells_own_situation(decision.text)
    ):
        return after
    words = (f"{after.told}. {decision.text}" if after.told else decision.text).split()
    return dataclasses.replace(after, told=" ".join(words[-SAID_WORDS:]))


def _moved(understood: Understood, previous: Focus) -> Focus:
    """Where the turn moved the focus (`previous` itself when it stays put)."""
    decision = understood.decision
    if decision.comparison is not None:
        first, second = decision.comparison.first, decision.comparison.second
        topic = understood.topic.id if understood.topic else first.id
        return Focus(
            topic=topic,
            intent=first.id,
            compared=(first.id, second.id),
            recent=tuple(dict.fromkeys((topic, second.id, *previous.recent)))[:RECENT],
            listing=understood.listing,
        )
    top = decision.top
    if decision.outcome is not Outcome.ANSWER or top is None:
        return previous
    if understood.shown is not None:
        # "who uses it?" told a customer's story: "they" is that customer now
        about = top.intent.topic.id
        return Focus(
            topic=understood.shown,
            intent=understood.shown,
            recent=tuple(dict.fromkeys((understood.shown, about, *previous.recent)))[:RECENT],
            listing=understood.listing,
        )
    if top.intent.topic.kind not in FOCUS_KINDS:
        return previous
    if understood.context == "refers" and understood.topic is not None:
        # "can we use it from Fabric?" answered from Fabric's side: still about the focus
        return dataclasses.replace(previous, intent=top.intent.id, listing=understood.listing)
    answered = top.intent.topic.id
    others = (m.intent.topic.id for m in decision.matches[1:])
    alternatives = tuple(dict.fromkeys(t for t in others if t != answered))
    recent = tuple(dict.fromkeys((answered, *previous.recent)))[:RECENT]
    written = top.intent.topic.compares if top.intent.topic.kind is Kind.COMPARISON else ()
    if understood.side is not None:  # the side asked about, the pair still compared
        recent = tuple(dict.fromkeys((understood.side, *recent)))[:RECENT]
    return Focus(
        topic=understood.side or answered,
        intent=top.intent.id,
        compared=tuple(written) or understood.pair,
        alternatives=alternatives[:4],
        recent=recent,
        listing=understood.listing,
    )
