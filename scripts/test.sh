#!/usr/bin/env bash
# Runs every check weft's CI runs: formatting, clippy, and the whole test suite
# (which builds the guest components from guests/ through crates/weft-test-guests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo fmt --all -- --check
(cd guests && cargo fmt --all -- --check)
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
