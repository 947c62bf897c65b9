"""Ordinals and sides: "the second one", "the latter", "the third" count to one side of the pair
compared last, to one item of the last list (`Focus.listing`: the message is then read with the
item said instead), or to one of the topics the last answer named; "the deep one" is the side
whose name says "deep"; "and the other company?" after one topic was picked out of the focus's
related ones is a sibling of it. The rest of the message is read against the side chosen."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from itertools import pairwise

from bot.core.context.against_focus import FocusReader
from bot.core.context.focus import Focus, Understood
from bot.core.context.followups import FOLLOWUP_MAX_WORDS, FollowUps
from bot.core.context.last_answer import LastAnswer
from bot.core.context.listing import lists_topics
from bot.core.context.parts import has_part
from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Match, Outcome

_LAST = -1
_MIDDLE = -2
_ORDINALS = (
    ("the first one", 0),
    ("the second one", 1),
    ("the third one", 2),
    ("the fourth one", 3),
    ("the fifth one", 4),
    ("the first option", 0),
    ("the second option", 1),
    ("the third option", 2),
    ("the last one", _LAST),
    ("the last option", _LAST),
    ("the middle one", _MIDDLE),
    ("the middle option", _MIDDLE),
    ("the first", 0),
    ("the second", 1),
    ("the third", 2),
    ("the fourth", 3),
    ("the fifth", 4),
    ("the former", 0),
    ("the latter", _LAST),
    ("the top one", 0),
)
"""Words that count to one side of the pair compared last ("can partners extend the first
one?") or to one item of the last list ("the middle one?" after Phi-3's three sizes)."""
_NUMBERED = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth"}
"""Counts written with digits, as words."""
_COUNTS = frozenset({*_NUMBERED.values(), "last", "middle"})
"""Words that count, which stand for "the …" when they open the message ("2nd one?")."""
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
        self,
        text: str,
        words: list[str],
        topic: Topic,
        focus: Focus,
        plain: Decision,
        understand: Callable[[str, Focus], Understood],
    ) -> Understood | None:
        """The side or item a message counts to ("the second one", "the deep one"), or the
        other of what was picked out ("and the other company?"). `understand` reads a message
        in the conversation."""
        return self.ordinal(text, words, focus, plain, understand) or self.other(
            text, words, topic, focus
        )

    def ordinal(
        self,
        text: str,
        words: list[str],
        focus: Focus,
        plain: Decision,
        understand: Callable[[str, Focus], Understood],
    ) -> Understood | None:
        """ "And what tasks can the second one be adapted to?" after a comparison: the side it
        counts to, with the rest of the message read against that side (its own parts and its
        related topics). After a list ("the middle one?" after Phi-3's three sizes): the
        message with the item it counts to said in place of the count."""
        joined = f" {' '.join(_counting(words))} "
        named = (
            self.picked_by_words(words, focus.listing, _PICKED_WORDS)
            if len(focus.listing) >= 2
            else None
        )
        if named is not None:
            # "the power bi one — what does it do?" after the copilots in Fabric were listed:
            # the item's own part, when the rest of the message asks nothing more of it
            at, cue = named
            item = focus.listing[at]
            if self.router.normalizer.says_nothing(joined.replace(f" {cue} ", " ", 1)):
                part = self.item_part(text, item, focus)
                if part is not None:
                    return part
        counted = next(((cue, at) for cue, at in _ORDINALS if f" {cue} " in joined), None)
        if counted is None and not _picked_by_word(words):
            return None  # counts to nothing: the last answer's list is not read
        if counted is not None and (
            len(focus.compared) < 2 or self.lists_more_topics(focus.listing, focus.compared)
        ):
            item = _counted(focus.listing, counted[1])
            if item is not None:
                said = joined.replace(f" {counted[0]} ", f" {item} ", 1)
                return self.item(text, said, focus, understand)
        # the pair compared last, or the topics the last answer listed ("which Azure services
        # run Spark?" then "the third one")
        sides = focus.compared if len(focus.compared) >= 2 else self.last_answer.listed(focus)
        over_discussed = len(sides) < 2 and counted is not None
        if over_discussed:
            # "what did the second one build?" after Kry's story then PIMCO's: the stories
            # discussed, in the order they came up
            sides = self.discussed(focus)
        if len(sides) < 2:
            return None
        position = _position(counted[1], len(sides)) if counted is not None else None
        found = (position, counted[0]) if position is not None else self.side_by_word(words, sides)
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
        asked = set(self.router.normalizer.normalize(rest).terms) - {_ORDINAL_STANDS_FOR}
        understood = None
        if asked and over_discussed:
            # one of the topics discussed, asked about on its own (PIMCO's build, not another
            # story's question that says "build")
            understood = self.against.own_question(rest, chosen)
        elif asked:  # "the second one" asks nothing more: that side itself
            understood = self.against.among_focus(rest, chosen, Focus(topic=chosen.id))
            understood = understood or self.against.with_focus(
                rest, chosen, self.against.route(rest), near_only=False
            )
        if understood is None:
            match = Match(self.router.intent(chosen.id), 1.0)
            understood = Understood(Decision(text, Outcome.ANSWER, (match,)), topic=chosen)
        decision = dataclasses.replace(understood.decision, text=text)
        return dataclasses.replace(understood, decision=decision, context="refers")

    def discussed(self, focus: Focus) -> tuple[str, ...]:
        """The topics discussed of the focus topic's kind, in the order they came up."""
        topic = self.kb.topics.get(focus.topic) if focus.topic else None
        if topic is None:
            return ()
        return tuple(
            t
            for t in reversed(focus.recent)
            if t in self.kb.topics and self.kb.topics[t].kind is topic.kind
        )

    def lists_more_topics(self, listing: tuple[str, ...], compared: tuple[str, ...]) -> bool:
        """Whether the last list names more topics than the pair compared, one in each item
        ("spark in fabric, databricks and hdinsight: quick take?", answered with two of them):
        "the second one" counts over the list."""
        return len(listing) > len(compared) and lists_topics(listing, self.router.named_topics)

    def item(
        self, text: str, said: str, focus: Focus, understand: Callable[[str, Focus], Understood]
    ) -> Understood | None:
        """A message with the item it counted to said in place of the count ("the second one,
        good for what?" → "R, good for what?"), read in the conversation; the list is kept for
        the next count ("and the third?")."""
        understood = understand(" ".join(said.split()), focus)
        if understood.decision.outcome is not Outcome.ANSWER:
            return None
        decision = dataclasses.replace(understood.decision, text=text)
        return dataclasses.replace(understood, decision=decision, listing=focus.listing)

    def item_part(self, text: str, item: str, focus: Focus) -> Understood | None:
        """The part of the focus topic, or of one it relates to, that an item of the last list
        names surely (Copilot for Power BI's own answer, not the list's or the topic's); None
        when no question of theirs is about the item."""
        topic = self.kb.topics.get(focus.topic) if focus.topic else None
        if topic is None:
            return None
        family = (topic.id, *(r for r in topic.related if r in self.kb.topics))
        part = next(
            (
                m
                for m in self.router.rank_among(item, family)
                if m.intent.question is not None and m.intent.id != focus.intent
            ),
            None,
        )
        if part is None or part.score < _ITEM_PART_SURE:
            return None
        decision = Decision(text, Outcome.ANSWER, (part,))
        return Understood(
            decision, topic=part.intent.topic, context="refers", listing=focus.listing
        )

    def picked_by_words(
        self, words: list[str], names: Sequence[str], most: int
    ) -> tuple[int, str] | None:
        """ "The power bi one", "the deep one": the one of `names` whose words include those
        said between "the" and "one" (at most `most` of them): its position, and the words
        that said it."""
        normalize = self.router.normalizer.normalize
        named: list[set[str]] | None = None
        for i, word in enumerate(words):
            if word != "the":
                continue
            for size in range(1, most + 1):
                end = i + size + 1
                if end >= len(words) or words[end] not in _ONE:
                    continue
                said = set(normalize(" ".join(words[i + 1 : end])).terms)
                if not said:
                    continue
                if named is None:
                    named = [set(normalize(name).terms) for name in names]
                found = [at for at, terms in enumerate(named) if said <= terms]
                if len(found) == 1:
                    return found[0], " ".join(words[i : end + 1])
        return None

    def side_by_word(self, words: list[str], compared: tuple[str, ...]) -> tuple[int, str] | None:
        """ "The deep one" after machine learning vs deep learning: the one side whose name has
        the word said between "the" and "one" (the side, and the words that said it)."""
        titles = [self.kb.topics[t].title if t in self.kb.topics else "" for t in compared[:2]]
        return self.picked_by_words(words, titles, 1)

    def other(self, text: str, words: list[str], topic: Topic, focus: Focus) -> Understood | None:
        """ "And the other company in that list that used it?" after Kry's story was picked
        out of Azure OpenAI's customers: the other topics of the kind just answered that the
        focus topic relates to (Legrand's story), the likeliest by the message's words."""
        if len(words) > FOLLOWUP_MAX_WORDS or not any(
            tuple(words[i : i + len(cue)]) == cue for cue in _OTHER for i in range(len(words))
        ):
            return None
        last = self.against.answered_last(focus)
        if last is not None and last.kind is Kind.COMPARISON and len(last.compares) == 2:
            # "and the other one is better for what?" after a comparison whose answer led with
            # its first side: the second
            other = self.kb.topics.get(last.compares[1])
            if other is None or ("the", "other") not in pairwise(words):
                return None
            match = Match(self.router.intent(other.id), 1.0)
            return Understood(Decision(text, Outcome.ANSWER, (match,)), context="refers")
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


