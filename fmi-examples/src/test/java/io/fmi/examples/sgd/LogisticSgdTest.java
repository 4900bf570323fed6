package io.fmi.examples.sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.ReduceOp;
import io.fmi.channels.testing.RedisServer;
import io.fmi.examples.DirectLoopback;
import io.fmi.examples.storage.InMemoryObjectStore;
import io.fmi.examples.storage.RedisObjectStore;
import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Data-parallel SGD, small, on several peer counts over the in-memory channels, Direct and a real Redis, checked against one process. */
@Timeout(60)
class LogisticSgdTest {
    static final long SEED = 7;
    static final int POINTS = 400;
    static final int NNZ = 8;
    static final int BATCH = 50;
    static final int STEPS = 6;
    static final double RATE = 20;

    static List<SgdData.Examples> partitions(int n, int dims) {
        List<SgdData.Examples> parts = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            parts.add(SgdData.partition(SEED, r, POINTS, dims, NNZ));
        }
        return parts;
    }

    /** Runs the job on {@code n} workers and checks every worker against {@link LogisticSgd#sequential}: bit for bit in rank order, within the tolerance by SUM. */
    static void trainAndCheck(FmiConfig config, int n, int dims, ReduceOp sum, String what) {
        LogisticSgd sgd = new LogisticSgd(dims, BATCH, RATE, sum);
        double[] expected = sgd.sequential(partitions(n, dims), STEPS);
        List<double[]> got = LocalCluster.run(config, n, comm -> {
            LogisticSgd.Result r = sgd.run(comm, SgdData.partition(SEED, comm.rank(), POINTS, dims, NNZ), STEPS);
            assertEquals(STEPS, r.phases.runs("reduce_scatter"));
            assertEquals(STEPS, r.phases.runs("allgatherv"));
            return r.weights;
        });
        for (int r = 0; r < n; r++) {
            assertEquals(LogisticSgd.hash(got.get(0)), LogisticSgd.hash(got.get(r)), what + ": rank " + r + " holds rank 0's weights bit for bit");
            if (sum == LogisticSgd.RANK_ORDER_SUM) {
                assertBitIdentical(expected, got.get(r), what);
            } else {
                assertClose(expected, got.get(r), what);
            }
        }
    }

    static void assertBitIdentical(double[] expected, double[] actual, String what) {
        for (int j = 0; j < expected.length; j++) {
            assertEquals(Double.doubleToLongBits(expected[j]), Double.doubleToLongBits(actual[j]), what + ": weight " + j);
        }
    }

    static void assertClose(double[] expected, double[] actual, String what) {
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], actual[j], LogisticSgd.RELATIVE_TOLERANCE * Math.max(1, Math.abs(expected[j])), what + ": weight " + j);
        }
    }

    // 100 weights: reduce-scatter by recursive halving; 10,000 (80 KB): by the ring
    @ParameterizedTest(name = "{0} peers")
    @ValueSource(ints = {1, 2, 3, 4, 5, 8})
    void shouldMatchOneProcessOverTheInMemoryChannels(int n) {
        for (String channel : new String[] {"Local", "LocalStore"}) {
            for (int dims : new int[] {100, 10_000}) {
                FmiConfig config = FmiConfig.defaults().withOnly(channel);
                trainAndCheck(config, n, dims, ReduceOp.SUM, channel + ", " + n + " peers, " + dims + " weights, SUM");
                trainAndCheck(config, n, dims, LogisticSgd.RANK_ORDER_SUM, channel + ", " + n + " peers, " + dims + " weights, in rank order");
            }
        }
    }

    @ParameterizedTest(name = "{0} peers")
    @ValueSource(ints = {2, 3, 4})
    void shouldMatchOneProcessOverDirectOnLoopback(int n) throws Exception {
        try (DirectLoopback direct = new DirectLoopback()) {
            trainAndCheck(direct.config(), n, 10_000, ReduceOp.SUM, "direct, " + n + " peers, SUM");
            trainAndCheck(direct.config(), n, 3, LogisticSgd.RANK_ORDER_SUM, "direct, " + n + " peers, fewer weights than peers, in rank order");
        }
    }

    @Test
    void shouldMatchOneProcessOverARealRedis() {
        FmiConfig redis = FmiConfig.defaults().withOnly("Redis").withBackend("Redis", RedisServer.shared().backend());
        trainAndCheck(redis, 3, 10_000, ReduceOp.SUM, "redis, 3 peers, SUM");
        trainAndCheck(redis, 3, 100, LogisticSgd.RANK_ORDER_SUM, "redis, 3 peers, in rank order");
    }

    @Test
    void shouldGiveTheSequentialWeightsBitForBitOverAStorageExchange() {
        int n = 3;
        int dims = 1000;
        InMemoryObjectStore store = new InMemoryObjectStore(Duration.ofSeconds(30));
        List<double[]> got = LocalCluster.run(n, comm -> new StorageSgd(dims, BATCH, RATE)
                .run(store, "job", comm.rank(), n, SgdData.partition(SEED, comm.rank(), POINTS, dims, NNZ), STEPS).weights);
        double[] expected = new LogisticSgd(dims, BATCH, RATE, ReduceOp.SUM).sequential(partitions(n, dims), STEPS);
        got.forEach(w -> assertBitIdentical(expected, w, "storage"));
        // per step, every worker writes one gradient block per worker and one block of weights, and reads n of each
        assertEquals((long) STEPS * (n * n + n), store.puts());
        assertEquals((long) STEPS * 2 * n * n, store.reads());
    }

    @Test
    void shouldGiveTheSequentialWeightsBitForBitThroughARealRedisWithoutFmi() {
        int n = 3;
        int dims = 1000;
        String job = "sgd-twin-" + java.util.UUID.randomUUID();
        try (RedisObjectStore store = new RedisObjectStore(RedisServer.shared().uri(), Duration.ofSeconds(30))) {
            List<double[]> got = LocalCluster.run(n, comm -> new StorageSgd(dims, BATCH, RATE)
                    .run(store, job, comm.rank(), n, SgdData.partition(SEED, comm.rank(), POINTS, dims, NNZ), STEPS).weights);
            double[] expected = new LogisticSgd(dims, BATCH, RATE, ReduceOp.SUM).sequential(partitions(n, dims), STEPS);
            got.forEach(w -> assertBitIdentical(expected, w, "storage on Redis"));
        }
    }

    @Test
    void shouldComputeTheGradientOfTheLogLoss() {
        // central differences of the summed log-loss of one batch against the analytic gradient
        int dims = 20;
        SgdData.Examples data = SgdData.partition(SEED, 0, BATCH, dims, NNZ);
        LogisticSgd sgd = new LogisticSgd(dims, BATCH, RATE, ReduceOp.SUM);
        double[] w = new double[dims];
        for (int j = 0; j < dims; j++) {
            w[j] = Math.sin(j) / 2;
        }
        double[] g = new double[dims];
        sgd.gradient(data, w, 0, g);
        double h = 1e-6;
        for (int j = 0; j < dims; j++) {
            double[] up = w.clone();
            double[] down = w.clone();
            up[j] += h;
            down[j] -= h;
            double numeric = (LogisticSgd.evaluate(data, up)[0] - LogisticSgd.evaluate(data, down)[0]) / (2 * h);
            assertEquals(numeric, g[j], 1e-5 * Math.max(1, Math.abs(numeric)), "d loss / d w" + j);
        }
    }

    @Test
    void shouldLearnTheGeneratingModel() {
        int dims = 200;
        List<SgdData.Examples> parts = partitions(4, dims);
        double[] w = new LogisticSgd(dims, BATCH, RATE, ReduceOp.SUM).sequential(parts, 60);
        double[] before = LogisticSgd.evaluate(SgdData.partition(SEED, 99, POINTS, dims, NNZ), new double[dims]);
        double[] after = LogisticSgd.evaluate(SgdData.partition(SEED, 99, POINTS, dims, NNZ), w);
        assertEquals(Math.log(2), before[0] / before[2], 1e-12);
        assertTrue(after[0] / after[2] < 0.5, "held-out log-loss " + after[0] / after[2]);
        assertTrue(after[1] / after[2] > 0.8, "held-out accuracy " + after[1] / after[2]);
    }
}
