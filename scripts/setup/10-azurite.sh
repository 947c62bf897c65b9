#!/usr/bin/env bash
# Azurite, the official Azure Storage emulator, for the blob-storage and multi-instance tests:
# npm azurite@3.35.0 (newer versions need Node 21+) in the git-ignored .tools/azurite/ folder.
# Installs only what is missing. Without npm it only warns (the tests then skip, and fail when CI
# is set), so a machine without Node can still run the rest.
set -uo pipefail
cd "$(dirname "$0")/../.."

AZURITE_VERSION="3.35.0"
TOOLS=".tools/azurite"
BIN="$TOOLS/node_modules/.bin/azurite-blob"

installed="$(node -p "require('./$TOOLS/node_modules/azurite/package.json').version" \
    2>/dev/null || true)"
if [[ "$installed" == "$AZURITE_VERSION" && -x "$BIN" ]]; then
    echo "azurite: $AZURITE_VERSION already in $TOOLS/"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "azurite: npm not found; install Node.js 20 and npm to run the Azure Blob tests" >&2
    [[ -n "${CI:-}" ]] && exit 1
    exit 0
fi
mkdir -p "$TOOLS"
[[ -f "$TOOLS/package.json" ]] || echo '{"private": true, "name": "archbot-azurite"}' >"$TOOLS/package.json"
if npm install --prefix "$TOOLS" --silent --no-audit --no-fund --save-exact \
    "azurite@$AZURITE_VERSION" >/tmp/archbot-azurite-npm.log 2>&1 && [[ -x "$BIN" ]]; then
    echo "azurite: installed azurite@$AZURITE_VERSION into $TOOLS/"
else
    echo "azurite: npm install azurite@$AZURITE_VERSION failed:" >&2
    tail -5 /tmp/archbot-azurite-npm.log >&2
    [[ -n "${CI:-}" ]] && exit 1
    exit 0
fi
