#!/usr/bin/env bash
# `weft serve` under load, measured in one run with wrk (2 threads, 64 connections, the
# same flags for every server, one server at a time):
#
# 1. a wasi:http handler (guests/http-hello: "Hello, world!" for any request): requests/s
#    and 99th-percentile latency of `weft serve --no-access-log --timeout 30s` against
#    `wasmtime serve -S cli -W timeout=30s` (wasmtime-cli 48.0.8) on the same component,
#    and the ratios weft / wasmtime (requests/s: higher is better; p99: lower is better).
#    `-S cli` links all of WASI 0.2 as weft does: without it `wasmtime serve` links only
#    the proxy world's interfaces, and Rust's std imports `wasi:cli/environment` and more;
# 2. a WASI 0.3 `wasi:http/service` handler (guests/http-service, `GET /`): `weft serve
#    --experimental-p3` against `wasmtime serve -S cli -S p3` on the same component, the
#    same figures and ratios. wasmtime reuses one p3 instance for up to 16 concurrent and
#    128 requests in all; weft gives each request its own instance, as for 0.2;
# 3. the JSON gateway: `POST /call/greet` with `{"person": {"name": "Ada"}}` to the
#    greeter (`weft serve greeter.wasm --no-access-log`), its requests/s and p99, and its
#    requests/s over weft's own hello handler's from step 1;
# 4. a soak: SOAK_REQUESTS requests against weft's hello handler (a fresh server) in
#    slices of wrk: a first one of about a tenth of the count at step 1's rate, then
#    slices of SOAK_SLICE seconds, the last one shortened to the requests left at the rate
#    of the one before; it counts non-2xx/3xx responses and socket errors, and the growth
#    of the server's RSS (VmRSS) from after the first slice to the end.
#
#     bash benches/serve.sh                          # 10 s per figure, a soak of 1,000,000
#     DURATION=30s SOAK_REQUESTS=5000000 bash benches/serve.sh
#     SOAK=0 bash benches/serve.sh                   # no soak
#
# Installs wrk (Debian) and wasmtime-cli 48.0.8 (`cargo install`, into ~/.cargo/bin) when
# missing, builds weft in release (`cargo build --release -p weft-cli`, in
# $CARGO_TARGET_DIR, default ~/.cache/weft/target as in .ci/run) and the two guests (in
# $WEFT_GUESTS_TARGET_DIR, default ~/.cache/weft/guests-target).
#
# Other knobs: WARMUP (default 2s, wrk run before each measured one and thrown away; 0
# for none), SOAK_SLICE (seconds, default 10), SOAK_MAX_SECONDS (default 1800: the soak
# stops there even short of its count, and says so). For trying the script itself:
# WEFT=PATH (this weft binary, no weft build), SKIP_BUILD=1 (no cargo build at all; the
# guests must already be built), SKIP_WASMTIME=1 (no wasmtime row and no ratio to it).
#
# wrk runs on the same 2 cores as the server, so the figures are this machine's, to be
# compared within one run. The greeter logs each call at debug level; the gateway runs
# with RUST_LOG=warn,weft::serve=info so that a log line per call is not part of the
# figure (the hello handler logs nothing). Every server writes its stderr to a log in a
# temp dir, printed when it fails to start; weft's compile cache is a temp dir too.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
duration=${DURATION:-10s}
warmup=${WARMUP:-2s}
soak=${SOAK:-1}
soak_requests=${SOAK_REQUESTS:-1000000}
soak_slice=${SOAK_SLICE:-10}
soak_max_seconds=${SOAK_MAX_SECONDS:-1800}
skip_build=${SKIP_BUILD:-0}
skip_wasmtime=${SKIP_WASMTIME:-0}
wasmtime_version=48.0.8
wrk_flags=(-t2 -c64 --latency)
greet_body='{"person": {"name": "Ada"}}'

# --- tools --------------------------------------------------------------------------
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v wrk >/dev/null; then
    echo "wrk is missing; installing it (apt-get)" >&2
    $sudo apt-get install -y wrk >/dev/null ||
        { $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; }
