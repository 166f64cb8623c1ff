#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for SECONDS each (default 60) with cargo-fuzz on the
# nightly toolchain, and prints per target the executions, the rate and the crashes found.
# Not part of CI. A crash leaves its input in fuzz/artifacts/TARGET/; keep it as a
# regression test.
#
#     bash scripts/fuzz.sh 120
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-60}
# Sanitizer builds keep to fuzz/target: they must not share the product's target dir.
unset CARGO_TARGET_DIR
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in $(cargo +nightly fuzz list); do
    mkdir -p "corpus/$target"
    log=$(mktemp)
    status=0
    cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    rate=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
    crashes=$(find "artifacts/$target" -type f 2>/dev/null | wc -l)
    echo "$target: ${execs:-?} executions (${rate:-?}/s) in ${seconds}s, exit $status, $crashes crash file(s)"
    [ "$status" -eq 0 ] || tail -30 "$log"
    rm -f "$log"
done
