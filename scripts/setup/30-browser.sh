#!/usr/bin/env bash
# Headless browser for tests/browser: Debian's chromium + chromium-driver (apt, as root) and the
# npm package playwright-core in the git-ignored .tools/browser/ folder. playwright-core never
# downloads a browser: the test launches /usr/bin/chromium. Installs only what is missing; never
# fails the build (the browser test says what is missing, and fails when CI is set).
set -uo pipefail
cd "$(dirname "$0")/../.."

PLAYWRIGHT_VERSION="1.65.1"
TOOLS=".tools/browser"
CHROMIUM="${ARCHBOT_CHROMIUM:-/usr/bin/chromium}"
did=()

if [[ -x "$CHROMIUM" ]]; then
    :
elif [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >/tmp/archbot-apt.log 2>&1 &&
        apt-get install -y -qq --no-install-recommends chromium chromium-driver \
            >>/tmp/archbot-apt.log 2>&1; then
        did+=("installed chromium and chromium-driver (apt)")
    else
        echo "browser: apt-get install chromium chromium-driver failed (log: /tmp/archbot-apt.log)" >&2
        tail -5 /tmp/archbot-apt.log >&2
    fi
else
    echo "browser: $CHROMIUM is missing; install Debian's chromium and chromium-driver as root" >&2
fi

installed="$(node -p "require('./$TOOLS/node_modules/playwright-core/package.json').version" \
    2>/dev/null || true)"
if [[ "$installed" == "$PLAYWRIGHT_VERSION" ]]; then
    :
elif command -v npm >/dev/null 2>&1; then
    mkdir -p "$TOOLS"
    [[ -f "$TOOLS/package.json" ]] || echo '{"private": true, "name": "archbot-browser-tools"}' >"$TOOLS/package.json"
    if PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$TOOLS" --silent --no-audit \
        --no-fund --save-exact "playwright-core@$PLAYWRIGHT_VERSION" >/tmp/archbot-npm.log 2>&1; then
        did+=("installed playwright-core@$PLAYWRIGHT_VERSION into $TOOLS/")
    else
        echo "browser: npm install playwright-core@$PLAYWRIGHT_VERSION failed:" >&2
        tail -5 /tmp/archbot-npm.log >&2
    fi
else
    echo "browser: npm not found; cannot install playwright-core" >&2
fi

if ((${#did[@]})); then
    printf 'browser: %s\n' "$(printf '%s; ' "${did[@]}" | sed 's/; $//')"
else
    echo "browser: chromium and playwright-core already present (or not installable here)"
fi
exit 0
