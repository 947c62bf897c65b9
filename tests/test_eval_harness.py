"""The evaluation harness (bench/eval.py) scores what it should, on a tiny inline set.

No quality bar here: the harness's figures on the shared sets move with the recognizer. These
tests check the scoring itself: fresh conversations per case, one conversation per dialogue,
declines counted as declines, the walkthrough played as specified (profile typed, then card
clicks that carry data and no text).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from typing import Any

import pytest
import yaml

from .paths import REPO_ROOT

NONSENSE = "jfjfjf kdkdkd ;;;"
OPENER = "help me pick an architecture"


def _load_harness():
    name = "bench_eval"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "bench" / "eval.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


harness = _load_harness()


@pytest.fixture(scope="module")
def bot():
    bot = harness.build_bot()
    yield bot
    bot.runtime.close()


@pytest.fixture
def sent(bot, monkeypatch) -> list[dict[str, Any]]:
    """Every activity the handler receives, as it arrives (before the handler rewrites it)."""
    received: list[dict[str, Any]] = []
    on_turn = bot.runtime.handler.on_turn

    async def spy(context):
        activity = context.activity
        if activity.type == "message":
            received.append(
                {
                    "conversation": activity.conversation.id,
                    "text": activity.text,
                    "value": activity.value,
                }
            )
        await on_turn(context)

    monkeypatch.setattr(bot.runtime.handler, "on_turn", spy)
    return received


def tiny_set(bot) -> dict[str, Any]:
    first = bot.walkthrough.questions[0]
    return {
        "version": 1,
        "cases": [
            {
                "id": "t-def",
                "say": "what is azure machine learning",
                "expect_any": ["machine learning"],
                "kind": "definition",
            },
            {"id": "t-oos", "say": NONSENSE, "kind": "out_of_scope"},
        ],
        "dialogues": [
            {
                "id": "t-dlg",
                "turns": [
                    {"say": NONSENSE, "expect_decline": True},
                    {"say": OPENER},
                    # answers the walkthrough's first question only in the same conversation
                    {"say": first.choices[0].label},
                ],
            }
        ],
        "walkthroughs": [
            {
                "id": "t-wt",
                "opener": OPENER,
                "profile": "We want a chatbot for our employees that answers from our documents.",
                "prefer": ["documents", "developers", "not decided", "nothing special"],
                "expect_any": ["my recommendation"],
            }
        ],
    }


async def test_the_tiny_set_is_scored_turn_by_turn_in_the_right_conversations(bot, sent, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_set(bot)), encoding="utf-8")
    result = await harness.run_set(bot, path)

    # each case in a fresh conversation; a dialogue's turns share one
    case_ids = {c.exchange.conversation for c in result.cases}
    (dialogue,) = result.dialogues
    dialogue_ids = {t.exchange.conversation for t in dialogue.turns}
    assert len(case_ids) == 2 and len(dialogue_ids) == 1
    assert not case_ids & dialogue_ids
    by_conversation = [s["conversation"] for s in sent]
    assert by_conversation.count(dialogue_ids.pop()) == 3

    # a decline is counted as a decline, in a case and in a dialogue turn
    oos = next(c for c in result.cases if c.case["id"] == "t-oos")
    assert oos.exchange.declined and oos.passed
    assert oos.exchange.outcome != "answer"
    first, opener, answer = dialogue.turns
    assert first.exchange.declined and first.passed
    # the dialogue's context is kept: the opener starts the walkthrough, the next message answers
    # its question (typed alone in a fresh conversation, it would be routed as a question)
    assert opener.exchange.asked == bot.walkthrough.questions[0].id and not opener.exchange.declined
    assert answer.exchange.in_walkthrough and answer.exchange.asked != opener.exchange.asked

    # the walkthrough: opener, the profile typed, then clicks (data as value, no text)
    (walkthrough,) = result.walkthroughs
    exchanges = walkthrough.exchanges
    assert walkthrough.started and exchanges[0].asked is not None
    profile = tiny_set(bot)["walkthroughs"][0]["profile"]
    assert exchanges[1].sent == profile and not exchanges[1].clicked
    # then clicks; the profile again only for a question no choice of which fits `prefer`
    typed_again = [e for e in exchanges[2:] if not e.clicked]
    assert all(e.sent == profile for e in typed_again)
    assert len(typed_again) < len(exchanges) - 2
    assert exchanges[-1].recommendation is not None
    assert walkthrough.passed, walkthrough.reason
    assert len({e.conversation for e in exchanges}) == 1
    received = [s for s in sent if s["conversation"] == exchanges[0].conversation]
    clicks = [r for r, e in zip(received, exchanges, strict=True) if e.clicked]
    assert clicks and all(c["text"] is None and isinstance(c["value"], dict) for c in clicks)

    summary = result.summary()
    assert summary["out_of_scope_declined"] == {"passed": 1, "total": 1, "rate": 1.0}
    assert summary["by_kind"]["definition"]["total"] == 1
    assert summary["walkthroughs"]["total"] == 1
    assert summary["dialogues_fully_right"]["total"] == 1
    assert summary["dialogue_turns"]["total"] == 3
    assert summary["messages"] == 2 + 3 + len(exchanges)
    assert summary["errors"] == 0


async def test_a_request_declined_mid_walkthrough_counts_as_a_decline(bot, tmp_path):
    first = bot.walkthrough.questions[0]
    dialogue = {
        "id": "t-aside",
        "turns": [
            {"say": OPENER},
            {"say": "can you book a meeting room for 3pm tmrw", "expect_decline": True},
            {"say": "what is RAG?", "expect_any": ["Retrieval"]},
            {"say": first.choices[0].label},  # the walkthrough was kept
        ],
    }
    path = tmp_path / "aside.yaml"
    path.write_text(yaml.safe_dump({"dialogues": [dialogue]}), encoding="utf-8")
    (result,) = (await harness.run_set(bot, path)).dialogues
    _, declined, asked, answer = (t.exchange for t in result.turns)
    assert result.fully_right
    assert declined.declined and declined.top_intent == "None" and declined.asked is None
    assert not asked.declined and asked.outcome == "answer" and asked.asked == first.id
    assert answer.in_walkthrough and answer.asked != first.id


def _exchange(**fields: Any):
    base = {
        "conversation": "c",
        "sent": "x",
        "clicked": False,
        "shown": "",
        "declined": False,
        "top_intent": "t",
        "outcome": "answer",
    }
    return harness.Exchange(**{**base, **fields})


def test_judging_rules():
    judge = harness.judge
    in_scope = {"kind": "definition", "expect_any": ["Custom Speech", "transcri"]}
    assert judge(in_scope, _exchange(shown="Use CUSTOM speech for that"))
    assert not judge(in_scope, _exchange(shown="nothing relevant"))
    declined = _exchange(shown="custom speech? I don't know", declined=True, outcome="none")
    assert not judge(in_scope, declined)
    assert judge({"kind": "out_of_scope"}, declined)
    assert judge({"say": "x", "expect_decline": True}, declined)
    assert not judge({"kind": "out_of_scope"}, _exchange(shown="an answer"))
    assert judge({"say": "opener, no expectation"}, _exchange())
    assert not judge({"say": "opener, no expectation"}, declined)
    assert not judge(in_scope, _exchange(shown="custom speech", error="boom"))
    # a confident answer whose RecognizerResult has "None" on top is an answer, not a decline
    low = _exchange(shown="Custom Speech", top_intent="None")
    assert low.answered_as_none and judge(in_scope, low)
    assert not judge(in_scope, low, by_top_intent=True)


def test_choices_are_picked_by_the_preferred_words():
    buttons = [
        harness.Button(label, {"archbot": "say", "text": label}, card=True)
        for label in (
            "Tables (predict a number or a category)",
            "Images, audio or text with deep learning (GPUs)",
            "Big data on Spark (distributed training)",
        )
    ]
    assert harness.best_choice(buttons, ["gpu", "hyperparameter"])[0] is buttons[1]
    assert harness.best_choice(buttons, ["spark", "train"])[0] is buttons[2]
    button, score = harness.best_choice(buttons, ["nothing", "fits"])
    assert button is buttons[0] and score == 0


def test_the_command_writes_json_and_reads_folders(tmp_path, capsys):
    folder = tmp_path / "sets"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        yaml.safe_dump({"cases": [{"id": "a", "say": NONSENSE, "kind": "out_of_scope"}]}),
        encoding="utf-8",
    )
    assert harness.set_paths([str(folder)]) == [folder / "a.yaml"]
    out = tmp_path / "out.json"
    assert harness.main([str(folder), "--json", str(out), "--verbose"]) == 0
    assert "out of scope declined" in capsys.readouterr().out
    results = json.loads(out.read_text(encoding="utf-8"))
    (only,) = results["sets"]
    assert only["summary"]["out_of_scope_declined"]["total"] == 1
    assert only["cases"][0]["id"] == "a"

    (folder / "a.yaml").write_text(yaml.safe_dump({"cases": [{"id": "b"}]}), encoding="utf-8")
    assert harness.main([str(folder)]) == 2
