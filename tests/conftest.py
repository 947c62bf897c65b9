"""Shared fixtures: the small sample knowledge base used by unit and conversation tests."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.kb import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.core.router import Router
from bot.hosting.runtime import MEMORY_URL, Runtime, build_runtime
from bot.operations.config import Settings

from .conversation import Conversation
from .paths import FIXTURE_KB, REPO_ROOT

REAL_KB = REPO_ROOT / "knowledge"


@pytest.fixture(scope="session")
def sample_kb() -> KnowledgeBase:
    """The fixture knowledge base: a few topics, stable whatever the real KB says."""
    return load_knowledge(FIXTURE_KB)


@pytest.fixture(scope="session")
def sample_router(sample_kb: KnowledgeBase) -> Router:
    """A router over the fixture knowledge base."""
    return Router(sample_kb)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real knowledge base (knowledge/), loaded once."""
    return load_knowledge(REAL_KB)


@pytest.fixture(scope="module")
def real_runtime(kb: KnowledgeBase) -> Runtime:
    """The whole bot over the real knowledge base, state in memory; one per test module (tests
    keep apart by their own conversation ids)."""
    return build_runtime(dataclasses.replace(Settings(), storage=MEMORY_URL), kb)


@pytest.fixture
def convo(real_runtime: Runtime, request: pytest.FixtureRequest) -> Conversation:
    """A conversation of the test's own with the whole bot on the real knowledge base (a module
    may define its own `convo`)."""
    return Conversation(real_runtime.handler, conversation=request.node.name)
