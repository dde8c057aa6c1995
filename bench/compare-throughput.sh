#!/usr/bin/env bash
# Python Banyan's performance comparison ({'msg': i} on topic "test"),
# lossless, side by side and alternating: Go components through our backplane
# (banyan bench throughput) vs pyzmq components through a libzmq forwarder.
# usage: bench/compare-throughput.sh [pairs=3] [messages=1000000] [py_messages=200000]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}; n=${2:-1000000}; pyn=${3:-200000}
bin=$(mktemp -d)/banyan
go build -o "$bin" ./cmd/banyan
in=53164; out=53165
results=$(mktemp)
for i in $(seq "$pairs"); do
  echo "go $("$bin" bench throughput --json -m "$n" -p $in -s $out)" | tee -a "$results"
  /usr/bin/python3 bench/pyforwarder.py $in $out 0 & fwd=$!
  sleep 0.3
  coproc SUB { /usr/bin/python3 bench/pythroughput.py sub 127.0.0.1 $in $out "$pyn"; }
  read -r ready <&"${SUB[0]}"
  /usr/bin/python3 bench/pythroughput.py pub 127.0.0.1 $in $out "$pyn"
  read -r line <&"${SUB[0]}"
  echo "python $line" | tee -a "$results"
  kill $fwd; wait $fwd 2>/dev/null || true
done
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(js))
for name in ("go", "python"):
    print("%-7s median %9.0f msg/s (delivered %s)" % (name, statistics.median(r["MsgPerSec"] for r in rows[name]), [r["Delivered"] for r in rows[name]]))
print("ratio go/python: %.1f" % (statistics.median(r["MsgPerSec"] for r in rows["go"]) / statistics.median(r["MsgPerSec"] for r in rows["python"])))
PY