_ITEM_PART_SURE = 0.8
"""How surely an item of a list picked by its words must name a part for that part to answer."""
_PICKED_WORDS = 3
"""An item of a list is picked by at most this many of its words ("the power bi one")."""


def _position(at: int, size: int) -> int | None:
    """Where an ordinal counts to in a list of `size` items (None: nowhere in it)."""
    if at == _LAST:
        return size - 1
    if at == _MIDDLE:
        return size // 2 if size % 2 else None
    return at if at < size else None


def _counted(items: tuple[str, ...], at: int) -> str | None:
    """The item of a list an ordinal counts to, if any."""
    position = _position(at, len(items)) if len(items) >= 2 else None
    return items[position] if position is not None else None


def _picked_by_word(words: Sequence[str]) -> list[int]:
    """Where the words say "the <word> one" ("the deep one"): the positions of "the"."""
    return [i for i in range(len(words) - 2) if words[i] == "the" and words[i + 2] in _ONE]


def _counting(words: Sequence[str]) -> list[str]:
    """The words with counts written as words ("the 2nd" → "the second"), and "the" before a
    count that opens a message alone or before "one" ("2nd one?", "second?", "last one pls")."""
    said = [_NUMBERED.get(word, "one" if word == "one's" else word) for word in words]
    if said and said[0] in _COUNTS and (len(said) == 1 or said[1] in ("one", "option")):
        said.insert(0, "the")
    return said
