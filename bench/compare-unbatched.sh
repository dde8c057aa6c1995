#!/usr/bin/env bash
# The unbatched path (issue 13): traffic one message at a time, as sensors and
# buttons send it, through our backplane and through Python Banyan's (libzmq
# zmq.device FORWARDER), side by side, alternating; or, given a revision,
# through this tree's backplane and that revision's.
#
#  1. CPU per forwarded message: a Python Banyan-style publisher (pyzmq,
#     packb({'msg': i})) paced at RATE msg/s, one message at a time, to a
#     pyzmq subscriber; the forwarder's CPU is the sum of the first field of
#     /proc/PID/task/*/schedstat (ns on CPU, no 10 ms ticks) over the run.
#  2. Added latency per hop: the echo round trip of identical pyzmq peers
#     (blocking receives, pyecho.py) through each forwarder, and directly
#     (the server binds, no forwarder); a round trip crosses the forwarder
#     twice, so added latency per hop = (through - direct) / 2.
#
# usage: bench/compare-unbatched.sh [pairs=3] [rate=5000] [messages=50000] [round_trips=10000] [rev]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}; rate=${2:-5000}; n=${3:-50000}; rt=${4:-10000}; rev=${5:-}
tmp=$(mktemp -d)
go build -o "$tmp/banyan" ./cmd/banyan
other=libzmq
if [ -n "$rev" ]; then
  other=$rev
  git worktree add -q --detach "$tmp/src" "$rev"
  (cd "$tmp/src" && go build -o "$tmp/other" ./cmd/banyan)
fi
in=31174; out=31175
results=$tmp/results
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap 'cleanup; [ -z "$rev" ] || git worktree remove --force "$tmp/src"' EXIT
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%d", s}'; }
forwarder() { # name: start that forwarder, lossless as Python Banyan's
  case $1 in
    ours) "$tmp/banyan" backplane --bind 127.0.0.1 --hwm -1 -p $in -s $out >/dev/null 2>&1 & ;;
    libzmq) /usr/bin/python3 bench/pyforwarder.py $in $out 0 & ;;
    *) "$tmp/other" backplane --bind 127.0.0.1 --hwm -1 -p $in -s $out >/dev/null 2>&1 & ;;
  esac
  fwd=$!; pids+=($fwd)
  sleep 0.5
}
cpu_run() { # name
  forwarder "$1"
  /usr/bin/python3 bench/pythroughput.py sub 127.0.0.1 $in $out "$n" >"$tmp/sub.out" & local sub=$!
  until [ -s "$tmp/sub.out" ]; do sleep 0.05; done # READY
  local c0; c0=$(cpu_ns $fwd)
  /usr/bin/python3 bench/pythroughput.py pub 127.0.0.1 $in $out "$n" "$rate"
  wait $sub
  local c1; c1=$(cpu_ns $fwd)
  local got; got=$(tail -1 "$tmp/sub.out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["Delivered"])')
  echo "cpu $1 $got $(( (c1 - c0) ))" | tee -a "$results"
  cleanup
}
echo_run() { # name (or "direct")
  if [ "$1" = direct ]; then
    /usr/bin/python3 bench/pyecho.py direct 127.0.0.1 $in $out & pids+=($!)
  else
    forwarder "$1"
    /usr/bin/python3 bench/pyecho.py server 127.0.0.1 $in $out & pids+=($!)
  fi
  sleep 0.3
  echo "echo $1 $(/usr/bin/python3 bench/pyecho.py client 127.0.0.1 $in $out "$rt")" | tee -a "$results"
  cleanup
}
for i in $(seq "$pairs"); do
  cpu_run ours; cpu_run "$other"
done
for i in $(seq "$pairs"); do
  echo_run direct; echo_run ours; echo_run "$other"
done
/usr/bin/python3 - "$results" "$other" "$rate" <<'PY'
import json, statistics, sys
other, rate = sys.argv[2], sys.argv[3]
cpu, rt = {}, {}
for line in open(sys.argv[1]):
    kind, name, rest = line.split(" ", 2)
    if kind == "cpu":
        got, ns = map(int, rest.split())
        cpu.setdefault(name, []).append(ns / 1e3 / max(got, 1))
    else:
        rt.setdefault(name, []).append(json.loads(rest))
med = statistics.median
print("CPU per forwarded message, Python publisher at %s msg/s:" % rate)
for name in ("ours", other):
    print("  %-8s %s  median %.2f us" % (name, " ".join("%.2f" % x for x in cpu[name]), med(cpu[name])))
r = [a / b for a, b in zip(cpu["ours"], cpu[other])]
print("  ratio ours/%s per pair: %s  median %.2f" % (other, " ".join("%.2f" % x for x in r), med(r)))
print("Echo round trip (median of each run), pyzmq peers:")
for name in ("direct", "ours", other):
    print("  %-8s %s  median %.1f us (p99 median %.1f)" % (name, " ".join("%.1f" % x["median_us"] for x in rt[name]),
          med(x["median_us"] for x in rt[name]), med(x["p99_us"] for x in rt[name])))
hop = {name: [(x["median_us"] - d["median_us"]) / 2 for x, d in zip(rt[name], rt["direct"])] for name in ("ours", other)}
for name in ("ours", other):
    print("  added per hop %-8s %s  median %.1f us" % (name, " ".join("%.1f" % x for x in hop[name]), med(hop[name])))
r = [a / b if b > 0 else float("nan") for a, b in zip(hop["ours"], hop[other])]
print("  hop ratio ours/%s per pair: %s  median %.2f" % (other, " ".join("%.2f" % x for x in r), med(r)))
print("  round-trip ratio ours/%s: %.2f" % (other, med(x["median_us"] for x in rt["ours"]) / med(x["median_us"] for x in rt[other])))
PY
