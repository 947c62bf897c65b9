"""Requests for guidance as users word them: which start the walkthrough and which get the answer
they name. Send this, expect that — through the whole bot on the real knowledge base."""

from __future__ import annotations

import pytest

from dialogs.main_dialog import WALKTHROUGH_OFFER

from .test_loader import VALID_TOPIC, kb_with, problems_of

WALKTHROUGH_OPENS = "Let's find the right architecture"
AFTER_ANSWER = "That's the short answer"
INVOICES = (
    "we have a bunch of pdf invoices from suppliers and want to pull the totals and vendor names "
    "out automatically"
)


def starts_walkthrough(turn) -> bool:
    """The walkthrough began: on its own, or after the answer to the need the message states."""
    return WALKTHROUGH_OPENS in turn.text or AFTER_ANSWER in turn.text


@pytest.mark.parametrize(
    "message",
    [
        "what sort of setup would fit a team that wants to search its own manuals?",
        "what should the architecture be for a bot that answers from our wiki?",
        "our analysts want forecasts but nobody codes. what stack would you go with?",
        "how would you tackle transcribing our sales calls and pulling out the action items?",
        "we need a plan for turning customer emails into tickets automatically",
        "if you were us, where would you begin with an assistant for the field engineers?",
        "need sum advise on the arhitecture for our invoice processing",  # typos put right first
        "give me a shortlist of options for scoring loan applications",
        "how should we tackle forecasting spare parts demand? none of us are data scientists",
        "an assistant for our pharmacists that works offline. which direction?",
        "help me think through the architecture for scoring 50M loan records every night",
        "looking for guidance on building defect detection for our assembly lines",
        "what should our ML platform on azure look like? starting from scratch",
        # asks for a recommendation the recognizer can only guess at: the walkthrough, not a
        # "did you mean"
        "need a recommendation for where to land all our data before we do any ML on it",
        "we must choose a platform for the analysts, who live in spreadsheets today",
        "trying to pick the right azure pieces for our contact center analytics, can u guide me",
        "our analysts want to do some predictions, what's the right azure thing for them?",
        "build or buy for an assistant that drafts replies to supplier emails?",
        "what's the setup to make ten years of recorded webinars searchable?",
        "we can't decide how to build the assistant for our claims handlers",
        "our sales data sits in a lakehouse already. what's the path to a chatbot over it?",
        # stats are a subject of their own: not a request about something else
        "the stats folks are heading to the cloud next year, what should they use?",
        "k can you walk us thru what to pick for our case, team is 3 .net devs",
        "which part of the azure ecosystem fits a team like ours?",
        # a greeting is no word of the request, and "rec" is short for a recommendation
        "hey can u help us pick something for our AP automation",
        "need a rec pls 🙏",
        "pls help, boss wants an 'ai strategy' for our team by monday",
        # the request is a sentence of its own: what follows is context, not the question
        "which Azure service would you pick for us? here's our situation",
        "hey, could you help me figure out what to build our expense thing on?",
        # a choice of service asked with no need stated: the walkthrough asks for the need
        "which of the azure ai services is right for us?",
        "we need help deciding on an ai solution",
        "I need help choosing an azure ai service",
        "what azure service would be the best fit for us",
        "what should my team use for a forecasting model? none of us are ml people",
        "which azure services make sense for us? we're a small dev shop",
        # words saying how unusual the case is are no subject of their own
        "which approach suits our project, its kinda unusual",
        # a request the recognizer reads little of, whose every word the knowledge knows
        "looking for recommendations for our localization pipeline",
        "help our stats team land on azure",
        # "run me through" asks to be shown, not to run something
        "just run me through the recommendation questions",
        "could you run us through some questions so we decide properly",
        # a greeting first: the request after it is what is answered
        "hey there, we need to pick something for our radio audio, can you help",
        # a need stated with a request for a recommendation: its answer, then the questions
        "need help choosing a model for a kiosk that runs offline",
        "need a recommendation for routing incoming support emails",
        "any recommendation for a small model for one narrow job?",
        "hi, need advice on an assistant for our finance team",
        # which setup makes sense, and a sanity check of an architecture, ask for a design
        "what model setup makes sense for running genai on our factory edge gateways?",
        "quick sanity check on architecture: big telemetry + spark + predictive models?",
        # asked outright which service to use, for a subject in words the knowledge lacks
        "what's the right azure service for a voice menu on our support hotline?",
        "what should our hadoop-era team use for ml now?",
        "we have a hackathon team and a vague idea, help us shape it",
        "eh, can you help me choose properly for our situation",
        "cool, guide me to the right service for our multilingual call center",
        # advice asked on a task, and the easiest route to a thing
        "<at>ArchBot</at> pls advise on auto-localizing our app's UI strings",
        "quick one — what's the easiest route to a churn model?",
        "<at>ArchBot</at> which model + hosting approach for an assistant that has to run on a "
        "laptop with no internet?",
        "<at>ArchBot</at> want your take on architecture for an insurance photo triage app",
    ],
)
async def test_a_request_for_a_design_starts_the_walkthrough(convo, message):
    turn = await convo.say(message)
    assert starts_walkthrough(turn)
    assert turn.buttons  # the first question's choices


