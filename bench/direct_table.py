#!/usr/bin/env python3
"""Turns the RESULT lines of bench/run-direct.sh into Markdown tables (medians, p99 and ratios)."""
import re
import sys

rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT "):
        continue
    kv = dict(re.findall(r"(\w+)=(\S+)", line))
    rows[(kv["op"], kv["impl"], int(kv["procs"]), int(kv["bytes"]))] = kv


def size(b):
    for unit, n in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= n and b % n == 0:
            return f"{b // n} {unit}"
    return f"{b} B"


def us(kv, key="median_us"):
    return float(kv[key]) if kv else None


def ratio(kv, other):
    """Median over the interleaved rounds of FMI's median / the other's median, with the range."""
    if kv and f"vs_{other}" in kv:
        return f"{float(kv['vs_' + other]):.2f}x ({float(kv['vs_' + other + '_min']):.2f}-{float(kv['vs_' + other + '_max']):.2f})"
    return "-"


print("| ping-pong | FMI median µs | FMI p99 µs | raw NIO median µs | raw NIO p99 µs | raw selector median µs | FMI / NIO | FMI / selector |")
print("|---|---|---|---|---|---|---|---|")
for (op, impl, procs, b), kv in sorted(rows.items(), key=lambda x: x[0][3]):
    if op != "pingpong" or impl != "fmi":
        continue
    nio = rows.get((op, "nio", procs, b))
    sel = rows.get((op, "nio_select", procs, b))
    cell = lambda x, key="median_us": f"{us(x, key):.1f}" if x else "-"
    print(f"| {size(b)} | {cell(kv)} | {cell(kv, 'p99_us')} | {cell(nio)} | {cell(nio, 'p99_us')} | {cell(sel)} "
          f"| {ratio(kv, 'nio')} | {ratio(kv, 'nio_select')} |")
fmi = rows.get(("bandwidth", "fmi", 2, 64 << 20))
nio = rows.get(("bandwidth", "nio", 2, 64 << 20))
if fmi and nio:
    # ping-pong of 64 MiB: bandwidth = bytes moved one way / half the round trip
    bw = lambda kv: 2 * (64 << 20) / (float(kv["median_us"]) * 1e-6) / 1e9
    print(f"\n64 MiB ping-pong bandwidth: FMI {bw(fmi):.2f} GB/s, raw NIO {bw(nio):.2f} GB/s, "
          f"time per 64 MiB round trip FMI / NIO {ratio(fmi, 'nio')} (the bandwidth ratio is its inverse)\n")
print("Ratios: median over interleaved rounds of the ratio of the two medians in each round (min-max).\n")

print("| collective | size | procs | FMI median µs | FMI p99 µs | Open MPI median µs | Open MPI p99 µs | FMI / MPI (median) |")
print("|---|---|---|---|---|---|---|---|")
order = ["allreduce", "bcast", "reduce", "scan", "barrier", "gather", "scatter"]
keys = [k for k in rows if k[1] == "fmi" and k[0] in order]
for (op, impl, procs, b) in sorted(keys, key=lambda k: (k[3] > 4 and k[0] == "allreduce", order.index(k[0]), k[3], k[2])):
    kv = rows[(op, impl, procs, b)]
    mpi = rows.get((op, "mpi", procs, b))
    label = "0 B" if op == "barrier" else ("1 int" if b == 4 else ("5,000 ints" if b == 20000 else size(b) + " doubles"))
    m = f"{us(mpi):.1f} | {us(mpi, 'p99_us'):.1f} | {us(kv) / us(mpi):.2f}x" if mpi else "- | - | -"
    print(f"| {op} | {label} | {procs} | {us(kv):.1f} | {us(kv, 'p99_us'):.1f} | {m} |")
