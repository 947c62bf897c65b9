"""The walkthrough's decision engine: which question next, what a typed answer means, and the
recommendation the answers lead to. Plain Python over `knowledge/walkthrough.yaml`.

A walkthrough's progress is a plain dict (JSON-friendly, so dialog state can store it)::

    {"answers": {question id: choice id}, "inferred": [question ids taken from a description],
     "skipped": [question ids whose default was assumed],
     "history": [question ids in the order they were answered],
     "heard": {question id: choice id said before the question applied},
     "said": [the user's own words that answered questions (`note_words`)]}

Typed answers are matched to a question's choices on stemmed content words (the KB vocabulary's
abbreviations and synonyms applied), with rapidfuzz correcting typos of words the knowledge base
does not know against the question's own words. A choice's phrases (its label, the label's parts,
its `means`) count where their words stand together, in one clause; a choice adds up the phrases
found in separate places. Negation is kept: in "no data scientists" the words carry a `not_`
mark, so they match a choice phrase "no data scientists" and never the phrase "data scientists".

A word inside a longer phrase found for one choice counts for that choice alone ("an answer that
cites the document" is answering from documents, not also a vote for analyzing documents); a part
of a label that another choice's label also says ("Spark" of "Azure Databricks (Spark)") is no
sign of it; after "prefer", "over" negates as "than" does ("hosted models over training our own").

A description ("we're five web developers, no data scientists, thousands of reviews to tag with
sentiment") is read against every question at once (`read`): each question's evidence, plus, for
the answers a question requires, a share of its evidence (reviews → text analytics → ready-made
AI services). It fills every open question one choice clearly wins (`infer`), keeps what it says
about questions that do not apply yet (`heard`), and replaces earlier answers it contradicts when
it is a correction (`understand`). A paragraph (`PARAGRAPH_WORDS`) answers the question asked with
whole phrases too, never with part of one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from bot.core.follow_up_forms import correction
from bot.core.kb import (
    Addition,
    Choice,
    Kind,
    KnowledgeBase,
    Link,
    Rule,
    Topic,
    Walkthrough,
    WalkthroughQuestion,
    any_holds,
    condition_holds,
)
from bot.core.replies import Reply, ReplyKind, Section
from bot.core.text import Normalizer, stem

NOT = "not_"
NEGATIONS = frozenset(
    [
        "no",
        "not",
        "without",
        "dont",
        "doesnt",
        "didnt",
        "never",
        "nobody",
        "none",
        "lack",
        "lacking",
        "cannot",
        "cant",
        "isnt",
        "arent",
        "wont",
        "havent",
        "hasnt",
        "neither",
        "nor",
        "zero",
        "nothing",
        "instead",
        "than",
    ]
)
"""Words after which the next few are negated ("no data scientists", "rather than writing code",
"quality matters less than cost")."""
_LATER = frozenset(["later", "eventually", "someday"])
_LATER_WEIGHT = 0.5
"""A clause that says one of these tells a later need ("and later some data science"): its words
count this much."""
_NEGATES_NEXT = frozenset(["non"])
"""A prefix that negates the one word it is joined to: "a non-dev team", "non-technical staff"."""
_PREFER = frozenset(["prefer", "prefers", "preferred", "preferring", "favor", "favour"])
"""After these, "over" negates like "than": "we'd prefer hosted models over training our own"."""
_NEGATION_SCOPE = 3
"""How many content words after a negation it covers."""
_CLAUSE = re.compile(
    r"(?:[;:!?()\[\]\n/]|[.,](?!\d))+|\s[-–—]\s|\b(?:but|however|although|though|except|yet)\b",
    re.IGNORECASE,
)
"""Where a clause ends (not at the comma of "20,000")."""
_ALTERNATIVES = frozenset(["or"])
"""Inside a negated clause these carry the negation on: "no data scientists or ML engineers"."""
_TYPO_MIN_LENGTH = 4
_TYPO_CUTOFF = 82.0
"""A word the knowledge base does not know ("documnets") is read as the closest word of the
question's choices when at least this similar (rapidfuzz ratio); known words are taken as said."""
_PARTIAL_COVERAGE = 0.6
"""A phrase of three or more terms counts when at least this share of it is present."""
_SLACK = 2
"""A phrase's words count together only within one clause, at most the phrase's length plus this
many content words apart: "scanned claim forms" is "scanned forms", but "custom" in one sentence
and "models" in the next are not "custom model"."""
_FURTHER = 0.5
"""Each further, separate phrase found for a choice adds this share of the previous one's
weight: "reviews", "sentiment" and "key phrases" together are surer than any one of them."""
_IMPLIED = 0.5
"""Evidence for a question also counts, at this share of its best choice, for the answers its
`when` requires: "call recordings" (what to understand: speech) speaks for ready-made AI."""
_ACCEPT = 0.8
"""A typed answer's best choice needs at least a whole one-word phrase (typos allowed)…"""
_MARGIN = 0.25
"""…and to beat the runner-up by this much; otherwise the user is asked which one."""
_OUTWEIGH = 2.0
"""A description that answers the question asked also replaces an answer read from an earlier
message (never one the user gave or let stand) when it says another choice this strongly: two
whole phrases or more."""
_LEAN_LEAST = 1.0
"""The opener's lean counts for a choice both it and a later description say this strongly."""
_SPOKEN = 1.0
"""A text speaks to a question when it names one of its choices by a whole phrase at least."""
_INFER = 1.05
_INFER_MARGIN = 0.45
"""A description answers a question it was not asked only when one choice clearly wins, on more
than one lone word: "standard speech-to-text gets our drug names wrong" is no vote for standard
content, "scanned PDFs of invoices" is documents."""
_SHORT_TOLD = 1.0
"""A message shorter than a description that speaks to one question it was not asked answers it
by one whole phrase ("we're mostly .net devs" while the data platform is asked)."""
_OUTRANK_SHARE = 0.8
"""A choice takes the evidence of one it outranks when said at least this share as strongly."""
DESCRIPTION_WORDS = 5
"""A typed answer this long is read as a description too: it may answer every open question."""
PARAGRAPH_WORDS = 15
"""A typed answer this long answers the question asked with whole phrases only, as it answers the
others: in a paragraph, part of a phrase is a coincidence ("builds and tunes a model for us" is no
"fine-tune a model")."""
_NOT_NAMED = frozenset(
    [Kind.SMALLTALK, Kind.ACTION, Kind.COMPARISON, Kind.CUSTOMER_STORY, Kind.DECLINE]
)
_NAME_CUTOFF = 85.0
"""A service named with a typo ("databriks") still counts, when at least this similar."""
_COMMAND_MAX_WORDS = 5
_COMMAND_CUTOFF = 80.0
RECOMMENDATION_TOPIC_PREFIX = "walkthrough/"
"""Feedback on a recommendation is stored as `walkthrough/<rule id>`."""


class Command(StrEnum):
    """Interruptions a user can say at any question."""

    HELP = "help"
    CANCEL = "cancel"
    RESTART = "restart"
    BACK = "back"
    SKIP = "skip"


class MatchKind(StrEnum):
    """How a typed answer relates to a question's choices."""

    EXACT = "exact"
    """The button label, the choice id or its number."""
    FUZZY = "fuzzy"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True)
