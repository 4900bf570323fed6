package io.fmi.collective;

import io.fmi.ReduceOp;
import io.fmi.channel.Buf;
import io.fmi.DataType;

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
}
