#!/usr/bin/env bash
# Context switches and CPU per forwarded message of one forwarder process:
# a Python Banyan-style publisher paced at RATE msg/s, one message at a
# time, to a pyzmq subscriber through the forwarder this script starts
# (the command after the options, on ports 31184/31185). Sums
# voluntary+nonvoluntary switches over /proc/PID/task/*/status and the
# first field of /proc/PID/task/*/schedstat (ns on CPU) over the run.
# usage: bench/ctx-switches.sh [messages=30000] [rate=5000] -- FORWARDER ARGS...
#   e.g. bench/ctx-switches.sh 30000 5000 -- banyan backplane --bind 127.0.0.1 --hwm -1 -p 31184 -s 31185
#        bench/ctx-switches.sh 30000 5000 -- /usr/bin/python3 bench/pyforwarder.py 31184 31185 0
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-30000}; rate=${2:-5000}
shift 2 || true
[ "${1:-}" = -- ] && shift
"$@" >/dev/null 2>&1 & fwd=$!
trap 'kill $fwd 2>/dev/null || true' EXIT
sleep 0.5
out=$(mktemp)
/usr/bin/python3 bench/pythroughput.py sub 127.0.0.1 31184 31185 "$n" >"$out" & sub=$!
until [ -s "$out" ]; do sleep 0.05; done # READY
cs() { cat /proc/$fwd/task/*/status | awk '/ctxt_switches/ {s += $2} END {print s}'; }
ns() { cat /proc/$fwd/task/*/schedstat | awk '{s += $1} END {printf "%d", s}'; }
c0=$(cs); t0=$(ns)
/usr/bin/python3 bench/pythroughput.py pub 127.0.0.1 31184 31185 "$n" "$rate"
wait $sub
c1=$(cs); t1=$(ns)
awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) -v n="$n" 'BEGIN {printf "context switches per message %.2f, CPU per message %.1f us\n", c / n, t / n / 1000}'
tail -1 "$out"
