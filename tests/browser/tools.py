"""What the browser tests need beyond Python (installed by `make setup`), and how they stop
without it: a skip, or a failure under CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ..paths import REPO_ROOT

CHROMIUM = Path(os.environ.get("ARCHBOT_CHROMIUM", "/usr/bin/chromium"))
PLAYWRIGHT = REPO_ROOT / ".tools" / "browser" / "node_modules" / "playwright-core"


def require_tools(test: str, extra: dict[Path, str]) -> None:
    """Skip `test` (fail it under CI) when Node, Chromium, playwright-core or one of the
    `extra` files (path → the script that installs it) is missing."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node (Node.js)")
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt: chromium chromium-driver)")
    if not (PLAYWRIGHT / "package.json").is_file():
        missing.append(f"{PLAYWRIGHT.relative_to(REPO_ROOT)} (npm: playwright-core)")
    for path, how in extra.items():
        if not path.is_file():
            missing.append(f"{path.relative_to(REPO_ROOT)} ({how})")
    if missing:
        reason = f"{test} needs " + ", ".join(missing) + ": run `make setup`"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so this is a failure)")
        pytest.skip(reason)
