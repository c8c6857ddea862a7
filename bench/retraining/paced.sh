#!/usr/bin/env bash
# Trainings beside a paced source (a simulated day in 5 s, about 1,930 tx/s): the self-training demo against the same
# run deciding with a fixed model of the loop (docs/PERFORMANCE.md, "The retraining loop beside detection").
#   bench/retraining/paced.sh [MODEL.json]    (default: the loop's auto-018 from a 183-day run, trained first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet publish src/Vigil.Cli -c Release -o "$work/out" >/dev/null
vigil() { dotnet "$work/out/Vigil.Cli.dll" "$@"; }
model=${1:-}
if [[ -z $model ]]; then
  vigil demo --rate max --no-dashboard --seed 1 --data-dir "$work/full" >/dev/null
  model=$(ls "$work"/full/models/*/auto-018-20180809.json)
fi
vigil demo --speed 17280 --days 24 --seed 1 --no-dashboard --data-dir "$work/paced" > "$work/retrain.out" 2>&1
vigil demo --speed 17280 --days 24 --seed 1 --no-dashboard --model "$model" > "$work/model.out" 2>&1
for run in retrain model; do
  echo "== $run"
  grep -E "transactions |latency  |retraining  " "$work/$run.out"
done
