#!/usr/bin/env bash
# Feature service members in one group (docs/PERFORMANCE.md, "Feature tasks shared by a group"): a mock cluster of
# 3 brokers and 8 partitions pinned to core 0, the handbook's simulation (SIM) written to it first, then MEMBERS
# feature services started together, member i pinned to core CORES[i]. Prints the featured records a second from
# 2 % of the total to all of it, read from the featured topic's ends.
# Usage: bench/kafka/group.sh MEMBERS "CORES"   e.g. group.sh 1 "1"; group.sh 2 "1 0"; SINGLE=1 group.sh 1 "1" runs the
# single feature service (no group) instead   (needs python3-confluent-kafka)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
vigil=${VIGIL:-"dotnet $root/artifacts/vigil/Vigil.Cli.dll"}
members=${1:-1}
read -r -a cores <<<"${2:-1}"
sim=${SIM:-"--customers 5000 --terminals 10000 --days 12 --seed 1"}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

taskset -c 0 $vigil kafka mock --partitions 8 --brokers 3 >"$work/mock.log" 2>&1 &
for _ in $(seq 1 100); do grep -qoE '127\.0\.0\.1:[0-9]+' "$work/mock.log" 2>/dev/null && break; sleep 0.2; done
brokers=$(grep -oE '127\.0\.0\.1:[0-9]+' "$work/mock.log" | head -1)
$vigil generate --kafka "$brokers" --rate max $sim >"$work/generate.log" 2>&1
total=$(grep -oE '^ *transactions +[0-9,]+' "$work/generate.log" | grep -oE '[0-9,]+' | tr -d ,)

for i in $(seq 0 $((members - 1))); do
  taskset -c "${cores[$i]}" $vigil features --kafka "$brokers" --feature-set handbook ${SINGLE:+--state-topic vigil.features.state} $([ -n "${SINGLE:-}" ] || echo "--group bench --instance-id m$i") >"$work/m$i.log" 2>&1 &
done

/usr/bin/python3 - "$brokers" "$total" <<'PY'
import sys, time
from confluent_kafka import Consumer, TopicPartition
brokers, total = sys.argv[1], int(sys.argv[2])
c = Consumer({"bootstrap.servers": brokers, "group.id": "bench-watch"})
def written():
    return sum(c.get_watermark_offsets(TopicPartition("vigil.transactions.featured", p), timeout=10)[1] for p in range(8))
marks = {}
deadline = time.time() + 600
while time.time() < deadline:
    n = written()
    for share in (0.02, 1.0):
        if share not in marks and n >= share * total:
            marks[share] = (time.time(), n)
    if n >= total:
        break
    time.sleep(0.25)
(t1, n1), (t9, n9) = marks[0.02], marks[1.0]
print(f"{total} transactions; {(n9 - n1) / (t9 - t1):,.0f} featured records/s from 2 % to all")
PY
grep -h "group: took" "$work"/m*.log | sed 's/^/  /'
