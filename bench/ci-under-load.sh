#!/usr/bin/env bash
# Runs .ci/run N times in a row (default 5), each on a fresh clone of this
# repository's committed HEAD, while two CPU hogs keep the cores busy: the
# check that the suite holds no timing assumptions (issue 9).
# usage: bench/ci-under-load.sh [runs=5]
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
work=$(mktemp -d)
hogs=()
for i in 1 2; do (while :; do :; done) & hogs+=($!); done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
failed=0
for n in $(seq "$runs"); do
  git clone -q "$repo" "$work/run$n"
  start=$(date +%s)
  (cd "$work/run$n" && CI=true bash .ci/run </dev/null >"$work/run$n.log" 2>&1)
  rc=$?
  [ $rc = 0 ] || failed=$((failed + 1))
  echo "run $n: commit $(git -C "$work/run$n" rev-parse --short HEAD) rc=$rc $(( $(date +%s) - start ))s (log $work/run$n.log)"
done
echo "$((runs - failed)) passed, $failed failed"
[ $failed = 0 ]
