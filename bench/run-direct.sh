#!/usr/bin/env bash
# Direct channel benchmarks: FMI vs raw java.nio, a blocking pair and a selector-driven pair, interleaved
# in the same two processes (ping-pong, bandwidth), and FMI vs Open MPI
# over TCP (collectives at 2, 4 and 8 processes), all processes under the same `taskset -c $CPUS`.
# Prints RESULT lines, then a Markdown table; keeps both in bench/results/.
#   bench/run-direct.sh                 full run (about a minute on 2 cores)
#   QUICK=1 bench/run-direct.sh         fewer iterations
#   CPUS=0,1 PROCS=2,4,8 SPIN_US=50 IO_THREADS=1 bench/run-direct.sh
#   CPUS=0/1 pins rank r to the r-th CPU (round robin) instead of letting all ranks share CPUS;
#   Open MPI then runs with --bind-to core
#   ONLY=pingpong (or collectives) runs one half; ONLY=allocation prints bytes allocated per message; JVM_ARGS="-Xlog:gc" adds options to every FMI JVM
#   JVM_ARGS="-Dbench.pingpong.sizes=8 -Dbench.pingpong.impls=fmi,nio_select" narrows the ping-pong,
#   JVM_ARGS="-Dbench.collectives=allreduce:1048576 -Dbench.iterations.scale=10" the collectives
#   MVN_ARGS="-Dmaven.repo.local=..." is passed to the two Maven builds
#   CC=cubic runs with that TCP congestion control (root: sets net.ipv4.tcp_congestion_control for
#   the run and restores it after); the results header records the one in use either way
set -euo pipefail
cd "$(dirname "$0")/.."
CPUS=${CPUS:-0,1}
PROCS=${PROCS:-2,4,8}
SPIN_US=${SPIN_US:-default}  # default: the library's (0 below 4 CPUs, else 50)
IO_THREADS=${IO_THREADS:-1}
QUICK=${QUICK:-}
ONLY=${ONLY:-}
JVM_ARGS=${JVM_ARGS:-}

. bench/lib.sh
bench_classpath
bench_congestion_control

mkdir -p bench/results bench/target
OUT=bench/results/direct-$(date -u +%Y%m%dT%H%M%SZ).txt
{
  echo "# $(date -u) $(uname -srm) cpus=$(nproc) taskset=$CPUS spin_us=$SPIN_US io_threads=$IO_THREADS quick=${QUICK:-0} only=${ONLY:-all} jvm_args=${JVM_ARGS:-none}"
  echo "# load: $(uptime)"
  echo "# tcp_congestion_control: $(sysctl -n net.ipv4.tcp_congestion_control 2>/dev/null || echo unknown)"
  echo "# $(java -version 2>&1 | head -1); $(mpirun --version 2>&1 | head -1)"
} > "$OUT"

JARGS=()
for a in $JVM_ARGS; do JARGS+=(--jvm-arg "$a"); done
java -cp "$CP" io.fmi.bench.DirectBench launch --cpus "$CPUS" --procs "$PROCS" --spin-us "$SPIN_US" \
    --io-threads "$IO_THREADS" ${QUICK:+--quick} ${ONLY:+--only "$ONLY"} "${JARGS[@]}" \
    | tee -a "$OUT"

MPI_BIND="--bind-to none"
[[ "$CPUS" == */* ]] && MPI_BIND="--bind-to core --map-by core"
mpicc -O2 -o bench/target/mpi_bench bench/mpi_bench.c
[ "$ONLY" = pingpong ] || [ "$ONLY" = allocation ] || for p in ${PROCS//,/ }; do
  taskset -c "${CPUS//\//,}" mpirun --allow-run-as-root --oversubscribe $MPI_BIND \
      --mca btl tcp,self --mca btl_tcp_if_include lo -np "$p" bench/target/mpi_bench ${QUICK:+quick} \
      | grep '^RESULT' | tee -a "$OUT"
done

echo "# load after: $(uptime)" >> "$OUT"
python3 bench/direct_table.py "$OUT" | tee "${OUT%.txt}.md"
