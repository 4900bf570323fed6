package io.fmi.channel.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.channels.testing.RedisServer;
import io.fmi.local.LocalCluster;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Objects with several readers are Redis streams of one entry per chunk: every reader must get
 * every chunk, in order, each once, even when connections drop while a writer's chunks are on
 * their way.
 */
class RedisBroadcastTest {

    private static final int PEERS = 4;
    private static final int CHUNK_BYTES = 64;
    /**
     * Broadcasts of 3 to 13 chunks: with {@value #PEERS} roots in turn, {@code SIZES * PEERS}
     * rounds broadcast every size from every root once ({@value #SIZES} and {@value #PEERS} are
     * coprime), each chunk after the first a write that a kill may cut.
     */
    private static final int SIZES = 11;
    private static final long SETTLE_MILLIS = 10_000;

    private static FmiConfig config(ObjectNode entry) {
        return FmiConfig.defaults().withOnly("Redis").withBackend("Redis", entry);
    }

    /** Round {@code i}'s broadcast: 3 to 13 chunks of {@value #CHUNK_BYTES} B, the last one partial. */
    private static long[] payload(int i) {
        long[] m = new long[(3 + i % SIZES) * CHUNK_BYTES / Long.BYTES - 3];
        for (int j = 0; j < m.length; j++) {
            m[j] = i * 1_000_000L + j;
        }
        return m;
    }

    /** Rank {@code rank}'s block of round {@code i}'s allgather: 5 chunks of the result between them. */
    private static long[] block(int rank, int i) {
        long[] m = new long[10];
        for (int j = 0; j < m.length; j++) {
            m[j] = -(i * 1_000_000L + rank * 1_000L + j);
        }
        return m;
    }

    /** Counts the keys of the test that have no TTL, in one script: no key can vanish between listing and checking. */
    static final String WITHOUT_TTL = "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do "
            + "if redis.call('PTTL', k) == -1 then n = n + 1 end end return n";

    /**
     * Asserts that no key of the test stays without a TTL, asking over a connection of its own
     * (which the killer may cut: then it asks again). A writer's key lacks its TTL for a moment
     * when a kill fails the {@code PEXPIRE} behind it, until the writer sends it again, so a key
     * counts only when it still lacks one after the peers had {@value #SETTLE_MILLIS} ms to fix it.
     */
    private static void assertEveryKeyExpires(RedisServer server, String when) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
        String last = "no answer";
        while (true) {
            try {
                String reply = server.command("EVAL", WITHOUT_TTL, "0", "bcast/*");
                if (":0".equals(reply)) {
                    return;
                }
                last = reply;
            } catch (IOException e) {
                last = e.toString(); // cut by the killer
            }
            assertTrue(System.nanoTime() < until, when + ": keys without a TTL for " + SETTLE_MILLIS + " ms: " + last);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(when + ": interrupted", e);
            }
        }
    }

    @Test
    @Timeout(120)
    void shouldDeliverEveryChunkOfEveryBroadcastWhileConnectionsAreKilled() throws Exception {
        try (RedisServer server = RedisServer.launch()) {
            ObjectNode entry = server.backend().put("key_prefix", "bcast/").put("chunk_bytes", CHUNK_BYTES);
            int rounds = SIZES * PEERS;
            ConnectionKiller killer = ConnectionKiller.sparingHandshakes(server, 5, 15);
            try (killer) {
                List<Integer> received = LocalCluster.run(config(entry), PEERS, b -> b.timeout(Duration.ofSeconds(20)), comm -> {
                    assertEquals("redis", comm.channelFor(Operation.BCAST, 1 << 10));
                    int count = 0;
                    for (int i = 0; i < rounds; i++) {
                        int root = i % PEERS;
                        long[] got = comm.rank() == root ? payload(i) : new long[payload(i).length];
                        comm.bcast(got, root);
                        assertArrayEquals(payload(i), got, "broadcast " + i + " from rank " + root);
                        long[] all = new long[PEERS * block(0, i).length];
                        comm.allgather(block(comm.rank(), i), all);
                        for (int r = 0; r < PEERS; r++) {
                            long[] part = new long[block(r, i).length];
                            System.arraycopy(all, r * part.length, part, 0, part.length);
                            assertArrayEquals(block(r, i), part, "allgather " + i + ", block of rank " + r);
                        }
                        count++;
                        if (comm.rank() == 0 && i % SIZES == SIZES - 1) {
                            // While the job runs, before close deletes what it can: backup lists and chunk lists included.
                            assertEveryKeyExpires(server, "during round " + i);
                        }
                    }
                    return count;
                });
                assertEquals(Collections.nCopies(PEERS, rounds), received);
            }
            assertTrue(killer.kills() >= rounds, "connections were killed only " + killer.kills() + " times (" + killer.connections() + " connections)");
            RedisClient client = RedisClient.create(server.uri());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                String stats = c.sync().info("commandstats");
                assertTrue(ConnectionKiller.calls(stats, "xadd") >= rounds * 3L, stats);
                assertEveryKeyExpires(server, "after close");
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }
}
