"""Browser-test fixtures: the e2e server fixtures (a real `archbot serve`) and their failure log."""

from __future__ import annotations

from ..e2e.conftest import (  # noqa: F401  (fixtures and the report hook, reused as they are)
    archbot_module_factory,
    pytest_runtest_makereport,
)
