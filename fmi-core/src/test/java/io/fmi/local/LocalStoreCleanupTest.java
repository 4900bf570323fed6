package io.fmi.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.ReduceOp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The mediated family leaves nothing in the store after close, and jobs sharing a store never meet. */
@Timeout(60)
class LocalStoreCleanupTest {

    /** Runs one job of {@code n} peers by hand (not LocalCluster) on the JVM-wide fabric; returns rank 0's sums. */
    private static List<long[]> job(String name, String runId, int n, long base, ExecutorService pool) {
        FmiConfig cfg = FmiConfig.defaults().withOnly("LocalStore");
        List<CompletableFuture<long[]>> peers = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int rank = r;
            peers.add(CompletableFuture.supplyAsync(() -> {
                try (Communicator c = Communicator.builder().config(cfg).name(name).runId(runId).rank(rank).size(n).build()) {
                    long[] sum = new long[1];
                    long[] b = {rank == 0 ? base : 0};
                    for (int i = 0; i < 5; i++) {
                        c.allreduce(new long[] {base + rank}, sum, ReduceOp.SUM);
                        c.bcast(b, 0);
                        long[] all = new long[n];
                        c.gather(new long[] {rank}, all, n - 1);
                        c.send(new long[] {rank}, (rank + 1) % n);
                        c.recv(new long[1], (rank + n - 1) % n);
                    }
                    c.barrier();
                    long[] last = new long[1];
                    c.bcast(last, n - 1); // a shared object created right before close
                    return new long[] {sum[0], b[0]};
                }
            }, pool));
        }
        List<long[]> out = new ArrayList<>();
        peers.forEach(p -> out.add(p.join()));
        return out;
    }

    @Test
    void shouldLeaveNothingInTheStoreAfterClose() {
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            List<long[]> r = job("cleanup", "run-1", 5, 100, pool);
            assertEquals(5 * 100 + 10, r.get(3)[0]);
            assertEquals(List.of(), LocalFabric.shared().store().keys("cleanup/"), "objects left behind");
            // Two peers: shared objects then have a single reader, who must delete them.
            r = job("cleanup-pair", "run-1", 2, 100, pool);
            assertEquals(2 * 100 + 1, r.get(1)[0]);
            assertEquals(List.of(), LocalFabric.shared().store().keys("cleanup-pair/"), "objects left behind by two peers");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldLeaveNothingInTheStoreAfterSubCommunicatorsAndTheVariableSizeCollectives() {
        FmiConfig cfg = FmiConfig.defaults().withOnly("LocalStore");
        int n = 5;
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            List<CompletableFuture<Long>> peers = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                peers.add(CompletableFuture.supplyAsync(() -> {
                    try (Communicator c = Communicator.builder().config(cfg).name("subs").runId("run-1").rank(rank).size(n).build()) {
                        Communicator half = c.split(rank % 2, rank);
                        Communicator twin = c.dup();
                        long[] sum = new long[1];
                        half.allreduce(new long[] {rank}, sum, ReduceOp.SUM);
                        int[] counts = new int[half.size()];
                        java.util.Arrays.fill(counts, 1);
                        half.allgatherv(new int[] {rank}, new int[half.size()], counts);
                        half.bcast(new int[1], half.size() - 1); // a shared object right before close
                        half.close();
                        twin.alltoallBytes(java.util.Collections.nCopies(n, new byte[3]));
                        twin.bcastObject("x", 0, String.class); // left open: the parent's close closes it
                        c.reduceScatter(new int[n], new int[1], new int[] {1, 1, 1, 1, 1}, ReduceOp.SUM);
                        return sum[0];
                    }
                }, pool));
            }
            for (int r = 0; r < n; r++) {
                assertEquals(r % 2 == 0 ? 6 : 4, peers.get(r).join(), "allreduce in the half of rank " + r);
            }
            assertEquals(List.of(), LocalFabric.shared().store().keys("subs/"), "objects left behind");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldKeepTwoRunsOfTheSameJobApartOnOneStore() {
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            CompletableFuture<List<long[]>> a = CompletableFuture.supplyAsync(() -> job("twins", "a", 4, 1_000, pool));
            CompletableFuture<List<long[]>> b = CompletableFuture.supplyAsync(() -> job("twins", "b", 4, 2_000, pool));
            for (long[] x : a.join()) {
                assertArrayEquals(new long[] {4 * 1_000 + 6, 1_000}, x);
            }
            for (long[] x : b.join()) {
                assertArrayEquals(new long[] {4 * 2_000 + 6, 2_000}, x);
            }
            assertEquals(List.of(), LocalFabric.shared().store().keys("twins/"));
        } finally {
            pool.shutdownNow();
        }
    }
}
