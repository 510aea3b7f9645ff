#!/bin/bash
# run.sh - many operator sessions through a real `fumidai serve`, from one load-generator process.
#
#   MODE=idle SESSIONS=10000 SECONDS_=60 bench/scale/run.sh
#   MODE=interactive SESSIONS=1000 SECONDS_=60 bench/scale/run.sh
#   MODE=bulk SESSIONS=50 BYTES=20000000 bench/scale/run.sh
#   MODE=storm RATE=50 SECONDS_=60 USERS=3000 bench/scale/run.sh
#   MODE=burst SESSIONS=500 bench/scale/run.sh
#   METADATA=postgres MODE=storm RATE=50 bench/scale/run.sh      (metadata in a private PostgreSQL 15)
#   METADATA=postgres NODES=2 MODE=storm RATE=60 bench/scale/run.sh   (two nodes behind haproxy, send-proxy-v2)
#
# Starts, in a temporary folder: a data directory (`fumidai init`), the Fumidai test host as the target (it trusts the
# bastion's user CA, so each session logs in there with its own short-lived certificate, as against a real sshd, but
# costs little, so what is measured is the bastion), USERS load users with a shared key and their own TOTP secrets
# (added straight into the store by `Fumidai.Scale setup`), and `fumidai serve` on 127.0.0.1. `Fumidai.Scale run` then
# logs in with publickey + TOTP (codes computed from the secrets, each used once) and reports the bastion's RSS, CPU
# and open files, latencies and errors. Afterwards `fumidai verify --all` checks every recording.
# Knobs (env): MODE, SESSIONS (100), SECONDS_ (30), RATE (50), BYTES (10000000), USERS (SESSIONS/2 + 50, at least
# RATE*15 for storms), CONCURRENCY (32), NO_BUILD=1, SERVE_ENV ("VAR=value ..." for serve), METADATA (sqlite | postgres:
# initdb + pg_ctl as the postgres account, fsync on as in production), NODES (1 | 2: a second node joins the first's
# database and master key, both behind Debian's haproxy in TCP mode with send-proxy-v2; the load goes to haproxy and
# RSS/CPU are node 1's), PG_STATEMENTS (a file: with METADATA=postgres, every statement PostgreSQL ran during the run,
# counted by its first line, most frequent first: which queries a login makes; the server's log, in order with time, backend
# and transaction id, goes to PG_STATEMENTS.log), KEEP_LOGS (a folder: serve's and the target's
# logs are copied there at the end). Every process is stopped by PID.
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
METADATA=${METADATA:-sqlite}
NODES=${NODES:-1}
[ "$SESSIONS" -ge 1 ] && [ "$SESSIONS" -le 20000 ] || { echo "SESSIONS must be 1..20000" >&2; exit 1; }
case "$METADATA" in sqlite|postgres) ;; *) echo "METADATA must be sqlite or postgres" >&2; exit 1 ;; esac
case "$NODES" in 1) ;; 2) [ "$METADATA" = postgres ] || { echo "NODES=2 needs METADATA=postgres (the nodes share the database)" >&2; exit 1; } ;;
  *) echo "NODES must be 1 or 2" >&2; exit 1 ;; esac
[ "$NODES" = 1 ] || [ "$SESSIONS" -le 8000 ] || { echo "NODES=2 holds at most 8000 sessions (haproxy's connection limit)" >&2; exit 1; }

# Each session is a socket to the operator and one to the target in the bastion, plus files of its recording.
ulimit -n "$(ulimit -Hn)"
echo "open-file limit raised to $(ulimit -n)"

