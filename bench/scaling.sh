#!/usr/bin/env bash
# The scaling curves of BENCHMARKS.md, four buses side by side: our
# backplane (`banyan backplane --hwm -1`), Python Banyan's libzmq forwarder
# (bench/pyforwarder.py), NATS (embedded nats-server, nats.go clients) and
# mosquitto (paho, QoS 0), driven by one load generator (bench/peers'
# busbench, internal/benchmark.Run). Each round runs every point of the
# curve on every bus in turn (banyan libzmq nats mqtt, banyan libzmq ...),
# so noise hits all alike; the tables and plots show medians over rounds.
#
# usage: bench/scaling.sh CURVE [rounds=3]
#   CURVE: fanout | size | subscriptions | unbatched | idle | flood | all
#   writes bench/results/CURVE.csv and bench/plots/CURVE-*.png, prints the
#   Markdown tables. QUICK=1 shrinks every curve to a smoke test (seconds).
#
#   fanout         1 publisher -> 1, 10, 100 subscribers, lossless flood for 3 s
#   size           1 -> 1, payloads of 16 B to 4 MiB (200,000 messages or 256 MiB, the fewer)
#   subscriptions  1 -> 1 with 1, 100, 10,000 prefixes per subscriber, flood for 3 s
#                  (fanout and subscriptions: at most WINDOW=5000 messages in flight per
#                  publisher, so a slow bus drains in seconds after the 3 s: mosquitto
#                  delivers some 40,000 msg/s in all, to 100 subscribers)
#   unbatched      1 -> 1 at 2,000 msg/s for 10 s (one message at a time)
#   idle           1,000 idle components (clients) on the forwarder, CPU over 10 s
#   flood          1 -> 10, 500,000 messages, the publisher unbounded: peak RSS;
#                  plus banyan with --flow-control 16 MiB when the backplane has it
set -euo pipefail
cd "$(dirname "$0")/.."
curve=${1:?usage: bench/scaling.sh fanout|size|subscriptions|unbatched|idle|flood|all [rounds=3]}
rounds=${2:-3}
quick=${QUICK:-}
[ -n "$quick" ] && [ -z "${2:-}" ] && rounds=1

if [ "$curve" = all ]; then
  for c in fanout size subscriptions unbatched idle flood; do "$0" "$c" "$rounds"; done
  exit
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/banyan" ./cmd/banyan
(cd bench/peers && go build -o "$tmp/busbench" ./cmd/busbench)
mkdir -p bench/results bench/plots
out=bench/results/$curve.csv
rm -f "$out"
buses="banyan libzmq nats mqtt"
window=${WINDOW:-5000}
failed=0

# bench ROLE ARGS...: one measurement, appended to $out (a header first).
bench() {
  local role=$1; shift
  local header=-no-header
  [ -s "$out" ] || header=
  echo "# $curve: busbench $role $*" >&2
  if ! "$tmp/busbench" "$role" -banyan "$tmp/banyan" -pyforwarder bench/pyforwarder.py \
      -csv $header "$@" >"$tmp/row"; then
    echo "# FAILED: busbench $role $*" >&2
    failed=$((failed + 1))
    return 0
  fi
  cat "$tmp/row" >>"$out"
}

# table BY METRIC...: Markdown tables of $out.
table() {
  local by=$1; shift
  local m args=()
  for m in "$@"; do args+=(-metric "$m"); done
  echo
  "$tmp/busbench" table -in "$out" -by "$by" "${args[@]}"
}

# plot NAME X Y TITLE [FLAGS...]: bench/plots/$curve-NAME.png.
plot() {
  local name=$1 x=$2 y=$3 title=$4; shift 4
  "$tmp/busbench" plot -in "$out" -x "$x" -y "$y" -title "$title" -out "bench/plots/$curve-$name.png" "$@"
}

case $curve in
fanout)
  subs="1 10 100"; dur=3s
  [ -n "$quick" ] && { subs="1 10"; dur=300ms; }
  for r in $(seq "$rounds"); do for n in $subs; do for b in $buses; do
    bench run -bus "$b" -subs "$n" -duration "$dur" -window "$window"
  done; done; done
  plot cpu subs forwarder_cpu_us_per_msg "Fan-out: forwarder CPU per delivered message, 1 publisher" -logx -logy
  plot rate subs delivered_msg_per_sec "Fan-out: delivered messages per second, 1 publisher" -logx -logy
  plot rss subs forwarder_peak_rss_mib "Fan-out: peak forwarder RSS, 1 publisher, lossless" -logx
  table subs forwarder_cpu_us_per_msg delivered_msg_per_sec forwarder_peak_rss_mib lost
  ;;
