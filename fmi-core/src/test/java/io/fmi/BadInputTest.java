package io.fmi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.channel.Channel;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.ChannelProvider;
import io.fmi.local.LocalCluster;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad input gets a clear error naming the operation and the limit, and loses nothing. */
@Timeout(30)
class BadInputTest {

    private static Communicator.Builder valid() {
        return Communicator.builder().config(FmiConfig.defaults().withOnly("Local")).name("job").rank(0).size(2);
    }

    @Test
    void shouldRejectInvalidBuilderSettings() {
        assertMessage(assertThrows(FmiConfigException.class, () -> valid().name(null).build()), "name", "not set");
        assertMessage(assertThrows(FmiConfigException.class, () -> valid().name("a b").build()), "name", "'a b'");
        assertMessage(assertThrows(FmiConfigException.class, () -> valid().size(0).build()), "size: 0", ">= 1");
        assertMessage(assertThrows(FmiConfigException.class, () -> valid().rank(2).build()), "rank: 2", "size = 2");
        assertMessage(assertThrows(FmiConfigException.class, () -> valid().rank(-3).build()), "rank: -3");
        assertMessage(assertThrows(FmiConfigException.class, () -> valid().timeout(Duration.ZERO).build()), "timeout");
        assertMessage(assertThrows(FmiConfigException.class, () -> valid().functionMemoryMiB(0).build()), "functionMemoryMiB");
        assertMessage(assertThrows(FmiConfigException.class, () -> valid().channel(Operation.BCAST, "Nope").build()), "bcast", "Nope");
    }

    @Test
    void shouldRequireARunIdWhereOtherJobsCanMeet() {
        ChannelProvider shared = new ChannelProvider() {
            @Override
            public String backend() {
                return "SharedStore";
            }

            @Override
            public Channel create(ChannelContext context) {
                throw new UnsupportedOperationException("building does no I/O");
            }
        };
        FmiConfig cfg = FmiConfig.fromJson("{\"backends\": {\"SharedStore\": {\"enabled\": true}}}");
        Communicator.Builder b = Communicator.builder().config(cfg).channelProvider(shared).name("kmeans").rank(0).size(2);
        assertMessage(assertThrows(FmiConfigException.class, b::build), "runId: not set", "'kmeans' of 2 peers", "[sharedstore]",
                "Communicator.builder().runId(id)");
        assertMessage(assertThrows(FmiConfigException.class, () -> b.runId("a/b").build()), "runId: 'a/b'");
        b.runId("3f9c2a1e").build().close();
        // No other job can meet a single peer, or peers that talk in memory.
        Communicator.builder().config(cfg).channelProvider(shared).name("kmeans").rank(0).size(1).build().close();
        valid().build().close();
    }

    @Test
    void shouldNameTheMissingProviderWhenNoChannelIsAvailable() {
        FmiConfig onlyDirect = FmiConfig.defaults().withOnly("Direct");
        FmiConfigException e = assertThrows(FmiConfigException.class,
                () -> Communicator.builder().config(onlyDirect).name("x").rank(0).size(2).build());
        assertMessage(e, "Direct", "io.fmi:fmi-channel-direct", "io.fmi:fmi-channels");
        // A single peer needs no channel: it works whatever the configuration.
        try (Communicator alone = Communicator.builder().config(onlyDirect).name("x").rank(0).size(1).build()) {
            int[] out = new int[1];
            alone.allreduce(new int[] {7}, out, ReduceOp.SUM);
            assertEquals(7, out[0]);
        }
    }

    @Test
    void shouldRejectWrongBufferLengthsWithTheOperationAndTheExpectedSize() {
        LocalCluster.run(3, comm -> {
            int[] one = new int[2];
            assertMessage(assertThrows(FmiException.class, () -> comm.gather(one, new int[5], comm.rank())),
                    "gather", "5 elements", "3 * 2 = 6");
            assertMessage(assertThrows(FmiException.class, () -> comm.scatter(new int[7], one, comm.rank())),
                    "scatter", "7 elements", "3 * 2 = 6");
            assertMessage(assertThrows(FmiException.class, () -> comm.allgather(one, new int[4])), "allgather", "4 elements");
            assertMessage(assertThrows(FmiException.class, () -> comm.alltoall(new int[4], new int[4])), "alltoall", "multiple of size = 3");
            assertMessage(assertThrows(FmiException.class, () -> comm.allreduce(one, new int[3], ReduceOp.SUM)), "allreduce", "2 elements", "3");
            assertMessage(assertThrows(FmiException.class, () -> comm.bcast(one, 3)), "bcast", "root rank 3", "size = 3");
            assertMessage(assertThrows(FmiException.class, () -> comm.send(one, -1)), "send", "dest rank -1");
            assertMessage(assertThrows(FmiException.class, () -> comm.allreduce(new double[1], new double[1], ReduceOp.BXOR)),
                    "allreduce", "bxor", "double");
            assertMessage(assertThrows(FmiException.class,
                    () -> comm.allreduce(new long[1], new long[1], ReduceOp.ofInt((a, b) -> a, true, true))), "long");
            // The failed calls consumed no sequence numbers: a real collective still matches on all ranks.
            int[] sum = new int[1];
            comm.allreduce(new int[] {comm.rank() + 1}, sum, ReduceOp.SUM);
            assertEquals(6, sum[0]);
            return null;
        });
    }

