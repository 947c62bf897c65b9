"""The guided walkthrough as a user meets it: the whole bot on botbuilder's TestAdapter."""

from __future__ import annotations

import json

import pytest
from botbuilder.core import ConversationState, MemoryStorage
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import ComponentDialog, DialogInstance, DialogSet, DialogTurnStatus
from botframework.connector import Channels

from bot.core.advisor import Advisor
from bot.core.compare import Comparer
from bot.core.context import Conversation as Reader
from bot.core.embedding import StaticEmbedding
from bot.core.guidance import WALKTHROUGH_TOPIC
from bot.core.hybrid import FusionModel, HybridRouter
from bot.core.replies import Replies
from bot.recognizer import KnowledgeRecognizer
from dialogs.walkthrough_dialog import (
    RESTART_LABEL,
    TRACE_NAME,
    WalkthroughDialog,
)

from .conversation import Conversation, Turn, shown
from .test_advisor import dialog_paths

RECOMMENDATION = "**My recommendation:"


@pytest.fixture
def convo(real_runtime, request) -> Conversation:
    return Conversation(real_runtime.handler, conversation=f"c-{request.node.name}")


def question_of(turn: Turn) -> str:
    """The question the turn ends with: the last message's last bold paragraph (a card's
    heading)."""
    bold = [p for p in shown(turn.messages[-1]).split("\n\n") if p.startswith("**")]
    return bold[-1]


async def test_every_path_through_the_decision_data_by_clicking(real_runtime, kb):
    advisor = Advisor(kb)
    rules = set()
    for number, path in enumerate(dialog_paths(advisor)):
        convo = Conversation(real_runtime.handler, conversation=f"path-{number}")
        turn = await convo.say("help me pick an architecture")
        for question_id, choice_id in path:
            question = kb.walkthrough.question(question_id)
            assert question_of(turn) == f"**{question.ask}**"
            label = question.choice(choice_id).label
            assert label in turn.clicks.values()  # what clicking sends (the title may be shorter)
            turn = await convo.say(label)
        assert RECOMMENDATION in turn.text, path
        value = turn.trace(TRACE_NAME)
        assert [a["answer"] for a in value["answers"]] == [c for _, c in path]
        rules.add(value["rule"])
    assert rules == {r.id for r in kb.walkthrough.rules}


async def test_typed_answers_with_typos_reach_a_recommendation(convo):
    turn = await convo.say("which service should we use for our project?")
    assert "**What are you building?**" in turn.text
    turn = await convo.say("analyse documnets and speach")
    assert "**What do you need to understand?**" in turn.text
    turn = await convo.say("we've got scanned pdfs")
    assert "Got it: **Documents and forms" in turn.text
    turn = await convo.say("our own layouts with wierd terminology")
    assert "**What should come out of it?**" in turn.text
    turn = await convo.say("the fields extracted")
    assert "Document Intelligence custom models" in turn.text
    assert "You told me" in turn.text


async def test_a_scenario_opener_skips_what_it_already_answers(convo):
    turn = await convo.say(
        "help me pick an architecture: we have thousands of supplier invoices as PDFs "
        "and no data scientists"
    )
    assert (
        "I read: analyze documents, speech, text or images; documents and forms; pull out "
        "what's in it — right?"
    ) in turn.shown
    assert "**What are you building?**" not in turn.text
    assert (
        question_of(turn)
        == "**Is your content standard, or full of your own formats and terminology?**"
    )
    turn = await convo.say("standard invoices")
    assert "Azure AI Document Intelligence prebuilt models" in turn.text
    assert "You told me your content is standard enough for prebuilt models" in turn.text
    assert "from your description, you need to pull meaning out of documents" in turn.text


async def test_help_back_start_over_and_cancel_work_at_any_question(convo):
    await convo.say("walk me through it")
    turn = await convo.say("Machine learning to predict or classify (train custom models)")
    assert "**What will the model learn from?**" in turn.text
    turn = await convo.say("help")
    assert "AutoML shines" in turn.text  # the question's own help
    assert "**What will the model learn from?**" in turn.text
    turn = await convo.say("back")
    assert "**What are you building?**" in turn.text
    turn = await convo.say("data pipelines")
    assert "**Which part of the data work do you need most?**" in turn.text
    turn = await convo.say("start over")
    assert "Starting over." in turn.text
    assert "**What are you building?**" in turn.text
    turn = await convo.say("back")
    assert "This is the first question" in turn.text
    turn = await convo.say("cancel")
    assert "stopped the walkthrough" in turn.text
    assert RESTART_LABEL in turn.buttons
    turn = await convo.say("what is RAG?")
    assert "Retrieval Augmented Generation" in turn.text
    assert "walkthrough" not in turn.text.lower()


