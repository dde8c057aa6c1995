#!/usr/bin/env bash
# The web view's cost on forwarding (issue 14): our backplane flat out
# (banyan bench: PUBS publishers, one subscriber, lossless --hwm -1), with
# the view off, on with nobody watching, and on with one headless Chromium
# watching the page, alternating off/idle/watched in every round. Reports
# the delivered rate and the backplane's CPU per forwarded message
# (/proc/PID/task/*/schedstat through banyan bench --pid), the medians and
# the ratios to "off". Chromium runs on the same 2 cores, so "watched"
# includes the browser's competition for the CPU, as on a real Pi.
#
# usage: bench/compare-webview.sh [rounds=3] [msgs=1000000] [size=64] [pubs=1]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; msgs=${2:-1000000}; size=${3:-64}; pubs=${4:-1}
tmp=$(mktemp -d)
go build -o "$tmp/banyan" ./cmd/banyan
in=31274; out=31275; web=31280
results=$tmp/results
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap 'cleanup; rm -rf "$tmp"' EXIT
watchers() { curl -s "http://127.0.0.1:$web/metrics" | awk '/^banyan_web_watchers/ {print $2}'; }
one() { # off|idle|watched
  local http=()
  [ "$1" = off ] || http=(--http "127.0.0.1:$web")
  "$tmp/banyan" backplane --bind 127.0.0.1 --hwm -1 -p $in -s $out "${http[@]}" >/dev/null 2>&1 & local fwd=$!; pids+=($fwd)
  sleep 0.5
  if [ "$1" = watched ]; then
    rm -rf "$tmp/chromium"
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
      --disable-sync --no-first-run --user-data-dir="$tmp/chromium" --remote-debugging-port=0 \
      "http://127.0.0.1:$web/" >/dev/null 2>&1 & pids+=($!)
    for _ in $(seq 200); do [ "$(watchers)" = 1 ] && break; sleep 0.1; done
    [ "$(watchers)" = 1 ] || { echo "chromium never watched the page" >&2; exit 1; }
    sleep 3 # the browser's start-up work is over: what remains is watching
  fi
  "$tmp/banyan" bench -b 127.0.0.1 -p $in -s $out --pubs "$pubs" --subs 1 --size "$size" --msgs "$msgs" --pid $fwd --json >"$tmp/run.json"
  [ "$1" = off ] || [ "$1" = idle ] || [ "$(watchers)" = 1 ] || { echo "the browser stopped watching" >&2; exit 1; }
  echo "$1 $(cat "$tmp/run.json")" | tee -a "$results" | cut -c1-160
  cleanup
}
for i in $(seq "$rounds"); do
  one off; one idle; one watched
done
/usr/bin/python3 - "$results" "$msgs" "$size" "$pubs" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    runs.setdefault(name, []).append(json.loads(js))
med = statistics.median
print("Backplane flat out, %s messages of %s bytes, %s publisher(s), 1 subscriber, lossless:" % tuple(sys.argv[2:5]))
print("| view | delivered msg/s (runs) | median | ratio to off | backplane CPU us/msg (runs) | median | ratio to off | lost |")
print("|---|---|---|---|---|---|---|---|")
off_rate = [r["delivered_msg_per_sec"] for r in runs["off"]]
off_cpu = [r["forwarder_cpu_us_per_msg"] for r in runs["off"]]
for name in ("off", "idle", "watched"):
    rate = [r["delivered_msg_per_sec"] for r in runs[name]]
    cpu = [r["forwarder_cpu_us_per_msg"] for r in runs[name]]
    rr = med([a / b for a, b in zip(rate, off_rate)])
    cr = med([a / b for a, b in zip(cpu, off_cpu)])
    print("| %s | %s | %.0f | %.3f | %s | %.3f | %.3f | %d |" % (
        name, " ".join("%.0f" % x for x in rate), med(rate), rr,
        " ".join("%.3f" % x for x in cpu), med(cpu), cr, sum(r["lost"] for r in runs[name])))
PY
