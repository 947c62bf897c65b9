"""The feedback store: votes per topic, unanswered questions, where it lives, and its reports."""

from __future__ import annotations

import sqlite3

from bot.operations.cli import main
from bot.state.feedback import (
    MEMORY,
    FeedbackStore,
    feedback_path,
    feedback_report,
    gap_key,
    gaps_report,
)


def test_it_lives_beside_the_state_file_unless_told_otherwise():
    assert feedback_path("sqlite:///var/archbot.sqlite3", {}) == "var/archbot-feedback.sqlite3"
    assert feedback_path("sqlite:////data/state.db", {}) == "/data/state-feedback.db"
    assert feedback_path("memory://", {}) == MEMORY
    assert feedback_path("blob://x", {}) == "var/archbot-feedback.sqlite3"
    env = {"ARCHBOT_FEEDBACK_DB": "/tmp/f.sqlite3"}
    assert feedback_path("sqlite:///var/archbot.sqlite3", env) == "/tmp/f.sqlite3"


def test_votes_are_tallied_per_topic_one_per_voter_and_answer(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    dana = store.vote_key("conv-1", "answer-1", "29:dana", "rag")
    store.record_vote("rag", True, "msteams", dana)
    store.record_vote("rag", False, "msteams", dana)  # changed her mind
    store.record_vote("rag", True, "msteams", store.vote_key("conv-1", "answer-1", "29:lee", "rag"))
    store.record_vote("ai-speech", False, "webchat")  # no key: always counts
    store.record_vote("ai-speech", False, "webchat")
    assert [(t.topic, t.up, t.down) for t in store.tally()] == [
        ("ai-speech", 0, 2),
        ("rag", 1, 1),
    ]
    assert store.vote_key("conv-1", None, "29:dana", "rag") is None
    store.close()


def test_nothing_about_the_user_is_stored(tmp_path):
    path = tmp_path / "f.sqlite3"
    store = FeedbackStore(path)
    store.record_vote("rag", True, "msteams", store.vote_key("conv-9", "a-1", "29:dana", "rag"))
    store.record_gap("<at>ArchBot</at> can you book a meeting room for Dana?")
    store.close()
    dump = "\n".join(sqlite3.connect(path).iterdump())
    assert "29:dana" not in dump and "conv-9" not in dump and "a-1" not in dump
    assert "<at>" not in dump
    assert "can you book a meeting room for Dana?" in dump  # the question's text, only


def test_gaps_group_the_same_question_and_rank_by_count(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    for text in ("What's the weather?", "what's the   WEATHER", "book a room", "  ", ""):
        store.record_gap(text)
    store.record_gap("x" * 2000)
    gaps = store.gaps()
    assert [(g.text, g.count) for g in gaps][:1] == [("what's the WEATHER", 2)]
    assert len(gaps) == 3
    assert max(len(g.text) for g in gaps) == 500
    assert gap_key("What's the weather?") == gap_key("what s the weather")
    assert len(store.gaps(limit=1)) == 1


async def test_the_async_writes_run_off_the_loop(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    await store.vote("rag", True, "msteams")
    await store.gap("unknown thing")
    assert store.tally()[0].up == 1 and store.gaps()[0].text == "unknown thing"


def test_reports_read_well(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    assert feedback_report(store) == "no votes yet"
    assert gaps_report(store) == "no unanswered questions recorded"
    store.record_vote("rag", True, "msteams")
    store.record_gap("book a room")
    assert "rag" in feedback_report(store) and "all topics" in feedback_report(store)
    assert "book a room" in gaps_report(store)


def test_the_cli_prints_the_tally_and_the_gaps(tmp_path, capsys):
    path = tmp_path / "f.sqlite3"
    store = FeedbackStore(path)
    store.record_vote("rag", True, "msteams")
    store.record_vote("rag", False, "msteams")
    store.record_gap("how do I book a room")
    store.close()
    assert main(["kb", "feedback", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "rag" in out and "👍" in out
    assert main(["kb", "gaps", "--db", str(path), "--limit", "5"]) == 0
    assert "how do I book a room" in capsys.readouterr().out


def test_the_cli_finds_the_store_beside_the_state_file(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ARCHBOT_FEEDBACK_DB", raising=False)
    monkeypatch.setenv("ARCHBOT_STORAGE", f"sqlite:///{tmp_path / 'state.sqlite3'}")
    assert main(["kb", "gaps"]) == 0
    assert "no feedback recorded yet" in capsys.readouterr().out
    FeedbackStore(tmp_path / "state-feedback.sqlite3").record_gap("where is it")
    assert main(["kb", "gaps"]) == 0
    assert "where is it" in capsys.readouterr().out
    monkeypatch.setenv("ARCHBOT_STORAGE", "memory://")
    assert main(["kb", "feedback"]) == 0
    assert "not kept" in capsys.readouterr().out
