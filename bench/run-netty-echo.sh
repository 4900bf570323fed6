#!/usr/bin/env bash
# A plain Netty echo on loopback (no FMI), for the p99 stalls discussed in docs/benchmarks.md:
# prints RESULT lines (median, p99, max, round trips over 2 ms) and the kernel's TCP recovery
# counters (nstat) over the run, and keeps them in bench/results/netty-echo-<time>.txt.
#   bench/run-netty-echo.sh                      NIO and epoll transports, 64 KiB, 256 KiB, 1 MiB
#   CC=cubic bench/run-netty-echo.sh             under another congestion control (root; restored after)
#   ITERS=5000 CPUS=0,1 bench/run-netty-echo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CPUS=${CPUS:-0,1}
ITERS=${ITERS:-2000}

. bench/lib.sh
bench_classpath
bench_congestion_control
mkdir -p bench/results
OUT=bench/results/netty-echo-$(date -u +%Y%m%dT%H%M%SZ).txt
exec > >(tee "$OUT")
echo "# $(date -u) tcp_congestion_control=$(sysctl -n net.ipv4.tcp_congestion_control 2>/dev/null || echo unknown) load: $(uptime)"
for t in nio epoll; do
  command -v nstat >/dev/null && nstat -n >/dev/null
  taskset -c "$CPUS" java -Dio.netty.leakDetection.level=disabled -cp "$CP" io.fmi.bench.NettyEchoBench "$t" "$ITERS"
  command -v nstat >/dev/null && echo "# $t: $(nstat | grep -E 'TcpRetransSegs|TCPLossProbes|TCPOFOQueue|TCPSACKReorder' | awk '{printf "%s=%s ", $1, $2}')"
done
