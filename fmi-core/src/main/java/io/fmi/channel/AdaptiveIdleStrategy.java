package io.fmi.channel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls while this process has a core of its own, blocks while it does not: the default
 * {@link IdleStrategy} of the Direct channel.
 *
 * <p>What the process can observe decides:
 * <ol>
 *   <li><b>Its CPU budget</b> ({@link CpuBudget}): with less than one core (a cgroup quota below
 *       one CPU, a Lambda function below 1,769 MB) it never polls.</li>
 *   <li><b>How much of its polling actually ran.</b> A thread that polls for longer than
 *       {@value #MEASURE_AFTER_MICROS} µs reads its own CPU clock then and when it stops polling.
 *       Once {@value #WINDOW_MILLIS} ms of such polling add up, the share of that wall-clock time
 *       the polling threads were on a core shows whether they had one to themselves: on a core of
 *       its own a poller runs nearly all the time; where processes outnumber cores the scheduler
 *       takes the core away for the others (the peer this thread waits for among them), and the
 *       share falls towards cores / runnable threads. Below {@value #MIN_RUN_PERCENT}%, when most of
 *       those waits also polled in vain (the peer could not run: it shares the core; on a host merely
 *       busy with other jobs the peer on its own core still answers while this thread polls), the process
 *       stops polling for a while ({@value #MIN_BACKOFF_MILLIS} ms, doubling while contention
 *       lasts, up to {@value #MAX_BACKOFF_MILLIS} ms), then tries again.</li>
 * </ol>
 * While polling, a wait polls in place ({@link Thread#onSpinWait()}) for up to {@code maxPoll}
 * ({@link IdleStrategy#DEFAULT_MAX_POLL} by default), then blocks. Short waits, most of them where
 * peers keep pace, never read the CPU clock (a system call of about a microsecond).
 *
 * <p>One instance ({@link IdleStrategy#adaptive()}) serves the whole JVM, since contention for
 * cores is a property of the process, not of one channel. Thread-safe.
 */
public final class AdaptiveIdleStrategy implements IdleStrategy {
    private static final Logger log = LoggerFactory.getLogger(AdaptiveIdleStrategy.class);
    /** Waits that poll longer than this are measured. */
    static final long MEASURE_AFTER_MICROS = 20;
    /** Measured polling time that makes one judgement. */
    static final long WINDOW_MILLIS = 10;
    /** The share of their polling time pollers must have run for polling to go on. */
    static final int MIN_RUN_PERCENT = 75;
    static final long MIN_BACKOFF_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 400;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_CLOCK = cpuClockWorks();
    private static final AdaptiveIdleStrategy SHARED = new AdaptiveIdleStrategy(CpuBudget.host(),
            IdleStrategy.DEFAULT_MAX_POLL.toNanos(), AdaptiveIdleStrategy::threadCpuNanos);

    private final CpuBudget budget;
    private final long maxPollNanos;
    private final LongSupplier cpuClock;
    /** The budget allows polling, and contention can be seen. */
    private final boolean polls;
    /** {@link System#nanoTime()} before which nobody polls (contention seen). */
    private volatile long blockUntil = System.nanoTime();
    /** Guarded by this: the current window, and the current back-off. */
    private long windowWall;
    private long windowCpu;
    /** Guarded by this: the current window's measured waits that ended while polling, and those that gave up. */
    private long windowServed;
    private long windowGaveUp;
    private long backoffNanos = TimeUnit.MILLISECONDS.toNanos(MIN_BACKOFF_MILLIS);
    private long contendedWindows;

    AdaptiveIdleStrategy(CpuBudget budget, long maxPollNanos, LongSupplier cpuClock) {
        this.budget = budget;
        this.maxPollNanos = maxPollNanos;
        this.cpuClock = cpuClock;
        this.polls = budget.hasCoreOfItsOwn() && CPU_CLOCK;
        if (!budget.hasCoreOfItsOwn()) {
            log.debug("adaptive idle strategy: never polls, the process has less than a core ({})", budget);
        } else if (!CPU_CLOCK) {
            log.debug("adaptive idle strategy: never polls, this JVM cannot read a thread's CPU time to see contention");
        }
    }

    static AdaptiveIdleStrategy shared() {
        return SHARED;
    }

    /**
     * An adaptive strategy of its own (not the JVM-wide one) that polls for up to {@code maxPoll}.
     *
     * @param maxPoll how long one wait polls before blocking
     * @return the strategy
     */
    public static AdaptiveIdleStrategy withMaxPoll(Duration maxPoll) {
        if (maxPoll.isNegative()) {
            throw new IllegalArgumentException("maxPoll: " + maxPoll + " (expected: >= 0)");
        }
        return new AdaptiveIdleStrategy(CpuBudget.host(), maxPoll.toNanos(), AdaptiveIdleStrategy::threadCpuNanos);
    }

    /**
     * Whether a wait starting now would poll: the process has a core of its own and no contention
     * was seen lately.
     *
     * @return whether polling is on
     */
    public boolean polling() {
        return polls && System.nanoTime() - blockUntil >= 0;
    }

    /** @return what the process observed: its CPU budget */
    public CpuBudget budget() {
        return budget;
    }

    @Override
    public boolean idle(Wait w) {
        if (!polls) {
            return false;
        }
        long now = System.nanoTime();
        if (now - blockUntil < 0) {
            return false;
        }
        long polled = now - w.startNanos();
        if (w.markNanos == 0 && polled >= MEASURE_AFTER_MICROS * 1000) {
            w.markCpuNanos = cpuClock.getAsLong();
            w.markNanos = System.nanoTime();
        }
        if (polled >= maxPollNanos) {
            measure(w, now, false);
            return false;
        }
        Thread.onSpinWait();
        return true;
    }

    @Override
    public void ended(Wait w) {
        if (!w.blocked()) {
            measure(w, System.nanoTime(), true);
        }
    }

    /** Adds the polling of {@code w} since its mark (if it has one) to the window; {@code served}: the wait ended while polling. */
    private void measure(Wait w, long now, boolean served) {
        if (w.markNanos == 0) {
            return;
        }
        long cpu = cpuClock.getAsLong() - w.markCpuNanos;
        long wall = now - w.markNanos;
        w.markNanos = 0;
        if (wall > 0) {
            record(wall, Math.max(0, Math.min(cpu, wall)), served);
        }
    }

    /** {@link #record(long, long, boolean)} of a wait that polled until the maximum polling time and then blocked. */
    void record(long wall, long cpu) {
        record(wall, cpu, false);
    }

    /**
     * One measured stretch of polling: {@code wall} ns of which the thread ran {@code cpu} ns;
     * {@code served}: the wait ended while polling (its message came), else it gave up and blocked.
     */
    synchronized void record(long wall, long cpu, boolean served) {
        windowWall += wall;
        windowCpu += cpu;
        if (served) {
            windowServed++;
        } else {
            windowGaveUp++;
        }
        if (windowWall < TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS)) {
            return;
        }
        long percent = 100 * windowCpu / windowWall;
        // Little time on a core alone is not enough: on a busy host (other jobs) a poller runs a
        // share of the time, yet its peer on another core answers while it polls, and polling still
        // beats a wake-up (as Open MPI's polling shows there). Only when the waits polled in vain as
        // well (the peer could not run: it shares this core) is polling stopped.
        if (percent < MIN_RUN_PERCENT && windowGaveUp > windowServed) {
            contendedWindows++;
            blockUntil = System.nanoTime() + backoffNanos;
            if (log.isDebugEnabled()) {
                log.debug("adaptive idle strategy: polling off for {} ms: pollers ran {}% of the {} ms they polled"
                        + " (expected: >= {}%; cores are contended)", TimeUnit.NANOSECONDS.toMillis(backoffNanos), percent,
                        TimeUnit.NANOSECONDS.toMillis(windowWall), MIN_RUN_PERCENT);
            }
            backoffNanos = Math.min(2 * backoffNanos, TimeUnit.MILLISECONDS.toNanos(MAX_BACKOFF_MILLIS));
        } else {
            backoffNanos = TimeUnit.MILLISECONDS.toNanos(MIN_BACKOFF_MILLIS);
        }
        windowWall = 0;
        windowCpu = 0;
        windowServed = 0;
        windowGaveUp = 0;
    }

    /** @return windows so far in which pollers ran too little (for tests and diagnostics) */
    public synchronized long contendedWindows() {
        return contendedWindows;
    }

    private static long threadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static boolean cpuClockWorks() {
        try {
            return THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled()
                    && THREADS.getCurrentThreadCpuTime() >= 0;
        } catch (RuntimeException | Error e) {
            return false; // the strategy then never polls: it could not see contention
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "adaptive(max_poll_us=%d; %s)", maxPollNanos / 1000, budget);
    }
}
