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
#        benches/wit-check.sh --fetch-only   # print the default WIT_DIR and stop
#   WIT_DIR defaults to the `wit/` directory of wasmtime-wasi-http 48.0.8, which
#   the script fetches itself: that crate is not a dependency of weft, so a
#   throwaway cargo project in a temporary directory depends on it, `cargo fetch`
#   downloads it into the cargo registry (building nothing), and `cargo metadata`
#   says where its sources are.
# Environment: CARGO_TARGET_DIR (where weft is built), RUNS (default 50),
#   WEFT (a prebuilt release weft binary to use instead of building one).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-50}"
http_version="48.0.8"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Prints the `wit/` directory of wasmtime-wasi-http $http_version, fetching the
# crate into the cargo registry first.
fetch_wit_dir() {
  local project="$scratch/fetch"
  mkdir -p "$project/src"
  : >"$project/src/lib.rs"
  # The empty [workspace] keeps cargo from looking for a parent workspace.
  cat >"$project/Cargo.toml" <<TOML
[package]
name = "weft-wit-check-bench-input"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
wasmtime-wasi-http = "=$http_version"

[workspace]
TOML
  echo "fetching wasmtime-wasi-http $http_version (cargo fetch in $project)" >&2
  (cd "$project" && cargo fetch --quiet >&2)
  local crate_dir
  crate_dir="$(cd "$project" && cargo metadata --format-version 1 --offline |
    python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p["name"] == "wasmtime-wasi-http" and p["version"] == sys.argv[1]:
        print(os.path.dirname(p["manifest_path"]))
        break
else:
    sys.exit("wasmtime-wasi-http " + sys.argv[1] + " is not in the cargo metadata")
' "$http_version")"
  if [ ! -d "$crate_dir/wit/deps" ]; then
    echo "error: $crate_dir/wit has no deps/ directory; is this the wasmtime-wasi-http crate?" >&2
    return 1
  fi
  echo "$crate_dir/wit"
}

if [ "${1:-}" = "--fetch-only" ]; then
  fetch_wit_dir
  exit 0
fi

wit_dir="${1:-}"
if [ -z "$wit_dir" ]; then
  wit_dir="$(fetch_wit_dir)"
fi
if [ ! -d "$wit_dir" ]; then
  echo "error: \`$wit_dir\` is not a directory; pass a WIT directory (with deps/) or no argument to fetch the default" >&2
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
  (cd "$root" && cargo build --release -p weft-cli --bin weft >&2)
  weft="$target/release/weft"
fi
(cd "$root" && cargo build --release -p weft-wit --example wit-check >&2)
lib="$target/release/examples/wit-check"

# Both tools must accept the input before timing them.
"$weft" wit check "$wit_dir" >&2
wasm-tools component wit "$wit_dir" >/dev/null

hyperfine --warmup 5 --runs "$runs" -N \
  --export-json "$scratch/result.json" \
  -n "weft wit check" "$weft wit check $wit_dir" \
  -n "wasm-tools component wit" "wasm-tools component wit $wit_dir" \
  -n "weft-wit library" "$lib $wit_dir" >&2

python3 - "$scratch/result.json" <<'PY'
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
