package io.fmi.channel.direct;

import io.fmi.ChannelException;
import io.fmi.FmiException;
import io.fmi.PeerFailedException;
import io.fmi.channel.ChannelContext;
import io.fmi.channel.Mailbox;
import io.fmi.channel.OpContext;
import io.fmi.channel.PeerToPeerChannel;
import io.fmi.tcpunch.HolePunchClient;
import io.fmi.tcpunch.PunchedConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * the connection opens are queued in order (already copied) and written when it is up.
 *
 * <h2>Wire format</h2>
 * Each message is one frame, drawn in {@link FrameReader}: a 12-byte header (payload length,
 * tag = the operation's sequence number) and the payload. The receiver matches frames by (source,
 * tag); a length that differs from the posted receive fails that receive and keeps the message.
 *
 * <h2>Hot path</h2>
 * A send copies the payload into pooled direct buffers (no fresh memory per message); with native
 * epoll, nothing of ours queued on the event loop and {@code inline_writes} switched on (it is off
 * by default, see docs/channels-direct.md), the sending thread writes the frame to the socket
 * itself, which saves a task and an event loop wake-up per message;
 * what the socket does not take at once, and every frame after it until that is written, goes
 * through the event loop, so frames never interleave. {@code TCP_NODELAY} is set. A received frame
 * that lies in one read buffer is copied straight into the posted receive buffer; a larger one
 * streams into it read by read ({@link io.fmi.channel.Mailbox#claim}). A waiting thread spins
 * {@code spin_us} before it parks. Native epoll is used where it loads (Linux x86_64 and aarch64),
 * NIO elsewhere.
 *
 * <h2>Failures</h2>
 * When a connection ends (EOF, RST, protocol error) every receive waiting on that peer fails at
 * once with {@link io.fmi.PeerFailedException}; so does every later receive that finds no message
 * already queued. A peer that closes or aborts its communicator says so first (a control frame),
 * so the error says why.
 *
 * <h2>Threads and ownership</h2>
 * Thread-safe. The event loops are shared by all Direct channels of the JVM ({@link SharedEventLoops});
 * this channel holds a reference from its first connection to {@link #close()}. Received bytes are
 * matched on the event loop; completion of a caller's future never runs user code there (the
 * communicator completes caller futures on its own pool). {@link #close()} says goodbye to each
 * peer, flushes, closes the sockets (bounded wait) and releases the event loops and buffers.
 */
public final class DirectChannel extends PeerToPeerChannel {
    private static final Logger log = LoggerFactory.getLogger(DirectChannel.class);
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_PAIRING_BYTES = 200;

    private final DirectOptions options;
    private final String prefix;
    private final Link[] links;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final Object lifecycle = new Object();
    private SharedEventLoops.Lease lease; // guarded by lifecycle
    private HolePunchClient client; // guarded by lifecycle
    private volatile boolean closed;
    private volatile boolean eagerStarted;
    private final FrameReader.Sink sink = new FrameReader.Sink() {
        @Override
        public void onFrame(int src, long tag, ByteBuffer payload) {
            DirectChannel.this.onFrame(src, tag, payload);
        }

        @Override
        public void onProtocolError(int src, String what) {
            DirectChannel.this.onProtocolError(src, what);
        }

        @Override
        public void onConnectionLost(int src, Channel ch, Throwable cause) {
            DirectChannel.this.onConnectionLost(src, ch, cause);
        }

        @Override
        public Mailbox.Claim claim(int src, long tag, int length) {
            return mailbox.claim(src, tag, length);
        }

        @Override
        public Throwable claimFailure(int src) {
            Link l = links[src];
            String why;
            Throwable cause;
            synchronized (l) {
                why = l.lost;
                cause = l.lostCause;
            }
            return new PeerFailedException(src, "rank " + src + " failed in the middle of a message: "
                    + (why != null ? why : "connection closed"), cause);
        }
    };

    /** Per peer: the connection, or the attempt to open it and the sends waiting for it. */
    private static final class Link {
        final int peer;
        volatile Channel channel;
        CompletableFuture<PunchedConnection> attempt; // guarded by this
        ArrayDeque<Pending> pending; // guarded by this
        String lost; // guarded by this; why the connection ended
        Throwable lostCause; // guarded by this
        volatile String farewell; // what the peer said before closing (BYE / ABORT)
        /** The socket, when senders may write to it themselves (native transport, nothing outbound in the pipeline). */
        volatile FileDescriptor fd;
        /** Serializes senders' own writes with hand-offs to the event loop, so frames never interleave. */
        final Object writeLock = new Object();
        /** Frames handed to the event loop and not yet written; a sender writes itself only when 0. */
        final AtomicInteger queued = new AtomicInteger();

        Link(int peer) {
            this.peer = peer;
        }
    }

    private static final class Pending {
        final ByteBuf frame;
        final CompletableFuture<Void> done;
        final OpContext op;

        Pending(ByteBuf frame, CompletableFuture<Void> done, OpContext op) {
            this.frame = frame;
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
        log.debug("{} created: {}", prefix, options);
    }

    public DirectOptions options() {
        return options;
    }

    @Override
    public long spinNanos() {
        return options.spinNanos();
    }

    // ---------------------------------------------------------------- connections

    @Override
    protected void prepare(int peer, OpContext op) {
        if (peer == rank() || closed) {
            return;
        }
        Link l = links[peer];
        if (l.channel != null) {
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
            if (l.channel != null || l.attempt != null || l.lost != null || closed) {
                return;
            }
            HolePunchClient c = client(op);
            String pairing = pairingName(l.peer);
            long start = System.nanoTime();
            log.debug("{} connecting to rank {} (pairing {})", prefix, l.peer, pairing);
            CompletableFuture<PunchedConnection> f = c.connect(pairing, Integer.toString(rank()), Integer.toString(l.peer),
                    options.connectTimeout(), ch -> attach(l, ch));
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
                lease = SharedEventLoops.acquire(options.transport(), options.ioThreads());
                client = HolePunchClient.builder()
                        .server(resolved)
                        .secret(options.secret())
                        .eventLoopGroup(lease.group())
                        .callbackExecutor(Runnable::run) // our callbacks only touch our own state, never block
                        .directTimeout(options.punchTimeout())
                        .mappingProbe(options.natProbe())
                        .relay(options.relay())
                        .build();
                log.debug("{} using {} event loops ({} threads), rendezvous server {}", prefix,
                        lease.epoll() ? "epoll" : "nio", options.ioThreads(), resolved);
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

    /** Runs on the connection's event loop, after the handshake, before any byte is read. */
    private void attach(Link l, Channel ch) {
        ch.config().setOption(ChannelOption.TCP_NODELAY, true);
        ch.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(512, 64 * 1024, 1024 * 1024));
        ch.pipeline().addLast("fmi-direct-frames", new FrameReader(sink, l.peer, options.maxMessageBytes()));
        synchronized (l) {
            if (closed) {
                ch.close();
                return;
            }
            if (l.pending != null) {
                for (Pending p : l.pending) {
                    l.queued.incrementAndGet();
                    ch.write(p.frame).addListener(writeListener(l, p.done, p.op));
                }
                l.pending = null;
                ch.flush();
            }
            if (options.inlineWrites() && ch instanceof UnixChannel && inboundOnly(ch)) {
                l.fd = ((UnixChannel) ch).fd();
            }
            l.channel = ch;
        }
    }

    /** Whether every handler of the pipeline is inbound only: then bytes written to the socket directly are the frames as sent. */
    private static boolean inboundOnly(Channel ch) {
        for (java.util.Map.Entry<String, io.netty.channel.ChannelHandler> e : ch.pipeline()) {
            if (!(e.getValue() instanceof ChannelInboundHandler) || e.getValue() instanceof io.netty.channel.ChannelOutboundHandler) {
                return false;
            }
        }
        return true;
    }

    private void connectDone(Link l, PunchedConnection conn, Throwable err, long startNanos) {
        List<Pending> failed = null;
        synchronized (l) {
            l.attempt = null;
            if (err != null && l.channel == null) {
                failed = drain(l);
            }
        }
        if (err == null) {
            log.debug("{} connected to rank {} via {} in {} ms", prefix, l.peer, conn.path(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return;
        }
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (!closed) {
            log.debug("{} connection to rank {} failed: {}", prefix, l.peer, cause.toString());
        }
        if (failed != null) {
            for (Pending p : failed) {
                p.frame.release();
                p.done.completeExceptionally(new ChannelException(p.op.label() + ": cannot connect to rank " + l.peer
                        + " within " + options.connectTimeout().toMillis() + " ms (backends.Direct.max_timeout): "
                        + cause.getMessage() + " " + p.op.where(), cause, true));
            }
        }
    }

    private static List<Pending> drain(Link l) {
        if (l.pending == null) {
            return null;
        }
        List<Pending> out = new ArrayList<>(l.pending);
        l.pending = null;
        return out;
    }

    // ---------------------------------------------------------------- sending

    @Override
    protected CompletableFuture<Void> transmit(int dest, long tag, ByteBuffer data, OpContext op) {
        Link l = links[dest];
        Channel ch = l.channel;
        if (ch == null) {
            synchronized (l) {
                ch = l.channel;
                if (ch == null) {
                    if (l.lost != null || closed) {
                        return CompletableFuture.failedFuture(sendFailure(l, op));
                    }
                    CompletableFuture<Void> done = new CompletableFuture<>();
                    if (l.pending == null) {
                        l.pending = new ArrayDeque<>();
                    }
                    l.pending.add(new Pending(Frames.encode(alloc, tag, data), done, op));
                    if (l.attempt == null) {
                        // Nobody called prepare (or a previous attempt failed): connect now.
                        CompletableFuture.runAsync(() -> prepare(dest, op), Runnable::run);
                    }
                    return done;
                }
            }
        }
        if (log.isTraceEnabled()) {
            log.trace("{} {} -> rank {}: {} bytes, tag {}", prefix, op.label(), dest, data.remaining(), tag);
        }
        ByteBuf frame = Frames.encode(alloc, tag, data);
        FileDescriptor fd = l.fd;
        if (fd == null) {
            return toEventLoop(l, ch, frame, op);
        }
        synchronized (l.writeLock) {
            // Nothing of ours waits on the event loop: write on this thread, which saves the
            // hand-off (a task and a wake-up of the event loop) per message. What the socket does
            // not take at once goes to the event loop, and so do later frames until it is written.
            if (l.queued.get() == 0 && !closed && writeInline(fd, frame)) {
                frame.release();
                return DONE;
            }
            return toEventLoop(l, ch, frame, op);
        }
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /**
     * Writes what the socket takes now (non-blocking), moving the frame's reader index past it.
     * Returns true when all of it was written. An error leaves the rest to the event loop, whose
     * write then fails and closes the connection the usual way.
     */
    private static boolean writeInline(FileDescriptor fd, ByteBuf frame) {
        try {
            if (!fd.isOpen()) {
                return false;
            }
            if (frame.nioBufferCount() == 1) {
                int n = frame.hasMemoryAddress()
                        ? fd.writeAddress(frame.memoryAddress(), frame.readerIndex(), frame.writerIndex())
                        : writeBuffer(fd, frame.internalNioBuffer(frame.readerIndex(), frame.readableBytes()));
                frame.skipBytes(n);
            } else {
                for (ByteBuffer b : frame.nioBuffers()) {
                    int want = b.remaining();
                    int n = writeBuffer(fd, b);
                    frame.skipBytes(n);
                    if (n < want) {
                        break;
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return !frame.isReadable();
    }

    private static int writeBuffer(FileDescriptor fd, ByteBuffer b) throws IOException {
        return fd.write(b, b.position(), b.limit());
    }

    private CompletableFuture<Void> toEventLoop(Link l, Channel ch, ByteBuf frame, OpContext op) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        l.queued.incrementAndGet();
        ch.writeAndFlush(frame).addListener(writeListener(l, done, op));
        return done;
    }

    private ChannelFutureListener writeListener(Link l, CompletableFuture<Void> done, OpContext op) {
        return f -> {
            l.queued.decrementAndGet();
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(sendFailure(l, op, f.cause()));
            }
        };
    }

    private FmiException sendFailure(Link l, OpContext op) {
        return sendFailure(l, op, null);
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
        if (why != null) {
            return op.peerFailed(l.peer, why, cause != null ? cause : writeCause);
        }
        return new ChannelException(op.label() + ": send to rank " + l.peer + " failed: " + writeCause + " " + op.where(), writeCause);
    }

    // ---------------------------------------------------------------- receiving (event loop)

    private void onFrame(int src, long tag, ByteBuffer payload) {
        if (tag >= 0) {
            if (log.isTraceEnabled()) {
                log.trace("{} rank {} -> here: {} bytes, tag {}", prefix, src, payload.remaining(), tag);
            }
            deliver(src, tag, payload);
        } else if (tag == Frames.TAG_BYE) {
            links[src].farewell = "it closed its communicator";
        } else if (tag == Frames.TAG_ABORT) {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            links[src].farewell = "it aborted: " + new String(b, StandardCharsets.UTF_8);
        } else {
            onProtocolError(src, "unknown control frame tag " + tag + " (expected: >= 0, -1 or -2)");
        }
    }

    private void onProtocolError(int src, String what) {
        Link l = links[src];
        synchronized (l) {
            if (l.lost == null) {
                l.lost = "protocol error on the connection from rank " + src + ": " + what;
            }
        }
        log.debug("{} {}", prefix, what);
    }

    /** The connection to {@code peer} ended ({@code cause} null: closed) or failed. */
    private void onConnectionLost(int peer, Channel ch, Throwable cause) {
        Link l = links[peer];
        List<Pending> failed;
        String why;
        synchronized (l) {
            if (l.channel != null && l.channel != ch) {
                return;
            }
            if (cause != null && l.lostCause == null) {
                l.lostCause = cause;
            }
            if (l.lost != null && cause == null) {
                return; // already reported
            }
            String farewell = l.farewell;
            if (l.lost == null) {
                Throwable c = l.lostCause;
                l.lost = farewell != null ? farewell
                        : c != null ? "connection lost: " + c.getMessage()
                        : "connection closed without goodbye (process died?)";
            }
            why = l.lost;
            failed = drain(l);
        }
        if (failed != null) {
            for (Pending p : failed) {
                p.frame.release();
                p.done.completeExceptionally(p.op.peerFailed(peer, why, l.lostCause));
            }
        }
        if (closed) {
            return;
        }
        log.debug("{} rank {} failed: {} ({} -> {})", prefix, peer, why, ch.localAddress(), ch.remoteAddress());
        peerFailed(peer, new ChannelException("rank " + peer + ": " + why, l.lostCause));
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public void abort(Throwable cause) {
        String reason = String.valueOf(cause);
        if (reason.length() > 200) {
            reason = reason.substring(0, 200) + "...";
        }
        shutdown(Frames.TAG_ABORT, reason, "communicator aborted");
    }

    @Override
    public void close() {
        // Sends complete once copied; let the ones still on their way reach the wire before the goodbye.
        Duration t = context.timeout();
        drainSends(t.compareTo(MAX_DRAIN) < 0 ? t : MAX_DRAIN);
        shutdown(Frames.TAG_BYE, "", "communicator closed");
    }

    /** Upper bound on how long close() waits for unwritten sends. */
    private static final Duration MAX_DRAIN = Duration.ofSeconds(30);

    /**
     * Simulates this process dying: every connection is reset (SO_LINGER 0) without a goodbye. For
     * tests of peer failure.
     */
    void crash() {
        for (Link l : links) {
            Channel ch = l.channel;
            if (ch != null) {
                ch.eventLoop().execute(() -> {
                    ch.config().setOption(ChannelOption.SO_LINGER, 0);
                    ch.close();
                });
            }
        }
    }

    private void shutdown(long tag, String text, String why) {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<ChannelFuture> closing = new ArrayList<>();
        for (Link l : links) {
            List<Pending> failed;
            CompletableFuture<PunchedConnection> attempt;
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
                    p.frame.release();
                    p.done.completeExceptionally(p.op.error("send to rank " + l.peer + " abandoned: " + why));
                }
            }
            Channel ch = l.channel;
            if (ch != null) {
                if (ch.isActive()) {
                    synchronized (l.writeLock) { // after any write a sender is doing itself
                        l.queued.incrementAndGet();
                        ch.writeAndFlush(Frames.control(alloc, tag, text)).addListener(ChannelFutureListener.CLOSE);
                    }
                } else {
                    ch.close();
                }
                closing.add(ch.closeFuture());
            }
        }
        long until = System.nanoTime() + CLOSE_WAIT_NANOS;
        for (ChannelFuture f : closing) {
            long left = until - System.nanoTime();
            if (left <= 0 || !f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                f.channel().close();
            }
        }
        mailbox.close(why);
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
        log.debug("{} {} ({} connections)", prefix, why, closing.size());
    }
}
