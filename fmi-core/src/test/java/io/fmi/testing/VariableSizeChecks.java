package io.fmi.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fmi.Communicator;
import io.fmi.Operation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The checks of {@link CollectiveContract} for the operations with a block size per rank
 * (gatherv, scatterv, allgatherv, alltoallv, reduceScatter), exscan and sendrecv. Counts patterns
 * include zeros, all zeros, one rank with all the data (each rank in turn, or the contract's
 * roots), uneven blocks, and a total past the ring threshold; every result is checked against
 * {@link Reference}.
 */
final class VariableSizeChecks {
    private final CollectiveContract contract;

    VariableSizeChecks(CollectiveContract contract) {
        this.contract = contract;
    }

    /** The largest length of the contract: past the 64 KiB ring threshold for ints when 20 000. */
    private int large() {
        return Arrays.stream(contract.lengths()).max().orElse(0);
    }

    /** Named counts patterns for {@code n} ranks. */
    Map<String, int[]> patterns(int n) {
        Map<String, int[]> p = new LinkedHashMap<>();
        int[] mixed = new int[n];
        int[] zeros = new int[n];
        int[] big = new int[n];
        for (int i = 0; i < n; i++) {
            mixed[i] = i % 3 == 1 ? 0 : 1 + (i * 5 + 2) % 7;
            big[i] = i % 4 == 1 ? 0 : 2 * large() / n + i; // past the ring threshold in total
        }
        p.put("mixed with zeros " + Arrays.toString(mixed), mixed);
        p.put("all zero", zeros);
        for (int k : contract.roots(n)) {
            int[] one = new int[n];
            one[k] = 1 + large() / 4;
            p.put("rank " + k + " has all the data", one);
        }
        if (large() > 0) {
            p.put("large, uneven", big);
        }
        return p;
    }

    private static int[] displs(int[] counts) {
        int[] d = new int[counts.length + 1];
        for (int i = 0; i < counts.length; i++) {
            d[i + 1] = d[i] + counts[i];
        }
        return d;
    }

    /** Elements {@code [from, from + len)} of {@link Reference#fold}, without computing the rest. */
    private static int[] foldRange(java.util.function.IntBinaryOperator fn, int upto, int from, int len, int salt) {
        int[] acc = new int[len];
        for (int i = 0; i < len; i++) {
            acc[i] = Reference.value(0, from + i, salt);
            for (int p = 1; p <= upto; p++) {
                acc[i] = fn.applyAsInt(acc[i], Reference.value(p, from + i, salt));
            }
        }
        return acc;
    }

    private static int sum(int[] counts) {
        return Arrays.stream(counts).sum();
    }

    /** The blocks of every rank {@code p}, {@code counts[p]} elements of {@code data(p)}, packed. */
    private static int[] packed(int[] counts, int salt) {
        int[] d = displs(counts);
        int[] all = new int[d[counts.length]];
        for (int p = 0; p < counts.length; p++) {
            System.arraycopy(Reference.data(p, counts[p], salt), 0, all, d[p], counts[p]);
        }
        return all;
    }

    void gatherv(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        for (Map.Entry<String, int[]> e : patterns(n).entrySet()) {
            int[] counts = e.getValue();
            for (int root : contract.roots(n)) {
                int s = salt + root * 31 + sum(counts);
                contract.expectChannel(comm, Operation.GATHERV, 4L * sum(counts) / n);
                int[] send = Reference.data(r, counts[r], s);
                int[] sendCopy = send.clone();
                int[] recv = r == root ? Reference.filled(sum(counts), -999) : null;
                comm.gatherv(send, recv, counts.clone(), root);
                assertArrayEquals(sendCopy, send, "gatherv modified the send buffer");
                if (r == root) {
                    assertArrayEquals(packed(counts, s), recv, () -> "gatherv " + e.getKey() + " root " + root);
                }
            }
        }
    }

    void scatterv(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        for (Map.Entry<String, int[]> e : patterns(n).entrySet()) {
            int[] counts = e.getValue();
            for (int root : contract.roots(n)) {
                int s = salt + root * 31 + sum(counts);
                contract.expectChannel(comm, Operation.SCATTERV, 4L * sum(counts) / n);
                int[] send = r == root ? packed(counts, s) : null;
                int[] sendCopy = send == null ? null : send.clone();
                int[] recv = Reference.filled(counts[r], -999);
                comm.scatterv(send, counts.clone(), recv, root);
                assertArrayEquals(Reference.data(r, counts[r], s), recv, () -> "scatterv " + e.getKey() + " root " + root + " at rank " + r);
                if (send != null) {
                    assertArrayEquals(sendCopy, send, "scatterv modified the send buffer");
                }
            }
        }
    }

