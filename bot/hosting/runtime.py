"""Wires the bot together once: knowledge, router, storage, state, dialogs and handler."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.core import ConversationState, Storage, UserState

from bot.channels.messages import Presenter, card_channels_from_env
from bot.channels.teams import KnowledgeSearch
from bot.core.advisor import Advisor
from bot.core.artifacts import Artifacts
from bot.core.build_cache import Built, load_recognizer
from bot.core.compare import Comparer
from bot.core.context import Conversation
from bot.core.embedding import StaticEmbedding
from bot.core.hybrid import FusionModel, HybridRouter
from bot.core.kb import KnowledgeBase
from bot.core.replies import Replies
from bot.handler import ArchBotHandler
from bot.hosting.reload import KnowledgeWatcher, fingerprint
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


@dataclass(frozen=True)
class Knowledge:
    """One knowledge base and everything a turn builds on it. A reload swaps the whole of it at
    once (`ArchBotHandler.knowledge`); a turn keeps the one it started with."""

    kb: KnowledgeBase
    router: HybridRouter
    replies: Replies
    dialog: MainDialog
    search: KnowledgeSearch
    artifacts: Artifacts | None = None
    """The walkthrough's diagrams and decision records (None: no walkthrough)."""


class KnowledgeBuilder:
    """Builds the recognizer, dialogs and replies around a knowledge base. The recognizer's own
    data (embeddings, fusion weights) is loaded once and shared by every build; the dialogs'
    state properties have fixed names, so a conversation carries over to a rebuilt dialog."""

    def __init__(
        self,
        conversation_state: ConversationState,
        fusion: FusionModel | None = None,
        settings: Settings | None = None,
        embedding: StaticEmbedding | None = None,
    ):
        self.conversation_state = conversation_state
        self.settings = settings or Settings()
        self.embedding = embedding or StaticEmbedding.load()
        self.fusion = fusion or FusionModel.load()

    def build(self, kb: KnowledgeBase, built: Built | None = None) -> Knowledge:
        """Everything built from `kb` (its router, conversation reader and advisor taken from
        `built`, the build cache's, when given); touches no shared state, so it may run in a
        thread."""
        router = built.router if built else HybridRouter(kb, self.embedding, self.fusion)
        replies = Replies(kb)
        conversation = (built and built.conversation) or Conversation(
            kb, router, Comparer(kb, router.lexical)
        )
        state = self.conversation_state
        recognizer = KnowledgeRecognizer(conversation, state.create_property(FOCUS))
        walkthrough = artifacts = None
        if kb.walkthrough is not None:
            memory = state.create_property(MEMORY)
            advisor = built.advisor if built and built.advisor else Advisor(kb)
            public = bool(self.settings.public_url)
            artifacts = Artifacts(advisor, self.settings.base_url, public=public)
            walkthrough = WalkthroughDialog(advisor, recognizer, replies, memory, artifacts)
        dialog = MainDialog(recognizer, replies, walkthrough)
        search = KnowledgeSearch(kb, router.lexical)
        return Knowledge(kb, router, replies, dialog, search, artifacts)


@dataclass
class Runtime:
    """Everything a turn needs, built once per process (the knowledge part again on reload)."""

    settings: Settings
    storage: Storage
    handler: ArchBotHandler
    watcher: KnowledgeWatcher[Knowledge]
    """Reloads `settings.knowledge_dir` when it changes, once started (bot/hosting/reload.py)."""
    feedback: FeedbackStore | None = None
    """👍 / 👎 votes and unanswered questions (bot/state/feedback.py)."""
    notices: Notices | None = None
    """Opted-in conversations and the admin broadcast (bot/operations/notify.py)."""

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base served now."""
        return self.handler.knowledge.kb

    @property
    def router(self) -> HybridRouter:
        """The recognizer over the knowledge base served now."""
        return self.handler.knowledge.router

    def close(self) -> None:
        """Release the storage's resources."""
        close = getattr(self.storage, "close", None)
        if close is not None:
            close()
        if self.feedback is not None:
            self.feedback.close()

    async def aclose(self) -> None:
        """Release everything, awaiting storages whose clients close asynchronously (Blob)."""
        await self.watcher.stop()
        aclose = getattr(self.storage, "aclose", None)
        if aclose is not None:
            await aclose()
        self.close()


def build_runtime(
    settings: Settings,
    kb: KnowledgeBase | None = None,
    fusion: FusionModel | None = None,
    feedback_db: str | None = None,
) -> Runtime:
    """Load the knowledge base (unless given) and build the bot around it (with the fitted
    recognizer, unless another `fusion` model is given). Feedback goes to `feedback_db`, by
    default beside the state (bot/state/feedback.py). The knowledge base and its recognizer
    come from the build cache when the knowledge folder is unchanged (bot/core/build_cache.py)."""
    loaded = fingerprint(settings.knowledge_dir)  # before loading: an edit during it is seen
    embedding = StaticEmbedding.load()
    fusion = fusion or FusionModel.load()
    built = None
    if kb is None:
        built = load_recognizer(settings.knowledge_dir, embedding, fusion, settings.cache_dir)
        kb = built.kb
    storage = open_storage(settings.storage, settings.blob_connection_string)
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    builder = KnowledgeBuilder(conversation_state, fusion, settings, embedding)
    feedback = FeedbackStore(feedback_db or feedback_path(settings.storage))
    notices = Notices(storage, anonymous=settings.anonymous)
    handler = ArchBotHandler(
        conversation_state,
        user_state,
        builder.build(kb, built),
        feedback=feedback,
        presenter=Presenter(card_channels_from_env()),
        notices=notices,
    )

    def swap(knowledge: Knowledge) -> None:
        handler.knowledge = knowledge  # one assignment: the next turn starts with the new one

    watcher = KnowledgeWatcher(settings.knowledge_dir, builder.build, swap, loaded)
    return Runtime(settings, storage, handler, watcher, feedback, notices=notices)
