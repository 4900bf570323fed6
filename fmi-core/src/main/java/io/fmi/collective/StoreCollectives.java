package io.fmi.collective;

import io.fmi.DataType;
import io.fmi.ReduceOp;
import io.fmi.channel.Buf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Collective algorithms of the mediated family, shaped for storage where every request costs
 * time and money and peers never talk directly (DESIGN.md, "mediated"):
 * <ul>
 *   <li>bcast: one put, {@code n-1} gets.</li>
 *   <li>gather / scatter: {@code n-1} puts and {@code n-1} gets, one object per rank.</li>
 *   <li>reduce: {@code n-1} puts; the root folds the objects in rank order as it reads them, so
 *       every operator, commutative or not, gets {@code x0 ∘ x1 ∘ ... ∘ x(n-1)}.</li>
 *   <li>allreduce: reduce to rank 0, which puts the result once for {@code n-1} readers.</li>
 *   <li>scan: gather at rank 0, which puts each rank its prefix ({@code 2(n-1)} objects, two
 *       rounds, rather than {@code n(n-1)/2} reads).</li>
 *   <li>allgather: gather at rank 0, then one object with every block for {@code n-1} readers.</li>
 *   <li>alltoall: {@code n(n-1)} single-reader objects.</li>
 *   <li>exscan: as scan, rank 0 putting each rank the fold of the ranks below it.</li>
 *   <li>gatherv, scatterv, alltoallv: one object per (writer, reader) pair with data; a block of
 *       zero elements costs no request at all, since both ends know its count. A sparse shuffle
 *       touches only the blocks it moves.</li>
 *   <li>allgatherv: gatherv at rank 0, then one object with every block for {@code n-1} readers.</li>
 *   <li>reduce-scatter: reduce to rank 0 (rank-ordered fold for every operator), then scatterv:
 *       the requests of an allreduce, but each rank reads only its block.</li>
 *   <li>byte operations (lengths unknown to the reader): the same shapes, every object read
 *       whatever its length; allgather's combined object starts with every block's length.</li>
 *   <li>barrier: an atomic counter where the store has one (the last arrival releases the others
 *       with one object each); otherwise arrival objects read by rank 0, which releases the
 *       others. Never by listing keys, so two jobs sharing a bucket cannot satisfy each other's
 *       barriers.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class StoreCollectives {
    private StoreCollectives() {
    }

    /**
     * The root puts one object that every other peer reads.
     *
     * @param t the channel's objects for this call
     * @param data the message on the root, where it lands elsewhere
     * @param root the sending rank
     */
    public static void bcast(StoreTransport t, Buf data, int root) {
        int n = t.size();
        if (n == 1) {
            return;
        }
        if (t.rank() == root) {
            t.put("bcast", data, n - 1);
        } else {
            t.get("bcast", root, data);
        }
    }

    /**
     * Returns once every peer has arrived: by the store's counter where it has one, else through rank 0.
     *
     * @param t the channel's objects for this call
     */
    public static void barrier(StoreTransport t) {
        int n = t.size();
        int r = t.rank();
        if (n == 1) {
            return;
        }
        Buf empty = Buf.empty(DataType.BYTE);
        if (t.hasCounters()) {
            long arrived = t.increment("barrier");
            if (arrived == n) {
                t.deleteCounter("barrier");
                for (int p = 0; p < n; p++) {
                    if (p != r) {
                        t.put("go/" + p, empty, 1);
                    }
                }
            } else {
                t.get("go/" + r, -1, empty);
            }
        } else if (r == 0) {
            for (int p = 1; p < n; p++) {
                t.get("arrive/" + p, p, empty);
            }
            for (int p = 1; p < n; p++) {
                t.put("go/" + p, empty, 1);
            }
        } else {
            t.put("arrive/" + r, empty, 1);
            t.get("go/" + r, 0, empty);
        }
    }

    /**
     * Each non-root puts its block for the root, which reads them into {@code recv} in rank order.
     *
     * @param t the channel's objects for this call
     * @param send this peer's block
     * @param recv {@code size} blocks on the root; unused elsewhere
     * @param root the gathering rank
     */
    public static void gather(StoreTransport t, Buf send, Buf recv, int root) {
        int n = t.size();
        int r = t.rank();
        int c = send.count();
        if (r != root) {
            t.put("g/" + r, send, 1);
            return;
        }
        recv.slice(r * c, c).copyFrom(send);
        for (int p = 0; p < n; p++) {
            if (p != root) {
                t.get("g/" + p, p, recv.slice(p * c, c));
            }
        }
    }

    /**
     * The root puts one object per peer; each reads its own.
     *
     * @param t the channel's objects for this call
     * @param send {@code size} blocks on the root; unused elsewhere
     * @param recv this peer's block
     * @param root the scattering rank
     */
    public static void scatter(StoreTransport t, Buf send, Buf recv, int root) {
        int n = t.size();
        int r = t.rank();
        int c = recv.count();
        if (r == root) {
            for (int p = 0; p < n; p++) {
                if (p != root) {
                    t.put("s/" + p, send.slice(p * c, c), 1);
                }
            }
            recv.copyFrom(send.slice(r * c, c));
        } else {
            t.get("s/" + r, root, recv);
        }
    }

    /**
     * Gather at rank 0, then one object with every block for the others.
     *
     * @param t the channel's objects for this call
     * @param send this peer's block
     * @param recv {@code size} blocks in rank order
     */
    public static void allgather(StoreTransport t, Buf send, Buf recv) {
        int n = t.size();
        gather(t, send, t.rank() == 0 ? recv : null, 0);
        if (n == 1) {
            return;
        }
        if (t.rank() == 0) {
            t.put("all", recv, n - 1);
        } else {
            t.get("all", 0, recv);
        }
    }

    /**
     * One single-reader object per ordered pair of peers.
     *
     * @param t the channel's objects for this call
     * @param send block {@code j} for rank {@code j}
     * @param recv block {@code i} from rank {@code i}
     */
    public static void alltoall(StoreTransport t, Buf send, Buf recv) {
        int n = t.size();
        int r = t.rank();
        int c = send.count() / n;
        for (int p = 0; p < n; p++) {
            if (p != r) {
                t.put("a/" + r + "-" + p, send.slice(p * c, c), 1);
            }
        }
        recv.slice(r * c, c).copyFrom(send.slice(r * c, c));
        for (int p = 0; p < n; p++) {
            if (p != r) {
                t.get("a/" + p + "-" + r, p, recv.slice(p * c, c));
            }
        }
    }

    /**
     * Each non-root puts its operand; the root folds them in rank order, so any operator is exact.
     *
     * @param t the channel's objects for this call
     * @param send this peer's operand
     * @param recv the result on the root; unused elsewhere
     * @param root the rank that gets the result
     * @param op the operator
     */
    public static void reduce(StoreTransport t, Buf send, Buf recv, int root, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        if (r != root) {
            t.put("r/" + r, send, 1);
            return;
        }
        // Left fold in rank order: acc = ((x0 ∘ x1) ∘ x2) ∘ ...
        Buf in = n > 1 ? Buf.allocate(send.type(), send.count()) : null;
        for (int p = 0; p < n; p++) {
            Buf operand;
            if (p == root) {
                operand = send;
            } else {
                t.get("r/" + p, p, in);
                operand = in;
            }
            if (p == 0) {
                recv.copyFrom(operand);
            } else {
                Buf.combine(op, operand, recv, false);
            }
        }
    }

    /**
     * Reduce at rank 0, then one object with the result for the others.
     *
     * @param t the channel's objects for this call
     * @param send this peer's operand
     * @param recv the result
     * @param op the operator
     */
    public static void allreduce(StoreTransport t, Buf send, Buf recv, ReduceOp op) {
        int n = t.size();
        reduce(t, send, t.rank() == 0 ? recv : null, 0, op);
        if (n == 1) {
            return;
        }
        if (t.rank() == 0) {
            t.put("result", recv, n - 1);
        } else {
            t.get("result", 0, recv);
        }
    }

    /**
     * Inclusive prefix: rank 0 reads every operand and puts each rank its prefix.
     *
     * @param t the channel's objects for this call
     * @param send this peer's operand
     * @param recv {@code x0 ∘ ... ∘ x(rank)}
     * @param op the operator
     */
    public static void scan(StoreTransport t, Buf send, Buf recv, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        int c = send.count();
        if (r != 0) {
            t.put("g/" + r, send, 1);
            t.get("s/" + r, 0, recv);
            return;
        }
        recv.copyFrom(send);
        Buf acc = send.copy();
        Buf in = Buf.allocate(send.type(), c);
        for (int p = 1; p < n; p++) {
            t.get("g/" + p, p, in);
            Buf.combine(op, in, acc, false);
            t.put("s/" + p, acc, 1);
        }
    }

    /**
     * Exclusive prefix: as {@link #scan}, rank {@code p} getting {@code x0 ∘ ... ∘ x(p-1)}; rank 0's {@code recv} is
     * left as it was.
     *
     * @param t the channel's objects for this call
     * @param send this peer's operand
     * @param recv the prefix of the ranks below this one
     * @param op the operator
     */
    public static void exscan(StoreTransport t, Buf send, Buf recv, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        if (n == 1) {
            return;
        }
        if (r != 0) {
            if (r < n - 1) {
                t.put("g/" + r, send, 1); // the last rank's operand is in no other rank's result
            }
            t.get("s/" + r, 0, recv);
            return;
        }
        // Left fold in rank order: rank p gets x0 ∘ ... ∘ x(p-1).
        Buf acc = send.copy();
        Buf in = Buf.allocate(send.type(), send.count());
        for (int p = 1; p < n; p++) {
            t.put("s/" + p, acc, 1);
            if (p < n - 1) {
                t.get("g/" + p, p, in);
                Buf.combine(op, in, acc, false);
            }
        }
    }

    /**
     * As {@link #gather} with a count per rank; an empty block costs no request.
     *
     * @param t the channel's objects for this call
     * @param send this peer's {@code counts[rank]} elements
     * @param recv the blocks back to back in rank order on the root; unused elsewhere
     * @param counts elements per rank, the same on every peer
     * @param root the gathering rank
     */
    public static void gatherv(StoreTransport t, Buf send, Buf recv, int[] counts, int root) {
        int n = t.size();
        int r = t.rank();
        if (r != root) {
            if (counts[r] > 0) {
                t.put("g/" + r, send, 1);
            }
            return;
        }
        int[] d = PeerCollectives.displs(counts);
        recv.slice(d[r], counts[r]).copyFrom(send);
        for (int i = 1; i < n; i++) {
            int p = (root + i) % n;
            if (counts[p] > 0) {
                t.get("g/" + p, p, recv.slice(d[p], counts[p]));
            }
        }
    }

    /**
     * As {@link #scatter} with a count per rank; an empty block costs no request.
     *
     * @param t the channel's objects for this call
     * @param send the blocks back to back in rank order on the root; unused elsewhere
     * @param counts elements per rank, the same on every peer
     * @param recv this peer's {@code counts[rank]} elements
     * @param root the scattering rank
     */
    public static void scatterv(StoreTransport t, Buf send, int[] counts, Buf recv, int root) {
        int n = t.size();
        int r = t.rank();
        if (r != root) {
            if (counts[r] > 0) {
                t.get("s/" + r, root, recv);
            }
            return;
        }
        int[] d = PeerCollectives.displs(counts);
        for (int i = 1; i < n; i++) {
            int p = (root + i) % n;
            if (counts[p] > 0) {
                t.put("s/" + p, send.slice(d[p], counts[p]), 1);
            }
        }
        recv.copyFrom(send.slice(d[r], counts[r]));
    }

    /**
     * Gatherv at rank 0, then one object with every block for the others.
     *
     * @param t the channel's objects for this call
     * @param send this peer's {@code counts[rank]} elements
     * @param recv the blocks back to back in rank order
     * @param counts elements per rank, the same on every peer
     */
    public static void allgatherv(StoreTransport t, Buf send, Buf recv, int[] counts) {
        int n = t.size();
        int r = t.rank();
        int[] d = PeerCollectives.displs(counts);
        if (n == 1) {
            recv.copyFrom(send);
            return;
        }
        gatherv(t, send, r == 0 ? recv : null, counts, 0);
        if (d[n] == 0) {
            return;
        }
        if (r == 0) {
            t.put("all", recv, n - 1);
        } else {
            t.get("all", 0, recv);
        }
    }

    /**
     * One single-reader object per (writer, reader) pair that has data to move.
     *
     * @param t the channel's objects for this call
     * @param send the blocks for each rank, back to back in rank order
     * @param sendCounts elements for each rank
     * @param recv the blocks from each rank, back to back in rank order
     * @param recvCounts elements from each rank
     */
    public static void alltoallv(StoreTransport t, Buf send, int[] sendCounts, Buf recv, int[] recvCounts) {
        int n = t.size();
        int r = t.rank();
        int[] sd = PeerCollectives.displs(sendCounts);
        int[] rd = PeerCollectives.displs(recvCounts);
        for (int i = 1; i < n; i++) {
            int p = (r + i) % n;
            if (sendCounts[p] > 0) {
                t.put("a/" + r + "-" + p, send.slice(sd[p], sendCounts[p]), 1);
            }
        }
        recv.slice(rd[r], recvCounts[r]).copyFrom(send.slice(sd[r], sendCounts[r]));
        // Readers start with the rank that wrote for them first (its own writes run r+1, r+2, ...).
        for (int i = 1; i < n; i++) {
            int p = (r - i + n) % n;
            if (recvCounts[p] > 0) {
                t.get("a/" + p + "-" + r, p, recv.slice(rd[p], recvCounts[p]));
            }
        }
    }

    /**
     * Reduce to rank 0 in rank order, then scatterv of the result.
     *
     * @param t the channel's objects for this call
     * @param send this peer's operand: every rank's block, back to back
     * @param recv this peer's block of the result
     * @param counts elements of the result per rank
     * @param op the operator
     */
    public static void reduceScatter(StoreTransport t, Buf send, Buf recv, int[] counts, ReduceOp op) {
        if (t.size() == 1) {
            recv.copyFrom(send);
            return;
        }
        Buf all = t.rank() == 0 ? Buf.allocate(send.type(), send.count()) : null;
        reduce(t, send, all, 0, op);
        scatterv(t, all, counts, recv, 0);
    }

    // ------------------------------------------------------------------ messages of any length

    private static Buf bytes(byte[] a) {
        return Buf.wrap(DataType.BYTE, a, 0, a.length);
    }

    /**
     * A broadcast whose length only the root knows.
     *
     * @param t the channel's objects for this call
     * @param data the message on the root; ignored elsewhere
     * @param root the sending rank
     * @return the message, on every peer
     */
    public static byte[] bcastBytes(StoreTransport t, byte[] data, int root) {
        if (t.size() == 1) {
            return data;
        }
        if (t.rank() == root) {
            t.put("bcast", bytes(data), t.size() - 1);
            return data;
        }
        return t.getAny("bcast", root);
    }

    /**
     * A gather of blocks of any length.
     *
     * @param t the channel's objects for this call
     * @param send this peer's block
     * @param root the gathering rank
     * @return every block in rank order on the root; null elsewhere
     */
    public static List<byte[]> gatherBytes(StoreTransport t, byte[] send, int root) {
        int n = t.size();
        int r = t.rank();
        if (r != root) {
            t.put("g/" + r, bytes(send), 1);
            return null;
        }
        List<byte[]> out = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            out.add(p == r ? send.clone() : null);
        }
        for (int i = 1; i < n; i++) {
            int p = (root + i) % n;
            out.set(p, t.getAny("g/" + p, p));
        }
        return out;
    }

    /**
     * Gather at rank 0, which puts one object for {@code n-1} readers: {@code n} little-endian
     * int32 lengths, then the blocks in rank order.
     */
    public static List<byte[]> allgatherBytes(StoreTransport t, byte[] send) {
        int n = t.size();
        List<byte[]> all = gatherBytes(t, send, 0);
        if (n == 1) {
            return all;
        }
        if (t.rank() == 0) {
            long total = 4L * n;
            for (byte[] b : all) {
                total += b.length;
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw t.op().error("the blocks of every rank add up to " + total + " bytes, more than one object of at most "
                        + (Integer.MAX_VALUE - 8) + " bytes");
            }
            ByteBuffer packed = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
            all.forEach(b -> packed.putInt(b.length));
            all.forEach(packed::put);
            t.put("all", bytes(packed.array()), n - 1);
            return all;
        }
        ByteBuffer packed = ByteBuffer.wrap(t.getAny("all", 0)).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>(n);
        int[] lengths = new int[n];
        for (int p = 0; p < n; p++) {
            lengths[p] = packed.getInt();
        }
        for (int p = 0; p < n; p++) {
            byte[] b = new byte[lengths[p]];
            packed.get(b);
            out.add(p == t.rank() ? send.clone() : b);
        }
        return out;
    }

    /**
     * An all-to-all of blocks of any length: one object per ordered pair of peers.
     *
     * @param t the channel's objects for this call
     * @param send block {@code j} for rank {@code j}
     * @return block {@code i} from rank {@code i}
     */
    public static List<byte[]> alltoallBytes(StoreTransport t, List<byte[]> send) {
        int n = t.size();
        int r = t.rank();
        for (int i = 1; i < n; i++) {
            int p = (r + i) % n;
            t.put("a/" + r + "-" + p, bytes(send.get(p)), 1);
        }
        List<byte[]> out = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            out.add(p == r ? send.get(r).clone() : null);
        }
        for (int i = 1; i < n; i++) {
            int p = (r - i + n) % n;
            out.set(p, t.getAny("a/" + p + "-" + r, p));
        }
        return out;
    }
}
