#!/usr/bin/env bash
# In-process speed of weft-runtime, measured with criterion in one run and printed as
# ratios against wasmtime's own APIs on the same engine:
#
# - a dynamic call through weft (`Session::call_vals`, `Session::call_wave`) against the
#   typed call `wasmtime::component::bindgen!` generates (target: at most 1.5x), for
#   `greet` (record in, string out, one host call) and `nothing()` (pure call overhead);
# - the typed escape hatch (`Session::typed_func` on `Session::store_mut`) against the bare
#   `bindgen!` call (target: at most 1.05x);
# - the async path (`call_vals_async`) and an engine without component-model concurrency
#   support, against the sync path on the default engine;
# - instantiation of a pre-linked component with the pooling allocator (target: at most
#   10 microseconds), against `InstancePre::instantiate` alone;
# - calls per second of one prepared component from 2 threads against 1 (target: at
#   least 1.8x on 2 cores);
# - a cross-instance call through a runtime link (`weft call compose.toml`) against the
#   same call inside the statically composed component (target: at most 3x), for the
#   seed's greeter + logger and for notes over sqldb (a resource handle crossing).
#
#     bash benches/in-process.sh          # MEASURE=3 WARMUP=1 seconds per benchmark
#
# The benchmarks themselves are crates/weft-runtime/benches/{call,instantiate,threads}.rs and
# crates/weft-link/benches/in_process.rs; their
# doc comments say what each variant measures. Results are read back from criterion's
# estimates (the mean point estimate).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
measure=${MEASURE:-3}
warmup=${WARMUP:-1}

# criterion writes its estimates below the target dir; start from none so a benchmark that
# failed to run cannot leave an old figure behind.
rm -rf "$target_dir/criterion"
for bench in call instantiate; do
    cargo bench --quiet -p weft-runtime --bench "$bench" -- \
        --measurement-time "$measure" --warm-up-time "$warmup" 2>&1 |
        grep -E '^(engine|asked)' || true
done

cargo bench --quiet -p weft-runtime --bench threads 2>&1 | grep -E '^(threads|2 threads)'
cargo bench --quiet -p weft-link --bench in_process 2>&1 | grep -E '^(case|compose|notes|\(linked)'

python3 - "$target_dir/criterion" <<'PY'
import json, os, sys
base = sys.argv[1]

def mean_ns(group, name):
    path = os.path.join(base, group, name, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["mean"]["point_estimate"]

def show(ns):
    return f"{ns / 1000:.2f} us" if ns >= 1000 else f"{ns:.0f} ns"

print()
for group in ("greet", "nothing"):
    typed = mean_ns(group, "typed")
    print(f"{group}: typed (bindgen!) {show(typed)}")
    for name in ("raw_val", "weft_vals", "weft_wave", "weft_typed"):
        if not os.path.isdir(os.path.join(base, group, name)):
            continue
        ns = mean_ns(group, name)
        target = "  (target <= 1.05)" if name == "weft_typed" else (
            "  (target <= 1.5)" if name.startswith("weft") else "")
        print(f"  {name:22} {show(ns):>10}  ratio to typed {ns / typed:5.2f}{target}")
    if os.path.isdir(os.path.join(base, group, "weft_vals_async")):
        sync = mean_ns(group, "weft_vals")
        for name in ("weft_vals_async", "weft_vals_no_cm_async"):
            ns = mean_ns(group, name)
            print(f"  {name:22} {show(ns):>10}  ratio to weft_vals {ns / sync:5.2f}")
        plain = mean_ns(group, "typed_no_cm_async")
        print(f"  {'typed_no_cm_async':22} {show(plain):>10}  ratio to typed {plain / typed:5.2f}")
for alloc in ("pooling", "on_demand"):
    # criterion turns the `/` of the group name `instantiate/pooling` into `_`.
    group = f"instantiate_{alloc}"
    if not os.path.isdir(os.path.join(base, group)):
        continue
    raw = mean_ns(group, "raw")
    print(f"instantiate/{alloc}: wasmtime InstancePre::instantiate {show(raw)}")
    for name in ("weft", "weft_with_drop", "weft_state", "raw_unit"):
        ns = mean_ns(group, name)
        target = "  (target <= 10 us)" if name == "weft" and alloc == "pooling" else ""
        print(f"  {name:15} {show(ns):>10}  ratio to wasmtime {ns / raw:5.2f}{target}")
PY
