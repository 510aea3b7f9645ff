#!/bin/bash
# logins.sh - the login figures of a cluster, each configuration run in turn ROUNDS times (alternating, so a busy moment
# on a shared machine does not fall on one configuration only), then the range of each:
#
#   bench/scale/logins.sh
#   ROUNDS=5 SETUP_RATE=20 CLUSTER_RATE=60 SECONDS_=30 bench/scale/logins.sh
#
#   sqlite    one node on SQLite, a login storm at SETUP_RATE per second: login setup p50/p99
#   postgres  one node on PostgreSQL 15, the same storm: its setup over SQLite's (goal <= 1.1x)
#   cluster   two nodes on PostgreSQL behind haproxy (send-proxy-v2), a storm at CLUSTER_RATE: logins per second
#             sustained (goal >= 50) and setup p50/p99
#
# Each run is `bench/scale/run.sh` (MODE=storm, its own PostgreSQL, haproxy, nodes and target, many users so no TOTP
# code is used twice), which also verifies every recording (its exit status is shown: not 0 means errors or a failed
# verify; KEEP the logs to see which). The load average is printed with each run: figures taken
# while other work ran are not comparable. Knobs: ROUNDS (3), SETUP_RATE (20, below what one node saturates at, so
# setup measures the work of a login and not a queue), CLUSTER_RATE (60), SECONDS_ (30), CONFIGS ("sqlite postgres
# cluster"), KEEP (a folder: every run's full output is kept there).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${ROUNDS:-3}
SETUP_RATE=${SETUP_RATE:-20}
CLUSTER_RATE=${CLUSTER_RATE:-60}
SECONDS_=${SECONDS_:-30}
CONFIGS=${CONFIGS:-sqlite postgres cluster}
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || { echo "ROUNDS must be 1..20" >&2; exit 1; }
OUT=$(mktemp -d /tmp/fumidai-logins.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; OUT_KEEP=$KEEP; else OUT_KEEP=""; fi

for p in src/Fumidai.Cli tests/Fumidai.Ssh.TestHost bench/Fumidai.Scale; do
  dotnet build -c Release "$ROOT/$p" -nologo -v q >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
done

run_one() { # config round
  local config=$1 round=$2 log="$OUT/$1-$2.log" load status=0
  load=$(cut -d' ' -f1 /proc/loadavg)
  case "$config" in
    sqlite) env NO_BUILD=1 MODE=storm METADATA=sqlite RATE="$SETUP_RATE" SECONDS_="$SECONDS_" "$HERE/run.sh" >"$log" 2>&1 || status=$? ;;
    postgres) env NO_BUILD=1 MODE=storm METADATA=postgres RATE="$SETUP_RATE" SECONDS_="$SECONDS_" "$HERE/run.sh" >"$log" 2>&1 || status=$? ;;
    cluster) env NO_BUILD=1 MODE=storm METADATA=postgres NODES=2 RATE="$CLUSTER_RATE" SECONDS_="$SECONDS_" "$HERE/run.sh" >"$log" 2>&1 || status=$? ;;
    *) echo "unknown configuration $config (sqlite, postgres, cluster)" >&2; exit 1 ;;
  esac
  [ -n "$OUT_KEEP" ] && cp "$log" "$OUT_KEEP/"
  local line rate p50 p99 errors
  line=$(grep -m1 '^storm: .* logins asked' "$log" || true) # the generator's CPU lines start with "storm:" too
  rate=$(sed -nE 's/.*\(([0-9.]+) per second\).*/\1/p' <<<"$line")
  p50=$(sed -nE 's/.* p50=([0-9.]+) ms.*/\1/p' <<<"$line")
  p99=$(sed -nE 's/.* p99=([0-9.]+) ms.*/\1/p' <<<"$line")
  errors=$(grep -m1 -oP '(?<=\] errors: )[0-9]+' "$log" || echo "?")
  if [ -z "$rate" ]; then
    echo "round $round $config: no storm result (load $load); last lines:" && tail -n 5 "$log" | sed 's/^/    /'
    return
  fi
  printf 'round %s %-8s %6s logins/s  setup p50 %8s ms  p99 %8s ms  errors %s  run.sh exit %s  (load average %s)\n' \
    "$round" "$config" "$rate" "$p50" "$p99" "$errors" "$status" "$load"
  echo "$config $rate $p50 $p99" >>"$OUT/results"
}

echo "rounds $ROUNDS; setup storms at $SETUP_RATE/s, cluster storm at $CLUSTER_RATE/s, $SECONDS_ s each; $(nproc) cores"
for round in $(seq 1 "$ROUNDS"); do
  for config in $CONFIGS; do run_one "$config" "$round"; done
done

[ -f "$OUT/results" ] || { echo "no results"; exit 1; }
echo "ranges over $ROUNDS rounds (min..max):"
python3 - "$OUT/results" <<'PY'
import sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    config, rate, p50, p99 = line.split()
    rows[config].append((float(rate), float(p50), float(p99)))
def rng(values, fmt="{:.1f}"):
    return fmt.format(min(values)) + ".." + fmt.format(max(values))
for config, values in rows.items():
    print(f"  {config:8} logins/s {rng([v[0] for v in values])}  setup p50 {rng([v[1] for v in values])} ms  p99 {rng([v[2] for v in values])} ms")
if rows.get("sqlite") and rows.get("postgres"):
    ratios = [p[1] / s[1] for s, p in zip(rows["sqlite"], rows["postgres"]) if s[1] > 0]
    if ratios:
        print(f"  PostgreSQL setup p50 over SQLite's, per round: {rng(ratios, '{:.2f}')}x (goal <= 1.1x)")
if rows.get("cluster"):
    print(f"  two nodes behind haproxy sustained {rng([v[0] for v in rows['cluster']])} logins/s (goal >= 50)")
PY
