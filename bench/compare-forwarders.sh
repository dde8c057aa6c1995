#!/usr/bin/env bash
# Forwarder throughput and CPU, side by side: our backplane vs Python Banyan's
# libzmq zmq.device(FORWARDER), same load, alternating A B A B ...
# usage: bench/compare-forwarders.sh [pairs=3] [messages=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}
msgs=${2:-1000000}
bin=$(mktemp -d)/banyan
go build -o "$bin" ./cmd/banyan
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
  run libzmq /usr/bin/python3 bench/pyforwarder.py $in $out
done
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(js))
def med(name, key): return statistics.median(r[key] for r in rows[name])
for name in ("ours", "libzmq"):
    print("%-7s median %9.0f msg/s  CPU %.2f us/msg  lost %s" % (name, med(name, "MsgPerSec"),
          med(name, "ForwarderCPUMicros"), [r["Lost"] for r in rows[name]]))
ratios = [a["MsgPerSec"] / b["MsgPerSec"] for a, b in zip(rows["ours"], rows["libzmq"])]
print("ratio ours/libzmq per pair:", " ".join("%.2f" % r for r in ratios))
print("median ratio ours/libzmq: %.2f" % statistics.median(ratios))
print("CPU ratio ours/libzmq: %.2f" % (med("ours", "ForwarderCPUMicros") / med("libzmq", "ForwarderCPUMicros")))
PY
