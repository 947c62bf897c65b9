"""Comparisons in context: "how does it stack up against Synapse?" compares the focus topic with
the topic named (a cue of knowledge/conversation.yaml's `compare`); "which is better for us?"
(`choose`) after a comparison shows it again, each side saying when to pick it ("the difference
between those two?" after an answer naming two topics compares those); and a written
comparison answered on its own ("is ML studio only for classic ML?": Foundry vs ML studio)
keeps the one side the message named, which "it" is afterwards."""

from __future__ import annotations

import dataclasses
import re

from bot.core.compare import Comparer
from bot.core.context.cues import WORD, Cues
from bot.core.context.focus import Focus, Understood, answers_a_question
from bot.core.context.last_answer import LastAnswer
from bot.core.context.names import TopicNames
from bot.core.follow_up_forms import FollowUp, follow_up
from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Match, Outcome

_COMPARE_SIDE = 0.5
"""The least probability of the topic named after a comparison cue (that text read on its own)
for it to be compared with the focus topic."""
_COMPARE_LEAD = 3
"""Words a comparison cue without a reference may follow ("and how about vs Synapse?"); a
longer lead names its own things ("benchmark lots of models against each other")."""
_CHOOSE_MAX_WORDS = 12
"""A question choosing between the two compared is this short at most ("which one for a team
that can't code?")."""
_PURPOSE = "for"
"""The word after an ellipsis cue that names what a choice is for ("and for images?")."""
_PRODUCT_KINDS = frozenset({Kind.SERVICE, Kind.PLATFORM, Kind.TOOL, Kind.MODEL})
"""What a third side of a choice is (a concept named is what the choice is for)."""
_TOLD_MAX_WORDS = 20
"""A need told right after a comparison ("we mostly do chatbots with gpt") is this short."""
_TOLD_LEAST = 0.2
_TOLD_OVER = 1.8
"""Such a need, which names other things too ("… and a bit of RAG"), takes the side it reads
at least this likely and this many times as likely as the other."""
_SIDE_LEAST = 0.3
_SIDE_LEAD = 0.15
"""A "which one …?" after a comparison takes the side its words read at least this likely, and
this much more likely than the other side."""
_CLAUSE = re.compile(r"[,;:—–]|\s-\s")
"""Where a clause of a message ends: the last one may choose after the rest told the need."""
_CLAUSE_OPENERS = frozenset({"what", "how", "which", "who", "where", "when", "why"})
"""What a comparison cue is followed by when it compares with a clause, not a topic."""
_OWN_PAIR = frozenset({"vs", "versus"})
"""A message with one of these names the pair it compares: it chooses nothing said before."""
_PAIR_ONLY = frozenset({"the", "those", "these", "two", "both", "them", "of"})
"""Words that, after a comparison cue, say the pair already compared ("… between the two")."""
_PAIR_WORDS = frozenset({"two", "both"})
""""The difference between those two?": the first two topics the last answer named, when it
answered a question of the focus topic (not the topic itself) and named two or more."""


