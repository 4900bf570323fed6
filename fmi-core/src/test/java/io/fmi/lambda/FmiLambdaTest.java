package io.fmi.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Communicator;
import io.fmi.FmiConfigException;
import io.fmi.FmiException;
import io.fmi.FmiTimeoutException;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** FmiLambda end to end over the in-memory channels, with contexts that count down as Lambda's do. */
@Timeout(60)
class FmiLambdaTest {
    private static final Map<String, Object> LOCAL = Map.of("backends", Map.of("Local", Map.of("enabled", true)));
    private static final Function<String, String> NO_ENV = k -> null;

    @AfterEach
    void forgetTheContainer() {
        FmiLambda.shutdown();
    }

    private static Map<String, Object> event(int rank, int size, Object... more) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("rank", rank);
        e.put("size", size);
        e.put("run_id", "r-" + UUID.randomUUID());
        for (int i = 0; i < more.length; i += 2) {
            e.put((String) more[i], more[i + 1]);
        }
        return e;
    }

    /** Runs one function per event at once, each in its own thread, and returns their results in rank order. */
    private static <R> List<R> invokeAll(List<Map<String, Object>> events, Function<Communicator, R> body) {
        ExecutorService pool = Executors.newFixedThreadPool(events.size());
        try {
            List<CompletableFuture<R>> fs = new ArrayList<>();
            for (Map<String, Object> e : events) {
                fs.add(CompletableFuture.supplyAsync(() -> {
                    try (Communicator comm = FmiLambda.builder(e, new LocalContext("fmi-test-fn", 30_000, 1024), NO_ENV).build()) {
                        return body.apply(comm);
                    }
                }, pool));
            }
            List<R> out = new ArrayList<>();
            fs.forEach(f -> out.add(f.join()));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Map<String, Object>> job(int size, Object... keys) {
        Map<String, Object> first = event(0, size, keys);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            events.add(FmiLambda.event(first, r, size, (String) first.get("run_id")));
        }
        return events;
    }

    @Test
    void shouldFormTheCommunicatorOfEachFunctionFromItsEvent() {
        List<long[]> sums = invokeAll(job(4, "config", LOCAL, "hint", "cheap", "timeout_ms", "20000"), comm -> {
            long[] sum = new long[1];
            comm.allreduce(new long[] {comm.rank() + 1}, sum, ReduceOp.SUM);
            return new long[] {comm.rank(), comm.size(), sum[0]};
        });
        for (int r = 0; r < 4; r++) {
            assertEquals(r, sums.get(r)[0]);
            assertEquals(4, sums.get(r)[1]);
            assertEquals(10, sums.get(r)[2]);
        }
    }

    @Test
    void shouldAcceptTheConfigurationAsJsonTextAndNumbersAsStrings() {
        Map<String, Object> first = event(0, 2, "config", "{\"backends\": {\"Local\": {\"enabled\": true}}}", "name", "text-config");
        List<Map<String, Object>> events = List.of(first, new HashMap<>(first));
        events.get(0).put("rank", "0");
        events.get(1).put("rank", 1.0);
        events.get(1).put("size", "2");
        List<Integer> ranks = invokeAll(events, comm -> {
            comm.barrier();
            return comm.rank();
        });
        assertEquals(List.of(0, 1), ranks);
    }

    @Test
    void shouldNameTheMissingOrBadKey() {
        Map<String, Object> ok = event(0, 2, "config", LOCAL);
        assertKey(without(ok, "run_id"), "event.run_id: missing", "UUID");
        assertKey(with(ok, "run_id", "a/b"), "event.run_id: 'a/b'");
        assertKey(without(ok, "rank"), "event.rank: missing");
        assertKey(without(ok, "size"), "event.size: missing");
        assertKey(with(ok, "size", 0), "event.size: 0", ">= 1");
        assertKey(with(ok, "rank", 2), "event.rank: 2", "rank < size = 2");
        assertKey(with(ok, "rank", -1), "event.rank: -1");
        assertKey(with(ok, "rank", 0.5), "event.rank: 0.5", "an integer");
        assertKey(with(ok, "rank", "first"), "event.rank: 'first'", "an integer");
        assertKey(with(ok, "name", "two words"), "event.name: 'two words'");
        assertKey(with(ok, "hint", "SLOW"), "event.hint: 'SLOW'", "FAST or CHEAP");
        assertKey(with(ok, "timeout_ms", 0), "event.timeout_ms: 0", "> 0");
        assertKey(with(ok, "safety_margin_ms", -5), "event.safety_margin_ms: -5");
        assertKey(with(ok, "config", 42), "event.config: Integer", "object or as JSON text");
        assertKey(with(ok, "config", "{not json"), "event.config: invalid JSON");
        assertKey(with(ok, "config", Map.of("backends", 3)), "event.config: backends");
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> FmiLambda.builder(null, context(10_000), NO_ENV));
        assertTrue(e.getMessage().contains("event: null"), e.getMessage());
        // The launcher's check is the same as the function's, before anything is invoked.
        e = assertThrows(FmiConfigException.class, () -> FmiLambda.event(Map.of("config", "{"), 0, 2, "r1"));
        assertTrue(e.getMessage().startsWith("event.config: invalid JSON"), e.getMessage());
        e = assertThrows(FmiConfigException.class, () -> FmiLambda.event(Map.of(), 0, 2, null));
        assertTrue(e.getMessage().startsWith("event.run_id: missing"), e.getMessage());
    }

    @Test
    void shouldNameTheFunctionWhenTheEventHasNoName() {
        Map<String, Object> e = event(0, 1, "config", LOCAL);
        try (Communicator comm = FmiLambda.builder(e, context(10_000), NO_ENV).build()) {
            assertEquals("local", comm.channelFor(Operation.BARRIER, 0));
        }
        FmiConfigException ex = assertThrows(FmiConfigException.class,
                () -> FmiLambda.builder(e, new LocalContext(null, 10_000, 512), NO_ENV));
        assertTrue(ex.getMessage().startsWith("event.name: missing"), ex.getMessage());
        ex = assertThrows(FmiConfigException.class, () -> FmiLambda.builder(e, new LocalContext("f", 10_000, 0), NO_ENV));
        assertTrue(ex.getMessage().startsWith("context.getMemoryLimitInMB(): 0"), ex.getMessage());
    }

    @Test
    void shouldReadTheConfigurationFromTheEventThenTheEnvironment(@TempDir Path dir) throws Exception {
        Map<String, Object> e = event(0, 1);
        FmiConfigException ex = assertThrows(FmiConfigException.class, () -> FmiLambda.builder(e, context(10_000), NO_ENV));
        assertTrue(ex.getMessage().contains("FMI_CONFIG_JSON") && ex.getMessage().contains("FMI_CONFIG ("), ex.getMessage());

        String store = "{\"backends\": {\"LocalStore\": {\"enabled\": true}}}";
        assertEquals("local-store", channel(e, Map.of("FMI_CONFIG_JSON", store)));
        ex = assertThrows(FmiConfigException.class, () -> FmiLambda.builder(e, context(10_000), Map.of("FMI_CONFIG_JSON", "[1]")::get));
        assertTrue(ex.getMessage().startsWith("FMI_CONFIG_JSON: FMI config: ARRAY"), ex.getMessage());

        Path file = dir.resolve("fmi.json");
        Files.writeString(file, "{\"backends\": {\"Local\": {\"enabled\": true}}}");
        Map<String, String> env = Map.of("FMI_CONFIG", file.toString());
        assertEquals("local", channel(e, env));
        // Parsed once per container: a warm invocation does not read the file again.
        Files.delete(file);
        assertEquals("local", channel(e, env));
        ex = assertThrows(FmiConfigException.class, () -> FmiLambda.builder(e, context(10_000), Map.of("FMI_CONFIG", dir.resolve("none.json").toString())::get));
        assertTrue(ex.getMessage().startsWith("FMI_CONFIG: cannot read FMI config"), ex.getMessage());

        // The event's configuration comes first.
        assertEquals("local", channel(with(e, "config", LOCAL), Map.of("FMI_CONFIG_JSON", store)));
    }

    private static String channel(Map<String, Object> e, Map<String, String> env) {
        try (Communicator comm = FmiLambda.builder(e, context(10_000), env::get).build()) {
            return comm.channelFor(Operation.BARRIER, 0);
        }
    }

    @Test
    void shouldEndEveryOperationBeforeTheFunctionRunsOutOfTime() {
        // Rank 1 of 2 never starts: rank 0 must give up before its function's 1.5 s are over.
        Map<String, Object> e = event(0, 2, "config", LOCAL, "safety_margin_ms", 500);
        // Class loading on first use must not eat into the short function time measured below.
        assertEquals("local", channel(event(0, 1, "config", LOCAL), Map.of()));
        LocalContext ctx = context(1_500);
        long t0 = System.nanoTime();
        long ms;
        try (Communicator comm = FmiLambda.builder(e, ctx, NO_ENV).build()) {
            assertThrows(FmiTimeoutException.class, () -> comm.allreduce(new long[1], new long[1], ReduceOp.SUM));
            ms = (System.nanoTime() - t0) / 1_000_000;
        }
        assertTrue(ms >= 900 && ms < 1_400, "gave up after " + ms + " ms (expected: about 1000, the remaining time less the margin)");
        assertTrue(ctx.getRemainingTimeInMillis() > 0, "the function was out of time");
        // Rank 1 starts late: rank 0 is gone, so its operation fails at once. Its close also lets the
        // JVM-wide in-memory fabric release the group (it keeps a mailbox per rank until all left).
        try (Communicator late = FmiLambda.builder(with(e, "rank", 1), context(10_000), NO_ENV).build()) {
            assertThrows(FmiException.class, () -> late.allreduce(new long[1], new long[1], ReduceOp.SUM));
        }

        FmiConfigException ex = assertThrows(FmiConfigException.class,
                () -> FmiLambda.builder(with(e, "safety_margin_ms", 5_000), context(3_000), NO_ENV));
        assertTrue(ex.getMessage().startsWith("event.safety_margin_ms: 5000 ms, but the function has only"), ex.getMessage());
    }

    @Test
    void shouldKeepWarmProvidersForTheContainerAndPassThemOnlyWhereEnabled() {
        FmiLambda.shutdown();
        int instances = CountingWarmProvider.INSTANCES.get();
        int created = CountingWarmProvider.CREATED.get();
        int closed = CountingWarmProvider.CLOSED.get();
        Map<String, Object> store = Map.of("backends", Map.of("LocalStore", Map.of("enabled", true)));
        for (int invocation = 0; invocation < 3; invocation++) {
            List<String> channels = invokeAll(job(2, "config", store), comm -> {
                comm.barrier();
                return comm.channelFor(Operation.BARRIER, 0);
            });
            assertEquals(List.of("local-store", "local-store"), channels);
        }
        assertEquals(instances + 1, CountingWarmProvider.INSTANCES.get(), "one warm provider per container");
        assertEquals(created + 6, CountingWarmProvider.CREATED.get(), "every communicator's channel came from it");
        invokeAll(job(2, "config", LOCAL), comm -> {
            comm.barrier();
            return null;
        });
        assertEquals(created + 6, CountingWarmProvider.CREATED.get(), "not used where its backend is disabled");
        FmiLambda.shutdown();
        assertEquals(closed + 1, CountingWarmProvider.CLOSED.get());
    }

    private static LocalContext context(long remainingMs) {
        return new LocalContext("fmi-test-fn", remainingMs, 1024);
    }

    private static void assertKey(Map<String, Object> event, String... parts) {
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> FmiLambda.builder(event, context(10_000), NO_ENV));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + e.getMessage() + "' should contain '" + p + "'");
        }
        assertTrue(e.getMessage().startsWith(parts[0]), e.getMessage());
    }

    private static Map<String, Object> with(Map<String, Object> e, String key, Object value) {
        Map<String, Object> out = new LinkedHashMap<>(e);
        out.put(key, value);
        return out;
    }

    private static Map<String, Object> without(Map<String, Object> e, String key) {
        Map<String, Object> out = new LinkedHashMap<>(e);
        out.remove(key);
        return out;
    }
}
