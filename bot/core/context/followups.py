"""Follow-ups (knowledge/conversation.yaml's `followups`): a short message asking something of
the topic in focus ("when should I not use it?", "who uses it?", "how does it compare?"),
answered from the focus topic's own part when it has one (bot/core/context/parts.py), else
routed again with the focus topic's name. Matched loosely (rapidfuzz), and with the polarity
of the phrase: "when wouldn't I use it?" is not "when should I use it?". The same phrase naming
its topic ("what are the drawbacks of OneLake?") is asked of that topic, focus or not."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot.core.compare import Comparer
from bot.core.context.against_focus import FocusReader
from bot.core.context.cues import WORD, Cues, existential
from bot.core.context.focus import FOCUS_KINDS, Focus, Understood, answers_a_question
from bot.core.context.names import TopicNames
from bot.core.context.parts import (
    compared_with,
    has_part,
    home_of,
    lists_stories,
    service_of,
    stories_for,
)
from bot.core.hybrid import HybridRouter
from bot.core.kb import FollowUp, Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Match, Outcome

_FOLLOWUP_CUTOFF = 84.0
"""How closely (rapidfuzz token-set ratio, 0–100) a message must match a follow-up phrase."""
_FOLLOWUP_EXACT = 90.0
"""A message this close (rapidfuzz ratio) to a follow-up phrase as a whole is that follow-up."""
FOLLOWUP_MAX_WORDS = 12
"""A follow-up is short: a longer message is a question of its own."""
_FRAGMENT_WORDS = 3
"""A message this short that names no topic is a fragment of the talk ("what use cases?")."""
_SPECIFIC_SURE = 0.95
"""A message this surely one question of the focus's family is that question, not a follow-up
phrase it resembles."""
_STORY_AMONG = 3
_STORY_TOLD = 0.8
"""A request for a customer story is for the story among the message's first readings this
likely ("is there a customer story in logistics?"), not the focus topic's own."""
_NAMED_PARTS = frozenset({"when_to_use", "when_not_to_use", "story"})
"""The follow-ups a question naming its topic asks as plainly ("what is prompt flow good for?",
"what are the downsides of Databricks?", "who uses AI Foundry?"), focus or not."""
_NAMED_EXTRA_WORDS = 2
"""Such a question says every word of the follow-up's phrase, and at most this many more."""
_PAIR = frozenset({"two", "both"})
"""Words for the two topics compared last ("a doc comparing the two")."""
_NEGATIONS = frozenset({"not", "never", "no", "nor"})
_NT = frozenset({"dont", "doesnt", "isnt", "shouldnt", "wouldnt", "cant", "wont", "arent"})
"""Negations typed without their apostrophe."""


