package io.fmi.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmi.Communicator;
import io.fmi.FmiException;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * The checks of {@link CollectiveContract} for {@code split} and {@code dup}: groups and ranks as
 * MPI defines them, a message space per communicator, nested and interleaved use, closing a
 * sub-communicator while its parent goes on, and the error for a split with another collective in
 * flight.
 */
final class SubCommunicatorChecks {
    private final CollectiveContract contract;

    SubCommunicatorChecks(CollectiveContract contract) {
        this.contract = contract;
    }

    /** A coloring of the ranks: color and key of every rank. */
    private record Coloring(String name, IntUnaryOperator color, IntUnaryOperator key) {
    }

    /** The colorings to split by: all of them, or where the contract narrows its roots (slow stores) the two that cover several colors, ties and a negative color. */
    private List<Coloring> colorings() {
        List<Coloring> essential = List.of(
                new Coloring("three groups, keys with ties", r -> r % 3, r -> (r * 7) % 5),
                new Coloring("every fourth rank in none", r -> r % 4 == 3 ? -1 : r % 2, r -> 0));
        if (!contract.everyRoot()) {
            return essential;
        }
        List<Coloring> all = new ArrayList<>(essential);
        all.add(new Coloring("one group, reversed", r -> 0, r -> -r));
        all.add(new Coloring("even and odd", r -> r % 2, r -> r));
        all.add(new Coloring("every rank alone", r -> r + 100, r -> 0));
        return all;
    }

