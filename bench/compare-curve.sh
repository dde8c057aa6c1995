#!/usr/bin/env bash
# CURVE's cost on forwarding (issue 15): `banyan bench` (our component
# library as the client, one publisher, one subscriber, lossless) flat out
# through our backplane without CURVE, with CURVE, and through libzmq's
# forwarder (pyzmq zmq.device FORWARDER) with CURVE, alternating in every
# round. Reports delivered msg/s and the forwarder's CPU per message
# (/proc/PID/task/*/schedstat via --pid), medians and ratios.
#
# usage: bench/compare-curve.sh [rounds=3] [msgs=300000] [size=64]
# Paced (sensors, not a flood): RATE=msg/s per publisher, with PUBS and SUBS
# (default 1 and 1) and DURATION (default 10s) in place of msgs; the
# forwarder's CPU per message and the latency then compare like for like,
# since every forwarder carries the same load:
#   RATE=2000 PUBS=10 SUBS=2 bench/compare-curve.sh 3
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; msgs=${2:-300000}; size=${3:-64}
rate=${RATE:-0}; npubs=${PUBS:-1}; nsubs=${SUBS:-1}; duration=${DURATION:-10s}
load=(--pubs "$npubs" --subs "$nsubs" --size "$size")
if [ "$rate" != 0 ]; then load+=(--rate "$rate" --duration "$duration"); else load+=(--msgs "$msgs"); fi
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
  "$tmp/banyan" bench -b 127.0.0.1 -p $in -s $out "${load[@]}" --pid $fwd --json "${client[@]}" >"$tmp/run.json"
  echo "$1 $(cat "$tmp/run.json")" | tee -a "$results" | cut -c1-120
  cleanup
}
for i in $(seq "$rounds"); do
  one null; one curve; one libzmq-curve
done
/usr/bin/python3 - "$results" "$msgs" "$size" "$rate" "$npubs" "$nsubs" "$duration" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    runs.setdefault(name, []).append(json.loads(js))
med = statistics.median
msgs, size, prate, npubs, nsubs, duration = sys.argv[2:]
if prate != "0":
    print("Paced, %s publishers at %s msg/s each for %s, %s subscribers, %s-byte messages:" % (npubs, prate, duration, nsubs, size))
else:
    print("Flat out, %s messages of %s bytes, %s publishers, %s subscribers, lossless:" % (msgs, size, npubs, nsubs))
print("| forwarder | delivered msg/s (runs) | median | forwarder CPU us/msg (runs) | median | latency p50 / p99 us (median) | lost |")
print("|---|---|---|---|---|---|---|")
for name in ("null", "curve", "libzmq-curve"):
    rate = [r["delivered_msg_per_sec"] for r in runs[name]]
    cpu = [r["forwarder_cpu_us_per_msg"] for r in runs[name]]
    p50 = med([r["latency"]["p50_us"] for r in runs[name]])
    p99 = med([r["latency"]["p99_us"] for r in runs[name]])
    print("| %s | %s | %.0f | %s | %.3f | %.0f / %.0f | %d |" % (name, " ".join("%.0f" % x for x in rate), med(rate),
          " ".join("%.3f" % x for x in cpu), med(cpu), p50, p99, sum(r["lost"] for r in runs[name])))
def ratio(a, b, key):
    return med([x[key] / y[key] for x, y in zip(runs[a], runs[b])])
print("ratios (median of per-round ratios): curve/null rate %.3f, CPU %.3f; ours curve / libzmq curve rate %.3f, CPU %.3f" % (
    ratio("curve", "null", "delivered_msg_per_sec"), ratio("curve", "null", "forwarder_cpu_us_per_msg"),
    ratio("curve", "libzmq-curve", "delivered_msg_per_sec"), ratio("curve", "libzmq-curve", "forwarder_cpu_us_per_msg")))
PY
