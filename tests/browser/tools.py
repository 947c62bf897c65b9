"""What the browser tests need beyond Python (installed by `make setup`), and how they stop
without it: a skip, or a failure under CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

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


def run_script(script: Path, plan: dict[str, Any], folder: Path, timeout: int) -> str:
    """Run a browser script (node) on a plan written to `folder`, with Chromium and
    playwright-core added to it; fail the test if it runs over `timeout` seconds or fails.
    Returns what it printed."""
    plan_file = folder / "plan.json"
    plan_file.write_text(
        json.dumps({**plan, "chromium": str(CHROMIUM), "playwright": str(PLAYWRIGHT)}, indent=2)
    )
    try:
        run = subprocess.run(
            ["node", str(script), str(plan_file)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the browser script ran over {timeout} s:\n{exc.stdout}")
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"the browser script failed:\n{output}"
    return output