class FollowUps:
    """Finds the follow-up a message asks, and answers it."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        comparer: Comparer,
        cues: Cues,
        names: TopicNames,
        against: FocusReader,
    ) -> None:
        self.kb = kb
        self.router = router
        self.comparer = comparer
        self.cues = cues
        self.names = names
        self.against = against
        self._phrases: list[str] = []
        """Every follow-up phrase, as a message's words are matched against it."""
        self._of: list[FollowUp] = []
        """The follow-up each phrase of `_phrases` asks."""
        for followup in kb.conversation.followups:
            for phrase in followup.phrases:
                # apostrophes left out: "shouldnt" is typed as often as "shouldn't"
                self._phrases.append(" ".join(WORD.findall(phrase.lower())).replace("'", ""))
                self._of.append(followup)
        self._with_word: dict[str, list[int]] = {}
        """The phrases (positions in `_phrases`) holding each word, in order."""
        for position, phrase in enumerate(self._phrases):
            for word in dict.fromkeys(phrase.split()):
                self._with_word.setdefault(word, []).append(position)
        self._named = [
            (frozenset(phrase.split()), followup)
            for phrase, followup in zip(self._phrases, self._of, strict=True)
            if followup.answer in _NAMED_PARTS
        ]
        """The phrases of the follow-ups a question naming its topic asks (`of_named`), as
        word sets."""

    def read(
        self,
        text: str,
        words: list[str],
        topic: Topic,
        plain: Decision,
        focus: Focus,
        asked: tuple[FollowUp | None, bool],
    ) -> Understood | None:
        """The follow-up a message asks (`asked`, as `find` found it: "when should I not use
        it?"), answered about the focus topic or about the topic the message names (None: it
        asks none, or is a question of its own)."""
        stands_alone = (
            plain.outcome is Outcome.ANSWER
            and plain.top is not None
            and plain.top.intent.topic.kind is not Kind.SMALLTALK  # "… bother …" is no apology
            and not self.cues.refers_back(words)
            # "what use cases?" names nothing: a fragment about the focus, not a question
            and (len(words) > _FRAGMENT_WORDS or bool(self.router.named_topics(text)))
        )
        followup, exact = asked
        if followup is None:
            return None
        if followup.answer == "service":
            # "which service is that part of?" after AutoML answered within Azure Machine
            # Learning: the tool answered last runs in the service
            last = self.against.answered_last(focus)
            if last is not None and last.id != topic.id and self.serves(last):
                topic = last
            elif not self.serves(topic):
                return None  # "which service would we train it in?" after ML vs deep learning
        pointing = [i for i in self.cues.refer_positions(words) if not existential(words, i)]
        if followup.answer == "story" and not pointing:
            told = self.story_told(plain, topic)
            if told is not None:
                return told  # "is there a customer story in logistics?" after GPT: C.H. Robinson
        if not exact and self.specific_near(plain, topic):
            return None  # "what storage does it work with?" is not "how does it work?"
        subject = self.subject(words, topic) if not exact else None
        if subject is not None:
            # "Copilot Studio, what is it for?" after Fabric: the follow-up is about the topic
            # the message names first, which its own reading answers when it can
            if plain.outcome is Outcome.ANSWER:
                return Understood(plain)
            return self.answer(text, followup, subject, plain, focus)
        # "what would we use to do the same?" after a customer story names nothing to refer
        # back with, and is still about the story
        after_story = followup.answer == "service"
        named = self.named_of_family(text, topic, focus)
        if (
            named is not None
            and followup.answer
            and pointing
            and self.against.named_first(words, named)
        ):
            # "and deep learning - when is that worth it" after machine learning: the follow-up
            # is about the related topic it names before pointing back
            return self.answer(text, followup, named, plain, focus)
        if exact or not stands_alone or after_story:
            return self.answer(text, followup, topic, plain, focus)
        # "give me an example where normal ML is enough" after ML vs deep learning: the
        # follow-up, about the topic of the focus's family the message names
        if named is not None and followup.answer:
            return self.answer(text, followup, named, plain, focus)
        if named is not None:  # read among the named topic's own parts
            own = [
                m
                for m in self.router.rank_among(text, (named.id,))
                if m.intent.topic.id == named.id
            ]
            if own:
                decision = Decision(text, Outcome.ANSWER, tuple(own[:4]))
                return Understood(decision, topic=named, context="refers")
        return None

    def serves(self, topic: Topic) -> bool:
        """Whether "which service …?" has an answer for the topic: the service its customer
        story is about, or the one it runs in."""
        return service_of(self.kb, topic) is not None or home_of(self.kb, topic) is not None

    def story_told(self, plain: Decision, topic: Topic) -> Understood | None:
        """The customer story a request for one describes by itself (its industry, its
        customer), when the message reads as that story at least `_STORY_TOLD` likely and the
        focus topic would tell another first."""
        told = next(
            (
                m
                for m in plain.matches[:_STORY_AMONG]
                if m.intent.topic.kind is Kind.CUSTOMER_STORY
                and m.score >= _STORY_TOLD
                and not lists_stories(self.kb, m.intent.topic)
            ),
            None,
        )
        if told is None or told.intent.topic in stories_for(self.kb, topic)[:1]:
            return None
        decision = Decision(plain.text, Outcome.ANSWER, (told,))
        return Understood(decision, context="refers")

    def of_named(self, text: str) -> Understood | None:
        """A follow-up asked of the one topic the message names ("what is prompt flow good
        for?" is "what is it good for?" about prompt flow), answered from that topic's part."""
        lowered = text.lower()
        if self.cues.refers_back(WORD.findall(lowered)):
            return None  # "why would I pick it over GPT-4o?": "it" is the subject
        # a topic's longest name said ("ai foundry", not the "foundry" inside it)
        spans = self.names.outermost(lowered)
        if len(spans) != 1:
            return None
        ((topic_id, (start, end)),) = spans.items()
        words = [w.replace("'", "") for w in WORD.findall(f"{lowered[:start]} it {lowered[end:]}")]
        said, negated = set(words), _negated(words)
        # every word of the phrase said, of the message's polarity, at most a few words more
        # ("what is it?" is no "what is it good for?"; a longer message asks more)
        found = max(
            (
                (len(phrase), followup)
                for phrase, followup in self._named
                if phrase <= said
                and len(words) <= len(phrase) + _NAMED_EXTRA_WORDS
                and _negated(phrase) == negated
            ),
            default=None,
            key=lambda found: found[0],
        )
        if found is None:
            return None
        followup = found[1]
        topic = self.kb.topics[topic_id]
        match = Match(self.router.intent(topic.id), 1.0)
        decision = Decision(text, Outcome.ANSWER, (match,))
        if followup.answer == "when_to_use":
            return Understood(decision)  # the topic's own answer says when to use it
        if not has_part(self.kb, topic, followup.answer):
            return None
        # "who uses AI Foundry?" tells C.H. Robinson's story: "they" is that customer next
        shown = self._story_told(followup, topic)
        return Understood(decision, followup=followup, topic=topic, shown=shown)

    def _story_told(self, followup: FollowUp, topic: Topic) -> str | None:
        """The customer story a follow-up's reply tells about the topic (None: it tells none)."""
        stories = stories_for(self.kb, topic) if followup.answer == "story" else []
        return stories[0].id if stories else None

    def find(self, words: list[str]) -> tuple[FollowUp | None, bool]:
        """The follow-up a short message asks, if any, and whether the message is nothing but
        the follow-up (then it is one even if it would route on its own)."""
        found = self.closest(words)
        if found is None:
            return None, False
        followup, phrase = found
        said = " ".join(w.replace("'", "") for w in words)
        return followup, fuzz.ratio(said, phrase) >= _FOLLOWUP_EXACT

    def closest(self, words: list[str]) -> tuple[FollowUp, str] | None:
        """The follow-up phrase a short message is closest to, of its polarity, sharing two
        of its words with it (or its only word: "example?"), with the follow-up it asks."""
        if not words or len(words) > FOLLOWUP_MAX_WORDS or not self._phrases:
            return None
        words = [w.replace("'", "") for w in words]
        # "when wouldn't I use it?" is not "when should I use it?": a phrase of its polarity
        negated = _negated(words)
        said = set(words)
        # only phrases sharing a word can share two (in their order: equal scores keep it)
        sharing = sorted({p for w in said for p in self._with_word.get(w, ())})
        message = " ".join(words)
        scored = process.extract(
            message,
            {p: self._phrases[p] for p in sharing},
            scorer=fuzz.token_set_ratio,
            score_cutoff=_FOLLOWUP_CUTOFF,
            limit=None,
        )
        # a phrase the message says whole beats a longer one it is part of ("what is it" is no
        # "what is it good for"); the sort is stable, so other ties keep their order
        scored.sort(key=lambda f: (-f[1], f[0] != message))
        found = next(
            (
                f
                for f in scored
                if _negated(f[0].split()) == negated
                and len(set(f[0].split()) & said) >= min(2, len(f[0].split()))
            ),
            None,
        )
        if found is None:
            return None
        return self._of[found[2]], self._phrases[found[2]]

    def answer(
        self, text: str, followup: FollowUp, topic: Topic, plain: Decision, focus: Focus
    ) -> Understood:
        """A follow-up answered from the focus topic's part — or, for a story, from the
        topic discussed just before (AutoML after Azure Machine Learning) — or routed with
        the focus topic's name."""

        def part_of(about: Topic) -> Understood:
            match = Match(self.router.intent(about.id), 1.0)
            decision = Decision(text, Outcome.ANSWER, (match,))
            shown = self._story_told(followup, about)
            return Understood(
                decision, followup=followup, topic=about, context="followup", shown=shown
            )

        as_part = part_of(topic)
        if followup.answer == "link" and not _PAIR.isdisjoint(WORD.findall(text.lower())):
            # "is there a doc comparing the two?" after Foundry vs ML studio: the comparison's page
            written = self.comparer.written(*focus.compared) if len(focus.compared) == 2 else None
            if written is not None:
                return part_of(written)
        if followup.answer == "compare":
            other = compared_with(self.kb, topic)
            comparison = self.comparer.pair(topic, other, 1.0) if other else None
            if comparison is not None:
                match = Match(self.router.intent(topic.id), 1.0)
                decision = Decision(text, Outcome.ANSWER, (match,), comparison=comparison)
                return Understood(decision, context="compare")
        if followup.answer == "service":
            # "what would we use to do the same?" after a customer story: the service it used
            # or the service a concept or tool runs in ("where does that live, like which
            # service?" after AutoML)
            service = service_of(self.kb, topic) or home_of(self.kb, topic)
            if service is None:  # a topic named in passing ("which service did VW use?")
                return self.against.with_focus(text, topic, plain) or Understood(plain)
            match = Match(self.router.intent(service.id), 1.0)
            return Understood(Decision(text, Outcome.ANSWER, (match,)), context="followup")
        if followup.answer and has_part(self.kb, topic, followup.answer):
            return as_part
        if followup.answer == "story":
            earlier = [self.kb.topics[t] for t in focus.recent[1:] if t in self.kb.topics]
            with_story = next((t for t in earlier if has_part(self.kb, t, "story")), None)
            return part_of(with_story) if with_story is not None else as_part
        routed = self.against.with_focus(text, topic, plain)
        if routed is not None:
            return routed
        return as_part if followup.answer else Understood(plain)

    def subject(self, words: list[str], topic: Topic) -> Topic | None:
        """The one topic outside the focus's family that a message names, before any word
        referring back (None when it names none, several, or only after "it")."""
        normalize = self.router.normalizer.normalize
        terms_of = [set(normalize(w).terms) for w in words]  # "ML": machine learning
        said = set().union(*terms_of)
        family = {topic.id, *topic.related, *topic.compares}
        covered = {
            t: said & self.router.topic_name_terms(t)
            for t in self.router.named_topics(" ".join(words))
            if t in self.kb.topics and self.kb.topics[t].kind in FOCUS_KINDS
        }
        # "Copilot Studio" names Copilot Studio, not also Microsoft Copilot: a name inside
        # a longer one said is not named on its own
        named = [t for t, c in covered.items() if not any(c < o for o in covered.values())]
        if len(named) != 1 or named[0] in family:
            # none, several, or one of the focus's own family ("who used machine translation
            # like that?" about Custom Translator is still about it)
            return None
        names = self.router.topic_name_terms(named[0])
        first = next((i for i, terms in enumerate(terms_of) if terms & names), None)
        if first is None:
            return None
        refers = self.cues.refer_positions(words)
        return self.kb.topics[named[0]] if not refers or first < refers[0] else None

    def named_of_family(self, text: str, topic: Topic, focus: Focus) -> Topic | None:
        """The one topic the message names among those the focus topic relates to or
        compares (None when it names none of them, or several)."""
        family = {*topic.related, *topic.compares, *focus.compared} - {topic.id}
        named = [t for t in self.router.named_topics(text) if t in family and t in self.kb.topics]
        return self.kb.topics[named[0]] if len(named) == 1 else None

    def specific_near(self, plain: Decision, topic: Topic) -> bool:
        """Whether the message on its own is, near surely, one specific question of the focus
        topic or a related one."""
        top = plain.top
        return (
            top is not None
            and answers_a_question(plain, _SPECIFIC_SURE)
            and self.against.near(top, topic)
        )


def _negated(words: Sequence[str]) -> bool:
    """Whether words say "not" ("not", "never", "no", "wouldn't")."""
    return any(w in _NEGATIONS or w in _NT or w.endswith("n't") for w in words)
