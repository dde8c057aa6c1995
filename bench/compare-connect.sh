#!/usr/bin/env bash
# Connect and SubscribeSync latency against our backplane on loopback
# (BenchmarkConnect, BenchmarkSubscribeSync in connect_bench_test.go), this
# tree against an earlier revision, A B A B ... The benchmark file is copied
# into the old tree when it lacks it.
# usage: bench/compare-connect.sh [rev=40307a5] [pairs=5] [iterations=300]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-40307a5}; pairs=${2:-5}; n=${3:-300}
d=$(mktemp -d)
git worktree add -q --detach "$d/src" "$rev"
trap 'git worktree remove --force "$d/src"' EXIT
[ -f "$d/src/connect_bench_test.go" ] || cp connect_bench_test.go "$d/src/"
sed -i 's/func startBackplane(t \*testing.T, /func startBackplane(t testing.TB, /' "$d/src/component_test.go"
(cd "$d/src" && go test -c -o "$d/before" .)
go test -c -o "$d/after" .
for i in $(seq "$pairs"); do
  for s in before after; do
    "$d/$s" -test.run '^$' -test.bench 'Connect$|SubscribeSync$' -test.benchtime "${n}x" | awk -v s="$s" '/^Benchmark/ {print s, $1, $3}' | tee -a "$d/results"
  done
done
/usr/bin/python3 - "$d/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    s, name, ns = line.split()
    rows.setdefault((name, s), []).append(float(ns))
for name in sorted({k[0] for k in rows}):
    b, a = rows[(name, "before")], rows[(name, "after")]
    r = [x / y for x, y in zip(a, b)]
    print("%s: median before %.0f us, after %.0f us; ratio after/before per pair %s, median %.3f" % (
        name, statistics.median(b) / 1e3, statistics.median(a) / 1e3, " ".join("%.3f" % x for x in r), statistics.median(r)))
PY
