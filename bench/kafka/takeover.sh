#!/usr/bin/env bash
# The feature service's takeover after kill -9 (docs/PERFORMANCE.md, "Feature service takeover"): a mock cluster of
# 3 brokers, the generator at 2,000 tx/s, a feature service with its state in Kafka killed 3 s after its first snapshot,
# and a second one started at once. Prints the seconds from the kill to the second service's first new featured record.
# Usage: bench/kafka/takeover.sh   (VIGIL="dotnet DIR/Vigil.Cli.dll" to time another build; needs kcat)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
vigil=${VIGIL:-"$root/vigil"}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

$vigil kafka mock --partitions 2 --brokers 3 >"$work/mock.log" 2>&1 &
for _ in $(seq 1 100); do grep -qoE '127\.0\.0\.1:[0-9]+' "$work/mock.log" 2>/dev/null && break; sleep 0.2; done
brokers=$(grep -oE '127\.0\.0\.1:[0-9]+' "$work/mock.log" | head -1)
count() { kcat -b "$brokers" -C -t "$1" -e -q -f '%o\n' 2>/dev/null | wc -l; }

$vigil generate --kafka "$brokers" --rate 2000 --seed 4 >"$work/generate.log" 2>&1 &
$vigil features --kafka "$brokers" --state-topic vigil.features.state >"$work/first.log" 2>&1 &
first=$!
for _ in $(seq 1 600); do [ "$(count vigil.features.state)" -gt 0 ] && break; sleep 0.1; done
sleep 3
kill -9 "$first"
killed=$(date +%s.%N)
before=$(count vigil.transactions.featured)
$vigil features --kafka "$brokers" --state-topic vigil.features.state >"$work/second.log" 2>&1 &
for _ in $(seq 1 600); do
  grep -q 'state: restored' "$work/second.log" && [ "$(count vigil.transactions.featured)" -gt "$before" ] && break
  sleep 0.2
done
resumed=$(date +%s.%N)
grep 'state: restored' "$work/second.log" || { echo "the second service did not restore:"; cat "$work/second.log"; exit 1; }
echo "takeover: $(echo "$resumed - $killed" | bc) s from the kill to new featured records ($before before)"
