"""Requests for guidance: whether a message asks for the architecture walkthrough.

A message asks for guidance when the recognizer answers it with the walkthrough topic, when it
says one of the guidance cues of knowledge/guidance.yaml (words in order, a little apart), when it
pairs a word asking for advice with a word for what is being designed, or when one of its clauses
reads as the walkthrough topic on its own ("help me pick an architecture: we have scanned
invoices …"). Comparisons, requests to act and requests a decline topic answers never start it;
nor does advice asked on a comparison the message names both sides of ("databricks vs fabric for
our platform, thoughts?"), unless a cue asks for the walkthrough.
A request for guidance on a need the recognizer answers gets that answer first, then the
walkthrough: a request for advice on any answer ("… what would you use to pull the fields out?"),
a request for a design on a sure one ("spark models score a billion rows nightly: what's the
right setup?"). One that asks to explain something or is a short question naming a service gets
its answer, with the walkthrough offered. Plain Python: the dialog layer decides what to do.
"""

from __future__ import annotations

import re
from enum import Enum

from bot.core.hybrid import HybridRouter
from bot.core.kb import Kind, KnowledgeBase
from bot.core.reading import ACTIONS_TOPIC, MessageReader, question_sentences
from bot.core.router import Decision, Outcome
from bot.core.text import LEAD_IN, opens_with_question, stem, strip_mentions

WALKTHROUGH_TOPIC = "walkthrough"
"""The action topic whose answer starts the guided walkthrough."""
_CUE_GAP = 2
"""Words allowed between two words of a guidance cue."""
_SURE = 0.9
"""A need answered this surely, by a request that asks to explain it or about one service, is
answered without the walkthrough ("how would you explain RAG to a manager?"); by advice asked
with a design word, before it."""
_LIKELY = 0.7
"""A need answered this likely is answered before the walkthrough even when the request asks
for a design; a less likely answer comes first only for a request that asks for none."""
_SCARCELY = 0.2
"""A declined message whose best topic scores under this is scarcely about the knowledge."""
_DEFINED_WITHIN = 4
"""A topic named this many words after a verb asking to explain it is what it asks to explain."""
_SERVICE_QUESTION_WORDS = 14
"""A question about one service is this short at most; a longer message describes a project."""
_OWNERS = frozenset({"my", "our", "the"})
"""Words before a word of guidance.yaml's `teams` that make it the user's own people."""
_TEAM = frozenset({"we", "our"})
"""Stems by which a message speaks of the user's own team."""
_OURS = frozenset({"we", "our", "us"})
"""Stems by which a question is about the user's own project."""
_WHICH = frozenset({"what", "which", "where"})
"""Words opening a question that chooses (with guidance.yaml's `which` class: "whats")."""
_CHOOSING_VERBS = frozenset(stem(w) for w in ("choose", "pick", "decide", "select"))
"""Verbs by which a message about the user's own project asks to choose."""
_BARE_WHICH = 3
"""A question this short opening with "which" ("which one?") chooses among what the rest of
the message names ("lost on tooling for our llm app — which one?")."""
_BEFORE_OFFERING = frozenset({"is", "the", "a", "best", "right", "good", "ideal"})
"""Words between a question's opening and the offering it asks to choose ("what's the best
option for …")."""
_DOCUMENT_BEFORE = frozenset(
    {"a", "an", "the", "any", "some", "decision", "design", "official", "this", "that"}
)
"""Words before a word of guidance.yaml's `documents` that make it a document named ("a
decision guide"), not a verb ("guide us")."""
_ADVISING = frozenset({"should", "would"})
"""Modals by which a question asks for advice ("where should we …"), not a fact or a capability
("what do we …", "what could genai do …")."""
_REQUEST_MARGIN = -0.1
"""A message this close in meaning to the walkthrough topic's phrases, against the nearest
topic of knowledge (cosines of static embeddings), asks for guidance even with no cue: 1.4% of
the tuning sets' questions come this near."""
_SERVICE_KINDS = frozenset({Kind.SERVICE, Kind.PLATFORM, Kind.TOOL})
"""Topics whose names make a question one about that service."""
_NOT_KNOWLEDGE = frozenset({Kind.ACTION, Kind.DECLINE, Kind.SMALLTALK})
"""Topics that are not knowledge of a service or concept."""
_KNOWLEDGE_KINDS = frozenset(Kind) - _NOT_KNOWLEDGE
"""Topics of knowledge: what a request's meaning is weighed against."""
_OFF_SUBJECT_WORDS = 2
_OFF_SUBJECT_SHARE = 0.5
"""A request for guidance with at least this many, and this share, of its words unknown to the
knowledge, and no subject word, is about something else."""
_CLASS_IN_CUE = re.compile(r"\{[a-z_]+\}")
_CUE_WORD = re.compile(r"\{[a-z_]+\}|[a-z0-9']+")
_CLASS = re.compile(r"^\{([a-z_]+)\}$")
_SENTENCES = re.compile(r"[.:;!?\n\u2600-\u27bf\U0001f300-\U0001faff]+|\s[-–—]\s")
"""Where a message's clauses part (for a walkthrough request inside a description): stops, dashes
and emoji."""
_WORD = re.compile(r"[a-z0-9']+")
_INDEFINITE = frozenset({"a", "an"})
_KIND_AFTER = 3
"""A name within this many words after "a" or "an" says a kind of thing, not the product:
"helpdesk wants a copilot", "a sales copilot for our reps", "an IT helpdesk copilot"."""
_CLAUSES = re.compile(rf"{_SENTENCES.pattern}|,")
"""Where a message's clauses part, commas too ("…, we're on databricks already")."""
_ON_ALREADY = re.compile(
    r"(?:we'?re|we are|we'?ve|we have|we use|we run|our (?:team|stack|platform) is)\b", re.I
)
"""A clause saying what the team already is on or uses ("we're an hdinsight shop")."""


