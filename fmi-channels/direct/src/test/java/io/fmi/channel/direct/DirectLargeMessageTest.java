package io.fmi.channel.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.FmiTimeoutException;
import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Large messages through the caller-driven I/O: payloads written from the caller's buffer, sends
 * that outlast the socket buffers, and what a sender leaves behind when its deadline passes; with
 * the rendezvous protocol (the default above 64 KiB) and, where the eager path's behaviour is the
 * point, with {@code rendezvous_bytes} set so high that every message is eager.
 */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class DirectLargeMessageTest {
    private static final int BIG = 24 << 20; // well beyond loopback socket buffers
    @RegisterExtension
    static final DirectTesting server = new DirectTesting();

    private static byte[] payload(int rank, int n) {
        byte[] b = new byte[n];
        new Random(rank * 31L + n).nextBytes(b);
        return b;
    }

    /** Every message eager: the write path without the rendezvous protocol. */
    private static io.fmi.FmiConfig eager() {
        return server.config(d -> d.put("rendezvous_bytes", Integer.MAX_VALUE));
    }

    @Test
    void shouldExchangeLargeEagerMessagesBothWaysAtOnceWithoutDeadlock() {
        List<Boolean> ok = LocalCluster.run(eager(), 2, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
            int other = 1 - comm.rank();
            byte[] out = payload(comm.rank(), BIG);
            byte[] in = new byte[BIG];
            for (int round = 0; round < 3; round++) {
                // Both send first: each send outlasts the socket buffers, so each must read while it writes.
                comm.send(out, other);
                comm.recv(in, other);
                assertArrayEquals(payload(other, BIG), in, "round " + round + " on rank " + comm.rank());
            }
            return true;
        });
        assertEquals(List.of(true, true), ok);
    }

    @Test
    void shouldExchangeLargeMessagesBothWaysAtOnceWhileBothPayloadsMove() {
        List<Boolean> ok = LocalCluster.run(server.config(), 2, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
            int other = 1 - comm.rank();
            byte[] out = payload(comm.rank(), BIG);
            byte[] in = new byte[BIG];
            for (int round = 0; round < 3; round++) {
                // Both payloads move at once, each outlasting the socket buffers: each side reads while it writes.
                CompletableFuture<Void> s = comm.isend(out, other);
                comm.recv(in, other);
                s.join();
                assertArrayEquals(payload(other, BIG), in, "round " + round + " on rank " + comm.rank());
            }
            return true;
        });
        assertEquals(List.of(true, true), ok);
    }

    /**
     * As MPI_Send above the eager limit: a large message moves only into a posted receive, so two
     * blocking sends to each other before either receives cannot complete. Each fails at its
     * deadline saying why, takes its message back, and the ranks go on.
     */
    @Test
    void shouldFailCrossingBlockingLargeSendsAtTheDeadlineNamingTheCause() {
        List<Boolean> ok = LocalCluster.run(server.config(), 2, b -> b.timeout(Duration.ofMillis(1500)), comm -> {
            int other = 1 - comm.rank();
            comm.barrier(); // connected
            long t0 = System.nanoTime();
            FmiTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(FmiTimeoutException.class,
                    () -> comm.send(payload(comm.rank(), BIG), other));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 1400 && ms < 5000, "failed after " + ms + " ms (deadline 1500 ms)");
            assertTrue(e.getMessage().contains("rank " + other + " posted no receive") && e.getMessage().contains("rendezvous_bytes"),
                    e.getMessage());
            // the announcements were taken back (each withdrawal reaches the other rank before this
            // barrier's message): nothing is left to receive, and the ranks still talk
            comm.barrier();
            FmiTimeoutException none = org.junit.jupiter.api.Assertions.assertThrows(FmiTimeoutException.class,
                    () -> comm.recv(new byte[BIG], other));
            assertTrue(none.getMessage().contains("receive of " + BIG + " bytes"), none.getMessage());
            comm.barrier(); // both receives gave up
            int[] got = new int[1];
            CompletableFuture<Void> s = comm.isend(new int[] {comm.rank() + 7}, other);
            comm.recv(got, other);
            s.join();
            assertEquals(other + 7, got[0]);
            return true;
        });
        assertEquals(List.of(true, true), ok);
    }

    /**
     * Typed buffers of this size come from the per-thread pool and go back to it after each call,
     * while the ring allreduce writes 266 KB chunks straight from them: no call may see another's data.
     */
    @Test
    void shouldKeepLargeTypedCallsApartWhileTheirPooledArraysAreReused() {
        int n = 3;
        int len = 100_001; // 800 KB of doubles: ring chunks above the size sent from the caller's bytes
        List<Boolean> ok = LocalCluster.run(server.config(), n, comm -> {
            int r = comm.rank();
            double[] send = new double[len];
            double[] sum = new double[len];
            long[] big = new long[len];
            int[] msg = new int[2 * len];
            for (int it = 0; it < 8; it++) {
                for (int i = 0; i < len; i++) {
                    send[i] = r * 1_000_000 + it * 1000 + i % 997;
                }
                comm.allreduce(send, sum, io.fmi.ReduceOp.SUM);
                for (int i = 0; i < len; i += 1009) {
                    assertEquals(3_000_000 + 3.0 * (it * 1000 + i % 997), sum[i], "allreduce " + it + ", element " + i);
                }
                int root = it % n;
                Arrays.fill(big, r == root ? it * 7L + 1 : -1);
                comm.bcast(big, root);
                assertEquals(it * 7L + 1, big[len - 1], "bcast " + it);
                int from = it % n;
                int to = (it + 1) % n;
                if (r == from) {
                    Arrays.fill(msg, 40 + it);
                    comm.send(msg, to);
                    Arrays.fill(msg, -5); // the call returned: the buffer is the caller's again
                } else if (r == to) {
                    comm.recv(msg, from);
                    assertEquals(40 + it, msg[0], "recv " + it);
                    assertEquals(40 + it, msg[2 * len - 1], "recv " + it);
                }
            }
            return true;
        });
        assertEquals(List.of(true, true, true), ok);
    }

    @Test
    void shouldKeepWhatAnEagerSendLeavesBehindAtItsDeadlineAndDeliverItLater() {
        List<Long> sendMillis = LocalCluster.run(eager(), 2, b -> b.timeout(Duration.ofMillis(1500)), comm -> {
            byte[] ack = new byte[1];
            if (comm.rank() == 0) {
                comm.barrier(); // connected
                byte[] out = payload(0, BIG);
                long t0 = System.nanoTime();
                comm.send(out, 1); // rank 1 does not read for 3 s: the send returns at its deadline, the rest copied
                long took = (System.nanoTime() - t0) / 1_000_000;
                Arrays.fill(out, (byte) 0); // the caller's buffer is its own again: this must not reach rank 1
                while (true) {
                    try {
                        comm.recv(ack, 1); // rank 1 has the message; meanwhile this thread writes the rest
                        return took;
                    } catch (FmiTimeoutException e) {
                        // rank 1 is still asleep: wait again (a receive given up on is withdrawn)
                    }
                }
            }
            comm.barrier();
            sleep(3000);
            byte[] in = new byte[BIG];
            comm.recv(in, 0);
            assertArrayEquals(payload(0, BIG), in);
            comm.send(ack, 0);
            return 0L;
        });
        long took = sendMillis.get(0);
        assertTrue(took >= 1000 && took < 2900, "the send returned after " + took + " ms (deadline 1500 ms, reader idle 3000 ms)");
    }

    @Test
    void shouldCompleteNonBlockingReceivesWithoutAWaitingThread() {
        List<Boolean> ok = LocalCluster.run(server.config(), 2, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
            int other = 1 - comm.rank();
            byte[] in = new byte[BIG];
            CompletableFuture<Void> r = comm.irecv(in, other);
            comm.isend(payload(comm.rank(), BIG), other).join();
            // Nobody drives the sockets from here on but the background thread.
            r.join();
            assertArrayEquals(payload(other, BIG), in);
            return true;
        });
        assertEquals(List.of(true, true), ok);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A blocking sendrecv whose receive completes before its large send was cleared returns only
     * once the send is written: the send moves from the caller's buffer (for an int[], a pooled
     * byte image that the next operation reuses), so returning early would send what the next
     * operation wrote there.
     */
    @Test
    void shouldReturnFromSendrecvOnlyOnceItsLargeSendIsWritten() {
        int n = 64 << 10; // ints: 256 KiB, above rendezvous_bytes
        List<Boolean> ok = LocalCluster.run(server.config(), 2, b -> b.timeout(Duration.ofSeconds(30)), comm -> {
            int[] first = new int[n];
            Arrays.fill(first, 1);
            int[] second = new int[n];
            Arrays.fill(second, 2);
            if (comm.rank() == 0) {
                int[] got = new int[1];
                comm.sendrecv(first, 1, got, 1); // the receive completes at once, the send when rank 1 posts
                comm.send(second, 1); // its byte image may reuse the array of the first
            } else {
                comm.send(new int[] {7}, 0);
                try {
                    Thread.sleep(300); // rank 0's receive is done, its send announced and waiting
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                int[] in = new int[n];
                comm.recv(in, 0);
                assertArrayEquals(first, in, "the sendrecv's message");
                comm.recv(in, 0);
                assertArrayEquals(second, in, "the next one");
            }
            return true;
        });
        assertEquals(List.of(true, true), ok);
    }
}
