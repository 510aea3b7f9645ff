#!/bin/bash
# The console's player and live view in Debian's chromium against a real `fumidai serve` (bench/Fumidai.PlayerBench):
#   bench/player.sh player [MiB=1024] [runs=3] [viewers=8]   record MiB of output through OpenSSH, then first frame, seek to 90 %,
#                                                           server RSS per viewer, and the first view without keyframes
#   bench/player.sh live [samples=20]                       text printed on the target to the browser's live view
# Needs /usr/bin/chromium, openssh-client/server and oathtool (as the tests). NO_BUILD=1 skips the build.
# Every process it starts (sshd, serve, chromium) is stopped by the harness when the run ends.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${NO_BUILD:-}" != 1 ]; then
    dotnet build bench/Fumidai.PlayerBench -c Release -nologo -v q
fi
exec dotnet bench/Fumidai.PlayerBench/bin/Release/net10.0/Fumidai.PlayerBench.dll "$@"
