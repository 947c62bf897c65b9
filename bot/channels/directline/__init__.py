"""Web chat without Azure: a Direct Line 3.0–compatible endpoint inside the bot's own app, the
token endpoint for production Direct Line, and the chat page (see README, "Web chat")."""

from bot.channels.directline.routes import DIRECTLINE_KEY, DirectLine, setup_web_chat

__all__ = ["DIRECTLINE_KEY", "DirectLine", "setup_web_chat"]
