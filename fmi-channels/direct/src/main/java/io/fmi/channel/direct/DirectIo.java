package io.fmi.channel.direct;

import io.fmi.channel.AdaptiveIdleStrategy;
import io.fmi.channel.CpuBudget;
import io.fmi.channel.Deadline;
import io.fmi.channel.IdleStrategy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O of one Direct channel, driven by the threads that wait for it.
 *
 * <h2>Why the caller drives</h2>
 * With an event loop, every message costs a hand-off: the event loop thread wakes, reads, and
 * then wakes the thread waiting for the message. On small machines (a Lambda function has one or
 * two vCPUs) the second wake-up costs as much as the network: a Netty event loop put an 8 B round
 * trip at 2.7-5x a blocking {@code java.nio} socket pair. Here a thread that waits for a message
 * does the I/O itself: it takes the channel's <em>progress lock</em>, blocks in
 * {@link Selector#select} over all of the channel's connections, reads what arrives, hands every
 * frame to the receive matching, writes what is queued, and returns as soon as its own message is
 * in (leader/followers: another thread that waits meanwhile parks, and the leader's reads complete
 * its receive too; a leader that leaves wakes a follower to take over).
 *
 * <h2>Writes</h2>
 * A connection starts with this peer's preface ({@link FrameCodec}) and is open for frames once the
 * peer's preface has arrived; frames sent before that wait in its queue. A sender writes its frame
 * itself, through a per-thread direct buffer, when nothing is queued on the connection. What the
 * socket does not take at once is queued (a copy) and written by
 * whichever thread drives the I/O; a large payload ({@link #BORROW_MIN_BYTES} or more) is not
 * copied: the sender drives the I/O until it is written (reading meanwhile, so two peers sending
 * to each other never deadlock), and copies only what is left at its deadline.
 *
 * <h2>When nobody waits</h2>
 * Non-blocking receives and queued writes make progress on a background thread, which drives the
 * I/O only while no caller does (a caller that arrives takes over).
 *
 * <h2>Liveness</h2>
 * A peer that dies closes or resets its connections, which a read sees at once. A frozen one
 * (SIGSTOP, a Lambda sandbox suspended after its handler returned) sends nothing and closes
 * nothing. So every connection whose peer speaks heartbeats ({@link FrameCodec#FEATURE_HEARTBEAT})
 * carries something at least every {@code liveness / 5}: the background thread, whatever the
 * callers do (they may be busy in user code), writes a HEARTBEAT frame on each connection that
 * carried nothing else since its last look; a connection with traffic gets none. The thread driving
 * the I/O declares a peer failed when its connection carried nothing for {@code liveness} while
 * some thread was driving the I/O all along (time when nobody drove, and so nobody read, does not
 * count). The hot path pays one counter per write and one flag per read.
 *
 * <p>Thread-safe.
 */
final class DirectIo implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectIo.class);
    /** Payloads from this size on are written by their sender, not copied, when the socket is full. */
    static final int BORROW_MIN_BYTES = 256 * 1024;
    /** Size of the read buffer and of each thread's write buffer. */
    static final int IO_BUFFER_BYTES = 256 * 1024;
    /** Longest single select: how late a waiter notices a completion that did not wake it (timeouts, close). */
    private static final long MAX_SELECT_MILLIS = 20;
    private static final long BACKGROUND_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Rounds between two looks at the clock for the liveness check when every select finds work. */
    private static final int LIVENESS_ROUNDS = 64;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final ThreadLocal<ByteBuffer> WRITE_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(IO_BUFFER_BYTES));

    /** What the channel hears from its connections. */
    interface Events extends FrameCodec.Sink {
        /**
         * The connection to {@code peer} ended: EOF ({@code protocolError} and {@code cause} null),
         * an I/O error ({@code cause}) or a protocol error; {@code refused}: the error is the peer's
         * preface, which shows another protocol version or communicator ({@link FrameCodec#refused}).
         * {@code prefaceReceived}: at EOF, whether the peer's preface had arrived. Called once per
         * connection, usually on the thread driving the I/O. Returns the exception a receive cut off
         * mid-message fails with.
         */
        Throwable onConnectionLost(int peer, String protocolError, boolean refused, boolean prefaceReceived, Throwable cause);

        /** The peer's preface arrived on {@code c} and passed its checks: frames may go. Driving thread; must not block. */
        default void onOpen(Conn c) {
        }

        /** Called by the background thread at least every {@value #BACKGROUND_PARK_NANOS} ns, for the channel's timers. */
        default void onTick() {
        }
    }

    /** Why a connection was declared dead although it never closed: its peer sent nothing for the liveness window. */
    static final class SilentPeerException extends IOException {
        private static final long serialVersionUID = 1L;

        SilentPeerException(String message) {
            super(message);
        }
    }

    /** One connection: its socket, its decoder (driving thread only) and its queue of unwritten frames. */
    static final class Conn {
        final int peer;
        final SocketChannel socket;
        final FrameCodec codec;
        /** Bytes read past the handshake before this engine took the socket; driving thread only. */
        private ByteBuffer initial;
        /** Guarded by {@link #writeLock}. */
        private SelectionKey key;
        final Object writeLock = new Object();
        /** Frames not yet written, in order; guarded by {@link #writeLock}. */
        private final ArrayDeque<Out> out = new ArrayDeque<>();
        /**
         * Whether the peer's preface has arrived and passed its checks; until then frames wait in
         * {@link #out}. Guarded by {@link #writeLock}; set by the driving thread.
         */
        private boolean open;
        /** {@link #open}, readable without the lock. */
        private volatile boolean opened;
        /** The features of the peer's preface; set before {@link #opened}. */
        private volatile long peerFeatures;
        /** Frames written so far (any thread, under writeLock), and their number at the last heartbeat look. */
        private int writes;
        private int writesAtTick;
        /** Driving thread: bytes were read since the last liveness check; when the peer was last heard. */
        private boolean readSinceCheck;
        private long lastHeardNanos;
        /** Set once (under writeLock) when the connection ended; later writes fail. */
        private volatile boolean dead;
        /** Why it ended: an I/O error, or null (EOF or protocol error); set with {@link #dead}. */
        private Throwable deathCause;
        private String protocolError;
        /** The protocol error is a refusal of the peer's preface ({@link FrameCodec#refused}); set with {@link #dead}. */
        private boolean refused;
        /** At EOF: whether the peer's preface had arrived; set with {@link #dead}. */
        private boolean prefaceReceived;
        private final AtomicBoolean reported = new AtomicBoolean();
        /** What a receive cut off mid-message fails with; set when the loss is reported. */
        private volatile Throwable claimFailure;

        Conn(int peer, SocketChannel socket, FrameCodec codec, ByteBuffer initial) {
            this.peer = peer;
            this.socket = socket;
            this.codec = codec;
            this.initial = initial;
        }

        boolean dead() {
            return dead;
        }

        /** Whether the peer's preface arrived and passed its checks (frames flow). */
        boolean isOpen() {
            return opened;
        }

        /** Whether the peer speaks {@code feature} ({@link FrameCodec#FEATURES}); false until {@link #isOpen()}. */
        boolean peerSpeaks(long feature) {
            return (peerFeatures & feature) != 0;
        }
    }

    /** A frame (partly) unwritten: bytes {@code written..} of header + payload are still to go. */
    static final class Out {
        final byte type;
        /** Flags, op code and root ({@link FrameCodec#meta}). */
        final long meta;
        final int len;
        final long tag;
        /** Payload bytes {@code base..len} (the payload index {@code i} is at {@code body.position() + i - base}). */
        ByteBuffer body;
        int base;
        int written;
        final boolean borrowed;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Out(byte type, long meta, int len, long tag, ByteBuffer body, int base, int written, boolean borrowed) {
            this.type = type;
            this.meta = meta;
            this.len = len;
            this.tag = tag;
            this.body = body;
            this.base = base;
            this.written = written;
            this.borrowed = borrowed;
        }

        /** Completes once the frame is written whole; fails when its connection ends first. */
        CompletableFuture<Void> done() {
            return done;
        }

        /** Replaces a borrowed payload by a copy of what is still unwritten. */
        void copyRest() {
            int from = Math.max(base, written - FrameCodec.HEADER_BYTES);
            byte[] rest = new byte[len - from];
            body.get(body.position() + from - base, rest);
            body = ByteBuffer.wrap(rest);
            base = from;
        }
    }

    private final String prefix;
    private final Events events;
    /** What a thread waiting for a message does before it blocks in the selector. */
    private final IdleStrategy idle;
    /** Peers whose connection ends on this host (loopback or one of its addresses). */
    private final AtomicInteger localPeers = new AtomicInteger();
    /** How long a wait yields where ranks outnumber CPUs ({@link #CROWDED}). */
    static final long CROWDED_MAX_POLL_MICROS = 100;
    /**
     * This rank and its peers on this host outnumber the host's CPUs ({@link CpuBudget#hostCpus()}),
     * and the idle strategy is the adaptive default: waits take {@link #CROWDED} instead, yielding
     * the core between polls for a short while, then blocking, since a poller that spins keeps the
     * rank it waits for off the core they share (measured: a 4-rank allreduce of one int on 2 cores
     * took 1.1 ms spinning, 0.2-0.3 ms blocking).
     */
    private volatile boolean crowded;
    /**
     * What a wait does where ranks outnumber CPUs: Agrona's back-off without its spin phase, polls
     * with {@link Thread#yield()} between them for up to {@value #CROWDED_MAX_POLL_MICROS} µs, then
     * blocks. A yielding rank hands the core to a runnable peer at once and keeps the CPU from going
     * idle, so a message to it often needs no wake-up (Open MPI's ranks yield when oversubscribed).
     * Measured at 4 and 8 ranks on 2 cores, two runs against blocking at once: geometric
     * mean over the collectives 1.10/1.51 against 1.55/1.66 at 4 ranks, 0.83/0.90 against 1.01/1.07
     * at 8 (docs/benchmarks.md); a yield of 1 ms made it worse (2.2 at 4 ranks), as yielding ranks
     * then take the core from ranks with work for longer.
     */
    static final IdleStrategy CROWDED = IdleStrategy.backoff(0, Integer.MAX_VALUE, java.time.Duration.ofNanos(CROWDED_MAX_POLL_MICROS * 1000));
    /** A peer that carries nothing for this long is declared failed; 0: never. */
    private final long livenessNanos;
    private final long heartbeatNanos;
    private final long livenessCheckNanos;
    /** Driving thread: the last liveness check, and rounds since then. */
    private long lastLivenessCheck;
    private int roundsSinceCheck;
    /** Background thread: the last heartbeat look. */
    private long lastHeartbeatTick;
    /** The connections, for the background thread's heartbeats; replaced by the driving thread on change. */
    private volatile Conn[] live = new Conn[0];
    private final Selector selector;
    private final ReentrantLock progress = new ReentrantLock();
    /** The thread holding {@link #progress}, or null. */
    private volatile Thread leader;
    /** Threads waiting in {@link #await} (leading or following). */
    private final AtomicInteger drivers = new AtomicInteger();
    private final Queue<Thread> followers = new ConcurrentLinkedQueue<>();
    /** Receives posted without a thread waiting for them; the background thread serves them. */
    private final AtomicInteger unattended = new AtomicInteger();
    /** Connections with frames queued. */
    private final AtomicInteger queuedConns = new AtomicInteger();
    private final Queue<Conn> added = new ConcurrentLinkedQueue<>();
    private final List<Conn> conns = new ArrayList<>(); // driving thread only
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(IO_BUFFER_BYTES); // driving thread only
    private final Consumer<SelectionKey> onReady = this::ready;
    /** A connection ended outside the driving thread; the driving thread finishes it. */
    private volatile boolean lossPending;
    private final Thread background;
    private volatile boolean closed;

    DirectIo(String prefix, String threadName, Events events, IdleStrategy idle, long livenessNanos) throws IOException {
        this.prefix = prefix;
        this.events = events;
        this.idle = idle;
        this.livenessNanos = livenessNanos;
        this.heartbeatNanos = livenessNanos / 5;
        this.livenessCheckNanos = livenessNanos / 10;
        this.lastLivenessCheck = System.nanoTime();
        this.lastHeartbeatTick = lastLivenessCheck;
        this.selector = Selector.open();
        this.background = new Thread(this::background, threadName);
        background.setDaemon(true);
        background.start();
    }

    // ---------------------------------------------------------------- connections

    /** A message sent before its connection was up: its tag, op code and root ({@link FrameCodec#meta}), and a copy of its payload. */
    static final class Queued {
        final long tag;
        final long meta;
        final byte[] payload;

        Queued(long tag, long meta, byte[] payload) {
            this.tag = tag;
            this.meta = meta;
            this.payload = payload;
        }
    }

    /**
     * Takes over a connected, non-blocking socket: writes {@code preface} (this peer's, before any
     * frame), then {@code queued}, the messages sent before the connection was up, in order.
     * {@code initial}: bytes already read from the socket (may be null), decoded first.
     */
    Conn add(int peer, SocketChannel socket, FrameCodec codec, ByteBuffer preface, ByteBuffer initial, List<Queued> queued) {
        Conn c = new Conn(peer, socket, codec, initial);
        countIfLocal(peer, socket);
        IOException failed = null;
        try {
            // Nothing else was written since the handshake, so the socket's send buffer takes the
            // whole preface at once unless the connection is already broken.
            socket.write(preface);
            if (preface.hasRemaining()) {
                failed = new IOException("the socket took " + preface.position() + " of the " + preface.limit()
                        + " bytes of the preface");
            }
        } catch (IOException e) {
            failed = e;
        }
        synchronized (c.writeLock) {
            if (failed != null) {
                failWrites(c, failed, null); // reported when the driving thread registers it
            }
            for (Queued q : queued) {
                enqueue(c, new Out(FrameCodec.DATA, q.meta, q.payload.length, q.tag, ByteBuffer.wrap(q.payload), 0, 0, false));
            }
        }
        added.add(c);
        wake();
        wakeBackground();
        return c;
    }

    /** Counts a peer on this host; once this rank and such peers outnumber the host's CPUs, waits take {@link #CROWDED}. */
    private void countIfLocal(int peer, SocketChannel socket) {
        if (!(idle instanceof AdaptiveIdleStrategy)) {
            return; // a strategy the user chose is kept as it is
        }
        boolean local;
        try {
            local = socket.getRemoteAddress() instanceof InetSocketAddress && socket.getLocalAddress() instanceof InetSocketAddress
                    && isLocal(((InetSocketAddress) socket.getRemoteAddress()).getAddress(),
                            ((InetSocketAddress) socket.getLocalAddress()).getAddress());
        } catch (IOException e) {
            return;
        }
        if (!local) {
            return;
        }
        int ranks = localPeers.incrementAndGet() + 1;
        if (ranks > CpuBudget.hostCpus() && !crowded) {
            crowded = true;
            log.debug("{} {} ranks on this host (rank {} the latest) share its {} CPUs: waits yield for up to {} µs, then block",
                    prefix, ranks, peer, CpuBudget.hostCpus(), CROWDED_MAX_POLL_MICROS);
        }
    }

    /**
     * Whether a connection from {@code local} to {@code remote} stays on this host: over loopback,
     * or between two ends of one address (peers that met through the host's own address).
     */
    static boolean isLocal(InetAddress remote, InetAddress local) {
        return remote.isLoopbackAddress() || remote.isAnyLocalAddress() || remote.equals(local);
    }

    /** @return whether ranks on this host outnumber its CPUs, so that waits take {@link #CROWDED} (for tests and diagnostics) */
    boolean crowded() {
        return crowded;
    }

    /** Driving thread: registers connections added since the last round and decodes what they brought. */
    private void register() {
        Conn c;
        while ((c = added.poll()) != null) {
            boolean dead;
            try {
                synchronized (c.writeLock) {
                    dead = c.dead;
                    if (!dead) {
                        c.key = c.socket.register(selector, SelectionKey.OP_READ, c); // OP_WRITE once open
                    }
                }
            } catch (IOException | RuntimeException e) {
                lost(c, null, e);
                continue;
            }
            if (dead) {
                lost(c); // it ended before its first round (its preface could not be written, a crash)
                continue;
            }
            conns.add(c);
            live = conns.toArray(new Conn[0]);
            c.lastHeardNanos = System.nanoTime();
            ByteBuffer in = c.initial;
            c.initial = null;
            if (in != null && in.hasRemaining()) {
                decode(c, in);
            }
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Sends one frame. Returns a completed future when the socket took it all, else the future of
     * the queued rest (a copy, or for large payloads the caller's bytes, written before this
     * returns unless {@code deadline} passes first, when the rest is copied). Returns null
     * when the connection is gone.
     */
    CompletableFuture<Void> send(Conn c, byte type, long tag, ByteBuffer data, Deadline deadline) {
        return send(c, type, (byte) 0, tag, data, deadline);
    }

    /** {@link #send(Conn, byte, long, ByteBuffer, Deadline)} with frame flags, op code and root ({@link FrameCodec#meta}). */
    CompletableFuture<Void> send(Conn c, byte type, long meta, long tag, ByteBuffer data, Deadline deadline) {
        int len = data.remaining();
        Out o;
        synchronized (c.writeLock) {
            if (c.dead) {
                return null;
            }
            int written = writeNow(c, type, meta, len, tag, data);
            if (written == FrameCodec.HEADER_BYTES + len) {
                return DONE;
            }
            if (written < 0) {
                o = null;
            } else {
                boolean borrow = len - Math.max(0, written - FrameCodec.HEADER_BYTES) >= BORROW_MIN_BYTES
                        && !progress.isHeldByCurrentThread() && !Thread.currentThread().isInterrupted();
                o = new Out(type, meta, len, tag, data.duplicate(), 0, written, borrow);
                if (!borrow) {
                    o.copyRest();
                }
                enqueue(c, o);
            }
        }
        if (o == null) {
            report(c);
            return null;
        }
        if (!o.borrowed) {
            wakeForWrite();
        } else if (leader != null) {
            selector.wakeup(); // the thread driving now must watch for OP_WRITE; this one follows
        }
        if (o.borrowed) {
            await(o.done, System.nanoTime() + deadline.remainingNanos());
            release(c, o); // deadline or interrupt: the caller's buffer is its own again
        }
        return o.done;
    }

    /**
     * Sends one frame whose payload stays the caller's until the returned frame is
     * {@link Out#done() done} (or {@link #release released}): written as far as the socket takes it
     * now, the rest by whichever thread drives the I/O. Never blocks, never copies. Returns null
     * when the connection is gone.
     */
    Out sendBorrowed(Conn c, byte type, long meta, long tag, ByteBuffer data) {
        int len = data.remaining();
        Out o;
        synchronized (c.writeLock) {
            if (c.dead) {
                return null;
            }
            int written = writeNow(c, type, meta, len, tag, data);
            if (written < 0) {
                o = null;
            } else {
                o = new Out(type, meta, len, tag, data.duplicate(), 0, written, true);
                if (written == FrameCodec.HEADER_BYTES + len) {
                    o.done.complete(null);
                    return o;
                }
                enqueue(c, o);
            }
        }
        if (o == null) {
            report(c);
            return null;
        }
        wakeForWrite();
        return o;
    }

    /**
     * Under writeLock: writes the frame as far as the socket takes it when nothing is queued before
     * it (else 0 bytes); -1 when the connection broke (its writes are failed).
     */
    private int writeNow(Conn c, byte type, long meta, int len, long tag, ByteBuffer data) {
        if (!c.out.isEmpty() || !c.open) {
            return 0;
        }
        try {
            int written = write(c.socket, type, meta, len, tag, data, 0, 0);
            c.writes++;
            return written;
        } catch (IOException e) {
            failWrites(c, e, null);
            return -1;
        }
    }

    /** The caller takes its buffer back: what of {@code o} is not written yet is copied (rare: a deadline, an interrupt). */
    void release(Conn c, Out o) {
        synchronized (c.writeLock) {
            if (!o.done.isDone() && o.borrowed) {
                o.copyRest();
            }
        }
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** Under writeLock. */
    private void enqueue(Conn c, Out o) {
        c.out.addLast(o);
        if (c.out.size() == 1) {
            queuedConns.incrementAndGet();
            SelectionKey k = c.key;
            if (k != null && c.open) {
                try {
                    k.interestOpsOr(SelectionKey.OP_WRITE);
                } catch (CancelledKeyException e) {
                    // the connection is ending; its queue fails with it
                }
            }
        }
    }

    private void wakeForWrite() {
        Thread l = leader;
        if (l != null && l != Thread.currentThread()) {
            selector.wakeup();
        }
        wakeBackground();
    }

    /**
     * Writes bytes {@code from..} of the frame (header of {@code type}, {@code len}, {@code tag};
     * payload index {@code i} at {@code body.position() + i - base}) as far as the socket takes them,
     * through this thread's direct buffer. Returns how many bytes of the frame are written then.
     */
    private static int write(SocketChannel socket, byte type, long meta, int len, long tag, ByteBuffer body, int base, int from)
            throws IOException {
        ByteBuffer w = WRITE_BUFFER.get();
        int total = FrameCodec.HEADER_BYTES + len;
        int pos = from;
        while (pos < total) {
            w.clear();
            int start = 0;
            if (pos < FrameCodec.HEADER_BYTES) {
                FrameCodec.putHeader(w, type, meta, len, tag);
                start = pos;
            }
            int p = Math.max(0, pos - FrameCodec.HEADER_BYTES);
            int n = Math.min(len - p, w.remaining());
            w.put(w.position(), body, body.position() + p - base, n);
            w.position(w.position() + n);
            w.flip();
            w.position(start);
            pos += socket.write(w);
            if (w.hasRemaining()) {
                break; // the socket is full
            }
        }
        return pos;
    }

    /**
     * Under writeLock: a peer that does not check collectives would take a notice (a DATA frame of
     * op {@link io.fmi.channel.OpCodes#NOTICE}) queued before its preface arrived for data; they
     * are dropped, as if sent.
     */
    private void dropNotices(Conn c) {
        List<CompletableFuture<Void>> dropped = new ArrayList<>(1);
        c.out.removeIf(o -> {
            if (o.type == FrameCodec.DATA && o.written == 0 && ((o.meta >>> 8) & 0xFF) == io.fmi.channel.OpCodes.NOTICE) {
                dropped.add(o.done);
                return true;
            }
            return false;
        });
        if (!dropped.isEmpty() && c.out.isEmpty()) {
            queuedConns.decrementAndGet();
        }
        dropped.forEach(f -> f.complete(null));
    }

    /** Driving thread: the socket can take more; writes the queue in order. */
    private void flushQueue(Conn c) {
        List<CompletableFuture<Void>> written = null;
        boolean failed = false;
        synchronized (c.writeLock) {
            if (c.dead || c.out.isEmpty() || !c.open) {
                return;
            }
            Out o;
            try {
                while ((o = c.out.peekFirst()) != null) {
                    o.written = write(c.socket, o.type, o.meta, o.len, o.tag, o.body, o.base, o.written);
                    c.writes++;
                    if (o.written < FrameCodec.HEADER_BYTES + o.len) {
                        break;
                    }
                    c.out.pollFirst();
                    if (written == null) {
                        written = new ArrayList<>(2);
                    }
                    written.add(o.done);
                }
                if (c.out.isEmpty()) {
                    queuedConns.decrementAndGet();
                    c.key.interestOpsAnd(~SelectionKey.OP_WRITE);
                }
            } catch (IOException e) {
                failWrites(c, e, null);
                failed = true;
            } catch (CancelledKeyException e) {
                // ending: reported by whoever closed it
            }
        }
        if (written != null) {
            for (CompletableFuture<Void> f : written) {
                f.complete(null);
            }
        }
        if (failed) {
            lost(c);
        }
    }

    /**
     * Under writeLock: the connection is unusable (first call wins: {@code cause} an I/O error,
     * {@code protocolError} a bad frame, both null EOF); queued frames fail, the socket closes.
     */
    private void failWrites(Conn c, Throwable cause, String protocolError) {
        if (c.dead) {
            return;
        }
        c.deathCause = cause;
        c.protocolError = protocolError;
        // Protocol errors and EOF come from the driving thread, the only one that touches the codec.
        c.refused = protocolError != null && c.codec.refused();
        c.prefaceReceived = cause == null && protocolError == null && c.codec.prefaceReceived();
        c.dead = true;
        if (!c.out.isEmpty()) {
            queuedConns.decrementAndGet();
        }
        IOException failure = new IOException(cause != null ? cause.toString()
                : protocolError != null ? protocolError : "connection closed", cause);
        for (Out o : c.out) {
            o.done.completeExceptionally(failure);
        }
        c.out.clear();
        closeQuietly(c);
        lossPending = true;
        wake(); // the driving thread finishes the connection (its decoder)
    }

    /** Tells the channel, once, that the connection ended. Any thread, not holding writeLock. */
    private void report(Conn c) {
        if (c.reported.compareAndSet(false, true)) {
            c.claimFailure = events.onConnectionLost(c.peer, c.protocolError, c.refused, c.prefaceReceived, c.deathCause);
        }
    }

    /** Driving thread: reports a connection that ended and fails a receive its decoder was filling. */
    private void lost(Conn c) {
        report(c);
        if (conns.remove(c)) {
            live = conns.toArray(new Conn[0]);
            c.codec.fail(c.claimFailure);
        }
    }

    /** Driving thread: the connection ended as seen by a read. */
    private void lost(Conn c, String protocolError, Throwable cause) {
        synchronized (c.writeLock) {
            failWrites(c, cause, protocolError);
        }
        lost(c);
    }

    // ---------------------------------------------------------------- reading

    /** Driving thread. */
    private void ready(SelectionKey k) {
        Conn c = (Conn) k.attachment();
        int ops;
        try {
            ops = k.readyOps();
        } catch (CancelledKeyException e) {
            if (c.dead) {
                lost(c);
            }
            return;
        }
        if ((ops & SelectionKey.OP_READ) != 0) {
            read(c);
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && !c.dead) {
            flushQueue(c);
        }
    }

    /** Driving thread: reads what the socket has (bounded, for fairness between connections). */
    private void read(Conn c) {
        ByteBuffer r = readBuffer;
        for (int i = 0; i < 16; i++) {
            r.clear();
            int n;
            try {
                n = c.socket.read(r);
            } catch (IOException e) {
                lost(c, null, e);
                return;
            }
            if (n < 0) {
                lost(c, null, null);
                return;
            }
            if (n == 0) {
                return;
            }
            c.readSinceCheck = true;
            r.flip();
            if (!decode(c, r)) {
                return;
            }
            if (n < r.capacity()) {
                return;
            }
        }
    }

    /**
     * Driving thread: decodes what was read from {@code c}; false when that ended the connection.
     * The peer's preface arriving opens the connection for writing.
     */
    private boolean decode(Conn c, ByteBuffer in) {
        String bad = c.codec.feed(in);
        if (bad != null) {
            lost(c, bad, null);
            return false;
        }
        if (!c.open && c.codec.prefaceReceived()) {
            open(c);
        }
        return true;
    }

    /**
     * Driving thread: the peer's preface arrived and passed its checks, so frames may go. Waiting
     * for it means no byte reaches a peer that turns out to be incompatible, and no peer closes
     * with the other's preface still unread, which on Linux turns its close into a reset that
     * throws away what it had not sent yet.
     */
    private void open(Conn c) {
        boolean flush;
        synchronized (c.writeLock) {
            c.open = true;
            c.peerFeatures = c.codec.peerFeatures();
            c.opened = true;
            if (!c.dead && !c.out.isEmpty() && !c.peerSpeaks(FrameCodec.FEATURE_COLLECTIVE_CHECKS)) {
                dropNotices(c);
            }
            flush = !c.dead && !c.out.isEmpty();
            if (flush) {
                try {
                    c.key.interestOpsOr(SelectionKey.OP_WRITE);
                } catch (CancelledKeyException e) {
                    flush = false; // the connection is ending; its queue fails with it
                }
            }
        }
        if (flush) {
            flushQueue(c);
        }
        events.onOpen(c);
    }

    private void closeQuietly(Conn c) {
        try {
            c.socket.close();
        } catch (IOException e) {
            log.trace("{} closing the socket to rank {}: {}", prefix, c.peer, e.toString());
        }
    }

    // ---------------------------------------------------------------- driving

    /**
     * Drives the I/O (or waits while another thread does) until {@code f} is done or
     * {@code deadlineNanos} ({@link System#nanoTime()}) passes.
     */
    void await(CompletableFuture<?> f, long deadlineNanos) {
        if (f.isDone()) {
            return;
        }
        Thread me = Thread.currentThread();
        if (me.isInterrupted()) {
            return; // the caller reports the interrupt; a select would return at once, again and again
        }
        if (progress.isHeldByCurrentThread()) {
            // Called back from the driving loop itself: it cannot drive again; wait plainly.
            parkUntil(f, deadlineNanos);
            return;
        }
        drivers.incrementAndGet();
        boolean callback = false;
        try {
            while (!f.isDone() && !closed && !me.isInterrupted()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                if (progress.tryLock()) {
                    leader = me;
                    IdleStrategy.Wait w = IdleStrategy.Wait.begin();
                    try {
                        while (!f.isDone() && !closed && !me.isInterrupted() && (left = deadlineNanos - System.nanoTime()) > 0) {
                            round(f, left, w);
                        }
                    } finally {
                        leader = null;
                        progress.unlock();
                    }
                    w.end(idle);
                    return;
                }
                if (!callback) {
                    callback = true;
                    f.whenComplete((v, t) -> LockSupport.unpark(me));
                }
                followers.add(me);
                try {
                    Thread l = leader;
                    if (l == background) {
                        selector.wakeup(); // it yields to callers
                    }
                    if (!progress.isLocked()) {
                        continue;
                    }
                    LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(MAX_SELECT_MILLIS)));
                } finally {
                    followers.remove(me);
                }
            }
        } finally {
            drivers.decrementAndGet();
            handOver();
        }
    }

    /**
     * Drives the I/O until no frame is queued or {@code deadlineNanos} passes (at once when this
     * thread is interrupted); true when all were written.
     */
    boolean flush(long deadlineNanos) {
        CompletableFuture<Void> never = new CompletableFuture<>();
        // An interrupted caller (closing in a hurry) does not wait: await would return at once, again and again.
        while (queuedConns.get() > 0 && System.nanoTime() - deadlineNanos < 0 && !closed
                && !Thread.currentThread().isInterrupted()) {
            await(never, Math.min(deadlineNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_SELECT_MILLIS)));
        }
        return queuedConns.get() == 0;
    }

    /** A leader left: a follower (or the background thread) takes over. */
    private void handOver() {
        Thread t = followers.peek();
        if (t != null) {
            LockSupport.unpark(t);
        } else if (drivers.get() == 0) {
            wakeBackground();
        }
    }

    private static void parkUntil(CompletableFuture<?> f, long deadlineNanos) {
        try {
            f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the caller looks at the future
        }
    }

    /**
     * One round of I/O, holding the progress lock: new connections, then ready sockets. While the
     * idle strategy says so ({@code w} not null and not yet blocked) the sockets are polled first;
     * then the round blocks in the selector.
     */
    private void round(CompletableFuture<?> f, long maxWaitNanos, IdleStrategy.Wait w) {
        try {
            register();
            if (lossPending) {
                lossPending = false;
                for (Conn c : new ArrayList<>(conns)) {
                    if (c.dead) {
                        lost(c);
                    }
                }
            }
            if (w != null && !w.blocked()) {
                IdleStrategy strategy = crowded ? CROWDED : idle;
                long until = System.nanoTime() + maxWaitNanos;
                do {
                    if (selector.selectNow(onReady) > 0) {
                        w.work();
                        checkLiveness(false);
                        return;
                    }
                    if (f.isDone() || System.nanoTime() - until >= 0) {
                        return;
                    }
                } while (w.idle(strategy));
            }
            long ms = Math.max(1, Math.min(MAX_SELECT_MILLIS, TimeUnit.NANOSECONDS.toMillis(maxWaitNanos + 999_999)));
            checkLiveness(selector.select(onReady, ms) == 0);
        } catch (ClosedSelectorException e) {
            // closing
        } catch (IOException e) {
            log.warn("{} select failed: {}", prefix, e.toString());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Driving thread, after a select: every {@code liveness / 10} (looking at the clock after a
     * select that found nothing, or every {@value #LIVENESS_ROUNDS} rounds when traffic flows),
     * declares failed each peer that speaks heartbeats and carried nothing for the liveness window.
     * A check that comes long after the last one (nobody drove the I/O meanwhile, so nothing was
     * read) starts every window over instead.
     */
    private void checkLiveness(boolean idle) {
        if (livenessNanos <= 0 || (!idle && ++roundsSinceCheck < LIVENESS_ROUNDS)) {
            return;
        }
        roundsSinceCheck = 0;
        long now = System.nanoTime();
        if (now - lastLivenessCheck < livenessCheckNanos) {
            return;
        }
        boolean gap = now - lastLivenessCheck > 3 * livenessCheckNanos + TimeUnit.MILLISECONDS.toNanos(MAX_SELECT_MILLIS);
        lastLivenessCheck = now;
        List<Conn> silent = null;
        for (Conn c : conns) {
            if (c.readSinceCheck || gap || !c.opened || !c.peerSpeaks(FrameCodec.FEATURE_HEARTBEAT)) {
                c.readSinceCheck = false;
                c.lastHeardNanos = now;
            } else if (now - c.lastHeardNanos > livenessNanos) {
                if (silent == null) {
                    silent = new ArrayList<>(1);
                }
                silent.add(c);
            }
        }
        if (silent != null) {
            for (Conn c : silent) {
                long ms = TimeUnit.NANOSECONDS.toMillis(now - c.lastHeardNanos);
                log.debug("{} rank {} silent for {} ms: declared failed", prefix, c.peer, ms);
                lost(c, null, new SilentPeerException("sent nothing for " + ms
                        + " ms, though a live peer sends a heartbeat every " + TimeUnit.NANOSECONDS.toMillis(heartbeatNanos)
                        + " ms: it is frozen (stopped, suspended), hung or unreachable (backends.Direct.liveness_ms = "
                        + TimeUnit.NANOSECONDS.toMillis(livenessNanos) + ")"));
            }
        }
    }

    /**
     * Background thread, every {@code liveness / 5}: a HEARTBEAT on each open connection whose peer
     * speaks them and that carried no frame since the last look (a busy connection needs none).
     */
    private void heartbeats() {
        if (heartbeatNanos <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastHeartbeatTick < heartbeatNanos) {
            return;
        }
        lastHeartbeatTick = now;
        for (Conn c : live) {
            boolean failed = false;
            synchronized (c.writeLock) {
                if (c.dead || !c.open || !c.peerSpeaks(FrameCodec.FEATURE_HEARTBEAT)) {
                    continue;
                }
                if (c.writes != c.writesAtTick || !c.out.isEmpty()) {
                    c.writesAtTick = c.writes; // traffic (or a full socket, which the peer drains): no heartbeat
                    continue;
                }
                try {
                    int written = write(c.socket, FrameCodec.HEARTBEAT, (byte) 0, 0, 0, EMPTY, 0, 0);
                    if (written < FrameCodec.HEADER_BYTES) {
                        Out o = new Out(FrameCodec.HEARTBEAT, (byte) 0, 0, 0, EMPTY, 0, written, false);
                        enqueue(c, o);
                    }
                    c.writes++;
                    c.writesAtTick = c.writes;
                } catch (IOException e) {
                    failWrites(c, e, null);
                    failed = true;
                }
            }
            if (failed) {
                report(c);
            }
        }
    }

    // ---------------------------------------------------------------- background

    /**
     * A receive was posted without a waiting thread: the background thread serves it until the
     * caller says {@link #unattendedDone()} (when its future completes).
     */
    void unattendedStarted() {
        unattended.incrementAndGet();
        wakeBackground();
    }

    /** A receive announced by {@link #unattendedStarted()} completed. */
    void unattendedDone() {
        unattended.decrementAndGet();
    }

    private boolean backgroundWork() {
        return unattended.get() > 0 || queuedConns.get() > 0;
    }

    private void wakeBackground() {
        if (drivers.get() == 0 && backgroundWork()) {
            LockSupport.unpark(background);
        }
    }

    private void wake() {
        if (leader != null) {
            selector.wakeup();
        }
    }

    private void background() {
        CompletableFuture<Void> never = new CompletableFuture<>();
        while (!closed) {
            heartbeats();
            events.onTick();
            if (drivers.get() == 0 && backgroundWork() && progress.tryLock()) {
                leader = background;
                try {
                    while (drivers.get() == 0 && backgroundWork() && !closed) {
                        round(never, TimeUnit.MILLISECONDS.toNanos(MAX_SELECT_MILLIS), null);
                        heartbeats();
                        events.onTick();
                    }
                } finally {
                    leader = null;
                    progress.unlock();
                }
                Thread t = followers.peek();
                if (t != null) {
                    LockSupport.unpark(t);
                }
                continue;
            }
            LockSupport.parkNanos(this, BACKGROUND_PARK_NANOS);
        }
    }

    // ---------------------------------------------------------------- closing

    /** Stops the background thread and closes every socket and the selector. Idempotent. */
    @Override
    public void close() {
        closeCounting();
    }

    /**
     * {@link #close()}, returning the point-to-point messages (DATA frames with tag 0) still
     * unwritten that it drops: per peer rank, {count, bytes}; empty when none (or already closed).
     */
    Map<Integer, long[]> closeCounting() {
        Map<Integer, long[]> dropped = new TreeMap<>();
        if (closed) {
            return dropped;
        }
        closed = true;
        LockSupport.unpark(background);
        selector.wakeup();
        try {
            background.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        progress.lock();
        try {
            register(); // connections added at the last moment are closed too
            for (Conn c : new ArrayList<>(conns)) {
                synchronized (c.writeLock) {
                    for (Out o : c.out) {
                        if (o.type == FrameCodec.DATA && (o.meta & 0xFF) == 0 && o.tag == 0) {
                            long[] n = dropped.computeIfAbsent(c.peer, k -> new long[2]);
                            n[0]++;
                            n[1] += o.len;
                        }
                    }
                    failWrites(c, null, "the channel is closed");
                }
            }
            conns.clear();
            selector.close();
        } catch (IOException e) {
            log.debug("{} closing the selector: {}", prefix, e.toString());
        } finally {
            progress.unlock();
        }
        return dropped;
    }

    /** For tests: resets every connection (SO_LINGER 0) without a goodbye, as a process that dies. */
    void crash() {
        progress.lock();
        try {
            register();
            for (Conn c : conns) {
                try {
                    c.socket.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                } catch (IOException e) {
                    // closing anyway
                }
                synchronized (c.writeLock) {
                    failWrites(c, null, "crashed on purpose");
                }
            }
        } finally {
            progress.unlock();
        }
    }
}
