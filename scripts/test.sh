#!/usr/bin/env bash
# Installs what the tests need (Debian packages), builds everything with warnings as errors, runs every test.
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Interop).
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the web console's browser tests drive Debian's build through Playwright (its own browser download is not used).
packages=(openssh-client openssh-server oathtool ssh-audit tmux expect asciinema awscli chromium zsh rsync postgresql haproxy ansible-core rsyslog rsyslog-gnutls iproute2)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# Node runs s3rver; a node from elsewhere (with its own npm) is kept, as Debian's npm would conflict with it.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# s3rver (version pinned by tests/s3rver/package-lock.json) on 127.0.0.1 and a free port, stopped by PID on exit;
# the object-store tests read FUMIDAI_TEST_S3_URL (and start their own only for stop/restart drills).
(cd tests/s3rver && npm ci --no-audit --no-fund --loglevel=error)
# The test OpenID provider (npm oidc-provider, pinned by tests/idp/package-lock.json) for the IdP sign-in tests.
(cd tests/idp && npm ci --no-audit --no-fund --loglevel=error)
# The console's player (asciinema-player, pinned by src/Fumidai.Web/client/package-lock.json), served by the bastion itself.
(cd src/Fumidai.Web/client && npm ci --no-audit --no-fund --loglevel=error)
s3dir=$(mktemp -d /tmp/fumidai-s3rver.XXXXXX)
s3port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
node tests/s3rver/node_modules/s3rver/bin/s3rver.js --directory "$s3dir" --address 127.0.0.1 --port "$s3port" --silent &
s3pid=$!
trap 'kill "$s3pid" 2>/dev/null || true; wait "$s3pid" 2>/dev/null || true; rm -rf "$s3dir"' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$s3port") 2>/dev/null && break
  kill -0 "$s3pid" 2>/dev/null || { echo "s3rver exited at start" >&2; exit 1; }
  sleep 0.1
done
export FUMIDAI_TEST_S3_URL="http://127.0.0.1:$s3port"

dotnet build Fumidai.slnx -c Release -nologo -v q
results=$(mktemp -d /tmp/fumidai-test-results.XXXXXX)
status=0
# One test project at a time: the end-to-end tests time real processes on a 2-core machine.
dotnet test Fumidai.slnx -c Release --no-build -m:1 --logger "trx" --results-directory "$results" "$@" || status=$?
# One plain closing line over all test projects, read from the TRX files.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    # A skipped test is in total but not executed (the TRX notExecuted counter stays 0 for xunit's skips).
    s += int(c.get("total", 0)) - int(c.get("executed", 0))
print(f"{p} passed, {f} failed, {s} skipped")
PY
rm -rf "$results"
exit $status