class ChoiceMatch:
    """The verdict on one typed answer."""

    kind: MatchKind
    choice: Choice | None = None
    score: float = 0.0
    candidates: tuple[Choice, ...] = ()
    """The best choices, best first (two or more when ambiguous)."""


@dataclass(frozen=True)
class Reason:
    """One answer, phrased for the recommendation's "why"."""

    question: WalkthroughQuestion
    choice: Choice
    inferred: bool


@dataclass(frozen=True)
class Recommendation:
    """Where the answers lead."""

    rule: Rule
    services: tuple[Topic, ...]
    reasons: tuple[Reason, ...]
    additions: tuple[Addition, ...]
    related: tuple[Topic, ...]
    reference: Link
    answers: tuple[Reason, ...] = field(default=())
    """Every answer that counts, in question order (the trace lists them)."""
    said: tuple[str, ...] = ()
    """The user's own words that answered questions (the decision record quotes them)."""


@dataclass(frozen=True)
class Understanding:
    """What one typed answer told the walkthrough (the state is already updated)."""

    match: ChoiceMatch
    """The verdict on the question that was asked."""
    filled: tuple[str, ...] = ()
    """Questions the text answered, the one asked included, in the order they were taken."""
    corrected: tuple[tuple[str, str], ...] = ()
    """(question id, the choice id it had) for earlier answers the text replaced."""
    heard: tuple[str, ...] = ()
    """Questions the text answered that do not apply yet: kept for when they do."""


@dataclass(frozen=True)
class _Phrase:
    choice: int
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Token:
    term: str
    """Stemmed, `not_`-marked inside a negation's scope."""
    clause: int
    at: int
    """Its position among the text's content words."""
    weight: float = 1.0
    """How much it counts: less in a clause about later ("and later some data science")."""


Located = dict[str, list[tuple[int, int, float]]]
"""Where a question's words occur in a text: term → [(clause, position, similarity)]."""


def _window(terms: tuple[str, ...], located: Located) -> tuple[float, int, int, int] | None:
    """The best place for a phrase in a text: (similarity sum, words found, start, end).

    A window starts at one of the phrase's words and reaches over the phrase's length plus
    `_SLACK` content words, inside one clause; the phrase's other words count only there.
    """
    reach = len(terms) - 1 + _SLACK
    best: tuple[float, int, int, int] | None = None
    for anchor in terms:
        for clause, at, _ in located.get(anchor, ()):
            total, count, end = 0.0, 0, at
            for term in terms:
                near = [
                    (s, -a)
                    for c, a, s in located.get(term, ())
                    if c == clause and 0 <= a - at <= reach
                ]
                if near:
                    similarity, position = max(near)
                    total += similarity
                    count += 1
                    end = max(end, -position)
            if best is None or (total, best[2] - best[3]) > (best[0], at - end):
                best = (total, count, at, end)
    return best


def _overlaps(span: Sequence[int], other: Sequence[int]) -> bool:
    return span[0] <= other[1] and other[0] <= span[1]


def _within(span: Sequence[int], other: Sequence[int]) -> bool:
    return other[0] <= span[0] and span[1] <= other[1]


def _ranked(scores: dict[int, float]) -> list[tuple[float, int]]:
    return sorted(((s, i) for i, s in scores.items()), key=lambda item: (-item[0], item[1]))


def _decide(ranked: list[tuple[float, int]], accept: float, margin: float) -> int | None:
    """The winning choice's index: at least `accept`, ahead of the runner-up by `margin`."""
    if not ranked or ranked[0][0] < accept:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < margin:
        return None
    return ranked[0][1]


def short_label(choice: Choice) -> str:
    """A choice's label for a sentence: without its parenthesis, lowercase unless its first
    word is a name ("tables", "makers and analysts", but "Microsoft Fabric")."""
    label = re.sub(r"\s*\([^)]*\)", "", choice.label).strip() or choice.label
    first = label.split()[0]
    if first[:1].isupper() and not re.search(rf"\b{re.escape(first)}\b", choice.because):
        label = label[:1].lower() + label[1:]
    return label


@dataclass(frozen=True)
class WhyNot:
    """Why a service is not in the recommendation, from the rules that did not fire."""

    topic: Topic
    recommendation: Recommendation
    """The recommendation the user is looking at."""
    rule: Rule | None = None
    """The rule nearest to the answers that recommends the topic (None: no rule does)."""
    needs: tuple[tuple[WalkthroughQuestion, tuple[Choice, ...], Choice | None], ...] = ()
    """What that rule needs and the answers do not give: (question, the choices that would do,
    the answer given, None when the question was not asked)."""
    first: tuple[tuple[WalkthroughQuestion, Choice, Choice | None], ...] = ()
    """When the answers fit that rule too: the answers that make the recommended rule come
    first, each with a choice that would not (question, the answer given, another choice)."""

    @property
    def chosen(self) -> bool:
        """True when the topic is part of the recommendation after all."""
        return self.topic in self.recommendation.services


@dataclass(frozen=True)
class WhatIf:
    """The recommendation with one answer changed."""

    question: WalkthroughQuestion
    choice: Choice
    previous: Choice | None
    """The answer it replaces (None: the question was not asked)."""
    before: Recommendation
    after: Recommendation
    state: dict[str, Any]
    """The walkthrough with the change (plain JSON, like any walkthrough state)."""
    assumed: tuple[tuple[WalkthroughQuestion, Choice], ...] = ()
    """Answers taken for questions the change opened."""

    @property
    def counts(self) -> bool:
        """False when the changed question does not apply to the answers (nothing changes)."""
        return self.question.id in self.state["answers"]

    @property
    def added(self) -> tuple[Topic, ...]:
        return tuple(t for t in self.after.services if t not in self.before.services)

    @property
    def dropped(self) -> tuple[Topic, ...]:
        return tuple(t for t in self.before.services if t not in self.after.services)


@dataclass(frozen=True)
class Alternative:
    """A design the answers did not lead to, and why (a rule that did not fire)."""

    rule: Rule
    needs: tuple[tuple[WalkthroughQuestion, tuple[Choice, ...], Choice | None], ...] = ()
    """What it needs that the answers do not give: (question, the choices that would do, the
    answer given, None when the question was not asked). Empty: the answers fit it too."""
    first: tuple[tuple[WalkthroughQuestion, Choice, Choice | None], ...] = ()
    """When the answers fit it too: the answers that put the chosen design first."""


SAID_MOST = 3
SAID_CHARS = 400
"""The user's words kept for the decision record: the last few messages, each cut short."""


LEAN = "lean"
"""Walkthrough state: what the opener said of the questions it could not answer alone."""


def note_words(state: dict[str, Any], text: str) -> None:
    """Keep a message the user typed that answered questions, in their own words."""
    words = " ".join(text.split())
    if len(words) > SAID_CHARS:
        words = words[: SAID_CHARS - 1].rstrip() + "…"
    kept = [w for w in state.get("said", []) if w != words]
    state["said"] = [*kept, words][-SAID_MOST:] if words else kept


def new_state() -> dict[str, Any]:
    """A walkthrough with nothing answered."""
    return {"answers": {}, "inferred": [], "skipped": [], "history": [], "heard": {}}


