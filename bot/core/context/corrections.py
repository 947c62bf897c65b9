"""Corrections: "no, I meant the translation one" (a cue of knowledge/conversation.yaml's
`corrections`, then what it means) is routed again among the other topics, read together with
the topic it replaces; "sorry, I meant ADLS Gen2, not OneLake" is the one topic it names;
"sorry, I meant: what does it start from?" is the question put again about the focus."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bot.core.context.against_focus import FocusReader
from bot.core.context.cues import WORD
from bot.core.context.focus import FOCUS_KINDS, Focus, Understood
from bot.core.context.last_answer import LastAnswer
from bot.core.context.names import TopicNames
from bot.core.hybrid import HybridRouter
from bot.core.kb import KnowledgeBase, Topic
from bot.core.router import Decision, Match, Outcome

CORRECTION = "correction"
"""The context of a message read as a correction (`Understood.context`)."""
_PRONOUNS = frozenset({"it", "its", "they", "them"})
"""Words of a correction that put the question again about the focus ("I meant what does it
start from"), where "the one …" picks another topic."""
_FILLER = frozenset({"sorry", "actually", "i", "was", "asking", "about", "um", "hmm", "oh", "ok"})
"""Words between a correction's cue and what it corrects to ("no, sorry, I was asking …")."""
_LEADING = frozenset({"nah", "wait", "oops", "oh", "ah", "hmm", "sorry", "ok", "okay", "um"})
"""Words a correction may open with before its cue ("nah i meant …")."""
_I_MEAN = ("i", "mean")
_I_MEANT = ("i", "meant")
_MEANT_WITHIN = 6
""""I meant" this many words in, after what is not meant, is a correction's cue too."""
_NOT_MEANT_WORDS = 3
"""A correction ending in "not" and at most this many words says what it does not mean ("I
meant the search one, not healthcare"): those words are no part of what it means."""
_NOT_AFTER = frozenset(
    {"do", "does", "did", "is", "are", "was", "were", "can", "could", "should", "would", "will"}
    | {"has", "have", "it", "they", "we", "i", "you", "that", "this", "why", "or"}
)
"""Words after which "not" belongs to the question ("what does it not support", "or not")."""
_SHORT_CORRECTION = 2
"""A correction this short that says only words of the last answer ("no, mini") means them
within the topic in focus."""
_ASKED_AGAIN = 0.7
_ASKED_AGAIN_MARGIN = 0.05
"""A correction is the question put again within the topic in focus when one of its questions
reads it at least this surely, and no reading elsewhere beats it by more than the margin."""
_FOCUS_READING = 0.5
_SAME_KIND = 0.15
_BEATEN = 0.1
"""How a correction weighs the reading with the corrected topic's name, a topic of the same
kind, and one the last answer beat (the message's own words weigh 1)."""


class Corrections:
    """Reads a correction of what the last answer was about."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        names: TopicNames,
        last_answer: LastAnswer,
        against: FocusReader,
    ) -> None:
        self.kb = kb
        self.router = router
        self.names = names
        self.last_answer = last_answer
        self.against = against
        self._cues = sorted(
            (tuple(WORD.findall(c)) for c in kb.conversation.corrections), key=len, reverse=True
        )
        """The correction cues, the longest first."""

    def _corrected(self, words: list[str], further: bool) -> list[str] | None:
        """What follows the message's correction cue opening it; `further`, also one after a
        lead-in ("nah i meant …") or "I meant" a few words in ("sorry not the general service,
        i meant the automated option"); None when it has none."""
        start = 0
        while further and start < len(words) and words[start] in _LEADING:
            start += 1
        for at in dict.fromkeys((0, start)):
            for cue in self._cues:
                if tuple(words[at : at + len(cue)]) == cue and len(words) > at + len(cue):
                    return words[at + len(cue) :]
        if not further:
            return None
        for at in range(start, min(len(words) - 2, _MEANT_WITHIN) + 1):
            if tuple(words[at : at + 2]) == _I_MEANT:
                return words[at + 2 :]
        return None

    def read(
        self,
        words: list[str],
        topic: Topic,
        focus: Focus,
        understand: Callable[[str, Focus], Understood],
        *,
        further: bool = False,
    ) -> Understood | None:
        """ "No, I meant the translation one": the rest of the message, read with the topic it
        corrects, routed among the other topics (`understand` reads a question put again).
        `further` finds cues further in too (`_corrected`), for a message nothing else read."""
        rest = self._corrected(words, further)
        if rest is None:
            return None
        while rest:  # "no, sorry, I was actually asking about …"
            cue = next((c for c in self._cues if tuple(rest[: len(c)]) == c), None)
            if cue is None and tuple(rest[:2]) == _I_MEAN:
                cue = _I_MEAN  # "no wait, I mean answering questions about a photo"
            if cue is None and rest[0] not in _FILLER:
                break
            rest = rest[len(cue) if cue else 1 :]
        rest = _without_what_is_not_meant(rest)
        if not rest:
            return None
        rest_text = " ".join(rest)
        if not _PRONOUNS.isdisjoint(rest) and not self.router.named_topics(rest_text):
            # "sorry, I meant what does it start from?": the question put again, of the focus
            again = understand(rest_text, focus)
            top = again.decision.top
            if again.context and top is not None and top.intent.id != focus.intent:
                return dataclasses.replace(again, context=CORRECTION)
        said_last = set(WORD.findall(self.last_answer.said_last(focus).lower()))
        if len(rest) <= _SHORT_CORRECTION and said_last.issuperset(rest):
            # "no, mini" after Phi-3 small's size: a word the last answer said, meant within
            # the topic in focus
            own = self.against.own_best(rest_text, topic)
            if own:
                return Understood(
                    Decision(rest_text, Outcome.ANSWER, own[:4]), topic=topic, context=CORRECTION
                )
        negated = self.names.named_negated(words)  # "sorry, not vw, the kry one"
        meant = self.meant(rest, negated)
        if meant is not None:
            # "sorry, I meant ADLS Gen2, not OneLake: how much can it hold?": the one topic it
            # names, even the one in focus, read for the rest of the question
            own = self.against.own_best(rest_text, meant)
            if own:
                return Understood(Decision(rest_text, Outcome.ANSWER, own[:4]), context=CORRECTION)
        again = self._asked_again(rest_text, topic)
        if again is not None:
            return again
        # the topic corrected, and the part of it answered last, are out; the topic's other
        # parts stay in ("no, I meant the landing zone version" after the baseline one)
        answered = {topic.id, focus.intent}
        # after one of the topic's questions, the topic itself is an alternative ("no wait,
        # the bot is for the service desk to maintain themselves" after Copilot Studio's
        # pro-code route: Copilot Studio)
        asked_part = focus.intent is not None and focus.intent != topic.id
        candidates = [
            m
            for m in self.router.rank(f"{rest_text} {topic.title}", 8)
            if m.intent.id not in answered
            and m.intent.topic.id != topic.id
            and m.intent.topic.id not in negated
            and m.intent.topic.kind in FOCUS_KINDS
        ]
        own = [
            m
            for m in self.router.rank(rest_text, 8)
            if (m.intent.id not in answered or (asked_part and m.intent.id == topic.id))
            and m.intent.topic.id not in negated
            and m.intent.topic.kind in FOCUS_KINDS
        ]
        if not candidates and not own:
            return None
        # the topics the last answer named are alternatives too ("no, the translation one" after
        # an answer listing Custom Speech and Custom Translator)
        shown = tuple(
            t.id for t in self.names.named_topics(self.last_answer.said_last(focus), {topic.id})
        )
        best = _corrected(candidates, own, topic, (*focus.alternatives, *shown))
        if best is None:
            return None
        decision = Decision(rest_text, Outcome.ANSWER, (best,))
        return Understood(decision, context=CORRECTION)

    def _asked_again(self, rest: str, topic: Topic) -> Understood | None:
        """ "Sorry typo, I meant japanese → english" after which pairs Custom Translator covers:
        the question put again within the topic in focus, when one of its questions reads the
        correction surely and about as well as anything else does."""
        own = self.against.own_best(rest, topic, named=False)
        if not own or own[0].intent.question is None or own[0].score < _ASKED_AGAIN:
            return None
        best = self.router.rank(rest, 1)
        if best and best[0].score - own[0].score > _ASKED_AGAIN_MARGIN:
            return None  # "no, the translation one" after Custom Speech: another topic
        decision = Decision(rest, Outcome.ANSWER, own[:4])
        return Understood(decision, topic=topic, context=CORRECTION)

    def meant(self, rest: list[str], negated: set[str]) -> Topic | None:
        """The one topic a correction names by title or alias, leaving out those the message
        says it does not mean (`negated`: "not OneLake")."""
        named = set(self.router.named_topics(" ".join(rest))) - negated
        topics = [self.kb.topics[t] for t in named if t in self.kb.topics]
        focusable = [t for t in topics if t.kind in FOCUS_KINDS]
        if len(focusable) > 1:  # "I meant copilot studio": not Microsoft Copilot inside it
            inside = self.names.named_inside_others(" ".join(rest))
            focusable = [t for t in focusable if t.id not in inside]
        return focusable[0] if len(focusable) == 1 else None


def _corrected(
    with_focus: list[Match], own: list[Match], topic: Topic, alternatives: tuple[str, ...]
) -> Match | None:
    """The topic a correction means: the message's own words count most, the reading with the
    corrected topic's name (which tells "the translation one" after Custom Speech is Custom
    Translator) half as much, a topic of the same kind and one the last answer beat a little."""
    score: dict[str, float] = {}
    best: dict[str, Match] = {}
    for weight, matches in ((1.0, own), (_FOCUS_READING, with_focus)):
        for match in matches:
            key = match.intent.id
            score[key] = score.get(key, 0.0) + weight * match.score
            best.setdefault(key, match)
    if not score:
        return None
    for key, match in best.items():
        score[key] += _SAME_KIND * (match.intent.topic.kind is topic.kind)
        score[key] += _BEATEN * (match.intent.topic.id in alternatives)
    return best[max(score, key=score.__getitem__)]


def _without_what_is_not_meant(rest: list[str]) -> list[str]:
    """A correction's words without the trailing "not …" that says what it does not mean ("the
    search one, not healthcare" is "the search one"); a "not" of the question itself stays."""
    if "not" not in rest:
        return rest
    at = len(rest) - 1 - rest[::-1].index("not")
    if at < 2 or len(rest) - at - 1 > _NOT_MEANT_WORDS or rest[at - 1] in _NOT_AFTER:
        return rest
    return rest[:at]
