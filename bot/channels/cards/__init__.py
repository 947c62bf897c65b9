"""Adaptive Cards (version 1.5, the highest Microsoft Teams renders) built from plain replies.

`build_card(reply)` turns a `bot.core.replies.Reply` into card JSON (a dict, never concatenated
strings); `check_card(card)` lists what would stop a 1.5 host from rendering it. Card actions
carry a small `data` object that `bot.handler` routes: `say` (a button that sends its text, like
typing it) and `feedback` (👍 / 👎 on an answer).
"""

from bot.channels.cards.builders import (
    ACTION_FEEDBACK,
    ACTION_KEY,
    ACTION_SAY,
    CARD_VERSION,
    CONTENT_TYPE,
    build_card,
    feedback_data,
    plain_text,
    say_data,
    search_result_card,
    topic_card,
)
from bot.channels.cards.check import check_card

__all__ = [
    "ACTION_FEEDBACK",
    "ACTION_KEY",
    "ACTION_SAY",
    "CARD_VERSION",
    "CONTENT_TYPE",
    "build_card",
    "check_card",
    "feedback_data",
    "plain_text",
    "say_data",
    "search_result_card",
    "topic_card",
]
