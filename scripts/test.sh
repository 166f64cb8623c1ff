#!/usr/bin/env bash
# Runs every check weft's CI runs: formatting, clippy, and the whole test suite
# (which builds the guest components from guests/ through crates/weft-test-guests, and the
# JavaScript and Python ones from guests-js/ and guests-py/ through
# scripts/build-js-guests.sh and scripts/build-py-guests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A JavaScript component built with jco's defaults, for the runtime's cross-toolchain test.
bash scripts/build-js-guests.sh >/dev/null
# Python components built with componentize-py, for the async tests across toolchains.
bash scripts/build-py-guests.sh >/dev/null
# wRPC 0.17's wrpc-wasmtime, the peer federation's interop tests run beside weft.
bash scripts/setup-wrpc.sh
# Debian's Chromium and playwright-core, for the test of `weft serve`'s page.
bash scripts/setup-browser.sh
# binaryen's wasm-opt (npm), for `weft optimize`'s test on every guest.
bash scripts/setup-binaryen.sh
cargo fmt --all -- --check
(cd guests && cargo fmt --all -- --check)
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
