package io.fmi.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.local.LocalChannelProvider;
import io.fmi.local.LocalStoreChannelProvider;
import io.fmi.model.ChannelModel;
import io.fmi.model.Family;
import io.fmi.testing.Providers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelProvidersTest {
    private static final String BROKEN = BrokenProvider.class.getName();
    private static final String MISSING = MissingClient.class.getName();

    /** A provider that states a rank and nothing else; its channel is never created here. */
    private static ChannelProvider ranked(String backend, int rank) {
        return Providers.ranked(backend, rank, context -> {
            throw new UnsupportedOperationException("not created in this test");
        });
    }

    private static List<String> backends(ChannelProviders p) {
        return p.list().stream().map(ChannelProvider::backend).toList();
    }

    @Test
    void shouldOrderByTieBreakRankThenByNameWhateverTheOrderFound() {
        List<ChannelProvider> given = List.of(ranked("zeta", 1000), ranked("Beta", 1000), ranked("Mid", 25),
                new LocalStoreChannelProvider(), ranked("alpha", 1000), new LocalChannelProvider());
        List<String> expected = List.of("Local", "LocalStore", "Mid", "alpha", "Beta", "zeta");
        for (int shift = 0; shift < given.size(); shift++) {
            List<ChannelProvider> rotated = new java.util.ArrayList<>(given);
            java.util.Collections.rotate(rotated, shift);
            assertEquals(expected, backends(ChannelProviders.of(rotated)));
        }
        assertEquals(List.of("Local", "LocalStore", "MapStore"), backends(ChannelProviders.installed()));
        assertTrue(ChannelProviders.installed().failures().isEmpty());
    }

    @Test
    void shouldLetAnExplicitProviderReplaceTheOneFound() {
        ChannelProvider mine = ranked("localstore", 5);
        ChannelProviders p = ChannelProviders.installed().with(List.of(mine));
        assertSame(mine, p.find("LocalStore").orElseThrow());
        assertEquals(List.of("Local", "localstore", "MapStore"), backends(p), "rank 5 comes after Local's 0");
        assertTrue(p.find("Redis").isEmpty(), "a channel whose jar is absent is not offered");
    }

    @Test
    void shouldModelAProviderWithItsDefaultsUnderTheModelSection() {
        FmiConfig config = FmiConfig.fromJson("""
                {"model": {"localstore": {"overhead": 2, "bandwidth_bytes_per_s": 5e8, "family": "peer_to_peer"}}}
                """);
        ChannelModel m = ChannelProviders.model(config, new LocalStoreChannelProvider());
        assertEquals("LocalStore", m.name());
        assertEquals(0.002, m.overheadSeconds(), 1e-15);
        assertEquals(5e8, m.bandwidthSingleBytesPerSec());
        assertEquals(Family.PEER_TO_PEER, m.family(), "the section's family overrides the provider's");
        assertEquals(Double.POSITIVE_INFINITY, m.bandwidthMultipleBytesPerSec(), "keys the section lacks keep the provider's value");
        assertEquals(new LocalChannelProvider().defaultModel(), ChannelProviders.installed().models(config).get("Local"));
    }

    @Test
    void shouldRejectAProviderThatReturnsNoModel() {
        ChannelProvider none = new ChannelProvider() {
            @Override
            public String backend() {
                return "Nothing";
            }

            @Override
            public ChannelModel defaultModel() {
                return null;
            }

            @Override
            public Channel create(ChannelContext context) {
                throw new UnsupportedOperationException("not created in this test");
            }
        };
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> ChannelProviders.model(FmiConfig.fromJson("{}"), none));
        assertTrue(e.getMessage().contains("'Nothing'") && e.getMessage().contains("defaultModel()"), e.getMessage());
    }

    @Test
    void shouldSkipAProviderWhoseDependencyIsMissingAndNameBoth(@TempDir Path dir) throws Exception {
        try (ProviderClassLoader loader = ProviderClassLoader.create(dir, BROKEN)) {
            ChannelProviders p = ChannelProviders.load(loader);
            assertEquals(List.of("Local", "LocalStore", "MapStore"), backends(p));
            assertEquals(1, p.failures().size(), p.failures().toString());
            String failure = p.failures().get(0).description();
            assertTrue(failure.contains(BROKEN) && failure.contains(MISSING), failure);
        }
    }

    @Test
    void shouldBuildWithTheOtherChannelsAndWarnWhenAProviderFailsToLoad(@TempDir Path dir) throws Exception {
        String json = """
                {"backends": {"Broken": {"enabled": true}, "LocalStore": {"enabled": true}}}
                """;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        String result;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            result = probe(dir, json);
        } finally {
            System.setErr(saved);
        }
        assertEquals("built local-store", result);
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.lines().anyMatch(l -> l.contains("WARN") && l.contains(BROKEN) && l.contains(MISSING)), log);
    }

    @Test
    void shouldNameTheCauseWhenTheBrokenProvidersBackendIsTheOnlyOneEnabled(@TempDir Path dir) throws Exception {
        String result = probe(dir, """
                {"backends": {"Broken": {"enabled": true}}}
                """);
        assertTrue(result.startsWith("failed no channel available"), result);
        assertTrue(result.contains("[Broken]") && result.contains(BROKEN) && result.contains(MISSING), result);
        assertTrue(result.contains("| cause java.util.ServiceConfigurationError"), result);
    }

    /** Builds a communicator of rank 0 of 2 whose classes all come from a {@link ProviderClassLoader}. */
    private static String probe(Path dir, String json) throws Exception {
        try (ProviderClassLoader loader = ProviderClassLoader.create(dir, "io.fmi.")) {
            Class<?> probe = loader.loadClass(BrokenProviderProbe.class.getName());
            assertTrue(probe.getClassLoader() == loader, "the probe and fmi-core must come from the test's loader");
            return (String) probe.getMethod("build", String.class).invoke(null, json);
        }
    }
}
