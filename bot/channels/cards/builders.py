"""Adaptive Card builders: plain `Reply` data in, card JSON (dicts) out.

Layouts by reply kind:

* answer: title, the short answer, "Use it when" / "Look elsewhere when" bullets, detail, related
  topics as buttons, a "Learn more" link, 👍 Helpful / 👎 Not helpful (not in Teams, which has
  its own feedback buttons: bot/channels/teams_ai.py).
* comparison: two columns side by side (summary and when to pick each), both links, 👍 / 👎.
* recommendation: the memo's why, its architecture diagram (an Image), its sections, the
  reference link, next topics, "Export decision record" and "start again" buttons, 👍 / 👎.
* walkthrough question, "did you mean", welcome, help, "I don't know": the text, then one
  full-width button per choice (labels are long; stacked buttons stay readable on a phone).

Text from the knowledge base is markdown (TextBlock renders Teams' markdown subset). Text that
came from a user goes through `plain_text`: a RichTextBlock whose TextRun never interprets
markdown, so nothing a user types can become a link, emphasis or a list in a card.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.kb import Link, Topic
from bot.core.labels import LABEL_LIMIT, derived_label
from bot.core.replies import Reply, ReplyKind, Section, topic_reply

CARD_VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"

ACTION_KEY = "archbot"
"""The key in an Action.Submit's data that says what the click means."""
ACTION_SAY = "say"
"""`{"archbot": "say", "text": ...}`: handle the click as if the user typed `text`."""
ACTION_FEEDBACK = "feedback"
"""`{"archbot": "feedback", "topic": ..., "vote": "up" | "down"}`: a rating of an answer."""
VOTE_UP = "up"
VOTE_DOWN = "down"

MAX_PLAIN_TEXT = 500
MAX_RELATED_BUTTONS = 3
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")

Card = dict[str, Any]
Element = dict[str, Any]


# -- text ------------------------------------------------------------------------------------


MORE_DETAILS = "More details"
LEARN_MORE = "Learn more"
"""A link button's title when the page's own is too long for a button."""
OPEN_IMAGE = "Open the diagram"
DETAILS_ID = "details"


def clean(text: str) -> str:
    """Text without control characters (JSON encoding itself is left to the serializer)."""
    return _CONTROL.sub("", text or "")


