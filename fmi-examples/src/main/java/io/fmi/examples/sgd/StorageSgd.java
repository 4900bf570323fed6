package io.fmi.examples.sgd;

import io.fmi.examples.Phases;
import io.fmi.examples.storage.ObjectStore;
import java.util.Arrays;

/**
 * The SGD step of {@link LogisticSgd} as serverless ML wrote it without FMI (LambdaML's
 * ScatterReduce through storage): every worker writes block {@code d} of its gradient as one
 * object for worker {@code d}, reads the {@code n} blocks addressed to it and sums them in rank
 * order, updates its block of the weights, writes it, and reads everyone's. Kept for comparison:
 * the gradient and the update are {@link LogisticSgd}'s; only the exchange differs (see
 * docs/workloads.md). It sums in rank order, so it gives the weights of
 * {@link LogisticSgd#sequential} bit for bit. Every worker makes {@code 2n} writes and {@code 2n}
 * reads per step.
 *
 * <p>Immutable and thread-safe.
 */
public final class StorageSgd {
    private final LogisticSgd sgd;
    private final int dims;

    /** The parameters of {@link LogisticSgd#LogisticSgd}; the sum is always in rank order. */
    public StorageSgd(int dims, int batch, double learningRate) {
        this.sgd = new LogisticSgd(dims, batch, learningRate, LogisticSgd.RANK_ORDER_SUM);
        this.dims = dims;
    }

    /** Worker {@code rank} of {@code size} runs {@code steps} steps of job {@code job} through {@code store}. */
    public LogisticSgd.Result run(ObjectStore store, String job, int rank, int size, SgdData.Examples data, int steps) {
        int[] counts = LogisticSgd.blocks(dims, size);
        int[] starts = new int[size + 1];
        for (int d = 0; d < size; d++) {
            starts[d + 1] = starts[d] + counts[d];
        }
        double[] w = new double[dims];
        double[] g = new double[dims];
        double[] shard = new double[counts[rank]];
        double scale = sgd.scale(size);
        Phases phases = new Phases();
        for (int s = 0; s < steps; s++) {
            sgd.gradient(data, w, s, g);
            phases.lap("gradient");
            for (int d = 0; d < size; d++) {
                store.putDoubles(job + "/" + s + "/gradient/" + rank + "-" + d, Arrays.copyOfRange(g, starts[d], starts[d + 1]));
            }
            double[] block = store.awaitDoubles(job + "/" + s + "/gradient/0-" + rank);
            for (int r = 1; r < size; r++) {
                double[] b = store.awaitDoubles(job + "/" + s + "/gradient/" + r + "-" + rank);
                for (int j = 0; j < block.length; j++) {
                    block[j] = block[j] + b[j];
                }
            }
            phases.lap("reduce_scatter");
            LogisticSgd.update(w, starts[rank], block, scale, shard);
            phases.lap("update");
            store.putDoubles(job + "/" + s + "/weights/" + rank, shard);
            for (int r = 0; r < size; r++) {
                System.arraycopy(store.awaitDoubles(job + "/" + s + "/weights/" + r), 0, w, starts[r], counts[r]);
            }
            phases.lap("allgatherv");
        }
        return new LogisticSgd.Result(w, phases, "storage");
    }
}
