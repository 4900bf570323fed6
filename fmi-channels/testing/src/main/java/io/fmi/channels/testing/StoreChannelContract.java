package io.fmi.channels.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.ChannelException;
import io.fmi.CollectiveMismatchException;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.FmiException;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every mediated channel on a real server must do besides the collective contract
 * ({@code io.fmi.testing.CollectiveContract}): keep two jobs of the same name apart, delete what it
 * created at close, carry payloads larger than its chunk size, and ride out a server restart or
 * fail clearly within the deadline when the server is gone.
 *
 * <pre>
 * class RedisChannelTest extends StoreChannelContract {
 *     protected String backend() { return "Redis"; }
 *     protected ObjectNode backendEntry() { return RedisServer.shared().backend(); }
 *     ...
 * }
 * </pre>
 */
public abstract class StoreChannelContract {

    /** Backend name in {@code fmi.json}, e.g. {@code "Redis"}. */
    protected abstract String backend();

    /** Channel name {@code channelFor} reports, e.g. {@code "redis"}. */
    protected abstract String expectedChannel();

    /** An enabled backend entry reaching the server shared by this JVM's tests. */
    protected abstract ObjectNode backendEntry();

    /** Names of the objects (keys, items) currently stored under {@code keyPrefix}. */
    protected abstract List<String> storedUnder(ObjectNode entry, String keyPrefix);

    /** The configuration key of the chunk size, or null when the channel does not chunk. */
    protected abstract String chunkKey();

    /** A private server that {@link #shouldCompleteOperationsAcrossAServerRestart} may stop and start. */
    protected abstract RestartableServer restartableServer();

    protected FmiConfig config(ObjectNode entry) {
        return FmiConfig.defaults().withOnly(backend()).withBackend(backend(), entry);
    }

    /** The shared server's entry with its own key prefix, so a test sees only its own objects. */
    protected ObjectNode isolated(String prefix) {
        return backendEntry().put("key_prefix", prefix);
    }

    private <R> List<R> run(FmiConfig cfg, int n, Duration timeout, Function<Communicator, R> body) {
        return LocalCluster.run(cfg, n, b -> b.timeout(timeout), comm -> {
            assertEquals(expectedChannel(), comm.channelFor(Operation.ALLREDUCE, 8), "channel under test");
            return body.apply(comm);
        });
    }

    /** Runs one allreduce of {@code rank + 1} on {@code n} peers over {@code entry}; returns the sum. */
    protected long sumOver(ObjectNode entry, int n, Duration timeout) {
        return run(config(entry), n, timeout, comm -> {
            long[] s = new long[1];
            comm.allreduce(new long[] {comm.rank() + 1}, s, ReduceOp.SUM);
            return s[0];
        }).get(0);
    }

    private static long[] ranks(Communicator comm, long salt) {
        return new long[] {comm.rank(), salt, comm.rank() * salt};
    }

    @Test
    @Timeout(90)
    void shouldKeepTwoJobsWithTheSameNameApart() {
        String prefix = "twins-" + UUID.randomUUID() + "/";
        FmiConfig cfg = config(isolated(prefix));
        int n = 3;
        Function<Long, List<Long>> job = salt -> LocalCluster.run(cfg, n, b -> b.name("twin").timeout(Duration.ofSeconds(30)), comm -> {
            assertEquals(expectedChannel(), comm.channelFor(Operation.BARRIER, 0));
            long total = 0;
            for (int i = 0; i < 8; i++) {
                comm.barrier();
                long[] sum = new long[3];
                comm.allreduce(ranks(comm, salt + i), sum, ReduceOp.SUM);
                assertArrayEquals(new long[] {n * (n - 1) / 2, n * (salt + i), (salt + i) * n * (n - 1) / 2}, sum);
                long[] b = comm.rank() == i % n ? new long[] {salt, i} : new long[2];
                comm.bcast(b, i % n);
                assertArrayEquals(new long[] {salt, i}, b);
                long[] got = new long[1];
                comm.send(new long[] {salt * 100 + comm.rank()}, (comm.rank() + 1) % n);
                comm.recv(got, (comm.rank() + n - 1) % n);
                assertEquals(salt * 100 + (comm.rank() + n - 1) % n, got[0]);
                total += sum[1];
            }
            return total;
        });
        CompletableFuture<List<Long>> a = CompletableFuture.supplyAsync(() -> job.apply(1000L));
        CompletableFuture<List<Long>> b = CompletableFuture.supplyAsync(() -> job.apply(7000L));
        assertEquals(a.join().get(0) + 6000L * n * 8, b.join().get(0));
        assertEquals(List.of(), withoutMembers(storedUnder(backendEntry(), prefix)), "objects left behind by the two jobs");
        assertEquals(2 * n, members(storedUnder(backendEntry(), prefix)).size(), "member records of the two jobs");
    }

