#!/usr/bin/env bash
# Benchmarks (separate from the tests): builds what they need, runs the
# eight variants interleaved on this machine, and writes docs/benchmarks.md,
# docs/benchmarks.json and docs/benchmarks.svg.
# BENCH_REPS=N (default 5) sets the rounds; BENCH_QUICK=1 a short smoke run;
# `scripts/bench.sh --compare docs/benchmarks.json` also prints each cell's
# change against that earlier run (copy it first: the run rewrites it).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2
cargo build --release --target wasm32-wasip2 -p wasock-bench-guests
# bench/client.py as a Python guest (Python rows): packaged with an empty
# cache, so the time is the first run's packaging.
scripts/setup.sh >/dev/null
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target/python-bench"
pycache=$(mktemp -d)
start=$(date +%s.%N)
if WASOCK_CACHE_DIR="$pycache" "$target/debug/wasock" py build bench/client.py -o "$target/python-bench/client.wasm" >/dev/null; then
    end=$(date +%s.%N)
    export BENCH_PY_PACKAGE_SECONDS=$(python3 -c "print($end - $start)")
else
    echo "bench: packaging bench/client.py failed: no Python guest rows" >&2
    rm -f "$target/python-bench/client.wasm"
fi
rm -rf "$pycache"
# The host side with whole-program optimisation (profile bench-lto).
cargo build --profile bench-lto -p wasock-bench
# System calls per operation are counted on a tracepoint: tracefs mounted.
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
"$target/bench-lto/wasock-bench" "$@"
