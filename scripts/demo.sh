#!/usr/bin/env bash
# Sets everything up, then runs the Python docs' echo server and client as
# two sandboxed guests over loopback, each under a policy that allows
# exactly what it needs, and prints their exchange.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PORT=${PORT:-50007}
WASOCK=target/debug/wasock
GUESTS=target/wasm32-wasip2/release
echo
echo "== server: wasock run --allow-bind 127.0.0.1:$PORT echo_server.wasm"
echo "== client: wasock run --allow-connect tcp://127.0.0.1:$PORT echo_client.wasm"
"$WASOCK" run --allow-bind "127.0.0.1:$PORT" "$GUESTS/echo_server.wasm" 127.0.0.1 "$PORT" \
    > >(sed -u 's/^/[server] /') 2>&1 &
server=$!
err=$(mktemp)
trap 'rm -f "$err"; kill "$server" 2>/dev/null || true' EXIT
# The server needs a moment to start listening: retry a refused connect,
# at most 100 times.
ok=""
for _ in $(seq 1 100); do
    if "$WASOCK" run --allow-connect "tcp://127.0.0.1:$PORT" "$GUESTS/echo_client.wasm" 127.0.0.1 "$PORT" \
        2>"$err" | sed -u 's/^/[client] /'; then
        ok=1
        break
    fi
    if ! grep -q ConnectionRefusedError "$err"; then
        sed 's/^/[client] /' "$err"
        exit 1
    fi
    sleep 0.1
done
[ -n "$ok" ] || { echo "the client never got through" >&2; exit 1; }
wait "$server"
echo "== done"