def _let_stand(state: dict[str, Any]) -> set[str]:
    """The answers read from a description that the user let stand: answered after them, in
    the order answered, is one the user gave (neither read from a description nor assumed)."""
    inferred = set(state["inferred"])
    taken = inferred | set(state.get("skipped", ()))
    history = state["history"]
    given = [at for at, question in enumerate(history) if question not in taken]
    return {q for q in history[: given[-1]] if q in inferred} if given else set()


class _Finishes(NamedTuple):
    """What the ways of finishing the walkthrough from some answers have in common."""

    outcomes: frozenset[tuple[str, tuple[str, ...]]]
    """Each way's outcome: its rule's id and its additions' ids."""
    rules: tuple[Rule, ...]
    """The rules reached, in the order reached (the first choices' first)."""
    askable: frozenset[str]
    """The questions some way asks."""


class Advisor:
    """Runs the walkthrough of one knowledge base. Thread-safe: it holds no conversation state."""

    def __init__(self, kb: KnowledgeBase) -> None:
        if kb.walkthrough is None:
            raise ValueError("this knowledge base has no walkthrough.yaml")
        self.kb = kb
        self.walkthrough: Walkthrough = kb.walkthrough
        self.normalizer = Normalizer(kb.vocabulary)
        self._stopwords = kb.vocabulary.stopwords
        # every walkthrough turn asks what the answers so far still allow (outcomes for each open
        # choice, rules for the read-back, questions for the opener's reading): the same few
        # answer sets, each one walk over all completions
        self._finishes_of = lru_cache(maxsize=4096)(self._finishes_uncached)
        # a turn may read the same message twice (after the short answer: whether it is a
        # profile, then what it answers)
        self._reading_of = lru_cache(maxsize=8)(self._read_uncached)
        self._phrases: dict[str, list[_Phrase]] = {}
        self._phrases_by_term: dict[str, dict[str, list[int]]] = {}
        """Per question, the positions of the phrases holding each term."""
        self._vocabulary: dict[str, list[str]] = {}
        self._exact: dict[str, dict[str, int]] = {}
        for question in self.walkthrough.questions:
            phrases = []
            exact: dict[str, int] = {}
            labels = [set(self.terms(c.label)) for c in question.choices]
            for index, choice in enumerate(question.choices):
                exact[self._plain(choice.label)] = index
                exact[self._plain(choice.id)] = index
                exact[str(index + 1)] = index
                others = [words for i, words in enumerate(labels) if i != index]
                parts = [
                    p
                    for p in _CLAUSE.split(choice.label)
                    if p and p.strip() and not any(set(self.terms(p)) <= o for o in others)
                ]  # a part another choice's label says too is no sign of this one ("Spark")
                for text in dict.fromkeys((choice.label, *parts, *choice.means)):
                    terms = tuple(dict.fromkeys(self.terms(text)))
                    if terms:
                        phrases.append(_Phrase(index, terms))
            self._phrases[question.id] = phrases
            by_term: dict[str, list[int]] = {}
            for position, phrase in enumerate(phrases):
                for term in phrase.terms:
                    by_term.setdefault(term, []).append(position)
            self._phrases_by_term[question.id] = by_term
            self._exact[question.id] = exact
            self._vocabulary[question.id] = sorted(
                {t.removeprefix(NOT) for p in phrases for t in p.terms}
            )
        self._vocabulary_sets = {q: frozenset(v) for q, v in self._vocabulary.items()}
        self._known = self._known_words()
        self._implies = {q.id: self._required(q) for q in self.walkthrough.questions}
        self._outranks = {
            q.id: [
                (index, [i for i, c in enumerate(q.choices) if c.id in choice.outranks])
                for index, choice in enumerate(q.choices)
                if choice.outranks
            ]
            for q in self.walkthrough.questions
        }
        self._commands = {
            Command(name): tuple(self._plain(w) for w in words)
            for name, words in self.walkthrough.commands.items()
        }

    def _known_words(self) -> frozenset[str]:
        """The stems of every word the knowledge base uses: these are never typo-corrected."""
        texts: list[str] = []
        for topic in self.kb.topics.values():
            texts += [topic.title, topic.summary, topic.detail, *topic.aliases, *topic.phrases]
            texts += [*topic.when_to_use, *topic.when_not_to_use]
            for question in topic.questions:
                texts += [*question.ask, question.answer]
        for question in self.walkthrough.questions:
            texts += [question.ask, question.help]
            for choice in question.choices:
                texts += [choice.label, choice.because, *choice.means]
        words = {w for text in texts for w in self.normalizer.normalize(text).words}
        return frozenset(stem(w) for w in words)

    def _required(self, question: WalkthroughQuestion) -> tuple[tuple[str, int], ...]:
        """The answers (question id, choice index) that every `when` of the question needs."""
        common: set[tuple[str, str]] | None = None
        for condition in question.when:
            pairs = {(q, next(iter(c))) for q, c in condition if len(c) == 1}
            common = pairs if common is None else common & pairs
        found = []
        for question_id, choice_id in sorted(common or ()):
            choices = self.walkthrough.question(question_id).choices
            found.append((question_id, next(i for i, c in enumerate(choices) if c.id == choice_id)))
        return tuple(found)

    # -- words ----------------------------------------------------------------------------------

    def _plain(self, text: str) -> str:
        return " ".join(self.normalizer.normalize(text).words)

    def _tokens(self, text: str) -> list[_Token]:
        """The text's stemmed content words with their clause and position; negation marked."""
        tokens: list[_Token] = []
        for index, clause in enumerate(_CLAUSE.split(text)):
            if not clause or not clause.strip():
                continue
            scope, negated, preferring = 0, False, False
            words = self.normalizer.normalize(clause).words
            weight = _LATER_WEIGHT if not _LATER.isdisjoint(words) else 1.0
            for word in words:
                if word in NEGATIONS or (preferring and word == "over"):
                    scope, negated = _NEGATION_SCOPE, True
                    continue
                if word in _NEGATES_NEXT:
                    scope, negated = 1, True
                    continue
                preferring = preferring or word in _PREFER
                if negated and word in _ALTERNATIVES:
                    scope = _NEGATION_SCOPE
                    continue
                if word in self._stopwords:
                    continue
                base = stem(word)
                term = f"{NOT}{base}" if scope else base
                tokens.append(_Token(term, index, len(tokens), weight))
                scope = max(scope - 1, 0)
        return tokens

    def terms(self, text: str) -> list[str]:
        """Stemmed content words, `not_`-marked inside the scope of a negation."""
        return [t.term for t in self._tokens(text)]

    def _located(self, question_id: str, tokens: list[_Token]) -> Located:
        """Where the question's words occur in the text. A word the knowledge base does not know
        is read as the closest word of the question's choices (typos), with its similarity."""
        vocabulary = self._vocabulary[question_id]
        own = self._vocabulary_sets[question_id]
        found: Located = {}
        for token in tokens:
            base = token.term.removeprefix(NOT)
            prefix = token.term[: len(token.term) - len(base)]
            similarity = 1.0
            if base not in own:
                if base in self._known or len(base) < _TYPO_MIN_LENGTH or base.isdigit():
                    continue
                best = process.extractOne(
                    base, vocabulary, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF
                )
                if best is None:
                    continue
                base, similarity = best[0], best[1] / 100
            found.setdefault(prefix + base, []).append(
                (token.clause, token.at, similarity * token.weight)
            )
        return found

    # -- matching -------------------------------------------------------------------------------

    def command(self, text: str) -> Command | None:
        """The interruption a short message asks for, if any (typos allowed)."""
        plain = self._plain(text)
        if not plain or len(plain.split()) > _COMMAND_MAX_WORDS:
            return None
        best: tuple[float, Command] | None = None
        count = len(plain.split())
        for command, words in self._commands.items():
            for word in words:
                if plain == word:
                    return command
                # a typo keeps the words apart: "a bot" (said "a chatbot") is no "abort"
                if min(len(plain), len(word)) >= 4 and count == len(word.split()):
                    score = fuzz.ratio(plain, word)
                    if score >= _COMMAND_CUTOFF and (best is None or score > best[0]):
                        best = (score, command)
        return best[1] if best else None

    def _evidence(self, question_id: str, located: Located, *, whole: bool) -> dict[int, float]:
        """Each choice's score: the sum of its weighted phrases found in the text (`_found`)."""
        found = self._found(question_id, located, whole=whole)
        scores = {choice: sum(s for s, _, _ in hits) for choice, hits in found.items()}
        return self._outranked(question_id, scores)

    def _outranked(self, question_id: str, scores: dict[int, float]) -> dict[int, float]:
        """Scores with a choice said about as strongly as one it outranks (`Choice.outranks`)
        taking that one's evidence too: "deep learning on our Spark clusters" is big data on
        Spark, but "distributed training on GPU clusters" of PyTorch models stays deep learning."""
        for winner, losers in self._outranks[question_id]:
            for loser in losers:
                if loser in scores and scores.get(winner, 0.0) >= _OUTRANK_SHARE * scores[loser]:
                    scores[winner] += scores.pop(loser)
        return scores

    def _found(
        self, question_id: str, located: Located, *, whole: bool
    ) -> dict[int, list[tuple[float, int, int]]]:
        """Each choice's phrases found in the text: (weighted score, start, end), one per place.

        A phrase scores by the share of its words present near each other (typos count a little
        less), times a bonus for longer phrases; with `whole`, only phrases found entirely count.
        A choice adds up its phrases found in separate places, each further one at a smaller
        weight (`_FURTHER`).
        """
        hits: list[tuple[float, int, int, int]] = []
        phrases, by_term = self._phrases[question_id], self._phrases_by_term[question_id]
        sharing = {p for term in located for p in by_term.get(term, ())}
        for phrase in map(phrases.__getitem__, sorted(sharing)):  # in order: ties keep it
            size = len(phrase.terms)
            present = sum(t in located for t in phrase.terms)
            if not present or (
                present < size and (whole or size < 3 or present / size < _PARTIAL_COVERAGE)
            ):
                continue
            window = _window(phrase.terms, located)
            if window is None:
                continue
            similarity, count, start, end = window
            if count < size and (whole or size < 3 or count / size < _PARTIAL_COVERAGE):
                continue
            score = similarity / size * (1 + 0.3 * (count - 1))
            hits.append((score, phrase.choice, start, end, count))
        hits.sort(key=lambda hit: (-hit[0], hit[2]))
        found: dict[int, list[tuple[float, int, int]]] = {}
        spans: list[tuple[int, int, int, int]] = []
        for score, choice, start, end, count in hits:
            if any(
                c != choice and n > count and _overlaps((start, end), (a, b))
                for c, a, b, n in spans
            ):
                continue  # words a longer phrase of another choice says ("cites the document",
                # "our app … translate chat messages": no chat app)
            taken = found.setdefault(choice, [])
            if any(_overlaps((start, end), t[1:]) for t in taken):
                continue
            taken.append((score * _FURTHER ** len(taken), start, end))
            spans.append((choice, start, end, count))
        return found

    def scores(
        self, question: WalkthroughQuestion, text: str, *, whole_phrases: bool = False
    ) -> list[tuple[float, int]]:
        """(score, choice index) for every choice with any evidence in the text, best first.

        With `whole_phrases`, only phrases whose every word is present count (used to read
        descriptions).
        """
        located = self._located(question.id, self._tokens(text))
        return _ranked(self._evidence(question.id, located, whole=whole_phrases))

    def match(self, question: WalkthroughQuestion, text: str) -> ChoiceMatch:
        """Which choice a typed (or clicked) answer means."""
        index = self._exact[question.id].get(self._plain(text))
        if index is not None:
            choice = question.choices[index]
            return ChoiceMatch(MatchKind.EXACT, choice, 1.0, (choice,))
        return self._verdict(question, self.scores(question, text))

    @staticmethod
    def _verdict(question: WalkthroughQuestion, ranked: list[tuple[float, int]]) -> ChoiceMatch:
        if not ranked or ranked[0][0] < _ACCEPT:
            return ChoiceMatch(MatchKind.NONE)
        top_score, top = ranked[0]
        rivals = [(s, i) for s, i in ranked[1:] if top_score - s < _MARGIN]
        if rivals:
            candidates = tuple(question.choices[i] for _, i in [ranked[0], *rivals])
            return ChoiceMatch(MatchKind.AMBIGUOUS, None, top_score, candidates)
        choice = question.choices[top]
        return ChoiceMatch(MatchKind.FUZZY, choice, top_score, (choice,))

    def read(self, text: str) -> dict[str, list[tuple[float, int]]]:
        """What a description says about every question: (score, choice index), best first.

        Each question is read on its own (whole phrases only), then the evidence for a question
        also counts, at `_IMPLIED` of its best choice, for the answers that question requires:
        a paragraph about call recordings speaks for "analyze speech" and so for ready-made AI.
        The last few readings are kept and shared: callers never change them.
        """
        return self._reading_of(text)

    def _read_uncached(self, text: str) -> dict[str, list[tuple[float, int]]]:
        tokens = self._tokens(text)
        found = {
            q.id: self._found(q.id, self._located(q.id, tokens), whole=True)
            for q in self.walkthrough.questions
        }
        totals = {
            question_id: {choice: sum(s for s, _, _ in hits) for choice, hits in by_choice.items()}
            for question_id, by_choice in found.items()
        }
        implied: dict[tuple[str, int], list[tuple[float, int, int]]] = {}
        for question_id, by_choice in found.items():
            if not by_choice:
                continue
            best = max(by_choice.values(), key=lambda hits: sum(s for s, _, _ in hits))
            for parent in self._implies[question_id]:
                implied.setdefault(parent, []).extend(best)
        for (parent, index), hits in implied.items():
            counted = [h[1:] for h in found[parent].get(index, [])]
            for score, *span in sorted(hits, reverse=True):
                if any(_within(span, c) for c in counted):
                    continue  # words already counted for this answer count once
                counted.append(span)
                totals[parent][index] = totals[parent].get(index, 0.0) + _IMPLIED * score
        return {
            question_id: _ranked(self._outranked(question_id, scores))
            for question_id, scores in totals.items()
        }

    def understand(
        self,
        state: dict[str, Any],
        question: WalkthroughQuestion,
        text: str,
        match: ChoiceMatch | None = None,
    ) -> Understanding:
        """Take a typed answer to `question`: record what it answers and return what it told.

        A click or a short answer answers the question asked. A description (`DESCRIPTION_WORDS`
        or more), and a short text that does not answer the question asked, is read against every
        open question (`read`) and fills all it clearly answers. It replaces an earlier answer
        when it starts as a correction ("no, we do have data scientists"), or when that answer
        was only taken from a description or assumed and the text does not answer the question
        asked (or, a description, says another choice strongly: `_OUTWEIGH`) — unless the user
        let that reading stand by answering a question after it (`_let_stand`).
        """
        correcting, text = correction(text)
        if match is None or correcting:
            match = self.match(question, text)
        if match.kind is MatchKind.EXACT:
            self.answer(state, question.id, match.choice.id)
            return Understanding(match, (question.id, *self.take_heard(state)))
        describes = len(text.split()) >= DESCRIPTION_WORDS
        let_stand = _let_stand(state)  # before this message answers anything
        heard: tuple[str, ...] = ()
        reading = self.read(text) if describes or correcting or match.choice is None else None
        if reading is not None and describes:
            reading = self._leaned(state, reading)
            index = _decide(reading[question.id], _ACCEPT, _MARGIN)
            if index is not None:
                choice = question.choices[index]
                match = ChoiceMatch(MatchKind.FUZZY, choice, reading[question.id][0][0], (choice,))
            elif len(text.split()) >= PARAGRAPH_WORDS:
                match = self._verdict(question, reading[question.id])
        filled: list[str] = []
        if match.choice is not None:
            self.answer(state, question.id, match.choice.id)
            filled.append(question.id)
        corrected: list[tuple[str, str]] = []
        if reading is not None:
            corrected = self._correct(
                state,
                reading,
                asked=question.id,
                marked=correcting,
                unanswered=match.choice is None,
                described=describes,
                let_stand=let_stand,
            )
            if describes or match.choice is None:
                before = set(state.get("heard", {}))
                # a short message speaking to one other question alone says it by its one
                # phrase ("we're mostly .net devs" while the platform is asked)
                told = [q for q, ranked in reading.items() if ranked and q != question.id]
                accept = _SHORT_TOLD if not describes and len(told) == 1 else _INFER
                filled.extend(self.infer(state, text, reading, accept))
                heard = tuple(q for q in state.get("heard", {}) if q not in before)
        filled.extend(self.take_heard(state))
        return Understanding(match, tuple(filled), tuple(corrected), heard)

    def _correct(
        self,
        state: dict[str, Any],
        reading: dict[str, list[tuple[float, int]]],
        *,
        asked: str,
        marked: bool,
        unanswered: bool,
        described: bool,
        let_stand: set[str],
    ) -> list[tuple[str, str]]:
        """Replace earlier answers the reading clearly contradicts (see `understand`)."""
        changed: list[tuple[str, str]] = []
        for question in self.walkthrough.questions:
            previous = state["answers"].get(question.id)
            if previous is None or question.id == asked:
                continue
            index = _decide(reading[question.id], _INFER, _INFER_MARGIN)
            if index is None or question.choices[index].id == previous:
                continue
            soft = (
                question.id in state["inferred"] and question.id not in let_stand
            ) or question.id in state.get("skipped", ())
            # a description that also answers the question asked replaces a reading only when
            # it says the other choice several times over ("ingest, clean and transform … on a
            # schedule" after an opener read as machine learning)
            outweighs = described and reading[question.id][0][0] >= _OUTWEIGH
            if not (marked or ((unanswered or outweighs) and soft)):
                continue
            self.answer(state, question.id, question.choices[index].id)
            changed.append((question.id, previous))
        return changed

    # -- progress ---------------------------------------------------------------------------------

    def start(self, opener: str = "") -> dict[str, Any]:
        """A new walkthrough, with the questions the opening message already answers filled in;
        what it says of the others, too little to answer them, is kept as a lean (`_leaned`)."""
        state = new_state()
        if not opener.strip():
            return state
        reading = self.read(opener)
        if self.infer(state, opener, reading):
            note_words(state, opener)
        kept = self.walkthrough.active(state["answers"])
        state[LEAN] = {
            question_id: [[score, index] for score, index in ranked]
            for question_id, ranked in reading.items()
            if ranked and question_id not in kept
        }
        return state

    def _leaned(
        self, state: dict[str, Any], reading: dict[str, list[tuple[float, int]]]
    ) -> dict[str, list[tuple[float, int]]]:
        """The reading with the opener's lean added, once (`_with_lean`)."""
        return _with_lean(state.pop(LEAN, None), reading)

    def infer(
        self,
        state: dict[str, Any],
        text: str,
        reading: dict[str, list[tuple[float, int]]] | None = None,
        accept: float = _INFER,
    ) -> list[str]:
        """Fill in open questions a description clearly answers (`accept`: how clearly);
        return their ids.

        What the text says about a question that does not apply yet is kept (`heard`) and taken
        once it does: "no data scientists" said before the goal is known answers "who builds
        it" when that question comes.
        """
        reading = self.read(text) if reading is None else reading
        heard = state.setdefault("heard", {})
        kept = self.walkthrough.active(state["answers"])
        for question in self.walkthrough.questions:
            index = _decide(reading[question.id], accept, _INFER_MARGIN)
            if index is not None and question.id not in kept and self._may_apply(question, kept):
                heard[question.id] = question.choices[index].id
        added = self.take_heard(state)
        while (settled := self._settle(state, reading)) is not None:
            added.extend([settled, *self.take_heard(state)])
        return added

    def answers_in(self, state: dict[str, Any], text: str) -> tuple[str, ...]:
        """The open questions a text clearly answers, read as `infer` reads it (with the
        opener's lean), without taking any: "customer service team, no developers, low-code"
        tells who builds it, and with an opener leaning to a copilot, what is built."""
        reading = _with_lean(state.get(LEAN), self.read(text))
        kept = self.walkthrough.active(state["answers"])
        return tuple(
            question.id
            for question in self.walkthrough.questions
            if question.id not in kept
            and _decide(reading[question.id], _INFER, _INFER_MARGIN) is not None
            and self._may_apply(question, kept)
        )

    def speaks_to(self, text: str) -> tuple[str, ...]:
        """The questions a text names a choice of by a whole phrase, whether or not that settles
        them: "devs only, free text, prebuilt api pls" speaks to who builds it and to
        customization, though each by one word only."""
        reading = self.read(text)
        return tuple(
            question.id
            for question in self.walkthrough.questions
            if reading[question.id] and reading[question.id][0][0] >= _SPOKEN
        )

    def _settle(
        self, state: dict[str, Any], reading: dict[str, list[tuple[float, int]]]
    ) -> str | None:
        """Answer an open question the text leaves between choices that lead to the same
        recommendation ("developers" and "Python" for a RAG design): the surest of them. Returns
        its id, None when there is no such question."""
        kept = self.walkthrough.active(state["answers"])
        for question in self.walkthrough.questions:
            ranked = reading[question.id]
            if question.id in kept or not self._applies(question, kept) or not ranked:
                continue
            if ranked[0][0] < _INFER:
                continue
            close = [i for score, i in ranked if ranked[0][0] - score < _INFER_MARGIN]
            outcomes = {
                self._outcomes({**kept, question.id: question.choices[i].id}) for i in close
            }
            if len(close) > 1 and len(outcomes) == 1:
                self.answer(state, question.id, question.choices[close[0]].id, inferred=True)
                return question.id
        return None

    def _may_apply(self, question: WalkthroughQuestion, answers: dict[str, str]) -> bool:
        """True when some way of finishing the walkthrough from these answers asks it."""
        if self._applies(question, answers):
            return True
        return question.id in self._finishes(answers).askable

    def take_heard(self, state: dict[str, Any]) -> list[str]:
        """Answer the open questions that apply with what the user said about them earlier;
        return their ids, in the order taken."""
        heard = state.get("heard") or {}
        added: list[str] = []
        changed = True
        while changed and heard:
            changed = False
            kept = self.walkthrough.active(state["answers"])
            for question in self.walkthrough.questions:
                if question.id in kept or question.id not in heard:
                    continue
                if self._applies(question, kept):
                    self.answer(state, question.id, heard.pop(question.id), inferred=True)
                    added.append(question.id)
                    changed = True
                    break
        return added

    def answer(
        self, state: dict[str, Any], question_id: str, choice_id: str, *, inferred: bool = False
    ) -> None:
        """Record an answer (replacing an earlier one to the same question)."""
        state["answers"][question_id] = choice_id
        state.get("heard", {}).pop(question_id, None)
        state["history"] = [q for q in state["history"] if q != question_id] + [question_id]
        for mark, on in (("inferred", inferred), ("skipped", False)):
            state[mark] = [q for q in state.get(mark, []) if q != question_id]
            if on:
                state[mark].append(question_id)
        self._forget_inactive(state)

    def assume(self, state: dict[str, Any], question: WalkthroughQuestion) -> Choice | None:
        """Take a question's default (the user skipped it); None when it has no default."""
        if question.default is None:
            return None
        self.answer(state, question.id, question.default)
        state["skipped"].append(question.id)
        return question.choice(question.default)

    def back(self, state: dict[str, Any]) -> str | None:
        """Undo the last answer; return its question id (None when nothing was answered)."""
        self._forget_inactive(state)
        if not state["history"]:
            return None
        question_id = state["history"].pop()
        state["answers"].pop(question_id, None)
        state["inferred"] = [q for q in state["inferred"] if q != question_id]
        state["skipped"] = [q for q in state.get("skipped", []) if q != question_id]
        return question_id

    def _forget_inactive(self, state: dict[str, Any]) -> None:
        kept = self.walkthrough.active(state["answers"])
        state["answers"] = kept
        state["history"] = [q for q in state["history"] if q in kept]
        state["inferred"] = [q for q in state["inferred"] if q in kept]
        state["skipped"] = [q for q in state.get("skipped", []) if q in kept]

    @staticmethod
    def _applies(question: WalkthroughQuestion, answers: dict[str, str]) -> bool:
        return any_holds(question.when, answers)

    def _outcomes(self, answers: dict[str, str]) -> frozenset[tuple[str, tuple[str, ...]]]:
        return self._finishes(answers).outcomes

    def _finishes(self, answers: dict[str, str]) -> _Finishes:
        return self._finishes_of(frozenset(answers.items()))

    def _finishes_uncached(self, answers: frozenset[tuple[str, str]]) -> _Finishes:
        outcomes: set[tuple[str, tuple[str, ...]]] = set()
        rules: dict[str, Rule] = {}
        askable: set[str] = set()
        for completion in self.walkthrough.completions(dict(answers)):
            rule = self.walkthrough.rule_for(completion)
            additions = self.walkthrough.additions_for(completion)
            outcomes.add((rule.id if rule else "", tuple(a.id for a in additions)))
            if rule is not None:
                rules.setdefault(rule.id, rule)
            askable.update(q.id for q in self.walkthrough.questions if self._applies(q, completion))
        return _Finishes(frozenset(outcomes), tuple(rules.values()), frozenset(askable))

    def leading(self, state: dict[str, Any], most: int = 2) -> tuple[str, ...]:
        """What the answers so far already point to: the design, when every way of finishing
        reaches the same rule; else the main services, when there are at most `most`; else
        nothing."""
        kept = self.walkthrough.active(state["answers"])
        rules = self._finishes(kept).rules
        if len(rules) == 1:
            return (rules[0].title,)
        mains = dict.fromkeys(r.recommend[0] for r in rules)
        if len(mains) > most:
            return ()
        return tuple(self.kb.topics[m].title for m in mains if m in self.kb.topics)

    def next_question(self, state: dict[str, Any]) -> WalkthroughQuestion | None:
        """The next question worth asking, or None when the answers decide the recommendation.

        Questions are taken in file order; one whose answer cannot change the outcome right now
        is passed over (the first open question is asked anyway when nothing else narrows it).
        """
        kept = self.walkthrough.active(state["answers"])
        outcomes = self._outcomes(kept)
        if len(outcomes) <= 1:
            return None
        first: WalkthroughQuestion | None = None
        for question in self.walkthrough.questions:
            if question.id in kept or not self._applies(question, kept):
                continue
            first = first or question
            for choice in question.choices:
                if self._outcomes({**kept, question.id: choice.id}) != outcomes:
                    return question
        return first

    # -- the recommendation ---------------------------------------------------------------------

    def recommendation(self, state: dict[str, Any]) -> Recommendation:
        """The recommendation for a finished walkthrough."""
        kept = self.walkthrough.active(state["answers"])
        completion = next(self.walkthrough.completions(kept))
        rule = self.walkthrough.rule_for(completion)
        assert rule is not None, "the loader checks that every path reaches a rule"
        additions = self.walkthrough.additions_for(completion)
        inferred = set(state.get("inferred", ()))
        skipped = set(state.get("skipped", ()))
        answers = tuple(
            Reason(q, q.choice(kept[q.id]), q.id in inferred)
            for q in self.walkthrough.questions
            if q.id in kept
        )
        reasons = tuple(r for r in answers if r.question.id not in skipped) or answers
        services = [self.kb.topics[t] for t in rule.recommend]
        for addition in additions:
            services.extend(
                self.kb.topics[t] for t in addition.recommend if self.kb.topics[t] not in services
            )
        related = tuple(self.kb.topics[t] for t in rule.related)
        reference = rule.reference or services[0].link
        said = tuple(w for w in state.get("said", ()) if isinstance(w, str))
        return Recommendation(
            rule, tuple(services), reasons, additions, related, reference, answers, said
        )

    # -- after the recommendation ---------------------------------------------------------------

    def named_topics(self, subject: str) -> list[Topic]:
        """Topics the words name by title or alias (typos allowed), best first; topics the
        walkthrough can recommend come before others."""
        plain = self._plain(subject)
        if not plain:
            return []
        recommendable = {t for r in self.walkthrough.rules for t in r.recommend}
        recommendable |= {t for a in self.walkthrough.additions for t in a.recommend}
        found: list[tuple[float, bool, int, Topic]] = []
        for order, topic in enumerate(self.kb.topics.values()):
            if topic.kind in _NOT_NAMED:
                continue
            best = 0.0
            for name in (topic.title, *topic.aliases):
                named = self._plain(name)
                if named == plain:
                    best = 100.0
                    break
                if min(len(named), len(plain)) >= 4:
                    best = max(best, fuzz.ratio(named, plain))
            if best >= _NAME_CUTOFF:
                found.append((-best, topic.id not in recommendable, order, topic))
        return [t for *_, t in sorted(found, key=lambda f: f[:3])]

    def why_not(self, state: dict[str, Any], topic: Topic) -> WhyNot:
        """Why the answers did not lead to `topic`: the rule nearest to them that recommends it,
        and what it needs that the answers do not give (the rules that did not fire, as data)."""
        current = self.recommendation(state)
        if topic in current.services:
            return WhyNot(topic, current)
        answers = self.walkthrough.active(state["answers"])
        nearest: tuple[tuple[int, int, int], Rule, list[tuple[str, frozenset[str]]]] | None = None
        for order, rule in enumerate(self.walkthrough.rules):
            if topic.id not in rule.recommend:
                continue
            for condition in rule.when or ((),):
                missing = [(q, c) for q, c in condition if answers.get(q) not in c]
                rank = (len(missing), rule.recommend.index(topic.id), order)
                if nearest is None or rank < nearest[0]:
                    nearest = (rank, rule, missing)
        if nearest is None:
            return WhyNot(topic, current)
        _, rule, missing = nearest
        if not missing:
            first = self._comes_first(current.rule, rule, answers)
            return WhyNot(topic, current, rule, first=first)
        return WhyNot(topic, current, rule, self._needs(missing, answers))

    def alternatives(self, state: dict[str, Any], most: int = 4) -> tuple[Alternative, ...]:
        """The designs nearest to the answers that they did not lead to: rules the answers fit
        too, then rules one different answer away, then two, in file order; one per design
        title, at most `most`."""
        current = self.recommendation(state).rule
        answers = self.walkthrough.active(state["answers"])
        ranked: list[tuple[int, int, Rule, list[tuple[str, frozenset[str]]]]] = []
        for order, rule in enumerate(self.walkthrough.rules):
            if rule.id == current.id or rule.title == current.title:
                continue
            missing = min(
                (
                    [(q, c) for q, c in condition if answers.get(q) not in c]
                    for condition in rule.when
                ),
                key=len,
                default=[],
            )
            if len(missing) <= 2:
                ranked.append((len(missing), order, rule, missing))
        found: list[Alternative] = []
        for _, _, rule, missing in sorted(ranked, key=lambda r: r[:2]):
            if len(found) == most or any(a.rule.title == rule.title for a in found):
                continue
            if len(missing) == 2 and len(found) >= 2:
                break  # two answers away: only when nearer designs are few
            if not missing:
                found.append(Alternative(rule, first=self._comes_first(current, rule, answers)))
                continue
            found.append(Alternative(rule, self._needs(missing, answers)))
        return tuple(found)

    def _needs(
        self, missing: Sequence[tuple[str, frozenset[str]]], answers: dict[str, str]
    ) -> tuple[tuple[WalkthroughQuestion, tuple[Choice, ...], Choice | None], ...]:
        """For each question a rule needs answered otherwise: the question, the choices it
        needs, and the choice given instead (None when unanswered)."""
        needs = []
        for question_id, choice_ids in missing:
            question = self.walkthrough.question(question_id)
            given = answers.get(question_id)
            choices = tuple(c for c in question.choices if c.id in choice_ids)
            needs.append((question, choices, question.choice(given) if given else None))
        return tuple(needs)

    def _comes_first(
        self, winner: Rule, other: Rule, answers: dict[str, str]
    ) -> tuple[tuple[WalkthroughQuestion, Choice, Choice | None], ...]:
        """The answers the winning rule asks for and the other rule does not: why it wins."""
        holding = next((c for c in winner.when if condition_holds(c, answers)), ())
        constrained = {q for condition in other.when for q, _ in condition}
        found = []
        for question_id, choice_ids in holding:
            if question_id in constrained and all(
                dict(c).get(question_id) == choice_ids for c in other.when
            ):
                continue
            question = self.walkthrough.question(question_id)
            outside = next((c for c in question.choices if c.id not in choice_ids), None)
            found.append((question, question.choice(answers[question_id]), outside))
        return tuple(found)

    def what_if(
        self, state: dict[str, Any], change: str, *, given_only: bool = False
    ) -> WhatIf | None:
        """The recommendation with the one answer `change` names replaced ("we had a data science
        team", "the data were images"), without walking through again; None when the words
        name no answer. The surest reading wins; on a tie, an answer the user gave over a question
        not asked, a change over the same answer, the later question (the smaller change).
        Questions the change opens take what the words say (as a typed answer to them would),
        else their default or their first choice (`assumed`). With `given_only` (a correction),
        only a different choice for an answer the user gave counts."""
        answers = self.walkthrough.active(state["answers"])
        _, change = correction(change)
        candidates: list[tuple[float, bool, bool, int, WalkthroughQuestion, Choice]] = []
        plain = self._plain(change)
        reading = self.read(change)
        for order, question in enumerate(self.walkthrough.questions):
            index = None if plain.isdigit() else self._exact[question.id].get(plain)
            score = 100.0
            if index is None:
                index = _decide(reading[question.id], _ACCEPT, _MARGIN)
                score = reading[question.id][0][0] if index is not None else 0.0
            if index is None:
                continue
            differs = answers.get(question.id) != question.choices[index].id
            answered = question.id in answers
            if given_only and not (answered and differs):
                continue
            candidates.append((score, answered, differs, order, question, question.choices[index]))
        if not candidates:
            return None
        *_, question, choice = max(candidates, key=lambda c: c[:4])
        changed = json.loads(json.dumps({**state, "answers": answers}))
        changed["heard"] = {}
        self.answer(changed, question.id, choice.id)
        self.infer(changed, change, reading)
        assumed: list[tuple[WalkthroughQuestion, Choice]] = []
        while (opened := self.next_question(changed)) is not None:
            said = _decide(reading[opened.id], _ACCEPT, _MARGIN)
            if said is not None:  # "if the data were images": images answers what to understand
                self.answer(changed, opened.id, opened.choices[said].id)
                continue
            taken = self.assume(changed, opened)
            if taken is None:  # no default: the first choice, said to be assumed
                taken = opened.choices[0]
                self.answer(changed, opened.id, taken.id)
                changed["skipped"].append(opened.id)
            assumed.append((opened, taken))
        previous = answers.get(question.id)
        return WhatIf(
            question,
            choice,
            question.choice(previous) if previous else None,
            self.recommendation({**state, "answers": answers}),
            self.recommendation(changed),
            changed,
            tuple(assumed),
        )


