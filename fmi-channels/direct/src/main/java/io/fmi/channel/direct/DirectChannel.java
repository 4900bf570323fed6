package io.fmi.channel.direct;

import io.fmi.ChannelException;
import io.fmi.FmiException;
import io.fmi.FmiTimeoutException;
import io.fmi.PeerFailedException;
import io.fmi.channel.Buf;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.Deadline;
import io.fmi.channel.IdleStrategy;
import io.fmi.channel.Mailbox;
import io.fmi.channel.OpCodes;
import io.fmi.channel.OpContext;
import io.fmi.channel.PeerToPeerChannel;
import io.fmi.channel.Waits;
import io.fmi.tcpunch.HolePunchClient;
import io.fmi.tcpunch.PunchException;
import io.fmi.tcpunch.PunchedSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Direct channel: peers exchange framed messages over TCP connections that fmi-tcpunch opens
 * through NAT (hole punching, relay as the fallback), one connection per pair of peers.
 *
 * <h2>Connections</h2>
 * A connection is opened the first time an operation needs the peer ({@link #prepare}, called
 * before every send and receive), within that operation's deadline: both peers ask the rendezvous
 * server for the pairing {@code <scope>:<min rank>:<max rank>}, a name without direction, so two
 * peers that first send to each other at the same moment meet on the same connection instead of
 * waiting on two. The collective algorithms announce all the peers of a call first, so those
 * connections open in parallel; with {@code eager_connect} the first operation opens all of them.
 * fmi-tcpunch opens and authenticates the connection on its (Netty) event loops and hands it over
 * as a plain {@code java.nio} socket ({@link HolePunchClient#connectSocket}), with the bytes it
 * read past its handshake; from then on this channel alone drives the socket.
 *
 * <h2>When a connection cannot be opened</h2>
 * The cause is named at once, never left to the deadline: a wrong secret, a duplicate registration
 * (another job with this name and run id) or any other refusal fails every operation with that
 * peer, now and later, with a {@link ChannelException} naming the server, the cause and the
 * setting that fixes it. An unreachable or full server is retried ({@code server_retry_ms}, 5 s by
 * default, so a server restart goes unnoticed), then reported the same way, for the operations
 * waiting then; the next operation tries again. A peer that never registers is reported at the
 * operation's deadline, with what is known of its connection.
 *
 * <h2>Sending, and what is never lost silently</h2>
 * A message below {@code rendezvous_bytes} (64 KiB) is eager: the send writes it to the socket,
 * or copies it into the connection's queue (also while the connection is being opened), and
 * returns. A larger one takes the rendezvous protocol ({@link FrameCodec}): the sender announces it
 * and the payload moves, from the caller's buffer and never copied, once the receiver has posted a
 * receive of its size, straight into that receive's buffer; a blocking send returns then, a
 * non-blocking one completes then. An eager message whose connection never comes up (or is still
 * queued when {@link #close()} gives up waiting for its peer to read it) is not dropped silently:
 * {@code close()} throws an {@link FmiException} naming, per rank, how many messages and bytes
 * were not delivered and why. A send to a peer known to be unreachable or failed fails at once.
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
 * so the error says why. A peer that sends nothing, not even the heartbeat that a live peer's
 * background thread writes on an idle connection, for {@code liveness_ms} is declared failed the
 * same way (frozen, hung, or unreachable). A peer refused for its preface fails every operation
 * with it with a {@link ChannelException} instead: it is alive, but cannot be talked to. A thread
 * interrupted while it waits gets an {@link FmiException} at once, with its interrupt flag set; the
 * channel stays usable for the others.
 *
 * <h2>Threads and ownership</h2>
 * Thread-safe. The event loops that open connections are shared by all Direct channels of the JVM
 * ({@link SharedEventLoops}); this channel holds a reference from its first connection to
 * {@link #close()}. Its own I/O runs on the threads waiting for it, and on one background thread
 * for receives and writes nobody waits for, heartbeats, and the deadlines of non-blocking large
 * sends. Completion of a caller's future never runs user code here (the communicator completes
 * caller futures on its own pool). {@link #close()} says goodbye to each peer, writes what is
 * queued (bounded wait), closes the sockets and stops the thread.
 */
public final class DirectChannel extends PeerToPeerChannel {
    private static final Logger log = LoggerFactory.getLogger(DirectChannel.class);
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_PAIRING_BYTES = 200;
    /** Upper bound on how long close() waits for connections being opened and for unwritten sends. */
    private static final Duration MAX_DRAIN = Duration.ofSeconds(30);
    /** Shortest connection attempt: an operation whose deadline has (nearly) passed still gets a named failure. */
    private static final Duration MIN_CONNECT = Duration.ofMillis(1);
    /**
     * The "deadline" of control frames (ANNOUNCE, CLEAR_TO_SEND, goodbyes): they are small, so a
     * socket that does not take them at once gets a copy, never a wait.
     */
    private static final Deadline CONTROL = Deadline.after(Duration.ofDays(365));
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** Large send states; guarded by its link. */
    private static final int WAITING = 0;
    private static final int ANNOUNCED = 1;
    private static final int SENDING = 2;
    private static final int ENDED = 3;

    private final DirectOptions options;
    private final String prefix;
    private final Link[] links;
    private final DirectIo io;
    private final Object lifecycle = new Object();
    private SharedEventLoops.Lease lease; // guarded by lifecycle
    private HolePunchClient client; // guarded by lifecycle
    private volatile boolean closed;
    private volatile boolean eagerStarted;
    /** Large sends not finished, for the background thread's deadline checks. */
    private final AtomicInteger largeInFlight = new AtomicInteger();
    /** Messages accepted (their send returned) that never reached their peer, per rank; guarded by itself. */
    private final Map<Integer, Undelivered> undelivered = new TreeMap<>();

    private final DirectIo.Events events = new DirectIo.Events() {
        @Override
        public void onMessage(int src, long tag, ByteBuffer payload) {
            onMessage(src, tag, OpCodes.UNKNOWN, OpCodes.NO_ROOT, payload);
        }

        @Override
        public void onMessage(int src, long tag, int code, int root, ByteBuffer payload) {
            if (log.isTraceEnabled()) {
                log.trace("{} rank {} -> here: {} bytes, tag {}, op {}", prefix, src, payload.remaining(), tag, code);
            }
            deliver(src, ContextTags.comm(tag), ContextTags.seq(tag), code, root, payload);
        }

        @Override
        public void onGoodbye(int src, String abortReason) {
            links[src].farewell = abortReason == null ? "it closed its communicator" : "it aborted: " + abortReason;
            links[src].origin = originOf(abortReason);
        }

        @Override
        public Mailbox.Claim claim(int src, long tag, int length) {
            return mailbox.claim(src, ContextTags.comm(tag), ContextTags.seq(tag), length);
        }

        @Override
        public Mailbox.Claim claim(int src, long tag, int code, int root, int length) {
            return mailbox.claim(src, ContextTags.comm(tag), ContextTags.seq(tag), code, root, length);
        }

        @Override
        public void onAnnounce(int src, long tag, long id, int size, boolean withdrawn) {
            announced(src, tag, OpCodes.UNKNOWN, OpCodes.NO_ROOT, id, size, withdrawn);
        }

        @Override
        public void onAnnounce(int src, long tag, int code, int root, long id, int size, boolean withdrawn) {
            announced(src, tag, code, root, id, size, withdrawn);
        }

        @Override
        public void onClearToSend(int src, long id) {
            clearedToSend(src, id);
        }

        @Override
        public Mailbox.Claim claimAnnounced(int src, long id, int length) {
            return DirectChannel.this.claimAnnounced(src, id, length);
        }

        @Override
        public Throwable onConnectionLost(int peer, String protocolError, boolean refused, boolean prefaceReceived,
                                          Throwable cause) {
            return DirectChannel.this.onConnectionLost(peer, protocolError, refused, prefaceReceived, cause);
        }

        @Override
        public void onOpen(DirectIo.Conn c) {
            opened(c);
        }

        @Override
        public void onTick() {
            expireUnattendedLargeSends();
        }
    };

    /** Per peer: the connection, or the attempt to open it and the sends waiting for it. */
    private static final class Link {
        final int peer;
        volatile DirectIo.Conn conn;
        CompletableFuture<PunchedSocket> attempt; // guarded by this
        CompletableFuture<?> settled; // guarded by this; completes once the attempt's outcome is handled
        List<Pending> pending; // guarded by this; eager messages sent before the connection was up
        final ArrayDeque<LargeSend> waitingLarge = new ArrayDeque<>(); // guarded by this; until the connection opens
        final Map<Long, LargeSend> announced = new HashMap<>(); // guarded by this; ours, not cleared yet
        final Map<Long, Incoming> incoming = new HashMap<>(); // guarded by this; the peer's, until their DATA
        long nextAnnouncement; // guarded by this
        String lost; // guarded by this; why the connection ended (or could not be opened for good)
        Throwable lostCause; // guarded by this
        String lastConnectProblem; // guarded by this; why the last attempt failed
        volatile String farewell; // what the peer said before closing (BYE / ABORT)
        /** The rank whose failure made the peer abort, as its ABORT said ({@link #THROUGH}), or -1. */
        volatile int origin = -1;
        /**
         * Why every operation with this peer fails with a {@link ChannelException}: its preface was
         * refused (another version or size), or its connection could not be opened for good.
         */
        volatile String refusal;

        Link(int peer) {
            this.peer = peer;
        }
    }

    /** An eager send issued before its connection was up: the message, copied (below {@code rendezvous_bytes}). */
    private static final class Pending {
        final long tag;
        /** Op code and root ({@link FrameCodec#meta}). */
        final long meta;
        final byte[] payload;
        final CompletableFuture<Void> done;
        final OpContext op;

        Pending(long tag, long meta, byte[] payload, CompletableFuture<Void> done, OpContext op) {
            this.tag = tag;
            this.meta = meta;
            this.payload = payload;
            this.done = done;
            this.op = op;
        }
    }

    /**
     * A send of {@code rendezvous_bytes} or more: waits for the connection to open, is announced,
     * and its payload is written from the caller's buffer once the receiver cleared it.
     */
    private static final class LargeSend {
        final Link link;
        final long tag;
        /** Op code and root ({@link FrameCodec#meta}), for the ANNOUNCE (and an eager write). */
        final long meta;
        final ByteBuffer data;
        final OpContext op;
        /** A non-blocking send: the background thread drives its I/O and enforces its deadline. */
        final boolean unattended;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int state = WAITING; // guarded by link
        long id; // guarded by link
        DirectIo.Conn conn; // guarded by link
        DirectIo.Out write; // guarded by link

        LargeSend(Link link, long tag, long meta, ByteBuffer data, OpContext op, boolean unattended) {
            this.link = link;
            this.tag = tag;
            this.meta = meta;
            this.data = data;
            this.op = op;
            this.unattended = unattended;
        }
    }

    /** The peer's announcement of a large message: queued in the mailbox until a receive takes it. */
    private final class Incoming implements Consumer<Mailbox.Claim> {
        final Link link;
        final long id;
        final long tag;
        final int size;
        Mailbox.Claim claim; // guarded by link; the receive bound to it, until its DATA arrives
        boolean withdrawn; // guarded by link

        Incoming(Link link, long id, long tag, int size) {
            this.link = link;
            this.id = id;
            this.tag = tag;
            this.size = size;
        }

        /** A receive of the right size took the announcement: ask for the payload. */
        @Override
        public void accept(Mailbox.Claim c) {
            matched(this, c);
        }
    }

    /** What never reached one peer: counts and the first reason. */
    private static final class Undelivered {
        long messages;
        long bytes;
        final String why;

        Undelivered(String why) {
            this.why = why;
        }
    }

    /** A connection that could not be opened: the cause of the failures of the operations with that peer. */
    private static final class ConnectFailure extends ChannelException {
        private static final long serialVersionUID = 1L;

        ConnectFailure(String message, Throwable cause, boolean retryable) {
            super(message, cause, retryable);
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
            this.io = new DirectIo(prefix, "fmi-direct-io-" + context.rank(), events, idleStrategy(),
                    options.liveness().toNanos());
        } catch (IOException e) {
            throw new ChannelException("Direct channel: cannot open a selector: " + e.getMessage(), e);
        }
        log.debug("{} created: {}", prefix, options);
    }

    /** The settings this channel runs with. */
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

    /** Opens the connection to {@code l}'s peer unless it is open, opening, or failed for good; within {@code op}'s deadline. */
    private void startConnect(Link l, OpContext op) {
        synchronized (l) {
            if (l.conn != null || l.attempt != null || l.lost != null || closed) {
                return;
            }
            HolePunchClient c = client(op);
            String pairing = pairingName(l.peer);
            long start = System.nanoTime();
            Duration timeout = Duration.ofNanos(Math.max(MIN_CONNECT.toNanos(), op.deadline().remainingNanos()));
            log.debug("{} connecting to rank {} (pairing {}, within {} ms)", prefix, l.peer, pairing, timeout.toMillis());
            CompletableFuture<PunchedSocket> f = c.connectSocket(pairing, Integer.toString(rank()), Integer.toString(l.peer),
                    timeout);
            l.attempt = f;
            l.settled = f.whenComplete((conn, err) -> connectDone(l, f, conn, err, start));
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
                        .serverRetryTimeout(options.serverRetry())
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

    private String server() {
        return options.server().getHostString() + ":" + options.server().getPort();
    }

    /**
     * An attempt ended. Success: the channel takes the socket over. A refusal that retrying cannot
     * cure fails every operation with the peer for good; an unreachable or full server (after its
     * retries) fails the operations waiting now; a timeout fails nothing by itself (the operations
     * that wanted the connection reach the same deadline), and its sends stay queued for a later attempt.
     */
    private void connectDone(Link l, CompletableFuture<PunchedSocket> attempt, PunchedSocket conn, Throwable err, long startNanos) {
        if (err == null) {
            log.debug("{} connected to rank {} via {} in {} ms", prefix, l.peer, conn.path(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            takeOver(l, attempt, conn);
            return;
        }
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        PunchException.Reason reason = cause instanceof PunchException ? ((PunchException) cause).reason() : null;
        if (closed || reason == PunchException.Reason.CLOSED || attempt.isCancelled()) {
            synchronized (l) {
                if (l.attempt == attempt) {
                    l.attempt = null;
                }
            }
            return; // closing: close() accounts for what waited on it
        }
        boolean timeout = reason == PunchException.Reason.TIMEOUT;
        boolean forGood = !timeout && reason != PunchException.Reason.BUSY && reason != PunchException.Reason.SERVER_UNREACHABLE;
        String why = connectFailure(l.peer, reason, cause);
        ConnectFailure failure = new ConnectFailure(why, cause, !forGood);
        List<Pending> failed = null;
        List<LargeSend> failedLarge = null;
        synchronized (l) {
            if (l.attempt == attempt) {
                l.attempt = null;
            }
            l.lastConnectProblem = why;
            if (!timeout) {
                failed = drain(l);
                failedLarge = new ArrayList<>(l.waitingLarge);
                l.waitingLarge.clear();
            }
            if (forGood && l.lost == null) {
                l.lost = why;
                l.lostCause = cause;
                l.refusal = why;
            }
        }
        log.debug("{} connection to rank {} failed{}: {}", prefix, l.peer, forGood ? " for good" : "", why);
        if (failed != null) {
            for (Pending p : failed) {
                lostMessage(p, l.peer, why);
                p.done.completeExceptionally(failure);
            }
        }
        if (failedLarge != null) {
            for (LargeSend ls : failedLarge) {
                endLarge(ls, connectFailed(ls.op, failure));
            }
        }
        if (forGood) {
            mailbox.failPeer(l.peer, failure);
        } else if (!timeout) {
            mailbox.failWaiting(l.peer, failure);
        }
    }

    /** What went wrong opening the connection to {@code peer}: the server, the cause, and the setting that fixes it. */
    private String connectFailure(int peer, PunchException.Reason reason, Throwable cause) {
        String detail = " [" + cause.getMessage() + "]";
        String cannot = "cannot connect to rank " + peer + ": ";
        if (reason == null) {
            return cannot + cause + detail;
        }
        switch (reason) {
            case AUTH_FAILED:
                return cannot + "the rendezvous server " + server() + " refused this peer's secret (AUTH_FAILED): "
                        + "backends.Direct.secret, backends.Direct.secret_file or " + DirectOptions.SECRET_ENV
                        + " must hold the server's secret" + detail;
            case DUPLICATE_REGISTRATION:
                return cannot + "another job with this name and run id is running (DUPLICATE_REGISTRATION from the"
                        + " rendezvous server " + server() + " for communicator '" + context.commName() + "', run id '"
                        + context.runId() + "'): give each run of a job its own run id"
                        + " (Communicator.builder().runId(...))" + detail;
            case BUSY:
                return cannot + "the rendezvous server " + server() + " is full or shutting down (SERVER_FULL), still after"
                        + " retrying for " + options.serverRetry().toMillis() + " ms (backends.Direct.server_retry_ms);"
                        + " raise the server's limits or retry later" + detail;
            case SERVER_UNREACHABLE:
                return cannot + "the rendezvous server " + server() + " is unreachable, still after retrying for "
                        + options.serverRetry().toMillis() + " ms (backends.Direct.host and backends.Direct.port: is the"
                        + " server running there? backends.Direct.server_retry_ms)" + detail;
            case PEER_VERIFICATION_FAILED:
                return cannot + "it failed the handshake: it does not hold the same secret (backends.Direct.secret)"
                        + detail;
            case TIMEOUT:
                return "no connection to rank " + peer + " within the deadline" + (cause.getMessage().contains("did not register")
                        ? ": it did not register at the rendezvous server " + server() + " (is it running, with the same"
                        + " communicator name, run id and server?)" : "") + detail;
            default:
                return cannot + "the rendezvous server " + server() + " refused" + detail;
        }
    }

    /** fmi-tcpunch handed the connection over: this channel's I/O owns the socket from now on. */
    private void takeOver(Link l, CompletableFuture<PunchedSocket> attempt, PunchedSocket conn) {
        SocketChannel socket = conn.socket();
        ByteBuffer initial = conn.received();
        List<Pending> abandoned = null;
        synchronized (l) {
            if (l.attempt == attempt) {
                l.attempt = null;
            }
            if (closed || l.conn != null) {
                closeQuietly(socket);
                return; // close() accounts for the messages that waited
            }
            List<Pending> pending = l.pending != null ? l.pending : List.of();
            l.pending = null;
            List<DirectIo.Queued> queued = new ArrayList<>(pending.size());
            for (Pending p : pending) {
                queued.add(new DirectIo.Queued(p.tag, p.meta, p.payload));
            }
            l.conn = io.add(l.peer, socket, new FrameCodec(events, l.peer, size(), options.maxMessageBytes()),
                    FrameCodec.preface(rank(), size()), initial, queued);
            abandoned = pending;
        }
        for (Pending p : abandoned) {
            p.done.complete(null); // copied and queued in order
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

    /**
     * A point-to-point message whose send returned will not reach {@code peer}: {@link #close()}
     * reports it. A collective's message is not listed: the collective fails on the peer that
     * misses it, and the connection's failure fails this peer's next operation with it.
     */
    private void lostMessage(Pending p, int peer, String why) {
        if (ContextTags.seq(p.tag) == OpContext.P2P_SEQ) {
            lostMessages(peer, 1, p.payload.length, why);
        }
    }

    private void lostMessages(int peer, long messages, long bytes, String why) {
        synchronized (undelivered) {
            Undelivered u = undelivered.computeIfAbsent(peer, p -> new Undelivered(why));
            u.messages += messages;
            u.bytes += bytes;
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * Point-to-point, non-blocking, of this channel's communicator or a sub-communicator's: a large
     * message completes once written into the receiver's posted buffer.
     */
    @Override
    protected CompletableFuture<Void> sendPointToPoint(int dest, int comm, ByteBuffer data, OpContext op) {
        if (data.remaining() >= options.rendezvousBytes()) {
            return sendLarge(dest, ContextTags.tag(comm, OpContext.P2P_SEQ), 0, data, op, true).done;
        }
        return super.sendPointToPoint(dest, comm, data, op);
    }

    /** Point-to-point, blocking: a large message returns once written into the receiver's posted buffer. */
    @Override
    public void sendBlocking(OpContext op, Buf data, int dest) {
        if (dest != rank() && data.byteLength() >= options.rendezvousBytes()) {
            prepare(dest, op);
            awaitLarge(sendLarge(dest, OpContext.P2P_SEQ, 0, data.view(), op, false), dest);
            return;
        }
        super.sendBlocking(op, data, dest);
    }

    @Override
    protected CompletableFuture<Void> transmit(int dest, int comm, long seq, ByteBuffer data, OpContext op) {
        return transmit(dest, comm, seq, OpCodes.UNKNOWN, OpCodes.NO_ROOT, data, op);
    }

    /** The frames carry the collective's code and root in the header's {@code op} and {@code root} fields. */
    @Override
    protected boolean carriesOpCodes() {
        return true;
    }

    @Override
    protected CompletableFuture<Void> transmit(int dest, int comm, long seq, int code, int root, ByteBuffer data, OpContext op) {
        long tag = ContextTags.tag(comm, seq);
        long meta = code == OpCodes.UNKNOWN ? 0 : FrameCodec.meta((byte) 0, code, root);
        Link l = links[dest];
        if (code == OpCodes.NOTICE) {
            // Only to a peer that knows notices: one that does not would take it for data (DirectIo
            // drops the notices queued for it when its preface says so).
            DirectIo.Conn c = l.conn;
            if (c != null && c.isOpen() && !c.peerSpeaks(FrameCodec.FEATURE_COLLECTIVE_CHECKS)) {
                return DONE;
            }
        }
        if (data.remaining() >= options.rendezvousBytes()) {
            return transmitLarge(l, dest, tag, meta, data, op);
        }
        DirectIo.Conn c = l.conn;
        if (c == null) {
            return transmitBeforeConnected(l, dest, tag, meta, data, op);
        }
        if (log.isTraceEnabled()) {
            log.trace("{} {} -> rank {}: {} bytes, tag {}", prefix, op.label(), dest, data.remaining(), tag);
        }
        CompletableFuture<Void> f = io.send(c, FrameCodec.DATA, meta, tag, data, op.deadline());
        if (f == null) {
            return CompletableFuture.failedFuture(sendFailure(l, op, null));
        }
        if (!f.isDone()) {
            return f.handle((v, t) -> {
                if (t != null) {
                    throw new CompletionException(sendFailure(l, op, t));
                }
                return null;
            });
        }
        return f;
    }

    /** A collective's large message: announced, then written once cleared; returns when written (or failed). */
    private CompletableFuture<Void> transmitLarge(Link l, int dest, long tag, long meta, ByteBuffer data, OpContext op) {
        try {
            awaitLarge(sendLarge(dest, tag, meta, data, op, false), dest);
            return DONE;
        } catch (FmiException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The rare path of {@link #transmit}, kept out of line so that the hot path stays small enough
     * to inline: the connection is not up (yet), so the message (below {@code rendezvous_bytes}) is
     * copied and queued.
     */
    private CompletableFuture<Void> transmitBeforeConnected(Link l, int dest, long tag, long meta, ByteBuffer data, OpContext op) {
        boolean connect;
        CompletableFuture<Void> done;
        synchronized (l) {
            if (l.conn != null) {
                done = null;
                connect = false;
            } else {
                if (l.lost != null || closed) {
                    return CompletableFuture.failedFuture(sendFailure(l, op, null));
                }
                done = new CompletableFuture<>();
                if (l.pending == null) {
                    l.pending = new ArrayList<>();
                }
                byte[] copy = new byte[data.remaining()];
                data.duplicate().get(copy);
                l.pending.add(new Pending(tag, meta, copy, done, op));
                connect = l.attempt == null; // nobody called prepare, or the last attempt timed out
            }
        }
        if (done == null) {
            return transmit(dest, ContextTags.comm(tag), ContextTags.seq(tag), (int) (meta >>> 8) & 0xFF, (int) (meta >> 16),
                    data, op); // it came up meanwhile
        }
        if (connect) {
            startConnect(l, op);
        }
        return done;
    }

    /** The rank to name in errors about channel rank {@code peer}: its rank in the communicator of {@code op}. */
    private static int named(OpContext op, int peer) {
        int r = op.channel().rankOf(peer);
        return r >= 0 ? r : peer;
    }

    private FmiException sendFailure(Link l, OpContext op, Throwable writeCause) {
        if (closed) {
            return op.error("send to rank " + named(op, l.peer) + " failed: the channel is closed");
        }
        String why;
        Throwable cause;
        synchronized (l) {
            why = l.lost;
            cause = l.lostCause;
        }
        if (l.refusal != null) {
            return refused(op, l.refusal, cause != null ? cause : writeCause);
        }
        if (why != null) {
            return op.peerFailed(op.channel().rankOf(l.peer), why, departure(l, cause != null ? cause : writeCause));
        }
        if (writeCause instanceof FmiException) {
            return (FmiException) writeCause;
        }
        return new ChannelException(op.label() + ": send to rank " + named(op, l.peer) + " failed: " + writeCause + " " + op.where(), writeCause);
    }

    // ---------------------------------------------------------------- large messages (rendezvous)

    /**
     * Starts a large send: announced as soon as the connection is open (opened first if need be),
     * its payload written from {@code data} once the receiver clears it. Never copies {@code data}
     * (except the unwritten rest when a blocking sender's deadline passes mid-write).
     */
    private LargeSend sendLarge(int dest, long tag, long meta, ByteBuffer data, OpContext op, boolean unattended) {
        Link l = links[dest];
        LargeSend ls = new LargeSend(l, tag, meta, data, op, unattended);
        largeInFlight.incrementAndGet();
        if (unattended) {
            io.unattendedStarted();
        }
        DirectIo.Conn c;
        boolean connect = false;
        FmiException failure = null;
        synchronized (l) {
            c = l.conn;
            if (closed || l.lost != null || (c != null && c.dead())) {
                failure = sendFailure(l, op, null);
            } else if (c == null || !c.isOpen()) {
                l.waitingLarge.add(ls);
                connect = c == null && l.attempt == null;
                c = null;
            }
        }
        if (failure != null) {
            endLarge(ls, failure);
        } else if (c != null) {
            startLarge(ls, c);
        } else if (connect) {
            startConnect(l, op);
        }
        return ls;
    }

    /** The connection to {@code c}'s peer opened: the large sends waiting for it start. Driving thread. */
    private void opened(DirectIo.Conn c) {
        Link l = links[c.peer];
        List<LargeSend> go;
        synchronized (l) {
            if (l.waitingLarge.isEmpty()) {
                return;
            }
            go = new ArrayList<>(l.waitingLarge);
            l.waitingLarge.clear();
        }
        for (LargeSend ls : go) {
            startLarge(ls, c);
        }
    }

    /** Announces {@code ls} on the open connection {@code c} (or, to a peer without the rendezvous protocol, writes it eagerly). */
    private void startLarge(LargeSend ls, DirectIo.Conn c) {
        Link l = ls.link;
        int size = ls.data.remaining();
        if (!c.peerSpeaks(FrameCodec.FEATURE_RENDEZVOUS)) {
            DirectIo.Out w;
            synchronized (l) {
                if (ls.state != WAITING) {
                    return;
                }
                ls.state = SENDING;
                ls.conn = c;
                w = io.sendBorrowed(c, FrameCodec.DATA, ls.meta, ls.tag, ls.data);
                ls.write = w;
            }
            written(ls, w);
            return;
        }
        synchronized (l) {
            if (ls.state != WAITING) {
                return; // expired meanwhile
            }
            ls.id = l.nextAnnouncement++;
            ls.state = ANNOUNCED;
            ls.conn = c;
            l.announced.put(ls.id, ls);
        }
        if (log.isTraceEnabled()) {
            log.trace("{} {} -> rank {}: announcing {} bytes, tag {}, id {}", prefix, ls.op.label(), l.peer, size, ls.tag, ls.id);
        }
        if (io.send(c, FrameCodec.ANNOUNCE, ls.meta, ls.tag, FrameCodec.announcePayload(ls.id, size), CONTROL) == null) {
            synchronized (l) {
                if (l.announced.remove(ls.id) == null) {
                    return; // the connection's loss failed it
                }
            }
            endLarge(ls, sendFailure(l, ls.op, new IOException("connection lost")));
        }
    }

    /** The peer cleared announcement {@code id}: its payload goes, from the sender's buffer. Driving thread. */
    private void clearedToSend(int src, long id) {
        Link l = links[src];
        LargeSend ls;
        DirectIo.Out w;
        synchronized (l) {
            ls = l.announced.remove(id);
            if (ls == null) {
                return; // withdrawn meanwhile: the peer learns it from the withdrawal
            }
            ls.state = SENDING;
            w = io.sendBorrowed(ls.conn, FrameCodec.DATA, FrameCodec.FLAG_RENDEZVOUS, id, ls.data);
            ls.write = w;
        }
        written(ls, w);
    }

    private void written(LargeSend ls, DirectIo.Out w) {
        if (w == null) {
            endLarge(ls, sendFailure(ls.link, ls.op, new IOException("connection lost")));
        } else if (w.done().isDone()) {
            endLarge(ls, w.done().isCompletedExceptionally() ? sendFailure(ls.link, ls.op, failureOf(w.done())) : null);
        } else {
            w.done().whenComplete((v, t) -> endLarge(ls, t == null ? null : sendFailure(ls.link, ls.op, t)));
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        try {
            f.getNow(null);
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    /** Completes {@code ls} (once): {@code failure} null means written. */
    private void endLarge(LargeSend ls, Throwable failure) {
        synchronized (ls.link) {
            if (ls.state == ENDED) {
                return;
            }
            ls.state = ENDED;
        }
        finishLarge(ls, failure);
    }

    /** Completes {@code ls}, whose state its caller set to {@link #ENDED}. */
    private void finishLarge(LargeSend ls, Throwable failure) {
        largeInFlight.decrementAndGet();
        if (ls.unattended) {
            io.unattendedDone();
        }
        if (failure == null) {
            ls.done.complete(null);
        } else {
            ls.done.completeExceptionally(failure);
        }
    }

    /**
     * Waits, driving the I/O, until {@code ls} is written or its deadline passes (or this thread is
     * interrupted); then a message not cleared yet is withdrawn and the send fails, and one already
     * moving is finished from a copy of its rest, the send complete.
     */
    private void awaitLarge(LargeSend ls, int dest) {
        io.await(ls.done, System.nanoTime() + ls.op.deadline().remainingNanos());
        if (!ls.done.isDone()) {
            expire(ls, Thread.currentThread().isInterrupted());
            if (!ls.done.isDone()) {
                return; // its payload was moving: the rest is copied, the I/O writes it
            }
        }
        Waits.outcome(ls.done, ls.op, dest, "send", ls.data.remaining());
    }

    /**
     * {@code ls} reached its deadline ({@code interrupted}: its thread was interrupted) before it
     * was written: still waiting or announced, it is withdrawn and fails; already moving, the rest
     * of its payload is copied (the caller's buffer is free) and it completes when written.
     */
    private void expire(LargeSend ls, boolean interrupted) {
        Link l = ls.link;
        boolean withdraw;
        String where;
        synchronized (l) {
            switch (ls.state) {
                case WAITING:
                    l.waitingLarge.remove(ls);
                    ls.state = ENDED;
                    withdraw = false;
                    where = l.conn == null ? noConnectionYet(l) : "its connection was not open yet";
                    break;
                case ANNOUNCED:
                    l.announced.remove(ls.id);
                    ls.state = ENDED;
                    withdraw = true;
                    where = "rank " + named(ls.op, l.peer) + " posted no receive of " + ls.data.remaining() + " bytes for it (messages of "
                            + options.rendezvousBytes() + " bytes or more move only into a posted receive:"
                            + " backends.Direct.rendezvous_bytes)";
                    break;
                case SENDING:
                    io.release(ls.conn, ls.write);
                    return;
                default:
                    return;
            }
        }
        if (withdraw) {
            io.send(ls.conn, FrameCodec.ANNOUNCE, FrameCodec.FLAG_WITHDRAW, ls.tag,
                    FrameCodec.announcePayload(ls.id, ls.data.remaining()), CONTROL);
        }
        OpContext op = ls.op;
        finishLarge(ls, interrupted
                ? op.error("interrupted while waiting to send " + ls.data.remaining() + " bytes to rank " + named(op, l.peer)
                        + "; nothing was sent")
                : new FmiTimeoutException(op.label() + ": send of " + ls.data.remaining() + " bytes to rank " + named(op, l.peer)
                        + " not complete within " + op.deadline().timeout().toMillis() + " ms: " + where + " " + op.where()));
    }

    /** Background thread: non-blocking large sends past their deadline, not yet moving, are withdrawn and fail. */
    private void expireUnattendedLargeSends() {
        if (largeInFlight.get() == 0) {
            return;
        }
        List<LargeSend> due = null;
        for (Link l : links) {
            synchronized (l) {
                for (LargeSend ls : l.waitingLarge) {
                    if (ls.unattended && ls.op.deadline().expired()) {
                        due = add(due, ls);
                    }
                }
                for (LargeSend ls : l.announced.values()) {
                    if (ls.unattended && ls.op.deadline().expired()) {
                        due = add(due, ls);
                    }
                }
            }
        }
        if (due != null) {
            for (LargeSend ls : due) {
                expire(ls, false);
            }
        }
    }

    private static <T> List<T> add(List<T> list, T item) {
        List<T> out = list != null ? list : new ArrayList<>(2);
        out.add(item);
        return out;
    }

    private static FmiException connectFailed(OpContext op, ConnectFailure failure) {
        return new ChannelException(op.label() + ": " + failure.getMessage() + " " + op.where(), failure.getCause(),
                failure.retryable());
    }

    /** The peer announced a large message (or takes one back). Driving thread. */
    private void announced(int src, long tag, int code, int root, long id, int size, boolean withdrawn) {
        Link l = links[src];
        if (!withdrawn) {
            Incoming in = new Incoming(l, id, tag, size);
            synchronized (l) {
                l.incoming.put(id, in);
            }
            mailbox.announce(src, ContextTags.comm(tag), ContextTags.seq(tag), code, root, size, in);
            return;
        }
        Incoming in;
        synchronized (l) {
            in = l.incoming.remove(id);
            if (in != null) {
                in.withdrawn = true;
            }
        }
        if (in == null || mailbox.withdrawAnnounced(src, ContextTags.comm(tag), ContextTags.seq(tag), in)) {
            return;
        }
        Mailbox.Claim c;
        synchronized (l) {
            c = in.claim;
            in.claim = null;
        }
        if (c != null) {
            c.giveBack(); // the receive took a message that will not come: it waits for the next one
        }
    }

    /** A receive took the peer's announcement: tell the peer to send. Any thread. */
    private void matched(Incoming in, Mailbox.Claim claim) {
        Link l = in.link;
        DirectIo.Conn c;
        boolean withdrawn;
        synchronized (l) {
            withdrawn = in.withdrawn;
            if (!withdrawn) {
                in.claim = claim;
            }
            c = l.conn;
        }
        if (withdrawn) {
            claim.giveBack();
            return;
        }
        if (c == null || io.send(c, FrameCodec.CLEAR_TO_SEND, 0, FrameCodec.clearToSendPayload(in.id), CONTROL) == null) {
            synchronized (l) {
                l.incoming.remove(in.id);
                in.claim = null;
            }
            String why;
            synchronized (l) {
                why = l.lost != null ? l.lost : "connection lost";
            }
            claim.fail(new PeerFailedException(l.peer, "rank " + l.peer + " failed before sending its announced message: " + why));
        }
    }

    /** The DATA of announcement {@code id} arrives: the receive bound to it. Driving thread. */
    private Mailbox.Claim claimAnnounced(int src, long id, int length) {
        Link l = links[src];
        synchronized (l) {
            Incoming in = l.incoming.get(id);
            if (in == null || in.claim == null || in.size != length) {
                return null;
            }
            l.incoming.remove(id);
            Mailbox.Claim c = in.claim;
            in.claim = null;
            return c;
        }
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
        } catch (FmiTimeoutException e) {
            throw notConnected(e, peer);
        }
    }

    /**
     * A receive nobody waits for (yet) makes progress on the background thread ({@link #unattended}).
     * Its future is a dependent one: a peer refused meanwhile turns into a {@link ChannelException},
     * a timeout before the connection opened says so.
     */
    @Override
    public CompletableFuture<Void> recv(OpContext op, Buf data, int src) {
        CompletableFuture<Void> f = super.recv(op, data, src); // calls unattended(f) when it must wait
        if (f.isDone()) {
            return f;
        }
        return f.handle((v, t) -> {
            if (t != null) {
                throw new CompletionException(t instanceof PeerFailedException ? refusedOr((PeerFailedException) t, op)
                        : t instanceof FmiTimeoutException ? notConnected((FmiTimeoutException) t, src) : t);
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
     * preface, or its connection could not be opened (the mailbox reports every lost peer as failed).
     */
    private RuntimeException refusedOr(PeerFailedException e, OpContext op) {
        if (e.getCause() instanceof ConnectFailure) {
            return connectFailed(op, (ConnectFailure) e.getCause());
        }
        int p = e.peer();
        String refusal = p >= 0 && p < links.length ? links[p].refusal : null;
        return refusal != null ? refused(op, refusal, e) : e;
    }

    /** A timeout waiting on {@code peer} while its connection is not up says so, and what is known of it. */
    private FmiTimeoutException notConnected(FmiTimeoutException e, int peer) {
        if (peer < 0 || peer >= links.length || peer == rank() || links[peer].conn != null) {
            return e;
        }
        String state;
        synchronized (links[peer]) {
            state = noConnectionYet(links[peer]);
        }
        return new FmiTimeoutException(e.getMessage() + ": " + state, e);
    }

    /** Under the link's lock: why there is no connection to its peer. */
    private String noConnectionYet(Link l) {
        return "no connection to rank " + l.peer + " yet: " + (l.lastConnectProblem != null ? l.lastConnectProblem
                : "its set-up did not complete (is rank " + l.peer + " running, with the same communicator name, run id,"
                + " rendezvous server " + server() + " and secret?)");
    }

    /** The error of every operation with a peer refused for its preface, or unreachable: it names the peer (in {@code why}) and the channel. */
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
        List<LargeSend> sends = new ArrayList<>();
        List<Mailbox.Claim> bound = new ArrayList<>();
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
                        : cause instanceof DirectIo.SilentPeerException ? cause.getMessage()
                        : cause != null ? "connection lost: " + cause.getMessage()
                        : prefaceReceived ? "connection closed without goodbye (process died?)"
                        : "connection closed before its Direct preface arrived (process died? or it runs an "
                                + "fmi-channel-direct from before protocol version " + FrameCodec.VERSION
                                + ", which closes on this peer's preface)";
            }
            why = l.lost;
            takeLarge(l, sends, bound);
        }
        PeerFailedException failure = new PeerFailedException(peer, "rank " + peer + " failed in the middle of a message: " + why, l.lostCause);
        for (LargeSend ls : sends) {
            endLarge(ls, sendFailure(l, ls.op, cause));
        }
        PeerFailedException before = new PeerFailedException(peer, "rank " + peer + " failed before sending its announced"
                + " message: " + why, l.lostCause);
        for (Mailbox.Claim c : bound) {
            c.fail(before);
        }
        if (closed) {
            return failure;
        }
        log.debug("{} rank {} failed: {}", prefix, peer, why);
        peerFailed(peer, departure(l, new ChannelException("rank " + peer + ": " + why, l.lostCause)));
        return failure;
    }

    /** How an ABORT's reason starts when the sender gives up because channel rank N failed: {@code "failed through rank N: "}. */
    private static final String THROUGH = "failed through rank ";

    /** The channel rank an ABORT's reason says the sender's failure came from, or -1. */
    static int originOf(String abortReason) {
        if (abortReason == null || !abortReason.startsWith(THROUGH)) {
            return -1;
        }
        int colon = abortReason.indexOf(':', THROUGH.length());
        try {
            return Integer.parseInt(abortReason.substring(THROUGH.length(), colon < 0 ? abortReason.length() : colon));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * What the receives waiting for the lost peer of {@code l} fail with: {@code cause}, or, when its
     * ABORT said it gave up because another rank failed, a {@link OpContext#departure departure}
     * naming that rank, so that they blame it.
     */
    private static Throwable departure(Link l, Throwable cause) {
        int origin = l.origin;
        return origin < 0 ? cause : OpContext.departure(l.peer, new PeerFailedException(origin, "rank " + origin + " failed", cause));
    }

    /**
     * Under the link's lock: takes every large message in flight with its peer out of the link,
     * this peer's sends into {@code sends} and the receives bound to the peer's announcements into
     * {@code bound}, for the caller to fail (the connection ended, or the channel closes).
     */
    private static void takeLarge(Link l, List<LargeSend> sends, List<Mailbox.Claim> bound) {
        sends.addAll(l.waitingLarge);
        l.waitingLarge.clear();
        sends.addAll(l.announced.values());
        l.announced.clear();
        for (Incoming in : l.incoming.values()) {
            if (in.claim != null) {
                bound.add(in.claim);
                in.claim = null;
            }
        }
        l.incoming.clear();
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public void abort(Throwable cause) {
        String reason = String.valueOf(cause);
        if (reason.length() > 200) {
            reason = reason.substring(0, 200) + "...";
        }
        if (cause instanceof PeerFailedException && ((PeerFailedException) cause).peer() >= 0 && ((PeerFailedException) cause).peer() != rank()) {
            // This rank gives up because another failed: the peers waiting for it are told which (see originOf).
            reason = THROUGH + ((PeerFailedException) cause).peer() + ": " + reason;
        }
        shutdown(FrameCodec.ABORT, reason, "communicator aborted", Deadline.after(Duration.ZERO));
    }

    /**
     * Says goodbye to every peer and releases everything. Before that it waits (at most the
     * communicator's timeout, and 30 s) for the connections still being opened for messages sent
     * before them, and for queued messages to be written. Throws an {@link FmiException} listing, per
     * rank, the messages that were accepted but not delivered (their connection never came up, or
     * they were still unwritten when the wait ended), after everything is released.
     */
    @Override
    public void close() {
        Duration t = context.timeout();
        Deadline drain = Deadline.after(t.compareTo(MAX_DRAIN) < 0 ? t : MAX_DRAIN);
        awaitPendingConnections(drain);
        shutdown(FrameCodec.BYE, "", "communicator closed", drain);
        String lost = describeUndelivered();
        if (lost != null) {
            throw new FmiException("close: " + lost + " " + where());
        }
    }

    /** Waits, until {@code drain}, for the attempts that messages sent before their connection wait on. */
    private void awaitPendingConnections(Deadline drain) {
        for (Link l : links) {
            CompletableFuture<?> a;
            synchronized (l) {
                a = l.pending != null && !l.pending.isEmpty() && l.attempt != null ? l.settled : null;
            }
            if (a == null) {
                continue;
            }
            try {
                a.get(drain.remainingNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException | CancellationException e) {
                // the attempt failed or is still running: its messages are reported as undelivered
            }
        }
    }

    /** "2 messages (8 bytes) to rank 1: why; ..." or null when everything was delivered. */
    private String describeUndelivered() {
        synchronized (undelivered) {
            if (undelivered.isEmpty()) {
                return null;
            }
            StringBuilder sb = new StringBuilder("messages were not delivered: ");
            String sep = "";
            for (Map.Entry<Integer, Undelivered> e : undelivered.entrySet()) {
                Undelivered u = e.getValue();
                sb.append(sep).append(u.messages).append(u.messages == 1 ? " message (" : " messages (").append(u.bytes)
                        .append(" bytes) to rank ").append(e.getKey()).append(": ").append(u.why);
                sep = "; ";
            }
            return sb.toString();
        }
    }

    private String where() {
        return "(channel=" + context.channelName() + ", comm=" + context.commName() + " rank=" + rank() + "/" + size() + ")";
    }

    /**
     * Simulates this process dying: every connection is reset (SO_LINGER 0) without a goodbye. For
     * tests of peer failure.
     */
    void crash() {
        io.crash();
    }

    private void shutdown(byte type, String text, String why, Deadline drain) {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // What is queued on open connections goes first (bounded), then the goodbye.
        if (!io.flush(System.nanoTime() + drain.remainingNanos())) {
            log.debug("{} queued messages not written within {} ms", prefix, drain.timeout().toMillis());
        }
        long until = System.nanoTime() + CLOSE_WAIT_NANOS;
        Deadline goodbye = Deadline.after(Duration.ofNanos(CLOSE_WAIT_NANOS));
        int connections = 0;
        FmiException closing = new FmiException(why);
        for (Link l : links) {
            List<Pending> failed;
            List<LargeSend> sends = new ArrayList<>();
            List<Mailbox.Claim> bound = new ArrayList<>();
            CompletableFuture<PunchedSocket> attempt;
            String reason;
            synchronized (l) {
                failed = drain(l);
                attempt = l.attempt;
                l.attempt = null;
                reason = l.lost != null ? l.lost : l.lastConnectProblem != null ? l.lastConnectProblem
                        : "its connection was still being set up (is rank " + l.peer + " running?)";
                takeLarge(l, sends, bound);
            }
            if (attempt != null) {
                attempt.cancel(false);
            }
            if (failed != null) {
                for (Pending p : failed) {
                    lostMessage(p, l.peer, reason);
                    p.done.completeExceptionally(p.op.error("send to rank " + named(p.op, l.peer) + " abandoned: " + why));
                }
            }
            for (LargeSend ls : sends) {
                endLarge(ls, ls.op.error("send of " + ls.data.remaining() + " bytes to rank " + named(ls.op, l.peer) + " abandoned: " + why));
            }
            for (Mailbox.Claim c : bound) {
                c.fail(closing);
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
        for (Map.Entry<Integer, long[]> e : io.closeCounting().entrySet()) {
            lostMessages(e.getKey(), e.getValue()[0], e.getValue()[1], "still unwritten after waiting "
                    + drain.timeout().toMillis() + " ms for rank " + e.getKey() + " to read them");
        }
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
