#!/usr/bin/env bash
# Composition speed: `weft compose` against `wac compose` on the same graph (the seed's
# greeter + logger), in one hyperfine run, printing weft's time over wac's (target <= 1.0).
#
#     bash benches/compose.sh            # needs hyperfine; installs wac-cli if missing
#
# Both tools read the same WAC document with the same local packages; weft also composes
# the equivalent compose.toml. Each process starts cold, so the figure includes process
# start-up, reading the inputs, encoding and validating the output.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}

if ! command -v hyperfine >/dev/null; then
    echo "hyperfine is missing; installing it" >&2
    if command -v apt-get >/dev/null; then
        apt-get install -y hyperfine >/dev/null || cargo install --locked hyperfine
    else
        cargo install --locked hyperfine
    fi
fi
if ! command -v wac >/dev/null; then
    echo "wac is missing; installing wac-cli (takes a few minutes)" >&2
    cargo install --locked wac-cli
fi

cargo build --quiet --release -p weft-cli
weft="$target_dir/release/weft"
guests="$root/guests/target/wasm32-wasip2/release"
cargo build --quiet --release --target wasm32-wasip2 \
    --manifest-path guests/Cargo.toml -p greeter -p logger

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/deps/example"
cp "$guests/greeter.wasm" "$work/deps/example/greeter.wasm"
cp "$guests/logger.wasm" "$work/deps/example/logger.wasm"
cat >"$work/app.wac" <<'WAC'
package example:app;

let logger = new example:logger { ... };
let greeter = new example:greeter { logging: logger.logging, ... };
export greeter.greeting;
WAC
cat >"$work/compose.toml" <<'TOML'
[component]
name = "application"
[component.dependencies]
greeter = { path = "deps/example/greeter.wasm" }
logger = { path = "deps/example/logger.wasm" }
[component.instantiate]
component = "greeter"
dependencies = { logging = "logger" }
TOML

echo "weft: $("$weft" --version)   wac: $(wac --version)"
# Both outputs must be valid components before timing means anything.
"$weft" compose "$work/app.wac" -o "$work/weft-wac.wasm" >/dev/null
"$weft" compose "$work/compose.toml" -o "$work/weft-toml.wasm" >/dev/null
wac compose --deps-dir "$work/deps" -o "$work/wac.wasm" "$work/app.wac" >/dev/null
echo "output sizes: weft (wac) $(wc -c <"$work/weft-wac.wasm") B, weft (toml) $(wc -c <"$work/weft-toml.wasm") B, wac $(wc -c <"$work/wac.wasm") B"

hyperfine --warmup 5 --min-runs 50 -N --export-json "$work/times.json" \
    -n "wac compose app.wac" "wac compose --deps-dir $work/deps -o $work/wac.wasm $work/app.wac" \
    -n "weft compose app.wac" "$weft compose --deps-dir $work/deps -o $work/weft-wac.wasm $work/app.wac" \
    -n "weft compose compose.toml" "$weft compose -o $work/weft-toml.wasm $work/compose.toml"

python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
wac = results["wac compose app.wac"]["mean"]
for name in ("weft compose app.wac", "weft compose compose.toml"):
    mean = results[name]["mean"]
    print(f"ratio {name} / wac compose app.wac = {mean / wac:.2f}  ({mean * 1e3:.2f} ms vs {wac * 1e3:.2f} ms; target <= 1.0)")
PY
