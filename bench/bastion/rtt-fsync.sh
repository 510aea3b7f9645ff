#!/usr/bin/env bash
# Keystroke round trip through the recording bastion across many of its recorder's 1 s fsyncs, reported as
# median / p95 / p99 / max per row, optionally while another process keeps the same disk busy with synchronous
# writes (DISK_LOAD=1), which makes each fsync slow: a relay that waits on fsync shows it in p99.
#   bench/bastion/rtt-fsync.sh                       # ProxyJump and Fumidai rows, 3000 keystrokes each
#   DISK_LOAD=1 RTT_REPS=5000 bench/bastion/rtt-fsync.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp)
LOAD_PID=""
cleanup() { [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null; rm -f "$OUT" /tmp/fumidai-fsync-load; }
trap cleanup EXIT
if [ "${DISK_LOAD:-0}" = 1 ]; then
  # The peers state lives under /tmp, like the bastion's data directory: the writer competes for the same disk.
  ( while :; do dd if=/dev/zero of=/tmp/fumidai-fsync-load bs=1M count=32 conv=fsync status=none; done ) &
  LOAD_PID=$!
fi
ROWS=${ROWS:-jump} REPS=1 BYTES=1M CONN_REPS=3 RTT_REPS=${RTT_REPS:-3000} "$HERE/run-peers.sh" | tee "$OUT"
RAW=$(sed -n 's/.*raw samples: //p' "$OUT" | tail -1)
echo
echo "== keystroke RTT percentiles (us)$([ "${DISK_LOAD:-0}" = 1 ] && echo ', disk kept busy by a synchronous writer') =="
printf '%-10s %8s %8s %8s %8s %8s\n' row samples median p95 p99 max
for row in $(awk -F'\t' '$1=="rtt"{print $2}' "$RAW" | sort -u); do
  awk -F'\t' -v r="$row" '$1=="rtt" && $2==r {print $5}' "$RAW" | sort -n | awk -v r="$row" '
    {a[NR]=$1} END { if (!NR) exit; printf "%-10s %8d %8d %8d %8d %8d\n", r, NR, a[int((NR+1)/2)], a[int(NR*0.95+0.5)], a[int(NR*0.99+0.5)], a[NR] }'
done