fi
export PATH="$HOME/.cargo/bin:$PATH"
if [ "$skip_wasmtime" != 1 ]; then
    if [ "$(wasmtime --version 2>/dev/null | awk '{print $2}')" != "$wasmtime_version" ]; then
        echo "installing wasmtime-cli $wasmtime_version into ~/.cargo/bin (takes a while)" >&2
        cargo install --locked --root "$HOME/.cargo" "wasmtime-cli@$wasmtime_version"
        hash -r
    fi
    found=$(wasmtime --version 2>/dev/null | awk '{print $2}')
    if [ "$found" != "$wasmtime_version" ]; then
        echo "wasmtime on PATH is ${found:-missing}, not $wasmtime_version" >&2
        exit 1
    fi
fi

# --- builds -------------------------------------------------------------------------
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weft/target}"
guests_target=${WEFT_GUESTS_TARGET_DIR:-$HOME/.cache/weft/guests-target}
if [ -n "${WEFT:-}" ]; then
    weft=$WEFT
else
    [ "$skip_build" = 1 ] || cargo build --quiet --release -p weft-cli
    weft=$CARGO_TARGET_DIR/release/weft
fi
if [ "$skip_build" != 1 ]; then
    rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
    # The guests' own workspace and profile, as crates/weft-test-guests builds them.
    cargo build --quiet --release --target wasm32-wasip2 --manifest-path guests/Cargo.toml \
        --target-dir "$guests_target" -p http-hello -p http-service -p greeter
fi
hello_wasm=$guests_target/wasm32-wasip2/release/http_hello.wasm
p3_wasm=$guests_target/wasm32-wasip2/release/http_service.wasm
greeter_wasm=$guests_target/wasm32-wasip2/release/greeter.wasm
for f in "$weft" "$hello_wasm" "$p3_wasm" "$greeter_wasm"; do
    [ -f "$f" ] || { echo "missing: $f" >&2; exit 1; }
done

# --- servers ------------------------------------------------------------------------
tmp=$(mktemp -d)
export WEFT_CACHE_DIR=$tmp/weft-cache
servers=()

