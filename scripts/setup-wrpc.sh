#!/usr/bin/env bash
# Installs wRPC 0.17's `wrpc-wasmtime` into ~/.cargo/bin: the Bytecode Alliance's peer that
# federation's interop tests run beside weft on one nats-server (weft calls what it serves,
# and it calls what weft serves). Only its wasmtime binary is built (no wit-bindgen-wrpc, no
# QUIC or WebTransport). From nothing this takes about half an hour on 2 cores, once; later
# runs find it and return at once.
set -euo pipefail
version=0.17.0
bin="$HOME/.cargo/bin/wrpc-wasmtime"
if [ -x "$bin" ] && "$bin" nats serve --help >/dev/null 2>&1; then
    exit 0
fi
echo "setup-wrpc: installing wrpc $version (wrpc-wasmtime) into ~/.cargo/bin; this takes a while" >&2
# Its own target dir under the cache, so an interrupted build resumes; not the product's.
target="${WEFT_WRPC_TARGET_DIR:-$HOME/.cache/weft/wrpc-target}"
CARGO_TARGET_DIR="$target" cargo install --locked --root "$HOME/.cargo" "wrpc@$version" \
    --no-default-features --features bin-wasmtime --bin wrpc-wasmtime
"$bin" nats serve --help >/dev/null
