"""A message read against the focus topic: among the focus's family (the topic, its related
topics, the topic discussed before it), or routed again with the focus topic's name added, and
the part of the focus topic whose passages say the message's words. Every kind of context
(bot/core/context/) reads a message through these."""

from __future__ import annotations

import dataclasses

from bot.core.context.cues import WORD, Cues, existential
from bot.core.context.focus import FOCUS_KINDS, Focus, Understood
from bot.core.context.names import TopicNames
from bot.core.hybrid import HybridRouter
from bot.core.kb import Intent, Kind, KnowledgeBase, Topic
from bot.core.passages import TopicPassages
from bot.core.reading import MessageReader
from bot.core.router import Decision, Match, Outcome
from bot.core.text import stem

_THEY = frozenset({"they", "them", "their", "theirs"})
"""Words that, after a customer story, point at the customer."""
_STORIES_LISTED = 2
"""A customer story relating this many others lists them: its "they" is no one customer."""
_SIBLING_LIKELY = 0.6
"""A story this likely is the one meant after another's, though the message says "they"."""
_FAMILY_WEAK = 0.2
_OUTSIDE_SURE = 0.85
"""A reference whose best reading in the focus's family is below `_FAMILY_WEAK` while a topic
outside it reads at `_OUTSIDE_SURE` or more is about that topic, not the family."""
_ELLIPSIS_WEAK = 0.4
"""The same for an ellipsis that points at nothing ("and low code for data prep?" after Azure
Machine Learning's low-code routes): it names its own subject, so a likelier one wins sooner."""
_RIVALS_SHOWN = 2
"""Readings of the family kept after one outside it (shown in the trace)."""
_NEAR_SHARE = 0.75
"""A reading near the focus topic scoring this share of a farther one wins a reference."""
_SPECIFIC_SHARE = 0.8
"""A question of the focus topic scoring this share of the topic itself answers a follow-up."""
_MENTION_SHARE = 0.5
"""A follow-up is read as an intent outside the focus topic's family that names the topic only
when that intent is at least twice as likely as the family's best."""
_EVIDENCE_MIN = 0.5
_EVIDENCE_MARGIN = 0.2
"""A part of the focus topic answers a follow-up instead of the reading's pick when one of its
passages says at least this share of the message's words, and this much more than the pick's."""
SAID_MIN = 0.6
"""A short question is answered from the focus topic when one passage says this share of it."""
_OWN_QUESTION = 0.95
"""A message referring back in which nothing of the focus's family is said is still about the
focus when, read with the focus topic's name, it is one of that topic's questions this likely."""
_GUESS_MOVED = 0.3
_OWN_TOPIC = 0.98
"""A reading that moved off the focus topic below `_GUESS_MOVED` gives way to the focus topic
itself when the message read with its name is that topic at least `_OWN_TOPIC` likely."""