_USING_OUTRIGHT = (
    r"^(?:what|which)\b.*\b(?:(?:should|would)\b.*\b(?:use|fit|suit|go with|pick|add)|"
    r"(?:fits|suits|makes sense)\b)"
    r"|^what (?:do|can|could) (?:we|i) use\b|\bwhat are (?:our|my) options\b"
    r"|\bwhat(?:'s| is) the (?:best )?(?:path|route|way to go)\b"
    r"|^which (?:platform|service|tool|option|product|stack)\W*$"
    r"|^where (?:do|can) (?:we|i) (?:build|do|run|train|host)\b"
    r"|^which (?:azure )?(?:platform|service|tool|option|product)s? for\b"
    r"|^what(?:'s| is) the (?:right|best) (?:azure )?(?:platform|service|tool|option|product)\b"
)
_USING = re.compile(_USING_OUTRIGHT + r"|\b(?:guidance|advice|ideas)\W*$")
"""A clause asking which offering to use, whoever for ("what should a non-dev team use to build
a customer bot?", "which model option makes sense for an offline assistant?", "what do we use",
"what are our options", "what's the path?", a closing "which platform?", "which stack?" or
"guidance?", "which azure option for our spark jobs?", "what's the right service for …"), or
where to build or run the team's work ("where do we build our llm pipeline")."""
_USING_ASKED_OUTRIGHT = re.compile(_USING_OUTRIGHT)
"""`_USING` without a closing "ideas?" or "advice?", which may follow a problem to fix ("kafka
lag keeps growing, ideas?") as well as a choice to make."""


def _asks_what_to_use(text: str, using: re.Pattern[str] = _USING) -> bool:
    """Whether a clause of the message ("we already have spark clusters, what should we add for
    ml?") asks what to use or what fits, or where to build or run (`_USING`)."""
    return any(
        using.search(re.sub(LEAD_IN, "", clause.lower().lstrip()))
        for clause in _CLAUSES.split(strip_mentions(text))
    )


class Request(Enum):
    """What a request for guidance gets."""

    WALKTHROUGH = "walkthrough"
    ANSWERED = "answered"
    """A question the knowledge answers surely, put as a request for advice ("how would you
    explain RAG to a manager?", "Databricks vs Fabric for our platform, thoughts?"): the answer,
    with the walkthrough offered."""
    ANSWER_FIRST = "answer first"
    """Advice on a need the knowledge answers ("… what would you use to pull the fields out?"):
    the answer, then the walkthrough to fit it to the team."""


