"""The normalizer: what a message is reduced to before routing."""

import pytest

from bot.core.kb import Vocabulary
from bot.core.text import Normalizer, strip_mentions, without_emphasis

VOCABULARY = Vocabulary(
    abbreviations={"aml": "azure machine learning", "doc intel": "document intelligence"},
    synonyms={"transcribing": "transcription"},
    stopwords=frozenset({"what", "is", "the", "can", "you", "do"}),
)
normalizer = Normalizer(VOCABULARY)


def test_teams_mention_is_removed_wherever_it_stands():
    assert strip_mentions("<at>ArchBot</at> what is AML?") == "what is AML?"
    assert strip_mentions("which <at>Arch Bot</at> service") == "which service"


def test_the_bot_name_in_plain_text_is_kept():
    assert strip_mentions("which ArchBot service") == "which ArchBot service"


def test_html_entities_are_unescaped():
    assert strip_mentions("Fabric &amp; OneLake") == "Fabric & OneLake"


def test_case_punctuation_emoji_and_whitespace_fold_away():
    assert normalizer.normalize("  Prompt   FLOW?!! 🚀 ").words == ("prompt", "flow")


def test_apostrophes_join_words():
    assert normalizer.normalize("what's doctors' dictation").words == (
        "whats",
        "doctors",
        "dictation",
    )


def test_abbreviations_expand_as_whole_words_longest_first():
    assert normalizer.normalize("doc intel vs aml").words == (
        "document",
        "intelligence",
        "vs",
        "azure",
        "machine",
        "learning",
    )
    assert normalizer.normalize("amlx").words == ("amlx",)


def test_synonyms_map_to_one_canonical_word():
    assert "transcription" in normalizer.normalize("transcribing audio").words


def test_terms_drop_stopwords_and_stem():
    assert normalizer.normalize("what is the model training").terms == ("model", "train")


def test_a_message_of_only_stopwords_keeps_its_words():
    assert normalizer.normalize("what can you do").terms == ("what", "can", "you", "do")


def test_nothing_to_match_gives_no_terms():
    assert normalizer.normalize("--- ... ---").terms == ()


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("when *would* it make sense?", "when would it make sense?"),
        ("**not** for images, ~~sadly~~ gladly", "not for images, sadly gladly"),
        ("AUC_weighted or _that_ one", "AUC_weighted or that one"),  # inside a word: kept
        ("2*3*4 and a * b", "2*3*4 and a * b"),
    ],
)
def test_markdown_emphasis_around_words_is_dropped(typed, read):
    assert without_emphasis(typed) == read