async def test_a_request_for_a_design_on_a_need_answered_surely_gets_both(convo):
    # the need is answered surely on its own (Custom Speech); asking for the design of it still
    # starts the walkthrough, after that answer
    turn = await convo.say(
        "our call transcripts mangle our product names, what's the right architecture to fix that?"
    )
    assert "Custom Speech" in turn.text
    assert AFTER_ANSWER in turn.text


async def test_a_request_for_a_design_on_a_need_answered_likely_gets_both(convo):
    # the need is likely, not sure (hubs): answered first too, then the questions
    turn = await convo.say(
        "We have six product squads all building LLM apps. IT wants a single place to manage"
        " shared compute, quota, networking and security, but each squad should still get its"
        " own workspace. What setup would you recommend?"
    )
    assert "hub" in turn.text.lower()
    assert AFTER_ANSWER in turn.text
    assert turn.buttons


async def test_advice_on_a_need_the_knowledge_answers_gets_that_answer_then_the_questions(convo):
    turn = await convo.say(
        "the speech to text gets our product names wrong every time, what do you suggest?"
    )
    assert "Custom Speech" in turn.text  # the short answer first
    assert AFTER_ANSWER in turn.text  # then the walkthrough, to fit it to the team
    assert WALKTHROUGH_OPENS not in turn.text
    assert turn.buttons  # its first open question's choices


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("what should a non-dev team use to build a customer-facing bot?", "Copilot Studio"),
        ("so what should HR use for their bot", "Copilot Studio"),
        ("where do we build our llm pipeline", "prompt flow"),
        ("we already have spark clusters, what should we add for ml?", "SynapseML"),
        ("we want rag but we're all-in on databricks, what do we use", "Databricks"),
        ("we need an LLM that works without internet, what are our options?", "small"),
        ("HR wants their own copilot, what's the path?", "Copilot Studio"),
        ("we need distributed ML on a LOT of data, which platform?", "Databricks"),
        ("sales leadership wants to 'chat with the data' — guidance?", "AI skill"),
        ("which model option makes sense for an offline assistant on rugged tablets?", "Phi"),
        ("what's the right model option for an app that has to work offline on laptops?", "Phi"),
        (
            "which tool fits a helpdesk copilot our power users could build themselves?",
            "Copilot Studio",
        ),
        # advice asked on a service for the team's own project: its answer, then the questions
        ("need advice on extending M365 Copilot for our sales team", "Copilot Studio"),
        (
            "looking for advice on the machine translation part of our localization pipeline",
            "Translator",
        ),
        ("any advice on the right design for rag over our lake data?", "RAG"),
        ("looking for the best way to score a huge table every night", "Scoring"),
    ],
)
async def test_asking_what_anyone_should_use_gets_the_answer_then_the_questions(
    convo, message, answer
):
    turn = await convo.say(message)
    assert answer in turn.text
    assert AFTER_ANSWER in turn.text


async def test_a_design_asked_for_a_likely_answered_need_gets_the_answer_first(convo):
    turn = await convo.say(
        "recommend an approach so GPT answers questions using the contents of our SharePoint, "
        "not the public internet?"
    )
    assert "Retrieval Augmented Generation" in turn.text  # the likely answer, then the questions
    assert AFTER_ANSWER in turn.text


async def test_ideas_asked_for_a_problem_to_fix_is_no_request_for_the_questions(convo):
    turn = await convo.say("kafka consumer group lag keeps growing on our feature topic, ideas?")
    assert not starts_walkthrough(turn)
    assert turn.trace("RecognizerResult")["topIntent"] == "None"


async def test_which_models_a_service_offers_is_no_request_for_the_questions(convo):
    turn = await convo.say("which models can we use in azure openai?")
    assert not starts_walkthrough(turn)


async def test_a_request_in_no_known_words_is_read_by_its_meaning(convo):
    turn = await convo.say(
        "how should a two-person team build a chatbot over our policy handbook that cites its "
        "sources?"
    )
    assert "retrieval" in turn.text.lower()  # the need it states, answered first
    assert AFTER_ANSWER in turn.text  # then the questions: it asks how to build, in meaning


async def test_advice_asked_in_a_question_gets_the_answer_then_the_questions(convo):
    turn = await convo.say("any advice for the place our raw training files should sit?")
    assert "Data Lake" in turn.text or "OneLake" in turn.text  # the need, answered first
    assert AFTER_ANSWER in turn.text


async def test_setting_up_a_platform_is_asked_as_a_design_not_as_a_settings_value(convo):
    turn = await convo.say("setting up an ml platform for 3 tribes — what would you suggest?")
    assert "doesn't go into that detail" not in turn.text
    assert turn.buttons  # the walkthrough's first question


