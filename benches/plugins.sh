#!/usr/bin/env bash
# The plugin host (weft-plugins) against a host wasmtime's `bindgen!` generates for the
# same components, on the same engine, measured in one run:
#
# - events/s through the seed's chain, auth-plugin (HS256 JWT check) then rate-limit
#   (token bucket), from one thread: `PluginHost::dispatch` against a `bindgen!` host
#   that calls both components' `on-event` directly, one store each, handlers made once
#   (target: weft makes at least 0.7x the bindgen! host's events);
# - events/s from 2 threads against 1: the weft host with `instances = 2` on both
#   plugins, and the bindgen! host with its own stores per thread (the machine's limit);
# - memory per loaded plugin: 20 copies of auth-plugin, the growth of the process's RSS
#   per plugin after a warm-up load (anonymous and file-backed pages apart), and the
#   linear memory per plugin the host reports.
#
#     bash benches/plugins.sh              # 3 seconds per figure
#     SECONDS=10 bash benches/plugins.sh   # longer
#
# The benchmark is crates/weft-plugins/benches/plugins.rs; its doc comment says exactly
# what each host does per event and what the memory figures count.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# SECONDS is not read here: in bash it is the shell's own clock. A SECONDS given in the
# environment still reaches the benchmark unchanged, and without one it runs 3 seconds.
cargo bench --quiet -p weft-plugins --bench plugins
