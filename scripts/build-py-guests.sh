#!/usr/bin/env bash
# Builds the Python guest components in guests-py/ with componentize-py (the version
# scripts/setup.sh installs). Each guests-py/NAME/ holds app.py (the world's exports) and
# wit/ (its WIT, often a symlink to the Rust guest's of the same world, whose world is
# NAME); it becomes $WEFT_PY_GUESTS_DIR/NAME.wasm. A guest is rebuilt only when a file of
# it, or componentize-py, is newer than its component (about 15 s each). Prints the
# components' paths.
#
#   WEFT_PY_GUESTS_DIR  where components go   (default ~/.cache/weft/py-guests)
set -euo pipefail
cd "$(dirname "$0")/.."

out_dir="${WEFT_PY_GUESTS_DIR:-$HOME/.cache/weft/py-guests}"
tool="$(command -v componentize-py)" ||
  { echo "build-py-guests: componentize-py is missing; run scripts/setup.sh" >&2; exit 1; }
# pyenv's shim is a script; the file that changes with an upgrade is the real one.
real_tool="$(python3 -c 'import shutil, sys; print(shutil.which("componentize-py"))')"

mkdir -p "$out_dir"
shopt -s nullglob
for dir in guests-py/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  [ -f "$dir/app.py" ] || continue
  out="$out_dir/$name.wasm"
  if [ -f "$out" ] && [ -z "$(find -L "$dir" "$real_tool" -newer "$out" -print -quit)" ]; then
    echo "$out"
    continue
  fi
  echo "build-py-guests: building $name" >&2
  # Written beside the output and moved into place, so a failed build leaves no component.
  tmp="$out_dir/.$name.wasm.tmp"
  rm -f "$tmp"
  "$tool" -d "$dir/wit" -w "$name" componentize -p "$dir" app -o "$tmp" >&2
  mv "$tmp" "$out"
  echo "$out"
done