async def test_a_request_that_says_everything_gets_the_recommendation_without_promised_questions(
    convo,
):
    turn = await convo.say(
        "the speech to text gets our product names wrong every time, what do you suggest?"
    )
    assert "My recommendation" in turn.text  # the opener answered every question
    assert "a few quick questions" not in turn.text


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        # the shape of asking what to choose, whatever the words between
        (
            "hey, we get ~4k supplier invoices a month as pdfs and someone keys them into SAP by "
            "hand. what would you use to pull the fields out automatically?",
            "Document Intelligence",
        ),
        (
            "hr runs a survey twice a year with 15k free-text comments. what should we use to get "
            "sentiment and key themes out of that text?",
            "Language",
        ),
        ("which azure service should we go with for live captions of our town halls?", "Speech"),
        # "service" is what is chosen, not part of a name ("transcription service")
        ("which azure service should we use to transcribe our recorded meetings?", "Speech"),
        (
            "our HR ops folks want their own assistant in Teams, no devs. how should they go "
            "about it?",
            "Copilot Studio",
        ),
        # the best option or fit for a need, and which option of a kind
        ("what'd be the best fit for summarizing our board packs into one page?", "Azure OpenAI"),
        (
            "best option for predicting store demand if nobody on the team is a data scientist?",
            "AutoML",
        ),
        ("we're moving our log crunching to azure, which spark option would work?", "Spark"),
    ],
)
async def test_asking_what_to_choose_for_a_need_answers_it_then_asks(convo, message, answer):
    turn = await convo.say(message)
    assert answer in turn.text
    assert AFTER_ANSWER in turn.text


async def test_a_question_on_the_way_is_answered_however_long(convo):
    await convo.say(
        "we want our own translation engine for legal terms but only have a glossary. "
        "what would you suggest?"
    )
    turn = await convo.say(
        "once we have a model trained there, which API do our existing apps call to use it?"
    )
    assert "Translator Text API" in turn.text  # answered as a question, not read as an answer
    assert "Got it" not in turn.text


async def test_an_and_if_question_after_the_short_answer_asks_about_it(convo):
    await convo.say("we want to auto-summarize long incident reports for execs, what do you use?")
    turn = await convo.say(
        "and if the summaries have to follow our exact house format every single time?"
    )
    assert "Fine-tuning" in turn.text  # a question on the answer, not an answer to the walkthrough
    assert "Got it" not in turn.text
    turn = await convo.say(
        "ok back to the format thing — what do we actually gain from doing that vs just longer "
        "prompts"
    )
    assert "latency" in turn.text  # the question after the dash is asked, not read as an answer
    assert "Got it" not in turn.text


async def test_the_questions_after_a_short_answer_step_aside_when_the_user_keeps_talking(convo):
    await convo.say("we want to auto-summarize long incident reports for execs, what do you use?")
    turn = await convo.say("and if they have to follow our exact house format every time?")
    assert "Fine-tuning" in turn.text
    assert "walkthrough" not in turn.text.lower()  # a question instead: the talk goes on
    turn = await convo.say("can custom translator go japanese → korean directly")
    assert "English" in turn.text
    turn = await convo.say("sorry typo, i meant japanese → english")
    assert turn.trace("RecognizerResult")["context"] == "correction"


@pytest.mark.parametrize(
    "message",
    [
        "can you help us design the whole thing?",
        "thanks! help me pick the right architecture for this",
        "sure, ask away",
    ],
)
async def test_asking_for_the_questions_a_short_answer_offered_asks_them(convo, message):
    turn = await convo.say(INVOICES)
    assert AFTER_ANSWER in turn.text
    turn = await convo.say(message)
    assert "let's fit it to your project" in turn.text  # not another knowledge answer
    assert "Our own layouts, jargon or terminology" in turn.buttons  # the question again
    turn = await convo.say("Our own layouts, jargon or terminology")
    assert "My recommendation: Document Intelligence custom" in turn.text


async def test_a_question_about_the_short_answer_is_still_talk(convo):
    await convo.say(INVOICES)
    turn = await convo.say("which model should we use for this?")
    assert "let's fit it to your project" not in turn.text
    assert "Document Intelligence" in turn.text


async def test_a_return_after_answering_a_question_of_the_walkthrough_goes_back_to_talking(convo):
    await convo.say(
        "insurance claims come in as forms, photos and phone calls. what azure ai pieces?"
    )
    turn = await convo.say("for the call part, adjusters use lots of jargon")
    assert "Custom Speech" in turn.text  # read as an answer to the walkthrough's question
    turn = await convo.say("back to the forms — there are 3 form types and we want one endpoint")
    assert turn.trace("RecognizerResult")["context"] == "return"
    assert "composed" in turn.text  # not "that describes the project" and the question again


async def test_a_follow_up_that_sounds_like_a_choice_is_still_talk_after_a_short_answer(convo):
    await convo.say(
        "our manuals get machine translated and the terminology is all wrong. anything on azure "
        "that can learn our terms?"
    )
    turn = await convo.say("we dont have parallel docs tho, just a glossary spreadsheet")
    assert "dictionary" in turn.text  # not "Got it: our own terminology" and a recommendation
    assert "recommendation" not in turn.text.lower()