    @Test
    void shouldNameTheOperationOfANullOrReadOnlyBuffer() {
        LocalCluster.run(2, comm -> {
            assertMessage(assertThrows(FmiException.class, () -> comm.send((int[]) null, 1)), "send", "send buffer is null", "rank=" + comm.rank());
            assertMessage(assertThrows(FmiException.class, () -> comm.recv((double[]) null, 1)), "recv", "receive buffer is null");
            assertMessage(assertThrows(FmiException.class, () -> comm.allreduce(new long[1], null, ReduceOp.SUM)), "allreduce", "receive buffer is null");
            assertMessage(assertThrows(FmiException.class, () -> comm.bcast((ByteBuffer) null, 0)), "bcast", "buffer is null");
            assertMessage(assertThrows(FmiException.class, () -> comm.allgather(ByteBuffer.allocate(1), ByteBuffer.allocate(2).asReadOnlyBuffer())),
                    "allgather", "read-only");
            // A gather's receive buffer is used at the root only: null elsewhere is fine.
            int[] all = comm.rank() == 0 ? new int[2] : null;
            comm.gather(new int[] {comm.rank() + 5}, all, 0);
            if (comm.rank() == 0) {
                assertArrayEquals(new int[] {5, 6}, all);
            }
            return null;
        });
    }

    @Test
    void shouldFailAReceiveOfTheWrongSizeAndKeepTheMessage() {
        LocalCluster.run(2, comm -> {
            if (comm.rank() == 0) {
                comm.send(new long[] {1, 2, 3}, 1);
            } else {
                FmiException e = assertThrows(FmiException.class, () -> comm.recv(new long[2], 0));
                assertMessage(e, "recv", "rank 0", "24 bytes", "16 bytes", "kept");
                long[] right = new long[3];
                comm.recv(right, 0);
                assertArrayEquals(new long[] {1, 2, 3}, right);
            }
            return null;
        });
    }

    @Test
    void shouldTimeOutNamingTheOperationPeerAndChannel() {
        CountDownLatch done = new CountDownLatch(1);
        List<String> messages = LocalCluster.run(FmiConfig.defaults().withOnly("Local"), 2, LocalCluster.timeout(Duration.ofMillis(300)), comm -> {
            if (comm.rank() == 1) {
                long t0 = System.nanoTime();
                FmiTimeoutException e = assertThrows(FmiTimeoutException.class, () -> comm.recv(new byte[4], 0));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms >= 250 && ms < 5_000, "timed out after " + ms + " ms");
                done.countDown();
                return e.getMessage();
            }
            await(done); // keep rank 0 open until rank 1 timed out
            return "";
        });
        assertMessage(messages.get(1), "recv", "rank 0", "300 ms", "channel=local", "rank=1/2");
    }

    @Test
    void shouldNotDeliverALateMessageIntoAReceiveThatTimedOut() {
        CountDownLatch gaveUp = new CountDownLatch(1);
        LocalCluster.run(FmiConfig.defaults().withOnly("Local"), 2, LocalCluster.timeout(Duration.ofMillis(200)), comm -> {
            if (comm.rank() == 1) {
                byte[] abandoned = new byte[1];
                assertThrows(FmiTimeoutException.class, () -> comm.recv(abandoned, 0));
                gaveUp.countDown(); // now rank 0 sends
                byte[] fresh = new byte[1];
                comm.recv(fresh, 0);
                assertEquals(42, fresh[0]);
                assertEquals(0, abandoned[0], "a message was written into a receive that had given up");
            } else {
                await(gaveUp);
                comm.send(new byte[] {42}, 1);
            }
            return null;
        });
    }

    @Test
    void shouldEndEveryDeadlineAtTheEndOfTheLifetime() {
        CountDownLatch done = new CountDownLatch(1);
        LocalCluster.run(FmiConfig.defaults().withOnly("Local"), 2,
                b -> b.timeout(Duration.ofSeconds(60)).lifetime(Duration.ofMillis(400)), comm -> {
                    if (comm.rank() == 1) {
                        long t0 = System.nanoTime();
                        assertThrows(FmiTimeoutException.class, () -> comm.recv(new byte[1], 0));
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        assertTrue(ms < 5_000, "a 400 ms lifetime let a receive wait " + ms + " ms");
                        done.countDown();
                    } else {
                        await(done);
                    }
                    return null;
                });
        assertMessage(assertThrows(FmiConfigException.class, () -> valid().lifetime(Duration.ofMillis(-5)).build()), "lifetime");
    }

    @Test
    void shouldRefuseOperationsAfterClose() {
        Communicator c = valid().size(1).build();
        c.close();
        c.close();
        assertMessage(assertThrows(FmiException.class, () -> c.barrier()), "barrier", "closed");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "latch");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void assertMessage(Throwable e, String... parts) {
        assertMessage(e.getMessage(), parts);
    }

    static void assertMessage(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message != null && message.contains(p), () -> "message '" + message + "' should mention '" + p + "'");
        }
    }
}
