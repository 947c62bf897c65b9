"""Secrets out of logs and stored text: one place that knows what a secret looks like.

Where a secret could otherwise be written, and what is done there:

* **the access log and every other log line** (`protect_logs`, installed by `archbot serve`): a
  filter on the root logger's handlers rewrites each record — message, exception text, stack and
  extra fields (the access log's request line) — with :func:`redact`. So the Direct Line stream
  token in ``…/stream?t=…``, credentials in a ``serviceUrl`` (``user:pass@``, ``?sig=``) quoted by
  an error, and a bearer token in an exception never reach the output.
* **transcripts** (bot/state/transcripts.py): every string of a recorded activity goes through
  :func:`redact`, and what the user typed (``text``) through :func:`redact_message`.
* **unanswered questions** (bot/state/feedback.py, the ``gaps`` table): the question is stored
  as :func:`redact_message` leaves it.
* **conversation state** (bot/recognizer.py): the user's words the focus keeps (what was said
  about each topic, a situation told) are stored as :func:`redact_message` leaves them.

:func:`redact` removes what has a recognisable shape: URL user-info, the values of token-like
query parameters (``t``, ``sig``, ``token``, ``code``, ``key`` …) in URLs and bare paths, JWTs,
``Bearer``/``Basic`` credentials, ``name=value`` / ``name: value`` / ``name is value`` where the
name says password, secret, token, key or connection string (Azure connection strings'
``AccountKey=…;`` included), PEM private keys and the prefixes of well-known API tokens (GitHub,
Slack, AWS, Google, ``sk-…``). :func:`redact_message` also removes long random-looking words
(a key pasted on its own); it is kept for free text, because ids in logs (a Teams conversation
id) look random too and must stay readable there.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "REDACTED",
    "RedactingFilter",
    "protect_logs",
    "redact",
    "redact_message",
    "redact_url",
    "service_url",
]

REDACTED = "[redacted]"

SECRET_PARAM = re.compile(
    r"^(t|sig|signature|token|access_token|id_token|refresh_token|code|key|apikey|api_key|"
    r"secret|client_secret|password|pwd|se|skoid|sktid|skt|ske|sks|skv)$",
    re.IGNORECASE,
)
"""Query parameters whose value is a credential (``t`` is the Direct Line stream token; the
``sk*``/``se`` ones are the parts of an Azure SAS)."""

_URL = re.compile(r"\b(?:https?|wss?)://[^\s\"'<>]+", re.IGNORECASE)
_QUERY_PARAM = re.compile(r"(?<=[?&;])([A-Za-z_]+)=([^&\s\"'<>#;]*)")
_JWT = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*")
# a credential after an auth scheme: not a plain word ("bearer tokens", "Basic tier")
_AUTH_SCHEME = re.compile(
    r"\b(Bearer|Basic|SharedAccessSignature)(\s+)(?=[\w.~+/=%&:-]*[\d.~+/=%&:_-])[\w.~+/=%&:-]{8,}",
    re.IGNORECASE,
)
_NAME = (
    r"(?:pass(?:word|wd|phrase)?|pwd|secret|client[_ -]?secret|token|access[_ -]?token|"
    r"api[_ -]?key|apikey|access[_ -]?key|account[_ -]?key|shared[_ -]?access[_ -]?key|"
    r"primary[_ -]?key|secondary[_ -]?key|subscription[_ -]?key|private[_ -]?key|key|"
    r"connection[_ -]?string|credentials?|sas)"
)
_STRONG_NAME = (  # names that are a secret even in a sentence ("my password is …")
    r"(?:pass(?:word|wd|phrase)|pwd|secret|client[_ -]?secret|api[_ -]?key|access[_ -]?key|"
    r"account[_ -]?key|access[_ -]?token|connection[_ -]?string|private[_ -]?key)"
)
_VALUE = r"(\"[^\"]*\"|'[^']*'|[^\s;,\"']+)"
_NAMED_SECRET = re.compile(
    rf"\b({_NAME})(\s*[:=]\s*){_VALUE}|\b({_STRONG_NAME})(\s+(?:is|was)\s+){_VALUE}",
    re.IGNORECASE,
)
_KNOWN_TOKEN = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|xox[abprs]-[\w-]{10,}|"
    r"(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[\w-]{30,}|sk-[\w-]{16,})"
)
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL
)
# a key pasted on its own: a long "word" of token characters mixing letters and digits
_RANDOM_WORD = re.compile(r"(?<![\w.~+/=:@-])[\w.~+/=-]{24,}")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def redact_url(url: str) -> str:
    """The URL without user-info and with the values of token-like query parameters removed."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
    except ValueError:
        return _redact_params(url)
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    query = parts.query
    if query:
        query = urlencode(
            [
                (name, REDACTED if SECRET_PARAM.match(name) else value)
                for name, value in parse_qsl(query, keep_blank_values=True)
            ],
            safe="[]",
        )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def service_url(url: str) -> str:
    """Only scheme, host, port and path of a ``serviceUrl`` (what a transcript keeps of it)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _redact_params(text: str) -> str:
    """Token-like query parameters in bare paths (``/stream?t=…`` in a request line)."""
    return _QUERY_PARAM.sub(
        lambda m: f"{m.group(1)}={REDACTED}" if SECRET_PARAM.match(m.group(1)) else m.group(0),
        text,
    )


def _named(match: re.Match[str]) -> str:
    name, separator, value = (g for g in match.groups() if g is not None)
    if value.strip("\"'").startswith(REDACTED):
        return match.group(0)
    return f"{name}{separator}{REDACTED}"


def redact(text: str) -> str:
    """``text`` without the secrets that have a recognisable shape (see the module)."""
    if not text:
        return text
    if "-----BEGIN" in text:
        text = _PRIVATE_KEY.sub(REDACTED, text)
    if "://" in text:
        text = _URL.sub(lambda m: redact_url(m.group(0)), text)
    if "=" in text:
        text = _redact_params(text)
    text = _JWT.sub(REDACTED, text)
    text = _AUTH_SCHEME.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _KNOWN_TOKEN.sub(REDACTED, text)
    return _NAMED_SECRET.sub(_named, text)


def _random_looking(word: str) -> bool:
    """A key rather than a word, a path or an id: one long run without separators, mixing
    letters and digits (and cases, when it is short)."""
    run = max(re.split(r"[./]", word), key=len)
    if len(run) < 20 or _GUID.match(word) or REDACTED in word:
        return False
    digits = sum(c.isdigit() for c in run)
    if not digits or digits == len(run) or not any(c.isalpha() for c in run):
        return False
    mixed_case = any(c.isupper() for c in run) and any(c.islower() for c in run)
    return len(run) >= 32 or (mixed_case and digits >= 2)


def redact_message(text: str) -> str:
    """What a user typed, for storing: :func:`redact`, and long random-looking words too."""
    text = redact(text)
    if not text:
        return text
    return _RANDOM_WORD.sub(lambda m: REDACTED if _random_looking(m.group(0)) else m.group(0), text)


# -- logs -------------------------------------------------------------------------------------

_STANDARD_FIELDS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime"}
)


class RedactingFilter(logging.Filter):
    """Rewrites every record a handler emits with :func:`redact` (message, exception, stack and
    extra string fields). It never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # formatted once, redacted; a formatter will use exc_text
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD_FIELDS and isinstance(value, str):
                setattr(record, name, redact(value))
        return True


def protect_logs(logger: logging.Logger | None = None) -> None:
    """Put a :class:`RedactingFilter` on the handlers of ``logger`` (the root logger: every
    logger's records pass its handlers), once."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
