package io.fmi.examples.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.examples.kmeans.KMeans;
import io.fmi.examples.sgd.LogisticSgd;
import io.fmi.examples.sgd.SgdData;
import io.fmi.examples.sort.SampleSort;
import io.fmi.examples.sort.SortData;
import io.fmi.lambda.FmiLambda;
import io.fmi.lambda.LocalContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The handler end to end, four functions at once in this JVM over the in-memory channel. */
@Timeout(60)
class FmiHandlerTest {

    private static List<Map<String, Object>> invoke(int size, Map<String, Object> template, long remainingMs) {
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            List<CompletableFuture<Map<String, Object>>> fs = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                Map<String, Object> event = FmiLambda.event(template, r, size, "t1");
                fs.add(CompletableFuture.supplyAsync(() -> new FmiHandler().handle(event, new LocalContext("fmi-example", remainingMs, 1024)), pool));
            }
            List<Map<String, Object>> out = new ArrayList<>();
            fs.forEach(f -> out.add(f.join()));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRunKMeansOnFourFunctionsAndAgree() {
        Map<String, Object> template = Map.of(
                "name", "handler-kmeans", "epochs", 5, "points", 500,
                "config", Map.of("backends", Map.of("Local", Map.of("enabled", true))));
        long before = System.currentTimeMillis();
        List<Map<String, Object>> results = invoke(4, template, 30_000);
        long after = System.currentTimeMillis();
        for (Map<String, Object> r : results) {
            assertEquals(true, r.get("ok"), () -> "function failed: " + r);
            assertEquals("local", r.get("channel"));
            assertEquals(5, r.get("epochs"));
            long firstOpEnd = (Long) r.get("first_op_end_ms");
            assertTrue(firstOpEnd >= before && firstOpEnd <= after, "the first allreduce ended during the call: " + r);
        }
        Object[] c0 = (Object[]) results.get(0).get("centroids");
        assertEquals(3 * 28, c0.length);
        for (Map<String, Object> r : results) {
            assertEquals(List.of(c0), List.of((Object[]) r.get("centroids")), "every function holds the same centroids");
        }
        assertTrue(new KMeans(3, 28).exchangeBytes() > 0);
    }

    @Test
    void shouldSortAndTrainOnFourFunctions() {
        Map<String, Object> local = Map.of("backends", Map.of("Local", Map.of("enabled", true)));
        List<Map<String, Object>> sorted = invoke(4, Map.of("name", "handler-sort", "job", "sort", "longs", 10_001, "config", local), 30_000);
        long count = 0;
        long fingerprint = 0;
        for (Map<String, Object> r : sorted) {
            assertEquals(true, r.get("ok"), () -> "function failed: " + r);
            assertEquals(true, r.get("sorted"));
            assertEquals(count, r.get("offset"));
            assertEquals(List.of("generate", "sample", "partition", "counts", "shuffle", "sort"), List.copyOf(((Map<?, ?>) r.get("phases_ms")).keySet()));
            count += ((Number) r.get("count")).longValue();
            fingerprint += (Long) r.get("fingerprint");
        }
        long[] all = SortData.partition(42, 10_001, 1, 0);
        java.util.Arrays.sort(all);
        assertEquals(10_001, count);
        assertEquals(SampleSort.fingerprint(all, 0), fingerprint);

        Map<String, Object> sgd = new java.util.HashMap<>(Map.of("name", "handler-sgd", "job", "sgd", "steps", 3, "dims", 64, "points", 100,
                "nnz", 8, "batch", 10, "learning_rate", 1, "config", local));
        sgd.putAll(Map.of("exact", true, "report_weights", true));
        List<Map<String, Object>> trained = invoke(4, sgd, 30_000);
        for (Map<String, Object> r : trained) {
            assertEquals(true, r.get("ok"), () -> "function failed: " + r);
            assertEquals(trained.get(0).get("weights_hash"), r.get("weights_hash"));
            assertEquals(r.get("rank").equals(0), r.containsKey("weights"), "only rank 0 returns the weights");
        }
        List<SgdData.Examples> parts = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            parts.add(SgdData.partition(42, p, 100, 64, 8));
        }
        double[] expected = new LogisticSgd(64, 10, 1, LogisticSgd.RANK_ORDER_SUM).sequential(parts, 3);
        assertEquals(LogisticSgd.hash(expected), trained.get(0).get("weights_hash"));
        assertTrue((Double) trained.get(0).get("loss") < Math.log(2), "the loss went down: " + trained.get(0).get("loss"));
    }

    @Test
    void shouldReportAClearErrorInsteadOfOverrunningTheFunction() {
        // Rank 1 of 2 never starts: rank 0 must give up before its (fake) function runs out of time.
        Map<String, Object> event = Map.of("rank", 0, "size", 2, "run_id", "t2", "name", "handler-alone", "job", "allreduce",
                "safety_margin_ms", 500, "config", Map.of("backends", Map.of("Local", Map.of("enabled", true))));
        long t0 = System.nanoTime();
        Map<String, Object> r = new FmiHandler().handle(event, new LocalContext("fmi-example", 1_500, 512));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(false, r.get("ok"));
        assertTrue(String.valueOf(r.get("error")).contains("FmiTimeoutException"), String.valueOf(r.get("error")));
        assertTrue(ms < 1_500, "the handler returned after " + ms + " ms, past the function's 1500 ms");
    }

    @Test
    void shouldRejectABadEventWithTheFieldName() {
        Map<String, Object> r = new FmiHandler().handle(Map.of("size", 2), new LocalContext("fmi-example", 10_000, 512));
        assertEquals(false, r.get("ok"));
        assertTrue(String.valueOf(r.get("error")).contains("event.rank"), String.valueOf(r.get("error")));
        r = new FmiHandler().handle(Map.of("rank", 0, "size", 1, "job", "terasort"), new LocalContext("fmi-example", 10_000, 512));
        assertTrue(String.valueOf(r.get("error")).contains("event.job"), String.valueOf(r.get("error")));
        r = new FmiHandler().handle(Map.of("rank", 0, "size", 1, "job", "sgd", "learning_rate", "fast"), new LocalContext("fmi-example", 10_000, 512));
        assertTrue(String.valueOf(r.get("error")).contains("event.learning_rate: 'fast' (expected: a number)"), String.valueOf(r.get("error")));
        r = new FmiHandler().handle(Map.of("rank", 0, "size", 1, "job", "sort", "longs", -1), new LocalContext("fmi-example", 10_000, 512));
        assertTrue(String.valueOf(r.get("error")).contains("longs -1"), String.valueOf(r.get("error")));
        r = new FmiHandler().handle(Map.of("rank", 0, "size", 1, "exchange", "storage"), new LocalContext("fmi-example", 10_000, 512));
        assertTrue(String.valueOf(r.get("error")).contains("event.exchange: 'storage' for job kmeans"), String.valueOf(r.get("error")));
        r = new FmiHandler().handle(Map.of("rank", 0, "size", 1, "job", "sort", "exchange", "storage"), new LocalContext("fmi-example", 10_000, 512));
        assertTrue(String.valueOf(r.get("error")).contains("event.store: missing"), String.valueOf(r.get("error")));
        r = new FmiHandler().handle(Map.of("rank", 0, "size", 2, "job", "allreduce"), new LocalContext("fmi-example", 10_000, 512));
        assertTrue(String.valueOf(r.get("error")).contains("event.run_id: missing"), String.valueOf(r.get("error")));
    }
}