    @Test
    @Timeout(90)
    void shouldNameBothCollectivesWhenRanksCallDifferentOnesOfTheSameSize() {
        String prefix = "mismatch-" + UUID.randomUUID() + "/";
        long t0 = System.nanoTime();
        List<String> outcome = run(config(isolated(prefix)), 3, Duration.ofSeconds(60), comm -> {
            String first;
            if (comm.rank() == 0) {
                // scan reads the objects g/1 and g/2 that a gather's non-roots write under the same names
                first = assertThrows(CollectiveMismatchException.class, () -> comm.scan(new int[] {1, 2}, new int[2], ReduceOp.SUM))
                        .getMessage();
            } else {
                comm.gather(new int[] {1, 2}, null, 0);
                first = "";
            }
            comm.barrier(); // the numbers stay aligned: the next collective runs
            // Nobody writes what another reads: rank 0 waits for operands, the others for rank 0's broadcast.
            String second = assertThrows(CollectiveMismatchException.class, () -> {
                if (comm.rank() == 0) {
                    comm.allreduce(new int[] {1}, new int[1], ReduceOp.SUM);
                } else {
                    comm.bcast(new int[1], 0);
                }
            }).getMessage();
            comm.barrier();
            return first + "|" + second;
        });
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertTrue(seconds < 30, "took " + seconds + " s, the deadline is 60 s");
        String[] r0 = outcome.get(0).split("\\|");
        assertTrue(r0[0].startsWith("scan #1: rank ") && r0[0].contains("/c1/g/") && r0[0].contains(" as part of gather #1 (root 0)"), r0[0]);
        assertTrue(r0[1].startsWith("allreduce #3: rank ") && r0[1].contains(" said it was in bcast #3 (root 0)"), r0[1]);
        for (int r = 1; r < 3; r++) {
            String second = outcome.get(r).split("\\|")[1];
            assertTrue(second.startsWith("bcast #3 (root 0): rank 0 said it was in allreduce #3"), second);
        }
    }

    @Test
    @Timeout(90)
    void shouldDeleteWhatItCreatedAtClose() {
        String prefix = "clean-" + UUID.randomUUID() + "/";
        run(config(isolated(prefix)), 4, Duration.ofSeconds(30), comm -> {
            int n = comm.size();
            int r = comm.rank();
            int[] one = {r + 1};
            int[] all = new int[n];
            comm.bcast(one, 2);
            comm.gather(one, all, 1);
            comm.scatter(all, one, 1);
            comm.reduce(one, new int[1], 3, ReduceOp.MAX);
            comm.allreduce(one, new int[1], ReduceOp.SUM);
            comm.allgather(one, all);
            comm.alltoall(all, new int[n]);
            comm.scan(one, new int[1], ReduceOp.SUM);
            comm.barrier();
            comm.bcast(one, 0);
            comm.send(one, (r + 1) % n);
            comm.recv(one, (r + n - 1) % n);
            return null;
        });
        List<String> left = storedUnder(backendEntry(), prefix);
        assertEquals(List.of(), withoutMembers(left), "objects left in the store after close");
        // Each rank's member record stays until the TTL: it refuses a rerun with the same run id.
        assertEquals(4, members(left).size(), "member records: " + left);
    }

