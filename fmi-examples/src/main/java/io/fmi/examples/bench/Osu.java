package io.fmi.examples.bench;

import io.fmi.Communicator;
import io.fmi.ReduceOp;
import java.util.Arrays;

/**
 * Timing in the manner of the OSU micro-benchmarks: every iteration starts after a barrier, each
 * rank times the operation, and the slowest rank's time counts; the caller reads the median and
 * tail of those per-iteration maxima. Every rank of the communicator must call it together.
 */
public final class Osu {
    private Osu() {
    }

    /** Per-iteration times of the slowest rank, in nanoseconds, sorted ascending (the same array on every rank). */
    public static long[] time(Communicator comm, int warmup, int iterations, Runnable op) {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        long[] ns = new long[iterations];
        for (int k = 0; k < iterations; k++) {
            comm.barrier();
            long t0 = System.nanoTime();
            op.run();
            ns[k] = System.nanoTime() - t0;
        }
        long[] slowest = new long[iterations];
        comm.allreduce(ns, slowest, ReduceOp.MAX);
        Arrays.sort(slowest);
        return slowest;
    }

    public static double medianMicros(long[] sorted) {
        return sorted[sorted.length / 2] / 1e3;
    }

    public static double percentileMicros(long[] sorted, double p) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e3;
    }
}
