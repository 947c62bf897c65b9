"""Objections: a concern about the topic in focus, stated rather than asked ("half my team can't
code though" after Fabric Data Factory, "it'll mess up our product names tho" after Azure AI
Speech, "problem is our terminology is super niche" after Translator). On its own such a message
reads as nothing; after a topic it asks what the topic's family offers for that concern (its
dataflows, Custom Speech, Custom Translator), so it is read among the focus's family when that
reading is likely enough. The words that mark a concern are knowledge/conversation.yaml's
`objections`. A message asking a question of its own ("is R faster than python though", "who
invented deep learning tho") objects to nothing: it opens with an asking word."""

from __future__ import annotations

from bot.core.context.against_focus import FocusReader
from bot.core.context.cues import WORD, Cues, first_cue
from bot.core.context.focus import FOCUS_KINDS, Focus, Understood
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Outcome
from bot.core.text import ASKING_WORDS

_OBJECTION_LIKELY = 0.15
"""A concern is answered by the focus's family when its best reading there is this likely."""
_OPENERS = frozenset({"ok", "okay", "but", "and", "so", "hmm", "well", "yeah", "yes", "right"})
"""Words that may open a concern before what it says ("but half my team can't code")."""


class Objections:
    """Reads a concern stated about the topic in focus."""

    def __init__(self, kb: KnowledgeBase, cues: Cues, against: FocusReader) -> None:
        self.cues = cues
        self.against = against
        self._objections = [tuple(WORD.findall(o)) for o in kb.conversation.objections]

    def read(
        self, text: str, words: list[str], topic: Topic, plain: Decision, focus: Focus
    ) -> Understood | None:
        """The focus family's answer to a concern the message states; None when it states
        none, reads as something on its own, or the family has no likely answer."""
        top = plain.top
        if top is not None and top.intent.topic.kind is Kind.DECLINE:
            return None  # declined by name ("is gemini better tho")
        if plain.outcome is Outcome.ANSWER and not self._answered_elsewhere(
            text, plain, topic, focus
        ):
            return None  # answered on its own in the focus's family, or by the name it says
        if not self.objects(words) or self.cues.announces_switch(words):
            return None  # "unrelated but what does phi stand for in maths"
        if len(focus.compared) >= 2:
            return None  # "what if we switch to a chat assistant?" weighs the sides again
        readings = [
            among
            for about in self._about(topic, focus)
            if (among := self._among(text, about, focus)) is not None
        ]
        return max(readings, key=lambda u: u.decision.top.score, default=None)

    def _answered_elsewhere(self, text: str, plain: Decision, topic: Topic, focus: Focus) -> bool:
        """Whether the message's own answer lies outside the families a concern may be about
        and names no topic: "our product terms get mangled though" after Translator reads on its
        own as Custom Speech, but concerns Custom Translator."""
        top = plain.top
        if top is None or self.against.router.named_topics(text):
            return False
        return not any(self.against.near(top, about) for about in self._about(topic, focus))

    def _about(self, topic: Topic, focus: Focus) -> list[Topic]:
        """What a concern may be about: the focus topic, and the topic of the answer given
        last when that was another's (Custom Translator, answered after Volkswagen's story)."""
        answered = self.against.answered_last(focus)
        if answered is None or answered.id == topic.id or answered.kind not in FOCUS_KINDS:
            return [topic]
        return [topic, answered]

    def _among(self, text: str, topic: Topic, focus: Focus) -> Understood | None:
        """The concern's likely reading among the topic's family: the topic, a related one, or
        an intent whose text names it ("our docs are full of internal jargon tho" after Custom
        Translator: how it differs from Custom Speech, both trained on your terms)."""
        among = self.against.among_focus(text, topic, focus)
        found = among.decision.top if among is not None else None
        if found is None or found.score < _OBJECTION_LIKELY:
            return None
        if not self.against.near(found, topic):
            return None
        return among

    def objects(self, words: list[str]) -> bool:
        """Whether the message states a concern: it says one of `objections` and does not
        open by asking (unless the concern opens it: "what if …")."""
        found = first_cue(words, self._objections)
        if found is None:
            return False
        start = 0
        while start < len(words) and words[start] in _OPENERS:
            start += 1
        # no objection is an opener: the first one found stands at `start` if any does
        return found[0] == start or (start < len(words) and words[start] not in ASKING_WORDS)
