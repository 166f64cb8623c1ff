#!/usr/bin/env bash
# A remote call of the seed's `greet` over NATS on loopback, served by `weft serve --nats`
# and by `wrpc-wasmtime nats serve` (wRPC 0.17) in the same run, one server at a time,
# called by the same driver (crates/weft-federation/examples/call_load.rs, weft's NATS
# client): calls/s with CALLERS callers at once and latency (p50, p99) with one, and the
# ratios weft / wrpc-wasmtime (calls/s: higher is better).
#
# greet logs through the greeter's `logging` import. Both greeters get it from the same
# logger, served by weft in a third process: weft's greeter binds it with `--import`,
# wrpc-wasmtime sends every import it does not know over NATS by itself. So each greet is
# two NATS calls on either side. (wRPC's caller does not wait for the results of a
# function without any, such as `log`; weft's does.)
#
#     bash benches/federation.sh                 # 20000 calls, 16 callers
#     CALLS=100000 CALLERS=32 bash benches/federation.sh
#
# Installs nats-server (scripts/setup.sh) and wrpc-wasmtime (scripts/setup-wrpc.sh) when
# missing, and builds weft, the driver and the two guests in release.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
calls=${CALLS:-20000}
callers=${CALLERS:-16}
latency_calls=${LATENCY_CALLS:-2000}
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weft/target}"
guests_target=${WEFT_GUESTS_TARGET_DIR:-$HOME/.cache/weft/guests-target}

command -v nats-server >/dev/null || bash scripts/setup.sh
bash scripts/setup-wrpc.sh
wrpc=$HOME/.cargo/bin/wrpc-wasmtime
cargo build --quiet --release -p weft-cli -p weft-federation --example call_load
weft=$CARGO_TARGET_DIR/release/weft
driver=$CARGO_TARGET_DIR/release/examples/call_load
cargo build --quiet --release --target wasm32-wasip2 --manifest-path guests/Cargo.toml \
    --target-dir "$guests_target" -p greeter -p logger
greeter=$guests_target/wasm32-wasip2/release/greeter.wasm
logger=$guests_target/wasm32-wasip2/release/logger.wasm

tmp=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
export WEFT_CACHE_DIR=$tmp/weft-cache

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=nats://127.0.0.1:$port
nats-server -a 127.0.0.1 -p "$port" >"$tmp/nats.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
done

# The logger both greeters call, and a warm-up of weft's compile cache.
RUST_LOG=warn "$weft" serve --nats "$url" "$logger" >"$tmp/logger.out" 2>"$tmp/logger.log" &
pids+=($!)

# measure NAME: the driver against whatever serves greet now; retries the first call for
# up to 120 s (a server subscribes once it has compiled the component). Appends
# "NAME CALLS/S P50_MS P99_MS" (calls/s with CALLERS callers, latency with one).
measure() {
    local name=$1 i
    for ((i = 0; i < 240; i++)); do
        "$driver" "$url" "$greeter" greet '{name: "Ada", title: none}' 1 1 >/dev/null 2>"$tmp/probe.log" && break
        sleep 0.5
    done
    [ "$i" -lt 240 ] || { echo "$name did not answer:" >&2; cat "$tmp/probe.log" "$tmp/$name.log" >&2; exit 1; }
    drive "$name" 1000 "$callers" >/dev/null
    echo "measuring $name: $calls calls, $callers callers; $latency_calls calls, 1 caller" >&2
    local rps p50 p99
    read -r _ rps _ _ <<<"$(drive "$name" "$calls" "$callers")"
    read -r _ _ p50 p99 <<<"$(drive "$name" "$latency_calls" 1)"
    echo "$name $rps $p50 $p99" >>"$tmp/results"
}

# drive NAME CALLS CALLERS: the driver's "CALLS CALLS/S P50_MS P99_MS"; on a failure, its
# error and the server's log, and the script stops.
drive() {
    local name=$1
    shift
    "$driver" "$url" "$greeter" greet '{name: "Ada", title: none}' "$@" 2>"$tmp/drive.log" ||
        { echo "the calls to $name failed:" >&2; cat "$tmp/drive.log" "$tmp/$name.log" >&2; exit 1; }
}

# Stops server PID: SIGINT (weft stops gracefully), then SIGKILL after 5 s (wrpc-wasmtime
# 0.17 does not stop on SIGINT or SIGTERM while it serves).
stop() {
    local i
    kill -INT "$1" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

: >"$tmp/results"
RUST_LOG=warn "$weft" serve --nats "$url" "$greeter" --import "logging=$url" \
    >"$tmp/weft.out" 2>"$tmp/weft.log" &
server=$!
pids+=($server)
measure weft
stop "$server"

RUST_LOG=warn NO_COLOR=1 "$wrpc" nats serve --nats "$url" "$greeter" >"$tmp/wrpc.log" 2>&1 &
server=$!
pids+=($server)
measure wrpc
stop "$server"

echo
echo "$("$weft" --version)   $("$wrpc" --version 2>/dev/null || echo wrpc-wasmtime 0.17.0) (wrpc 0.17.0)   nats-server $(nats-server --version | awk '{print $NF}')   $(nproc) cores"
python3 - "$tmp/results" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, p50, p99 = line.split()
    rows[name] = (float(rps), float(p50), float(p99))
print(f"{'':28}{'calls/s':>10}{'p50 (1 caller)':>16}{'p99 (1 caller)':>16}")
labels = {"weft": "greet, weft serve --nats", "wrpc": "greet, wrpc-wasmtime"}
for name, label in labels.items():
    rps, p50, p99 = rows[name]
    print(f"{label:28}{rps:10.0f}{p50:13.3f} ms{p99:13.3f} ms")
w, r = rows["weft"], rows["wrpc"]
print(f"weft / wrpc-wasmtime: calls/s {w[0] / r[0]:.2f}x (higher is better), p50 {w[1] / r[1]:.2f}x, p99 {w[2] / r[2]:.2f}x (lower is better)")
PY