T=$(mktemp -d /tmp/fumidai-scale.XXXXXX)
SERVE_PID=""
SERVE2_PID=""
HOST_PID=""
HAPROXY_PID=""
PG_BIN=/usr/lib/postgresql/15/bin
cleanup() {
  # KEEP_LOGS=DIR: the bastion's and the target's logs are copied there before the temporary folder goes.
  [ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp "$T"/*.log "$T"/target.* "$KEEP_LOGS"/ 2>/dev/null || true
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null || true
  [ -n "$SERVE2_PID" ] && kill "$SERVE2_PID" 2>/dev/null && wait "$SERVE2_PID" 2>/dev/null || true
  [ -n "$HAPROXY_PID" ] && kill "$HAPROXY_PID" 2>/dev/null && wait "$HAPROXY_PID" 2>/dev/null || true
  [ -n "$HOST_PID" ] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null || true
  if [ -f "$T/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" stop -D "$T/pg/data" -m fast -w -t 30 >/dev/null 2>&1 \
      || kill "$(head -n 1 "$T/pg/data/postmaster.pid")" 2>/dev/null || true
  fi
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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ "$METADATA" = postgres ]; then
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL 15 is not installed: apt-get install postgresql" >&2; exit 1; }
  chmod 711 "$T"
  mkdir "$T/pg" && chown postgres:postgres "$T/pg"
  PG_PORT=$(free_port)
  runuser -u postgres -- "$PG_BIN/initdb" -D "$T/pg/data" -U postgres --auth=trust -E UTF8 --locale=C >"$T/pg-init.log" 2>&1 \
    || { cat "$T/pg-init.log" >&2; exit 1; }
  runuser -u postgres -- "$PG_BIN/pg_ctl" start -D "$T/pg/data" -l "$T/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $T/pg -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
  runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE fumidai" postgres
  export FUMIDAI__Metadata__Provider=postgres
  export FUMIDAI__Metadata__Postgres__ConnectionString="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=fumidai"
  echo "PostgreSQL 15 on 127.0.0.1:$PG_PORT (pid $(head -n 1 "$T/pg/data/postmaster.pid"))"
fi

$FUMIDAI init >"$T/init.log" 2>&1 || { cat "$T/init.log" >&2; exit 1; }
"$HOST_BIN" --dir "$T/target" --port 0 --trusted-user-ca "$T/data/user_ca.pub" >"$T/target.out" 2>"$T/target.err" &
HOST_PID=$!
wait_for_line "$T/target.out" LISTENING 30
TARGET_PORT=$(awk '/LISTENING/ {print $2}' "$T/target.out")
$FUMIDAI target add load01 --host 127.0.0.1 --port "$TARGET_PORT" --login root --scan --yes >/dev/null
$FUMIDAI role add load --targets load01 --logins root --allow shell,exec >/dev/null
ssh-keygen -q -t ed25519 -N '' -C load -f "$T/id_ed25519"
"$SCALE" setup --data "$T/data" --users "$USERS" --role load --public-key "$T/id_ed25519.pub" --users-file "$T/users.tsv"

PORT=$(free_port)
NODE_ENV=""
[ "$NODES" = 2 ] && NODE_ENV="FUMIDAI__Ssh__ProxyProtocol=true FUMIDAI__Ssh__TrustedProxies__0=127.0.0.1/32 FUMIDAI__Node__Name=node-1"
env FUMIDAI__Web__Enabled=false FUMIDAI__Health__Listen=127.0.0.1:0 $NODE_ENV $SERVE_ENV $FUMIDAI serve --ssh-listen "127.0.0.1:$PORT" >"$T/serve.log" 2>&1 &
SERVE_PID=$!
wait_for_line "$T/serve.log" "listening on 127.0.0.1:$PORT" 60
grep -m 1 "open-file limit" "$T/serve.log" | sed 's/^/serve: /' || true
if [ "$NODES" = 2 ]; then
  # The second node joins: same database, the first node's master key; it makes no keys of its own.
  FUMIDAI__Secrets__MasterKeyFile="$T/data/master.key" FUMIDAI_DATA="$T/data2" $FUMIDAI init >"$T/init2.log" 2>&1 \
    || { cat "$T/init2.log" >&2; exit 1; }
  # One recording store for both, as a shared bucket would be, so one `verify --all` checks every session.
  rm -rf "$T/data2/recordings" && ln -s "$T/data/recordings" "$T/data2/recordings"
  PORT2=$(free_port)
  env FUMIDAI_DATA="$T/data2" FUMIDAI__Secrets__MasterKeyFile="$T/data/master.key" FUMIDAI__Web__Enabled=false \
    FUMIDAI__Health__Listen=127.0.0.1:0 ${NODE_ENV/node-1/node-2} $SERVE_ENV $FUMIDAI serve --ssh-listen "127.0.0.1:$PORT2" >"$T/serve2.log" 2>&1 &
  SERVE2_PID=$!
  wait_for_line "$T/serve2.log" "listening on 127.0.0.1:$PORT2" 60
  HA_PORT=$(free_port)
  printf '%s\n' global "  maxconn 9000" defaults "  mode tcp" "  timeout connect 5s" "  timeout client 600s" "  timeout server 600s" \
    frontend\ ssh "  bind 127.0.0.1:$HA_PORT" "  default_backend nodes" backend\ nodes "  balance roundrobin" \
    "  server n1 127.0.0.1:$PORT send-proxy-v2" "  server n2 127.0.0.1:$PORT2 send-proxy-v2" >"$T/haproxy.cfg"
  /usr/sbin/haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  # haproxy needs two descriptors per connection: 9000 connections fit the usual hard limit of 20000.
  for _ in $(seq 1 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$HA_PORT),1)" 2>/dev/null && break; sleep 0.1; done
  kill -0 "$HAPROXY_PID" 2>/dev/null || { echo "haproxy did not start:" >&2; cat "$T/haproxy.log" >&2; exit 1; }
  echo "node 2 pid $SERVE2_PID on 127.0.0.1:$PORT2; haproxy pid $HAPROXY_PID on 127.0.0.1:$HA_PORT"
  PORT=$HA_PORT
fi
# dotnet is the process serving: $! is that process itself (exec'd by the shell's env).
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$T/data/host_ed25519.pub")" >"$T/known_hosts"
echo "bastion pid $SERVE_PID on 127.0.0.1:$PORT, target test host pid $HOST_PID on $TARGET_PORT, $USERS users"

pg_writes() { # the database's commits and written rows so far
  runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = 'fumidai'" postgres | tr '|' ' '
}
[ "$METADATA" = postgres ] && read -r COMMITS0 ROWS0 <<<"$(pg_writes)"
PG_STATEMENTS=${PG_STATEMENTS:-}
pg_log_statements() { # all | none
  # Time, backend and transaction id on each line: PG_STATEMENTS.log then shows one login's statements in order.
  runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "ALTER SYSTEM SET log_statement = '$1'" \
    -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %x '" -c "SELECT pg_reload_conf()" postgres >/dev/null
}
[ "$METADATA" = postgres ] && [ -n "$PG_STATEMENTS" ] && pg_log_statements all

status=0
"$SCALE" run --port "$PORT" --known-hosts "$T/known_hosts" --users-file "$T/users.tsv" --key "$T/id_ed25519" --target load01 \
  --mode "$MODE" --sessions "$SESSIONS" --seconds "$SECONDS_" --rate "$RATE" --bytes "$BYTES" --concurrency "$CONCURRENCY" \
  --pid "$SERVE_PID" --host-pid "$HOST_PID" || status=$?

if [ "$METADATA" = postgres ]; then
  read -r COMMITS1 ROWS1 <<<"$(pg_writes)"
  if [ -n "$PG_STATEMENTS" ]; then
    pg_log_statements none
    # Parameters are numbered ($1, ...) in the log; the first line of each statement names its call site well enough.
    grep -oP '(?<=LOG:  )(execute [^:]*|statement): .*' "$T/pg/server.log" | sed -E 's/^(execute [^:]*|statement): //' \
      | sort | uniq -c | sort -rn >"$PG_STATEMENTS"
    cp "$T/pg/server.log" "$PG_STATEMENTS.log"
    echo "statements PostgreSQL ran during the run, by text: $PG_STATEMENTS"
  fi
  started=$($FUMIDAI sessions list --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  # Counted while the sessions ran (their ends come later); the heartbeats and the generator's reads are in it too.
  [ "${started:-0}" -gt 0 ] && echo "PostgreSQL during the run: $((COMMITS1 - COMMITS0)) transactions, $((ROWS1 - ROWS0)) rows written for $started sessions" \
    "($(( (COMMITS1 - COMMITS0) / started )) transactions and $(( (ROWS1 - ROWS0) / started )) rows per session)"
fi

# Every recording must verify: stop serve (it seals what is still open), then check them all.
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
if [ -n "$SERVE2_PID" ]; then
  kill "$SERVE2_PID"; wait "$SERVE2_PID" 2>/dev/null || true; SERVE2_PID=""
  $FUMIDAI sessions list --json 2>/dev/null | python3 -c 'import json,sys,collections; print("sessions per node:", dict(collections.Counter(s.get("node") for s in json.load(sys.stdin))))' || true
fi
$FUMIDAI verify --all >"$T/verify.log" 2>&1 || status=$?
tail -n 1 "$T/verify.log"
grep -c "session.start" <($FUMIDAI audit --since 1d 2>/dev/null) | sed 's/^/sessions started (audit): /' || true
exit $status
