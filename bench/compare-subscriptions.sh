#!/usr/bin/env bash
# Forwarding cost per message with 1, 100 and 10,000 prefix subscriptions on
# one subscriber, this tree against an earlier revision, side by side:
# A B A B ... with BenchmarkForwardSubscriptions (backplane package), which
# both trees have since ea154c1.
# usage: bench/compare-subscriptions.sh [rev=ea154c1] [pairs=3] [benchtime=20000x]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-ea154c1}
pairs=${2:-3}
benchtime=${3:-20000x}
old=$(mktemp -d)
git worktree add -q --detach "$old" "$rev"
trap 'git worktree remove --force "$old"' EXIT
results=$(mktemp)
(cd "$old" && go test -c -o "$old/bp.test" ./backplane/)
go test -c -o "$old/new.test" ./backplane/
for i in $(seq "$pairs"); do
  for side in before after; do
    bin="$old/bp.test"; [ "$side" = after ] && bin="$old/new.test"
    (cd backplane && "$bin" -test.run '^$' -test.bench BenchmarkForwardSubscriptions -test.benchtime "$benchtime") |
      awk -v s="$side" '/^BenchmarkForwardSubscriptions/ {sub(/-[0-9]+$/, "", $1); print s, $1, $3}' | tee -a "$results"
  done
done
/usr/bin/python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    side, name, ns = line.split()
    rows.setdefault((name.split("/")[1], side), []).append(float(ns))
print("%-10s %14s %14s %8s" % ("", "before ns/msg", "after ns/msg", "ratio"))
for subs in ("subs=1", "subs=100", "subs=10000"):
    b, a = statistics.median(rows[(subs, "before")]), statistics.median(rows[(subs, "after")])
    print("%-10s %14.0f %14.0f %8.2f" % (subs, b, a, a / b))
PY
