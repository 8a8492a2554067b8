#!/usr/bin/env bash
# Sets everything up (wasm32-wasip2 target, guest programs built once for
# the whole run), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test -p wasock-host -p wasock
# The fuzz runner (fuzz/): random inputs decoded with arbitrary into call
# sequences, for a bounded time (after the unit tests of the call language
# and of the runner's minimiser).
cargo test -q -p wasock-fuzz-calls -p wasock-fuzz --lib
cargo run -q -p wasock-fuzz -- --seconds 20
# The containerd shim: its unit tests (policy sources, memory limit), then
# the shim under a private containerd (scripts/shim_test.py).
cargo test -p containerd-shim-wasock
cargo build -p containerd-shim-wasock
target="${CARGO_TARGET_DIR:-target}"
python3 scripts/shim_test.py "$target/debug" "$target/wasm32-wasip2/release"
