#!/bin/bash
# idle-connections.sh - memory per idle authenticated connection on the Fumidai test host (goal: <= 64 KiB).
#
#   bench/idle-connections.sh                    # 1,000 connections, no channel (like `ssh -N`)
#   COUNT=2000 bench/idle-connections.sh --session   # extra args go to the client: one session channel each
#
# Starts the test host (Release build) with a fresh ed25519 user key, then bench/Fumidai.IdleConnections opens COUNT
# authenticated connections with Fumidai.Ssh's client transport and reads the server's VmRSS before and after, each
# time after an induced full GC in the server. Knobs (env): COUNT (1000), NO_BUILD=1, TESTHOST_ENV (VAR=value pairs
# for the test host, e.g. "DOTNET_gcServer=1"). The test host is stopped by PID on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
COUNT=${COUNT:-1000}
TESTHOST_ENV=${TESTHOST_ENV:-}
[ "$COUNT" -ge 1 ] && [ "$COUNT" -le 10000 ] || { echo "COUNT must be 1..10000" >&2; exit 1; }
# Each connection is one socket in the server and one in the client (plus the runtime's own descriptors).
ulimit -n "$(( COUNT * 2 + 1024 > $(ulimit -Hn) ? $(ulimit -Hn) : COUNT * 2 + 1024 ))"

T=$(mktemp -d /tmp/fumidai-idle.XXXXXX)
HOST_PID=""
cleanup() {
  [ -n "$HOST_PID" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${NO_BUILD:-0}" != 1 ]; then
  for p in tests/Fumidai.Ssh.TestHost bench/Fumidai.IdleConnections; do
    dotnet build -c Release "$ROOT/$p" -nologo -v q >"$T/build.log" 2>&1 || { cat "$T/build.log" >&2; exit 1; }
  done
fi
HOST_BIN="$ROOT/tests/Fumidai.Ssh.TestHost/bin/Release/net10.0/Fumidai.Ssh.TestHost"
CLIENT_BIN="$ROOT/bench/Fumidai.IdleConnections/bin/Release/net10.0/Fumidai.IdleConnections"

ssh-keygen -q -t ed25519 -N '' -C bench-client -f "$T/id_ed25519"
mkdir -p "$T/fumidai"
env $TESTHOST_ENV "$HOST_BIN" --dir "$T/fumidai" --port 0 --authorized-keys "$T/id_ed25519.pub" \
  >"$T/testhost.out" 2>"$T/testhost.err" &
HOST_PID=$!
PORT=""
for _ in $(seq 1 300); do
  PORT=$(awk '/^LISTENING/ {print $2; exit}' "$T/testhost.out")
  [ -n "$PORT" ] && break
  kill -0 "$HOST_PID" 2>/dev/null || { cat "$T/testhost.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$PORT" ] || { echo "test host did not start" >&2; exit 1; }
[ -n "$TESTHOST_ENV" ] && echo "# test host env: $TESTHOST_ENV"

"$CLIENT_BIN" --pid "$HOST_PID" --port "$PORT" --key "$T/id_ed25519" --count "$COUNT" "$@"