class GuidanceReader:
    """Tells whether a message asks for the walkthrough, from the knowledge's guidance cues."""

    def __init__(
        self,
        kb: KnowledgeBase,
        router: HybridRouter,
        reader: MessageReader,
    ) -> None:
        self.kb = kb
        self.router = router
        self.reader = reader
        cues = kb.conversation
        self._design = frozenset(stem(w) for w in cues.guidance_design)
        self._not_after = frozenset(stem(w) for w in cues.guidance_design_not_after)
        self._not_before = frozenset(stem(w) for w in cues.guidance_design_not_before)
        self._teams = frozenset(stem(w) for w in cues.guidance_teams)
        self._needing = frozenset(stem(w) for w in cues.guidance_needing)
        self._asks_not = frozenset(cues.guidance_asks_not)
        self._defining = frozenset(stem(w) for w in cues.guidance_defining)
        classes = {
            "design": self._design,
            "designing": frozenset(stem(w) for w in cues.guidance_designing),
            **{name: frozenset(stem(w) for w in words) for name, words in cues.guidance_classes},
        }
        self._plain = frozenset(stem(w) for w in kb.vocabulary.stopwords)
        self._strong = _CueIndex(cues.guidance, classes, self._plain)
        self._weak = _CueIndex(cues.guidance_weak, classes, self._plain)
        self._asks = {stem(w) for w in cues.guidance_asks}
        self._which = classes.get("which", frozenset()) | _WHICH
        self._chosen = (
            frozenset(stem(w) for w in (*cues.guidance_offerings, *cues.guidance_choosing))
            | self._design
        )
        self._advice_or_choice = self._asks | {stem(w) for w in cues.guidance_choosing}
        self._offering_words = frozenset(cues.guidance_offerings)
        # generic phrases of several words name a thing ("use case"): none of their words asks
        self._generic_names = tuple(
            tuple(stem(w) for w in phrase.split())
            for phrase in cues.guidance_generic
            if " " in phrase
        )
        self._objects = {stem(w) for w in cues.guidance_objects} | self._design
        walkthrough = kb.topics.get(WALKTHROUGH_TOPIC)
        phrases = (*walkthrough.phrases, *walkthrough.aliases) if walkthrough else ()
        self._walkthrough_terms = frozenset(
            t for p in phrases for t in router.normalizer.normalize(p).terms
        )
        self._walkthrough_intent = frozenset(
            i
            for i, intent in enumerate(router.lexical.intents)
            if intent.topic.id == WALKTHROUGH_TOPIC and intent.question is None
        )
        self._answers_at = router.lexical.thresholds.answer
        normalize = router.normalizer.normalize
        self._subjects = frozenset(t for w in cues.guidance_subjects for t in normalize(w).terms)
        self._choosing = frozenset(t for w in cues.guidance_choosing for t in normalize(w).terms)
        self._offerings = frozenset(t for w in cues.guidance_offerings for t in normalize(w).terms)
        self._documents = frozenset(stem(w) for w in cues.guidance_documents)
        self._no_need = (
            self._choosing
            | self._offerings
            | frozenset(t for w in cues.guidance_generic for t in normalize(w).terms)
        )
        asking = (
            *cues.guidance_asks,
            *cues.guidance_objects,
            *cues.guidance_design,
            *cues.guidance_designing,
            *(_CLASS_IN_CUE.sub(" ", c) for c in (*cues.guidance, *cues.guidance_weak)),
            *(w for _, words in cues.guidance_classes for w in words),
        )
        self._asking_terms = frozenset(t for w in asking for t in normalize(w).terms)
        lexical = router.lexical
        self._known_terms = frozenset().union(
            *(
                lexical.terms_of(i)
                for i, intent in enumerate(lexical.intents)
                if intent.topic.kind not in _NOT_KNOWLEDGE
            )
        )

    def request(
        self,
        text: str,
        decision: Decision,
        *,
        in_context: bool = False,
        talked: bool = False,
        referring: bool = False,
    ) -> Request | None:
        """What the message's request for guidance gets (None: it asks for none), read with its
        misspelt words put right ("need soem advise on the arhitecture"). Never a comparison
        ("which approach is better, RAG or fine-tuning?"), a request a decline topic answers
        ("advise on our AKS networking"), a request to act, nor one about something other than
        AI or data ("what's the best approach to ask for a raise?"). A message the conversation's
        focus read (`in_context`) continues the talk: its answer is no prelude to the
        walkthrough ("the second option: which models fit that?"), nor is the answer to a
        question asked in its shape only ("how should we …?") once the conversation has a
        topic (`talked`). One the focus read by what it refers back to (`referring`: "could a
        tool just pick it for us?", "which platform would we train that on?") asks about that
        thing: its answer, with the walkthrough offered."""
        text = self.reader.correct(text)
        if _small_talk(decision):
            # "hey, we need to pick something for cockpit audio, can you help": the greeting
            # is answered only when nothing follows it
            rest = self.reader.without_greeting(text)
            if rest != text:
                text, decision = rest, self.reader.route(rest)
        # a request read by its meaning only opens a conversation: later, the talk goes on
        request = self._request(text, decision, by_meaning=not in_context and not talked)
        if request is None and decision.outcome is not Outcome.ANSWER:
            request = self._asked_in_a_sentence(text)
        if request is Request.WALKTHROUGH and self.off_subject(text):
            return None
        if request is Request.WALKTHROUGH and referring:
            return Request.ANSWERED
        if request is Request.ANSWER_FIRST and in_context:
            # "which platform would we train that on?" about deep learning: its answer, with the
            # walkthrough offered; other talk in context just goes on
            return Request.ANSWERED if referring else None
        if request is Request.ANSWER_FIRST and talked and not self._asks_for_a_design(text):
            return None  # "how should we choose one then?" about algorithms: the talk goes on
        return request

    def _asked_in_a_sentence(self, text: str) -> Request | None:
        """The walkthrough, when a question sentence of a longer message that nothing answers
        asks for it on its own ("which azure service would you pick for us? here's our
        situation"): what follows the request is context, and read with it the message may say
        too little of the knowledge to count as a request."""
        for sentence in question_sentences(text):
            decision = self.reader.route(sentence)
            if self._request(sentence, decision, by_meaning=False) is Request.WALKTHROUGH:
                return Request.WALKTHROUGH
        return None

    def asks_for_the_questions(self, text: str, decision: Decision) -> bool:
        """Whether a message right after an answer that offered the walkthrough's questions
        takes up the offer: a request for guidance asked outright ("help me pick the right
        architecture for this", "can you help us design the whole thing?"), not a question
        about the answer ("which model should we use for this?") nor one for guidance to read
        ("where are example designs we can look at")."""
        request = self.request(text, decision)
        return request is Request.WALKTHROUGH or (
            request is Request.ANSWER_FIRST and self._strong.said_in(self._stems(text))
        )

    def _asks_for_a_design(self, text: str) -> bool:
        """Whether the message asks for a design by a strong cue or a design word ("what
        architecture would you use?"), not only by the shape of a question ("how should we
        …?")."""
        said = self._stems(text)
        return self._strong.said_in(said) or not self._design.isdisjoint(said)

    def _stems(self, text: str) -> list[str]:
        """The message's words as stems, with design words that are part of a name and things
        named like a word of asking ("our recommender") blanked, and the user's own people said
        as "we" ("what should my team use" asks as "what should we use")."""
        words = _WORD.findall(strip_mentions(text).lower().replace("’", "'"))
        said: list[str] = []
        for word in words:
            if said and said[-1] in _OWNERS and stem(word) in self._teams:
                said[-1] = "we"
            else:
                said.append("" if word in self._asks_not else stem(word))
        return self._named_designs_apart(self._generic_names_apart(said))

    def _generic_names_apart(self, said: list[str]) -> list[str]:
        """The stems with the words of a generic phrase naming a thing blanked ("which one do I
        create per use case?" asks nothing to use)."""
        for name in self._generic_names:
            for i in range(len(said) - len(name) + 1):
                if tuple(said[i : i + len(name)]) == name:
                    said[i : i + len(name)] = [""] * len(name)
        return said

    def off_subject(self, text: str) -> bool:
        """Whether a request for guidance is about something other than AI or data: most of
        its words (those neither asking for guidance nor generic: "its kinda unusual") are
        unknown to the knowledge, and none is a subject of guidance.yaml. An opening aside
        ("side q, …") or greeting ("hey can u help us choose something for our AP automation")
        is no word of the request."""
        asked = self.reader.without_greeting(self.reader.without_acknowledgement(text))
        said, unknown = self._unknown_words(asked)
        return (
            len(unknown) >= _OFF_SUBJECT_WORDS
            and len(unknown) >= len(said) * _OFF_SUBJECT_SHARE
            and self._subjects.isdisjoint(said)
        )

    def _unknown_words(self, text: str) -> tuple[list[str], list[str]]:
        """The message's terms that don't ask for guidance, and those of them unknown to the
        knowledge, not generic and no subject of guidance ("stats")."""
        said = [
            t
            for t in self.router.normalizer.normalize(text).terms
            if t not in self._asking_terms and t not in self._plain
        ]
        unknown = [
            t
            for t in said
            if t not in self._known_terms and t not in self._no_need and t not in self._subjects
        ]
        return said, unknown

    def _request(self, text: str, decision: Decision, *, by_meaning: bool) -> Request | None:
        if decision.comparison is not None or declined_by_name(self.router, decision):
            return None
        if self._declined_surely(decision):
            return None  # "what architecture for the message broker between our services?"
        if self.reader.declines_outright(text):
            return None  # "post this recommendation in the architecture channel for me"
        if is_walkthrough(decision) or self._open_choice(text):
            return Request.WALKTHROUGH
        said = self._stems(text)
        present = set(said)
        sure = answers_at_least(decision, _SURE)
        # advice for the team's own project ("any advice on the right design for rag over our
        # lake data?") gets the questions too
        own_project = bool(present & self._asks) and "our" in present
        if self._strong.said_in(said):
            if (
                sure
                and (self._defines_named(text) or self._asks_about_a_service(text, said))
                and not _asks_what_to_use(text)
                and not own_project
            ):
                # "how would you explain RAG to a manager?" (not "we want to compare a bunch of
                # models …, help us choose where": what to explain is named)
                return Request.ANSWERED
            return (
                Request.ANSWER_FIRST if answers_at_least(decision, _LIKELY) else Request.WALKTHROUGH
            )
        cued = (
            self._weak.said_in(said)
            or bool(present & self._asks and present & self._objects)
            or bool(present & self._asks and "?" in text and _answers(decision))
        )
        weakly = cued or self._clause_asks_for_walkthrough(text)
        # "Databricks vs Fabric for our platform, thoughts?" asks for the comparison it names
        compared = self._compares_named(text, decision)
        design = not self._design.isdisjoint(said) and not compared
        if cued and _scarcely_read(decision) and not design and self._unknown_words(text)[1]:
            # "my fabric softener left stains, what should I use instead?" says a word the
            # knowledge never uses; "… for our localization pipeline" none
            return None
        if weakly and not _answers(decision):
            return Request.WALKTHROUGH
        if weakly and design and not sure:
            # "… score ~200M rows every night. any recommended setup?": the likely answer first
            likely = answers_at_least(decision, _LIKELY)
            return Request.ANSWER_FIRST if likely else Request.WALKTHROUGH
        if present & self._asks and self._guessed_at(decision):
            return Request.WALKTHROUGH  # "need a recommendation for where to land our data"
        if weakly and compared:
            return Request.ANSWERED if sure else Request.WALKTHROUGH
        if (
            weakly
            and self._asks_about_a_service(text, said)
            and not _asks_what_to_use(text)
            and not own_project
        ):
            # "which models can we use in azure openai?"; advice for the team's own project
            # ("need advice on extending M365 Copilot for our sales team") gets the questions too
            return Request.ANSWERED
        if weakly or (sure and present & self._asks):
            return Request.ANSWER_FIRST  # "… what would you use?": the answer, then the questions
        if by_meaning and self._asks_what_we_choose(text):
            if _answers(decision):
                return Request.ANSWER_FIRST  # "which platform for our big training jobs?"
            terms, unknown = self._unknown_words(text)
            subject = not self._subjects.isdisjoint(terms)
            outright = _asks_what_to_use(text, _USING_ASKED_OUTRIGHT)
            if subject and (not unknown or self._guessed_at(decision) or outright):
                # "can you recommend something for our data q&a idea"; "which speech option should
                # our dispatch system use?" (a word unknown, but the knowledge can only guess);
                # "what's the right azure service for a voice menu on our hotline?" (asked outright)
                return Request.WALKTHROUGH
        if not by_meaning or not _answers(decision):
            return None
        asking = self._asking(text, present)
        needing = asking or not self._needing.isdisjoint(said)
        if (asking and self._means_a_request(text)) or (needing and self._tells_a_situation(said)):
            # no cue, but asked, and about as near in meaning to asking for guidance as to any
            # topic ("we're about to build something on our policy pdfs: how would a small team
            # go at it?"), or telling the team's situation: the answer to the need it states,
            # then the walkthrough (which steps aside if the user talks on instead)
            return Request.ANSWER_FIRST
        return None

    def _asking(self, text: str, present: set[str]) -> bool:
        """Whether the message asks something: a question mark, a word of asking or choosing,
        or a sentence that opens as a question ("… by hand 😩 where would we even build
        something for this")."""
        return (
            "?" in text
            or not present.isdisjoint(self._advice_or_choice)
            or any(opens_with_question(sentence) for sentence in _SENTENCES.split(text))
        )

    def _asks_what_we_choose(self, text: str) -> bool:
        """Whether the message has a sentence opening by asking which offering to use ("which
        service for …"), or, speaking of "we", "our" or "us", has a sentence asking what to
        choose: one that opens with "which", "what" or "where" (after a lead-in: "so", "ok")
        and says a word of choosing, an offering or a modal of advice ("which platform for our
        big training jobs?", "we own a mountain of parquet. where should ml happen?"), or one
        asking advice or to choose ("can you recommend something for our data q&a idea", "help
        picking storage for our AI data", "we need 40 sources in shape for ML. Advise?"), or a
        bare "which one?" after a sentence saying what is chosen."""
        sentences = _SENTENCES.split(text)
        stems = [
            # "we're", "we've": the user's own team too
            ["we" if w.startswith("we'") else w for w in self._stems(sentence) if w]
            for sentence in sentences
        ]
        if any(self._opens_choosing_an_offering(sentence) for sentence in sentences):
            return True
        if _asks_what_to_use(text):
            return True
        if all(_OURS.isdisjoint(said) for said in stems):
            return False
        for sentence, said in zip(sentences, stems, strict=True):
            if not self._asks.isdisjoint(said) or not _CHOOSING_VERBS.isdisjoint(said):
                return True
            opening = _WORD.search(re.sub(LEAD_IN, "", strip_mentions(sentence).lower().lstrip()))
            if opening is None or stem(opening.group()) not in self._which:
                continue
            if not _ADVISING.isdisjoint(said) or not self._chosen.isdisjoint(said):
                return True
            if len(said) <= _BARE_WHICH and any(not self._chosen.isdisjoint(s) for s in stems):
                return True  # "lost on tooling for our llm app — which one?"
        return False

    def _defines_named(self, text: str) -> bool:
        """Whether a verb asking to explain is followed by a topic it names ("explain RAG to a
        manager", "compare Fabric and Databricks"), within `_DEFINED_WITHIN` words."""
        words = _WORD.findall(strip_mentions(text).lower())
        return any(
            stem(word) in self._defining
            and self.router.named_topics(" ".join(words[i + 1 : i + 1 + _DEFINED_WITHIN]))
            for i, word in enumerate(words)
        )

    def _opens_choosing_an_offering(self, sentence: str) -> bool:
        """Whether a sentence opens by asking which offering to use, whoever for ("which service
        for a ticket classifier …?", "what platform should a startup use …"), not a fact about
        one ("which service does the baseline use …")."""
        words = _WORD.findall(re.sub(LEAD_IN, "", strip_mentions(sentence).lower().lstrip()))
        if not words or stem(words[0]) not in self._which:
            return False
        at = 1
        while at < len(words) and words[at] in _BEFORE_OFFERING:
            at += 1  # "what's the best option for …", "which is the right tool for …"
        return (
            at + 1 < len(words)
            and words[at] in self._offering_words
            and (words[at + 1] == "for" or words[at + 1] in _ADVISING)
        )

    @staticmethod
    def _tells_a_situation(said: list[str]) -> bool:
        """Whether the message tells the team's own situation: longer than a question about a
        service (`_SERVICE_QUESTION_WORDS`), and about "we" or "our" ("we get 4k supplier
        invoices a week as scanned pdfs … where would we even build something for this")."""
        return len(said) > _SERVICE_QUESTION_WORDS and not _TEAM.isdisjoint(said)

    def _means_a_request(self, text: str) -> bool:
        """Whether the message is, in meaning, about as near the walkthrough's phrases as any
        topic's (`_REQUEST_MARGIN`)."""
        if WALKTHROUGH_TOPIC not in self.kb.topics:
            return False
        margin = self.router.meaning_margin(text, WALKTHROUGH_TOPIC, _KNOWLEDGE_KINDS)
        return margin >= _REQUEST_MARGIN

    def _open_choice(self, text: str) -> bool:
        """Whether the message asks to choose a service, product or option and states no need
        of its own ("which of the azure ai services is right for us?", "we need help deciding
        on an ai solution"): every other word it says that the knowledge uses is a word of
        asking or a generic one (guidance.yaml's `choosing`, `offerings`, `generic`). A choice
        a document is about ("is there a decision guide for choosing …?") is not asked."""
        terms = set(self.router.normalizer.normalize(text).terms)
        if terms.isdisjoint(self._choosing) or terms.isdisjoint(self._offerings):
            return False
        if self._names_a_document(text):
            return False
        return all(
            t in self._no_need or t in self._asking_terms or t not in self._known_terms
            for t in terms
            if t not in self._plain
        )

    def _names_a_document(self, text: str) -> bool:
        """Whether the message names a document to read ("a decision guide", "any article"),
        not only uses its word as a verb ("guide us in choosing")."""
        words = _WORD.findall(strip_mentions(text).lower())
        return any(
            i > 0 and words[i - 1] in _DOCUMENT_BEFORE and stem(word) in self._documents
            for i, word in enumerate(words)
        )

    def _guessed_at(self, decision: Decision) -> bool:
        """Whether the recognizer can only guess at the message ("did you mean …?") and one
        of its guesses is a topic of knowledge (not the walkthrough, small talk or a decline)."""
        return decision.outcome is Outcome.AMBIGUOUS and any(
            m.intent.topic.kind not in _NOT_KNOWLEDGE for m in decision.matches
        )

    def _compares_named(self, text: str, decision: Decision) -> bool:
        """Whether the answer is a written comparison of two topics the message names both of
        ("databricks vs fabric …")."""
        top = decision.top
        if decision.outcome is not Outcome.ANSWER or top is None:
            return False
        compared = top.intent.topic.compares if top.intent.topic.kind is Kind.COMPARISON else ()
        return len(compared) == 2 and set(compared) <= self.router.named_topics(text)

    def _asks_about_a_service(self, text: str, said: list[str]) -> bool:
        """A short question that names a service: about that service's own workings ("how
        should we version prompts in prompt flow?"), not a project's design. A service named
        in a clause that says what the team is on ("…, we're on databricks already") is where
        the project lives, not what it asks about."""
        if len(said) > _SERVICE_QUESTION_WORDS:
            return False
        asked = " ".join(
            c for c in _CLAUSES.split(strip_mentions(text)) if not _ON_ALREADY.match(c.strip())
        )
        # a word for what is chosen is no part of a name: "which azure service should we use
        # to transcribe …" says no "transcription service"
        normalize = self.router.normalizer.normalize
        words = _WORD.findall(asked.lower())
        unchosen = " ".join(
            w
            for i, w in enumerate(words)
            if not self._offerings.issuperset(normalize(w).terms)
            and _INDEFINITE.isdisjoint(words[max(i - _KIND_AFTER, 0) : i])
        )
        named = self.router.named_topics(asked) & self.router.named_topics(unchosen)
        return any(
            self.kb.topics[topic].kind in _SERVICE_KINDS
            for topic in named
            if topic in self.kb.topics
        )

    def _declined_surely(self, decision: Decision) -> bool:
        """Whether the recognizer declines the message surely (software or IT design outside
        AI, another vendor's product); requests to act are read apart, by their verbs."""
        top = decision.top
        return (
            declines_surely(self.router, decision)
            and top is not None
            and top.intent.topic.id != ACTIONS_TOPIC
        )

    def _named_designs_apart(self, said: list[str]) -> list[str]:
        """The words with each design word that is part of a name ("reference architecture",
        "design guidance") blanked: neither a cue nor a request for a design says it."""
        return [
            "" if word in self._design and self._in_a_name(said, i) else word
            for i, word in enumerate(said)
        ]

    def _in_a_name(self, said: list[str], i: int) -> bool:
        """Whether the design word at `i` is part of a name, by the word before or after it."""
        before = i > 0 and said[i - 1] in self._not_after
        return before or (i + 1 < len(said) and said[i + 1] in self._not_before)

    def _clause_asks_for_walkthrough(self, text: str) -> bool:
        """A clause the lexical router reads as the walkthrough topic (the whole message was
        already read by the full recognizer); only clauses sharing words with the
        walkthrough's phrases are routed (a description's clauses seldom do)."""
        clauses = [c for c in _SENTENCES.split(text) if c.strip()]
        if len(clauses) < 2:
            return False
        normalize, lexical = self.router.normalizer.normalize, self.router.lexical
        for clause in clauses:
            said = normalize(clause).terms
            terms = set(said)
            if len(terms & self._walkthrough_terms) < min(2, len(terms)):
                continue
            if not lexical.can_reach(said, self._walkthrough_intent, self._answers_at):
                continue  # the walkthrough cannot score enough in it to be answered
            if is_walkthrough(lexical.route(clause)):
                return True
        return False


