#!/usr/bin/env bash
# Benchmarks (separate from the tests): builds what they need, runs the
# five variants interleaved on this machine, and writes docs/benchmarks.md,
# docs/benchmarks.json and docs/benchmarks.svg.
# BENCH_REPS=N (default 5) sets the rounds; BENCH_QUICK=1 a short smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2
cargo build --release --target wasm32-wasip2 -p wasock-bench-guests
# The host side with whole-program optimisation (profile bench-lto).
cargo build --profile bench-lto -p wasock-bench
"${CARGO_TARGET_DIR:-target}/bench-lto/wasock-bench"
