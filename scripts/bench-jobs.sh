#!/usr/bin/env bash
# bench-jobs.sh - whole distribution jobs through the CLI, one process per
# size and password mode, so /usr/bin/time -v reports each run's true peak
# RSS (the in-process benchmark's VmHWM is process-wide).
#
# usage: scripts/bench-jobs.sh [SIZE...]        default: 1000 10000 100000
#   SWTOKEN_BIN=path  use a built swtoken instead of building one
#
# For each size it loads a demo inventory sized so that about SIZE tokens
# are eligible, then times `swtoken distribute --all --yes` (plan, submit,
# run, commit; the demo load is not timed) in modes password and userid.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
bin=${SWTOKEN_BIN:-}
if [ -z "$bin" ]; then bin=$work/swtoken; (cd "$root" && go build -o "$bin" .); fi
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)" >&2; exit 2; }
printf 'bench-pw-0123\n' >"$work/pw"; chmod 600 "$work/pw"
printf '%-8s %-9s %8s %10s %10s %12s\n' size mode tokens seconds tokens/s peak-RSS-MB
for n in "${sizes[@]}"; do
  # The demo makes about 77% of its tokens eligible (assigned, healthy).
  tokens=$(( n * 130 / 100 )); users=$(( tokens / 2 + 1 ))
  for mode in password userid; do
    dir=$work/data-$n-$mode
    "$bin" --data-dir "$dir" demo --users "$users" --tokens "$tokens" >/dev/null
    args=(--data-dir "$dir" distribute --job "Bench $n $mode" --profile "Staff iPhone" --password-mode "$mode" --all --algorithm aes-128 --yes)
    [ "$mode" = password ] && args+=(--password-file "$work/pw")
    /usr/bin/time -v -o "$work/time" "$bin" "${args[@]}" >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
    got=$(sed -n 's/^Tokens: *\([0-9]*\) .*/\1/p' "$work/out" | head -1)
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
    secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    printf '%-8s %-9s %8s %10.2f %10.0f %12.1f\n' "$n" "$mode" "$got" "$secs" "$(echo "$got / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
    rm -rf "$dir"
  done
done
