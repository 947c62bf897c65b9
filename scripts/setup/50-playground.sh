#!/usr/bin/env bash
# Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground, CLI `agentsplayground`): the
# local client that shows ArchBot as Teams does, and what tests/browser/test_playground.py drives.
# A self-contained package (no dependencies) in the git-ignored .tools/playground/ folder.
# Installs only what is missing; never fails the build without CI (the test says what is missing,
# and fails when CI is set).
set -uo pipefail
cd "$(dirname "$0")/../.."

PLAYGROUND_VERSION="0.2.28"
TOOLS=".tools/playground"
BIN="$TOOLS/node_modules/.bin/agentsplayground"

installed="$(node -p \
    "require('./$TOOLS/node_modules/@microsoft/m365agentsplayground/package.json').version" \
    2>/dev/null || true)"
if [[ "$installed" == "$PLAYGROUND_VERSION" && -x "$BIN" ]]; then
    echo "playground: @microsoft/m365agentsplayground@$PLAYGROUND_VERSION already in $TOOLS/"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "playground: npm not found; install Node.js 20 and npm to run the Playground" >&2
    [[ -n "${CI:-}" ]] && exit 1
    exit 0
fi
mkdir -p "$TOOLS"
[[ -f "$TOOLS/package.json" ]] ||
    echo '{"private": true, "name": "archbot-playground"}' >"$TOOLS/package.json"
if npm install --prefix "$TOOLS" --silent --no-audit --no-fund --save-exact \
    "@microsoft/m365agentsplayground@$PLAYGROUND_VERSION" >"$TOOLS/npm.log" 2>&1 && [[ -x "$BIN" ]]; then
    echo "playground: installed @microsoft/m365agentsplayground@$PLAYGROUND_VERSION into $TOOLS/"
else
    echo "playground: npm install @microsoft/m365agentsplayground@$PLAYGROUND_VERSION failed:" >&2
    tail -5 "$TOOLS/npm.log" >&2
    [[ -n "${CI:-}" ]] && exit 1
    exit 0
fi