    @Test
    @Timeout(120)
    void shouldCarryPayloadsLargerThanAChunk() {
        ObjectNode entry = isolated("big-" + UUID.randomUUID() + "/");
        if (chunkKey() != null) {
            entry.put(chunkKey(), 65_536);
        }
        int size = 300_001;
        run(config(entry), 3, Duration.ofSeconds(60), comm -> {
            byte[] expected = new byte[size];
            for (int i = 0; i < size; i++) {
                expected[i] = (byte) (i * 31 + 7);
            }
            byte[] buf = comm.rank() == 1 ? expected.clone() : new byte[size];
            comm.bcast(buf, 1);
            assertArrayEquals(expected, buf, "bcast of " + size + " B");
            byte[] got = new byte[size];
            comm.send(expected, (comm.rank() + 1) % 3);
            comm.recv(got, (comm.rank() + 2) % 3);
            assertArrayEquals(expected, got, "send of " + size + " B");
            byte[] wrong = new byte[size - 1];
            if (comm.rank() == 0) {
                comm.send(expected, 1);
            } else if (comm.rank() == 1) {
                FmiException e = assertThrows(FmiException.class, () -> comm.recv(wrong, 0));
                assertTrue(e.getMessage().contains(size + " bytes"), e.getMessage());
            }
            return null;
        });
    }

