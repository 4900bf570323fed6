package io.fmi.channel.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import io.fmi.Operation;
import io.fmi.channels.testing.RedisServer;
import io.fmi.local.LocalCluster;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Objects with one reader are Redis lists taken with {@code BLMOVE}: every message must arrive
 * exactly once, in order, even when connections drop between a command and its reply.
 */
class RedisPointToPointTest {

    private static FmiConfig config(ObjectNode entry) {
        return FmiConfig.defaults().withOnly("Redis").withBackend("Redis", entry);
    }

    /** Message {@code i} from {@code rank}: one chunk when {@code i} is even, four (of 64 B) when odd. */
    private static long[] message(int rank, int i) {
        long[] m = new long[i % 2 == 0 ? 1 : 30];
        for (int j = 0; j < m.length; j++) {
            m[j] = rank * 1_000_000L + i * 100L + j;
        }
        return m;
    }

    @Test
    @Timeout(120)
    void shouldDeliverEveryMessageOnceWhileConnectionsAreKilled() throws Exception {
        try (RedisServer server = RedisServer.launch()) {
            ObjectNode entry = server.backend().put("chunk_bytes", 64);
            int rounds = 150;
            // The kills are random: a pass may, rarely, never catch a BLMOVE between the server's move
            // and its reply. Passes repeat (each checking every message) until one did, up to four.
            String stats = "";
            int passes = 0;
            while (passes < 4 && (passes == 0 || ConnectionKiller.calls(stats, "lindex") == 0)) {
                passes++;
                ConnectionKiller killer = new ConnectionKiller(server);
                try (killer) {
                    List<Integer> received = LocalCluster.run(config(entry), 2, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
                        assertEquals("redis", comm.channelFor(Operation.SEND, 8));
                        int peer = 1 - comm.rank();
                        int count = 0;
                        for (int i = 0; i < rounds; i++) {
                            long[] got = new long[message(peer, i).length];
                            if (comm.rank() == 0) {
                                comm.send(message(0, i), peer);
                                comm.recv(got, peer);
                            } else {
                                comm.recv(got, peer);
                                comm.send(message(1, i), peer);
                            }
                            assertArrayEquals(message(peer, i), got, "message " + i + " from rank " + peer);
                            count++;
                        }
                        return count;
                    });
                    assertEquals(List.of(rounds, rounds), received);
                }
                assertTrue(killer.kills() > 10, "connections were killed only " + killer.kills() + " times");
                stats = ConnectionKiller.commandStats(server);
            }
            System.out.println("connection-killing passes until a take looked for a lost move: " + passes);
            // A take looks into its backup list after a move that came back empty or failed.
            assertTrue(ConnectionKiller.calls(stats, "lindex") > 0, "in " + passes + " passes no take had to look for a lost move: " + stats);
        }
    }

    @Test
    @Timeout(60)
    void shouldConsumeSingleReaderObjectsWithoutDeletingThemAfterwards() {
        try (RedisServer server = RedisServer.launch()) {
            ObjectNode entry = server.backend().put("key_prefix", "lists/");
            LocalCluster.run(config(entry), 2, b -> b.timeout(Duration.ofSeconds(10)), comm -> {
                long[] got = new long[1];
                for (int i = 0; i < 20; i++) {
                    comm.send(new long[] {i}, 1 - comm.rank());
                    comm.recv(got, 1 - comm.rank());
                    assertEquals(i, got[0]);
                }
                comm.barrier();
                return null;
            });
            RedisClient client = RedisClient.create(server.uri());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                // Only the member records stay, until their TTL: they refuse a rerun with the same run id.
                assertEquals(List.of("lists/local-X/member/0", "lists/local-X/member/1"), c.sync().keys("lists/*").stream()
                        .map(k -> k.replaceFirst("^lists/local-[0-9]+/[^/]+/", "lists/local-X/")).sorted().collect(Collectors.toList()),
                        "keys left after close");
                // 40 messages taken with BLMOVE; the few UNLINKs are the barrier's counter and the close.
                String stats = c.sync().info("commandstats");
                assertTrue(ConnectionKiller.calls(stats, "blmove") >= 40, stats);
                assertTrue(ConnectionKiller.calls(stats, "unlink") < 10, "consumed messages were deleted one by one: " + stats);
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldWriteEveryListWithATtlAlsoWhenTheServerForgotTheScript() {
        try (RedisServer server = RedisServer.launch()) {
            ObjectNode entry = server.backend().put("key_prefix", "ttl/").put("chunk_bytes", 64);
            RedisClient client = RedisClient.create(server.uri());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                LocalCluster.run(config(entry), 2, b -> b.timeout(Duration.ofSeconds(10)), comm -> {
                    if (comm.rank() == 0) {
                        comm.send(message(0, 0), 1);
                        // As after a restart: the next head is written with EVAL, which caches the script again.
                        c.sync().scriptFlush();
                        comm.send(message(0, 1), 1);
                        comm.send(message(0, 2), 1);
                        List<String> keys = c.sync().keys("ttl/*/p2p/*");
                        assertEquals(4, keys.size(), "three heads and one chunk list: " + keys);
                        for (String k : keys) {
                            assertTrue(c.sync().pttl(k) > 0, k + " has no TTL");
                        }
                    }
                    comm.barrier();
                    if (comm.rank() == 1) {
                        for (int i = 0; i < 3; i++) {
                            long[] got = new long[message(0, i).length];
                            comm.recv(got, 0);
                            assertArrayEquals(message(0, i), got, "message " + i);
                        }
                    }
                    return null;
                });
                String stats = c.sync().info("commandstats");
                assertTrue(ConnectionKiller.calls(stats, "evalsha") > 0, stats);
                assertTrue(ConnectionKiller.calls(stats, "eval") > 0, stats);
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    /**
     * A take's backup list gets its TTL although the {@code PEXPIRE} behind the move that created
     * it failed: with {@code PEXPIRE} refused (ACL) while rank 1 takes its first message, that take
     * cannot set it; the next take, once it is allowed again, must (it used to count the first
     * {@code PEXPIRE} as done once sent, leaving the list without a TTL for 64 takes).
     */
    @Test
    @Timeout(60)
    void shouldGiveTheBackupListItsTtlWhenThePexpireBehindItsFirstMoveFailed() throws Exception {
        try (RedisServer server = RedisServer.launch()) {
            ObjectNode entry = server.backend().put("key_prefix", "ttl/");
            CompletableFuture<Void> sent = new CompletableFuture<>();
            CompletableFuture<Void> allowed = new CompletableFuture<>();
            List<String> replies = LocalCluster.run(config(entry), 2, b -> b.timeout(Duration.ofSeconds(20)), comm -> {
                try {
                    if (comm.rank() == 0) {
                        comm.send(message(0, 0), 1);
                        sent.complete(null);
                        allowed.orTimeout(20, TimeUnit.SECONDS).join();
                        comm.send(message(0, 2), 1);
                        return null;
                    }
                    sent.orTimeout(20, TimeUnit.SECONDS).join();
                    assertEquals("+OK", server.command("ACL", "SETUSER", "default", "-pexpire"));
                    long[] got = new long[message(0, 0).length];
                    comm.recv(got, 0);
                    assertEquals("+OK", server.command("ACL", "SETUSER", "default", "+pexpire"));
                    allowed.complete(null);
                    got = new long[message(0, 2).length];
                    comm.recv(got, 0);
                    assertArrayEquals(message(0, 2), got);
                    // Before close, which deletes the backup lists.
                    return server.command("EVAL", RedisBroadcastTest.WITHOUT_TTL, "0", "ttl/*");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(":0", replies.get(1), "keys without a TTL");
            String stats = ConnectionKiller.commandStats(server);
            // The first take's PEXPIRE was refused: the case this test is about happened.
            assertTrue(stats.lines().anyMatch(l -> l.startsWith("cmdstat_pexpire:") && !l.contains("rejected_calls=0")), stats);
        }
    }

    /**
     * A write given up at its deadline is not sent later without its {@code PEXPIRE}: with the
     * server down, the {@code RPUSH} of an 8 KiB head and the {@code PEXPIRE} behind it wait in
     * Lettuce's queue until the send's deadline; both must be dropped then, not only the one the
     * send waited for, or the server, once back, stores a head that never expires.
     */
    @Test
    @Timeout(60)
    void shouldNotSendAWriteGivenUpAtItsDeadlineWithoutItsPexpire() throws Exception {
        try (RedisServer server = RedisServer.launch()) {
            ObjectNode entry = server.backend().put("key_prefix", "gone/");
            CompletableFuture<Void> taken = new CompletableFuture<>();
            List<String> errors = LocalCluster.run(config(entry), 2, b -> b.timeout(Duration.ofSeconds(3)), comm -> {
                if (comm.rank() == 1) {
                    long[] got = new long[message(0, 0).length];
                    comm.recv(got, 0);
                    taken.complete(null);
                    return null;
                }
                comm.send(message(0, 0), 1);
                taken.orTimeout(20, TimeUnit.SECONDS).join();
                server.stop();
                try {
                    comm.send(new long[1024], 1);
                    return "sent while the server was down";
                } catch (FmiException e) {
                    return e.getMessage();
                } finally {
                    server.start();
                }
            });
            assertTrue(errors.get(0).contains("did not answer within the deadline of 3000 ms"), errors.get(0));
            // Lettuce reconnects within its back-off (at most 1 s) and sends what it still holds.
            Thread.sleep(3_000);
            assertEquals(":0", server.command("EVAL", RedisBroadcastTest.WITHOUT_TTL, "0", "gone/*"), "keys without a TTL");
        }
    }

    /**
     * A small message goes over the pooled connection its sender last took a message on, if it is
     * idle: the reply of a ping-pong rides the connection that took the request, as a raw client's
     * would. An object with further chunks goes over the shared connection. Told apart by the
     * client address of each command in the server's {@code MONITOR} output.
     */
    @Test
    @Timeout(60)
    void shouldSendASmallReplyOverTheConnectionThatTookTheRequest() throws Exception {
        try (RedisServer server = RedisServer.launch(); Monitor monitor = new Monitor(server)) {
            // Even messages are one chunk, odd ones four.
            ObjectNode entry = server.backend().put("key_prefix", "pp/").put("chunk_bytes", 64);
            int rounds = 10;
            LocalCluster.run(config(entry), 2, b -> b.timeout(Duration.ofSeconds(10)), comm -> {
                long[] got = new long[1];
                for (int i = 0; i < rounds; i++) {
                    int peer = 1 - comm.rank();
                    got = new long[message(peer, i).length];
                    if (comm.rank() == 0) {
                        comm.send(message(0, i), 1);
                        comm.recv(got, 1);
                    } else {
                        comm.recv(got, 0);
                        comm.send(message(1, i), 0);
                    }
                    assertArrayEquals(message(peer, i), got, "message " + i + " from rank " + peer);
                }
                return null;
            });
            // Rank 1 took request i with BLMOVE and wrote reply i with EVALSHA (its head).
            Map<String, String> takenOn = monitor.await(rounds, "BLMOVE", "p2p/0-1/");
            Map<String, String> repliedOn = monitor.await(rounds, "EVALSHA", "p2p/1-0/");
            for (int i = 0; i < rounds; i++) {
                String took = takenOn.get(Integer.toString(i));
                String replied = repliedOn.get(Integer.toString(i));
                if (i % 2 == 0) {
                    assertEquals(took, replied, "reply " + i + " (one chunk) was not written over the connection that took request " + i);
                } else {
                    assertNotEquals(took, replied, "reply " + i + " (four chunks) was written over a pooled connection");
                }
            }
        }
    }

    /** The commands a Redis server runs, with the client address of each, from {@code MONITOR}. */
    private static final class Monitor implements AutoCloseable {
        /** {@code +<time> [<db> <address>] "<COMMAND>" "<arg>" ...} */
        private static final Pattern LINE = Pattern.compile("^\\+[0-9.]+ \\[\\d+ ([^\\]]+)\\] \"(\\w+)\"(.*)$");
        private final Socket socket;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        Monitor(RedisServer server) throws IOException {
            socket = new Socket(server.host(), server.port());
            socket.getOutputStream().write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("+OK", in.readLine());
            reader = new Thread(() -> {
                try {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "redis-monitor");
            reader.setDaemon(true);
            reader.start();
        }

        /**
         * The client address of each {@code command} on a key containing {@code keyPart}, by what
         * follows {@code keyPart} in the key; waits up to 10 s for {@code count} of them.
         */
        Map<String, String> await(int count, String command, String keyPart) throws InterruptedException {
            Pattern key = Pattern.compile("\"[^\"]*" + Pattern.quote(keyPart) + "(\\d+)\"");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Map<String, String> found = new HashMap<>();
            while (found.size() < count && System.nanoTime() < end) {
                found.clear();
                for (String line : lines) {
                    Matcher m = LINE.matcher(line);
                    if (m.matches() && m.group(2).equalsIgnoreCase(command)) {
                        Matcher k = key.matcher(m.group(3));
                        if (k.find()) {
                            found.putIfAbsent(k.group(1), m.group(1));
                        }
                    }
                }
                Thread.sleep(20);
            }
            assertEquals(count, found.size(), command + " of " + keyPart + "*: " + found + " in " + lines.size() + " commands");
            return found;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
