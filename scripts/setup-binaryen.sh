#!/usr/bin/env bash
# Installs binaryen's wasm-opt for `weft optimize`, idempotently: npm's `binaryen`
# package, pinned, into $HOME/.cache/weft/binaryen (or $WEFT_BINARYEN_PREFIX). It ships
# `bin/wasm-opt`, binaryen compiled to wasm and run by Node.js, so no root and no
# download outside the npm registry. `weft optimize` finds it there without PATH changes
# (after `--wasm-opt`, $WEFT_WASM_OPT and PATH); docs/optimize.md says why this package
# and not Debian's `binaryen` (version 108).
# Prints one summary line on success; on failure, the log of the step that failed.
set -euo pipefail

BINARYEN_VERSION=132.0.0
PREFIX="${WEFT_BINARYEN_PREFIX:-$HOME/.cache/weft/binaryen}"
WASM_OPT="$PREFIX/node_modules/.bin/wasm-opt"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
fail() {
    echo "setup-binaryen: $1" >&2
    cat "$log" >&2
    exit 1
}

command -v npm >/dev/null || fail "npm is missing (install Node.js and npm)"
installed=""
if [ -f "$PREFIX/node_modules/binaryen/package.json" ]; then
    installed="$(node -p "require('$PREFIX/node_modules/binaryen/package.json').version" 2>/dev/null || true)"
fi
if [ "$installed" != "$BINARYEN_VERSION" ] || [ ! -x "$WASM_OPT" ]; then
    mkdir -p "$PREFIX"
    # A package.json of its own, so npm installs here and not in a parent project.
    [ -f "$PREFIX/package.json" ] || echo '{"name": "weft-binaryen", "private": true}' >"$PREFIX/package.json"
    npm install --prefix "$PREFIX" --no-audit --no-fund --save-exact \
        "binaryen@$BINARYEN_VERSION" >"$log" 2>&1 \
        || fail "npm install binaryen@$BINARYEN_VERSION failed"
fi

version="$("$WASM_OPT" --version 2>>"$log")" || fail "$WASM_OPT --version failed"
echo "wasm-opt ready: $version at $WASM_OPT"
