#!/usr/bin/env bash
# Measures vigil serve's POST /v1/score with wrk (bench/wrk/score.lua), then GET /healthz, the server's ceiling.
#   bench/wrk/serve.sh MODEL.json [SERVER_CPUS WRK_CPUS [WRK_ARGS [ROUNDS]]]
# e.g. bench/wrk/serve.sh gbt.json                      both on every core, wrk -t1 -c32, 3 rounds of 10 s
#      bench/wrk/serve.sh gbt.json 0,1 4-7 "-t2 -c64"   the server on cores 0 and 1, wrk on 4 to 7
# A fresh server each time, 5 s of warm-up, then the rounds. VIGIL names the vigil command, arguments allowed, as in
# VIGIL="dotnet out/Vigil.Cli.dll" (default: the checkout's ./vigil), WRK the wrk binary (default: wrk on the PATH),
# SCRIPT the wrk script (default: score.lua here), PORT the port (default 5059). With VIGIL_WRK_KEY set, the server
# requires that key (role score) and score.lua sends it: what API keys cost.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="${1:?usage: serve.sh MODEL.json [SERVER_CPUS WRK_CPUS [WRK_ARGS [ROUNDS]]]}"
server_cpus="${2:-}" wrk_cpus="${3:-}" wrk_args="${4:--t1 -c32}" rounds="${5:-3}"
vigil="${VIGIL:-$here/../../vigil}" wrk="${WRK:-wrk}" script="${SCRIPT:-$here/score.lua}" port="${PORT:-5059}"
url="http://127.0.0.1:$port"
pinned() { local cpus="$1"; shift; if [[ -n "$cpus" ]]; then taskset -c "$cpus" "$@"; else "$@"; fi; }

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "serve.sh: something already listens on port $port; stop it or set PORT" >&2
  exit 1
fi
export VIGIL_WRK_STATE="$(mktemp)"
if [[ -n "${VIGIL_WRK_KEY:-}" ]]; then export VIGIL_API_KEYS="score=$VIGIL_WRK_KEY"; fi
rm -f "$VIGIL_WRK_STATE"
log="$(mktemp)"
# Started directly (no function or subshell between), so that $! is the server itself and the trap stops it.
if [[ -n "$server_cpus" ]]; then
  taskset -c "$server_cpus" $vigil serve --model "$model" --port "$port" > "$log" 2>&1 &
else
  $vigil serve --model "$model" --port "$port" > "$log" 2>&1 &
fi
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log" "$VIGIL_WRK_STATE"' EXIT
for _ in $(seq 1 240); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done

# The server's CPU time per request (user + system, from /proc): steadier than requests/s on a shared machine.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
measure() {
  local before after out
  before=$(cpu_ticks)
  out=$(pinned "$wrk_cpus" "$wrk" $wrk_args -d10s --latency "$@")
  after=$(cpu_ticks)
  local requests; requests=$(echo "$out" | awk '/requests in/ { print $1 }')
  echo "$(echo "$out" | grep -E 'Requests/sec|^ +50%|^ +99%' | tr -s ' ' | tr '\n' ' ')server CPU $(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }') us/request"
}
pinned "$wrk_cpus" "$wrk" $wrk_args -d5s -s "$script" "$url" > /dev/null
for round in $(seq 1 "$rounds"); do
  echo "score $round: $(measure -s "$script" "$url")"
done
echo "healthz: $(measure "$url/healthz")"
