package io.fmi.examples.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.local.LocalCluster;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class KMeansTest {
    static final long SEED = 42;
    static final int K = 3;
    static final int DIMS = 28;
    static final int POINTS = 2_000;
    static final int EPOCHS = 15;

    /** The same job in one process: all partitions concatenated, no communication. */
    static double[] singleProcess(int workers) {
        KMeans km = new KMeans(K, DIMS);
        double[] centroids = KMeans.initialCentroids(SEED, K, DIMS);
        for (int e = 0; e < EPOCHS; e++) {
            double[] sums = new double[K * (DIMS + 1)];
            for (int w = 0; w < workers; w++) {
                double[] part = km.localSums(KMeansData.partition(SEED, w, POINTS, K, DIMS), centroids);
                for (int i = 0; i < sums.length; i++) {
                    sums[i] += part[i];
                }
            }
            km.update(sums, centroids);
        }
        return centroids;
    }

    @Test
    void shouldReachTheSingleProcessCentroidsOnFourWorkers() {
        double[] expected = singleProcess(4);
        for (String backend : new String[] {"Local", "LocalStore"}) {
            List<double[]> results = LocalCluster.run(FmiConfig.defaults().withOnly(backend), 4, comm -> {
                double[] mine = KMeansData.partition(SEED, comm.rank(), POINTS, K, DIMS);
                KMeans.Result r = new KMeans(K, DIMS).run(comm, mine, KMeans.initialCentroids(SEED, K, DIMS), EPOCHS);
                assertEquals(EPOCHS, r.epochs.size());
                return r.centroids;
            });
            for (double[] c : results) {
                assertClose(expected, c, backend);
            }
            // Every worker holds bit-identical centroids: one allreduce result per epoch.
            for (double[] c : results) {
                assertEquals(java.util.Arrays.toString(results.get(0)), java.util.Arrays.toString(c));
            }
        }
    }

    @Test
    void shouldFindTheGeneratingCentres() {
        double[] found = singleProcess(2);
        double[] truth = KMeansData.centres(K, DIMS);
        for (int c = 0; c < K; c++) {
            double best = Double.MAX_VALUE;
            for (int t = 0; t < K; t++) {
                double d = 0;
                for (int i = 0; i < DIMS; i++) {
                    double diff = found[c * DIMS + i] - truth[t * DIMS + i];
                    d += diff * diff;
                }
                best = Math.min(best, Math.sqrt(d));
            }
            assertTrue(best < 1.0, "centroid " + c + " is " + best + " away from every true centre");
        }
    }

    @Test
    void shouldGiveTheSameCentroidsOverAStorageExchange() {
        Map<String, double[]> store = new ConcurrentHashMap<>();
        StorageKMeans.Store s = new StorageKMeans.Store() {
            @Override
            public void put(String key, double[] value) {
                synchronized (store) {
                    store.put(key, value.clone());
                    store.notifyAll();
                }
            }

            @Override
            public double[] await(String key) {
                synchronized (store) {
                    while (!store.containsKey(key)) {
                        try {
                            store.wait(1000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                    return store.get(key);
                }
            }
        };
        double[] expected = singleProcess(3);
        List<double[]> results = LocalCluster.run(3, (Communicator comm) -> {
            double[] mine = KMeansData.partition(SEED, comm.rank(), POINTS, K, DIMS);
            double[] centroids = KMeans.initialCentroids(SEED, K, DIMS);
            StorageKMeans skm = new StorageKMeans(K, DIMS);
            for (int e = 0; e < EPOCHS; e++) {
                skm.epoch(s, "job", e, comm.rank(), comm.size(), mine, centroids);
            }
            return centroids;
        });
        results.forEach(c -> assertClose(expected, c, "storage"));
    }

    static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-9 * Math.max(1, Math.abs(expected[i])), what + ": coordinate " + i);
        }
    }
}
