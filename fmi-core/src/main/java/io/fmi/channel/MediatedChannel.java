package io.fmi.channel;

import io.fmi.ChannelException;
import io.fmi.FmiException;
import io.fmi.FmiTimeoutException;
import io.fmi.Operation;
import io.fmi.ReduceOp;
import io.fmi.collective.StoreCollectives;
import io.fmi.collective.StoreTransport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
 * <h2>Failure</h2>
 * A peer that fails writes the {@code abort} key; a peer waiting for an object checks it every
 * {@link #abortCheckInterval()} and fails with {@link io.fmi.PeerFailedException} instead of
 * waiting out its deadline.
 *
 * <p>Thread-safe as the {@link Channel} contract requires.
 */
public abstract class MediatedChannel implements Channel {
    private static final Logger log = LoggerFactory.getLogger(MediatedChannel.class);

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
        this.io = context.executor();
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

    // ---------------------------------------------------------------- point to point

    /** Key of the next message from this rank to {@code dest}; numbering fixes the order. */
    private String nextSendKey(int dest) {
        long n;
        synchronized (sendSeq) {
            n = sendSeq[dest]++;
        }
        return key("p2p/" + context.rank() + "-" + dest + "/" + n);
    }

    private String nextRecvKey(int src) {
        long n;
        synchronized (recvSeq) {
            n = recvSeq[src]++;
        }
        return key("p2p/" + src + "-" + context.rank() + "/" + n);
    }

    @Override
    public CompletableFuture<Void> send(OpContext op, Buf data, int dest) {
        String k = nextSendKey(dest);
        byte[] copy = new byte[data.byteLength()];
        System.arraycopy(data.array(), data.offset(), copy, 0, copy.length);
        return track(CompletableFuture.runAsync(() -> put(k, ByteBuffer.wrap(copy), 1, op), io));
    }

    @Override
    public CompletableFuture<Void> recv(OpContext op, Buf data, int src) {
        String k = nextRecvKey(src);
        return track(CompletableFuture.runAsync(() -> {
            fetch(k, src, data, op, true);
            deleteTakenLater(k);
        }, io));
    }

    @Override
    public CompletableFuture<byte[]> recvAny(OpContext op, int src) {
        String k = nextRecvKey(src);
        return track(CompletableFuture.supplyAsync(() -> {
            byte[] v = fetchAny(k, src, op, true);
            deleteTakenLater(k);
            return v;
        }, io));
    }

    /** On the calling thread; see {@link #sendBlocking}. */
    @Override
    public byte[] recvAnyBlocking(OpContext op, int src) {
        String k = nextRecvKey(src);
        byte[] v = fetchAny(k, src, op, true);
        deleteTakenLater(k);
        return v;
    }

    /** On the calling thread: the store request blocks anyway, a hand-off would only add latency. */
    @Override
    public void sendBlocking(OpContext op, Buf data, int dest) {
        put(nextSendKey(dest), data.asByteBuffer(), 1, op);
    }

    /** On the calling thread; see {@link #sendBlocking}. */
    @Override
    public void recvBlocking(OpContext op, Buf data, int src) {
        String k = nextRecvKey(src);
        fetch(k, src, data, op, true);
        deleteTakenLater(k);
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
     * Waits for {@code key}, checking for aborted peers, and copies it into {@code into}, which
     * must be exactly as long; a {@code single} reader takes it with {@link #take}.
     */
    private void fetch(String key, int producer, Buf into, OpContext op, boolean single) {
        byte[] v = fetch(key, producer, op, single);
        if (v.length != into.byteLength()) {
            throw op.error("object " + key + (producer >= 0 ? " from rank " + producer : "") + " has " + v.length
                    + " bytes but the buffer holds " + into.byteLength() + " bytes (" + into + ")");
        }
        System.arraycopy(v, 0, into.array(), into.offset(), v.length);
    }

    /**
     * Waits for {@code key} and returns it whatever its length up to
     * {@link ChannelContext#maxMessageBytes()}. A longer object raises an error naming the limit;
     * it has been read by then (and, by a single reader, taken).
     */
    private byte[] fetchAny(String key, int producer, OpContext op, boolean single) {
        byte[] v = fetch(key, producer, op, single);
        int max = context.maxMessageBytes();
        if (v.length > max) {
            throw op.error("object " + key + (producer >= 0 ? " from rank " + producer : "") + " has " + v.length
                    + " bytes, more than the limit of " + max + " bytes (backends." + context.backend().name() + "."
                    + ChannelContext.MAX_MESSAGE_BYTES_KEY + ")");
        }
        return v;
    }

    /** Waits for {@code key}, checking for aborted peers; a {@code single} reader takes it with {@link #take}. */
    private byte[] fetch(String key, int producer, OpContext op, boolean single) {
        long slice = Math.max(1, abortCheckInterval().toNanos());
        // A failed peer writes the marker of the communicator that made the channel, seen by all its sub-communicators.
        String abortKey = root.key("abort");
        while (true) {
            long left = op.deadline().remainingNanos();
            if (left <= 0) {
                throw op.timeout(producer, "object " + key);
            }
            byte[] v = single ? take(key, Math.min(left, slice), op) : get(key, Math.min(left, slice), op);
            if (v != null) {
                return v;
            }
            byte[] abort = get(abortKey, 0, op);
            if (abort != null) {
                String why = new String(abort, StandardCharsets.UTF_8);
                int failed = context.rankOf(parseRank(why));
                throw op.peerFailed(failed, why, null);
            }
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
            MediatedChannel.this.put(k, data.asByteBuffer(), readers, op);
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

    @Override
    public void abort(Throwable cause) {
        try {
            String why = "rank " + context.channelRank(context.rank()) + ": " + (cause == null ? "aborted" : cause.toString());
            byte[] msg = why.getBytes(StandardCharsets.UTF_8);
            OpContext op = new OpContext(Operation.BARRIER, "abort", OpContext.P2P_SEQ,
                    Deadline.after(Duration.ofSeconds(5)), context);
            put(root.key("abort"), ByteBuffer.wrap(msg), context.size(), op);
        } catch (RuntimeException e) {
            log.debug("{} could not write the abort marker: {}", context.logPrefix(), e.toString());
        } finally {
            closed = true;
            shutdown();
        }
    }

    /**
     * Deletes what this peer created (after a closing barrier when collectives ran) and releases
     * the store client.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> rest;
        synchronized (multiReader) {
            rest = new ArrayList<>();
            multiReader.forEach(c -> rest.add(c.key));
            multiReader.clear();
        }
        // Every peer closes the same way (all of them carried the same collectives), so the barrier always completes.
        if (carriedCollectives && context.size() > 1) {
            Duration wait = context.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? context.timeout() : Duration.ofSeconds(10);
            OpContext op = new OpContext(Operation.BARRIER, "close", Long.MAX_VALUE, Deadline.after(wait), context);
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
        protected Duration abortCheckInterval() {
            return channel.abortCheckInterval();
        }
    }
}