async def test_a_correction_after_a_short_answer_moves_the_conversation_not_the_questions(convo):
    await convo.say("whats the best way to customize recognition for our brand names?")
    turn = await convo.say(
        "no sorry i meant the translation one, for translating product docs with our terminology"
    )
    assert turn.trace("RecognizerResult")["context"] == "correction"
    assert "recommendation" not in turn.text.lower()  # not read as the walkthrough's answers
    turn = await convo.say("any customer using it at scale?")
    assert "Volkswagen" in turn.text  # the translator's story, not Custom Speech's


@pytest.mark.parametrize(
    "message",
    [
        "helpdesk wants a copilot, how should we go about building it?",
        "what's the quickest path to a sales copilot for our reps?",
        "need a steer on building an IT helpdesk copilot",
        "what's the quickest way to give employees a Q&A bot inside teams / m365?",
        "hey, which combo of services for a lakehouse + genai q&a bot?",
        "the plant floor pcs have flaky internet and ops want a little assistant that summarizes "
        "shift logs. ideas where to run the model?",
        "we need to modernise our reporting + analytics stack, guidance please",
    ],
)
async def test_a_copilot_or_a_stack_to_build_gets_the_answer_then_the_questions(convo, message):
    turn = await convo.say(message)  # "a copilot" is a kind of thing, not Microsoft Copilot
    assert AFTER_ANSWER in turn.text


async def test_a_short_profile_after_the_short_answer_answers_the_walkthrough(convo):
    turn = await convo.say("our BI folks basically want AI help with power bi. where should we go?")
    assert AFTER_ANSWER in turn.text
    turn = await convo.say(
        "power bi report builders, tabular data, want copilot-style help creating reports and "
        "insights"
    )
    assert "I read:" in turn.text  # what it filled in, not the Fabric copilots answer again
    assert "Microsoft Fabric" in turn.text


async def test_a_short_profile_counts_what_the_opener_leaned_to(convo):
    turn = await convo.say(
        "what's the quickest way for a non-dev team to ship a support copilot on our website?"
    )
    assert AFTER_ANSWER in turn.text
    turn = await convo.say(  # who builds it, and with the opener's copilot, what is built
        "customer service team, no developers, wants to design/test/publish the bot themselves, "
        "low-code"
    )
    assert "Got it: **Generative AI app or chatbot" in turn.text  # not the answer again


async def test_a_short_statement_after_the_short_answer_that_tells_one_thing_is_still_talk(convo):
    await convo.say("support wants every inbound call transcribed, which service")
    turn = await convo.say("tried it, it keeps missing our product names tho")
    assert "Custom Speech" in turn.text
    assert turn.trace("RecognizerResult")["context"] == "refers"


async def test_a_team_that_is_non_dev_builds_with_low_code(convo):
    await convo.say("help me choose an architecture")
    await convo.say("Generative AI app or chatbot")
    await convo.say("a copilot for our employees")
    turn = await convo.say("a non-dev team will own it")
    assert "Makers and analysts" in turn.text  # "non-" negates "dev": no developers
    assert "Copilot Studio" in turn.text


async def test_a_situation_told_at_length_with_a_need_gets_its_answer_then_the_questions(convo):
    turn = await convo.say(
        "we run a yearly tech conference & want live captions translated for remote attendees, "
        "the speakers use a ton of our product names"
    )
    assert "Speech" in turn.text
    assert AFTER_ANSWER in turn.text


async def test_a_situation_told_at_length_and_asked_about_gets_its_answer_then_the_questions(
    convo,
):
    turn = await convo.say(
        "we get like 4k supplier invoices a week as scanned pdfs and someone types them in by "
        "hand. where would we even build something for this"
    )
    assert "Document Intelligence" in turn.text
    assert AFTER_ANSWER in turn.text
    turn = await convo.say(
        "we're a small team of developers, no data scientists; the invoices come from many "
        "suppliers in different layouts and we want the totals and line items in our ERP"
    )
    assert "My recommendation: Document Intelligence" in turn.text


async def test_a_question_on_the_way_after_a_short_answer_goes_on_with_the_conversation(convo):
    await convo.say("how should we go about choosing an algorithm, there are like hundreds")
    turn = await convo.say("does azure ml help with that at all")
    assert "Back to the walkthrough" not in turn.text  # the talk goes on without it
    turn = await convo.say("sorry i meant automatically, like it tries them for me")
    assert "AutoML" in turn.text  # read as the correction it is, not "didn't catch that"
    assert "catch that" not in turn.text and "walkthrough" not in turn.text.lower()


async def test_questions_asked_on_the_way_keep_a_walkthrough_the_user_asked_for(convo):
    await convo.say("start the walkthrough")
    await convo.say("what is RAG?")
    turn = await convo.say("and fine-tuning?")
    assert "Back to the walkthrough" in turn.text


