"""Returns: "back to the speech model: does it do batch?" — the topic named after a return cue
(knowledge/conversation.yaml's `returns`), among those discussed before, becomes the focus the
rest of the message is read in."""

from __future__ import annotations

import dataclasses
import re

from bot.core.context.against_focus import FocusReader
from bot.core.context.cues import WORD
from bot.core.context.focus import Focus, Understood, answers_a_question
from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Match, Outcome
from bot.core.text import strip_mentions

RETURN = "return"
"""The context of a message returning to a topic discussed before."""
_CLAUSE = re.compile(r"[:;,?!—–]|\s-\s|(?<!\b[a-z])\.\s")
"""Where a clause of a message ends (a full stop too, not an initial's: "c.h. robinson")."""
_RETURN_LEAD = 2
"""Words a return cue may follow in its clause ("ok, back to …"); later, it is a description's
("… claims we can link back to")."""
_REST_SURE = 0.8
"""What follows a return is its own question when it reads this surely as one of a topic's
questions, and the topic returned to reads it only as itself."""
_REST_OWN_TOPIC = 0.75
_REST_OWN_REFERRING = 0.9
"""What follows a return that the topic returned to reads only as itself (or weakly) is a need
of its own when it reads this surely as another topic, not near the one returned to ("back to
the hr bot, hr folks want to edit it themselves": Copilot Studio); surer when it refers back
("back to the healthcare one - what was that built on?")."""
_REST_WEAK = 0.5
"""A question of the topic returned to read less likely than this reads the rest only weakly."""
_MENTIONED_AMONG = 12
_MENTIONED_SURE = 0.9
_MENTIONED_MARGIN = 0.05
"""A topic not discussed is returned to when the words after the cue read as its name this
surely (among their first readings), and this much better than any topic discussed."""


