package io.fmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class FmiConfigTest {

    static String cppConfig() throws IOException {
        try (InputStream in = FmiConfigTest.class.getResourceAsStream("/fmi-cpp-config.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldLoadTheCppFmiConfigUnchanged(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("fmi.json");
        Files.writeString(file, cppConfig());
        FmiConfig c = FmiConfig.load(file);
        assertEquals(List.of("S3", "Redis", "Direct"), List.copyOf(c.backends().keySet()));
        assertEquals(List.of("Direct"), c.enabledBackends().stream().map(BackendConfig::name).toList());
        BackendConfig direct = c.backend("direct").orElseThrow();
        assertEquals("127.0.0.1", direct.string("host", null));
        assertEquals(10000, direct.integer("port", 0));
        assertEquals(Duration.ofSeconds(1), direct.maxTimeout());
        assertEquals("romanboe-uploadtest", c.backend("S3").orElseThrow().string("bucket_name", null));
        assertEquals(400.0, c.model().get("Direct").get("bandwidth").asDouble());
        assertEquals(0.0000166667, c.model().get("FaaS").get("gib_second_price").asDouble());
    }

    @Test
    void shouldTakeDefaultsForMissingSectionsAndKeys() {
        FmiConfig c = FmiConfig.fromJson("{\"backends\": {\"Redis\": {\"host\": \"r\"}}}");
        BackendConfig redis = c.backend("Redis").orElseThrow();
        assertFalse(redis.enabled(), "a backend without 'enabled' is disabled");
        assertEquals(6379, redis.integer("port", 6379));
        assertEquals(BackendConfig.DEFAULT_TIMEOUT, redis.maxTimeout());
        assertTrue(c.model().isEmpty());
        assertTrue(FmiConfig.fromJson("{}").backends().isEmpty());
    }

    @Test
    void shouldKeepUnknownKeysForChannelsFromOutside() {
        FmiConfig c = FmiConfig.fromJson("{\"backends\": {\"MyStore\": {\"enabled\": true, \"shards\": 4}}, \"extra\": {\"a\": 1}}");
        assertEquals(4, c.backend("mystore").orElseThrow().integer("shards", 0));
        assertEquals(1, c.json().get("extra").get("a").asInt());
    }

    @Test
    void shouldTakeTheDefaultEntriesFromTheInstalledProviders() {
        // fmi-core alone: its in-memory channels and the test channel of this module, all disabled
        FmiConfig d = FmiConfig.defaults();
        assertEquals(List.of("Local", "LocalStore", "MapStore"), List.copyOf(d.backends().keySet()));
        assertEquals(List.of(), d.enabledBackends());
    }

    @Test
    void shouldEnableOnlyTheNamedBackends() {
        FmiConfig c = FmiConfig.defaults().withOnly("Redis", "LocalStore");
        assertEquals(List.of("LocalStore", "Redis"), c.enabledBackends().stream().map(BackendConfig::name).toList());
        assertFalse(c.backend("Local").orElseThrow().enabled(), "withOnly writes the in-memory backend disabled");
    }

    @Test
    void shouldExplainInvalidFiles(@TempDir Path dir) {
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> FmiConfig.fromJson("{\"backends\": {\"Redis\": {"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        e = assertThrows(FmiConfigException.class, () -> FmiConfig.fromJson("{\"backends\": []}"));
        assertTrue(e.getMessage().contains("backends"), e.getMessage());
        e = assertThrows(FmiConfigException.class, () -> FmiConfig.fromJson("{\"backends\": {\"Redis\": {\"port\": \"x\"}}}")
                .backend("Redis").orElseThrow().integer("port", 1));
        assertTrue(e.getMessage().contains("backends.Redis.port"), e.getMessage());
        e = assertThrows(FmiConfigException.class, () -> FmiConfig.load(dir.resolve("missing.json")));
        assertTrue(e.getMessage().contains("missing.json"), e.getMessage());
        e = assertThrows(FmiConfigException.class, () -> FmiConfig.fromJson("{\"backends\": {\"Redis\": {\"max_timeout\": 0}}}")
                .backend("Redis").orElseThrow().maxTimeout());
        assertTrue(e.getMessage().contains("max_timeout"), e.getMessage());
    }

    @Test
    void shouldHideSecretsInToString() {
        FmiConfig c = FmiConfig.fromJson("{\"backends\": {\"Redis\": {\"enabled\": true, \"password\": \"hunter2\"}}}");
        assertFalse(c.toString().contains("hunter2"), c.toString());
    }
}
