"""Wires the bot together once: knowledge, router, storage, state, dialogs and handler."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.core import ConversationState, MemoryStorage, Storage, UserState

from bot.config import Settings
from bot.core.advisor import Advisor
from bot.core.compare import Comparer
from bot.core.kb import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.core.replies import Replies
from bot.core.router import Router
from bot.handler import ArchBotHandler
from bot.recognizer import KnowledgeRecognizer
from bot.storage import SqliteStorage
from dialogs.main_dialog import MainDialog
from dialogs.walkthrough_dialog import WalkthroughDialog

SQLITE_PREFIX = "sqlite:///"
MEMORY_URL = "memory://"


class StorageConfigError(ValueError):
    """ARCHBOT_STORAGE names a storage this build does not know."""


def open_storage(url: str) -> Storage:
    """The state store named by a storage URL: `sqlite:///path` or `memory://`."""
    if url.startswith(SQLITE_PREFIX):
        return SqliteStorage(url[len(SQLITE_PREFIX) :])
    if url == MEMORY_URL:
        return MemoryStorage()
    raise StorageConfigError(f"unknown storage {url!r}: use {SQLITE_PREFIX}<path> or {MEMORY_URL}")


@dataclass
class Runtime:
    """Everything a turn needs, built once per process."""

    settings: Settings
    kb: KnowledgeBase
    router: Router
    storage: Storage
    handler: ArchBotHandler

    def close(self) -> None:
        """Release the storage's resources."""
        close = getattr(self.storage, "close", None)
        if close is not None:
            close()


def build_runtime(settings: Settings, kb: KnowledgeBase | None = None) -> Runtime:
    """Load the knowledge base (unless given) and build the bot around it."""
    kb = kb or load_knowledge(settings.knowledge_dir)
    router = Router(kb)
    storage = open_storage(settings.storage)
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    replies = Replies(kb)
    recognizer = KnowledgeRecognizer(router, Comparer(kb, router))
    walkthrough = None
    if kb.walkthrough is not None:
        walkthrough = WalkthroughDialog(Advisor(kb), recognizer, replies)
    dialog = MainDialog(recognizer, replies, walkthrough)
    handler = ArchBotHandler(conversation_state, user_state, dialog, replies)
    return Runtime(settings, kb, router, storage, handler)
