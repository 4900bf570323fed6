package io.fmi.channel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.channels.testing.RedisServer;
import io.fmi.local.LocalCluster;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who owns the Lettuce resources: what the caller passes to {@link RedisChannelProvider} is left
 * open, what FMI creates is shut down when the last channel using it closes.
 */
class RedisResourcesTest {

    private static FmiConfig config() {
        return FmiConfig.defaults().withOnly("Redis").withBackend("Redis", RedisServer.shared().backend());
    }

    /**
     * Three peers: a ring of sends and an allreduce, each checked; rank 0 runs {@code whileOpen}
     * while every channel is open. 20 s per operation, as in the other Redis tests: the first one
     * in a cold JVM on the loaded 2-core machine took 3 s to connect.
     */
    private static void exchange(Consumer<Communicator.Builder> options, Runnable whileOpen) {
        List<Integer> sums = LocalCluster.run(config(), 3, b -> options.accept(b.timeout(Duration.ofSeconds(20))), comm -> {
            assertEquals("redis", comm.channelFor(Operation.SEND, 8));
            int next = (comm.rank() + 1) % comm.size();
            int prev = (comm.rank() + comm.size() - 1) % comm.size();
            int[] got = new int[1];
            comm.send(new int[] {comm.rank()}, next);
            comm.recv(got, prev);
            assertEquals(prev, got[0]);
            int[] sum = new int[1];
            comm.allreduce(new int[] {comm.rank() + 1}, sum, ReduceOp.SUM);
            if (comm.rank() == 0) {
                whileOpen.run();
            }
            comm.barrier();
            return sum[0];
        });
        assertEquals(List.of(6, 6, 6), sums);
    }

    /** Live threads of Lettuce's resources, Netty's event loops and FMI's Redis I/O pools. */
    private static Set<Thread> redisThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith("lettuce-") || t.getName().contains("EventLoop")
                        || t.getName().contains("globalEventExecutor") || t.getName().startsWith("fmi-redis-")))
                .collect(Collectors.toSet());
    }

    private static String names(Set<Thread> threads) {
        return threads.stream().map(Thread::getName).sorted().collect(Collectors.joining(", "));
    }

    private static void assertServes(ClientResources resources) {
        RedisClient probe = RedisClient.create(resources, RedisServer.shared().uri());
        try (StatefulRedisConnection<String, String> c = probe.connect()) {
            assertEquals("PONG", c.sync().ping());
        } finally {
            probe.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    @Timeout(60)
    void shouldLeaveInjectedClientResourcesOpenAfterClose() throws Exception {
        ClientResources resources = DefaultClientResources.create();
        try {
            exchange(b -> b.channelProvider(new RedisChannelProvider(resources)),
                    () -> assertNull(SharedResources.current(), "FMI created resources although the caller passed some"));
            assertFalse(resources.eventExecutorGroup().isShuttingDown(), "the caller's resources were shut down");
            assertServes(resources);
        } finally {
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60)
    void shouldLeaveAnInjectedClientOpenAfterClose() throws Exception {
        ClientResources resources = DefaultClientResources.create();
        RedisClient client = RedisClient.create(resources);
        try {
            exchange(b -> b.channelProvider(new RedisChannelProvider(client)),
                    () -> assertNull(SharedResources.current(), "FMI created resources although the caller passed a client"));
            try (StatefulRedisConnection<String, String> c = client.connect(io.lettuce.core.RedisURI.create(RedisServer.shared().uri()))) {
                assertEquals("PONG", c.sync().ping(), "the caller's client no longer works");
            }
            assertFalse(resources.eventExecutorGroup().isShuttingDown(), "the caller's client's resources were shut down");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60)
    void shouldLeaveNoLettuceOrNettyThreadsBehindWhenFmiCreatedTheResources() throws Exception {
        Set<Thread> before = redisThreads();
        AtomicReference<Set<Thread>> during = new AtomicReference<>();
        exchange(b -> b.channelProvider(new RedisChannelProvider()), () -> {
            assertNotNull(SharedResources.current(), "no FMI resources while channels are open");
            during.set(redisThreads());
        });
        Set<Thread> started = during.get();
        started.removeAll(before);
        assertTrue(started.stream().anyMatch(t -> t.getName().startsWith("lettuce-")),
                "no Lettuce thread while the channels were open, so this test proves nothing: " + names(started));
        assertNull(SharedResources.current(), "FMI's resources are still held after every communicator closed");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Set<Thread> left;
        do {
            left = redisThreads();
            left.removeAll(before);
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("threads left 10 s after the communicators closed: " + names(left));
    }

    @Test
    @Timeout(10)
    void shouldShareFmisResourcesWhileAChannelHoldsThemAndShutThemDownAfterTheLast() {
        ClientResources first = SharedResources.acquire();
        ClientResources second = SharedResources.acquire();
        assertSame(first, second, "channels open at the same time share one set");
        SharedResources.release(first);
        assertFalse(first.eventExecutorGroup().isShuttingDown(), "shut down while a channel still holds them");
        SharedResources.release(second);
        assertTrue(first.eventExecutorGroup().isShuttingDown(), "not shut down when the last channel let go");
        assertNull(SharedResources.current());
        assertThrows(IllegalStateException.class, () -> SharedResources.release(first), "released twice");
        ClientResources next = SharedResources.acquire();
        try {
            assertNotSame(first, next, "a channel opened afterwards must not get shut-down resources");
            assertFalse(next.eventExecutorGroup().isShuttingDown());
        } finally {
            SharedResources.release(next);
        }
    }
}
