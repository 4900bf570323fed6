package io.fmi.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fmi.BackendConfig;
import io.fmi.FmiConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With every channel on the class path, the default configuration is the C++ FMI's shipped one. */
class DefaultConfigTest {
    @Test
    void shouldHaveDirectEnabledAndTheStoresDisabledByDefault() {
        FmiConfig d = FmiConfig.defaults();
        assertEquals(List.of("Direct"), d.enabledBackends().stream().map(BackendConfig::name).toList());
        assertEquals(List.of("Local", "LocalStore", "Direct", "Redis", "DynamoDB", "S3"), List.copyOf(d.backends().keySet()));
        assertEquals(Duration.ofSeconds(60), d.backend("Direct").orElseThrow().maxTimeout());
        assertEquals(10000, d.backend("Direct").orElseThrow().integer("port", 0));
        assertEquals(6379, d.backend("Redis").orElseThrow().integer("port", 0));
        assertEquals("fmi", d.backend("S3").orElseThrow().string("bucket_name", ""));
        assertEquals(50, d.backend("DynamoDB").orElseThrow().integer("timeout", 0));
        assertFalse(d.backend("DynamoDB").orElseThrow().enabled());
    }
}
