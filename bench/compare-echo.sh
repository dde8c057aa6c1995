#!/usr/bin/env bash
# Echo round-trip latency, side by side: Go components through our backplane
# vs pyzmq components through a libzmq zmq.device FORWARDER (Python Banyan's
# backplane), alternating; 4 processes each (forwarder, server, client).
# usage: bench/compare-echo.sh [pairs=3] [round_trips=20000]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}
n=${2:-20000}
bin=$(mktemp -d)/banyan
go build -o "$bin" ./cmd/banyan
in=53134; out=53135
results=$(mktemp)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap cleanup EXIT
for i in $(seq "$pairs"); do
  "$bin" backplane --bind 127.0.0.1 -p $in -s $out >/dev/null & pids+=($!)
  sleep 0.3
  "$bin" echo-server -q -b 127.0.0.1 -p $in -s $out & pids+=($!)
  echo "ours $("$bin" echo-client --warmup --json -m $n -b 127.0.0.1 -p $in -s $out)" | tee -a "$results"
  cleanup
  /usr/bin/python3 bench/pyforwarder.py $in $out 1000 & pids+=($!)
  sleep 0.3
  /usr/bin/python3 bench/pyecho.py server 127.0.0.1 $in $out & pids+=($!)
  echo "libzmq $(/usr/bin/python3 bench/pyecho.py client 127.0.0.1 $in $out $n)" | tee -a "$results"
  cleanup
done
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(js))
for name in ("ours", "libzmq"):
    print("%-7s median of medians %.1f us, median p99 %.1f us" % (name,
          statistics.median(r["median_us"] for r in rows[name]), statistics.median(r["p99_us"] for r in rows[name])))
r = [a["median_us"] / b["median_us"] for a, b in zip(rows["ours"], rows["libzmq"])]
print("median round trip ratio ours/pyzmq per pair:", " ".join("%.2f" % x for x in r), "median %.2f" % statistics.median(r))
PY
