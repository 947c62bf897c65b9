#!/usr/bin/env bash
# Offline validators for the Teams work (git-ignored .tools/teams/):
#  - @microsoft/app-manifest: the official Teams app manifest JSON schemas (`archbot teams package`)
#  - adaptivecards@3.0.6: the official Adaptive Cards JS SDK, used by tests/test_cards.py
# Both are plain npm packages; nothing else is downloaded. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

PACKAGES=("@microsoft/app-manifest@1.1.2" "adaptivecards@3.0.6")
PREFIX=".tools/teams"
STAMP="$PREFIX/installed.version"

if [[ "$(cat "$STAMP" 2>/dev/null)" == "${PACKAGES[*]}" \
        && -d "$PREFIX/node_modules/@microsoft/app-manifest/build/json-schemas/teams" \
        && -f "$PREFIX/node_modules/adaptivecards/dist/adaptivecards.js" ]]; then
    echo "teams: ${PACKAGES[*]} already in $PREFIX"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "teams: npm not found; 'archbot teams package' and the card tests will say what is missing" >&2
    exit 0
fi

mkdir -p "$PREFIX"
[[ -f "$PREFIX/package.json" ]] || echo '{"name": "archbot-teams-tools", "private": true}' \
    >"$PREFIX/package.json"
if ! npm install --silent --no-audit --no-fund --prefix "$PREFIX" "${PACKAGES[@]}" \
        >"$PREFIX/npm.log" 2>&1; then
    echo "teams: npm install ${PACKAGES[*]} failed:" >&2
    cat "$PREFIX/npm.log" >&2
    exit 0  # the tests say what is missing (and fail when CI is set)
fi
echo "${PACKAGES[*]}" >"$STAMP"
echo "teams: installed ${PACKAGES[*]} into $PREFIX"
