"""Microsoft Teams specifics that are not Teams-only in spirit: what a message really says (the
bot's @mention removed, a card click turned back into words) and the search message extension.

Mentions: in channels and group chats a message reads `<at>ArchBot</at> which ArchBot service …`
with a `mention` entity naming the bot's id. botbuilder's `remove_recipient_mention` leaves a
leading space and deletes the bot's name wherever it appears ("which ArchBot service" loses a
word); `message_text` removes only the mention markup the entity points at, keeps other people's
names as plain words, and tidies the spacing.

Card clicks (`Action.Submit`) arrive as a message with `value` and no text: `message_text`
returns the text the clicked button stands for, so a click is routed exactly like typing it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from botbuilder.core import CardFactory
from botbuilder.schema import Activity, CardAction, ThumbnailCard
from botbuilder.schema.teams import (
    MessagingExtensionAttachment,
    MessagingExtensionQuery,
    MessagingExtensionResponse,
    MessagingExtensionResult,
)

from bot.channels.cards import (
    ACTION_FEEDBACK,
    ACTION_KEY,
    ACTION_SAY,
    CONTENT_TYPE,
    search_result_card,
)
from bot.core.kb import Kind, KnowledgeBase, Topic
from bot.core.router import Router

_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[\s\u00a0\u200b]+")

SEARCH_COMMAND = "searchKnowledge"
"""The message extension's query command id (deploy/teams/manifest.json)."""
QUERY_PARAMETER = "query"
INITIAL_RUN_PARAMETER = "initialRun"
DEFAULT_RESULTS = 10
MAX_RESULTS = 25
SEARCH_MIN_SCORE = 0.3
SEARCH_RELATIVE_SCORE = 0.4
"""A search result scores at least this, and this share of the best result's score."""
_SEARCHABLE = frozenset(Kind) - {Kind.SMALLTALK, Kind.ACTION}


# -- what a message says ---------------------------------------------------------------------


@dataclass(frozen=True)
class MentionInfo:
    """A mention entity's parts."""

    id: str
    name: str
    text: str


def _get(entity: Any, key: str) -> Any:
    if isinstance(entity, dict):
        return entity.get(key)
    value = getattr(entity, key, None)
    if value is None:
        value = (getattr(entity, "additional_properties", None) or {}).get(key)
    return value


def mentions(activity: Activity) -> list[MentionInfo]:
    """The mention entities of an activity, whatever form they were deserialized in."""
    found = []
    for entity in activity.entities or []:
        if str(_get(entity, "type") or "").lower() != "mention":
            continue
        mentioned = _get(entity, "mentioned") or {}
        found.append(
            MentionInfo(
                id=str(_get(mentioned, "id") or ""),
                name=str(_get(mentioned, "name") or ""),
                text=str(_get(entity, "text") or ""),
            )
        )
    return found


def strip_bot_mention(activity: Activity) -> str:
    """The message's text without the bot's own @mention markup, other mentions as plain names,
    HTML entities decoded and spacing collapsed."""
    text = activity.text or ""
    bot = activity.recipient
    bot_id = bot.id if bot else None
    bot_name = (bot.name or "") if bot else ""
    markups = {m.text for m in mentions(activity) if m.text and bot_id and m.id == bot_id}
    for markup in sorted(markups, key=len, reverse=True):
        text = text.replace(markup, " ")
    if bot_name:  # a channel that sends the markup without an entity
        text = re.sub(rf"<at>\s*{re.escape(bot_name)}\s*</at>", " ", text, flags=re.IGNORECASE)
    text = _AT_TAG.sub(lambda m: m.group(1), text)
    return _SPACES.sub(" ", html.unescape(text)).strip()


def clicked_text(value: Any) -> str:
    """The words a card click stands for (an ArchBot `say` button, or Teams' own imBack /
    messageBack data); "" when the click carries none."""
    if not isinstance(value, dict):
        return value.strip() if isinstance(value, str) else ""
    if value.get(ACTION_KEY) == ACTION_FEEDBACK:
        return ""
    text = value.get("text") if value.get(ACTION_KEY, ACTION_SAY) == ACTION_SAY else None
    msteams = value.get("msteams")
    if not text and isinstance(msteams, dict):
        text = msteams.get("text") or msteams.get("value")
    return text.strip() if isinstance(text, str) else ""


def message_text(activity: Activity) -> str:
    """What the user said: typed text without the bot's mention, else the clicked button's."""
    text = strip_bot_mention(activity)
    return text or clicked_text(activity.value)


@dataclass(frozen=True)
class FeedbackClick:
    """A 👍 / 👎 click on an answer."""

    topic: str
    helpful: bool


