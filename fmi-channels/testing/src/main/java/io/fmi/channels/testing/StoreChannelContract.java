package io.fmi.channels.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every mediated channel on a real server must do besides the collective contract
 * ({@code io.fmi.testing.CollectiveContract}): keep two jobs of the same name apart, delete what it
 * created at close, carry payloads larger than its chunk size, and ride out a server restart or
 * fail clearly within the deadline when the server is gone.
 *
 * <pre>
 * class RedisChannelTest extends StoreChannelContract {
 *     protected String backend() { return "Redis"; }
 *     protected ObjectNode backendEntry() { return RedisServer.shared().backend(); }
 *     ...
 * }
 * </pre>
 */
public abstract class StoreChannelContract {

    /** Backend name in {@code fmi.json}, e.g. {@code "Redis"}. */
    protected abstract String backend();

    /** Channel name {@code channelFor} reports, e.g. {@code "redis"}. */
    protected abstract String expectedChannel();

    /** An enabled backend entry reaching the server shared by this JVM's tests. */
    protected abstract ObjectNode backendEntry();

    /** Names of the objects (keys, items) currently stored under {@code keyPrefix}. */
    protected abstract List<String> storedUnder(ObjectNode entry, String keyPrefix);

    /** The configuration key of the chunk size, or null when the channel does not chunk. */
    protected abstract String chunkKey();

    /** A private server that {@link #shouldCompleteOperationsAcrossAServerRestart} may stop and start. */
    protected abstract RestartableServer restartableServer();

    protected FmiConfig config(ObjectNode entry) {
        return FmiConfig.defaults().withOnly(backend()).withBackend(backend(), entry);
    }

    /** The shared server's entry with its own key prefix, so a test sees only its own objects. */
    protected ObjectNode isolated(String prefix) {
        return backendEntry().put("key_prefix", prefix);
    }

    private <R> List<R> run(FmiConfig cfg, int n, Duration timeout, Function<Communicator, R> body) {
        return LocalCluster.run(cfg, n, b -> b.timeout(timeout), comm -> {
            assertEquals(expectedChannel(), comm.channelFor(Operation.ALLREDUCE, 8), "channel under test");
            return body.apply(comm);
        });
    }

    /** Runs one allreduce of {@code rank + 1} on {@code n} peers over {@code entry}; returns the sum. */
    protected long sumOver(ObjectNode entry, int n, Duration timeout) {
        return run(config(entry), n, timeout, comm -> {
            long[] s = new long[1];
            comm.allreduce(new long[] {comm.rank() + 1}, s, ReduceOp.SUM);
            return s[0];
        }).get(0);
    }

    private static long[] ranks(Communicator comm, long salt) {
        return new long[] {comm.rank(), salt, comm.rank() * salt};
    }

    @Test
    @Timeout(90)
    void shouldKeepTwoJobsWithTheSameNameApart() {
        String prefix = "twins-" + UUID.randomUUID() + "/";
        FmiConfig cfg = config(isolated(prefix));
        int n = 3;
        Function<Long, List<Long>> job = salt -> LocalCluster.run(cfg, n, b -> b.name("twin").timeout(Duration.ofSeconds(30)), comm -> {
            assertEquals(expectedChannel(), comm.channelFor(Operation.BARRIER, 0));
            long total = 0;
            for (int i = 0; i < 8; i++) {
                comm.barrier();
                long[] sum = new long[3];
                comm.allreduce(ranks(comm, salt + i), sum, ReduceOp.SUM);
                assertArrayEquals(new long[] {n * (n - 1) / 2, n * (salt + i), (salt + i) * n * (n - 1) / 2}, sum);
                long[] b = comm.rank() == i % n ? new long[] {salt, i} : new long[2];
                comm.bcast(b, i % n);
                assertArrayEquals(new long[] {salt, i}, b);
                long[] got = new long[1];
                comm.send(new long[] {salt * 100 + comm.rank()}, (comm.rank() + 1) % n);
                comm.recv(got, (comm.rank() + n - 1) % n);
                assertEquals(salt * 100 + (comm.rank() + n - 1) % n, got[0]);
                total += sum[1];
            }
            return total;
        });
        CompletableFuture<List<Long>> a = CompletableFuture.supplyAsync(() -> job.apply(1000L));
        CompletableFuture<List<Long>> b = CompletableFuture.supplyAsync(() -> job.apply(7000L));
        assertEquals(a.join().get(0) + 6000L * n * 8, b.join().get(0));
        assertEquals(List.of(), storedUnder(backendEntry(), prefix), "objects left behind by the two jobs");
    }

    @Test
    @Timeout(90)
    void shouldDeleteWhatItCreatedAtClose() {
        String prefix = "clean-" + UUID.randomUUID() + "/";
        run(config(isolated(prefix)), 4, Duration.ofSeconds(30), comm -> {
            int n = comm.size();
            int r = comm.rank();
            int[] one = {r + 1};
            int[] all = new int[n];
            comm.bcast(one, 2);
            comm.gather(one, all, 1);
            comm.scatter(all, one, 1);
            comm.reduce(one, new int[1], 3, ReduceOp.MAX);
            comm.allreduce(one, new int[1], ReduceOp.SUM);
            comm.allgather(one, all);
            comm.alltoall(all, new int[n]);
            comm.scan(one, new int[1], ReduceOp.SUM);
            comm.barrier();
            comm.bcast(one, 0);
            comm.send(one, (r + 1) % n);
            comm.recv(one, (r + n - 1) % n);
            return null;
        });
        assertEquals(List.of(), storedUnder(backendEntry(), prefix), "objects left in the store after close");
    }

