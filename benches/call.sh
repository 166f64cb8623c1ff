#!/usr/bin/env bash
# One-shot call speed: `weft call` against `wasmtime run --invoke` on the same component,
# both with warm compile caches, in one hyperfine run; prints weft's time over wasmtime's
# (target <= 1.0), the share of weft's time spent checking the compile cache entry's
# integrity, and the peak RSS of each.
#
#     bash benches/call.sh        # installs hyperfine, GNU time and wasmtime 48.0.8 if missing
#
# The greeter imports `example:greeter/logging`, which `wasmtime run` cannot provide, so
# both run the greeter composed with the logger (`examples/compose/compose.toml`): the
# result imports only WASI. Each run is a fresh process: start-up, loading the cached
# compiled component, linking WASI, instantiating, one call, printing the result.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
wasmtime_version=48.0.8

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    apt-get install -y "${missing[@]}" >/dev/null
fi
if ! command -v wasmtime >/dev/null; then
    if [ -x "$HOME/.cargo/bin/wasmtime" ]; then
        PATH="$HOME/.cargo/bin:$PATH"
    else
        echo "wasmtime is missing; installing wasmtime-cli $wasmtime_version (takes a while)" >&2
        cargo install --locked wasmtime-cli --version "$wasmtime_version"
    fi
fi

cargo build --quiet --release -p weft-cli
weft="$target_dir/release/weft"
# Where examples/compose/compose.toml looks for them, whatever CARGO_TARGET_DIR says.
cargo build --quiet --release --target wasm32-wasip2 --target-dir guests/target \
    --manifest-path guests/Cargo.toml -p greeter -p logger

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
app="$work/app.wasm"
"$weft" compose examples/compose/compose.toml -o "$app" >/dev/null 2>&1

# weft keeps its compile cache in a directory of its own for this run; wasmtime uses its
# default cache (on unless configured off). One call each fills them.
export WEFT_CACHE_DIR="$work/weft-cache"
call='greet({name: "Ada", title: none})'
# `--invoke` on a component takes a WAVE call; a bare name finds the export inside the
# exported interface when it is unique.
invoke="$call"
weft_cmd=("$weft" call "$app" "$call")
wasmtime_cmd=(wasmtime run --invoke "$invoke" "$app")

echo "weft: $("$weft" --version)   $(wasmtime --version)   $(hyperfine --version)"
echo "component: $(wc -c <"$app") B (greeter + logger)"
echo "weft call:        $("${weft_cmd[@]}" 2>/dev/null)"
echo "wasmtime --invoke: $("${wasmtime_cmd[@]}" 2>/dev/null)"
ls "$WEFT_CACHE_DIR" >/dev/null

hyperfine --warmup 3 --min-runs 30 -N --export-json "$work/times.json" \
    -n "weft call" "$weft call $app '$call'" \
    -n "wasmtime run --invoke" "wasmtime run --invoke '$invoke' $app"

python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
weft, wt = results["weft call"], results["wasmtime run --invoke"]
print(f"ratio weft call / wasmtime run --invoke: mean {weft['mean'] / wt['mean']:.2f}, "
      f"median {weft['median'] / wt['median']:.2f}  "
      f"({weft['mean'] * 1e3:.2f} ms vs {wt['mean'] * 1e3:.2f} ms mean; target <= 1.0)")
PY

# The compile cache's integrity check (a keyed BLAKE3 hash of the artifact, verified before
# it is mapped) on this one-shot call: weft logs its time at trace level.
checks=()
for _ in $(seq 15); do
    checks+=("$(RUST_LOG=weft_runtime::cache=trace "${weft_cmd[@]}" 2>&1 >/dev/null |
        sed -n 's/.*verified in \([0-9]*\) us.*/\1/p')")
done
check_us=$(printf '%s\n' "${checks[@]}" | sort -n | sed -n 8p)
artifact_bytes=$(find "$WEFT_CACHE_DIR" -type f -size +1k -printf '%s\n' | sort -n | tail -1)
python3 - "$work/times.json" "$check_us" "$artifact_bytes" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
check_ms = int(sys.argv[2]) / 1e3
call_ms = results["weft call"]["median"] * 1e3
print(f"cache integrity check: {check_ms:.3f} ms (median of 15) for a {int(sys.argv[3]) / 2**20:.1f} MiB "
      f"artifact, {100 * check_ms / call_ms:.1f}% of the {call_ms:.2f} ms one-shot call")
PY

# Peak RSS: the median of five runs each, from GNU time.
rss() {
    local runs=()
    for _ in 1 2 3 4 5; do
        runs+=("$(/usr/bin/time -v "$@" 2>&1 >/dev/null |
            awk -F': ' '/Maximum resident set size/ {print $2}')")
    done
    printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p
}
weft_rss=$(rss "${weft_cmd[@]}")
wasmtime_rss=$(rss "${wasmtime_cmd[@]}")
awk -v w="$weft_rss" -v t="$wasmtime_rss" 'BEGIN {
    printf "peak RSS (median of 5): weft call %.1f MiB, wasmtime run --invoke %.1f MiB (ratio %.2f)\n",
        w / 1024, t / 1024, w / t }'
