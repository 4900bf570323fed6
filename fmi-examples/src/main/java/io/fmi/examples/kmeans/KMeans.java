package io.fmi.examples.kmeans;

import io.fmi.Communicator;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Distributed K-means, the FMI paper's case study: each worker assigns its points to the nearest
 * centroid and sums them; one allreduce per epoch combines the sums and counts of all workers;
 * every worker then holds the same new centroids.
 *
 * <pre>
 * try (Communicator comm = ...) {
 *     KMeans.Result r = new KMeans(3, 28).run(comm, myPoints, initialCentroids, 50);
 * }
 * </pre>
 *
 * <p>The exchange is the only line that talks to other workers; {@link #epoch} shows it. The same
 * step over a storage-based exchange is in {@link StorageKMeans}, for comparison.
 */
public final class KMeans {
    private final int k;
    private final int dims;

    public KMeans(int k, int dims) {
        if (k < 1 || dims < 1) {
            throw new IllegalArgumentException("k: " + k + ", dims: " + dims + " (expected: >= 1)");
        }
        this.k = k;
        this.dims = dims;
    }

    /** Timing and outcome of one epoch on this worker. */
    public static final class Epoch {
        public final long computeNanos;
        public final long communicationNanos;

        Epoch(long computeNanos, long communicationNanos) {
            this.computeNanos = computeNanos;
            this.communicationNanos = communicationNanos;
        }
    }

    /** The final centroids and the per-epoch timings. */
    public static final class Result {
        public final double[] centroids;
        public final List<Epoch> epochs;
        public final String channel;
        /** Wall-clock time (epoch milliseconds) at which the first epoch's allreduce returned: the end of a cold start. */
        public final long firstExchangeEndMillis;

        Result(double[] centroids, List<Epoch> epochs, String channel, long firstExchangeEndMillis) {
            this.centroids = centroids;
            this.epochs = epochs;
            this.channel = channel;
            this.firstExchangeEndMillis = firstExchangeEndMillis;
        }
    }

    /** Bytes each worker contributes to the allreduce of one epoch: k × (dims + 1) doubles. */
    public int exchangeBytes() {
        return 8 * k * (dims + 1);
    }

    /** Runs {@code epochs} epochs from {@code initial} centroids; {@code points} is row-major {@code n × dims}. */
    public Result run(Communicator comm, double[] points, double[] initial, int epochs) {
        double[] centroids = initial.clone();
        List<Epoch> log = new ArrayList<>(epochs);
        long firstEnd = 0;
        for (int e = 0; e < epochs; e++) {
            log.add(epoch(comm, points, centroids));
            if (e == 0) {
                firstEnd = System.currentTimeMillis();
            }
        }
        return new Result(centroids, log, comm.channelFor(Operation.ALLREDUCE, exchangeBytes()), firstEnd);
    }

    /** One epoch: local assignment and sums, one allreduce, new centroids (in place). */
    public Epoch epoch(Communicator comm, double[] points, double[] centroids) {
        long t0 = System.nanoTime();
        double[] local = localSums(points, centroids);
        long t1 = System.nanoTime();
        double[] global = new double[local.length];
        comm.allreduce(local, global, ReduceOp.SUM);
        long t2 = System.nanoTime();
        update(global, centroids);
        return new Epoch(t1 - t0 + System.nanoTime() - t2, t2 - t1);
    }

    /** Per centroid: the sum of the points nearest to it (dims values) and their count (1 value). */
    public double[] localSums(double[] points, double[] centroids) {
        int n = points.length / dims;
        double[] acc = new double[k * (dims + 1)];
        for (int p = 0; p < n; p++) {
            int best = 0;
            double bestDist = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                double dist = 0;
                for (int d = 0; d < dims; d++) {
                    double diff = points[p * dims + d] - centroids[c * dims + d];
                    dist += diff * diff;
                }
                if (dist < bestDist) {
                    bestDist = dist;
                    best = c;
                }
            }
            int base = best * (dims + 1);
            for (int d = 0; d < dims; d++) {
                acc[base + d] += points[p * dims + d];
            }
            acc[base + dims] += 1;
        }
        return acc;
    }

    /** New centroids from global sums; a centroid that lost all its points stays where it was. */
    public void update(double[] sums, double[] centroids) {
        for (int c = 0; c < k; c++) {
            double count = sums[c * (dims + 1) + dims];
            if (count > 0) {
                for (int d = 0; d < dims; d++) {
                    centroids[c * dims + d] = sums[c * (dims + 1) + d] / count;
                }
            }
        }
    }

    /**
     * The same job in one process without communication: the partitions of {@code workers}
     * workers summed in worker order each epoch. Distributed runs must reach these centroids.
     */
    public static double[] sequential(long seed, int workers, int points, int k, int dims, int epochs) {
        KMeans km = new KMeans(k, dims);
        double[][] parts = new double[workers][];
        for (int w = 0; w < workers; w++) {
            parts[w] = KMeansData.partition(seed, w, points, k, dims);
        }
        double[] centroids = initialCentroids(seed, k, dims);
        for (int e = 0; e < epochs; e++) {
            double[] sums = new double[k * (dims + 1)];
            for (int w = 0; w < workers; w++) {
                double[] part = km.localSums(parts[w], centroids);
                for (int i = 0; i < sums.length; i++) {
                    sums[i] += part[i];
                }
            }
            km.update(sums, centroids);
        }
        return centroids;
    }

    /** Initial centroids every worker agrees on: the first k points of partition 0. */
    public static double[] initialCentroids(long seed, int k, int dims) {
        double[] p0 = KMeansData.partition(seed, 0, k, k, dims);
        return p0.clone();
    }
}
