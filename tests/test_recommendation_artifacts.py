"""What a team keeps from a recommendation, as users meet it (the whole bot on botbuilder's
TestAdapter): the diagram on the card, the decision record behind "Export decision record", and
"what if …?" with one answer changed, for every rule of knowledge/walkthrough.yaml."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, urlsplit

import pytest
from botframework.connector import Channels

from bot.channels.messages import FILE_CONTENT_TYPE
from bot.core.adr import answers_from_query
from bot.core.advisor import Advisor, what_if_text
from bot.core.diagram import layout, text
from bot.core.diagram_png import png
from dialogs.walkthrough_dialog import EXPORT_LABEL

from .conversation import Conversation, Turn, card_elements
from .test_advisor import dialog_paths, play

START = "help me pick an architecture"


def first_paths(advisor: Advisor) -> dict[str, list[tuple[str, str]]]:
    """One path of clicks to each rule: the first the walkthrough offers."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in dialog_paths(advisor):
        rule = advisor.recommendation(play(advisor, path)).rule.id
        found.setdefault(rule, path)
    return found


@pytest.fixture(scope="module")
def advisor(kb) -> Advisor:
    return Advisor(kb)


@pytest.fixture(scope="module")
def paths(advisor) -> dict[str, list[tuple[str, str]]]:
    return first_paths(advisor)


def images(turn: Turn) -> list[dict]:
    return [e for card in turn.cards for e in card_elements(card) if e.get("type") == "Image"]


def files(turn: Turn) -> list:
    return [
        a for m in turn.messages for a in m.attachments or [] if a.content_type == FILE_CONTENT_TYPE
    ]


async def walk(convo: Conversation, advisor: Advisor, path) -> Turn:
    turn = await convo.say(START)
    for question_id, choice_id in path:
        turn = await convo.say(advisor.walkthrough.question(question_id).choice(choice_id).label)
    return turn


def assert_diagram(turn: Turn, artifacts, recommendation) -> None:
    """The card shows the recommendation's diagram: the PNG inline, the flow as its alt text."""
    drawn = artifacts.diagram(recommendation)
    [image] = images(turn)
    prefix = "data:image/png;base64,"
    assert image["url"].startswith(prefix)
    assert base64.b64decode(image["url"][len(prefix) :]) == png(layout(drawn))
    assert text(drawn) in image["altText"]
    assert EXPORT_LABEL in turn.buttons


def record_of(turn: Turn, artifacts) -> tuple[str, str]:
    """(the rule id in the record's address, the record that address serves)."""
    [file] = files(turn)
    address = urlsplit(file.content_url)
    assert file.content_url.startswith(artifacts.base_url + "/adr/")
    name = address.path.rsplit("/", 1)[-1]
    assert file.name == f"adr-{name}"
    state = answers_from_query(artifacts.advisor.walkthrough, dict(parse_qsl(address.query)))
    assert isinstance(state, dict), state
    return name.removesuffix(".md"), artifacts.record(state)


async def test_every_rule_draws_its_diagram_exports_its_record_and_answers_a_what_if(
    real_runtime, advisor, paths
):
    artifacts = real_runtime.handler.knowledge.artifacts
    rules = {r.id: r for r in advisor.walkthrough.rules}
    assert set(paths) == set(rules)
    reached_by_what_if = set()
    for number, (rule_id, path) in enumerate(sorted(paths.items())):
        convo = Conversation(real_runtime.handler, Channels.webchat, f"artifacts-{number}")
        turn = await walk(convo, advisor, path)
        state = play(advisor, path)
        recommendation = advisor.recommendation(state)
        assert_diagram(turn, artifacts, recommendation)

        turn = await convo.say(EXPORT_LABEL)
        served_rule, record = record_of(turn, artifacts)
        assert served_rule == rule_id
        assert record.startswith(f"# {rules[rule_id].title}\n")
        for heading in (
            "## Context and Problem Statement",
            "## Considered Options",
            "## Decision Outcome",
            "### Consequences",
            "## Architecture",
            "## Links",
        ):
            assert f"\n{heading}\n" in record, (rule_id, heading)
        assert text(artifacts.diagram(recommendation)) in record
        assert f"/diagrams/{artifacts.diagram(recommendation).id}.png" in record
        assert "Download decision record" in turn.text

        # what if the last answer were another one
        question_id, choice_id = path[-1]
        question = advisor.walkthrough.question(question_id)
        other = next(c for c in question.choices if c.id != choice_id)
        change = advisor.what_if(state, other.label)
        turn = await convo.say(f"What if: {other.label}?")
        assert what_if_text(change).split(" What changes")[0] in turn.shown.replace("\n\n", " ")
        after = change.after
        if after.rule.id != rule_id or change.added or change.dropped:
            assert_diagram(turn, artifacts, after)
            reached_by_what_if.add(after.rule.id)
        turn = await convo.say("export the decision record")
        served_rule, record = record_of(turn, artifacts)
        assert served_rule == after.rule.id
        assert record.startswith(f"# {after.rule.title}\n")
    assert len(reached_by_what_if) > len(rules) // 2