size)
  sizes="16 256 4096 65536 1048576 4194304"; most=200000; bytes=$((256 << 20))
  [ -n "$quick" ] && { sizes="16 4096 1048576"; most=2000; bytes=$((16 << 20)); }
  for r in $(seq "$rounds"); do for s in $sizes; do for b in $buses; do
    n=$((bytes / s)); [ "$n" -gt "$most" ] && n=$most
    bench run -bus "$b" -size "$s" -msgs "$n"
  done; done; done
  plot bytes size "delivered_bytes_per_sec/1048576" "Message size: delivered MiB/s, 1 publisher -> 1 subscriber" -logx -logy
  plot cpu size forwarder_cpu_us_per_msg "Message size: forwarder CPU per message" -logx -logy
  plot cpu-mib size "forwarder_cpu_us_per_msg*1048576/size" "Message size: forwarder CPU per MiB" -logx -logy
  table size "delivered_bytes_per_sec/1048576" forwarder_cpu_us_per_msg "forwarder_cpu_us_per_msg*1048576/size" lost
  ;;
subscriptions)
  counts="1 100 10000"; dur=3s
  [ -n "$quick" ] && { counts="1 100 1000"; dur=300ms; }
  for r in $(seq "$rounds"); do for k in $counts; do for b in $buses; do
    bench run -bus "$b" -subscriptions "$k" -duration "$dur" -window "$window"
  done; done; done
  plot cpu subscriptions forwarder_cpu_us_per_msg "Subscriptions per subscriber: forwarder CPU per message" -logx -logy
  plot p50 subscriptions latency_p50_us "Subscriptions per subscriber: p50 latency under a flood" -logx -logy
  table subscriptions forwarder_cpu_us_per_msg latency_p50_us delivered_msg_per_sec
  ;;
unbatched)
  dur=10s
  [ -n "$quick" ] && dur=1s
  for r in $(seq "$rounds"); do for b in $buses; do
    bench run -bus "$b" -rate 2000 -duration "$dur"
  done; done
  plot cpu rate forwarder_cpu_us_per_msg "One message at a time (2,000 msg/s): forwarder CPU per message" -bars
  plot latency rate latency_p50_us "One message at a time (2,000 msg/s): p50 latency" -bars
  table rate forwarder_cpu_us_per_msg latency_p50_us latency_p99_us client_cpu_us_per_msg
  ;;
idle)
  conns=1000; secs=10
  [ -n "$quick" ] && { conns=50; secs=1; }
  for r in $(seq "$rounds"); do for b in $buses; do
    bench idle -bus "$b" -conns "$conns" -seconds "$secs"
  done; done
  plot rss conns kib_per_conn "$conns idle clients: forwarder RSS per connection" -bars
  plot cpu conns idle_cpu_percent "$conns idle clients: forwarder CPU while idle" -bars
  table conns kib_per_conn kib_per_component goroutines_per_conn threads_after idle_cpu_percent
  ;;
flood)
  msgs=500000
  [ -n "$quick" ] && msgs=20000
  variants=("banyan" "" "libzmq" "nats" "mqtt")
  if "$tmp/banyan" backplane --help 2>&1 | grep -q -- '--flow-control'; then
    variants=("banyan" "banyan-flow" "libzmq" "nats" "mqtt")
  else
    echo "# flood: banyan backplane has no --flow-control yet: that variant is skipped" >&2
  fi
  for r in $(seq "$rounds"); do for v in "${variants[@]}"; do
    case $v in
    "") ;;
    banyan-flow) bench run -bus banyan -label banyan-flow -backplane-args "--flow-control 16777216" \
                   -subs 10 -msgs "$msgs" -window -1 ;;
    *) bench run -bus "$v" -subs 10 -msgs "$msgs" -window -1 ;;
    esac
  done; done
  plot rss subs forwarder_peak_rss_mib "Lossless flood, 1 publisher -> 10 subscribers: peak forwarder RSS" -bars
  plot rate subs delivered_msg_per_sec "Lossless flood, 1 publisher -> 10 subscribers: delivered msg/s" -bars
  table subs forwarder_peak_rss_mib delivered_msg_per_sec forwarder_cpu_us_per_msg lost
  ;;
*)
  echo "unknown curve $curve: want fanout, size, subscriptions, unbatched, idle, flood or all" >&2
  exit 2
  ;;
esac
if [ "$failed" -gt 0 ]; then
  echo "# $curve: $failed measurement(s) failed, see above" >&2
  exit 1
fi
