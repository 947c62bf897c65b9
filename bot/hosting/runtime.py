"""Wires the bot together once: knowledge, router, storage, state, dialogs and handler."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.core import ConversationState, Storage, UserState

from bot.channels.messages import Presenter, card_channels_from_env
from bot.channels.teams import KnowledgeSearch
from bot.core.advisor import Advisor
from bot.core.compare import Comparer
from bot.core.context import Conversation
from bot.core.embedding import StaticEmbedding
from bot.core.hybrid import FusionModel, HybridRouter
from bot.core.kb import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.core.replies import Replies
from bot.handler import ArchBotHandler
from bot.operations.config import Settings
from bot.operations.notify import Notices
from bot.recognizer import KnowledgeRecognizer
from bot.state.feedback import FeedbackStore, feedback_path
from bot.state.storage import SqliteStorage
from bot.state.storage_memory import InMemoryStorage
from dialogs.main_dialog import MainDialog
from dialogs.walkthrough_dialog import MEMORY, WalkthroughDialog

SQLITE_PREFIX = "sqlite:///"
MEMORY_URL = "memory://"
BLOB_PREFIX = "blob://"
FOCUS = "Focus"
"""The conversation-state property holding what the conversation is about."""


class StorageConfigError(ValueError):
    """ARCHBOT_STORAGE names a storage this build does not know."""


def open_storage(url: str, blob_connection_string: str = "") -> Storage:
    """The state store named by a storage URL: `sqlite:///path`, `memory://` or
    `blob://<container>` (Azure Blob Storage; the account is `blob_connection_string`)."""
    if url.startswith(SQLITE_PREFIX):
        return SqliteStorage(url[len(SQLITE_PREFIX) :])
    if url == MEMORY_URL:
        return InMemoryStorage()  # same e-tag semantics as the others (bot/state/storage_memory.py)
    if url.startswith(BLOB_PREFIX):
        from bot.state.storage_blob import BlobStateStorage  # the Azure SDK only when asked for

        return BlobStateStorage(url[len(BLOB_PREFIX) :].strip("/"), blob_connection_string)
    raise StorageConfigError(
        f"unknown storage {url!r}: use {SQLITE_PREFIX}<path>, {MEMORY_URL} or "
        f"{BLOB_PREFIX}<container> (with ARCHBOT_BLOB_CONNECTION_STRING)"
    )


@dataclass
class Runtime:
    """Everything a turn needs, built once per process."""

    settings: Settings
    kb: KnowledgeBase
    router: HybridRouter
    storage: Storage
    handler: ArchBotHandler
    feedback: FeedbackStore | None = None
    """👍 / 👎 votes and unanswered questions (bot/state/feedback.py)."""
    notices: Notices | None = None
    """Opted-in conversations and the admin broadcast (bot/operations/notify.py)."""

    def close(self) -> None:
        """Release the storage's resources."""
        close = getattr(self.storage, "close", None)
        if close is not None:
            close()
        if self.feedback is not None:
            self.feedback.close()

    async def aclose(self) -> None:
        """Release everything, awaiting storages whose clients close asynchronously (Blob)."""
        aclose = getattr(self.storage, "aclose", None)
        if aclose is not None:
            await aclose()
        self.close()


def build_runtime(
    settings: Settings, kb: KnowledgeBase | None = None, fusion: FusionModel | None = None
) -> Runtime:
    """Load the knowledge base (unless given) and build the bot around it (with the fitted
    recognizer, unless another `fusion` model is given)."""
    kb = kb or load_knowledge(settings.knowledge_dir)
    router = HybridRouter(kb, StaticEmbedding.load(), fusion or FusionModel.load())
    storage = open_storage(settings.storage, settings.blob_connection_string)
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    replies = Replies(kb)
    conversation = Conversation(kb, router, Comparer(kb, router.lexical))
    recognizer = KnowledgeRecognizer(conversation, conversation_state.create_property(FOCUS))
    walkthrough = None
    if kb.walkthrough is not None:
        memory = conversation_state.create_property(MEMORY)
        walkthrough = WalkthroughDialog(Advisor(kb), recognizer, replies, memory)
    dialog = MainDialog(recognizer, replies, walkthrough)
    feedback = FeedbackStore(feedback_path(settings.storage))
    notices = Notices(storage, anonymous=settings.anonymous)
    handler = ArchBotHandler(
        conversation_state,
        user_state,
        dialog,
        replies,
        feedback=feedback,
        presenter=Presenter(card_channels_from_env()),
        search=KnowledgeSearch(kb, router.lexical),
        notices=notices,
    )
    return Runtime(settings, kb, router, storage, handler, feedback, notices=notices)
