package io.fmi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.local.LocalCluster;
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

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelSelectorTest {
    private static final List<String> ALL = List.of("S3", "DynamoDB", "Redis", "Direct");
    private static final List<String> STORES = List.of("S3", "DynamoDB", "Redis");

    private static String pick(List<String> channels, Hint hint, Operation op, long bytes, int size) {
        return ChannelSelector.forConfig(FmiConfig.defaults(), channels, hint, 1024, SelectionPolicy.BY_HINT).select(op, bytes, size);
    }

    /** Default models (the C++ FMI's, converted; DynamoDB's from AWS), 1 GiB functions. */
    @ParameterizedTest(name = "{0} {1} {2} B among {3} over all four -> {4}")
    @CsvSource({
            // Direct has the lowest overhead: always fastest.
            "FAST,  SEND,      8,         2,  Direct",
            "FAST,  ALLREDUCE, 672,       64, Direct",
            "FAST,  BCAST,     100000000, 64, Direct",
            "FAST,  BARRIER,   0,         256, Direct",
            // Two functions exchanging a few bytes: the rendezvous VM's share (13 µUSD) costs more
            // than two DynamoDB request units.
            "CHEAP, SEND,      672,       2,  DynamoDB",
            "CHEAP, ALLREDUCE, 8,         2,  DynamoDB",
            // 1 MiB between two: Redis' node share is cheaper than the VM's and than DynamoDB's 256 write units.
            "CHEAP, SEND,      1048576,   2,  Redis",
            // 64 functions waiting: the FaaS time dominates, the fastest channel is also the cheapest.
            "CHEAP, ALLREDUCE, 672,       64, Direct",
            "CHEAP, BCAST,     100000000, 64, Direct",
    })
    void shouldPickTheTabulatedChannelAmongAllFour(Hint hint, Operation op, long bytes, int size, String expected) {
        assertEquals(expected, pick(ALL, hint, op, bytes, size));
    }

    @ParameterizedTest(name = "{0} {1} {2} B among {3} over the stores -> {4}")
    @CsvSource({
            "FAST,  ALLREDUCE, 672,       64, Redis",
            "FAST,  SEND,      100000000, 2,  Redis",
            // 63 readers of 100 MB: one Redis node (400 MB/s) against S3 scaling out at 50 MB/s per reader.
            "FAST,  BCAST,     100000000, 64, S3",
            "CHEAP, BCAST,     100000000, 64, S3",
            "CHEAP, ALLREDUCE, 672,       2,  DynamoDB",
            "CHEAP, ALLREDUCE, 672,       64, Redis",
    })
    void shouldPickTheTabulatedChannelAmongTheStores(Hint hint, Operation op, long bytes, int size, String expected) {
        assertEquals(expected, pick(STORES, hint, op, bytes, size));
    }

    @Test
    void shouldPreferInMemoryChannelsWheneverTheyAreEnabled() {
        List<String> withLocal = List.of("S3", "Direct", "LocalStore", "Local", "Redis");
        List<String> withLocalStore = List.of("S3", "Direct", "LocalStore", "Redis");
        for (Hint hint : Hint.values()) {
            for (Operation op : Operation.values()) {
                assertEquals("Local", pick(withLocal, hint, op, 1 << 20, 16), hint + " " + op);
                assertEquals("LocalStore", pick(withLocalStore, hint, op, 1 << 20, 16), hint + " " + op);
            }
        }
    }

    @Test
    void shouldBreakTiesByTheFixedOrder() {
        FmiConfig config = FmiConfig.fromJson("""
                {"model": {"Beta": {"overhead_s": 0.001}, "Alpha": {"overhead_s": 0.001}, "Slow": {"overhead_s": 1}}}
                """);
        assertEquals(List.of("Local", "Direct", "S3", "Alpha", "beta", "Zeta"),
                ChannelSelector.tieOrder(List.of("Zeta", "beta", "S3", "Alpha", "Direct", "Local")));
        for (Hint hint : Hint.values()) {
            ChannelSelector s = ChannelSelector.forConfig(config, List.of("Slow", "Beta", "Alpha"), hint, 1024, SelectionPolicy.BY_HINT);
            assertEquals("Alpha", s.select(Operation.BCAST, 100, 8));
        }
    }

    @Test
    void shouldPickAnUnmodelledChannelOnlyWhenNothingElseIsUsable() {
        assertEquals("Redis", pick(List.of("Mystery", "Redis"), Hint.FAST, Operation.BCAST, 10, 4));
        assertEquals("Mystery", pick(List.of("Mystery"), Hint.CHEAP, Operation.BCAST, 10, 4));
    }

    @Test
    void shouldMakeTheSameChoiceOnEveryRank() throws Exception {
        // Each "rank" parses the configuration and builds its selector on its own thread, as peers do.
        String json = FmiConfig.defaults().json().toString();
        int ranks = 8;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                List<String> channels = new ArrayList<>(ALL);
                java.util.Collections.rotate(channels, r); // each rank lists its channels in another order
                results.add(pool.submit(() -> decisions(FmiConfig.fromJson(json), channels)));
            }
            List<String> first = results.get(0).get();
            assertTrue(first.size() > 1000);
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
            ChannelSelector s = ChannelSelector.forConfig(config, channels, hint, 1024, SelectionPolicy.BY_HINT);
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
    void shouldAgreeOnTheChannelAcrossCommunicatorRanks() {
        FmiConfig config = FmiConfig.defaults().withOnly("Local", "LocalStore");
        List<String> picks = LocalCluster.run(config, 5, comm -> {
            StringBuilder sb = new StringBuilder();
            for (Operation op : Operation.values()) {
                sb.append(comm.channelFor(op, 4096)).append(',');
            }
            return sb.toString();
        });
        for (String p : picks) {
            assertEquals(picks.get(0), p);
        }
        assertTrue(picks.get(0).startsWith("local,"), picks.get(0));
    }

    @Test
    void shouldApplyAPolicyGivenToTheCommunicatorBuilder() {
        FmiConfig config = FmiConfig.defaults().withOnly("Local", "LocalStore");
        SelectionPolicy storesForCollectives = (op, bytes, size, hint, estimates) ->
                op == Operation.SEND ? "Local" : "LocalStore";
        List<String> picks = LocalCluster.run(config, 3, b -> b.selectionPolicy(storesForCollectives),
                comm -> comm.channelFor(Operation.SEND, 8) + "," + comm.channelFor(Operation.ALLREDUCE, 8));
        assertEquals(List.of("local,local-store", "local,local-store", "local,local-store"), picks);
    }

    @Test
    void shouldFollowACustomPolicy() {
        SelectionPolicy cheapestUnder50ms = (op, bytes, size, hint, estimates) -> estimates.stream()
                .filter(e -> e.latencySeconds() <= 0.050)
                .min(java.util.Comparator.comparingDouble(Estimate::totalUsd))
                .orElseGet(() -> estimates.get(0))
                .channel();
        ChannelSelector s = ChannelSelector.forConfig(FmiConfig.defaults(), STORES, Hint.CHEAP, 1024, cheapestUnder50ms);
        // DynamoDB is cheapest for two peers but takes more than 50 ms with its 50 ms poll floor; Redis does not.
        assertEquals("DynamoDB", pick(STORES, Hint.CHEAP, Operation.ALLREDUCE, 672, 2));
        assertEquals("Redis", s.select(Operation.ALLREDUCE, 672, 2));
    }

    @Test
    void shouldRejectAPolicyThatChoosesAnUnusableChannel() {
        ChannelSelector s = ChannelSelector.forConfig(FmiConfig.defaults(), STORES, Hint.FAST, 1024,
                (op, bytes, size, hint, estimates) -> "Direct");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.select(Operation.BCAST, 1, 2));
        assertTrue(e.getMessage().contains("'Direct'"), e.getMessage());
    }
}
