"""The walkthrough's decision engine over the real walkthrough.yaml: plain Python, no bot."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest

from bot.core.advisor import (
    NOT,
    Advisor,
    Command,
    MatchKind,
    memo,
    short_label,
    trace_value,
    what_if_text,
    why_not_reply,
)
from bot.core.follow_up_forms import FollowUp, correction, follow_up
from bot.core.kb import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.core.text import looks_like_question

from .paths import FIXTURE_KB
from .walkthroughs import SPEECH_WALKTHROUGH


@pytest.fixture(scope="module")
def advisor(kb: KnowledgeBase) -> Advisor:
    return Advisor(kb)


def dialog_paths(advisor: Advisor, state: dict | None = None) -> Iterator[list[tuple[str, str]]]:
    """Every sequence of (question, choice) the walkthrough can ask, clicking every button."""
    state = state or advisor.start()
    question = advisor.next_question(state)
    if question is None:
        yield []
        return
    for choice in question.choices:
        branch = json.loads(json.dumps(state))
        advisor.answer(branch, question.id, choice.id)
        for rest in dialog_paths(advisor, branch):
            yield [(question.id, choice.id), *rest]


def play(advisor: Advisor, path: list[tuple[str, str]]) -> dict:
    state = advisor.start()
    for question_id, choice_id in path:
        assert advisor.next_question(state).id == question_id
        advisor.answer(state, question_id, choice_id)
    assert advisor.next_question(state) is None
    return state


def test_every_path_ends_in_a_recommendation_and_every_rule_is_reached(advisor):
    reached = set()
    paths = list(dialog_paths(advisor))
    assert len(paths) > 30
    for path in paths:
        assert 1 <= len(path) <= 6, path
        recommendation = advisor.recommendation(play(advisor, path))
        assert recommendation.services, path
        assert recommendation.reference.url.startswith("https://")
        reached.add(recommendation.rule.id)
    assert reached == {r.id for r in advisor.walkthrough.rules}


def test_questions_that_cannot_change_the_outcome_are_skipped(advisor):
    state = advisor.start()
    for question_id, choice_id in [("goal", "ai-services"), ("ai-kind", "text")]:
        assert advisor.next_question(state).id == question_id
        advisor.answer(state, question_id, choice_id)
    # Azure AI Language serves standard and custom text alike: the content question is not asked
    assert advisor.next_question(state) is None
    assert advisor.recommendation(state).rule.id == "text-analytics"


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("goal", "Generative AI app or chatbot (retrieval, copilots)", "genai"),  # a click
        ("goal", "generativ ai chatbot", "genai"),
        ("goal", "2", "ai-services"),
        ("ai-kind", "we've got scanned pdfs", "documents"),
        ("ai-kind", "speach and audo", "speech"),
        ("ai-kind", "translaton", "translation"),
        ("builder", "no data scientists here", "low-code"),
        ("builder", "our data scientists", "data-scientists"),
        ("builder", "drag and drop, nobody codes", "low-code"),
        ("platform", "We are not adopting Fabric yet", "azure-storage"),
        ("platform", "we're on databricks", "databricks"),
        ("platform", "fabirc lakehouse", "fabric"),
        ("customization", "lots of medical jargon", "custom"),
        ("data-job", "store raw files in a lake", "store"),
        ("constraint", "nothing special", "none"),
    ],
)
def test_typed_answers_are_matched_to_choices(advisor, question, text, expected):
    match = advisor.match(advisor.walkthrough.question(question), text)
    assert match.choice is not None, match
    assert match.choice.id == expected


def test_a_click_is_an_exact_match(advisor):
    question = advisor.walkthrough.question("goal")
    assert advisor.match(question, question.choices[3].label).kind is MatchKind.EXACT


def test_nonsense_and_close_calls(advisor):
    goal = advisor.walkthrough.question("goal")
    assert advisor.match(goal, "banana bread").kind is MatchKind.NONE
    close = advisor.match(advisor.walkthrough.question("builder"), "analysts and developers")
    assert close.kind is MatchKind.AMBIGUOUS
    assert {c.id for c in close.candidates} == {"low-code", "pro-code"}


def test_negation_marks_the_words_it_covers(advisor):
    assert advisor.terms("no data scientists, but developers") == [
        f"{NOT}data",
        f"{NOT}scientist",
        "develop",
    ]
    assert advisor.terms("we are not adopting Fabric yet")[-1] == f"{NOT}fabric"


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("help", Command.HELP),
        ("cancel", Command.CANCEL),
        ("cancle", Command.CANCEL),
        ("start over", Command.RESTART),
        ("strat over", Command.RESTART),
        ("go back", Command.BACK),
        ("Back!", Command.BACK),
        ("not sure", Command.SKIP),
        ("we have scanned invoices", None),
        ("data scientists", None),
    ],
)
def test_commands_allow_typos(advisor, text, command):
    assert advisor.command(text) == command


def test_a_scenario_opener_answers_questions_up_front(advisor):
    state = advisor.start("we have thousands of supplier invoices as PDFs and no data scientists")
    assert state["answers"] == {
        "goal": "ai-services",
        "ai-kind": "documents",
        "ai-output": "extract",
    }
    assert state["inferred"] == ["goal", "ai-kind", "ai-output"]  # invoices: what's in them
    assert advisor.next_question(state).id == "customization"


def test_a_choice_said_as_strongly_as_one_it_outranks_is_meant(advisor):
    spark = advisor.read(
        "we want spark clusters with tensorflow, pytorch, keras and horovod ready to go for "
        "distributed training; the data is already in a data lake"
    )
    assert [advisor.walkthrough.question("ml-kind").choices[i].id for _, i in spark["ml-kind"]] == [
        "spark-ml"
    ]  # deep learning on Spark is Spark's
    gpus = advisor.read(
        "we train deep learning models in custom PyTorch code, with hyperparameter tuning, "
        "and distributed training on GPU clusters is a must"
    )
    best = gpus["ml-kind"][0][1]
    assert advisor.walkthrough.question("ml-kind").choices[best].id == "deep"


@pytest.mark.parametrize(
    "opener",
    [
        "what should we use to translate chat messages between customers and agents as they type?",
        "which service should our app use to translate chat messages between customers and agents?",
    ],
)
def test_translating_chat_messages_is_translation_not_a_chat_app(advisor, opener):
    state = advisor.start(opener)
    assert state["answers"] == {"goal": "ai-services", "ai-kind": "translation"}


@pytest.mark.parametrize(
    "description",
    [
        "defense contractor, air-gapped network, single server with 2 GPUs. need summarization "
        "of reports. can't use any hosted/metered api.",
        "classify tickets with a generative model. the task is narrow, we care about cost and "
        "explainability, and we want to host the model ourselves on our own compute",
    ],
)
def test_a_model_run_on_our_own_compute_is_a_small_model(advisor, description):
    reading = advisor.read(description)["genai-kind"]
    assert advisor.walkthrough.question("genai-kind").choices[reading[0][1]].id == "small"


def test_code_back_from_plain_english_is_a_generative_app_not_questions_of_our_data(advisor):
    reading = advisor.read(
        "Analysts want to describe a report in plain English and get SQL or Python back. "
        "We'll integrate it into our own portal."
    )["goal"]
    assert advisor.walkthrough.question("goal").choices[reading[0][1]].id == "genai"


def test_a_choice_named_by_one_word_speaks_to_its_question_without_settling_it(advisor):
    text = "devs only, free text, prebuilt api pls"
    assert {"builder", "customization"} <= set(advisor.speaks_to(text))
    assert advisor.answers_in({"answers": {}}, text) == ()  # one word each: nothing inferred
    assert advisor.speaks_to("thanks, that helps") == ()


def test_an_opener_without_a_scenario_answers_nothing(advisor):
    assert advisor.start("help me pick an architecture")["answers"] == {}


def test_back_undoes_the_last_answer_and_changing_an_answer_drops_its_followups(advisor):
    state = advisor.start()
    advisor.answer(state, "goal", "ml")
    advisor.answer(state, "ml-kind", "tabular")
    assert advisor.back(state) == "ml-kind"
    assert state["answers"] == {"goal": "ml"}
    advisor.answer(state, "ml-kind", "tabular")
    advisor.answer(state, "goal", "data")  # ml-kind no longer applies
    assert state["answers"] == {"goal": "data"}
    assert advisor.back(state) == "goal"
    assert advisor.back(state) is None


def test_the_recommendation_explains_itself_in_the_users_terms(advisor):
    state = advisor.start("we have thousands of supplier invoices as PDFs and no data scientists")
    advisor.answer(state, "customization", "custom")
    recommendation = advisor.recommendation(state)
    assert recommendation.rule.id == "documents-custom"
    reply = memo(recommendation, "Start the walkthrough")
    assert (
        "**My recommendation: Document Intelligence custom extraction and classification models**"
        in reply.text
    )
    assert "Document Intelligence custom models" in reply.text
    assert "You told me your content has its own layouts" in reply.text
    assert "from your description, you need to pull meaning out of documents" in reply.text
    lead, details = reply.text.split("**Details**")
    assert "You told me your content has its own layouts" in lead
    assert "**Consider next**" in details
    assert "**Start here:** [Document Intelligence custom models](https://" in details
    assert reply.suggestions[-1] == "Start the walkthrough"


def test_additions_add_advice_and_services(advisor):
    state = play(
        advisor,
        [
            ("goal", "genai"),
            ("genai-kind", "chat-docs"),
            ("platform", "azure-storage"),
            ("builder", "pro-code"),
            ("constraint", "cost"),
        ],
    )
    recommendation = advisor.recommendation(state)
    assert recommendation.rule.id == "rag-on-azure-openai"
    assert [a.id for a in recommendation.additions] == ["cost"]
    assert "phi-models" in [t.id for t in recommendation.services]
    value = trace_value(recommendation)
    assert value["services"][:2] == ["Azure OpenAI Service", "Azure AI Search"]
    assert {"question": "constraint", "answer": "cost"}.items() <= value["answers"][-1].items()
    json.dumps(value)


def test_state_is_plain_json(advisor):
    state = advisor.start("we have scanned invoices")
    assert json.loads(json.dumps(state)) == state


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what is RAG?", True),
        ("tell me about Fabric", True),
        ("Fabric vs Databricks", False),
        ("we've got scanned pdfs", False),
        ("so what data do i need before starting", True),  # a leading "so" or "ok" is no answer
        ("ok, how much does it cost", True),
        ("so we have tables", False),
        ("lol ok. whats RAG again", True),  # chat interjections lead in too
        ("right, a small team of devs", False),
        ("wasn't synapseml called something else before", True),  # a negated auxiliary asks
        ("We're a medical device manufacturer", False),  # "we're" is no "were"
    ],
)
def test_questions_are_told_from_answers(text, expected):
    assert looks_like_question(text) is expected


def test_a_paragraph_is_read_against_every_question(advisor):
    state = advisor.start()
    understanding = advisor.understand(
        state,
        advisor.walkthrough.question("goal"),
        "We have two years of customer records in a spreadsheet and want to predict churn. "
        "The team are business analysts, no data scientists.",
    )
    assert state["answers"] == {"goal": "ml", "ml-kind": "tabular", "builder": "low-code"}
    assert understanding.filled == ("goal", "ml-kind", "builder")
    assert state["inferred"] == ["ml-kind", "builder"]  # the goal was the question asked


def test_a_paragraph_answers_the_question_asked_with_whole_phrases_only(advisor):
    # "tunes a model" is two words of "fine tune a model": a coincidence in a paragraph, so the
    # goal stays open rather than becoming generative AI
    state = advisor.start()
    goal = advisor.walkthrough.question("goal")
    understanding = advisor.understand(
        state,
        goal,
        "The membership team has a spreadsheet export of visits and plan types. Nobody codes or "
        "knows which algorithm to use. A point-and-click experience that builds and tunes a "
        "model for us would be ideal.",
    )
    assert state["answers"].get("goal") != "genai"
    assert understanding.match.choice is None or understanding.match.choice.id != "genai"
    # a short answer still counts part of a longer phrase
    assert advisor.match(goal, "fine tune model").choice.id == "genai"


def test_an_llm_is_no_small_model_and_testing_prompt_versions_is_an_app(advisor):
    kind = advisor.walkthrough.question("genai-kind")

    def read(text: str) -> list[str]:
        return [kind.choices[i].id for _score, i in advisor.read(text)["genai-kind"]]

    # "llm" reads as "large language model": two words of no phrase of the small-model choice
    assert "small" not in read("what should we build our llm feature on")
    assert read(
        "we have a prototype prompt and need to compare prompt versions, chain the steps and "
        "evaluate before we deploy it as an api"
    )[:1] == ["app"]


def test_agent_frameworks_are_an_app_and_talking_to_the_data_is_asking_it_questions(advisor):
    goal = advisor.walkthrough.question("goal")

    def best(text: str) -> str:
        return goal.choices[advisor.read(text)["goal"][0][1]].id

    assert (
        best(
            "we're .net devs; the assistant calls our order apis and reads our docs. we already "
            "use langchain and want to mix a couple of models"
        )
        == "genai"  # not documents to analyze
    )
    assert (
        best(
            "finance data is in a fabric lakehouse, the cfo wants to type questions about it and "
            "get answers, we'd set it up once and share it"
        )
        == "data-qa"  # not a generative AI app
    )


@pytest.mark.parametrize(
    ("description", "goal"),
    [
        (  # a data science team tailoring a model's writing is generative AI, not training ML
            "our data scientists want to customize a generative model on 5k approved product "
            "pages so the copy stops drifting from house style",
            "genai",
        ),
        (
            "the sales leads live in power bi and want to ask for visuals in plain language, "
            "nobody writes code",
            "data-qa",
        ),
        (
            "data engineers here; camera images and raw logs arrive in huge volumes and we "
            "need a store that keeps the native format for later ml",
            "data",
        ),
    ],
)
def test_a_description_is_read_as_what_is_built(advisor, description, goal):
    question = advisor.walkthrough.question("goal")
    assert question.choices[advisor.read(description)["goal"][0][1]].id == goal


def test_words_a_longer_phrase_of_another_choice_says_count_for_that_one(advisor):
    # "document" inside "an answer that cites the clause and the document" is generative AI
    # (answers from documents), not a second sign of analyzing documents
    goal = advisor.walkthrough.question("goal")
    read = {
        goal.choices[i].id: score
        for score, i in advisor.read(
            "Lawyers want an answer that cites the clause and the document."
        )["goal"]
    }
    assert read["genai"] > read.get("ai-services", 0) + 0.45


def test_phrase_words_count_only_together_in_one_clause(advisor):
    ml = advisor.walkthrough.question("goal")
    # "custom model" is an ML phrase; here the words are in two sentences
    apart = advisor.scores(ml, "Some forms are custom layouts. Prebuilt models won't do.")
    assert 2 not in [index for _, index in apart]  # 2: machine learning
    together = advisor.scores(ml, "we need a custom model")
    assert together[0][1] == 2


def test_customer_is_not_custom_and_rather_than_negates(advisor):
    # the vocabulary keeps "customer" from the stem "custom" (knowledge/vocabulary.yaml)
    assert advisor.terms("customer reviews") == ["client", "review"]
    assert advisor.terms("a visual canvas rather than writing code")[-2:] == [
        f"{NOT}write",
        f"{NOT}code",
    ]
    assert advisor.terms("no data scientists or ML engineers")[-1] == f"{NOT}engin"
    # "prefer X over Y" negates Y, as "rather than" does; "over" alone does not
    assert advisor.terms("we'd prefer hosted models over training our own")[-2:] == [
        f"{NOT}train",
        f"{NOT}own",
    ]
    assert f"{NOT}document" not in advisor.terms("a chatbot over our documents")


def test_one_lone_word_does_not_answer_a_question_it_was_not_asked(advisor):
    state = advisor.start("the standard speech to text gets our terms wrong")
    assert state["answers"] == {"goal": "ai-services", "ai-kind": "speech", "ai-output": "extract"}
    assert "customization" not in state["answers"]  # "standard" alone decides nothing
    # drug names it gets wrong are no lone word: they say the content is the team's own
    state = advisor.start("the standard speech to text gets our drug names wrong")
    assert state["answers"]["customization"] == "custom"


def test_one_word_counts_once_for_the_answers_it_implies(advisor):
    # "cheap" is both "a small, low-cost model" and the cost constraint: one hint of generative
    # AI, not two; "devices" and "cheap" about storage must not make this a generative AI app
    text = (
        "IoT devices send terabytes of telemetry files every week and we just need somewhere "
        "cheap to keep them in their original format for later analysis."
    )
    goal = dict(
        (advisor.walkthrough.question("goal").choices[i].id, s)
        for s, i in advisor.read(text)["goal"]
    )
    assert goal.get("genai", 0) < 0.8
    assert advisor.start(text)["answers"].get("goal") != "genai"


def test_what_is_said_before_its_question_applies_is_heard_and_taken_later(advisor):
    state = advisor.start()
    goal = advisor.walkthrough.question("goal")
    understanding = advisor.understand(state, goal, "the people building it are data scientists")
    assert understanding.filled == () and understanding.heard == ("builder",)
    assert state["heard"] == {"builder": "data-scientists"}
    taken = advisor.understand(
        state, goal, "Machine learning to predict or classify (train custom models)"
    )
    assert taken.filled == ("goal", "builder")  # it applies once the goal is ML
    assert state["answers"]["builder"] == "data-scientists"
    assert "builder" in state["inferred"]
    assert state["heard"] == {}


def test_a_correction_replaces_an_earlier_answer(advisor):
    state = advisor.start("a chatbot over our company documents, we have no data scientists")
    assert state["answers"]["builder"] == "low-code"
    platform = advisor.walkthrough.question("platform")
    understanding = advisor.understand(state, platform, "no, we do have data scientists")
    assert understanding.corrected == (("builder", "low-code"),)
    assert state["answers"]["builder"] == "data-scientists"
    assert "builder" not in state["inferred"]


def test_an_answer_given_explicitly_is_only_replaced_by_a_correction(advisor):
    state = advisor.start()
    advisor.answer(state, "goal", "genai")
    advisor.answer(state, "genai-kind", "chat-docs")
    advisor.answer(state, "builder", "low-code")
    platform = advisor.walkthrough.question("platform")
    advisor.understand(state, platform, "our data scientists will build it")
    assert state["answers"]["builder"] == "low-code"
    advisor.understand(state, platform, "actually, our data scientists will build it")
    assert state["answers"]["builder"] == "data-scientists"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no, we do have data scientists", (True, "we do have data scientists")),
        ("No we do have data scientists", (True, "we do have data scientists")),
        ("actually the data is images", (True, "the data is images")),
        ("no data scientists", (False, "no data scientists")),
        ("no", (False, "no")),
    ],
)
def test_corrections_are_told_from_negated_answers(text, expected):
    assert correction(text) == expected


def test_short_labels_read_inside_a_sentence(advisor):
    builder = advisor.walkthrough.question("builder")
    platform = advisor.walkthrough.question("platform")
    assert short_label(builder.choice("low-code")) == "makers and analysts"
    assert short_label(platform.choice("fabric")) == "Microsoft Fabric"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("why not Databricks?", (FollowUp.WHY_NOT, "Databricks")),
        ("Why didn't you recommend AutoML", (FollowUp.WHY_NOT, "AutoML")),
        ("and why not just use Copilot Studio?", (FollowUp.WHY_NOT, "Copilot Studio")),
        ("why isn't Azure OpenAI recommended?", (FollowUp.WHY_NOT, "Azure OpenAI")),
        ("what about Fabric instead?", (FollowUp.WHY_NOT, "Fabric")),
        ("what if we had a data science team?", (FollowUp.WHAT_IF, "we had a data science team")),
        ("and if the data were images?", (FollowUp.WHAT_IF, "the data were images")),
        ("What if: Tables?", (FollowUp.WHAT_IF, "Tables")),
        (
            "what would you recommend if our data was in Fabric",
            (FollowUp.WHAT_IF, "our data was in Fabric"),
        ),
        ("no, we do have data scientists", (FollowUp.CORRECTION, "we do have data scientists")),
        ("actually the data are images", (FollowUp.CORRECTION, "the data are images")),
        ("no, I meant the translation one", None),
        ("what is RAG?", None),
        ("what about cost?", None),
        ("why is fine-tuning slow?", None),
        # a question asked in a case, not a change to an answer
        ("ok and if each type needs its own extraction model, can we glue them together", None),
        ("if the data were images, how would we label them?", None),
    ],
)
def test_follow_ups_after_the_recommendation_are_recognized(text, expected):
    assert follow_up(text) == expected


def automl_state(advisor):
    return play(advisor, [("goal", "ml"), ("ml-kind", "tabular"), ("builder", "low-code")])


SPEECH = SPEECH_WALKTHROUGH
"""A walkthrough of three rules over the fixture knowledge base: the logic of "why not" and
"what if" without depending on the real rules, which change with the knowledge."""


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Advisor:
    root = tmp_path_factory.mktemp("speech") / "knowledge"
    shutil.copytree(FIXTURE_KB, root)
    (root / "walkthrough.yaml").write_text(SPEECH)
    return Advisor(load_knowledge(root))


def test_why_not_names_the_answers_the_nearest_rule_needs(speech):
    state = play(speech, [("input", "audio"), ("jargon", "plain")])
    why = speech.why_not(state, speech.kb.topics["custom-speech"])
    assert why.rule.id == "custom"
    [(question, choices, given)] = why.needs
    assert (question.id, [c.id for c in choices], given.id) == ("jargon", ["jargon"], "plain")
    reply = why_not_reply(why)
    assert reply.text == (
        "I'd recommend **Custom Speech** if it is full of jargon. You told me the speech is plain."
    )
    assert reply.suggestions == ("What if: Lots of jargon?",)


def test_why_not_a_rule_that_fits_too_says_what_puts_the_winner_first(speech):
    state = play(speech, [("input", "audio"), ("jargon", "jargon")])
    why = speech.why_not(state, speech.kb.topics["speech-service"])
    assert why.rule.id == "speech" and why.needs == ()
    [(question, given, other)] = why.first
    assert (question.id, given.id, other.id) == ("jargon", "jargon", "plain")
    reply = why_not_reply(why)
    assert reply.text == (
        "Your answers fit **Speech** too, but **Custom Speech** comes first because it is full "
        "of jargon."
    )
    assert reply.suggestions == ("What if: Plain speech?",)


def test_why_not_a_recommended_service_or_one_no_rule_recommends(advisor, kb):
    state = automl_state(advisor)
    assert advisor.why_not(state, kb.topics["automl"]).chosen
    nowhere = advisor.why_not(state, kb.topics["microsoft-copilot"])
    assert nowhere.rule is None and not nowhere.chosen
    assert "no answer leads there" in why_not_reply(nowhere).text


def test_what_if_in_the_small_walkthrough(speech):
    state = play(speech, [("input", "audio"), ("jargon", "plain")])
    jargon = speech.what_if(state, "Lots of jargon")
    assert jargon.after.rule.id == "custom" and [t.id for t in jargon.added] == ["custom-speech"]
    assert what_if_text(jargon) == (
        "With **lots of jargon** instead of plain speech, I'd recommend **Custom Speech** instead "
        "of Speech. What changes: it adds Custom Speech; it drops Azure AI Speech."
    )
    prompts = speech.what_if(state, "an llm workflow")
    assert (prompts.question.id, prompts.after.rule.id) == ("input", "flow")
    assert "jargon" not in prompts.state["answers"]  # no longer applies


def test_topics_are_named_by_title_or_alias_with_typos(advisor):
    assert [t.id for t in advisor.named_topics("databriks")][:1] == ["azure-databricks"]
    assert [t.id for t in advisor.named_topics("Copilot Studio")][:1] == ["copilot-studio"]
    assert advisor.named_topics("a data science team") == []


def test_what_if_changes_one_answer_and_keeps_the_rest(advisor):
    state = automl_state(advisor)
    change = advisor.what_if(state, "we had a data science team")
    assert (change.question.id, change.choice.id, change.previous.id) == (
        "builder",
        "data-scientists",
        "low-code",
    )
    assert change.after.rule.id == "ml-data-scientists"
    assert [t.id for t in change.dropped] == ["automl"]
    assert state["answers"]["builder"] == "low-code"  # the walkthrough itself is unchanged
    images = advisor.what_if(change.state, "the data were images")
    assert images.question.id == "ml-kind" and images.after.rule.id == "ml-deep-learning"


def test_what_if_that_opens_questions_assumes_their_answers(advisor):
    change = advisor.what_if(automl_state(advisor), "we wanted a chatbot")
    assert change.question.id == "goal" and change.after.rule.id == "rag-on-azure-openai"
    assert {"genai-kind", "builder"} <= {q.id for q, _ in change.assumed}
    assert "For that I assumed answer from our own documents and data" in what_if_text(change)


def test_what_if_that_does_not_apply_or_repeats_an_answer(advisor):
    state = automl_state(advisor)
    fabric = advisor.what_if(state, "our data was in Fabric")
    assert not fabric.counts
    assert what_if_text(fabric).startswith("That wouldn't change my recommendation")
    same = advisor.what_if(state, "makers and analysts")
    assert what_if_text(same).startswith("That's what you told me already")
    assert advisor.what_if(state, "bananas") is None


# -- recommendations an architect would sign (issue 13) ------------------------------------------


def outcome(advisor: Advisor, path: list[tuple[str, str]]):
    """The recommendation and its memo after the dialog asks exactly these questions."""
    recommendation = advisor.recommendation(play(advisor, path))
    return recommendation, memo(recommendation, "Start again")


def topic_ids(recommendation) -> list[str]:
    return [t.id for t in recommendation.services]


def lead_of(reply) -> str:
    return reply.text.split("**Details**")[0]


RAG = [("goal", "genai"), ("genai-kind", "chat-docs")]


def test_rag_honours_a_fabric_answer(advisor):
    recommendation, reply = outcome(
        advisor, [*RAG, ("platform", "fabric"), ("builder", "pro-code"), ("constraint", "none")]
    )
    assert recommendation.rule.id == "rag-on-fabric"
    assert "microsoft-fabric" in topic_ids(recommendation)
    assert "OneLake" in lead_of(reply)
    recommendation, _ = outcome(advisor, [*RAG, ("platform", "fabric"), ("builder", "low-code")])
    assert recommendation.rule.id == "rag-low-code-fabric"
    assert "fabric-ai-skills" in topic_ids(recommendation)


def test_makers_on_databricks_are_asked_and_get_no_code_first_design(advisor):
    state = advisor.start()
    for question_id, choice_id in [*RAG, ("platform", "databricks")]:
        advisor.answer(state, question_id, choice_id)
    assert advisor.next_question(state).id == "builder"
    recommendation, reply = outcome(
        advisor, [*RAG, ("platform", "databricks"), ("builder", "low-code")]
    )
    assert recommendation.rule.id == "rag-low-code"
    assert recommendation.rule.design == "low-code"
    assert "mosaic-ai-vector-search" not in topic_ids(recommendation)
    assert "Databricks" in lead_of(reply)  # the answer is addressed, not ignored
    recommendation, _ = outcome(
        advisor,
        [*RAG, ("platform", "databricks"), ("builder", "data-scientists"), ("constraint", "none")],
    )
    assert recommendation.rule.id == "rag-on-databricks"


@pytest.mark.parametrize("platform", ["databricks", "hdinsight", "azure-storage", "other-stores"])
def test_fabric_copilots_are_only_said_to_work_inside_fabric_for_fabric_data(advisor, platform):
    path = [("goal", "data-qa"), ("platform", platform), ("audience", "builders")]
    recommendation, reply = outcome(advisor, path)
    assert recommendation.rule.id == "fabric-copilots-via-onelake"
    assert "inside Fabric" not in reply.text
    assert recommendation.rule.said_for({"platform": platform})[0] in lead_of(reply)
    fabric, _ = outcome(
        advisor, [("goal", "data-qa"), ("platform", "fabric"), ("audience", "builders")]
    )
    assert fabric.rule.id == "fabric-copilots-for-builders"


def test_not_using_fabric_does_not_lead_to_fabric(advisor):
    platform = advisor.walkthrough.question("platform")
    assert advisor.match(platform, "we're not using Fabric").choice.id == "azure-storage"
    path = [("goal", "data"), ("data-job", "prepare"), ("platform", "azure-storage")]
    recommendation, _ = outcome(advisor, [*path, ("builder", "low-code")])
    assert recommendation.rule.id == "prep-low-code-pipelines"
    fabric = set(platform.choice("fabric").topics)
    assert not fabric & set(topic_ids(recommendation))
    for completion in advisor.walkthrough.completions({}):
        rule = advisor.walkthrough.rule_for(completion)
        if completion.get("platform") == "azure-storage" and fabric & set(
            rule.recommend
        ):  # Fabric only with the answer addressed
            assert rule.said_for(completion), rule.id


def test_constraint_notes_never_land_on_copilot_studio(advisor):
    for completion in advisor.walkthrough.completions({}):
        rule = advisor.walkthrough.rule_for(completion)
        if "copilot-studio" in rule.recommend:
            assert advisor.walkthrough.additions_for(completion) == (), rule.id
    state = advisor.start()
    for question_id, choice_id in [("goal", "genai"), ("genai-kind", "copilot")]:
        advisor.answer(state, question_id, choice_id)
    advisor.answer(state, "builder", "low-code")
    assert advisor.next_question(state) is None  # no constraint question: no note would fit
    privacy, _ = outcome(
        advisor,
        [
            ("goal", "genai"),
            ("genai-kind", "copilot"),
            ("builder", "pro-code"),
            ("constraint", "privacy"),
        ],
    )
    assert [a.id for a in privacy.additions] == ["privacy"]  # no index, so no permissions note


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ([("goal", "ml"), ("ml-kind", "deep"), ("builder", "low-code")], "ml-deep-without-ml-team"),
        ([("goal", "ml"), ("ml-kind", "deep"), ("builder", "pro-code")], "ml-deep-without-ml-team"),
        ([("goal", "ml"), ("ml-kind", "deep"), ("builder", "data-scientists")], "ml-deep-learning"),
        (
            [
                ("goal", "ai-services"),
                ("ai-kind", "vision"),
                ("ai-output", "extract"),
                ("customization", "custom"),
                ("builder", "low-code"),
            ],
            "vision-custom-without-ml-team",
        ),
        (
            [
                ("goal", "ai-services"),
                ("ai-kind", "vision"),
                ("ai-output", "extract"),
                ("customization", "custom"),
                ("builder", "data-scientists"),
            ],
            "vision-custom",
        ),
    ],
)
def test_the_team_is_asked_before_deep_learning(advisor, path, rule):
    recommendation, _ = outcome(advisor, path)  # play() checks "builder" is asked, in order
    assert recommendation.rule.id == rule
    team = path[-1][1]
    if team != "data-scientists":
        assert recommendation.rule.design == "ready-made"
        assert not {"hyperparameter-tuning", "deep-learning"} & set(topic_ids(recommendation))
        assert {"azure-ai-services", "ai-vision"} & set(topic_ids(recommendation))
    else:
        assert recommendation.rule.design == "deep-learning"


@pytest.mark.parametrize(
    ("platform", "rule", "service"),
    [
        ("hdinsight", "ml-spark-hdinsight", "hdinsight-spark"),
        ("fabric", "ml-spark-fabric", "spark-in-fabric"),
        ("databricks", "ml-spark", "azure-databricks"),
    ],
)
def test_spark_ml_honours_the_spark_platform(advisor, platform, rule, service):
    path = [
        ("goal", "ml"),
        ("ml-kind", "spark-ml"),
        ("platform", platform),
        ("builder", "pro-code"),
    ]
    recommendation, _ = outcome(advisor, path)
    assert recommendation.rule.id == rule
    assert topic_ids(recommendation)[0] == service


def test_ingestion_for_databricks_users_lands_data_for_databricks(advisor):
    path = [("goal", "data"), ("data-job", "ingest"), ("platform", "databricks")]
    recommendation, _ = outcome(advisor, path)
    assert recommendation.rule.id == "data-ingestion-databricks"
    assert "azure-databricks" in topic_ids(recommendation)
    assert "data-factory" not in topic_ids(recommendation)  # Fabric's Data Factory


def test_document_classification_is_paired_with_extraction(advisor):
    path = [
        ("goal", "ai-services"),
        ("ai-kind", "documents"),
        ("ai-output", "extract"),
        ("customization", "custom"),
    ]
    recommendation, _ = outcome(advisor, path)
    why = recommendation.rule.why
    assert "classification model" in why and "extraction model" in why
    assert "right one automatically" not in why


@pytest.mark.parametrize("text", ["our files are on SharePoint", "it's all in Azure SQL databases"])
def test_sharepoint_and_sql_users_are_not_told_they_use_storage_accounts(advisor, text):
    match = advisor.match(advisor.walkthrough.question("platform"), text)
    assert match.choice is not None and match.choice.id == "other-stores", match
    assert "Storage accounts" not in match.choice.because
    path = [*RAG, ("platform", "other-stores"), ("builder", "pro-code"), ("constraint", "none")]
    _, reply = outcome(advisor, path)
    assert "Storage accounts" not in reply.text
