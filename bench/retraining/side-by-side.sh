#!/usr/bin/env bash
# The full path users run with a model file (features, rules, a GBT), two builds alternating, three rounds, no
# dashboard (docs/PERFORMANCE.md, "The retraining loop beside detection").
#   bench/retraining/side-by-side.sh OLD_COMMIT [MODEL.json]
# Publishes OLD_COMMIT (a temporary worktree) and the working tree, then prints each run's throughput.
#   bench/retraining/side-by-side.sh OLD_COMMIT --self-training [DAYS]
# The default demo instead (no model: the pipeline trains its own, stopping once a simulated day), DAYS days (100):
# each run's wall time, its throughput and its quality.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
old=${1:?usage: side-by-side.sh OLD_COMMIT [MODEL.json]}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add -f "$work/old" "$old" >/dev/null
dotnet publish "$work/old/src/Vigil.Cli" -c Release -o "$work/old-out" >/dev/null
dotnet publish src/Vigil.Cli -c Release -o "$work/new-out" >/dev/null
if [[ ${2:-} == --self-training ]]; then
  for round in 1 2; do
    for build in old new; do
      out=$(dotnet "$work/$build-out/Vigil.Cli.dll" demo --rate max --days "${3:-100}" --seed 1 --no-dashboard --data-dir "$work/data-$build" 2>&1)
      echo "$build round $round: $(grep -o 'finished after [0-9.]* s' <<<"$out") · $(grep -o '[0-9,]* processed ([0-9,]* tx/s)' <<<"$out" | tail -1) · $(grep -o 'precision [0-9.]* % · recall [0-9.]* %' <<<"$out" | tail -1) · $(grep -o 'the source waited [0-9.]* s' <<<"$out")"
    done
  done
  exit 0
fi
model=${2:-}
if [[ -z $model ]]; then
  dotnet "$work/new-out/Vigil.Cli.dll" generate --out "$work/history.csv" --days 60 --seed 1 >/dev/null
  dotnet "$work/new-out/Vigil.Cli.dll" train --data "$work/history.csv" --out "$work/gbt.json" >/dev/null
  model=$work/gbt.json
fi
for round in 1 2 3; do
  for build in old new; do
    out=$(dotnet "$work/$build-out/Vigil.Cli.dll" demo --model "$model" --rate max --count 1000000 --seed 3 --no-dashboard 2>&1)
    echo "$build round $round: $(grep -o '[0-9,]* processed ([0-9,]* tx/s)' <<<"$out" | tail -1)"
  done
done
