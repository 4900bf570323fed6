package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.Communicator;
import io.fmi.ReduceOp;
import io.fmi.local.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sub-communicators run over their parent's connections: one connection per pair of peers, whoever opened it. */
@ExtendWith(LeakCheck.class)
class DirectSubCommunicatorTest {
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    @Test
    @Timeout(60)
    void shouldNeverOpenASecondConnectionForAPair() {
        int n = 6;
        long before = server.stats().totalPairings();
        LocalCluster.run(server.config(), n, comm -> {
            int r = comm.rank();
            // The halves go first: their alltoall opens the connections of their pairs.
            Communicator half = comm.split(r % 2, r);
            int[] in = new int[half.size()];
            int[] out = new int[half.size()];
            java.util.Arrays.fill(out, r);
            half.alltoall(out, in);
            for (int i = 0; i < half.size(); i++) {
                assertEquals(2 * i + r % 2, in[i], "from half rank " + i);
            }
            // Then every pair, on a twin and on the parent: the halves' connections are reused.
            Communicator twin = comm.dup();
            int[] all = new int[n];
            int[] mine = new int[n];
            java.util.Arrays.fill(mine, r);
            twin.alltoall(mine, all);
            comm.alltoall(mine, all);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, all);
            half.close();
            twin.close();
            long[] sum = new long[1];
            comm.allreduce(new long[] {r}, sum, ReduceOp.SUM);
            assertEquals(15, sum[0], "the parent after its sub-communicators closed");
            return null;
        });
        assertEquals(n * (n - 1) / 2, server.stats().totalPairings() - before, "connections opened: one per pair of peers");
    }

    /**
     * A large message (rendezvous) of a sub-communicator is announced with its communicator id: a
     * receive of the same size posted first on the parent does not take it, the twin's receive
     * does; and a sub-communicator's non-blocking large send completes later rather than block, so
     * two ranks that both isend before they receive proceed.
     */
    @Test
    @Timeout(60)
    void shouldBindASubCommunicatorsLargeMessageOnlyToItsOwnCommunicator() {
        int bytes = 256 << 10; // above rendezvous_bytes (64 KiB)
        LocalCluster.run(server.config(), 2, comm -> {
            int r = comm.rank();
            Communicator twin = comm.dup();
            if (r == 0) {
                twin.send(filled(bytes, (byte) 1), 1); // returns once in rank 1's twin receive
                comm.send(filled(bytes, (byte) 2), 1);
            } else {
                byte[] parent = new byte[bytes];
                java.util.concurrent.CompletableFuture<Void> early = comm.irecv(parent, 0);
                byte[] sub = new byte[bytes];
                twin.recv(sub, 0);
                assertArrayEquals(filled(bytes, (byte) 1), sub, "the twin's message, in the twin's receive");
                early.join();
                assertArrayEquals(filled(bytes, (byte) 2), parent, "the parent's message, in the parent's receive");
            }
            byte[] in = new byte[bytes];
            java.util.concurrent.CompletableFuture<Void> out = twin.isend(filled(bytes, (byte) (10 + r)), 1 - r);
            twin.recv(in, 1 - r);
            out.join();
            assertArrayEquals(filled(bytes, (byte) (11 - r)), in, "exchanged by isend, then recv, on the twin");
            twin.close();
            return null;
        });
    }

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, b);
        return a;
    }
}
