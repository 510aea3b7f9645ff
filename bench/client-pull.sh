#!/usr/bin/env bash
# Client-role throughput on loopback: our SshClient versus Debian's OpenSSH client, each pulling
# `head -c 512M /dev/zero` from a private sshd on 127.0.0.1, alternating, ROUNDS rounds.
# Usage: bench/client-pull.sh [CIPHER] [ROUNDS]    (default chacha20-poly1305@openssh.com, 3)
# Optional: TIME_CMD="/usr/bin/time -f %U+%S_cpu_%e_wall" prefixes both clients; OURS_PREFIX="strace -f -c -o FILE" ours only.
set -euo pipefail
CIPHER=${1:-chacha20-poly1305@openssh.com}
ROUNDS=${2:-3}
BYTES=$((512 * 1024 * 1024))
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/fumidai-client-pull-XXXXXX)
SSHD_PID=""
cleanup() {
  if [[ -n "$SSHD_PID" ]]; then kill "$SSHD_PID" 2>/dev/null || true; wait "$SSHD_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

dotnet build -c Release -v q --nologo "$ROOT/bench/ClientPull/ClientPull.csproj" >/dev/null
PULL="$ROOT/bench/ClientPull/bin/Release/net10.0/ClientPull.dll"

ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
cp "$WORK/id_ed25519.pub" "$WORK/authorized_keys"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $WORK/host_ed25519
PidFile $WORK/sshd.pid
AuthorizedKeysFile $WORK/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin yes
LogLevel ERROR
CONF
mkdir -p /run/sshd
/usr/sbin/sshd -D -e -f "$WORK/sshd_config" 2>"$WORK/sshd.log" &
SSHD_PID=$!
for _ in $(seq 50); do grep -q . "$WORK/sshd.pid" 2>/dev/null && break; sleep 0.1; done
echo "[127.0.0.1]:$PORT $(cat "$WORK/host_ed25519.pub")" > "$WORK/known_hosts"
USER_NAME=$(id -un)

ours() {
  ${TIME_CMD:-} ${OURS_PREFIX:-} dotnet "$PULL" 127.0.0.1 "$PORT" "$USER_NAME" "$WORK/id_ed25519" "$WORK/known_hosts" "$BYTES" "$CIPHER"
}
openssh() {
  local start end
  start=$(date +%s.%N)
  ${TIME_CMD:-} ssh -F /dev/null -p "$PORT" -i "$WORK/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes \
      -o UserKnownHostsFile="$WORK/known_hosts" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
      -c "$CIPHER" "$USER_NAME@127.0.0.1" "head -c $BYTES /dev/zero" > /dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$BYTES/1e6/($end-$start):.1f}')"
}

echo "cipher $CIPHER, $((BYTES / 1024 / 1024)) MiB per pull, $ROUNDS rounds, sshd on 127.0.0.1:$PORT, $(nproc) cores"
ours_total=(); ours_transfer=(); theirs=()
for round in $(seq "$ROUNDS"); do
  read -r _ _ _ total transfer _ < <(ours)
  o=$(openssh)
  ours_total+=("$total"); ours_transfer+=("$transfer"); theirs+=("$o")
  echo "round $round: fumidai $total MB/s (transfer only $transfer MB/s), openssh $o MB/s"
done
python3 - "${ours_total[*]}" "${ours_transfer[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
ours, transfer, theirs = ([float(x) for x in a.split()] for a in sys.argv[1:4])
m_ours, m_transfer, m_theirs = statistics.median(ours), statistics.median(transfer), statistics.median(theirs)
print(f"median: fumidai {m_ours:.1f} MB/s (transfer only {m_transfer:.1f}), openssh {m_theirs:.1f} MB/s, "
      f"ratio {m_ours / m_theirs:.2f} (connect included, as for ssh), {m_transfer / m_theirs:.2f} (transfer only)")
PY
