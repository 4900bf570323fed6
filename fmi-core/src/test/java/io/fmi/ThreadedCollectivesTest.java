package io.fmi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two threads of one rank calling collectives on one communicator at once: the second is refused,
 * naming both calls and threads, and takes no sequence number; a thread that calls when nothing
 * of another thread is in flight runs normally.
 */
@Timeout(60)
class ThreadedCollectivesTest {

    @Test
    void shouldRefuseACollectiveFromAnotherThreadWhileOneIsInFlight() {
        List<String> outcome = LocalCluster.run(FmiConfig.defaults().withOnly("Local"), 2, LocalCluster.timeout(Duration.ofSeconds(20)), comm -> {
            int[] sum = new int[1];
            if (comm.rank() == 1) {
                comm.recv(new int[1], 0); // joins the allreduce only once rank 0 has seen the refusal
                comm.allreduce(new int[] {2}, sum, ReduceOp.SUM);
                assertEquals(3, sum[0]);
                int[] b = new int[1];
                comm.bcast(b, 0);
                assertEquals(42, b[0]);
                return "";
            }
            ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "second-thread"));
            try {
                // Cannot complete before rank 1 joins: in flight while the other thread calls.
                CompletableFuture<Void> first = comm.iallreduce(new int[] {1}, sum, ReduceOp.SUM);
                String refused = CompletableFuture.supplyAsync(
                        () -> assertThrows(FmiException.class, () -> comm.bcast(new int[] {7}, 0)).getMessage(), other).join();
                comm.send(new int[] {0}, 1);
                first.join();
                assertEquals(3, sum[0]);
                // Nothing in flight now: the other thread's call runs, as collective #2 on both ranks.
                CompletableFuture.runAsync(() -> comm.bcast(new int[] {42}, 0), other).join();
                return refused + "|" + Thread.currentThread().getName();
            } finally {
                other.shutdown();
            }
        });
        String[] r0 = outcome.get(0).split("\\|");
        String expected = "bcast: called from thread \"second-thread\" while allreduce #1, called from thread \"" + r0[1]
                + "\", is in flight on this rank (expected: the collectives of one communicator called by one thread at a time";
        assertTrue(r0[0].startsWith(expected), r0[0]);
    }

    @Test
    void shouldLetOneThreadQueueSeveralNonBlockingCollectives() {
        List<int[]> outcome = LocalCluster.run(FmiConfig.defaults().withOnly("Local"), 3, LocalCluster.timeout(Duration.ofSeconds(20)), comm -> {
            int[] sum = new int[1];
            int[] max = new int[1];
            CompletableFuture<Void> a = comm.iallreduce(new int[] {comm.rank()}, sum, ReduceOp.SUM);
            CompletableFuture<Void> b = comm.iallreduce(new int[] {comm.rank()}, max, ReduceOp.MAX);
            comm.barrier(); // queued behind both, from the same thread: accepted
            CompletableFuture.allOf(a, b).join();
            return new int[] {sum[0], max[0]};
        });
        for (int[] r : outcome) {
            assertArrayEquals(new int[] {3, 2}, r);
        }
    }
}