async def test_a_long_request_to_act_at_a_walkthrough_question_is_declined(convo):
    await convo.say("our claims team drowns in scanned forms and retypes every field. what now?")
    await convo.say("what if the forms are our own custom layout?")
    turn = await convo.say(
        "ok can you just extract the fields from this one for me: Claim #8812, policy 44-A, rear "
        "bumper"
    )
    assert "I can't do that" in turn.text  # a question asking to act, however long
    assert "didn't catch" not in turn.text


async def test_asking_what_to_use_for_something_else_is_declined(convo):
    turn = await convo.say(
        "my fabric softener left stains on my shirts, what should i use instead?"
    )
    assert WALKTHROUGH_OPENS not in turn.text and AFTER_ANSWER not in turn.text
    assert turn.trace("RecognizerResult")["topIntent"] == "None"


async def test_a_follow_up_shaped_like_a_choice_continues_the_conversation(convo):
    await convo.say("how can i host a language model in my workload?")
    turn = await convo.say("which of those fits a team with no GPU budget?")
    assert AFTER_ANSWER not in turn.text and WALKTHROUGH_OPENS not in turn.text


async def test_a_plain_question_is_not_offered_the_walkthrough(convo):
    turn = await convo.say("what is custom speech?")
    assert WALKTHROUGH_OFFER not in turn.buttons


async def test_advice_on_a_vague_need_starts_the_walkthrough(convo):
    turn = await convo.say("we want to do something with AI for our customers, any suggestions?")
    assert starts_walkthrough(turn)


async def test_a_choice_the_knowledge_can_only_guess_at_starts_the_walkthrough(convo):
    # "dispatch" is a word the knowledge never uses; the speech services are its guesses
    turn = await convo.say("which speech option should our dispatch system use?")
    assert starts_walkthrough(turn)


async def test_walk_us_through_what_to_pick_starts_the_walkthrough(convo):
    turn = await convo.say("ok can you just walk us through what to pick given our team?")
    assert starts_walkthrough(turn)


async def test_a_choice_of_no_ai_or_data_subject_does_not_start_the_walkthrough(convo):
    turn = await convo.say("what should we name our new product? ideas?")
    assert not starts_walkthrough(turn)


async def test_a_reference_architecture_is_a_name_not_a_request_for_a_design(convo):
    turn = await convo.say("which reference architecture covers a chat app on azure openai?")
    assert WALKTHROUGH_OPENS not in turn.text
    assert "baseline" in turn.text.lower()


async def test_a_request_for_guidance_in_the_middle_of_a_conversation(convo):
    await convo.say("what is azure ai search?")
    turn = await convo.say("ok. how would you lay out the whole thing for our support portal?")
    assert starts_walkthrough(turn)


async def test_a_question_shaped_like_a_request_mid_conversation_is_only_answered(convo):
    await convo.say("how do models get better over time")
    turn = await convo.say("how should we choose an algorithm then")
    assert not starts_walkthrough(turn)
    assert "algorithm" in turn.text


async def test_a_use_case_is_a_thing_not_something_to_use(convo):
    await convo.say("what's the difference between an ai foundry hub and a project?")
    turn = await convo.say("which one do we create per use case?")
    assert not starts_walkthrough(turn)


async def test_a_decision_guide_for_choosing_is_a_document_asked_for_not_the_walkthrough(convo):
    turn = await convo.say("is there a decision guide for picking the right azure ai service?")
    assert not starts_walkthrough(turn)
    assert "Choose an Azure AI services technology" in turn.text


async def test_guide_as_a_verb_still_asks_for_the_walkthrough(convo):
    turn = await convo.say("can you guide us in choosing a service")
    assert starts_walkthrough(turn)


async def test_asking_for_what_the_bot_would_mention_after_a_short_answer_is_still_talk(convo):
    await convo.say("which languages should our team learn for ai dev")
    turn = await convo.say("any python ml libs you'd mention")
    assert "scikit-learn" in turn.text
    assert "I read:" not in turn.text


def test_a_cue_naming_an_unknown_word_class_names_its_line(tmp_path):
    root = kb_with(tmp_path, tools=VALID_TOPIC)
    (root / "guidance.yaml").write_text("cues:\n  - what {design} would\n  - right {stakc}\n")
    assert problems_of(root) == [
        "knowledge/guidance.yaml:3: cue 'right {stakc}': {stakc} is not a word class "
        "({design}, {designing})"
    ]


def test_a_cue_may_name_a_class_of_the_guidance_file(tmp_path):
    root = kb_with(tmp_path, tools=VALID_TOPIC)
    (root / "guidance.yaml").write_text(
        "classes:\n  actor: [we, i]\n  design: [x]\ncues:\n  - should {actor} pick\n"
        "  - which {actors}\n"
    )
    assert problems_of(root) == [
        "knowledge/guidance.yaml:3: class 'design': a class name is lowercase letters and '_', "
        "and not design or designing",
        "knowledge/guidance.yaml:6: cue 'which {actors}': {actors} is not a word class "
        "({actor}, {design}, {designing})",
    ]


