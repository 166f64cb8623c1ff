#!/usr/bin/env bash
# The size table of docs/components.md: every guest component, as built, after
# `weft optimize --no-wasm-opt`, after `weft optimize` (wasm-opt -Oz), and by hand:
# `wasm-tools strip --all` on the component (it strips every level), then `wasm-opt -Oz`
# on every core module, nested ones included, put back in place. No tool extracts and
# splices core modules, so that last step uses `weft optimize --strip-all --wasm-opt W`
# on the wasm-tools output, W being a wrapper that runs exactly `wasm-opt IN -o OUT -Oz`
# with the feature flags below: weft only cuts and splices, it strips nothing more.
#
# Usage: bash benches/sizes.sh [GUEST.wasm...]   (default: every built guest, and the
# jco greeter when ~/.cache/weft/js-guests/greeter.wasm exists)
# Needs: weft built (`cargo build -p weft-cli`), wasm-tools (`cargo install --locked
# wasm-tools`), wasm-opt (`bash scripts/setup-binaryen.sh`).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
weft="${WEFT:-$target/debug/weft}"
guests_dir="${WEFT_GUESTS_TARGET_DIR:-$root/guests/target}/wasm32-wasip2/release"
wasm_opt="${WEFT_WASM_OPT:-$(command -v wasm-opt || echo "$HOME/.cache/weft/binaryen/node_modules/.bin/wasm-opt")}"
wasm_tools="$(command -v wasm-tools || echo "$HOME/.cargo/bin/wasm-tools")"
for tool in "$weft" "$wasm_opt" "$wasm_tools"; do
    [ -x "$tool" ] || { echo "sizes.sh: $tool is missing (see the header of this script)" >&2; exit 1; }
done

if [ "$#" -eq 0 ]; then
    set -- "$guests_dir"/*.wasm
    js="$HOME/.cache/weft/js-guests/greeter.wasm"
    [ -f "$js" ] && set -- "$@" "$js"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The by-hand wasm-opt: what a user runs on one module extracted from the component,
# `wasm-opt -Oz` with the features rustc's modules use; weft only does the extraction and
# the splicing back (`--wasm-opt`, `--strip-all` so that weft's own stripping is a no-op
# beyond what `wasm-tools strip --all` already did).
cat >"$work/by-hand-wasm-opt" <<WRAP
#!/bin/sh
if [ "\$1" = --version ] || [ "\$1" = --help ]; then exec "$wasm_opt" "\$1"; fi
exec "$wasm_opt" "\$1" -o "\$3" -Oz --enable-sign-ext --enable-mutable-globals \\
    --enable-nontrapping-float-to-int --enable-bulk-memory --enable-bulk-memory-opt \\
    --enable-call-indirect-overlong --enable-multivalue --enable-reference-types \\
    --enable-simd --enable-extended-const --enable-tail-call --enable-multimemory
WRAP
chmod +x "$work/by-hand-wasm-opt"

size() { stat -c %s "$1"; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * b / a }'; }

echo "| guest | as built | \`weft optimize --no-wasm-opt\` | \`weft optimize\` (-Oz) | \`wasm-tools strip --all\` + \`wasm-opt -Oz\` by hand |"
echo "|---|---:|---:|---:|---:|"
for guest in "$@"; do
    name="$(basename "$guest" .wasm)"
    case "$guest" in */js-guests/*) name="$name (jco)";; esac
    "$weft" optimize "$guest" -o "$work/stripped.wasm" --no-wasm-opt >/dev/null
    "$weft" optimize "$guest" -o "$work/optimized.wasm" --wasm-opt "$wasm_opt" >/dev/null
    "$wasm_tools" strip --all "$guest" -o "$work/wt-strip.wasm"
    "$weft" optimize "$work/wt-strip.wasm" -o "$work/by-hand.wasm" --strip-all \
        --wasm-opt "$work/by-hand-wasm-opt" >/dev/null
    "$wasm_tools" validate "$work/by-hand.wasm"
    s0="$(size "$guest")"
    s1="$(size "$work/stripped.wasm")"
    s2="$(size "$work/optimized.wasm")"
    s3="$(size "$work/by-hand.wasm")"
    echo "| $name | $s0 | $s1 ($(pct "$s0" "$s1")) | $s2 ($(pct "$s0" "$s2")) | $s3 ($(pct "$s0" "$s3")) |"
done
