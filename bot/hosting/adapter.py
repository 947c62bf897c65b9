"""The Bot Framework adapter: CloudAdapter with standard configuration and a turn-error handler."""

from __future__ import annotations

import logging

from botbuilder.core import TranscriptLoggerMiddleware, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import ActivityTypes

from bot.hosting.connectors import CachingCloudAdapter
from bot.hosting.limits import TextBound
from bot.operations.config import Settings
from bot.state.dedup import DedupMiddleware
from bot.state.transcripts import FileTranscriptStore

log = logging.getLogger(__name__)


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """Log the failure and tell the user, naming the conversation; stored state is untouched."""
    conversation_id = context.activity.conversation.id if context.activity.conversation else "?"
    log.exception("turn failed in conversation %s", conversation_id, exc_info=error)
    if context.activity.type != ActivityTypes.message:
        return
    try:
        await context.send_activity(
            "Sorry, something went wrong on my side while answering that. "
            f"Please try again; if it keeps happening, quote conversation `{conversation_id}`."
        )
    except Exception:  # the channel itself may be what failed: log it, don't fail again
        log.exception("could not tell conversation %s about the failure", conversation_id)


def create_adapter(settings: Settings) -> CloudAdapter:
    """A CloudAdapter authenticating with the MicrosoftApp* settings (anonymous when no app id)."""
    authentication = ConfigurationBotFrameworkAuthentication(settings)
    adapter = CachingCloudAdapter(authentication)  # kept clients: connectors.py
    adapter.on_turn_error = on_turn_error
    adapter.use(DedupMiddleware())  # a message Teams retries is answered once: bot/state/dedup.py
    if settings.transcripts_dir is not None:  # ARCHBOT_TRANSCRIPTS; off by default
        adapter.use(TranscriptLoggerMiddleware(FileTranscriptStore(settings.transcripts_dir)))
    adapter.use(TextBound(settings.max_routed_chars))  # the bot reads this much of a message
    return adapter
