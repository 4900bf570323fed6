package io.fmi.channel;

import io.fmi.FmiException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Matches incoming messages with posted receives, for channels of the peer-to-peer family.
 *
 * <p>A message is identified by its source rank and a tag (the operation's sequence number,
 * {@link OpContext#P2P_SEQ} for point-to-point). Messages with the same source and tag are
 * matched first in, first out. When a receive is already posted the payload is copied straight
 * into the caller's buffer; otherwise it waits in an unexpected-message queue as a private copy.
 *
 * <p>A message whose length differs from the posted buffer fails that receive with a clear error
 * and stays queued for the next receive: nothing is truncated, nothing is lost. A receive that
 * reaches its deadline is withdrawn, so a message arriving later is kept for the next receive
 * rather than written into a buffer the caller has given up on.
 *
 * <p>Deadlines are enforced by a sweeper that expires waiting receives every
 * {@value #SWEEP_MILLIS} ms: posting a receive schedules nothing, so the hot path stays free of
 * timer work. By default one sweeper thread ({@code fmi-deadline-sweeper}) serves every mailbox of
 * the JVM; it starts with the first open mailbox and ends when none is left (closed or collected),
 * so FMI leaves no thread behind. A mailbox made with a {@link ScheduledExecutorService} (the
 * scheduler given to the communicator's builder) sweeps on it instead and cancels its task at
 * {@link #close}; that scheduler stays its owner's to shut down. A channel that reads a frame
 * header before its payload can {@link #claim} the posted receive and write the payload straight
 * into it.
 *
 * <p>Thread-safe. Futures are completed outside the lock.
 */
public final class Mailbox {
    /** Granularity of deadline enforcement. */
    public static final int SWEEP_MILLIS = 10;
    /** Open mailboxes swept by the shared sweeper; weak, so an unclosed mailbox does not keep it alive. */
    private static final Set<Mailbox> LIVE = Collections.newSetFromMap(new WeakHashMap<>());
    /** Whether the shared sweeper thread runs; under {@code LIVE}'s lock. */
    private static boolean sweeperRunning;

    private final Object lock = new Object();
    /** Receives posted and not yet matched; the sweeper skips mailboxes where it is 0. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final Map<Key, ArrayDeque<Object>> slots = new HashMap<>();
    private final Map<Integer, Throwable> failedPeers = new HashMap<>();
    /** Keys of point-to-point messages by source; under the lock. */
    private Key[] p2pKeys = new Key[0];
    private Throwable closed;
    /** The sweep task on a user's scheduler, or null with the shared sweeper. */
    private final ScheduledFuture<?> sweep;

    /** A mailbox whose deadlines the shared sweeper thread enforces. */
    public Mailbox() {
        this.sweep = null;
        synchronized (LIVE) {
            LIVE.add(this);
            if (!sweeperRunning) {
                sweeperRunning = true;
                Thread sweeper = new Thread(Mailbox::sweepWhileLive, "fmi-deadline-sweeper");
                sweeper.setDaemon(true);
                sweeper.start();
            }
        }
    }

    /**
     * A mailbox whose deadlines a task on {@code scheduler} enforces.
     *
     * @param scheduler runs the sweep every {@value #SWEEP_MILLIS} ms; not shut down by the mailbox
     */
    public Mailbox(ScheduledExecutorService scheduler) {
        WeakReference<Mailbox> self = new WeakReference<>(this);
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        // The task holds the mailbox weakly: one that is never closed still gets collected, and its task ends.
        task.set(scheduler.scheduleWithFixedDelay(() -> {
            Mailbox m = self.get();
            if (m == null) {
                ScheduledFuture<?> t = task.get();
                if (t != null) {
                    t.cancel(false);
                }
            } else if (m.waiting.get() > 0) {
                m.expireOverdue();
            }
        }, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS));
        this.sweep = task.get();
    }

    private static void sweepWhileLive() {
        while (true) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SWEEP_MILLIS));
            Mailbox[] all;
            synchronized (LIVE) {
                all = LIVE.toArray(new Mailbox[0]);
                if (all.length == 0) {
                    sweeperRunning = false;
                    return;
                }
            }
            for (Mailbox m : all) {
                if (m.waiting.get() > 0) {
                    m.expireOverdue();
                }
            }
        }
    }

    /** Fails every waiting receive whose deadline has passed. */
    private void expireOverdue() {
        List<Posted> overdue = new ArrayList<>();
        synchronized (lock) {
            for (ArrayDeque<Object> q : slots.values()) {
                for (Object o : q) {
                    if (o instanceof Posted && ((Posted) o).op.deadline().expired()) {
                        overdue.add((Posted) o);
                    }
                }
            }
        }
        overdue.forEach(this::expire);
    }

    /**
     * Posts a receive of the next message from {@code src} with {@code tag} into {@code dst}. The
     * future fails with {@link io.fmi.FmiTimeoutException} at the operation's deadline (within
     * {@value #SWEEP_MILLIS} ms), with {@link io.fmi.PeerFailedException} if {@code src} fails first.
     */
    public CompletableFuture<Void> post(int src, long tag, Buf dst, OpContext op) {
        Posted p = new Posted(src, dst, op);
        Throwable failure = null;
        boolean matched = false;
        synchronized (lock) {
            if (closed != null) {
                failure = op.error("communicator is closed");
            } else {
                Key key = key(src, tag);
                ArrayDeque<Object> q = slots.get(key);
                Object head = q == null ? null : q.peekFirst();
                if (head instanceof byte[]) {
                    byte[] msg = (byte[]) head;
                    if (msg.length != dst.byteLength()) {
                        failure = sizeMismatch(op, src, msg.length, dst);
                    } else {
                        q.pollFirst();
                        dropIfEmpty(key, q);
                        System.arraycopy(msg, 0, dst.array(), dst.offset(), msg.length);
                        matched = true;
                    }
                } else if (failedPeers.containsKey(src)) {
                    Throwable why = failedPeers.get(src);
                    failure = op.peerFailed(src, String.valueOf(why.getMessage()), why);
                } else {
                    if (q == null) {
                        q = new ArrayDeque<>();
                        slots.put(key, q);
                    }
                    q.addLast(p);
                    p.key = key;
                    waiting.incrementAndGet();
                }
            }
        }
        if (failure != null) {
            p.claim();
            p.completeExceptionally(failure);
        } else if (matched) {
            p.claim();
            p.succeed();
        }
        return p;
    }

    /**
     * The key of {@code (src, tag)}. Point-to-point keys are made once per source and their queues
     * stay in the map when empty, so a stream of point-to-point messages allocates no keys or queues.
     */
    private Key key(int src, long tag) {
        if (tag != OpContext.P2P_SEQ || src < 0) {
            return new Key(src, tag);
        }
        if (src >= p2pKeys.length) {
            p2pKeys = Arrays.copyOf(p2pKeys, Math.max(src + 1, 2 * p2pKeys.length));
        }
        Key k = p2pKeys[src];
        if (k == null) {
            k = new Key(src, tag);
            p2pKeys[src] = k;
        }
        return k;
    }

    /** Under the lock: forgets an empty queue of a collective's tag (those tags are not used again). */
    private void dropIfEmpty(Key key, ArrayDeque<Object> q) {
        if (q.isEmpty() && key.tag != OpContext.P2P_SEQ) {
            slots.remove(key);
        }
    }

    /** Delivers a message; the payload (position..limit) is copied, the caller keeps its buffer. */
    public void deliver(int src, long tag, ByteBuffer payload) {
        deliver(src, tag, payload, null);
    }

    /** Delivers a message whose array the mailbox may keep (no copy when nobody waits yet). */
    public void deliverOwned(int src, long tag, byte[] payload) {
        deliver(src, tag, null, Objects.requireNonNull(payload, "payload"));
    }

    private void deliver(int src, long tag, ByteBuffer view, byte[] owned) {
        int len = view != null ? view.remaining() : owned.length;
        List<Runnable> after = null; // failures to report outside the lock; rare
        Posted matched = null;
        synchronized (lock) {
            if (closed != null) {
                return;
            }
            Key key = key(src, tag);
            ArrayDeque<Object> q = slots.get(key);
            boolean consumed = false;
            // A queue holds either posted receives or unexpected messages, never both.
            while (q != null && q.peekFirst() instanceof Posted) {
                Posted p = (Posted) q.pollFirst();
                if (!p.claim()) {
                    continue; // expired meanwhile
                }
                waiting.decrementAndGet();
                if (len != p.dst.byteLength()) {
                    if (after == null) {
                        after = new ArrayList<>(1);
                    }
                    p.failClaimed(sizeMismatch(p.op, src, len, p.dst), after);
                    continue; // the message stays for the next receive
                }
                if (view != null) {
                    view.get(view.position(), p.dst.array(), p.dst.offset(), len);
                } else {
                    System.arraycopy(owned, 0, p.dst.array(), p.dst.offset(), len);
                }
                matched = p;
                consumed = true;
                break;
            }
            if (!consumed) {
                byte[] copy = owned;
                if (copy == null) {
                    copy = new byte[len];
                    view.get(view.position(), copy);
                }
                if (q == null) {
                    q = new ArrayDeque<>();
                    slots.put(key, q);
                }
                q.addLast(copy);
            } else {
                dropIfEmpty(key, q);
            }
        }
        if (after != null) {
            after.forEach(Runnable::run);
        }
        if (matched != null) {
            matched.succeed();
        }
    }

    /** Fails every receive waiting on {@code src}, and later ones that find no queued message. */
    public void failPeer(int src, Throwable cause) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            failedPeers.putIfAbsent(src, cause);
            for (ArrayDeque<Object> q : slots.values()) {
                q.removeIf(o -> {
                    if (o instanceof Posted && ((Posted) o).src == src) {
                        Posted p = (Posted) o;
                        if (p.claim()) {
                            waiting.decrementAndGet();
                            p.failClaimed(p.op.peerFailed(src, String.valueOf(cause.getMessage()), cause), after);
                        }
                        return true;
                    }
                    return false;
                });
            }
            slots.values().removeIf(ArrayDeque::isEmpty);
        }
        after.forEach(Runnable::run);
    }

    /** Fails every waiting receive and drops queued messages. */
    public void close(String why) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            if (closed != null) {
                return;
            }
            closed = new FmiException(why);
            if (sweep != null) {
                sweep.cancel(false);
            } else {
                synchronized (LIVE) {
                    LIVE.remove(this);
                }
            }
            for (ArrayDeque<Object> q : slots.values()) {
                for (Object o : q) {
                    if (o instanceof Posted) {
                        Posted p = (Posted) o;
                        if (p.claim()) {
                            waiting.decrementAndGet();
                            p.failClaimed(p.op.error(why), after);
                        }
                    }
                }
            }
            slots.clear();
        }
        after.forEach(Runnable::run);
    }

    /** Number of queued unexpected messages (for tests and diagnostics). */
    public int queuedMessages() {
        synchronized (lock) {
            int n = 0;
            for (ArrayDeque<Object> q : slots.values()) {
                for (Object o : q) {
                    if (o instanceof byte[]) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /**
     * Withdraws a receive returned by {@link #post} that its waiter gave up on: it fails with a
     * timeout and a message arriving later stays queued. Returns false if it had already completed.
     */
    public boolean withdraw(CompletableFuture<Void> receive) {
        synchronized (lock) {
            for (ArrayDeque<Object> q : slots.values()) {
                for (Object o : q) {
                    if (o == receive) {
                        return expire((Posted) o);
                    }
                }
            }
        }
        return false;
    }

    private boolean expire(Posted p) {
        synchronized (lock) {
            if (!p.claim()) {
                return false;
            }
            waiting.decrementAndGet();
            ArrayDeque<Object> q = p.key == null ? null : slots.get(p.key);
            if (q != null) {
                q.remove(p);
                dropIfEmpty(p.key, q);
            }
        }
        p.completeExceptionally(p.op.timeout(p.src, "receive of " + p.dst.byteLength() + " bytes"));
        return true;
    }

    /**
     * For channels that read a frame's header before its payload: claims the receive waiting for
     * the next message from {@code src} with {@code tag} if its buffer holds exactly
     * {@code length} bytes. The caller writes the payload into {@link Claim#buffer()} and calls
     * {@link Claim#complete()} (or {@link Claim#fail}); the deadline no longer applies to it.
     * Returns null when no such receive is waiting: deliver the message with {@link #deliver}
     * then, which also handles a receive of the wrong size.
     */
    public Claim claim(int src, long tag, int length) {
        synchronized (lock) {
            if (closed != null) {
                return null;
            }
            Key key = key(src, tag);
            ArrayDeque<Object> q = slots.get(key);
            while (q != null && q.peekFirst() instanceof Posted) {
                Posted p = (Posted) q.peekFirst();
                if (p.claimed()) {
                    q.pollFirst(); // expired meanwhile
                    continue;
                }
                if (p.dst.byteLength() != length || !p.claim()) {
                    return null;
                }
                q.pollFirst();
                dropIfEmpty(key, q);
                waiting.decrementAndGet();
                return new Claim(p);
            }
            return null;
        }
    }

    /** A receive claimed by {@link #claim}: fill {@link #buffer()}, then {@link #complete()}. Not thread-safe. */
    public static final class Claim {
        private final Posted posted;

        private Claim(Posted posted) {
            this.posted = posted;
        }

        /** The caller's receive buffer, exactly as long as the message. */
        public Buf buffer() {
            return posted.dst;
        }

        public void complete() {
            posted.succeed();
        }

        public void fail(Throwable cause) {
            posted.completeExceptionally(cause);
        }
    }

    private static FmiException sizeMismatch(OpContext op, int src, int len, Buf dst) {
        return op.error("message from rank " + src + " has " + len + " bytes but the receive buffer holds "
                + dst.byteLength() + " bytes (" + dst + "); the message is kept for a receive of the right size");
    }

    private static final AtomicIntegerFieldUpdater<Posted> CLAIMED = AtomicIntegerFieldUpdater.newUpdater(Posted.class, "claimed");

    /** A posted receive, and the future its caller waits on (one object per receive). */
    private static final class Posted extends CompletableFuture<Void> {
        final int src;
        final Buf dst;
        final OpContext op;
        /** 1 once matched, failed or expired; see {@link #claim()}. */
        private volatile int claimed;
        Key key;

        Posted(int src, Buf dst, OpContext op) {
            this.src = src;
            this.dst = dst;
            this.op = op;
        }

        boolean claim() {
            return CLAIMED.compareAndSet(this, 0, 1);
        }

        boolean claimed() {
            return claimed != 0;
        }

        void failClaimed(Throwable t, List<Runnable> after) {
            after.add(() -> completeExceptionally(t));
        }

        void succeed() {
            complete(null);
        }
    }

    private static final class Key {
        final int src;
        final long tag;

        Key(int src, long tag) {
            this.src = src;
            this.tag = tag;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).src == src && ((Key) o).tag == tag;
        }

        @Override
        public int hashCode() {
            return 31 * src + Long.hashCode(tag);
        }
    }
}
