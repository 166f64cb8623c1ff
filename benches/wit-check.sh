#!/usr/bin/env bash
# Benchmark: `weft wit check` against `wasm-tools component wit` on the same
# input, the WASI 0.2 WIT set behind the `wasi:http` proxy world (the `wit/`
# directory of the wasmtime-wasi-http 48.0.8 crate sources, with its deps/),
# in one hyperfine run. Prints both means and the ratio weft / wasm-tools
# (target: at most 1.0).
#
# A third command times the `weft-wit` library alone (its `wit-check` example,
# release build) to show how much of weft's time is the `weft` binary's start-up.
#
# Usage: benches/wit-check.sh [WIT_DIR]
#   WIT_DIR defaults to ~/.cargo/registry/src/*/wasmtime-wasi-http-48.0.8/wit
# Environment: CARGO_TARGET_DIR (where weft is built), RUNS (default 50),
#   WEFT (a prebuilt weft binary to use instead of building one).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-50}"

wit_dir="${1:-}"
if [ -z "$wit_dir" ]; then
  wit_dir="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasmtime-wasi-http-48.0.8/wit 2>/dev/null | head -n1 || true)"
fi
if [ -z "$wit_dir" ] || [ ! -d "$wit_dir" ]; then
  echo "error: the wasmtime-wasi-http 48.0.8 sources are not in the cargo registry; run \`cargo fetch\` in $root or pass a WIT directory" >&2
  exit 1
fi

if ! command -v hyperfine >/dev/null; then
  echo "installing hyperfine (apt-get)" >&2
  apt-get install -y hyperfine >&2
fi
if ! command -v wasm-tools >/dev/null; then
  echo "installing wasm-tools (cargo install --locked wasm-tools; this takes a while)" >&2
  cargo install --locked wasm-tools >&2
fi

target="${CARGO_TARGET_DIR:-$root/target}"
if [ -n "${WEFT:-}" ]; then
  weft="$WEFT"
else
  (cd "$root" && cargo build --release -p weft-cli >&2)
  weft="$target/release/weft"
fi
(cd "$root" && cargo build --release -p weft-wit --example wit-check >&2)
lib="$target/release/examples/wit-check"

# Both tools must accept the input before timing them.
"$weft" wit check "$wit_dir" >&2
wasm-tools component wit "$wit_dir" >/dev/null

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
hyperfine --warmup 5 --runs "$runs" -N \
  --export-json "$out/result.json" \
  -n "weft wit check" "$weft wit check $wit_dir" \
  -n "wasm-tools component wit" "wasm-tools component wit $wit_dir" \
  -n "weft-wit library" "$lib $wit_dir" >&2

python3 - "$out/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
w, t = r["weft wit check"], r["wasm-tools component wit"]
print(f"weft wit check:           {w['mean'] * 1e3:.2f} ms ± {w['stddev'] * 1e3:.2f}")
print(f"wasm-tools component wit: {t['mean'] * 1e3:.2f} ms ± {t['stddev'] * 1e3:.2f}")
ratio = w["mean"] / t["mean"]
l = r["weft-wit library"]
print(f"weft-wit library alone:   {l['mean'] * 1e3:.2f} ms ± {l['stddev'] * 1e3:.2f}")
print(f"ratio weft / wasm-tools:  {ratio:.2f} (target <= 1.0)")
print(f"ratio library / wasm-tools: {l['mean'] / t['mean']:.2f}")
PY
