#!/usr/bin/env bash
# bench-jobs.sh - whole distribution jobs through the CLI, one process per
# size and password mode, so /usr/bin/time -v reports each run's true peak
# RSS (the in-process benchmark's VmHWM is process-wide).
#
# usage: scripts/bench-jobs.sh [SIZE...]        default: 1000 10000 100000
#   SWTOKEN_BIN=path  use a built swtoken instead of building one
#   MODES="password userid userid+password"    the password modes to run
#   REPEAT=N          run each size and mode N times, a row each (default 1;
#                     a 1,000-token job takes 0.16 s, so one busy moment of
#                     a shared host shows: use 3 or more for the 1k rows)
#
# For each size it loads a demo inventory sized so that about SIZE tokens
# are eligible (the demo load, which also makes the installation's signing
# key, is not timed), then times two processes: `swtoken distribute --all
# --yes --queue` (plan and submit: "submit-s") and `swtoken jobs run`, the
# job itself in its own process (start, store open, recovery check, claim,
# every file, the ZIP's fsyncs and the commit, exit: "job-s"). Right before
# and right after each job it measures the floor on the same machine
# (BenchmarkFloor in engine/jobs: one RSA-1024 signature, one deflate with a
# pooled compressor and the AES work per file, plus the password key in the
# user-ID modes) and reports the job's time per token divided by the mean:
# "ratio" against the one-core floor divided by GOMAXPROCS (product.md's
# definition), "pratio" against the same work run on all cores at once
# (what a shared VM's cores actually deliver at that moment); "total-ratio"
# is submit-s + job-s against the floor. "cpu-ratio" is
# the process's CPU time (user + system) per token spread over the cores
# (nproc), divided by the floor: what the ratio would be with every core
# busy the whole time. GOGC=100 in the environment runs the CLI with the
# collector's default setting (it otherwise raises it while a job writes).
#
# Elapsed times are taken from bash's EPOCHREALTIME around each process, so
# no fork is timed but GNU time's own (its figure has a 10 ms resolution,
# 7% of a 1,000-token job; two forks of date added 2-3 ms).
# Memory (of the jobs run process; the submit's is smaller): peak-RSS is
# /usr/bin/time's maximum resident set size (anonymous
# memory plus the pages of the mapped database the process touched);
# anon-MB and file-MB are the largest RssAnon and RssFile seen by sampling
# /proc/PID/status every 20 ms.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME and bc need a decimal point
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
read -r -a modes <<<"${MODES:-password userid}"
repeat=${REPEAT:-1}
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

# measure SAMPLE OUT CMD...: runs CMD under GNU time and sets secs
# (elapsed), cpus (user + system) and rss (KB); with SAMPLE=1 it also
# samples the process's RssAnon and RssFile (anon, file, KB). A failure
# prints the command's output and stops the script. Timed runs are not
# sampled: a sampler that ran awk and pgrep every 20 ms took a third of a
# core from the job it measured (the CLI's ratios before this script was
# fixed were 0.1-0.2 too high); the sampler here forks nothing (bash
# builtins, read -t as the sleep) and runs on a second run of the job.
measure() {
  local sample=$1 out=$2; shift 2
  ( s=$EPOCHREALTIME; /usr/bin/time -v -o "$work/time" "$@" >"$out" 2>&1; rc=$?; e=$EPOCHREALTIME
    echo "$s $e" >"$work/elapsed"; exit $rc ) &
  local tpid=$! pid="" k v _ sfd
  exec {sfd}<> <(:)
  anon=0; file=0
  # subshell -> GNU time -> swtoken
  while [ "$sample" = 1 ] && [ -z "$pid" ] && kill -0 "$tpid" 2>/dev/null; do
    read -r -t 0.005 -u "$sfd" _ || true
    for tp in $(cat "/proc/$tpid/task/$tpid/children" 2>/dev/null); do
      read -r pid _ <"/proc/$tp/task/$tp/children" 2>/dev/null || true
    done
  done
  while [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; do
    while read -r k v _; do
      case $k in
        RssAnon:) (( v > anon )) && anon=$v ;;
        RssFile:) (( v > file )) && file=$v ;;
      esac
    done <"/proc/$pid/status" 2>/dev/null || true
    read -r -t 0.02 -u "$sfd" _ || true
  done
  exec {sfd}<&-
  wait "$tpid" || { cat "$out" >&2; exit 1; }
  read -r s e <"$work/elapsed"
  secs=$(echo "$e - $s" | bc -l)
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
  # CPU seconds (user + system) of the whole process: less sensitive to
  # the host's scheduling than the elapsed time.
  cpus=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s }' "$work/time")
}

