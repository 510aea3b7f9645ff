#!/bin/bash
# run.sh - many operator sessions through a real `fumidai serve`, from one load-generator process.
#
#   MODE=idle SESSIONS=10000 SECONDS_=60 bench/scale/run.sh
#   MODE=interactive SESSIONS=1000 SECONDS_=60 bench/scale/run.sh
#   MODE=bulk SESSIONS=50 BYTES=20000000 bench/scale/run.sh
#   MODE=storm RATE=50 SECONDS_=60 USERS=3000 bench/scale/run.sh
#   MODE=burst SESSIONS=500 bench/scale/run.sh
#
# Starts, in a temporary folder: a data directory (`fumidai init`), the Fumidai test host as the target (it trusts the
# bastion's user CA, so each session logs in there with its own short-lived certificate, as against a real sshd, but
# costs little, so what is measured is the bastion), USERS load users with a shared key and their own TOTP secrets
# (added straight into the store by `Fumidai.Scale setup`), and `fumidai serve` on 127.0.0.1. `Fumidai.Scale run` then
# logs in with publickey + TOTP (codes computed from the secrets, each used once) and reports the bastion's RSS, CPU
# and open files, latencies and errors. Afterwards `fumidai verify --all` checks every recording.
# Knobs (env): MODE, SESSIONS (100), SECONDS_ (30), RATE (50), BYTES (10000000), USERS (SESSIONS/2 + 50, at least
# RATE*15 for storms), CONCURRENCY (32), NO_BUILD=1, SERVE_ENV ("VAR=value ..." for serve). Every process is stopped by PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODE=${MODE:-idle}
SESSIONS=${SESSIONS:-100}
SECONDS_=${SECONDS_:-30}
RATE=${RATE:-50}
BYTES=${BYTES:-10000000}
CONCURRENCY=${CONCURRENCY:-32}
DEFAULT_USERS=$(( SESSIONS / 2 + 50 ))
[ "$MODE" = storm ] && DEFAULT_USERS=$(( ${RATE%.*} * 15 + 50 ))
USERS=${USERS:-$DEFAULT_USERS}
SERVE_ENV=${SERVE_ENV:-}
[ "$SESSIONS" -ge 1 ] && [ "$SESSIONS" -le 20000 ] || { echo "SESSIONS must be 1..20000" >&2; exit 1; }

# Each session is a socket to the operator and one to the target in the bastion, plus files of its recording.
ulimit -n "$(ulimit -Hn)"
echo "open-file limit raised to $(ulimit -n)"

T=$(mktemp -d /tmp/fumidai-scale.XXXXXX)
SERVE_PID=""
HOST_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null || true
  [ -n "$HOST_PID" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${NO_BUILD:-0}" != 1 ]; then
  for p in src/Fumidai.Cli tests/Fumidai.Ssh.TestHost bench/Fumidai.Scale; do
    dotnet build -c Release "$ROOT/$p" -nologo -v q >"$T/build.log" 2>&1 || { cat "$T/build.log" >&2; exit 1; }
  done
fi
FUMIDAI="dotnet $ROOT/src/Fumidai.Cli/bin/Release/net10.0/fumidai.dll"
SCALE="$ROOT/bench/Fumidai.Scale/bin/Release/net10.0/Fumidai.Scale"
HOST_BIN="$ROOT/tests/Fumidai.Ssh.TestHost/bin/Release/net10.0/Fumidai.Ssh.TestHost"
export FUMIDAI_DATA="$T/data" NO_COLOR=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

wait_for_line() { # file pattern seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; return 1
}

$FUMIDAI init >"$T/init.log" 2>&1 || { cat "$T/init.log" >&2; exit 1; }
"$HOST_BIN" --dir "$T/target" --port 0 --trusted-user-ca "$T/data/user_ca.pub" >"$T/target.out" 2>"$T/target.err" &
HOST_PID=$!
wait_for_line "$T/target.out" LISTENING 30
TARGET_PORT=$(awk '/LISTENING/ {print $2}' "$T/target.out")
$FUMIDAI target add load01 --host 127.0.0.1 --port "$TARGET_PORT" --login root --scan --yes >/dev/null
$FUMIDAI role add load --targets load01 --logins root --allow shell,exec >/dev/null
ssh-keygen -q -t ed25519 -N '' -C load -f "$T/id_ed25519"
"$SCALE" setup --data "$T/data" --users "$USERS" --role load --public-key "$T/id_ed25519.pub" --users-file "$T/users.tsv"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env FUMIDAI__Web__Enabled=false FUMIDAI__Health__Listen=127.0.0.1:0 $SERVE_ENV $FUMIDAI serve --ssh-listen "127.0.0.1:$PORT" >"$T/serve.log" 2>&1 &
SERVE_PID=$!
wait_for_line "$T/serve.log" "listening on 127.0.0.1:$PORT" 60
# dotnet is the process serving: $! is that process itself (exec'd by the shell's env).
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$T/data/host_ed25519.pub")" >"$T/known_hosts"
echo "bastion pid $SERVE_PID on 127.0.0.1:$PORT, target test host pid $HOST_PID on $TARGET_PORT, $USERS users"

status=0
"$SCALE" run --port "$PORT" --known-hosts "$T/known_hosts" --users-file "$T/users.tsv" --key "$T/id_ed25519" --target load01 \
  --mode "$MODE" --sessions "$SESSIONS" --seconds "$SECONDS_" --rate "$RATE" --bytes "$BYTES" --concurrency "$CONCURRENCY" \
  --pid "$SERVE_PID" || status=$?

# Every recording must verify: stop serve (it seals what is still open), then check them all.
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
$FUMIDAI verify --all >"$T/verify.log" 2>&1 || status=$?
tail -n 1 "$T/verify.log"
grep -c "session.start" <($FUMIDAI audit --since 1d 2>/dev/null) | sed 's/^/sessions started (audit): /' || true
exit $status
