#!/usr/bin/env bash
# Memory of `weft wit check` on large WIT files below the 16 MiB cap: generated
# packages of about 1, 4 and 15 MiB (one interface per 140 bytes, each with a record
# and a function), each checked once under /usr/bin/time. Prints wall time, peak RSS,
# and peak RSS per byte of input; and the same for `wasm-tools component wit` when it
# is on PATH, as the peer's figure in the same run.
#
# Usage: benches/wit-check-memory.sh
# Environment: WEFT (a weft binary; default: build the debug one), SIZES (MiB, default
#   "1 4 15").
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes="${SIZES:-1 4 15}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

if [ -z "${WEFT:-}" ]; then
  (cd "$root" && cargo build -q -p weft-cli)
  WEFT="${CARGO_TARGET_DIR:-$root/target}/debug/weft"
fi

for mib in $sizes; do
  file="$scratch/big-$mib.wit"
  python3 - "$file" "$mib" <<'PY'
import sys
path, mib = sys.argv[1], int(sys.argv[2])
out, size, i = ["package bench:big@1.0.0;\n"], 0, 0
while size < mib * 1024 * 1024 - 200:
    block = (f"interface i{i} {{\n  record r{i} {{ a: u32, b: string, c: list<u8> }}\n"
             f"  fn{i}: func(x: r{i}, y: option<string>) -> result<u64, string>;\n}}\n")
    out.append(block); size += len(block); i += 1
open(path, "w").write("".join(out))
PY
  bytes=$(stat -c %s "$file")
  report() {
    local name="$1"; shift
    /usr/bin/time -o "$scratch/time" -f "%e %M" "$@" >/dev/null 2>&1
    read -r secs kib <"$scratch/time"
    awk -v n="$name" -v b="$bytes" -v s="$secs" -v k="$kib" \
      'BEGIN { printf "%-22s %6.1f MiB input: %6.2f s, peak RSS %7.1f MiB, %5.1f bytes of RSS per input byte\n", n, b/1048576, s, k/1024, k*1024/b }'
  }
  report "weft wit check" "$WEFT" wit check "$file"
  if command -v wasm-tools >/dev/null; then
    report "wasm-tools component wit" wasm-tools component wit "$file"
  fi
done
