"""Shared fixtures: the small sample knowledge base used by unit and conversation tests."""

from __future__ import annotations

import pytest

from bot.core.kb import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.core.router import Router

from .paths import FIXTURE_KB


@pytest.fixture(scope="session")
def sample_kb() -> KnowledgeBase:
    """The fixture knowledge base: a few topics, stable whatever the real KB says."""
    return load_knowledge(FIXTURE_KB)


@pytest.fixture(scope="session")
def sample_router(sample_kb: KnowledgeBase) -> Router:
    """A router over the fixture knowledge base."""
    return Router(sample_kb)
