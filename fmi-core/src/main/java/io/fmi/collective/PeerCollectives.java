package io.fmi.collective;

import io.fmi.DataType;
import io.fmi.ReduceOp;
import io.fmi.channel.Buf;

/**
 * Collective algorithms of the peer-to-peer family, written against {@link PeerTransport}.
 *
 * <p>The algorithms are those of MPICH (Thakur, Rabenseifner and Gropp, "Optimization of
 * Collective Communication Operations in MPICH", IJHPCA 2005), switched by message size as MPI
 * libraries do:
 * <ul>
 *   <li>bcast, gather, scatter: binomial trees rooted at the root.</li>
 *   <li>reduce: binomial tree; a non-commutative operator reduces along a rank-ordered tree
 *       rooted at 0 (operands combine lower ranks on the left), then 0 forwards to the root; a
 *       non-associative operator is gathered and folded left to right at the root.</li>
 *   <li>allreduce: recursive doubling (with the MPICH pre/post step for non-powers of two) for
 *       small messages and non-commutative operators; for large messages with a commutative
 *       operator the bandwidth-optimal ring (reduce-scatter, then allgather; Patarasuk and Yuan
 *       2009); non-associative operators: reduce to 0, then bcast.</li>
 *   <li>allgather: recursive doubling for powers of two, ring otherwise.</li>
 *   <li>alltoall: pairwise exchange, {@code n-1} steps.</li>
 *   <li>barrier: dissemination (Hensgen, Finkel and Manber 1988), {@code ceil(log2 n)} rounds.</li>
 *   <li>scan: recursive doubling (Hillis and Steele 1986, as MPICH's scan), the received partial
 *       always on the left; non-associative operators: a rank-ordered chain.</li>
 * </ul>
 * Every combine places the lower ranks' operand on the left, so results equal the rank-ordered
 * fold {@code x0 ∘ x1 ∘ ... ∘ x(n-1)} for every associative operator and every root, and every
 * rank of an allreduce holds bit-identical results.
 *
 * <p>Stateless and thread-safe.
 */
public final class PeerCollectives {
    /** Allreduce payloads from this many bytes on take the ring when the operator commutes. */
    public static final int DEFAULT_RING_THRESHOLD_BYTES = 64 * 1024;

    private PeerCollectives() {
    }

    // ------------------------------------------------------------------ bcast

