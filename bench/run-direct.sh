#!/usr/bin/env bash
# Direct channel benchmarks: FMI vs raw java.nio, a blocking pair and a selector-driven pair, interleaved
# in the same two processes (ping-pong, bandwidth), and FMI vs Open MPI over TCP (ping-pong at 2
# processes, collectives at 2, 4 and 8), all processes under the same `taskset -c $CPUS`.
# FMI and Open MPI alternate: each round runs, per process count, one after the other (the order
# swapped every round), so that the machine's changes of speed hit both alike.
# Prints RESULT lines, then Markdown tables; keeps both in bench/results/.
#   bench/run-direct.sh                 full run, one round (a few minutes on 2 cores)
#   QUICK=1 bench/run-direct.sh         fewer iterations
#   ROUNDS=5 bench/run-direct.sh        five alternating rounds; the tables give medians over rounds
#   CPUS=0,1 PROCS=2,4,8 SPIN_US=50 IO_THREADS=1 bench/run-direct.sh
#   CPUS=0/1 (the default) pins rank r to the r-th CPU when there are no more ranks than CPU lists
#   (Open MPI then runs with --bind-to core), and lets more ranks share all the CPUs unpinned;
#   CPUS=0,1 lets every rank share both
#   ONLY=pingpong (or collectives) runs one half; ONLY=allocation prints bytes allocated per message;
#   ONLY=passes prints the memory traffic of a large allreduce; JVM_ARGS="-Xlog:gc" adds options to every FMI JVM
#   JVM_ARGS="-Dbench.pingpong.sizes=8 -Dbench.pingpong.impls=fmi,nio_select" narrows the ping-pong,
#   JVM_ARGS="-Dbench.collectives=allreduce:1048576 -Dbench.iterations.scale=10" the collectives,
#   JVM_ARGS="-Dbench.direct.idle_strategy=block" sets a key of the Direct entry,
#   JVM_ARGS="-Dbench.trace=true" prints every timed iteration
#   WARMUP_MS=2000 (the default): each collective of both libraries runs untimed for at least this
#   long before its timed loop (the JIT recompiles the paths a new operation or size takes); FMI's
#   then goes on until no rank's JIT compiled anything for 1 s (at most 30 s; RESULT's warmup_ms
#   says how long it took; JVM_ARGS="-Dbench.warmup.jit.ms=0" times right after WARMUP_MS)
#   MVN_ARGS="-Dmaven.repo.local=..." is passed to the two Maven builds (run with the Maven wrapper)
#   CC=cubic runs with that TCP congestion control (root: sets net.ipv4.tcp_congestion_control for
#   the run and restores it after); the results header records the one in use either way
set -euo pipefail
cd "$(dirname "$0")/.."
CPUS=${CPUS:-0/1}  # default: 2 processes pinned one core each; 4 and 8 share both cores
PROCS=${PROCS:-2,4,8}
SPIN_US=${SPIN_US:-default}  # default: the library's idle strategy (adaptive); a number sets the older spin_us
IO_THREADS=${IO_THREADS:-1}
QUICK=${QUICK:-}
ONLY=${ONLY:-}
ROUNDS=${ROUNDS:-1}
JVM_ARGS=${JVM_ARGS:-}
WARMUP_MS=${WARMUP_MS:-2000}
export BENCH_WARMUP_MS=$WARMUP_MS  # read by mpi_bench

. bench/lib.sh
bench_classpath
bench_congestion_control

mkdir -p bench/results bench/target
OUT=bench/results/direct-$(date -u +%Y%m%dT%H%M%SZ).txt
{
  echo "# $(date -u) $(uname -srm) cpus=$(nproc) taskset=$CPUS spin_us=$SPIN_US io_threads=$IO_THREADS quick=${QUICK:-0} only=${ONLY:-all} rounds=$ROUNDS warmup_ms=$WARMUP_MS jvm_args=${JVM_ARGS:-none}"
  echo "# load: $(uptime)"
  echo "# tcp_congestion_control: $(sysctl -n net.ipv4.tcp_congestion_control 2>/dev/null || echo unknown)"
  echo "# $(java -version 2>&1 | head -1); $(mpirun --version 2>&1 | head -1)"
} > "$OUT"

JARGS=(--jvm-arg "-Dbench.warmup.ms=$WARMUP_MS")
for a in $JVM_ARGS; do JARGS+=(--jvm-arg "$a"); done
# cpus_for <procs>: with one CPU list per rank (CPUS=0/1), more ranks than lists share all of them
# unpinned (FMI and Open MPI alike): "4 and 8 processes on 2 cores".
cpus_for() {
  local lists=$(( $(tr -cd / <<< "$CPUS" | wc -c) + 1 ))
  if [[ "$CPUS" == */* ]] && [ "$1" -gt "$lists" ]; then echo "${CPUS//\//,}"; else echo "$CPUS"; fi
}
MPI_BIND="--bind-to none"
[[ "$CPUS" == */* ]] && MPI_BIND="--bind-to core --map-by core"
mpicc -O2 -o bench/target/mpi_bench bench/mpi_bench.c
MPI_ITERATIONS=full
[ -n "$QUICK" ] && MPI_ITERATIONS=quick

# fmi <only> <procs> / mpi <only> <procs>: one half of one round; RESULT lines get the round's number.
fmi() {
  local props=""
  [ "$1" = passes ] && props="-Dfmi.passes.count=true"
  java $props -cp "$CP" io.fmi.bench.DirectBench launch --cpus "$(cpus_for "$2")" --procs "$2" --spin-us "$SPIN_US" \
      --io-threads "$IO_THREADS" ${QUICK:+--quick} --only "$1" "${JARGS[@]}" \
      | sed -u "s/^RESULT /RESULT round=$ROUND /" | tee -a "$OUT"
}
mpi() {
  local bind=$MPI_BIND
  [ "$(cpus_for "$2")" = "$CPUS" ] || bind="--bind-to none"
  taskset -c "${CPUS//\//,}" mpirun --allow-run-as-root --oversubscribe $bind \
      --mca btl tcp,self --mca btl_tcp_if_include lo -np "$2" bench/target/mpi_bench "$MPI_ITERATIONS" "$1" \
      | grep '^RESULT' | sed -u "s/^RESULT /RESULT round=$ROUND /" | tee -a "$OUT"
}

if [ "$ONLY" = allocation ] || [ "$ONLY" = passes ]; then
  ROUND=1
  fmi "$ONLY" 2
else
  for ROUND in $(seq 1 "$ROUNDS"); do
    echo "# round $ROUND: $(uptime)" >> "$OUT"
    for p in ${PROCS//,/ }; do
      for half in pingpong collectives; do
        if [ -n "$ONLY" ] && [ "$ONLY" != "$half" ]; then continue; fi
        if [ "$half" = pingpong ] && [ "$p" != 2 ]; then continue; fi
        if [ $((ROUND % 2)) = 1 ]; then fmi "$half" "$p"; mpi "$half" "$p"; else mpi "$half" "$p"; fmi "$half" "$p"; fi
      done
    done
  done
fi

echo "# load after: $(uptime)" >> "$OUT"
python3 bench/direct_table.py "$OUT" | tee "${OUT%.txt}.md"
