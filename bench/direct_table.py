#!/usr/bin/env python3
"""Turns the RESULT lines of bench/run-direct.sh into Markdown tables (medians, p99 and ratios).

With several rounds (ROUNDS=n), every figure is the median over the rounds, and a ratio FMI / Open MPI
is the median over the rounds of the ratio of the two medians measured in the same round."""
import math
import re
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)  # (op, impl, procs, bytes) -> [kv per round]
for line in open(sys.argv[1]):
    if not line.startswith("RESULT "):
        continue
    kv = dict(re.findall(r"(\w+)=(\S+)", line))
    if kv.get("op") in ("allocation", "passes"):
        print(line.strip())
        continue
    kv.setdefault("round", "1")
    rows[(kv["op"], kv["impl"], int(kv["procs"]), int(kv["bytes"]))].append(kv)


def size(b):
    for unit, n in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= n and b % n == 0:
            return f"{b // n} {unit}"
    return f"{b} B"


def med(kvs, key="median_us"):
    v = [float(kv[key]) for kv in kvs if key in kv]
    return statistics.median(v) if v else None


def vs(kvs, other):
    """FMI / raw pair, measured interleaved inside each run: median over rounds, with the range."""
    v = [float(kv["vs_" + other]) for kv in kvs if "vs_" + other in kv]
    if not v:
        return "-"
    lo = min(float(kv["vs_" + other + "_min"]) for kv in kvs)
    hi = max(float(kv["vs_" + other + "_max"]) for kv in kvs)
    return f"{statistics.median(v):.2f}x ({lo:.2f}-{hi:.2f})"


def vs_mpi(key):
    """Median over the rounds of FMI's median / Open MPI's median of the same round, and the per-round ratios."""
    fmi = {kv["round"]: float(kv["median_us"]) for kv in rows.get(key, [])}
    mpi = {kv["round"]: float(kv["median_us"]) for kv in rows.get((key[0], "mpi", key[2], key[3]), [])}
    r = [fmi[k] / mpi[k] for k in fmi if k in mpi]
    return (statistics.median(r), r) if r else (None, [])


def cell(x, fmt="{:.1f}"):
    return fmt.format(x) if x is not None else "-"


rounds = len({kv["round"] for kvs in rows.values() for kv in kvs})
print(f"Rounds: {rounds}. Figures are medians over the rounds.\n")
print("| ping-pong | FMI median µs | FMI p99 µs | Open MPI median µs | FMI / Open MPI | raw NIO median µs | raw selector median µs | FMI / NIO | FMI / selector |")
print("|---|---|---|---|---|---|---|---|---|")
for key in sorted(rows, key=lambda k: k[3]):
    op, impl, procs, b = key
    if op != "pingpong" or impl != "fmi":
        continue
    kvs = rows[key]
    r, _ = vs_mpi(key)
    print(f"| {size(b)} | {cell(med(kvs))} | {cell(med(kvs, 'p99_us'))} | {cell(med(rows.get((op, 'mpi', 2, b), [])))} "
          f"| {cell(r, '{:.2f}x')} | {cell(med(rows.get((op, 'nio', 2, b), [])))} "
          f"| {cell(med(rows.get((op, 'nio_select', 2, b), [])))} | {vs(kvs, 'nio')} | {vs(kvs, 'nio_select')} |")
fmi = rows.get(("bandwidth", "fmi", 2, 64 << 20))
nio = rows.get(("bandwidth", "nio", 2, 64 << 20))
if fmi and nio:
    # ping-pong of 64 MiB: bandwidth = bytes moved one way / half the round trip
    bw = lambda kvs: 2 * (64 << 20) / (med(kvs) * 1e-6) / 1e9
    print(f"\n64 MiB ping-pong bandwidth: FMI {bw(fmi):.2f} GB/s, raw NIO {bw(nio):.2f} GB/s, "
          f"time per 64 MiB round trip FMI / NIO {vs(fmi, 'nio')} (the bandwidth ratio is its inverse)\n")
print("Ratios to the raw pairs: median over interleaved blocks of the ratio of the two medians in each block (min-max).\n")

order = ["allreduce", "bcast", "reduce", "scan", "barrier", "gather", "scatter"]


def label(op, b):
    return "0 B" if op == "barrier" else ("1 int" if b == 4 else ("5,000 ints" if b == 20000 else size(b) + " doubles"))


print("| collective | size | procs | FMI median µs | FMI p99 µs | Open MPI median µs | Open MPI p99 µs | FMI / MPI (median over rounds; per round) |")
print("|---|---|---|---|---|---|---|---|")
keys = [k for k in rows if k[1] == "fmi" and k[0] in order]
for key in sorted(keys, key=lambda k: (k[3] > 4 and k[0] == "allreduce", order.index(k[0]), k[3], k[2])):
    op, impl, procs, b = key
    kvs = rows[key]
    mpi = rows.get((op, "mpi", procs, b), [])
    r, per = vs_mpi(key)
    each = ", ".join(f"{x:.2f}" for x in per) if len(per) > 1 else ""
    print(f"| {op} | {label(op, b)} | {procs} | {cell(med(kvs))} | {cell(med(kvs, 'p99_us'))} | {cell(med(mpi))} "
          f"| {cell(med(mpi, 'p99_us'))} | {cell(r, '{:.2f}x')}{' (' + each + ')' if each else ''} |")

# The rows of issue 15's table: FMI / Open MPI per process count, and their geometric mean.
issue = [("pingpong", 8), ("pingpong", 1024), ("pingpong", 65536), ("pingpong", 1 << 20), ("allreduce", 4), ("bcast", 4),
         ("reduce", 4), ("scan", 4), ("barrier", 0), ("gather", 20000), ("scatter", 20000), ("allreduce", 1 << 20),
         ("allreduce", 16 << 20)]
procs_all = sorted({k[2] for k in rows if k[1] == "fmi" and k[0] in order})
if procs_all:
    print("\n| row | " + " | ".join(f"{p} processes" for p in procs_all) + " |")
    print("|---|" + "---|" * len(procs_all))
    logs = defaultdict(list)
    for op, b in issue:
        cells = []
        for p in procs_all:
            r, _ = vs_mpi((op, "fmi", p, b))
            if r is not None:
                logs[p].append(math.log(r))
            cells.append(cell(r, "{:.2f}"))
        name = f"ping-pong {size(b)}" if op == "pingpong" else f"{op} {label(op, b)}"
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| **geometric mean** | " + " | ".join(
        f"**{math.exp(sum(logs[p]) / len(logs[p])):.2f}** ({len(logs[p])} rows)" if logs[p] else "-" for p in procs_all) + " |")
