#!/usr/bin/env bash
# Streaming pipelines (weft-pipeline, `weft pipeline`), measured in one run:
#
# - MB/s of input through gzip then base64-encode (the transform-gzip and
#   transform-base64-encode guests, 64 KiB chunks, ~64 MB of text made in memory, output
#   to a sink): `Pipeline::run` against native Rust doing the same work on one thread
#   (flate2's GzEncoder at the same level, base64 STANDARD, chunk by chunk)
#   (target: weft makes at least 0.5x native's MB/s);
# - the same two stages stage-parallel (`Pipeline::run`, a thread per stage) against one
#   stage at a time on one thread (the components called directly on weft-runtime's host
#   core) (target: at least 1.6x on 2 cores), with the most stage parallelism can give on
#   these stages, a pair of stages of similar cost, and how far 2 native threads scale;
# - the peak RSS of the `weft pipeline` command (debug build, `cargo build -p weft-cli`)
#   running gzip then base64-encode from a file of 10 MB and one of 1 GB to a file, with
#   a warm compile cache: the RSS must not grow with the input
#   (target: 1 GB / 10 MB <= 1.1).
#
#     bash benches/pipeline.sh                          # 64 MB, 3 runs per figure
#     PIPELINE_MB=256 REPEATS=5 bash benches/pipeline.sh
#     RSS_SMALL_MB=10 RSS_LARGE_MB=1024 bash benches/pipeline.sh
#
# The in-process benchmark is crates/weft-pipeline/benches/pipeline.rs (its doc comment
# says what each variant does); PIPELINE_MB, CHUNK_KIB, GZIP_LEVEL and REPEATS reach it.
# The RSS inputs are made in a temp dir (removed at the end); peak RSS is the child's
# `ru_maxrss` from python3's `resource.getrusage(RUSAGE_CHILDREN)`, one python process
# per run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
small_mb=${RSS_SMALL_MB:-10}
large_mb=${RSS_LARGE_MB:-1024}
target_dir=${CARGO_TARGET_DIR:-$root/target}
guests_dir=${WEFT_GUESTS_TARGET_DIR:-$root/guests/target}/wasm32-wasip2/release

cargo bench --quiet -p weft-pipeline --bench pipeline

echo
echo "3. peak RSS of \`weft pipeline gzip base64-encode -i IN -o OUT\` (debug build)"
cargo build --quiet -p weft-cli
weft=$target_dir/debug/weft
gzip_wasm=$guests_dir/transform_gzip.wasm
base64_wasm=$guests_dir/transform_base64_encode.wasm
for f in "$weft" "$gzip_wasm" "$base64_wasm"; do
    [[ -f $f ]] || { echo "missing: $f" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export WEFT_CACHE_DIR=$tmp/cache

# Lines of words and numbers, as in the in-process benchmark: make FILE MB.
make_input() {
    python3 - "$1" "$2" <<'EOF'
import sys
path, size = sys.argv[1], int(sys.argv[2]) << 20
with open(path, "wb") as f:
    i, written, batch = 0, 0, 100_000
    while written < size:
        block = "".join(
            f"line {n}: the quick brown fox {n * 7919 % 1000}\n" for n in range(i, i + batch)
        ).encode()
        block = block[: size - written]
        f.write(block)
        written += len(block)
        i += batch
EOF
}

# Runs the pipeline on IN into OUT in a python process of its own; prints
# "PEAK_KIB SECONDS".
measure() {
    python3 - "$weft" "$gzip_wasm" "$base64_wasm" "$1" "$2" <<'EOF'
import resource, subprocess, sys, time
weft, gzip, b64, src, dst = sys.argv[1:]
started = time.monotonic()
subprocess.run([weft, "pipeline", gzip, b64, "-i", src, "-o", dst], check=True)
elapsed = time.monotonic() - started
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, f"{elapsed:.2f}")
EOF
}

make_input "$tmp/tiny.txt" 1
make_input "$tmp/small.txt" "$small_mb"
make_input "$tmp/large.txt" "$large_mb"
# Warm the compile cache (both components compiled and stored) before measuring.
measure "$tmp/tiny.txt" "$tmp/tiny.b64" >/dev/null

read -r small_kib small_s < <(measure "$tmp/small.txt" "$tmp/small.b64")
# The small output decodes to its input (the large one is checked by size only).
python3 - "$tmp/small.txt" "$tmp/small.b64" <<'EOF'
import base64, gzip, sys
src, out = (open(p, "rb").read() for p in sys.argv[1:])
assert gzip.decompress(base64.b64decode(out)) == src, "the output does not decode to the input"
EOF
rm -f "$tmp/small.b64"
read -r large_kib large_s < <(measure "$tmp/large.txt" "$tmp/large.b64")
large_out=$(stat -c %s "$tmp/large.b64")
rm -f "$tmp/large.b64"

python3 - "$small_mb" "$small_kib" "$small_s" "$large_mb" "$large_kib" "$large_s" "$large_out" <<'EOF'
import sys
small_mb, small_kib, small_s, large_mb, large_kib, large_s, large_out = sys.argv[1:]
small_mb, large_mb = int(small_mb), int(large_mb)
small_kib, large_kib = int(small_kib), int(large_kib)
small_s, large_s = float(small_s), float(large_s)
def line(mb, kib, s):
    rate = (mb << 20) / 1e6 / s
    print(f"  {mb:>5} MiB in: peak RSS {kib / 1024:6.1f} MiB, {s:6.2f} s ({rate:.1f} MB/s, debug build)")
line(small_mb, small_kib, small_s)
line(large_mb, large_kib, large_s)
print(f"  ({large_mb} MiB in, {int(large_out)} bytes out)")
print(f"  peak RSS {large_mb} MiB / {small_mb} MiB: {large_kib / small_kib:.2f} (target <= 1.1)")
EOF