class FocusReader:
    """Reads a message against the focus topic and the topics near it."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        reader: MessageReader,
        passages: TopicPassages,
        cues: Cues,
        names: TopicNames,
    ) -> None:
        self.kb = kb
        self.router = router
        self.reader = reader
        self.passages = passages
        self.cues = cues
        self.names = names
        self.stories = tuple(t.id for t in kb.by_kind(Kind.CUSTOMER_STORY))
        """Every customer story: the siblings of one in focus."""

    def route(self, text: str) -> Decision:
        """A message on its own (bot/core/reading.py)."""
        return self.reader.route(text)

    def answered_last(self, focus: Focus) -> Topic | None:
        """The topic of the intent answered last (the focus topic, or one read within it)."""
        if focus.intent is None or not self.router.has_intent(focus.intent):
            return None
        return self.router.intent(focus.intent).topic

    def named_first(self, words: list[str], topic: Topic, *, last: bool = False) -> bool:
        """Whether the message names the topic before its first word referring back (or
        before its last: "the same for Spark: why is it quick?"); True when nothing refers
        back."""
        names = self.router.topic_name_terms(topic.id)
        normalize = self.router.normalizer.normalize
        named = next(  # by its own stem or its expansion ("genai": generative AI)
            (
                i
                for i, w in enumerate(words)
                if stem(w) in names or not names.isdisjoint(normalize(w).terms)
            ),
            None,
        )
        if named is None or topic.id not in self.router.named_topics(" ".join(words)):
            return False
        refers = [  # "is there a python sdk for azure ml?" points at nothing
            i for i in self.cues.refer_positions(words) if not existential(words, i)
        ]
        if not refers:
            return True
        return named < (refers[-1] if last else refers[0])

    def near(self, match: Match, topic: Topic) -> bool:
        """Whether a match is the topic, a related one, or an intent whose text names it."""
        return match.intent.topic.id in {topic.id, *topic.related} or self.names.mentions(
            match.intent, topic
        )

    def names_another(self, text: str, words: list[str], topic: Topic, plain: Decision) -> bool:
        """An elliptical follow-up naming another topic, which the plain reading answers."""
        short = self.cues.elliptical(words)
        answered = plain.top.intent.topic.id if plain.top else None
        named = self.router.named_topics(text) - {topic.id}
        return short and answered in named

    def with_focus(
        self, text: str, topic: Topic, plain: Decision, *, near_only: bool = True
    ) -> Understood | None:
        """The message routed again with the focus topic's name: kept when it lands on the
        focus topic, one of its questions or one of its related topics."""
        decision = self.route(f"{text} ({topic.title})")
        top = decision.top
        if decision.outcome is not Outcome.ANSWER or top is None or decision.comparison:
            return None
        if near_only and not self.near(top, topic):
            # the message points at the focus: a near reading that scored close is meant
            # ("does it come with copilots?" about Fabric: Fabric's copilots)
            close = next(
                (
                    m
                    for m in decision.matches[1:]
                    if m.score >= top.score * _NEAR_SHARE and self.near(m, topic)
                ),
                None,
            )
            if close is None:
                return None
            others = tuple(m for m in decision.matches if m is not close)
            top = Match(close.intent, top.score)
            decision = dataclasses.replace(decision, matches=(top, *others))
        if top.intent.topic.kind not in FOCUS_KINDS:
            return None
        if top.intent.question is None:
            # the focus topic's name, added, favours the topic itself: a follow-up asks
            # something specific, so a question of that topic that scored close wins
            specific = next(
                (
                    m
                    for m in decision.matches[1:]
                    if m.intent.question is not None
                    and m.intent.topic.id == top.intent.topic.id
                    and m.score >= top.score * _SPECIFIC_SHARE
                ),
                None,
            )
            if specific is not None:
                others = tuple(m for m in decision.matches if m is not specific)
                decision = dataclasses.replace(
                    decision, matches=(Match(specific.intent, top.score), *others)
                )
        return Understood(dataclasses.replace(decision, text=text), topic=topic, context="refers")

    def among_focus(self, text: str, topic: Topic, focus: Focus) -> Understood | None:
        """A message referring back, read against the focus topic, its related topics, the
        topic answered last and the topic discussed before it with their related ones ("which
        one is about logistics?" then "and the car maker?"): the best of their intents by the
        message's own words (the focus topic's own when close, and one of its questions when
        close to the topic itself)."""
        earlier = self.kb.topics.get(focus.recent[1]) if len(focus.recent) > 1 else None
        # after a customer story, the other stories are its siblings ("what about financial
        # services?" after Kry: PIMCO)
        siblings = self.stories if topic.kind is Kind.CUSTOMER_STORY else ()
        they = bool(siblings) and not _THEY.isdisjoint(WORD.findall(text.lower()))
        # one customer's story, not the list of them (which relates the stories it lists)
        customer = they and len(set(siblings) & set(topic.related)) < _STORIES_LISTED
        if they:
            # "what did they do?" after Legrand's story: "they" is the customer, not the
            # services its story relates to
            family = tuple(dict.fromkeys((topic.id, *siblings)))
        else:
            # the topic answered last within the focus is on screen too ("how do we serve the
            # model?" after Azure Machine Learning was answered about machine learning: scoring)
            answered = self.answered_last(focus)
            shown = (answered.id, *answered.related) if answered and answered.id != topic.id else ()
            family = tuple(
                dict.fromkeys(
                    (
                        topic.id,
                        *topic.related,
                        *shown,
                        *((earlier.id, *earlier.related) if earlier else ()),
                        *siblings,
                    )
                )
            )
        matches = self.router.rank_among(text, family)
        near = [m for m in matches if m.intent.topic.id in family]
        if not near:
            return None
        top = near[0]
        outside = matches[0] if matches[0].intent.topic.id not in family else None
        words = WORD.findall(text.lower())
        # an ellipsis that points at nothing names its own subject ("and for data prep?")
        own_subject = self.cues.elliptical(words) and self.cues.first_reference(words) is None
        if (
            top.score < (_ELLIPSIS_WEAK if own_subject else _FAMILY_WEAK)
            and outside is not None
            and outside.score >= _OUTSIDE_SURE
            and outside.intent.topic.kind in FOCUS_KINDS
            and outside.intent.topic.id not in self.router.named_topics(text)
        ):
            # "and summaries of those?" after Speech: summarization, not Translator (a topic
            # named is read as named: "could I use it instead of document intelligence?")
            decision = Decision(text, Outcome.ANSWER, (outside, *near[:_RIVALS_SHOWN]))
            return Understood(decision, topic=topic, context="refers")
        own = next((m for m in near if m.intent.topic.id == topic.id), None)
        if own is not None and (
            own.score >= top.score * _NEAR_SHARE
            or (
                customer
                and top.score < _SIBLING_LIKELY
                and top.intent.topic.id not in self.router.named_topics(text)
            )
        ):
            # "which tooling did they use?" after C.H. Robinson: "they" are its customer,
            # whatever another story says of tools, unless the message names that story or
            # says it likely ("they pivoted, it's a healthcare exec now": Kry)
            top = own
        elif customer and top.intent.topic.id not in self.router.named_topics(text):
            # "what was the gist of their story?" after C.H. Robinson: its own telling of what
            # another story's parallel question (its details) matched
            top = self._parallel(top, topic)
        # an intent elsewhere that names the focus topic, far likelier ("can we use it from
        # Fabric?" about Azure OpenAI: Fabric's answer on calling Azure OpenAI)
        naming = next((m for m in matches if self.names.mentions(m.intent, topic)), None)
        if naming is not None and naming.score * _MENTION_SHARE > top.score:
            top = naming
        if top.intent.topic.kind not in FOCUS_KINDS:
            return None
        if top.intent.question is None:
            top = next(
                (
                    m
                    for m in near
                    if m.intent.question is not None
                    and m.intent.topic.id == top.intent.topic.id
                    and m.score >= top.score * _SPECIFIC_SHARE
                ),
                top,
            )
        if top.intent.topic.id == topic.id:
            top = self.said_in(text, topic, top)
        others = tuple(m for m in matches if m.intent.id != top.intent.id)[:4]
        decision = Decision(text, Outcome.ANSWER, (top, *others))
        if top.intent.topic.id in siblings and top.intent.topic.id != topic.id:
            return Understood(decision, context="refers")  # the sibling story is the focus now
        return Understood(decision, topic=topic, context="refers")

    def _parallel(self, match: Match, topic: Topic) -> Match:
        """The topic's question of the same id as the matched one of another topic, with its
        score; the match itself when the topic has none."""
        question = match.intent.question
        if question is None or match.intent.topic.id == topic.id:
            return match
        parallel = f"{topic.id}/{question.id}"
        if not self.router.has_intent(parallel):
            return match
        return Match(self.router.intent(parallel), match.score)

    def said_in(self, text: str, topic: Topic, top: Match) -> Match:
        """The focus topic's intent (itself or one of its questions) whose passages say the
        message's words clearly more than `top`'s do ("how far does it scale?": the topic's
        own detail, not its question on Blob Storage)."""
        evidence = self.passages.evidence(text, topic.id)
        if not evidence or evidence[0].intent == top.intent.id:
            return top
        best = evidence[0]
        mine = next((e.share for e in evidence if e.intent == top.intent.id), 0.0)
        if best.share < _EVIDENCE_MIN or best.share < mine + _EVIDENCE_MARGIN:
            return top
        return Match(self.router.intent(best.intent), top.score)

    def share(self, text: str, intent: Intent) -> float:
        """The largest share of the message's words one passage of the intent says."""
        evidence = self.passages.evidence(text, intent.topic.id)
        return next((e.share for e in evidence if e.intent == intent.id), 0.0)

    def says_of_family(self, text: str, topic: Topic, focus: Focus) -> bool:
        """Whether a passage of the focus topic, a related one or the one before says a fair
        share of the message's content words (half of what a short question needs)."""
        earlier = (focus.recent[1],) if len(focus.recent) > 1 else ()
        return any(
            evidence and evidence[0].share >= SAID_MIN / 2
            for about in (topic.id, *topic.related, *earlier)
            if (evidence := self.passages.evidence(text, about))
        )

    def named_focus(self, text: str, topic: Topic) -> Decision | None:
        """The message read with the focus topic's name added, when that answers within the
        focus topic (not a comparison)."""
        decision = self.route(f"{text} ({topic.title})")
        top = decision.top
        if (
            decision.outcome is not Outcome.ANSWER
            or decision.comparison is not None
            or top is None
            or top.intent.topic.id != topic.id
        ):
            return None
        return decision

    def own_question(
        self, text: str, topic: Topic, least: float = _OWN_QUESTION
    ) -> Understood | None:
        """The message read with the focus topic's name, when that lands on one of the focus
        topic's questions (not the topic itself, which its name alone favours) at least
        `least` likely."""
        decision = self.named_focus(text, topic)
        top = decision.top if decision is not None else None
        if top is None or top.intent.question is None or top.score < least:
            return None
        return Understood(dataclasses.replace(decision, text=text), topic=topic, context="refers")

    def own_topic(self, text: str, topic: Topic, understood: Understood) -> Understood | None:
        """The focus topic itself, when the reading that moved off it is a guess and the
        message read with the focus topic's name is that topic near surely ("can we build our
        own instead?" about Fabric's copilots)."""
        top = understood.decision.top
        if top is None or top.score >= _GUESS_MOVED:
            return None
        decision = self.named_focus(text, topic)
        own = decision.top if decision is not None else None
        if own is None or own.intent.id != topic.id or own.score < _OWN_TOPIC:
            return None
        return Understood(dataclasses.replace(decision, text=text), topic=topic, context="refers")

    def own_best(self, text: str, topic: Topic, *, named: bool = True) -> tuple[Match, ...]:
        """The topic's own intents for the message (read with its name), best first."""
        read = self.router.rank_among(f"{text} ({topic.title})" if named else text, (topic.id,))
        return tuple(m for m in read if m.intent.topic.id == topic.id)

    def moved_off(self, text: str, understood: Understood, topic: Topic) -> bool:
        """Whether a reading of a message referring back lands on another topic than the
        focus one, which the message does not name."""
        top = understood.decision.top
        return (
            top is not None
            and top.intent.topic.id != topic.id
            and top.intent.topic.id not in self.router.named_topics(text)
        )
