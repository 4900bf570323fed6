package io.fmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.local.LocalCluster;
import io.fmi.testing.Blame;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/** A failed peer surfaces as an exception on the peers waiting for it, long before their deadline. */
@Timeout(30)
class PeerFailureTest {

    @ParameterizedTest
    @ValueSource(strings = {"Local", "LocalStore"})
    void shouldFailWaitingPeersAtOnceWhenAPeerDies(String backend) {
        ConcurrentHashMap<Integer, Throwable> seen = new ConcurrentHashMap<>();
        IllegalStateException boom = new IllegalStateException("rank 2 crashed");
        long t0 = System.nanoTime();
        // Deadline 20 s: failing within a few seconds proves the failure was reported, not waited out.
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                LocalCluster.run(FmiConfig.defaults().withOnly(backend), 5, LocalCluster.timeout(Duration.ofSeconds(20)), comm -> {
                    if (comm.rank() == 2) {
                        throw boom;
                    }
                    try {
                        double[] out = new double[3];
                        comm.allreduce(new double[] {1, 2, 3}, out, ReduceOp.SUM);
                    } catch (FmiException e) {
                        seen.put(comm.rank(), e);
                        throw e;
                    }
                    return null;
                }));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(boom, thrown, "the cluster rethrows the first failure");
        assertTrue(ms < 10_000, "peers waited " + ms + " ms for a dead peer");
        assertEquals(4, seen.size(), "every surviving rank failed: " + seen.keySet());
        seen.forEach((rank, e) -> assertTrue(e instanceof PeerFailedException,
                "rank " + rank + " got " + e));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Local", "LocalStore"})
    void shouldBlameTheRankThatDiedOnEverySurvivorNotTheOneThatPassedItOn(String backend) {
        // bcast from rank 0 on 4 ranks: rank 3 waits for a rank that waits for rank 0, which dies
        // first; that rank gives up and leaves, and rank 3 must still name rank 0. Several rounds:
        // on a store, a survivor's abort raced the others' reads of the abort marker.
        for (int round = 0; round < 5; round++) {
            ConcurrentHashMap<Integer, Throwable> seen = new ConcurrentHashMap<>();
            assertThrows(IllegalStateException.class, () ->
                    LocalCluster.run(FmiConfig.defaults().withOnly(backend), 4, LocalCluster.timeout(Duration.ofSeconds(20)),
                            comm -> Blame.rankZeroDiesBeforeItsBcast(comm, seen)));
            Blame.assertEverySurvivorBlamesRankZero(seen, 3);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Local", "LocalStore"})
    void shouldReportAPeerThatClosedWhileAnotherWaitsForIt(String backend) {
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        LocalCluster.run(FmiConfig.defaults().withOnly(backend), 2, LocalCluster.timeout(Duration.ofSeconds(20)), comm -> {
            if (comm.rank() == 0) {
                comm.abort(new RuntimeException("rank 0 gave up"));
                closed.countDown();
                return null;
            }
            try {
                closed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long t0 = System.nanoTime();
            error.set(assertThrows(PeerFailedException.class, () -> comm.bcast(new int[1], 0)));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "waited for a peer known to be gone");
            return null;
        });
        assertTrue(error.get().getMessage().contains("bcast"), error.get().getMessage());
    }
}
