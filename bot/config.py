"""Settings from the environment, with embedded defaults that need no cloud account."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.loader import DEFAULT_KNOWLEDGE_DIR

DEFAULT_STORAGE = "sqlite:///var/archbot.sqlite3"


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
        )
