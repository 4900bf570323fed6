package io.fmi.channel;

import io.fmi.CollectiveMismatchException;
import io.fmi.FmiException;
import io.fmi.ReduceOp;
import io.fmi.collective.PeerCollectives;
import io.fmi.collective.PeerTransport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of the peer-to-peer channel family (direct TCP, in-memory): a subclass moves tagged byte
 * messages between two peers, this class runs every collective on top ({@link PeerCollectives})
 * and matches incoming messages with receives ({@link Mailbox}).
 *
 * <p>A subclass implements {@link #transmit} and hands every message that arrives to
 * {@link #deliver}; when a peer is lost it calls {@link #peerFailed} so that receives waiting on
 * that peer fail at once. Sends to oneself never reach the subclass.
 *
 * <pre>
 * final class PipeChannel extends PeerToPeerChannel {
 *     protected CompletableFuture&lt;Void&gt; transmit(int dest, int comm, long tag, ByteBuffer data, OpContext op) {
 *         pipes[dest].write(rank(), comm, tag, data);    // copy the bytes before returning
 *         return CompletableFuture.completedFuture(null);
 *     }
 *     // reader thread: deliver(src, comm, tag, payload);
 * }
 * </pre>
 *
 * <h2>Sub-communicators</h2>
 * A communicator made by {@code split} or {@code dup} runs over its parent's channel through
 * {@link #subgroup}: a view with its own ranks and its own communicator id
 * ({@link ChannelContext#commId()}), sharing the channel's connections, mailbox and I/O. So the
 * hooks a subclass implements speak <i>channel ranks</i> (the ranks of the communicator that made
 * the channel) and carry the communicator id with every message: a subclass sends it with the
 * tag and hands it back to {@link #deliver}, and never opens a second connection for a
 * sub-communicator. Closing a view fails its waiting receives and leaves the channel working.
 *
 * <h2>Which collective a message belongs to</h2>
 * Every message of a collective goes to the full {@link #transmit(int, int, long, int, int, ByteBuffer, OpContext)}
 * with the collective's {@linkplain OpCodes code} and root; a channel whose wire carries them
 * overrides that form, hands both back to {@link #deliver(int, int, long, int, int, ByteBuffer)}
 * on arrival, and says so with {@link #carriesOpCodes()}. Then a rank that calls another
 * collective, or another root, than its peers gets a {@link io.fmi.CollectiveMismatchException}
 * naming both instead of their bytes as data, and tells its peers (a
 * {@linkplain OpCodes#NOTICE notice}), so that the ranks waiting for it fail at once rather than at
 * their deadline. A channel that overrides only the short {@code transmit} drops the code (its
 * messages arrive as {@link OpCodes#UNKNOWN}, never checked) and sends no notices.
 *
 * <p>Thread-safe as the {@link Channel} contract requires.
 */
public abstract class PeerToPeerChannel implements Channel {
    private static final Logger log = LoggerFactory.getLogger(PeerToPeerChannel.class);
    /** The communicator this channel serves: its name, run, rank, size and configuration. */
    protected final ChannelContext context;
    /** Where arriving messages wait for, or are matched with, their receives. */
    protected final Mailbox mailbox;
    /** Sends handed to {@link #transmit} whose write has not finished; {@link #drainSends} waits for them. */
    private final Set<CompletableFuture<Void>> inFlight;
    /** The channel that owns the connections: this one, or the one a sub-communicator's view runs over. */
    private final PeerToPeerChannel root;
    /** This communicator's id, carried with every message. */
    private final int comm;
    /** {@value IdleStrategy#CONFIG_KEY} of the backend entry, or null. */
    private final IdleStrategy configuredIdle;
    /** {@value #SEGMENT_BYTES_KEY} of the backend entry. */
    private final int segmentBytes;

    /** The backend key of the pipelined allreduce's segment size; {@link PeerCollectives#DEFAULT_SEGMENT_BYTES} by default. */
    public static final String SEGMENT_BYTES_KEY = "allreduce_segment_bytes";
    /** The backend key that forces one allreduce algorithm ({@link PeerCollectives.AllreduceAlgorithm}); {@code auto} by default. */
    public static final String ALLREDUCE_ALGORITHM_KEY = "allreduce_algorithm";
    /** {@value #ALLREDUCE_ALGORITHM_KEY} of the backend entry. */
    private final PeerCollectives.AllreduceAlgorithm allreduceAlgorithm;

    /**
     * A channel for the communicator {@code context} describes, with a mailbox of its own.
     *
     * @param context the communicator, as the channel sees it
     */
    protected PeerToPeerChannel(ChannelContext context) {
        this(context, context.scheduler().map(Mailbox::new).orElseGet(Mailbox::new));
    }

    /** With a mailbox that outlives this object, e.g. one that collects messages before the channel is created. */
    protected PeerToPeerChannel(ChannelContext context, Mailbox mailbox) {
        this.context = context;
        this.mailbox = mailbox;
        this.inFlight = ConcurrentHashMap.newKeySet();
        this.root = this;
        this.comm = context.commId();
        this.configuredIdle = IdleStrategy.fromConfig(context.backend(), null);
        this.segmentBytes = context.backend().integer(SEGMENT_BYTES_KEY, PeerCollectives.DEFAULT_SEGMENT_BYTES);
        if (segmentBytes < 8 || segmentBytes > 64 << 20) {
            throw new io.fmi.FmiConfigException("backends." + context.backend().name() + "." + SEGMENT_BYTES_KEY + ": "
                    + segmentBytes + " (expected: 8 to " + (64 << 20) + " bytes)");
        }
        this.allreduceAlgorithm = allreduceAlgorithm(context);
    }

    private static PeerCollectives.AllreduceAlgorithm allreduceAlgorithm(ChannelContext context) {
        String name = context.backend().string(ALLREDUCE_ALGORITHM_KEY, "auto");
        for (PeerCollectives.AllreduceAlgorithm a : PeerCollectives.AllreduceAlgorithm.values()) {
            if (a.configName().equals(name)) {
                return a;
            }
        }
        String names = java.util.Arrays.stream(PeerCollectives.AllreduceAlgorithm.values())
                .map(PeerCollectives.AllreduceAlgorithm::configName).collect(java.util.stream.Collectors.joining(", "));
        throw new io.fmi.FmiConfigException("backends." + context.backend().name() + "." + ALLREDUCE_ALGORITHM_KEY + ": '"
                + name + "' (expected: one of " + names + ")");
    }

    /** A sub-communicator's view of {@code root}. */
    private PeerToPeerChannel(PeerToPeerChannel root, ChannelContext sub) {
        this.context = sub;
        this.mailbox = root.mailbox;
        this.inFlight = root.inFlight;
        this.root = root;
        this.comm = sub.commId();
        this.configuredIdle = root.configuredIdle;
        this.segmentBytes = root.segmentBytes;
        this.allreduceAlgorithm = root.allreduceAlgorithm;
    }

    /**
     * Sends one tagged message of communicator {@code comm} to channel rank {@code dest}. Must copy
     * (or write) all of {@code data} before returning, because the caller may reuse the buffer at
     * once; the future reports the write's outcome. The receiver hands {@code comm} and
     * {@code tag} back to {@link #deliver}.
     *
     * @param dest the receiver's channel rank
     * @param comm the communicator id ({@link ChannelContext#commId()}; 0 for the channel's own)
     * @param tag  the operation's sequence number, {@link OpContext#P2P_SEQ} for point-to-point
     * @param data the payload, between position and limit
     * @param op   the call, for its deadline and error messages
     * @return completes once the message is written
     */
    protected abstract CompletableFuture<Void> transmit(int dest, int comm, long tag, ByteBuffer data, OpContext op);

    /**
     * Sends one tagged message that says which collective it belongs to: {@code code} and
     * {@code root} travel with it, and the receiver hands them back to
     * {@link #deliver(int, int, long, int, int, ByteBuffer)} (or {@link #deliverOwned(int, int, long, int, int, byte[])},
     * {@link Mailbox#claim(int, int, long, int, int, int)}). Otherwise as the short form. The
     * default drops them and calls the short form: for a channel whose wire has no room for them
     * (override {@link #carriesOpCodes()} together with this method). A {@linkplain OpCodes#NOTICE notice}
     * is only sent through a channel that {@link #carriesOpCodes() carries codes}.
     *
     * @param dest the receiver's channel rank
     * @param comm the communicator id
     * @param tag  the operation's sequence number, {@link OpContext#P2P_SEQ} for point-to-point
     * @param code the collective's {@linkplain OpCodes code}, {@link OpCodes#UNKNOWN} for point-to-point
     * @param root the collective's root, {@link OpCodes#NO_ROOT} when it has none
     * @param data the payload, between position and limit
     * @param op   the call, for its deadline and error messages
     * @return completes once the message is written
     */
    protected CompletableFuture<Void> transmit(int dest, int comm, long tag, int code, int root, ByteBuffer data, OpContext op) {
        return transmit(dest, comm, tag, data, op);
    }

    /**
     * Whether this channel's messages carry their collective's code and root to the receiver
     * (it overrides {@link #transmit(int, int, long, int, int, ByteBuffer, OpContext)} and
     * delivers them): only then are mismatched collectives detected and notices sent. False by
     * default.
     *
     * @return whether codes reach the receiving mailbox
     */
    protected boolean carriesOpCodes() {
        return false;
    }

    /**
     * The connection to channel rank {@code peer} is about to be needed (called before every send
     * to and receive from it): a channel that connects lazily starts connecting here, without
     * blocking.
     */
    protected void prepare(int peer, OpContext op) {
    }

    /**
     * A receive was posted that no thread waits for (a non-blocking one): a channel whose I/O is
     * driven by waiting threads arranges for it to make progress anyway. Does nothing by default.
     *
     * @param receive the receive's future
     */
    protected void unattended(CompletableFuture<?> receive) {
    }

    /**
     * What a waiting thread does before it parks: {@value IdleStrategy#CONFIG_KEY} of the backend
     * entry, else {@link #defaultIdleStrategy()}.
     */
    @Override
    public IdleStrategy idleStrategy() {
        IdleStrategy s = configuredIdle;
        return s != null ? s : defaultIdleStrategy();
    }

    /**
     * The idle strategy when the backend entry names none: {@link IdleStrategy#block()}, right for
     * peers that are threads of one process (which would poll each other off the cores). A channel
     * between processes overrides it.
     *
     * @return the default
     */
    protected IdleStrategy defaultIdleStrategy() {
        return IdleStrategy.block();
    }

    /**
     * Hands a message that arrived from channel rank {@code src} to the receive matching; copies
     * {@code payload}.
     *
     * @param src     the sender's channel rank
     * @param comm    the communicator id the message carried
     * @param tag     the tag it carried
     * @param payload the message, between position and limit
     */
    protected final void deliver(int src, int comm, long tag, ByteBuffer payload) {
        mailbox.deliver(src, comm, tag, payload);
    }

    /**
     * Hands a message that arrived with its collective's code and root to the receive matching,
     * which checks them; copies {@code payload}.
     *
     * @param src     the sender's channel rank
     * @param comm    the communicator id the message carried
     * @param tag     the tag it carried
     * @param code    the {@linkplain OpCodes code} it carried
     * @param root    the root it carried
     * @param payload the message, between position and limit
     */
    protected final void deliver(int src, int comm, long tag, int code, int root, ByteBuffer payload) {
        mailbox.deliver(src, comm, tag, code, root, payload);
    }

    /** Hands over a message whose array the mailbox may keep; see {@link #deliver}. */
    protected final void deliverOwned(int src, int comm, long tag, byte[] payload) {
        mailbox.deliverOwned(src, comm, tag, payload);
    }

    /** Hands over a message with its code and root whose array the mailbox may keep; see {@link #deliver}. */
    protected final void deliverOwned(int src, int comm, long tag, int code, int root, byte[] payload) {
        mailbox.deliverOwned(src, comm, tag, code, root, payload);
    }

    /** Channel rank {@code peer} is gone: receives waiting for it fail at once with {@link io.fmi.PeerFailedException}. */
    protected final void peerFailed(int peer, Throwable cause) {
        mailbox.failPeer(peer, cause);
    }

    /**
     * This peer's rank.
     *
     * @return 0 to {@code size() - 1}
     */
    public final int rank() {
        return context.rank();
    }

    /**
     * The number of peers.
     *
     * @return at least 1
     */
    public final int size() {
        return context.size();
    }

    @Override
    public String name() {
        return context.channelName();
    }

    /** A view of this channel for a sub-communicator; see the class documentation. */
    @Override
    public Channel subgroup(ChannelContext sub) {
        return new Subgroup(root, sub);
    }

    /** The channel rank of rank {@code r} of this communicator. */
    private int wire(int r) {
        return context.channelRank(r);
    }

    // ---------------------------------------------------------------- point to point

    /**
     * Sends eagerly: {@link #transmit} has copied the bytes when it returns, so the send is
     * complete then, without waiting for the write to reach the socket (a hand-off to the I/O
     * thread and back). A write that fails later breaks the connection, which the subclass reports
     * with {@link #peerFailed}: every later operation with that peer fails.
     */
    @Override
    public CompletableFuture<Void> send(OpContext op, Buf data, int dest) {
        if (dest == rank()) {
            mailbox.deliver(wire(dest), comm, OpContext.P2P_SEQ, data.view());
            return DONE;
        }
        int d = wire(dest);
        root.prepare(d, op);
        return root.sendPointToPoint(d, comm, data.view(), op);
    }

    /**
     * Sends a point-to-point message of communicator {@code comm} to channel rank {@code dest}, for
     * {@link #send} of this channel and of its sub-communicators' views. By default eager, through
     * {@link #transmit}: complete once the bytes are copied. A channel that moves some messages only
     * into a receive the peer posted (a rendezvous protocol for large ones) overrides it and returns
     * a future that completes when such a message is written.
     *
     * @param dest the receiver's channel rank
     * @param comm the communicator id
     * @param data the payload, between position and limit
     * @param op   the call
     * @return completes once the message is copied or written
     */
    protected CompletableFuture<Void> sendPointToPoint(int dest, int comm, ByteBuffer data, OpContext op) {
        CompletableFuture<Void> f = track(transmit(dest, comm, OpContext.P2P_SEQ, data, op));
        return f.isDone() ? f : DONE;
    }

    private CompletableFuture<Void> track(CompletableFuture<Void> f) {
        if (!f.isDone()) {
            inFlight.add(f);
            f.whenComplete((v, t) -> inFlight.remove(f));
        }
        return f;
    }

    /**
     * Waits, at most {@code timeout}, until every send handed to {@link #transmit} has been
     * written or has failed. Sends complete for the caller once their bytes are copied, so a
     * subclass calls this at the start of {@link #close()}: a peer that sends and then closes
     * loses nothing. Returns the number of sends still unfinished (logged as a warning).
     */
    protected final int drainSends(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<Void> f : inFlight.toArray(new CompletableFuture[0])) {
            try {
                f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // a failed send was reported to its peer's operations; a slow one is counted below
            }
        }
        int left = inFlight.size();
        if (left > 0) {
            log.warn("{} closing with {} messages not yet written after {} ms; they are dropped", context.logPrefix(), left, timeout.toMillis());
        }
        return left;
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    @Override
    public CompletableFuture<Void> recv(OpContext op, Buf data, int src) {
        int s = wire(src);
        if (src != rank()) {
            root.prepare(s, op);
        }
        CompletableFuture<Void> f = mailbox.post(s, comm, OpContext.P2P_SEQ, data, op);
        if (!f.isDone()) {
            root.unattended(f);
        }
        return f;
    }

    @Override
    public CompletableFuture<byte[]> recvAny(OpContext op, int src) {
        int s = wire(src);
        if (src != rank()) {
            root.prepare(s, op);
        }
        CompletableFuture<byte[]> f = mailbox.postAny(s, comm, OpContext.P2P_SEQ, context.maxMessageBytes(), op);
        if (!f.isDone()) {
            root.unattended(f);
        }
        return f;
    }

    @Override
    public byte[] recvAnyBlocking(OpContext op, int src) {
        int s = wire(src);
        if (src != rank()) {
            root.prepare(s, op);
        }
        CompletableFuture<byte[]> f = mailbox.postAny(s, comm, OpContext.P2P_SEQ, context.maxMessageBytes(), op);
        await(f, op, src, "message", -1);
        return f.join();
    }

    /**
     * Posts the receive first, so the incoming message lands in {@code recv} while {@code send} is
     * written; returns once both are done, {@code send} free again (a send that moves only into the
     * peer's posted receive, see {@link #sendPointToPoint}, may still read it after the receive).
     */
    @Override
    public void sendrecv(OpContext op, Buf send, int dest, Buf recv, int src) {
        int s = wire(src);
        if (src != rank()) {
            root.prepare(s, op);
        }
        CompletableFuture<Void> r = mailbox.post(s, comm, OpContext.P2P_SEQ, recv, op);
        CompletableFuture<Void> sent;
        try {
            sent = send(op, send, dest);
            if (sent.isCompletedExceptionally()) {
                Waits.outcome(sent, op, dest, "send", send.byteLength());
            }
        } catch (RuntimeException e) {
            mailbox.withdraw(r);
            throw e;
        }
        await(r, op, src, "receive", recv.byteLength());
        if (!sent.isDone()) {
            root.waitFor(sent, op, dest, "send", send.byteLength());
        } else if (sent.isCompletedExceptionally()) {
            Waits.outcome(sent, op, dest, "send", send.byteLength());
        }
    }

    // ---------------------------------------------------------------- collectives

    @Override
    public void bcast(OpContext op, Buf data, int root) {
        PeerCollectives.bcast(transport(op), data, root);
    }

    @Override
    public void barrier(OpContext op) {
        PeerCollectives.barrier(transport(op));
    }

    @Override
    public void gather(OpContext op, Buf send, Buf recv, int root) {
        PeerCollectives.gather(transport(op), send, recv, root);
    }

    @Override
    public void scatter(OpContext op, Buf send, Buf recv, int root) {
        PeerCollectives.scatter(transport(op), send, recv, root);
    }

    @Override
    public void allgather(OpContext op, Buf send, Buf recv) {
        PeerCollectives.allgather(transport(op), send, recv);
    }

    @Override
    public void alltoall(OpContext op, Buf send, Buf recv) {
        PeerCollectives.alltoall(transport(op), send, recv);
    }

    @Override
    public void reduce(OpContext op, Buf send, Buf recv, int root, ReduceOp reduceOp) {
        PeerCollectives.reduce(transport(op), send, recv, root, reduceOp);
    }

    @Override
    public void allreduce(OpContext op, Buf send, Buf recv, ReduceOp reduceOp) {
        PeerCollectives.allreduce(transport(op), send, recv, reduceOp, ringThresholdBytes(), segmentBytes, allreduceAlgorithm);
    }

    @Override
    public void scan(OpContext op, Buf send, Buf recv, ReduceOp reduceOp) {
        PeerCollectives.scan(transport(op), send, recv, reduceOp);
    }

    @Override
    public void exscan(OpContext op, Buf send, Buf recv, ReduceOp reduceOp) {
        PeerCollectives.exscan(transport(op), send, recv, reduceOp);
    }

    @Override
    public void gatherv(OpContext op, Buf send, Buf recv, int[] counts, int root) {
        PeerCollectives.gatherv(transport(op), send, recv, counts, root);
    }

    @Override
    public void scatterv(OpContext op, Buf send, int[] counts, Buf recv, int root) {
        PeerCollectives.scatterv(transport(op), send, counts, recv, root);
    }

    @Override
    public void allgatherv(OpContext op, Buf send, Buf recv, int[] counts) {
        PeerCollectives.allgatherv(transport(op), send, recv, counts, ringThresholdBytes());
    }

    @Override
    public void alltoallv(OpContext op, Buf send, int[] sendCounts, Buf recv, int[] recvCounts) {
        PeerCollectives.alltoallv(transport(op), send, sendCounts, recv, recvCounts);
    }

    @Override
    public void reduceScatter(OpContext op, Buf send, Buf recv, int[] counts, ReduceOp reduceOp) {
        PeerCollectives.reduceScatter(transport(op), send, recv, counts, reduceOp, ringThresholdBytes());
    }

    @Override
    public byte[] bcastBytes(OpContext op, byte[] data, int root) {
        return PeerCollectives.bcastBytes(transport(op), data, root);
    }

    @Override
    public List<byte[]> gatherBytes(OpContext op, byte[] send, int root) {
        return PeerCollectives.gatherBytes(transport(op), send, root);
    }

    @Override
    public List<byte[]> allgatherBytes(OpContext op, byte[] send) {
        return PeerCollectives.allgatherBytes(transport(op), send);
    }

    @Override
    public List<byte[]> alltoallBytes(OpContext op, List<byte[]> send) {
        return PeerCollectives.alltoallBytes(transport(op), send);
    }

    /** Allreduce, allgatherv and reduce-scatter payloads from this size on use the ring algorithms (commutative operators). */
    protected int ringThresholdBytes() {
        return PeerCollectives.DEFAULT_RING_THRESHOLD_BYTES;
    }

    /** The transport view the algorithms use for one collective call. */
    protected PeerTransport transport(OpContext op) {
        return new CallTransport(op);
    }

    /**
     * Waits for a receive posted in {@link #mailbox} until the call's deadline, polling first as
     * {@link #idleStrategy()} says; a receive given up on is withdrawn, so a message arriving later stays
     * queued for the next receive.
     *
     * @param peer the rank waited for, in this communicator's ranks
     */
    protected final void await(CompletableFuture<?> f, OpContext op, int peer, String what, int bytes) {
        try {
            root.waitFor(f, op, peer, what, bytes);
        } catch (FmiException e) {
            if (!f.isDone() && mailbox.withdraw(f)) {
                throw e;
            }
            if (!f.isDone()) {
                // Its message is already streaming into the buffer (Mailbox.claim): finish it rather
                // than return while bytes may still land in the caller's buffer.
                try {
                    f.get(CLAIM_GRACE_SECONDS, TimeUnit.SECONDS);
                    return;
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException ignored) {
                    // the peer stalled mid-message or failed: report the original timeout
                }
            }
            if (!f.isDone() || f.isCompletedExceptionally()) {
                throw e;
            }
            // completed while being withdrawn: the data is there
        }
    }

    /**
     * Blocks until {@code f} completes or the call's deadline (plus {@link Waits#GRACE_NANOS})
     * passes, then returns or raises as {@link Waits#await} does. A channel whose I/O is driven by
     * the waiting threads overrides this; by default the thread polls as {@link #idleStrategy()}
     * says, then parks.
     */
    protected void waitFor(CompletableFuture<?> f, OpContext op, int peer, String what, int bytes) {
        Waits.await(f, op, peer, what, bytes, idleStrategy());
    }

    /** How long a receive whose message has started arriving may overrun its deadline to finish. */
    private static final long CLAIM_GRACE_SECONDS = 5;

    @Override
    public void recvBlocking(OpContext op, Buf data, int src) {
        int s = wire(src);
        if (src != rank()) {
            root.prepare(s, op);
        }
        await(mailbox.post(s, comm, OpContext.P2P_SEQ, data, op), op, src, "receive", data.byteLength());
    }

    private final class CallTransport implements PeerTransport {
        private final OpContext op;
        private List<CompletableFuture<Void>> sends;
        /** Whether this call told its peers it failed ({@link #giveUp}). */
        private boolean gaveUp;

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
        public void send(int dest, Buf data) {
            int d = wire(dest);
            if (dest == rank()) {
                mailbox.deliver(d, comm, op.seq(), op.code(), op.root(), data.view());
                return;
            }
            root.prepare(d, op);
            CompletableFuture<Void> f = track(root.transmit(d, comm, op.seq(), op.code(), op.root(), data.view(), op));
            if (f.isCompletedExceptionally()) {
                if (sends == null) {
                    sends = new ArrayList<>();
                }
                sends.add(f);
            }
        }

        /** Posts a receive of this call's next message from {@code src} (exact length {@code into}, or any when null). */
        private CompletableFuture<?> post(int src, Buf into) {
            int s = wire(src);
            if (src != rank()) {
                root.prepare(s, op);
            }
            return into == null
                    ? mailbox.postAny(s, comm, op.seq(), context.maxMessageBytes(), op)
                    : mailbox.post(s, comm, op.seq(), into, op);
        }

        @Override
        public void recv(int src, Buf into) {
            awaitMessage(post(src, into), src, into.byteLength());
        }

        @Override
        public Object postRecv(int src, Buf into) {
            return post(src, into);
        }

        @Override
        public void awaitRecv(Object posted, int src, Buf into) {
            await((CompletableFuture<?>) posted, op, src, "message", into.byteLength());
        }

        @Override
        public void cancelRecv(Object posted) {
            CompletableFuture<?> f = (CompletableFuture<?>) posted;
            if (f != null && !f.isDone()) {
                mailbox.withdraw(f);
            }
        }

        @Override
        public byte[] recvAny(int src) {
            CompletableFuture<?> f = post(src, null);
            awaitMessage(f, src, -1);
            return (byte[]) f.join();
        }

        /** Posts the receive before sending, so the incoming message streams into {@code in} meanwhile. */
        @Override
        public void sendRecv(int dest, Buf out, int src, Buf in) {
            CompletableFuture<?> r = post(src, in);
            sendAfterPosting(r, dest, out);
            awaitMessage(r, src, in.byteLength());
        }

        @Override
        public byte[] sendRecvAny(int dest, Buf out, int src) {
            CompletableFuture<?> r = post(src, null);
            sendAfterPosting(r, dest, out);
            awaitMessage(r, src, -1);
            return (byte[]) r.join();
        }

        /** Waits for a receive of this call; a mismatch found there is passed on to the peers first. */
        private void awaitMessage(CompletableFuture<?> f, int src, int bytes) {
            try {
                await(f, op, src, "message", bytes);
            } catch (CollectiveMismatchException e) {
                giveUp(e);
                throw e;
            }
        }

        /**
         * This call cannot complete because of what a peer sent: tell every other rank (a
         * {@linkplain OpCodes#NOTICE notice} with this call's tag), so that a rank waiting for a
         * message of this call from this one fails now, with the reason, instead of at its
         * deadline. Once per call; best effort; only where the wire carries codes.
         */
        private void giveUp(CollectiveMismatchException why) {
            if (gaveUp || !root.carriesOpCodes()) {
                return;
            }
            gaveUp = true;
            byte[] text = why.getMessage().getBytes(StandardCharsets.UTF_8);
            ByteBuffer reason = ByteBuffer.wrap(text, 0, Math.min(text.length, OpCodes.MAX_NOTICE_BYTES));
            for (int r = 0; r < size(); r++) {
                if (r != rank()) {
                    try {
                        root.transmit(wire(r), comm, op.seq(), OpCodes.NOTICE, OpCodes.NO_ROOT, reason.duplicate(), op);
                    } catch (RuntimeException e) {
                        log.debug("{} {}: could not tell rank {} that this collective failed: {}", context.logPrefix(), op.label(), r, e.toString());
                    }
                }
            }
            log.debug("{} {} failed on a mismatch; told the other ranks: {}", context.logPrefix(), op.label(), why.getMessage());
        }

        private void sendAfterPosting(CompletableFuture<?> posted, int dest, Buf out) {
            try {
                send(dest, out);
            } catch (RuntimeException e) {
                mailbox.withdraw(posted);
                throw e;
            }
        }

        @Override
        public void prepare(int... peers) {
            for (int p : peers) {
                root.prepare(wire(p), op);
            }
        }

        /**
         * Raises a send that already failed; sends still in flight were copied and need no wait.
         * A send to a rank that left after giving this collective up (it sent a notice) raises
         * what the notice says: the mismatch, not the departure it caused.
         */
        @Override
        public void flush() {
            if (sends != null) {
                List<CompletableFuture<Void>> failed = sends;
                sends = null;
                for (CompletableFuture<Void> f : failed) {
                    try {
                        await(f, op, -1, "send", -1);
                    } catch (io.fmi.PeerFailedException e) {
                        CollectiveMismatchException why = e.peer() < 0 ? null : mailbox.noticeFrom(wire(e.peer()), comm, op);
                        if (why != null) {
                            why.addSuppressed(e);
                            giveUp(why);
                            throw why;
                        }
                        throw e;
                    }
                }
            }
        }
    }

    /**
     * A sub-communicator's view of a channel: the channel's connections, mailbox and I/O, with
     * the sub-communicator's ranks and communicator id. Closing it fails what waits for its
     * messages and drops those that arrive later; the channel goes on.
     */
    private static final class Subgroup extends PeerToPeerChannel {
        private final PeerToPeerChannel channel;

        Subgroup(PeerToPeerChannel channel, ChannelContext sub) {
            super(channel, sub);
            this.channel = channel;
        }

        @Override
        protected CompletableFuture<Void> transmit(int dest, int comm, long tag, ByteBuffer data, OpContext op) {
            return channel.transmit(dest, comm, tag, data, op);
        }

        @Override
        protected CompletableFuture<Void> transmit(int dest, int comm, long tag, int code, int root, ByteBuffer data, OpContext op) {
            return channel.transmit(dest, comm, tag, code, root, data, op);
        }

        @Override
        protected boolean carriesOpCodes() {
            return channel.carriesOpCodes();
        }

        @Override
        public IdleStrategy idleStrategy() {
            return channel.idleStrategy();
        }

        @Override
        protected int ringThresholdBytes() {
            return channel.ringThresholdBytes();
        }

        @Override
        public void abort(Throwable cause) {
            close();
        }

        @Override
        public void close() {
            mailbox.closeComm(context.commId(), "communicator " + context.commName() + " closed");
        }
    }
}
