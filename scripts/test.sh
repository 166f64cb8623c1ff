#!/usr/bin/env bash
# Runs every check weft's CI runs: formatting, clippy, and the whole test suite
# (which builds the guest components from guests/ through crates/weft-test-guests, and the
# JavaScript ones from guests-js/ through scripts/build-js-guests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A JavaScript component built with jco's defaults, for the runtime's cross-toolchain test.
bash scripts/build-js-guests.sh >/dev/null
# Debian's Chromium and playwright-core, for the test of `weft serve`'s page.
bash scripts/setup-browser.sh
# binaryen's wasm-opt (npm), for `weft optimize`'s test on every guest.
bash scripts/setup-binaryen.sh
cargo fmt --all -- --check
(cd guests && cargo fmt --all -- --check)
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
