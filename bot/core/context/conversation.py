"""`Conversation`: the decision for a message given the conversation's focus.

The message is read on its own first (bot/core/reading.py); with a focus, each kind of context
is tried in turn, the first that reads the message deciding it: a return ("back to …"), a
correction, another customer story ("anything on translation?"), an ordinal or side, a topic the
last answer named, a follow-up, a comparison, a definition of another topic, a short question a
passage of the focus topic says; then a message that does not refer back is read by `Implicit`,
one that does by `References`. Requests to act, for figures the knowledge never quotes or about
ArchBot itself are declined with the focus kept.
"""

from __future__ import annotations

import dataclasses
import re

from bot.core.compare import Comparer
from bot.core.context.against_focus import FocusReader
from bot.core.context.analogues import Analogues
from bot.core.context.comparisons import Comparisons
from bot.core.context.corrections import Corrections
from bot.core.context.cues import WORD, Cues
from bot.core.context.ellipses import Ellipses
from bot.core.context.focus import Focus, Understood
from bot.core.context.followups import FollowUps
from bot.core.context.implicit import Implicit
from bot.core.context.last_answer import LastAnswer
from bot.core.context.listing import enumeration, lists_topics, users_list
from bot.core.context.names import TopicNames
from bot.core.context.objections import Objections
from bot.core.context.ordinals import Ordinals
from bot.core.context.references import References
from bot.core.context.returns import Returns
from bot.core.context.stories import Stories
from bot.core.guidance import (
    GuidanceReader,
    answers_at_least,
    declined_by_name,
    is_walkthrough,
)
from bot.core.hybrid import HybridRouter
from bot.core.kb import Intent, Kind, KnowledgeBase, Topic
from bot.core.passages import TopicPassages
from bot.core.reading import CLOSING_TOPICS, HELP_TOPIC, MessageReader, question_sentences
from bot.core.router import Decision, Match, Outcome
from bot.core.text import asks_nothing, looks_like_question, strip_mentions

_SURE_HELP = 0.9
_SURE_OWN = 0.95
"""A message answered on its own this surely is no end of the last question."""
_HELP_WORDS = 3
"""A message this short that asks for help this surely ("help", "help pls") gets the help,
whatever the conversation's focus ("help" is said by some answers too)."""
_SAID_LAST_WORDS = 6
"""A question pointing back at what the last answer said is this short at most."""
_NAME_LETTERS = 5
"""A word the knowledge never uses names something of its own from this length on ("catboost");
a shorter one is often an abbreviation of a name it knows ("sk", "dbx")."""