@pytest.mark.parametrize(
    "message",
    [
        "what architecture would you suggest for the message broker between our order services?",
        "how would you set up Jenkins for our monorepo?",
    ],
)
async def test_guidance_on_software_outside_ai_is_declined(convo, message):
    turn = await convo.say(message)
    assert WALKTHROUGH_OPENS not in turn.text
    assert turn.trace("RecognizerResult")["declinedAs"] == "decline-software-design"


async def test_guidance_on_ai_inside_a_named_stack_still_starts_the_walkthrough(convo):
    turn = await convo.say("how would you add a support chatbot to our React web shop?")
    assert starts_walkthrough(turn)


@pytest.mark.parametrize(
    "message",
    [
        "how would you define a small language model?",
        "how would you compare Fabric and Databricks?",
    ],
)
async def test_asking_to_explain_is_answered_not_walked_through(convo, message):
    turn = await convo.say(message)
    assert WALKTHROUGH_OPENS not in turn.text
    assert WALKTHROUGH_OFFER in turn.buttons  # the walkthrough is one click away all the same


@pytest.mark.parametrize(
    "message",
    [
        "how should we version prompts in prompt flow?",
        "where would you start with document intelligence custom models?",
        "what's the right setup for hyperparameter tuning in azure ml?",
        "which direction does custom translator translate?",
    ],
)
async def test_a_short_question_about_a_named_service_is_answered(convo, message):
    turn = await convo.say(message)
    assert WALKTHROUGH_OPENS not in turn.text


async def test_a_cue_of_plain_words_must_be_said_as_it_is(convo):
    # "what would you do" is not in "what would you say we do …"
    turn = await convo.say("what would you say we do about the same thing in azure?")
    assert WALKTHROUGH_OPENS not in turn.text


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("walk me through how model training works in azure ml, high level", "Model training"),
        (
            "what design guidance should our ai workload follow, is there a framework?",
            "Well-Architected",
        ),
    ],
)
async def test_a_question_about_a_named_thing_is_answered_not_walked_through(
    convo, message, answer
):
    turn = await convo.say(message)
    assert WALKTHROUGH_OPENS not in turn.text
    assert answer in turn.text


@pytest.mark.parametrize(
    "message",
    [
        "walk me through choosing an architecture",
        "start the wizard",
        "walk me through it",
        "walk me through picking a platform",
        "walk me through how you'd set up the whole LLM app lifecycle for us",
        "which platform should we pick for analytics and ML?",
        "we need design guidance for our support chatbot",
        # a cue asking for help choosing, and the team described: the walkthrough, though the
        # services are named
        "help us choose between databricks and fabric for our platform, we're a team of 5 data "
        "engineers",
    ],
)
async def test_a_request_to_choose_still_starts_the_walkthrough(convo, message):
    turn = await convo.say(message)
    assert starts_walkthrough(turn)


@pytest.mark.parametrize(
    "message",
    [
        "guide me on choosing the pieces for a voice bot that books appointments",
        "step us through the options for tagging our product photos automatically",
        "our field reports are handwritten scans. what would you go with here?",
        "help me out picking the tech for subtitles on our training videos",
        "how would we go about designing a forecasting setup for spare parts?",
        "we're stuck picking something to turn scanned delivery notes into data, advise?",
        "what route would you take to caption our webinar recordings?",
        "guide us toward a platform for our demand forecasts",
        "need a steer: field techs photograph meter readings and we want the numbers out",
        "what should we use for a bot that answers questions about our travel policy?",
        "could you advise on what we should use to catch fraud in card payments?",
    ],
)
async def test_asking_to_be_stepped_through_a_choice_starts_the_walkthrough(convo, message):
    turn = await convo.say(message)
    assert starts_walkthrough(turn)


async def test_how_to_go_about_the_topic_in_focus_is_not_a_request_for_a_design(convo):
    await convo.say("what is custom translator?")
    turn = await convo.say("ok, how would we go about it?")
    assert WALKTHROUGH_OPENS not in turn.text


async def test_a_named_comparison_asking_thoughts_gets_the_comparison(convo):
    turn = await convo.say("databricks vs fabric for our analytics + ml platform, thoughts?")
    assert WALKTHROUGH_OPENS not in turn.text
    assert "Microsoft Fabric vs Azure Databricks" in turn.text
    assert WALKTHROUGH_OFFER in turn.buttons  # the walkthrough, one click away


@pytest.mark.parametrize(
    "message",
    [
        "what's a good plan for repainting the office kitchen over a weekend?",
        "recommend an approach to seating forty wedding guests who don't all get along",
        "how should I structure my garden so tomatoes get afternoon shade?",
        "can you guide me through choosing a mortgage with a variable rate?",
    ],
)
async def test_guidance_on_something_other_than_ai_or_data_is_declined(convo, message):
    turn = await convo.say(message)
    assert WALKTHROUGH_OPENS not in turn.text
    assert turn.trace("RecognizerResult")["topIntent"] == "None"


