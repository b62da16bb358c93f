#!/usr/bin/env bash
# Issue 15's start figures: seconds from `hearth serve` to /health "ok", the server's load line, and (with CHAT=1) the
# peak RSS (VmHWM) after one chat beside the planner's prediction. Usage: start_time.sh MODEL.gguf [RUNS] (PORT=...).
set -euo pipefail
model=$1 runs=${2:-1} port=${PORT:-18431}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# /health through bash's own /dev/tcp, no process per poll: a curl every 20 ms took a tenth of the 2 cores the start
# itself needs
trap '' PIPE  # a socket the server has not yet accepted for may refuse the request: a failed poll, not an exit
health_ok() {
  local line ok=1
  { command exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1  # command: a refused connection is no exit
  printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 2>/dev/null || { exec 3<&-; return 1; }
  while IFS= read -r -t 5 -u 3 line || [ -n "$line" ]; do  # the body ends without a newline
    case $line in *'"status":"ok"'*) ok=0 ;; esac
    line=
  done
  exec 3<&-
  return $ok
}
for run in $(seq "$runs"); do
  log=$(mktemp)
  t0=$(date +%s.%N)
  "$here/bin/hearth" serve --model "$model=m" --port "$port" ${SERVE_ARGS:-} >"$log" 2>&1 &
  pid=$!
  until health_ok; do
    kill -0 $pid 2>/dev/null || { echo "server exited:"; cat "$log"; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s.%N)
  line="ready $(echo "$t1 - $t0" | bc) s, CPU $(awk '{printf "%.2f (user %.2f, sys %.2f)", ($14 + $15) / 100, $14 / 100, $15 / 100}' /proc/$pid/stat) s"
  if [ "${CHAT:-0}" = 1 ]; then
    line="$line; at ready $(awk '/VmHWM/ {printf "%d", $2 / 1024}' /proc/$pid/status) MiB"
    curl -sf "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' \
      -d '{"model":"m","messages":[{"role":"user","content":"Say something long."}],"max_tokens":32}' >/dev/null
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)  # bin/hearth execs the JVM: $pid is the server
    parts=$(awk '/RssAnon|RssFile/ {printf "%s %d MiB ", $1, $2 / 1024}' /proc/$pid/status)
    line="$line; peak RSS $((hwm / 1024)) MiB (now $parts)"
  fi
  kill $pid; wait $pid 2>/dev/null || true
  echo "$line | $(grep -hE "^load of|^memory for" "$log" | tr '\n' ' ')"
  rm -f "$log"
done
