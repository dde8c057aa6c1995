#!/usr/bin/env bash
# CPU of an idle component (connected, subscribed, receiving nothing) over
# SECONDS seconds: ours (banyan sub) vs a Python Banyan-style receive loop
# (recv NOBLOCK + sleep(0.1), as BanyanBase.receive_loop does).
# usage: bench/idle-cpu.sh [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
bin=$(mktemp -d)/banyan
go build -o "$bin" ./cmd/banyan
in=53144; out=53145
"$bin" backplane --bind 127.0.0.1 -p $in -s $out >/dev/null & bp=$!
trap 'kill $bp $p 2>/dev/null || true' EXIT
sleep 0.3
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
measure() { # name pid
  sleep 1
  local a b; a=$(ticks $2); sleep "$secs"; b=$(ticks $2)
  echo "$1: $((b-a)) ticks (10 ms each) in ${secs} s = $(awk -v t=$((b-a)) -v s=$secs 'BEGIN{printf "%.3f", t/s}')% of one core"
  kill $2; wait $2 2>/dev/null || true
}
"$bin" sub -b 127.0.0.1 -p $in -s $out nothing_here & p=$!
measure "ours (banyan sub)" $p
/usr/bin/python3 -c "
import time, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.SUB); s.connect('tcp://127.0.0.1:$out'); s.setsockopt(zmq.SUBSCRIBE, b'nothing_here')
while True:
    try: s.recv_multipart(zmq.NOBLOCK)
    except zmq.Again: time.sleep(0.1)
" & p=$!
measure "python BanyanBase-style loop" $p
