#!/usr/bin/env bash
# Shared setup: the wasm32-wasip2 target and the guest programs.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v python3 >/dev/null; then
    echo "python3 is needed (CPython comparison tests)" >&2
    exit 1
fi
# The name-resolution tests run in a private mount + network namespace:
# unshare and mount (util-linux), ip (iproute2). The descriptor-exhaustion
# test lowers its own RLIMIT_NOFILE with prlimit (util-linux).
missing=()
command -v unshare >/dev/null || missing+=(util-linux)
command -v prlimit >/dev/null || missing+=(util-linux)
command -v mount >/dev/null || missing+=(mount)
command -v ip >/dev/null || missing+=(iproute2)
# The option tests inspect sockets with ss (iproute2).
command -v ss >/dev/null || missing+=(iproute2)
# The netlink guard test watches the host's sendto(2) calls with strace.
command -v strace >/dev/null || missing+=(strace)
# The containerd shim test starts its own containerd and drives it with ctr.
command -v containerd >/dev/null || missing+=(containerd)
# Building the shim (containerd-shim-wasm): protoc for containerd's gRPC API,
# libseccomp for libcontainer.
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v pkg-config >/dev/null || missing+=(pkg-config)
pkg-config --exists libseccomp 2>/dev/null || missing+=(libseccomp-dev)
if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq "${missing[@]}"
    else
        echo "needed for the tests: ${missing[*]}" >&2
        exit 1
    fi
fi
rustup target add wasm32-wasip2
# Python guests (`wasock run app.py`) are packaged with componentize-py,
# pinned, in the project's own virtual environment (.venv): no global pip,
# nothing downloaded when a guest runs.
COMPONENTIZE_PY_VERSION=0.25.1
if ! .venv/bin/componentize-py --version 2>/dev/null | grep -qx "componentize-py $COMPONENTIZE_PY_VERSION"; then
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check "componentize-py==$COMPONENTIZE_PY_VERSION"
fi
cargo build --release --target wasm32-wasip2 -p wasock-examples -p wasock-test-guests
cargo build -p wasock-host