# -- wording -------------------------------------------------------------------------------------

DETAILS = "Details"
"""The heading of the memo's second part: services, notes, next steps and caveats."""
LEAD_WORDS = 120
"""The memo's lead (its title and why) stays within this many words on every path."""


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    separator = "; " if any("," in item for item in items) else ", "
    return separator.join(items[:-1]) + f"{separator.strip()} and {items[-1]}".lstrip(",")


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def why_text(reasons: tuple[Reason, ...]) -> str:
    """The user's own answers as one sentence: "You told me …; from your description, …"."""
    told = [r.choice.because for r in reasons if not r.inferred]
    taken = [r.choice.because for r in reasons if r.inferred]
    parts = []
    if told:
        parts.append(f"you told me {_join(told)}")
    if taken:
        parts.append(f"from your description, {_join(taken)}")
    sentence = "; and ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "." if sentence else ""


def lead_text(recommendation: Recommendation) -> str:
    """The memo's why: the user's answers, the rule's reasoning, and what it says given them."""
    given = recommendation.rule.said_for(
        {r.question.id: r.choice.id for r in recommendation.answers}
    )
    parts = [why_text(recommendation.reasons), recommendation.rule.why, *given]
    return " ".join(" ".join(p.split()) for p in parts if p)


def memo(
    recommendation: Recommendation,
    restart_label: str,
    *,
    flow: str = "",
    image: Link | None = None,
    export_label: str = "",
) -> Reply:
    """The recommendation as a short architect's memo: the decision and the why first, then the
    details (services, notes, next steps, caveats, the reference), with related topics as buttons.
    `flow` is its diagram as text (said after the why), `image` the diagram cards show, and
    `export_label` a button that asks for the decision record.
    """
    rule = recommendation.rule
    main = recommendation.services[0]
    title = f"My recommendation: {rule.title}"
    why = lead_text(recommendation)
    services = tuple(
        f"**{t.title}**: {_first_sentence(t.summary)}" for t in recommendation.services
    )
    lines = [f"**{title}**", f"**Why:** {why}"]
    if flow:
        lines.append(f"**Architecture:** {flow}")
    lines.append(f"**{DETAILS}**\n" + _bullets(services))
    sections = [Section(DETAILS, services)]
    for addition in recommendation.additions:
        lines.append(addition.why)
        sections.append(Section(text=addition.why, collapsed=True))
    consider = list(rule.next)
    if recommendation.related:
        consider.append("Read next: " + ", ".join(t.title for t in recommendation.related) + ".")
    if consider:
        lines.append("**Consider next**\n" + _bullets(tuple(consider)))
        sections.append(Section("Consider next", tuple(consider), collapsed=True))
    if main.when_not_to_use:
        heading = f"When {main.title} is not the answer"
        lines.append(f"**{heading}**\n" + _bullets(main.when_not_to_use[:2]))
        sections.append(Section(heading, main.when_not_to_use[:2], collapsed=True))
    reference = recommendation.reference
    label = "Reference architecture" if rule.reference else "Start here"
    lines.append(f"**{label}:** [{reference.title}]({reference.url})")
    buttons = (*(t.title for t in recommendation.related[:3]), export_label, restart_label)
    return Reply(
        "\n\n".join(lines),
        tuple(b for b in buttons if b),
        kind=ReplyKind.RECOMMENDATION,
        title=title,
        summary=f"**Why:** {why}",
        sections=tuple(sections),
        links=(Link(f"{label}: {reference.title}", reference.url),),
        topic=f"{RECOMMENDATION_TOPIC_PREFIX}{rule.id}",
        image=image,
    )


