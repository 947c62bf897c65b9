"""Ordinals and sides: "the second one", "the latter", "the third" count to one side of the pair
compared last, or to one of the topics the last answer listed; "the deep one" is the side whose
name says "deep"; "and the other company?" after one topic was picked out of the focus's
related ones is a sibling of it. The rest of the message is read against the side chosen."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.core.context.against_focus import FocusReader
from bot.core.context.focus import Focus, Understood
from bot.core.context.followups import FOLLOWUP_MAX_WORDS, FollowUps
from bot.core.context.last_answer import LastAnswer
from bot.core.context.parts import has_part
from bot.core.hybrid import HybridRouter
from bot.core.kb import KnowledgeBase, Topic
from bot.core.router import Decision, Match, Outcome

_ORDINALS = (
    ("the first one", 0),
    ("the second one", 1),
    ("the first", 0),
    ("the second", 1),
    ("the former", 0),
    ("the latter", 1),
    ("the third one", 2),
    ("the third", 2),
    ("the top one", 0),
)
"""Words that count to one side of the pair compared last ("can partners extend the first one?")."""
_ONE = frozenset({"one", "option", "kind", "type"})
"""Words that stand for one of two sides compared, after a word of its name ("the deep one")."""
_OTHER = (("the", "other"), ("another",), ("the", "others"))
"""Words asking for the other item of what was just picked out ("and the other company?")."""
_ORDINAL_STANDS_FOR = "it"
"""What an ordinal is read as once its side is chosen."""


class Ordinals:
    """Reads a message that counts to, or picks out, one of several topics."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        followups: FollowUps,
        last_answer: LastAnswer,
        against: FocusReader,
    ) -> None:
        self.kb = kb
        self.router = router
        self.followups = followups
        self.last_answer = last_answer
        self.against = against

    def read(
        self, text: str, words: list[str], topic: Topic, focus: Focus, plain: Decision
    ) -> Understood | None:
        """The side a message counts to ("the second one", "the deep one"), or the other of
        what was picked out ("and the other company?")."""
        return self.ordinal(text, words, focus, plain) or self.other(text, words, topic, focus)

    def ordinal(
        self, text: str, words: list[str], focus: Focus, plain: Decision
    ) -> Understood | None:
        """ "And what tasks can the second one be adapted to?" after a comparison: the side it
        counts to, with the rest of the message read against that side (its own parts and its
        related topics)."""
        joined = f" {' '.join(words)} "
        if not any(f" {cue} " in joined for cue, _ in _ORDINALS) and not _picked_by_word(words):
            return None  # counts to nothing: the last answer's list is not read
        # the pair compared last, or the topics the last answer listed ("which Azure services
        # run Spark?" then "the third one")
        sides = focus.compared if len(focus.compared) >= 2 else self.last_answer.listed(focus)
        if len(sides) < 2:
            return None
        found = next(
            ((side, cue) for cue, side in _ORDINALS if f" {cue} " in joined and side < len(sides)),
            None,
        ) or self.side_by_word(words, sides)
        if found is None:
            return None
        side, cue = found
        chosen = self.kb.topics.get(sides[side])
        if chosen is None:
            return None
        rest = " ".join(joined.replace(f" {cue} ", f" {_ORDINAL_STANDS_FOR} ", 1).split())
        followup, _ = self.followups.find(rest.split())
        if followup is not None and followup.answer and has_part(self.kb, chosen, followup.answer):
            # "so when would I bother with the deep one?": that side's own part
            decision = Decision(text, Outcome.ANSWER, (Match(self.router.intent(chosen.id), 1.0),))
            return Understood(decision, followup=followup, topic=chosen, context="followup")
        top = plain.top
        if plain.outcome is Outcome.ANSWER and top is not None and top.intent.topic is chosen:
            # "which models can I get on the Azure one?": the message names that side's answer
            return Understood(plain, topic=chosen, context="refers")
        understood = self.against.among_focus(rest, chosen, Focus(topic=chosen.id))
        understood = understood or self.against.with_focus(
            rest, chosen, self.against.route(rest), near_only=False
        )
        if understood is None:
            match = Match(self.router.intent(chosen.id), 1.0)
            understood = Understood(Decision(text, Outcome.ANSWER, (match,)), topic=chosen)
        decision = dataclasses.replace(understood.decision, text=text)
        return dataclasses.replace(understood, decision=decision, context="refers")

    def side_by_word(self, words: list[str], compared: tuple[str, ...]) -> tuple[int, str] | None:
        """ "The deep one" after machine learning vs deep learning: the one side whose name has
        the word said between "the" and "one" (the side, and the words that said it)."""
        normalize = self.router.normalizer.normalize
        for i in _picked_by_word(words):
            said = set(normalize(words[i + 1]).terms)
            sides = [
                side
                for side, topic_id in enumerate(compared[:2])
                if topic_id in self.kb.topics
                and said
                and said <= set(normalize(self.kb.topics[topic_id].title).terms)
            ]
            if len(sides) == 1:
                return sides[0], " ".join(words[i : i + 3])
        return None

    def other(self, text: str, words: list[str], topic: Topic, focus: Focus) -> Understood | None:
        """ "And the other company in that list that used it?" after Kry's story was picked
        out of Azure OpenAI's customers: the other topics of the kind just answered that the
        focus topic relates to (Legrand's story), the likeliest by the message's words."""
        if len(words) > FOLLOWUP_MAX_WORDS or not any(
            tuple(words[i : i + len(cue)]) == cue for cue in _OTHER for i in range(len(words))
        ):
            return None
        last = self.kb.topics.get(focus.intent.split("/")[0]) if focus.intent else None
        if last is None or last.id == topic.id:
            return None
        siblings = [
            t.id
            for t in self.kb.topics.values()
            if t.kind is last.kind
            and t.id != last.id
            and (topic.id in t.related or t.id in topic.related)
        ]
        if not siblings:
            return None
        ranked = [
            m for m in self.router.rank_among(text, siblings) if m.intent.topic.id in siblings
        ]
        best = next((m for m in ranked if m.intent.question is None), None)
        if best is None:
            return None
        decision = Decision(text, Outcome.ANSWER, (best,))
        return Understood(decision, topic=topic, context="refers")


def _picked_by_word(words: Sequence[str]) -> list[int]:
    """Where the words say "the <word> one" ("the deep one"): the positions of "the"."""
    return [i for i in range(len(words) - 2) if words[i] == "the" and words[i + 2] in _ONE]
