package io.fmi.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmi.BackendConfig;
import io.fmi.Communicator;
import io.fmi.FmiConfig;
import io.fmi.Operation;
import io.fmi.local.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The collective contract every channel must pass: every operation of the API, over many peer
 * counts (powers of two and not), every root, commutative and non-commutative (and
 * non-associative) operators, and lengths 0, 1, odd and large, each checked against a sequential
 * reference ({@link Reference}) under a timeout. Besides the operations on equal blocks
 * ({@link #collectives()}): blocks of a size per rank, exscan and sendrecv
 * ({@link #variableSizeCollectives()}, {@link VariableSizeChecks}), split and dup
 * ({@link #subCommunicators()}, {@link SubCommunicatorChecks}), and messages of any size and
 * objects ({@link #anySizeMessages()}, {@link AnySizeChecks}).
 *
 * <p>A subclass names the configuration (which channel), and may narrow the peer counts and
 * lengths where a channel is slow:
 *
 * <pre>
 * class RedisCollectivesTest extends CollectiveContract {
 *     protected FmiConfig config() { return FmiConfig.defaults().withOnly("Redis").withBackend(...); }
 *     protected String expectedChannel() { return "redis"; }
 *     protected int[] peerCounts() { return new int[] {1, 2, 3, 5, 8}; }
 * }
 * </pre>
 *
 * <p>Each dynamic test runs one operation on {@code n} peers in one {@link LocalCluster} run,
 * looping over roots, operators and lengths inside it; peers check their own results, and the
 * first failing assertion is rethrown by the cluster.
 */
public abstract class CollectiveContract {

    /** The configuration under test; it must select the channel {@link #expectedChannel()}. */
    protected abstract FmiConfig config();

    /** The channel name {@code channelFor} must report for every operation, e.g. {@code "local"}. */
    protected abstract String expectedChannel();

    /** Peer counts to test: powers of two and not. */
    protected int[] peerCounts() {
        return new int[] {1, 2, 3, 4, 5, 7, 8, 13, 16};
    }

    /** Element counts: zero, one, odd, and larger than the ring threshold (64 KiB) in ints. */
    protected int[] lengths() {
        return new int[] {0, 1, 7, 20_000};
    }

    /** Whether every root is tested for rooted operations, or only 0, 1 and the last. */
    protected boolean everyRoot() {
        return true;
    }

    /** Timeout of one dynamic test (one operation on one peer count). */
    protected Duration testTimeout() {
        return Duration.ofSeconds(120);
    }

    /** Builder options for every peer. */
    protected Consumer<Communicator.Builder> builderOptions() {
        return b -> b.timeout(Duration.ofSeconds(30));
    }

    /** Peer counts for the variable-size collectives, sub-communicators and messages of any size; {@link #peerCounts()} by default. */
    protected int[] morePeerCounts() {
        return peerCounts();
    }

    /** One check of one operation, run by every peer of a cluster. */
    interface Check {
        void run(Communicator comm, int salt);
    }

    @TestFactory
    Stream<DynamicNode> collectives() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (int n : peerCounts()) {
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(test(n, "bcast", this::bcast));
            tests.add(test(n, "gather", this::gather));
            tests.add(test(n, "scatter", this::scatter));
            tests.add(test(n, "reduce", this::reduce));
            tests.add(test(n, "allreduce", this::allreduce));
            tests.add(test(n, "scan", this::scan));
            tests.add(test(n, "allgather", this::allgather));
            tests.add(test(n, "alltoall", this::alltoall));
            tests.add(test(n, "barrier", barrierCheck(n)));
            tests.add(test(n, "send/recv", this::sendRecv));
            tests.add(test(n, "non-blocking collectives in call order", this::nonBlocking));
            nodes.add(DynamicContainer.dynamicContainer(n + " peers", tests));
        }
        return nodes.stream();
    }

    @TestFactory
    Stream<DynamicNode> variableSizeCollectives() {
        VariableSizeChecks c = new VariableSizeChecks(this);
        List<DynamicNode> nodes = new ArrayList<>();
        for (int n : morePeerCounts()) {
            nodes.add(DynamicContainer.dynamicContainer(n + " peers", List.of(
                    test(n, "gatherv", c::gatherv),
                    test(n, "scatterv", c::scatterv),
                    test(n, "allgatherv", c::allgatherv),
                    test(n, "alltoallv", c::alltoallv),
                    test(n, "reduceScatter", c::reduceScatter),
                    test(n, "exscan", c::exscan),
                    test(n, "sendrecv", c::sendrecv),
                    test(n, "non-blocking variable-size collectives in call order", c::nonBlocking))));
        }
        return nodes.stream();
    }

    @TestFactory
    Stream<DynamicNode> subCommunicators() {
        SubCommunicatorChecks c = new SubCommunicatorChecks(this);
        List<DynamicNode> nodes = new ArrayList<>();
        for (int n : morePeerCounts()) {
            nodes.add(DynamicContainer.dynamicContainer(n + " peers", List.of(
                    test(n, "split: groups, ranks, operations in each, parent after close", c::split),
                    test(n, "dup: a message space of its own", c::dup),
                    test(n, "nested splits interleaved with their parents", c::nested),
                    test(n, "split with a collective in flight is refused", c.splitWhileInFlight(n)))));
        }
        return nodes.stream();
    }

    @TestFactory
    Stream<DynamicNode> anySizeMessages() {
        AnySizeChecks c = new AnySizeChecks(this);
        List<DynamicNode> nodes = new ArrayList<>();
        for (int n : morePeerCounts()) {
            nodes.add(DynamicContainer.dynamicContainer(n + " peers", List.of(
                    test(n, "recvBytes", c::recvBytes),
                    test(n, "gatherBytes, allgatherBytes, alltoallBytes", c::bytesCollectives),
                    test(n, "objects", c::objects))));
        }
        nodes.add(test(config(maxMessageBytes(100)), 2, "recvBytes over max_message_bytes", c::limit));
        return nodes.stream();
    }

    /** {@link #config()} with {@code max_message_bytes} set on every enabled backend. */
    private FmiConfig config(Consumer<ObjectNode> tweak) {
        FmiConfig c = config();
        for (BackendConfig b : c.enabledBackends()) {
            ObjectNode entry = b.json();
            tweak.accept(entry);
            c = c.withBackend(b.name(), entry);
        }
        return c;
    }

    private static Consumer<ObjectNode> maxMessageBytes(int max) {
        return entry -> entry.put("max_message_bytes", max);
    }

    private DynamicTest test(int n, String name, Check check) {
        return test(config(), n, name, check);
    }

    private DynamicTest test(FmiConfig config, int n, String name, Check check) {
        return DynamicTest.dynamicTest(name, () -> assertTimeoutPreemptively(testTimeout(), () -> {
            LocalCluster.run(config, n, builderOptions(), comm -> {
                check.run(comm, name.hashCode());
                return null;
            });
        }, () -> name + " on " + n + " peers over " + expectedChannel() + " did not finish in " + testTimeout()));
    }

    int[] roots(int n) {
        if (everyRoot() || n <= 3) {
            int[] r = new int[n];
            for (int i = 0; i < n; i++) {
                r[i] = i;
            }
            return r;
        }
        return new int[] {0, 1, n - 1};
    }

    void expectChannel(Communicator comm, Operation op, long bytes) {
        assertEquals(expectedChannel(), comm.channelFor(op, bytes), "channel selected for " + op.label() + " of " + bytes + " bytes");
    }

    // ------------------------------------------------------------------ checks

    private void bcast(Communicator comm, int salt) {
        int n = comm.size();
        for (int root : roots(n)) {
            for (int len : lengths()) {
                int s = salt + root * 31 + len;
                expectChannel(comm, Operation.BCAST, 4L * len);
                int[] buf = comm.rank() == root ? Reference.data(root, len, s) : Reference.filled(len, -999);
                int[] sent = buf.clone();
                comm.bcast(buf, root);
                assertArrayEquals(Reference.data(root, len, s), buf, () -> "bcast root " + root + " len " + len + " at rank " + comm.rank());
                if (comm.rank() == root) {
                    assertArrayEquals(sent, buf, "bcast modified the root's buffer");
                }
            }
        }
    }

    private void gather(Communicator comm, int salt) {
        int n = comm.size();
        for (int root : roots(n)) {
            for (int len : lengths()) {
                int s = salt + root * 31 + len;
                expectChannel(comm, Operation.GATHER, 4L * len);
                int[] send = Reference.data(comm.rank(), len, s);
                int[] sendCopy = send.clone();
                int[] recv = Reference.filled(n * len, -999);
                comm.gather(send, recv, root);
                assertArrayEquals(sendCopy, send, "gather modified the send buffer");
                if (comm.rank() == root) {
                    assertArrayEquals(Reference.concat(n, len, s), recv, () -> "gather root " + root + " len " + len);
                } else {
                    assertArrayEquals(Reference.filled(n * len, -999), recv, "gather wrote a non-root's receive buffer");
                }
            }
        }
    }

    private void scatter(Communicator comm, int salt) {
        int n = comm.size();
        for (int root : roots(n)) {
            for (int len : lengths()) {
                int s = salt + root * 31 + len;
                expectChannel(comm, Operation.SCATTER, 4L * len);
                int[] send = comm.rank() == root ? Reference.concat(n, len, s) : null;
                int[] sendCopy = send == null ? null : send.clone();
                int[] recv = Reference.filled(len, -999);
                comm.scatter(send, recv, root);
                assertArrayEquals(Reference.data(comm.rank(), len, s), recv, () -> "scatter root " + root + " len " + len + " at rank " + comm.rank());
                if (send != null) {
                    assertArrayEquals(sendCopy, send, "scatter modified the send buffer");
                }
            }
        }
    }

    private void reduce(Communicator comm, int salt) {
        int n = comm.size();
        for (Reference.Op op : Reference.Op.values()) {
            for (int root : roots(n)) {
                for (int len : lengths()) {
                    int s = salt + root * 31 + len + op.ordinal() * 7;
                    expectChannel(comm, Operation.REDUCE, 4L * len);
                    int[] send = Reference.data(comm.rank(), len, s);
                    int[] sendCopy = send.clone();
                    int[] recv = Reference.filled(len, -999);
                    comm.reduce(send, recv, root, op.op);
                    assertArrayEquals(sendCopy, send, "reduce modified the send buffer");
                    if (comm.rank() == root) {
                        assertArrayEquals(Reference.fold(op.fn, n - 1, len, s), recv,
                                () -> "reduce " + op + " root " + root + " len " + len);
                    } else {
                        assertArrayEquals(Reference.filled(len, -999), recv, "reduce wrote a non-root's receive buffer");
                    }
                }
            }
        }
    }

    private void allreduce(Communicator comm, int salt) {
        int n = comm.size();
        for (Reference.Op op : Reference.Op.values()) {
            for (int len : lengths()) {
                int s = salt + len + op.ordinal() * 7;
                expectChannel(comm, Operation.ALLREDUCE, 4L * len);
                int[] send = Reference.data(comm.rank(), len, s);
                int[] sendCopy = send.clone();
                int[] recv = Reference.filled(len, -999);
                comm.allreduce(send, recv, op.op);
                assertArrayEquals(sendCopy, send, "allreduce modified the send buffer");
                assertArrayEquals(Reference.fold(op.fn, n - 1, len, s), recv,
                        () -> "allreduce " + op + " len " + len + " at rank " + comm.rank());
            }
        }
    }

    private void scan(Communicator comm, int salt) {
        for (Reference.Op op : Reference.Op.values()) {
            for (int len : lengths()) {
                int s = salt + len + op.ordinal() * 7;
                expectChannel(comm, Operation.SCAN, 4L * len);
                int[] send = Reference.data(comm.rank(), len, s);
                int[] sendCopy = send.clone();
                int[] recv = Reference.filled(len, -999);
                comm.scan(send, recv, op.op);
                assertArrayEquals(sendCopy, send, "scan modified the send buffer");
                assertArrayEquals(Reference.fold(op.fn, comm.rank(), len, s), recv,
                        () -> "scan " + op + " len " + len + " at rank " + comm.rank());
            }
        }
    }

    private void allgather(Communicator comm, int salt) {
        int n = comm.size();
        for (int len : lengths()) {
            int s = salt + len;
            expectChannel(comm, Operation.ALLGATHER, 4L * len);
            int[] send = Reference.data(comm.rank(), len, s);
            int[] recv = Reference.filled(n * len, -999);
            comm.allgather(send, recv);
            assertArrayEquals(Reference.concat(n, len, s), recv, () -> "allgather len " + len + " at rank " + comm.rank());
        }
    }

    private void alltoall(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        for (int total : lengths()) {
            int block = Math.max(0, total / Math.max(1, n == 1 ? 1 : 4));
            int s = salt + total;
            expectChannel(comm, Operation.ALLTOALL, 4L * block * n);
            int[] send = new int[n * block];
            for (int j = 0; j < n; j++) {
                System.arraycopy(Reference.data(r * 1000 + j, block, s), 0, send, j * block, block);
            }
            int[] sendCopy = send.clone();
            int[] recv = Reference.filled(n * block, -999);
            comm.alltoall(send, recv);
            assertArrayEquals(sendCopy, send, "alltoall modified the send buffer");
            int[] expected = new int[n * block];
            for (int i = 0; i < n; i++) {
                System.arraycopy(Reference.data(i * 1000 + r, block, s), 0, expected, i * block, block);
            }
            assertArrayEquals(expected, recv, () -> "alltoall block " + block + " at rank " + r);
        }
    }

    private Check barrierCheck(int n) {
        AtomicInteger arrived = new AtomicInteger();
        return (comm, salt) -> {
            expectChannel(comm, Operation.BARRIER, 0);
            for (int round = 1; round <= 5; round++) {
                arrived.incrementAndGet();
                comm.barrier();
                // Nobody may leave round k before everyone entered it; nobody can have entered round k+1 yet
                // before this rank passes the second barrier below.
                int seen = arrived.get();
                assertEquals(true, seen >= n * round, "barrier " + round + " released rank " + comm.rank() + " after only " + seen + " arrivals");
                comm.barrier();
                assertEquals(true, arrived.get() <= n * (round + 1), "a rank passed two barriers early");
            }
        };
    }

    private void sendRecv(Communicator comm, int salt) {
        int n = comm.size();
        int r = comm.rank();
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        int messages = 20;
        expectChannel(comm, Operation.SEND, 4L * 7);
        // Receives posted before the sends; messages between two peers keep their order.
        List<CompletableFuture<Void>> recvs = new ArrayList<>();
        int[][] in = new int[messages][];
        for (int k = 0; k < messages; k++) {
            in[k] = Reference.filled(k % 3 == 0 ? 0 : 7, -999);
            recvs.add(comm.irecv(in[k], left));
        }
        for (int k = 0; k < messages; k++) {
            int[] out = Reference.data(r, k % 3 == 0 ? 0 : 7, salt + k);
            comm.send(out, right);
        }
        CompletableFuture.allOf(recvs.toArray(new CompletableFuture[0])).join();
        for (int k = 0; k < messages; k++) {
            assertArrayEquals(Reference.data(left, k % 3 == 0 ? 0 : 7, salt + k), in[k], "message " + k + " from rank " + left);
        }
        // Large messages, both directions at once, and a message to oneself.
        for (int len : lengths()) {
            int[] big = Reference.data(r, len, salt + len);
            CompletableFuture<Void> s1 = comm.isend(big, right);
            int[] got = new int[len];
            comm.recv(got, left);
            s1.join();
            assertArrayEquals(Reference.data(left, len, salt + len), got);
            int[] self = new int[len];
            comm.send(big, r);
            comm.recv(self, r);
            assertArrayEquals(big, self, "message to oneself");
        }
    }

    private void nonBlocking(Communicator comm, int salt) {
        int n = comm.size();
        int len = lengths()[Math.min(2, lengths().length - 1)];
        int[] a = Reference.data(comm.rank(), len, salt);
        int[] sum = new int[len];
        int[] b = comm.rank() == 0 ? Reference.data(0, len, salt + 1) : new int[len];
        int[] all = new int[n * len];
        int[] prefix = new int[len];
        CompletableFuture<?>[] f = {
            comm.iallreduce(a, sum, Reference.Op.SUM.op),
            comm.ibcast(b, 0),
            comm.iallgather(a, all),
            comm.ibarrier(),
            comm.iscan(a, prefix, Reference.Op.AFFINE.op),
        };
        CompletableFuture.allOf(f).join();
        assertArrayEquals(Reference.fold(Reference.Op.SUM.fn, n - 1, len, salt), sum);
        assertArrayEquals(Reference.data(0, len, salt + 1), b);
        assertArrayEquals(Reference.concat(n, len, salt), all);
        assertArrayEquals(Reference.fold(Reference.Op.AFFINE.fn, comm.rank(), len, salt), prefix);
        assertEquals(List.of(), Arrays.stream(f).filter(CompletableFuture::isCompletedExceptionally).map(Object::toString).toList());
    }
}
