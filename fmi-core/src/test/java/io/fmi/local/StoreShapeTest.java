package io.fmi.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.ReduceOp;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The storage-shaped algorithms write only what they move: objects counted on an in-memory store
 * of the test's own. Every run also writes the n-1 releases of the closing barrier.
 */
@Timeout(60)
class StoreShapeTest {
    private static final int N = 8;

    /** Objects written by one run of {@code body} on {@code N} peers, the closing barrier's n-1 releases left out. */
    private static long writes(Consumer<Communicator> body) {
        LocalFabric fabric = new LocalFabric();
        LocalCluster.run(FmiConfig.defaults().withOnly("LocalStore"), N,
                b -> b.channelProvider(new LocalStoreChannelProvider(fabric)), comm -> {
                    body.accept(comm);
                    return null;
                });
        return fabric.store().writes() - (N - 1);
    }

    @Test
    void shouldWriteOneObjectPerDestinationWithDataInASparseShuffle() {
        // Each rank sends three ints to the next rank only: 8 objects, where alltoall writes 56.
        long sparse = writes(comm -> {
            int r = comm.rank();
            int[] sc = new int[N];
            int[] rc = new int[N];
            sc[(r + 1) % N] = 3;
            rc[(r - 1 + N) % N] = 3;
            int[] in = new int[3];
            comm.alltoallv(new int[] {r, r, r}, sc, in, rc);
            assertArrayEquals(new int[] {(r - 1 + N) % N, (r - 1 + N) % N, (r - 1 + N) % N}, in);
        });
        assertEquals(N, sparse);
        assertEquals(N * (N - 1), writes(comm -> comm.alltoall(new int[N], new int[N])));
    }

    @Test
    void shouldWriteNothingForEmptyBlocks() {
        int[] counts = new int[N];
        counts[3] = 5;
        counts[5] = 1;
        assertEquals(2, writes(comm -> comm.gatherv(new int[counts[comm.rank()]], new int[6], counts, 0)), "two ranks with data");
        assertEquals(2, writes(comm -> comm.scatterv(new int[6], counts, new int[counts[comm.rank()]], 0)));
        assertEquals(0, writes(comm -> comm.allgatherv(new int[0], new int[0], new int[N])), "nothing to gather");
        assertEquals(2 + 1, writes(comm -> comm.allgatherv(new int[counts[comm.rank()]], new int[6], counts)),
                "two blocks to rank 0, one object with all of them");
    }

    @Test
    void shouldReduceScatterWithTheRequestsOfAnAllreduce() {
        int[] ones = new int[N];
        java.util.Arrays.fill(ones, 1);
        long rs = writes(comm -> comm.reduceScatter(new long[N], new long[1], ones, ReduceOp.SUM));
        assertEquals(2 * (N - 1), rs, "n-1 operands to rank 0, n-1 blocks from it");
    }
}