def trace_value(recommendation: Recommendation) -> dict[str, Any]:
    """What the Emulator's `Recommendation` trace shows: the services and the answers."""
    return {
        "rule": recommendation.rule.id,
        "title": recommendation.rule.title,
        "services": [t.title for t in recommendation.services],
        "topics": [t.id for t in recommendation.services],
        "answers": [
            {
                "question": r.question.id,
                "ask": r.question.ask,
                "answer": r.choice.id,
                "label": r.choice.label,
                "inferred": r.inferred,
                "assumed": r not in recommendation.reasons,
            }
            for r in recommendation.answers
        ],
        "reference": recommendation.reference.url,
        "said": list(recommendation.said),
    }


# -- after the recommendation: wording ------------------------------------------------------------

WHAT_IF_BUTTON = "What if: {label}?"
"""The button that tries the recommendation with one answer changed."""


def _question_words(question: WalkthroughQuestion) -> str:
    ask = question.ask.rstrip("?").strip()
    return ask[:1].lower() + ask[1:]


def why_not_reply(why: WhyNot) -> Reply:
    """Why a service is not in the recommendation, in the user's own answers."""
    topic, current = why.topic, why.recommendation.rule
    buttons: tuple[str, ...] = ()
    if why.chosen:
        text = f"**{topic.title}** is part of my recommendation, **{current.title}**."
    elif why.rule is None:
        text = (
            f"None of the designs I pick from in the walkthrough is built on **{topic.title}**, "
            f"so no answer leads there. {_first_sentence(topic.summary)}"
        )
    elif not why.needs:
        text = f"Your answers fit **{why.rule.title}** too, but **{current.title}** comes first"
        if why.first:
            text += f" because {' and '.join(given.because for _, given, _ in why.first)}."
            buttons = tuple(
                WHAT_IF_BUTTON.format(label=other.label) for _, _, other in why.first[:1] if other
            )
        else:
            text += f": {_first_sentence(current.why)}"
    else:
        wants = " and ".join(" or ".join(c.because for c in choices) for _, choices, _ in why.needs)
        told = [given.because for _, _, given in why.needs if given is not None]
        text = f"I'd recommend **{why.rule.title}** if {wants}."
        if told:
            text += f" You told me {' and '.join(told)}."
        if len(why.needs) == 1:
            buttons = (WHAT_IF_BUTTON.format(label=why.needs[0][1][0].label),)
    return Reply(text, buttons)


