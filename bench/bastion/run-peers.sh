#!/usr/bin/env bash
# Fumidai as a row of the shared peers harness (../shared/peers): OpenSSH ProxyJump, tlog, script(1) and the
# recording bastion, measured in one run on loopback: bulk pty/non-pty throughput, connection setup, keystroke RTT.
#   bench/bastion/run-peers.sh                  # default rows: direct jump bastion; knobs of run.sh pass through
#   ROWS="direct jump script tlog tloghop" bench/bastion/run-peers.sh
#   MODE=bulk|latency|all (default all): bulk = only the alternating jump/fumidai bulk table with CPU s/GiB
#   (BULK_CIPHERS, PAYLOADS="text zero", BYTES, REPS); latency = only run.sh's connect and keystroke rows
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

[ "${NO_BUILD:-0}" = 1 ] || dotnet publish "$ROOT/src/Fumidai.Cli" -c Release -o "$ROOT/artifacts/fumidai" -nologo -v q >/dev/null
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

# Alternating bulk rows: for every repetition, cipher, payload and tty, ProxyJump then Fumidai back to back, so both
# see the same machine load. Besides MB/s (load-sensitive) it prints the CPU seconds per GiB of the bastion process
# against the jump host's sshd (its listener's own time plus the reaped per-connection processes), which does not
# depend on how busy the shared machine is.
cpu_ticks() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat"; }   # utime stime cutime cstime (reaped children)
alternate_bulk() {
  local nb rep cipher payload tty row t0 t1 c0 c1 got src pid
  nb=$(numfmt --from=iec "${BYTES:-512M}")
  local jpid; jpid=$(cat "$T/sshd_2202.pid")
  local raw="${PEERS_RESULTS:-/tmp/fumidai-peers-results}/bulk-$(date +%Y%m%d-%H%M%S).tsv"; mkdir -p "${raw%/*}"; printf 'rep\tcipher\tpayload\ttty\trow\tMB/s\tcpu_s_per_GiB\tbytes\n' > "$raw"
  echo "# alternating bulk: BYTES=${BYTES:-512M} REPS=${REPS:-3} CIPHERS='$BULK_CIPHERS' PAYLOADS='$PAYLOADS'; load $(cut -d' ' -f1-3 /proc/loadavg)"
  for ((rep=1; rep<=${REPS:-3}; rep++)); do
    for cipher in $BULK_CIPHERS; do
      CFG="$T/ssh_config.bulk.$cipher"; { echo "Ciphers $cipher"; echo "KexAlgorithms $KEX"; cat "$T/ssh_config"; } > "$CFG"; export CFG
      for payload in $PAYLOADS; do
        if [ "$payload" = text ]; then src="yes 'The quick brown fox jumps over the lazy dog. 0123456789' | head -c $nb"
        else src="head -c $nb /dev/zero"; fi
        for tty in -T -tt; do export TTY=$tty
          for row in jump bastion; do
            [ $row = jump ] && pid=$jpid || pid=$SERVE_PID
            c0=$(cpu_ticks "$pid"); t0=$(date +%s%N)
            got=$(timeout 300 bash -c '. "$0/rows.sh"; row_'"$row"' "$1" </dev/null | wc -c' "$PEERS" "$src")
            t1=$(date +%s%N); sleep 0.3; c1=$(cpu_ticks "$pid")
            awk -v r=$rep -v c=$cipher -v p=$payload -v t=$tty -v row=$([ $row = bastion ] && echo fumidai || echo jump) \
              -v b="$got" -v ns=$((t1-t0)) -v tk=$((c1-c0)) 'BEGIN{printf "%s\t%s\t%s\t%s\t%s\t%.1f\t%.2f\t%s\n", r,c,p,t,row,b/(ns/1e9)/1e6,(tk/100)/(b/2^30),b}' >> "$raw"
          done
        done
      done
    done
  done
  printf '%-40s %-13s %-13s %-11s %-13s %-13s\n' "cipher payload tty" "jump MB/s" "fumidai MB/s" ratio "jump cpu/GiB" "fumidai cpu/GiB"
  # Summary: per configuration, MB/s range per row, ratio range (per repetition pair), CPU s/GiB range.
  awk -F'\t' 'NR>1{k=$2" "$3" "$4; if($5=="jump"){j[k,$1]=$6; jc[k,$1]=$7} else {f[k,$1]=$6; fc[k,$1]=$7}; keys[k]=1; reps[$1]=1}
    function rng(a,k,  r,lo,hi,v){lo="";for(r in reps){v=a[k,r];if(lo==""||v<lo)lo=v;if(hi==""||v>hi)hi=v};return lo"~"hi}
    END{for(k in keys){lo="";hi="";for(r in reps){q=f[k,r]/j[k,r];if(lo==""||q<lo)lo=q;if(hi==""||q>hi)hi=q}
        printf "%-40s %-13s %-13s %.2f~%.2f   %-13s %-13s\n",k,rng(j,k),rng(f,k),lo,hi,rng(jc,k),rng(fc,k)}}' "$raw" | sort
  echo "# load after bulk: $(cut -d' ' -f1-3 /proc/loadavg); raw: $raw"
}
BULK_CIPHERS=${BULK_CIPHERS:-"chacha20-poly1305@openssh.com aes128-gcm@openssh.com"} PAYLOADS=${PAYLOADS:-"text zero"}
KEX=${KEX:-curve25519-sha256}

# SERVE_ENV: extra environment for the bastion, e.g. "DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0" to profile
# it with perf (its PID is in $B/serve.pid).
env ${SERVE_ENV:-} FUMIDAI__Health__Listen=127.0.0.1:0 FUMIDAI__Web__Enabled=false \
  "$F" serve --data "$D" --ssh-listen "127.0.0.1:$PORT" > "$B/serve.log" 2>&1 &
SERVE_PID=$!; echo "$SERVE_PID" > "$B/serve.pid"
for _ in $(seq 1 100); do grep -q "listening on" "$B/serve.log" && break; sleep 0.1; done
grep -q "listening on" "$B/serve.log" || { echo "fumidai serve did not start:" >&2; cat "$B/serve.log" >&2; exit 1; }

export BASTION_CMD="\"$B/ssh-bastion.sh\" \"\$TTY\"" BASTION_NAME=fumidai
[ "${MODE:-all}" = bulk ] || [ "${MODE:-all}" = all ] && alternate_bulk
[ "${MODE:-all}" = bulk ] && { kill "$SERVE_PID" && wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""; exit 0; }
# run.sh's per-run recording size reads a folder that chunk uploads change under it (find then fails): off by default
# (REPORT_REC=1 turns it on); the totals below come from the store once the run is over.
[ "${REPORT_REC:-0}" = 1 ] && export BASTION_REC_DIR="$D/recordings"
export ROWS=${ROWS:-"direct jump"} KEX=${KEX:-curve25519-sha256}
# Users rotate; keep the run short enough that no user logs in twice within one 30 s TOTP step.
export CONN_REPS=${CONN_REPS:-20} REPS=${REPS:-3}
# MODE=latency: connect and keystroke rows only (run.sh's own bulk table shrinks to 1 MiB of one cipher).
[ "${MODE:-all}" = latency ] && export BYTES=1M CIPHERS=chacha20-poly1305@openssh.com
"$PEERS/run.sh"
kill "$SERVE_PID" && wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""
echo "# fumidai: $(find "$D/recordings" -name manifest.json | wc -l) signed recordings, $(du -sb "$D/recordings" | cut -f1) bytes stored for all runs (chunked, brotli)"