def feedback_click(value: Any) -> FeedbackClick | None:
    """The rating a card click carries, if it is one."""
    if not isinstance(value, dict) or value.get(ACTION_KEY) != ACTION_FEEDBACK:
        return None
    topic, vote = value.get("topic"), value.get("vote")
    if not isinstance(topic, str) or not topic or vote not in ("up", "down"):
        return None
    return FeedbackClick(topic[:200], vote == "up")


# -- the search message extension ------------------------------------------------------------


class KnowledgeSearch:
    """Searches the knowledge base's topics for the compose box: the router's own ranking
    (typos, abbreviations, synonyms), topped up by names containing the query for short
    prefixes the router cannot use yet ("doc" while typing "document")."""

    def __init__(self, kb: KnowledgeBase, router: Router) -> None:
        self.kb = kb
        self.router = router
        self._topics = [t for t in kb.topics.values() if t.kind in _SEARCHABLE]

    def featured(self) -> list[Topic]:
        """What the extension shows before anything is typed: the help topic's examples first."""
        help_topic = self.kb.topics.get("help")
        first = [self.kb.topics[r] for r in (help_topic.related if help_topic else ())]
        rest = [t for t in self._topics if t not in first]
        return [t for t in first if t.kind in _SEARCHABLE] + rest

    def search(self, query: str, limit: int = DEFAULT_RESULTS) -> list[Topic]:
        """Topics for a query, best first."""
        query = " ".join(query.split())
        if not query:
            return self.featured()[:limit]
        found: list[Topic] = []
        matches = self.router.rank(query, limit=limit * 2)
        cutoff = max(SEARCH_MIN_SCORE, SEARCH_RELATIVE_SCORE * matches[0].score) if matches else 1
        for match in matches:
            topic = match.intent.topic
            if match.score >= cutoff and topic.kind in _SEARCHABLE and topic not in found:
                found.append(topic)
        needle = query.casefold()
        for topic in self._topics:
            names = (topic.title, *topic.aliases)
            if topic not in found and any(needle in n.casefold() for n in names):
                found.append(topic)
        return found[:limit]

    def topic(self, topic_id: str) -> Topic | None:
        topic = self.kb.topics.get(topic_id)
        return topic if topic in self._topics else None


def _query_parameters(query: MessagingExtensionQuery) -> dict[str, str]:
    values = {}
    for parameter in query.parameters or []:
        name = _get(parameter, "name")
        if name:
            values[str(name)] = str(_get(parameter, "value") or "")
    return values


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def _result(topic: Topic) -> MessagingExtensionAttachment:
    preview = CardFactory.thumbnail_card(
        ThumbnailCard(
            title=topic.title,
            text=_first_sentence(topic.summary),
            tap=CardAction(type="invoke", value={"topic": topic.id}),
        )
    )
    return MessagingExtensionAttachment(
        content_type=CONTENT_TYPE, content=search_result_card(topic), preview=preview
    )


def query_response(
    search: KnowledgeSearch, query: MessagingExtensionQuery
) -> MessagingExtensionResponse:
    """The answer to `composeExtension/query`: matching topics as a list of cards."""
    parameters = _query_parameters(query)
    text = (
        ""
        if parameters.get(INITIAL_RUN_PARAMETER) == "true"
        else parameters.get(QUERY_PARAMETER, next(iter(parameters.values()), ""))
    )
    options = query.query_options
    skip = max(int(_get(options, "skip") or 0), 0) if options else 0
    count = int(_get(options, "count") or DEFAULT_RESULTS) if options else DEFAULT_RESULTS
    count = min(max(count, 1), MAX_RESULTS)
    topics = search.search(text, limit=skip + count)[skip:]
    if not topics:
        result = MessagingExtensionResult(
            type="message",
            text="Nothing in ArchBot's knowledge base matches that yet. Try other words, "
            "or ask ArchBot in a chat.",
        )
    else:
        result = MessagingExtensionResult(
            type="result", attachment_layout="list", attachments=[_result(t) for t in topics]
        )
    return MessagingExtensionResponse(compose_extension=result)


def select_item_response(search: KnowledgeSearch, value: Any) -> MessagingExtensionResponse:
    """The answer to `composeExtension/selectItem`: the chosen topic's card."""
    topic_id = value.get("topic") if isinstance(value, dict) else None
    topic = search.topic(topic_id) if isinstance(topic_id, str) else None
    if topic is None:
        result = MessagingExtensionResult(type="message", text="That topic is no longer there.")
    else:
        result = MessagingExtensionResult(
            type="result", attachment_layout="list", attachments=[_result(topic)]
        )
    return MessagingExtensionResponse(compose_extension=result)