    /** The parent ranks of {@code r}'s group, in the order of their ranks in it. */
    private static List<Integer> members(Coloring c, int n, int r) {
        List<Integer> m = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            if (c.color().applyAsInt(p) == c.color().applyAsInt(r)) {
                m.add(p);
            }
        }
        m.sort(Comparator.<Integer>comparingInt(p -> c.key().applyAsInt(p)).thenComparingInt(p -> p));
        return m;
    }

    void split(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        for (Coloring c : colorings()) {
            contract.expectChannel(comm, Operation.ALLGATHER, 12);
            Communicator sub = comm.split(c.color().applyAsInt(r), c.key().applyAsInt(r));
            if (c.color().applyAsInt(r) < 0) {
                assertNull(sub, c.name() + ": a negative color gives no communicator");
                continue;
            }
            assertNotNull(sub, c.name());
            List<Integer> m = members(c, n, r);
            assertEquals(m.size(), sub.size(), () -> c.name() + ": size at rank " + r);
            assertEquals(m.indexOf(r), sub.rank(), () -> c.name() + ": rank of parent rank " + r);
            exercise(sub, m, salt);
            sub.close();
        }
        // The parent goes on after its sub-communicators closed.
        long[] sum = new long[1];
        comm.allreduce(new long[] {r}, sum, ReduceOp.SUM);
        assertEquals((long) n * (n - 1) / 2, sum[0], "parent allreduce after closing its sub-communicators");
    }

    /** Operations of several shapes on {@code sub}, whose rank i is parent rank {@code m.get(i)}. */
    private void exercise(Communicator sub, List<Integer> m, int salt) {
        int k = sub.size();
        int i = sub.rank();
        int me = m.get(i);
        long[] sum = new long[2];
        sub.allreduce(new long[] {me, 1}, sum, ReduceOp.SUM);
        assertArrayEquals(new long[] {m.stream().mapToLong(Integer::longValue).sum(), k}, sum, "allreduce in the sub-communicator");
        int[] b = {i == k - 1 ? me : -1};
        sub.bcast(b, k - 1);
        assertEquals(m.get(k - 1), b[0], "bcast from the sub-communicator's last rank");
        int[] got = new int[1];
        sub.sendrecv(new int[] {me}, (i + 1) % k, got, (i - 1 + k) % k);
        assertEquals(m.get((i - 1 + k) % k), got[0], "sendrecv ring in the sub-communicator");
        // Rank order of the sub-communicator, checked with an operator that is neither commutative nor associative.
        int[] counts = new int[k];
        java.util.Arrays.fill(counts, 1);
        int[] mine = new int[k];
        java.util.Arrays.fill(mine, me + 1);
        int[] folded = new int[1];
        sub.reduceScatter(mine, folded, counts, Reference.AFFINE_OP);
        int acc = m.get(0) + 1;
        for (int j = 1; j < k; j++) {
            acc = Reference.AFFINE.applyAsInt(acc, m.get(j) + 1);
        }
        assertEquals(acc, folded[0], "reduceScatter folds in the sub-communicator's rank order");
        int[] sc = new int[k];
        int[] rc = new int[k];
        for (int j = 0; j < k; j++) {
            sc[j] = (i + j) % 2;
            rc[j] = (j + i) % 2;
        }
        int[] send = new int[java.util.Arrays.stream(sc).sum()];
        for (int j = 0, at = 0; j < k; j++) {
            if (sc[j] > 0) {
                send[at++] = me * 100 + j;
            }
        }
        int[] recv = new int[java.util.Arrays.stream(rc).sum()];
        sub.alltoallv(send, sc, recv, rc);
        for (int j = 0, at = 0; j < k; j++) {
            if (rc[j] > 0) {
                assertEquals(m.get(j) * 100 + i, recv[at++], "alltoallv block from sub-rank " + j);
            }
        }
        sub.barrier();
    }

    void dup(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        Communicator twin = comm.dup();
        assertEquals(n, twin.size());
        assertEquals(r, twin.rank());
        // The same sequence numbers and point-to-point tags on both: messages never cross over.
        comm.send(new int[] {1}, right);
        twin.send(new int[] {2}, right);
        int[] x = new int[1];
        twin.recv(x, left);
        assertEquals(2, x[0], "the twin's message, not the parent's sent before it");
        comm.recv(x, left);
        assertEquals(1, x[0]);
        // Collectives of both in flight at once.
        long[] a = new long[1];
        long[] b = new long[1];
        CompletableFuture<Void> f = twin.iallreduce(new long[] {r + 1}, a, ReduceOp.SUM);
        comm.allreduce(new long[] {2L * r}, b, ReduceOp.SUM);
        f.join();
        assertEquals((long) n * (n + 1) / 2, a[0]);
        assertEquals((long) n * (n - 1), b[0]);
        Communicator twice = twin.dup();
        twice.allgather(new int[] {r}, new int[n]);
        twin.close();
        twice.allreduce(new long[] {1}, a, ReduceOp.SUM);
        assertEquals(n, a[0], "a dup of a closed communicator goes on");
        comm.allreduce(new long[] {1}, a, ReduceOp.SUM);
        assertEquals(n, a[0], "the parent goes on after its twin closed");
        // twice is left open: closing the parent closes it
    }

    /** Splits of splits, used between operations of their parents, closed in a mixed order. */
    void nested(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        Communicator half = comm.split(r < n / 2 ? 0 : 1, r);
        Communicator parity = comm.split(r % 2, -r);
        Communicator inner = half.split(half.rank() % 2, 0);
        Communicator twin = inner.dup();
        int[] v = {r == n - 1 ? 42 : 0};
        comm.bcast(v, n - 1);
        assertEquals(42, v[0]);
        long[] s = new long[1];
        half.allreduce(new long[] {r}, s, ReduceOp.SUM);
        long expectHalf = 0;
        for (int p = 0; p < n; p++) {
            expectHalf += (p < n / 2) == (r < n / 2) ? p : 0;
        }
        assertEquals(expectHalf, s[0], "allreduce in the half");
        int[] ranks = new int[parity.size()];
        parity.allgather(new int[] {r}, ranks);
        for (int j = 0; j < ranks.length; j++) {
            assertEquals(r % 2, ranks[j] % 2, "parity group member");
            if (j > 0) {
                assertTrue(ranks[j] < ranks[j - 1], "keys -r order the parity group downwards");
            }
        }
        CompletableFuture<Void> fa = half.iallreduce(new long[] {1}, new long[1], ReduceOp.SUM);
        int[] got = new int[inner.size()];
        CompletableFuture<Void> fi = inner.iallgather(new int[] {r}, got);
        twin.barrier();
        comm.allreduce(new long[] {1}, s, ReduceOp.SUM);
        assertEquals(n, s[0]);
        CompletableFuture.allOf(fa, fi).join();
        for (int j = 0; j < got.length; j++) {
            assertEquals(r < n / 2, got[j] < n / 2, "inner groups lie within a half");
        }
        half.close();
        inner.allreduce(new long[] {1}, s, ReduceOp.SUM);
        assertEquals(inner.size(), s[0], "a sub-communicator of a closed one goes on");
        inner.close();
        twin.allreduce(new long[] {1}, s, ReduceOp.SUM);
        assertEquals(twin.size(), s[0]);
        parity.close();
        comm.allreduce(new long[] {r}, s, ReduceOp.SUM);
        assertEquals((long) n * (n - 1) / 2, s[0], "the parent after all that");
        // twin stays open: closing the parent closes it
    }

    /**
     * A split called while this rank has another collective of the communicator in flight fails
     * at once, naming that collective, and consumes no sequence number. Rank 0 holds back its
     * bcast until the others tried, so theirs is certainly still in flight.
     */
    CollectiveContract.Check splitWhileInFlight(int n) {
        CountDownLatch tried = new CountDownLatch(n - 1);
        return (comm, salt) -> {
            int r = comm.rank();
            int[] b = {r == 0 ? 7 : 0};
            if (r == 0) {
                await(tried);
                comm.ibcast(b, 0).join();
            } else {
                CompletableFuture<Void> f = comm.ibcast(b, 0);
                FmiException e = assertThrows(FmiException.class, () -> comm.split(0, r));
                assertTrue(e.getMessage().contains("bcast #") && e.getMessage().contains("in flight"), e.getMessage());
                assertThrows(FmiException.class, comm::dup);
                tried.countDown();
                f.join();
                assertEquals(7, b[0]);
            }
            Communicator sub = comm.split(0, r);
            long[] s = new long[1];
            sub.allreduce(new long[] {1}, s, ReduceOp.SUM);
            assertEquals(n, s[0]);
            sub.close();
        };
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(60, TimeUnit.SECONDS), "the other ranks did not try their split");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
