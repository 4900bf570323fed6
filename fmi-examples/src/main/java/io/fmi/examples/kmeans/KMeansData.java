package io.fmi.examples.kmeans;

import java.util.SplittableRandom;

/**
 * Generated data of the shape of the FMI paper's K-means case study (after LambdaML): points of
 * {@code dims} dimensions drawn around {@code k} well-separated centres. Each worker generates its
 * own partition from the seed and its rank, so no data is shipped and any run is reproducible.
 */
public final class KMeansData {
    private KMeansData() {
    }

    /** The true centres: centre {@code c} has coordinate {@code 10 * (c + 1) * sin(c + d)} in dimension {@code d}. */
    public static double[] centres(int k, int dims) {
        double[] out = new double[k * dims];
        for (int c = 0; c < k; c++) {
            for (int d = 0; d < dims; d++) {
                out[c * dims + d] = 10.0 * (c + 1) * Math.sin(c + d);
            }
        }
        return out;
    }

    /** Partition {@code part} of {@code parts}: {@code points} points, row-major {@code points × dims}. */
    public static double[] partition(long seed, int part, int points, int k, int dims) {
        double[] centres = centres(k, dims);
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + part);
        double[] x = new double[points * dims];
        for (int p = 0; p < points; p++) {
            int c = rnd.nextInt(k);
            for (int d = 0; d < dims; d++) {
                x[p * dims + d] = centres[c * dims + d] + gaussian(rnd);
            }
        }
        return x;
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller; SplittableRandom has no nextGaussian on JDK 17.
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
