"""Teams' own AI features on ArchBot's answers, instead of hand-made ones (Teams only).

* **The feedback loop.** An answer carries `channelData.feedbackLoopEnabled`: Teams shows its
  own 👍 / 👎 under the message (the card has none) and asks for a comment. The rating comes
  back as an invoke named `message/submitAction` whose value is
  `{"actionName": "feedback", "actionValue": {"reaction": "like" | "dislike", "feedback": ...}}`
  and whose `replyToId` is the rated message; `feedback` is a JSON string
  `{"feedbackText": "..."}` in Teams and the bare comment in the Agents Playground.
* **Citations and the "AI generated" label**: one schema.org `Message` entity with
  `additionalType: ["AIGeneratedContent"]` and a `citation` per link behind the answer; the
  message's text names each source with its in-text marker (`[1]`), which Teams turns into a
  reference the user can open.

Teams does not say which topic a message answered, only its id: `SentAnswers` notes in the
`AnswerLog` (the feedback store), per conversation, which topic each sent answer was about (and
the latest, for a client that sends no `replyToId`, as the Playground 0.2.28 does; in a channel
it also names only the channel, not the thread).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, Entity

from bot.core.kb import KnowledgeBase, Link
from bot.core.replies import Reply
from bot.state.feedback import known_rating

FEEDBACK_INVOKE = "message/submitAction"
FEEDBACK_ACTION = "feedback"
REACTIONS = {"like": True, "dislike": False}
MAX_COMMENT = 1000
FEEDBACK_VALUE_ERROR = {
    "code": "BadArgument",
    "message": "a message/submitAction invoke needs value.actionName 'feedback' and "
    "value.actionValue.reaction 'like' or 'dislike'",
}
"""The 400 answer to a feedback invoke that says no reaction."""
MAX_CITATIONS = 10
"""The Agents Playground accepts at most 10 citations per message."""
MAX_CITATION_NAME = 80
MAX_CITATION_ABSTRACT = 160
"""Teams' limits for a citation's name and abstract."""
MESSAGE_ENTITY_TYPE = "https://schema.org/Message"
THREAD_MARK = ";messageid="
"""A Teams channel thread's conversation id is the channel's, then this, then the post's id."""
AI_GENERATED = "AIGeneratedContent"


class MessageEntity(Entity):
    """The schema.org `Message` entity Teams reads citations and the AI label from.

    botbuilder's `Entity` serializes only `type`; this attribute map adds the JSON-LD fields.
    `topic` is ArchBot's own note of what the message answers: not in the map, so never sent.
    """

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        "type": {"key": "type", "type": "str"},
        "schema_type": {"key": "@type", "type": "str"},
        "context": {"key": "@context", "type": "str"},
        "id": {"key": "@id", "type": "str"},
        "additional_type": {"key": "additionalType", "type": "[str]"},
        "citation": {"key": "citation", "type": "[object]"},
    }

    def __init__(self, *, citation: list[dict[str, Any]], topic: str, **kwargs: Any) -> None:
        super().__init__(type=MESSAGE_ENTITY_TYPE, **kwargs)
        self.schema_type = "Message"
        self.context = "https://schema.org"
        self.id = ""
        self.additional_type = [AI_GENERATED]
        self.citation = citation
        self.topic = topic


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _citation(position: int, link: Link, abstract: str) -> dict[str, Any]:
    return {
        "@type": "Claim",
        "position": position,
        "appearance": {
            "@type": "DigitalDocument",
            "name": _shorten(link.title, MAX_CITATION_NAME),
            "url": link.url,
            "abstract": _shorten(abstract, MAX_CITATION_ABSTRACT),
        },
    }


def _abstract(reply: Reply, link: Link) -> str:
    """What the cited page backs: the column it belongs to, else the reply's short answer."""
    for column in reply.columns:
        if column.link == link:
            return column.summary
    return reply.summary or reply.title or link.title


def _cited_links(reply: Reply) -> list[Link]:
    links = [link for link in reply.links if link.url.startswith(("https://", "http://"))]
    return list(dict.fromkeys(links))[:MAX_CITATIONS]


