"""The walkthrough's decision engine: which question next, what a typed answer means, and the
recommendation the answers lead to. Plain Python over `knowledge/walkthrough.yaml`.

A walkthrough's progress is a plain dict (JSON-friendly, so dialog state can store it)::

    {"answers": {question id: choice id}, "inferred": [question ids taken from a description],
     "skipped": [question ids whose default was assumed],
     "history": [question ids in the order they were answered]}

Typed answers are matched to a question's choices on stemmed content words (the KB vocabulary's
abbreviations and synonyms applied), with rapidfuzz correcting typos against the question's own
words. Negation is kept: in "no data scientists" the words carry a `not_` mark, so they match a
choice phrase "no data scientists" and never the phrase "data scientists".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz, process

from bot.core.kb import (
    Addition,
    Choice,
    KnowledgeBase,
    Link,
    Rule,
    Topic,
    Walkthrough,
    WalkthroughQuestion,
    any_holds,
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
    ]
)
_NEGATION_SCOPE = 3
"""How many content words after a negation it covers."""
_CLAUSE = re.compile(
    r"[.;:!?()\[\]\n,/]+|\s[-–—]\s|\b(?:but|however|although|though|except|yet)\b", re.IGNORECASE
)
_TYPO_MIN_LENGTH = 4
_TYPO_CUTOFF = 82.0
_PARTIAL_COVERAGE = 0.6
"""A phrase of three or more terms counts when at least this share of it is present."""
_ACCEPT = 0.8
"""A typed answer's best choice needs at least a whole one-word phrase (typos allowed)…"""
_MARGIN = 0.25
"""…and to beat the runner-up by this much; otherwise the user is asked which one."""
_INFER = 0.95
_INFER_MARGIN = 0.45
"""A description answers a question it was not asked only when one choice clearly wins."""
_LONG_ANSWER_WORDS = 8
"""A typed answer this long is a description: it may answer later questions too."""
_COMMAND_MAX_WORDS = 5
_COMMAND_CUTOFF = 80.0
RECOMMENDATION_TOPIC_PREFIX = "walkthrough/"
"""Feedback on a recommendation is stored as `walkthrough/<rule id>`."""
_QUESTION_START = re.compile(
    r"^(what|whats|how|why|which|who|when|where|is|are|does|do|can|could|should|would|will|"
    r"tell me|explain|describe|compare|define|difference)\b"
)


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


@dataclass(frozen=True)
class _Phrase:
    choice: int
    terms: tuple[str, ...]


def new_state() -> dict[str, Any]:
    """A walkthrough with nothing answered."""
    return {"answers": {}, "inferred": [], "skipped": [], "history": []}


def looks_like_question(text: str) -> bool:
    """True for "what is X?", "tell me about Y": a message that asks rather than answers."""
    words = " ".join(re.sub(r"[^0-9a-z' ]+", " ", text.lower()).replace("'", "").split())
    return text.strip().endswith("?") or bool(_QUESTION_START.match(words))


