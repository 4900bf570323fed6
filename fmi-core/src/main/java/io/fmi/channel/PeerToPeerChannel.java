package io.fmi.channel;

import io.fmi.FmiException;
import io.fmi.ReduceOp;
import io.fmi.collective.PeerCollectives;
import io.fmi.collective.PeerTransport;
import java.nio.ByteBuffer;
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
 *     protected CompletableFuture&lt;Void&gt; transmit(int dest, long tag, ByteBuffer data, OpContext op) {
 *         pipes[dest].write(rank(), tag, data);          // copy the bytes before returning
 *         return CompletableFuture.completedFuture(null);
 *     }
 *     // reader thread: deliver(src, tag, payload);
 * }
 * </pre>
 *
 * <p>Thread-safe as the {@link Channel} contract requires.
 */
public abstract class PeerToPeerChannel implements Channel {
    private static final Logger log = LoggerFactory.getLogger(PeerToPeerChannel.class);
    protected final ChannelContext context;
    protected final Mailbox mailbox;
    /** Sends handed to {@link #transmit} whose write has not finished; {@link #drainSends} waits for them. */
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();

    protected PeerToPeerChannel(ChannelContext context) {
        this(context, context.scheduler().map(Mailbox::new).orElseGet(Mailbox::new));
    }

    /** With a mailbox that outlives this object, e.g. one that collects messages before the channel is created. */
    protected PeerToPeerChannel(ChannelContext context, Mailbox mailbox) {
        this.context = context;
        this.mailbox = mailbox;
    }

    /**
     * Sends one tagged message. Must copy (or write) all of {@code data} before returning, because
     * the caller may reuse the buffer at once; the future reports the write's outcome.
     */
    protected abstract CompletableFuture<Void> transmit(int dest, long tag, ByteBuffer data, OpContext op);

    /**
     * The connection to {@code peer} is about to be needed (called before every send to and
     * receive from it): a channel that connects lazily starts connecting here, without blocking.
     */
    protected void prepare(int peer, OpContext op) {
    }

    /** How long a waiting thread spins before it parks, in nanoseconds; 0 parks at once. */
    @Override
    public long spinNanos() {
        return 0;
    }

    /** Hands a message that arrived from {@code src} to the receive matching; copies {@code payload}. */
    protected final void deliver(int src, long tag, ByteBuffer payload) {
        mailbox.deliver(src, tag, payload);
    }

    /** Hands over a message whose array the mailbox may keep. */
    protected final void deliverOwned(int src, long tag, byte[] payload) {
        mailbox.deliverOwned(src, tag, payload);
    }

    /** Peer {@code peer} is gone: receives waiting for it fail at once with {@link io.fmi.PeerFailedException}. */
    protected final void peerFailed(int peer, Throwable cause) {
        mailbox.failPeer(peer, cause);
    }

    public final int rank() {
        return context.rank();
    }

    public final int size() {
        return context.size();
    }

    @Override
    public String name() {
        return context.channelName();
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
            mailbox.deliver(dest, OpContext.P2P_SEQ, data.view());
            return DONE;
        }
        prepare(dest, op);
        CompletableFuture<Void> f = track(transmit(dest, OpContext.P2P_SEQ, data.view(), op));
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
        if (src != rank()) {
            prepare(src, op);
        }
        return mailbox.post(src, OpContext.P2P_SEQ, data, op);
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
        PeerCollectives.allreduce(transport(op), send, recv, reduceOp, ringThresholdBytes());
    }

    @Override
    public void scan(OpContext op, Buf send, Buf recv, ReduceOp reduceOp) {
        PeerCollectives.scan(transport(op), send, recv, reduceOp);
    }

    /** Allreduce payloads from this size on use the ring algorithm (commutative operators). */
    protected int ringThresholdBytes() {
        return PeerCollectives.DEFAULT_RING_THRESHOLD_BYTES;
    }

    /** The transport view the algorithms use for one collective call. */
    protected PeerTransport transport(OpContext op) {
        return new CallTransport(op);
    }

    /**
     * Waits for a receive posted in {@link #mailbox} until the call's deadline, spinning first for
     * {@link #spinNanos()}; a receive given up on is withdrawn, so a message arriving later stays
     * queued for the next receive.
     */
    protected final void await(CompletableFuture<Void> f, OpContext op, int peer, String what, int bytes) {
        try {
            waitFor(f, op, peer, what, bytes);
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
     * the waiting threads overrides this; by default the thread spins {@link #spinNanos()}, then parks.
     */
    protected void waitFor(CompletableFuture<?> f, OpContext op, int peer, String what, int bytes) {
        Waits.await(f, op, peer, what, bytes, spinNanos());
    }

    /** How long a receive whose message has started arriving may overrun its deadline to finish. */
    private static final long CLAIM_GRACE_SECONDS = 5;

    @Override
    public void recvBlocking(OpContext op, Buf data, int src) {
        if (src != rank()) {
            prepare(src, op);
        }
        await(mailbox.post(src, OpContext.P2P_SEQ, data, op), op, src, "receive", data.byteLength());
    }

    private final class CallTransport implements PeerTransport {
        private final OpContext op;
        private List<CompletableFuture<Void>> sends;

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
            if (dest == rank()) {
                mailbox.deliver(dest, op.seq(), data.view());
                return;
            }
            PeerToPeerChannel.this.prepare(dest, op);
            CompletableFuture<Void> f = track(transmit(dest, op.seq(), data.view(), op));
            if (f.isCompletedExceptionally()) {
                if (sends == null) {
                    sends = new ArrayList<>();
                }
                sends.add(f);
            }
        }

        @Override
        public void recv(int src, Buf into) {
            if (src != rank()) {
                PeerToPeerChannel.this.prepare(src, op);
            }
            await(mailbox.post(src, op.seq(), into, op), op, src, "message", into.byteLength());
        }

        /** Posts the receive before sending, so the incoming message streams into {@code in} meanwhile. */
        @Override
        public void sendRecv(int dest, Buf out, int src, Buf in) {
            if (src != rank()) {
                PeerToPeerChannel.this.prepare(src, op);
            }
            CompletableFuture<Void> r = mailbox.post(src, op.seq(), in, op);
            try {
                send(dest, out);
            } catch (RuntimeException e) {
                mailbox.withdraw(r);
                throw e;
            }
            await(r, op, src, "message", in.byteLength());
        }

        @Override
        public void prepare(int... peers) {
            for (int p : peers) {
                PeerToPeerChannel.this.prepare(p, op);
            }
        }

        /** Raises a send that already failed; sends still in flight were copied and need no wait. */
        @Override
        public void flush() {
            if (sends != null) {
                for (CompletableFuture<Void> f : sends) {
                    await(f, op, -1, "send", -1);
                }
                sends = null;
            }
        }
    }
}
