#!/usr/bin/env bash
# Shared setup: the wasm32-wasip2 target and the guest programs.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v python3 >/dev/null; then
    echo "python3 is needed (CPython comparison tests)" >&2
    exit 1
fi
rustup target add wasm32-wasip2
cargo build --release --target wasm32-wasip2 -p wasock-examples -p wasock-test-guests
cargo build -p wasock-host
