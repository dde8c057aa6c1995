#!/usr/bin/env bash
# Component throughput (Publish(struct) -> backplane -> Decode, lossless), this
# tree's `banyan bench throughput` against an earlier revision's, A B A B ...
# usage: bench/compare-throughput-revs.sh [rev=ea154c1] [pairs=5] [messages=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-ea154c1}; pairs=${2:-5}; n=${3:-1000000}
d=$(mktemp -d)
git worktree add -q --detach "$d/src" "$rev"
trap 'git worktree remove --force "$d/src"' EXIT
(cd "$d/src" && go build -o "$d/before" ./cmd/banyan)
go build -o "$d/after" ./cmd/banyan
for i in $(seq "$pairs"); do
  for s in before after; do
    echo "$s $("$d/$s" bench throughput --json -m "$n" -p 53164 -s 53165)" | tee -a "$d/results"
  done
done
/usr/bin/python3 - "$d/results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(js)["MsgPerSec"])
b, a = rows["before"], rows["after"]
r = [x / y for x, y in zip(a, b)]
print("median msg/s before %.0f after %.0f" % (statistics.median(b), statistics.median(a)))
print("ratio after/before per pair:", " ".join("%.2f" % x for x in r), " median %.2f" % statistics.median(r))
PY