def declined_by_name(router: HybridRouter, decision: Decision) -> bool:
    """A decline topic the message names (another cloud's product): never guidance nor a
    follow-up; one it merely phrases ("how do I start with it?") may be."""
    top = decision.top
    return (
        decision.outcome is Outcome.NONE
        and top is not None
        and top.intent.topic.kind is Kind.DECLINE
        and top.intent.topic.id in router.named_topics(decision.text)
    )


def declines_surely(router: HybridRouter, decision: Decision) -> bool:
    """Whether the recognizer declines the message with a decline topic, as surely as it would
    answer a topic ("book a meeting room for 3pm", "what's the weather?")."""
    top = decision.top
    return (
        decision.outcome is Outcome.NONE
        and top is not None
        and top.intent.topic.kind is Kind.DECLINE
        and top.score >= router.model.answer
    )


def answers_at_least(decision: Decision, score: float) -> bool:
    """Whether the recognizer answers the message with a topic of knowledge, scoring this much
    at least (`_SURE`, `_LIKELY`)."""
    return _answers(decision) and decision.top is not None and decision.top.score >= score


def _scarcely_read(decision: Decision) -> bool:
    """Whether the recognizer finds next to nothing of the knowledge in the message: it
    declines it, with no topic scoring even a fifth of the way to an answer."""
    top = decision.top
    return decision.outcome is Outcome.NONE and (top is None or top.score < _SCARCELY)