async def test_guidance_with_unusual_words_and_an_ai_subject_still_starts_the_walkthrough(convo):
    turn = await convo.say(
        "our bakery franchise wants croissant demand forecasting per shop, what would you go with?"
    )
    assert starts_walkthrough(turn)


async def test_guidance_on_something_else_mid_conversation_is_declined_too(convo):
    await convo.say("which azure options run spark?")
    turn = await convo.say("can you recommend an architecture firm to redo our kitchen in Lyon?")
    assert WALKTHROUGH_OPENS not in turn.text
    assert turn.trace("RecognizerResult")["topIntent"] == "None"


@pytest.mark.parametrize(
    "message",
    [
        "we're an hdinsight shop, which azure thing fits for adding ML",
        "what would you go with for a recommender, we're on databricks already",
    ],
)
async def test_the_platform_a_team_is_on_is_no_question_about_that_service(convo, message):
    turn = await convo.say(message)
    assert AFTER_ANSWER in turn.text  # the answer, then the walkthrough's first question
    assert WALKTHROUGH_OFFER not in turn.buttons


@pytest.mark.parametrize(
    "message",
    [
        "we live in m365 copilot, we'd like it to know our ticket system. what's the way to go?",
        "we're on hdinsight spark already and wanna add ml on top, what's the path?",
        "managers keep asking us for numbers, could they ask the data? what should we set up",
        "need a recommendation for a prediction feature we're adding",  # "we're" is "we"
        "could you point us at a platform for our genai work?",
        # "we" in one sentence, the choosing question in the next
        "we own a mountain of parquet and some ideas. where should ml happen?",
    ],
)
async def test_more_shapes_of_asking_what_to_choose_start_the_walkthrough(convo, message):
    turn = await convo.say(message)
    assert starts_walkthrough(turn)


async def test_a_choice_of_service_for_a_stated_need_gets_the_answer(convo):
    turn = await convo.say("which azure service is best for pulling fields out of invoices?")
    assert "Document Intelligence" in turn.text


async def test_a_recommender_named_is_no_request_for_a_recommendation(convo):
    await convo.say("what is mosaic ai vector search?")
    turn = await convo.say("can that same platform store embeddings for our recommender?")
    assert not starts_walkthrough(turn)


async def test_a_long_question_after_a_short_answer_is_asked_not_read_as_a_choice(convo):
    await convo.say(
        "we stream events through kafka and want real-time analytics with some ai on top, where "
        "does that live"
    )
    turn = await convo.say(
        "how do i set up the confluent cloud connector to event hubs, auth keeps failing"
    )
    assert "Got it" not in turn.text  # "hubs" is no answer to what we are building
    assert turn.trace("RecognizerResult")["topIntent"] == "None"  # declined as troubleshooting


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("which platform for our big training jobs?", "training"),
        ("where should we move our ml experiments?", "MLflow"),
        ("help picking storage for our AI data", "Data Lake Storage"),  # asked to pick
        ("what's the best option for an hr question bot", "Copilot Studio"),
        ("hey so which approach for letting sales ask questions about our data", "AI skill"),
        ("we're kinda lost on tooling for our llm app — which one?", "AI Foundry"),
    ],
)
async def test_asking_what_our_team_should_choose_answers_it_then_asks(convo, message, answer):
    turn = await convo.say(message)
    assert answer in turn.text
    assert AFTER_ANSWER in turn.text  # a choice for the team's own project: then the questions


@pytest.mark.parametrize(
    "message",
    [
        "can you recommend something for our data q&a idea",
        "need a recommendation for our doc processing work",
    ],
)
async def test_asking_what_our_team_should_choose_with_no_answer_starts_the_walkthrough(
    convo, message
):
    turn = await convo.say(message)
    assert WALKTHROUGH_OPENS in turn.text


@pytest.mark.parametrize(
    "message",
    [
        "what data do we need for fine-tuning?",  # a fact about the project, not a choice
        "pm asks what genai could do in our product. short list pls",  # "what" mid-sentence
    ],
)
async def test_a_question_about_our_project_that_chooses_nothing_is_only_answered(convo, message):
    turn = await convo.say(message)
    assert not starts_walkthrough(turn)


async def test_choosing_our_laptops_is_declined(convo):
    turn = await convo.say("which laptops should we buy for the data science team?")
    assert not starts_walkthrough(turn)
    assert turn.trace("RecognizerResult")["topIntent"] == "None"


@pytest.mark.parametrize(
    "message",
    [
        "ok let's figure out which fits us, go ahead and ask me stuff",
        "hmm can you take me through the decision properly",
        "fair. can you ask me a few questions about our situation and then recommend properly?",
        "can you take us through the options step by step? happy to answer questions",
        "<at>ArchBot</at> ok let's figure out what we should actually build, guide me",  # no figure
        "nice. let's work out what we'd need for our clinic booking assistant",
        "ok let's work out the whole solution for our contact center, guide me through it",
        "sweet, can you take us through choosing for our docs localization?",
        "let's get a proper recommendation for our image workflow",  # advice for a workflow
    ],
)
async def test_asking_to_be_asked_mid_conversation_starts_the_walkthrough(convo, message):
    await convo.say("what is copilot studio?")
    turn = await convo.say(message)
    assert WALKTHROUGH_OPENS in turn.text


