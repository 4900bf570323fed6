package io.fmi.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.channel.ChannelProvider;
import io.fmi.channel.ChannelProviders;
import io.fmi.model.ChannelSelector;
import io.fmi.model.Estimate;
import io.fmi.model.SelectionPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The selector over the channels that ship with FMI, with the models their providers supply. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BuiltInSelectionTest {
    private static final List<String> ALL = List.of("S3", "DynamoDB", "Redis", "Direct");
    private static final List<String> STORES = List.of("S3", "DynamoDB", "Redis");

    /** Default models (the C++ FMI's, converted; DynamoDB's from AWS), 1 GiB functions. */
    @ParameterizedTest(name = "{0} {1} {2} B among {3} over all four -> {4}")
    @CsvSource({
            // Direct has the lowest overhead: always fastest.
            "FAST,  SEND,      8,         2,  Direct",
            "FAST,  ALLREDUCE, 672,       64, Direct",
            "FAST,  BCAST,     100000000, 64, Direct",
            "FAST,  BARRIER,   0,         256, Direct",
            // The rendezvous VM is priced by the time it is held (0.34 ms of USD 0.0134/h: 1.3 nUSD),
            // so the functions' waiting decides, and the fastest channel is also the cheapest:
            // two DynamoDB request units alone (0.75 µUSD) cost 60 times a Direct send.
            "CHEAP, SEND,      672,       2,  Direct",
            "CHEAP, ALLREDUCE, 8,         2,  Direct",
            "CHEAP, SEND,      1048576,   2,  Direct",
            "CHEAP, ALLREDUCE, 672,       64, Direct",
            "CHEAP, BCAST,     100000000, 64, Direct",
    })
    void shouldPickTheTabulatedChannelAmongAllFour(Hint hint, Operation op, long bytes, int size, String expected) {
        assertEquals(expected, BuiltIn.pick(ALL, hint, op, bytes, size));
    }

    @ParameterizedTest(name = "{0} {1} {2} B among {3} over the stores -> {4}")
    @CsvSource({
            "FAST,  ALLREDUCE, 672,       64, Redis",
            "FAST,  SEND,      100000000, 2,  Redis",
            // 63 readers of 100 MB: one Redis node (400 MB/s) against S3 scaling out at 50 MB/s per reader.
            "FAST,  BCAST,     100000000, 64, S3",
            "CHEAP, BCAST,     100000000, 64, S3",
            // the node for 10 ms (11 nUSD) and two functions waiting cost less than DynamoDB's units and polls
            "CHEAP, ALLREDUCE, 672,       2,  Redis",
            "CHEAP, ALLREDUCE, 672,       64, Redis",
    })
    void shouldPickTheTabulatedChannelAmongTheStores(Hint hint, Operation op, long bytes, int size, String expected) {
        assertEquals(expected, BuiltIn.pick(STORES, hint, op, bytes, size));
    }

    @Test
    void shouldPreferInMemoryChannelsWheneverTheyAreEnabled() {
        List<String> withLocal = List.of("S3", "Direct", "LocalStore", "Local", "Redis");
        List<String> withLocalStore = List.of("S3", "Direct", "LocalStore", "Redis");
        for (Hint hint : Hint.values()) {
            for (Operation op : Operation.values()) {
                assertEquals("Local", BuiltIn.pick(withLocal, hint, op, 1 << 20, 16), hint + " " + op);
                assertEquals("LocalStore", BuiltIn.pick(withLocalStore, hint, op, 1 << 20, 16), hint + " " + op);
            }
        }
    }

    @Test
    void shouldKeepTheTieBreakOrderOfTheFirstRelease() {
        List<String> order = new ArrayList<>();
        for (ChannelProvider p : ChannelProviders.installed().list()) {
            if (p.tieBreakRank() < ChannelProvider.DEFAULT_TIE_BREAK_RANK) {
                order.add(p.backend());
            }
        }
        assertEquals(List.of("Local", "LocalStore", "Direct", "Redis", "DynamoDB", "S3"), order);
        assertTrue(ChannelProviders.installed().failures().isEmpty(), ChannelProviders.installed().failures().toString());
    }

    @Test
    void shouldMakeTheSameChoiceOnEveryRank() throws Exception {
        // Each "rank" parses the configuration, finds the providers and builds its selectors on its
        // own thread, as peers do, naming its channels in another order.
        String json = FmiConfig.defaults().json().toString();
        int ranks = 8;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                List<String> channels = new ArrayList<>(ALL);
                java.util.Collections.rotate(channels, r);
                results.add(pool.submit(() -> decisions(FmiConfig.fromJson(json), channels)));
            }
            List<String> first = results.get(0).get();
            assertTrue(first.size() > 1000);
            assertTrue(first.stream().distinct().count() > 1, "the choice depends on the operation");
            for (Future<List<String>> f : results) {
                assertEquals(first, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> decisions(FmiConfig config, List<String> channels) {
        List<String> out = new ArrayList<>();
        for (Hint hint : Hint.values()) {
            ChannelSelector s = BuiltIn.selector(config, channels, hint, SelectionPolicy.BY_HINT);
            for (Operation op : Operation.values()) {
                for (long bytes = 0; bytes < 1L << 28; bytes = bytes * 4 + 1) {
                    for (int size : new int[] {1, 2, 3, 7, 8, 64, 100, 256}) {
                        out.add(s.select(op, bytes, size));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void shouldFollowACustomPolicy() {
        SelectionPolicy noServerOfOurOwn = (op, bytes, size, hint, estimates) -> estimates.stream()
                .filter(e -> e.infrastructureUsd() == 0)
                .min(java.util.Comparator.comparingDouble(Estimate::totalUsd))
                .orElseGet(() -> estimates.get(0))
                .channel();
        // Redis is cheapest for two peers; a team that runs no node of its own takes DynamoDB.
        assertEquals("Redis", BuiltIn.pick(STORES, Hint.CHEAP, Operation.ALLREDUCE, 672, 2));
        assertEquals("DynamoDB", BuiltIn.selector(FmiConfig.defaults(), STORES, Hint.CHEAP, noServerOfOurOwn)
                .select(Operation.ALLREDUCE, 672, 2));
    }

    @Test
    void shouldLetAnIdleNodesHoursTipTheChoice() {
        // A Redis node that jobs hold 0.1 % of the time it runs: each job pays a thousand times its
        // hold (11 µUSD for a 10 ms allreduce of two), more than DynamoDB's units and waiting (3.9 µUSD).
        FmiConfig idle = FmiConfig.fromJson("{\"model\": {\"Redis\": {\"infrastructure_utilisation\": 0.001}}}");
        assertEquals("DynamoDB", BuiltIn.selector(idle, STORES, Hint.CHEAP, SelectionPolicy.BY_HINT).select(Operation.ALLREDUCE, 672, 2));
        assertEquals("Redis", BuiltIn.selector(idle, STORES, Hint.FAST, SelectionPolicy.BY_HINT).select(Operation.ALLREDUCE, 672, 2));
    }
}