def _small_talk(decision: Decision) -> bool:
    """Whether small talk ("hi", "thanks") is the recognizer's best reading of the message,
    answered or not ("hey, trying to figure out which azure thing … can you help me narrow it
    down?" reads as nothing surely, a greeting first)."""
    top = decision.top
    return top is not None and top.intent.topic.kind is Kind.SMALLTALK


def _answers(decision: Decision) -> bool:
    """Whether the recognizer answers the message with a topic of knowledge."""
    top = decision.top
    return (
        decision.outcome is Outcome.ANSWER
        and top is not None
        and top.intent.topic.kind not in _NOT_KNOWLEDGE
    )


def is_walkthrough(decision: Decision) -> bool:
    """True when a decision confidently answers with the walkthrough topic itself."""
    top = decision.top
    return (
        decision.comparison is None
        and decision.outcome is Outcome.ANSWER
        and top is not None
        and top.intent.question is None
        and top.intent.topic.kind is Kind.ACTION
        and top.intent.topic.id == WALKTHROUGH_TOPIC
    )


Cue = tuple[frozenset[str], ...]
"""A guidance cue: per word, the stems that may stand there."""


class _CueIndex:
    """Guidance cues indexed by their first word: a message checks only its own words' cues."""

    def __init__(
        self,
        phrases: tuple[str, ...],
        classes: dict[str, frozenset[str]],
        plain: frozenset[str],
    ) -> None:
        self._by_first: dict[str, list[tuple[Cue, int]]] = {}
        for phrase in phrases:
            cue = tuple(_cue_word(w, classes) for w in _CUE_WORD.findall(phrase))
            # a cue of plain words only ("what would you do") must be said as it is: with gaps
            # it is in "what azure feature would you use to do the same"
            gap = 0 if all(word <= plain for word in cue) else _CUE_GAP
            for first in cue[0] if cue else ():
                self._by_first.setdefault(first, []).append((cue, gap))

    def said_in(self, said: list[str]) -> bool:
        """Whether the message (its stems, in order) says one of the cues."""
        present = set(said)
        return any(
            # every word of the cue said somewhere before looking for them in order
            all(not word.isdisjoint(present) for word in cue[1:]) and _in_order(cue, said, gap)
            for first in present & self._by_first.keys()
            for cue, gap in self._by_first[first]
        )


def _cue_word(word: str, classes: dict[str, frozenset[str]]) -> frozenset[str]:
    """The stems a cue word stands for: a class's words for `{class}`, else its own stem."""
    named = _CLASS.match(word)
    if named is None:
        return frozenset({stem(word)})
    return classes[named.group(1)]


def _in_order(cue: Cue, words: list[str], gap: int = _CUE_GAP) -> bool:
    """Whether the cue's words appear in the message in order, each at most `gap` words after
    the one before ("which approach would suit" has "which approach suit")."""
    if not cue:
        return False
    for start, word in enumerate(words):
        if word not in cue[0]:
            continue
        position = start
        for wanted in cue[1:]:
            window = words[position + 1 : position + 2 + gap]
            found = next((i for i, w in enumerate(window) if w in wanted), None)
            if found is None:
                break
            position += 1 + found
        else:
            return True
    return False