class Advisor:
    """Runs the walkthrough of one knowledge base. Thread-safe: it holds no conversation state."""

    def __init__(self, kb: KnowledgeBase) -> None:
        if kb.walkthrough is None:
            raise ValueError("this knowledge base has no walkthrough.yaml")
        self.kb = kb
        self.walkthrough: Walkthrough = kb.walkthrough
        self.normalizer = Normalizer(kb.vocabulary)
        self._stopwords = kb.vocabulary.stopwords
        self._phrases: dict[str, list[_Phrase]] = {}
        self._vocabulary: dict[str, list[str]] = {}
        self._exact: dict[str, dict[str, int]] = {}
        for question in self.walkthrough.questions:
            phrases = []
            exact: dict[str, int] = {}
            for index, choice in enumerate(question.choices):
                exact[self._plain(choice.label)] = index
                exact[self._plain(choice.id)] = index
                exact[str(index + 1)] = index
                parts = [p for p in _CLAUSE.split(choice.label) if p and p.strip()]
                for text in dict.fromkeys((choice.label, *parts, *choice.means)):
                    terms = tuple(dict.fromkeys(self.terms(text)))
                    if terms:
                        phrases.append(_Phrase(index, terms))
            self._phrases[question.id] = phrases
            self._exact[question.id] = exact
            self._vocabulary[question.id] = sorted(
                {t.removeprefix(NOT) for p in phrases for t in p.terms}
            )
        self._commands = {
            Command(name): tuple(self._plain(w) for w in words)
            for name, words in self.walkthrough.commands.items()
        }

    # -- words ----------------------------------------------------------------------------------

    def _plain(self, text: str) -> str:
        return " ".join(self.normalizer.normalize(text).words)

    def terms(self, text: str) -> list[str]:
        """Stemmed content words, `not_`-marked inside the scope of a negation."""
        found: list[str] = []
        for clause in _CLAUSE.split(text):
            if not clause or not clause.strip():
                continue
            scope = 0
            for word in self.normalizer.normalize(clause).words:
                if word in NEGATIONS:
                    scope = _NEGATION_SCOPE
                    continue
                if word in self._stopwords:
                    continue
                found.append(f"{NOT}{stem(word)}" if scope else stem(word))
                scope = max(scope - 1, 0)
        return found

    def _text_terms(self, question_id: str, text: str) -> dict[str, float]:
        """The text's terms, typos corrected to the question's words, with their similarity."""
        vocabulary = self._vocabulary[question_id]
        known = set(vocabulary)
        found: dict[str, float] = {}
        for term in self.terms(text):
            base = term.removeprefix(NOT)
            prefix = term[: len(term) - len(base)]
            similarity = 1.0
            if base not in known and len(base) >= _TYPO_MIN_LENGTH and not base.isdigit():
                best = process.extractOne(
                    base, vocabulary, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF
                )
                if best is not None:
                    base, similarity = best[0], best[1] / 100
            key = prefix + base
            found[key] = max(found.get(key, 0.0), similarity)
        return found

    # -- matching -------------------------------------------------------------------------------

    def command(self, text: str) -> Command | None:
        """The interruption a short message asks for, if any (typos allowed)."""
        plain = self._plain(text)
        if not plain or len(plain.split()) > _COMMAND_MAX_WORDS:
            return None
        best: tuple[float, Command] | None = None
        for command, words in self._commands.items():
            for word in words:
                if plain == word:
                    return command
                if min(len(plain), len(word)) >= 4:
                    score = fuzz.ratio(plain, word)
                    if score >= _COMMAND_CUTOFF and (best is None or score > best[0]):
                        best = (score, command)
        return best[1] if best else None

    def scores(
        self, question: WalkthroughQuestion, text: str, *, whole_phrases: bool = False
    ) -> list[tuple[float, int]]:
        """(score, choice index) for every choice with any evidence, best first.

        A choice scores by its best phrase: the share of the phrase's words present (typos count
        a little less), times a bonus for longer phrases. With `whole_phrases`, only phrases
        whose every word is present count (used to read descriptions).
        """
        found = self._text_terms(question.id, text)
        best: dict[int, float] = {}
        for phrase in self._phrases[question.id]:
            present = [found[t] for t in phrase.terms if t in found]
            if not present:
                continue
            coverage = sum(present) / len(phrase.terms)
            if len(present) < len(phrase.terms) and (
                whole_phrases or len(phrase.terms) < 3 or coverage < _PARTIAL_COVERAGE
            ):
                continue
            score = coverage * (1 + 0.3 * (len(present) - 1))
            best[phrase.choice] = max(best.get(phrase.choice, 0.0), score)
        return sorted(((s, i) for i, s in best.items()), key=lambda item: (-item[0], item[1]))

    def match(self, question: WalkthroughQuestion, text: str) -> ChoiceMatch:
        """Which choice a typed (or clicked) answer means."""
        index = self._exact[question.id].get(self._plain(text))
        if index is not None:
            choice = question.choices[index]
            return ChoiceMatch(MatchKind.EXACT, choice, 1.0, (choice,))
        ranked = self.scores(question, text)
        if not ranked or ranked[0][0] < _ACCEPT:
            return ChoiceMatch(MatchKind.NONE)
        top_score, top = ranked[0]
        rivals = [(s, i) for s, i in ranked[1:] if top_score - s < _MARGIN]
        if rivals:
            candidates = tuple(question.choices[i] for _, i in [ranked[0], *rivals])
            return ChoiceMatch(MatchKind.AMBIGUOUS, None, top_score, candidates)
        choice = question.choices[top]
        return ChoiceMatch(MatchKind.FUZZY, choice, top_score, (choice,))

    def _infer_one(self, question: WalkthroughQuestion, text: str) -> Choice | None:
        ranked = self.scores(question, text, whole_phrases=True)
        if not ranked or ranked[0][0] < _INFER:
            return None
        if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < _INFER_MARGIN:
            return None
        return question.choices[ranked[0][1]]

    # -- progress ---------------------------------------------------------------------------------

    def start(self, opener: str = "") -> dict[str, Any]:
        """A new walkthrough, with the questions the opening message already answers filled in."""
        state = new_state()
        if opener.strip():
            self.infer(state, opener)
        return state

    def infer(self, state: dict[str, Any], text: str) -> list[str]:
        """Fill in unanswered questions a description clearly answers; return their ids."""
        added: list[str] = []
        changed = True
        while changed:
            changed = False
            kept = self.walkthrough.active(state["answers"])
            for question in self.walkthrough.questions:
                if question.id in kept or not self._applies(question, kept):
                    continue
                choice = self._infer_one(question, text)
                if choice is not None:
                    self.answer(state, question.id, choice.id, inferred=True)
                    added.append(question.id)
                    changed = True
                    break
        return added

    def answer(
        self, state: dict[str, Any], question_id: str, choice_id: str, *, inferred: bool = False
    ) -> None:
        """Record an answer (replacing an earlier one to the same question)."""
        state["answers"][question_id] = choice_id
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

    def _outcome(self, answers: dict[str, str]) -> tuple[str, tuple[str, ...]]:
        rule = self.walkthrough.rule_for(answers)
        additions = self.walkthrough.additions_for(answers)
        return (rule.id if rule else "", tuple(a.id for a in additions))

    def _outcomes(self, answers: dict[str, str]) -> frozenset[tuple[str, tuple[str, ...]]]:
        return frozenset(self._outcome(c) for c in self.walkthrough.completions(answers))

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
        return Recommendation(
            rule, tuple(services), reasons, additions, related, reference, answers
        )


