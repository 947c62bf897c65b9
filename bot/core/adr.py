"""A recommendation as an Architecture Decision Record, in the MADR template (markdown that reads
well in a repository or pasted into a wiki).

Context: the walkthrough's questions and the team's answers in their own terms (each answer's
`because`, turned to "we"). Decision: the design, why, and its services. Alternatives: the
rules nearest to the answers that did not fire, with what they would need. Consequences: the
services' "look elsewhere when" facts, and the next steps. Then the diagram and the links.

An ADR is a function of the answers alone, so its address says them all
(`/adr/<rule id>.md?goal=genai&…`, `record_path`): the same link gives the same record on any
instance, any time, and `answers_from_query` reads it back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from bot.core.advisor import SAID_CHARS, SAID_MOST, Alternative, Recommendation
from bot.core.diagram import Diagram, text
from bot.core.kb import Topic, Walkthrough

ADR_PREFIX = "/adr/"
ASSUMED = "assumed"
INFERRED = "inferred"
SAID = "said"
"""Query keys: the answers taken by default, those read from a description, and the user's own
words (one message a line)."""
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|])")
_PERSON = (
    (re.compile(r"\byou're\b", re.IGNORECASE), "we're"),
    (re.compile(r"\byou've\b", re.IGNORECASE), "we've"),
    (re.compile(r"\byou haven't\b", re.IGNORECASE), "we haven't"),
    (re.compile(r"\byour\b", re.IGNORECASE), "our"),
    (re.compile(r"\byou\b", re.IGNORECASE), "we"),
)


def _we(because: str) -> str:
    """An answer's `because` said by the team: "you're building …" → "we're building …"."""
    said = because
    for pattern, word in _PERSON:
        said = pattern.sub(word, said)
    return said


def first_person(because: str) -> str:
    """`_we`, as a sentence's start."""
    said = _we(because)
    return said[:1].upper() + said[1:]


def _inert(words: str) -> str:
    """The user's words on one line, with no markdown of their own (links, emphasis, HTML)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(words.split()))


def _sentence(text: str) -> str:
    found = re.match(r"(.+?[.!?])(\s|$)", text)
    return found.group(1) if found else text


def _join(items: list[str], word: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} {items[-1]}"


def record_path(recommendation: Recommendation) -> str:
    """The record's address on the bot: the rule, then every answer (and how it was taken)."""
    query = [(r.question.id, r.choice.id) for r in recommendation.answers]
    given = {r.question.id for r in recommendation.reasons}
    assumed = [r.question.id for r in recommendation.answers if r.question.id not in given]
    inferred = [r.question.id for r in recommendation.answers if r.inferred]
    if assumed:
        query.append((ASSUMED, ",".join(assumed)))
    if inferred:
        query.append((INFERRED, ",".join(inferred)))
    if recommendation.said:
        query.append((SAID, "\n".join(recommendation.said)))
    return f"{ADR_PREFIX}{recommendation.rule.id}.md?{urlencode(query)}"


def answers_from_query(walkthrough: Walkthrough, query: Mapping[str, str]) -> dict[str, Any] | str:
    """The walkthrough state a record's address says, or what is wrong with it."""
    answers: dict[str, str] = {}
    for key, value in query.items():
        if key in (ASSUMED, INFERRED, SAID):
            continue
        question = next((q for q in walkthrough.questions if q.id == key), None)
        if question is None:
            return f"unknown question {key!r}"
        if not any(c.id == value for c in question.choices):
            return f"unknown answer {value!r} to question {key!r}"
        answers[key] = value
    marks = {k: [q for q in query.get(k, "").split(",") if q] for k in (ASSUMED, INFERRED)}
    if walkthrough.active(answers) != answers:
        return "these answers do not go together (a question that does not apply is answered)"
    return {
        "answers": answers,
        "inferred": [q for q in marks[INFERRED] if q in answers],
        "skipped": [q for q in marks[ASSUMED] if q in answers],
        "history": list(answers),
        "heard": {},
        "said": [w[:SAID_CHARS] for w in query.get(SAID, "").split("\n") if w.strip()][:SAID_MOST],
    }


