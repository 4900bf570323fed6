package io.fmi.examples.sgd;

import io.fmi.Communicator;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.examples.Phases;
import java.util.Arrays;
import java.util.List;

/**
 * Data-parallel mini-batch SGD for logistic regression, combined the way distributed training
 * does it (the reduce-scatter + allgather of Horovod's ring and of sharded optimizers): in each
 * step every worker sums the gradient of its batch; one {@code reduceScatter} leaves worker
 * {@code r} with block {@code r} of the sum over all workers; each worker updates its block of
 * the weights; one {@code allgatherv} gives every worker all of them.
 *
 * <pre>
 * try (Communicator comm = ...) {
 *     SgdData.Examples mine = SgdData.partition(seed, comm.rank(), points, dims, nnz);
 *     LogisticSgd.Result r = new LogisticSgd(dims, batch, 0.5, ReduceOp.SUM).run(comm, mine, steps);
 *     r.weights;                       // the same on every worker
 * }
 * </pre>
 *
 * <h2>Against one process</h2>
 * {@link #sequential} runs the same steps in one process, summing the workers' gradients left to
 * right in rank order. With {@link #RANK_ORDER_SUM} (declared non-associative, so FMI reduces in
 * rank order, then scatters) a distributed run gives bit-identical weights. With
 * {@link ReduceOp#SUM} FMI may group the additions differently (recursive halving, ring), so
 * results differ by rounding: each reduced element is off by at most about
 * {@code (n - 1) * 2^-53} of the sum of the magnitudes added, and a gradient step on this convex
 * loss with a small enough rate does not amplify differences, so they add up at most linearly
 * over steps. {@link #RELATIVE_TOLERANCE} is many orders of magnitude above that.
 *
 * <p>The same job exchanging through storage is in {@link StorageSgd}, for comparison.
 * Immutable and thread-safe; {@link #run} is called by every worker of the communicator.
 */
public final class LogisticSgd {
    /** Addition folded strictly in rank order: bit-identical to {@link #sequential}, at the price of a reduce to rank 0. */
    public static final ReduceOp RANK_ORDER_SUM = ReduceOp.ofDouble("sum in rank order", Double::sum, true, false);

    /** How far a run with {@link ReduceOp#SUM} may be from {@link #sequential}, relative to max(1, |w|); see the class documentation. */
    public static final double RELATIVE_TOLERANCE = 1e-9;

    private final int dims;
    private final int batch;
    private final double learningRate;
    private final ReduceOp sum;

    /**
     * @param dims         features, at least 1
     * @param batch        examples per worker per step, at least 1
     * @param learningRate step size
     * @param sum          {@link ReduceOp#SUM} or {@link #RANK_ORDER_SUM}
     */
    public LogisticSgd(int dims, int batch, double learningRate, ReduceOp sum) {
        if (dims < 1 || batch < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("dims: " + dims + ", batch: " + batch + ", learningRate: " + learningRate
                    + " (expected: dims >= 1, batch >= 1, learningRate > 0)");
        }
        this.dims = dims;
        this.batch = batch;
        this.learningRate = learningRate;
        this.sum = sum;
    }

    /** The weights after the last step, and the time of each phase of each step. */
    public static final class Result {
        /** Final weights; the same on every worker. */
        public final double[] weights;
        /** Per step: gradient, reduce_scatter, update, allgatherv. */
        public final Phases phases;
        /** The channel of the reduce-scatter, or {@code "storage"}. */
        public final String channel;

        Result(double[] weights, Phases phases, String channel) {
            this.weights = weights;
            this.phases = phases;
            this.channel = channel;
        }
    }

    /** Bytes of the gradient each worker contributes to a step's reduce-scatter. */
    public long gradientBytes() {
        return 8L * dims;
    }

    /** Runs {@code steps} steps from zero weights on this worker's {@code data}. */
    public Result run(Communicator comm, SgdData.Examples data, int steps) {
        int n = comm.size();
        int r = comm.rank();
        int[] counts = blocks(dims, n);
        int from = start(counts, r);
        double[] w = new double[dims];
        double[] g = new double[dims];
        double[] block = new double[counts[r]];
        double[] shard = new double[counts[r]];
        double scale = scale(n);
        Phases phases = new Phases();
        for (int s = 0; s < steps; s++) {
            gradient(data, w, s, g);
            phases.lap("gradient");
            comm.reduceScatter(g, block, counts, sum);
            phases.lap("reduce_scatter");
            update(w, from, block, scale, shard);
            phases.lap("update");
            comm.allgatherv(shard, w, counts);
            phases.lap("allgatherv");
        }
        return new Result(w, phases, comm.channelFor(Operation.REDUCE_SCATTER, gradientBytes()));
    }