class Conversation:
    """Reads messages in the context of the conversation's focus."""

    def __init__(self, kb: KnowledgeBase, router: HybridRouter, comparer: Comparer) -> None:
        self.kb = kb
        self.router = router
        self.comparer = comparer
        cues = Cues(kb.conversation)
        names = TopicNames(kb, router)
        self.reader = MessageReader(kb, router, comparer)
        passages = TopicPassages(
            kb, router.intents, router.normalizer, router.terms.idf, router.topic_name_terms
        )
        self.guidance = GuidanceReader(kb, router, self.reader)
        against = FocusReader(kb, router, self.reader, passages, cues, names)
        followups = FollowUps(kb, router, comparer, cues, names, against)
        ellipses = Ellipses(kb, router, self.reader, cues, against)
        last_answer = LastAnswer(router, cues, names, against)
        self._cues = cues
        self._returns = Returns(kb, router, against)
        self._corrections = Corrections(kb, router, names, last_answer, against)
        self._ordinals = Ordinals(kb, router, followups, last_answer, against)
        self._last_answer = last_answer
        self._followups = followups
        self._comparisons = Comparisons(kb, router, comparer, cues, names, last_answer)
        self._ellipses = ellipses
        self._implicit = Implicit(kb, router, passages, against)
        self._analogues = Analogues(kb, router, cues, names, against)
        self._objections = Objections(kb, cues, against)
        self._stories = Stories(kb, router, cues)
        self._references = References(kb, router, cues, names, followups, ellipses, against)
        self._listings: dict[str, tuple[str, ...]] = {}
        """The items each intent's answer lists (`enumeration`), by intent id."""

    def route(self, text: str) -> Decision:
        """A message on its own (bot/core/reading.py)."""
        return self.reader.route(text)

    def announces_return(self, text: str) -> bool:
        """Whether the message announces a return to a topic discussed before ("back to …")."""
        return self._returns.announces(text)

    def understand(self, text: str, focus: Focus) -> Understood:
        """The decision for a message given the conversation's focus."""
        counted = self._counted_in_focus(text, focus)  # "roughly how many are there?"
        if counted is not None:
            return counted
        defined = self.reader.quoted_definition(text)
        if defined is not None:
            return Understood(defined)  # "what does 'scoring' mean here": whatever the focus
        understood = self._understand(text, focus)
        if understood.context is None and _closes(understood.decision):
            return understood  # "cool, makes sense": nothing in it asks about the last answer
        understood = self._with_situation_told(text, focus, understood)
        understood = self._said_in_last_answer(text, focus, understood) or understood
        understood = self._asked_in_context(text, focus, understood)
        understood = self._corrected_further(text, focus, understood)
        if (
            understood.context is None
            and not _asks_help(understood.decision)
            and not answers_at_least(understood.decision, _SURE_OWN)
        ):
            # "so what are parameters" after how many make a model large: a question of its own
            understood = self._ellipses.end_of_last_question(text, focus) or understood
        decision = understood.decision
        unknown = self.reader.unstated_figure(text, decision)  # "how many dims is …?"
        if unknown is not None and understood.context is not None:
            stated = self._figure_stated_on_its_own(text)
            if stated is not None:
                return stated  # "how many models are in there?": the catalog's 1,600
        unknown = unknown or self.reader.unknown_detail(text, decision)  # "… klingon?"
        if unknown is not None:
            return Understood(unknown)
        guessed = decision.outcome is Outcome.AMBIGUOUS
        if (is_walkthrough(decision) or guessed) and self.guidance.off_subject(text):
            # "can you recommend an architecture firm to redo our kitchen?": declined, not the
            # walkthrough's introduction; nor a "did you mean" of unrelated guesses ("a degree
            # in building architecture or civil engineering?")
            return Understood(dataclasses.replace(decision, outcome=Outcome.NONE))
        return self._with_listing(text, self._comparisons.side_asked(text, understood))

    def _with_situation_told(self, text: str, focus: Focus, understood: Understood) -> Understood:
        """A message nothing answers, after the user told their own situation without asking
        ("we're a retailer, our inbox gets 5k emails a day" then "we want to answer the easy
        ones automatically"): the two read together, when that is answered."""
        decision = understood.decision
        if not focus.told or decision.outcome is not Outcome.NONE or understood.context:
            return understood
        if decision.top is not None and decision.top.intent.topic.kind is Kind.DECLINE:
            return understood
        together = self._understand(f"{focus.told}. {text}", focus)
        if together.decision.outcome is not Outcome.ANSWER:
            return understood
        told = dataclasses.replace(together.decision, text=text)
        return dataclasses.replace(together, decision=told, context=together.context or "told")

    def _corrected_further(self, text: str, focus: Focus, understood: Understood) -> Understood:
        """A message nothing read, with a correction's cue after a lead-in or a few words in
        ("nah i meant reading documents aloud", "sorry not the general service, i meant the
        automated option"): the correction."""
        decision = understood.decision
        topic = self.kb.topics.get(focus.topic) if focus.topic else None
        if topic is None or decision.outcome is not Outcome.NONE or understood.context:
            return understood
        if decision.top is not None and decision.top.intent.topic.kind is Kind.DECLINE:
            return understood
        if self.reader.declines_outright(text):
            return understood
        words = WORD.findall(strip_mentions(text).lower())
        corrected = self._corrections.read(words, topic, focus, self._understand, further=True)
        return corrected or understood

    def _closing(self, said: str, text: str, plain: Decision) -> Decision | None:
        """Thanks, an acknowledgement or a goodbye after an answer ("thanks, that's useful",
        "cool, makes sense", "that's it for today"): its "that" is the answer thanked, not
        asked about. The message's reading when it asks nothing, else the whole message's
        when that is sure ("nice, that's exactly what i needed"); a correction ("sorry, i
        meant …") is no thanks, and "fine. what's it good for" asks."""
        # "thanks, that's useful": thanks, not "that's useful" (routed apart only when set aside)
        whole = plain if said == text else self.router.route(said)
        if _closes(whole) and whole.top.score >= _SURE_OWN and not looks_like_question(said):
            return whole
        if not asks_nothing(said):
            return None
        if _closes(plain):
            return plain
        if _closes(whole) and plain.outcome is not Outcome.ANSWER:
            return whole  # "cool, makes sense": "makes sense" alone reads as nothing
        return None

    def _weighed_against_focus(
        self, text: str, words: list[str], topic: Topic
    ) -> Understood | None:
        """A message pointing back that weighs one other topic it names against the focus, when
        the knowledge compares the two ("do we have to fine-tune a model for that?" after RAG,
        "would deep learning be better for that?"): that comparison."""
        if not self._cues.refers_back(words) or not _WEIGHING.search(" ".join(words)):
            return None
        named = self.router.named_topics(text) - {topic.id}
        if len(named) != 1:
            return None
        compared = self.comparer.written(topic.id, *named)
        if compared is None or not self.router.has_intent(compared.id):
            return None
        match = Match(self.router.intent(compared.id), 1.0)
        # the pair is compared, the talk stays on the focus ("where would the vectors live?")
        decision = Decision(text, Outcome.ANSWER, (match,))
        return Understood(decision, context="compare", side=topic.id)

    def _said_in_last_answer(
        self, text: str, focus: Focus, understood: Understood
    ) -> Understood | None:
        """A short question pointing back, naming nothing, whose every word the last answer
        says ("what's it trained on?" after the base model, "trained on Microsoft-owned
        data"), read on its own as another topic: that answer again."""
        if understood.context is not None or focus.intent is None:
            return None
        if not self.router.has_intent(focus.intent):
            return None
        words = WORD.findall(strip_mentions(text).lower())
        if len(words) > _SAID_LAST_WORDS or not self._cues.first_reference(words):
            return None
        intent = self.router.intent(focus.intent)
        top = understood.decision.top
        if top is not None and top.intent.topic.id == intent.topic.id:
            return None
        if self.router.named_topics(text):
            return None
        asked = set(self.router.normalizer.normalize(text).terms)
        answered = set(self.router.normalizer.normalize(self._last_answer.said_last(focus)).terms)
        if not asked or not asked <= answered:
            return None
        decision = Decision(text, Outcome.ANSWER, (Match(intent, 1.0),))
        return Understood(decision, topic=intent.topic, context="refers")

    def _counted_in_focus(self, text: str, focus: Focus) -> Understood | None:
        """A short "how many" of nothing named ("roughly how many are there?") after an answer
        that states a number ("over 1,600 models"): that answer again."""
        if focus.intent is None or not self.router.has_intent(focus.intent):
            return None
        intent = self.router.intent(focus.intent)
        if not (self.reader.counts_nothing_named(text) and self.reader.states_figure(intent)):
            return None
        decision = Decision(text, Outcome.ANSWER, (Match(intent, 1.0),))
        return Understood(decision, topic=intent.topic, context="refers")

    def _figure_stated_on_its_own(self, text: str) -> Understood | None:
        """A question for a figure the reading in context does not state, whose own reading
        states it surely ("how many models are in there to pick from?" after agents: the
        Foundry model catalog's count)."""
        plain = self.route(text)
        if not answers_at_least(plain, _SURE_OWN) or plain.comparison is not None:
            return None
        if self.reader.unstated_figure(text, plain) is not None:
            return None
        return Understood(plain)

    def _asked_in_context(self, text: str, focus: Focus, understood: Understood) -> Understood:
        """A message with context after its question ("when shouldn't we bother with it? we
        mostly need it to know our docs") that nothing answers as a whole: its question
        sentence, read against the focus, when that refers back and is answered."""
        decision = understood.decision
        if focus.topic is None or decision.outcome is Outcome.ANSWER or understood.context:
            return understood
        if decision.top is not None and decision.top.intent.topic.kind is Kind.DECLINE:
            return understood  # declined by name ("and the aws version of it?"): kept so
        for question in question_sentences(text):
            asked = self._understand(question, focus)
            if asked.context is not None and asked.decision.outcome is Outcome.ANSWER:
                return dataclasses.replace(
                    asked, decision=dataclasses.replace(asked.decision, text=decision.text)
                )
        return understood

    def _with_listing(self, text: str, understood: Understood) -> Understood:
        """An answer with the items of the list the turn said: the user's own, else the
        answer's ("the second one" counts over them next); a turn that counted over a list
        keeps it unless its answer lists more."""
        decision = understood.decision
        if understood.followup is not None:
            return understood
        if decision.outcome is not Outcome.ANSWER or decision.top is None:
            return understood
        listing = users_list(text) or self._listed(decision.top.intent)
        if len(listing) <= len(understood.listing) or lists_topics(
            understood.listing, self.router.named_topics
        ):
            # "the third one?" told PIMCO's story: "the last one" counts on; a list of topics
            # counted over ("spark in fabric, databricks and hdinsight") outlasts the answer's
            return understood
        return dataclasses.replace(understood, listing=listing)

    def _listed(self, intent: Intent) -> tuple[str, ...]:
        listed = self._listings.get(intent.id)
        if listed is None:
            listed = self._listings[intent.id] = enumeration(intent.answer)
        return listed

    def _understand(self, text: str, focus: Focus) -> Understood:
        """The message read by the first kind of context that reads it (its own reading when
        none does)."""
        said = text
        text = self.reader.correct(self.reader.without_acknowledgement(text))
        topic = self.kb.topics.get(focus.topic) if focus.topic else None
        if topic is not None:
            text = self.reader.without_set_aside(text)
        plain = self.route(text)
        closing = None if topic is None else self._closing(said, text, plain)
        if closing is not None:
            return Understood(closing)  # "cool, makes sense": its "that" is no reference
        outright = self.reader.declines_outright(text)
        named = None if outright else self._followups.of_named(text)
        if named is not None:
            return named  # "what are the downsides of Databricks?": its when-not-to-use
        if topic is None or outright:
            # "great, now deploy it for us", "sorry, I meant: what does it cost per TB?", "and
            # who built you?" after what OneLake is built on: declined, focus kept
            return Understood(plain)
        words = WORD.findall(strip_mentions(text).lower())
        if len(words) <= _HELP_WORDS and _asks_help(plain):
            return Understood(plain)  # "help": the help, whatever the focus
        returned = self._returns.read(text, words, focus)
        if returned is not None:
            return returned
        corrected = self._corrections.read(words, topic, focus, self._understand)
        if corrected is not None:
            return corrected
        if declined_by_name(self.router, plain):
            # "pinecone or weaviate: which is cheaper?" chooses no side; "how does pinecone
            # serverless pricing work?" after RAG is no follow-up on it
            return Understood(plain)
        if (
            plain.outcome is Outcome.NONE
            and not self._cues.refers_back(words)
            and self._cues.ellipsis_cue(words) is None
            and (
                self.reader.names_the_unknown(text, _NAME_LETTERS)
                or self.reader.names_the_declined(text, _NAME_LETTERS)
            )
            and not self.router.named_topics(text)
        ):
            # "which is better for tabular, lightgbm or catboost?" after a comparison, "how does
            # pinecone serverless pricing work?" after RAG: about what the knowledge never names
            # or only declines, not about the focus ("can we do polish to czech with it?", "and
            # dbx's pitch?", "i meant autogen, not SK" and "can custom translator go japanese →
            # korean directly" are)
            return Understood(plain)
        weighed = self._weighed_against_focus(text, words, topic)
        if weighed is not None:
            return weighed  # "do we have to fine-tune a model for that?" after RAG
        story = self._stories.read(text, words, topic, plain)
        if story is not None:
            return story  # "anything on translation?" after a customer story: Volkswagen's
        ordinal = self._ordinals.read(text, words, topic, focus, plain, self._understand)
        if ordinal is not None:
            return ordinal
        asked = self._followups.find(words)
        _, only_followup = asked
        named = (
            self._last_answer.that_one(text, words, focus)
            # "what's it good for?" is nothing but a follow-up: about the focus topic, not one
            # its last answer named ("the Azure Databricks store for embeddings")
            or (
                None
                if only_followup
                else self._last_answer.named_in_answer(text, words, topic, focus, plain)
            )
            or self._references.own_aspect(text, words, topic, plain)
        )
        if named is not None:
            return named
        followed = self._followups.read(text, words, topic, plain, focus, asked)
        if followed is not None:
            return followed
        analogue = self._analogues.read(words, focus, plain)
        if analogue is not None:
            return analogue  # "anything similar for genai safety?" after the RAI dashboard
        objection = self._objections.read(text, words, topic, plain, focus)
        if objection is not None:
            return objection  # "half my team can't code though" after Fabric Data Factory
        compared = self._comparisons.read(text, words, topic, focus, plain)
        if compared is not None:
            return compared
        if plain.comparison is not None:
            return Understood(plain)
        defined = self._implicit.definition(words, topic, plain)
        if defined is not None:
            return defined
        said = self._implicit.said_of_focus(text, words, topic, plain)
        if said is not None:
            return said
        if not self._cues.refers_back(words):
            return self._implicit.read(text, words, topic, plain, focus)
        return self._references.read(text, words, topic, plain, focus)


_WEIGHING = re.compile(
    r"\b(?:better|worse|have to|need to|should we|should i|instead|rather|overkill)\b"
)
"""Words by which a message weighs one option against another."""


def _closes(decision: Decision) -> bool:
    """Whether a message is read as thanks, an acknowledgement or a goodbye."""
    top = decision.top
    return (
        decision.outcome is Outcome.ANSWER
        and top is not None
        and top.intent.topic.id in CLOSING_TOPICS
    )


def _asks_help(decision: Decision) -> bool:
    """Whether a message is read, surely, as asking for help ("help", "help pls")."""
    top = decision.top
    return (
        decision.outcome is Outcome.ANSWER
        and top is not None
        and top.intent.topic.id == HELP_TOPIC
        and top.score >= _SURE_HELP
    )
