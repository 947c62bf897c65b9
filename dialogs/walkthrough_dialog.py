"""The guided architecture walkthrough: asks the questions in knowledge/walkthrough.yaml and ends
in a recommendation memo. The decisions are the Advisor's; this dialog only talks.

Each question is one pass of a two-step waterfall (ask with a TextPrompt, then interpret the
answer) that loops with `replace_dialog`, carrying the walkthrough's progress as a plain dict in
the dialog's options, so it survives a server restart in the persistent conversation state.
Typed answers go through the Advisor's fuzzy matcher (ChoicePrompt does not match typos); the
choices are offered as suggested-action buttons that send their label. A message that is no
answer is given the recognizer's own reply, as outside the walkthrough (a question's answer, read in
the conversation's focus, or a decline, kept as the turn's RecognizerResult), then the question.

The last walkthrough's answers stay in conversation state (`memory`, a state property) after it
ends, so "why not Databricks?", "what if we had a data science team?" and "Export decision
record" are answered on any later turn (`follow_up`, which the root dialog asks first). The memo
carries its architecture diagram (`Artifacts`: an image on cards, a line of text elsewhere).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

from botbuilder.core import RecognizerResult, StatePropertyAccessor, TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt
from botbuilder.schema import Activity

from bot.channels.messages import to_activity
from bot.core.advisor import (
    PARAGRAPH_WORDS,
    Advisor,
    ChoiceMatch,
    Command,
    MatchKind,
    Recommendation,
    Understanding,
    memo,
    note_words,
    short_label,
    trace_value,
    what_if_text,
    why_not_reply,
)
from bot.core.artifacts import Artifacts
from bot.core.context.corrections import CORRECTION
from bot.core.context.returns import RETURN
from bot.core.diagram import text as diagram_text
from bot.core.follow_up_forms import FollowUp, correction, follow_up
from bot.core.guidance import declines_surely, is_walkthrough
from bot.core.kb import Choice, Kind, Link, WalkthroughQuestion
from bot.core.labels import choice_label
from bot.core.replies import HELP_TOPIC, Replies, Reply, ReplyKind, replace_labels
from bot.core.router import Outcome
from bot.core.text import looks_like_question, opens_with_question
from bot.recognizer import RESULT_KEY, KnowledgeRecognizer, decision_of, understood_of

TRACE_NAME = "Recommendation"
TRACE_LABEL = "ArchBot recommendation"
TRACE_VALUE_TYPE = "https://archbot.dev/schemas/recommendation"
EMULATOR = "emulator"
RESTART_LABEL = "Start the walkthrough"
EXPORT_LABEL = "Export decision record"
_EXPORT = re.compile(
    r"^(?:please\s+)?(?:(?:export|download|write|give me|get|send|make|create)\s+)?"
    r"(?:(?:me|us|the|a|an|our|this|that)\s+)*(?:architecture\s+)?(?:decision record|adr)"
    r"(?:\s+(?:please|for (?:this|that|it)))?$",
    re.IGNORECASE,
)
"""Asking for the last recommendation's decision record: the button, "ADR", "write the decision
record"."""
TERMINAL = "terminal"
"""The terminal's channel: the record is printed, not linked."""
MEMORY = "Walkthrough"
"""The conversation-state property that keeps the last walkthrough's answers."""
STATEMENT_ANSWER_SCORE = 0.8
"""A statement that is not an answer is taken as a knowledge question only above this score."""
LONG_ANSWER_WORDS = 8
"""A typed answer this long is a description of the project, never a knowledge question."""
SURE_QUESTION = 0.9
"""A short message the recognizer answers this surely is talk about the answer, even when a
walkthrough choice fuzzily matches it."""
PROFILE_ANSWERS = 2
"""A short message after an answer that answers this many of the walkthrough's questions
describes the project ("power bi report builders, tabular data, want copilot-style help"); one
that answers fewer may be talk about the answer ("it keeps missing our product names tho")."""
DESCRIBED_QUESTIONS = 2
"""A typed answer that names choices of this many questions describes the project: when it
answers nothing of the question asked, it is told so rather than "didn't catch that"."""
SKIP_LABEL = "Not sure"
LEAVE_LABEL = "Stop the walkthrough"
"""Extra buttons under a question asked again: skip it (when it has a default) or leave."""
MISSED = (
    "Sorry, I didn't catch that. Pick one of the options, or describe it in other words.",
    "I still can't place that one. Click the closest option, or say **cancel** to leave the "
    "walkthrough.",
    "That describes the project, but it doesn't tell me this one. Click the closest option, or "
    "say it in a few words.",
)
"""What a question asked again after an answer that could not be read says, in turn: the same
sentence never comes twice in a row; a description that answers nothing of this question (the
third) is told so."""
_DESCRIBED = 2
ASSUMED_AFTER_MISS = (
    "I couldn't place that either, so I'll assume **{label}** for now (say **back** to change it)."
)
ASIDE = (
    "Back to the walkthrough when you're ready: **{ask}** Click an option above or answer in "
    "your own words, or say **cancel** to leave it."
)
"""After a message declined mid-walkthrough: the question it interrupted, as a reminder (its
options are on the question above)."""
CONFIRMED = "Good."
OFFER_TAKEN = "Sure, let's fit it to your project."
"""Before the first question asked again when a message takes up the questions an answer
offered ("can you help us design the whole thing?")."""
ALREADY_IN = "We're in the walkthrough now (say **start over** to begin it again)."
"""Before the question asked again when a message asks for the walkthrough during it ("could
you walk me through picking the whole architecture?"): not a miss, nothing lost."""
AFTER_ANSWER = "after_answer"
"""The walkthrough's state: it began after an answer to the request that opened it, so a
question on the way is read as one even when it is long."""
ANSWERED_ONE = "answered_one"
"""Set once the user has answered one of the walkthrough's questions."""
WHICH_PART = (
    'Which part did I get wrong? Tell me in your own words (for example "we do have data '
    'scientists"), or say **back**.'
)
_YES = frozenset(
    [
        "yes",
        "yep",
        "yeah",
        "yup",
        "right",
        "correct",
        "exactly",
        "that's right",
        "thats right",
        "that is right",
        "ok",
        "okay",
        "sure",
        "indeed",
        "spot on",
    ]
)
_NO = frozenset(
    ["no", "nope", "nah", "wrong", "not quite", "that's wrong", "thats wrong", "not right"]
)
"""Replies to "I read: … — right?" that confirm it, or say it is wrong without saying how."""

