#!/usr/bin/env python3
"""Recall of compromised-terminal frauds (scenario 2) by week of the compromise, from a demo's --out folder.

A terminal's compromise starts with its first scenario-2 fraud (reported label) and lasts 28 days; a scenario-2 fraud
later than that starts a new one. Each scenario-2 fraud is counted in the week of its compromise it happened in, and
caught when the pipeline flagged it. Analysts' verdicts on the labels stream (marked "analyst") are left out: the
reports are the truth measured against, as in the quality report.

    vigil demo --rate max --no-dashboard --seed 1 --out OUT ...
    bench/quality/compromise-weeks.py OUT [OUT2 ...]
"""
import glob
import json
import os
import sys
from datetime import datetime

DAY_MS = 86_400_000
COMPROMISE_DAYS = 28


def millis(text):
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def read(folder):
    decided = {}  # transaction id -> (time ms, terminal, flagged)
    skipped = 0
    for path in glob.glob(os.path.join(folder, "*.jsonl")):
        if "label" in os.path.basename(path) or "dead" in os.path.basename(path):
            continue
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                    decided[record["transaction_id"]] = (millis(record["timestamp"]), record["terminal_id"], bool(record["vigil"]["fraud"]))
                except (ValueError, KeyError, TypeError, AttributeError):
                    skipped += 1
    scenario = {}
    for path in glob.glob(os.path.join(folder, "*label*.jsonl")):
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                try:
                    label = json.loads(line)
                    if "analyst" not in label and label.get("fraud") == 1:
                        scenario[label["transaction_id"]] = label.get("fraud_scenario", 0)
                except (ValueError, KeyError, TypeError, AttributeError):
                    skipped += 1
    if skipped:
        print(f"{folder}: {skipped:,} lines that are not decisions or labels passed over", file=sys.stderr)
    return decided, scenario


def measure(folder):
    decided, scenario = read(folder)
    by_scenario = {}
    compromised = {}  # terminal -> [(time, flagged)]
    for transaction, kind in scenario.items():
        if transaction not in decided:
            continue
        time, terminal, flagged = decided[transaction]
        frauds, caught = by_scenario.get(kind, (0, 0))
        by_scenario[kind] = (frauds + 1, caught + flagged)
        if kind == 2:
            compromised.setdefault(terminal, []).append((time, flagged))
    weeks = [[0, 0] for _ in range(COMPROMISE_DAYS // 7)]
    for frauds in compromised.values():
        frauds.sort()
        start = None
        for time, flagged in frauds:
            if start is None or time >= start + COMPROMISE_DAYS * DAY_MS:
                start = time
            week = min((time - start) // (7 * DAY_MS), len(weeks) - 1)
            weeks[week][0] += 1
            weeks[week][1] += flagged
    return by_scenario, weeks


def main(folders):
    if not folders:
        sys.exit(__doc__)
    print("| run | recall scenario 1 / 2 / 3 | scenario 2, week 1 / 2 / 3 / 4 of a compromise (frauds) |")
    print("|---|---|---|")
    for folder in folders:
        by_scenario, weeks = measure(folder)
        recall = " / ".join(f"{100 * c / f:.1f}" if f else "–" for f, c in (by_scenario.get(s, (0, 0)) for s in (1, 2, 3)))
        week = " / ".join(f"{100 * c / f:.1f} % ({f:,})" if f else "–" for f, c in weeks)
        print(f"| {folder} | {recall} | {week} |")


if __name__ == "__main__":
    main(sys.argv[1:])
