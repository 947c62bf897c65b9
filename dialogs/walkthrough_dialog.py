"""The guided architecture walkthrough: asks the questions in knowledge/walkthrough.yaml and ends
in a recommendation memo. The decisions are the Advisor's; this dialog only talks.

Each question is one pass of a two-step waterfall (ask with a TextPrompt, then interpret the
answer) that loops with `replace_dialog`, carrying the walkthrough's progress as a plain dict in
the dialog's options, so it survives a server restart in the persistent conversation state.
Typed answers go through the Advisor's fuzzy matcher (ChoicePrompt does not match typos); the
choices are offered as suggested-action buttons that send their label.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt

from bot.core.advisor import Advisor, Command, MatchKind, looks_like_question, memo, trace_value
from bot.core.kb import Kind, WalkthroughQuestion
from bot.core.replies import HELP_TOPIC, Replies, Reply, ReplyKind
from bot.core.router import Outcome
from bot.messages import to_activity
from bot.recognizer import KnowledgeRecognizer, decision_of

WALKTHROUGH_TOPIC = "walkthrough"
TRACE_NAME = "Recommendation"
TRACE_LABEL = "ArchBot recommendation"
TRACE_VALUE_TYPE = "https://archbot.dev/schemas/recommendation"
EMULATOR = "emulator"
RESTART_LABEL = "Start the walkthrough"
STATEMENT_ANSWER_SCORE = 0.8
"""A statement that is not an answer is taken as a knowledge question only above this score."""
LONG_ANSWER_WORDS = 8
DESCRIPTION_WORDS = 5
"""A typed answer this long is read as a description too: it may answer later questions."""
"""A typed answer this long is a description of the project, not a pick."""

_STEPS = "WalkthroughSteps"
_PROMPT = "WalkthroughPrompt"


class WalkthroughDialog(ComponentDialog):
    """Interviews the user and recommends an architecture; interruptions work at every question."""

    def __init__(self, advisor: Advisor, recognizer: KnowledgeRecognizer, replies: Replies) -> None:
        super().__init__(WalkthroughDialog.__name__)
        self.advisor = advisor
        self.recognizer = recognizer
        self.replies = replies
        self.add_dialog(WaterfallDialog(_STEPS, [self._ask_step, self._answer_step]))
        self.add_dialog(TextPrompt(_PROMPT))
        self.initial_dialog_id = _STEPS

    # -- the loop -----------------------------------------------------------------------------

    async def _ask_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        options: dict[str, Any] = dict(step.options or {})
        state = options.get("state")
        notes: list[str] = list(options.get("notes") or [])
        if state is None:
            state = self.advisor.start(options.get("opener") or "")
            notes = [self.advisor.walkthrough.intro, *self._understood(state, state["inferred"])]
        question = self.advisor.next_question(state)
        if question is None:
            return await self._finish(step, state, notes)
        state["asking"] = question.id
        step.values["state"] = state
        step.values["misses"] = (
            options.get("misses", 0) if options.get("asking") == question.id else 0
        )
        prompt = self._question_activity(question, notes, options.get("only"), step.context)
        return await step.prompt(_PROMPT, PromptOptions(prompt=prompt, retry_prompt=prompt))

    async def _answer_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        state: dict[str, Any] = step.values["state"]
        misses: int = step.values.get("misses", 0)
        question = self.advisor.walkthrough.question(state["asking"])
        text = (step.result or "").strip()
        context = step.context

        command = self.advisor.command(text)
        if command is Command.CANCEL:
            await context.send_activity(
                to_activity(
                    Reply(
                        "OK, I've stopped the walkthrough. Ask me anything, or come back to it "
                        "any time.",
                        (RESTART_LABEL,),
                    ),
                    context,
                )
            )
            return await step.end_dialog({"cancelled": True})
        if command is Command.RESTART:
            return await self._loop(step, self.advisor.start(), ["Starting over."])
        if command is Command.BACK:
            previous = self.advisor.back(state)
            note = (
                "Let's go back one question."
                if previous
                else "This is the first question, there is nothing before it."
            )
            return await self._loop(step, state, [note])
        if command is Command.HELP:
            return await self._loop(step, state, [self._help_text(question)], asking=question.id)
        if command is Command.SKIP:
            choice = self.advisor.assume(state, question)
            if choice is not None:
                return await self._loop(
                    step, state, [f"No problem, I'll assume **{choice.label}** for now."]
                )
            note = "I need this one to recommend anything sensible: pick the closest option."
            return await self._loop(step, state, [note], asking=question.id, misses=misses)

        match = self.advisor.match(question, text)
        long_answer = match.kind is not MatchKind.EXACT and len(text.split()) >= LONG_ANSWER_WORDS
        asked = looks_like_question(text)
        if match.kind is not MatchKind.EXACT and (asked or not long_answer):
            answered = await self._answered_knowledge(
                context, text, asked=asked, matched=match.kind
            )
            if answered == HELP_TOPIC:
                return await self._loop(
                    step, state, [self._help_text(question)], asking=question.id
                )
            if answered:
                return await self._loop(
                    step, state, ["Back to the walkthrough:"], asking=question.id, misses=misses
                )
        choice = match.choice
        if match.kind is MatchKind.AMBIGUOUS and long_answer:
            choice = match.candidates[0]  # a description: take the best reading, say so
        if choice is not None:
            self.advisor.answer(state, question.id, choice.id)
            notes = []
            if match.kind is not MatchKind.EXACT:
                notes.append(f"Got it: **{choice.label}**.")
            if match.kind is not MatchKind.EXACT and len(text.split()) >= DESCRIPTION_WORDS:
                notes.extend(self._understood(state, self.advisor.infer(state, text)))
            return await self._loop(step, state, notes)
        if match.kind is MatchKind.AMBIGUOUS:
            labels = " or ".join(f"**{c.label}**" for c in match.candidates)
            return await self._loop(
                step,
                state,
                [f"That could be {labels}. Which one is closer?"],
                asking=question.id,
                misses=misses,
                only=[c.id for c in match.candidates],
            )
        if question.default is not None and (long_answer or misses >= 1):
            choice = self.advisor.assume(state, question)
            notes = [f"I'll assume **{choice.label}** (say **back** to change it)."]
            if long_answer:
                notes.extend(self._understood(state, self.advisor.infer(state, text)))
            return await self._loop(step, state, notes)
        note = "Sorry, I didn't catch that. Pick one of the options, or describe it in other words."
        return await self._loop(step, state, [note], asking=question.id, misses=misses + 1)

    async def _loop(
        self,
        step: WaterfallStepContext,
        state: dict[str, Any],
        notes: list[str],
        *,
        asking: str | None = None,
        misses: int = 0,
        only: list[str] | None = None,
    ) -> DialogTurnResult:
        options = {"state": state, "notes": [n for n in notes if n], "misses": misses}
        if asking:
            options["asking"] = asking
        if only:
            options["only"] = only
        return await step.replace_dialog(_STEPS, options)

    # -- messages -----------------------------------------------------------------------------

    def _understood(self, state: dict[str, Any], question_ids: list[str]) -> list[str]:
        if not question_ids:
            return []
        walkthrough = self.advisor.walkthrough
        said = [
            walkthrough.question(q).choice(state["answers"][q]).label
            for q in question_ids
            if q in state["answers"]
        ]
        if not said:
            return []
        items = "\n".join(f"- {s}" for s in said)
        return [f"From what you said, I've noted (say **back** to change):\n{items}"]

    def _question_activity(
        self,
        question: WalkthroughQuestion,
        notes: list[str],
        only: list[str] | None,
        context: TurnContext,
    ):
        choices = [c for c in question.choices if not only or c.id in only]
        text = "\n\n".join([*notes, f"**{question.ask}**"])
        labels = tuple(c.label for c in choices)
        reply = Reply(text, labels, ReplyKind.QUESTION, title=question.ask, notes=tuple(notes))
        return to_activity(reply, context)  # rendered now: the prompt is kept in dialog state

    def _help_text(self, question: WalkthroughQuestion) -> str:
        parts = [question.help] if question.help else []
        parts.append(
            "Click an option or describe your situation in your own words. You can also say "
            "**back** (previous question), **start over**, **skip** or **cancel**, or ask me "
            "any question about Azure AI and I'll answer it and come back here."
        )
        return "\n\n".join(parts)

    async def _answered_knowledge(
        self, context: TurnContext, text: str, *, asked: bool, matched: MatchKind
    ) -> bool | str:
        """Answer a knowledge question asked mid-walkthrough: True when answered, "help" when
        the user asked what they can do, False when it is not a knowledge question."""
        if matched is not MatchKind.NONE and not asked:
            return False
        decision = decision_of(await self.recognizer.recognize(context))
        if decision.comparison is not None:
            await context.send_activity(to_activity(self.replies.for_decision(decision), context))
            return True
        top = decision.top
        if decision.outcome is not Outcome.ANSWER or top is None:
            return False
        topic = top.intent.topic
        if topic.id == HELP_TOPIC:
            return HELP_TOPIC
        if topic.kind is Kind.ACTION:
            return False
        if not asked:
            confident = topic.kind is Kind.SMALLTALK or top.score >= STATEMENT_ANSWER_SCORE
            if matched is not MatchKind.NONE or not confident:
                return False
        await context.send_activity(to_activity(self.replies.for_decision(decision), context))
        return True

    async def _finish(
        self, step: WaterfallStepContext, state: dict[str, Any], notes: list[str]
    ) -> DialogTurnResult:
        recommendation = self.advisor.recommendation(state)
        reply = memo(recommendation, RESTART_LABEL)
        if notes:
            reply = replace(reply, text="\n\n".join([*notes, reply.text]), notes=tuple(notes))
        await step.context.send_activity(to_activity(reply, step.context))
        value = trace_value(recommendation)
        if step.context.activity.channel_id == EMULATOR:
            await step.context.send_trace_activity(
                TRACE_NAME, value=value, value_type=TRACE_VALUE_TYPE, label=TRACE_LABEL
            )
        return await step.end_dialog(value)