async def test_a_side_question_on_something_else_is_declined_not_walked_through(convo):
    await convo.say("someone said automl does 'featurization' - what's that in this context")
    turn = await convo.say("side q, how does gradient boosting actually choose where to split")
    assert not starts_walkthrough(turn)  # "side q" is no word of the request
    assert turn.trace("RecognizerResult")["topIntent"] == "None"


@pytest.mark.parametrize(
    ("first", "then", "answer"),
    [
        (
            "team keeps arguing about which algorithm to use for a classification problem",
            "could a tool just pick it for us?",
            "AutoML",
        ),
        (
            "our defects are really specific to our assembly line, should we go deep learning?",
            "which platform would we train that on?",
            "Azure Machine Learning",
        ),
    ],
)
async def test_a_choice_asked_of_what_was_just_discussed_is_answered_with_the_offer(
    convo, first, then, answer
):
    await convo.say(first)
    turn = await convo.say(then)
    assert WALKTHROUGH_OPENS not in turn.text
    assert answer in turn.text
    assert WALKTHROUGH_OFFER in turn.text  # the questions stay one click away


@pytest.mark.parametrize(
    "message",
    [
        "which service for a ticket classifier that has to be super consistent?",
        "we want to compare a bunch of models for a new genai app, help us choose where to do it",
    ],
)
async def test_asking_which_offering_to_use_answers_then_asks(convo, message):
    turn = await convo.say(message)
    assert AFTER_ANSWER in turn.text


async def test_asking_which_service_a_design_uses_is_only_answered(convo):
    turn = await convo.say("which service does the baseline use for search?")
    assert not starts_walkthrough(turn)
    assert "AI Search" in turn.text


async def test_a_first_time_in_the_message_is_no_question_about_the_time(convo):
    # the decline of "what time is it" once caught any message saying "time"
    turn = await convo.say("it's our first time doing machine learning, how would you set us up?")
    assert starts_walkthrough(turn)
    turn = await convo.say("what time is it?")
    assert turn.trace("RecognizerResult")["topIntent"] == "None"


@pytest.mark.parametrize(
    "message",
    [
        "what would you recommend for automating the accounts payable mailbox?",
        "what would you suggest for running a language model on our handheld scanners?",
    ],
)
async def test_a_recommendation_asked_for_a_business_need_starts_the_walkthrough(convo, message):
    # the need's words ("accounts payable", "handheld scanners") are the knowledge's own now:
    # a request for advice about words the knowledge never uses is taken for another subject
    turn = await convo.say(message)
    assert starts_walkthrough(turn)


@pytest.mark.parametrize(
    "message",
    [
        "ok let's figure out the right service for us properly, ask me whatever you need",
        "let's go through the options properly for our case",
        "can you run through the options with me and land on a recommendation?",
    ],
)
async def test_going_through_the_options_mid_chat_starts_the_walkthrough(convo, message):
    await convo.say("our HR team wants a bot, they're not technical at all")
    turn = await convo.say(message)
    assert starts_walkthrough(turn)


async def test_a_closing_which_stack_asks_for_the_walkthrough(convo):
    turn = await convo.say(
        "mid-sprint and the PO just asked for an 'AI assistant' over our support knowledge base. "
        "which stack?"
    )
    assert starts_walkthrough(turn)


async def test_which_service_for_a_need_gets_the_answer_then_the_questions(convo):
    turn = await convo.say(
        "moving off our old hadoop cluster, which azure service for the spark workloads?"
    )
    assert "HDInsight" in turn.text
    assert AFTER_ANSWER in turn.text


async def test_the_easiest_way_for_a_team_gets_the_answer_then_the_questions(convo):
    turn = await convo.say(
        "what's the easiest way for us to build a churn prediction model on azure?"
    )
    assert "AutoML" in turn.text
    assert AFTER_ANSWER in turn.text


async def test_freight_quote_emails_are_a_situation_not_a_quote_asked_for(convo):
    turn = await convo.say(
        "ok so we're a logistics broker drowning in freight quote emails and leadership wants "
        "'ai' on it by summer — can you help us figure out what to actually build?"
    )
    assert "What are you building?" in turn.text
    turn = await convo.say("cancel")
    turn = await convo.say("get me a freight quote from c.h. robinson for 2 pallets")
    assert turn.trace("RecognizerResult").get("declinedAs") is not None


async def test_a_greeting_before_a_request_for_help_choosing_starts_the_walkthrough(convo):
    turn = await convo.say(
        "hey, trying to work out which azure bit we should use for sorting incoming complaint "
        "emails, can you help me narrow it down?"
    )
    assert starts_walkthrough(turn)
