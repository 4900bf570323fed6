package io.fmi.channel;

import io.fmi.FmiException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
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
import java.util.function.Consumer;

/**
 * Matches incoming messages with posted receives, for channels of the peer-to-peer family.
 *
 * <p>A message is identified by its source (a channel rank, see {@link ChannelContext#channelRank}),
 * its communicator id ({@link ChannelContext#commId()}: 0 for the communicator that built the
 * channel, another id for each sub-communicator sharing it) and a tag (the operation's sequence
 * number, {@link OpContext#P2P_SEQ} for point-to-point). Messages with the same source,
 * communicator and tag are matched first in, first out. A receive either names its exact length
 * ({@link #post}) or takes a message of any length up to a limit ({@link #postAny}). When a receive is already posted the payload is copied straight
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
 * into it. A channel whose sender announces a large message before sending it (MPI's rendezvous
 * protocol) queues the {@link #announce announcement} in the message's place, under the message's
 * source, communicator and tag: a receive of that source, communicator and tag that takes its size
 * is bound to it (and the channel asks for the payload), one that refuses its size fails and leaves
 * it queued, and no payload is ever copied here.
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
    /** Sub-communicators closed on this mailbox; messages for them are dropped. */
    private final Set<Integer> closedComms = new java.util.HashSet<>();
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
        List<Receive<?>> overdue = new ArrayList<>();
        synchronized (lock) {
            for (ArrayDeque<Object> q : slots.values()) {
                for (Object o : q) {
                    if (o instanceof Receive && ((Receive<?>) o).op.deadline().expired()) {
                        overdue.add((Receive<?>) o);
                    }
                }
            }
        }
        overdue.forEach(this::expire);
    }

    /**
     * Posts a receive of the next message from channel rank {@code src} of communicator
     * {@code comm} with {@code tag} into {@code dst}, which must be exactly as long as the message.
     * The future fails with {@link io.fmi.FmiTimeoutException} at the operation's deadline (within
     * {@value #SWEEP_MILLIS} ms), with {@link io.fmi.PeerFailedException} if {@code src} fails first.
     *
     * @param src  the sender's channel rank
     * @param comm the communicator id ({@link ChannelContext#commId()})
     * @param tag  the operation's sequence number, {@link OpContext#P2P_SEQ} for point-to-point
     * @param dst  receives the message
     * @param op   the receiving call, for its deadline and error messages
     * @return completes once the message is in {@code dst}
     */
    public CompletableFuture<Void> post(int src, int comm, long tag, Buf dst, OpContext op) {
        return post(new Posted(src, dst, op), comm, tag);
    }

    /** {@link #post(int, int, long, Buf, OpContext)} for communicator 0, the channel's own. */
    public CompletableFuture<Void> post(int src, long tag, Buf dst, OpContext op) {
        return post(src, 0, tag, dst, op);
    }

    /**
     * Posts a receive of the next message from {@code src} of communicator {@code comm} with
     * {@code tag}, whatever its length up to {@code maxBytes}; the future completes with the
     * message's bytes. A longer message fails the receive with an error naming the limit and stays
     * queued. Deadlines and failures as for {@link #post(int, int, long, Buf, OpContext)}.
     *
     * @param src      the sender's channel rank
     * @param comm     the communicator id
     * @param tag      the operation's sequence number
     * @param maxBytes the longest message accepted ({@link ChannelContext#maxMessageBytes()})
     * @param op       the receiving call
     * @return completes with the message, an array the caller owns
     */
    public CompletableFuture<byte[]> postAny(int src, int comm, long tag, int maxBytes, OpContext op) {
        return post(new PostedAny(src, maxBytes, op), comm, tag);
    }

    private <T> Receive<T> post(Receive<T> p, int comm, long tag) {
        match(p, comm, tag, false);
        return p;
    }

    /**
     * Matches {@code p} with the first message of its source, communicator and tag, or queues it; a
     * receive given back ({@code requeue}, see {@link Claim#giveBack()}) is queued first in line,
     * where it was.
     */
    private void match(Receive<?> p, int comm, long tag, boolean requeue) {
        int src = p.src;
        OpContext op = p.op;
        Throwable failure = null;
        byte[] matched = null;
        Announced bound = null;
        synchronized (lock) {
            if (requeue) {
                CLAIMED.set(p, 0);
            }
            if (closed != null) {
                failure = op.error("communicator is closed");
            } else if (!closedComms.isEmpty() && closedComms.contains(comm)) {
                failure = op.error("communicator is closed");
            } else {
                Key key = requeue ? p.key : key(src, comm, tag);
                p.key = key;
                ArrayDeque<Object> q = slots.get(key);
                Object head = q == null ? null : q.peekFirst();
                if (head instanceof Announced) {
                    Announced a = (Announced) head;
                    failure = p.refuse(a.length);
                    if (failure == null) {
                        q.pollFirst();
                        dropIfEmpty(key, q);
                        bound = a;
                    }
                } else if (head instanceof byte[]) {
                    byte[] msg = (byte[]) head;
                    failure = p.refuse(msg.length);
                    if (failure == null) {
                        q.pollFirst();
                        dropIfEmpty(key, q);
                        matched = msg;
                    }
                } else if (failedPeers.containsKey(src)) {
                    Throwable why = failedPeers.get(src);
                    failure = op.peerFailed(named(op, src), String.valueOf(why.getMessage()), why);
                } else {
                    if (q == null) {
                        q = new ArrayDeque<>();
                        slots.put(key, q);
                    }
                    if (requeue) {
                        q.addFirst(p);
                    } else {
                        q.addLast(p);
                    }
                    waiting.incrementAndGet();
                }
            }
        }
        if (failure != null) {
            p.claim();
            p.completeExceptionally(failure);
        } else if (matched != null) {
            p.claim();
            p.take(matched); // a queued message is a private copy: a receive of any size keeps the array
        } else if (bound != null) {
            p.claim();
            bound.onMatch.accept(new Claim(this, p, bound.length));
        }
    }

    /**
     * The key of {@code (src, comm, tag)}. Point-to-point keys of communicator 0 are made once per
     * source and their queues stay in the map when empty, so a stream of point-to-point messages
     * allocates no keys or queues.
     */
    private Key key(int src, int comm, long tag) {
        if (tag != OpContext.P2P_SEQ || comm != 0 || src < 0) {
            return new Key(src, comm, tag);
        }
        if (src >= p2pKeys.length) {
            p2pKeys = Arrays.copyOf(p2pKeys, Math.max(src + 1, 2 * p2pKeys.length));
        }
        Key k = p2pKeys[src];
        if (k == null) {
            k = new Key(src, 0, tag);
            p2pKeys[src] = k;
        }
        return k;
    }

    /** Under the lock: forgets an empty queue, except the cached point-to-point ones of communicator 0. */
    private void dropIfEmpty(Key key, ArrayDeque<Object> q) {
        if (q.isEmpty() && (key.tag != OpContext.P2P_SEQ || key.comm != 0)) {
            slots.remove(key);
        }
    }

    /**
     * Delivers a message from channel rank {@code src} of communicator {@code comm}; the payload
     * (position..limit) is copied, the caller keeps its buffer.
     *
     * @param src     the sender's channel rank
     * @param comm    the communicator id the message carries
     * @param tag     the tag it carries
     * @param payload the message, between position and limit
     */
    public void deliver(int src, int comm, long tag, ByteBuffer payload) {
        deliver(src, comm, tag, payload, null);
    }

    /** {@link #deliver(int, int, long, ByteBuffer)} for communicator 0, the channel's own. */
    public void deliver(int src, long tag, ByteBuffer payload) {
        deliver(src, 0, tag, payload, null);
    }

    /**
     * Delivers a message whose array the mailbox may keep (no copy when nobody waits yet, nor when
     * a receive of any size waits).
     *
     * @param src     the sender's channel rank
     * @param comm    the communicator id the message carries
     * @param tag     the tag it carries
     * @param payload the message; the caller gives it up
     */
    public void deliverOwned(int src, int comm, long tag, byte[] payload) {
        deliver(src, comm, tag, null, Objects.requireNonNull(payload, "payload"));
    }

    private void deliver(int src, int comm, long tag, ByteBuffer view, byte[] owned) {
        int len = view != null ? view.remaining() : owned.length;
        List<Runnable> after = null; // failures to report outside the lock; rare
        Receive<?> matched = null;
        byte[] taken = null;
        synchronized (lock) {
            if (closed != null || (!closedComms.isEmpty() && closedComms.contains(comm))) {
                return;
            }
            Key key = key(src, comm, tag);
            ArrayDeque<Object> q = slots.get(key);
            boolean consumed = false;
            // A queue holds either posted receives or unexpected messages (copies, announcements), never both.
            while (q != null && q.peekFirst() instanceof Receive) {
                Receive<?> p = (Receive<?>) q.pollFirst();
                if (!p.claim()) {
                    continue; // expired meanwhile
                }
                waiting.decrementAndGet();
                FmiException refused = p.refuse(len);
                if (refused != null) {
                    if (after == null) {
                        after = new ArrayList<>(1);
                    }
                    p.failClaimed(refused, after);
                    continue; // the message stays for the next receive
                }
                if (p instanceof Posted) {
                    Buf dst = ((Posted) p).dst;
                    if (view != null) {
                        view.get(view.position(), dst.array(), dst.offset(), len);
                    } else {
                        System.arraycopy(owned, 0, dst.array(), dst.offset(), len);
                    }
                } else {
                    taken = owned != null ? owned : copyOf(view, len);
                }
                matched = p;
                consumed = true;
                break;
            }
            if (!consumed) {
                byte[] copy = owned != null ? owned : copyOf(view, len);
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
            matched.take(taken);
        }
    }

    private static byte[] copyOf(ByteBuffer view, int len) {
        byte[] copy = new byte[len];
        view.get(view.position(), copy);
        return copy;
    }

    /**
     * Announces a message that {@code src} will send once a receive for it is posted (a channel's
     * rendezvous protocol): the announcement takes the message's place in the matching, first in,
     * first out with the other messages of {@code src}, {@code comm} and {@code tag}, so only a
     * receive of that communicator and tag can take it. When a receive that takes a message of
     * {@code length} bytes takes it, now or when one is posted later, it is claimed for the message
     * (its deadline no longer applies) and {@code onMatch} gets the {@link Claim}, outside the lock,
     * on the thread that matched: the channel then asks the sender for the payload and writes it
     * into {@link Claim#buffer()}. A receive that refuses the size fails with the size error and
     * leaves the announcement queued; {@link #withdrawAnnounced} with the same {@code onMatch} takes
     * it back. An announcement for a closed sub-communicator is dropped.
     *
     * @param src     the sender's channel rank
     * @param comm    the communicator id the message carries
     * @param tag     the tag it carries
     * @param length  the message's length in bytes
     * @param onMatch told, once, of the receive bound to the message
     */
    public void announce(int src, int comm, long tag, int length, Consumer<Claim> onMatch) {
        Objects.requireNonNull(onMatch, "onMatch");
        List<Runnable> after = null;
        Receive<?> bound = null;
        Announced a = new Announced(length, onMatch);
        synchronized (lock) {
            if (closed != null || (!closedComms.isEmpty() && closedComms.contains(comm))) {
                return;
            }
            Key key = key(src, comm, tag);
            ArrayDeque<Object> q = slots.get(key);
            while (q != null && q.peekFirst() instanceof Receive) {
                Receive<?> p = (Receive<?>) q.pollFirst();
                if (!p.claim()) {
                    continue; // expired meanwhile
                }
                waiting.decrementAndGet();
                FmiException refused = p.refuse(length);
                if (refused != null) {
                    if (after == null) {
                        after = new ArrayList<>(1);
                    }
                    p.failClaimed(refused, after);
                    continue; // the announcement stays for the next receive
                }
                bound = p;
                break;
            }
            if (bound == null) {
                if (q == null) {
                    q = new ArrayDeque<>();
                    slots.put(key, q);
                }
                q.addLast(a);
            } else {
                dropIfEmpty(key, q);
            }
        }
        if (after != null) {
            after.forEach(Runnable::run);
        }
        if (bound != null) {
            onMatch.accept(new Claim(this, bound, length));
        }
    }

    /**
     * Takes back the announcement made by {@link #announce} with {@code onMatch} if no receive took
     * it yet (its sender gave up); false if a receive took it (or it is gone with its peer or
     * communicator).
     *
     * @param src     the sender's channel rank
     * @param comm    the communicator id it was announced with
     * @param tag     the tag it was announced with
     * @param onMatch the consumer given to {@link #announce}
     * @return whether it was still queued and is now gone
     */
    public boolean withdrawAnnounced(int src, int comm, long tag, Consumer<Claim> onMatch) {
        synchronized (lock) {
            Key key = key(src, comm, tag);
            ArrayDeque<Object> q = slots.get(key);
            if (q == null) {
                return false;
            }
            for (Iterator<Object> it = q.iterator(); it.hasNext(); ) {
                Object o = it.next();
                if (o instanceof Announced && ((Announced) o).onMatch == onMatch) {
                    it.remove();
                    dropIfEmpty(key, q);
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Fails every receive waiting on {@code src}, and later ones that find no queued message;
     * announcements of {@code src} are dropped (their payload can no longer come).
     *
     * @param src   the failed peer's channel rank
     * @param cause why it failed
     */
    public void failPeer(int src, Throwable cause) {
        fail(src, cause, true);
    }

    /**
     * Fails the receives waiting on {@code src} now (e.g. a connection to it could not be opened
     * this time), without marking {@code src} failed: a later receive waits as usual.
     *
     * @param src   the peer's channel rank
     * @param cause what the receives fail with
     */
    public void failWaiting(int src, Throwable cause) {
        fail(src, cause, false);
    }

    private void fail(int src, Throwable cause, boolean forever) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            if (forever) {
                failedPeers.putIfAbsent(src, cause);
            }
            for (Map.Entry<Key, ArrayDeque<Object>> e : slots.entrySet()) {
                boolean fromSrc = e.getKey().src == src;
                e.getValue().removeIf(o -> {
                    if (o instanceof Receive && ((Receive<?>) o).src == src) {
                        Receive<?> p = (Receive<?>) o;
                        if (p.claim()) {
                            waiting.decrementAndGet();
                            p.failClaimed(p.op.peerFailed(named(p.op, src), String.valueOf(cause.getMessage()), cause), after);
                        }
                        return true;
                    }
                    return forever && fromSrc && o instanceof Announced;
                });
            }
            slots.values().removeIf(ArrayDeque::isEmpty);
        }
        after.forEach(Runnable::run);
    }

    /**
     * A sub-communicator using this mailbox closed: its waiting receives fail with {@code why}, its
     * queued messages are dropped, and messages arriving for it later are discarded. Other
     * communicators' messages are untouched.
     *
     * @param comm the closed communicator's id, not 0
     * @param why  what the failed receives say
     */
    public void closeComm(int comm, String why) {
        if (comm == 0) {
            throw new IllegalArgumentException("comm: 0 (expected: a sub-communicator; close the mailbox instead)");
        }
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            if (closed != null) {
                return;
            }
            closedComms.add(comm);
            slots.entrySet().removeIf(e -> {
                if (e.getKey().comm != comm) {
                    return false;
                }
                for (Object o : e.getValue()) {
                    if (o instanceof Receive) {
                        Receive<?> p = (Receive<?>) o;
                        if (p.claim()) {
                            waiting.decrementAndGet();
                            p.failClaimed(p.op.error(why), after);
                        }
                    }
                }
                return true;
            });
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
                    if (o instanceof Receive) {
                        Receive<?> p = (Receive<?>) o;
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

    /** Number of queued unexpected messages, announced ones included (for tests and diagnostics). */
    public int queuedMessages() {
        synchronized (lock) {
            int n = 0;
            for (ArrayDeque<Object> q : slots.values()) {
                for (Object o : q) {
                    if (o instanceof byte[] || o instanceof Announced) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /**
     * Withdraws a receive returned by {@link #post} or {@link #postAny} that its waiter gave up
     * on: it fails with a timeout and a message arriving later stays queued. Returns false if it
     * had already completed.
     */
    public boolean withdraw(CompletableFuture<?> receive) {
        synchronized (lock) {
            for (ArrayDeque<Object> q : slots.values()) {
                for (Object o : q) {
                    if (o == receive) {
                        return expire((Receive<?>) o);
                    }
                }
            }
        }
        return false;
    }

    private boolean expire(Receive<?> p) {
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
        p.completeExceptionally(p.op.timeout(named(p.op, p.src), p.describe()));
        return true;
    }

    /**
     * For channels that read a frame's header before its payload: claims the receive waiting for
     * the next message from {@code src} of communicator {@code comm} with {@code tag} if it takes
     * a message of {@code length} bytes (a receive of exactly that length, or of any length up to
     * at least that). The caller writes the payload into {@link Claim#buffer()} and calls
     * {@link Claim#complete()} (or {@link Claim#fail}); the deadline no longer applies to it.
     * Returns null when no such receive is waiting: deliver the message with {@link #deliver}
     * then, which also handles a receive that refuses it.
     *
     * @param src    the sender's channel rank
     * @param comm   the communicator id the frame carries
     * @param tag    the tag it carries
     * @param length the payload's length
     * @return the claimed receive, or null
     */
    public Claim claim(int src, int comm, long tag, int length) {
        synchronized (lock) {
            if (closed != null) {
                return null;
            }
            Key key = key(src, comm, tag);
            ArrayDeque<Object> q = slots.get(key);
            while (q != null && q.peekFirst() instanceof Receive) {
                Receive<?> p = (Receive<?>) q.peekFirst();
                if (p.claimed()) {
                    q.pollFirst(); // expired meanwhile
                    continue;
                }
                if (p.refuses(length) || !p.claim()) {
                    return null;
                }
                q.pollFirst();
                dropIfEmpty(key, q);
                waiting.decrementAndGet();
                return new Claim(this, p, length);
            }
            return null;
        }
    }

    /** {@link #claim(int, int, long, int)} for communicator 0, the channel's own. */
    public Claim claim(int src, long tag, int length) {
        return claim(src, 0, tag, length);
    }

    /**
     * A receive claimed by {@link #claim} or bound to an {@link #announce announcement}: fill
     * {@link #buffer()}, then {@link #complete()}; or {@link #fail}, or {@link #giveBack()}. Not thread-safe.
     */
    public static final class Claim {
        private final Mailbox mailbox;
        private final Receive<?> posted;
        private final Buf buffer;
        private final byte[] any;

        private Claim(Mailbox mailbox, Receive<?> posted, int length) {
            this.mailbox = mailbox;
            this.posted = posted;
            if (posted instanceof Posted) {
                this.buffer = ((Posted) posted).dst;
                this.any = null;
            } else {
                this.any = new byte[length];
                this.buffer = Buf.wrap(io.fmi.DataType.BYTE, any, 0, length);
            }
        }

        /**
         * The message it was claimed for will not come (its sender withdrew the announcement): the
         * receive waits again, first in line, for the next message of its source, communicator and
         * tag, under its own deadline. Only before any byte was written into {@link #buffer()}.
         */
        public void giveBack() {
            mailbox.match(posted, posted.key.comm, posted.key.tag, true);
        }

        /** The buffer to write the payload into, exactly as long as the message. */
        public Buf buffer() {
            return buffer;
        }

        /** The payload is in {@link #buffer()}: the receive completes. */
        public void complete() {
            posted.take(any);
        }

        /**
         * The payload will not come: the receive fails.
         *
         * @param cause what it fails with
         */
        public void fail(Throwable cause) {
            posted.completeExceptionally(cause);
        }
    }

    /** The rank to name in errors about channel rank {@code src}: its rank in the caller's communicator. */
    private static int named(OpContext op, int src) {
        int r = op.channel().rankOf(src);
        return r >= 0 ? r : src;
    }

    private static final AtomicIntegerFieldUpdater<Receive> CLAIMED = AtomicIntegerFieldUpdater.newUpdater(Receive.class, "claimed");

    /** A posted receive, and the future its caller waits on (one object per receive). */
    private abstract static class Receive<T> extends CompletableFuture<T> {
        final int src;
        final OpContext op;
        /** 1 once matched, failed or expired; see {@link #claim()}. */
        volatile int claimed;
        Key key;

        Receive(int src, OpContext op) {
            this.src = src;
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

        /** Whether a message of {@code len} bytes cannot be taken by this receive. */
        abstract boolean refuses(int len);

        /** Why a message of {@code len} bytes cannot be taken, or null when it can. */
        abstract FmiException refuse(int len);

        /** Completes with the message, already copied into the receive buffer or handed over as {@code message}. */
        abstract void take(byte[] message);

        /** What the receive waits for, for a timeout's message. */
        abstract String describe();
    }

    /** A receive into a buffer of the message's exact length. */
    private static final class Posted extends Receive<Void> {
        final Buf dst;

        Posted(int src, Buf dst, OpContext op) {
            super(src, op);
            this.dst = dst;
        }

        @Override
        boolean refuses(int len) {
            return len != dst.byteLength();
        }

        @Override
        FmiException refuse(int len) {
            if (len == dst.byteLength()) {
                return null;
            }
            return op.error("message from rank " + named(op, src) + " has " + len + " bytes but the receive buffer holds "
                    + dst.byteLength() + " bytes (" + dst + "); the message is kept for a receive of the right size");
        }

        @Override
        void take(byte[] message) {
            if (message != null) {
                System.arraycopy(message, 0, dst.array(), dst.offset(), message.length);
            }
            complete(null);
        }

        @Override
        String describe() {
            return "receive of " + dst.byteLength() + " bytes";
        }
    }

    /** A receive of a message of any length up to a limit, completing with the message's bytes. */
    private static final class PostedAny extends Receive<byte[]> {
        final int maxBytes;

        PostedAny(int src, int maxBytes, OpContext op) {
            super(src, op);
            this.maxBytes = maxBytes;
        }

        @Override
        boolean refuses(int len) {
            return len > maxBytes;
        }

        @Override
        FmiException refuse(int len) {
            if (len <= maxBytes) {
                return null;
            }
            return op.error("message from rank " + named(op, src) + " has " + len + " bytes, more than the limit of "
                    + maxBytes + " bytes (backends." + op.channel().backend().name() + "." + ChannelContext.MAX_MESSAGE_BYTES_KEY
                    + "); the message is kept");
        }

        @Override
        void take(byte[] message) {
            complete(message);
        }

        @Override
        String describe() {
            return "receive of a message of any size";
        }
    }

    /** A message its sender announced and sends once a receive is bound to it; queued in its place. */
    private static final class Announced {
        final int length;
        final Consumer<Claim> onMatch;

        Announced(int length, Consumer<Claim> onMatch) {
            this.length = length;
            this.onMatch = onMatch;
        }
    }

    private static final class Key {
        final int src;
        final int comm;
        final long tag;

        Key(int src, int comm, long tag) {
            this.src = src;
            this.comm = comm;
            this.tag = tag;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).src == src && ((Key) o).comm == comm && ((Key) o).tag == tag;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * src + comm) + Long.hashCode(tag);
        }
    }
}