# -- wording -------------------------------------------------------------------------------------


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    separator = "; " if any("," in item for item in items) else ", "
    return separator.join(items[:-1]) + f"{separator.strip()} and {items[-1]}".lstrip(",")


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


def memo(recommendation: Recommendation, restart_label: str) -> Reply:
    """The recommendation as a short architect's memo, with related topics as buttons."""
    rule = recommendation.rule
    main = recommendation.services[0]
    lines = [f"**My recommendation: {rule.title}**"]
    services = tuple(
        f"**{t.title}**: {_first_sentence(t.summary)}" for t in recommendation.services
    )
    lines.append("\n".join(f"- {s}" for s in services))
    why = f"{why_text(recommendation.reasons)} {rule.why}".replace("  ", " ").strip()
    lines.append(f"**Why:** {why}")
    lines.extend(a.why for a in recommendation.additions)
    sections = [Section(items=services), Section("Why", text=why)]
    sections.extend(Section(text=a.why) for a in recommendation.additions)
    consider = list(rule.next)
    if recommendation.related:
        consider.append("Read next: " + ", ".join(t.title for t in recommendation.related) + ".")
    if consider:
        lines.append("**Consider next**\n" + "\n".join(f"- {c}" for c in consider))
        sections.append(Section("Consider next", tuple(consider)))
    if main.when_not_to_use:
        heading = f"When {main.title} is not the answer"
        lines.append(f"**{heading}**\n" + "\n".join(f"- {c}" for c in main.when_not_to_use[:2]))
        sections.append(Section(heading, main.when_not_to_use[:2]))
    reference = recommendation.reference
    label = "Reference architecture" if rule.reference else "Start here"
    lines.append(f"**{label}:** [{reference.title}]({reference.url})")
    buttons = (*(t.title for t in recommendation.related[:3]), restart_label)
    return Reply(
        "\n\n".join(lines),
        buttons,
        kind=ReplyKind.RECOMMENDATION,
        title=f"My recommendation: {rule.title}",
        sections=tuple(sections),
        links=(Link(f"{label}: {reference.title}", reference.url),),
        topic=f"{RECOMMENDATION_TOPIC_PREFIX}{rule.id}",
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
            }
            for r in recommendation.answers
        ],
        "reference": recommendation.reference.url,
    }
