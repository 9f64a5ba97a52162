#!/usr/bin/env bash
# stress.sh - four processes writing to one store at once, with random
# SIGKILLs, then the checks that nothing was lost (product.md section 14:
# "Four processes writing at once for a minute: no lost update, the audit
# chain verifies, Store.Check passes").
#
# usage: scripts/stress.sh [DURATION]     seconds the workers run (default 60;
#                                         CI runs 15), or $DURATION
#   SEED=N            rerun with the random choices of an earlier run
#   KEEP=1            keep the work directory (data directory, files, ZIPs)
#
# It builds swtoken and the driver (scripts/stressdriver, which does the
# work and the counting: see its doc comment), makes a demo store in a
# temporary directory and runs the workers; it needs stoken. Exit 0 when
# every check passed, 1 when one failed (the problems are listed), 2 when
# the run itself could not be made.
set -euo pipefail
cd "$(dirname "$0")/.."
unset TEA_TRACE

duration=${1:-${DURATION:-60}}
case $duration in
  ''|*[!0-9]*) echo "stress.sh: DURATION must be a whole number of seconds, not '$duration'" >&2; exit 2 ;;
esac
command -v stoken >/dev/null || { echo "stress.sh: stoken is missing (apt-get install stoken)" >&2; exit 2; }

work=$(mktemp -d /tmp/swtoken-stress.XXXXXX)
chmod 700 "$work"
if [ "${KEEP:-}" = 1 ]; then
  echo "stress.sh: work directory $work (kept)"
else
  trap 'rm -rf "$work"' EXIT
fi
go build -o "$work/swtoken" .
go build -o "$work/stressdriver" ./scripts/stressdriver
"$work/stressdriver" -swtoken "$work/swtoken" -work "$work" -duration "${duration}s" -seed "${SEED:-0}"
