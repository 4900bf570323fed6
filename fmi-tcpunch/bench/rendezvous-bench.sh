#!/bin/bash
# Rendezvous server load test: server pinned to CPU 0 (one worker thread), load generator on CPU 1.
# usage: fmi-tcpunch/bench/rendezvous-bench.sh [runs=3] [pending=10000] [seconds=10] [concurrency=64] [extra server args...]
# Needs the CLI jar: mvn -q -pl fmi-tcpunch -am package -DskipTests
# Reports, per run, the wall-clock pairings/s and the pairings per CPU-second the server process spent
# during the pairing phase (from its once-a-second stats line), which does not depend on how busy the
# machine's other processes keep CPU 0. The server runs --insecure (unsigned requests), as the
# figures in docs/benchmarks.md were measured.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/fmi-tcpunch.jar
RUNS=${1:-3}; PENDING=${2:-10000}; SECS=${3:-10}; CONC=${4:-64}; shift $(( $# < 4 ? $# : 4 ))
PORT=${PORT:-12100}
[ -f "$JAR" ] || { echo "missing $JAR: build with mvn -q -pl fmi-tcpunch -am package -DskipTests" >&2; exit 2; }
LOG=$(mktemp)
rates=(); cpurates=()
for i in $(seq 1 "$RUNS"); do
  taskset -c 0 java -jar "$JAR" server --port "$PORT" --insecure --workers 1 --stats-interval 1 "$@" >"$LOG" 2>&1 &
  srv=$!
  for _ in $(seq 1 100); do grep -q ready "$LOG" && break; sleep 0.1; done
  out=$(taskset -c 1 java -jar "$JAR" loadgen --server 127.0.0.1:"$PORT" --pending "$PENDING" --seconds "$SECS" --concurrency "$CONC")
  kill "$srv"; wait "$srv" 2>/dev/null || true
  # pairing phase: stats lines whose pairing count grew; pairings per CPU-second between first and last of them
  cpu=$(grep '^stats:' "$LOG" | sed -n 's/.* pairings=\([0-9]*\) .*cpu_ms=\([0-9]*\)$/\1 \2/p' \
        | awk 'prev != "" && $1 > p { if (n == 0) { p0 = p; c0 = c } p1 = $1; c1 = $2; n++ } { p = $1; c = $2; prev = 1 }
               END { if (n > 0 && c1 > c0) printf "%.0f", (p1 - p0) * 1000 / (c1 - c0); else print "n/a" }')
  echo "run $i:"; echo "$out" | sed 's/^/  /'; echo "  server: $cpu pairings per CPU-second during the pairing phase"
  rates+=("$(echo "$out" | sed -n 's/.* = \([0-9]*\) pairings\/s.*/\1/p')"); cpurates+=("$cpu")
done
rm -f "$LOG"
median() { local s=($(printf '%s\n' "$@" | sort -n)); echo "${s[$(( ${#s[@]} / 2 ))]}"; }
echo "wall-clock pairings/s per run: ${rates[*]}; median $(median "${rates[@]}")"
echo "server pairings per CPU-second per run: ${cpurates[*]}; median $(median "${cpurates[@]}")"
