package io.fmi.examples.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.examples.kmeans.KMeans;
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
                fs.add(CompletableFuture.supplyAsync(() -> new FmiHandler().handleRequest(event, new LocalContext("fmi-example", remainingMs, 1024)), pool));
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
        List<Map<String, Object>> results = invoke(4, template, 30_000);
        for (Map<String, Object> r : results) {
            assertEquals(true, r.get("ok"), () -> "function failed: " + r);
            assertEquals("local", r.get("channel"));
            assertEquals(5, r.get("epochs"));
        }
        Object[] c0 = (Object[]) results.get(0).get("centroids");
        assertEquals(3 * 28, c0.length);
        for (Map<String, Object> r : results) {
            assertEquals(List.of(c0), List.of((Object[]) r.get("centroids")), "every function holds the same centroids");
        }
        assertTrue(new KMeans(3, 28).exchangeBytes() > 0);
    }

    @Test
    void shouldReportAClearErrorInsteadOfOverrunningTheFunction() {
        // Rank 1 of 2 never starts: rank 0 must give up before its (fake) function runs out of time.
        Map<String, Object> event = Map.of("rank", 0, "size", 2, "run_id", "t2", "name", "handler-alone", "job", "allreduce",
                "safety_margin_ms", 500, "config", Map.of("backends", Map.of("Local", Map.of("enabled", true))));
        long t0 = System.nanoTime();
        Map<String, Object> r = new FmiHandler().handleRequest(event, new LocalContext("fmi-example", 1_500, 512));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(false, r.get("ok"));
        assertTrue(String.valueOf(r.get("error")).contains("FmiTimeoutException"), String.valueOf(r.get("error")));
        assertTrue(ms < 1_500, "the handler returned after " + ms + " ms, past the function's 1500 ms");
    }

    @Test
    void shouldRejectABadEventWithTheFieldName() {
        Map<String, Object> r = new FmiHandler().handleRequest(Map.of("size", 2), new LocalContext("fmi-example", 10_000, 512));
        assertEquals(false, r.get("ok"));
        assertTrue(String.valueOf(r.get("error")).contains("event.rank"), String.valueOf(r.get("error")));
        r = new FmiHandler().handleRequest(Map.of("rank", 0, "size", 1, "job", "sort"), new LocalContext("fmi-example", 10_000, 512));
        assertTrue(String.valueOf(r.get("error")).contains("event.job"), String.valueOf(r.get("error")));
        r = new FmiHandler().handleRequest(Map.of("rank", 0, "size", 2, "job", "allreduce"), new LocalContext("fmi-example", 10_000, 512));
        assertTrue(String.valueOf(r.get("error")).contains("event.run_id: missing"), String.valueOf(r.get("error")));
    }
}
