#!/usr/bin/env bash
# Throughput through an agent versus a direct target, same machine: one bastion (fumidai serve), one private sshd on
# 127.0.0.1 added twice, as `direct` (bastion dials it) and as `viaagent` (fumidai agent dials the bastion and forwards
# to it). A machine account downloads a SIZE MiB file with scp through the bastion from each, alternating, ROUNDS rounds.
# Usage: bench/agent-throughput.sh [SIZE_MIB] [ROUNDS]    (default 256, 3)
set -euo pipefail
SIZE=${1:-256}
ROUNDS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/fumidai-agent-bench-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1; }

dotnet build -c Release -v q --nologo "$ROOT/src/Fumidai.Cli/Fumidai.Cli.csproj" >/dev/null
FUMIDAI=(dotnet "$ROOT/src/Fumidai.Cli/bin/Release/net10.0/fumidai.dll")
export FUMIDAI_DATA="$WORK/data" FUMIDAI__Health__Listen=127.0.0.1:0 FUMIDAI__Web__Enabled=false NO_COLOR=1
"${FUMIDAI[@]}" init --admin admin >/dev/null

ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
"${FUMIDAI[@]}" ca show > "$WORK/user_ca.pub"
PORT=$(free_port)
cat > "$WORK/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $WORK/host_ed25519
PidFile $WORK/sshd.pid
TrustedUserCAKeys $WORK/user_ca.pub
UsePAM no
StrictModes no
PermitRootLogin yes
LogLevel ERROR
Subsystem sftp /usr/lib/openssh/sftp-server
CONF
mkdir -p /run/sshd
/usr/sbin/sshd -D -e -f "$WORK/sshd_config" 2>"$WORK/sshd.log" &
PIDS+=($!)
head -c $((SIZE * 1024 * 1024)) /dev/urandom > "$WORK/payload.bin"

"${FUMIDAI[@]}" target add direct --host 127.0.0.1 --port "$PORT" --login root --host-key "$(cut -d' ' -f1,2 "$WORK/host_ed25519.pub")" >/dev/null
TOKEN=$("${FUMIDAI[@]}" target add viaagent --agent --login root --yes | grep '^fdj1\.')
"${FUMIDAI[@]}" role add bench --targets 'direct,viaagent' --logins root --allow scp,sftp,exec >/dev/null
"${FUMIDAI[@]}" user add bench --machine --key "$WORK/id_ed25519.pub" --role bench --from 127.0.0.1/32 >/dev/null

BPORT=$(free_port)
"${FUMIDAI[@]}" serve --ssh-listen "127.0.0.1:$BPORT" > "$WORK/serve.log" 2>&1 &
PIDS+=($!)
SERVE_PID=$!
wait_for "$WORK/serve.log" "listening on"
"${FUMIDAI[@]}" agent --bastion "127.0.0.1:$BPORT" --name viaagent --token "$TOKEN" --forward "127.0.0.1:$PORT" --state "$WORK/agent" \
  > "$WORK/agent.log" 2>&1 &
PIDS+=($!)
AGENT_PID=$!
wait_for "$WORK/agent.log" "connected to"
for _ in $(seq 100); do "${FUMIDAI[@]}" target show viaagent | grep -q 'ssh-ed25519 SHA256' && break; sleep 0.1; done
echo "[127.0.0.1]:$BPORT $(cut -d' ' -f1,2 "$WORK/data/host_ed25519.pub")" > "$WORK/known_hosts"

# CPU seconds (user + system) a process has used so far: steadier than MB/s on a shared machine.
cpu() { python3 -c "import os; f=open('/proc/$1/stat').read().rsplit(')',1)[1].split(); print((int(f[11])+int(f[12]))/os.sysconf('SC_CLK_TCK'))"; }

# Prints MB/s, then the bastion's and the agent's CPU seconds per GiB moved.
pull() {
  local start end s0 s1 a0 a1
  s0=$(cpu "$SERVE_PID"); a0=$(cpu "$AGENT_PID")
  start=$(date +%s.%N)
  scp -q -F /dev/null -P "$BPORT" -i "$WORK/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes -o User="bench:$1" \
      -o UserKnownHostsFile="$WORK/known_hosts" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
      "127.0.0.1:$WORK/payload.bin" "$WORK/out.bin"
  end=$(date +%s.%N)
  s1=$(cpu "$SERVE_PID"); a1=$(cpu "$AGENT_PID")
  cmp -s "$WORK/payload.bin" "$WORK/out.bin" || { echo "copy from $1 differs" >&2; exit 1; }
  rm -f "$WORK/out.bin"
  python3 -c "g=$SIZE/1024; print(f'{$SIZE*1048576/1e6/($end-$start):.1f} {($s1-$s0)/g:.2f} {($a1-$a0)/g:.2f}')"
}

echo "scp download of $SIZE MiB through the bastion, $ROUNDS alternating rounds, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
direct=(); agent=(); dcpu=(); acpu=()
for round in $(seq "$ROUNDS"); do
  read -r d ds _ < <(pull direct); read -r a as aa < <(pull viaagent)
  direct+=("$d"); agent+=("$a"); dcpu+=("$ds"); acpu+=("$as+$aa")
  echo "round $round: direct $d MB/s (bastion $ds CPU s/GiB), through the agent $a MB/s (bastion $as + agent $aa CPU s/GiB)," \
       "ratio $(python3 -c "print(f'{$a/$d:.2f}')")"
done
python3 - "${direct[*]}" "${agent[*]}" "${dcpu[*]}" "${acpu[*]}" <<'PY'
import sys
d = [float(x) for x in sys.argv[1].split()]; a = [float(x) for x in sys.argv[2].split()]
dc = [float(x) for x in sys.argv[3].split()]; ac = [sum(float(y) for y in x.split('+')) for x in sys.argv[4].split()]
print(f"direct {min(d):.1f}-{max(d):.1f} MB/s, through the agent {min(a):.1f}-{max(a):.1f} MB/s, "
      f"ratio of medians {sorted(a)[len(a)//2]/sorted(d)[len(d)//2]:.2f}; "
      f"CPU s/GiB direct {min(dc):.2f}-{max(dc):.2f}, through the agent (bastion + agent) {min(ac):.2f}-{max(ac):.2f}")
PY
