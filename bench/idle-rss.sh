#!/usr/bin/env bash
# Backplane RSS per idle connection, this tree against a revision: N pyzmq
# components (a SUB and a PUB each) connect, send one 3,000-byte message,
# go quiet; RSS of `banyan backplane` before and after, A B A B ...
# usage: bench/idle-rss.sh [rev=ea154c1] [pairs=2] [components=250]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-ea154c1}; pairs=${2:-2}; n=${3:-250}
d=$(mktemp -d)
git worktree add -q --detach "$d/src" "$rev"
trap 'git worktree remove --force "$d/src"' EXIT
(cd "$d/src" && go build -o "$d/before" ./cmd/banyan)
go build -o "$d/after" ./cmd/banyan
rss() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
run() {
  "$d/$1" backplane --bind 127.0.0.1 -p 54124 -s 54125 >/dev/null 2>&1 &
  local bp=$!
  sleep 1
  local r0; r0=$(rss $bp)
  coproc PY { /usr/bin/python3 bench/idle-conns.py "$n" 54124 54125; }
  local line; read -r line <&"${PY[0]}"
  sleep 1
  local r1; r1=$(rss $bp)
  echo "$1 connections=$((2 * n)) rss +$((r1 - r0)) KiB, $(( (r1 - r0) / (2 * n) )) KiB per connection"
  kill "$PY_PID" $bp; wait 2>/dev/null || true
}
for i in $(seq "$pairs"); do run before; run after; done
