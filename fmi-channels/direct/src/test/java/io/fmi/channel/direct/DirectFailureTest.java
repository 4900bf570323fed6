package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiConfigException;
import io.fmi.FmiException;
import io.fmi.FmiTimeoutException;
import io.fmi.PeerFailedException;
import io.fmi.ReduceOp;
import io.fmi.local.LocalCluster;
import io.fmi.testing.Blame;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Peer failure, deadlines, size mismatch and configuration errors over real sockets. */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class DirectFailureTest {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    @Test
    void shouldFailEveryWaitingPeerAtOnceWhenAPeerDiesMidCollective() {
        ConcurrentHashMap<Integer, DirectChannel> channels = new ConcurrentHashMap<>();
        DirectChannelProvider provider = new DirectChannelProvider(c -> channels.put(c.rank(), c));
        int n = 4;
        CountDownLatch started = new CountDownLatch(n);
        List<Object> results = LocalCluster.run(server.config(), n,
                b -> b.channelProvider(provider).timeout(Duration.ofSeconds(30)), comm -> {
                    double[] x = new double[1000];
                    comm.allreduce(x, new double[x.length], ReduceOp.SUM); // all connections are up
                    started.countDown();
                    if (comm.rank() == 0) {
                        await(started);
                        sleep(200); // the others are inside the next allreduce, waiting for rank 0
                        channels.get(0).crash();
                        return "crashed";
                    }
                    long t0 = System.nanoTime();
                    try {
                        comm.allreduce(x, new double[x.length], ReduceOp.SUM);
                        return "completed";
                    } catch (PeerFailedException e) {
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    }
                });
        assertEquals("crashed", results.get(0));
        for (int r = 1; r < n; r++) {
            assertInstanceOf(Long.class, results.get(r), "rank " + r + ": " + results.get(r));
            assertTrue((Long) results.get(r) < 5_000, "rank " + r + " failed after " + results.get(r) + " ms (expected: at once, not at the 30 s deadline)");
        }
    }

    @Test
    void shouldBlameTheRankThatDiedOnEverySurvivorNotTheOneThatPassedItOn() {
        // bcast from rank 0 on 4 ranks: a rank waits for a rank that waits for rank 0, which dies;
        // that rank gives up and aborts, and the rank waiting for it must still name rank 0.
        FmiConfig cfg = server.config(d -> d.put("eager_connect", true));
        ConcurrentHashMap<Integer, Throwable> seen = new ConcurrentHashMap<>();
        assertThrows(IllegalStateException.class, () -> LocalCluster.run(cfg, 4, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
            comm.barrier(); // every connection is up
            return Blame.rankZeroDiesBeforeItsBcast(comm, seen);
        }));
        Blame.assertEverySurvivorBlamesRankZero(seen, 3);
    }

    @Test
    void shouldFailReceiveWithPeerFailedWhenThePeerAborts() {
        java.util.concurrent.atomic.AtomicReference<Throwable> seen = new java.util.concurrent.atomic.AtomicReference<>();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                LocalCluster.run(server.config(), 2, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
                    comm.barrier();
                    if (comm.rank() == 0) {
                        throw new IllegalStateException("rank 0 gives up");
                    }
                    long t0 = System.nanoTime();
                    try {
                        comm.recv(new int[1], 0);
                    } catch (RuntimeException e) {
                        seen.set(e);
                    }
                    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "the receive did not fail at once");
                    return null;
                }));
        assertEquals("rank 0 gives up", thrown.getMessage());
        PeerFailedException e = assertInstanceOf(PeerFailedException.class, seen.get());
        assertEquals(0, e.peer());
        assertTrue(e.getMessage().contains("aborted") && e.getMessage().contains("rank 0 gives up"), e.getMessage());
    }

    @Test
    void shouldFailAReceiveOfTheWrongSizeAndKeepTheMessage() {
        LocalCluster.run(server.config(), 2, b -> b.timeout(Duration.ofSeconds(20)), comm -> {
            if (comm.rank() == 0) {
                comm.send(new long[] {1, 2}, 1);
            } else {
                FmiException e = assertThrows(FmiException.class, () -> comm.recv(new long[3], 0));
                assertTrue(e.getMessage().contains("16 bytes") && e.getMessage().contains("24 bytes"), e.getMessage());
                long[] ok = new long[2];
                comm.recv(ok, 0);
                assertArrayEquals(new long[] {1, 2}, ok);
            }
            return null;
        });
    }

    @Test
    void shouldTimeOutAReceiveNobodySends() {
        LocalCluster.run(server.config(), 2, b -> b.timeout(Duration.ofMillis(700)), comm -> {
            comm.barrier();
            if (comm.rank() == 1) {
                long t0 = System.nanoTime();
                FmiTimeoutException e = assertThrows(FmiTimeoutException.class, () -> comm.recv(new int[1], 0));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms >= 600 && ms < 5_000, "timed out after " + ms + " ms (expected: about 700)");
                assertTrue(e.getMessage().contains("rank 0") && e.getMessage().contains("700 ms") && e.getMessage().contains("direct"), e.getMessage());
            }
            sleep(1000); // rank 0 stays until rank 1 gave up
            return null;
        });
    }

    @Test
    void shouldNotDeadlockWhenTwoPeersFirstSendToEachOther() {
        LocalCluster.run(server.config(), 2, b -> b.timeout(Duration.ofSeconds(20)), comm -> {
            int other = 1 - comm.rank();
            CompletableFuture<Void> s = comm.isend(new int[] {comm.rank() + 40}, other);
            int[] got = new int[1];
            comm.recv(got, other);
            s.join();
            assertEquals(other + 40, got[0]);
            return null;
        });
    }

    @Test
    void shouldConnectEagerlyToEveryPeerWhenConfigured() {
        FmiConfig cfg = server.config(d -> d.put("eager_connect", true).put("spin_us", 0));
        List<Integer> sums = LocalCluster.run(cfg, 5, b -> b.timeout(Duration.ofSeconds(20)), comm -> {
            int[] out = new int[1];
            comm.allreduce(new int[] {comm.rank()}, out, ReduceOp.SUM);
            return out[0];
        });
        assertEquals(List.of(10, 10, 10, 10, 10), sums);
    }

    @Test
    void shouldBuildWithoutNetworkIoAndRejectBadSettings() {
        FmiConfig noServer = FmiConfig.defaults().withOnly("Direct").withBackend("Direct",
                FmiConfig.newObject().put("enabled", true).put("host", "127.0.0.1").put("port", 9));
        try (Communicator c = Communicator.builder().config(noServer).name("offline").runId("r1").rank(0).size(2).build()) {
            assertEquals(2, c.size()); // nothing connected yet
        }
        FmiConfig bad = server.config(d -> d.put("spin_us", -5));
        try (Communicator c = Communicator.builder().config(bad).name("bad").runId("r1").rank(0).size(2).timeout(Duration.ofSeconds(2)).build()) {
            FmiException e = assertThrows(FmiException.class, () -> c.send(new int[1], 1));
            Throwable t = e;
            while (!(t instanceof FmiConfigException) && t.getCause() != null) {
                t = t.getCause();
            }
            assertInstanceOf(FmiConfigException.class, t, e.toString());
            assertTrue(t.getMessage().contains("backends.Direct.spin_us"), t.getMessage());
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
