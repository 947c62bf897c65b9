"""Turns plain replies into Bot Framework activities (the only place that knows their shape).

A channel that renders Adaptive Cards gets a card built from the reply's structure; any other
channel gets the markdown text with the reply's buttons as suggested actions. Which channels get
cards is the `Presenter`'s choice (`ARCHBOT_CARD_CHANNELS`, default: Microsoft Teams, the Bot
Framework Emulator and Web Chat / Direct Line).

`to_activity(reply, context)` renders for the turn's channel with the presenter the handler put
in the turn state (text when there is none, as in a dialog tested on its own).

In Teams an answer is also a Teams AI message (bot/channels/teams_ai.py): Teams' own feedback
buttons instead of the card's, the "AI generated" label and citations of the pages behind it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import (
    ActionTypes,
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    SuggestedActions,
    TextFormatTypes,
)
from botframework.connector import Channels

from bot.channels.cards import build_card
from bot.channels.teams_ai import mark_answer
from bot.core.labels import LABEL_LIMIT
from bot.core.replies import Reply, ReplyKind

PRESENTER_KEY = "archbot.presenter"
UNANSWERED_KEY = "archbot.unanswered"
FILE_CONTENT_TYPE = "text/markdown"
"""The type of the files replies carry (decision records)."""
"""Turn-state flag: this turn answered "I don't know" (the handler logs the question)."""
CARD_CHANNELS_ENV = "ARCHBOT_CARD_CHANNELS"
DEFAULT_CARD_CHANNELS = frozenset(
    {Channels.ms_teams, Channels.emulator, Channels.webchat, Channels.direct_line}
)
"""Channels that get Adaptive Cards unless ARCHBOT_CARD_CHANNELS says otherwise: every channel
that renders them (Teams, the Bot Framework Emulator, Web Chat and Direct Line clients)."""


def card_channels_from_env(environ: dict[str, str] | None = None) -> frozenset[str]:
    """The channels named by ARCHBOT_CARD_CHANNELS (comma-separated; "none" for none)."""
    env = os.environ if environ is None else environ
    raw = env.get(CARD_CHANNELS_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_CARD_CHANNELS
    names = {name.strip().lower() for name in raw.split(",") if name.strip()}
    return frozenset(names - {"none"})


FULL_LABEL_CHANNELS = frozenset({"terminal"})
"""Channels whose buttons show the whole text they send: the terminal lists them numbered,
wrapped to the window. Every other channel gets labels of at most `LABEL_LIMIT` characters
(bot/core/labels.py): Teams never wraps a button's title (a card's or a suggested action's) and
cuts it at the edge, so does the Agents Playground and the Emulator's Web Chat, and a Direct
Line client may too (ArchBot's own page wraps them; web/css/archbot.css)."""


def label_limit(channel_id: str | None) -> int | None:
    """The most characters a button label has on this channel (None: no limit)."""
    return None if (channel_id or "").lower() in FULL_LABEL_CHANNELS else LABEL_LIMIT


def _fill_text(activity: Activity, reply: Reply, limit: int | None = LABEL_LIMIT) -> Activity:
    activity.text = reply.text
    activity.text_format = TextFormatTypes.markdown
    activity.attachments = None
    activity.suggested_actions = None
    if reply.suggestions:  # imBack: the channel sends `value` (the full text) as the message
        activity.suggested_actions = SuggestedActions(
            actions=[
                CardAction(type=ActionTypes.im_back, title=reply.label(s, limit), value=s)
                for s in reply.suggestions
            ]
        )
    return activity


def _fill_card(
    activity: Activity,
    reply: Reply,
    *,
    rate_buttons: bool = True,
    limit: int | None = LABEL_LIMIT,
) -> Activity:
    activity.text = None
    activity.text_format = None
    activity.suggested_actions = None
    card = build_card(reply, rate_buttons=rate_buttons, label_limit=limit)
    activity.attachments = [CardFactory.adaptive_card(card)]
    activity.summary = reply.title or None
    return activity


def text_activity(reply: Reply) -> Activity:
    """A markdown message, with the reply's suggestions as suggested-action buttons."""
    return _fill_text(MessageFactory.text(reply.text), reply)


def wants_card(reply: Reply) -> bool:
    """True when a card shows the reply better than text: anything but a plain message."""
    return reply.kind is not ReplyKind.TEXT or bool(reply.suggestions)


class Presenter:
    """Renders replies per channel and notices unanswered questions."""

    def __init__(self, card_channels: Iterable[str] = DEFAULT_CARD_CHANNELS) -> None:
        self.card_channels = frozenset(c.lower() for c in card_channels)

    def renders_cards(self, channel_id: str | None) -> bool:
        """True when this channel gets Adaptive Cards."""
        return (channel_id or "").lower() in self.card_channels

    def fill(self, activity: Activity, reply: Reply, context: TurnContext) -> Activity:
        """Make `activity` show `reply` on the turn's channel (in place)."""
        if reply.kind is ReplyKind.UNKNOWN:
            context.turn_state[UNANSWERED_KEY] = True
        teams_answer = reply.rateable and context.activity.channel_id == Channels.ms_teams
        limit = label_limit(context.activity.channel_id)
        if wants_card(reply) and self.renders_cards(context.activity.channel_id):
            # Teams rates answers with its own feedback buttons, not the card's
            _fill_card(activity, reply, rate_buttons=not teams_answer, limit=limit)
        else:
            _fill_text(activity, reply, limit)
        self._attach_file(activity, reply, context.activity.channel_id)
        return mark_answer(activity, reply) if teams_answer else activity

    @staticmethod
    def _attach_file(activity: Activity, reply: Reply, channel_id: str | None) -> Activity:
        """A reply's file as an attachment the client offers for download (Web Chat, the
        Emulator). Not in Teams, which takes files from bots only through OneDrive consent:
        there the card's link downloads it."""
        if reply.file is None or channel_id == Channels.ms_teams:
            return activity
        file = Attachment(
            content_type=FILE_CONTENT_TYPE, content_url=reply.file.url, name=reply.file.title
        )
        activity.attachments = [*(activity.attachments or []), file]
        return activity

    def activity(self, reply: Reply, context: TurnContext) -> Activity:
        """A new message activity showing `reply` on the turn's channel."""
        return self.fill(Activity(type=ActivityTypes.message), reply, context)

    def attach(self, context: TurnContext) -> None:
        """Serve this turn: `to_activity` renders its replies for the turn's channel."""
        context.turn_state[PRESENTER_KEY] = self


def to_activity(reply: Reply, context: TurnContext) -> Activity:
    """The activity showing a reply on the turn's channel (text when no presenter serves it)."""
    presenter = context.turn_state.get(PRESENTER_KEY)
    if presenter is not None:
        return presenter.activity(reply, context)
    return text_activity(reply)
