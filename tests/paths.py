"""Where the tests find their data."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURE_KB = REPO_ROOT / "tests" / "fixtures" / "knowledge"
DEV_SET = REPO_ROOT.parent / "shared" / "eval" / "dev.yaml"
