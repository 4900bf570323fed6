package io.fmi.channel;

import io.fmi.BackendConfig;
import io.fmi.ChannelException;
import io.fmi.FmiConfigException;
import io.fmi.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who holds each rank of a run on a store, and whether it is still there: the job identity and
 * peer liveness of a {@link MediatedChannel}.
 *
 * <h2>Member records</h2>
 * When its channel first carries an operation, each rank <b>claims</b> its slot by creating the
 * record {@code <scope>/member/<rank>} only if it does not exist (Redis {@code SET NX}, DynamoDB
 * {@code attribute_not_exists}, S3 {@code If-None-Match: *}), holding a random nonce of this
 * process:
 * <pre>
 *   fmi-member v1 nonce=9f3c0a71d2e4b856 beat=17 state=open pid=4711
 * </pre>
 * A second process claiming the same rank of the same name and run id finds the record and fails
 * with a {@link ChannelException} naming the name, run id and rank. When the holder claimed its
 * slot only moments ago (fewer than {@value #SETTLED_BEATS} heartbeats), the two are taken for two
 * launches started together, whose ranks may have paired up across the launches: the loser then
 * also writes the run's abort marker, so that every rank of both fails at its next wait. A later
 * claimant (a duplicate delivery of one rank's event, a rerun with a used run id) fails alone and
 * leaves the running job be. Records are not deleted at close: they outlive the run until the
 * store's TTL (or lifecycle rule) removes them, so a rerun with the same run id is refused too
 * instead of reading what the first run left unread.
 *
 * <h2>Liveness</h2>
 * While the channel is open a heartbeat rewrites the record every {@code heartbeat_ms} with the
 * next beat number, on a timer ({@link ChannelContext#scheduler()}, else one daemon thread shared
 * by every channel of the JVM) that hands the store request to {@link ChannelContext#executor()}.
 * At close the record says {@code state=closing} while the closing barrier runs and
 * {@code state=closed} after it; after an abort {@code state=aborted}. A waiting
 * peer {@link #check checks} a record between two waits: closed or aborted is reported at once;
 * a beat number that has not changed for {@code liveness_ms} (measured on the checker's own
 * clock, so the peers' clocks need not agree) means the holder died or is frozen. The window
 * counts only time in which the checker watched: after a stretch without checks (the store did
 * not answer, or the checker itself was frozen) it starts again, so an outage of the store is
 * never taken for silent peers. A rank that has
 * no record yet has not opened the channel: it may be starting, so it is waited for until the
 * deadline. {@code liveness_ms = 0} turns heartbeats and the silence check off; claims and the
 * closed and aborted states remain.
 *
 * <p>Thread-safe: the join is synchronized, the rest is volatile or in concurrent maps.
 */
final class StoreMembership {
    private static final Logger log = LoggerFactory.getLogger(StoreMembership.class);

    /** Config key of the silence after which a peer counts as failed, in ms; 0 turns liveness off. */
    static final String LIVENESS_KEY = "liveness_ms";
    /** Config key of the heartbeat interval, in ms. */
    static final String HEARTBEAT_KEY = "heartbeat_ms";
    /** Default {@value #LIVENESS_KEY}: {@value} ms. */
    static final long DEFAULT_LIVENESS_MS = 6000;
    /** {@value #HEARTBEAT_KEY} by default: a third of {@value #LIVENESS_KEY}, so two beats may go missing. */
    static final int DEFAULT_BEATS_PER_WINDOW = 3;
    /** A holder with fewer beats than this claimed its slot moments ago (see the class documentation). */
    static final int SETTLED_BEATS = 2;
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(5);
    /** Least time without a check after which past observations of peers are discarded (see {@link #check}). */
    static final long MIN_BLIND_MS = 2000;

    /** The store requests a membership needs; implemented by the channel. */
    interface Records {
        /** Creates {@code key} holding {@code value} unless it exists; whether it was created. */
        boolean create(String key, byte[] value, OpContext op);

        /** Writes {@code value} under {@code key}, replacing what is there. */
        void write(String key, byte[] value, OpContext op);

        /** What {@code key} holds, or null. */
        byte[] read(String key, OpContext op);

        /** Marks the run failed because of rank {@code failed} (the channel's abort marker). */
        void abortRun(int failed, String why);
    }

    /** What a check found out about a peer. */
    enum State {
        /** No record: the peer has not opened the channel (yet). */
        ABSENT,
        /** Its record is open and its heartbeat moves (or has not been watched for a window yet). */
        ALIVE,
        /** It is closing its communicator: it takes part in the closing barrier and in nothing else. */
        CLOSING,
        /** It closed its communicator. */
        CLOSED,
        /** It aborted. */
        ABORTED,
        /** Its heartbeat stopped for longer than the liveness window: it died or is frozen. */
        SILENT
    }

    /** A peer's state and a sentence saying why. */
    static final class Status {
        final State state;
        final String detail;

        Status(State state, String detail) {
            this.state = state;
            this.detail = detail;
        }

    }

    private final ChannelContext context;
    private final Records store;
    private final IntFunction<String> keyOf;
    private final Executor io;
    private final long livenessNanos;
    private final long heartbeatMillis;
    private final String nonce = String.format("%016x", ThreadLocalRandom.current().nextLong());
    private final long pid = ProcessHandle.current().pid();
    /** What this rank's record says: {@code open}, then {@code closing}; the heartbeat writes it too. */
    private volatile String state = "open";
    /** Beats written so far; a beat in flight is skipped, never queued. */
    private volatile long beat;
    private final AtomicBoolean beating = new AtomicBoolean();
    /** Last beat seen of each peer and when it changed, on this process's clock. */
    private final Map<Integer, Seen> seen = new ConcurrentHashMap<>();
    /** When the last check's read came back, on this process's clock; 0 before the first. */
    private volatile long lastCheck;
    /** Last status found of each peer, for timeout messages. */
    private final Map<Integer, Status> last = new ConcurrentHashMap<>();
    private boolean joined;
    private RuntimeException refused;
    private volatile boolean left;
    private ScheduledFuture<?> heartbeat;
    private boolean ownTimer;

    StoreMembership(ChannelContext context, Records store, IntFunction<String> keyOf, Duration liveness, Duration heartbeat) {
        this.context = context;
        this.store = store;
        this.keyOf = keyOf;
        this.io = context.executor();
        this.livenessNanos = liveness.toNanos();
        this.heartbeatMillis = heartbeat.toMillis();
    }

    /** The liveness window of {@code b}'s {@value #LIVENESS_KEY}; zero when off. */
    static Duration liveness(BackendConfig b) {
        long ms = b.longValue(LIVENESS_KEY, DEFAULT_LIVENESS_MS);
        if (ms < 0) {
            throw new FmiConfigException("backends." + b.name() + "." + LIVENESS_KEY + ": " + ms + " (expected: >= 0; 0 turns liveness off)");
        }
        return Duration.ofMillis(ms);
    }

    /** The heartbeat interval of {@code b}'s {@value #HEARTBEAT_KEY}, checked against {@code liveness}. */
    static Duration heartbeat(BackendConfig b, Duration liveness) {
        long window = liveness.toMillis();
        long ms = b.longValue(HEARTBEAT_KEY, Math.max(1, window / DEFAULT_BEATS_PER_WINDOW));
        if (ms < 1 || (window > 0 && ms * 2 > window)) {
            throw new FmiConfigException("backends." + b.name() + "." + HEARTBEAT_KEY + ": " + ms + " (expected: 1.." + window / 2
                    + ", at most half of " + LIVENESS_KEY + " = " + window + ", so that one late beat is not taken for a dead peer)");
        }
        return Duration.ofMillis(ms);
    }

    /**
     * How long this process may go without watching (no check, or one read) before what it saw of
     * its peers' beats is discarded: half the liveness window, at least {@value #MIN_BLIND_MS} ms
     * (a waiter checks once per second).
     */
    private long blindNanos() {
        return Math.max(livenessNanos / 2, TimeUnit.MILLISECONDS.toNanos(MIN_BLIND_MS));
    }

    private boolean livenessOn() {
        return livenessNanos > 0;
    }

    private String record(long beatNo, String state) {
        return "fmi-member v1 nonce=" + nonce + " beat=" + beatNo + " state=" + state + " pid=" + pid;
    }

    /**
     * Claims this rank's slot on first use and starts the heartbeat; later calls return at once, or
     * throw again what the first one threw.
     */
    synchronized void join(OpContext op) {
        if (joined) {
            return;
        }
        if (refused != null) {
            throw refused;
        }
        String key = keyOf.apply(context.rank());
        boolean created = store.create(key, bytes(record(0, "open")), op);
        if (!created) {
            Record holder = Record.parse(store.read(key, op));
            // A create whose reply was lost and that was sent again finds our own record.
            if (holder == null || !nonce.equals(holder.nonce)) {
                refused = conflict(holder, op);
                throw refused;
            }
        }
        joined = true;
        log.debug("{} holds rank {} of run {} (member record {}, nonce {})", context.logPrefix(), context.rank(), context.runId(), key, nonce);
        if (livenessOn() && context.size() > 1) {
            startHeartbeat();
        }
    }

    private RuntimeException conflict(Record holder, OpContext op) {
        String who = holder == null ? "a record FMI cannot read"
                : "process " + holder.pid + " (state " + holder.state + ", " + holder.beat + " heartbeats)";
        String msg = op.label() + ": another job with communicator name '" + context.commName() + "' and run id '"
                + context.runId() + "' is running or ran before: rank " + context.rank() + " on " + context.channelName()
                + " is held by " + who + " (member record " + keyOf.apply(context.rank())
                + "); every run needs a run id of its own (Communicator.Builder.runId) " + op.where();
        // A holder that claimed moments ago is a launch started together with this one, whose ranks may
        // have paired up with ranks of this launch: fail the run for both. A settled holder is a job this
        // process must not disturb (a duplicate delivery of one rank's event, a rerun with a used id).
        if (holder == null || ("open".equals(holder.state) && holder.beat < SETTLED_BEATS)) {
            store.abortRun(context.rank(), "rank " + context.rank() + " claimed by two processes: two jobs with communicator name '"
                    + context.commName() + "' and run id '" + context.runId() + "' started together");
        }
        return new ChannelException(msg);
    }

    private void startHeartbeat() {
        ScheduledExecutorService timer = context.scheduler().orElse(null);
        if (timer == null) {
            timer = SharedTimer.acquire();
            ownTimer = true;
        }
        heartbeat = timer.scheduleAtFixedRate(this::beat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
    }

    /** On the timer: hands one beat to the executor unless the last one is still running. */
    private void beat() {
        if (left || !beating.compareAndSet(false, true)) {
            return;
        }
        try {
            io.execute(() -> {
                try {
                    if (!left) {
                        long next = beat + 1;
                        OpContext op = new OpContext(Operation.BARRIER, "heartbeat", OpContext.P2P_SEQ,
                                Deadline.after(Duration.ofNanos(livenessNanos)), context);
                        store.write(keyOf.apply(context.rank()), bytes(record(next, state)), op);
                        beat = next;
                    }
                } catch (RuntimeException e) {
                    // The next beat tries again; peers see a silence only if beats fail for a whole window.
                    log.debug("{} heartbeat failed: {}", context.logPrefix(), e.toString());
                } finally {
                    beating.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            beating.set(false);
            log.debug("{} heartbeat not run: the communicator's executor refused it ({})", context.logPrefix(), e.toString());
        }
    }

    /**
     * What {@code peer}'s record says. A peer whose beat number has not moved for the liveness
     * window since this process first saw it is {@link State#SILENT}. When this process could not
     * watch for a while (no check for {@link #blindNanos()}, or a read that took that long: the
     * store did not answer, or this process was frozen itself), what it saw before counts for
     * nothing: the peers' beats stopped reaching the store too, and a record that has not moved
     * since then is no sign of a dead peer. The window then starts again.
     */
    Status check(int peer, OpContext op) {
        long start = System.nanoTime();
        byte[] v = store.read(keyOf.apply(peer), op);
        long end = System.nanoTime();
        long blind = blindNanos();
        long previous = lastCheck;
        lastCheck = end;
        long gap = Math.max(end - start, previous == 0 ? 0 : start - previous);
        if (gap > blind && !seen.isEmpty()) {
            log.debug("{} watched no peer for {} ms (the store did not answer, or this process did not run): peers' silence counts from now",
                    context.logPrefix(), TimeUnit.NANOSECONDS.toMillis(gap));
            seen.clear();
        }
        Record r = Record.parse(v);
        Status s = statusOf(peer, r);
        last.put(peer, s);
        return s;
    }

    private Status statusOf(int peer, Record r) {
        if (r == null) {
            return new Status(State.ABSENT, "rank " + peer + " has not opened the " + context.channelName() + " channel of this run");
        }
        if ("closing".equals(r.state)) {
            return new Status(State.CLOSING, "rank " + peer + " is closing its communicator");
        }
        if ("closed".equals(r.state)) {
            return new Status(State.CLOSED, "rank " + peer + " closed its communicator");
        }
        if ("aborted".equals(r.state)) {
            return new Status(State.ABORTED, "rank " + peer + " aborted");
        }
        long now = System.nanoTime();
        Seen s = seen.get(peer);
        if (s == null || !s.nonce.equals(r.nonce) || s.beat != r.beat) {
            seen.put(peer, new Seen(r.nonce, r.beat, now));
            return new Status(State.ALIVE, "rank " + peer + " is alive (heartbeat " + r.beat + ")");
        }
        long silentMs = TimeUnit.NANOSECONDS.toMillis(now - s.since);
        if (livenessOn() && now - s.since > livenessNanos) {
            return new Status(State.SILENT, "rank " + peer + " (process " + r.pid + ") sent no heartbeat for " + silentMs
                    + " ms (backends." + context.backend().name() + "." + LIVENESS_KEY + " = " + TimeUnit.NANOSECONDS.toMillis(livenessNanos)
                    + "): it died or is frozen");
        }
        return new Status(State.ALIVE, "rank " + peer + " is alive (heartbeat " + r.beat + " unchanged for " + silentMs + " ms)");
    }

    /** Whether this rank's claim was refused: the run belongs to other processes, which this one must not disturb. */
    synchronized boolean refused() {
        return refused != null;
    }

    /** The last status found of {@code peer}, or null when it was never checked. */
    String lastSeen(int peer) {
        Status s = last.get(peer);
        return s == null ? null : s.detail;
    }

    /**
     * Says in the record that this rank is closing (it takes part in the closing barrier, and in
     * nothing else); the heartbeat goes on. Best effort.
     */
    void closing() {
        boolean wasJoined;
        synchronized (this) {
            wasJoined = joined && !left;
        }
        if (wasJoined) {
            state = "closing";
            finalWrite("closing");
        }
    }

    /** Stops the heartbeat and leaves the record in its final state ({@code closed} or {@code aborted}). */
    void leave(boolean aborted) {
        ScheduledFuture<?> h;
        boolean wasJoined;
        synchronized (this) {
            if (left) {
                return;
            }
            left = true;
            h = heartbeat;
            heartbeat = null;
            wasJoined = joined;
        }
        if (h != null) {
            h.cancel(false);
            if (ownTimer) {
                SharedTimer.release();
            }
        }
        if (wasJoined) {
            finalWrite(aborted ? "aborted" : "closed");
        }
    }

    private void finalWrite(String state) {
        try {
            OpContext op = new OpContext(Operation.BARRIER, "close", OpContext.P2P_SEQ, Deadline.after(LEAVE_TIMEOUT), context);
            store.write(keyOf.apply(context.rank()), bytes(record(beat + 1, state)), op);
        } catch (RuntimeException e) {
            log.debug("{} could not mark its member record {}: {}", context.logPrefix(), state, e.toString());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static final class Seen {
        final String nonce;
        final long beat;
        final long since;

        Seen(String nonce, long beat, long since) {
            this.nonce = nonce;
            this.beat = beat;
            this.since = since;
        }
    }

    /** A parsed member record. */
    static final class Record {
        final String nonce;
        final long beat;
        final String state;
        final long pid;

        private Record(String nonce, long beat, String state, long pid) {
            this.nonce = nonce;
            this.beat = beat;
            this.state = state;
            this.pid = pid;
        }

        /** The record in {@code v}, or null when {@code v} is null or not a member record. */
        static Record parse(byte[] v) {
            if (v == null) {
                return null;
            }
            String[] parts = new String(v, StandardCharsets.US_ASCII).split(" ");
            if (parts.length < 2 || !"fmi-member".equals(parts[0])) {
                return null;
            }
            String nonce = null;
            String state = null;
            long beat = -1;
            long pid = -1;
            for (String p : parts) {
                int eq = p.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String k = p.substring(0, eq);
                String val = p.substring(eq + 1);
                try {
                    switch (k) {
                        case "nonce": nonce = val; break;
                        case "state": state = val; break;
                        case "beat": beat = Long.parseLong(val); break;
                        case "pid": pid = Long.parseLong(val); break;
                        default: break;
                    }
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return nonce == null || state == null ? null : new Record(nonce, beat, state, pid);
        }
    }

    /**
     * The heartbeat timer of channels whose communicator has no scheduler of its own: one daemon
     * thread ({@code fmi-store-heartbeat}) for the whole JVM, started by the first heartbeat and
     * shut down when the last stops, so FMI leaves no thread behind. It only hands beats to the
     * communicators' executors; it never blocks on a store.
     */
    private static final class SharedTimer {
        private static ScheduledThreadPoolExecutor timer;
        private static int users;

        static synchronized ScheduledExecutorService acquire() {
            if (timer == null) {
                timer = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "fmi-store-heartbeat");
                    t.setDaemon(true);
                    return t;
                });
                timer.setRemoveOnCancelPolicy(true);
            }
            users++;
            return timer;
        }

        static synchronized void release() {
            if (--users == 0) {
                timer.shutdown();
                timer = null;
            }
        }
    }
}