def what_if_text(change: WhatIf) -> str:
    """What changing one answer does to the recommendation, in a few lines."""
    before, after = change.before.rule, change.after.rule
    new = short_label(change.choice)
    was = f" instead of {short_label(change.previous)}" if change.previous else ""
    if change.previous == change.choice:
        return f"That's what you told me already, so my recommendation stays **{before.title}**."
    if not change.counts:
        return (
            f"That wouldn't change my recommendation: for **{before.title}**, the answer to "
            f"“{change.question.ask}” does not matter."
        )
    if after.id == before.id and not change.added and not change.dropped:
        return f"With **{new}**{was}, my recommendation stays **{before.title}**."
    if after.id == before.id:
        lines = [f"With **{new}**{was}, my recommendation stays **{before.title}**, with changes."]
    else:
        lines = [f"With **{new}**{was}, I'd recommend **{after.title}** instead of {before.title}."]
    changes = []
    if change.added:
        changes.append("adds " + _join([t.title for t in change.added]))
    if change.dropped:
        changes.append("drops " + _join([t.title for t in change.dropped]))
    if changes:
        lines.append("What changes: it " + "; it ".join(changes) + ".")
    if change.assumed:
        taken = [f"{short_label(c)} ({_question_words(q)})" for q, c in change.assumed]
        lines.append(f"For that I assumed {_join(taken)}.")
    return " ".join(lines)


def _with_lean(
    lean: dict[str, list[tuple[float, int]]] | None, reading: dict[str, list[tuple[float, int]]]
) -> dict[str, list[tuple[float, int]]]:
    """The reading with the opener's lean added where both say the same choice best, each by a
    whole phrase or more: "translate our app's UI strings" then "2 devs, text only, 12
    languages" is translation, though each alone says too little. A lean never breaks a tie:
    "for our analysts" then "internal tools developers … analysts describe what they want" is
    not low-code."""
    if not lean:
        return reading
    merged = dict(reading)
    for question_id, ranked in lean.items():
        read = merged.get(question_id)
        if not read or not ranked:
            continue
        best, index = read[0]
        alone = len(read) == 1 or read[1][0] < best
        score, leaned = ranked[0]
        if leaned != index or not alone or min(best, score) < _LEAN_LEAST:
            continue
        totals = {choice: total for total, choice in read}
        totals[index] += score
        merged[question_id] = sorted(
            ((total, choice) for choice, total in totals.items()), reverse=True
        )
    return merged