def _context(recommendation: Recommendation) -> list[str]:
    given = {r.question.id for r in recommendation.reasons}
    lines = [
        "## Context and Problem Statement",
        "",
        "We want to choose an Azure architecture for our project.",
        "",
    ]
    if recommendation.said:
        lines += ["In our words:", ""]
        for words in recommendation.said:
            lines += [f"> {_inert(words)}", ""]
    lines += ["In ArchBot's walkthrough we answered:", ""]
    for reason in recommendation.answers:
        how = ""
        if reason.question.id not in given:
            how = " *(assumed: we did not say)*"
        elif reason.inferred:
            how = " *(read from our description)*"
        lines.append(
            f"- **{reason.question.ask}** {reason.choice.label}: "
            f"{first_person(reason.choice.because)}.{how}"
        )
    return lines


def _alternative(alternative: Alternative, chosen: str) -> str:
    if not alternative.needs:
        why = f"It fits our answers too, but **{chosen}** comes first"
        if alternative.first:
            return why + f" because {_join([_we(g.because) for _, g, _ in alternative.first])}."
        return why + "."
    wants = [_join([_we(c.because) for c in choices], "or") for _, choices, _ in alternative.needs]
    told = [_we(given.because) for _, _, given in alternative.needs if given is not None]
    line = f"It is the better fit if {_join(wants)}"
    return line + (f"; but {_join(told)}." if told else ".")


def decision_record(
    recommendation: Recommendation,
    alternatives: tuple[Alternative, ...],
    diagram: Diagram | None = None,
    diagram_url: str = "",
) -> str:
    """The markdown ADR (MADR) of a recommendation."""
    rule = recommendation.rule
    lines = [f"# {rule.title}", "", "- Status: proposed", "- Recorded with: ArchBot", ""]
    lines += _context(recommendation)
    lines += ["", "## Considered Options", "", f"- {rule.title} (chosen)"]
    lines += [f"- {a.rule.title}" for a in alternatives]
    lines += ["", "## Decision Outcome", "", f'Chosen option: "{rule.title}", because:']
    given = rule.said_for({r.question.id: r.choice.id for r in recommendation.answers})
    why = " ".join(" ".join(part.split()) for part in (rule.why, *given))
    lines += ["", first_person(why), "", "### Services", ""]
    lines += [
        f"- **[{t.title}]({t.link.url})**: {_sentence(t.summary)}" for t in recommendation.services
    ]
    for addition in recommendation.additions:
        lines += ["", addition.why]
    lines += ["", "### Consequences", ""]
    facts = [(t, f) for t in recommendation.services for f in t.when_not_to_use[:2]]
    if facts:
        lines += ["Look elsewhere when any of these becomes true:", ""]
        lines += [f"- {t.title}: {fact}" for t, fact in facts]
    if rule.next:
        lines += ["", "Next steps:", ""]
        lines += [f"- {step}" for step in rule.next]
    if alternatives:
        lines += ["", "## Alternatives Considered", ""]
        for alternative in alternatives:
            lines += [
                f"### {alternative.rule.title}",
                "",
                _alternative(alternative, rule.title),
                "",
            ]
        lines.pop()
    if diagram is not None:
        lines += ["", "## Architecture", ""]
        if diagram_url:
            lines += [f"![Architecture: {rule.title}]({diagram_url})", ""]
        lines += [f"Data flow: {text(diagram)}"]
    lines += ["", "## Links", ""]
    reference = recommendation.reference
    lines.append(f"- [{reference.title}]({reference.url})")
    lines += _links(recommendation.services, recommendation.related)
    return "\n".join(lines) + "\n"


def _links(services: tuple[Topic, ...], related: tuple[Topic, ...]) -> list[str]:
    seen: set[str] = set()
    found = []
    for topic in (*services, *related):
        link = topic.link
        if link.url in seen:
            continue
        seen.add(link.url)
        found.append(f"- [{topic.title}: {link.title}]({link.url})")
    return found
