package io.fmi.examples.sgd;

import java.util.SplittableRandom;

/**
 * Generated data for logistic regression, shaped like the sparse text and click data of
 * serverless ML studies (RCV1, Criteo in LambdaML): every example has {@code nnz} features out of
 * {@code dims}, with normal values, and a 0/1 label drawn with probability
 * {@code sigmoid(w* . x)} for hidden true weights {@code w*}. Each worker generates its own
 * partition from the seed and its rank, so no data is shipped and any run is reproducible.
 * Stateless and thread-safe.
 */
public final class SgdData {
    private SgdData() {
    }

    /** One worker's examples, row-major: example {@code i} has features {@code index[i*nnz + k]} with values {@code value[i*nnz + k]}. Not to be modified. */
    public static final class Examples {
        public final int points;
        public final int nnz;
        public final int[] index;
        public final double[] value;
        /** 0 or 1 per example. */
        public final double[] label;

        Examples(int points, int nnz, int[] index, double[] value, double[] label) {
            this.points = points;
            this.nnz = nnz;
            this.index = index;
            this.value = value;
            this.label = label;
        }
    }

    /** The hidden true weights: one standard normal value per feature. */
    public static double[] truth(long seed, int dims) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] w = new double[dims];
        for (int j = 0; j < dims; j++) {
            w[j] = gaussian(rnd);
        }
        return w;
    }

    /** Partition {@code part}: {@code points} examples of {@code nnz} features out of {@code dims}. */
    public static Examples partition(long seed, int part, int points, int dims, int nnz) {
        if (points < 1 || dims < 1 || nnz < 1) {
            throw new IllegalArgumentException("points: " + points + ", dims: " + dims + ", nnz: " + nnz + " (expected: >= 1)");
        }
        double[] truth = truth(seed, dims);
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + part + 1);
        int[] index = new int[points * nnz];
        double[] value = new double[points * nnz];
        double[] label = new double[points];
        for (int i = 0; i < points; i++) {
            double z = 0;
            for (int k = i * nnz; k < (i + 1) * nnz; k++) {
                index[k] = rnd.nextInt(dims);
                value[k] = gaussian(rnd);
                z += truth[index[k]] * value[k];
            }
            label[i] = rnd.nextDouble() < 1 / (1 + StrictMath.exp(-z)) ? 1 : 0;
        }
        return new Examples(points, nnz, index, value, label);
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller; SplittableRandom has no nextGaussian on JDK 17.
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u)) * StrictMath.cos(2 * Math.PI * v);
    }
}
