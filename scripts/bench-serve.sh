#!/usr/bin/env bash
# bench-serve.sh - `swtoken serve` under load on the loopback (product.md
# section 14): 50 concurrent SSH sessions of the Self-Service Console,
# each timed from the dial to its first frame (p50, p99; target 300 ms),
# the server's resident memory per open session (target 5 MB), and 200
# failed logins from one address, which the per-address rate limit must
# cut short.
#
# usage: scripts/bench-serve.sh [SESSIONS]      default 50
#   SWTOKEN_BIN=path   use a built swtoken instead of building one
#   FAILS=N            failed logins to try (default 200)
#
# It loads the demo inventory into a fresh data directory, gives each of
# the first SESSIONS users a new ed25519 key (`swtoken users keys add`),
# starts `swtoken serve` on a free port and drives it with
# scripts/serveload (golang.org/x/crypto/ssh as the client: the OpenSSH
# client's own start-up, about 10 ms a process, would be measured
# otherwise). The host key is pinned from the server's key file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-50}
fails=${FAILS:-200}
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
bin=${SWTOKEN_BIN:-}
if [ -z "$bin" ]; then bin=$work/swtoken; (cd "$root" && go build -o "$bin" .); fi
load=$work/serveload
(cd "$root" && go build -o "$load" ./scripts/serveload)
data=$work/data
mkdir -m 700 "$data" "$work/keys"
"$bin" --data-dir "$data" demo --users "$((n + 10))" --tokens "$((n * 4))" >/dev/null
mapfile -t users < <("$bin" --data-dir "$data" users list --json | grep -o '"user_id": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | head -n "$n")
[ "${#users[@]}" -eq "$n" ] || { echo "bench-serve: the demo has ${#users[@]} users, not $n" >&2; exit 1; }
i=0
while read -r idx line; do
  printf '%s\n' "$line" | "$bin" --data-dir "$data" users keys add "${users[$i]}" - >/dev/null
  i=$((i + 1))
done < <("$load" keys -n "$n" -dir "$work/keys")

port=$("$load" port)
"$bin" --data-dir "$data" serve --listen "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do
  grep -q "listening" "$work/serve.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "listening" "$work/serve.log" || { cat "$work/serve.log" >&2; exit 1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
list=$(IFS=,; echo "${users[*]}")
"$load" sessions -addr "127.0.0.1:$port" -hostkey "$data/ssh_host_ed25519_key" -dir "$work/keys" -users "$list" -pid "$server"
"$load" fails -addr "127.0.0.1:$port" -hostkey "$data/ssh_host_ed25519_key" -user "${users[0]}" -n "$fails"
limited=$(grep -c "rate limited" "$work/serve.log" || true)
echo "rate-limited-refusals=$limited (of $fails failed logins, from the server's log)"
[ "$limited" -gt 0 ] || { echo "bench-serve: no failed login was rate-limited" >&2; exit 1; }
