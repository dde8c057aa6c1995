#!/usr/bin/env bash
# Forwarder throughput and CPU, side by side: our backplane vs Python Banyan's
# libzmq zmq.device(FORWARDER), or, given a revision, vs that revision's
# backplane; same load generator (this tree's), alternating A B A B ...
# usage: bench/compare-forwarders.sh [pairs=3] [messages=1000000] [rev]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}
msgs=${2:-1000000}
rev=${3:-}
tmp=$(mktemp -d)
bin=$tmp/banyan
go build -o "$bin" ./cmd/banyan
other=libzmq
if [ -n "$rev" ]; then
  other=$rev
  git worktree add -q --detach "$tmp/src" "$rev"
  trap 'git worktree remove --force "$tmp/src"' EXIT
  (cd "$tmp/src" && go build -o "$tmp/other" ./cmd/banyan)
fi
in=53124; out=53125
results=$(mktemp)
run() { # name, then the forwarder command
  local name=$1; shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep 0.5
  local r
  r=$("$bin" bench forward --json -m "$msgs" -p $in -s $out --pid $pid)
  kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
  echo "$name $r" | tee -a "$results"
}
for i in $(seq "$pairs"); do
  run ours "$bin" backplane --bind 127.0.0.1 --hwm -1 -p $in -s $out
  if [ -n "$rev" ]; then
    run "$other" "$tmp/other" backplane --bind 127.0.0.1 --hwm -1 -p $in -s $out
  else
    run libzmq /usr/bin/python3 bench/pyforwarder.py $in $out
  fi
done
/usr/bin/python3 - "$results" "$other" <<'PY'
import json, statistics, sys
other = sys.argv[2]
rows = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(js))
def med(name, key): return statistics.median(r[key] for r in rows[name])
for name in ("ours", other):
    print("%-7s median %9.0f msg/s  CPU %.2f us/msg  lost %s" % (name, med(name, "MsgPerSec"),
          med(name, "ForwarderCPUMicros"), [r["Lost"] for r in rows[name]]))
ratios = [a["MsgPerSec"] / b["MsgPerSec"] for a, b in zip(rows["ours"], rows[other])]
print("ratio ours/%s per pair:" % other, " ".join("%.2f" % r for r in ratios))
print("median ratio ours/%s: %.2f" % (other, statistics.median(ratios)))
print("CPU ratio ours/%s: %.2f" % (other, med("ours", "ForwarderCPUMicros") / med(other, "ForwarderCPUMicros")))
PY
