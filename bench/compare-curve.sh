#!/usr/bin/env bash
# CURVE's cost on forwarding (issue 15): `banyan bench` (our component
# library as the client, one publisher, one subscriber, lossless) flat out
# through our backplane without CURVE, with CURVE, and through libzmq's
# forwarder (pyzmq zmq.device FORWARDER) with CURVE, alternating in every
# round. Reports delivered msg/s and the forwarder's CPU per message
# (/proc/PID/task/*/schedstat via --pid), medians and ratios.
#
# usage: bench/compare-curve.sh [rounds=3] [msgs=300000] [size=64]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; msgs=${2:-300000}; size=${3:-64}
tmp=$(mktemp -d)
go build -o "$tmp/banyan" ./cmd/banyan
in=31374; out=31375
results=$tmp/results
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap 'cleanup; rm -rf "$tmp"' EXIT
(cd "$tmp" && ./banyan keygen bp >/dev/null && ./banyan keygen client >/dev/null)
secret=$(grep secret-key "$tmp/bp_secret" | sed 's/.*= "\(.*\)"/\1/')
keys=(--curve-server-key "$tmp/bp" --curve-key "$tmp/client_secret")
one() { # null|curve|libzmq-curve
  local client=()
  case $1 in
    null) "$tmp/banyan" backplane --bind 127.0.0.1 --hwm -1 -p $in -s $out >/dev/null 2>&1 & ;;
    curve) "$tmp/banyan" backplane --bind 127.0.0.1 --hwm -1 -p $in -s $out --curve-secret-key "$tmp/bp_secret" >/dev/null 2>&1 & client=("${keys[@]}") ;;
    libzmq-curve) CURVE_SECRET=$secret /usr/bin/python3 bench/pycurveforwarder.py $in $out & client=("${keys[@]}") ;;
  esac
  local fwd=$!; pids+=($fwd)
  sleep 0.7
  "$tmp/banyan" bench -b 127.0.0.1 -p $in -s $out --pubs 1 --subs 1 --size "$size" --msgs "$msgs" --pid $fwd --json "${client[@]}" >"$tmp/run.json"
  echo "$1 $(cat "$tmp/run.json")" | tee -a "$results" | cut -c1-120
  cleanup
}
for i in $(seq "$rounds"); do
  one null; one curve; one libzmq-curve
done
/usr/bin/python3 - "$results" "$msgs" "$size" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    runs.setdefault(name, []).append(json.loads(js))
med = statistics.median
print("Flat out, %s messages of %s bytes, 1 publisher, 1 subscriber, lossless:" % tuple(sys.argv[2:4]))
print("| forwarder | delivered msg/s (runs) | median | forwarder CPU us/msg (runs) | median | lost |")
print("|---|---|---|---|---|---|")
for name in ("null", "curve", "libzmq-curve"):
    rate = [r["delivered_msg_per_sec"] for r in runs[name]]
    cpu = [r["forwarder_cpu_us_per_msg"] for r in runs[name]]
    print("| %s | %s | %.0f | %s | %.3f | %d |" % (name, " ".join("%.0f" % x for x in rate), med(rate),
          " ".join("%.3f" % x for x in cpu), med(cpu), sum(r["lost"] for r in runs[name])))
def ratio(a, b, key):
    return med([x[key] / y[key] for x, y in zip(runs[a], runs[b])])
print("ratios (median of per-round ratios): curve/null rate %.3f, CPU %.3f; ours curve / libzmq curve rate %.3f, CPU %.3f" % (
    ratio("curve", "null", "delivered_msg_per_sec"), ratio("curve", "null", "forwarder_cpu_us_per_msg"),
    ratio("curve", "libzmq-curve", "delivered_msg_per_sec"), ratio("curve", "libzmq-curve", "forwarder_cpu_us_per_msg")))
PY
