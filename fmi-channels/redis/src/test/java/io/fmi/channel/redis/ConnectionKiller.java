package io.fmi.channel.redis;

import io.fmi.channels.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Kills every normal client connection of a server every 5 to 15 ms until closed. */
final class ConnectionKiller implements AutoCloseable {
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicInteger kills = new AtomicInteger();
    private final CompletableFuture<Void> loop;

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

    /** How many times the connections were killed so far. */
    int kills() {
        return kills.get();
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
