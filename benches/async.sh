#!/usr/bin/env bash
# Async components: the same input base64-encoded through an async `stream<u8>` export
# (the async-streams guest, one call, the bytes moved by the host's stream reader and
# writer) and through the chunked `processor` resource (transform-base64-encode, one
# typed call per 64 KiB chunk) and through base64-pipe's write(chunk)/read(n) resource
# (WASI 0.2 style), MB/s side by side, with native Rust's base64 on the same chunks as
# the limit; then the peak RSS of `weft call --stream-in FILE --stream`
# on 10 MB and 100 MB files (debug build), which must not grow with the input.
#
#     bash benches/async.sh                    # 100 MB, 3 runs per figure
#     STREAM_MB=256 REPEATS=5 bash benches/async.sh
#
# The in-process part is crates/weft-runtime/benches/streams.rs (its doc comment says
# what each variant does). Peak RSS is the child's `ru_maxrss` from python3's
# `resource.getrusage(RUSAGE_CHILDREN)`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
guests_dir=${WEFT_GUESTS_TARGET_DIR:-$root/guests/target}/wasm32-wasip2/release

cargo bench --quiet -p weft-runtime --bench streams

echo
echo "peak RSS of \`weft call async_streams.wasm --stream-in IN --stream 'encode-base64()' > /dev/null\` (debug build)"
cargo build --quiet -p weft-cli
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declare -A rss
for mb in 10 100; do
  head -c $((mb << 20)) /dev/urandom > "$tmp/in-$mb.bin"
  rss[$mb]=$(python3 - "$target_dir/debug/weft" "$guests_dir/async_streams.wasm" "$tmp/in-$mb.bin" <<'PY'
import resource, subprocess, sys
weft, guest, path = sys.argv[1:]
subprocess.run([weft, "call", guest, "--stream-in", path, "--stream", "encode-base64()"],
               stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)
  echo "  $mb MB input: ${rss[$mb]} KiB"
done
python3 -c "print(f'  100 MB / 10 MB: {${rss[100]} / ${rss[10]}:.2f}x (target <= 1.1)')"