async def test_a_typed_answer_is_no_command_and_asking_for_the_walkthrough_keeps_it(convo):
    await convo.say("help me choose an architecture")
    turn = await convo.say("could you walk me through picking the whole architecture?")
    assert "We're in the walkthrough now" in turn.text  # no miss, nothing lost
    assert "didn't catch" not in turn.text
    assert "**What are you building?**" in turn.text
    turn = await convo.say("a chatbot")  # once read as a typo of "abort"
    assert "stopped the walkthrough" not in turn.text
    assert "**What should the generative AI do?**" in turn.text
    turn = await convo.say("start the walkthrough")  # once read as "stop the walkthrough"
    assert "Starting over." in turn.text
    assert "**What are you building?**" in turn.text
    turn = await convo.say("cancle")  # typos of one command still count
    assert "stopped the walkthrough" in turn.text


async def test_a_knowledge_question_mid_walkthrough_is_answered_then_the_question_is_asked_again(
    convo,
):
    await convo.say("guided setup")
    turn = await convo.say("generative ai")
    assert "**What should the generative AI do?**" in turn.text
    turn = await convo.say("what is RAG?")
    assert shown(turn.messages[0]).startswith("**Retrieval Augmented Generation (RAG)**\n\n")
    assert "Back to the walkthrough" in turn.text
    assert question_of(turn) == "**What should the generative AI do?**"
    turn = await convo.say("fabric vs databricks")  # a comparison, asked as a statement
    assert "Fabric" in shown(turn.messages[0]) and "Databricks" in shown(turn.messages[0])
    assert question_of(turn) == "**What should the generative AI do?**"
    turn = await convo.say("retrieval over our docs")
    assert "**Which data platform are you on, or moving to?**" in turn.text


@pytest.mark.parametrize(
    "question",
    [
        "which studio is for the traditional ml path",
        "ok what can prompt flow build flows with besides the canvas",
        "how does azure ai foundry compare with azure machine learning studio?",
    ],
)
async def test_a_long_question_mid_walkthrough_is_answered_not_read_as_an_answer(convo, question):
    await convo.say("guided setup")
    turn = await convo.say(question)  # a question from its first word, however long
    assert "Back to the walkthrough" in turn.text
    assert "Got it" not in turn.text and "I read:" not in turn.text
    assert question_of(turn) == "**What are you building?**"


async def test_work_on_an_attached_file_mid_walkthrough_is_declined_not_read_as_an_answer(convo):
    await convo.say("guided setup")
    turn = await convo.say("summarize this 40 page pdf i'm attaching")
    assert "I can't do that" in turn.text  # not "Got it: Generative AI"
    assert "Got it" not in turn.text


async def test_a_price_asked_mid_walkthrough_is_declined_not_read_as_an_answer(convo):
    await convo.say("guided setup")
    turn = await convo.say("k and how much is gpt-4o on it per 1M tokens")
    assert "pricing calculator" in turn.text
    assert "Got it" not in turn.text
    assert "Back to the walkthrough when you're ready: **What are you building?**" in turn.text


async def test_an_unrelated_question_mid_walkthrough_is_declined_not_missed(convo):
    await convo.say("guided setup")
    turn = await convo.say("unrelated but how do i set up vlan tagging on our office switches")
    assert "I don't know that one" in turn.text  # not "Sorry, I didn't catch that"
    assert "Back to the walkthrough when you're ready: **What are you building?**" in turn.text


async def test_unclear_answers_are_asked_again_and_skippable_questions_take_their_default(convo):
    await convo.say("recommend a setup")
    turn = await convo.say("banana bread")
    assert "didn't catch that" in turn.text
    assert "**What are you building?**" in turn.text
    await convo.say("generative ai")
    await convo.say("a copilot")
    turn = await convo.say("analysts and developers")
    assert "That could be" in turn.text
    assert set(turn.buttons) == {
        "Developers who write code",
        "Makers and analysts (low-code, no-code)",
    }
    turn = await convo.say("Developers who write code")
    assert "**Is there a hard constraint I should design for?**" in turn.text
    turn = await convo.say("not sure")
    assert "I'll assume **Nothing special**" in turn.text
    assert "Azure AI Foundry" in turn.text


