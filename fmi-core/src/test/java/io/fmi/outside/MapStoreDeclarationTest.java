package io.fmi.outside;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.local.LocalCluster;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rank's declaration of the collective it waits in is read, not taken, by the peer that waits
 * for it, so it is stored as an object of several readers even at two ranks (on Redis a stream:
 * written as a list, its read failed with WRONGTYPE and so did the collective).
 * {@link MapStoreChannel} refuses such a read as Redis does, and declares after 20 ms of waiting.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MapStoreDeclarationTest {
    private static final FmiConfig CONFIG = FmiConfig.fromJson("""
            {"backends": {"Local": {"enabled": false}, "MapStore": {"enabled": true}}}
            """);

    @Test
    void shouldReadTheDeclarationOfAPeerAtTwoRanks() {
        // Rank 0 reduces: it waits for rank 1's operand past 20 ms and declares. Rank 1 then waits
        // for the result while rank 0 reduces and writes 32 MB, past 20 ms too, and reads rank 0's
        // declaration.
        int n = 4 << 20;
        List<Double> last = LocalCluster.run(CONFIG, 2, comm -> {
            assertEquals("mapstore", comm.channelFor(Operation.ALLREDUCE, 8L * n).toLowerCase(Locale.ROOT));
            if (comm.rank() == 1) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            double[] send = new double[n];
            Arrays.fill(send, comm.rank() + 1);
            double[] recv = new double[n];
            comm.allreduce(send, recv, ReduceOp.SUM);
            return recv[n - 1];
        });
        assertEquals(List.of(3.0, 3.0), last);
    }
}