class Returns:
    """Reads "back to …" against the topics discussed before."""

    def __init__(self, kb: KnowledgeBase, router: HybridRouter, against: FocusReader) -> None:
        self.kb = kb
        self.router = router
        self.against = against
        # patterns as text (re keeps them compiled; a compiled one would not enter the build
        # cache)
        self._cues = [r"\b" + r"\s+".join(WORD.findall(r)) + r"\b" for r in kb.conversation.returns]

    def _told(self, named: str, recent: dict[str, Topic], focus: Focus) -> Topic | None:
        """The one topic discussed whose user's words the words after the cue say most ("back
        to the KB articles" after "we need our support KB translated …"), counting only words
        not said about every topic; None when none says any, or two say as many."""
        terms = self.router.normalizer.normalize
        asked = set(terms(named).terms)
        told = {t: set(terms(focus.said_about(t)).terms) for t in recent}
        everywhere = set.intersection(*told.values()) if len(told) > 1 else set()
        shared = {t: len((asked & words) - everywhere) for t, words in told.items()}
        ranked = sorted(shared.items(), key=lambda pair: pair[1], reverse=True)
        if not ranked or ranked[0][1] == 0:
            return None
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return None
        return recent[ranked[0][0]]

    def _mentioned(self, named: str, recent: dict[str, Topic]) -> Topic | None:
        """The topic the words after the cue surely name, better than any topic discussed that
        is among their readings: one an answer mentioned ("back to that translator thing"
        after the Volkswagen story, which said Custom Translator does that job)."""
        ranked = [m for m in self.router.rank(named, _MENTIONED_AMONG) if m.intent.question is None]
        if not ranked or ranked[0].score < _MENTIONED_SURE or ranked[0].intent.topic.id in recent:
            return None
        best_recent = max((m.score for m in ranked if m.intent.topic.id in recent), default=0.0)
        if not best_recent or ranked[0].score - best_recent < _MENTIONED_MARGIN:
            return None  # "back to the microsoft ones": nothing discussed is read there at all
        return ranked[0].intent.topic

    def _discussed(
        self, named: str, recent: dict[str, Topic], names: frozenset[str]
    ) -> Topic | None:
        """The topic discussed that the words after the cue read as best, alone or beside the
        discussed topics' titles; None when they name a topic not discussed ("back to the rag
        bit" after vector stores: the message is read on its own)."""
        readings = self.router.rank(named, 20)
        alone = next(
            (recent[m.intent.topic.id] for m in readings if m.intent.topic.id in recent), None
        )
        if alone is not None:
            return alone
        if names:  # the topics the words after the cue name
            return None
        titled = f"{named} {' '.join(t.title for t in recent.values())}"
        return next(
            (
                recent[m.intent.topic.id]
                for m in self.router.rank(titled, 20)
                if m.intent.topic.id in recent
            ),
            None,
        )

    def _kin_surely(self, match: Match, topic: Topic) -> bool:
        """Whether a reading lands near surely on a topic related to the one returned to."""
        return match.intent.topic.id in topic.related and match.score >= _REST_OWN_REFERRING

    def announces(self, text: str) -> bool:
        """Whether a clause of the message opens by announcing a return ("ok, back to …")."""
        return self._announced(strip_mentions(text).lower()) is not None

    def _announced(self, said: str) -> re.Match[str] | None:
        """The return cue opening a clause of the (lower-cased) message, if one does."""
        found = next((m for cue in self._cues if (m := re.search(cue, said))), None)
        if found is None:
            return None
        lead = _CLAUSE.split(said[: found.start()])[-1]
        if len(WORD.findall(lead)) > _RETURN_LEAD:
            return None  # "… warranty claims we can link back to": no return, a description
        return found

    def _side_asked(self, rest: str, chosen: Topic, plain: Decision) -> Understood | None:
        """For a comparison returned to, the rest read as the likeliest question of one of its
        sides ("back to data factory, is there a copilot for it?" after Azure Data Factory vs
        Fabric Data Factory: Fabric Data Factory's copilot)."""
        sides = [self.kb.topics[t] for t in chosen.compares if t in self.kb.topics]
        read = [
            understood
            for side in sides
            if (understood := self.against.with_focus(rest, side, plain, near_only=False))
            is not None
            and understood.decision.top is not None
            and understood.decision.top.intent.question is not None
            and understood.decision.top.intent.topic.id == side.id
        ]
        return max(read, key=lambda u: u.decision.top.score, default=None)

    def read(self, text: str, words: list[str], focus: Focus) -> Understood | None:
        """ "Back to the speech model: does it do batch?" — the topic named after the cue,
        among those discussed before, becomes the focus the rest of the message is read in."""
        if not focus.recent:
            return None
        said = strip_mentions(text).lower()
        found = self._announced(said)
        if found is None:
            return None
        after = _CLAUSE.split(said[found.end() :], maxsplit=1)
        named, rest = after[0], (after[1] if len(after) > 1 else "")
        if not WORD.findall(named):
            return None
        recent = {t: self.kb.topics[t] for t in focus.recent if t in self.kb.topics}
        names = self.router.named_topics(named)
        named_recent = [t for t in recent if t in names]
        chosen = (
            recent[named_recent[0]]
            if named_recent
            else self._told(named, recent, focus)
            or self._mentioned(named, recent)
            or self._discussed(named, recent, names)
        )
        if chosen is None:
            return None
        if WORD.findall(rest):
            plain = self.against.route(rest)
            understood = self.against.with_focus(
                rest, chosen, plain, near_only=False
            ) or self._side_asked(rest, chosen, plain)
            top = understood.decision.top if understood is not None else None
            if top is not None and top.intent.topic.kind is Kind.COMPARISON:
                # "which storage should it land in" is no comparison of the topic returned to
                # and its namesake (its name said with the question reads as one): its own part
                among = self.against.among_focus(rest, chosen, Focus(topic=chosen.id))
                if among is not None and among.decision.top is not None:
                    understood, top = among, among.decision.top
            refers = self.against.cues.refers_back(WORD.findall(rest))
            if (
                (top is None or top.intent.question is None)
                and plain.top is not None
                and answers_a_question(plain, _REST_SURE)
                and (not refers or self.against.near(plain.top, chosen))
            ):
                # "ok back to it, what if we don't have any parallel docs?" after Custom
                # Translator: the question asked (dictionary-only training), which the topic
                # returned to reads only as itself; one that refers back ("is that GA?") is
                # taken only from near the topic returned to
                return Understood(dataclasses.replace(plain, text=text), context=RETURN)
            if (
                (top is None or top.intent.question is None or top.score < _REST_WEAK)
                and plain.outcome is Outcome.ANSWER
                and plain.top is not None
                and plain.top.intent.question is None
                and not self.against.near(plain.top, chosen)
                and plain.top.score >= (_REST_OWN_REFERRING if refers else _REST_OWN_TOPIC)
                and not (refers and top is not None and self._kin_surely(top, chosen))
            ):
                # "ok back to the hr bot, hr folks want to own and edit it themselves without
                # devs" after RAG, "back to the churn model — how do we push predictions to the
                # crm every night?" after AutoML: a need another topic answers well (Copilot
                # Studio, model scoring), not the topic returned to once more ("back to the
                # healthcare one - what was that built on?" asks the story returned to), unless
                # what refers back reads near surely as a topic related to the one returned to
                # ("back to the streaming — is there a copilot for that?" after Fabric: its
                # copilots, not Microsoft Copilot)
                return Understood(dataclasses.replace(plain, text=text), context=RETURN)
            if understood is not None:
                return dataclasses.replace(understood, context=RETURN)
        match = Match(self.router.intent(chosen.id), 1.0)
        return Understood(Decision(text, Outcome.ANSWER, (match,)), context=RETURN)