async def test_the_recommendation_trace_is_only_sent_to_the_emulator(real_runtime):
    convo = Conversation(real_runtime.handler, channel_id=Channels.ms_teams, conversation="teams-1")
    await convo.say("help me pick an architecture")
    await convo.say("Let people ask our data questions in plain English")
    await convo.say("Microsoft Fabric (OneLake, lakehouse)")
    turn = await convo.say("business users")
    assert "Fabric AI skills" in turn.text
    assert not [a for a in turn.activities if a.type == "trace" and a.name == TRACE_NAME]


async def test_progress_is_plain_json_in_conversation_state(kb):
    """The dialog's progress survives jsonpickle (and so a restart): plain dicts and lists."""
    storage = MemoryStorage()
    state = ConversationState(storage)
    router = HybridRouter(kb, StaticEmbedding.load(), FusionModel.load())
    recognizer = KnowledgeRecognizer(Reader(kb, router, Comparer(kb, router.lexical)))
    dialogs = DialogSet(state.create_property("DialogState"))
    dialogs.add(WalkthroughDialog(Advisor(kb), recognizer, Replies(kb)))

    async def logic(context):
        dc = await dialogs.create_context(context)
        result = await dc.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dc.begin_dialog(WalkthroughDialog.__name__, {"opener": context.activity.text})
        await state.save_changes(context)

    adapter = TestAdapter(logic)
    await adapter.send("help me pick an architecture")
    await adapter.send("machine learning")
    stored = json.dumps(storage.memory, default=str)
    assert '"goal": "ml"' in stored or "'goal': 'ml'" in stored
    reply = await adapter.send("tables")
    assert reply is not None


async def test_a_descriptive_answer_also_answers_the_questions_it_covers(convo):
    await convo.say("help me pick an architecture")
    turn = await convo.say("we have scanned pdfs of supplier invoices")
    assert "I read: analyze documents, speech, text or images; documents and forms" in turn.shown
    assert "**What do you need to understand?**" not in turn.text


async def test_a_short_typed_answer_answers_only_its_question(convo):
    await convo.say("help me pick an architecture")
    turn = await convo.say("data pipelines")
    assert question_of(turn) == "**Which part of the data work do you need most?**"


async def test_a_stack_from_a_version_with_other_dialogs_starts_over(real_runtime, convo, caplog):
    """A deploy that renames a dialog (as the root dialog's former "MainWaterfall" step) must not
    leave the conversations that were in it failing every turn."""
    await convo.say("help me pick an architecture")
    conversation = convo.adapter.template.conversation.id
    stored = real_runtime.storage.memory
    key = next(k for k in stored if k.endswith(f"/conversations/{conversation}"))
    state = (await real_runtime.storage.read([key]))[key]
    root = state["DialogState"].dialog_stack[0]
    inner = root.state[ComponentDialog.persisted_dialog_state].dialog_stack
    inner.insert(0, DialogInstance(id="MainWaterfall", state={"stepIndex": 0}))
    await real_runtime.storage.write({key: state})

    turn = await convo.say("what is RAG")

    assert "retrieval" in turn.shown.lower()  # answered, not "something went wrong"
    assert "'MainWaterfall', which this version does not have" in caplog.text
    assert not (await real_runtime.storage.read([key]))[key]["DialogState"].dialog_stack


async def test_each_message_is_routed_once_whether_it_asks_or_starts_the_walkthrough(convo):
    def recognized(turn: Turn) -> list[str]:
        return [
            a.value["topIntent"]
            for a in turn.activities
            if a.type == "trace" and a.name == "RecognizerResult"
        ]

    question = await convo.say("what is prompt flow")
    (intent,) = recognized(question)
    assert intent.split("/")[0] == "prompt-flow"
    opened = await convo.say("help me pick an architecture")
    assert recognized(opened) == [WALKTHROUGH_TOPIC]
    assert question_of(opened)  # the walkthrough asks its first question


async def test_the_recommendations_buttons_are_labelled_as_the_knowledge_labels_them(convo):
    await convo.say(
        "we have a bunch of pdf invoices from suppliers and want to pull the totals and vendor "
        "names out automatically"
    )
    await convo.say("help me pick the right architecture for this")
    turn = await convo.say("Our own layouts, jargon or terminology")
    assert RECOMMENDATION in turn.text
    # a related comparison whose title is too long for a button: by its two sides, not cut
    assert "Deep learning vs Azure AI services" in turn.buttons
    assert not [label for label in turn.buttons if label.endswith("…")]