    public static void bcast(PeerTransport t, Buf data, int root) {
        int n = t.size();
        if (n == 1) {
            return;
        }
        int vrank = rel(t.rank(), root, n);
        int mask = 1;
        while (mask < n) {
            if ((vrank & mask) != 0) {
                t.recv(abs(vrank - mask, root, n), data);
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while (mask > 0) {
            if (vrank + mask < n) {
                t.send(abs(vrank + mask, root, n), data);
            }
            mask >>= 1;
        }
        t.flush();
    }

    // ------------------------------------------------------------------ barrier

    public static void barrier(PeerTransport t) {
        int n = t.size();
        int r = t.rank();
        Buf empty = Buf.empty(DataType.BYTE);
        for (int mask = 1; mask < n; mask <<= 1) {
            t.sendRecv((r + mask) % n, empty, (r - mask + n) % n, empty);
        }
        t.flush();
    }

    // ------------------------------------------------------------------ gather / scatter

    /**
     * Binomial gather. Each node collects the blocks of its subtree, in relative-rank order, in
     * one buffer and forwards them to its parent in one message.
     */
    public static void gather(PeerTransport t, Buf send, Buf recv, int root) {
        int n = t.size();
        int r = t.rank();
        int c = send.count();
        int vrank = rel(r, root, n);
        if (n == 1) {
            recv.copyFrom(send);
            return;
        }
        int subtree = subtreeSize(vrank, n);
        Buf tmp = (vrank == 0 && root == 0) ? recv : Buf.allocate(send.type(), subtree * c);
        tmp.slice(0, c).copyFrom(send);
        int have = 1;
        for (int mask = 1; mask < n; mask <<= 1) {
            if ((vrank & mask) != 0) {
                t.send(abs(vrank - mask, root, n), tmp.slice(0, have * c));
                break;
            }
            int child = vrank + mask;
            if (child < n) {
                int blocks = Math.min(mask, n - child);
                t.recv(abs(child, root, n), tmp.slice(mask * c, blocks * c));
                have = mask + blocks;
            }
        }
        if (vrank == 0 && tmp != recv) {
            for (int j = 0; j < n; j++) {
                recv.slice(abs(j, root, n) * c, c).copyFrom(tmp.slice(j * c, c));
            }
        }
        t.flush();
    }

    /** Binomial scatter: the mirror of {@link #gather}. */
    public static void scatter(PeerTransport t, Buf send, Buf recv, int root) {
        int n = t.size();
        int c = recv.count();
        int vrank = rel(t.rank(), root, n);
        if (n == 1) {
            recv.copyFrom(send);
            return;
        }
        Buf tmp;
        int mask;
        if (vrank == 0) {
            if (root == 0) {
                tmp = send;
            } else {
                tmp = Buf.allocate(recv.type(), n * c);
                for (int j = 0; j < n; j++) {
                    tmp.slice(j * c, c).copyFrom(send.slice(abs(j, root, n) * c, c));
                }
            }
            mask = Integer.highestOneBit(n - 1) << 1;
        } else {
            tmp = Buf.allocate(recv.type(), subtreeSize(vrank, n) * c);
            mask = 1;
            while ((vrank & mask) == 0) {
                mask <<= 1;
            }
            t.recv(abs(vrank - mask, root, n), tmp);
        }
        for (mask >>= 1; mask > 0; mask >>= 1) {
            int child = vrank + mask;
            if (child < n) {
                int blocks = Math.min(mask, n - child);
                t.send(abs(child, root, n), tmp.slice(mask * c, blocks * c));
            }
        }
        recv.copyFrom(tmp.slice(0, c));
        t.flush();
    }

    /** Number of ranks in the binomial subtree of relative rank {@code vrank}, itself included. */
    static int subtreeSize(int vrank, int n) {
        int lowbit = vrank == 0 ? Integer.highestOneBit(n - 1) << 1 : Integer.lowestOneBit(vrank);
        return Math.min(lowbit, n - vrank);
    }

    // ------------------------------------------------------------------ allgather / alltoall

    public static void allgather(PeerTransport t, Buf send, Buf recv) {
        int n = t.size();
        int r = t.rank();
        int c = send.count();
        recv.slice(r * c, c).copyFrom(send);
        if (n == 1) {
            return;
        }
        if (Integer.bitCount(n) == 1) {
            // Recursive doubling: after step k each rank holds the 2^(k+1) blocks of its group.
            for (int mask = 1; mask < n; mask <<= 1) {
                int partner = r ^ mask;
                int mine = r & ~(mask - 1);
                int theirs = partner & ~(mask - 1);
                t.sendRecv(partner, recv.slice(mine * c, mask * c), partner, recv.slice(theirs * c, mask * c));
            }
        } else {
            int right = (r + 1) % n;
            int left = (r - 1 + n) % n;
            for (int s = 0; s < n - 1; s++) {
                int out = (r - s + n) % n;
                int in = (r - s - 1 + n) % n;
                t.sendRecv(right, recv.slice(out * c, c), left, recv.slice(in * c, c));
            }
        }
        t.flush();
    }

    public static void alltoall(PeerTransport t, Buf send, Buf recv) {
        int n = t.size();
        int r = t.rank();
        int c = send.count() / n;
        recv.slice(r * c, c).copyFrom(send.slice(r * c, c));
        for (int i = 1; i < n; i++) {
            int dst = (r + i) % n;
            int src = (r - i + n) % n;
            t.sendRecv(dst, send.slice(dst * c, c), src, recv.slice(src * c, c));
        }
        t.flush();
    }

    // ------------------------------------------------------------------ reduce family

    public static void reduce(PeerTransport t, Buf send, Buf recv, int root, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        if (n == 1) {
            recv.copyFrom(send);
            return;
        }
        if (!op.isAssociative()) {
            foldAtRoot(t, send, recv, root, op);
            return;
        }
        if (op.isCommutative()) {
            Buf acc = r == root ? recv : Buf.allocate(send.type(), send.count());
            acc.copyFrom(send);
            binomialReduce(t, acc, root, op);
        } else {
            // Rank-ordered tree rooted at 0, then forward to the root.
            Buf acc = r == root && root == 0 ? recv : Buf.allocate(send.type(), send.count());
            acc.copyFrom(send);
            binomialReduce(t, acc, 0, op);
            if (root != 0) {
                if (r == 0) {
                    t.send(root, acc);
                } else if (r == root) {
                    t.recv(0, recv);
                }
            }
        }
        t.flush();
    }

    /** Reduces {@code acc} of every rank into {@code acc} of {@code root}; child operands combine on the right. */
    private static void binomialReduce(PeerTransport t, Buf acc, int root, ReduceOp op) {
        int n = t.size();
        int vrank = rel(t.rank(), root, n);
        Buf tmp = null;
        for (int mask = 1; mask < n; mask <<= 1) {
            if ((vrank & mask) != 0) {
                t.send(abs(vrank & ~mask, root, n), acc);
                break;
            }
            int child = vrank | mask;
            if (child < n) {
                if (tmp == null) {
                    tmp = Buf.allocate(acc.type(), acc.count());
                }
                t.recv(abs(child, root, n), tmp);
                Buf.combine(op, tmp, acc, false);
            }
        }
    }

    /** Non-associative reduce: binomial gather to the root, then a strict left fold in rank order. */
    private static void foldAtRoot(PeerTransport t, Buf send, Buf recv, int root, ReduceOp op) {
        int n = t.size();
        int c = send.count();
        Buf all = t.rank() == root ? Buf.allocate(send.type(), n * c) : null;
        gather(t, send, all, root);
        if (t.rank() == root) {
            recv.copyFrom(all.slice(0, c));
            for (int j = 1; j < n; j++) {
                Buf.combine(op, all.slice(j * c, c), recv, false);
            }
        }
    }

    public static void allreduce(PeerTransport t, Buf send, Buf recv, ReduceOp op) {
        allreduce(t, send, recv, op, DEFAULT_RING_THRESHOLD_BYTES);
    }

    public static void allreduce(PeerTransport t, Buf send, Buf recv, ReduceOp op, int ringThresholdBytes) {
        int n = t.size();
        if (n == 1) {
            recv.copyFrom(send);
            return;
        }
        if (!op.isAssociative()) {
            reduce(t, send, t.rank() == 0 ? recv : null, 0, op);
            bcast(t, recv, 0);
            return;
        }
        recv.copyFrom(send);
        if (op.isCommutative() && send.byteLength() >= ringThresholdBytes && send.count() >= n) {
            ringAllreduce(t, recv, op);
        } else {
            recursiveDoubling(t, recv, op);
        }
        t.flush();
    }

    /** MPICH's recursive doubling with the pre/post step folding {@code n - 2^k} extra ranks into neighbours. */
    private static void recursiveDoubling(PeerTransport t, Buf acc, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        int pof2 = Integer.highestOneBit(n);
        int rem = n - pof2;
        Buf tmp = Buf.scratch(acc.type(), acc.count(), false); // every use receives into it whole first
        int newrank;
        if (r < 2 * rem) {
            if (r % 2 == 0) {
                t.send(r + 1, acc);
                newrank = -1;
            } else {
                t.recv(r - 1, tmp);
                Buf.combine(op, tmp, acc, true);
                newrank = r / 2;
            }
        } else {
            newrank = r - rem;
        }
        if (newrank != -1) {
            for (int mask = 1; mask < pof2; mask <<= 1) {
                int newdst = newrank ^ mask;
                int dst = newdst < rem ? newdst * 2 + 1 : newdst + rem;
                t.sendRecv(dst, acc, dst, tmp);
                Buf.combine(op, tmp, acc, dst < r);
            }
        }
        if (r < 2 * rem) {
            if (r % 2 == 1) {
                t.send(r - 1, acc);
            } else {
                t.recv(r + 1, acc);
            }
        }
        tmp.release(); // not after a failure: a late receive might still land in it
    }

    /** Ring allreduce: n-1 reduce-scatter steps, then n-1 allgather steps over n chunks. */
    private static void ringAllreduce(PeerTransport t, Buf acc, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        int count = acc.count();
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        Buf tmp = Buf.scratch(acc.type(), chunkCount(count, n, 0), false); // received into before it is read
        for (int s = 0; s < n - 1; s++) {
            int out = (r - s + n) % n;
            int in = (r - s - 1 + n) % n;
            Buf target = chunk(acc, n, in);
            Buf incoming = tmp.slice(0, target.count());
            t.sendRecv(right, chunk(acc, n, out), left, incoming);
            Buf.combine(op, incoming, target, true);
        }
        for (int s = 0; s < n - 1; s++) {
            int out = (r + 1 - s + n) % n;
            int in = (r - s + n) % n;
            t.sendRecv(right, chunk(acc, n, out), left, chunk(acc, n, in));
        }
        tmp.release(); // not after a failure: a late receive might still land in it
    }

    private static int chunkCount(int count, int n, int i) {
        return count / n + (i < count % n ? 1 : 0);
    }

    private static Buf chunk(Buf b, int n, int i) {
        int count = b.count();
        int base = count / n;
        int extra = count % n;
        int start = i * base + Math.min(i, extra);
        return b.slice(start, chunkCount(count, n, i));
    }

    public static void scan(PeerTransport t, Buf send, Buf recv, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        recv.copyFrom(send);
        if (n == 1) {
            return;
        }
        if (!op.isAssociative()) {
            // Strict left fold: rank i receives x0 ∘ ... ∘ x(i-1), appends its own operand, passes it on.
            if (r > 0) {
                Buf prefix = Buf.allocate(send.type(), send.count());
                t.recv(r - 1, prefix);
                Buf.combine(op, prefix, recv, true);
            }
            if (r < n - 1) {
                t.send(r + 1, recv);
            }
            t.flush();
            return;
        }
        Buf partial = send.copy();
        Buf tmp = Buf.allocate(send.type(), send.count());
        for (int mask = 1; mask < n; mask <<= 1) {
            int dst = r ^ mask;
            if (dst < n) {
                t.sendRecv(dst, partial, dst, tmp);
                if (r > dst) {
                    Buf.combine(op, tmp, partial, true);
                    Buf.combine(op, tmp, recv, true);
                } else {
                    Buf.combine(op, tmp, partial, false);
                }
            }
        }
        t.flush();
    }

    // ------------------------------------------------------------------ helpers

    private static int rel(int rank, int root, int n) {
        return (rank - root + n) % n;
    }

    private static int abs(int vrank, int root, int n) {
        return (vrank + root) % n;
    }
}
