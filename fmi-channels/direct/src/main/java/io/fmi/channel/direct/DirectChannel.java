package io.fmi.channel.direct;

import io.fmi.ChannelException;
import io.fmi.FmiException;
import io.fmi.PeerFailedException;
import io.fmi.channel.Buf;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.Deadline;
import io.fmi.channel.IdleStrategy;
import io.fmi.channel.Mailbox;
import io.fmi.channel.OpContext;
import io.fmi.channel.PeerToPeerChannel;
import io.fmi.channel.Waits;
import io.fmi.tcpunch.HolePunchClient;
import io.fmi.tcpunch.PunchedSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Direct channel: peers exchange framed messages over TCP connections that fmi-tcpunch opens
 * through NAT (hole punching, relay as the fallback), one connection per pair of peers.
 *
 * <h2>Connections</h2>
 * A connection is opened the first time an operation needs the peer ({@link #prepare}, called
 * before every send and receive): both peers ask the rendezvous server for the pairing
 * {@code <scope>:<min rank>:<max rank>}, a name without direction, so two peers that first send to
 * each other at the same moment meet on the same connection instead of waiting on two. The
 * collective algorithms announce all the peers of a call first, so those connections open in
 * parallel; with {@code eager_connect} the first operation opens all of them. Sends issued while
 * the connection opens are queued in order (already copied) and written when it is up. fmi-tcpunch
 * opens and authenticates the connection on its (Netty) event loops and hands it over as a plain
 * {@code java.nio} socket ({@link HolePunchClient#connectSocket}), with the bytes it read past its
 * handshake; from then on this channel alone drives the socket.
 *
 * <h2>Wire format</h2>
 * {@link FrameCodec} draws it: each peer first writes a preface naming the protocol version, its
 * rank and its communicator's size; a peer whose version or size differs is refused with a
 * {@link ChannelException} that names both versions (or sizes), the peer and the channel. Then each
 * message is one frame: a 24-byte header (payload length, type, tag = the operation's sequence
 * number, and fields reserved for later versions) and the payload. The receiver matches frames by
 * (source, tag); a length that differs from the posted receive fails that receive and keeps the
 * message.
 *
 * <h2>Hot path</h2>
 * The threads that wait do the I/O ({@link DirectIo}): a receiving thread blocks in the selector
 * of this channel's sockets itself, so a message costs one wake-up, as with a blocking socket,
 * rather than an event loop's wake-up and then the receiver's. A sender writes its frame to the
 * socket itself. A received frame that lies in one read is copied straight into the posted
 * receive buffer; a larger one streams into it read by read ({@link Mailbox#claim}).
 * {@code TCP_NODELAY} is set. A waiting thread polls its sockets before it blocks while its
 * {@link IdleStrategy} says so ({@code idle_strategy}; by default
 * {@linkplain IdleStrategy#adaptive() while the process has a core of its own}).
 *
 * <h2>Failures</h2>
 * When a connection ends (EOF, RST, protocol error) every receive waiting on that peer fails at
 * once with {@link io.fmi.PeerFailedException}; so does every later receive that finds no message
 * already queued. A peer that closes or aborts its communicator says so first (a control frame),
 * so the error says why. A peer refused for its preface fails every operation with it the same
 * way, with a {@link ChannelException} instead: it is alive, but cannot be talked to.
 *
 * <h2>Threads and ownership</h2>
 * Thread-safe. The event loops that open connections are shared by all Direct channels of the JVM
 * ({@link SharedEventLoops}); this channel holds a reference from its first connection to
 * {@link #close()}. Its own I/O runs on the threads waiting for it, and on one background thread
 * for receives and writes nobody waits for. Completion of a caller's future never runs user code
 * here (the communicator completes caller futures on its own pool). {@link #close()} says goodbye
 * to each peer, writes what is queued (bounded wait), closes the sockets and stops the thread.
 */
public final class DirectChannel extends PeerToPeerChannel {
    private static final Logger log = LoggerFactory.getLogger(DirectChannel.class);
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_PAIRING_BYTES = 200;

    private final DirectOptions options;
    private final String prefix;
    private final Link[] links;
    private final DirectIo io;
    private final Object lifecycle = new Object();
    private SharedEventLoops.Lease lease; // guarded by lifecycle
    private HolePunchClient client; // guarded by lifecycle
    private volatile boolean closed;
    private volatile boolean eagerStarted;
    private final DirectIo.Events events = new DirectIo.Events() {
        @Override
        public void onMessage(int src, long tag, ByteBuffer payload) {
            if (log.isTraceEnabled()) {
                log.trace("{} rank {} -> here: {} bytes, tag {}", prefix, src, payload.remaining(), tag);
            }
            deliver(src, ContextTags.comm(tag), ContextTags.seq(tag), payload);
        }

        @Override
        public void onGoodbye(int src, String abortReason) {
            links[src].farewell = abortReason == null ? "it closed its communicator" : "it aborted: " + abortReason;
        }

        @Override
        public Mailbox.Claim claim(int src, long tag, int length) {
            return mailbox.claim(src, ContextTags.comm(tag), ContextTags.seq(tag), length);
        }

        @Override
        public Throwable onConnectionLost(int peer, String protocolError, boolean refused, boolean prefaceReceived,
                                          Throwable cause) {
            return DirectChannel.this.onConnectionLost(peer, protocolError, refused, prefaceReceived, cause);
        }
    };

    /** Per peer: the connection, or the attempt to open it and the sends waiting for it. */
    private static final class Link {
        final int peer;
        volatile DirectIo.Conn conn;
        CompletableFuture<PunchedSocket> attempt; // guarded by this
        List<Pending> pending; // guarded by this
        String lost; // guarded by this; why the connection ended
        Throwable lostCause; // guarded by this
        volatile String farewell; // what the peer said before closing (BYE / ABORT)
        volatile String refusal; // why its preface was refused (another version or size); then also in lost

        Link(int peer) {
            this.peer = peer;
        }
    }

    /** A send issued before its connection was up: the message, copied. */
    private static final class Pending {
        final DirectIo.Queued message;
        final CompletableFuture<Void> done;
        final OpContext op;

        Pending(DirectIo.Queued message, CompletableFuture<Void> done, OpContext op) {
            this.message = message;
            this.done = done;
            this.op = op;
        }
    }

    /** Creates the channel; does no network I/O (connections open on first use). */
    public DirectChannel(ChannelContext context, DirectOptions options) {
        super(context);
        this.options = options;
        this.prefix = context.logPrefix();
        this.links = new Link[context.size()];
        for (int i = 0; i < links.length; i++) {
            links[i] = new Link(i);
        }
        try {
            this.io = new DirectIo(prefix, "fmi-direct-io-" + context.rank(), events, idleStrategy());
        } catch (IOException e) {
            throw new ChannelException("Direct channel: cannot open a selector: " + e.getMessage(), e);
        }
        log.debug("{} created: {}", prefix, options);
    }

    public DirectOptions options() {
        return options;
    }

    /**
     * {@link IdleStrategy#adaptive()}: poll while this process has a core of its own. The older
     * {@code spin_us} key, when given, polls for that long and yields the core between polls.
     */
    @Override
    protected IdleStrategy defaultIdleStrategy() {
        return context.backend().has("spin_us")
                ? IdleStrategy.backoff(0, Integer.MAX_VALUE, Duration.ofNanos(options.spinNanos()))
                : IdleStrategy.adaptive();
    }

    // ---------------------------------------------------------------- connections

    @Override
    protected void prepare(int peer, OpContext op) {
        if (peer == rank() || closed) {
            return;
        }
        Link l = links[peer];
        if (l.conn != null) {
            return;
        }
        if (options.eagerConnect() && !eagerStarted) {
            eagerStarted = true;
            for (Link other : links) {
                if (other.peer != rank()) {
                    startConnect(other, op);
                }
            }
        }
        startConnect(l, op);
    }

    private void startConnect(Link l, OpContext op) {
        synchronized (l) {
            if (l.conn != null || l.attempt != null || l.lost != null || closed) {
                return;
            }
            HolePunchClient c = client(op);
            String pairing = pairingName(l.peer);
            long start = System.nanoTime();
            log.debug("{} connecting to rank {} (pairing {})", prefix, l.peer, pairing);
            CompletableFuture<PunchedSocket> f = c.connectSocket(pairing, Integer.toString(rank()), Integer.toString(l.peer),
                    options.connectTimeout());
            l.attempt = f;
            f.whenComplete((conn, err) -> connectDone(l, conn, err, start));
        }
    }

    private HolePunchClient client(OpContext op) {
        synchronized (lifecycle) {
            if (client == null) {
                InetSocketAddress s = options.server();
                InetSocketAddress resolved = new InetSocketAddress(s.getHostString(), s.getPort());
                if (resolved.isUnresolved()) {
                    throw new ChannelException(op.label() + ": cannot resolve the rendezvous server " + s.getHostString()
                            + " (backends.Direct.host) " + op.where(), null, true);
                }
                lease = SharedEventLoops.acquire(options.ioThreads());
                client = HolePunchClient.builder()
                        .server(resolved)
                        .secret(options.secret())
                        .eventLoopGroup(lease.group())
                        .callbackExecutor(Runnable::run) // our callbacks only touch our own state, never block
                        .directTimeout(options.punchTimeout())
                        .mappingProbe(options.natProbe())
                        .relay(options.relay())
                        .build();
                log.debug("{} connecting through {} shared event loops, rendezvous server {}", prefix, options.ioThreads(), resolved);
            }
            return client;
        }
    }

    /** {@code <scope>:<min>:<max>}, hashed when the scope is too long for the server. */
    private String pairingName(int peer) {
        String pair = ":" + Math.min(rank(), peer) + ":" + Math.max(rank(), peer);
        String name = context.scope() + pair;
        if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_PAIRING_BYTES) {
            return name;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(context.scope().getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("sha256-");
            for (byte b : h) {
                sb.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
            }
            return sb.append(pair).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private void connectDone(Link l, PunchedSocket conn, Throwable err, long startNanos) {
        if (err == null) {
            log.debug("{} connected to rank {} via {} in {} ms", prefix, l.peer, conn.path(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            takeOver(l, conn);
            return;
        }
        List<Pending> failed;
        synchronized (l) {
            l.attempt = null;
            failed = l.conn == null ? drain(l) : null;
        }
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (!closed) {
            log.debug("{} connection to rank {} failed: {}", prefix, l.peer, cause.toString());
        }
        if (failed != null) {
            for (Pending p : failed) {
                p.done.completeExceptionally(new ChannelException(p.op.label() + ": cannot connect to rank " + l.peer
                        + " within " + options.connectTimeout().toMillis() + " ms (backends.Direct.max_timeout): "
                        + cause.getMessage() + " " + p.op.where(), cause, true));
            }
        }
    }

    /** fmi-tcpunch handed the connection over: this channel's I/O owns the socket from now on. */
    private void takeOver(Link l, PunchedSocket conn) {
        SocketChannel socket = conn.socket();
        ByteBuffer initial = conn.received();
        List<Pending> pending;
        synchronized (l) {
            l.attempt = null;
            if (closed) {
                pending = drain(l);
                closeQuietly(socket);
            } else {
                pending = l.pending != null ? l.pending : List.of();
                l.pending = null;
                List<DirectIo.Queued> queued = new ArrayList<>(pending.size());
                for (Pending p : pending) {
                    queued.add(p.message);
                }
                l.conn = io.add(l.peer, socket, new FrameCodec(events, l.peer, size(), options.maxMessageBytes()),
                        FrameCodec.preface(rank(), size()), initial, queued);
            }
        }
        if (pending != null) {
            for (Pending p : pending) {
                if (closed) {
                    p.done.completeExceptionally(p.op.error("send to rank " + l.peer + " abandoned: the channel is closed"));
                } else {
                    p.done.complete(null); // copied and queued in order
                }
            }
        }
    }

    private static void closeQuietly(SocketChannel s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to lose
        }
    }

    private static List<Pending> drain(Link l) {
        List<Pending> out = l.pending;
        l.pending = null;
        return out;
    }

    // ---------------------------------------------------------------- sending

    @Override
    protected CompletableFuture<Void> transmit(int dest, int comm, long seq, ByteBuffer data, OpContext op) {
        long tag = ContextTags.tag(comm, seq);
        Link l = links[dest];
        DirectIo.Conn c = l.conn;
        if (c == null) {
            return transmitBeforeConnected(l, dest, tag, data, op);
        }
        if (log.isTraceEnabled()) {
            log.trace("{} {} -> rank {}: {} bytes, tag {}", prefix, op.label(), dest, data.remaining(), tag);
        }
        CompletableFuture<Void> f = io.send(c, FrameCodec.DATA, tag, data, op.deadline());
        if (f == null) {
            return CompletableFuture.failedFuture(sendFailure(l, op, null));
        }
        if (!f.isDone()) {
            return f.handle((v, t) -> {
                if (t != null) {
                    throw new java.util.concurrent.CompletionException(sendFailure(l, op, t));
                }
                return null;
            });
        }
        return f;
    }

    /**
     * The rare path of {@link #transmit}, kept out of line so that the hot path stays small enough
     * to inline: the connection is not up (yet), so the message is copied and queued.
     */
    private CompletableFuture<Void> transmitBeforeConnected(Link l, int dest, long tag, ByteBuffer data, OpContext op) {
        DirectIo.Conn c;
        synchronized (l) {
            c = l.conn;
            if (c == null) {
                if (l.lost != null || closed) {
                    return CompletableFuture.failedFuture(sendFailure(l, op, null));
                }
                CompletableFuture<Void> done = new CompletableFuture<>();
                if (l.pending == null) {
                    l.pending = new ArrayList<>();
                }
                byte[] copy = new byte[data.remaining()];
                data.duplicate().get(copy);
                l.pending.add(new Pending(new DirectIo.Queued(tag, copy), done, op));
                if (l.attempt == null) {
                    // Nobody called prepare (or a previous attempt failed): connect now.
                    CompletableFuture.runAsync(() -> prepare(dest, op), Runnable::run);
                }
                return done;
            }
        }
        return transmit(dest, ContextTags.comm(tag), ContextTags.seq(tag), data, op); // it came up meanwhile
    }

    private FmiException sendFailure(Link l, OpContext op, Throwable writeCause) {
        if (closed) {
            return op.error("send to rank " + l.peer + " failed: the channel is closed");
        }
        String why;
        Throwable cause;
        synchronized (l) {
            why = l.lost;
            cause = l.lostCause;
        }
        if (l.refusal != null) {
            return refused(op, l.refusal, writeCause);
        }
        if (why != null) {
            return op.peerFailed(op.channel().rankOf(l.peer), why, cause != null ? cause : writeCause);
        }
        return new ChannelException(op.label() + ": send to rank " + l.peer + " failed: " + writeCause + " " + op.where(), writeCause);
    }

    // ---------------------------------------------------------------- receiving

    /** Blocking waits drive this channel's I/O on the waiting thread. */
    @Override
    protected void waitFor(CompletableFuture<?> f, OpContext op, int peer, String what, int bytes) {
        io.await(f, System.nanoTime() + op.deadline().remainingNanos() + Waits.GRACE_NANOS);
        try {
            Waits.outcome(f, op, peer, what, bytes);
        } catch (PeerFailedException e) {
            throw refusedOr(e, op);
        }
    }

    /**
     * A receive nobody waits for (yet) makes progress on the background thread. Its future is a
     * dependent one (a peer refused meanwhile turns into a {@link ChannelException}); it takes the
     * place of the completion callback that tells the background thread the receive is done.
     */
    @Override
    public CompletableFuture<Void> recv(OpContext op, Buf data, int src) {
        CompletableFuture<Void> f = super.recv(op, data, src); // calls unattended(f) when it must wait
        if (f.isDone()) {
            return f;
        }
        return f.handle((v, t) -> {
            if (t != null) {
                throw new CompletionException(
                        t instanceof PeerFailedException ? refusedOr((PeerFailedException) t, op) : t);
            }
            return null;
        });
    }

    /** A receive nobody waits for (yet), of this channel or of a sub-communicator's view of it, makes progress on the background thread. */
    @Override
    protected void unattended(CompletableFuture<?> receive) {
        io.unattendedStarted();
        receive.whenComplete((v, t) -> io.unattendedDone());
    }

    /**
     * {@code e}, or the {@link ChannelException} it stands for when its peer was refused for its
     * preface (the mailbox reports every lost peer as failed).
     */
    private RuntimeException refusedOr(PeerFailedException e, OpContext op) {
        int p = e.peer();
        String refusal = p >= 0 && p < links.length ? links[p].refusal : null;
        return refusal != null ? refused(op, refusal, e) : e;
    }

    /** The error of every operation with a peer refused for its preface: it names the peer (in {@code why}) and the channel. */
    private static ChannelException refused(OpContext op, String why, Throwable cause) {
        return new ChannelException(op.label() + ": " + why + " " + op.where(), cause);
    }

    /**
     * The connection to {@code peer} ended (EOF, I/O error {@code cause}, or a protocol error,
     * {@code refused} when it is the peer's preface); returns what a receive cut off mid-message
     * fails with.
     */
    private Throwable onConnectionLost(int peer, String protocolError, boolean refused, boolean prefaceReceived, Throwable cause) {
        Link l = links[peer];
        String why;
        synchronized (l) {
            if (cause != null && l.lostCause == null) {
                l.lostCause = cause;
            }
            if (l.lost == null) {
                String farewell = l.farewell;
                if (refused) {
                    l.refusal = protocolError;
                }
                l.lost = refused ? protocolError
                        : protocolError != null ? "protocol error on the connection from rank " + peer + ": " + protocolError
                        : farewell != null ? farewell
                        : cause != null ? "connection lost: " + cause.getMessage()
                        : prefaceReceived ? "connection closed without goodbye (process died?)"
                        : "connection closed before its Direct preface arrived (process died? or it runs an "
                                + "fmi-channel-direct from before protocol version " + FrameCodec.VERSION
                                + ", which closes on this peer's preface)";
            }
            why = l.lost;
        }
        PeerFailedException failure = new PeerFailedException(peer, "rank " + peer + " failed in the middle of a message: " + why, l.lostCause);
        if (closed) {
            return failure;
        }
        log.debug("{} rank {} failed: {}", prefix, peer, why);
        peerFailed(peer, new ChannelException("rank " + peer + ": " + why, l.lostCause));
        return failure;
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public void abort(Throwable cause) {
        String reason = String.valueOf(cause);
        if (reason.length() > 200) {
            reason = reason.substring(0, 200) + "...";
        }
        shutdown(FrameCodec.ABORT, reason, "communicator aborted");
    }

    @Override
    public void close() {
        // Sends complete once copied; let the ones still on their way reach the wire before the goodbye.
        Duration t = context.timeout();
        drainSends(t.compareTo(MAX_DRAIN) < 0 ? t : MAX_DRAIN);
        shutdown(FrameCodec.BYE, "", "communicator closed");
    }

    /** Upper bound on how long close() waits for unwritten sends. */
    private static final Duration MAX_DRAIN = Duration.ofSeconds(30);

    /**
     * Simulates this process dying: every connection is reset (SO_LINGER 0) without a goodbye. For
     * tests of peer failure.
     */
    void crash() {
        io.crash();
    }

    private void shutdown(byte type, String text, String why) {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long until = System.nanoTime() + CLOSE_WAIT_NANOS;
        Deadline goodbye = Deadline.after(Duration.ofNanos(CLOSE_WAIT_NANOS));
        int connections = 0;
        for (Link l : links) {
            List<Pending> failed;
            CompletableFuture<PunchedSocket> attempt;
            synchronized (l) {
                failed = drain(l);
                attempt = l.attempt;
                l.attempt = null;
            }
            if (attempt != null) {
                attempt.cancel(false);
            }
            if (failed != null) {
                for (Pending p : failed) {
                    p.done.completeExceptionally(p.op.error("send to rank " + l.peer + " abandoned: " + why));
                }
            }
            DirectIo.Conn c = l.conn;
            if (c != null && !c.dead()) {
                connections++;
                io.send(c, type, 0, FrameCodec.controlPayload(text), goodbye);
            }
        }
        if (!io.flush(until)) {
            log.debug("{} closing with frames not yet written after {} ms", prefix, TimeUnit.NANOSECONDS.toMillis(CLOSE_WAIT_NANOS));
        }
        mailbox.close(why);
        io.close();
        HolePunchClient c;
        SharedEventLoops.Lease le;
        synchronized (lifecycle) {
            c = client;
            le = lease;
            client = null;
            lease = null;
        }
        if (c != null) {
            c.close();
        }
        if (le != null) {
            le.release();
        }
        log.debug("{} {} ({} connections)", prefix, why, connections);
    }
}