    @Test
    @Timeout(120)
    void shouldCarryPayloadsLargerThanAChunk() {
        ObjectNode entry = isolated("big-" + UUID.randomUUID() + "/");
        if (chunkKey() != null) {
            entry.put(chunkKey(), 65_536);
        }
        int size = 300_001;
        run(config(entry), 3, Duration.ofSeconds(60), comm -> {
            byte[] expected = new byte[size];
            for (int i = 0; i < size; i++) {
                expected[i] = (byte) (i * 31 + 7);
            }
            byte[] buf = comm.rank() == 1 ? expected.clone() : new byte[size];
            comm.bcast(buf, 1);
            assertArrayEquals(expected, buf, "bcast of " + size + " B");
            byte[] got = new byte[size];
            comm.send(expected, (comm.rank() + 1) % 3);
            comm.recv(got, (comm.rank() + 2) % 3);
            assertArrayEquals(expected, got, "send of " + size + " B");
            byte[] wrong = new byte[size - 1];
            if (comm.rank() == 0) {
                comm.send(expected, 1);
            } else if (comm.rank() == 1) {
                FmiException e = assertThrows(FmiException.class, () -> comm.recv(wrong, 0));
                assertTrue(e.getMessage().contains(size + " bytes"), e.getMessage());
            }
            return null;
        });
    }

    @Test
    @Timeout(120)
    void shouldCompleteOperationsAcrossAServerRestart() throws Exception {
        try (RestartableServer server = restartableServer()) {
            FmiConfig cfg = config(server.backend());
            int n = 2;
            int rounds = 30;
            CountDownLatch halfway = new CountDownLatch(n);
            CompletableFuture<Void> outage = CompletableFuture.runAsync(() -> {
                try {
                    halfway.await(60, TimeUnit.SECONDS);
                    server.stop();
                    Thread.sleep(1500);
                    server.start();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Long> sums = run(cfg, n, Duration.ofSeconds(30), comm -> {
                long total = 0;
                for (int i = 0; i < rounds; i++) {
                    if (i == 5) {
                        halfway.countDown();
                    }
                    long[] s = new long[3];
                    comm.allreduce(ranks(comm, i), s, ReduceOp.SUM);
                    assertArrayEquals(new long[] {1, 2L * i, i}, s, "allreduce " + i);
                    long[] got = new long[1];
                    comm.send(new long[] {i * 10L + comm.rank()}, 1 - comm.rank());
                    comm.recv(got, 1 - comm.rank());
                    assertEquals(i * 10L + 1 - comm.rank(), got[0], "message " + i);
                    total += s[1];
                    sleepQuietly(50);
                }
                return total;
            });
            outage.get(30, TimeUnit.SECONDS);
            assertEquals(List.of((long) rounds * (rounds - 1), (long) rounds * (rounds - 1)), sums);
        }
    }

    @Test
    @Timeout(60)
    void shouldFailWithinTheDeadlineWhenTheServerIsGone() {
        RestartableServer server = restartableServer();
        FmiConfig cfg = config(server.backend());
        long[] started = new long[1];
        FmiException e;
        try {
            e = assertThrows(FmiException.class, () -> run(cfg, 2, Duration.ofSeconds(3), comm -> {
                comm.allreduce(new long[] {1}, new long[1], ReduceOp.SUM);
                comm.barrier();
                if (comm.rank() == 0) {
                    server.stop();
                    started[0] = System.nanoTime();
                }
                comm.allreduce(new long[] {1}, new long[1], ReduceOp.SUM);
                return null;
            }));
        } finally {
            server.close();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started[0]);
        assertTrue(ms < 20_000, "failed only after " + ms + " ms (deadline 3000 ms)");
        assertTrue(e.getMessage().contains(expectedChannel()), "the error names the channel: " + e.getMessage());
    }

    @Test
    @Timeout(60)
    void shouldKeepAMessageOfTheWrongSizeForALaterReceive() {
        run(config(isolated("sizes-" + UUID.randomUUID() + "/")), 2, Duration.ofSeconds(20), comm -> {
            if (comm.rank() == 0) {
                comm.send(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 1);
                comm.send(new long[] {9}, 1);
            } else {
                FmiException e = assertThrows(FmiException.class, () -> comm.recv(new long[4], 0));
                assertTrue(e.getMessage().contains("64 bytes") && e.getMessage().contains("32 bytes"), e.getMessage());
                assertTrue(e.getMessage().contains("stays in the store"), e.getMessage());
                long[] got = new long[8];
                comm.recv(got, 0);
                assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, got, "the first message, kept by the failed receive");
                long[] next = new long[1];
                comm.recv(next, 0);
                assertArrayEquals(new long[] {9}, next, "the second message, in order");
            }
            return null;
        });
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