_SERVICE_KINDS = frozenset(
    [Kind.SERVICE, Kind.PLATFORM, Kind.TOOL, Kind.MODEL, Kind.CONCEPT, Kind.LANGUAGE]
)
"""What "why not X?" can be about (not small talk, a decline or a customer story)."""

_READ_BACK_START = "I read:"
_LEADING_TAIL = "a question or two more and I'll say why and what goes around it."
_READ_KEY = "archbot.walkthrough_read"
"""Turn state: the message as the recognizer read it (`_read`), once a turn."""
_STEPS = "WalkthroughSteps"
_PROMPT = "WalkthroughPrompt"


def recommendation_memo(recommendation: Recommendation, artifacts: Artifacts | None) -> Reply:
    """The memo, with its diagram and the export button when there are artifacts."""
    drawn = artifacts.diagram(recommendation) if artifacts is not None else None
    if artifacts is None or drawn is None:
        return memo(recommendation, RESTART_LABEL)
    flow = diagram_text(drawn)
    image = Link(f"Architecture diagram: {flow}", artifacts.image_url(drawn))
    return memo(recommendation, RESTART_LABEL, flow=flow, image=image, export_label=EXPORT_LABEL)


class WalkthroughDialog(ComponentDialog):
    """Interviews the user and recommends an architecture; interruptions work at every question."""

    def __init__(
        self,
        advisor: Advisor,
        recognizer: KnowledgeRecognizer,
        replies: Replies,
        memory: StatePropertyAccessor | None = None,
        artifacts: Artifacts | None = None,
    ) -> None:
        super().__init__(WalkthroughDialog.__name__)
        self.advisor = advisor
        self.recognizer = recognizer
        self.replies = replies
        self.memory = memory
        """Conversation state: the last walkthrough's answers, {"state": …} (None: not kept)."""
        self.artifacts = artifacts
        """Diagrams and decision records (None: the memo has neither)."""
        self.add_dialog(WaterfallDialog(_STEPS, [self._ask_step, self._answer_step]))
        self.add_dialog(TextPrompt(_PROMPT))
        self.initial_dialog_id = _STEPS

    # -- the loop -----------------------------------------------------------------------------

    async def _ask_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        options: dict[str, Any] = dict(step.options or {})
        state = options.get("state")
        notes: list[str] = list(options.get("notes") or [])
        starting = state is None
        if starting:
            state = self.advisor.start(options.get("opener") or "")
            state[AFTER_ANSWER] = bool(options.get("answered"))
        question = self.advisor.next_question(state)
        if starting:
            notes = [self._intro(state, question), *self._read_back(state, state["inferred"])]
            options["confirming"] = bool(state["inferred"])
        if question is None:
            return await self._finish(step, state, notes)
        leading = self.advisor.leading(state) if _READ_BACK_START in "".join(notes) else ()
        if leading:  # a description that already narrows the main service down
            names = " or ".join(f"**{title}**" for title in leading)
            notes.append(f"So far this points to {names}; {_LEADING_TAIL}")
        state["asking"] = question.id
        again = options.get("asking") == question.id
        step.values["state"] = state
        step.values["misses"] = options.get("misses", 0) if again else 0
        step.values["missed"] = options.get("missed") if again else None
        step.values["confirming"] = bool(options.get("confirming"))
        prompt = self._question_activity(
            question, notes, options.get("only"), step.context, exits=bool(options.get("exits"))
        )
        shown = self._aside_activity(question, step.context) if options.get("aside") else prompt
        return await step.prompt(_PROMPT, PromptOptions(prompt=shown, retry_prompt=prompt))

    def _intro(self, state: dict[str, Any], question: WalkthroughQuestion | None) -> str:
        """The walkthrough's first words; after an answer, that the questions fit the answer to
        the team, or, when the request left none open, that a fuller recommendation follows."""
        walkthrough = self.advisor.walkthrough
        if not state[AFTER_ANSWER]:
            return walkthrough.intro
        if question is None:
            return walkthrough.recommend_after_answer
        return walkthrough.intro_after_answer

    async def _answer_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        state: dict[str, Any] = step.values["state"]
        misses: int = step.values.get("misses", 0)
        question = self.advisor.walkthrough.question(state["asking"])
        text = (step.result or "").strip()

        command = self.advisor.command(text)
        if command is not None:
            return await self._command(step, state, question, command, misses)

        reader = self.recognizer.conversation.reader
        if len(text.split()) < PARAGRAPH_WORDS and (
            reader.declined_anywhere(text) is not None or reader.asks_to_act(text)
        ):
            # "how much is gpt-4o per 1M tokens?" names a choice but answers nothing; nor does
            # "translate 'pipeline failed' into japanese for our ops channel pls"
            aside = await self._aside(step, state, question, misses, asked=True)
            if aside is not None:
                return aside
        asked_after = follow_up(text)
        if (
            asked_after is not None
            and asked_after[0] is FollowUp.WHAT_IF
            and not (state.get(AFTER_ANSWER) and text.endswith("?"))
        ):
            text = f"actually {asked_after[1]}"  # "what if we had data scientists": an answer
        match = self.advisor.match(question, text)
        plain = " ".join(text.lower().replace("’", "'").strip(" .!").split())
        if match.kind is MatchKind.NONE and step.values.get("confirming"):
            if plain in _YES:
                return await self._loop(step, state, [CONFIRMED], asking=question.id)
            if plain in _NO:
                note = WHICH_PART
                return await self._loop(step, state, [note], asking=question.id, confirming=True)
        if (
            self._only_offered(state)
            and match.kind is not MatchKind.EXACT
            and len(text.split()) < PARAGRAPH_WORDS
            and not self.advisor.answers_in(state, text)
            and await self._takes_up_the_offer(step.context, text)
        ):
            state[ANSWERED_ONE] = True  # "can you help us design the whole thing?"
            return await self._loop(step, state, [OFFER_TAKEN], asking=question.id, misses=misses)
        if match.kind is MatchKind.NONE and await self._asks_for_it(step.context):
            return await self._loop(step, state, [ALREADY_IN], asking=question.id, misses=misses)
        opening = opens_with_question(text)
        correcting, _ = correction(text)
        if await self._talked_past(step.context, state, text, match, opening, correcting):
            await self._give(step.context, await self._read(step.context))
            return await step.end_dialog({"set_aside": True})
        long_answer = match.kind is not MatchKind.EXACT and len(text.split()) >= LONG_ANSWER_WORDS
        asked = looks_like_question(text)
        # a short question is a question ("what is RAG?"); a paragraph is read first, even when
        # it ends in one ("… which service should we use?"), unless the walkthrough followed an
        # answer: the conversation was already under way ("once it's trained, how do we run
        # predictions on a nightly file drop?")
        knowledge = match.kind is not MatchKind.EXACT and not correcting
        if long_answer and asked and (state.get(AFTER_ANSWER) or opening):
            long_answer = False
        if knowledge and not long_answer and (asked or match.kind is MatchKind.NONE):
            answered = await self._answer_knowledge(step, state, question, text, asked, match)
            if answered is not None:
                return answered

        understanding = self.advisor.understand(state, question, text, match)
        if understanding.match.kind is not MatchKind.EXACT and (
            understanding.filled or understanding.corrected
        ):
            note_words(state, text)  # the user's own words, for the decision record
        notes = self._understood(state, question, understanding)
        if understanding.filled or understanding.corrected:
            state[ANSWERED_ONE] = True
            confirming = understanding.match.kind is not MatchKind.EXACT
            return await self._loop(step, state, notes, confirming=confirming)
        if knowledge and long_answer and asked and not notes:
            answered = await self._answer_knowledge(step, state, question, text, asked, match)
            if answered is not None:
                return answered
        match = understanding.match
        if match.kind is MatchKind.AMBIGUOUS:
            labels = " or ".join(f"**{c.label}**" for c in match.candidates)
            return await self._loop(
                step,
                state,
                [*notes, f"That could be {labels}. Which one is closer?"],
                asking=question.id,
                misses=misses,
                only=[c.id for c in match.candidates],
            )
        if notes:  # only things for later questions: not a miss
            return await self._loop(step, state, notes, asking=question.id, misses=misses)
        if asked or len(text.split()) < PARAGRAPH_WORDS:  # a paragraph describes the project
            aside = await self._aside(step, state, question, misses, asked=asked)
            if aside is not None:
                return aside
        described = (
            len(text.split()) >= PARAGRAPH_WORDS
            or len(self.advisor.speaks_to(text)) >= DESCRIBED_QUESTIONS
        )
        return await self._missed(step, state, question, misses, described=described)

    async def _answer_knowledge(
        self,
        step: WaterfallStepContext,
        state: dict[str, Any],
        question: WalkthroughQuestion,
        text: str,
        asked: bool,
        match: ChoiceMatch,
    ) -> DialogTurnResult | None:
        """A knowledge question asked at a walkthrough question: answered, then the question
        again; None when the message is not one."""
        misses: int = step.values.get("misses", 0)
        answered = await self._answered_knowledge(
            step.context, text, asked=asked, matched=match.kind
        )
        if answered == HELP_TOPIC:
            return await self._loop(step, state, [self._help_text(question)], asking=question.id)
        if answered:
            if self._only_offered(state):
                return await step.end_dialog({"set_aside": True})
            return await self._loop(
                step, state, ["Back to the walkthrough:"], asking=question.id, misses=misses
            )
        return None

    async def _aside(
        self,
        step: WaterfallStepContext,
        state: dict[str, Any],
        question: WalkthroughQuestion,
        misses: int,
        *,
        asked: bool,
    ) -> DialogTurnResult | None:
        """A short message that answers nothing and is no answer at all: one the recognizer
        declines surely ("book a meeting room for 3pm"), or a question it declines ("what's the
        capital of Chile?"), gets that decline and a reminder of the question; a question it can
        only guess at ("so what data do I need?") its "did you mean …?" and the question again.
        None for any other message."""
        result = await self._read(step.context)
        decision = decision_of(result)
        missed = step.values.get("missed")
        if declines_surely(self.recognizer.router, decision) or (
            asked and decision.outcome is Outcome.NONE
        ):
            await self._give(step.context, result)
            if self._only_offered(state):
                return await step.end_dialog({"set_aside": True})
            return await self._loop(
                step, state, [], asking=question.id, misses=misses, missed=missed, aside=True
            )
        if asked and decision.outcome is Outcome.AMBIGUOUS:
            await self._give(step.context, result)
            if self._only_offered(state):
                return await step.end_dialog({"set_aside": True})
            note = "Back to the walkthrough:"
            return await self._loop(step, state, [note], asking=question.id, misses=misses)
        return None

    async def _talked_past(
        self,
        context: TurnContext,
        state: dict[str, Any],
        text: str,
        match: ChoiceMatch,
        opening: bool,
        correcting: bool,
    ) -> bool:
        """Whether a walkthrough that followed an answer meets, before any of its questions is
        answered, a message the user is talking on with, not a button's label: a short one that
        is no choice of the question asked, a question however long, one the recognizer answers
        surely though it reads like a choice ("we don't have parallel docs tho, just a
        glossary"), or a correction it answers ("no, she wants to chat with the warehouse
        directly, not dashboards"). After an answer, a return to a topic discussed before is
        talk too, answered or not ("back to the forms — there are 3 form types and we want one
        endpoint")."""
        if match.kind is MatchKind.EXACT:
            return False
        if (
            state.get(AFTER_ANSWER)
            and self.recognizer.conversation.announces_return(text)
            and self._returns(await self._read(context))
        ):
            return True
        if not self._only_offered(state):
            return False
        short = len(text.split()) < PARAGRAPH_WORDS
        if short and not correcting and await self._corrects_the_answer(context):
            return True  # "no sorry i meant the translation one, for docs with our terminology"
        if (
            short
            and not correcting
            and not looks_like_question(text)
            and len(self.advisor.answers_in(state, text)) >= PROFILE_ANSWERS
        ):
            return False  # "4 data scientists, custom time-series models, TensorFlow": a profile
        if short and match.kind is MatchKind.NONE:
            return True
        if opening:
            return True  # "how do i set up the connector to event hubs …": asked, not answered
        if not short and not correcting:
            return False  # a paragraph describes the project; a long correction may not
        decision = decision_of(await self._read(context))
        if decision.outcome is not Outcome.ANSWER or decision.top is None:
            return False
        return not short or decision.top.score >= SURE_QUESTION

    async def _takes_up_the_offer(self, context: TurnContext, text: str) -> bool:
        """Whether a message after the answer asks for the questions the answer offered."""
        guidance = self.recognizer.conversation.guidance
        return guidance.asks_for_the_questions(text, decision_of(await self._read(context)))

    async def _asks_for_it(self, context: TurnContext) -> bool:
        """Whether the recognizer reads the message as a request for the walkthrough."""
        return is_walkthrough(decision_of(await self._read(context)))

    async def _corrects_the_answer(self, context: TurnContext) -> bool:
        """Whether the recognizer surely reads the message as a correction of the answer the
        walkthrough followed, to another topic."""
        understood = understood_of(await self._read(context))
        top = understood.decision.top
        return (
            understood.context == CORRECTION
            and understood.decision.outcome is Outcome.ANSWER
            and top is not None
            and top.score >= SURE_QUESTION
        )

    @staticmethod
    def _returns(result: RecognizerResult) -> bool:
        """Whether the recognizer read the message as a return to a topic discussed before."""
        understood = understood_of(result)
        return understood.context == RETURN and understood.decision.outcome is Outcome.ANSWER

    @staticmethod
    def _only_offered(state: dict[str, Any]) -> bool:
        """Whether the walkthrough followed an answer (nobody asked for it by name) and none of
        its questions was answered yet: met with a question, a decline or talk instead, it ends
        quietly and the conversation goes on ("how do we rotate keys?" after the short answer)."""
        return bool(state.get(AFTER_ANSWER)) and not state.get(ANSWERED_ONE)

    async def _command(
        self,
        step: WaterfallStepContext,
        state: dict[str, Any],
        question: WalkthroughQuestion,
        command: Command,
        misses: int,
    ) -> DialogTurnResult:
        context = step.context
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
        choice = self.advisor.assume(state, question)  # Command.SKIP
        if choice is not None:
            return await self._loop(
                step, state, [f"No problem, I'll assume **{choice.label}** for now."]
            )
        note = "I need this one to recommend anything sensible: pick the closest option."
        return await self._loop(step, state, [note], asking=question.id, misses=misses)

    async def _missed(
        self,
        step: WaterfallStepContext,
        state: dict[str, Any],
        question: WalkthroughQuestion,
        misses: int,
        *,
        described: bool = False,
    ) -> DialogTurnResult:
        """An answer that could not be read: the options again, once, with a way to skip or
        leave; after a second miss the question's default, or the other sentence. A description
        is told it says nothing of this question (the first time in a row)."""
        if misses >= 1 and question.default is not None:
            choice = self.advisor.assume(state, question)
            return await self._loop(step, state, [ASSUMED_AFTER_MISS.format(label=choice.label)])
        previous = step.values.get("missed")
        # the other sentence than last time; a description is told it says nothing of this one
        alternate = 1 if previous == 0 else 0
        sentence = _DESCRIBED if described and previous != _DESCRIBED else alternate
        return await self._loop(
            step,
            state,
            [MISSED[sentence]],
            asking=question.id,
            misses=misses + 1,
            missed=sentence,
            exits=True,
        )

    async def _loop(
        self,
        step: WaterfallStepContext,
        state: dict[str, Any],
        notes: list[str],
        *,
        asking: str | None = None,
        misses: int = 0,
        missed: int | None = None,
        only: list[str] | None = None,
        exits: bool = False,
        confirming: bool = False,
        aside: bool = False,
    ) -> DialogTurnResult:
        options: dict[str, Any] = {
            "state": state,
            "notes": [n for n in notes if n],
            "misses": misses,
        }
        if asking:
            options["asking"] = asking
        if missed is not None:
            options["missed"] = missed
        if only:
            options["only"] = only
        if exits:
            options["exits"] = True
        if confirming:
            options["confirming"] = True
        if aside:
            options["aside"] = True
        return await step.replace_dialog(_STEPS, options)

    # -- messages -----------------------------------------------------------------------------

    def _understood(
        self, state: dict[str, Any], question: WalkthroughQuestion, understanding: Understanding
    ) -> list[str]:
        """What a typed answer was taken to mean, in one line the user can correct."""
        walkthrough = self.advisor.walkthrough
        notes = []
        for question_id, previous in understanding.corrected:
            now = state["answers"].get(question_id)
            if now is None:
                continue
            changed = walkthrough.question(question_id)
            old = short_label(changed.choice(previous))
            notes.append(f"OK, changed: **{short_label(changed.choice(now))}** (not {old}).")
        filled = [q for q in understanding.filled if q in state["answers"]]
        if filled == [question.id] and not understanding.corrected:
            if understanding.match.kind is MatchKind.EXACT:
                return []
            return [f"Got it: **{question.choice(state['answers'][question.id]).label}**."]
        notes.extend(self._read_back(state, filled))
        later = [
            short_label(walkthrough.question(q).choice(state["heard"][q]))
            for q in understanding.heard
            if q in state.get("heard", {})
        ]
        if later:
            notes.append(f"Noted for later: {'; '.join(later)}.")
        return notes

    def _read_back(self, state: dict[str, Any], question_ids: list[str]) -> list[str]:
        """ "I read: no data scientists, text analytics, standard content — right?" """
        walkthrough = self.advisor.walkthrough
        said = [
            short_label(walkthrough.question(q).choice(state["answers"][q]))
            for q in question_ids
            if q in state["answers"]
        ]
        if not said:
            return []
        return [f"{_READ_BACK_START} {'; '.join(said)} — right? If not, just say what's different."]

    def _question_activity(
        self,
        question: WalkthroughQuestion,
        notes: list[str],
        only: list[str] | None,
        context: TurnContext,
        *,
        exits: bool = False,
    ):
        choices: list[Choice] = [c for c in question.choices if not only or c.id in only]
        text = "\n\n".join([*notes, f"**{question.ask}**"])
        labels = tuple(c.label for c in choices)
        if exits:
            labels += (SKIP_LABEL,) if question.default is not None else ()
            labels += (LEAVE_LABEL,)
        reply = Reply(
            text,
            labels,
            ReplyKind.QUESTION,
            title=question.ask,
            notes=tuple(notes),
            labels={c.label: choice_label(c) for c in choices},
        )
        return to_activity(reply, context)  # rendered now: the prompt is kept in dialog state

    def _aside_activity(self, question: WalkthroughQuestion, context: TurnContext) -> Activity:
        """The question as a one-line reminder, without its options."""
        return to_activity(Reply(ASIDE.format(ask=question.ask)), context)

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
        result = await self._read(context)
        decision = decision_of(result)
        if decision.comparison is not None:
            await self._give(context, result)
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
        await self._give(context, result)
        return True

    async def _read(self, context: TurnContext) -> RecognizerResult:
        """The message as the recognizer reads it in the conversation's context, once a turn;
        it becomes the turn's RecognizerResult only when its reply is given (`_give`)."""
        result = context.turn_state.get(_READ_KEY)
        if result is None:
            result = await self.recognizer.recognize(context)
            context.turn_state[_READ_KEY] = result
        return result

    async def _give(self, context: TurnContext, result: RecognizerResult) -> None:
        """The recognizer's reply to the message, as outside the walkthrough: it is the turn's
        RecognizerResult, and an answer moves the conversation's focus."""
        context.turn_state[RESULT_KEY] = result
        reply = self.replies.for_understood(understood_of(result))
        await context.send_activity(to_activity(reply, context))
        await self.recognizer.remember(context, result)

    async def _finish(
        self, step: WaterfallStepContext, state: dict[str, Any], notes: list[str]
    ) -> DialogTurnResult:
        recommendation = self.advisor.recommendation(state)
        reply = await self._memo(recommendation)
        if notes:
            reply = replace(reply, text="\n\n".join([*notes, reply.text]), notes=tuple(notes))
        await step.context.send_activity(to_activity(reply, step.context))
        value = await self._recommended(step.context, recommendation)
        await self._remember(step.context, state)
        return await step.end_dialog(value)

    async def _memo(self, recommendation: Recommendation) -> Reply:
        drawn = self.artifacts.diagram(recommendation) if self.artifacts is not None else None
        if self.artifacts is not None and drawn is not None and not self.artifacts.public:
            # the PNG goes inline: drawn once per diagram (~50 ms), off the event loop
            await asyncio.to_thread(self.artifacts.png, drawn.id)
        # its related topics' buttons labelled as every knowledge reply's are (a comparison
        # too long for one by its two sides: "Deep learning vs Azure AI services")
        return replace_labels(
            recommendation_memo(recommendation, self.artifacts), self.replies.labels
        )

    async def _recommended(self, context: TurnContext, recommendation) -> dict[str, Any]:
        value = trace_value(recommendation)
        if context.activity.channel_id == EMULATOR:
            await context.send_trace_activity(
                TRACE_NAME, value=value, value_type=TRACE_VALUE_TYPE, label=TRACE_LABEL
            )
        return value

    # -- after the recommendation ---------------------------------------------------------------

    async def _remember(self, context: TurnContext, state: dict[str, Any]) -> None:
        if self.memory is not None:
            kept = {
                k: state[k]
                for k in ("answers", "inferred", "skipped", "history", "said")
                if k in state
            }
            await self.memory.set(context, {"state": kept})

    async def _remembered(self, context: TurnContext) -> dict[str, Any] | None:
        """The last walkthrough's state in this conversation (None: there was none)."""
        if self.memory is None:
            return None
        remembered = await self.memory.get(context)
        state = remembered.get("state") if isinstance(remembered, dict) else None
        if not isinstance(state, dict) or not isinstance(state.get("answers"), dict):
            return None
        return {"inferred": [], "skipped": [], "history": [], **state, "heard": {}}

    async def follow_up(self, context: TurnContext) -> bool:
        """Answer "why not X?", "what if …?" or "Export decision record" about the last
        recommendation; False for any other message, or when there was no walkthrough in this
        conversation."""
        text = " ".join((context.activity.text or "").split()).rstrip(" .!?")
        if self.artifacts is not None and _EXPORT.match(text):
            state = await self._remembered(context)
            if state is None:
                return False
            await context.send_activity(to_activity(self._record_reply(context, state), context))
            return True
        asked = follow_up(context.activity.text or "") if self.memory is not None else None
        if asked is None:
            return False
        state = await self._remembered(context)
        if state is None:
            return False
        kind, subject = asked
        if kind is FollowUp.WHY_NOT:
            topic = self._named(subject)
            if topic is None:
                return False
            reply = why_not_reply(self.advisor.why_not(state, topic))
            reply = replace(reply, suggestions=(*reply.suggestions, RESTART_LABEL))
            await context.send_activity(to_activity(reply, context))
            return True
        change = self.advisor.what_if(state, subject, given_only=kind is FollowUp.CORRECTION)
        if change is None:
            return False
        note = what_if_text(change)
        if change.after.rule.id == change.before.rule.id and not (change.added or change.dropped):
            await context.send_activity(to_activity(Reply(note, (RESTART_LABEL,)), context))
            return True
        reply = await self._memo(change.after)
        reply = replace(reply, text=f"{note}\n\n{reply.text}", notes=(note,))
        await context.send_activity(to_activity(reply, context))
        await self._recommended(context, change.after)
        note_words(change.state, context.activity.text or "")  # "what if …", in their words
        await self._remember(context, change.state)
        return True

    def _record_reply(self, context: TurnContext, state: dict[str, Any]) -> Reply:
        """The decision record: printed in the terminal, a file to download elsewhere."""
        assert self.artifacts is not None
        recommendation = self.advisor.recommendation(state)
        record = self.artifacts.record(state)
        if context.activity.channel_id == TERMINAL:
            return Reply(f"The decision record (markdown, MADR template):\n\n{record}")
        url = self.artifacts.record_url(recommendation)
        name = f"adr-{recommendation.rule.id}.md"
        return Reply(
            f"Here is the decision record for **{recommendation.rule.title}**: [{name}]({url}) "
            "(markdown, in the MADR template: context, decision, alternatives, consequences, the "
            "diagram and links). Keep it in your repository or paste it into your wiki.",
            (RESTART_LABEL,),
            links=(Link("Download decision record", url),),
            file=Link(name, url),
        )

    def _named(self, subject: str):
        """The topic "why not X?" names: by title or alias, else the router's confident answer."""
        named = self.advisor.named_topics(subject)
        if named:
            return named[0]
        decision = self.recognizer.router.route(subject)
        top = decision.top
        if decision.outcome is not Outcome.ANSWER or top is None:
            return None
        topic = top.intent.topic
        return topic if topic.kind in _SERVICE_KINDS else None
