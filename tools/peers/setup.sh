#!/usr/bin/env bash
# Makes a writable copy of the shared peer harness with QnnSim's additions, and builds QnnSim's driver into it.
#
# The shared harness (../shared/peers next to the checkout, or PEERS_HARNESS) is read-only and owned by the team
# that keeps the peers; QnnSim's side of the comparison lives here, in the repository:
#   qnnsim-driver/       the QnnSim driver (public API only), with a precision argument: double (default) or single;
#   f32-column.patch     adds the program "qnnsim-f32" (the same driver in single precision, complex64) to run.sh and
#                        the columns "QnnSim (f32)" and "QnnSim (f32) ÷ qsim (f32)" to aggregate.py.
#
# usage: tools/peers/setup.sh            env: PEERS_HARNESS (default <checkout>/../shared/peers),
#                                             PEERS_WORK (default $HOME/peers/harness), OUT (default $HOME/peers/build)
# then:  $HOME/peers/harness/run.sh 5    (the peers themselves are built once with the shared build.sh; see its README)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PEERS_HARNESS="${PEERS_HARNESS:-$REPO/../shared/peers}"
PEERS_WORK="${PEERS_WORK:-$HOME/peers/harness}"
OUT="${OUT:-$HOME/peers/build}"
[ -f "$PEERS_HARNESS/run.sh" ] || { echo "setup: no peer harness at $PEERS_HARNESS (set PEERS_HARNESS)" >&2; exit 2; }
rm -rf "$PEERS_WORK"; mkdir -p "$PEERS_WORK"
cp -r "$PEERS_HARNESS/." "$PEERS_WORK/"
chmod -R u+w "$PEERS_WORK"
cp "$HERE/qnnsim-driver/Program.cs" "$HERE/qnnsim-driver/QnnSimBench.csproj" "$PEERS_WORK/qnnsim-driver/"
patch -s -d "$PEERS_WORK" -p1 < "$HERE/f32-column.patch"
QNNSIM_DIR="$REPO" OUT="$OUT" STEPS=qnnsim "$PEERS_WORK/build.sh"
printf '#!/bin/sh\nexec "$(dirname "$0")/QnnSimBench" "$1" "$2" single\n' > "$OUT/qnnsim/qnnsim-f32"
chmod +x "$OUT/qnnsim/qnnsim-f32"
echo "setup: harness in $PEERS_WORK, QnnSim driver (double and single) in $OUT/qnnsim; run $PEERS_WORK/run.sh 5" >&2
