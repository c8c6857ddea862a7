#!/usr/bin/env bash
# What filing cases costs on the path users run (features, rules, a GBT model), one build, cases on and off
# alternating, three rounds, no dashboard (docs/PERFORMANCE.md, "Cases beside detection").
#   bench/cases/on-off.sh [MODEL.json]
# For the old build against this one with cases on, use bench/retraining/side-by-side.sh OLD_COMMIT.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet publish src/Vigil.Cli -c Release -o "$work/out" >/dev/null
model=${1:-}
if [[ -z $model ]]; then
  dotnet "$work/out/Vigil.Cli.dll" generate --out "$work/history.csv" --days 60 --seed 1 >/dev/null
  dotnet "$work/out/Vigil.Cli.dll" train --data "$work/history.csv" --out "$work/gbt.json" >/dev/null
  model=$work/gbt.json
fi
for round in 1 2 3; do
  for cases in true false; do
    out=$(dotnet "$work/out/Vigil.Cli.dll" demo --model "$model" --rate max --count 3000000 --seed 3 --no-dashboard \
      --cases "$cases" --data-dir "$work/data" 2>&1)
    echo "cases $cases round $round: $(grep -o '[0-9,]* processed ([0-9,]* tx/s)' <<<"$out" | tail -1) · $(grep -o '[0-9,]* alerts filed' <<<"$out" || true)"
  done
done
