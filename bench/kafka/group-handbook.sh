#!/usr/bin/env bash
# The handbook's 183 days through a feature group (issue 16's check at full size, too long for CI; docs/PERFORMANCE.md,
# "Feature tasks shared by a group"): the default simulation (5,000 customers, 10,000 terminals, 183 days) computed by
# `vigil features --data` (the batch computation), then written at RATE transactions a second to a mock cluster of 3
# brokers and 8 partitions while MEMBERS members of one group compute it; kcat reads the featured topic as it is
# written (the mock keeps only about 5 MB a partition), and every featured record is compared with the batch's row.
# Usage: bench/kafka/group-handbook.sh MEMBERS [RATE]   (needs kcat; WORK=DIR keeps and reuses the batch computation)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
vigil=${VIGIL:-"dotnet $root/artifacts/vigil/Vigil.Cli.dll"}
members=${1:-1}
rate=${2:-10000}
sim=${SIM:-"--seed 1"}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
trap 'kill -9 $(jobs -p) 2>/dev/null || true' EXIT

if [ ! -s "$work/batch.csv" ]; then
  $vigil generate --out "$work/sim.csv" $sim >/dev/null
  $vigil features --data "$work/sim.csv" --out "$work/batch.csv" --feature-set handbook >/dev/null
fi
total=$(($(wc -l <"$work/batch.csv") - 1))
rm -f "$work"/m*.out "$work"/m*.log "$work/featured.tsv" # a reused WORK keeps only the batch computation

$vigil kafka mock --partitions 8 --brokers 3 >"$work/mock.log" 2>&1 &
for _ in $(seq 1 100); do grep -qoE '127\.0\.0\.1:[0-9]+' "$work/mock.log" 2>/dev/null && break; sleep 0.2; done
brokers=$(grep -oE '127\.0\.0\.1:[0-9]+' "$work/mock.log" | head -1)
kcat -b "$brokers" -C -t vigil.transactions.featured -o beginning -u -q -f '%h\t%s\n' >"$work/featured.tsv" 2>"$work/kcat.log" &

pids=()
for i in $(seq 0 $((members - 1))); do
  $vigil features --kafka "$brokers" --feature-set handbook --group handbook --instance-id "m$i" ${MEMBER_FLAGS:-} >"$work/m$i.out" 2>"$work/m$i.log" &
  pids+=($!)
done
for i in $(seq 0 $((members - 1))); do
  for _ in $(seq 1 300); do grep -q "group: took tasks" "$work/m$i.log" && break; sleep 0.2; done
done

start=$(date +%s)
$vigil generate --kafka "$brokers" --rate "$rate" $sim >"$work/generate.log" 2>&1
for _ in $(seq 1 600); do [ "$(wc -l <"$work/featured.tsv")" -ge "$total" ] && break; sleep 1; done
echo "$total transactions generated at $rate/s; $(wc -l <"$work/featured.tsv") featured records read $(($(date +%s) - start)) s after the first was written"
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || echo "a member exited with $?"; done
grep -h "computed\|replayed" "$work"/m*.out | sed 's/^/  /'

/usr/bin/python3 - "$work/batch.csv" "$work/featured.tsv" <<'PY'
import csv, json, sys
from collections import Counter
batch_file, featured_file = sys.argv[1], sys.argv[2]
featured, copies, replayed = {}, Counter(), 0
with open(featured_file, encoding="utf-8") as f:
    for line in f:
        headers, _, value = line.rstrip("\n").partition("\t")
        record = json.loads(value)
        key = record["transaction_id"]
        copies[key] += 1
        replayed += "vigil.replayed=true" in headers
        if key in featured and featured[key] != record["features"]:
            sys.exit(f"transaction {key} was written twice with different features")
        featured[key] = record["features"]
with open(batch_file, newline="", encoding="utf-8") as f:
    rows = csv.reader(f)
    header = next(rows)
    names = header[7:]
    missing, compared, differing, risky_differing = 0, 0, Counter(), Counter()
    for row in rows:
        got = featured.get(int(row[0]))
        if got is None:
            missing += 1
            continue
        for name, text in zip(names, row[7:]):
            compared += 1
            if abs(float(text) - float(got[name])) > 1e-9:
                # Labels and transactions are different topics, which Kafka does not order together: a fraud report may
                # reach a terminal task a little later than the batch computation releases it.
                (risky_differing if "_RISK_" in name and float(text) > 0 else differing)[name] += 1
twice = sum(1 for n in copies.values() if n > 1)
print(f"featured: {len(featured):,} transactions, {missing:,} missing, {twice:,} written twice ({replayed:,} marked replayed)")
print(f"features compared: {compared:,}; differing: {sum(differing.values()):,} {dict(differing)}; risks the batch has above 0 that differ: {sum(risky_differing.values()):,} {dict(risky_differing)}")
sys.exit(1 if missing or differing else 0)
PY
