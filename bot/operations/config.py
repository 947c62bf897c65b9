"""Settings from the environment, with embedded defaults that need no cloud account."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.kb import DEFAULT_KNOWLEDGE_DIR
from bot.hosting.limits import DEFAULT_MAX_ROUTED_CHARS, Rate

DEFAULT_STORAGE = "sqlite:///var/archbot.sqlite3"
DEFAULT_CACHE_DIR = DEFAULT_KNOWLEDGE_DIR.parent / "var" / "cache"
"""What the recognizer builds from the knowledge, kept between processes (git-ignored)."""
DEFAULT_DIRECTLINE_ENDPOINT = "https://directline.botframework.com/v3/directline"
DEFAULT_MAX_BODY_BYTES = 256 * 1024
DEFAULT_TOKENS_PER_ADDRESS = Rate(60, 60)
DEFAULT_TURNS_PER_ADDRESS = Rate(60, 60)
DEFAULT_MESSAGES_PER_TOKEN = Rate(20, 60)


def _rate(env: Mapping[str, str], name: str, default: Rate) -> Rate | None:
    """A rate setting ("N/S", or "off"); the variable is named when its value is not one."""
    try:
        return Rate.parse(env[name]) if env.get(name, "").strip() else default
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


def _cache_dir(env: Mapping[str, str]) -> Path | None:
    """ARCHBOT_CACHE_DIR: a folder, or `off` for no cache (bot/core/build_cache.py)."""
    value = env.get("ARCHBOT_CACHE_DIR", "").strip()
    if value.lower() == "off":
        return None
    return Path(value) if value else DEFAULT_CACHE_DIR


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
    APP_PASSWORD: str = field(default="", repr=False)
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""
    host: str = "127.0.0.1"
    port: int = 3978
    storage: str = DEFAULT_STORAGE
    knowledge_dir: Path = field(default=DEFAULT_KNOWLEDGE_DIR)
    # what the recognizer builds from the knowledge, kept between processes
    # (bot/core/build_cache.py); None: no cache
    cache_dir: Path | None = DEFAULT_CACHE_DIR
    # web chat (bot/channels/directline): Azure Direct Line secret (empty = the bot's own)
    directline_secret: str = field(default="", repr=False)
    # the built-in Direct Line's own secret: needed to mint tokens at /v3/directline, and what
    # turns it on in production (with an app id it is off without one)
    directline_local_secret: str = field(default="", repr=False)
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
    # limits and timeouts (bot/hosting/limits.py, bot/hosting/server.py; README, "Operations")
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_routed_chars: int = DEFAULT_MAX_ROUTED_CHARS
    tokens_per_address: Rate | None = DEFAULT_TOKENS_PER_ADDRESS
    turns_per_address: Rate | None = DEFAULT_TURNS_PER_ADDRESS
    messages_per_token: Rate | None = DEFAULT_MESSAGES_PER_TOKEN
    forwarded_hops: int = 0
    header_timeout: float = 15.0
    body_timeout: float = 15.0
    max_connections: int = 0  # 0: three quarters of the process's open-files limit

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

    @property
    def builtin_directline(self) -> bool:
        """The bot's own Direct Line (/v3/directline) is on: always in the local mode; with an
        app id (production) only when it has its own secret (ARCHBOT_DIRECTLINE_SECRET)."""
        return self.anonymous or bool(self.directline_local_secret)

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
            cache_dir=_cache_dir(env),
            directline_secret=env.get("DirectLineSecret", ""),
            directline_local_secret=env.get("ARCHBOT_DIRECTLINE_SECRET", ""),
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
            max_body_bytes=int(env.get("ARCHBOT_MAX_BODY_BYTES", "") or DEFAULT_MAX_BODY_BYTES),
            max_routed_chars=int(
                env.get("ARCHBOT_MAX_ROUTED_CHARS", "") or DEFAULT_MAX_ROUTED_CHARS
            ),
            tokens_per_address=_rate(env, "ARCHBOT_RATE_TOKENS", DEFAULT_TOKENS_PER_ADDRESS),
            turns_per_address=_rate(env, "ARCHBOT_RATE_TURNS", DEFAULT_TURNS_PER_ADDRESS),
            messages_per_token=_rate(env, "ARCHBOT_RATE_MESSAGES", DEFAULT_MESSAGES_PER_TOKEN),
            forwarded_hops=int(env.get("ARCHBOT_FORWARDED_HOPS", "") or 0),
            header_timeout=float(env.get("ARCHBOT_HEADER_TIMEOUT", "") or 15),
            body_timeout=float(env.get("ARCHBOT_BODY_TIMEOUT", "") or 15),
            max_connections=int(env.get("ARCHBOT_MAX_CONNECTIONS", "") or 0),
        )
