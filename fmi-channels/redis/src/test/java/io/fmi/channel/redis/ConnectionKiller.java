package io.fmi.channel.redis;

import io.fmi.channels.testing.RedisServer;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kills client connections of a server every few milliseconds until closed: either every normal
 * connection, or ({@link #sparingHandshakes}) those that have run a command past their handshake
 * (blocked ones less often).
 */
final class ConnectionKiller implements AutoCloseable {
    /** The commands of Lettuce's handshake: a connection whose last command is one of them is not in use yet. */
    private static final Set<String> HANDSHAKE = Set.of("NULL", "hello", "client|setinfo", "auth", "select");

    /** A blocked client ({@code flags=b}) is killed at most this often ({@link #sparingHandshakes}). */
    private static final long BLOCKED_KILL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);

    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final CompletableFuture<Void> loop;

    /** Kills every normal client connection of {@code server} every 5 to 15 ms. */
    ConnectionKiller(RedisServer server) {
        loop = CompletableFuture.runAsync(() -> {
            while (!done.get()) {
                try {
                    Thread.sleep(5 + kills.get() % 11);
                    server.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                    kills.incrementAndGet();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
    }

    private ConnectionKiller(RedisServer server, int minMillis, int maxMillis) {
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> c = client.connect();
        loop = CompletableFuture.runAsync(() -> {
            try {
                RedisCommands<String, String> redis = c.sync();
                long self = redis.clientId();
                long blockedKilledAt = System.nanoTime();
                while (!done.get()) {
                    Thread.sleep(minMillis + kills.get() % (maxMillis - minMillis + 1));
                    int killed = 0;
                    boolean killBlocked = System.nanoTime() - blockedKilledAt >= BLOCKED_KILL_INTERVAL_NANOS;
                    for (String line : redis.clientList().split("\n")) {
                        long id = Long.parseLong(field(line, "id"));
                        boolean blocked = field(line, "flags").contains("b");
                        if (id != self && !HANDSHAKE.contains(field(line, "cmd")) && (killBlocked || !blocked)) {
                            killed += redis.clientKill(KillArgs.Builder.id(id)).intValue();
                            if (blocked) {
                                blockedKilledAt = System.nanoTime();
                            }
                        }
                    }
                    if (killed > 0) {
                        kills.incrementAndGet();
                        connections.addAndGet(killed);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                c.close();
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        });
    }

    /**
     * Kills, every {@code minMillis} to {@code maxMillis} ms, every client connection of
     * {@code server} that has run a command since its handshake, and one blocked in a command
     * (waiting for data) at most every 1.5 s. A connection killed during Lettuce's handshake is
     * reconnected with a back-off that doubles with each such kill (up to 1 s in FMI's client
     * resources), which would make the killing, not the code under test, what takes the time;
     * commands in flight are what a test of dropped connections is about. Lettuce sends a command
     * again after a reconnect, so a {@code BLMOVE} whose first run moved a head (its reply lost)
     * blocks on the emptied list for its block time of up to 1 s; cut again every few milliseconds,
     * it would never answer, and its take would wait out its 3 s before looking into its backup list.
     */
    static ConnectionKiller sparingHandshakes(RedisServer server, int minMillis, int maxMillis) {
        return new ConnectionKiller(server, minMillis, maxMillis);
    }

    private static String field(String clientListLine, String name) {
        for (String f : clientListLine.trim().split(" ")) {
            if (f.startsWith(name + "=")) {
                return f.substring(name.length() + 1);
            }
        }
        throw new IllegalStateException("no " + name + " in CLIENT LIST line " + clientListLine);
    }

    /** How many times connections were killed so far. */
    int kills() {
        return kills.get();
    }

    /** How many connections were killed so far ({@link #sparingHandshakes} only). */
    int connections() {
        return connections.get();
    }

    /** Stops killing; fails if a kill failed. */
    @Override
    public void close() throws ExecutionException, InterruptedException {
        done.set(true);
        loop.get();
    }

    /** The server's reply to {@code INFO commandstats}. */
    static String commandStats(RedisServer server) {
        RedisClient client = RedisClient.create(server.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().info("commandstats");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** The number of calls of {@code command} in the reply to {@code INFO commandstats}. */
    static long calls(String commandStats, String command) {
        for (String line : commandStats.split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                String rest = line.substring(("cmdstat_" + command + ":calls=").length());
                return Long.parseLong(rest.substring(0, rest.indexOf(',')));
            }
        }
        return 0;
    }
}
