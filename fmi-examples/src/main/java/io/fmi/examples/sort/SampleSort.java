package io.fmi.examples.sort;

import io.fmi.Communicator;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.examples.Phases;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Distributed sample sort (Frazer and McKellar 1970; the shape of TeraSort and of a MapReduce
 * shuffle): every worker samples its data, the samples are shared with one allgather, every
 * worker picks the same {@code n - 1} splitters from them, sends each element to the worker whose
 * range holds it with one {@code alltoallv} (the sizes first, with one {@code alltoall}), and sorts
 * what it received. Afterwards worker {@code r} holds the {@code r}-th range of the sorted input.
 *
 * <pre>
 * try (Communicator comm = ...) {
 *     long[] mine = SortData.partition(seed, total, comm.size(), comm.rank());
 *     SampleSort.Result r = new SampleSort(SampleSort.DEFAULT_SAMPLES).run(comm, mine);
 *     r.sorted;                        // this worker's range, sorted
 *     r.phases.totalMillis();          // sample, partition, counts, shuffle, sort
 * }
 * </pre>
 *
 * <p>Oversampling (Blelloch et al., SPAA 1991): with {@code s} samples per worker, each range
 * holds about {@code s} samples, so its size is off the mean by about {@code 1/sqrt(s)} of it;
 * with 256 the largest range is typically within 10-15% of the mean. Equal keys go to one worker,
 * so heavily repeated keys unbalance the ranges but never the result. The same job exchanging through storage is in
 * {@link StorageSampleSort}, for comparison.
 *
 * <p>Immutable and thread-safe; {@link #run} is called by every worker of the communicator.
 */
public final class SampleSort {
    /** Samples per worker unless told otherwise. */
    public static final int DEFAULT_SAMPLES = 256;

    private final int samples;

    /** @param samplesPerWorker how many elements each worker samples, at least 1 */
    public SampleSort(int samplesPerWorker) {
        this.samples = requireSamples(samplesPerWorker);
    }

    static int requireSamples(int samplesPerWorker) {
        if (samplesPerWorker < 1) {
            throw new IllegalArgumentException("samplesPerWorker: " + samplesPerWorker + " (expected: >= 1)");
        }
        return samplesPerWorker;
    }

    /** This worker's part of the sorted input, and the time each phase took. */
    public static final class Result {
        /** This worker's range of the sorted input, sorted. */
        public final long[] sorted;
        /** Elements this worker sent to each worker (itself included). */
        public final int[] sendCounts;
        /** Time per phase: sample, partition, counts (absent in the storage version), shuffle, sort. */
        public final Phases phases;
        /** The channel of the shuffle, or {@code "storage"}. */
        public final String channel;

        Result(long[] sorted, int[] sendCounts, Phases phases, String channel) {
            this.sorted = sorted;
            this.sendCounts = sendCounts;
            this.phases = phases;
            this.channel = channel;
        }
    }

    /** Sorts the union of every worker's {@code data} (not modified); see the class documentation. */
    public Result run(Communicator comm, long[] data) {
        return run(comm, data, new Phases());
    }

    /** As {@link #run(Communicator, long[])}, recording the phases in {@code phases} (its clock running). */
    public Result run(Communicator comm, long[] data, Phases phases) {
        int n = comm.size();
        long[] all = new long[(samples + 1) * n];
        comm.allgather(sample(data, samples, comm.rank()), all);
        long[] splitters = splitters(all, samples, n);
        phases.lap("sample");
        int[] sendCounts = new int[n];
        long[] send = partition(data, splitters, sendCounts);
        phases.lap("partition");
        int[] recvCounts = new int[n];
        comm.alltoall(sendCounts, recvCounts);
        phases.lap("counts");
        long[] recv = new long[sum(recvCounts, "received elements")];
        comm.alltoallv(send, sendCounts, recv, recvCounts);
        phases.lap("shuffle");
        Arrays.sort(recv);
        phases.lap("sort");
        return new Result(recv, sendCounts, phases, comm.channelFor(Operation.ALLTOALLV, 0));
    }

    /**
     * This worker's sample, as it goes into the allgather: the number of valid samples ({@code s},
     * or 0 when {@code data} is empty), then {@code s} elements drawn with replacement.
     */
    static long[] sample(long[] data, int s, int rank) {
        long[] out = new long[s + 1];
        if (data.length == 0) {
            return out;
        }
        out[0] = s;
        SplittableRandom rnd = new SplittableRandom(0x5A3D1E5L + rank);
        for (int i = 1; i <= s; i++) {
            out[i] = data[rnd.nextInt(data.length)];
        }
        return out;
    }

    /**
     * The {@code n - 1} splitters every worker derives from the gathered samples (each worker's
     * block as {@link #sample} makes it): the valid samples sorted, then every
     * {@code (m / n)}-th. Worker {@code i} receives the elements in {@code (splitter[i-1], splitter[i]]}.
     */
    static long[] splitters(long[] gathered, int s, int n) {
        long[] valid = new long[s * n];
        int m = 0;
        for (int r = 0; r < n; r++) {
            int c = (int) gathered[r * (s + 1)];
            System.arraycopy(gathered, r * (s + 1) + 1, valid, m, c);
            m += c;
        }
        Arrays.sort(valid, 0, m);
        long[] out = new long[n - 1];
        for (int i = 0; i < n - 1; i++) {
            out[i] = m == 0 ? 0 : valid[(int) ((long) (i + 1) * m / n)];
        }
        return out;
    }

    /**
     * {@code data} grouped by destination worker (a counting sort on the destination), and in
     * {@code counts} how many elements go to each. The destination of {@code v} is the first
     * splitter {@code >= v}, or the last worker.
     */
    static long[] partition(long[] data, long[] splitters, int[] counts) {
        int[] dest = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            int d = Arrays.binarySearch(splitters, data[i]);
            if (d < 0) {
                d = -d - 1;
            } else {
                // equal keys: the first of equal splitters, so that a run of equal keys stays together
                while (d > 0 && splitters[d - 1] == data[i]) {
                    d--;
                }
            }
            dest[i] = d;
            counts[d]++;
        }
        int[] next = new int[counts.length];
        for (int d = 1; d < counts.length; d++) {
            next[d] = next[d - 1] + counts[d - 1];
        }
        long[] out = new long[data.length];
        for (int i = 0; i < data.length; i++) {
            out[next[dest[i]]++] = data[i];
        }
        return out;
    }

    static int sum(int[] counts, String what) {
        long s = 0;
        for (int c : counts) {
            s += c;
        }
        if (s > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(what + ": " + s + " (expected: at most " + (Integer.MAX_VALUE - 8)
                    + ", the largest Java array; use more workers)");
        }
        return (int) s;
    }

    // ------------------------------------------------------------------ checking a run

    /** What one worker contributes to checking a run without shipping its data; see {@link #check}. */
    public static final class Check {
        /** Index of this worker's first element in the sorted input. */
        public final long offset;
        /** Elements this worker holds. */
        public final long count;
        /** {@link #fingerprint} of this worker's elements at their indexes in the sorted input. */
        public final long fingerprint;
        /** Whether this worker's elements are in order. */
        public final boolean sorted;
        /** Its smallest and largest element; 0 when it holds none. */
        public final long first;
        public final long last;

        Check(long offset, long count, long fingerprint, boolean sorted, long first, long last) {
            this.offset = offset;
            this.count = count;
            this.fingerprint = fingerprint;
            this.sorted = sorted;
            this.first = first;
            this.last = last;
        }
    }

    /**
     * This worker's part of the check of a run (collective: one exscan finds where its range
     * starts). A run is right when every worker's range is sorted, the ranges follow each other,
     * and the fingerprints of all workers add up to the fingerprint of a single-process sort of
     * the same input: the fingerprint is a sum over positions, so the parts of a correct run add up.
     */
    public static Check check(Communicator comm, long[] sorted) {
        long[] offset = new long[1]; // exscan leaves rank 0's result untouched: 0
        comm.exscan(new long[] {sorted.length}, offset, ReduceOp.SUM);
        boolean inOrder = true;
        for (int i = 1; i < sorted.length && inOrder; i++) {
            inOrder = sorted[i - 1] <= sorted[i];
        }
        return new Check(offset[0], sorted.length, fingerprint(sorted, offset[0]), inOrder,
                sorted.length == 0 ? 0 : sorted[0], sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
    }

    /**
     * A hash of {@code values} placed at indexes {@code offset, offset + 1, ...}: the sum (mod
     * 2^64) of a 64-bit mix of each (index, value) pair. Additive, so the fingerprints of
     * consecutive pieces add up to the fingerprint of the whole; not cryptographic, but a wrong
     * element or position changes it with probability 1 - 2^-64 for unbiased inputs.
     */
    public static long fingerprint(long[] values, long offset) {
        long h = 0;
        for (int i = 0; i < values.length; i++) {
            h += SortData.mix(values[i] ^ SortData.mix(offset + i));
        }
        return h;
    }
}
