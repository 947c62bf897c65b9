"""Turns plain replies into Bot Framework activities (the only place that knows their shape)."""

from __future__ import annotations

from botbuilder.core import MessageFactory
from botbuilder.schema import ActionTypes, Activity, CardAction, TextFormatTypes

from bot.core.replies import Reply


def to_activity(reply: Reply) -> Activity:
    """A markdown message, with the reply's suggestions as suggested-action buttons."""
    if reply.suggestions:
        actions = [
            CardAction(type=ActionTypes.im_back, title=s, value=s) for s in reply.suggestions
        ]
        activity = MessageFactory.suggested_actions(actions, reply.text)
    else:
        activity = MessageFactory.text(reply.text)
    activity.text_format = TextFormatTypes.markdown
    return activity
