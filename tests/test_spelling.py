"""Misspelt words put right against the knowledge base's words, and only those."""

from __future__ import annotations

import pytest

from bot.core.spelling import Speller

KNOWLEDGE_WORDS = ["databricks", "speech", "custom", "hyperparameters", "compute", "staff", "level"]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(KNOWLEDGE_WORDS)


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("what is azure databriks", "what is azure databricks"),  # a letter left out
        ("custom speeh", "custom speech"),
        ("hyyperparameters explained", "hyperparameters explained"),  # one doubled
        ("Databircks pricing", "databricks pricing"),  # two neighbours swapped
    ],
)
def test_a_misspelt_knowledge_word_is_put_right(speller, said, meant):
    assert speller.correct(said) == meant


@pytest.mark.parametrize(
    "said",
    [
        "my commute is long",  # an English word one edit from "compute"
        "all that stuff",  # ... from "staff"
        "pull the lever",  # ... from "level"
        "doesn't it",  # apostrophes: one word, not "does"
        "kubernetes",  # nothing in the knowledge is this close
    ],
)
def test_english_words_and_unknown_products_are_left_alone(speller, said):
    assert speller.correct(said) == said


def test_a_tie_between_two_knowledge_words_leaves_the_word_alone():
    speller = Speller(["models", "modals"], english=frozenset({"unused"}))
    assert speller.correct("modxls") == "modxls"
