package io.fmi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.Hint;
import io.fmi.Operation;
import io.fmi.channel.ChannelProvider;
import io.fmi.local.LocalCluster;
import io.fmi.local.LocalStoreChannelProvider;
import io.fmi.testing.Providers;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelSelectorTest {
    private static final ChannelModel QUICK = ChannelModel.builder("Quick", Family.MEDIATED).overheadSeconds(0.001).build();
    private static final ChannelModel SLOW = ChannelModel.builder("Slow", Family.MEDIATED).overheadSeconds(1).build();

    private static ChannelSelector selector(List<String> channels, Map<String, ChannelModel> models, SelectionPolicy policy) {
        return new ChannelSelector(channels, new CostModel(models, ModelConfig.DEFAULT_GIB_SECOND_PRICE_USD, 1024), Hint.FAST, policy);
    }

    @Test
    void shouldBreakExactTiesByTheListedOrder() {
        Map<String, ChannelModel> models = Map.of("Beta", QUICK, "Alpha", QUICK, "Slow", SLOW);
        for (Operation op : Operation.values()) {
            assertEquals("Beta", selector(List.of("Slow", "Beta", "Alpha"), models, SelectionPolicy.BY_HINT).select(op, 100, 8));
            assertEquals("Alpha", selector(List.of("Alpha", "Slow", "Beta"), models, SelectionPolicy.BY_HINT).select(op, 100, 8));
        }
    }

    @Test
    void shouldPickAnUnmodelledChannelOnlyWhenNothingElseIsUsable() {
        Map<String, ChannelModel> models = Map.of("Slow", SLOW);
        assertEquals("Slow", selector(List.of("Mystery", "Slow"), models, SelectionPolicy.BY_HINT).select(Operation.BCAST, 10, 4));
        assertEquals("Mystery", selector(List.of("Mystery"), models, SelectionPolicy.BY_HINT).select(Operation.BCAST, 10, 4));
    }

    @Test
    void shouldRejectAPolicyThatChoosesAnUnusableChannel() {
        ChannelSelector s = selector(List.of("Quick", "Slow"), Map.of("Quick", QUICK, "Slow", SLOW),
                (op, bytes, size, hint, estimates) -> "Elsewhere");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.select(Operation.BCAST, 1, 2));
        assertTrue(e.getMessage().contains("'Elsewhere'"), e.getMessage());
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
        // Both are free: the tie goes to Local, whose provider ranks first.
        assertTrue(picks.get(0).startsWith("local,"), picks.get(0));
    }

    @Test
    void shouldBreakTiesInACommunicatorByTheProvidersRankNotTheirNames() {
        // "Early" sorts after "LocalStore" by name but ranks before it; both cost nothing.
        ChannelProvider early = Providers.ranked("Early", 5, new LocalStoreChannelProvider()::create);
        FmiConfig config = FmiConfig.fromJson("""
                {"backends": {"Local": {"enabled": false}, "LocalStore": {"enabled": true}, "Early": {"enabled": true}}}
                """);
        assertEquals(List.of("early", "early"), LocalCluster.run(config, 2, b -> b.channelProvider(early),
                comm -> comm.channelFor(Operation.ALLREDUCE, 64)));
        FmiConfig dearer = FmiConfig.fromJson(config.json().set("model", FmiConfig.newObject()
                .set("Early", FmiConfig.newObject().put("overhead", 1))).toString());
        assertEquals(List.of("local-store", "local-store"), LocalCluster.run(dearer, 2, b -> b.channelProvider(early),
                comm -> comm.channelFor(Operation.ALLREDUCE, 64)));
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
}
