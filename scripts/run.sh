#!/usr/bin/env bash
# Starts the bastion on its embedded defaults: builds `fumidai`, creates the data directory on first run
# (printing the admin's TOTP enrolment and the console certificate's fingerprint), then serves SSH and the web console. Extra arguments go to `fumidai serve`, e.g. --ssh-listen.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=artifacts/fumidai
# The web console's player, at the version the committed lockfile pins; npm comes from Debian when missing.
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "installing: nodejs npm (for the web console's player)"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends nodejs npm
fi
(cd src/Fumidai.Web/client && npm ci --no-audit --no-fund --loglevel=error)
dotnet publish src/Fumidai.Cli -c Release -o "$out" -nologo -v q >/dev/null
data=${FUMIDAI_DATA:-$PWD/fumidai-data}
if [ ! -f "$data/fumidai.db" ]; then
  "$out/fumidai" init --data "$data" --admin "${FUMIDAI_ADMIN:-admin}"
fi
exec "$out/fumidai" serve --data "$data" "$@"
