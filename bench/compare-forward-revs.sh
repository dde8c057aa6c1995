#!/usr/bin/env bash
# Forwarder throughput and CPU, this tree's backplane against an earlier
# revision's, same load generator (this tree's), alternating A B A B ...
# usage: bench/compare-forward-revs.sh [rev=ea154c1] [pairs=5] [messages=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-ea154c1}
pairs=${2:-5}
msgs=${3:-1000000}
old=$(mktemp -d)
git worktree add -q --detach "$old/src" "$rev"
trap 'git worktree remove --force "$old/src"' EXIT
(cd "$old/src" && go build -o "$old/before" ./cmd/banyan)
go build -o "$old/after" ./cmd/banyan
in=53124; out=53125
results=$(mktemp)
run() { # name, binary
  "$2" backplane --bind 127.0.0.1 --hwm -1 -p $in -s $out >/dev/null 2>&1 &
  local pid=$!
  sleep 0.5
  local r
  r=$("$old/after" bench forward --json -m "$msgs" -p $in -s $out --pid $pid)
  kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
  echo "$1 $r" | tee -a "$results"
}
for i in $(seq "$pairs"); do
  run before "$old/before"
  run after "$old/after"
done
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(js))
def med(name, key): return statistics.median(r[key] for r in rows[name])
for name in ("before", "after"):
    print("%-7s median %9.0f msg/s  CPU %.2f us/msg  lost %s" % (name, med(name, "MsgPerSec"),
          med(name, "ForwarderCPUMicros"), [r["Lost"] for r in rows[name]]))
ratios = [a["MsgPerSec"] / b["MsgPerSec"] for a, b in zip(rows["after"], rows["before"])]
print("ratio after/before per pair:", " ".join("%.2f" % r for r in ratios))
print("median ratio after/before: %.2f" % statistics.median(ratios))
print("CPU ratio after/before: %.2f" % (med("after", "ForwarderCPUMicros") / med("before", "ForwarderCPUMicros")))
PY
