package io.fmi.channel;

import io.fmi.BackendConfig;
import io.fmi.FmiConfigException;
import java.time.Duration;

/**
 * What a thread does while the message it waits for has not arrived yet: poll again at once
 * (spin), give its core away between polls (yield), or stop polling and block in the kernel until
 * the message wakes it. In the spirit of Agrona's {@code IdleStrategy}; a channel's wait loops take
 * one as a policy instead of hard-coding it.
 *
 * <p>Polling answers in a microsecond or two where a blocked thread needs a wake-up, tens of
 * microseconds on a virtual machine. It pays only while the polling thread has a core of its
 * own: where processes outnumber cores, a poller takes the core from the very peer it waits for,
 * and where a function has a fraction of a vCPU (AWS Lambda below 1,769 MB) it spends the quota
 * the function's work needs. The {@linkplain #adaptive() default of the Direct channel} decides
 * from what the process can observe; the others are fixed policies.
 *
 * <h2>The wait loop</h2>
 * <pre>
 * IdleStrategy.Wait w = IdleStrategy.Wait.begin();   // this thread's, reset
 * while (!pollOnce()) {
 *     if (!w.idle(strategy)) {                        // spins, yields or says "block"
 *         blockUntilWoken();                          // select(timeout), future.get(timeout), ...
 *         break;
 *     }
 * }
 * w.end(strategy);                                    // lets an adaptive strategy learn
 * </pre>
 * A poll that found other work (bytes of another message) calls {@link Wait#work()}, which starts
 * the count of empty polls again.
 *
 * <h2>Configuration</h2>
 * {@code "idle_strategy"} in a peer-to-peer channel's backend entry, a name or an object:
 * <pre>
 * "idle_strategy": "adaptive"                         // the Direct channel's default
 * "idle_strategy": "block"                            // never poll (the in-memory channel's default)
 * "idle_strategy": {"name": "spin", "max_poll_us": 1000}
 * "idle_strategy": {"name": "backoff", "max_spins": 100, "max_yields": 1000, "max_poll_us": 1000}
 * "idle_strategy": {"name": "adaptive", "max_poll_us": 1000}
 * </pre>
 *
 * <p>Implementations are thread-safe: one instance serves every waiting thread of a channel;
 * what belongs to one wait is in its {@link Wait}.
 */
public interface IdleStrategy {
    /** The backend entry's key: {@value}. */
    String CONFIG_KEY = "idle_strategy";
    /** Longest time a polling strategy polls by default before the thread blocks: 1 ms. */
    Duration DEFAULT_MAX_POLL = Duration.ofMillis(1);

    /**
     * Called after the {@link Wait#polls()}-th poll in a row found nothing. Spins, yields or parks
     * briefly as the policy says and returns true to poll again, or returns false (at once) when
     * the caller should stop polling and block until woken.
     *
     * @param wait this wait's state
     * @return whether to poll again
     */
    boolean idle(Wait wait);

    /**
     * The wait ended: what the thread waited for happened, after the thread polled
     * ({@link Wait#blocked()} false) or after it blocked. Does nothing by default.
     *
     * @param wait this wait's state
     */
    default void ended(Wait wait) {
    }

    /**
     * Never polls: the thread blocks at once. Right for channels whose messages take milliseconds
     * (stores), for peers that are threads of one process, and for functions with less than a core.
     *
     * @return the strategy
     */
    static IdleStrategy block() {
        return BlockingIdleStrategy.INSTANCE;
    }

    /**
     * Polls in place ({@link Thread#onSpinWait()} between polls) for up to {@code maxPoll}, then
     * blocks. Fastest where every waiting thread has a core of its own; collapses where threads
     * outnumber cores.
     *
     * @param maxPoll how long to poll before blocking, at least 0
     * @return the strategy
     */
    static IdleStrategy spin(Duration maxPoll) {
        return new BackoffIdleStrategy(Integer.MAX_VALUE, 0, maxPoll.toNanos());
    }

    /**
     * Agrona's back-off: polls in place for {@code maxSpins} polls, then yields the core between
     * polls ({@link Thread#yield()}) for {@code maxYields} more, and blocks once either runs out or
     * {@code maxPoll} passed.
     *
     * @param maxSpins empty polls with {@link Thread#onSpinWait()} between them, at least 0
     * @param maxYields empty polls after those with {@link Thread#yield()} between them, at least 0
     * @param maxPoll how long to poll in all before blocking
     * @return the strategy
     */
    static IdleStrategy backoff(int maxSpins, int maxYields, Duration maxPoll) {
        return new BackoffIdleStrategy(maxSpins, maxYields, maxPoll.toNanos());
    }

    /**
     * Polls while this process has a core of its own and blocks while it does not, as the process
     * observes it: its CPU quota and cores ({@link CpuBudget}), and how much of the time it spent
     * polling its thread actually ran. See {@link AdaptiveIdleStrategy}.
     *
     * @return the JVM-wide adaptive strategy with the default polling time
     */
    static IdleStrategy adaptive() {
        return AdaptiveIdleStrategy.shared();
    }

    /**
     * The strategy a backend entry asks for with {@value #CONFIG_KEY}, or {@code otherwise} when it
     * names none.
     *
     * @param backend   the channel's backend entry
     * @param otherwise the channel's default
     * @return the strategy
     * @throws FmiConfigException naming the key, the value and what is expected
     */
    static IdleStrategy fromConfig(BackendConfig backend, IdleStrategy otherwise) {
        return IdleStrategyConfig.parse(backend, otherwise);
    }

    /**
     * One wait of one thread: when it began, how many polls in a row found nothing, whether it
     * ended up blocking, and two fields a strategy may use. Each thread has one, reused for every
     * wait ({@link #begin()}), so a wait allocates nothing. Not thread-safe: the thread's own.
     */
    final class Wait {
        private static final ThreadLocal<Wait> MINE = ThreadLocal.withInitial(Wait::new);
        private long startNanos;
        private int polls;
        private boolean blocked;
        /** For the strategy: e.g. the thread's CPU time and the clock when it started measuring; 0 when unused. */
        long markCpuNanos;
        long markNanos;

        private Wait() {
        }

        /**
         * The calling thread's wait, reset: it begins now.
         *
         * @return the calling thread's wait state
         */
        public static Wait begin() {
            Wait w = MINE.get();
            w.startNanos = System.nanoTime();
            w.polls = 0;
            w.blocked = false;
            w.markCpuNanos = 0;
            w.markNanos = 0;
            return w;
        }

        /**
         * A poll found nothing: asks {@code strategy} what next. False means: block until woken.
         *
         * @param strategy the policy
         * @return whether to poll again
         */
        public boolean idle(IdleStrategy strategy) {
            polls++;
            if (strategy.idle(this)) {
                return true;
            }
            blocked = true;
            return false;
        }

        /** A poll found work other than what this wait is for: the empty polls count again from zero. */
        public void work() {
            polls = 0;
        }

        /**
         * The wait is over; tells {@code strategy}.
         *
         * @param strategy the policy {@link #idle} asked
         */
        public void end(IdleStrategy strategy) {
            strategy.ended(this);
        }

        /** @return {@link System#nanoTime()} when the wait began */
        public long startNanos() {
            return startNanos;
        }

        /** @return polls in a row that found nothing so far */
        public int polls() {
            return polls;
        }

        /** @return whether the strategy told the thread to block */
        public boolean blocked() {
            return blocked;
        }
    }
}
