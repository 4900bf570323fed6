package io.fmi.outside;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.channel.ChannelProvider;
import io.fmi.channel.ChannelProviders;
import io.fmi.local.LocalCluster;
import io.fmi.local.LocalStoreChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.CostModel;
import io.fmi.model.Family;
import io.fmi.model.ModelConfig;
import io.fmi.testing.Providers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A channel from outside, with its own provider and model and no line of it in fmi-core's main
 * code ({@link MapStoreProvider}, found through this module's {@code META-INF/services}), is
 * weighed by the selector like the built-in ones: next to {@code LocalStore} it takes exactly the
 * operations its model wins, and those operations really run over it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutsideChannelSelectionTest {
    /**
     * {@code LocalStore} modelled as a store with ten times MapStore's overhead and a hundred times
     * its bandwidth (1 ms, 1000 MB/s); MapStore has no {@code "model"} entry: its provider's model
     * is all the selector knows of it.
     */
    private static final FmiConfig CONFIG = FmiConfig.fromJson("""
            {"backends": {"Local": {"enabled": false}, "LocalStore": {"enabled": true}, "MapStore": {"enabled": true}},
             "model": {"LocalStore": {"overhead": 1, "bandwidth": 1000}}}
            """);

    @Test
    void shouldTakeTheProvidersModelWithoutAModelSection() {
        ChannelModel m = ChannelProviders.installed().models(CONFIG).get(MapStoreProvider.BACKEND);
        assertEquals(new MapStoreProvider().defaultModel(), m);
        assertEquals(1e-4, m.overheadSeconds());
        assertEquals(0.001, ChannelProviders.model(CONFIG, new LocalStoreChannelProvider()).overheadSeconds(), 1e-15);
    }

    @Test
    void shouldSendEveryPointToPointMessageOverTheChannelOfAnEmptyOne() {
        // One request each way: 0.1 ms + b / 10 MB/s against 1 ms + b / 1000 MB/s, equal at
        // b = 0.9 ms / (1/10^7 - 1/10^9) s/B = 9090.9 bytes. Point-to-point messages all take the
        // choice for 0 bytes, so that a small one never overtakes a large one on another channel.
        List<String> picks = LocalCluster.run(CONFIG, 2, comm -> {
            List<String> out = new ArrayList<>();
            for (long b : new long[] {0, 1, 9090, 9091, 1 << 20}) {
                out.add(comm.channelFor(Operation.SEND, b));
            }
            return String.join(",", out);
        }).stream().distinct().toList();
        assertEquals(List.of("mapstore,mapstore,mapstore,mapstore,mapstore"), picks);
    }

    @Test
    void shouldPickItExactlyWhereItsModelWins() {
        int n = 4;
        long[] sizes = {0, 1, 64, 1000, 4096, 9000, 20_000, 65_536, 1 << 20, 16 << 20};
        // The expected choice, from the two models alone: MapStore where its latency is lower,
        // LocalStore otherwise (an exact tie goes to LocalStore's lower tie-break rank).
        Map<String, ChannelModel> models = new LinkedHashMap<>();
        models.put("LocalStore", ModelConfig.channel(CONFIG, "LocalStore", new LocalStoreChannelProvider().defaultModel()).orElseThrow());
        models.put("MapStore", new MapStoreProvider().defaultModel());
        CostModel cost = CostModel.fromConfig(CONFIG, models, 1024);
        List<String> expected = new ArrayList<>();
        for (Operation op : Operation.values()) {
            for (long b : sizes) {
                long modelled = op == Operation.SEND ? 0 : b; // point-to-point: the choice for 0 bytes
                boolean mapStoreWins = cost.estimate("MapStore", op, modelled, n).latencySeconds()
                        < cost.estimate("LocalStore", op, modelled, n).latencySeconds();
                expected.add(op + " " + b + " " + (mapStoreWins ? "mapstore" : "local-store"));
            }
        }
        assertTrue(expected.stream().anyMatch(e -> e.endsWith(" mapstore")), expected.toString());
        assertTrue(expected.stream().anyMatch(e -> e.endsWith(" local-store")), expected.toString());

        List<List<String>> perRank = LocalCluster.run(CONFIG, n, comm -> {
            List<String> out = new ArrayList<>();
            for (Operation op : Operation.values()) {
                for (long b : sizes) {
                    out.add(op + " " + b + " " + comm.channelFor(op, b));
                }
            }
            return out;
        });
        for (List<String> picks : perRank) {
            assertEquals(expected, picks);
        }
    }

    @Test
    void shouldMoveTheBytesOfTheOperationsItWinsOnly() {
        int small = 1000;
        int large = 1 << 20;
        List<String> results = LocalCluster.run(CONFIG, 3, comm -> {
            byte[] a = new byte[small];
            byte[] b = new byte[large];
            if (comm.rank() == 0) {
                fill(a, 7);
                fill(b, 11);
            }
            comm.bcast(a, 0);
            comm.bcast(b, 0);
            int[] sum = new int[1];
            comm.allreduce(new int[] {comm.rank() + 1}, sum, ReduceOp.SUM);
            byte[] wantA = new byte[small];
            byte[] wantB = new byte[large];
            fill(wantA, 7);
            fill(wantB, 11);
            assertArrayEquals(wantA, a);
            assertArrayEquals(wantB, b);
            assertEquals(6, sum[0]);
            return comm.name() + " " + comm.channelFor(Operation.BCAST, small) + " " + comm.channelFor(Operation.BCAST, large)
                    + " " + comm.channelFor(Operation.ALLREDUCE, 4);
        });
        String name = results.get(0).split(" ")[0];
        assertEquals(List.of(name + " mapstore local-store mapstore"), results.stream().distinct().toList());
        long moved = MapStoreChannel.bytesPut(name);
        // The small broadcast and the allreduce's operands went through the map; the 1 MiB broadcast did not.
        assertTrue(moved >= small + 3 * 4 && moved < large, "bytes put in MapStore: " + moved);
    }

    @Test
    void shouldSelectAProviderThatStatesNothingAsAFreeChannel() {
        ChannelProvider plain = Providers.plain("Plain", MapStoreChannel::new);
        assertEquals(Family.MEDIATED, plain.family());
        assertEquals(ChannelModel.builder("Plain", Family.MEDIATED).build(), plain.defaultModel());
        assertEquals(ChannelProvider.DEFAULT_TIE_BREAK_RANK, plain.tieBreakRank());

        FmiConfig config = FmiConfig.fromJson("""
                {"backends": {"Local": {"enabled": false}, "LocalStore": {"enabled": true}, "Plain": {"enabled": true}},
                 "model": {"LocalStore": {"overhead": 1, "bandwidth": 1000}}}
                """);
        List<String> results = LocalCluster.run(config, 2, b -> b.channelProvider(plain), comm -> {
            List<String> picks = new ArrayList<>();
            for (Operation op : Operation.values()) {
                picks.add(comm.channelFor(op, 100));
            }
            byte[] buf = new byte[100];
            if (comm.rank() == 0) {
                fill(buf, 3);
            }
            comm.bcast(buf, 0);
            byte[] want = new byte[100];
            fill(want, 3);
            assertArrayEquals(want, buf);
            return comm.name() + " " + picks.stream().distinct().toList();
        });
        String name = results.get(0).split(" ")[0];
        assertEquals(List.of(name + " [plain]"), results.stream().distinct().toList());
        assertTrue(MapStoreChannel.bytesPut(name) >= 100);
    }

    private static void fill(byte[] a, int seed) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) (i * seed + 1);
        }
    }
}
