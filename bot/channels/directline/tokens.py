"""Direct Line tokens: short-lived, HMAC-signed, scoped to one conversation.

A token is a compact JWT (HS256) so that Web Chat, which reads the `user` claim of its token to
know who it is, sees the user id the token was issued for. Claims:

* ``conv``: the one conversation the token opens (any other conversation answers 403);
* ``user``: the user id every message posted with the token is sent as (``dl_…``);
* ``scope``: ``conversation`` for the REST API, ``stream`` for one WebSocket ``streamUrl``
  (a stream token cannot call the API and an API token cannot open a stream);
* ``iat``/``exp``: issued at and expiry, in seconds since the epoch.

Signing uses ``hmac`` from the standard library: no dependency, and nothing but HS256 is ever
accepted (the header's ``alg`` is checked, so ``none`` or RS256 tricks do not apply).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

CONVERSATION_SCOPE = "conversation"
STREAM_SCOPE = "stream"
DEFAULT_TOKEN_SECONDS = 1800  # Direct Line's own lifetime; Web Chat refreshes every 15 minutes
DEFAULT_STREAM_SECONDS = 300  # time to open the WebSocket; a reconnect asks for a new one
_HEADER = {"alg": "HS256", "typ": "JWT"}
MAX_TOKEN_CHARS = 4096


class TokenError(Exception):
    """The token is missing, malformed, forged, expired or for another scope."""


@dataclass(frozen=True)
class Claims:
    """What a verified token grants."""

    conversation_id: str
    user_id: str
    scope: str
    issued_at: int
    expires_at: int

    def seconds_left(self, now: float) -> int:
        return max(0, int(self.expires_at - now))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    """Issues and verifies tokens with one secret key (random per process unless configured)."""

    def __init__(
        self,
        key: str | bytes,
        *,
        lifetime: int = DEFAULT_TOKEN_SECONDS,
        stream_lifetime: int = DEFAULT_STREAM_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not key:
            raise ValueError("the token signing key must not be empty")
        self._key = key.encode() if isinstance(key, str) else key
        self.lifetime = lifetime
        self.stream_lifetime = stream_lifetime
        self.clock = clock

    def _sign(self, message: bytes) -> bytes:
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def encode(self, payload: dict[str, object]) -> str:
        """Sign any payload (tests use it to make expired or odd tokens with the real key)."""
        header = _b64encode(json.dumps(_HEADER, separators=(",", ":")).encode())
        body = _b64encode(json.dumps(payload, separators=(",", ":")).encode())
        signing_input = f"{header}.{body}".encode("ascii")
        return f"{header}.{body}.{_b64encode(self._sign(signing_input))}"

    def issue(self, conversation_id: str, user_id: str, scope: str = CONVERSATION_SCOPE) -> str:
        """A token for one conversation and user, valid for this issuer's lifetime."""
        now = int(self.clock())
        lifetime = self.stream_lifetime if scope == STREAM_SCOPE else self.lifetime
        return self.encode(
            {
                "conv": conversation_id,
                "user": user_id,
                "scope": scope,
                "iat": now,
                "exp": now + lifetime,
            }
        )

    def verify(self, token: str, scope: str = CONVERSATION_SCOPE) -> Claims:
        """The claims of a genuine, unexpired token of ``scope``; else TokenError."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise TokenError("no token")
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("malformed token")
        header_b64, payload_b64, signature_b64 = parts
        try:
            signature = _b64decode(signature_b64)
            header = json.loads(_b64decode(header_b64))
            payload = json.loads(_b64decode(payload_b64))
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise TokenError("malformed token") from exc
        expected = self._sign(f"{header_b64}.{payload_b64}".encode("ascii"))
        if not hmac.compare_digest(signature, expected):
            raise TokenError("bad signature")
        if not isinstance(header, dict) or header.get("alg") != "HS256":
            raise TokenError("unsupported token algorithm")
        if not isinstance(payload, dict):
            raise TokenError("malformed token")
        conversation_id, user_id = payload.get("conv"), payload.get("user")
        issued_at, expires_at = payload.get("iat"), payload.get("exp")
        if not (isinstance(conversation_id, str) and conversation_id):
            raise TokenError("the token names no conversation")
        if not isinstance(user_id, str):
            raise TokenError("the token names no user")
        if not (isinstance(expires_at, int) and isinstance(issued_at, int)):
            raise TokenError("the token has no expiry")
        if payload.get("scope") != scope:
            raise TokenError(f"not a {scope} token")
        if self.clock() >= expires_at:
            raise TokenError("token expired")
        return Claims(conversation_id, user_id, scope, issued_at, expires_at)
