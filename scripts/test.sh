#!/usr/bin/env bash
# Installs what the tests need (Debian packages), builds everything with warnings as errors, runs every test.
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Interop).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(openssh-client openssh-server oathtool ssh-audit tmux expect asciinema)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Fumidai.slnx -c Release -nologo -v q
results=$(mktemp -d /tmp/fumidai-test-results.XXXXXX)
status=0
dotnet test Fumidai.slnx -c Release --no-build --logger "trx" --results-directory "$results" "$@" || status=$?
# One plain closing line over all test projects, read from the TRX files.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
print(f"{p} passed, {f} failed, {s} skipped")
PY
rm -rf "$results"
exit $status
