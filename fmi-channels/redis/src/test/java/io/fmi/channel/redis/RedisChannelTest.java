package io.fmi.channel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.ChannelException;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.channels.testing.RedisServer;
import io.fmi.channels.testing.RestartableServer;
import io.fmi.channels.testing.StoreChannelContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RedisChannelTest extends StoreChannelContract {
    @Override
    protected String backend() {
        return "Redis";
    }

    @Override
    protected String expectedChannel() {
        return "redis";
    }

    @Override
    protected ObjectNode backendEntry() {
        return RedisServer.shared().backend();
    }

    @Override
    protected List<String> storedUnder(ObjectNode entry, String keyPrefix) {
        RedisClient client = RedisClient.create("redis://" + entry.get("host").asText() + ":" + entry.get("port").asInt());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().keys(keyPrefix + "*");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    @Override
    protected String chunkKey() {
        return "chunk_bytes";
    }

    @Override
    protected RestartableServer restartableServer() {
        return RedisServer.launch();
    }

    @Test
    @Timeout(30)
    void shouldAuthenticateWithAPasswordInTheUri() {
        try (RedisServer secured = RedisServer.launch("--requirepass", "s3cret")) {
            ObjectNode entry = FmiConfig.newObject().put("enabled", true)
                    .put("uri", "redis://:s3cret@127.0.0.1:" + secured.port() + "/2");
            assertEquals(6, sumOver(entry, 3, Duration.ofSeconds(10)));
            ObjectNode viaKeys = secured.backend().put("password", "s3cret");
            assertEquals(3, sumOver(viaKeys, 2, Duration.ofSeconds(10)));
        }
    }

    @Test
    @Timeout(30)
    void shouldFailAtOnceNamingTheServerWhenThePasswordIsWrong() {
        try (RedisServer secured = RedisServer.launch("--requirepass", "s3cret")) {
            ObjectNode entry = secured.backend().put("password", "wrong-password");
            long t0 = System.nanoTime();
            ChannelException e = assertThrows(ChannelException.class, () -> sumOver(entry, 2, Duration.ofSeconds(10)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getMessage().contains("127.0.0.1:" + secured.port()), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-password"), "the password leaked into: " + e.getMessage());
            assertFalse(e.retryable());
            assertTrue(ms < 8_000, "took " + ms + " ms: a refused password must not be retried until the deadline");
        }
    }

    @Test
    @Timeout(30)
    void shouldConnectOverTlsWithARedissUri() {
        try (RedisServer tls = RedisServer.launchTls()) {
            ObjectNode entry = FmiConfig.newObject().put("enabled", true)
                    .put("uri", "rediss://127.0.0.1:" + tls.tlsPort())
                    .put("tls_ca_file", tls.caFile().toString());
            assertEquals(10, sumOver(entry, 4, Duration.ofSeconds(10)));
        }
    }

    @Test
    @Timeout(10)
    void shouldRejectBadSettingsWhenTheChannelIsCreated() {
        ObjectNode entry = backendEntry().put("chunk_bytes", 0);
        FmiConfigException e = assertThrows(FmiConfigException.class, () -> sumOver(entry, 1, Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("chunk_bytes: 0"), e.getMessage());
        ObjectNode uri = FmiConfig.newObject().put("enabled", true).put("uri", "http://user:pw@host");
        FmiConfigException u = assertThrows(FmiConfigException.class, () -> sumOver(uri, 1, Duration.ofSeconds(10)));
        assertFalse(u.getMessage().contains("pw@"), u.getMessage());
    }
}
