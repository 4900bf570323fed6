package io.fmi.collective;

import io.fmi.DataType;
import io.fmi.ReduceOp;
import io.fmi.channel.Buf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collective algorithms of the peer-to-peer family, written against {@link PeerTransport}.
 *
 * <p>The algorithms are those of MPICH (Thakur, Rabenseifner and Gropp, "Optimization of
 * Collective Communication Operations in MPICH", IJHPCA 2005), switched by message size as MPI
 * libraries do:
 * <ul>
 *   <li>bcast: binomial tree rooted at the root.</li>
 *   <li>gather, scatter: linear (the root exchanging one message with every rank) or a binomial
 *       tree, by rank count and block size as Open MPI 4.1's fixed decisions choose
 *       ({@link #linearScatter}, {@link #linearGather}).</li>
 *   <li>reduce: binomial tree; a non-commutative operator reduces along a rank-ordered tree
 *       rooted at 0 (operands combine lower ranks on the left), then 0 forwards to the root; a
 *       non-associative operator is gathered and folded left to right at the root.</li>
 *   <li>allreduce: recursive doubling (with the MPICH pre/post step for non-powers of two) for
 *       small messages and non-commutative operators; from 4 ranks, for 8 KiB to 1 MiB with a
 *       commutative operator, Rabenseifner's reduce-scatter by recursive halving and allgather by
 *       recursive doubling (as Open MPI 4.1 chooses up to 15 ranks); for larger messages with a commutative
 *       operator the bandwidth-optimal ring (reduce-scatter, then allgather; Patarasuk and Yuan
 *       2009), on the caller's typed arrays in segments that overlap transfer and reduction
 *       ({@link PipelinedRing}); non-associative operators: reduce to 0, then bcast.</li>
 *   <li>allgather: recursive doubling for powers of two, ring otherwise.</li>
 *   <li>alltoall: pairwise exchange, {@code n-1} steps.</li>
 *   <li>barrier: dissemination (Hensgen, Finkel and Manber 1988), {@code ceil(log2 n)} rounds.</li>
 *   <li>scan: recursive doubling (Hillis and Steele 1986, as MPICH's scan), the received partial
 *       always on the left; non-associative operators: a rank-ordered chain.</li>
 *   <li>exscan: MPICH's recursive doubling ({@code MPIR_Exscan_intra_recursive_doubling}): a
 *       partial of the ranks seen so far, and the result built from the partials of lower
 *       groups only, each on the left; non-associative operators: a rank-ordered chain.</li>
 *   <li>gatherv, scatterv: linear, the root exchanging one message with every rank, as MPICH
 *       ({@code MPIR_Gatherv_allcomm_linear}) and Open MPI ({@code basic_linear}) do: a tree
 *       would forward blocks of uneven size through ranks that do not need them.</li>
 *   <li>allgatherv: recursive doubling for powers of two below the ring threshold, ring
 *       otherwise (MPICH's {@code MPIR_Allgatherv_intra_recursive_doubling} and
 *       {@code _ring}).</li>
 *   <li>alltoallv: pairwise exchange, {@code n-1} steps; step {@code i} sends to
 *       {@code rank+i} and receives from {@code rank-i} (Open MPI's
 *       {@code ompi_coll_base_alltoallv_intra_pairwise}).</li>
 *   <li>reduce-scatter, commutative operators: recursive halving below the ring threshold
 *       (MPICH's {@code MPIR_Reduce_scatter_intra_recursive_halving}, with its pre/post step for
 *       non-powers of two), the ring from it (Open MPI's
 *       {@code ompi_coll_base_reduce_scatter_intra_ring}); non-commutative or non-associative
 *       operators: a rank-ordered reduce to rank 0, then scatterv (Open MPI's
 *       {@code _nonoverlapping}), so the result is the rank-ordered fold.</li>
 *   <li>the byte operations (messages whose length the receiver does not know): bcast along the
 *       binomial tree, gather linear, allgather ring, alltoall pairwise; each block travels as one
 *       message and is received whatever its length, so no sizes are exchanged first.</li>
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
    /** Segment size of the pipelined ring allreduce ({@code allreduce_segment_bytes}): {@value}. */
    public static final int DEFAULT_SEGMENT_BYTES = PipelinedRing.SEGMENT_BYTES;

    private PeerCollectives() {
    }

    // ------------------------------------------------------------------ bcast

    /**
     * Binomial tree rooted at the root.
     *
     * @param t the channel's messages for this call
     * @param data the message on the root, where it lands elsewhere
     * @param root the sending rank
     */
    public static void bcast(PeerTransport t, Buf data, int root) {
        int n = t.size();
        if (n == 1) {
            return;
        }
        int vrank = rel(t.rank(), root, n);
        int bit = receiveBit(vrank, n);
        if (vrank != 0) {
            t.recv(abs(vrank - bit, root, n), data);
        }
        forward(t, data, vrank, bit, root);
    }

    /**
     * The bit through which relative rank {@code vrank} of a binomial tree over {@code n} ranks
     * receives (from {@code vrank - bit}): its lowest set bit, or for the root the power of two
     * at or above {@code n}.
     */
    private static int receiveBit(int vrank, int n) {
        int mask = 1;
        while (mask < n && (vrank & mask) == 0) {
            mask <<= 1;
        }
        return mask;
    }

    /** Sends {@code data} to the children of {@code vrank}, the ranks {@code vrank + b} for the bits {@code b} below {@code bit}. */
    private static void forward(PeerTransport t, Buf data, int vrank, int bit, int root) {
        int n = t.size();
        for (int mask = bit >> 1; mask > 0; mask >>= 1) {
            if (vrank + mask < n) {
                t.send(abs(vrank + mask, root, n), data);
            }
        }
        t.flush();
    }

    // ------------------------------------------------------------------ barrier

    /**
     * Dissemination barrier: {@code ceil(log2 n)} rounds; returns once every peer has entered it.
     * (Open MPI 4.1 takes a linear barrier through rank 0 for 4 to 7 ranks. Measured at 4 ranks on
     * 2 cores it made the rooted collectives after it look 1.5-2x faster, as rank 0 leaves it
     * first; but a rank then talks to rank 0 only, and a rank left waiting by a mismatched
     * collective, such as a bcast with two roots, hears nothing more from the peer it waits for:
     * the mismatch became a timeout.)
     *
     * @param t the channel's messages for this call
     */
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
        if (linearGather(n, send.byteLength())) {
            gatherv(t, send, recv, equalCounts(n, c), root);
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
        if (linearScatter(n, recv.byteLength())) {
            scatterv(t, send, equalCounts(n, c), recv, root);
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

    /**
     * Whether a scatter of {@code blockBytes} per rank goes linearly (the root sends each rank its
     * block) rather than down the binomial tree: Open MPI 4.1's fixed decision
     * ({@code ompi_coll_tuned_scatter_intra_dec_fixed}, the same table from 4.1.0 to 4.1.8), its
     * {@code basic_linear} and {@code linear_nb} both taken as linear. Each level of the tree is a
     * wake-up of the rank that forwards; on hosts where ranks share cores that is most of the time
     * (measured: 5,000 ints to 4 ranks on 2 cores took 210-480 µs down the tree, against Open MPI's
     * 28 µs linearly).
     */
    static boolean linearScatter(int n, long blockBytes) {
        long b = blockBytes;
        if (n < 4) {
            return true;
        } else if (n < 8) {
            return !(b < 2048 || b >= 4096 && b < 8192);
        } else if (n < 32) {
            return b >= 16384;
        } else if (n < 64) {
            return !(b < 512 || b >= 8192 && b < 16384);
        }
        return b >= 512;
    }

    /**
     * Whether a gather of {@code blockBytes} per rank comes linearly (every rank sends its block
     * to the root) rather than up the binomial tree: Open MPI 4.1's fixed decision
     * ({@code ompi_coll_tuned_gather_intra_dec_fixed}), its {@code basic_linear} and
     * {@code linear_sync} both taken as linear.
     */
    static boolean linearGather(int n, long blockBytes) {
        long b = blockBytes;
        if (n < 4) {
            return b < 4 || b >= 32768 && b < 65536 || b >= 131072;
        } else if (n < 8) {
            return b >= 1024 && b < 8192 || b >= 32768;
        } else if (n < 256) {
            return false;
        } else if (n < 512) {
            return b >= 2048 && b < 8192;
        }
        return false;
    }

    private static int[] equalCounts(int n, int c) {
        int[] counts = new int[n];
        java.util.Arrays.fill(counts, c);
        return counts;
    }

    /** Number of ranks in the binomial subtree of relative rank {@code vrank}, itself included. */
    static int subtreeSize(int vrank, int n) {
        int lowbit = vrank == 0 ? Integer.highestOneBit(n - 1) << 1 : Integer.lowestOneBit(vrank);
        return Math.min(lowbit, n - vrank);
    }

    // ------------------------------------------------------------------ allgather / alltoall

    /**
     * Recursive doubling for powers of two, ring otherwise.
     *
     * @param t the channel's messages for this call
     * @param send this peer's block
     * @param recv {@code size} blocks in rank order
     */
    public static void allgather(PeerTransport t, Buf send, Buf recv) {
        int n = t.size();
        int c = send.count();
        int[] d = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            d[i] = i * c;
        }
        recv.slice(t.rank() * c, c).copyFrom(send);
        shareBlocks(t, recv, d, Integer.bitCount(n) == 1);
    }

    /**
     * Every rank has put its own block {@code [d[rank], d[rank+1])} in {@code recv}; afterwards
     * every rank has all of them. With {@code doubling} (n a power of two) recursive doubling:
     * after step k each rank holds the blocks of its group of 2^(k+1) ranks, which lie next to
     * each other in recv; otherwise the ring, n-1 steps of one block each.
     */
    private static void shareBlocks(PeerTransport t, Buf recv, int[] d, boolean doubling) {
        int n = t.size();
        int r = t.rank();
        if (n == 1) {
            return;
        }
        if (doubling) {
            for (int mask = 1; mask < n; mask <<= 1) {
                int partner = r ^ mask;
                int mine = r & ~(mask - 1);
                int theirs = partner & ~(mask - 1);
                t.sendRecv(partner, recv.slice(d[mine], d[mine + mask] - d[mine]),
                        partner, recv.slice(d[theirs], d[theirs + mask] - d[theirs]));
            }
        } else {
            int right = (r + 1) % n;
            int left = (r - 1 + n) % n;
            for (int s = 0; s < n - 1; s++) {
                int out = (r - s + n) % n;
                int in = (r - s - 1 + n) % n;
                t.sendRecv(right, recv.slice(d[out], d[out + 1] - d[out]), left, recv.slice(d[in], d[in + 1] - d[in]));
            }
        }
        t.flush();
    }

    /**
     * Pairwise exchange in {@code n-1} steps.
     *
     * @param t the channel's messages for this call
     * @param send block {@code j} for rank {@code j}
     * @param recv block {@code i} from rank {@code i}
     */
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

    /**
     * Binomial tree; a non-commutative operator along a rank-ordered tree.
     *
     * @param t the channel's messages for this call
     * @param send this peer's operand
     * @param recv the result on the root; unused elsewhere
     * @param root the rank that gets the result
     * @param op the operator
     */
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

    /**
     * {@link #allreduce(PeerTransport, Buf, Buf, ReduceOp, int)} with the default ring threshold.
     *
     * @param t the channel's messages for this call
     * @param send this peer's operand
     * @param recv the result
     * @param op the operator
     */
    public static void allreduce(PeerTransport t, Buf send, Buf recv, ReduceOp op) {
        allreduce(t, send, recv, op, DEFAULT_RING_THRESHOLD_BYTES);
    }

    /**
     * Recursive doubling for small payloads; from {@code ringThresholdBytes} on a commutative operator takes
     * the pipelined ring (reduce-scatter then allgather).
     *
     * @param t the channel's messages for this call
     * @param send this peer's operand
     * @param recv the result
     * @param op the operator
     * @param ringThresholdBytes payloads from this size on take the ring (bandwidth) algorithm
     */
    public static void allreduce(PeerTransport t, Buf send, Buf recv, ReduceOp op, int ringThresholdBytes) {
        allreduce(t, send, recv, op, ringThresholdBytes, DEFAULT_SEGMENT_BYTES);
    }

    /**
     * Allreduce; a large one of a commutative operator on the caller's typed arrays takes the
     * pipelined ring ({@link PipelinedRing}) in segments of {@code segmentBytes}.
     *
     * @param t                  the call's transport
     * @param send               this rank's operand
     * @param recv               receives the result
     * @param op                 the operator
     * @param ringThresholdBytes payloads from this size on take the ring (commutative operators)
     * @param segmentBytes       the ring's segment size
     */
    public static void allreduce(PeerTransport t, Buf send, Buf recv, ReduceOp op, int ringThresholdBytes, int segmentBytes) {
        allreduce(t, send, recv, op, ringThresholdBytes, segmentBytes, AllreduceAlgorithm.AUTO);
    }

    /**
     * The allreduce algorithms a backend entry may name ({@code allreduce_algorithm}), as Open
     * MPI's {@code coll_tuned_allreduce_algorithm} forces one. A forced algorithm applies where it
     * can: the ring and Rabenseifner's need a commutative operator and at least one element per
     * rank, and a non-associative operator always reduces to rank 0 and broadcasts.
     */
    public enum AllreduceAlgorithm {
        /** By rank count, size and operator, as Open MPI 4.1's fixed decision. */
        AUTO,
        /** Recursive doubling. */
        RECURSIVE_DOUBLING,
        /** Reduce-scatter by recursive halving, then allgather by recursive doubling. */
        RABENSEIFNER,
        /** The ring, pipelined in segments on typed arrays. */
        RING;

        /** @return the name a backend entry gives, e.g. {@code "recursive_doubling"} */
        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Allreduce with {@code algorithm} where it applies.
     *
     * @param t                  the call's transport
     * @param send               this rank's operand
     * @param recv               receives the result
     * @param op                 the operator
     * @param ringThresholdBytes payloads from this size on take the ring (commutative operators)
     * @param segmentBytes       the ring's segment size
     * @param algorithm          the algorithm, or {@link AllreduceAlgorithm#AUTO}
     */
    public static void allreduce(PeerTransport t, Buf send, Buf recv, ReduceOp op, int ringThresholdBytes, int segmentBytes,
            AllreduceAlgorithm algorithm) {
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
        // The ring and Rabenseifner's split the operand among the ranks and reduce each block on one rank.
        boolean splits = op.isCommutative() && send.count() >= n;
        boolean halving = algorithm == AllreduceAlgorithm.AUTO ? halvingDoubling(n, send.byteLength(), op)
                : algorithm == AllreduceAlgorithm.RABENSEIFNER;
        boolean ring = algorithm == AllreduceAlgorithm.AUTO ? send.byteLength() >= ringThresholdBytes
                : algorithm == AllreduceAlgorithm.RING;
        if (splits && halving) {
            recv.copyFrom(send);
            reduceScatterAllgather(t, recv, op);
        } else if (splits && ring) {
            if (PipelinedRing.applies(send, recv, op, n)) {
                PipelinedRing.allreduce(t, send, recv, op, segmentBytes);
                return;
            }
            recv.copyFrom(send);
            ringAllreduce(t, recv, op);
        } else {
            recv.copyFrom(send);
            recursiveDoubling(t, recv, op);
        }
        t.flush();
    }

    /** Allreduce payloads from this many bytes take Rabenseifner's algorithm from 4 ranks on (Open MPI 4.1: 8 KiB up to 15 ranks). */
    static final int HALVING_MIN_BYTES = 8 * 1024;
    /**
     * Allreduce payloads up to this many bytes take Rabenseifner's algorithm; larger ones the
     * pipelined ring, whose staging stays a few segments (Rabenseifner's receives half the payload
     * into scratch at once, and the heap an allreduce needs beyond the caller's arrays is kept
     * within 1 MiB).
     */
    static final int HALVING_MAX_BYTES = 1024 * 1024;

    /**
     * Whether an allreduce takes {@link #reduceScatterAllgather}: a commutative operator, 4 ranks
     * or more (below, Open MPI takes it from 256 KiB, where FMI's pipelined ring does as well), and
     * a payload from {@value #HALVING_MIN_BYTES} to {@value #HALVING_MAX_BYTES} bytes, as Open MPI
     * 4.1's fixed decision ({@code ompi_coll_tuned_allreduce_intra_dec_fixed}, its "rabenseifner")
     * chooses for 4 to 15 ranks. Against the ring its fewer and larger messages matter most where
     * ranks share cores and each message waits for a wake-up: 2 log2(n) exchanges against 2(n-1)
     * steps of several segments each.
     *
     * @param n     the rank count
     * @param bytes the payload
     * @param op    the operator
     * @return whether Rabenseifner's algorithm is chosen
     */
    public static boolean halvingDoubling(int n, long bytes, ReduceOp op) {
        return n >= 4 && op.isCommutative() && op.isAssociative() && bytes >= HALVING_MIN_BYTES && bytes <= HALVING_MAX_BYTES;
    }

    /**
     * Rabenseifner's allreduce, as MPICH's {@code MPIR_Allreduce_intra_reduce_scatter_allgather}
     * and Open MPI's {@code ompi_coll_base_allreduce_intra_redscat_allgather}: the pre-step folds
     * the {@code n - 2^k} extra ranks into neighbours, a reduce-scatter by recursive halving leaves
     * each of the 2^k ranks one reduced block, an allgather by recursive doubling gives every one
     * all of them, and the post-step hands the result to the ranks that sat out. Each block is
     * reduced on one rank only, so every rank ends with bit-identical results; the incoming operand
     * of the lower rank goes on the left.
     */
    private static void reduceScatterAllgather(PeerTransport t, Buf acc, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        int pof2 = Integer.highestOneBit(n);
        int rem = n - pof2;
        int count = acc.count();
        // The largest receive: the whole operand in the pre-step (odd ranks below 2 rem), else the
        // lower half of the blocks (which hold the remainder's extra elements).
        boolean folds = r < 2 * rem && r % 2 == 1;
        Buf tmp = Buf.scratch(acc.type(), folds ? count : chunkStart(count, pof2, pof2 / 2), false); // received into before it is read
        int newrank = foldExtraRanks(t, acc, tmp, op);
        if (newrank != -1) {
            int sendIdx = 0;
            int recvIdx = 0;
            int lastIdx = pof2;
            int mask = 1;
            for (; mask < pof2; mask <<= 1) {
                int newdst = newrank ^ mask;
                int dst = foldedRank(newdst, rem);
                if (newrank < newdst) {
                    sendIdx = recvIdx + pof2 / (mask * 2);
                } else {
                    recvIdx = sendIdx + pof2 / (mask * 2);
                }
                // The lower half of the blocks still held stays with the lower rank of the pair.
                Buf out = chunks(acc, pof2, sendIdx, newrank < newdst ? lastIdx : recvIdx);
                Buf target = chunks(acc, pof2, recvIdx, newrank < newdst ? sendIdx : lastIdx);
                Buf in = tmp.slice(0, target.count());
                t.sendRecv(dst, out, dst, in);
                Buf.combine(op, in, target, dst < r);
                sendIdx = recvIdx;
                if (mask * 2 < pof2) {
                    lastIdx = recvIdx + pof2 / (mask * 2);
                }
            }
            for (mask >>= 1; mask > 0; mask >>= 1) {
                int newdst = newrank ^ mask;
                int dst = foldedRank(newdst, rem);
                Buf out;
                Buf in;
                if (newrank < newdst) {
                    if (mask != pof2 / 2) {
                        lastIdx = lastIdx + pof2 / (mask * 2);
                    }
                    recvIdx = sendIdx + pof2 / (mask * 2);
                    out = chunks(acc, pof2, sendIdx, recvIdx);
                    in = chunks(acc, pof2, recvIdx, lastIdx);
                } else {
                    recvIdx = sendIdx - pof2 / (mask * 2);
                    out = chunks(acc, pof2, sendIdx, lastIdx);
                    in = chunks(acc, pof2, recvIdx, sendIdx);
                }
                t.sendRecv(dst, out, dst, in);
                if (newrank > newdst) {
                    sendIdx = recvIdx;
                }
            }
        }
        returnToFoldedRanks(t, acc);
        tmp.release(); // not after a failure: a late receive might still land in it
    }

    /** MPICH's recursive doubling with the pre/post step folding {@code n - 2^k} extra ranks into neighbours. */
    private static void recursiveDoubling(PeerTransport t, Buf acc, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        int pof2 = Integer.highestOneBit(n);
        int rem = n - pof2;
        Buf tmp = Buf.scratch(acc.type(), acc.count(), false); // every use receives into it whole first
        int newrank = foldExtraRanks(t, acc, tmp, op);
        if (newrank != -1) {
            for (int mask = 1; mask < pof2; mask <<= 1) {
                int newdst = newrank ^ mask;
                int dst = foldedRank(newdst, rem);
                t.sendRecv(dst, acc, dst, tmp);
                Buf.combine(op, tmp, acc, dst < r);
            }
        }
        returnToFoldedRanks(t, acc);
        tmp.release(); // not after a failure: a late receive might still land in it
    }

    /** MPICH's post-step, the reverse of {@link #foldExtraRanks}: each odd rank below {@code 2·rem} hands the result to the even one below it. */
    private static void returnToFoldedRanks(PeerTransport t, Buf acc) {
        int r = t.rank();
        int rem = t.size() - Integer.highestOneBit(t.size());
        if (r < 2 * rem) {
            if (r % 2 == 1) {
                t.send(r - 1, acc);
            } else {
                t.recv(r + 1, acc);
            }
        }
    }

    /**
     * MPICH's pre-step for a rank count that is no power of two: of the first {@code 2·rem} ranks
     * ({@code rem = n - 2^k}), each even one sends its {@code acc} to the odd one above it, which
     * combines it on the left and stands in for both. Returns this rank's rank among the 2^k that
     * go on, or -1 for a rank that sat out.
     */
    private static int foldExtraRanks(PeerTransport t, Buf acc, Buf tmp, ReduceOp op) {
        int r = t.rank();
        int rem = t.size() - Integer.highestOneBit(t.size());
        if (r >= 2 * rem) {
            return r - rem;
        }
        if (r % 2 == 0) {
            t.send(r + 1, acc);
            return -1;
        }
        t.recv(r - 1, tmp);
        Buf.combine(op, tmp, acc, true);
        return r / 2;
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

    /** The first element of chunk {@code i} of {@code count} elements cut into {@code n} (the first {@code count % n} one longer). */
    private static int chunkStart(int count, int n, int i) {
        return i * (count / n) + Math.min(i, count % n);
    }

    private static Buf chunk(Buf b, int n, int i) {
        return chunks(b, n, i, i + 1);
    }

    /** Chunks {@code from} (inclusive) to {@code to} (exclusive) of {@code b} cut into {@code n}, as one slice. */
    private static Buf chunks(Buf b, int n, int from, int to) {
        int start = chunkStart(b.count(), n, from);
        return b.slice(start, chunkStart(b.count(), n, to) - start);
    }

    /** The rank behind rank {@code newrank} of the 2^k that go on after MPICH's pre-step folded {@code rem} extra ranks. */
    private static int foldedRank(int newrank, int rem) {
        return newrank < rem ? newrank * 2 + 1 : newrank + rem;
    }

    /**
     * Inclusive prefix by recursive doubling.
     *
     * @param t the channel's messages for this call
     * @param send this peer's operand
     * @param recv {@code x0 ∘ ... ∘ x(rank)}
     * @param op the operator
     */
    public static void scan(PeerTransport t, Buf send, Buf recv, ReduceOp op) {
        prefix(t, send, recv, op, true);
    }

    /**
     * Exclusive prefix by recursive doubling; rank 0's {@code recv} is left as it was.
     *
     * @param t the channel's messages for this call
     * @param send this peer's operand
     * @param recv the prefix of the ranks below this one
     * @param op the operator
     */
    public static void exscan(PeerTransport t, Buf send, Buf recv, ReduceOp op) {
        prefix(t, send, recv, op, false);
    }

    /**
     * Scan ({@code inclusive}) and exscan. Associative operators: recursive doubling, each rank
     * keeping the fold of its group so far ({@code partial}) and folding into its result only the
     * partials of lower groups, always on the left (MPICH's {@code MPIR_Scan_intra_recursive_doubling}
     * and {@code MPIR_Exscan_intra_recursive_doubling}); exscan's result starts with the first
     * lower partial, so rank 0's stays unwritten. Others: a strict left fold along the ranks.
     */
    private static void prefix(PeerTransport t, Buf send, Buf recv, ReduceOp op, boolean inclusive) {
        int n = t.size();
        int r = t.rank();
        if (inclusive) {
            recv.copyFrom(send);
        }
        if (n == 1) {
            return;
        }
        if (!op.isAssociative()) {
            // Rank i receives x0 ∘ ... ∘ x(i-1) from rank i-1, appends its own operand, passes it on.
            Buf before = null;
            if (r > 0) {
                before = inclusive ? Buf.allocate(send.type(), send.count()) : recv;
                t.recv(r - 1, before);
            }
            if (inclusive && before != null) {
                Buf.combine(op, before, recv, true);
            }
            if (r < n - 1) {
                Buf upto = inclusive ? recv : send;
                if (!inclusive && before != null) {
                    upto = before.copy();
                    Buf.combine(op, send, upto, false);
                }
                t.send(r + 1, upto);
            }
            t.flush();
            return;
        }
        Buf partial = send.copy();
        Buf tmp = Buf.allocate(send.type(), send.count());
        boolean started = inclusive;
        for (int mask = 1; mask < n; mask <<= 1) {
            int dst = r ^ mask;
            if (dst < n) {
                // In the last round no partial is used again: the lower rank only sends, the
                // upper only receives (at 2 ranks one message instead of an exchange, as Open
                // MPI's linear scan sends).
                boolean last = mask >= (n + 1) / 2;
                if (last && r < dst) {
                    t.send(dst, partial);
                    continue;
                }
                if (last) {
                    t.recv(dst, tmp);
                } else {
                    t.sendRecv(dst, partial, dst, tmp);
                }
                if (r > dst) {
                    if (!last) {
                        Buf.combine(op, tmp, partial, true);
                    }
                    if (started) {
                        Buf.combine(op, tmp, recv, true);
                    } else {
                        recv.copyFrom(tmp);
                        started = true;
                    }
                } else {
                    Buf.combine(op, tmp, partial, false);
                }
            }
        }
        t.flush();
    }

    // ------------------------------------------------------------------ variable-size collectives

    /** Element offsets of the blocks of {@code counts}, packed in rank order, and their total at index n. */
    static int[] displs(int[] counts) {
        int[] d = new int[counts.length + 1];
        for (int i = 0; i < counts.length; i++) {
            d[i + 1] = d[i] + counts[i];
        }
        return d;
    }

    /**
     * Linear: the root exchanges one message with every rank that has data.
     *
     * @param t the channel's messages for this call
     * @param send this peer's {@code counts[rank]} elements
     * @param recv the blocks back to back in rank order on the root; unused elsewhere
     * @param counts elements per rank, the same on every peer
     * @param root the gathering rank
     */
    public static void gatherv(PeerTransport t, Buf send, Buf recv, int[] counts, int root) {
        int n = t.size();
        int r = t.rank();
        if (r != root) {
            t.send(root, send);
            t.flush();
            return;
        }
        int[] d = displs(counts);
        recv.slice(d[r], counts[r]).copyFrom(send);
        for (int i = 1; i < n; i++) {
            int p = (root + i) % n;
            t.recv(p, recv.slice(d[p], counts[p]));
        }
        t.flush();
    }

    /**
     * Linear: the root sends one message to every rank that has data.
     *
     * @param t the channel's messages for this call
     * @param send the blocks back to back in rank order on the root; unused elsewhere
     * @param counts elements per rank, the same on every peer
     * @param recv this peer's {@code counts[rank]} elements
     * @param root the scattering rank
     */
    public static void scatterv(PeerTransport t, Buf send, int[] counts, Buf recv, int root) {
        int n = t.size();
        int r = t.rank();
        if (r != root) {
            t.recv(root, recv);
            return;
        }
        int[] d = displs(counts);
        for (int i = 1; i < n; i++) {
            int p = (root + i) % n;
            t.send(p, send.slice(d[p], counts[p]));
        }
        recv.copyFrom(send.slice(d[r], counts[r]));
        t.flush();
    }

    /**
     * Recursive doubling for powers of two below the ring threshold, ring otherwise.
     *
     * @param t the channel's messages for this call
     * @param send this peer's {@code counts[rank]} elements
     * @param recv the blocks back to back in rank order
     * @param counts elements per rank, the same on every peer
     * @param ringThresholdBytes payloads from this size on take the ring (bandwidth) algorithm
     */
    public static void allgatherv(PeerTransport t, Buf send, Buf recv, int[] counts, int ringThresholdBytes) {
        int n = t.size();
        int[] d = displs(counts);
        recv.slice(d[t.rank()], counts[t.rank()]).copyFrom(send);
        shareBlocks(t, recv, d, Integer.bitCount(n) == 1 && (long) d[n] * send.type().sizeBytes() < ringThresholdBytes);
    }

    /**
     * Pairwise exchange in {@code n-1} steps; empty blocks are not sent.
     *
     * @param t the channel's messages for this call
     * @param send the blocks for each rank, back to back in rank order
     * @param sendCounts elements for each rank
     * @param recv the blocks from each rank, back to back in rank order
     * @param recvCounts elements from each rank
     */
    public static void alltoallv(PeerTransport t, Buf send, int[] sendCounts, Buf recv, int[] recvCounts) {
        int n = t.size();
        int r = t.rank();
        int[] sd = displs(sendCounts);
        int[] rd = displs(recvCounts);
        recv.slice(rd[r], recvCounts[r]).copyFrom(send.slice(sd[r], sendCounts[r]));
        for (int i = 1; i < n; i++) {
            int dst = (r + i) % n;
            int src = (r - i + n) % n;
            t.sendRecv(dst, send.slice(sd[dst], sendCounts[dst]), src, recv.slice(rd[src], recvCounts[src]));
        }
        t.flush();
    }

    /**
     * Recursive halving or ring for commutative operators; a rank-ordered reduce then scatterv otherwise.
     *
     * @param t the channel's messages for this call
     * @param send this peer's operand: every rank's block, back to back
     * @param recv this peer's block of the result
     * @param counts elements of the result per rank
     * @param op the operator
     * @param ringThresholdBytes payloads from this size on take the ring (bandwidth) algorithm
     */
    public static void reduceScatter(PeerTransport t, Buf send, Buf recv, int[] counts, ReduceOp op, int ringThresholdBytes) {
        int n = t.size();
        if (n == 1) {
            recv.copyFrom(send);
            return;
        }
        if (!op.isCommutative() || !op.isAssociative()) {
            // reduce keeps the rank order for every operator; one message then hands each rank its block.
            Buf all = t.rank() == 0 ? Buf.allocate(send.type(), send.count()) : null;
            reduce(t, send, all, 0, op);
            scatterv(t, all, counts, recv, 0);
            return;
        }
        int[] d = displs(counts);
        if (send.byteLength() >= ringThresholdBytes) {
            ringReduceScatter(t, send, recv, counts, d, op);
        } else {
            recursiveHalving(t, send, recv, counts, d, op);
        }
        t.flush();
    }

    /**
     * Ring reduce-scatter: n-1 steps; in step s a rank sends the block it combined in step s-1
     * (its own operand's block r-1 first) to the right and combines the block r-s-2 arriving from
     * the left, so that after the last step block r holds every rank's contribution.
     */
    private static void ringReduceScatter(PeerTransport t, Buf send, Buf recv, int[] counts, int[] d, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        Buf acc = Buf.scratch(send.type(), send.count(), false);
        acc.copyFrom(send);
        Buf tmp = Buf.scratch(send.type(), Arrays.stream(counts).max().orElse(0), false); // received into before it is read
        for (int s = 0; s < n - 1; s++) {
            int out = Math.floorMod(r - s - 1, n);
            int in = Math.floorMod(r - s - 2, n);
            Buf incoming = tmp.slice(0, counts[in]);
            t.sendRecv(right, acc.slice(d[out], counts[out]), left, incoming);
            Buf.combine(op, incoming, acc.slice(d[in], counts[in]), true);
        }
        recv.copyFrom(acc.slice(d[r], counts[r]));
        Buf.release(acc, tmp); // not after a failure: a late receive might still land in them
    }

    /**
     * MPICH's recursive halving for commutative operators: the extra {@code n - 2^k} ranks fold
     * their vector into a neighbour first; then each of the 2^k ranks halves the range of blocks it
     * is responsible for in every step, exchanging the other half with its partner; finally each
     * neighbour that folded in gets its block back.
     */
    private static void recursiveHalving(PeerTransport t, Buf send, Buf recv, int[] counts, int[] d, ReduceOp op) {
        int n = t.size();
        int r = t.rank();
        int pof2 = Integer.highestOneBit(n);
        int rem = n - pof2;
        Buf acc = send.copy();
        Buf tmp = Buf.allocate(send.type(), send.count());
        int newrank = foldExtraRanks(t, acc, tmp, op);
        if (newrank != -1) {
            // New block i: old blocks 2i and 2i+1 for i < rem, old block i + rem otherwise.
            int[] nd = new int[pof2 + 1];
            for (int i = 0; i < pof2; i++) {
                nd[i] = d[i < rem ? 2 * i : i + rem];
            }
            nd[pof2] = d[n];
            int lo = 0;
            for (int mask = pof2 >> 1; mask > 0; mask >>= 1) {
                int newdst = newrank ^ mask;
                int dst = foldedRank(newdst, rem);
                int mid = lo + mask;
                int hi = lo + 2 * mask;
                Buf out;
                Buf keep;
                if ((newrank & mask) == 0) {
                    out = acc.slice(nd[mid], nd[hi] - nd[mid]);
                    keep = acc.slice(nd[lo], nd[mid] - nd[lo]);
                } else {
                    out = acc.slice(nd[lo], nd[mid] - nd[lo]);
                    keep = acc.slice(nd[mid], nd[hi] - nd[mid]);
                    lo = mid;
                }
                Buf in = tmp.slice(0, keep.count());
                t.sendRecv(dst, out, dst, in);
                Buf.combine(op, in, keep, true);
            }
            recv.copyFrom(acc.slice(d[r], counts[r]));
        }
        if (r < 2 * rem) {
            if (r % 2 == 1) {
                t.send(r - 1, acc.slice(d[r - 1], counts[r - 1]));
            } else {
                t.recv(r + 1, recv);
            }
        }
    }

    // ------------------------------------------------------------------ messages of any length

    private static Buf bytes(byte[] a) {
        return Buf.wrap(DataType.BYTE, a, 0, a.length);
    }

    /** Binomial bcast whose receivers take the message whatever its length. */
    public static byte[] bcastBytes(PeerTransport t, byte[] data, int root) {
        int n = t.size();
        if (n == 1) {
            return data;
        }
        int vrank = rel(t.rank(), root, n);
        int bit = receiveBit(vrank, n);
        byte[] buf = vrank == 0 ? data : t.recvAny(abs(vrank - bit, root, n));
        forward(t, bytes(buf), vrank, bit, root);
        return buf;
    }

    /** Linear: every rank sends its bytes to the root, which takes each message whatever its length. */
    public static List<byte[]> gatherBytes(PeerTransport t, byte[] send, int root) {
        int n = t.size();
        int r = t.rank();
        if (r != root) {
            t.send(root, bytes(send));
            t.flush();
            return null;
        }
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(null);
        }
        out.set(r, send.clone());
        for (int i = 1; i < n; i++) {
            int p = (root + i) % n;
            out.set(p, t.recvAny(p));
        }
        return out;
    }

    /** Ring: each block travels n-1 hops as one message, received whatever its length. */
    public static List<byte[]> allgatherBytes(PeerTransport t, byte[] send) {
        int n = t.size();
        int r = t.rank();
        byte[][] blocks = new byte[n][];
        blocks[r] = send;
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        for (int s = 0; s < n - 1; s++) {
            int out = (r - s + n) % n;
            int in = (r - s - 1 + n) % n;
            blocks[in] = t.sendRecvAny(right, bytes(blocks[out]), left);
        }
        t.flush();
        blocks[r] = send.clone();
        return new ArrayList<>(Arrays.asList(blocks));
    }

    /** Pairwise exchange with receives of any length. */
    public static List<byte[]> alltoallBytes(PeerTransport t, List<byte[]> send) {
        int n = t.size();
        int r = t.rank();
        byte[][] blocks = new byte[n][];
        blocks[r] = send.get(r).clone();
        for (int i = 1; i < n; i++) {
            int dst = (r + i) % n;
            int src = (r - i + n) % n;
            blocks[src] = t.sendRecvAny(dst, bytes(send.get(dst)), src);
        }
        t.flush();
        return new ArrayList<>(Arrays.asList(blocks));
    }

    // ------------------------------------------------------------------ helpers

    private static int rel(int rank, int root, int n) {
        return (rank - root + n) % n;
    }

    private static int abs(int vrank, int root, int n) {
        return (vrank + root) % n;
    }
}