    @Test
    @Timeout(120)
    void shouldCompleteOperationsAcrossAServerRestart() throws Exception {
        try (RestartableServer server = restartableServer()) {
            FmiConfig cfg = config(server.backend());
            int n = 2;
            int rounds = 30;
            CountDownLatch halfway = new CountDownLatch(n);
            CompletableFuture<Void> outage = CompletableFuture.runAsync(() -> {
                try {
                    halfway.await(60, TimeUnit.SECONDS);
                    server.stop();
                    Thread.sleep(1500);
                    server.start();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Long> sums = run(cfg, n, Duration.ofSeconds(30), comm -> {
                long total = 0;
                for (int i = 0; i < rounds; i++) {
                    if (i == 5) {
                        halfway.countDown();
                    }
                    long[] s = new long[3];
                    comm.allreduce(ranks(comm, i), s, ReduceOp.SUM);
                    assertArrayEquals(new long[] {1, 2L * i, i}, s, "allreduce " + i);
                    long[] got = new long[1];
                    comm.send(new long[] {i * 10L + comm.rank()}, 1 - comm.rank());
                    comm.recv(got, 1 - comm.rank());
                    assertEquals(i * 10L + 1 - comm.rank(), got[0], "message " + i);
                    total += s[1];
                    sleepQuietly(50);
                }
                return total;
            });
            outage.get(30, TimeUnit.SECONDS);
            assertEquals(List.of((long) rounds * (rounds - 1), (long) rounds * (rounds - 1)), sums);
        }
    }

    /**
     * The server stops while both ranks wait in an allreduce, with liveness on and a deadline
     * longer than its window: each rank's error blames the store (a retryable
     * {@link ChannelException} naming the channel), never a peer, and comes at the deadline plus
     * the store check (a {@code PING} or a read of a missing key, up to 2 s).
     */
    @Test
    @Timeout(90)
    void shouldFailWithinTheDeadlineWhenTheServerIsGone() {
        RestartableServer server = restartableServer();
        FmiConfig cfg = config(lively(server.backend()));
        long deadlineMs = livenessMs() + 3000;
        java.util.concurrent.atomic.AtomicLong stopped = new java.util.concurrent.atomic.AtomicLong();
        CountDownLatch bothPassed = new CountDownLatch(2);
        List<Object> outcomes;
        try {
            // Warm up (classes, client, bucket or table) under a long deadline: the short one below is for the outage only.
            assertEquals(3, sumOver(lively(server.backend()), 2, Duration.ofSeconds(30)));
            outcomes = run(cfg, 2, Duration.ofMillis(deadlineMs), comm -> {
                comm.allreduce(new long[] {1}, new long[1], ReduceOp.SUM);
                comm.barrier();
                // Rank 1 may still be reading its release from the barrier (S3): stop only once both are out.
                bothPassed.countDown();
                try {
                    assertTrue(bothPassed.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                CompletableFuture<Void> stop = null;
                if (comm.rank() == 0) {
                    stopped.set(System.nanoTime());
                    stop = CompletableFuture.runAsync(server::stop);
                } else {
                    sleepQuietly(200);
                }
                try {
                    comm.allreduce(new long[] {1}, new long[1], ReduceOp.SUM);
                    return "completed";
                } catch (FmiException e) {
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped.get());
                    System.out.println(expectedChannel() + ": store stopped, rank " + comm.rank() + " got " + e.getClass().getSimpleName()
                            + " after " + ms + " ms (deadline " + deadlineMs + " ms): " + e.getMessage());
                    comm.abort(e);
                    return List.of(e, ms);
                } finally {
                    if (stop != null) {
                        stop.join();
                    }
                }
            });
        } finally {
            server.close();
        }
        for (int r = 0; r < 2; r++) {
            assertTrue(outcomes.get(r) instanceof List, "rank " + r + " completed an allreduce while the store was stopped: " + outcomes.get(r));
            FmiException e = (FmiException) ((List<?>) outcomes.get(r)).get(0);
            long ms = (Long) ((List<?>) outcomes.get(r)).get(1);
            assertTrue(e instanceof ChannelException && ((ChannelException) e).retryable(), "rank " + r + ": the store is blamed, not a peer: " + e);
            assertTrue(e.getMessage().contains(expectedChannel()), "the error names the channel: " + e.getMessage());
            assertTrue(ms < deadlineMs + 4_000, "rank " + r + " failed only after " + ms + " ms (deadline " + deadlineMs + " ms)");
        }
    }

    /**
     * The store stops answering for longer than the liveness window while rank 0 waits for rank 1,
     * and comes back with its data: the peers' beats could not reach it either, so the outage is
     * no sign of a dead peer, and rank 1's message, sent after the outage, arrives.
     */
    @Test
    @Timeout(90)
    void shouldNotBlameAPeerForAStoreOutageLongerThanTheLivenessWindow() throws Exception {
        try (RestartableServer server = restartableServer()) {
            // Beats as far apart as allowed: the first beat after the outage comes late.
            ObjectNode entry = lively(server.backend()).put("heartbeat_ms", livenessMs() / 2);
            CountDownLatch waiting = new CountDownLatch(1);
            CountDownLatch back = new CountDownLatch(1);
            CompletableFuture<Void> outage = CompletableFuture.runAsync(() -> {
                try {
                    assertTrue(waiting.await(60, TimeUnit.SECONDS));
                    Thread.sleep(500);
                    server.stop();
                    Thread.sleep(livenessMs() + 1500);
                    server.start();
                    back.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Long> got = run(config(entry), 2, Duration.ofSeconds(40), comm -> {
                comm.barrier();
                if (comm.rank() == 1) {
                    waiting.countDown();
                    try {
                        assertTrue(back.await(60, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    sleepQuietly(500);
                    comm.send(new long[] {42}, 0);
                    return 42L;
                }
                long[] m = new long[1];
                comm.recv(m, 1);
                return m[0];
            });
            outage.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(42L, 42L), got);
        }
    }

    // ---------------------------------------------------------------- identity, sizes, liveness

    /** Names of member records (one per rank of a run, kept until the TTL). */
    protected static List<String> members(List<String> names) {
        return names.stream().filter(k -> k.contains("/member/")).collect(Collectors.toList());
    }

    /** Names of everything but member records. */
    protected static List<String> withoutMembers(List<String> names) {
        return names.stream().filter(k -> !k.contains("/member/")).collect(Collectors.toList());
    }

    /**
     * The liveness window the liveness tests run with, in ms: {@code -Dfmi.test.liveness_ms}, else
     * 3000 (the channels' default is 6000; the heartbeat is a third of it either way).
     */
    protected static long livenessMs() {
        return Long.getLong("fmi.test.liveness_ms", 3000);
    }

    /** {@code entry} with the test's liveness window. */
    protected static ObjectNode lively(ObjectNode entry) {
        return entry.put("liveness_ms", livenessMs()).put("heartbeat_ms", livenessMs() / 3);
    }

    @Test
    @Timeout(60)
    void shouldKeepAMessageOfTheWrongSizeForALaterReceive() {
        run(config(isolated("sizes-" + UUID.randomUUID() + "/")), 2, Duration.ofSeconds(20), comm -> {
            if (comm.rank() == 0) {
                comm.send(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 1);
                comm.send(new long[] {9}, 1);
            } else {
                FmiException e = assertThrows(FmiException.class, () -> comm.recv(new long[4], 0));
                assertTrue(e.getMessage().contains("64 bytes") && e.getMessage().contains("32 bytes"), e.getMessage());
                assertTrue(e.getMessage().contains("stays in the store"), e.getMessage());
                long[] got = new long[8];
                comm.recv(got, 0);
                assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, got, "the first message, kept by the failed receive");
                long[] next = new long[1];
                comm.recv(next, 0);
                assertArrayEquals(new long[] {9}, next, "the second message, in order");
            }
            return null;
        });
    }

    /**
     * Runs {@code n} ranks of job {@code name}/{@code runId}; each rank's result, or the exception
     * it ended with, after which it aborted, as a failing rank should.
     */
    private List<Object> job(FmiConfig cfg, String name, String runId, int n, Function<Communicator, Object> body) {
        return LocalCluster.run(cfg, n, b -> b.name(name).runId(runId).timeout(Duration.ofSeconds(30)), comm -> {
            try {
                return body.apply(comm);
            } catch (FmiException e) {
                comm.abort(e);
                return e;
            }
        });
    }

    private static boolean refusedAsDuplicate(Object outcome, String name, String runId, int rank) {
        return outcome instanceof ChannelException && ((Exception) outcome).getMessage().contains("another job with communicator name '"
                + name + "' and run id '" + runId + "'") && ((Exception) outcome).getMessage().contains("rank " + rank + " on ");
    }

    @Test
    @Timeout(90)
    void shouldGiveEachRankToOneProcessWhenTwoJobsWithTheSameRunIdStartTogether() {
        String runId = "twice-" + UUID.randomUUID().toString().substring(0, 8);
        FmiConfig cfg = config(lively(isolated("twice-" + UUID.randomUUID() + "/")));
        int n = 2;
        int rounds = 5;
        // Each process contributes (salt + rank): 1000s for job A, 7000s for job B.
        Function<Long, List<Object>> job = salt -> job(cfg, "twice", runId, n, comm -> {
            List<Long> sums = new java.util.ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                long[] s = new long[1];
                comm.allreduce(new long[] {salt + comm.rank()}, s, ReduceOp.SUM);
                sums.add(s[0]);
            }
            return sums;
        });
        CompletableFuture<List<Object>> a = CompletableFuture.supplyAsync(() -> job.apply(1000L));
        CompletableFuture<List<Object>> b = CompletableFuture.supplyAsync(() -> job.apply(7000L));
        List<Object> as = a.join();
        List<Object> bs = b.join();
        // Exactly one process holds each rank; the other one is refused, naming name, run id and rank.
        long expected = 0;
        for (int r = 0; r < n; r++) {
            boolean aLost = refusedAsDuplicate(as.get(r), "twice", runId, r);
            boolean bLost = refusedAsDuplicate(bs.get(r), "twice", runId, r);
            assertTrue(aLost != bLost, "rank " + r + " must be held by exactly one process: job A got " + as.get(r) + ", job B got " + bs.get(r));
            expected += (aLost ? 7000L : 1000L) + r;
        }
        // The holders form one run: whatever completes saw only their data; the rest learnt of the clash.
        for (List<Object> outcomes : List.of(as, bs)) {
            for (int r = 0; r < n; r++) {
                Object o = outcomes.get(r);
                if (o instanceof List) {
                    for (Object sum : (List<?>) o) {
                        assertEquals(expected, sum, "rank " + r + " completed with data of processes that do not hold the ranks");
                    }
                } else if (!refusedAsDuplicate(o, "twice", runId, r)) {
                    assertTrue(o instanceof io.fmi.PeerFailedException && ((Exception) o).getMessage().contains("started together"),
                            "rank " + r + ": " + o);
                }
            }
        }
    }

    @Test
    @Timeout(90)
    void shouldRefuseASecondProcessForARankOfARunningJobAndLeaveTheJobBe() throws Exception {
        String runId = "held-" + UUID.randomUUID().toString().substring(0, 8);
        // Beats every 200 ms: within the second below, the job has beaten often enough to count as settled.
        FmiConfig cfg = config(lively(isolated("held-" + UUID.randomUUID() + "/")).put("heartbeat_ms", 200));
        int n = 2;
        CountDownLatch settled = new CountDownLatch(n);
        CountDownLatch refused = new CountDownLatch(1);
        CompletableFuture<List<Object>> running = CompletableFuture.supplyAsync(() -> job(cfg, "held", runId, n, comm -> {
            long[] s = new long[1];
            comm.allreduce(new long[] {comm.rank() + 1}, s, ReduceOp.SUM);
            // A few heartbeats: this job is settled, a second claimant is no launch of its own.
            sleepQuietly(1000);
            settled.countDown();
            try {
                assertTrue(refused.await(60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            comm.allreduce(new long[] {comm.rank() + 10}, s, ReduceOp.SUM);
            return s[0];
        }));
        assertTrue(settled.await(60, TimeUnit.SECONDS), "the first job did not start");
        List<Object> second = job(cfg, "held", runId, n, comm -> {
            comm.barrier();
            return "joined";
        });
        refused.countDown();
        for (int r = 0; r < n; r++) {
            assertTrue(refusedAsDuplicate(second.get(r), "held", runId, r), "rank " + r + " of the second job: " + second.get(r));
        }
        assertEquals(List.of(21L, 21L), running.get(60, TimeUnit.SECONDS), "the running job goes on undisturbed");
        // A rerun with the same run id, after the first run closed, is refused as well.
        List<Object> rerun = job(cfg, "held", runId, n, comm -> {
            comm.barrier();
            return "joined";
        });
        for (int r = 0; r < n; r++) {
            assertTrue(refusedAsDuplicate(rerun.get(r), "held", runId, r), "rank " + r + " of the rerun: " + rerun.get(r));
        }
    }

    @Test
    @Timeout(60)
    void shouldReportAPeerThatClosedWhileAnotherWaitsForIt() {
        List<Object> out = run(config(lively(isolated("closed-" + UUID.randomUUID() + "/"))), 2, Duration.ofSeconds(30), comm -> {
            comm.barrier();
            if (comm.rank() == 1) {
                return null; // closes
            }
            long t0 = System.nanoTime();
            io.fmi.PeerFailedException e = assertThrows(io.fmi.PeerFailedException.class, () -> comm.recv(new long[1], 1));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(1, e.peer(), e.getMessage());
            assertTrue(e.getMessage().contains("rank 1 is closing its communicator") || e.getMessage().contains("rank 1 closed"), e.getMessage());
            System.out.println(expectedChannel() + ": peer closed, reported to a waiting receive after " + ms + " ms");
            return ms;
        });
        assertTrue((Long) out.get(0) < 5_000, "reported after " + out.get(0) + " ms");
    }

    @Test
    @Timeout(60)
    void shouldBlameThePeerNotTheStoreWhenAWaitRunsOut() {
        ObjectNode entry = lively(isolated("slow-" + UUID.randomUUID() + "/"));
        // Warm up (classes, bucket or table) under a long deadline: the short one below is for waiting only.
        assertEquals(3, sumOver(entry, 2, Duration.ofSeconds(30)));
        run(config(entry), 2, Duration.ofSeconds(2), comm -> {
            if (comm.rank() == 1) {
                sleepQuietly(3500); // has not opened the channel yet
                comm.barrier();
                comm.recv(new long[1], 0);
                sleepQuietly(2500); // alive, heartbeating, sending nothing
                return null;
            }
            comm.send(new long[] {7}, 1); // opens the channel: the deadline below is all waiting
            io.fmi.FmiTimeoutException never = assertThrows(io.fmi.FmiTimeoutException.class, () -> comm.recv(new long[1], 1));
            assertTrue(never.getMessage().contains("from rank 1") && never.getMessage().contains("rank 1 has not opened"), never.getMessage());
            comm.barrier();
            io.fmi.FmiTimeoutException silent = assertThrows(io.fmi.FmiTimeoutException.class, () -> comm.recv(new long[1], 1));
            assertTrue(silent.getMessage().contains("from rank 1") && silent.getMessage().contains("rank 1 is alive"), silent.getMessage());
            assertFalse(silent.getMessage().contains("did not answer"), silent.getMessage());
            return null;
        });
    }

    @Test
    @Timeout(120)
    void shouldReportAKilledOrFrozenPeerWithinTheLivenessWindow() throws Exception {
        ObjectNode entry = lively(isolated("lost-" + UUID.randomUUID() + "/"));
        CompletableFuture<String> killed = CompletableFuture.supplyAsync(() -> lostPeer(entry, false));
        CompletableFuture<String> frozen = CompletableFuture.supplyAsync(() -> lostPeer(entry, true));
        System.out.print(killed.get(100, TimeUnit.SECONDS) + frozen.get(100, TimeUnit.SECONDS));
    }

    /**
     * Rank 2 of 3 runs in a JVM of its own and is killed ({@code kill -9}) or frozen
     * ({@code SIGSTOP}) while rank 0 waits for it in a receive and ranks 0 and 1 in an allreduce
     * (rank 0 waits for rank 2's block, rank 1 for rank 0's result). Every wait must end in a
     * {@link io.fmi.PeerFailedException} naming rank 2 within the liveness window and a few
     * seconds; returns the times, one line per wait.
     */
    private String lostPeer(ObjectNode entry, boolean freeze) {
        String runId = "lost-" + UUID.randomUUID().toString().substring(0, 8);
        java.util.concurrent.ExecutorService ranks = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (ChildPeer child = ChildPeer.start(backend(), entry, "lost", runId, 2, 3);
             Communicator r0 = rank(entry, runId, 0);
             Communicator r1 = rank(entry, runId, 1)) {
            CompletableFuture<Void> b0 = CompletableFuture.runAsync(r0::barrier, ranks);
            CompletableFuture<Void> b1 = CompletableFuture.runAsync(r1::barrier, ranks);
            child.awaitReady(Duration.ofSeconds(60));
            b0.get(30, TimeUnit.SECONDS);
            b1.get(30, TimeUnit.SECONDS);
            Map<String, CompletableFuture<Void>> waits = new java.util.LinkedHashMap<>();
            waits.put("recv on rank 0", r0.irecv(new long[1], 2));
            waits.put("allreduce on rank 0", CompletableFuture.runAsync(() -> r0.allreduce(new long[] {1}, new long[1], ReduceOp.SUM), ranks));
            waits.put("allreduce on rank 1", CompletableFuture.runAsync(() -> r1.allreduce(new long[] {1}, new long[1], ReduceOp.SUM), ranks));
            Thread.sleep(300);
            waits.forEach((what, f) -> assertFalse(f.isDone(), what + " ended before the peer was lost: " + f));
            long t0 = System.nanoTime();
            if (freeze) {
                child.freeze();
            } else {
                child.kill();
            }
            StringBuilder report = new StringBuilder();
            for (Map.Entry<String, CompletableFuture<Void>> w : waits.entrySet()) {
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> w.getValue().get(60, TimeUnit.SECONDS), w.getKey());
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException ? e.getCause().getCause() : e.getCause();
                io.fmi.PeerFailedException p = org.junit.jupiter.api.Assertions.assertInstanceOf(io.fmi.PeerFailedException.class, cause, w.getKey());
                assertEquals(2, p.peer(), w.getKey() + ": " + p.getMessage());
                assertTrue(p.getMessage().contains("no heartbeat"), w.getKey() + ": " + p.getMessage());
                assertTrue(ms < livenessMs() + 4_000, w.getKey() + ": reported after " + ms + " ms");
                report.append(expectedChannel()).append(": ").append(freeze ? "SIGSTOP" : "kill -9").append(" peer, ").append(w.getKey())
                        .append(": PeerFailedException after ").append(ms).append(" ms (liveness_ms ").append(livenessMs()).append(")\n");
            }
            return report.toString();
        } catch (Exception e) {
            throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
        } finally {
            ranks.shutdownNow();
        }
    }

    private Communicator rank(ObjectNode entry, String runId, int rank) {
        return Communicator.builder().config(config(entry)).name("lost").runId(runId).rank(rank).size(3)
                .timeout(Duration.ofSeconds(60)).build();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