    void allgatherv(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        for (Map.Entry<String, int[]> e : patterns(n).entrySet()) {
            int[] counts = e.getValue();
            int s = salt + sum(counts);
            contract.expectChannel(comm, Operation.ALLGATHERV, 4L * sum(counts) / n);
            int[] send = Reference.data(r, counts[r], s);
            int[] recv = Reference.filled(sum(counts), -999);
            comm.allgatherv(send, recv, counts.clone());
            assertArrayEquals(packed(counts, s), recv, () -> "allgatherv " + e.getKey() + " at rank " + r);
        }
    }

    /** Element count from rank {@code i} to rank {@code j} in alltoallv pattern {@code kind}. */
    private int pairCount(String kind, int i, int j, int n) {
        switch (kind) {
            case "mixed":
                return (i + 2 * j) % 4 == 0 ? 0 : 1 + (i * 3 + j * 5) % 6;
            case "zero":
                return 0;
            case "large":
                return (i + j) % 3 == 0 ? 0 : large() / (n * n) + i;
            default: {
                // "from k" (rank k sends everything) or "to k" (rank k receives everything)
                int k = Integer.parseInt(kind.substring(kind.indexOf(' ') + 1));
                int amount = 1 + large() / (4 * n);
                return kind.startsWith("from") ? (i == k ? amount : 0) : (j == k ? amount : 0);
            }
        }
    }

    void alltoallv(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        List<String> kinds = new ArrayList<>(List.of("mixed", "zero"));
        for (int k : contract.roots(n)) {
            kinds.add("from " + k);
            kinds.add("to " + k);
        }
        if (large() > 0) {
            kinds.add("large");
        }
        for (String kind : kinds) {
            int s = salt + kind.hashCode();
            int[] sc = new int[n];
            int[] rc = new int[n];
            for (int j = 0; j < n; j++) {
                sc[j] = pairCount(kind, r, j, n);
                rc[j] = pairCount(kind, j, r, n);
            }
            contract.expectChannel(comm, Operation.ALLTOALLV, 0);
            int[] sd = displs(sc);
            int[] rd = displs(rc);
            int[] send = new int[sd[n]];
            for (int j = 0; j < n; j++) {
                System.arraycopy(Reference.data(r * 1000 + j, sc[j], s), 0, send, sd[j], sc[j]);
            }
            int[] sendCopy = send.clone();
            int[] recv = Reference.filled(rd[n], -999);
            comm.alltoallv(send, sc, recv, rc);
            assertArrayEquals(sendCopy, send, "alltoallv modified the send buffer");
            int[] expected = new int[rd[n]];
            for (int i = 0; i < n; i++) {
                System.arraycopy(Reference.data(i * 1000 + r, rc[i], s), 0, expected, rd[i], rc[i]);
            }
            assertArrayEquals(expected, recv, () -> "alltoallv " + kind + " at rank " + r);
        }
    }

    void reduceScatter(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        for (Reference.Op op : Reference.Op.values()) {
            for (Map.Entry<String, int[]> e : patterns(n).entrySet()) {
                int[] counts = e.getValue();
                int total = sum(counts);
                int s = salt + total + op.ordinal() * 7;
                contract.expectChannel(comm, Operation.REDUCE_SCATTER, 4L * total);
                int[] send = Reference.data(r, total, s);
                int[] sendCopy = send.clone();
                int[] recv = Reference.filled(counts[r], -999);
                comm.reduceScatter(send, recv, counts.clone(), op.op);
                assertArrayEquals(sendCopy, send, "reduceScatter modified the send buffer");
                int[] expected = foldRange(op.fn, n - 1, displs(counts)[r], counts[r], s);
                assertArrayEquals(expected, recv, () -> "reduceScatter " + op + " " + e.getKey() + " at rank " + r);
            }
        }
    }

