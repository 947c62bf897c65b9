"""What a turn does when another turn changed the conversation's state meanwhile (a stale e-tag).

Two instances behind a load balancer (or two messages in quick succession on one instance) can
run turns of the same conversation at once. Both read the state with e-tag E; the first save
wins; the second save raises :class:`bot.state.storage.ETagConflictError` (every backend: SQLite,
memory, and Blob's HTTP 412). Saving anyway would silently drop the first turn's update.

The decision, implemented by :class:`TurnGuard`:

1. **The turn's replies are held back until its state is saved.** A turn that loses the race has
   not happened, so the user must not see its answer.
2. **On a conflict, the turn is run once more from fresh state** (the state is re-read, so it now
   includes the winner's update) and its held replies are dropped. The user sees one answer,
   computed as if the two messages had arrived one after the other: no lost update, no double
   answer. This is safe because a turn's only effects are its state and its replies.
3. **If the retry conflicts too**, the bot gives up on that message and **tells the user**
   (:data:`CONFLICT_MESSAGE`): nothing of it was applied, and asking again is the honest fix.
4. If a *later* state (user state) conflicts after an earlier one (conversation state) was
   already saved, re-running would apply the turn twice; the turn's replies are sent (the
   conversation did move on) with :data:`PARTIAL_MESSAGE`, which says what was not saved.

The first save of a brand-new conversation carries no e-tag (BotState's design), so it cannot
conflict: two instances racing on a conversation's very first message both win, the later one's
state stands.

A turn is applied once: before its logic runs (each attempt), the guard asks
:class:`bot.state.dedup.ProcessedIds` whether the conversation's state already lists the
activity's id (a channel's retry of a turn that was saved). If so, the turn is not run: the
replies it sent, kept with its id, are sent again (its first ones may never have reached the
user), and nothing is saved. Otherwise the id joins the state and, with the replies the turn
sends, is saved with the turn.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable, Sequence

from botbuilder.core import BotState, ConversationState, TurnContext
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes, ResourceResponse

from bot.state.dedup import ProcessedIds
from bot.state.storage import ETagConflictError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2
CONFLICT_MESSAGE = (
    "Your message arrived while I was still busy with another one in this conversation, so I "
    "did not act on it. Please send it again."
)
PARTIAL_MESSAGE = (
    "(I could not save a change to your personal settings: another conversation changed them at "
    "the same time. Please repeat it if it mattered.)"
)


class ReplyHold:
    """Holds a turn's outgoing activities while ``holding``; ``release`` sends them, in order.

    The hold is the last send handler of the turn, so handlers registered before it (the
    transcript logger, middleware) see nothing while it holds and see the activities when they
    are released. ``TurnContext.send_activities`` already copied each activity and applied the
    conversation reference when it was held; ``release`` hands the held activities to those
    earlier handlers and then to the adapter (or to the expectReplies buffer) directly instead of
    sending them through ``TurnContext.send_activities`` again, which would copy each one again.
    """

    def __init__(self, context: TurnContext) -> None:
        self.context = context
        self.held: list[Activity] = []
        self.holding = False
        context.on_send_activities(self._on_send)

    async def _on_send(self, context: TurnContext, activities: list[Activity], next_send):
        if self.holding:
            # TurnContext sends whatever the list holds after the handlers ran: empty it
            self.held.extend(activities)
            activities.clear()
        return await next_send()

    def drop(self) -> None:
        self.held = []

    async def release(self) -> None:
        self.holding = False
        held, self.held = self.held, []
        if not held:
            return
        context = self.context
        # botbuilder 4.17.1: TurnContext._emit runs the send handlers, then the sending coroutine
        handlers = context._on_send_activities
        earlier = handlers[: handlers.index(self._on_send)]
        await context._emit(earlier, held, self._deliver(held))

    async def _deliver(self, activities: list[Activity]) -> list[ResourceResponse]:
        """What ``TurnContext.send_activities`` does once its handlers ran (botbuilder 4.17.1)."""
        context = self.context
        if not activities:  # an earlier handler took them
            return []
        if context.activity.delivery_mode == DeliveryModes.expect_replies:
            for activity in activities:
                context.buffered_reply_activities.append(activity)
                if activity.type == ActivityTypes.invoke_response:
                    context.turn_state[TurnContext._INVOKE_RESPONSE_KEY] = activity
            return [ResourceResponse() for _ in activities]
        return await context.adapter.send_activities(context, activities)


class TurnGuard:
    """Runs a turn's logic, saves ``states`` in order and handles a stale e-tag (see module).
    With a ``ConversationState`` among ``states``, a turn it already lists is skipped."""

    def __init__(self, states: Sequence[BotState], max_attempts: int = MAX_ATTEMPTS) -> None:
        self.states = list(states)
        self.max_attempts = max_attempts
        conversation = next((s for s in self.states if isinstance(s, ConversationState)), None)
        self.processed = ProcessedIds(conversation) if conversation is not None else None

    async def run(self, context: TurnContext, logic: Callable[[TurnContext], Awaitable[None]]):
        """Run ``logic`` (the turn, without saving), then save; retry or tell on a conflict."""
        hold = ReplyHold(context)
        # the turn may reassign the activity's fields (mention-free text, a card click's text);
        # a shallow copy restores those (a deep copy costs ~90 µs a turn, for nothing today)
        incoming = copy.copy(context.activity)
        conversation = context.activity.conversation.id if context.activity.conversation else "?"
        for attempt in range(1, self.max_attempts + 1):
            hold.holding = True
            saved_any = False
            try:
                processed = self.processed
                earlier = None if processed is None else await processed.earlier_replies(context)
                if earlier is not None:
                    log.info(
                        "skipped %s %s in conversation %s: its state already has it (a retry); "
                        "sent its %d kept replies again",
                        context.activity.type,
                        context.activity.id,
                        conversation,
                        len(earlier),
                    )
                    hold.holding = False
                    if earlier:
                        await context.send_activities(earlier)
                    return
                await logic(context)
                if processed is not None:
                    await processed.keep_replies(context, hold.held)
                for state in self.states:
                    cached = state.get_cached_state(context)
                    changed = cached is not None and cached.is_changed
                    await state.save_changes(context)
                    saved_any = saved_any or changed
            except ETagConflictError:
                if saved_any:
                    log.warning(
                        "stale e-tag in conversation %s after part of its state was saved; "
                        "sending the turn's replies with a notice",
                        conversation,
                    )
                    await hold.release()
                    await context.send_activity(PARTIAL_MESSAGE)
                    return
                hold.drop()
                hold.holding = False
                if attempt == self.max_attempts:
                    log.warning(
                        "stale e-tag in conversation %s again on attempt %d: asking the user to "
                        "send the message again",
                        conversation,
                        attempt,
                    )
                    await context.send_activity(CONFLICT_MESSAGE)
                    return
                log.info(
                    "stale e-tag in conversation %s (another turn saved first): retrying the turn "
                    "from fresh state",
                    conversation,
                )
                await self._fresh_start(context, incoming)
                continue
            except BaseException:
                hold.drop()  # a failed turn says only what on_turn_error says
                hold.holding = False
                raise
            await hold.release()
            return

    async def _fresh_start(self, context: TurnContext, incoming: Activity) -> None:
        context.activity = copy.copy(incoming)
        context._responded = False  # the dropped replies were never sent
        for state in self.states:
            await state.load(context, force=True)
