#!/usr/bin/env bash
# Builds the JavaScript guest components in guests-js/ the way most JS components are built:
# `jco componentize` (componentize-js, i.e. StarlingMonkey) with its DEFAULT options. No
# --disable flags on purpose: the default component imports wasi:http/types, wasi:io, wasi:cli,
# wasi:clocks, wasi:filesystem and wasi:random even when the JS uses none of them, and weft must
# run exactly that.
#
# Each guests-js/NAME/ holds NAME.js (an ES module) and wit/ (a WIT package with a world NAME,
# its dependencies in wit/deps/, which may be symlinks to packages in wit/); it becomes
# $WEFT_JS_GUESTS_DIR/NAME.wasm. The toolchain is installed from the npm registry
# into $WEFT_JS_CACHE once (about 40 s, ~340 MB); a guest is rebuilt only when a file of it,
# or the toolchain, is newer than its component (about 30 s each). Prints the components' paths.
#
#   WEFT_JS_CACHE       where jco is installed   (default ~/.cache/weft/js)
#   WEFT_JS_GUESTS_DIR  where components go      (default ~/.cache/weft/js-guests)
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned toolchain: the newest releases that install and work on Node 20.
jco_version=1.35.0
componentize_js_version=0.23.0
# jco 1.35.0 asks for preview2-shim ^0.26.0, and 0.26.1 gives the WASI programs jco runs inside
# Node (its wasm-tools) no preopened directories, so `jco componentize` fails reading the WIT
# ("failed to get path metadata"). 0.26.0 still preopens "/".
preview2_shim_version=0.26.0

cache="${WEFT_JS_CACHE:-$HOME/.cache/weft/js}"
out_dir="${WEFT_JS_GUESTS_DIR:-$HOME/.cache/weft/js-guests}"

# jco's bundler (rolldown) needs Node ^20.19 or >=22.12.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "build-js-guests: Node $(node --version) is too old; jco needs ^20.19 or >=22.12" >&2
  exit 1
fi

# The cache's package.json pins the versions. The overrides make jco use the componentize-js
# pinned here (it asks for ^0.22.0 and would otherwise get a copy of its own) and hold
# preview2-shim at the version that works.
manifest="$(cat <<EOF
{
  "private": true,
  "description": "weft's JavaScript guest toolchain, installed by scripts/build-js-guests.sh",
  "dependencies": {
    "@bytecodealliance/jco": "$jco_version",
    "@bytecodealliance/componentize-js": "$componentize_js_version"
  },
  "overrides": {
    "@bytecodealliance/componentize-js": "\$@bytecodealliance/componentize-js",
    "@bytecodealliance/preview2-shim": "$preview2_shim_version"
  }
}
EOF
)"
# The stamp is written only after a whole install succeeded, so an interrupted or failed one
# is tried again next time; a change of the pinned versions installs anew too.
stamp="$cache/.weft-installed"
jco="$cache/node_modules/.bin/jco"
if [ ! -x "$jco" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$manifest" ]; then
  echo "build-js-guests: installing jco $jco_version, componentize-js $componentize_js_version into $cache" >&2
  mkdir -p "$cache"
  printf '%s\n' "$manifest" >"$cache/package.json"
  npm install --prefix "$cache" --no-audit --no-fund --loglevel=error >&2
  printf '%s' "$manifest" >"$stamp"
fi

mkdir -p "$out_dir"
shopt -s nullglob
for dir in guests-js/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  # Only guest directories hold NAME.js (guests-js/target, where the demo builds, does not).
  [ -f "$dir/$name.js" ] || continue
  out="$out_dir/$name.wasm"
  # Up to date when nothing in the guest's directory, nor the toolchain, is newer. -L follows
  # symlinks, so a guest whose wit/deps/ links to a package in wit/ is rebuilt when it changes.
  if [ -f "$out" ] && [ -z "$(find -L "$dir" "$stamp" -newer "$out" -print -quit)" ]; then
    echo "$out"
    continue
  fi
  echo "build-js-guests: building $name" >&2
  # Written beside the output and moved into place, so a failed build leaves no component.
  tmp="$out_dir/.$name.wasm.tmp"
  rm -f "$tmp"
  "$jco" componentize "$PWD/$dir/$name.js" --wit "$PWD/$dir/wit" --world-name "$name" \
    -o "$tmp" >&2
  mv "$tmp" "$out"
  echo "$out"
done
