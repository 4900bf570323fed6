package io.fmi.channel;

import io.fmi.ChannelException;
import io.fmi.CollectiveMismatchException;
import io.fmi.FmiException;
import io.fmi.FmiTimeoutException;
import io.fmi.Operation;
import io.fmi.PeerFailedException;
import io.fmi.ReduceOp;
import io.fmi.collective.StoreCollectives;
import io.fmi.collective.StoreTransport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of the mediated channel family (Redis, S3, DynamoDB, in-memory store): a subclass stores
 * and fetches keyed objects, this class runs every operation on top ({@link StoreCollectives}).
 *
 * <h2>Keys</h2>
 * Every key starts with {@link ChannelContext#scope()} ({@code <communicator>/<run>}), so jobs
 * sharing a store never collide:
 * <pre>
 *   kmeans/run-7/p2p/3-5/17       17th message from rank 3 to rank 5 (one reader)
 *   kmeans/run-7/c42/bcast        object of collective #42 (n-1 readers)
 *   kmeans/run-7/c42/g/3          rank 3's block of gather #42 (one reader)
 *   kmeans/run-7/abort            written by a peer that failed
 * </pre>
 *
 * <h2>Clean-up</h2>
 * The single reader of an object deletes it once read, unless the store's {@link #take} removed
 * it already. An object with several readers is deleted
 * by its writer as soon as a later collective in which every rank took part has completed
 * (allreduce, allgather, alltoall, scan or barrier: whoever completes one knows all earlier reads
 * are done); at close, when this channel carried collectives, a closing barrier proves the rest
 * read and they are deleted too. What a crashed job leaves behind expires through the store's
 * TTL or lifecycle rule.
 *
 * <h2>Sub-communicators</h2>
 * A communicator made by {@code split} or {@code dup} runs over its parent's channel through
 * {@link #subgroup}: a view that stores through this channel's client under the
 * sub-communicator's own scope ({@code kmeans/run-7/s5c1/...}), with its own ranks, message
 * numbers and clean-up. Closing the view deletes what it created (after a closing barrier of its
 * members) and leaves the channel working.
 *
 * <h2>Mismatched collectives</h2>
 * Every object of a collective starts with an {@value #HEADER_BYTES}-byte header: {@code 0xC5},
 * the collective's {@linkplain OpCodes code}, two zero bytes, its root (int32 big-endian,
 * {@link OpCodes#NO_ROOT} for none). A reader checks it against its own call, so an object that
 * another collective wrote under the same name ({@code g/3} of a gather read by a scan) raises a
 * {@link CollectiveMismatchException} naming both rather than being taken as data. A wait for an
 * object that lasts longer than one {@link #abortCheckInterval()} writes a <em>declaration</em>,
 * {@code <scope>/c<seq>/op/<rank>} (the same header, nothing else), once per collective, and from
 * then on reads the declaration of the rank it waits for: one that names another collective or
 * root under this number fails the wait at once, naming both. Short waits cost nothing more.
 *
 * <h2>Job identity and liveness</h2>
 * On a store with {@linkplain #supportsRecords() records}, each rank claims its slot of the run
 * ({@code <scope>/member/<rank>}) when the channel first carries an operation, and a heartbeat
 * keeps the record moving while the channel is open; a second process claiming the same rank of
 * the same name and run id fails at once, and a rank that closed, aborted, died or froze is
 * reported as {@link io.fmi.PeerFailedException} naming it. See {@link StoreMembership}. A
 * sub-communicator's view uses the membership of the channel it runs over.
 *
 *
 * <h2>Failure</h2>
 * A peer that fails writes the {@code abort} key, naming the rank at fault; a peer waiting for an
 * object checks it every {@link #abortCheckInterval()}, and the member record of the peer it waits
 * for (a barrier on a counter, which waits for nobody in particular, checks the peers in turn),
 * and fails with {@link io.fmi.PeerFailedException} instead of waiting out its deadline. A peer
 * that finds another silent for the liveness window writes the {@code abort} key for it, so that
 * the others fail too. When a store request fails at the deadline, the store is asked a trivial
 * request ({@link #ping}): only if that fails too is the store blamed ({@link ChannelException});
 * otherwise the wait was for a peer ({@link io.fmi.FmiTimeoutException} naming it).
 *
 * <h2>Sizes</h2>
 * An object whose size differs from the receive buffer raises an {@link FmiException} naming both
 * sizes and is kept for a later receive: an object that {@link #take} removed is put back
 * ({@link #untake}), and a point-to-point receive that fails leaves its place in the order to the
 * next receive from that peer.
 *

 * <p>Thread-safe as the {@link Channel} contract requires.
 */
public abstract class MediatedChannel implements Channel {
    private static final Logger log = LoggerFactory.getLogger(MediatedChannel.class);
    /** Length of the header that starts every object of a collective. */
    static final int HEADER_BYTES = 8;
    private static final byte HEADER_MAGIC = (byte) 0xC5;
    /** How long a store may take to answer the {@link #ping} that decides whom to blame. */
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);
    /**
     * How far past a wait's deadline its last request may come back before that counts as the
     * store not answering (every request of a wait is bounded by the deadline; a Redis take allows
     * a blocked command 2 s of grace past it, and gives up on one not answered by then).
     */
    private static final Duration UNANSWERED_LATE = Duration.ofMillis(1500);
    /** Sequence number of the closing barrier. */
    private static final long CLOSE_SEQ = Long.MAX_VALUE;
    /** Deadline of the requests that put back an object, or write the abort marker. */
    private static final Duration KEEP_TIMEOUT = Duration.ofSeconds(5);
    /** Deadline of the best-effort requests a wait makes between its reads ({@link #brief}). */
    private static final Duration DECLARE_TIMEOUT = Duration.ofSeconds(1);
    /**
     * A wait makes no checks between its reads once less than this is left: a check that a store
     * that is down holds past the deadline (its own deadline plus the channel's grace for a late
     * answer) would delay the wait's error by as much; the error then names the peer's state from
     * one last look at its member record, once the store answered a ping.
     */
    private static final Duration CHECK_MARGIN = Duration.ofSeconds(3);


    /** The communicator this channel serves: its name, run, rank, size and configuration. */
    protected final ChannelContext context;
    /** The channel that owns the store client: this one, or the one a sub-communicator's view runs over. */
    private final MediatedChannel root;
    private final long[] sendSeq;
    private final long[] recvSeq;
    private final List<Created> multiReader = new ArrayList<>();
    /** The communicator's executor (see {@link ChannelContext#executor()}); not this channel's to shut down. */
    private final Executor io;
    /** Tasks this channel handed to {@link #io} that have not finished; {@link #close} waits for them. */
    private final Set<CompletableFuture<?>> tasks = ConcurrentHashMap.newKeySet();
    /** Sequence number of the last collective this channel wrote a declaration for. */
    private volatile long declared;
    /** Which peer a counter barrier's wait (for nobody in particular) reads the declaration of next. */
    private int watched;
    /** Message numbers of receives that failed, by source: the next receive from that source takes the lowest. */
    private final List<java.util.TreeSet<Long>> keptRecv = new ArrayList<>();
    private final Duration liveness;
    private final Duration heartbeat;
    /** Made on first use when the store has records; null before, for stores without them, and in a view (which uses its channel's). */
    private StoreMembership membership;
    /** Which peer a wait for nobody in particular checks next. */
    private final java.util.concurrent.atomic.AtomicInteger watch = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean carriedCollectives;
    private volatile boolean closed;

    /**
     * A channel for the communicator {@code context} describes.
     *
     * @param context the communicator, as the channel sees it
     */
    protected MediatedChannel(ChannelContext context) {
        this(context, null);
    }

    private MediatedChannel(ChannelContext context, MediatedChannel root) {
        this.context = context;
        this.root = root == null ? this : root;
        this.sendSeq = new long[context.size()];
        this.recvSeq = new long[context.size()];
        for (int i = 0; i < context.size(); i++) {
            keptRecv.add(new java.util.TreeSet<>());
        }
        this.io = context.executor();
        this.liveness = StoreMembership.liveness(context.backend());
        this.heartbeat = StoreMembership.heartbeat(context.backend(), liveness);
    }

    /** A view of this channel for a sub-communicator; see the class documentation. */
    @Override
    public Channel subgroup(ChannelContext sub) {
        return new Subgroup(root, sub);
    }

    // ---------------------------------------------------------------- the store primitives

    /**
     * Stores {@code value} (position..limit) under {@code key}, for {@code readers} peers to read.
     * Blocks until the store acknowledged it; throws {@link ChannelException} on failure.
     */
    protected abstract void put(String key, ByteBuffer value, int readers, OpContext op);

    /**
     * Returns the object under {@code key}, waiting up to {@code waitNanos} for it to appear
     * (blocking in the store where it can, polling otherwise), or {@code null} if it did not.
     */
    protected abstract byte[] get(String key, long waitNanos, OpContext op);

    /**
     * Waits up to {@code waitNanos} for the single-reader object under {@code key} and returns it,
     * or {@code null} if it did not appear. A store that can hand such an object over and remove
     * it in one step does so and answers {@code true} from {@link #takeRemoves()}; the default
     * reads it with {@link #get} and this class deletes it afterwards.
     */
    protected byte[] take(String key, long waitNanos, OpContext op) {
        return get(key, waitNanos, op);
    }

    /** Whether {@link #take} removes what it returns, so a single reader need not delete it. */
    protected boolean takeRemoves() {
        return false;
    }

    /** Deletes these keys; missing keys are not an error. */
    protected abstract void delete(Collection<String> keys);

    /** Whether {@link #increment} is supported (Redis INCR, DynamoDB ADD, ...). */
    protected boolean supportsCounters() {
        return false;
    }

    /** Atomically increments counter {@code key} (created at 0) and returns the new value. */
    protected long increment(String key, OpContext op) {
        throw new UnsupportedOperationException(name() + " has no atomic counter");
    }

    /**
     * Whether the store has records ({@link #createRecord}, {@link #writeRecord},
     * {@link #readRecord}); only then does the channel claim its rank and watch its peers'
     * liveness. {@code false} by default.
     */
    protected boolean supportsRecords() {
        return false;
    }

    /**
     * Creates the small record {@code key} holding {@code value}, with the store's TTL, only if
     * no record of that key exists, atomically (Redis {@code SET NX}, a conditional put); whether
     * this call created it. A request repeated after a lost reply may answer {@code false} for a
     * record it created itself: the caller reads it back to tell.
     */
    protected boolean createRecord(String key, byte[] value, OpContext op) {
        throw new UnsupportedOperationException(name() + " has no records");
    }

    /** Writes the small record {@code key}, replacing what is there, with the store's TTL. */
    protected void writeRecord(String key, byte[] value, OpContext op) {
        throw new UnsupportedOperationException(name() + " has no records");
    }

    /** The record under {@code key}, or null when there is none. */
    protected byte[] readRecord(String key, OpContext op) {
        throw new UnsupportedOperationException(name() + " has no records");
    }

    /**
     * Puts back an object that {@link #take} removed and the caller cannot use (its size did not
     * match the receive buffer), so that a later {@code take} of {@code key} returns it. Only
     * called when {@link #takeRemoves()}; the default does nothing.
     */
    protected void untake(String key, byte[] value, OpContext op) {
    }

    /**
     * Sends the store a trivial request (Redis {@code PING}) and throws a {@link ChannelException}
     * naming the store when it does not answer within {@code within}: asked after a request failed
     * at an operation's deadline, to tell an unavailable store from a peer that never wrote. The
     * default does nothing (the store counts as answering).
     */
    protected void ping(Duration within) {
    }

    /** How often a waiting peer checks whether another peer aborted; 1 s by default. */
    protected Duration abortCheckInterval() {
        return Duration.ofSeconds(1);
    }

    /** Called at the end of {@link #close()} to release clients; the default does nothing. */
    protected void closeStore() {
    }

    // ---------------------------------------------------------------- keys

    /** The full key of {@code relative}: {@code <scope>/<relative>}. */
    protected final String key(String relative) {
        return context.scope() + "/" + relative;
    }

    private String opKey(OpContext op, String name) {
        return key("c" + op.seq() + "/" + name);
    }

    @Override
    public String name() {
        return context.channelName();
    }

    // ---------------------------------------------------------------- membership

    /**
     * The membership of the channel's run, made on first use; null when the store has no records
     * or there is no peer. A view answers its channel's: ranks claim and beat once, in the
     * communicator that built the channel.
     */
    private StoreMembership membership() {
        return root == this ? ownMembership() : root.membership();
    }

    private synchronized StoreMembership ownMembership() {
        if (membership == null && supportsRecords() && context.size() > 1 && !closed) {
            membership = new StoreMembership(context, new StoreMembership.Records() {
                @Override
                public boolean create(String key, byte[] value, OpContext op) {
                    return createRecord(key, value, op);
                }

                @Override
                public void write(String key, byte[] value, OpContext op) {
                    writeRecord(key, value, op);
                }

                @Override
                public byte[] read(String key, OpContext op) {
                    return readRecord(key, op);
                }

                @Override
                public void abortRun(int failed, String why) {
                    markFailed(failed, why);
                }
            }, r -> key("member/" + r), liveness, heartbeat);
        }
        return membership;
    }

    /**
     * Claims this rank's slot on the first operation (see {@link StoreMembership}); then returns
     * at once. A claim that the store did not answer by the deadline blames the store only if it
     * does not answer a {@link #ping} either.
     */
    private void join(OpContext op) {
        StoreMembership m = membership();
        if (m != null) {
            try {
                m.join(op);
            } catch (ChannelException e) {
                int own = context.channelRank(context.rank());
                throw blame(e, op, -1, "claim of rank " + own + " (" + root.key("member/" + own) + ")", null);
            }
        }
    }

    // ---------------------------------------------------------------- point to point

    /** Key of the next message from this rank to {@code dest}; numbering fixes the order. */
    private String nextSendKey(int dest) {
        long n;
        synchronized (sendSeq) {
            n = sendSeq[dest]++;
        }
        return key("p2p/" + context.rank() + "-" + dest + "/" + n);
    }

    /** Number of the next message to receive from {@code src}: one a failed receive left, else the next new one. */
    private long nextRecv(int src) {
        synchronized (recvSeq) {
            Long kept = keptRecv.get(src).pollFirst();
            return kept != null ? kept : recvSeq[src]++;
        }
    }

    /** A receive of message {@code n} from {@code src} failed: the next receive from {@code src} waits for it. */
    private void keepRecv(int src, long n) {
        synchronized (recvSeq) {
            keptRecv.get(src).add(n);
        }
    }

    private String recvKey(int src, long n) {
        return key("p2p/" + src + "-" + context.rank() + "/" + n);
    }

    /**
     * Receives message {@code n} from {@code src} into {@code data}, or whatever its size when
     * {@code data} is null; on failure its number goes to the next receive from {@code src}.
     */
    private byte[] receive(OpContext op, Buf data, int src, long n) {
        String k = recvKey(src, n);
        byte[] v = null;
        try {
            join(op);
            if (data == null) {
                v = fetchAny(k, src, op, true);
            } else {
                fetch(k, src, data, op, true);
            }
        } catch (RuntimeException e) {
            keepRecv(src, n);
            throw e;
        }
        deleteTakenLater(k);
        return v;
    }

    @Override
    public CompletableFuture<Void> send(OpContext op, Buf data, int dest) {
        String k = nextSendKey(dest);
        byte[] copy = new byte[data.byteLength()];
        System.arraycopy(data.array(), data.offset(), copy, 0, copy.length);
        return track(CompletableFuture.runAsync(() -> {
            join(op);
            put(k, ByteBuffer.wrap(copy), 1, op);
        }, io));
    }

    @Override
    public CompletableFuture<Void> recv(OpContext op, Buf data, int src) {
        long n = nextRecv(src); // numbered in call order, so receives match messages in order
        return track(CompletableFuture.runAsync(() -> receive(op, data, src, n), io));
    }

    @Override
    public CompletableFuture<byte[]> recvAny(OpContext op, int src) {
        long n = nextRecv(src);
        return track(CompletableFuture.supplyAsync(() -> receive(op, null, src, n), io));
    }

    /** On the calling thread; see {@link #sendBlocking}. */
    @Override
    public byte[] recvAnyBlocking(OpContext op, int src) {
        return receive(op, null, src, nextRecv(src));
    }

    /** On the calling thread: the store request blocks anyway, a hand-off would only add latency. */
    @Override
    public void sendBlocking(OpContext op, Buf data, int dest) {
        join(op);
        put(nextSendKey(dest), data.asByteBuffer(), 1, op);
    }

    /** On the calling thread; see {@link #sendBlocking}. */
    @Override
    public void recvBlocking(OpContext op, Buf data, int src) {
        receive(op, data, src, nextRecv(src));
    }

    // ---------------------------------------------------------------- collectives

    @Override
    public void bcast(OpContext op, Buf data, int root) {
        run(op, t -> StoreCollectives.bcast(t, data, root));
    }

    @Override
    public void barrier(OpContext op) {
        run(op, StoreCollectives::barrier);
    }

    @Override
    public void gather(OpContext op, Buf send, Buf recv, int root) {
        run(op, t -> StoreCollectives.gather(t, send, recv, root));
    }

    @Override
    public void scatter(OpContext op, Buf send, Buf recv, int root) {
        run(op, t -> StoreCollectives.scatter(t, send, recv, root));
    }

    @Override
    public void allgather(OpContext op, Buf send, Buf recv) {
        run(op, t -> StoreCollectives.allgather(t, send, recv));
    }

    @Override
    public void alltoall(OpContext op, Buf send, Buf recv) {
        run(op, t -> StoreCollectives.alltoall(t, send, recv));
    }

    @Override
    public void reduce(OpContext op, Buf send, Buf recv, int root, ReduceOp reduceOp) {
        run(op, t -> StoreCollectives.reduce(t, send, recv, root, reduceOp));
    }

    @Override
    public void allreduce(OpContext op, Buf send, Buf recv, ReduceOp reduceOp) {
        run(op, t -> StoreCollectives.allreduce(t, send, recv, reduceOp));
    }

    @Override
    public void scan(OpContext op, Buf send, Buf recv, ReduceOp reduceOp) {
        run(op, t -> StoreCollectives.scan(t, send, recv, reduceOp));
    }

    @Override
    public void exscan(OpContext op, Buf send, Buf recv, ReduceOp reduceOp) {
        run(op, t -> StoreCollectives.exscan(t, send, recv, reduceOp));
    }

    @Override
    public void gatherv(OpContext op, Buf send, Buf recv, int[] counts, int root) {
        run(op, t -> StoreCollectives.gatherv(t, send, recv, counts, root));
    }

    @Override
    public void scatterv(OpContext op, Buf send, int[] counts, Buf recv, int root) {
        run(op, t -> StoreCollectives.scatterv(t, send, counts, recv, root));
    }

    @Override
    public void allgatherv(OpContext op, Buf send, Buf recv, int[] counts) {
        run(op, t -> StoreCollectives.allgatherv(t, send, recv, counts));
    }

    @Override
    public void alltoallv(OpContext op, Buf send, int[] sendCounts, Buf recv, int[] recvCounts) {
        run(op, t -> StoreCollectives.alltoallv(t, send, sendCounts, recv, recvCounts));
    }

    @Override
    public void reduceScatter(OpContext op, Buf send, Buf recv, int[] counts, ReduceOp reduceOp) {
        run(op, t -> StoreCollectives.reduceScatter(t, send, recv, counts, reduceOp));
    }

    @Override
    public byte[] bcastBytes(OpContext op, byte[] data, int root) {
        return call(op, t -> StoreCollectives.bcastBytes(t, data, root));
    }

    @Override
    public List<byte[]> gatherBytes(OpContext op, byte[] send, int root) {
        return call(op, t -> StoreCollectives.gatherBytes(t, send, root));
    }

    @Override
    public List<byte[]> allgatherBytes(OpContext op, byte[] send) {
        return call(op, t -> StoreCollectives.allgatherBytes(t, send));
    }

    @Override
    public List<byte[]> alltoallBytes(OpContext op, List<byte[]> send) {
        return call(op, t -> StoreCollectives.alltoallBytes(t, send));
    }

    private interface Algorithm<T> {
        T run(StoreTransport t);
    }

    private interface VoidAlgorithm {
        void run(StoreTransport t);
    }

    private void run(OpContext op, VoidAlgorithm algorithm) {
        call(op, t -> {
            algorithm.run(t);
            return null;
        });
    }

    private <T> T call(OpContext op, Algorithm<T> algorithm) {
        join(op);
        carriedCollectives = true;
        CallTransport t = new CallTransport(op);
        T result = algorithm.run(t);
        t.finish();
        if (everyoneTookPart(op.operation()) && context.size() > 1) {
            deleteMultiReaderBefore(op.seq());
        }
        return result;
    }

    /**
     * Operations after which every rank knows every rank finished all earlier collectives: each
     * rank reads an object written after the writer had heard from every rank. Not the ones that
     * skip empty blocks (gatherv, allgatherv, alltoallv, reduce-scatter), whose ranks may hear
     * from nobody.
     */
    private static boolean everyoneTookPart(Operation op) {
        switch (op) {
            case ALLREDUCE: case ALLGATHER: case ALLTOALL: case SCAN: case EXSCAN: case BARRIER:
                return true;
            default:
                return false;
        }
    }

    private void deleteMultiReaderBefore(long seq) {
        List<String> doomed = new ArrayList<>();
        synchronized (multiReader) {
            multiReader.removeIf(c -> {
                if (c.seq < seq) {
                    doomed.add(c.key);
                    return true;
                }
                return false;
            });
        }
        deleteLater(doomed);
    }

    private void deleteLater(List<String> keys) {
        if (keys.isEmpty() || closed) {
            return;
        }
        track(CompletableFuture.runAsync(() -> {
            try {
                delete(keys);
            } catch (RuntimeException e) {
                log.debug("{} deleting {} consumed objects failed; the store's TTL will remove them: {}",
                        context.logPrefix(), keys.size(), e.toString());
            }
        }, io));
    }

    /** Deletes a single-reader object just read, unless {@link #take} removed it already. */
    private void deleteTakenLater(String key) {
        if (!takeRemoves()) {
            deleteLater(List.of(key));
        }
    }

    /**
     * Waits for {@code key} and copies it into {@code into}, which must be exactly as long; a
     * {@code single} reader takes it with {@link #take}. An object of another size stays in the
     * store (see "Sizes" above).
     */
    private void fetch(String key, int producer, Buf into, OpContext op, boolean single) {
        byte[] v = fetch(key, producer, op, single);
        int skip = checkHeader(v, key, producer, op);
        if (v.length - skip != into.byteLength()) {
            throw op.error("object " + key + (producer >= 0 ? " from rank " + producer : "") + " has " + (v.length - skip)
                    + " bytes but the buffer holds " + into.byteLength() + " bytes (" + into + ")" + keep(key, v, single));
        }
        System.arraycopy(v, skip, into.array(), into.offset(), v.length - skip);
    }

    /** Puts an object of the wrong size back where {@link #take} removed it; says what became of it. */
    private String keep(String key, byte[] v, boolean single) {
        if (single && takeRemoves()) {
            OpContext op = new OpContext(Operation.SEND, "put back", OpContext.P2P_SEQ, Deadline.after(KEEP_TIMEOUT), context);
            try {
                untake(key, v, op);
            } catch (RuntimeException e) {
                return "; putting it back failed, so it is lost: " + e.getMessage();
            }
        }
        return "; it stays in the store for a receive of " + v.length + " bytes";
    }

    /**
     * Waits for {@code key} and returns it whatever its length up to
     * {@link ChannelContext#maxMessageBytes()}. A longer object raises an error naming the limit
     * and stays in the store, as one of the wrong size does.
     */
    private byte[] fetchAny(String key, int producer, OpContext op, boolean single) {
        byte[] v = fetch(key, producer, op, single);
        int skip = checkHeader(v, key, producer, op);
        if (skip > 0) {
            v = Arrays.copyOfRange(v, skip, v.length);
        }
        int max = context.maxMessageBytes();
        if (v.length > max) {
            throw op.error("object " + key + (producer >= 0 ? " from rank " + producer : "") + " has " + v.length
                    + " bytes, more than the limit of " + max + " bytes (backends." + context.backend().name() + "."
                    + ChannelContext.MAX_MESSAGE_BYTES_KEY + ")" + keep(key, v, single));
        }
        return v;
    }

    /**
     * Waits for {@code key}; a {@code single} reader takes it with {@link #take}. Between two
     * waits of {@link #abortCheckInterval()} it checks the abort marker and the member record of
     * {@code producer} (-1: of the peers in turn).
     */
    private byte[] fetch(String key, int producer, OpContext op, boolean single) {
        long slice = Math.max(1, abortCheckInterval().toNanos());
        // A failed peer writes the marker of the communicator that made the channel, seen by all its sub-communicators.
        String abortKey = root.key("abort");
        StoreMembership members = membership();
        while (true) {
            long left = op.deadline().remainingNanos();
            if (left <= 0) {
                throw waitedOut(op, producer, "object " + key, members);
            }
            try {
                byte[] v = single ? take(key, Math.min(left, slice), op) : get(key, Math.min(left, slice), op);
                if (v != null) {
                    return v;
                }
                if (!op.deadline().expired()) {
                    v = checkPeers(abortKey, key, producer, op, single, members);
                    if (v != null) {
                        return v;
                    }
                }
            } catch (ChannelException e) {
                throw blame(e, op, producer, "object " + key, members);
            }
            if (op.deadline().expired()) {
                // Outside the try: the verdict's own error is not judged again by blame.
                throw waitedOut(op, producer, "object " + key, members);
            }
            checkDeclaration(op, producer);
        }
    }

    // ---------------------------------------------------------------- mismatch detection

    /** The header of an object of collective {@code op}, followed by {@code payload} bytes (position 0, limit 8 + payload). */
    private static ByteBuffer header(byte[] into, OpContext op) {
        ByteBuffer b = ByteBuffer.wrap(into); // big-endian
        b.put(HEADER_MAGIC).put((byte) op.code()).putShort((short) 0).putInt(op.root());
        return b;
    }

    /**
     * Checks the header of object {@code key} of a collective against the call reading it and
     * returns its length, or 0 when {@code op} is point-to-point (its objects have none).
     */
    private int checkHeader(byte[] v, String key, int producer, OpContext op) {
        if (op.seq() == OpContext.P2P_SEQ) {
            return 0;
        }
        if (v.length < HEADER_BYTES || v[0] != HEADER_MAGIC) {
            throw op.error("object " + key + (producer >= 0 ? " from rank " + producer : "") + " of " + v.length
                    + " bytes has no collective header (expected: written by this version of FMI, under this communicator's name and run id only)");
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        CollectiveMismatchException e = op.mismatch((producer >= 0 ? "rank " + producer : "a rank") + " wrote " + key + " as part of",
                b.get(1) & 0xff, b.getInt(4));
        if (e != null) {
            declare(op); // the ranks waiting for this one learn why it left the collective
            throw e;
        }
        return HEADER_BYTES;
    }

    /** Key of rank {@code rank}'s declaration in collective {@code op}. */
    private String declarationKey(OpContext op, int rank) {
        return opKey(op, "op/" + rank);
    }

    /**
     * Called by a wait of collective {@code op} for {@code producer} (-1: for nobody in
     * particular) each time it has waited one {@link #abortCheckInterval()}: declares this rank's
     * collective, once, then fails if the rank waited for declared another one under this number.
     */
    private void checkDeclaration(OpContext op, int producer) {
        if (!declares(op)) {
            return;
        }
        declare(op);
        int peer = producer;
        if (peer < 0 || peer == context.rank()) {
            synchronized (this) {
                watched = (watched + 1) % context.size();
                peer = watched == context.rank() ? (watched + 1) % context.size() : watched;
            }
        }
        if (op.deadline().remainingNanos() < CHECK_MARGIN.toNanos()) {
            return; // the wait's last reads decide
        }
        byte[] d;
        try {
            d = get(declarationKey(op, peer), 0, brief(op));
        } catch (ChannelException e) {
            // Best effort: the wait's own reads report a store that does not answer.
            log.debug("{} could not read the declaration of rank {} in {}: {}", context.logPrefix(), peer, op.label(), e.toString());
            return;
        }
        if (d != null && d.length >= HEADER_BYTES && d[0] == HEADER_MAGIC) {
            ByteBuffer b = ByteBuffer.wrap(d);
            CollectiveMismatchException e = op.mismatch("rank " + peer + " said it was in", b.get(1) & 0xff, b.getInt(4));
            if (e != null) {
                throw e;
            }
        }
    }

    /**
     * Whether waits of {@code op} declare: collectives, not the closing barrier (every rank ends
     * with it, and what it would write could no longer be deleted).
     */
    private boolean declares(OpContext op) {
        return op.seq() != OpContext.P2P_SEQ && op.seq() != Long.MAX_VALUE && op.code() != OpCodes.UNKNOWN && context.size() > 1;
    }

    /**
     * {@code op} with a deadline of at most {@link #DECLARE_TIMEOUT}, for the best-effort requests a
     * wait makes between two of its reads (a declaration, the abort marker, a peer's declaration;
     * the reads are skipped in the wait's last second, and their failures only logged): a store
     * that is down must neither hold the wait past its own deadline with them, where the store is
     * then asked whether it answers at all (measured: a 2-rank allreduce over Redis whose server was
     * stopped failed after 12 s with a 6 s deadline when these reads had the operation's), nor fail
     * a wait that outlives a short outage.
     */
    private OpContext brief(OpContext op) {
        return new OpContext(op.operation(), op.verb(), op.seq(), op.root(),
                Deadline.after(Duration.ofNanos(Math.min(op.deadline().remainingNanos(), DECLARE_TIMEOUT.toNanos()))), context);
    }

    /** Writes this rank's declaration of collective {@code op}, unless it did already; best effort. */
    private void declare(OpContext op) {
        if (declared == op.seq() || !declares(op)) {
            return;
        }
        declared = op.seq();
        String k = declarationKey(op, context.rank());
        try {
            // Read with get by whichever peer waits, never taken: an object of several readers
            // even at two ranks (on Redis a stream; a list, which get cannot read, failed the wait).
            put(k, header(new byte[HEADER_BYTES], op).flip(), Math.max(2, context.size() - 1), brief(op));
            synchronized (multiReader) {
                multiReader.add(new Created(op.seq(), k));
            }
        } catch (RuntimeException e) {
            log.debug("{} could not write the declaration of {}: {}", context.logPrefix(), op.label(), e.toString());
        }
    }

    /**
     * Fails when the run was marked failed or the peer waited for is gone; returns the object if a
     * second look after finding the peer gone found it (it came just before the peer left), else null.
     */
    private byte[] checkPeers(String abortKey, String key, int producer, OpContext op, boolean single, StoreMembership members) {
        if (op.deadline().remainingNanos() < CHECK_MARGIN.toNanos()) {
            return null; // the wait's last reads decide; waitedOut looks at the member record
        }
        byte[] abort = null;
        try {
            abort = get(abortKey, 0, brief(op));
        } catch (ChannelException e) {
            // Best effort: the wait's own reads and the member records decide about a store that does not answer.
            log.debug("{} could not read the abort marker in {}: {}", context.logPrefix(), op.label(), e.toString());
        }
        if (abort != null) {
            String why = new String(abort, StandardCharsets.UTF_8);
            int failed = context.rankOf(parseRank(why));
            throw op.peerFailed(failed, why, null);
        }
        if (members == null) {
            return null;
        }
        int peer = producer >= 0 ? producer : nextWatched();
        StoreMembership.Status s = members.check(context.channelRank(peer), op);
        boolean failed;
        switch (s.state) {
            case SILENT: case ABORTED:
                failed = true;
                break;
            case CLOSED:
                // Only for a wait on that peer: one that passed a barrier may close while another
                // still waits for its release from the last to arrive.
                failed = producer >= 0;
                break;
            case CLOSING:
                // Closing peers meet in the closing barrier, and nowhere else.
                failed = producer >= 0 && op.seq() != CLOSE_SEQ;
                break;
            default:
                failed = false;
        }
        if (!failed) {
            return null;
        }
        byte[] v = single ? take(key, 0, op) : get(key, 0, op);
        if (v != null) {
            return v;
        }
        if (s.state == StoreMembership.State.SILENT) {
            // The others may wait on it too, or on this rank: fail them now rather than at their deadlines.
            markFailed(context.channelRank(peer), s.detail + " (noticed by rank " + context.channelRank(context.rank()) + ")");
        }
        String who = context.isSubgroup() ? "rank " + peer + " of this communicator, " : "";
        throw new PeerFailedException(peer, op.label() + ": " + who + s.detail + ", and object " + key + " did not come " + op.where());
    }

    /** The peer a wait for nobody in particular checks next: the others in turn, starting after this rank. */
    private int nextWatched() {
        int n = context.size();
        return (context.rank() + 1 + Math.floorMod(watch.getAndIncrement(), n - 1)) % n;
    }

    /**
     * The error of a wait that reached its deadline without the object: the store is blamed when
     * it does not answer (a take whose request the store never answered returns empty-handed, like
     * one that waited in vain), the peer otherwise.
     */
    private FmiException waitedOut(OpContext op, int producer, String what, StoreMembership members) {
        return verdict(op, producer, what, members, null);
    }

    /**
     * A store request failed: at the deadline, the store is blamed only if it does not answer
     * either; otherwise the wait was for a peer, and the error names it.
     */
    private FmiException blame(ChannelException e, OpContext op, int producer, String what, StoreMembership members) {
        if (!e.retryable() || !op.deadline().expired()) {
            return e;
        }
        return verdict(op, producer, what, members, e);
    }

    /**
     * Whom a wait that ran out blames, {@code failed} being its last request's error if that
     * failed. When the wait was for one peer, one last read of its member record within
     * {@link #PING_TIMEOUT} is both the question to the store and what the error says of the peer
     * (what an earlier wait saw may be stale: "has not opened" of a peer that passed a barrier
     * since, and the wait itself makes no checks in its last {@link #CHECK_MARGIN}); otherwise, or
     * when that read fails other than by not being answered, the store is asked with a
     * {@link #ping}. A wait whose last request came back more than {@link #UNANSWERED_LATE} after
     * the deadline was not answered by the store, which is not asked again.
     */
    private FmiException verdict(OpContext op, int producer, String what, StoreMembership members, ChannelException failed) {
        long lateNanos = op.deadline().overdueNanos();
        if (lateNanos > UNANSWERED_LATE.toNanos()) {
            // Asking again would only add to the delay of the error.
            return storeDown(op, producer, what, members, "its last request was still unanswered "
                    + TimeUnit.NANOSECONDS.toMillis(lateNanos) + " ms after the deadline " + op.where(), null, failed);
        }
        if (members != null && producer >= 0 && producer != context.rank()) {
            try {
                members.check(context.channelRank(producer), new OpContext(op.operation(), op.verb(), op.seq(), op.root(),
                        Deadline.after(PING_TIMEOUT), context));
                return timeout(op, producer, what, members, failed);
            } catch (ChannelException e) {
                if (e.retryable()) {
                    return storeDown(op, producer, what, members, "reading the member record of rank " + producer + " failed: " + e.getMessage(), e, failed);
                }
                log.debug("{} could not read the member record of rank {}: {}", context.logPrefix(), producer, e.toString());
            }
        }
        try {
            ping(PING_TIMEOUT);
        } catch (ChannelException down) {
            return storeDown(op, producer, what, members, down.getMessage(), down, failed);
        }
        return timeout(op, producer, what, members, failed);
    }

    /** The store did not answer {@code why}: {@code failed}, the wait's own failed request, if any, else a new error saying so. */
    private ChannelException storeDown(OpContext op, int producer, String what, StoreMembership members, String why,
                                       ChannelException down, ChannelException failed) {
        if (failed != null) {
            if (down != null) {
                failed.addSuppressed(down);
            }
            return failed;
        }
        ChannelException e = new ChannelException(op.label() + ": " + what + " not complete within "
                + op.deadline().timeout().toMillis() + " ms, and the store does not answer: " + why, down, true);
        e.addSuppressed(timeout(op, producer, what, members, null));
        return e;
    }

    private FmiTimeoutException timeout(OpContext op, int producer, String what, StoreMembership members, ChannelException cause) {
        FmiTimeoutException t = op.timeout(producer, what, members == null || producer < 0 ? null : members.lastSeen(context.channelRank(producer)));
        if (cause != null) {
            t.initCause(cause);
        }
        return t;
    }

    /** Writes the run's abort marker naming channel rank {@code failed}; best effort. */
    private void markFailed(int failed, String why) {
        try {
            byte[] msg = ("rank " + failed + ": " + why).getBytes(StandardCharsets.UTF_8);
            OpContext op = new OpContext(Operation.BARRIER, "abort", OpContext.P2P_SEQ, Deadline.after(KEEP_TIMEOUT), context);
            // Read with get, never taken, also when this (sub-)communicator has one rank.
            put(root.key("abort"), ByteBuffer.wrap(msg), Math.max(2, context.size()), op);
        } catch (RuntimeException e) {
            log.debug("{} could not write the abort marker: {}", context.logPrefix(), e.toString());
        }
    }

    private static int parseRank(String abortMessage) {
        // "rank 3: <reason>"
        if (abortMessage.startsWith("rank ")) {
            int colon = abortMessage.indexOf(':');
            try {
                return Integer.parseInt(abortMessage.substring(5, colon < 0 ? abortMessage.length() : colon).trim());
            } catch (RuntimeException e) {
                return -1;
            }
        }
        return -1;
    }

    private final class CallTransport implements StoreTransport {
        private final OpContext op;
        private final List<String> consumed = new ArrayList<>();

        CallTransport(OpContext op) {
            this.op = op;
        }

        @Override
        public int rank() {
            return context.rank();
        }

        @Override
        public int size() {
            return context.size();
        }

        @Override
        public OpContext op() {
            return op;
        }

        @Override
        public void put(String name, Buf data, int readers) {
            String k = opKey(op, name);
            int n = HEADER_BYTES + data.byteLength();
            byte[] pooled = n >= ScratchPool.MIN_BYTES ? ScratchPool.take(n) : null;
            byte[] object = pooled != null ? pooled : new byte[n];
            ByteBuffer b = header(object, op);
            b.put(data.array(), data.offset(), data.byteLength()).flip();
            MediatedChannel.this.put(k, b, readers, op);
            if (n >= ScratchPool.MIN_BYTES) {
                // Reused only after the store acknowledged the object; after a failure a retry may still read it.
                ScratchPool.give(object);
            }
            if (readers > 1) {
                synchronized (multiReader) {
                    multiReader.add(new Created(op.seq(), k));
                }
            }
        }

        @Override
        public void get(String name, int producer, Buf into) {
            String k = opKey(op, name);
            boolean single = hasOneReader(name);
            fetch(k, producer, into, op, single);
            if (single && !takeRemoves()) {
                consumed.add(k);
            }
        }

        @Override
        public byte[] getAny(String name, int producer) {
            String k = opKey(op, name);
            boolean single = hasOneReader(name);
            byte[] v = fetchAny(k, producer, op, single);
            if (single && !takeRemoves()) {
                consumed.add(k);
            }
            return v;
        }

        @Override
        public boolean hasCounters() {
            return supportsCounters();
        }

        @Override
        public long increment(String name) {
            return MediatedChannel.this.increment(opKey(op, name), op);
        }

        @Override
        public void deleteCounter(String name) {
            consumed.add(opKey(op, name));
        }

        void finish() {
            deleteLater(new ArrayList<>(consumed));
        }
    }

    /**
     * Whether object {@code name} has exactly one reader, as its writer's {@code readers} says:
     * the several-reader ones have n-1 readers, so one when n = 2.
     */
    private boolean hasOneReader(String name) {
        return isSingleReader(name) || context.size() == 2;
    }

    /** Objects read by several peers: "bcast", "all", "result"; everything else has one reader. */
    private static boolean isSingleReader(String name) {
        return !(name.equals("bcast") || name.equals("all") || name.equals("result"));
    }

    private static final class Created {
        final long seq;
        final String key;

        Created(long seq, String key) {
            this.seq = seq;
            this.key = key;
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Writes the abort marker naming this rank, unless one is there already: the first failure's
     * account stands, so a rank that gives up because another failed (and read that in the
     * marker), or that found a peer silent and wrote it naming that peer, does not replace that
     * name with its own. Then marks this rank's member record aborted and releases the store
     * client. A channel whose claim of its rank was refused writes nothing: the run is another
     * process's.
     */
    @Override
    public void abort(Throwable cause) {
        StoreMembership m;
        synchronized (this) {
            closed = true;
            m = membership;
        }
        try {
            if (m == null || !m.refused()) {
                OpContext op = new OpContext(Operation.BARRIER, "abort", OpContext.P2P_SEQ, Deadline.after(KEEP_TIMEOUT), context);
                if (get(root.key("abort"), 0, op) == null) {
                    markFailed(context.channelRank(context.rank()), cause == null ? "aborted" : cause.toString());
                }
            }
        } catch (RuntimeException e) {
            log.debug("{} could not write the abort marker: {}", context.logPrefix(), e.toString());
        } finally {
            if (m != null) {
                m.leave(true);
            }
            shutdown();
        }
    }

    /**
     * Deletes what this peer created (after a closing barrier when collectives ran) and releases
     * the store client.
     */
    @Override
    public void close() {
        StoreMembership m;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            m = membership;
        }
        List<String> rest;
        synchronized (multiReader) {
            rest = new ArrayList<>();
            multiReader.forEach(c -> rest.add(c.key));
            multiReader.clear();
        }
        // Every peer closes the same way (all of them carried the same collectives), so the barrier always completes.
        if (carriedCollectives && context.size() > 1) {
            Duration wait = context.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? context.timeout() : Duration.ofSeconds(10);
            if (m != null) {
                m.closing();
            }
            OpContext op = new OpContext(Operation.BARRIER, "close", CLOSE_SEQ, Deadline.after(wait), context);
            try {
                CallTransport t = new CallTransport(op);
                StoreCollectives.barrier(t);
                rest.addAll(t.consumed);
                if (!rest.isEmpty()) {
                    delete(rest);
                }
            } catch (FmiTimeoutException e) {
                log.warn("{} closing barrier timed out after {} ms; {} shared objects are left to the store's TTL",
                        context.logPrefix(), wait.toMillis(), rest.size());
            } catch (FmiException e) {
                log.debug("{} closing barrier failed ({}); {} shared objects are left to the store's TTL",
                        context.logPrefix(), e.getMessage(), rest.size());
            }
        }
        if (m != null) {
            m.leave(false);
        }
        shutdown();
    }

    /** Remembers a task on the shared executor until it ends, so that {@link #close} can wait for it. */
    private <T> CompletableFuture<T> track(CompletableFuture<T> task) {
        tasks.add(task);
        task.whenComplete((v, t) -> tasks.remove(task));
        return task;
    }

    private void shutdown() {
        // The store requests this channel started (deletes, non-blocking sends and receives) finish
        // before its client closes; the executor itself belongs to the communicator.
        CompletableFuture<?>[] running = tasks.toArray(new CompletableFuture<?>[0]);
        try {
            CompletableFuture.allOf(running).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("{} {} store requests still running at close: {}", context.logPrefix(), tasks.size(), e.toString());
        }
        try {
            closeStore();
        } catch (RuntimeException e) {
            log.debug("{} closing the store client failed: {}", context.logPrefix(), e.toString());
        }
    }

    /**
     * A sub-communicator's view of a channel: stores through the channel's client under the
     * sub-communicator's scope; never closes the client.
     */
    private static final class Subgroup extends MediatedChannel {
        private final MediatedChannel channel;

        Subgroup(MediatedChannel channel, ChannelContext sub) {
            super(sub, channel);
            this.channel = channel;
        }

        @Override
        protected void put(String key, ByteBuffer value, int readers, OpContext op) {
            channel.put(key, value, readers, op);
        }

        @Override
        protected byte[] get(String key, long waitNanos, OpContext op) {
            return channel.get(key, waitNanos, op);
        }

        @Override
        protected byte[] take(String key, long waitNanos, OpContext op) {
            return channel.take(key, waitNanos, op);
        }

        @Override
        protected boolean takeRemoves() {
            return channel.takeRemoves();
        }

        @Override
        protected void delete(Collection<String> keys) {
            channel.delete(keys);
        }

        @Override
        protected boolean supportsCounters() {
            return channel.supportsCounters();
        }

        @Override
        protected long increment(String key, OpContext op) {
            return channel.increment(key, op);
        }

        @Override
        protected void untake(String key, byte[] value, OpContext op) {
            channel.untake(key, value, op);
        }

        @Override
        protected void ping(Duration within) {
            channel.ping(within);
        }

        @Override
        protected Duration abortCheckInterval() {
            return channel.abortCheckInterval();
        }
    }
}
