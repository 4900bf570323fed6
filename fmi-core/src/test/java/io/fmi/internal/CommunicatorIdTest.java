package io.fmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Communicator;
import io.fmi.FmiException;
import io.fmi.local.LocalCluster;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sub-communicator ids are 31-bit hashes: a process refuses one that a communicator of its own
 * already had, open or closed, rather than let two communicators share a message space. The test
 * finds a real collision of the hash and makes a single-rank communicator reach it.
 */
@Timeout(60)
class CommunicatorIdTest {

    /** Two (sequence number, color) splits of communicator 0 whose ids collide: {seq1, color1, seq2, color2}. */
    private static long[] collision() {
        Map<Integer, long[]> seen = new HashMap<>();
        for (long seq = 1; seq < 1_000_000; seq++) {
            for (int color = 0; color < 4; color++) {
                long[] before = seen.putIfAbsent(DefaultCommunicator.childId(0, seq, color), new long[] {seq, color});
                if (before != null) {
                    return new long[] {before[0], before[1], seq, color};
                }
            }
        }
        throw new AssertionError("no collision among 4 million ids of 31 bits");
    }

    @Test
    void shouldRefuseAnIdThatAClosedSubCommunicatorHad() {
        long[] c = collision();
        assertEquals(DefaultCommunicator.childId(0, c[0], (int) c[1]), DefaultCommunicator.childId(0, c[2], (int) c[3]));
        LocalCluster.run(1, comm -> {
            for (long seq = 1; seq < c[0]; seq++) {
                comm.barrier(); // each takes a sequence number: the split below is collective #c[0]
            }
            Communicator first = comm.split((int) c[1], 0);
            first.close();
            for (long seq = c[0] + 1; seq < c[2]; seq++) {
                comm.barrier();
            }
            FmiException e = assertThrows(FmiException.class, () -> comm.split((int) c[3], 0));
            assertTrue(e.getMessage().contains("split #" + c[2]) && e.getMessage().contains("(closed)")
                    && e.getMessage().contains("hash collision"), e.getMessage());
            Communicator next = comm.split((int) c[3], 0); // the next call gives another id
            next.barrier();
            return null;
        });
    }
}
