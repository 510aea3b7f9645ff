#!/usr/bin/env bash
# Fumidai as a row of the shared peers harness (../shared/peers): OpenSSH ProxyJump, tlog, script(1) and the
# recording bastion, measured in one run on loopback: bulk pty/non-pty throughput, connection setup, keystroke RTT.
#   bench/bastion/run-peers.sh                  # default rows: direct jump bastion; knobs of run.sh pass through
#   ROWS="direct jump script tlog tloghop" bench/bastion/run-peers.sh
# Every login through the bastion needs a fresh TOTP code, and a code is accepted once per user, so the benchmark
# enrols BENCH_USERS users and rotates through them; oathtool computes the codes (never our own code).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
PEERS=${PEERS_DIR:-$ROOT/../shared/peers}
export PEERS_STATE=${PEERS_STATE:-/tmp/fumidai-peers.state}
BENCH_USERS=${BENCH_USERS:-80}
PORT=${BASTION_PORT:-2222}
for p in openssh-server openssh-client oathtool expect tlog; do dpkg -s "$p" >/dev/null 2>&1 || missing+=" $p"; done
[ -z "${missing:-}" ] || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing; }

dotnet publish "$ROOT/src/Fumidai.Cli" -c Release -o "$ROOT/artifacts/fumidai" -nologo -v q >/dev/null
F="$ROOT/artifacts/fumidai/fumidai"
"$PEERS/setup.sh"
T=$(cat "$PEERS_STATE")
B="$T/fumidai"; D="$B/data"; mkdir -p "$B/secrets"
SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
  "$PEERS/teardown.sh" >/dev/null || true
}
trap cleanup EXIT

"$F" init --data "$D" --admin benchadmin >/dev/null
"$F" role add bench --targets target --logins root --data "$D" >/dev/null
# The peers' target accepts $T/id_ed25519: store it as the target credential (the operator never sees it).
"$F" target add target --host 127.0.0.1 --port 2201 --login root --host-key "$(cut -d' ' -f1,2 "$T/host_2201.pub")" \
  --key "$T/id_ed25519" --data "$D" >/dev/null
for i in $(seq -w 1 "$BENCH_USERS"); do
  "$F" user add "bench$i" --key "$T/id_ed25519.pub" --role bench --data "$D" | grep -o 'secret=[A-Z0-9]*' | cut -d= -f2 > "$B/secrets/bench$i"
done
echo 0 > "$B/counter"
cat > "$B/askpass.sh" <<A
#!/bin/sh
exec oathtool --totp -b "\$(cat "$B/secrets/\$FUMIDAI_BENCH_USER")"
A
# One ssh through the bastion: takes the next user in turn, answers the TOTP prompt through askpass.
cat > "$B/ssh-bastion.sh" <<S
#!/bin/bash
tty=\$1; shift
n=\$(flock "$B/counter" bash -c 'n=\$(cat "$B/counter"); echo \$((n+1)) > "$B/counter"; echo \$n')
u=bench\$(printf '%0${#BENCH_USERS}d' \$(( n % $BENCH_USERS + 1 )))
FUMIDAI_BENCH_USER=\$u SSH_ASKPASS="$B/askpass.sh" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \\
  exec ssh -F "\$CFG" "\$tty" -o BatchMode=no -o UserKnownHostsFile="$B/known_hosts" \\
  -o PreferredAuthentications=publickey,keyboard-interactive -p $PORT "\$u:target@127.0.0.1" "\$@"
S
chmod +x "$B/askpass.sh" "$B/ssh-bastion.sh"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$D/host_ed25519.pub")" > "$B/known_hosts"

"$F" serve --data "$D" --ssh-listen "127.0.0.1:$PORT" > "$B/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$B/serve.log" && break; sleep 0.1; done
grep -q "listening on" "$B/serve.log" || { echo "fumidai serve did not start:" >&2; cat "$B/serve.log" >&2; exit 1; }

export BASTION_CMD="\"$B/ssh-bastion.sh\" \"\$TTY\"" BASTION_NAME=fumidai
# run.sh's per-run recording size reads a folder that chunk uploads change under it (find then fails): off by default
# (REPORT_REC=1 turns it on); the totals below come from the store once the run is over.
[ "${REPORT_REC:-0}" = 1 ] && export BASTION_REC_DIR="$D/recordings"
export ROWS=${ROWS:-"direct jump"} KEX=${KEX:-curve25519-sha256}
# Users rotate; keep the run short enough that no user logs in twice within one 30 s TOTP step.
export CONN_REPS=${CONN_REPS:-20} REPS=${REPS:-3}
"$PEERS/run.sh"
kill "$SERVE_PID" && wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""
echo "# fumidai: $(find "$D/recordings" -name manifest.json | wc -l) signed recordings, $(du -sb "$D/recordings" | cut -f1) bytes stored for all runs (chunked, brotli)"
