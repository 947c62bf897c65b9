"""Other stories: "anything on translation?" or "and for translation?" after a customer story
asks for the one other story about what the message names (Volkswagen's, whose story relates to
the translators), not for the service itself."""

from __future__ import annotations

import dataclasses

from bot.core.context.cues import Cues
from bot.core.context.focus import Understood
from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Match, Outcome

_MAX_WORDS = 10
"""A request for another story is this short at most."""
_ANOTHER = frozenset(
    {
        "any",
        "anything",
        "another",
        "other",
        "others",
        "something",
        "example",
        "examples",
        "anyone",
        "anybody",
        "someone",
        "somebody",
    }
)
"""Words asking for more of the same kind ("anything on …", "another one for …", "a finance
example that used search?", "anyone in logistics?"); so does "one" unless it points back ("and
one that used AI Studio?", not "what was that one about?")."""
_POINTING = frozenset({"that", "this", "the", "which", "last", "first"})
_OTHER = frozenset({"other", "another", "outside", "besides", "else", "different"})
"""Words asking for a story other than the one in focus, about the same service too."""


class Stories:
    """Reads a short request for another customer story while a story is in focus."""

    def __init__(self, kb: KnowledgeBase, router: HybridRouter, cues: Cues) -> None:
        self.router = router
        self.cues = cues
        self._stories = [t for t in kb.topics.values() if t.kind is Kind.CUSTOMER_STORY]

    def read(self, text: str, words: list[str], topic: Topic, plain: Decision) -> Understood | None:
        """The one other story relating to what the message names or is answered by on its
        own; None when the focus is no story, the message asks for no other one, or not
        exactly one story fits."""
        if topic.kind is not Kind.CUSTOMER_STORY or len(words) > _MAX_WORDS:
            return None
        if (
            _ANOTHER.isdisjoint(words)
            and not _asks_for_one(words)
            and not self.cues.elliptical(words)  # "and for translation?"
        ):
            return None
        named = set(self.router.named_topics(text))
        top = plain.top
        if plain.outcome is not Outcome.NONE and top is not None:
            answered = top.intent.topic
            if answered.kind is Kind.CUSTOMER_STORY and answered.id != topic.id:
                # "… for search in client service?"; "anything in the building tech space?",
                # the likeliest reading of an unsure one
                decision = dataclasses.replace(plain, outcome=Outcome.ANSWER)
                return Understood(decision, context="refers")
        if plain.outcome is Outcome.ANSWER and top is not None:
            named.add(top.intent.topic.id)  # "anything on translation?": the translators
        named -= {story.id for story in self._stories}  # a story itself is read as before
        if not named or (not named.isdisjoint(topic.related) and _OTHER.isdisjoint(words)):
            # nothing named, or what the story in focus is about already, without asking for
            # another of its stories ("and any with azure openai outside healthcare?" does)
            return None
        fitting = [
            story
            for story in self._stories
            if story.id != topic.id and not named.isdisjoint(story.related)
        ]
        if len(fitting) != 1:
            return None
        match = Match(self.router.intent(fitting[0].id), 1.0)
        return Understood(Decision(text, Outcome.ANSWER, (match,)), context="refers")


def _asks_for_one(words: list[str]) -> bool:
    """Whether the message says "one" not pointing back at one ("and one that used …?")."""
    return any(
        w == "one" and (i == 0 or words[i - 1] not in _POINTING) for i, w in enumerate(words)
    )
