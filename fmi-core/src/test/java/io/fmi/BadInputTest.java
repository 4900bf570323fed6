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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
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
    void shouldNameTheOperationOfANullBufferForEveryOperationKind() {
        LocalCluster.run(2, comm -> {
            int[] one = {1};
            int[] two = new int[2];
            int[] counts = {1, 1};
            Map<String, Supplier<Object>> calls = new LinkedHashMap<>();
            calls.put("send", () -> run(() -> comm.send((int[]) null, 1)));
            calls.put("isend", () -> comm.isend((int[]) null, 1));
            calls.put("recv", () -> run(() -> comm.recv((int[]) null, 1)));
            calls.put("irecv", () -> comm.irecv((int[]) null, 1));
            calls.put("sendrecv", () -> run(() -> comm.sendrecv(one, 1, (int[]) null, 1)));
            calls.put("isendrecv", () -> comm.isendrecv((int[]) null, 1, one, 1));
            calls.put("bcast", () -> run(() -> comm.bcast((int[]) null, 0)));
            calls.put("ibcast", () -> comm.ibcast((int[]) null, 0));
            calls.put("gather", () -> run(() -> comm.gather((int[]) null, two, 0)));
            calls.put("igather", () -> comm.igather((int[]) null, two, 0));
            calls.put("scatter", () -> run(() -> comm.scatter(two, (int[]) null, 0)));
            calls.put("iscatter", () -> comm.iscatter(two, (int[]) null, 0));
            calls.put("allgather", () -> run(() -> comm.allgather((int[]) null, two)));
            calls.put("iallgather", () -> comm.iallgather(one, (int[]) null));
            calls.put("alltoall", () -> run(() -> comm.alltoall(two, (int[]) null)));
            calls.put("ialltoall", () -> comm.ialltoall((int[]) null, two));
            calls.put("reduce", () -> run(() -> comm.reduce((int[]) null, one, 0, ReduceOp.SUM)));
            calls.put("ireduce", () -> comm.ireduce((int[]) null, one, 0, ReduceOp.SUM));
            calls.put("allreduce", () -> run(() -> comm.allreduce((int[]) null, one, ReduceOp.SUM)));
            calls.put("iallreduce", () -> comm.iallreduce(one, (int[]) null, ReduceOp.SUM));
            calls.put("scan", () -> run(() -> comm.scan((int[]) null, one, ReduceOp.SUM)));
            calls.put("iscan", () -> comm.iscan(one, (int[]) null, ReduceOp.SUM));
            calls.put("exscan", () -> run(() -> comm.exscan((int[]) null, one, ReduceOp.SUM)));
            calls.put("iexscan", () -> comm.iexscan(one, (int[]) null, ReduceOp.SUM));
            calls.put("gatherv", () -> run(() -> comm.gatherv((int[]) null, two, counts, 0)));
            calls.put("igatherv", () -> comm.igatherv((int[]) null, two, counts, 0));
            calls.put("scatterv", () -> run(() -> comm.scatterv(two, counts, (int[]) null, 0)));
            calls.put("iscatterv", () -> comm.iscatterv(two, counts, (int[]) null, 0));
            calls.put("allgatherv", () -> run(() -> comm.allgatherv((int[]) null, two, counts)));
            calls.put("iallgatherv", () -> comm.iallgatherv(one, (int[]) null, counts));
            calls.put("alltoallv", () -> run(() -> comm.alltoallv((int[]) null, counts, two, counts)));
            calls.put("ialltoallv", () -> comm.ialltoallv(two, counts, (int[]) null, counts));
            calls.put("reduceScatter", () -> run(() -> comm.reduceScatter((int[]) null, one, counts, ReduceOp.SUM)));
            calls.put("ireduceScatter", () -> comm.ireduceScatter(two, (int[]) null, counts, ReduceOp.SUM));
            calls.put("sendBytes", () -> run(() -> comm.send((byte[]) null, 1)));
            calls.put("gatherBytes", () -> comm.gatherBytes(null, 0));
            calls.put("igatherBytes", () -> comm.igatherBytes(null, 0));
            calls.put("allgatherBytes", () -> comm.allgatherBytes(null));
            calls.put("iallgatherBytes", () -> comm.iallgatherBytes(null));
            calls.put("alltoallBytes", () -> comm.alltoallBytes(null));
            calls.put("ialltoallBytes", () -> comm.ialltoallBytes(null));
            calls.forEach((name, call) -> {
                Throwable t = refusal(call);
                assertTrue(t instanceof FmiException, name + " threw " + t);
                String verb = name.replaceFirst("^i(?=[a-z])", "").replace("sendBytes", "send");
                assertMessage(t.getMessage(), verb, "null", "rank=" + comm.rank());
            });
            // None of them took a sequence number: a real collective still matches on both ranks.
            int[] sum = new int[1];
            comm.allreduce(new int[] {comm.rank() + 1}, sum, ReduceOp.SUM);
            assertEquals(3, sum[0]);
            return null;
        });
    }

    private static Object run(Runnable call) {
        call.run();
        return null;
    }

    /** What {@code call} threw, or what the future it returned failed with; an AssertionError if it succeeded. */
    private static Throwable refusal(Supplier<Object> call) {
        try {
            Object r = call.get();
            if (r instanceof CompletableFuture) {
                ((CompletableFuture<?>) r).join();
            }
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("a null buffer was accepted");
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
    void shouldRejectCountsThatDoNotAddUpNamingTheOperationRankCountsAndLimit() {
        LocalCluster.run(3, comm -> {
            int r = comm.rank();
            int[] one = {r};
            assertMessage(assertThrows(FmiException.class, () -> comm.gatherv(one, new int[3], new int[] {1, 1}, 0)),
                    "gatherv", "counts has 2 entries [1, 1]", "size = 3", "rank=" + r + "/3");
            assertMessage(assertThrows(FmiException.class, () -> comm.allgatherv(one, new int[1], new int[] {1, -1, 1})),
                    "allgatherv", "counts[1] = -1 in [1, -1, 1]", ">= 0");
            assertMessage(assertThrows(FmiException.class, () -> comm.gatherv(one, new int[5], new int[] {1, 1, 1}, r)),
                    "gatherv", "receive buffer holds 5 elements", "sum of counts [1, 1, 1] = 3");
            assertMessage(assertThrows(FmiException.class, () -> comm.scatterv(new int[4], new int[] {2, 2, 0}, new int[1], 0)),
                    "scatterv", "receive buffer holds 1 elements", "counts[" + r + "] = " + new int[] {2, 2, 0}[r]);
            assertMessage(assertThrows(FmiException.class, () -> comm.gatherv(new int[2], new int[3], new int[] {1, 1, 1}, 0)),
                    "gatherv", "send buffer holds 2 elements", "counts[" + r + "] = 1");
            assertMessage(assertThrows(FmiException.class, () -> comm.allgatherv(one, new int[3], null)),
                    "allgatherv", "counts is null", "3 counts");
            assertMessage(assertThrows(FmiException.class, () -> comm.alltoallv(new int[3], new int[] {1, 1, 1}, new int[6], new int[] {2, 2, 2})),
                    "alltoallv", "sendCounts[" + r + "] = 1 but recvCounts[" + r + "] = 2", "itself");
            assertMessage(assertThrows(FmiException.class, () -> comm.alltoallv(new int[2], new int[] {1, 1, 1}, new int[3], new int[] {1, 1, 1})),
                    "alltoallv", "send buffer holds 2", "sum of sendCounts [1, 1, 1] = 3");
            assertMessage(assertThrows(FmiException.class, () -> comm.reduceScatter(new int[4], one, new int[] {1, 1, 1}, ReduceOp.SUM)),
                    "reduceScatter", "send buffer holds 4", "= 3");
            assertMessage(assertThrows(FmiException.class, () -> comm.reduceScatter(new double[3], new double[1], new int[] {1, 1, 1}, ReduceOp.BAND)),
                    "reduceScatter", "band", "double");
            assertMessage(assertThrows(FmiException.class, () -> comm.alltoallBytes(java.util.List.of(new byte[0]))),
                    "alltoallBytes", "1 arrays", "size = 3");
            assertMessage(assertThrows(FmiException.class, () -> comm.recvBytes(3)), "recvBytes", "src rank 3");
            // None of the refused calls took a sequence number: a real collective still matches on all ranks.
            int[] all = new int[3];
            comm.allgatherv(one, all, new int[] {1, 1, 1});
            assertArrayEquals(new int[] {0, 1, 2}, all);
            return null;
        });
    }

    @Test
    void shouldFailTheRankWhoseCountsDisagreeWithTheSenderAndLetTheOthersFinish() {
        long t0 = System.nanoTime();
        List<String> outcome = LocalCluster.run(FmiConfig.defaults().withOnly("Local"), 2, LocalCluster.timeout(Duration.ofSeconds(20)), comm -> {
            // Rank 0 sends rank 1 two ints; rank 1 expects one.
            int[] sc = comm.rank() == 0 ? new int[] {0, 2} : new int[] {0, 0};
            int[] rc = comm.rank() == 0 ? new int[] {0, 0} : new int[] {1, 0};
            int[] send = new int[java.util.Arrays.stream(sc).sum()];
            int[] recv = new int[java.util.Arrays.stream(rc).sum()];
            if (comm.rank() == 1) {
                FmiException e = assertThrows(FmiException.class, () -> comm.alltoallv(send, sc, recv, rc));
                return e.getMessage();
            }
            comm.alltoallv(send, sc, recv, rc);
            return "done";
        });
        assertEquals("done", outcome.get(0));
        assertMessage(outcome.get(1), "alltoallv #1", "message from rank 0 has 8 bytes", "receive buffer holds 4 bytes");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "a rank waited for its deadline");
    }

    @Test
    void shouldRefuseAMessageOverMaxMessageBytesNamingTheLimitAndKeepIt() {
        FmiConfig small = FmiConfig.defaults().withOnly("Local")
                .withBackend("Local", FmiConfig.newObject().put("enabled", true).put("max_message_bytes", 100));
        LocalCluster.run(small, 2, comm -> {
            if (comm.rank() == 0) {
                comm.send(new byte[101], 1);
                comm.sendObject("0123456789".repeat(20), 1);
            } else {
                assertMessage(assertThrows(FmiException.class, () -> comm.recvBytes(0)),
                        "recvBytes", "rank 0", "101 bytes", "limit of 100 bytes", "backends.Local.max_message_bytes", "kept");
                comm.recv(new byte[101], 0); // a receive of the right size still gets it
                assertMessage(assertThrows(FmiException.class, () -> comm.recvObject(0, String.class)), "recvObject", "limit of 100 bytes");
            }
            return null;
        });
        assertMessage(assertThrows(FmiConfigException.class, () -> LocalCluster.run(FmiConfig.defaults().withOnly("Local")
                        .withBackend("Local", FmiConfig.newObject().put("enabled", true).put("max_message_bytes", -1)), 1, c -> c.recvBytes(0))),
                "backends.Local.max_message_bytes: -1", ">= 0");
    }

    @Test
    void shouldNameTheRankThatIsNotCallingSplit() {
        List<String> outcome = LocalCluster.run(FmiConfig.defaults().withOnly("Local"), 2, LocalCluster.timeout(Duration.ofSeconds(20)), comm -> {
            if (comm.rank() == 0) {
                return assertThrows(CollectiveMismatchException.class, () -> comm.split(0, 0)).getMessage();
            }
            // The same size as a split's entry, another operation: the message's code tells them apart.
            return assertThrows(CollectiveMismatchException.class, () -> comm.allgather(new int[] {1, 2, 3}, new int[6])).getMessage();
        });
        assertMessage(outcome.get(0), "split #1", "rank 1 sent a message of allgather #1", "collective #1");
        assertMessage(outcome.get(1), "allgather #1", "rank 0 sent a message of split #1");
    }

    @Test
    void shouldNameTheOperationAndTypeWhenTheCodecFails() {
        ObjectCodec refusing = new ObjectCodec() {
            @Override
            public byte[] encode(Object value) {
                throw new IllegalArgumentException("no codec for " + value.getClass().getSimpleName());
            }

            @Override
            public <T> T decode(byte[] bytes, Class<T> type) {
                throw new IllegalArgumentException("never");
            }

            @Override
            public String toString() {
                return "refusing codec";
            }
        };
        LocalCluster.run(FmiConfig.defaults().withOnly("Local"), 2, b -> b.codec(refusing), comm -> {
            assertMessage(assertThrows(FmiException.class, () -> comm.sendObject(List.of(1), 1 - comm.rank())),
                    "sendObject", "cannot encode a java.util", "refusing codec", "no codec for");
            assertMessage(assertThrows(FmiException.class, () -> comm.recvObject(0, null)), "recvObject", "type is null");
            comm.barrier();
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
