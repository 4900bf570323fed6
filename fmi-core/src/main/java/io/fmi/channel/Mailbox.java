package io.fmi.channel;

import io.fmi.FmiException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p>Thread-safe. Futures are completed outside the lock.
 */
public final class Mailbox {
    private static final ScheduledExecutorService TIMER = newTimer();

    private final Object lock = new Object();
    private final Map<Key, ArrayDeque<Object>> slots = new HashMap<>();
    private final Map<Integer, Throwable> failedPeers = new HashMap<>();
    private Throwable closed;

    private static ScheduledExecutorService newTimer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "fmi-deadline-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return Executors.unconfigurableScheduledExecutorService(t);
    }

    /**
     * Posts a receive of the next message from {@code src} with {@code tag} into {@code dst}. The
     * future fails with {@link io.fmi.FmiTimeoutException} at the operation's deadline, with
     * {@link io.fmi.PeerFailedException} if {@code src} fails first.
     */
    public CompletableFuture<Void> post(int src, long tag, Buf dst, OpContext op) {
        Posted p = new Posted(src, dst, op);
        List<Runnable> after = new ArrayList<>(1);
        synchronized (lock) {
            if (closed != null) {
                p.fail(op.error("communicator is closed"), after);
            } else {
                ArrayDeque<Object> q = slots.get(new Key(src, tag));
                Object head = q == null ? null : q.peekFirst();
                if (head instanceof byte[]) {
                    byte[] msg = (byte[]) head;
                    if (msg.length != dst.byteLength()) {
                        p.fail(sizeMismatch(op, src, msg.length, dst), after);
                    } else {
                        q.pollFirst();
                        if (q.isEmpty()) {
                            slots.remove(new Key(src, tag));
                        }
                        System.arraycopy(msg, 0, dst.array(), dst.offset(), msg.length);
                        p.claim();
                        after.add(p::succeed);
                    }
                } else if (failedPeers.containsKey(src)) {
                    Throwable why = failedPeers.get(src);
                    p.fail(op.peerFailed(src, String.valueOf(why.getMessage()), why), after);
                } else {
                    slots.computeIfAbsent(new Key(src, tag), k -> new ArrayDeque<>()).addLast(p);
                    p.key = new Key(src, tag);
                }
            }
        }
        after.forEach(Runnable::run);
        if (!p.future.isDone()) {
            long nanos = op.deadline().remainingNanos();
            p.timer = TIMER.schedule(() -> expire(p), nanos, TimeUnit.NANOSECONDS);
            if (p.future.isDone()) {
                p.timer.cancel(false); // completed while the timer was being set: do not keep it for the whole deadline
            }
        }
        return p.future;
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
        List<Runnable> after = new ArrayList<>(1);
        synchronized (lock) {
            if (closed != null) {
                return;
            }
            Key key = new Key(src, tag);
            ArrayDeque<Object> q = slots.get(key);
            boolean consumed = false;
            // A queue holds either posted receives or unexpected messages, never both.
            while (q != null && q.peekFirst() instanceof Posted) {
                Posted p = (Posted) q.pollFirst();
                if (!p.claim()) {
                    continue; // expired meanwhile
                }
                if (len != p.dst.byteLength()) {
                    p.failClaimed(sizeMismatch(p.op, src, len, p.dst), after);
                    continue; // the message stays for the next receive
                }
                if (view != null) {
                    view.duplicate().get(p.dst.array(), p.dst.offset(), len);
                } else {
                    System.arraycopy(owned, 0, p.dst.array(), p.dst.offset(), len);
                }
                after.add(p::succeed);
                consumed = true;
                break;
            }
            if (!consumed) {
                byte[] copy = owned;
                if (copy == null) {
                    copy = new byte[len];
                    view.duplicate().get(copy);
                }
                if (q == null) {
                    q = new ArrayDeque<>();
                    slots.put(key, q);
                }
                q.addLast(copy);
            } else if (q.isEmpty()) {
                slots.remove(key);
            }
        }
        after.forEach(Runnable::run);
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

    /** Whether {@code src} has been reported failed. */
    public boolean isFailed(int src) {
        synchronized (lock) {
            return failedPeers.containsKey(src);
        }
    }

    /** Fails every waiting receive and drops queued messages. */
    public void close(String why) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            if (closed != null) {
                return;
            }
            closed = new FmiException(why);
            for (ArrayDeque<Object> q : slots.values()) {
                for (Object o : q) {
                    if (o instanceof Posted) {
                        Posted p = (Posted) o;
                        if (p.claim()) {
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

    private void expire(Posted p) {
        synchronized (lock) {
            if (!p.claim()) {
                return;
            }
            ArrayDeque<Object> q = p.key == null ? null : slots.get(p.key);
            if (q != null) {
                q.remove(p);
                if (q.isEmpty()) {
                    slots.remove(p.key);
                }
            }
        }
        p.future.completeExceptionally(p.op.timeout(p.src, "receive of " + p.dst.byteLength() + " bytes"));
    }

    private static FmiException sizeMismatch(OpContext op, int src, int len, Buf dst) {
        return op.error("message from rank " + src + " has " + len + " bytes but the receive buffer holds "
                + dst.byteLength() + " bytes (" + dst + "); the message is kept for a receive of the right size");
    }

    private static final class Posted {
        final int src;
        final Buf dst;
        final OpContext op;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();
        Key key;
        volatile ScheduledFuture<?> timer;

        Posted(int src, Buf dst, OpContext op) {
            this.src = src;
            this.dst = dst;
            this.op = op;
        }

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        void fail(Throwable t, List<Runnable> after) {
            claim();
            failClaimed(t, after);
        }

        void failClaimed(Throwable t, List<Runnable> after) {
            after.add(() -> {
                future.completeExceptionally(t);
                cancelTimer();
            });
        }

        void succeed() {
            future.complete(null);
            cancelTimer();
        }

        private void cancelTimer() {
            ScheduledFuture<?> tm = timer;
            if (tm != null) {
                tm.cancel(false);
            }
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