def mark_answer(activity: Activity, reply: Reply) -> Activity:
    """Make a rateable answer a Teams AI message (in place): the feedback loop, the AI label and
    a citation per link, named in the text with its marker ("Source: … [1]"; after the text of
    a text answer, alone above a card)."""
    links = _cited_links(reply)
    citations = [_citation(n, link, _abstract(reply, link)) for n, link in enumerate(links, 1)]
    if citations:
        names = ", ".join(f"{c['appearance']['name']} [{c['position']}]" for c in citations)
        sources = f"{'Sources' if len(citations) > 1 else 'Source'}: {names}"
        activity.text = f"{activity.text}\n\n{sources}" if activity.text else sources
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    activity.channel_data = {**channel_data, "feedbackLoopEnabled": True}
    entity = MessageEntity(citation=citations, topic=reply.topic or "")
    activity.entities = [*(activity.entities or []), entity]
    return activity


def answered_topic(activity: Activity) -> str | None:
    """The topic a message ArchBot sends answers, if it is a rated answer (sent now, or sent
    again to a retry: bot/state/dedup.py keeps the topic with the entity)."""
    for entity in activity.entities or []:
        topic = getattr(entity, "topic", None)
        if entity.type == MESSAGE_ENTITY_TYPE and isinstance(topic, str) and topic:
            return topic
    return None


# -- the feedback invoke ---------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackLoopVote:
    """A rating from Teams' feedback buttons: liked or not, and what the user wrote."""

    helpful: bool
    comment: str


def _comment(raw: Any) -> str:
    if not isinstance(raw, str):
        return ""
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = raw
    text = parsed.get("feedbackText") if isinstance(parsed, dict) else parsed
    return _shorten(text, MAX_COMMENT) if isinstance(text, str) else ""


def feedback_loop_vote(value: Any) -> FeedbackLoopVote | None:
    """The rating a `message/submitAction` invoke carries; None when it is not a well-formed
    feedback action."""
    if not isinstance(value, dict) or value.get("actionName") != FEEDBACK_ACTION:
        return None
    action = value.get("actionValue")
    reaction = action.get("reaction") if isinstance(action, dict) else None
    if reaction not in REACTIONS:
        return None
    return FeedbackLoopVote(REACTIONS[reaction], _comment(action.get("feedback")))


# -- which message answered what -------------------------------------------------------------


class AnswerLog(Protocol):
    """Where ratings and the topic of each sent answer are kept (bot.state.feedback)."""

    async def remember_answer(self, conversation: str, message: str, topic: str) -> None: ...

    async def answered(self, conversation: str, message: str | None) -> tuple[str, str] | None:
        """(topic, message id) of an answer, or of the latest when `message` is None."""

    def vote_key(self, *parts: str | None) -> str | None: ...

    async def vote(
        self, topic: str, helpful: bool, channel: str, key: str | None = None, comment: str = ""
    ) -> None: ...


async def record_feedback(
    activity: Activity, vote: FeedbackLoopVote, log: AnswerLog, kb: KnowledgeBase
) -> bool:
    """Store the rating of a `message/submitAction` invoke, with its comment, for the topic of
    the message it rates (one per person per message: a second rating replaces the first).
    False when it rates nothing ArchBot sent."""
    conversation = activity.conversation.id if activity.conversation else None
    if not conversation:
        return False
    answered = await log.answered(conversation, activity.reply_to_id or None)
    if answered is None or not known_rating(answered[0], kb):
        return False
    topic, message = answered
    user = activity.from_property.id if activity.from_property else None
    key = log.vote_key(conversation, message, user, topic)
    await log.vote(topic, vote.helpful, activity.channel_id or "", key, vote.comment)
    return True


class SentAnswers:
    """The answers a Teams turn sends, noted in the answer log once they are sent: Teams names
    only the message id when it reports a rating, and a message has its id only once it is
    posted (held replies are posted after the turn's state is saved: bot/state/concurrency.py)."""

    def __init__(self, context: TurnContext) -> None:
        self.context = context
        self.sent: list[Activity] = []
        context.on_send_activities(self._on_send)

    async def _on_send(
        self,
        context: TurnContext,
        activities: list[Activity],
        send: Callable[[], Awaitable[None]],
    ) -> None:
        known = {id(a) for a in self.sent}
        self.sent += [a for a in activities if answered_topic(a) and id(a) not in known]
        await send()

    async def record(self, log: AnswerLog) -> None:
        """Note which topic each sent answer was about (the last one is the latest)."""
        conversation = self.context.activity.conversation
        if not conversation or not conversation.id:
            return
        channel, thread, _ = conversation.id.partition(THREAD_MARK)
        for activity in self.sent:
            topic = answered_topic(activity)
            if topic:  # an answer without an id (an empty 202) is still the latest
                await log.remember_answer(conversation.id, activity.id or "", topic)
                if thread:  # the Playground rates a channel's answers by the channel alone
                    await log.remember_answer(channel, "", topic)