class Comparisons:
    """Reads a message that compares the focus topic, or chooses between what was compared."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        comparer: Comparer,
        cues: Cues,
        names: TopicNames,
        last_answer: LastAnswer,
    ) -> None:
        self.kb = kb
        self.router = router
        self.comparer = comparer
        self.cues = cues
        self.names = names
        self.last_answer = last_answer
        self._compare_cues = [tuple(WORD.findall(c)) for c in kb.conversation.compare]
        self._choose_cues = [tuple(WORD.findall(c)) for c in kb.conversation.choose]

    def read(
        self, text: str, words: list[str], topic: Topic, focus: Focus, plain: Decision
    ) -> Understood | None:
        """The focus topic compared with the topic the message names, or the last comparison
        again for a message choosing between its sides (None: the message compares nothing)."""
        compared = self.compare_with(text, words, topic, plain) or self.why_not(text, topic, focus)
        if compared is not None:
            return compared
        if plain.comparison is not None or not _OWN_PAIR.isdisjoint(words):
            return None  # "conventional vs pretrained, what's the diff" compares its own pair
        side = (
            self.side_that_fits(text, words, focus)
            or self.told_then_chosen(text, focus)
            or self.told_after_comparison(text, words, focus)
        )
        if side is not None:
            return side
        choosing = self.chooses(words) or self.choice_continued(words, focus)
        if not choosing or self.compares_its_own(text, focus, plain):
            return None
        answered = self.last_answer.against.answered_last(focus)
        # after a written comparison (ML vs deep learning), "the two" are its sides
        part = (
            focus.intent is not None
            and focus.intent != focus.topic
            and (answered is None or answered.kind is not Kind.COMPARISON)
        )
        named = self.last_answer.listed(focus) if part and not _PAIR_WORDS.isdisjoint(words) else ()
        if len(named) >= 2:
            # "what's the difference between those two?" after a follow-up's answer giving two
            # examples (after "what is X?" then "and Y?", "those two" are X and Y)
            return self.side_by_side(text, self.kb.topics[named[0]], self.kb.topics[named[1]])
        if focus.compared or len(focus.recent) >= 2:
            return self.compared_again(text, focus) or Understood(plain)
        return None

    def compare_with(
        self, text: str, words: list[str], topic: Topic, plain: Decision
    ) -> Understood | None:
        """ "How does it stack up against Synapse?": the focus topic and the one named — not
        when the side compared reads best as a part of the focus topic ("is a project different
        from a hub" about Foundry), nor when the message, pointing at nothing, reads on its own
        as a question of the topic named ("and what's a project vs a hub in ai foundry")."""
        joined = f" {' '.join(words)} "
        cue = next((c for c in self._compare_cues if f" {' '.join(c)} " in joined), None)
        if cue is None:
            return None
        before, other_text = (part.strip() for part in joined.split(f" {' '.join(cue)} ", 1))
        if not other_text or other_text.split()[0] in _CLAUSE_OPENERS:
            return None  # "… compare with what automl does for features?" asks that clause
        if _PAIR_ONLY.issuperset(other_text.split()):
            return None  # "the difference between the two": the pair in focus, no third topic
        if self.router.named_topics(before) - {topic.id}:
            return None  # "OneLake vs ADLS Gen2?" after Fabric: a comparison of its own
        lead = before.split()
        if len(lead) > _COMPARE_LEAD and not self.cues.refers_back(lead + list(cue)):
            return None  # "where can we benchmark lots of models against each other": no "it"
        other = next(
            (
                m
                for m in self.comparer.router.rank(other_text)
                if m.intent.question is None and m.intent.topic.id != topic.id
            ),
            None,
        )
        if other is None or other.score < _COMPARE_SIDE:
            return None
        read = self.router.rank(other_text)
        if read and read[0].intent.question is not None and read[0].intent.topic.id == topic.id:
            return None  # "is a project different from a hub" about Foundry: a part of its own
        if self._own_question_of(plain, other.intent.topic) and (
            self.cues.first_reference(lead + list(cue)) is None
        ):
            return None  # "and what's a project vs a hub in ai foundry": Foundry's own parts
        comparison = self.comparer.pair(topic, other.intent.topic, other.score)
        if comparison is None:
            return None
        decision = Decision(text, Outcome.ANSWER, (other,), comparison=comparison)
        return Understood(decision, context="compare")

    @staticmethod
    def _own_question_of(plain: Decision, topic: Topic) -> bool:
        """True when the message read on its own answers one of the topic's questions."""
        return answers_a_question(plain, 0.0) and plain.top.intent.topic.id == topic.id

    def side_that_fits(self, text: str, words: list[str], focus: Focus) -> Understood | None:
        """ "Which one answers questions by writing queries?" after a comparison: the side the
        message's own words read clearly better (`_SIDE_LEAD`), with its best answer; None when
        the message asks no "which" of the pair, or neither side fits it better."""
        pair = focus.compared[:2]
        asked = words[1:] if words[:1] == ["and"] else words  # "and which for …?"
        if len(pair) < 2 or asked[:1] != ["which"] or len(words) > _CHOOSE_MAX_WORDS:
            return None
        if _PAIR_WORDS.isdisjoint(words) and self.router.named_topics(text) - set(pair):
            # "which one is for classic ML?" names its own; "which of the two keeps our docs
            # out of model training?" chooses between the pair whatever it names
            return None
        return self._comparison_answers(text, focus, pair) or self._side_read(text, text, pair)

    def _comparison_answers(
        self, text: str, focus: Focus, pair: tuple[str, ...]
    ) -> Understood | None:
        """ "Which one do we build on for our own app?" right after a comparison that has that
        question: the comparison's own answer, when the message reads it clearly better
        (`_SIDE_LEAST`, `_SIDE_LEAD`) than anything of either side."""
        comparison = self.kb.topics.get(focus.topic) if focus.topic else None
        if comparison is None or comparison.kind is not Kind.COMPARISON:
            return None
        read = self.router.rank_among(text, (comparison.id, *pair))
        own = tuple(m for m in read if m.intent.topic.id == comparison.id)
        if not own or own[0].intent.question is None or own[0].score < _SIDE_LEAST:
            return None
        side = next((m.score for m in read if m.intent.topic.id in pair), 0.0)
        if own[0].score - side < _SIDE_LEAD:
            return None
        return Understood(Decision(text, Outcome.ANSWER, own[:4]), context="compare", pair=pair)

    def told_then_chosen(self, text: str, focus: Focus) -> Understood | None:
        """ "We're mostly building a gpt chatbot w/ some rag on top, which is better for us?"
        after a comparison: a need told at length, then a last clause choosing between the two
        compared — the side the need reads clearly better, else the comparison again."""
        pair = focus.compared[:2]
        *told, last = _CLAUSE.split(text)
        if len(pair) < 2 or not told or not self.chooses(WORD.findall(last.lower())):
            return None
        need = " ".join(told)
        if len(WORD.findall(need.lower())) + len(WORD.findall(last.lower())) <= _CHOOSE_MAX_WORDS:
            return None  # short enough to be read as a whole
        return self._side_read(need, text, pair) or self.compared_again(text, focus)

    def told_after_comparison(self, text: str, words: list[str], focus: Focus) -> Understood | None:
        """ "We mostly do chatbots with gpt and a bit of RAG" right after a comparison: the
        team's need told, not asked — the side it reads clearly better, if any."""
        pair = focus.compared[:2]
        answered = self.kb.topics.get(focus.intent) if focus.intent else None
        if len(pair) < 2 or answered is None or answered.kind is not Kind.COMPARISON:
            return None  # only right after the comparison itself
        if "?" in text:
            return None  # told, not asked
        if words[:1] not in (["we"], ["we're"], ["our"]) or len(words) > _TOLD_MAX_WORDS:
            return None
        return self._side_read(text, text, pair, told=True)

    def _side_read(
        self, need: str, text: str, pair: tuple[str, ...], *, told: bool = False
    ) -> Understood | None:
        """The side of the pair a need reads clearly better, with its best answers (a need
        told, naming other things too, by how many times likelier: `_TOLD_OVER`)."""
        read = [m for m in self.router.rank_among(need, pair) if m.intent.topic.id in pair]
        best: dict[str, Match] = {}
        for match in read:  # best first
            best.setdefault(match.intent.topic.id, match)
        if len(best) < 2:
            return None
        first, second = sorted(best.values(), key=lambda m: m.score, reverse=True)
        if told:
            if first.score < _TOLD_LEAST or first.score < second.score * _TOLD_OVER:
                return None
        elif first.score < _SIDE_LEAST or first.score - second.score < _SIDE_LEAD:
            return None
        own = tuple(m for m in read if m.intent.topic.id == first.intent.topic.id)
        decision = Decision(text, Outcome.ANSWER, own[:4])
        return Understood(decision, context="compare", pair=pair)

    def chooses(self, words: list[str]) -> bool:
        """ "Which is better for us?" — a short question choosing between what was compared."""
        joined = f" {' '.join(words)} "
        return len(words) <= _CHOOSE_MAX_WORDS and any(
            f" {' '.join(c)} " in joined for c in self._choose_cues
        )

    def choice_continued(self, words: list[str], focus: Focus) -> bool:
        """ "And for heavy ML training?" with a comparison in focus (after "which one for a team
        that lives in Power BI?"): an ellipsis naming a purpose asks the same choice for it."""
        cue = self.cues.ellipsis_cue(words)
        return (
            bool(focus.compared)
            and cue is not None
            and words[cue : cue + 1] == [_PURPOSE]
            and not any(  # "and for Synapse?" names a third product; "ML" is a purpose
                self.kb.topics[t].kind in _PRODUCT_KINDS
                for t in self.router.named_topics(" ".join(words))
                if t in self.kb.topics
            )
        )

    def compares_its_own(self, text: str, focus: Focus, plain: Decision) -> bool:
        """ "What's the difference from regular ML anyway?" after deep learning vs ready-made
        services: the message is answered on its own by a written comparison of another pair,
        one of whose sides it names and the last comparison does not have, so it chooses
        nothing said before."""
        top = plain.top
        if plain.outcome is not Outcome.ANSWER or top is None:
            return False
        own = top.intent.topic.compares if top.intent.topic.kind is Kind.COMPARISON else ()
        pair = set(focus.compared[:2] or focus.recent[:2])
        return (
            bool(own)
            and set(own) != pair
            and bool((self.router.named_topics(text) & set(own)) - pair)
        )

    def why_not(self, text: str, topic: Topic, focus: Focus) -> Understood | None:
        """ "Why not Foundry?" after Foundry and ML studio were compared, or after an answer
        about a topic the knowledge compares with Foundry: that comparison, each side saying
        when to pick it."""
        asked = follow_up(text)
        if asked is None or asked[0] is not FollowUp.WHY_NOT:
            return None
        named = self.router.named_topics(asked[1]) - {topic.id}
        if focus.compared and named & set(focus.compared):
            return self.compared_again(text, focus)
        if len(named) != 1 or topic.kind is Kind.COMPARISON:
            return None
        other = self.kb.topics[next(iter(named))]
        if self.comparer.written(topic.id, other.id) is None:
            return None
        return self.side_by_side(text, topic, other)

    def compared_again(self, text: str, focus: Focus) -> Understood | None:
        """The last comparison again (else the last two topics side by side): each side says
        when to pick it."""
        pair = focus.compared[:2] or focus.recent[:2]
        first, second = (self.kb.topics.get(t) for t in pair)
        if first is None or second is None:
            return None
        return self.side_by_side(text, first, second)

    def side_by_side(self, text: str, first: Topic, second: Topic) -> Understood | None:
        """Two topics compared (their written comparison, or each one's when to pick it)."""
        comparison = self.comparer.pair(first, second, 1.0)
        if comparison is None:
            return None
        match = Match(self.router.intent(first.id), 1.0)
        decision = Decision(text, Outcome.ANSWER, (match,), comparison=comparison)
        return Understood(decision, context="compare")

    def side_asked(self, text: str, understood: Understood) -> Understood:
        """A written comparison answered without the focus, with the one of its sides the
        message names (not after "not" or "without": "… without fine-tuning") as the side
        asked about."""
        top = understood.decision.top
        if (
            understood.context is None
            and understood.decision.outcome is Outcome.ANSWER
            and top is not None
            and top.intent.topic.kind is Kind.COMPARISON
        ):
            sides = self.router.named_topics(text) & set(top.intent.topic.compares)
            # "… without fine-tuning"
            sides -= self.names.named_negated(WORD.findall(text.lower()))
            if len(sides) == 1:
                return dataclasses.replace(understood, side=next(iter(sides)))
        return understood
