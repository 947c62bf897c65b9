"""`archbot adr`: the decision record of a walkthrough, in the terminal, without a conversation.

The answers come from a description (read as the walkthrough reads one) and `--answer
QUESTION=CHOICE`; an open question is reported with its choices, not guessed. The record is the
one "Export decision record" gives (bot/core/adr.py), printed or written to a file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.core.advisor import Advisor
from bot.core.artifacts import Artifacts
from bot.core.loader import load_knowledge
from bot.operations.config import Settings


def _choices(advisor: Advisor, question_id: str) -> str:
    question = advisor.walkthrough.question(question_id)
    return ", ".join(c.id for c in question.choices)


def decision_record_command(
    description: str,
    answers: Sequence[str],
    out: str | None,
    settings: Settings,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Print (or write to `out`) the record; 2 with what is missing when the answers fall short."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    kb = load_knowledge(settings.knowledge_dir)
    if kb.walkthrough is None:
        print("this knowledge base has no walkthrough", file=stderr)
        return 2
    advisor = Advisor(kb)
    state = advisor.start(description)
    known = [q.id for q in advisor.walkthrough.questions]
    for given in answers:
        question_id, _, choice_id = given.partition("=")
        if question_id not in known:
            questions = ", ".join(known)
            print(f"--answer {given}: no question {question_id!r} ({questions})", file=stderr)
            return 2
        if choice_id not in _choices(advisor, question_id).split(", "):
            choices = _choices(advisor, question_id)
            print(f"--answer {given}: {question_id} is one of {choices}", file=stderr)
            return 2
        advisor.answer(state, question_id, choice_id)
    question = advisor.next_question(state)
    if question is not None:
        print(
            f"open question: {question.ask} Say it in the description, or add "
            f"--answer {question.id}=<{_choices(advisor, question.id).replace(', ', '|')}>",
            file=stderr,
        )
        return 2
    artifacts = Artifacts(advisor, settings.base_url, public=bool(settings.public_url))
    record = artifacts.record(state)
    if out is None:
        stdout.write(record)
        return 0
    Path(out).write_text(record, encoding="utf-8")
    print(f"wrote {out}", file=stderr)
    return 0
