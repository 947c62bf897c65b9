"""Talk to the whole bot like a user, offline: `turn = await convo.say("hi")`, then look at it.

Built on botbuilder's TestAdapter, so every turn runs the real handler, dialogs, recognizer and
state, exactly as over HTTP, without a server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botbuilder.core import Bot
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
)
from botframework.connector import Channels

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
USER = ChannelAccount(id="user-1", name="Dana")


def cards(activity: Activity) -> list[dict[str, Any]]:
    """The Adaptive Cards attached to an activity."""
    return [a.content for a in activity.attachments or [] if a.content_type == ADAPTIVE_CARD]


def card_elements(node: Any) -> Iterator[dict[str, Any]]:
    """Every element and action of a card, in document order (not its fallbackText, which only
    a host without cards shows)."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key != "fallbackText":
                yield from card_elements(value)
    elif isinstance(node, list):
        for value in node:
            yield from card_elements(value)


def say_clicks(card: Any) -> dict[str, str]:
    """What each of a card's say buttons sends, by its title."""
    return {
        e["title"]: e["data"]["text"]
        for e in card_elements(card)
        if isinstance(e.get("data"), dict) and e["data"].get("archbot") == "say"
    }


def say_buttons(card: Any) -> list[str]:
    """Titles of a card's buttons that send a message (Action.Submit with `archbot: say`)."""
    return [
        e["title"]
        for e in card_elements(card)
        if isinstance(e.get("data"), dict) and e["data"].get("archbot") == "say"
    ]


def card_paragraphs(card: Any) -> list[str]:
    """What a card shows as text, in order: its TextBlocks (a heading in markdown bold) and
    TextRuns."""
    found = []
    for element in card_elements(card):
        if element.get("type") == "TextBlock":
            text = element["text"]
            found.append(f"**{text}**" if element.get("style") == "heading" else text)
        elif element.get("type") == "TextRun":
            found.append(element["text"])
    return found


def card_links(card: Any) -> list[str]:
    """The URLs a card's Action.OpenUrl buttons open."""
    return [e["url"] for e in card_elements(card) if e.get("type") == "Action.OpenUrl"]


def shown(message: Activity) -> str:
    """What the user reads in one message: its text, or its cards' paragraphs."""
    parts = [message.text] if message.text else []
    parts.extend(p for card in cards(message) for p in card_paragraphs(card))
    return "\n\n".join(parts)


BOT = ChannelAccount(id="archbot", name="ArchBot")


@dataclass
class Turn:
    """What the bot sent back for one user activity."""

    activities: list[Activity]

    @property
    def messages(self) -> list[Activity]:
        return [a for a in self.activities if a.type == ActivityTypes.message]

    @property
    def text(self) -> str:
        """All message texts of the turn, joined, with any card's content as JSON."""
        parts = []
        for message in self.messages:
            parts.append(message.text or "")
            parts.extend(json.dumps(card, ensure_ascii=False) for card in cards(message))
        return "\n".join(p for p in parts if p)

    @property
    def shown(self) -> str:
        """What the user reads in this turn: each message's text or its cards' paragraphs."""
        return "\n\n".join(p for p in (shown(m) for m in self.messages) if p)

    @property
    def links(self) -> list[str]:
        """The URLs offered in this turn: in what the user reads, and behind card buttons."""
        in_text = re.findall(r"https?://[^\s)\]]+", self.shown)
        return in_text + [url for card in self.cards for url in card_links(card)]

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards sent in this turn."""
        return [card for m in self.messages for card in cards(m)]

    @property
    def buttons(self) -> list[str]:
        """Titles of the suggested actions offered in this turn, or of a card's buttons that
        send a message."""
        suggested = [
            action.title
            for m in self.messages
            if m.suggested_actions
            for action in m.suggested_actions.actions
        ]
        return suggested + [title for card in self.cards for title in say_buttons(card)]

    @property
    def clicks(self) -> dict[str, str]:
        """What clicking each button of this turn sends (the full text), by its title."""
        found = {
            action.title: str(action.value)
            for m in self.messages
            if m.suggested_actions
            for action in m.suggested_actions.actions
        }
        for card in self.cards:
            found.update(say_clicks(card))
        return found

    def trace(self, name: str) -> Any:
        """The value of the trace activity with this name (fails if there is none)."""
        values = [
            a.value for a in self.activities if a.type == ActivityTypes.trace and a.name == name
        ]
        assert values, f"no {name!r} trace in {[a.type for a in self.activities]}"
        return values[0]


class Conversation:
    """One user's conversation with the bot on one channel."""

    def __init__(self, bot: Bot, channel_id: str = Channels.emulator, conversation: str = "c-1"):
        template = Activity(
            channel_id=channel_id,
            service_url="https://connector.invalid",
            from_property=USER,
            recipient=BOT,
            conversation=ConversationAccount(id=conversation),
        )
        self.adapter = TestAdapter(bot.on_turn, template, send_trace_activities=True)

    async def send(self, activity: Activity) -> Turn:
        """Deliver one activity and collect everything the bot sent in reply."""
        self.adapter.activity_buffer.clear()
        await self.adapter.receive_activity(activity)
        return Turn(list(self.adapter.activity_buffer))

    async def say(self, text: str) -> Turn:
        """The user types a message."""
        return await self.send(Activity(type=ActivityTypes.message, text=text))

    async def join(self, *members: ChannelAccount) -> Turn:
        """Members join the conversation (conversationUpdate)."""
        return await self.send(
            Activity(type=ActivityTypes.conversation_update, members_added=list(members))
        )
