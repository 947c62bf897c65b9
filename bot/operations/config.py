"""Settings from the environment, with embedded defaults that need no cloud account."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.loader import DEFAULT_KNOWLEDGE_DIR

DEFAULT_STORAGE = "sqlite:///var/archbot.sqlite3"
DEFAULT_DIRECTLINE_ENDPOINT = "https://directline.botframework.com/v3/directline"


def _new_token_key() -> str:
    """A random key for signing local Direct Line tokens (tokens end with the process)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment.

    The Bot Framework settings keep their standard names (MicrosoftAppId …) and are exposed under
    the attribute names botbuilder's ConfigurationBotFrameworkAuthentication looks for.
    """

    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""
    host: str = "127.0.0.1"
    port: int = 3978
    storage: str = DEFAULT_STORAGE
    knowledge_dir: Path = field(default=DEFAULT_KNOWLEDGE_DIR)
    # web chat (bot/channels/directline): Azure Direct Line secret (empty = the bot's own)
    directline_secret: str = field(default="", repr=False)
    directline_endpoint: str = DEFAULT_DIRECTLINE_ENDPOINT
    token_key: str = field(default_factory=_new_token_key, repr=False)
    directline_idle_seconds: float = 1800.0
    directline_max_conversations: int = 1000
    # scale-out (bot/state/storage_blob.py, bot/state/transcripts.py, bot/operations/notify.py)
    blob_connection_string: str = field(default="", repr=False)
    transcripts_dir: Path | None = None
    admin_key: str = field(default="", repr=False)
    access_log: bool = False
    # where clients reach the bot (diagrams, decision records); empty = the local address
    public_url: str = ""

    @property
    def base_url(self) -> str:
        """The bot's address for links it sends: `public_url`, else where it listens."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def anonymous(self) -> bool:
        """True when no app id is set: the local, unauthenticated Emulator mode."""
        return not self.APP_ID

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read the settings from environment variables."""
        env = os.environ if environ is None else environ
        return cls(
            APP_ID=env.get("MicrosoftAppId", ""),
            APP_PASSWORD=env.get("MicrosoftAppPassword", ""),
            APP_TYPE=env.get("MicrosoftAppType", "") or "MultiTenant",
            APP_TENANTID=env.get("MicrosoftAppTenantId", ""),
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "3978")),
            storage=env.get("ARCHBOT_STORAGE", DEFAULT_STORAGE),
            knowledge_dir=Path(env.get("ARCHBOT_KNOWLEDGE", str(DEFAULT_KNOWLEDGE_DIR))),
            directline_secret=env.get("DirectLineSecret", ""),
            directline_endpoint=env.get("DirectLineEndpoint", "") or DEFAULT_DIRECTLINE_ENDPOINT,
            token_key=env.get("ARCHBOT_TOKEN_KEY", "") or _new_token_key(),
            directline_idle_seconds=float(env.get("ARCHBOT_DIRECTLINE_IDLE_SECONDS", "1800")),
            directline_max_conversations=int(
                env.get("ARCHBOT_DIRECTLINE_MAX_CONVERSATIONS", "1000")
            ),
            blob_connection_string=env.get("ARCHBOT_BLOB_CONNECTION_STRING", ""),
            transcripts_dir=(
                Path(env["ARCHBOT_TRANSCRIPTS"]) if env.get("ARCHBOT_TRANSCRIPTS") else None
            ),
            admin_key=env.get("ARCHBOT_ADMIN_KEY", ""),
            access_log=env.get("ARCHBOT_ACCESS_LOG", "").strip().lower() in ("1", "true", "yes"),
            public_url=env.get("ARCHBOT_PUBLIC_URL", "").strip(),
        )