printf '%-7s %-16s %6s %8s %7s %8s %8s %8s %6s %6s %8s %11s %8s %7s %7s\n' size mode tokens submit-s job-s tokens/s floor-µs pfloor-µs ratio pratio cpu-ratio total-ratio peak-RSS anon-MB file-MB
for n in "${sizes[@]}"; do
  # The demo makes about 77% of its tokens eligible (assigned, healthy).
  tokens=$(( n * 130 / 100 )); users=$(( tokens / 2 + 1 ))
  for mode in "${modes[@]}"; do
    for _ in $(seq "$repeat"); do
      dir=$work/data-$n-$mode
      "$bin" --data-dir "$dir" demo --users "$users" --tokens "$tokens" >/dev/null
      args=(--data-dir "$dir" distribute --job "Bench $n $mode" --profile "Staff iPhone" --password-mode "$mode" --all --algorithm aes-128 --yes --queue)
      case $mode in
        password) args+=(--password-file "$work/pw") ;;
        userid+password) args+=(--password-file "$work/pw-short") ;;
      esac
      measure 0 "$work/submit.out" "$bin" "${args[@]}"
      submit=$secs
      got=$(sed -n 's/^Tokens: *\([0-9]*\) .*/\1/p' "$work/submit.out" | head -1)
      cp -a "$dir" "$dir.again"
      read -r floor pfloor < <(floor_us "$mode")
      measure 0 "$work/run.out" "$bin" --data-dir "$dir" jobs run
      grep -q "completed" "$work/run.out" || { cat "$work/run.out" >&2; exit 1; }
      # The floor again after the job (the machine's load may have changed).
      read -r floor2 pfloor2 < <(floor_us "$mode")
      jsecs=$secs; jcpus=$cpus; jrss=$rss
      # The same job again, sampled, for the anon/file split of its memory.
      measure 1 "$work/run2.out" "$bin" --data-dir "$dir.again" jobs run
      secs=$jsecs; cpus=$jcpus; rss=$jrss
      rm -rf "$dir.again"
      floor=$(echo "($floor + $floor2) / 2" | bc -l); pfloor=$(echo "($pfloor + $pfloor2) / 2" | bc -l)
      printf '%-7s %-16s %6s %8.3f %7.3f %8.0f %8.1f %8.1f %6.2f %6.2f %8.2f %11.2f %8.1f %7.1f %7.1f\n' "$n" "$mode" "$got" "$submit" "$secs" \
        "$(echo "$got / $secs" | bc -l)" "$floor" "$pfloor" "$(echo "$secs * 1000000 / $got / $floor" | bc -l)" \
        "$(echo "$secs * 1000000 / $got / $pfloor" | bc -l)" "$(echo "$cpus * 1000000 / $got / $(nproc) / $floor" | bc -l)" \
        "$(echo "($submit + $secs) * 1000000 / $got / $floor" | bc -l)" \
        "$(echo "$rss / 1024" | bc -l)" "$(echo "$anon / 1024" | bc -l)" "$(echo "$file / 1024" | bc -l)"
      rm -rf "$dir"
    done
  done
done
