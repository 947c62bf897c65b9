"""Secrets out of logs and stored text (bot/state/redact.py), and where it is applied: the
unanswered-questions table (bot/state/feedback.py), transcripts and log records.

The end-to-end check, a real server with its access log on, is tests/e2e/test_secrets.py."""

from __future__ import annotations

import io
import logging

import pytest

from bot.state.feedback import FeedbackStore
from bot.state.redact import REDACTED, RedactingFilter, protect_logs, redact, redact_message
from bot.state.transcripts import sanitize

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJjb252IjoiYWJjIn0.c2lnbmF0dXJlLXZhbHVl"
STORAGE_KEY = "Zm9vYmFyYmF6cXV4MTIz/NDU2Nzg5MA+abcdEFGHijklMNOPqrstuvwx0123456789ABCDEFGHIJ=="


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"GET /v3/directline/conversations/c1/stream?watermark=3&t={JWT} HTTP/1.1", JWT),
        ("GET /v3/directline/conversations/c1/stream?t=opaque-stream-token HTTP/1.1", "opaque"),
        ("POST http://alice:s3cr3t-pw@connector.example/v3/conversations", "s3cr3t-pw"),
        ("retrying https://x.blob.core.windows.net/c/b?sv=2022&sig=SIGvalue123%3D", "SIGvalue"),
        ("Authorization: Bearer abc.def-ghi_123", "abc.def-ghi_123"),
        ("my password is Hunter2-Pass!", "Hunter2-Pass!"),
        ("password: 'correct horse battery'", "correct horse"),
        ("api_key=k-12345-secret and more", "k-12345-secret"),
        (f"AccountName=acct;AccountKey={STORAGE_KEY};EndpointSuffix=x", STORAGE_KEY),
        ("the token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked", "ghp_abcdefghij"),
        ("use sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX now", "sk-proj-ABCDEF"),
        ("AKIAIOSFODNN7EXAMPLE is the access key id", "AKIAIOSFODNN7EXAMPLE"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----", "MIIEvQ"),
    ],
)
def test_secrets_with_a_shape_are_redacted(text, secret):
    cleaned = redact(text)
    assert secret not in cleaned
    assert REDACTED in cleaned
    assert secret not in redact_message(text)


@pytest.mark.parametrize(
    "text",
    [
        "which key is better for latency? the key is cost",
        "how do bearer tokens work with the Basic tier?",
        "what does max_tokens=4096 do in Azure OpenAI",
        "read https://learn.microsoft.com/en-us/azure/ai-services/openai/overview?tabs=python",
        "turn failed in conversation a:1XyZ0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdef",
        "app id 2b3e4f5a-1111-2222-3333-444455556666 and /usr/lib/python3.11/site-packages",
    ],
)
def test_ordinary_text_and_ids_are_kept(text):
    """Logs keep ids (a Teams conversation id looks random); messages keep words and URLs."""
    assert redact(text) == text
    if "conversation a:" not in text:
        assert redact_message(text) == text


def test_a_key_pasted_on_its_own_is_removed_from_messages_only():
    text = "why does 3f2a9c8e1b7d4a6f9e0c2b5a8d7f1e3c not work with Xk9pQ2mZ7rT4vB8nW1yL6sD3"
    assert redact(text) == text  # a log line may name ids like these
    assert redact_message(text) == f"why does {REDACTED} not work with {REDACTED}"


def test_the_unanswered_questions_table_gets_no_pasted_secret():
    store = FeedbackStore()
    store.record_gap("my password is Hunter2-Pass! how do I reset it")
    store.record_gap("my password is Other9-Pass! how do I reset it")
    (gap,) = store.gaps()
    assert gap.text == f"my password is {REDACTED} how do I reset it"
    assert gap.count == 2  # the same question, whatever secret was pasted into it
    store.close()


def test_transcripts_redact_what_the_user_typed_and_every_url():
    activity = {
        "type": "message",
        "from": {"id": "u1", "role": "user"},
        "text": "here is our key 3f2a9c8e1b7d4a6f9e0c2b5a8d7f1e3c, password: Hunter2-Pass!",
        "serviceUrl": "http://alice:s3cr3t-pw@connector.example/?sig=SIGvalue",
        "attachments": [{"contentUrl": "https://files.example/a.png?sig=SIGvalue&sv=1"}],
    }
    clean = str(sanitize(activity))
    for secret in ("3f2a9c8e", "Hunter2-Pass!", "s3cr3t-pw", "alice", "SIGvalue"):
        assert secret not in clean


def test_log_records_are_redacted_in_message_arguments_exceptions_and_extras():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    protect_logs(logger)
    protect_logs(logger)  # once is enough
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    try:
        logger.warning("sending to %s", "http://alice:s3cr3t-pw@connector.example/v3")
        try:
            raise RuntimeError(f"could not open /stream?t={JWT}")
        except RuntimeError:
            logger.exception("turn failed")
        logger.info("request", extra={"first_request_line": f"GET /x?t={JWT} HTTP/1.1"})
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "s3cr3t-pw" not in output and JWT not in output
    assert "turn failed" in output and "RuntimeError" in output  # the traceback is still there
