#!/usr/bin/env bash
# Python Banyan's performance comparison (reference section 7) in Go: one
# publisher sends N messages {'msg': i} (msgpack) on topic "test", one
# subscriber times the first to the last, through our backplane and through
# mosquitto (paho, QoS 0), alternating A B A B, then medians.
# usage: bench/mqtt-compare.sh [pairs=3] [messages=100000] [extra]
#   extra "bridge" adds a third path per pair: Banyan publisher -> our
#   backplane -> bridge/mqtt (msgpack encoding) -> mosquitto -> paho subscriber.
# The Banyan publisher's send queue is unlimited (PUB_HWM=0, like the paho
# publisher, which queues and never drops): at the component default (1000)
# a Go publisher in a tight loop outruns the socket and drops most messages.
# Likewise the backplane's per-subscriber queue is unlimited (BP_HWM=-1):
# at its default (1000, as libzmq) a subscriber slower than the publisher
# loses messages. mosquitto keeps its defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/wait.sh # ready, up
hwm=${PUB_HWM:-0}
bphwm=${BP_HWM:--1}
pairs=${1:-3}
msgs=${2:-100000}
extra=${3:-}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/banyan" ./cmd/banyan # for `banyan backplane`
go build -o "$tmp/mqc" ./bench/mqtt-compare
in=53124; out=53125; mport=51883
printf 'listener %d 127.0.0.1\nallow_anonymous true\n' $mport > "$tmp/mosquitto.conf"
results="$tmp/results"

# sub ARGS...: start a subscriber, wait for "ready"; its output goes to $tmp/sub.out
sub() {
  "$tmp/mqc" sub "$@" > "$tmp/sub.out" &
  subpid=$!
  ready "$tmp/sub.out" $subpid
}
finish() { # name
  wait $subpid
  echo "$1 $(tail -n 1 "$tmp/sub.out")" | tee -a "$results"
}

run_banyan() {
  "$tmp/banyan" backplane --bind 127.0.0.1 --hwm "$bphwm" -p $in -s $out >/dev/null 2>&1 &
  local bp=$!
  up $out
  sub -bus banyan -n "$msgs" -p $in -s $out -pid $bp
  "$tmp/mqc" pub -bus banyan -n "$msgs" -p $in -s $out -hwm "$hwm"
  finish banyan
  kill $bp; wait $bp 2>/dev/null || true
}

run_mqtt() {
  /usr/sbin/mosquitto -c "$tmp/mosquitto.conf" >/dev/null 2>&1 &
  local mq=$!
  up $mport
  sub -bus mqtt -n "$msgs" -port $mport -pid $mq
  "$tmp/mqc" pub -bus mqtt -n "$msgs" -port $mport
  finish mosquitto
  kill $mq; wait $mq 2>/dev/null || true
}

run_bridge() {
  "$tmp/banyan" backplane --bind 127.0.0.1 --hwm "$bphwm" -p $in -s $out >/dev/null 2>&1 &
  local bp=$!
  /usr/sbin/mosquitto -c "$tmp/mosquitto.conf" >/dev/null 2>&1 &
  local mq=$!
  up $out; up $mport
  "$tmp/mqc" bridge -p $in -s $out -port $mport > "$tmp/bridge.out" 2>&1 &
  local br=$!
  ready "$tmp/bridge.out" $br
  sub -bus mqtt -n "$msgs" -port $mport -pid $br
  "$tmp/mqc" pub -bus banyan -n "$msgs" -p $in -s $out -hwm "$hwm"
  finish bridge
  kill $br $mq $bp; wait $br $mq $bp 2>/dev/null || true
}

for i in $(seq "$pairs"); do
  run_banyan
  run_mqtt
  if [ "$extra" = bridge ]; then run_bridge; fi
done

/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(js))
for name, rs in rows.items():
    print("%-9s median %8.0f msg/s  %.3f s  received %s  broker/bridge CPU %.2f us/msg" % (
        name, statistics.median(r["MsgPerSec"] for r in rs), statistics.median(r["Seconds"] for r in rs),
        [r["Received"] for r in rs], statistics.median(r["BrokerCPUu"] for r in rs)))
if "banyan" in rows and "mosquitto" in rows:
    ratios = [a["MsgPerSec"] / b["MsgPerSec"] for a, b in zip(rows["banyan"], rows["mosquitto"]) if b["MsgPerSec"]]
    print("ratio backplane/mosquitto per pair:", " ".join("%.2f" % r for r in ratios))
    print("median ratio: %.2f" % statistics.median(ratios))
PY
