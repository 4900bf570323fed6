#!/usr/bin/env bash
# Direct channel benchmarks: FMI vs raw blocking java.nio (ping-pong, bandwidth) and FMI vs Open MPI
# over TCP (collectives at 2, 4 and 8 processes), all processes under the same `taskset -c $CPUS`.
# Prints RESULT lines, then a Markdown table; keeps both in bench/results/.
#   bench/run-direct.sh                 full run (about 10 minutes on 2 cores)
#   QUICK=1 bench/run-direct.sh         fewer iterations
#   CPUS=0,1 PROCS=2,4,8 SPIN_US=50 bench/run-direct.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CPUS=${CPUS:-0,1}
PROCS=${PROCS:-2,4,8}
SPIN_US=${SPIN_US:-50}
QUICK=${QUICK:-}

mvn -q -pl fmi-core,fmi-tcpunch install -DskipTests
mvn -q -pl fmi-channels test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/direct-bench-classpath.txt -Dmdep.includeScope=test
CP="fmi-channels/target/test-classes:fmi-channels/target/classes:$(cat fmi-channels/target/direct-bench-classpath.txt)"

mkdir -p bench/results bench/target
OUT=bench/results/direct-$(date -u +%Y%m%dT%H%M%SZ).txt
{
  echo "# $(date -u) $(uname -srm) cpus=$(nproc) taskset=$CPUS spin_us=$SPIN_US quick=${QUICK:-0}"
  echo "# $(java -version 2>&1 | head -1); $(mpirun --version 2>&1 | head -1)"
} > "$OUT"

java -cp "$CP" io.fmi.bench.DirectBench launch --cpus "$CPUS" --procs "$PROCS" --spin-us "$SPIN_US" ${QUICK:+--quick} \
    | tee -a "$OUT"

mpicc -O2 -o bench/target/mpi_bench bench/mpi_bench.c
for p in ${PROCS//,/ }; do
  taskset -c "$CPUS" mpirun --allow-run-as-root --oversubscribe --bind-to none \
      --mca btl tcp,self --mca btl_tcp_if_include lo -np "$p" bench/target/mpi_bench ${QUICK:+quick} \
      | grep '^RESULT' | tee -a "$OUT"
done

python3 bench/direct_table.py "$OUT" | tee "${OUT%.txt}.md"