    /** The same run in one process: the workers' gradients (one partition each) summed left to right in rank order. */
    public double[] sequential(List<SgdData.Examples> partitions, int steps) {
        double[] w = new double[dims];
        double[] total = new double[dims];
        double[] g = new double[dims];
        double[] next = new double[dims];
        double scale = scale(partitions.size());
        for (int s = 0; s < steps; s++) {
            for (int p = 0; p < partitions.size(); p++) {
                gradient(partitions.get(p), w, s, p == 0 ? total : g);
                if (p > 0) {
                    for (int j = 0; j < dims; j++) {
                        total[j] = total[j] + g[j];
                    }
                }
            }
            update(w, 0, total, scale, next);
            System.arraycopy(next, 0, w, 0, dims);
        }
        return w;
    }

    /** The learning rate over the examples of one step: the update is {@code w - scale * sum of gradients}. */
    double scale(int workers) {
        return learningRate / ((double) workers * batch);
    }

    /** {@code out[j] = w[from + j] - scale * g[j]}: one worker's block of the new weights. */
    static void update(double[] w, int from, double[] g, double scale, double[] out) {
        for (int j = 0; j < out.length; j++) {
            out[j] = w[from + j] - scale * g[j];
        }
    }

    /**
     * Overwrites {@code g} with the sum of the log-loss gradients of the batch of step
     * {@code step}: examples {@code step * batch ...} of {@code data}, wrapping around.
     */
    void gradient(SgdData.Examples data, double[] w, int step, double[] g) {
        Arrays.fill(g, 0);
        long first = (long) step * batch;
        for (int b = 0; b < batch; b++) {
            int i = (int) ((first + b) % data.points);
            int base = i * data.nnz;
            double z = 0;
            for (int k = base; k < base + data.nnz; k++) {
                z += w[data.index[k]] * data.value[k];
            }
            double err = sigmoid(z) - data.label[i];
            for (int k = base; k < base + data.nnz; k++) {
                g[data.index[k]] += err * data.value[k];
            }
        }
    }

    /**
     * The summed log-loss and the number of correctly classified examples of {@code data} under
     * {@code w}, and the number of examples: {@code {loss, correct, examples}}, to be summed over
     * workers.
     */
    public static double[] evaluate(SgdData.Examples data, double[] w) {
        double loss = 0;
        double correct = 0;
        for (int i = 0; i < data.points; i++) {
            double z = 0;
            for (int k = i * data.nnz; k < (i + 1) * data.nnz; k++) {
                z += w[data.index[k]] * data.value[k];
            }
            // log(1 + e^-z) for label 1, log(1 + e^z) for label 0, without overflow
            double m = data.label[i] == 1 ? -z : z;
            loss += Math.max(m, 0) + StrictMath.log1p(StrictMath.exp(-Math.abs(m)));
            correct += (z > 0) == (data.label[i] == 1) ? 1 : 0;
        }
        return new double[] {loss, correct, data.points};
    }

    /** StrictMath, so that every JVM and every compiler tier computes the same bits. */
    static double sigmoid(double z) {
        return 1 / (1 + StrictMath.exp(-z));
    }

    /** A hash of the bits of {@code w}, to compare the weights of workers without shipping them. */
    public static long hash(double[] w) {
        long h = 1;
        for (double v : w) {
            h = 31 * h + Double.doubleToLongBits(v);
        }
        return h;
    }

    /** Block sizes of {@code dims} elements over {@code n} workers: the first {@code dims % n} one longer. */
    public static int[] blocks(int dims, int n) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = dims / n + (i < dims % n ? 1 : 0);
        }
        return c;
    }

    static int start(int[] counts, int block) {
        int s = 0;
        for (int i = 0; i < block; i++) {
            s += counts[i];
        }
        return s;
    }
}
