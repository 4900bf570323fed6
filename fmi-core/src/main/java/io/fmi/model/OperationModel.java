package io.fmi.model;

import io.fmi.Operation;
import io.fmi.collective.PeerCollectives;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Maps an operation to the transfer patterns of the algorithm that a channel family really runs
 * for that message size and peer count, so that a channel's cost is the cost of what it will do.
 *
 * <p>Peer-to-peer family ({@link PeerCollectives}; MPICH's algorithms, Thakur, Rabenseifner and
 * Gropp, IJHPCA 2005). Every round is a set of disjoint pairs working at once, so a round costs
 * one {@link TransferPattern#pair pair} transfer; {@code L = ceil(log2 n)}:
 * <table>
 *   <caption>peer-to-peer plans</caption>
 *   <tr><th>operation</th><th>algorithm</th><th>rounds</th></tr>
 *   <tr><td>send</td><td>one message</td><td>1 × b</td></tr>
 *   <tr><td>bcast, reduce, scan</td><td>binomial tree / recursive doubling</td><td>L × b</td></tr>
 *   <tr><td>barrier</td><td>dissemination</td><td>L × 0 bytes</td></tr>
 *   <tr><td>gather, scatter</td><td>binomial tree</td><td>round k carries min(2^k, n-2^k) blocks</td></tr>
 *   <tr><td>allreduce, n ≥ 4, 8 KiB ≤ b ≤ 1 MiB</td><td>Rabenseifner (recursive halving + doubling)</td><td>rounds of b/2, b/4, ..., b/2^k twice, +2 × b when n is no power of two</td></tr>
 *   <tr><td>allreduce, b &lt; 64 KiB otherwise</td><td>recursive doubling</td><td>log2(2^⌊log2 n⌋) × b, +2 when n is no power of two</td></tr>
 *   <tr><td>allreduce, b ≥ 64 KiB otherwise</td><td>ring (reduce-scatter + allgather)</td><td>2(n-1) × b/n</td></tr>
 *   <tr><td>allgather, n a power of two</td><td>recursive doubling</td><td>round k carries 2^k blocks</td></tr>
 *   <tr><td>allgather, otherwise</td><td>ring</td><td>(n-1) × b</td></tr>
 *   <tr><td>alltoall</td><td>pairwise exchange</td><td>(n-1) × b/n</td></tr>
 *   <tr><td>exscan</td><td>recursive doubling</td><td>L × b</td></tr>
 *   <tr><td>gatherv</td><td>linear: n-1 ranks to the root</td><td>one fan-in (n-1 → 1, b)</td></tr>
 *   <tr><td>scatterv</td><td>linear: the root to n-1 ranks</td><td>one fan-out (1 → n-1, b) personalized</td></tr>
 *   <tr><td>allgatherv, n a power of two, n·b &lt; 64 KiB</td><td>recursive doubling</td><td>round k carries 2^k blocks</td></tr>
 *   <tr><td>allgatherv, otherwise</td><td>ring</td><td>(n-1) × b</td></tr>
 *   <tr><td>alltoallv</td><td>pairwise exchange</td><td>(n-1) × b/n</td></tr>
 *   <tr><td>reduce_scatter, b &lt; 64 KiB</td><td>recursive halving</td><td>round k carries b/2^k, +2 when n is no power of two</td></tr>
 *   <tr><td>reduce_scatter, b ≥ 64 KiB</td><td>ring</td><td>(n-1) × b/n</td></tr>
 * </table>
 * The selector does not know the reduction operator; allreduce is modelled for a commutative one
 * (a non-commutative operator always takes recursive doubling, which is never cheaper).
 *
 * <p>Mediated family ({@link io.fmi.collective.StoreCollectives}): fan-in to a root and fan-out
 * from it, each one {@link TransferPattern} with {@code p} writers and {@code c} readers:
 * <table>
 *   <caption>mediated plans</caption>
 *   <tr><th>operation</th><th>patterns</th></tr>
 *   <tr><td>send</td><td>(1 → 1, b)</td></tr>
 *   <tr><td>bcast</td><td>(1 → n-1, b)</td></tr>
 *   <tr><td>gather, reduce</td><td>(n-1 → 1, b)</td></tr>
 *   <tr><td>scatter</td><td>(1 → n-1, b) personalized</td></tr>
 *   <tr><td>allreduce</td><td>(n-1 → 1, b), then (1 → n-1, b)</td></tr>
 *   <tr><td>scan</td><td>(n-1 → 1, b), then (1 → n-1, b) personalized</td></tr>
 *   <tr><td>allgather</td><td>(n-1 → 1, b), then (1 → n-1, n·b)</td></tr>
 *   <tr><td>alltoall</td><td>(n → n-1, b/n) personalized</td></tr>
 *   <tr><td>barrier</td><td>(n-1 → 1, 0), then (1 → n-1, 0) personalized</td></tr>
 *   <tr><td>exscan</td><td>(n-1 → 1, b), then (1 → n-1, b) personalized</td></tr>
 *   <tr><td>gatherv</td><td>(n-1 → 1, b)</td></tr>
 *   <tr><td>scatterv</td><td>(1 → n-1, b) personalized</td></tr>
 *   <tr><td>allgatherv</td><td>(n-1 → 1, b), then (1 → n-1, n·b)</td></tr>
 *   <tr><td>alltoallv</td><td>(n → n-1, b/n) personalized</td></tr>
 *   <tr><td>reduce_scatter</td><td>(n-1 → 1, b), then (1 → n-1, b/n) personalized</td></tr>
 * </table>
 *
 * <p>{@code b} is the byte count {@code DefaultCommunicator} passes to the selector: the message
 * of send and bcast, the contribution of one peer for gather, reduce, allreduce, scan, exscan and
 * allgather, the block one peer receives for scatter, a peer's whole send buffer for alltoall and
 * alltoallv, the average block per peer for gatherv, scatterv and allgatherv, and the whole
 * vector for reduce_scatter. Where the ranks do not all know the sizes (alltoallv, the byte and
 * object operations) it is 0, so that they agree on the channel; point-to-point messages are
 * placed with 0 as well, so that messages between two peers all take one channel. Stateless and
 * thread-safe.
 */
public final class OperationModel {
    private OperationModel() {
    }

    /**
     * One step of a plan: {@code rounds} consecutive repetitions of {@code pattern}.
     *
     * @param pattern the transfer of each round
     * @param rounds  how many times it runs back to back, {@code >= 1}
     */
    public record Step(TransferPattern pattern, int rounds) {
        /** Checks the pattern is given and {@code rounds >= 1}. */
        public Step {
            Objects.requireNonNull(pattern, "pattern");
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds: " + rounds + " (expected: >= 1)");
            }
        }
    }

    /**
     * The transfers of one operation on one channel family, in the order they run.
     *
     * @param algorithm name of the algorithm, e.g. {@code "recursive doubling"}
     * @param steps     consecutive steps; empty when nothing moves (a collective of one peer)
     */
    public record Plan(String algorithm, List<Step> steps) {
        /** Copies {@code steps}. */
        public Plan {
            steps = List.copyOf(steps);
        }

        /** Total number of rounds, i.e. of consecutive transfer patterns. */
        public int rounds() {
            return steps.stream().mapToInt(Step::rounds).sum();
        }
    }

    /**
     * The plan of {@code op} moving {@code bytes} (see the class documentation for what the count
     * means per operation) among {@code size} peers on a channel of {@code family}.
     */
    public static Plan plan(Operation op, long bytes, int size, Family family) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(family, "family");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
        if (size < 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
        }
        return family == Family.PEER_TO_PEER ? peerPlan(op, bytes, size) : mediatedPlan(op, bytes, size);
    }

    private static Plan peerPlan(Operation op, long b, int n) {
        if (op == Operation.SEND) {
            return new Plan("point-to-point", List.of(new Step(TransferPattern.pair(b), 1)));
        }
        if (n == 1) {
            return new Plan("local copy", List.of());
        }
        int log = ceilLog2(n);
        switch (op) {
            case BCAST:
                return uniform("binomial tree", b, log);
            case REDUCE:
                return uniform("binomial tree", b, log);
            case SCAN:
            case EXSCAN:
                return uniform("recursive doubling", b, log);
            case BARRIER:
                return uniform("dissemination", 0, log);
            case GATHER:
            case SCATTER: {
                Builder p = new Builder("binomial tree");
                for (int mask = 1; mask < n; mask <<= 1) {
                    p.add(TransferPattern.pair(Math.min(mask, n - mask) * b));
                }
                return p.build();
            }
            case ALLREDUCE: {
                if (PeerCollectives.halvingDoubling(n, b, io.fmi.ReduceOp.SUM) && b >= n) {
                    int pof2 = Integer.highestOneBit(n);
                    Builder p = recursiveHalving("rabenseifner", b, n);
                    for (int mask = 1; mask < pof2; mask <<= 1) {
                        p.add(TransferPattern.pair(ceilDiv(b * mask, pof2)));
                    }
                    if (pof2 != n) {
                        p.add(TransferPattern.pair(b));
                    }
                    return p.build();
                }
                if (b >= PeerCollectives.DEFAULT_RING_THRESHOLD_BYTES && b >= n) {
                    return uniform("ring", ceilDiv(b, n), 2 * (n - 1));
                }
                int pof2 = Integer.highestOneBit(n);
                int rounds = Integer.numberOfTrailingZeros(pof2) + (pof2 == n ? 0 : 2);
                return uniform("recursive doubling", b, rounds);
            }
            case ALLGATHER: {
                if (Integer.bitCount(n) != 1) {
                    return uniform("ring", b, n - 1);
                }
                Builder p = new Builder("recursive doubling");
                for (int mask = 1; mask < n; mask <<= 1) {
                    p.add(TransferPattern.pair(mask * b));
                }
                return p.build();
            }
            case ALLTOALL:
            case ALLTOALLV:
                return uniform("pairwise exchange", ceilDiv(b, n), n - 1);
            case GATHERV:
                return plan("linear", TransferPattern.of(n - 1, 1, b));
            case SCATTERV:
                return plan("linear", TransferPattern.personalized(1, n - 1, b));
            case ALLGATHERV: {
                if (Integer.bitCount(n) != 1 || b * n >= PeerCollectives.DEFAULT_RING_THRESHOLD_BYTES) {
                    return uniform("ring", b, n - 1);
                }
                Builder p = new Builder("recursive doubling");
                for (int mask = 1; mask < n; mask <<= 1) {
                    p.add(TransferPattern.pair(mask * b));
                }
                return p.build();
            }
            case REDUCE_SCATTER: {
                if (b >= PeerCollectives.DEFAULT_RING_THRESHOLD_BYTES) {
                    return uniform("ring", ceilDiv(b, n), n - 1);
                }
                Builder p = recursiveHalving("recursive halving", b, n);
                if (Integer.bitCount(n) != 1) {
                    p.add(TransferPattern.pair(ceilDiv(b, n)));
                }
                return p.build();
            }
            default:
                throw new IllegalArgumentException("operation: " + op + " (expected: a collective)");
        }
    }

    private static Plan mediatedPlan(Operation op, long b, int n) {
        if (op == Operation.SEND) {
            return new Plan("put, get", List.of(new Step(TransferPattern.of(1, 1, b), 1)));
        }
        if (n == 1) {
            return new Plan("local copy", List.of());
        }
        int others = n - 1;
        switch (op) {
            case BCAST:
                return plan("1 put, n-1 gets", TransferPattern.of(1, others, b));
            case GATHER:
            case GATHERV:
                return plan("fan-in", TransferPattern.of(others, 1, b));
            case REDUCE:
                return plan("fan-in, fold at root", TransferPattern.of(others, 1, b));
            case SCATTER:
            case SCATTERV:
                return plan("fan-out", TransferPattern.personalized(1, others, b));
            case ALLREDUCE:
                return plan("fan-in to rank 0, fan-out", TransferPattern.of(others, 1, b), TransferPattern.of(1, others, b));
            case SCAN:
            case EXSCAN:
                return plan("fan-in to rank 0, prefix per rank", TransferPattern.of(others, 1, b),
                        TransferPattern.personalized(1, others, b));
            case ALLGATHER:
            case ALLGATHERV:
                return plan("fan-in to rank 0, fan-out of all blocks", TransferPattern.of(others, 1, b),
                        TransferPattern.of(1, others, b * n));
            case ALLTOALL:
            case ALLTOALLV:
                return plan("one object per destination", TransferPattern.personalized(n, others, ceilDiv(b, n)));
            case BARRIER:
                return plan("arrive, release", TransferPattern.of(others, 1, 0), TransferPattern.personalized(1, others, 0));
            case REDUCE_SCATTER:
                return plan("fan-in to rank 0, one block per rank", TransferPattern.of(others, 1, b),
                        TransferPattern.personalized(1, others, ceilDiv(b, n)));
            default:
                throw new IllegalArgumentException("operation: " + op + " (expected: a collective)");
        }
    }

    private static Plan plan(String algorithm, TransferPattern... patterns) {
        Builder p = new Builder(algorithm);
        for (TransferPattern t : patterns) {
            p.add(t);
        }
        return p.build();
    }

    /**
     * A plan begun with a reduce-scatter of {@code b} bytes by recursive halving over {@code n}
     * ranks: the fold of the ranks above the largest power of two, then one exchange per halving.
     */
    private static Builder recursiveHalving(String algorithm, long b, int n) {
        int pof2 = Integer.highestOneBit(n);
        Builder p = new Builder(algorithm);
        if (pof2 != n) {
            p.add(TransferPattern.pair(b));
        }
        for (int mask = pof2 >> 1; mask > 0; mask >>= 1) {
            p.add(TransferPattern.pair(ceilDiv(b * mask, pof2)));
        }
        return p;
    }

    private static Plan uniform(String algorithm, long bytes, int rounds) {
        return new Plan(algorithm, rounds == 0 ? List.of() : List.of(new Step(TransferPattern.pair(bytes), rounds)));
    }

    /** Collects patterns, merging consecutive equal ones into one step. */
    private static final class Builder {
        private final String algorithm;
        private final List<Step> steps = new ArrayList<>();

        Builder(String algorithm) {
            this.algorithm = algorithm;
        }

        void add(TransferPattern t) {
            int last = steps.size() - 1;
            if (last >= 0 && steps.get(last).pattern().equals(t)) {
                steps.set(last, new Step(t, steps.get(last).rounds() + 1));
            } else {
                steps.add(new Step(t, 1));
            }
        }

        Plan build() {
            return new Plan(algorithm, steps);
        }
    }

    static int ceilLog2(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
