"""A message the channel delivers again is applied once, and answered with what its first delivery
said: Teams retries an activity when the bot has not answered within about 15 seconds, with the
same activity id.

Two layers, one per way a retry can arrive:

* **In the conversation's stored state** (:class:`ProcessedIds`): the ids of the last
  :data:`MAX_PROCESSED_IDS` messages (and conversationUpdates) applied to a conversation are kept
  in its conversation state, so they are saved in the same write as the turn's own changes, in
  whichever storage holds the state (SQLite, Blob, memory). The replies the last
  :data:`MAX_KEPT_TURNS` of those turns sent are kept with them (at most :data:`MAX_KEPT_CHARS`
  of JSON a turn). A turn whose id is already there was applied: it is not run again, on any
  instance and after any restart; its kept replies are sent again instead, since the first ones
  may never have got out (the process died, or the channel refused or lost the reply). A retry
  of an older turn, or of one whose replies were too large to keep, is skipped. The check runs
  inside :class:`bot.state.concurrency.TurnGuard`, so a retry racing its original on another
  instance loses the e-tag race, reruns from fresh state and finds its id. A turn that fails
  saves nothing, so its retry is answered by running it.
* **In this process** (:class:`DedupMiddleware`): a retry that arrives while its original is still
  running here is dropped at once (the original answers it) instead of running the turn a second
  time (for a brand-new conversation, whose first save carries no e-tag, the e-tag race would not
  catch it). Once the original is done, a retry goes on to the stored state.

Invokes are never dropped: they wait for their own response.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from botbuilder.core import ConversationState, Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Entity

from bot.hosting.schema_codec import FastSerializer

log = logging.getLogger(__name__)

DEDUPLICATED_TYPES = frozenset({ActivityTypes.message, ActivityTypes.conversation_update})
PROCESSED_PROPERTY = "ProcessedActivityIds"
MAX_PROCESSED_IDS = 32
"""Per conversation: far more than can arrive between a message and the channel's retry."""
KEPT_PROPERTY = "RepliesOfProcessedIds"
MAX_KEPT_TURNS = 3
"""Per conversation: the turns whose replies a retry gets again (the channel retries within
seconds, so only the last few matter)."""
MAX_KEPT_CHARS = 64_000
"""A turn whose replies take more JSON than this keeps none (a recommendation card with its
diagram inline is ~26 KB): its retry is skipped."""
PER_DELIVERY = frozenset(
    {
        "id",
        "timestamp",
        "localTimestamp",
        "replyToId",
        "from",
        "recipient",
        "conversation",
        "channelId",
        "serviceUrl",
        "locale",
    }
)
"""Fields of a sent activity that name its delivery: a reply sent again gets them anew."""
NOTES = "notes"
"""A kept reply's own field (no activity has it): per entity, what the bot noted on it unsent."""
_serializer = FastSerializer(Activity._infer_class_models())


class KeptEntity(Entity):
    """An entity of a kept reply: sent again with exactly the fields it was sent with; what the
    bot noted on it without sending it (a Teams answer's topic) comes back as attributes."""

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        "additional_properties": {"key": "", "type": "{object}"},
    }

    def __init__(self, sent: dict[str, Any], notes: dict[str, Any]) -> None:
        super().__init__(type=sent.get("type"))
        self.additional_properties = sent
        vars(self).update(notes)


def _notes(entity: Entity) -> dict[str, Any]:
    """An entity's attributes that are not sent (its class's map leaves them out)."""
    sent = type(entity)._attribute_map
    return {
        name: value
        for name, value in vars(entity).items()
        if name not in sent
        and name != "additional_properties"
        and type(value) in (str, int, float, bool)
    }


def kept_reply(activity: Activity) -> dict[str, Any]:
    """A sent activity as plain JSON (stored as is), without what names its delivery."""
    kept = {
        k: v for k, v in _serializer.body(activity, "Activity").items() if k not in PER_DELIVERY
    }
    notes = [_notes(entity) for entity in activity.entities or []]
    if any(notes):
        kept[NOTES] = notes
    return kept


def revive(kept: dict[str, Any]) -> Activity:
    """The activity :func:`kept_reply` kept, ready to be sent again."""
    fields = dict(kept)
    entities = fields.pop("entities", [])
    notes = fields.pop(NOTES, None) or [{} for _ in entities]
    activity = Activity.deserialize(fields)
    if entities:
        pairs = zip(entities, notes, strict=True)
        activity.entities = [KeptEntity(sent, note) for sent, note in pairs]
    return activity


class ProcessedIds:
    """The ids of the last activities applied to a conversation and the replies of the last few,
    kept in its conversation state."""

    def __init__(
        self, conversation_state: ConversationState, keep: int = MAX_PROCESSED_IDS
    ) -> None:
        self.ids = conversation_state.create_property(PROCESSED_PROPERTY)
        self.kept = conversation_state.create_property(KEPT_PROPERTY)
        self.keep = keep

    async def earlier_replies(self, context: TurnContext) -> list[Activity] | None:
        """None when the activity was not applied yet (its id is then added to the state, saved
        with the turn's changes or not at all); else the replies its turn sent, as kept ([]
        when none were)."""
        activity = context.activity
        if activity.type not in DEDUPLICATED_TYPES or not activity.id:
            return None
        ids: list[str] = await self.ids.get(context, list)
        if activity.id not in ids:
            ids.append(activity.id)
            del ids[: -self.keep]
            return None
        kept: list[dict[str, str]] = await self.kept.get(context, list)
        replies = next((turn["replies"] for turn in kept if turn["id"] == activity.id), "[]")
        return [revive(reply) for reply in json.loads(replies)]

    async def keep_replies(self, context: TurnContext, sent: list[Activity]) -> None:
        """Keep the messages this turn sends with its id (saved with the turn's changes)."""
        activity = context.activity
        if activity.type not in DEDUPLICATED_TYPES or not activity.id:
            return
        messages = [kept_reply(reply) for reply in sent if reply.type == ActivityTypes.message]
        if not messages:
            return
        # one string: the state's later copies, fingerprints and writes need not walk the cards
        replies = json.dumps(messages, separators=(",", ":"))
        if len(replies) > MAX_KEPT_CHARS:
            log.info("the replies to %s are too large to keep for a retry", activity.id)
            return
        kept: list[dict[str, str]] = await self.kept.get(context, list)
        kept.append({"id": activity.id, "replies": replies})
        del kept[:-MAX_KEPT_TURNS]


class DedupMiddleware(Middleware):
    """Drops a message (or conversationUpdate) whose activity id is still being handled here."""

    def __init__(self) -> None:
        self.running: set[str] = set()
        self.dropped = 0

    @staticmethod
    def key(context: TurnContext) -> str | None:
        activity = context.activity
        if activity.type not in DEDUPLICATED_TYPES or not activity.id:
            return None
        conversation = activity.conversation.id if activity.conversation else ""
        return f"{activity.channel_id}\x1f{conversation}\x1f{activity.id}"

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable[None]]) -> None:
        key = self.key(context)
        if key is None:
            await logic()
            return
        if key in self.running:
            self.dropped += 1
            log.info("dropped a repeated %s (id %s)", context.activity.type, context.activity.id)
            return
        self.running.add(key)
        try:
            await logic()
        finally:
            self.running.discard(key)