    void exscan(Communicator comm, int salt) {
        int r = comm.rank();
        for (Reference.Op op : Reference.Op.values()) {
            for (int len : contract.lengths()) {
                int s = salt + len + op.ordinal() * 7;
                contract.expectChannel(comm, Operation.EXSCAN, 4L * len);
                int[] send = Reference.data(r, len, s);
                int[] sendCopy = send.clone();
                int[] recv = Reference.filled(len, -999);
                comm.exscan(send, recv, op.op);
                assertArrayEquals(sendCopy, send, "exscan modified the send buffer");
                int[] expected = r == 0 ? Reference.filled(len, -999) : Reference.fold(op.fn, r - 1, len, s);
                assertArrayEquals(expected, recv, () -> "exscan " + op + " len " + len + " at rank " + r + (r == 0 ? " (must stay untouched)" : ""));
            }
        }
    }

    void sendrecv(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        contract.expectChannel(comm, Operation.SEND, 0);
        for (int len : contract.lengths()) {
            // A ring shift: every rank sends right and receives from the left at once.
            int[] got = Reference.filled(len, -999);
            comm.sendrecv(Reference.data(r, len, salt + len), right, got, left);
            assertArrayEquals(Reference.data(left, len, salt + len), got, () -> "sendrecv ring, len " + len + " at rank " + r);
            // Pairs swap (the odd rank out of an odd count swaps with itself).
            int partner = (r ^ 1) < n ? r ^ 1 : r;
            int[] swapped = new int[len];
            comm.sendrecv(Reference.data(r, len, salt - len), partner, swapped, partner);
            assertArrayEquals(Reference.data(partner, len, salt - len), swapped, "sendrecv swap with rank " + partner);
        }
        int[] a = new int[3];
        int[] b = new int[3];
        CompletableFuture<Void> f1 = comm.isendrecv(Reference.data(r, 3, salt), right, a, left);
        CompletableFuture<Void> f2 = comm.isendrecv(Reference.data(r, 3, salt + 1), left, b, right);
        CompletableFuture.allOf(f1, f2).join();
        assertArrayEquals(Reference.data(left, 3, salt), a, "isendrecv to the right");
        assertArrayEquals(Reference.data(right, 3, salt + 1), b, "isendrecv to the left");
    }

    /** The non-blocking twins, issued together, complete in call order with the blocking results. */
    void nonBlocking(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        int[] counts = patterns(n).values().iterator().next();
        int total = sum(counts);
        int[] gathered = r == 0 ? new int[total] : null;
        int[] scattered = new int[counts[r]];
        int[] all = new int[total];
        int[] sc = new int[n];
        Arrays.fill(sc, 2);
        int[] exchanged = new int[2 * n];
        int[] block = new int[counts[r]];
        int[] prefix = Reference.filled(5, -999);
        CompletableFuture<?>[] f = {
            comm.igatherv(Reference.data(r, counts[r], salt), gathered, counts, 0),
            comm.iscatterv(r == n - 1 ? packed(counts, salt + 1) : null, counts, scattered, n - 1),
            comm.iallgatherv(Reference.data(r, counts[r], salt + 2), all, counts),
            comm.ialltoallv(Reference.data(r, 2 * n, salt + 3), sc, exchanged, sc),
            comm.ireduceScatter(Reference.data(r, total, salt + 4), block, counts, Reference.Op.FIRST_NON_ZERO.op),
            comm.iexscan(Reference.data(r, 5, salt + 5), prefix, Reference.Op.AFFINE.op),
        };
        CompletableFuture.allOf(f).join();
        if (r == 0) {
            assertArrayEquals(packed(counts, salt), gathered, "igatherv");
        }
        assertArrayEquals(Reference.data(r, counts[r], salt + 1), scattered, "iscatterv");
        assertArrayEquals(packed(counts, salt + 2), all, "iallgatherv");
        for (int i = 0; i < n; i++) {
            assertArrayEquals(Arrays.copyOfRange(Reference.data(i, 2 * n, salt + 3), 2 * r, 2 * r + 2),
                    Arrays.copyOfRange(exchanged, 2 * i, 2 * i + 2), "ialltoallv block from rank " + i);
        }
        assertArrayEquals(foldRange(Reference.FIRST_NON_ZERO, n - 1, displs(counts)[r], counts[r], salt + 4), block, "ireduceScatter");
        assertArrayEquals(r == 0 ? Reference.filled(5, -999) : Reference.fold(Reference.AFFINE, r - 1, 5, salt + 5), prefix, "iexscan");
        assertEquals(0, Arrays.stream(f).filter(CompletableFuture::isCompletedExceptionally).count());
    }
}
