#!/usr/bin/env bash
# Banyan -> NATS -> Banyan against Banyan -> MQTT -> Banyan (issue 16).
# Two of our backplanes; a Banyan publisher on the first and a subscriber
# on the second (one process, one clock), joined by
#   nats:   bridge/nats (export) -> nats-server (bench/peers' busbench
#           nats-server) -> bridge/nats (import)
#   mqtt:   bridge/mqtt (export) -> mosquitto   -> bridge/mqtt (import)
#   direct: no bridge, publisher and subscriber on one backplane (the
#           reference the bridges' added latency is measured against).
# msgpack payloads unchanged, topics kept, every component queue unbounded.
# Each round runs the three paths in turn (A B C A B C ...), each path
# flat out (N messages: rate first to last received, losses) and paced
# (RATE msg/s for DURATION: latency p50/p99), with the CPU per delivered
# message of the broker and of the two bridges. Medians of the rounds and
# of the per-round ratios.
# usage: bench/compare-nats.sh [rounds=3] [messages=100000]
#        RATE=1000 DURATION=5s by default
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/wait.sh # ready, up
rounds=${1:-3}; msgs=${2:-100000}
rate=${RATE:-1000}; duration=${DURATION:-5s}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap 'cleanup; rm -rf "$tmp"' EXIT
go build -o "$tmp/banyan" ./cmd/banyan
go build -o "$tmp/nc" ./bench/nats-compare
(cd bench/peers && go build -o "$tmp/busbench" ./cmd/busbench) # nats-server in its own process
p1=31424; s1=31425; p2=31426; s2=31427; broker=31422
printf 'listener %d 127.0.0.1\nallow_anonymous true\n' $broker > "$tmp/mosquitto.conf"
results=$tmp/results

bg() { "$@" & pids+=($!); }

one() { # nats|mqtt|direct
  local path=$1 cpu="" rx=(-p2 $p2 -s2 $s2)
  bg "$tmp/banyan" backplane --bind 127.0.0.1 --hwm -1 -p $p1 -s $s1 >/dev/null 2>&1
  up $s1
  case $path in
    direct) rx=(-p2 $p1 -s2 $s1) ;;
    *)
      bg "$tmp/banyan" backplane --bind 127.0.0.1 --hwm -1 -p $p2 -s $s2 >/dev/null 2>&1
      up $s2
      if [ "$path" = nats ]; then
        bg "$tmp/busbench" nats-server -port $broker > "$tmp/broker.out"; ready "$tmp/broker.out" "${pids[-1]}"
      else
        bg /usr/sbin/mosquitto -c "$tmp/mosquitto.conf" >/dev/null 2>&1; up $broker
      fi
      local b=${pids[-1]}
      bg "$tmp/nc" ${path}bridge -p $p1 -s $s1 -port $broker -export > "$tmp/ex.out" 2>&1; ready "$tmp/ex.out" "${pids[-1]}"
      local ex=${pids[-1]}
      bg "$tmp/nc" ${path}bridge -p $p2 -s $s2 -port $broker -import > "$tmp/im.out" 2>&1; ready "$tmp/im.out" "${pids[-1]}"
      cpu=$b,$ex,${pids[-1]} ;;
  esac
  echo "$path flat $("$tmp/nc" run -p $p1 -s $s1 "${rx[@]}" -n "$msgs" -pids "$cpu")" | tee -a "$results" | cut -c1-150
  echo "$path paced $("$tmp/nc" run -p $p1 -s $s1 "${rx[@]}" -rate "$rate" -duration "$duration" -pids "$cpu")" | tee -a "$results" | cut -c1-150
  cleanup
}
for i in $(seq "$rounds"); do
  one nats; one mqtt; one direct
done

/usr/bin/python3 - "$results" "$msgs" "$rate" "$duration" <<'PY'
import json, statistics, sys
med = statistics.median
runs = {}
for line in open(sys.argv[1]):
    path, mode, js = line.split(" ", 2)
    runs.setdefault((path, mode), []).append(json.loads(js))
print("Flat out, %s messages; paced, %s msg/s for %s; medians of the rounds:" % tuple(sys.argv[2:5]))
print("| path | msg/s flat out (runs) | median | lost (all runs) | latency p50 / p99 µs paced | added p50 / p99 µs | broker / export bridge / import bridge CPU µs/msg (flat out) |")
print("|---|---|---|---|---|---|---|")
d50 = med(r["P50us"] for r in runs[("direct", "paced")])
d99 = med(r["P99us"] for r in runs[("direct", "paced")])
for path in ("nats", "mqtt", "direct"):
    flat, paced = runs[(path, "flat")], runs[(path, "paced")]
    rate = [r["MsgPerSec"] for r in flat]
    lost = sum(r["Sent"] - r["Received"] for r in flat + paced)
    p50, p99 = med(r["P50us"] for r in paced), med(r["P99us"] for r in paced)
    cpu = " / ".join("%.2f" % med(r["CPUus"][i] for r in flat) for i in range(len(flat[0]["CPUus"] or []))) or "-"
    added = "-" if path == "direct" else "%.0f / %.0f" % (p50 - d50, p99 - d99)
    print("| %s | %s | %.0f | %d | %.0f / %.0f | %s | %s |" % (path, " ".join("%.0f" % x for x in rate), med(rate), lost, p50, p99, added, cpu))
def ratio(a, b, key, mode):
    return med([x[key] / y[key] for x, y in zip(runs[(a, mode)], runs[(b, mode)]) if y[key]])
print("ratios (median of per-round ratios): nats/mqtt rate %.2f; p50 latency nats/mqtt %.2f; nats/direct rate %.2f" % (
    ratio("nats", "mqtt", "MsgPerSec", "flat"), ratio("nats", "mqtt", "P50us", "paced"), ratio("nats", "direct", "MsgPerSec", "flat")))
PY
