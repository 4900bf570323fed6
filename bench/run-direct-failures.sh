#!/usr/bin/env bash
# Time to each error on the Direct channel, with its default settings (docs/channels-direct.md,
# "Time to each error"): no rendezvous server, a wrong secret, a peer killed with kill -9, a peer
# stopped with SIGSTOP. Rank 0 waits in a receive with a 30 s deadline; prints every run and a
# Markdown table of the medians; keeps both in bench/results/.
#   bench/run-direct-failures.sh            5 runs of each cause (about two minutes)
#   RUNS=3 bench/run-direct-failures.sh
#   MVN_ARGS="-Dmaven.repo.local=..." is passed to the Maven builds
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}

. bench/lib.sh
bench_classpath

mkdir -p bench/results
OUT=bench/results/direct-failures-$(date -u +%Y%m%dT%H%M%SZ).txt
{
  echo "# $(date -u) $(uname -srm) cpus=$(nproc) runs=$RUNS"
  echo "# load: $(uptime)"
  echo "# $(java -version 2>&1 | head -1)"
} > "$OUT"
java -cp "$CP" io.fmi.channel.direct.DirectFailureTimes "$RUNS" 2>/dev/null | tee -a "$OUT"
echo "# load after: $(uptime)" >> "$OUT"