# Stops server PID: SIGTERM, then SIGKILL after 15 s; sets `stopped_status` to its exit status.
stop_server() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "server $pid did not stop 15 s after SIGTERM; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    stopped_status=0
    wait "$pid" 2>/dev/null || stopped_status=$?
    local kept=() p
    for p in "${servers[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
    servers=("${kept[@]}")
}
cleanup() {
    local pid
    for pid in "${servers[@]}"; do stop_server "$pid"; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# One request; exits 0 when the answer is 200 and its body contains EXPECT.
cat >"$tmp/probe.py" <<'EOF'
import sys, urllib.request
url, expect, body = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None
request = urllib.request.Request(url, data=body.encode() if body else None)
if body:
    request.add_header("content-type", "application/json")
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        text = response.read().decode()
        sys.exit(0 if response.status == 200 and expect in text else f"unexpected answer: {text!r}")
except OSError as e:
    sys.exit(f"{e}")
EOF

# start_server NAME URL EXPECT BODY COMMAND...: starts COMMAND (stderr to $tmp/NAME.log),
# waits up to 120 s until URL answers 200 with EXPECT in the body; sets `server_pid`.
start_server() {
    local name=$1 url=$2 expect=$3 body=$4 i
    shift 4
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
    server_pid=$!
    servers+=("$server_pid")
    for ((i = 0; i < 1200; i++)); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "$name exited before answering; its log:" >&2
            cat "$tmp/$name.log" >&2
            exit 1
        fi
        python3 "$tmp/probe.py" "$url" "$expect" "$body" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$name did not answer $url within 120 s; the last try:" >&2
    python3 "$tmp/probe.py" "$url" "$expect" "$body" || true
    cat "$tmp/$name.log" >&2
    exit 1
}

# wrk's summary, as "REQUESTS/S P99_MS REQUESTS NON_2XX_3XX SOCKET_ERRORS".
cat >"$tmp/parse.py" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def need(pattern):
    m = re.search(pattern, text, re.M)
    if not m:
        sys.exit(f"wrk's output has no {pattern!r}:\n{text}")
    return m
unit_ms = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
rps = float(need(r"^Requests/sec:\s+([\d.]+)\s*$").group(1))
m = need(r"^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$")
p99 = float(m.group(1)) * unit_ms[m.group(2)]
requests = int(need(r"^\s+(\d+) requests in ").group(1))
m = re.search(r"^\s+Non-2xx or 3xx responses:\s+(\d+)\s*$", text, re.M)
non_2xx = int(m.group(1)) if m else 0
m = re.search(r"^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text, re.M)
socket_errors = sum(map(int, m.groups())) if m else 0
print(f"{rps} {p99} {requests} {non_2xx} {socket_errors}")
EOF

# measure NAME URL [wrk flags...]: a warm-up run, then the measured one; appends
# "NAME RPS P99 REQUESTS NON_2XX SOCKET_ERRORS" to $tmp/results.
measure() {
    local name=$1 url=$2
    shift 2
    if [ "$warmup" != 0 ]; then
        wrk "${wrk_flags[@]}" -d"$warmup" "$@" "$url" >/dev/null
    fi
    echo "measuring $name: wrk ${wrk_flags[*]} -d$duration${*:+ $*} $url" >&2
    wrk "${wrk_flags[@]}" -d"$duration" "$@" "$url" >"$tmp/$name.wrk"
    local parsed
    parsed=$(python3 "$tmp/parse.py" "$tmp/$name.wrk")
    echo "$name $parsed" >>"$tmp/results"
}

# Prints a finished server's banner and warns when it did not stop cleanly.
stopped() {
    local name=$1
    if [ "$stopped_status" -ne 0 ]; then
        echo "warning: $name exited with status $stopped_status after SIGTERM; its log:" >&2
        tail -n 20 "$tmp/$name.log" >&2
    fi
}

: >"$tmp/results"
weft_version=$("$weft" --version)
case $weft in
    */debug/*) echo "note: $weft is a debug build: its figures are not a release build's" >&2 ;;
esac

# 1. the hello handler: weft, then wasmtime.
port=$(free_port)
start_server weft-hello "http://127.0.0.1:$port/" "Hello" "" \
    "$weft" serve "$hello_wasm" --addr "127.0.0.1:$port" --no-access-log --timeout 30s
grep -q "as a wasi:http handler on http://127.0.0.1:$port/" "$tmp/weft-hello.log" ||
    { echo "weft serve printed no wasi:http banner:" >&2; cat "$tmp/weft-hello.log" >&2; exit 1; }
measure weft-hello "http://127.0.0.1:$port/"
stop_server "$server_pid"
stopped weft-hello

if [ "$skip_wasmtime" != 1 ]; then
    wasmtime_version_line=$(wasmtime --version)
    port=$(free_port)
    start_server wasmtime-hello "http://127.0.0.1:$port/" "Hello" "" \
        wasmtime serve -S cli -W timeout=30s --addr "127.0.0.1:$port" "$hello_wasm"
    measure wasmtime-hello "http://127.0.0.1:$port/"
    stop_server "$server_pid"
    # wasmtime serve stops gracefully on SIGINT only; SIGTERM ends it with status 143.
    [ "$stopped_status" -eq 143 ] && stopped_status=0
    stopped wasmtime-hello
else
    wasmtime_version_line="wasmtime skipped (SKIP_WASMTIME=1)"
fi

# 2. the WASI 0.3 handler: weft, then wasmtime.
port=$(free_port)
start_server weft-p3 "http://127.0.0.1:$port/" "Hello from WASI 0.3" "" \
    "$weft" serve "$p3_wasm" --experimental-p3 --addr "127.0.0.1:$port" --no-access-log --timeout 30s
measure weft-p3 "http://127.0.0.1:$port/"
stop_server "$server_pid"
stopped weft-p3

if [ "$skip_wasmtime" != 1 ]; then
    port=$(free_port)
    start_server wasmtime-p3 "http://127.0.0.1:$port/" "Hello from WASI 0.3" "" \
        wasmtime serve -S cli -S p3 -W timeout=30s --addr "127.0.0.1:$port" "$p3_wasm"
    measure wasmtime-p3 "http://127.0.0.1:$port/"
    stop_server "$server_pid"
    [ "$stopped_status" -eq 143 ] && stopped_status=0
    stopped wasmtime-p3
fi

# 3. the gateway.
cat >"$tmp/greet.lua" <<EOF
wrk.method = "POST"
wrk.body = '$greet_body'
wrk.headers["Content-Type"] = "application/json"
EOF
port=$(free_port)
start_server weft-gateway "http://127.0.0.1:$port/call/greet" '"Hello, Ada!' "$greet_body" \
    env RUST_LOG=warn,weft::serve=info \
    "$weft" serve "$greeter_wasm" --addr "127.0.0.1:$port" --no-access-log
grep -q "as a JSON gateway on http://127.0.0.1:$port/" "$tmp/weft-gateway.log" ||
    { echo "weft serve printed no gateway banner:" >&2; cat "$tmp/weft-gateway.log" >&2; exit 1; }
measure weft-gateway "http://127.0.0.1:$port/call/greet" -s "$tmp/greet.lua"
stop_server "$server_pid"
stopped weft-gateway

# 4. the soak: "REQUESTS NON_2XX SOCKET_ERRORS SLICES SECONDS RSS_FIRST_KIB RSS_END_KIB
# HWM_KIB REACHED" in $tmp/soak.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
if [ "$soak" != 0 ]; then
    port=$(free_port)
    start_server weft-soak "http://127.0.0.1:$port/" "Hello" "" \
        "$weft" serve "$hello_wasm" --addr "127.0.0.1:$port" --no-access-log --timeout 30s
    soak_pid=$server_pid
    total=0 non_2xx=0 socket_errors=0 slices=0 rss_first=0 reached=1
    started=$(date +%s.%N)
    started_s=${started%.*}
    # The first slice, the RSS baseline: about a tenth of the count at step 1's rate, 1 s
    # to SOAK_SLICE.
    hello_rps=$(awk '$1 == "weft-hello" {print $2}' "$tmp/results")
    slice=$(python3 -c 'import math, sys
count, rps, whole = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(max(1, min(whole, math.ceil(count / 10 / rps))))' "$soak_requests" "$hello_rps" "$soak_slice")
    echo "soak: $soak_requests requests in slices of wrk ${wrk_flags[*]} (${slice}s, then up to ${soak_slice}s)" >&2
    while [ "$total" -lt "$soak_requests" ]; do
        if [ $(($(date +%s) - started_s)) -ge "$soak_max_seconds" ]; then
            reached=0
            break
        fi
        wrk "${wrk_flags[@]}" -d"${slice}s" "http://127.0.0.1:$port/" >"$tmp/soak.wrk"
        kill -0 "$soak_pid" 2>/dev/null ||
            { echo "weft serve died during the soak; its log:" >&2; cat "$tmp/weft-soak.log" >&2; exit 1; }
        parsed=$(python3 "$tmp/parse.py" "$tmp/soak.wrk")
        read -r rps _ requests slice_non_2xx slice_socket <<<"$parsed"
        [ "$requests" -gt 0 ] || { echo "a soak slice made no request:" >&2; cat "$tmp/soak.wrk" >&2; exit 1; }
        total=$((total + requests))
        non_2xx=$((non_2xx + slice_non_2xx))
        socket_errors=$((socket_errors + slice_socket))
        slices=$((slices + 1))
        [ "$slices" -gt 1 ] || rss_first=$(rss_kib "$soak_pid")
        # The next slice: a whole one, or as many seconds as the requests left take at
        # this slice's rate (at least 1).
        slice=$(python3 -c 'import math, sys
left, rps, whole = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(max(1, min(whole, math.ceil(left / rps))) if rps > 0 else whole)' \
            "$((soak_requests - total))" "$rps" "$soak_slice")
        echo "  slice $slices: $requests requests ($rps/s), $total in all" >&2
    done
    seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    rss_end=$(rss_kib "$soak_pid")
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$soak_pid/status")
    stop_server "$soak_pid"
    stopped weft-soak
    echo "$total $non_2xx $socket_errors $slices $seconds $rss_first $rss_end $hwm $reached" >"$tmp/soak"
fi

# --- the table ----------------------------------------------------------------------
echo
echo "$weft_version ($weft)   $wasmtime_version_line   $(wrk --version 2>&1 | head -n 1 | awk '{print "wrk", $2}')"
if [ "$warmup" = 0 ]; then warmed="no warm-up"; else warmed="after a $warmup warm-up"; fi
echo "wrk ${wrk_flags[*]} -d$duration per figure ($warmed), one server at a time, $(nproc) cores"
python3 - "$tmp/results" "$tmp/soak" "$soak_requests" "$skip_wasmtime" <<'EOF'
import os, sys
results_path, soak_path, soak_requests, skip_wasmtime = sys.argv[1:]
rows = {}
for line in open(results_path):
    name, rps, p99, requests, non_2xx, socket_errors = line.split()
    rows[name] = (float(rps), float(p99), int(requests), int(non_2xx), int(socket_errors))
labels = {
    "weft-hello": "wasi:http hello, weft serve",
    "wasmtime-hello": "wasi:http hello, wasmtime serve",
    "weft-p3": "wasi:http 0.3 service, weft serve",
    "wasmtime-p3": "wasi:http 0.3 service, wasmtime",
    "weft-gateway": "gateway POST /call/greet, weft",
}
print()
print(f"{'':34}{'requests/s':>12}{'p99':>12}{'requests':>11}{'non-2xx/3xx':>13}{'socket errs':>13}")
for name, label in labels.items():
    if name in rows:
        rps, p99, requests, non_2xx, socket_errors = rows[name]
        print(f"{label:34}{rps:12.1f}{p99:9.2f} ms{requests:11}{non_2xx:13}{socket_errors:13}")
    else:
        print(f"{label:34}{'(skipped: SKIP_WASMTIME=1)':>26}")
print()
weft = rows["weft-hello"]
if "wasmtime-hello" in rows:
    wasmtime = rows["wasmtime-hello"]
    print(f"weft / wasmtime serve, hello:  requests/s {weft[0] / wasmtime[0]:.2f}x (higher is better), "
          f"p99 {weft[1] / wasmtime[1]:.2f}x (lower is better)")
    p3, wasmtime_p3 = rows["weft-p3"], rows["wasmtime-p3"]
    print(f"weft / wasmtime serve, 0.3:    requests/s {p3[0] / wasmtime_p3[0]:.2f}x, "
          f"p99 {p3[1] / wasmtime_p3[1]:.2f}x")
else:
    print("weft / wasmtime serve, hello:  skipped (SKIP_WASMTIME=1)")
gateway = rows["weft-gateway"]
print(f"gateway / weft hello handler:  requests/s {gateway[0] / weft[0]:.2f}x, p99 {gateway[1] / weft[1]:.2f}x")
if os.path.exists(soak_path):
    total, non_2xx, socket_errors, slices, seconds, rss_first, rss_end, hwm, reached = open(soak_path).read().split()
    total, rss_first, rss_end, hwm = int(total), int(rss_first), int(rss_end), int(hwm)
    growth = (rss_end - rss_first) / rss_first * 100
    short = "" if reached == "1" else f" (stopped at SOAK_MAX_SECONDS, short of {int(soak_requests):,})"
    print(f"soak, weft hello handler:      {total:,} requests in {slices} slice{'s' if slices != '1' else ''}, {seconds} s{short}: "
          f"{non_2xx} non-2xx/3xx, {socket_errors} socket errors")
    print(f"                               RSS {rss_first / 1024:.1f} MiB after the first slice, "
          f"{rss_end / 1024:.1f} MiB at the end ({growth:+.1f} %), peak {hwm / 1024:.1f} MiB")
else:
    print("soak: skipped (SOAK=0)")
EOF
