#!/usr/bin/env bash
# Sets everything up (wasm32-wasip2 target, guest programs built once for
# the whole run), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test -p wasock-host -p wasock
# The fuzz runner (fuzz/): seeded arbitrary call sequences for a bounded time.
cargo run -q -p wasock-fuzz -- --seconds 20
