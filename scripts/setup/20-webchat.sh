#!/usr/bin/env bash
# The Web Chat bundle the chat page serves (web/vendor/webchat.js, git-ignored).
# `npm pack` fetches only botframework-webchat's own tarball (no node_modules, no dependencies);
# we keep its self-contained dist/webchat.js and throw the rest away. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION="4.18.1"
TARGET="web/vendor/webchat.js"
STAMP="web/vendor/webchat.version"

if [[ -s "$TARGET" && "$(cat "$STAMP" 2>/dev/null)" == "$VERSION" ]]; then
    echo "webchat: botframework-webchat@$VERSION already in $TARGET"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "webchat: npm not found; the chat page will explain that the bundle is missing" >&2
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm pack --silent --no-audit --no-fund "botframework-webchat@$VERSION" \
        >/dev/null 2>"$work/npm.log"); then
    echo "webchat: npm pack botframework-webchat@$VERSION failed:" >&2
    cat "$work/npm.log" >&2
    exit 0  # the browser test says what is missing (and fails when CI is set)
fi
tar -xzf "$work"/botframework-webchat-*.tgz -C "$work" package/dist/webchat.js
mkdir -p "$(dirname "$TARGET")"
mv "$work/package/dist/webchat.js" "$TARGET.tmp"
mv "$TARGET.tmp" "$TARGET"
echo "$VERSION" >"$STAMP"
echo "webchat: installed botframework-webchat@$VERSION into $TARGET ($(du -h "$TARGET" | cut -f1))"