def escape_markdown(text: str) -> str:
    """User text made inert for a markdown TextBlock: every markdown character backslashed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", clean(text))


def text_block(text: str, **props: Any) -> Element:
    """A wrapping TextBlock of (knowledge base) markdown."""
    return {"type": "TextBlock", "text": clean(text), "wrap": True, **props}


def plain_text(text: str, *, limit: int = MAX_PLAIN_TEXT, **props: Any) -> Element:
    """User text shown verbatim: a TextRun is never read as markdown."""
    text = " ".join(clean(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **props}]}


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(f"- {clean(item)}" for item in items)


# -- actions ---------------------------------------------------------------------------------


def say_data(text: str) -> dict[str, Any]:
    """Data of a button that sends `text` as if typed: `{"archbot": "say", "text": ...}`.

    Every host posts an Action.Submit's object data as the message's `value` (no text), in every
    Teams scope, channels included, without an @mention; `bot.channels.teams.clicked_text` reads
    it back. No `msteams` (messageBack / imBack) here: the Microsoft 365 Agents Playground
    0.2.28 throws on any Action.Submit whose data has one ("Cannot add property msTeams, object
    is not extensible", its card data is frozen), so such a button sends nothing there.
    """
    return {ACTION_KEY: ACTION_SAY, "text": text}


def feedback_data(topic: str, vote: str) -> dict[str, Any]:
    """Data of a 👍 / 👎 button: the rated topic id and the vote, nothing about the user."""
    return {ACTION_KEY: ACTION_FEEDBACK, "topic": topic, "vote": vote}


def say_action(text: str, label: str | None = None) -> Element:
    """A button showing `label` (default: `text`) whose click says `text`."""
    return {"type": "Action.Submit", "title": clean(label or text), "data": say_data(text)}


def link_label(title: str, limit: int | None = LABEL_LIMIT) -> str:
    """A link button's title: the page's title, or a shorter form of it that keeps its
    meaning, else "Learn more" (bot/core/labels.py)."""
    if limit is None:
        return title
    return derived_label(title, limit) or LEARN_MORE


def open_url(
    link: Link, title: str | None = None, limit: int | None = LABEL_LIMIT
) -> Element | None:
    if not link.url.startswith(("https://", "http://")):
        return None
    label = title or link_label(link.title, limit)
    return {"type": "Action.OpenUrl", "title": clean(label), "url": link.url}


def _stacked_buttons(reply: Reply, texts: tuple[str, ...], limit: int | None) -> list[Element]:
    """One ActionSet per button: full-width buttons stacked vertically."""
    return [
        {"type": "ActionSet", "actions": [say_action(text, reply.label(text, limit))]}
        for text in texts
    ]


FEEDBACK_LABELS = {VOTE_UP: "👍 Helpful", VOTE_DOWN: "👎 Not helpful"}
"""Words beside the emoji: readable where no emoji font is installed (headless browsers, some
desktops show the emoji as an empty box)."""


def _feedback(topic: str) -> list[Element]:
    return [
        text_block("Was this helpful?", isSubtle=True, size="Small", spacing="Medium"),
        {
            "type": "ActionSet",
            "actions": [
                {"type": "Action.Submit", "title": label, "data": feedback_data(topic, vote)}
                for vote, label in FEEDBACK_LABELS.items()
            ],
        },
    ]


# -- body parts ------------------------------------------------------------------------------


def _title(text: str) -> Element:
    return text_block(text, size="Large", weight="Bolder", style="heading")


def _section(section: Section) -> list[Element]:
    elements: list[Element] = []
    if section.heading:
        elements.append(text_block(section.heading, weight="Bolder", spacing="Medium"))
    if section.items:
        spacing = {"spacing": "Small"} if section.heading else {"spacing": "Medium"}
        elements.append(text_block(_bullets(section.items), **spacing))
    if section.text:
        elements.append(text_block(section.text, spacing="Small" if section.heading else "Medium"))
    return elements


def _image(image: Link) -> Element:
    """A picture (the recommendation's diagram); clicking one served over http(s) opens it."""
    element: Element = {
        "type": "Image",
        "url": image.url,
        "altText": clean(image.title),
        "spacing": "Medium",
    }
    if image.url.startswith(("https://", "http://")):
        element["selectAction"] = {"type": "Action.OpenUrl", "title": OPEN_IMAGE, "url": image.url}
    return element


def _columns(reply: Reply) -> Element:
    columns = []
    for column in reply.columns:
        items = [
            text_block(column.title, weight="Bolder", size="Medium"),
            text_block(column.summary),
        ]
        if column.items:
            items.append(text_block("Pick it when", weight="Bolder", spacing="Medium"))
            items.append(text_block(_bullets(column.items), spacing="Small"))
        columns.append({"type": "Column", "width": "stretch", "items": items})
    return {"type": "ColumnSet", "columns": columns, "spacing": "Medium"}


def _card(body: list[Element], actions: list[Element], fallback: str, **extra: Any) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA_URL,
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    if fallback:
        card["fallbackText"] = clean(fallback)
    card.update(extra)
    return card


# -- cards -----------------------------------------------------------------------------------


def build_card(
    reply: Reply,
    *,
    interactive: bool = True,
    rate_buttons: bool = True,
    label_limit: int | None = LABEL_LIMIT,
) -> Card:
    """The Adaptive Card for a reply. `interactive=False` leaves out everything that talks back
    to the bot (buttons that send messages, 👍 / 👎): for a card a user inserts into a
    conversation the bot may not be part of (the message extension). `rate_buttons=False`
    leaves out only 👍 / 👎 (Teams rates a message with its own feedback buttons). Buttons show
    labels of at most `label_limit` characters (None: whole) and send their full text."""
    body: list[Element] = [text_block(note) for note in reply.notes]
    if reply.title:
        body.append(_title(reply.title))
    if reply.summary:
        body.append(text_block(reply.summary))
    if reply.image is not None:
        body.append(_image(reply.image))
    for section in reply.sections:
        if not section.collapsed:
            body.extend(_section(section))
    hidden = [e for s in reply.sections if s.collapsed for e in _section(s)]
    if hidden:  # notes and next steps behind a toggle: the decision and the why come first
        body.append(
            {
                "type": "ActionSet",
                "actions": [
                    {
                        "type": "Action.ToggleVisibility",
                        "title": MORE_DETAILS,
                        "targetElements": [DETAILS_ID],
                    }
                ],
            }
        )
        body.append({"type": "Container", "id": DETAILS_ID, "isVisible": False, "items": hidden})
    extra: dict[str, Any] = {}
    if reply.columns:
        body.append(_columns(reply))
        extra["msteams"] = {"width": "Full"}
    if not body:  # a reply with no structure: its markdown text is the card
        body.append(text_block(reply.text))

    links = (open_url(link, limit=label_limit) for link in reply.links)
    actions = [a for a in links if a is not None]
    if interactive:
        if reply.kind is ReplyKind.QUESTION:
            body.append(text_block("Pick one, or type your answer.", isSubtle=True, size="Small"))
        body.extend(_stacked_buttons(reply, reply.suggestions, label_limit))
        related = [r for r in reply.related if r not in reply.suggestions][:MAX_RELATED_BUTTONS]
        if reply.title in related:  # a question's answer: its topic's overview, one click away
            label = f"More on {reply.label(reply.title, label_limit)}"
            body.append({"type": "ActionSet", "actions": [say_action(reply.title, label)]})
            related.remove(reply.title)
        if related:
            body.append(text_block("Related", weight="Bolder", spacing="Medium"))
            buttons = [say_action(r, reply.label(r, label_limit)) for r in related]
            body.append({"type": "ActionSet", "actions": buttons})
        if reply.rateable and rate_buttons:
            if actions:  # the page to read sits with the answer, above "Was this helpful?"
                body.append({"type": "ActionSet", "actions": actions, "spacing": "Medium"})
                actions = []
            body.extend(_feedback(reply.topic or ""))
    return _card(body, actions, reply.text, **extra)


def topic_card(topic: Topic, *, interactive: bool = True) -> Card:
    """A topic's answer card (the message extension inserts these)."""
    return build_card(topic_reply(topic), interactive=interactive)


def search_result_card(topic: Topic) -> Card:
    """The card a message-extension search inserts: the topic's answer, links only."""
    return topic_card(topic, interactive=False)
