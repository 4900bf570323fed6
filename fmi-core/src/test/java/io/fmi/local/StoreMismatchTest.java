package io.fmi.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.CollectiveMismatchException;
import io.fmi.FmiConfig;
import io.fmi.ReduceOp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mediated family with ranks in different collectives: objects that two collectives name
 * alike are told apart by their header, and waits for objects the others never write end through
 * the declarations, long before the deadline (20 s here).
 */
@Timeout(60)
class StoreMismatchTest {
    private static final FmiConfig STORE = FmiConfig.defaults().withOnly("LocalStore");

    @Test
    void shouldNotReadAGathersBlocksAsScanOperands() {
        // scan at rank 0 reads g/1 and g/2, which a gather's non-roots write under the same names.
        List<String> outcome = LocalCluster.run(STORE, 3, LocalCluster.timeout(Duration.ofSeconds(20)), comm -> {
            if (comm.rank() == 0) {
                return assertThrows(CollectiveMismatchException.class,
                        () -> comm.scan(new int[] {1, 2}, new int[2], ReduceOp.SUM)).getMessage();
            }
            comm.gather(new int[] {1, 2}, null, 0);
            return "";
        });
        assertTrue(outcome.get(0).startsWith("scan #1: rank 1 wrote ") && outcome.get(0).contains("/c1/g/1 as part of gather #1 (root 0)"),
                outcome.get(0));
    }

    @Test
    void shouldEndAWaitForAnObjectThatAnotherCollectiveNeverWrites() {
        // Rank 0 waits for allreduce operands, the others for rank 0's broadcast: nobody writes what another reads.
        long t0 = System.nanoTime();
        List<String> outcome = LocalCluster.run(STORE, 4, LocalCluster.timeout(Duration.ofSeconds(20)), comm -> {
            CollectiveMismatchException e = assertThrows(CollectiveMismatchException.class, () -> {
                if (comm.rank() == 0) {
                    comm.allreduce(new int[] {1}, new int[1], ReduceOp.SUM);
                } else {
                    comm.bcast(new int[1], 0);
                }
            });
            comm.barrier(); // the next collective runs
            return e.getMessage();
        });
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 5_000, "took " + ms + " ms");
        assertTrue(outcome.get(0).startsWith("allreduce #1: rank ") && outcome.get(0).contains(" said it was in bcast #1 (root 0)"),
                outcome.get(0));
        for (int r = 1; r < 4; r++) {
            assertTrue(outcome.get(r).startsWith("bcast #1 (root 0): rank 0 said it was in allreduce #1"), outcome.get(r));
        }
        assertEquals(4, outcome.size());
    }
}