async def test_what_if_we_had_a_data_science_team_and_if_the_data_were_images(
    real_runtime, advisor
):
    convo = Conversation(real_runtime.handler, Channels.webchat, "what-if-words")
    path = [("goal", "ml"), ("ml-kind", "deep"), ("builder", "low-code")]
    turn = await walk(convo, advisor, path)
    assert "Ready-made Azure AI services and AutoML before deep learning" in turn.shown
    turn = await convo.say("what if we had a data science team?")
    shown = turn.shown
    assert "With **data scientists** instead of makers and analysts" in shown
    assert "I'd recommend **Azure Machine Learning on GPU clusters" in shown
    assert "What changes: it adds Hyperparameter tuning and MLflow" in shown
    assert len(images(turn)) == 1
    turn = await convo.say("and if the data were images?")
    shown = turn.shown
    assert "With **analyze documents, speech, text or images** instead of" in shown
    assert "I'd recommend **Azure AI Vision** instead of" in shown
    turn = await convo.say(EXPORT_LABEL)
    rule_id, record = record_of(turn, real_runtime.handler.knowledge.artifacts)
    assert rule_id == "vision-prebuilt"
    assert "> and if the data were images?" in record  # the team's own words
    assert "> what if we had a data science team?" in record


async def test_the_record_quotes_the_teams_own_words_and_says_what_was_assumed(
    real_runtime, advisor
):
    convo = Conversation(real_runtime.handler, Channels.webchat, "own-words")
    await convo.say(START)
    turn = await convo.say(
        "we need to pull totals and dates out of scanned supplier invoices, standard layouts"
    )
    while images(turn) == [] and turn.buttons:
        turn = await convo.say("not sure")
    turn = await convo.say(EXPORT_LABEL)
    _, record = record_of(turn, real_runtime.handler.knowledge.artifacts)
    assert "> we need to pull totals and dates out of scanned supplier invoices" in record
    assert "*(read from our description)*" in record
    assert "Our input is documents and forms." in record


async def test_text_channels_get_the_diagram_as_a_line_and_the_terminal_gets_the_record(
    real_runtime, advisor, paths
):
    path = paths["copilot-low-code"]
    convo = Conversation(real_runtime.handler, "terminal", "terminal-record")
    turn = await walk(convo, advisor, path)
    flow = "Your documents and data → Microsoft Copilot Studio → Users in chat"
    assert f"**Architecture:** {flow}" in turn.text
    assert EXPORT_LABEL in turn.buttons
    turn = await convo.say("adr")
    assert "# Build the copilot in Microsoft Copilot Studio" in turn.text
    assert "## Alternatives Considered" in turn.text
    assert files(turn) == []


async def test_teams_gets_a_download_link_not_a_file_attachment(real_runtime, advisor, paths):
    convo = Conversation(real_runtime.handler, Channels.ms_teams, "teams-record")
    await walk(convo, advisor, paths["raw-storage"])
    turn = await convo.say(EXPORT_LABEL)
    assert files(turn) == []
    [link] = {url for url in turn.links if "/adr/" in url}  # in the text and on a button
    assert link.startswith(
        real_runtime.handler.knowledge.artifacts.base_url + "/adr/raw-storage.md?"
    )


async def test_export_before_any_walkthrough_is_an_ordinary_message(real_runtime):
    convo = Conversation(real_runtime.handler, Channels.webchat, "no-walkthrough")
    turn = await convo.say(EXPORT_LABEL)
    assert files(turn) == []
    assert "/adr/" not in turn.text
