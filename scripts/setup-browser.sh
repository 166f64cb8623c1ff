#!/usr/bin/env bash
# Installs what the browser test of `weft serve`'s page needs, idempotently:
#   - Debian's `chromium` (only when /usr/bin/chromium is missing);
#   - `playwright-core` from npm, pinned, into $HOME/.cache/weft/browser.
# Playwright's own browser download is never used (it cannot be fetched here, and
# Debian's build is what CI has), so only playwright-core is installed.
# Prints one summary line on success; on failure, the log of the step that failed.
set -euo pipefail

PLAYWRIGHT_CORE_VERSION=1.65.1
PREFIX="${WEFT_BROWSER_PREFIX:-$HOME/.cache/weft/browser}"
CHROMIUM=/usr/bin/chromium

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
fail() {
    echo "setup-browser: $1" >&2
    cat "$log" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x "$CHROMIUM" ]; then
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q >"$log" 2>&1 || fail "apt-get update failed"
    as_root apt-get install -y -q --no-install-recommends chromium >>"$log" 2>&1 \
        || fail "apt-get install chromium failed"
    [ -x "$CHROMIUM" ] || fail "chromium installed, but $CHROMIUM is missing"
fi

command -v npm >/dev/null || fail "npm is missing (install Node.js and npm)"
installed=""
if [ -f "$PREFIX/node_modules/playwright-core/package.json" ]; then
    installed="$(node -p "require('$PREFIX/node_modules/playwright-core/package.json').version" 2>/dev/null || true)"
fi
if [ "$installed" != "$PLAYWRIGHT_CORE_VERSION" ]; then
    mkdir -p "$PREFIX"
    # A package.json of its own, so npm installs here and not in a parent project.
    [ -f "$PREFIX/package.json" ] || echo '{"name": "weft-browser-test", "private": true}' >"$PREFIX/package.json"
    npm install --prefix "$PREFIX" --no-audit --no-fund --save-exact \
        "playwright-core@$PLAYWRIGHT_CORE_VERSION" >"$log" 2>&1 \
        || fail "npm install playwright-core@$PLAYWRIGHT_CORE_VERSION failed"
fi

chromium_version="$("$CHROMIUM" --version 2>/dev/null | head -n1 || echo chromium)"
echo "browser test ready: $chromium_version at $CHROMIUM, playwright-core $PLAYWRIGHT_CORE_VERSION in $PREFIX/node_modules"
