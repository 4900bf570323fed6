package io.fmi.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Communicator;
import io.fmi.FmiException;
import io.fmi.PeerFailedException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A crash of rank 0 before a bcast from it, and the check that every survivor blames rank 0. */
public final class Blame {
    private Blame() {
    }

    /**
     * The body of a cluster run: rank 0 throws, the others bcast from it (and allreduce) and record
     * what they got in {@code seen} before rethrowing it.
     *
     * @param comm the rank's communicator
     * @param seen where survivors record their error
     * @return never returns normally on a survivor that failed
     */
    public static Object rankZeroDiesBeforeItsBcast(Communicator comm, ConcurrentHashMap<Integer, Throwable> seen) {
        if (comm.rank() == 0) {
            throw new IllegalStateException("rank 0 crashed");
        }
        try {
            comm.bcast(new int[4], 0);
            comm.allreduce(new int[] {1}, new int[1], io.fmi.ReduceOp.SUM);
        } catch (FmiException e) {
            seen.put(comm.rank(), e);
            throw e;
        }
        return null;
    }

    /**
     * Every one of {@code survivors} ranks failed with a {@link PeerFailedException} naming rank 0.
     *
     * @param seen      what each survivor got
     * @param survivors how many there are
     */
    public static void assertEverySurvivorBlamesRankZero(Map<Integer, Throwable> seen, int survivors) {
        assertEquals(survivors, seen.size(), "every surviving rank failed: " + seen.keySet());
        seen.forEach((rank, e) -> {
            PeerFailedException p = assertInstanceOf(PeerFailedException.class, e, "rank " + rank);
            assertEquals(0, p.peer(), "rank " + rank + " blamed: " + e.getMessage());
            assertTrue(e.getMessage().contains("rank 0 failed"), e.getMessage());
        });
    }
}
