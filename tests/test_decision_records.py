"""The decision records of the development-set profiles (docs/examples/) are current: what a
reviewer reads there is what users get from "Export decision record"."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from .paths import REPO_ROOT


def _script() -> ModuleType:
    path = REPO_ROOT / "scripts" / "decision_records.py"
    spec = importlib.util.spec_from_file_location("decision_records", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_checked_in_decision_records_are_current():
    script = _script()
    if not all(path.is_file() for path in script.SETS):
        pytest.skip(f"no development sets at {script.SETS} (shared/ sits beside the repository)")
    files = script.generate()
    assert script.stale(files) == [], (
        "docs/examples/ is stale: run .venv/bin/python scripts/decision_records.py"
    )
    profiles = script.profiles()
    records = [name for name in files if name.endswith(".md") and name != "README.md"]
    assert len(records) == len(profiles)  # every profile reaches a recommendation
    for name in records:
        record = files[name]
        assert record.startswith("# ") and "\n## Alternatives Considered\n" in record
        assert "](diagrams/" in record  # the diagram beside it, as SVG
