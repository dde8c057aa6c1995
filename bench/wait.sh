# Waiting helpers the bench/*.sh scripts source.
# ready FILE PID: wait until FILE has a "ready" line; give up (and show
# FILE) if PID exits first or after 30 s.
ready() {
  local i
  for i in $(seq 600); do
    grep -q '^ready' "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "process $2 exited before it was ready:" >&2; cat "$1" >&2; exit 1; }
    sleep 0.05
  done
  echo "not ready after 30 s: $1" >&2; cat "$1" >&2; exit 1
}
# up PORT: wait (30 s at most) until something listens on 127.0.0.1:PORT.
up() {
  local i
  for i in $(seq 600); do
    (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on port $1 after 30 s" >&2; exit 1
}
