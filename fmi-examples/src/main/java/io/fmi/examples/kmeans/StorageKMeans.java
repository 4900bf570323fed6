package io.fmi.examples.kmeans;

/**
 * The K-means epoch as serverless ML systems wrote it before FMI (LambdaML-style): every worker
 * writes its partial sums to a shared store, polls until all partials are there, and sums them
 * itself. Kept for comparison with {@link KMeans#epoch}: the exchange is the only part that
 * changes (see docs/kmeans.md for the diff).
 */
public final class StorageKMeans {
    /** The storage the workers share: put a value, wait for a key. */
    public interface Store {
        void put(String key, double[] value);

        double[] await(String key);
    }

    private final KMeans kmeans;

    public StorageKMeans(int k, int dims) {
        this.kmeans = new KMeans(k, dims);
    }

    /** One epoch of worker {@code rank} of {@code size}, exchanging through {@code store}. */
    public void epoch(Store store, String job, int epoch, int rank, int size, double[] points, double[] centroids) {
        double[] local = kmeans.localSums(points, centroids);
        store.put(job + "/" + epoch + "/" + rank, local);
        double[] global = new double[local.length];
        for (int r = 0; r < size; r++) {
            double[] part = store.await(job + "/" + epoch + "/" + r);
            for (int i = 0; i < global.length; i++) {
                global[i] += part[i];
            }
        }
        kmeans.update(global, centroids);
    }
}
