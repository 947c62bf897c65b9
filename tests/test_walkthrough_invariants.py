"""Invariants over every conversation the walkthrough can have (knowledge/walkthrough.yaml).

Each conversation is played the way the dialog asks it (clicking every button of every question
the advisor asks) and its memo rendered; then, on every one of them:

* the platform the user named is honoured (a service of that platform is recommended, and none of
  another platform's) or explicitly addressed (the rule's `given` sentence for that answer is in
  the memo's lead);
* the team's skills question is answered before any rule whose design some team cannot build
  (code-first, deep learning), by a team whose `skills` include that design;
* every note lands on a rule that recommends one of the topics it `applies_to`;
* no reason contradicts an answer: nothing said as a fact about the user names a platform other
  than the one they chose;
* the memo leads with the decision and the why in at most 120 words, details after;
* no button under the memo is cut with "…" (a related comparison is named by its two sides).

Which answers name a platform (`topics`), what a team can build (`skills`), what a rule takes
(`design`) and what a note is about (`applies_to`) all come from the walkthrough's own data.
The checked-in table of every path (docs/walkthrough-paths.md) must be current.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from types import ModuleType

import pytest

from bot.core.advisor import DETAILS, LEAD_WORDS, Advisor, Recommendation, memo
from bot.core.kb import Choice, KnowledgeBase, WalkthroughQuestion
from bot.core.labels import ELLIPSIS, knowledge_labels
from bot.core.replies import Reply, replace_labels
from bot.core.walkthrough_loader import DESIGNS

from .paths import REPO_ROOT

RESTART = "Start again"
HEDGES = re.compile(
    r"\b(not|no|never|than|rather|instead|if|unless|whether|compare|once|until|before|outside|"
    r"without)\b",
    re.IGNORECASE,
)
CLAUSE = re.compile(r"[.;:,()!?]|\s[-–—]\s")
LEADING_LINK = re.compile(r"^(?:and|so|but|then|because|since|as)\s+", re.IGNORECASE)
ABOUT_THE_USER = re.compile(r"^(?:you|your|you're|you've)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Conversation:
    asked: tuple[tuple[str, str], ...]
    """(question id, choice id) in the order the dialog asked them."""
    recommendation: Recommendation
    reply: Reply

    @property
    def answers(self) -> dict[str, str]:
        return dict(self.asked)

    def describe(self) -> str:
        said = ", ".join(f"{q}={c}" for q, c in self.asked)
        return f"{said} -> {self.recommendation.rule.id}"


@pytest.fixture(scope="module")
def advisor(kb: KnowledgeBase) -> Advisor:
    return Advisor(kb)


def _paths(advisor: Advisor, state: dict) -> Iterator[list[tuple[str, str]]]:
    question = advisor.next_question(state)
    if question is None:
        yield []
        return
    for choice in question.choices:
        branch = json.loads(json.dumps(state))
        advisor.answer(branch, question.id, choice.id)
        for rest in _paths(advisor, branch):
            yield [(question.id, choice.id), *rest]


def _play(advisor: Advisor, path: list[tuple[str, str]], *, described: bool = False) -> dict:
    """The state after these answers; `described`: all but the first taken from a description
    (the memo then says "from your description, …", its longest form)."""
    state = advisor.start()
    for number, (question_id, choice_id) in enumerate(path):
        advisor.answer(state, question_id, choice_id, inferred=described and number > 0)
    return state


@pytest.fixture(scope="module")
def conversations(advisor: Advisor) -> list[Conversation]:
    found = []
    for path in _paths(advisor, advisor.start()):
        recommendation = advisor.recommendation(_play(advisor, path))
        found.append(Conversation(tuple(path), recommendation, memo(recommendation, RESTART)))
    assert len(found) > 100
    return found


def lead(reply: Reply) -> str:
    """The part of the memo before its details."""
    head, separator, _ = reply.text.partition(f"**{DETAILS}**")
    assert separator, f"the memo has no {DETAILS} part:\n{reply.text}"
    return head


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’.-]*", text.replace("**", "")))


def platform_questions(advisor: Advisor) -> list[WalkthroughQuestion]:
    """Questions whose answers name a data platform (choices that list `topics`)."""
    return [q for q in advisor.walkthrough.questions if any(c.topics for c in q.choices)]


def names(advisor: Advisor, choice: Choice, chosen: Choice) -> list[str]:
    """What a platform answer is called, as far as it differs from the one chosen: its label's
    name, the titles of its topics the chosen answer does not share, and the aliases of its main
    topic (unless shared)."""
    topics = [advisor.kb.topics[t] for t in choice.topics if t not in chosen.topics]
    found = [choice.label.split(" (")[0]]
    found += [t.title for t in topics]
    if choice.topics and choice.topics[0] not in chosen.topics:
        found += list(advisor.kb.topics[choice.topics[0]].aliases)
    return [n for n in dict.fromkeys(found) if len(n) >= 4]


def claims(conversation: Conversation) -> list[str]:
    """Clauses stated as facts about the user: every clause of the answers' `because`, and the
    clauses of the rule's title, why, `given` sentences and notes whose subject is the user ("you
    are…", "your data is…"); a clause that hedges (not, than, if, rather, once…) states nothing,
    and an instruction ("copy the data from your databases…") is not a claim."""
    recommendation = conversation.recommendation
    rule = recommendation.rule
    told = [r.choice.because for r in recommendation.answers]
    said = [
        rule.title,
        rule.why,
        *rule.said_for(conversation.answers),
        *(a.why for a in recommendation.additions),
    ]
    found = []
    for text, about_the_user in [*((t, False) for t in told), *((t, True) for t in said)]:
        for clause in CLAUSE.split(text):
            clause = LEADING_LINK.sub("", clause.strip())
            if not clause or HEDGES.search(clause):
                continue
            if about_the_user and not ABOUT_THE_USER.match(clause):
                continue
            found.append(clause)
    return found


# -- the invariants ----------------------------------------------------------------------------


def test_the_platform_the_user_named_is_honoured_or_addressed(advisor, conversations):
    failures = []
    questions = platform_questions(advisor)
    assert questions, "no answer in the walkthrough names a platform (`topics`)"
    for conversation in conversations:
        recommended = set(conversation.recommendation.rule.recommend)
        for question in questions:
            answer = conversation.answers.get(question.id)
            if answer is None or answer == question.default:
                continue
            choice = question.choice(answer)
            others = {t for c in question.choices if c.id != answer for t in c.topics}
            others -= set(choice.topics)
            honoured = bool(recommended & set(choice.topics)) and not recommended & others
            given = conversation.recommendation.rule.said_for({question.id: answer})
            addressed = bool(given) and all(g in lead(conversation.reply) for g in given)
            if not (honoured or addressed):
                failures.append(f"{conversation.describe()}: {question.id}={answer} ignored")
    assert not failures, "\n".join(failures)


def test_the_team_is_asked_before_any_design_it_may_not_be_able_to_build(advisor, conversations):
    teams = [q for q in advisor.walkthrough.questions if any(c.skills for c in q.choices)]
    assert teams, "no question says what a team can build (`skills`)"
    needs_skills = {
        d for d in DESIGNS for q in teams if any(c.skills and d not in c.skills for c in q.choices)
    }
    assert {"code-first", "deep-learning"} <= needs_skills
    failures = []
    for conversation in conversations:
        design = conversation.recommendation.rule.design
        assert design in DESIGNS, f"{conversation.describe()}: design {design!r}"
        for question in teams:
            if all(design in c.skills for c in question.choices if c.skills):
                continue
            answer = conversation.answers.get(question.id)
            if answer is None:
                failures.append(f"{conversation.describe()} ({design}): {question.id} never asked")
            elif design not in question.choice(answer).skills:
                failures.append(f"{conversation.describe()} ({design}): {question.id}={answer}")
    assert not failures, "\n".join(failures)


def test_every_note_applies_to_the_services_of_the_rule_it_lands_on(conversations):
    failures = []
    landed = set()
    for conversation in conversations:
        recommendation = conversation.recommendation
        details = conversation.reply.text.partition(f"**{DETAILS}**")[2]
        for addition in recommendation.additions:
            landed.add(addition.id)
            if not set(addition.applies_to) & set(recommendation.rule.recommend):
                failures.append(
                    f"{conversation.describe()}: note {addition.id!r} is about "
                    f"{addition.applies_to}, not {recommendation.rule.recommend}"
                )
            assert addition.why in details, conversation.describe()
    assert not failures, "\n".join(failures)
    assert landed, "no conversation gets a note"


def test_no_reason_contradicts_an_answer_the_user_gave(advisor, conversations):
    failures = []
    questions = platform_questions(advisor)
    for conversation in conversations:
        stated = claims(conversation)
        for question in questions:
            answer = conversation.answers.get(question.id)
            if answer is None:
                continue
            chosen = question.choice(answer)
            for other in question.choices:
                if other.id == answer or not other.topics:
                    continue
                for name in names(advisor, other, chosen):
                    pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
                    failures.extend(
                        f"{conversation.describe()}: says {clause!r} (that is {other.id})"
                        for clause in stated
                        if pattern.search(clause)
                    )
    assert not failures, "\n".join(sorted(set(failures)))


def test_the_contradiction_check_sees_a_claim_about_another_platform(advisor, conversations):
    """The check above is not vacuous: the old "analysts working inside Fabric" answer, or a why
    stating the data is in Fabric, is caught on a path where the user chose Databricks."""
    conversation = next(
        c
        for c in conversations
        if c.answers.get("platform") == "databricks" and c.answers.get("audience") == "builders"
    )
    platform = advisor.walkthrough.question("platform")
    databricks, fabric = platform.choice("databricks"), platform.choice("fabric")
    recommendation = conversation.recommendation
    audience = recommendation.answers[-1]
    wrong = replace(
        audience, choice=replace(audience.choice, because="analysts working inside Fabric")
    )
    told = replace(recommendation, answers=(*recommendation.answers[:-1], wrong))
    said = replace(
        recommendation, rule=replace(recommendation.rule, why="Your data is in Fabric already.")
    )
    fabric_names = names(advisor, fabric, databricks)
    for tampered in (told, said):
        stated = claims(replace(conversation, recommendation=tampered))
        assert any(
            re.search(rf"\b{re.escape(n)}\b", c, re.IGNORECASE)
            for n in fabric_names
            for c in stated
        )
    assert not any(
        re.search(rf"\b{re.escape(n)}\b", c, re.IGNORECASE)
        for n in fabric_names
        for c in claims(conversation)
    )


def test_memos_lead_with_the_decision_and_the_why_in_few_words(advisor, conversations):
    failures = []
    for conversation in conversations:
        reply = conversation.reply
        head = lead(reply)
        assert head.startswith(f"**My recommendation: {conversation.recommendation.rule.title}**")
        assert "**Why:**" in head
        if words(head) > LEAD_WORDS:
            failures.append(f"{conversation.describe()}: {words(head)} words before the details")
        details = reply.text.partition(f"**{DETAILS}**")[2]
        for service in conversation.recommendation.services:
            assert f"**{service.title}**" in details, conversation.describe()
        for step in conversation.recommendation.rule.next:
            assert step not in head and step in details, conversation.describe()
        assert reply.summary and words(reply.summary) <= LEAD_WORDS
        assert reply.sections[0].heading == DETAILS
        described = memo(
            advisor.recommendation(_play(advisor, list(conversation.asked), described=True)),
            RESTART,
        )
        assert "from your description" in lead(described) or len(conversation.asked) == 1
        if words(lead(described)) > LEAD_WORDS:
            failures.append(f"{conversation.describe()}, described: {words(lead(described))} words")
    assert not failures, "\n".join(failures)


def test_no_button_under_a_memo_is_cut(kb, conversations):
    labels = knowledge_labels(kb)  # as the dialog labels the memo it sends
    cut = sorted(
        {
            f"{conversation.recommendation.rule.id}: {label}"
            for conversation in conversations
            for label in map(
                replace_labels(conversation.reply, labels).label, conversation.reply.suggestions
            )
            if label.endswith(ELLIPSIS)
        }
    )
    assert not cut, "\n".join(cut)


def test_nothing_the_walkthrough_says_mentions_the_guide(kb, conversations):
    texts = [kb.walkthrough.intro]
    for question in kb.walkthrough.questions:
        texts += [question.ask, question.help, *(c.label for c in question.choices)]
    texts += [c.reply.text for c in conversations]
    assert not [t for t in texts if re.search(r"\bthe guide\b", t, re.IGNORECASE)]


# -- the table of every path -------------------------------------------------------------------


def _script() -> ModuleType:
    path = REPO_ROOT / "scripts" / "walkthrough_paths.py"
    spec = importlib.util.spec_from_file_location("walkthrough_paths", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_checked_in_table_of_every_path_is_current(kb, conversations):
    script = _script()
    expected = script.render(kb)
    table = script.OUTPUT.read_text(encoding="utf-8")
    assert table == expected, (
        "docs/walkthrough-paths.md is stale: run .venv/bin/python scripts/walkthrough_paths.py"
    )
    rows = [line for line in table.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == len(conversations)
    for conversation in conversations:
        said = ", ".join(f"{q}={c}" for q, c in conversation.asked)
        assert any(f"| {said} | `{conversation.recommendation.rule.id}`" in r for r in rows), said
