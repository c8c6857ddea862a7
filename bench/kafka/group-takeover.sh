#!/usr/bin/env bash
# A feature group member killed with -9 (docs/PERFORMANCE.md, "Feature tasks shared by a group"): a mock cluster of
# 3 brokers and 8 partitions, the generator at 1,000 tx/s, two members with the shipped defaults; 8 s after both own
# tasks, one is killed. Prints the seconds from the kill until the survivor owns the dead member's tasks, and until every
# transaction written before the kill has its features on the featured topic (computed by the survivor from restored state).
# Usage: bench/kafka/group-takeover.sh   (needs python3-confluent-kafka)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
vigil=${VIGIL:-"dotnet $root/artifacts/vigil/Vigil.Cli.dll"}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

$vigil kafka mock --partitions 8 --brokers 3 >"$work/mock.log" 2>&1 &
for _ in $(seq 1 100); do grep -qoE '127\.0\.0\.1:[0-9]+' "$work/mock.log" 2>/dev/null && break; sleep 0.2; done
brokers=$(grep -oE '127\.0\.0\.1:[0-9]+' "$work/mock.log" | head -1)
$vigil generate --kafka "$brokers" --rate 1000 --customers 5000 --terminals 10000 --days 30 --seed 1 >"$work/generate.log" 2>&1 &
$vigil features --kafka "$brokers" --feature-set handbook --group bench --instance-id doomed ${EXTRA:-} >"$work/doomed.log" 2>&1 &
doomed=$!
$vigil features --kafka "$brokers" --feature-set handbook --group bench --instance-id survivor ${EXTRA:-} >"$work/survivor.log" 2>&1 &
for _ in $(seq 1 300); do grep -q 'group: took' "$work/doomed.log" && grep -q 'group: took' "$work/survivor.log" && break; sleep 0.2; done
sleep 8
/usr/bin/python3 - "$brokers" "$doomed" "$work/survivor.log" <<'PY'
import json, os, signal, sys, time
from confluent_kafka import Consumer, TopicPartition
brokers, pid, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
watch = Consumer({"bootstrap.servers": brokers, "group.id": "bench-watch"})
ends = lambda topic: sum(watch.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(8))
os.kill(pid, signal.SIGKILL)
killed = time.time()
generated = ends("queueing.transactions")  # every transaction written before the kill
featured = Consumer({"bootstrap.servers": brokers, "group.id": "bench-featured", "auto.offset.reset": "earliest"})
featured.assign([TopicPartition("vigil.transactions.featured", p, 0) for p in range(8)])
ids, took = set(), None
while len(ids) < generated and time.time() - killed < 120:
    if took is None and open(log).read().count("group: took") > 1:
        took = time.time() - killed
    for m in featured.consume(1000, 0.1):
        if m.error() is None:
            ids.add(json.loads(m.value())["transaction_id"])
done = time.time() - killed
print(f"the survivor took the dead member's tasks {took:.1f} s after the kill; every transaction written before the kill ({generated:,}) had its features {done:.1f} s after it" if len(ids) >= generated else f"after {done:.0f} s, {len(ids):,} of the {generated:,} transactions written before the kill have their features")
PY
grep -E 'restored .*/customers|group: took' "$work/survivor.log" | sed 's/^/  /'
