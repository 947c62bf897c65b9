#!/usr/bin/env bash
# docs/screenshots/: the chat page as a user sees it, on a 375 px phone and on a desktop (the
# recommendation's diagram and the exported decision record among them). The
# pictures come out of the real browser test (tests/browser/test_webchat.py: `archbot serve` on
# the real knowledge base, Web Chat in headless Chromium), so they show the page as tested.
# Re-run after changing web/ or the replies:  bash scripts/webchat_screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."

shots="$(mktemp -d)"
trap 'rm -rf "$shots"' EXIT
ARCHBOT_BROWSER_ARTIFACTS="$shots" CI=1 .venv/bin/pytest -q -p no:cacheprovider \
    tests/browser/test_webchat.py >"$shots/pytest.log" 2>&1 || {
    tail -40 "$shots/pytest.log" >&2
    exit 1
}
mkdir -p docs/screenshots
for name in phone-welcome phone-answer phone-advice phone-walkthrough phone-diagram phone-record \
    desktop-answer desktop-walkthrough desktop-diagram desktop-record; do
    cp "$shots/webchat-$name.png" "docs/screenshots/webchat-$name.png"
done
echo "screenshots: docs/screenshots/webchat-{phone,desktop}-*.png regenerated"

# The recommendation card as Teams shows it, from the Agents Playground test (when installed).
if [ -d .tools/playground ]; then
    CI=1 .venv/bin/pytest -q -p no:cacheprovider tests/browser/test_playground.py \
        >"$shots/playground.log" 2>&1 || {
        tail -40 "$shots/playground.log" >&2
        exit 1
    }
    cp test-artifacts/playground-personal-recommendation.png \
        docs/screenshots/playground-recommendation.png
    echo "screenshots: docs/screenshots/playground-recommendation.png regenerated"
fi
