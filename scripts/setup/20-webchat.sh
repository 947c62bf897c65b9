#!/usr/bin/env bash
# The Web Chat bundle the chat page serves (web/vendor/webchat.js, git-ignored), pinned and
# checksummed. `npm pack` fetches only botframework-webchat's own tarball (no node_modules, no
# dependencies); the tarball must match TARBALL_SHA512 (the registry's `dist.integrity`) and the
# self-contained dist/webchat.js inside it BUNDLE_SHA256, else nothing is installed. Idempotent.
#
# deploy/Dockerfile runs this same script in its build stage with --require: then any failure fails
# the build. Without it a failure only warns: the page explains the missing bundle, and the browser
# test fails when CI is set. To move to another release, change VERSION and both sums together
# (`npm view botframework-webchat@X dist.integrity`; `sha256sum package/dist/webchat.js`).
# 4.19.x: not on the npm registry these machines reach (its newest there is 4.18.1, Dec 2026).
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION="4.18.1"
TARBALL_SHA512="7jpEUJ7olT62Xm+8eh7BhhIcXVfU2xD4pZDaeBt8K4XcNy6K/83UGIxE9BFkXmHMZ4hDEVOzs5cre07GWuaXzg=="
BUNDLE_SHA256="0a68ad0a64fc04d621197da10c3eec0f843e16f7d03f6bcbed29b47517cf9bff"
TARGET="web/vendor/webchat.js"

require=0
[[ "${1:-}" == "--require" ]] && require=1
give_up() {
    echo "webchat: $*" >&2
    exit "$require"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -s "$TARGET" && "$(sha256_of "$TARGET")" == "$BUNDLE_SHA256" ]]; then
    echo "webchat: botframework-webchat@$VERSION already in $TARGET"
    exit 0
fi
command -v npm >/dev/null 2>&1 || give_up "npm not found; the chat page will explain that the bundle is missing"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm pack --silent --no-audit --no-fund "botframework-webchat@$VERSION" \
        >/dev/null 2>"$work/npm.log"); then
    cat "$work/npm.log" >&2
    give_up "npm pack botframework-webchat@$VERSION failed"
fi
tarball="$(ls "$work"/botframework-webchat-*.tgz)"
integrity="$(node -e 'const f = require("fs"), c = require("crypto");
process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' \
    "$tarball")"
[[ "$integrity" == "$TARBALL_SHA512" ]] ||
    give_up "botframework-webchat@$VERSION tarball is sha512-$integrity, pinned sha512-$TARBALL_SHA512"
tar -xzf "$tarball" -C "$work" package/dist/webchat.js
bundle="$work/package/dist/webchat.js"
[[ "$(sha256_of "$bundle")" == "$BUNDLE_SHA256" ]] ||
    give_up "dist/webchat.js of $VERSION is sha256 $(sha256_of "$bundle"), pinned $BUNDLE_SHA256"
mkdir -p "$(dirname "$TARGET")"
mv "$bundle" "$TARGET.tmp"
mv "$TARGET.tmp" "$TARGET"
echo "webchat: installed botframework-webchat@$VERSION into $TARGET ($(du -h "$TARGET" | cut -f1), sha256 checked)"
