"""Ellipses: a short message that leaves out what it asks about because the conversation just
said it ("and latency?", "to and from what?", "and the biggest?"), read as the end of the
question answered last or as more of the part just answered. The cues are
knowledge/conversation.yaml's `ellipses`; an ellipsis that names another topic ("and
Databricks?") is that topic's (bot/core/context/references.py)."""

from __future__ import annotations

from bot.core.context.against_focus import FocusReader
from bot.core.context.cues import ELLIPSIS_MAX_WORDS, WORD, Cues
from bot.core.context.focus import Focus, Understood
from bot.core.hybrid import HybridRouter
from bot.core.kb import KnowledgeBase, Topic
from bot.core.reading import MessageReader
from bot.core.router import Decision, Match, Outcome
from bot.core.text import stem, strip_mentions

_GUESS = 0.2
"""A reading of a follow-up among the focus's family below this probability is a guess."""


class Ellipses:
    """Reads a short message that leaves out what the conversation just said."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        reader: MessageReader,
        cues: Cues,
        against: FocusReader,
    ) -> None:
        self.router = router
        self.reader = reader
        self.cues = cues
        self.against = against
        self._plain = frozenset(stem(w) for w in kb.vocabulary.stopwords)
        """The knowledge's stopwords, stemmed: words an ellipsis may say of anything."""

    def end_of_last_question(self, text: str, focus: Focus) -> Understood | None:
        """A short message that names nothing and that the focus had no reading for ("to and
        from what?" after how many languages Custom Translator covers), read as the end of the
        question answered last: its answer when that reading stays with the focus topic. Every
        word it says must be one the focus topic's texts use: "btw, who won the euros?" is
        read on its own."""
        words = WORD.findall(strip_mentions(text).lower())
        if not focus.intent or len(words) > ELLIPSIS_MAX_WORDS or self.router.named_topics(text):
            return None
        if self.reader.declines_outright(text):
            return None
        said = set(self.router.normalizer.normalize(text).terms) - self._plain
        if not said <= self.router.topic_vocabulary(focus.topic or ""):
            return None  # "btw what's the capital of Australia?" says nothing of the focus
        intent = self.router.intent(focus.intent)
        if intent is None:
            return None
        asked = intent.phrases[0] if intent.phrases else intent.topic.title
        decision = self.against.route(f"{asked} {text}")
        top = decision.top
        if decision.outcome is not Outcome.ANSWER or top is None:
            return None
        if top.intent.topic.id != focus.topic:
            return None
        return Understood(decision, topic=top.intent.topic, context="followup")

    def same_part(
        self, text: str, words: list[str], understood: Understood, topic: Topic, focus: Focus
    ) -> Understood | None:
        """ "And the biggest?" after Phi-3's sizes: an elliptical follow-up in which nothing of
        the focus's family is said (its best reading is a guess) asks more of the part just
        answered, which is answered again."""
        top = understood.decision.top
        if (
            top is None
            or top.score >= _GUESS
            or not focus.intent
            or focus.intent == topic.id
            or not self.cues.elliptical(words)
            or self.router.named_topics(text)
            or self.against.says_of_family(text, topic, focus)
        ):
            return None
        try:
            intent = self.router.intent(focus.intent)
        except KeyError:
            return None
        if intent.topic.id != topic.id:
            return None
        decision = Decision(text, Outcome.ANSWER, (Match(intent, top.score),))
        return Understood(decision, topic=topic, context="refers")
