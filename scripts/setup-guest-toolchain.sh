#!/usr/bin/env bash
# Installs what the guest components need beyond Rust's wasm32-wasip2 target: a C compiler
# for wasm32 and WASI's libc, because `guests/sqldb` compiles SQLite (rusqlite `bundled`).
#
# Build the guests with these in the environment (crates/weft-test-guests/build.rs sets them
# itself when clang-19 is on PATH):
#   CC_wasm32_wasip2=clang-19 AR_wasm32_wasip2=llvm-ar-19
#   CFLAGS_wasm32_wasip2="--sysroot=/usr -I/usr/include/wasm32-wasi"
set -euo pipefail

rustup target add wasm32-wasip2

if command -v clang-19 >/dev/null && [ -d /usr/include/wasm32-wasi ] \
  && [ -d /usr/lib/llvm-19/lib/clang/19/lib/wasi ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update
$sudo apt-get install -y clang-19 libclang-rt-19-dev-wasm32 wasi-libc
