#!/usr/bin/env bash
# bench-jobs.sh - whole distribution jobs through the CLI, one process per
# size and password mode, so /usr/bin/time -v reports each run's true peak
# RSS (the in-process benchmark's VmHWM is process-wide).
#
# usage: scripts/bench-jobs.sh [SIZE...]        default: 1000 10000 100000
#   SWTOKEN_BIN=path  use a built swtoken instead of building one
#   MODES="password userid userid+password"    the password modes to run
#
# For each size it loads a demo inventory sized so that about SIZE tokens
# are eligible, then times `swtoken distribute --all --yes` (plan, submit,
# run, commit; the demo load is not timed). Right before each job it
# and right after each job it measures the floor on the same machine
# (BenchmarkFloor in engine/jobs: one RSA-1024 signature, one deflate with a
# pooled compressor and the AES work per file, plus the password key in the
# user-ID modes) and reports the job's time per token divided by the mean:
# "ratio" against the one-core floor divided by GOMAXPROCS (product.md's
# definition), "pratio" against the same work run on all cores at once
# (what a shared VM's cores actually deliver at that moment). "cpu-ratio" is
# the process's CPU time (user + system) per token spread over the cores
# (nproc), divided by the floor: what the ratio would be with every core
# busy the whole time. GOGC=100 in the environment runs the CLI with the
# collector's default setting (it otherwise raises it while a job writes).
#
# Memory: peak-RSS is /usr/bin/time's maximum resident set size (anonymous
# memory plus the pages of the mapped database the process touched);
# anon-MB and file-MB are the largest RssAnon and RssFile seen by sampling
# /proc/PID/status every 20 ms.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
read -r -a modes <<<"${MODES:-password userid}"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
bin=${SWTOKEN_BIN:-}
if [ -z "$bin" ]; then bin=$work/swtoken; (cd "$root" && go build -o "$bin" .); fi
(cd "$root" && go test -c -o "$work/jobs.test" ./engine/jobs)
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)" >&2; exit 2; }
printf 'bench-pw-0123\n' >"$work/pw"; chmod 600 "$work/pw"
# userid+password: short, so that the longest demo user IDs stay within 24.
printf 'pw42\n' >"$work/pw-short"; chmod 600 "$work/pw-short"

# floor_us MODE: the floor in µs per token measured now, two ways: on one
# core divided by GOMAXPROCS, and on all cores at once.
floor_us() {
  local sub=shared; [ "$1" = password ] || sub=perfile
  "$work/jobs.test" -test.run='^$' -test.bench="BenchmarkFloor/$sub\$" -test.benchtime=1x |
    awk '/BenchmarkFloor/ { for (i = 1; i <= NF; i++) { if ($(i+1) == "floor-µs/token") f = $i; if ($(i+1) == "pfloor-µs/token") p = $i }; print f, p }'
}

printf '%-7s %-16s %6s %7s %8s %8s %8s %6s %6s %8s %8s %7s %7s\n' size mode tokens seconds tokens/s floor-µs pfloor-µs ratio pratio cpu-ratio peak-RSS anon-MB file-MB
for n in "${sizes[@]}"; do
  # The demo makes about 77% of its tokens eligible (assigned, healthy).
  tokens=$(( n * 130 / 100 )); users=$(( tokens / 2 + 1 ))
  for mode in "${modes[@]}"; do
    dir=$work/data-$n-$mode
    "$bin" --data-dir "$dir" demo --users "$users" --tokens "$tokens" >/dev/null
    args=(--data-dir "$dir" distribute --job "Bench $n $mode" --profile "Staff iPhone" --password-mode "$mode" --all --algorithm aes-128 --yes)
    case $mode in
      password) args+=(--password-file "$work/pw") ;;
      userid+password) args+=(--password-file "$work/pw-short") ;;
    esac
    read -r floor pfloor < <(floor_us "$mode")
    /usr/bin/time -v -o "$work/time" "$bin" "${args[@]}" >"$work/out" 2>&1 &
    tpid=$!
    anon=0; file=0
    while kill -0 "$tpid" 2>/dev/null; do
      for p in $(cat "/proc/$tpid/task/$tpid/children" 2>/dev/null); do
        read -r a f < <(awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } END { print a + 0, f + 0 }' "/proc/$p/status" 2>/dev/null || echo "0 0")
        (( a > anon )) && anon=$a; (( f > file )) && file=$f
      done
      sleep 0.02
    done
    wait "$tpid" || { cat "$work/out" >&2; exit 1; }
    got=$(sed -n 's/^Tokens: *\([0-9]*\) .*/\1/p' "$work/out" | head -1)
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
    secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    # CPU seconds (user + system) of the whole process: less sensitive to
    # the host's scheduling than the elapsed time.
    cpus=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s }' "$work/time")
    # The floor again after the job (the machine's load may have changed).
    read -r floor2 pfloor2 < <(floor_us "$mode")
    floor=$(echo "($floor + $floor2) / 2" | bc -l); pfloor=$(echo "($pfloor + $pfloor2) / 2" | bc -l)
    printf '%-7s %-16s %6s %7.2f %8.0f %8.1f %8.1f %6.2f %6.2f %8.2f %8.1f %7.1f %7.1f\n' "$n" "$mode" "$got" "$secs" \
      "$(echo "$got / $secs" | bc -l)" "$floor" "$pfloor" "$(echo "$secs * 1000000 / $got / $floor" | bc -l)" \
      "$(echo "$secs * 1000000 / $got / $pfloor" | bc -l)" "$(echo "$cpus * 1000000 / $got / $(nproc) / $floor" | bc -l)" \
      "$(echo "$rss / 1024" | bc -l)" "$(echo "$anon / 1024" | bc -l)" "$(echo "$file / 1024" | bc -l)"
    rm -rf "$dir"
  done
done
