"""The items a text lists, which "the second one" counts over (plain Python, no bot)."""

from __future__ import annotations

import pytest

from bot.core.context import Focus
from bot.core.context.listing import enumeration, users_list


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (
            "Phi-3 has three versions: mini with 3.8 billion parameters, small with 7 billion "
            "and medium with 14 billion.",
            ("mini with 3.8 billion parameters", "small with 7 billion", "medium with 14 billion"),
        ),
        (
            "Python and R are two of the most popular languages for AI work today. Python is "
            "readable and has a huge ML ecosystem (scikit-learn, PyTorch, TensorFlow).",
            ("Python", "R"),
        ),
        (
            "scikit-learn for classic ML, PyTorch for deep learning, computer vision and NLP, "
            "and TensorFlow for neural networks are the common choices; all run in Azure.",
            (
                "scikit-learn for classic ML",
                "PyTorch for deep learning",
                "computer vision and NLP",
                "TensorFlow for neural networks",
            ),
        ),
        (
            "Five worth knowing: Volkswagen for translation, Kry for healthcare, and "
            "C.H. Robinson for logistics. The site has many more.",
            ("Volkswagen for translation", "Kry for healthcare", "C.H. Robinson for logistics"),
        ),
        (
            "It combines Apache Spark, Delta Lake for ACID transactions and consistent writes, "
            "and default libraries for Java/Scala, Python and R.",
            (
                "Apache Spark",
                "Delta Lake for ACID transactions and consistent writes",
                "default libraries for Java/Scala, Python and R",
            ),
        ),
        (  # the last item follows the last "and": one before it joins words of an item
            "Three pieces for code-first ML: data pipelines (ingest, build feature tables), model "
            "and feature serving endpoints (ready at once) and monitoring (of data and models).",
            ("data pipelines", "model and feature serving endpoints", "monitoring"),
        ),
        ("Azure Machine Learning trains and deploys models you build yourself.", ()),
        (
            "Medium, at 14 billion, sits just over it, even though the whole family is pitched "
            "as small and efficient.",
            (),
        ),
    ],
)
def test_the_longest_list_a_text_makes_gives_the_items(text, items):
    assert enumeration(text) == items


def test_a_user_lists_things_when_naming_three_or_more():
    assert users_list("options are use copilot, build in copilot studio, or build on aoai") == (
        "use copilot",
        "build in copilot studio",
        "build on aoai",
    )
    assert users_list("data cleaning and feature engineering in fabric?") == ()


def test_a_users_list_leaves_out_the_verb_before_it_and_the_aside_after_a_dash():
    said = "we're weighing prompt flow, copilot studio and foundry - opinions on each?"
    assert users_list(said) == ("prompt flow", "copilot studio", "foundry")


def test_the_list_and_the_users_words_are_kept_in_conversation_state():
    focus = Focus(
        topic="phi-models",
        listing=("mini", "small", "medium"),
        recent=("phi-models",),
        said=(("phi-models", "something small for our edge boxes"),),
        told="our helpdesk gets about 3k tickets a week",
    )
    assert Focus.from_state(focus.to_state()) == focus
    assert focus.said_about("phi-models") == "something small for our edge boxes"
    assert Focus.from_state({"said": [["x"], "y", [1, 2]]}).said == ()  # malformed: dropped
    assert Focus.from_state({"told": ["x"]}).told == ""
